/* idmapping.dat: one pair per line, "AC TAB ID_type TAB ID". */
#include <string.h>

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

int idmap_parse_dat_line(idmap_parser *p, const char *line, size_t len)
{
	const char *end = line + len;
	if (idmap_parse_check_nul(p, line, len) < 0)
		return -1;
	const char *t1 = memchr(line, '\t', len);
	const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(end - t1 - 1)) : NULL;
	if (!t2 || memchr(t2 + 1, '\t', (size_t)(end - t2 - 1)))
		return idmap_parse_fail(p, "wrong column count: found %zu, expected 3 "
					"(accession, ID type, ID)", count_columns(line, len));
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
