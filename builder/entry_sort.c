/* Sorting the entry records within the memory budget (entry_sort.h). */
#include "entry_sort.h"

#include <errno.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entry_format.h"

#define READ_BUF (64u << 10) /* per run while merging */

static int key_cmp(const uint8_t *a, const uint8_t *c)
{
	return idmap_entry_key_cmp(a[IDMAP_ER_SPACE], idmap_rd64(a + IDMAP_ER_CODE),
				   c[IDMAP_ER_SPACE], idmap_rd64(c + IDMAP_ER_CODE));
}

/* Key order; equal keys (an error) in input order, so that the message names the first. */
static int rec_cmp(const void *x, const void *y)
{
	const uint8_t *a = x, *c = y;
	int k = key_cmp(a, c);
	if (k)
		return k;
	uint64_t la = idmap_rd32(a + IDMAP_TMP_INPUT), lc = idmap_rd32(c + IDMAP_TMP_INPUT);
	if (la != lc)
		return la < lc ? -1 : 1;
	la = idmap_rd64(a + IDMAP_TMP_LINE);
	lc = idmap_rd64(c + IDMAP_TMP_LINE);
	return la < lc ? -1 : la > lc;
}

static int duplicate(build *b, const uint8_t *first, const uint8_t *again)
{
	char id[32];
	idmap_entry_key_text(again[IDMAP_ER_SPACE], idmap_rd64(again + IDMAP_ER_CODE), id);
	return build_fail(b, "%s:%llu: duplicate FASTA record %s (first at %s:%llu)",
			  b->o->inputs[idmap_rd32(again + IDMAP_TMP_INPUT)],
			  (unsigned long long)idmap_rd64(again + IDMAP_TMP_LINE), id,
			  b->o->inputs[idmap_rd32(first + IDMAP_TMP_INPUT)],
			  (unsigned long long)idmap_rd64(first + IDMAP_TMP_LINE));
}

int entry_sort_init(build *b, entry_sort *s)
{
	memset(s, 0, sizeof *s);
	idmap_spill_init(&s->out);
	idmap_spill_init(&s->hash.out);
	size_t max = (size_t)(b->memory / 4 / IDMAP_TMP_REC);
	s->max = max < 1024 ? 1024 : max;
	s->cap = s->max < 4096 ? s->max : 4096;
	s->buf = malloc(s->cap * IDMAP_TMP_REC);
	return s->buf ? 0 : build_fail(b, "out of memory");
}

/* Sorts the buffer and writes it as the next run. */
static int write_run(build *b, entry_sort *s)
{
	char path[4096];
	idmap_spill run;
	qsort(s->buf, s->n, IDMAP_TMP_REC, rec_cmp);
	build_path(b, path, sizeof path, "entry-run", (long)s->runs);
	idmap_spill_init(&run);
	if (idmap_spill_open(&run, path, IDMAP_ENTRY_SPILL_BUF, b->bg) < 0 ||
	    idmap_spill_write(&run, s->buf, s->n * IDMAP_TMP_REC) < 0 ||
	    idmap_spill_close(&run) < 0) {
		idmap_spill_close(&run);
		return build_fail_errno(b, "%s", path);
	}
	s->runs++;
	s->n = 0;
	return 0;
}

int entry_sort_add(build *b, entry_sort *s, const uint8_t rec[IDMAP_TMP_REC])
{
	if (s->n == s->cap && s->cap < s->max) {
		size_t cap = s->cap * 2 < s->max ? s->cap * 2 : s->max;
		uint8_t *n = realloc(s->buf, cap * IDMAP_TMP_REC);
		if (!n)
			return build_fail(b, "out of memory");
		s->buf = n;
		s->cap = cap;
	}
	if (s->n == s->cap && write_run(b, s) < 0)
		return -1;
	memcpy(s->buf + s->n * IDMAP_TMP_REC, rec, IDMAP_TMP_REC);
	s->n++;
	s->total++;
	return 0;
}

/* No run written: sort in memory and keep the entry records' bytes. */
static int sort_in_memory(build *b, entry_sort *s)
{
	qsort(s->buf, s->n, IDMAP_TMP_REC, rec_cmp);
	for (size_t i = 0; i < s->n; i++) {
		uint8_t *r = s->buf + i * IDMAP_TMP_REC;
		if (i > 0 && key_cmp(r - IDMAP_TMP_REC, r) == 0)
			return duplicate(b, r - IDMAP_TMP_REC, r);
	}
	/* compact to the on-disk size, in place (destinations never pass their sources) */
	if (entry_hash_begin(b, &s->hash, s->n) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		memmove(s->buf + i * IDMAP_ENTRY_RECORD_SIZE, s->buf + i * IDMAP_TMP_REC,
			IDMAP_ENTRY_RECORD_SIZE);
		if (entry_hash_add(b, &s->hash, s->buf + i * IDMAP_ENTRY_RECORD_SIZE, i) < 0)
			return -1;
	}
	s->sorted = s->buf;
	s->sorted_len = s->n * IDMAP_ENTRY_RECORD_SIZE;
	s->buf = NULL;
	return 0;
}

typedef struct {
	FILE *f;
	uint8_t rec[IDMAP_TMP_REC];
	int live;
} run_reader;

static int next(run_reader *r)
{
	r->live = fread(r->rec, IDMAP_TMP_REC, 1, r->f) == 1;
	return r->live || !ferror(r->f) ? 0 : -1;
}

/* Merges the runs into the ENTRY_RECORDS file, smallest record first. The runs are few
 * (a quarter of the budget each), so a linear scan finds the smallest. */
static int merge(build *b, entry_sort *s)
{
	char path[4096];
	int rc = -1;
	uint8_t prev[IDMAP_TMP_REC];
	int have_prev = 0;
	uint64_t index = 0;
	run_reader *rd = calloc(s->runs, sizeof *rd);
	if (!rd)
		return build_fail(b, "out of memory");
	if (entry_hash_begin(b, &s->hash, s->total) < 0)
		goto out;
	for (uint32_t i = 0; i < s->runs; i++) {
		build_path(b, path, sizeof path, "entry-run", (long)i);
		rd[i].f = fopen(path, "rb");
		if (!rd[i].f || setvbuf(rd[i].f, NULL, _IOFBF, READ_BUF) != 0 || next(&rd[i]) < 0) {
			build_fail_errno(b, "%s", path);
			goto out;
		}
		remove(path); /* the open file keeps its bytes until closed */
	}
	build_path(b, path, sizeof path, "entry-recs", 1);
	if (idmap_spill_open(&s->out, path, IDMAP_ENTRY_SPILL_BUF, b->bg) < 0) {
		build_fail_errno(b, "%s", path);
		goto out;
	}
	for (;;) {
		run_reader *min = NULL;
		for (uint32_t i = 0; i < s->runs; i++)
			if (rd[i].live && (!min || rec_cmp(rd[i].rec, min->rec) < 0))
				min = &rd[i];
		if (!min)
			break;
		if (have_prev && key_cmp(prev, min->rec) == 0) {
			duplicate(b, prev, min->rec);
			goto out;
		}
		memcpy(prev, min->rec, IDMAP_TMP_REC);
		have_prev = 1;
		if (entry_hash_add(b, &s->hash, min->rec, index++) < 0)
			goto out;
		if (idmap_spill_write(&s->out, min->rec, IDMAP_ENTRY_RECORD_SIZE) < 0 ||
		    next(min) < 0) {
			build_fail_errno(b, "merging the entry records");
			goto out;
		}
	}
	if (idmap_spill_flush(&s->out) < 0) {
		build_fail_errno(b, "%s", path);
		goto out;
	}
	s->merged = 1;
	rc = 0;
out:
	for (uint32_t i = 0; i < s->runs; i++)
		if (rd[i].f)
			fclose(rd[i].f);
	free(rd);
	return rc;
}

int entry_sort_park(build *b, entry_sort *s)
{
	if (s->n * IDMAP_TMP_REC <= b->memory / 32)
		return 0;
	if (write_run(b, s) < 0)
		return -1;
	free(s->buf);
	s->buf = NULL;
	s->cap = 0;
	return 0;
}

int entry_sort_finish(build *b, entry_sort *s)
{
	int rc;
	if (s->runs == 0) {
		rc = sort_in_memory(b, s);
	} else if (s->n && write_run(b, s) < 0) {
		return -1;
	} else {
		free(s->buf);
		s->buf = NULL;
		build_log(b, "entries: merging %u sorted runs", s->runs);
		rc = merge(b, s);
	}
	return rc < 0 ? -1 : entry_hash_finish(b, &s->hash);
}

int entry_sort_add_section(build *b, entry_sort *s, idmap_index_writer *w)
{
	if (entry_hash_add_section(b, &s->hash, w) < 0)
		return -1;
	if (s->merged) {
		char path[4096];
		build_path(b, path, sizeof path, "entry-recs", 1);
		if (idmap_spill_close(&s->out) < 0)
			return build_fail_errno(b, "%s", path);
		if (idmap_iw_add_file(w, IDMAP_SECTION_ENTRY_RECORDS, path, s->out.bytes,
				      s->out.crc) < 0)
			return build_fail(b, "out of memory");
		return 0;
	}
	uint8_t *recs = s->sorted;
	s->sorted = NULL;
	if (idmap_iw_give_mem(w, IDMAP_SECTION_ENTRY_RECORDS, recs, s->sorted_len,
			      libdeflate_crc32(0, recs, s->sorted_len)) < 0)
		return build_fail(b, "out of memory");
	return 0;
}

void entry_sort_free(entry_sort *s)
{
	entry_hash_free(&s->hash);
	idmap_spill_close(&s->out);
	free(s->buf);
	free(s->sorted);
	s->buf = s->sorted = NULL;
}
