/* Accession phase: each accession partition is sorted and deduplicated, split into MPHF
 * partitions, and its codes are written in slot order (ACC_CODES). The accession MPHF stays
 * in memory (a few bits per accession) for the keys phase, which turns codes into slots. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accession.h"
#include "build_internal.h"
#include "par.h"
#include "sort.h"

static size_t unique_u64(uint64_t *a, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || a[i] != a[k - 1])
			a[k++] = a[i];
	return k;
}

/* Merges the sorted distinct a[0, na) and b[0, nb) into a new array, each code once. */
static uint64_t *merge_distinct(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
				size_t *n)
{
	uint64_t *m = malloc((na + nb ? na + nb : 1) * sizeof(*m));
	if (!m)
		return NULL;
	size_t i = 0, j = 0, k = 0;
	while (i < na || j < nb) {
		uint64_t x = j == nb || (i < na && a[i] <= b[j]) ? a[i] : b[j];
		i += i < na && a[i] == x;
		j += j < nb && b[j] == x;
		m[k++] = x;
	}
	*n = k;
	return m;
}

/* The sorted distinct codes of an accession partition file. It is read in chunks of at most
 * an eighth of the budget (with the sort's scratch, a quarter), each sorted, deduplicated and
 * merged into the codes so far: an accession repeated on lines far apart (a file that
 * alternates two of them, millions of times) costs no memory, only its distinct codes do. */
static int distinct_codes(const build *b, build_err *err, const char *path, uint64_t records,
			  uint64_t **out, size_t *n_out)
{
	uint64_t chunk64 = b->memory / 8 / sizeof(uint64_t);
	if (chunk64 < 65536)
		chunk64 = 65536;
	if (chunk64 > records)
		chunk64 = records ? records : 1;
	size_t chunk = (size_t)chunk64;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return build_err_errno(err, "%s", path);
	uint64_t *buf = malloc(chunk * sizeof(*buf)), *tmp = malloc(chunk * sizeof(*tmp));
	uint64_t *codes = NULL;
	size_t n = 0;
	int rc = -1;
	if (!buf || !tmp) {
		build_err_set(err, "out of memory sorting accessions");
		goto out;
	}
	for (;;) {
		size_t got;
		if (idmap_read_full(fd, buf, chunk * sizeof(*buf), &got) < 0) {
			build_err_errno(err, "%s", path);
			goto out;
		}
		size_t k = got / sizeof(*buf);
		if (k == 0)
			break;
		idmap_radix_sort(buf, tmp, k, 8, 0);
		size_t u = unique_u64(buf, k);
		if (!codes && (uint64_t)k == records) { /* the whole file in one chunk */
			codes = buf;
			n = u;
			buf = NULL;
			break;
		}
		size_t m;
		uint64_t *merged = merge_distinct(codes, n, buf, u, &m);
		if (!merged) {
			build_err_set(err, "out of memory sorting accessions");
			goto out;
		}
		free(codes);
		codes = merged;
		n = m;
		if (k < chunk)
			break;
	}
	*out = codes;
	*n_out = n;
	codes = NULL;
	rc = 0;
out:
	close(fd);
	free(buf);
	free(tmp);
	free(codes);
	return rc;
}

/* One accession partition file made ready on any thread (prepare_file) and then written in
 * file order (emit_file): its distinct codes grouped by MPHF partition, the partitions built. */
typedef struct {
	uint64_t *order;	/* the codes, grouped by partition (code order inside) */
	uint32_t *start;	/* partition s holds order[start[s], start[s + 1]) */
	idmap_mphf_part *parts; /* nsub of them */
	uint32_t nsub;
	size_t n;
	uint64_t upis;
	char err[512];
} acc_file;

static void acc_file_free(acc_file *a)
{
	for (uint32_t s = 0; a->parts && s < a->nsub; s++)
		idmap_mphf_part_free(&a->parts[s]);
	free(a->parts);
	free(a->order);
	free(a->start);
	a->parts = NULL;
	a->order = NULL;
	a->start = NULL;
}

/* Reads file f (then removes it) and builds its MPHF partitions, on `threads` threads. */
static int prepare_file(const build *b, uint32_t f, acc_file *a, uint32_t threads)
{
	build_err err = {a->err, sizeof(a->err)};
	char path[4096];
	build_path(b, path, sizeof(path), "acc-part", f);
	if (b->acc_parts[f].records == 0)
		return 0;
	uint64_t *codes = NULL;
	size_t n = 0;
	if (distinct_codes(b, &err, path, b->acc_parts[f].records, &codes, &n) < 0)
		return -1;
	unlink(path);
	for (size_t i = 0; i < n; i++)
		a->upis += (uint64_t)idmap_code_is_upi(codes[i]);
	uint32_t nsub = parts_for(n, b->part_target);
	a->n = n;
	a->nsub = nsub;
	idmap_h128 *h = malloc((n ? n : 1) * sizeof(*h));
	uint32_t *sub = malloc((n ? n : 1) * sizeof(*sub));
	size_t *first = malloc(((size_t)nsub + 1) * sizeof(*first));
	a->order = malloc((n ? n : 1) * sizeof(*a->order));
	a->start = calloc((size_t)nsub + 1, sizeof(*a->start));
	a->parts = malloc((nsub ? nsub : 1) * sizeof(*a->parts));
	int rc = -1;
	if (!h || !sub || !first || !a->order || !a->start || !a->parts) {
		free(a->parts);
		a->parts = NULL; /* nothing built in it yet */
		build_err_set(&err, "out of memory in the accession phase");
		goto out;
	}
	/* Group the codes by sub-partition (counting sort keeps code order inside). */
	for (size_t i = 0; i < n; i++) {
		idmap_h128 x = idmap_hash_acc(codes[i], b->acc_seed);
		sub[i] = sub_of(x.hi, b->fbits, nsub);
		a->start[sub[i] + 1]++;
	}
	for (uint32_t s = 0; s < nsub; s++)
		a->start[s + 1] += a->start[s];
	for (uint32_t s = 0; s <= nsub; s++)
		first[s] = a->start[s];
	for (size_t i = 0; i < n; i++)
		a->order[first[sub[i]]++] = codes[i];
	for (uint32_t s = 0; s <= nsub; s++)
		first[s] = a->start[s];
	for (size_t i = 0; i < n; i++)
		h[i] = idmap_hash_acc(a->order[i], b->acc_seed);
	if (ks_build_parts(&err, threads, a->parts, h, first, nsub, "accession space") < 0) {
		free(a->parts);
		a->parts = NULL;
		goto out;
	}
	rc = 0;
out:
	free(codes);
	free(h);
	free(sub);
	free(first);
	return rc;
}

/* Adds file f's partitions to the accession space and writes its codes in slot order. */
static int emit_file(build *b, uint32_t f, const acc_file *a)
{
	keyspace_writer *ks = &b->acc_ks;
	ks_set_file(ks, f, (uint32_t)ks->nparts, a->nsub);
	b->upis += a->upis;
	uint64_t *by_pos = malloc((a->n ? a->n : 1) * sizeof(*by_pos));
	if (!by_pos)
		return build_fail(b, "out of memory in the accession phase");
	int rc = -1;
	for (uint32_t s = 0; s < a->nsub; s++) {
		uint32_t m = a->start[s + 1] - a->start[s];
		const uint64_t *c = a->order + a->start[s];
		uint64_t base;
		if (ks_add_part(b, ks, &a->parts[s], &base) < 0)
			goto out;
		for (uint32_t i = 0; i < m; i++)
			by_pos[a->parts[s].pos[i]] = c[i];
		for (uint32_t i = 0; i < m; i++) {
			uint8_t le[8];
			idmap_wr64(le, by_pos[i]);
			if (idmap_spill_write(&b->acc_codes, le, 8) < 0) {
				build_fail_errno(b, "writing accession codes");
				goto out;
			}
		}
	}
	rc = 0;
out:
	free(by_pos);
	return rc;
}

/* What preparing a file holds at its peak, per record of its partition file: the read
 * buffer and the sort's scratch, then codes, hashes, partition ids, grouped codes and the
 * MPHF (positions, its scratch). */
#define ACC_BYTES_PER_RECORD 64u

typedef struct {
	const build *b;
	uint32_t f0;
	acc_file *files;
} acc_job;

static int prepare_one(void *ctx, size_t i, uint32_t t)
{
	(void)t;
	acc_job *j = ctx;
	return prepare_file(j->b, j->f0 + (uint32_t)i, &j->files[i], 1);
}

int build_accessions(build *b)
{
	char path[4096];
	if (ks_init(b, &b->acc_ks, "acc-mphf", b->fbits, b->acc_seed, 1) < 0)
		return -1;
	build_path(b, path, sizeof(path), "acc-codes", 0);
	if (idmap_spill_open(&b->acc_codes, path, build_write_buf(b, 1 << 20), b->bg) < 0)
		return build_fail_errno(b, "%s", path);
	uint32_t nfiles = 1u << b->fbits;
	uint32_t most = b->threads < nfiles ? b->threads : nfiles;
	acc_file *files = calloc(most ? most : 1, sizeof(*files));
	if (!files)
		return build_fail(b, "out of memory");
	int rc = -1;
	/* Files are prepared a window at a time, one per thread, as long as the window fits a
	 * quarter of the budget (what one file may take on its own), and written in order. A
	 * file too large to share that room is prepared alone, its partitions on all threads.
	 * Either way each partition is built the same, so the index does not depend on it. */
	for (uint32_t f0 = 0; f0 < nfiles;) {
		if (build_cancelled(b) < 0)
			goto out;
		build_progress(b, "accessions", f0, nfiles, f0 == 0);
		uint64_t room = b->memory / 4, used = 0;
		uint32_t w = 0;
		while (w < most && f0 + w < nfiles) {
			uint64_t need = b->acc_parts[f0 + w].records * ACC_BYTES_PER_RECORD;
			if (w > 0 && used + need > room)
				break;
			used += need;
			w++;
		}
		memset(files, 0, w * sizeof(*files));
		acc_job j = {b, f0, files};
		size_t failed = 0;
		int prc = w == 1 ? prepare_file(b, f0, &files[0], b->threads)
				 : par_for(b->threads, w, prepare_one, &j, &failed);
		if (prc < 0) {
			build_fail(b, "%s", files[failed].err);
			for (uint32_t i = 0; i < w; i++)
				acc_file_free(&files[i]);
			goto out;
		}
		for (uint32_t i = 0; i < w; i++) {
			int erc = emit_file(b, f0 + i, &files[i]);
			acc_file_free(&files[i]);
			if (erc < 0) {
				while (++i < w)
					acc_file_free(&files[i]);
				goto out;
			}
		}
		f0 += w;
	}
	if (b->acc_ks.nkeys > UINT32_MAX) {
		build_fail(b, "more than 2^32 accessions");
		goto out;
	}
	if (ks_finish(b, &b->acc_ks, &b->acc_dir, &b->acc_dir_len) < 0)
		goto out;
	if (idmap_spill_flush(&b->acc_codes) < 0) {
		build_fail_errno(b, "writing accession codes");
		goto out;
	}
	if (idmap_mphf_view_init(&b->acc_view, b->acc_dir, b->acc_dir_len,
				 b->acc_ks.kept_pilots, b->acc_ks.kept_pilots_len,
				 b->acc_ks.kept_remap, b->acc_ks.nremap * 4) < 0) {
		build_fail(b, "internal error: accession directory rejected");
		goto out;
	}
	build_log(b, "accessions: %llu in %zu partitions",
		  (unsigned long long)b->acc_ks.nkeys, b->acc_ks.nparts);
	rc = 0;
out:
	free(files);
	return rc;
}
