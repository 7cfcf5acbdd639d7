/* Saved jobs (engine/job_store.c): several requests on the sample index are run, saved and
 * loaded back; the loaded job must answer every accessor and render every output byte for
 * byte as the original. Damaged blobs (truncated, flipped, resealed with a hostile field, from
 * another index) must be refused, never crash. The index is built from data/sample. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "idmap.h"
#include "idmap_build.h"
#include "idmap_format.h"
#include "test_util.h"

static idmap_index *ix, *other;

static int setup(void **state)
{
	(void)state;
	if (tu_make_dir("idmap-test-jobstore-") < 0)
		return -1;
	/* another index: the sample's mapping file alone (no history, no selected table) */
	const char *const part[] = {"../data/sample/idmapping.dat"};
	const char *a = tu_path("sample.idx"), *b = tu_path("other.idx");
	if (tu_build_sample(a) < 0 || idmap_open(a, &ix) != IDMAP_OK ||
	    tu_build(b, part, 1) < 0 || idmap_open(b, &other) != IDMAP_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	idmap_close(ix);
	idmap_close(other);
	return tu_remove_dir();
}

/* A growable byte buffer written by idmap_render / idmap_job_save. */
typedef struct {
	uint8_t *p;
	size_t n, cap;
} buf;

static int to_buf(void *ctx, const void *p, size_t n)
{
	buf *b = ctx;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n)
			cap *= 2;
		uint8_t *q = realloc(b->p, cap);
		if (!q)
			return 98;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

static int refuse_write(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 77;
}

static idmap_job *run(const idmap_request *r, const char *ids)
{
	idmap_job *j = NULL;
	idmap_diag d;
	int rc = idmap_job_new(ix, r, &j, &d);
	if (rc != IDMAP_OK)
		fail_msg("%s -> %s: %s", r->from, r->to ? r->to : "UniProtKB", d.message);
	assert_int_equal(idmap_job_add_ids(j, ids, strlen(ids)), IDMAP_OK);
	assert_int_equal(idmap_job_run(j), IDMAP_OK);
	return j;
}

static buf save(const idmap_job *j)
{
	buf b = {0};
	assert_int_equal(idmap_job_save(j, to_buf, &b), IDMAP_OK);
	assert_true(b.n > 16);
	return b;
}

/* Renders j with opt (and a field list when fields is not NULL); returns the status. */
static int render(const idmap_job *j, idmap_render_opts opt, const char *fields, buf *out)
{
	idmap_fields *f = NULL;
	idmap_diag d;
	out->n = 0;
	if (fields) {
		int rc = idmap_fields_parse(j, fields, &f, &d);
		if (rc != IDMAP_OK)
			return 1000 + rc;
		opt.fields = f;
	}
	int rc = idmap_render(j, &opt, to_buf, out);
	idmap_fields_free(f);
	return rc;
}

static void same_result(const idmap_result *a, const idmap_result *b)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->from_len, b->from_len);
	assert_memory_equal(a->from, b->from, a->from_len);
	assert_int_equal(a->to_len, b->to_len);
	assert_memory_equal(a->to, b->to, a->to_len);
	assert_int_equal(a->via == NULL, b->via == NULL);
	assert_int_equal(a->via_len, b->via_len);
	if (a->via)
		assert_memory_equal(a->via, b->via, a->via_len);
	assert_int_equal(a->acc_slot, b->acc_slot);
}

/* Every accessor and every rendering of a and b agree. */
static void same_job(const idmap_job *a, const idmap_job *b)
{
	idmap_job_stats sa, sb;
	idmap_job_get_stats(a, &sa);
	idmap_job_get_stats(b, &sb);
	assert_memory_equal(&sa, &sb, sizeof sa);

	idmap_db_info fa, ta, fb, tb;
	idmap_job_dbs(a, &fa, &ta);
	idmap_job_dbs(b, &fb, &tb);
	assert_string_equal(fa.name, fb.name);
	assert_string_equal(ta.name, tb.name);
	assert_int_equal(fa.kind, fb.kind);
	assert_int_equal(ta.kind, tb.kind);
	assert_int_equal(fa.flags, fb.flags);
	assert_int_equal(ta.type_id, tb.type_id);

	for (uint64_t i = 0; i < sa.distinct; i++) {
		idmap_id_info x, y;
		assert_int_equal(idmap_job_id(a, i, &x), IDMAP_OK);
		assert_int_equal(idmap_job_id(b, i, &y), IDMAP_OK);
		assert_int_equal(x.len, y.len);
		assert_memory_equal(x.text, y.text, x.len);
		assert_int_equal(x.from_len, y.from_len);
		assert_int_equal(x.status, y.status);
		assert_int_equal(x.obsolete, y.obsolete);
		assert_int_equal(x.deleted_from, y.deleted_from);
		assert_int_equal(x.rows, y.rows);
		assert_int_equal(x.reason == NULL, y.reason == NULL);
		if (x.reason) {
			assert_string_equal(x.reason, y.reason);
			/* the same static string (a deleted id's "deleted" is a literal of
			 * mapper.c; the loaded one is idmap_id_status_text's) */
			if (x.status != IDMAP_ID_DELETED)
				assert_ptr_equal(x.reason, y.reason);
		}
		for (uint64_t k = 0;; k++) {
			char pa[IDMAP_ACC_TEXT_SIZE], pb[IDMAP_ACC_TEXT_SIZE];
			int ra = idmap_job_primary(a, i, k, pa);
			int rb = idmap_job_primary(b, i, k, pb);
			assert_int_equal(ra, rb);
			if (ra != IDMAP_OK)
				break;
			assert_string_equal(pa, pb);
		}
	}
	idmap_id_info none;
	assert_int_equal(idmap_job_id(b, sa.distinct, &none), IDMAP_ERR_INVALID);

	for (uint64_t i = 0; i < sa.results; i++) {
		idmap_result x, y;
		assert_int_equal(idmap_job_result(a, i, &x), IDMAP_OK);
		assert_int_equal(idmap_job_result(b, i, &y), IDMAP_OK);
		same_result(&x, &y);
	}
	for (uint64_t i = 0; i < sa.suggested; i++) {
		idmap_result x, y;
		assert_int_equal(idmap_job_suggested(a, i, &x), IDMAP_OK);
		assert_int_equal(idmap_job_suggested(b, i, &y), IDMAP_OK);
		same_result(&x, &y);
	}
	for (size_t i = 0;; i++) {
		int ca = 0, cb = 0;
		const char *ma = NULL, *mb = NULL;
		int ra = idmap_job_warning(a, i, &ca, &ma), rb = idmap_job_warning(b, i, &cb, &mb);
		assert_int_equal(ra, rb);
		if (ra != IDMAP_OK)
			break;
		assert_int_equal(ca, cb);
		assert_string_equal(ma, mb);
	}

	static const char *const field_lists[] = {
		NULL, "accession,id,reviewed,gene_primary,gene_names,organism_id,xref_pdb",
		"id,xref_geneid"};
	const idmap_render_opts opts[] = {
		{IDMAP_OUT_TSV, NULL, 0, 0, 0, 0},  {IDMAP_OUT_LIST, NULL, 0, 0, 0, 0},
		{IDMAP_OUT_JSON, NULL, 0, 0, 0, 0}, {IDMAP_OUT_TSV, NULL, 1, 2, 1, 0},
		{IDMAP_OUT_LIST, NULL, 1, 1, 0, 0}, {IDMAP_OUT_JSON, NULL, 1, 2, 0, 1},
		{IDMAP_OUT_JSON, NULL, 0, 1, 0, 0}, {IDMAP_OUT_JSON, NULL, 9, 0, 0, 1},
	};
	buf x = {0}, y = {0};
	for (size_t f = 0; f < sizeof field_lists / sizeof field_lists[0]; f++) {
		for (size_t o = 0; o < sizeof opts / sizeof opts[0]; o++) {
			int ra = render(a, opts[o], field_lists[f], &x);
			int rb = render(b, opts[o], field_lists[f], &y);
			assert_int_equal(ra, rb);
			assert_int_equal(x.n, y.n);
			if (x.n)
				assert_memory_equal(x.p, y.p, x.n);
		}
	}
	free(x.p);
	free(y.p);
}

/* Runs, saves, loads, compares; the loaded job saves to the same bytes. Returns the blob. */
static buf roundtrip(const idmap_request *r, const char *ids)
{
	idmap_job *j = run(r, ids), *l = NULL;
	buf b = save(j);
	assert_int_equal(idmap_job_load(ix, b.p, b.n, &l), IDMAP_OK);
	assert_non_null(l);
	same_job(j, l);
	buf again = save(l);
	assert_int_equal(again.n, b.n);
	assert_memory_equal(again.p, b.p, b.n);
	assert_int_equal(idmap_job_add_ids(l, "P31946", 6), IDMAP_ERR_INVALID);
	assert_int_equal(idmap_job_run(l), IDMAP_ERR_INVALID);
	free(again.p);
	idmap_job_free(l);
	idmap_job_free(j);
	return b;
}

static const char accession_ids[] =
	"P31946 nope NOPE_1 P00750.2 B4DJ71 A0A087WTH5 P31946,p31946 Q9UBL9 P00750[39-81] "
	"1433B_HUMAN P31946-2 P04637 Q6GZX4 P12345 P12345-9 A0A024R161_HUMAN P31946XYZ";

static void test_roundtrips(void **state)
{
	(void)state;
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	buf b = roundtrip(&r, accession_ids);
	free(b.p);

	uint64_t mouse = 10090, taxa[2] = {9606, 10090};
	r = tu_request("Gene_Name", NULL);
	r.taxa = &mouse;
	r.n_taxa = 1;
	free(roundtrip(&r, "YWHAQ YWHAB ywhab NOGENE").p);
	r.taxa = taxa;
	r.n_taxa = 2;
	free(roundtrip(&r, "YWHAQ YWHAB TP53").p);
	r.n_taxa = 0; /* warning 60: gene names of several taxa */
	idmap_job *j = run(&r, "YWHAQ");
	int code;
	assert_int_equal(idmap_job_warning(j, 0, &code, NULL), IDMAP_OK);
	assert_int_equal(code, 60);
	idmap_job_free(j);
	free(roundtrip(&r, "YWHAQ YWHAB").p);

	r = tu_request("UniProtKB_AC-ID", "UniProtKB-Swiss-Prot"); /* suggested rows */
	j = run(&r, "P31946 A0A024R161");
	idmap_job_stats st;
	idmap_job_get_stats(j, &st);
	assert_true(st.suggested > 0);
	idmap_job_free(j);
	free(roundtrip(&r, "P31946 A0A024R161 B4DJ71 A0A087WTH5 nope").p);

	r = tu_request("Ensembl", "PDB");
	r.via = "uniprotkb";
	free(roundtrip(&r, "ENSG00000166913 ENSG00000000000 ENSG00000166913").p);
	r = tu_request("UniProtKB_AC-ID", "UniRef90");
	free(roundtrip(&r, "P31946 P00750 Q6GZX4 B4DJ71 nope P99999").p);
	r = tu_request("UniRef90", "UniProtKB"); /* invalid ids: the UniRef parser's reason */
	free(roundtrip(&r, "UniRef90_P31946 UniRef50_P31946 junk uniref90_q6gzx4").p);
	r = tu_request("UniParc", "UniProtKB");
	free(roundtrip(&r, "UPI000013C7C5 UPI00000000ZZ UPI0000000001").p);
	r = tu_request("UniProtKB_AC-ID", "UniParc");
	r.include_isoforms = 1;
	free(roundtrip(&r, "P02768 P31946").p);
	r = tu_request("Ensembl_Transcript", "UniProtKB");
	r.canonical = 1;
	free(roundtrip(&r, "ENST00000372839.7 ENST00000372839").p);
	r = tu_request("NCBI_TaxID", "UniProtKB"); /* warning 61: one-to-many */
	r.allow_one_to_many = 1;
	j = run(&r, "9606 10090");
	assert_int_equal(idmap_job_warning(j, 0, &code, NULL), IDMAP_OK);
	assert_int_equal(code, 61);
	idmap_job_free(j);
	free(roundtrip(&r, "9606 10090 1").p);
	r = tu_request("RefSeq_Protein", "Gene_Name");
	r.via = "UniProtKB";
	free(roundtrip(&r, "NP_003395 NP_003395.1 NP_003395.9").p);
	r = tu_request("UniProtKB_AC-ID", "UniProtKB-Swiss-Prot");
	r.via = "UniProtKB";
	free(roundtrip(&r, "P31946 A0A024R161 B4DJ71").p);
	r = tu_request("UniProtKB_AC-ID", "UniProtKB"); /* no ids at all */
	free(roundtrip(&r, "").p);
}

/* Jobs that read UniParc cross-references (the sample with its UniParc XML part): UPI
 * suggestions, UniParc rows of UniParc-only ids, a UPI's cross-references, inactive ones
 * marked: they load back equal and save to the same bytes. */
static void test_uniparc_roundtrips(void **state)
{
	(void)state;
	const char *const inputs[] = {"../data/sample/idmapping.dat",
				      "../data/sample/uniparc_p1.xml"};
	idmap_index *sample = ix, *up = NULL;
	const char *path = tu_path("uniparc.idx");
	assert_int_equal(tu_build(path, inputs, 2), 0);
	assert_int_equal(idmap_open(path, &up), IDMAP_OK);
	ix = up;
	static const char ids[] = "NP_003395.1 XP_054207398.1 XP_016856103 XP_016856103.1 nope";
	for (int inactive = 0; inactive < 2; inactive++) {
		idmap_request r = tu_request("RefSeq_Protein", "UniProtKB");
		r.include_inactive = inactive;
		idmap_job *j = run(&r, ids);
		idmap_job_stats st;
		idmap_result res;
		idmap_job_get_stats(j, &st);
		assert_int_equal(st.suggested, inactive ? 4 : 2);
		assert_int_equal(idmap_job_suggested(j, 0, &res), IDMAP_OK);
		assert_memory_equal(res.to, "UPI0027C4D5E1", 13);
		idmap_job_free(j);
		free(roundtrip(&r, ids).p);
		r = tu_request("RefSeq_Protein", "UniParc");
		r.include_inactive = inactive;
		free(roundtrip(&r, ids).p);
		r = tu_request("UniParc", "RefSeq_Protein");
		r.include_inactive = inactive;
		free(roundtrip(&r, "UPI0027C4D5E1 UPI000013C7C5 UPI0000000001 junk").p);
		r = tu_request("UniParc", "GI_number");
		r.include_inactive = inactive;
		r.taxa = (const uint64_t[]){9606};
		r.n_taxa = 1;
		free(roundtrip(&r, "UPI0027C4D5E1 UPI000013C7C5").p);
	}
	ix = sample;
	idmap_close(up);
}

/* idmap_job_add_lines (the REST API's ids, split on commas): white space inside an id stays,
 * so "P31946 P62258" is one failed id, and the saved job loads with it. */
static void test_lines(void **state)
{
	(void)state;
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	idmap_job *j = NULL, *l = NULL;
	assert_int_equal(idmap_job_new(ix, &r, &j, NULL), IDMAP_OK);
	static const char text[] = "P31946 P62258\n\t P04637 ,Q6GZX4\r\n\n,";
	assert_int_equal(idmap_job_add_lines(j, text, strlen(text)), IDMAP_OK);
	assert_int_equal(idmap_job_run(j), IDMAP_OK);
	static const char *const want[] = {"P31946 P62258", "P04637", "Q6GZX4"};
	idmap_job_stats st;
	idmap_job_get_stats(j, &st);
	assert_int_equal(st.distinct, 3);
	for (uint64_t i = 0; i < 3; i++) {
		idmap_id_info info;
		assert_int_equal(idmap_job_id(j, i, &info), IDMAP_OK);
		assert_int_equal(info.len, strlen(want[i]));
		assert_memory_equal(info.text, want[i], info.len);
		assert_int_equal(info.status, i ? IDMAP_ID_MAPPED : IDMAP_ID_INVALID);
	}
	buf b = save(j);
	assert_int_equal(idmap_job_load(ix, b.p, b.n, &l), IDMAP_OK);
	same_job(j, l);
	idmap_job_free(l);
	idmap_job_free(j);
	free(b.p);
}

static void test_api_misuse(void **state)
{
	(void)state;
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	idmap_job *j = NULL, *l = (idmap_job *)1;
	buf b = {0};
	assert_int_equal(idmap_job_new(ix, &r, &j, NULL), IDMAP_OK);
	assert_int_equal(idmap_job_add_ids(j, "P31946", 6), IDMAP_OK);
	assert_int_equal(idmap_job_save(j, to_buf, &b), IDMAP_ERR_INVALID); /* not run */
	assert_int_equal(b.n, 0);
	assert_int_equal(idmap_job_run(j), IDMAP_OK);
	assert_int_equal(idmap_job_save(NULL, to_buf, &b), IDMAP_ERR_INVALID);
	assert_int_equal(idmap_job_save(j, NULL, &b), IDMAP_ERR_INVALID);
	/* a writer's stop value never comes back as if it were a status */
	assert_int_equal(idmap_job_save(j, refuse_write, NULL), IDMAP_STOPPED);
	idmap_render_opts ro = {.format = IDMAP_OUT_TSV};
	assert_int_equal(idmap_render(j, &ro, refuse_write, NULL), IDMAP_STOPPED);
	assert_int_equal(idmap_job_save(j, to_buf, &b), IDMAP_OK);
	assert_int_equal(idmap_job_load(NULL, b.p, b.n, &l), IDMAP_ERR_INVALID);
	assert_null(l);
	assert_int_equal(idmap_job_load(ix, NULL, 5, &l), IDMAP_ERR_INVALID);
	assert_int_equal(idmap_job_load(ix, b.p, b.n, NULL), IDMAP_ERR_INVALID);
	assert_int_equal(idmap_job_load(ix, NULL, 0, &l), IDMAP_ERR_CORRUPT);
	assert_int_equal(idmap_index_fingerprint(NULL), 0);
	assert_int_not_equal(idmap_index_fingerprint(ix), idmap_index_fingerprint(other));
	assert_string_equal(idmap_strerror(IDMAP_ERR_STALE),
			    "saved job belongs to another index file");
	free(b.p);
	idmap_job_free(j);
}

/* ---- Damaged blobs ----------------------------------------------------------------------- */

static void reseal(uint8_t *p, size_t n)
{
	idmap_wr32(p + 12, (uint32_t)crc32(0, p + 16, (uInt)(n - 16)));
}

/* Offset of the payload of part id (FORMAT.md: header 16, fingerprint 8, parts
 * u32 id + u64 length + payload) and its length. */
static size_t part_at(const buf *b, uint32_t id, uint64_t *len)
{
	size_t o = 24;
	while (o + 12 <= b->n) {
		uint32_t got = idmap_rd32(b->p + o);
		uint64_t l = idmap_rd64(b->p + o + 4);
		if (got == id) {
			*len = l;
			return o + 12;
		}
		o += 12 + (size_t)l;
	}
	fail_msg("part %u not found", id);
	return 0;
}

/* Loads a copy of b in which the bytes at off were replaced by v[0, n), resealed or not. */
static int load_patched(const buf *b, size_t off, const void *v, size_t n, int seal)
{
	uint8_t *p = malloc(b->n);
	assert_non_null(p);
	memcpy(p, b->p, b->n);
	memcpy(p + off, v, n);
	if (seal)
		reseal(p, b->n);
	idmap_job *l = (idmap_job *)1;
	int rc = idmap_job_load(ix, p, b->n, &l);
	if (rc == IDMAP_OK) {
		assert_non_null(l);
		idmap_job_free(l);
	} else {
		assert_null(l);
	}
	free(p);
	return rc;
}

static int patch32(const buf *b, size_t off, uint32_t v)
{
	uint8_t x[4];
	idmap_wr32(x, v);
	return load_patched(b, off, x, 4, 1);
}

static int patch64(const buf *b, size_t off, uint64_t v)
{
	uint8_t x[8];
	idmap_wr64(x, v);
	return load_patched(b, off, x, 8, 1);
}

static buf accession_blob(void)
{
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	idmap_job *j = run(&r, accession_ids);
	buf b = save(j);
	idmap_job_free(j);
	return b;
}

static void test_truncated_and_flipped(void **state)
{
	(void)state;
	buf b = accession_blob();
	for (size_t n = 0; n < b.n; n++) {
		uint8_t *p = malloc(n ? n : 1); /* exact size: a read past it is caught by ASan */
		assert_non_null(p);
		memcpy(p, b.p, n);
		idmap_job *l = (idmap_job *)1;
		assert_int_equal(idmap_job_load(ix, p, n, &l), IDMAP_ERR_CORRUPT);
		assert_null(l);
		free(p);
	}
	for (size_t i = 0; i < b.n; i++) {
		static const uint8_t masks[] = {0x01, 0x80, 0xff};
		for (size_t m = 0; m < sizeof masks; m++) {
			uint8_t v = b.p[i] ^ masks[m];
			int rc = load_patched(&b, i, &v, 1, 0);
			assert_int_not_equal(rc, IDMAP_OK);
			if (i >= 8 && i < 12)
				assert_int_equal(rc, IDMAP_ERR_VERSION);
			else
				assert_int_equal(rc, IDMAP_ERR_CORRUPT);
		}
	}
	/* trailing bytes after the last part */
	buf longer = {0};
	assert_int_equal(to_buf(&longer, b.p, b.n), 0);
	assert_int_equal(to_buf(&longer, "\0\0\0\0", 4), 0);
	reseal(longer.p, longer.n);
	idmap_job *l = NULL;
	assert_int_equal(idmap_job_load(ix, longer.p, longer.n, &l), IDMAP_ERR_CORRUPT);
	free(longer.p);
	free(b.p);
}

static void test_stale(void **state)
{
	(void)state;
	buf b = accession_blob();
	idmap_job *l = (idmap_job *)1;
	assert_int_equal(idmap_job_load(other, b.p, b.n, &l), IDMAP_ERR_STALE);
	assert_null(l);
	assert_int_equal(idmap_rd64(b.p + 16), idmap_index_fingerprint(ix));
	assert_int_equal(patch64(&b, 16, idmap_index_fingerprint(ix) ^ 1), IDMAP_ERR_STALE);
	assert_int_equal(patch64(&b, 16, idmap_index_fingerprint(other)), IDMAP_ERR_STALE);
	/* the same blob resealed for the other index passes the fingerprint, then its slots
	 * must still be checked against that index (a different one): no crash either way */
	uint8_t *p = malloc(b.n);
	assert_non_null(p);
	memcpy(p, b.p, b.n);
	idmap_wr64(p + 16, idmap_index_fingerprint(other));
	reseal(p, b.n);
	int rc = idmap_job_load(other, p, b.n, &l);
	if (rc == IDMAP_OK)
		idmap_job_free(l);
	else
		assert_int_equal(rc, IDMAP_ERR_CORRUPT);
	free(p);
	free(b.p);
}

/* Resealed blobs with one hostile field: only the structural checks can catch them. */
static void test_structure(void **state)
{
	(void)state;
	buf b = accession_blob();
	uint64_t len, n_acc = idmap_acc_count(ix), n_key = idmap_key_count(ix);
	size_t req_at = part_at(&b, 1, &len), text_at = part_at(&b, 2, &len);
	uint64_t text_len = len;
	size_t ids_at = part_at(&b, 3, &len), rows_at = part_at(&b, 4, &len);
	size_t sugg_at = part_at(&b, 5, &len), warn_at = part_at(&b, 6, &len);
	size_t stats_at = part_at(&b, 7, &len);
	uint32_t n_ids = idmap_rd32(b.p + ids_at);
	uint64_t n_rows = idmap_rd64(b.p + rows_at);
	assert_int_equal(n_ids, 17);
	assert_true(n_rows >= 3);
	assert_int_equal(idmap_rd64(b.p + sugg_at), 0);
	assert_int_equal(idmap_rd32(b.p + warn_at), 1); /* 62: obsolete accessions */

	/* resealing alone changes nothing */
	assert_int_equal(load_patched(&b, 0, b.p, 0, 1), IDMAP_OK);
	uint8_t ver[4];
	idmap_wr32(ver, 3);
	assert_int_equal(load_patched(&b, 8, ver, 4, 1), IDMAP_ERR_VERSION);
	idmap_wr32(ver, 1); /* version 1 counted suggested ids as failed */
	assert_int_equal(load_patched(&b, 8, ver, 4, 1), IDMAP_ERR_VERSION);
	assert_int_equal(load_patched(&b, 0, "IDMAPIDX", 8, 1), IDMAP_ERR_CORRUPT);

	/* rows: an id out of range, ids out of order, slots out of range */
	size_t row0 = rows_at + 8, row1 = row0 + 20;
	assert_int_equal(patch32(&b, row0, n_ids), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, row0, UINT32_MAX), IDMAP_ERR_CORRUPT);
	assert_int_not_equal(idmap_rd32(b.p + row0), idmap_rd32(b.p + row1));
	assert_int_equal(patch32(&b, row1, idmap_rd32(b.p + row0)), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, row0, idmap_rd32(b.p + row1) + 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, row0 + 4, n_acc), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, row0 + 4, UINT64_MAX), IDMAP_ERR_CORRUPT);
	/* a UPI row, an inactive cross-reference's row: not in a job without UniParc */
	assert_int_equal(patch64(&b, row0 + 4, (1ull << 62) | idmap_rd64(b.p + row0 + 4)),
			 IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, row0 + 4, (1ull << 61) | idmap_rd64(b.p + row0 + 4)),
			 IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, row0 + 12, n_acc), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, rows_at, n_rows + 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, rows_at, n_rows - 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, rows_at, UINT64_MAX / 20 + 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, sugg_at, 1), IDMAP_ERR_CORRUPT);

	/* part ids and lengths */
	assert_int_equal(patch32(&b, req_at - 12, 2), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, stats_at - 12, 8), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, text_at - 8, text_len + 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, text_at - 8, text_len - 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, text_at - 8, UINT64_MAX), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, stats_at - 8, 8 * 12 + 1), IDMAP_ERR_CORRUPT);

	/* request: reserved flag bits, names, taxa */
	assert_int_equal(patch32(&b, req_at, 32), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, req_at, 1u << 31), IDMAP_ERR_CORRUPT);
	uint16_t from_len = idmap_rd16(b.p + req_at + 4);
	assert_int_equal(from_len, strlen("UniProtKB_AC-ID"));
	assert_int_equal(load_patched(&b, req_at + 6, "UniProtKB_AC-XX", 15, 1),
			 IDMAP_ERR_CORRUPT);
	assert_int_equal(load_patched(&b, req_at + 6, "UNIPROTKB_AC-ID", 15, 1),
			 IDMAP_ERR_CORRUPT); /* resolves, but not to itself */
	assert_int_equal(load_patched(&b, req_at + 6, "UniProtKB_AC\0ID", 15, 1),
			 IDMAP_ERR_CORRUPT);
	uint8_t zero16[2] = {0, 0};
	assert_int_equal(load_patched(&b, req_at + 4, zero16, 2, 1), IDMAP_ERR_CORRUPT);
	size_t taxa_at = req_at + 4 + 2 + from_len + 2 + idmap_rd16(b.p + req_at + 6 + from_len);
	assert_int_equal(patch32(&b, taxa_at, 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, taxa_at, UINT32_MAX), IDMAP_ERR_CORRUPT);

	/* ids: lengths, enums, reasons, secondary keys */
	size_t id0 = ids_at + 4;
	assert_int_equal(patch32(&b, ids_at, n_ids + 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, ids_at, UINT32_MAX), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, id0, 0), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, id0, (uint32_t)text_len + 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, id0, 7), IDMAP_ERR_CORRUPT); /* texts no longer add up */
	assert_int_equal(patch32(&b, id0 + 4, 1), IDMAP_ERR_CORRUPT); /* from past the text */
	assert_int_equal(patch32(&b, id0 + 8, 7), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, id0 + 8, 5), IDMAP_OK); /* a shorter from is legal */
	static const uint8_t bad_status[] = {0, 8, 255, IDMAP_ID_NOT_FOUND, IDMAP_ID_DELETED};
	for (size_t k = 0; k < sizeof bad_status; k++)
		assert_int_equal(load_patched(&b, id0 + 12, &bad_status[k], 1, 1),
				 IDMAP_ERR_CORRUPT);
	uint8_t obs[] = {3, IDMAP_OBSOLETE_DELETED, IDMAP_OBSOLETE_SECONDARY};
	for (size_t k = 0; k < sizeof obs; k++)
		assert_int_equal(load_patched(&b, id0 + 13, &obs[k], 1, 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, id0 + 16, 1), IDMAP_ERR_CORRUPT); /* sec_key not 0 */
	/* one id a text: no comma or line break, no white space around it (inside: from
	 * idmap_job_add_lines) */
	uint8_t sep = ' ', comma = ',', nl = '\n';
	assert_int_equal(load_patched(&b, text_at, &sep, 1, 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(load_patched(&b, text_at + 1, &comma, 1, 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(load_patched(&b, text_at + 1, &nl, 1, 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(load_patched(&b, text_at + 1, &sep, 1, 1), IDMAP_OK);

	/* the second id ("nope") is invalid: a reason follows its record */
	size_t id1 = id0 + 24;
	uint16_t rl = idmap_rd16(b.p + id1 + 14);
	assert_int_equal(b.p[id1 + 12], IDMAP_ID_INVALID);
	assert_true(rl > 0);
	assert_int_equal(load_patched(&b, id1 + 14, zero16, 2, 1), IDMAP_ERR_CORRUPT);
	assert_int_equal(load_patched(&b, id1 + 24, "\0", 1, 1), IDMAP_ERR_CORRUPT);
	/* a reason this version does not know is kept in the job */
	uint8_t *p = malloc(b.n);
	assert_non_null(p);
	memcpy(p, b.p, b.n);
	p[id1 + 24] = '#';
	reseal(p, b.n);
	idmap_job *l = NULL;
	assert_int_equal(idmap_job_load(ix, p, b.n, &l), IDMAP_OK);
	idmap_id_info info;
	assert_int_equal(idmap_job_id(l, 1, &info), IDMAP_OK);
	assert_int_equal(info.reason[0], '#');
	assert_int_equal(strlen(info.reason), rl);
	buf again = save(l);
	assert_int_equal(again.n, b.n);
	assert_memory_equal(again.p, p, b.n);
	free(again.p);
	idmap_job_free(l);
	free(p);

	/* the secondary id (B4DJ71, the fifth): its key must be a #secondary key */
	size_t id4 = id0;
	for (int k = 0; k < 4; k++)
		id4 += 24 + idmap_rd16(b.p + id4 + 14);
	assert_int_equal(b.p[id4 + 13], IDMAP_OBSOLETE_SECONDARY);
	assert_int_equal(patch64(&b, id4 + 16, n_key), IDMAP_ERR_CORRUPT);
	uint32_t t_uniparc;
	uint64_t k_uniparc;
	assert_int_equal(idmap_type_find(ix, "UniParc", &t_uniparc), IDMAP_OK);
	assert_int_equal(idmap_key_find(ix, t_uniparc, "UPI000013C7C5", 13, &k_uniparc), IDMAP_OK);
	assert_int_equal(patch64(&b, id4 + 16, k_uniparc), IDMAP_ERR_CORRUPT); /* another type */
	uint8_t zero8 = 0;
	assert_int_equal(load_patched(&b, id4 + 13, &zero8, 1, 1), IDMAP_ERR_CORRUPT);
	/* id 5, A0A087WTH5 of delac_sp: obsolete 3 (deleted from Swiss-Prot); its inactive row's
	 * key must be of that list, and no list beyond 4 exists */
	size_t id5 = id4 + 24 + idmap_rd16(b.p + id4 + 14);
	assert_int_equal(b.p[id5 + 13], IDMAP_OBSOLETE_DELETED + IDMAP_DELETED_SWISSPROT);
	static const uint8_t other_list[] = {IDMAP_OBSOLETE_DELETED, 4, 5};
	for (size_t k = 0; k < sizeof other_list; k++)
		assert_int_equal(load_patched(&b, id5 + 13, &other_list[k], 1, 1),
				 IDMAP_ERR_CORRUPT);

	/* warnings and stats */
	assert_int_equal(patch32(&b, warn_at, 2), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, warn_at, 5), IDMAP_ERR_CORRUPT);

	/* the inactive entry of the deleted A0A087WTH5 (id 5, row 3): its #deleted key slot
	 * with the top bit; as an accession slot, or a key of another type, it is refused */
	size_t inactive_at = rows_at + 8 + 3 * 20;
	assert_int_equal(idmap_rd32(b.p + inactive_at), 5);
	uint64_t to = idmap_rd64(b.p + inactive_at + 4);
	assert_true(to >> 63);
	assert_int_equal(patch64(&b, inactive_at + 4, 0), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, inactive_at + 4, 1ull << 63 | k_uniparc), IDMAP_ERR_CORRUPT);
	for (unsigned k = 0; k < 12; k++) {
		uint64_t v = idmap_rd64(b.p + stats_at + 8 * k);
		assert_int_equal(patch64(&b, stats_at + 8 * k, v + 1), IDMAP_ERR_CORRUPT);
	}
	free(b.p);
}

/* A job with warnings and suggestions: their parts' checks. */
static void test_structure_lists(void **state)
{
	(void)state;
	idmap_request r = tu_request("Gene_Name", NULL);
	idmap_job *j = run(&r, "YWHAQ YWHAB");
	buf b = save(j);
	idmap_job_free(j);
	uint64_t len;
	size_t warn_at = part_at(&b, 6, &len);
	assert_int_equal(idmap_rd32(b.p + warn_at), 1);
	assert_int_equal(patch32(&b, warn_at + 4, 0), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, warn_at + 4, 1000), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch32(&b, warn_at + 4, 61), IDMAP_OK);
	assert_int_equal(load_patched(&b, warn_at + 10, "\0", 1, 1), IDMAP_ERR_CORRUPT);
	free(b.p);

	r = tu_request("UniProtKB_AC-ID", "UniProtKB-Swiss-Prot");
	j = run(&r, "A0A024R161 P31946");
	b = save(j);
	idmap_job_free(j);
	size_t sugg_at = part_at(&b, 5, &len);
	assert_int_equal(idmap_rd64(b.p + sugg_at), 1);
	assert_int_equal(patch32(&b, sugg_at + 8, 1), IDMAP_ERR_CORRUPT); /* a mapped id */
	assert_int_equal(patch32(&b, sugg_at + 8, 2), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, sugg_at + 12, idmap_acc_count(ix)), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, sugg_at + 20, idmap_acc_count(ix)), IDMAP_ERR_CORRUPT);
	free(b.p);

	r = tu_request("UniProtKB_AC-ID", "PDB"); /* key slots of the target type */
	j = run(&r, "P31946");
	b = save(j);
	idmap_job_free(j);
	size_t rows_at = part_at(&b, 4, &len);
	uint32_t t_pdb, t_acc;
	assert_int_equal(idmap_type_find(ix, "PDB", &t_pdb), IDMAP_OK);
	assert_int_equal(idmap_type_find(ix, "UniParc", &t_acc), IDMAP_OK);
	uint64_t slot;
	assert_int_equal(idmap_key_find(ix, t_acc, "UPI000013C7C5", 13, &slot), IDMAP_OK);
	assert_int_equal(patch64(&b, rows_at + 12, slot), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, rows_at + 12, idmap_key_count(ix)), IDMAP_ERR_CORRUPT);
	assert_int_equal(patch64(&b, rows_at + 20, idmap_acc_count(ix)), IDMAP_ERR_CORRUPT);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrips),
		cmocka_unit_test(test_uniparc_roundtrips),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_api_misuse),
		cmocka_unit_test(test_truncated_and_flipped),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_structure_lists),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
