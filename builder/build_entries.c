/* The entry store (FORMAT.md, "Entry store"): FASTA records are appended to blocks of about
 * IDMAP_ENTRY_BLOCK_TARGET bytes in input order; full blocks are deflated in batches on the
 * build's threads and written in order, so the bytes never depend on --threads. Each record
 * leaves a fixed-size entry record, sorted by key at the end (entry_sort.c). */
#include <libdeflate.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_internal.h"
#include "entry_format.h"
#include "entry_sort.h"

typedef struct {
	uint8_t *raw, *out;
	size_t raw_len, out_len, out_cap;
	struct libdeflate_compressor *c;
} pend_block;

struct build_entries {
	pend_block *batch; /* blocks waiting to be compressed; the last one is being filled */
	uint32_t nbatch, batch_cap;
	uint32_t n_blocks; /* blocks written */
	idmap_spill data, blocks;
	uint64_t data_bytes, text_bytes, n_records, kinds[IDMAP_ENTRY_KINDS];
	entry_sort recs;
};

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
	uint32_t cap = b->threads < 16 ? b->threads : 16;
	e->batch = calloc(cap, sizeof *e->batch);
	if (!e->batch)
		return build_fail(b, "out of memory");
	e->batch_cap = cap; /* entries_free walks the slots */
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

static void *compress_one(void *arg)
{
	pend_block *p = arg;
	size_t bound = libdeflate_deflate_compress_bound(p->c, p->raw_len);
	if (bound > p->out_cap) {
		uint8_t *n = realloc(p->out, bound);
		if (!n) {
			p->out_len = 0;
			return NULL;
		}
		p->out = n;
		p->out_cap = bound;
	}
	p->out_len = libdeflate_deflate_compress(p->c, p->raw, p->raw_len, p->out, p->out_cap);
	return NULL;
}

/* Compresses the batch's blocks (on threads when there are several) and writes them. */
static int flush_batch(build *b)
{
	build_entries *e = b->entries;
	pthread_t th[16];
	int started[16] = {0};
	for (uint32_t i = 1; i < e->nbatch; i++)
		started[i] = pthread_create(&th[i], NULL, compress_one, &e->batch[i]) == 0;
	for (uint32_t i = 0; i < e->nbatch; i++)
		if (!started[i])
			compress_one(&e->batch[i]);
	for (uint32_t i = 1; i < e->nbatch; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	for (uint32_t i = 0; i < e->nbatch; i++) {
		pend_block *p = &e->batch[i];
		uint8_t ent[IDMAP_ENTRY_BLOCK_SIZE] = {0};
		if (p->out_len == 0)
			return build_fail(b, "out of memory compressing an entry block");
		idmap_wr64(ent, e->data_bytes);
		idmap_wr32(ent + 8, (uint32_t)p->out_len);
		idmap_wr32(ent + 12, (uint32_t)p->raw_len);
		idmap_wr32(ent + 16, libdeflate_crc32(0, p->raw, p->raw_len));
		if (idmap_spill_write(&e->data, p->out, p->out_len) < 0 ||
		    idmap_spill_write(&e->blocks, ent, sizeof ent) < 0)
			return build_fail_errno(b, "writing the entry store");
		e->data_bytes += p->out_len;
		e->text_bytes += p->raw_len;
		p->raw_len = 0;
		e->n_blocks++;
	}
	e->nbatch = 0;
	return 0;
}

/* The block being filled, with room for need more bytes: a new block when the current one
 * would pass the target (a record never spans blocks; a big record gets a block of its own). */
static pend_block *block_for(build *b, size_t need)
{
	build_entries *e = b->entries;
	pend_block *p = e->nbatch ? &e->batch[e->nbatch - 1] : NULL;
	if (p && p->raw_len + need > IDMAP_ENTRY_BLOCK_TARGET && p->raw_len > 0) {
		if (e->nbatch == e->batch_cap && flush_batch(b) < 0)
			return NULL;
		p = NULL;
	}
	if (!p) {
		if (e->nbatch == e->batch_cap && flush_batch(b) < 0)
			return NULL;
		p = &e->batch[e->nbatch++];
		p->raw_len = 0;
		if (!p->c && !(p->c = libdeflate_alloc_compressor(IDMAP_ENTRY_LEVEL))) {
			build_fail(b, "out of memory");
			return NULL;
		}
	}
	size_t cap = IDMAP_ENTRY_BLOCK_TARGET > p->raw_len + need ? IDMAP_ENTRY_BLOCK_TARGET
								 : p->raw_len + need;
	if (!p->raw || cap > IDMAP_ENTRY_BLOCK_TARGET) {
		uint8_t *n = realloc(p->raw, cap);
		if (!n) {
			build_fail(b, "out of memory");
			return NULL;
		}
		p->raw = n;
	}
	return p;
}

int entries_on_record(void *ctx, const idmap_fasta_record *r, char *err, size_t errlen)
{
	build *b = ctx;
	if (!b->entries && start(b) < 0)
		goto fail;
	build_entries *e = b->entries;
	size_t need = IDMAP_ENTRY_HEAD_SIZE + r->header_len + r->seq_len;
	pend_block *p = block_for(b, need);
	if (!p)
		goto fail;
	uint8_t rec[IDMAP_TMP_REC] = {0};
	idmap_wr64(rec + IDMAP_ER_CODE, r->code);
	rec[IDMAP_ER_SPACE] = r->space;
	rec[IDMAP_ER_FLAGS] = (uint8_t)(r->flags | r->pe << IDMAP_EF_PE_SHIFT);
	idmap_wr16(rec + IDMAP_ER_OFFSET, (uint16_t)p->raw_len); /* < the target: block_for */
	idmap_wr32(rec + IDMAP_ER_BLOCK, e->n_blocks + e->nbatch - 1);
	idmap_wr32(rec + IDMAP_ER_SEQ_LEN, (uint32_t)r->seq_len);
	idmap_wr32(rec + IDMAP_ER_TAXID, r->taxid);
	idmap_wr32(rec + IDMAP_ER_NUMBER, r->space == IDMAP_ES_UNIPROTKB ? r->sv : r->members);
	idmap_wr64(rec + IDMAP_TMP_LINE, r->line);
	idmap_wr32(rec + IDMAP_TMP_INPUT, (uint32_t)b->input_index);
	uint8_t *t = p->raw + p->raw_len;
	idmap_wr16(t + IDMAP_ET_HEADER_LEN, (uint16_t)r->header_len);
	const uint16_t *spans[] = {r->name, r->organism, r->gene};
	for (int i = 0; i < 3; i++) {
		idmap_wr16(t + IDMAP_ET_NAME + 4 * i, spans[i][0]);
		idmap_wr16(t + IDMAP_ET_NAME + 4 * i + 2, spans[i][1]);
	}
	memcpy(t + IDMAP_ENTRY_HEAD_SIZE, r->header, r->header_len);
	memcpy(t + IDMAP_ENTRY_HEAD_SIZE + r->header_len, r->seq, r->seq_len);
	p->raw_len += need;
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
	if (e->nbatch && flush_batch(b) < 0)
		return -1;
	return entry_sort_park(b, &e->recs);
}

int entries_finish(build *b)
{
	build_entries *e = b->entries;
	if (!e)
		return 0;
	if (e->nbatch && flush_batch(b) < 0)
		return -1;
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
	entry_sort_free(&e->recs);
	for (uint32_t i = 0; i < e->batch_cap; i++) {
		free(e->batch[i].raw);
		free(e->batch[i].out);
		libdeflate_free_compressor(e->batch[i].c);
	}
	free(e->batch);
	free(e);
	b->entries = NULL;
}
