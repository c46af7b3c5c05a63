// Lua scripts of the Redis store for users, sessions and presence. Each runs
// atomically inside Redis, so a session ended on one node is never revived by
// a use on another, and a password change ends every session at once.
// The key layout is in docs/redis.md; P is the namespace prefix, KEYS[1].
//
// Presence is kept per user: `present` scores each user with the time their
// most lasting session stops counting as online, which is the earlier of its
// presence end (pu) and its expiry (last use + idle lifetime). Listing who is
// online is then one range query, whatever the number of sessions.

/** Lua shared by these scripts. */
const COMMON = `
local P = KEYS[1]
local function num(x) return string.format('%.0f', x) end
-- When a session stops counting as online: its presence end, or its expiry if sooner.
local function online_until(used, pu, idle)
  return math.min(tonumber(pu), tonumber(used) + idle + 1)
end
-- Rescores a user in present from their live sessions, forgetting tokens Redis expired.
local function refresh_user(name, idle)
  local set = P .. 'us:' .. name
  local best = nil
  for _, th in ipairs(redis.call('SMEMBERS', set)) do
    local s = redis.call('HMGET', P .. 's:' .. th, 'used', 'pu')
    if s[1] then
      local e = online_until(s[1], s[2], idle)
      if best == nil or e > best then best = e end
    else
      redis.call('SREM', set, th)
    end
  end
  if best then
    redis.call('ZADD', P .. 'present', num(best), name)
  else
    redis.call('ZREM', P .. 'present', name)
  end
end
local function end_all_sessions(name)
  local set = P .. 'us:' .. name
  for _, th in ipairs(redis.call('SMEMBERS', set)) do redis.call('DEL', P .. 's:' .. th) end
  redis.call('DEL', set)
  redis.call('ZREM', P .. 'present', name)
end
-- Flat {name, profile, ...} for the names; unpack has a stack limit, so HMGET in slices.
local function with_profiles(names, out)
  for i = 1, #names, 4000 do
    local last = math.min(i + 3999, #names)
    local got = redis.call('HMGET', P .. 'profiles', unpack(names, i, last))
    for j = 1, #got do
      if got[j] then
        out[#out + 1] = names[i + j - 1]
        out[#out + 1] = got[j]
      end
    end
  end
  return out
end
`;

function script(body: string): string {
  return COMMON + body;
}

/** ARGV: name, profile JSON, pw. Returns 1 when added, 0 when the name is taken. */
export const ADD_USER = script(`
if redis.call('HEXISTS', P .. 'pw', ARGV[1]) == 1 then return 0 end
redis.call('HSET', P .. 'pw', ARGV[1], ARGV[3])
redis.call('HSET', P .. 'profiles', ARGV[1], ARGV[2])
redis.call('ZADD', P .. 'users', 0, ARGV[1])
return 1
`);

/** ARGV: name, pw. Returns 1, or 0 when there is no such user. */
export const SET_PASSWORD = script(`
if redis.call('HEXISTS', P .. 'pw', ARGV[1]) == 0 then return 0 end
redis.call('HSET', P .. 'pw', ARGV[1], ARGV[2])
end_all_sessions(ARGV[1])
return 1
`);

/**
 * ARGV: name. Removes the user, their sessions and their waiting messages
 * (bodies and history entries too, as the SQLite store deletes those rows).
 */
export const REMOVE_USER = script(`
local name = ARGV[1]
if redis.call('HEXISTS', P .. 'pw', name) == 0 then return 0 end
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
redis.call('DEL', q, P .. 'l:' .. name)
redis.call('HDEL', P .. 'pw', name)
redis.call('HDEL', P .. 'profiles', name)
redis.call('ZREM', P .. 'users', name)
return 1
`);

/** ARGV: token hash, name, now, idleMs, presentUntil. */
export const CREATE_SESSION = script(`
local th, name, idle = ARGV[1], ARGV[2], tonumber(ARGV[4])
local skey = P .. 's:' .. th
redis.call('HSET', skey, 'u', name, 'used', ARGV[3], 'pu', ARGV[5])
redis.call('PEXPIRE', skey, ARGV[4])
redis.call('SADD', P .. 'us:' .. name, th)
refresh_user(name, idle)
return 1
`);

/**
 * ARGV: token hash, now, idleMs, presentUntil, slackMs: moves smaller than
 * the slack are not written. Returns {username, last use},
 * or false when there is no live session (an expired one is removed).
 */
export const USE_SESSION = script(`
local th, now, idle, pu_new, slack = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local skey = P .. 's:' .. th
local s = redis.call('HMGET', skey, 'u', 'used', 'pu')
if not s[1] then return false end
local used, pu = tonumber(s[2]), tonumber(s[3])
if now - used > idle then
  redis.call('DEL', skey)
  redis.call('SREM', P .. 'us:' .. s[1], th)
  refresh_user(s[1], idle)
  return false
end
-- Clocks of nodes may differ a little: never move a time backwards.
local used2, pu2 = math.max(used, now), math.max(pu, pu_new)
-- Small moves are not written (as in SQLite): a polling client costs no
-- write, so no append-only-file fsync, per request.
if used2 - used >= slack or pu2 - pu >= slack then
  redis.call('HSET', skey, 'used', num(used2), 'pu', num(pu2))
  redis.call('PEXPIRE', skey, ARGV[3])
  -- This session only gained time, so the user's score can only rise.
  redis.call('ZADD', P .. 'present', 'GT', num(online_until(used2, pu2, idle)), s[1])
end
return {s[1], num(used2)}
`);

/** ARGV: token hash, idleMs. Returns 1 when a session was ended. */
export const END_SESSION = script(`
local skey = P .. 's:' .. ARGV[1]
local name = redis.call('HGET', skey, 'u')
if not name then return 0 end
redis.call('DEL', skey)
redis.call('SREM', P .. 'us:' .. name, ARGV[1])
refresh_user(name, tonumber(ARGV[2]))
return 1
`);

/** ARGV: until, idleMs, token hash... Raises each live session's presence end to until. */
export const HOLD_PRESENCE = script(`
local untilv, idle = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 3, #ARGV do
  local skey = P .. 's:' .. ARGV[i]
  local s = redis.call('HMGET', skey, 'u', 'used', 'pu')
  if s[1] and untilv > tonumber(s[3]) then
    redis.call('HSET', skey, 'pu', ARGV[1])
    redis.call('ZADD', P .. 'present', 'GT', num(online_until(s[2], ARGV[1], idle)), s[1])
  end
end
return 1
`);

/** ARGV: token hash, until, idleMs. Sets the session's presence end to until. */
export const RELEASE_PRESENCE = script(`
local skey = P .. 's:' .. ARGV[1]
local name = redis.call('HGET', skey, 'u')
if name then
  redis.call('HSET', skey, 'pu', ARGV[2])
  refresh_user(name, tonumber(ARGV[3]))
end
return 1
`);

/** ARGV: now. Returns flat [name, profile JSON, ...] of users online at now. */
export const ONLINE_USERS = script(`
return with_profiles(redis.call('ZRANGEBYSCORE', P .. 'present', '(' .. ARGV[1], '+inf'), {})
`);

/** No ARGV. Returns flat [name, profile JSON, ...] of every user, by name. */
export const LIST_USERS = script(`
return with_profiles(redis.call('ZRANGE', P .. 'users', 0, -1), {})
`);

/** ARGV: now. Returns {flat [name, profile JSON, ...] by name, [names online at now]}. */
export const DIRECTORY = script(`
local all = with_profiles(redis.call('ZRANGE', P .. 'users', 0, -1), {})
return {all, redis.call('ZRANGEBYSCORE', P .. 'present', '(' .. ARGV[1], '+inf')}
`);
