/* lookup_rate: library-level lookup rate of libidmap, one thread, warm index.
 *
 *   idmap-lookup-rate INDEX IDS_FILE --to TYPE      accession -> values of TYPE
 *   idmap-lookup-rate INDEX IDS_FILE --from TYPE    value of TYPE -> accessions
 *   ... --batch B    the batched API: idmap_acc_find_batch / idmap_key_find_batch on groups
 *                    of B ids (then idmap_fwd_batch for the pairs of the group), instead of one call each
 *   ... --find-only  with --batch: only find the slots, walk no pairs
 *   ... --text       reverse: also write each accession's text (idmap_acc_text), as a user's
 *                    output needs; without it a reverse walk reads only accession slots
 *
 * IDS_FILE holds one id per line. One untimed pass warms the page cache, then passes over
 * the ids repeat until at least --seconds (default 2) have passed. A lookup is one id found
 * and all of its pairs of the wanted type walked. Prints one line of key=value figures:
 *   lookups=N seconds=S rate=LOOKUPS_PER_S found=F pairs=P
 * Part of the bench/ harness; it asserts nothing. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idmap.h"

typedef struct {
	char *buf;
	size_t *off;
	size_t *len;
	const char **ptr; /* buf + off[i], for the batched calls */
	size_t n;
} id_list;

static int load_ids(const char *path, id_list *l)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1u << 20, used = 0;
	l->buf = malloc(cap);
	if (!l->buf)
		return -1;
	size_t n;
	while ((n = fread(l->buf + used, 1, cap - used, f)) > 0) {
		used += n;
		if (used == cap) {
			cap *= 2;
			char *nb = realloc(l->buf, cap);
			if (!nb)
				return -1;
			l->buf = nb;
		}
	}
	fclose(f);
	size_t lines = 0;
	for (size_t i = 0; i < used; i++)
		lines += l->buf[i] == '\n';
	l->off = malloc((lines + 1) * sizeof *l->off);
	l->len = malloc((lines + 1) * sizeof *l->len);
	if (!l->off || !l->len)
		return -1;
	l->n = 0;
	size_t start = 0;
	for (size_t i = 0; i <= used; i++) {
		if (i == used || l->buf[i] == '\n') {
			size_t e = i;
			if (e > start && l->buf[e - 1] == '\r')
				e--;
			if (e > start) {
				l->off[l->n] = start;
				l->len[l->n] = e - start;
				l->n++;
			}
			start = i + 1;
		}
	}
	l->ptr = malloc((l->n + 1) * sizeof *l->ptr);
	if (!l->ptr)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		l->ptr[i] = l->buf + l->off[i];
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct {
	uint64_t found, pairs, sum;
} tally;

static int pass_forward(idmap_index *ix, const id_list *l, uint32_t type, tally *t)
{
	for (size_t i = 0; i < l->n; i++) {
		uint64_t slot;
		int rc = idmap_acc_find(ix, l->buf + l->off[i], l->len[i], &slot);
		if (rc == IDMAP_ERR_NOT_FOUND)
			continue;
		if (rc != IDMAP_OK)
			return rc;
		t->found++;
		idmap_fwd_iter it;
		idmap_pair p;
		if ((rc = idmap_fwd_begin(ix, slot, type, &it)) != IDMAP_OK)
			return rc;
		while ((rc = idmap_fwd_next(&it, &p)) == IDMAP_OK) {
			t->pairs++;
			t->sum += p.len + (unsigned char)p.value[0];
		}
		if (rc != IDMAP_DONE)
			return rc;
	}
	return IDMAP_OK;
}

static int with_text;

/* One accession of a reverse walk: its slot, or with --text its text, tallied. */
static int tally_acc(const idmap_index *ix, uint64_t acc, tally *t)
{
	t->pairs++;
	if (!with_text) {
		t->sum += acc;
		return IDMAP_OK;
	}
	char text[IDMAP_ACC_TEXT_SIZE];
	size_t len;
	int rc = idmap_acc_text(ix, acc, text, &len);
	t->sum += len + (unsigned char)text[len - 1];
	return rc;
}

static int pass_reverse(idmap_index *ix, const id_list *l, uint32_t type, tally *t)
{
	for (size_t i = 0; i < l->n; i++) {
		uint64_t slot, acc;
		int rc = idmap_key_find(ix, type, l->buf + l->off[i], l->len[i], &slot);
		if (rc == IDMAP_ERR_NOT_FOUND)
			continue;
		if (rc != IDMAP_OK)
			return rc;
		t->found++;
		idmap_rev_iter it;
		if ((rc = idmap_rev_begin(ix, slot, &it, NULL)) != IDMAP_OK)
			return rc;
		while ((rc = idmap_rev_next(&it, &acc)) == IDMAP_OK)
			if ((rc = tally_acc(ix, acc, t)) != IDMAP_OK)
				return rc;
		if (rc != IDMAP_DONE)
			return rc;
	}
	return IDMAP_OK;
}

/* The batched API: find a group of ids at once, prefetch their records, then walk them. */
static int find_only;

static int count_pair(void *ctx, size_t i, const idmap_pair *p)
{
	tally *t = ctx;
	(void)i;
	t->pairs++;
	t->sum += p->len + (unsigned char)p->value[0];
	return 0;
}

static int pass_batch(idmap_index *ix, const id_list *l, int forward, uint32_t type, size_t b,
		      uint64_t *slots, tally *t)
{
	for (size_t i = 0; i < l->n; i += b) {
		size_t m = l->n - i < b ? l->n - i : b;
		int rc = forward ? idmap_acc_find_batch(ix, l->ptr + i, l->len + i, m, slots)
				 : idmap_key_find_batch(ix, type, l->ptr + i, l->len + i, m, slots);
		if (rc != IDMAP_OK)
			return rc;
		if (find_only) {
			for (size_t j = 0; j < m; j++)
				if (slots[j] != IDMAP_NO_SLOT)
					t->found++, t->sum += slots[j];
			continue;
		}
		if (forward) { /* the batched walk: records fetched for the whole group first */
			for (size_t j = 0; j < m; j++)
				t->found += slots[j] != IDMAP_NO_SLOT;
			if ((rc = idmap_fwd_batch(ix, slots, m, type, count_pair, t)) != IDMAP_OK)
				return rc;
			continue;
		}
		for (size_t j = 0; j < m; j++) {
			if (slots[j] == IDMAP_NO_SLOT)
				continue;
			t->found++;
			if (forward) {
				idmap_fwd_iter it;
				idmap_pair p;
				if ((rc = idmap_fwd_begin(ix, slots[j], type, &it)) != IDMAP_OK)
					return rc;
				while ((rc = idmap_fwd_next(&it, &p)) == IDMAP_OK) {
					t->pairs++;
					t->sum += p.len + (unsigned char)p.value[0];
				}
			} else {
				idmap_rev_iter it;
				uint64_t acc;
				if ((rc = idmap_rev_begin(ix, slots[j], &it, NULL)) != IDMAP_OK)
					return rc;
				while ((rc = idmap_rev_next(&it, &acc)) == IDMAP_OK)
					if ((rc = tally_acc(ix, acc, t)) != IDMAP_OK)
						return rc;
			}
			if (rc != IDMAP_DONE)
				return rc;
		}
	}
	return IDMAP_OK;
}

int main(int argc, char **argv)
{
	const char *index = NULL, *ids = NULL, *to = NULL, *from = NULL;
	double min_seconds = 2.0;
	size_t batch = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--to") && i + 1 < argc)
			to = argv[++i];
		else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from = argv[++i];
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			batch = (size_t)strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--find-only"))
			find_only = 1;
		else if (!strcmp(argv[i], "--text"))
			with_text = 1;
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			min_seconds = atof(argv[++i]);
		else if (!index)
			index = argv[i];
		else if (!ids)
			ids = argv[i];
		else
			index = NULL, i = argc;
	}
	if (!index || !ids || (!to) == (!from) || (find_only && !batch)) {
		fprintf(stderr, "usage: idmap-lookup-rate INDEX IDS_FILE (--to TYPE | --from TYPE) "
				"[--batch B [--find-only]] [--text] [--seconds S]\n");
		return 2;
	}
	idmap_index *ix;
	int rc = idmap_open(index, &ix);
	if (rc != IDMAP_OK) {
		fprintf(stderr, "idmap-lookup-rate: %s: %s\n", index, idmap_strerror(rc));
		return 1;
	}
	uint32_t type;
	if (idmap_type_find(ix, to ? to : from, &type) != IDMAP_OK) {
		fprintf(stderr, "idmap-lookup-rate: no ID type '%s' in %s\n", to ? to : from, index);
		return 1;
	}
	id_list l;
	if (load_ids(ids, &l) != 0 || l.n == 0) {
		fprintf(stderr, "idmap-lookup-rate: %s: cannot read ids\n", ids);
		return 1;
	}
	uint64_t *slots = batch ? malloc(batch * sizeof *slots) : NULL;
	if (batch && !slots) {
		fprintf(stderr, "idmap-lookup-rate: out of memory\n");
		return 1;
	}
#define PASS(tl)                                                                 \
	(batch ? pass_batch(ix, &l, to != NULL, type, batch, slots, (tl))          \
	 : to  ? pass_forward(ix, &l, type, (tl))                                  \
	       : pass_reverse(ix, &l, type, (tl)))
	tally warm = {0, 0, 0}, t = {0, 0, 0};
	rc = PASS(&warm);
	uint64_t passes = 0;
	double t0 = now(), el = 0;
	while (rc == IDMAP_OK && el < min_seconds) {
		rc = PASS(&t);
		passes++;
		el = now() - t0;
	}
	if (rc != IDMAP_OK) {
		fprintf(stderr, "idmap-lookup-rate: lookup failed: %s\n", idmap_strerror(rc));
		return 1;
	}
	uint64_t lookups = passes * l.n;
	printf("lookups=%llu seconds=%.3f rate=%.0f found=%llu pairs=%llu checksum=%llu\n",
	       (unsigned long long)lookups, el, (double)lookups / el,
	       (unsigned long long)warm.found, (unsigned long long)warm.pairs,
	       (unsigned long long)(t.sum & 0xffff));
	free(slots);
	idmap_close(ix);
	return 0;
}
