/* The 128-bit hash of FORMAT.md ("Hashing"), shared by builder and engine. */
#ifndef IDMAP_HASH_H
#define IDMAP_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "idmap_format.h"

#define IDMAP_K1 0x9E3779B97F4A7C15ull
#define IDMAP_K2 0xC2B2AE3D27D4EB4Full
#define IDMAP_K3 0x165667B19E3779F9ull

typedef struct {
	uint64_t hi, lo;
} idmap_h128;

static inline uint64_t idmap_fmix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xFF51AFD7ED558CCDull;
	x ^= x >> 33;
	x *= 0xC4CEB9FE1A85EC53ull;
	x ^= x >> 33;
	return x;
}

static inline uint64_t idmap_mum(uint64_t a, uint64_t b)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	return (uint64_t)p ^ (uint64_t)(p >> 64);
}

static inline uint64_t idmap_rotl(uint64_t x, unsigned r)
{
	return (x << r) | (x >> ((64 - r) & 63));
}

/* High 64 bits of a*b: maps a uniformly onto [0, n). */
static inline uint64_t idmap_fastrange64(uint64_t a, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)a * n) >> 64);
}

static inline idmap_h128 idmap_hash(const void *data, size_t n, uint64_t seed)
{
	const uint8_t *p = data;
	uint64_t a = seed ^ ((uint64_t)n * IDMAP_K1);
	uint64_t b = ~seed ^ IDMAP_K2;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w = idmap_rd64(p + i);
		a = idmap_mum(a ^ w, IDMAP_K2);
		b = idmap_mum(b ^ idmap_rotl(w, 32), IDMAP_K3) + w;
	}
	if (i < n) {
		/* The last r bytes as a zero-padded little-endian word, read with whole loads (a
		 * byte-wise copy to a buffer read back as a word stalls the load). */
		size_t r = n - i;
		uint64_t w;
		if (n >= 8) {
			w = idmap_rd64(p + n - 8) >> (64 - 8 * r);
		} else if (r >= 4) {
			w = (uint64_t)idmap_rd32(p) | (uint64_t)idmap_rd32(p + r - 4) << (8 * (r - 4));
		} else {
			w = (uint64_t)p[0] | (uint64_t)p[r / 2] << (8 * (r / 2)) |
			    (uint64_t)p[r - 1] << (8 * (r - 1));
		}
		a = idmap_mum(a ^ w, IDMAP_K2);
		b = idmap_mum(b ^ idmap_rotl(w, 32), IDMAP_K3) + w;
	}
	idmap_h128 h;
	/* hi mixes both lanes: the a lane alone can be steered to a chosen state by one word. */
	h.hi = idmap_fmix(a ^ (uint64_t)n ^ idmap_rotl(b, 23));
	h.lo = idmap_fmix(b ^ idmap_rotl(a, 29));
	return h;
}

static inline idmap_h128 idmap_hash_acc(uint64_t code, uint64_t acc_seed)
{
	uint8_t b[8];
	idmap_wr64(b, code);
	return idmap_hash(b, 8, acc_seed);
}

static inline idmap_h128 idmap_hash_key(uint32_t type_id, const void *value, size_t len,
					uint64_t key_seed)
{
	return idmap_hash(value, len, key_seed ^ ((uint64_t)type_id * IDMAP_K3));
}

#endif
