// Lua scripts of the Redis store for messages. Each runs atomically inside
// Redis, so two server nodes acting for the same user at once see each
// other's writes whole: no message is lost, duplicated or handed to two
// claims. A script may also run twice for one call (its answer was lost with
// the connection and it is run again): the two that add or take something are
// keyed by the caller's request id or claim id so that a second run changes
// nothing. The key layout is in docs/redis.md; P is the namespace prefix, KEYS[1].

function script(body: string): string {
  return 'local P = KEYS[1]\n' + body;
}

/**
 * ARGV: recipient, head, tail, pairA, pairB (the two names, ordered),
 * requestId, requestTtlMs. Takes the next id, stores the body (head .. id ..
 * tail) once, queues it for the recipient and files it in the pair's history.
 * Returns the id. The id is also kept under the request id for a while: a
 * re-run of the same request (its answer was lost) returns that id and
 * stores nothing.
 */
export const ADD_MESSAGE = script(`
local req = P .. 'req:' .. ARGV[6]
local done = redis.call('GET', req)
if done then return tonumber(done) end
local id = redis.call('INCR', P .. 'next')
redis.call('SET', P .. 'm:' .. id, ARGV[2] .. id .. ARGV[3])
redis.call('ZADD', P .. 'q:' .. ARGV[1], id, id)
-- The pair comes ordered from the caller: Lua compares strings by locale.
redis.call('ZADD', P .. 'h:' .. ARGV[4] .. ':' .. ARGV[5], id, id)
redis.call('SET', req, id, 'PX', ARGV[7])
return id
`);

/** Lua to fetch the bodies of a list of ids, skipping any that are gone. */
const BODIES = `
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
 * ARGV: recipient, claimId, limit, now, leaseUntil. Leases up to limit of the
 * oldest waiting messages that no unexpired lease holds; returns their bodies.
 * A non-empty batch is kept under the claim id (`c:<name>:<claimId>`, until
 * the lease ends): a re-run of the same claim (its answer was lost) returns
 * that batch and takes no other, and once settled takes nothing.
 */
export const CLAIM_INBOX = script(BODIES + `
local name, claim, limit, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local q, l = P .. 'q:' .. name, P .. 'l:' .. name
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
 * ARGV: recipient, claimId, delivered (1|0). Ends the claim's leases. Running
 * it again finds no lease of the claim left and changes nothing; the claim's
 * kept batch becomes empty, so a late re-run of the claim takes nothing.
 */
export const SETTLE_CLAIM = script(`
local name, claim, delivered = ARGV[1], ARGV[2], ARGV[3] == '1'
local q, l = P .. 'q:' .. name, P .. 'l:' .. name
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
 * ARGV: recipient, ackId, limit. Marks ids <= ackId received, then returns
 * the bodies of up to limit waiting messages with id > ackId. A re-run finds
 * nothing left to mark and returns the same (or, with new mail, more).
 */
export const ACK_INBOX = script(BODIES + `
local name, ack = ARGV[1], ARGV[2]
local q, l = P .. 'q:' .. name, P .. 'l:' .. name
local done = redis.call('ZRANGEBYSCORE', q, '-inf', ack)
-- unpack has a stack limit: delete leases in slices.
for i = 1, #done, 1000 do
  redis.call('HDEL', l, unpack(done, i, math.min(i + 999, #done)))
end
redis.call('ZREMRANGEBYSCORE', q, '-inf', ack)
return bodies(redis.call('ZRANGEBYSCORE', q, '(' .. ack, '+inf', 'LIMIT', 0, ARGV[3]))
`);

/** ARGV: a, b (a < b), before ('+inf' or '(<id>'), limit. Newest first. */
export const HISTORY = script(BODIES + `
local ids = redis.call('ZREVRANGEBYSCORE', P .. 'h:' .. ARGV[1] .. ':' .. ARGV[2], ARGV[3], '-inf', 'LIMIT', 0, ARGV[4])
return bodies(ids)
`);
