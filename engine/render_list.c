/* The list format: each distinct target once, in the order of its first row, in bounded
 * memory whatever the job size. Two external sorts (ext_sort.c): the (target, position)
 * pairs sorted with one pair kept per target give the position of each target's first row;
 * those positions sorted give the output order. A job whose distinct targets fit in the sort
 * buffer stays in memory. */
#include "ext_sort.h"
#include "semantics.h"

int idmap_render_list(const idmap_job *j, const uint64_t *rows, uint64_t first, uint64_t end,
		      const char *tmp_dir, idmap_obuf *o)
{
	idmap_xsort *by_target = idmap_xsort_new(tmp_dir, 1);
	idmap_xsort *by_pos = idmap_xsort_new(tmp_dir, 0);
	idmap_xrec x;
	idmap_result r;
	int rc = by_target && by_pos ? IDMAP_OK : IDMAP_ERR_NOMEM;
	for (uint64_t i = first; i < end && rc == IDMAP_OK; i++)
		rc = idmap_xsort_add(by_target, j->rows[rows ? rows[i] : i].to, i);
	while (rc == IDMAP_OK && (rc = idmap_xsort_next(by_target, &x)) == IDMAP_OK)
		rc = idmap_xsort_add(by_pos, x.b, 0);
	if (rc == IDMAP_DONE)
		rc = IDMAP_OK;
	idmap_xsort_free(by_target); /* its buffer and files go before by_pos reads */
	while (rc == IDMAP_OK && o->rc == 0 && (rc = idmap_xsort_next(by_pos, &x)) == IDMAP_OK) {
		uint64_t row = rows ? rows[x.a] : x.a;
		idmap_job_prefetch_row(j, row);
		if ((rc = idmap_job_result(j, row, &r)) != IDMAP_OK)
			break;
		idmap_obuf_put(o, r.to, r.to_len);
		idmap_obuf_c(o, '\n');
	}
	idmap_xsort_free(by_pos);
	return rc == IDMAP_DONE ? IDMAP_OK : rc;
}
