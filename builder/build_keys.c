/* Keys phase: each key partition (records "accession, type, value" from the ingest) is read
 * in one or more passes; a pass sorts its records by key hash, merges equal keys, builds the
 * MPHF partitions and writes the key records (value + reverse postings) in slot order.
 * Every (accession slot, key slot) pair also goes to the forward partitions. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_internal.h"
#include "idmap_format.h"
#include "sort.h"

/* Ingest record: u64 accession code, u32 type, u16 value length, value bytes (host order:
 * these files never leave the machine). */
#define REC_HEAD 14

typedef struct {
	uint64_t hi, lo;
	uint64_t off;  /* of the record in the pass arena */
	uint32_t acc;  /* accession slot or IDMAP_NO_ACC */
	uint32_t type;
} entry;

/* Sequential reader of a partition file that always holds one whole record. */
typedef struct {
	int fd;
	uint8_t *buf;
	size_t cap, pos, len;
	int eof;
} rec_reader;

static int rr_need(rec_reader *r, size_t n)
{
	if (r->len - r->pos >= n)
		return 1;
	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	while (!r->eof && r->len < r->cap) {
		ssize_t k = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			r->eof = 1;
		r->len += (size_t)k;
		if (r->len >= n)
			break;
	}
	return r->len - r->pos >= n ? 1 : 0;
}

typedef struct {
	uint8_t *arena;
	size_t arena_len, arena_cap;
	entry *e;
	uint64_t *codes; /* accession code of each entry until resolve_accessions */
	size_t n, cap;
} pass_mem;

static int grow_entries(pass_mem *m)
{
	size_t cap = m->cap ? m->cap * 2 : 65536;
	entry *e = realloc(m->e, cap * sizeof(*e));
	if (e)
		m->e = e;
	uint64_t *c = realloc(m->codes, cap * sizeof(*c));
	if (c)
		m->codes = c;
	if (!e || !c)
		return -1;
	m->cap = cap;
	return 0;
}

/* Turns the entries' accession codes into slots, a group at a time with the pilots
 * prefetched: the accession MPHF of a full release is far larger than the caches. */
static int resolve_accessions(build *b, pass_mem *m)
{
	enum { GROUP = 32 };
	idmap_h128 h[GROUP];
	for (size_t g = 0; g < m->n; g += GROUP) {
		size_t k = m->n - g < GROUP ? m->n - g : GROUP;
		for (size_t i = 0; i < k; i++)
			if (m->codes[g + i]) {
				h[i] = idmap_hash_acc(m->codes[g + i], b->acc_seed);
				idmap_mphf_prefetch(&b->acc_view, h[i]);
			}
		for (size_t i = 0; i < k; i++) {
			entry *e = &m->e[g + i];
			e->acc = IDMAP_NO_ACC;
			if (!m->codes[g + i])
				continue;
			uint64_t slot = idmap_mphf_lookup(&b->acc_view, h[i]);
			if (slot == IDMAP_SLOT_NONE)
				return build_fail(b, "internal error: accession lost");
			e->acc = (uint32_t)slot;
		}
	}
	return 0;
}

static int arena_put(pass_mem *m, const uint8_t *rec, size_t n)
{
	if (m->arena_len + n > m->arena_cap) {
		size_t cap = m->arena_cap ? m->arena_cap * 2 : (1 << 20);
		while (cap < m->arena_len + n)
			cap *= 2;
		uint8_t *a = realloc(m->arena, cap);
		if (!a)
			return -1;
		m->arena = a;
		m->arena_cap = cap;
	}
	memcpy(m->arena + m->arena_len, rec, n);
	m->arena_len += n;
	return 0;
}

/* Reads the records of partition file `path` whose sub-partition is in [s0, s1). */
static int load_pass(build *b, const char *path, uint32_t nsub, uint32_t s0, uint32_t s1,
		     pass_mem *m)
{
	rec_reader r = {.cap = 4 << 20};
	r.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r.fd < 0)
		return build_fail_errno(b, "%s", path);
	r.buf = malloc(r.cap);
	if (!r.buf) {
		close(r.fd);
		return build_fail(b, "out of memory");
	}
	m->n = 0;
	m->arena_len = 0;
	int rc = -1;
	for (;;) {
		int got = rr_need(&r, REC_HEAD);
		if (got < 0) {
			build_fail_errno(b, "%s", path);
			goto out;
		}
		if (!got)
			break;
		const uint8_t *p = r.buf + r.pos;
		uint64_t code;
		uint32_t type;
		uint16_t len;
		memcpy(&code, p, 8);
		memcpy(&type, p + 8, 4);
		memcpy(&len, p + 12, 2);
		if (rr_need(&r, REC_HEAD + (size_t)len) != 1) {
			build_fail(b, "%s: truncated temporary file", path);
			goto out;
		}
		p = r.buf + r.pos;
		idmap_h128 h = idmap_hash_key(type, p + REC_HEAD, len, b->key_seed);
		uint32_t s = sub_of(h.hi, b->fbits, nsub);
		if (s >= s0 && s < s1) {
			if (m->n == m->cap && grow_entries(m) < 0) {
				build_fail(b, "out of memory");
				goto out;
			}
			entry *e = &m->e[m->n++];
			e->hi = h.hi;
			e->lo = h.lo;
			e->off = m->arena_len;
			e->type = type;
			m->codes[m->n - 1] = code;
			if (arena_put(m, p + REC_HEAD - 2, 2 + (size_t)len) < 0) {
				build_fail(b, "out of memory");
				goto out;
			}
		}
		r.pos += REC_HEAD + len;
	}
	rc = resolve_accessions(b, m);
out:
	free(r.buf);
	close(r.fd);
	return rc;
}

static int cmp_entry(const void *x, const void *y)
{
	const entry *a = x, *c = y;
	if (a->hi != c->hi)
		return a->hi < c->hi ? -1 : 1;
	if (a->lo != c->lo)
		return a->lo < c->lo ? -1 : 1;
	return (a->acc > c->acc) - (a->acc < c->acc);
}

/* Orders entries by (hi, lo, acc): radix on the top half of hi (distinct keys rarely share
 * it), then the runs that do: one key's accessions, and rare neighbours. */
static int sort_entries(pass_mem *m)
{
	entry *tmp = malloc((m->n ? m->n : 1) * sizeof(*tmp));
	if (!tmp)
		return -1;
	idmap_radix_sort_top(m->e, tmp, m->n, sizeof(entry), offsetof(entry, hi), 4);
	free(tmp);
	for (size_t i = 0; i < m->n;) {
		size_t j = i + 1;
		while (j < m->n && m->e[j].hi >> 32 == m->e[i].hi >> 32)
			j++;
		if (j - i > 1)
			qsort(m->e + i, j - i, sizeof(entry), cmp_entry);
		i = j;
	}
	return 0;
}

static const uint8_t *value_of(const pass_mem *m, const entry *e, uint16_t *len)
{
	memcpy(len, m->arena + e->off, 2);
	return m->arena + e->off + 2;
}

typedef struct {
	uint8_t *p;
	size_t len, cap;
} bytebuf;

/* Makes room for n more bytes. */
static int reserve(bytebuf *o, size_t n)
{
	if (o->len + n <= o->cap)
		return 0;
	size_t cap = o->cap ? o->cap * 2 : (1 << 20);
	while (cap < o->len + n)
		cap *= 2;
	uint8_t *p = realloc(o->p, cap);
	if (!p)
		return -1;
	o->p = p;
	o->cap = cap;
	return 0;
}

static int put_varint(bytebuf *o, uint64_t v)
{
	if (reserve(o, IDMAP_MAX_VARINT) < 0)
		return -1;
	o->len += idmap_varint_put(o->p + o->len, v);
	return 0;
}

/* Appends the key record of entries [i, j) (one key, key slot `slot`) to out, and sends its
 * (accession, key) pairs to the forward partitions. */
static int encode_key(build *b, const pass_mem *m, size_t i, size_t j, uint64_t slot,
		      bytebuf *out)
{
	const entry *e = &m->e[i];
	uint16_t len;
	const uint8_t *val = value_of(m, e, &len);
	uint64_t count = 0;
	for (size_t k = i; k < j; k++)
		if (m->e[k].acc != IDMAP_NO_ACC && (k == i || m->e[k].acc != m->e[k - 1].acc))
			count++;
	if (put_varint(out, e->type) < 0 || put_varint(out, len) < 0 || reserve(out, len) < 0)
		return build_fail(b, "out of memory");
	memcpy(out->p + out->len, val, len);
	out->len += len;
	if (put_varint(out, count) < 0)
		return build_fail(b, "out of memory");
	uint64_t prev = 0;
	int first = 1;
	for (size_t k = i; k < j; k++) {
		uint32_t acc = m->e[k].acc;
		if (acc == IDMAP_NO_ACC || (!first && acc == prev))
			continue;
		if (put_varint(out, first ? acc : acc - prev) < 0)
			return build_fail(b, "out of memory");
		first = 0;
		prev = acc;
		if (b->no_forward[e->type])
			continue;
		uint32_t rec[3] = {acc, (uint32_t)slot, e->type};
		idmap_spill *fw = &b->fwd_parts[acc / b->fwd_range];
		if (idmap_spill_write(fw, rec, sizeof(rec)) < 0)
			return build_fail_errno(b, "writing a forward partition");
		fw->records++;
	}
	b->types.keys[e->type]++;
	b->types.pairs[e->type] += count;
	if (!b->own_type[e->type])
		b->pairs += count;
	return 0;
}

/* Writes one partition's records in slot order: encoded in key order (sequential reads of
 * the sorted entries), then copied out by position from the compact buffer. */
static int write_part(build *b, const pass_mem *m, const size_t *start, size_t k0,
		      const idmap_mphf_part *part, uint64_t base, uint32_t *at, size_t *roff,
		      bytebuf *buf)
{
	uint32_t n = part->n;
	buf->len = 0;
	for (uint32_t j = 0; j < n; j++) {
		/* The values sit in the arena in file order: fetch ahead to hide the misses. */
		if (j + 16 < n)
			__builtin_prefetch(m->arena + m->e[start[k0 + j + 16]].off);
		roff[j] = buf->len;
		at[part->pos[j]] = j;
		if (encode_key(b, m, start[k0 + j], start[k0 + j + 1], base + part->pos[j], buf) < 0)
			return -1;
	}
	roff[n] = buf->len;
	for (uint32_t p = 0; p < n; p++) {
		uint32_t j = at[p];
		size_t len = roff[j + 1] - roff[j];
		if (idmap_spill_write(&b->key_pool, buf->p + roff[j], len) < 0)
			return build_fail_errno(b, "writing the index");
		b->key_pool_bytes += len;
		if (build_ot_add(b, &b->key_ot, b->key_pool_bytes, "key") < 0)
			return -1;
	}
	return 0;
}

/* Builds the partitions [s0, s1) of one file from the sorted pass. */
static int build_pass(build *b, pass_mem *m, uint32_t nsub, uint32_t s0, uint32_t s1,
		      const char *path)
{
	/* Start index of each distinct key; keys of one sub-partition are contiguous because
	 * the sub-partition is a monotone function of hi. */
	size_t nkeys = 0;
	for (size_t i = 0; i < m->n; i++)
		if (i == 0 || m->e[i].hi != m->e[i - 1].hi || m->e[i].lo != m->e[i - 1].lo)
			nkeys++;
	size_t *start = malloc((nkeys + 1) * sizeof(*start));
	idmap_h128 *h = malloc((nkeys ? nkeys : 1) * sizeof(*h));
	uint32_t *at = malloc((nkeys ? nkeys : 1) * sizeof(*at));
	size_t *roff = malloc((nkeys + 1) * sizeof(*roff));
	bytebuf buf = {0};
	idmap_mphf_part *parts = NULL;
	size_t *first = NULL;
	int rc = -1;
	if (!start || !h || !at || !roff) {
		build_fail(b, "out of memory");
		goto out;
	}
	nkeys = 0;
	for (size_t i = 0; i < m->n; i++) {
		const entry *e = &m->e[i];
		if (i > 0 && e->hi == m->e[i - 1].hi && e->lo == m->e[i - 1].lo) {
			/* Same hash: it must be the same key, or the hash has collided. */
			const entry *f = &m->e[start[nkeys - 1]];
			uint16_t l1, l2;
			const uint8_t *v1 = value_of(m, e, &l1), *v2 = value_of(m, f, &l2);
			if (e->type != f->type || l1 != l2 || memcmp(v1, v2, l1) != 0) {
				build_fail(b, "%s: two distinct keys share a 128-bit hash; rebuild "
					      "with another --seed", path);
				goto out;
			}
			continue;
		}
		start[nkeys++] = i;
	}
	start[nkeys] = m->n;
	/* Hashes of the distinct keys, and where each sub-partition's keys begin. */
	uint32_t count = s1 - s0;
	parts = malloc((size_t)count * sizeof(*parts));
	first = malloc(((size_t)count + 1) * sizeof(*first));
	if (!parts || !first) {
		build_fail(b, "out of memory");
		goto out;
	}
	size_t k = 0;
	for (uint32_t s = s0; s < s1; s++) {
		first[s - s0] = k;
		while (k < nkeys && sub_of(m->e[start[k]].hi, b->fbits, nsub) == s) {
			h[k].hi = m->e[start[k]].hi;
			h[k].lo = m->e[start[k]].lo;
			k++;
		}
	}
	first[count] = k;
	if (ks_build_parts(b, parts, h, first, count, path) < 0) {
		free(parts);
		parts = NULL;
		goto out;
	}
	for (uint32_t i = 0; i < count; i++) {
		size_t k0 = first[i];
		uint64_t base;
		if (ks_add_part(b, &b->key_ks, &parts[i], &base) < 0 ||
		    write_part(b, m, start, k0, &parts[i], base, at, roff, &buf) < 0)
			goto out;
	}
	rc = 0;
out:
	for (uint32_t i = 0; parts && i < s1 - s0; i++)
		idmap_mphf_part_free(&parts[i]);
	free(parts);
	free(first);
	free(start);
	free(h);
	free(at);
	free(roff);
	free(buf.p);
	return rc;
}

/* One pass of the keys phase: sub-partitions [s0, s1) of partition file f. */
typedef struct {
	uint32_t f, nsub, s0, s1;
	int last_of_file;
} pass_plan;

/* A thread that reads and sorts the next pass while the main thread builds the current one:
 * two pass buffers alternate. */
typedef struct {
	const build *b;
	const pass_plan *plan;
	size_t nplan;
	pass_mem mem[2];
	int ready[2]; /* 0 free, 1 loaded, -1 failed (err) */
	char err[2][512];
	int stop;
	double t_load, t_sort;
	pthread_mutex_t lock;
	pthread_cond_t cond;
} loader;

static void *loader_main(void *arg)
{
	loader *L = arg;
	for (size_t i = 0; i < L->nplan; i++) {
		int slot = (int)(i & 1);
		pthread_mutex_lock(&L->lock);
		while (L->ready[slot] != 0 && !L->stop)
			pthread_cond_wait(&L->cond, &L->lock);
		int stop = L->stop;
		pthread_mutex_unlock(&L->lock);
		if (stop)
			return NULL;
		/* load_pass only reads the build's seeds and MPHF view; its errors go to this
		 * slot's message through a copy whose err points there. */
		build lb = *L->b;
		lb.err = L->err[slot];
		lb.errlen = sizeof(L->err[slot]);
		const pass_plan *p = &L->plan[i];
		char path[4096];
		build_path(&lb, path, sizeof(path), "key-part", p->f);
		double t0 = build_now();
		int rc = load_pass(&lb, path, p->nsub, p->s0, p->s1, &L->mem[slot]);
		double t1 = build_now();
		if (rc == 0 && sort_entries(&L->mem[slot]) < 0)
			rc = build_fail(&lb, "out of memory sorting keys");
		L->t_load += t1 - t0;
		L->t_sort += build_now() - t1;
		pthread_mutex_lock(&L->lock);
		L->ready[slot] = rc < 0 ? -1 : 1;
		pthread_cond_broadcast(&L->cond);
		pthread_mutex_unlock(&L->lock);
		if (rc < 0)
			return NULL;
	}
	return NULL;
}

/* Plans the passes and fills the file table: file f's first partition is the number of
 * sub-partitions of the files before it. */
static pass_plan *plan_passes(build *b, size_t *nplan)
{
	uint32_t nfiles = 1u << b->fbits;
	size_t n = 0, cap = nfiles;
	pass_plan *plan = malloc(cap * sizeof(*plan));
	if (!plan)
		return NULL;
	uint64_t first = 0;
	for (uint32_t f = 0; f < nfiles; f++) {
		uint64_t records = b->key_parts[f].records, bytes = b->key_parts[f].bytes;
		uint32_t nsub = parts_for(records, b->part_target);
		ks_set_file(&b->key_ks, f, (uint32_t)first, nsub);
		first += nsub;
		if (!records)
			continue;
		/* Per record a pass holds its bytes, an entry, its accession code and the
		 * sort's scratch entry. */
		uint64_t per = bytes / records + 2 * sizeof(entry) + sizeof(uint64_t);
		uint64_t fit = b->pass_budget / per;
		uint32_t step = fit >= records ? nsub : (uint32_t)(((uint64_t)nsub * fit) / records);
		if (step == 0)
			step = 1;
		for (uint32_t s0 = 0; s0 < nsub; s0 += step) {
			if (n == cap) {
				cap *= 2;
				pass_plan *p = realloc(plan, cap * sizeof(*plan));
				if (!p) {
					free(plan);
					return NULL;
				}
				plan = p;
			}
			uint32_t s1 = s0 + step < nsub ? s0 + step : nsub;
			plan[n++] = (pass_plan){f, nsub, s0, s1, s1 == nsub};
		}
	}
	*nplan = n;
	return plan;
}

int build_keys(build *b)
{
	char path[4096];
	if (ks_init(b, &b->key_ks, "key-mphf", b->fbits, b->key_seed, 0) < 0)
		return -1;
	build_path(b, path, sizeof(path), "key-index", 0);
	if (idmap_spill_open(&b->key_index, path, 1 << 20) < 0)
		return build_fail_errno(b, "%s", path);
	idmap_ot_writer_init(&b->key_ot, &b->key_index);
	build_path(b, path, sizeof(path), "key-pool", 0);
	if (idmap_spill_open(&b->key_pool, path, 1 << 20) < 0)
		return build_fail_errno(b, "%s", path);
	if (types_flags(&b->types, &b->own_type, &b->no_forward) < 0)
		return build_fail(b, "out of memory");
	size_t nplan;
	pass_plan *plan = plan_passes(b, &nplan);
	if (!plan)
		return build_fail(b, "out of memory");
	loader L;
	memset(&L, 0, sizeof(L));
	L.b = b;
	L.plan = plan;
	L.nplan = nplan;
	pthread_mutex_init(&L.lock, NULL);
	pthread_cond_init(&L.cond, NULL);
	pthread_t tid;
	int started = pthread_create(&tid, NULL, loader_main, &L) == 0;
	int rc = -1;
	double t_build = 0;
	if (!started) {
		build_fail(b, "cannot start a thread");
		goto out;
	}
	for (size_t i = 0; i < nplan; i++) {
		int slot = (int)(i & 1);
		if (build_cancelled(b) < 0)
			goto out;
		build_progress(b, "keys", i, nplan, i == 0);
		pthread_mutex_lock(&L.lock);
		while (L.ready[slot] == 0)
			pthread_cond_wait(&L.cond, &L.lock);
		int state = L.ready[slot];
		pthread_mutex_unlock(&L.lock);
		if (state < 0) {
			build_fail(b, "%s", L.err[slot]);
			goto out;
		}
		const pass_plan *p = &plan[i];
		build_path(b, path, sizeof(path), "key-part", p->f);
		double t0 = build_now();
		if (build_pass(b, &L.mem[slot], p->nsub, p->s0, p->s1, path) < 0)
			goto out;
		t_build += build_now() - t0;
		if (p->last_of_file)
			unlink(path);
		pthread_mutex_lock(&L.lock);
		L.ready[slot] = 0;
		pthread_cond_broadcast(&L.cond);
		pthread_mutex_unlock(&L.lock);
	}
	if (b->key_ks.nkeys > UINT32_MAX) {
		build_fail(b, "more than 2^32 distinct keys");
		goto out;
	}
	if (ks_finish(b, &b->key_ks, &b->key_dir, &b->key_dir_len) < 0)
		goto out;
	build_log(b, "keys: %llu in %zu partitions, %llu pairs (read %.1fs and sort %.1fs on one "
		     "thread, hash and write %.1fs on another)", (unsigned long long)b->key_ks.nkeys,
		  b->key_ks.nparts, (unsigned long long)b->pairs, L.t_load, L.t_sort, t_build);
	rc = 0;
out:
	if (started) {
		pthread_mutex_lock(&L.lock);
		L.stop = 1;
		pthread_cond_broadcast(&L.cond);
		pthread_mutex_unlock(&L.lock);
		pthread_join(tid, NULL);
	}
	pthread_mutex_destroy(&L.lock);
	pthread_cond_destroy(&L.cond);
	for (int k = 0; k < 2; k++) {
		free(L.mem[k].arena);
		free(L.mem[k].e);
		free(L.mem[k].codes);
	}
	free(plan);
	return rc;
}
