/* External merge sort of (a, b) pairs in bounded memory: records are sorted in memory (a
 * radix sort: qsort took 3/5 of a list render) in one buffer of IDMAP_XSORT_MEM bytes, half
 * for the records, half for the sort's scratch; when it fills, it is sorted and written out as a run (an
 * unlinked temporary file); runs are merged FAN_IN at a time until FAN_IN or fewer are left,
 * which the reader merges as it goes. With unique_a, duplicates of a are dropped in the
 * buffer (it is only written out when that frees less than half of it) and on every merge,
 * so a job whose distinct keys fit in memory never touches the disk. The buffer is reused
 * for the merge: FAN_IN read buffers and a write buffer of IO_RECS records each. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ext_sort.h"
#include "idmap.h"

#define CAP IDMAP_XSORT_CAP
#define FAN_IN 16
#define IO_RECS 4096u
_Static_assert((FAN_IN + 1) * IO_RECS <= 2 * CAP, "the merge buffers fit in the sort buffer");

typedef struct {
	int fd; /* -1: exhausted */
	idmap_xrec *buf;
	size_t pos, len;
} run_reader;

struct idmap_xsort {
	char dir[4096];
	int unique, merging, sorted;
	idmap_xrec *buf;
	size_t n, out;		   /* records in buf; the next to return (in memory) */
	int *runs;		   /* fds of runs, rewound; [done, n_runs) not merged yet */
	size_t n_runs, cap_runs, done;
	run_reader rd[FAN_IN];	   /* the final merge */
	size_t n_rd;
	int have_last;		   /* unique: a of the last record returned */
	uint64_t last;
};

static int cmp_rec(const void *x, const void *y)
{
	const idmap_xrec *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

idmap_xsort *idmap_xsort_new(const char *tmp_dir, int unique_a)
{
	idmap_xsort *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	if (!tmp_dir || !*tmp_dir)
		tmp_dir = getenv("TMPDIR");
	snprintf(s->dir, sizeof s->dir, "%s", tmp_dir && *tmp_dir ? tmp_dir : "/tmp");
	s->unique = unique_a;
	for (size_t i = 0; i < FAN_IN; i++)
		s->rd[i].fd = -1;
	return s;
}

void idmap_xsort_free(idmap_xsort *s)
{
	if (!s)
		return;
	for (size_t i = s->done; i < s->n_runs; i++)
		close(s->runs[i]);
	for (size_t i = 0; i < s->n_rd; i++)
		if (s->rd[i].fd >= 0)
			close(s->rd[i].fd);
	free(s->runs);
	free(s->buf);
	free(s);
}

/* Least significant digit first, 8 bits a pass from b's low byte to a's high one; a pass
 * whose digit is the same in every record (the high bytes of slots and positions) is
 * skipped. tmp has room for n records. */
static void radix_sort(idmap_xrec *v, idmap_xrec *tmp, size_t n)
{
	static const unsigned shift[8] = {0, 8, 16, 24, 32, 40, 48, 56};
	size_t cnt[16][256];
	memset(cnt, 0, sizeof cnt);
	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < 8; d++) {
			cnt[d][v[i].b >> shift[d] & 255]++;
			cnt[8 + d][v[i].a >> shift[d] & 255]++;
		}
	idmap_xrec *src = v, *dst = tmp;
	for (int d = 0; d < 16; d++) {
		size_t off = 0, *c = cnt[d];
		int same = 0;
		for (int x = 0; x < 256; x++) {
			size_t k = c[x];
			same |= k == n;
			c[x] = off;
			off += k;
		}
		if (same)
			continue;
		unsigned sh = shift[d & 7];
		for (size_t i = 0; i < n; i++) {
			uint64_t key = d < 8 ? src[i].b : src[i].a;
			dst[c[key >> sh & 255]++] = src[i];
		}
		idmap_xrec *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
}

/* Sorts the buffer; with unique_a keeps the first record of each a. */
static void sort_buffer(idmap_xsort *s)
{
	if (s->n == 0)
		return;
	radix_sort(s->buf, s->buf + CAP, s->n);
	if (!s->unique)
		return;
	size_t k = 1;
	for (size_t i = 1; i < s->n; i++)
		if (s->buf[i].a != s->buf[k - 1].a)
			s->buf[k++] = s->buf[i];
	s->n = k;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return IDMAP_ERR_IO;
		}
		c += w;
		n -= (size_t)w;
	}
	return IDMAP_OK;
}

/* A new empty run (an unlinked temporary file), registered so that free closes it. */
static int new_run(idmap_xsort *s, int *fd)
{
	if (s->n_runs == s->cap_runs) {
		size_t cap = s->cap_runs ? 2 * s->cap_runs : 16;
		int *r = realloc(s->runs, cap * sizeof *r);
		if (!r)
			return IDMAP_ERR_NOMEM;
		s->runs = r;
		s->cap_runs = cap;
	}
	char path[4200];
	snprintf(path, sizeof path, "%s/.spool-sort-XXXXXX", s->dir);
	if ((*fd = mkstemp(path)) < 0)
		return IDMAP_ERR_IO;
	unlink(path);
	s->runs[s->n_runs++] = *fd;
	return IDMAP_OK;
}

static int rewind_run(int fd) { return lseek(fd, 0, SEEK_SET) == 0 ? IDMAP_OK : IDMAP_ERR_IO; }

int idmap_xsort_add(idmap_xsort *s, uint64_t a, uint64_t b)
{
	if (s->merging || s->sorted)
		return IDMAP_ERR_INVALID;
	if (!s->buf && !(s->buf = malloc(2 * CAP * sizeof *s->buf)))
		return IDMAP_ERR_NOMEM;
	if (s->n == CAP) {
		sort_buffer(s);
		if (!s->unique || s->n > CAP / 2) {
			int fd, rc = new_run(s, &fd);
			if (rc == IDMAP_OK)
				rc = write_all(fd, s->buf, s->n * sizeof *s->buf);
			if (rc == IDMAP_OK)
				rc = rewind_run(fd);
			if (rc != IDMAP_OK)
				return rc;
			s->n = 0;
		}
	}
	s->buf[s->n].a = a;
	s->buf[s->n++].b = b;
	return IDMAP_OK;
}

/* Refills reader r: 1, 0 at the end of its run (then closed), or -IDMAP_ERR_IO. */
static int reader_fill(run_reader *r)
{
	size_t got = 0, want = IO_RECS * sizeof *r->buf;
	while (got < want) {
		ssize_t k = read(r->fd, (char *)r->buf + got, want - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -IDMAP_ERR_IO;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	if (got % sizeof *r->buf) {
		errno = EIO;
		return -IDMAP_ERR_IO;
	}
	r->pos = 0;
	r->len = got / sizeof *r->buf;
	if (r->len == 0) {
		close(r->fd);
		r->fd = -1;
	}
	return r->len != 0;
}

/* Opens readers on the next k unmerged runs (their fds move to the readers). */
static int open_readers(idmap_xsort *s, size_t k)
{
	s->n_rd = k;
	for (size_t i = 0; i < k; i++) {
		run_reader *r = &s->rd[i];
		r->fd = s->runs[s->done++];
		r->buf = s->buf + i * IO_RECS;
		int rc = reader_fill(r);
		if (rc < 0)
			return -rc;
	}
	return IDMAP_OK;
}

/* The smallest head of the readers, with unique_a the duplicates of the last record
 * dropped: 1 with *x, 0 when all are exhausted, or a negative error. */
static int merge_next(idmap_xsort *s, idmap_xrec *x)
{
	for (;;) {
		run_reader *min = NULL;
		for (size_t i = 0; i < s->n_rd; i++)
			if (s->rd[i].fd >= 0 &&
			    (!min || cmp_rec(&s->rd[i].buf[s->rd[i].pos], &min->buf[min->pos]) < 0))
				min = &s->rd[i];
		if (!min)
			return 0;
		*x = min->buf[min->pos++];
		if (min->pos == min->len) {
			int rc = reader_fill(min);
			if (rc < 0)
				return rc;
		}
		if (s->unique && s->have_last && x->a == s->last)
			continue;
		s->have_last = 1;
		s->last = x->a;
		return 1;
	}
}

/* Merges the next FAN_IN runs into a new one. */
static int merge_pass(idmap_xsort *s)
{
	int rc = open_readers(s, FAN_IN), fd = -1, got;
	if (rc == IDMAP_OK)
		rc = new_run(s, &fd);
	idmap_xrec *w = s->buf + FAN_IN * IO_RECS, x;
	size_t n = 0;
	s->have_last = 0;
	while (rc == IDMAP_OK && (got = merge_next(s, &x)) != 0) {
		if (got < 0) {
			rc = -got;
			break;
		}
		w[n++] = x;
		if (n == IO_RECS) {
			rc = write_all(fd, w, n * sizeof *w);
			n = 0;
		}
	}
	if (rc == IDMAP_OK)
		rc = write_all(fd, w, n * sizeof *w);
	if (rc == IDMAP_OK)
		rc = rewind_run(fd);
	s->have_last = 0;
	return rc;
}

/* Ends the input: sorts in memory, or writes the last run and merges down to FAN_IN. */
static int finish(idmap_xsort *s)
{
	sort_buffer(s);
	s->sorted = 1;
	if (s->n_runs == 0)
		return IDMAP_OK;
	int fd, rc = IDMAP_OK;
	if (s->n && ((rc = new_run(s, &fd)) != IDMAP_OK ||
		     (rc = write_all(fd, s->buf, s->n * sizeof *s->buf)) != IDMAP_OK ||
		     (rc = rewind_run(fd)) != IDMAP_OK))
		return rc;
	s->n = 0;
	s->merging = 1;
	while (rc == IDMAP_OK && s->n_runs - s->done > FAN_IN)
		rc = merge_pass(s);
	if (rc == IDMAP_OK)
		rc = open_readers(s, s->n_runs - s->done);
	return rc;
}

int idmap_xsort_next(idmap_xsort *s, idmap_xrec *r)
{
	if (!s->sorted) {
		int rc = finish(s);
		if (rc != IDMAP_OK)
			return rc;
	}
	if (!s->merging) {
		if (s->out == s->n)
			return IDMAP_DONE;
		*r = s->buf[s->out++];
		return IDMAP_OK;
	}
	int got = merge_next(s, r);
	return got > 0 ? IDMAP_OK : got == 0 ? IDMAP_DONE : -got;
}
