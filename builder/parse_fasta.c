/* UniProt FASTA: header fields and records, line by line as input.c feeds them. */
#include <stdlib.h>
#include <string.h>

#include "accession.h"
#include "entry_format.h"
#include "fasta.h"
#include "parse.h"

static int has_prefix(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);
	return len >= n && memcmp(s, p, n) == 0;
}

int idmap_fasta_sniff(const char *s, size_t len)
{
	return has_prefix(s, len, ">sp|") || has_prefix(s, len, ">tr|") ||
	       has_prefix(s, len, ">UniRef") || has_prefix(s, len, ">UPI");
}

/* First occurrence of tag in [from, end), or NULL. */
static const char *find(const char *from, const char *end, const char *tag)
{
	size_t n = strlen(tag);
	for (const char *s = from; s + n <= end; s++)
		if (*s == tag[0] && memcmp(s, tag, n) == 0)
			return s;
	return NULL;
}

/* Decimal digits at [s, end) up to a space; 0 and *v on success, -1 otherwise. */
static int number(const char *s, const char *end, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	const char *b = s;
	for (; s < end && *s != ' '; s++) {
		uint64_t d = (uint64_t)(*s - '0');
		if (*s < '0' || *s > '9' || d > max || x > max / 10 || x * 10 > max - d)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return s > b ? 0 : -1;
}

static void span(uint16_t out[2], const char *h, const char *a, const char *b)
{
	out[0] = (uint16_t)(a - h);
	out[1] = (uint16_t)(b - a);
}

/* The end of a tag's value: the earliest of the later tags, else end. */
static const char *value_end(const char *v, const char *end, const char *const *later)
{
	const char *e = end;
	for (; *later; later++) {
		const char *t = find(v, e, *later);
		if (t)
			e = t;
	}
	return e;
}

/* "NAME OS=... OX=... GN=... PE=. SV=." after the entry name. */
static int uniprot_desc(const char *h, const char *d, const char *end, idmap_fasta_record *r,
			const char **why)
{
	static const char *const after_os[] = {" OX=", " GN=", " PE=", " SV=", NULL};
	static const char *const after_gn[] = {" PE=", " SV=", NULL};
	const char *os = find(d, end, " OS=");
	const char *name_end = os ? os : end;
	uint64_t v;
	if (name_end - d >= 11 && memcmp(name_end - 11, " (Fragment)", 11) == 0) {
		r->flags |= IDMAP_EF_FRAGMENT;
		name_end -= 11;
	} else if (name_end - d >= 12 && memcmp(name_end - 12, " (Fragments)", 12) == 0) {
		r->flags |= IDMAP_EF_FRAGMENT;
		name_end -= 12;
	}
	span(r->name, h, d, name_end);
	if (!os)
		return 0;
	const char *p = os + 4;
	const char *e = value_end(p, end, after_os);
	span(r->organism, h, p, e);
	if (e + 4 <= end && memcmp(e, " OX=", 4) == 0) {
		if (number(e + 4, end, UINT32_MAX, &v) < 0)
			return *why = "OX= is not a taxon number", -1;
		r->taxid = (uint32_t)v;
	}
	const char *gn = find(e, end, " GN=");
	if (gn) {
		p = gn + 4;
		span(r->gene, h, p, value_end(p, end, after_gn));
	}
	const char *pe = find(e, end, " PE=");
	if (pe) {
		if (number(pe + 4, end, 5, &v) < 0 || v < 1)
			return *why = "PE= is not a protein existence level 1-5", -1;
		r->pe = (uint8_t)v;
	}
	const char *sv = find(e, end, " SV=");
	if (sv) {
		if (number(sv + 4, end, UINT16_MAX, &v) < 0)
			return *why = "SV= is not a sequence version", -1;
		r->sv = (uint16_t)v;
	}
	return 0;
}

/* "NAME n=N Tax=T TaxID=I RepID=R" after a UniRef id. */
static int uniref_desc(const char *h, const char *d, const char *end, idmap_fasta_record *r,
		       const char **why)
{
	static const char *const after_tax[] = {" TaxID=", " RepID=", NULL};
	const char *n = find(d, end, " n=");
	uint64_t v;
	span(r->name, h, d, n ? n : end);
	if (!n)
		return 0;
	if (number(n + 3, end, UINT32_MAX, &v) < 0)
		return *why = "n= is not a member count", -1;
	r->members = (uint32_t)v;
	const char *tax = find(n, end, " Tax=");
	if (tax)
		span(r->organism, h, tax + 5, value_end(tax + 5, end, after_tax));
	const char *tid = find(n, end, " TaxID=");
	if (tid) {
		if (number(tid + 7, end, UINT32_MAX, &v) < 0)
			return *why = "TaxID= is not a taxon number", -1;
		r->taxid = (uint32_t)v;
	}
	const char *rep = find(n, end, " RepID=");
	if (rep) {
		const char *e = memchr(rep + 7, ' ', (size_t)(end - rep - 7));
		span(r->gene, h, rep + 7, e ? e : end);
	}
	return 0;
}

int idmap_fasta_header(const char *h, size_t len, idmap_fasta_record *r, const char **why)
{
	const char *end = h + len;
	memset(r->name, 0, sizeof r->name + sizeof r->organism + sizeof r->gene);
	r->flags = r->pe = 0;
	r->sv = 0;
	r->taxid = r->members = 0;
	if (len > IDMAP_ENTRY_MAX_HEADER)
		return *why = "header longer than 65535 bytes", -1;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)h[i] < 0x20 || h[i] == 0x7f)
			return *why = "control character in the header", -1;
	int sp = has_prefix(h, len, "sp|"), tr = has_prefix(h, len, "tr|");
	if (sp || tr) {
		const char *acc = h + 3;
		const char *bar = memchr(acc, '|', (size_t)(end - acc));
		if (!bar || bar - acc >= IDMAP_ACC_TEXT_MAX ||
		    !(r->code = idmap_acc_encode(acc, (size_t)(bar - acc))))
			return *why = "no UniProtKB accession after sp| or tr|", -1;
		const char *name = bar + 1;
		const char *sp_at = memchr(name, ' ', (size_t)(end - name));
		if ((sp_at ? sp_at : end) == name)
			return *why = "no entry name after the accession", -1;
		r->space = IDMAP_ES_UNIPROTKB;
		r->kind = idmap_acc_isoform(r->code) ? IDMAP_EK_ISOFORM
			  : sp			      ? IDMAP_EK_SWISSPROT
						      : IDMAP_EK_TREMBL;
		if (sp)
			r->flags |= IDMAP_EF_REVIEWED;
		return sp_at ? uniprot_desc(h, sp_at + 1, end, r, why) : 0;
	}
	const char *sp_at = memchr(h, ' ', len);
	const char *id_end = sp_at ? sp_at : end;
	if (idmap_entry_key(h, (size_t)(id_end - h), &r->space, &r->code) < 0 ||
	    r->space == IDMAP_ES_UNIPROTKB)
		return *why = "the header does not start with sp|, tr|, a UniRef id or a UPI", -1;
	if (r->space == IDMAP_ES_UNIPARC) {
		r->kind = IDMAP_EK_UNIPARC;
		return 0;
	}
	r->kind = (uint8_t)(IDMAP_EK_UNIREF100 + (r->space - IDMAP_ES_UNIREF) / 2);
	return sp_at ? uniref_desc(h, sp_at + 1, end, r, why) : 0;
}

/* ---- records, line by line ---- */

static int grow(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 4096;
	while (c < need)
		c *= 2;
	char *n = realloc(*buf, c);
	if (!n)
		return -1;
	*buf = n;
	*cap = c;
	return 0;
}

/* Hands the record read so far to the consumer. */
static int emit(idmap_parser *p)
{
	idmap_fasta_record r;
	const char *why;
	uint64_t line = p->line_no;
	if (!p->fa_open)
		return 0;
	p->fa_open = 0;
	p->line_no = p->fa_line; /* errors name the record's header line */
	if (p->fa_seq_len == 0)
		return idmap_parse_fail(p, "record without sequence");
	if (idmap_fasta_header(p->fa_head, p->fa_head_len, &r, &why) < 0)
		return idmap_parse_fail(p, "%s", why);
	r.header = p->fa_head;
	r.header_len = p->fa_head_len;
	r.seq = p->fa_seq;
	r.seq_len = p->fa_seq_len;
	r.line = p->fa_line;
	p->err[0] = '\0';
	if (p->fa_fn(p->ctx, &r, p->err, p->errlen) != 0) {
		if (p->err[0] == '\0')
			idmap_parse_fail(p, "stopped by the consumer of the records");
		return -1;
	}
	p->info->triples++; /* records, for the input's counters */
	p->line_no = line;
	return 0;
}

int idmap_parse_fasta_line(idmap_parser *p, const char *line, size_t len)
{
	if (idmap_parse_check_nul(p, line, len) < 0)
		return -1;
	p->info->lines++;
	if (line[0] == '>') {
		if (emit(p) < 0)
			return -1;
		if (!idmap_fasta_sniff(line, len))
			return idmap_parse_fail(p, "FASTA header does not start with >sp|, >tr|, "
					      ">UniRef or >UPI");
		if (len - 1 > IDMAP_ENTRY_MAX_HEADER)
			return idmap_parse_fail(p, "header longer than 65535 bytes");
		if (grow(&p->fa_head, &p->fa_head_cap, len) < 0)
			return idmap_parse_fail(p, "out of memory");
		memcpy(p->fa_head, line + 1, len - 1);
		p->fa_head_len = len - 1;
		p->fa_seq_len = 0;
		p->fa_line = p->line_no;
		p->fa_open = 1;
		return 0;
	}
	if (!p->fa_open)
		return idmap_parse_fail(p, "sequence line before any FASTA header");
	for (size_t i = 0; i < len; i++)
		if (line[i] < 'A' || line[i] > 'Z')
			return idmap_parse_fail(p, "invalid residue at column %zu (A-Z expected)",
						i + 1);
	if (p->fa_seq_len + len > IDMAP_ENTRY_MAX_SEQ)
		return idmap_parse_fail(p, "sequence longer than %u residues", IDMAP_ENTRY_MAX_SEQ);
	if (grow(&p->fa_seq, &p->fa_seq_cap, p->fa_seq_len + len) < 0)
		return idmap_parse_fail(p, "out of memory");
	memcpy(p->fa_seq + p->fa_seq_len, line, len);
	p->fa_seq_len += len;
	return 0;
}

int idmap_parse_fasta_end(idmap_parser *p)
{
	return emit(p);
}
