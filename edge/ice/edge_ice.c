/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ICE-lite agent: session table, the handling of one Binding request
 * (RFC 8445 §7.3 as a lite, controlled agent), nomination, consent
 * (RFC 7675) and expiry. Contracts in edge_ice.h.
 *
 * Sessions live in one array of fixed capacity. Lookups scan it comparing
 * a 32-bit hash of the ufrag first; that is cheap for the thousands of
 * sessions of one node and STUN's low rate (a check every few seconds per
 * participant).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "edge_ice.h"

#define ROLE_CONFLICT_CODE 487

struct addr_slot {
	struct edge_stun_addr addr;
	uint64_t last_ms;
};

struct ice_session {
	int in_use;
	int has_remote;
	int checked;
	int selected; /* index in addrs, -1 when none */
	uint32_t ufrag_hash;
	unsigned n_addrs;
	size_t ufrag_len, pwd_len, remote_len;
	uint64_t cookie, created_ms, last_check_ms;
	char ufrag[EDGE_ICE_UFRAG_MAX + 1];
	char pwd[EDGE_ICE_PWD_MAX + 1];
	char remote[EDGE_ICE_UFRAG_MAX + 1];
	struct addr_slot addrs[EDGE_ICE_MAX_ADDRS];
};

struct edge_ice_agent {
	unsigned capacity, count;
	uint64_t consent_ms, join_ms;
	uint64_t verdicts[EDGE_ICE_VERDICT_MAX];
	struct ice_session sessions[];
};

/* What a request carries once it is known to be authenticated. */
struct checked_request {
	const struct edge_stun_msg *msg;
	struct ice_session *session;
	int use_candidate;
};

#define NAME_(sfx, name, help) name,
#define HELP_(sfx, name, help) help,
static const char *const verdict_names[EDGE_ICE_VERDICT_MAX] = {EDGE_ICE_VERDICTS(NAME_)};
static const char *const verdict_helps[EDGE_ICE_VERDICT_MAX] = {EDGE_ICE_VERDICTS(HELP_)};
static const char *const expiry_names[EDGE_ICE_EXPIRY_MAX] = {EDGE_ICE_EXPIRIES(NAME_)};
#undef NAME_
#undef HELP_

const char *edge_ice_verdict_name(enum edge_ice_verdict verdict)
{
	return (unsigned)verdict < EDGE_ICE_VERDICT_MAX ? verdict_names[verdict] : "unknown";
}

const char *edge_ice_verdict_help(enum edge_ice_verdict verdict)
{
	return (unsigned)verdict < EDGE_ICE_VERDICT_MAX ? verdict_helps[verdict] : "unknown";
}

const char *edge_ice_expiry_name(enum edge_ice_expiry why)
{
	return (unsigned)why < EDGE_ICE_EXPIRY_MAX ? expiry_names[why] : "unknown";
}

/* RFC 8839 §5.4 ice-char: ALPHA / DIGIT / "+" / "/". */
static int is_ice_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* s is min..max ice-chars followed by NUL (never read past max + 1). */
static int valid_ice_string(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	while (n <= max && s[n] != '\0') {
		if (!is_ice_char((unsigned char)s[n]))
			return 0;
		n++;
	}
	return n >= min && n <= max;
}

/* Valid local credentials and, when given, remote ufrag. */
static int valid_credentials(const struct edge_ice_credentials *local, const char *remote)
{
	return valid_ice_string(local->ufrag, EDGE_ICE_UFRAG_MIN, EDGE_ICE_UFRAG_MAX) &&
	       valid_ice_string(local->pwd, EDGE_ICE_PWD_MIN, EDGE_ICE_PWD_MAX) &&
	       (!remote || valid_ice_string(remote, EDGE_ICE_UFRAG_MIN, EDGE_ICE_UFRAG_MAX));
}

/* FNV-1a over len bytes. */
static uint32_t hash_bytes(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* The in-use session with this ufrag, or NULL. */
static struct ice_session *find_session(const struct edge_ice_agent *agent, const char *ufrag,
					size_t len)
{
	uint32_t h = hash_bytes(ufrag, len);

	for (unsigned i = 0; i < agent->capacity; i++) {
		const struct ice_session *s = &agent->sessions[i];

		if (s->in_use && s->ufrag_hash == h && s->ufrag_len == len &&
		    memcmp(s->ufrag, ufrag, len) == 0)
			return (struct ice_session *)(uintptr_t)s;
	}
	return NULL;
}

/* Same family, port and IP bytes of that family. */
static int addr_equal(const struct edge_stun_addr *a, const struct edge_stun_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

/* Index of addr in the session's checked addresses, or -1. */
static int find_addr(const struct ice_session *s, const struct edge_stun_addr *addr)
{
	for (unsigned i = 0; i < s->n_addrs; i++)
		if (addr_equal(&s->addrs[i].addr, addr))
			return (int)i;
	return -1;
}

struct edge_ice_agent *edge_ice_create(const struct edge_ice_params *params)
{
	struct edge_ice_agent *agent;

	if (!params || params->capacity == 0 || params->capacity > EDGE_ICE_CAPACITY_MAX) {
		errno = EINVAL;
		return NULL;
	}
	agent = calloc(1, sizeof(*agent) + params->capacity * sizeof(struct ice_session));
	if (!agent) {
		errno = ENOMEM;
		return NULL;
	}
	agent->capacity = params->capacity;
	agent->consent_ms =
	    params->consent_timeout_ms ? params->consent_timeout_ms : EDGE_ICE_CONSENT_TIMEOUT_MS;
	agent->join_ms =
	    params->join_timeout_ms ? params->join_timeout_ms : EDGE_ICE_JOIN_TIMEOUT_MS;
	return agent;
}

void edge_ice_free(struct edge_ice_agent *agent)
{
	if (!agent)
		return;
	OPENSSL_cleanse(agent->sessions, agent->capacity * sizeof(struct ice_session));
	free(agent);
}

/* Fill out[0..n) with random ice-chars: 64 of them, so a byte's low 6
 * bits pick one without bias. 0 or -EIO. */
static int random_ice_chars(char *out, size_t n)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char rnd[EDGE_ICE_PWD_GEN_LEN];

	if (n > sizeof(rnd) || RAND_bytes(rnd, (int)n) != 1)
		return -EIO;
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[rnd[i] & 63];
	out[n] = '\0';
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return 0;
}

int edge_ice_credentials_generate(struct edge_ice_credentials *cred)
{
	memset(cred, 0, sizeof(*cred));
	if (random_ice_chars(cred->ufrag, EDGE_ICE_UFRAG_GEN_LEN) != 0 ||
	    random_ice_chars(cred->pwd, EDGE_ICE_PWD_GEN_LEN) != 0) {
		edge_ice_credentials_wipe(cred);
		return -EIO;
	}
	return 0;
}

void edge_ice_credentials_wipe(struct edge_ice_credentials *cred)
{
	OPENSSL_cleanse(cred, sizeof(*cred));
}

/* Copy validated credentials and remote ufrag into s. */
static void set_credentials(struct ice_session *s, const struct edge_ice_credentials *local,
			    const char *remote)
{
	OPENSSL_cleanse(s->pwd, sizeof(s->pwd));
	s->ufrag_len = strlen(local->ufrag);
	s->pwd_len = strlen(local->pwd);
	memcpy(s->ufrag, local->ufrag, s->ufrag_len + 1);
	memcpy(s->pwd, local->pwd, s->pwd_len + 1);
	s->ufrag_hash = hash_bytes(s->ufrag, s->ufrag_len);
	s->has_remote = remote != NULL;
	s->remote_len = remote ? strlen(remote) : 0;
	memcpy(s->remote, remote ? remote : "", s->remote_len + 1);
}

int edge_ice_session_add(struct edge_ice_agent *agent, const struct edge_ice_credentials *local,
			 const char *remote_ufrag, uint64_t cookie, uint64_t now_ms)
{
	struct ice_session *s = NULL;

	if (!valid_credentials(local, remote_ufrag))
		return -EINVAL;
	if (find_session(agent, local->ufrag, strlen(local->ufrag)))
		return -EEXIST;
	for (unsigned i = 0; i < agent->capacity && !s; i++)
		if (!agent->sessions[i].in_use)
			s = &agent->sessions[i];
	if (!s)
		return -ENOSPC;
	memset(s, 0, sizeof(*s));
	set_credentials(s, local, remote_ufrag);
	s->in_use = 1;
	s->selected = -1;
	s->cookie = cookie;
	s->created_ms = now_ms;
	agent->count++;
	return 0;
}

/* Wipe a session and free its slot. */
static void remove_session(struct edge_ice_agent *agent, struct ice_session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
	s->in_use = 0;
	agent->count--;
}

int edge_ice_session_delete(struct edge_ice_agent *agent, const char *local_ufrag)
{
	struct ice_session *s = find_session(agent, local_ufrag, strlen(local_ufrag));

	if (!s)
		return -ENOENT;
	remove_session(agent, s);
	return 0;
}

int edge_ice_session_restart(struct edge_ice_agent *agent, const char *local_ufrag,
			     const struct edge_ice_credentials *local, const char *remote_ufrag)
{
	struct ice_session *s = find_session(agent, local_ufrag, strlen(local_ufrag)), *other;

	if (!s)
		return -ENOENT;
	if (!valid_credentials(local, remote_ufrag))
		return -EINVAL;
	other = find_session(agent, local->ufrag, strlen(local->ufrag));
	if (other && other != s)
		return -EEXIST;
	set_credentials(s, local, remote_ufrag);
	return 0;
}

int edge_ice_session_get(const struct edge_ice_agent *agent, const char *local_ufrag,
			 struct edge_ice_session_info *info)
{
	const struct ice_session *s = find_session(agent, local_ufrag, strlen(local_ufrag));

	memset(info, 0, sizeof(*info));
	if (!s)
		return -ENOENT;
	info->cookie = s->cookie;
	info->checked = s->checked;
	info->n_addrs = s->n_addrs;
	info->last_check_ms = s->last_check_ms;
	info->has_selected = s->selected >= 0;
	if (s->selected >= 0)
		info->selected = s->addrs[s->selected].addr;
	return 0;
}

unsigned edge_ice_session_count(const struct edge_ice_agent *agent)
{
	return agent->count;
}

int edge_ice_lookup_addr(const struct edge_ice_agent *agent, const struct edge_stun_addr *addr,
			 uint64_t *cookie)
{
	for (unsigned i = 0; i < agent->capacity; i++) {
		const struct ice_session *s = &agent->sessions[i];

		if (s->in_use && find_addr(s, addr) >= 0) {
			*cookie = s->cookie;
			return 0;
		}
	}
	return -ENOENT;
}

/* Forget the session's address slot i, keeping `selected` right. */
static void remove_addr(struct ice_session *s, unsigned i)
{
	unsigned last = s->n_addrs - 1;

	if (s->selected == (int)i)
		s->selected = -1;
	s->addrs[i] = s->addrs[last];
	if (s->selected == (int)last)
		s->selected = (int)i;
	s->n_addrs--;
}

/* An address belongs to one session: a check for s takes it from any
 * other (which loses it as its selection too). */
static void take_addr_from_others(struct edge_ice_agent *agent, const struct ice_session *s,
				  const struct edge_stun_addr *addr)
{
	for (unsigned i = 0; i < agent->capacity; i++) {
		struct ice_session *o = &agent->sessions[i];
		int k;

		if (o == s || !o->in_use)
			continue;
		k = find_addr(o, addr);
		if (k >= 0)
			remove_addr(o, (unsigned)k);
	}
}

/* The slot of addr in s, added (evicting the least recently checked
 * unselected slot when full) if it is new. */
static unsigned slot_for(struct edge_ice_agent *agent, struct ice_session *s,
			 const struct edge_stun_addr *addr)
{
	int k = find_addr(s, addr);
	unsigned victim = 0;

	if (k >= 0)
		return (unsigned)k;
	take_addr_from_others(agent, s, addr);
	if (s->n_addrs == EDGE_ICE_MAX_ADDRS) {
		for (unsigned i = 0; i < s->n_addrs; i++)
			if ((int)victim == s->selected ||
			    ((int)i != s->selected &&
			     s->addrs[i].last_ms < s->addrs[victim].last_ms))
				victim = i;
		remove_addr(s, victim);
	}
	s->addrs[s->n_addrs] = (struct addr_slot){.addr = *addr};
	return s->n_addrs++;
}

/*
 * Commit an authenticated check from src: remember the address, refresh
 * consent, select the address on USE-CANDIDATE, and say what changed.
 */
static void record_check(struct edge_ice_agent *agent, const struct checked_request *req,
			 const struct edge_stun_addr *src, uint64_t now_ms,
			 struct edge_ice_event *event)
{
	struct ice_session *s = req->session;
	unsigned slot = slot_for(agent, s, src);

	s->addrs[slot].last_ms = now_ms;
	s->last_check_ms = now_ms;
	s->checked = 1;
	event->cookie = s->cookie;
	event->addr = *src;
	if (req->use_candidate && s->selected != (int)slot) {
		event->kind = EDGE_ICE_EVENT_NOMINATED;
		event->moved = s->selected >= 0;
		if (event->moved)
			event->previous = s->addrs[s->selected].addr;
		s->selected = (int)slot;
		return;
	}
	event->kind = EDGE_ICE_EVENT_CONSENT;
}

/*
 * The session named by USERNAME "local:remote" (RFC 8445 §7.2.2: the
 * receiver's ufrag first). Sets *remote / *remote_len to the part after
 * the colon. Returns NO_USERNAME, BAD_USERNAME, UNKNOWN_UFRAG or ANSWERED
 * (meaning: found).
 */
static enum edge_ice_verdict session_of_username(const struct edge_ice_agent *agent,
						 const struct edge_stun_msg *msg,
						 struct ice_session **session, const char **remote,
						 size_t *remote_len)
{
	const struct edge_stun_attr *u = edge_stun_find(msg, EDGE_STUN_ATTR_USERNAME);
	const char *name, *colon;

	if (!u)
		return EDGE_ICE_NO_USERNAME;
	name = (const char *)msg->data + u->off;
	colon = memchr(name, ':', u->len);
	if (!colon || colon == name || (size_t)(colon - name) > EDGE_ICE_UFRAG_MAX)
		return EDGE_ICE_BAD_USERNAME;
	*remote = colon + 1;
	*remote_len = u->len - (size_t)(colon - name) - 1;
	*session = find_session(agent, name, (size_t)(colon - name));
	return *session ? EDGE_ICE_ANSWERED : EDGE_ICE_UNKNOWN_UFRAG;
}

/*
 * Authenticate a parsed Binding request: FINGERPRINT, USERNAME naming a
 * session, MESSAGE-INTEGRITY with its password, then the remote ufrag when
 * the session knows it. ANSWERED means authenticated (req filled).
 */
static enum edge_ice_verdict authenticate(const struct edge_ice_agent *agent,
					  const struct edge_stun_msg *msg,
					  struct checked_request *req)
{
	enum edge_stun_reason r = edge_stun_check_fingerprint(msg);
	enum edge_ice_verdict v;
	const char *remote = NULL;
	size_t remote_len = 0;

	if (r != EDGE_STUN_OK)
		return r == EDGE_STUN_NO_FINGERPRINT ? EDGE_ICE_NO_FINGERPRINT
						     : EDGE_ICE_BAD_FINGERPRINT;
	v = session_of_username(agent, msg, &req->session, &remote, &remote_len);
	if (v != EDGE_ICE_ANSWERED)
		return v;
	r = edge_stun_check_integrity(msg, req->session->pwd, req->session->pwd_len);
	if (r != EDGE_STUN_OK)
		return r == EDGE_STUN_NO_INTEGRITY ? EDGE_ICE_NO_INTEGRITY : EDGE_ICE_BAD_INTEGRITY;
	if (req->session->has_remote && (remote_len != req->session->remote_len ||
					 memcmp(remote, req->session->remote, remote_len) != 0))
		return EDGE_ICE_WRONG_REMOTE_UFRAG;
	req->msg = msg;
	req->use_candidate = edge_stun_find(msg, EDGE_STUN_ATTR_USE_CANDIDATE) != NULL;
	return EDGE_ICE_ANSWERED;
}

/*
 * RFC 8445 §7.3.1.1: a request with ICE-CONTROLLED reached a controlled
 * agent. A lite agent cannot switch roles, so it acts as the winner of the
 * tie-break: error 487 (Role Conflict), authenticated, and the peer
 * switches to controlling and checks again.
 */
static enum edge_ice_verdict answer_role_conflict(const struct checked_request *req, uint8_t *out,
						  size_t out_cap, size_t *out_len)
{
	struct edge_stun_writer w;

	edge_stun_writer_start(&w, out, out_cap, EDGE_STUN_BINDING_ERROR, req->msg->txid);
	edge_stun_writer_error_code(&w, ROLE_CONFLICT_CODE, "Role Conflict");
	edge_stun_writer_integrity(&w, req->session->pwd, req->session->pwd_len);
	edge_stun_writer_fingerprint(&w);
	if (edge_stun_writer_finish(&w, out_len) != EDGE_STUN_OK)
		return EDGE_ICE_NO_SPACE;
	return EDGE_ICE_ROLE_CONFLICT;
}

/* The verdict of a datagram up to authentication, req filled if ANSWERED. */
static enum edge_ice_verdict classify(const struct edge_ice_agent *agent, const uint8_t *datagram,
				      size_t len, struct edge_stun_msg *parsed,
				      struct checked_request *req)
{
	if (edge_stun_parse(datagram, len, parsed) != EDGE_STUN_OK)
		return EDGE_ICE_MALFORMED;
	if (parsed->type == EDGE_STUN_BINDING_INDICATION)
		return EDGE_ICE_INDICATION;
	if (parsed->type != EDGE_STUN_BINDING_REQUEST)
		return EDGE_ICE_NOT_BINDING_REQUEST;
	return authenticate(agent, parsed, req);
}

/* One datagram through the agent: edge_ice_input() without the count. */
static enum edge_ice_verdict input(struct edge_ice_agent *agent, const uint8_t *datagram,
				   size_t len, const struct edge_stun_addr *src, uint64_t now_ms,
				   uint8_t *out, size_t out_cap, size_t *out_len,
				   struct edge_ice_event *event)
{
	struct checked_request req = {0};
	struct edge_stun_msg msg;
	enum edge_ice_verdict v;
	struct edge_stun_addr from = {0};

	*out_len = 0;
	memset(event, 0, sizeof(*event));
	if (src->family != 4 && src->family != 6)
		return EDGE_ICE_BAD_SOURCE;
	from.family = src->family;
	from.port = src->port;
	memcpy(from.ip, src->ip, src->family == 4 ? 4 : 16);
	v = classify(agent, datagram, len, &msg, &req);
	if (v != EDGE_ICE_ANSWERED)
		return v;
	if (edge_stun_find(&msg, EDGE_STUN_ATTR_ICE_CONTROLLED))
		return answer_role_conflict(&req, out, out_cap, out_len);
	/* The answer is written before the state changes: a request that
	 * cannot be answered leaves no trace. */
	if (edge_stun_build_binding_success(out, out_cap, out_len, msg.txid, &from,
					    req.session->pwd,
					    req.session->pwd_len) != EDGE_STUN_OK) {
		*out_len = 0;
		return EDGE_ICE_NO_SPACE;
	}
	record_check(agent, &req, &from, now_ms, event);
	return EDGE_ICE_ANSWERED;
}

enum edge_ice_verdict edge_ice_input(struct edge_ice_agent *agent, const uint8_t *datagram,
				     size_t len, const struct edge_stun_addr *src, uint64_t now_ms,
				     uint8_t *out, size_t out_cap, size_t *out_len,
				     struct edge_ice_event *event)
{
	enum edge_ice_verdict v =
	    input(agent, datagram, len, src, now_ms, out, out_cap, out_len, event);

	agent->verdicts[v]++;
	return v;
}

void edge_ice_verdict_counts(const struct edge_ice_agent *agent,
			     uint64_t counts[EDGE_ICE_VERDICT_MAX])
{
	memcpy(counts, agent->verdicts, sizeof(agent->verdicts));
}

/* Why s should go at now_ms, or EDGE_ICE_EXPIRY_MAX if it stays. */
static enum edge_ice_expiry expiry_of(const struct edge_ice_agent *agent,
				      const struct ice_session *s, uint64_t now_ms)
{
	if (s->checked && now_ms >= s->last_check_ms &&
	    now_ms - s->last_check_ms >= agent->consent_ms)
		return EDGE_ICE_EXPIRY_CONSENT_LAPSED;
	if (!s->checked && now_ms >= s->created_ms && now_ms - s->created_ms >= agent->join_ms)
		return EDGE_ICE_EXPIRY_NEVER_CHECKED;
	return EDGE_ICE_EXPIRY_MAX;
}

unsigned edge_ice_expire(struct edge_ice_agent *agent, uint64_t now_ms, edge_ice_expire_fn fn,
			 void *arg)
{
	unsigned n = 0;

	for (unsigned i = 0; i < agent->capacity; i++) {
		struct ice_session *s = &agent->sessions[i];
		enum edge_ice_expiry why;

		if (!s->in_use)
			continue;
		why = expiry_of(agent, s, now_ms);
		if (why == EDGE_ICE_EXPIRY_MAX)
			continue;
		if (fn)
			fn(arg, s->cookie, s->ufrag, why);
		remove_session(agent, s);
		n++;
	}
	return n;
}
