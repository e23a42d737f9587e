/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xdp_ctl: load, attach, pin and drive the relais XDP filter's maps.
 * See xdp_ctl.h for the contract of each function and docs/xdp.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#ifdef RELAIS_HAVE_LIBXDP
#include <xdp/libxdp.h>
#endif

/* The generated skeleton casts away const on its embedded object. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "relais_xdp.skel.h"
#pragma GCC diagnostic pop
#include "xdp_ctl.h"

#define VERIFIER_LOG_SIZE (1u << 20)
#define VERIFIER_TAIL 3000
#define MAX_MAP_IDS 64

struct xdp_ctl {
	struct relais_xdp *skel; /* NULL unless loaded by xdp_ctl_load */
	int prog_fd;
	int map_fd[XDP_CTL_MAP_COUNT];
	int own_fds; /* fds came from pins/ids and must be closed */
};

static const char *const map_names[XDP_CTL_MAP_COUNT] = {
    [XDP_CTL_MAP_XSKS] = XDP_MAP_XSKS,     [XDP_CTL_MAP_CONFIG] = XDP_MAP_CONFIG,
    [XDP_CTL_MAP_BLOCK4] = XDP_MAP_BLOCK4, [XDP_CTL_MAP_BLOCK6] = XDP_MAP_BLOCK6,
    [XDP_CTL_MAP_ALLOW4] = XDP_MAP_ALLOW4, [XDP_CTL_MAP_ALLOW6] = XDP_MAP_ALLOW6,
    [XDP_CTL_MAP_PORTS] = XDP_MAP_PORTS,   [XDP_CTL_MAP_BUCKETS] = XDP_MAP_BUCKETS,
    [XDP_CTL_MAP_DROPS] = XDP_MAP_DROPS,   [XDP_CTL_MAP_VERDICTS] = XDP_MAP_VERDICTS,
    [XDP_CTL_MAP_STUN] = XDP_MAP_STUN,     [XDP_CTL_MAP_STUN_TOTAL] = XDP_MAP_STUN_TOTAL,
    [XDP_CTL_MAP_FLOWS] = XDP_MAP_FLOWS,
};

/* Name of map m (NULL when out of range). */
const char *xdp_ctl_map_name(enum xdp_ctl_map m)
{
	return (unsigned)m < XDP_CTL_MAP_COUNT ? map_names[m] : NULL;
}

/* A handle with every fd at -1. NULL + errno. */
static struct xdp_ctl *ctl_new(void)
{
	struct xdp_ctl *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->prog_fd = -1;
	for (int i = 0; i < XDP_CTL_MAP_COUNT; i++)
		c->map_fd[i] = -1;
	return c;
}

/* Print the last VERIFIER_TAIL bytes of a verifier log. */
static void print_log_tail(const char *log)
{
	size_t n = strlen(log);
	const char *tail = n > VERIFIER_TAIL ? log + n - VERIFIER_TAIL : log;

	fprintf(stderr, "relais-xdp: the kernel verifier rejected the program; log tail:\n%s\n",
		tail);
}

/* Load the skeleton; capture the verifier log to explain a rejection. */
struct xdp_ctl *xdp_ctl_load(void)
{
	struct xdp_ctl *c = ctl_new();
	char *log = calloc(1, VERIFIER_LOG_SIZE);
	int err = -ENOMEM;

	if (!c || !log)
		goto fail;
	c->skel = relais_xdp__open();
	if (!c->skel) {
		err = -errno;
		fprintf(stderr, "relais-xdp: cannot open BPF object: %s\n", strerror(-err));
		goto fail;
	}
	bpf_program__set_log_buf(c->skel->progs.relais_xdp, log, VERIFIER_LOG_SIZE);
	err = relais_xdp__load(c->skel);
	if (err) {
		if (log[0])
			print_log_tail(log);
		else
			fprintf(stderr, "relais-xdp: load failed: %s%s\n", strerror(-err),
				err == -EPERM ? " (run as root / CAP_BPF+CAP_NET_ADMIN)" : "");
		goto fail;
	}
	free(log);
	c->prog_fd = bpf_program__fd(c->skel->progs.relais_xdp);
	for (int i = 0; i < XDP_CTL_MAP_COUNT; i++)
		c->map_fd[i] = bpf_object__find_map_fd_by_name(c->skel->obj, map_names[i]);
	return c;
fail:
	free(log);
	xdp_ctl_close(c);
	errno = -err;
	return NULL;
}

/* See xdp_ctl.h. */
int xdp_ctl_check_obj(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	char *log = calloc(1, VERIFIER_LOG_SIZE);
	struct bpf_program *prog;
	int err;

	if (!obj || !log) {
		err = obj ? -ENOMEM : -errno;
		fprintf(stderr, "relais-xdp: cannot open BPF object %s: %s\n", path,
			strerror(-err));
		goto out;
	}
	bpf_object__for_each_program(prog, obj)
	    bpf_program__set_log_buf(prog, log, VERIFIER_LOG_SIZE);
	err = bpf_object__load(obj);
	if (err && log[0])
		print_log_tail(log);
	else if (err)
		fprintf(stderr, "relais-xdp: load of %s failed: %s%s\n", path, strerror(-err),
			err == -EPERM ? " (run as root / CAP_BPF+CAP_NET_ADMIN)" : "");
out:
	bpf_object__close(obj);
	free(log);
	return err;
}

/* Close fds we own and free the skeleton. */
void xdp_ctl_close(struct xdp_ctl *c)
{
	if (!c)
		return;
	if (c->own_fds) {
		for (int i = 0; i < XDP_CTL_MAP_COUNT; i++)
			if (c->map_fd[i] >= 0)
				close(c->map_fd[i]);
		if (c->prog_fd >= 0)
			close(c->prog_fd);
	}
	relais_xdp__destroy(c->skel);
	free(c);
}

/* Program fd or -1. */
int xdp_ctl_prog_fd(const struct xdp_ctl *c)
{
	return c->prog_fd;
}

/* Map fd or -1. */
int xdp_ctl_map_fd(const struct xdp_ctl *c, enum xdp_ctl_map m)
{
	return (unsigned)m < XDP_CTL_MAP_COUNT ? c->map_fd[m] : -1;
}

/* Check that path lies on a bpffs; explain how to mount one if not. */
static int check_bpffs(const char *path)
{
	struct statfs st;
	char probe[512];
	char *slash;

	snprintf(probe, sizeof(probe), "%s", path);
	/* Walk up to the first existing ancestor. */
	while (statfs(probe, &st) != 0) {
		slash = strrchr(probe, '/');
		if (!slash || slash == probe)
			return -ENOENT;
		*slash = '\0';
	}
	if (st.f_type != BPF_FS_MAGIC) {
		fprintf(stderr,
			"relais-xdp: %s is not on a BPF filesystem; mount one with:\n"
			"  mount -t bpf bpf /sys/fs/bpf\n",
			path);
		return -ENODEV;
	}
	return 0;
}

/* mkdir -p for the pin directory. */
static int mkdir_p(const char *dir)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Default pin directory for an interface. */
int xdp_ctl_pin_dir(const char *ifname, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", XDP_PIN_ROOT, ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Pin every filter map under dir by name. */
int xdp_ctl_pin(struct xdp_ctl *c, const char *dir)
{
	char path[600];
	int err = check_bpffs(dir);

	if (err)
		return err;
	err = mkdir_p(dir);
	if (err) {
		fprintf(stderr, "relais-xdp: mkdir %s: %s\n", dir, strerror(-err));
		return err;
	}
	for (int i = XDP_CTL_MAP_CONFIG; i < XDP_CTL_MAP_COUNT; i++) {
		if (c->map_fd[i] < 0)
			return -ENOENT;
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		unlink(path); /* stale pin from a previous attach */
		if (bpf_obj_pin(c->map_fd[i], path)) {
			err = -errno;
			fprintf(stderr, "relais-xdp: pin %s: %s\n", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Remove pins and the directory. */
int xdp_ctl_unpin(const char *dir)
{
	char path[600];

	for (int i = XDP_CTL_MAP_CONFIG; i < XDP_CTL_MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		unlink(path);
	}
	return rmdir(dir) && errno != ENOENT ? -errno : 0;
}

/* Open the pinned maps. */
struct xdp_ctl *xdp_ctl_from_pins(const char *dir)
{
	struct xdp_ctl *c;
	char path[600];
	int err = check_bpffs(dir);

	if (err) {
		errno = -err;
		return NULL;
	}
	c = ctl_new();
	if (!c)
		return NULL;
	c->own_fds = 1;
	for (int i = XDP_CTL_MAP_CONFIG; i < XDP_CTL_MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		c->map_fd[i] = bpf_obj_get(path);
		if (c->map_fd[i] < 0) {
			err = errno;
			fprintf(stderr, "relais-xdp: open pinned map %s: %s\n", path,
				strerror(err));
			xdp_ctl_close(c);
			errno = err;
			return NULL;
		}
	}
	return c;
}

/* Take the maps of prog_fd whose names are ours; 1 when rlx_config found. */
static int take_prog_maps(struct xdp_ctl *c, int prog_fd)
{
	__u32 ids[MAX_MAP_IDS];
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);

	info.nr_map_ids = MAX_MAP_IDS;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	for (__u32 i = 0; i < info.nr_map_ids && i < MAX_MAP_IDS; i++) {
		struct bpf_map_info mi = {0};
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);
		int taken = 0;

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen)) {
			for (int m = 0; m < XDP_CTL_MAP_COUNT && !taken; m++) {
				if (c->map_fd[m] < 0 && !strcmp(mi.name, map_names[m])) {
					c->map_fd[m] = fd;
					taken = 1;
				}
			}
		}
		if (!taken)
			close(fd);
	}
	return c->map_fd[XDP_CTL_MAP_CONFIG] >= 0;
}

/* Try the program with this id; keeps its fd when it is ours. */
static int try_prog_id(struct xdp_ctl *c, __u32 id)
{
	int fd;

	if (!id)
		return 0;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return 0;
	if (take_prog_maps(c, fd)) {
		c->prog_fd = fd;
		return 1;
	}
	close(fd);
	return 0;
}

#ifdef RELAIS_HAVE_LIBXDP
/* Look inside a libxdp dispatcher for our program. */
static int try_dispatcher(struct xdp_ctl *c, int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;
	int found = 0;

	if (libxdp_get_error(mp))
		return 0;
	while (!found && (p = xdp_multiprog__next_prog(p, mp)))
		found = try_prog_id(c, xdp_program__id(p));
	xdp_multiprog__close(mp);
	return found;
}
#endif

/* Find the attached relais program of ifindex and its maps. */
struct xdp_ctl *xdp_ctl_from_ifindex(int ifindex)
{
	static const int modes[] = {XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE, XDP_FLAGS_HW_MODE};
	struct xdp_ctl *c = ctl_new();
	int found = 0;

	if (!c)
		return NULL;
	c->own_fds = 1;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]) && !found; i++) {
		__u32 id = 0;

		if (!bpf_xdp_query_id(ifindex, modes[i], &id))
			found = try_prog_id(c, id);
	}
#ifdef RELAIS_HAVE_LIBXDP
	if (!found)
		found = try_dispatcher(c, ifindex);
#endif
	if (!found) {
		xdp_ctl_close(c);
		errno = ENOENT;
		return NULL;
	}
	return c;
}

/* Attach via libxdp when available, else via netlink. */
int xdp_ctl_attach(struct xdp_ctl *c, int ifindex, int skb_mode)
{
	__u32 flags = skb_mode ? XDP_FLAGS_SKB_MODE : 0;
	int err;

	if (c->prog_fd < 0)
		return -EINVAL;
#ifdef RELAIS_HAVE_LIBXDP
	struct xdp_program *xp = xdp_program__from_fd(c->prog_fd);

	if (!libxdp_get_error(xp)) {
		err =
		    xdp_program__attach(xp, ifindex, skb_mode ? XDP_MODE_SKB : XDP_MODE_NATIVE, 0);
		if (err && !skb_mode)
			err = xdp_program__attach(xp, ifindex, XDP_MODE_SKB, 0);
		xdp_program__close(xp);
		if (!err)
			return 0;
	}
#endif
	err = bpf_xdp_attach(ifindex, c->prog_fd, flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err && !skb_mode && err != -EBUSY && err != -EEXIST)
		err = bpf_xdp_attach(ifindex, c->prog_fd,
				     XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err)
		fprintf(stderr, "relais-xdp: attach to ifindex %d: %s%s\n", ifindex, strerror(-err),
			err == -EBUSY || err == -EEXIST ? " (another XDP program is attached)"
							: "");
	return err;
}

/* Detach the relais program from ifindex (dispatcher-aware). */
int xdp_ctl_detach(int ifindex)
{
	struct xdp_ctl *c = xdp_ctl_from_ifindex(ifindex);
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);
	int err = 0;

	if (!c)
		return -errno;
	if (bpf_obj_get_info_by_fd(c->prog_fd, &info, &len))
		err = -errno;
#ifdef RELAIS_HAVE_LIBXDP
	if (!err) {
		struct xdp_program *xp = xdp_program__from_id(info.id);

		if (!libxdp_get_error(xp)) {
			err = xdp_program__detach(xp, ifindex, XDP_MODE_UNSPEC, 0);
			xdp_program__close(xp);
			xdp_ctl_close(c);
			if (!err)
				return 0;
			c = NULL;
		}
	}
#endif
	xdp_ctl_close(c);
	for (int m = 0; m < 2; m++) {
		__u32 flags = m ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
		__u32 id = 0;

		if (!bpf_xdp_query_id(ifindex, flags, &id) && id == info.id)
			err = bpf_xdp_detach(ifindex, flags, NULL);
	}
	return err;
}
