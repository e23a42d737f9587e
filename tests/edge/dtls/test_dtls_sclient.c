/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_dtls against a real DTLS-SRTP client, `openssl s_client -dtls1_2`
 * over UDP on 127.0.0.1 (see dtls_sclient.h). What a user checks: both
 * sides agree on the SRTP profile and on every key byte (s_client's
 * -keymatexport EXTRACTOR-dtls_srtp against the server's rx/tx keys), the
 * server's profile preference wins, a wrong or missing client certificate
 * or a client alert fails the session with its named reason, close_notify
 * ends it cleanly either way, and the handshake survives a fragmented
 * ClientHello, a lost flight and a small MTU.
 *
 *   test_dtls_sclient GROUP   GROUP: keys | auth | network
 * EDGE_DTLS_CAPTURE=PATH writes the first ClientHello seen to PATH (how
 * tests/fuzz/corpus/dtls was seeded).
 */
#define CHECK_MAIN
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "dtls_sclient.h"
#include "edge_opts.h"

/* OpenSSL's names of the DTLS-SRTP profiles (ssl/d1_srtp.c), what s_client
 * takes and prints: the test's own knowledge, checked to cover relais' list. */
static const struct {
	uint16_t id;
	const char *openssl_name;
} openssl_names[] = {
    {RELAIS_SRTP_AES128_CM_SHA1_80, "SRTP_AES128_CM_SHA1_80"},
    {RELAIS_SRTP_AES128_CM_SHA1_32, "SRTP_AES128_CM_SHA1_32"},
    {RELAIS_SRTP_AEAD_AES_128_GCM, "SRTP_AEAD_AES_128_GCM"},
    {RELAIS_SRTP_AEAD_AES_256_GCM, "SRTP_AEAD_AES_256_GCM"},
};
#define N_NAMES (sizeof(openssl_names) / sizeof(openssl_names[0]))

static struct edge_cert *server_cert;
static struct client_cert client, other_client;

/* OpenSSL's name of a relais profile, NULL if the test does not know it. */
static const char *openssl_name(uint16_t id)
{
	for (size_t i = 0; i < N_NAMES; i++)
		if (openssl_names[i].id == id)
			return openssl_names[i].openssl_name;
	return NULL;
}

/* A run with the server's defaults, the good client, profiles offered. */
static void run_init(struct sclient_run *r, const char *client_profiles)
{
	memset(r, 0, sizeof(*r));
	r->params.cert = server_cert;
	r->client = &client;
	r->client_profiles = client_profiles;
	r->max_ms = 6000;
}

/* Exported length of a profile: two keys and two salts. */
static int keymat_len(uint16_t id)
{
	const struct relais_srtp_profile_info *p = relais_srtp_profile_get(id);

	return 2 * (p->key_len + p->salt_len);
}

/* The run connected on profile `id` and both sides hold the same keys, in
 * RFC 5764 §4.2 order: client key, server key, client salt, server salt. */
static void check_agreed(const struct sclient_run *r, uint16_t id, const char *what)
{
	const struct relais_srtp_profile_info *p = relais_srtp_profile_get(id);
	uint8_t theirs[128], ours[128];
	char name[64] = "";
	int n = sclient_keymat(r, theirs, sizeof(theirs));
	size_t k = p->key_len, s = p->salt_len;

	CHECKF(r->connected && r->have_keys, "%s: not connected (%s); s_client said:\n%s", what,
	       edge_dtls_reason_name(r->reason), r->out);
	CHECKF(r->keys.profile == id && r->keys.rx.profile == id && r->keys.tx.profile == id,
	       "%s: server profile 0x%04x, want 0x%04x", what, r->keys.profile, id);
	CHECKF(sclient_profile(r, name, sizeof(name)) == 0 && strcmp(name, openssl_name(id)) == 0,
	       "%s: s_client negotiated '%s', want %s", what, name, openssl_name(id));
	CHECKF(n == (int)(2 * (k + s)), "%s: s_client printed %d key bytes", what, n);
	memcpy(ours, r->keys.rx.key, k);
	memcpy(ours + k, r->keys.tx.key, k);
	memcpy(ours + 2 * k, r->keys.rx.salt, s);
	memcpy(ours + 2 * k + s, r->keys.tx.salt, s);
	if (n == (int)(2 * (k + s)))
		CHECK_MEM(ours, theirs, 2 * (k + s), what);
	CHECK_EQ(r->half_open_connected, 0, "half-open sessions once connected");
	CHECKF(r->max_out_len > 0 && r->max_out_len <= (r->params.mtu ? r->params.mtu : 1200),
	       "%s: longest datagram %zu bytes", what, r->max_out_len);
}

/* Every profile alone: same keys both sides; close_notify from s_client
 * ends the session cleanly. */
static void test_each_profile(void)
{
	const struct relais_srtp_profile_info *p;

	for (size_t i = 0; (p = relais_srtp_profile_at(i)) != NULL; i++) {
		struct sclient_run r;

		if (p->dtls_name == NULL)
			continue;
		CHECKF(openssl_name((uint16_t)p->id) != NULL, "no OpenSSL name known for %s",
		       p->dtls_name);
		if (openssl_name((uint16_t)p->id) == NULL)
			continue;
		run_init(&r, openssl_name((uint16_t)p->id));
		r.keymat_len = keymat_len((uint16_t)p->id);
		r.capture_path = i == 0 ? getenv("EDGE_DTLS_CAPTURE") : NULL;
		CHECK(sclient_run(&r) == 0);
		check_agreed(&r, (uint16_t)p->id, p->name);
		CHECKF(r.state == EDGE_DTLS_CLOSED && r.reason == EDGE_DTLS_CLOSE_NOTIFY,
		       "%s: ended %s/%s, want closed/close_notify", p->name,
		       edge_dtls_state_name(r.state), edge_dtls_reason_name(r.reason));
		CHECK(r.client_exited);
	}
}

/* Several profiles offered: the server's order wins, whatever the client's. */
static void test_server_preference(void)
{
	static const uint16_t cm_first[] = {RELAIS_SRTP_AES128_CM_SHA1_80,
					    RELAIS_SRTP_AEAD_AES_128_GCM};
	struct sclient_run r;

	/* Chromium's order, against the default preference (AEAD_AES_256_GCM first). */
	run_init(&r, "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM");
	r.keymat_len = keymat_len(RELAIS_SRTP_AEAD_AES_256_GCM);
	CHECK(sclient_run(&r) == 0);
	check_agreed(&r, RELAIS_SRTP_AEAD_AES_256_GCM, "default preference");

	run_init(&r, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_32:SRTP_AES128_CM_SHA1_80");
	r.keymat_len = keymat_len(RELAIS_SRTP_AES128_CM_SHA1_80);
	r.params.profiles = cm_first;
	r.params.n_profiles = 2;
	CHECK(sclient_run(&r) == 0);
	check_agreed(&r, RELAIS_SRTP_AES128_CM_SHA1_80, "configured preference");

	/* The default order without 256-bit GCM on the client: 128-bit GCM. */
	run_init(&r, "SRTP_AES128_CM_SHA1_32:SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM");
	r.keymat_len = keymat_len(RELAIS_SRTP_AEAD_AES_128_GCM);
	CHECK(sclient_run(&r) == 0);
	check_agreed(&r, RELAIS_SRTP_AEAD_AES_128_GCM, "second choice");
}

/* relais-edge's --srtp-profiles list (edge_opts_profiles) as the
 * context's preference: its refusals, and its first profile negotiated
 * against Chromium's order of offer. */
static void test_option_list(void)
{
	static const char *const bad[] = {"", "NOT_A_PROFILE", "AEAD_AES_256_GCM,",
					  "aes256-gcm,AEAD_AES_256_GCM", ",AEAD_AES_128_GCM"};
	uint16_t ids[RELAIS_SRTP_PROFILE_COUNT];
	size_t n = 0;
	char err[160];
	struct sclient_run r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKF(edge_opts_profiles(bad[i], ids, RELAIS_SRTP_PROFILE_COUNT, &n, err,
					  sizeof(err)) == -EINVAL &&
			   err[0],
		       "--srtp-profiles '%s' refused", bad[i]);
	CHECK(edge_opts_profiles("AEAD_AES_128_GCM,SRTP_AES128_CM_HMAC_SHA1_80", ids, 1, &n, err,
				 sizeof(err)) == -EINVAL);
	CHECK(edge_opts_profiles("AES_CM_128_HMAC_SHA1_80,aes256-gcm", ids,
				 RELAIS_SRTP_PROFILE_COUNT, &n, err, sizeof(err)) == 0);
	CHECK(n == 2 && ids[0] == RELAIS_SRTP_AES128_CM_SHA1_80 &&
	      ids[1] == RELAIS_SRTP_AEAD_AES_256_GCM);
	run_init(&r, "SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80");
	r.keymat_len = keymat_len(RELAIS_SRTP_AES128_CM_SHA1_80);
	r.params.profiles = ids;
	r.params.n_profiles = n;
	CHECK(sclient_run(&r) == 0);
	check_agreed(&r, RELAIS_SRTP_AES128_CM_SHA1_80, "--srtp-profiles preference");
}

/* A run that must fail with `want`, the server holding no keys, and
 * s_client reporting the failure with `client_says` (it prints its partial
 * session anyway, so its output is read for the alert, not for absent keys). */
static void check_refused(const struct sclient_run *r, enum edge_dtls_reason want,
			  const char *client_says, const char *what)
{
	CHECKF(r->state == EDGE_DTLS_FAILED && r->reason == want, "%s: ended %s/%s, want failed/%s",
	       what, edge_dtls_state_name(r->state), edge_dtls_reason_name(r->reason),
	       edge_dtls_reason_name(want));
	CHECKF(!r->connected && !r->have_keys, "%s: connected", what);
	CHECKF(strstr(r->out, client_says) != NULL, "%s: s_client did not say '%s':\n%s", what,
	       client_says, r->out);
}

/* Authentication and refusals: wrong fingerprint, no certificate, no
 * common profile, a client alert (s_client refusing our self-signed
 * certificate); each with what s_client reports. */
static void test_refusals(void)
{
	static const uint16_t only_gcm256[] = {RELAIS_SRTP_AEAD_AES_256_GCM};
	static const struct {
		const char *what;
		const char *client_profiles;
		int no_cert, wrong_fp, client_verify, server_gcm256_only;
		enum edge_dtls_reason want;
		const char *client_says;
	} cases[] = {
	    {"fingerprint of another certificate", "SRTP_AEAD_AES_128_GCM", 0, 1, 0, 0,
	     EDGE_DTLS_FINGERPRINT_MISMATCH, "alert bad certificate"},
	    {"no client certificate", "SRTP_AEAD_AES_128_GCM", 1, 0, 0, 0, EDGE_DTLS_NO_CLIENT_CERT,
	     "alert handshake failure"},
	    {"no common profile", "SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32", 0, 0, 0, 1,
	     EDGE_DTLS_NO_SRTP_PROFILE, "alert handshake failure"},
	    {"client alert", "SRTP_AEAD_AES_128_GCM", 0, 0, 1, 0, EDGE_DTLS_ALERT,
	     "certificate verify failed"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sclient_run r;

		run_init(&r, cases[i].client_profiles);
		r.keymat_len = 56;
		r.expect_fp = cases[i].wrong_fp ? other_client.fp : client.fp;
		r.client = cases[i].no_cert ? NULL : &client;
		r.client_verify = cases[i].client_verify;
		if (cases[i].server_gcm256_only) {
			r.params.profiles = only_gcm256;
			r.params.n_profiles = 1;
		}
		CHECK(sclient_run(&r) == 0);
		check_refused(&r, cases[i].want, cases[i].client_says, cases[i].what);
		if (cases[i].want == EDGE_DTLS_ALERT) /* unknown_ca, RFC 5246 §7.2.2 */
			CHECK_EQ(r.last_alert, 48, "alert description");
	}
}

/* Our close_notify: the session closes, s_client sees it and exits. */
static void test_local_close(void)
{
	struct sclient_run r;

	run_init(&r, "SRTP_AEAD_AES_128_GCM");
	r.keymat_len = 56;
	r.local_close = 1;
	CHECK(sclient_run(&r) == 0);
	CHECKF(r.connected && r.state == EDGE_DTLS_CLOSED && r.reason == EDGE_DTLS_LOCAL_CLOSE,
	       "local close: %s/%s", edge_dtls_state_name(r.state),
	       edge_dtls_reason_name(r.reason));
	CHECKF(r.client_exited, "s_client did not exit on our close_notify:\n%s", r.out);
}

/* The network: a fragmented ClientHello, a lost first flight, a small MTU. */
static void test_network(void)
{
	struct sclient_run r;

	run_init(&r, "SRTP_AEAD_AES_256_GCM");
	r.keymat_len = keymat_len(RELAIS_SRTP_AEAD_AES_256_GCM);
	r.split_client_hello = 1;
	CHECK(sclient_run(&r) == 0);
	CHECK_EQ(r.client_hello_pieces, 2, "ClientHello fragments sent");
	check_agreed(&r, RELAIS_SRTP_AEAD_AES_256_GCM, "fragmented ClientHello");

	run_init(&r, "SRTP_AEAD_AES_256_GCM");
	r.keymat_len = keymat_len(RELAIS_SRTP_AEAD_AES_256_GCM);
	r.drop_first_flight = 1;
	r.params.retransmit_ms = 200;
	CHECK(sclient_run(&r) == 0);
	check_agreed(&r, RELAIS_SRTP_AEAD_AES_256_GCM, "first flight lost");
	CHECKF(r.relay_dropped >= 1, "the relay lost nothing");
	CHECKF(r.stats.retransmits >= 1, "retransmissions: %llu",
	       (unsigned long long)r.stats.retransmits);

	/* Our CCS+Finished lost: connected already, we resend them when the
	 * client retransmits its last flight, and it completes too. */
	run_init(&r, "SRTP_AEAD_AES_128_GCM");
	r.keymat_len = keymat_len(RELAIS_SRTP_AEAD_AES_128_GCM);
	r.drop_last_flight = 1;
	CHECK(sclient_run(&r) == 0);
	check_agreed(&r, RELAIS_SRTP_AEAD_AES_128_GCM, "last flight lost");
	CHECKF(r.relay_dropped >= 1, "the relay lost nothing");
	CHECKF(r.state == EDGE_DTLS_CLOSED && r.reason == EDGE_DTLS_CLOSE_NOTIFY,
	       "last flight lost: ended %s/%s", edge_dtls_state_name(r.state),
	       edge_dtls_reason_name(r.reason));

	run_init(&r, "SRTP_AES128_CM_SHA1_80");
	r.keymat_len = keymat_len(RELAIS_SRTP_AES128_CM_SHA1_80);
	r.params.mtu = 300;
	CHECK(sclient_run(&r) == 0);
	check_agreed(&r, RELAIS_SRTP_AES128_CM_SHA1_80, "MTU 300");
	/* our first flight (about 640 bytes) needs 3 such datagrams, the last one 1 */
	CHECKF(r.stats.datagrams_out >= 4, "%llu datagrams out",
	       (unsigned long long)r.stats.datagrams_out);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/edge-dtls-test.XXXXXX";
	const char *group = argc > 1 ? argv[1] : "keys";
	enum edge_cert_error why;

	if (mkdtemp(dir) == NULL)
		return 1;
	server_cert = edge_cert_generate("relais-test", &why);
	CHECK(server_cert != NULL);
	CHECKF(client_cert_make(dir, "client", &client) == 0 &&
		   client_cert_make(dir, "other", &other_client) == 0,
	       "the openssl command could not make client certificates (is it installed?)");
	if (server_cert != NULL && check_n_fail == 0) {
		if (strcmp(group, "keys") == 0) {
			test_each_profile();
			test_server_preference();
			test_option_list();
		} else if (strcmp(group, "auth") == 0) {
			test_refusals();
			test_local_close();
		} else if (strcmp(group, "network") == 0) {
			test_network();
		} else {
			CHECKF(0, "unknown group %s", group);
		}
	}
	edge_cert_free(server_cert);
	unlink(client.cert_path), unlink(client.key_path);
	unlink(other_client.cert_path), unlink(other_client.key_path);
	rmdir(dir);
	return check_summary(group);
}
