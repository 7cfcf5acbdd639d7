#include "spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>

int idmap_spill_open(idmap_spill *s, const char *path, size_t bufsize)
{
	idmap_spill_init(s);
	s->buf = malloc(bufsize);
	if (!s->buf)
		return -1;
	s->cap = bufsize;
	s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s->fd < 0) {
		int e = errno;
		free(s->buf);
		s->buf = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

int idmap_spill_flush(idmap_spill *s)
{
	if (s->error) {
		errno = s->error;
		return -1;
	}
	s->crc = libdeflate_crc32(s->crc, s->buf, s->len);
	size_t off = 0;
	while (off < s->len) {
		ssize_t w = write(s->fd, s->buf + off, s->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			s->error = errno;
			return -1;
		}
		off += (size_t)w;
	}
	s->len = 0;
	return 0;
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
	free(s->buf);
	s->buf = NULL;
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
