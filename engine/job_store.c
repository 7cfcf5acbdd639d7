/* Finished mapping jobs saved as self-contained, checksummed blobs and loaded back (FORMAT.md,
 * "Job file"), so that the REST server keeps its jobs across restarts.
 *
 * Saving streams the blob twice through a 64 KiB buffer: a first pass computes the CRC that
 * the header carries, the second writes. Loading checks the header and the CRC before it reads
 * anything else, recreates the request through idmap_job_new (the catalogue and the index types
 * resolved as for a new job), then restores ids, rows and warnings, checking every length,
 * count, slot and id against the index, and the stored statistics against the restored data.
 * Nothing in the blob is trusted: a damaged or hostile blob gives IDMAP_ERR_CORRUPT. */
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "accession.h"
#include "index_internal.h"
#include "semantics.h"

#define JOB_MAGIC "IDMAPJOB"
#define JOB_MAGIC_LEN 8u
#define JOB_VERSION 2u
#define JOB_HEADER_SIZE 16u /* magic, version, CRC-32 of the body */
#define JOB_PART_HEAD 12u   /* u32 part id, u64 length */
#define JOB_ID_SIZE 24u	    /* an id record without its reason text */
#define JOB_ROW_SIZE 20u
#define JOB_STATS_COUNT 12u /* the fields of idmap_job_stats */
#define JOB_MAX_NAME 255u
#define JOB_MAX_IDS ((1u << 31) - 1) /* as idmap_job_add_ids */
#define JOB_MAX_WARN_CODE 999u

enum {
	JOB_PART_REQUEST = 1,
	JOB_PART_TEXT = 2,
	JOB_PART_IDS = 3,
	JOB_PART_ROWS = 4,
	JOB_PART_SUGGESTED = 5,
	JOB_PART_WARNINGS = 6,
	JOB_PART_STATS = 7,
};

/* REQUEST flags; other bits are reserved. */
#define JOB_F_VIA 1u
#define JOB_F_ISOFORMS 2u
#define JOB_F_CANONICAL 4u
#define JOB_F_ONE_TO_MANY 8u
#define JOB_F_INACTIVE 16u /* include_inactive (UniParc cross-references) */
#define JOB_F_ALL 31u

#define NONE UINT32_MAX

IDMAP_API uint64_t idmap_index_fingerprint(const idmap_index *ix)
{
	if (!ix)
		return 0;
	return (uint64_t)idmap_rd32(ix->map + IDMAP_HDR_HEADER_CRC) << 32 |
	       idmap_rd32(ix->map + IDMAP_HDR_TABLE_CRC);
}

/* The fields of idmap_job_stats in their order on disk (declaration order). */
static void stats_fields(const idmap_job_stats *st, uint64_t v[JOB_STATS_COUNT])
{
	v[0] = st->inputs;
	v[1] = st->distinct;
	v[2] = st->duplicates;
	v[3] = st->mapped;
	v[4] = st->failed;
	v[5] = st->secondary;
	v[6] = st->deleted;
	v[7] = st->obsolete;
	v[8] = st->results;
	v[9] = st->suggested;
	v[10] = st->max_fanout;
	v[11] = st->max_fanout_id;
}

/* ---- Saving ------------------------------------------------------------------------------ */

/* The blob is written through an idmap_obuf whose write function sums the CRC of the bytes
 * and passes them on (to nothing in the checksum pass). */
typedef struct {
	uint32_t crc;
	idmap_write_fn write; /* NULL: the checksum pass writes nothing */
	void *ctx;
} crc_tee;

static int crc_write(void *ctx, const void *p, size_t n)
{
	crc_tee *t = ctx;
	t->crc = libdeflate_crc32(t->crc, p, n);
	return t->write ? t->write(t->ctx, p, n) : 0;
}

static void put(idmap_obuf *s, const void *p, size_t n) { idmap_obuf_put(s, p, n); }

static void put8(idmap_obuf *s, uint8_t v) { put(s, &v, 1); }

static void put16(idmap_obuf *s, uint16_t v)
{
	uint8_t b[2];
	idmap_wr16(b, v);
	put(s, b, 2);
}

static void put32(idmap_obuf *s, uint32_t v)
{
	uint8_t b[4];
	idmap_wr32(b, v);
	put(s, b, 4);
}

static void put64(idmap_obuf *s, uint64_t v)
{
	uint8_t b[8];
	idmap_wr64(b, v);
	put(s, b, 8);
}

static void put_part(idmap_obuf *s, uint32_t id, uint64_t len)
{
	put32(s, id);
	put64(s, len);
}

static void put_rows(idmap_obuf *s, uint32_t id, const job_row *v, size_t n)
{
	put_part(s, id, 8 + (uint64_t)n * JOB_ROW_SIZE);
	put64(s, n);
	for (size_t i = 0; i < n; i++) {
		put32(s, v[i].id);
		put64(s, v[i].to);
		put64(s, v[i].via);
	}
}

static size_t reason_len(const job_idrec *r)
{
	return r->status == IDMAP_ID_MAPPED || !r->reason ? 0 : strlen(r->reason);
}

/* The body: fingerprint and the seven parts. Lengths were checked by job_saveable. */
static void put_body(const idmap_job *j, idmap_obuf *s)
{
	size_t fl = strlen(j->from.name), tl = strlen(j->to.name);
	uint32_t flags = (j->via ? JOB_F_VIA : 0) | (j->include_isoforms ? JOB_F_ISOFORMS : 0) |
			 (j->canonical ? JOB_F_CANONICAL : 0) |
			 (j->allow_one_to_many ? JOB_F_ONE_TO_MANY : 0) |
			 (j->up.include_inactive ? JOB_F_INACTIVE : 0);
	put64(s, idmap_index_fingerprint(j->ix));

	put_part(s, JOB_PART_REQUEST, 4 + 2 + fl + 2 + tl + 4 + 8 * (uint64_t)j->n_taxa);
	put32(s, flags);
	put16(s, (uint16_t)fl);
	put(s, j->from.name, fl);
	put16(s, (uint16_t)tl);
	put(s, j->to.name, tl);
	put32(s, (uint32_t)j->n_taxa);
	for (size_t i = 0; i < j->n_taxa; i++)
		put64(s, j->taxa[i]);

	put_part(s, JOB_PART_TEXT, j->arena_len);
	put(s, j->arena, j->arena_len);

	uint64_t idlen = 4;
	for (size_t i = 0; i < j->n_ids; i++)
		idlen += JOB_ID_SIZE + reason_len(&j->ids[i]);
	put_part(s, JOB_PART_IDS, idlen);
	put32(s, (uint32_t)j->n_ids);
	for (size_t i = 0; i < j->n_ids; i++) {
		const job_idrec *r = &j->ids[i];
		size_t rl = reason_len(r);
		put32(s, r->len);
		put32(s, r->from_off);
		put32(s, r->from_len);
		put8(s, r->status);
		/* 3, 4: deleted from Swiss-Prot, from TrEMBL (FORMAT.md, IDS) */
		put8(s, (uint8_t)(r->obsolete + (r->obsolete == IDMAP_OBSOLETE_DELETED
						      ? r->deleted_from : 0)));
		put16(s, (uint16_t)rl);
		put64(s, r->sec_key);
		put(s, r->reason, rl);
	}

	put_rows(s, JOB_PART_ROWS, j->rows, j->n_rows);
	put_rows(s, JOB_PART_SUGGESTED, j->sugg, j->n_sugg);

	uint64_t wlen = 4;
	for (size_t i = 0; i < j->n_warn; i++)
		wlen += 6 + strlen(j->warn_msg[i]);
	put_part(s, JOB_PART_WARNINGS, wlen);
	put32(s, (uint32_t)j->n_warn);
	for (size_t i = 0; i < j->n_warn; i++) {
		size_t ml = strlen(j->warn_msg[i]);
		put32(s, (uint32_t)j->warn_code[i]);
		put16(s, (uint16_t)ml);
		put(s, j->warn_msg[i], ml);
	}

	idmap_job_stats st;
	uint64_t v[JOB_STATS_COUNT];
	idmap_job_get_stats(j, &st);
	stats_fields(&st, v);
	put_part(s, JOB_PART_STATS, 8 * JOB_STATS_COUNT);
	for (unsigned i = 0; i < JOB_STATS_COUNT; i++)
		put64(s, v[i]);
	idmap_obuf_flush(s);
}

static int name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n >= 1 && n <= JOB_MAX_NAME;
}

/* A job whose run finished: every id has an outcome, the texts fit their fields and lie one
 * after the other in the arena (as idmap_job_add_ids stores them). */
static int job_saveable(const idmap_job *j)
{
	if (!j->ran || j->st.results != j->n_rows || j->st.suggested != j->n_sugg ||
	    j->n_ids > JOB_MAX_IDS || j->n_taxa > UINT32_MAX ||
	    j->arena_len > UINT32_MAX || j->n_warn > JOB_MAX_WARNINGS || !name_ok(j->from.name) ||
	    !name_ok(j->to.name))
		return 0;
	uint64_t off = 0;
	for (size_t i = 0; i < j->n_ids; i++) {
		const job_idrec *r = &j->ids[i];
		if (r->status < IDMAP_ID_MAPPED || r->status > IDMAP_ID_UNIPARC ||
		    (r->status != IDMAP_ID_MAPPED && !r->reason) || reason_len(r) > UINT16_MAX ||
		    r->off != off)
			return 0;
		off += r->len;
	}
	if (off != j->arena_len)
		return 0;
	for (size_t i = 0; i < j->n_warn; i++)
		if (j->warn_code[i] <= 0 || (unsigned)j->warn_code[i] > JOB_MAX_WARN_CODE)
			return 0;
	return 1;
}

IDMAP_API int idmap_job_save(const idmap_job *j, idmap_write_fn write, void *ctx)
{
	if (!j || !write || !job_saveable(j))
		return IDMAP_ERR_INVALID;
	idmap_obuf *s = malloc(sizeof *s);
	if (!s)
		return IDMAP_ERR_NOMEM;
	crc_tee t = {0, NULL, NULL};
	idmap_obuf_init(s, crc_write, &t);
	put_body(j, s); /* the checksum pass */
	uint8_t h[JOB_HEADER_SIZE];
	memcpy(h, JOB_MAGIC, JOB_MAGIC_LEN);
	idmap_wr32(h + 8, JOB_VERSION);
	idmap_wr32(h + 12, t.crc);
	int rc = write(ctx, h, sizeof h) ? IDMAP_STOPPED : IDMAP_OK;
	if (rc == IDMAP_OK) {
		t = (crc_tee){0, write, ctx};
		idmap_obuf_init(s, crc_write, &t);
		put_body(j, s);
		rc = s->rc;
	}
	free(s);
	return rc;
}

/* ---- Loading ----------------------------------------------------------------------------- */

/* A bounds-checked reader: a read past end sets bad, yields zeros and empties the reader. */
typedef struct {
	const uint8_t *p, *end;
	int bad;
} job_rd;

static size_t rd_left(const job_rd *r) { return (size_t)(r->end - r->p); }

static const uint8_t *take(job_rd *r, size_t n)
{
	if (r->bad || rd_left(r) < n) {
		r->bad = 1;
		r->p = r->end;
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += n;
	return p;
}

static uint8_t get8(job_rd *r)
{
	const uint8_t *p = take(r, 1);
	return p ? p[0] : 0;
}

static uint16_t get16(job_rd *r)
{
	const uint8_t *p = take(r, 2);
	return p ? idmap_rd16(p) : 0;
}

static uint32_t get32(job_rd *r)
{
	const uint8_t *p = take(r, 4);
	return p ? idmap_rd32(p) : 0;
}

static uint64_t get64(job_rd *r)
{
	const uint8_t *p = take(r, 8);
	return p ? idmap_rd64(p) : 0;
}

/* The next part of the body, which must be part id: its payload in *part. */
static int get_part(job_rd *body, uint32_t id, job_rd *part)
{
	uint32_t got = get32(body);
	uint64_t len = get64(body);
	if (body->bad || got != id || len > rd_left(body))
		return IDMAP_ERR_CORRUPT;
	part->p = take(body, (size_t)len);
	part->end = part->p + len;
	part->bad = 0;
	return IDMAP_OK;
}

/* A name of the request: 1 .. 255 bytes without NUL, copied NUL-terminated into out. */
static int get_name(job_rd *r, char out[JOB_MAX_NAME + 1])
{
	uint16_t n = get16(r);
	const uint8_t *p = take(r, n);
	if (!p || n < 1 || n > JOB_MAX_NAME || memchr(p, 0, n))
		return IDMAP_ERR_CORRUPT;
	memcpy(out, p, n);
	out[n] = 0;
	return IDMAP_OK;
}

/* Recreates the request's job through idmap_job_new: the same catalogue entries, index types
 * and taxon keys as the saved job had. */
static int load_request(const idmap_index *ix, job_rd *r, idmap_job **out)
{
	char from[JOB_MAX_NAME + 1], to[JOB_MAX_NAME + 1];
	uint32_t flags = get32(r);
	if (r->bad || (flags & ~JOB_F_ALL) || get_name(r, from) != IDMAP_OK ||
	    get_name(r, to) != IDMAP_OK)
		return IDMAP_ERR_CORRUPT;
	uint32_t n = get32(r);
	if (r->bad || rd_left(r) != 8 * (uint64_t)n)
		return IDMAP_ERR_CORRUPT;
	uint64_t *taxa = malloc((n ? n : 1) * sizeof *taxa);
	if (!taxa)
		return IDMAP_ERR_NOMEM;
	for (uint32_t i = 0; i < n; i++)
		taxa[i] = get64(r);
	idmap_request req = {from,
			     to,
			     (flags & JOB_F_VIA) ? "UniProtKB" : NULL,
			     taxa,
			     n,
			     (flags & JOB_F_ISOFORMS) != 0,
			     (flags & JOB_F_CANONICAL) != 0,
			     (flags & JOB_F_ONE_TO_MANY) != 0,
			     (flags & JOB_F_INACTIVE) != 0};
	int rc = idmap_job_new(ix, &req, out, NULL);
	free(taxa);
	if (rc == IDMAP_ERR_NOMEM)
		return rc;
	/* the stored names are the resolved ones: they must resolve to themselves */
	if (rc != IDMAP_OK || strcmp((*out)->from.name, from) || strcmp((*out)->to.name, to))
		return IDMAP_ERR_CORRUPT;
	return IDMAP_OK;
}

/* The library's static reason equal to s[0, n) for id r, or NULL when this version has none
 * (the caller then keeps a copy in the job). */
static const char *static_reason(const idmap_job *j, const job_idrec *r, const char *s,
				 size_t n)
{
	const char *k = r->status == IDMAP_ID_DELETED ? idmap_deleted_text(r->deleted_from)
						     : idmap_id_status_text(r->status);
	if (strlen(k) == n && !memcmp(k, s, n))
		return k;
	if (r->status != IDMAP_ID_INVALID)
		return NULL;
	const char *t = j->arena + r->off;
	idmap_idform f;
	int sp = j->from_special, level = sp == CAT_UNIREF50 ? 50 : sp == CAT_UNIREF90 ? 90 : 100;
	if (j->from.kind == IDMAP_DB_KIND_ACCESSION)
		idmap_parse_uniprot_id(t, r->len, &f);
	else if (sp == CAT_UNIPARC)
		idmap_parse_uniparc_id(t, r->len, &f);
	else if (sp >= CAT_UNIREF50 && sp <= CAT_UNIREF100)
		idmap_parse_uniref_id(t, r->len, level, &f);
	else
		return NULL;
	if (f.form == IDMAP_FORM_INVALID && f.reason && strlen(f.reason) == n &&
	    !memcmp(f.reason, s, n))
		return f.reason;
	return NULL;
}

/* A key slot of type, or not. */
static int key_of_type(const idmap_index *ix, uint64_t slot, uint32_t type)
{
	uint32_t t;
	return type != NONE && slot < idmap_key_count(ix) &&
	       idmap_key_get(ix, slot, &t, NULL, NULL) == IDMAP_OK && t == type;
}

/* A row's to in a job reading UniParc cross-references (uniparc.c): a suggested UPI (target
 * UniProtKB), a UPI or UniParc key (target UniParc), a cross-reference value (UniParc
 * source); inactive ones only when asked for. */
static int uparc_row_ok(const idmap_job *j, uint64_t to, int sugg)
{
	uint64_t s = JOB_TO_SLOT(to), code;
	if ((to & JOB_TO_XREF_INACTIVE) && !j->up.include_inactive)
		return 0;
	if (to & JOB_TO_UPI)
		return j->up.mode == UPARC_FALLBACK && (sugg || j->to_special == CAT_UNIPARC) &&
		       idmap_acc_code(j->ix, s, &code) == IDMAP_OK && idmap_code_is_upi(code);
	if (j->up.mode == UPARC_FORWARD)
		return !sugg && key_of_type(j->ix, s, j->up.fwd[(to & JOB_TO_XREF_INACTIVE) != 0]);
	if (sugg) /* a fallback job's suggestions are UPIs */
		return 0;
	int acc = j->to.kind == IDMAP_DB_KIND_UNIPROTKB;
	return acc ? s < idmap_acc_count(j->ix) && !(to & JOB_TO_XREF_INACTIVE)
		   : key_of_type(j->ix, s, j->to.type_id);
}

/* 1 for one id as idmap_job_add_ids / _add_lines keep them: no comma or line break, no
 * white space around it (inside only from idmap_job_add_lines). */
static int one_id(const char *t, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] == ',' || t[i] == '\n' || t[i] == '\r')
			return 0;
	int sp0 = t[0] == ' ' || (t[0] >= '\t' && t[0] <= '\r');
	int sp1 = t[n - 1] == ' ' || (t[n - 1] >= '\t' && t[n - 1] <= '\r');
	return !sp0 && !sp1;
}

/* TEXT and IDS: the arena holds the id texts, then copies of reasons with no static text. */
static int load_ids(idmap_job *j, job_rd *text, job_rd *r)
{
	size_t tlen = rd_left(text), cap = tlen + rd_left(r) + 1;
	uint32_t n = get32(r);
	if (r->bad || tlen > UINT32_MAX || n > JOB_MAX_IDS ||
	    (uint64_t)n * JOB_ID_SIZE > rd_left(r))
		return IDMAP_ERR_CORRUPT;
	j->arena = malloc(cap);
	j->ids = calloc(n ? n : 1, sizeof *j->ids);
	if (!j->arena || !j->ids)
		return IDMAP_ERR_NOMEM;
	if (tlen)
		memcpy(j->arena, text->p, tlen);
	j->arena_len = tlen;
	j->arena_cap = cap;
	j->cap_ids = n ? n : 1;
	size_t tail = tlen;
	uint64_t off = 0;
	for (uint32_t i = 0; i < n; i++) {
		job_idrec *d = &j->ids[j->n_ids];
		d->len = get32(r);
		d->from_off = get32(r);
		d->from_len = get32(r);
		d->status = get8(r);
		uint8_t obs = get8(r);
		d->obsolete = obs > IDMAP_OBSOLETE_DELETED ? IDMAP_OBSOLETE_DELETED : obs;
		d->deleted_from = obs > IDMAP_OBSOLETE_DELETED ? (uint8_t)(obs - 2) : 0;
		uint16_t rl = get16(r);
		d->sec_key = get64(r);
		const char *rs = (const char *)take(r, rl);
		if (r->bad || d->len < 1 || d->len > tlen - off ||
		    (uint64_t)d->from_off + d->from_len > d->len)
			return IDMAP_ERR_CORRUPT;
		d->off = (uint32_t)off;
		off += d->len;
		if (!one_id(j->arena + d->off, d->len))
			return IDMAP_ERR_CORRUPT;
		int del = d->obsolete == IDMAP_OBSOLETE_DELETED;
		if (d->status < IDMAP_ID_MAPPED || d->status > IDMAP_ID_UNIPARC ||
		    obs > IDMAP_OBSOLETE_DELETED + IDMAP_DELETED_TREMBL ||
		    (d->status == IDMAP_ID_DELETED && !del) ||
		    (del && d->status != (j->inactive_rows ? IDMAP_ID_MAPPED : IDMAP_ID_DELETED)) ||
		    (d->status == IDMAP_ID_MAPPED) != (rl == 0) || memchr(rs, 0, rl))
			return IDMAP_ERR_CORRUPT;
		int sec = d->obsolete == IDMAP_OBSOLETE_SECONDARY;
		if (sec ? !key_of_type(j->ix, d->sec_key, j->t_sec) : d->sec_key != 0)
			return IDMAP_ERR_CORRUPT;
		if (rl && !(d->reason = static_reason(j, d, rs, rl))) {
			memcpy(j->arena + tail, rs, rl);
			j->arena[tail + rl] = 0;
			d->reason = j->arena + tail;
			tail += (size_t)rl + 1;
		}
		j->n_ids++;
	}
	if (off != tlen || rd_left(r))
		return IDMAP_ERR_CORRUPT;
	return IDMAP_OK;
}

/* ROWS and SUGGESTED: ids in order and in range, targets and accessions in the index. */
static int load_rows(idmap_job *j, job_rd *r, int sugg, job_row **out, size_t *n_out,
		     size_t *cap_out)
{
	uint64_t n = get64(r);
	if (r->bad || rd_left(r) / JOB_ROW_SIZE != n || rd_left(r) % JOB_ROW_SIZE)
		return IDMAP_ERR_CORRUPT;
	job_row *v = malloc((n ? n : 1) * sizeof *v);
	if (!v)
		return IDMAP_ERR_NOMEM;
	*out = v;
	*cap_out = n ? n : 1;
	int acc = j->to.kind == IDMAP_DB_KIND_UNIPROTKB || j->to.kind == IDMAP_DB_KIND_SWISSPROT;
	uint64_t n_acc = idmap_acc_count(j->ix);
	if (sugg && n && j->to.kind != IDMAP_DB_KIND_SWISSPROT && j->up.mode != UPARC_FALLBACK)
		return IDMAP_ERR_CORRUPT;
	for (uint64_t i = 0; i < n; i++) {
		job_row *w = &v[i];
		w->id = get32(r);
		w->acc1 = 0;
		w->to = get64(r);
		w->via = get64(r);
		if (w->id >= j->n_ids || (i && w->id < w[-1].id))
			return IDMAP_ERR_CORRUPT;
		if (w->to & JOB_TO_INACTIVE) { /* a deleted input's inactive entry, its only row */
			const job_idrec *d = &j->ids[w->id];
			if (sugg || !j->inactive_rows || d->obsolete != IDMAP_OBSOLETE_DELETED ||
			    d->rows ||
			    idmap_deleted_key_list(j, w->to & ~JOB_TO_INACTIVE) != d->deleted_from)
				return IDMAP_ERR_CORRUPT;
			j->st.inactive++;
		} else if (w->to & JOB_TO_RECORD) { /* an entry of the FASTA files alone */
			idmap_entry e;
			if (sugg || !acc || j->via ||
			    idmap_entry_get(j->ix, w->to & ~JOB_TO_RECORD, &e) != IDMAP_OK ||
			    (e.kind != IDMAP_ENTRY_SWISSPROT && e.kind != IDMAP_ENTRY_TREMBL))
				return IDMAP_ERR_CORRUPT;
		} else if ((w->to & (JOB_TO_UPI | JOB_TO_XREF_INACTIVE)) || j->up.mode) {
			if (!uparc_row_ok(j, w->to, sugg))
				return IDMAP_ERR_CORRUPT;
		} else if (acc ? w->to >= n_acc : !key_of_type(j->ix, w->to, j->to.type_id)) {
			return IDMAP_ERR_CORRUPT;
		} else if (!sugg && j->inactive_rows &&
			   j->ids[w->id].obsolete == IDMAP_OBSOLETE_DELETED) {
			return IDMAP_ERR_CORRUPT; /* a deleted input has its inactive entry alone */
		}
		if (j->via ? w->via >= n_acc : w->via != 0 && w->via >= n_acc)
			return IDMAP_ERR_CORRUPT;
		if (sugg) {
			if (j->ids[w->id].status != (j->up.mode == UPARC_FALLBACK ? IDMAP_ID_UNIPARC
										 : IDMAP_ID_UNREVIEWED))
				return IDMAP_ERR_CORRUPT;
		} else {
			j->ids[w->id].rows++;
		}
		*n_out = i + 1;
	}
	return IDMAP_OK;
}

static int load_warnings(idmap_job *j, job_rd *r)
{
	uint32_t n = get32(r);
	if (r->bad || n > JOB_MAX_WARNINGS)
		return IDMAP_ERR_CORRUPT;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t code = get32(r);
		uint16_t len = get16(r);
		const uint8_t *p = take(r, len);
		if (!p || code < 1 || code > JOB_MAX_WARN_CODE || len >= sizeof j->warn_msg[0] ||
		    memchr(p, 0, len))
			return IDMAP_ERR_CORRUPT;
		j->warn_code[i] = (int)code;
		memcpy(j->warn_msg[i], p, len);
		j->warn_msg[i][len] = 0;
		j->n_warn = i + 1;
	}
	return rd_left(r) ? IDMAP_ERR_CORRUPT : IDMAP_OK;
}

/* STATS: must be what the restored ids and rows say, as idmap_job_run counts them. */
static int load_stats(idmap_job *j, job_rd *r)
{
	uint64_t v[JOB_STATS_COUNT];
	for (unsigned i = 0; i < JOB_STATS_COUNT; i++)
		v[i] = get64(r);
	if (r->bad || rd_left(r))
		return IDMAP_ERR_CORRUPT;
	idmap_job_stats st = {0};
	st.inactive = j->st.inactive; /* counted by load_rows */
	st.inputs = v[0];
	st.distinct = j->n_ids;
	st.duplicates = v[0] - j->n_ids;
	for (size_t i = 0; i < j->n_ids; i++) {
		const job_idrec *d = &j->ids[i];
		if ((d->status == IDMAP_ID_MAPPED) != (d->rows != 0))
			return IDMAP_ERR_CORRUPT;
		if (d->status == IDMAP_ID_MAPPED)
			st.mapped++;
		else if (idmap_id_failed(d->status))
			st.failed++;
		st.secondary += d->obsolete == IDMAP_OBSOLETE_SECONDARY;
		st.deleted += d->obsolete == IDMAP_OBSOLETE_DELETED;
		if (d->rows > st.max_fanout) {
			st.max_fanout = d->rows;
			st.max_fanout_id = i;
		}
	}
	st.obsolete = st.secondary + st.deleted;
	st.results = j->n_rows;
	st.suggested = j->n_sugg;
	uint64_t w[JOB_STATS_COUNT];
	stats_fields(&st, w);
	if (v[0] < j->n_ids || memcmp(v, w, sizeof v) != 0)
		return IDMAP_ERR_CORRUPT;
	j->n_inputs = st.inputs;
	st.inputs = st.distinct = st.duplicates = 0; /* as idmap_job_run leaves them */
	j->st = st;
	return IDMAP_OK;
}

static int load_body(const idmap_index *ix, job_rd *body, idmap_job **out)
{
	job_rd part, text;
	int rc;
	if ((rc = get_part(body, JOB_PART_REQUEST, &part)) != IDMAP_OK ||
	    (rc = load_request(ix, &part, out)) != IDMAP_OK)
		return rc;
	idmap_job *j = *out;
	if ((rc = get_part(body, JOB_PART_TEXT, &text)) != IDMAP_OK ||
	    (rc = get_part(body, JOB_PART_IDS, &part)) != IDMAP_OK ||
	    (rc = load_ids(j, &text, &part)) != IDMAP_OK ||
	    (rc = get_part(body, JOB_PART_ROWS, &part)) != IDMAP_OK ||
	    (rc = load_rows(j, &part, 0, &j->rows, &j->n_rows, &j->cap_rows)) != IDMAP_OK ||
	    (rc = get_part(body, JOB_PART_SUGGESTED, &part)) != IDMAP_OK ||
	    (rc = load_rows(j, &part, 1, &j->sugg, &j->n_sugg, &j->cap_sugg)) != IDMAP_OK ||
	    (rc = get_part(body, JOB_PART_WARNINGS, &part)) != IDMAP_OK ||
	    (rc = load_warnings(j, &part)) != IDMAP_OK ||
	    (rc = get_part(body, JOB_PART_STATS, &part)) != IDMAP_OK ||
	    (rc = load_stats(j, &part)) != IDMAP_OK)
		return rc;
	return rd_left(body) ? IDMAP_ERR_CORRUPT : IDMAP_OK;
}

IDMAP_API int idmap_job_load(const idmap_index *ix, const void *blob, size_t len,
			     idmap_job **out)
{
	if (!out)
		return IDMAP_ERR_INVALID;
	*out = NULL;
	if (!ix || (!blob && len))
		return IDMAP_ERR_INVALID;
	const uint8_t *b = blob;
	if (len < JOB_HEADER_SIZE + 8 || memcmp(b, JOB_MAGIC, JOB_MAGIC_LEN) != 0)
		return IDMAP_ERR_CORRUPT;
	if (idmap_rd32(b + 8) != JOB_VERSION)
		return IDMAP_ERR_VERSION;
	if (libdeflate_crc32(0, b + JOB_HEADER_SIZE, len - JOB_HEADER_SIZE) != idmap_rd32(b + 12))
		return IDMAP_ERR_CORRUPT;
	job_rd body = {b + JOB_HEADER_SIZE, b + len, 0};
	if (get64(&body) != idmap_index_fingerprint(ix))
		return IDMAP_ERR_STALE;
	idmap_job *j = NULL;
	int rc = load_body(ix, &body, &j);
	if (rc != IDMAP_OK) {
		idmap_job_free(j);
		return rc;
	}
	j->ran = 1;
	*out = j;
	return IDMAP_OK;
}
