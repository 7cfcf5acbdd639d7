/* Keys phase: each key partition (records "accession, type, value" from the ingest) is read
 * in one or more passes; a pass sorts its records by key hash, merges equal keys, builds the
 * MPHF partitions and writes the key records (value + reverse postings) in slot order.
 * Every (accession slot, key slot) pair also goes to the forward partitions.
 * Up to two threads prepare passes (read, sort, lay out values, MPHF) while the calling
 * thread writes the prepared ones in order (pass_queue). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_internal.h"
#include "idmap_format.h"
#include "idmap_vec.h"
#include "key_runs.h"
#include "par.h"
#include "sort.h"

/* Ingest record: u64 accession code, u16 type, u16 value length, value bytes (host order:
 * these files never leave the machine). */
#define REC_HEAD IDMAP_KEY_REC_HEAD

typedef key_entry entry;

typedef struct {
	uint8_t *arena;
	size_t arena_len, arena_cap;
	uint8_t *spare; /* the values again, one per key in sorted order (compact_values) */
	size_t spare_cap;
	entry *e;
	uint64_t *codes; /* accession code of each entry until resolve_accessions */
	size_t n, cap;
	/* The sort's scratch, kept from pass to pass (sort_pass): a fresh one every pass cost
	 * a page fault per 4 KiB of it, a quarter of the build's faults. */
	entry *scratch;
	size_t scratch_cap;
	uint8_t *rbuf; /* load_pass's read buffer, also kept */
	size_t rbuf_cap;
	/* Made by prepare_pass: the first entry of each distinct key (nkeys + 1 of them), the
	 * keys' hashes, and the MPHF partitions, partition i over keys [first[i], first[i+1]). */
	size_t nkeys, keys_cap;
	size_t *start;
	idmap_h128 *h;
	uint32_t count;
	size_t *first;
	idmap_mphf_part *parts;
	uint32_t nruns; /* of an external pass */
	/* Of an in-memory pass, per sub-partition s (0 .. nsub - 1): its entries [bent[s],
	 * bent[s + 1]) once sorted, its values at bval[s] once compacted, its keys from bkey[s];
	 * each is sorted, compacted and hashed on its own, on any thread (par.h). */
	size_t *bent, *bval, *bkey;
	uint32_t nsub, bcap; /* sub-partitions of the pass, room for bcap */
	/* Each sub-partition is cut into `pieces` ranges of hi (piece_of), about PIECE entries
	 * each, whose entries are counted in pcount[1 ..] as they are read. */
	size_t *pcount;
	size_t pcount_cap;
	uint32_t pieces;
	uint32_t threads; /* threads inside this pass (par.h) */
} pass_mem;

/* Entries of a piece: sorted by LSD passes within the cache (sort.c's CACHE_BYTES). */
#define PIECE 4096u
#define MAX_PIECES 256u

/* Piece i of the pieces of a file of nsub sub-partitions, `pieces` per sub-partition: a
 * monotone function of hi, and i / pieces = sub_of(hi), since floor(floor(x * N * K) / K) =
 * floor(x * N). */
static inline uint64_t piece_of(uint64_t hi, uint32_t fbits, uint32_t nsub, uint32_t pieces)
{
	return idmap_fastrange64(fbits ? hi << fbits : hi, (uint64_t)nsub * pieces);
}

/* Makes room for need entries and their accession codes (one capacity for both). */
static int reserve_entries(pass_mem *m, size_t need)
{
	size_t ce = m->cap, cc = m->cap;
	int rc = idmap_vec_reserve(&m->e, &ce, need, sizeof(*m->e));
	if (rc == 0)
		rc = idmap_vec_reserve(&m->codes, &cc, need, sizeof(*m->codes));
	m->cap = ce < cc ? ce : cc;
	return rc;
}

/* Replaces the array whose pointer is at pp (a T **) by one of n elements of size elem when it
 * holds fewer (*cap), without copying: the contents are dead whenever a pass sizes its
 * arrays. With `slack`, 1/32 more: the files of one build differ in size by a fraction of a
 * percent, and an array that grew for every larger pass was freed and paged in again each
 * time. */
static int regrow(void *pp, size_t *cap, size_t n, size_t elem, int slack)
{
	void *p; /* the array's pointer, read and written with memcpy: any pointer type (T **) */
	memcpy(&p, pp, sizeof p);
	if (*cap >= n && p)
		return 0;
	free(p);
	*cap = 0;
	if (slack)
		n += n / 32;
	p = idmap_malloc_huge(n * elem);
	memcpy(pp, &p, sizeof p);
	if (!p)
		return -1;
	*cap = n;
	return 0;
}

/* Frees the array whose pointer is at pp (any T **) and forgets it. */
static void drop(void *pp)
{
	void *p;
	memcpy(&p, pp, sizeof p);
	free(p);
	p = NULL;
	memcpy(pp, &p, sizeof p);
}

/* Makes the entry arrays (entries and codes: cap is the least of their capacities) hold at
 * least records entries and the value arena values bytes; exact sizes when `exact`. */
static int size_pass(pass_mem *m, size_t records, size_t values, int exact)
{
	if (exact) {
		drop(&m->e);
		drop(&m->codes);
		drop(&m->arena);
		m->cap = m->arena_cap = 0;
	}
	size_t ce = m->cap, cc = m->cap;
	int rc = regrow(&m->e, &ce, records, sizeof(*m->e), !exact);
	if (rc == 0)
		rc = regrow(&m->codes, &cc, records, sizeof(*m->codes), !exact);
	m->cap = ce < cc ? ce : cc;
	if (rc == 0)
		rc = regrow(&m->arena, &m->arena_cap, values, 1, !exact);
	return rc;
}

/* Turns the accession codes of n entries into slots with the pilots prefetched a group ahead:
 * the accession MPHF of a full release is far larger than the caches, and a group's
 * prefetches need the time of the group before to arrive. Each hash is located once, when
 * its pilot is prefetched (locating it again at the lookup cost about 7% of this function's
 * time in a 1e7 build). An entry of the accession of the entry before it (a release lists an
 * accession's lines together, so a partition file often holds two in a row) takes its slot
 * without a lookup. Returns -1 if one is not found. */
static int resolve_range(const build *b, entry *ent, const uint64_t *codes, size_t n,
			 const uint8_t *arena)
{
	enum { GROUP = 32 };
	idmap_h128 h[2][GROUP];
	idmap_mphf_loc loc[2][GROUP];
	for (size_t g = 0; g < n + GROUP; g += GROUP) {
		/* Hash, locate and prefetch group g; resolve group g - GROUP, a round ago. */
		size_t cur = (g / GROUP) & 1, prev = cur ^ 1;
		for (size_t i = g; i < n && i < g + GROUP; i++)
			if (codes[i] && (i == 0 || codes[i] != codes[i - 1])) {
				h[cur][i - g] = idmap_hash_acc(codes[i], b->acc_seed);
				idmap_mphf_locate_prefetch(&b->acc_view, h[cur][i - g],
							   &loc[cur][i - g]);
			}
		if (g == 0)
			continue;
		for (size_t i = g - GROUP; i < n && i < g; i++) {
			entry *e = &ent[i];
			e->acc = IDMAP_NO_ACC;
			if (!codes[i])
				continue;
			if (i > 0 && codes[i] == codes[i - 1]) {
				e->acc = ent[i - 1].acc; /* the same accession: a run of its lines */
			} else {
				size_t k = i - (g - GROUP);
				uint64_t slot = idmap_mphf_slot_at(&b->acc_view, &loc[prev][k],
								   h[prev][k]);
				if (slot == IDMAP_SLOT_NONE)
					return -1;
				e->acc = (uint32_t)slot;
			}
			const idmap_vcode *c = &b->vcode[e->type];
			uint16_t len;
			if (c->acc || c->named) {
				memcpy(&len, arena + e->off, 2);
				if (idmap_vcode_names(c, (const char *)arena + e->off + 2, len,
						      codes[i]))
					e->off |= KEY_SELF;
			}
		}
	}
	return 0;
}

#define RESOLVE_CHUNK ((size_t)1 << 16)

typedef struct {
	const build *b;
	pass_mem *m;
} resolve_job;

static int resolve_chunk(void *ctx, size_t c, uint32_t t)
{
	(void)t;
	resolve_job *j = ctx;
	size_t lo = c * RESOLVE_CHUNK, hi = lo + RESOLVE_CHUNK < j->m->n ? lo + RESOLVE_CHUNK : j->m->n;
	return resolve_range(j->b, j->m->e + lo, j->m->codes + lo, hi - lo, j->m->arena);
}

/* resolve_range over all entries of m, in chunks on the pass's threads. */
static int resolve_accessions(const build *b, build_err *err, pass_mem *m)
{
	resolve_job j = {b, m};
	if (par_for(m->threads, (m->n + RESOLVE_CHUNK - 1) / RESOLVE_CHUNK, resolve_chunk, &j,
		    NULL) < 0)
		return build_err_set(err, "internal error: accession lost");
	return 0;
}

static int arena_put(pass_mem *m, const uint8_t *rec, size_t n)
{
	if (idmap_vec_reserve(&m->arena, &m->arena_cap, m->arena_len + n, 1) < 0)
		return -1;
	memcpy(m->arena + m->arena_len, rec, n);
	m->arena_len += n;
	return 0;
}

static int sort_entries(pass_mem *m);

/* Zeroes the sub-partition counts of an in-memory pass over nsub sub-partitions. */
static int buckets_reset(pass_mem *m, uint32_t nsub)
{
	if (nsub + 1 > m->bcap) {
		free(m->bent);
		free(m->bval);
		free(m->bkey);
		m->bent = malloc(((size_t)nsub + 1) * sizeof(*m->bent));
		m->bval = malloc(((size_t)nsub + 1) * sizeof(*m->bval));
		m->bkey = malloc(((size_t)nsub + 1) * sizeof(*m->bkey));
		m->bcap = 0;
		if (!m->bent || !m->bval || !m->bkey)
			return -1;
		m->bcap = nsub + 1;
	}
	size_t np = (size_t)nsub * m->pieces + 1;
	if (idmap_vec_reserve(&m->pcount, &m->pcount_cap, np, sizeof(*m->pcount)) < 0)
		return -1;
	memset(m->pcount, 0, np * sizeof(*m->pcount));
	m->nsub = nsub;
	memset(m->bent, 0, ((size_t)nsub + 1) * sizeof(*m->bent));
	memset(m->bval, 0, ((size_t)nsub + 1) * sizeof(*m->bval));
	memset(m->bkey, 0, ((size_t)nsub + 1) * sizeof(*m->bkey));
	return 0;
}

/* Pass preparation (resolve_accessions above, runs_*, reserve_pass, load_pass, compact_values
 * and prepare_keys) runs on the worker threads: it reads the build (seeds, sizes, accession
 * MPHF, all fixed during this phase) through a const pointer and reports into err, the
 * worker's own buffer, never the build's. */

/* External pass (key_runs.h): sizes the arrays to the pass budget once, so that they never
 * grow: an entry takes itself, its accession code and the sort's scratch entry; the values
 * a quarter of the budget. The arrays of earlier passes are dropped. */
static int runs_begin(const build *b, build_err *err, pass_mem *m)
{
	drop(&m->spare);
	drop(&m->scratch);
	drop(&m->start);
	drop(&m->h);
	m->spare_cap = m->scratch_cap = m->keys_cap = 0;
	size_t n = (size_t)(b->pass_budget * 3 / 4 / (2 * sizeof(entry) + sizeof(uint64_t)));
	size_t a = (size_t)(b->pass_budget / 4);
	if (a < 4 * (REC_HEAD + IDMAP_MAX_VALUE))
		a = 4 * (REC_HEAD + IDMAP_MAX_VALUE);
	if (n < 1024)
		n = 1024;
	if (size_pass(m, n, a, 1) < 0)
		return build_err_set(err, "out of memory");
	m->nruns = 0;
	return 0;
}

/* Writes the records gathered so far as the next run of file f. */
static int runs_flush(const build *b, build_err *err, pass_mem *m, uint32_t f)
{
	if (m->n == 0)
		return 0;
	if (resolve_accessions(b, err, m) < 0)
		return -1;
	if (sort_entries(m) < 0)
		return build_err_set(err, "out of memory sorting keys");
	if (keyrun_write(b, err, f, m->nruns++, m->e, m->n, m->arena) < 0)
		return -1;
	m->n = 0;
	m->arena_len = 0;
	return 0;
}

/* The slot keeps nothing of an external pass: its memory goes back for the next passes. */
static void runs_end(pass_mem *m)
{
	drop(&m->e);
	drop(&m->codes);
	drop(&m->arena);
	m->cap = m->arena_cap = m->n = m->arena_len = 0;
}

/* An in-memory pass over all of file f: its arrays sized to the file's records at once. */
static int reserve_pass(const build *b, build_err *err, pass_mem *m, uint32_t f)
{
	size_t records = (size_t)b->key_parts[f].records;
	size_t values = (size_t)(b->key_parts[f].bytes - records * (REC_HEAD - 2));
	if (size_pass(m, records, values, 0) < 0)
		return build_err_set(err, "out of memory");
	return 0;
}

/* Reads the records of partition file `path` whose sub-partition is in [s0, s1); with
 * `external` (file f), all of them into sorted runs on disk (key_runs.h). */
static int load_pass(const build *b, build_err *err, const char *path, uint32_t nsub,
		     uint32_t s0, uint32_t s1, pass_mem *m, int external, uint32_t f)
{
	/* read buffer: small next to the pass's budget */
	uint64_t rcap = b->pass_budget / 16;
	idmap_reader r = {.cap = rcap < (64 << 10) ? (64 << 10) : rcap > (4 << 20) ? (4 << 20) : rcap};
	if (regrow(&m->rbuf, &m->rbuf_cap, r.cap, 1, 0) < 0)
		return build_err_set(err, "out of memory");
	r.buf = m->rbuf;
	r.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r.fd < 0)
		return build_err_errno(err, "%s", path);
	m->n = 0;
	m->arena_len = 0;
	int rc = -1;
	if (!external) {
		uint64_t per = b->key_parts[f].records / nsub / PIECE;
		m->pieces = per < 1 ? 1 : per > MAX_PIECES ? MAX_PIECES : (uint32_t)per;
	}
	if (!external && buckets_reset(m, s1 - s0) < 0) {
		build_err_set(err, "out of memory");
		goto out;
	}
	for (;;) {
		int got = idmap_reader_need(&r, REC_HEAD);
		if (got < 0) {
			build_err_errno(err, "%s", path);
			goto out;
		}
		if (!got)
			break;
		const uint8_t *p = r.buf + r.pos;
		uint64_t code;
		uint16_t type, len;
		memcpy(&code, p, 8);
		memcpy(&type, p + 8, 2);
		memcpy(&len, p + 10, 2);
		if (idmap_reader_need(&r, REC_HEAD + (size_t)len) != 1) {
			build_err_set(err, "%s: truncated temporary file", path);
			goto out;
		}
		p = r.buf + r.pos;
		idmap_h128 h = idmap_hash_key(type, p + REC_HEAD, len, b->key_seed);
		uint32_t s = sub_of(h.hi, b->fbits, nsub);
		if (external && (m->n == m->cap || m->arena_len + 2 + len > m->arena_cap) &&
		    runs_flush(b, err, m, f) < 0)
			goto out;
		if (s >= s0 && s < s1) {
			if (!external) {
				m->pcount[piece_of(h.hi, b->fbits, nsub, m->pieces) -
					  (uint64_t)s0 * m->pieces + 1]++;
				m->bent[s - s0 + 1]++;
				m->bval[s - s0 + 1] += 2 + (size_t)len;
			}
			if (reserve_entries(m, m->n + 1) < 0) {
				build_err_set(err, "out of memory");
				goto out;
			}
			entry *e = &m->e[m->n++];
			e->hi = h.hi;
			e->lo = h.lo;
			e->off = m->arena_len;
			e->type = type;
			m->codes[m->n - 1] = code;
			if (arena_put(m, p + REC_HEAD - 2, 2 + (size_t)len) < 0) {
				build_err_set(err, "out of memory");
				goto out;
			}
		}
		r.pos += REC_HEAD + len;
	}
	rc = external ? runs_flush(b, err, m, f) : resolve_accessions(b, err, m);
out:
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

static int entry_less(const entry *a, const entry *c)
{
	if (a->hi != c->hi)
		return a->hi < c->hi;
	if (a->lo != c->lo)
		return a->lo < c->lo;
	return a->acc < c->acc;
}

/* Orders a run of entries sharing the top half of hi: by insertion when short; one key's
 * accessions (the long runs: a value many accessions share) by a radix sort on acc, whose u64
 * also holds the key's type, equal in the run; anything else by qsort. */
static void sort_run(entry *e, entry *tmp, size_t n)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			entry x = e[i];
			size_t j = i;
			for (; j > 0 && entry_less(&x, &e[j - 1]); j--)
				e[j] = e[j - 1];
			e[j] = x;
		}
		return;
	}
	size_t k = 1;
	while (k < n && e[k].hi == e[0].hi && e[k].lo == e[0].lo && e[k].type == e[0].type)
		k++;
	static_assert(sizeof(entry) == 32 && offsetof(entry, type) == offsetof(entry, acc) + 4,
		      "the radix sort reads acc and type as one u64 of a 32-byte record");
	if (k == n)
		idmap_radix_sort(e, tmp, n, sizeof(entry), offsetof(entry, acc));
	else
		qsort(e, n, sizeof(entry), cmp_entry);
}

/* Orders entries e[0, n) by (hi, lo, acc), with tmp (n entries) as scratch: radix on the top
 * half of hi (distinct keys rarely share it), then the runs that do: one key's accessions,
 * and rare neighbours. */
static void sort_range(entry *e, entry *tmp, size_t n)
{
	idmap_radix_sort_top(e, tmp, n, sizeof(entry), offsetof(entry, hi), 4);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && e[j].hi >> 32 == e[i].hi >> 32)
			j++;
		if (j - i > 1)
			sort_run(e + i, tmp + i, j - i);
		i = j;
	}
}

/* sort_range over all entries of a run (key_runs.h). */
static int sort_entries(pass_mem *m)
{
	entry *tmp = malloc((m->n ? m->n : 1) * sizeof(*tmp));
	if (!tmp)
		return -1;
	sort_range(m->e, tmp, m->n);
	free(tmp);
	return 0;
}

typedef struct {
	pass_mem *m;
	entry *out; /* the entries grouped by sub-partition, sorted here */
} sort_job;

static int sort_bucket(void *ctx, size_t s, uint32_t t)
{
	(void)t;
	sort_job *j = ctx;
	const pass_mem *m = j->m;
	for (size_t p = s * m->pieces; p < (s + 1) * m->pieces; p++) {
		size_t lo = m->pcount[p];
		sort_range(j->out + lo, m->e + lo, m->pcount[p + 1] - lo);
	}
	return 0;
}

/* Sorts an in-memory pass over sub-partitions [s0, s0 + m->nsub) of a file of nsub: its
 * entries grouped by piece (a monotone function of hi, so the pieces in order are sorted as a
 * whole once each is), each piece sorted on its own within the cache, a sub-partition's
 * pieces on one of `threads` threads; the scratch of all pieces together is one entry per
 * entry, as for one sort. Turns the counts bent[1 ..] and pcount[1 ..] into starts. */
static int sort_pass(const build *b, pass_mem *m, uint32_t nsub, uint32_t s0, uint32_t threads)
{
	uint32_t count = m->nsub;
	size_t np = (size_t)count * m->pieces;
	for (uint32_t s = 0; s < count; s++)
		m->bent[s + 1] += m->bent[s];
	for (size_t p = 0; p < np; p++)
		m->pcount[p + 1] += m->pcount[p];
	if (regrow(&m->scratch, &m->scratch_cap, m->n, sizeof(*m->scratch), 1) < 0)
		return -1;
	entry *out = m->scratch;
	size_t *fill = malloc((np ? np : 1) * sizeof(*fill));
	if (!fill)
		return -1;
	memcpy(fill, m->pcount, np * sizeof(*fill));
	uint64_t first = (uint64_t)s0 * m->pieces;
	/* Each piece is filled front to back: the line 8 entries past the one just written is
	 * the piece's next. Fetched for writing now, the stores into it do not wait for memory
	 * (a hundred pieces are too many streams for the hardware prefetcher): this loop took
	 * 0.19 s of CPU in a 1e7 build without, 0.07 s with. */
	for (size_t i = 0; i < m->n; i++) {
		size_t at = fill[piece_of(m->e[i].hi, b->fbits, nsub, m->pieces) - first]++;
		out[at] = m->e[i];
		/* an address, not a pointer into out: it may lie past the end */
		__builtin_prefetch((const void *)((uintptr_t)(out + at) + 8 * sizeof(*out)), 1, 3);
	}
	free(fill);
	sort_job j = {m, out};
	par_for(threads, count, sort_bucket, &j, NULL);
	/* The entries' array becomes the next pass's scratch. cap is the least of the entries'
	 * and the codes' capacities, so it is at most the old array's. */
	m->scratch = m->e;
	size_t old_cap = m->cap;
	m->e = out;
	if (m->cap > m->scratch_cap)
		m->cap = m->scratch_cap;
	m->scratch_cap = old_cap;
	return 0;
}

static const uint8_t *value_of(const pass_mem *m, const entry *e, uint16_t *len)
{
	memcpy(len, m->arena + KEY_OFF(e), 2);
	return m->arena + KEY_OFF(e) + 2;
}

/* Lays the values of sub-partition s out again in sorted order, one copy per distinct key
 * from bval[s] in spare, and points every entry of a key at it: the writing thread then reads
 * them sequentially. The random reads of the arena happen here, on a preparing thread rather
 * than the writing one. Two distinct keys with one 128-bit hash are caught here too (-2).
 * Counts the distinct keys into bkey[s + 1]. */
static int compact_bucket(void *ctx, size_t s, uint32_t t)
{
	(void)t;
	pass_mem *m = ctx;
	enum { AHEAD = 16 };
	size_t i0 = m->bent[s], i1 = m->bent[s + 1];
	size_t len = m->bval[s], first = i0, keys = 0;
	for (size_t i = i0; i < i1; i++) {
		if (i + AHEAD < i1)
			__builtin_prefetch(m->arena + KEY_OFF(&m->e[i + AHEAD]));
		entry *e = &m->e[i];
		uint16_t l;
		const uint8_t *v = value_of(m, e, &l);
		if (i > i0 && e->hi == m->e[i - 1].hi && e->lo == m->e[i - 1].lo) {
			/* Same hash: it must be the same key, or the hash has collided. */
			const entry *f = &m->e[first];
			uint16_t fl;
			memcpy(&fl, m->spare + KEY_OFF(f), 2);
			if (e->type != f->type || l != fl ||
			    memcmp(v, m->spare + KEY_OFF(f) + 2, l) != 0)
				return -2;
			e->off = KEY_OFF(f) | (e->off & KEY_SELF);
			continue;
		}
		first = i;
		keys++;
		memcpy(m->spare + len, v - 2, 2 + (size_t)l);
		e->off = len | (e->off & KEY_SELF);
		len += 2 + (size_t)l;
	}
	m->bkey[s + 1] = keys;
	return 0;
}

/* compact_bucket for every sub-partition, on `threads` threads; then the file-order copy of
 * the values is released, so that the writing thread's buffers (write_pass) fit in its room. */
static int compact_values(build_err *err, pass_mem *m, const char *path, uint32_t threads)
{
	uint32_t nsub = m->nsub;
	for (uint32_t s = 0; s < nsub; s++)
		m->bval[s + 1] += m->bval[s];
	if (regrow(&m->spare, &m->spare_cap, m->arena_len, 1, 0) < 0)
		return build_err_set(err, "out of memory");
	if (par_for(threads, nsub, compact_bucket, m, NULL) < 0)
		return build_err_collision(err, path);
	free(m->arena);
	m->arena = m->spare;
	m->arena_cap = m->spare_cap;
	m->spare = NULL;
	m->spare_cap = 0;
	return 0;
}

int keys_forward_pair(build *b, uint32_t acc, uint32_t type, uint64_t slot)
{
	uint64_t g = acc / b->fwd_range;
	idmap_spill *fw = &b->fwd_parts[g];
	int wrc;
	if (b->fwd_packed) {
		uint64_t v = (acc - g * b->fwd_range) << (b->fwd_tbits + b->fwd_kbits) |
			     (uint64_t)type << b->fwd_kbits | slot;
		wrc = idmap_spill_write(fw, &v, 8);
	} else {
		uint32_t rec[3] = {acc, (uint32_t)slot, type};
		wrc = idmap_spill_write(fw, rec, sizeof(rec));
	}
	if (wrc < 0)
		return build_fail_errno(b, "writing a forward partition");
	idmap_spill_prefetch_next(fw);
	fw->records++;
	return 0;
}

void keys_count(build *b, uint32_t type, uint64_t count)
{
	b->types.keys[type]++;
	b->types.pairs[type] += count;
	if (!b->own_type[type])
		b->pairs += count;
}

/* Whether one of the entries [i, j) (one key) has a value naming its accession (KEY_SELF). */
static int names_own(const pass_mem *m, size_t i, size_t j)
{
	for (size_t x = i; x < j; x++)
		if (m->e[x].off & KEY_SELF)
			return 1;
	return 0;
}

/* Appends the key record of entries [i, j) (one key) to out. Returns 0 or -1 (out of
 * memory). Runs on any of the writing thread's threads (write_pass). */
static int encode_key(const pass_mem *m, const idmap_vcode *vcode, size_t i, size_t j,
		      idmap_str *out)
{
	const entry *e = &m->e[i];
	uint16_t len;
	const uint8_t *val = value_of(m, e, &len);
	uint64_t count = 0;
	for (size_t k = i; k < j; k++)
		if (m->e[k].acc != IDMAP_NO_ACC && (k == i || m->e[k].acc != m->e[k - 1].acc))
			count++;
	/* Room for the whole record at once: two varints, the coded value and a varint of at
	 * most 5 bytes (a u32 difference) per accession. The posting count is written only
	 * when it is not 1 (the head's single flag). */
	size_t most = 2 * IDMAP_MAX_VARINT + IDMAP_VCODE_MAX + 5 * (j - i);
	if (idmap_vec_reserve(&out->p, &out->cap, out->len + most, 1) < 0)
		return -1;
	uint8_t *p = (uint8_t *)out->p + out->len;
	p += idmap_varint_put(p, idmap_key_head_word(e->type, count));
	const idmap_vcode *c = &vcode[e->type];
	uint8_t *v = p;
	p += idmap_vcode_encode(c, (const char *)val, len, p);
	size_t mn; /* a value naming the key's one accession: form 7 (FORMAT.md "Member values") */
	if ((c->acc || c->named) && count == 1 && names_own(m, i, j) &&
	    (mn = idmap_vcode_to_member(c, v, (size_t)(p - v), v)) != 0)
		p = v + mn;
	if (count != 1)
		p += idmap_varint_put(p, count);
	uint64_t prev = 0;
	int first = 1;
	for (size_t k = i; k < j; k++) {
		uint32_t acc = m->e[k].acc;
		if (acc == IDMAP_NO_ACC || (!first && acc == prev))
			continue;
		p += idmap_varint_put(p, first ? acc : acc - prev);
		first = 0;
		prev = acc;
	}
	out->len = (size_t)(p - (uint8_t *)out->p);
	return 0;
}

/* Sends the (accession, key) pairs of entries [i, j) (one key, key slot `slot`, its postings
 * as encode_key writes them) to the forward partitions and counts the key. */
static int send_pairs(build *b, const pass_mem *m, size_t i, size_t j, uint64_t slot)
{
	uint32_t type = m->e[i].type;
	uint64_t count = 0;
	uint32_t prev = 0;
	for (size_t k = i; k < j; k++) {
		uint32_t acc = m->e[k].acc;
		if (acc == IDMAP_NO_ACC || (count && acc == prev))
			continue;
		count++;
		prev = acc;
		if (!b->no_forward[type] && keys_forward_pair(b, acc, type, slot) < 0)
			return -1;
	}
	keys_count(b, type, count);
	return 0;
}

/* One partition's key records, encoded by one of the writing thread's threads: the records in
 * slot order and where each ends. */
typedef struct {
	idmap_str rec;
	size_t *ends;
	size_t ends_cap;
} part_out;

/* A thread's scratch: the records in key order, where each starts, the key at each slot. */
typedef struct {
	idmap_str buf;
	size_t *roff;
	uint32_t *at;
	size_t roff_cap, at_cap;
} enc_scratch;

typedef struct {
	const pass_mem *m;
	const idmap_vcode *vcode; /* type id -> the coding of its values */
	uint32_t i0;		  /* the partition of out[0] */
	part_out *out;
	enc_scratch *scr;
} enc_job;

/* Encodes partition i0 + w of the pass into out[w] with thread t's scratch: in key order
 * (sequential reads of the sorted entries), then copied out by position. */
static int encode_part(void *ctx, size_t w, uint32_t t)
{
	enc_job *j = ctx;
	const pass_mem *m = j->m;
	const idmap_mphf_part *part = &m->parts[j->i0 + w];
	size_t k0 = m->first[j->i0 + w];
	enc_scratch *s = &j->scr[t];
	part_out *o = &j->out[w];
	uint32_t n = part->n;
	if (idmap_vec_reserve(&s->roff, &s->roff_cap, (size_t)n + 1, sizeof(*s->roff)) < 0 ||
	    idmap_vec_reserve(&s->at, &s->at_cap, (size_t)n + 1, sizeof(*s->at)) < 0 ||
	    idmap_vec_reserve(&o->ends, &o->ends_cap, (size_t)n + 1, sizeof(*o->ends)) < 0)
		return -1;
	s->buf.len = 0;
	for (uint32_t k = 0; k < n; k++) {
		s->roff[k] = s->buf.len;
		s->at[part->pos[k]] = k;
		if (encode_key(m, j->vcode, m->start[k0 + k], m->start[k0 + k + 1], &s->buf) < 0)
			return -1;
	}
	s->roff[n] = s->buf.len;
	o->rec.len = 0;
	if (idmap_vec_reserve(&o->rec.p, &o->rec.cap, s->buf.len + 1, 1) < 0)
		return -1;
	/* The records are copied out in slot order, from all over the buffer: fetch ahead, the
	 * offsets (also in key order) twice as far ahead as the records they locate. */
	enum { AHEAD = 8 };
	for (uint32_t p = 0; p < n; p++) {
		if (p + 2 * AHEAD < n)
			__builtin_prefetch(&s->roff[s->at[p + 2 * AHEAD]]);
		if (p + AHEAD < n)
			__builtin_prefetch(s->buf.p + s->roff[s->at[p + AHEAD]]);
		uint32_t k = s->at[p];
		size_t len = s->roff[k + 1] - s->roff[k];
		memcpy(o->rec.p + o->rec.len, s->buf.p + s->roff[k], len);
		o->rec.len += len;
		o->ends[p] = o->rec.len;
	}
	return 0;
}

/* Writes encoded partition i of the pass: its MPHF directory entry, key records, offsets,
 * and forward pairs. */
static int emit_part(build *b, const pass_mem *m, uint32_t i, const part_out *o)
{
	const idmap_mphf_part *part = &m->parts[i];
	uint64_t base, at = b->key_pool_bytes;
	if (ks_add_part(b, &b->key_ks, part, &base) < 0)
		return -1;
	if (idmap_spill_write(&b->key_pool, o->rec.p, o->rec.len) < 0)
		return build_fail_errno(b, "writing the index");
	b->key_pool_bytes += o->rec.len;
	for (uint32_t p = 0; p < part->n; p++)
		if (build_ot_add(b, &b->key_ot, at + o->ends[p], "key") < 0)
			return -1;
	size_t k0 = m->first[i];
	for (uint32_t k = 0; k < part->n; k++)
		if (send_pairs(b, m, m->start[k0 + k], m->start[k0 + k + 1], base + part->pos[k]) < 0)
			return -1;
	return 0;
}

/* The keys of sub-partition s: hash and first entry of each, from bkey[s] on. */
static int fill_bucket(void *ctx, size_t s, uint32_t t)
{
	(void)t;
	pass_mem *m = ctx;
	size_t k = m->bkey[s];
	for (size_t i = m->bent[s]; i < m->bent[s + 1]; i++) {
		const entry *e = &m->e[i];
		if (i > m->bent[s] && e->hi == m->e[i - 1].hi && e->lo == m->e[i - 1].lo)
			continue;
		m->h[k].hi = e->hi;
		m->h[k].lo = e->lo;
		m->start[k++] = i;
	}
	return 0;
}

/* Finds the distinct keys of the sorted, compacted pass (counted per sub-partition by
 * compact_bucket) and builds the MPHF partitions [s0, s1) of its file over them, on the pass's
 * threads. Entries of one key are adjacent and in one sub-partition. */
static int prepare_keys(build_err *err, pass_mem *m, uint32_t s0, uint32_t s1, const char *path)
{
	uint32_t count = s1 - s0;
	for (uint32_t s = 0; s < count; s++)
		m->bkey[s + 1] += m->bkey[s];
	size_t nkeys = m->bkey[count];
	size_t cs = m->keys_cap, ch = m->keys_cap;
	int rc = regrow(&m->start, &cs, nkeys + 1, sizeof(*m->start), 1);
	if (rc == 0)
		rc = regrow(&m->h, &ch, nkeys + 1, sizeof(*m->h), 1);
	m->keys_cap = cs < ch ? cs : ch;
	if (rc < 0)
		return build_err_set(err, "out of memory");
	par_for(m->threads, count, fill_bucket, m, NULL);
	m->start[nkeys] = m->n;
	m->nkeys = nkeys;
	m->count = count;
	m->parts = malloc((size_t)count * sizeof(*m->parts));
	m->first = malloc(((size_t)count + 1) * sizeof(*m->first));
	if (!m->parts || !m->first)
		return build_err_set(err, "out of memory");
	memcpy(m->first, m->bkey, ((size_t)count + 1) * sizeof(*m->first));
	if (ks_build_parts(err, m->threads, m->parts, m->h, m->first, count, path) < 0) {
		free(m->parts);
		m->parts = NULL;
		return -1;
	}
	return 0;
}

/* Frees what prepare_keys made for one pass (the key arrays are kept for the next). */
static void release_parts(pass_mem *m)
{
	for (uint32_t i = 0; m->parts && i < m->count; i++)
		idmap_mphf_part_free(&m->parts[i]);
	free(m->parts);
	free(m->first);
	m->parts = NULL;
	m->first = NULL;
	m->count = 0;
}

/* Writes the prepared partitions of one pass, in order: encoded on the writing thread's
 * threads, a partition each (par.h), then written one after the other. The buffers of the
 * partitions in flight hold at most the pass's key records, in the room that the file-order
 * values (released by then) had, whatever the thread count. (The sort's scratch entry, which
 * plan_passes also counts per record, is kept for the slot's next pass.) */
static int write_pass(build *b, pass_mem *m, uint32_t nt)
{
	part_out *out = calloc(nt, sizeof(*out));
	enc_scratch *scr = calloc(nt, sizeof(*scr));
	int rc = -1;
	if (!out || !scr) {
		build_fail(b, "out of memory");
		goto out;
	}
	for (uint32_t i0 = 0; i0 < m->count; i0 += nt) {
		uint32_t n = m->count - i0 < nt ? m->count - i0 : nt;
		enc_job j = {m, b->vcode, i0, out, scr};
		if (par_for(nt, n, encode_part, &j, NULL) < 0) {
			build_fail(b, "out of memory");
			goto out;
		}
		for (uint32_t w = 0; w < n; w++)
			if (emit_part(b, m, i0 + w, &out[w]) < 0)
				goto out;
	}
	rc = 0;
out:
	for (uint32_t t = 0; out && scr && t < nt; t++) {
		free(out[t].rec.p);
		free(out[t].ends);
		free(scr[t].buf.p);
		free(scr[t].roff);
		free(scr[t].at);
	}
	free(out);
	free(scr);
	return rc;
}

/* The threads of a pass (par.h) allocate their scratch in malloc arenas of their own, which
 * keep it after it is freed: up to a partition's scratch per thread, which with many threads
 * and partitions of 2^18 keys would be hundreds of MB beyond the budget. Returned to the
 * system after every pass, so that what a pass holds stays within its share whatever N. */
static void give_back_arenas(const build *b)
{
#ifdef __GLIBC__
	if (b->threads > 2)
		malloc_trim(0);
#else
	(void)b;
#endif
}

/* One pass of the keys phase: sub-partitions [s0, s1) of partition file f. */
typedef struct {
	uint32_t f, nsub, s0, s1;
	int last_of_file;
	int external; /* the whole file through sorted runs (key_runs.h) */
} pass_plan;

/* Worker threads prepare passes (read, sort, compact, MPHF) while the main thread writes
 * them out in order. Pass i is prepared by worker i mod nworkers into slot i mod nslots,
 * nslots = nworkers + 1, once the main thread is done with pass i - nslots there. */
#define MAX_SLOTS (IDMAP_MAX_KEY_WORKERS + 1)
typedef struct {
	const build *b;
	const pass_plan *plan;
	size_t nplan;
	uint32_t nworkers, nslots;
	pass_mem mem[MAX_SLOTS];
	size_t turn[MAX_SLOTS]; /* the pass a slot serves next */
	int ready[MAX_SLOTS];	/* 0 free, 1 prepared, -1 failed (err) */
	char err[MAX_SLOTS][512];
	int stop;
	double t_load, t_sort, t_hash; /* CPU of the workers' own threads, summed */
	pthread_mutex_t lock;
	pthread_cond_t cond;
} pass_queue;

typedef struct {
	pass_queue *L;
	uint32_t index;
} worker_arg;

static void *worker_main(void *arg)
{
	worker_arg *a = arg;
	pass_queue *L = a->L;
	uint32_t w = a->index;
	for (size_t i = w; i < L->nplan; i += L->nworkers) {
		size_t slot = i % L->nslots;
		pthread_mutex_lock(&L->lock);
		while ((L->ready[slot] != 0 || L->turn[slot] != i) && !L->stop)
			pthread_cond_wait(&L->cond, &L->lock);
		int stop = L->stop;
		pthread_mutex_unlock(&L->lock);
		if (stop)
			return NULL;
		/* The build is only read here; errors go to this slot's message. */
		const build *b = L->b;
		build_err err = {L->err[slot], sizeof(L->err[slot])};
		const pass_plan *p = &L->plan[i];
		pass_mem *m = &L->mem[slot];
		char path[4096];
		build_path(b, path, sizeof(path), "key-part", p->f);
		/* The last pass has the threads of the other preparing ones, which have no pass
		 * left, else one of them would prepare it alone while the writer waits. */
		m->threads = i + 1 == L->nplan ? b->pass_threads * L->nworkers : b->pass_threads;
		double t0 = build_thread_cpu();
		int rc = p->external ? runs_begin(b, &err, m) : reserve_pass(b, &err, m, p->f);
		if (rc == 0)
			rc = load_pass(b, &err, path, p->nsub, p->s0, p->s1, m, p->external, p->f);
		if (p->external)
			runs_end(m);
		double t1 = build_thread_cpu();
		if (rc == 0 && !p->external && sort_pass(b, m, p->nsub, p->s0, m->threads) < 0)
			rc = build_err_set(&err, "out of memory sorting keys");
		if (rc == 0 && !p->external)
			rc = compact_values(&err, m, path, m->threads);
		double t2 = build_thread_cpu();
		if (rc == 0 && !p->external)
			rc = prepare_keys(&err, m, p->s0, p->s1, path);
		double t3 = build_thread_cpu();
		pthread_mutex_lock(&L->lock);
		L->t_load += t1 - t0;
		L->t_sort += t2 - t1;
		L->t_hash += t3 - t2;
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
	size_t n = 0;
	pass_plan *plan = malloc(nfiles * sizeof(*plan)); /* at most one pass per file */
	if (!plan)
		return NULL;
	const char *env = getenv("IDMAP_BUILD_KEY_RUNS");
	int force_runs = env && *env == '1';
	uint64_t first = 0;
	for (uint32_t f = 0; f < nfiles; f++) {
		uint64_t records = b->key_parts[f].records, bytes = b->key_parts[f].bytes;
		uint32_t nsub = parts_for(records, b->part_target);
		ks_set_file(&b->key_ks, f, (uint32_t)first, nsub);
		first += nsub;
		if (!records)
			continue;
		/* Per record a pass holds its bytes twice (file order and sorted order), an
		 * entry, its accession code, the sort's scratch entry, and at most one key's
		 * start, hash, MPHF position and record offset. A file that does not fit goes
		 * through sorted runs instead, read once whatever its skew (key_runs.h);
		 * IDMAP_BUILD_KEY_RUNS=1 sends every file there, so that tests can check both
		 * ways give the same index. */
		uint64_t per = 2 * bytes / records + 2 * sizeof(entry) + sizeof(uint64_t) +
			       2 * sizeof(size_t) + sizeof(idmap_h128) + 2 * sizeof(uint32_t);
		int external = b->pass_budget / per < records || force_runs;
		plan[n++] = (pass_plan){f, nsub, 0, nsub, 1, external};
	}
	*nplan = n;
	return plan;
}

int build_keys(build *b)
{
	char path[4096];
	if (ks_init(b, &b->key_ks, "key-mphf", b->fbits, b->key_seed, 0) < 0)
		return -1;
	/* KEY_INDEX is written alongside KEY_POOL, which goes straight into the index file, so
	 * it cannot go there too: it is kept in memory when its largest possible size (a key
	 * per record) fits an eighth of the budget, else in a file copied in at the end (0.11 GB
	 * at 1e8 lines). The passes take half of the budget and the partition writers an eighth;
	 * a quarter here put a 16M build 2 MiB over. The environment variable
	 * IDMAP_BUILD_KEY_INDEX_FILE=1 forces the file, so that tests can check both give the
	 * same index. */
	uint64_t records = 0;
	for (uint32_t f = 0; f < 1u << b->fbits; f++)
		records += b->key_parts[f].records;
	uint64_t most = idmap_ot_length(records, IDMAP_OT_LENS8);
	const char *force_file = getenv("IDMAP_BUILD_KEY_INDEX_FILE");
	int in_memory = most <= b->memory / 8 && !(force_file && *force_file == '1');
	build_path(b, path, sizeof(path), "key-index", 0);
	if (in_memory ? idmap_spill_open_mem(&b->key_index, (size_t)most) < 0
				  : idmap_spill_open(&b->key_index, path, build_write_buf(b, 1 << 20), b->bg) < 0)
		return build_fail_errno(b, "%s", path);
	if (build_ot_start(b, &b->key_ot, IDMAP_OT_LENS8, &b->key_index, &b->key_wide, "key-wide") < 0)
		return -1;
	if (build_place_open(b, &b->key_pool) < 0)
		return -1;
	if (types_flags(&b->types, &b->own_type, &b->no_forward, &b->vcode) < 0)
		return build_fail(b, "out of memory");
	size_t nplan;
	pass_plan *plan = plan_passes(b, &nplan);
	if (!plan)
		return build_fail(b, "out of memory");
	pass_queue L;
	memset(&L, 0, sizeof(L));
	L.b = b;
	L.plan = plan;
	L.nplan = nplan;
	L.nworkers = b->key_workers;
	L.nslots = L.nworkers + 1;
	for (uint32_t k = 0; k < L.nslots; k++)
		L.turn[k] = k;
	pthread_mutex_init(&L.lock, NULL);
	pthread_cond_init(&L.cond, NULL);
	pthread_t tid[IDMAP_MAX_KEY_WORKERS];
	worker_arg args[IDMAP_MAX_KEY_WORKERS];
	uint32_t started = 0;
	int rc = -1;
	double t_write = 0;
	for (; started < L.nworkers; started++) {
		args[started] = (worker_arg){&L, started};
		if (pthread_create(&tid[started], NULL, worker_main, &args[started]) != 0) {
			build_fail(b, "cannot start a thread");
			goto out;
		}
	}
	for (size_t i = 0; i < nplan; i++) {
		size_t slot = i % L.nslots;
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
		double t0 = build_thread_cpu();
		int wrc = p->external ? keyruns_write_file(b, p->f, p->nsub, L.mem[slot].nruns)
				      : write_pass(b, &L.mem[slot],
						   i + 1 == nplan ? b->threads : b->write_threads);
		release_parts(&L.mem[slot]);
		give_back_arenas(b);
		if (wrc < 0)
			goto out;
		t_write += build_thread_cpu() - t0;
		if (p->last_of_file) {
			build_path(b, path, sizeof(path), "key-part", p->f);
			unlink(path);
		}
		pthread_mutex_lock(&L.lock);
		L.ready[slot] = 0;
		L.turn[slot] = i + L.nslots;
		pthread_cond_broadcast(&L.cond);
		pthread_mutex_unlock(&L.lock);
	}
	if (b->key_ks.nkeys > UINT32_MAX) {
		build_fail(b, "more than 2^32 distinct keys");
		goto out;
	}
	if (build_ot_finish(b, &b->key_ot, "key") < 0 ||
	    ks_finish(b, &b->key_ks, &b->key_dir, &b->key_dir_len) < 0 ||
	    build_place_close(b, &b->key_pool, IDMAP_SECTION_KEY_POOL) < 0)
		goto out;
	build_log(b, "keys: %llu in %zu partitions, %llu pairs (CPU of the %u preparing threads, "
		     "%u threads each: read %.2fs, sort %.2fs, hash %.2fs; of the writing "
		     "thread, %u threads: %.2fs)",
		  (unsigned long long)b->key_ks.nkeys, b->key_ks.nparts,
		  (unsigned long long)b->pairs, L.nworkers, b->pass_threads, L.t_load, L.t_sort,
		  L.t_hash, b->write_threads, t_write);
	rc = 0;
out:
	pthread_mutex_lock(&L.lock);
	L.stop = 1;
	pthread_cond_broadcast(&L.cond);
	pthread_mutex_unlock(&L.lock);
	for (uint32_t k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	pthread_mutex_destroy(&L.lock);
	pthread_cond_destroy(&L.cond);
	for (uint32_t k = 0; k < L.nslots; k++) {
		pass_mem *m = &L.mem[k];
		release_parts(m);
		free(m->arena);
		free(m->spare);
		free(m->e);
		free(m->scratch);
		free(m->rbuf);
		free(m->codes);
		free(m->start);
		free(m->h);
		free(m->bent);
		free(m->bval);
		free(m->bkey);
		free(m->pcount);
	}
	free(plan);
	return rc;
}
