/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais's side of the transport in the edge/sdp tests, the tool and the
 * fuzz target: fixed ICE credentials and a well-formed sha-256 fingerprint
 * (no DTLS runs in these tests), the media port 40000.
 */
#ifndef SDP_TEST_LOCAL_H
#define SDP_TEST_LOCAL_H

#include "edge_sdp.h"

#define SDP_TEST_FINGERPRINT                                                                \
	"sha-256 "                                                                          \
	"0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:0F:1E:2D:3C:4B:5A:69:78:87:96:A5:" \
	"B4:C3:D2:E1:F0"

/* An initializer of struct edge_sdp_local with host address addr. */
#define SDP_TEST_LOCAL(addr)                                                           \
	{                                                                              \
		.ice_ufrag = "rlAs", .ice_pwd = "relaisTestPassword0123456789",        \
		.fingerprint = SDP_TEST_FINGERPRINT, .address = (addr), .port = 40000, \
		.session_id = 42                                                       \
	}

#endif /* SDP_TEST_LOCAL_H */
