/* Fuzz target: idmap_open, every lookup and idmap_verify on arbitrary bytes (engine/).
 *
 * The first byte is a mode: bit 0 set reseals the file before opening it (every in-bounds
 * section CRC, the table CRC and the header CRC recomputed), so that mutations reach the
 * structure parsers behind the checksums instead of dying at the first CRC. The rest is the
 * index file, opened from a memfd. idmap_verify and idmap_verify_flags(IDMAP_VERIFY_FULL)
 * must agree; when they accept a file, every stored accession and key must be found again at
 * its own slot. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include <libdeflate.h>

#include "fuzz_common.h"
#include "idmap.h"

static void reseal(uint8_t *b, size_t n)
{
	if (n < IDMAP_HEADER_SIZE)
		return;
	uint64_t off = idmap_rd64(b + IDMAP_HDR_TABLE_OFFSET);
	uint64_t count = idmap_rd32(b + IDMAP_HDR_SECTION_COUNT);
	idmap_wr64(b + IDMAP_HDR_FILE_SIZE, n);
	if (count <= IDMAP_MAX_SECTIONS && off <= n && count * IDMAP_SECTION_ENTRY_SIZE <= n - off) {
		for (uint64_t i = 0; i < count; i++) {
			uint8_t *e = b + off + i * IDMAP_SECTION_ENTRY_SIZE;
			uint64_t so = idmap_rd64(e + IDMAP_SEC_OFFSET), sl = idmap_rd64(e + IDMAP_SEC_LENGTH);
			if (so <= n && sl <= n - so)
				idmap_wr32(e + IDMAP_SEC_CRC, libdeflate_crc32(0, b + so, (size_t)sl));
		}
		idmap_wr32(b + IDMAP_HDR_TABLE_CRC,
			   libdeflate_crc32(0, b + off, (size_t)(count * IDMAP_SECTION_ENTRY_SIZE)));
	}
	idmap_wr32(b + IDMAP_HDR_HEADER_CRC, libdeflate_crc32(0, b, IDMAP_HDR_HEADER_CRC));
}

static int is_status(int rc)
{
	return rc >= IDMAP_OK && rc <= IDMAP_DONE;
}

/* Every call a reader makes; returns 1 when all statuses were OK/DONE/NOT_FOUND. */
static void exercise(idmap_index *ix, int verified)
{
	idmap_meta_line m;
	size_t cur = 0;
	int rc;
	while ((rc = idmap_meta_next(ix, &cur, &m)) == IDMAP_OK)
		FUZZ_CHECK(m.key_len + m.value_len < 1u << 30);
	FUZZ_CHECK(rc == IDMAP_DONE || rc == IDMAP_ERR_CORRUPT);
	const char *v;
	size_t vl;
	idmap_meta_find(ix, "release", &v, &vl);
	for (uint32_t t = 0; t < idmap_type_count(ix); t++) {
		idmap_type_info ti;
		FUZZ_CHECK(idmap_type_get(ix, t, &ti) == IDMAP_OK);
		FUZZ_CHECK(strlen(ti.name) == ti.name_len);
		uint32_t id;
		FUZZ_CHECK(idmap_type_find(ix, ti.name, &id) == IDMAP_OK && id <= t);
		FUZZ_CHECK(idmap_type_find_ci(ix, ti.name, &id) == IDMAP_OK && id <= t);
	}
	for (uint32_t i = 0; i < idmap_section_count(ix); i++) {
		idmap_section_info si;
		FUZZ_CHECK(idmap_section_get(ix, i, &si) == IDMAP_OK);
	}
	uint64_t nacc = idmap_acc_count(ix), nkey = idmap_key_count(ix);
	for (uint64_t s = 0; s < nacc && s < 256; s++) {
		char text[IDMAP_ACC_TEXT_SIZE];
		size_t len = 0;
		rc = idmap_acc_text(ix, s, text, &len);
		FUZZ_CHECK(rc == IDMAP_OK || rc == IDMAP_ERR_CORRUPT);
		if (rc == IDMAP_OK) {
			uint64_t slot = UINT64_MAX;
			rc = idmap_acc_find(ix, text, len, &slot);
			FUZZ_CHECK(is_status(rc));
			if (verified)
				FUZZ_CHECK(rc == IDMAP_OK && slot == s);
		}
		idmap_fwd_iter it;
		idmap_pair pr;
		uint32_t want = s % 3 == 0 ? IDMAP_TYPE_ANY : (uint32_t)(s % 5);
		rc = idmap_fwd_begin(ix, s, want, &it);
		FUZZ_CHECK(is_status(rc));
		if (rc == IDMAP_OK) {
			while ((rc = idmap_fwd_next(&it, &pr)) == IDMAP_OK) {
				FUZZ_CHECK(pr.len >= 1 && pr.len <= IDMAP_MAX_VALUE);
				FUZZ_CHECK(pr.key_slot < nkey && pr.type_id < idmap_type_count(ix));
				(void)memchr(pr.value, 0, pr.len); /* touch every byte */
			}
			FUZZ_CHECK(rc == IDMAP_DONE || rc == IDMAP_ERR_CORRUPT);
			if (verified)
				FUZZ_CHECK(rc == IDMAP_DONE);
		}
	}
	FUZZ_CHECK(idmap_fwd_begin(ix, nacc, IDMAP_TYPE_ANY, &(idmap_fwd_iter){0}) ==
		   IDMAP_ERR_INVALID);
	for (uint64_t k = 0; k < nkey && k < 256; k++) {
		uint32_t type;
		char val[IDMAP_VALUE_SIZE];
		size_t len;
		rc = idmap_key_get(ix, k, &type, val, &len);
		FUZZ_CHECK(rc == IDMAP_OK || rc == IDMAP_ERR_CORRUPT);
		if (rc == IDMAP_OK) {
			FUZZ_CHECK(len >= 1 && len <= IDMAP_MAX_VALUE);
			uint64_t slot = UINT64_MAX;
			rc = idmap_key_find(ix, type, val, len, &slot);
			FUZZ_CHECK(is_status(rc));
			if (verified)
				FUZZ_CHECK(rc == IDMAP_OK && slot == k);
		}
		idmap_rev_iter it;
		uint64_t count = 0, a, seen = 0;
		rc = idmap_rev_begin(ix, k, &it, &count);
		FUZZ_CHECK(is_status(rc));
		if (rc == IDMAP_OK) {
			while ((rc = idmap_rev_next(&it, &a)) == IDMAP_OK) {
				FUZZ_CHECK(a < nacc);
				seen++;
			}
			FUZZ_CHECK(rc == IDMAP_DONE || rc == IDMAP_ERR_CORRUPT);
			if (rc == IDMAP_DONE)
				FUZZ_CHECK(seen == count);
		}
	}
	/* lookups of things that are probably absent */
	uint64_t slot;
	static const char *const probes[] = {"P00750", "P00750-2", "A0A022YWF9", "Q9Y6K9-1",
					     "p12345", "XX", ""};
	for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
		FUZZ_CHECK(is_status(idmap_acc_find(ix, probes[i], strlen(probes[i]), &slot)));
	for (uint32_t t = 0; t < idmap_type_count(ix) + 1 && t < 8; t++)
		FUZZ_CHECK(is_status(idmap_key_find(ix, t, "ENSG00000000003", 15, &slot)));
}

static int sink(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 0;
}

/* The entry store: every record read, found again by its id and written as FASTA. */
static void exercise_entries(idmap_index *ix, int verified)
{
	idmap_entry_stats st;
	int rc = idmap_entry_stats_get(ix, &st);
	FUZZ_CHECK(rc == IDMAP_OK || rc == IDMAP_ERR_NOT_FOUND);
	for (uint64_t i = 0; rc == IDMAP_OK && i < st.records && i < 256; i++) {
		idmap_entry e, f;
		int r = idmap_entry_get(ix, i, &e);
		FUZZ_CHECK(r == IDMAP_OK || r == IDMAP_ERR_CORRUPT);
		if (verified)
			FUZZ_CHECK(r == IDMAP_OK);
		if (r != IDMAP_OK)
			continue;
		r = idmap_entry_find(ix, e.id, strlen(e.id), &f);
		FUZZ_CHECK(is_status(r));
		if (verified)
			FUZZ_CHECK(r == IDMAP_OK && f.record == i);
		r = idmap_entry_fasta(ix, &e, 0, 0, sink, NULL);
		FUZZ_CHECK(r == IDMAP_OK || r == IDMAP_ERR_CORRUPT || r == IDMAP_ERR_NOMEM);
		if (verified)
			FUZZ_CHECK(r != IDMAP_ERR_CORRUPT);
		r = idmap_entry_fasta(ix, &e, 1, 1, sink, NULL);
		FUZZ_CHECK(is_status(r));
		r = idmap_entry_next_isoform(ix, &e, &f);
		FUZZ_CHECK(is_status(r));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int mode = data[0];
	size_t n = size - 1;
	uint8_t *b = malloc(n ? n : 1);
	FUZZ_CHECK(b);
	memcpy(b, data + 1, n);
	if (mode & 1)
		reseal(b, n);
	int fd = memfd_create("fuzz-index", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, b, n) == (ssize_t)n);
	free(b);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	idmap_index *ix = (idmap_index *)1;
	char why[256];
	memset(why, 'x', sizeof why);
	int rc = idmap_open_detail(path, &ix, why, sizeof why);
	close(fd); /* the map keeps the bytes */
	FUZZ_CHECK(rc == IDMAP_OK || rc == IDMAP_ERR_NOT_INDEX || rc == IDMAP_ERR_VERSION ||
		   rc == IDMAP_ERR_CORRUPT || rc == IDMAP_ERR_NOMEM);
	/* a refusal always says why; a success leaves "" */
	FUZZ_CHECK(memchr(why, '\0', sizeof why) != NULL && (why[0] != '\0') == (rc != IDMAP_OK));
	if (rc != IDMAP_OK) {
		FUZZ_CHECK(ix == NULL);
		return 0;
	}
	int vr[2];
	for (unsigned full = 0; full < 2; full++) {
		char detail[256];
		memset(detail, 'x', sizeof detail);
		vr[full] = full ? idmap_verify_flags(ix, IDMAP_VERIFY_FULL, detail, sizeof detail)
				: idmap_verify(ix, detail, sizeof detail);
		FUZZ_CHECK(vr[full] == IDMAP_OK || vr[full] == IDMAP_ERR_CORRUPT ||
			   vr[full] == IDMAP_ERR_NOMEM);
		FUZZ_CHECK(memchr(detail, '\0', sizeof detail) != NULL);
		if (vr[full] == IDMAP_ERR_CORRUPT)
			FUZZ_CHECK(detail[0] != '\0');
	}
	/* The full check only adds per-pair key lookups, which the default check's fingerprints
	 * stand for: the two agree. */
	if (vr[0] != IDMAP_ERR_NOMEM && vr[1] != IDMAP_ERR_NOMEM)
		FUZZ_CHECK((vr[0] == IDMAP_OK) == (vr[1] == IDMAP_OK));
	exercise(ix, vr[1] == IDMAP_OK);
	exercise_entries(ix, vr[1] == IDMAP_OK);
	idmap_close(ix);
	return 0;
}
