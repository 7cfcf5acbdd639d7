/* Growable arrays: the one growth rule of the project (builder, engine, server, CLI), with
 * its overflow checks in one place. Header-only, so every part can use it without a link
 * dependency; format/ is the one directory all of them include. */
#ifndef IDMAP_VEC_H
#define IDMAP_VEC_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for need elements of elem (> 0) bytes in the array whose pointer is at *pp (a
 * T **, any T) and whose capacity, in elements, is *cap: when need > *cap, reallocates to at
 * least need, doubling the capacity (at least 16) so n pushes cost O(n). Returns 0, or -1
 * with errno ENOMEM (also when need * elem overflows), leaving the array and *cap as they
 * were. The pointer is read and written with memcpy, so any object pointer type may be
 * passed. */
static inline int idmap_vec_reserve(void *pp, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	if (need > SIZE_MAX / elem) {
		errno = ENOMEM;
		return -1;
	}
	size_t c = *cap < 16 ? 16 : *cap;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : c * 2;
	if (c > SIZE_MAX / elem)
		c = need;
	void *p;
	memcpy(&p, pp, sizeof p);
	p = realloc(p, c * elem);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(pp, &p, sizeof p);
	*cap = c;
	return 0;
}

#endif
