/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-loadgen scenario parsing: `key = value` globals and one
 * `publisher ...` / `subscriber ...` line per endpoint (docs/loadgen.md).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loadgen.h"

#define LG_LINE_LEN 2048

/* Write a formatted message to err and return -EINVAL. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Set the defaults: 5 s, no count bound, 500 ms grace, zero loss allowed. */
void lg_conf_init(struct lg_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->duration_ms = 5000;
	conf->grace_ms = 500;
	for (int i = 0; i < LG_MAX_PUBS; i++)
		conf->pubs[i].fd = -1;
	for (int i = 0; i < LG_MAX_SUBS; i++)
		conf->subs[i].fd = -1;
}

/* Parse a whole unsigned 32-bit number (decimal or 0x hex); 0 or -EINVAL. */
int lg_parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Parse a finite non-negative number, with an optional trailing '%'
 * meaning /100; 0 or -EINVAL. */
int lg_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v < 0 || v != v || v > 1e12)
		return -EINVAL;
	if (*end == '%') {
		v /= 100.0;
		end++;
	}
	if (*end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parse "a.b.c.d:port" or "[v6]:port" (numeric only); 0 or -EINVAL. */
int lg_parse_addr(const char *s, struct lg_addr *out)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port;
	struct addrinfo hints = {0}, *res = NULL;
	size_t hl;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL || rb[1] != ':')
			return -EINVAL;
		hl = (size_t)(rb - s - 1);
		s++;
		port = rb + 2;
	} else {
		const char *c = strrchr(s, ':');
		if (c == NULL || strchr(s, ':') != c)
			return -EINVAL;
		hl = (size_t)(c - s);
		port = c + 1;
	}
	if (hl == 0 || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	uint32_t pv;
	if (lg_parse_u32(port, &pv) != 0 || pv > 65535)
		return -EINVAL;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static int b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* Decode hex of exactly 2*want digits into out; 0 or -EINVAL. */
static int decode_hex(const char *s, uint8_t *out, size_t want)
{
	if (strlen(s) != 2 * want)
		return -EINVAL;
	for (size_t i = 0; i < want; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Decode base64 (RFC 4648 §4, '=' padding optional) that must yield exactly
 * want bytes; 0 or -EINVAL. */
static int decode_b64(const char *s, uint8_t *out, size_t want)
{
	uint32_t acc = 0;
	size_t n = 0, bits = 0;

	for (; *s != '\0' && *s != '='; s++) {
		int v = b64val((unsigned char)*s);
		if (v < 0)
			return -EINVAL;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == want)
				return -EINVAL;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	while (*s == '=')
		s++;
	return (*s == '\0' && n == want) ? 0 : -EINVAL;
}

/* Set c->key from hex or base64 of master key || salt, whose length must
 * match c->prof; 0 or -EINVAL. */
int lg_parse_key(const char *s, struct lg_crypto *c)
{
	size_t want = (size_t)c->prof->key_len + c->prof->salt_len;

	if (decode_hex(s, c->key, want) == 0)
		return 0;
	return decode_b64(s, c->key, want);
}

/* Fields every endpoint line has. */
struct lg_common {
	char name[LG_NAME_LEN];
	struct lg_addr bind;
	int has_bind;
	struct lg_addr to;
	char to_ref[LG_NAME_LEN];
	int has_to;
	uint32_t ssrc;
	int has_ssrc;
	const struct relais_srtp_profile_info *prof;
	char key[128];
};

/* Copy a bounded string; -EINVAL when it does not fit or is empty. */
static int copy_str(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= cap)
		return -EINVAL;
	memcpy(dst, v, n + 1);
	return 0;
}

/* Take one common key=value: 1 when consumed, 0 when not a common key,
 * -EINVAL on a bad value. */
static int common_kv(struct lg_common *c, const char *k, const char *v)
{
	if (strcmp(k, "name") == 0)
		return copy_str(c->name, sizeof(c->name), v) == 0 ? 1 : -EINVAL;
	if (strcmp(k, "bind") == 0) {
		c->has_bind = 1;
		return lg_parse_addr(v, &c->bind) == 0 ? 1 : -EINVAL;
	}
	if (strcmp(k, "to") == 0) {
		c->has_to = 1;
		if (v[0] == '@')
			return copy_str(c->to_ref, sizeof(c->to_ref), v + 1) == 0 ? 1 : -EINVAL;
		return lg_parse_addr(v, &c->to) == 0 ? 1 : -EINVAL;
	}
	if (strcmp(k, "ssrc") == 0) {
		c->has_ssrc = 1;
		return lg_parse_u32(v, &c->ssrc) == 0 ? 1 : -EINVAL;
	}
	if (strcmp(k, "profile") == 0) {
		c->prof = relais_srtp_profile_by_name(v);
		return c->prof != NULL ? 1 : -EINVAL;
	}
	if (strcmp(k, "key") == 0)
		return copy_str(c->key, sizeof(c->key), v) == 0 ? 1 : -EINVAL;
	return 0;
}

/* Check and apply the common fields to a crypto block and addresses. */
static int common_finish(struct lg_common *c, struct lg_crypto *cr, char *err, size_t errlen)
{
	if (!c->has_bind)
		return fail(err, errlen, "%s: bind=ADDR:PORT is required", c->name);
	if (c->prof == NULL)
		c->prof = relais_srtp_profile_get(RELAIS_SRTP_AES128_CM_SHA1_80);
	if (c->prof == NULL)
		return fail(err, errlen, "SRTP profile table unavailable");
	cr->prof = c->prof;
	if (c->key[0] == '\0')
		return fail(err, errlen, "%s: key=HEX|BASE64 is required", c->name);
	if (lg_parse_key(c->key, cr) != 0)
		return fail(err, errlen,
			    "%s: key must be %u bytes (key+salt) for %s, hex or base64", c->name,
			    c->prof->key_len + c->prof->salt_len, c->prof->name);
	memset(c->key, 0, sizeof(c->key));
	return 0;
}

/* Split "k=v" in place; NULL value when there is no '='. */
static char *split_kv(char *tok)
{
	char *eq = strchr(tok, '=');

	if (eq == NULL)
		return NULL;
	*eq = '\0';
	return eq + 1;
}

/* Take one publisher-only key=value: 1 consumed, 0 unknown, -EINVAL bad. */
static int pub_kv(struct lg_pub *p, uint32_t *seq, const char *k, const char *v)
{
	uint32_t u;
	int ok;

	if (strcmp(k, "kind") == 0) {
		if (strcmp(v, "audio") != 0 && strcmp(v, "video") != 0)
			return -EINVAL;
		p->kind = strcmp(v, "audio") == 0 ? LG_AUDIO : LG_VIDEO;
		return 1;
	}
	if (strcmp(k, "rate") != 0 && strcmp(k, "size") != 0 && strcmp(k, "pt") != 0 &&
	    strcmp(k, "seq") != 0)
		return 0;
	if (lg_parse_u32(v, &u) != 0)
		return -EINVAL;
	if (strcmp(k, "rate") == 0) {
		ok = u >= 1 && u <= 100000;
		p->rate = u;
	} else if (strcmp(k, "size") == 0) {
		ok = u >= LG_MIN_PAYLOAD && u <= LG_MAX_PAYLOAD;
		p->size = u;
	} else if (strcmp(k, "pt") == 0) {
		/* 64-95 would collide with RTCP in the mux (RFC 5761 §4). */
		ok = u <= 127 && (u < 64 || u > 95);
		p->pt = (uint8_t)u;
	} else {
		ok = u <= 65535;
		*seq = u;
	}
	return ok ? 1 : -EINVAL;
}

/* Run kv over every whitespace-separated k=v token of spec. */
static int for_each_kv(char *spec, int (*kv)(void *, const char *, const char *), void *arg,
		       char *err, size_t errlen)
{
	char *save = NULL;

	for (char *tok = strtok_r(spec, " \t", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *v = split_kv(tok);
		if (v == NULL)
			return fail(err, errlen, "'%s' is not key=value", tok);
		int rc = kv(arg, tok, v);
		if (rc == 0)
			return fail(err, errlen, "unknown key '%s'", tok);
		if (rc < 0)
			return fail(err, errlen, "bad value for '%s'", tok);
	}
	return 0;
}

struct pub_ctx {
	struct lg_common c;
	struct lg_pub *p;
	uint32_t seq;
	int has_rate, has_size, has_pt;
};

static int pub_ctx_kv(void *arg, const char *k, const char *v)
{
	struct pub_ctx *x = arg;
	int rc = common_kv(&x->c, k, v);

	if (rc != 0)
		return rc;
	x->has_rate |= strcmp(k, "rate") == 0;
	x->has_size |= strcmp(k, "size") == 0;
	x->has_pt |= strcmp(k, "pt") == 0;
	return pub_kv(x->p, &x->seq, k, v);
}

/* Copy common fields into an endpoint's addresses. */
static void apply_addrs(const struct lg_common *c, struct lg_addr *bind, struct lg_addr *to,
			char *to_ref, int *has_to)
{
	*bind = c->bind;
	*to = c->to;
	memcpy(to_ref, c->to_ref, LG_NAME_LEN);
	*has_to = c->has_to;
}

/* Parse a publisher spec into the next slot; 0 or -EINVAL with err set. */
static int add_pub(struct lg_conf *conf, char *spec, char *err, size_t errlen)
{
	struct pub_ctx x = {.seq = UINT32_MAX};

	if (conf->npubs == LG_MAX_PUBS)
		return fail(err, errlen, "more than %d publishers", LG_MAX_PUBS);
	x.p = &conf->pubs[conf->npubs];
	snprintf(x.c.name, sizeof(x.c.name), "pub%d", conf->npubs);
	int rc = for_each_kv(spec, pub_ctx_kv, &x, err, errlen);
	if (rc == 0 && !x.c.has_ssrc)
		rc = fail(err, errlen, "%s: ssrc= is required", x.c.name);
	if (rc == 0)
		rc = common_finish(&x.c, &x.p->c, err, errlen);
	if (rc != 0) {
		memset(x.p, 0, sizeof(*x.p));
		x.p->fd = -1;
		return rc;
	}
	memcpy(x.p->name, x.c.name, sizeof(x.p->name));
	apply_addrs(&x.c, &x.p->bind, &x.p->to, x.p->to_ref, &x.p->has_to);
	x.p->ssrc = x.c.ssrc;
	if (!x.has_rate)
		x.p->rate = x.p->kind == LG_AUDIO ? 50 : 200;
	if (!x.has_size)
		x.p->size = x.p->kind == LG_AUDIO ? 160 : 1000;
	if (!x.has_pt)
		x.p->pt = x.p->kind == LG_AUDIO ? 111 : 96;
	/* Default start: a per-SSRC value, so streams differ (RFC 3550 §5.1). */
	x.p->seq0 = x.seq <= 65535 ? (uint16_t)x.seq : (uint16_t)((x.c.ssrc * 2654435761u) >> 16);
	conf->npubs++;
	return 0;
}

struct sub_ctx {
	struct lg_common c;
	struct lg_sub *s;
};

static int sub_ctx_kv(void *arg, const char *k, const char *v)
{
	struct sub_ctx *x = arg;
	int rc = common_kv(&x->c, k, v);
	double d;

	if (rc != 0)
		return rc;
	if (strcmp(k, "expect") == 0)
		return copy_str(x->s->expect, sizeof(x->s->expect), v) == 0 ? 1 : -EINVAL;
	if (strcmp(k, "pli") == 0) {
		if (lg_parse_double(v, &d) != 0 || d > 3600)
			return -EINVAL;
		x->s->pli_ms = (uint32_t)(d * 1000.0 + 0.5);
		return 1;
	}
	return 0;
}

/* Parse a subscriber spec into the next slot; 0 or -EINVAL with err set.
 * Its expect= list is resolved by lg_conf_finish(). */
static int add_sub(struct lg_conf *conf, char *spec, char *err, size_t errlen)
{
	struct sub_ctx x = {0};

	if (conf->nsubs == LG_MAX_SUBS)
		return fail(err, errlen, "more than %d subscribers", LG_MAX_SUBS);
	x.s = &conf->subs[conf->nsubs];
	snprintf(x.c.name, sizeof(x.c.name), "sub%d", conf->nsubs);
	int rc = for_each_kv(spec, sub_ctx_kv, &x, err, errlen);
	if (rc == 0 && x.s->expect[0] == '\0')
		rc = fail(err, errlen, "%s: expect= is required", x.c.name);
	if (rc == 0)
		rc = common_finish(&x.c, &x.s->c, err, errlen);
	if (rc != 0) {
		memset(x.s, 0, sizeof(*x.s));
		x.s->fd = -1;
		return rc;
	}
	memcpy(x.s->name, x.c.name, sizeof(x.s->name));
	apply_addrs(&x.c, &x.s->bind, &x.s->to, x.s->to_ref, &x.s->has_to);
	x.s->ssrc = x.c.has_ssrc ? x.c.ssrc : 0x5eb50000u + (uint32_t)conf->nsubs;
	conf->nsubs++;
	return 0;
}

/* Add a "publisher" or "subscriber" from its k=v spec string. */
int lg_add_spec(struct lg_conf *conf, const char *kind, const char *spec, char *err, size_t errlen)
{
	char buf[LG_LINE_LEN];
	int rc;

	if (strlen(spec) >= sizeof(buf))
		return fail(err, errlen, "%s spec too long", kind);
	strcpy(buf, spec);
	if (strcmp(kind, "publisher") == 0)
		rc = add_pub(conf, buf, err, errlen);
	else if (strcmp(kind, "subscriber") == 0)
		rc = add_sub(conf, buf, err, errlen);
	else
		rc = fail(err, errlen, "unknown endpoint kind '%s'", kind);
	memset(buf, 0, sizeof(buf)); /* may hold a key */
	return rc;
}

/* Set one `key = value` global; 0 or -EINVAL. */
static int set_global(struct lg_conf *conf, const char *k, const char *v, char *err, size_t errlen)
{
	double d;
	uint32_t u;

	if (strcmp(k, "target") == 0) {
		conf->has_target = 1;
		if (lg_parse_addr(v, &conf->target) == 0)
			return 0;
	} else if (strcmp(k, "duration") == 0) {
		if (lg_parse_double(v, &d) == 0 && d > 0 && d <= 86400) {
			conf->duration_ms = (uint32_t)(d * 1000.0 + 0.5);
			conf->duration_set = 1;
			return 0;
		}
	} else if (strcmp(k, "count") == 0) {
		if (lg_parse_u32(v, &conf->count) == 0)
			return 0;
	} else if (strcmp(k, "grace") == 0) {
		if (lg_parse_u32(v, &u) == 0 && u <= 60000) {
			conf->grace_ms = u;
			return 0;
		}
	} else if (strcmp(k, "max_loss") == 0) {
		if (lg_parse_double(v, &conf->max_loss) == 0 && conf->max_loss <= 1.0)
			return 0;
	} else if (strcmp(k, "require_rtcp") == 0) {
		if (lg_parse_u32(v, &u) == 0 && u <= 1) {
			conf->require_rtcp = (int)u;
			return 0;
		}
	} else {
		return fail(err, errlen, "unknown setting '%s'", k);
	}
	return fail(err, errlen, "bad value '%s' for '%s'", v, k);
}

/* Trim leading and trailing whitespace in place. */
static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Parse one scenario line (comment, blank, global or endpoint). */
int lg_parse_line(struct lg_conf *conf, const char *line, char *err, size_t errlen)
{
	char buf[LG_LINE_LEN];
	char *s, *hash;
	int rc;

	if (strlen(line) >= sizeof(buf))
		return fail(err, errlen, "line too long");
	strcpy(buf, line);
	hash = strchr(buf, '#');
	if (hash != NULL)
		*hash = '\0';
	s = trim(buf);
	if (*s == '\0')
		return 0;
	size_t w = strcspn(s, " \t=");
	if ((w == 9 && strncmp(s, "publisher", 9) == 0 && s[w] != '=') ||
	    (w == 10 && strncmp(s, "subscriber", 10) == 0 && s[w] != '=')) {
		s[w] = '\0';
		rc = lg_add_spec(conf, s, trim(s + w + 1), err, errlen);
	} else {
		char *eq = strchr(s, '=');
		if (eq == NULL)
			return fail(err, errlen, "expected 'key = value' or an endpoint line");
		*eq = '\0';
		rc = set_global(conf, trim(s), trim(eq + 1), err, errlen);
	}
	memset(buf, 0, sizeof(buf));
	return rc;
}

/* Parse a multi-line scenario text; err gets "line N: ...". */
int lg_parse_text(struct lg_conf *conf, const char *text, char *err, size_t errlen)
{
	char line[LG_LINE_LEN];
	int lineno = 0;

	while (*text != '\0') {
		size_t n = strcspn(text, "\n");
		lineno++;
		if (n >= sizeof(line))
			return fail(err, errlen, "line %d: too long", lineno);
		memcpy(line, text, n);
		line[n] = '\0';
		text += n + (text[n] == '\n');
		char msg[256];
		if (lg_parse_line(conf, line, msg, sizeof(msg)) != 0)
			return fail(err, errlen, "line %d: %s", lineno, msg);
	}
	memset(line, 0, sizeof(line));
	return 0;
}

/* Read and parse a scenario file; 0, -errno on I/O, -EINVAL on syntax. */
int lg_parse_file(struct lg_conf *conf, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[LG_LINE_LEN];
	int lineno = 0, rc = 0;

	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		char msg[256];
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f))
			rc = fail(err, errlen, "%s:%d: line too long", path, lineno);
		else if (lg_parse_line(conf, line, msg, sizeof(msg)) != 0)
			rc = fail(err, errlen, "%s:%d: %s", path, lineno, msg);
	}
	memset(line, 0, sizeof(line));
	fclose(f);
	return rc;
}

/* Index of the publisher named or with SSRC `ref`, or -1. */
static int find_pub(const struct lg_conf *conf, const char *ref)
{
	uint32_t ssrc;
	int by_ssrc = lg_parse_u32(ref, &ssrc) == 0;

	for (int i = 0; i < conf->npubs; i++) {
		if (strcmp(conf->pubs[i].name, ref) == 0)
			return i;
	}
	for (int i = 0; by_ssrc && i < conf->npubs; i++) {
		if (conf->pubs[i].ssrc == ssrc)
			return i;
	}
	return -1;
}

/* Resolve "REF[:OUTSSRC],..." into s->streams; OUTSSRC defaults to the
 * publisher's own SSRC. 0 or -EINVAL. */
static int resolve_expect(const struct lg_conf *conf, struct lg_sub *s, char *err, size_t errlen)
{
	char buf[LG_EXPECT_LEN], *save = NULL;

	memcpy(buf, s->expect, sizeof(buf));
	s->nstreams = 0;
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		if (colon != NULL)
			*colon = '\0';
		int p = find_pub(conf, tok);
		if (p < 0)
			return fail(err, errlen, "%s: expect: no publisher '%s'", s->name, tok);
		if (s->nstreams == LG_MAX_STREAMS)
			return fail(err, errlen, "%s: more than %d streams", s->name,
				    LG_MAX_STREAMS);
		struct lg_stream *st = &s->streams[s->nstreams];
		memset(st, 0, sizeof(*st));
		st->pub = p;
		st->out_ssrc = conf->pubs[p].ssrc;
		if (colon != NULL && lg_parse_u32(colon + 1, &st->out_ssrc) != 0)
			return fail(err, errlen, "%s: expect: bad out SSRC '%s'", s->name,
				    colon + 1);
		for (int i = 0; i < s->nstreams; i++) {
			if (s->streams[i].out_ssrc == st->out_ssrc)
				return fail(err, errlen, "%s: out SSRC 0x%08x expected twice",
					    s->name, st->out_ssrc);
		}
		s->nstreams++;
	}
	return s->nstreams > 0 ? 0 : fail(err, errlen, "%s: empty expect=", s->name);
}

/* Family of the endpoint named `name` (publisher or subscriber), or -1. */
static int ref_family(const struct lg_conf *conf, const char *name)
{
	for (int i = 0; i < conf->npubs; i++) {
		if (strcmp(conf->pubs[i].name, name) == 0)
			return conf->pubs[i].bind.ss.ss_family;
	}
	for (int i = 0; i < conf->nsubs; i++) {
		if (strcmp(conf->subs[i].name, name) == 0)
			return conf->subs[i].bind.ss.ss_family;
	}
	return -1;
}

/* Check that an endpoint has somewhere to send and that it is reachable
 * with the bind address's family. */
static int check_dest(const struct lg_conf *conf, const char *name, const struct lg_addr *bind,
		      const struct lg_addr *to, const char *to_ref, int has_to, char *err,
		      size_t errlen)
{
	int fam;

	if (!has_to && !conf->has_target)
		return fail(err, errlen, "%s: no to= and no global target", name);
	if (!has_to)
		fam = conf->target.ss.ss_family;
	else if (to_ref[0] != '\0')
		fam = ref_family(conf, to_ref);
	else
		fam = to->ss.ss_family;
	if (fam < 0)
		return fail(err, errlen, "%s: to=@%s names no endpoint", name, to_ref);
	if (fam != bind->ss.ss_family)
		return fail(err, errlen, "%s: destination and bind address families differ", name);
	return 0;
}

/* Validate the whole scenario after all lines and flags: unique names,
 * destinations, expect lists, a time bound. 0 or -EINVAL with err set. */
int lg_conf_finish(struct lg_conf *conf, char *err, size_t errlen)
{
	int rc = 0;

	if (conf->npubs == 0 && conf->nsubs == 0)
		return fail(err, errlen, "no publishers or subscribers");
	for (int i = 0; i < conf->npubs + conf->nsubs; i++) {
		const char *a =
		    i < conf->npubs ? conf->pubs[i].name : conf->subs[i - conf->npubs].name;
		for (int j = i + 1; j < conf->npubs + conf->nsubs; j++) {
			const char *b =
			    j < conf->npubs ? conf->pubs[j].name : conf->subs[j - conf->npubs].name;
			if (strcmp(a, b) == 0)
				return fail(err, errlen, "name '%s' used twice", a);
		}
	}
	for (int i = 0; rc == 0 && i < conf->npubs; i++) {
		const struct lg_pub *p = &conf->pubs[i];
		rc = check_dest(conf, p->name, &p->bind, &p->to, p->to_ref, p->has_to, err, errlen);
	}
	for (int i = 0; rc == 0 && i < conf->nsubs; i++) {
		struct lg_sub *s = &conf->subs[i];
		rc = resolve_expect(conf, s, err, errlen);
		if (rc == 0 && s->pli_ms > 0)
			rc = check_dest(conf, s->name, &s->bind, &s->to, s->to_ref, s->has_to, err,
					errlen);
	}
	if (rc == 0 && conf->count > 0 && !conf->duration_set) {
		/* count alone: allow each publisher its count at its rate, plus 1 s. */
		uint64_t ms = 0;
		for (int i = 0; i < conf->npubs; i++) {
			uint64_t m = (uint64_t)conf->count * 1000 / conf->pubs[i].rate;
			ms = m > ms ? m : ms;
		}
		conf->duration_ms = (uint32_t)(ms + 1000 > 86400000 ? 86400000 : ms + 1000);
	}
	return rc;
}
