/* idmapping_selected.tab read in step with idmapping.dat (input.h). Rows are copied out of the
 * line reader, so that two can be looked at before either is used, and a row handed over stays
 * in place until the next call (the taker's triples point into its text).
 * Alone (o->threads < 2) the calling thread reads and parses each row when it is used. With
 * parsing threads, a thread of the reader's own reads and parses the rows ahead into a small
 * queue, and the calling thread, which takes idmapping.dat's triples in order and is the
 * build's serial part, only hands the parsed triples on: the same triples in the same order
 * and the same first error either way. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accession.h"
#include "idmap_vec.h"
#include "input.h"
#include "parse.h"

/* Rows a reading thread keeps parsed ahead: enough to ride out a slow row. A side that
 * waits is woken only once the other has made room for, or filled, a quarter of them: one
 * wake-up per batch of rows, not per row. */
#define QUEUED 64u
#define WAKE (QUEUED / 4)

typedef struct {
	char *text;
	size_t len, cap;
	uint64_t acc;	  /* of its first column; 0 when that is no accession (parsing says) */
	uint64_t line_no; /* in the file */
	/* parsed by the reading thread: the triples (values in text), or the error */
	idmap_triple *t;
	size_t nt, tcap;
	int failed;
	char err[512];
} step_row;

struct idmap_input_step {
	idmap_gz_reader *r;
	idmap_parser p;
	idmap_input_info info;
	idmap_input_opts o;
	int oom;
	/* alone: */
	step_row *ahead[2]; /* rows read, not parsed: ahead[0] is the next */
	step_row *taken;    /* the row handed over last */
	step_row rows[3];
	int n;	 /* rows in ahead */
	int end; /* the reader gave no further line (the end, or an error the rest reports) */
	/* with a reading thread: row i of the file's rows is queue[i % QUEUED] */
	int threaded;
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	step_row queue[QUEUED];
	uint64_t filled, next, used; /* rows parsed; rows handed over; rows given back */
	int done;		     /* the thread makes no further row */
	int stop;		     /* asks the thread to stop */
	int thread_waits, caller_waits; /* who sleeps on cond */
};

static uint64_t row_acc(const char *line, size_t len)
{
	const char *tab = memchr(line, '\t', len);
	size_t n = tab ? (size_t)(tab - line) : 0;
	return n > 0 && n < IDMAP_ACC_TEXT_MAX ? idmap_acc_encode(line, n) : 0;
}

static int copy_row(idmap_input_step *s, step_row *row, const char *line, size_t len)
{
	if (idmap_vec_reserve(&row->text, &row->cap, len + 1, 1) < 0) {
		s->oom = 1;
		return -1;
	}
	memcpy(row->text, line, len);
	row->len = len;
	row->acc = row_acc(line, len);
	row->line_no = idmap_gz_line_number(s->r);
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
		if (len > 0) {
			if (copy_row(s, s->ahead[s->n], line, len) < 0)
				return -1;
			s->n++;
			return 0;
		}
	}
	return -1;
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

/* ---- the reading thread ---- */

/* The parser's callback on the reading thread: keeps the triple with its row. */
static int keep_triple(void *ctx, const idmap_triple *t, char *err, size_t errlen)
{
	step_row *row = ctx;
	if (idmap_vec_reserve(&row->t, &row->tcap, row->nt + 1, sizeof *row->t) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	row->t[row->nt++] = *t;
	return 0;
}

/* Parses row ahead, on the reading thread (or before it starts). 0, or -1: row->failed. */
static int parse_ahead(idmap_input_step *s, step_row *row)
{
	row->nt = 0;
	row->failed = parse_row(s, row, keep_triple, row, row->err, sizeof row->err) < 0;
	return row->failed ? -1 : 0;
}

static void *reading_thread(void *arg)
{
	idmap_input_step *s = arg;
	for (;;) {
		pthread_mutex_lock(&s->lock);
		while (!s->stop && s->filled - s->used >= QUEUED) {
			s->thread_waits = 1;
			pthread_cond_wait(&s->cond, &s->lock);
			s->thread_waits = 0;
		}
		int stop = s->stop;
		pthread_mutex_unlock(&s->lock);
		if (stop)
			break;
		step_row *row = &s->queue[s->filled % QUEUED];
		const char *line;
		size_t len;
		char msg[256];
		int got;
		while ((got = idmap_gz_getline(s->r, &line, &len, msg, sizeof msg)) ==
			       IDMAP_GZ_LINE &&
		       len == 0)
			continue;
		int failed = 1;
		if (got == IDMAP_GZ_LINE && copy_row(s, row, line, len) < 0) {
			row->nt = 0;
			row->failed = 1;
			snprintf(row->err, sizeof row->err, "%s: out of memory", s->p.path);
		} else if (got == IDMAP_GZ_LINE) {
			failed = parse_ahead(s, row) < 0;
		}
		pthread_mutex_lock(&s->lock);
		if (got == IDMAP_GZ_LINE)
			s->filled++; /* a row that failed is handed over: its error is told then */
		s->done = failed;
		if (s->caller_waits && (failed || s->filled - s->next >= WAKE))
			pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		if (failed)
			break;
	}
	return NULL;
}

/* Row next + k (k = 0, 1) of the queue, waiting for the thread; NULL past the last. */
static step_row *queued(idmap_input_step *s, unsigned k)
{
	pthread_mutex_lock(&s->lock);
	while (s->filled <= s->next + k && !s->done) {
		s->caller_waits = 1;
		pthread_cond_wait(&s->cond, &s->lock);
		s->caller_waits = 0;
	}
	step_row *row = s->filled > s->next + k ? &s->queue[(s->next + k) % QUEUED] : NULL;
	pthread_mutex_unlock(&s->lock);
	return row;
}

/* Hands a parsed row's triples to fn, as the parser would have. */
static int replay(idmap_input_step *s, const step_row *row, idmap_triple_fn fn, void *ctx,
		  char *err, size_t errlen)
{
	if (row->failed) {
		snprintf(err, errlen, "%s", row->err);
		return -1;
	}
	for (size_t i = 0; i < row->nt; i++) {
		err[0] = '\0';
		int rc = fn(ctx, &row->t[i], err, errlen);
		if (rc == 0)
			continue;
		char msg[400];
		snprintf(msg, sizeof msg, "%s", err[0] ? err : "stopped by the consumer of the triples");
		if (rc == IDMAP_TRIPLE_REFUSED || !err[0])
			snprintf(err, errlen, "%s:%llu: %s", s->p.path,
				 (unsigned long long)row->line_no, msg);
		return -1;
	}
	return 0;
}

/* ---- either way ---- */

/* The k-th row not handed over yet (k = 0, 1), or NULL when there is none. */
static step_row *upcoming(idmap_input_step *s, int k)
{
	if (s->threaded)
		return queued(s, (unsigned)k);
	while (s->n <= k)
		if (read_row(s) < 0)
			return NULL;
	return s->ahead[k];
}

/* Hands the next row over: it stays in place until the next call on s. */
static void hand_over(idmap_input_step *s)
{
	if (s->threaded) {
		s->next++;
		return;
	}
	step_row *row = s->ahead[0];
	s->ahead[0] = s->ahead[1];
	s->ahead[1] = s->taken;
	s->taken = row;
	s->n--;
}

static int use_row(idmap_input_step *s, const step_row *row, idmap_triple_fn fn, void *ctx,
		   char *err, size_t errlen)
{
	return s->threaded ? replay(s, row, fn, ctx, err, errlen)
			   : parse_row(s, row, fn, ctx, err, errlen);
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
	int threaded = o->threads > 1;
	for (int i = 0; i < 2; i++)
		s->ahead[i] = &s->rows[i];
	s->taken = &s->rows[2];
	s->p.path = path;
	s->p.info = &s->info;
	s->p.err = scratch;
	s->p.errlen = sizeof scratch;
	const char *line;
	size_t len;
	step_row *first = threaded ? &s->queue[0] : s->ahead[0];
	/* Only a plain first data line: anything else (markup, a byte order mark, CR line ends,
	 * blank lines first) is left to the ordinary reading and its messages. */
	if (idmap_gz_getline(s->r, &line, &len, msg, sizeof msg) != IDMAP_GZ_LINE || len == 0 ||
	    line[len - 1] == '\r' || (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) ||
	    idmap_input_detect(&s->p, line, len, idmap_input_name_hint(path)) !=
		    IDMAP_KIND_SELECTED ||
	    copy_row(s, first, line, len) < 0) {
		idmap_input_step_close(s);
		return NULL;
	}
	s->info.kind = IDMAP_KIND_SELECTED;
	if (!threaded) {
		s->n = 1;
		return s;
	}
	/* threaded = 1: the queue and its lock; 2: a thread fills it. Without one (it failed,
	 * or could not start) the queued rows are all there is in step. */
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->threaded = 1;
	s->filled = 1;
	if (parse_ahead(s, first) < 0 || pthread_create(&s->tid, NULL, reading_thread, s) != 0)
		s->done = 1;
	else
		s->threaded = 2;
	return s;
}

/* Gives back the row handed over last (threaded: its slot may be filled again). */
static void give_back(idmap_input_step *s)
{
	if (s->threaded != 2 || s->used == s->next)
		return;
	pthread_mutex_lock(&s->lock);
	s->used = s->next;
	if (s->thread_waits && s->filled - s->used <= QUEUED - WAKE)
		pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

int idmap_input_step_row(idmap_input_step *s, uint64_t acc, idmap_triple_fn fn, void *ctx,
			 char *err, size_t errlen)
{
	give_back(s);
	step_row *row = upcoming(s, 0);
	if (!row)
		return 0;
	if (row->acc != acc) {
		/* The next row may belong to an entry idmapping.dat lacks (or has elsewhere): when
		 * the one after it is acc's, it is read as it is and the reading is in step again. */
		step_row *after = upcoming(s, 1);
		if (!after || after->acc != acc)
			return 0;
		hand_over(s);
		if (use_row(s, row, s->o.fn, s->o.ctx, err, errlen) < 0)
			return -1;
		row = after;
	}
	hand_over(s);
	return use_row(s, row, fn, ctx, err, errlen) < 0 ? -1 : 1;
}

/* Stops the reading thread (none: nothing); the rows it parsed stay in the queue. */
static void stop_thread(idmap_input_step *s)
{
	if (s->threaded != 2)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->tid, NULL);
	s->threaded = 1;
	s->done = 1;
}

int idmap_input_step_finish(idmap_input_step *s, idmap_input_info *info, char *err,
			    size_t errlen)
{
	int rc = 0;
	stop_thread(s);
	step_row *row;
	while (rc == 0 && (row = upcoming(s, 0)) != NULL) {
		hand_over(s);
		rc = use_row(s, row, s->o.fn, s->o.ctx, err, errlen);
	}
	if (rc == 0 && s->oom) {
		snprintf(err, errlen, "%s: out of memory", s->p.path);
		rc = -1;
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
	stop_thread(s);
	if (s->threaded) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->cond);
	}
	idmap_parser_free(&s->p);
	idmap_gz_close(s->r);
	for (int i = 0; i < 3; i++)
		free(s->rows[i].text);
	for (unsigned i = 0; i < QUEUED; i++) {
		free(s->queue[i].text);
		free(s->queue[i].t);
	}
	free(s);
}
