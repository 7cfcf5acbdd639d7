/* Forward partitions sorted on disk (fwd_runs.h). Runs and the sorted file hold the items
 * of fwd_item_size bytes in host order, sorted as u64 words compared in order (packed: the
 * item; wide: accession and type, then key). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwd_runs.h"
#include "idmap_format.h"
#include "idmap_vec.h"
#include "run_heap.h"

#define RUN_BUF (16u << 10)
#define WRITE_BUF (64u << 10)

uint64_t fwd_part_limit(const build *b)
{
	uint64_t share = b->memory / 2 / (44 * (uint64_t)b->fwd_readers + 16);
	return share * 2 < 65536 ? 65536 : share * 2;
}

static void run_path(const build *b, char *out, size_t len, uint32_t g, uint32_t level, uint32_t r)
{
	build_path(b, out, len, "fwd-run", (long)((uint64_t)g << 40 | (uint64_t)level << 32 | r));
}

/* The runs of one merge, a heap of them by their current item. */
typedef struct {
	idmap_reader *in;
	size_t rs;
	run_heap heap;
} merger;

static int before(const void *ctx, uint32_t x, uint32_t y)
{
	const merger *M = ctx;
	const uint8_t *a = M->in[x].buf + M->in[x].pos, *c = M->in[y].buf + M->in[y].pos;
	for (size_t w = 0; w < M->rs; w += 8) {
		uint64_t u, v;
		memcpy(&u, a + w, 8);
		memcpy(&v, c + w, 8);
		if (u != v)
			return u < v;
	}
	return 0;
}

/* Merges runs [r0, r0 + k) of `level` of partition g into the file at out_path. */
static int merge_runs(const build *b, build_err *err, uint32_t g, uint32_t level, uint32_t r0,
		      uint32_t k, const char *out_path)
{
	merger M = {.rs = fwd_item_size(b)};
	M.in = calloc(k ? k : 1, sizeof(*M.in));
	M.heap = (run_heap){malloc((k ? k : 1) * sizeof(uint32_t)), 0, before, &M};
	idmap_spill s;
	idmap_spill_init(&s);
	int rc = -1;
	char path[4096];
	if (!M.in || !M.heap.v) {
		build_err_set(err, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < k; i++)
		M.in[i].fd = -1;
	for (uint32_t i = 0; i < k; i++) {
		idmap_reader *r = &M.in[i];
		run_path(b, path, sizeof(path), g, level, r0 + i);
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		r->cap = RUN_BUF;
		r->buf = malloc(RUN_BUF);
		int got = r->fd < 0 || !r->buf ? -1 : idmap_reader_need(r, M.rs);
		if (got < 0) {
			build_err_errno(err, "%s", path);
			goto out;
		}
		unlink(path); /* open until the merge ends */
		if (got == 1)
			run_heap_push(&M.heap, i);
	}
	if (idmap_spill_open(&s, out_path, WRITE_BUF, NULL) < 0) {
		build_err_errno(err, "%s", out_path);
		goto out;
	}
	while (M.heap.n) {
		idmap_reader *r = &M.in[M.heap.v[0]];
		if (idmap_spill_write(&s, r->buf + r->pos, M.rs) < 0) {
			build_err_errno(err, "writing %s", out_path);
			goto out;
		}
		r->pos += M.rs;
		int got = idmap_reader_need(r, M.rs);
		if (got < 0) {
			build_err_errno(err, "reading a forward run");
			goto out;
		}
		if (got == 0)
			run_heap_pop(&M.heap);
		else
			run_heap_fix_top(&M.heap);
	}
	rc = 0;
out:
	if (idmap_spill_close(&s) < 0 && rc == 0)
		rc = build_err_errno(err, "writing %s", out_path);
	for (uint32_t i = 0; M.in && i < k; i++) {
		if (M.in[i].fd >= 0)
			close(M.in[i].fd);
		free(M.in[i].buf);
	}
	free(M.in);
	free(M.heap.v);
	return rc;
}

int fwd_runs_sort(const build *b, build_err *err, uint32_t g, const char *path, uint64_t lo,
		  uint64_t hi)
{
	size_t in = b->fwd_packed ? 8 : 12, rs = fwd_item_size(b);
	size_t chunk = (size_t)(fwd_part_limit(b) / 2);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return build_err_errno(err, "%s", path);
	unlink(path);
	uint8_t *buf = malloc(chunk * in);
	if (!buf) {
		close(fd);
		return build_err_set(err, "out of memory in the forward phase");
	}
	char rpath[4096];
	uint32_t nruns = 0;
	int rc = -1;
	for (;;) {
		size_t got;
		if (idmap_read_full(fd, buf, chunk * in, &got) < 0) {
			build_err_errno(err, "%s", path);
			goto out;
		}
		size_t n = got / in;
		if (n == 0)
			break;
		uint8_t *items;
		if (fwd_sort_items(b, err, path, buf, n, lo, hi, &items) < 0)
			goto out;
		run_path(b, rpath, sizeof(rpath), g, 0, nruns++);
		idmap_spill s;
		int wrc = idmap_spill_open(&s, rpath, WRITE_BUF, NULL);
		if (wrc == 0)
			wrc = idmap_spill_write(&s, items, n * rs);
		if (idmap_spill_close(&s) < 0)
			wrc = -1;
		if (items != buf)
			free(items);
		if (wrc < 0) {
			build_err_errno(err, "writing %s", rpath);
			goto out;
		}
		if (got < chunk * in)
			break;
	}
	/* Merge groups of runs while too many for the read buffers of one merge. */
	uint64_t f64 = chunk * rs / RUN_BUF;
	uint32_t fanin = f64 < 2 ? 2 : f64 > 4096 ? 4096 : (uint32_t)f64, level = 0;
	for (; nruns > fanin; level++) {
		uint32_t out = 0;
		for (uint32_t r0 = 0; r0 < nruns; r0 += fanin, out++) {
			run_path(b, rpath, sizeof(rpath), g, level + 1, out);
			if (merge_runs(b, err, g, level, r0, nruns - r0 < fanin ? nruns - r0 : fanin,
				       rpath) < 0)
				goto out;
		}
		nruns = out;
	}
	build_path(b, rpath, sizeof(rpath), "fwd-sorted", g);
	rc = merge_runs(b, err, g, level, 0, nruns, rpath);
out:
	free(buf);
	close(fd);
	return rc;
}

/* ---- writing from the sorted file --------------------------------------------------------- */

typedef struct {
	idmap_reader r;
	size_t rs;
	uint64_t lo;
	unsigned kbits, tbits;
	int packed;
} pair_reader;

/* The next pair without consuming it: 1, 0 at the end, -1 on a read error. */
static int peek(pair_reader *p, uint64_t *acc, uint32_t *type, uint64_t *key)
{
	int got = idmap_reader_need(&p->r, p->rs);
	if (got != 1)
		return got;
	const uint8_t *q = p->r.buf + p->r.pos;
	uint64_t a, k;
	memcpy(&a, q, 8);
	if (p->packed) {
		*key = a & ((1ull << p->kbits) - 1);
		*type = (uint32_t)((a >> p->kbits) & ((1ull << p->tbits) - 1));
		*acc = p->lo + (a >> (p->kbits + p->tbits));
	} else {
		memcpy(&k, q + 8, 8);
		*acc = a >> 32;
		*type = (uint32_t)a;
		*key = k;
	}
	return 1;
}

typedef struct {
	build *b;
	uint8_t buf[WRITE_BUF];
	size_t len;
	uint64_t bytes; /* of the current record */
} rec_out;

static int out_flush(rec_out *o)
{
	if (idmap_spill_write(&o->b->fwd_pool, o->buf, o->len) < 0)
		return build_fail_errno(o->b, "writing forward records");
	o->b->fwd_pool_bytes += o->len;
	o->len = 0;
	return 0;
}

static int out_varint(rec_out *o, uint64_t v)
{
	if (o->len + IDMAP_MAX_VARINT > sizeof(o->buf) && out_flush(o) < 0)
		return -1;
	o->len += idmap_varint_put(o->buf + o->len, v);
	return 0;
}

/* A key slot of w bytes. */
static int out_slot(rec_out *o, uint64_t v, unsigned w)
{
	if (o->len + w > sizeof(o->buf) && out_flush(o) < 0)
		return -1;
	o->len += idmap_slot_put(o->buf + o->len, v, w);
	return 0;
}

int fwd_runs_write(build *b, uint32_t g, uint64_t lo, uint64_t hi)
{
	char path[4096];
	build_path(b, path, sizeof(path), "fwd-sorted", g);
	pair_reader rd[2];
	uint32_t *types = NULL;
	uint64_t *counts = NULL;
	size_t cap = 0;
	rec_out *o = malloc(sizeof(*o));
	int rc = -1;
	for (int i = 0; i < 2; i++) {
		rd[i] = (pair_reader){.rs = fwd_item_size(b), .lo = lo, .kbits = b->fwd_kbits,
				      .tbits = b->fwd_tbits, .packed = b->fwd_packed};
		rd[i].r.fd = open(path, O_RDONLY | O_CLOEXEC);
		rd[i].r.cap = WRITE_BUF;
		rd[i].r.buf = malloc(WRITE_BUF);
	}
	if (rd[0].r.fd < 0 || rd[1].r.fd < 0 || !rd[0].r.buf || !rd[1].r.buf || !o) {
		build_fail_errno(b, "%s", path);
		goto out;
	}
	unlink(path);
	o->b = b;
	o->len = 0;
	uint64_t acc, key;
	uint32_t type;
	unsigned kw = idmap_slot_width(b->key_ks.nkeys);
	int got;
	for (uint64_t a = lo; a < hi; a++) {
		/* Count the groups of accession a ahead. */
		size_t ng = 0;
		while ((got = peek(&rd[0], &acc, &type, &key)) == 1 && acc == a) {
			if (ng == 0 || types[ng - 1] != type) {
				size_t cap_t = cap, cap_c = cap; /* two arrays, one capacity */
				if (idmap_vec_reserve(&types, &cap_t, ng + 1, sizeof(*types)) < 0 ||
				    idmap_vec_reserve(&counts, &cap_c, ng + 1, sizeof(*counts)) < 0) {
					build_fail(b, "out of memory");
					goto out;
				}
				cap = cap_c;
				types[ng] = type;
				counts[ng++] = 0;
			}
			counts[ng - 1]++;
			rd[0].r.pos += rd[0].rs;
		}
		if (got < 0 || (got == 1 && acc < a)) {
			build_fail(b, "%s: unsorted or unreadable forward pairs", path);
			goto out;
		}
		if (out_varint(o, ng) < 0)
			goto out;
		for (size_t gi = 0; gi < ng; gi++) {
			if (out_varint(o, idmap_fwd_group_head(types[gi], counts[gi])) < 0 ||
			    (counts[gi] > 1 && out_varint(o, counts[gi]) < 0))
				goto out;
			for (uint64_t k = 0; k < counts[gi]; k++) {
				if (peek(&rd[1], &acc, &type, &key) != 1) {
					build_fail_errno(b, "%s", path);
					goto out;
				}
				rd[1].r.pos += rd[1].rs;
				if (out_slot(o, key, kw) < 0)
					goto out;
			}
		}
		if (out_flush(o) < 0 ||
		    build_ot_add(b, &b->fwd_ot, b->fwd_pool_bytes, "forward") < 0)
			goto out;
	}
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (rd[i].r.fd >= 0)
			close(rd[i].r.fd);
		free(rd[i].r.buf);
	}
	free(types);
	free(counts);
	free(o);
	return rc;
}
