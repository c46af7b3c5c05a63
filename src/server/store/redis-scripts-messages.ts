// Lua scripts of the Redis store for messages. Each runs atomically inside
// Redis, so two server nodes acting for the same user at once see each
// other's writes whole: no message is lost, duplicated or handed to two
// claims. A script may also run twice for one call (its answer was lost with
// the connection and it is run again): the two that add or take something are
// keyed by the caller's request id or claim id so that a second run changes
// nothing. The key layout is in docs/redis.md; P is the namespace prefix, KEYS[1].

/** A script body with P, the namespace prefix, bound from KEYS[1]. */
export function script(body: string): string {
  return 'local P = KEYS[1]\n' + body;
}

/**
 * ARGV: request id, sender id, recipient name, text as JSON, ts, request TTL
 * (ms). In one step: resolves the recipient's account, checks the sender's
 * still exists, takes the next id, stores the body once (the wire fields,
 * then the two account ids), queues it for the recipient and files it in
 * the pair's conversation and both accounts' event logs, and publishes the
 * event (redis-scripts-sync.ts). Returns the body; 1 when there is no such
 * recipient, 2 when the sender is gone. Run again with the same request id
 * (a command re-sent after a lost reply), it stores nothing and returns the
 * first run's body.
 */
export const ADD_MESSAGE = script(`
local rk = P .. 'req:' .. ARGV[1]
local done = redis.call('GET', rk)
if done then
  return redis.call('GET', P .. 'm:' .. done) or 1
end
local rid = redis.call('HGET', P .. 'uid', ARGV[3])
if not rid then return 1 end
local sj = redis.call('HGET', P .. 'acct', ARGV[2])
if not sj then return 2 end
local from, to = cjson.decode(sj), cjson.decode(redis.call('HGET', P .. 'acct', rid))
local id = redis.call('INCR', P .. 'next')
local body = '{"msg_from":' .. cjson.encode(from[2]) .. ',"msg_to":' .. cjson.encode(to[2]) .. ',"msg":' .. ARGV[4] ..
  ',"id":' .. id .. ',"sender":' .. cjson.encode(from[1]) .. ',"recipient":' .. cjson.encode(to[1]) ..
  ',"ts":"' .. ARGV[5] .. '","sid":' .. ARGV[2] .. ',"rid":' .. rid .. '}'
redis.call('SET', P .. 'm:' .. id, body)
redis.call('ZADD', P .. 'inbox:' .. rid, id, id)
local a, b = tonumber(ARGV[2]), tonumber(rid)
if a > b then a, b = b, a end
redis.call('ZADD', P .. 'conv:' .. a .. ':' .. b, id, id)
-- Sync (redis-scripts-sync.ts): both event logs, the conversations' newest id, the recipient's unread count.
local sid = ARGV[2]
redis.call('ZADD', P .. 'ev:' .. sid, id, id)
redis.call('HSET', P .. 'last:' .. sid, rid, id)
local names = {from[1]}
if rid ~= sid then
  redis.call('ZADD', P .. 'ev:' .. rid, id, id)
  redis.call('HSET', P .. 'last:' .. rid, sid, id)
  redis.call('HINCRBY', P .. 'unread:' .. rid, sid, 1)
  names[2] = to[1]
end
redis.call('PUBLISH', P .. 'events', cjson.encode(names))
redis.call('SET', rk, id, 'PX', ARGV[6])
return body
`);

/** Lua to fetch the bodies of a list of ids, skipping any that are gone. */
export const BODIES = `
local function bodies(ids)
  local out = {}
  for i = 1, #ids, 1000 do
    local keys = {}
    for j = i, math.min(i + 999, #ids) do keys[#keys + 1] = P .. 'm:' .. ids[j] end
    for _, body in ipairs(redis.call('MGET', unpack(keys))) do
      if body then out[#out + 1] = body end
    end
  end
  return out
end
`;

/**
 * ARGV: recipient id, claimId, limit, now, leaseUntil. Leases up to limit of the
 * oldest waiting messages that no unexpired lease holds; returns their bodies.
 * A non-empty batch is kept under the claim id (`c:<recipient id>:<claimId>`, until
 * the lease ends): a re-run of the same claim (its answer was lost) returns
 * that batch and takes no other, and once settled takes nothing.
 */
export const CLAIM_INBOX = script(BODIES + `
local name, claim, limit, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local q, l = P .. 'inbox:' .. name, P .. 'lease:' .. name
local ckey = P .. 'c:' .. name .. ':' .. claim
local held_by_claim = redis.call('GET', ckey)
if held_by_claim then
  local ids = {}
  for id in string.gmatch(held_by_claim, '%S+') do ids[#ids + 1] = id end
  return bodies(ids)
end
local lease = ARGV[5] .. ' ' .. claim
local taken = {}
local start, batch = 0, math.max(limit, 100)
while #taken < limit do
  local ids = redis.call('ZRANGE', q, start, start + batch - 1)
  if #ids == 0 then break end
  local held = redis.call('HMGET', l, unpack(ids))
  for i, id in ipairs(ids) do
    local free = true
    if held[i] then
      local untilv = tonumber(string.match(held[i], '^(%S+)'))
      free = untilv <= now
    end
    if free then
      redis.call('HSET', l, id, lease)
      taken[#taken + 1] = id
      if #taken >= limit then break end
    end
  end
  start = start + batch
end
-- An empty claim is not kept (polling an empty inbox writes nothing): its
-- re-run may take what came since, and answers with exactly that.
if #taken > 0 then
  redis.call('SET', ckey, table.concat(taken, ' '), 'PX', math.max(1000, tonumber(ARGV[5]) - now))
end
return bodies(taken)
`);

/**
 * ARGV: recipient id, claimId, delivered (1|0). Ends the claim's leases.
 * Running it again finds no lease of the claim left and changes nothing; the
 * claim's kept batch becomes empty, so a late re-run of the claim takes nothing.
 */
export const SETTLE_CLAIM = script(`
local name, claim, delivered = ARGV[1], ARGV[2], ARGV[3] == '1'
local q, l = P .. 'inbox:' .. name, P .. 'lease:' .. name
local all = redis.call('HGETALL', l)
for i = 1, #all, 2 do
  if string.match(all[i + 1], '^%S+ (.*)$') == claim then
    redis.call('HDEL', l, all[i])
    if delivered then redis.call('ZREM', q, all[i]) end
  end
end
local ckey = P .. 'c:' .. name .. ':' .. claim
if redis.call('EXISTS', ckey) == 1 then redis.call('SET', ckey, '', 'KEEPTTL') end
return 1
`);

/**
 * ARGV: recipient id, ackId, limit. Marks ids <= ackId received, then returns
 * the bodies of up to limit waiting messages with id > ackId. A re-run finds
 * nothing left to mark and returns the same (or, with new mail, more).
 */
export const ACK_INBOX = script(BODIES + `
local name, ack = ARGV[1], ARGV[2]
local q, l = P .. 'inbox:' .. name, P .. 'lease:' .. name
local done = redis.call('ZRANGEBYSCORE', q, '-inf', ack)
-- unpack has a stack limit: delete leases in slices.
for i = 1, #done, 1000 do
  redis.call('HDEL', l, unpack(done, i, math.min(i + 999, #done)))
end
redis.call('ZREMRANGEBYSCORE', q, '-inf', ack)
return bodies(redis.call('ZRANGEBYSCORE', q, '(' .. ack, '+inf', 'LIMIT', 0, ARGV[3]))
`);

/** ARGV: account ids a, b (a <= b), before ('+inf' or '(<id>'), limit. Newest first. */
export const HISTORY = script(BODIES + `
local ids = redis.call('ZREVRANGEBYSCORE', P .. 'conv:' .. ARGV[1] .. ':' .. ARGV[2], ARGV[3], '-inf', 'LIMIT', 0, ARGV[4])
return bodies(ids)
`);
