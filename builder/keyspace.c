/* Writing one key space's MPHF directory, pilots and remap entries (FORMAT.md). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "build_internal.h"
#include "idmap_format.h"
#include "idmap_vec.h"
#include "par.h"

int ks_init(build *b, keyspace_writer *ks, const char *name, uint32_t fbits, uint64_t seed,
	    int keep)
{
	memset(ks, 0, sizeof(*ks));
	idmap_spill_init(&ks->pilots);
	idmap_spill_init(&ks->remap);
	idmap_spill_init(&ks->exceptions);
	ks->name = name;
	ks->fbits = fbits;
	ks->seed = seed;
	ks->keep = keep;
	ks->files = calloc((size_t)1 << fbits, IDMAP_DIR_FILE_ENTRY_SIZE);
	if (!ks->files)
		return build_fail(b, "out of memory");
	char path[4096];
	build_path(b, path, sizeof(path), name, 0);
	if (idmap_spill_open(&ks->pilots, path, build_write_buf(b, 1 << 20), b->bg) < 0)
		return build_fail_errno(b, "%s", path);
	build_path(b, path, sizeof(path), name, 1);
	if (idmap_spill_open(&ks->remap, path, build_write_buf(b, 1 << 20), b->bg) < 0)
		return build_fail_errno(b, "%s", path);
	build_path(b, path, sizeof(path), name, 2);
	if (idmap_spill_open(&ks->exceptions, path, build_write_buf(b, 1 << 16), NULL) < 0)
		return build_fail_errno(b, "%s", path);
	return 0;
}

void ks_set_file(keyspace_writer *ks, uint32_t f, uint32_t first, uint32_t count)
{
	uint8_t *e = ks->files + (size_t)f * IDMAP_DIR_FILE_ENTRY_SIZE;
	idmap_wr32(e, first);
	idmap_wr32(e + 4, count);
}

/* Appends n bytes to a growing buffer. */
static int keep_bytes(uint8_t **arr, size_t *cap, uint64_t used, const void *src, size_t n)
{
	if (idmap_vec_reserve(arr, cap, (size_t)(used + n), 1) < 0)
		return -1;
	memcpy(*arr + used, src, n);
	return 0;
}

int ks_add_part(build *b, keyspace_writer *ks, const idmap_mphf_part *p, uint64_t *slot_base)
{
	if (idmap_vec_reserve(&ks->parts, &ks->parts_cap, ks->nparts + 1,
			      IDMAP_DIR_PART_ENTRY_SIZE) < 0)
		return build_fail(b, "out of memory");
	uint32_t nb = idmap_mphf_buckets(p->n);
	uint64_t nr = idmap_mphf_positions(p->n) - p->n;
	uint8_t *e = ks->parts + ks->nparts * IDMAP_DIR_PART_ENTRY_SIZE;
	memset(e, 0, IDMAP_DIR_PART_ENTRY_SIZE);
	idmap_wr64(e + IDMAP_PART_SLOT_BASE, ks->nkeys);
	idmap_wr64(e + IDMAP_PART_PILOT_BASE, ks->npilots);
	idmap_wr64(e + IDMAP_PART_REMAP_BASE, ks->nremap);
	idmap_wr32(e + IDMAP_PART_N, p->n);
	idmap_wr32(e + IDMAP_PART_SEED, p->seed);
	/* A pilot byte each; the few pilots above 254 go to the exceptions (ks_finish). */
	uint8_t buf[4096];
	for (uint32_t i0 = 0; i0 < nb; i0 += (uint32_t)sizeof(buf)) {
		uint32_t k = nb - i0 < sizeof(buf) ? nb - i0 : (uint32_t)sizeof(buf);
		for (uint32_t i = 0; i < k; i++) {
			uint16_t pilot = p->pilots[i0 + i];
			buf[i] = pilot < IDMAP_PILOT_ESCAPE ? (uint8_t)pilot : IDMAP_PILOT_ESCAPE;
			if (pilot < IDMAP_PILOT_ESCAPE)
				continue;
			uint8_t le[8];
			idmap_wr64(le, (ks->npilots + i0 + i) << 16 | pilot);
			if (idmap_spill_write(&ks->exceptions, le, 8) < 0)
				return build_fail_errno(b, "writing pilots");
		}
		if (idmap_spill_write(&ks->pilots, buf, k) < 0)
			return build_fail_errno(b, "writing pilots");
		if (ks->keep && keep_bytes(&ks->kept_pilots, &ks->kept_pilots_cap,
					   ks->npilots + i0, buf, k) < 0)
			return build_fail(b, "out of memory");
	}
	for (uint64_t i = 0; i < nr; i++) {
		uint8_t le[4];
		idmap_wr32(le, p->remap[i]);
		if (idmap_spill_write(&ks->remap, le, 4) < 0)
			return build_fail_errno(b, "writing remap");
		if (ks->keep && keep_bytes(&ks->kept_remap, &ks->kept_remap_cap,
					   (ks->nremap + i) * 4, le, 4) < 0)
			return build_fail(b, "out of memory");
	}
	*slot_base = ks->nkeys;
	ks->nkeys += p->n;
	ks->npilots += nb;
	ks->nremap += nr;
	ks->nparts++;
	return 0;
}

/* Appends bytes to the pilot section, and to its copy in memory when the space keeps one. */
static int put_pilot_bytes(build *b, keyspace_writer *ks, const void *p, size_t n)
{
	if (idmap_spill_write(&ks->pilots, p, n) < 0)
		return build_fail_errno(b, "writing pilots");
	if (ks->keep && n &&
	    keep_bytes(&ks->kept_pilots, &ks->kept_pilots_cap, ks->kept_pilots_len, p, n) < 0)
		return build_fail(b, "out of memory");
	ks->kept_pilots_len += n;
	return 0;
}

/* Ends the pilot section: zeros up to a multiple of 8 after the pilot bytes, then the
 * exceptions from their temporary file (in bucket order, as ks_add_part wrote them). */
static int append_exceptions(build *b, keyspace_writer *ks)
{
	static const uint8_t zeros[8];
	ks->kept_pilots_len = ks->npilots;
	if (put_pilot_bytes(b, ks, zeros, (size_t)((8 - ks->npilots % 8) % 8)) < 0)
		return -1;
	char path[4096];
	build_path(b, path, sizeof(path), ks->name, 2);
	if (idmap_spill_close(&ks->exceptions) < 0)
		return build_fail_errno(b, "%s", path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return build_fail_errno(b, "%s", path);
	int rc = 0;
	for (;;) {
		uint8_t buf[1 << 14];
		size_t got;
		if (idmap_read_full(fd, buf, sizeof(buf), &got) < 0) {
			rc = build_fail_errno(b, "%s", path);
			break;
		}
		if (got == 0 || (rc = put_pilot_bytes(b, ks, buf, got)) < 0)
			break;
	}
	close(fd);
	unlink(path);
	return rc;
}

int ks_finish(build *b, keyspace_writer *ks, uint8_t **dir, size_t *dir_len)
{
	size_t ftab = ((size_t)1 << ks->fbits) * IDMAP_DIR_FILE_ENTRY_SIZE;
	size_t len = IDMAP_DIR_HEADER_SIZE + ftab + ks->nparts * IDMAP_DIR_PART_ENTRY_SIZE;
	uint8_t *d = calloc(1, len);
	if (!d)
		return build_fail(b, "out of memory");
	idmap_wr32(d + IDMAP_DIR_FBITS, ks->fbits);
	idmap_wr32(d + IDMAP_DIR_NPARTS, (uint32_t)ks->nparts);
	idmap_wr64(d + IDMAP_DIR_NKEYS, ks->nkeys);
	idmap_wr64(d + IDMAP_DIR_SEED, ks->seed);
	memcpy(d + IDMAP_DIR_HEADER_SIZE, ks->files, ftab);
	if (ks->nparts)
		memcpy(d + IDMAP_DIR_HEADER_SIZE + ftab, ks->parts,
		       ks->nparts * IDMAP_DIR_PART_ENTRY_SIZE);
	if (append_exceptions(b, ks) < 0) {
		free(d);
		return -1;
	}
	if (idmap_spill_flush(&ks->pilots) < 0 || idmap_spill_flush(&ks->remap) < 0) {
		free(d);
		return build_fail_errno(b, "writing the MPHF");
	}
	*dir = d;
	*dir_len = len;
	return 0;
}

void ks_free(keyspace_writer *ks)
{
	idmap_spill_close(&ks->pilots);
	idmap_spill_close(&ks->remap);
	free(ks->files);
	free(ks->parts);
	free(ks->kept_pilots);
	idmap_spill_close(&ks->exceptions);
	free(ks->kept_remap);
	memset(ks, 0, sizeof(*ks));
	ks->pilots.fd = ks->remap.fd = ks->exceptions.fd = -1;
}

uint32_t parts_for(uint64_t n, uint64_t target)
{
	if (n == 0)
		return 0;
	uint64_t p = (n + target - 1) / target;
	return p > UINT32_MAX ? UINT32_MAX : (uint32_t)p;
}

/* ---- building the partitions of a pass on several threads ------------------------------ */

typedef struct {
	idmap_mphf_part *parts;
	const idmap_h128 *h;
	const size_t *first;
} parts_job;

static int build_one(void *ctx, size_t i, uint32_t t)
{
	(void)t;
	parts_job *j = ctx;
	size_t n = j->first[i + 1] - j->first[i];
	return idmap_mphf_part_build(&j->parts[i], j->h + j->first[i], (uint32_t)n, 0);
}

int ks_build_parts(build_err *err, uint32_t threads, idmap_mphf_part *parts,
		   const idmap_h128 *h, const size_t *first, uint32_t count, const char *what)
{
	memset(parts, 0, count * sizeof(*parts));
	parts_job j = {.parts = parts, .h = h, .first = first};
	int rc = par_for(threads, count, build_one, &j, NULL);
	if (rc < 0) {
		for (uint32_t i = 0; i < count; i++)
			idmap_mphf_part_free(&parts[i]);
		if (rc == -2)
			return build_err_collision(err, what);
		return build_err_set(err, "%s: cannot build the perfect hash (out of memory or no "
				     "seed found; try another --seed)", what);
	}
	return 0;
}
