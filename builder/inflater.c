#include "inflater.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef IDMAP_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif

#define IN_CAP ((size_t)1 << 20)

enum { ST_INFLATE, ST_MEMBER_END, ST_DONE };

struct idmap_inflater {
	int fd;
	int eof;
	int state;
	uint8_t *in;
	uint64_t bytes_in;
#ifdef IDMAP_HAVE_ISAL
	struct inflate_state s;
#else
	z_stream s;
#endif
};

#ifdef IDMAP_HAVE_ISAL
#define NEXT_IN(z) ((z)->s.next_in)
#define AVAIL_IN(z) ((z)->s.avail_in)
#else
#define NEXT_IN(z) ((z)->s.next_in)
#define AVAIL_IN(z) ((z)->s.avail_in)
#endif

const char *idmap_inflater_backend(void)
{
#ifdef IDMAP_HAVE_ISAL
	return "isa-l";
#else
	return "zlib";
#endif
}

static ssize_t fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Starts (or restarts, at a member boundary) the decoder. Returns 0 or -1. */
static int start_member(idmap_inflater *z, int first)
{
#ifdef IDMAP_HAVE_ISAL
	uint8_t *next = z->s.next_in;
	uint32_t avail = z->s.avail_in;
	if (first)
		isal_inflate_init(&z->s);
	else
		isal_inflate_reset(&z->s);
	z->s.crc_flag = ISAL_GZIP;
	z->s.next_in = next;
	z->s.avail_in = avail;
	return 0;
#else
	if (first) {
		/* 15+16: gzip wrapper only, so a member boundary is a clean Z_STREAM_END. */
		unsigned char *next = z->s.next_in;
		uInt avail = z->s.avail_in;
		memset(&z->s, 0, sizeof(z->s));
		if (inflateInit2(&z->s, 15 + 16) != Z_OK)
			return -1;
		z->s.next_in = next;
		z->s.avail_in = avail;
		return 0;
	}
	return inflateReset(&z->s) == Z_OK ? 0 : -1;
#endif
}

idmap_inflater *idmap_inflater_new(int fd, const uint8_t *first, size_t first_len, int eof)
{
	idmap_inflater *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	z->in = malloc(IN_CAP);
	if (!z->in || first_len > IN_CAP) {
		free(z->in);
		free(z);
		return NULL;
	}
	memcpy(z->in, first, first_len);
	z->fd = fd;
	z->eof = eof;
	z->bytes_in = first_len;
	NEXT_IN(z) = z->in;
	AVAIL_IN(z) = (uint32_t)first_len;
	if (start_member(z, 1) < 0) {
		free(z->in);
		free(z);
		return NULL;
	}
	return z;
}

void idmap_inflater_free(idmap_inflater *z)
{
	if (!z)
		return;
#ifndef IDMAP_HAVE_ISAL
	inflateEnd(&z->s);
#endif
	free(z->in);
	free(z);
}

uint64_t idmap_inflater_bytes_in(const idmap_inflater *z)
{
	return z->bytes_in;
}

/* Offset in the file of the next byte the decoder has not consumed. */
static uint64_t offset(const idmap_inflater *z)
{
	return z->bytes_in - AVAIL_IN(z);
}

/* Refills the input buffer, keeping the unconsumed bytes. Returns 0 or -1 (errno). */
static int refill(idmap_inflater *z)
{
	size_t keep = AVAIL_IN(z);
	if (keep && NEXT_IN(z) != z->in)
		memmove(z->in, NEXT_IN(z), keep);
	ssize_t got;
	do
		got = read(z->fd, z->in + keep, IN_CAP - keep);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -1;
	if (got == 0)
		z->eof = 1;
	z->bytes_in += (uint64_t)got;
	NEXT_IN(z) = z->in;
	AVAIL_IN(z) = (uint32_t)(keep + (size_t)got);
	return 0;
}

/* One decoder call into out[0, cap): returns bytes made, sets *member_end, or -1 on corrupt
 * data with msg set. */
static ssize_t decode(idmap_inflater *z, uint8_t *out, size_t cap, int *member_end, char *msg,
		      size_t msglen)
{
	*member_end = 0;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
#ifdef IDMAP_HAVE_ISAL
	z->s.next_out = out;
	z->s.avail_out = (uint32_t)cap;
	int ret = isal_inflate(&z->s);
	size_t made = cap - z->s.avail_out;
	if (ret < 0) {
		const char *why = ret == ISAL_INCORRECT_CHECKSUM ? "incorrect data check"
				  : ret == ISAL_INVALID_WRAPPER	  ? "invalid gzip header"
				  : ret == ISAL_UNSUPPORTED_METHOD ? "unknown compression method"
								   : "invalid compressed data";
		return fail(msg, msglen, "corrupt gzip data at byte %llu: %s",
			    (unsigned long long)offset(z), why);
	}
	if (z->s.block_state == ISAL_BLOCK_FINISH)
		*member_end = 1;
	return (ssize_t)made;
#else
	z->s.next_out = out;
	z->s.avail_out = (uInt)cap;
	int ret = inflate(&z->s, Z_NO_FLUSH);
	size_t made = cap - z->s.avail_out;
	switch (ret) {
	case Z_STREAM_END:
		*member_end = 1;
		/* fall through */
	case Z_OK:
	case Z_BUF_ERROR:
		return (ssize_t)made;
	case Z_MEM_ERROR:
		return fail(msg, msglen, "out of memory in inflate");
	default:
		return fail(msg, msglen, "corrupt gzip data at byte %llu: %s",
			    (unsigned long long)offset(z), z->s.msg ? z->s.msg : "invalid data");
	}
#endif
}

ssize_t idmap_inflater_read(idmap_inflater *z, uint8_t *out, size_t cap, char *msg,
			    size_t msglen)
{
	for (;;) {
		if (z->state == ST_DONE)
			return 0;
		if (z->state == ST_MEMBER_END) {
			/* Another member may follow: it must start with the gzip magic. */
			if (AVAIL_IN(z) < 2 && !z->eof) {
				if (refill(z) < 0)
					return fail(msg, msglen, "read error at byte %llu: %s",
						    (unsigned long long)z->bytes_in, strerror(errno));
				continue;
			}
			if (AVAIL_IN(z) == 0) {
				z->state = ST_DONE;
				return 0;
			}
			const uint8_t *m = NEXT_IN(z);
			if (AVAIL_IN(z) < 2 || m[0] != 0x1f || m[1] != 0x8b)
				return fail(msg, msglen,
					    "trailing garbage after gzip member at byte %llu",
					    (unsigned long long)offset(z));
			if (start_member(z, 0) < 0)
				return fail(msg, msglen, "cannot restart the decoder");
			z->state = ST_INFLATE;
		}
		if (AVAIL_IN(z) == 0 && !z->eof && refill(z) < 0)
			return fail(msg, msglen, "read error at byte %llu: %s",
				    (unsigned long long)z->bytes_in, strerror(errno));
		int member_end;
		int had_input = AVAIL_IN(z) > 0;
		ssize_t made = decode(z, out, cap, &member_end, msg, msglen);
		if (made < 0)
			return -1;
		if (member_end)
			z->state = ST_MEMBER_END;
		else if (made == 0 && AVAIL_IN(z) == 0 && z->eof && !had_input)
			/* No progress with the input exhausted: the stream was cut short. */
			return fail(msg, msglen, "unexpected end of gzip data at byte %llu",
				    (unsigned long long)z->bytes_in);
		if (made > 0)
			return made;
	}
}
