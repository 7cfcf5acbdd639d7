/* The entry records of the build, sorted by key within the memory budget (entry_sort.c):
 * records gather in a buffer; a full buffer is sorted and written as a run to a temporary
 * file; at the end the runs are merged into ENTRY_RECORDS (or, with no run written, the
 * buffer is sorted in memory). Duplicate keys are an input error naming both records. */
#ifndef IDMAP_ENTRY_SORT_H
#define IDMAP_ENTRY_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "build_internal.h"
#include "entry_hash.h"

/* A record while it is sorted: the entry record, then where it came from. */
#define IDMAP_TMP_REC 40
#define IDMAP_TMP_LINE 28  /* u64: line of the header */
#define IDMAP_TMP_INPUT 36 /* u32: index of the input */

typedef struct {
	uint8_t *buf; /* records not yet in a run */
	size_t n, cap, max; /* the buffer grows up to max records */
	uint32_t runs; /* runs written: temporary files entry-run.0 .. runs-1 */
	uint8_t *sorted; /* ENTRY_RECORDS in memory when no run was written */
	size_t sorted_len;
	idmap_spill out; /* ENTRY_RECORDS in a temporary file after a merge */
	int merged;
	uint64_t total;	  /* records added */
	entry_hash hash;  /* ENTRY_HASH, fed the records in their final order */
} entry_sort;

/* Sizes the buffer: up to a quarter of the budget. Returns 0 or -1 (error set). */
int entry_sort_init(build *b, entry_sort *s);
/* Adds one record. Returns 0 or -1 (error set). */
int entry_sort_add(build *b, entry_sort *s, const uint8_t rec[IDMAP_TMP_REC]);
/* After the ingest: a buffer holding more than a 32nd of the budget goes to disk as a run
 * and is freed, so that the later phases of the build have their budget. Returns 0 or -1. */
int entry_sort_park(build *b, entry_sort *s);
/* Sorts or merges everything into ENTRY_RECORDS, and builds ENTRY_HASH on them. Returns 0
 * or -1 (error set). */
int entry_sort_finish(build *b, entry_sort *s);
/* Hands ENTRY_RECORDS and ENTRY_HASH to the index writer. Returns 0 or -1 (error set). */
int entry_sort_add_section(build *b, entry_sort *s, idmap_index_writer *w);
void entry_sort_free(entry_sort *s);

#endif
