/* Writing an offset table (FWD_INDEX, KEY_INDEX; FORMAT.md, "Offset tables") one record at a
 * time into a section file: a block's u64 base goes out with its first record, then one u32
 * end per record. Nothing is buffered beyond the spill writer's own buffer. */
#ifndef IDMAP_OFFSET_TABLE_H
#define IDMAP_OFFSET_TABLE_H

#include <stdint.h>

#include "spill.h"

typedef struct {
	idmap_spill *out;
	uint64_t n;    /* records added */
	uint64_t base; /* pool offset of the current block's first record */
	uint64_t end;  /* pool offset where the last record added ends */
} idmap_ot_writer;

/* Starts a table of the pool that begins at offset 0, written to out. */
void idmap_ot_writer_init(idmap_ot_writer *w, idmap_spill *out);

/* Adds the next record, which ends at pool offset end (not before the previous end).
 * Returns 0; -1 on a write error (errno set); -2 when the record ends 4 GiB or more past
 * its block's base (FORMAT.md, "Limits"). */
int idmap_ot_add(idmap_ot_writer *w, uint64_t end);

#endif
