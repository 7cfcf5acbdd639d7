/* Offset tables (FORMAT.md, "Offset tables"): the builder's writer and the engine's record
 * accessor agree on every record of tables with narrow and wide blocks anywhere, and the
 * accessor refuses wide references that name no entry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "idmap_format.h"
#include "index_internal.h"
#include "offset_table.h"

/* A table written from record sizes, with its pool (zero bytes). */
typedef struct {
	uint8_t *index, *wide, *pool;
	size_t index_len, wide_len;
	idmap_otab t;
} table;

static void table_write(table *tb, const uint64_t *size, uint64_t n)
{
	idmap_spill out, wide;
	idmap_ot_writer w;
	uint64_t end = 0;
	assert_int_equal(idmap_spill_open_mem(&out, (size_t)idmap_ot_length(n) + 64), 0);
	assert_int_equal(idmap_spill_open_mem(&wide, (size_t)idmap_ot_length(n) * 4 + 64), 0);
	idmap_ot_writer_init(&w, &out, &wide);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(idmap_ot_add(&w, end += size[i]), 0);
	assert_int_equal(idmap_ot_finish(&w), 0);
	tb->index = idmap_spill_take_mem(&out, &tb->index_len);
	tb->wide = idmap_spill_take_mem(&wide, &tb->wide_len);
	tb->pool = calloc(1, end ? (size_t)end : 1);
	assert_non_null(tb->pool);
	tb->t = (idmap_otab){{tb->index, tb->index_len}, {tb->wide, tb->wide_len},
			     {tb->pool, end}};
}

static void table_free(table *tb)
{
	free(tb->index);
	free(tb->wide);
	free(tb->pool);
}

/* Writes a table of records of the given sizes and reads every record back; checks the
 * length, and which blocks are wide (those whose records span more than 65535 bytes). */
static void roundtrip(const uint64_t *size, uint64_t n)
{
	table tb;
	table_write(&tb, size, n);
	assert_int_equal(tb.index_len, idmap_ot_length(n));
	uint64_t start = 0, wide = 0, span = 0;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *a, *b;
		assert_int_equal(idmap_record(&tb.t, i, &a, &b), 0);
		assert_int_equal(a - tb.pool, start);
		assert_int_equal(b - tb.pool, start + size[i]);
		start += size[i];
		span += size[i];
		if (i % IDMAP_OT_BLOCK == IDMAP_OT_BLOCK - 1 || i == n - 1) {
			const uint8_t *blk = idmap_ot_block(&tb.t, i);
			int is_wide = (idmap_rd64(blk) & IDMAP_OT_WIDE_FLAG) != 0;
			assert_int_equal(is_wide, span > IDMAP_OT_NARROW_MAX);
			if (is_wide)
				assert_int_equal(idmap_rd32(blk + 8), wide++);
			span = 0;
		}
	}
	assert_int_equal(tb.wide_len, wide * IDMAP_OT_WIDE_BYTES);
	table_free(&tb);
}

static void small_counts(void **state)
{
	(void)state;
	static const uint64_t counts[] = {0, 1, 27, 28, 29, 56, 57};
	uint64_t size[64];
	for (uint64_t i = 0; i < 64; i++)
		size[i] = i % 5 ? 16 + i : 0; /* empty records too */
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
		roundtrip(size, counts[c]);
	assert_int_equal(idmap_ot_length(0), 0);
	assert_int_equal(idmap_ot_length(1), 64);
	assert_int_equal(idmap_ot_length(28), 64);
	assert_int_equal(idmap_ot_length(29), 128);
}

/* Wide blocks first, in the middle and last (a partial block), next to narrow ones, and the
 * boundary: a block of exactly 65535 bytes is narrow, 65536 wide. */
static void mixed_blocks(void **state)
{
	(void)state;
	enum { N = 7 * IDMAP_OT_BLOCK + 13 };
	uint64_t size[N];
	for (uint64_t i = 0; i < N; i++)
		size[i] = 10 + i % 90;
	size[3] = 70000;		     /* block 0: wide, first */
	size[2 * IDMAP_OT_BLOCK] = 1u << 20; /* block 2: wide, first record */
	size[4 * IDMAP_OT_BLOCK - 1] = 300000; /* block 3: wide, last record */
	uint64_t sum = 0;
	for (uint64_t i = 4 * IDMAP_OT_BLOCK; i < 5 * IDMAP_OT_BLOCK - 1; i++)
		sum += size[i];
	size[5 * IDMAP_OT_BLOCK - 1] = 65535 - sum; /* block 4: exactly 65535, narrow */
	sum = 0;
	for (uint64_t i = 5 * IDMAP_OT_BLOCK; i < 6 * IDMAP_OT_BLOCK - 1; i++)
		sum += size[i];
	size[6 * IDMAP_OT_BLOCK - 1] = 65536 - sum; /* block 5: 65536, wide */
	size[N - 1] = 5000000;			    /* block 7 (13 records): wide, last */
	roundtrip(size, N);
	/* every block wide */
	for (uint64_t i = 0; i < N; i++)
		size[i] = 3000;
	roundtrip(size, N);
}

/* A wide block naming an entry past the wide section, a damaged wide end: refused, never
 * read outside the sections. */
static void wide_damage(void **state)
{
	(void)state;
	uint64_t size[40];
	for (uint64_t i = 0; i < 40; i++)
		size[i] = i == 30 ? 100000 : 20;
	table tb;
	table_write(&tb, size, 40);
	const uint8_t *a, *b;
	uint8_t *blk = tb.index + IDMAP_OT_BLOCK_BYTES; /* block 1, wide entry 0 */
	assert_int_equal(tb.wide_len, IDMAP_OT_WIDE_BYTES);
	assert_int_equal(idmap_record(&tb.t, 30, &a, &b), 0);
	idmap_wr32(blk + 8, 1);
	assert_int_equal(idmap_record(&tb.t, 30, &a, &b), -1);
	idmap_wr32(blk + 8, UINT32_MAX);
	assert_int_equal(idmap_record(&tb.t, 30, &a, &b), -1);
	idmap_wr32(blk + 8, 0);
	/* an end that wraps to before its start; the next record's start wraps too and both
	 * bounds stay inside the pool */
	idmap_wr64(tb.wide + 8 * 2, UINT64_MAX - 5);
	assert_int_equal(idmap_record(&tb.t, 30, &a, &b), -1);
	if (idmap_record(&tb.t, 31, &a, &b) == 0)
		assert_true(tb.pool <= a && a <= b && b <= tb.pool + tb.t.pool.len);
	/* an end past the pool */
	idmap_wr64(tb.wide + 8 * 2, tb.t.pool.len);
	assert_int_equal(idmap_record(&tb.t, 30, &a, &b), -1);
	/* a wide block and no wide section */
	tb.t.wide.len = 0;
	assert_int_equal(idmap_record(&tb.t, 29, &a, &b), -1);
	assert_int_equal(idmap_record(&tb.t, 0, &a, &b), 0);
	table_free(&tb);
}

/* The writer refuses an end before the previous one, and ends from 2^63 on (the flag). */
static void writer_refuses(void **state)
{
	(void)state;
	idmap_spill out, wide;
	idmap_ot_writer w;
	assert_int_equal(idmap_spill_open_mem(&out, 4096), 0);
	assert_int_equal(idmap_spill_open_mem(&wide, 4096), 0);
	idmap_ot_writer_init(&w, &out, &wide);
	assert_int_equal(idmap_ot_add(&w, 10), 0);
	assert_int_equal(idmap_ot_add(&w, 9), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(idmap_ot_add(&w, (uint64_t)UINT32_MAX * 3), 0); /* no 4 GiB limit */
	assert_int_equal(idmap_ot_add(&w, IDMAP_OT_WIDE_FLAG), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(idmap_ot_finish(&w), 0);
	assert_int_equal(out.bytes, IDMAP_OT_BLOCK_BYTES);
	assert_int_equal(wide.bytes, IDMAP_OT_WIDE_BYTES);
	assert_int_equal(idmap_spill_close(&out), 0);
	assert_int_equal(idmap_spill_close(&wide), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_counts),
		cmocka_unit_test(mixed_blocks),
		cmocka_unit_test(wide_damage),
		cmocka_unit_test(writer_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
