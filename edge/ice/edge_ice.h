/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ICE-lite agent of relais-edge (RFC 8445 §2.5, a=ice-lite): always
 * controlled, it only answers Binding requests. No I/O: the caller feeds
 * each STUN datagram with its source address and the time, and sends what
 * the agent writes back to that source.
 *
 * The agent holds a bounded table of sessions keyed by the local ufrag
 * (capacity fixed at creation). A session is one participant (an opaque
 * 64-bit cookie of the caller) with its local credentials, the remote ufrag
 * when the offer gave one, the addresses that passed an authenticated
 * check, the selected address (the last with an authenticated
 * USE-CANDIDATE) and the time of the last authenticated check.
 *
 * Rules (issue 12):
 *  - only an authenticated Binding request (USERNAME "local:remote",
 *    MESSAGE-INTEGRITY with the local password, FINGERPRINT) changes state
 *    or gets an answer; everything else is counted by its verdict and never
 *    answered (no 401: relais is not a reflector);
 *  - USE-CANDIDATE selects the address, and a later one moves it (a browser
 *    that changes network keeps its call); every authenticated check
 *    refreshes consent (RFC 7675);
 *  - edge_ice_expire() removes a session 30 s (configurable) after its last
 *    authenticated check, or when none came within the join deadline;
 *  - DTLS is for addresses that passed a check: edge_ice_lookup_addr();
 *  - an address belongs to one session: when it passes a check for another
 *    session it leaves the first (and stops being its selection);
 *  - a request with ICE-CONTROLLED gets an authenticated 487 (a lite agent
 *    stays controlled, RFC 8445 §7.3.1.1) and changes nothing; a request
 *    with neither role attribute is accepted; unknown attributes (Chrome's
 *    0xC057 network info, ...) are ignored, never answered with 420.
 *
 * Threading: one thread owns an agent. Errors: 0 / -errno for int
 * functions, NULL + errno for the constructor.
 */
#ifndef EDGE_ICE_H
#define EDGE_ICE_H

#include <stddef.h>
#include <stdint.h>

#include "edge_stun.h"

/* RFC 8839 §5.4: ufrag 4..256 ice-chars, password 22..256. */
#define EDGE_ICE_UFRAG_MIN 4
#define EDGE_ICE_UFRAG_MAX 256
#define EDGE_ICE_PWD_MIN 22
#define EDGE_ICE_PWD_MAX 256
/* What edge_ice_credentials_generate() makes: 48 and 144 random bits. */
#define EDGE_ICE_UFRAG_GEN_LEN 8
#define EDGE_ICE_PWD_GEN_LEN 24
/* Addresses remembered per session; the least recently checked one that
 * is not selected gives way to a new one. */
#define EDGE_ICE_MAX_ADDRS 4
#define EDGE_ICE_CONSENT_TIMEOUT_MS 30000
#define EDGE_ICE_JOIN_TIMEOUT_MS 30000
/* An output buffer of this size always holds the agent's answer. */
#define EDGE_ICE_ANSWER_MAX 128

/* X(ENUM_SUFFIX, "name", "explanation"); ANSWERED and ROLE_CONFLICT write
 * an answer, no other verdict does. */
#define EDGE_ICE_VERDICTS(X)                                                                  \
	X(ANSWERED, "answered", "authenticated Binding request answered")                     \
	X(ROLE_CONFLICT, "role_conflict",                                                     \
	  "authenticated request with ICE-CONTROLLED: answered 487, peer must control")       \
	X(INDICATION, "indication", "Binding indication (keepalive): no answer")              \
	X(MALFORMED, "malformed", "not a well-formed STUN message")                           \
	X(NOT_BINDING_REQUEST, "not_binding_request", "STUN response, error or other method") \
	X(NO_FINGERPRINT, "no_fingerprint", "request without FINGERPRINT")                    \
	X(BAD_FINGERPRINT, "bad_fingerprint", "FINGERPRINT does not match")                   \
	X(NO_USERNAME, "no_username", "request without USERNAME")                             \
	X(BAD_USERNAME, "bad_username", "USERNAME not of the form local:remote")              \
	X(UNKNOWN_UFRAG, "unknown_ufrag", "no session has this local ufrag")                  \
	X(NO_INTEGRITY, "no_integrity", "request without MESSAGE-INTEGRITY")                  \
	X(BAD_INTEGRITY, "bad_integrity", "MESSAGE-INTEGRITY does not match the password")    \
	X(WRONG_REMOTE_UFRAG, "wrong_remote_ufrag", "remote ufrag is not the offer's")        \
	X(BAD_SOURCE, "bad_source", "source address family is neither IPv4 nor IPv6")         \
	X(NO_SPACE, "no_space", "output buffer too small for the answer")

#define EDGE_ICE_VERDICT_ENUM_(sfx, name, help) EDGE_ICE_##sfx,
enum edge_ice_verdict {
	EDGE_ICE_VERDICTS(EDGE_ICE_VERDICT_ENUM_) EDGE_ICE_VERDICT_MAX
};
#undef EDGE_ICE_VERDICT_ENUM_

/* Why edge_ice_expire() removed a session. X(ENUM_SUFFIX, "name", "help") */
#define EDGE_ICE_EXPIRIES(X)                                                          \
	X(CONSENT_LAPSED, "consent_lapsed", "no authenticated check for the timeout") \
	X(NEVER_CHECKED, "never_checked", "no authenticated check by the join deadline")

#define EDGE_ICE_EXPIRY_ENUM_(sfx, name, help) EDGE_ICE_EXPIRY_##sfx,
enum edge_ice_expiry {
	EDGE_ICE_EXPIRIES(EDGE_ICE_EXPIRY_ENUM_) EDGE_ICE_EXPIRY_MAX
};
#undef EDGE_ICE_EXPIRY_ENUM_

/* Names and one-line explanations; "unknown" out of range. */
const char *edge_ice_verdict_name(enum edge_ice_verdict verdict);
const char *edge_ice_verdict_help(enum edge_ice_verdict verdict);
const char *edge_ice_expiry_name(enum edge_ice_expiry why);

/* What an answered request changed. CONSENT: an authenticated check that
 * did not move the selection (addr: its source). NOMINATED: addr is now the
 * selected address (first selection when `moved` is 0). */
enum edge_ice_event_kind {
	EDGE_ICE_EVENT_NONE,
	EDGE_ICE_EVENT_CONSENT,
	EDGE_ICE_EVENT_NOMINATED,
};

struct edge_ice_event {
	enum edge_ice_event_kind kind;
	int moved;
	uint64_t cookie;
	struct edge_stun_addr addr;
	struct edge_stun_addr previous; /* the old selection when moved */
};

/* Local credentials, NUL-terminated ice-char strings. */
struct edge_ice_credentials {
	char ufrag[EDGE_ICE_UFRAG_MAX + 1];
	char pwd[EDGE_ICE_PWD_MAX + 1];
};

/* Most sessions one agent may hold (about 1 KiB each). */
#define EDGE_ICE_CAPACITY_MAX 65536

struct edge_ice_params {
	unsigned capacity;           /* sessions, 1..EDGE_ICE_CAPACITY_MAX */
	uint64_t consent_timeout_ms; /* 0: EDGE_ICE_CONSENT_TIMEOUT_MS */
	uint64_t join_timeout_ms;    /* 0: EDGE_ICE_JOIN_TIMEOUT_MS */
};

/* What edge_ice_session_get() reports (no password). */
struct edge_ice_session_info {
	uint64_t cookie;
	int checked;      /* an authenticated check was seen */
	int has_selected; /* `selected` is valid */
	unsigned n_addrs; /* addresses that passed a check */
	uint64_t last_check_ms;
	struct edge_stun_addr selected;
};

struct edge_ice_agent;

/* A new agent (NULL + errno EINVAL for a capacity out of range, ENOMEM). */
struct edge_ice_agent *edge_ice_create(const struct edge_ice_params *params);
/* Free an agent; every password is wiped. NULL is a no-op. */
void edge_ice_free(struct edge_ice_agent *agent);

/* Fresh random credentials (RAND_bytes, ice-chars): 0 or -EIO. */
int edge_ice_credentials_generate(struct edge_ice_credentials *cred);
/* Wipe credentials (OPENSSL_cleanse). */
void edge_ice_credentials_wipe(struct edge_ice_credentials *cred);

/*
 * Add a session for the participant `cookie`: local credentials (copied),
 * the remote ufrag of the offer or NULL when unknown (then any remote ufrag
 * is accepted), now_ms starts the join deadline. 0, -EINVAL (credentials
 * not ice-chars of RFC lengths), -EEXIST (local ufrag in use), -ENOSPC.
 */
int edge_ice_session_add(struct edge_ice_agent *agent, const struct edge_ice_credentials *local,
			 const char *remote_ufrag, uint64_t cookie, uint64_t now_ms);
/* Delete the session of this local ufrag: 0 or -ENOENT. */
int edge_ice_session_delete(struct edge_ice_agent *agent, const char *local_ufrag);
/*
 * ICE restart (RFC 8445 §9): the session of local_ufrag takes new local
 * credentials and remote ufrag (NULL: unknown); requests with the old ones
 * are refused from now on. Checked addresses, the selection and the consent
 * time are kept, so media flows until the peer nominates again.
 * 0, -ENOENT, -EINVAL, -EEXIST (new ufrag used by another session).
 */
int edge_ice_session_restart(struct edge_ice_agent *agent, const char *local_ufrag,
			     const struct edge_ice_credentials *local, const char *remote_ufrag);
/* Report a session: 0 or -ENOENT. */
int edge_ice_session_get(const struct edge_ice_agent *agent, const char *local_ufrag,
			 struct edge_ice_session_info *info);
/* Number of sessions. */
unsigned edge_ice_session_count(const struct edge_ice_agent *agent);

/*
 * Feed one datagram received from `src` at now_ms. When the verdict is
 * ANSWERED or ROLE_CONFLICT, out[0..*out_len) is the answer to send back to
 * src; otherwise *out_len is 0 and nothing is sent. *event says what an
 * ANSWERED request changed (NONE for every other verdict). A request that
 * is not authenticated never changes state. out_cap >= EDGE_ICE_ANSWER_MAX
 * always suffices.
 */
enum edge_ice_verdict edge_ice_input(struct edge_ice_agent *agent, const uint8_t *datagram,
				     size_t len, const struct edge_stun_addr *src, uint64_t now_ms,
				     uint8_t *out, size_t out_cap, size_t *out_len,
				     struct edge_ice_event *event);

/* How many datagrams got each verdict since creation, indexed by
 * enum edge_ice_verdict (EDGE_ICE_VERDICT_MAX counters), for the main
 * loop's metrics. */
void edge_ice_verdict_counts(const struct edge_ice_agent *agent,
			     uint64_t counts[EDGE_ICE_VERDICT_MAX]);

/* The cookie of the session for which `addr` passed an authenticated check
 * (the only sources whose DTLS may be accepted): 0 or -ENOENT. */
int edge_ice_lookup_addr(const struct edge_ice_agent *agent, const struct edge_stun_addr *addr,
			 uint64_t *cookie);

/* Called for each session edge_ice_expire() removes, before removal. */
typedef void (*edge_ice_expire_fn)(void *arg, uint64_t cookie, const char *local_ufrag,
				   enum edge_ice_expiry why);

/*
 * Remove the sessions whose consent lapsed (consent timeout after the last
 * authenticated check) or that were never checked within the join deadline
 * of their creation, calling fn (may be NULL) for each. Returns how many.
 */
unsigned edge_ice_expire(struct edge_ice_agent *agent, uint64_t now_ms, edge_ice_expire_fn fn,
			 void *arg);

#endif /* EDGE_ICE_H */
