#define _GNU_SOURCE /* sync_file_range */
#include "spill.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>

#include "idmap_vec.h"

struct idmap_spill_bg {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	idmap_spill *head, *tail; /* spills with a pending buffer, oldest first */
	int stop;
};

/* Appends len bytes of buf to the file and the CRC; a failure is kept in s->error. */
static void write_out(idmap_spill *s, const uint8_t *buf, size_t len)
{
	if (s->error)
		return;
	s->crc = libdeflate_crc32(s->crc, buf, len);
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(s->fd, buf + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			s->error = errno;
			return;
		}
		off += (size_t)w;
	}
	if (s->writeback) {
		/* Only a hint: a failure here leaves the work to the fsync. */
		(void)sync_file_range(s->fd, (off_t)s->file_pos, (off_t)len,
				      SYNC_FILE_RANGE_WRITE);
		s->file_pos += len;
	}
}

static void *bg_main(void *arg)
{
	idmap_spill_bg *bg = arg;
	pthread_mutex_lock(&bg->lock);
	for (;;) {
		while (!bg->head && !bg->stop)
			pthread_cond_wait(&bg->work, &bg->lock);
		idmap_spill *s = bg->head;
		if (!s)
			break;
		bg->head = s->next;
		if (!bg->head)
			bg->tail = NULL;
		pthread_mutex_unlock(&bg->lock);
		write_out(s, s->pending, s->pending_len);
		pthread_mutex_lock(&bg->lock);
		s->pending = NULL;
		pthread_cond_broadcast(&bg->done);
	}
	pthread_mutex_unlock(&bg->lock);
	return NULL;
}

idmap_spill_bg *idmap_spill_bg_start(void)
{
	idmap_spill_bg *bg = calloc(1, sizeof(*bg));
	if (!bg)
		return NULL;
	pthread_mutex_init(&bg->lock, NULL);
	pthread_cond_init(&bg->work, NULL);
	pthread_cond_init(&bg->done, NULL);
	if (pthread_create(&bg->tid, NULL, bg_main, bg) != 0) {
		pthread_mutex_destroy(&bg->lock);
		pthread_cond_destroy(&bg->work);
		pthread_cond_destroy(&bg->done);
		free(bg);
		return NULL;
	}
	return bg;
}

void idmap_spill_bg_stop(idmap_spill_bg *bg)
{
	if (!bg)
		return;
	pthread_mutex_lock(&bg->lock);
	bg->stop = 1;
	pthread_cond_broadcast(&bg->work);
	pthread_mutex_unlock(&bg->lock);
	pthread_join(bg->tid, NULL);
	pthread_mutex_destroy(&bg->lock);
	pthread_cond_destroy(&bg->work);
	pthread_cond_destroy(&bg->done);
	free(bg);
}

/* Waits until the writer is done with this spill's pending buffer. */
static void wait_idle(idmap_spill *s)
{
	if (!s->bg)
		return;
	pthread_mutex_lock(&s->bg->lock);
	while (s->pending)
		pthread_cond_wait(&s->bg->done, &s->bg->lock);
	pthread_mutex_unlock(&s->bg->lock);
}

int idmap_spill_open_fd(idmap_spill *s, int fd, size_t bufsize, idmap_spill_bg *bg)
{
	idmap_spill_init(s);
	const size_t huge = (size_t)2 << 20;
	if (bg && bufsize >= huge / 2 && bufsize <= SIZE_MAX / 4) {
		/* Both buffers in one block of whole huge pages: the ingest's partition writers
		 * (1 MiB each) took a page fault per 4 KiB on the parsing thread otherwise. */
		size_t block = (2 * bufsize + huge - 1) & ~(huge - 1);
		s->block = aligned_alloc(huge, block);
		if (s->block) {
			idmap_advise_huge(s->block, block);
			s->buf = s->block;
			s->spare = s->block + bufsize;
		}
	} else {
		s->buf = malloc(bufsize);
		s->spare = bg ? malloc(bufsize) : NULL;
	}
	if (!s->buf || (bg && !s->spare)) {
		if (!s->block) {
			free(s->buf);
			free(s->spare);
		}
		free(s->block);
		s->buf = s->spare = s->block = NULL;
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	s->cap = s->full_cap = bufsize;
	s->bg = bg;
	s->fd = fd;
	return 0;
}

int idmap_spill_open(idmap_spill *s, const char *path, size_t bufsize, idmap_spill_bg *bg)
{
	idmap_spill_init(s);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	return idmap_spill_open_fd(s, fd, bufsize, bg);
}

int idmap_spill_open_mem(idmap_spill *s, size_t cap)
{
	idmap_spill_init(s);
	s->buf = malloc(cap ? cap : 1);
	if (!s->buf) {
		errno = ENOMEM;
		return -1;
	}
	s->cap = s->full_cap = cap ? cap : 1;
	s->in_memory = 1;
	return 0;
}

uint8_t *idmap_spill_take_mem(idmap_spill *s, size_t *len)
{
	uint8_t *p = s->buf;
	*len = s->len;
	s->buf = NULL;
	idmap_spill_close(s);
	return p;
}

int idmap_spill_rotate(idmap_spill *s)
{
	if (s->in_memory) {
		if (s->len == s->cap && !s->error)
			s->error = ENOSPC; /* the caller sized the buffer for everything */
		if (s->error) {
			errno = s->error;
			return -1;
		}
		return 0;
	}
	wait_idle(s);
	/* Read now: once the buffer below is handed over, the writer thread may set it. */
	int error = s->error;
	if (!error && s->len) {
		if (!s->bg) {
			write_out(s, s->buf, s->len);
		} else {
			idmap_spill_bg *bg = s->bg;
			uint8_t *full = s->buf;
			s->buf = s->spare;
			s->spare = full;
			pthread_mutex_lock(&bg->lock);
			s->pending = full;
			s->pending_len = s->len;
			s->next = NULL;
			if (bg->tail)
				bg->tail->next = s;
			else
				bg->head = s;
			bg->tail = s;
			pthread_cond_signal(&bg->work);
			pthread_mutex_unlock(&bg->lock);
		}
		s->len = 0;
		s->cap = s->full_cap;
		if (!s->bg)
			error = s->error;
	}
	if (error) {
		errno = error;
		return -1;
	}
	return 0;
}

void idmap_spill_writeback(idmap_spill *s, uint64_t pos)
{
	s->writeback = 1;
	s->file_pos = pos;
}

void idmap_spill_align(idmap_spill *s, uint64_t pos, size_t align)
{
	size_t head = (size_t)(align - pos % align);
	if (s->len == 0 && head < s->full_cap)
		s->cap = head;
}

int idmap_spill_flush(idmap_spill *s)
{
	int rc = idmap_spill_rotate(s);
	wait_idle(s);
	if (rc == 0 && s->error) {
		errno = s->error;
		rc = -1;
	}
	return rc;
}

int idmap_spill_close(idmap_spill *s)
{
	int rc = 0;
	if (s->fd >= 0) {
		rc = idmap_spill_flush(s);
		int e = errno;
		if (close(s->fd) < 0 && rc == 0) {
			rc = -1;
			e = errno;
		}
		errno = e;
		s->fd = -1;
	}
	if (!s->block) {
		free(s->buf);
		free(s->spare);
	}
	free(s->block);
	s->buf = s->spare = s->block = NULL;
	s->cap = s->len = 0;
	return rc;
}

int idmap_read_file(const char *path, uint8_t **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	size_t n = (size_t)st.st_size;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	size_t off = 0;
	while (off < n) {
		ssize_t r = read(fd, buf + off, n - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			free(buf);
			close(fd);
			errno = e;
			return -1;
		}
		off += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}

int idmap_reader_fill(idmap_reader *r, size_t n)
{
	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	while (!r->eof && r->len < r->cap) {
		ssize_t k = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			r->eof = 1;
		r->len += (size_t)k;
		if (r->len >= n)
			break;
	}
	return r->len - r->pos >= n ? 1 : 0;
}

int idmap_read_full(int fd, void *buf, size_t cap, size_t *got)
{
	*got = 0;
	while (*got < cap) {
		ssize_t k = read(fd, (uint8_t *)buf + *got, cap - *got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return 0;
}
