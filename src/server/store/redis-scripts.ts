// The Lua scripts of the Redis store. Each runs atomically inside Redis, so
// two server nodes acting for the same user at once see each other's writes
// whole: no message is lost, duplicated or handed to two claims.
//
// Every script takes one key, the namespace prefix (e.g. `{chatbox}:`), and
// builds its keys from it. The braces make all keys hash to one Cluster slot,
// so a script never spans slots. Layout (P = prefix):
//   P next          counter of message ids
//   P users         zset of usernames (score 0: ordered by name)
//   P u:<name>      hash nama, negara, pw
//   P s:<th>        hash u (username), used (ms); expires after the idle lifetime
//   P us:<name>     set of the user's session token hashes
//   P online        zset token hash -> present until (ms)
// (th: SHA-256 of the token, so a dump of Redis holds no usable session.)
//   P m:<id>        message JSON, stored once
//   P q:<name>      zset of ids waiting for the recipient (score id)
//   P l:<name>      hash id -> "<leaseUntil> <claimId>" for claimed messages
//   P h:<a>:<b>     zset of ids between a and b (a < b), the history

/** Lua shared by the scripts: session ending and presence lookups. */
const COMMON = `
local P = KEYS[1]
local function end_session(token, username)
  redis.call('DEL', P .. 's:' .. token)
  redis.call('ZREM', P .. 'online', token)
  if username then redis.call('SREM', P .. 'us:' .. username, token) end
end
local function end_all_sessions(username)
  local set = P .. 'us:' .. username
  for _, token in ipairs(redis.call('SMEMBERS', set)) do
    redis.call('DEL', P .. 's:' .. token)
    redis.call('ZREM', P .. 'online', token)
  end
  redis.call('DEL', set)
end
-- Usernames with a live session present after now (a map name -> true).
local function online_names(now, idle)
  local zkey = P .. 'online'
  -- Sweep a few entries absent for a whole idle lifetime whose session keys
  -- Redis has expired. Times are the caller's, which may go backwards, so an
  -- entry is dropped only when its session is truly gone.
  for _, token in ipairs(redis.call('ZRANGEBYSCORE', zkey, '-inf', '(' .. (now - idle), 'LIMIT', 0, 20)) do
    if redis.call('EXISTS', P .. 's:' .. token) == 0 then redis.call('ZREM', zkey, token) end
  end
  local names = {}
  for _, token in ipairs(redis.call('ZRANGEBYSCORE', zkey, '(' .. now, '+inf')) do
    local s = redis.call('HMGET', P .. 's:' .. token, 'u', 'used')
    if not s[1] then
      redis.call('ZREM', zkey, token)
    elseif now - tonumber(s[2]) <= idle then
      names[s[1]] = true
    end
  end
  return names
end
`;

function script(body: string): string {
  return COMMON + body;
}

/** ARGV: name, nama, negara, pw. Returns 1 when added, 0 when the name is taken. */
export const ADD_USER = script(`
local key = P .. 'u:' .. ARGV[1]
if redis.call('EXISTS', key) == 1 then return 0 end
redis.call('HSET', key, 'nama', ARGV[2], 'negara', ARGV[3], 'pw', ARGV[4])
redis.call('ZADD', P .. 'users', 0, ARGV[1])
return 1
`);

/** ARGV: name, pw. Returns 1, or 0 when there is no such user. */
export const SET_PASSWORD = script(`
local key = P .. 'u:' .. ARGV[1]
if redis.call('EXISTS', key) == 0 then return 0 end
redis.call('HSET', key, 'pw', ARGV[2])
end_all_sessions(ARGV[1])
return 1
`);

/**
 * ARGV: name. Removes the user, their sessions and their waiting messages
 * (bodies and history entries too, as the SQLite store deletes those rows).
 */
export const REMOVE_USER = script(`
local name = ARGV[1]
local key = P .. 'u:' .. name
if redis.call('EXISTS', key) == 0 then return 0 end
end_all_sessions(name)
local q = P .. 'q:' .. name
for _, id in ipairs(redis.call('ZRANGE', q, 0, -1)) do
  local mkey = P .. 'm:' .. id
  local body = redis.call('GET', mkey)
  if body then
    local from = cjson.decode(body).sender
    -- Either order of the pair: Lua's string order is not the caller's.
    redis.call('ZREM', P .. 'h:' .. from .. ':' .. name, id)
    redis.call('ZREM', P .. 'h:' .. name .. ':' .. from, id)
    redis.call('DEL', mkey)
  end
end
redis.call('DEL', key, q, P .. 'l:' .. name)
redis.call('ZREM', P .. 'users', name)
return 1
`);

/** ARGV: token, name, now, idleMs, presentUntil. */
export const CREATE_SESSION = script(`
local token, name = ARGV[1], ARGV[2]
local skey = P .. 's:' .. token
redis.call('HSET', skey, 'u', name, 'used', ARGV[3])
redis.call('PEXPIRE', skey, ARGV[4])
local set = P .. 'us:' .. name
-- Forget tokens whose session keys expired, so the set stays small.
for _, t in ipairs(redis.call('SMEMBERS', set)) do
  if redis.call('EXISTS', P .. 's:' .. t) == 0 then
    redis.call('SREM', set, t)
    redis.call('ZREM', P .. 'online', t)
  end
end
redis.call('SADD', set, token)
redis.call('ZADD', P .. 'online', ARGV[5], token)
return 1
`);

/**
 * ARGV: token, now, idleMs, presentUntil. Returns {username, previous use}, or
 * false when there is no live session (an expired one is removed).
 */
export const USE_SESSION = script(`
local token, now, idle = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local skey = P .. 's:' .. token
local s = redis.call('HMGET', skey, 'u', 'used')
if not s[1] then
  redis.call('ZREM', P .. 'online', token)
  return false
end
local used = tonumber(s[2])
if now - used > idle then
  end_session(token, s[1])
  return false
end
-- Clocks of nodes may differ a little: never move the last use backwards.
if now > used then redis.call('HSET', skey, 'used', ARGV[2]) end
redis.call('PEXPIRE', skey, ARGV[3])
redis.call('ZADD', P .. 'online', 'GT', ARGV[4], token)
return {s[1], s[2]}
`);

/** ARGV: token. Returns 1 when a session was ended. */
export const END_SESSION = script(`
local name = redis.call('HGET', P .. 's:' .. ARGV[1], 'u')
end_session(ARGV[1], name)
if name then return 1 end
return 0
`);

/** ARGV: until, token... Raises each live session's presence to until. */
export const HOLD_PRESENCE = script(`
for i = 2, #ARGV do
  if redis.call('EXISTS', P .. 's:' .. ARGV[i]) == 1 then
    redis.call('ZADD', P .. 'online', 'GT', ARGV[1], ARGV[i])
  end
end
return 1
`);

/** ARGV: token, until. Sets the session's presence to until. */
export const RELEASE_PRESENCE = script(`
if redis.call('EXISTS', P .. 's:' .. ARGV[1]) == 1 then
  redis.call('ZADD', P .. 'online', ARGV[2], ARGV[1])
end
return 1
`);

/** ARGV: now, idleMs. Returns flat [name, nama, negara, ...] of online users. */
export const ONLINE_USERS = script(`
local names = online_names(tonumber(ARGV[1]), tonumber(ARGV[2]))
local out = {}
for name in pairs(names) do
  local u = redis.call('HMGET', P .. 'u:' .. name, 'nama', 'negara')
  if u[1] then
    out[#out + 1] = name
    out[#out + 1] = u[1]
    out[#out + 1] = u[2]
  end
end
return out
`);

/** No ARGV. Returns flat [name, nama, negara, ...] of every user, by name. */
export const LIST_USERS = script(`
local out = {}
for _, name in ipairs(redis.call('ZRANGE', P .. 'users', 0, -1)) do
  local u = redis.call('HMGET', P .. 'u:' .. name, 'nama', 'negara')
  if u[1] then
    out[#out + 1] = name
    out[#out + 1] = u[1]
    out[#out + 1] = u[2]
  end
end
return out
`);

/** ARGV: now, idleMs. Returns flat [name, nama, negara, online(0|1), ...] by name. */
export const DIRECTORY = script(`
local names = online_names(tonumber(ARGV[1]), tonumber(ARGV[2]))
local out = {}
for _, name in ipairs(redis.call('ZRANGE', P .. 'users', 0, -1)) do
  local u = redis.call('HMGET', P .. 'u:' .. name, 'nama', 'negara')
  if u[1] then
    out[#out + 1] = name
    out[#out + 1] = u[1]
    out[#out + 1] = u[2]
    out[#out + 1] = names[name] and 1 or 0
  end
end
return out
`);

/**
 * ARGV: recipient, head, tail, pairA, pairB (the two names, ordered). Takes the next id, stores the body
 * (head .. id .. tail) once, queues it for the recipient and files it in the
 * pair's history. Returns the id.
 */
export const ADD_MESSAGE = script(`
local id = redis.call('INCR', P .. 'next')
redis.call('SET', P .. 'm:' .. id, ARGV[2] .. id .. ARGV[3])
redis.call('ZADD', P .. 'q:' .. ARGV[1], id, id)
-- The pair comes ordered from the caller: Lua compares strings by locale.
redis.call('ZADD', P .. 'h:' .. ARGV[4] .. ':' .. ARGV[5], id, id)
return id
`);

/** Lua to fetch the bodies of a list of ids, skipping any that are gone. */
const BODIES = `
local function bodies(ids)
  local out = {}
  for _, id in ipairs(ids) do
    local body = redis.call('GET', P .. 'm:' .. id)
    if body then out[#out + 1] = body end
  end
  return out
end
`;

/**
 * ARGV: recipient, claimId, limit, now, leaseUntil. Leases up to limit of the
 * oldest waiting messages that no unexpired lease holds; returns their bodies.
 */
export const CLAIM_INBOX = script(BODIES + `
local name, claim, limit, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local q, l = P .. 'q:' .. name, P .. 'l:' .. name
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
return bodies(taken)
`);

/** ARGV: recipient, claimId, delivered (1|0). Ends the claim's leases. */
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
return 1
`);

/**
 * ARGV: recipient, ackId, limit. Marks ids <= ackId received, then returns
 * the bodies of up to limit waiting messages with id > ackId.
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
