/* The list format: each distinct target once, in the order of its first row, in bounded
 * memory whatever the job size. Two external sorts (ext_sort.c): the (target, row) pairs
 * sorted with one pair kept per target give each target's first row; those rows sorted give
 * the output order. A job whose distinct targets fit in the sort
 * buffer stays in memory. */
#include "ext_sort.h"
#include "semantics.h"

int idmap_render_list(const idmap_job *j, int (*next)(void *it, uint64_t *row), void *it,
		      const char *tmp_dir, idmap_obuf *o)
{
	idmap_xsort *by_target = idmap_xsort_new(tmp_dir, 1);
	idmap_xsort *by_pos = idmap_xsort_new(tmp_dir, 0);
	idmap_xrec x;
	idmap_result r;
	int rc = by_target && by_pos ? IDMAP_OK : IDMAP_ERR_NOMEM;
	for (uint64_t row; rc == IDMAP_OK && next(it, &row);)
		rc = idmap_xsort_add(by_target, j->rows[row].to, row);
	while (rc == IDMAP_OK && (rc = idmap_xsort_next(by_target, &x)) == IDMAP_OK)
		rc = idmap_xsort_add(by_pos, x.b, 0);
	if (rc == IDMAP_DONE)
		rc = IDMAP_OK;
	idmap_xsort_free(by_target); /* its buffer and files go before by_pos reads */
	while (rc == IDMAP_OK && o->rc == 0 && (rc = idmap_xsort_next(by_pos, &x)) == IDMAP_OK) {
		idmap_job_prefetch_row(j, x.a);
		if ((rc = idmap_job_result(j, x.a, &r)) != IDMAP_OK)
			break;
		idmap_obuf_put(o, r.to, r.to_len);
		idmap_obuf_c(o, '\n');
	}
	idmap_xsort_free(by_pos);
	return rc == IDMAP_DONE ? IDMAP_OK : rc;
}
