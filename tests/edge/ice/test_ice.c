/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ICE-lite agent without a network: credentials, the session table,
 * every verdict of edge_ice_input() (refused requests never answered and
 * never changing state), nomination and its move to a new address, the
 * address table, ICE restart, and expiry driven by the now_ms parameter
 * (consent lapse, join deadline). Requests are built with the codec's
 * writer; the codec itself is checked against RFC 5769 in test_stun and
 * against aioice in the oracle tests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#define CHECK_MAIN
#include "check.h"
#include "edge_ice.h"
#include "rfc5769.h"

#define LOCAL_UFRAG "Lo+c"
#define LOCAL_PWD "abcdefghijklmnopqrstuvwx"
#define REMOTE_UFRAG "Rem0"

enum {
	REQ_USE_CANDIDATE = 1 << 0,
	REQ_CONTROLLED = 1 << 1,
	REQ_NO_FINGERPRINT = 1 << 2,
	REQ_NO_INTEGRITY = 1 << 3,
	REQ_NO_USERNAME = 1 << 4,
	REQ_BAD_FINGERPRINT = 1 << 5,
	REQ_INDICATION = 1 << 6,
	REQ_RESPONSE = 1 << 7,
};

/* A Binding request as a browser sends it (USERNAME, ICE-CONTROLLING,
 * PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT), bent by flags. */
static size_t request(uint8_t *buf, size_t cap, const char *username, const char *pwd,
		      unsigned flags)
{
	static uint8_t txid[12] = {1, 2, 3};
	static const uint8_t tie[8] = {9, 9, 9, 9, 9, 9, 9, 9}, prio[4] = {0x6e, 0, 1, 0xff};
	uint16_t type = flags & REQ_INDICATION ? EDGE_STUN_BINDING_INDICATION
			: flags & REQ_RESPONSE ? EDGE_STUN_BINDING_SUCCESS
					       : EDGE_STUN_BINDING_REQUEST;
	struct edge_stun_writer w;
	size_t len;

	txid[11]++;
	edge_stun_writer_start(&w, buf, cap, type, txid);
	if (!(flags & REQ_NO_USERNAME))
		edge_stun_writer_attr(&w, EDGE_STUN_ATTR_USERNAME, username, strlen(username));
	edge_stun_writer_attr(&w, EDGE_STUN_ATTR_PRIORITY, prio, 4);
	edge_stun_writer_attr(&w,
			      flags & REQ_CONTROLLED ? EDGE_STUN_ATTR_ICE_CONTROLLED
						     : EDGE_STUN_ATTR_ICE_CONTROLLING,
			      tie, 8);
	if (flags & REQ_USE_CANDIDATE)
		edge_stun_writer_attr(&w, EDGE_STUN_ATTR_USE_CANDIDATE, NULL, 0);
	if (!(flags & REQ_NO_INTEGRITY))
		edge_stun_writer_integrity(&w, pwd, strlen(pwd));
	if (!(flags & REQ_NO_FINGERPRINT))
		edge_stun_writer_fingerprint(&w);
	CHECK_EQ(edge_stun_writer_finish(&w, &len), EDGE_STUN_OK, "request built");
	if (flags & REQ_BAD_FINGERPRINT)
		buf[len - 1] ^= 1;
	return len;
}

/* An address from text ("192.0.2.1" or "2001:db8::1") and a port. */
static struct edge_stun_addr addr_of(const char *ip, uint16_t port)
{
	struct edge_stun_addr a = {.family = strchr(ip, ':') ? 6 : 4, .port = port};

	inet_pton(a.family == 4 ? AF_INET : AF_INET6, ip, a.ip);
	return a;
}

static struct edge_ice_credentials creds(const char *ufrag, const char *pwd)
{
	struct edge_ice_credentials c = {{0}};

	snprintf(c.ufrag, sizeof(c.ufrag), "%s", ufrag);
	snprintf(c.pwd, sizeof(c.pwd), "%s", pwd);
	return c;
}

static struct edge_ice_agent *agent_with(unsigned capacity, const char *remote)
{
	struct edge_ice_params p = {.capacity = capacity};
	struct edge_ice_agent *a = edge_ice_create(&p);
	struct edge_ice_credentials c = creds(LOCAL_UFRAG, LOCAL_PWD);

	CHECK(a != NULL);
	CHECK_EQ(edge_ice_session_add(a, &c, remote, 42, 0), 0, "add session");
	return a;
}

/* The answer verifies with pwd and is of this type; returns its msg. */
static void check_answer(const uint8_t *out, size_t len, uint16_t type, const char *pwd,
			 const struct edge_stun_addr *src)
{
	struct edge_stun_msg m;
	const struct edge_stun_attr *a;
	struct edge_stun_addr mapped;

	CHECK_EQ(edge_stun_parse(out, len, &m), EDGE_STUN_OK, "answer parses");
	CHECK_EQ(m.type, type, "answer type");
	CHECK_EQ(edge_stun_check_fingerprint(&m), EDGE_STUN_OK, "answer fingerprint");
	CHECK_EQ(edge_stun_check_integrity(&m, pwd, strlen(pwd)), EDGE_STUN_OK, "answer mi");
	if (type == EDGE_STUN_BINDING_ERROR) {
		a = edge_stun_find(&m, EDGE_STUN_ATTR_ERROR_CODE);
		CHECK(a && a->len >= 4 && m.data[a->off + 2] == 4 && m.data[a->off + 3] == 87);
		return;
	}
	a = edge_stun_find(&m, EDGE_STUN_ATTR_XOR_MAPPED_ADDRESS);
	CHECK(a && edge_stun_xor_address(&m, a, &mapped) == EDGE_STUN_OK);
	CHECK(a && mapped.family == src->family && mapped.port == src->port &&
	      memcmp(mapped.ip, src->ip, src->family == 4 ? 4 : 16) == 0);
}

/* Credentials are random ice-chars of the generated lengths. */
static void test_credentials(void)
{
	struct edge_ice_credentials a, b;

	CHECK_EQ(edge_ice_credentials_generate(&a), 0, "generate");
	CHECK_EQ(edge_ice_credentials_generate(&b), 0, "generate again");
	CHECK_EQ(strlen(a.ufrag), EDGE_ICE_UFRAG_GEN_LEN, "ufrag length");
	CHECK_EQ(strlen(a.pwd), EDGE_ICE_PWD_GEN_LEN, "pwd length");
	CHECK_EQ(strspn(a.pwd, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
		 EDGE_ICE_PWD_GEN_LEN, "pwd is ice-chars");
	CHECK(strcmp(a.pwd, b.pwd) != 0 && strcmp(a.ufrag, b.ufrag) != 0);
	edge_ice_credentials_wipe(&a);
	CHECK_EQ(a.pwd[0], 0, "wiped");
}

/* The session table: validation, duplicates, capacity, delete. */
static void test_table(void)
{
	struct edge_ice_params p = {.capacity = 2};
	struct edge_ice_agent *a;
	struct edge_ice_credentials c;

	errno = 0;
	CHECK(edge_ice_create(&(struct edge_ice_params){0}) == NULL && errno == EINVAL);
	a = edge_ice_create(&p);
	c = creds("abc", LOCAL_PWD);
	CHECK_EQ(edge_ice_session_add(a, &c, NULL, 1, 0), -EINVAL, "ufrag of 3");
	c = creds("ab-c", LOCAL_PWD);
	CHECK_EQ(edge_ice_session_add(a, &c, NULL, 1, 0), -EINVAL, "ufrag with '-'");
	c = creds("abcd", "abcdefghijklmnopqrstu");
	CHECK_EQ(edge_ice_session_add(a, &c, NULL, 1, 0), -EINVAL, "pwd of 21");
	c = creds("abcd", LOCAL_PWD);
	CHECK_EQ(edge_ice_session_add(a, &c, "r:x", 1, 0), -EINVAL, "remote with ':'");
	CHECK_EQ(edge_ice_session_add(a, &c, NULL, 1, 0), 0, "add");
	CHECK_EQ(edge_ice_session_add(a, &c, NULL, 2, 0), -EEXIST, "same ufrag");
	c = creds("efgh", LOCAL_PWD);
	CHECK_EQ(edge_ice_session_add(a, &c, NULL, 2, 0), 0, "second");
	c = creds("ijkl", LOCAL_PWD);
	CHECK_EQ(edge_ice_session_add(a, &c, NULL, 3, 0), -ENOSPC, "full");
	CHECK_EQ(edge_ice_session_count(a), 2, "count");
	CHECK_EQ(edge_ice_session_delete(a, "abcd"), 0, "delete");
	CHECK_EQ(edge_ice_session_delete(a, "abcd"), -ENOENT, "delete again");
	CHECK_EQ(edge_ice_session_add(a, &c, NULL, 3, 0), 0, "slot reused");
	edge_ice_free(a);
}

struct refusal {
	const char *what;
	const char *username;
	const char *pwd;
	unsigned flags;
	enum edge_ice_verdict want;
};

/* After test_refusals: each verdict counted as many times as it was
 * given (the table has two each of UNKNOWN_UFRAG, BAD_USERNAME and
 * WRONG_REMOTE_UFRAG, and two MALFORMED datagrams follow it). */
static void check_counts(const struct edge_ice_agent *a)
{
	uint64_t n[EDGE_ICE_VERDICT_MAX];

	edge_ice_verdict_counts(a, n);
	for (int v = 0; v < EDGE_ICE_VERDICT_MAX; v++) {
		uint64_t want = v == EDGE_ICE_ANSWERED ? 0
				: v == EDGE_ICE_UNKNOWN_UFRAG || v == EDGE_ICE_BAD_USERNAME ||
					v == EDGE_ICE_WRONG_REMOTE_UFRAG || v == EDGE_ICE_MALFORMED
				    ? 2
				    : 1;

		CHECKF(n[v] == want, "%s counted %llu times, want %llu",
		       edge_ice_verdict_name((enum edge_ice_verdict)v), (unsigned long long)n[v],
		       (unsigned long long)want);
	}
}

/* Every refusal: its verdict, no answer, no event, no state change. */
static void test_refusals(void)
{
	static const struct refusal table[] = {
	    {"indication", LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD,
	     REQ_INDICATION | REQ_USE_CANDIDATE, EDGE_ICE_INDICATION},
	    {"a response", LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, REQ_RESPONSE,
	     EDGE_ICE_NOT_BINDING_REQUEST},
	    {"no fingerprint", LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD,
	     REQ_NO_FINGERPRINT | REQ_USE_CANDIDATE, EDGE_ICE_NO_FINGERPRINT},
	    {"bad fingerprint", LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD,
	     REQ_BAD_FINGERPRINT | REQ_USE_CANDIDATE, EDGE_ICE_BAD_FINGERPRINT},
	    {"no username", "", LOCAL_PWD, REQ_NO_USERNAME | REQ_USE_CANDIDATE,
	     EDGE_ICE_NO_USERNAME},
	    {"no colon", LOCAL_UFRAG, LOCAL_PWD, REQ_USE_CANDIDATE, EDGE_ICE_BAD_USERNAME},
	    {"empty local", ":" REMOTE_UFRAG, LOCAL_PWD, REQ_USE_CANDIDATE, EDGE_ICE_BAD_USERNAME},
	    {"unknown ufrag", "Nope:" REMOTE_UFRAG, LOCAL_PWD, REQ_USE_CANDIDATE,
	     EDGE_ICE_UNKNOWN_UFRAG},
	    {"prefix of ufrag", "Lo+:" REMOTE_UFRAG, LOCAL_PWD, REQ_USE_CANDIDATE,
	     EDGE_ICE_UNKNOWN_UFRAG},
	    {"no integrity", LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD,
	     REQ_NO_INTEGRITY | REQ_USE_CANDIDATE, EDGE_ICE_NO_INTEGRITY},
	    {"bad password", LOCAL_UFRAG ":" REMOTE_UFRAG, "abcdefghijklmnopqrstuvwX",
	     REQ_USE_CANDIDATE, EDGE_ICE_BAD_INTEGRITY},
	    {"wrong remote", LOCAL_UFRAG ":Rem1", LOCAL_PWD, REQ_USE_CANDIDATE,
	     EDGE_ICE_WRONG_REMOTE_UFRAG},
	    {"remote prefix", LOCAL_UFRAG ":Rem", LOCAL_PWD, REQ_USE_CANDIDATE,
	     EDGE_ICE_WRONG_REMOTE_UFRAG},
	};
	struct edge_ice_agent *a = agent_with(4, REMOTE_UFRAG);
	struct edge_stun_addr src = addr_of("192.0.2.7", 5000), bad = {.family = 5};
	struct edge_ice_session_info info;
	struct edge_ice_event ev;
	uint8_t req[256], out[256];
	size_t n, out_len;
	uint64_t cookie;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct refusal *t = &table[i];
		enum edge_ice_verdict v;

		n = request(req, sizeof(req), t->username, t->pwd, t->flags);
		v = edge_ice_input(a, req, n, &src, 1000, out, sizeof(out), &out_len, &ev);
		CHECKF(v == t->want, "%s: got %s, want %s", t->what, edge_ice_verdict_name(v),
		       edge_ice_verdict_name(t->want));
		CHECKF(out_len == 0 && ev.kind == EDGE_ICE_EVENT_NONE, "%s answered", t->what);
	}
	CHECK_EQ(edge_ice_input(a, (const uint8_t *)"\x16\xfe\xfd", 3, &src, 1000, out, sizeof(out),
				&out_len, &ev),
		 EDGE_ICE_MALFORMED, "DTLS bytes");
	n = request(req, sizeof(req), LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, REQ_USE_CANDIDATE);
	CHECK_EQ(edge_ice_input(a, req, n - 1, &src, 1000, out, sizeof(out), &out_len, &ev),
		 EDGE_ICE_MALFORMED, "truncated");
	CHECK_EQ(edge_ice_input(a, req, n, &bad, 1000, out, sizeof(out), &out_len, &ev),
		 EDGE_ICE_BAD_SOURCE, "family 5");
	CHECK_EQ(edge_ice_input(a, req, n, &src, 1000, out, 40, &out_len, &ev), EDGE_ICE_NO_SPACE,
		 "out buffer of 40");
	CHECK_EQ(out_len, 0, "nothing to send");
	/* Role conflict: answered 487, authenticated, and still no state. */
	n = request(req, sizeof(req), LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD,
		    REQ_CONTROLLED | REQ_USE_CANDIDATE);
	CHECK_EQ(edge_ice_input(a, req, n, &src, 1000, out, sizeof(out), &out_len, &ev),
		 EDGE_ICE_ROLE_CONFLICT, "ICE-CONTROLLED");
	check_answer(out, out_len, EDGE_STUN_BINDING_ERROR, LOCAL_PWD, &src);
	CHECK_EQ(ev.kind, EDGE_ICE_EVENT_NONE, "no event on role conflict");
	CHECK_EQ(edge_ice_session_get(a, LOCAL_UFRAG, &info), 0, "get");
	CHECK(!info.checked && info.n_addrs == 0 && !info.has_selected);
	CHECK_EQ(edge_ice_lookup_addr(a, &src, &cookie), -ENOENT, "source unknown");
	check_counts(a);
	edge_ice_free(a);
}

/* One authenticated check; returns the verdict and fills ev. */
static enum edge_ice_verdict check_from(struct edge_ice_agent *a, const char *username,
					const struct edge_stun_addr *src, unsigned flags,
					uint64_t now, struct edge_ice_event *ev)
{
	uint8_t req[256], out[EDGE_ICE_ANSWER_MAX];
	size_t n = request(req, sizeof(req), username, LOCAL_PWD, flags), out_len;
	enum edge_ice_verdict v =
	    edge_ice_input(a, req, n, src, now, out, sizeof(out), &out_len, ev);

	if (v == EDGE_ICE_ANSWERED)
		check_answer(out, out_len, EDGE_STUN_BINDING_SUCCESS, LOCAL_PWD, src);
	return v;
}

/* Consent, first nomination, the same again, a move to IPv6. */
static void test_nomination(void)
{
	struct edge_ice_agent *a = agent_with(4, REMOTE_UFRAG);
	struct edge_stun_addr v4 = addr_of("192.0.2.7", 5000), v6 = addr_of("2001:db8::7", 6000);
	const char *user = LOCAL_UFRAG ":" REMOTE_UFRAG;
	struct edge_ice_session_info info;
	struct edge_ice_event ev;
	uint64_t cookie = 0;

	CHECK_EQ(check_from(a, user, &v4, 0, 100, &ev), EDGE_ICE_ANSWERED, "plain check");
	CHECK(ev.kind == EDGE_ICE_EVENT_CONSENT && ev.cookie == 42);
	edge_ice_session_get(a, LOCAL_UFRAG, &info);
	CHECK(info.checked && info.n_addrs == 1 && !info.has_selected && info.last_check_ms == 100);
	CHECK(edge_ice_lookup_addr(a, &v4, &cookie) == 0 && cookie == 42);
	CHECK_EQ(check_from(a, user, &v4, REQ_USE_CANDIDATE, 200, &ev), EDGE_ICE_ANSWERED, "nom");
	CHECK(ev.kind == EDGE_ICE_EVENT_NOMINATED && !ev.moved && ev.cookie == 42);
	CHECK(ev.addr.port == 5000);
	CHECK_EQ(check_from(a, user, &v4, REQ_USE_CANDIDATE, 300, &ev), EDGE_ICE_ANSWERED, "again");
	CHECK_EQ(ev.kind, EDGE_ICE_EVENT_CONSENT, "same nomination is consent only");
	CHECK_EQ(check_from(a, user, &v6, REQ_USE_CANDIDATE, 400, &ev), EDGE_ICE_ANSWERED, "v6");
	CHECK(ev.kind == EDGE_ICE_EVENT_NOMINATED && ev.moved && ev.addr.family == 6);
	CHECK(ev.previous.family == 4 && ev.previous.port == 5000);
	edge_ice_session_get(a, LOCAL_UFRAG, &info);
	CHECK(info.has_selected && info.selected.family == 6 && info.selected.port == 6000);
	CHECK_EQ(info.n_addrs, 2, "both addresses kept");
	CHECK(edge_ice_lookup_addr(a, &v4, &cookie) == 0 && cookie == 42);
	CHECK(edge_ice_lookup_addr(a, &v6, &cookie) == 0 && cookie == 42);
	edge_ice_free(a);
}

/* Unknown remote ufrag: any remote accepted. The address table stays
 * bounded and keeps the selection; an address moves between sessions. */
static void test_addresses(void)
{
	struct edge_ice_agent *a = agent_with(4, NULL);
	struct edge_ice_credentials c = creds("Othr", LOCAL_PWD);
	struct edge_stun_addr sel = addr_of("192.0.2.1", 1000), x;
	struct edge_ice_session_info info;
	struct edge_ice_event ev;
	uint64_t cookie = 0;

	CHECK_EQ(check_from(a, LOCAL_UFRAG ":any1", &sel, REQ_USE_CANDIDATE, 1, &ev),
		 EDGE_ICE_ANSWERED, "any remote");
	for (uint16_t p = 1; p <= 6; p++) {
		x = addr_of("192.0.2.2", p);
		CHECK_EQ(check_from(a, LOCAL_UFRAG ":other", &x, 0, 10 + p, &ev), EDGE_ICE_ANSWERED,
			 "extra address");
	}
	edge_ice_session_get(a, LOCAL_UFRAG, &info);
	CHECK_EQ(info.n_addrs, EDGE_ICE_MAX_ADDRS, "bounded");
	CHECK(info.has_selected && info.selected.port == 1000);
	x = addr_of("192.0.2.2", 1);
	CHECK_EQ(edge_ice_lookup_addr(a, &x, &cookie), -ENOENT, "oldest evicted");
	x = addr_of("192.0.2.2", 6);
	CHECK_EQ(edge_ice_lookup_addr(a, &x, &cookie), 0, "newest kept");
	/* The selected address passes a check for another session. */
	CHECK_EQ(edge_ice_session_add(a, &c, NULL, 77, 0), 0, "second session");
	CHECK_EQ(check_from(a, "Othr:z", &sel, 0, 50, &ev), EDGE_ICE_ANSWERED, "other session");
	CHECK(edge_ice_lookup_addr(a, &sel, &cookie) == 0 && cookie == 77);
	edge_ice_session_get(a, LOCAL_UFRAG, &info);
	CHECK(!info.has_selected && info.n_addrs == EDGE_ICE_MAX_ADDRS - 1);
	edge_ice_free(a);
}

/* ICE restart: old credentials refused, new ones work, selection kept. */
static void test_restart(void)
{
	struct edge_ice_agent *a = agent_with(4, REMOTE_UFRAG);
	struct edge_ice_credentials fresh;
	struct edge_stun_addr src = addr_of("192.0.2.7", 5000);
	struct edge_ice_session_info info;
	struct edge_ice_event ev;
	uint8_t req[256], out[256];
	size_t n, out_len;
	char user[300];

	check_from(a, LOCAL_UFRAG ":" REMOTE_UFRAG, &src, REQ_USE_CANDIDATE, 10, &ev);
	CHECK_EQ(edge_ice_credentials_generate(&fresh), 0, "fresh credentials");
	CHECK_EQ(edge_ice_session_restart(a, "nope", &fresh, "New1"), -ENOENT, "restart unknown");
	CHECK_EQ(edge_ice_session_restart(a, LOCAL_UFRAG, &fresh, "New1"), 0, "restart");
	CHECK_EQ(check_from(a, LOCAL_UFRAG ":" REMOTE_UFRAG, &src, 0, 20, &ev),
		 EDGE_ICE_UNKNOWN_UFRAG, "old ufrag");
	snprintf(user, sizeof(user), "%s:New1", fresh.ufrag);
	n = request(req, sizeof(req), user, fresh.pwd, REQ_USE_CANDIDATE);
	CHECK_EQ(edge_ice_input(a, req, n, &src, 30, out, sizeof(out), &out_len, &ev),
		 EDGE_ICE_ANSWERED, "new credentials");
	check_answer(out, out_len, EDGE_STUN_BINDING_SUCCESS, fresh.pwd, &src);
	CHECK_EQ(ev.kind, EDGE_ICE_EVENT_CONSENT, "same address stays selected");
	CHECK_EQ(edge_ice_session_get(a, fresh.ufrag, &info), 0, "found by new ufrag");
	CHECK(info.has_selected && info.cookie == 42);
	edge_ice_credentials_wipe(&fresh);
	edge_ice_free(a);
}

struct expired {
	unsigned n;
	uint64_t cookie;
	enum edge_ice_expiry why;
};

static void on_expire(void *arg, uint64_t cookie, const char *ufrag, enum edge_ice_expiry why)
{
	struct expired *e = arg;

	(void)ufrag;
	e->n++;
	e->cookie = cookie;
	e->why = why;
}

/* Consent lapses 30 s after the last authenticated check (refused
 * requests do not refresh it); a session never checked goes at the join
 * deadline; custom timeouts are honoured. */
static void test_expiry(void)
{
	struct edge_ice_agent *a = agent_with(4, REMOTE_UFRAG);
	struct edge_ice_credentials c = creds("Idle", LOCAL_PWD);
	struct edge_stun_addr src = addr_of("192.0.2.7", 5000);
	struct edge_ice_params p = {
	    .capacity = 1, .consent_timeout_ms = 5000, .join_timeout_ms = 2000};
	struct edge_ice_event ev;
	struct expired e = {0};
	uint8_t req[256], out[256];
	size_t n, out_len;
	uint64_t cookie;

	CHECK_EQ(edge_ice_session_add(a, &c, NULL, 7, 5000), 0, "idle session at 5 s");
	check_from(a, LOCAL_UFRAG ":" REMOTE_UFRAG, &src, REQ_USE_CANDIDATE, 1000, &ev);
	n = request(req, sizeof(req), LOCAL_UFRAG ":" REMOTE_UFRAG, "wrongwrongwrongwrongwr", 0);
	CHECK_EQ(edge_ice_input(a, req, n, &src, 20000, out, sizeof(out), &out_len, &ev),
		 EDGE_ICE_BAD_INTEGRITY, "forged consent");
	CHECK_EQ(edge_ice_expire(a, 30999, on_expire, &e), 0, "nothing at 30.999 s");
	CHECK_EQ(edge_ice_expire(a, 31000, on_expire, &e), 1, "consent lapsed at 31 s");
	CHECK(e.cookie == 42 && e.why == EDGE_ICE_EXPIRY_CONSENT_LAPSED);
	CHECK_EQ(edge_ice_lookup_addr(a, &src, &cookie), -ENOENT, "address forgotten");
	CHECK_EQ(edge_ice_session_count(a), 1, "idle one left");
	CHECK_EQ(edge_ice_expire(a, 35000, on_expire, &e), 1, "join deadline at 35 s");
	CHECK(e.cookie == 7 && e.why == EDGE_ICE_EXPIRY_NEVER_CHECKED);
	CHECK_EQ(edge_ice_session_count(a), 0, "empty");
	edge_ice_free(a);

	a = edge_ice_create(&p);
	c = creds(LOCAL_UFRAG, LOCAL_PWD);
	edge_ice_session_add(a, &c, NULL, 9, 0);
	CHECK_EQ(edge_ice_expire(a, 1999, NULL, NULL), 0, "custom join deadline not yet");
	check_from(a, LOCAL_UFRAG ":x1y2", &src, 0, 1500, &ev);
	CHECK_EQ(edge_ice_expire(a, 6499, NULL, NULL), 0, "custom consent not yet");
	CHECK_EQ(edge_ice_expire(a, 6500, NULL, NULL), 1, "custom consent lapsed");
	edge_ice_free(a);
}

/* RFC 5769's request reaches a session "evtj" with the RFC's password: it
 * authenticates, and its ICE-CONTROLLED gets a verifiable 487. */
static void test_rfc5769_through_agent(void)
{
	struct edge_ice_params p = {.capacity = 1};
	struct edge_ice_agent *a = edge_ice_create(&p);
	struct edge_ice_credentials c = creds("evtj", RFC5769_PASSWORD);
	struct edge_stun_addr src = addr_of("192.0.2.1", 32853);
	uint8_t req[256], out[256];
	int n = check_hex(RFC5769_REQUEST, req, sizeof(req));
	struct edge_ice_event ev;
	size_t out_len;

	CHECK_EQ(edge_ice_session_add(a, &c, "h6vY", 1, 0), 0, "evtj");
	CHECK_EQ(edge_ice_input(a, req, (size_t)n, &src, 0, out, sizeof(out), &out_len, &ev),
		 EDGE_ICE_ROLE_CONFLICT, "RFC 5769 request");
	check_answer(out, out_len, EDGE_STUN_BINDING_ERROR, RFC5769_PASSWORD, &src);
	edge_ice_free(a);
}

/* Names: one per verdict and expiry, distinct, "unknown" beyond. */
static void test_names(void)
{
	for (int v = 0; v < EDGE_ICE_VERDICT_MAX; v++)
		for (int w = 0; w < v; w++)
			CHECK(strcmp(edge_ice_verdict_name((enum edge_ice_verdict)v),
				     edge_ice_verdict_name((enum edge_ice_verdict)w)) != 0);
	CHECK_STR(edge_ice_verdict_name(EDGE_ICE_ANSWERED), "answered");
	CHECK_STR(edge_ice_verdict_name(EDGE_ICE_VERDICT_MAX), "unknown");
	CHECK_STR(edge_ice_verdict_help(EDGE_ICE_VERDICT_MAX), "unknown");
	CHECK_STR(edge_ice_expiry_name(EDGE_ICE_EXPIRY_CONSENT_LAPSED), "consent_lapsed");
}

int main(void)
{
	test_credentials();
	test_table();
	test_refusals();
	test_nomination();
	test_addresses();
	test_restart();
	test_expiry();
	test_rfc5769_through_agent();
	test_names();
	return check_summary("test_ice");
}
