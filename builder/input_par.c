/* Parsing idmapping.dat and idmapping_selected.tab on several threads (idmap_input_opts.threads).
 * A cutting thread reads the text after the first data line and cuts it into chunks at line
 * ends; worker threads parse whole chunks into triples (and prepare them, opts->prep); the
 * calling thread hands each chunk's triples to the callback in chunk order. The callback thus
 * sees what the serial reader gives it, and the first error in the input's order is the one
 * reported: a worker stops its chunk at a bad line, and the calling thread, once the triples
 * before it are delivered, parses that line again under its absolute number for the message.
 * Workers count lines within their chunk; the calling thread adds the chunks' counts. */
#define _GNU_SOURCE /* memrchr */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idmap_vec.h"
#include "parse.h"

#define DEFAULT_CHUNK ((size_t)1 << 20)
#define SPARE_SLOTS 2 /* chunks in flight beyond one per worker: one cut, one delivered */

enum { SLOT_FREE, SLOT_CUT, SLOT_PARSED };

/* A triple of a chunk, packed (48 bytes, not the 72 of an idmap_triple and its line: every
 * byte crosses from a worker's core to the calling thread's). The value is in the text. */
typedef struct {
	uint64_t acc, key_hi, acc_hi;
	const char *type;
	uint32_t value_at, type_id;
	uint32_t line; /* in the chunk, from 1 */
	uint16_t value_len, type_len;
	uint8_t prepared;
} par_rec;

typedef struct {
	int state;
	char *text;
	size_t len, cap;
	/* the cutter's: */
	int end;	 /* the last chunk; read_rc says why */
	int read_rc;	 /* IDMAP_GZ_EOF, IDMAP_GZ_ERROR (msg) or IDMAP_GZ_TOO_LONG */
	char msg[256];
	uint64_t bytes_in, text_bytes; /* the reader's counters once the chunk was cut */
	/* the worker's: */
	par_rec *recs;
	size_t nrec, rec_cap;
	uint32_t lines;	      /* lines of text gone through */
	uint64_t data_lines;  /* of them, data lines parsed (info->lines) */
	uint32_t bad_line;    /* 0, or the line that failed; the chunk stops there */
	size_t bad_at, bad_len;
	int oom;
} par_chunk;

typedef struct par par;

typedef struct {
	par *q;
	idmap_parser p;
	idmap_input_info info;
	char err[512];
	par_chunk *c;	/* being parsed */
	uint64_t seq;	/* its number */
	void *prep_state;
	pthread_t tid;
} par_worker;

struct par {
	idmap_gz_reader *r;
	const idmap_input_opts *o;
	idmap_input_kind kind;
	size_t target;
	par_chunk *slots;
	unsigned nslots, nworkers;
	uint64_t cut, taken; /* chunks cut, chunks taken by workers; under the lock */
	int cut_done, stop;
	pthread_mutex_t lock;
	pthread_cond_t cut_cv, parsed_cv, free_cv;
	pthread_t cutter;
	par_worker *workers;
};

/* ---- the cutting thread ---- */

/* Waits for slot seq to be free; NULL once the read is stopped. */
static par_chunk *free_slot(par *q, uint64_t seq)
{
	par_chunk *c = &q->slots[seq % q->nslots];
	pthread_mutex_lock(&q->lock);
	while (c->state != SLOT_FREE && !q->stop)
		pthread_cond_wait(&q->free_cv, &q->lock);
	int stop = q->stop;
	pthread_mutex_unlock(&q->lock);
	return stop ? NULL : c;
}

static void publish(par *q, par_chunk *c)
{
	c->bytes_in = idmap_gz_bytes_in(q->r);
	c->text_bytes = idmap_gz_bytes_out(q->r);
	pthread_mutex_lock(&q->lock);
	c->state = SLOT_CUT;
	q->cut++;
	q->cut_done = c->end;
	pthread_cond_broadcast(&q->cut_cv);
	pthread_mutex_unlock(&q->lock);
}

static void end_read(par_chunk *c, int rc, const char *msg)
{
	c->end = 1;
	c->read_rc = rc;
	if (msg)
		snprintf(c->msg, sizeof c->msg, "%s", msg);
}

/* Fills c from the reader (the pending bytes first) until it holds the target bytes and a
 * '\n' (the caller cuts after the last one), or ends the read (c->end). */
static void cut_one(par *q, par_chunk *c, const char **pend, size_t *pend_len)
{
	for (;;) {
		if (*pend_len == 0) {
			int rc = idmap_gz_read(q->r, pend, pend_len, c->msg, sizeof c->msg);
			if (rc != IDMAP_GZ_LINE) {
				*pend_len = 0;
				end_read(c, rc, NULL);
				return;
			}
		}
		/* up to the target size; past it (one long line) up to the room grown for it */
		size_t room = (c->len < q->target ? q->target : c->cap) - c->len;
		size_t n = room < *pend_len ? room : *pend_len;
		memcpy(c->text + c->len, *pend, n);
		c->len += n;
		*pend += n;
		*pend_len -= n;
		if (c->len < q->target) /* the reader's bytes all taken: more */
			continue;
		if (memrchr(c->text, '\n', c->len))
			return;
		/* One line fills the chunk: a longer one is refused (the worker says so) */
		if (c->len > IDMAP_GZ_MAX_LINE) {
			end_read(c, IDMAP_GZ_TOO_LONG, NULL);
			return;
		}
		if (idmap_vec_reserve(&c->text, &c->cap, IDMAP_GZ_MAX_LINE + 2, 1) < 0) {
			end_read(c, IDMAP_GZ_ERROR, "out of memory");
			return;
		}
	}
}

static void *cutter_main(void *arg)
{
	par *q = arg;
	const char *pend = NULL;
	size_t pend_len = 0;
	char *carry = NULL; /* the unfinished line after the last cut */
	size_t carry_len = 0, carry_cap = 0;
	for (uint64_t seq = 0;; seq++) {
		par_chunk *c = free_slot(q, seq);
		if (!c)
			break;
		c->len = 0;
		c->end = 0;
		c->read_rc = IDMAP_GZ_EOF;
		c->msg[0] = 0;
		size_t need = carry_len > q->target ? carry_len : q->target;
		if (idmap_vec_reserve(&c->text, &c->cap, need, 1) < 0) {
			end_read(c, IDMAP_GZ_ERROR, "out of memory");
			publish(q, c);
			break;
		}
		if (carry_len)
			memcpy(c->text, carry, carry_len);
		c->len = carry_len;
		cut_one(q, c, &pend, &pend_len);
		if (!c->end) {
			size_t at = (size_t)((char *)memrchr(c->text, '\n', c->len) + 1 - c->text);
			carry_len = c->len - at;
			if (idmap_vec_reserve(&carry, &carry_cap, carry_len, 1) < 0) {
				end_read(c, IDMAP_GZ_ERROR, "out of memory");
			} else {
				if (carry_len) /* carry may be NULL while nothing was carried */
					memcpy(carry, c->text + at, carry_len);
				c->len = at;
			}
		}
		publish(q, c);
		if (c->end)
			break;
	}
	free(carry);
	return NULL;
}

/* ---- the parsing threads ---- */

/* The parser's callback on a worker: keeps the triple for the calling thread. */
static int collect(void *ctx, const idmap_triple *t, char *err, size_t errlen)
{
	par_worker *w = ctx;
	par_chunk *c = w->c;
	if (idmap_vec_reserve(&c->recs, &c->rec_cap, c->nrec + 1, sizeof(*c->recs)) < 0) {
		c->oom = 1;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* t is idmap_parse_emit's own variable, not const: prepared in place. A copy of it
	 * would load it in 16-byte pieces just after its 8-byte field stores, a store-forwarding
	 * stall that took a third of this function's time. */
	idmap_triple *u = (idmap_triple *)t;
	if (w->q->o->prep)
		w->q->o->prep(w->q->o->ctx, &w->prep_state, w->seq, u);
	par_rec *r = &c->recs[c->nrec++];
	r->acc = u->acc;
	r->key_hi = u->key_hi;
	r->acc_hi = u->acc_hi;
	r->type = u->type;
	r->value_at = (uint32_t)(u->value - c->text);
	r->type_id = u->type_id;
	r->line = (uint32_t)w->p.line_no;
	r->value_len = (uint16_t)u->value_len;
	r->type_len = (uint16_t)u->type_len;
	r->prepared = (uint8_t)u->prepared;
	return 0;
}

/* Parses the lines of c up to the first bad one. The text after the last '\n' is a line
 * only at the end of the input (after a read error the reader returns no such line). */
static void parse_chunk(par_worker *w, par_chunk *c)
{
	par *q = w->q;
	const char *s = c->text, *end = c->text + c->len;
	int last = c->end && c->read_rc != IDMAP_GZ_ERROR;
	uint32_t line = 0;
	c->nrec = 0;
	c->bad_line = 0;
	c->oom = 0;
	w->info.lines = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl && !last)
			break;
		const char *e = nl ? nl : end;
		w->p.line_no = ++line;
		if (idmap_parse_data_line(&w->p, q->kind, s, (size_t)(e - s)) < 0) {
			c->bad_line = line;
			c->bad_at = (size_t)(s - c->text);
			c->bad_len = (size_t)(e - s);
			break;
		}
		s = nl ? nl + 1 : end;
	}
	c->lines = line;
	c->data_lines = w->info.lines;
}

static void *worker_main(void *arg)
{
	par_worker *w = arg;
	par *q = w->q;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->taken == q->cut && !q->cut_done && !q->stop)
			pthread_cond_wait(&q->cut_cv, &q->lock);
		if (q->stop || q->taken == q->cut)
			break;
		w->seq = q->taken++;
		w->c = &q->slots[w->seq % q->nslots];
		pthread_mutex_unlock(&q->lock);
		parse_chunk(w, w->c);
		pthread_mutex_lock(&q->lock);
		w->c->state = SLOT_PARSED;
		pthread_cond_broadcast(&q->parsed_cv);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* ---- the calling thread ---- */

static int discard(void *ctx, const idmap_triple *t, char *err, size_t errlen)
{
	(void)ctx, (void)t, (void)err, (void)errlen;
	return 0;
}

/* Hands chunk c's triples to the callback, lines numbered from base + 1; then its bad line's
 * error or the read's end. Returns 0 to go on, 1 at the clean end, -1 (p->err set). */
static int deliver(par *q, par_chunk *c, idmap_parser *p, uint64_t base)
{
	p->info->lines += c->data_lines;
	for (size_t i = 0; i < c->nrec; i++) {
		const par_rec *r = &c->recs[i];
		idmap_triple t = {r->acc,	  r->type,    r->type_len, c->text + r->value_at,
				  r->value_len, r->prepared, r->type_id, r->key_hi,
				  r->acc_hi};
		p->line_no = base + r->line;
		if (idmap_parse_emit_triple(p, &t) < 0)
			return -1;
	}
	p->info->bytes = c->bytes_in; /* live counters for progress reports */
	p->info->text_bytes = c->text_bytes;
	if (c->oom) {
		snprintf(p->err, p->errlen, "out of memory");
		return -1;
	}
	if (c->bad_line) {
		/* The same line again, on this thread, under its number: the same message. Its
		 * triples before the fault went to the callback already. */
		p->line_no = base + c->bad_line;
		idmap_triple_fn fn = p->fn;
		p->fn = discard;
		int rc = idmap_parse_data_line(p, q->kind, c->text + c->bad_at, c->bad_len);
		p->fn = fn;
		if (rc == 0)
			idmap_parse_fail(p, "internal error: a parsing thread refused the line");
		return -1;
	}
	if (!c->end)
		return 0;
	if (c->read_rc == IDMAP_GZ_ERROR) {
		snprintf(p->err, p->errlen, "%s: %s", p->path, c->msg);
		return -1;
	}
	return 1;
}

static void stop_all(par *q, unsigned started)
{
	pthread_mutex_lock(&q->lock);
	q->stop = 1;
	pthread_cond_broadcast(&q->cut_cv);
	pthread_cond_broadcast(&q->free_cv);
	pthread_mutex_unlock(&q->lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(q->workers[i].tid, NULL);
}

static void free_par(par *q)
{
	for (unsigned i = 0; q->workers && i < q->nworkers; i++) {
		idmap_parser_free(&q->workers[i].p);
		if (q->o->prep_free && q->workers[i].prep_state)
			q->o->prep_free(q->workers[i].prep_state);
	}
	for (unsigned i = 0; q->slots && i < q->nslots; i++) {
		free(q->slots[i].text);
		free(q->slots[i].recs);
	}
	free(q->slots);
	free(q->workers);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cut_cv);
	pthread_cond_destroy(&q->parsed_cv);
	pthread_cond_destroy(&q->free_cv);
}

int idmap_input_par(idmap_gz_reader *r, idmap_parser *p, idmap_input_kind kind,
		    const idmap_input_opts *o)
{
	par q;
	memset(&q, 0, sizeof q);
	q.r = r;
	q.o = o;
	q.kind = kind;
	q.target = o->chunk ? o->chunk : DEFAULT_CHUNK;
	q.nworkers = o->threads;
	q.nslots = o->threads + SPARE_SLOTS;
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.cut_cv, NULL);
	pthread_cond_init(&q.parsed_cv, NULL);
	pthread_cond_init(&q.free_cv, NULL);
	q.slots = calloc(q.nslots, sizeof(*q.slots));
	q.workers = calloc(q.nworkers, sizeof(*q.workers));
	if (!q.slots || !q.workers) {
		free_par(&q);
		return 1;
	}
	unsigned started = 0;
	for (; started < q.nworkers; started++) {
		par_worker *w = &q.workers[started];
		w->q = &q;
		w->p.path = p->path;
		w->p.info = &w->info;
		w->p.fn = collect;
		w->p.ctx = w;
		w->p.err = w->err;
		w->p.errlen = sizeof w->err;
		if (pthread_create(&w->tid, NULL, worker_main, w) != 0)
			break;
	}
	if (started < q.nworkers || pthread_create(&q.cutter, NULL, cutter_main, &q) != 0) {
		stop_all(&q, started);
		free_par(&q);
		return 1;
	}
	uint64_t base = p->line_no;
	int rc = 0;
	for (uint64_t seq = 0; rc == 0; seq++) {
		par_chunk *c = &q.slots[seq % q.nslots];
		pthread_mutex_lock(&q.lock);
		while (c->state != SLOT_PARSED)
			pthread_cond_wait(&q.parsed_cv, &q.lock);
		pthread_mutex_unlock(&q.lock);
		rc = deliver(&q, c, p, base);
		base += c->lines;
		pthread_mutex_lock(&q.lock);
		c->state = SLOT_FREE;
		pthread_cond_broadcast(&q.free_cv);
		pthread_mutex_unlock(&q.lock);
	}
	stop_all(&q, started);
	pthread_join(q.cutter, NULL);
	free_par(&q);
	return rc < 0 ? -1 : 0;
}
