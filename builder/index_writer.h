/* Assembling the index file: sections (in memory or in finished temporary files) are laid out
 * after the header at 64-byte boundaries, the section table goes last, and the file appears at
 * its final path only when complete (temp file beside it, fsync, rename, fsync of the
 * directory). */
#ifndef IDMAP_INDEX_WRITER_H
#define IDMAP_INDEX_WRITER_H

#include <stddef.h>
#include <stdint.h>

#define IDMAP_WRITER_MAX_SECTIONS 32

typedef struct {
	uint32_t id;
	uint8_t *mem;	 /* owned copy, or NULL when the bytes are in path */
	char *path;	 /* owned */
	uint64_t length;
	uint32_t crc;
} idmap_section_src;

typedef struct {
	idmap_section_src sec[IDMAP_WRITER_MAX_SECTIONS];
	size_t n;
} idmap_index_writer;

void idmap_iw_init(idmap_index_writer *w);
void idmap_iw_free(idmap_index_writer *w);

/* Adds a section from memory (copied). Returns 0 or -1 (out of memory / too many). */
int idmap_iw_add_mem(idmap_index_writer *w, uint32_t id, const void *data, uint64_t length);

/* Adds a section whose bytes are the whole file at path, with its length and CRC-32 as
 * computed by the writer that made it; commit removes the file once it is copied. Returns 0
 * or -1. */
int idmap_iw_add_file(idmap_index_writer *w, uint32_t id, const char *path, uint64_t length,
		      uint32_t crc);

/* Writes the index to output atomically. Returns 0, or -1 with a message in err; on failure
 * no file is left at output and an existing one is untouched. */
int idmap_iw_commit(idmap_index_writer *w, const char *output, char *err, size_t errlen);

#endif
