/* Reading a record out of its block and writing it as FASTA. */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accession.h"
#include "entry_internal.h"
#include "index_internal.h"

#define LINE 60 /* residues per line, as UniProt writes them */

int idmap_entry_inflate(const idmap_entry_store *s, uint64_t b,
			struct libdeflate_decompressor *d, uint8_t *buf, size_t *len)
{
	if (b >= s->n_blocks)
		return IDMAP_ERR_CORRUPT;
	const uint8_t *ent = s->blocks + b * IDMAP_ENTRY_BLOCK_SIZE;
	uint64_t off = idmap_rd64(ent);
	uint32_t clen = idmap_rd32(ent + 8), ulen = idmap_rd32(ent + 12);
	/* DEFLATE expands at most 1032-fold: a larger claimed length is damage, refused before
	 * it is allocated */
	if (off > s->data_len || clen > s->data_len - off || ulen > IDMAP_ENTRY_MAX_BLOCK ||
	    ulen > (uint64_t)clen * 1032 || idmap_rd32(ent + 20))
		return IDMAP_ERR_CORRUPT;
	size_t got = 0;
	enum libdeflate_result r =
		libdeflate_deflate_decompress(d, s->data + off, clen, buf, ulen, &got);
	if (r != LIBDEFLATE_SUCCESS || got != ulen ||
	    libdeflate_crc32(0, buf, ulen) != idmap_rd32(ent + 16))
		return IDMAP_ERR_CORRUPT;
	*len = ulen;
	return IDMAP_OK;
}

int idmap_entry_block(const idmap_entry_store *s, uint64_t b, uint8_t **out, size_t *len)
{
	idmap_entry_cache *c = idmap_entry_cache_new();
	const uint8_t *blk;
	int rc = c ? idmap_entry_cache_block(c, s, b, &blk, len) : IDMAP_ERR_NOMEM;
	if (rc == IDMAP_OK) {
		/* the cache's buffer is handed over */
		*out = (uint8_t *)blk;
		idmap_entry_cache_take(c);
	}
	idmap_entry_cache_free(c);
	return rc;
}

int idmap_entry_rec_ok(const uint8_t *r, size_t ulen)
{
	uint64_t off = idmap_rd16(r + IDMAP_ER_OFFSET), sl = idmap_rd32(r + IDMAP_ER_SEQ_LEN);
	unsigned flags = r[IDMAP_ER_FLAGS];
	if (sl == 0 || off + IDMAP_ENTRY_HEAD_SIZE + 1 + sl > ulen || (flags & ~IDMAP_EF_KNOWN) ||
	    ((flags >> IDMAP_EF_PE_SHIFT) & IDMAP_EF_PE_MASK) > 5)
		return -1;
	return 0;
}

int idmap_entry_text_of(const uint8_t *r, const uint8_t *blk, size_t ulen, idmap_entry_text *t)
{
	if (idmap_entry_rec_ok(r, ulen) < 0)
		return IDMAP_ERR_CORRUPT;
	const uint8_t *head = blk + idmap_rd16(r + IDMAP_ER_OFFSET);
	t->header = head + IDMAP_ENTRY_HEAD_SIZE;
	t->header_len = idmap_rd16(head + IDMAP_ET_HEADER_LEN);
	t->seq = t->header + t->header_len;
	t->seq_len = idmap_rd32(r + IDMAP_ER_SEQ_LEN);
	if (t->header_len == 0 || (size_t)(t->seq - blk) + t->seq_len > ulen)
		return IDMAP_ERR_CORRUPT;
	uint16_t *spans[] = {t->name, t->organism, t->gene};
	for (int f = 0; f < 3; f++) {
		spans[f][0] = idmap_rd16(head + IDMAP_ET_NAME + 4 * f);
		spans[f][1] = idmap_rd16(head + IDMAP_ET_NAME + 4 * f + 2);
		if ((size_t)spans[f][0] + spans[f][1] > t->header_len)
			return IDMAP_ERR_CORRUPT;
	}
	/* the record's gene bit says what the span says (readers trust it before inflating) */
	if (((r[IDMAP_ER_FLAGS] & IDMAP_EF_GENE) != 0) != (t->gene[1] != 0))
		return IDMAP_ERR_CORRUPT;
	return IDMAP_OK;
}

/* Appends the residues seq[0, n) to out, LINE a line. */
static size_t wrap(char *out, const uint8_t *seq, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += LINE) {
		size_t k = n - i < LINE ? n - i : LINE;
		memcpy(out + o, seq + i, k);
		o += k;
		out[o++] = '\n';
	}
	return o;
}

IDMAP_API int idmap_entry_fasta(const idmap_index *ix, const idmap_entry *e, uint32_t start,
				uint32_t end, idmap_write_fn write, void *ctx)
{
	idmap_entry_cache *c = idmap_entry_thread_cache();
	return c ? idmap_entry_fasta_cached(ix, c, e, start, end, write, ctx) : IDMAP_ERR_NOMEM;
}

IDMAP_API int idmap_entry_fasta_cached(const idmap_index *ix, idmap_entry_cache *c,
				       const idmap_entry *e, uint32_t start, uint32_t end,
				       idmap_write_fn write, void *ctx)
{
	if (!ix || !c || !e || !write || !ix->entries.info || e->record >= ix->entries.n_recs)
		return IDMAP_ERR_INVALID;
	const idmap_entry_store *s = &ix->entries;
	const uint8_t *r = idmap_entry_rec(s, e->record);
	uint32_t seq_len = idmap_rd32(r + IDMAP_ER_SEQ_LEN);
	int range = start > 0;
	if (range && (r[IDMAP_ER_SPACE] != IDMAP_ES_UNIPROTKB || end < start || end > seq_len))
		return IDMAP_ERR_INVALID;
	const uint8_t *blk;
	size_t ulen;
	int rc = idmap_entry_cache_block(c, s, idmap_rd32(r + IDMAP_ER_BLOCK), &blk, &ulen);
	if (rc != IDMAP_OK)
		return rc;
	idmap_entry_text t;
	if (idmap_entry_text_of(r, blk, ulen, &t) != IDMAP_OK)
		return IDMAP_ERR_CORRUPT;
	const uint8_t *head = t.header, *seq = t.seq;
	size_t hl = t.header_len;
	size_t n = seq_len;
	char acc[IDMAP_ACC_TEXT_MAX];
	if (range) {
		seq += start - 1;
		n = (size_t)end - start + 1;
		idmap_acc_decode(idmap_rd64(r + IDMAP_ER_CODE), acc);
	}
	/* header, newline, residues with a newline per started line */
	char *out = malloc(hl + 64 + n + n / LINE + 2);
	if (!out)
		return IDMAP_ERR_NOMEM;
	size_t o;
	if (range)
		o = (size_t)sprintf(out, ">%s|%s|%u-%u\n",
				    (r[IDMAP_ER_FLAGS] & IDMAP_EF_REVIEWED) ? "sp" : "tr", acc, start,
				    end);
	else {
		out[0] = '>';
		memcpy(out + 1, head, hl);
		out[hl + 1] = '\n';
		o = hl + 2;
	}
	o += wrap(out + o, seq, n);
	rc = write(ctx, out, o);
	free(out);
	return rc ? IDMAP_STOPPED : IDMAP_OK;
}

bool idmap_entry_range(const char *text, size_t len, uint32_t *start, uint32_t *end)
{
	const char *lb = text && len ? memchr(text, '[', len) : NULL;
	if (!lb || text[len - 1] != ']')
		return 0;
	unsigned long x, y;
	char tail;
	char buf[40];
	size_t n = len - (size_t)(lb - text);
	if (n >= sizeof buf)
		return 0;
	memcpy(buf, lb, n);
	buf[n] = 0;
	if (sscanf(buf, "[%lu-%lu%c", &x, &y, &tail) != 3 || tail != ']' || x > UINT32_MAX ||
	    y > UINT32_MAX)
		return 0;
	*start = (uint32_t)x;
	*end = (uint32_t)y;
	return 1;
}
