/* SPDX-License-Identifier: BSD-3-Clause */
/* Printable names for drop reasons, stats fields and control messages. */
#include <stddef.h>

#include <relais/ctl_proto.h>

#define NAME_(sfx, name, help) name,
#define HELP_(sfx, name, help) help,
static const char *const drop_names[RELAIS_DROP_MAX] = {RELAIS_DROP_REASONS(NAME_)};
static const char *const drop_helps[RELAIS_DROP_MAX] = {RELAIS_DROP_REASONS(HELP_)};
#undef NAME_
#undef HELP_

#define STAT_NAME_(n) #n,
static const char *const stat_names[RELAIS_STAT_MAX] = {
    RELAIS_STATS_FIELDS(STAT_NAME_, STAT_NAME_)};
#undef STAT_NAME_
#define STAT_COUNTER_(n) 0,
#define STAT_GAUGE_(n) 1,
static const unsigned char stat_is_gauge[RELAIS_STAT_MAX] = {
    RELAIS_STATS_FIELDS(STAT_COUNTER_, STAT_GAUGE_)};
#undef STAT_COUNTER_
#undef STAT_GAUGE_

#define TYPE_NAME_(sfx, num, name, req, rep, acc) [RELAIS_CTL_##sfx] = #name,
static const char *const type_names[RELAIS_CTL_TYPE_MAX] = {RELAIS_CTL_MESSAGES(TYPE_NAME_)};
#undef TYPE_NAME_

#define TYPE_RO_(sfx, num, name, req, rep, acc) [RELAIS_CTL_##sfx] = ACCESS_##acc,
enum {
	ACCESS_rw = 0,
	ACCESS_ro = 1
};
static const unsigned char type_read_only[RELAIS_CTL_TYPE_MAX] = {RELAIS_CTL_MESSAGES(TYPE_RO_)};
#undef TYPE_RO_

/* The list's type numbers are consecutive from 1, in order: the n-th entry
 * is type n, so every type below RELAIS_CTL_TYPE_MAX has an entry. */
#define TYPE_POS_(sfx, num, name, req, rep, acc) TYPE_POS_##sfx,
enum {
	TYPE_POS_NONE_,
	RELAIS_CTL_MESSAGES(TYPE_POS_) TYPE_POS_END_
};
#undef TYPE_POS_
#define TYPE_CHECK_(sfx, num, name, req, rep, acc)                               \
	_Static_assert(TYPE_POS_##sfx == num, "ctl_messages.h: " #sfx " is not " \
					      "numbered in list order");
RELAIS_CTL_MESSAGES(TYPE_CHECK_)
#undef TYPE_CHECK_
_Static_assert((int)TYPE_POS_END_ == (int)RELAIS_CTL_TYPE_MAX, "ctl_messages.h: type numbers");

#define OFFENCE_REASON_(field, reason) RELAIS_DROP_##reason,
static const enum relais_drop_reason offence_reasons[RELAIS_OFFENCE_MAX] = {
    RELAIS_OFFENCES(OFFENCE_REASON_)};
#undef OFFENCE_REASON_
/* Each named count is the array's word of its enum value. */
#define OFFENCE_AT_(field, reason)                                          \
	_Static_assert(offsetof(struct relais_ctl_offender, field) ==       \
			   offsetof(struct relais_ctl_offender, offences) + \
			       RELAIS_OFFENCE_##field * sizeof(uint64_t),   \
		       "struct relais_ctl_offender: " #field " is not its offences[] word");
RELAIS_OFFENCES(OFFENCE_AT_)
#undef OFFENCE_AT_

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

/* Gauge (1) or counter (0); 0 when out of range. */
int relais_stat_is_gauge(unsigned stat)
{
	return stat < RELAIS_STAT_MAX && stat_is_gauge[stat];
}

/* Control message type name; "?" when unknown. */
const char *relais_ctl_type_name(unsigned type)
{
	type &= ~RELAIS_CTL_REPLY;
	return type < RELAIS_CTL_TYPE_MAX && type_names[type] ? type_names[type] : "?";
}

/* Drop reason counted by an offence; RELAIS_DROP_NONE when out of range. */
enum relais_drop_reason relais_offence_reason(unsigned offence)
{
	return offence < RELAIS_OFFENCE_MAX ? offence_reasons[offence] : RELAIS_DROP_NONE;
}

#define PROTECT_NAME_(sfx, name) [RELAIS_PROTECT_##sfx] = name,
static const char *const protect_names[RELAIS_PROTECT_MAX] = {RELAIS_PROTECTS(PROTECT_NAME_)};
#undef PROTECT_NAME_

/* See ctl_proto.h. */
const char *relais_protect_name(unsigned protect)
{
	return protect < RELAIS_PROTECT_MAX ? protect_names[protect] : "?";
}

/* Offence name, that of its drop reason; "?" when out of range. */
const char *relais_offence_name(unsigned offence)
{
	return offence < RELAIS_OFFENCE_MAX ? drop_names[offence_reasons[offence]] : "?";
}

/* See ctl_proto.h. */
int relais_ctl_type_read_only(unsigned type)
{
	return type < RELAIS_CTL_TYPE_MAX && type_read_only[type];
}
