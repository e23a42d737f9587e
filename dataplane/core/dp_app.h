/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane application as a library: setup, launch of the workers,
 * the control thread's loop, orderly stop. main.c is a thin wrapper; the
 * pipeline tests and the benchmark drive the same functions in-process.
 */
#ifndef DP_APP_H
#define DP_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "dp_config.h"
#include "dp_crypto.h"

struct dp_app {
	struct dp_config cfg;
	struct rte_mempool *pool;
	const struct dp_crypto_engine_ops *eng_ops;
	struct dp_crypto_engine *eng;
	uint8_t mac[6];
	volatile bool stop;
	bool launched;
	bool with_port;
};

/* Set up everything after rte_eal_init for a validated cfg: mempool,
 * crypto engine, tables, port (unless with_port is false), workers,
 * telemetry, control socket (unless cfg.ctl_socket is empty).
 * 0 or -errno with err set. */
int dp_app_init(struct dp_app *a, bool with_port, char *err, size_t n);
/* Launch the workers on their lcores. */
int dp_app_launch(struct dp_app *a);
/* One round of the control thread's duties, waiting at most timeout_ms:
 * control requests, learned neighbours, exception path, RCU reclaim. */
void dp_app_control_step(struct dp_app *a, int timeout_ms);
/* Stop workers, wait for them, free everything. */
void dp_app_fini(struct dp_app *a);

/* Configure and start the port: n_rxq RX queues, and one TX queue per
 * worker as far as the device has them (at least n_rxq: some PMDs only have
 * queue pairs); *n_txq gets the TX queue count. 0 or -errno + err. */
int dp_port_init(uint16_t port, unsigned n_rxq, unsigned n_workers, struct rte_mempool *pool,
		 uint8_t mac[6], uint16_t *n_txq, char *err, size_t n);
int dp_telemetry_init(void);

#endif /* DP_APP_H */
