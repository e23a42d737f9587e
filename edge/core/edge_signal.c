/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WHIP/WHEP over the engine (edge_session.h): the HTTP layer's backend.
 * An offer is read and negotiated (edge_sdp.h), the room placed (or the
 * client redirected to its node), a session created with fresh ICE
 * credentials and the answer written. No media flows until the browser's
 * ICE check and DTLS handshake: the answer only says how to reach us.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "cp_util.h"
#include "edge_session.h"

static const struct {
	unsigned status;
	const char *name, *message;
} refusals[] = {
#define EDGE_SIGNAL_ROW_(sfx, st, name, msg) {st, name, msg},
    EDGE_SIGNAL_REFUSALS(EDGE_SIGNAL_ROW_)
#undef EDGE_SIGNAL_ROW_
};

/* Refuse for reason r: its status and "name: message", counted. */
static void refuse(struct edge_node *n, struct edge_http_reply *out, enum edge_signal_refusal r)
{
	n->signal_refusals[r]++;
	out->status = refusals[r].status;
	snprintf(out->reason, sizeof(out->reason), "%s: %s", refusals[r].name, refusals[r].message);
}

/* Refuse an offer edge_sdp refused for r: its status and "name: message"
 * (with the line, when known), counted. */
static void refuse_sdp(struct edge_node *n, struct edge_http_reply *out, enum edge_sdp_reason r,
		       unsigned line)
{
	n->sdp_refusals[r]++;
	out->status = (unsigned)edge_sdp_reason_status(r);
	edge_sdp_describe(r, line, out->reason, sizeof(out->reason));
}

/* Room placement: 0 when this node owns room, else the reply is set (a
 * redirect to the owner's URL, or 503). */
static int place(struct edge_node *n, const struct edge_http_session *hs,
		 struct edge_http_reply *out)
{
	char owner[64], url[EDGE_HTTP_URL_MAX - 32], err[256];
	int rc = edge_rooms_place(&n->rooms, hs->room, owner, sizeof(owner), err, sizeof(err));

	if (rc == 0)
		return 0;
	if (rc < 0) {
		CP_LOG(CP_LOG_WARN, "room %u: placement: %s", hs->room, err);
		refuse(n, out, EDGE_SIGNAL_PLACEMENT_UNAVAILABLE);
		return -1;
	}
	if (edge_rooms_url_of(&n->rooms, owner, url, sizeof(url)) < 0) {
		refuse(n, out, EDGE_SIGNAL_NO_OWNER_URL);
		return -1;
	}
	out->status = 307;
	snprintf(out->location, sizeof(out->location), "%s/%s/%u", url,
		 hs->kind == EDGE_HTTP_PUBLISH ? "whip" : "whep", hs->room);
	snprintf(out->reason, sizeof(out->reason), "room %u is on node %s", hs->room, owner);
	n->stats[EDGE_STAT_redirects]++;
	return -1;
}

/* A random non-zero SSRC that session s does not use yet. */
static uint32_t fresh_ssrc(const struct edge_session *s)
{
	for (;;) {
		uint32_t v = 0;
		bool used = false;

		if (RAND_bytes((uint8_t *)&v, sizeof(v)) != 1 || v == 0)
			continue;
		for (unsigned i = 0; i < s->n_slots; i++)
			used |= s->slots[i].ssrc == v;
		if (!used)
			return v;
	}
}

/* Session s's m-sections from the negotiation. */
static void take_slots(struct edge_session *s, const struct edge_sdp_result *res)
{
	s->n_slots = res->n_media;
	for (unsigned i = 0; i < res->n_media; i++) {
		const struct edge_sdp_answered *a = &res->media[i];
		struct edge_slot *sl = &s->slots[i];

		sl->kind = a->kind;
		sl->accepted = a->accepted;
		sl->n_codecs = a->n_chosen;
		memcpy(sl->ext_id, a->ext_id, sizeof(sl->ext_id));
		for (unsigned k = 0; k < a->n_chosen; k++) {
			sl->codecs[k].id = a->chosen[k].id;
			sl->codecs[k].pt = a->chosen[k].pt;
		}
		if (s->role == EDGE_SDP_ROLE_PUBLISH)
			sl->ssrc = a->n_streams ? a->streams[0].ssrc : 0;
		else if (a->accepted)
			sl->ssrc = fresh_ssrc(s);
	}
}

/* Start session s: ICE credentials, the browser's fingerprint, the ICE
 * session. 0, or -1 with the reply set. */
static int start(struct edge_node *n, struct edge_session *s, const struct edge_sdp_result *res,
		 struct edge_http_reply *out)
{
	char fp[EDGE_SDP_FINGERPRINT_LEN + 16];

	snprintf(fp, sizeof(fp), "%s %s", res->remote.fp_algorithm, res->remote.fp_value);
	if (edge_fingerprint_parse(fp, s->peer_fp) != EDGE_CERT_OK) {
		refuse(n, out, EDGE_SIGNAL_BAD_FINGERPRINT);
		return -1;
	}
	if (edge_ice_credentials_generate(&s->cred) < 0 ||
	    edge_ice_session_add(n->ice, &s->cred, res->remote.ice_ufrag, edge_node_cookie(n, s),
				 cp_now_ms()) < 0) {
		refuse(n, out, EDGE_SIGNAL_ICE_FULL);
		return -1;
	}
	return 0;
}

/* Write the answer of session s into out. 0, or -1 with the reply set. */
static int answer(struct edge_node *n, const struct edge_session *s,
		  const struct edge_sdp_offer *offer, const struct edge_sdp_result *res,
		  struct edge_http_reply *out)
{
	struct edge_sdp_local loc = {.ice_ufrag = s->cred.ufrag,
				     .ice_pwd = s->cred.pwd,
				     .fingerprint = edge_cert_fingerprint(n->cert),
				     .address = n->o->media_ip4,
				     .port = n->o->media_port,
				     .session_id = edge_node_cookie(n, s)};
	char track_ids[EDGE_SDP_MAX_MEDIA][24];
	enum edge_sdp_reason r;
	size_t len = 0;

	for (unsigned i = 0; i < s->n_slots && s->role == EDGE_SDP_ROLE_SUBSCRIBE; i++) {
		snprintf(track_ids[i], sizeof(track_ids[i]), "relais-%u", i);
		loc.send[i] = (struct edge_sdp_send){.ssrc = s->slots[i].ssrc,
						     .cname = "relais",
						     .stream_id = "relais",
						     .track_id = track_ids[i]};
	}
	r = edge_sdp_write_answer(offer, res, &loc, out->body, out->body_cap, &len);
	if (r != EDGE_SDP_OK) {
		refuse_sdp(n, out, r, 0);
		return -1;
	}
	out->status = 201;
	out->body_len = len;
	return 0;
}

/* Parse and negotiate the offer; 0, or -1 with the reply set. */
static int read_offer(struct edge_node *n, const char *sdp, size_t len, enum edge_sdp_role role,
		      struct edge_sdp_offer *offer, struct edge_sdp_result *res,
		      struct edge_http_reply *out)
{
	enum edge_sdp_reason r = edge_sdp_parse((const uint8_t *)sdp, len, offer);

	if (r == EDGE_SDP_OK)
		r = edge_sdp_negotiate(offer, role, res);
	if (r == EDGE_SDP_OK)
		return 0;
	refuse_sdp(n, out, r, offer->error_line);
	return -1;
}

/* Backend: a WHIP or WHEP offer. */
static void on_offer(void *ctx, const struct edge_http_session *hs,
		     const struct edge_token_claims *claims, const char *sdp, size_t sdp_len,
		     struct edge_http_reply *out)
{
	static struct edge_sdp_offer offer;
	static struct edge_sdp_result res;
	struct edge_node *n = ctx;
	enum edge_sdp_role role =
	    hs->kind == EDGE_HTTP_PUBLISH ? EDGE_SDP_ROLE_PUBLISH : EDGE_SDP_ROLE_SUBSCRIBE;
	struct edge_session *s;

	(void)claims;
	if (hs->participant == 0 || hs->participant > EDGE_MAX_PART_ID) {
		refuse(n, out, EDGE_SIGNAL_BAD_PARTICIPANT_ID);
		return;
	}
	if (read_offer(n, sdp, sdp_len, role, &offer, &res, out) < 0 || place(n, hs, out) < 0)
		return;
	s = edge_node_by_part(n, hs->participant);
	if (s != NULL)
		edge_node_end(n, s, EDGE_END_REPLACED, false);
	s = edge_node_session_new(n);
	if (s == NULL) {
		refuse(n, out, EDGE_SIGNAL_SESSIONS_FULL);
		return;
	}
	s->role = role;
	s->room = hs->room;
	s->part = hs->participant;
	snprintf(s->resource, sizeof(s->resource), "%s", hs->resource_id);
	take_slots(s, &res);
	if (start(n, s, &res, out) < 0 || answer(n, s, &offer, &res, out) < 0) {
		s->resource[0] = '\0'; /* the HTTP layer keeps no resource on a refusal */
		edge_node_end(n, s, EDGE_END_DELETED, true);
		return;
	}
	n->stats[EDGE_STAT_offers]++;
}

/* Backend: PATCH. Trickled candidates are not needed by an ICE-lite
 * server (it learns the address from the checks): 204. An ICE restart
 * (new ice-ufrag in the fragment) gets fresh credentials. */
static void on_patch(void *ctx, const struct edge_http_session *hs, const char *frag,
		     size_t frag_len, struct edge_http_reply *out)
{
	struct edge_node *n = ctx;
	struct edge_session *s = edge_node_by_resource(n, hs->resource_id);
	struct edge_ice_credentials cred;
	const char *u = memmem(frag, frag_len, "a=ice-ufrag:", 12);
	char remote[EDGE_ICE_UFRAG_MAX + 1];
	size_t k = 0;

	if (s == NULL) {
		refuse(n, out, EDGE_SIGNAL_NO_SESSION);
		return;
	}
	if (u == NULL) {
		out->status = 204;
		return;
	}
	for (u += 12; u < frag + frag_len && *u != '\r' && *u != '\n' && k < sizeof(remote) - 1;)
		remote[k++] = *u++;
	remote[k] = '\0';
	if (edge_ice_credentials_generate(&cred) < 0 ||
	    edge_ice_session_restart(n->ice, s->cred.ufrag, &cred, remote) < 0) {
		refuse(n, out, EDGE_SIGNAL_RESTART_REFUSED);
		return;
	}
	s->cred = cred;
	edge_ice_credentials_wipe(&cred);
	out->status = 200;
	out->body_len =
	    (size_t)snprintf(out->body, out->body_cap, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n",
			     s->cred.ufrag, s->cred.pwd);
}

/* Backend: DELETE. */
static void on_end(void *ctx, const struct edge_http_session *hs)
{
	struct edge_node *n = ctx;
	struct edge_session *s = edge_node_by_resource(n, hs->resource_id);

	if (s != NULL)
		edge_node_end(n, s, EDGE_END_DELETED, true);
}

/* See edge_session.h. */
void edge_signal_backend(struct edge_node *n, struct edge_http_backend *b)
{
	*b = (struct edge_http_backend){
	    .ctx = n, .offer = on_offer, .patch = on_patch, .end = on_end};
}
