/* Writing an offset table (FWD_INDEX, KEY_INDEX; FORMAT.md, "Offset tables") one record at a
 * time: the ends of one block are buffered, and when the block is complete it goes out in the
 * table's layout (u16 ends or u8 lengths) or, when its records do not fit that layout, as a
 * wide block whose u64 ends go to the table's wide section. */
#ifndef IDMAP_OFFSET_TABLE_H
#define IDMAP_OFFSET_TABLE_H

#include <stdint.h>

#include "idmap_format.h"
#include "spill.h"

typedef struct {
	idmap_spill *out;	 /* the table */
	idmap_spill *wide;	 /* its wide section */
	idmap_ot_layout layout;	 /* of its narrow blocks */
	uint32_t per;		 /* records per block: idmap_ot_per(layout) */
	uint64_t n;		 /* records added */
	uint64_t n_wide;	 /* wide blocks written */
	uint64_t base;		 /* pool offset of the current block's first record */
	uint64_t end;		 /* pool offset where the last record added ends */
	uint64_t ends[IDMAP_OT_PER_MAX]; /* the current block's ends, relative to base */
} idmap_ot_writer;

/* Starts a table of the given layout of the pool that begins at offset 0, written to out and
 * wide. */
void idmap_ot_writer_init(idmap_ot_writer *w, idmap_ot_layout layout, idmap_spill *out,
			  idmap_spill *wide);

/* Adds the next record, which ends at pool offset end (not before the previous end, below
 * 2^63). Returns 0; -1 on a write error or a bad end (errno set). */
int idmap_ot_add(idmap_ot_writer *w, uint64_t end);

/* Writes the last, partial block; call once after the last record. Returns 0 or -1. */
int idmap_ot_finish(idmap_ot_writer *w);

#endif
