/* The release stamp of UniProt's files: "Release:     2026_01 of 28-Jan-2026" in the headers
 * of sec_ac.txt and delac_*.txt, and reldate.txt, whose lines read
 * "UniProtKB/Swiss-Prot Release 2026_01 of 28-Jan-2026". The date is kept in UniProt's own
 * form (dd-Mon-yyyy, as its X-UniProt-Release-Date header). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int idmap_release_date(const char *s, size_t len, char out[IDMAP_RELEASE_DATE_SIZE])
{
	/* d-Mon-yyyy or dd-Mon-yyyy, the month in any case */
	size_t d = len == 10 || len == 11 ? len - 9 : 0;
	if (!d || !digits(s, d) || s[d] != '-' || s[d + 4] != '-' || !digits(s + d + 5, 4))
		return -1;
	int day = d == 1 ? s[0] - '0' : (s[0] - '0') * 10 + s[1] - '0';
	for (int m = 0; m < 12; m++)
		if (day >= 1 && day <= 31 && !strncasecmp(s + d + 1, months[m], 3)) {
			snprintf(out, IDMAP_RELEASE_DATE_SIZE, "%02d-%s-%.4s", day, months[m],
				 s + d + 5);
			return 0;
		}
	return -1;
}

/* The next word of [*s, end) (runs of spaces and tabs between words); 0 at the end. */
static size_t word(const char **s, const char *end)
{
	while (*s < end && (**s == ' ' || **s == '\t'))
		(*s)++;
	size_t n = 0;
	while (*s + n < end && (*s)[n] != ' ' && (*s)[n] != '\t')
		n++;
	return n;
}

void idmap_parse_release(idmap_parser *p, const char *s, const char *end)
{
	idmap_input_info *info = p->info;
	size_t n = word(&s, end);
	if (n == 0 || n >= sizeof info->release)
		return;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return;
	if (info->release[0] == '\0') {
		memcpy(info->release, s, n);
		info->release[n] = '\0';
	}
	if (info->release_date[0])
		return;
	if (idmap_release_date(s, n, info->release_date) == 0)
		return; /* "Release: 28-Jan-2026" */
	s += n;
	n = word(&s, end);
	if (n == 2 && !strncasecmp(s, "of", 2)) {
		s += n;
		n = word(&s, end);
		idmap_release_date(s, n, info->release_date); /* left empty when it is no date */
	}
}

int idmap_parse_reldate_line(idmap_parser *p, const char *line, size_t len)
{
	static const char key[] = " Release ";
	const char *end = line + len;
	for (const char *s = line; (size_t)(end - s) >= sizeof key - 1; s++)
		if (!strncasecmp(s, key, sizeof key - 1)) {
			idmap_parse_release(p, s + sizeof key - 1, end);
			break;
		}
	return 0; /* no data lines: info->lines stays 0 */
}

int idmap_parse_reldate_end(idmap_parser *p)
{
	if (p->info->release_date[0])
		return 0;
	return idmap_parse_fail(p, "no release date in reldate.txt (expected a line like "
				"'UniProtKB/Swiss-Prot Release 2026_01 of 28-Jan-2026')");
}
