/* SPDX-License-Identifier: BSD-3-Clause */
/* Cursor operations on spans of SDP text (see edge_sdp_text.h). */
#include <string.h>
#include <strings.h>

#include "edge_sdp_text.h"

bool sdp_next(struct sdp_span *s, char sep, struct sdp_span *tok)
{
	size_t i = 0, start;

	while (i < s->len && s->p[i] == sep)
		i++;
	if (i == s->len) {
		s->p += i;
		s->len = 0;
		return false;
	}
	start = i;
	while (i < s->len && s->p[i] != sep)
		i++;
	tok->p = s->p + start;
	tok->len = i - start;
	if (i < s->len)
		i++; /* the separator */
	s->p += i;
	s->len -= i;
	return true;
}

bool sdp_split(struct sdp_span *s, char sep, struct sdp_span *head)
{
	const char *at = s->len ? memchr(s->p, sep, s->len) : NULL;

	if (!at) {
		*head = *s;
		return false;
	}
	head->p = s->p;
	head->len = (size_t)(at - s->p);
	s->p = at + 1;
	s->len -= head->len + 1;
	return true;
}

bool sdp_eq(struct sdp_span s, const char *lit)
{
	return strlen(lit) == s.len && memcmp(s.p, lit, s.len) == 0;
}

bool sdp_ieq(struct sdp_span s, const char *lit)
{
	return strlen(lit) == s.len && strncasecmp(s.p, lit, s.len) == 0;
}

bool sdp_uint(struct sdp_span s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s.len == 0 || s.len > 20)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';

		if (d > 9 || d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool sdp_copy(struct sdp_span s, char *dst, size_t cap)
{
	if (s.len >= cap) {
		dst[0] = '\0';
		return false;
	}
	memcpy(dst, s.p, s.len);
	dst[s.len] = '\0';
	return true;
}

struct sdp_span sdp_trim(struct sdp_span s)
{
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s;
}

bool sdp_fmtp_param(struct sdp_span params, const char *key, struct sdp_span *value)
{
	struct sdp_span item, k;

	while (sdp_next(&params, ';', &item)) {
		item = sdp_trim(item);
		if (sdp_split(&item, '=', &k) && sdp_eq(sdp_trim(k), key)) {
			*value = sdp_trim(item);
			return true;
		}
	}
	return false;
}

bool sdp_ice_string(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (n == max || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				  (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	return n >= min;
}

struct sdp_span sdp_str(const char *s)
{
	return (struct sdp_span){s, strlen(s)};
}

bool sdp_fingerprint_ok(struct sdp_span s)
{
	static const char hex[] = "0123456789abcdefABCDEF";

	if (s.len < 16 * 3 - 1 || (s.len + 1) % 3 != 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		bool colon = i % 3 == 2;

		if (colon ? s.p[i] != ':' : !memchr(hex, s.p[i], sizeof(hex) - 1))
			return false;
	}
	return true;
}
