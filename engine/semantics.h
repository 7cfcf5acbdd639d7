/* Internal interfaces of the UniProt semantics files (catalog.c, mapper.c, job.c, fields.c,
 * render.c, render_catalog.c). Not installed. */
#ifndef IDMAP_SEMANTICS_H
#define IDMAP_SEMANTICS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "idmap.h"

/* Databases whose ids have a grammar or a rule of their own. */
enum {
	CAT_PLAIN = 0,
	CAT_UNIPARC,
	CAT_UNIREF50,
	CAT_UNIREF90,
	CAT_UNIREF100,
	CAT_GENE_NAME,
	CAT_PDB,
};

/* The special kind of entry i (CAT_*). */
int idmap_catalog_special(const idmap_catalog *cat, size_t i);

/* Writes the rule tos of rule (1-8) as catalogue indexes into out (room for count entries);
 * returns how many. */
size_t idmap_catalog_rule_tos(const idmap_catalog *cat, int rule, size_t *out);

/* The output buffer of the library: 64 KiB chunks handed to the caller's write function
 * (renderers, saved jobs). A callback-flushed buffer, unlike the growable arrays of
 * idmap_vec.h: output of any size streams in bounded memory. */
typedef struct {
	idmap_write_fn write;
	void *ctx;
	char buf[1 << 16];
	size_t len;
	int rc; /* IDMAP_STOPPED once write returned non-zero */
} idmap_obuf;

void idmap_obuf_flush(idmap_obuf *o);

static inline void idmap_obuf_init(idmap_obuf *o, idmap_write_fn write, void *ctx)
{
	o->write = write;
	o->ctx = ctx;
	o->len = 0;
	o->rc = IDMAP_OK;
}

static inline void idmap_obuf_put(idmap_obuf *o, const void *p, size_t n)
{
	const char *s = p;
	while (n) {
		if (o->len == sizeof o->buf)
			idmap_obuf_flush(o);
		size_t k = sizeof o->buf - o->len;
		if (k > n)
			k = n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

static inline void idmap_obuf_c(idmap_obuf *o, char c)
{
	if (o->len == sizeof o->buf)
		idmap_obuf_flush(o);
	o->buf[o->len++] = c;
}

void idmap_obuf_s(idmap_obuf *o, const char *s);
/* A JSON string (quoted, escaped). */
void idmap_obuf_json(idmap_obuf *o, const char *s, size_t n);
void idmap_obuf_u64(idmap_obuf *o, uint64_t v);

/* Renders one row (number row, at position pos of the selection) into o. */
typedef int (*idmap_row_fn)(void *ctx, idmap_obuf *o, uint64_t row, uint64_t pos);
/* Writes positions [first, end) of a selection (rows[pos], or row pos when rows is NULL) into
 * out, each rendered by row(ctx, ...), with the text one thread would write: on up to j's
 * threads (idmap_job_set_threads; 8 at most), a chunk of rows at a time each, into memory,
 * written in order (render_rows.c). row must depend on nothing but its arguments and
 * read-only state. Returns IDMAP_OK, row's first error (in position order), IDMAP_ERR_NOMEM
 * or IDMAP_STOPPED. */
int idmap_render_rows(const idmap_job *j, uint64_t first, uint64_t end, const uint64_t *rows,
		      idmap_row_fn row, void *ctx, idmap_obuf *out);

/* ---- Jobs (job.c, mapper.c) ---------------------------------------------------------------- */

/* One distinct input id. */
typedef struct {
	uint32_t off, len;	     /* text in the arena */
	uint32_t from_off, from_len; /* `from` inside the text */
	uint8_t status, obsolete;
	uint8_t deleted_from;	     /* IDMAP_DELETED_*, for a deleted id */
	const char *reason;	     /* static; NULL when mapped */
	uint64_t sec_key;	     /* #secondary key of a secondary id */
	uint64_t rows;
} job_idrec;

/* One result or suggested row: to is an accession slot (UniProtKB targets) or a key slot;
 * JOB_TO_INACTIVE | k: the inactive entry of a deleted accession, k its #deleted key slot
 * (target UniProtKB only, as UniProt maps a deleted accession to its inactive entry). */
#define JOB_TO_INACTIVE (1ull << 63)
/* JOB_TO_UPI | s: the UPI of accession slot s (a UniParc cross-reference's entry: a suggested
 * row of target UniProtKB, or a row of target UniParc for a UPI without a UniParc key);
 * JOB_TO_XREF_INACTIVE on a UPI row or a cross-reference key row: the cross-reference is
 * inactive (include_inactive jobs only). uniparc.c */
#define JOB_TO_UPI (1ull << 62)
#define JOB_TO_XREF_INACTIVE (1ull << 61)
#define JOB_TO_SLOT(to) ((to) & ~(JOB_TO_UPI | JOB_TO_XREF_INACTIVE))
/* JOB_TO_RECORD | i: entry-store record i, a UniProtKB entry of the FASTA files alone (an
 * accession in no idmapping file, mapped to itself; its row has no accession slot). */
#define JOB_TO_RECORD (1ull << 60)
typedef struct {
	/* acc1: the slot + 1 of the accession whose values the row's key came from (0: none;
	 * not saved with a job), where a member value's accession is: prefetched ahead */
	uint32_t id, acc1;
	uint64_t to, via;
} job_row;

/* A growable array of u64 (accession slots of one id). */
typedef struct {
	uint64_t *v;
	size_t n, cap;
} u64_vec;

/* A target value of one id while its rows are built. */
typedef struct {
	const char *p; /* the text: job_run.text + off, once every value is decoded */
	size_t n, off;
	uint64_t key, via;
	uint64_t acc; /* the accession slot whose forward record holds it */
} job_val;

#define JOB_MAX_WARNINGS 4

/* What a job does with the UniParc cross-references of the index (uniparc.c). */
enum {
	UPARC_NONE = 0,
	UPARC_FALLBACK, /* sequence source to UniProtKB (suggestions) or UniParc (rows): ids
			 * the accession route leaves unmapped go to the UPIs citing them */
	UPARC_FORWARD,	/* UniParc source to a cross-referenced type: a UPI's cross-references */
};

/* Index types of the UniParc cross-references a job reads (UINT32_MAX when absent). */
typedef struct {
	int mode;		/* UPARC_* */
	int include_inactive;	/* inactive cross-references too, marked */
	uint32_t rev[4];	/* FALLBACK: #uniparc:S, #unversioned:#uniparc:S and the same of
				 * #uniparc-inactive:S, S the source's cross-referenced type */
	uint32_t fwd[2];	/* FORWARD: #uniparc:T, #uniparc-inactive:T of the target T */
	uint32_t t_taxon;	/* #uniparc-taxon */
	uint64_t *taxa_key;	/* the requested taxa as #uniparc-taxon key slots (UINT64_MAX:
				 * absent) */
} job_uparc;

struct idmap_job {
	const idmap_index *ix;
	idmap_catalog *cat;
	size_t from_i, to_i;
	idmap_db_info from, to;
	int from_special, to_special;
	int via, include_isoforms, canonical, allow_one_to_many;
	uint64_t *taxa;	    /* requested taxon ids */
	uint64_t *taxa_key; /* their NCBI_TaxID key slots (UINT64_MAX: absent) */
	size_t n_taxa;

	/* types of the index, UINT32_MAX when absent */
	uint32_t t_entry, t_sec, t_iso, t_taxon, t_unver;
	uint32_t t_del[3]; /* #deleted, #deleted-sp, #deleted-tr: by IDMAP_DELETED_* */
	int inactive_rows; /* deleted accessions map to their inactive entry (to UniProtKB) */

	char *arena;
	size_t arena_len, arena_cap;
	job_idrec *ids;
	size_t n_ids, cap_ids;
	uint64_t *dedupe; /* fingerprint << 32 | (id + 1); 0 = empty */
	size_t dedupe_cap;
	uint64_t n_inputs;

	job_row *rows, *sugg;
	size_t n_rows, cap_rows, n_sugg, cap_sugg;
	int ran;
	unsigned threads; /* idmap_job_set_threads; 0 = 1 */
	idmap_job_stats st;

	int warn_code[JOB_MAX_WARNINGS];
	char warn_msg[JOB_MAX_WARNINGS][256];
	size_t n_warn;

	uint64_t review_unknown; /* entries left out of a Swiss-Prot job (IDMAP_WARN_REVIEW_UNKNOWN) */
	job_uparc up;
};

/* What one thread of idmap_job_run owns while it maps a range of ids (mapper.c): its rows,
 * counts and the scratch of the current id. Each thread starts from a zeroed job_run and
 * only reads the job (but for the ids records of its range), so a field added here is never
 * shared between threads by accident. */
typedef struct {
	job_row *rows, *sugg;
	size_t n_rows, cap_rows, n_sugg, cap_sugg;
	idmap_job_stats st;	 /* mapped, failed, secondary, deleted, inactive, max_fanout */
	uint64_t review_unknown;
	uint64_t *taxa_seen; /* open-addressed key slots + 1 (IDMAP_WARN_GENE_TAXA) */
	size_t taxa_seen_n, taxa_seen_cap;
	/* scratch of the current id, reused */
	u64_vec accs, tmp;
	uint64_t del_key; /* #deleted key slot of the current id */
	/* the run loop's lookup of the current id as typed (from.type_id, the id's text at
	 * key_hint_text; NULL = none): its key slot, or IDMAP_NO_SLOT (not found) */
	const char *key_hint_text;
	uint64_t key_hint;
	/* the key record of key_hint as the warm stages located it; NULL = not located */
	const uint8_t *key_hint_rec, *key_hint_end;
	/* the run loop's parse of the current id as a UniProtKB id (accession sources), of the
	 * text at form_hint_text (NULL = none) */
	const char *form_hint_text;
	const idmap_idform *form_hint;
	job_val *vals;
	size_t n_vals, cap_vals;
	char *text; /* the decoded values of vals */
	size_t text_len, text_cap;
} job_run;

int idmap_u64_push(u64_vec *v, uint64_t x);
/* idmap_vec_reserve for the arrays of a job that grow with its ids (ids, their text, result
 * rows): an array of 4 MiB or more is advised to 2 MiB pages (MADV_HUGEPAGE) before the old
 * one is copied in, so that filling it costs a page fault per 2 MiB instead of per 4 KiB. */
int idmap_job_reserve(void *pp, size_t *cap, size_t need, size_t elem);
/* The IDMAP_DELETED_* list of a key slot of j's index, or -1 when it is no deleted key. */
int idmap_deleted_key_list(const idmap_job *j, uint64_t key);
/* Review status of the canonical entry canon: 1 reviewed (Swiss-Prot), 0 unreviewed (TrEMBL),
 * -1 unknown (no entry name in the index). */
int idmap_entry_reviewed(const idmap_job *j, uint64_t canon);
/* Starts the loads of the result rows a few places after row i (renderers, row by row). */
void idmap_job_prefetch_row(const idmap_job *j, uint64_t i);
/* Accession slot of code; IDMAP_OK or IDMAP_ERR_NOT_FOUND. */
int idmap_acc_find_code(const idmap_index *ix, uint64_t code, uint64_t *slot);

/* ---- UniParc cross-references (uniparc.c) ---------------------------------------------- */

/* Sets j->up for the request (after check_names, with j->ix, from, to and taxa set). Returns
 * IDMAP_OK or IDMAP_ERR_NOMEM. */
int idmap_uparc_setup(idmap_job *j, int include_inactive);
/* Whether from (a UniParc source) may map to `to` through the UniParc cross-references of ix
 * (an idmap extension beyond UniProt's rule 2): the index has #uniparc:T for to's type T. */
int idmap_uparc_forward_allowed(const idmap_index *ix, const idmap_db_info *from,
				const idmap_db_info *to);
/* FORWARD: maps id (a UPI) to its cross-references of the target type. */
int idmap_uparc_forward(const idmap_job *j, job_run *run, uint32_t id);
/* FALLBACK: when the accession route left id unmapped, its UPIs as suggestions (target
 * UniProtKB) or rows (target UniParc). */
int idmap_uparc_fallback(const idmap_job *j, job_run *run, uint32_t id);
/* Pushes a row onto a growable row array (mapper.c). */
int idmap_push_row(job_row **v, size_t *n, size_t *cap, uint32_t id, uint64_t to, uint64_t via);

/* ---- Fields (fields.c), used by render.c --------------------------------------------------- */

typedef struct {
	const char **v; /* value texts (into text) */
	size_t *len;
	size_t n, cap;
	size_t *off; /* where each value starts in text (v is set from it once text is full) */
	char *text;  /* the values, decoded out of the index */
	size_t text_len, text_cap;
} str_vec;

void idmap_str_vec_free(str_vec *s);

/* Entry columns of the list (0 for NULL). */
size_t idmap_fields_count(const idmap_fields *f);
/* Row columns asked for (0 for NULL): the To column, the Obsolete column. */
#define IDMAP_FIELDS_TO 1u
#define IDMAP_FIELDS_OBSOLETE 2u
unsigned idmap_fields_row(const idmap_fields *f);
/* Writes the TSV header labels of the fields, each preceded by a TAB. */
void idmap_fields_header(const idmap_fields *f, idmap_obuf *o);
/* The target of result row r when it is an entry of the FASTA files alone (JOB_TO_RECORD),
 * for idmap_fields_tsv / _json; else NULL. */
const char *idmap_row_alone(const idmap_job *j, const idmap_result *r);
/* Writes the TSV cells of entry acc_slot, each preceded by a TAB. With acc_slot UINT64_MAX
 * and alone non-NULL (idmap_row_alone): those of the entry-store record of
 * accession alone (one of the FASTA files only, in no idmapping file), from the record
 * alone; IDMAP_ERR_NOT_FOUND (nothing written) when the store has no UniProtKB record of it. */
int idmap_fields_tsv(const idmap_fields *f, const idmap_job *j, uint64_t acc_slot,
		     const char *alone, size_t alone_len, str_vec *s, idmap_obuf *o);
/* The same for the inactive entry of row r (a deleted accession): its accession, empty
 * cells for the other columns; in JSON, UniProt's inactive entry object. */
void idmap_fields_tsv_inactive(const idmap_fields *f, const idmap_result *r, idmap_obuf *o);
void idmap_fields_json_inactive(const idmap_result *r, idmap_obuf *o);
/* Writes the UniProt entry object of acc_slot (or of alone, as above; JSON) restricted to
 * the fields. */
int idmap_fields_json(const idmap_fields *f, const idmap_job *j, uint64_t acc_slot,
		      const char *alone, size_t alone_len, str_vec *s, idmap_obuf *o);
/* ---- The list format (render_list.c) ------------------------------------------------------- */

/* Writes the distinct targets of the rows next gives (1 with *row, in ascending order; 0 at
 * the end) once each, in the order of their first row; temporary files go to tmp_dir (NULL:
 * $TMPDIR or /tmp). Memory is bounded whatever the job size. */
int idmap_render_list(const idmap_job *j, int (*next)(void *it, uint64_t *row), void *it,
		      const char *tmp_dir, idmap_obuf *o);

/* ---- Entry objects of UniRef and UniParc targets (render_entry.c) ------------------------- */

/* 1 for a UniRef target, 2 for UniParc, 0 for the others (no entry object). */
int idmap_job_target_object(const idmap_job *j);
/* Writes the `to` object of row r: UniRef (members: at most that many listed, 0 = all) or
 * UniParc. */
int idmap_render_entry(const idmap_job *j, const idmap_result *r, uint64_t members,
		       idmap_obuf *o);

#endif
