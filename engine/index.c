/* Opening an index: map, validate (FORMAT.md), metadata accessors, close. Everything read
 * from the file is checked before use. The full verification pass is in verify.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>

#include "accession.h"
#include "hash.h"
#include "index_internal.h"

static const char *const section_names[] = {
	NULL,	      "META",	     "TYPES",	   "ACC_DIR",	"ACC_PILOTS",
	"ACC_REMAP",  "ACC_CODES",   "FWD_INDEX",  "FWD_POOL",	"KEY_DIR",
	"KEY_PILOTS", "KEY_REMAP",   "KEY_INDEX",  "KEY_POOL",  "FWD_INDEX_WIDE",
	"KEY_INDEX_WIDE",
};

IDMAP_API const char *idmap_section_name(uint32_t id)
{
	if (id >= 1 && id <= IDMAP_SECTION_REQUIRED_LAST)
		return section_names[id];
	switch (id) {
	case IDMAP_SECTION_SEQUENCES:
		return "SEQUENCES";
	case IDMAP_SECTION_UNIPARC:
		return "UNIPARC";
	case IDMAP_SECTION_JOBS:
		return "JOBS";
	case IDMAP_SECTION_ENTRY_INFO:
		return "ENTRY_INFO";
	case IDMAP_SECTION_ENTRY_BLOCKS:
		return "ENTRY_BLOCKS";
	case IDMAP_SECTION_ENTRY_DATA:
		return "ENTRY_DATA";
	case IDMAP_SECTION_ENTRY_RECORDS:
		return "ENTRY_RECORDS";
	default:
		return NULL;
	}
}

static uint32_t crc32_of(const uint8_t *p, uint64_t len)
{
	return libdeflate_crc32(0, p, (size_t)len);
}

int idmap_detail_set(char *detail, size_t len, int status, const char *fmt, ...)
{
	int e = errno; /* IDMAP_ERR_IO leaves its cause in errno */
	if (detail && len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, len, fmt, ap);
		va_end(ap);
	}
	errno = e;
	return status;
}

/* The text of errno e in buf (strerror_r: strerror may share one buffer between threads). */
static const char *errno_text(int e, char *buf, size_t len)
{
#ifdef _GNU_SOURCE
	return strerror_r(e, buf, len);
#else
	if (strerror_r(e, buf, len) != 0)
		snprintf(buf, len, "error %d", e);
	return buf;
#endif
}

/* Where idmap_open writes why it failed (idmap_open_detail's buffer, or nowhere). */
typedef struct {
	char *p;
	size_t len;
} why;

#define WHY(w, status, ...) idmap_detail_set((w)->p, (w)->len, (status), __VA_ARGS__)
#define CORRUPT(w, ...) WHY(w, IDMAP_ERR_CORRUPT, __VA_ARGS__)

/* A section's name for messages: its own, else "section N" in buf. */
static const char *name_or_id(uint32_t id, char *buf, size_t len)
{
	const char *n = idmap_section_name(id);
	if (n)
		return n;
	snprintf(buf, len, "section %u", id);
	return buf;
}

static int version_error(const why *w, uint32_t found)
{
	if (found > IDMAP_FORMAT_VERSION)
		return WHY(w, IDMAP_ERR_VERSION, "header: index format version %u is newer than "
			   "this idmap reads (version %u): use a newer idmap, or rebuild the index "
			   "with `idmap build`", found, IDMAP_FORMAT_VERSION);
	return WHY(w, IDMAP_ERR_VERSION, "header: index format version %u is not supported by "
		   "this idmap (version %u): rebuild the index with `idmap build`", found,
		   IDMAP_FORMAT_VERSION);
}

/* ---- Header and section table ------------------------------------------------------------ */

static int check_header(const idmap_index *ix, uint64_t *table_off, uint32_t *count,
			const why *w)
{
	const uint8_t *h = ix->map;
	if (memcmp(h + IDMAP_HDR_MAGIC, IDMAP_MAGIC, IDMAP_MAGIC_LEN) != 0)
		return WHY(w, IDMAP_ERR_NOT_INDEX, "header: not an idmap index (bad magic)");
	if (idmap_rd32(h + IDMAP_HDR_VERSION) != IDMAP_FORMAT_VERSION)
		return version_error(w, idmap_rd32(h + IDMAP_HDR_VERSION));
	if (crc32_of(h, IDMAP_HDR_HEADER_CRC) != idmap_rd32(h + IDMAP_HDR_HEADER_CRC))
		return CORRUPT(w, "header: CRC mismatch");
	int reserved = idmap_rd32(h + IDMAP_HDR_FLAGS) != 0;
	for (unsigned i = 0; i < 20; i++)
		reserved |= h[IDMAP_HDR_RESERVED + i] != 0;
	if (reserved)
		return CORRUPT(w, "header: reserved fields are not zero");
	uint64_t fsize = idmap_rd64(h + IDMAP_HDR_FILE_SIZE);
	if (fsize != (uint64_t)ix->size)
		return CORRUPT(w, "header: file size %llu but the file has %llu bytes (truncated "
			       "or extended)", (unsigned long long)fsize,
			       (unsigned long long)ix->size);
	uint64_t off = idmap_rd64(h + IDMAP_HDR_TABLE_OFFSET);
	uint32_t n = idmap_rd32(h + IDMAP_HDR_SECTION_COUNT);
	if (n < 1 || n > IDMAP_MAX_SECTIONS || off < IDMAP_HEADER_SIZE ||
	    off % IDMAP_SECTION_ALIGN != 0 || off > ix->size ||
	    (uint64_t)n * IDMAP_SECTION_ENTRY_SIZE > ix->size - off)
		return CORRUPT(w, "header: section table (offset %llu, %u entries) outside the "
			       "file or misaligned", (unsigned long long)off, n);
	if (crc32_of(h + off, (uint64_t)n * IDMAP_SECTION_ENTRY_SIZE) !=
	    idmap_rd32(h + IDMAP_HDR_TABLE_CRC))
		return CORRUPT(w, "section table: CRC mismatch");
	*table_off = off;
	*count = n;
	return IDMAP_OK;
}

typedef struct {
	uint64_t a, b;
	uint32_t id; /* 0: the section table itself */
} range;

static int cmp_range(const void *x, const void *y)
{
	const range *r = x, *s = y;
	if (r->a != s->a)
		return r->a < s->a ? -1 : 1;
	return (r->b > s->b) - (r->b < s->b);
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return (a > b) - (a < b);
}

/* Sections: aligned, inside the file, disjoint from each other and the table, ids unique,
 * the required ones present. */
static int read_table(idmap_index *ix, uint64_t table_off, uint32_t n, const why *w)
{
	ix->secs = calloc(n, sizeof *ix->secs);
	range *rs = calloc((size_t)n + 1, sizeof *rs);
	uint32_t *ids = calloc(n, sizeof *ids);
	char nb[2][24];
	int rc = IDMAP_ERR_NOMEM;
	if (!ix->secs || !rs || !ids)
		goto out;
	ix->n_secs = n;
	size_t nr = 0;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = ix->map + table_off + (uint64_t)i * IDMAP_SECTION_ENTRY_SIZE;
		idmap_section_info *s = &ix->secs[i];
		s->id = idmap_rd32(e + IDMAP_SEC_ID);
		s->name = idmap_section_name(s->id);
		s->offset = idmap_rd64(e + IDMAP_SEC_OFFSET);
		s->length = idmap_rd64(e + IDMAP_SEC_LENGTH);
		s->crc = idmap_rd32(e + IDMAP_SEC_CRC);
		const char *name = name_or_id(s->id, nb[0], sizeof nb[0]);
		if (idmap_rd32(e + IDMAP_SEC_FLAGS) || idmap_rd32(e + IDMAP_SEC_RESERVED)) {
			rc = CORRUPT(w, "section table: %s: reserved fields are not zero", name);
			goto out;
		}
		if (s->offset < IDMAP_HEADER_SIZE || s->offset % IDMAP_SECTION_ALIGN ||
		    s->offset > ix->size || s->length > ix->size - s->offset) {
			rc = CORRUPT(w, "section table: %s (offset %llu, length %llu) lies outside "
				     "the file or is misaligned", name,
				     (unsigned long long)s->offset, (unsigned long long)s->length);
			goto out;
		}
		ids[i] = s->id;
		if (s->length) /* an empty section occupies no bytes */
			rs[nr++] = (range){s->offset, s->offset + s->length, s->id};
		if (s->id >= 1 && s->id <= IDMAP_SECTION_REQUIRED_LAST)
			ix->sec[s->id] = (idmap_span){ix->map + s->offset, s->length};
	}
	rs[nr++] = (range){table_off, table_off + (uint64_t)n * IDMAP_SECTION_ENTRY_SIZE, 0};
	qsort(rs, nr, sizeof *rs, cmp_range);
	for (size_t i = 1; i < nr; i++) {
		if (rs[i - 1].b > rs[i].a) {
			const range *x = &rs[i - 1], *y = &rs[i];
			rc = CORRUPT(w, "section table: %s overlaps %s",
				     x->id ? name_or_id(x->id, nb[0], sizeof nb[0]) : "the table",
				     y->id ? name_or_id(y->id, nb[1], sizeof nb[1]) : "the table");
			goto out;
		}
	}
	qsort(ids, n, sizeof *ids, cmp_u32);
	for (uint32_t i = 1; i < n; i++) {
		if (ids[i - 1] == ids[i]) {
			rc = CORRUPT(w, "section table: %s listed twice",
				     name_or_id(ids[i], nb[0], sizeof nb[0]));
			goto out;
		}
	}
	for (uint32_t id = 1; id <= IDMAP_SECTION_REQUIRED_LAST; id++) {
		if (!bsearch(&id, ids, n, sizeof *ids, cmp_u32)) {
			rc = CORRUPT(w, "section table: required section %s missing",
				     idmap_section_name(id));
			goto out;
		}
	}
	rc = IDMAP_OK;
out:
	free(rs);
	free(ids);
	return rc;
}

static const idmap_section_info *section_by_id(const idmap_index *ix, uint32_t id)
{
	for (uint32_t i = 0; i < ix->n_secs; i++)
		if (ix->secs[i].id == id)
			return &ix->secs[i];
	return NULL;
}

static int section_crc_ok(const idmap_index *ix, uint32_t id)
{
	const idmap_section_info *s = section_by_id(ix, id);
	return s && crc32_of(ix->map + s->offset, s->length) == s->crc;
}

/* ---- TYPES ------------------------------------------------------------------------------- */

static int read_types(idmap_index *ix, const why *w)
{
	const idmap_span *s = &ix->sec[IDMAP_SECTION_TYPES];
	if (s->len < IDMAP_TYPES_HEADER_SIZE || idmap_rd32(s->p + 4) != 0)
		return CORRUPT(w, "TYPES: header too short or reserved field not zero");
	uint32_t t = idmap_rd32(s->p);
	/* each record takes at least 19 bytes: refuse counts the section cannot hold */
	if (t > IDMAP_MAX_TYPES || (uint64_t)t * 19 > s->len - IDMAP_TYPES_HEADER_SIZE)
		return CORRUPT(w, "TYPES: %u types do not fit the section", t);
	ix->types = calloc(t ? t : 1, sizeof *ix->types);
	ix->vcode = calloc(t ? t : 1, sizeof *ix->vcode);
	/* room for every name and its NUL, whatever the section's length */
	ix->names = malloc((size_t)t * (IDMAP_MAX_TYPE_NAME + 1) + 1);
	if (!ix->types || !ix->vcode || !ix->names)
		return IDMAP_ERR_NOMEM;
	ix->n_types = t;
	const uint8_t *p = s->p + IDMAP_TYPES_HEADER_SIZE, *end = s->p + s->len;
	char *np = ix->names;
	for (uint32_t i = 0; i < t; i++) {
		if (end - p < 18)
			return CORRUPT(w, "TYPES: record %u cut short", i);
		idmap_type_info *ti = &ix->types[i];
		ti->pairs = idmap_rd64(p);
		ti->keys = idmap_rd64(p + 8);
		uint16_t nl = idmap_rd16(p + 16);
		p += 18;
		if (nl < 1 || nl > IDMAP_MAX_TYPE_NAME || end - p < nl)
			return CORRUPT(w, "TYPES: record %u: bad name length %u", i, nl);
		for (uint16_t k = 0; k < nl; k++)
			if (p[k] < 0x21 || p[k] > 0x7e)
				return CORRUPT(w, "TYPES: record %u: name is not printable ASCII", i);
		memcpy(np, p, nl);
		np[nl] = '\0';
		ti->name = np;
		ti->name_len = nl;
		idmap_vcode_of(np, nl, &ix->vcode[i]);
		np += nl + 1;
		p += nl;
	}
	if (p != end)
		return CORRUPT(w, "TYPES: bytes after the last record");
	int rc = idmap_types_sort(ix); /* also finds a name listed twice */
	return rc == IDMAP_ERR_CORRUPT ? CORRUPT(w, "TYPES: a name listed twice") : rc;
}

/* ---- MPHF directories -------------------------------------------------------------------- */

int idmap_mphf_check(const idmap_mphf_view *v)
{
	uint64_t nfiles = 1ull << v->fbits, part = 0;
	for (uint64_t f = 0; f < nfiles; f++) {
		const uint8_t *e = v->files + f * IDMAP_DIR_FILE_ENTRY_SIZE;
		if (idmap_rd32(e) != part)
			return -1;
		part += idmap_rd32(e + 4);
		if (part > v->nparts)
			return -1;
	}
	if (part != v->nparts)
		return -1;
	uint64_t slot = 0, pilot = 0, remap = 0;
	for (uint32_t i = 0; i < v->nparts; i++) {
		const uint8_t *e = v->parts + (uint64_t)i * IDMAP_DIR_PART_ENTRY_SIZE;
		uint32_t n = idmap_rd32(e + IDMAP_PART_N);
		if (idmap_rd64(e + IDMAP_PART_SLOT_BASE) != slot ||
		    idmap_rd64(e + IDMAP_PART_PILOT_BASE) != pilot ||
		    idmap_rd64(e + IDMAP_PART_REMAP_BASE) != remap)
			return -1;
		slot += n;
		pilot += idmap_mphf_buckets(n);
		remap += idmap_mphf_positions(n) - n;
	}
	if (slot != v->nkeys || pilot != v->n_pilots || remap != v->n_remap)
		return -1;
	return 0;
}

static int init_mphf(idmap_index *ix, idmap_mphf_view *v, int dir, int pilots, int remap,
		     const why *w)
{
	const idmap_span *d = &ix->sec[dir], *p = &ix->sec[pilots], *r = &ix->sec[remap];
	const char *name = idmap_section_name((uint32_t)dir);
	if (idmap_mphf_view_init(v, d->p, d->len, p->p, p->len, r->p, r->len) != 0)
		return CORRUPT(w, "%s: header or length inconsistent (or %s, %s lengths)", name,
			       idmap_section_name((uint32_t)pilots),
			       idmap_section_name((uint32_t)remap));
	if (v->nkeys > UINT32_MAX)
		return CORRUPT(w, "%s: %llu keys, more than 2^32 - 1", name,
			       (unsigned long long)v->nkeys);
	if (idmap_mphf_check(v) != 0)
		return CORRUPT(w, "%s: partition table inconsistent", name);
	return IDMAP_OK;
}

/* An offset table of n records (FORMAT.md) into *t: its exact length, whole wide entries at
 * most one per block, the first base 0 and the last record ending at the end of the pool.
 * O(1); idmap_verify walks the rest. */
static int check_offsets(const idmap_index *ix, idmap_otab *t, idmap_ot_layout layout,
			 int index_id, int wide_id, int pool_id, uint64_t n, const why *w)
{
	*t = (idmap_otab){ix->sec[index_id], ix->sec[wide_id], ix->sec[pool_id], layout};
	const char *name = idmap_section_name((uint32_t)index_id);
	const char *wname = idmap_section_name((uint32_t)wide_id);
	uint64_t blocks = idmap_ot_length(n, layout) / IDMAP_OT_BLOCK_BYTES;
	uint32_t size = idmap_ot_wide_bytes(layout);
	if (t->index.len != idmap_ot_length(n, layout))
		return CORRUPT(w, "%s: length %llu, but %llu records need %llu", name,
			       (unsigned long long)t->index.len, (unsigned long long)n,
			       (unsigned long long)idmap_ot_length(n, layout));
	if (t->wide.len % size || t->wide.len / size > blocks)
		return CORRUPT(w, "%s: length %llu is not whole entries of %u bytes, at most "
			       "one per block of %s (%llu)", wname, (unsigned long long)t->wide.len,
			       size, name, (unsigned long long)blocks);
	const uint8_t *a, *b;
	if (n == 0 ? t->pool.len != 0
		   : (idmap_rd64(t->index.p) & ~IDMAP_OT_WIDE_FLAG) != 0 ||
			     idmap_record(t, n - 1, &a, &b) != 0 ||
			     b != t->pool.p + t->pool.len)
		return CORRUPT(w, "%s: does not span %s", name,
			       idmap_section_name((uint32_t)pool_id));
	return IDMAP_OK;
}

static void advise(const idmap_span *s, int advice)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)s->p & ~(pg - 1);
	if (s->len)
		(void)madvise((void *)a, (uintptr_t)s->p + s->len - a, advice);
}

/* An index that fits in memory with room to spare is cached in 2 MiB folios where the kernel
 * and file system allow (measured on ext4): a page fault on an uncached part then reads the 2 MiB
 * around it instead of 4 KiB, so the cache refills in large folios after the index was
 * evicted (a reboot, other work), and lookups in large folios run 1.4-1.5x faster
 * (docs/BENCHMARKS.md, "Page cache folio size"). An index larger than half the memory is left
 * to 4 KiB faults: it may not stay cached, and reading 2 MiB per random miss would multiply
 * its disk reads. */
static void advise_huge(const idmap_index *ix)
{
#ifdef MADV_HUGEPAGE
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	if (pages > 0 && page > 0 && ix->size <= (uint64_t)pages * (uint64_t)page / 2)
		(void)madvise(ix->map, ix->size, MADV_HUGEPAGE);
#else
	(void)ix;
#endif
}

static int validate(idmap_index *ix, const why *w)
{
	uint64_t table_off = 0;
	uint32_t count = 0;
	int rc = check_header(ix, &table_off, &count, w);
	if (rc == IDMAP_OK)
		rc = read_table(ix, table_off, count, w);
	if (rc != IDMAP_OK)
		return rc;
	static const int small[] = {IDMAP_SECTION_META, IDMAP_SECTION_TYPES,
				    IDMAP_SECTION_ACC_DIR, IDMAP_SECTION_KEY_DIR};
	for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
		if (!section_crc_ok(ix, (uint32_t)small[i]))
			return CORRUPT(w, "%s: CRC mismatch", idmap_section_name((uint32_t)small[i]));
	if ((rc = read_types(ix, w)) != IDMAP_OK)
		return rc;
	rc = init_mphf(ix, &ix->acc_mphf, IDMAP_SECTION_ACC_DIR, IDMAP_SECTION_ACC_PILOTS,
		       IDMAP_SECTION_ACC_REMAP, w);
	if (rc == IDMAP_OK)
		rc = init_mphf(ix, &ix->key_mphf, IDMAP_SECTION_KEY_DIR, IDMAP_SECTION_KEY_PILOTS,
			       IDMAP_SECTION_KEY_REMAP, w);
	if (rc != IDMAP_OK)
		return rc;
	ix->n_acc = ix->acc_mphf.nkeys;
	ix->n_key = ix->key_mphf.nkeys;
	ix->key_w = idmap_slot_width(ix->n_key);
	if (ix->sec[IDMAP_SECTION_ACC_CODES].len != 8 * ix->n_acc)
		return CORRUPT(w, "ACC_CODES: length %llu, but %llu accessions need %llu",
			       (unsigned long long)ix->sec[IDMAP_SECTION_ACC_CODES].len,
			       (unsigned long long)ix->n_acc, (unsigned long long)(8 * ix->n_acc));
	rc = check_offsets(ix, &ix->fwd, IDMAP_OT_ENDS16, IDMAP_SECTION_FWD_INDEX,
			   IDMAP_SECTION_FWD_INDEX_WIDE, IDMAP_SECTION_FWD_POOL, ix->n_acc, w);
	if (rc == IDMAP_OK)
		rc = check_offsets(ix, &ix->key, IDMAP_OT_LENS8, IDMAP_SECTION_KEY_INDEX,
				   IDMAP_SECTION_KEY_INDEX_WIDE, IDMAP_SECTION_KEY_POOL, ix->n_key, w);
	if (rc == IDMAP_OK)
		rc = idmap_entries_open(ix, w->p, w->len);
	return rc;
}

/* Opens and maps path (IDMAP_ERR_IO with errno, or IDMAP_ERR_NOT_INDEX for what cannot be an
 * index), then validates it. */
static int open_checked(const char *path, idmap_index **out, const why *w)
{
	char eb[128];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return WHY(w, IDMAP_ERR_IO, "%s", errno_text(errno, eb, sizeof eb));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return WHY(w, IDMAP_ERR_IO, "%s", errno_text(e, eb, sizeof eb));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return WHY(w, IDMAP_ERR_IO, "%s", errno_text(EISDIR, eb, sizeof eb));
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return WHY(w, IDMAP_ERR_NOT_INDEX, "header: not an idmap index (not a regular "
			   "file)");
	}
	if (st.st_size < (off_t)IDMAP_HEADER_SIZE) {
		close(fd);
		return WHY(w, IDMAP_ERR_NOT_INDEX, "header: not an idmap index (a file of %lld "
			   "bytes)", (long long)st.st_size);
	}
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	int e = errno;
	close(fd); /* the mapping keeps the file */
	if (map == MAP_FAILED) {
		errno = e;
		return WHY(w, IDMAP_ERR_IO, "%s", errno_text(e, eb, sizeof eb));
	}
	idmap_index *ix = calloc(1, sizeof *ix);
	if (!ix) {
		munmap(map, (size_t)st.st_size);
		return WHY(w, IDMAP_ERR_NOMEM, "out of memory");
	}
	ix->map = map;
	ix->size = (size_t)st.st_size;
	int rc = validate(ix, w);
	if (rc != IDMAP_OK) {
		idmap_close(ix);
		return rc == IDMAP_ERR_NOMEM ? WHY(w, rc, "out of memory") : rc;
	}
	/* the big arrays are probed at random; the small tables are read at every lookup */
	(void)madvise(ix->map, ix->size, MADV_RANDOM);
	advise_huge(ix);
	static const int hot[] = {IDMAP_SECTION_META, IDMAP_SECTION_TYPES, IDMAP_SECTION_ACC_DIR,
				  IDMAP_SECTION_KEY_DIR};
	for (size_t i = 0; i < sizeof hot / sizeof hot[0]; i++)
		advise(&ix->sec[hot[i]], MADV_WILLNEED);
	*out = ix;
	return IDMAP_OK;
}

IDMAP_API int idmap_open_detail(const char *path, idmap_index **out, char *detail, size_t len)
{
	if (!out || (!detail && len))
		return IDMAP_ERR_INVALID;
	*out = NULL;
	why w = {detail, len};
	if (detail && len)
		detail[0] = '\0';
	if (!path)
		return WHY(&w, IDMAP_ERR_INVALID, "no path");
	int e = errno;
	int rc = open_checked(path, out, &w);
	if (rc == IDMAP_OK)
		errno = e;
	return rc;
}

IDMAP_API int idmap_open(const char *path, idmap_index **out)
{
	return idmap_open_detail(path, out, NULL, 0);
}

IDMAP_API void idmap_close(idmap_index *ix)
{
	if (!ix)
		return;
	if (ix->map)
		munmap(ix->map, ix->size);
	free(ix->secs);
	free(ix->types);
	free(ix->vcode);
	free(ix->names);
	free(ix->type_order);
	free(ix->type_ci_low);
	free(ix);
}

/* ---- Metadata accessors ------------------------------------------------------------------ */

IDMAP_API uint64_t idmap_acc_count(const idmap_index *ix) { return ix ? ix->n_acc : 0; }
IDMAP_API uint64_t idmap_key_count(const idmap_index *ix) { return ix ? ix->n_key : 0; }
IDMAP_API uint32_t idmap_type_count(const idmap_index *ix) { return ix ? ix->n_types : 0; }
IDMAP_API uint32_t idmap_section_count(const idmap_index *ix) { return ix ? ix->n_secs : 0; }

IDMAP_API int idmap_meta_next(const idmap_index *ix, size_t *cursor, idmap_meta_line *line)
{
	if (!ix || !cursor || !line)
		return IDMAP_ERR_INVALID;
	const idmap_span *s = &ix->sec[IDMAP_SECTION_META];
	if (*cursor >= s->len)
		return IDMAP_DONE;
	const char *p = (const char *)s->p + *cursor;
	const char *end = (const char *)s->p + s->len;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *tab = nl ? memchr(p, '\t', (size_t)(nl - p)) : NULL;
	if (!tab)
		return IDMAP_ERR_CORRUPT;
	line->key = p;
	line->key_len = (size_t)(tab - p);
	line->value = tab + 1;
	line->value_len = (size_t)(nl - tab - 1);
	*cursor = (size_t)(nl + 1 - (const char *)s->p);
	return IDMAP_OK;
}

IDMAP_API int idmap_meta_find(const idmap_index *ix, const char *key, const char **value,
			      size_t *len)
{
	if (!ix || !key || !value || !len)
		return IDMAP_ERR_INVALID;
	size_t cur = 0, kl = strlen(key);
	idmap_meta_line m;
	while (idmap_meta_next(ix, &cur, &m) == IDMAP_OK) {
		if (m.key_len == kl && memcmp(m.key, key, kl) == 0) {
			*value = m.value;
			*len = m.value_len;
			return IDMAP_OK;
		}
	}
	return IDMAP_ERR_NOT_FOUND;
}

IDMAP_API uint64_t idmap_upi_count(const idmap_index *ix)
{
	const char *v;
	size_t len;
	uint64_t n = 0;
	if (idmap_meta_find(ix, "upis", &v, &len) != IDMAP_OK)
		return 0;
	for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9' && n < UINT64_MAX / 10; i++)
		n = n * 10 + (uint64_t)(v[i] - '0');
	return n <= ix->n_acc ? n : ix->n_acc;
}

IDMAP_API int idmap_type_get(const idmap_index *ix, uint32_t id, idmap_type_info *info)
{
	if (!ix || !info || id >= ix->n_types)
		return IDMAP_ERR_INVALID;
	*info = ix->types[id];
	return IDMAP_OK;
}

IDMAP_API int idmap_section_get(const idmap_index *ix, uint32_t i, idmap_section_info *info)
{
	if (!ix || !info || i >= ix->n_secs)
		return IDMAP_ERR_INVALID;
	*info = ix->secs[i];
	return IDMAP_OK;
}
