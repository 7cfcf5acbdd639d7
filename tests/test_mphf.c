/* MPHF construction (builder/mphf_build.c) against the query of format/mphf.h: partitions are
 * built, laid out as directory bytes exactly as FORMAT.md describes, and every key is looked
 * up through idmap_mphf_lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mphf.h"
#include "mphf_build.h"

static uint64_t rng_state;
static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static idmap_h128 *random_hashes(uint32_t n, uint64_t seed)
{
	idmap_h128 *h = malloc((n ? n : 1) * sizeof *h);
	assert_non_null(h);
	rng_state = seed;
	for (uint32_t i = 0; i < n; i++) {
		h[i].hi = rnd();
		h[i].lo = rnd();
	}
	return h;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- an in-test directory, laid out byte by byte per FORMAT.md ---- */

struct tdir {
	uint8_t *dir, *pilots, *remap;
	size_t dir_len, pilots_len, remap_len;
	size_t nexc; /* pilot exceptions (pilots above 254) */
	idmap_mphf_view v;
};

static void tdir_build(struct tdir *d, uint32_t fbits, const uint32_t *file_first,
		       const uint32_t *file_count, const idmap_mphf_part *parts, uint32_t nparts,
		       uint64_t space_seed)
{
	uint64_t nkeys = 0, npil = 0, nrem = 0, nexc = 0;
	for (uint32_t i = 0; i < nparts; i++) {
		nkeys += parts[i].n;
		npil += idmap_mphf_buckets(parts[i].n);
		nrem += idmap_mphf_positions(parts[i].n) - parts[i].n;
		for (uint32_t b = 0; b < idmap_mphf_buckets(parts[i].n); b++)
			nexc += parts[i].pilots[b] >= IDMAP_PILOT_ESCAPE;
	}
	uint32_t F = 1u << fbits;
	memset(d, 0, sizeof *d);
	d->dir_len = 32 + 8 * (size_t)F + 32 * (size_t)nparts;
	/* a pilot byte per bucket, then 8-aligned the exceptions */
	uint64_t exc_at = (npil + 7) / 8 * 8;
	d->pilots_len = exc_at + 8 * nexc;
	d->nexc = nexc;
	d->remap_len = 4 * nrem;
	d->dir = calloc(d->dir_len, 1);
	d->pilots = calloc(d->pilots_len + 1, 1);
	d->remap = calloc(d->remap_len + 1, 1);
	assert_true(d->dir && d->pilots && d->remap);

	idmap_wr32(d->dir + 0, fbits);
	idmap_wr32(d->dir + 4, nparts);
	idmap_wr64(d->dir + 8, nkeys);
	idmap_wr64(d->dir + 16, space_seed);
	for (uint32_t f = 0; f < F; f++) {
		idmap_wr32(d->dir + 32 + 8 * f, file_first[f]);
		idmap_wr32(d->dir + 32 + 8 * f + 4, file_count[f]);
	}
	uint64_t sb = 0, pb = 0, rb = 0, xb = 0;
	for (uint32_t i = 0; i < nparts; i++) {
		uint8_t *e = d->dir + 32 + 8 * (size_t)F + 32 * (size_t)i;
		uint32_t n = parts[i].n, nb = idmap_mphf_buckets(n);
		uint64_t nr = idmap_mphf_positions(n) - n;
		idmap_wr64(e + 0, sb);
		idmap_wr64(e + 8, pb);
		idmap_wr64(e + 16, rb);
		idmap_wr32(e + 24, n);
		idmap_wr32(e + 28, parts[i].seed);
		for (uint32_t b = 0; b < nb; b++) {
			uint16_t pilot = parts[i].pilots[b];
			d->pilots[pb + b] = pilot < IDMAP_PILOT_ESCAPE ? (uint8_t)pilot
								       : IDMAP_PILOT_ESCAPE;
			if (pilot >= IDMAP_PILOT_ESCAPE)
				idmap_wr64(d->pilots + exc_at + 8 * xb++, (pb + b) << 16 | pilot);
		}
		for (uint64_t r = 0; r < nr; r++)
			idmap_wr32(d->remap + 4 * (rb + r), parts[i].remap[r]);
		sb += n;
		pb += nb;
		rb += nr;
	}
	assert_int_equal(idmap_mphf_view_init(&d->v, d->dir, d->dir_len, d->pilots, d->pilots_len,
					      d->remap, d->remap_len),
			 0);
}

static void tdir_free(struct tdir *d)
{
	free(d->dir);
	free(d->pilots);
	free(d->remap);
}

/* Checks one partition's internal invariants: pos a permutation of [0, n), each key's raw
 * position consistent with pilots and remap, remap increasing on used entries, 0 elsewhere. */
static void check_part(const idmap_mphf_part *p, const idmap_h128 *h, uint32_t n)
{
	uint64_t m = idmap_mphf_positions(n);
	uint32_t nb = idmap_mphf_buckets(n), nb1 = idmap_mphf_dense_buckets(nb);
	uint8_t *seen = calloc(m + 1, 1);
	assert_non_null(seen);
	assert_int_equal(p->n, n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t b = idmap_mphf_bucket(h[i].lo, nb, nb1);
		assert_true(b < nb);
		uint64_t q = idmap_mphf_position(
			h[i].hi, idmap_mphf_pilot_hash(p->pilots[b], p->seed), m);
		assert_true(q < m);
		assert_int_equal(seen[q], 0);
		seen[q] = 1;
		uint64_t final = q < n ? q : p->remap[q - n];
		assert_int_equal(p->pos[i], final);
	}
	int64_t last = -1;
	for (uint64_t q = n; q < m; q++) {
		if (!seen[q]) {
			assert_int_equal(p->remap[q - n], 0);
			continue;
		}
		assert_true((int64_t)p->remap[q - n] > last);
		last = p->remap[q - n];
		assert_true(last < (int64_t)n);
		assert_int_equal(seen[last], 0); /* a free position < n */
	}
	free(seen);
}

/* Builds one partition (fbits = 0), looks every key up, checks unknown keys. */
static void build_and_query_single(const idmap_h128 *h, uint32_t n, uint32_t seed)
{
	idmap_mphf_part p;
	assert_int_equal(idmap_mphf_part_build(&p, h, n, seed), 0);
	check_part(&p, h, n);

	uint32_t first = 0, count = 1;
	struct tdir d;
	tdir_build(&d, 0, &first, &count, &p, 1, 99);
	uint8_t *used = calloc(n + 1, 1);
	assert_non_null(used);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t s = idmap_mphf_lookup(&d.v, h[i]);
		if (s >= n)
			fail_msg("n=%u key %u: slot %llu", n, i, (unsigned long long)s);
		assert_int_equal(s, p.pos[i]);
		assert_int_equal(used[s], 0);
		used[s] = 1;
	}
	/* Unknown keys: any answer is allowed (the caller verifies) but must be in range. */
	uint64_t save = rng_state;
	rng_state = 0xFEEDull + n;
	for (int i = 0; i < 2000; i++) {
		idmap_h128 u = {rnd(), rnd()};
		uint64_t s = idmap_mphf_lookup(&d.v, u);
		assert_true(s == IDMAP_SLOT_NONE || s < n);
		if (n == 0)
			assert_true(s == IDMAP_SLOT_NONE);
	}
	rng_state = save;
	free(used);
	tdir_free(&d);
	idmap_mphf_part_free(&p);
}

static void test_small(void **state)
{
	(void)state;
	unsigned restarts = 0;
	for (uint32_t n = 0; n <= 700; n++) {
		idmap_h128 *h = random_hashes(n, 1000 + n);
		build_and_query_single(h, n, 7);
		idmap_mphf_part p;
		assert_int_equal(idmap_mphf_part_build(&p, h, n, 7), 0);
		restarts += p.seed - 7;
		idmap_mphf_part_free(&p);
		free(h);
	}
	print_message("n = 0..700: %u seed restarts in total\n", restarts);
}

static void test_zero_and_one(void **state)
{
	(void)state;
	idmap_mphf_part p;
	assert_int_equal(idmap_mphf_part_build(&p, NULL, 0, 5), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.seed, 5);
	assert_non_null(p.pilots);
	idmap_mphf_part_free(&p);
	assert_null(p.pilots);

	idmap_h128 one = {0, 0};
	assert_int_equal(idmap_mphf_part_build(&p, &one, 1, 0), 0);
	assert_int_equal(p.pos[0], 0);
	idmap_mphf_part_free(&p);
	build_and_query_single(&one, 1, 0);
	idmap_h128 two[2] = {{1, 2}, {3, 4}};
	build_and_query_single(two, 2, 0);
}

static void test_1000(void **state)
{
	(void)state;
	idmap_h128 *h = random_hashes(1000, 42);
	build_and_query_single(h, 1000, 0);
	/* Deterministic: the same input gives the same bytes. */
	idmap_mphf_part a, b;
	assert_int_equal(idmap_mphf_part_build(&a, h, 1000, 3), 0);
	assert_int_equal(idmap_mphf_part_build(&b, h, 1000, 3), 0);
	assert_int_equal(a.seed, b.seed);
	assert_memory_equal(a.pilots, b.pilots, 2 * idmap_mphf_buckets(1000));
	assert_memory_equal(a.remap, b.remap, 4 * (idmap_mphf_positions(1000) - 1000));
	assert_memory_equal(a.pos, b.pos, 4 * 1000);
	idmap_mphf_part_free(&a);
	idmap_mphf_part_free(&b);
	free(h);
}

/* The vectorised pilot search (used where the CPU has AVX-512) finds exactly what the
 * portable one finds: same seed, pilots, remap and positions, so an index does not depend on
 * the machine that built it. Where the CPU lacks it both runs take the portable path. */
static void test_simd_equals_scalar(void **state)
{
	(void)state;
	static const uint32_t sizes[] = {1, 2, 3, 15, 64, 1000, 4097, 70000, 300000};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		uint32_t n = sizes[i];
		idmap_h128 *h = random_hashes(n, 1000 + i);
		idmap_mphf_part a, b;
		idmap_mphf_build_use_simd(0);
		assert_int_equal(idmap_mphf_part_build(&a, h, n, (uint32_t)i), 0);
		idmap_mphf_build_use_simd(1);
		assert_int_equal(idmap_mphf_part_build(&b, h, n, (uint32_t)i), 0);
		assert_int_equal(a.seed, b.seed);
		assert_memory_equal(a.pilots, b.pilots, 2 * idmap_mphf_buckets(n));
		if (idmap_mphf_positions(n) > n)
			assert_memory_equal(a.remap, b.remap, 4 * (idmap_mphf_positions(n) - n));
		assert_memory_equal(a.pos, b.pos, 4 * (size_t)n);
		idmap_mphf_part_free(&a);
		idmap_mphf_part_free(&b);
		free(h);
	}
}

static void test_duplicates(void **state)
{
	(void)state;
	const uint32_t n = 1000;
	idmap_h128 *h = random_hashes(n, 43);
	idmap_mphf_part p;
	h[700] = h[3];
	assert_int_equal(idmap_mphf_part_build(&p, h, n, 0), -2);
	assert_null(p.pilots);
	assert_null(p.pos);

	/* Equal hi, different lo, same bucket: no pilot can separate them. */
	rng_state = 43;
	for (uint32_t i = 0; i < n; i++) {
		h[i].hi = rnd();
		h[i].lo = rnd();
	}
	uint32_t nb = idmap_mphf_buckets(n), nb1 = idmap_mphf_dense_buckets(nb);
	uint32_t b3 = idmap_mphf_bucket(h[3].lo, nb, nb1);
	int found = 0;
	for (unsigned bit = 0; bit < 64 && !found; bit++) {
		uint64_t lo = h[3].lo ^ (1ull << bit);
		if (idmap_mphf_bucket(lo, nb, nb1) == b3) {
			h[700].hi = h[3].hi;
			h[700].lo = lo;
			found = 1;
		}
	}
	assert_true(found);
	assert_int_equal(idmap_mphf_part_build(&p, h, n, 0), -1);

	/* Equal hi in different buckets is fine. */
	found = 0;
	for (unsigned bit = 0; bit < 64 && !found; bit++) {
		uint64_t lo = h[3].lo ^ (1ull << bit);
		if (idmap_mphf_bucket(lo, nb, nb1) != b3) {
			h[700].lo = lo;
			found = 1;
		}
	}
	assert_true(found);
	build_and_query_single(h, n, 0);

	/* Many duplicates of one hash. */
	for (uint32_t i = 0; i < n; i++)
		h[i] = h[0];
	assert_int_equal(idmap_mphf_part_build(&p, h, n, 0), -2);
	free(h);
}

/* Real-looking strings through idmap_hash_key and accession codes through idmap_hash_acc. */
static void test_string_keys(void **state)
{
	(void)state;
	const uint32_t n = 300000;
	idmap_h128 *h = malloc(n * sizeof *h);
	assert_non_null(h);
	char buf[64];
	for (uint32_t i = 0; i < n; i++) {
		int len;
		switch (i % 3) {
		case 0:
			len = snprintf(buf, sizeof buf, "ENSG%011u", i);
			h[i] = idmap_hash_key(5, buf, (size_t)len, 0x1234);
			break;
		case 1:
			len = snprintf(buf, sizeof buf, "UniRef90_A0A%07u", i);
			h[i] = idmap_hash_key(17, buf, (size_t)len, 0x1234);
			break;
		default:
			/* the same text under another type is another key */
			len = snprintf(buf, sizeof buf, "ENSG%011u", i - 2);
			h[i] = idmap_hash_key(6, buf, (size_t)len, 0x1234);
			break;
		}
	}
	build_and_query_single(h, n, 11);
	/* Consecutive accession codes (P00001, P00001-1, ...) hashed as FORMAT.md says. */
	for (uint32_t i = 0; i < n; i++)
		h[i] = idmap_hash_acc(((0x1000000ull + i / 4) << 12) | (i % 4), 0xACC);
	build_and_query_single(h, n, 0);
	free(h);
}

static void test_million(void **state)
{
	(void)state;
	const uint32_t n = 1000000;
	idmap_h128 *h = random_hashes(n, 2026);
	idmap_mphf_part p;
	double t0 = now();
	assert_int_equal(idmap_mphf_part_build(&p, h, n, 0), 0);
	double t = now() - t0;
	uint32_t nb = idmap_mphf_buckets(n);
	uint64_t m = idmap_mphf_positions(n);
	uint32_t maxp = 0, nexc = 0;
	double sum = 0;
	for (uint32_t b = 0; b < nb; b++) {
		maxp = p.pilots[b] > maxp ? p.pilots[b] : maxp;
		sum += p.pilots[b];
		nexc += p.pilots[b] >= IDMAP_PILOT_ESCAPE;
	}
	double bits = (8.0 * nb + 64.0 * nexc + 32.0 * (double)(m - n)) / n;
	print_message("1e6 keys: %.3f s (%.2f Mkeys/s), %.3f bits/key (pilots+remap), seed %u, "
		      "pilot mean %.1f max %u\n",
		      t, n / t / 1e6, bits, p.seed, sum / nb, maxp);
	idmap_mphf_part_free(&p);
	build_and_query_single(h, n, 0);
	free(h);
}

/* Keys whose bucket has the escape byte, with the exceptions damaged: the last one missing,
 * or two out of order. Their lookups may fail (IDMAP_SLOT_NONE) but never answer outside the
 * slots, and the keys of other buckets are unaffected. A pilot section of a length that the
 * exceptions cannot fill is refused. */
static void check_damaged_exceptions(const struct tdir *d, const idmap_h128 *h, uint32_t n)
{
	uint64_t at = (d->v.n_pilots + 7) / 8 * 8;
	idmap_mphf_view v;
	assert_int_equal(idmap_mphf_view_init(&v, d->dir, d->dir_len, d->pilots, d->pilots_len - 1,
					      d->remap, d->remap_len),
			 -1);
	assert_int_equal(idmap_mphf_view_init(&v, d->dir, d->dir_len, d->pilots, at - 8,
					      d->remap, d->remap_len),
			 -1);
	/* without the last exception */
	assert_int_equal(idmap_mphf_view_init(&v, d->dir, d->dir_len, d->pilots, d->pilots_len - 8,
					      d->remap, d->remap_len),
			 0);
	uint64_t lost = idmap_rd64(d->pilots + d->pilots_len - 8) >> 16;
	uint32_t missing = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t want = idmap_mphf_lookup(&d->v, h[i]), got = idmap_mphf_lookup(&v, h[i]);
		const uint8_t *pe;
		uint32_t pn;
		uint64_t pi = 0;
		assert_int_equal(idmap_mphf_locate(&v, h[i], &pe, &pn, &pi), 0);
		if (pi == lost) {
			assert_true(got == IDMAP_SLOT_NONE);
			missing++;
		} else {
			assert_int_equal(got, want);
		}
	}
	assert_true(missing > 0);
	/* the first two exceptions swapped */
	if (d->nexc >= 2) {
		uint8_t *p = malloc(d->pilots_len);
		assert_non_null(p);
		memcpy(p, d->pilots, d->pilots_len);
		memcpy(p + at, d->pilots + at + 8, 8);
		memcpy(p + at + 8, d->pilots + at, 8);
		assert_int_equal(idmap_mphf_view_init(&v, d->dir, d->dir_len, p, d->pilots_len,
						      d->remap, d->remap_len),
				 0);
		for (uint32_t i = 0; i < n; i++) {
			uint64_t s = idmap_mphf_lookup(&v, h[i]);
			assert_true(s == IDMAP_SLOT_NONE || s < n);
		}
		free(p);
	}
}

/* fbits = 2, several partitions (one empty, one file without partitions). */
static void test_partitioned(void **state)
{
	(void)state;
	const uint32_t n = 200000;
	enum { F = 4, P = 7 };
	const uint32_t first[F] = {0, 3, 5, 7}, count[F] = {3, 2, 2, 0};
	idmap_h128 *h = random_hashes(n, 77);
	uint32_t *part_of = malloc(n * sizeof *part_of);
	uint32_t cnt[P] = {0};
	assert_non_null(part_of);
	for (uint32_t i = 0; i < n; i++) {
		if (h[i].hi >> 62 == 3)
			h[i].hi &= ~(1ull << 62); /* file 3 has no partitions: no keys there */
		if (h[i].hi >> 62 == 1)
			h[i].hi &= ~(1ull << 61); /* file 1: all in its first partition */
		uint64_t f = h[i].hi >> 62, r = h[i].hi << 2;
		uint32_t part = first[f];
		if (count[f] > 1)
			part += (uint32_t)idmap_fastrange64(r, count[f]);
		part_of[i] = part;
		cnt[part]++;
	}
	assert_int_equal(cnt[4], 0);

	idmap_mphf_part parts[P];
	idmap_h128 *ph = malloc(n * sizeof *ph);
	uint32_t *idx = malloc(n * sizeof *idx);
	uint64_t base[P];
	assert_true(ph && idx);
	uint64_t off = 0;
	for (uint32_t q = 0; q < P; q++) {
		uint32_t k = 0;
		for (uint32_t i = 0; i < n; i++)
			if (part_of[i] == q)
				ph[k++] = h[i];
		assert_int_equal(k, cnt[q]);
		assert_int_equal(idmap_mphf_part_build(&parts[q], ph, k, 1000 + q), 0);
		check_part(&parts[q], ph, k);
		base[q] = off;
		off += k;
	}
	/* Expected slot of each key: slot_base of its partition + its pos there. */
	uint32_t fill[P] = {0};
	for (uint32_t i = 0; i < n; i++)
		idx[i] = fill[part_of[i]]++;

	struct tdir d;
	tdir_build(&d, 2, first, count, parts, P, 5);
	uint8_t *used = calloc(n, 1);
	assert_non_null(used);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t s = idmap_mphf_lookup(&d.v, h[i]);
		assert_true(s < n);
		assert_int_equal(s, base[part_of[i]] + parts[part_of[i]].pos[idx[i]]);
		assert_int_equal(used[s], 0);
		used[s] = 1;
	}
	for (int i = 0; i < 20000; i++) {
		idmap_h128 u = {rnd(), rnd()};
		uint64_t s = idmap_mphf_lookup(&d.v, u);
		assert_true(s == IDMAP_SLOT_NONE || s < n);
		if (u.hi >> 62 == 3 || (u.hi >> 62 == 1 && (u.hi >> 61 & 1)))
			assert_true(s == IDMAP_SLOT_NONE); /* empty file, empty partition */
	}
	/* Some pilots were above 254, so the lookups above went through the exceptions. */
	assert_true(d.nexc > 0);
	assert_int_equal(d.v.n_exceptions, d.nexc);
	check_damaged_exceptions(&d, h, n);
	free(used);
	tdir_free(&d);
	for (uint32_t q = 0; q < P; q++)
		idmap_mphf_part_free(&parts[q]);
	free(ph);
	free(idx);
	free(part_of);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_and_one),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_1000),
		cmocka_unit_test(test_simd_equals_scalar),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_string_keys),
		cmocka_unit_test(test_partitioned),
		cmocka_unit_test(test_million),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
