/* idmap verify for the entry store: every block inflates to its length and CRC, the blocks
 * tile ENTRY_DATA, the records are in strict key order and lie inside their blocks, and
 * ENTRY_INFO's counts are the records'. */
#include <stdio.h>
#include <stdlib.h>

#include "entry_internal.h"
#include "index_internal.h"

static int bad(char *detail, size_t len, const char *what, uint64_t i)
{
	if (detail && len)
		snprintf(detail, len, "%s %llu", what, (unsigned long long)i);
	return IDMAP_ERR_CORRUPT;
}

static int verify_blocks(const idmap_entry_store *s, char *detail, size_t len)
{
	uint64_t pos = 0, text = 0;
	for (uint64_t b = 0; b < s->n_blocks; b++) {
		const uint8_t *ent = s->blocks + b * IDMAP_ENTRY_BLOCK_SIZE;
		if (idmap_rd64(ent) != pos)
			return bad(detail, len, "ENTRY_BLOCKS: gap or overlap before block", b);
		uint8_t *buf;
		size_t ulen;
		int rc = idmap_entry_block(s, b, &buf, &ulen);
		if (rc == IDMAP_ERR_NOMEM)
			return rc;
		if (rc != IDMAP_OK)
			return bad(detail, len, "ENTRY_DATA: bad CRC or compressed data in block", b);
		free(buf);
		pos += idmap_rd32(ent + 8);
		text += ulen;
	}
	if (pos != s->data_len)
		return bad(detail, len, "ENTRY_DATA: bytes after the last block:", s->data_len - pos);
	if (text != idmap_rd64(s->info + IDMAP_EI_TEXT_BYTES))
		return bad(detail, len, "ENTRY_INFO: text bytes differ from the blocks':", text);
	return IDMAP_OK;
}

static int verify_recs(const idmap_entry_store *s, char *detail, size_t len)
{
	uint64_t kinds[IDMAP_ENTRY_KINDS] = {0};
	for (uint64_t i = 0; i < s->n_recs; i++) {
		const uint8_t *r = idmap_entry_rec(s, i);
		uint32_t b = idmap_rd32(r + IDMAP_ER_BLOCK);
		char id[32];
		if (!idmap_entry_key_text(r[IDMAP_ER_SPACE], idmap_rd64(r + IDMAP_ER_CODE), id))
			return bad(detail, len, "ENTRY_RECORDS: invalid key in record", i);
		if (i > 0) {
			const uint8_t *p = idmap_entry_rec(s, i - 1);
			if (idmap_entry_key_cmp(p[IDMAP_ER_SPACE], idmap_rd64(p + IDMAP_ER_CODE),
						r[IDMAP_ER_SPACE], idmap_rd64(r + IDMAP_ER_CODE)) >= 0)
				return bad(detail, len, "ENTRY_RECORDS: keys out of order at record", i);
		}
		if (b >= s->n_blocks ||
		    idmap_entry_rec_ok(r, idmap_rd32(s->blocks + (uint64_t)b * IDMAP_ENTRY_BLOCK_SIZE +
						     12)) < 0)
			return bad(detail, len, "ENTRY_RECORDS: record outside its block:", i);
		int kind = idmap_entry_rec_kind(r);
		kinds[kind - 1]++;
	}
	for (int k = 0; k < IDMAP_ENTRY_KINDS; k++)
		if (kinds[k] != idmap_rd64(s->info + IDMAP_EI_KINDS + 8 * k))
			return bad(detail, len, "ENTRY_INFO: wrong record count of kind", (uint64_t)k + 1);
	return IDMAP_OK;
}

/* Every record in exactly one slot, at or after its home slot with no empty slot between:
 * where a lookup probing from its home finds it. */
static int verify_hash(const idmap_entry_store *s, char *detail, size_t len)
{
	uint8_t *seen = calloc(s->n_recs / 8 + 1, 1);
	uint64_t run = 0, found = 0; /* run: first slot of the current run of full slots */
	int rc = IDMAP_OK;
	if (!seen)
		return IDMAP_ERR_NOMEM;
	for (uint64_t pos = 0; pos < s->n_slots && rc == IDMAP_OK; pos++) {
		uint32_t v = idmap_rd32(s->hash + 4 * pos);
		if (v == 0) {
			run = pos + 1;
			continue;
		}
		uint64_t i = v - 1;
		if (i >= s->n_recs || (seen[i / 8] >> (i % 8) & 1)) {
			rc = bad(detail, len, "ENTRY_HASH: bad or repeated record in slot", pos);
			break;
		}
		seen[i / 8] |= (uint8_t)(1u << (i % 8));
		const uint8_t *r = idmap_entry_rec(s, i);
		uint64_t home = idmap_entry_home(r[IDMAP_ER_SPACE], idmap_rd64(r + IDMAP_ER_CODE),
						 s->n_homes);
		if (home > pos || home < run)
			rc = bad(detail, len, "ENTRY_HASH: record out of its probe range in slot", pos);
		found++;
	}
	if (rc == IDMAP_OK && found != s->n_recs)
		rc = bad(detail, len, "ENTRY_HASH: records missing:", s->n_recs - found);
	free(seen);
	return rc;
}

int idmap_entries_verify(const idmap_index *ix, char *detail, size_t len)
{
	const idmap_entry_store *s = &ix->entries;
	if (!s->info)
		return IDMAP_OK;
	int rc = verify_blocks(s, detail, len);
	if (rc == IDMAP_OK)
		rc = verify_recs(s, detail, len);
	return rc == IDMAP_OK ? verify_hash(s, detail, len) : rc;
}
