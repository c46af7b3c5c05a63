// Retention on Redis: a bounded walk along message ids from a kept cursor
// (`P ret:next`), never KEYS or SCAN. Message ids come from one counter and
// grow with time, so the old messages are those below the first new one.
// Each message found old is removed from its body key, its recipient's
// inbox (and any claim on it), its conversation and both event logs.

/** KEYS[1] = P; ARGV: cutoff ts (ISO), how many ids to look at. Returns how many it deleted. */
export const RETENTION = `local P = KEYS[1]
local cur = tonumber(redis.call('GET', P .. 'ret:next') or '1')
local last = tonumber(redis.call('GET', P .. 'next') or '0')
local budget = tonumber(ARGV[2])
local deleted = 0
while cur <= last and budget > 0 do
  budget = budget - 1
  local body = redis.call('GET', P .. 'm:' .. cur)
  if body then
    local m = cjson.decode(body)
    if m.ts >= ARGV[1] then break end
    redis.call('DEL', P .. 'm:' .. cur)
    redis.call('ZREM', P .. 'inbox:' .. m.rid, cur)
    redis.call('HDEL', P .. 'lease:' .. m.rid, cur)
    local a, b = tonumber(m.sid), tonumber(m.rid)
    if a > b then a, b = b, a end
    local conv = P .. 'conv:' .. a .. ':' .. b
    redis.call('ZREM', conv, cur)
    -- The sync state (redis-scripts-sync.ts) forgets it too.
    redis.call('ZREM', P .. 'ev:' .. m.sid, cur)
    redis.call('ZREM', P .. 'ev:' .. m.rid, cur)
    if m.sid ~= m.rid and cur > tonumber(redis.call('HGET', P .. 'rm:' .. m.rid, m.sid) or '0') then
      if redis.call('HINCRBY', P .. 'unread:' .. m.rid, m.sid, -1) <= 0 then redis.call('HDEL', P .. 'unread:' .. m.rid, m.sid) end
    end
    if redis.call('ZCARD', conv) == 0 then
      redis.call('HDEL', P .. 'last:' .. m.sid, m.rid)
      redis.call('HDEL', P .. 'last:' .. m.rid, m.sid)
    end
    deleted = deleted + 1
  end
  cur = cur + 1
end
redis.call('SET', P .. 'ret:next', cur)
return deleted
`;
