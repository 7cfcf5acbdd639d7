#include "offset_table.h"

#include <errno.h>
#include <string.h>

void idmap_ot_writer_init(idmap_ot_writer *w, idmap_spill *out, idmap_spill *wide)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->wide = wide;
}

/* Writes the buffered block of k records (1 .. 28); unused ends are zero. */
static int put_block(idmap_ot_writer *w, uint32_t k)
{
	uint8_t blk[IDMAP_OT_BLOCK_BYTES] = {0};
	if (w->ends[k - 1] <= IDMAP_OT_NARROW_MAX) {
		idmap_wr64(blk, w->base);
		for (uint32_t j = 0; j < k; j++)
			idmap_wr16(blk + 8 + 2 * j, (uint16_t)w->ends[j]);
		return idmap_spill_write(w->out, blk, sizeof blk);
	}
	uint8_t ent[IDMAP_OT_WIDE_BYTES] = {0};
	for (uint32_t j = 0; j < k; j++)
		idmap_wr64(ent + 8 * j, w->ends[j]);
	idmap_wr64(blk, w->base | IDMAP_OT_WIDE_FLAG);
	idmap_wr32(blk + 8, (uint32_t)w->n_wide++); /* < blocks < 2^32 */
	if (idmap_spill_write(w->wide, ent, sizeof ent) < 0)
		return -1;
	return idmap_spill_write(w->out, blk, sizeof blk);
}

int idmap_ot_add(idmap_ot_writer *w, uint64_t end)
{
	if (end < w->end || end >= IDMAP_OT_WIDE_FLAG) {
		errno = end < w->end ? EINVAL : EFBIG;
		return -1;
	}
	uint32_t j = (uint32_t)(w->n % IDMAP_OT_BLOCK);
	if (j == 0)
		w->base = w->end; /* where this record starts */
	w->ends[j] = end - w->base;
	w->n++;
	w->end = end;
	return j + 1 == IDMAP_OT_BLOCK ? put_block(w, IDMAP_OT_BLOCK) : 0;
}

int idmap_ot_finish(idmap_ot_writer *w)
{
	uint32_t k = (uint32_t)(w->n % IDMAP_OT_BLOCK);
	return k ? put_block(w, k) : 0;
}
