/* Running a mapping job: each distinct id is resolved to UniProtKB accessions (identifier
 * forms, entry names, secondary and deleted accessions, unversioned values), the accessions
 * are expanded (isoforms), renamed (canonical), filtered (taxon, reviewed), then projected on
 * the target. Scratch arrays are per run (job_run): no allocation per id. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accession.h"
#include "hash.h"
#include "idmap_vec.h"
#include "index_internal.h"
#include "semantics.h"

#define NONE UINT32_MAX

/* ---- Sources ----------------------------------------------------------------------------- */

/* idmap_key_find of (from.type_id, v) where the run loop already found the slot of the id as
 * typed (run->key_hint): the key's record is checked as idmap_key_find does (in the bounds
 * the warm stages read, when they did). */
static int key_check(const idmap_job *j, const job_run *run, const char *v, size_t n,
		     uint64_t *key)
{
	int rc = run->key_hint_rec ? idmap_key_is_at(j->ix, run->key_hint_rec, run->key_hint_end,
						     j->from.type_id, v, n)
				   : idmap_key_is(j->ix, run->key_hint, j->from.type_id, v, n);
	if (rc == IDMAP_OK)
		*key = run->key_hint;
	return rc;
}

/* Appends the accessions of key (type, v); IDMAP_ERR_NOT_FOUND when there is no such key. */
static int add_key(const idmap_job *j, job_run *run, uint32_t type, const char *v, size_t n,
		   uint64_t *key)
{
	uint64_t k, slot;
	if (type == NONE)
		return IDMAP_ERR_NOT_FOUND;
	int hinted = v == run->key_hint_text && type == j->from.type_id;
	int rc = hinted ? key_check(j, run, v, n, &k) : idmap_key_find(j->ix, type, v, n, &k);
	if (rc != IDMAP_OK)
		return rc;
	if (key)
		*key = k;
	idmap_rev_iter it;
	rc = hinted && run->key_hint_rec
		     ? idmap_rev_begin_at(j->ix, run->key_hint_rec, run->key_hint_end, &it)
		     : idmap_rev_begin(j->ix, k, &it, NULL);
	if (rc != IDMAP_OK)
		return rc;
	while ((rc = idmap_rev_next(&it, &slot)) == IDMAP_OK)
		if ((rc = idmap_u64_push(&run->accs, slot)) != IDMAP_OK)
			return rc;
	return rc == IDMAP_DONE ? IDMAP_OK : rc;
}

/* A value of a cross-reference type: exact, plus every version of an unversioned value. */
static int add_value(const idmap_job *j, job_run *run, const char *v, size_t n)
{
	int a = add_key(j, run, j->from.type_id, v, n, NULL), b = IDMAP_ERR_NOT_FOUND;
	if (a != IDMAP_OK && a != IDMAP_ERR_NOT_FOUND)
		return a;
	if (j->t_unver != NONE && !idmap_value_versioned(v, n, NULL)) {
		b = add_key(j, run, j->t_unver, v, n, NULL);
		if (b != IDMAP_OK && b != IDMAP_ERR_NOT_FOUND)
			return b;
	}
	return a == IDMAP_OK || b == IDMAP_OK ? IDMAP_OK : IDMAP_ERR_NOT_FOUND;
}

/* Gene names are case-insensitive in UniProt: as typed, upper case (human, yeast),
 * capitalised (mouse, rat) and lower case; the union of what they find. */
static int gene_variants(const idmap_job *j, job_run *run, const char *t, size_t n)
{
	char v[4][IDMAP_ID_TEXT_SIZE * 4];
	int found = 0;
	for (int k = 0; k < 4; k++) {
		for (size_t i = 0; i < n; i++) {
			char c = t[i], up = c >= 'a' && c <= 'z' ? (char)(c - 32) : c,
			     lo = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
			v[k][i] = k == 0 ? c : k == 1 ? up : k == 2 ? (i ? lo : up) : lo;
		}
		int seen = 0;
		for (int m = 0; m < k && !seen; m++)
			seen = memcmp(v[m], v[k], n) == 0;
		if (seen)
			continue;
		int rc = add_value(j, run, v[k], n);
		if (rc == IDMAP_OK)
			found = 1;
		else if (rc != IDMAP_ERR_NOT_FOUND)
			return rc;
	}
	return found ? IDMAP_OK : IDMAP_ERR_NOT_FOUND;
}

static int source_type(const idmap_job *j, job_run *run, job_idrec *r, const char *t,
		       size_t n)
{
	idmap_idform f;
	if (j->from_special == CAT_UNIPARC || (j->from_special >= CAT_UNIREF50 &&
					       j->from_special <= CAT_UNIREF100)) {
		int lv = j->from_special == CAT_UNIREF50 ? 50 : j->from_special == CAT_UNIREF90 ? 90
												  : 100;
		int form = j->from_special == CAT_UNIPARC ? idmap_parse_uniparc_id(t, n, &f)
							  : idmap_parse_uniref_id(t, n, lv, &f);
		if (form == IDMAP_FORM_INVALID) {
			r->status = IDMAP_ID_INVALID;
			r->reason = f.reason;
			return IDMAP_OK;
		}
		return add_key(j, run, j->from.type_id, f.norm, f.norm_len, NULL);
	}
	if (j->from.rule == IDMAP_RULE_GENE && n <= IDMAP_ID_TEXT_SIZE * 4)
		return gene_variants(j, run, t, n);
	int rc = add_value(j, run, t, n);
	if (rc != IDMAP_ERR_NOT_FOUND || n > IDMAP_ID_TEXT_SIZE * 4)
		return rc;
	char up[IDMAP_ID_TEXT_SIZE * 4];
	int changed = 0;
	for (size_t i = 0; i < n; i++) {
		up[i] = t[i] >= 'a' && t[i] <= 'z' ? (char)(t[i] - 32) : t[i];
		changed |= up[i] != t[i];
	}
	if (changed && (rc = add_value(j, run, up, n)) != IDMAP_ERR_NOT_FOUND)
		return rc;
	const char *colon = memchr(up, ':', n);
	if (j->from_special == CAT_PDB && colon && colon > up) /* 2BQ0:A, the chain dropped */
		return add_value(j, run, up, (size_t)(colon - up));
	return IDMAP_ERR_NOT_FOUND;
}

/* Old accessions: secondary (-> primaries) or deleted. */
static int history(const idmap_job *j, job_run *run, job_idrec *r, const char *acc,
		   size_t n)
{
	int rc = add_key(j, run, j->t_sec, acc, n, &r->sec_key);
	if (rc == IDMAP_OK) {
		r->obsolete = IDMAP_OBSOLETE_SECONDARY;
		run->st.secondary++;
		return IDMAP_OK;
	}
	/* deleted: from Swiss-Prot (delac_sp), TrEMBL (delac_tr), or a list that did not say */
	static const int lists[] = {IDMAP_DELETED_SWISSPROT, IDMAP_DELETED_TREMBL,
				    IDMAP_DELETED_UNKNOWN};
	uint64_t k;
	for (int i = 0; i < 3 && rc == IDMAP_ERR_NOT_FOUND; i++) {
		if (j->t_del[lists[i]] == NONE ||
		    (rc = idmap_key_find(j->ix, j->t_del[lists[i]], acc, n, &k)) != IDMAP_OK)
			continue;
		r->obsolete = IDMAP_OBSOLETE_DELETED;
		r->deleted_from = (uint8_t)lists[i];
		run->st.deleted++;
		run->del_key = k;
		if (!j->inactive_rows) {
			r->status = IDMAP_ID_DELETED;
			r->reason = idmap_deleted_text(lists[i]);
		}
	}
	return rc;
}

static int source_accession(const idmap_job *j, job_run *run, job_idrec *r, const char *t,
			    size_t n)
{
	idmap_idform parsed;
	const idmap_idform *f = &parsed;
	uint64_t slot;
	if (t == run->form_hint_text) /* the warm stages parsed it */
		f = run->form_hint;
	else
		idmap_parse_uniprot_id(t, n, &parsed);
	int form = f->form;
	r->from_off = (uint32_t)f->from_off;
	r->from_len = (uint32_t)f->from_len;
	switch (form) {
	case IDMAP_FORM_INVALID:
		r->from_len = (uint32_t)n;
		r->status = IDMAP_ID_INVALID;
		r->reason = f->reason;
		return IDMAP_OK;
	case IDMAP_FORM_ENTRY_NAME:
	case IDMAP_FORM_TREMBL_NAME: {
		int rc = add_key(j, run, j->t_entry, f->norm, f->norm_len, NULL);
		if (rc != IDMAP_ERR_NOT_FOUND || form == IDMAP_FORM_ENTRY_NAME)
			return rc;
		break; /* a TrEMBL name: its accession */
	}
	default:
		break;
	}
	if (idmap_acc_find_code(j->ix, f->code, &slot) == IDMAP_OK)
		return idmap_u64_push(&run->accs, slot);
	if (form == IDMAP_FORM_TREMBL_NAME || form == IDMAP_FORM_ISOFORM)
		return IDMAP_ERR_NOT_FOUND;
	return history(j, run, r, f->norm, f->norm_len);
}

/* ---- Accession sets ---------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Sorts run->accs by accession (code order) and drops repeats; tmp holds codes. */
static int sort_accs(const idmap_job *j, job_run *run)
{
	u64_vec *a = &run->accs;
	if (a->n < 2)
		return IDMAP_OK;
	run->tmp.n = 0;
	for (size_t i = 0; i < a->n; i++) {
		uint64_t code;
		int rc = idmap_acc_code(j->ix, a->v[i], &code);
		if (rc != IDMAP_OK || (rc = idmap_u64_push(&run->tmp, code)) != IDMAP_OK)
			return rc;
	}
	qsort(run->tmp.v, run->tmp.n, sizeof *run->tmp.v, cmp_u64);
	size_t n = 0;
	for (size_t i = 0; i < run->tmp.n; i++) {
		if (i && run->tmp.v[i] == run->tmp.v[i - 1])
			continue;
		if (idmap_acc_find_code(j->ix, run->tmp.v[i], &a->v[n]) != IDMAP_OK)
			return IDMAP_ERR_CORRUPT;
		n++;
	}
	a->n = n;
	return IDMAP_OK;
}

/* The canonical slot of slot (itself for a canonical accession or a missing canonical). */
static uint64_t canonical_of(const idmap_job *j, uint64_t slot)
{
	uint64_t code, c;
	if (idmap_acc_code(j->ix, slot, &code) != IDMAP_OK || !idmap_acc_isoform(code) ||
	    idmap_acc_find_code(j->ix, idmap_acc_canonical(code), &c) != IDMAP_OK)
		return slot;
	return c;
}

/* Adds the isoforms X-N of every canonical accession of the set. */
static int add_isoforms(const idmap_job *j, job_run *run)
{
	size_t n = run->accs.n;
	for (size_t i = 0; i < n; i++) {
		uint64_t code, s;
		char text[IDMAP_ACC_TEXT_SIZE];
		size_t len;
		int rc = idmap_acc_code(j->ix, run->accs.v[i], &code);
		if (rc != IDMAP_OK)
			return rc;
		if (idmap_acc_isoform(code))
			continue;
		if (j->t_iso != NONE) { /* the builder's list of isoforms */
			if ((rc = idmap_acc_text(j->ix, run->accs.v[i], text, &len)) != IDMAP_OK)
				return rc;
			rc = add_key(j, run, j->t_iso, text, len, NULL);
			if (rc != IDMAP_OK && rc != IDMAP_ERR_NOT_FOUND)
				return rc;
			continue;
		}
		/* older indexes: consecutive isoform numbers from 1 */
		for (uint64_t k = 1; k <= IDMAP_ACC_ISOFORM_MAX; k++) {
			if (idmap_acc_find_code(j->ix, code + k, &s) != IDMAP_OK)
				break;
			if ((rc = idmap_u64_push(&run->accs, s)) != IDMAP_OK)
				return rc;
		}
	}
	return IDMAP_OK;
}

/* The key slot of the first value of type on slot; 0 when none. Taxa are compared by key
 * slot: their texts are not decoded. */
static int first_value(const idmap_job *j, uint64_t slot, uint32_t type, uint64_t *key)
{
	idmap_fwd_iter it;
	uint64_t t;
	if (type == NONE || idmap_fwd_begin(j->ix, slot, type, &it) != IDMAP_OK)
		return 0;
	return idmap_fwd_next_key(&it, &t, key) == IDMAP_OK;
}

static int taxon_ok(const idmap_job *j, uint64_t canon)
{
	idmap_fwd_iter it;
	uint64_t t, key;
	if (j->t_taxon == NONE || idmap_fwd_begin(j->ix, canon, j->t_taxon, &it) != IDMAP_OK)
		return 0;
	while (idmap_fwd_next_key(&it, &t, &key) == IDMAP_OK)
		for (size_t i = 0; i < j->n_taxa; i++)
			if (j->taxa_key[i] == key)
				return 1;
	return 0;
}

/* Adds x (a key slot + 1) to the set of taxa seen. */
static int taxon_seen_add(job_run *run, uint64_t x)
{
	if (2 * (run->taxa_seen_n + 1) > run->taxa_seen_cap) {
		size_t cap = run->taxa_seen_cap ? 2 * run->taxa_seen_cap : 64;
		uint64_t *t = calloc(cap, sizeof *t);
		if (!t)
			return IDMAP_ERR_NOMEM;
		for (size_t i = 0; i < run->taxa_seen_cap; i++) {
			uint64_t y = run->taxa_seen[i];
			size_t h = (size_t)(y * 0x9E3779B97F4A7C15ull >> 32) & (cap - 1);
			while (y && t[h])
				h = (h + 1) & (cap - 1);
			if (y)
				t[h] = y;
		}
		free(run->taxa_seen);
		run->taxa_seen = t;
		run->taxa_seen_cap = cap;
	}
	size_t mask = run->taxa_seen_cap - 1, h = (size_t)(x * 0x9E3779B97F4A7C15ull >> 32) & mask;
	for (; run->taxa_seen[h]; h = (h + 1) & mask)
		if (run->taxa_seen[h] == x)
			return IDMAP_OK;
	run->taxa_seen[h] = x;
	run->taxa_seen_n++;
	return IDMAP_OK;
}

/* Remembers the taxa of a gene-name job without a taxon filter (IDMAP_WARN_GENE_TAXA). */
static int note_taxon(const idmap_job *j, job_run *run, uint64_t canon)
{
	uint64_t key;
	if (!first_value(j, canon, j->t_taxon, &key))
		return IDMAP_OK;
	return taxon_seen_add(run, key + 1);
}

/* ---- Targets ----------------------------------------------------------------------------- */

static int push_row(job_row **v, size_t *n, size_t *cap, uint32_t id, uint64_t to, uint64_t via)
{
	if (idmap_job_reserve(v, cap, *n + 1, sizeof **v) < 0)
		return IDMAP_ERR_NOMEM;
	(*v)[(*n)++] = (job_row){id, 0, to, via};
	return IDMAP_OK;
}

int idmap_push_row(job_row **v, size_t *n, size_t *cap, uint32_t id, uint64_t to, uint64_t via)
{
	return push_row(v, n, cap, id, to, via);
}

static int cmp_val(const void *a, const void *b)
{
	const job_val *x = a, *y = b;
	if (x->via != y->via) /* via order is the (sorted) accession order */
		return (x->via > y->via) - (x->via < y->via);
	int r = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
	if (r)
		return r;
	return (x->n > y->n) - (x->n < y->n);
}

/* Rows of id: the values of the target type on each accession. The key records (value texts)
 * are read only to sort several values; a single value's row needs its key slot alone, and
 * its text is read once, when the row is rendered. */
static int project_type(const idmap_job *j, job_run *run, uint32_t id)
{
	run->n_vals = 0;
	for (size_t i = 0; i < run->accs.n; i++) {
		idmap_fwd_iter it;
		uint64_t type, key;
		int rc;
		if (j->to.type_id == IDMAP_TYPE_ANY)
			break;
		if ((rc = idmap_fwd_begin(j->ix, run->accs.v[i], j->to.type_id, &it)) != IDMAP_OK)
			return rc;
		while ((rc = idmap_fwd_next_key(&it, &type, &key)) == IDMAP_OK) {
			if (idmap_vec_reserve(&run->vals, &run->cap_vals, run->n_vals + 1,
					      sizeof *run->vals) < 0)
				return IDMAP_ERR_NOMEM;
			run->vals[run->n_vals++] =
				(job_val){NULL, 0, 0, key, j->via ? i : 0, run->accs.v[i]};
		}
		if (rc != IDMAP_DONE)
			return rc;
	}
	if (run->n_vals > 1) { /* the texts, decoded into the run's arena, then sorted */
		run->text_len = 0;
		for (size_t i = 0; i < run->n_vals; i++) {
			if (idmap_vec_reserve(&run->text, &run->text_cap,
					      run->text_len + IDMAP_VALUE_SIZE, 1) < 0)
				return IDMAP_ERR_NOMEM;
			if (idmap_key_text(j->ix, run->vals[i].key, j->to.type_id,
					   run->text + run->text_len, &run->vals[i].n) != IDMAP_OK)
				return IDMAP_ERR_CORRUPT;
			run->vals[i].off = run->text_len;
			run->text_len += run->vals[i].n;
		}
		for (size_t i = 0; i < run->n_vals; i++)
			run->vals[i].p = run->text + run->vals[i].off;
		qsort(run->vals, run->n_vals, sizeof *run->vals, cmp_val);
	}
	for (size_t i = 0; i < run->n_vals; i++) {
		const job_val *v = &run->vals[i];
		if (i && v->key == v[-1].key && v->via == v[-1].via)
			continue;
		int rc = push_row(&run->rows, &run->n_rows, &run->cap_rows, id, v->key,
				  j->via ? run->accs.v[v->via] : 0);
		if (rc != IDMAP_OK)
			return rc;
		if (v->acc < UINT32_MAX)
			run->rows[run->n_rows - 1].acc1 = (uint32_t)v->acc + 1;
	}
	return IDMAP_OK;
}

/* ---- One id ------------------------------------------------------------------------------ */

/* An accession found nowhere in the idmapping data that the FASTA files hold (the entry
 * store): mapped to UniProtKB (Swiss-Prot: a reviewed one) as the entry its record makes,
 * within the taxa asked for. Isoforms keep to the idmapping data. */
static int record_row(const idmap_job *j, job_run *run, uint32_t id, job_idrec *r)
{
	idmap_entry e;
	r->status = IDMAP_ID_NOT_FOUND;
	if (j->from.kind != IDMAP_DB_KIND_ACCESSION || j->via || r->obsolete ||
	    (j->to.kind != IDMAP_DB_KIND_UNIPROTKB && j->to.kind != IDMAP_DB_KIND_SWISSPROT) ||
	    idmap_entry_find(j->ix, j->arena + r->off + r->from_off, r->from_len, &e) != IDMAP_OK ||
	    (e.kind != IDMAP_ENTRY_SWISSPROT && e.kind != IDMAP_ENTRY_TREMBL) ||
	    strlen(e.id) != r->from_len || (j->to.kind == IDMAP_DB_KIND_SWISSPROT && !e.reviewed))
		return IDMAP_OK; /* not found (a TrEMBL one has no idmapping entry to suggest) */
	size_t t = 0;
	while (t < j->n_taxa && j->taxa[t] != e.taxid)
		t++;
	if (j->n_taxa && t == j->n_taxa) {
		r->status = IDMAP_ID_FILTERED;
		return IDMAP_OK;
	}
	r->rows = 1;
	r->status = IDMAP_ID_MAPPED;
	return push_row(&run->rows, &run->n_rows, &run->cap_rows, id, JOB_TO_RECORD | e.record, 0);
}

static int map_route(const idmap_job *j, job_run *run, uint32_t id)
{
	job_idrec *r = &j->ids[id];
	const char *t = j->arena + r->off;
	int rc;
	run->accs.n = 0;
	if (r->status) /* failed when added (too long) */
		return IDMAP_OK;
	rc = j->from.kind == IDMAP_DB_KIND_ACCESSION ? source_accession(j, run, r, t, r->len)
						     : source_type(j, run, r, t, r->len);
	if (rc == IDMAP_ERR_NOT_FOUND)
		rc = IDMAP_OK;
	if (rc != IDMAP_OK || r->status)
		return rc;
	if (r->obsolete == IDMAP_OBSOLETE_DELETED) { /* its inactive entry (inactive_rows) */
		r->rows = 1;
		r->status = IDMAP_ID_MAPPED;
		run->st.inactive++;
		return push_row(&run->rows, &run->n_rows, &run->cap_rows, id,
				JOB_TO_INACTIVE | run->del_key, 0);
	}
	if (run->accs.n == 0)
		return record_row(j, run, id, r);
	if (j->include_isoforms && j->from.kind == IDMAP_DB_KIND_ACCESSION &&
	    (rc = add_isoforms(j, run)) != IDMAP_OK)
		return rc;
	int sp = j->to.kind == IDMAP_DB_KIND_SWISSPROT, gene = !j->n_taxa &&
		 (j->from_special == CAT_GENE_NAME || j->from.rule == IDMAP_RULE_GENE);
	size_t keep = 0, unreviewed = 0, unknown = 0, sugg0 = run->n_sugg;
	for (size_t i = 0; i < run->accs.n; i++) {
		uint64_t s = run->accs.v[i], c = canonical_of(j, s);
		if (j->n_taxa && !taxon_ok(j, c))
			continue;
		if (gene && (rc = note_taxon(j, run, c)) != IDMAP_OK)
			return rc;
		int rv = sp ? idmap_entry_reviewed(j, c) : 1;
		if (rv < 0) { /* no entry name: never guessed (IDMAP_WARN_REVIEW_UNKNOWN) */
			unknown++;
			continue;
		}
		if (rv == 0) {
			uint64_t x = j->canonical ? c : s;
			int dup = 0;
			for (size_t k = sugg0; k < run->n_sugg && !dup; k++)
				dup = run->sugg[k].to == x;
			unreviewed++;
			if (!dup && (rc = push_row(&run->sugg, &run->n_sugg, &run->cap_sugg, id, x, 0)) !=
					    IDMAP_OK)
				return rc;
			continue;
		}
		run->accs.v[keep++] = j->canonical ? c : s;
	}
	run->accs.n = keep;
	run->review_unknown += unknown;
	if (keep == 0) {
		r->status = unreviewed ? IDMAP_ID_UNREVIEWED
			    : unknown  ? IDMAP_ID_REVIEW_UNKNOWN
				       : IDMAP_ID_FILTERED;
		return IDMAP_OK;
	}
	run->n_sugg = sugg0; /* an id with a reviewed entry gets no suggestion */
	if ((rc = sort_accs(j, run)) != IDMAP_OK)
		return rc;
	size_t before = run->n_rows;
	if (j->to.kind == IDMAP_DB_KIND_UNIPROTKB || sp) {
		for (size_t i = 0; i < run->accs.n && rc == IDMAP_OK; i++)
			rc = push_row(&run->rows, &run->n_rows, &run->cap_rows, id, run->accs.v[i],
				      run->accs.v[i]);
	} else {
		rc = project_type(j, run, id);
	}
	if (rc != IDMAP_OK)
		return rc;
	r->rows = run->n_rows - before;
	r->status = r->rows ? IDMAP_ID_MAPPED : IDMAP_ID_NO_TARGET;
	return IDMAP_OK;
}

/* One id: through UniProtKB accessions, then the UniParc cross-references (uniparc.c). */
static int map_id(const idmap_job *j, job_run *run, uint32_t id)
{
	if (j->up.mode == UPARC_FORWARD)
		return idmap_uparc_forward(j, run, id);
	int rc = map_route(j, run, id);
	if (rc == IDMAP_OK && j->up.mode == UPARC_FALLBACK)
		rc = idmap_uparc_fallback(j, run, id);
	return rc;
}

static void warn(idmap_job *j, int code, const char *msg)
{
	if (j->n_warn == JOB_MAX_WARNINGS)
		return;
	j->warn_code[j->n_warn] = code;
	snprintf(j->warn_msg[j->n_warn++], sizeof j->warn_msg[0], "%s", msg);
}

/* ---- Warming the caches ahead of map_id --------------------------------------------------
 * On an index larger than the caches every lookup of an id misses several times in a row
 * (pilot, stored code, forward index, forward record; for a cross-reference source: pilot,
 * key record). The run loop walks a few ids ahead and starts those loads early, so the misses
 * of several ids overlap. Gene names and UniParc/UniRef sources are not warmed; the results
 * never depend on it. */

#define WARM_RING 32
#define WARM_A 16 /* ids ahead: hash, fetch the pilot */
#define WARM_B 12 /* fetch the stored code and the forward index entry */
#define WARM_C 8  /* fetch the forward record */
#define WARM_D 4  /* fetch the key index entries of the target type's values (keys: codes) */
#define WARM_E 2  /* fetch those key records */
#define WARM_KEYS 4
/* Stages whose only effect is a prefetch are always inlined: GCC (12) counts a prefetch as no
 * side effect, takes such a function for const and deletes its calls (idmap_prefetch_record) */
#define WARM_INLINE static inline __attribute__((always_inline))

typedef struct {
	idmap_h128 h;
	idmap_mphf_loc loc; /* where h's pilot is: located once, when it is prefetched */
	uint64_t slot;
	uint64_t keys[WARM_KEYS];
	int live, nkeys;
	const uint8_t *rec, *rec_end; /* key ids: the key's record (warm_key_c); NULL = none */
	idmap_idform form;	      /* accession ids: the id parsed (warm_a), for map_id */
} warm_slot;

static void warm_a(const idmap_job *j, warm_slot *w, size_t i)
{
	const job_idrec *r = &j->ids[i];
	w->live = idmap_parse_uniprot_id(j->arena + r->off, r->len, &w->form) !=
			  IDMAP_FORM_INVALID &&
		  w->form.code != 0;
	if (!w->live)
		return;
	w->h = idmap_hash_acc(w->form.code, j->ix->acc_mphf.seed);
	idmap_mphf_locate_prefetch(&j->ix->acc_mphf, w->h, &w->loc);
}

static void warm_b(const idmap_job *j, warm_slot *w)
{
	if (!w->live)
		return;
	w->slot = idmap_mphf_slot_at(&j->ix->acc_mphf, &w->loc, w->h);
	if (w->slot >= j->ix->n_acc) {
		w->live = 0;
		return;
	}
	__builtin_prefetch(j->ix->sec[IDMAP_SECTION_ACC_CODES].p + 8 * w->slot);
	idmap_ot_prefetch(&j->ix->fwd, w->slot);
}

WARM_INLINE void warm_c(const idmap_job *j, const warm_slot *w)
{
	const uint8_t *p, *end;
	if (w->live && idmap_record(&j->ix->fwd, w->slot, &p, &end) == 0)
		idmap_prefetch_record(p, end);
}

/* Reads the key slots of the target type from the (now cached) forward record, with the
 * iterator: one parser of forward records (a copy of its own went stale when the group head
 * changed in format 3, and silently prefetched nothing useful). */
static void warm_d(const idmap_job *j, warm_slot *w)
{
	w->nkeys = 0;
	if (!w->live || j->to.type_id == IDMAP_TYPE_ANY)
		return;
	idmap_fwd_iter it;
	uint64_t type, key;
	if (idmap_fwd_begin(j->ix, w->slot, j->to.type_id, &it) != IDMAP_OK)
		return;
	while (w->nkeys < WARM_KEYS && idmap_fwd_next_key(&it, &type, &key) == IDMAP_OK) {
		w->keys[w->nkeys++] = key;
		idmap_ot_prefetch(&j->ix->key, key);
	}
}

WARM_INLINE void warm_e(const idmap_job *j, const warm_slot *w)
{
	for (int k = 0; k < w->nkeys; k++) {
		const uint8_t *p, *end;
		if (idmap_record(&j->ix->key, w->keys[k], &p, &end) == 0)
			__builtin_prefetch(p);
	}
}

/* The same for cross-reference sources (GI, RefSeq, ...): the key's pilot, its offset-table
 * block, its record (the posting list), then the stored codes of its first accessions (which
 * map_id reads to find canonical accessions), in four steps ahead of map_id. The id is
 * looked up as typed, which is what map_id tries first. */
static void warm_key_a(const idmap_job *j, warm_slot *w, size_t i)
{
	const job_idrec *r = &j->ids[i];
	w->live = r->len > 0 && r->len <= IDMAP_MAX_VALUE;
	if (!w->live)
		return;
	w->h = idmap_hash_key(j->from.type_id, j->arena + r->off, r->len, j->ix->key_mphf.seed);
	idmap_mphf_locate_prefetch(&j->ix->key_mphf, w->h, &w->loc);
}

static void warm_key_b(const idmap_job *j, warm_slot *w)
{
	if (!w->live)
		return;
	w->slot = idmap_mphf_slot_at(&j->ix->key_mphf, &w->loc, w->h);
	w->live = w->slot < j->ix->n_key;
	if (w->live)
		idmap_ot_prefetch(&j->ix->key, w->slot);
}

WARM_INLINE void warm_key_c(const idmap_job *j, warm_slot *w)
{
	w->rec = NULL;
	if (w->live && idmap_record(&j->ix->key, w->slot, &w->rec, &w->rec_end) == 0)
		__builtin_prefetch(w->rec);
	else
		w->rec = NULL;
}

WARM_INLINE void warm_key_d(const idmap_job *j, const warm_slot *w)
{
	idmap_rev_iter it;
	uint64_t slot;
	if (!w->live || !w->rec || idmap_rev_begin_at(j->ix, w->rec, w->rec_end, &it) != IDMAP_OK)
		return;
	for (int k = 0; k < WARM_KEYS && idmap_rev_next(&it, &slot) == IDMAP_OK; k++)
		__builtin_prefetch(j->ix->sec[IDMAP_SECTION_ACC_CODES].p + 8 * slot);
}

/* Step t of the run maps the id t - WARM_A of its range (from step WARM_A on); each stage
 * works on the id its distance ahead of that one. The ring slot of a stage's id, or NULL when
 * there is none. */
static warm_slot *stage_slot(warm_slot *ring, size_t t, size_t d, size_t n)
{
	if (t + d < WARM_A || t + d - WARM_A >= n)
		return NULL;
	return &ring[(t + d - WARM_A) % WARM_RING];
}

/* One step over the n ids from first. */
static void warm_step(const idmap_job *j, warm_slot *ring, size_t first, size_t t, size_t n,
		      int keys)
{
	warm_slot *w;
	if ((w = stage_slot(ring, t, WARM_A, n)))
		keys ? warm_key_a(j, w, first + t) : warm_a(j, w, first + t);
	if ((w = stage_slot(ring, t, WARM_B, n)))
		keys ? warm_key_b(j, w) : warm_b(j, w);
	if ((w = stage_slot(ring, t, WARM_C, n)))
		keys ? warm_key_c(j, w) : warm_c(j, w);
	if ((w = stage_slot(ring, t, WARM_D, n)))
		keys ? warm_key_d(j, w) : warm_d(j, w);
	if (keys)
		return;
	if ((w = stage_slot(ring, t, WARM_E, n)))
		warm_e(j, w);
}

/* Maps the ids [first, end) into j's rows and counts. */
static int run_range(const idmap_job *j, job_run *run, size_t first, size_t end)
{
	warm_slot ring[WARM_RING];
	int keys = j->from.kind == IDMAP_DB_KIND_TYPE && j->from_special == CAT_PLAIN &&
		   j->from.rule != IDMAP_RULE_GENE && j->from.type_id != IDMAP_TYPE_ANY;
	int warm = j->from.kind == IDMAP_DB_KIND_ACCESSION || keys;
	size_t n = end - first;
	for (size_t t = 0; t < n + WARM_A; t++) {
		if (warm)
			warm_step(j, ring, first, t, n, keys);
		if (t < WARM_A)
			continue; /* filling the pipeline */
		size_t i = first + t - WARM_A;
		if (warm && keys) { /* the warm stages found its key: map_id looks it up no more */
			const warm_slot *w = &ring[(t - WARM_A) % WARM_RING];
			run->key_hint_text = j->arena + j->ids[i].off;
			run->key_hint = w->live ? w->slot : IDMAP_NO_SLOT;
			run->key_hint_rec = w->live ? w->rec : NULL;
			run->key_hint_end = w->rec_end;
		} else if (warm && !j->ids[i].status) { /* map_id parses it no more */
			run->form_hint_text = j->arena + j->ids[i].off;
			run->form_hint = &ring[(t - WARM_A) % WARM_RING].form;
		}
		int rc = map_id(j, run, (uint32_t)i);
		run->key_hint_text = NULL;
		run->key_hint_rec = NULL;
		run->form_hint_text = NULL;
		if (rc != IDMAP_OK)
			return rc;
		job_idrec *r = &j->ids[i];
		if (!r->reason && r->status != IDMAP_ID_MAPPED)
			r->reason = idmap_id_status_text(r->status);
		if (r->status == IDMAP_ID_MAPPED)
			run->st.mapped++;
		else if (idmap_id_failed(r->status))
			run->st.failed++;
		if (r->rows > run->st.max_fanout) {
			run->st.max_fanout = r->rows;
			run->st.max_fanout_id = i;
		}
	}
	return IDMAP_OK;
}

/* ---- Several threads ---------------------------------------------------------------------
 * A large job is cut into consecutive ranges of ids, one per thread. Every thread, the calling
 * one included, maps its range into its own zeroed job_run (scratch, rows and counts) and
 * only reads the job, but for the ids records of its own range; the runs are then appended to
 * the job in range order. Rows stay in id order, so the result is the same whatever the
 * number of threads. */

#define MIN_IDS_PER_THREAD 16384 /* below this a thread costs more than it saves */

typedef struct {
	const idmap_job *job;
	job_run run;
	size_t first, end;
	int rc, threaded;
	pthread_t tid;
} run_part;

static void *run_part_main(void *arg)
{
	run_part *p = arg;
	p->rc = run_range(p->job, &p->run, p->first, p->end);
	return NULL;
}

/* Appends rows add[0, k) to *v, or hands the array over when *v is empty (the first run). */
static int take_rows(job_row **v, size_t *n, size_t *cap, job_row **add, size_t k,
		     size_t *add_cap)
{
	if (!*v) {
		*v = *add;
		*n = k;
		*cap = *add_cap;
		*add = NULL;
		return IDMAP_OK;
	}
	if (idmap_job_reserve(v, cap, *n + k, sizeof **v) < 0)
		return IDMAP_ERR_NOMEM;
	if (k)
		memcpy(*v + *n, *add, k * sizeof **add);
	*n += k;
	return IDMAP_OK;
}

/* Adds run p's results to j (after every earlier run); its taxa go into the first run's set,
 * first. */
static int merge_part(idmap_job *j, run_part *p, job_run *first)
{
	job_run *c = &p->run;
	int rc = take_rows(&j->rows, &j->n_rows, &j->cap_rows, &c->rows, c->n_rows, &c->cap_rows);
	if (rc == IDMAP_OK)
		rc = take_rows(&j->sugg, &j->n_sugg, &j->cap_sugg, &c->sugg, c->n_sugg,
			       &c->cap_sugg);
	for (size_t i = 0; c != first && i < c->taxa_seen_cap && rc == IDMAP_OK; i++)
		if (c->taxa_seen[i])
			rc = taxon_seen_add(first, c->taxa_seen[i]);
	j->st.mapped += c->st.mapped;
	j->st.failed += c->st.failed;
	j->st.secondary += c->st.secondary;
	j->st.deleted += c->st.deleted;
	j->st.inactive += c->st.inactive;
	j->review_unknown += c->review_unknown;
	if (c->st.max_fanout > j->st.max_fanout) { /* the first id of the largest fan-out */
		j->st.max_fanout = c->st.max_fanout;
		j->st.max_fanout_id = c->st.max_fanout_id;
	}
	return rc;
}

static void free_run(job_run *c)
{
	free(c->rows);
	free(c->sugg);
	free(c->accs.v);
	free(c->tmp.v);
	free(c->vals);
	free(c->text);
	free(c->taxa_seen);
}

/* Maps every id of j with up to threads threads; the distinct taxa seen go to *taxa. */
static int run_parallel(idmap_job *j, size_t threads, size_t *taxa)
{
	size_t n = j->n_ids, per = (n + threads - 1) / threads;
	run_part *part = calloc(threads, sizeof *part);
	if (!part)
		return IDMAP_ERR_NOMEM;
	for (size_t k = 0; k < threads; k++) {
		run_part *p = &part[k];
		p->job = j;
		p->first = k * per < n ? k * per : n;
		p->end = (k + 1) * per < n ? (k + 1) * per : n;
		if (k > 0) /* the calling thread maps the first range after starting the others */
			p->threaded = pthread_create(&p->tid, NULL, run_part_main, p) == 0;
	}
	for (size_t k = 0; k < threads; k++)
		if (!part[k].threaded) /* the first range, or no thread: here, in turn */
			run_part_main(&part[k]);
	int rc = IDMAP_OK;
	for (size_t k = 0; k < threads; k++) {
		run_part *p = &part[k];
		if (p->threaded)
			pthread_join(p->tid, NULL);
		if (rc == IDMAP_OK)
			rc = p->rc;
		if (rc == IDMAP_OK)
			rc = merge_part(j, p, &part[0].run);
	}
	*taxa = part[0].run.taxa_seen_n;
	for (size_t k = 0; k < threads; k++)
		free_run(&part[k].run);
	free(part);
	return rc;
}

IDMAP_API int idmap_job_set_threads(idmap_job *j, unsigned threads)
{
	if (!j || j->ran || threads == 0)
		return IDMAP_ERR_INVALID;
	j->threads = threads;
	return IDMAP_OK;
}

IDMAP_API int idmap_job_run(idmap_job *j)
{
	if (!j || j->ran)
		return IDMAP_ERR_INVALID;
	j->ran = 1;
	size_t threads = j->threads ? j->threads : 1, most = j->n_ids / MIN_IDS_PER_THREAD;
	if (threads > most)
		threads = most ? most : 1;
	size_t taxa = 0;
	int rc = run_parallel(j, threads, &taxa);
	if (rc != IDMAP_OK)
		return rc;
	j->st.obsolete = j->st.secondary + j->st.deleted;
	j->st.results = j->n_rows;
	j->st.suggested = j->n_sugg;
	char msg[256];
	if (taxa > 1) {
		snprintf(msg, sizeof msg, "Gene names were mapped without a taxon: the results span "
			 "%zu taxa (homologues from several species). Give a taxon (taxId, "
			 "--taxon ID) to keep one organism.", taxa);
		warn(j, IDMAP_WARN_GENE_TAXA, msg);
	}
	if ((j->from.flags & IDMAP_DB_ONE_TO_MANY) && j->st.max_fanout) {
		const job_idrec *r = &j->ids[j->st.max_fanout_id];
		snprintf(msg, sizeof msg, "One-to-many source %s: the largest fan-out is '%.*s' "
			 "with %llu results.", j->from.name, r->len > 64 ? 64 : (int)r->len,
			 j->arena + r->off, (unsigned long long)j->st.max_fanout);
		warn(j, IDMAP_WARN_ONE_TO_MANY, msg);
	}
	if (j->st.obsolete) { /* obsolete inputs: here, not in obsoleteCount (inactive targets) */
		snprintf(msg, sizeof msg, "Obsolete accessions among the ids: %llu secondary "
			 "(mapped to their current accessions), %llu deleted.",
			 (unsigned long long)j->st.secondary, (unsigned long long)j->st.deleted);
		warn(j, IDMAP_WARN_OBSOLETE, msg);
	}
	if (j->review_unknown) {
		snprintf(msg, sizeof msg, "%llu entries have no entry name in this index, so their "
			 "review status is unknown: they were left out. The reviewed flag comes from "
			 "entry names (UniProtKB-ID rows of idmapping.dat, idmapping_selected.tab).",
			 (unsigned long long)j->review_unknown);
		warn(j, IDMAP_WARN_REVIEW_UNKNOWN, msg);
	}
	return IDMAP_OK;
}
