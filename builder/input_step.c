/* idmapping_selected.tab read in step with idmapping.dat (input.h). The reader keeps up to two
 * rows read ahead, copied out of the line reader, and the row last taken, whose text the
 * taker's triples point into. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accession.h"
#include "idmap_vec.h"
#include "input.h"
#include "parse.h"

typedef struct {
	char *text;
	size_t len, cap;
	uint64_t acc;	  /* of its first column; 0 when that is no accession (parsing says) */
	uint64_t line_no; /* in the file */
} step_row;

struct idmap_input_step {
	idmap_gz_reader *r;
	idmap_parser p;
	idmap_input_info info;
	idmap_input_opts o;
	step_row *ahead[2]; /* rows read, not parsed: ahead[0] is the next */
	step_row *taken;    /* the row parsed last */
	step_row rows[3];
	int n;	 /* rows in ahead */
	int end; /* the reader gave no further line (the end, or an error the rest reports) */
	int oom;
};

static uint64_t row_acc(const char *line, size_t len)
{
	const char *tab = memchr(line, '\t', len);
	size_t n = tab ? (size_t)(tab - line) : 0;
	return n > 0 && n < IDMAP_ACC_TEXT_MAX ? idmap_acc_encode(line, n) : 0;
}

static int keep_row(idmap_input_step *s, const char *line, size_t len)
{
	step_row *row = s->ahead[s->n];
	if (idmap_vec_reserve(&row->text, &row->cap, len + 1, 1) < 0) {
		s->oom = 1;
		return -1;
	}
	memcpy(row->text, line, len);
	row->len = len;
	row->acc = row_acc(line, len);
	row->line_no = idmap_gz_line_number(s->r);
	s->n++;
	return 0;
}

/* Reads the next non-empty line into ahead[n]. 0, or -1 at the end (or a reading error, which
 * idmap_input_step_finish reports when it reads on). */
static int read_row(idmap_input_step *s)
{
	const char *line;
	size_t len;
	char msg[256];
	while (!s->end && !s->oom) {
		if (idmap_gz_getline(s->r, &line, &len, msg, sizeof msg) != IDMAP_GZ_LINE) {
			s->end = 1;
			break;
		}
		if (len > 0)
			return keep_row(s, line, len);
	}
	return -1;
}

idmap_input_step *idmap_input_step_open(const char *path, const idmap_input_opts *o)
{
	if (strcmp(path, "-") == 0) /* a pipe read here could not be read again */
		return NULL;
	idmap_input_step *s = calloc(1, sizeof *s);
	char msg[256], scratch[256];
	if (!s || !(s->r = idmap_gz_open(path, msg, sizeof msg))) {
		free(s);
		return NULL;
	}
	s->o = *o;
	for (int i = 0; i < 2; i++)
		s->ahead[i] = &s->rows[i];
	s->taken = &s->rows[2];
	s->p.path = path;
	s->p.info = &s->info;
	s->p.err = scratch;
	s->p.errlen = sizeof scratch;
	const char *line;
	size_t len;
	/* Only a plain first data line: anything else (markup, a byte order mark, CR line ends,
	 * blank lines first) is left to the ordinary reading and its messages. */
	if (idmap_gz_getline(s->r, &line, &len, msg, sizeof msg) != IDMAP_GZ_LINE || len == 0 ||
	    line[len - 1] == '\r' || (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) ||
	    idmap_input_detect(&s->p, line, len, idmap_input_name_hint(path)) !=
		    IDMAP_KIND_SELECTED ||
	    keep_row(s, line, len) < 0) {
		idmap_input_step_close(s);
		return NULL;
	}
	s->info.kind = IDMAP_KIND_SELECTED;
	return s;
}

static int parse_row(idmap_input_step *s, const step_row *row, idmap_triple_fn fn, void *ctx,
		     char *err, size_t errlen)
{
	s->p.fn = fn;
	s->p.ctx = ctx;
	s->p.err = err;
	s->p.errlen = errlen;
	s->p.line_no = row->line_no;
	return idmap_parse_data_line(&s->p, IDMAP_KIND_SELECTED, row->text, row->len);
}

/* Drops ahead[0], the others moving up. */
static void shift(idmap_input_step *s)
{
	step_row *first = s->ahead[0];
	s->ahead[0] = s->ahead[1];
	s->ahead[1] = first;
	s->n--;
}

int idmap_input_step_row(idmap_input_step *s, uint64_t acc, idmap_triple_fn fn, void *ctx,
			 char *err, size_t errlen)
{
	if (s->n == 0 && read_row(s) < 0)
		return 0;
	if (s->ahead[0]->acc != acc) {
		/* The next row may belong to an entry idmapping.dat lacks (or has elsewhere): when
		 * the one after it is acc's, it is read as it is and the reading is in step again. */
		if (s->n == 1 && read_row(s) < 0)
			return 0;
		if (s->ahead[1]->acc != acc)
			return 0;
		if (parse_row(s, s->ahead[0], s->o.fn, s->o.ctx, err, errlen) < 0)
			return -1;
		shift(s);
	}
	step_row *row = s->ahead[0];
	s->ahead[0] = s->taken;
	s->taken = row;
	shift(s);
	return parse_row(s, row, fn, ctx, err, errlen) < 0 ? -1 : 1;
}

int idmap_input_step_finish(idmap_input_step *s, idmap_input_info *info, char *err,
			    size_t errlen)
{
	int rc = 0;
	if (s->oom) {
		snprintf(err, errlen, "%s: out of memory", s->p.path);
		rc = -1;
	}
	while (rc == 0 && s->n > 0) {
		rc = parse_row(s, s->ahead[0], s->o.fn, s->o.ctx, err, errlen);
		shift(s);
	}
	if (rc == 0) {
		s->p.fn = s->o.fn;
		s->p.ctx = s->o.ctx;
		s->p.err = err;
		s->p.errlen = errlen;
		s->p.line_no = idmap_gz_line_number(s->r);
		rc = idmap_input_read_lines(s->r, &s->p, IDMAP_KIND_SELECTED, &s->o);
	}
	*info = s->info;
	return rc;
}

void idmap_input_step_close(idmap_input_step *s)
{
	if (!s)
		return;
	idmap_parser_free(&s->p);
	idmap_gz_close(s->r);
	for (int i = 0; i < 3; i++)
		free(s->rows[i].text);
	free(s);
}
