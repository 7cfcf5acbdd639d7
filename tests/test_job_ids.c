/* Hostile ids through the library: over-long ids (one failed id each, "too long", kept as
 * IDMAP_ID_MAX_LEN + 1 bytes, saved and loaded as they are), JSON of ids that are not
 * UTF-8, and a job of many ids whose arrays grow past the size where they move to huge
 * pages. The index is built from data/sample. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "idmap_build.h"
#include "test_util.h"

static idmap_index *ix;

static int setup(void **state)
{
	(void)state;
	return tu_open_sample("idmap-test-job-ids-", &ix);
}

static int teardown(void **state)
{
	(void)state;
	return tu_close_sample(ix);
}

typedef struct {
	char *p;
	size_t n;
} bytes;

static int collect(void *ctx, const void *p, size_t n)
{
	bytes *b = ctx;
	b->p = realloc(b->p, b->n + n + 1);
	assert_non_null(b->p);
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = 0;
	return 0;
}

static const char too_long[] = "too long (more than 1024 bytes)";

/* Ids of i: its text length, status and reason. */
static void expect_id(const idmap_job *j, uint64_t i, size_t len, int status, int long_reason)
{
	idmap_id_info id;
	assert_int_equal(idmap_job_id(j, i, &id), IDMAP_OK);
	assert_int_equal(id.len, len);
	assert_int_equal(id.status, status);
	if (status != IDMAP_ID_MAPPED)
		assert_int_equal(strcmp(id.reason, too_long) == 0, long_reason);
}

/* "P31946 A*2000 A*3000 B*1025 C*1024 P68254": the A ids are one (alike in their first 1025
 * bytes), B is one byte too long, C is looked up (and is not an accession). */
static void check_long_ids(const idmap_job *j)
{
	idmap_job_stats st;
	idmap_job_get_stats(j, &st);
	assert_int_equal(st.distinct, 5);
	assert_int_equal(st.mapped, 2);
	assert_int_equal(st.failed, 3);
	expect_id(j, 0, 6, IDMAP_ID_MAPPED, 0);
	expect_id(j, 1, IDMAP_ID_MAX_LEN + 1, IDMAP_ID_INVALID, 1);
	expect_id(j, 2, IDMAP_ID_MAX_LEN + 1, IDMAP_ID_INVALID, 1);
	expect_id(j, 3, IDMAP_ID_MAX_LEN, IDMAP_ID_INVALID, 0);
	expect_id(j, 4, 6, IDMAP_ID_MAPPED, 0);
}

static void test_long_ids(void **state)
{
	(void)state;
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	idmap_job *j;
	assert_int_equal(idmap_job_new(ix, &r, &j, NULL), IDMAP_OK);
	size_t len = 7 + 2001 + 3001 + 1026 + 1025 + 6, n = 0;
	char *text = malloc(len);
	assert_non_null(text);
	memcpy(text, "P31946 ", 7), n += 7;
	memset(text + n, 'A', 2000), n += 2000, text[n++] = '\n';
	memset(text + n, 'A', 3000), n += 3000, text[n++] = ',';
	memset(text + n, 'B', 1025), n += 1025, text[n++] = '\t';
	memset(text + n, 'C', 1024), n += 1024, text[n++] = ' ';
	memcpy(text + n, "P68254", 6), n += 6;
	assert_int_equal(n, len);
	assert_int_equal(idmap_job_add_ids(j, text, len), IDMAP_OK);
	free(text);
	assert_int_equal(idmap_job_run(j), IDMAP_OK);
	idmap_job_stats st;
	idmap_job_get_stats(j, &st);
	assert_int_equal(st.inputs, 6);
	assert_int_equal(st.duplicates, 1);
	check_long_ids(j);

	/* a saved job keeps them as they are */
	bytes b = {0};
	idmap_job *l;
	assert_int_equal(idmap_job_save(j, collect, &b), IDMAP_OK);
	assert_int_equal(idmap_job_load(ix, b.p, b.n, &l), IDMAP_OK);
	check_long_ids(l);
	free(b.p);
	idmap_job_free(l);
	idmap_job_free(j);
}

/* failedIds of ids that are not UTF-8 or hold control bytes: \ufffd and \u00XX. */
static void test_json_failed_ids(void **state)
{
	(void)state;
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	idmap_job *j;
	assert_int_equal(idmap_job_new(ix, &r, &j, NULL), IDMAP_OK);
	static const char ids[] = "P31946 \xff\xfe\x1b]0;x\x07 caf\xc3\xa9\xc3";
	assert_int_equal(idmap_job_add_ids(j, ids, sizeof ids - 1), IDMAP_OK);
	assert_int_equal(idmap_job_run(j), IDMAP_OK);
	idmap_render_opts o = {.format = IDMAP_OUT_JSON};
	bytes b = {0};
	assert_int_equal(idmap_render(j, &o, collect, &b), IDMAP_OK);
	assert_non_null(strstr(b.p, "\"failedIds\":[\"\\ufffd\\ufffd\\u001b]0;x\\u0007\","
				    "\"caf\xc3\xa9\\ufffd\"]"));
	free(b.p);
	idmap_job_free(j);
}

/* 300,000 distinct ids, each given twice, in pieces of one id, a few bytes and a MiB: the
 * job's arrays (ids, their text, the dedupe table) grow through idmap_job_reserve's copy
 * into advised memory many times over; every id must come out whole, in input order. */
static void test_many_ids(void **state)
{
	(void)state;
	enum { N = 300000 };
	idmap_request r = tu_request("UniProtKB_AC-ID", "UniProtKB");
	idmap_job *j;
	assert_int_equal(idmap_job_new(ix, &r, &j, NULL), IDMAP_OK);
	size_t cap = (size_t)N * 2 * 12 + 16, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < N; i++)
			len += (size_t)snprintf(text + len, cap - len, "X%u%c", i * 7919u % N,
						i % 3 ? '\n' : ',');
	len += (size_t)snprintf(text + len, cap - len, "P31946");
	size_t at = 0;
	for (size_t piece = 1; at < len; piece = piece < ((size_t)1 << 20) ? piece * 3 : 1) {
		size_t end = at + piece < len ? at + piece : len;
		while (end < len && text[end] != '\n' && text[end] != ',')
			end++; /* ids whole */
		assert_int_equal(idmap_job_add_ids(j, text + at, end - at), IDMAP_OK);
		at = end;
	}
	free(text);
	assert_int_equal(idmap_job_run(j), IDMAP_OK);
	idmap_job_stats st;
	idmap_job_get_stats(j, &st);
	assert_int_equal(st.inputs, 2 * (uint64_t)N + 1);
	assert_int_equal(st.distinct, N + 1);
	assert_int_equal(st.mapped, 1);
	for (unsigned i = 0; i < N; i++) {
		char want[16];
		int n = snprintf(want, sizeof want, "X%u", i * 7919u % N);
		idmap_id_info id;
		assert_int_equal(idmap_job_id(j, i, &id), IDMAP_OK);
		assert_int_equal(id.len, (size_t)n);
		assert_memory_equal(id.text, want, (size_t)n);
		assert_int_equal(id.status, IDMAP_ID_INVALID); /* not of an accession's form */
	}
	idmap_id_info last;
	assert_int_equal(idmap_job_id(j, N, &last), IDMAP_OK);
	assert_int_equal(last.len, 6);
	assert_memory_equal(last.text, "P31946", 6);
	assert_int_equal(last.status, IDMAP_ID_MAPPED);
	idmap_job_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_ids),
		cmocka_unit_test(test_json_failed_ids),
		cmocka_unit_test(test_many_ids),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
