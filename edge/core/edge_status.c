/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-edge's status for operators and monitoring agents (--status-file):
 * one JSON object with every counter by name, one group per list of
 * reasons, rewritten every second like relais-controlplane's
 * (cp_statusfile.h). docs/operations.md, "relais-edge status", says what
 * each name means.
 */
#include <stdio.h>

#include <relais/json_out.h>

#include "cp_statusfile.h"
#include "edge_session.h"

/* A name of one of the edge's lists, by index. */
typedef const char *(*name_fn)(unsigned i);

/* The lists' name functions as name_fn (each takes its own enum). */
#define NAME_FN_(fn, of)                  \
	static const char *fn(unsigned i) \
	{                                 \
		return of(i);             \
	}
NAME_FN_(end_name, edge_session_end_name)
NAME_FN_(stat_name, edge_node_stat_name)
NAME_FN_(stun_name, edge_ice_verdict_name)
NAME_FN_(dtls_name, edge_dtls_reason_name)
NAME_FN_(http_name, edge_http_reason_name)
NAME_FN_(token_name, edge_token_reason_name)
NAME_FN_(sdp_name, edge_sdp_reason_name)
NAME_FN_(signal_name, edge_signal_refusal_name)
#undef NAME_FN_

/* "key":{name:count,...} for counters c[from..n) named by name, on a line
 * of its own. */
static void group(struct json_out *j, const char *key, const uint64_t *c, unsigned from, unsigned n,
		  name_fn name)
{
	json_ws(j, "\n ");
	json_key(j, key);
	json_obj_begin(j);
	for (unsigned i = from; i < n; i++)
		json_ku64(j, name(i), c[i]);
	json_obj_end(j);
}

/* "sessions" and "link": what is alive now. */
static void gauges(struct json_out *j, const struct edge_node *n)
{
	unsigned live = 0, joined = 0;

	for (unsigned i = 0; i < n->cap; i++) {
		live += n->s[i].used;
		joined += n->s[i].used && n->s[i].joined;
	}
	json_ws(j, "\n ");
	json_key(j, "sessions");
	json_obj_begin(j);
	json_ku64(j, "live", live);
	json_ku64(j, "joined", joined);
	json_ku64(j, "dtls_half_open", edge_dtls_half_open(n->dtls));
	json_obj_end(j);
	json_ws(j, "\n ");
	json_key(j, "link");
	json_obj_begin(j);
	json_kbool(j, "up", n->link.fd >= 0);
	json_ku64(j, "rx", n->link.rx);
	json_ku64(j, "tx", n->link.tx);
	json_ku64(j, "tx_failed", n->link.tx_failed);
	json_obj_end(j);
}

/* The JSON body (a line per group). */
static void write_json(FILE *f, const void *arg)
{
	const struct edge_node *n = arg;
	struct edge_http_stats hs = {0};
	struct json_out j;

	if (n->http)
		edge_http_get_stats(n->http, &hs);
	json_out_init_file(&j, f, JSON_COMPACT);
	json_obj_begin(&j);
	json_kstr(&j, "node", n->o->node);
	json_ku64(&j, "time_ms", cp_statusfile_wall_ms());
	gauges(&j, n);
	group(&j, "counters", n->stats, 0, EDGE_STAT_MAX, stat_name);
	group(&j, "ended", n->ends, 0, EDGE_END_MAX, end_name);
	group(&j, "stun", n->ice_verdicts, 0, EDGE_ICE_VERDICT_MAX, stun_name);
	group(&j, "dtls", n->dtls_reasons, EDGE_DTLS_NONE + 1, EDGE_DTLS_REASON_MAX, dtls_name);
	group(&j, "http", hs.http, 0, EDGE_HTTP_REASON_MAX, http_name);
	group(&j, "token", hs.token, 0, EDGE_TOKEN_REASON_MAX, token_name);
	group(&j, "sdp", n->sdp_refusals, EDGE_SDP_OK + 1, EDGE_SDP_REASON_MAX, sdp_name);
	group(&j, "signal", n->signal_refusals, 0, EDGE_SIGNAL_REFUSAL_MAX, signal_name);
	json_obj_end(&j);
	json_ws(&j, "\n");
	json_out_finish(&j);
}

/* See edge_session.h. */
int edge_status_write(const struct edge_node *n, const char *path)
{
	return cp_statusfile_write(path, write_json, n);
}
