#define _GNU_SOURCE
#include "index_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>

#include "idmap_build.h"
#include "idmap_format.h"

void idmap_iw_init(idmap_index_writer *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

void idmap_iw_free(idmap_index_writer *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->sec[i].mem);
		free(w->sec[i].path);
	}
	w->n = 0;
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->tmp) {
		unlink(w->tmp);
		free(w->tmp);
		w->tmp = NULL;
	}
}

static idmap_section_src *add(idmap_index_writer *w, uint32_t id)
{
	if (w->n == IDMAP_WRITER_MAX_SECTIONS)
		return NULL;
	idmap_section_src *s = &w->sec[w->n];
	memset(s, 0, sizeof(*s));
	s->id = id;
	return s;
}

int idmap_iw_add_mem(idmap_index_writer *w, uint32_t id, const void *data, uint64_t length)
{
	idmap_section_src *s = add(w, id);
	if (!s)
		return -1;
	s->mem = malloc(length ? length : 1);
	if (!s->mem)
		return -1;
	memcpy(s->mem, data, length);
	s->length = length;
	s->crc = libdeflate_crc32(0, data, length);
	w->n++;
	return 0;
}

int idmap_iw_give_mem(idmap_index_writer *w, uint32_t id, uint8_t *data, uint64_t length,
		      uint32_t crc)
{
	idmap_section_src *s = add(w, id);
	if (!s) {
		free(data);
		return -1;
	}
	s->mem = data;
	s->length = length;
	s->crc = crc;
	w->n++;
	return 0;
}

int idmap_iw_add_file(idmap_index_writer *w, uint32_t id, const char *path, uint64_t length,
		      uint32_t crc)
{
	idmap_section_src *s = add(w, id);
	if (!s)
		return -1;
	s->path = strdup(path);
	if (!s->path)
		return -1;
	s->length = length;
	s->crc = crc;
	w->n++;
	return 0;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static uint64_t align_up(uint64_t x)
{
	return (x + IDMAP_SECTION_ALIGN - 1) & ~(uint64_t)(IDMAP_SECTION_ALIGN - 1);
}

/* ---- Block output --------------------------------------------------------------------------
 * The sections copied in at commit go through one buffer that is written out in whole
 * IDMAP_IW_BLOCK blocks at aligned offsets (the first write only reaches the first boundary).
 * A user-space copy rather than copy_file_range, whose in-kernel copy picks its own write
 * sizes and offsets, so the folios it leaves are not ours to choose. */

typedef struct {
	int fd;
	uint8_t *buf;
	size_t len, cap;
	uint64_t pos; /* file offset of buf[0] */
} block_out;

static int block_write(block_out *o)
{
	size_t done = 0;
	while (done < o->len) {
		ssize_t k = pwrite(o->fd, o->buf + done, o->len - done, (off_t)(o->pos + done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		done += (size_t)k;
	}
	/* Hand the block to the disk now (a hint, not waited for): the fsync before the rename
	 * then waits for the last blocks only, not for the whole tail of the file. */
	(void)sync_file_range(o->fd, (off_t)o->pos, (off_t)o->len, SYNC_FILE_RANGE_WRITE);
	o->pos += o->len;
	o->len = 0;
	o->cap = IDMAP_IW_BLOCK;
	return 0;
}

static int block_put(block_out *o, const void *data, size_t n)
{
	const uint8_t *p = data;
	while (n) {
		size_t k = o->cap - o->len < n ? o->cap - o->len : n;
		if (p)
			memcpy(o->buf + o->len, p, k);
		else
			memset(o->buf + o->len, 0, k);
		o->len += k;
		n -= k;
		if (p)
			p += k;
		if (o->len == o->cap && block_write(o) < 0)
			return -1;
	}
	return 0;
}

/* Zeros up to the next section boundary. */
static int block_pad(block_out *o)
{
	uint64_t at = o->pos + o->len;
	return block_put(o, NULL, (size_t)(align_up(at) - at));
}

/* Appends the file at src (length bytes), read straight into the buffer. */
static int block_put_file(block_out *o, const char *src, uint64_t length)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	struct stat st;
	if (fstat(in, &st) < 0 || (uint64_t)st.st_size != length) {
		close(in);
		errno = EIO;
		return -1;
	}
	uint64_t left = length;
	while (left) {
		size_t room = o->cap - o->len;
		ssize_t k = read(in, o->buf + o->len, left < room ? (size_t)left : room);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			int e = k < 0 ? errno : EIO;
			close(in);
			errno = e;
			return -1;
		}
		o->len += (size_t)k;
		left -= (uint64_t)k;
		if (o->len == o->cap && block_write(o) < 0) {
			int e = errno;
			close(in);
			errno = e;
			return -1;
		}
	}
	close(in);
	return 0;
}

int idmap_iw_begin(idmap_index_writer *w, const char *output, char *err, size_t errlen)
{
	char *dcopy = strdup(output), *bcopy = strdup(output);
	int rc = -1;
	if (!dcopy || !bcopy) {
		snprintf(err, errlen, "%s: out of memory", output);
		goto out;
	}
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	char tag[96]; /* "<pid>@<host>": lets a later build recognise a stale file (tmp_clean.c) */
	idmap_build_tmp_tag(tag, sizeof(tag));
	size_t tlen = strlen(dir) + strlen(base) + strlen(tag) + 32;
	w->tmp = malloc(tlen);
	if (!w->tmp) {
		snprintf(err, errlen, "%s: out of memory", output);
		goto out;
	}
	snprintf(w->tmp, tlen, "%s/.%s.idmap-tmp.%s.XXXXXX", dir, base, tag);
	w->fd = mkstemp(w->tmp);
	if (w->fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file: %s", w->tmp,
			 strerror(errno));
		free(w->tmp);
		w->tmp = NULL;
		goto out;
	}
	/* The header is written last, once the table's place is known. */
	static const uint8_t header[IDMAP_HEADER_SIZE];
	if (write_all(w->fd, header, sizeof(header)) < 0) {
		snprintf(err, errlen, "%s: write failed: %s", w->tmp, strerror(errno));
		goto out;
	}
	w->end = IDMAP_HEADER_SIZE;
	rc = 0;
out:
	free(dcopy);
	free(bcopy);
	return rc;
}

int idmap_iw_place_begin(idmap_index_writer *w, uint64_t *offset)
{
	if (!w->tmp || w->placing || w->n == IDMAP_WRITER_MAX_SECTIONS) {
		errno = EINVAL;
		return -1;
	}
	/* Its own descriptor, with its own file position, from the section's start; the gap
	 * before it stays a hole that reads as zeros. */
	int fd = open(w->tmp, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (lseek(fd, (off_t)align_up(w->end), SEEK_SET) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	w->placing = 1;
	*offset = align_up(w->end);
	return fd;
}

int idmap_iw_place_end(idmap_index_writer *w, uint32_t id, uint64_t length, uint32_t crc)
{
	idmap_section_src *s = add(w, id);
	if (!w->placing || !s)
		return -1;
	s->placed = 1;
	s->offset = align_up(w->end);
	s->length = length;
	s->crc = crc;
	w->n++;
	w->end = s->offset + length;
	w->placing = 0;
	return 0;
}

/* Appends the sections not yet in the file, then the table and the header. */
static int write_sections(idmap_index_writer *w, int fd)
{
	size_t table_len = w->n * IDMAP_SECTION_ENTRY_SIZE;
	uint8_t *table = calloc(1, table_len ? table_len : 1);
	block_out o = {fd, malloc(IDMAP_IW_BLOCK), 0, 0, w->end};
	if (!table || !o.buf) {
		free(table);
		free(o.buf);
		errno = ENOMEM;
		return -1;
	}
	o.cap = IDMAP_IW_BLOCK - (size_t)(w->end % IDMAP_IW_BLOCK);
	for (size_t i = 0; i < w->n; i++) {
		idmap_section_src *s = &w->sec[i];
		if (!s->placed) {
			if (block_pad(&o) < 0)
				goto fail;
			s->offset = o.pos + o.len;
			int rc = s->mem ? block_put(&o, s->mem, s->length)
					: block_put_file(&o, s->path, s->length);
			if (rc < 0)
				goto fail;
			/* Free the disk as we go: the index needs its own size once, not twice. */
			if (s->path)
				unlink(s->path);
		}
		uint8_t *e = table + i * IDMAP_SECTION_ENTRY_SIZE;
		idmap_wr32(e + IDMAP_SEC_ID, s->id);
		idmap_wr64(e + IDMAP_SEC_OFFSET, s->offset);
		idmap_wr64(e + IDMAP_SEC_LENGTH, s->length);
		idmap_wr32(e + IDMAP_SEC_CRC, s->crc);
	}
	if (block_pad(&o) < 0)
		goto fail;
	uint64_t table_off = o.pos + o.len;
	if (block_put(&o, table, table_len) < 0 || block_write(&o) < 0)
		goto fail;

	uint8_t header[IDMAP_HEADER_SIZE] = {0};
	memcpy(header + IDMAP_HDR_MAGIC, IDMAP_MAGIC, IDMAP_MAGIC_LEN);
	idmap_wr32(header + IDMAP_HDR_VERSION, IDMAP_FORMAT_VERSION);
	idmap_wr64(header + IDMAP_HDR_FILE_SIZE, o.pos);
	idmap_wr64(header + IDMAP_HDR_TABLE_OFFSET, table_off);
	idmap_wr32(header + IDMAP_HDR_SECTION_COUNT, (uint32_t)w->n);
	idmap_wr32(header + IDMAP_HDR_TABLE_CRC, libdeflate_crc32(0, table, table_len));
	idmap_wr32(header + IDMAP_HDR_HEADER_CRC, libdeflate_crc32(0, header, IDMAP_HDR_HEADER_CRC));
	free(table);
	free(o.buf);
	if (pwrite(fd, header, sizeof(header), 0) != (ssize_t)sizeof(header))
		return -1;
	return fsync(fd);
fail:
	free(table);
	free(o.buf);
	return -1;
}

int idmap_iw_commit(idmap_index_writer *w, const char *output, char *err, size_t errlen)
{
	if (!w->tmp && idmap_iw_begin(w, output, err, errlen) < 0)
		return -1;
	if (w->placing) {
		snprintf(err, errlen, "%s: internal error: a section is still being written", w->tmp);
		return -1;
	}
	if (write_sections(w, w->fd) < 0) {
		snprintf(err, errlen, "%s: write failed: %s", w->tmp, strerror(errno));
		return -1;
	}
	int fd = w->fd;
	w->fd = -1;
	if (fchmod(fd, 0644) < 0 || close(fd) < 0) {
		snprintf(err, errlen, "%s: %s", w->tmp, strerror(errno));
		return -1;
	}
	if (rename(w->tmp, output) < 0) {
		snprintf(err, errlen, "%s: cannot rename the new index into place: %s", output,
			 strerror(errno));
		return -1;
	}
	free(w->tmp);
	w->tmp = NULL; /* committed: idmap_iw_free leaves it */
	/* The rename is durable only once the directory entry is on disk. */
	char *dcopy = strdup(output);
	if (dcopy) {
		int dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dcopy);
	}
	return 0;
}
