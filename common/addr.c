/* SPDX-License-Identifier: BSD-3-Clause */
/* Transport address parsing and formatting: "1.2.3.4:5000", "[::1]:5000". */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <relais/ctl_proto.h>

/* Parse a decimal port 1..65535 ending the string; 0 or -EINVAL. */
static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s == '\0')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Parse "a.b.c.d:port" or "[v6]:port" into *a. 0 or -EINVAL. */
int relais_addr_parse(const char *s, struct relais_addr *a)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (s == NULL)
		return -EINVAL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return -EINVAL;
		n = (size_t)(close - s - 1);
		if (n == 0 || n >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (inet_pton(AF_INET6, host, a->ip) != 1)
			return -EINVAL;
		a->family = 6;
		return parse_port(close + 2, &a->port);
	}
	colon = strrchr(s, ':');
	if (colon == NULL)
		return -EINVAL;
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, a->ip) != 1)
		return -EINVAL;
	a->family = 4;
	return parse_port(colon + 1, &a->port);
}

/* Format *a into buf. 0, or -EINVAL (bad family) / -ENOSPC. */
int relais_addr_format(const struct relais_addr *a, char *buf, size_t cap)
{
	char host[INET6_ADDRSTRLEN];
	int n;

	if (a->family != 4 && a->family != 6)
		return -EINVAL;
	if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->ip, host, sizeof(host)) == NULL)
		return -EINVAL;
	n = snprintf(buf, cap, a->family == 4 ? "%s:%u" : "[%s]:%u", host, a->port);
	return n < 0 || (size_t)n >= cap ? -ENOSPC : 0;
}
