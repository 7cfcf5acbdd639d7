/* Sorting the builder's arrays: a stable radix sort on one u64 key field, for records of 8,
 * 16 or 32 bytes. Only the bits in which the keys differ are sorted on, so keys with few
 * significant bits cost few passes; an array larger than the cache first gets one MSD pass,
 * and its pieces are then sorted by LSD passes within the cache. The caller provides a
 * scratch array of the same size (the builder's memory budget counts it). */
#ifndef IDMAP_SORT_H
#define IDMAP_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Sorts n records of elem_size bytes (8, 16 or 32) at base by the u64 at byte key_off of each
 * record, stably. tmp holds n records. */
void idmap_radix_sort(void *base, void *tmp, size_t n, size_t elem_size, size_t key_off);

/* The same on the top `bytes` bytes of the key only (1..8): records whose keys differ only in
 * lower bytes keep their order. */
void idmap_radix_sort_top(void *base, void *tmp, size_t n, size_t elem_size, size_t key_off,
			  unsigned bytes);

#endif
