/* Accession history: sec_ac.txt (secondary -> primary) and delac_*.txt (deleted accessions).
 * Both have a free-text header ending with column titles and a line of underscores, data
 * lines, and a footer that starts with a line of dashes. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "accession.h"
#include "idmap_format.h"
#include "parse.h"

enum { HS_START, HS_HEADER, HS_DATA, HS_FOOTER };

/* A file without its column titles within this many lines is not a history file. */
#define MAX_HEADER_LINES 1000

static const char *skip_space(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static int prefix_ci(const char *s, const char *end, const char *prefix, size_t n)
{
	return (size_t)(end - s) >= n && strncasecmp(s, prefix, n) == 0;
}

static int contains_ci(const char *s, const char *end, const char *needle, size_t n)
{
	for (; (size_t)(end - s) >= n; s++)
		if (strncasecmp(s, needle, n) == 0)
			return 1;
	return 0;
}

/* A rule: at least three ch, nothing else but spaces ("____   ____", "-----"). */
static int is_rule(const char *s, const char *end, char ch)
{
	size_t n = 0;
	for (; s < end; s++) {
		if (*s == ch)
			n++;
		else if (*s != ' ' && *s != '\t')
			return 0;
	}
	return n >= 3;
}

/* Splits on runs of spaces/tabs; fills up to 3 tokens and returns how many were found (3 means
 * "3 or more"). */
static int tokens(const char *s, const char *end, const char *tok[3], size_t tlen[3])
{
	int n = 0;
	for (s = skip_space(s, end); s < end && n < 3; s = skip_space(s, end)) {
		const char *t = s;
		while (t < end && *t != ' ' && *t != '\t')
			t++;
		tok[n] = s;
		tlen[n++] = (size_t)(t - s);
		s = t;
	}
	return n;
}

static int quiet_acc(const char *s, size_t len)
{
	return len > 0 && len < IDMAP_ACC_TEXT_MAX && idmap_acc_encode(s, len) != 0;
}

/* The section a delac file lists, from words of its name or header: 1 Swiss-Prot, 2 TrEMBL,
 * 0 when they do not say. */
static int section_of(const char *s, const char *end)
{
	int sp = contains_ci(s, end, "delac_sp", 8) || contains_ci(s, end, "Swiss-Prot", 10),
	    tr = contains_ci(s, end, "delac_tr", 8) || contains_ci(s, end, "TrEMBL", 6);
	return sp == tr ? 0 : sp ? 1 : 2;
}

void idmap_parse_history_begin(idmap_parser *p, idmap_input_kind hint)
{
	const char *base = p->path ? strrchr(p->path, '/') : NULL;
	base = base ? base + 1 : p->path ? p->path : "";
	p->hist_section = section_of(base, base + strlen(base));
	p->hist_state = HS_START;
	p->hist_hint = hint;
	p->hist_title = IDMAP_KIND_UNKNOWN;
	p->hist_header_lines = 0;
	p->hist_first_line = p->line_no;
}

static int header_line(idmap_parser *p, const char *line, size_t len)
{
	const char *end = line + len, *s = skip_space(line, end);
	if (s == end)
		return 0;
	if (++p->hist_header_lines > MAX_HEADER_LINES) {
		p->line_no = p->hist_first_line;
		return idmap_parse_fail(p, "not a UniProt idmapping file (looks like text without "
					"the column titles of sec_ac.txt or delac_*.txt)");
	}
	if (is_rule(s, end, '_')) {
		int kind = p->hist_title ? p->hist_title : p->hist_hint;
		if (kind == IDMAP_KIND_UNKNOWN)
			return idmap_parse_fail(p, "line of underscores without the column titles "
						"'Secondary AC' or 'Accession number' above it");
		p->info->kind = (idmap_input_kind)kind;
		p->hist_state = HS_DATA;
		return 0;
	}
	p->hist_title = IDMAP_KIND_UNKNOWN;
	if (prefix_ci(s, end, "Secondary AC", 12) || prefix_ci(s, end, "SEC_AC", 6)) {
		p->hist_title = IDMAP_KIND_SEC_AC;
	} else if (prefix_ci(s, end, "Accession number", 16)) {
		p->hist_title = IDMAP_KIND_DELAC;
	} else if (prefix_ci(s, end, "Release:", 8)) {
		idmap_parse_release(p, s + 8, end);
	} else if (prefix_ci(s, end, "Name:", 5) || prefix_ci(s, end, "Description:", 12)) {
		/* The header's own words beat the file name. */
		if (contains_ci(s, end, "sec_ac", 6) || contains_ci(s, end, "secondary acc", 13))
			p->hist_hint = IDMAP_KIND_SEC_AC;
		else if (contains_ci(s, end, "delac", 5) || contains_ci(s, end, "deleted", 7))
			p->hist_hint = IDMAP_KIND_DELAC;
		int section = section_of(s, end); /* "Description: ... deleted from UniProtKB/TrEMBL" */
		if (section)
			p->hist_section = section;
	}
	return 0;
}

static int data_line(idmap_parser *p, const char *line, size_t len)
{
	const char *end = line + len, *tok[3];
	size_t tlen[3];
	int n = tokens(line, end, tok, tlen);
	if (n == 0)
		return 0; /* blank lines inside the data are harmless */
	if (is_rule(line, end, '-')) {
		p->hist_state = HS_FOOTER;
		return 0;
	}
	uint64_t code;
	if (p->info->kind == IDMAP_KIND_SEC_AC) {
		if (n != 2)
			return idmap_parse_fail(p, "expected 'SECONDARY PRIMARY' (two accessions), "
						"found %s fields", n == 1 ? "1" : "3 or more");
		uint64_t sec;
		if (idmap_parse_acc(p, tok[0], tlen[0], "secondary accession", &sec) < 0 ||
		    idmap_parse_acc(p, tok[1], tlen[1], "primary accession", &code) < 0)
			return -1;
		p->info->lines++;
		return idmap_parse_emit(p, code, IDMAP_TYPE_SECONDARY,
					sizeof IDMAP_TYPE_SECONDARY - 1, tok[0], tlen[0]);
	}
	if (n != 1)
		return idmap_parse_fail(p, "expected one deleted accession per line, "
					"found %s fields", n == 2 ? "2" : "3 or more");
	if (idmap_parse_acc(p, tok[0], tlen[0], "deleted accession", &code) < 0)
		return -1;
	p->info->lines++;
	static const char *const types[] = {IDMAP_TYPE_DELETED, IDMAP_TYPE_DELETED_SP,
					    IDMAP_TYPE_DELETED_TR};
	const char *type = types[p->hist_section];
	return idmap_parse_emit(p, 0, type, strlen(type), tok[0], tlen[0]);
}

int idmap_parse_history_line(idmap_parser *p, const char *line, size_t len)
{
	switch (p->hist_state) {
	case HS_START: {
		/* No header at all: a bare list is recognised by its shape. */
		const char *tok[3];
		size_t tlen[3];
		int n = tokens(line, line + len, tok, tlen);
		if (n == 1 && quiet_acc(tok[0], tlen[0]))
			p->info->kind = IDMAP_KIND_DELAC;
		else if (n == 2 && quiet_acc(tok[0], tlen[0]) && quiet_acc(tok[1], tlen[1]))
			p->info->kind = IDMAP_KIND_SEC_AC;
		if (p->info->kind != IDMAP_KIND_UNKNOWN) {
			p->hist_state = HS_DATA;
			return data_line(p, line, len);
		}
		p->hist_state = HS_HEADER;
		return header_line(p, line, len);
	}
	case HS_HEADER:
		return header_line(p, line, len);
	case HS_DATA:
		return data_line(p, line, len);
	default:
		return 0; /* footer: the rest is copyright text */
	}
}

int idmap_parse_history_end(idmap_parser *p)
{
	if (p->hist_state == HS_DATA || p->hist_state == HS_FOOTER)
		return 0;
	p->line_no = p->hist_first_line;
	return idmap_parse_fail(p, "not a UniProt idmapping file (looks like text without the "
				"column titles of sec_ac.txt or delac_*.txt)");
}
