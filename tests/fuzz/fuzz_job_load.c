/* Fuzz target: idmap_job_load on arbitrary bytes, then every accessor and renderer of the
 * loaded job (engine/job_store.c).
 *
 * The index is the sample release (IDMAP_SAMPLE_DIR), built once into a temporary directory
 * that is removed at once (the map keeps the file). The first input byte is a mode: bit 0 set
 * reseals the blob before loading it (the fingerprint field set to this index's, the CRC
 * recomputed), so that mutations reach the part parsers behind the checksum, and so that seeds
 * saved on another build of the sample index still load. The rest is the blob.
 * Checks: legal status codes only; an accepted blob saves back to exactly the same bytes and
 * every call on the loaded job succeeds or fails cleanly. */
#include <unistd.h>

#include <libdeflate.h>

#include "fuzz_common.h"
#include "idmap.h"
#include "idmap_build.h"

#ifndef IDMAP_SAMPLE_DIR
#error "IDMAP_SAMPLE_DIR must name data/sample"
#endif

static idmap_index *sample_index(void)
{
	static idmap_index *ix;
	if (ix)
		return ix;
	char dir[] = "/tmp/idmap-fuzz-job-XXXXXX", out[64];
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	snprintf(out, sizeof out, "%s/sample.idx", dir);
	const char *const inputs[] = {
		IDMAP_SAMPLE_DIR "/idmapping.dat", IDMAP_SAMPLE_DIR "/idmapping_selected.tab",
		IDMAP_SAMPLE_DIR "/sec_ac.txt", IDMAP_SAMPLE_DIR "/delac_sp.txt"};
	idmap_build_opts o;
	idmap_build_opts_init(&o);
	o.output = out;
	o.inputs = inputs;
	o.n_inputs = 4;
	o.threads = 1;
	o.memory = 64u << 20;
	char err[256] = "";
	if (idmap_build(&o, err, sizeof err) != 0) {
		fprintf(stderr, "idmap_build: %s\n", err);
		abort();
	}
	FUZZ_CHECK(idmap_open(out, &ix) == IDMAP_OK);
	unlink(out);
	rmdir(dir);
	return ix;
}

/* Collects the output (so that every byte written is touched) up to a bound. */
typedef struct {
	uint8_t *p;
	size_t n, cap;
} fz_buf;

static int to_buf(void *ctx, const void *p, size_t n)
{
	fz_buf *b = ctx;
	if (n > (64u << 20) - b->n)
		return 99;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n)
			cap *= 2;
		uint8_t *q = realloc(b->p, cap);
		FUZZ_CHECK(q);
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

static void exercise(const idmap_job *j)
{
	idmap_job_stats st;
	idmap_job_get_stats(j, &st);
	FUZZ_CHECK(st.duplicates == st.inputs - st.distinct && st.inputs >= st.distinct);
	FUZZ_CHECK(st.obsolete == st.secondary + st.deleted);
	idmap_db_info from, to;
	idmap_job_dbs(j, &from, &to);
	FUZZ_CHECK(from.name && to.name);
	FUZZ_CHECK((from.flags & IDMAP_DB_FROM) && (to.flags & IDMAP_DB_TO));
	uint64_t rows = 0;
	for (uint64_t i = 0; i < st.distinct; i++) {
		idmap_id_info id;
		FUZZ_CHECK(idmap_job_id(j, i, &id) == IDMAP_OK);
		FUZZ_CHECK(id.len >= 1 && id.from_len <= id.len);
		(void)memchr(id.text, 0, id.len); /* touch every byte */
		FUZZ_CHECK(id.status >= IDMAP_ID_MAPPED && id.status <= IDMAP_ID_DELETED);
		FUZZ_CHECK((id.reason == NULL) == (id.status == IDMAP_ID_MAPPED));
		if (id.reason)
			FUZZ_CHECK(strlen(id.reason) >= 1);
		rows += id.rows;
		char acc[IDMAP_ACC_TEXT_SIZE];
		int rc = IDMAP_OK;
		for (uint64_t k = 0; k < 64 && rc == IDMAP_OK; k++)
			if ((rc = idmap_job_primary(j, i, k, acc)) == IDMAP_OK)
				FUZZ_CHECK(strlen(acc) < IDMAP_ACC_TEXT_SIZE);
		FUZZ_CHECK(rc == IDMAP_OK || rc == IDMAP_DONE || rc == IDMAP_ERR_INVALID ||
			   rc == IDMAP_ERR_CORRUPT);
	}
	FUZZ_CHECK(rows == st.results);
	idmap_result r;
	for (uint64_t i = 0; i < st.results; i++)
		FUZZ_CHECK(idmap_job_result(j, i, &r) == IDMAP_OK && r.id < st.distinct);
	for (uint64_t i = 0; i < st.suggested; i++)
		FUZZ_CHECK(idmap_job_suggested(j, i, &r) == IDMAP_OK && r.id < st.distinct);
	FUZZ_CHECK(idmap_job_result(j, st.results, &r) == IDMAP_ERR_INVALID);
	int code;
	const char *msg;
	for (size_t i = 0; idmap_job_warning(j, i, &code, &msg) == IDMAP_OK; i++)
		FUZZ_CHECK(code > 0 && strlen(msg) < 256);

	idmap_fields *f = NULL;
	idmap_diag d;
	int frc = idmap_fields_parse(j, "accession,id,reviewed,gene_names,organism_id,xref_pdb",
				     &f, &d);
	FUZZ_CHECK(frc == IDMAP_OK || frc == IDMAP_ERR_BAD_OPTION);
	fz_buf out = {0};
	for (int fmt = IDMAP_OUT_TSV; fmt <= IDMAP_OUT_JSON; fmt++) {
		const idmap_render_opts opts[] = {{fmt, NULL, 0, 0, 0, 0}, {fmt, f, 1, 2, 1, 1}};
		for (size_t o = 0; o < 2; o++) {
			out.n = 0;
			FUZZ_CHECK(idmap_render(j, &opts[o], to_buf, &out) == IDMAP_OK);
		}
	}
	idmap_fields_free(f);
	free(out.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	idmap_index *ix = sample_index();
	int mode = data[0];
	size_t n = size - 1;
	uint8_t *b = malloc(n ? n : 1); /* exact size: a read past it is caught by ASan */
	FUZZ_CHECK(b);
	memcpy(b, data + 1, n);
	int sealed = (mode & 1) && n >= 24;
	if (sealed) {
		idmap_wr64(b + 16, idmap_index_fingerprint(ix));
		idmap_wr32(b + 12, libdeflate_crc32(0, b + 16, n - 16));
	}
	idmap_job *j = (idmap_job *)1;
	int rc = idmap_job_load(ix, b, n, &j);
	FUZZ_CHECK(rc == IDMAP_OK || rc == IDMAP_ERR_CORRUPT || rc == IDMAP_ERR_STALE ||
		   rc == IDMAP_ERR_VERSION || rc == IDMAP_ERR_NOMEM);
	FUZZ_CHECK((rc == IDMAP_OK) == (j != NULL));
	if (sealed)
		FUZZ_CHECK(rc != IDMAP_ERR_STALE);
	if (rc == IDMAP_OK) {
		exercise(j);
		fz_buf again = {0};
		FUZZ_CHECK(idmap_job_save(j, to_buf, &again) == IDMAP_OK);
		FUZZ_CHECK(again.n == n && memcmp(again.p, b, n) == 0);
		FUZZ_CHECK(idmap_job_add_ids(j, "P31946", 6) == IDMAP_ERR_INVALID);
		FUZZ_CHECK(idmap_job_run(j) == IDMAP_ERR_INVALID);
		idmap_job_free(j);
		free(again.p);
	}
	free(b);
	return 0;
}
