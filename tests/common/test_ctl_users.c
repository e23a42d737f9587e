/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The users of the control-message list agree with it: every message of
 * include/relais/ctl_messages.h has exactly one row below saying how a
 * client sends it, and every relais-cli command line of a row builds that
 * message, valid for the encoder. A message added to the list without
 * deciding how it is sent fails here.
 */
#include <stdio.h>
#include <string.h>

#include <relais/ctl_proto.h>

#include "cli_args.h"
#define CHECK_MAIN
#include "check.h"

#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
#define PART "--room 1 --id 10 --addr 192.0.2.50:40000 --profile AES_CM_128_HMAC_SHA1_80"

/* How each message is sent: a relais-cli command line (through
 * cli_build_msg), or NULL with the sender that builds it itself. */
static const struct {
	unsigned type;
	const char *cli;
	const char *other;
} users[] = {
    {RELAIS_CTL_HELLO, NULL, "relais_ctl_connect()"},
    {RELAIS_CTL_ROOM_ADD, "room add 1", NULL},
    {RELAIS_CTL_ROOM_DEL, "room del 1", NULL},
    {RELAIS_CTL_PART_ADD, "part add " PART " --rx-key " KEY " --tx-key " KEY, NULL},
    {RELAIS_CTL_PART_DEL, "part del 10", NULL},
    {RELAIS_CTL_TRACK_ADD, "track add --id 100 --part 10 --ssrc 0x1234 --kind video", NULL},
    {RELAIS_CTL_TRACK_DEL, "track del 100", NULL},
    {RELAIS_CTL_SUB_ADD, "sub add --id 1000 --part 11 --track 100 --ssrc 0xa1 --pt-map 96:100",
     NULL},
    {RELAIS_CTL_SUB_DEL, "sub del 1000", NULL},
    {RELAIS_CTL_SUB_SWITCH, "sub switch 1000 102", NULL},
    {RELAIS_CTL_STATS, "stats", NULL},
    {RELAIS_CTL_TRACK_STATS, "track-stats 100", NULL},
    {RELAIS_CTL_DUMP, NULL, "relais-cli dump, cp_reconcile.c"},
    {RELAIS_CTL_OFFENDERS, NULL, "relais-cli offenders, xdp_cli.c, cp_guard.c"},
    {RELAIS_CTL_PART_REKEY, "part rekey " PART " --rx-key " KEY " --tx-key " KEY, NULL},
};
#define N_USERS (sizeof(users) / sizeof(users[0]))

/* Build the message of one command line, split at spaces. */
static int build(const char *line, struct relais_ctl_msg *m, char *err, size_t n)
{
	char buf[512], *argv[32], *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok_r(buf, " ", &save); t && argc < 32; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	return cli_build_msg(argc, argv, m, err, n);
}

/* Every message of the list has exactly one row. */
static void test_every_message_has_a_user(void)
{
#define ROWS_(sfx, num, name, req, rep, acc)                                      \
	do {                                                                      \
		unsigned rows = 0;                                                \
		for (size_t i = 0; i < N_USERS; i++)                              \
			rows += users[i].type == RELAIS_CTL_##sfx;                \
		CHECKF(rows == 1, "%s: %u rows in the users table", #name, rows); \
	} while (0);
	RELAIS_CTL_MESSAGES(ROWS_)
#undef ROWS_
	CHECK(N_USERS == RELAIS_CTL_TYPE_MAX - 1);
}

/* Every command line builds its message, and the encoder takes it. */
static void test_cli_builds_each(void)
{
	for (size_t i = 0; i < N_USERS; i++) {
		struct relais_ctl_msg m;
		uint8_t buf[RELAIS_CTL_MAX_MSG];
		char err[256] = "";

		CHECKF(users[i].cli != NULL || users[i].other != NULL, "row %zu says nothing", i);
		if (users[i].cli == NULL)
			continue;
		CHECKF(build(users[i].cli, &m, err, sizeof(err)) == 0, "'%s': %s", users[i].cli,
		       err);
		CHECKF(m.type == users[i].type, "'%s' built %s, not %s", users[i].cli,
		       relais_ctl_type_name(m.type), relais_ctl_type_name(users[i].type));
		CHECKF(relais_ctl_encode_msg(&m, buf, sizeof(buf)) > 0, "'%s' does not encode",
		       users[i].cli);
	}
}

int main(void)
{
	test_every_message_has_a_user();
	test_cli_builds_each();
	return check_summary("ctl_users");
}
