/* SPDX-License-Identifier: BSD-3-Clause */
/* The output index state file; see dp_index_state.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <relais/srtp_profile.h>

#include "dp_index_state.h"

#define MAGIC "RLXIDX01"
#define VERSION 2u /* 1: no SRTCP ceiling (48-byte records), refused */
#define SECRET_LEN 32
#define HDR_LEN 64
#define REC_LEN 56

/* On disk, host byte order (the file never leaves the node). */
struct hdr {
	char magic[8];
	uint32_t version, n_slots;
	uint8_t secret[SECRET_LEN];
	uint64_t check; /* checksum of the bytes above */
	uint8_t pad[8];
};
struct rec {
	uint32_t part, ssrc;
	uint8_t fp[DP_IXS_FP_LEN];
	uint64_t ceiling;      /* SRTP; 0: none (a feedback SSRC's record) */
	uint32_t rtcp_ceiling; /* SRTCP; 0: empty slot (then every byte is 0) */
	uint32_t pad;
	uint64_t written; /* CLOCK_REALTIME seconds */
	uint64_t check;   /* checksum of the bytes above */
};
_Static_assert(sizeof(struct hdr) == HDR_LEN, "header layout");
_Static_assert(sizeof(struct rec) == REC_LEN, "record layout");

#define NO_SLOT (-1)

struct dp_ixs {
	int fd;
	uint32_t n_slots, n_buckets;
	uint8_t secret[SECRET_LEN];
	struct rec *recs;   /* the file's records, in memory */
	bool *live;         /* slot bound to a stream of this process */
	int32_t *bucket;    /* part hash -> first slot of the chain */
	int32_t *next;      /* slot -> next slot of the same chain */
	uint32_t free_hint; /* where the search for a free slot starts */
};

/* See dp_index_state.h. FNV-1a, 64 bits: detects a torn or damaged
 * record (not an attacker: the directory is relais's own). */
uint64_t dp_ixs_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* Bucket of participant part. */
static uint32_t bucket_of(const struct dp_ixs *s, uint32_t part)
{
	return (part * 2654435761u) % s->n_buckets;
}

/* Link slot i (holding a record) into its participant's chain. */
static void chain_add(struct dp_ixs *s, int i)
{
	uint32_t b = bucket_of(s, s->recs[i].part);

	s->next[i] = s->bucket[b];
	s->bucket[b] = i;
}

/* Unlink slot i from its participant's chain. */
static void chain_del(struct dp_ixs *s, int i)
{
	int32_t *p = &s->bucket[bucket_of(s, s->recs[i].part)];

	while (*p != NO_SLOT && *p != i)
		p = &s->next[*p];
	if (*p == i)
		*p = s->next[i];
}

/* Check dir: a directory, not a symlink, ours, not group/other-writable.
 * 0 or -errno with err. */
static int check_dir(const char *dir, long owner, char *err, size_t n)
{
	struct stat st;

	if (lstat(dir, &st) < 0) {
		snprintf(err, n, "state.dir %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != (owner >= 0 ? (uid_t)owner : geteuid()) ||
	    (st.st_mode & 022) != 0) {
		snprintf(err, n,
			 "state.dir %s: must be a directory (not a symlink) owned by %s "
			 "and writable by it alone",
			 dir, owner >= 0 ? "process.user" : "this user");
		return -EPERM;
	}
	return 0;
}

/* Write the header of a new file (fresh secret) and size it; 0 or -errno. */
static int create_file(struct dp_ixs *s)
{
	struct hdr h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MAGIC, sizeof(h.magic));
	h.version = VERSION;
	h.n_slots = s->n_slots;
	if (RAND_bytes(h.secret, SECRET_LEN) != 1)
		return -EIO;
	h.check = dp_ixs_checksum(&h, offsetof(struct hdr, check));
	memcpy(s->secret, h.secret, SECRET_LEN);
	if (ftruncate(s->fd, HDR_LEN + (off_t)s->n_slots * REC_LEN) < 0 ||
	    pwrite(s->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || fsync(s->fd) < 0) {
		explicit_bzero(&h, sizeof(h));
		return -errno;
	}
	explicit_bzero(&h, sizeof(h));
	return 0;
}

/* Read and check an existing file into s; 0 or -EINVAL with err. */
static int load_file(struct dp_ixs *s, const char *path, char *err, size_t n)
{
	size_t len = (size_t)s->n_slots * REC_LEN;
	struct hdr h;
	struct stat st;

	if (fstat(s->fd, &st) < 0 || pread(s->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, MAGIC, 8) != 0 ||
	    h.check != dp_ixs_checksum(&h, offsetof(struct hdr, check))) {
		snprintf(err, n, "%s: not a relais output index state file (or damaged)", path);
		return -EINVAL;
	}
	if (h.version != VERSION) {
		snprintf(err, n,
			 "%s: format %u, from an older relais that kept no SRTCP indexes: "
			 "remove it and give every participant fresh keys before starting "
			 "again (docs/crypto.md)",
			 path, h.version);
		return -EINVAL;
	}
	if (h.n_slots != s->n_slots || st.st_size != HDR_LEN + (off_t)len) {
		snprintf(err, n,
			 "%s: made for %u streams, limits.subscriptions + limits.participants "
			 "is %u",
			 path, h.n_slots, s->n_slots);
		return -EINVAL;
	}
	memcpy(s->secret, h.secret, SECRET_LEN);
	explicit_bzero(&h, sizeof(h));
	if (pread(s->fd, s->recs, len, HDR_LEN) != (ssize_t)len) {
		snprintf(err, n, "%s: short read", path);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < s->n_slots; i++) {
		const struct rec *r = &s->recs[i];
		static const struct rec empty;

		if (r->rtcp_ceiling == 0 && memcmp(r, &empty, sizeof(*r)) == 0)
			continue;
		if (r->rtcp_ceiling == 0 ||
		    r->check != dp_ixs_checksum(r, offsetof(struct rec, check))) {
			snprintf(err, n, "%s: record %u is damaged", path, i);
			return -EINVAL;
		}
		chain_add(s, (int)i);
	}
	return 0;
}

/* Allocate s's arrays for n_slots; 0 or -ENOMEM. */
static int alloc_arrays(struct dp_ixs *s, uint32_t n_slots)
{
	s->n_slots = n_slots;
	s->n_buckets = n_slots;
	s->recs = calloc(n_slots, sizeof(*s->recs));
	s->live = calloc(n_slots, sizeof(*s->live));
	s->bucket = malloc(sizeof(*s->bucket) * n_slots);
	s->next = malloc(sizeof(*s->next) * n_slots);
	if (!s->recs || !s->live || !s->bucket || !s->next)
		return -ENOMEM;
	for (uint32_t i = 0; i < n_slots; i++)
		s->bucket[i] = s->next[i] = NO_SLOT;
	return 0;
}

/* See dp_index_state.h. */
int dp_ixs_open(struct dp_ixs **out, const char *dir, long owner, uint32_t n_slots, char *err,
		size_t n)
{
	struct dp_ixs *s;
	char path[4096];
	int rc;

	*out = NULL;
	if ((rc = check_dir(dir, owner, err, n)) < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/%s", dir, DP_IXS_FILE);
	s = calloc(1, sizeof(*s));
	if (s == NULL || n_slots == 0 || alloc_arrays(s, n_slots) < 0) {
		dp_ixs_close(s);
		snprintf(err, n, "%s: out of memory", path);
		return -ENOMEM;
	}
	s->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->fd >= 0) {
		rc = create_file(s);
		if (rc < 0)
			snprintf(err, n, "%s: cannot create: %s", path, strerror(-rc));
	} else if (errno == EEXIST) {
		s->fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		rc = s->fd < 0 ? -errno : load_file(s, path, err, n);
		if (s->fd < 0)
			snprintf(err, n, "%s: %s", path, strerror(-rc));
	} else {
		rc = -errno;
		snprintf(err, n, "%s: %s", path, strerror(errno));
	}
	if (rc < 0) {
		dp_ixs_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* See dp_index_state.h. */
void dp_ixs_close(struct dp_ixs *s)
{
	if (s == NULL)
		return;
	if (s->fd > 0)
		close(s->fd);
	explicit_bzero(s->secret, sizeof(s->secret));
	free(s->recs);
	free(s->live);
	free(s->bucket);
	free(s->next);
	free(s);
}

/* See dp_index_state.h. */
void dp_ixs_fingerprint(const struct dp_ixs *s, const struct relais_srtp_key *k,
			uint8_t fp[DP_IXS_FP_LEN])
{
	const struct relais_srtp_profile_info *prof = relais_srtp_profile_get(k->profile);
	uint8_t buf[2 + RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN];
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	size_t len = 2;

	buf[0] = (uint8_t)(k->profile >> 8);
	buf[1] = (uint8_t)k->profile;
	if (prof != NULL) {
		memcpy(buf + len, k->key, prof->key_len);
		len += prof->key_len;
		memcpy(buf + len, k->salt, prof->salt_len);
		len += prof->salt_len;
	}
	HMAC(EVP_sha256(), s->secret, SECRET_LEN, buf, len, md, &md_len);
	memcpy(fp, md, DP_IXS_FP_LEN);
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(md, sizeof(md));
}

/* See dp_index_state.h. Chains are newest first; order does not matter. */
int dp_ixs_next(const struct dp_ixs *s, uint32_t part, int from)
{
	int best = NO_SLOT;

	for (int32_t i = s->bucket[bucket_of(s, part)]; i != NO_SLOT; i = s->next[i])
		if (s->recs[i].part == part && i >= from && (best == NO_SLOT || i < best))
			best = i;
	return best;
}

/* See dp_index_state.h. */
uint32_t dp_ixs_part(const struct dp_ixs *s, int slot)
{
	return s->recs[slot].part;
}

/* See dp_index_state.h. */
const uint8_t *dp_ixs_fp(const struct dp_ixs *s, int slot)
{
	return s->recs[slot].fp;
}

/* See dp_index_state.h. */
uint32_t dp_ixs_ssrc(const struct dp_ixs *s, int slot)
{
	return s->recs[slot].ssrc;
}

/* See dp_index_state.h. */
uint64_t dp_ixs_ceiling(const struct dp_ixs *s, int slot)
{
	return s->recs[slot].ceiling;
}

/* See dp_index_state.h. */
uint32_t dp_ixs_rtcp_ceiling(const struct dp_ixs *s, int slot)
{
	return s->recs[slot].rtcp_ceiling;
}

/* See dp_index_state.h. */
bool dp_ixs_fp_is(const struct dp_ixs *s, int slot, const uint8_t fp[DP_IXS_FP_LEN])
{
	return memcmp(s->recs[slot].fp, fp, DP_IXS_FP_LEN) == 0;
}

/* A free slot, or a record not live and older than DP_IXS_KEEP_S
 * (unlinked), or NO_SLOT. */
static int find_slot(struct dp_ixs *s, uint64_t now)
{
	for (uint32_t k = 0; k < s->n_slots; k++) {
		uint32_t i = (s->free_hint + k) % s->n_slots;
		const struct rec *r = &s->recs[i];

		if (r->rtcp_ceiling == 0 || (!s->live[i] && r->written + DP_IXS_KEEP_S < now)) {
			if (r->rtcp_ceiling != 0)
				chain_del(s, (int)i);
			s->recs[i].rtcp_ceiling = 0;
			s->free_hint = i + 1;
			return (int)i;
		}
	}
	return NO_SLOT;
}

/* Write slot i's in-memory record to the file; 0 or -EIO. */
static int write_rec(struct dp_ixs *s, int i)
{
	off_t off = HDR_LEN + (off_t)i * REC_LEN;

	return pwrite(s->fd, &s->recs[i], REC_LEN, off) == REC_LEN ? 0 : -EIO;
}

/* See dp_index_state.h. */
int dp_ixs_put(struct dp_ixs *s, int slot, uint32_t part, uint32_t ssrc,
	       const uint8_t fp[DP_IXS_FP_LEN], uint64_t ceiling, uint32_t rtcp_ceiling)
{
	uint64_t now = (uint64_t)time(NULL);
	struct rec *r;

	if (slot < 0 && (slot = find_slot(s, now)) < 0)
		return -ENOSPC;
	r = &s->recs[slot];
	if (r->rtcp_ceiling == 0 || r->part != part) {
		if (r->rtcp_ceiling != 0)
			chain_del(s, slot);
		r->part = part;
		chain_add(s, slot);
	}
	r->ssrc = ssrc;
	memcpy(r->fp, fp, DP_IXS_FP_LEN);
	r->ceiling = ceiling;
	r->rtcp_ceiling = rtcp_ceiling;
	r->pad = 0;
	r->written = now;
	r->check = dp_ixs_checksum(r, offsetof(struct rec, check));
	s->live[slot] = true;
	return write_rec(s, slot) < 0 ? -EIO : slot;
}

/* See dp_index_state.h. */
int dp_ixs_erase(struct dp_ixs *s, int slot)
{
	if (s->recs[slot].rtcp_ceiling != 0)
		chain_del(s, slot);
	memset(&s->recs[slot], 0, sizeof(s->recs[slot]));
	s->live[slot] = false;
	return write_rec(s, slot);
}

/* See dp_index_state.h. */
void dp_ixs_release(struct dp_ixs *s, int slot)
{
	s->live[slot] = false;
}

/* See dp_index_state.h. */
int dp_ixs_sync(struct dp_ixs *s)
{
	return fdatasync(s->fd) < 0 ? -errno : 0;
}
