/* Forward phase: the (accession slot, key slot, type) pairs of each forward partition (a
 * range of accession slots) are sorted and written as forward records in slot order; reader
 * threads (b->fwd_readers) read and sort the next partitions while the current one is
 * written. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_internal.h"
#include "fwd_runs.h"
#include "idmap_format.h"
#include "idmap_vec.h"
#include "sort.h"


/* One forward partition's pairs, sorted by (accession, type, key). When the three fields fit
 * in 64 bits (plan_forward narrows the partitions so that they do, up to its limit on their
 * number) the keys phase writes each pair as one packed u64, (accession - lo) << (tbits +
 * kbits) | type << kbits | key, and one radix sort over the file's 8-byte items orders them;
 * otherwise it writes 12-byte records, read into wide pairs sorted twice, by key and then by
 * (accession, type). The environment variable IDMAP_BUILD_WIDE_SORT=1 forces the wide form,
 * so that tests can check both give the same index. */
typedef struct {
	uint64_t *packed;
	pair *wide;
	size_t n;
	uint64_t lo;
	unsigned kbits, tbits; /* at most 32 and 16: the shifts below stay under 64 */
	int sorted_file;       /* too large: sorted on disk, written by fwd_runs_write */
} fwd_pairs;

/* The pair at i as (accession << 32 | type, key). */
static inline void pair_at(const fwd_pairs *f, size_t i, uint64_t *acc_type, uint64_t *key)
{
	if (f->packed) {
		uint64_t c = f->packed[i];
		*key = c & ((1ull << f->kbits) - 1);
		uint64_t type = (c >> f->kbits) & ((1ull << f->tbits) - 1);
		*acc_type = (f->lo + (c >> (f->kbits + f->tbits))) << 32 | type;
	} else {
		*acc_type = f->wide[i].acc_type;
		*key = f->wide[i].key;
	}
}

static void fwd_pairs_free(fwd_pairs *f)
{
	free(f->packed);
	free(f->wide);
	memset(f, 0, sizeof(*f));
}

static int put(build *b, const void *p, size_t n)
{
	if (idmap_spill_write(&b->fwd_pool, p, n) < 0)
		return build_fail_errno(b, "writing forward records");
	b->fwd_pool_bytes += n;
	return 0;
}

/* Writes the records of accession slots [lo, hi) from sorted pairs, each followed by its
 * FWD_INDEX entry. A record is encoded whole in a scratch buffer and written at once. */
static int write_range(build *b, const fwd_pairs *f, uint64_t lo, uint64_t hi)
{
	uint8_t *rec = NULL;
	size_t cap = 0, n = f->n, i = 0;
	int rc = -1;
	uint64_t at, key;
	for (uint64_t acc = lo; acc < hi; acc++) {
		size_t j = i;
		uint64_t groups = 0, prev = 0;
		for (; j < n; j++) {
			pair_at(f, j, &at, &key);
			if (at >> 32 != acc)
				break;
			if (j == i || at != prev)
				groups++;
			prev = at;
		}
		/* Varints: the group count, type and count per group, at most 5 bytes per key
		 * slot (a u32). */
		size_t need = IDMAP_MAX_VARINT * (1 + 2 * groups) + 5 * (j - i);
		if (idmap_vec_reserve(&rec, &cap, need, 1) < 0) {
			build_fail(b, "out of memory");
			goto out;
		}
		uint8_t *o = rec;
		o += idmap_varint_put(o, groups);
		for (size_t g = i; g < j;) {
			uint64_t gat, prev_key;
			pair_at(f, g, &gat, &prev_key);
			size_t e = g + 1;
			for (; e < j; e++) {
				pair_at(f, e, &at, &key);
				if (at != gat)
					break;
			}
			o += idmap_varint_put(o, idmap_fwd_group_head((uint32_t)gat, e - g));
			if (e - g > 1)
				o += idmap_varint_put(o, e - g);
			o += idmap_varint_put(o, prev_key);
			for (size_t k = g + 1; k < e; k++) {
				pair_at(f, k, &at, &key);
				o += idmap_varint_put(o, key - prev_key);
				prev_key = key;
			}
			g = e;
		}
		if (put(b, rec, (size_t)(o - rec)) < 0 ||
		    build_ot_add(b, &b->fwd_ot, b->fwd_pool_bytes, "forward") < 0)
			goto out;
		i = j;
	}
	rc = 0;
out:
	free(rec);
	return rc;
}

/* One forward partition, read and sorted. */
typedef struct {
	fwd_pairs f;
	int state; /* 0 free, 1 ready, -1 failed (err) */
	char err[512];
} fwd_slot;

/* Reader k reads and sorts partitions k, k + nreaders, ... while the main thread writes them
 * in order; partition g goes through slot g mod nslots, nslots = nreaders + 1, once the main
 * thread is done with partition g - nslots there. */
#define MAX_FWD_SLOTS (IDMAP_MAX_FWD_READERS + 1)
typedef struct {
	const build *b; /* read only while the readers run; each reports into its slot's err */
	uint32_t count;
	uint32_t nreaders, nslots;
	fwd_slot slot[MAX_FWD_SLOTS];
	uint32_t turn[MAX_FWD_SLOTS]; /* the partition a slot serves next */
	int stop;
	double t_read; /* the reading threads' time reading and sorting, summed */
	pthread_mutex_t lock;
	pthread_cond_t cond;
} fwd_reader;

typedef struct {
	fwd_reader *R;
	uint32_t index;
} fwd_reader_arg;

int fwd_sort_items(const build *b, build_err *err, const char *path, uint8_t *buf, size_t n,
		   uint64_t lo, uint64_t hi, uint8_t **sorted)
{
	size_t item = fwd_item_size(b);
	/* packed: the file is the items already; wide: 12-byte records become pairs */
	uint8_t *items = b->fwd_packed ? buf : malloc((n ? n : 1) * item);
	uint8_t *tmp = malloc((n ? n : 1) * item);
	if (!items || !tmp) {
		free(b->fwd_packed ? NULL : items);
		free(tmp);
		return build_err_set(err, "out of memory in the forward phase");
	}
	int bad = 0;
	if (b->fwd_packed) {
		const uint64_t *v = (const uint64_t *)(const void *)items;
		uint64_t kmask = (1ull << b->fwd_kbits) - 1, tmask = (1ull << b->fwd_tbits) - 1;
		for (size_t i = 0; i < n && !bad; i++)
			bad = (v[i] >> (b->fwd_tbits + b->fwd_kbits)) >= hi - lo ||
			      (v[i] & kmask) >= b->key_ks.nkeys ||
			      ((v[i] >> b->fwd_kbits) & tmask) >= b->types.n;
	} else {
		for (size_t i = 0; i < n && !bad; i++) {
			uint32_t rec[3]; /* accession slot, key slot, type */
			memcpy(rec, buf + 12 * i, 12);
			bad = rec[0] < lo || rec[0] >= hi || rec[1] >= b->key_ks.nkeys ||
			      rec[2] >= b->types.n;
			pair *p = (pair *)(void *)items + i;
			p->acc_type = (uint64_t)rec[0] << 32 | rec[2];
			p->key = rec[1];
		}
	}
	if (bad) {
		free(b->fwd_packed ? NULL : items);
		free(tmp);
		return build_err_set(err, "%s: internal error: pair out of range", path);
	}
	if (b->fwd_packed) {
		idmap_radix_sort(items, tmp, n, 8, 0);
	} else {
		/* LSD: by key, then stably by (accession, type). */
		idmap_radix_sort(items, tmp, n, sizeof(pair), offsetof(pair, key));
		idmap_radix_sort(items, tmp, n, sizeof(pair), offsetof(pair, acc_type));
	}
	free(tmp);
	*sorted = items;
	return 0;
}

/* Reads forward partition g (accession slots [lo, hi)) into sorted pairs; one too large for
 * its share of the budget into a sorted file instead (fwd_runs.c). */
static int read_part(const build *b, build_err *err, uint32_t g, uint64_t lo, uint64_t hi,
		     fwd_pairs *out)
{
	char path[4096];
	build_path(b, path, sizeof(path), "fwd-part", g);
	memset(out, 0, sizeof(*out));
	out->lo = lo;
	out->kbits = b->fwd_kbits;
	out->tbits = b->fwd_tbits;
	/* IDMAP_BUILD_FWD_RUNS=1 sends every partition through the disk, so that tests can
	 * check both ways give the same index. */
	const char *env = getenv("IDMAP_BUILD_FWD_RUNS");
	uint64_t n = b->fwd_parts[g].records;
	if (n > fwd_part_limit(b) || (n && env && *env == '1')) {
		out->sorted_file = 1;
		return fwd_runs_sort(b, err, g, path, lo, hi);
	}
	uint8_t *buf = NULL, *items;
	size_t len = 0;
	if (idmap_read_file(path, &buf, &len) < 0)
		return build_err_errno(err, "%s", path);
	unlink(path);
	n = len / (b->fwd_packed ? 8 : 12);
	int rc = fwd_sort_items(b, err, path, buf, (size_t)n, lo, hi, &items);
	if (!b->fwd_packed || rc < 0)
		free(buf);
	if (rc < 0)
		return -1;
	out->n = (size_t)n;
	if (b->fwd_packed)
		out->packed = (uint64_t *)(void *)items;
	else
		out->wide = (pair *)(void *)items;
	return 0;
}

static void *reader_main(void *arg)
{
	fwd_reader_arg *a = arg;
	fwd_reader *R = a->R;
	for (uint32_t g = a->index; g < R->count; g += R->nreaders) {
		uint32_t k = g % R->nslots;
		fwd_slot *s = &R->slot[k];
		pthread_mutex_lock(&R->lock);
		while ((s->state != 0 || R->turn[k] != g) && !R->stop)
			pthread_cond_wait(&R->cond, &R->lock);
		int stop = R->stop;
		pthread_mutex_unlock(&R->lock);
		if (stop)
			return NULL;
		const build *b = R->b;
		build_err err = {s->err, sizeof(s->err)};
		uint64_t lo = (uint64_t)g * b->fwd_range, nacc = b->acc_ks.nkeys;
		uint64_t hi = lo + b->fwd_range < nacc ? lo + b->fwd_range : nacc;
		double t0 = build_now();
		int rc = read_part(b, &err, g, lo, hi, &s->f);
		pthread_mutex_lock(&R->lock);
		R->t_read += build_now() - t0;
		s->state = rc < 0 ? -1 : 1;
		pthread_cond_broadcast(&R->cond);
		pthread_mutex_unlock(&R->lock);
		if (rc < 0)
			return NULL;
	}
	return NULL;
}

int build_forward(build *b)
{
	char path[4096];
	build_path(b, path, sizeof(path), "fwd-index", 0);
	if (idmap_spill_open(&b->fwd_index, path, build_write_buf(b, 1 << 20), b->bg) < 0)
		return build_fail_errno(b, "%s", path);
	idmap_ot_writer_init(&b->fwd_ot, &b->fwd_index);
	if (build_place_open(b, &b->fwd_pool) < 0)
		return -1;
	uint64_t nacc = b->acc_ks.nkeys;
	/* Partitions past the last accession are empty: they are never read. */
	uint32_t count = b->nfwd;
	while (count > 0 && (uint64_t)(count - 1) * b->fwd_range >= nacc)
		count--;
	fwd_reader *R = calloc(1, sizeof(*R));
	if (!R)
		return build_fail(b, "out of memory");
	R->b = b;
	R->count = count;
	R->nreaders = b->fwd_readers;
	R->nslots = R->nreaders + 1;
	for (uint32_t k = 0; k < R->nslots; k++)
		R->turn[k] = k;
	pthread_mutex_init(&R->lock, NULL);
	pthread_cond_init(&R->cond, NULL);
	pthread_t tid[IDMAP_MAX_FWD_READERS];
	fwd_reader_arg args[IDMAP_MAX_FWD_READERS];
	uint32_t started = 0;
	int rc = -1;
	double t_write = 0;
	for (; started < R->nreaders; started++) {
		args[started] = (fwd_reader_arg){R, started};
		if (pthread_create(&tid[started], NULL, reader_main, &args[started]) != 0) {
			build_fail(b, "cannot start a thread");
			goto out;
		}
	}
	for (uint32_t g = 0; g < count; g++) {
		uint64_t lo = (uint64_t)g * b->fwd_range;
		uint64_t hi = lo + b->fwd_range < nacc ? lo + b->fwd_range : nacc;
		if (build_cancelled(b) < 0)
			goto out;
		build_progress(b, "forward", g, count, g == 0);
		uint32_t k = g % R->nslots;
		fwd_slot *s = &R->slot[k];
		pthread_mutex_lock(&R->lock);
		while (s->state == 0)
			pthread_cond_wait(&R->cond, &R->lock);
		int state = s->state;
		pthread_mutex_unlock(&R->lock);
		if (state < 0) {
			build_fail(b, "%s", s->err);
			goto out;
		}
		double t0 = build_now();
		int wrc = s->f.sorted_file ? fwd_runs_write(b, g, lo, hi) : write_range(b, &s->f, lo, hi);
		t_write += build_now() - t0;
		fwd_pairs_free(&s->f);
		if (wrc < 0)
			goto out;
		pthread_mutex_lock(&R->lock);
		s->state = 0;
		R->turn[k] = g + R->nslots;
		pthread_cond_broadcast(&R->cond);
		pthread_mutex_unlock(&R->lock);
	}
	if (idmap_spill_flush(&b->fwd_index) < 0)
		build_fail_errno(b, "writing forward records");
	else if (build_place_close(b, &b->fwd_pool, IDMAP_SECTION_FWD_POOL) == 0)
		rc = 0;
	if (rc == 0) {
		pthread_mutex_lock(&R->lock);
		double t_read = R->t_read;
		pthread_mutex_unlock(&R->lock);
		build_log(b, "forward: %llu records in %u partitions (%u reading threads %.1fs, "
			     "writing thread %.1fs)",
			  (unsigned long long)b->acc_ks.nkeys, count, R->nreaders, t_read, t_write);
	}
out:
	pthread_mutex_lock(&R->lock);
	R->stop = 1;
	pthread_cond_broadcast(&R->cond);
	pthread_mutex_unlock(&R->lock);
	for (uint32_t k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	for (uint32_t k = 0; k < R->nslots; k++)
		fwd_pairs_free(&R->slot[k].f);
	pthread_mutex_destroy(&R->lock);
	pthread_cond_destroy(&R->cond);
	free(R);
	return rc;
}
