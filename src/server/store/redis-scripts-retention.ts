// Retention on Redis: a bounded walk along message ids from a kept cursor
// (`P ret:next`), never KEYS or SCAN. Message ids come from one counter and
// grow with time, so the old messages are those below the first new one.
// Each message found old is removed from its body key, its recipient's
// inbox (and any claim on it) and its conversation.

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
    redis.call('ZREM', P .. 'conv:' .. a .. ':' .. b, cur)
    deleted = deleted + 1
  end
  cur = cur + 1
end
redis.call('SET', P .. 'ret:next', cur)
return deleted
`;
