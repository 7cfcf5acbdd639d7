/* Entry columns of many rows at the cost of their blocks, not of their rows: a renderer's
 * rows are read ahead in batches, their records sorted by block (idmap_entry_block_of) and
 * loaded in that order through the thread's block cache, so each block of a batch is
 * inflated once; the text each row needs is copied out, and the rows are then given back in
 * their own order with their records offered to idmap_fe_row_load. The batch is bounded in
 * rows and bytes, so memory stays bounded whatever the job's size. */
#include <stdlib.h>
#include <string.h>

#include "fields_entry.h"

#define AHEAD_ROWS 32768	  /* rows per batch */
#define AHEAD_BYTES (16u << 20) /* text copied per batch, beyond which the batch ends */

typedef struct {
	uint64_t row, slot, block; /* block UINT64_MAX: no record */
	idmap_fe_row r;
	size_t off; /* its text in the arena */
} ahead_row;

typedef struct {
	uint64_t block;
	size_t i; /* in rows */
} by_block_key;

struct idmap_fe_ahead {
	const idmap_job *j;
	int residues; /* copy the residues after the header */
	int (*next)(void *it, uint64_t *row);
	void *it;
	ahead_row *rows;
	by_block_key *order; /* rows by block */
	size_t n, pos;
	uint8_t *arena;
	size_t len, cap;
	int end, rc;
};

idmap_fe_ahead *idmap_fe_ahead_new(const idmap_job *j, unsigned kinds, int json,
				   int (*next)(void *it, uint64_t *row), void *it)
{
	if (!(kinds & IDMAP_FE_TEXT) && !(json && kinds))
		return NULL;
	idmap_fe_ahead *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	unsigned seq = 1u << (IDMAP_FE_MASS & 0xFF) | 1u << (IDMAP_FE_SEQUENCE & 0xFF);
	if (json)
		seq |= 1u << (IDMAP_FE_LENGTH & 0xFF);
	*a = (idmap_fe_ahead){.j = j, .residues = (kinds & seq) != 0, .next = next, .it = it};
	a->rows = malloc(AHEAD_ROWS * sizeof *a->rows);
	a->order = malloc(AHEAD_ROWS * sizeof *a->order);
	if (!a->rows || !a->order) {
		idmap_fe_ahead_free(a);
		return NULL;
	}
	return a;
}

void idmap_fe_ahead_free(idmap_fe_ahead *a)
{
	if (!a)
		return;
	idmap_fe_row_offer(0, NULL);
	free(a->rows);
	free(a->order);
	free(a->arena);
	free(a);
}

int idmap_fe_ahead_rc(const idmap_fe_ahead *a) { return a->rc; }

static int by_block(const void *x, const void *y)
{
	const by_block_key *p = x, *q = y;
	if (p->block != q->block)
		return p->block < q->block ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

/* Copies n bytes of p into the arena; its offset in *off. */
static int arena_put(idmap_fe_ahead *a, const uint8_t *p, size_t n, size_t *off)
{
	if (a->len + n > a->cap) {
		size_t cap = a->cap ? a->cap : 1 << 16;
		while (cap < a->len + n)
			cap *= 2;
		uint8_t *m = realloc(a->arena, cap);
		if (!m)
			return IDMAP_ERR_NOMEM;
		a->arena = m;
		a->cap = cap;
	}
	memcpy(a->arena + a->len, p, n);
	*off = a->len;
	a->len += n;
	return IDMAP_OK;
}

/* Reads the next batch of rows and loads their records in block order. */
static int fill(idmap_fe_ahead *a)
{
	const idmap_index *ix = a->j->ix;
	size_t bytes = 0;
	int rc = IDMAP_OK;
	a->n = a->pos = a->len = 0;
	while (!a->end && a->n < AHEAD_ROWS && bytes < AHEAD_BYTES) {
		ahead_row *w = &a->rows[a->n];
		if (!a->next(a->it, &w->row)) {
			a->end = 1;
			break;
		}
		idmap_result res;
		if ((rc = idmap_job_result(a->j, w->row, &res)) != IDMAP_OK)
			return rc;
		w->slot = res.acc_slot;
		w->block = UINT64_MAX;
		memset(&w->r, 0, sizeof w->r);
		if (res.acc_slot != UINT64_MAX && !res.inactive &&
		    (rc = idmap_fe_row_find(ix, res.acc_slot, &w->r)) != IDMAP_OK)
			return rc;
		if (w->r.found && idmap_entry_block_of(ix, &w->r.e, &w->block) == IDMAP_OK)
			bytes += 256 + (a->residues ? w->r.e.length : 0); /* about: a header */
		a->order[a->n] = (by_block_key){w->block, a->n};
		a->n++;
	}
	qsort(a->order, a->n, sizeof *a->order, by_block);
	for (size_t k = 0; k < a->n && rc == IDMAP_OK; k++) {
		ahead_row *w = &a->rows[a->order[k].i];
		if (w->block == UINT64_MAX || (rc = idmap_fe_row_text(ix, &w->r)) != IDMAP_OK)
			continue;
		rc = arena_put(a, w->r.head, w->r.head_len + (a->residues ? w->r.e.length : 0),
			       &w->off);
	}
	/* the arena is complete: the rows' texts point into it */
	for (size_t i = 0; i < a->n && rc == IDMAP_OK; i++) {
		ahead_row *w = &a->rows[i];
		if (w->block == UINT64_MAX)
			continue;
		w->r.head = a->arena + w->off;
		w->r.block = w->r.head; /* non-NULL: the text is there */
	}
	return rc;
}

int idmap_fe_ahead_next(void *ahead, uint64_t *row)
{
	idmap_fe_ahead *a = ahead;
	if (a->rc != IDMAP_OK)
		return 0;
	if (a->pos == a->n && (a->end || (a->rc = fill(a)) != IDMAP_OK || !a->n)) {
		idmap_fe_row_offer(0, NULL);
		return 0;
	}
	const ahead_row *w = &a->rows[a->pos++];
	*row = w->row;
	idmap_fe_row_offer(w->slot, w->block == UINT64_MAX && w->r.found ? NULL : &w->r);
	return 1;
}
