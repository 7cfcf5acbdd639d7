/* UniProtKB entries by accession, as UniProt's /uniprotkb/{accession} and /uniprotkb/accessions
 * answer them (uniprot-rest-api UniProtKBController): the entries of a job mapping the
 * accessions to UniProtKB, one per id in the ids' order. An active entry is its entry object
 * (idmap_fields_json). Asked alone, a secondary accession is its inactive entry, MERGED into
 * its primary or DEMERGED into several (uniprot-core EntryInactiveReasonImpl:
 * inactiveReasonType, mergeDemergeTo; UniProtEntryQueryResultsConverter.getInactiveReason),
 * a deleted one its DELETED entry; in a list they are left out. An accession of the FASTA
 * files alone (in no idmapping file) is the entry its record makes. TSV: the fields' titles,
 * then a line per entry (no From column). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "semantics.h"

/* Passes TSV lines on without the TAB that idmap_fields_tsv puts before the first cell. */
typedef struct {
	idmap_write_fn write;
	void *ctx;
	int line_start;
} untab;

static int untab_write(void *c, const void *p, size_t n)
{
	untab *u = c;
	const char *s = p;
	for (size_t i = 0; i < n;) {
		if (u->line_start && s[i] == '\t')
			i++;
		u->line_start = 0;
		size_t k = i;
		while (k < n && s[k] != '\n')
			k++;
		if (k < n) {
			k++;
			u->line_start = 1;
		}
		if (k > i && u->write(u->ctx, s + i, k - i))
			return 1;
		i = k;
	}
	return 0;
}

/* The inactive entry of secondary id i (text t, upper-cased as UniProt's accessions). */
static int merged(const idmap_job *j, uint64_t i, const char *t, size_t n, idmap_obuf *o)
{
	char acc[IDMAP_ACC_TEXT_SIZE], up[IDMAP_ACC_TEXT_SIZE];
	size_t m = n < sizeof up ? n : sizeof up - 1;
	for (size_t k = 0; k < m; k++)
		up[k] = (char)toupper((unsigned char)t[k]);
	int demerged = idmap_job_primary(j, i, 1, acc) == IDMAP_OK, rc;
	idmap_obuf_s(o, "{\"entryType\":\"Inactive\",\"primaryAccession\":");
	idmap_obuf_json(o, up, m);
	idmap_obuf_s(o, demerged ? ",\"inactiveReason\":{\"inactiveReasonType\":\"DEMERGED\""
				 : ",\"inactiveReason\":{\"inactiveReasonType\":\"MERGED\"");
	idmap_obuf_s(o, ",\"mergeDemergeTo\":[");
	uint64_t k = 0;
	for (; (rc = idmap_job_primary(j, i, k, acc)) == IDMAP_OK; k++) {
		if (k)
			idmap_obuf_c(o, ',');
		idmap_obuf_json(o, acc, strlen(acc));
	}
	idmap_obuf_s(o, "]}}");
	return rc == IDMAP_DONE ? IDMAP_OK : rc;
}

/* One row's entry; *last_id: the id of the previous row (a secondary id is written once).
 * Inactive entries only when single (a list has the entries of UniProt's store, the active
 * ones: StoreStreamerSearchService.getByIds). */
static int entry(const idmap_job *j, const idmap_fields *f, int json, int single, uint64_t row,
		 uint64_t *last_id, str_vec *s, idmap_obuf *o, int *written)
{
	idmap_result r;
	idmap_id_info id;
	int rc = idmap_job_result(j, row, &r);
	if (rc == IDMAP_OK)
		rc = idmap_job_id(j, r.id, &id);
	if (rc != IDMAP_OK)
		return rc;
	int secondary = id.obsolete == IDMAP_OBSOLETE_SECONDARY;
	if ((secondary && r.id == *last_id) || (!single && (secondary || r.inactive)))
		return IDMAP_OK;
	*last_id = r.id;
	if (json && (*written)++)
		idmap_obuf_c(o, ',');
	if (secondary) {
		r.to = id.text;
		r.to_len = id.from_len;
	}
	if (json && secondary)
		rc = merged(j, r.id, id.text, id.from_len, o);
	else if (json && r.inactive)
		idmap_fields_json_inactive(&r, o);
	else if (json)
		rc = idmap_fields_json(f, j, r.acc_slot, idmap_row_alone(j, &r), r.to_len, s, o);
	else if (secondary || r.inactive)
		idmap_fields_tsv_inactive(f, &r, o);
	else
		rc = idmap_fields_tsv(f, j, r.acc_slot, idmap_row_alone(j, &r), r.to_len, s, o);
	if (!json)
		idmap_obuf_c(o, '\n');
	return rc;
}

IDMAP_API int idmap_render_entries(const idmap_job *j, const idmap_fields *f, int format,
				   int single, idmap_write_fn write, void *ctx)
{
	if (!j || !f || !write || !j->ran || (format != IDMAP_OUT_JSON && format != IDMAP_OUT_TSV))
		return IDMAP_ERR_INVALID;
	int json = format == IDMAP_OUT_JSON;
	untab u = {write, ctx, 1};
	idmap_obuf *o = malloc(sizeof *o);
	if (!o)
		return IDMAP_ERR_NOMEM;
	idmap_obuf_init(o, json ? write : untab_write, json ? ctx : (void *)&u);
	str_vec s = {0};
	int rc = IDMAP_OK, written = 0;
	uint64_t last_id = UINT64_MAX;
	if (!json) {
		idmap_fields_header(f, o);
		idmap_obuf_c(o, '\n');
	} else if (!single)
		idmap_obuf_s(o, "{\"results\":[");
	for (uint64_t row = 0; rc == IDMAP_OK && o->rc == IDMAP_OK && row < j->n_rows &&
			       !(single && written); row++)
		rc = entry(j, f, json, single, row, &last_id, &s, o, &written);
	if (json && !single)
		idmap_obuf_s(o, "]}");
	idmap_obuf_flush(o);
	if (rc == IDMAP_OK)
		rc = o->rc;
	free(o);
	idmap_str_vec_free(&s);
	return rc;
}
