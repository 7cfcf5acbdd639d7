/* Offset tables (FORMAT.md, "Offset tables"): the builder's writer and the engine's record
 * accessor agree on every record of tables of both layouts (u16 ends, u8 lengths) with narrow
 * and wide blocks anywhere, and the accessor refuses wide references that name no entry. */
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

static void table_write(table *tb, idmap_ot_layout l, const uint64_t *size, uint64_t n)
{
	idmap_spill out, wide;
	idmap_ot_writer w;
	uint64_t end = 0;
	assert_int_equal(idmap_spill_open_mem(&out, (size_t)idmap_ot_length(n, l) + 64), 0);
	assert_int_equal(idmap_spill_open_mem(&wide, (size_t)idmap_ot_length(n, l) * 7 + 64), 0);
	idmap_ot_writer_init(&w, l, &out, &wide);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(idmap_ot_add(&w, end += size[i]), 0);
	assert_int_equal(idmap_ot_finish(&w), 0);
	tb->index = idmap_spill_take_mem(&out, &tb->index_len);
	tb->wide = idmap_spill_take_mem(&wide, &tb->wide_len);
	tb->pool = calloc(1, end ? (size_t)end : 1);
	assert_non_null(tb->pool);
	tb->t = (idmap_otab){{tb->index, tb->index_len}, {tb->wide, tb->wide_len},
			     {tb->pool, end}, l};
}

static void table_free(table *tb)
{
	free(tb->index);
	free(tb->wide);
	free(tb->pool);
}

/* Whether a block of records of these sizes must be wide in layout l. */
static int must_be_wide(idmap_ot_layout l, const uint64_t *size, uint64_t k)
{
	uint64_t span = 0, longest = 0;
	for (uint64_t j = 0; j < k; j++) {
		span += size[j];
		longest = size[j] > longest ? size[j] : longest;
	}
	return l == IDMAP_OT_LENS8 ? longest > 255 : span > 65535;
}

/* Writes a table of records of the given sizes in layout l and reads every record back;
 * checks the length, which blocks are wide, their entry numbers, and that the values a last
 * block does not use are zero. */
static void roundtrip(idmap_ot_layout l, const uint64_t *size, uint64_t n)
{
	table tb;
	uint64_t per = idmap_ot_per(l), start = 0, wide = 0;
	table_write(&tb, l, size, n);
	assert_int_equal(tb.index_len, idmap_ot_length(n, l));
	assert_int_equal(tb.index_len, 64 * ((n + per - 1) / per));
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *a, *b;
		assert_int_equal(idmap_record(&tb.t, i, &a, &b), 0);
		assert_int_equal(a - tb.pool, start);
		assert_int_equal(b - tb.pool, start + size[i]);
		start += size[i];
		if (i % per == per - 1 || i == n - 1) {
			uint64_t first = i - i % per, k = i + 1 - first;
			const uint8_t *blk = idmap_ot_block(&tb.t, i);
			assert_ptr_equal(blk, tb.index + 64 * (i / per));
			int is_wide = (idmap_rd64(blk) & IDMAP_OT_WIDE_FLAG) != 0;
			assert_int_equal(is_wide, must_be_wide(l, size + first, k));
			if (is_wide) {
				assert_int_equal(idmap_rd32(blk + 8), wide++);
				for (uint64_t j = k; j < per; j++) /* unused ends zero */
					assert_int_equal(idmap_rd64(tb.wide + (wide - 1) * 8 * per +
								    8 * j), 0);
				continue;
			}
			uint64_t used = 8 + (l == IDMAP_OT_LENS8 ? k : 2 * k);
			for (uint64_t j = used; j < 64; j++)
				assert_int_equal(blk[j], 0);
		}
	}
	assert_int_equal(tb.wide_len, wide * idmap_ot_wide_bytes(l));
	table_free(&tb);
}

static void small_counts(void **state)
{
	(void)state;
	static const uint64_t counts[] = {0, 1, 27, 28, 29, 55, 56, 57, 112, 113};
	uint64_t size[128];
	for (uint64_t i = 0; i < 128; i++)
		size[i] = i % 5 ? 16 + i : 0; /* empty records too */
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		roundtrip(IDMAP_OT_ENDS16, size, counts[c]);
		roundtrip(IDMAP_OT_LENS8, size, counts[c]);
	}
	assert_int_equal(idmap_ot_length(0, IDMAP_OT_ENDS16), 0);
	assert_int_equal(idmap_ot_length(1, IDMAP_OT_ENDS16), 64);
	assert_int_equal(idmap_ot_length(28, IDMAP_OT_ENDS16), 64);
	assert_int_equal(idmap_ot_length(29, IDMAP_OT_ENDS16), 128);
	assert_int_equal(idmap_ot_length(0, IDMAP_OT_LENS8), 0);
	assert_int_equal(idmap_ot_length(1, IDMAP_OT_LENS8), 64);
	assert_int_equal(idmap_ot_length(56, IDMAP_OT_LENS8), 64);
	assert_int_equal(idmap_ot_length(57, IDMAP_OT_LENS8), 128);
	assert_int_equal(idmap_ot_length(113, IDMAP_OT_LENS8), 192);
}

/* u16 ends: wide blocks first, in the middle and last (a partial block), next to narrow ones,
 * and the boundary: a block of exactly 65535 bytes is narrow, 65536 wide. */
static void mixed_blocks(void **state)
{
	(void)state;
	enum { P = IDMAP_OT_PER_ENDS16, N = 7 * P + 13 };
	uint64_t size[N];
	for (uint64_t i = 0; i < N; i++)
		size[i] = 10 + i % 90;
	size[3] = 70000;	       /* block 0: wide, first */
	size[2 * P] = 1u << 20;	       /* block 2: wide, first record */
	size[4 * P - 1] = 300000; /* block 3: wide, last record */
	uint64_t sum = 0;
	for (uint64_t i = 4 * P; i < 5 * P - 1; i++)
		sum += size[i];
	size[5 * P - 1] = 65535 - sum; /* block 4: exactly 65535, narrow */
	sum = 0;
	for (uint64_t i = 5 * P; i < 6 * P - 1; i++)
		sum += size[i];
	size[6 * P - 1] = 65536 - sum; /* block 5: 65536, wide */
	size[N - 1] = 5000000;	       /* block 7 (13 records): wide, last */
	roundtrip(IDMAP_OT_ENDS16, size, N);
	/* every block wide */
	for (uint64_t i = 0; i < N; i++)
		size[i] = 3000;
	roundtrip(IDMAP_OT_ENDS16, size, N);
}

/* u8 lengths: records of 0, 255 (narrow) and 256 bytes (wide) at the first, middle and last
 * place of a block; wide blocks first, in the middle and last (partial); a narrow block whose
 * records span more than 65535 bytes; every record of every length 0 .. 255 read back. */
static void lens8_blocks(void **state)
{
	(void)state;
	enum { P = IDMAP_OT_PER_LENS8, N = 9 * P + 17 };
	uint64_t size[N];
	for (uint64_t i = 0; i < N; i++)
		size[i] = (i * 37) % 256; /* 0 .. 255 */
	size[0] = 256;		  /* block 0: wide, first record */
	size[P + 7] = 255;	  /* block 1: narrow with 255 and 0 */
	size[P + 8] = 0;
	size[2 * P + 30] = 256; /* block 2: wide, middle */
	size[4 * P - 1] = 256;	/* block 3: wide, last record */
	for (uint64_t i = 5 * P; i < 6 * P; i++)
		size[i] = 255; /* block 5: 14280 bytes, narrow */
	size[7 * P + 20] = 70000; /* block 7: wide, a long record */
	size[N - 1] = 300;	  /* block 9 (17 records): wide, last */
	roundtrip(IDMAP_OT_LENS8, size, N);
	/* every block wide, or all narrow records of 255 */
	for (uint64_t i = 0; i < N; i++)
		size[i] = 256;
	roundtrip(IDMAP_OT_LENS8, size, N);
	for (uint64_t i = 0; i < N; i++)
		size[i] = 255;
	roundtrip(IDMAP_OT_LENS8, size, N);
	/* the sum of lengths at every position of a block, each record alone long */
	for (uint64_t j = 0; j < P; j++) {
		for (uint64_t i = 0; i < P; i++)
			size[i] = i == j ? 255 : i % 3;
		roundtrip(IDMAP_OT_LENS8, size, P);
	}
}

/* A wide block naming an entry past the wide section, a damaged wide end: refused, never
 * read outside the sections. Record 30 is in a wide block of either layout. */
static void wide_damage_in(idmap_ot_layout l, uint64_t big)
{
	uint64_t size[80], per = idmap_ot_per(l), q = 30 / per, j = 30 % per;
	for (uint64_t i = 0; i < 80; i++)
		size[i] = i == 30 ? big : 20;
	table tb;
	table_write(&tb, l, size, 80);
	const uint8_t *a, *b;
	uint8_t *blk = tb.index + q * IDMAP_OT_BLOCK_BYTES; /* wide entry 0 */
	assert_int_equal(tb.wide_len, idmap_ot_wide_bytes(l));
	assert_int_equal(idmap_record(&tb.t, 30, &a, &b), 0);
	idmap_wr32(blk + 8, 1);
	assert_int_equal(idmap_record(&tb.t, 30, &a, &b), -1);
	idmap_wr32(blk + 8, UINT32_MAX);
	assert_int_equal(idmap_record(&tb.t, 30, &a, &b), -1);
	idmap_wr32(blk + 8, 0);
	/* an end that wraps to before its start; the next record's start wraps too and both
	 * bounds stay inside the pool */
	idmap_wr64(tb.wide + 8 * j, UINT64_MAX - 5);
	assert_int_equal(idmap_record(&tb.t, 30, &a, &b), -1);
	if (idmap_record(&tb.t, 31, &a, &b) == 0)
		assert_true(tb.pool <= a && a <= b && b <= tb.pool + tb.t.pool.len);
	/* an end past the pool */
	idmap_wr64(tb.wide + 8 * j, tb.t.pool.len + 1);
	assert_int_equal(idmap_record(&tb.t, 30, &a, &b), -1);
	/* a wide block and no wide section */
	tb.t.wide.len = 0;
	assert_int_equal(idmap_record(&tb.t, q * per, &a, &b), -1);
	assert_int_equal(idmap_record(&tb.t, 79, &a, &b), 0); /* a narrow block */
	table_free(&tb);
}

static void wide_damage(void **state)
{
	(void)state;
	wide_damage_in(IDMAP_OT_ENDS16, 100000);
	wide_damage_in(IDMAP_OT_LENS8, 256);
}

/* A narrow u8 block whose lengths run past the pool or whose base is damaged: refused or
 * inside the pool, whatever the bytes. */
static void lens8_damage(void **state)
{
	(void)state;
	uint64_t size[60];
	for (uint64_t i = 0; i < 60; i++)
		size[i] = 3;
	table tb;
	table_write(&tb, IDMAP_OT_LENS8, size, 60);
	const uint8_t *a, *b;
	tb.index[8 + 59 - 56 + 64] = 255; /* the last record runs past the pool */
	assert_int_equal(idmap_record(&tb.t, 59, &a, &b), -1);
	for (uint64_t v = 0; v < 4; v++) {
		idmap_wr64(tb.index, v < 2 ? UINT64_MAX >> v : tb.t.pool.len - v);
		memset(tb.index + 8, 0xff, 56);
		for (uint64_t i = 0; i < 56; i++)
			if (idmap_record(&tb.t, i, &a, &b) == 0)
				assert_true(tb.pool <= a && a <= b &&
					    b <= tb.pool + tb.t.pool.len);
	}
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
	idmap_ot_writer_init(&w, IDMAP_OT_ENDS16, &out, &wide);
	assert_int_equal(idmap_ot_add(&w, 10), 0);
	assert_int_equal(idmap_ot_add(&w, 9), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(idmap_ot_add(&w, (uint64_t)UINT32_MAX * 3), 0); /* no 4 GiB limit */
	assert_int_equal(idmap_ot_add(&w, IDMAP_OT_WIDE_FLAG), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(idmap_ot_finish(&w), 0);
	assert_int_equal(out.bytes, IDMAP_OT_BLOCK_BYTES);
	assert_int_equal(wide.bytes, idmap_ot_wide_bytes(IDMAP_OT_ENDS16));
	assert_int_equal(idmap_spill_close(&out), 0);
	assert_int_equal(idmap_spill_close(&wide), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_counts),
		cmocka_unit_test(mixed_blocks),
		cmocka_unit_test(lens8_blocks),
		cmocka_unit_test(lens8_damage),
		cmocka_unit_test(wide_damage),
		cmocka_unit_test(writer_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
