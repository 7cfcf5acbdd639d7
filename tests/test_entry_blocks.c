/* Tests of builder/entry_blocks: blocks cut by input only, handed over in order with the same
 * bytes for any number of workers, every text where entry_blocks_room said, a stopping sink. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#include "entry_blocks.h"

#define TARGET 1000
#define TEXTS 600
#define MAX_OUT (1u << 20)

typedef struct {
	uint8_t raw[MAX_OUT], out[MAX_OUT]; /* the blocks back to back */
	size_t raw_len, out_len;
	size_t block_at[TEXTS];		    /* where each block starts in raw */
	uint32_t blocks;
	uint32_t stop_at; /* the sink fails on this block */
} sunk;

static int sink(void *ctx, uint32_t n, const uint8_t *raw, size_t raw_len, const uint8_t *out,
		size_t out_len)
{
	sunk *s = ctx;
	assert_int_equal(n, s->blocks); /* in order */
	if (n == s->stop_at)
		return -1;
	assert_true(s->raw_len + raw_len <= MAX_OUT && s->out_len + out_len <= MAX_OUT);
	/* the stream inflates back to the text */
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	uint8_t *back = malloc(raw_len + 1);
	size_t got;
	assert_int_equal(libdeflate_deflate_decompress(d, out, out_len, back, raw_len, &got),
			 LIBDEFLATE_SUCCESS);
	assert_int_equal(got, raw_len);
	assert_memory_equal(back, raw, raw_len);
	free(back);
	libdeflate_free_decompressor(d);
	s->block_at[s->blocks++] = s->raw_len;
	memcpy(s->raw + s->raw_len, raw, raw_len);
	memcpy(s->out + s->out_len, out, out_len);
	s->raw_len += raw_len;
	s->out_len += out_len;
	return 0;
}

/* Text i: a length from 1 to 1.5 targets, compressible bytes. */
static size_t text(uint32_t i, uint8_t *buf)
{
	uint32_t x = i * 2654435761u + 1;
	size_t n = 1 + (x >> 7) % (TARGET + TARGET / 2);
	for (size_t k = 0; k < n; k++)
		buf[k] = (uint8_t)("ACDEFGHIKLMNPQRSTVWY"[(x >> (k % 13)) % 20]);
	return n;
}

/* Feeds every text through workers workers; checks each lands where room said. */
static void feed(uint32_t workers, sunk *s)
{
	uint32_t block[TEXTS];
	size_t offset[TEXTS];
	uint8_t buf[2 * TARGET];
	const char *why;
	memset(s, 0, sizeof *s);
	s->stop_at = UINT32_MAX;
	entry_blocks *eb = entry_blocks_new(workers, TARGET, 6, sink, s);
	assert_non_null(eb);
	for (uint32_t i = 0; i < TEXTS; i++) {
		size_t n = text(i, buf);
		uint8_t *dst;
		assert_int_equal(entry_blocks_room(eb, n, &dst, &block[i], &offset[i], &why), 0);
		memcpy(dst, buf, n);
		entry_blocks_wrote(eb, n);
	}
	assert_int_equal(entry_blocks_flush(eb, &why), 0);
	assert_int_equal(entry_blocks_count(eb), s->blocks);
	entry_blocks_free(eb);
	for (uint32_t i = 0; i < TEXTS; i++) {
		size_t n = text(i, buf);
		assert_true(block[i] < s->blocks);
		size_t end = block[i] + 1 < s->blocks ? s->block_at[block[i] + 1] : s->raw_len;
		size_t at = s->block_at[block[i]] + offset[i];
		assert_true(at + n <= end);
		assert_memory_equal(s->raw + at, buf, n);
		/* a text starts inside the target: the record's u16 offset */
		assert_true(offset[i] < TARGET);
		/* a block past the target holds that one text only */
		if (end - s->block_at[block[i]] > TARGET)
			assert_true(offset[i] == 0 && n == end - s->block_at[block[i]]);
	}
}

static void same_bytes_for_any_workers(void **state)
{
	(void)state;
	static sunk a, b;
	feed(0, &a);
	assert_true(a.blocks > 100);
	for (uint32_t w = 1; w <= 3; w += 2) {
		feed(w, &b);
		assert_int_equal(a.blocks, b.blocks);
		assert_int_equal(a.raw_len, b.raw_len);
		assert_int_equal(a.out_len, b.out_len);
		assert_memory_equal(a.raw, b.raw, a.raw_len);
		assert_memory_equal(a.out, b.out, a.out_len);
	}
}

/* The sink fails on block 5: the builder says so (no reason of its own) and ends cleanly. */
static void sink_failure_stops(void **state)
{
	(void)state;
	static sunk s;
	for (uint32_t workers = 0; workers <= 2; workers += 2) {
		memset(&s, 0, sizeof s);
		s.stop_at = 5;
		entry_blocks *eb = entry_blocks_new(workers, TARGET, 6, sink, &s);
		assert_non_null(eb);
		uint8_t buf[2 * TARGET], *dst;
		uint32_t block;
		size_t offset;
		const char *why = "unset";
		int rc = 0;
		for (uint32_t i = 0; i < TEXTS && rc == 0; i++) {
			size_t n = text(i, buf);
			rc = entry_blocks_room(eb, n, &dst, &block, &offset, &why);
			if (rc == 0) {
				memcpy(dst, buf, n);
				entry_blocks_wrote(eb, n);
			}
		}
		if (rc == 0)
			rc = entry_blocks_flush(eb, &why);
		assert_int_equal(rc, -1);
		assert_null(why);
		assert_int_equal(s.blocks, 5);
		entry_blocks_free(eb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_bytes_for_any_workers),
		cmocka_unit_test(sink_failure_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
