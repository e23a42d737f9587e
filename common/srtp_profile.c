/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SRTP protection profile table, expanded from RELAIS_SRTP_PROFILES
 * (include/relais/srtp_profile.h), and its lookups.
 */
#include <errno.h>
#include <stdio.h>
#include <strings.h>

#include <relais/srtp_profile.h>

static const struct relais_srtp_profile_info profiles[] = {RELAIS_SRTP_PROFILES(RELAIS_SRTP_INFO_)};

_Static_assert(sizeof(profiles) / sizeof(profiles[0]) == RELAIS_SRTP_PROFILE_COUNT,
	       "RELAIS_SRTP_PROFILE_COUNT disagrees with the table");

/* Every profile fits the fixed-size key buffers of struct relais_srtp_key
 * and the per-packet growth reserved by the dataplane. */
#define SIZE_CHECK_(sfx, id, sdes, dtls, shrt, key, salt, rtag, ctag, ...)                       \
	_Static_assert((key) <= RELAIS_SRTP_MAX_KEY_LEN && (salt) <= RELAIS_SRTP_MAX_SALT_LEN && \
			   (rtag) <= RELAIS_SRTP_MAX_TRAILER &&                                  \
			   (ctag) + 4 <= RELAIS_SRTP_MAX_TRAILER,                                \
		       #sfx ": sizes exceed RELAIS_SRTP_MAX_*");
RELAIS_SRTP_PROFILES(SIZE_CHECK_)

/* See header. */
const struct relais_srtp_profile_info *
relais_srtp_profile_find_id(const struct relais_srtp_profile_info *tab, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if ((uint32_t)tab[i].id == id)
			return &tab[i];
	return NULL;
}

/* 1 when a and b are both present and equal, case-insensitive. */
static int same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

/* 1 when name is one of p's names; a missing (NULL) name never matches. */
static int has_name(const struct relais_srtp_profile_info *p, const char *name)
{
	return same(name, p->name) || same(name, p->short_name) || same(name, p->dtls_name);
}

/* See header. */
const struct relais_srtp_profile_info *
relais_srtp_profile_find_name(const struct relais_srtp_profile_info *tab, size_t n,
			      const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (has_name(&tab[i], name))
			return &tab[i];
	return NULL;
}

/* Profile description for id `id`, or NULL when the id is unknown. */
const struct relais_srtp_profile_info *relais_srtp_profile_get(uint32_t id)
{
	return relais_srtp_profile_find_id(profiles, RELAIS_SRTP_PROFILE_COUNT, id);
}

/* See header. */
const struct relais_srtp_profile_info *relais_srtp_profile_by_name(const char *name)
{
	return relais_srtp_profile_find_name(profiles, RELAIS_SRTP_PROFILE_COUNT, name);
}

/* See header. */
const struct relais_srtp_profile_info *relais_srtp_profile_at(size_t i)
{
	return i < RELAIS_SRTP_PROFILE_COUNT ? &profiles[i] : NULL;
}

/* Problems of one entry on its own (see relais_srtp_profile_table_check),
 * or NULL when it is fine. */
static const char *entry_problem(const struct relais_srtp_profile_info *p)
{
	if ((uint32_t)p->id == 0 || (uint32_t)p->id > 0xFFFF)
		return "id is not a 16-bit non-zero value";
	if (p->name == NULL || p->short_name == NULL)
		return "SDES or short name missing";
	if ((p->dtls_name != NULL) != ((uint32_t)p->id < RELAIS_SRTP_PRIVATE_ID_MIN))
		return "a DTLS name needs an IANA id, a private id (0xFFxx) needs none";
	if (p->key_len == 0 || p->key_len > RELAIS_SRTP_MAX_KEY_LEN || p->salt_len == 0 ||
	    p->salt_len > RELAIS_SRTP_MAX_SALT_LEN)
		return "key or salt size out of range";
	if (p->aead > 1 || (p->aead && (p->rtp_tag_len != 16 || p->rtcp_tag_len != 16)))
		return "AEAD profiles carry 16-byte tags on SRTP and SRTCP";
	return NULL;
}

/* 1 when a name of p equals a name of q. */
static int names_clash(const struct relais_srtp_profile_info *p,
		       const struct relais_srtp_profile_info *q)
{
	return has_name(q, p->name) || has_name(q, p->short_name) || has_name(q, p->dtls_name);
}

/* See header. */
int relais_srtp_profile_table_check(const struct relais_srtp_profile_info *tab, size_t n,
				    int verbose)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		const char *why = entry_problem(&tab[i]);

		for (size_t j = 0; why == NULL && j < i; j++)
			if (tab[j].id == tab[i].id)
				why = "id used twice";
			else if (names_clash(&tab[i], &tab[j]))
				why = "name used twice";
		if (why != NULL) {
			bad = 1;
			if (verbose)
				fprintf(stderr, "srtp profile %zu (0x%04x): %s\n", i,
					(unsigned)tab[i].id, why);
		}
	}
	return bad ? -EINVAL : 0;
}
