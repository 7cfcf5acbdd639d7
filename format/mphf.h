/* Query side of the partitioned minimal perfect hash (FORMAT.md, "MPHF directory").
 * The builder (builder/mphf_build.c) uses the same parameter functions, so a change here is a
 * format change. Every read is bound-checked: a hostile directory yields "not found", never an
 * out-of-bounds access. */
#ifndef IDMAP_MPHF_H
#define IDMAP_MPHF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hash.h"
#include "idmap_format.h"

#define IDMAP_SLOT_NONE UINT64_MAX
#define IDMAP_DENSE_THRESHOLD 0x9999999Au /* 60% of 2^32: keys sent to the dense buckets */
/* A pilot byte meaning "the pilot (255 .. 65535) is in the exceptions". */
#define IDMAP_PILOT_ESCAPE 0xFFu

static inline uint64_t idmap_mphf_positions(uint32_t n) { return (uint64_t)n + (n >> 6); }
static inline uint32_t idmap_mphf_buckets(uint32_t n) { return n ? (uint32_t)(((uint64_t)n + 2) / 3) : 0; }
static inline uint32_t idmap_mphf_dense_buckets(uint32_t nb)
{
	return (uint32_t)(((uint64_t)nb * 3 + 9) / 10);
}

static inline uint32_t idmap_mphf_bucket(uint64_t lo, uint32_t nb, uint32_t nb1)
{
	uint64_t x = (uint32_t)lo;
	if (nb1 == nb || (uint32_t)(lo >> 32) < IDMAP_DENSE_THRESHOLD)
		return (uint32_t)((x * nb1) >> 32);
	return nb1 + (uint32_t)((x * (nb - nb1)) >> 32);
}

static inline uint64_t idmap_mphf_pilot_hash(uint16_t pilot, uint32_t seed)
{
	return idmap_fmix(((uint64_t)pilot << 32) ^ seed);
}

static inline uint64_t idmap_mphf_position(uint64_t hi, uint64_t pilot_hash, uint64_t m)
{
	return idmap_fastrange64(idmap_fmix(hi ^ pilot_hash), m);
}

/* A key space's MPHF, viewed in place. Fields are filled by idmap_mphf_view_init. */
typedef struct {
	const uint8_t *files; /* F entries of 8 bytes */
	const uint8_t *parts; /* nparts entries of 32 bytes */
	const uint8_t *pilots;	   /* n_pilots u8, IDMAP_PILOT_ESCAPE: in the exceptions */
	const uint8_t *exceptions; /* n_exceptions u64: global bucket << 16 | pilot, ascending */
	const uint8_t *remap;
	uint64_t n_pilots, n_exceptions, n_remap;
	uint64_t nkeys, seed;
	uint32_t fbits, nparts;
} idmap_mphf_view;

/* Checks the directory's header and table sizes against the section lengths (O(1): the pilot
 * count comes from the last partition, which idmap_mphf_check checks against the others).
 * Returns 0, or -1 when the bytes cannot be a directory. */
static inline int idmap_mphf_view_init(idmap_mphf_view *v, const uint8_t *dir, uint64_t dir_len,
				       const uint8_t *pilots, uint64_t pilots_len,
				       const uint8_t *remap, uint64_t remap_len)
{
	memset(v, 0, sizeof(*v));
	if (dir_len < IDMAP_DIR_HEADER_SIZE)
		return -1;
	v->fbits = idmap_rd32(dir + IDMAP_DIR_FBITS);
	v->nparts = idmap_rd32(dir + IDMAP_DIR_NPARTS);
	v->nkeys = idmap_rd64(dir + IDMAP_DIR_NKEYS);
	v->seed = idmap_rd64(dir + IDMAP_DIR_SEED);
	if (v->fbits > IDMAP_DIR_MAX_FBITS || idmap_rd64(dir + IDMAP_DIR_RESERVED) != 0)
		return -1;
	uint64_t want = IDMAP_DIR_HEADER_SIZE + ((uint64_t)IDMAP_DIR_FILE_ENTRY_SIZE << v->fbits) +
			(uint64_t)v->nparts * IDMAP_DIR_PART_ENTRY_SIZE;
	if (dir_len != want || remap_len % 4 || v->nkeys > UINT32_MAX + 1ull)
		return -1;
	v->files = dir + IDMAP_DIR_HEADER_SIZE;
	v->parts = v->files + ((size_t)IDMAP_DIR_FILE_ENTRY_SIZE << v->fbits);
	uint64_t np = 0; /* the pilot bytes: where the last partition's end */
	if (v->nparts) {
		const uint8_t *last = v->parts + (size_t)(v->nparts - 1) * IDMAP_DIR_PART_ENTRY_SIZE;
		np = idmap_rd64(last + IDMAP_PART_PILOT_BASE);
		if (np > pilots_len)
			return -1;
		np += idmap_mphf_buckets(idmap_rd32(last + IDMAP_PART_N));
	}
	uint64_t at = (np + 7) & ~7ull; /* the exceptions start 8-aligned */
	if (at > pilots_len || (pilots_len - at) % 8)
		return -1;
	v->pilots = pilots;
	v->exceptions = pilots + at;
	v->remap = remap;
	v->n_pilots = np;
	v->n_exceptions = (pilots_len - at) / 8;
	v->n_remap = remap_len / 4;
	return 0;
}

/* Where a key hash's pilot lives: its partition entry and the pilot's index. Returns 0, or -1
 * when the hash falls in no partition (or the directory is inconsistent). */
static inline int idmap_mphf_locate(const idmap_mphf_view *v, idmap_h128 h, const uint8_t **pe,
				    uint32_t *n, uint64_t *pilot_index)
{
	uint64_t f = v->fbits ? h.hi >> (64 - v->fbits) : 0;
	const uint8_t *fe = v->files + f * IDMAP_DIR_FILE_ENTRY_SIZE;
	uint32_t first = idmap_rd32(fe), count = idmap_rd32(fe + 4);
	if (count == 0)
		return -1;
	uint64_t r = v->fbits ? h.hi << v->fbits : h.hi;
	uint64_t part = (uint64_t)first + (count == 1 ? 0 : idmap_fastrange64(r, count));
	if (part >= v->nparts)
		return -1;
	*pe = v->parts + part * IDMAP_DIR_PART_ENTRY_SIZE;
	*n = idmap_rd32(*pe + IDMAP_PART_N);
	if (*n == 0)
		return -1;
	uint64_t pilot_base = idmap_rd64(*pe + IDMAP_PART_PILOT_BASE);
	uint32_t nb = idmap_mphf_buckets(*n);
	uint32_t bucket = idmap_mphf_bucket(h.lo, nb, idmap_mphf_dense_buckets(nb));
	if (pilot_base >= v->n_pilots || bucket >= v->n_pilots - pilot_base)
		return -1;
	*pilot_index = pilot_base + bucket;
	return 0;
}

/* The pilot of bucket pi (global) whose byte is IDMAP_PILOT_ESCAPE: a binary search of the
 * exceptions (about one bucket in 160); -1 when it is not there (a damaged index). */
static inline int32_t idmap_mphf_exception(const idmap_mphf_view *v, uint64_t pi)
{
	uint64_t lo = 0, hi = v->n_exceptions;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		uint64_t e = idmap_rd64(v->exceptions + 8 * mid);
		if (e >> 16 == pi)
			return (int32_t)(e & 0xFFFF);
		if (e >> 16 < pi)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* A key hash located (idmap_mphf_locate): what idmap_mphf_slot needs to finish its lookup. A
 * batch that prefetches pilots keeps these rather than locating each hash twice. */
typedef struct {
	const uint8_t *pe; /* NULL: the hash falls in no partition */
	uint64_t pi;
	uint32_t n;
} idmap_mphf_loc;

/* Locates h into *loc and starts loading its pilot into the cache (batched lookups hide the
 * miss). Always inlined: GCC (12) deleted the calls of a function whose only effect was a
 * prefetch when it did not inline it early. */
static inline __attribute__((always_inline)) void
idmap_mphf_locate_prefetch(const idmap_mphf_view *v, idmap_h128 h, idmap_mphf_loc *loc)
{
	if (idmap_mphf_locate(v, h, &loc->pe, &loc->n, &loc->pi) < 0)
		loc->pe = NULL;
	else
		__builtin_prefetch(v->pilots + loc->pi);
}

/* The candidate slot of key hash h from its pilot at pi (global) in partition entry pe of n
 * keys, or IDMAP_SLOT_NONE. */
static inline uint64_t idmap_mphf_slot(const idmap_mphf_view *v, const uint8_t *pe, uint32_t n,
				       uint64_t pi, idmap_h128 h)
{
	uint64_t slot_base = idmap_rd64(pe + IDMAP_PART_SLOT_BASE);
	int32_t pilot = v->pilots[pi];
	if (__builtin_expect(pilot == IDMAP_PILOT_ESCAPE, 0)) {
		pilot = idmap_mphf_exception(v, pi);
		if (pilot < 0)
			return IDMAP_SLOT_NONE;
	}
	uint64_t m = idmap_mphf_positions(n);
	uint64_t pos = idmap_mphf_position(
		h.hi, idmap_mphf_pilot_hash((uint16_t)pilot, idmap_rd32(pe + IDMAP_PART_SEED)), m);
	if (pos >= n) {
		uint64_t remap_base = idmap_rd64(pe + IDMAP_PART_REMAP_BASE);
		uint64_t i = pos - n;
		if (remap_base >= v->n_remap || i >= v->n_remap - remap_base)
			return IDMAP_SLOT_NONE;
		pos = idmap_rd32(v->remap + 4 * (remap_base + i));
		if (pos >= n)
			return IDMAP_SLOT_NONE;
	}
	if (slot_base >= v->nkeys || pos >= v->nkeys - slot_base)
		return IDMAP_SLOT_NONE;
	return slot_base + pos;
}

/* idmap_mphf_slot for a hash located by idmap_mphf_locate_prefetch. */
static inline uint64_t idmap_mphf_slot_at(const idmap_mphf_view *v, const idmap_mphf_loc *loc,
					  idmap_h128 h)
{
	return loc->pe ? idmap_mphf_slot(v, loc->pe, loc->n, loc->pi, h) : IDMAP_SLOT_NONE;
}

/* Returns the candidate slot of a key hash, or IDMAP_SLOT_NONE. The caller verifies the key
 * stored at the slot. */
static inline uint64_t idmap_mphf_lookup(const idmap_mphf_view *v, idmap_h128 h)
{
	const uint8_t *pe;
	uint32_t n;
	uint64_t pi;
	if (idmap_mphf_locate(v, h, &pe, &n, &pi) < 0)
		return IDMAP_SLOT_NONE;
	return idmap_mphf_slot(v, pe, n, pi, h);
}

#endif
