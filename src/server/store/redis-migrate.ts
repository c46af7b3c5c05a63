// Bringing a Redis namespace written by an older chatbox to the current key
// layout (docs/redis.md). Layout 1 keyed users, inboxes, sessions and
// conversations by username; layout 2 gives every account an id and keys
// everything by it; layout 3 adds the sync state (redis-scripts-sync.ts):
// every account's event log, conversations' newest ids, read markers (a
// message already received counts as read) and unread counts; layout 4 only
// marks a namespace whose nodes keep the version counters their caches rely
// on (redis-stamps.ts). The step runs as a script on a slice of the data at a
// time, each slice atomic and recorded in `migrate`, so any number of nodes
// starting at once share the work, none repeats a slice, and no single
// script holds Redis up for long.

/** The layout this code reads and writes. */
export const LAYOUT_VERSION = '4';

/**
 * ARGV: slice size, now, windowMs, idleMs. Migrates one slice; returns
 * 'done' once `schema` says the current layout (a new namespace gets it at
 * once), 'more' while slices are left, 'newer <v>' for a layout from a
 * newer chatbox (left untouched).
 */
export const MIGRATE = `
local P = KEYS[1]
local function num(x) return string.format('%.0f', x) end
local version = redis.call('GET', P .. 'schema')
if version == '${LAYOUT_VERSION}' then return 'done' end
-- Layout 4 changes no data: its nodes count changes to sessions, accounts and
-- presence (redis-stamps.ts) and cache by those counts, which a node of layout 3
-- does not keep up. The number moves so that such a node refuses the namespace.
if version == '3' then
  redis.call('SET', P .. 'schema', '${LAYOUT_VERSION}')
  return 'done'
end
if version and version ~= '2' then return 'newer ' .. version end
local slice, now, window, idle = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', P .. 'migrate', 'phase', 'cursor')
local phase, cursor = state[1], tonumber(state[2] or '0')
if not phase and version == '2' then phase = 'events' end
if not phase then
  -- Presence was kept by name: it is rebuilt by id below, and by the next heartbeat.
  redis.call('DEL', P .. 'present')
  phase = 'users'
end

if phase == 'users' then
  local names = redis.call('ZRANGE', P .. 'users', cursor, cursor + slice - 1)
  for _, name in ipairs(names) do
    local id = redis.call('INCR', P .. 'nextuid')
    redis.call('HSET', P .. 'uid', name, id)
    local profile = cjson.decode(redis.call('HGET', P .. 'profiles', name) or '["",""]')
    redis.call('HSET', P .. 'acct', id, cjson.encode({name, profile[1], profile[2]}))
    redis.call('HSET', P .. 'pwh', id, redis.call('HGET', P .. 'pw', name) or '')
    if redis.call('EXISTS', P .. 'q:' .. name) == 1 then redis.call('RENAME', P .. 'q:' .. name, P .. 'inbox:' .. id) end
    if redis.call('EXISTS', P .. 'l:' .. name) == 1 then redis.call('RENAME', P .. 'l:' .. name, P .. 'lease:' .. id) end
    local newest = nil
    for _, th in ipairs(redis.call('SMEMBERS', P .. 'us:' .. name)) do
      local skey = P .. 's:' .. th
      local used = redis.call('HGET', skey, 'used')
      if used then
        redis.call('HSET', skey, 'uid', id)
        redis.call('HDEL', skey, 'pu')
        redis.call('ZADD', P .. 'sess:' .. id, used, th)
        if newest == nil or tonumber(used) > newest then newest = tonumber(used) end
      end
    end
    redis.call('DEL', P .. 'us:' .. name)
    if newest and newest + idle >= now then
      redis.call('ZADD', P .. 'present', num(math.min(newest + window, newest + idle + 1)), id)
    end
  end
  if #names < slice then phase, cursor = 'messages', 0 else cursor = cursor + #names end

elseif phase == 'messages' then
  -- Each stored message gains its two account ids (0: the account is gone) and is filed
  -- in the conversation of those ids; the history keys by name go.
  local last = tonumber(redis.call('GET', P .. 'next') or '0')
  local upto = math.min(cursor + slice, last)
  for mid = cursor + 1, upto do
    local mkey = P .. 'm:' .. mid
    local body = redis.call('GET', mkey)
    if body and not string.find(body, ',"sid":%d+,"rid":%d+}$') then
      local from, to = string.match(body, ',"sender":"([^"]*)","recipient":"([^"]*)","ts":"[^"]*"}$')
      if from then
        local sid = redis.call('HGET', P .. 'uid', from) or '0'
        local rid = redis.call('HGET', P .. 'uid', to) or '0'
        redis.call('SET', mkey, string.sub(body, 1, -2) .. ',"sid":' .. sid .. ',"rid":' .. rid .. '}')
        local a, b = tonumber(sid), tonumber(rid)
        if a > b then a, b = b, a end
        redis.call('ZADD', P .. 'conv:' .. a .. ':' .. b, mid, mid)
        redis.call('DEL', P .. 'h:' .. from .. ':' .. to, P .. 'h:' .. to .. ':' .. from)
      end
    end
  end
  if upto >= last then phase, cursor = 'events', 0 else cursor = upto end

elseif phase == 'events' then
  -- Layout 3: each message goes into its accounts' event logs, in id order, so
  -- a received message raises its recipient's marker and clears the unread
  -- count below it, and one still waiting counts as unread.
  local last = tonumber(redis.call('GET', P .. 'next') or '0')
  local upto = math.min(cursor + slice, last)
  for n = cursor + 1, upto do
    local mid = num(n)
    local body = redis.call('GET', P .. 'm:' .. mid)
    local sid, rid = nil, nil
    if body then sid, rid = string.match(body, ',"sid":(%d+),"rid":(%d+)}$') end
    if sid and sid ~= '0' and rid ~= '0' then
      redis.call('ZADD', P .. 'ev:' .. sid, mid, mid)
      redis.call('HSET', P .. 'last:' .. sid, rid, mid)
      if rid ~= sid then
        redis.call('ZADD', P .. 'ev:' .. rid, mid, mid)
        redis.call('HSET', P .. 'last:' .. rid, sid, mid)
        if redis.call('ZSCORE', P .. 'inbox:' .. rid, mid) then
          redis.call('HINCRBY', P .. 'unread:' .. rid, sid, 1)
        else
          redis.call('HSET', P .. 'rm:' .. rid, sid, mid)
          redis.call('HDEL', P .. 'unread:' .. rid, sid)
        end
      end
    end
  end
  if upto >= last then phase = 'done' else cursor = upto end
end

if phase == 'done' then
  redis.call('DEL', P .. 'profiles', P .. 'pw', P .. 'migrate')
  redis.call('SET', P .. 'schema', '${LAYOUT_VERSION}')
  return 'done'
end
redis.call('HSET', P .. 'migrate', 'phase', phase, 'cursor', cursor)
return 'more'
`;
