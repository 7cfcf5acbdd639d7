/* UniParc XML (uniparc_*.xml[.gz]) into triples on UPIs (FORMAT.md, "Data model").
 *
 * A streaming scanner of the XML UniProt writes, not a general XML parser: the text comes in
 * chunks cut anywhere (input.c feeds lines and their newlines); markup is found with memchr
 * and only the elements that carry cross-references are decoded. It checks what it relies
 * on (tags nest and close, attribute syntax, entities, the document is complete) and skips
 * what it does not need (sequences, signature matches, comments, processing instructions).
 * Errors are "FILE:byte N: reason", N the offset in the decompressed text of the markup at
 * fault. */
#include <stdlib.h>
#include <string.h>

#include "accession.h"
#include "idmap_vec.h"
#include "parse.h"
#include "versioned.h"

#define MAX_MARKUP ((size_t)1 << 20) /* longest tag, comment or CDATA section */
#define MAX_DEPTH 32
#define MAX_NAMES 1024 /* bytes of the names of the open elements */
#define MAX_ATTRS 64
#define MAX_TAXON_DIGITS 10

/* What an open element is to us, from its name and its parent's role. */
enum { R_OTHER, R_ROOT, R_ENTRY, R_ACC, R_DBREF, R_PROP };

/* Markup kinds, told apart by the bytes after '<'. */
enum { M_UNKNOWN, M_TAG, M_COMMENT, M_PI, M_CDATA, M_DECL };

/* UniParc databases (uniprot-core's UniParcDatabase display names) that idmap maps, and the
 * idmapping type of their ids. UniProtKB cross-references are left out: the idmapping files'
 * UniParc lines link accessions and UPIs already. Other databases (patents, retired ones)
 * have no idmapping type. */
#define DB(db, t)                                                                        \
	{ db, t, "#uniparc:" t, "#uniparc-inactive:" t, IDMAP_TYPE_UNVERSIONED_PREFIX "#uniparc:" t, \
	  IDMAP_TYPE_UNVERSIONED_PREFIX "#uniparc-inactive:" t }
static const struct db_type {
	const char *db, *type, *active, *inactive, *alias_active, *alias_inactive;
} db_types[] = {
	DB("RefSeq", "RefSeq"),
	DB("EMBL", "EMBL-CDS"),
	DB("EMBL_CON", "EMBL-CDS"),
	DB("EMBL_TPA", "EMBL-CDS"),
	DB("EMBL_TSA", "EMBL-CDS"),
	DB("EMBLWGS", "EMBL-CDS"),
	DB("Ensembl", "Ensembl_PRO"),
	DB("EnsemblRapid", "Ensembl_PRO"),
	DB("EnsemblBacteria", "EnsemblGenome_PRO"),
	DB("EnsemblFungi", "EnsemblGenome_PRO"),
	DB("EnsemblMetazoa", "EnsemblGenome_PRO"),
	DB("EnsemblPlants", "EnsemblGenome_PRO"),
	DB("EnsemblProtists", "EnsemblGenome_PRO"),
	DB("PDB", "PDB"),
	DB("FlyBase", "FlyBase"),
	DB("WormBase", "WormBase"),
	DB("WBParaSite", "WBParaSite"),
	DB("TAIR", "TAIR"),
	DB("SGD", "SGD"),
	DB("PATRIC", "PATRIC"),
	DB("VectorBase", "VectorBase"),
	DB("PIR", "PIR"),
};
#undef DB

#define TYPE_GI "#uniparc:GI"
#define TYPE_GI_INACTIVE "#uniparc-inactive:GI"
#define TYPE_TAXON "#uniparc-taxon"

typedef struct {
	const char *name, *value;
	size_t name_len, value_len;
} attr;

struct idmap_uparc {
	uint64_t pos;	  /* offset of the chunk being fed */
	int in_markup;	  /* between '<' and its end */
	int mkind;	  /* M_* of the current markup */
	char quote;	  /* M_TAG/M_DECL: the quote we are inside, or 0 */
	unsigned run;	  /* comment/PI/CDATA: bytes of the terminator matched so far */
	uint64_t mstart;  /* offset of the markup's '<' */
	char *mbuf;	  /* the markup after '<', when it spans chunks */
	size_t mlen, mcap;
	char *dec;	  /* decoded attribute values of one tag */
	size_t dec_cap;

	int depth, root_done, root_seen;
	uint8_t role[MAX_DEPTH + 1];
	uint16_t name_end[MAX_DEPTH + 1]; /* names[name_end[d-1], name_end[d]) = element d */
	uint64_t open_at[MAX_DEPTH + 1];
	char names[MAX_NAMES];

	/* the current entry */
	uint64_t upi;
	char acc[64];	 /* the text of <accession>, leading spaces skipped */
	size_t acc_len;	 /* may exceed the buffer: then not a UPI */
	int dbref_active;
	uint64_t *taxa;
	size_t ntaxa, taxa_cap;
};

/* p with its error offset set to b: idmap_parse_fail(at(p, b), ...). */
static idmap_parser *at(idmap_parser *p, uint64_t b)
{
	p->byte_no = b;
	return p;
}

/* ---- attribute values ---- */

/* Appends the UTF-8 form of code point c; 0, or -1 when c is not an XML character. */
static int put_utf8(char **o, unsigned long c)
{
	unsigned char *u = (unsigned char *)*o;
	if (c < 0x20 ? (c != 0x9 && c != 0xA && c != 0xD)
		     : (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF))
		return -1;
	if (c < 0x80) {
		*u++ = (unsigned char)c;
	} else if (c < 0x800) {
		*u++ = (unsigned char)(0xC0 | c >> 6);
		*u++ = (unsigned char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		*u++ = (unsigned char)(0xE0 | c >> 12);
		*u++ = (unsigned char)(0x80 | (c >> 6 & 0x3F));
		*u++ = (unsigned char)(0x80 | (c & 0x3F));
	} else {
		*u++ = (unsigned char)(0xF0 | c >> 18);
		*u++ = (unsigned char)(0x80 | (c >> 12 & 0x3F));
		*u++ = (unsigned char)(0x80 | (c >> 6 & 0x3F));
		*u++ = (unsigned char)(0x80 | (c & 0x3F));
	}
	*o = (char *)u;
	return 0;
}

/* One reference "&...;" at s (s[0] == '&') before end: its text into *o, the bytes it took
 * into *used. Returns 0 or -1 (not a predefined entity or a valid character reference). */
static int reference(const char *s, const char *end, char **o, size_t *used)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
	const char *semi = memchr(s, ';', (size_t)(end - s));
	if (!semi || semi - s > 12)
		return -1;
	size_t n = (size_t)(semi - s); /* bytes after '&' up to and with ';' */
	*used = n + 1;
	if (s[1] != '#') {
		for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++)
			if (strlen(ents[i].name) == n && memcmp(s + 1, ents[i].name, n) == 0) {
				*(*o)++ = ents[i].c;
				return 0;
			}
		return -1;
	}
	int hex = s[2] == 'x';
	const char *d = s + 2 + hex;
	if (d == semi)
		return -1;
	unsigned long c = 0;
	for (; d < semi; d++) {
		unsigned v = (unsigned)(*d - '0');
		if (hex && v > 9) {
			unsigned char l = (unsigned char)(*d | 0x20);
			v = l >= 'a' && l <= 'f' ? (unsigned)(l - 'a' + 10) : 99;
		}
		if (v >= (hex ? 16u : 10u) || c > 0x10FFFF)
			return -1;
		c = c * (hex ? 16 : 10) + v;
	}
	return put_utf8(o, c);
}

/* Decodes the attribute value v[0, len) into *o (never longer than len): references replaced,
 * TAB/CR/LF as spaces (XML's attribute value normalisation). Returns 0, or -1 with *why. */
static int decode_value(const char *v, size_t len, char **o, const char **why)
{
	const char *end = v + len;
	while (v < end) {
		unsigned char c = (unsigned char)*v;
		if (c == '&') {
			size_t used;
			if (reference(v, end, o, &used) < 0) {
				*why = "an unknown entity or invalid character reference";
				return -1;
			}
			v += used;
			continue;
		}
		if (c == '<') {
			*why = "'<'";
			return -1;
		}
		*(*o)++ = c == '\t' || c == '\n' || c == '\r' ? ' ' : (char)c;
		v++;
	}
	return 0;
}

/* ---- tags ---- */

static int is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

static const char *skip_space(const char *s, const char *end)
{
	while (s < end && is_space(*s))
		s++;
	return s;
}

/* The end of a name at s: the first space, '/', '=' or '>' . */
static const char *name_end(const char *s, const char *end)
{
	while (s < end && !is_space(*s) && *s != '/' && *s != '=')
		s++;
	return s;
}

/* The local part of a name (after a namespace prefix). */
static const char *local(const char *s, size_t *len)
{
	const char *c = memchr(s, ':', *len);
	if (c) {
		*len -= (size_t)(c + 1 - s);
		return c + 1;
	}
	return s;
}

static int named(const char *s, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(s, want, len) == 0;
}

static const attr *find_attr(const attr *a, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (named(a[i].name, a[i].name_len, name))
			return &a[i];
	return NULL;
}

/* Parses the attributes in [s, end) into a[], values decoded into up->dec; *empty is set for
 * a self-closing tag. Returns the number of attributes or -1 (error set). */
static int parse_attrs(idmap_parser *p, const char *s, const char *end, attr *a, int *empty)
{
	struct idmap_uparc *up = p->uparc;
	char *o = up->dec;
	int n = 0;
	*empty = 0;
	for (;;) {
		const char *t = skip_space(s, end);
		if (t == end)
			return n;
		if (*t == '/') {
			if (skip_space(t + 1, end) != end)
				break;
			*empty = 1;
			return n;
		}
		if (t == s || n == MAX_ATTRS)
			break; /* attributes need a space before them */
		const char *ne = name_end(t, end);
		const char *eq = skip_space(ne, end);
		if (ne == t || eq == end || *eq != '=')
			break;
		const char *q = skip_space(eq + 1, end);
		if (q == end || (*q != '"' && *q != '\''))
			break;
		const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));
		if (!close)
			break;
		for (int i = 0; i < n; i++) {
			if (a[i].name_len != (size_t)(ne - t) || memcmp(a[i].name, t, a[i].name_len))
				continue;
			char nq[48];
			return idmap_parse_fail(p, "attribute %s repeated",
						idmap_parse_quote(nq, sizeof nq, t, (size_t)(ne - t)));
		}
		const char *why;
		a[n].name = t;
		a[n].name_len = (size_t)(ne - t);
		a[n].value = o;
		if (decode_value(q + 1, (size_t)(close - q - 1), &o, &why) < 0)
			return idmap_parse_fail(p, "attribute value with %s", why);
		a[n].value_len = (size_t)(o - a[n].value);
		n++;
		s = close + 1;
	}
	return idmap_parse_fail(p, "malformed attributes in a start tag");
}

static int emit(idmap_parser *p, const char *type, const char *v, size_t len)
{
	if (idmap_parse_check_value(p, v, len, type) < 0)
		return -1;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20)
			return idmap_parse_fail(p, "control character in the value of %s", type);
	return idmap_parse_emit(p, p->uparc->upi, type, strlen(type), v, len);
}

static const struct db_type *db_type(const char *db, size_t len)
{
	for (size_t i = 0; i < sizeof db_types / sizeof db_types[0]; i++)
		if (named(db, len, db_types[i].db))
			return &db_types[i];
	return NULL;
}

/* <dbReference type= id= version= active=>: the triple of the model and, for a versioned
 * type, the unversioned alias. */
static int dbref(idmap_parser *p, const attr *a, int n)
{
	struct idmap_uparc *up = p->uparc;
	if (!up->upi)
		return idmap_parse_fail(p, "<dbReference> before the entry's <accession>");
	const attr *type = find_attr(a, n, "type"), *id = find_attr(a, n, "id");
	const attr *ver = find_attr(a, n, "version"), *act = find_attr(a, n, "active");
	if (!type || !id || !act)
		return idmap_parse_fail(p, "<dbReference> without %s attribute",
					!type ? "a type" : !id ? "an id" : "an active");
	if (named(act->value, act->value_len, "Y"))
		up->dbref_active = 1;
	else if (named(act->value, act->value_len, "N"))
		up->dbref_active = 0;
	else
		return idmap_parse_fail(p, "<dbReference> with active= neither Y nor N");
	const struct db_type *d = db_type(type->value, type->value_len);
	if (!d)
		return 0;
	const char *t = up->dbref_active ? d->active : d->inactive;
	size_t len = id->value_len;
	char v[IDMAP_MAX_VALUE + 16];
	if (len > IDMAP_MAX_VALUE)
		return emit(p, t, id->value, len); /* refused there */
	memcpy(v, id->value, len);
	if (d->type[0] == 'P' && strcmp(d->type, "PDB") == 0 && len > 5 && v[4] == '_') {
		/* UniParc names a chain ("4q8n_A"); idmapping's PDB ids are the entries */
		len = 4;
		for (size_t i = 0; i < 4; i++)
			if (v[i] >= 'a' && v[i] <= 'z')
				v[i] = (char)(v[i] - 32);
	}
	int versioned = idmap_type_versioned(d->type, strlen(d->type));
	size_t stem = len;
	if (versioned && ver && ver->value_len > 0 && ver->value_len <= 4) {
		v[len] = '.';
		memcpy(v + len + 1, ver->value, ver->value_len);
		len += 1 + ver->value_len;
	}
	if (emit(p, t, v, len) < 0)
		return -1;
	if (versioned && len > stem && idmap_version_stem(v, len) == stem)
		return emit(p, up->dbref_active ? d->alias_active : d->alias_inactive, v, stem);
	return 0;
}

/* <property type= value=> of a cross-reference: its GI, its taxon. */
static int property(idmap_parser *p, const attr *a, int n)
{
	struct idmap_uparc *up = p->uparc;
	const attr *type = find_attr(a, n, "type"), *val = find_attr(a, n, "value");
	if (!type || !val)
		return 0;
	if (named(type->value, type->value_len, "NCBI_GI"))
		return emit(p, up->dbref_active ? TYPE_GI : TYPE_GI_INACTIVE, val->value,
			    val->value_len);
	if (!up->dbref_active || !named(type->value, type->value_len, "NCBI_taxonomy_id"))
		return 0;
	uint64_t tax = 0;
	size_t i = 0;
	for (; i < val->value_len && i <= MAX_TAXON_DIGITS; i++) {
		unsigned d = (unsigned)(val->value[i] - '0');
		if (d > 9)
			break;
		tax = tax * 10 + d;
	}
	if (i == 0 || i != val->value_len || i > MAX_TAXON_DIGITS)
		return idmap_parse_fail(p, "NCBI_taxonomy_id is not a number of at most 10 digits");
	if (up->ntaxa && up->taxa[up->ntaxa - 1] == tax)
		return 0; /* the common repeat; the others go at the entry's end */
	if (idmap_vec_reserve(&up->taxa, &up->taxa_cap, up->ntaxa + 1, sizeof *up->taxa) < 0)
		return idmap_parse_fail(p, "out of memory");
	up->taxa[up->ntaxa++] = tax;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The entry's taxa, once each in increasing order: sorted rather than looked up as they come,
 * as an entry may have tens of thousands of cross-references. */
static int end_entry(idmap_parser *p)
{
	struct idmap_uparc *up = p->uparc;
	if (!up->upi)
		return idmap_parse_fail(at(p, up->open_at[up->depth]), "<entry> without <accession>");
	if (up->ntaxa > 1)
		qsort(up->taxa, up->ntaxa, sizeof *up->taxa, cmp_u64);
	for (size_t k = 0; k < up->ntaxa; k++) {
		if (k && up->taxa[k] == up->taxa[k - 1])
			continue;
		char d[24];
		int n = snprintf(d, sizeof d, "%llu", (unsigned long long)up->taxa[k]);
		if (emit(p, TYPE_TAXON, d, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

static int end_accession(idmap_parser *p)
{
	struct idmap_uparc *up = p->uparc;
	size_t n = up->acc_len;
	while (n > 0 && n <= sizeof up->acc && is_space(up->acc[n - 1]))
		n--;
	uint64_t code = n == IDMAP_UPI_TEXT_LEN ? idmap_upi_encode(up->acc, n) : 0;
	if (!code) {
		char q[48];
		return idmap_parse_fail(at(p, up->open_at[up->depth]), "invalid UniParc accession %s",
			       idmap_parse_quote(q, sizeof q, up->acc,
						 up->acc_len < sizeof up->acc ? up->acc_len
									      : sizeof up->acc));
	}
	up->upi = code;
	return 0;
}

/* Closes the innermost element (after its end tag, or at once for <x/>). */
static int close_element(idmap_parser *p)
{
	struct idmap_uparc *up = p->uparc;
	int rc = 0;
	switch (up->role[up->depth]) {
	case R_ACC:
		rc = end_accession(p);
		break;
	case R_ENTRY:
		rc = end_entry(p);
		break;
	case R_ROOT:
		up->root_done = 1;
		break;
	}
	up->depth--;
	return rc;
}

static int start_tag(idmap_parser *p, const char *s, size_t len)
{
	struct idmap_uparc *up = p->uparc;
	const char *end = s + len, *ne = name_end(s, end);
	size_t nlen = (size_t)(ne - s);
	if (nlen == 0)
		return idmap_parse_fail(p, "malformed start tag");
	if (up->root_done)
		return idmap_parse_fail(p, "element after the end of the root element");
	if (up->depth == MAX_DEPTH || up->name_end[up->depth] + nlen > MAX_NAMES)
		return idmap_parse_fail(p, "elements nested too deep");
	size_t ll = nlen;
	const char *ln = local(s, &ll);
	int parent = up->depth ? up->role[up->depth] : -1, role = R_OTHER;
	if (parent < 0) {
		if (!named(ln, ll, "uniparc")) {
			char q[48];
			return idmap_parse_fail(p, "not a UniParc XML file (the root element is %s, "
						"not 'uniparc')",
						idmap_parse_quote(q, sizeof q, s, nlen));
		}
		role = R_ROOT;
		up->root_seen = 1;
	} else if (parent == R_ROOT && named(ln, ll, "entry")) {
		role = R_ENTRY;
		up->upi = 0;
		up->acc_len = 0;
		up->ntaxa = 0;
		p->info->lines++;
	} else if (parent == R_ENTRY && named(ln, ll, "accession")) {
		if (up->upi || up->acc_len)
			return idmap_parse_fail(p, "second <accession> in an <entry>");
		role = R_ACC;
	} else if (parent == R_ENTRY && named(ln, ll, "dbReference")) {
		role = R_DBREF;
	} else if (parent == R_DBREF && named(ln, ll, "property")) {
		role = R_PROP;
	}
	attr a[MAX_ATTRS];
	int empty, n = parse_attrs(p, ne, end, a, &empty);
	if (n < 0)
		return -1;
	up->depth++;
	up->role[up->depth] = (uint8_t)role;
	up->open_at[up->depth] = up->mstart;
	memcpy(up->names + up->name_end[up->depth - 1], s, nlen);
	up->name_end[up->depth] = (uint16_t)(up->name_end[up->depth - 1] + nlen);
	p->byte_no = up->mstart;
	if ((role == R_DBREF && dbref(p, a, n) < 0) || (role == R_PROP && property(p, a, n) < 0))
		return -1;
	return empty ? close_element(p) : 0;
}

static int end_tag(idmap_parser *p, const char *s, size_t len)
{
	struct idmap_uparc *up = p->uparc;
	const char *end = s + len, *ne = name_end(s, end);
	if (ne == s || skip_space(ne, end) != end)
		return idmap_parse_fail(p, "malformed end tag");
	char q[48], o[48];
	if (up->depth == 0)
		return idmap_parse_fail(p, "end tag %s without its start tag",
					idmap_parse_quote(q, sizeof q, s, (size_t)(ne - s)));
	const char *open = up->names + up->name_end[up->depth - 1];
	size_t olen = (size_t)(up->name_end[up->depth] - up->name_end[up->depth - 1]);
	if (olen != (size_t)(ne - s) || memcmp(open, s, olen) != 0)
		return idmap_parse_fail(p, "end tag %s does not close element %s (opened at byte %llu)",
					idmap_parse_quote(q, sizeof q, s, (size_t)(ne - s)),
					idmap_parse_quote(o, sizeof o, open, olen),
					(unsigned long long)up->open_at[up->depth]);
	return close_element(p);
}

/* Text between markup: kept inside <accession>; outside the root only spaces. */
static int text(idmap_parser *p, const char *s, size_t len, uint64_t pos)
{
	struct idmap_uparc *up = p->uparc;
	if (up->depth == 0) {
		for (size_t i = 0; i < len; i++)
			if (!is_space(s[i]))
				return idmap_parse_fail(at(p, pos + i), "text outside the root element");
		return 0;
	}
	if (up->role[up->depth] != R_ACC)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (is_space(s[i]) && up->acc_len == 0)
			continue; /* leading space */
		if (up->acc_len < sizeof up->acc)
			up->acc[up->acc_len] = s[i];
		up->acc_len++;
	}
	return 0;
}

/* A complete markup m[0, len) (after '<', before the final '>'). */
static int markup(idmap_parser *p, const char *m, size_t len)
{
	struct idmap_uparc *up = p->uparc;
	switch (up->mkind) {
	case M_COMMENT:
	case M_PI:
		return 0;
	case M_CDATA:
		if (up->depth == 0)
			return idmap_parse_fail(p, "CDATA section outside the root element");
		return text(p, m + 8, len - 10, up->mstart + 9); /* ![CDATA[ ... ]] */
	case M_DECL:
		if (up->root_seen)
			return idmap_parse_fail(p, "declaration inside the document");
		if (memchr(m, '[', len))
			return idmap_parse_fail(p, "DOCTYPE with an internal subset (entity "
				       "declarations are not supported)");
		return 0;
	}
	if (len > 0 && m[0] == '/')
		return end_tag(p, m + 1, len - 1);
	return start_tag(p, m, len);
}

/* ---- the stream ---- */

/* The kind of a markup from its first bytes b[0, n): M_UNKNOWN while more are needed, -1 for
 * "<!" followed by neither a comment, a CDATA section nor a declaration. *prefix is the
 * number of bytes that open it (scanning for its end starts after them). */
static int markup_kind(const char *b, size_t n, size_t *prefix)
{
	static const char cdata[] = "![CDATA[";
	*prefix = 1;
	if (n == 0)
		return M_UNKNOWN;
	if (b[0] == '?')
		return M_PI;
	if (b[0] != '!') {
		*prefix = 0;
		return M_TAG;
	}
	if (n < 2)
		return M_UNKNOWN;
	if (b[1] == '-') {
		*prefix = 3;
		return n < 3 ? M_UNKNOWN : b[2] == '-' ? M_COMMENT : -1;
	}
	if (b[1] != '[')
		return M_DECL;
	*prefix = 8;
	size_t k = n < 8 ? n : 8;
	if (memcmp(b, cdata, k) != 0)
		return -1;
	return n < 8 ? M_UNKNOWN : M_CDATA;
}

/* The '>' that ends the current markup in [s, end), or NULL (state kept for the next chunk). */
static const char *markup_end(struct idmap_uparc *up, const char *s, const char *end)
{
	if (up->mkind == M_TAG || up->mkind == M_DECL) {
		while (s < end) {
			if (up->quote) {
				const char *q = memchr(s, up->quote, (size_t)(end - s));
				if (!q)
					return NULL;
				up->quote = 0;
				s = q + 1;
				continue;
			}
			for (; s < end; s++) {
				char c = *s;
				if (c == '>')
					return s;
				if (c == '"' || c == '\'') {
					up->quote = c;
					s++;
					break;
				}
			}
		}
		return NULL;
	}
	/* "-->", "?>", "]]>": run counts the bytes before '>' matched so far */
	char last = up->mkind == M_COMMENT ? '-' : up->mkind == M_PI ? '?' : ']';
	unsigned need = up->mkind == M_PI ? 1 : 2;
	for (; s < end; s++) {
		if (*s == '>' && up->run >= need)
			return s;
		up->run = *s == last ? (up->run < need ? up->run + 1 : need) : 0;
	}
	return NULL;
}

static int keep(idmap_parser *p, const char *s, size_t n)
{
	struct idmap_uparc *up = p->uparc;
	if (up->mlen + n > MAX_MARKUP)
		return idmap_parse_fail(at(p, up->mstart), "markup longer than %zu bytes",
					MAX_MARKUP);
	if (idmap_vec_reserve(&up->mbuf, &up->mcap, up->mlen + n, 1) < 0)
		return idmap_parse_fail(p, "out of memory");
	memcpy(up->mbuf + up->mlen, s, n);
	up->mlen += n;
	return 0;
}

/* Room for the decoded values of a tag of n bytes (never longer than the tag). */
static int dec_room(idmap_parser *p, size_t n)
{
	struct idmap_uparc *up = p->uparc;
	if (n <= up->dec_cap)
		return 0;
	return idmap_vec_reserve(&up->dec, &up->dec_cap, n, 1) < 0
		       ? idmap_parse_fail(p, "out of memory")
		       : 0;
}

/* Markup from s (after '<' or a chunk start) in [s, end): returns where the text goes on,
 * end when the markup goes on in the next chunk, or NULL (error set). */
static const char *in_markup(idmap_parser *p, const char *s, const char *end)
{
	struct idmap_uparc *up = p->uparc;
	const char *m0 = s, *scan = s;
	if (up->mkind == M_UNKNOWN) {
		char b[8];
		size_t n = up->mlen, prefix;
		if (n)
			memcpy(b, up->mbuf, n);
		size_t more = (size_t)(end - s) < sizeof b - n ? (size_t)(end - s) : sizeof b - n;
		memcpy(b + n, s, more);
		int k = markup_kind(b, n + more, &prefix);
		if (k < 0)
			return idmap_parse_fail(at(p, up->mstart), "malformed markup '<!'"), NULL;
		if (k == M_UNKNOWN)
			return keep(p, s, (size_t)(end - s)) < 0 ? NULL : end;
		up->mkind = k;
		scan = s + (prefix - n);
	}
	const char *gt = markup_end(up, scan, end);
	if (!gt)
		return keep(p, m0, (size_t)(end - m0)) < 0 ? NULL : end;
	const char *m = m0;
	size_t len = (size_t)(gt - m0);
	if (up->mlen) {
		if (keep(p, m0, len) < 0)
			return NULL;
		m = up->mbuf;
		len = up->mlen;
	}
	p->byte_no = up->mstart;
	if (dec_room(p, len) < 0 || markup(p, m, len) < 0)
		return NULL;
	up->mlen = 0;
	up->mkind = M_UNKNOWN;
	up->run = 0;
	up->in_markup = 0;
	return gt + 1;
}

int idmap_parse_uniparc_feed(idmap_parser *p, const char *chunk, size_t len, uint64_t at)
{
	struct idmap_uparc *up = p->uparc;
	if (!up) {
		up = p->uparc = calloc(1, sizeof *up);
		if (!up)
			return idmap_parse_fail(p, "out of memory");
	}
	const char *s = chunk, *end = chunk + len;
	up->pos = at;
	while (s < end) {
		if (up->in_markup) {
			s = in_markup(p, s, end);
			if (!s)
				return -1;
			continue;
		}
		const char *lt = memchr(s, '<', (size_t)(end - s));
		const char *te = lt ? lt : end;
		if (te > s && text(p, s, (size_t)(te - s), up->pos + (uint64_t)(s - chunk)) < 0)
			return -1;
		if (!lt)
			break;
		up->in_markup = 1;
		up->mstart = up->pos + (uint64_t)(lt - chunk);
		s = lt + 1;
	}
	return 0;
}

int idmap_parse_uniparc_end(idmap_parser *p, uint64_t text_bytes)
{
	struct idmap_uparc *up = p->uparc;
	p->byte_no = text_bytes;
	if (!up || !up->root_seen)
		return idmap_parse_fail(p, "no <uniparc> root element: not a UniParc XML file");
	if (up->in_markup)
		return idmap_parse_fail(p, "unexpected end of the file inside the markup at byte %llu "
					"(truncated file?)", (unsigned long long)up->mstart);
	if (up->depth > 0) {
		char q[48];
		const char *open = up->names + up->name_end[up->depth - 1];
		size_t olen = (size_t)(up->name_end[up->depth] - up->name_end[up->depth - 1]);
		return idmap_parse_fail(p, "unexpected end of the file: element %s opened at byte "
					"%llu is not closed (truncated file?)",
					idmap_parse_quote(q, sizeof q, open, olen),
					(unsigned long long)up->open_at[up->depth]);
	}
	return 0;
}

void idmap_parse_uniparc_free(idmap_parser *p)
{
	if (!p->uparc)
		return;
	free(p->uparc->mbuf);
	free(p->uparc->dec);
	free(p->uparc->taxa);
	free(p->uparc);
	p->uparc = NULL;
}
