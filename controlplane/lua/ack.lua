-- ack node token room epoch sig refused seen [object reason]...
-- The owner reports the room's status at this epoch (docs/schema.md,
-- "Errors and served"): served_epoch, served_sig (the owner's digest of the
-- status), refused (objects refused, all counted) and the errors hash
-- (object -> reason, at most 16), replaced whole; appends one error event
-- per reported refusal and a served event that carries `seen`, the last
-- event stream id the owner had read when it loaded the room. The owner acks when the status
-- differs from what Redis holds, and after every reload for an event.
-- FENCED unless the node holds its lease and owns the room at that epoch.
local node, token, room, epoch = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local sig, refused, seen = ARGV[5], ARGV[6], ARGV[7]
if not node_ok(node) then return bad('node', node) end
if not room_ok(room) then return bad('room', room) end
if not uint_ok(epoch, 9007199254740991) then return bad('epoch', epoch) end
if not uint_ok(sig, 18446744073709551615) then return bad('sig', sig) end
if not uint_ok(refused, 4294967295) then return bad('refused', refused) end
if not seen or not string.match(seen, '^%d+%-%d+$') or #seen > 41 then
  return bad('seen', seen)
end
if #ARGV % 2 ~= 1 or #ARGV > 7 + 2 * 16 then return bad('errors', #ARGV - 7) end
if redis.call('GET', P .. 'lease:' .. node) ~= token then
  return redis.error_reply('FENCED node ' .. node .. ' does not hold its lease')
end
local rk = P .. 'room:' .. room
local r = redis.call('HMGET', rk, 'owner', 'epoch')
if r[1] ~= node or r[2] ~= epoch then
  return redis.error_reply('FENCED room ' .. room .. ' is owned by ' .. tostring(r[1]) ..
    ' epoch ' .. tostring(r[2]))
end
redis.call('HSET', rk, 'served_epoch', epoch, 'served_sig', sig, 'refused', refused,
  'served_ms', now_ms())
local ek = P .. 'errors:' .. room
redis.call('DEL', ek)
for i = 8, #ARGV, 2 do
  redis.call('HSET', ek, ARGV[i], ARGV[i + 1])
  event('type', 'error', 'room', room, 'epoch', epoch, 'object', ARGV[i], 'error', ARGV[i + 1])
end
event('type', 'served', 'room', room, 'epoch', epoch, 'refused', refused, 'seen', seen)
return {1}
