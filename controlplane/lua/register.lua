-- register node token lease_ms addr4 addr6 port capacity
-- Creates or refreshes a node and takes its lease. BUSY while another
-- live incarnation holds the lease. Returns the rooms the node still owns.
local node, token, lease = ARGV[1], ARGV[2], ARGV[3]
if not node_ok(node) then return bad('node', node) end
if type(token) ~= 'string' or #token < 8 or #token > 64 then return bad('token', '(hidden)') end
if not uint_ok(lease, 3600000) or tonumber(lease) == 0 then return bad('lease_ms', lease) end
if not uint_ok(ARGV[6], 65535) or tonumber(ARGV[6]) == 0 then return bad('port', ARGV[6]) end
if not uint_ok(ARGV[7], 4294967295) then return bad('capacity', ARGV[7]) end
local nk = P .. 'node:' .. node
local cur = redis.call('GET', P .. 'lease:' .. node)
if cur and cur ~= token then
  return redis.error_reply('BUSY node ' .. node .. ' is held by another live incarnation for ' ..
    redis.call('PTTL', P .. 'lease:' .. node) .. ' ms')
end
redis.call('HSET', nk, 'addr4', ARGV[4], 'addr6', ARGV[5], 'port', ARGV[6],
  'capacity', ARGV[7], 'state', 'up', 'lease_ms', lease, 'updated_ms', now_ms(),
  'rooms', redis.call('SCARD', P .. 'noderooms:' .. node))
redis.call('HSETNX', nk, 'load', 0)
redis.call('ZADD', P .. 'assigned', redis.call('SCARD', P .. 'noderooms:' .. node), node)
redis.call('SET', P .. 'lease:' .. node, token, 'PX', lease)
redis.call('ZADD', P .. 'leases', now_ms() + tonumber(lease), node)
redis.call('SADD', P .. 'nodes', node)
redis.pcall('XGROUP', 'CREATE', P .. 'events', 'node:' .. node, '$', 'MKSTREAM')
event('type', 'node', 'node', node, 'state', 'up')
return redis.call('SMEMBERS', P .. 'noderooms:' .. node)
