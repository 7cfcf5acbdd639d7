/* The entry store of an open index (entry.c, entry_fasta.c, entry_verify.c). Not installed. */
#ifndef IDMAP_ENTRY_INTERNAL_H
#define IDMAP_ENTRY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "entry_format.h"
#include "idmap.h"

typedef struct {
	const uint8_t *info, *blocks, *data, *recs, *hash; /* NULL info: no store */
	uint64_t n_blocks, n_recs, data_len, store_bytes;
	uint64_t n_slots, n_homes; /* ENTRY_HASH slots, home slots */
	uint32_t rec_size;
} idmap_entry_store;

struct idmap_index;

/* Locates and checks the store's sections at open: lengths and ENTRY_INFO (its CRC too).
 * IDMAP_OK (also without a store), IDMAP_ERR_VERSION (another store version: rebuild) or
 * IDMAP_ERR_CORRUPT, with a line in detail. */
int idmap_entries_open(struct idmap_index *ix, char *detail, size_t len);

/* Record i's bytes. */
static inline const uint8_t *idmap_entry_rec(const idmap_entry_store *s, uint64_t i)
{
	return s->recs + i * s->rec_size;
}

/* The kind of record r (IDMAP_EK_*: the same values as idmap_entry_kind). */
static inline int idmap_entry_rec_kind(const uint8_t *r)
{
	uint8_t space = r[IDMAP_ER_SPACE];
	if (space == IDMAP_ES_UNIPROTKB)
		return (idmap_rd64(r + IDMAP_ER_CODE) & 0x7FF) ? IDMAP_EK_ISOFORM
		       : (r[IDMAP_ER_FLAGS] & IDMAP_EF_REVIEWED) ? IDMAP_EK_SWISSPROT
								  : IDMAP_EK_TREMBL;
	if (space == IDMAP_ES_UNIPARC)
		return IDMAP_EK_UNIPARC;
	return IDMAP_EK_UNIREF100 + (space - IDMAP_ES_UNIREF) / 2;
}

struct libdeflate_decompressor;

/* Inflates block b with d into buf (room for the block's length, at most
 * IDMAP_ENTRY_MAX_BLOCK), checking its bounds and CRC: IDMAP_OK or IDMAP_ERR_CORRUPT. */
int idmap_entry_inflate(const idmap_entry_store *s, uint64_t b,
			struct libdeflate_decompressor *d, uint8_t *buf, size_t *len);

/* Block b through cache c: *out stays valid until c's next call or free. IDMAP_OK,
 * IDMAP_ERR_CORRUPT or IDMAP_ERR_NOMEM (entry_cache.c). */
int idmap_entry_cache_block(idmap_entry_cache *c, const idmap_entry_store *s, uint64_t b,
			    const uint8_t **out, size_t *len);

/* Hands c's buffer to the caller (c forgets it). */
void idmap_entry_cache_take(idmap_entry_cache *c);

/* The calling thread's own cache (freed with the thread), NULL when out of memory. */
idmap_entry_cache *idmap_entry_thread_cache(void);

/* Inflates block b into a new buffer (*len bytes), checking its bounds and CRC. Returns
 * IDMAP_OK, IDMAP_ERR_CORRUPT or IDMAP_ERR_NOMEM. */
int idmap_entry_block(const idmap_entry_store *s, uint64_t b, uint8_t **out, size_t *len);

/* Checks record r against its block's length ulen: its head, at least one header byte and
 * its residues fit. 0 or -1. */
int idmap_entry_rec_ok(const uint8_t *r, size_t ulen);

/* A record's text in its inflated block. Spans are (offset, length) in the header. */
typedef struct {
	const uint8_t *header, *seq;
	size_t header_len, seq_len;
	uint16_t name[2], organism[2], gene[2];
} idmap_entry_text;

/* The text of record r in its block blk[0, ulen), checked: the header and residues inside
 * the block, the spans inside the header. IDMAP_OK or IDMAP_ERR_CORRUPT. */
int idmap_entry_text_of(const uint8_t *r, const uint8_t *blk, size_t ulen, idmap_entry_text *t);

/* Every block (CRC, bounds) and record (order, bounds) of the store. IDMAP_OK or
 * IDMAP_ERR_CORRUPT with a line in detail. */
int idmap_entries_verify(const struct idmap_index *ix, char *detail, size_t len);

#endif
