/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kept pipeline results and the capacity table: how many cores of this
 * machine the cryptodev pipeline needs for a given egress, from its
 * measured per-core output rate at fan-out 8 and fan-out 64 (a published
 * packet's decryption is shared by its fan-out, so the per-output cost
 * depends on it; 8 and 64 bracket typical rooms).
 *
 * Egress: frames per second of a link full of SRTP packets of the given
 * payload. Each frame on the wire costs preamble + SFD + inter-frame gap
 * (20 B, IEEE 802.3 §4.4.2), Ethernet header + FCS (18 B), IPv4 (20 B),
 * UDP (8 B), RTP (12 B), the payload and the SRTP tag of the profile.
 * Streams: N subscriber streams of audio (50 packets/s of 160 B, 20 ms
 * frames) or video (200 packets/s of 1200 B).
 */
#include <errno.h>
#include <string.h>

#include <relais/srtp_profile.h>

#include <relais/json_out.h>

#include "bench.h"

#define MAX_KEPT (BENCH_MAX_ENGINES * BENCH_MAX_LIST * BENCH_MAX_LIST * BENCH_MAX_LIST)
#define WIRE_OVERHEAD (20u + 18u + 20u + 8u + 12u) /* per frame, without payload and tag */

static struct bench_result kept[MAX_KEPT];
static unsigned n_kept;

/* One line of demand: a number of output packets per second of one size. */
struct demand {
	char what[40];
	unsigned payload;
	double pps;
};

/* See bench.h. */
int bench_keep(const struct bench_result *r)
{
	if (n_kept == MAX_KEPT)
		return -ENOSPC;
	kept[n_kept++] = *r;
	return 0;
}

/* See bench.h. */
const struct bench_result *bench_find(const char *engine, uint16_t profile, unsigned fanout,
				      unsigned payload)
{
	for (unsigned i = 0; i < n_kept; i++)
		if (!strcmp(kept[i].engine, engine) && kept[i].profile == profile &&
		    kept[i].fanout == fanout && kept[i].payload == payload)
			return &kept[i];
	return NULL;
}

/* Output packets per second of one core in the kept cryptodev row, or 0. */
static double per_core(uint16_t profile, unsigned fanout, unsigned payload)
{
	const struct bench_result *r = bench_find("cryptodev", profile, fanout, payload);

	return r && r->secs > 0 ? (double)r->pkts_out / r->secs : 0;
}

/* c rounded up to a whole number (c >= 0). */
static double round_up(double c)
{
	double w = (double)(uint64_t)c;

	return w < c ? w + 1 : w;
}

/* key: c to 3 decimals, or null when negative (not measured). */
static void json_kcores(struct json_out *j, const char *key, double c)
{
	json_key(j, key);
	if (c < 0)
		json_null(j);
	else
		json_dbl(j, c, 3);
}

/* One capacity line of the JSON output. */
static void json_capacity(FILE *f, const char *profile, const char *demand, unsigned payload,
			  double pps, double gbps, double c8, double c64)
{
	struct json_out j;

	json_out_init_file(&j, f, JSON_COMPACT);
	json_obj_begin(&j);
	json_kstr(&j, "kind", "capacity");
	json_kstr(&j, "engine", "cryptodev");
	json_kstr(&j, "profile", profile);
	json_kstr(&j, "demand", demand);
	json_ku64(&j, "payload_bytes", payload);
	json_kdbl(&j, "pkts_out_per_s", pps, 0);
	json_kdbl(&j, "wire_gbps", gbps, 3);
	json_kcores(&j, "cores_fanout8", c8);
	json_kcores(&j, "cores_fanout64", c64);
	json_obj_end(&j);
	json_ws(&j, "\n");
	json_out_finish(&j);
}

/* Print "cores (rounded up)" for pps at rate, or "-" when not measured;
 * returns the cores or -1. */
static double cores_col(double pps, double rate)
{
	double c = rate > 0 ? pps / rate : -1;

	if (c < 0)
		printf(" %16s", "-");
	else
		printf(" %9.1f (%4.0f)", c, round_up(c));
	return c;
}

/* The demands of the table for a profile's tag length. Returns how many. */
static unsigned demands(const struct relais_srtp_profile_info *pi, struct demand *d)
{
	static const unsigned gbe[] = {10, 25, 100}, pay[] = {160, 1200};
	static const double streams[] = {1e4, 1e5, 1e6};
	unsigned n = 0;

	for (unsigned p = 0; p < 2; p++)
		for (unsigned g = 0; g < 3; g++) {
			double wire = WIRE_OVERHEAD + pay[p] + pi->rtp_tag_len;

			snprintf(d[n].what, sizeof(d[n].what), "%u GbE egress", gbe[g]);
			d[n].payload = pay[p];
			d[n++].pps = gbe[g] * 1e9 / 8 / wire;
		}
	for (unsigned s = 0; s < 3; s++) {
		snprintf(d[n].what, sizeof(d[n].what), "%.0fk audio subs (50 pps)",
			 streams[s] / 1e3);
		d[n].payload = 160;
		d[n++].pps = streams[s] * 50;
		snprintf(d[n].what, sizeof(d[n].what), "%.0fk video subs (200 pps)",
			 streams[s] / 1e3);
		d[n].payload = 1200;
		d[n++].pps = streams[s] * 200;
	}
	return n;
}

/* The table of one profile. */
static void capacity_profile(uint16_t profile, FILE *json)
{
	const struct relais_srtp_profile_info *pi = relais_srtp_profile_get(profile);
	struct demand d[12];
	unsigned n = demands(pi, d);

	printf("%s (per core, pkts_out/s: fan-out 8: %.0f / %.0f, fan-out 64: %.0f / %.0f "
	       "at 160 / 1200 B)\n",
	       pi->name, per_core(profile, 8, 160), per_core(profile, 8, 1200),
	       per_core(profile, 64, 160), per_core(profile, 64, 1200));
	printf("%-28s %7s %12s %8s %16s %16s\n", "demand", "payload", "pkts_out/s", "Gb/s",
	       "cores fan-out 8", "cores fan-out 64");
	for (unsigned i = 0; i < n; i++) {
		double wire = WIRE_OVERHEAD + d[i].payload + pi->rtp_tag_len, c8, c64;

		printf("%-28s %7u %12.0f %8.2f", d[i].what, d[i].payload, d[i].pps,
		       d[i].pps * wire * 8 / 1e9);
		c8 = cores_col(d[i].pps, per_core(profile, 8, d[i].payload));
		c64 = cores_col(d[i].pps, per_core(profile, 64, d[i].payload));
		printf("\n");
		if (json)
			json_capacity(json, pi->name, d[i].what, d[i].payload, d[i].pps,
				      d[i].pps * wire * 8 / 1e9, c8, c64);
	}
}

/* See bench.h. */
void bench_capacity(const struct bench_opts *o, FILE *json)
{
	bool any = false;

	for (unsigned i = 0; i < n_kept; i++)
		any |= !strcmp(kept[i].engine, "cryptodev");
	if (!any)
		return;
	printf("\nCapacity, engine cryptodev: cores of this machine needed, from the measured\n"
	       "per-core pipeline rate (demand / rate; rounded up in brackets; '-' = not\n"
	       "measured in this run). Wire: 20 B preamble+IFG, 18 B Ethernet+FCS, 20 B IPv4,\n"
	       "8 B UDP, 12 B RTP, payload, SRTP tag. Audio: 50 pps x 160 B; video: 200 pps x "
	       "1200 B.\n");
	for (unsigned p = 0; p < o->n_profiles; p++) {
		printf("\n");
		capacity_profile(o->profiles[p], json);
	}
}
