/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output SRTP and SRTCP index uniqueness across dataplane restarts (issue 11,
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
 * SRTCP the same way: every burst A sends sender reports (relayed to S as
 * X) and S sends NACKs (relayed to A as its fb_ssrc); A's frames are
 * captured too, and a second receiver holds A's key across the lifetimes:
 * every SRTCP packet decrypts and each SSRC's SRTCP indexes grow strictly,
 * a restart's jump at most state.block + 1; the small-block lifetime sends
 * more SRTCP than its block.
 * Then the state file itself: it opens and holds the records; a damaged
 * record, a wrong slot count, a format 1 file, a symlinked or
 * group-writable directory are refused with a sentence; and a dataplane
 * started on the damaged file refuses to start. Last, without state.dir,
 * two lifetimes: the receivers refuse the second's first SRTCP packet (its
 * index repeats), the reuse state.dir prevents.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
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
#define FB_A 0xfb000001u /* A's fb_ssrc (pl_peer_at) */
#define SSRC_A 0xaaaa0001u
#define WAIT_MS 5000
#define MAX_IDX 4096
#define BURST 50

/* A lifetime: state.block, RTP packets forwarded, and per burst of RTP
 * the sender reports A sends (relayed to S under X) and the NACKs S sends
 * (relayed to A under its fb_ssrc). */
struct life {
	unsigned block, pkts, rtcp;
};
static const struct life lives[] = {{16384, 20, 1}, {16384, 20, 1}, {16384, 20, 1}, {16384, 20, 1},
				    {16384, 20, 1}, {256, 600, 25}, {256, 20, 1}};
#define N_LIVES (sizeof(lives) / sizeof(lives[0]))

static int cap_fd = -1;
static unsigned n_rtp_s, n_rtcp_s, n_rtcp_a; /* frames captured, by kind */

/* Is pkt (>= 2 bytes) RTCP (RFC 5761 §4: PT 200-206)? */
static bool is_rtcp(const uint8_t *pkt)
{
	return pkt[1] >= 200 && pkt[1] <= 206;
}

/* Capture one frame to S (who 0) or A (who 1), as sent. */
static void capture(uint8_t who, const uint8_t *pkt, size_t n)
{
	uint16_t len = (uint16_t)n;

	if (write(cap_fd, &who, 1) != 1 || write(cap_fd, &len, sizeof(len)) != sizeof(len) ||
	    write(cap_fd, pkt, n) != (ssize_t)n)
		_exit(6);
}

/* The raw hook of S: every frame to it, to the capture file. */
static void on_raw_s(const uint8_t *pkt, size_t n)
{
	capture(0, pkt, n);
	if (n >= 2 && is_rtcp(pkt))
		n_rtcp_s++;
	else
		n_rtp_s++;
}

/* The raw hook of A: every frame to it (feedback), to the capture file. */
static void on_raw_a(const uint8_t *pkt, size_t n)
{
	capture(1, pkt, n);
	n_rtcp_a++;
}

/* The control plane's programming after a restart: room 1, A (id 1) with
 * its track 11, S (id 2) on it under X (after a SUB_ADD under S's own
 * fb_ssrc, which must be refused); the same keys every time. 0 or -1. */
static int program(struct pl_env *e, struct pl_peer *a, struct pl_peer *s, uint16_t prof)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_ROOM_ADD};
	uint8_t f[PL_FRAME_MAX];

	pl_peer_at(a, "A", 1, 2);
	pl_peer_at(s, "S", 2, 3);
	if (pl_peer_init(e, a, prof, prof, 1) < 0 || pl_peer_init(e, s, prof, prof, 2) < 0)
		return -1;
	s->raw = on_raw_s;
	a->raw = on_raw_a;
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
	m.u.sub.out_ssrc = s->fb_ssrc; /* one SSRC, two SRTCP counters: refused */
	if (pl_ctl(&m) == 0)
		return -1;
	m.u.sub.out_ssrc = OUT_X;
	return pl_ctl(&m) == 0 ? 0 : -1;
}

/* Pump until S and A hold rtp_s/rtcp_s/rtcp_a frames, or WAIT_MS; true
 * if they do. */
static bool wait_frames(struct pl_env *e, unsigned rtp_s, unsigned rtcp_s, unsigned rtcp_a)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		pl_pump(e, 2);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((n_rtp_s < rtp_s || n_rtcp_s < rtcp_s || n_rtcp_a < rtcp_a) &&
		 (t.tv_sec - t0.tv_sec) * 1000 < WAIT_MS);
	return n_rtp_s == rtp_s && n_rtcp_s == rtcp_s && n_rtcp_a == rtcp_a;
}

/* One burst of lifetime life: n RTP packets from A from the life's
 * sequence base + sent, waited for at S, then lf->rtcp sender reports
 * from A and NACKs from S about X. 0 or -1. */
static int burst(struct pl_env *e, struct pl_peer *a, struct pl_peer *s, unsigned life,
		 const struct life *lf, unsigned sent, unsigned n)
{
	unsigned rtcp_before = n_rtcp_s;
	uint8_t pkt[256];

	for (unsigned i = 0; i < n; i++) {
		uint16_t seq = (uint16_t)(life * 4000 + sent + i);
		size_t len = pl_rtp(pkt, 111, false, seq, 960u * seq, SSRC_A, 100);

		if (pl_send(e, a, pkt, len, false) < 0)
			return -1;
	}
	if (!wait_frames(e, sent + n, rtcp_before, n_rtcp_a))
		return -1;
	for (unsigned i = 0; i < lf->rtcp; i++) {
		uint16_t seq = (uint16_t)(life * 4000 + sent);
		size_t len = pl_rtcp_sr(pkt, SSRC_A, 0x1234567800000000ull + i, 960u * seq,
					sent + n, 100 * (sent + n), false, 0);

		if (pl_send(e, a, pkt, len, true) < 0)
			return -1;
		/* about the first of this burst, in X's numbering: any will do */
		if (pl_send(e, s, pkt, pl_rtcp_nack(pkt, s->fb_ssrc, OUT_X, 1, 0), true) < 0)
			return -1;
	}
	return wait_frames(e, sent + n, rtcp_before + lf->rtcp, n_rtcp_a + lf->rtcp) ? 0 : -1;
}

/* The RTCP budgets (rtcp.*) out of the way: a lifetime relays 300 SRs
 * and NACKs per SSRC within a second, each of which must arrive. */
static void no_rtcp_budgets(struct dp_config *c)
{
	c->nack_rate = c->nack_burst = c->sr_rate = c->sr_burst = 1000000;
}

/* One lifetime (the child): program, forward lf->pkts packets in bursts
 * with their RTCP (see burst), then SIGKILL. Exit codes: 3 the dataplane
 * did not start, 4 programming failed, 5 packets missing, 7
 * tx_index_reserve drops. */
static void lifetime(const char *prog, const char *engine, uint16_t prof, unsigned life,
		     const struct life *lf)
{
	static struct pl_env e;
	static struct pl_peer a, s;
	struct relais_ctl_stats st;
	unsigned sent = 0;

	pl_state_block = lf->block;
	pl_config_hook = no_rtcp_budgets;
	if (pl_setup_engine(&e, prog, 1, engine) < 0)
		_exit(3);
	if (program(&e, &a, &s, prof) < 0) {
		fprintf(stderr,
			"life %u: programming failed (no refusal above: a neighbour "
			"was not learned within %d ms)\n",
			life, WAIT_MS);
		_exit(4);
	}
	if (write(cap_fd, &s.tx_key, sizeof(s.tx_key)) != sizeof(s.tx_key) ||
	    write(cap_fd, &a.tx_key, sizeof(a.tx_key)) != sizeof(a.tx_key))
		_exit(6);
	while (sent < lf->pkts) {
		unsigned n = lf->pkts - sent < BURST ? lf->pkts - sent : BURST;

		if (burst(&e, &a, &s, life, lf, sent, n) < 0)
			_exit(5);
		sent += n;
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
		     const struct life *lf, const char *cap)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		cap_fd = open(cap, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (cap_fd < 0)
			_exit(6);
		lifetime(prog, engine, prof, life, lf);
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

/* The receivers kept across lifetimes: S's (RTP and SRTCP of X) and A's
 * (SRTCP of its fb_ssrc), with the indexes they accepted. */
struct rx {
	srtp_t sess[2]; /* S, A */
	struct relais_srtp_key key[2];
	uint64_t rtp[MAX_IDX];
	uint32_t srtcp[2][MAX_IDX];
	unsigned n_rtp, n_srtcp[2];
	unsigned refused_srtcp[2]; /* SRTCP packets the receiver refused */
};

/* The SRTCP index of the protected packet b/len (RFC 3711 §3.4: before
 * the tag; RFC 7714 §9: last). */
static uint32_t srtcp_index_of(const uint8_t *b, size_t len, const struct relais_srtp_key *k)
{
	const struct relais_srtp_profile_info *prof = relais_srtp_profile_get(k->profile);
	size_t at = len - 4 - (prof->aead ? 0 : prof->rtcp_tag_len);

	return pl_r32(b + at) & 0x7fffffffu;
}

/* RTP frame b/len to S's receiver: it must decrypt (unless strict is
 * false: then a refusal is not counted), its index appended. */
static void receive_rtp(struct rx *r, uint8_t *b, uint16_t len, bool strict, unsigned life)
{
	srtp_err_status_t st;
	uint32_t roc = 0;
	int n = len;

	st = srtp_unprotect(r->sess[0], b, &n);
	if (st != srtp_err_status_ok && !strict)
		return;
	CHECKF(st == srtp_err_status_ok, "life %u: RTP packet %u does not decrypt in S's receiver",
	       life, r->n_rtp);
	CHECK(pl_r32(b + 8) == OUT_X && r->n_rtp < MAX_IDX);
	CHECK(srtp_get_stream_roc(r->sess[0], OUT_X, &roc) == srtp_err_status_ok);
	r->rtp[r->n_rtp++] = (uint64_t)roc << 16 | pl_r16(b + 2);
}

/* Frame b/len to receiver who (0 S, 1 A): it must decrypt (unless strict
 * is false: then a refused SRTCP packet is counted), its index appended. */
static void receive(struct rx *r, int who, uint8_t *b, uint16_t len, bool strict, unsigned life)
{
	srtp_err_status_t st;
	uint32_t idx;
	int n = len;

	if (who == 0 && !is_rtcp(b)) {
		receive_rtp(r, b, len, strict, life);
		return;
	}
	CHECK(is_rtcp(b) && pl_r32(b + 4) == (who == 0 ? OUT_X : FB_A));
	idx = srtcp_index_of(b, len, &r->key[who]);
	st = srtp_unprotect_rtcp(r->sess[who], b, &n);
	if (st != srtp_err_status_ok && !strict) {
		r->refused_srtcp[who]++;
		return;
	}
	CHECKF(st == srtp_err_status_ok, "life %u: SRTCP index %u to %s does not decrypt (%d)",
	       life, idx, who == 0 ? "S" : "A", (int)st);
	CHECK(r->n_srtcp[who] < MAX_IDX);
	r->srtcp[who][r->n_srtcp[who]++] = idx;
}

/* Read lifetime life's capture into r: the same keys as before (the
 * first capture makes the receivers), every frame through receive. */
static void read_capture(const char *cap, struct rx *r, bool strict, unsigned life)
{
	struct relais_srtp_key k[2];
	uint8_t b[PL_FRAME_MAX], who;
	uint16_t len;
	FILE *f = fopen(cap, "rb");

	CHECK(f != NULL && fread(k, sizeof(k), 1, f) == 1);
	for (int w = 0; w < 2; w++) {
		if (r->sess[w] == NULL) {
			r->key[w] = k[w];
			r->sess[w] = oracle_for(&k[w]);
		}
		CHECKF(memcmp(&k[w], &r->key[w], sizeof(k[w])) == 0, "life %u: a key changed",
		       life);
	}
	while (fread(&who, 1, 1, f) == 1 && fread(&len, sizeof(len), 1, f) == 1) {
		CHECK(who < 2 && len >= 12 && len <= sizeof(b) && fread(b, 1, len, f) == len);
		receive(r, who, b, len, strict, life);
	}
	fclose(f);
}

/* Run lifetimes 0 .. n - 1 of lf (children, before this process touches
 * libsrtp: each child's engine initialises it itself), capture i in
 * cap.i. */
static bool run_lives(const char *prog, const char *engine, uint16_t prof, const char *cap,
		      const struct life *lf, unsigned n)
{
	char path[96];

	for (unsigned life = 0; life < n; life++) {
		int st;

		snprintf(path, sizeof(path), "%s.%u", cap, life);
		st = run_child(prog, engine, prof, life, &lf[life], path);
		CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		       "life %u: the dataplane did not run to its kill (exit %d)", life,
		       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		if (!WIFSIGNALED(st))
			return false;
	}
	return true;
}

/* Indexes v[first .. n) of one stream in lifetime life: consecutive, and
 * after the previous lifetime's last one (v[first - 1]) a jump forward of
 * at most its block + 1. */
static void check_stream(const char *what, const uint64_t *v, unsigned first, unsigned n,
			 unsigned life)
{
	for (unsigned i = first + 1; i < n; i++)
		CHECKF(v[i] == v[i - 1] + 1, "life %u: %s index %llu after %llu", life, what,
		       (unsigned long long)v[i], (unsigned long long)v[i - 1]);
	if (life == 0 || first == 0 || n == first)
		return;
	CHECKF(v[first] > v[first - 1] && v[first] - v[first - 1] <= lives[life - 1].block + 1u,
	       "restart %u: %s index from %llu to %llu (block %u)", life, what,
	       (unsigned long long)v[first - 1], (unsigned long long)v[first],
	       lives[life - 1].block);
	printf("restart %u: %s index %llu -> %llu\n", life, what, (unsigned long long)v[first - 1],
	       (unsigned long long)v[first]);
}

/* The captures, in order, through the receivers: every packet decrypts;
 * RTP and both SRTCP streams' indexes strictly grow across lifetimes,
 * each restart's jump within the block; at least one rollover crossed. */
static void check_lives(const char *cap)
{
	static struct rx r;
	static uint64_t s[2][MAX_IDX];
	char path[96];

	for (unsigned life = 0; life < N_LIVES; life++) {
		unsigned first = r.n_rtp, first_c[2] = {r.n_srtcp[0], r.n_srtcp[1]};

		snprintf(path, sizeof(path), "%s.%u", cap, life);
		read_capture(path, &r, true, life);
		unlink(path);
		CHECKF(r.n_rtp - first == lives[life].pkts, "life %u: %u RTP captured, want %u",
		       life, r.n_rtp - first, lives[life].pkts);
		check_stream("RTP", r.rtp, first, r.n_rtp, life);
		for (int w = 0; w < 2; w++) {
			unsigned want = (lives[life].pkts + BURST - 1) / BURST * lives[life].rtcp;

			CHECKF(r.n_srtcp[w] - first_c[w] == want,
			       "life %u: %u SRTCP to %s captured, want %u", life,
			       r.n_srtcp[w] - first_c[w], w == 0 ? "S" : "A", want);
			for (unsigned i = 0; i < r.n_srtcp[w]; i++)
				s[w][i] = r.srtcp[w][i];
			check_stream(w == 0 ? "SRTCP to S" : "SRTCP to A", s[w], first_c[w],
				     r.n_srtcp[w], life);
		}
	}
	CHECKF(r.n_rtp > 0 && (r.rtp[r.n_rtp - 1] >> 16) >= 1,
	       "no rollover crossed (last index %llu)",
	       r.n_rtp ? (unsigned long long)r.rtp[r.n_rtp - 1] : 0ull);
	srtp_dealloc(r.sess[0]);
	srtp_dealloc(r.sess[1]);
}

/* Without state.dir: two lifetimes, captured in fresh.0 and fresh.1
 * (children, before this process touches libsrtp). */
static const struct life no_resume_lives[] = {{4096, 20, 1}, {4096, 20, 1}};

static bool run_no_resume(const char *prog, const char *engine, uint16_t prof, const char *fresh)
{
	pl_state_dir[0] = '\0';
	return run_lives(prog, engine, prof, fresh, no_resume_lives, 2);
}

/* The two lifetimes without state.dir through one pair of receivers: the
 * first decrypts; the second numbers its SRTCP from 1 again under the
 * same keys, and the receivers refuse it: what state.dir prevents, and
 * proof that the receivers would notice. */
static void check_no_resume(const char *fresh)
{
	static struct rx r;
	char path[96];

	for (unsigned life = 0; life < 2; life++) {
		snprintf(path, sizeof(path), "%s.%u", fresh, life);
		read_capture(path, &r, life == 0, life);
		unlink(path);
	}
	for (int w = 0; w < 2; w++) {
		CHECKF(r.n_srtcp[w] == 1 && r.refused_srtcp[w] == 1,
		       "no state.dir: %s's receiver took %u SRTCP and refused %u, want 1 and 1",
		       w == 0 ? "S" : "A", r.n_srtcp[w], r.refused_srtcp[w]);
	}
	printf("no state.dir: the receivers refused the first SRTCP after the restart\n");
	srtp_dealloc(r.sess[0]);
	srtp_dealloc(r.sess[1]);
}

#define SLOTS (pl_sizes.subs + pl_sizes.participants)
#define REC_LEN 56

/* Flip one byte of the first record in the state file of dir; returns
 * its offset (to flip it back). */
static off_t damage(const char *path)
{
	uint8_t rec[REC_LEN], zero[REC_LEN] = {0};
	int fd = open(path, O_RDWR);
	off_t off = 64;

	CHECK(fd >= 0);
	while (pread(fd, rec, sizeof(rec), off) == sizeof(rec) && memcmp(rec, zero, REC_LEN) == 0)
		off += REC_LEN;
	rec[20] ^= 0x40;
	CHECK(pwrite(fd, rec, sizeof(rec), off) == sizeof(rec));
	close(fd);
	return off + 20;
}

/* The record of participant part for ssrc in s, or -1. */
static int record_of(const struct dp_ixs *s, uint32_t part, uint32_t ssrc)
{
	for (int i = dp_ixs_next(s, part, 0); i >= 0; i = dp_ixs_next(s, part, i + 1))
		if (dp_ixs_ssrc(s, i) == ssrc)
			return i;
	return -1;
}

/* The records the lifetimes left: X of S with both ceilings, and the
 * fb_ssrc records of A and S with an SRTCP ceiling only, above what was
 * sent. */
static void check_records(const char *dir)
{
	struct dp_ixs *s = NULL;
	char err[256];
	int x, fa, fs;

	CHECK(dp_ixs_open(&s, dir, -1, SLOTS, err, sizeof(err)) == 0);
	x = record_of(s, 2, OUT_X);
	fa = record_of(s, 1, FB_A);
	fs = record_of(s, 2, 0xfb000002u);
	CHECK(x >= 0 && fa >= 0 && fs >= 0);
	CHECK(dp_ixs_ceiling(s, x) > 0 && dp_ixs_rtcp_ceiling(s, x) > 300);
	CHECK(dp_ixs_ceiling(s, fa) == 0 && dp_ixs_rtcp_ceiling(s, fa) > 300);
	CHECK(dp_ixs_ceiling(s, fs) == 0 && dp_ixs_rtcp_ceiling(s, fs) >= 1);
	printf("records: X SRTP ceiling %llu SRTCP %u, A's fb_ssrc SRTCP %u\n",
	       (unsigned long long)dp_ixs_ceiling(s, x), dp_ixs_rtcp_ceiling(s, x),
	       dp_ixs_rtcp_ceiling(s, fa));
	dp_ixs_close(s);
}

/* A format 1 file (48-byte records without SRTCP ceilings, from before
 * this relais) in dir/v1 is refused with a sentence saying what to do. */
static void old_format(const char *dir)
{
	struct {
		char magic[8];
		uint32_t version, n_slots;
		uint8_t secret[32];
		uint64_t check;
		uint8_t pad[8];
	} h = {.version = 1};
	char sub[512], path[600], err[256];
	struct dp_ixs *s = NULL;
	int fd;

	memcpy(h.magic, "RLXIDX01", 8);
	h.n_slots = SLOTS;
	h.check = dp_ixs_checksum(&h, offsetof(__typeof__(h), check));
	snprintf(sub, sizeof(sub), "%s/v1", dir);
	snprintf(path, sizeof(path), "%s/%s", sub, DP_IXS_FILE);
	CHECK(mkdir(sub, 0700) == 0);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && write(fd, &h, sizeof(h)) == sizeof(h) &&
	      ftruncate(fd, (off_t)sizeof(h) + (off_t)h.n_slots * 48) == 0);
	close(fd);
	CHECK(dp_ixs_open(&s, sub, -1, SLOTS, err, sizeof(err)) == -EINVAL &&
	      strstr(err, "format 1") != NULL && strstr(err, "fresh keys") != NULL);
	printf("format 1: %s\n", err);
	unlink(path);
	rmdir(sub);
}

/* The state file's checks (no EAL in this process). */
static void state_file(const char *prog, const char *engine, uint16_t prof, const char *dir,
		       const char *cap)
{
	char path[512], link[512], err[256];
	struct dp_ixs *s = NULL;
	int st;

	snprintf(path, sizeof(path), "%s/%s", dir, DP_IXS_FILE);
	check_records(dir);
	CHECK(dp_ixs_open(&s, dir, -1, SLOTS + 1, err, sizeof(err)) == -EINVAL &&
	      strstr(err, "made for") != NULL);
	printf("wrong size: %s\n", err);
	old_format(dir);
	damage(path);
	CHECK(dp_ixs_open(&s, dir, -1, SLOTS, err, sizeof(err)) == -EINVAL &&
	      strstr(err, "damaged") != NULL && s == NULL);
	printf("damaged: %s\n", err);
	st = run_child(prog, engine, prof, 0, &lives[0], cap);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 3,
	       "a dataplane on a damaged state file started (status %d)", st);
	snprintf(link, sizeof(link), "%s-link", dir);
	CHECK(symlink(dir, link) == 0);
	CHECK(dp_ixs_open(&s, link, -1, SLOTS, err, sizeof(err)) == -EPERM);
	printf("symlink: %s\n", err);
	unlink(link);
	CHECK(chmod(dir, 0770) == 0);
	CHECK(dp_ixs_open(&s, dir, -1, SLOTS, err, sizeof(err)) == -EPERM);
	CHECK(chmod(dir, 0700) == 0);
	unlink(path);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/relais-ixs-XXXXXX", cap[64], fresh[64];
	uint16_t prof;

	if (argc < 3)
		return 2;
	prof = strcmp(argv[2], "gcm128") == 0 ? RELAIS_SRTP_AEAD_AES_128_GCM
					      : RELAIS_SRTP_AES128_CM_SHA1_80;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(pl_state_dir, sizeof(pl_state_dir), "%s", dir);
	snprintf(cap, sizeof(cap), "%s.cap", dir);
	snprintf(fresh, sizeof(fresh), "%s.fresh", dir);
	if (run_lives(argv[0], argv[1], prof, cap, lives, N_LIVES)) {
		state_file(argv[0], argv[1], prof, dir, cap);
		if (run_no_resume(argv[0], argv[1], prof, fresh))
			check_no_resume(fresh);
		check_lives(cap);
	}
	unlink(cap);
	rmdir(dir);
	return check_summary(argv[1]);
}
