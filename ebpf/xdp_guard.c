/* SPDX-License-Identifier: BSD-3-Clause */
/* The guard's decision logic; see xdp_guard.h for the contract. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xdp_guard.h"

#define NS_PER_MS 1000000ull

/* One (time, counts) observation of a source. */
struct sample {
	uint64_t t_ns;
	uint64_t cnt[RELAIS_OFFENCE_MAX]; /* by enum relais_offence */
};

/* A source the guard follows. used == 0: free slot. */
struct source {
	int used;
	struct xdp_prefix prefix;   /* /32 or /128 */
	uint64_t banned_until_ns;   /* 0 = not banned by us */
	uint64_t declined_until_ns; /* protected: no new decline report before */
	unsigned n, head;           /* ring of samples, head = oldest */
	struct sample s[XDP_GUARD_HISTORY];
};

struct xdp_guard {
	struct xdp_guard_conf conf;
	struct xdp_guard_counters cnt;
	struct source src[XDP_GUARD_MAX_SOURCES];
	/* The previous snapshot: when it held every offender the dataplane
	 * tracked (complete), a source absent from it had no offences then. */
	uint64_t prev_ns; /* 0: no snapshot yet */
	int prev_complete;
	unsigned n_prev;
	struct xdp_prefix prev[RELAIS_CTL_OFFENDERS_MAX];
};

/* See xdp_guard.h. */
struct xdp_guard *xdp_guard_new(const struct xdp_guard_conf *conf)
{
	struct xdp_guard *g;

	if (!conf || !conf->threshold || !conf->window_ms || !conf->ban_ttl_ms) {
		errno = EINVAL;
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->conf = *conf;
	return g;
}

/* See xdp_guard.h. */
void xdp_guard_free(struct xdp_guard *g)
{
	free(g);
}

/* Host prefix of a dataplane address; -EINVAL for an unknown family. */
static int host_prefix(const struct relais_addr *a, struct xdp_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (a->family == 4) {
		p->family = AF_INET;
		p->len = 32;
		memcpy(p->addr, a->ip, 4);
	} else if (a->family == 6) {
		p->family = AF_INET6;
		p->len = 128;
		memcpy(p->addr, a->ip, 16);
	} else {
		return -EINVAL;
	}
	return 0;
}

/* The entry of prefix p, creating it (NULL when the table is full). */
static struct source *source_get(struct xdp_guard *g, const struct xdp_prefix *p)
{
	struct source *free_slot = NULL;

	for (unsigned i = 0; i < XDP_GUARD_MAX_SOURCES; i++) {
		struct source *s = &g->src[i];

		if (s->used && !memcmp(&s->prefix, p, sizeof(*p)))
			return s;
		if (!s->used && !free_slot)
			free_slot = s;
	}
	if (free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->used = 1;
		free_slot->prefix = *p;
	}
	return free_slot;
}

/* The most recent sample of s (s->n > 0). */
static const struct sample *newest(const struct source *s)
{
	return &s->s[(s->head + s->n - 1) % XDP_GUARD_HISTORY];
}

/* Append a sample; drops samples older than the window, always keeping the
 * newest one that is older than it (the baseline the growth is taken from).
 * A total that went down (the dataplane replaced the record) restarts the
 * history. */
static void record(struct source *s, const uint64_t *cnt, uint64_t now, uint64_t window_ns)
{
	const struct sample *last = s->n ? newest(s) : NULL;

	for (unsigned k = 0; last && k < RELAIS_OFFENCE_MAX; k++)
		if (cnt[k] < last->cnt[k])
			s->n = 0;
	while (s->n >= 2 && now - s->s[(s->head + 1) % XDP_GUARD_HISTORY].t_ns >= window_ns) {
		s->head = (s->head + 1) % XDP_GUARD_HISTORY;
		s->n--;
	}
	if (s->n == XDP_GUARD_HISTORY) {
		s->head = (s->head + 1) % XDP_GUARD_HISTORY;
		s->n--;
	}
	s->s[(s->head + s->n) % XDP_GUARD_HISTORY].t_ns = now;
	memcpy(s->s[(s->head + s->n) % XDP_GUARD_HISTORY].cnt, cnt, sizeof(s->s[0].cnt));
	s->n++;
}

/* Growth per kind from the oldest sample to the newest; returns the sum
 * and the span in *span_ns. */
static uint64_t growth(const struct source *s, uint64_t *per_kind, uint64_t *span_ns)
{
	const struct sample *a = &s->s[s->head];
	const struct sample *b = newest(s);
	uint64_t sum = 0;

	for (unsigned k = 0; k < RELAIS_OFFENCE_MAX; k++) {
		per_kind[k] = b->cnt[k] - a->cnt[k];
		sum += per_kind[k];
	}
	*span_ns = b->t_ns - a->t_ns;
	return sum;
}

/* Fill r's reason (the offence that grew most), total, span and ttl. */
static void describe(struct xdp_guard_report *r, const struct source *s, uint64_t span_ns,
		     uint64_t ttl_ms)
{
	unsigned top = 0;

	for (unsigned k = 1; k < RELAIS_OFFENCE_MAX; k++)
		if (r->growth[k] > r->growth[top])
			top = k;
	r->reason = relais_offence_name(top);
	for (unsigned k = 0; k < RELAIS_OFFENCE_MAX; k++)
		r->total += newest(s)->cnt[k];
	r->span_ms = span_ns / NS_PER_MS;
	r->ttl_ms = ttl_ms;
}

/* Ban s now if its growth over the window exceeds the threshold, unless it
 * is protected: then decline (reported and counted once per ban period).
 * 1 when banned, 0 when not, -errno when the blocklist refused. */
static int consider(struct xdp_guard *g, struct xdp_ctl *c, struct source *s,
		    enum relais_protect protect, uint64_t now, xdp_guard_log_fn log, void *arg)
{
	struct xdp_guard_report r = {
	    .event = XDP_GUARD_BAN, .prefix = s->prefix, .protect = protect};
	uint64_t ttl_ns = g->conf.ban_ttl_ms * NS_PER_MS, span;
	int err;

	if (s->banned_until_ns > now || s->n < 2)
		return 0;
	if (growth(s, r.growth, &span) <= g->conf.threshold)
		return 0;
	if (protect != RELAIS_PROTECT_NONE) {
		if (s->declined_until_ns > now)
			return 0;
		s->declined_until_ns = now + ttl_ns;
		g->cnt.declined++;
		r.event = XDP_GUARD_DECLINE;
	} else {
		err = xdp_acl_add(c, XDP_ACL_BLOCK, &s->prefix, ttl_ns);
		if (err)
			return err;
		s->banned_until_ns = now + ttl_ns;
		g->cnt.bans++;
	}
	describe(&r, s, span, g->conf.ban_ttl_ms);
	if (log)
		log(&r, arg);
	return r.event == XDP_GUARD_BAN;
}

/* A live ban of ours on a source the snapshot marks protected (a
 * participant now uses an address banned before it joined): lift it. */
static void lift(struct xdp_guard *g, struct xdp_ctl *c, struct source *s,
		 enum relais_protect protect, uint64_t now, xdp_guard_log_fn log, void *arg)
{
	struct xdp_guard_report r = {.event = XDP_GUARD_LIFT,
				     .prefix = s->prefix,
				     .reason = "protected",
				     .protect = protect};

	if (protect == RELAIS_PROTECT_NONE || s->banned_until_ns <= now)
		return;
	xdp_acl_del(c, XDP_ACL_BLOCK, &s->prefix); /* -ENOENT: operator unbanned */
	s->banned_until_ns = 0;
	g->cnt.lifted++;
	if (log)
		log(&r, arg);
}

/* Remove expired bans of this guard and forget sources idle for longer
 * than the window. */
static void expire(struct xdp_guard *g, struct xdp_ctl *c, uint64_t now, xdp_guard_log_fn log,
		   void *arg)
{
	uint64_t window_ns = g->conf.window_ms * NS_PER_MS;

	for (unsigned i = 0; i < XDP_GUARD_MAX_SOURCES; i++) {
		struct source *s = &g->src[i];

		if (!s->used)
			continue;
		if (s->banned_until_ns && s->banned_until_ns <= now) {
			struct xdp_guard_report r = {
			    .event = XDP_GUARD_EXPIRE, .prefix = s->prefix, .reason = "ttl"};

			xdp_acl_del(c, XDP_ACL_BLOCK, &s->prefix); /* -ENOENT: operator unbanned */
			s->used = 0; /* a fresh start: growth counts from now */
			g->cnt.expiries++;
			if (log)
				log(&r, arg);
			continue;
		}
		if (!s->banned_until_ns && s->n && now - newest(s)->t_ns > window_ns)
			s->used = 0;
	}
}

/* 1 if p was in the previous snapshot. */
static int in_prev(const struct xdp_guard *g, const struct xdp_prefix *p)
{
	for (unsigned i = 0; i < g->n_prev; i++)
		if (!memcmp(&g->prev[i], p, sizeof(*p)))
			return 1;
	return 0;
}

/* Give a source the guard has no history of a zero baseline at the previous
 * snapshot when that snapshot was complete and did not hold it: it had no
 * offences then, so a burst that fits between two polls is counted whole
 * (without it, the burst would become the baseline and never count). */
static void baseline(const struct xdp_guard *g, struct source *s, const struct xdp_prefix *p,
		     uint64_t window_ns)
{
	static const uint64_t zero[RELAIS_OFFENCE_MAX];

	if (s->n == 0 && g->prev_ns && g->prev_complete && !in_prev(g, p))
		record(s, zero, g->prev_ns, window_ns);
}

/* Remember the addresses of snap and whether it was complete. */
static void remember(struct xdp_guard *g, const struct relais_ctl_offenders *snap, uint64_t now)
{
	g->n_prev = 0;
	g->prev_ns = now;
	g->prev_complete =
	    snap && snap->count < RELAIS_CTL_OFFENDERS_MAX && snap->count >= snap->n_tracked;
	for (unsigned i = 0; snap && i < snap->count && i < RELAIS_CTL_OFFENDERS_MAX; i++)
		if (!host_prefix(&snap->rec[i].addr, &g->prev[g->n_prev]))
			g->n_prev++;
}

/* See xdp_guard.h. */
int xdp_guard_step(struct xdp_guard *g, struct xdp_ctl *c, const struct relais_ctl_offenders *snap,
		   uint64_t now_ns, xdp_guard_log_fn log, void *arg)
{
	uint64_t window_ns = g->conf.window_ms * NS_PER_MS;
	int bans = 0, err = 0;

	expire(g, c, now_ns, log, arg);
	for (unsigned i = 0; snap && i < snap->count && i < RELAIS_CTL_OFFENDERS_MAX; i++) {
		const struct relais_ctl_offender *o = &snap->rec[i];
		struct xdp_prefix p;
		struct source *s;
		int r;

		if (host_prefix(&o->addr, &p) || !(s = source_get(g, &p)))
			continue;
		baseline(g, s, &p, window_ns);
		record(s, o->offences, now_ns, window_ns);
		lift(g, c, s, (enum relais_protect)o->protect, now_ns, log, arg);
		r = consider(g, c, s, (enum relais_protect)o->protect, now_ns, log, arg);
		if (r < 0)
			err = r;
		else
			bans += r;
	}
	if (snap)
		remember(g, snap, now_ns);
	return err ? err : bans;
}

/* See xdp_guard.h. */
void xdp_guard_counters(const struct xdp_guard *g, struct xdp_guard_counters *out)
{
	*out = g->cnt;
}

/* Why a protected source is not banned, for the log lines. */
const char *xdp_guard_protect_why(enum relais_protect p)
{
	return p == RELAIS_PROTECT_PARTICIPANT ? "a participant's address"
	       : p == RELAIS_PROTECT_FORMER    ? "a participant's address until recently"
					       : "not protected";
}

/* See xdp_guard.h. */
void xdp_guard_log_line(const struct xdp_guard_report *r, void *arg)
{
	FILE *f = arg ? arg : stderr;
	char p[INET6_ADDRSTRLEN + 8] = "?";
	uint64_t sum = 0;

	xdp_prefix_format(&r->prefix, p, sizeof(p));
	if (r->event == XDP_GUARD_EXPIRE || r->event == XDP_GUARD_LIFT) {
		fprintf(f, "guard: unban %s: %s\n", p,
			r->event == XDP_GUARD_EXPIRE ? "ban expired"
						     : xdp_guard_protect_why(r->protect));
		fflush(f);
		return;
	}
	for (unsigned k = 0; k < RELAIS_OFFENCE_MAX; k++)
		sum += r->growth[k];
	if (r->event == XDP_GUARD_DECLINE)
		fprintf(f, "guard: not banning %s, %s: reason %s, +%llu offences in %llu ms (", p,
			xdp_guard_protect_why(r->protect), r->reason, (unsigned long long)sum,
			(unsigned long long)r->span_ms);
	else
		fprintf(f, "guard: ban %s for %llu ms: reason %s, +%llu offences in %llu ms (", p,
			(unsigned long long)r->ttl_ms, r->reason, (unsigned long long)sum,
			(unsigned long long)r->span_ms);
	for (unsigned k = 0; k < RELAIS_OFFENCE_MAX; k++)
		fprintf(f, "%s%s +%llu", k ? ", " : "", relais_offence_name(k),
			(unsigned long long)r->growth[k]);
	fprintf(f, "; total %llu)\n", (unsigned long long)r->total);
	fflush(f);
}
