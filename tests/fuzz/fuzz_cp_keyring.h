/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The deployment keyring and room of fuzz_cp_desired, shared with its seed
 * generator (gen_cp_corpus.c) so the seeds' wrapped keys authenticate and the
 * fuzzer reaches past the key checks.
 */
#ifndef TESTS_FUZZ_CP_KEYRING_H
#define TESTS_FUZZ_CP_KEYRING_H

#include <stdio.h>

#include "cp_keywrap.h"

#define FUZZ_CP_ROOM 42
#define FUZZ_CP_EPOCH 3

/* One key "fz" of fixed bytes. */
static inline void fuzz_cp_keyring(struct cp_keyring *kr)
{
	kr->n = 1;
	snprintf(kr->kid[0], sizeof(kr->kid[0]), "fz");
	for (int i = 0; i < 32; i++)
		kr->key[0][i] = (uint8_t)(0x5a ^ i);
}

#endif /* TESTS_FUZZ_CP_KEYRING_H */
