/* SPDX-License-Identifier: BSD-3-Clause */
/* Keys out of core dumps; see include/relais/no_dump.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <relais/no_dump.h>

#define FILTER_FILE "/proc/self/coredump_filter"

/* The current coredump_filter (hex, as the kernel prints it) into *v.
 * 0 or -errno. */
static int read_filter(unsigned long *v)
{
	char buf[32];
	int fd = open(FILTER_FILE, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	*v = strtoul(buf, NULL, 16);
	return 0;
}

/* Set the filter to RELAIS_CORE_FILTER unless it already is (after a
 * change of user the file is root's and no longer writable: the value
 * set before is kept across it). 0 or -errno. */
static int set_filter(void)
{
	unsigned long v = 0;
	int fd, rc = read_filter(&v);
	char want[16];
	int len = snprintf(want, sizeof(want), "0x%x\n", RELAIS_CORE_FILTER);
	ssize_t w;

	if (rc < 0 || v == RELAIS_CORE_FILTER)
		return rc;
	fd = open(FILTER_FILE, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, want, (size_t)len);
	rc = w == len ? 0 : w < 0 ? -errno : -EIO;
	close(fd);
	if (rc == 0 && (rc = read_filter(&v)) == 0 && v != RELAIS_CORE_FILTER)
		rc = -EIO; /* the kernel kept other bits */
	return rc;
}

/* See no_dump.h. */
int relais_no_core_dump(const char *prog)
{
	const char *allow = getenv("RELAIS_ALLOW_CORE_DUMP");
	int rc;

	if (allow != NULL && strcmp(allow, "1") == 0) {
		fprintf(stderr,
			"%s: WARNING: RELAIS_ALLOW_CORE_DUMP=1: this process stays dumpable with "
			"the core dump filter it inherited: a core dump (a crash, gcore) holds its "
			"SRTP keys and keyring. For a lab machine only, never in production\n",
			prog);
		return 0;
	}
	rc = set_filter();
	if (rc < 0) {
		fprintf(stderr, "%s: cannot set %s to 0x%x: %s\n", prog, FILTER_FILE,
			RELAIS_CORE_FILTER, strerror(-rc));
		return rc;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		rc = -errno;
		fprintf(stderr, "%s: prctl(PR_SET_DUMPABLE, 0): %s\n", prog, strerror(errno));
	}
	return rc;
}

/* n rounded up to whole pages. */
static size_t pages(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (n + pg - 1) / pg * pg;
}

/* See no_dump.h. */
void *relais_secret_alloc(size_t n)
{
	size_t len = pages(n);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int e;

	if (p == MAP_FAILED)
		return NULL;
	if (madvise(p, len, MADV_DONTDUMP) != 0) {
		e = errno;
		munmap(p, len);
		errno = e;
		return NULL;
	}
	return p; /* anonymous pages come zeroed */
}

/* See no_dump.h. */
void relais_secret_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	explicit_bzero(p, n);
	munmap(p, pages(n));
}
