/* Building one MPHF partition (FORMAT.md, "MPHF directory"): pilot search for n distinct
 * 128-bit key hashes. */
#ifndef IDMAP_MPHF_BUILD_H
#define IDMAP_MPHF_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"

typedef struct {
	uint32_t n;	   /* keys */
	uint32_t seed;	   /* the partition seed that succeeded */
	uint16_t *pilots;  /* idmap_mphf_buckets(n) pilots */
	uint32_t *remap;   /* idmap_mphf_positions(n) - n entries */
	uint32_t *pos;	   /* pos[i] = final position (< n) of hashes[i] */
} idmap_mphf_part;

/* Builds the partition for hashes[0, n), which must be distinct (equal hashes: returns -2).
 * Tries seeds first_seed, first_seed + 1, ... until every bucket finds a pilot < 65536.
 * The arrays are allocated here and freed with idmap_mphf_part_free. Returns 0; -1 on
 * allocation failure or when no seed in first_seed .. first_seed + 63 (wrapping) works, which
 * includes two distinct hashes with equal hi in one bucket; -2 on duplicate hashes. Memory: about 16 bytes per key beyond hashes. */
int idmap_mphf_part_build(idmap_mphf_part *p, const idmap_h128 *hashes, uint32_t n,
			  uint32_t first_seed);
void idmap_mphf_part_free(idmap_mphf_part *p);

/* The pilot search uses AVX-512 where the CPU has it (the result is the same either way);
 * 0 forces the portable code, for tests. Not thread-safe: set before building. */
void idmap_mphf_build_use_simd(int on);

#endif
