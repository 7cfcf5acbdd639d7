/* --fields: UniProtKB entry columns built from the index (accession, entry name, reviewed,
 * genes, organism, cross-references), as UniProt labels them in TSV and shapes them in JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accession.h"
#include "fields_entry.h"
#include "idmap_vec.h"
#include "index_internal.h"
#include "semantics.h"

/* F_ENTRY: a column of the entry store, its IDMAP_FE_* kind in field.type */
enum {
	F_ACCESSION,
	F_ID,
	F_REVIEWED,
	F_GENE_PRIMARY,
	F_GENE_NAMES,
	F_ORGANISM_ID,
	F_XREF,
	F_ENTRY,
};
#define MAX_FIELDS 64

typedef struct {
	int kind;
	uint32_t type;
	char label[72];
} field;

struct idmap_fields {
	field f[MAX_FIELDS];
	size_t n;
	unsigned row; /* IDMAP_FIELDS_TO | IDMAP_FIELDS_OBSOLETE: columns of the row, not the entry */
	unsigned entry; /* bit (kind & 0xFF) per F_ENTRY column, IDMAP_FE_TEXT when one needs text */
	int whole;	/* idmap_fields_entry: the whole entry (entryType, secondaryAccessions) */
};

/* Row columns: `from` is always first; `to` and `obsolete` are opt-in, so that the plain
 * TSV never changes shape with the input (an Obsolete column only on request). */
static const struct {
	const char *name;
	unsigned bit;
} row_known[] = {{"from", 0}, {"to", IDMAP_FIELDS_TO}, {"obsolete", IDMAP_FIELDS_OBSOLETE}};

static const struct {
	const char *name, *label;
	int kind;
} known[] = {
	{"accession", "Entry", F_ACCESSION},
	{"id", "Entry Name", F_ID},
	{"reviewed", "Reviewed", F_REVIEWED},
	{"gene_primary", "Gene Names (primary)", F_GENE_PRIMARY},
	{"gene_names", "Gene Names", F_GENE_NAMES},
	{"organism_id", "Organism (ID)", F_ORGANISM_ID},
};

static uint32_t type_of(const idmap_index *ix, const char *name)
{
	uint32_t t;
	return idmap_type_find(ix, name, &t) == IDMAP_OK ? t : UINT32_MAX;
}

/* The hint of an unknown field: the fields there are, or what an entry column (`entry`, when
 * the index has no entry store) needs. */
static void bad_field_hint(const idmap_job *j, const char *entry, idmap_diag *d)
{
	if (entry)
		snprintf(d->hint, sizeof d->hint, "'%s' needs the entries: build the index with the "
			 "UniProtKB FASTA files (uniprot_sprot.fasta.gz, uniprot_trembl.fasta.gz)",
			 entry);
	else
		snprintf(d->hint, sizeof d->hint, "fields: from, to, obsolete, accession, id, "
			 "reviewed, gene_primary, gene_names, organism_id, xref_<database> (e.g. "
			 "xref_pdb)%s", idmap_fe_available(j->ix)
			 ? "; from the index's entries: protein_name, organism_name, length, mass, "
			   "sequence, sequence_version, protein_existence, fragment"
			 : "");
}

IDMAP_API int idmap_fields_parse(const idmap_job *j, const char *list, idmap_fields **out,
				 idmap_diag *d)
{
	if (d)
		memset(d, 0, sizeof *d);
	if (!j || !list || !out)
		return IDMAP_ERR_INVALID;
	*out = NULL;
	idmap_fields *f = calloc(1, sizeof *f);
	if (!f)
		return IDMAP_ERR_NOMEM;
	size_t pos = 0, off, n, len = strlen(list);
	while (idmap_next_id(list, len, &pos, &off, &n)) {
		char name[80];
		int ok = 0, row = 0, ek = 0;
		if (n < sizeof name && f->n < MAX_FIELDS) {
			memcpy(name, list + off, n);
			name[n] = 0;
			field *x = &f->f[f->n];
			for (size_t k = 0; k < sizeof row_known / sizeof row_known[0] && !ok; k++)
				if (!strcasecmp(name, row_known[k].name)) {
					f->row |= row_known[k].bit;
					ok = row = 1;
				}
			for (size_t k = 0; k < sizeof known / sizeof known[0] && !ok; k++)
				if (!strcasecmp(name, known[k].name)) {
					x->kind = known[k].kind;
					snprintf(x->label, sizeof x->label, "%s", known[k].label);
					ok = 1;
				}
			size_t ci;
			idmap_db_info e;
			if (!ok && !strncasecmp(name, "xref_", 5) &&
			    idmap_catalog_find(j->cat, name + 5, 1, &ci) == IDMAP_OK &&
			    idmap_catalog_get(j->cat, ci, &e) == IDMAP_OK && e.file_type) {
				x->kind = F_XREF;
				x->type = e.type_id;
				snprintf(x->label, sizeof x->label, "%s", e.file_type);
				ok = 1;
			}
			const char *lab;
			ek = ok ? 0 : idmap_fe_find(name, &lab);
			if (ek && idmap_fe_available(j->ix)) {
				x->kind = F_ENTRY;
				x->type = (uint32_t)ek;
				snprintf(x->label, sizeof x->label, "%s", lab);
				f->entry |= (1u << (ek & 0xFF)) | (ek & IDMAP_FE_TEXT);
				ok = 1;
			}
			f->n += ok && !row;
		}
		if (!ok) {
			if (d) {
				d->status = IDMAP_ERR_BAD_OPTION;
				snprintf(d->message, sizeof d->message, "Invalid fields parameter value "
					 "'%.*s'", (int)(n > 100 ? 100 : n), list + off);
				bad_field_hint(j, ek ? name : NULL, d);
			}
			free(f);
			return IDMAP_ERR_BAD_OPTION;
		}
	}
	if (f->n && j->to.kind != IDMAP_DB_KIND_UNIPROTKB &&
	    j->to.kind != IDMAP_DB_KIND_SWISSPROT && !j->via) {
		if (d) {
			d->status = IDMAP_ERR_BAD_OPTION;
			snprintf(d->message, sizeof d->message, "'fields' applies to the targets "
				 "UniProtKB and UniProtKB-Swiss-Prot, not to '%s'", j->to.name);
			snprintf(d->hint, sizeof d->hint, "use --to UniProtKB, or --via UniProtKB; "
				 "from, to and obsolete apply to any target");
		}
		free(f);
		return IDMAP_ERR_BAD_OPTION;
	}
	*out = f;
	return IDMAP_OK;
}

/* The idmapping ID types whose values are the ids of UniProt's cross-references to the
 * database of that name (uniprot-core drlineconfiguration.json names), in the order of that
 * file's categories. Not Ensembl: the release's "Ensembl" values are gene ids, the
 * cross-reference ids transcripts. */
static const char *const xref_dbs[] = {
	"EMBL",	   "PIR",     "RefSeq",	 "PDB",	     "BioGRID", "STRING", "ChEMBL", "DrugBank",
	"MEROPS",  "GeneID",  "KEGG",	 "PATRIC",   "HGNC",	"MGI",	  "MIM",    "eggNOG",
	"GeneTree", "OrthoDB", "BioCyc", "Reactome", "ChiTaRS", "GO",	  "InterPro",
};

IDMAP_API int idmap_fields_entry(const idmap_job *j, idmap_fields **out)
{
	if (!j || !out)
		return IDMAP_ERR_INVALID;
	const char *list = idmap_fe_available(j->ix)
				   ? "accession,id,reviewed,gene_names,organism_name,organism_id,"
				     "protein_name,length,mass,sequence,sequence_version,"
				     "protein_existence,fragment"
				   : "accession,id,reviewed,gene_names,organism_id";
	int rc = idmap_fields_parse(j, list, out, NULL);
	if (rc != IDMAP_OK)
		return rc;
	idmap_fields *f = *out;
	f->whole = 1;
	for (size_t i = 0; i < sizeof xref_dbs / sizeof *xref_dbs && f->n < MAX_FIELDS; i++) {
		uint32_t t = type_of(j->ix, xref_dbs[i]);
		if (t == UINT32_MAX)
			continue;
		field *x = &f->f[f->n++];
		x->kind = F_XREF;
		x->type = t;
		snprintf(x->label, sizeof x->label, "%s", xref_dbs[i]);
	}
	return IDMAP_OK;
}

IDMAP_API void idmap_fields_free(idmap_fields *f) { free(f); }

size_t idmap_fields_count(const idmap_fields *f) { return f ? f->n : 0; }

unsigned idmap_fields_row(const idmap_fields *f) { return f ? f->row : 0; }

unsigned idmap_fields_entry_kinds(const idmap_fields *f) { return f ? f->entry : 0; }

void idmap_fields_header(const idmap_fields *f, idmap_obuf *o)
{
	for (size_t i = 0; i < f->n; i++) {
		idmap_obuf_c(o, '\t');
		idmap_obuf_s(o, f->f[i].label);
	}
}

/* ---- Entry values ------------------------------------------------------------------------ */

void idmap_str_vec_free(str_vec *s)
{
	free(s->v);
	free(s->len);
	free(s->off);
	free(s->text);
}

/* Room for one more value of up to bytes bytes at s->text + s->text_len. */
static int sv_reserve(str_vec *s, size_t bytes)
{
	size_t cap_v = s->cap, cap_len = s->cap, cap_off = s->cap; /* one capacity: alike */
	if (idmap_vec_reserve(&s->v, &cap_v, s->n + 1, sizeof *s->v) < 0 ||
	    idmap_vec_reserve(&s->len, &cap_len, s->n + 1, sizeof *s->len) < 0 ||
	    idmap_vec_reserve(&s->off, &cap_off, s->n + 1, sizeof *s->off) < 0 ||
	    idmap_vec_reserve(&s->text, &s->text_cap, s->text_len + bytes, 1) < 0)
		return IDMAP_ERR_NOMEM;
	s->cap = cap_off;
	return IDMAP_OK;
}

/* Counts the n bytes just written at s->text + s->text_len as the next value; s->v is set
 * later, when the text has stopped moving. */
static void sv_commit(str_vec *s, size_t n)
{
	s->off[s->n] = s->text_len;
	s->len[s->n++] = n;
	s->text_len += n;
}

/* Appends the value of key (a key of type) decoded into s->text. */
static int sv_push(const idmap_job *j, str_vec *s, uint64_t type, uint64_t key)
{
	size_t n;
	if (sv_reserve(s, IDMAP_VALUE_SIZE) != IDMAP_OK)
		return IDMAP_ERR_NOMEM;
	if (idmap_key_text(j->ix, key, type, s->text + s->text_len, &n) != IDMAP_OK)
		return IDMAP_ERR_CORRUPT;
	sv_commit(s, n);
	return IDMAP_OK;
}

/* Appends a copy of the text p[0, n), after the values were sorted: s->v is set again. */
static int sv_push_text(str_vec *s, const char *p, size_t n)
{
	if (sv_reserve(s, n) != IDMAP_OK)
		return IDMAP_ERR_NOMEM;
	memcpy(s->text + s->text_len, p, n);
	sv_commit(s, n);
	for (size_t a = 0; a < s->n; a++)
		s->v[a] = s->text + s->off[a];
	return IDMAP_OK;
}

static int add_values(const idmap_job *j, uint64_t slot, uint32_t type, str_vec *s)
{
	idmap_fwd_iter it;
	uint64_t t, key;
	int rc;
	if (type == UINT32_MAX || type == IDMAP_TYPE_ANY || slot == UINT64_MAX) /* FASTA alone */
		return IDMAP_OK;
	if ((rc = idmap_fwd_begin(j->ix, slot, type, &it)) != IDMAP_OK)
		return rc;
	while ((rc = idmap_fwd_next_key(&it, &t, &key)) == IDMAP_OK)
		if ((rc = sv_push(j, s, t, key)) != IDMAP_OK)
			return rc;
	return rc == IDMAP_DONE ? IDMAP_OK : rc;
}

static uint64_t canonical(const idmap_job *j, uint64_t slot)
{
	uint64_t code, c;
	if (idmap_acc_code(j->ix, slot, &code) != IDMAP_OK || !idmap_acc_isoform(code) ||
	    idmap_acc_find_code(j->ix, idmap_acc_canonical(code), &c) != IDMAP_OK)
		return slot;
	return c;
}

/* Values of type on the entry of slot: the canonical accession and its isoforms, sorted,
 * without repeats. */
static int entry_values(const idmap_job *j, uint64_t slot, uint32_t type, int isoforms,
			str_vec *s)
{
	uint64_t c = canonical(j, slot);
	s->n = 0;
	s->text_len = 0;
	int rc = add_values(j, c, type, s);
	char text[IDMAP_ACC_TEXT_SIZE];
	size_t len;
	uint64_t k, iso;
	if (rc == IDMAP_OK && isoforms && j->t_iso != UINT32_MAX &&
	    idmap_acc_text(j->ix, c, text, &len) == IDMAP_OK &&
	    idmap_key_find(j->ix, j->t_iso, text, len, &k) == IDMAP_OK) {
		idmap_rev_iter it;
		if ((rc = idmap_rev_begin(j->ix, k, &it, NULL)) != IDMAP_OK)
			return rc;
		while ((rc = idmap_rev_next(&it, &iso)) == IDMAP_OK)
			if ((rc = add_values(j, iso, type, s)) != IDMAP_OK)
				return rc;
		if (rc != IDMAP_DONE)
			return rc;
		rc = IDMAP_OK;
	}
	for (size_t a = 0; a < s->n; a++) /* text is complete: it moves no more */
		s->v[a] = s->text + s->off[a];
	if (rc != IDMAP_OK)
		return rc;
	/* insertion sort: few values per entry */
	for (size_t a = 1; a < s->n; a++)
		for (size_t b = a; b > 0; b--) {
			size_t m = s->len[b] < s->len[b - 1] ? s->len[b] : s->len[b - 1];
			int r = memcmp(s->v[b - 1], s->v[b], m);
			if (r < 0 || (r == 0 && s->len[b - 1] <= s->len[b]))
				break;
			const char *tv = s->v[b];
			size_t tl = s->len[b];
			s->v[b] = s->v[b - 1];
			s->len[b] = s->len[b - 1];
			s->v[b - 1] = tv;
			s->len[b - 1] = tl;
		}
	size_t n = 0;
	for (size_t a = 0; a < s->n; a++)
		if (!n || s->len[a] != s->len[n - 1] || memcmp(s->v[a], s->v[n - 1], s->len[a])) {
			s->v[n] = s->v[a];
			s->len[n++] = s->len[a];
		}
	s->n = n;
	return IDMAP_OK;
}

IDMAP_API int idmap_job_row_entry(const idmap_job *j, uint64_t row, int *reviewed,
				  uint64_t *taxon)
{
	idmap_result r;
	str_vec s = {0};
	idmap_fe_row er;
	if (!j || !reviewed || !taxon || row >= j->n_rows || !j->ran ||
	    idmap_job_result(j, row, &r) != IDMAP_OK)
		return IDMAP_ERR_INVALID;
	if (r.acc_slot == UINT64_MAX) { /* an entry of the FASTA files alone: its record's */
		if (r.inactive || idmap_fe_row_of(j->ix, r.to, r.to_len, 0, &er) != IDMAP_OK ||
		    !er.found)
			return IDMAP_ERR_INVALID;
		*reviewed = er.e.reviewed;
		*taxon = er.e.taxid;
		return IDMAP_OK;
	}
	*reviewed = idmap_entry_reviewed(j, canonical(j, r.acc_slot));
	int rc = entry_values(j, r.acc_slot, j->t_taxon, 0, &s);
	*taxon = 0;
	if (rc == IDMAP_OK && s.n)
		for (size_t i = 0; i < s.len[0] && s.v[0][i] >= '0' && s.v[0][i] <= '9'; i++)
			*taxon = *taxon * 10 + (uint64_t)(s.v[0][i] - '0');
	idmap_str_vec_free(&s);
	return rc;
}

static void put_joined(idmap_obuf *o, const str_vec *s, const char *sep, int trailing)
{
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			idmap_obuf_s(o, sep);
		idmap_obuf_put(o, s->v[i], s->len[i]);
	}
	if (trailing && s->n)
		idmap_obuf_s(o, sep);
}

static const char *const gene_types[] = {"Gene_Name", "Gene_Synonym", "Gene_OrderedLocusName",
					 "Gene_ORFName"};

/* When the idmapping data holds no value of a column for the entry (s empty) and the index
 * has an entry store, the value of the row's own FASTA header (get: idmap_fe_entry_name or
 * idmap_fe_gene), its record loaded into *er on first need, and its text only when the
 * record says there is a value (an entry without gene name costs no inflate). */
static int from_header(const idmap_job *j, uint64_t slot, idmap_fe_row *er,
		       int (*get)(const idmap_fe_row *, const char **, size_t *), str_vec *s)
{
	const char *v;
	size_t n;
	if (s->n || !idmap_fe_available(j->ix))
		return IDMAP_OK;
	int rc = er->found ? IDMAP_OK : idmap_fe_row_load(j->ix, slot, 0, er), got;
	if (rc == IDMAP_OK && (got = get(er, &v, &n)) < 0 &&
	    (rc = idmap_fe_row_load(j->ix, slot, 1, er)) == IDMAP_OK)
		got = get(er, &v, &n);
	return rc == IDMAP_OK && got > 0 ? sv_push_text(s, v, n) : rc;
}

/* The review status of the entry: its entry name's, else its FASTA record's (sp or tr);
 * -1 when neither says. */
static int reviewed_of(const idmap_job *j, uint64_t c, uint64_t slot, idmap_fe_row *er)
{
	int rv = idmap_entry_reviewed(j, c);
	if (rv >= 0 || !idmap_fe_available(j->ix))
		return rv;
	if (!er->found && idmap_fe_row_load(j->ix, slot, 0, er) != IDMAP_OK)
		return -1;
	return idmap_fe_reviewed(er);
}

/* The gene names (Gene_Name) of the entry, else its header's GN=. */
static int gene_names(const idmap_job *j, uint64_t c, uint64_t slot, idmap_fe_row *er,
		      str_vec *s)
{
	int rc = entry_values(j, c, type_of(j->ix, gene_types[0]), 0, s);
	return rc == IDMAP_OK ? from_header(j, slot, er, idmap_fe_gene, s) : rc;
}

/* The record of the entry as the fields need it (text: when a column needs the text). An
 * accession of the FASTA files alone (slot UINT64_MAX, its text in alone) has its record
 * with its text always: the record is then its only source, and the loads on first need
 * above, by slot, are never reached; IDMAP_ERR_NOT_FOUND when it has none. */
static int subject(const idmap_fields *f, const idmap_job *j, uint64_t slot, const char *alone,
		   size_t alone_len, int text, idmap_fe_row *er)
{
	if (slot != UINT64_MAX || !alone)
		return f->entry ? idmap_fe_row_load(j->ix, slot, text, er) : IDMAP_OK;
	int rc = idmap_fe_row_of(j->ix, alone, alone_len, 1, er);
	return rc == IDMAP_OK && !er->found ? IDMAP_ERR_NOT_FOUND : rc;
}

/* The accession of the entry subject loaded: its slot's, else its record's. */
static int accession(const idmap_job *j, uint64_t slot, const char *alone,
		     const idmap_fe_row *er, char acc[IDMAP_ACC_TEXT_SIZE], size_t *n)
{
	if (slot != UINT64_MAX || !alone)
		return idmap_acc_text(j->ix, slot, acc, n);
	*n = strlen(er->e.id);
	memcpy(acc, er->e.id, *n + 1);
	return IDMAP_OK;
}

int idmap_fields_tsv(const idmap_fields *f, const idmap_job *j, uint64_t slot, const char *alone,
		     size_t alone_len, str_vec *s, idmap_obuf *o)
{
	uint64_t c = canonical(j, slot);
	char acc[IDMAP_ACC_TEXT_SIZE];
	size_t n;
	idmap_fe_row er = {0};
	int rc = subject(f, j, slot, alone, alone_len, f->entry & IDMAP_FE_TEXT, &er);
	for (size_t i = 0; i < f->n && rc == IDMAP_OK; i++) {
		idmap_obuf_c(o, '\t');
		switch (f->f[i].kind) {
		case F_ACCESSION:
			if ((rc = accession(j, slot, alone, &er, acc, &n)) == IDMAP_OK)
				idmap_obuf_put(o, acc, n);
			break;
		case F_ID:
			if ((rc = entry_values(j, c, j->t_entry, 0, s)) == IDMAP_OK &&
			    (rc = from_header(j, slot, &er, idmap_fe_entry_name, s)) == IDMAP_OK)
				put_joined(o, s, " ", 0);
			break;
		case F_REVIEWED: { /* empty when unknown: no entry name, no record */
			int rv = reviewed_of(j, c, slot, &er);
			idmap_obuf_s(o, rv > 0 ? "reviewed" : rv == 0 ? "unreviewed" : "");
			break;
		}
		case F_GENE_PRIMARY:
			if ((rc = gene_names(j, c, slot, &er, s)) == IDMAP_OK)
				put_joined(o, s, "; ", 0);
			break;
		case F_GENE_NAMES: {
			int first = 1;
			for (size_t g = 0; g < 4 && rc == IDMAP_OK; g++) {
				rc = entry_values(j, c, type_of(j->ix, gene_types[g]), 0, s);
				if (rc == IDMAP_OK && s->n) {
					if (!first)
						idmap_obuf_c(o, ' ');
					put_joined(o, s, " ", 0);
					first = 0;
				}
			}
			if (rc == IDMAP_OK && first && (rc = gene_names(j, c, slot, &er, s)) == IDMAP_OK)
				put_joined(o, s, " ", 0);
			break;
		}
		case F_ORGANISM_ID: /* else the record's OX=, as the JSON organism */
			if ((rc = entry_values(j, c, j->t_taxon, 0, s)) == IDMAP_OK && s->n)
				put_joined(o, s, "; ", 0);
			else if (rc == IDMAP_OK && er.found && er.e.taxid)
				idmap_obuf_u64(o, er.e.taxid);
			break;
		case F_XREF:
			if ((rc = entry_values(j, c, f->f[i].type, 1, s)) == IDMAP_OK)
				put_joined(o, s, ";", 1);
			break;
		case F_ENTRY:
			idmap_fe_tsv((int)f->f[i].type, &er, o);
			break;
		}
	}
	idmap_fe_row_free(&er);
	return rc;
}

static void json_array(idmap_obuf *o, const str_vec *s)
{
	idmap_obuf_c(o, '[');
	for (size_t i = 0; i < s->n; i++) {
		idmap_obuf_s(o, i ? ",{\"value\":" : "{\"value\":");
		idmap_obuf_json(o, s->v[i], s->len[i]);
		idmap_obuf_c(o, '}');
	}
	idmap_obuf_c(o, ']');
}

static int json_genes(const idmap_job *j, uint64_t c, uint64_t slot, idmap_fe_row *er, int all,
		      str_vec *s, idmap_obuf *o)
{
	int rc = gene_names(j, c, slot, er, s);
	if (rc != IDMAP_OK || !s->n) /* an empty list is left out (NON_EMPTY) */
		return rc;
	idmap_obuf_s(o, ",\"genes\":[");
	size_t names = s->n;
	for (size_t i = 0; i < names; i++) {
		rc = gene_names(j, c, slot, er, s);
		if (rc != IDMAP_OK)
			return rc;
		idmap_obuf_s(o, i ? ",{\"geneName\":{\"value\":" : "{\"geneName\":{\"value\":");
		idmap_obuf_json(o, s->v[i], s->len[i]);
		idmap_obuf_c(o, '}');
		static const char *const keys[] = {NULL, "synonyms", "orderedLocusNames", "orfNames"};
		for (size_t g = 1; all && i == 0 && g < 4; g++) {
			if ((rc = entry_values(j, c, type_of(j->ix, gene_types[g]), 0, s)) != IDMAP_OK)
				return rc;
			if (!s->n)
				continue;
			idmap_obuf_s(o, ",\"");
			idmap_obuf_s(o, keys[g]);
			idmap_obuf_s(o, "\":");
			json_array(o, s);
		}
		idmap_obuf_c(o, '}');
	}
	idmap_obuf_c(o, ']');
	return IDMAP_OK;
}

/* UniProt's organism object: the scientific name (entry store) and the taxon of the
 * idmapping data (s), else the record's OX=; left out when neither is known. */
static void json_organism(const str_vec *s, const idmap_fe_row *er, idmap_obuf *o)
{
	const char *name;
	size_t len;
	int has_name = idmap_fe_organism(er, &name, &len), has_tax = s->n || er->e.taxid;
	if (!has_name && !has_tax)
		return;
	idmap_obuf_s(o, ",\"organism\":{");
	if (has_name) {
		idmap_obuf_s(o, "\"scientificName\":");
		idmap_obuf_json(o, name, len);
	}
	if (has_tax) {
		idmap_obuf_s(o, has_name ? ",\"taxonId\":" : "\"taxonId\":");
		if (s->n)
			idmap_obuf_put(o, s->v[0], s->len[0]);
		else
			idmap_obuf_u64(o, er->e.taxid);
	}
	idmap_obuf_c(o, '}');
}

/* The cross-references of the fields in UniProt's uniProtKBCrossReferences ({database, id};
 * the release files carry no properties), the fields' order. */
static int json_xrefs(const idmap_fields *f, const idmap_job *j, uint64_t c, str_vec *s,
		      idmap_obuf *o)
{
	int rc = IDMAP_OK, first = 1;
	for (size_t i = 0; i < f->n && rc == IDMAP_OK; i++) {
		if (f->f[i].kind != F_XREF || (rc = entry_values(j, c, f->f[i].type, 1, s)) != IDMAP_OK)
			continue;
		for (size_t k = 0; k < s->n; k++, first = 0) {
			idmap_obuf_s(o, first ? ",\"uniProtKBCrossReferences\":[{\"database\":"
					      : ",{\"database\":");
			idmap_obuf_json(o, f->f[i].label, strlen(f->f[i].label));
			idmap_obuf_s(o, ",\"id\":");
			idmap_obuf_json(o, s->v[k], s->len[k]);
			idmap_obuf_c(o, '}');
		}
	}
	if (!first) /* empty lists are left out */
		idmap_obuf_c(o, ']');
	return rc;
}

/* secondaryAccessions: the #secondary keys that name this entry, in accession order. */
static int json_secondary(const idmap_job *j, uint64_t c, str_vec *s, idmap_obuf *o)
{
	int rc = entry_values(j, c, j->t_sec, 0, s);
	if (rc != IDMAP_OK || !s->n)
		return rc;
	idmap_obuf_s(o, ",\"secondaryAccessions\":[");
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			idmap_obuf_c(o, ',');
		idmap_obuf_json(o, s->v[i], s->len[i]);
	}
	idmap_obuf_c(o, ']');
	return IDMAP_OK;
}

/* The members are written in the field order of uniprot-core's UniProtKBEntryImpl (Jackson
 * serialises fields in declaration order): entryType, primaryAccession, secondaryAccessions,
 * uniProtkbId, entryAudit, organism, proteinExistence, proteinDescription, genes,
 * uniProtKBCrossReferences, sequence. */
int idmap_fields_json(const idmap_fields *f, const idmap_job *j, uint64_t slot,
		      const char *alone, size_t alone_len, str_vec *s, idmap_obuf *o)
{
	uint64_t c = canonical(j, slot);
	char acc[IDMAP_ACC_TEXT_SIZE];
	size_t n;
	int type = f->whole, id = 0, genes = 0, xrefs = 0, organism = 0;
	for (size_t i = 0; i < f->n; i++) {
		int k = f->f[i].kind;
		type |= k == F_REVIEWED;
		id |= k == F_ID;
		genes |= k == F_GENE_PRIMARY ? 1 : k == F_GENE_NAMES ? 2 : 0;
		xrefs |= k == F_XREF;
		/* one organism object for organism_id and organism_name */
		organism |= k == F_ORGANISM_ID ||
			    (k == F_ENTRY && f->f[i].type == IDMAP_FE_ORGANISM_NAME);
	}
	/* JSON carries the whole sequence object for any of its columns: always the text */
	idmap_fe_row er = {0};
	int rc = subject(f, j, slot, alone, alone_len, 1, &er);
	if (rc == IDMAP_OK)
		rc = accession(j, slot, alone, &er, acc, &n);
	if (rc != IDMAP_OK)
		return rc;
	int rv = type ? reviewed_of(j, c, slot, &er) : -1; /* left out when unknown */
	idmap_obuf_s(o, rv > 0	 ? "{\"entryType\":\"UniProtKB reviewed (Swiss-Prot)\","
			: rv == 0 ? "{\"entryType\":\"UniProtKB unreviewed (TrEMBL)\","
				  : "{");
	idmap_obuf_s(o, "\"primaryAccession\":");
	idmap_obuf_json(o, acc, n);
	if (f->whole)
		rc = json_secondary(j, c, s, o);
	if (rc == IDMAP_OK && id && (rc = entry_values(j, c, j->t_entry, 0, s)) == IDMAP_OK &&
	    (rc = from_header(j, slot, &er, idmap_fe_entry_name, s)) == IDMAP_OK && s->n) {
		idmap_obuf_s(o, ",\"uniProtkbId\":");
		idmap_obuf_json(o, s->v[0], s->len[0]);
	}
	if (rc == IDMAP_OK)
		idmap_fe_json(IDMAP_FE_J_AUDIT, f->entry, &er, o);
	if (rc == IDMAP_OK && organism && (rc = entry_values(j, c, j->t_taxon, 0, s)) == IDMAP_OK)
		json_organism(s, &er, o);
	if (rc == IDMAP_OK) {
		idmap_fe_json(IDMAP_FE_J_EXISTENCE, f->entry, &er, o);
		idmap_fe_json(IDMAP_FE_J_DESCRIPTION, f->entry, &er, o);
	}
	if (rc == IDMAP_OK && genes)
		rc = json_genes(j, c, slot, &er, genes & 2, s, o);
	if (rc == IDMAP_OK && xrefs)
		rc = json_xrefs(f, j, c, s, o);
	if (rc == IDMAP_OK)
		idmap_fe_json(IDMAP_FE_J_SEQUENCE, f->entry, &er, o);
	idmap_fe_row_free(&er);
	idmap_obuf_c(o, '}');
	return rc;
}

void idmap_fields_tsv_inactive(const idmap_fields *f, const idmap_result *r, idmap_obuf *o)
{
	for (size_t i = 0; i < f->n; i++) {
		idmap_obuf_c(o, '\t');
		if (f->f[i].kind == F_ACCESSION)
			idmap_obuf_put(o, r->to, r->to_len);
	}
}

/* As uniprot-core serialises an inactive UniProtKB entry: entryType "Inactive" and the
 * inactiveReason. An accession of delac_sp.txt has uniprot-core's DeletedReason
 * SWISSPROT_DELETION ("Deleted from Swiss-Prot"); delac_tr.txt does not say why. */
void idmap_fields_json_inactive(const idmap_result *r, idmap_obuf *o)
{
	idmap_obuf_s(o, "{\"entryType\":\"Inactive\",\"primaryAccession\":");
	idmap_obuf_json(o, r->to, r->to_len);
	idmap_obuf_s(o, ",\"inactiveReason\":{\"inactiveReasonType\":\"DELETED\"");
	if (r->inactive == 1 + IDMAP_DELETED_SWISSPROT)
		idmap_obuf_s(o, ",\"deletedReason\":\"Deleted from Swiss-Prot\"");
	idmap_obuf_s(o, "}}");
}
