/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the control-channel codec (include/relais/ctl_proto.h).
 * Decoders return 0 or a documented error; whatever decodes re-encodes, and
 * encode(decode(.)) is a fixed point after one round.
 */
#include <errno.h>
#include <string.h>

#include <relais/ctl_proto.h>

#include "fuzz_target.h"

static int known_error(int r)
{
	return r == -EPROTO || r == -EPROTONOSUPPORT || r == -EBADMSG || r == -EINVAL;
}

static void msg(const uint8_t *data, size_t size)
{
	static uint8_t b1[RELAIS_CTL_MAX_MSG], b2[RELAIS_CTL_MAX_MSG];
	struct relais_ctl_msg m, m2;
	int r, n1, n2;

	memset(&m, 0, sizeof(m));
	r = relais_ctl_decode_msg(data, size, &m);
	FUZZ_ASSERT(r == 0 || known_error(r));
	if (r)
		return;
	n1 = relais_ctl_encode_msg(&m, b1, sizeof(b1));
	FUZZ_ASSERT(n1 >= RELAIS_CTL_HDR_LEN);
	memset(&m2, 0, sizeof(m2));
	FUZZ_ASSERT(relais_ctl_decode_msg(b1, (size_t)n1, &m2) == 0);
	n2 = relais_ctl_encode_msg(&m2, b2, sizeof(b2));
	FUZZ_ASSERT(n1 == n2 && memcmp(b1, b2, (size_t)n1) == 0);
	FUZZ_ASSERT(m2.type == m.type && m2.seq == m.seq);
}

static void reply(const uint8_t *data, size_t size)
{
	static uint8_t b1[RELAIS_CTL_MAX_MSG], b2[RELAIS_CTL_MAX_MSG];
	static struct relais_ctl_reply r1, r2;
	int r, n1, n2;

	memset(&r1, 0, sizeof(r1));
	r = relais_ctl_decode_reply(data, size, &r1);
	FUZZ_ASSERT(r == 0 || known_error(r));
	if (r)
		return;
	FUZZ_ASSERT(memchr(r1.error, 0, sizeof(r1.error)) != NULL);
	n1 = relais_ctl_encode_reply(&r1, b1, sizeof(b1));
	FUZZ_ASSERT(n1 >= RELAIS_CTL_HDR_LEN);
	memset(&r2, 0, sizeof(r2));
	FUZZ_ASSERT(relais_ctl_decode_reply(b1, (size_t)n1, &r2) == 0);
	n2 = relais_ctl_encode_reply(&r2, b2, sizeof(b2));
	FUZZ_ASSERT(n1 == n2 && memcmp(b1, b2, (size_t)n1) == 0);
	FUZZ_ASSERT(r2.type == r1.type && r2.seq == r1.seq && r2.status == r1.status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msg(data, size);
	reply(data, size);
	return 0;
}
