#include "offset_table.h"

#include <errno.h>
#include <string.h>

void idmap_ot_writer_init(idmap_ot_writer *w, idmap_ot_layout layout, idmap_spill *out,
			  idmap_spill *wide)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->wide = wide;
	w->layout = layout;
	w->per = idmap_ot_per(layout);
}

/* Whether the k buffered ends fit a narrow block of the layout, and if so writes them into
 * blk after the base. */
static int put_narrow(const idmap_ot_writer *w, uint32_t k, uint8_t *blk)
{
	if (w->layout == IDMAP_OT_ENDS16) {
		if (w->ends[k - 1] > IDMAP_OT_NARROW_MAX)
			return 0;
		for (uint32_t j = 0; j < k; j++)
			idmap_wr16(blk + 8 + 2 * j, (uint16_t)w->ends[j]);
		return 1;
	}
	uint64_t prev = 0;
	for (uint32_t j = 0; j < k; prev = w->ends[j++]) {
		if (w->ends[j] - prev > IDMAP_OT_LEN_MAX)
			return 0;
		blk[8 + j] = (uint8_t)(w->ends[j] - prev);
	}
	return 1;
}

/* Writes the buffered block of k records (1 .. per); unused ends or lengths are zero. */
static int put_block(idmap_ot_writer *w, uint32_t k)
{
	uint8_t blk[IDMAP_OT_BLOCK_BYTES] = {0};
	idmap_wr64(blk, w->base);
	if (put_narrow(w, k, blk))
		return idmap_spill_write(w->out, blk, sizeof blk);
	uint8_t ent[8 * IDMAP_OT_PER_MAX] = {0};
	for (uint32_t j = 0; j < k; j++)
		idmap_wr64(ent + 8 * j, w->ends[j]);
	memset(blk, 0, sizeof blk);
	idmap_wr64(blk, w->base | IDMAP_OT_WIDE_FLAG);
	idmap_wr32(blk + 8, (uint32_t)w->n_wide++); /* < blocks < 2^32 */
	if (idmap_spill_write(w->wide, ent, idmap_ot_wide_bytes(w->layout)) < 0)
		return -1;
	return idmap_spill_write(w->out, blk, sizeof blk);
}

int idmap_ot_add(idmap_ot_writer *w, uint64_t end)
{
	if (end < w->end || end >= IDMAP_OT_WIDE_FLAG) {
		errno = end < w->end ? EINVAL : EFBIG;
		return -1;
	}
	uint32_t j = (uint32_t)(w->n % w->per);
	if (j == 0)
		w->base = w->end; /* where this record starts */
	w->ends[j] = end - w->base;
	w->n++;
	w->end = end;
	return j + 1 == w->per ? put_block(w, w->per) : 0;
}

int idmap_ot_finish(idmap_ot_writer *w)
{
	uint32_t k = (uint32_t)(w->n % w->per);
	return k ? put_block(w, k) : 0;
}
