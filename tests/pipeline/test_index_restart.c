/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output SRTP index uniqueness across dataplane restarts (issue 11,
 * docs/crypto.md "Index uniqueness across restarts"), with the engine in
 * argv[1] and the subscriber's outbound profile in argv[2] ("cm80" or
 * "gcm128").
 *
 * Each lifetime is a child process: the real dataplane (pl_harness) with
 * state.dir set, re-programmed with the same room, participants and keys,
 * forwards publisher A's packets to subscriber S under out_ssrc X; every
 * frame to S is written, as sent, to a capture file; then the child kills
 * itself with SIGKILL (no shutdown path runs). The parent holds ONE
 * libsrtp2 receiving session with S's key across every lifetime (the
 * independent oracle, as a browser whose session outlives the restart):
 * every captured packet must decrypt in it, and its (rollover counter,
 * sequence) index must grow strictly across all lifetimes (no (SSRC,
 * index) twice) with each restart's jump at most state.block + 1 (< 2^15,
 * which is why the receiver follows, rollover counter included: the run
 * crosses at least one rollover). One lifetime uses a small block and
 * sends more than it, so the ceiling is raised while forwarding, without
 * a single tx_index_reserve drop.
 * Then the state file itself: it opens and checks; a damaged record, a
 * wrong slot count, a symlinked or group-writable directory are refused
 * with a sentence; and a dataplane started on the damaged file refuses to
 * start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <relais/srtp_policy.h>
#include <relais/srtp_profile.h>

#include "dp_index_state.h"
#include "pl_harness.h"
#define CHECK_MAIN
#include "check.h"

#define OUT_X 0x0c0ffee0u
#define WAIT_MS 5000
#define MAX_IDX 4096
#define BURST 50

/* The lifetimes: state.block and packets forwarded in each. */
static const struct {
	unsigned block, pkts;
} lives[] = {{16384, 20}, {16384, 20}, {16384, 20}, {16384, 20},
	     {16384, 20}, {256, 600},  {256, 20}};
#define N_LIVES (sizeof(lives) / sizeof(lives[0]))

static int cap_fd = -1;
static unsigned n_raw;

/* The raw hook of S: every frame to it, as sent, to the capture file. */
static void on_raw(const uint8_t *pkt, size_t n)
{
	uint16_t len = (uint16_t)n;

	if (write(cap_fd, &len, sizeof(len)) != sizeof(len) || write(cap_fd, pkt, n) != (ssize_t)n)
		_exit(6);
	n_raw++;
}

/* Peer at 10.0.0.<host>, port 42000 + host. */
static void peer_at(struct pl_peer *p, const char *name, uint32_t id, unsigned host)
{
	char ip[32];

	snprintf(ip, sizeof(ip), "10.0.0.%u", host);
	p->name = name;
	p->id = id;
	p->ep.family = 4;
	inet_pton(AF_INET, ip, p->ep.ip);
	p->ep.port = (uint16_t)(42000 + host);
	memcpy(p->ep.mac, (uint8_t[6]){0x02, 0x00, 0x5e, 0x00, 0x02, (uint8_t)host}, 6);
	p->fb_ssrc = 0xfb000000u + id;
}

/* The control plane's programming after a restart: room 1, A (id 1) with
 * its track 11, S (id 2) on it under X; the same keys every time. 0 or -1. */
static int program(struct pl_env *e, struct pl_peer *a, struct pl_peer *s, uint16_t prof)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_ROOM_ADD};
	uint8_t f[PL_FRAME_MAX];

	peer_at(a, "A", 1, 2);
	peer_at(s, "S", 2, 3);
	if (pl_peer_init(e, a, prof, prof, 1) < 0 || pl_peer_init(e, s, prof, prof, 2) < 0)
		return -1;
	s->raw = on_raw;
	m.u.room.room_id = 1;
	if (pl_ctl(&m) != 0)
		return -1;
	pl_part_msg(&m, RELAIS_CTL_PART_ADD, 1, a);
	if (pl_ctl(&m) != 0)
		return -1;
	pl_part_msg(&m, RELAIS_CTL_PART_ADD, 1, s);
	if (pl_ctl(&m) != 0)
		return -1;
	m = (struct relais_ctl_msg){.type = RELAIS_CTL_TRACK_ADD};
	m.u.track = (struct relais_ctl_track){
	    11, 1, 0xaaaa0001u, 48000, RELAIS_TRACK_AUDIO, 0, RELAIS_PT_ANY, 0};
	if (pl_ctl(&m) != 0)
		return -1;
	pl_inject(e, f, pl_arp_request(f, &a->ep, e->us4.ip));
	pl_inject(e, f, pl_arp_request(f, &s->ep, e->us4.ip));
	if (!pl_wait_neigh(e, s, WAIT_MS) || !pl_wait_neigh(e, a, WAIT_MS))
		return -1;
	m = (struct relais_ctl_msg){.type = RELAIS_CTL_SUB_ADD};
	m.u.sub.sub_id = 21;
	m.u.sub.part_id = 2;
	m.u.sub.track_id = 11;
	m.u.sub.out_ssrc = OUT_X;
	return pl_ctl(&m) == 0 ? 0 : -1;
}

/* One lifetime (the child): program, forward lives[life].pkts packets in
 * bursts, each waited for at S, then SIGKILL. Exit codes: 3 the
 * dataplane did not start, 4 programming failed, 5 packets missing, 7
 * tx_index_reserve drops. */
static void lifetime(const char *prog, const char *engine, uint16_t prof, unsigned life)
{
	static struct pl_env e;
	static struct pl_peer a, s;
	struct relais_ctl_stats st;
	uint8_t pkt[256];
	unsigned sent = 0;

	pl_state_block = lives[life].block;
	if (pl_setup_engine(&e, prog, 1, engine) < 0)
		_exit(3);
	if (program(&e, &a, &s, prof) < 0)
		_exit(4);
	if (write(cap_fd, &s.tx_key, sizeof(s.tx_key)) != sizeof(s.tx_key))
		_exit(6);
	while (sent < lives[life].pkts) {
		unsigned n = lives[life].pkts - sent < BURST ? lives[life].pkts - sent : BURST;
		struct timespec t0, t;

		for (unsigned i = 0; i < n; i++) {
			uint16_t seq = (uint16_t)(life * 4000 + sent + i);
			size_t len = pl_rtp(pkt, 111, false, seq, 960u * seq, 0xaaaa0001u, 100);

			if (pl_send(&e, &a, pkt, len, false) < 0)
				_exit(4);
		}
		sent += n;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			pl_pump(&e, 2);
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while (n_raw < sent && (t.tv_sec - t0.tv_sec) * 1000 < WAIT_MS);
		if (n_raw != sent)
			_exit(5);
	}
	pl_stats(&st);
	if (st.drops[RELAIS_DROP_TX_INDEX_RESERVE] != 0)
		_exit(7);
	fsync(cap_fd);
	raise(SIGKILL);
	_exit(8);
}

/* Run lifetime `life` in a child writing to cap; its wait status. */
static int run_child(const char *prog, const char *engine, uint16_t prof, unsigned life,
		     const char *cap)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		cap_fd = open(cap, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (cap_fd < 0)
			_exit(6);
		lifetime(prog, engine, prof, life);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	return status;
}

/* The oracle: a libsrtp2 receiving session for key k. */
static srtp_t oracle_for(const struct relais_srtp_key *k)
{
	const struct relais_srtp_profile_info *prof = relais_srtp_profile_get(k->profile);
	uint8_t material[RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN];
	srtp_policy_t pol;
	srtp_t sess = NULL;

	srtp_init(); /* here: a child's engine makes its own */
	memset(&pol, 0, sizeof(pol));
	CHECK(prof != NULL && relais_srtp_policy_set(k->profile, &pol.rtp, &pol.rtcp) == 0);
	memcpy(material, k->key, prof->key_len);
	memcpy(material + prof->key_len, k->salt, prof->salt_len);
	pol.ssrc.type = ssrc_any_inbound;
	pol.key = material;
	pol.window_size = 1024;
	CHECK(srtp_create(&sess, &pol) == srtp_err_status_ok);
	return sess;
}

/* Read lifetime life's capture: same key as before, every packet decrypts
 * in the oracle, its index appended to idx. Returns the count. */
static unsigned read_capture(const char *cap, srtp_t *oracle, struct relais_srtp_key *key0,
			     uint64_t *idx, unsigned n_idx, unsigned life)
{
	struct relais_srtp_key k;
	uint8_t b[PL_FRAME_MAX];
	unsigned got = 0;
	uint16_t len;
	FILE *f = fopen(cap, "rb");

	CHECK(f != NULL && fread(&k, sizeof(k), 1, f) == 1);
	if (*oracle == NULL) {
		*key0 = k;
		*oracle = oracle_for(&k);
	}
	CHECKF(memcmp(&k, key0, sizeof(k)) == 0, "life %u: S's key changed", life);
	while (fread(&len, sizeof(len), 1, f) == 1) {
		int n = len;
		uint32_t roc = 0;

		CHECK(len <= sizeof(b) && fread(b, 1, len, f) == len);
		CHECKF(srtp_unprotect(*oracle, b, &n) == srtp_err_status_ok,
		       "life %u: packet %u does not decrypt in the receiver", life, got);
		CHECK(pl_r32(b + 8) == OUT_X);
		CHECK(srtp_get_stream_roc(*oracle, OUT_X, &roc) == srtp_err_status_ok);
		CHECK(n_idx + got < MAX_IDX);
		idx[n_idx + got++] = (uint64_t)roc << 16 | pl_r16(b + 2);
	}
	fclose(f);
	return got;
}

/* Run every lifetime (children, before this process touches libsrtp:
 * each child's engine initialises it itself), capture i in cap.i. */
static bool run_lives(const char *prog, const char *engine, uint16_t prof, const char *cap)
{
	char path[96];

	for (unsigned life = 0; life < N_LIVES; life++) {
		int st;

		snprintf(path, sizeof(path), "%s.%u", cap, life);
		st = run_child(prog, engine, prof, life, path);
		CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		       "life %u: the dataplane did not run to its kill (exit %d)", life,
		       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		if (!WIFSIGNALED(st))
			return false;
	}
	return true;
}

/* The captures, in order, through one receiver: indexes strictly growing
 * across lifetimes, each restart's jump within the block, at least one
 * rollover crossed. */
static void check_lives(const char *cap)
{
	static uint64_t idx[MAX_IDX];
	struct relais_srtp_key key0;
	srtp_t oracle = NULL;
	char path[96];
	unsigned n = 0;

	for (unsigned life = 0; life < N_LIVES; life++) {
		unsigned first = n, got;

		snprintf(path, sizeof(path), "%s.%u", cap, life);
		got = read_capture(path, &oracle, &key0, idx, n, life);
		unlink(path);
		CHECKF(got == lives[life].pkts, "life %u: %u packets captured, want %u", life, got,
		       lives[life].pkts);
		n += got;
		for (unsigned i = first + 1; i < n; i++)
			CHECKF(idx[i] == idx[i - 1] + 1, "life %u: index %llu after %llu", life,
			       (unsigned long long)idx[i], (unsigned long long)idx[i - 1]);
		if (life > 0 && got > 0 && first > 0) {
			uint64_t jump = idx[first] - idx[first - 1];

			CHECKF(idx[first] > idx[first - 1] && jump <= lives[life - 1].block + 1u,
			       "restart %u: from index %llu to %llu (block %u)", life,
			       (unsigned long long)idx[first - 1], (unsigned long long)idx[first],
			       lives[life - 1].block);
			printf("restart %u: index %llu -> %llu (roc %llu)\n", life,
			       (unsigned long long)idx[first - 1], (unsigned long long)idx[first],
			       (unsigned long long)(idx[first] >> 16));
		}
	}
	CHECKF(n > 0 && (idx[n - 1] >> 16) >= 1, "no rollover crossed (last index %llu)",
	       n ? (unsigned long long)idx[n - 1] : 0ull);
	srtp_dealloc(oracle);
}

/* Flip one byte of the first record in the state file of dir; returns
 * its offset (to flip it back). */
static off_t damage(const char *path)
{
	uint8_t rec[48], zero[48] = {0};
	int fd = open(path, O_RDWR);
	off_t off = 64;

	CHECK(fd >= 0);
	while (pread(fd, rec, sizeof(rec), off) == sizeof(rec) && memcmp(rec, zero, 48) == 0)
		off += 48;
	rec[20] ^= 0x40;
	CHECK(pwrite(fd, rec, sizeof(rec), off) == sizeof(rec));
	close(fd);
	return off + 20;
}

/* The state file's checks (no EAL in this process). */
static void state_file(const char *prog, const char *engine, uint16_t prof, const char *dir,
		       const char *cap)
{
	char path[512], link[512], err[256];
	struct dp_ixs *s = NULL;
	int st;

	snprintf(path, sizeof(path), "%s/%s", dir, DP_IXS_FILE);
	CHECK(dp_ixs_open(&s, dir, -1, pl_sizes.subs, err, sizeof(err)) == 0);
	CHECK(dp_ixs_next(s, 2, 0) >= 0 && dp_ixs_ssrc(s, dp_ixs_next(s, 2, 0)) == OUT_X);
	dp_ixs_close(s);
	CHECK(dp_ixs_open(&s, dir, -1, pl_sizes.subs + 1, err, sizeof(err)) == -EINVAL &&
	      strstr(err, "made for") != NULL);
	printf("wrong size: %s\n", err);
	damage(path);
	CHECK(dp_ixs_open(&s, dir, -1, pl_sizes.subs, err, sizeof(err)) == -EINVAL &&
	      strstr(err, "damaged") != NULL && s == NULL);
	printf("damaged: %s\n", err);
	st = run_child(prog, engine, prof, 0, cap);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 3,
	       "a dataplane on a damaged state file started (status %d)", st);
	snprintf(link, sizeof(link), "%s-link", dir);
	CHECK(symlink(dir, link) == 0);
	CHECK(dp_ixs_open(&s, link, -1, pl_sizes.subs, err, sizeof(err)) == -EPERM);
	printf("symlink: %s\n", err);
	unlink(link);
	CHECK(chmod(dir, 0770) == 0);
	CHECK(dp_ixs_open(&s, dir, -1, pl_sizes.subs, err, sizeof(err)) == -EPERM);
	CHECK(chmod(dir, 0700) == 0);
	unlink(path);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/relais-ixs-XXXXXX", cap[64];
	uint16_t prof;

	if (argc < 3)
		return 2;
	prof = strcmp(argv[2], "gcm128") == 0 ? RELAIS_SRTP_AEAD_AES_128_GCM
					      : RELAIS_SRTP_AES128_CM_SHA1_80;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(pl_state_dir, sizeof(pl_state_dir), "%s", dir);
	snprintf(cap, sizeof(cap), "%s.cap", dir);
	if (run_lives(argv[0], argv[1], prof, cap)) {
		state_file(argv[0], argv[1], prof, dir, cap);
		check_lives(cap);
	}
	unlink(cap);
	rmdir(dir);
	return check_summary(argv[1]);
}
