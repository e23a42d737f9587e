/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_rblock.h"
#include "cp_redis.h"
#include "cp_util.h"

/* See header. */
const char *cp_reply_str(const redisReply *e)
{
	if (e == NULL || e->type != REDIS_REPLY_STRING || e->str == NULL ||
	    strlen(e->str) != e->len)
		return NULL;
	return e->str;
}

/* Split "host:port" ("[v6]:port" too) into host and port. 0/-EINVAL. */
static int split_addr(const char *s, char *host, size_t n, int *port)
{
	const char *colon = strrchr(s, ':');
	uint32_t p;
	size_t hl;

	if (colon == NULL || cp_parse_u32(colon + 1, &p) < 0 || p == 0 || p > 65535)
		return -EINVAL;
	hl = (size_t)(colon - s);
	if (hl > 1 && s[0] == '[' && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (hl == 0 || hl >= n)
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	*port = (int)p;
	return 0;
}

/* See header. */
int cp_redis_cfg_addr(struct cp_redis_cfg *c, const char *s)
{
	return split_addr(s, c->host, sizeof(c->host), &c->port);
}

/* Comma-separated addresses into hosts/ports, at most CP_MAX_SENTINELS.
 * Returns how many, or -EINVAL. */
static int split_list(const char *s, char hosts[][256], int *ports)
{
	char buf[2048], *save = NULL, *tok;
	int n = 0;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == CP_MAX_SENTINELS || split_addr(tok, hosts[n], 256, &ports[n]) < 0)
			return -EINVAL;
		n++;
	}
	return n > 0 ? n : -EINVAL;
}

/* See header: comma-separated sentinel addresses, at most CP_MAX_SENTINELS. */
int cp_redis_cfg_sentinels(struct cp_redis_cfg *c, const char *s)
{
	int n = split_list(s, c->sentinel_host, c->sentinel_port);

	c->n_sentinels = n > 0 ? n : 0;
	return n > 0 ? 0 : -EINVAL;
}

/* See header. */
int cp_redis_cfg_masters(struct cp_redis_cfg *c, const char *s)
{
	int n = split_list(s, c->masters_host, c->masters_port);

	c->n_masters = n > 0 ? n : 0;
	return n > 0 ? 0 : -EINVAL;
}

/* See header. */
int cp_redis_sentinel_answer(const struct cp_redis_cfg *c, const redisReply *r, char *host,
			     size_t hn, int *port, char *why, size_t wn)
{
	const char *h = NULL, *p = NULL;
	char eh[4 * 64], ep[4 * 16];
	uint32_t v;

	if (r && r->type == REDIS_REPLY_ERROR && r->str) {
		cp_escape(r->str, eh, sizeof(eh));
		snprintf(why, wn, "refused the query: %s", eh);
		return -EACCES;
	}
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    (h = cp_reply_str(r->element[0])) == NULL ||
	    (p = cp_reply_str(r->element[1])) == NULL) {
		snprintf(why, wn, "does not know master '%s'", c->master_name);
		return -EACCES;
	}
	cp_escape(h, eh, sizeof(eh));
	cp_escape(p, ep, sizeof(ep));
	if (cp_parse_u32(p, &v) < 0 || v == 0 || v > 65535 || strlen(h) >= hn) {
		snprintf(why, wn, "named master '%s' at %s:%s: not an address", c->master_name, eh,
			 ep);
		return -EACCES;
	}
	for (int i = 0; i < c->n_masters; i++)
		if (strcmp(c->masters_host[i], h) == 0 && c->masters_port[i] == (int)v) {
			snprintf(host, hn, "%s", h);
			*port = (int)v;
			return 0;
		}
	snprintf(why, wn,
		 "named master '%s' at %s:%s, not one of the configured masters (--masters)",
		 c->master_name, eh, ep);
	return -EACCES;
}

/* See header. */
void cp_redis_cfg_init(struct cp_redis_cfg *c)
{
	const char *e;

	memset(c, 0, sizeof(*c));
	strcpy(c->host, "127.0.0.1");
	c->port = 6379;
	c->timeout_ms = 1000;
	strcpy(c->master_name, "relais");
	if ((e = getenv("RELAIS_REDIS")) && cp_redis_cfg_addr(c, e) < 0)
		CP_WARN("RELAIS_REDIS=%s: not host:port, ignored", e);
	if ((e = getenv("RELAIS_SENTINELS")) && cp_redis_cfg_sentinels(c, e) < 0)
		CP_WARN("RELAIS_SENTINELS: not host:port[,host:port], ignored");
	if ((e = getenv("RELAIS_MASTERS")) && cp_redis_cfg_masters(c, e) < 0)
		CP_WARN("RELAIS_MASTERS: not host:port[,host:port], ignored");
	if ((e = getenv("RELAIS_MASTER_NAME")))
		snprintf(c->master_name, sizeof(c->master_name), "%s", e);
	if ((e = getenv("RELAIS_REDIS_USER")))
		snprintf(c->user, sizeof(c->user), "%s", e);
	if ((e = getenv("RELAIS_REDIS_PASSWORD")))
		snprintf(c->password, sizeof(c->password), "%s", e);
}

/* TCP connect with the configured timeout on connect and on commands. */
static redisContext *open_tcp(const struct cp_redis_cfg *c, const char *host, int port, char *err,
			      size_t n)
{
	struct timeval tv = {c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000};
	redisContext *rc = redisConnectWithTimeout(host, port, tv);

	if (rc == NULL || rc->err || cp_rblock_attach(rc) < 0) {
		snprintf(err, n, "cannot connect to %s:%d: %s", host, port,
			 rc && rc->err ? rc->errstr : "out of memory");
		redisFree(rc);
		return NULL;
	}
	redisSetTimeout(rc, tv);
	redisEnableKeepAlive(rc);
	return rc;
}

/* AUTH [user] password on a sentinel when one is configured: the query
 * after it fails when it is refused. */
static redisReply *sentinel_query(redisContext *s, const struct cp_redis_cfg *c)
{
	redisReply *a = NULL;

	if (c->sentinel_password[0] && c->sentinel_user[0])
		a = cp_rblock_cmd(s, NULL, "AUTH %s %s", c->sentinel_user, c->sentinel_password);
	else if (c->sentinel_password[0])
		a = cp_rblock_cmd(s, NULL, "AUTH %s", c->sentinel_password);
	if (a && a->type == REDIS_REPLY_ERROR)
		return a; /* the refusal is the answer */
	freeReplyObject(a);
	return cp_rblock_cmd(s, NULL, "SENTINEL get-master-addr-by-name %s", c->master_name);
}

/* Ask the sentinels in order for the master's address (Redis docs,
 * "Sentinel clients guidelines": first sentinel that answers with a
 * configured master wins; other answers are logged). 0/-EHOSTUNREACH. */
static int ask_sentinels(const struct cp_redis_cfg *c, char *host, size_t hn, int *port, char *err,
			 size_t n)
{
	for (int i = 0; i < c->n_sentinels; i++) {
		redisContext *s = open_tcp(c, c->sentinel_host[i], c->sentinel_port[i], err, n);
		redisReply *r;
		char why[400];
		int rc;

		if (s == NULL)
			continue;
		r = sentinel_query(s, c);
		rc = cp_redis_sentinel_answer(c, r, host, hn, port, why, sizeof(why));
		freeReplyObject(r);
		cp_rblock_free(s);
		if (rc == 0)
			return 0;
		snprintf(err, n, "sentinel %s:%d %s", c->sentinel_host[i], c->sentinel_port[i],
			 why);
		CP_WARN("%s", err);
	}
	return -EHOSTUNREACH;
}

/* AUTH [user] password when a password is configured. 0 or -EACCES. */
static int authenticate(redisContext *rc, const struct cp_redis_cfg *c, char *err, size_t n)
{
	redisReply *r;
	int ok;

	if (c->password[0] == '\0')
		return 0;
	if (c->user[0])
		r = cp_rblock_cmd(rc, NULL, "AUTH %s %s", c->user, c->password);
	else
		r = cp_rblock_cmd(rc, NULL, "AUTH %s", c->password);
	ok = r && r->type == REDIS_REPLY_STATUS;
	if (!ok)
		snprintf(err, n, "AUTH as '%s' refused: %s", c->user[0] ? c->user : "default",
			 r && r->type == REDIS_REPLY_ERROR ? r->str : rc->errstr);
	freeReplyObject(r);
	return ok ? 0 : -EACCES;
}

/* See header. */
redisContext *cp_redis_connect(const struct cp_redis_cfg *c, char *err, size_t n)
{
	char host[256];
	int port = c->port;
	redisContext *rc;
	redisReply *r;

	snprintf(host, sizeof(host), "%s", c->host);
	if (c->n_sentinels > 0 && ask_sentinels(c, host, sizeof(host), &port, err, n) < 0)
		return NULL;
	rc = open_tcp(c, host, port, err, n);
	if (rc == NULL)
		return NULL;
	if (authenticate(rc, c, err, n) < 0)
		goto fail;
	/* A stale sentinel answer or a demoted master: writes would fail. */
	r = cp_rblock_cmd(rc, NULL, "ROLE");
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
	    cp_reply_str(r->element[0]) == NULL || strcmp(r->element[0]->str, "master") != 0) {
		snprintf(err, n, "%s:%d is not a master (%s)", host, port,
			 r == NULL                      ? rc->errstr
			 : r->type == REDIS_REPLY_ERROR ? r->str
							: "replica");
		freeReplyObject(r);
		goto fail;
	}
	freeReplyObject(r);
	return rc;
fail:
	cp_rblock_free(rc);
	return NULL;
}
