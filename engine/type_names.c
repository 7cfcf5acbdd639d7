/* Lookup of ID types by name: an order of the type ids sorted at open, so that a name is
 * found in O(log T) whatever the number of types T (a map resolves a name per catalogue
 * entry, and an index may hold 65536 types). */
#include <stdlib.h>
#include <string.h>

#include "index_internal.h"

static int ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* ASCII case-insensitive order of two NUL-terminated names. */
static int cmp_ci(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = ascii_lower((unsigned char)*a), y = ascii_lower((unsigned char)*b);
		if (x != y || x == 0)
			return x - y;
	}
}

/* The sort order: case-insensitive first, so that the names equal but for case lie together,
 * then exact, so that an exact name has one place. */
static int cmp_name(const char *a, const char *b)
{
	int c = cmp_ci(a, b);
	return c ? c : strcmp(a, b);
}

/* Sorts pointers (the types' ids are their offsets) in the order of cmp_name. */
static int cmp_ptr(const void *x, const void *y)
{
	const idmap_type_info *a = *(idmap_type_info *const *)x, *b = *(idmap_type_info *const *)y;
	return cmp_name(a->name, b->name);
}

int idmap_types_sort(idmap_index *ix)
{
	uint32_t t = ix->n_types;
	const idmap_type_info **v = malloc((t ? t : 1) * sizeof *v);
	ix->type_order = malloc((t ? t : 1) * sizeof *ix->type_order);
	ix->type_ci_low = malloc((t ? t : 1) * sizeof *ix->type_ci_low);
	if (!v || !ix->type_order || !ix->type_ci_low) {
		free(v);
		return IDMAP_ERR_NOMEM;
	}
	for (uint32_t i = 0; i < t; i++)
		v[i] = &ix->types[i];
	qsort(v, t, sizeof *v, cmp_ptr);
	/* Names are distinct (equal ones would be neighbours); each run of names equal but for
	 * case records at its first position its lowest id, the answer of idmap_type_find_ci. */
	int rc = IDMAP_OK;
	for (uint32_t i = 0, run = 0; i < t; i++) {
		uint32_t id = (uint32_t)(v[i] - ix->types);
		ix->type_order[i] = id;
		if (i > 0 && strcmp(v[i - 1]->name, v[i]->name) == 0)
			rc = IDMAP_ERR_CORRUPT;
		if (i == 0 || cmp_ci(v[run]->name, v[i]->name) != 0) {
			run = i;
			ix->type_ci_low[run] = id;
		} else if (id < ix->type_ci_low[run]) {
			ix->type_ci_low[run] = id;
		}
	}
	free(v);
	return rc;
}

/* The first position of the order whose name is not below `name` by cmp (cmp_ci or
 * cmp_name). */
static uint32_t lower_bound(const idmap_index *ix, const char *name,
			    int (*cmp)(const char *, const char *))
{
	uint32_t lo = 0, hi = ix->n_types;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (cmp(ix->types[ix->type_order[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

IDMAP_API int idmap_type_find(const idmap_index *ix, const char *name, uint32_t *id)
{
	if (!ix || !name || !id)
		return IDMAP_ERR_INVALID;
	uint32_t i = lower_bound(ix, name, cmp_name);
	if (i == ix->n_types || strcmp(ix->types[ix->type_order[i]].name, name) != 0)
		return IDMAP_ERR_NOT_FOUND;
	*id = ix->type_order[i];
	return IDMAP_OK;
}

IDMAP_API int idmap_type_find_ci(const idmap_index *ix, const char *name, uint32_t *id)
{
	if (!ix || !name || !id)
		return IDMAP_ERR_INVALID;
	uint32_t i = lower_bound(ix, name, cmp_ci);
	if (i == ix->n_types || cmp_ci(ix->types[ix->type_order[i]].name, name) != 0)
		return IDMAP_ERR_NOT_FOUND;
	*id = ix->type_ci_low[i];
	return IDMAP_OK;
}
