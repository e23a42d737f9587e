/* SPDX-License-Identifier: BSD-3-Clause */
/* Argument parsing for relais-cli: "--name value" options into ctl messages. */
#ifndef CLI_ARGS_H
#define CLI_ARGS_H

#include <stddef.h>

#include <relais/ctl_proto.h>

/* Build the request for one command line (argv[0] is the object, e.g.
 * "part"). Returns 0, or -EINVAL with a sentence in err. */
int cli_build_msg(int argc, char **argv, struct relais_ctl_msg *m, char *err, size_t n);

/* Key material "HEX" or base64 of key||salt for profile into k. */
int cli_parse_key(const char *s, unsigned profile, struct relais_srtp_key *k);

#endif /* CLI_ARGS_H */
