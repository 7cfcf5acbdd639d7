/* Gzip decompression of one file descriptor, multi-member, with ISA-L's inflate when idmap
 * was built with it (IDMAP_HAVE_ISAL) and zlib's otherwise. Errors name the compressed byte
 * offset. Used by gz_reader, which runs it on a thread of its own. */
#ifndef IDMAP_INFLATER_H
#define IDMAP_INFLATER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct idmap_inflater idmap_inflater;

/* Starts decompressing fd, whose first bytes (already read, starting with the gzip magic) are
 * first[0, first_len); eof says whether read() already returned 0. Returns NULL when out of
 * memory. The fd is not closed by the inflater. */
idmap_inflater *idmap_inflater_new(int fd, const uint8_t *first, size_t first_len, int eof);

/* Decompresses into out[0, cap). Returns the number of bytes (> 0), 0 at the clean end of the
 * last member, or -1 with a message in msg ("unexpected end of gzip data at byte N", "corrupt
 * gzip data at byte N: reason", "trailing garbage after gzip member at byte N", "read error
 * at byte N: reason"). */
ssize_t idmap_inflater_read(idmap_inflater *z, uint8_t *out, size_t cap, char *msg,
			    size_t msglen);

/* Compressed bytes read from the file so far. */
uint64_t idmap_inflater_bytes_in(const idmap_inflater *z);

/* "zlib" or "isa-l". */
const char *idmap_inflater_backend(void);

void idmap_inflater_free(idmap_inflater *z);

#endif
