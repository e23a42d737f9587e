/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seed generator for the fuzz_cp_desired target: rooms as the loader reads
 * them (three SMEMBERS replies, then one HGETALL reply per member, see
 * fuzz_cp_desired.c for the layout), with keys wrapped by the real
 * cp_kw_wrap under the target's keyring, valid and hostile. Writes each as
 * DIR/<name>.bin. Run through tests/fuzz/make_corpus.py --cp-gen.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_cp_keyring.h"

static const char *out_dir;
static struct cp_keyring kr;
static char buf[16384];
static size_t len;

/* Append n bytes of raw RESP. */
static void raw_n(const char *s, size_t n)
{
	if (n > sizeof(buf) - len)
		n = sizeof(buf) - len;
	memcpy(buf + len, s, n);
	len += n;
}

/* Append raw RESP text. */
static void raw(const char *s)
{
	raw_n(s, strlen(s));
}

/* Append an array header of n elements. */
static void arr(int n)
{
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "*%d\r\n", n);
}

/* Append a bulk string. */
static void bulk(const char *s)
{
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "$%zu\r\n%s\r\n", strlen(s), s);
}

/* Start a seed: max_objects, chunk size. */
static void start(int max_objects, int chunk)
{
	buf[0] = (char)max_objects;
	buf[1] = (char)chunk;
	len = 2;
}

/* Write the seed as out_dir/name.bin; 0 or -errno. */
static int put(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.bin", out_dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	fwrite(buf, 1, len, f);
	return fclose(f) ? -errno : 0;
}

/* Append the HGETALL reply of participant id with keys of key_len bytes. */
static void part(unsigned id, const char *addr, const char *profile, size_t key_len)
{
	uint8_t plain[CP_KW_MAX_PLAIN];
	char aad[CP_KW_AAD_MAX], kid[CP_KW_KID_LEN + 1], rx[CP_KW_MAX_WRAPPED];
	char tx[CP_KW_MAX_WRAPPED];
	struct relais_addr a = {0};

	relais_addr_parse(addr, &a); /* gen absent from the hash: 1 */
	memset(plain, (int)id, sizeof(plain));
	cp_kw_aad(aad, sizeof(aad), FUZZ_CP_ROOM, id, "rx", profile, &a, 1);
	cp_kw_wrap(&kr, aad, plain, key_len, rx, kid);
	cp_kw_aad(aad, sizeof(aad), FUZZ_CP_ROOM, id, "tx", profile, &a, 1);
	cp_kw_wrap(&kr, aad, plain, key_len, tx, kid);
	arr(12);
	bulk("addr");
	bulk(addr);
	bulk("profile");
	bulk(profile);
	bulk("kid");
	bulk(kid);
	bulk("rx_key");
	bulk(rx);
	bulk("tx_key");
	bulk(tx);
	bulk("fb_ssrc");
	bulk("0x1234");
}

/* The indexes {1,2} of each kind. */
static void indexes_12(void)
{
	for (int k = 0; k < 3; k++) {
		arr(2);
		bulk("1");
		bulk("2");
	}
}

/* A valid room: two participants, two tracks, two subscriptions. */
static void valid_room(void)
{
	indexes_12();
	part(1, "192.0.2.1:5000", "AES_CM_128_HMAC_SHA1_80", 30);
	part(2, "[2001:db8::2]:5002", "AEAD_AES_256_GCM", 44);
	raw("*4\r\n$4\r\npart\r\n$1\r\n1\r\n$4\r\nkind\r\n$5\r\naudio\r\n");
	raw("*10\r\n$4\r\npart\r\n$1\r\n2\r\n$4\r\nkind\r\n$5\r\nvideo\r\n$4\r\nssrc\r\n$"
	    "3\r\n100\r\n"
	    "$2\r\npt\r\n$2\r\n96\r\n$10\r\nclock_rate\r\n$5\r\n90000\r\n");
	raw("*6\r\n$4\r\npart\r\n$1\r\n2\r\n$5\r\ntrack\r\n$1\r\n1\r\n$8\r\nout_ssrc\r\n$"
	    "1\r\n7\r\n");
	raw("*8\r\n$4\r\npart\r\n$1\r\n1\r\n$5\r\ntrack\r\n$1\r\n2\r\n$8\r\nout_ssrc\r\n$"
	    "3\r\n0x8\r\n"
	    "$6\r\npt_map\r\n$13\r\n96:100,97:101\r\n");
}

int main(int argc, char **argv)
{
	static const char nul[] = "*2\r\n$4\r\npart\r\n$3\r\n1\0"
				  "2\r\n";
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	fuzz_cp_keyring(&kr);

	start(100, 0);
	valid_room();
	rc |= put("valid_room");
	start(100, 7);
	valid_room();
	rc |= put("valid_room_chunked");
	start(3, 0); /* 6 objects, max 3: refused whole */
	valid_room();
	rc |= put("oversized");

	/* Elements that are not strings, in every position. */
	start(100, 0);
	indexes_12();
	raw("*2\r\n:5\r\n$4\r\n1234\r\n");
	raw("*4\r\n$4\r\naddr\r\n$-1\r\n$7\r\nprofile\r\n*1\r\n$1\r\nx\r\n");
	raw("*2\r\n+OK\r\n-ERR no\r\n");
	raw("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
	raw_n(nul, sizeof(nul) - 1);
	raw("*1\r\n*1\r\n*1\r\n:1\r\n");
	rc |= put("not_strings");

	/* WRONGTYPE for an index and for objects, nil and other replies. */
	start(100, 0);
	raw("*1\r\n$1\r\n1\r\n");
	raw("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
	raw("*2\r\n:1\r\n$-1\r\n");
	raw("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
	raw("$-1\r\n");
	raw("*-1\r\n");
	rc |= put("wrongtype_nil");

	/* The same id twice, a field twice, bad values. */
	start(100, 0);
	raw("*3\r\n$1\r\n7\r\n$2\r\n07\r\n$3\r\n0x7\r\n");
	raw("*1\r\n$1\r\n1\r\n");
	raw("*1\r\n$1\r\n1\r\n");
	part(7, "192.0.2.7:5000", "AEAD_AES_128_GCM", 28);
	part(7, "192.0.2.7:5000", "AEAD_AES_128_GCM", 28);
	part(7, "192.0.2.7:5000", "AES_CM_128_HMAC_SHA1_32", 28);
	raw("*6\r\n$4\r\npart\r\n$1\r\n7\r\n$4\r\nkind\r\n$5\r\nvideo\r\n$4\r\nkind\r\n$"
	    "5\r\naudio\r\n");
	raw("*8\r\n$4\r\npart\r\n$1\r\n7\r\n$5\r\ntrack\r\n$1\r\n1\r\n$8\r\nout_ssrc\r\n$1\r\n9\r\n"
	    "$6\r\npt_map\r\n$7\r\n96:100,\r\n");
	rc |= put("duplicates");
	return rc ? 1 : 0;
}
