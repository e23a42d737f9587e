/* SPDX-License-Identifier: BSD-3-Clause */
/* Port setup: one RX queue per configured queue, one TX queue per worker
 * (as far as the device has them; see dp_tx()). */
#include <stdio.h>

#include <rte_ethdev.h>

#include "dp_app.h"

#define RX_DESC 1024
#define TX_DESC 1024

/* Check queue counts against the device; error text names the setting. */
static int check_queues(uint16_t port, const struct rte_eth_dev_info *di, unsigned n_rxq, char *err,
			size_t n)
{
	if (n_rxq > di->max_rx_queues || n_rxq > di->max_tx_queues) {
		snprintf(err, n,
			 "lcores.rx_queues: port %u (%s) has only %u RX / %u TX queues, %u RX "
			 "queues configured",
			 port, di->driver_name, di->max_rx_queues, di->max_tx_queues, n_rxq);
		return -EINVAL;
	}
	return 0;
}

/* See dp_app.h. */
int dp_port_init(uint16_t port, unsigned n_rxq, unsigned n_workers, struct rte_mempool *pool,
		 uint8_t mac[6], uint16_t *n_txq_out, char *err, size_t n)
{
	unsigned n_txq;
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info di;
	struct rte_ether_addr ea = {0};
	uint16_t nrx = RX_DESC, ntx = TX_DESC;
	int rc;

	if (!rte_eth_dev_is_valid_port(port)) {
		snprintf(err, n, "control.port_id: no DPDK port %u (give one with --vdev or -a)",
			 port);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(port, &di);
	if (rc == 0)
		rc = check_queues(port, &di, n_rxq, err, n);
	if (rc < 0)
		return rc;
	n_txq = RTE_MIN(n_workers, di.max_tx_queues);
	n_txq = RTE_MAX(n_txq, n_rxq);
	*n_txq_out = (uint16_t)n_txq;
	if (n_rxq > 1 && di.flow_type_rss_offloads) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
		    (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & di.flow_type_rss_offloads;
	}
	rc = rte_eth_dev_configure(port, (uint16_t)n_rxq, (uint16_t)n_txq, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	for (unsigned q = 0; rc == 0 && q < n_rxq; q++)
		rc = rte_eth_rx_queue_setup(port, (uint16_t)q, nrx, rte_eth_dev_socket_id(port),
					    NULL, pool);
	for (unsigned q = 0; rc == 0 && q < n_txq; q++)
		rc = rte_eth_tx_queue_setup(port, (uint16_t)q, ntx, rte_eth_dev_socket_id(port),
					    NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc == 0)
		rc = rte_eth_macaddr_get(port, &ea);
	if (rc != 0) {
		snprintf(err, n, "port %u (%s): setup failed: %s", port, di.driver_name,
			 rte_strerror(-rc));
		return rc;
	}
	rte_eth_promiscuous_enable(port); /* not every PMD supports it */
	if (rte_is_zero_ether_addr(&ea))  /* net_ring/net_null have none */
		rte_eth_random_addr(ea.addr_bytes);
	memcpy(mac, ea.addr_bytes, 6);
	return 0;
}
