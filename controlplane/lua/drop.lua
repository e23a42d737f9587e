-- drop room
-- Deletes the room's directory entry and appends deleted. {1}, or {0} when
-- there was no such room. The backend then deletes the room's content keys.
local room = ARGV[1]
if not room_ok(room) then return bad('room', room) end
local r = redis.call('HMGET', P .. 'room:' .. room, 'owner', 'epoch')
if not r[1] then return {0} end
unassign(room, r[1])
redis.call('DEL', P .. 'room:' .. room, P .. 'errors:' .. room)
redis.call('SREM', P .. 'rooms', room)
event('type', 'deleted', 'room', room, 'owner', r[1], 'epoch', r[2])
return {1}
