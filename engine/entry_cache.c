/* The block cache of FASTA and column reads: one decompressor and the last inflated block,
 * so that records of one block in a row cost one inflate. A cache belongs to one thread at a
 * time (no locks): callers own one, or the wrappers use their thread's own. */
#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "entry_internal.h"
#include "index_internal.h"

struct idmap_entry_cache {
	struct libdeflate_decompressor *d;
	uint8_t *buf;
	size_t cap, len;
	/* the block held: its store's data and its BLOCKS entry, compared whole so that a
	 * store mapped later at the same address cannot be served a stale block */
	const uint8_t *data;
	uint8_t ent[IDMAP_ENTRY_BLOCK_SIZE];
	int valid;
	uint64_t hits, misses;
};

IDMAP_API idmap_entry_cache *idmap_entry_cache_new(void)
{
	idmap_entry_cache *c = calloc(1, sizeof *c);
	if (c && !(c->d = libdeflate_alloc_decompressor())) {
		free(c);
		c = NULL;
	}
	return c;
}

IDMAP_API void idmap_entry_cache_free(idmap_entry_cache *c)
{
	if (!c)
		return;
	libdeflate_free_decompressor(c->d);
	free(c->buf);
	free(c);
}

IDMAP_API void idmap_entry_cache_counts(const idmap_entry_cache *c, uint64_t *hits,
					uint64_t *misses)
{
	*hits = c ? c->hits : 0;
	*misses = c ? c->misses : 0;
}

IDMAP_API int idmap_entry_block_of(const idmap_index *ix, const idmap_entry *e,
				   uint64_t *block)
{
	if (!ix || !e || !block || !ix->entries.info || e->record >= ix->entries.n_recs)
		return IDMAP_ERR_INVALID;
	*block = idmap_rd32(idmap_entry_rec(&ix->entries, e->record) + IDMAP_ER_BLOCK);
	return IDMAP_OK;
}

int idmap_entry_cache_block(idmap_entry_cache *c, const idmap_entry_store *s, uint64_t b,
			    const uint8_t **out, size_t *len)
{
	if (b >= s->n_blocks)
		return IDMAP_ERR_CORRUPT;
	const uint8_t *ent = s->blocks + b * IDMAP_ENTRY_BLOCK_SIZE;
	if (c->valid && c->data == s->data && memcmp(c->ent, ent, IDMAP_ENTRY_BLOCK_SIZE) == 0) {
		c->hits++;
		*out = c->buf;
		*len = c->len;
		return IDMAP_OK;
	}
	c->misses++;
	c->valid = 0;
	uint32_t ulen = idmap_rd32(ent + 12);
	if (ulen <= IDMAP_ENTRY_MAX_BLOCK && ulen > c->cap) {
		uint8_t *nb = realloc(c->buf, ulen);
		if (!nb)
			return IDMAP_ERR_NOMEM;
		c->buf = nb;
		c->cap = ulen;
	}
	int rc = idmap_entry_inflate(s, b, c->d, c->buf, &c->len);
	if (rc != IDMAP_OK)
		return rc;
	c->data = s->data;
	memcpy(c->ent, ent, IDMAP_ENTRY_BLOCK_SIZE);
	c->valid = 1;
	*out = c->buf;
	*len = c->len;
	return IDMAP_OK;
}

void idmap_entry_cache_take(idmap_entry_cache *c)
{
	c->buf = NULL;
	c->cap = c->len = 0;
	c->valid = 0;
}

/* The calling thread's cache, freed when the thread ends. */
static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int key_ok;

static void drop(void *c) { idmap_entry_cache_free(c); }
static void make_key(void) { key_ok = pthread_key_create(&key, drop) == 0; }

idmap_entry_cache *idmap_entry_thread_cache(void)
{
	pthread_once(&once, make_key);
	if (!key_ok)
		return NULL;
	idmap_entry_cache *c = pthread_getspecific(key);
	if (!c && (c = idmap_entry_cache_new()) && pthread_setspecific(key, c) != 0) {
		idmap_entry_cache_free(c);
		c = NULL;
	}
	return c;
}
