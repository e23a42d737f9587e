/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay driver for the fuzz targets when they are built without libFuzzer
 * (any compiler): `fuzz_X CORPUS_DIR [MUTATIONS]` runs every file of the
 * seed corpus through LLVMFuzzerTestOneInput(), then MUTATIONS (default
 * 4000) deterministic pseudo-random mutations of those seeds (bit flips,
 * byte sets, truncation, insertion, deletion, splicing). Every input is
 * passed in an exact-size heap buffer, so a sanitizer build sees over-reads.
 * A crash or a broken invariant aborts; an empty corpus is a failure.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_target.h"

#define REPLAY_MAX_INPUT 65536

struct seed {
	uint8_t *data;
	size_t len;
};

static uint32_t rng_state = 0x9e3779b9u;

/* xorshift32: a fixed sequence, so every run tries the same inputs. */
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Read a whole file; returns 0 or -errno. */
static int read_file(const char *path, struct seed *s)
{
	FILE *fp = fopen(path, "rb");
	uint8_t buf[REPLAY_MAX_INPUT];
	size_t n;

	if (!fp)
		return -errno;
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	s->data = malloc(n ? n : 1);
	if (!s->data)
		return -ENOMEM;
	memcpy(s->data, buf, n);
	s->len = n;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Load every regular file of dir, in name order. Returns the count or -1. */
static int load_corpus(const char *dir, struct seed **out)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, by_name), k = 0;
	char path[4096];
	struct stat st;

	if (n < 0) {
		fprintf(stderr, "cannot read corpus %s: %s\n", dir, strerror(errno));
		return -1;
	}
	*out = calloc((size_t)n + 1, sizeof(**out));
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && read_file(path, &(*out)[k]) == 0)
			k++;
		free(names[i]);
	}
	free(names);
	return k;
}

/* Run one input from an exact-size copy. */
static void run(const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);

	memcpy(copy, p, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
}

/* Apply one random edit to buf (len bytes, capacity REPLAY_MAX_INPUT). */
static size_t mutate_once(uint8_t *buf, size_t len, const struct seed *other)
{
	static const uint8_t special[] = {0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x20};
	size_t pos = len ? rnd() % len : 0, n;

	switch (rnd() % 7) {
	case 0: /* flip a bit */
		if (len)
			buf[pos] ^= (uint8_t)(1u << (rnd() % 8));
		return len;
	case 1: /* set a random byte */
		if (len)
			buf[pos] = (uint8_t)rnd();
		return len;
	case 2: /* set an interesting byte */
		if (len)
			buf[pos] = special[rnd() % sizeof(special)];
		return len;
	case 3: /* truncate */
		return len ? rnd() % len : 0;
	case 4: /* insert random bytes */
		n = 1 + rnd() % 16;
		if (len + n > REPLAY_MAX_INPUT)
			return len;
		memmove(buf + pos + n, buf + pos, len - pos);
		for (size_t i = 0; i < n; i++)
			buf[pos + i] = (uint8_t)rnd();
		return len + n;
	case 5: /* delete bytes */
		n = len - pos ? 1 + rnd() % (len - pos) : 0;
		memmove(buf + pos, buf + pos + n, len - pos - n);
		return len - n;
	default: /* splice the tail of another seed */
		n = other->len - (other->len ? rnd() % other->len : 0);
		if (pos + n > REPLAY_MAX_INPUT)
			n = REPLAY_MAX_INPUT - pos;
		memcpy(buf + pos, other->data + (other->len - n), n);
		return pos + n;
	}
}

int main(int argc, char **argv)
{
	static uint8_t buf[REPLAY_MAX_INPUT];
	struct seed *seeds;
	long mutations = argc > 2 ? strtol(argv[2], NULL, 10) : 4000;
	int n;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS]\n", argv[0]);
		return 2;
	}
	n = load_corpus(argv[1], &seeds);
	if (n <= 0) {
		fprintf(stderr, "%s: no seed in %s: failing (an empty corpus tests nothing)\n",
			argv[0], argv[1]);
		return 1;
	}
	for (int i = 0; i < n; i++)
		run(seeds[i].data, seeds[i].len);
	for (long m = 0; m < mutations; m++) {
		const struct seed *s = &seeds[rnd() % (unsigned)n];
		size_t len = s->len;
		unsigned edits = 1 + rnd() % 4;

		memcpy(buf, s->data, len);
		for (unsigned e = 0; e < edits; e++)
			len = mutate_once(buf, len, &seeds[rnd() % (unsigned)n]);
		run(buf, len);
	}
	printf("replayed %d seeds and %ld mutations of %s\n", n, mutations, argv[1]);
	printf("%ld passed, 0 failed\n", (long)n + mutations);
	for (int i = 0; i < n; i++)
		free(seeds[i].data);
	free(seeds);
	return 0;
}
