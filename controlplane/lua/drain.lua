-- drain node
-- Marks the node draining (placement skips it) and moves each of its rooms
-- to another live node. Returns {moved, left}.
local node = ARGV[1]
if not node_ok(node) then return bad('node', node) end
if redis.call('EXISTS', P .. 'node:' .. node) == 0 then
  return redis.error_reply('NONODE no node ' .. node)
end
redis.call('HSET', P .. 'node:' .. node, 'state', 'draining')
local moved, left = move_all(node, 'drain', now_ms())
return {moved, left}
