/* SPDX-License-Identifier: BSD-3-Clause */
/* Calling the directory's Lua scripts (docs/schema.md, "Scripts"). Their
 * source is controlplane/lua/, embedded by the build (cp_lua.c). Each runs
 * atomically on the {dir} slot; KEYS[1] = relais:{dir}:nodes routes it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "cp_rblock.h"
#include "cp_redis.h"
#include "cp_util.h"

/* See header. */
const char *cp_script_source(enum cp_script id)
{
	return (unsigned)id < CP_SC_MAX ? cp_lua_scripts[id].src : NULL;
}

/* See header. */
const char *cp_script_name(enum cp_script id)
{
	return (unsigned)id < CP_SC_MAX ? cp_lua_scripts[id].name : NULL;
}

/* See header: the id of a script by name, or -ENOENT. */
int cp_script_by_name(const char *name)
{
	for (int i = 0; i < CP_SC_MAX; i++)
		if (strcmp(cp_lua_scripts[i].name, name) == 0)
			return i;
	return -ENOENT;
}

/* The SHA1 of a script in hex, as EVALSHA wants it. */
static void script_sha(enum cp_script id, char out[41])
{
	static char cache[CP_SC_MAX][41];
	uint8_t md[SHA_DIGEST_LENGTH];

	if (cache[id][0] == '\0') {
		SHA1((const unsigned char *)cp_lua_scripts[id].src, strlen(cp_lua_scripts[id].src),
		     md);
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
	v[n++] = sha ? shabuf : cp_lua_scripts[id].src;
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
	char sha[41], what[48];
	redisReply *r;
	int n = build_argv(id, true, sha, argc, argv, v);

	if (n < 0)
		return NULL;
	snprintf(what, sizeof(what), "the %s script", cp_lua_scripts[id].name);
	r = cp_rblock_argv(rc, what, n, v);
	if (r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(r);
		n = build_argv(id, false, sha, argc, argv, v);
		r = cp_rblock_argv(rc, what, n, v);
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
		redisReply *r =
		    cp_rblock_cmd(rc, "SCRIPT LOAD", "SCRIPT LOAD %s", cp_lua_scripts[i].src);
		int ok = r && r->type == REDIS_REPLY_STRING;

		freeReplyObject(r);
		if (!ok)
			return -EIO;
	}
	return 0;
}
