/* Streaming line reader: plain text, or (multi-member) gzip decompressed on a thread of its
 * own (inflater.c), so that inflating and parsing overlap on two cores. */
#include "gz_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inflater.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define IN_CAP ((size_t)1 << 20)
/* Room for a longest line plus at least 3 MiB of fresh output after compaction. */
#define OUT_CAP ((size_t)4 << 20)
/* Compact the output buffer when less than this is free at its end. */
#define OUT_LOW ((size_t)1 << 20)

enum gz_state { ST_INFLATE, ST_DONE, ST_FAILED };

/* Decompressed chunks travel from the inflate thread to the reader through a small ring. */
#define CHUNKS 4
#define CHUNK_CAP ((size_t)4 << 20)

typedef struct {
	uint8_t *data;
	size_t len;
	int status;	   /* 1 data, 0 end of data, -1 error (msg) */
	uint64_t bytes_in; /* compressed bytes read when the chunk was made */
	char msg[200];
} chunk;

typedef struct {
	idmap_inflater *z;
	chunk ring[CHUNKS];
	unsigned head, count; /* next chunk to consume, chunks ready */
	int stop;
	pthread_mutex_t lock;
	pthread_cond_t ready, room;
	pthread_t thread;
	int started;
	size_t taken; /* bytes of ring[head] already copied out */
} pipeline;

struct idmap_gz_reader {
	int fd;
	int own_fd;
	int gzip;
	int in_eof;		/* read() returned 0 */
	enum gz_state state;	/* gzip decoder state; ST_DONE also ends plain files */
	int fail_code;		/* sticky IDMAP_GZ_ERROR / IDMAP_GZ_TOO_LONG */
	pipeline *pl;		/* gzip only */
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

static void *inflate_thread(void *arg)
{
	pipeline *pl = arg;
	unsigned tail = 0;
	for (;;) {
		pthread_mutex_lock(&pl->lock);
		while (pl->count == CHUNKS && !pl->stop)
			pthread_cond_wait(&pl->room, &pl->lock);
		int stop = pl->stop;
		pthread_mutex_unlock(&pl->lock);
		if (stop)
			return NULL;
		chunk *c = &pl->ring[tail];
		ssize_t n = idmap_inflater_read(pl->z, c->data, CHUNK_CAP, c->msg, sizeof(c->msg));
		c->len = n > 0 ? (size_t)n : 0;
		c->status = n > 0 ? 1 : (int)n;
		c->bytes_in = idmap_inflater_bytes_in(pl->z);
		pthread_mutex_lock(&pl->lock);
		pl->count++;
		pthread_cond_signal(&pl->ready);
		pthread_mutex_unlock(&pl->lock);
		if (n <= 0)
			return NULL; /* the end or an error is the last chunk */
		tail = (tail + 1) % CHUNKS;
	}
}

static void stop_pipeline(idmap_gz_reader *r)
{
	pipeline *pl = r->pl;
	if (!pl)
		return;
	if (pl->started) {
		pthread_mutex_lock(&pl->lock);
		pl->stop = 1;
		pthread_cond_signal(&pl->room);
		pthread_mutex_unlock(&pl->lock);
		pthread_join(pl->thread, NULL);
	}
	pthread_mutex_destroy(&pl->lock);
	pthread_cond_destroy(&pl->ready);
	pthread_cond_destroy(&pl->room);
	for (int i = 0; i < CHUNKS; i++)
		free(pl->ring[i].data);
	idmap_inflater_free(pl->z);
	free(pl);
	r->pl = NULL;
}

static int start_pipeline(idmap_gz_reader *r)
{
	pipeline *pl = calloc(1, sizeof(*pl));
	if (!pl)
		return -1;
	r->pl = pl;
	pthread_mutex_init(&pl->lock, NULL);
	pthread_cond_init(&pl->ready, NULL);
	pthread_cond_init(&pl->room, NULL);
	for (int i = 0; i < CHUNKS; i++)
		if (!(pl->ring[i].data = malloc(CHUNK_CAP)))
			return -1;
	pl->z = idmap_inflater_new(r->fd, r->in, r->in_len, r->in_eof);
	if (!pl->z || pthread_create(&pl->thread, NULL, inflate_thread, pl) != 0)
		return -1;
	pl->started = 1;
	return 0;
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
		if (start_pipeline(r) < 0) {
			set_msg(err, errlen, "out of memory");
			goto fail;
		}
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
	stop_pipeline(r);
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->in);
	free(r->out);
	free(r);
}

/* Takes the next decompressed bytes from the inflate thread into out[end, OUT_CAP). Returns
 * 1 when bytes were added, 0 at the end of the data, or an error code. */
static int fill_gzip(idmap_gz_reader *r, char *err, size_t errlen)
{
	pipeline *pl = r->pl;
	pthread_mutex_lock(&pl->lock);
	while (pl->count == 0)
		pthread_cond_wait(&pl->ready, &pl->lock);
	chunk *c = &pl->ring[pl->head];
	pthread_mutex_unlock(&pl->lock);
	r->bytes_in = c->bytes_in;
	if (c->status == 0) {
		r->state = ST_DONE;
		return 0;
	}
	if (c->status < 0)
		return fail(r, IDMAP_GZ_ERROR, err, errlen, "%s", c->msg);
	size_t n = c->len - pl->taken;
	if (n > OUT_CAP - r->end)
		n = OUT_CAP - r->end;
	memcpy(r->out + r->end, c->data + pl->taken, n);
	r->end += n;
	r->bytes_out += n;
	pl->taken += n;
	if (pl->taken == c->len) {
		pl->taken = 0;
		pthread_mutex_lock(&pl->lock);
		pl->head = (pl->head + 1) % CHUNKS;
		pl->count--;
		pthread_cond_signal(&pl->room);
		pthread_mutex_unlock(&pl->lock);
	}
	return 1;
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

/* memchr for '\n', with the first 64 bytes looked at inline: most lines of the idmapping
 * files are shorter, and a call of memchr per line costs more than the scanning. */
static inline char *find_newline(char *s, size_t n)
{
#ifdef __SSE2__
	if (n >= 64) {
		const __m128i nl = _mm_set1_epi8('\n');
		for (unsigned i = 0; i < 64; i += 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, nl));
			if (m)
				return s + i + (unsigned)__builtin_ctz(m);
		}
		return memchr(s + 64, '\n', n - 64);
	}
#endif
	return memchr(s, '\n', n);
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
		char *nl = find_newline(r->out + r->scan, r->end - r->scan);
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

int idmap_gz_peek(idmap_gz_reader *r, const char **data, size_t *len, char *err, size_t errlen)
{
	if (r->state == ST_FAILED) {
		set_msg(err, errlen, "%s", r->msg);
		return r->fail_code;
	}
	while (r->pos == r->end && r->state != ST_DONE) {
		int ret = r->gzip ? fill_gzip(r, err, errlen) : fill_plain(r, err, errlen);
		if (ret < 0)
			return ret;
	}
	if (r->pos == r->end)
		return IDMAP_GZ_EOF;
	*data = r->out + r->pos;
	*len = r->end - r->pos;
	return IDMAP_GZ_LINE;
}

int idmap_gz_read(idmap_gz_reader *r, const char **data, size_t *len, char *err, size_t errlen)
{
	if (r->state == ST_FAILED) {
		set_msg(err, errlen, "%s", r->msg);
		return r->fail_code;
	}
	for (;;) {
		if (r->pos < r->end) {
			*data = r->out + r->pos;
			*len = r->end - r->pos;
			r->pos = r->scan = r->end;
			return IDMAP_GZ_LINE;
		}
		if (r->state == ST_DONE)
			return IDMAP_GZ_EOF;
		r->pos = r->scan = r->end = 0; /* all handed out: refill from the start */
		int ret = r->gzip ? fill_gzip(r, err, errlen) : fill_plain(r, err, errlen);
		if (ret < 0)
			return ret;
	}
}

uint64_t idmap_gz_bytes_in(const idmap_gz_reader *r) { return r->bytes_in; }

uint64_t idmap_gz_bytes_out(const idmap_gz_reader *r) { return r->bytes_out; }

uint64_t idmap_gz_file_size(const idmap_gz_reader *r) { return r->file_size; }

uint64_t idmap_gz_line_number(const idmap_gz_reader *r) { return r->lines; }

int idmap_gz_is_gzip(const idmap_gz_reader *r) { return r->gzip; }
