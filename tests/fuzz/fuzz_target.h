/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The libFuzzer entry point every target in tests/fuzz defines, and the
 * oracle used when a target finds an invariant broken: abort(), so both
 * libFuzzer and the replay driver report it as a crash with the input.
 */
#ifndef TESTS_FUZZ_TARGET_H
#define TESTS_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                    \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
				#cond);                                                      \
			abort();                                                             \
		}                                                                            \
	} while (0)

#endif /* TESTS_FUZZ_TARGET_H */
