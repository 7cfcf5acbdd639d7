/* Streaming line reader: plain text or (multi-member) gzip through zlib's inflate. */
#include "gz_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define IN_CAP ((size_t)1 << 20)
/* Room for a longest line plus at least 3 MiB of fresh output after compaction. */
#define OUT_CAP ((size_t)4 << 20)
/* Compact the output buffer when less than this is free at its end. */
#define OUT_LOW ((size_t)1 << 20)

enum gz_state { ST_INFLATE, ST_MEMBER_END, ST_DONE, ST_FAILED };

struct idmap_gz_reader {
	int fd;
	int own_fd;
	int gzip;
	int zinit;
	int in_eof;		/* read() returned 0 */
	enum gz_state state;	/* gzip decoder state; ST_DONE also ends plain files */
	int fail_code;		/* sticky IDMAP_GZ_ERROR / IDMAP_GZ_TOO_LONG */
	z_stream zs;
	unsigned char *in;
	size_t in_pos, in_len;	/* plain mode: bytes of the first read not yet handed out */
	char *out;
	size_t pos, scan, end;	/* line start, where the '\n' search resumes, data end */
	uint64_t bytes_in, bytes_out, file_size, lines;
	char msg[256];
};

static void set_msg(char *buf, size_t len, const char *fmt, ...)
{
	if (!buf || len == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Records a sticky error and copies it to err. */
static int fail(idmap_gz_reader *r, int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
	r->fail_code = code;
	r->state = ST_FAILED;
	set_msg(err, errlen, "%s", r->msg);
	return code;
}

/* read() that retries on EINTR; returns bytes read, 0 at end, -1 on error. */
static ssize_t read_some(int fd, void *buf, size_t n)
{
	for (;;) {
		ssize_t got = read(fd, buf, n);
		if (got >= 0 || errno != EINTR)
			return got;
	}
}

idmap_gz_reader *idmap_gz_open(const char *path, char *err, size_t errlen)
{
	idmap_gz_reader *r = calloc(1, sizeof *r);
	if (!r) {
		set_msg(err, errlen, "out of memory");
		return NULL;
	}
	r->fd = -1;
	r->in = malloc(IN_CAP);
	r->out = malloc(OUT_CAP);
	if (!r->in || !r->out) {
		set_msg(err, errlen, "out of memory");
		goto fail;
	}
	if (strcmp(path, "-") == 0) {
		r->fd = STDIN_FILENO;
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			set_msg(err, errlen, "cannot open: %s", strerror(errno));
			goto fail;
		}
		r->own_fd = 1;
	}
	struct stat st;
	if (fstat(r->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			set_msg(err, errlen, "cannot read: is a directory");
			goto fail;
		}
		if (S_ISREG(st.st_mode))
			r->file_size = (uint64_t)st.st_size;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	if (r->file_size)
		(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	/* Read until the two magic bytes are in (pipes may deliver one byte at a time). */
	while (r->in_len < 2) {
		ssize_t got = read_some(r->fd, r->in + r->in_len, IN_CAP - r->in_len);
		if (got < 0) {
			set_msg(err, errlen, "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (got == 0) {
			r->in_eof = 1;
			break;
		}
		r->in_len += (size_t)got;
	}
	r->bytes_in = r->in_len;
	r->gzip = r->in_len >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b;
	if (r->gzip) {
		/* 15+16: gzip wrapper only, so a member boundary is a clean Z_STREAM_END. */
		if (inflateInit2(&r->zs, 15 + 16) != Z_OK) {
			set_msg(err, errlen, "out of memory");
			goto fail;
		}
		r->zinit = 1;
		r->zs.next_in = r->in;
		r->zs.avail_in = (uInt)r->in_len;
		r->state = ST_INFLATE;
	} else {
		r->in_pos = 0;
		r->state = ST_INFLATE;
	}
	return r;
fail:
	idmap_gz_close(r);
	return NULL;
}

void idmap_gz_close(idmap_gz_reader *r)
{
	if (!r)
		return;
	if (r->zinit)
		inflateEnd(&r->zs);
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->in);
	free(r->out);
	free(r);
}

/* Offset in the file of the next compressed byte inflate has not consumed. */
static uint64_t gz_offset(const idmap_gz_reader *r)
{
	return r->bytes_in - r->zs.avail_in;
}

/* Refills the input buffer (gzip mode), keeping the unconsumed bytes. Returns 0 or -1. */
static int refill_in(idmap_gz_reader *r, char *err, size_t errlen)
{
	size_t keep = r->zs.avail_in;
	if (keep && r->zs.next_in != r->in)
		memmove(r->in, r->zs.next_in, keep);
	ssize_t got = read_some(r->fd, r->in + keep, IN_CAP - keep);
	if (got < 0)
		return fail(r, IDMAP_GZ_ERROR, err, errlen, "read error at byte %llu: %s",
			    (unsigned long long)r->bytes_in, strerror(errno));
	if (got == 0)
		r->in_eof = 1;
	r->bytes_in += (uint64_t)got;
	r->zs.next_in = r->in;
	r->zs.avail_in = (uInt)(keep + (size_t)got);
	return 0;
}

/* Decompresses into out[end, OUT_CAP). Returns 1 when bytes were added, 0 at the end of the
 * data, or an error code. */
static int fill_gzip(idmap_gz_reader *r, char *err, size_t errlen)
{
	for (;;) {
		if (r->state == ST_DONE)
			return 0;
		if (r->state == ST_MEMBER_END) {
			/* Another member may follow: it must start with the gzip magic. */
			if (r->zs.avail_in < 2 && !r->in_eof) {
				if (refill_in(r, err, errlen) < 0)
					return r->fail_code;
				continue;
			}
			if (r->zs.avail_in == 0) {
				r->state = ST_DONE;
				return 0;
			}
			const unsigned char *m = r->zs.next_in;
			if (r->zs.avail_in < 2 || m[0] != 0x1f || m[1] != 0x8b)
				return fail(r, IDMAP_GZ_ERROR, err, errlen,
					    "trailing garbage after gzip member at byte %llu",
					    (unsigned long long)gz_offset(r));
			if (inflateReset(&r->zs) != Z_OK)
				return fail(r, IDMAP_GZ_ERROR, err, errlen, "inflateReset failed");
			r->state = ST_INFLATE;
		}
		if (r->zs.avail_in == 0 && !r->in_eof) {
			if (refill_in(r, err, errlen) < 0)
				return r->fail_code;
		}
		size_t room = OUT_CAP - r->end;
		r->zs.next_out = (unsigned char *)r->out + r->end;
		r->zs.avail_out = (uInt)room;
		int ret = inflate(&r->zs, Z_NO_FLUSH);
		size_t made = room - r->zs.avail_out;
		r->end += made;
		r->bytes_out += made;
		switch (ret) {
		case Z_STREAM_END:
			r->state = ST_MEMBER_END;
			break;
		case Z_OK:
		case Z_BUF_ERROR:
			/* No progress with the input exhausted: the stream was cut short. */
			if (made == 0 && r->zs.avail_in == 0 && r->in_eof)
				return fail(r, IDMAP_GZ_ERROR, err, errlen,
					    "unexpected end of gzip data at byte %llu",
					    (unsigned long long)r->bytes_in);
			break;
		case Z_MEM_ERROR:
			return fail(r, IDMAP_GZ_ERROR, err, errlen, "out of memory in inflate");
		default: /* Z_DATA_ERROR, Z_STREAM_ERROR, Z_NEED_DICT */
			return fail(r, IDMAP_GZ_ERROR, err, errlen,
				    "corrupt gzip data at byte %llu: %s",
				    (unsigned long long)gz_offset(r),
				    r->zs.msg ? r->zs.msg : "invalid data");
		}
		if (made > 0)
			return 1;
	}
}

/* Plain file: hand out the first read, then read straight into the output buffer. */
static int fill_plain(idmap_gz_reader *r, char *err, size_t errlen)
{
	size_t room = OUT_CAP - r->end;
	if (r->in_pos < r->in_len) {
		size_t n = r->in_len - r->in_pos;
		if (n > room)
			n = room;
		memcpy(r->out + r->end, r->in + r->in_pos, n);
		r->in_pos += n;
		r->end += n;
		r->bytes_out += n;
		return 1;
	}
	if (r->in_eof) {
		r->state = ST_DONE;
		return 0;
	}
	ssize_t got = read_some(r->fd, r->out + r->end, room);
	if (got < 0)
		return fail(r, IDMAP_GZ_ERROR, err, errlen, "read error at byte %llu: %s",
			    (unsigned long long)r->bytes_in, strerror(errno));
	if (got == 0) {
		r->in_eof = 1;
		r->state = ST_DONE;
		return 0;
	}
	r->end += (size_t)got;
	r->bytes_in += (uint64_t)got;
	r->bytes_out += (uint64_t)got;
	return 1;
}

int idmap_gz_getline(idmap_gz_reader *r, const char **line, size_t *len, char *err,
		     size_t errlen)
{
	if (r->state == ST_FAILED) {
		set_msg(err, errlen, "%s", r->msg);
		return r->fail_code;
	}
	for (;;) {
		char *start = r->out + r->pos;
		char *nl = memchr(r->out + r->scan, '\n', r->end - r->scan);
		if (nl) {
			size_t n = (size_t)(nl - start);
			if (n > IDMAP_GZ_MAX_LINE)
				break;
			*line = start;
			*len = n;
			r->pos = r->scan = (size_t)(nl - r->out) + 1;
			r->lines++;
			return IDMAP_GZ_LINE;
		}
		r->scan = r->end;
		if (r->end - r->pos > IDMAP_GZ_MAX_LINE)
			break;
		if (r->state == ST_DONE) {
			if (r->end == r->pos)
				return IDMAP_GZ_EOF;
			*line = start;
			*len = r->end - r->pos;
			r->pos = r->scan = r->end;
			r->lines++;
			return IDMAP_GZ_LINE;
		}
		if (OUT_CAP - r->end < OUT_LOW) {
			/* Moves one partial line (<= 1 MiB): cheap next to 3 MiB of output. */
			size_t keep = r->end - r->pos;
			memmove(r->out, r->out + r->pos, keep);
			r->pos = 0;
			r->scan = r->end = keep;
		}
		int ret = r->gzip ? fill_gzip(r, err, errlen) : fill_plain(r, err, errlen);
		if (ret < 0)
			return ret;
	}
	return fail(r, IDMAP_GZ_TOO_LONG, err, errlen, "line longer than %zu bytes",
		    (size_t)IDMAP_GZ_MAX_LINE);
}

uint64_t idmap_gz_bytes_in(const idmap_gz_reader *r) { return r->bytes_in; }

uint64_t idmap_gz_bytes_out(const idmap_gz_reader *r) { return r->bytes_out; }

uint64_t idmap_gz_file_size(const idmap_gz_reader *r) { return r->file_size; }

uint64_t idmap_gz_line_number(const idmap_gz_reader *r) { return r->lines; }

int idmap_gz_is_gzip(const idmap_gz_reader *r) { return r->gzip; }
