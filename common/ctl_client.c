/* SPDX-License-Identifier: BSD-3-Clause */
/* Client side of the control channel: connect, HELLO, request/reply. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <relais/ctl_proto.h>

#define CTL_HELLO_TIMEOUT_MS 2000

/* Whether the process serving connected socket fd runs as root or as our
 * own user (SO_PEERCRED): keys are never sent to a socket that another
 * user managed to create at the expected path. */
static int server_trusted(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return 0;
	return cr.uid == 0 || cr.uid == geteuid();
}

/* Connect a SOCK_SEQPACKET socket to path, say HELLO, check the version.
 * Returns the fd or -errno; -EPROTONOSUPPORT for a version mismatch,
 * -EPERM when the server is neither root nor our user. */
int relais_ctl_connect(const char *path, const char *peer_name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct relais_ctl_msg m = {.type = RELAIS_CTL_HELLO, .seq = 1};
	struct relais_ctl_reply r = {0};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (!server_trusted(fd)) {
		close(fd);
		return -EPERM;
	}
	m.u.hello.version = RELAIS_CTL_VERSION;
	snprintf(m.u.hello.peer_name, sizeof(m.u.hello.peer_name), "%s", peer_name);
	rc = relais_ctl_call(fd, &m, &r, CTL_HELLO_TIMEOUT_MS);
	if (rc == 0 && r.status != 0)
		rc = r.status;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

/* Wait until fd is readable for at most timeout_ms; 0 or -ETIMEDOUT/-errno. */
static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int n;

	do {
		n = poll(&p, 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

/* Send request m and read its reply into r (replies to other seqs are
 * skipped). 0 or -errno for transport errors; r->status holds the verdict. */
int relais_ctl_call(int fd, const struct relais_ctl_msg *m, struct relais_ctl_reply *r,
		    int timeout_ms)
{
	uint8_t buf[RELAIS_CTL_MAX_MSG];
	int len, rc;
	ssize_t n;

	len = relais_ctl_encode_msg(m, buf, sizeof(buf));
	if (len < 0)
		return len;
	n = send(fd, buf, (size_t)len, MSG_NOSIGNAL);
	rc = -errno;
	explicit_bzero(buf, (size_t)len); /* a PART_ADD carries keys */
	if (n != len)
		return rc;
	for (;;) {
		rc = wait_readable(fd, timeout_ms);
		if (rc < 0)
			return rc;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		rc = relais_ctl_decode_reply(buf, (size_t)n, r);
		if (rc < 0)
			return rc;
		if (r->seq == m->seq && r->type == m->type)
			return 0;
	}
}
