/* SPDX-License-Identifier: BSD-3-Clause */
/* Control channel server; see dp_ctl.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_log.h>

#include "dp_ctl.h"
#include "dp_ctl_access.h"
#include "dp_offender.h"
#include "dp_protect.h"
#include "dp_stats.h"
#include "dp_tables_priv.h"
#include "dp_xdp.h"
#include "dp_xdp_flows.h"

#define MAX_CLIENTS 32

/* A client; a reply the socket could not take yet (its send buffer full:
 * a pipelining client that reads slowly) waits in out[] and the client's
 * next request is not read until it is sent, so no reply is ever lost. */
struct client {
	int fd;
	int hello;    /* HELLO received */
	int ro;       /* came in on the stats socket: `ro` messages only */
	int out_len;  /* bytes of a reply waiting in out[], 0 if none */
	uint8_t *out; /* RELAIS_CTL_MAX_MSG bytes, allocated on first use */
};

/* The control socket (0) and the read-only stats socket (1). */
static struct listener {
	int fd;
	long gid;
	char path[108];
} listeners[2] = {{.fd = -1}, {.fd = -1}};
static struct client clients[MAX_CLIENTS];
static unsigned n_clients;

/* See dp_ctl.h. */
int dp_ctl_open(const char *path, long gid, const char *stats_path, long stats_gid)
{
	const char *paths[2] = {path, stats_path};
	const long gids[2] = {gid, stats_gid};

	for (int i = 0; i < 2; i++) {
		int fd;

		if (paths[i] == NULL || paths[i][0] == '\0')
			continue;
		fd = dp_ctl_listen(paths[i], gids[i]);
		if (fd < 0) {
			dp_ctl_close();
			return fd;
		}
		listeners[i].fd = fd;
		listeners[i].gid = gids[i];
		snprintf(listeners[i].path, sizeof(listeners[i].path), "%s", paths[i]);
	}
	return 0;
}

/* See dp_ctl.h. */
void dp_ctl_close(void)
{
	for (unsigned i = 0; i < n_clients; i++) {
		close(clients[i].fd);
		free(clients[i].out);
	}
	n_clients = 0;
	for (int i = 0; i < 2; i++) {
		if (listeners[i].fd < 0)
			continue;
		close(listeners[i].fd);
		unlink(listeners[i].path);
		listeners[i].fd = -1;
	}
}

/* Fill the STATS reply: counters summed over lcores, gauges read now. */
static void fill_stats(struct relais_ctl_stats *s)
{
	dp_stats_sum(s);
#define GAUGE_(sfx, gauge) s->v[RELAIS_STAT_##gauge] = dp_tab.counts[DP_COUNT_##sfx];
	DP_OBJECT_COUNTS(GAUGE_)
#undef GAUGE_
	s->v[RELAIS_STAT_lcores] = dp_tab.cfg->n_workers;
	s->v[RELAIS_STAT_offenders_evicted] = dp_offender_evicted();
	s->v[RELAIS_STAT_protect_evicted] = dp_protect_evicted();
	s->v[RELAIS_STAT_protected] = dp_protect_count();
	s->v[RELAIS_STAT_xdp_filter] = (uint64_t)dp_xdp_stats_read(s->xdp_drops);
	s->v[RELAIS_STAT_xdp_flow_errors] = dp_xdp_flow_errors();
}

/* Fill the TRACK_STATS reply; -ENOENT if the track does not exist. */
static int fill_track_stats(uint32_t id, struct relais_ctl_track_stats *ts, char *err, size_t n)
{
	struct dp_track *t = dp_track_by_id(id);

	if (t == NULL) {
		snprintf(err, n, "track %u does not exist", id);
		return -ENOENT;
	}
	ts->track_id = id;
	ts->ssrc = __atomic_load_n(&t->ssrc_known, __ATOMIC_ACQUIRE) ? t->ssrc : 0;
	ts->n_subs = t->subs.n;
	ts->pkts = t->pkts;
	ts->bytes = t->bytes;
	ts->drops = t->drops;
	return 0;
}

/* One DUMP record for object `data` of table kind. */
static void dump_rec(unsigned kind, const void *key, void *data, struct relais_ctl_dump_rec *r)
{
	memset(r, 0, sizeof(*r));
	if (kind == RELAIS_DUMP_ROOMS) {
		r->id = *(const uint32_t *)key;
		r->aux = ((const struct dp_room *)data)->parts.n;
	} else if (kind == RELAIS_DUMP_PARTS) {
		const struct dp_part *p = data;

		*r = (struct relais_ctl_dump_rec){p->id, p->room_id, p->owner, 0, p->cookie, {0}};
		r->addr.family = p->key.family;
		r->addr.port = p->key.port;
		memcpy(r->addr.ip, p->key.ip, 16);
	} else if (kind == RELAIS_DUMP_TRACKS) {
		const struct dp_track *t = data;
		uint32_t ssrc = __atomic_load_n(&t->ssrc_known, __ATOMIC_ACQUIRE) ? t->ssrc : 0;

		*r = (struct relais_ctl_dump_rec){
		    t->id, t->part_id, ssrc, t->kind | (uint32_t)t->learn << 8, t->cookie, {0}};
	} else {
		const struct dp_sub *s = data;

		*r = (struct relais_ctl_dump_rec){s->id,       s->part_id, s->track_id,
						  s->out_ssrc, s->cookie,  {0}};
	}
}

/* Fill one DUMP page from the table of kind, starting at cursor. */
static void fill_dump(const struct relais_ctl_dump_req *q, struct relais_ctl_dump *d)
{
	struct rte_hash *h = q->kind == RELAIS_DUMP_ROOMS    ? dp_tab.room_by_id
			     : q->kind == RELAIS_DUMP_PARTS  ? dp_tab.part_by_id
			     : q->kind == RELAIS_DUMP_TRACKS ? dp_tab.track_by_id
							     : dp_tab.sub_by_id;
	uint32_t it = q->cursor;
	const void *key;
	void *data;

	d->kind = q->kind;
	d->count = 0;
	while (d->count < RELAIS_CTL_DUMP_MAX && rte_hash_iterate(h, &key, &data, &it) >= 0)
		dump_rec(q->kind, key, data, &d->rec[d->count++]);
	d->next_cursor = d->count == RELAIS_CTL_DUMP_MAX ? it : 0;
}

/*
 * Handlers: one per message of ctl_messages.h, named h_<name>. Each applies
 * request m, fills r's payload and returns r's status (0 or -errno, with a
 * sentence in r->error).
 */
typedef int ctl_handler(const struct relais_ctl_msg *m, struct relais_ctl_reply *r);

#define ERRBUF(r) (r)->error, sizeof((r)->error)

static int h_hello(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	(void)m;
	r->u.hello.version = RELAIS_CTL_VERSION;
	snprintf(r->u.hello.peer_name, sizeof(r->u.hello.peer_name), "relais-dataplane");
	return 0;
}

static int h_room_add(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	return dp_room_add(m->u.room.room_id, ERRBUF(r));
}

static int h_room_del(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	return dp_room_del(m->u.room.room_id, ERRBUF(r));
}

static int h_part_add(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	return dp_part_add(&m->u.part, ERRBUF(r));
}

static int h_part_rekey(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	return dp_part_rekey(&m->u.part, ERRBUF(r));
}

static int h_part_del(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	return dp_part_del(m->u.id.id, ERRBUF(r));
}

static int h_track_add(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	return dp_track_add(&m->u.track, ERRBUF(r));
}

static int h_track_del(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	return dp_track_del(m->u.id.id, ERRBUF(r));
}

static int h_sub_add(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	return dp_sub_add(&m->u.sub, ERRBUF(r));
}

static int h_sub_del(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	return dp_sub_del(m->u.id.id, ERRBUF(r));
}

static int h_sub_switch(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	return dp_sub_switch(m->u.sw.sub_id, m->u.sw.track_id, ERRBUF(r));
}

static int h_stats(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	(void)m;
	fill_stats(&r->u.stats);
	return 0;
}

static int h_track_stats(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	return fill_track_stats(m->u.id.id, &r->u.track_stats, ERRBUF(r));
}

static int h_dump(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	fill_dump(&m->u.dump, &r->u.dump);
	return 0;
}

static int h_offenders(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	int rc = dp_offender_query(m->u.offenders.min_total, m->u.offenders.max, &r->u.offenders);

	if (rc)
		snprintf(ERRBUF(r), "offenders: out of memory");
	else
		dp_protect_mark(&r->u.offenders);
	return rc;
}

/* The handler of every type, from ctl_messages.h: a message without its
 * h_<name> does not compile. */
#define HANDLER_(sfx, num, name, req, rep, acc) [RELAIS_CTL_##sfx] = h_##name,
static ctl_handler *const handlers[RELAIS_CTL_TYPE_MAX] = {RELAIS_CTL_MESSAGES(HANDLER_)};
#undef HANDLER_

/* See dp_ctl.h. */
void dp_ctl_apply(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->type = m->type;
	r->seq = m->seq;
	if (m->type < RELAIS_CTL_TYPE_MAX && handlers[m->type] != NULL) {
		r->status = handlers[m->type](m, r);
	} else {
		r->status = -EOPNOTSUPP;
		snprintf(ERRBUF(r), "unknown request type %u", m->type);
	}
}

/* Send reply r on fd (best effort: a client that cannot take it is slow). */
static bool send_reply(struct client *c, const struct relais_ctl_reply *r)
{
	uint8_t buf[RELAIS_CTL_MAX_MSG];
	int len = relais_ctl_encode_reply(r, buf, sizeof(buf));

	if (len <= 0)
		return true;
	if (send(c->fd, buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT) == len)
		return true;
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		return false;
	if (c->out == NULL && (c->out = malloc(RELAIS_CTL_MAX_MSG)) == NULL)
		return false;
	memcpy(c->out, buf, (size_t)len);
	c->out_len = len;
	return true;
}

/* Send the reply waiting for client c. false when the client is gone. */
static bool flush_reply(struct client *c)
{
	if (send(c->fd, c->out, (size_t)c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT) == c->out_len) {
		c->out_len = 0;
		return true;
	}
	return errno == EAGAIN || errno == EWOULDBLOCK;
}

/* Handle one datagram from client c; returns false to close it. The
 * reply is sent, or kept in c->out when the socket is full. */
static bool handle_datagram(struct client *c, const uint8_t *buf, size_t len)
{
	struct relais_ctl_msg m;
	struct relais_ctl_reply r;
	int rc = relais_ctl_decode_msg(buf, len, &m);

	if (rc < 0 || (!c->hello && m.type != RELAIS_CTL_HELLO)) {
		memset(&r, 0, sizeof(r));
		r.type = RELAIS_CTL_HELLO;
		r.seq = m.seq;
		r.status = rc < 0 ? rc : -EPROTO;
		snprintf(r.error, sizeof(r.error), "%s",
			 rc == -EPROTONOSUPPORT ? "protocol version mismatch (dataplane speaks v1)"
			 : rc < 0               ? "malformed request"
						: "HELLO must come first");
		send_reply(c, &r);
		RTE_LOG(WARNING, USER1, "ctl: refusing client: %s\n", r.error);
		return false;
	}
	if (m.type == RELAIS_CTL_HELLO)
		c->hello = 1;
	if (c->ro && !relais_ctl_type_read_only(m.type)) {
		memset(&r, 0, sizeof(r));
		r.type = m.type;
		r.seq = m.seq;
		r.status = -EPERM;
		snprintf(r.error, sizeof(r.error), "%s: not allowed on the read-only stats socket",
			 relais_ctl_type_name(m.type));
		return send_reply(c, &r);
	}
	dp_ctl_apply(&m, &r);
	explicit_bzero(&m, sizeof(m)); /* part_add/part_rekey: keys */
	if (r.status != 0)
		RTE_LOG(NOTICE, USER1, "ctl: %s refused: %s\n", relais_ctl_type_name(r.type),
			r.error);
	return send_reply(c, &r);
}

/* Accept pending connections of listener l (1: the read-only one); a peer
 * whose credentials the socket's access does not allow is closed at once. */
static void accept_clients(int l)
{
	char who[48];
	int fd;

	while ((fd = accept4(listeners[l].fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (!dp_ctl_peer_allowed(fd, listeners[l].gid, who, sizeof(who))) {
			RTE_LOG(WARNING, USER1,
				"ctl: refusing %s on %s: not root, our user or group\n", who,
				listeners[l].path);
			close(fd);
			continue;
		}
		if (n_clients == MAX_CLIENTS) {
			close(fd);
			continue;
		}
		clients[n_clients++] = (struct client){.fd = fd, .ro = l == 1};
	}
}

/* See dp_ctl.h. */
void dp_ctl_poll(int timeout_ms, const int *extra, unsigned n_extra)
{
	struct pollfd p[MAX_CLIENTS + 2 + DP_CTL_POLL_EXTRA];
	uint8_t buf[RELAIS_CTL_MAX_MSG];
	unsigned n_fds;

	if (n_extra > DP_CTL_POLL_EXTRA)
		n_extra = DP_CTL_POLL_EXTRA;
	if (listeners[0].fd < 0 && listeners[1].fd < 0 && n_extra == 0)
		return;
	for (int l = 0; l < 2; l++) {
		p[l].fd = listeners[l].fd; /* < 0: ignored by poll */
		p[l].events = POLLIN;
	}
	for (unsigned i = 0; i < n_clients; i++) {
		p[i + 2].fd = clients[i].fd;
		p[i + 2].events = clients[i].out_len ? POLLOUT : POLLIN;
	}
	n_fds = n_clients + 2;
	for (unsigned i = 0; i < n_extra; i++)
		p[n_fds++] = (struct pollfd){.fd = extra[i], .events = POLLIN};
	if (poll(p, n_fds, timeout_ms) <= 0)
		return;
	for (unsigned i = n_clients; i-- > 0;) {
		ssize_t len;
		bool keep = true;

		if (!(p[i + 2].revents & (POLLIN | POLLOUT | POLLHUP | POLLERR)))
			continue;
		if (clients[i].out_len) {
			keep = flush_reply(&clients[i]);
		} else {
			len = recv(clients[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (len <= 0 && !(len < 0 && errno == EAGAIN))
				keep = false;
			else if (len > 0)
				keep = handle_datagram(&clients[i], buf, (size_t)len);
			if (len > 0)
				explicit_bzero(buf, (size_t)len);
		}
		if (!keep) {
			close(clients[i].fd);
			free(clients[i].out);
			clients[i] = clients[--n_clients];
		}
	}
	for (int l = 0; l < 2; l++)
		if (p[l].revents & POLLIN)
			accept_clients(l);
}
