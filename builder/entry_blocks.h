/* The blocks of the entry store while they are built (entry_blocks.c): texts are appended to
 * the block being filled; a full block goes to a ring of slots that worker threads deflate
 * while the caller goes on parsing, and compressed blocks leave through the sink strictly in
 * block order. Block boundaries and bytes depend only on the texts, never on the threads. */
#ifndef IDMAP_ENTRY_BLOCKS_H
#define IDMAP_ENTRY_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

/* Receives block number n: its text raw[0, raw_len) and DEFLATE stream out[0, out_len).
 * Returns 0, or -1 to stop (the caller of entry_blocks_* then gets -1). */
typedef int (*entry_block_sink)(void *ctx, uint32_t n, const uint8_t *raw, size_t raw_len,
				const uint8_t *out, size_t out_len);

typedef struct entry_blocks entry_blocks;

/* A builder of blocks of about target bytes at DEFLATE level level, compressed on threads
 * workers (0: by the caller, as blocks fill). NULL when out of memory. */
entry_blocks *entry_blocks_new(uint32_t workers, size_t target, int level,
			       entry_block_sink sink, void *ctx);

/* Room for need bytes in the block being filled: the current one, or a new block when the
 * text would take it past the target (a text larger than the target gets a block of its own).
 * Sets *dst, *block (its number) and *offset (where the text starts in it). Returns 0, -1
 * when out of memory (*why set) or when the sink stopped (*why NULL). */
int entry_blocks_room(entry_blocks *eb, size_t need, uint8_t **dst, uint32_t *block,
		      size_t *offset, const char **why);

/* Says the need bytes of the last entry_blocks_room are written. */
void entry_blocks_wrote(entry_blocks *eb, size_t need);

/* Compresses what is left and hands every block to the sink; the workers end. Returns 0 or
 * -1 as entry_blocks_room. Later texts start a new block. */
int entry_blocks_flush(entry_blocks *eb, const char **why);

/* Blocks handed to the sink so far. */
uint32_t entry_blocks_count(const entry_blocks *eb);

void entry_blocks_free(entry_blocks *eb);

#endif
