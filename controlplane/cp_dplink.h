/* SPDX-License-Identifier: BSD-3-Clause */
/* The control plane's link to the dataplane's control channel
 * (include/relais/ctl_proto.h), polled by the node's loop like its Redis
 * links: requests are sent without waiting, up to CP_DPLINK_INFLIGHT at a
 * time, and each reply is handed to its request's callback when the loop
 * reads it (matched by seq). The dataplane answers a client's requests in
 * order, so requests sent in a row take effect in that order. Nothing here
 * blocks except the HELLO of a new connection (relais_ctl_connect). */
#ifndef CP_DPLINK_H
#define CP_DPLINK_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include <relais/ctl_proto.h>

/* Requests in flight at most. */
#define CP_DPLINK_INFLIGHT 16
/* A request unanswered for this long ends the connection. */
#define CP_DPLINK_TIMEOUT_MS 2000
/* Period of connection attempts while disconnected. */
#define CP_DPLINK_RETRY_MS 500

/* Reply callback: rc 0 with the reply r (r->status is the dataplane's
 * verdict), or rc -errno when the connection ended first (r then holds
 * only the request's type, status rc and an empty error). tag is the
 * sender's, as given to cp_dplink_send. */
typedef void cp_dplink_cb(void *priv, uint64_t tag, int rc, const struct relais_ctl_reply *r);

struct cp_dplink_req {
	bool used;
	uint16_t type;
	uint32_t seq;
	uint64_t sent_ms;
	cp_dplink_cb *cb;
	void *priv;
	uint64_t tag;
};

struct cp_dplink {
	const char *path; /* the dataplane's control socket */
	int fd;           /* -1 while disconnected */
	uint32_t seq;
	int inflight;
	uint64_t next_connect;
	struct cp_dplink_req req[CP_DPLINK_INFLIGHT];
};

/* A disconnected link to the socket at path (which outlives it). */
void cp_dplink_init(struct cp_dplink *dl, const char *path);
/* Connect when disconnected and an attempt is due (every
 * CP_DPLINK_RETRY_MS). true when this call connected: a new connection
 * may be a restarted, empty dataplane. */
bool cp_dplink_connect(struct cp_dplink *dl, uint64_t now);
/* True while connected. */
bool cp_dplink_up(const struct cp_dplink *dl);
/* True when a request can be sent now (connected, a slot free). */
bool cp_dplink_ready(const struct cp_dplink *dl);
/* Send request m (its seq is set here) and call cb with its reply later.
 * The encoded copy is cleansed (m may carry keys; the caller cleanses m).
 * 0; -EBUSY (no free slot: try after the next reply); -ENOTCONN; -EINVAL
 * or -EMSGSIZE (m cannot be encoded: nothing sent, the link stays); or
 * another -errno of send() (the link is then closed, every request in
 * flight failed). cb is called only after a 0 return. */
int cp_dplink_send(struct cp_dplink *dl, struct relais_ctl_msg *m, cp_dplink_cb *cb, void *priv,
		   uint64_t tag);
/* Fill *p for poll(). 1 when the link takes part, 0 when disconnected. */
int cp_dplink_pollfd(const struct cp_dplink *dl, struct pollfd *p);
/* Read every reply poll() announced and run the callbacks; a transport
 * error closes the link. */
void cp_dplink_handle(struct cp_dplink *dl, short revents);
/* Close the link when a request has waited more than
 * CP_DPLINK_TIMEOUT_MS. */
void cp_dplink_check(struct cp_dplink *dl, uint64_t now);
/* Close the connection (logging why, unless NULL): every request in
 * flight is called back with -ENOTCONN. Idempotent. */
void cp_dplink_close(struct cp_dplink *dl, const char *why);

#endif /* CP_DPLINK_H */
