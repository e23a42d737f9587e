/* SPDX-License-Identifier: BSD-3-Clause */
/* The control plane's status for operators and monitoring agents: one JSON
 * object written to --status-file every second (to PATH.tmp, then renamed,
 * so a reader never sees half a file). docs/controlplane.md "Status". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cp_node.h"
#include "cp_util.h"

static const char *const state_names[] = {
    [CP_SESS_DOWN] = "down",
    [CP_SESS_SENTINEL] = "sentinel",
    [CP_SESS_HANDSHAKE] = "handshake",
    [CP_SESS_UP] = "up",
};

/* Wall-clock milliseconds (the file's timestamp). */
static unsigned long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000ull +
	       (unsigned long long)ts.tv_nsec / 1000000ull;
}

/* The JSON body. */
static void write_json(FILE *f, const struct cp_node *n, uint64_t now)
{
	const struct cp_session *s = &n->sess;
	long long ago = n->registered ? (long long)(now - n->lease_ok_ms) : -1;

	fprintf(f,
		"{\"node\":\"%s\",\"time_ms\":%llu,\n"
		" \"redis\":{\"state\":\"%s\",\"master\":\"%s:%d\",\"connect_failures\":%d},\n"
		" \"lease\":{\"registered\":%s,\"lease_ms\":%d,\"accepted_ms_ago\":%lld},\n"
		" \"rooms\":%d,\"participants\":%u,\n"
		" \"dataplane\":{\"connected\":%s,\"ctl_calls\":%llu,\"applied\":%llu,"
		"\"refused\":%llu,\"last_apply_ms\":%llu},\n"
		" \"loads\":{\"done\":%llu,\"last_ms\":%llu,\"in_flight\":%s},\n"
		" \"events_seen\":%llu}\n",
		n->cfg.node, wall_ms(), state_names[s->state], s->master_host, s->master_port,
		n->connect_failures, n->registered ? "true" : "false", n->cfg.lease_ms, ago,
		n->n_rooms, cp_load(n), n->dp_fd >= 0 ? "true" : "false",
		(unsigned long long)n->ctl_calls, (unsigned long long)n->applied,
		(unsigned long long)n->refused, (unsigned long long)n->last_apply_ms,
		(unsigned long long)n->loads_done, (unsigned long long)n->last_load_ms,
		n->loading ? "true" : "false", (unsigned long long)n->events_seen);
}

/* See header (cp_node.h). */
int cp_status_write(const struct cp_node *n, uint64_t now)
{
	char tmp[sizeof(n->cfg.status_file) + 8];
	FILE *f;
	int rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", n->cfg.status_file);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	write_json(f, n, now);
	if (fclose(f) != 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, n->cfg.status_file) != 0)
		rc = -errno;
	return rc;
}
