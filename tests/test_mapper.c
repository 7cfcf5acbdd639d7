/* Mapping jobs through the library (no CLI): per-id outcomes, obsolete accessions,
 * duplicates, isoforms, canonical, taxon, versions, Swiss-Prot suggestions, via, renderers
 * (on several threads too). The index is built from data/sample, and one from a generated
 * release for a job of many rows. */
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

static idmap_index *ix;

static int setup(void **state)
{
	(void)state;
	return tu_open_sample("idmap-test-mapper-", &ix);
}

static int teardown(void **state)
{
	(void)state;
	return tu_close_sample(ix);
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

/* Renders rows [first, first + count) of j with the field list in format; the text. */
static const char *render_fields(const idmap_job *j, const char *list, int format,
				 uint64_t first, uint64_t count, sink *s)
{
	idmap_fields *f;
	assert_int_equal(idmap_fields_parse(j, list, &f, NULL), IDMAP_OK);
	idmap_render_opts o = {format, f, first, count, 0, count != 0};
	s->len = 0;
	s->buf[0] = 0;
	assert_int_equal(idmap_render(j, &o, to_sink, s), IDMAP_OK);
	idmap_fields_free(f);
	return s->buf;
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
	assert_int_equal(st.mapped, 5);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.secondary, 1);
	assert_int_equal(st.deleted, 1);
	assert_int_equal(st.obsolete, 2);
	assert_int_equal(st.inactive, 1);
	/* to UniProtKB a deleted accession maps to its inactive entry, as UniProt's
	 * UniProtKBIdMappingResultsControllerIT maps the deleted I8FBX0 to itself */
	static const int want[] = {IDMAP_ID_MAPPED, IDMAP_ID_INVALID, IDMAP_ID_NOT_FOUND,
				   IDMAP_ID_MAPPED, IDMAP_ID_MAPPED, IDMAP_ID_MAPPED,
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
	/* From/To whatever the inputs (UniProt's plain TSV: uniprot-rest-api
	 * pir-id-mapping-return-fields.json); the Obsolete column only on request */
	assert_string_equal(s.buf, "From\tTo\n"
				   "P31946\tP31946\n"
				   "P00750\tP00750\n"
				   "B4DJ71\tP31946\n"
				   "A0A087WTH5\tA0A087WTH5\n"
				   "p31946\tP31946\n");
	assert_string_equal(render_fields(j, "from,to,obsolete", IDMAP_OUT_TSV, 0, 0, &s),
			    "From\tTo\tObsolete\n"
				   "P31946\tP31946\t\n"
				   "P00750\tP00750\t\n"
				   "B4DJ71\tP31946\tsecondary\n"
				   "A0A087WTH5\tA0A087WTH5\tdeleted from Swiss-Prot\n"
				   "p31946\tP31946\t\n");
	idmap_job_free(j);

	/* other targets: a deleted accession has no target; obsolete, not failed; the
	 * opt-in Obsolete column gives it a row with an empty To after the results */
	r = tu_request("UniProtKB_AC-ID", "GeneID");
	j = run(&r, "A0A087WTH5 Q9UBL9", IDMAP_OUT_TSV, &s);
	assert_int_equal(idmap_job_id(j, 0, &id), IDMAP_OK);
	assert_int_equal(id.status, IDMAP_ID_DELETED);
	assert_string_equal(render_fields(j, "obsolete,to", IDMAP_OUT_TSV, 0, 0, &s),
			    "From\tTo\tObsolete\nQ9UBL9\t10971\tsecondary\n"
			    "Q9UBL9\t7531\tsecondary\nA0A087WTH5\t\tdeleted from Swiss-Prot\n");
	idmap_job_free(j);
	r = tu_request("UniProtKB_AC-ID", "UniProtKB");

	/* obsoleteCount: the inactive targets (uniprot-rest-api
	 * PIRJobTask.getObsoleteUniProtEntryCount), the secondary B4DJ71 in warning 62 */
	j = run(&r, "P31946 nope B4DJ71 A0A087WTH5", IDMAP_OUT_JSON, &s);
	assert_string_equal(s.buf, "{\"results\":[{\"from\":\"P31946\",\"to\":\"P31946\"},"
				   "{\"from\":\"B4DJ71\",\"to\":\"P31946\"},"
				   "{\"from\":\"A0A087WTH5\",\"to\":\"A0A087WTH5\"}],"
				   "\"failedIds\":[\"nope\"],\"obsoleteCount\":1,\"warnings\":"
				   "[{\"code\":62,\"message\":\"Obsolete accessions among the ids: "
				   "1 secondary (mapped to their current accessions), 1 deleted.\"}]}\n");
	/* uniprotkb results: the inactive entry as UniProt's entry object */
	assert_string_equal(render_fields(j, "accession,id", IDMAP_OUT_JSON, 2, 1, &s),
			    "{\"results\":[{\"from\":\"A0A087WTH5\",\"to\":{\"entryType\":"
			    "\"Inactive\",\"primaryAccession\":\"A0A087WTH5\",\"inactiveReason\":"
			    "{\"inactiveReasonType\":\"DELETED\",\"deletedReason\":"
			    "\"Deleted from Swiss-Prot\"}}}]}\n");
	assert_string_equal(render_fields(j, "accession,id", IDMAP_OUT_TSV, 2, 1, &s),
			    "From\tEntry\tEntry Name\nA0A087WTH5\tA0A087WTH5\t\n");
	/* paging: rows [1, 2), lists left out */
	idmap_render_opts ro = {IDMAP_OUT_JSON, NULL, 1, 1, 0, 1};
	s.len = 0;
	assert_int_equal(idmap_render(j, &ro, to_sink, &s), IDMAP_OK);
	assert_string_equal(s.buf, "{\"results\":[{\"from\":\"B4DJ71\",\"to\":\"P31946\"}]}\n");
	idmap_job_free(j);
	/* xref columns list an entry's values sorted, also for an entry without isoforms (they
	 * came in key-slot order, the MPHF's, before the values were decoded into the arena) */
	r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	j = run(&r, "Q9Z131", IDMAP_OUT_TSV, &s);
	assert_string_equal(render_fields(j, "accession,xref_embl", IDMAP_OUT_TSV, 0, 0, &s),
			    "From\tEntry\tEMBL\nQ9Z131\tQ9Z131\t"
			    "AB016835;AK043375;AK161427;BC018237;BC053741;\n");
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
	/* the run loop's lookup of each id as typed stands in for map_id's: a miss as typed
	 * still tries upper case (a versioned id: no unversioned alias), an unknown id fails */
	j = run(&r, "np_003395.1 NP_999999 NP_003395.1", IDMAP_OUT_TSV, &s);
	assert_string_equal(s.buf, "From\tTo\nnp_003395.1\tP31946\nnp_003395.1\tP31946-1\n"
				   "NP_003395.1\tP31946\nNP_003395.1\tP31946-1\n");
	idmap_id_info id;
	assert_int_equal(idmap_job_id(j, 1, &id), IDMAP_OK);
	assert_int_equal(id.status, IDMAP_ID_NOT_FOUND);
	idmap_job_free(j);
	/* only versioned types get unversioned lookups. MEROPS S01.232 is an
	 * id whose prefix S01 is a family, not an id: S01 must not find P00750 */
	r = tu_request("MEROPS", "UniProtKB");
	j = run(&r, "S01 S01.232", IDMAP_OUT_TSV, &s);
	assert_string_equal(s.buf, "From\tTo\nS01.232\tP00750\n");
	idmap_job_free(j);
	r = tu_request("Ensembl", "UniProtKB");
	j = run(&r, "ENSG00000166913", IDMAP_OUT_TSV, &s);
	assert_string_equal(s.buf, "From\tTo\nENSG00000166913\tP31946\n");
	idmap_job_free(j);
	uint32_t t;
	assert_int_equal(idmap_type_find(ix, "#unversioned:MEROPS", &t), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_type_find(ix, "#unversioned:RefSeq", &t), IDMAP_OK);

	/* an index of the builder before format/versioned.c holds #unversioned:MEROPS S01; it is
	 * of format version 2, which this reader refuses (values are coded since version 3), so
	 * the false alias can no longer be read: the index is rebuilt */
	idmap_index *old = (idmap_index *)1;
	char why[256];
	assert_int_equal(idmap_open_detail("data/inputs/old-merops-alias.idx", &old, why, sizeof why),
			 IDMAP_ERR_VERSION);
	assert_null(old);
	assert_non_null(strstr(why, "version 2 is not supported"));
	assert_non_null(strstr(why, "rebuild the index"));
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
	/* an id is failed or has suggested pairs, never both (uniprot-rest-api
	 * PIRResponseConverter: each pair goes to mappedId or suggestedId, an id without pairs
	 * to unmappedId) */
	idmap_job *j = run(&r, "P31946 A0A024R161 nope", IDMAP_OUT_JSON, &s);
	assert_string_equal(s.buf, "{\"results\":[{\"from\":\"P31946\",\"to\":\"P31946\"}],"
				   "\"failedIds\":[\"nope\"],\"suggestedIds\":[{\"from\":"
				   "\"A0A024R161\",\"to\":\"A0A024R161\"}]}\n");
	idmap_job_stats st;
	idmap_job_get_stats(j, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.suggested, 1);
	assert_false(idmap_id_failed(IDMAP_ID_UNREVIEWED));
	assert_true(idmap_id_failed(IDMAP_ID_NOT_FOUND));
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

/* ---- Several threads: the same job, the same answers -------------------------------------- */

typedef struct {
	char *buf;
	size_t len, cap;
} big_sink;

static int to_big_sink(void *ctx, const void *p, size_t n)
{
	big_sink *s = ctx;
	if (s->len + n > s->cap) {
		size_t cap = 2 * (s->len + n);
		char *b = realloc(s->buf, cap);
		if (!b)
			return 99;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return 0;
}

#define SPREAD_IDS 70000 /* four threads' worth (one per 16384 ids) */

/* The real ids spread evenly among distinct fillers that find nothing, so that every
 * thread's range holds some of each outcome; the last real id is the last id. */
static char *spread_ids(const char *const *real, size_t n_real, const char *filler_fmt)
{
	char *text = malloc(SPREAD_IDS * 16);
	assert_non_null(text);
	size_t len = 0, next = 0;
	for (size_t i = 0; i < SPREAD_IDS; i++) {
		size_t at = next < n_real ? (next + 1) * (SPREAD_IDS - 1) / n_real : SPREAD_IDS;
		if (i == at)
			len += (size_t)sprintf(text + len, "%s ", real[next++]);
		else
			len += (size_t)sprintf(text + len, filler_fmt, (unsigned)i);
	}
	return text;
}

static idmap_job *run_threads(const idmap_request *r, const char *ids, unsigned threads,
			      int format, big_sink *out)
{
	idmap_job *j = NULL;
	assert_int_equal(idmap_job_new(ix, r, &j, NULL), IDMAP_OK);
	assert_int_equal(idmap_job_set_threads(j, threads), IDMAP_OK);
	assert_int_equal(idmap_job_add_ids(j, ids, strlen(ids)), IDMAP_OK);
	assert_int_equal(idmap_job_run(j), IDMAP_OK);
	assert_int_equal(idmap_job_set_threads(j, 2), IDMAP_ERR_INVALID); /* after run */
	idmap_render_opts ro = {format, NULL, 0, 0, 0, 0};
	out->len = 0;
	assert_int_equal(idmap_render(j, &ro, to_big_sink, out), IDMAP_OK);
	return j;
}

/* Runs the request with one thread and with four; everything observable must be equal. */
static void check_threads_equal(const idmap_request *r, const char *ids, int format,
				uint64_t min_mapped)
{
	big_sink a = {0}, b = {0};
	idmap_job *one = run_threads(r, ids, 1, format, &a);
	idmap_job *four = run_threads(r, ids, 4, format, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	idmap_job_stats x, y;
	idmap_job_get_stats(one, &x);
	idmap_job_get_stats(four, &y);
	assert_int_equal(x.distinct, SPREAD_IDS);
	assert_true(x.mapped >= min_mapped);
	assert_memory_equal(&x, &y, sizeof x);
	for (uint64_t i = 0; i < x.distinct; i++) {
		idmap_id_info p, q;
		assert_int_equal(idmap_job_id(one, i, &p), IDMAP_OK);
		assert_int_equal(idmap_job_id(four, i, &q), IDMAP_OK);
		assert_int_equal(p.status, q.status);
		assert_int_equal(p.obsolete, q.obsolete);
		assert_int_equal(p.rows, q.rows);
		assert_int_equal(p.from_len, q.from_len);
		assert_true(p.reason == q.reason || strcmp(p.reason, q.reason) == 0);
	}
	idmap_id_info last;
	assert_int_equal(idmap_job_id(four, x.distinct - 1, &last), IDMAP_OK);
	assert_int_not_equal(last.status, IDMAP_ID_NOT_FOUND); /* a real id, in the last range */
	for (size_t w = 0;; w++) {
		int c1, c2;
		const char *m1, *m2;
		int r1 = idmap_job_warning(one, w, &c1, &m1), r2 = idmap_job_warning(four, w, &c2, &m2);
		assert_int_equal(r1, r2);
		if (r1 != IDMAP_OK)
			break;
		assert_int_equal(c1, c2);
		assert_string_equal(m1, m2);
	}
	idmap_job_free(one);
	idmap_job_free(four);
	free(a.buf);
	free(b.buf);
}

static void test_threads_same_results(void **state)
{
	(void)state;
	static const char *const accs[] = {
		"P31946", "nope", "NOPE_1", "P00750.2", "B4DJ71", "A0A087WTH5", "p31946",
		"P02768", "P31946-2", "P68254", "A0A024R161", "P62258", "ALBU_HUMAN", "P04637"};
	size_t n = sizeof accs / sizeof accs[0];
	char *ids = spread_ids(accs, n, "Q9%04X ");
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	check_threads_equal(&r, ids, IDMAP_OUT_TSV, 8); /* secondary, deleted, invalid */
	r = tu_request("UniProtKB_AC-ID", "UniProtKB-Swiss-Prot");
	check_threads_equal(&r, ids, IDMAP_OUT_JSON, 8); /* suggestions of unreviewed ids */
	r = tu_request("UniProtKB_AC-ID", "UniParc");
	r.include_isoforms = 1; /* several values per id, sorted */
	check_threads_equal(&r, ids, IDMAP_OUT_TSV, 8);
	free(ids);
	static const char *const genes[] = {"YWHAQ", "YWHAB", "SFN", "groL", "Ywhab", "TP53"};
	ids = spread_ids(genes, sizeof genes / sizeof genes[0], "GENE%05u ");
	r = tu_request("Gene_Name", "UniProtKB"); /* no taxon: warning 60 counts taxa (groL: a
						    * third one, in a later range) */
	check_threads_equal(&r, ids, IDMAP_OUT_TSV, 4);
	free(ids);
}

/* ---- Rows rendered on several threads --------------------------------------------------- */

#define MANY_ACCS 90000 /* rows of almost three chunks of the renderer (32768 rows) */

/* Accession i of the generated release: [A-N][0-9][A-Z][A-Z]07, distinct for i < 94640. */
static void many_acc(unsigned i, char out[8])
{
	snprintf(out, 8, "%c%u%c%c07", "ABCDEFGHIJKLMN"[i % 14], i / 14 % 10, 'A' + i / 140 % 26,
		 'A' + i / 3640 % 26);
}

/* Renders all rows of j, or the `first`/`count` page, or the rows listed, with j's threads. */
static void render_many(const idmap_job *j, int format, uint64_t first, uint64_t count,
			const uint64_t *rows, uint64_t n_rows, big_sink *out)
{
	idmap_render_opts o = {format, NULL, first, count, 0, count != 0};
	idmap_render_ext x = {0};
	x.rows = rows;
	x.n_rows = n_rows;
	out->len = 0;
	assert_int_equal(idmap_render_ex(j, &o, &x, to_big_sink, out), IDMAP_OK);
	assert_int_equal(to_big_sink(out, "", 1), 0);
	out->len--; /* NUL-terminated */
	if (format == IDMAP_OUT_JSON) /* the page's first row without a comma before it */
		assert_non_null(strstr(out->buf, "\"results\":[{\"from\":"));
}

/* A job of 90,000 rows rendered with 1 and 3 threads: TSV and JSON, all rows, a page, a list
 * of rows; the same bytes, and the TSV the rows the generated release says, in input
 * order. */
static void test_render_threads(void **state)
{
	(void)state;
	FILE *f = fopen(tu_path("many.dat"), "w");
	assert_non_null(f);
	size_t cap = (size_t)MANY_ACCS * 40, len = 0, rlen = 0;
	char *ids = malloc(cap), *want = malloc(cap);
	assert_true(ids && want);
	rlen += (size_t)sprintf(want, "From\tTo\n");
	for (unsigned i = 0; i < MANY_ACCS; i++) {
		char a[8], c[8];
		unsigned q = (unsigned)((uint64_t)i * 48271 % MANY_ACCS); /* the order asked */
		many_acc(i, a);
		many_acc(i - i % 5, c); /* clusters of five, named after their first member */
		fprintf(f, "%s\tUniRef90\tUniRef90_%s\n%s\tGI\t%u\n", a, c, a, 3 * i + 1);
		many_acc(q, a);
		many_acc(q - q % 5, c);
		len += (size_t)sprintf(ids + len, "%s\n", a);
		rlen += (size_t)sprintf(want + rlen, "%s\tUniRef90_%s\n", a, c);
	}
	assert_int_equal(fclose(f), 0);
	const char *const inputs[] = {tu_path("many.dat")};
	idmap_index *mix;
	assert_int_equal(tu_build(tu_path("many.idx"), inputs, 1), 0);
	assert_int_equal(idmap_open(tu_path("many.idx"), &mix), IDMAP_OK);
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniRef90");
	idmap_job *j[2];
	for (int k = 0; k < 2; k++) {
		assert_int_equal(idmap_job_new(mix, &r, &j[k], NULL), IDMAP_OK);
		assert_int_equal(idmap_job_set_threads(j[k], k ? 3 : 1), IDMAP_OK);
		assert_int_equal(idmap_job_add_ids(j[k], ids, len), IDMAP_OK);
		assert_int_equal(idmap_job_run(j[k]), IDMAP_OK);
	}
	uint64_t *rows = malloc(MANY_ACCS * sizeof *rows), n_rows = 0;
	assert_non_null(rows);
	for (uint64_t i = 1; i < MANY_ACCS; i += 1 + i % 3)
		rows[n_rows++] = i;
	big_sink a = {0}, b = {0};
	render_many(j[1], IDMAP_OUT_TSV, 0, 0, NULL, 0, &b);
	assert_int_equal(b.len, rlen);
	assert_memory_equal(b.buf, want, rlen);
	static const int formats[] = {IDMAP_OUT_TSV, IDMAP_OUT_JSON};
	for (int k = 0; k < 2; k++) {
		int format = formats[k];
		render_many(j[0], format, 0, 0, NULL, 0, &a);
		render_many(j[1], format, 0, 0, NULL, 0, &b);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.buf, b.buf, a.len);
		render_many(j[0], format, 20000, 50000, NULL, 0, &a);
		render_many(j[1], format, 20000, 50000, NULL, 0, &b);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.buf, b.buf, a.len);
		render_many(j[0], format, 7, 0, rows, n_rows, &a);
		render_many(j[1], format, 7, 0, rows, n_rows, &b);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.buf, b.buf, a.len);
	}
	free(a.buf);
	free(b.buf);
	free(rows);
	free(ids);
	free(want);
	idmap_job_free(j[0]);
	idmap_job_free(j[1]);
	idmap_close(mix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_demerge_and_versions),
		cmocka_unit_test(test_isoforms_canonical_taxon),
		cmocka_unit_test(test_swissprot_via_fields),
		cmocka_unit_test(test_threads_same_results),
		cmocka_unit_test(test_render_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
