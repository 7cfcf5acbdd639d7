/* Assembling the index file: sections are laid out after the header at 64-byte boundaries,
 * the section table goes last, and the file appears at its final path only when complete
 * (temp file beside it, fsync, rename, fsync of the directory).
 *
 * The big sections are written straight into that temp file while they are made (placed
 * sections: idmap_iw_place_begin/end, one at a time); the others come from memory or from
 * finished temporary files and are copied in at commit. */
#ifndef IDMAP_INDEX_WRITER_H
#define IDMAP_INDEX_WRITER_H

/* Writes into the index file are whole blocks of this size at offsets that are multiples of
 * it, wherever the layout allows (placed sections: idmap_spill_align). On Linux file systems
 * with large folios (ext4 here) the page cache then holds the new index in 2 MiB folios
 * instead of the 4 KiB pages that small unaligned writes leave, and random lookups in a
 * freshly built index run 1.4-1.5x faster (docs/BENCHMARKS.md, "Page cache folio
 * size"). */
#define IDMAP_IW_BLOCK ((size_t)2 << 20)

#include <stddef.h>
#include <stdint.h>

#define IDMAP_WRITER_MAX_SECTIONS 32

typedef struct {
	uint32_t id;
	uint8_t *mem;	 /* owned copy, or NULL when the bytes are in path or placed */
	char *path;	 /* owned */
	int placed;	 /* already in the file at offset */
	uint64_t offset, length;
	uint32_t crc;
} idmap_section_src;

typedef struct {
	idmap_section_src sec[IDMAP_WRITER_MAX_SECTIONS];
	size_t n;
	char *tmp;	 /* the new index file beside the output, once begun */
	int fd;
	uint64_t end;	 /* end of the placed sections */
	int placing;	 /* a placed section is being written */
} idmap_index_writer;

void idmap_iw_init(idmap_index_writer *w);
/* Frees the writer; removes the new file unless it was committed. */
void idmap_iw_free(idmap_index_writer *w);

/* Creates the new (hidden) index file beside output. Returns 0, or -1 with a message. */
int idmap_iw_begin(idmap_index_writer *w, const char *output, char *err, size_t errlen);

/* Starts section id at the next 64-byte boundary of the new file: returns a descriptor of
 * the file positioned there (that offset in *offset), which the caller writes the section's
 * bytes to, in order, and closes. One placed section at a time. Returns the descriptor, or
 * -1 with errno set. */
int idmap_iw_place_begin(idmap_index_writer *w, uint64_t *offset);
/* Ends the placed section: its id, length and CRC-32. Returns 0 or -1. */
int idmap_iw_place_end(idmap_index_writer *w, uint32_t id, uint64_t length, uint32_t crc);

/* Adds a section from memory (copied). Returns 0 or -1 (out of memory / too many). */
int idmap_iw_add_mem(idmap_index_writer *w, uint32_t id, const void *data, uint64_t length);

/* Adds a section from memory allocated with malloc, which the writer takes over (no copy),
 * with its CRC-32. Returns 0, or -1 (too many sections; data is freed all the same). */
int idmap_iw_give_mem(idmap_index_writer *w, uint32_t id, uint8_t *data, uint64_t length,
		      uint32_t crc);

/* Adds a section whose bytes are the whole file at path, with its length and CRC-32 as
 * computed by the writer that made it; commit removes the file once it is copied. Returns 0
 * or -1. */
int idmap_iw_add_file(idmap_index_writer *w, uint32_t id, const char *path, uint64_t length,
		      uint32_t crc);

/* Completes the new file (begun here if it was not) and renames it to output. Returns 0, or
 * -1 with a message in err; on failure no file is left at output and an existing one is
 * untouched. */
int idmap_iw_commit(idmap_index_writer *w, const char *output, char *err, size_t errlen);

#endif
