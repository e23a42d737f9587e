/* SPDX-License-Identifier: BSD-3-Clause */
/* Keys from secret files and stdin, never argv; see include/relais/key_input.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <relais/key_input.h>

/* Where one option of a command line takes its key from. */
enum key_opt {
	OPT_OTHER,
	OPT_LITERAL,
	OPT_FILE,
	OPT_STDIN
};

/* See key_input.h. */
FILE *relais_secret_open(const char *path, char *err, size_t n)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	FILE *f;

	if (fd < 0) {
		snprintf(err, n, "%s: %s", path,
			 errno == ELOOP ? "is a symbolic link (refused for a secret file)"
					: strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, n, "%s: not a regular file", path);
	} else if (st.st_uid != geteuid() && st.st_uid != 0) {
		snprintf(err, n, "%s: owned by uid %u, not by this user or root", path,
			 (unsigned)st.st_uid);
	} else if (st.st_mode & 077) {
		snprintf(err, n, "%s: mode %03o lets group or others read it: chmod 600", path,
			 (unsigned)(st.st_mode & 0777));
	} else if ((f = fdopen(fd, "r")) != NULL) {
		setvbuf(f, NULL, _IONBF, 0);
		return f;
	} else {
		snprintf(err, n, "%s: %s", path, strerror(errno));
	}
	close(fd);
	return NULL;
}

/* The one word of line (leading and trailing blanks dropped) into out
 * (RELAIS_KEY_TEXT_MAX + 1 bytes). 0, or -EINVAL (empty, two words) or
 * -E2BIG (longer than RELAIS_KEY_TEXT_MAX). */
static int one_word(const char *line, char *out)
{
	size_t a = strspn(line, " \t\r\n"), len = strcspn(line + a, " \t\r\n");

	if (len == 0 || line[a + len + strspn(line + a + len, " \t\r\n")] != '\0')
		return -EINVAL;
	if (len > RELAIS_KEY_TEXT_MAX)
		return -E2BIG;
	memcpy(out, line + a, len);
	out[len] = '\0';
	return 0;
}

/* The key of secret file path (its first line, one word) into out. 0 or
 * -errno with a sentence in err. */
static int key_from_file(const char *path, char *out, char *err, size_t n)
{
	char line[RELAIS_KEY_TEXT_MAX + 4] = "";
	FILE *f = relais_secret_open(path, err, n);
	int rc;

	if (f == NULL)
		return -EINVAL;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	rc = one_word(line, out);
	explicit_bzero(line, sizeof(line));
	if (rc < 0)
		snprintf(err, n, "%s: %s", path,
			 rc == -E2BIG ? "key too long" : "expected one line holding the key");
	return rc;
}

/* Read from fd into buf[cap) until two lines are in, end of file or cap
 * bytes. The byte count (NUL-terminated) or -EIO. */
static ssize_t read_two_lines(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	int lines = 0;

	while (len + 1 < cap && lines < 2) {
		ssize_t got = read(fd, buf + len, cap - 1 - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -EIO;
		if (got == 0)
			break;
		for (ssize_t i = 0; i < got; i++)
			lines += buf[len + (size_t)i] == '\n';
		len += (size_t)got;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

/* One line "rx KEY" or "tx KEY" of --keys-stdin into ka (each once). 0 or
 * -errno with a sentence in err. */
static int stdin_line(struct relais_key_argv *ka, const char *line, char *err, size_t n)
{
	char *to = strncmp(line, "rx ", 3) == 0   ? ka->rx
		   : strncmp(line, "tx ", 3) == 0 ? ka->tx
						  : NULL;
	int rc;

	if (to == NULL || to[0] != '\0') {
		snprintf(err, n, "--keys-stdin: expected the two lines 'rx KEY' and 'tx KEY'");
		return -EINVAL;
	}
	rc = one_word(line + 3, to);
	if (rc < 0)
		snprintf(err, n, "--keys-stdin: %.2s: %s", line,
			 rc == -E2BIG ? "key too long" : "expected one key after the direction");
	return rc;
}

/* --keys-stdin: both keys from fd into ka->rx and ka->tx. 0 or -errno with
 * a sentence in err. */
static int keys_from_fd(struct relais_key_argv *ka, int fd, char *err, size_t n)
{
	char buf[2 * (RELAIS_KEY_TEXT_MAX + 8)], *save = NULL;
	ssize_t len = read_two_lines(fd, buf, sizeof(buf));
	int rc = 0;

	if (len < 0) {
		snprintf(err, n, "--keys-stdin: cannot read standard input: %s", strerror(EIO));
		return -EIO;
	}
	for (char *l = strtok_r(buf, "\n", &save); l && rc == 0; l = strtok_r(NULL, "\n", &save))
		rc = stdin_line(ka, l, err, n);
	if (rc == 0 && (ka->rx[0] == '\0' || ka->tx[0] == '\0')) {
		snprintf(err, n, "--keys-stdin: expected the two lines 'rx KEY' and 'tx KEY'");
		rc = -EINVAL;
	}
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/* What option a is, and which direction's key (rx or tx buffer) it names. */
static enum key_opt classify(struct relais_key_argv *ka, const char *a, char **dir)
{
	*dir = strncmp(a, "--rx-", 5) == 0 ? ka->rx : ka->tx;
	if (strcmp(a, "--rx-key") == 0 || strcmp(a, "--tx-key") == 0)
		return OPT_LITERAL;
	if (strcmp(a, "--rx-key-file") == 0 || strcmp(a, "--tx-key-file") == 0)
		return OPT_FILE;
	return strcmp(a, "--keys-stdin") == 0 ? OPT_STDIN : OPT_OTHER;
}

/* Append "--rx-key" / "--tx-key" and its key text to ka's command line. */
static void put_key(struct relais_key_argv *ka, char *key)
{
	static char rx_opt[] = "--rx-key", tx_opt[] = "--tx-key";

	ka->argv[ka->argc++] = key == ka->rx ? rx_opt : tx_opt;
	ka->argv[ka->argc++] = key;
}

/* One key option of argv at i (kind o, direction buffer dir) into ka. 0,
 * or -errno with a sentence in err. */
static int take_key(struct relais_key_argv *ka, enum key_opt o, char *dir, int argc, char **argv,
		    int i, int in_fd, char *err, size_t n)
{
	if (o == OPT_LITERAL) {
		snprintf(err, n,
			 "%s: a key on the command line is readable by every local user "
			 "(/proc/PID/cmdline): use %s-file FILE (mode 600) or --keys-stdin "
			 "(lines 'rx KEY' and 'tx KEY' on standard input)",
			 argv[i], argv[i]);
		return -EINVAL;
	}
	if ((o == OPT_STDIN && (ka->rx[0] || ka->tx[0])) || (o == OPT_FILE && dir[0])) {
		snprintf(err, n, "%s: each key is given once (a file or --keys-stdin)", argv[i]);
		return -EINVAL;
	}
	if (o == OPT_FILE && i + 1 >= argc) {
		snprintf(err, n, "%s: a file name is required", argv[i]);
		return -EINVAL;
	}
	if (o == OPT_FILE)
		return key_from_file(argv[i + 1], dir, err, n);
	return keys_from_fd(ka, in_fd, err, n);
}

/* See key_input.h. */
int relais_key_argv(struct relais_key_argv *ka, int argc, char **argv, int in_fd, char *err,
		    size_t n)
{
	bool from_stdin = false;
	int rc = 0, i;

	memset(ka, 0, sizeof(*ka));
	for (i = 0; i < argc && rc == 0; i++) {
		char *dir;
		enum key_opt o = classify(ka, argv[i], &dir);

		if (o == OPT_OTHER) {
			ka->argv[ka->argc++] = argv[i];
		} else {
			rc = take_key(ka, o, dir, argc, argv, i, in_fd, err, n);
			from_stdin |= o == OPT_STDIN;
			i += o == OPT_FILE;
			if (rc == 0 && o == OPT_FILE)
				put_key(ka, dir);
		}
		if (rc == 0 && ka->argc + 4 > RELAIS_KEY_ARGV_MAX) {
			snprintf(err, n, "more than %d arguments", RELAIS_KEY_ARGV_MAX - 4);
			rc = -E2BIG;
		}
	}
	if (rc == 0 && from_stdin) {
		put_key(ka, ka->rx);
		put_key(ka, ka->tx);
	}
	if (rc < 0)
		relais_key_argv_clear(ka);
	return rc;
}

/* See key_input.h. */
void relais_key_argv_clear(struct relais_key_argv *ka)
{
	explicit_bzero(ka, sizeof(*ka));
}
