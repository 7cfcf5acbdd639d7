/* Accession phase: each accession partition is sorted and deduplicated, split into MPHF
 * partitions, and its codes are written in slot order (ACC_CODES). The accession MPHF stays
 * in memory (a few bits per accession) for the keys phase, which turns codes into slots. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accession.h"
#include "build_internal.h"
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
static int distinct_codes(build *b, const char *path, uint64_t records, uint64_t **out,
			  size_t *n_out)
{
	uint64_t chunk64 = b->memory / 8 / sizeof(uint64_t);
	if (chunk64 < 65536)
		chunk64 = 65536;
	if (chunk64 > records)
		chunk64 = records ? records : 1;
	size_t chunk = (size_t)chunk64;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return build_fail_errno(b, "%s", path);
	uint64_t *buf = malloc(chunk * sizeof(*buf)), *tmp = malloc(chunk * sizeof(*tmp));
	uint64_t *codes = NULL;
	size_t n = 0;
	int rc = -1;
	if (!buf || !tmp) {
		build_fail(b, "out of memory sorting accessions");
		goto out;
	}
	for (;;) {
		size_t got;
		if (idmap_read_full(fd, buf, chunk * sizeof(*buf), &got) < 0) {
			build_fail_errno(b, "%s", path);
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
			build_fail(b, "out of memory sorting accessions");
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

/* Builds the MPHF partitions of one file's sorted distinct codes. */
static int build_file(build *b, uint32_t f, uint64_t *codes, size_t n)
{
	keyspace_writer *ks = &b->acc_ks;
	uint32_t nsub = parts_for(n, b->part_target);
	ks_set_file(ks, f, (uint32_t)ks->nparts, nsub);
	if (n == 0)
		return 0;
	idmap_h128 *h = malloc(n * sizeof(*h));
	uint32_t *sub = malloc(n * sizeof(*sub));
	uint64_t *order = malloc(n * sizeof(*order));
	uint32_t *start = calloc((size_t)nsub + 1, sizeof(*start));
	uint64_t *by_pos = malloc(n * sizeof(*by_pos));
	idmap_mphf_part *parts = NULL;
	size_t *first = NULL;
	int rc = -1;
	if (!h || !sub || !order || !start || !by_pos) {
		build_fail(b, "out of memory in the accession phase");
		goto out;
	}
	/* Group the codes by sub-partition (counting sort keeps code order inside). */
	for (size_t i = 0; i < n; i++) {
		idmap_h128 x = idmap_hash_acc(codes[i], b->acc_seed);
		sub[i] = sub_of(x.hi, b->fbits, nsub);
		start[sub[i] + 1]++;
	}
	for (uint32_t s = 0; s < nsub; s++)
		start[s + 1] += start[s];
	{
		uint32_t *fill = malloc((size_t)nsub * sizeof(*fill));
		if (!fill) {
			build_fail(b, "out of memory in the accession phase");
			goto out;
		}
		memcpy(fill, start, (size_t)nsub * sizeof(*fill));
		for (size_t i = 0; i < n; i++)
			order[fill[sub[i]]++] = codes[i];
		free(fill);
	}
	for (size_t i = 0; i < n; i++)
		h[i] = idmap_hash_acc(order[i], b->acc_seed);
	parts = malloc((size_t)nsub * sizeof(*parts));
	first = malloc(((size_t)nsub + 1) * sizeof(*first));
	if (!parts || !first) {
		build_fail(b, "out of memory in the accession phase");
		goto out;
	}
	for (uint32_t s = 0; s <= nsub; s++)
		first[s] = start[s];
	build_err err = build_err_of(b);
	if (ks_build_parts(&err, b->threads, parts, h, first, nsub, "accession space") < 0) {
		free(parts);
		parts = NULL;
		goto out;
	}
	for (uint32_t s = 0; s < nsub; s++) {
		uint32_t m = start[s + 1] - start[s];
		const uint64_t *c = order + start[s];
		uint64_t base;
		if (ks_add_part(b, ks, &parts[s], &base) < 0)
			goto out;
		for (uint32_t i = 0; i < m; i++)
			by_pos[parts[s].pos[i]] = c[i];
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
	for (uint32_t s = 0; parts && s < nsub; s++)
		idmap_mphf_part_free(&parts[s]);
	free(parts);
	free(first);
	free(h);
	free(sub);
	free(order);
	free(start);
	free(by_pos);
	return rc;
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
	for (uint32_t f = 0; f < nfiles; f++) {
		if (build_cancelled(b) < 0)
			return -1;
		build_progress(b, "accessions", f, nfiles, f == 0);
		build_path(b, path, sizeof(path), "acc-part", f);
		if (b->acc_parts[f].records == 0) {
			ks_set_file(&b->acc_ks, f, (uint32_t)b->acc_ks.nparts, 0);
			continue;
		}
		uint64_t *codes = NULL;
		size_t n = 0;
		if (distinct_codes(b, path, b->acc_parts[f].records, &codes, &n) < 0)
			return -1;
		unlink(path);
		for (size_t i = 0; i < n; i++)
			b->upis += (uint64_t)idmap_code_is_upi(codes[i]);
		int rc = build_file(b, f, codes, n);
		free(codes);
		if (rc < 0)
			return -1;
	}
	if (b->acc_ks.nkeys > UINT32_MAX)
		return build_fail(b, "more than 2^32 accessions");
	if (ks_finish(b, &b->acc_ks, &b->acc_dir, &b->acc_dir_len) < 0)
		return -1;
	if (idmap_spill_flush(&b->acc_codes) < 0)
		return build_fail_errno(b, "writing accession codes");
	if (idmap_mphf_view_init(&b->acc_view, b->acc_dir, b->acc_dir_len,
				 b->acc_ks.kept_pilots, b->acc_ks.npilots * 2,
				 b->acc_ks.kept_remap, b->acc_ks.nremap * 4) < 0)
		return build_fail(b, "internal error: accession directory rejected");
	build_log(b, "accessions: %llu in %zu partitions",
		  (unsigned long long)b->acc_ks.nkeys, b->acc_ks.nparts);
	return 0;
}
