/* mphf_rate: build rate of one MPHF partition (builder/mphf_build.c), one thread.
 *
 *   idmap-mphf-rate [KEYS [REPEATS]]        default 174000 keys (a partition of the 1e8 build),
 *                                           20 repeats
 *   ... --scalar                            the portable pilot search instead of AVX-512
 *
 * Each repeat builds a partition over new pseudo-random 128-bit hashes (a fixed sequence, so
 * runs are comparable) and checks that the positions are a permutation. Prints one line:
 *   keys=N repeats=R ns_per_key=T exceptions_per_bucket=E digest=D
 * where E is the share of buckets whose pilot is an exception (255 or more: FORMAT.md) and D
 * digests every pilot and position: equal digests mean equal partitions, which is how a
 * faster pilot search is shown to give the same index bytes. Part of bench/; it asserts
 * nothing about time. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mphf.h"
#include "mphf_build.h"

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	uint32_t n = 174000, repeats = 20;
	int numbers = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--scalar") == 0) {
			idmap_mphf_build_use_simd(0);
		} else if (numbers < 2 && argv[i][0] >= '0' && argv[i][0] <= '9') {
			unsigned long v = strtoul(argv[i], NULL, 10);
			if (numbers++ == 0)
				n = (uint32_t)v;
			else
				repeats = (uint32_t)v;
		} else {
			fprintf(stderr, "usage: idmap-mphf-rate [KEYS [REPEATS]] [--scalar]\n");
			return 2;
		}
	}
	if (n == 0 || repeats == 0) {
		fprintf(stderr, "idmap-mphf-rate: KEYS and REPEATS must be positive\n");
		return 2;
	}
	idmap_h128 *h = malloc((size_t)n * sizeof(*h));
	uint8_t *seen = malloc(n);
	if (!h || !seen) {
		fprintf(stderr, "idmap-mphf-rate: out of memory\n");
		return 1;
	}
	uint64_t state = 42, digest = 0, escaped = 0;
	double total = 0;
	for (uint32_t r = 0; r < repeats; r++) {
		for (uint32_t i = 0; i < n; i++) {
			h[i].hi = splitmix(&state);
			h[i].lo = splitmix(&state);
		}
		idmap_mphf_part p;
		double t0 = now();
		if (idmap_mphf_part_build(&p, h, n, r) != 0) {
			fprintf(stderr, "idmap-mphf-rate: the build failed\n");
			return 1;
		}
		total += now() - t0;
		memset(seen, 0, n);
		for (uint32_t i = 0; i < n; i++) {
			if (p.pos[i] >= n || seen[p.pos[i]]++) {
				fprintf(stderr, "idmap-mphf-rate: not a permutation\n");
				return 1;
			}
			digest = digest * 31 + p.pos[i];
		}
		for (uint32_t b = 0; b < idmap_mphf_buckets(n); b++) {
			digest = digest * 31 + p.pilots[b];
			escaped += p.pilots[b] >= IDMAP_PILOT_ESCAPE;
		}
		digest = digest * 31 + p.seed;
		idmap_mphf_part_free(&p);
	}
	printf("keys=%u repeats=%u ns_per_key=%.1f exceptions_per_bucket=%.4f digest=%016llx\n", n,
	       repeats, total / repeats / n * 1e9,
	       (double)escaped / ((double)repeats * idmap_mphf_buckets(n)),
	       (unsigned long long)digest);
	free(h);
	free(seen);
	return 0;
}
