// Lua scripts of the Redis store for live sync, read markers, search and the
// presence version (docs/redis.md, key layout 3). Every account has an event
// log `ev:<uid>` (a sorted set, score = event id): a message id as member for
// each message to or from it (written by ADD_MESSAGE in the same script that
// takes the id), and `r<peer id>` for its read marker of that conversation,
// re-scored at each change. Ids come from the one `next` counter and each is
// taken and filed inside one script, so a reader sees them in increasing order.
// Events are published on `<P>events` (a JSON array of usernames) and presence
// versions on `<P>presence`, from inside the script that makes them.
// P is the namespace prefix, KEYS[1].

import { BODIES, script } from './redis-scripts-messages.js';
import { STAMPS_LUA } from './redis-stamps.js';

/**
 * ARGV: account id, since id, limit. The account's messages with id > since
 * (at most limit, oldest first), the markers changed in the same range (only
 * up to the last message of a full page), and the cursor. Returns
 * {bodies, {username, marker, ...}, next}. Reads only.
 */
export const CHANGES = script(BODIES + `
local uid, since, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
local key = P .. 'ev:' .. uid
local ids, peers = {}, {}
local last = 0
local offset, chunk = 0, limit + 64
local full = false
while not full do
  local r = redis.call('ZRANGEBYSCORE', key, '(' .. since, '+inf', 'WITHSCORES', 'LIMIT', offset, chunk)
  for i = 1, #r, 2 do
    local m = r[i]
    last = tonumber(r[i + 1])
    if string.byte(m, 1) == 114 then
      peers[#peers + 1] = string.sub(m, 2)
    else
      ids[#ids + 1] = m
      if #ids >= limit then full = true break end
    end
  end
  if #r < chunk * 2 then break end
  offset = offset + chunk
end
local found = bodies(ids)
local marks = {}
for _, peer in ipairs(peers) do
  local acct = redis.call('HGET', P .. 'acct', peer)
  local marker = redis.call('HGET', P .. 'rm:' .. uid, peer)
  if acct and marker then
    marks[#marks + 1] = cjson.decode(acct)[1]
    marks[#marks + 1] = marker
  end
end
local nextv = last
if #ids == 0 and #peers == 0 then nextv = tonumber(redis.call('GET', P .. 'next') or '0') end
return {found, marks, string.format('%.0f', nextv)}
`);

/**
 * ARGV: account id, peer id, wanted marker, account username. Raises the
 * account's marker for the conversation with the peer to min(wanted, highest
 * id), never lowering it; the peer's messages up to it leave the account's
 * inbox (received), and its unread count becomes the peer's messages above
 * it. The work is in the messages waiting and the messages above the marker,
 * not the conversation's length. Returns the event id, or 0 when the
 * marker did not move, so a second run changes nothing.
 */
export const SET_READ_MARKER = script(`
local uid, peer = ARGV[1], ARGV[2]
local top = tonumber(redis.call('GET', P .. 'next') or '0')
local want = math.min(tonumber(ARGV[3]), top)
local mk = P .. 'rm:' .. uid
local cur = tonumber(redis.call('HGET', mk, peer) or '0')
if want <= cur then return 0 end
local ev = redis.call('INCR', P .. 'next')
redis.call('HSET', mk, peer, string.format('%.0f', want))
redis.call('ZADD', P .. 'ev:' .. uid, ev, 'r' .. peer)
-- Calls fn(id) for each of these ids whose message the peer sent to the account.
local function from_peer(ids, fn)
  for i = 1, #ids, 1000 do
    local keys = {}
    for j = i, math.min(i + 999, #ids) do keys[#keys + 1] = P .. 'm:' .. ids[j] end
    for j, body in ipairs(redis.call('MGET', unpack(keys))) do
      if body then
        local s, r = string.match(body, ',"sid":(%d+),"rid":(%d+)}$')
        if s == peer and r == uid then fn(ids[i + j - 1]) end
      end
    end
  end
end
local w = string.format('%.0f', want)
-- Received: the peer's messages still waiting up to the marker (the inbox holds only what waits).
local q, l = P .. 'inbox:' .. uid, P .. 'lease:' .. uid
from_peer(redis.call('ZRANGEBYSCORE', q, '-inf', w), function(id)
  redis.call('ZREM', q, id)
  redis.call('HDEL', l, id)
end)
-- Unread: the peer's messages above the marker, counted afresh (usually few: a marker is set near the newest).
if uid ~= peer then
  local a, b = tonumber(uid), tonumber(peer)
  if a > b then a, b = b, a end
  local left = 0
  from_peer(redis.call('ZRANGEBYSCORE', P .. 'conv:' .. a .. ':' .. b, '(' .. w, '+inf'), function() left = left + 1 end)
  if left > 0 then redis.call('HSET', P .. 'unread:' .. uid, peer, left) else redis.call('HDEL', P .. 'unread:' .. uid, peer) end
end
redis.call('PUBLISH', P .. 'events', cjson.encode({ARGV[4]}))
return ev
`);

/**
 * ARGV: account id. The account's conversations with current accounts, as a
 * flat {username, last id, unread, ...}, then the highest event id. Reads only.
 */
export const CONVERSATIONS = script(`
local uid = ARGV[1]
local last = redis.call('HGETALL', P .. 'last:' .. uid)
local out = {}
for i = 1, #last, 2 do
  local acct = redis.call('HGET', P .. 'acct', last[i])
  if acct then
    out[#out + 1] = cjson.decode(acct)[1]
    out[#out + 1] = last[i + 1]
    out[#out + 1] = redis.call('HGET', P .. 'unread:' .. uid, last[i]) or '0'
  end
end
return {out, redis.call('GET', P .. 'next') or '0'}
`);

/**
 * ARGV: account id, before ('+inf' or '(<id>'), count. One page of the
 * account's messages newest first, for search to match in the node: returns
 * {flat {id, body, ...}, the lowest score looked at or '' at the log's end,
 * entries looked at}. Reads only.
 */
export const SEARCH_PAGE = script(`
local r = redis.call('ZREVRANGEBYSCORE', P .. 'ev:' .. ARGV[1], ARGV[2], '-inf', 'WITHSCORES', 'LIMIT', 0, ARGV[3])
local ids, low = {}, ''
for i = 1, #r, 2 do
  if string.byte(r[i], 1) ~= 114 then ids[#ids + 1] = r[i] end
  low = r[i + 1]
end
if #r < tonumber(ARGV[3]) * 2 then low = '' end
local out = {}
if #ids > 0 then
  local keys = {}
  for j = 1, #ids do keys[j] = P .. 'm:' .. ids[j] end
  for j, body in ipairs(redis.call('MGET', unpack(keys))) do
    if body then
      out[#out + 1] = ids[j]
      out[#out + 1] = body
    end
  end
end
return {out, low, #ids}
`);

/**
 * ARGV: digest of an online list, now (ms). The cluster's presence version:
 * a new one (published) when the digest differs from the last one stored.
 * The first version is the clock, so one a client kept from a wiped
 * namespace is not taken for current. A second run with the same digest
 * changes nothing. Returns {stamps (redis-stamps.ts), version}.
 */
export const PRESENCE_VERSION = script(`
local v = redis.call('GET', P .. 'pv')
if not v then
  redis.call('SET', P .. 'pv', ARGV[2])
  redis.call('SET', P .. 'pd', ARGV[1])
  return {${STAMPS_LUA}, ARGV[2]}
end
if redis.call('GET', P .. 'pd') ~= ARGV[1] then
  redis.call('SET', P .. 'pd', ARGV[1])
  v = string.format('%.0f', redis.call('INCR', P .. 'pv'))
  redis.call('PUBLISH', P .. 'presence', v)
end
return {${STAMPS_LUA}, v}
`);
