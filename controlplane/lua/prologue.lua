-- SPDX-License-Identifier: BSD-3-Clause
-- relais directory scripts: the shared prologue (docs/schema.md, "Scripts").
-- The build puts this text in front of every script, so each installed
-- script is whole: it can be read, linted and run with redis-cli --eval.
-- KEYS[1] is relais:{dir}:nodes; it routes the call to the directory's
-- slot, and every other key a script touches shares its hash tag.

-- The interface version: raised on every change a backend must know about
-- (an argument, a reply or a key that changes meaning). Adding a script does
-- not raise it. The version script returns it.
local VERSION = 2

local P = 'relais:{dir}:'

-- The script's one clock reading, in ms: every use in a call sees the same
-- instant, so a join counted in one second's rate key never carries a
-- created_ms of the next (the second could turn between two readings).
local now_cached
local function now_ms()
  if not now_cached then
    local t = redis.call('TIME')
    now_cached = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return now_cached
end

local function event(...)
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', 100000, '*', ...)
end

-- Argument checks: a bad argument is an error reply, never a placement
-- that a control plane refuses later. Each returns the value or raises.
local function bad(what, v)
  return redis.error_reply('BADARG ' .. what .. ' ' .. string.format('%q', tostring(v)))
end

-- A room id: canonical decimal, 1 .. 2^32 - 1 (what the control plane
-- and the dataplane accept).
local function room_ok(v)
  return type(v) == 'string' and v:match('^[1-9][0-9]*$') ~= nil and #v <= 10 and
    tonumber(v) <= 4294967295
end

-- A node id: 1-32 of [A-Za-z0-9_.-] (relais-controlplane --node).
local function node_ok(v)
  return type(v) == 'string' and #v >= 1 and #v <= 32 and v:match('^[A-Za-z0-9_.-]+$') ~= nil
end

-- A non-negative decimal integer no larger than max.
local function uint_ok(v, max)
  return type(v) == 'string' and v:match('^[0-9]+$') ~= nil and #v <= 20 and
    tonumber(v) <= max
end

local function rate_key(n)
  return P .. 'rate:' .. n .. ':' .. math.floor(now_ms() / 1000)
end

-- The live node with the fewest rooms assigned (ties: lowest id) that is
-- up, below its capacity and, when rl > 0, below its join rate this second;
-- never exclude. nil when none qualifies.
local function pick(exclude, rl)
  local i = 0
  while true do
    local c = redis.call('ZRANGE', P .. 'assigned', i, i + 31)
    if #c == 0 then return nil end
    for _, n in ipairs(c) do
      if n ~= exclude and redis.call('EXISTS', P .. 'lease:' .. n) == 1 then
        local h = redis.call('HMGET', P .. 'node:' .. n, 'state', 'capacity', 'rooms')
        local ok = h[1] == 'up' and (tonumber(h[3]) or 0) < (tonumber(h[2]) or 0)
        if ok and rl > 0 then
          ok = (tonumber(redis.call('GET', rate_key(n))) or 0) < rl
        end
        if ok then return n end
      end
    end
    i = i + 32
  end
end

local function assign(room, n, epoch, now)
  redis.call('HSET', P .. 'room:' .. room, 'owner', n, 'epoch', epoch, 'moved_ms', now)
  redis.call('SADD', P .. 'noderooms:' .. n, room)
  redis.call('HINCRBY', P .. 'node:' .. n, 'rooms', 1)
  redis.call('ZINCRBY', P .. 'assigned', 1, n)
end

local function unassign(room, n)
  if redis.call('SREM', P .. 'noderooms:' .. n, room) == 1 then
    redis.call('HINCRBY', P .. 'node:' .. n, 'rooms', -1)
    redis.call('ZINCRBY', P .. 'assigned', -1, n)
  end
end

local function move(room, from, to, why, now)
  unassign(room, from)
  local e = redis.call('HINCRBY', P .. 'ids', 'epoch', 1)
  assign(room, to, e, now)
  event('type', 'moved', 'room', room, 'owner', to, 'epoch', e, 'from', from, 'why', why)
end

-- Move every room of node `from` to the best other live node (pick, rate
-- limit ignored: moving is not joining). Returns moved, left (rooms that
-- found no node and stay where they are).
local function move_all(from, why, now)
  local moved, left = 0, 0
  for _, room in ipairs(redis.call('SMEMBERS', P .. 'noderooms:' .. from)) do
    local t = pick(from, 0)
    if t then
      move(room, from, t, why, now)
      moved = moved + 1
    else
      left = left + 1
    end
  end
  return moved, left
end
