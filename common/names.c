/* SPDX-License-Identifier: BSD-3-Clause */
/* Printable names for drop reasons, stats fields and control messages. */
#include <relais/ctl_proto.h>

#define NAME_(sfx, name, help) name,
#define HELP_(sfx, name, help) help,
static const char *const drop_names[RELAIS_DROP_MAX] = {RELAIS_DROP_REASONS(NAME_)};
static const char *const drop_helps[RELAIS_DROP_MAX] = {RELAIS_DROP_REASONS(HELP_)};
#undef NAME_
#undef HELP_

#define STAT_NAME_(n) #n,
static const char *const stat_names[RELAIS_STAT_MAX] = {RELAIS_STATS_FIELDS(STAT_NAME_)};
#undef STAT_NAME_

static const char *const type_names[RELAIS_CTL_TYPE_MAX] = {
    [RELAIS_CTL_HELLO] = "hello",         [RELAIS_CTL_ROOM_ADD] = "room_add",
    [RELAIS_CTL_ROOM_DEL] = "room_del",   [RELAIS_CTL_PART_ADD] = "part_add",
    [RELAIS_CTL_PART_DEL] = "part_del",   [RELAIS_CTL_TRACK_ADD] = "track_add",
    [RELAIS_CTL_TRACK_DEL] = "track_del", [RELAIS_CTL_SUB_ADD] = "sub_add",
    [RELAIS_CTL_SUB_DEL] = "sub_del",     [RELAIS_CTL_SUB_SWITCH] = "sub_switch",
    [RELAIS_CTL_STATS] = "stats",         [RELAIS_CTL_TRACK_STATS] = "track_stats",
    [RELAIS_CTL_DUMP] = "dump",           [RELAIS_CTL_PART_REKEY] = "part_rekey",
    [RELAIS_CTL_OFFENDERS] = "offenders",
};

/* Drop reason name; "?" when out of range. */
const char *relais_drop_name(unsigned reason)
{
	return reason < RELAIS_DROP_MAX ? drop_names[reason] : "?";
}

/* Operator explanation of a drop reason; "?" when out of range. */
const char *relais_drop_help(unsigned reason)
{
	return reason < RELAIS_DROP_MAX ? drop_helps[reason] : "?";
}

/* Stats field name; "?" when out of range. */
const char *relais_stat_name(unsigned stat)
{
	return stat < RELAIS_STAT_MAX ? stat_names[stat] : "?";
}

/* Control message type name; "?" when unknown. */
const char *relais_ctl_type_name(unsigned type)
{
	type &= ~RELAIS_CTL_REPLY;
	return type < RELAIS_CTL_TYPE_MAX && type_names[type] ? type_names[type] : "?";
}
