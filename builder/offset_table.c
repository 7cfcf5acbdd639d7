#include "offset_table.h"

#include <errno.h>

#include "idmap_format.h"

void idmap_ot_writer_init(idmap_ot_writer *w, idmap_spill *out)
{
	w->out = out;
	w->n = 0;
	w->base = 0;
	w->end = 0;
}

int idmap_ot_add(idmap_ot_writer *w, uint64_t end)
{
	if (end < w->end) {
		errno = EINVAL;
		return -1;
	}
	if (w->n % IDMAP_OT_BLOCK == 0) {
		uint8_t le[8];
		w->base = w->end; /* where this record starts */
		idmap_wr64(le, w->base);
		if (idmap_spill_write(w->out, le, 8) < 0)
			return -1;
	}
	if (end - w->base > UINT32_MAX)
		return -2;
	uint8_t le[4];
	idmap_wr32(le, (uint32_t)(end - w->base));
	if (idmap_spill_write(w->out, le, 4) < 0)
		return -1;
	w->n++;
	w->end = end;
	return 0;
}
