/* Pilot search for one MPHF partition (PTHash family; FORMAT.md, "MPHF directory").
 * Keys are grouped by bucket (counting sort), buckets are placed largest first, and each bucket
 * gets the smallest pilot that sends all its keys to free positions of a bitmap. The query
 * functions of format/mphf.h define buckets and positions, so builder and reader agree. */
#include "mphf_build.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "mphf.h"

#define MAX_PILOT 0xFFFFu
#define MAX_SEEDS 64u

/* Small buckets are sorted by insertion, big ones (only on degenerate input) by qsort. */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void sort_u64(uint64_t *v, size_t s)
{
	if (s > 32) {
		qsort(v, s, sizeof *v, cmp_u64);
		return;
	}
	for (size_t i = 1; i < s; i++) {
		uint64_t x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Two keys of bucket b share hi, so no pilot can separate them. Tells a true duplicate (-2)
 * from a distinct pair with equal hi (-1: the hash is not good enough), scanning all keys once;
 * this only runs on failure. tmp has room for the bucket's size. */
static int equal_hi_kind(const idmap_h128 *hashes, uint32_t n, uint64_t hi, uint32_t b,
			 uint32_t nb, uint32_t nb1, uint64_t *tmp)
{
	size_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		if (hashes[i].hi == hi && idmap_mphf_bucket(hashes[i].lo, nb, nb1) == b)
			tmp[k++] = hashes[i].lo;
	sort_u64(tmp, k);
	for (size_t i = 1; i < k; i++)
		if (tmp[i] == tmp[i - 1])
			return -2;
	return -1;
}

/* Equal hi inside a bucket makes every pilot and seed fail. Checked only once a seed has
 * failed (it never happens on real keys): returns equal_hi_kind's answer for the first such
 * bucket, or 0 when there is none. Sorts each bucket's hi values (his) in place. */
static int equal_hi(const idmap_h128 *hashes, uint32_t n, uint64_t *his, const uint32_t *start,
		    uint32_t nb, uint32_t nb1, uint64_t *tmp)
{
	for (uint32_t b = 0; b < nb; b++) {
		uint32_t s = start[b + 1] - start[b];
		uint64_t *hs = his + start[b];
		sort_u64(hs, s);
		for (uint32_t k = 1; k < s; k++)
			if (hs[k] == hs[k - 1])
				return equal_hi_kind(hashes, n, hs[k], b, nb, nb1, tmp);
	}
	return 0;
}

#define BATCH 16u
#define PH_TABLE 2048u /* pilot hashes kept per seed: most buckets settle below this */

/* Tries pilot on the bucket whose first key's position q0 is known free: marks all positions
 * and returns 1, or leaves bits unchanged and returns 0. Marking as we go also catches two keys
 * of the bucket on one position. */
static int try_pilot(uint64_t *bits, const uint64_t *hs, uint32_t s, uint64_t m, uint64_t ph,
		     uint64_t q0, uint64_t *tmp)
{
	uint32_t k;
	bits[q0 >> 6] |= 1ull << (q0 & 63);
	tmp[0] = q0;
	for (k = 1; k < s; k++) {
		uint64_t q = idmap_mphf_position(hs[k], ph, m);
		uint64_t bit = 1ull << (q & 63);
		if (bits[q >> 6] & bit)
			break;
		bits[q >> 6] |= bit;
		tmp[k] = q;
	}
	if (k == s)
		return 1;
	while (k-- > 0)
		bits[tmp[k] >> 6] &= ~(1ull << (tmp[k] & 63));
	return 0;
}

/* The first key's positions q0 under BATCH pilot hashes ph, and the mask of those that are
 * free in bits. */
static unsigned first_free_scalar(const uint64_t *bits, uint64_t h0, const uint64_t *ph,
				  uint64_t m, uint64_t *q0)
{
	unsigned freemask = 0;
	for (unsigned j = 0; j < BATCH; j++) {
		q0[j] = idmap_mphf_position(h0, ph[j], m);
		freemask |= (unsigned)(~bits[q0[j] >> 6] >> (q0[j] & 63) & 1) << j;
	}
	return freemask;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX512 1
/* idmap_mphf_position for eight (key hi ^ pilot hash) values x at once, for m <= 2^31: fmix
 * with 64-bit lane multiplies, and high64(x * m) from two 32 x 32-bit products,
 * (hi32(x) * m + (lo32(x) * m >> 32)) >> 32, which is exact and cannot overflow. */
__attribute__((target("avx512f,avx512dq"))) static inline __m512i position8(__m512i x,
									    uint64_t m)
{
	const __m512i c1 = _mm512_set1_epi64((long long)0xFF51AFD7ED558CCDull);
	const __m512i c2 = _mm512_set1_epi64((long long)0xC4CEB9FE1A85EC53ull);
	const __m512i mv = _mm512_set1_epi64((long long)m);
	x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 33));
	x = _mm512_mullo_epi64(x, c1);
	x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 33));
	x = _mm512_mullo_epi64(x, c2);
	x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 33));
	__m512i lo = _mm512_mul_epu32(x, mv);
	__m512i hi = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), mv);
	return _mm512_srli_epi64(_mm512_add_epi64(hi, _mm512_srli_epi64(lo, 32)), 32);
}

/* first_free_scalar with AVX-512, eight pilots per vector, and the second key of the bucket
 * checked too: once the table fills up it rejects most of the pilots the first key lets
 * through, before try_pilot_avx512 computes all positions (73 against 84 ns a key in a
 * micro-benchmark of 174k keys). The scalar code gets slower with it. */
#define PREFILTER_KEYS 2u
__attribute__((target("avx512f,avx512dq"))) static unsigned
first_free_avx512(const uint64_t *bits, const uint64_t *hs, uint32_t s, const uint64_t *ph,
		  uint64_t m, uint64_t *q0)
{
	const __m512i one = _mm512_set1_epi64(1), low6 = _mm512_set1_epi64(63);
	uint32_t kk = s < PREFILTER_KEYS ? s : PREFILTER_KEYS;
	unsigned freemask = 0;
	for (unsigned half = 0; half < BATCH / 8; half++) {
		__m512i phv = _mm512_loadu_si512((const void *)(ph + 8 * half));
		__mmask8 ok = 0xff;
		for (uint32_t k = 0; k < kk; k++) {
			__m512i q = position8(
				_mm512_xor_si512(_mm512_set1_epi64((long long)hs[k]), phv), m);
			if (k == 0)
				_mm512_storeu_si512((void *)(q0 + 8 * half), q);
			__m512i w = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), ok,
								_mm512_srli_epi64(q, 6),
								(const void *)bits, 8);
			__m512i bit =
				_mm512_and_si512(_mm512_srlv_epi64(w, _mm512_and_si512(q, low6)), one);
			ok &= _mm512_testn_epi64_mask(bit, bit);
		}
		freemask |= (unsigned)ok << (8 * half);
	}
	return freemask;
}

/* Positions of up to 8 keys (hs[0..7], lanes outside act unused) under pilot hash ph. */
__attribute__((target("avx512f,avx512dq"))) static inline __m512i
positions8(const uint64_t *hs, __mmask8 act, uint64_t ph, uint64_t m)
{
	return position8(_mm512_xor_si512(_mm512_maskz_loadu_epi64(act, hs),
					  _mm512_set1_epi64((long long)ph)),
			 m);
}

/* Whether any of the act lanes' positions q is taken in bits. */
__attribute__((target("avx512f"))) static inline int any_taken8(const uint64_t *bits, __m512i q,
								__mmask8 act)
{
	__m512i w = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), act,
						_mm512_srli_epi64(q, 6), (const void *)bits, 8);
	__m512i bit = _mm512_srlv_epi64(w, _mm512_and_si512(q, _mm512_set1_epi64(63)));
	return _mm512_mask_test_epi64_mask(act, bit, _mm512_set1_epi64(1)) != 0;
}

/* try_pilot for a bucket of 2 to 16 keys in two vectors: all positions at once, rejected when
 * one is taken, else marked one by one, which also finds two keys of the bucket on one
 * position (then the marks are undone). Same answer as try_pilot, without its chain of
 * dependent, unpredictable steps for the pilots that fail. Most candidates fail on a taken
 * position, so that test comes first and the rare survivors pay for the pairwise one. */
__attribute__((target("avx512f,avx512dq"))) static int
try_pilot_avx512(uint64_t *bits, const uint64_t *hs, uint32_t s, uint64_t m, uint64_t ph)
{
	const __mmask16 act = (__mmask16)((1u << s) - 1);
	const __mmask8 a0 = (__mmask8)act, a1 = (__mmask8)(act >> 8);
	__m512i q0 = positions8(hs, a0, ph, m);
	__m512i q1 = a1 ? positions8(hs + 8, a1, ph, m) : _mm512_setzero_si512();
	if (any_taken8(bits, q0, a0) || (a1 && any_taken8(bits, q1, a1)))
		return 0;
	uint64_t qs[16];
	_mm512_storeu_si512((void *)qs, q0);
	_mm512_storeu_si512((void *)(qs + 8), q1);
	uint32_t k;
	for (k = 0; k < s; k++) {
		uint64_t bit = 1ull << (qs[k] & 63);
		if (bits[qs[k] >> 6] & bit)
			break;
		bits[qs[k] >> 6] |= bit;
	}
	if (k == s)
		return 1;
	while (k-- > 0)
		bits[qs[k] >> 6] &= ~(1ull << (qs[k] & 63));
	return 0;
}
#endif

static int simd_mode = -1; /* -1: not chosen yet, 0: scalar, 1: AVX-512 */

void idmap_mphf_build_use_simd(int on)
{
	__atomic_store_n(&simd_mode, on ? -1 : 0, __ATOMIC_RELAXED);
}

static int simd_available(void)
{
#ifdef HAVE_AVX512
	int mode = __atomic_load_n(&simd_mode, __ATOMIC_RELAXED);
	if (mode < 0) {
		__builtin_cpu_init();
		mode = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
		       __builtin_cpu_supports("avx512cd");
		__atomic_store_n(&simd_mode, mode, __ATOMIC_RELAXED);
	}
	return mode;
#else
	return 0;
#endif
}

/* Finds the smallest pilot placing the s keys (hi values hs) on free, mutually distinct
 * positions, marks them in bits and returns the pilot; -1 when no 16-bit pilot works.
 * The first key's position is computed for BATCH pilots at once: the bitmap loads are then
 * independent and overlap instead of waiting for each other behind a mispredicted branch. */
static int32_t place_bucket(uint64_t *bits, const uint64_t *hs, uint32_t s, uint64_t m,
			    uint32_t seed, const uint64_t *phtab, uint64_t *tmp, int simd)
{
	for (uint32_t base = 0; base <= MAX_PILOT; base += BATCH) {
		uint64_t phbuf[BATCH], q0[BATCH];
		const uint64_t *ph = phtab + base;
		if (base >= PH_TABLE) {
			for (unsigned j = 0; j < BATCH; j++)
				phbuf[j] = idmap_mphf_pilot_hash((uint16_t)(base + j), seed);
			ph = phbuf;
		}
		unsigned freemask;
#ifdef HAVE_AVX512
		if (simd)
			freemask = first_free_avx512(bits, hs, s, ph, m, q0);
		else
#endif
			freemask = first_free_scalar(bits, hs[0], ph, m, q0);
		while (freemask) {
			unsigned j = (unsigned)__builtin_ctz(freemask);
			freemask &= freemask - 1;
#ifdef HAVE_AVX512
			if (simd && s >= 2 && s <= 16) {
				if (try_pilot_avx512(bits, hs, s, m, ph[j]))
					return (int32_t)(base + j);
				continue;
			}
#endif
			if (try_pilot(bits, hs, s, m, ph[j], q0[j], tmp))
				return (int32_t)(base + j);
		}
	}
	return -1;
}

void idmap_mphf_part_free(idmap_mphf_part *p)
{
	free(p->pilots);
	free(p->remap);
	free(p->pos);
	memset(p, 0, sizeof *p);
}

int idmap_mphf_part_build(idmap_mphf_part *p, const idmap_h128 *hashes, uint32_t n,
			  uint32_t first_seed)
{
	uint64_t m = idmap_mphf_positions(n);
	uint32_t nb = idmap_mphf_buckets(n), nb1 = idmap_mphf_dense_buckets(nb);
	size_t nwords = (size_t)((m + 63) / 64);
	int ret = -1;

	memset(p, 0, sizeof *p);
	p->n = n;
	/* At least one element each, so callers never see NULL on success. */
	p->pilots = calloc(nb ? nb : 1, sizeof *p->pilots);
	p->remap = calloc(m > n ? (size_t)(m - n) : 1, sizeof *p->remap);
	p->pos = malloc((n ? n : 1) * sizeof *p->pos);
	uint32_t *start = calloc((size_t)nb + 1, sizeof *start);
	uint64_t *his = malloc((n ? n : 1) * sizeof *his);
	uint32_t *order = malloc((nb ? nb : 1) * sizeof *order);
	uint64_t *bits = malloc((nwords ? nwords : 1) * sizeof *bits);
	uint32_t *scount = NULL;
	uint64_t *tmp = NULL;
	if (!p->pilots || !p->remap || !p->pos || !start || !his || !order || !bits)
		goto out;

	/* Counting sort of the keys' hi by bucket; pos[] holds the bucket ids meanwhile. Filling
	 * backwards from each bucket's end leaves start[b] at the bucket's first key. */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t b = idmap_mphf_bucket(hashes[i].lo, nb, nb1);
		p->pos[i] = b;
		start[b]++;
	}
	uint32_t sum = 0, maxs = 0;
	for (uint32_t b = 0; b < nb; b++) {
		if (start[b] > maxs)
			maxs = start[b];
		sum += start[b];
		start[b] = sum;
	}
	start[nb] = n;
	for (uint32_t i = n; i-- > 0;)
		his[--start[p->pos[i]]] = hashes[i].hi;

	scount = calloc((size_t)maxs + 2, sizeof *scount);
	tmp = malloc(((size_t)maxs + 1) * sizeof *tmp);
	if (!scount || !tmp)
		goto out;

	for (uint32_t b = 0; b < nb; b++)
		scount[start[b + 1] - start[b]]++;

	/* Non-empty buckets by decreasing size, ties in bucket order (deterministic). */
	uint32_t ne = 0;
	for (uint32_t s = maxs; s >= 1; s--) {
		uint32_t c = scount[s];
		scount[s] = ne;
		ne += c;
	}
	for (uint32_t b = 0; b < nb; b++) {
		uint32_t s = start[b + 1] - start[b];
		if (s)
			order[scount[s]++] = b;
	}

	static_assert(PH_TABLE % BATCH == 0, "batches fall in or out of the table");
	uint64_t phtab[PH_TABLE];
	uint32_t seed = first_seed;
	int placed = 0;
	int simd = m <= (1ull << 31) && simd_available(); /* positions then fit 31 bits */
	for (uint32_t attempt = 0; attempt < MAX_SEEDS && !placed; attempt++, seed++) {
		memset(bits, 0, nwords * sizeof *bits);
		memset(p->pilots, 0, (nb ? nb : 1) * sizeof *p->pilots);
		for (uint32_t j = 0; j < PH_TABLE; j++)
			phtab[j] = idmap_mphf_pilot_hash((uint16_t)j, seed);
		placed = 1;
		for (uint32_t j = 0; j < ne; j++) {
			uint32_t b = order[j];
			int32_t pilot = place_bucket(bits, his + start[b], start[b + 1] - start[b],
						     m, seed, phtab, tmp, simd);
			if (pilot < 0) {
				placed = 0;
				break;
			}
			p->pilots[b] = (uint16_t)pilot;
		}
		if (placed)
			p->seed = seed;
		else if (attempt == 0) {
			int eq = equal_hi(hashes, n, his, start, nb, nb1, tmp);
			if (eq < 0) {
				ret = eq;
				goto out;
			}
		}
	}
	if (!placed)
		goto out;

	/* Taken positions >= n get the free positions < n, both in increasing order. */
	uint64_t free_pos = 0;
	for (uint64_t q = n; q < m; q++) {
		if (!(bits[q >> 6] >> (q & 63) & 1))
			continue;
		while (bits[free_pos >> 6] >> (free_pos & 63) & 1)
			free_pos++;
		p->remap[q - n] = (uint32_t)free_pos++;
	}

	/* Final positions, computed exactly as a reader will. */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t b = idmap_mphf_bucket(hashes[i].lo, nb, nb1);
		uint16_t pilot = p->pilots[b];
		uint64_t ph = pilot < PH_TABLE ? phtab[pilot] : idmap_mphf_pilot_hash(pilot, p->seed);
		uint64_t q = idmap_mphf_position(hashes[i].hi, ph, m);
		p->pos[i] = q < n ? (uint32_t)q : p->remap[q - n];
	}
	ret = 0;
out:
	free(start);
	free(his);
	free(order);
	free(bits);
	free(scount);
	free(tmp);
	if (ret)
		idmap_mphf_part_free(p);
	return ret;
}
