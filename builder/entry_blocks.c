/* Entry blocks compressed on worker threads, written in order (entry_blocks.h). Slots are
 * used round robin: tail is the oldest block not yet handed to the sink, the pending ones
 * follow it, and the slot after them is the one being filled. */
#include "entry_blocks.h"

#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>

#define MAX_WORKERS 16

enum { FREE, READY, BUSY, DONE };

typedef struct {
	uint8_t *raw, *out;
	size_t raw_len, raw_cap, out_len, out_cap;
	int state;
	uint32_t number;
} slot;

typedef struct {
	entry_blocks *eb;
	struct libdeflate_compressor *c;
} worker;

struct entry_blocks {
	slot *slots;
	uint32_t nslots, tail, pending;
	int filling;	  /* the slot after the pending ones holds a started block */
	uint32_t started; /* blocks started */
	uint32_t sunk;	  /* blocks handed to the sink */
	size_t target;
	entry_block_sink sink;
	void *ctx;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	pthread_t th[MAX_WORKERS];
	worker w[MAX_WORKERS]; /* w[0].c also serves the caller when no thread runs */
	uint32_t nth;
	int stop;
};

static slot *at(entry_blocks *eb, uint32_t i) { return &eb->slots[(eb->tail + i) % eb->nslots]; }

/* Deflates s with c; out_len 0 when out of memory. */
static void compress(slot *s, struct libdeflate_compressor *c)
{
	size_t bound = libdeflate_deflate_compress_bound(c, s->raw_len);
	s->out_len = 0;
	if (bound > s->out_cap) {
		uint8_t *n = realloc(s->out, bound);
		if (!n)
			return;
		s->out = n;
		s->out_cap = bound;
	}
	s->out_len = libdeflate_deflate_compress(c, s->raw, s->raw_len, s->out, s->out_cap);
}

static void *work(void *arg)
{
	worker *w = arg;
	entry_blocks *eb = w->eb;
	pthread_mutex_lock(&eb->lock);
	for (;;) {
		slot *s = NULL;
		for (uint32_t i = 0; i < eb->pending && !s; i++)
			if (at(eb, i)->state == READY)
				s = at(eb, i);
		if (!s) {
			if (eb->stop)
				break;
			pthread_cond_wait(&eb->work, &eb->lock);
			continue;
		}
		s->state = BUSY;
		pthread_mutex_unlock(&eb->lock);
		compress(s, w->c);
		pthread_mutex_lock(&eb->lock);
		s->state = DONE;
		pthread_cond_broadcast(&eb->done);
	}
	pthread_mutex_unlock(&eb->lock);
	return NULL;
}

entry_blocks *entry_blocks_new(uint32_t workers, size_t target, int level,
			       entry_block_sink sink, void *ctx)
{
	entry_blocks *eb = calloc(1, sizeof *eb);
	if (!eb)
		return NULL;
	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	eb->nslots = 2 * workers + 1; /* a block per worker in flight, as many waiting */
	eb->slots = calloc(eb->nslots, sizeof *eb->slots);
	eb->target = target;
	eb->sink = sink;
	eb->ctx = ctx;
	pthread_mutex_init(&eb->lock, NULL);
	pthread_cond_init(&eb->work, NULL);
	pthread_cond_init(&eb->done, NULL);
	for (uint32_t i = 0; i < (workers ? workers : 1); i++) {
		eb->w[i].eb = eb;
		if (!(eb->w[i].c = libdeflate_alloc_compressor(level))) {
			entry_blocks_free(eb);
			return NULL;
		}
	}
	if (!eb->slots) {
		entry_blocks_free(eb);
		return NULL;
	}
	/* a worker that does not start leaves its blocks to the others, or to the caller */
	while (eb->nth < workers && pthread_create(&eb->th[eb->nth], NULL, work, &eb->w[eb->nth]) == 0)
		eb->nth++;
	return eb;
}

/* Hands the oldest pending block to the sink once it is compressed (waiting for it when
 * wait is set). Returns 1 when one was handed over, 0 when none was ready, -1 on failure. */
static int sink_one(entry_blocks *eb, int wait, const char **why)
{
	slot *s = at(eb, 0);
	pthread_mutex_lock(&eb->lock);
	while (wait && eb->pending && s->state != DONE)
		pthread_cond_wait(&eb->done, &eb->lock);
	int ready = eb->pending && s->state == DONE;
	pthread_mutex_unlock(&eb->lock);
	if (!ready)
		return 0;
	if (s->out_len == 0)
		return *why = "out of memory compressing an entry block", -1;
	if (eb->sink(eb->ctx, s->number, s->raw, s->raw_len, s->out, s->out_len) < 0)
		return *why = NULL, -1;
	pthread_mutex_lock(&eb->lock);
	s->state = FREE;
	eb->tail = (eb->tail + 1) % eb->nslots;
	eb->pending--;
	eb->sunk++;
	pthread_mutex_unlock(&eb->lock);
	return 1;
}

/* Queues the block being filled for compression (or compresses it without workers). */
static void submit(entry_blocks *eb)
{
	slot *s = at(eb, eb->pending);
	eb->filling = 0;
	if (eb->nth == 0) {
		compress(s, eb->w[0].c);
		s->state = DONE;
	} else {
		s->state = READY;
	}
	pthread_mutex_lock(&eb->lock);
	eb->pending++;
	pthread_cond_signal(&eb->work);
	pthread_mutex_unlock(&eb->lock);
}

int entry_blocks_room(entry_blocks *eb, size_t need, uint8_t **dst, uint32_t *block,
		      size_t *offset, const char **why)
{
	slot *s = at(eb, eb->pending);
	if (eb->filling && s->raw_len > 0 && s->raw_len + need > eb->target) {
		submit(eb);
		int rc;
		while ((rc = sink_one(eb, 0, why)) > 0)
			;
		if (rc < 0)
			return -1;
	}
	if (!eb->filling) {
		/* every slot pending: the oldest must leave first */
		if (eb->pending == eb->nslots && sink_one(eb, 1, why) < 0)
			return -1;
		s = at(eb, eb->pending);
		s->raw_len = 0;
		s->number = eb->started++;
		eb->filling = 1;
	}
	size_t cap = s->raw_len + need > eb->target ? s->raw_len + need : eb->target;
	if (cap > s->raw_cap) {
		uint8_t *n = realloc(s->raw, cap);
		if (!n)
			return *why = "out of memory", -1;
		s->raw = n;
		s->raw_cap = cap;
	}
	*dst = s->raw + s->raw_len;
	*block = s->number;
	*offset = s->raw_len;
	return 0;
}

void entry_blocks_wrote(entry_blocks *eb, size_t need) { at(eb, eb->pending)->raw_len += need; }

/* Ends the workers once no block is left for them; the caller compresses from then on. */
static void stop_workers(entry_blocks *eb)
{
	pthread_mutex_lock(&eb->lock);
	eb->stop = 1;
	pthread_cond_broadcast(&eb->work);
	pthread_mutex_unlock(&eb->lock);
	for (uint32_t i = 0; i < eb->nth; i++)
		pthread_join(eb->th[i], NULL);
	eb->nth = 0;
}

int entry_blocks_flush(entry_blocks *eb, const char **why)
{
	if (eb->filling)
		submit(eb);
	while (eb->pending)
		if (sink_one(eb, 1, why) < 0)
			return -1;
	stop_workers(eb);
	return 0;
}

uint32_t entry_blocks_count(const entry_blocks *eb) { return eb->sunk; }

void entry_blocks_free(entry_blocks *eb)
{
	if (!eb)
		return;
	stop_workers(eb);
	for (uint32_t i = 0; eb->slots && i < eb->nslots; i++) {
		free(eb->slots[i].raw);
		free(eb->slots[i].out);
	}
	for (uint32_t i = 0; i < MAX_WORKERS; i++)
		libdeflate_free_compressor(eb->w[i].c);
	pthread_mutex_destroy(&eb->lock);
	pthread_cond_destroy(&eb->work);
	pthread_cond_destroy(&eb->done);
	free(eb->slots);
	free(eb);
}
