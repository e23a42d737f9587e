/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one mapping from a relais SRTP profile (include/relais/srtp_profile.h)
 * to libsrtp2 crypto policies, for every libsrtp user: the dataplane's
 * libsrtp engine, the pipeline tests, relais-bench, relais-loadgen and
 * cp_follow. Library relais_srtp_policy (common/): libsrtp2 and
 * relais_common only, no DPDK.
 */
#ifndef RELAIS_SRTP_POLICY_H
#define RELAIS_SRTP_POLICY_H

#include <stdint.h>

#include <srtp2/srtp.h>

#include "ctl_proto.h"

/* Set rtp and rtcp to the libsrtp crypto policies of profile id (the
 * libsrtp columns of RELAIS_SRTP_PROFILES). 0, or -EINVAL for an unknown id
 * (then rtp and rtcp are untouched). */
int relais_srtp_policy_set(uint32_t id, srtp_crypto_policy_t *rtp, srtp_crypto_policy_t *rtcp);

/* A libsrtp session of profile id with key_salt (master key || master
 * salt, the profile's lengths), for any outbound SSRC or, when inbound is
 * non-zero, any inbound one, replay window `window` packets; on success
 * *out is the session and 0 is returned. srtp_update()s the existing *out
 * instead of creating one when update is non-zero (ROCs are kept, RFC 3711
 * §3.3.1). -EINVAL for an unknown profile, -EIO when libsrtp refuses; the
 * copy of the key made for libsrtp is wiped either way. */
int relais_srtp_session(srtp_t *out, uint32_t id, const uint8_t *key_salt, int inbound,
			unsigned long window, int update);

/* relais_srtp_session() for a control-channel key k (profile, key, salt). */
int relais_srtp_session_key(srtp_t *out, const struct relais_srtp_key *k, int inbound,
			    unsigned long window, int update);

#endif /* RELAIS_SRTP_POLICY_H */
