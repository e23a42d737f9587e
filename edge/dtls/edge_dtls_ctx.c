/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DTLS-SRTP server context: one SSL_CTX (DTLS 1.2, ECDHE-ECDSA, the node
 * certificate, a client certificate required), the use_srtp profiles in the
 * server's preference order taken from relais' one profile list
 * (include/relais/srtp_profile.h), and the two handshake callbacks: the
 * ClientHello check of use_srtp (no common profile fails the handshake with
 * a handshake_failure alert, RFC 5764 §4.1.3) and the peer certificate
 * check by fingerprint (RFC 5763 §5) in place of a chain verification.
 * Also the names of EDGE_DTLS_REASONS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/tls1.h>
#include <openssl/x509.h>

#include "edge_dtls_impl.h"

/* ECDHE only (forward secrecy), ECDSA as the node key is P-256. */
#define DTLS_CIPHERS                                                   \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA"
#define DTLS_GROUPS "X25519:P-256:P-384"
/* OpenSSL spells the RFC 5764 names "..._CM_HMAC_SHA1_..." as "..._CM_SHA1_...". */
#define OPENSSL_NAME_DROP "HMAC_"
#define PROFILE_NAMES_MAX 256

static const uint16_t default_profiles[] = {
    RELAIS_SRTP_AEAD_AES_256_GCM, RELAIS_SRTP_AEAD_AES_128_GCM, RELAIS_SRTP_AES128_CM_SHA1_80,
    RELAIS_SRTP_AES128_CM_SHA1_32};

#define DTLS_NAME_(sfx, name, help) name,
static const char *const reason_names[] = {EDGE_DTLS_REASONS(DTLS_NAME_)};
#undef DTLS_NAME_
#define DTLS_HELP_(sfx, name, help) help,
static const char *const reason_help[] = {EDGE_DTLS_REASONS(DTLS_HELP_)};
#undef DTLS_HELP_

/* See edge_dtls.h. */
const char *edge_dtls_reason_name(enum edge_dtls_reason r)
{
	return (unsigned)r < EDGE_DTLS_REASON_MAX ? reason_names[r] : "?";
}

/* See edge_dtls.h. */
const char *edge_dtls_reason_help(enum edge_dtls_reason r)
{
	return (unsigned)r < EDGE_DTLS_REASON_MAX ? reason_help[r] : "?";
}

/* See edge_dtls.h. */
const char *edge_dtls_state_name(enum edge_dtls_state st)
{
	static const char *const names[] = {"handshaking", "connected", "closed", "failed"};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

/* See edge_dtls_impl.h. */
struct edge_dtls_session *edge_dtls_session_of(const SSL *ssl)
{
	return SSL_get_app_data(ssl);
}

/* 1 when the context accepts the DTLS-SRTP profile id. */
static int ctx_accepts_profile(const struct edge_dtls_ctx *ctx, unsigned id)
{
	for (size_t i = 0; i < ctx->n_profiles; i++)
		if (ctx->profiles[i] == id)
			return 1;
	return 0;
}

/* Read a use_srtp extension body (RFC 5764 §4.1.1: a 2-byte length, 2-byte
 * profile ids, a 1-byte MKI length, the MKI). Returns 1 when it offers a
 * profile the context accepts, 0 when not, -1 when it is malformed. */
static int use_srtp_offers_ours(const struct edge_dtls_ctx *ctx, const uint8_t *p, size_t len)
{
	size_t list_len;
	int found = 0;

	if (len < 2)
		return -1;
	list_len = (size_t)p[0] << 8 | p[1];
	if (list_len < 2 || list_len % 2 != 0 || len < 2 + list_len + 1 ||
	    len != 2 + list_len + 1 + p[2 + list_len])
		return -1;
	for (size_t i = 0; i < list_len; i += 2)
		found |= ctx_accepts_profile(ctx, (unsigned)p[2 + i] << 8 | p[3 + i]);
	return found;
}

/* ClientHello callback: refuse a client that offers no profile of ours
 * before any state is spent on it. */
static int client_hello_check(SSL *ssl, int *alert, void *arg)
{
	struct edge_dtls_session *s = edge_dtls_session_of(ssl);
	const struct edge_dtls_ctx *ctx = arg;
	const unsigned char *ext = NULL;
	size_t ext_len = 0;
	int offers;

	if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_use_srtp, &ext, &ext_len) != 1) {
		s->pending = EDGE_DTLS_NO_SRTP_PROFILE;
		*alert = SSL_AD_HANDSHAKE_FAILURE;
		return SSL_CLIENT_HELLO_ERROR;
	}
	offers = use_srtp_offers_ours(ctx, ext, ext_len);
	if (offers <= 0) {
		s->pending = offers < 0 ? EDGE_DTLS_HANDSHAKE_ERROR : EDGE_DTLS_NO_SRTP_PROFILE;
		*alert = offers < 0 ? SSL_AD_DECODE_ERROR : SSL_AD_HANDSHAKE_FAILURE;
		return SSL_CLIENT_HELLO_ERROR;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* Certificate verification in place of a chain check: the peer's leaf
 * certificate is accepted whatever its issuer when its SHA-256 digest is
 * the fingerprint of the offer (RFC 5763 §5); else the handshake fails
 * with bad_certificate and the session records fingerprint_mismatch. */
static int verify_fingerprint(X509_STORE_CTX *store, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct edge_dtls_session *s = ssl != NULL ? edge_dtls_session_of(ssl) : NULL;
	X509 *leaf = X509_STORE_CTX_get0_cert(store);
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	(void)arg;
	if (s == NULL || leaf == NULL)
		return 0;
	if (X509_digest(leaf, EVP_sha256(), md, &md_len) != 1 || md_len != EDGE_FINGERPRINT_LEN ||
	    CRYPTO_memcmp(md, s->peer_fp, EDGE_FINGERPRINT_LEN) != 0) {
		s->pending = EDGE_DTLS_FINGERPRINT_MISMATCH;
		X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	return 1;
}

/* Copy the parameters into ctx with their defaults; 0 or -EINVAL. */
static int ctx_take_params(struct edge_dtls_ctx *ctx, const struct edge_dtls_params *p)
{
	const uint16_t *ids = p->profiles ? p->profiles : default_profiles;
	size_t n = p->profiles ? p->n_profiles : sizeof(default_profiles) / sizeof(ids[0]);

	ctx->mtu = p->mtu ? p->mtu : EDGE_DTLS_DEFAULT_MTU;
	ctx->handshake_ms = p->handshake_ms ? p->handshake_ms : EDGE_DTLS_DEFAULT_HANDSHAKE_MS;
	ctx->retransmit_ms = p->retransmit_ms ? p->retransmit_ms : EDGE_DTLS_DEFAULT_RETRANSMIT_MS;
	ctx->max_half_open = p->max_half_open ? p->max_half_open : EDGE_DTLS_DEFAULT_MAX_HALF_OPEN;
	if (p->cert == NULL || ctx->mtu < EDGE_DTLS_MIN_MTU || ctx->mtu > EDGE_DTLS_MAX_MTU ||
	    n == 0 || n > RELAIS_SRTP_PROFILE_COUNT)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		const struct relais_srtp_profile_info *info = relais_srtp_profile_get(ids[i]);

		if (info == NULL || info->dtls_name == NULL || ctx_accepts_profile(ctx, ids[i]))
			return -EINVAL;
		ctx->profiles[ctx->n_profiles++] = ids[i];
	}
	return 0;
}

/* Append OpenSSL's name of a relais profile (its DTLS-SRTP name without
 * "HMAC_") and a ':' to list[cap]; 0 or -EINVAL when it does not fit. */
static int append_openssl_name(char *list, size_t cap, const char *dtls_name)
{
	const char *drop = strstr(dtls_name, OPENSSL_NAME_DROP);
	size_t used = strlen(list);
	size_t head = drop ? (size_t)(drop - dtls_name) : strlen(dtls_name);
	const char *tail = drop ? drop + strlen(OPENSSL_NAME_DROP) : "";
	int n = snprintf(list + used, cap - used, "%s%.*s%s", used ? ":" : "", (int)head, dtls_name,
			 tail);

	return n < 0 || (size_t)n >= cap - used ? -EINVAL : 0;
}

/* 1 when OpenSSL's configured profiles are ctx->profiles, in order. */
static int srtp_profiles_match(const struct edge_dtls_ctx *ctx)
{
	SSL *ssl = SSL_new(ctx->ssl_ctx);
	STACK_OF(SRTP_PROTECTION_PROFILE) *got = ssl ? SSL_get_srtp_profiles(ssl) : NULL;
	int ok = got != NULL && (size_t)sk_SRTP_PROTECTION_PROFILE_num(got) == ctx->n_profiles;

	for (size_t i = 0; ok && i < ctx->n_profiles; i++)
		ok = sk_SRTP_PROTECTION_PROFILE_value(got, (int)i)->id == ctx->profiles[i];
	SSL_free(ssl);
	return ok;
}

/* Give the SSL_CTX the use_srtp list; 0, -EINVAL (a profile OpenSSL does
 * not know) or -EPROTO. */
static int ctx_set_srtp(struct edge_dtls_ctx *ctx)
{
	char list[PROFILE_NAMES_MAX] = "";

	for (size_t i = 0; i < ctx->n_profiles; i++) {
		const struct relais_srtp_profile_info *info =
		    relais_srtp_profile_get(ctx->profiles[i]);

		if (append_openssl_name(list, sizeof(list), info->dtls_name) != 0)
			return -EINVAL;
	}
	/* Returns 0 on success (sic, SSL_CTX_set_tlsext_use_srtp(3)). */
	if (SSL_CTX_set_tlsext_use_srtp(ctx->ssl_ctx, list) != 0)
		return -EINVAL;
	return srtp_profiles_match(ctx) ? 0 : -EPROTO;
}

/* Configure the SSL_CTX: DTLS 1.2, suites, groups, certificate, client
 * certificate by fingerprint, callbacks. 0 or -EPROTO. */
static int ctx_configure(struct edge_dtls_ctx *ctx, const struct edge_cert *cert)
{
	SSL_CTX *c = ctx->ssl_ctx;
	char groups[] = DTLS_GROUPS; /* the macro casts away const (clang -Wcast-qual) */

	if (SSL_CTX_set_min_proto_version(c, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(c, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(c, DTLS_CIPHERS) != 1 ||
	    SSL_CTX_set1_groups_list(c, groups) != 1 ||
	    SSL_CTX_use_certificate(c, edge_cert_x509(cert)) != 1 ||
	    SSL_CTX_use_PrivateKey(c, edge_cert_pkey(cert)) != 1 ||
	    SSL_CTX_check_private_key(c) != 1)
		return -EPROTO;
	SSL_CTX_set_options(c, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_QUERY_MTU |
				   SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_read_ahead(c, 1);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(c, verify_fingerprint, NULL);
	SSL_CTX_set_client_hello_cb(c, client_hello_check, ctx);
	return 0;
}

/* See edge_dtls.h. */
struct edge_dtls_ctx *edge_dtls_ctx_new(const struct edge_dtls_params *params)
{
	struct edge_dtls_ctx *ctx = calloc(1, sizeof(*ctx));
	int err;

	if (ctx == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	err = params == NULL ? -EINVAL : ctx_take_params(ctx, params);
	if (err == 0) {
		ctx->ssl_ctx = SSL_CTX_new(DTLS_server_method());
		ctx->bio_method = edge_dtls_bio_method_new();
		if (ctx->ssl_ctx == NULL || ctx->bio_method == NULL)
			err = -ENOMEM;
	}
	if (err == 0)
		err = ctx_configure(ctx, params->cert);
	if (err == 0)
		err = ctx_set_srtp(ctx);
	ERR_clear_error();
	if (err != 0) {
		edge_dtls_ctx_free(ctx);
		errno = -err;
		return NULL;
	}
	return ctx;
}

/* See edge_dtls.h. */
int edge_dtls_ctx_free(struct edge_dtls_ctx *ctx)
{
	if (ctx == NULL)
		return 0;
	if (ctx->live != 0)
		return -EBUSY;
	SSL_CTX_free(ctx->ssl_ctx);
	BIO_meth_free(ctx->bio_method);
	free(ctx);
	return 0;
}

/* See edge_dtls.h. */
unsigned edge_dtls_half_open(const struct edge_dtls_ctx *ctx)
{
	return ctx->half_open;
}

/* See edge_dtls.h. */
uint64_t edge_dtls_refused_cap(const struct edge_dtls_ctx *ctx)
{
	return ctx->refused_cap;
}
