/* String matching used by the operators: glob (Falco's glob and pmatch
 * semantics), case-insensitive search, path-prefix sets. All work on
 * (pointer, length) views so event strings are never copied. */
#include "engine/internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static inline unsigned char fold(unsigned char c, bool icase)
{
	return icase ? (unsigned char)tolower(c) : c;
}

/* Matches one bracket expression at p (just after '['); returns the length
 * consumed up to and including ']', or 0 if the class is not closed. */
static size_t match_class(const char *p, size_t pn, unsigned char c, bool icase, bool *matched)
{
	size_t i = 0;
	bool neg = false;
	if (i < pn && (p[i] == '!' || p[i] == '^')) {
		neg = true;
		i++;
	}
	bool hit = false, first = true;
	c = fold(c, icase);
	while (i < pn && (p[i] != ']' || first)) {
		first = false;
		unsigned char lo = (unsigned char)p[i];
		if (lo == '\\' && i + 1 < pn)
			lo = (unsigned char)p[++i];
		unsigned char hi = lo;
		if (i + 2 < pn && p[i + 1] == '-' && p[i + 2] != ']') {
			hi = (unsigned char)p[i + 2];
			i += 2;
		}
		lo = fold(lo, icase);
		hi = fold(hi, icase);
		if (c >= lo && c <= hi)
			hit = true;
		i++;
	}
	if (i >= pn)
		return 0;
	*matched = hit != neg;
	return i + 1;
}

bool eng_glob_match(const char *p, size_t pn, const char *s, size_t sn, bool icase, bool pathname)
{
	size_t pi = 0, si = 0;
	size_t star_p = (size_t)-1, star_s = 0;
	while (si < sn) {
		if (pi < pn) {
			char pc = p[pi];
			if (pc == '*') {
				while (pi < pn && p[pi] == '*')
					pi++;
				star_p = pi;
				star_s = si;
				continue;
			}
			if (pc == '?' && !(pathname && s[si] == '/')) {
				pi++;
				si++;
				continue;
			}
			if (pc == '[') {
				bool m = false;
				size_t used = match_class(p + pi + 1, pn - pi - 1,
							  (unsigned char)s[si], icase, &m);
				if (used) {
					if (m && !(pathname && s[si] == '/')) {
						pi += used + 1;
						si++;
						continue;
					}
					goto backtrack;
				}
				/* An unclosed '[' is an ordinary character. */
			}
			size_t plen = 1;
			if (pc == '\\' && pi + 1 < pn) {
				pc = p[pi + 1];
				plen = 2;
			}
			if (fold((unsigned char)pc, icase) == fold((unsigned char)s[si], icase)) {
				pi += plen;
				si++;
				continue;
			}
		}
	backtrack:
		if (star_p == (size_t)-1)
			return false;
		if (pathname && s[star_s] == '/')
			return false;
		pi = star_p;
		si = ++star_s;
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

bool eng_icontains(const char *hay, size_t hn, const char *needle, size_t nn)
{
	if (nn == 0)
		return true;
	if (nn > hn)
		return false;
	unsigned char first = (unsigned char)needle[0];
	for (size_t i = 0; i + nn <= hn; i++) {
		if ((unsigned char)tolower((unsigned char)hay[i]) != first)
			continue;
		size_t j = 1;
		while (j < nn && (unsigned char)tolower((unsigned char)hay[i + j]) ==
				     (unsigned char)needle[j])
			j++;
		if (j == nn)
			return true;
	}
	return false;
}

bool eng_pmatch(const struct eng_pmatch *pm, const char *s, size_t n)
{
	if (n == 0)
		return false;
	if (pm->exact && strset_has(pm->exact, "/", 1) && s[0] == '/')
		return true;
	for (size_t i = 1; i <= n; i++) {
		if (i < n && s[i] != '/')
			continue;
		if (pm->exact && strset_has(pm->exact, s, i))
			return true;
		for (size_t g = 0; g < pm->nglobs; g++)
			if (eng_glob_match(pm->globs[g], pm->glob_lens[g], s, i, false, true))
				return true;
	}
	return false;
}

bool eng_net_parse(const char *s, size_t n, struct eng_net *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *slash = strchr(buf, '/');
	long prefix = -1;
	if (slash) {
		char *end;
		*slash = '\0';
		prefix = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || prefix < 0)
			return false;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->ip.a) == 1) {
		out->ip.family = 4;
		if (prefix > 32)
			return false;
		out->prefix = (uint8_t)(prefix < 0 ? 32 : prefix);
		return true;
	}
	uint8_t a6[16];
	if (inet_pton(AF_INET6, buf, a6) != 1)
		return false;
	if (prefix > 128)
		return false;
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a6, v4mapped, 12) == 0 && (prefix < 0 || prefix >= 96)) {
		out->ip.family = 4;
		memcpy(out->ip.a, a6 + 12, 4);
		out->prefix = (uint8_t)(prefix < 0 ? 32 : prefix - 96);
		return true;
	}
	out->ip.family = 6;
	memcpy(out->ip.a, a6, 16);
	out->prefix = (uint8_t)(prefix < 0 ? 128 : prefix);
	return true;
}

bool eng_net_contains(const struct eng_net *net, const struct eng_ip *ip)
{
	if (net->ip.family != ip->family)
		return false;
	unsigned full = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->ip.a, ip->a, full) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (net->ip.a[full] & mask) == (ip->a[full] & mask);
}
