#include "sort.h"

#include <string.h>

static inline uint64_t key_at(const uint8_t *rec, size_t key_off)
{
	uint64_t k;
	memcpy(&k, rec + key_off, 8);
	return k;
}

/* One stable counting pass on byte `shift/8` of the key, from src to dst. */
static void pass(const uint8_t *src, uint8_t *dst, size_t n, size_t size, size_t key_off,
		 unsigned shift, const size_t *count)
{
	size_t pos[256], sum = 0;
	for (int b = 0; b < 256; b++) {
		pos[b] = sum;
		sum += count[b];
	}
	switch (size) {
	case 8:
		for (size_t i = 0; i < n; i++) {
			uint64_t k = key_at(src + i * 8, key_off);
			memcpy(dst + pos[(k >> shift) & 0xff]++ * 8, src + i * 8, 8);
		}
		break;
	case 16:
		for (size_t i = 0; i < n; i++) {
			uint64_t k = key_at(src + i * 16, key_off);
			memcpy(dst + pos[(k >> shift) & 0xff]++ * 16, src + i * 16, 16);
		}
		break;
	default:
		for (size_t i = 0; i < n; i++) {
			uint64_t k = key_at(src + i * 32, key_off);
			memcpy(dst + pos[(k >> shift) & 0xff]++ * 32, src + i * 32, 32);
		}
		break;
	}
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
	/* All eight histograms in one read of the data. */
	size_t count[8][256]; /* 16 KiB: kept on the stack so threads can sort at once */
	memset(count, 0, sizeof(count));
	const uint8_t *b = base;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = key_at(b + i * elem_size, key_off);
		for (int d = 0; d < 8; d++)
			count[d][(k >> (8 * d)) & 0xff]++;
	}
	uint8_t *src = base, *dst = tmp;
	for (int d = 8 - (int)bytes; d < 8; d++) {
		uint64_t first = key_at(src, key_off);
		if (count[d][(first >> (8 * d)) & 0xff] == n)
			continue; /* every key has the same byte here */
		pass(src, dst, n, elem_size, key_off, 8u * d, count[d]);
		uint8_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != base)
		memcpy(base, src, n * elem_size);
}
