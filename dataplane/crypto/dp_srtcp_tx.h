/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTCP protect under an SRTCP index the caller chooses (RFC 3711 §3.4,
 * §4.1.1, §4.2; RFC 7714 §9.1-9.2), in place, with OpenSSL. The libsrtp
 * engine sends outbound RTCP this way when the pipeline gives the index
 * (dp_crypto_op.srtcp_index): libsrtp numbers a stream's SRTCP packets
 * from 1 and has no call to start it higher, so a stream resumed after a
 * restart (dp_ostream.h) could not continue above the indexes it used.
 * Always encrypted (E = 1), as the libsrtp policies relais sets.
 */
#ifndef DP_SRTCP_TX_H
#define DP_SRTCP_TX_H

#include <stdint.h>

#include <relais/srtp_profile.h>

#include "dp_srtp_kdf.h"

/* Protect the RTCP packet pkt/len (>= 8 bytes, RELAIS_SRTP_MAX_TRAILER
 * bytes of room after it) under SRTCP index (1 .. 2^31 - 1) with the SRTCP
 * session keys k of profile prof. The new length, or -1 (bad argument,
 * OpenSSL failure: pkt's payload is then unspecified). */
int dp_srtcp_tx_protect(const struct relais_srtp_profile_info *prof,
			const struct dp_srtp_session_keys *k, uint32_t index, uint8_t *pkt,
			uint32_t len);

#endif /* DP_SRTCP_TX_H */
