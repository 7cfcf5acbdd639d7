/* UniProt's entry objects for UniRef and UniParc targets in the results JSON: the `to` of
 * rest-api UniRefEntryPair (uniprot-core UniRefEntryLight: id, entryType, memberCount, members)
 * and UniParcEntryLightPair (UniParcLightIdService; UniParcEntryLight: uniParcId,
 * uniProtKBAccessions), with what the index knows: the UniProtKB accessions of the cluster or
 * UniParc id (its reverse postings); names, organisms and sequences are not in the release
 * files, nor the cross-references to other databases (no crossReferenceCount). */
#include <stdlib.h>
#include <string.h>

#include "accession.h"
#include "semantics.h"

/* The kind of entry object of the job's target: 0 none, 1 UniRef, 2 UniParc. */
int idmap_job_target_object(const idmap_job *j)
{
	const char *t = j->to.file_type;
	if (!t || j->via || j->to.type_id == IDMAP_TYPE_ANY)
		return 0;
	if (!strcmp(t, "UniRef50") || !strcmp(t, "UniRef90") || !strcmp(t, "UniRef100"))
		return 1;
	return !strcmp(t, "UniParc") ? 2 : 0;
}

typedef struct {
	uint64_t code, slot;
} member;

static int by_code(const void *a, const void *b)
{
	uint64_t x = ((const member *)a)->code, y = ((const member *)b)->code;
	return x < y ? -1 : x > y;
}

/* The members of key in accession order (the postings are in slot order), into *out
 * (malloc'd). Returns IDMAP_OK or an error. */
static int sorted_members(const idmap_job *j, uint64_t key, member **out, uint64_t *count)
{
	idmap_rev_iter it;
	uint64_t slot, n = 0;
	int rc = idmap_rev_begin(j->ix, key, &it, count);
	if (rc != IDMAP_OK)
		return rc;
	member *m = malloc((*count ? *count : 1) * sizeof *m);
	if (!m)
		return IDMAP_ERR_NOMEM;
	while (n < *count && (rc = idmap_rev_next(&it, &slot)) == IDMAP_OK) {
		m[n].slot = slot;
		if ((rc = idmap_acc_code(j->ix, slot, &m[n++].code)) != IDMAP_OK)
			break;
	}
	if (rc == IDMAP_DONE || n == *count)
		rc = IDMAP_OK;
	*count = n;
	qsort(m, n, sizeof *m, by_code);
	*out = m;
	if (rc != IDMAP_OK)
		free(m);
	return rc;
}

/* Whether row r's target is a UPI of the index's UniParc cross-references (uniparc.c). */
static int upi_of_xref(const idmap_job *j, const idmap_result *r)
{
	uint64_t slot, code = idmap_upi_encode(r->to, r->to_len);
	return code && j->up.mode == UPARC_FALLBACK &&
	       idmap_acc_find_code(j->ix, code, &slot) == IDMAP_OK;
}

int idmap_render_entry(const idmap_job *j, const idmap_result *r, uint64_t members,
		       idmap_obuf *o)
{
	int kind = idmap_job_target_object(j);
	uint64_t key, count = 0;
	member *m = NULL;
	int rc = idmap_key_find(j->ix, j->to.type_id, r->to, r->to_len, &key);
	if (rc == IDMAP_OK)
		rc = sorted_members(j, key, &m, &count);
	else if (rc == IDMAP_ERR_NOT_FOUND && kind == 2 && upi_of_xref(j, r))
		rc = IDMAP_OK; /* a UPI found through a cross-reference: in no UniProtKB entry */
	if (rc != IDMAP_OK)
		return rc == IDMAP_ERR_NOT_FOUND ? IDMAP_ERR_CORRUPT : rc; /* a row's own target */
	if (kind == 1) {
		idmap_obuf_s(o, "{\"id\":");
		idmap_obuf_json(o, r->to, r->to_len);
		idmap_obuf_s(o, ",\"entryType\":");
		idmap_obuf_json(o, j->to.file_type, strlen(j->to.file_type));
		idmap_obuf_s(o, ",\"memberCount\":");
		idmap_obuf_u64(o, count);
		idmap_obuf_s(o, ",\"members\":[");
	} else {
		idmap_obuf_s(o, "{\"uniParcId\":");
		idmap_obuf_json(o, r->to, r->to_len);
		idmap_obuf_s(o, ",\"uniProtKBAccessions\":[");
		members = 0;
	}
	for (uint64_t i = 0; i < count && (!members || i < members) && rc == IDMAP_OK; i++) {
		char acc[IDMAP_ACC_TEXT_SIZE];
		size_t n;
		if ((rc = idmap_acc_text(j->ix, m[i].slot, acc, &n)) != IDMAP_OK)
			break;
		if (i)
			idmap_obuf_c(o, ',');
		idmap_obuf_json(o, acc, n);
	}
	free(m);
	idmap_obuf_s(o, "]}");
	return rc;
}
