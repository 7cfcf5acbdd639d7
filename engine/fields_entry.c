/* --fields columns of the entry store: the numbers come from the entry record, the strings
 * (names, residues) from its block, inflated once per row; nothing is parsed at query time. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accession.h"
#include "entry_internal.h"
#include "fields_entry.h"
#include "index_internal.h"

/* Names and titles of uniprot-rest-api's uniprotkb-return-fields.json. */
static const struct {
	const char *name, *label;
	int kind;
} columns[] = {
	{"protein_name", "Protein names", IDMAP_FE_PROTEIN_NAME},
	{"organism_name", "Organism", IDMAP_FE_ORGANISM_NAME},
	{"length", "Length", IDMAP_FE_LENGTH},
	{"mass", "Mass", IDMAP_FE_MASS},
	{"sequence", "Sequence", IDMAP_FE_SEQUENCE},
	{"sequence_version", "Sequence version", IDMAP_FE_SEQUENCE_VERSION},
	{"protein_existence", "Protein existence", IDMAP_FE_PROTEIN_EXISTENCE},
	{"fragment", "Fragment", IDMAP_FE_FRAGMENT},
};

/* uniprot-core ProteinExistence: its name (TSV) and display name (JSON) per PE level. */
static const char *const pe_names[] = {NULL,
				       "Evidence at protein level",
				       "Evidence at transcript level",
				       "Inferred from homology",
				       "Predicted",
				       "Uncertain"};

int idmap_fe_find(const char *name, const char **label)
{
	for (size_t k = 0; k < sizeof columns / sizeof columns[0]; k++)
		if (!strcasecmp(name, columns[k].name)) {
			*label = columns[k].label;
			return columns[k].kind;
		}
	return 0;
}

int idmap_fe_available(const idmap_index *ix) { return ix && ix->entries.info != NULL; }

IDMAP_API const char *idmap_fields_default(const idmap_job *j)
{
	return j && idmap_fe_available(j->ix)
		       ? "accession,id,reviewed,protein_name,gene_names,organism_name,length"
		       : "accession,id,reviewed,gene_names,organism_id";
}

/* The row a renderer's lookahead loaded for the row it is writing (entry_rows.c): its slot
 * and record, text included, on this thread. */
static _Thread_local const idmap_fe_row *offered;
static _Thread_local uint64_t offered_slot;

void idmap_fe_row_offer(uint64_t slot, const idmap_fe_row *r)
{
	offered = r;
	offered_slot = slot;
}

int idmap_fe_row_find(const idmap_index *ix, uint64_t slot, idmap_fe_row *r)
{
	memset(r, 0, sizeof *r);
	char acc[IDMAP_ACC_TEXT_SIZE];
	size_t n;
	if (!idmap_fe_available(ix) || idmap_acc_text(ix, slot, acc, &n) != IDMAP_OK)
		return IDMAP_OK;
	return idmap_fe_row_of(ix, acc, n, 0, r);
}

int idmap_fe_row_of(const idmap_index *ix, const char *acc, size_t n, int text, idmap_fe_row *r)
{
	memset(r, 0, sizeof *r);
	if (!idmap_fe_available(ix))
		return IDMAP_OK;
	int rc = idmap_entry_find(ix, acc, n, &r->e);
	if (rc == IDMAP_ERR_NOT_FOUND || rc == IDMAP_ERR_INVALID ||
	    (rc == IDMAP_OK && r->e.kind > IDMAP_ENTRY_ISOFORM)) /* a UniRef or UniParc id */
		return IDMAP_OK;
	if (rc != IDMAP_OK)
		return rc;
	/* the spans of the header come with its text; the record says whether a gene is */
	const uint8_t *rec = idmap_entry_rec(&ix->entries, r->e.record);
	r->found = 1;
	r->has_gene = (rec[IDMAP_ER_FLAGS] & IDMAP_EF_GENE) != 0;
	return text ? idmap_fe_row_text(ix, r) : IDMAP_OK;
}

int idmap_fe_row_text(const idmap_index *ix, idmap_fe_row *r)
{
	if (!r->found)
		return IDMAP_OK;
	const idmap_entry_store *s = &ix->entries;
	const uint8_t *rec = idmap_entry_rec(s, r->e.record);
	size_t ulen;
	/* the thread's cache saves the inflate of a block read again next */
	idmap_entry_cache *c = idmap_entry_thread_cache();
	if (!c)
		return IDMAP_ERR_NOMEM;
	int rc = idmap_entry_cache_block(c, s, idmap_rd32(rec + IDMAP_ER_BLOCK), &r->block, &ulen);
	if (rc != IDMAP_OK)
		return rc;
	idmap_entry_text t;
	if (idmap_entry_text_of(rec, r->block, ulen, &t) != IDMAP_OK) {
		idmap_fe_row_free(r);
		return IDMAP_ERR_CORRUPT;
	}
	r->head = t.header;
	r->head_len = t.header_len;
	r->name[0] = t.name[0];
	r->name[1] = t.name[1];
	r->organism[0] = t.organism[0];
	r->organism[1] = t.organism[1];
	r->gene[0] = t.gene[0];
	r->gene[1] = t.gene[1];
	return IDMAP_OK;
}

int idmap_fe_row_load(const idmap_index *ix, uint64_t slot, int text, idmap_fe_row *r)
{
	if (offered && offered_slot == slot && (!text || offered->block || !offered->found)) {
		*r = *offered;
		return IDMAP_OK;
	}
	int rc = idmap_fe_row_find(ix, slot, r);
	return rc == IDMAP_OK && text ? idmap_fe_row_text(ix, r) : rc;
}

void idmap_fe_row_free(idmap_fe_row *r)
{
	r->block = NULL; /* the thread cache's */
	r->found = 0;
}

uint64_t idmap_fe_mass(const uint8_t *seq, size_t n)
{
	/* A..Z in 1e-4 Da; J has none in uniprot-core and weighs 0 there, as any other byte */
	static const uint32_t w[26] = {
		710788,	 1146532, 1031388, 1150886, 1291155, 1471766, 570519,
		1371411, 1131594, 0,	   1281741, 1131594, 1311926, 1141038,
		2373000, 971167,  1281307, 1561875, 870782,  1011051, 1500400,
		991326,	 1862132, 1113306, 1631760, 1287473};
	uint64_t sum = 180153; /* H2O */
	for (size_t i = 0; i < n; i++)
		if (seq[i] >= 'A' && seq[i] <= 'Z')
			sum += w[seq[i] - 'A'];
	return (sum + 5000) / 10000;
}

static const uint8_t *residues(const idmap_fe_row *r) { return r->head + r->head_len; }

void idmap_fe_tsv(int kind, const idmap_fe_row *r, idmap_obuf *o)
{
	if (!r->found)
		return;
	const idmap_entry *e = &r->e;
	switch (kind) {
	case IDMAP_FE_LENGTH:
		idmap_obuf_u64(o, e->length);
		break;
	case IDMAP_FE_SEQUENCE_VERSION:
		if (e->sv)
			idmap_obuf_u64(o, (uint64_t)e->sv);
		break;
	case IDMAP_FE_PROTEIN_EXISTENCE:
		if (e->pe >= 1 && e->pe <= 5)
			idmap_obuf_s(o, pe_names[e->pe]);
		break;
	case IDMAP_FE_FRAGMENT:
		if (e->fragment)
			idmap_obuf_s(o, "fragment");
		break;
	case IDMAP_FE_PROTEIN_NAME:
		idmap_obuf_put(o, r->head + r->name[0], r->name[1]);
		break;
	case IDMAP_FE_ORGANISM_NAME:
		idmap_obuf_put(o, r->head + r->organism[0], r->organism[1]);
		break;
	case IDMAP_FE_MASS:
		idmap_obuf_u64(o, idmap_fe_mass(residues(r), e->length));
		break;
	case IDMAP_FE_SEQUENCE:
		idmap_obuf_put(o, residues(r), e->length);
		break;
	}
}

int idmap_fe_entry_name(const idmap_fe_row *r, const char **v, size_t *n)
{
	if (!r->found || r->e.kind > IDMAP_ENTRY_ISOFORM)
		return 0;
	if (!r->block)
		return -1;
	const char *h = (const char *)r->head, *end = h + r->head_len;
	const char *a = memchr(h, '|', r->head_len);
	const char *b = a ? memchr(a + 1, '|', (size_t)(end - a - 1)) : NULL;
	if (!b)
		return 0;
	const char *sp = memchr(b + 1, ' ', (size_t)(end - b - 1));
	*v = b + 1;
	*n = (size_t)((sp ? sp : end) - *v);
	return *n > 0;
}

int idmap_fe_gene(const idmap_fe_row *r, const char **v, size_t *n)
{
	if (!r->found || r->e.kind > IDMAP_ENTRY_ISOFORM || !r->has_gene)
		return 0;
	if (!r->block)
		return -1;
	if (!r->gene[1])
		return 0;
	*v = (const char *)r->head + r->gene[0];
	*n = r->gene[1];
	return 1;
}

int idmap_fe_reviewed(const idmap_fe_row *r)
{
	return r->found && r->e.kind <= IDMAP_ENTRY_ISOFORM ? r->e.reviewed != 0 : -1;
}

int idmap_fe_organism(const idmap_fe_row *r, const char **name, size_t *len)
{
	if (!r->found || !r->block || !r->organism[1])
		return 0;
	*name = (const char *)r->head + r->organism[0];
	*len = r->organism[1];
	return 1;
}

#define WANT(k) (want & (1u << ((k) & 0xFF)))

/* uniprot-core FlagType of a fragment: the header says which note the name had. */
static const char *fragment_flag(const idmap_fe_row *r)
{
	size_t end = (size_t)r->name[0] + r->name[1];
	if (r->head_len - end >= 12 && !memcmp(r->head + end, " (Fragments)", 12))
		return "Fragments";
	return "Fragment";
}

/* The sequence object as uniprot-core SequenceImpl builds it from the residues. */
static void json_sequence(const idmap_fe_row *r, idmap_obuf *o)
{
	const uint8_t *seq = residues(r);
	size_t n = r->e.length;
	char crc[17], md5[33];
	idmap_fe_crc64(seq, n, crc);
	idmap_fe_md5(seq, n, md5);
	idmap_obuf_s(o, ",\"sequence\":{\"value\":");
	idmap_obuf_json(o, (const char *)seq, n);
	idmap_obuf_s(o, ",\"length\":");
	idmap_obuf_u64(o, n);
	idmap_obuf_s(o, ",\"molWeight\":");
	idmap_obuf_u64(o, idmap_fe_mass(seq, n));
	idmap_obuf_s(o, ",\"crc64\":\"");
	idmap_obuf_s(o, crc);
	idmap_obuf_s(o, "\",\"md5\":\"");
	idmap_obuf_s(o, md5);
	idmap_obuf_s(o, "\"}");
}

static void json_description(unsigned want, const idmap_fe_row *r, idmap_obuf *o)
{
	const idmap_entry *e = &r->e;
	int name = WANT(IDMAP_FE_PROTEIN_NAME) && r->block && r->name[1];
	int flag = WANT(IDMAP_FE_FRAGMENT) && e->fragment && r->block;
	if (!name && !flag)
		return;
	/* Swiss-Prot names are recommended names, TrEMBL's submission names */
	idmap_obuf_s(o, ",\"proteinDescription\":{");
	if (name) {
		idmap_obuf_s(o, e->reviewed ? "\"recommendedName\":{\"fullName\":{\"value\":"
					    : "\"submissionNames\":[{\"fullName\":{\"value\":");
		idmap_obuf_json(o, (const char *)r->head + r->name[0], r->name[1]);
		idmap_obuf_s(o, e->reviewed ? "}}" : "}}]");
	}
	if (flag) {
		idmap_obuf_s(o, name ? ",\"flag\":\"" : "\"flag\":\"");
		idmap_obuf_s(o, fragment_flag(r));
		idmap_obuf_c(o, '"');
	}
	idmap_obuf_c(o, '}');
}

void idmap_fe_json(int part, unsigned want, const idmap_fe_row *r, idmap_obuf *o)
{
	if (!r->found)
		return;
	const idmap_entry *e = &r->e;
	switch (part) {
	case IDMAP_FE_J_AUDIT:
		if (WANT(IDMAP_FE_SEQUENCE_VERSION) && e->sv) {
			idmap_obuf_s(o, ",\"entryAudit\":{\"sequenceVersion\":");
			idmap_obuf_u64(o, (uint64_t)e->sv);
			idmap_obuf_c(o, '}');
		}
		break;
	case IDMAP_FE_J_EXISTENCE:
		if (WANT(IDMAP_FE_PROTEIN_EXISTENCE) && e->pe >= 1 && e->pe <= 5) {
			idmap_obuf_s(o, ",\"proteinExistence\":\"");
			idmap_obuf_u64(o, (uint64_t)e->pe);
			idmap_obuf_s(o, ": ");
			idmap_obuf_s(o, pe_names[e->pe]);
			idmap_obuf_c(o, '"');
		}
		break;
	case IDMAP_FE_J_DESCRIPTION:
		json_description(want, r, o);
		break;
	case IDMAP_FE_J_SEQUENCE:
		if ((WANT(IDMAP_FE_LENGTH) || WANT(IDMAP_FE_MASS) || WANT(IDMAP_FE_SEQUENCE)) &&
		    r->block)
			json_sequence(r, o);
		break;
	}
}
