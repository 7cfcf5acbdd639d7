/* Mapping jobs through the library (no CLI): per-id outcomes, obsolete accessions,
 * duplicates, isoforms, canonical, taxon, versions, Swiss-Prot suggestions, via, renderers.
 * The index is built from data/sample. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idmap.h"
#include "idmap_build.h"
#include "test_util.h"

static char index_path[128];
static idmap_index *ix;

static int setup(void **state)
{
	(void)state;
	if (tu_make_dir("idmap-test-mapper-") < 0)
		return -1;
	snprintf(index_path, sizeof index_path, "%s/sample.idx", tu_dir);
	if (tu_build_sample(index_path) < 0 || idmap_open(index_path, &ix) != IDMAP_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	idmap_close(ix);
	return tu_remove_dir();
}

/* Collects rendered output. */
typedef struct {
	char buf[8192];
	size_t len;
} sink;

static int to_sink(void *ctx, const void *p, size_t n)
{
	sink *s = ctx;
	if (s->len + n >= sizeof s->buf)
		return 99;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = 0;
	return 0;
}

/* Runs a job and renders it; returns the job (caller frees) and the text in *out. */
static idmap_job *run(const idmap_request *r, const char *ids, int format, sink *out)
{
	idmap_job *j = NULL;
	idmap_diag d;
	assert_int_equal(idmap_job_new(ix, r, &j, &d), IDMAP_OK);
	assert_int_equal(idmap_job_add_ids(j, ids, strlen(ids)), IDMAP_OK);
	assert_int_equal(idmap_job_run(j), IDMAP_OK);
	assert_int_equal(idmap_job_add_ids(j, "x", 1), IDMAP_ERR_INVALID); /* after run */
	idmap_render_opts ro = {format, NULL, 0, 0, 0, 0};
	out->len = 0;
	out->buf[0] = 0;
	assert_int_equal(idmap_render(j, &ro, to_sink, out), IDMAP_OK);
	return j;
}

static void test_outcomes(void **state)
{
	(void)state;
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	sink s;
	idmap_job *j = run(&r, "P31946 nope NOPE_1 P00750.2 B4DJ71 A0A087WTH5 P31946,p31946", 0, &s);
	idmap_job_stats st;
	idmap_job_get_stats(j, &st);
	assert_int_equal(st.inputs, 8);
	assert_int_equal(st.distinct, 7);
	assert_int_equal(st.duplicates, 1);
	assert_int_equal(st.mapped, 4);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.secondary, 1);
	assert_int_equal(st.deleted, 1);
	assert_int_equal(st.obsolete, 2);
	static const int want[] = {IDMAP_ID_MAPPED, IDMAP_ID_INVALID, IDMAP_ID_NOT_FOUND,
				   IDMAP_ID_MAPPED, IDMAP_ID_MAPPED, IDMAP_ID_DELETED,
				   IDMAP_ID_MAPPED};
	for (uint64_t i = 0; i < 7; i++) {
		idmap_id_info id;
		assert_int_equal(idmap_job_id(j, i, &id), IDMAP_OK);
		assert_int_equal(id.status, want[i]);
		assert_int_equal(id.reason == NULL, want[i] == IDMAP_ID_MAPPED);
	}
	idmap_id_info id;
	assert_int_equal(idmap_job_id(j, 3, &id), IDMAP_OK); /* P00750.2: from drops the version */
	assert_int_equal(id.from_len, 6);
	assert_int_equal(idmap_job_id(j, 4, &id), IDMAP_OK);
	assert_int_equal(id.obsolete, IDMAP_OBSOLETE_SECONDARY);
	char acc[IDMAP_ACC_TEXT_SIZE];
	assert_int_equal(idmap_job_primary(j, 4, 0, acc), IDMAP_OK);
	assert_string_equal(acc, "P31946");
	assert_int_equal(idmap_job_primary(j, 4, 1, acc), IDMAP_DONE);
	assert_int_equal(idmap_job_primary(j, 0, 0, acc), IDMAP_ERR_INVALID);
	assert_string_equal(s.buf, "From\tTo\tObsolete\n"
				   "P31946\tP31946\t\n"
				   "P00750\tP00750\t\n"
				   "B4DJ71\tP31946\tsecondary\n"
				   "p31946\tP31946\t\n"
				   "A0A087WTH5\t\tdeleted\n");
	idmap_job_free(j);

	j = run(&r, "P31946 nope B4DJ71 A0A087WTH5", IDMAP_OUT_JSON, &s);
	assert_string_equal(s.buf, "{\"results\":[{\"from\":\"P31946\",\"to\":\"P31946\"},"
				   "{\"from\":\"B4DJ71\",\"to\":\"P31946\"}],"
				   "\"failedIds\":[\"nope\"],\"obsoleteCount\":2}\n");
	/* paging: rows [1, 2), lists left out */
	idmap_render_opts ro = {IDMAP_OUT_JSON, NULL, 1, 1, 0, 1};
	s.len = 0;
	assert_int_equal(idmap_render(j, &ro, to_sink, &s), IDMAP_OK);
	assert_string_equal(s.buf, "{\"results\":[{\"from\":\"B4DJ71\",\"to\":\"P31946\"}]}\n");
	idmap_job_free(j);
}

static void test_demerge_and_versions(void **state)
{
	(void)state;
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	sink s;
	idmap_job *j = run(&r, "Q9UBL9", IDMAP_OUT_LIST, &s);
	assert_string_equal(s.buf, "P27348\nP62258\n");
	idmap_job_free(j);
	r = tu_request("RefSeq_Protein", "UniProtKB");
	j = run(&r, "NP_003395 NP_003395.1 NP_003395.9", IDMAP_OUT_TSV, &s);
	assert_string_equal(s.buf, "From\tTo\nNP_003395\tP31946\nNP_003395\tP31946-1\n"
				   "NP_003395.1\tP31946\nNP_003395.1\tP31946-1\n");
	idmap_job_free(j);
}

static void test_isoforms_canonical_taxon(void **state)
{
	(void)state;
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniParc");
	sink s;
	r.include_isoforms = 1;
	idmap_job *j = run(&r, "P02768", IDMAP_OUT_LIST, &s);
	assert_string_equal(s.buf, "UPI000016FE75\nUPI0000D61A2F\nUPI0001AE6F3B\n");
	idmap_job_free(j);
	r = tu_request("Ensembl_Transcript", "UniProtKB");
	r.canonical = 1;
	j = run(&r, "ENST00000372839.7", IDMAP_OUT_LIST, &s);
	assert_string_equal(s.buf, "P31946\n");
	idmap_job_free(j);
	r.canonical = 0;
	j = run(&r, "ENST00000372839.7", IDMAP_OUT_LIST, &s);
	assert_string_equal(s.buf, "P31946\nP31946-2\n");
	idmap_job_free(j);
	uint64_t mouse = 10090;
	r = tu_request("Gene_Name", "UniProtKB");
	r.taxa = &mouse;
	r.n_taxa = 1;
	j = run(&r, "YWHAQ YWHAB", IDMAP_OUT_TSV, &s);
	assert_string_equal(s.buf, "From\tTo\nYWHAQ\tP68254\n");
	idmap_id_info id;
	assert_int_equal(idmap_job_id(j, 1, &id), IDMAP_OK);
	assert_int_equal(id.status, IDMAP_ID_FILTERED);
	idmap_job_free(j);
	r.n_taxa = 0;
	j = run(&r, "YWHAQ", IDMAP_OUT_TSV, &s);
	int code;
	const char *msg;
	assert_int_equal(idmap_job_warning(j, 0, &code, &msg), IDMAP_OK);
	assert_int_equal(code, 60);
	assert_int_equal(idmap_job_warning(j, 1, &code, &msg), IDMAP_DONE);
	idmap_job_free(j);
}

static void test_swissprot_via_fields(void **state)
{
	(void)state;
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniProtKB-Swiss-Prot");
	sink s;
	idmap_job *j = run(&r, "P31946 A0A024R161", IDMAP_OUT_JSON, &s);
	assert_string_equal(s.buf, "{\"results\":[{\"from\":\"P31946\",\"to\":\"P31946\"}],"
				   "\"failedIds\":[\"A0A024R161\"],\"suggestedIds\":[{\"from\":"
				   "\"A0A024R161\",\"to\":\"A0A024R161\"}]}\n");
	idmap_job_free(j);
	r = tu_request("Ensembl", "PDB");
	r.via = "uniprotkb";
	j = run(&r, "ENSG00000166913", IDMAP_OUT_TSV, &s);
	assert_string_equal(s.buf, "From\tTo\tVia\nENSG00000166913\t2BQ0\tP31946\n"
				   "ENSG00000166913\t2C23\tP31946\nENSG00000166913\t4DNK\tP31946\n");
	idmap_job_free(j);
	r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	j = run(&r, "P04637", IDMAP_OUT_TSV, &s);
	idmap_fields *f;
	idmap_diag d;
	assert_int_equal(idmap_fields_parse(j, "nope", &f, &d), IDMAP_ERR_BAD_OPTION);
	assert_int_equal(idmap_fields_parse(j, "accession,id,reviewed,gene_names,organism_id,"
					    "xref_geneid", &f, &d), IDMAP_OK);
	idmap_render_opts ro = {IDMAP_OUT_TSV, f, 0, 0, 0, 0};
	s.len = 0;
	assert_int_equal(idmap_render(j, &ro, to_sink, &s), IDMAP_OK);
	assert_string_equal(s.buf, "From\tEntry\tEntry Name\tReviewed\tGene Names\tOrganism (ID)"
				   "\tGeneID\nP04637\tP04637\tP53_HUMAN\treviewed\tTP53 P53\t9606"
				   "\t7157;\n");
	idmap_fields_free(f);
	idmap_job_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_demerge_and_versions),
		cmocka_unit_test(test_isoforms_canonical_taxon),
		cmocka_unit_test(test_swissprot_via_fields),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
