/* SPDX-License-Identifier: BSD-3-Clause */
/* The directory's Lua scripts (docs/schema.md, "Scripts"). Each runs
 * atomically on the {dir} slot; KEYS[1] = relais:{dir}:nodes routes it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "cp_redis.h"
#include "cp_util.h"

/* Shared prologue: key prefix, Redis clock, node choice, assignment. */
#define LUA_PROLOGUE                                                                            \
	"local P = 'relais:{dir}:'\n"                                                           \
	"local function now_ms() local t = redis.call('TIME')\n"                                \
	"  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end\n"              \
	"local function event(...)\n"                                                           \
	"  redis.call('XADD', P..'events', 'MAXLEN', '~', 100000, '*', ...) end\n"              \
	"local function rate_key(n)\n"                                                          \
	"  return P..'rate:'..n..':'..math.floor(now_ms() / 1000) end\n"                        \
	"local function pick(exclude, rl)\n"                                                    \
	"  local i = 0\n"                                                                       \
	"  while true do\n"                                                                     \
	"    local c = redis.call('ZRANGE', P..'assigned', i, i + 31)\n"                            \
	"    if #c == 0 then return nil end\n"                                                  \
	"    for _, n in ipairs(c) do\n"                                                        \
	"      if n ~= exclude and redis.call('EXISTS', P..'lease:'..n) == 1 then\n"            \
	"        local h = redis.call('HMGET', P..'node:'..n, 'state', 'capacity', 'rooms')\n"  \
	"        local ok = h[1] == 'up' and (tonumber(h[3]) or 0) < (tonumber(h[2]) or 0)\n"   \
	"        if ok and rl > 0 then\n"                                                       \
	"          ok = (tonumber(redis.call('GET', rate_key(n))) or 0) < rl end\n"             \
	"        if ok then return n end\n"                                                     \
	"      end\n"                                                                           \
	"    end\n"                                                                             \
	"    i = i + 32\n"                                                                      \
	"  end\n"                                                                               \
	"end\n"                                                                                 \
	"local function assign(room, n, epoch, now)\n"                                          \
	"  redis.call('HSET', P..'room:'..room, 'owner', n, 'epoch', epoch, 'moved_ms', now)\n" \
	"  redis.call('SADD', P..'noderooms:'..n, room)\n"                                      \
	"  redis.call('HINCRBY', P..'node:'..n, 'rooms', 1)\n"                                  \
	"  redis.call('ZINCRBY', P..'assigned', 1, n)\n"                                        \
	"end\n"                                                                                 \
	"local function unassign(room, n)\n"                                                    \
	"  if redis.call('SREM', P..'noderooms:'..n, room) == 1 then\n"                         \
	"    redis.call('HINCRBY', P..'node:'..n, 'rooms', -1)\n"                               \
	"    redis.call('ZINCRBY', P..'assigned', -1, n) end\n"                                 \
	"end\n"                                                                                 \
	"local function move(room, from, to, why, now)\n"                                       \
	"  unassign(room, from)\n"                                                              \
	"  local e = redis.call('HINCRBY', P..'ids', 'epoch', 1)\n"                             \
	"  assign(room, to, e, now)\n"                                                          \
	"  event('type', 'moved', 'room', room, 'owner', to, 'epoch', e, 'from', from, 'why', " \
	"why)\n"                                                                                \
	"end\n"

/* register node token lease_ms addr4 addr6 port capacity */
static const char lua_register[] = LUA_PROLOGUE
    "local node, token, lease = ARGV[1], ARGV[2], ARGV[3]\n"
    "local nk = P..'node:'..node\n"
    "local cur = redis.call('GET', P..'lease:'..node)\n"
    "if cur and cur ~= token then\n"
    "  return redis.error_reply('BUSY node '..node..' is held by another live incarnation for '..\n"
    "    redis.call('PTTL', P..'lease:'..node)..' ms') end\n"
    "redis.call('HSET', nk, 'addr4', ARGV[4], 'addr6', ARGV[5], 'port', ARGV[6],\n"
    "  'capacity', ARGV[7], 'state', 'up', 'lease_ms', lease, 'updated_ms', now_ms(),\n"
    "  'rooms', redis.call('SCARD', P..'noderooms:'..node))\n"
    "redis.call('HSETNX', nk, 'load', 0)\n"
    "redis.call('ZADD', P..'assigned', redis.call('SCARD', P..'noderooms:'..node), node)\n"
    "redis.call('SET', P..'lease:'..node, token, 'PX', lease)\n"
    "redis.call('ZADD', P..'leases', now_ms() + tonumber(lease), node)\n"
    "redis.call('SADD', P..'nodes', node)\n"
    "redis.pcall('XGROUP', 'CREATE', P..'events', 'node:'..node, '$', 'MKSTREAM')\n"
    "event('type', 'node', 'node', node, 'state', 'up')\n"
    "return redis.call('SMEMBERS', P..'noderooms:'..node)\n";

/* heartbeat node token lease_ms load */
static const char lua_heartbeat[] =
    LUA_PROLOGUE "local node, token = ARGV[1], ARGV[2]\n"
		 "if redis.call('GET', P..'lease:'..node) ~= token then return {0} end\n"
		 "redis.call('PEXPIRE', P..'lease:'..node, ARGV[3])\n"
		 "redis.call('ZADD', P..'leases', now_ms() + tonumber(ARGV[3]), node)\n"
		 "redis.call('HSET', P..'node:'..node, 'load', ARGV[4], 'updated_ms', now_ms())\n"
		 "return {1}\n";

/* place room rate_limit */
static const char lua_place[] = LUA_PROLOGUE
    "local room, rl = ARGV[1], tonumber(ARGV[2])\n"
    "local r = redis.call('HMGET', P..'room:'..room, 'owner', 'epoch')\n"
    "if r[1] then return {r[1], tonumber(r[2]), 0} end\n"
    "local n = pick('', rl)\n"
    "if not n then\n"
    "  if rl > 0 and pick('', 0) then\n"
    "    return redis.error_reply('RATELIMITED every live node is at its join rate, retry')\n"
    "  end\n"
    "  return redis.error_reply('NOCAPACITY no live node with capacity')\n"
    "end\n"
    "local rk = rate_key(n)\n"
    "if redis.call('INCR', rk) == 1 then redis.call('PEXPIRE', rk, 2000) end\n"
    "local now = now_ms()\n"
    "local e = redis.call('HINCRBY', P..'ids', 'epoch', 1)\n"
    "assign(room, n, e, now)\n"
    "redis.call('HSET', P..'room:'..room, 'created_ms', now)\n"
    "redis.call('SADD', P..'rooms', room)\n"
    "event('type', 'placed', 'room', room, 'owner', n, 'epoch', e)\n"
    "return {n, e, 1}\n";

/* ack node token room epoch */
static const char lua_ack[] = LUA_PROLOGUE
    "local node, token, room, epoch = ARGV[1], ARGV[2], ARGV[3], ARGV[4]\n"
    "if redis.call('GET', P..'lease:'..node) ~= token then\n"
    "  return redis.error_reply('FENCED node '..node..' does not hold its lease') end\n"
    "local r = redis.call('HMGET', P..'room:'..room, 'owner', 'epoch')\n"
    "if r[1] ~= node or r[2] ~= epoch then\n"
    "  return redis.error_reply('FENCED room '..room..' is owned by '..tostring(r[1])..\n"
    "    ' epoch '..tostring(r[2])) end\n"
    "redis.call('HSET', P..'room:'..room, 'served_epoch', epoch)\n"
    "return {1}\n";

/* sweep: move the rooms of every node whose lease expired. Candidates come
 * from the lease deadlines (ZSET leases), so a sweep costs O(log nodes +
 * expired) however many nodes there are; the lease key stays the truth.
 * Returns {moved, ms until the next lease deadline (-1: none)}, so callers
 * can sweep right when a lease runs out. */
static const char lua_sweep[] = LUA_PROLOGUE
    "local now, moved = now_ms(), 0\n"
    "for _, n in ipairs(redis.call('ZRANGEBYSCORE', P..'leases', '-inf', now)) do\n"
    "  if redis.call('EXISTS', P..'lease:'..n) == 0 then\n"
    "    local left = 0\n"
    "    redis.call('HSET', P..'node:'..n, 'state', 'dead')\n"
    "    for _, room in ipairs(redis.call('SMEMBERS', P..'noderooms:'..n)) do\n"
    "      local t = pick(n, 0)\n"
    "      if t then move(room, n, t, 'lease', now); moved = moved + 1\n"
    "      else left = left + 1 end\n"
    "    end\n"
    "    if left == 0 then redis.call('SREM', P..'nodes', n)\n"
    "      redis.call('ZREM', P..'leases', n)\n"
    "      redis.call('ZREM', P..'assigned', n) end\n"
    "  end\n"
    "end\n"
    "local nx = redis.call('ZRANGEBYSCORE', P..'leases', '('..now, '+inf', 'WITHSCORES',\n"
    "  'LIMIT', 0, 1)\n"
    "return {moved, nx[2] and math.floor(tonumber(nx[2]) - now) or -1}\n";

/* drain node */
static const char lua_drain[] =
    LUA_PROLOGUE "local node, now, moved, left = ARGV[1], now_ms(), 0, 0\n"
		 "if redis.call('EXISTS', P..'node:'..node) == 0 then\n"
		 "  return redis.error_reply('NONODE no node '..node) end\n"
		 "redis.call('HSET', P..'node:'..node, 'state', 'draining')\n"
		 "for _, room in ipairs(redis.call('SMEMBERS', P..'noderooms:'..node)) do\n"
		 "  local t = pick(node, 0)\n"
		 "  if t then move(room, node, t, 'drain', now); moved = moved + 1\n"
		 "  else left = left + 1 end\n"
		 "end\n"
		 "return {moved, left}\n";

/* drop room */
static const char lua_drop[] =
    LUA_PROLOGUE "local room = ARGV[1]\n"
		 "local r = redis.call('HMGET', P..'room:'..room, 'owner', 'epoch')\n"
		 "if not r[1] then return {0} end\n"
		 "unassign(room, r[1])\n"
		 "redis.call('DEL', P..'room:'..room)\n"
		 "redis.call('SREM', P..'rooms', room)\n"
		 "event('type', 'deleted', 'room', room, 'owner', r[1], 'epoch', r[2])\n"
		 "return {1}\n";

static const struct {
	const char *name;
	const char *src;
} scripts[CP_SC_MAX] = {
    [CP_SC_REGISTER] = {"register", lua_register},
    [CP_SC_HEARTBEAT] = {"heartbeat", lua_heartbeat},
    [CP_SC_PLACE] = {"place", lua_place},
    [CP_SC_ACK] = {"ack", lua_ack},
    [CP_SC_SWEEP] = {"sweep", lua_sweep},
    [CP_SC_DRAIN] = {"drain", lua_drain},
    [CP_SC_DROP] = {"drop", lua_drop},
};

/* See header. */
const char *cp_script_source(enum cp_script id)
{
	return (unsigned)id < CP_SC_MAX ? scripts[id].src : NULL;
}

/* See header. */
const char *cp_script_name(enum cp_script id)
{
	return (unsigned)id < CP_SC_MAX ? scripts[id].name : NULL;
}

/* See header: the id of a script by name, or -ENOENT. */
int cp_script_by_name(const char *name)
{
	for (int i = 0; i < CP_SC_MAX; i++)
		if (strcmp(scripts[i].name, name) == 0)
			return i;
	return -ENOENT;
}

/* The SHA1 of a script in hex, as EVALSHA wants it. */
static void script_sha(enum cp_script id, char out[41])
{
	static char cache[CP_SC_MAX][41];
	uint8_t md[SHA_DIGEST_LENGTH];

	if (cache[id][0] == '\0') {
		SHA1((const unsigned char *)scripts[id].src, strlen(scripts[id].src), md);
		cp_hex_encode(md, sizeof(md), cache[id]);
	}
	memcpy(out, cache[id], 41);
}

/* Build "EVAL(SHA) body 1 relais:{dir}:nodes args..." into v. */
static int build_argv(enum cp_script id, bool sha, char *shabuf, int argc, const char **argv,
		      const char **v)
{
	int n = 0;

	if (argc > CP_SCRIPT_MAX_ARGS)
		return -E2BIG;
	if (sha)
		script_sha(id, shabuf);
	v[n++] = sha ? "EVALSHA" : "EVAL";
	v[n++] = sha ? shabuf : scripts[id].src;
	v[n++] = "1";
	v[n++] = CP_DIR "nodes";
	for (int i = 0; i < argc; i++)
		v[n++] = argv[i];
	return n;
}

/* See header. */
redisReply *cp_script_call(redisContext *rc, enum cp_script id, int argc, const char **argv)
{
	const char *v[CP_SCRIPT_MAX_ARGS + 4];
	char sha[41];
	redisReply *r;
	int n = build_argv(id, true, sha, argc, argv, v);

	if (n < 0)
		return NULL;
	r = redisCommandArgv(rc, n, v, NULL);
	if (r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(r);
		n = build_argv(id, false, sha, argc, argv, v);
		r = redisCommandArgv(rc, n, v, NULL);
	}
	return r;
}

/* See header. */
int cp_script_evalsha_argv(enum cp_script id, char sha[41], int argc, const char **argv,
			   const char **v)
{
	return build_argv(id, true, sha, argc, argv, v);
}

/* See header. */
int cp_script_append(redisContext *rc, enum cp_script id, int argc, const char **argv)
{
	const char *v[CP_SCRIPT_MAX_ARGS + 4];
	char sha[41];
	int n = build_argv(id, true, sha, argc, argv, v);

	if (n < 0 || redisAppendCommandArgv(rc, n, v, NULL) != REDIS_OK)
		return -EIO;
	return 0;
}

/* See header. */
int cp_script_load(redisContext *rc)
{
	for (int i = 0; i < CP_SC_MAX; i++) {
		redisReply *r = redisCommand(rc, "SCRIPT LOAD %s", scripts[i].src);
		int ok = r && r->type == REDIS_REPLY_STRING;

		freeReplyObject(r);
		if (!ok)
			return -EIO;
	}
	return 0;
}
