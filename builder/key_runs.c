/* Sorted runs of a key partition and their merge (key_runs.h).
 *
 * A run file holds keys in (hi, lo) order, each as: u64 hi, u64 lo, u16 type, u16 length
 * (RUN_SELF set: the value names one of the key's accessions, KEY_SELF), the value, then its
 * distinct accession slots in increasing order as u32, ended by IDMAP_NO_ACC (host order:
 * these files never leave the machine). The merged keys of one MPHF
 * partition go to a file of the same layout, read back in slot order. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idmap_format.h"
#include "idmap_vec.h"
#include "key_runs.h"
#include "run_heap.h"

#define RUN_HEAD 20
#define RUN_SELF 0x8000u
_Static_assert(IDMAP_MAX_VALUE < RUN_SELF, "value lengths leave the flag bit free");
/* Read buffer of one run while merging; the budget decides how many are merged at once. */
#define RUN_BUF (16u << 10)
#define WRITE_BUF (64u << 10)
/* Accessions read at a time when a record is copied out. */
#define ACC_CHUNK 4096

void keyrun_path(const build *b, char *out, size_t len, uint32_t f, uint32_t level, uint32_t r)
{
	build_path(b, out, len, "key-run", (long)((uint64_t)f << 40 | (uint64_t)level << 32 | r));
}

static int put_head(idmap_spill *s, uint64_t hi, uint64_t lo, uint16_t type, uint16_t len,
		    int self, const uint8_t *val)
{
	uint8_t h[RUN_HEAD];
	uint16_t word = (uint16_t)(len | (self ? RUN_SELF : 0));
	memcpy(h, &hi, 8);
	memcpy(h + 8, &lo, 8);
	memcpy(h + 16, &type, 2);
	memcpy(h + 18, &word, 2);
	return idmap_spill_write(s, h, RUN_HEAD) < 0 || idmap_spill_write(s, val, len) < 0 ? -1 : 0;
}

static int put_acc(idmap_spill *s, uint32_t acc) { return idmap_spill_write(s, &acc, 4); }

int keyrun_write(const build *b, build_err *err, uint32_t f, uint32_t r, const key_entry *e,
		 size_t n, const uint8_t *arena)
{
	char path[4096];
	keyrun_path(b, path, sizeof(path), f, 0, r);
	idmap_spill s;
	if (idmap_spill_open(&s, path, WRITE_BUF, NULL) < 0)
		return build_err_errno(err, "%s", path);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0;) {
		uint16_t len;
		memcpy(&len, arena + KEY_OFF(&e[i]), 2);
		const uint8_t *val = arena + KEY_OFF(&e[i]) + 2;
		size_t j = i;
		int self = 0;
		for (; j < n && e[j].hi == e[i].hi && e[j].lo == e[i].lo; j++) {
			uint16_t l;
			memcpy(&l, arena + KEY_OFF(&e[j]), 2);
			if (e[j].type != e[i].type || l != len ||
			    memcmp(arena + KEY_OFF(&e[j]) + 2, val, len) != 0) {
				idmap_spill_close(&s);
				return build_err_collision(err, path);
			}
			self |= (e[j].off & KEY_SELF) != 0;
		}
		rc = put_head(&s, e[i].hi, e[i].lo, (uint16_t)e[i].type, len, self, val);
		uint32_t prev = IDMAP_NO_ACC;
		for (size_t x = i; rc == 0 && x < j; x++)
			if (e[x].acc != IDMAP_NO_ACC && e[x].acc != prev)
				rc = put_acc(&s, prev = e[x].acc);
		if (rc == 0)
			rc = put_acc(&s, IDMAP_NO_ACC);
		i = j;
	}
	if (idmap_spill_close(&s) < 0 || rc < 0)
		return build_err_errno(err, "writing %s", path);
	return 0;
}

/* ---- reading runs ------------------------------------------------------------------------ */

typedef struct {
	idmap_reader r;
	uint64_t hi, lo;
	uint16_t type, len;
	int self; /* RUN_SELF */
	uint8_t val[IDMAP_MAX_VALUE];
	uint32_t head; /* the next accession of the current key; IDMAP_NO_ACC at its end */
	int live;      /* a current key */
} run_in;

static int next_acc(run_in *u)
{
	int got = idmap_reader_need(&u->r, 4);
	if (got != 1)
		return got < 0 ? -1 : (errno = EIO, -1);
	memcpy(&u->head, u->r.buf + u->r.pos, 4);
	u->r.pos += 4;
	return 0;
}

/* Reads the next key's head and first accession; live = 0 at the end of the run. */
static int next_key(run_in *u)
{
	int got = idmap_reader_need(&u->r, RUN_HEAD);
	if (got < 0)
		return -1;
	if (got == 0) {
		if (u->r.len != u->r.pos)
			return errno = EIO, -1;
		u->live = 0;
		return 0;
	}
	const uint8_t *p = u->r.buf + u->r.pos;
	memcpy(&u->hi, p, 8);
	memcpy(&u->lo, p + 8, 8);
	memcpy(&u->type, p + 16, 2);
	memcpy(&u->len, p + 18, 2);
	u->self = (u->len & RUN_SELF) != 0;
	u->len &= (uint16_t)~RUN_SELF;
	if (u->len > IDMAP_MAX_VALUE || idmap_reader_need(&u->r, RUN_HEAD + (size_t)u->len) != 1)
		return errno = EIO, -1;
	memcpy(u->val, u->r.buf + u->r.pos + RUN_HEAD, u->len);
	u->r.pos += RUN_HEAD + (size_t)u->len;
	u->live = 1;
	return next_acc(u);
}

/* The runs of one merge, a heap of those with a current key by (hi, lo), and the runs at the
 * key being merged. */
typedef struct {
	build *b;
	run_in *in;
	uint32_t k;
	run_heap heap;
	uint32_t *act, nact;
	const char *what; /* for errors */
} merger;

static int before(const void *ctx, uint32_t x, uint32_t y)
{
	const run_in *a = &((const run_in *)ctx)[x], *c = &((const run_in *)ctx)[y];
	return a->hi != c->hi ? a->hi < c->hi : a->lo < c->lo;
}

static void merger_close(merger *M)
{
	for (uint32_t i = 0; M->in && i < M->k; i++) {
		if (M->in[i].r.fd >= 0)
			close(M->in[i].r.fd);
		free(M->in[i].r.buf);
	}
	free(M->in);
	free(M->heap.v);
	free(M->act);
	memset(M, 0, sizeof(*M));
}

/* Opens runs [r0, r0 + k) of file f at `level`, each with its first key. */
static int merger_open(build *b, merger *M, uint32_t f, uint32_t level, uint32_t r0, uint32_t k)
{
	memset(M, 0, sizeof(*M));
	M->b = b;
	M->in = calloc(k ? k : 1, sizeof(*M->in));
	M->heap.v = malloc((k ? k : 1) * sizeof(*M->heap.v));
	M->heap.before = before;
	M->heap.ctx = M->in;
	M->act = malloc((k ? k : 1) * sizeof(*M->act));
	if (!M->in || !M->heap.v || !M->act) {
		free(M->in);
		free(M->heap.v);
		free(M->act);
		M->in = NULL;
		return build_fail(b, "out of memory");
	}
	M->k = k;
	for (uint32_t i = 0; i < k; i++)
		M->in[i].r.fd = -1;
	char path[4096];
	for (uint32_t i = 0; i < k; i++) {
		run_in *u = &M->in[i];
		keyrun_path(b, path, sizeof(path), f, level, r0 + i);
		u->r.fd = open(path, O_RDONLY | O_CLOEXEC);
		u->r.cap = RUN_BUF;
		u->r.buf = malloc(RUN_BUF);
		if (u->r.fd < 0 || !u->r.buf || next_key(u) < 0) {
			build_fail_errno(b, "%s", path);
			merger_close(M);
			return -1;
		}
		/* The file stays open (and readable) until merger_close: remove its name now. */
		unlink(path);
		if (u->live)
			run_heap_push(&M->heap, i);
	}
	return 0;
}

/* Takes the next key: 1 (its runs in act, the head of in[act[0]]), 0 at the end, -1. */
static int merge_key(merger *M)
{
	if (M->heap.n == 0)
		return 0;
	uint32_t x = run_heap_pop(&M->heap);
	M->act[0] = x;
	M->nact = 1;
	const run_in *a = &M->in[x];
	while (M->heap.n && M->in[M->heap.v[0]].hi == a->hi && M->in[M->heap.v[0]].lo == a->lo) {
		uint32_t y = run_heap_pop(&M->heap);
		const run_in *c = &M->in[y];
		if (c->type != a->type || c->len != a->len || memcmp(c->val, a->val, a->len) != 0)
			return build_fail(M->b, "key partition %s: two distinct keys share a "
						"128-bit hash; rebuild with another --seed",
					  M->what);
		M->act[M->nact++] = y;
	}
	return 1;
}

/* The next distinct accession of the current key: 1, or 0 at its end (its runs then move on
 * to their next keys), -1 on a read error (error set). */
static int merge_acc(merger *M, uint32_t *acc)
{
	uint32_t best = IDMAP_NO_ACC;
	for (uint32_t i = 0; i < M->nact; i++)
		if (M->in[M->act[i]].head < best)
			best = M->in[M->act[i]].head;
	if (best == IDMAP_NO_ACC) {
		for (uint32_t i = 0; i < M->nact; i++) {
			run_in *u = &M->in[M->act[i]];
			if (next_key(u) < 0)
				return build_fail_errno(M->b, "reading a key run of %s", M->what);
			if (u->live)
				run_heap_push(&M->heap, M->act[i]);
		}
		M->nact = 0;
		return 0;
	}
	for (uint32_t i = 0; i < M->nact; i++) {
		run_in *u = &M->in[M->act[i]];
		if (u->head == best && next_acc(u) < 0)
			return build_fail_errno(M->b, "reading a key run of %s", M->what);
	}
	*acc = best;
	return 1;
}

/* Copies the current key with its merged accessions to s; *count gets their number. */
static int copy_key(merger *M, idmap_spill *s, uint64_t *count)
{
	const run_in *a = &M->in[M->act[0]];
	int self = 0;
	for (uint32_t i = 0; i < M->nact; i++)
		self |= M->in[M->act[i]].self;
	if (put_head(s, a->hi, a->lo, a->type, a->len, self, a->val) < 0)
		return build_fail_errno(M->b, "writing a key run of %s", M->what);
	uint32_t acc = 0;
	int got;
	*count = 0;
	while ((got = merge_acc(M, &acc)) == 1) {
		if (put_acc(s, acc) < 0)
			return build_fail_errno(M->b, "writing a key run of %s", M->what);
		++*count;
	}
	if (got < 0)
		return -1;
	if (put_acc(s, IDMAP_NO_ACC) < 0)
		return build_fail_errno(M->b, "writing a key run of %s", M->what);
	return 0;
}

/* Merges runs [r0, r0 + k) of `level` into run `out` of level + 1. */
static int merge_to_run(build *b, uint32_t f, uint32_t level, uint32_t r0, uint32_t k,
			uint32_t out, const char *what)
{
	merger M;
	if (merger_open(b, &M, f, level, r0, k) < 0)
		return -1;
	M.what = what;
	char path[4096];
	keyrun_path(b, path, sizeof(path), f, level + 1, out);
	idmap_spill s;
	int rc = -1, got;
	uint64_t count;
	if (idmap_spill_open(&s, path, WRITE_BUF, NULL) < 0) {
		build_fail_errno(b, "%s", path);
		goto out;
	}
	while ((got = merge_key(&M)) == 1)
		if (copy_key(&M, &s, &count) < 0)
			goto out;
	rc = got;
out:
	if (idmap_spill_close(&s) < 0 && rc == 0)
		rc = build_fail_errno(b, "writing %s", path);
	merger_close(&M);
	return rc;
}

/* ---- one file's partitions from the merged stream ---------------------------------------- */

/* The keys of the MPHF partition being written: hashes, offsets in its file and accession
 * counts; that file, and (when it fits a quarter of the pass budget) its bytes in memory. */
typedef struct {
	idmap_h128 *h;
	uint64_t *off, *count;
	size_t n, cap;
	char path[4096];
	int fd;
	const uint8_t *mem; /* the file's bytes, or NULL: read them from fd */
	uint8_t *buf;
	size_t buf_cap;
} part_keys;

static int keys_grow(part_keys *P)
{
	/* three arrays, one capacity: each grows from the same one to the same one */
	size_t c[3] = {P->cap, P->cap, P->cap}, need = P->cap + 1;
	if (idmap_vec_reserve(&P->h, &c[0], need, sizeof(*P->h)) < 0 ||
	    idmap_vec_reserve(&P->off, &c[1], need, sizeof(*P->off)) < 0 ||
	    idmap_vec_reserve(&P->count, &c[2], need, sizeof(*P->count)) < 0)
		return -1;
	P->cap = c[2];
	return 0;
}

/* Bytes [off, off + len) of the partition's file. */
static int part_read(const part_keys *P, uint64_t off, void *dst, size_t len)
{
	if (P->mem) {
		memcpy(dst, P->mem + off, len);
		return 0;
	}
	uint8_t *d = dst;
	while (len) {
		ssize_t k = pread(P->fd, d, len, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -1 : (errno = EIO, -1);
		d += k;
		off += (uint64_t)k;
		len -= (size_t)k;
	}
	return 0;
}

/* Writes key j of the partition, of key slot `slot`, into KEY_POOL: its accessions streamed
 * from the partition's file, each also sent to the forward partitions. */
static int write_record(build *b, const part_keys *P, size_t j, uint64_t slot, uint32_t *accs,
			uint8_t *out)
{
	uint8_t head[RUN_HEAD + IDMAP_MAX_VALUE];
	uint64_t off = P->off[j], left = P->count[j];
	uint16_t type, len;
	if (part_read(P, off, head, RUN_HEAD) < 0)
		return build_fail_errno(b, "%s", P->path);
	memcpy(&type, head + 16, 2);
	memcpy(&len, head + 18, 2);
	int self = (len & RUN_SELF) != 0;
	len &= (uint16_t)~RUN_SELF;
	if (part_read(P, off + RUN_HEAD, head + RUN_HEAD, len) < 0)
		return build_fail_errno(b, "%s", P->path);
	off += RUN_HEAD + (uint64_t)len;
	uint8_t *p = out;
	p += idmap_varint_put(p, idmap_key_head_word(type, left));
	const idmap_vcode *c = &b->vcode[type];
	uint8_t *v = p;
	p += idmap_vcode_encode(c, (const char *)head + RUN_HEAD, len, p);
	size_t mn; /* a value naming the key's one accession: form 7 (FORMAT.md "Member values") */
	if (self && left == 1 && (mn = idmap_vcode_to_member(c, v, (size_t)(p - v), v)) != 0)
		p = v + mn;
	if (left != 1)
		p += idmap_varint_put(p, left);
	uint64_t bytes = (uint64_t)(p - out);
	if (idmap_spill_write(&b->key_pool, out, bytes) < 0)
		return build_fail_errno(b, "writing the index");
	uint32_t prev = 0;
	int first = 1;
	keys_count(b, type, left);
	while (left) {
		size_t k = left < ACC_CHUNK ? (size_t)left : ACC_CHUNK;
		if (part_read(P, off, accs, 4 * k) < 0)
			return build_fail_errno(b, "%s", P->path);
		off += 4 * k;
		left -= k;
		p = out;
		for (size_t i = 0; i < k; i++) {
			p += idmap_varint_put(p, first ? accs[i] : accs[i] - prev);
			first = 0;
			prev = accs[i];
			if (!b->no_forward[type] && keys_forward_pair(b, accs[i], type, slot) < 0)
				return -1;
		}
		if (idmap_spill_write(&b->key_pool, out, (size_t)(p - out)) < 0)
			return build_fail_errno(b, "writing the index");
		bytes += (uint64_t)(p - out);
	}
	b->key_pool_bytes += bytes;
	return build_ot_add(b, &b->key_ot, b->key_pool_bytes, "key");
}

/* Builds the MPHF partition over the keys gathered in P and writes their records in slot
 * order. */
static int write_partition(build *b, part_keys *P, const char *what)
{
	size_t first[2] = {0, P->n};
	idmap_mphf_part part;
	uint32_t *at = NULL, *accs = malloc(ACC_CHUNK * sizeof(*accs));
	/* the largest piece of a record: its head, or a chunk of accessions as varints */
	uint8_t *out = malloc(2 * IDMAP_MAX_VARINT + IDMAP_VCODE_MAX + 5 * ACC_CHUNK);
	if (!accs || !out) {
		free(accs);
		free(out);
		return build_fail(b, "out of memory");
	}
	int rc = -1;
	build_err err = build_err_of(b);
	if (ks_build_parts(&err, b->threads, &part, P->h, first, 1, what) < 0)
		goto out_free;
	uint64_t base;
	if (ks_add_part(b, &b->key_ks, &part, &base) < 0)
		goto out;
	at = malloc((P->n ? P->n : 1) * sizeof(*at));
	if (!at) {
		build_fail(b, "out of memory");
		goto out;
	}
	for (size_t j = 0; j < P->n; j++)
		at[part.pos[j]] = (uint32_t)j;
	for (size_t p = 0; p < P->n; p++)
		if (write_record(b, P, at[p], base + p, accs, out) < 0)
			goto out;
	rc = 0;
out:
	idmap_mphf_part_free(&part);
out_free:
	free(at);
	free(accs);
	free(out);
	return rc;
}

/* Reads the partition's file into memory when it fits a quarter of the pass budget (one
 * sequential read instead of one per key); else its records are read from it in place. */
static int load_partition(build *b, part_keys *P, uint64_t bytes)
{
	P->mem = NULL;
	if (bytes > b->pass_budget / 4)
		return 0;
	if (bytes > P->buf_cap) {
		free(P->buf);
		P->buf_cap = 0;
		P->buf = malloc(bytes);
		if (!P->buf)
			return build_fail(b, "out of memory");
		P->buf_cap = bytes;
	}
	if (part_read(P, 0, P->buf, bytes) < 0)
		return build_fail_errno(b, "%s", P->path);
	P->mem = P->buf;
	return 0;
}

int keyruns_write_file(build *b, uint32_t f, uint32_t nsub, uint32_t nruns)
{
	char what[4096];
	build_path(b, what, sizeof(what), "key-part", f);
	/* Merge at most fanin runs at once, their buffers within half the pass budget: merge
	 * groups into longer runs until few enough are left. */
	uint64_t fanin64 = b->pass_budget / 2 / RUN_BUF;
	uint32_t fanin = fanin64 < 2 ? 2 : fanin64 > 4096 ? 4096 : (uint32_t)fanin64;
	uint32_t level = 0;
	for (; nruns > fanin; level++) {
		uint32_t out = 0;
		for (uint32_t r0 = 0; r0 < nruns; r0 += fanin, out++) {
			uint32_t k = nruns - r0 < fanin ? nruns - r0 : fanin;
			if (build_cancelled(b) < 0 ||
			    merge_to_run(b, f, level, r0, k, out, what) < 0)
				return -1;
		}
		nruns = out;
	}
	merger M;
	if (merger_open(b, &M, f, level, 0, nruns) < 0)
		return -1;
	M.what = what;
	part_keys P = {.fd = -1};
	build_path(b, P.path, sizeof(P.path), "key-merged", f);
	idmap_spill s;
	idmap_spill_init(&s);
	int rc = -1;
	int got = merge_key(&M);
	for (uint32_t sub = 0; sub < nsub && got >= 0; sub++) {
		/* Keys come in hash order, so the partitions' keys one partition after the other
		 * (sub_of is monotone in the hash). */
		if (build_cancelled(b) < 0)
			goto out;
		if (idmap_spill_open(&s, P.path, WRITE_BUF, NULL) < 0) {
			build_fail_errno(b, "%s", P.path);
			goto out;
		}
		P.n = 0;
		while (got == 1 && sub_of(M.in[M.act[0]].hi, b->fbits, nsub) == sub) {
			if (P.n == P.cap && keys_grow(&P) < 0) {
				build_fail(b, "out of memory");
				goto out;
			}
			P.h[P.n].hi = M.in[M.act[0]].hi;
			P.h[P.n].lo = M.in[M.act[0]].lo;
			P.off[P.n] = s.bytes;
			if (copy_key(&M, &s, &P.count[P.n]) < 0)
				goto out;
			P.n++;
			got = merge_key(&M);
		}
		if (got < 0)
			goto out;
		uint64_t bytes = s.bytes;
		if (idmap_spill_close(&s) < 0) {
			build_fail_errno(b, "writing %s", P.path);
			goto out;
		}
		P.fd = open(P.path, O_RDONLY | O_CLOEXEC);
		if (P.fd < 0) {
			build_fail_errno(b, "%s", P.path);
			goto out;
		}
		if (load_partition(b, &P, bytes) < 0)
			goto out;
		int wrc = write_partition(b, &P, what);
		close(P.fd);
		P.fd = -1;
		if (wrc < 0)
			goto out;
	}
	if (got < 0)
		goto out;
	if (got == 1) {
		build_fail(b, "internal error: %s: a key outside its partitions", what);
		goto out;
	}
	rc = 0;
out:
	idmap_spill_close(&s);
	if (P.fd >= 0)
		close(P.fd);
	unlink(P.path);
	free(P.h);
	free(P.off);
	free(P.count);
	free(P.buf);
	merger_close(&M);
	return rc;
}
