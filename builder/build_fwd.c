/* Forward phase: the (accession slot, key slot, type) pairs of each forward partition (a
 * range of accession slots) are sorted and written as forward records in slot order; a
 * reader thread sorts the next partition while the current one is written. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_internal.h"
#include "idmap_format.h"
#include "sort.h"

typedef struct {
	uint64_t acc_type; /* accession slot << 32 | type */
	uint64_t key;
} pair;

static int put(build *b, const void *p, size_t n)
{
	if (idmap_spill_write(&b->fwd_pool, p, n) < 0)
		return build_fail_errno(b, "writing forward records");
	b->fwd_pool_bytes += n;
	return 0;
}

/* Writes the records of accession slots [lo, hi) from sorted pairs, each followed by its
 * FWD_INDEX entry. A record is encoded whole in a scratch buffer and written at once. */
static int write_range(build *b, const pair *p, size_t n, uint64_t lo, uint64_t hi)
{
	uint8_t *rec = NULL;
	size_t cap = 0;
	int rc = -1;
	size_t i = 0;
	for (uint64_t acc = lo; acc < hi; acc++) {
		size_t j = i;
		uint64_t groups = 0;
		while (j < n && p[j].acc_type >> 32 == acc) {
			if (j == i || p[j].acc_type != p[j - 1].acc_type)
				groups++;
			j++;
		}
		/* Varints: the group count, type and count per group, at most 5 bytes per key
		 * slot (a u32). */
		size_t need = IDMAP_MAX_VARINT * (1 + 2 * groups) + 5 * (j - i);
		if (need > cap) {
			size_t c = cap ? cap : 256;
			while (c < need)
				c *= 2;
			uint8_t *r = realloc(rec, c);
			if (!r) {
				build_fail(b, "out of memory");
				goto out;
			}
			rec = r;
			cap = c;
		}
		uint8_t *o = rec;
		o += idmap_varint_put(o, groups);
		for (size_t g = i; g < j;) {
			size_t e = g;
			while (e < j && p[e].acc_type == p[g].acc_type)
				e++;
			o += idmap_varint_put(o, (uint32_t)p[g].acc_type);
			o += idmap_varint_put(o, e - g);
			for (size_t k = g; k < e; k++)
				o += idmap_varint_put(o, k == g ? p[k].key : p[k].key - p[k - 1].key);
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
	pair *p;
	size_t n;
	int state; /* 0 free, 1 ready, -1 failed (err) */
	char err[512];
} fwd_slot;

/* A thread reads and sorts partition g + 1 while the main thread writes partition g. */
typedef struct {
	build b; /* a copy for paths and errors; the main thread changes its own */
	uint32_t count;
	fwd_slot slot[2];
	int stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
} fwd_reader;

/* Reads forward partition g into pairs sorted by (accession, type, key). */
static int read_part(build *b, uint32_t g, fwd_slot *out)
{
	char path[4096];
	uint8_t *buf = NULL;
	size_t len = 0;
	build_path(b, path, sizeof(path), "fwd-part", g);
	if (idmap_read_file(path, &buf, &len) < 0)
		return build_fail_errno(b, "%s", path);
	unlink(path);
	size_t n = len / 12;
	pair *p = malloc((n ? n : 1) * sizeof(*p));
	pair *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	if (!p || !tmp) {
		free(buf);
		free(p);
		free(tmp);
		return build_fail(b, "out of memory in the forward phase");
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t rec[3];
		memcpy(rec, buf + 12 * i, 12);
		p[i].acc_type = (uint64_t)rec[0] << 32 | rec[2];
		p[i].key = rec[1];
	}
	free(buf);
	/* LSD: by key, then stably by (accession, type). */
	idmap_radix_sort(p, tmp, n, sizeof(pair), offsetof(pair, key));
	idmap_radix_sort(p, tmp, n, sizeof(pair), offsetof(pair, acc_type));
	free(tmp);
	out->p = p;
	out->n = n;
	return 0;
}

static void *reader_main(void *arg)
{
	fwd_reader *R = arg;
	for (uint32_t g = 0; g < R->count; g++) {
		fwd_slot *s = &R->slot[g & 1];
		pthread_mutex_lock(&R->lock);
		while (s->state != 0 && !R->stop)
			pthread_cond_wait(&R->cond, &R->lock);
		int stop = R->stop;
		pthread_mutex_unlock(&R->lock);
		if (stop)
			return NULL;
		build lb = R->b;
		lb.err = s->err;
		lb.errlen = sizeof(s->err);
		int rc = read_part(&lb, g, s);
		pthread_mutex_lock(&R->lock);
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
	if (idmap_spill_open(&b->fwd_index, path, 1 << 20, b->bg) < 0)
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
	R->b = *b;
	R->count = count;
	pthread_mutex_init(&R->lock, NULL);
	pthread_cond_init(&R->cond, NULL);
	pthread_t tid;
	int started = pthread_create(&tid, NULL, reader_main, R) == 0;
	int rc = -1;
	if (!started) {
		build_fail(b, "cannot start a thread");
		goto out;
	}
	for (uint32_t g = 0; g < count; g++) {
		uint64_t lo = (uint64_t)g * b->fwd_range;
		uint64_t hi = lo + b->fwd_range < nacc ? lo + b->fwd_range : nacc;
		if (build_cancelled(b) < 0)
			goto out;
		build_progress(b, "forward", g, count, g == 0);
		fwd_slot *s = &R->slot[g & 1];
		pthread_mutex_lock(&R->lock);
		while (s->state == 0)
			pthread_cond_wait(&R->cond, &R->lock);
		int state = s->state;
		pthread_mutex_unlock(&R->lock);
		if (state < 0) {
			build_fail(b, "%s", s->err);
			goto out;
		}
		int wrc = write_range(b, s->p, s->n, lo, hi);
		free(s->p);
		s->p = NULL;
		if (wrc < 0)
			goto out;
		pthread_mutex_lock(&R->lock);
		s->state = 0;
		pthread_cond_broadcast(&R->cond);
		pthread_mutex_unlock(&R->lock);
	}
	if (idmap_spill_flush(&b->fwd_index) < 0)
		build_fail_errno(b, "writing forward records");
	else if (build_place_close(b, &b->fwd_pool, IDMAP_SECTION_FWD_POOL) == 0)
		rc = 0;
out:
	if (started) {
		pthread_mutex_lock(&R->lock);
		R->stop = 1;
		pthread_cond_broadcast(&R->cond);
		pthread_mutex_unlock(&R->lock);
		pthread_join(tid, NULL);
	}
	free(R->slot[0].p);
	free(R->slot[1].p);
	pthread_mutex_destroy(&R->lock);
	pthread_cond_destroy(&R->cond);
	free(R);
	return rc;
}
