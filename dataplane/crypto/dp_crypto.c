/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registry of the crypto engines compiled in (dp_crypto.h).
 */
#include <errno.h>
#include <string.h>

#include "dp_crypto.h"
#include "dp_crypto_cryptodev.h"

static const struct dp_crypto_engine_ops *const engines[] = {
    &dp_crypto_libsrtp_ops,
    &dp_crypto_cryptodev_ops,
};

/* Engine by name ("libsrtp", "cryptodev"); NULL when name is NULL or
 * unknown ("auto" is resolved by dp_crypto_engine_open, not here). */
const struct dp_crypto_engine_ops *dp_crypto_engine_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}

/* See dp_crypto.h. "auto" tries the engines fastest first: cryptodev
 * (its create fails when the ipsec_mb PMD or its algorithms are absent),
 * then libsrtp. */
struct dp_crypto_engine *dp_crypto_engine_open(const char *name, unsigned n_queues,
					       const struct dp_crypto_engine_ops **ops)
{
	static const struct dp_crypto_engine_ops *const fastest[] = {
	    &dp_crypto_cryptodev_ops,
	    &dp_crypto_libsrtp_ops,
	};
	struct dp_crypto_engine *e = NULL;
	const struct dp_crypto_engine_ops *o;

	if (ops == NULL || name == NULL) {
		errno = EINVAL;
		return NULL;
	}
	*ops = NULL;
	if (strcmp(name, "auto") != 0) {
		o = dp_crypto_engine_find(name);
		if (o == NULL) {
			errno = ENOENT;
			return NULL;
		}
		e = o->create(n_queues);
		if (e != NULL)
			*ops = o;
		return e;
	}
	for (size_t i = 0; i < sizeof(fastest) / sizeof(fastest[0]) && e == NULL; i++) {
		e = fastest[i]->create(n_queues);
		if (e != NULL)
			*ops = fastest[i];
	}
	return e;
}
