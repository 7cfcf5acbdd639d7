/* Growable arrays and strings: the one growth rule of the project (builder, engine, server,
 * CLI), with its overflow checks in one place. Header-only, so every part can use it without
 * a link dependency; format/ is the one directory all of them include. (Output of any size
 * goes through the engine's callback-flushed idmap_obuf instead.) */
#ifndef IDMAP_VEC_H
#define IDMAP_VEC_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Advises the whole 2 MiB pages of p[0, bytes) to be backed by huge pages, before the first
 * touch: a large array then costs one page fault per 2 MiB instead of one per 4 KiB (each
 * fault also charges the page to the memory cgroup under a lock). Where transparent huge
 * pages are off, or the system has no MADV_HUGEPAGE, this changes nothing. */
static inline void idmap_advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t e = ((uintptr_t)p + bytes) & ~(huge - 1);
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}

/* malloc(bytes), advised to huge pages (idmap_advise_huge) from 4 MiB on, where most of it is
 * whole huge pages. */
static inline void *idmap_malloc_huge(size_t bytes)
{
	void *p = malloc(bytes ? bytes : 1);
	if (p && bytes >= ((size_t)4 << 20))
		idmap_advise_huge(p, bytes);
	return p;
}

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

/* A growable NUL-terminated string (zero-initialise it; free p). Once memory runs out failed
 * is set and later appends do nothing, so a caller may check once at the end. */
typedef struct {
	char *p;
	size_t len, cap;
	int failed;
} idmap_str;

/* Appends p[0, n). Returns 0, or -1 (and failed set) when out of memory. */
static inline int idmap_str_put(idmap_str *s, const void *p, size_t n)
{
	if (s->failed || n >= SIZE_MAX - s->len ||
	    idmap_vec_reserve(&s->p, &s->cap, s->len + n + 1, 1) < 0) {
		s->failed = 1;
		return -1;
	}
	if (n)
		memcpy(s->p + s->len, p, n);
	s->len += n;
	s->p[s->len] = 0;
	return 0;
}

static inline int idmap_str_add(idmap_str *s, const char *text)
{
	return idmap_str_put(s, text, strlen(text));
}

/* Appends the formatted text, whatever its length. Returns 0, or -1 (failed set). */
static inline int idmap_str_printf(idmap_str *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int idmap_str_printf(idmap_str *s, const char *fmt, ...)
{
	while (!s->failed) {
		va_list ap;
		va_start(ap, fmt);
		size_t room = s->cap - s->len;
		int n = vsnprintf(s->p ? s->p + s->len : NULL, s->p ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			break;
		if (s->p && (size_t)n < room) {
			s->len += (size_t)n;
			return 0;
		}
		if (idmap_vec_reserve(&s->p, &s->cap, s->len + (size_t)n + 1, 1) < 0)
			break;
	}
	s->failed = 1;
	return -1;
}

#endif
