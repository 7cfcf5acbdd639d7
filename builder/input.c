/* Reading one release file: open (plain or gzip), detect its kind, feed lines to a parser. */
#include "input.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accession.h"
#include "gz_reader.h"
#include "idmap_format.h"
#include "parse.h"

const char *idmap_input_kind_name(idmap_input_kind kind)
{
	switch (kind) {
	case IDMAP_KIND_DAT:
		return "dat";
	case IDMAP_KIND_SELECTED:
		return "selected";
	case IDMAP_KIND_SEC_AC:
		return "sec_ac";
	case IDMAP_KIND_DELAC:
		return "delac";
	case IDMAP_KIND_RELDATE:
		return "reldate";
	case IDMAP_KIND_FASTA:
		return "fasta";
	case IDMAP_KIND_UNIPARC:
		return "uniparc";
	default:
		return "unknown";
	}
}

/* ---- helpers shared by the parsers (parse.h) ---- */

int idmap_parse_fail(idmap_parser *p, const char *fmt, ...)
{
	if (!p->err || p->errlen == 0)
		return -1;
	int n = snprintf(p->err, p->errlen, p->by_byte ? "%s:byte %llu: " : "%s:%llu: ", p->path,
			 (unsigned long long)(p->by_byte ? p->byte_no : p->line_no));
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

const char *idmap_parse_quote(char *out, size_t outlen, const char *s, size_t len)
{
	if (outlen < 8) {
		if (outlen)
			out[0] = '\0';
		return out;
	}
	size_t max = outlen - 6; /* two quotes, "..." and the NUL */
	size_t n = len < max ? len : max, o = 0;
	out[o++] = '\'';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (n < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

int idmap_parse_emit(idmap_parser *p, uint64_t acc, const char *type, size_t type_len,
		     const char *value, size_t value_len)
{
	idmap_triple t = {acc, type, type_len, value, value_len, 0, 0, 0, 0};
	return idmap_parse_emit_triple(p, &t);
}

int idmap_parse_emit_triple(idmap_parser *p, const idmap_triple *t)
{
	p->err[0] = '\0';
	int rc = p->fn ? p->fn(p->ctx, t, p->err, p->errlen) : 0;
	if (rc != 0) {
		if (p->err[0] == '\0') {
			idmap_parse_fail(p, "stopped by the consumer of the triples");
		} else if (rc == IDMAP_TRIPLE_REFUSED) {
			char msg[256];
			snprintf(msg, sizeof msg, "%s", p->err);
			idmap_parse_fail(p, "%s", msg);
		}
		return -1;
	}
	p->info->triples++;
	return 0;
}

int idmap_parse_acc(idmap_parser *p, const char *s, size_t len, const char *what,
		    uint64_t *code)
{
	if (len == p->last_acc_len && len > 0 && memcmp(s, p->last_acc, len) == 0) {
		*code = p->last_code;
		return 0;
	}
	uint64_t c = len > 0 && len < IDMAP_ACC_TEXT_MAX ? idmap_acc_encode(s, len) : 0;
	if (c == 0) {
		char q[48];
		return idmap_parse_fail(p, "invalid %s %s (not a UniProtKB accession)", what,
					idmap_parse_quote(q, sizeof q, s, len));
	}
	memcpy(p->last_acc, s, len);
	p->last_acc_len = len;
	p->last_code = c;
	*code = c;
	return 0;
}

/* Whether the 8 bytes of x are all printable ASCII without space (0x21 .. 0x7e): no byte
 * below 0x21 (x - 0x21 borrows into its top bit) and none at 0x7f or above (+ 1 carries into
 * it, or it is set). */
static int printable8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, tops = 0x8080808080808080ull;
	return (((x - 0x21 * ones) & ~x) | ((x + ones) | x)) & tops ? 0 : 1;
}

int idmap_parse_check_type(idmap_parser *p, const char *s, size_t len)
{
	/* Every line comes here; the lines of an entry cycle through a dozen types, so the bytes
	 * are checked eight at a time rather than remembered. */
	if (len >= 8 && len <= IDMAP_PARSE_MAX_TYPE && s[0] != '#') {
		uint64_t x;
		int ok = 1;
		for (size_t i = 0; i + 8 <= len; i += 8) {
			memcpy(&x, s + i, 8);
			ok &= printable8(x);
		}
		memcpy(&x, s + len - 8, 8);
		if (ok & printable8(x))
			return 0;
	} else if (len >= 4 && len < 8 && s[0] != '#') { /* two overlapping 4-byte loads */
		uint32_t lo, hi;
		memcpy(&lo, s, 4);
		memcpy(&hi, s + len - 4, 4);
		if (printable8((uint64_t)hi << 32 | lo))
			return 0;
	}
	char q[80];
	if (len == 0)
		return idmap_parse_fail(p, "empty ID type");
	if (len > IDMAP_PARSE_MAX_TYPE)
		return idmap_parse_fail(p, "ID type %s longer than %u bytes",
					idmap_parse_quote(q, sizeof q, s, len),
					IDMAP_PARSE_MAX_TYPE);
	if (s[0] == '#')
		return idmap_parse_fail(p, "ID type %s starts with '#' (reserved for idmap)",
					idmap_parse_quote(q, sizeof q, s, len));
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f)
			return idmap_parse_fail(p, "ID type %s has a byte 0x%02x that is not "
						"printable ASCII without space",
						idmap_parse_quote(q, sizeof q, s, len), c);
	}
	return 0;
}

int idmap_parse_check_cr(idmap_parser *p, const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		return idmap_parse_fail(p, "CR line ending (file has Windows line ends)");
	return 0;
}

int idmap_parse_data_line(idmap_parser *p, idmap_input_kind kind, const char *line, size_t len)
{
	if (len > IDMAP_GZ_MAX_LINE) /* the reader's own message (gz_reader.h) */
		return idmap_parse_fail(p, "line longer than %zu bytes", (size_t)IDMAP_GZ_MAX_LINE);
	if (idmap_parse_check_cr(p, line, len) < 0)
		return -1;
	if (len == 0)
		return 0; /* blank lines carry no data */
	return kind == IDMAP_KIND_DAT ? idmap_parse_dat_line(p, line, len)
				      : idmap_parse_selected_line(p, line, len);
}

int idmap_parse_check_value(idmap_parser *p, const char *s, size_t len, const char *what)
{
	if (len == 0)
		return idmap_parse_fail(p, "empty value (%s)", what);
	if (len > IDMAP_MAX_VALUE) {
		char q[48];
		return idmap_parse_fail(p, "value %s (%s) is %zu bytes, longer than %u",
					idmap_parse_quote(q, sizeof q, s, len), what, len,
					IDMAP_MAX_VALUE);
	}
	return 0;
}

void idmap_parser_free(idmap_parser *p)
{
	free(p->fa_head);
	free(p->fa_seq);
	p->fa_head = p->fa_seq = NULL;
	free(p->pdb_seen);
	p->pdb_seen = NULL;
	p->pdb_cap = 0;
	idmap_parse_uniparc_free(p);
}

/* ---- kind detection ---- */

static int contains_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, needle, n) == 0)
			return 1;
	return 0;
}

idmap_input_kind idmap_input_name_hint(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (contains_ci(base, n, "sec_ac"))
		return IDMAP_KIND_SEC_AC;
	if (contains_ci(base, n, "delac"))
		return IDMAP_KIND_DELAC;
	if (contains_ci(base, n, "reldate"))
		return IDMAP_KIND_RELDATE;
	if (contains_ci(base, n, "selected"))
		return IDMAP_KIND_SELECTED;
	if (contains_ci(base, n, ".dat"))
		return IDMAP_KIND_DAT;
	return IDMAP_KIND_UNKNOWN;
}

#define UTF8_BOM "\xef\xbb\xbf"

static int starts_with(const char *s, size_t len, const char *prefix, size_t plen)
{
	return len >= plen && memcmp(s, prefix, plen) == 0;
}

static int looks_html(const char *s, size_t len)
{
	return contains_ci(s, len, "<!doctype html") || contains_ci(s, len, "<html");
}

/* What the first non-blank line looks like when it is clearly not UniProt idmapping data;
 * NULL when it may be. */
static const char *sniff_foreign(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	if (len >= 2 && u[0] == 0x1f && u[1] == 0x8b)
		return "gzip data inside gzip: the file is compressed twice";
	if (starts_with(s, len, "BZh", 3) && len >= 4 && u[3] >= '1' && u[3] <= '9')
		return "bzip2-compressed data; decompress it or recompress with gzip";
	if (starts_with(s, len, "\xfd" "7zXZ", 5))
		return "xz-compressed data; decompress it or recompress with gzip";
	if (starts_with(s, len, "\x28\xb5\x2f\xfd", 4))
		return "zstd-compressed data; decompress it or recompress with gzip";
	if (starts_with(s, len, "PK\x03\x04", 4))
		return "a zip archive; unzip it first";
	size_t check = len < 512 ? len : 512;
	for (size_t i = 0; i < check; i++)
		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f)
			return "binary data";
	if (s[0] == '>')
		return "FASTA sequences";
	if (s[0] == '<') {
		if (looks_html(s, check))
			return "an HTML page, perhaps an error page saved by a download";
		if (starts_with(s, len, "<?xml", 5))
			return "XML";
		return "HTML or XML markup";
	}
	if (s[0] == '{' || s[0] == '[')
		return "JSON";
	if (starts_with(s, len, "ID   ", 5))
		return "a UniProtKB flat file (uniprot_sprot.dat), not idmapping.dat";
	return NULL;
}

static int is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

int idmap_input_detect(idmap_parser *p, const char *s, size_t len, idmap_input_kind hint)
{
	/* FASTA named like an idmapping file is a wrong download, refused below */
	if (p->fa_fn && len && s[0] == '>' && hint == IDMAP_KIND_UNKNOWN) {
		if (idmap_fasta_sniff(s, len))
			return IDMAP_KIND_FASTA;
		return idmap_parse_fail(p, "not a UniProt FASTA file (headers start with >sp|, "
					">tr|, >UniRef or >UPI)");
	}
	const char *foreign = sniff_foreign(s, len);
	if (foreign)
		return idmap_parse_fail(p, "not a UniProt idmapping file (looks like %s)", foreign);
	if (hint == IDMAP_KIND_RELDATE ||
	    starts_with(s, len, "UniProt Knowledgebase Release ", 30))
		return IDMAP_KIND_RELDATE;
	const char *tab = memchr(s, '\t', len);
	if (!tab) {
		if (hint == IDMAP_KIND_DAT || hint == IDMAP_KIND_SELECTED)
			return (int)hint; /* the parser reports the column count */
		return IDMAP_KIND_SEC_AC;
	}
	size_t cols = 1;
	for (const char *t = tab; t; t = memchr(t + 1, '\t', len - (size_t)(t + 1 - s)))
		cols++;
	size_t alen = (size_t)(tab - s);
	int acc_ok = alen > 0 && alen < IDMAP_ACC_TEXT_MAX && idmap_acc_encode(s, alen) != 0;
	if (cols == 3 && acc_ok)
		return IDMAP_KIND_DAT;
	if (cols == IDMAP_SELECTED_COLUMNS && acc_ok)
		return IDMAP_KIND_SELECTED;
	if (hint == IDMAP_KIND_DAT || hint == IDMAP_KIND_SELECTED)
		return (int)hint;
	if (cols == 3 || cols == IDMAP_SELECTED_COLUMNS) {
		char q[48];
		return idmap_parse_fail(p, "not a UniProt idmapping file (looks like "
					"tab-separated text with %zu columns, but %s is not a "
					"UniProtKB accession)",
					cols, idmap_parse_quote(q, sizeof q, s, alen));
	}
	return idmap_parse_fail(p, "not a UniProt idmapping file (looks like tab-separated text "
				"with %zu columns; idmapping.dat has 3, idmapping_selected.tab 22)",
				cols);
}

int idmap_input_read(const char *path, idmap_input_info *info, idmap_triple_fn fn, void *ctx,
		     char *err, size_t errlen)
{
	return idmap_input_read_any(path, info, fn, NULL, ctx, err, errlen);
}

/* 1 when the text starts (after white space) with markup other than an HTML page: XML, which
 * goes to the UniParc scanner (it checks the root is <uniparc>). */
static int is_xml(const char *s, size_t len)
{
	size_t i = starts_with(s, len, UTF8_BOM, 3) ? 3 : 0; /* XML allows one */
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	if (i == len || s[i] != '<')
		return 0;
	return !looks_html(s + i, len - i < 512 ? len - i : 512);
}

/* UniParc XML: the text in the reader's blocks, whatever its line breaks. */
static int read_xml(idmap_gz_reader *r, idmap_parser *p, idmap_input_info *info, char *msg,
		    size_t msglen)
{
	const char *block;
	size_t len;
	uint64_t pos = 0;
	int got;
	info->kind = IDMAP_KIND_UNIPARC;
	p->by_byte = 1;
	while ((got = idmap_gz_read(r, &block, &len, msg, msglen)) == IDMAP_GZ_LINE) {
		size_t bom = pos == 0 && starts_with(block, len, UTF8_BOM, 3) ? 3 : 0;
		if (idmap_parse_uniparc_feed(p, block + bom, len - bom, pos + bom) < 0)
			return -1;
		pos += len;
		info->bytes = idmap_gz_bytes_in(r); /* live counters for progress reports */
		info->text_bytes = pos;
	}
	if (got != IDMAP_GZ_EOF) {
		snprintf(p->err, p->errlen, "%s: %s", p->path, msg);
		return -1;
	}
	return idmap_parse_uniparc_end(p, pos);
}

int idmap_input_read_any(const char *path, idmap_input_info *info, idmap_triple_fn fn,
			 idmap_fasta_fn fasta_fn, void *ctx, char *err, size_t errlen)
{
	idmap_input_opts o = {.fn = fn, .fasta_fn = fasta_fn, .ctx = ctx};
	return idmap_input_read_opts(path, info, &o, err, errlen);
}

int idmap_input_read_opts(const char *path, idmap_input_info *info, const idmap_input_opts *o,
			  char *err, size_t errlen)
{
	char dummy[256];
	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	memset(info, 0, sizeof *info);
	char msg[256];
	idmap_gz_reader *r = idmap_gz_open(path, msg, sizeof msg);
	if (!r) {
		snprintf(err, errlen, "%s: %s", path, msg);
		return -1;
	}
	idmap_parser p = {0};
	p.path = path;
	p.info = info;
	p.fn = o->fn;
	p.ctx = o->ctx;
	p.fa_fn = o->fasta_fn;
	p.err = err;
	p.errlen = errlen;
	int rc;
	const char *line;
	size_t len;
	if (idmap_gz_peek(r, &line, &len, msg, sizeof msg) == IDMAP_GZ_LINE && is_xml(line, len)) {
		rc = read_xml(r, &p, info, msg, sizeof msg);
		info->bytes = idmap_gz_bytes_in(r);
		info->text_bytes = idmap_gz_bytes_out(r);
	} else {
		rc = idmap_input_read_lines(r, &p, IDMAP_KIND_UNKNOWN, o);
	}
	idmap_parser_free(&p);
	idmap_gz_close(r);
	return rc < 0 ? -1 : 0;
}

int idmap_input_read_lines(idmap_gz_reader *r, idmap_parser *p, idmap_input_kind known,
			   const idmap_input_opts *o)
{
	idmap_input_info *info = p->info;
	char msg[256];
	idmap_input_kind hint = idmap_input_name_hint(p->path);
	int kind = known;
	int history = 0, rc = 0, par = o->threads > 1;
	const char *line;
	size_t len;
	int got = IDMAP_GZ_LINE;
	if (par && (kind == IDMAP_KIND_DAT || kind == IDMAP_KIND_SELECTED)) {
		par = 0;
		if ((rc = idmap_input_par(r, p, (idmap_input_kind)kind, o)) != 1)
			got = IDMAP_GZ_EOF;
		else
			rc = 0;
	}
	while (got == IDMAP_GZ_LINE &&
	       (got = idmap_gz_getline(r, &line, &len, msg, sizeof msg)) == IDMAP_GZ_LINE) {
		p->line_no = idmap_gz_line_number(r);
		if ((p->line_no & 0xffff) == 0) { /* live counters for progress reports */
			info->bytes = idmap_gz_bytes_in(r);
			info->text_bytes = idmap_gz_bytes_out(r);
		}
		if (p->line_no == 1 && starts_with(line, len, UTF8_BOM, 3)) {
			rc = idmap_parse_fail(p, "UTF-8 byte order mark at the start of the file "
					      "(save it without BOM)");
			break;
		}
		if ((rc = idmap_parse_check_cr(p, line, len)) < 0)
			break;
		if (kind == IDMAP_KIND_UNKNOWN && !history) {
			if (is_blank(line, len))
				continue;
			kind = idmap_input_detect(p, line, len, hint);
			if (kind < 0) {
				rc = -1;
				break;
			}
			if (kind == IDMAP_KIND_SEC_AC) {
				/* The header (or the data shape) says which history file it is. */
				history = 1;
				kind = IDMAP_KIND_UNKNOWN;
				idmap_parse_history_begin(p, hint == IDMAP_KIND_SEC_AC ||
								     hint == IDMAP_KIND_DELAC
								 ? hint
								 : IDMAP_KIND_UNKNOWN);
			} else {
				info->kind = (idmap_input_kind)kind;
			}
		}
		if (history)
			rc = idmap_parse_history_line(p, line, len);
		else if (len == 0)
			continue; /* blank lines carry no data */
		else if (kind == IDMAP_KIND_DAT)
			rc = idmap_parse_dat_line(p, line, len);
		else if (kind == IDMAP_KIND_FASTA)
			rc = idmap_parse_fasta_line(p, line, len);
		else if (kind == IDMAP_KIND_RELDATE)
			rc = idmap_parse_reldate_line(p, line, len);
		else
			rc = idmap_parse_selected_line(p, line, len);
		if (rc < 0)
			break;
		/* The first data line told the kind: the rest may go to more threads. */
		if (par && !history && (kind == IDMAP_KIND_DAT || kind == IDMAP_KIND_SELECTED)) {
			par = 0; /* tried once: on 1 its threads did not start */
			if ((rc = idmap_input_par(r, p, (idmap_input_kind)kind, o)) != 1) {
				got = IDMAP_GZ_EOF;
				break;
			}
			rc = 0;
		}
	}
	if (rc == 0 && got == IDMAP_GZ_TOO_LONG) {
		p->line_no = idmap_gz_line_number(r) + 1;
		rc = idmap_parse_fail(p, "%s", msg);
	} else if (rc == 0 && got == IDMAP_GZ_ERROR) {
		snprintf(p->err, p->errlen, "%s: %s", p->path, msg);
		rc = -1;
	} else if (rc == 0 && kind == IDMAP_KIND_UNKNOWN && !history) {
		snprintf(p->err, p->errlen, "%s: empty input", p->path);
		rc = -1;
	} else if (rc == 0 && history) {
		rc = idmap_parse_history_end(p);
	} else if (rc == 0 && kind == IDMAP_KIND_RELDATE) {
		rc = idmap_parse_reldate_end(p);
	} else if (rc == 0 && kind == IDMAP_KIND_FASTA) {
		rc = idmap_parse_fasta_end(p);
	}
	info->bytes = idmap_gz_bytes_in(r);
	info->text_bytes = idmap_gz_bytes_out(r);
	return rc < 0 ? -1 : 0;
}
