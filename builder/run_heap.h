/* A binary min-heap of run numbers, for the k-way merges of sorted runs (key_runs.c,
 * fwd_runs.c): `before(ctx, x, y)` says whether run x's current item sorts before run y's. */
#ifndef IDMAP_RUN_HEAP_H
#define IDMAP_RUN_HEAP_H

#include <stdint.h>

typedef int (*run_before_fn)(const void *ctx, uint32_t x, uint32_t y);

typedef struct {
	uint32_t *v, n;
	run_before_fn before;
	const void *ctx;
} run_heap;

static inline void run_heap_push(run_heap *h, uint32_t x)
{
	uint32_t i = h->n++;
	while (i > 0 && h->before(h->ctx, x, h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

/* Restores the order after the top run's item changed. */
static inline void run_heap_fix_top(run_heap *h)
{
	if (h->n == 0)
		return;
	uint32_t x = h->v[0], i = 0;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->before(h->ctx, h->v[c + 1], h->v[c]))
			c++;
		if (!h->before(h->ctx, h->v[c], x))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	h->v[i] = x;
}

/* Removes the top run (its items are done, or it is taken out while they are used). */
static inline uint32_t run_heap_pop(run_heap *h)
{
	uint32_t top = h->v[0];
	h->v[0] = h->v[--h->n];
	run_heap_fix_top(h);
	return top;
}

#endif
