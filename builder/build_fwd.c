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
#include "par.h"
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

/* The encoded forward records of a range of accession slots, and where each ends. */
typedef struct {
	idmap_str rec;
	size_t *ends;
	size_t ends_cap;
	size_t n;
} fwd_chunk;

/* Appends the records of accession slots [a0, a1), whose pairs start at i, to o: each a
 * group count, then per group its type, count and key slots of kw bytes. Returns 0 or -1
 * (out of memory). */
static int encode_range(const fwd_pairs *f, unsigned kw, uint64_t a0, uint64_t a1, size_t i,
			fwd_chunk *o)
{
	size_t n = f->n;
	uint64_t at, key;
	o->rec.len = o->n = 0;
	if (idmap_vec_reserve(&o->ends, &o->ends_cap, (size_t)(a1 - a0) + 1, sizeof(*o->ends)) < 0)
		return -1;
	for (uint64_t acc = a0; acc < a1; acc++) {
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
		/* Varints: the group count, type and count per group; kw bytes per key slot. */
		size_t need = IDMAP_MAX_VARINT * (1 + 2 * groups) + kw * (j - i);
		if (idmap_vec_reserve(&o->rec.p, &o->rec.cap, o->rec.len + need, 1) < 0)
			return -1;
		uint8_t *out = (uint8_t *)o->rec.p + o->rec.len;
		out += idmap_varint_put(out, groups);
		for (size_t g = i; g < j;) {
			uint64_t gat;
			pair_at(f, g, &gat, &key);
			size_t e = g + 1;
			for (; e < j; e++) {
				pair_at(f, e, &at, &key);
				if (at != gat)
					break;
			}
			out += idmap_varint_put(out, idmap_fwd_group_head((uint32_t)gat, e - g));
			if (e - g > 1)
				out += idmap_varint_put(out, e - g);
			for (size_t k = g; k < e; k++) {
				pair_at(f, k, &at, &key);
				out += idmap_slot_put(out, key, kw);
			}
			g = e;
		}
		o->rec.len = (size_t)(out - (uint8_t *)o->rec.p);
		o->ends[o->n++] = o->rec.len;
		i = j;
	}
	return 0;
}

/* The first pair at or after accession slot acc (the pairs are sorted by it). */
static size_t first_pair(const fwd_pairs *f, uint64_t acc)
{
	size_t lo = 0, hi = f->n;
	uint64_t at, key;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		pair_at(f, mid, &at, &key);
		if (at >> 32 < acc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Chunks of a partition a window encodes at once: each thread's share in eight, so that a
 * window holds an eighth of the partition's records, whatever the thread count; but at least
 * FWD_MIN_CHUNK accessions each, many times the cost of starting a thread (par_for starts
 * its threads per window), whatever the thread count too. */
#define FWD_CHUNKS_PER_THREAD 8u
#define FWD_MIN_CHUNK 4096u

typedef struct {
	const fwd_pairs *f;
	unsigned kw; /* key slot width */
	uint64_t first, step, hi; /* chunk c: slots [first + c * step, + step) below hi */
	fwd_chunk *out;
} fwd_job;

static int encode_chunk(void *ctx, size_t c, uint32_t t)
{
	(void)t;
	fwd_job *j = ctx;
	uint64_t a0 = j->first + c * j->step;
	uint64_t a1 = a0 + j->step < j->hi ? a0 + j->step : j->hi;
	return encode_range(j->f, j->kw, a0, a1, first_pair(j->f, a0), &j->out[c]);
}

/* Writes the records of accession slots [lo, hi) from sorted pairs, each followed by its
 * FWD_INDEX entry: encoded in chunks of slots on nt threads (par.h), a window of them at a
 * time, written in slot order. */
static int write_range(build *b, const fwd_pairs *f, uint64_t lo, uint64_t hi, uint32_t nt)
{
	size_t per = (size_t)nt * FWD_CHUNKS_PER_THREAD;
	uint64_t step = (hi - lo + per - 1) / per;
	if (step < FWD_MIN_CHUNK)
		step = FWD_MIN_CHUNK;
	fwd_chunk *out = calloc(nt, sizeof(*out));
	int rc = -1;
	if (!out) {
		build_fail(b, "out of memory");
		goto out;
	}
	for (uint64_t w = lo; w < hi; w += step * nt) {
		uint64_t left = (hi - w + step - 1) / step;
		size_t n = left < nt ? (size_t)left : nt;
		fwd_job j = {f, idmap_slot_width(b->key_ks.nkeys), w, step, hi, out};
		if (par_for(nt, n, encode_chunk, &j, NULL) < 0) {
			build_fail(b, "out of memory");
			goto out;
		}
		for (size_t c = 0; c < n; c++) {
			uint64_t at = b->fwd_pool_bytes;
			if (idmap_spill_write(&b->fwd_pool, out[c].rec.p, out[c].rec.len) < 0) {
				build_fail_errno(b, "writing forward records");
				goto out;
			}
			b->fwd_pool_bytes += out[c].rec.len;
			for (size_t r = 0; r < out[c].n; r++)
				if (build_ot_add(b, &b->fwd_ot, at + out[c].ends[r], "forward") < 0)
					goto out;
		}
	}
	rc = 0;
out:
	for (uint32_t t = 0; out && t < nt; t++) {
		free(out[t].rec.p);
		free(out[t].ends);
	}
	free(out);
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
	double t_read; /* the reading threads' CPU time reading and sorting, summed */
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
		double t0 = build_thread_cpu();
		int rc = read_part(b, &err, g, lo, hi, &s->f);
		pthread_mutex_lock(&R->lock);
		R->t_read += build_thread_cpu() - t0;
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
	if (build_ot_start(b, &b->fwd_ot, IDMAP_OT_ENDS16, &b->fwd_index, &b->fwd_wide, "fwd-wide") < 0)
		return -1;
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
		double t0 = build_thread_cpu();
		/* The last partition has the readers' threads too: they have nothing left. */
		uint32_t nt = g + 1 == count ? b->threads : b->fwd_write_threads;
		int wrc = s->f.sorted_file ? fwd_runs_write(b, g, lo, hi)
					   : write_range(b, &s->f, lo, hi, nt);
		t_write += build_thread_cpu() - t0;
		fwd_pairs_free(&s->f);
		if (wrc < 0)
			goto out;
		pthread_mutex_lock(&R->lock);
		s->state = 0;
		R->turn[k] = g + R->nslots;
		pthread_cond_broadcast(&R->cond);
		pthread_mutex_unlock(&R->lock);
	}
	if (build_ot_finish(b, &b->fwd_ot, "forward") < 0)
		goto out;
	if (idmap_spill_flush(&b->fwd_index) < 0)
		build_fail_errno(b, "writing forward records");
	else if (build_place_close(b, &b->fwd_pool, IDMAP_SECTION_FWD_POOL) == 0)
		rc = 0;
	if (rc == 0) {
		pthread_mutex_lock(&R->lock);
		double t_read = R->t_read;
		pthread_mutex_unlock(&R->lock);
		build_log(b, "forward: %llu records in %u partitions (CPU of the %u reading "
			     "threads %.1fs, of the writing thread %.1fs)",
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
