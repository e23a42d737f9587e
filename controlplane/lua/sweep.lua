-- sweep
-- Moves the rooms of every node whose lease expired. Candidates come from
-- the lease deadlines (ZSET leases), so a sweep costs O(log nodes + expired)
-- however many nodes there are; the lease key stays the truth. Returns
-- {moved, ms until the next lease deadline (-1: none)}, so callers can
-- sweep right when a lease runs out.
local now, moved = now_ms(), 0
for _, n in ipairs(redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now)) do
  if redis.call('EXISTS', P .. 'lease:' .. n) == 0 then
    redis.call('HSET', P .. 'node:' .. n, 'state', 'dead')
    local m, left = move_all(n, 'lease', now)
    moved = moved + m
    if left == 0 then
      redis.call('SREM', P .. 'nodes', n)
      redis.call('ZREM', P .. 'leases', n)
      redis.call('ZREM', P .. 'assigned', n)
    end
  end
end
local nx = redis.call('ZRANGEBYSCORE', P .. 'leases', '(' .. now, '+inf', 'WITHSCORES',
  'LIMIT', 0, 1)
return {moved, nx[2] and math.floor(tonumber(nx[2]) - now) or -1}
