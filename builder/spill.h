/* Buffered append-only files: the builder's temporary partitions and section files.
 * A writer keeps a buffer and a running CRC-32 of everything written, so a section file's
 * checksum is known when it is closed.
 *
 * With a background writer (idmap_spill_bg), a full buffer is handed to that thread and the
 * producer goes on filling a second one: the copy into the page cache and the CRC then run
 * on the core the producer leaves idle, instead of on the build's busiest thread. */
#ifndef IDMAP_SPILL_H
#define IDMAP_SPILL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct idmap_spill_bg idmap_spill_bg;

typedef struct idmap_spill {
	int fd;
	uint8_t *buf;
	size_t cap, len;
	size_t full_cap;	     /* the buffers' size; cap is less until the first rotation
				      * after idmap_spill_align */
	idmap_spill_bg *bg;	     /* NULL: writes happen in the caller's thread */
	uint8_t *spare;		     /* background mode: the buffer not being filled */
	uint8_t *block;		     /* when not NULL, buf and spare are its halves */
	uint8_t *pending;	     /* buffer handed to the writer, NULL when none */
	size_t pending_len;
	struct idmap_spill *next;    /* in the writer's queue */
	uint64_t bytes;	  /* bytes written so far, buffered ones included */
	uint64_t records; /* counted by the caller */
	uint32_t crc;
	int error;	  /* errno of the first failed write, 0 if none */
	int writeback;	  /* start writeback after each write (idmap_spill_writeback) */
	int in_memory;	  /* idmap_spill_open_mem: the buffer is the whole content */
	uint64_t file_pos; /* with writeback: file offset of the next write */
} idmap_spill;

/* Starts the background writer thread; NULL (out of resources) means synchronous writes. */
idmap_spill_bg *idmap_spill_bg_start(void);
/* Stops it; every spill using it must be closed first. NULL is accepted. */
void idmap_spill_bg_stop(idmap_spill_bg *bg);

/* Creates (truncates) path for writing with a buffer of bufsize bytes (two with a
 * background writer bg, which may be NULL). Returns 0, or -1 with errno set. */
int idmap_spill_open(idmap_spill *s, const char *path, size_t bufsize, idmap_spill_bg *bg);

/* As idmap_spill_open, on an open descriptor (closed by idmap_spill_close, also when this
 * fails), writing from its current position. */
int idmap_spill_open_fd(idmap_spill *s, int fd, size_t bufsize, idmap_spill_bg *bg);

/* A writer that keeps everything in memory, in one buffer of cap bytes (no file; fd stays
 * -1); writing more than cap bytes fails with ENOSPC. idmap_spill_take_mem hands the bytes over. Returns 0, or -1 with
 * errno set. */
int idmap_spill_open_mem(idmap_spill *s, size_t cap);
/* The bytes of an in-memory writer (malloc'd; the caller frees them) and their count; the
 * writer is left closed. */
uint8_t *idmap_spill_take_mem(idmap_spill *s, size_t *len);

/* The file position is pos (nothing is buffered yet): makes every write of the buffer
 * end on a multiple of align (the buffer size is a multiple of align), so that from the
 * second write on each one is whole, aligned blocks. */
void idmap_spill_align(idmap_spill *s, uint64_t pos, size_t align);

/* The file position is pos: from now on, each buffer written is also handed to the disk
 * at once (sync_file_range, not waiting), so that a final fsync finds little left to do. For
 * the sections placed straight into the new index, which is fsynced before it is renamed
 * into place: the disk then works while the build computes, not after. */
void idmap_spill_writeback(idmap_spill *s, uint64_t pos);

/* Writes the buffer out and waits until everything written so far is in the file, so that
 * s->crc is final. Returns 0, or -1 (errno kept in s->error). */
int idmap_spill_flush(idmap_spill *s);

/* Starts writing the full buffer out: with a background writer, waits only for the
 * previous buffer, then swaps buffers. Returns 0 or -1 as idmap_spill_flush. */
int idmap_spill_rotate(idmap_spill *s);

/* Flushes and closes; safe on a writer that was never opened (fd < 0). Returns 0 or -1. */
int idmap_spill_close(idmap_spill *s);

/* A closed-or-unopened state that idmap_spill_close accepts. */
static inline void idmap_spill_init(idmap_spill *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* For a writer that appends to one of many spills in turn (a partition each): fetches, for
 * writing, the line that the spill's next append starts on or runs into. The hundreds of
 * appends to the others in between would have let it go, and a store that misses waits for
 * memory. */
static inline void idmap_spill_prefetch_next(const idmap_spill *s)
{
	/* an address, not a pointer into buf: near the end it may lie past the buffer */
	__builtin_prefetch((const void *)((uintptr_t)s->buf + s->len + 32), 1, 3);
}

static inline int idmap_spill_write(idmap_spill *s, const void *data, size_t n)
{
	s->bytes += n;
	if (s->len + n <= s->cap) {
		memcpy(s->buf + s->len, data, n);
		s->len += n;
		return 0;
	}
	const uint8_t *p = data;
	while (n) {
		if (s->len == s->cap && idmap_spill_rotate(s) < 0)
			return -1;
		size_t k = s->cap - s->len < n ? s->cap - s->len : n;
		memcpy(s->buf + s->len, p, k);
		s->len += k;
		p += k;
		n -= k;
	}
	return 0;
}

/* Sequential reader of a temporary file: idmap_reader_need makes n bytes available at
 * buf + pos (n <= cap). The caller opens fd and allocates buf of cap bytes. */
typedef struct {
	int fd;
	uint8_t *buf;
	size_t cap, pos, len;
	int eof;
} idmap_reader;

/* idmap_reader_need's refill: moves what is left to the front and reads. */
int idmap_reader_fill(idmap_reader *r, size_t n);

/* 1 when n bytes are available, 0 when the file ends first, -1 on a read error (errno).
 * Inline: readers of small records ask for every record. */
static inline int idmap_reader_need(idmap_reader *r, size_t n)
{
	return r->len - r->pos >= n ? 1 : idmap_reader_fill(r, n);
}

/* Reads up to cap bytes from fd, fewer only at its end; *got gets their number. Returns 0, or
 * -1 with errno set. */
int idmap_read_full(int fd, void *buf, size_t cap, size_t *got);

/* Reads the whole file at path into a new malloc'd buffer (*len bytes; an empty file gives a
 * non-NULL buffer of length 0). Returns 0, or -1 with errno set. */
int idmap_read_file(const char *path, uint8_t **out, size_t *len);

#endif
