/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-loadgen: options, the built-in loopback scenario, the verdict and
 * the reports. Exit 0 = pass, 1 = verification failed, 2 = usage or setup.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <relais/json_out.h>

#include "loadgen.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define MAX_SPECS (LG_MAX_PUBS + LG_MAX_SUBS)

struct opts {
	const char *scenario;
	const char *json;
	int loopback;
	/* flags applied after the scenario, in the order given */
	const char *spec_kind[MAX_SPECS];
	const char *spec[MAX_SPECS];
	int nspecs;
	const char *global_key[16];
	const char *global_val[16];
	int nglobals;
	int quiet;
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: relais-loadgen [--scenario FILE | --loopback] [options]\n"
	    "  --scenario FILE      scenario file (docs/loadgen.md)\n"
	    "  --loopback           built-in self-test on 127.0.0.1 and ::1, every SRTP profile\n"
	    "  --target ADDR:PORT   dataplane address (1.2.3.4:5000 or [fd00::1]:5000)\n"
	    "  --publisher SPEC     add a publisher: \"bind=A:P ssrc=N key=HEX [kind= profile=\n"
	    "                       rate= size= pt= seq= to= name=]\"\n"
	    "  --subscriber SPEC    add a subscriber: \"bind=A:P key=HEX expect=PUB[:OUTSSRC],...\n"
	    "                       [profile= pli=S ssrc= to= name=]\"\n"
	    "  --duration S         stop sending after S seconds (default 5; loopback 2)\n"
	    "  --count N            at most N packets per publisher\n"
	    "  --grace MS           wait for late packets after sending (default 500)\n"
	    "  --max-loss X         allowed loss fraction, or percent with '%%' (default 0)\n"
	    "  --require-rtcp       fail unless SRs and PLIs got through\n"
	    "  --json FILE          write the final summary as JSON\n"
	    "  --quiet              no per-second lines\n");
}

/* Remember a `key = value` override given as a flag. */
static int add_global(struct opts *o, const char *k, const char *v)
{
	if (o->nglobals == 16)
		return -E2BIG;
	o->global_key[o->nglobals] = k;
	o->global_val[o->nglobals++] = v;
	return 0;
}

static int add_spec(struct opts *o, const char *kind, const char *spec)
{
	if (o->nspecs == MAX_SPECS)
		return -E2BIG;
	o->spec_kind[o->nspecs] = kind;
	o->spec[o->nspecs++] = spec;
	return 0;
}

/* The scenario setting an option letter stands for, or NULL. */
static const char *global_for(int ch)
{
	switch (ch) {
	case 't':
		return "target";
	case 'd':
		return "duration";
	case 'c':
		return "count";
	case 'g':
		return "grace";
	case 'm':
		return "max_loss";
	default:
		return NULL;
	}
}

/* Parse argv into o; 0, or -EINVAL after printing why. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"scenario", required_argument, NULL, 's'},
					   {"loopback", no_argument, NULL, 'L'},
					   {"target", required_argument, NULL, 't'},
					   {"publisher", required_argument, NULL, 'P'},
					   {"subscriber", required_argument, NULL, 'S'},
					   {"duration", required_argument, NULL, 'd'},
					   {"count", required_argument, NULL, 'c'},
					   {"grace", required_argument, NULL, 'g'},
					   {"max-loss", required_argument, NULL, 'm'},
					   {"require-rtcp", no_argument, NULL, 'r'},
					   {"json", required_argument, NULL, 'j'},
					   {"quiet", no_argument, NULL, 'q'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	int ch, rc = 0;

	while (rc == 0 && (ch = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
		switch (ch) {
		case 's':
			o->scenario = optarg;
			break;
		case 'L':
			o->loopback = 1;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'P':
			rc = add_spec(o, "publisher", optarg);
			break;
		case 'S':
			rc = add_spec(o, "subscriber", optarg);
			break;
		case 'r':
			rc = add_global(o, "require_rtcp", "1");
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			if (global_for(ch) == NULL) {
				usage(stderr);
				return -EINVAL;
			}
			rc = add_global(o, global_for(ch), optarg);
		}
	}
	if (rc == 0 && optind < argc) {
		fprintf(stderr, "loadgen: unexpected argument '%s'\n", argv[optind]);
		rc = -EINVAL;
	}
	if (rc != 0 && rc != -EINVAL)
		fprintf(stderr, "loadgen: too many options\n");
	return rc;
}

/* Append to the scenario text buffer; -E2BIG when it is full. */
static int appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *len)
		return -E2BIG;
	*len += (size_t)n;
	return 0;
}

/* Hex of a deterministic test key for endpoint group k under profile pi. */
static void test_key_hex(const struct relais_srtp_profile_info *pi, int k, char *out)
{
	int n = pi->key_len + pi->salt_len;

	for (int j = 0; j < n; j++)
		sprintf(out + 2 * j, "%02x", (unsigned)((k * 31 + j * 7 + 1) & 0xff));
}

/* Build the loopback scenario: for each profile an audio publisher on
 * 127.0.0.1 and a video publisher on ::1, each sending straight to its
 * own subscriber with the same key (out SSRC = in SSRC), sequence numbers
 * starting just below the wrap so the ROC advances (RFC 3711 §3.3.1);
 * plus a second audio publisher into the first subscriber (two streams,
 * one socket). Subscribers send PLIs back; publishers send SRs. */
static int loopback_text(char *buf, size_t cap)
{
	size_t len = 0;
	int rc = appendf(buf, cap, &len, "grace = 1000\nrequire_rtcp = 1\n");

	for (int k = 0; rc == 0 && k < RELAIS_SRTP_PROFILE_COUNT; k++) {
		const struct relais_srtp_profile_info *pi = relais_srtp_profile_at((size_t)k);
		char key[2 * (RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN) + 1];
		if (pi == NULL)
			return -ENOENT;
		test_key_hex(pi, k, key);
		rc = appendf(buf, cap, &len,
			     "publisher name=a%d bind=127.0.0.1:0 to=@sa%d ssrc=0x%x kind=audio "
			     "profile=%s key=%s seq=65500\n"
			     "subscriber name=sa%d bind=127.0.0.1:0 to=@a%d profile=%s key=%s "
			     "expect=a%d%s pli=1\n"
			     "publisher name=v%d bind=[::1]:0 to=@sv%d ssrc=0x%x kind=video "
			     "profile=%s key=%s seq=65300\n"
			     "subscriber name=sv%d bind=[::1]:0 to=@v%d profile=%s key=%s "
			     "expect=v%d pli=1\n",
			     k, k, 0xa0000 + k, pi->name, key, k, k, pi->name, key, k,
			     k == 0 ? ",a0b" : "", k, k, 0xb0000 + k, pi->name, key, k, k, pi->name,
			     key, k);
		if (rc == 0 && k == 0)
			rc = appendf(buf, cap, &len,
				     "publisher name=a0b bind=127.0.0.1:0 to=@sa0 ssrc=0xa00ff "
				     "kind=audio size=60 profile=%s key=%s\n",
				     pi->name, key);
		explicit_bzero(key, sizeof(key));
	}
	return rc;
}

/* Load the scenario, then apply flag specs and overrides in order. */
static int build_conf(const struct opts *o, struct lg_conf *conf)
{
	char err[512] = "", text[16384];
	int rc = 0;

	lg_conf_init(conf);
	if (o->loopback) {
		conf->duration_ms = 2000;
		rc = loopback_text(text, sizeof(text));
		if (rc == 0)
			rc = lg_parse_text(conf, text, err, sizeof(err));
		explicit_bzero(text, sizeof(text));
		if (rc == -ENOENT)
			snprintf(err, sizeof(err), "SRTP profile table incomplete");
	}
	if (rc == 0 && o->scenario != NULL)
		rc = lg_parse_file(conf, o->scenario, err, sizeof(err));
	for (int i = 0; rc == 0 && i < o->nspecs; i++)
		rc = lg_add_spec(conf, o->spec_kind[i], o->spec[i], err, sizeof(err));
	for (int i = 0; rc == 0 && i < o->nglobals; i++) {
		char line[LG_EXPECT_LEN];
		snprintf(line, sizeof(line), "%s = %s", o->global_key[i], o->global_val[i]);
		rc = lg_parse_line(conf, line, err, sizeof(err));
	}
	if (rc == 0)
		rc = lg_conf_finish(conf, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "loadgen: %s\n", err);
	conf->quiet = o->quiet;
	return rc;
}

/* Whether the RTCP checks hold: every subscriber saw an SR, and for every
 * subscriber that sent PLIs at least one of its publishers saw one (a
 * subscriber sends all its PLIs to one address: the dataplane, or in
 * loopback one publisher). */
static int rtcp_ok(const struct lg_conf *conf, char *why, size_t n)
{
	for (int i = 0; i < conf->nsubs; i++) {
		const struct lg_sub *s = &conf->subs[i];
		uint32_t pli = 0;
		if (s->sr_rx == 0) {
			snprintf(why, n, "subscriber %s received no SR", s->name);
			return 0;
		}
		for (int j = 0; j < s->nstreams; j++)
			pli += conf->pubs[s->streams[j].pub].pli_rx;
		if (s->pli_sent > 0 && pli == 0) {
			snprintf(why, n, "no PLI from subscriber %s reached a publisher", s->name);
			return 0;
		}
	}
	return 1;
}

/* The verdict: 1 pass, 0 fail with the reason in why. */
static int verdict(const struct lg_conf *conf, const struct lg_totals *t, char *why, size_t n)
{
	double loss = t->expected ? (double)t->lost / (double)t->expected : 0.0;

	snprintf(why, n, "ok");
	if (conf->npubs > 0 && t->sent == 0)
		snprintf(why, n, "nothing was sent");
	else if (t->failures > 0)
		snprintf(why, n, "%llu verification failures", (unsigned long long)t->failures);
	else if (loss > conf->max_loss)
		snprintf(why, n, "loss %.4f%% above the allowed %.4f%%", loss * 100,
			 conf->max_loss * 100);
	else if (conf->require_rtcp && !rtcp_ok(conf, why, n))
		return 0;
	else
		return 1;
	return 0;
}

static void print_summary(const struct lg_conf *conf, const struct lg_totals *t, int pass,
			  const char *why)
{
	const struct lg_fail *f = &conf->fail;

	printf("loadgen: summary: %.1fs publishers=%d subscribers=%d sent=%llu expected=%llu "
	       "received=%llu verified=%llu lost=%llu failures=%llu (auth=%llu ssrc=%llu seq=%llu "
	       "payload=%llu malformed=%llu) sr=%llu/%llu pli=%llu/%llu send_errors=%llu\n",
	       (double)conf->elapsed_ms / 1000.0, conf->npubs, conf->nsubs,
	       (unsigned long long)t->sent, (unsigned long long)t->expected,
	       (unsigned long long)t->received, (unsigned long long)t->verified,
	       (unsigned long long)t->lost, (unsigned long long)t->failures,
	       (unsigned long long)f->auth, (unsigned long long)f->ssrc, (unsigned long long)f->seq,
	       (unsigned long long)f->payload, (unsigned long long)f->malformed,
	       (unsigned long long)t->sr_received, (unsigned long long)t->sr_sent,
	       (unsigned long long)t->pli_received, (unsigned long long)t->pli_sent,
	       (unsigned long long)conf->send_errors);
	printf("loadgen: %s: %s\n", pass ? "PASS" : "FAIL", why);
}

/* Write the per-stream part of the JSON summary. */
static void json_streams(struct json_out *j, const struct lg_conf *conf)
{
	json_ws(j, "\n  ");
	json_key(j, "publishers");
	json_arr_begin(j);
	for (int i = 0; i < conf->npubs; i++) {
		const struct lg_pub *p = &conf->pubs[i];

		json_ws(j, "\n    ");
		json_obj_begin(j);
		json_kstr(j, "name", p->name);
		json_ku64(j, "ssrc", p->ssrc);
		json_ku64(j, "sent", p->sent);
		json_ku64(j, "sr_sent", p->sr_sent);
		json_ku64(j, "pli_received", p->pli_rx);
		json_obj_end(j);
	}
	json_ws(j, "\n  ");
	json_arr_end(j);
	json_ws(j, "\n  ");
	json_key(j, "subscribers");
	json_arr_begin(j);
	for (int i = 0; i < conf->nsubs; i++) {
		const struct lg_sub *s = &conf->subs[i];

		json_ws(j, "\n    ");
		json_obj_begin(j);
		json_kstr(j, "name", s->name);
		json_ku64(j, "sr_received", s->sr_rx);
		json_ku64(j, "pli_sent", s->pli_sent);
		json_key(j, "streams");
		json_arr_begin(j);
		for (int k = 0; k < s->nstreams; k++) {
			const struct lg_stream *st = &s->streams[k];

			json_obj_begin(j);
			json_kstr(j, "publisher", conf->pubs[st->pub].name);
			json_ku64(j, "out_ssrc", st->out_ssrc);
			json_ku64(j, "received", st->received);
			json_ku64(j, "verified", st->verified);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_ws(j, "\n  ");
	json_arr_end(j);
}

/* Key and value on a line of its own, in the summary's top-level object. */
static void json_line_u64(struct json_out *j, const char *key, uint64_t v)
{
	json_ws(j, "\n  ");
	json_ku64(j, key, v);
}

/* Write the final summary as JSON to path; 0 or -errno. */
static int write_json(const char *path, const struct lg_conf *conf, const struct lg_totals *t,
		      int pass, const char *why)
{
	const struct lg_fail *fl = &conf->fail;
	FILE *f = fopen(path, "w");
	struct json_out j;
	int rc;

	if (f == NULL)
		return -errno;
	json_out_init_file(&j, f, JSON_SPACED);
	json_obj_begin(&j);
	json_ws(&j, "\n  ");
	json_kbool(&j, "pass", pass);
	json_ws(&j, "\n  ");
	json_kstr(&j, "reason", why);
	json_line_u64(&j, "elapsed_ms", conf->elapsed_ms);
	json_line_u64(&j, "sent", t->sent);
	json_line_u64(&j, "expected", t->expected);
	json_line_u64(&j, "received", t->received);
	json_line_u64(&j, "verified", t->verified);
	json_line_u64(&j, "lost", t->lost);
	json_line_u64(&j, "failures", t->failures);
	json_ws(&j, "\n  ");
	json_key(&j, "failures_by_kind");
	json_obj_begin(&j);
	json_ku64(&j, "auth", fl->auth);
	json_ku64(&j, "ssrc", fl->ssrc);
	json_ku64(&j, "seq", fl->seq);
	json_ku64(&j, "payload", fl->payload);
	json_ku64(&j, "malformed", fl->malformed);
	json_obj_end(&j);
	json_line_u64(&j, "send_errors", conf->send_errors);
	json_ws(&j, "\n  ");
	json_kdbl(&j, "max_loss", conf->max_loss, -1);
	json_ws(&j, "\n  ");
	json_key(&j, "rtcp");
	json_obj_begin(&j);
	json_ku64(&j, "sr_sent", t->sr_sent);
	json_ku64(&j, "sr_received", t->sr_received);
	json_ku64(&j, "pli_sent", t->pli_sent);
	json_ku64(&j, "pli_received", t->pli_received);
	json_obj_end(&j);
	json_streams(&j, conf);
	json_ws(&j, "\n");
	json_obj_end(&j);
	json_ws(&j, "\n");
	rc = json_out_finish(&j);
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

int main(int argc, char **argv)
{
	static struct lg_conf conf; /* ~0.5 MB: keep it off the stack */
	struct opts o = {0};
	struct lg_totals t;
	char why[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_opts(argc, argv, &o) != 0)
		return EXIT_USAGE;
	if (build_conf(&o, &conf) != 0)
		return EXIT_USAGE;
	if (lg_run(&conf) != 0)
		return EXIT_USAGE;
	lg_totals(&conf, 1, &t);
	int pass = verdict(&conf, &t, why, sizeof(why));
	print_summary(&conf, &t, pass, why);
	if (o.json != NULL && write_json(o.json, &conf, &t, pass, why) != 0) {
		fprintf(stderr, "loadgen: cannot write %s\n", o.json);
		return EXIT_USAGE;
	}
	return pass ? 0 : EXIT_FAILED;
}
