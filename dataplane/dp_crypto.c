/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registry of the crypto engines compiled in (dp_crypto.h).
 */
#include <string.h>

#include "dp_crypto.h"

static const struct dp_crypto_engine_ops *const engines[] = {
    &dp_crypto_libsrtp_ops,
};

/* Engine by name ("libsrtp"); NULL when name is NULL or unknown. */
const struct dp_crypto_engine_ops *dp_crypto_engine_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}
