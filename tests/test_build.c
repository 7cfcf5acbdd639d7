/* Builder tests: sorting, partitioned builds under tiny memory budgets checked line by line
 * against the input through the engine, duplicates, history records, atomic output on
 * failure, and the section checksums of the written file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>

#include "idmap.h"
#include "idmap_build.h"
#include "idmap_format.h"
#include "sort.h"
#include "spill.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/idmap-test-build.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int build(const char *out, const char **inputs, size_t n, uint64_t memory, char *err)
{
	idmap_build_opts o;
	idmap_build_opts_init(&o);
	o.output = out;
	o.inputs = inputs;
	o.n_inputs = n;
	o.memory = memory;
	return idmap_build(&o, err, 1024);
}

/* ---- sorting ---------------------------------------------------------------------------- */

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

typedef struct {
	uint64_t a, b;
} rec16;

static int cmp_rec16(const void *x, const void *y)
{
	const rec16 *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return (p->b > q->b) - (p->b < q->b);
}

static void radix_sort_orders_and_is_stable(void **state)
{
	(void)state;
	size_t n = 100000;
	rec16 *r = malloc(n * sizeof(*r)), *tmp = malloc(n * sizeof(*tmp)),
	      *ref = malloc(n * sizeof(*ref));
	assert_non_null(r);
	for (size_t i = 0; i < n; i++) {
		/* Few distinct high keys, so that stability matters. */
		r[i].a = (next_rand() % 50) << 40 | (next_rand() % 3);
		r[i].b = next_rand();
	}
	memcpy(ref, r, n * sizeof(*r));
	qsort(ref, n, sizeof(*ref), cmp_rec16);
	/* LSD order: secondary key first, then the primary key stably. */
	idmap_radix_sort(r, tmp, n, sizeof(rec16), offsetof(rec16, b));
	idmap_radix_sort(r, tmp, n, sizeof(rec16), offsetof(rec16, a));
	assert_memory_equal(r, ref, n * sizeof(*r));

	uint64_t *u = malloc(n * 8), *ut = malloc(n * 8);
	for (size_t i = 0; i < n; i++)
		u[i] = next_rand() >> (i % 64);
	idmap_radix_sort(u, ut, n, 8, 0);
	for (size_t i = 1; i < n; i++)
		assert_true(u[i - 1] <= u[i]);
	free(r);
	free(tmp);
	free(ref);
	free(u);
	free(ut);
}

/* 32-byte records ordered on the top 4 bytes of their key only (the keys phase's entries),
 * below and above the size that first takes an MSD pass: ordered on those bytes, and in input
 * order where they are equal, whatever the bytes below them. */
static void radix_sort_top_bytes(void **state)
{
	(void)state;
	typedef struct {
		uint64_t key, seq, pad[2];
	} rec32;
	const size_t sizes[] = {1000, 60000};
	for (int k = 0; k < 2; k++) {
		size_t n = sizes[k];
		rec32 *r = calloc(n, sizeof(*r)), *tmp = calloc(n, sizeof(*tmp));
		assert_non_null(r);
		assert_non_null(tmp);
		for (size_t i = 0; i < n; i++) {
			/* 700 values in the top bytes, spread over 20 bits; random below them */
			r[i].key = (next_rand() % 700) << 44 | (next_rand() & 0xFFFFFFFFull);
			r[i].seq = i;
		}
		idmap_radix_sort_top(r, tmp, n, sizeof(rec32), offsetof(rec32, key), 4);
		for (size_t i = 1; i < n; i++) {
			uint64_t a = r[i - 1].key >> 32, b = r[i].key >> 32;
			assert_true(a < b || (a == b && r[i - 1].seq < r[i].seq));
		}
		free(r);
		free(tmp);
	}
}

/* Short arrays (the keys phase sorts one key's accessions this way) take narrower digits,
 * and so more passes: ordered and stable on keys of all 64 bits, from 2 records up. */
static void radix_sort_short_arrays(void **state)
{
	(void)state;
	const size_t sizes[] = {2, 3, 5, 17, 100, 3000};
	for (int k = 0; k < 6; k++) {
		size_t n = sizes[k];
		rec16 *r = malloc(n * sizeof(*r)), *tmp = malloc(n * sizeof(*tmp));
		assert_non_null(r);
		assert_non_null(tmp);
		for (size_t i = 0; i < n; i++) {
			r[i].a = i % 3 == 2 ? r[i - 1].a : next_rand(); /* some equal keys */
			r[i].b = i;
		}
		idmap_radix_sort(r, tmp, n, sizeof(rec16), offsetof(rec16, a));
		for (size_t i = 1; i < n; i++)
			assert_true(r[i - 1].a < r[i].a ||
				    (r[i - 1].a == r[i].a && r[i - 1].b < r[i].b));
		free(r);
		free(tmp);
	}
}

/* ---- a generated release and its reference --------------------------------------------- */

typedef struct {
	char acc[16], type[16], value[40];
} line;

static const char *types[] = {"GeneID", "RefSeq", "UniRef90", "NCBI_TaxID", "GI", "KEGG"};

/* Random accessions (some isoforms), values shared across accessions to varying degrees. */
static line *make_release(size_t n_acc, size_t *n_lines, const char *path)
{
	line *l = malloc(n_acc * 8 * sizeof(*l));
	assert_non_null(l);
	size_t n = 0;
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (size_t a = 0; a < n_acc; a++) {
		char acc[16];
		uint64_t x = next_rand();
		snprintf(acc, sizeof(acc), "%c%u%c%c%c%u", "ABCDEFGHIJ"[x % 10],
			 (unsigned)(x >> 8) % 10, 'A' + (int)((x >> 12) % 26),
			 'A' + (int)((x >> 20) % 26), '0' + (int)((x >> 28) % 10),
			 (unsigned)(x >> 36) % 10);
		if (a % 7 == 0)
			snprintf(acc + 6, sizeof(acc) - 6, "-%u", (unsigned)(x >> 40) % 5 + 1);
		int k = 1 + (int)(next_rand() % 6);
		for (int j = 0; j < k; j++) {
			line *e = &l[n++];
			snprintf(e->acc, sizeof(e->acc), "%s", acc);
			int t = (int)(next_rand() % 6);
			snprintf(e->type, sizeof(e->type), "%s", types[t]);
			uint64_t v = next_rand();
			/* TaxID: a handful of values; UniRef90: clusters; others mostly unique. */
			if (t == 3)
				snprintf(e->value, sizeof(e->value), "%u", (unsigned)(v % 5) + 9600);
			else if (t == 2)
				snprintf(e->value, sizeof(e->value), "UniRef90_P%05u",
					 (unsigned)(v % (n_acc / 3 + 1)));
			else
				snprintf(e->value, sizeof(e->value), "%s_%llu", types[t],
					 (unsigned long long)(v % 100000000));
			fprintf(f, "%s\t%s\t%s\n", e->acc, e->type, e->value);
			if (j == 0 && a % 11 == 0) /* a duplicate line */
				fprintf(f, "%s\t%s\t%s\n", e->acc, e->type, e->value);
		}
	}
	fclose(f);
	*n_lines = n;
	return l;
}

static int fwd_has(idmap_index *ix, const line *e)
{
	uint64_t slot;
	uint32_t type;
	if (idmap_acc_find(ix, e->acc, strlen(e->acc), &slot) != IDMAP_OK ||
	    idmap_type_find(ix, e->type, &type) != IDMAP_OK)
		return 0;
	idmap_fwd_iter it;
	assert_int_equal(idmap_fwd_begin(ix, slot, type, &it), IDMAP_OK);
	idmap_pair p;
	int rc;
	while ((rc = idmap_fwd_next(&it, &p)) == IDMAP_OK)
		if (p.type_id == type && p.len == strlen(e->value) &&
		    memcmp(p.value, e->value, p.len) == 0)
			return 1;
	assert_int_equal(rc, IDMAP_DONE);
	return 0;
}

static int rev_has(idmap_index *ix, const line *e)
{
	uint32_t type;
	uint64_t key, acc, want;
	if (idmap_type_find(ix, e->type, &type) != IDMAP_OK ||
	    idmap_key_find(ix, type, e->value, strlen(e->value), &key) != IDMAP_OK ||
	    idmap_acc_find(ix, e->acc, strlen(e->acc), &want) != IDMAP_OK)
		return 0;
	idmap_rev_iter it;
	assert_int_equal(idmap_rev_begin(ix, key, &it, NULL), IDMAP_OK);
	int rc;
	while ((rc = idmap_rev_next(&it, &acc)) == IDMAP_OK)
		if (acc == want)
			return 1;
	assert_int_equal(rc, IDMAP_DONE);
	return 0;
}

static int cmp_line(const void *x, const void *y)
{
	const line *a = x, *b = y;
	int c = strcmp(a->acc, b->acc);
	if (!c)
		c = strcmp(a->type, b->type);
	return c ? c : strcmp(a->value, b->value);
}

static uint64_t meta_u64(idmap_index *ix, const char *key)
{
	const char *v;
	size_t len;
	assert_int_equal(idmap_meta_find(ix, key, &v, &len), IDMAP_OK);
	char buf[32] = {0};
	memcpy(buf, v, len < 31 ? len : 31);
	return strtoull(buf, NULL, 10);
}

/* Collects the pairs idmap_fwd_batch hands out: (slot index, type, key slot, value). */
typedef struct {
	size_t n, cap;
	uint64_t *v; /* 4 words per pair: i, type, key, value hash */
	int stop_after;
} pair_log;

static uint64_t text_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static int log_pair(void *ctx, size_t i, const idmap_pair *p)
{
	pair_log *g = ctx;
	if (g->n + 4 > g->cap) {
		g->cap = g->cap ? 2 * g->cap : 1024;
		g->v = realloc(g->v, g->cap * sizeof *g->v);
		assert_non_null(g->v);
	}
	uint64_t e[4] = {i, p->type_id, p->key_slot, text_hash(p->value, p->len)};
	memcpy(g->v + g->n, e, sizeof e);
	g->n += 4;
	return g->stop_after && g->n / 4 == (size_t)g->stop_after ? 77 : 0;
}

/* idmap_fwd_batch gives exactly the pairs of idmap_fwd_begin/next, slot by slot, for every
 * type and for one type, with missing slots skipped; a slot out of range is refused. */
static void check_fwd_batch(idmap_index *ix, const uint64_t *slots, size_t n)
{
	uint32_t gi;
	assert_int_equal(idmap_type_find(ix, "GI", &gi), IDMAP_OK);
	const uint32_t kinds[] = {IDMAP_TYPE_ANY, gi};
	for (int t = 0; t < 2; t++) {
		pair_log got = {0}, want = {0};
		assert_int_equal(idmap_fwd_batch(ix, slots, n, kinds[t], log_pair, &got), IDMAP_OK);
		for (size_t i = 0; i < n; i++) {
			if (slots[i] == IDMAP_NO_SLOT)
				continue;
			idmap_fwd_iter it;
			idmap_pair p;
			int rc;
			assert_int_equal(idmap_fwd_begin(ix, slots[i], kinds[t], &it), IDMAP_OK);
			while ((rc = idmap_fwd_next(&it, &p)) == IDMAP_OK)
				log_pair(&want, i, &p);
			assert_int_equal(rc, IDMAP_DONE);
		}
		assert_true(want.n > 0);
		assert_int_equal(got.n, want.n);
		assert_memory_equal(got.v, want.v, want.n * sizeof *want.v);
		free(got.v);
		free(want.v);
	}
	pair_log stop = {.stop_after = 3};
	assert_int_equal(idmap_fwd_batch(ix, slots, n, IDMAP_TYPE_ANY, log_pair, &stop),
			 IDMAP_STOPPED);
	assert_int_equal(stop.n, 12);
	free(stop.v);
	uint64_t bad[2] = {0, idmap_acc_count(ix)};
	assert_int_equal(idmap_fwd_batch(ix, bad, 2, IDMAP_TYPE_ANY, log_pair, &stop),
			 IDMAP_ERR_INVALID);
}

/* The batched lookups agree with the single ones, hits and misses alike. */
static void check_batches(idmap_index *ix, const line *l, size_t n)
{
	const char **texts = malloc(2 * n * sizeof(*texts));
	size_t *lens = malloc(2 * n * sizeof(*lens));
	uint64_t *slots = malloc(2 * n * sizeof(*slots));
	char(*miss)[24] = malloc(n * sizeof(*miss));
	for (size_t i = 0; i < n; i++) {
		texts[2 * i] = l[i].acc;
		snprintf(miss[i], sizeof(miss[i]), "Q%zu", i % 10 ? i : i + 7); /* rarely valid */
		texts[2 * i + 1] = miss[i];
	}
	for (size_t i = 0; i < 2 * n; i++)
		lens[i] = strlen(texts[i]);
	assert_int_equal(idmap_acc_find_batch(ix, texts, lens, 2 * n, slots), IDMAP_OK);
	for (size_t i = 0; i < 2 * n; i++) {
		uint64_t one;
		int rc = idmap_acc_find(ix, texts[i], lens[i], &one);
		assert_int_equal(slots[i], rc == IDMAP_OK ? one : IDMAP_NO_SLOT);
	}
	check_fwd_batch(ix, slots, 2 * n);
	uint32_t t;
	assert_int_equal(idmap_type_find(ix, "GI", &t), IDMAP_OK);
	for (size_t i = 0; i < n; i++) {
		texts[2 * i] = l[i].value;
		snprintf(miss[i], sizeof(miss[i]), "GI_%zu", i);
		texts[2 * i + 1] = miss[i];
	}
	for (size_t i = 0; i < 2 * n; i++)
		lens[i] = strlen(texts[i]);
	assert_int_equal(idmap_key_find_batch(ix, t, texts, lens, 2 * n, slots), IDMAP_OK);
	size_t hits = 0;
	for (size_t i = 0; i < 2 * n; i++) {
		uint64_t one;
		int rc = idmap_key_find(ix, t, texts[i], lens[i], &one);
		assert_int_equal(slots[i], rc == IDMAP_OK ? one : IDMAP_NO_SLOT);
		hits += rc == IDMAP_OK;
	}
	assert_true(hits > 0);
	free(texts);
	free(lens);
	free(slots);
	free(miss);
}

/* Every line comes back in both directions, under a budget that forces many MPHF partitions
 * and several passes per partition file, and the same under a large budget. */
static void every_line_round_trips_under_any_budget(void **state)
{
	(void)state;
	char in[300], small[300], large[300], err[1024];
	path_in(in, sizeof(in), "gen.dat");
	path_in(small, sizeof(small), "small.idx");
	path_in(large, sizeof(large), "large.idx");
	size_t n;
	line *l = make_release(40000, &n, in);
	const char *inputs[] = {in};
	assert_int_equal(build(small, inputs, 1, 1u << 20, err), 0);
	assert_int_equal(build(large, inputs, 1, 1u << 30, err), 0);

	qsort(l, n, sizeof(*l), cmp_line);
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || cmp_line(&l[i], &l[i - 1]))
			distinct++;
	const char *paths[] = {small, large};
	for (int k = 0; k < 2; k++) {
		idmap_index *ix;
		assert_int_equal(idmap_open(paths[k], &ix), IDMAP_OK);
		for (size_t i = 0; i < n; i++) {
			if (!fwd_has(ix, &l[i]) || !rev_has(ix, &l[i]))
				fail_msg("%s: line %s %s %s missing", paths[k], l[i].acc,
					 l[i].type, l[i].value);
		}
		check_batches(ix, l, n);
		/* Duplicate lines are stored once. */
		assert_int_equal(meta_u64(ix, "pairs"), distinct);
		/* inputs without a release date: none stored (never the build date) */
		const char *date;
		size_t dlen;
		assert_int_equal(idmap_meta_find(ix, "release_date", &date, &dlen),
				 IDMAP_ERR_NOT_FOUND);
		char detail[256];
		assert_int_equal(idmap_verify(ix, detail, sizeof(detail)), IDMAP_OK);
		/* Unknown keys never hit. */
		uint32_t t;
		uint64_t slot;
		assert_int_equal(idmap_type_find(ix, "GeneID", &t), IDMAP_OK);
		for (int i = 0; i < 2000; i++) {
			char v[40];
			int len = snprintf(v, sizeof(v), "GeneID_x%d", i);
			assert_int_equal(idmap_key_find(ix, t, v, (size_t)len, &slot),
					 IDMAP_ERR_NOT_FOUND);
		}
		assert_int_equal(idmap_acc_find(ix, "Q9ZZZ9", 6, &slot), IDMAP_ERR_NOT_FOUND);
		idmap_close(ix);
	}
	free(l);
}

static void history_records(void **state)
{
	(void)state;
	char dat[300], out[300], err[1024];
	path_in(dat, sizeof(dat), "p.dat");
	path_in(out, sizeof(out), "h.idx");
	write_text(dat, "P9WES5\tGeneID\t1\nP9WES6\tGeneID\t2\n");
	const char *inputs[] = {dat, "data/samples/sec_ac.txt", "data/samples/delac_sp.txt"};
	assert_int_equal(build(out, inputs, 3, 64u << 20, err), 0);
	idmap_index *ix;
	assert_int_equal(idmap_open(out, &ix), IDMAP_OK);
	uint32_t sec, del;
	assert_int_equal(idmap_type_find(ix, "#secondary", &sec), IDMAP_OK);
	assert_int_equal(idmap_type_find(ix, "#deleted-sp", &del), IDMAP_OK); /* delac_sp */
	uint64_t key, count, acc;
	assert_int_equal(idmap_key_find(ix, sec, "A0A017SEE6", 10, &key), IDMAP_OK);
	idmap_rev_iter it;
	assert_int_equal(idmap_rev_begin(ix, key, &it, &count), IDMAP_OK);
	assert_int_equal(count, 2); /* a demerge: two primaries */
	char seen[2][IDMAP_ACC_TEXT_SIZE];
	for (int i = 0; i < 2; i++) {
		assert_int_equal(idmap_rev_next(&it, &acc), IDMAP_OK);
		assert_int_equal(idmap_acc_text(ix, acc, seen[i], NULL), IDMAP_OK);
	}
	assert_true((!strcmp(seen[0], "P9WES5") && !strcmp(seen[1], "P9WES6")) ||
		    (!strcmp(seen[0], "P9WES6") && !strcmp(seen[1], "P9WES5")));
	assert_int_equal(idmap_key_find(ix, del, "A0AV18", 6, &key), IDMAP_OK);
	assert_int_equal(idmap_rev_begin(ix, key, &it, &count), IDMAP_OK);
	assert_int_equal(count, 0);
	/* Primaries that only sec_ac names are accessions of the index too. */
	assert_int_equal(idmap_acc_find(ix, "C7RW80", 6, &acc), IDMAP_OK);
	/* The release comes from the history files' headers. */
	const char *rel;
	size_t rlen;
	assert_int_equal(idmap_meta_find(ix, "release", &rel, &rlen), IDMAP_OK);
	assert_true(rlen == 7 && memcmp(rel, "2026_01", 7) == 0);
	/* and its date, as UniProt writes it */
	assert_int_equal(idmap_meta_find(ix, "release_date", &rel, &rlen), IDMAP_OK);
	assert_true(rlen == 11 && memcmp(rel, "28-Jan-2026", 11) == 0);
	idmap_close(ix);
}

/* Accession slots of key (type, value), as sorted accession texts joined by spaces. */
static void accessions_of(idmap_index *ix, const char *type, const char *value, char *out,
			  size_t len)
{
	uint32_t t;
	uint64_t key, acc;
	out[0] = 0;
	if (idmap_type_find(ix, type, &t) != IDMAP_OK ||
	    idmap_key_find(ix, t, value, strlen(value), &key) != IDMAP_OK)
		return;
	char texts[8][IDMAP_ACC_TEXT_SIZE];
	int n = 0;
	idmap_rev_iter it;
	assert_int_equal(idmap_rev_begin(ix, key, &it, NULL), IDMAP_OK);
	while (n < 8 && idmap_rev_next(&it, &acc) == IDMAP_OK)
		assert_int_equal(idmap_acc_text(ix, acc, texts[n++], NULL), IDMAP_OK);
	qsort(texts, (size_t)n, IDMAP_ACC_TEXT_SIZE, (int (*)(const void *, const void *))strcmp);
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", texts[i]);
}

/* The builder's own records: unversioned aliases of versioned values, isoform links. */
static void derived_records(void **state)
{
	(void)state;
	char dat[300], out[300], err[1024], got[256];
	path_in(dat, sizeof(dat), "v.dat");
	path_in(out, sizeof(out), "v.idx");
	write_text(dat, "P12345\tRefSeq\tNP_000001.1\n"
			"P12345\tRefSeq\tNP_000001.2\n"
			"P12345\tSTRING\t9606.ENSP00000300161\n"
			"P12345-2\tEnsembl_TRS\tENST00000000001.5\n"
			"P12345-3\tEnsembl_TRS\tENST00000000001.5\n"
			"Q11111\tRefSeq\tNP_000001.3\n"
			"Q22222\tRefSeq\tNP_000001\n"
			"Q22222\tRefSeq\tNP_000001\n");
	const char *inputs[] = {dat};
	assert_int_equal(build(out, inputs, 1, 8u << 20, err), 0);
	idmap_index *ix;
	assert_int_equal(idmap_open(out, &ix), IDMAP_OK);
	accessions_of(ix, "#unversioned:RefSeq", "NP_000001", got, sizeof(got));
	assert_string_equal(got, "P12345 Q11111");
	accessions_of(ix, "RefSeq", "NP_000001", got, sizeof(got));
	assert_string_equal(got, "Q22222");
	accessions_of(ix, "#unversioned:Ensembl_TRS", "ENST00000000001", got, sizeof(got));
	assert_string_equal(got, "P12345-2 P12345-3");
	accessions_of(ix, "#isoform-of", "P12345", got, sizeof(got));
	assert_string_equal(got, "P12345-2 P12345-3");
	uint32_t t;
	assert_int_equal(idmap_type_find(ix, "#unversioned:STRING", &t), IDMAP_ERR_NOT_FOUND);
	/* Aliases have no forward pairs; the isoform link has one. */
	uint64_t slot;
	assert_int_equal(idmap_acc_find(ix, "P12345-2", 8, &slot), IDMAP_OK);
	idmap_fwd_iter it;
	idmap_pair p;
	int isoform_links = 0, others = 0;
	assert_int_equal(idmap_fwd_begin(ix, slot, IDMAP_TYPE_ANY, &it), IDMAP_OK);
	while (idmap_fwd_next(&it, &p) == IDMAP_OK) {
		idmap_type_info ti;
		assert_int_equal(idmap_type_get(ix, p.type_id, &ti), IDMAP_OK);
		if (!strcmp(ti.name, "#isoform-of")) {
			assert_true(p.len == 6 && !memcmp(p.value, "P12345", 6));
			isoform_links++;
		} else {
			assert_string_equal(ti.name, "Ensembl_TRS");
			others++;
		}
	}
	assert_int_equal(isoform_links, 1);
	assert_int_equal(others, 1);
	/* META pairs counts the data triples only (7 distinct lines). */
	assert_int_equal(meta_u64(ix, "pairs"), 7);
	char detail[256];
	assert_int_equal(idmap_verify(ix, detail, sizeof(detail)), IDMAP_OK);
	idmap_close(ix);
}

static int count_entries(const char *d)
{
	DIR *dd = opendir(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(dd)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dd);
	return n;
}

/* The old index at out still holds what the test wrote there, and folder holds only it and
 * the input: no temporary file, no new index file. */
static void expect_old_index_alone(const char *out, const char *folder)
{
	char buf[64] = {0};
	FILE *f = fopen(out, "r");
	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	assert_string_equal(buf, "previous index");
	assert_int_equal(count_entries(folder), 2);
}

/* A failed build names file and line, leaves the old index untouched and no temporary file. */
static void failed_build_keeps_old_index(void **state)
{
	(void)state;
	char sub[300], bad[400], out[400], err[1024];
	path_in(sub, sizeof(sub), "atomic");
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(bad, sizeof(bad), "%s/bad.dat", sub);
	snprintf(out, sizeof(out), "%s/old.idx", sub);
	write_text(bad, "P31946\tGI\t1\nP31946\tGI\t2\nP31946\tGI\n");
	write_text(out, "previous index");
	const char *inputs[] = {bad};
	assert_int_equal(build(out, inputs, 1, 8u << 20, err), -1);
	assert_non_null(strstr(err, "bad.dat:3:"));
	expect_old_index_alone(out, sub);

	/* A missing input: the same guarantees. */
	const char *missing[] = {"/nonexistent/idmapping.dat"};
	assert_int_equal(build(out, missing, 1, 8u << 20, err), -1);
	assert_non_null(strstr(err, "/nonexistent/idmapping.dat"));
	expect_old_index_alone(out, sub);
}

/* Cancels the build when the accessions are done: the new index file exists from then on,
 * with the key records being written into it. */
static volatile int cancel_flag;
static void cancel_after_accessions(void *ctx, const char *msg)
{
	(void)ctx;
	if (strstr(msg, "accessions:"))
		cancel_flag = 1;
}

/* A build stopped while it writes into the new index file removes that file and keeps the
 * old index. */
static void stopped_build_removes_new_file(void **state)
{
	(void)state;
	char sub[300], in[400], out[400], err[1024];
	path_in(sub, sizeof(sub), "stopped");
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(in, sizeof(in), "%s/in.dat", sub);
	snprintf(out, sizeof(out), "%s/old.idx", sub);
	size_t n;
	free(make_release(20000, &n, in));
	write_text(out, "previous index");
	const char *inputs[] = {in};
	idmap_build_opts o;
	idmap_build_opts_init(&o);
	o.output = out;
	o.inputs = inputs;
	o.n_inputs = 1;
	o.memory = 1u << 20;
	o.log = cancel_after_accessions;
	o.cancel = &cancel_flag;
	cancel_flag = 0;
	assert_int_equal(idmap_build(&o, err, sizeof(err)), -1);
	assert_int_equal(cancel_flag, 1);
	assert_non_null(strstr(err, "interrupted"));
	expect_old_index_alone(out, sub);
}

/* Cuts the last byte off every key partition file of the build running in folder once the
 * accessions are done, so that a key worker finds one truncated. */
static const char *truncate_folder;
static int truncated;
static void truncate_key_parts(void *ctx, const char *msg)
{
	(void)ctx;
	if (!strstr(msg, "accessions:"))
		return;
	DIR *d = opendir(truncate_folder);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));) {
		if (strncmp(e->d_name, ".idmap-build.", 13) != 0)
			continue;
		char tmp[700];
		snprintf(tmp, sizeof(tmp), "%s/%s", truncate_folder, e->d_name);
		DIR *t = opendir(tmp);
		assert_non_null(t);
		for (struct dirent *f; (f = readdir(t));) {
			char path[1000];
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", tmp, f->d_name);
			if (strncmp(f->d_name, "key-part.", 9) == 0 && stat(path, &st) == 0 &&
			    st.st_size > 0 && truncate(path, st.st_size - 1) == 0)
				truncated++;
		}
		closedir(t);
	}
	closedir(d);
}

/* An error met on a key worker thread reaches the caller with its file, and the build fails
 * cleanly, with the passes in memory or through sorted runs. */
static void key_worker_error_reaches_caller(void **state)
{
	(void)state;
	char sub[300], in[400], out[400], err[1024];
	path_in(sub, sizeof(sub), "worker-error");
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(in, sizeof(in), "%s/in.dat", sub);
	snprintf(out, sizeof(out), "%s/old.idx", sub);
	size_t n;
	free(make_release(5000, &n, in));
	write_text(out, "previous index");
	const char *inputs[] = {in};
	for (int runs = 0; runs < 2; runs++) {
		setenv("IDMAP_BUILD_KEY_RUNS", runs ? "1" : "0", 1);
		idmap_build_opts o;
		idmap_build_opts_init(&o);
		o.output = out;
		o.inputs = inputs;
		o.n_inputs = 1;
		o.memory = 8u << 20;
		o.log = truncate_key_parts;
		truncate_folder = sub;
		truncated = 0;
		err[0] = 0;
		assert_int_equal(idmap_build(&o, err, sizeof(err)), -1);
		assert_true(truncated > 0);
		assert_non_null(strstr(err, "key-part."));
		assert_non_null(strstr(err, "truncated temporary file"));
		expect_old_index_alone(out, sub);
	}
	unsetenv("IDMAP_BUILD_KEY_RUNS");
}

/* The file's own structure, read without the engine: header, table and every CRC. */
static void sections_are_checksummed(void **state)
{
	(void)state;
	char dat[300], out[300], err[1024];
	path_in(dat, sizeof(dat), "c.dat");
	path_in(out, sizeof(out), "c.idx");
	write_text(dat, "P31946\tUniProtKB-ID\t1433B_HUMAN\nP31946\tGI\t4507949\n");
	const char *inputs[] = {dat};
	assert_int_equal(build(out, inputs, 1, 8u << 20, err), 0);
	FILE *f = fopen(out, "rb");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	rewind(f);
	uint8_t *b = malloc((size_t)size);
	assert_int_equal(fread(b, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	assert_memory_equal(b, IDMAP_MAGIC, 8);
	assert_int_equal(idmap_rd32(b + IDMAP_HDR_VERSION), IDMAP_FORMAT_VERSION);
	assert_int_equal(idmap_rd64(b + IDMAP_HDR_FILE_SIZE), (uint64_t)size);
	assert_int_equal(idmap_rd32(b + IDMAP_HDR_HEADER_CRC), libdeflate_crc32(0, b, 60));
	uint64_t table = idmap_rd64(b + IDMAP_HDR_TABLE_OFFSET);
	uint32_t n = idmap_rd32(b + IDMAP_HDR_SECTION_COUNT);
	assert_int_equal(n, 15);
	assert_int_equal(idmap_rd32(b + IDMAP_HDR_TABLE_CRC),
			 libdeflate_crc32(0, b + table, n * 32));
	uint32_t seen = 0;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = b + table + 32 * i;
		uint64_t off = idmap_rd64(e + IDMAP_SEC_OFFSET), len = idmap_rd64(e + IDMAP_SEC_LENGTH);
		assert_int_equal(off % 64, 0);
		assert_true(off + len <= table);
		assert_int_equal(idmap_rd32(e + IDMAP_SEC_CRC), libdeflate_crc32(0, b + off, len));
		seen |= 1u << idmap_rd32(e + IDMAP_SEC_ID);
	}
	assert_int_equal(seen, 0xFFFEu); /* ids 1..15 */
	free(b);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	uint8_t *b = malloc(*len ? *len : 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, *len, f), *len);
	fclose(f);
	return b;
}

/* The same inputs, budget and seed give the same bytes, whatever the thread count (docs/cli.md,
 * "--threads"), whichever form the forward phase sorts its pairs in (packed u64 items, or
 * wide ones when the fields do not fit 64 bits, forced here by IDMAP_BUILD_WIDE_SORT), and
 * wherever KEY_INDEX is gathered (in memory when it fits, or in a file, forced here by
 * IDMAP_BUILD_KEY_INDEX_FILE); SOURCE_DATE_EPOCH fixes the date in META. */
static void builds_are_byte_identical(void **state)
{
	(void)state;
	enum { BUILDS = 4 };
	static const char *const env[BUILDS] = {NULL, NULL, "IDMAP_BUILD_WIDE_SORT",
						"IDMAP_BUILD_KEY_INDEX_FILE"};
	char in[300], out[BUILDS][300], err[1024];
	path_in(in, sizeof(in), "same.dat");
	for (int k = 0; k < BUILDS; k++) {
		char name[32];
		snprintf(name, sizeof(name), "same%d.idx", k);
		path_in(out[k], sizeof(out[k]), name);
	}
	size_t n;
	free(make_release(20000, &n, in));
	const char *inputs[] = {in};
	setenv("SOURCE_DATE_EPOCH", "0", 1);
	for (int k = 0; k < BUILDS; k++) {
		idmap_build_opts o;
		idmap_build_opts_init(&o);
		o.output = out[k];
		o.inputs = inputs;
		o.n_inputs = 1;
		o.memory = 1u << 20; /* many partitions and passes */
		o.threads = k == 1 ? 3 : 1;
		if (env[k])
			setenv(env[k], "1", 1);
		assert_int_equal(idmap_build(&o, err, sizeof(err)), 0);
		if (env[k])
			unsetenv(env[k]);
	}
	unsetenv("SOURCE_DATE_EPOCH");
	size_t l0, lk;
	uint8_t *b0 = read_all(out[0], &l0);
	for (int k = 1; k < BUILDS; k++) {
		uint8_t *bk = read_all(out[k], &lk);
		assert_int_equal(l0, lk);
		assert_memory_equal(b0, bk, l0);
		free(bk);
	}
	free(b0);
}

/* Spill files written through the background writer: several files filled in turns end up
 * byte for byte as written, with the CRC of their bytes, as without it; a write error (a full
 * disk) comes back from the writer as an error of the spill, not lost. */
static void spill_background_writer(void **state)
{
	(void)state;
	enum { FILES = 5, BYTES = 200000 };
	uint8_t *data = malloc(BYTES);
	assert_non_null(data);
	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < BYTES; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		data[i] = (uint8_t)x;
	}
	idmap_spill_bg *bg = idmap_spill_bg_start();
	assert_non_null(bg);
	idmap_spill s[FILES];
	char path[FILES][300];
	for (int f = 0; f < FILES; f++) {
		char name[32];
		snprintf(name, sizeof(name), "bg.%d", f);
		path_in(path[f], sizeof(path[f]), name);
		assert_int_equal(idmap_spill_open(&s[f], path[f], 4096, bg), 0);
	}
	/* Chunks of 1 .. 9000 bytes, each file getting the data from its own offset. */
	size_t done[FILES] = {0};
	for (int round = 0; round < 400; round++)
		for (int f = 0; f < FILES; f++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			size_t n = 1 + (size_t)(x % 9000);
			if (done[f] + n > BYTES - 1000 * (size_t)f)
				n = BYTES - 1000 * (size_t)f - done[f];
			assert_int_equal(idmap_spill_write(&s[f], data + 1000 * f + done[f], n), 0);
			done[f] += n;
		}
	for (int f = 0; f < FILES; f++) {
		assert_int_equal(idmap_spill_flush(&s[f]), 0);
		size_t want = BYTES - 1000 * (size_t)f;
		assert_int_equal(done[f], want);
		assert_int_equal(s[f].crc, libdeflate_crc32(0, data + 1000 * f, want));
		assert_int_equal(idmap_spill_close(&s[f]), 0);
		size_t len;
		uint8_t *got = read_all(path[f], &len);
		assert_int_equal(len, want);
		assert_memory_equal(got, data + 1000 * f, want);
		free(got);
		unlink(path[f]);
	}
	/* /dev/full refuses every write with ENOSPC. */
	idmap_spill full;
	if (idmap_spill_open(&full, "/dev/full", 4096, bg) == 0) {
		int rc = 0;
		for (int i = 0; i < 10 && rc == 0; i++)
			rc = idmap_spill_write(&full, data, 4096);
		if (rc == 0)
			rc = idmap_spill_flush(&full);
		assert_int_equal(rc, -1);
		assert_int_equal(errno, ENOSPC);
		assert_int_equal(idmap_spill_close(&full), -1);
	}
	idmap_spill_bg_stop(bg);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builds_are_byte_identical),
		cmocka_unit_test(spill_background_writer),
		cmocka_unit_test(radix_sort_orders_and_is_stable),
		cmocka_unit_test(radix_sort_top_bytes),
		cmocka_unit_test(radix_sort_short_arrays),
		cmocka_unit_test(every_line_round_trips_under_any_budget),
		cmocka_unit_test(history_records),
		cmocka_unit_test(derived_records),
		cmocka_unit_test(failed_build_keeps_old_index),
		cmocka_unit_test(stopped_build_removes_new_file),
		cmocka_unit_test(key_worker_error_reaches_caller),
		cmocka_unit_test(sections_are_checksummed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
