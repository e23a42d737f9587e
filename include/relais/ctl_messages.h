/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one list of control-channel messages (ctl_proto.h). Each entry is
 *   X(ENUM_SUFFIX, type number, name, request body, reply payload, access)
 * where the bodies name a member of union relais_ctl_msg.u and of union
 * relais_ctl_reply.u, or `none` for an empty one, and access is `ro` (a
 * read-only client, control.stats_socket, may send it) or `rw` (it changes
 * the tables: full clients only). The type number is part
 * of the wire format: append only, numbers consecutive from 1 (checked at
 * compile time in common/names.c).
 *
 * From this list come the enum relais_ctl_type and RELAIS_CTL_TYPE_MAX,
 * the names (common/names.c), the codec's body table and so its body sizes
 * (common/ctl_codec.c) and the dataplane's handler table (dataplane/core/dp_ctl.c);
 * each fails to compile when an entry lacks its codec body or its handler.
 * tests/common/check_docs.sh fails when docs/architecture.md misses one.
 * Adding a message: an entry here, its body codec if the body is new, its
 * handler h_<name> in dp_ctl.c, its sample in tests/common/test_ctl_codec.c
 * and a row in the docs' table.
 */
#ifndef RELAIS_CTL_MESSAGES_H
#define RELAIS_CTL_MESSAGES_H

/* clang-format off */
#define RELAIS_CTL_MESSAGES(X) \
	X(HELLO,        1, hello,       hello,     hello,       ro) \
	X(ROOM_ADD,     2, room_add,    room,      none,        rw) \
	X(ROOM_DEL,     3, room_del,    room,      none,        rw) \
	X(PART_ADD,     4, part_add,    part,      none,        rw) \
	X(PART_DEL,     5, part_del,    id,        none,        rw) \
	X(TRACK_ADD,    6, track_add,   track,     none,        rw) \
	X(TRACK_DEL,    7, track_del,   id,        none,        rw) \
	X(SUB_ADD,      8, sub_add,     sub,       none,        rw) \
	X(SUB_DEL,      9, sub_del,     id,        none,        rw) \
	X(SUB_SWITCH,  10, sub_switch,  sw,        none,        rw) \
	X(STATS,       11, stats,       none,      stats,       ro) \
	X(TRACK_STATS, 12, track_stats, id,        track_stats, ro) \
	X(DUMP,        13, dump,        dump,      dump,        ro) \
	X(OFFENDERS,   14, offenders,   offenders, offenders,   ro) \
	X(PART_REKEY,  15, part_rekey,  part,      none,        rw)
/* clang-format on */

#endif /* RELAIS_CTL_MESSAGES_H */
