/* Buffered append-only files: the builder's temporary partitions and section files.
 * A writer keeps one buffer and a running CRC-32 of everything written, so a section file's
 * checksum is known when it is closed. */
#ifndef IDMAP_SPILL_H
#define IDMAP_SPILL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
	int fd;
	uint8_t *buf;
	size_t cap, len;
	uint64_t bytes;	  /* bytes written so far, buffered ones included */
	uint64_t records; /* counted by the caller */
	uint32_t crc;
	int error;	  /* errno of the first failed write, 0 if none */
} idmap_spill;

/* Creates (truncates) path for writing with a buffer of bufsize bytes. Returns 0, or -1 with
 * errno set. */
int idmap_spill_open(idmap_spill *s, const char *path, size_t bufsize);

/* Writes the buffer out. Returns 0, or -1 (errno kept in s->error). */
int idmap_spill_flush(idmap_spill *s);

/* Flushes and closes; safe on a writer that was never opened (fd < 0). Returns 0 or -1. */
int idmap_spill_close(idmap_spill *s);

/* A closed-or-unopened state that idmap_spill_close accepts. */
static inline void idmap_spill_init(idmap_spill *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
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
		if (s->len == s->cap && idmap_spill_flush(s) < 0)
			return -1;
		size_t k = s->cap - s->len < n ? s->cap - s->len : n;
		memcpy(s->buf + s->len, p, k);
		s->len += k;
		p += k;
		n -= k;
	}
	return 0;
}

/* Reads the whole file at path into a new malloc'd buffer (*len bytes; an empty file gives a
 * non-NULL buffer of length 0). Returns 0, or -1 with errno set. */
int idmap_read_file(const char *path, uint8_t **out, size_t *len);

#endif
