/* Identifier forms a user types (docs/semantics.md): accessions with isoform, version or
 * range, Swiss-Prot and TrEMBL entry names, UniParc and UniRef ids, versioned values, and the
 * white-space/comma tokeniser. Pure functions: no index, no allocation. */
#include <string.h>

#include "accession.h"
#include "versioned.h"
#include "idmap.h"

static int is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int is_sep(unsigned char c) { return is_space(c) || c == ','; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static int is_alnum_uc(unsigned char c) { return is_upper(c) || is_digit(c); }
static char upc(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 32) : c; }

IDMAP_API bool idmap_next_id(const char *text, size_t len, size_t *pos, size_t *off,
			    size_t *tok_len)
{
	size_t i = *pos;
	while (i < len && is_sep((unsigned char)text[i]))
		i++;
	size_t b = i;
	while (i < len && !is_sep((unsigned char)text[i]))
		i++;
	*pos = i;
	if (i == b)
		return 0;
	*off = b;
	*tok_len = i - b;
	return 1;
}

/* Strips surrounding white space: the caller may pass a raw field. */
static void trim(const char **t, size_t *n, size_t *lead)
{
	size_t a = 0, b = *n;
	while (a < b && is_space((unsigned char)(*t)[a]))
		a++;
	while (b > a && is_space((unsigned char)(*t)[b - 1]))
		b--;
	*lead = a;
	*t += a;
	*n = b - a;
}

static int invalid(idmap_idform *f, const char *why)
{
	f->form = IDMAP_FORM_INVALID;
	f->norm[0] = 0;
	f->norm_len = 0;
	f->code = 0;
	f->reason = why;
	return IDMAP_FORM_INVALID;
}

/* Upper-cases t[0, n) into f->norm; 0 when it does not fit. */
static int set_norm(idmap_idform *f, const char *t, size_t n)
{
	if (n >= IDMAP_ID_TEXT_SIZE)
		return 0;
	for (size_t i = 0; i < n; i++)
		f->norm[i] = upc(t[i]);
	f->norm[n] = 0;
	f->norm_len = n;
	return 1;
}

/* Length of the accession (with optional "-N") at the start of the upper-cased u[0, n), and
 * its code; 0 when none. Tries the longest candidate first. */
static size_t acc_prefix(const char *u, size_t n, uint64_t *code)
{
	static const size_t core[2] = {10, 6};
	for (int k = 0; k < 2; k++) {
		size_t c = core[k];
		if (n < c)
			continue;
		size_t e = c;
		if (e < n && u[e] == '-') {
			size_t d = e + 1;
			while (d < n && is_digit((unsigned char)u[d]) && d - e <= 4)
				d++;
			if (d > e + 1) {
				uint64_t x = idmap_acc_encode(u, d);
				if (x) {
					*code = x;
					return d;
				}
			}
		}
		uint64_t x = idmap_acc_encode(u, c);
		if (x && (c == n || !is_alnum_uc((unsigned char)u[c]))) {
			*code = x;
			return c;
		}
	}
	return 0;
}

/* 1 when s[0, n) is [0-9]+ of at most max digits. */
static int all_digits(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* "[a-b]" with 1 <= a <= b (at most 9 digits each). */
static int is_range(const char *s, size_t n)
{
	if (n < 5 || s[0] != '[' || s[n - 1] != ']')
		return 0;
	const char *dash = memchr(s, '-', n);
	if (!dash)
		return 0;
	size_t la = (size_t)(dash - s) - 1, lb = n - 2 - la - 1;
	if (!all_digits(s + 1, la, 9) || !all_digits(dash + 1, lb, 9))
		return 0;
	unsigned long a = 0, b = 0;
	for (size_t i = 0; i < la; i++)
		a = a * 10 + (unsigned long)(s[1 + i] - '0');
	for (size_t i = 0; i < lb; i++)
		b = b * 10 + (unsigned long)(dash[1 + i] - '0');
	return a >= 1 && a <= b;
}

/* Entry names: [A-Z0-9]{1,11} '_' [A-Z0-9]{1,5} (upper-cased text). */
static int is_entry_name(const char *u, size_t n)
{
	const char *us = memchr(u, '_', n);
	if (!us)
		return 0;
	size_t a = (size_t)(us - u), b = n - a - 1;
	if (a < 1 || a > 11 || b < 1 || b > 5)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (i != a && !is_alnum_uc((unsigned char)u[i]))
			return 0;
	return 1;
}

IDMAP_API idmap_form idmap_parse_uniprot_id(const char *text, size_t len, idmap_idform *f)
{
	size_t lead;
	memset(f, 0, sizeof *f);
	if (!text)
		return invalid(f, "empty id");
	trim(&text, &len, &lead);
	f->from_off = lead;
	if (len == 0)
		return invalid(f, "empty id");
	char u[IDMAP_ID_TEXT_SIZE];
	if (len >= sizeof u)
		return invalid(f, "too long for a UniProtKB accession or entry name");
	for (size_t i = 0; i < len; i++)
		u[i] = upc(text[i]);
	uint64_t code = 0;
	size_t k = acc_prefix(u, len, &code);
	f->from_len = len;
	if (k == len) {
		set_norm(f, u, k);
		f->code = code;
		f->form = idmap_acc_isoform(code) ? IDMAP_FORM_ISOFORM : IDMAP_FORM_ACCESSION;
		return f->form;
	}
	if (k && u[k] == '.' && all_digits(u + k + 1, len - k - 1, 9)) {
		set_norm(f, u, k);
		f->code = code;
		f->from_len = k; /* UniProt drops the version from `from` */
		return f->form = IDMAP_FORM_VERSION;
	}
	if (k && is_range(u + k, len - k)) {
		set_norm(f, u, k);
		f->code = code;
		return f->form = IDMAP_FORM_RANGE;
	}
	if (is_entry_name(u, len)) {
		set_norm(f, u, len);
		const char *us = memchr(u, '_', len);
		size_t a = (size_t)(us - u);
		uint64_t c = 0;
		if ((a == 6 || a == 10) && acc_prefix(u, a, &c) == a && !idmap_acc_isoform(c)) {
			f->code = c;
			return f->form = IDMAP_FORM_TREMBL_NAME;
		}
		return f->form = IDMAP_FORM_ENTRY_NAME;
	}
	if (k)
		return invalid(f, "an accession followed by text that is no isoform, version or "
				  "range");
	return invalid(f, "not a UniProtKB accession or entry name");
}

IDMAP_API idmap_form idmap_parse_uniparc_id(const char *text, size_t len, idmap_idform *f)
{
	size_t lead;
	memset(f, 0, sizeof *f);
	if (!text)
		return invalid(f, "empty id");
	trim(&text, &len, &lead);
	f->from_off = lead;
	if (len != 13 || upc(text[0]) != 'U' || upc(text[1]) != 'P' || upc(text[2]) != 'I')
		return invalid(f, "not a UniParc id (UPI and 10 hexadecimal digits)");
	for (size_t i = 3; i < 13; i++) {
		char c = upc(text[i]);
		if (!is_digit((unsigned char)c) && !(c >= 'A' && c <= 'F'))
			return invalid(f, "not a UniParc id (UPI and 10 hexadecimal digits)");
	}
	set_norm(f, text, len);
	f->from_len = len;
	return f->form = IDMAP_FORM_UNIPARC;
}

IDMAP_API idmap_form idmap_parse_uniref_id(const char *text, size_t len, int level, idmap_idform *f)
{
	static const char *const why = "not a UniRef cluster id (UniRef50_, UniRef90_ or "
				       "UniRef100_ and a UniProtKB or UniParc id)";
	size_t lead;
	memset(f, 0, sizeof *f);
	if (!text)
		return invalid(f, "empty id");
	trim(&text, &len, &lead);
	f->from_off = lead;
	static const char pre[] = "UNIREF";
	if (len < 8)
		return invalid(f, why);
	for (size_t i = 0; i < 6; i++)
		if (upc(text[i]) != pre[i])
			return invalid(f, why);
	const char *us = memchr(text, '_', len);
	if (!us)
		return invalid(f, why);
	size_t dl = (size_t)(us - text) - 6;
	int lv = 0;
	if (dl == 2 && text[6] == '5' && text[7] == '0')
		lv = 50;
	else if (dl == 2 && text[6] == '9' && text[7] == '0')
		lv = 90;
	else if (dl == 3 && text[6] == '1' && text[7] == '0' && text[8] == '0')
		lv = 100;
	if (!lv)
		return invalid(f, why);
	if (level && lv != level)
		return invalid(f, level == 50	? "not a UniRef50 cluster id"
				  : level == 90 ? "not a UniRef90 cluster id"
						: "not a UniRef100 cluster id");
	const char *m = us + 1;
	size_t mn = len - (size_t)(m - text);
	idmap_idform g;
	uint64_t code = 0;
	char u[IDMAP_ID_TEXT_SIZE];
	if (mn == 0 || mn >= sizeof u)
		return invalid(f, why);
	for (size_t i = 0; i < mn; i++)
		u[i] = upc(m[i]);
	if (acc_prefix(u, mn, &code) != mn && idmap_parse_uniparc_id(m, mn, &g) != IDMAP_FORM_UNIPARC)
		return invalid(f, why);
	size_t pl = (size_t)(m - text);
	memcpy(f->norm, "UniRef", 6);
	memcpy(f->norm + 6, text + 6, pl - 6);
	memcpy(f->norm + pl, u, mn);
	f->norm_len = pl + mn;
	f->norm[f->norm_len] = 0;
	f->from_len = len;
	f->uniref_level = lv;
	f->code = code;
	return f->form = IDMAP_FORM_UNIREF;
}

IDMAP_API bool idmap_value_versioned(const char *text, size_t len, size_t *stem_len)
{
	size_t stem = text ? idmap_version_stem(text, len) : 0;
	if (stem && stem_len)
		*stem_len = stem;
	return stem != 0;
}
