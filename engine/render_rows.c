/* Result rows on several threads: a large job's rows are rendered in chunks, one chunk per
 * thread at a time, into memory, and the chunks are written in order, so the output is the
 * bytes one thread would write. Rendering a row (decoding its values, formatting them) costs
 * about as much as mapping its id, which already runs on every thread (mapper.c). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "idmap_vec.h"
#include "semantics.h"

/* Rows per chunk: a few MB of text, small next to the job's own arrays, large enough that a
 * thread's start is nothing next to its work. */
#define ROW_CHUNK ((uint64_t)1 << 15)

/* Threads at most: the chunks are written by one thread, which a few renderers keep busy;
 * more would only hold more chunks in memory. */
#define MAX_THREADS 8u

typedef struct {
	const idmap_job *j;
	const uint64_t *rows;
	idmap_row_fn row;
	void *ctx;
	uint64_t lo, hi; /* positions of this chunk */
	idmap_obuf o;	 /* writes into text */
	idmap_str text;
	int rc;
	int started; /* on its own thread, tid */
	pthread_t tid;
} chunk;

static int to_text(void *ctx, const void *p, size_t n)
{
	return idmap_str_put(ctx, p, n);
}

static void *chunk_main(void *arg)
{
	chunk *k = arg;
	k->text.len = 0;
	idmap_obuf_init(&k->o, to_text, &k->text);
	k->rc = IDMAP_OK;
	for (uint64_t pos = k->lo; pos < k->hi && k->rc == IDMAP_OK && k->o.rc == IDMAP_OK; pos++)
		k->rc = k->row(k->ctx, &k->o, k->rows ? k->rows[pos] : pos, pos);
	idmap_obuf_flush(&k->o);
	if (k->rc == IDMAP_OK && k->o.rc != IDMAP_OK)
		k->rc = IDMAP_ERR_NOMEM; /* to_text fails only when memory runs out */
	return NULL;
}

/* Hands text to out's writer in pieces of out's buffer size, as idmap_obuf_flush would. */
static void write_text(idmap_obuf *out, const idmap_str *t)
{
	idmap_obuf_flush(out);
	for (size_t at = 0; at < t->len && out->rc == IDMAP_OK; at += sizeof out->buf) {
		size_t n = t->len - at < sizeof out->buf ? t->len - at : sizeof out->buf;
		if (out->write(out->ctx, t->p + at, n))
			out->rc = IDMAP_STOPPED;
	}
}

int idmap_render_rows(const idmap_job *j, uint64_t first, uint64_t end, const uint64_t *rows,
		      idmap_row_fn row, void *ctx, idmap_obuf *out)
{
	uint64_t chunks = (end - first + ROW_CHUNK - 1) / ROW_CHUNK;
	unsigned threads = j->threads ? j->threads : 1;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if (threads > chunks)
		threads = (unsigned)chunks;
	if (threads < 2) { /* straight into out */
		for (uint64_t pos = first; pos < end && out->rc == IDMAP_OK; pos++) {
			int rc = row(ctx, out, rows ? rows[pos] : pos, pos);
			if (rc != IDMAP_OK)
				return rc;
		}
		return out->rc;
	}
	chunk *k = calloc(threads, sizeof *k);
	if (!k)
		return IDMAP_ERR_NOMEM;
	int rc = IDMAP_OK;
	for (uint64_t at = first; at < end && rc == IDMAP_OK && out->rc == IDMAP_OK;) {
		unsigned n = 0;
		for (; n < threads && at < end; n++) {
			uint64_t hi = end - at < ROW_CHUNK ? end : at + ROW_CHUNK;
			k[n] = (chunk){j, rows, row, ctx, at, hi, .text = k[n].text};
			at = hi;
		}
		/* chunk 0 on this thread; a thread that cannot start leaves its chunk to it too */
		for (unsigned t = 1; t < n; t++)
			k[t].started = pthread_create(&k[t].tid, NULL, chunk_main, &k[t]) == 0;
		chunk_main(&k[0]);
		for (unsigned t = 1; t < n; t++) {
			if (k[t].started)
				pthread_join(k[t].tid, NULL);
			else
				chunk_main(&k[t]);
		}
		for (unsigned t = 0; t < n && rc == IDMAP_OK; t++) {
			rc = k[t].rc;
			if (rc == IDMAP_OK)
				write_text(out, &k[t].text);
		}
	}
	for (unsigned t = 0; t < threads; t++)
		free(k[t].text.p);
	free(k);
	return rc != IDMAP_OK ? rc : out->rc;
}
