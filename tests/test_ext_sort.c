/* The external sort of the list format (engine/ext_sort.c) against qsort: in memory, spilled
 * to runs, and spilled to more runs than one merge takes (a merge pass first); with unique_a,
 * one record per a, the smallest b. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "ext_sort.h"
#include "idmap.h"

#define CAP IDMAP_XSORT_CAP

static int cmp(const void *x, const void *y)
{
	const idmap_xrec *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* n records, a among `keys` values (0: any 64-bit value), b random */
static void check(size_t n, uint64_t keys, int unique)
{
	idmap_xrec *v = malloc((n ? n : 1) * sizeof *v), x;
	assert_non_null(v);
	idmap_xsort *s = idmap_xsort_new(NULL, unique);
	assert_non_null(s);
	uint64_t seed = 88172645463325252ull + n;
	for (size_t i = 0; i < n; i++) {
		v[i].a = keys ? rnd(&seed) % keys : rnd(&seed);
		v[i].b = rnd(&seed) >> (i & 63);
		assert_int_equal(idmap_xsort_add(s, v[i].a, v[i].b), IDMAP_OK);
	}
	qsort(v, n, sizeof *v, cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!unique || i == 0 || v[i].a != v[i - 1].a)
			v[k++] = v[i];
	for (size_t i = 0; i < k; i++) {
		assert_int_equal(idmap_xsort_next(s, &x), IDMAP_OK);
		assert_true(x.a == v[i].a && x.b == v[i].b);
	}
	assert_int_equal(idmap_xsort_next(s, &x), IDMAP_DONE);
	assert_int_equal(idmap_xsort_next(s, &x), IDMAP_DONE);
	assert_int_equal(idmap_xsort_add(s, 1, 1), IDMAP_ERR_INVALID);
	idmap_xsort_free(s);
	free(v);
}

static void in_memory(void **state)
{
	(void)state;
	check(0, 0, 0);
	check(0, 0, 1);
	check(1, 0, 1);
	check(1000, 0, 0);
	check(CAP, 50, 1);
	/* many duplicates: compacted in the buffer, never written out */
	check(5 * CAP, CAP / 4, 1);
}

static void spilled(void **state)
{
	(void)state;
	check(3 * CAP + 7, 0, 0);
	check(3 * CAP + 7, 2 * CAP, 1);
}

static void merge_passes(void **state)
{
	(void)state;
	/* more than 16 runs: merged 16 at a time first */
	check(17 * CAP + 1, 0, 0);
	check(17 * CAP, 8 * CAP, 1);
}

static void bad_tmp_dir(void **state)
{
	(void)state;
	idmap_xsort *s = idmap_xsort_new("/nonexistent/dir", 0);
	assert_non_null(s);
	int rc = IDMAP_OK;
	for (size_t i = 0; i <= CAP && rc == IDMAP_OK; i++)
		rc = idmap_xsort_add(s, CAP - i, i);
	assert_int_equal(rc, IDMAP_ERR_IO);
	idmap_xsort_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_memory),
		cmocka_unit_test(spilled),
		cmocka_unit_test(merge_passes),
		cmocka_unit_test(bad_tmp_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
