#include "sort.h"

#include <string.h>

/* Widest digit of a pass over data that fits the cache (its counts stay in L1). */
#define MAX_WIDTH 11u
#define MAX_PASSES ((64u + MAX_WIDTH - 1) / MAX_WIDTH)
/* Arrays up to this many bytes are sorted in place by LSD passes alone; larger ones first
 * go through one MSD pass on 8 bits, which leaves 256 pieces small enough for the cache,
 * instead of every pass moving all of them through memory. */
#define CACHE_BYTES (256u << 10)

static inline uint64_t key_at(const uint8_t *rec, size_t key_off)
{
	uint64_t k;
	memcpy(&k, rec + key_off, 8);
	return k;
}

/* One stable counting pass on the `width` bits at `shift` of the key, from src to dst. */
static void pass(const uint8_t *src, uint8_t *dst, size_t n, size_t size, size_t key_off,
		 unsigned shift, unsigned width, const size_t *count)
{
	size_t pos[1u << MAX_WIDTH], sum = 0;
	const uint64_t mask = (1ull << width) - 1;
	for (size_t d = 0; d <= mask; d++) {
		pos[d] = sum;
		sum += count[d];
	}
	switch (size) {
	case 8:
		for (size_t i = 0; i < n; i++) {
			uint64_t k = key_at(src + i * 8, key_off);
			memcpy(dst + pos[(k >> shift) & mask]++ * 8, src + i * 8, 8);
		}
		break;
	case 16:
		for (size_t i = 0; i < n; i++) {
			uint64_t k = key_at(src + i * 16, key_off);
			memcpy(dst + pos[(k >> shift) & mask]++ * 16, src + i * 16, 16);
		}
		break;
	default:
		for (size_t i = 0; i < n; i++) {
			uint64_t k = key_at(src + i * 32, key_off);
			memcpy(dst + pos[(k >> shift) & mask]++ * 32, src + i * 32, 32);
		}
		break;
	}
}

/* Stable LSD sort of n records at src on bits [lo, hi) of the key, using other as scratch;
 * returns the array that holds the result (src or other). */
static uint8_t *lsd(uint8_t *src, uint8_t *other, size_t n, size_t size, size_t key_off,
		    unsigned lo, unsigned hi)
{
	if (hi <= lo || n < 2)
		return src;
	/* Digits no wider than n needs: a short array (one key's accessions) would otherwise
	 * spend its time clearing and summing 2^11 counts per pass. */
	unsigned most = 64u - (unsigned)__builtin_clzll((uint64_t)n);
	unsigned least = (hi - lo + MAX_PASSES - 1) / MAX_PASSES; /* the counts hold MAX_PASSES */
	most = most < 4 ? 4 : most > MAX_WIDTH ? MAX_WIDTH : most;
	most = most < least ? least : most;
	unsigned passes = (hi - lo + most - 1) / most;
	unsigned width = (hi - lo + passes - 1) / passes;
	const uint64_t mask = (1ull << width) - 1;
	/* All the passes' counts in one read of the data. */
	size_t count[MAX_PASSES][1u << MAX_WIDTH];
	for (unsigned p = 0; p < passes; p++)
		memset(count[p], 0, (mask + 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		uint64_t k = key_at(src + i * size, key_off);
		for (unsigned p = 0; p < passes; p++)
			count[p][(k >> (lo + p * width)) & mask]++;
	}
	for (unsigned p = 0; p < passes; p++) {
		unsigned shift = lo + p * width;
		if (count[p][(key_at(src, key_off) >> shift) & mask] == n)
			continue; /* every key has the same digit here */
		pass(src, other, n, size, key_off, shift, width, count[p]);
		uint8_t *t = src;
		src = other;
		other = t;
	}
	return src;
}

void idmap_radix_sort(void *base, void *tmp, size_t n, size_t elem_size, size_t key_off)
{
	idmap_radix_sort_top(base, tmp, n, elem_size, key_off, 8);
}

void idmap_radix_sort_top(void *base, void *tmp, size_t n, size_t elem_size, size_t key_off,
			  unsigned bytes)
{
	if (n < 2)
		return;
	uint8_t *b = base, *t = tmp;
	/* Only the bits in which some keys differ need sorting. */
	const uint64_t window = bytes >= 8 ? ~0ull : ~0ull << (64 - 8 * bytes);
	const uint64_t k0 = key_at(b, key_off);
	uint64_t diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= key_at(b + i * elem_size, key_off) ^ k0;
	diff &= window;
	if (!diff)
		return;
	unsigned lo = (unsigned)__builtin_ctzll(diff), hi = 64u - (unsigned)__builtin_clzll(diff);
	if (n * elem_size <= CACHE_BYTES || hi - lo <= 8) {
		uint8_t *r = lsd(b, t, n, elem_size, key_off, lo, hi);
		if (r != b)
			memcpy(b, r, n * elem_size);
		return;
	}
	/* MSD on the top 8 varying bits into tmp, then each piece by LSD, back into base. */
	unsigned shift = hi - 8;
	size_t count[256] = {0}, start[257];
	for (size_t i = 0; i < n; i++)
		count[(key_at(b + i * elem_size, key_off) >> shift) & 0xff]++;
	pass(b, t, n, elem_size, key_off, shift, 8, count);
	start[0] = 0;
	for (int d = 0; d < 256; d++)
		start[d + 1] = start[d] + count[d];
	for (int d = 0; d < 256; d++) {
		size_t off = start[d] * elem_size, m = count[d];
		uint8_t *r = lsd(t + off, b + off, m, elem_size, key_off, lo, shift);
		if (r != b + off)
			memcpy(b + off, r, m * elem_size);
	}
}
