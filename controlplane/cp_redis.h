/* SPDX-License-Identifier: BSD-3-Clause */
/* Redis connection for the control plane and relaisctl: direct address or
 * Sentinel discovery of the master, AUTH (ACL user + password), command
 * timeouts, and the directory's Lua scripts (docs/schema.md). */
#ifndef CP_REDIS_H
#define CP_REDIS_H

#include <hiredis/hiredis.h>

#include "cp_lua.h"

#define CP_MAX_SENTINELS 8

struct cp_redis_cfg {
	char host[256];
	int port;
	int n_sentinels;
	char sentinel_host[CP_MAX_SENTINELS][256];
	int sentinel_port[CP_MAX_SENTINELS];
	char master_name[64];
	/* The addresses a Sentinel may name as the master (--masters): any
	 * other answer is refused, logged, and the next sentinel asked. */
	int n_masters;
	char masters_host[CP_MAX_SENTINELS][256];
	int masters_port[CP_MAX_SENTINELS];
	char user[64];
	char password[256];
	/* AUTH on every Sentinel query when set (--sentinel-password-file). */
	char sentinel_user[64];
	char sentinel_password[256];
	int timeout_ms;
};

/* The string of a reply element, or NULL when it is not a plain string:
 * an integer, nil, array, status or error element (or NULL) has no field
 * value, and a string holding a NUL byte would read as a shorter one. */
const char *cp_reply_str(const redisReply *e);

/* Defaults (127.0.0.1:6379, 1 s timeout) then the environment:
 * RELAIS_REDIS (host:port), RELAIS_SENTINELS (h:p,h:p), RELAIS_MASTER_NAME,
 * RELAIS_MASTERS (h:p,h:p), RELAIS_REDIS_USER, RELAIS_REDIS_PASSWORD. */
void cp_redis_cfg_init(struct cp_redis_cfg *c);
/* "host:port" into host/port; "h:p,h:p" into the sentinel list. 0/-EINVAL. */
int cp_redis_cfg_addr(struct cp_redis_cfg *c, const char *s);
int cp_redis_cfg_sentinels(struct cp_redis_cfg *c, const char *s);
/* "h:p,h:p" into the list of masters a Sentinel may name. 0/-EINVAL. */
int cp_redis_cfg_masters(struct cp_redis_cfg *c, const char *s);

/* Check a Sentinel's answer to SENTINEL get-master-addr-by-name: a
 * two-element array of plain strings naming one of the configured
 * masters (host compared as written, port as a number). 0 with host/port
 * set, or -EACCES with the reason (the answer escaped) in why. */
int cp_redis_sentinel_answer(const struct cp_redis_cfg *c, const redisReply *r, char *host,
			     size_t hn, int *port, char *why, size_t wn);

/* Connect (asking the sentinels for the master first when configured,
 * with AUTH when a Sentinel password is set, taking only an answer among
 * the configured masters: cp_redis_sentinel_answer), authenticate, and
 * check the server is a master (ROLE). Returns a blocking context with
 * reply bounds (cp_rblock.h: read it only through cp_rblock_*, free it
 * with cp_rblock_free), or NULL with a one-line reason in err. */
redisContext *cp_redis_connect(const struct cp_redis_cfg *c, char *err, size_t n);

/* Lua source and name of a script (NULL for an unknown id/name). The
 * scripts, their enum cp_script and their order come from controlplane/lua/
 * through the build (cp_lua.h). */
const char *cp_script_source(enum cp_script id);
const char *cp_script_name(enum cp_script id);
int cp_script_by_name(const char *name);

/* Run script id with string arguments (EVALSHA, EVAL on NOSCRIPT) on a
 * context of cp_redis_connect, its reply bounded (cp_rblock_argv). KEYS[1]
 * is always the directory's node set, routing the call to its slot.
 * Returns the reply (caller frees) or NULL on a transport error or a
 * refused reply (logged: "the NAME script"). */
redisReply *cp_script_call(redisContext *rc, enum cp_script id, int argc, const char **argv);
/* Queue the same call in rc's pipeline (EVALSHA only; load first with
 * cp_script_load). 0 or -EIO. */
int cp_script_append(redisContext *rc, enum cp_script id, int argc, const char **argv);
/* Most arguments a script call takes, and the argv slots its EVALSHA
 * command needs (4 more). */
#define CP_SCRIPT_MAX_ARGS 40
#define CP_SCRIPT_ARGV_MAX (CP_SCRIPT_MAX_ARGS + 4)
/* Build "EVALSHA sha 1 relais:{dir}:nodes args..." into v (sha is the
 * caller's 41-byte buffer v points into) for an asynchronous send. Returns
 * the argument count or -E2BIG. */
int cp_script_evalsha_argv(enum cp_script id, char sha[41], int argc, const char **argv,
			   const char **v);
/* SCRIPT LOAD every script. 0 or -EIO. */
int cp_script_load(redisContext *rc);

/* Key prefix of the directory and of a room's content. */
#define CP_DIR "relais:{dir}:"

#endif /* CP_REDIS_H */
