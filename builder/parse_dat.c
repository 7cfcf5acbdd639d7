/* idmapping.dat: one pair per line, "AC TAB ID_type TAB ID". */
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "parse.h"

static size_t count_columns(const char *s, size_t len)
{
	size_t n = 1;
	const char *end = s + len;
	for (const char *t = memchr(s, '\t', len); t;
	     t = memchr(t + 1, '\t', (size_t)(end - t - 1)))
		n++;
	return n;
}

int idmap_parse_check_nul(idmap_parser *p, const char *line, size_t len)
{
	const char *nul = memchr(line, '\0', len);
	if (nul)
		return idmap_parse_fail(p, "NUL byte at column %zu", (size_t)(nul - line) + 1);
	return 0;
}

size_t idmap_parse_tabs(const char *s, size_t len, size_t *tab, unsigned max, unsigned *ntabs)
{
	unsigned nt = 0;
#ifdef __SSE2__
	if (len >= 16) {
		const __m128i tabs = _mm_set1_epi8('\t'), nuls = _mm_setzero_si128();
		for (size_t i = 0; i < len; i += 16) {
			/* the last block overlaps the one before it: nothing is read past the line */
			size_t at = i + 16 <= len ? i : len - 16;
			unsigned keep = 0xFFFFu << (unsigned)(i - at) & 0xFFFFu;
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + at));
			unsigned z = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, nuls)) & keep;
			unsigned t = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, tabs)) & keep;
			if (z) /* tabs after the NUL do not count */
				t &= (1u << __builtin_ctz(z)) - 1;
			for (; t && nt < max; t &= t - 1)
				tab[nt++] = at + (unsigned)__builtin_ctz(t);
			if (z) {
				*ntabs = nt;
				return at + (unsigned)__builtin_ctz(z);
			}
		}
		*ntabs = nt;
		return len;
	}
#endif
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0') {
			*ntabs = nt;
			return i;
		}
		if (s[i] == '\t' && nt < max)
			tab[nt++] = i;
	}
	*ntabs = nt;
	return len;
}

int idmap_parse_dat_line(idmap_parser *p, const char *line, size_t len)
{
	const char *end = line + len;
	size_t tab[3];
	unsigned ntabs;
	size_t nul = idmap_parse_tabs(line, len, tab, 3, &ntabs);
	if (nul < len)
		return idmap_parse_fail(p, "NUL byte at column %zu", nul + 1);
	if (ntabs != 2)
		return idmap_parse_fail(p, "wrong column count: found %zu, expected 3 "
					"(accession, ID type, ID)", count_columns(line, len));
	const char *t1 = line + tab[0], *t2 = line + tab[1];
	size_t acc_len = (size_t)(t1 - line);
	const char *type = t1 + 1;
	size_t type_len = (size_t)(t2 - type);
	const char *value = t2 + 1;
	size_t value_len = (size_t)(end - value);
	if (acc_len == 0)
		return idmap_parse_fail(p, "empty accession");
	if (idmap_parse_check_type(p, type, type_len) < 0)
		return -1;
	if (idmap_parse_check_value(p, value, value_len, "column 3") < 0)
		return -1;
	uint64_t code;
	if (idmap_parse_acc(p, line, acc_len, "accession", &code) < 0)
		return -1;
	p->info->lines++;
	return idmap_parse_emit(p, code, type, type_len, value, value_len);
}
