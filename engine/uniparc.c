/* UniParc cross-references in mapping jobs (FORMAT.md, `#uniparc` types).
 *
 * Fallback: UniProt lets RefSeq_Protein, EMBL-GenBank-DDBJ and GI_number map to UniParc
 * (uniprot-rest-api ValidFromAndTo: "Ref Seq, EMBL, GI Number now supported with UniParc"), and
 * its help page says that RefSeq, GI, EMBL and EMBL-CDS ids unmapped in UniProtKB "can be
 * further mapped to UniParc". Mapped to UniProtKB, such an id with no entry gets the UPIs whose
 * active cross-references name it as suggestedIds pairs (PIRResponseConverter: a `to` that is
 * no UniProtKB accession is suggested, not mapped; an id with pairs is not failed); mapped to
 * UniParc, an id the accession route leaves unmapped gets them as rows.
 * Forward (an idmap extension: UniProt's rule 2 stops UniParc at UniProtKB and UniParc): a UPI
 * to the values of its active cross-references of the target type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accession.h"
#include "idmap_vec.h"
#include "index_internal.h"
#include "semantics.h"

#define NONE UINT32_MAX

static uint32_t type_named(const idmap_index *ix, const char *a, const char *b)
{
	char name[256];
	uint32_t t;
	snprintf(name, sizeof name, "%s%s", a, b);
	return idmap_type_find(ix, name, &t) == IDMAP_OK ? t : NONE;
}

/* The cross-referenced type whose ids a sequence source's ids are, or NULL. UniParc knows EMBL
 * entries by their protein ids (the idmapping type EMBL-CDS), which EMBL-GenBank-DDBJ ids
 * therefore meet there. */
static const char *fallback_type(const idmap_db_info *from)
{
	static const char *const map[][2] = {
		{"RefSeq", "RefSeq"}, {"GI", "GI"}, {"EMBL-CDS", "EMBL-CDS"}, {"EMBL", "EMBL-CDS"},
	};
	if (from->kind != IDMAP_DB_KIND_TYPE || !from->file_type)
		return NULL;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(from->file_type, map[i][0]))
			return map[i][1];
	return NULL;
}

int idmap_uparc_forward_allowed(const idmap_index *ix, const idmap_db_info *from,
				const idmap_db_info *to)
{
	return ix && from->kind == IDMAP_DB_KIND_TYPE && from->file_type &&
	       !strcmp(from->file_type, "UniParc") && to->kind == IDMAP_DB_KIND_TYPE &&
	       to->file_type && strcmp(to->file_type, "UniParc") != 0 &&
	       type_named(ix, "#uniparc:", to->file_type) != NONE;
}

int idmap_uparc_setup(idmap_job *j, int include_inactive)
{
	job_uparc *u = &j->up;
	const char *s;
	u->include_inactive = include_inactive != 0;
	u->t_taxon = type_named(j->ix, "#uniparc-taxon", "");
	u->rev[0] = u->rev[1] = u->rev[2] = u->rev[3] = u->fwd[0] = u->fwd[1] = NONE;
	if (j->via)
		return IDMAP_OK;
	if (idmap_uparc_forward_allowed(j->ix, &j->from, &j->to)) {
		u->mode = UPARC_FORWARD;
		u->fwd[0] = type_named(j->ix, "#uniparc:", j->to.file_type);
		if (u->include_inactive)
			u->fwd[1] = type_named(j->ix, "#uniparc-inactive:", j->to.file_type);
	} else if ((j->to.kind == IDMAP_DB_KIND_UNIPROTKB || j->to_special == CAT_UNIPARC) &&
		   (s = fallback_type(&j->from))) {
		static const char *const pre[4] = {"#uniparc:", "#unversioned:#uniparc:",
						   "#uniparc-inactive:",
						   "#unversioned:#uniparc-inactive:"};
		for (int k = 0; k < (u->include_inactive ? 4 : 2); k++)
			u->rev[k] = type_named(j->ix, pre[k], s);
		for (int k = 0; k < 4 && !u->mode; k++)
			u->mode = u->rev[k] != NONE ? UPARC_FALLBACK : UPARC_NONE;
	}
	if (!u->mode || !j->n_taxa)
		return IDMAP_OK;
	if (!(u->taxa_key = malloc(j->n_taxa * sizeof *u->taxa_key)))
		return IDMAP_ERR_NOMEM;
	for (size_t i = 0; i < j->n_taxa; i++) {
		char num[24];
		int n = snprintf(num, sizeof num, "%llu", (unsigned long long)j->taxa[i]);
		if (u->t_taxon == NONE ||
		    idmap_key_find(j->ix, u->t_taxon, num, (size_t)n, &u->taxa_key[i]) != IDMAP_OK)
			u->taxa_key[i] = UINT64_MAX;
	}
	return IDMAP_OK;
}

/* Whether UPI slot passes the taxon filter: one of its active cross-references' taxa
 * (#uniparc-taxon) is asked for. */
static int upi_taxon_ok(const idmap_job *j, uint64_t slot)
{
	idmap_fwd_iter it;
	idmap_pair p;
	if (!j->n_taxa)
		return 1;
	if (j->up.t_taxon == NONE || idmap_fwd_begin(j->ix, slot, j->up.t_taxon, &it) != IDMAP_OK)
		return 0;
	while (idmap_fwd_next(&it, &p) == IDMAP_OK)
		for (size_t i = 0; i < j->n_taxa; i++)
			if (j->up.taxa_key[i] == p.key_slot)
				return 1;
	return 0;
}

/* ---- Fallback ------------------------------------------------------------------------------ */

/* Appends (code << 1 | inactive) of the UPIs of key (type, v) to run->tmp. */
static int collect(const idmap_job *j, job_run *run, uint32_t type, const char *v, size_t n,
		   uint64_t inactive)
{
	uint64_t k, slot, code;
	idmap_rev_iter it;
	if (type == NONE)
		return IDMAP_OK;
	int rc = idmap_key_find(j->ix, type, v, n, &k);
	if (rc != IDMAP_OK)
		return rc == IDMAP_ERR_NOT_FOUND ? IDMAP_OK : rc;
	if ((rc = idmap_rev_begin(j->ix, k, &it, NULL)) != IDMAP_OK)
		return rc;
	while ((rc = idmap_rev_next(&it, &slot)) == IDMAP_OK) {
		if ((rc = idmap_acc_code(j->ix, slot, &code)) != IDMAP_OK)
			return rc;
		if (!idmap_code_is_upi(code))
			return IDMAP_ERR_CORRUPT;
		if ((rc = idmap_u64_push(&run->tmp, code << 1 | inactive)) != IDMAP_OK)
			return rc;
	}
	return rc == IDMAP_DONE ? IDMAP_OK : rc;
}

/* The UPIs of id text v: exact value, and every version of an unversioned one. */
static int collect_value(const idmap_job *j, job_run *run, const char *v, size_t n)
{
	int unver = !idmap_value_versioned(v, n, NULL), rc = IDMAP_OK;
	for (int k = 0; k < 4 && rc == IDMAP_OK; k++)
		if (!(k & 1) || unver)
			rc = collect(j, run, j->up.rev[k], v, n, k >= 2);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

int idmap_uparc_fallback(const idmap_job *j, job_run *run, uint32_t id)
{
	job_idrec *r = &j->ids[id];
	const char *t = j->arena + r->off;
	int rc;
	if ((r->status != IDMAP_ID_NOT_FOUND && r->status != IDMAP_ID_NO_TARGET &&
	     r->status != IDMAP_ID_FILTERED) || r->len > IDMAP_ID_MAX_LEN)
		return IDMAP_OK;
	/* as typed, then in upper case, as the accession route looks ids up */
	char up[IDMAP_ID_MAX_LEN];
	int changed = 0;
	for (size_t i = 0; i < r->len; i++) {
		up[i] = t[i] >= 'a' && t[i] <= 'z' ? (char)(t[i] - 32) : t[i];
		changed |= up[i] != t[i];
	}
	run->tmp.n = 0;
	if ((rc = collect_value(j, run, t, r->len)) != IDMAP_OK ||
	    (changed && (rc = collect_value(j, run, up, r->len)) != IDMAP_OK))
		return rc;
	if (!run->tmp.n)
		return IDMAP_OK;
	/* one pair per UPI, in UPI order; an active cross-reference wins over an inactive one */
	qsort(run->tmp.v, run->tmp.n, sizeof *run->tmp.v, cmp_u64);
	int sugg = j->to.kind == IDMAP_DB_KIND_UNIPROTKB;
	size_t pushed = 0, filtered = 0;
	for (size_t i = 0; i < run->tmp.n; i++) {
		uint64_t code = run->tmp.v[i] >> 1, slot, to;
		if (i && code == run->tmp.v[i - 1] >> 1)
			continue;
		if (idmap_acc_find_code(j->ix, code, &slot) != IDMAP_OK)
			return IDMAP_ERR_CORRUPT;
		if (!upi_taxon_ok(j, slot)) {
			filtered++;
			continue;
		}
		to = JOB_TO_UPI | slot;
		if (!sugg) { /* the UniParc key of the UPI when idmapping has it: one row kind */
			char text[IDMAP_ACC_TEXT_SIZE];
			size_t n;
			uint64_t key;
			if ((rc = idmap_acc_text(j->ix, slot, text, &n)) != IDMAP_OK)
				return rc;
			if (idmap_key_find(j->ix, j->to.type_id, text, n, &key) == IDMAP_OK)
				to = key;
		}
		if (run->tmp.v[i] & 1)
			to |= JOB_TO_XREF_INACTIVE;
		rc = sugg ? idmap_push_row(&run->sugg, &run->n_sugg, &run->cap_sugg, id, to, 0)
			  : idmap_push_row(&run->rows, &run->n_rows, &run->cap_rows, id, to, 0);
		if (rc != IDMAP_OK)
			return rc;
		pushed++;
	}
	if (!pushed) {
		r->status = filtered ? IDMAP_ID_FILTERED : r->status;
		return IDMAP_OK;
	}
	r->reason = NULL;
	if (sugg) {
		r->status = IDMAP_ID_UNIPARC;
		return IDMAP_OK;
	}
	r->status = IDMAP_ID_MAPPED;
	r->rows = pushed;
	return IDMAP_OK;
}

/* ---- Forward ------------------------------------------------------------------------------- */

static int cmp_val_text(const void *a, const void *b)
{
	const job_val *x = a, *y = b;
	int r = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
	if (r || x->n != y->n)
		return r ? r : (x->n > y->n) - (x->n < y->n);
	return (x->via > y->via) - (x->via < y->via); /* active first */
}

int idmap_uparc_forward(const idmap_job *j, job_run *run, uint32_t id)
{
	job_idrec *r = &j->ids[id];
	idmap_idform f;
	uint64_t slot, type, key;
	int rc;
	if (r->status) /* failed when added (too long) */
		return IDMAP_OK;
	if (idmap_parse_uniparc_id(j->arena + r->off, r->len, &f) == IDMAP_FORM_INVALID) {
		r->status = IDMAP_ID_INVALID;
		r->reason = f.reason;
		return IDMAP_OK;
	}
	uint64_t code = idmap_upi_encode(f.norm, f.norm_len);
	if (!code || idmap_acc_find_code(j->ix, code, &slot) != IDMAP_OK) {
		r->status = IDMAP_ID_NOT_FOUND;
		return IDMAP_OK;
	}
	if (!upi_taxon_ok(j, slot)) {
		r->status = IDMAP_ID_FILTERED;
		return IDMAP_OK;
	}
	run->n_vals = 0;
	run->text_len = 0;
	for (uint64_t k = 0; k < 2; k++) {
		idmap_fwd_iter it;
		if (j->up.fwd[k] == NONE)
			continue;
		if ((rc = idmap_fwd_begin(j->ix, slot, j->up.fwd[k], &it)) != IDMAP_OK)
			return rc;
		while ((rc = idmap_fwd_next_key(&it, &type, &key)) == IDMAP_OK) {
			size_t n;
			if (idmap_vec_reserve(&run->vals, &run->cap_vals, run->n_vals + 1,
					      sizeof *run->vals) < 0 ||
			    idmap_vec_reserve(&run->text, &run->text_cap,
					      run->text_len + IDMAP_VALUE_SIZE, 1) < 0)
				return IDMAP_ERR_NOMEM;
			if (idmap_key_text(j->ix, key, type, run->text + run->text_len, &n) !=
			    IDMAP_OK)
				return IDMAP_ERR_CORRUPT;
			run->vals[run->n_vals++] = (job_val){NULL, n, run->text_len, key, k, UINT64_MAX};
			run->text_len += n;
		}
		if (rc != IDMAP_DONE)
			return rc;
	}
	for (size_t i = 0; i < run->n_vals; i++) /* the arena has stopped moving */
		run->vals[i].p = run->text + run->vals[i].off;
	qsort(run->vals, run->n_vals, sizeof *run->vals, cmp_val_text);
	size_t before = run->n_rows;
	for (size_t i = 0; i < run->n_vals; i++) {
		const job_val *v = &run->vals[i];
		if (i && v->n == v[-1].n && !memcmp(v->p, v[-1].p, v->n))
			continue; /* the same value active and inactive: active */
		rc = idmap_push_row(&run->rows, &run->n_rows, &run->cap_rows, id,
				    v->key | (v->via ? JOB_TO_XREF_INACTIVE : 0), 0);
		if (rc != IDMAP_OK)
			return rc;
	}
	r->rows = run->n_rows - before;
	r->status = r->rows ? IDMAP_ID_MAPPED : IDMAP_ID_NO_TARGET;
	return IDMAP_OK;
}
