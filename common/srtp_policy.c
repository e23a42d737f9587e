/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP profile to libsrtp2 policy (include/relais/srtp_policy.h), expanded
 * from the libsrtp columns of RELAIS_SRTP_PROFILES.
 */
#include <errno.h>
#include <string.h>

#include <relais/srtp_policy.h>
#include <relais/srtp_profile.h>

/* See header. */
int relais_srtp_policy_set(uint32_t id, srtp_crypto_policy_t *rtp, srtp_crypto_policy_t *rtcp)
{
#define POLICY_CASE_(sfx, id_, sdes, dtls, shrt, key, salt, rtag, ctag, aead, prtp, prtcp) \
	case (id_):                                                                        \
		srtp_crypto_policy_set_##prtp(rtp);                                        \
		srtp_crypto_policy_set_##prtcp(rtcp);                                      \
		return 0;
	switch (id) {
		RELAIS_SRTP_PROFILES(POLICY_CASE_)
	default:
		return -EINVAL;
	}
#undef POLICY_CASE_
}

/* See header. */
int relais_srtp_session(srtp_t *out, uint32_t id, const uint8_t *key_salt, int inbound,
			unsigned long window, int update)
{
	const struct relais_srtp_profile_info *pi = relais_srtp_profile_get(id);
	uint8_t material[RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN];
	srtp_err_status_t st;
	srtp_policy_t pol;

	memset(&pol, 0, sizeof(pol));
	if (pi == NULL || relais_srtp_policy_set(id, &pol.rtp, &pol.rtcp) < 0)
		return -EINVAL;
	memcpy(material, key_salt, (size_t)pi->key_len + pi->salt_len);
	pol.key = material;
	pol.window_size = window;
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	st = update ? srtp_update(*out, &pol) : srtp_create(out, &pol);
	explicit_bzero(material, sizeof(material));
	return st == srtp_err_status_ok ? 0 : -EIO;
}

/* See header. */
int relais_srtp_session_key(srtp_t *out, const struct relais_srtp_key *k, int inbound,
			    unsigned long window, int update)
{
	const struct relais_srtp_profile_info *pi = relais_srtp_profile_get(k->profile);
	uint8_t material[RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN];
	int rc;

	if (pi == NULL)
		return -EINVAL;
	memcpy(material, k->key, pi->key_len);
	memcpy(material + pi->key_len, k->salt, pi->salt_len);
	rc = relais_srtp_session(out, k->profile, material, inbound, window, update);
	explicit_bzero(material, sizeof(material));
	return rc;
}
