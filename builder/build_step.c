/* idmapping_selected.tab read in step with idmapping.dat (input.h says why). While the lines
 * of an entry in idmapping.dat go by, the pairs of its idmapping_selected.tab row wait in a
 * small hash table; each line marks the pair it repeats, and when the entry ends the pairs
 * left unmarked go on as if read from the row. At 1e7 lines of the generator's release, 5.0M
 * of the 6.9M pairs of the row file repeat a line: they no longer reach the partition files,
 * the keys phase's reading and sorting, or the accession partitions.
 * What the index holds does not change: a repeat would have been dropped in the keys phase. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accession.h"
#include "build_internal.h"
#include "idmap_vec.h"
#include "name_hash.h"

/* A gzip line reader holds up to 21 MiB. The ingest's own share of the budget is an eighth
 * (the partition writers) beside one reader; a second fits from 48 MiB on. Under this budget
 * the row file is read after idmapping.dat, as any input. */
#define STEP_MIN_MEMORY ((uint64_t)64 << 20)

typedef struct {
	const char *type_name, *value; /* the value points into the row's text */
	uint32_t type;
	uint16_t type_len, len;
	uint32_t hash; /* pair_hash() */
	uint32_t seen; /* repeated by a line of idmapping.dat (or earlier in the row) */
} step_pair;

typedef struct build_step {
	idmap_input_step *in;
	size_t input;	  /* the idmapping_selected.tab input */
	step_pair *pairs; /* of its row, when one was taken (the entry: build.step_acc) */
	size_t n, cap;
	uint32_t *table; /* pair index + 1, 0 = empty; mask + 1 slots */
	size_t table_cap;
	uint32_t mask;
	const char *last_name; /* the row parser's type names are static: the last one's id */
	uint32_t last_type;
	uint64_t rows, row_pairs, repeats; /* for the log */
} build_step;

/* The table only needs to spread a row's few dozen pairs: the type names' hash will do. */
static inline uint32_t pair_hash(uint32_t type, const char *v, size_t len)
{
	return (uint32_t)((idmap_name_hash(v, len) ^ (uint64_t)type << 32) >> 32);
}

/* The slot holding the pair (type, v), or the empty slot where it would go. */
static inline uint32_t *slot_of(build_step *s, uint32_t type, const char *v, size_t len,
				uint32_t hash)
{
	for (uint32_t i = hash & s->mask;; i = (i + 1) & s->mask) {
		uint32_t e = s->table[i];
		if (e == 0)
			return &s->table[i];
		const step_pair *p = &s->pairs[e - 1];
		if (p->hash == hash && p->type == type && p->len == len &&
		    idmap_name_eq(p->value, v, len))
			return &s->table[i];
	}
}

/* The row's triples (idmap_input_step_row). */
static int collect(void *ctx, const idmap_triple *t, char *err, size_t errlen)
{
	build *b = ctx;
	build_step *s = b->step;
	uint32_t type = s->last_type;
	if (t->type != s->last_name) {
		int rc = build_type_id(b, t, &type, err, errlen);
		if (rc != 0)
			return rc;
		s->last_name = t->type;
		s->last_type = type;
	}
	if (idmap_vec_reserve(&s->pairs, &s->cap, s->n + 1, sizeof *s->pairs) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	step_pair *p = &s->pairs[s->n++];
	p->type_name = t->type;
	p->value = t->value;
	p->type = type;
	p->type_len = (uint16_t)t->type_len;
	p->len = (uint16_t)t->value_len;
	p->hash = pair_hash(type, t->value, t->value_len);
	p->seen = 0;
	b->step_types |= 1ull << (type & 63);
	return 0;
}

static int index_row(build_step *s)
{
	size_t want = 16;
	while (want < 2 * s->n)
		want *= 2;
	if (want > s->table_cap) {
		free(s->table);
		if (!(s->table = malloc(want * sizeof *s->table))) {
			s->table_cap = 0;
			return -1;
		}
		s->table_cap = want;
	}
	s->mask = (uint32_t)want - 1;
	memset(s->table, 0, want * sizeof *s->table);
	for (size_t i = 0; i < s->n; i++) {
		step_pair *p = &s->pairs[i];
		uint32_t *slot = slot_of(s, p->type, p->value, p->len, p->hash);
		if (*slot)
			p->seen = 1;
		else
			*slot = (uint32_t)i + 1;
	}
	return 0;
}

/* The entry step_acc ended: its row's pairs that no line repeated go on. */
static int end_run(build *b, char *err, size_t errlen)
{
	build_step *s = b->step;
	s->row_pairs += s->n;
	for (size_t i = 0; i < s->n; i++) {
		const step_pair *p = &s->pairs[i];
		if (p->seen) {
			s->repeats++;
			continue;
		}
		idmap_triple t = {b->step_acc, p->type_name, p->type_len, p->value, p->len,
				  0, 0, 0, 0};
		int rc = build_add_pair(b, &t, p->type, NULL, err, errlen);
		if (rc != 0)
			return rc;
	}
	s->n = 0;
	b->step_types = 0;
	return 0;
}

void step_open(build *b)
{
	b->step_tried = 1;
	if (b->memory < STEP_MIN_MEMORY)
		return;
	idmap_input_opts o = *b->input_opts;
	o.fn = build_on_row_triple;
	for (size_t j = b->input_index + 1; j < b->o->n_inputs; j++) {
		idmap_input_step *in = idmap_input_step_open(b->o->inputs[j], &o);
		if (!in)
			continue;
		if (!(b->step = calloc(1, sizeof *b->step))) {
			idmap_input_step_close(in);
			return;
		}
		b->step->in = in;
		b->step->input = j;
		b->step_dat = b->input_index;
		return;
	}
}

/* An entry of idmapping.dat starts: the last one's row ends, acc's is taken if next. */
static int new_entry(build *b, uint64_t acc, char *err, size_t errlen)
{
	build_step *s = b->step;
	int rc = end_run(b, err, errlen);
	if (rc != 0)
		return rc;
	b->step_acc = acc;
	if (idmap_acc_isoform(acc)) /* the rows are of canonical accessions */
		return 0;
	rc = idmap_input_step_row(s->in, acc, collect, b, err, errlen);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		s->rows++;
		if (index_row(s) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

int step_dat_triple(build *b, uint64_t acc, uint32_t type, const char *value, size_t len,
		    char *err, size_t errlen)
{
	build_step *s = b->step;
	if (acc != b->step_acc) {
		int rc = new_entry(b, acc, err, errlen);
		if (rc != 0)
			return rc;
	}
	if (s->n && (b->step_types >> (type & 63) & 1)) {
		uint32_t *slot = slot_of(s, type, value, len, pair_hash(type, value, len));
		if (*slot)
			s->pairs[*slot - 1].seen = 1;
	}
	return 0;
}

int step_dat_end(build *b)
{
	b->step_dat = SIZE_MAX;
	return end_run(b, b->err, b->errlen) != 0 ? -1 : 0;
}

int step_is_input(const build *b, size_t i)
{
	return b->step && b->step->input == i;
}

int step_read_rest(build *b, idmap_input_info *info)
{
	build_step *s = b->step;
	int rc = idmap_input_step_finish(s->in, info, b->err, b->errlen);
	if (rc == 0)
		build_log(b, "read %s in step with idmapping.dat: %llu rows of %llu, %llu of their "
			     "%llu pairs were repeats",
			  b->o->inputs[s->input], (unsigned long long)s->rows,
			  (unsigned long long)info->lines, (unsigned long long)s->repeats,
			  (unsigned long long)s->row_pairs);
	step_free(b);
	return rc;
}

void step_free(build *b)
{
	build_step *s = b->step;
	if (!s)
		return;
	idmap_input_step_close(s->in);
	free(s->pairs);
	free(s->table);
	free(s);
	b->step = NULL;
	b->step_dat = SIZE_MAX;
}
