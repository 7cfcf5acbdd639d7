/* FASTA of many records in their blocks' order: random ids rarely follow each other within a
 * block, so records written one after another in the ids' order inflate a block per id. The
 * records are written in block order through the thread's block cache into one buffer and
 * handed out in the order given. */
#include <stdlib.h>

#include "idmap.h"
#include "idmap_vec.h"

typedef struct {
	uint64_t block;
	size_t i;
	size_t off, len; /* the record's bytes in the buffer */
} placed;

static int by_block(const void *x, const void *y)
{
	const placed *p = x, *q = y;
	if (p->block != q->block)
		return p->block < q->block ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

static int by_item(const void *x, const void *y)
{
	const placed *p = x, *q = y;
	return p->i < q->i ? -1 : p->i > q->i;
}

static int buf_write(void *ctx, const void *p, size_t n) { return idmap_str_put(ctx, p, n); }

/* Item it's record, then with isoforms its isoforms (UniProtKB records without a range). */
static int write_item(const idmap_index *ix, const idmap_entry_item *it, idmap_str *b)
{
	idmap_entry e = it->e, iso;
	int st = idmap_entry_fasta(ix, &e, it->start, it->end, buf_write, b);
	int isoforms = it->isoforms && it->start == 0 && e.kind <= IDMAP_ENTRY_TREMBL;
	while (st == IDMAP_OK && isoforms &&
	       (st = idmap_entry_next_isoform(ix, &e, &iso)) == IDMAP_OK) {
		st = idmap_entry_fasta(ix, &iso, 0, 0, buf_write, b);
		e = iso;
	}
	return st == IDMAP_DONE ? IDMAP_OK : st == IDMAP_STOPPED ? IDMAP_ERR_NOMEM : st;
}

IDMAP_API int idmap_entry_fasta_items(const idmap_index *ix, idmap_entry_item *items, size_t n,
				      idmap_write_fn write, void *ctx)
{
	if (!ix || (n && !items) || !write)
		return IDMAP_ERR_INVALID;
	placed *p = malloc((n ? n : 1) * sizeof *p);
	if (!p)
		return IDMAP_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		p[i] = (placed){UINT64_MAX, i, 0, 0};
		idmap_entry_block_of(ix, &items[i].e, &p[i].block);
	}
	qsort(p, n, sizeof *p, by_block);
	idmap_str b = {0};
	int rc = IDMAP_OK;
	for (size_t k = 0; k < n; k++) {
		idmap_entry_item *it = &items[p[k].i];
		size_t start = b.len;
		it->status = write_item(ix, it, &b);
		if (it->status != IDMAP_OK) /* nothing of a failed record */
			b.len = start;
		p[k].off = start;
		p[k].len = b.len - start;
	}
	qsort(p, n, sizeof *p, by_item);
	/* in order, up to the first record that failed for another reason than its range */
	for (size_t i = 0; i < n && rc == IDMAP_OK; i++)
		if (items[i].status != IDMAP_OK && items[i].status != IDMAP_ERR_INVALID)
			rc = items[i].status;
		else if (p[i].len && write(ctx, b.p + p[i].off, p[i].len))
			rc = IDMAP_STOPPED;
	free(b.p);
	free(p);
	return rc;
}
