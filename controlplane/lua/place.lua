-- place room rate_limit
-- Gives the room one owner: {owner, epoch, 1} when this call placed it,
-- {owner, epoch, 0} when it already had one. NOCAPACITY when no live node
-- can take it, RATELIMITED when only the join rate stopped it.
local room, rl = ARGV[1], ARGV[2]
if not room_ok(room) then return bad('room', room) end
if not uint_ok(rl, 4294967295) then return bad('rate_limit', rl) end
rl = tonumber(rl)
local r = redis.call('HMGET', P .. 'room:' .. room, 'owner', 'epoch')
if r[1] then return {r[1], tonumber(r[2]), 0} end
local n = pick('', rl)
if not n then
  if rl > 0 and pick('', 0) then
    return redis.error_reply('RATELIMITED every live node is at its join rate, retry')
  end
  return redis.error_reply('NOCAPACITY no live node with capacity')
end
local rk = rate_key(n)
if redis.call('INCR', rk) == 1 then redis.call('PEXPIRE', rk, 2000) end
local now = now_ms()
local e = redis.call('HINCRBY', P .. 'ids', 'epoch', 1)
assign(room, n, e, now)
redis.call('HSET', P .. 'room:' .. room, 'created_ms', now)
redis.call('SADD', P .. 'rooms', room)
event('type', 'placed', 'room', room, 'owner', n, 'epoch', e)
return {n, e, 1}
