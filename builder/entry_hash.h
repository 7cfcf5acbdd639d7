/* ENTRY_HASH, the O(1) way from an entry id to its record (entry_hash.c; FORMAT.md): a
 * linear-probing table of record numbers. Built without random writes: (home slot, record)
 * pairs are partitioned by home slot on disk, each partition sorted in memory, and the slots
 * assigned in home order (each pair takes the first free slot at or after its home), so the
 * table is written front to back within the memory budget. */
#ifndef IDMAP_ENTRY_HASH_H
#define IDMAP_ENTRY_HASH_H

#include <stdint.h>

#include "build_internal.h"

typedef struct {
	uint64_t homes;	      /* home slots */
	unsigned pbits;	      /* 2^pbits partitions of the home slots */
	idmap_spill *parts;
	uint64_t n;	      /* records added */
	idmap_spill out;      /* the table, after entry_hash_finish */
	int done;
} entry_hash;

/* Plans a table for n records. Returns 0 or -1 (error set). */
int entry_hash_begin(build *b, entry_hash *h, uint64_t n);
/* Adds record number index (records come in index order) with its entry record bytes. */
int entry_hash_add(build *b, entry_hash *h, const uint8_t *rec, uint64_t index);
/* Writes the table. Returns 0 or -1 (error set). */
int entry_hash_finish(build *b, entry_hash *h);
int entry_hash_add_section(build *b, entry_hash *h, idmap_index_writer *w);
void entry_hash_free(entry_hash *h);

#endif
