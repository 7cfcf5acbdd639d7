/* Building ENTRY_HASH (entry_hash.h). */
#include "entry_hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entry_format.h"
#include "sort.h"

#define MAX_PBITS 8 /* at most 256 partition files */

int entry_hash_begin(build *b, entry_hash *h, uint64_t n)
{
	memset(h, 0, sizeof *h);
	idmap_spill_init(&h->out);
	if (n >= UINT32_MAX)
		return build_fail(b, "too many FASTA records (%llu)", (unsigned long long)n);
	h->homes = idmap_entry_homes(n);
	/* a partition's pairs and their sort scratch (32 bytes a pair) in a quarter of the
	 * budget */
	uint64_t per_part = b->memory / 4 / 32;
	while (h->pbits < MAX_PBITS && (2ull << h->pbits) <= h->homes && (n >> h->pbits) > per_part)
		h->pbits++;
	uint32_t np = 1u << h->pbits;
	h->parts = calloc(np, sizeof *h->parts);
	if (!h->parts)
		return build_fail(b, "out of memory");
	for (uint32_t i = 0; i < np; i++)
		idmap_spill_init(&h->parts[i]);
	for (uint32_t i = 0; i < np; i++) {
		char path[4096];
		build_path(b, path, sizeof path, "entry-hash-part", (long)i);
		if (idmap_spill_open(&h->parts[i], path, 64 << 10, b->bg) < 0)
			return build_fail_errno(b, "%s", path);
	}
	return 0;
}

int entry_hash_add(build *b, entry_hash *h, const uint8_t *rec, uint64_t index)
{
	uint64_t pair[2];
	pair[0] = idmap_entry_home(rec[IDMAP_ER_SPACE], idmap_rd64(rec + IDMAP_ER_CODE), h->homes);
	pair[1] = index;
	/* partitions are ranges of home slots (homes < 2^34, so no overflow) */
	idmap_spill *s = &h->parts[(pair[0] << h->pbits) / h->homes];
	if (idmap_spill_write(s, pair, sizeof pair) < 0)
		return build_fail_errno(b, "writing a temporary file");
	h->n++;
	return 0;
}

static int put_slot(idmap_spill *s, uint32_t v)
{
	uint8_t b[4];
	idmap_wr32(b, v);
	return idmap_spill_write(s, b, 4);
}

int entry_hash_finish(build *b, entry_hash *h)
{
	char path[4096];
	uint64_t next = 0; /* the first slot not written yet */
	build_path(b, path, sizeof path, "entry-hash", 0);
	if (idmap_spill_open(&h->out, path, IDMAP_ENTRY_SPILL_BUF, b->bg) < 0)
		return build_fail_errno(b, "%s", path);
	for (uint32_t p = 0; p < (1u << h->pbits); p++) {
		uint8_t *pairs, *tmp;
		size_t len;
		build_path(b, path, sizeof path, "entry-hash-part", (long)p);
		if (idmap_spill_close(&h->parts[p]) < 0 || idmap_read_file(path, &pairs, &len) < 0)
			return build_fail_errno(b, "%s", path);
		remove(path);
		size_t n = len / 16;
		tmp = malloc(len ? len : 1);
		if (!tmp) {
			free(pairs);
			return build_fail(b, "out of memory");
		}
		/* stable: equal homes keep record order, so the table never depends on runs */
		idmap_radix_sort(pairs, tmp, n, 16, 0);
		free(tmp);
		int rc = 0;
		for (size_t i = 0; i < n && rc == 0; i++) {
			uint64_t home, rec;
			memcpy(&home, pairs + 16 * i, 8);
			memcpy(&rec, pairs + 16 * i + 8, 8);
			for (; next < home && rc == 0; next++)
				rc = put_slot(&h->out, 0);
			if (rc == 0)
				rc = put_slot(&h->out, (uint32_t)rec + 1);
			next++;
		}
		free(pairs);
		if (rc < 0)
			return build_fail_errno(b, "writing the entry hash table");
	}
	for (; next < h->homes; next++)
		if (put_slot(&h->out, 0) < 0)
			return build_fail_errno(b, "writing the entry hash table");
	if (idmap_spill_flush(&h->out) < 0)
		return build_fail_errno(b, "writing the entry hash table");
	h->done = 1;
	return 0;
}

int entry_hash_add_section(build *b, entry_hash *h, idmap_index_writer *w)
{
	char path[4096];
	build_path(b, path, sizeof path, "entry-hash", 0);
	if (idmap_spill_close(&h->out) < 0)
		return build_fail_errno(b, "%s", path);
	if (idmap_iw_add_file(w, IDMAP_SECTION_ENTRY_HASH, path, h->out.bytes, h->out.crc) < 0)
		return build_fail(b, "out of memory");
	return 0;
}

void entry_hash_free(entry_hash *h)
{
	for (uint32_t i = 0; h->parts && i < (1u << h->pbits); i++)
		idmap_spill_close(&h->parts[i]);
	free(h->parts);
	h->parts = NULL;
	idmap_spill_close(&h->out);
}
