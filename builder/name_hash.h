/* A cheap hash and compare of short names (ID_type names): every input line looks its type up
 * in the build's dictionary. The hash takes the first and last (up to) 8 bytes and the length,
 * mixed by one multiplication; names are few, and a collision costs a probe, never a wrong
 * answer. */
#ifndef IDMAP_NAME_HASH_H
#define IDMAP_NAME_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t idmap_name_hash(const char *name, size_t len)
{
	uint64_t a = 0, z = 0;
	if (len >= 8) {
		memcpy(&a, name, 8);
		memcpy(&z, name + len - 8, 8);
	} else if (len >= 4) { /* two overlapping 4-byte loads: no byte-wise copy */
		uint32_t lo, hi;
		memcpy(&lo, name, 4);
		memcpy(&hi, name + len - 4, 4);
		a = (uint64_t)hi << 32 | lo;
	} else if (len > 0) {
		a = (uint64_t)(uint8_t)name[0] | (uint64_t)(uint8_t)name[len / 2] << 8 |
		    (uint64_t)(uint8_t)name[len - 1] << 16;
	}
	return (a ^ (z << 7) ^ (z >> 5) ^ len) * 0x9E3779B97F4A7C15ull;
}

/* Whether the len bytes at a and b are equal: names of up to 16 bytes without a call (4 to
 * 16: two overlapping loads a side). */
static inline int idmap_name_eq(const char *a, const char *b, size_t len)
{
	if (len >= 8 && len <= 16) {
		uint64_t a0, a1, b0, b1;
		memcpy(&a0, a, 8);
		memcpy(&b0, b, 8);
		memcpy(&a1, a + len - 8, 8);
		memcpy(&b1, b + len - 8, 8);
		return ((a0 ^ b0) | (a1 ^ b1)) == 0;
	}
	if (len >= 4 && len < 8) {
		uint32_t a0, a1, b0, b1;
		memcpy(&a0, a, 4);
		memcpy(&b0, b, 4);
		memcpy(&a1, a + len - 4, 4);
		memcpy(&b1, b + len - 4, 4);
		return ((a0 ^ b0) | (a1 ^ b1)) == 0;
	}
	if (len < 4) {
		for (size_t i = 0; i < len; i++)
			if (a[i] != b[i])
				return 0;
		return 1;
	}
	return memcmp(a, b, len) == 0;
}

#endif
