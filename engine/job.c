/* Mapping jobs: the request check with UniProt's messages, the input ids (tokenised, copied,
 * de-duplicated), and the accessors of a finished job. The mapping itself is in mapper.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accession.h"
#include "hash.h"
#include "idmap_vec.h"
#include "index_internal.h"
#include "semantics.h"
#include "versioned.h"

_Static_assert(IDMAP_ID_MAX_LEN == IDMAP_MAX_VALUE, "an id of the longest value must be looked up");

int idmap_u64_push(u64_vec *v, uint64_t x)
{
	if (idmap_vec_reserve(&v->v, &v->cap, v->n + 1, sizeof *v->v) < 0)
		return IDMAP_ERR_NOMEM;
	v->v[v->n++] = x;
	return IDMAP_OK;
}

/* Job arrays are advised to huge pages (idmap_advise_huge): a job of 704,669 accessions took
 * 35,500 page faults on its arrays in 4 KiB pages and 12,000 with the advice, and reading its
 * ids 62-65 ms against 49-55. */
int idmap_job_reserve(void *pp, size_t *cap, size_t need, size_t elem)
{
	const size_t big = (size_t)4 << 20;
	if (need <= *cap || need > SIZE_MAX / elem || need * elem < big)
		return idmap_vec_reserve(pp, cap, need, elem);
	/* idmap_vec_reserve's doubling, but the new array is advised before the old one is
	 * copied in: realloc's copy would fault every 4 KiB of it first */
	size_t c = *cap < 16 ? 16 : *cap;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : c * 2;
	if (c > SIZE_MAX / elem)
		c = need;
	void *old, *p = malloc(c * elem);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	idmap_advise_huge(p, c * elem);
	memcpy(&old, pp, sizeof old);
	if (*cap)
		memcpy(p, old, *cap * elem);
	free(old);
	memcpy(pp, &p, sizeof p);
	*cap = c;
	return 0;
}

int idmap_acc_find_code(const idmap_index *ix, uint64_t code, uint64_t *slot)
{
	uint64_t s = idmap_mphf_lookup(&ix->acc_mphf, idmap_hash_acc(code, ix->acc_mphf.seed));
	if (s >= ix->n_acc || idmap_rd64(ix->sec[IDMAP_SECTION_ACC_CODES].p + 8 * s) != code)
		return IDMAP_ERR_NOT_FOUND;
	*slot = s;
	return IDMAP_OK;
}

/* ---- The request ------------------------------------------------------------------------- */

__attribute__((format(printf, 4, 5))) static int refuse(idmap_diag *d, int status,
							       const char *hint, const char *fmt, ...)
{
	if (d) {
		va_list ap;
		va_start(ap, fmt);
		d->status = status;
		vsnprintf(d->message, sizeof d->message, fmt, ap);
		va_end(ap);
		snprintf(d->hint, sizeof d->hint, "%s", hint ? hint : "");
	}
	return status;
}

static void suggest_hint(const idmap_catalog *cat, const char *name, int as_target, char *hint,
			 size_t len)
{
	const char *s[3];
	size_t n = idmap_catalog_suggest(cat, name, as_target, s, 3);
	if (n == 0) {
		snprintf(hint, len, "`idmap databases` lists the valid names");
		return;
	}
	int k = snprintf(hint, len, "closest valid names: %s", s[0]);
	for (size_t i = 1; i < n && k > 0 && (size_t)k < len; i++)
		k += snprintf(hint + k, len - (size_t)k, ", %s", s[i]);
}

static const char invalid_fmt[] = "The parameter '%s' has an invalid value '%s'.";

static int check_names(const idmap_index *ix, idmap_job *j, const idmap_request *r,
		       idmap_diag *d)
{
	char hint[512];
	const char *to = r->to && *r->to ? r->to : "UniProtKB";
	if (!r->from || !*r->from)
		return refuse(d, IDMAP_ERR_BAD_FROM, "", "'from' is a required parameter");
	/* UniProt's ValidFromAndTo: UniProtKB is a source of accessions for the UniProtKB
	 * targets; Swiss-Prot as a source and UniProtKB_AC-ID as a target are valid names in a
	 * refused combination (checked below, after 'to') */
	int from_kb = !strcasecmp(r->from, "UniProtKB");
	int from_sp = !strcasecmp(r->from, "UniProtKB-Swiss-Prot");
	if (idmap_catalog_find(j->cat, from_kb ? "UniProtKB_AC-ID" : r->from, 0, &j->from_i) !=
		    IDMAP_OK ||
	    idmap_catalog_get(j->cat, j->from_i, &j->from) != IDMAP_OK ||
	    !(from_sp || (j->from.flags & IDMAP_DB_FROM))) {
		suggest_hint(j->cat, r->from, 0, hint, sizeof hint);
		return refuse(d, IDMAP_ERR_BAD_FROM, hint, invalid_fmt, "from", r->from);
	}
	if ((j->from.flags & IDMAP_DB_ONE_TO_MANY) && !r->allow_one_to_many) {
		if (!strcmp(j->from.name, "NCBI_TaxID"))
			snprintf(hint, sizeof hint, "a taxon stands for up to millions of entries "
				 "(one-to-many), which UniProt does not offer; filter another "
				 "mapping by taxon instead (--taxon ID), or lift this refusal with "
				 "--allow-one-to-many");
		else
			snprintf(hint, sizeof hint, "%s is one-to-many (one id stands for many "
				 "entries), which UniProt does not offer for performance reasons; "
				 "map forward from accessions instead (--from UniProtKB_AC-ID --to "
				 "%s), narrow with --taxon ID, or lift this refusal with "
				 "--allow-one-to-many", j->from.name, j->from.name);
		return refuse(d, IDMAP_ERR_ONE_TO_MANY, hint, invalid_fmt, "from", r->from);
	}
	int to_acc = !strcasecmp(to, "UniProtKB_AC-ID");
	if (idmap_catalog_find(j->cat, to, 1, &j->to_i) != IDMAP_OK ||
	    idmap_catalog_get(j->cat, j->to_i, &j->to) != IDMAP_OK ||
	    !(to_acc || (j->to.flags & IDMAP_DB_TO))) {
		suggest_hint(j->cat, to, 1, hint, sizeof hint);
		return refuse(d, IDMAP_ERR_BAD_TO, hint, invalid_fmt, "to", to);
	}
	int to_kb = j->to.kind == IDMAP_DB_KIND_UNIPROTKB || j->to.kind == IDMAP_DB_KIND_SWISSPROT;
	if (from_sp || to_acc || (from_kb && !to_kb)) {
		snprintf(hint, sizeof hint, "%s", from_sp ? "UniProtKB-Swiss-Prot is a target; the "
			 "source of accessions and entry names is UniProtKB_AC-ID" : to_acc ?
			 "UniProtKB_AC-ID is a source; the targets are UniProtKB and "
			 "UniProtKB-Swiss-Prot" : "from UniProtKB UniProt maps to UniProtKB and "
			 "UniProtKB-Swiss-Prot; other targets from UniProtKB_AC-ID");
		return refuse(d, IDMAP_ERR_BAD_PAIR, hint,
			      "The combination of 'from=%s' and 'to=%s' parameters is invalid",
			      r->from, to);
	}
	if (r->via) {
		size_t v;
		idmap_db_info vi;
		if (idmap_catalog_find(j->cat, r->via, 1, &v) != IDMAP_OK ||
		    idmap_catalog_get(j->cat, v, &vi) != IDMAP_OK ||
		    vi.kind != IDMAP_DB_KIND_UNIPROTKB)
			return refuse(d, IDMAP_ERR_BAD_OPTION, "two-hop mappings go through "
				      "UniProtKB accessions: --via UniProtKB", invalid_fmt, "via",
				      r->via);
		j->via = 1;
	} else if (!idmap_catalog_pair_allowed(j->cat, j->from_i, j->to_i) &&
		   !idmap_uparc_forward_allowed(ix, &j->from, &j->to)) {
		size_t tos[512], n = 0;
		idmap_db_info e;
		for (size_t i = 0; i < idmap_catalog_count(j->cat) && n < 512; i++)
			if (idmap_catalog_pair_allowed(j->cat, j->from_i, i))
				tos[n++] = i;
		int k = snprintf(hint, sizeof hint, "from %s (rule %d) UniProt maps to: ",
				 j->from.name, j->from.rule);
		for (size_t i = 0; i < n && i < 8 && k > 0 && (size_t)k < sizeof hint; i++)
			if (idmap_catalog_get(j->cat, tos[i], &e) == IDMAP_OK)
				k += snprintf(hint + k, sizeof hint - (size_t)k, "%s%s",
					      i ? ", " : "", e.name);
		if (k > 0 && (size_t)k < sizeof hint)
			snprintf(hint + k, sizeof hint - (size_t)k, "%s; for %s -> %s in one job "
				 "use --via UniProtKB", n > 8 ? ", ..." : "", j->from.name,
				 j->to.name);
		return refuse(d, IDMAP_ERR_BAD_PAIR, hint,
			      "The combination of 'from=%s' and 'to=%s' parameters is invalid",
			      r->from, to);
	}
	return IDMAP_OK;
}

static uint32_t type_or_none(const idmap_index *ix, const char *name)
{
	uint32_t t;
	return idmap_type_find(ix, name, &t) == IDMAP_OK ? t : UINT32_MAX;
}

IDMAP_API int idmap_job_new(const idmap_index *ix, const idmap_request *r, idmap_job **out,
			    idmap_diag *d)
{
	if (d)
		memset(d, 0, sizeof *d);
	if (!out)
		return IDMAP_ERR_INVALID;
	*out = NULL;
	if (!ix || !r || (r->n_taxa && !r->taxa))
		return IDMAP_ERR_INVALID;
	idmap_job *j = calloc(1, sizeof *j);
	if (!j)
		return IDMAP_ERR_NOMEM;
	int rc = idmap_catalog_open(ix, &j->cat);
	if (rc == IDMAP_OK)
		rc = check_names(ix, j, r, d);
	if (rc != IDMAP_OK) {
		idmap_job_free(j);
		return rc;
	}
	j->ix = ix;
	j->from_special = idmap_catalog_special(j->cat, j->from_i);
	j->to_special = idmap_catalog_special(j->cat, j->to_i);
	j->include_isoforms = r->include_isoforms;
	j->canonical = r->canonical;
	j->allow_one_to_many = r->allow_one_to_many;
	j->t_entry = type_or_none(ix, "UniProtKB-ID");
	if (j->to.kind == IDMAP_DB_KIND_SWISSPROT && j->t_entry == UINT32_MAX) {
		/* the reviewed flag is the entry name: without names the index cannot tell */
		rc = refuse(d, IDMAP_ERR_BAD_TO, "build the index with idmapping_selected.tab or an "
			    "idmapping.dat that has UniProtKB-ID rows; `idmap info` says where the "
			    "reviewed flag comes from", "This index has no entry names (UniProtKB-ID), "
			    "so it cannot tell reviewed entries: 'to=%s' is not available%s", j->to.name,
			    "");
		idmap_job_free(j);
		return rc;
	}
	j->t_sec = type_or_none(ix, "#secondary");
	j->t_del[IDMAP_DELETED_UNKNOWN] = type_or_none(ix, IDMAP_TYPE_DELETED);
	j->t_del[IDMAP_DELETED_SWISSPROT] = type_or_none(ix, IDMAP_TYPE_DELETED_SP);
	j->t_del[IDMAP_DELETED_TREMBL] = type_or_none(ix, IDMAP_TYPE_DELETED_TR);
	j->t_iso = type_or_none(ix, "#isoform-of");
	j->t_taxon = type_or_none(ix, "NCBI_TaxID");
	j->t_unver = UINT32_MAX;
	/* unversioned queries only for the types that carry versions: an older index may hold
	 * aliases of other types (MEROPS S01.232 -> S01), which are not ids */
	if (j->from.file_type && j->from.type_id != IDMAP_TYPE_ANY &&
	    idmap_type_versioned(ix->types[j->from.type_id].name,
				 strlen(ix->types[j->from.type_id].name))) {
		char name[128];
		snprintf(name, sizeof name, "#unversioned:%s",
			 ix->types[j->from.type_id].name);
		j->t_unver = type_or_none(ix, name);
	}
	if (r->n_taxa) {
		j->taxa = malloc(r->n_taxa * sizeof *j->taxa);
		j->taxa_key = malloc(r->n_taxa * sizeof *j->taxa_key);
		if (!j->taxa || !j->taxa_key) {
			idmap_job_free(j);
			return IDMAP_ERR_NOMEM;
		}
		j->n_taxa = r->n_taxa;
		for (size_t i = 0; i < r->n_taxa; i++) {
			char num[24];
			int n = snprintf(num, sizeof num, "%llu", (unsigned long long)r->taxa[i]);
			j->taxa[i] = r->taxa[i];
			if (j->t_taxon == UINT32_MAX ||
			    idmap_key_find(ix, j->t_taxon, num, (size_t)n, &j->taxa_key[i]) != IDMAP_OK)
				j->taxa_key[i] = UINT64_MAX;
		}
	}
	/* UniProt maps a deleted accession to its inactive entry, counted in obsoleteCount
	 * (uniprot-rest-api PIRJobTask.getObsoleteUniProtEntryCount: to=UniProtKB only); a
	 * taxon filter has no taxon to keep it by */
	j->inactive_rows = j->to.kind == IDMAP_DB_KIND_UNIPROTKB && !j->via && !j->n_taxa;
	if ((rc = idmap_uparc_setup(j, r->include_inactive)) != IDMAP_OK) {
		idmap_job_free(j);
		return rc;
	}
	*out = j;
	return IDMAP_OK;
}

IDMAP_API void idmap_job_free(idmap_job *j)
{
	if (!j)
		return;
	idmap_catalog_free(j->cat);
	free(j->taxa);
	free(j->taxa_key);
	free(j->up.taxa_key);
	free(j->arena);
	free(j->ids);
	free(j->dedupe);
	free(j->rows);
	free(j->sugg);
	free(j);
}

/* ---- Input ids --------------------------------------------------------------------------- */

/* The de-duplication table: entries (fingerprint << 32) | (id + 1), 0 = empty; the position
 * is the fingerprint's low bits, so growing needs no text. Grows to the power of two that
 * holds `room` ids at half load or less (at least twice the current capacity), in one step. */
static int grow_dedupe(idmap_job *j, size_t room)
{
	size_t cap = j->dedupe_cap ? 2 * j->dedupe_cap : 4096;
	while (cap < 2 * room && cap < SIZE_MAX / 16)
		cap *= 2;
	uint64_t *t = malloc(cap * sizeof *t);
	if (!t)
		return IDMAP_ERR_NOMEM;
	idmap_advise_huge(t, cap * sizeof *t); /* before the first touch */
	memset(t, 0, cap * sizeof *t);
	for (size_t i = 0; i < j->dedupe_cap; i++) {
		uint64_t e = j->dedupe[i];
		if (!e)
			continue;
		size_t h = (size_t)(e >> 32) & (cap - 1);
		while (t[h])
			h = (h + 1) & (cap - 1);
		t[h] = e;
	}
	free(j->dedupe);
	j->dedupe = t;
	j->dedupe_cap = cap;
	return IDMAP_OK;
}

/* Adds id s[0, n) whose dedupe fingerprint is fp, unless it is a duplicate. */
static int add_one(idmap_job *j, const char *s, size_t n, uint64_t fp)
{
	if (n > UINT32_MAX || j->arena_len + n > UINT32_MAX || j->n_ids >= (1u << 31) - 1)
		return IDMAP_ERR_INVALID;
	j->n_inputs++;
	if (2 * (j->n_ids + 1) > j->dedupe_cap && grow_dedupe(j, j->n_ids + 1) != IDMAP_OK)
		return IDMAP_ERR_NOMEM;
	size_t mask = j->dedupe_cap - 1, h = (size_t)fp & mask;
	for (uint64_t e; (e = j->dedupe[h]) != 0; h = (h + 1) & mask) {
		if (e >> 32 != fp)
			continue;
		const job_idrec *r = &j->ids[(uint32_t)e - 1];
		if (r->len == n && memcmp(j->arena + r->off, s, n) == 0)
			return IDMAP_OK; /* a duplicate */
	}
	if (idmap_job_reserve(&j->arena, &j->arena_cap, j->arena_len + n, 1) < 0 ||
	    idmap_job_reserve(&j->ids, &j->cap_ids, j->n_ids + 1, sizeof *j->ids) < 0)
		return IDMAP_ERR_NOMEM;
	memcpy(j->arena + j->arena_len, s, n);
	job_idrec *r = &j->ids[j->n_ids];
	memset(r, 0, sizeof *r);
	r->off = (uint32_t)j->arena_len;
	r->len = r->from_len = (uint32_t)n;
	j->arena_len += n;
	j->dedupe[h] = fp << 32 | (uint64_t)(++j->n_ids);
	if (n > IDMAP_ID_MAX_LEN) { /* cut by idmap_job_add_ids; not looked up */
		r->status = IDMAP_ID_INVALID;
		r->reason = "too long (more than 1024 bytes)";
	}
	return IDMAP_OK;
}

/* Ids are added in groups: their fingerprints are computed and their table slots prefetched
 * first, so the random probes of a large job overlap instead of stalling one by one. */
#define ADD_GROUP 16

/* The next id of text split on line breaks and commas, white space around it stripped and
 * inside it kept (idmap_job_add_lines); as idmap_next_id otherwise. */
static bool next_line_id(const char *t, size_t len, size_t *pos, size_t *off, size_t *n)
{
	while (*pos < len) {
		size_t b = *pos, e = b;
		while (e < len && t[e] != '\n' && t[e] != '\r' && t[e] != ',')
			e++;
		*pos = e < len ? e + 1 : e;
		while (b < e && (t[b] == ' ' || (t[b] >= '\t' && t[b] <= '\r')))
			b++;
		while (e > b && (t[e - 1] == ' ' || (t[e - 1] >= '\t' && t[e - 1] <= '\r')))
			e--;
		if (e > b) {
			*off = b;
			*n = e - b;
			return true;
		}
	}
	return false;
}

typedef bool (*next_fn)(const char *t, size_t len, size_t *pos, size_t *off, size_t *n);

static int add_text(idmap_job *j, const char *text, size_t len, next_fn next)
{
	if (!j || (!text && len) || j->ran)
		return IDMAP_ERR_INVALID;
	/* room for the ids this text may hold (one per 8 bytes or more), grown once, not by
	 * doubling through every size on the way */
	size_t room = j->n_ids + len / 8;
	if (room > (1u << 25))
		room = 1u << 25;
	if (2 * room > j->dedupe_cap && grow_dedupe(j, room) != IDMAP_OK)
		return IDMAP_ERR_NOMEM;
	size_t pos = 0, off[ADD_GROUP], n[ADD_GROUP];
	uint64_t fp[ADD_GROUP];
	for (;;) {
		size_t k = 0;
		while (k < ADD_GROUP && next(text, len, &pos, &off[k], &n[k])) {
			if (n[k] > IDMAP_ID_MAX_LEN) /* enough to tell it is too long */
				n[k] = IDMAP_ID_MAX_LEN + 1;
			fp[k] = idmap_hash(text + off[k], n[k], 0).lo >> 32;
			__builtin_prefetch(&j->dedupe[fp[k] & (j->dedupe_cap - 1)]);
			k++;
		}
		for (size_t i = 0; i < k; i++) {
			int rc = add_one(j, text + off[i], n[i], fp[i]);
			if (rc != IDMAP_OK)
				return rc;
		}
		if (k < ADD_GROUP)
			return IDMAP_OK;
	}
}

IDMAP_API int idmap_job_add_ids(idmap_job *j, const char *text, size_t len)
{
	return add_text(j, text, len, idmap_next_id);
}

IDMAP_API int idmap_job_add_lines(idmap_job *j, const char *text, size_t len)
{
	return add_text(j, text, len, next_line_id);
}

/* ---- Accessors --------------------------------------------------------------------------- */

IDMAP_API void idmap_job_get_stats(const idmap_job *j, idmap_job_stats *st)
{
	if (!j || !st)
		return;
	*st = j->st;
	st->inputs = j->n_inputs;
	st->distinct = j->n_ids;
	st->duplicates = j->n_inputs - j->n_ids;
}

IDMAP_API void idmap_job_dbs(const idmap_job *j, idmap_db_info *from, idmap_db_info *to)
{
	if (j && from)
		*from = j->from;
	if (j && to)
		*to = j->to;
}

IDMAP_API const char *idmap_id_status_text(int s)
{
	switch (s) {
	case IDMAP_ID_MAPPED: return "mapped";
	case IDMAP_ID_INVALID: return "invalid";
	case IDMAP_ID_NOT_FOUND: return "not found";
	case IDMAP_ID_NO_TARGET: return "no id of the target database";
	case IDMAP_ID_FILTERED: return "no entry of the requested taxa";
	case IDMAP_ID_UNREVIEWED: return "only unreviewed (TrEMBL) entries";
	case IDMAP_ID_DELETED: return "deleted";
	case IDMAP_ID_REVIEW_UNKNOWN: return "review status unknown (no entry name in the index)";
	case IDMAP_ID_UNIPARC: return "only UniParc entries (suggested)";
	default: return "not mapped yet";
	}
}

/* The entry name is the one reviewed flag the release files give (idmapping.dat UniProtKB-ID
 * rows, idmapping_selected.tab column 2): a TrEMBL name is "<accession>_<species>", a
 * Swiss-Prot name a mnemonic. Without a name nothing is guessed. */
int idmap_entry_reviewed(const idmap_job *j, uint64_t canon)
{
	idmap_fwd_iter it;
	idmap_pair p;
	char acc[IDMAP_ACC_TEXT_SIZE];
	size_t n;
	if (j->t_entry == UINT32_MAX || idmap_fwd_begin(j->ix, canon, j->t_entry, &it) != IDMAP_OK ||
	    idmap_fwd_next(&it, &p) != IDMAP_OK || idmap_acc_text(j->ix, canon, acc, &n) != IDMAP_OK)
		return -1;
	return !(p.len > n && memcmp(p.value, acc, n) == 0 && p.value[n] == '_');
}

IDMAP_API const char *idmap_deleted_text(int from)
{
	return from == IDMAP_DELETED_SWISSPROT ? "deleted from Swiss-Prot"
	       : from == IDMAP_DELETED_TREMBL	? "deleted from TrEMBL"
						: "deleted";
}

int idmap_deleted_key_list(const idmap_job *j, uint64_t key)
{
	uint32_t type;
	if (idmap_key_get(j->ix, key, &type, NULL, NULL) != IDMAP_OK)
		return -1;
	for (int k = 0; k < 3; k++)
		if (j->t_del[k] != UINT32_MAX && j->t_del[k] == type)
			return k;
	return -1;
}

IDMAP_API bool idmap_id_failed(int s)
{
	return s != IDMAP_ID_MAPPED && s != IDMAP_ID_DELETED && s != IDMAP_ID_UNREVIEWED &&
	       s != IDMAP_ID_UNIPARC;
}

IDMAP_API int idmap_job_id(const idmap_job *j, uint64_t i, idmap_id_info *info)
{
	if (!j || !info || i >= j->n_ids)
		return IDMAP_ERR_INVALID;
	const job_idrec *r = &j->ids[i];
	info->text = j->arena + r->off;
	info->len = r->len;
	info->from_len = r->from_len;
	info->status = r->status;
	info->obsolete = r->obsolete;
	info->deleted_from = r->deleted_from;
	info->reason = r->reason;
	info->rows = r->rows;
	return IDMAP_OK;
}

IDMAP_API int idmap_job_primary(const idmap_job *j, uint64_t i, uint64_t k,
				char out[IDMAP_ACC_TEXT_SIZE])
{
	if (!j || !out || i >= j->n_ids || j->ids[i].obsolete != IDMAP_OBSOLETE_SECONDARY)
		return IDMAP_ERR_INVALID;
	idmap_rev_iter it;
	uint64_t slot;
	int rc = idmap_rev_begin(j->ix, j->ids[i].sec_key, &it, NULL);
	for (uint64_t m = 0; rc == IDMAP_OK; m++) {
		rc = idmap_rev_next(&it, &slot);
		if (rc == IDMAP_OK && m == k)
			return idmap_acc_text(j->ix, slot, out, NULL);
	}
	return rc;
}

static int row_out(const idmap_job *j, const job_row *w, idmap_result *r)
{
	const job_idrec *rec = &j->ids[w->id];
	int rc;
	memset(r, 0, offsetof(idmap_result, to_buf));
	r->id = w->id;
	r->from = j->arena + rec->off + rec->from_off;
	r->from_len = rec->from_len;
	r->acc_slot = UINT64_MAX;
	r->to = r->to_buf;
	if (w->to & JOB_TO_INACTIVE) {
		if ((rc = idmap_key_get(j->ix, w->to & ~JOB_TO_INACTIVE, NULL, r->to_buf,
					&r->to_len)) != IDMAP_OK)
			return rc;
		int from = idmap_deleted_key_list(j, w->to & ~JOB_TO_INACTIVE);
		r->inactive = from < 0 ? 1 : 1 + from;
	} else if (w->to & JOB_TO_UPI) { /* a UniParc cross-reference's UPI */
		if ((rc = idmap_acc_text(j->ix, JOB_TO_SLOT(w->to), r->to_buf, &r->to_len)) !=
		    IDMAP_OK)
			return rc;
		r->to = r->to_buf;
		r->xref_inactive = (w->to & JOB_TO_XREF_INACTIVE) != 0;
	} else if (w->to & JOB_TO_XREF_INACTIVE) { /* an inactive cross-reference's value */
		if ((rc = idmap_key_get(j->ix, JOB_TO_SLOT(w->to), NULL, r->to_buf,
					&r->to_len)) != IDMAP_OK)
			return rc;
		r->xref_inactive = 1;
	} else if (w->to & JOB_TO_RECORD) { /* an entry of the FASTA files alone */
		idmap_entry e;
		if ((rc = idmap_entry_get(j->ix, w->to & ~JOB_TO_RECORD, &e)) != IDMAP_OK)
			return rc == IDMAP_ERR_NOT_FOUND ? IDMAP_ERR_CORRUPT : rc;
		if ((r->to_len = strlen(e.id)) >= sizeof r->to_buf)
			return IDMAP_ERR_CORRUPT;
		memcpy(r->to_buf, e.id, r->to_len + 1);
		r->to = r->to_buf;
	} else if (j->to.kind == IDMAP_DB_KIND_UNIPROTKB || j->to.kind == IDMAP_DB_KIND_SWISSPROT) {
		if ((rc = idmap_acc_text(j->ix, w->to, r->to_buf, &r->to_len)) != IDMAP_OK)
			return rc;
		r->acc_slot = w->to;
	} else if ((rc = idmap_key_get(j->ix, w->to, NULL, r->to_buf, &r->to_len)) != IDMAP_OK) {
		return rc;
	}
	if (j->via) {
		if ((rc = idmap_acc_text(j->ix, w->via, r->via_buf, &r->via_len)) != IDMAP_OK)
			return rc;
		r->via = r->via_buf;
		r->acc_slot = w->via;
	}
	return IDMAP_OK;
}

const char *idmap_row_alone(const idmap_job *j, const idmap_result *r)
{
	/* the only result rows of these targets without accession slot: inactive entries and
	 * the records of JOB_TO_RECORD (UniParc UPIs are suggestions, never result rows) */
	int kb = j->to.kind == IDMAP_DB_KIND_UNIPROTKB || j->to.kind == IDMAP_DB_KIND_SWISSPROT;
	return kb && !j->via && r->acc_slot == UINT64_MAX && !r->inactive && !r->xref_inactive
		       ? r->to
		       : NULL;
}

/* Renderers call this before row i: the loads of the rows a few places ahead start now
 * (where their key record is at 16 ahead, the record itself at 8 ahead), so the cache misses
 * of a large job overlap instead of stalling one row at a time. */
#define ROW_AHEAD 16
void idmap_job_prefetch_row(const idmap_job *j, uint64_t i)
{
	const idmap_index *ix = j->ix;
	int acc = j->to.kind == IDMAP_DB_KIND_UNIPROTKB || j->to.kind == IDMAP_DB_KIND_SWISSPROT;
	if (i + ROW_AHEAD < j->n_rows) {
		const job_row *w = &j->rows[i + ROW_AHEAD];
		if (acc && w->to < ix->n_acc)
			__builtin_prefetch(ix->sec[IDMAP_SECTION_ACC_CODES].p + 8 * w->to);
		else if (!acc && w->to < ix->n_key)
			idmap_ot_prefetch(&ix->key, w->to);
		if (j->via && w->via < ix->n_acc)
			__builtin_prefetch(ix->sec[IDMAP_SECTION_ACC_CODES].p + 8 * w->via);
		/* a member value names the one accession of its key, the row's own: its code */
		else if (!acc && w->acc1 && w->acc1 <= ix->n_acc && j->to.type_id < ix->n_types &&
			 (ix->vcode[j->to.type_id].acc || ix->vcode[j->to.type_id].named))
			__builtin_prefetch(ix->sec[IDMAP_SECTION_ACC_CODES].p + 8 * (w->acc1 - 1));
	}
	const uint8_t *p, *end;
	if (!acc && i + ROW_AHEAD / 2 < j->n_rows && j->rows[i + ROW_AHEAD / 2].to < ix->n_key &&
	    idmap_record(&ix->key, j->rows[i + ROW_AHEAD / 2].to, &p, &end) == 0)
		__builtin_prefetch(p);
}

IDMAP_API int idmap_job_result(const idmap_job *j, uint64_t i, idmap_result *r)
{
	if (!j || !r || i >= j->n_rows)
		return IDMAP_ERR_INVALID;
	return row_out(j, &j->rows[i], r);
}

IDMAP_API int idmap_job_suggested(const idmap_job *j, uint64_t i, idmap_result *r)
{
	if (!j || !r || i >= j->n_sugg)
		return IDMAP_ERR_INVALID;
	return row_out(j, &j->sugg[i], r);
}

IDMAP_API int idmap_job_warning(const idmap_job *j, size_t i, int *code, const char **msg)
{
	if (!j)
		return IDMAP_ERR_INVALID;
	if (i >= j->n_warn)
		return IDMAP_DONE;
	if (code)
		*code = j->warn_code[i];
	if (msg)
		*msg = j->warn_msg[i];
	return IDMAP_OK;
}
