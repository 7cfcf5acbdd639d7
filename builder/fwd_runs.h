/* Forward partitions too large for memory (fwd_runs.c): an accession with millions of keys
 * puts them all in one partition of accession slots. Such a partition is sorted in chunks into
 * runs on disk, merged into one sorted file, and its records are written from that file by
 * two sequential readers: one counts an accession's groups ahead (a record starts with their
 * counts), the other encodes its pairs. The index is the same as from memory. */
#ifndef IDMAP_FWD_RUNS_H
#define IDMAP_FWD_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "build_internal.h"

/* A forward pair unpacked (wide form, when packing does not fit 64 bits). */
typedef struct {
	uint64_t acc_type; /* accession slot << 32 | type */
	uint64_t key;
} pair;

/* Bytes of a pair in memory and in the sorted files: packed u64 or pair. */
static inline size_t fwd_item_size(const build *b) { return b->fwd_packed ? 8 : sizeof(pair); }

/* Pairs a forward partition may hold to be sorted in memory: twice what plan_forward gives
 * a partition, so that only a skewed one goes to disk. */
uint64_t fwd_part_limit(const build *b);

/* build_fwd.c: checks and sorts n pairs as read from a forward partition file (buf, which
 * becomes the items when packed) of accession slots [lo, hi); *sorted gets the items (buf
 * itself when packed, else a new array). 0 or -1 (error set). */
int fwd_sort_items(const build *b, build_err *err, const char *path, uint8_t *buf, size_t n,
		   uint64_t lo, uint64_t hi, uint8_t **sorted);

/* Sorts forward partition g (its file at path, removed) into one sorted file. */
int fwd_runs_sort(const build *b, build_err *err, uint32_t g, const char *path, uint64_t lo,
		  uint64_t hi);

/* Writes the records of accession slots [lo, hi) from partition g's sorted file. */
int fwd_runs_write(build *b, uint32_t g, uint64_t lo, uint64_t hi);

#endif
