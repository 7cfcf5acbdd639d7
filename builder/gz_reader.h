/* Streaming line reader over a plain or gzip file (multi-member gzip too), or standard input.
 * One reader reads one file; it allocates its buffers once at open and never per line. */
#ifndef IDMAP_GZ_READER_H
#define IDMAP_GZ_READER_H

#include <stddef.h>
#include <stdint.h>

/* Longest line accepted, newline excluded. Longer lines are an error. */
#define IDMAP_GZ_MAX_LINE ((size_t)1 << 20)

/* Return values of idmap_gz_getline. */
enum {
	IDMAP_GZ_LINE = 1,	/* a line was returned */
	IDMAP_GZ_EOF = 0,	/* no more lines */
	IDMAP_GZ_ERROR = -1,	/* I/O error or bad gzip data; err says what */
	IDMAP_GZ_TOO_LONG = -2, /* the next line is longer than IDMAP_GZ_MAX_LINE */
};

typedef struct idmap_gz_reader idmap_gz_reader;

/* Opens path ("-" = standard input, which is not closed by idmap_gz_close). Plain text or gzip
 * is told apart by the magic bytes 1f 8b. Returns the reader, or NULL with a message in err
 * ("cannot open: <strerror>", "out of memory"; the caller adds the file name). */
idmap_gz_reader *idmap_gz_open(const char *path, char *err, size_t errlen);

/* Closes the file (unless it is standard input) and frees the reader. NULL is a no-op. */
void idmap_gz_close(idmap_gz_reader *r);

/* Reads the next line. On IDMAP_GZ_LINE, *line and *len give the line without its '\n'
 * (a '\r' before it is kept); the bytes stay valid until the next call on r. A last line
 * without '\n' is still a line. On IDMAP_GZ_ERROR / IDMAP_GZ_TOO_LONG err holds a message
 * without the file name: "unexpected end of gzip data at byte N", "corrupt gzip data at byte
 * N: <zlib message>", "trailing garbage after gzip member at byte N", "read error at byte N:
 * <strerror>", "line longer than 1048576 bytes". Once an error is returned, later calls
 * return it again. */
int idmap_gz_getline(idmap_gz_reader *r, const char **line, size_t *len, char *err,
		     size_t errlen);

/* The text buffered from where the next line or block starts, without consuming it (at least
 * one byte unless at the end): IDMAP_GZ_LINE with *data and *len, IDMAP_GZ_EOF or
 * IDMAP_GZ_ERROR. For a look at the start of a file before choosing lines or blocks. */
int idmap_gz_peek(idmap_gz_reader *r, const char **data, size_t *len, char *err, size_t errlen);

/* Reads the next bytes of the text, from where the last line or block returned ended,
 * whatever their line breaks (for formats that do not care, UniParc XML): IDMAP_GZ_LINE with
 * *data and *len (a block of up to a few MiB, valid until the next call on r), IDMAP_GZ_EOF,
 * or IDMAP_GZ_ERROR as idmap_gz_getline. The line count stays that of the lines returned. */
int idmap_gz_read(idmap_gz_reader *r, const char **data, size_t *len, char *err, size_t errlen);

/* Bytes read from the file so far (compressed bytes for gzip). */
uint64_t idmap_gz_bytes_in(const idmap_gz_reader *r);

/* Decompressed bytes produced so far (equal to idmap_gz_bytes_in for plain files). */
uint64_t idmap_gz_bytes_out(const idmap_gz_reader *r);

/* Size of the file when it is a regular file (for progress), else 0. */
uint64_t idmap_gz_file_size(const idmap_gz_reader *r);

/* Lines returned so far: the number of the last line returned, counting from 1. */
uint64_t idmap_gz_line_number(const idmap_gz_reader *r);

/* 1 when the file is gzip, 0 when plain. */
int idmap_gz_is_gzip(const idmap_gz_reader *r);

#endif
