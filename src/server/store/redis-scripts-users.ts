// Lua scripts of the Redis store for accounts, sessions and presence. Each
// runs atomically inside Redis, so a session ended on one node is never
// revived by a use on another, and a password change ends every session at once.
// The key layout is in docs/redis.md; P is the namespace prefix, KEYS[1].
//
// Accounts are ids (`uid` maps a username to the account that has it now);
// everything else is keyed by id, so a removed name taken again starts empty.
// Presence is kept per account: `present` scores each account with when it
// stops counting as online, from its newest session's last use (a sorted set
// per account) and the holds of live nodes (`hold:<uid>`, one entry per
// node). Every script here costs O(log n) in the sessions of the account,
// except ending all of them (passwd, remove), which the cap bounds.
//
// Nodes cache sessions, accounts and the online list (redis-cache.ts). Three
// counters say when a cache may be stale (docs/redis.md, "Node caches"):
// `ver:s:<uid>` counts up when a session of the account ends before its
// time, `ver:u` when an account is added, removed or given a new password,
// `ver:p` when the online list may have changed other than by an entry's
// presence end passing.

import { PRESENCE_SKEW_MS, STAMPS_LUA } from './redis-stamps.js';

/** Lua shared by these scripts. */
const COMMON = `
local P = KEYS[1]
local function num(x) return string.format('%.0f', x) end
-- Counts a cache version up; one missing (a new or wiped namespace) starts at the
-- clock in microseconds, so it never takes a value a node cached before.
local function bump(name)
  local k = P .. 'ver:' .. name
  if redis.call('INCR', k) == 1 then
    local t = redis.call('TIME')
    redis.call('SET', k, t[1] .. string.format('%06d', tonumber(t[2])))
  end
end
-- The versions and the presence version, as one reply part (redis-stamps.ts).
local function stamps()
  return ${STAMPS_LUA}
end
-- Raises an account's presence end to at least v (ZADD GT). Counts ver:p when the
-- account was not online at now, give or take the clock difference nodes may have.
local function raise_presence(uid, v, now)
  local old = redis.call('ZSCORE', P .. 'present', uid)
  if old and tonumber(old) >= v then return end
  if not old or tonumber(old) <= now + ${PRESENCE_SKEW_MS} then bump('p') end
  redis.call('ZADD', P .. 'present', num(v), uid)
end
-- Rescores an account in present: online for the window after its newest session's
-- last use, or while a node holds it, never past that session's expiry. Needs no
-- clock: a score in the past just means offline.
-- Any change of the score counts ver:p (logins, logouts, releases: rare next to uses).
local function rescore(uid, window, idle)
  local top = redis.call('ZRANGE', P .. 'sess:' .. uid, -1, -1, 'WITHSCORES')
  if #top == 0 then
    if redis.call('ZREM', P .. 'present', uid) == 1 then bump('p') end
    return
  end
  local used = tonumber(top[2])
  local e = used + window
  local h = redis.call('ZRANGE', P .. 'hold:' .. uid, -1, -1, 'WITHSCORES')
  if #h > 0 and tonumber(h[2]) > e then e = tonumber(h[2]) end
  local score = num(math.min(e, used + idle + 1))
  local old = redis.call('ZSCORE', P .. 'present', uid)
  if not old or tonumber(old) ~= tonumber(score) then bump('p') end
  redis.call('ZADD', P .. 'present', score, uid)
end
local function end_all_sessions(uid)
  local sk = P .. 'sess:' .. uid
  for _, th in ipairs(redis.call('ZRANGE', sk, 0, -1)) do redis.call('DEL', P .. 's:' .. th) end
  redis.call('DEL', sk, P .. 'hold:' .. uid)
  bump('s:' .. uid)
  if redis.call('ZREM', P .. 'present', uid) == 1 then bump('p') end
end
-- Flat {id, account JSON, ...} for the ids; unpack has a stack limit, so HMGET in slices.
local function with_accounts(ids, out)
  for i = 1, #ids, 4000 do
    local last = math.min(i + 3999, #ids)
    local got = redis.call('HMGET', P .. 'acct', unpack(ids, i, last))
    for j = 1, #got do
      if got[j] then
        out[#out + 1] = ids[i + j - 1]
        out[#out + 1] = got[j]
      end
    end
  end
  return out
end
-- The ids of the names, in their order, skipping names with no account.
local function ids_of(names)
  local out = {}
  for i = 1, #names, 4000 do
    local got = redis.call('HMGET', P .. 'uid', unpack(names, i, math.min(i + 3999, #names)))
    for j = 1, #got do
      if got[j] then out[#out + 1] = got[j] end
    end
  end
  return out
end
`;

function script(body: string): string {
  return COMMON + body;
}

/**
 * ARGV: name, account JSON ([name, nama, negara]), pw. Returns the new
 * account's id, or 0 when the name is taken.
 */
export const ADD_USER = script(`
if redis.call('HEXISTS', P .. 'uid', ARGV[1]) == 1 then return 0 end
local id = redis.call('INCR', P .. 'nextuid')
redis.call('HSET', P .. 'uid', ARGV[1], id)
redis.call('HSET', P .. 'acct', id, ARGV[2])
redis.call('HSET', P .. 'pwh', id, ARGV[3])
redis.call('ZADD', P .. 'users', 0, ARGV[1])
bump('u')
return id
`);

/** ARGV: name. Returns {stamps, id, account JSON, pw}, or {stamps} when there is no such user. */
export const GET_USER = script(`
local id = redis.call('HGET', P .. 'uid', ARGV[1])
if not id then return {stamps()} end
return {stamps(), id, redis.call('HGET', P .. 'acct', id), redis.call('HGET', P .. 'pwh', id)}
`);

/** ARGV: name, pw. Returns 1, or 0 when there is no such user. */
export const SET_PASSWORD = script(`
local id = redis.call('HGET', P .. 'uid', ARGV[1])
if not id then return 0 end
redis.call('HSET', P .. 'pwh', id, ARGV[2])
bump('u')
end_all_sessions(id)
return 1
`);

/**
 * ARGV: name. Removes the account, its sessions and its waiting messages
 * (bodies and conversation entries too, as the SQLite store deletes those
 * rows). What it sent or received before stays under its id, never reused.
 */
export const REMOVE_USER = script(`
local name = ARGV[1]
local id = redis.call('HGET', P .. 'uid', name)
if not id then return 0 end
bump('u')
end_all_sessions(id)
local q = P .. 'inbox:' .. id
for _, mid in ipairs(redis.call('ZRANGE', q, 0, -1)) do
  local mkey = P .. 'm:' .. mid
  local body = redis.call('GET', mkey)
  if body then
    local a, b = string.match(body, ',"sid":(%d+),"rid":(%d+)}$')
    if a then
      a, b = tonumber(a), tonumber(b)
      if a > b then a, b = b, a end
      redis.call('ZREM', P .. 'conv:' .. a .. ':' .. b, mid)
    end
    redis.call('DEL', mkey)
  end
end
redis.call('DEL', q, P .. 'lease:' .. id)
redis.call('DEL', P .. 'ev:' .. id, P .. 'rm:' .. id, P .. 'unread:' .. id, P .. 'last:' .. id)
redis.call('HDEL', P .. 'uid', name)
redis.call('HDEL', P .. 'acct', id)
redis.call('HDEL', P .. 'pwh', id)
redis.call('ZREM', P .. 'users', name)
redis.call('DEL', P .. 'ver:s:' .. id)
return 1
`);

/**
 * ARGV: token hash, account id, name, now, idleMs, cap, windowMs. Stores the
 * session if the name still belongs to that account; past the cap, first
 * ends the account's least recently used sessions. Returns 1, or 0 when
 * the account is gone.
 */
export const CREATE_SESSION = script(`
local th, uid, now, idle, cap = ARGV[1], ARGV[2], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
if redis.call('HGET', P .. 'uid', ARGV[3]) ~= uid then return 0 end
local sk = P .. 'sess:' .. uid
-- Entries of sessions Redis has expired by themselves go first (a few per login),
-- and holds of nodes that stopped holding.
local ended = false
for _, old in ipairs(redis.call('ZRANGEBYSCORE', sk, '-inf', '(' .. num(now - idle), 'LIMIT', 0, 100)) do
  redis.call('DEL', P .. 's:' .. old)
  redis.call('ZREM', sk, old)
  ended = true
end
redis.call('ZREMRANGEBYSCORE', P .. 'hold:' .. uid, '-inf', '(' .. num(now))
while redis.call('ZCARD', sk) >= cap do
  local lru = redis.call('ZPOPMIN', sk)
  redis.call('DEL', P .. 's:' .. lru[1])
  ended = true
end
if ended or redis.call('EXISTS', P .. 'ver:s:' .. uid) == 0 then bump('s:' .. uid) end
local skey = P .. 's:' .. th
redis.call('HSET', skey, 'uid', uid, 'u', ARGV[3], 'used', ARGV[4])
redis.call('PEXPIRE', skey, ARGV[5])
redis.call('ZADD', sk, ARGV[4], th)
rescore(uid, tonumber(ARGV[7]), idle)
return 1
`);

/**
 * ARGV: token hash, now, idleMs, windowMs, slackMs: moves smaller than the
 * slack are not written. Returns {stamps, account id, username, last use,
 * the account's session version}, or {stamps} when there is no live session
 * (an expired one is removed).
 */
export const USE_SESSION = script(`
local th, now, idle, window, slack = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local skey = P .. 's:' .. th
local s = redis.call('HMGET', skey, 'uid', 'u', 'used')
if not s[1] then return {stamps()} end
local uid, used = s[1], tonumber(s[3])
if now - used > idle then
  redis.call('DEL', skey)
  redis.call('ZREM', P .. 'sess:' .. uid, th)
  bump('s:' .. uid)
  rescore(uid, window, idle)
  return {stamps()}
end
-- Clocks of nodes may differ a little: never move a time backwards. Small moves
-- are not written (as in SQLite): a polling client costs no write, so no
-- append-only-file fsync, per request.
if now - used >= slack then
  used = now
  redis.call('HSET', skey, 'used', ARGV[2])
  redis.call('PEXPIRE', skey, ARGV[3])
  redis.call('ZADD', P .. 'sess:' .. uid, 'XX', ARGV[2], th)
  -- This session only gained time, so the account's score can only rise.
  raise_presence(uid, math.min(now + window, now + idle + 1), now)
end
-- An account whose sessions date from before the counters gets one, so nodes can cache them.
local sv = redis.call('GET', P .. 'ver:s:' .. uid)
if not sv then
  bump('s:' .. uid)
  sv = redis.call('GET', P .. 'ver:s:' .. uid)
end
return {stamps(), uid, s[2], num(used), sv}
`);

/** ARGV: token hash, idleMs, windowMs. Returns 1 when a session was ended. */
export const END_SESSION = script(`
local skey = P .. 's:' .. ARGV[1]
local uid = redis.call('HGET', skey, 'uid')
if not uid then return 0 end
redis.call('DEL', skey)
redis.call('ZREM', P .. 'sess:' .. uid, ARGV[1])
bump('s:' .. uid)
rescore(uid, tonumber(ARGV[3]), tonumber(ARGV[2]))
return 1
`);

/**
 * ARGV: holder, now, until, idleMs, then pairs of account id and token hash.
 * Each pair whose token is a live session of that account holds the account
 * online until \`until\` for this holder; returns the token hashes that are not.
 */
export const HOLD_PRESENCE = script(`
local holder, now, untilv, idle = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local dead = {}
for i = 5, #ARGV - 1, 2 do
  local uid, th = ARGV[i], ARGV[i + 1]
  local s = redis.call('HMGET', P .. 's:' .. th, 'uid', 'used')
  if s[1] == uid and now - tonumber(s[2]) <= idle then
    local hk = P .. 'hold:' .. uid
    -- Holds that lapsed (a node that died or let go) leave no entry behind.
    redis.call('ZREMRANGEBYSCORE', hk, '-inf', '(' .. num(now))
    redis.call('ZADD', hk, 'GT', ARGV[3], holder)
    raise_presence(uid, math.min(untilv, tonumber(s[2]) + idle + 1), now)
  else
    dead[#dead + 1] = th
  end
end
return dead
`);

/** ARGV: holder, account id, until, idleMs, windowMs. This holder's hold on the account ends at until. */
export const RELEASE_PRESENCE = script(`
local uid = ARGV[2]
if redis.call('EXISTS', P .. 'sess:' .. uid) == 0 then return 1 end
redis.call('ZADD', P .. 'hold:' .. uid, ARGV[3], ARGV[1])
rescore(uid, tonumber(ARGV[5]), tonumber(ARGV[4]))
return 1
`);

/**
 * ARGV: now. Returns {stamps, flat [id, account JSON, ...] of accounts online
 * at now, the lowest presence end among them or ''}.
 */
export const ONLINE_USERS = script(`
local ids = redis.call('ZRANGEBYSCORE', P .. 'present', '(' .. ARGV[1], '+inf', 'LIMIT', 0, 1, 'WITHSCORES')
local low = ''
if #ids > 0 then low = ids[2] end
return {stamps(), with_accounts(redis.call('ZRANGEBYSCORE', P .. 'present', '(' .. ARGV[1], '+inf'), {}), low}
`);

/** No ARGV. Makes sure each cache version exists (a node caches nothing on a missing one). */
export const INIT_VERSIONS = script(`
for _, name in ipairs({'p', 'u'}) do
  if redis.call('EXISTS', P .. 'ver:' .. name) == 0 then bump(name) end
end
return 1
`);

/** No ARGV. Returns flat [id, account JSON, ...] of every account, by name. */
export const LIST_USERS = script(`
return with_accounts(ids_of(redis.call('ZRANGE', P .. 'users', 0, -1)), {})
`);

/** ARGV: now. Returns {flat [id, account JSON, ...] by name, [ids online at now]}. */
export const DIRECTORY = script(`
local all = with_accounts(ids_of(redis.call('ZRANGE', P .. 'users', 0, -1)), {})
return {all, redis.call('ZRANGEBYSCORE', P .. 'present', '(' .. ARGV[1], '+inf')}
`);
