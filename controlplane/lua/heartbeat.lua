-- heartbeat node token lease_ms load
-- Refreshes the lease while the token still holds it and stores the load
-- the node reports (for operators: placement never reads it). {1}, or {0}
-- when the lease is lost.
local node, token = ARGV[1], ARGV[2]
if not node_ok(node) then return bad('node', node) end
if not uint_ok(ARGV[3], 3600000) or tonumber(ARGV[3]) == 0 then return bad('lease_ms', ARGV[3]) end
if redis.call('GET', P .. 'lease:' .. node) ~= token then return {0} end
redis.call('PEXPIRE', P .. 'lease:' .. node, ARGV[3])
redis.call('ZADD', P .. 'leases', now_ms() + tonumber(ARGV[3]), node)
redis.call('HSET', P .. 'node:' .. node, 'load', ARGV[4], 'updated_ms', now_ms())
return {1}
