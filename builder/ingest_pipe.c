/* The ingest's second stage (build_internal.h, "ingest pipe"): the parsing thread appends each
 * triple to a batch; one thread takes the batches in order, hashes each triple and appends it
 * to its accession and key partition files. One consumer taking the batches in order writes
 * the files the parsing thread would have written alone, byte for byte. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_internal.h"

#define PIPE_BUFS 3u /* one filled, one hashed, one spare so neither waits on a hand-over */

struct ingest_pipe {
	build *b;
	uint8_t *buf[PIPE_BUFS];
	size_t len[PIPE_BUFS];
	int reset[PIPE_BUFS]; /* a new input starts with this batch */
	size_t cap;
	unsigned head, tail; /* batches handed over, batches done; under the mutex */
	int done, failed;
	char err[512];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t tid;
};

int build_part_triple(build *b, uint64_t acc, uint32_t type, const char *value, size_t len,
		      const build_hashes *h, char *err, size_t errlen)
{
	if (acc && acc != b->last_acc) {
		uint64_t hi = h ? h->acc_hi : idmap_hash_acc(acc, b->acc_seed).hi;
		idmap_spill *s = &b->acc_parts[file_of(hi, b->fbits)];
		if (idmap_spill_write(s, &acc, 8) < 0)
			goto io;
		idmap_spill_prefetch_next(s);
		s->records++;
		b->last_acc = acc;
	}
	uint64_t hi = h ? h->key_hi : idmap_hash_key(type, value, len, b->key_seed).hi;
	idmap_spill *s = &b->key_parts[file_of(hi, b->fbits)];
	uint16_t len16 = (uint16_t)len, type16 = (uint16_t)type;
	if (s->cap - s->len >= IDMAP_KEY_REC_HEAD + len) {
		/* Fields stored straight into the buffer: a header assembled on the stack and
		 * copied as a block would be read back across its field stores, which stalls. */
		uint8_t *p = s->buf + s->len;
		memcpy(p, &acc, 8);
		memcpy(p + 8, &type16, 2);
		memcpy(p + 10, &len16, 2);
		memcpy(p + IDMAP_KEY_REC_HEAD, value, len);
		s->len += IDMAP_KEY_REC_HEAD + len;
		s->bytes += IDMAP_KEY_REC_HEAD + len;
		idmap_spill_prefetch_next(s);
	} else {
		uint8_t head[IDMAP_KEY_REC_HEAD];
		memcpy(head, &acc, 8);
		memcpy(head + 8, &type16, 2);
		memcpy(head + 10, &len16, 2);
		if (idmap_spill_write(s, head, sizeof(head)) < 0 ||
		    idmap_spill_write(s, value, len) < 0)
			goto io;
	}
	s->records++;
	return 0;
io:
	snprintf(err, errlen, "writing temporary files in %s: %s", b->tmpdir, strerror(errno));
	return -1;
}

/* A batch record: u64 accession, u16 type, u16 length (HASHED set: the two build_hashes
 * follow), the value. */
#define HASHED 0x8000u
_Static_assert(IDMAP_MAX_VALUE < HASHED, "value lengths leave the flag bit free");

/* Partitions the triples of one batch. */
static int part_batch(ingest_pipe *p, const uint8_t *buf, size_t len)
{
	for (size_t at = 0; at < len;) {
		uint64_t acc;
		uint16_t type, n;
		build_hashes h, *hp = NULL;
		memcpy(&acc, buf + at, 8);
		memcpy(&type, buf + at + 8, 2);
		memcpy(&n, buf + at + 10, 2);
		at += 12;
		if (n & HASHED) {
			n &= (uint16_t)~HASHED;
			memcpy(&h, buf + at, sizeof(h));
			at += sizeof(h);
			hp = &h;
		}
		if (build_part_triple(p->b, acc, type, (const char *)buf + at, n, hp, p->err,
				      sizeof(p->err)) < 0)
			return -1;
		at += n;
	}
	return 0;
}

static void *pipe_main(void *arg)
{
	ingest_pipe *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->tail == p->head && !p->done)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->tail == p->head)
			break;
		unsigned k = p->tail % PIPE_BUFS;
		int failed = p->failed;
		pthread_mutex_unlock(&p->lock);
		/* after a failure the batches are only drained, so that the parser never waits */
		if (!failed && p->reset[k])
			p->b->last_acc = 0;
		int rc = failed ? 0 : part_batch(p, p->buf[k], p->len[k]);
		pthread_mutex_lock(&p->lock);
		if (rc < 0)
			p->failed = 1;
		p->tail++;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int ingest_pipe_start(build *b)
{
	/* With two threads the inflater, the parser and the background writer keep both cores
	 * busy already: a third busy thread made the 1e7 build 5% slower on 2 idle cores. */
	if (b->threads < 3)
		return 0;
	ingest_pipe *p = calloc(1, sizeof(*p));
	if (!p)
		return build_fail(b, "out of memory");
	p->b = b;
	/* at least one record of the largest value; small next to the partition buffers */
	p->cap = build_write_buf(b, (size_t)1 << 18);
	for (unsigned k = 0; k < PIPE_BUFS; k++)
		if (!(p->buf[k] = malloc(p->cap)))
			goto oom;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (pthread_create(&p->tid, NULL, pipe_main, p) != 0) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
		goto oom; /* no thread: the parsing thread partitions, as with --threads 1 */
	}
	b->pipe = p;
	return 0;
oom:
	for (unsigned k = 0; k < PIPE_BUFS; k++)
		free(p->buf[k]);
	free(p);
	return 0;
}

/* Hands the batch being filled over and takes the next free one. Returns -1 once the
 * consumer has failed. */
static int hand_over(ingest_pipe *p)
{
	pthread_mutex_lock(&p->lock);
	p->head++;
	pthread_cond_broadcast(&p->cond);
	while (p->head - p->tail >= PIPE_BUFS)
		pthread_cond_wait(&p->cond, &p->lock);
	int failed = p->failed;
	pthread_mutex_unlock(&p->lock);
	unsigned k = p->head % PIPE_BUFS;
	p->len[k] = 0;
	p->reset[k] = 0;
	return failed ? -1 : 0;
}

int ingest_pipe_put(ingest_pipe *p, uint64_t acc, uint32_t type, const char *value, size_t len,
		    const build_hashes *h, char *err, size_t errlen)
{
	size_t rec = 12 + (h ? sizeof(*h) : 0) + len;
	unsigned k = p->head % PIPE_BUFS;
	if (p->len[k] + rec > p->cap && hand_over(p) < 0) {
		snprintf(err, errlen, "%s", p->err);
		return -1;
	}
	k = p->head % PIPE_BUFS;
	uint8_t *q = p->buf[k] + p->len[k];
	uint16_t t16 = (uint16_t)type, l16 = (uint16_t)(len | (h ? HASHED : 0));
	memcpy(q, &acc, 8);
	memcpy(q + 8, &t16, 2);
	memcpy(q + 10, &l16, 2);
	q += 12;
	if (h) {
		memcpy(q, h, sizeof(*h));
		q += sizeof(*h);
	}
	memcpy(q, value, len);
	p->len[k] += rec;
	return 0;
}

int ingest_pipe_new_input(build *b)
{
	ingest_pipe *p = b->pipe;
	if (!p) {
		b->last_acc = 0;
		return 0;
	}
	unsigned k = p->head % PIPE_BUFS;
	if (p->len[k] && hand_over(p) < 0)
		return build_fail(b, "%s", p->err);
	p->reset[p->head % PIPE_BUFS] = 1;
	return 0;
}

int ingest_pipe_stop(build *b)
{
	ingest_pipe *p = b->pipe;
	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	if (p->len[p->head % PIPE_BUFS])
		p->head++;
	p->done = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->tid, NULL);
	int rc = p->failed ? build_fail(b, "%s", p->err) : 0;
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	for (unsigned k = 0; k < PIPE_BUFS; k++)
		free(p->buf[k]);
	free(p);
	b->pipe = NULL;
	return rc;
}
