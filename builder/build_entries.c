/* The entry store (FORMAT.md, "Entry store"): FASTA records are appended to blocks of about
 * IDMAP_ENTRY_BLOCK_TARGET bytes in input order; full blocks are deflated on the build's
 * threads while parsing goes on, and written in order, so the bytes never depend on
 * --threads (entry_blocks.c). Each record leaves a fixed-size entry record, sorted by key at
 * the end (entry_sort.c). */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_internal.h"
#include "entry_blocks.h"
#include "entry_format.h"
#include "entry_sort.h"

struct build_entries {
	entry_blocks *blocks_out;
	idmap_spill data, blocks;
	uint64_t data_bytes, text_bytes, n_records, kinds[IDMAP_ENTRY_KINDS];
	uint32_t n_blocks; /* blocks written */
	entry_sort recs;
};

/* Writes block n (they come in order) to ENTRY_DATA and its entry to ENTRY_BLOCKS. */
static int write_block(void *ctx, uint32_t n, const uint8_t *raw, size_t raw_len,
		       const uint8_t *out, size_t out_len)
{
	build *b = ctx;
	build_entries *e = b->entries;
	uint8_t ent[IDMAP_ENTRY_BLOCK_SIZE] = {0};
	(void)n;
	idmap_wr64(ent, e->data_bytes);
	idmap_wr32(ent + 8, (uint32_t)out_len);
	idmap_wr32(ent + 12, (uint32_t)raw_len);
	idmap_wr32(ent + 16, libdeflate_crc32(0, raw, raw_len));
	if (idmap_spill_write(&e->data, out, out_len) < 0 ||
	    idmap_spill_write(&e->blocks, ent, sizeof ent) < 0)
		return build_fail_errno(b, "writing the entry store");
	e->data_bytes += out_len;
	e->text_bytes += raw_len;
	e->n_blocks++;
	return 0;
}

static int start(build *b)
{
	build_entries *e = calloc(1, sizeof *e);
	if (!e)
		return build_fail(b, "out of memory");
	b->entries = e;
	idmap_spill_init(&e->data);
	idmap_spill_init(&e->blocks);
	if (entry_sort_init(b, &e->recs) < 0)
		return -1;
	/* one thread: the caller compresses; more: that many workers beside the parser */
	e->blocks_out = entry_blocks_new(b->threads > 1 ? b->threads : 0,
					 IDMAP_ENTRY_BLOCK_TARGET, IDMAP_ENTRY_LEVEL, write_block, b);
	if (!e->blocks_out)
		return build_fail(b, "out of memory");
	static const char *const names[] = {"entry-data", "entry-blocks"};
	idmap_spill *s[] = {&e->data, &e->blocks};
	for (int i = 0; i < 2; i++) {
		char path[4096];
		build_path(b, path, sizeof path, names[i], 0);
		if (idmap_spill_open(s[i], path, IDMAP_ENTRY_SPILL_BUF, b->bg) < 0)
			return build_fail_errno(b, "%s", path);
	}
	return 0;
}

/* An entry_blocks failure: its reason, or the sink's error already set. */
static int blocks_fail(build *b, const char *why)
{
	return why ? build_fail(b, "%s", why) : -1;
}

int entries_on_record(void *ctx, const idmap_fasta_record *r, char *err, size_t errlen)
{
	build *b = ctx;
	if (!b->entries && start(b) < 0)
		goto fail;
	build_entries *e = b->entries;
	size_t need = IDMAP_ENTRY_HEAD_SIZE + r->header_len + r->seq_len, offset;
	uint8_t *t;
	uint32_t block;
	const char *why;
	if (entry_blocks_room(e->blocks_out, need, &t, &block, &offset, &why) < 0) {
		blocks_fail(b, why);
		goto fail;
	}
	uint8_t rec[IDMAP_TMP_REC] = {0};
	idmap_wr64(rec + IDMAP_ER_CODE, r->code);
	rec[IDMAP_ER_SPACE] = r->space;
	rec[IDMAP_ER_FLAGS] = (uint8_t)(r->flags | r->pe << IDMAP_EF_PE_SHIFT |
					 (r->gene[1] ? IDMAP_EF_GENE : 0));
	idmap_wr16(rec + IDMAP_ER_OFFSET, (uint16_t)offset); /* < the target: entry_blocks */
	idmap_wr32(rec + IDMAP_ER_BLOCK, block);
	idmap_wr32(rec + IDMAP_ER_SEQ_LEN, (uint32_t)r->seq_len);
	idmap_wr32(rec + IDMAP_ER_TAXID, r->taxid);
	idmap_wr32(rec + IDMAP_ER_NUMBER, r->space == IDMAP_ES_UNIPROTKB ? r->sv : r->members);
	idmap_wr64(rec + IDMAP_TMP_LINE, r->line);
	idmap_wr32(rec + IDMAP_TMP_INPUT, (uint32_t)b->input_index);
	idmap_wr16(t + IDMAP_ET_HEADER_LEN, (uint16_t)r->header_len);
	const uint16_t *spans[] = {r->name, r->organism, r->gene};
	for (int i = 0; i < 3; i++) {
		idmap_wr16(t + IDMAP_ET_NAME + 4 * i, spans[i][0]);
		idmap_wr16(t + IDMAP_ET_NAME + 4 * i + 2, spans[i][1]);
	}
	memcpy(t + IDMAP_ENTRY_HEAD_SIZE, r->header, r->header_len);
	memcpy(t + IDMAP_ENTRY_HEAD_SIZE + r->header_len, r->seq, r->seq_len);
	entry_blocks_wrote(e->blocks_out, need);
	if (entry_sort_add(b, &e->recs, rec) < 0)
		goto fail;
	e->n_records++;
	e->kinds[r->kind - 1]++;
	return 0;
fail:
	snprintf(err, errlen, "%s", b->err);
	return -1;
}

int entries_ingest_done(build *b)
{
	build_entries *e = b->entries;
	if (!e)
		return 0;
	const char *why;
	if (entry_blocks_flush(e->blocks_out, &why) < 0)
		return blocks_fail(b, why);
	return entry_sort_park(b, &e->recs);
}

int entries_finish(build *b)
{
	build_entries *e = b->entries;
	if (!e)
		return 0;
	const char *why;
	if (entry_blocks_flush(e->blocks_out, &why) < 0)
		return blocks_fail(b, why);
	if (e->n_blocks == UINT32_MAX)
		return build_fail(b, "too many entry blocks");
	build_log(b, "entries: %llu records in %u blocks, sorting",
		  (unsigned long long)e->n_records, e->n_blocks);
	return entry_sort_finish(b, &e->recs);
}

int entries_add_sections(build *b, idmap_index_writer *w)
{
	build_entries *e = b->entries;
	if (!e)
		return 0;
	uint8_t info[IDMAP_ENTRY_INFO_SIZE] = {0};
	idmap_wr32(info + IDMAP_EI_VERSION, IDMAP_ENTRY_STORE_VERSION);
	idmap_wr32(info + IDMAP_EI_RECORD_SIZE, IDMAP_ENTRY_RECORD_SIZE);
	idmap_wr32(info + IDMAP_EI_BLOCK_TARGET, IDMAP_ENTRY_BLOCK_TARGET);
	idmap_wr32(info + IDMAP_EI_LEVEL, IDMAP_ENTRY_LEVEL);
	idmap_wr64(info + IDMAP_EI_BLOCKS, e->n_blocks);
	idmap_wr64(info + IDMAP_EI_RECORDS, e->n_records);
	idmap_wr64(info + IDMAP_EI_TEXT_BYTES, e->text_bytes);
	for (int k = 0; k < IDMAP_ENTRY_KINDS; k++)
		idmap_wr64(info + IDMAP_EI_KINDS + 8 * k, e->kinds[k]);
	idmap_wr64(info + IDMAP_EI_HOMES, e->recs.hash.homes);
	static const char *const names[] = {"entry-data", "entry-blocks"};
	idmap_spill *s[] = {&e->data, &e->blocks};
	uint32_t ids[] = {IDMAP_SECTION_ENTRY_DATA, IDMAP_SECTION_ENTRY_BLOCKS};
	for (int i = 0; i < 2; i++) {
		char path[4096];
		build_path(b, path, sizeof path, names[i], 0);
		if (idmap_spill_close(s[i]) < 0)
			return build_fail_errno(b, "writing the entry store");
		if (idmap_iw_add_file(w, ids[i], path, s[i]->bytes, s[i]->crc) < 0)
			return build_fail(b, "out of memory");
	}
	if (idmap_iw_add_mem(w, IDMAP_SECTION_ENTRY_INFO, info, sizeof info) < 0)
		return build_fail(b, "out of memory");
	return entry_sort_add_section(b, &e->recs, w);
}

void entries_free(build *b)
{
	build_entries *e = b->entries;
	if (!e)
		return;
	idmap_spill_close(&e->data);
	idmap_spill_close(&e->blocks);
	entry_blocks_free(e->blocks_out);
	entry_sort_free(&e->recs);
	free(e);
	b->entries = NULL;
}
