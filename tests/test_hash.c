/* The hash of FORMAT.md ("Hashing") against a second, deliberately naive implementation written
 * from the pseudo-code (byte-by-byte word assembly, 128-bit products from 32-bit halves), and
 * against known answers computed independently (Python big integers). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "hash.h"

/* ---- naive reference ---- */

static void mul_64x64(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
	uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
	uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
	*lo = (mid << 32) | (p00 & 0xFFFFFFFFu);
	*hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

static uint64_t ref_mum(uint64_t a, uint64_t b)
{
	uint64_t lo, hi;
	mul_64x64(a, b, &lo, &hi);
	return lo ^ hi;
}

static uint64_t ref_fmix(uint64_t x)
{
	x = x ^ (x >> 33);
	x = x * 0xFF51AFD7ED558CCDull;
	x = x ^ (x >> 33);
	x = x * 0xC4CEB9FE1A85EC53ull;
	x = x ^ (x >> 33);
	return x;
}

static uint64_t ref_rotl(uint64_t x, unsigned r)
{
	uint64_t y = x;
	for (unsigned i = 0; i < r; i++)
		y = (y << 1) | (y >> 63);
	return y;
}

static void ref_hash(const uint8_t *data, size_t n, uint64_t seed, uint64_t *hi, uint64_t *lo)
{
	const uint64_t K1 = 0x9E3779B97F4A7C15ull, K2 = 0xC2B2AE3D27D4EB4Full;
	const uint64_t K3 = 0x165667B19E3779F9ull;
	uint64_t a = seed ^ (n * K1);
	uint64_t b = ~seed ^ K2;
	size_t words = (n + 7) / 8;
	for (size_t j = 0; j < words; j++) {
		uint64_t w = 0;
		for (unsigned k = 0; k < 8; k++) {
			size_t i = j * 8 + k;
			uint64_t byte = i < n ? data[i] : 0;
			w |= byte << (8 * k);
		}
		a = ref_mum(a ^ w, K2);
		b = ref_mum(b ^ ref_rotl(w, 32), K3) + w;
	}
	*hi = ref_fmix(a ^ n ^ ref_rotl(b, 23));
	*lo = ref_fmix(b ^ ref_rotl(a, 29));
}

/* ---- tests ---- */

static void test_mum_reference(void **state)
{
	(void)state;
	/* The 32-bit-halves product against the compiler's 128-bit one. */
	uint64_t x = 0x0123456789ABCDEFull;
	for (int i = 0; i < 10000; i++) {
		uint64_t y = x * 0x9E3779B97F4A7C15ull + 12345;
		uint64_t lo, hi;
		mul_64x64(x, y, &lo, &hi);
		unsigned __int128 p = (unsigned __int128)x * y;
		assert_int_equal(lo, (uint64_t)p);
		assert_int_equal(hi, (uint64_t)(p >> 64));
		assert_int_equal(ref_mum(x, y), idmap_mum(x, y));
		x = ref_fmix(x + 1);
	}
	assert_int_equal(ref_mum(UINT64_MAX, UINT64_MAX), idmap_mum(UINT64_MAX, UINT64_MAX));
	for (unsigned r = 1; r < 64; r++)
		assert_int_equal(ref_rotl(0x8000000000000001ull, r),
				 idmap_rotl(0x8000000000000001ull, r));
}

static void test_against_reference(void **state)
{
	(void)state;
	static const uint64_t seeds[] = {
		0, 1, 0xFFFFFFFFFFFFFFFFull, 0x9E3779B97F4A7C15ull, 0x0123456789ABCDEFull,
		0x8000000000000000ull, 42,
	};
	uint8_t buf[48 + 8];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
		for (size_t n = 0; n <= 40; n++) {
			/* Aligned and unaligned starts; the byte after the end must not matter. */
			for (size_t off = 0; off < 8; off += 3) {
				uint64_t hi, lo;
				ref_hash(buf + off, n, seeds[s], &hi, &lo);
				idmap_h128 h = idmap_hash(buf + off, n, seeds[s]);
				if (h.hi != hi || h.lo != lo)
					fail_msg("n=%zu seed=%zu off=%zu", n, s, off);
				buf[off + n] ^= 0xFF;
				h = idmap_hash(buf + off, n, seeds[s]);
				buf[off + n] ^= 0xFF;
				assert_true(h.hi == hi && h.lo == lo);
			}
		}
	}
}

struct kat {
	const char *hex;
	size_t n;
	uint64_t seed, hi, lo;
};

/* Known answers from an independent Python implementation of FORMAT.md. */
static const struct kat kats[] = {
	{"", 0,
	 0x0000000000000000ull, 0xC32F64B1EE504BFCull, 0xB78FB0886C30449Dull},
	{"503331393436", 6,
	 0x0000000000000000ull, 0xE0EA0D5DADA09D83ull, 0x77EAF1EC66BB24E7ull},
	{"41304130313753454536", 10,
	 0x0000000000003039ull, 0x28314F612EA54051ull, 0x1AE8423C673E01A1ull},
	{"68656c6c6f20776f726c6420313233343536", 18,
	 0x0123456789ABCDEFull, 0xA19D9ED8C50D0AD9ull, 0x091C32F7B9D0F95Bull},
	{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627", 40,
	 0x9E3779B97F4A7C15ull, 0xAF13127EB24ED206ull, 0x765C7781983B07B3ull},
	{"454e53473030303030313636393133", 15,
	 0xFFFFFFFFFFFFFFFFull, 0x735B8BB67339A99Full, 0xB9D3F910A883C468ull},
	{"3132333435363738", 8,
	 0x0000000000000007ull, 0x3372269D7FDA3D58ull, 0x21DBCBA4CAECF5B5ull},
};

static void test_known_answers(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof kats / sizeof kats[0]; k++) {
		uint8_t buf[64];
		assert_int_equal(strlen(kats[k].hex), 2 * kats[k].n);
		for (size_t i = 0; i < kats[k].n; i++) {
			unsigned v;
			assert_int_equal(sscanf(kats[k].hex + 2 * i, "%2x", &v), 1);
			buf[i] = (uint8_t)v;
		}
		idmap_h128 h = idmap_hash(buf, kats[k].n, kats[k].seed);
		assert_int_equal(h.hi, kats[k].hi);
		assert_int_equal(h.lo, kats[k].lo);
		uint64_t hi, lo;
		ref_hash(buf, kats[k].n, kats[k].seed, &hi, &lo);
		assert_int_equal(hi, kats[k].hi);
		assert_int_equal(lo, kats[k].lo);
	}
}

static void test_acc_and_key(void **state)
{
	(void)state;
	const uint64_t K3 = 0x165667B19E3779F9ull;
	uint64_t hi, lo;
	/* Accession code: H(le64(c), 8, acc_seed). */
	uint64_t code = 0x0000A1B2C3D4E5F6ull;
	uint8_t le[8];
	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(code >> (8 * i));
	ref_hash(le, 8, 77, &hi, &lo);
	idmap_h128 h = idmap_hash_acc(code, 77);
	assert_int_equal(h.hi, hi);
	assert_int_equal(h.lo, lo);

	/* Key: H(v, len, key_seed ^ t * K3); type id separates equal values. */
	const char *v = "ENSG00000166913";
	size_t n = strlen(v);
	for (uint32_t t = 0; t < 100; t++) {
		ref_hash((const uint8_t *)v, n, 0x5EED ^ (t * K3), &hi, &lo);
		h = idmap_hash_key(t, v, n, 0x5EED);
		assert_int_equal(h.hi, hi);
		assert_int_equal(h.lo, lo);
		idmap_h128 g = idmap_hash_key(t + 1, v, n, 0x5EED);
		assert_true(g.hi != h.hi && g.lo != h.lo);
	}
	idmap_h128 big = idmap_hash_key(65535, v, n, 1);
	ref_hash((const uint8_t *)v, n, 1 ^ (65535ull * K3), &hi, &lo);
	assert_int_equal(big.hi, hi);
	assert_int_equal(big.lo, lo);
}

/* Cheap sanity of the distribution: one flipped input bit changes about half the output bits. */
static void test_avalanche(void **state)
{
	(void)state;
	uint8_t buf[24] = "UniRef90_A0A017SEE6xyz";
	idmap_h128 base = idmap_hash(buf, 22, 3);
	unsigned total = 0, trials = 0;
	for (size_t i = 0; i < 22; i++)
		for (int bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			idmap_h128 h = idmap_hash(buf, 22, 3);
			buf[i] ^= (uint8_t)(1u << bit);
			total += (unsigned)__builtin_popcountll(h.hi ^ base.hi) +
				 (unsigned)__builtin_popcountll(h.lo ^ base.lo);
			trials++;
		}
	double mean = (double)total / trials;
	print_message("avalanche: %.2f of 128 bits change on average\n", mean);
	assert_true(mean > 56 && mean < 72);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mum_reference),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_acc_and_key),
		cmocka_unit_test(test_avalanche),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
