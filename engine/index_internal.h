/* The open index as the engine's files share it. Not installed. */
#ifndef IDMAP_INDEX_INTERNAL_H
#define IDMAP_INDEX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "entry_internal.h"
#include "idmap.h"
#include "idmap_format.h"
#include "mphf.h"
#include "value_code.h"

/* A section's bytes inside the map. */
typedef struct {
	const uint8_t *p;
	uint64_t len;
} idmap_span;

/* An offset table (FWD_INDEX or KEY_INDEX; FORMAT.md, "Offset tables"), its wide section
 * and the pool it locates; layout says how its narrow blocks hold the records. */
typedef struct {
	idmap_span index, wide, pool;
	idmap_ot_layout layout;
} idmap_otab;

struct idmap_index {
	uint8_t *map;
	size_t size;

	idmap_section_info *secs; /* the table, file order */
	uint32_t n_secs;
	idmap_span sec[IDMAP_SECTION_REQUIRED_LAST + 1]; /* by id; [0] unused */

	idmap_mphf_view acc_mphf, key_mphf;
	uint64_t n_acc, n_key;
	unsigned key_w; /* bytes of a key slot in a forward record: idmap_slot_width(n_key) */
	idmap_otab fwd, key; /* FWD_INDEX and KEY_INDEX with their wide sections and pools */

	idmap_type_info *types;
	idmap_vcode *vcode; /* the value coding of each type (value_code.h) */
	uint32_t n_types;
	char *names; /* NUL-terminated copies of the type names */
	uint32_t *type_order;  /* type ids by name (type_names.c) */
	uint32_t *type_ci_low; /* per position of type_order: see idmap_types_sort */

	idmap_entry_store entries; /* FASTA records (entry.c); empty without FASTA input */
};

/* Sorts the type names for idmap_type_find and idmap_type_find_ci, in O(T log T) once at
 * open; IDMAP_ERR_CORRUPT when two names are equal. */
int idmap_types_sort(idmap_index *ix);

/* Block number and position in it of record i. The table's length was checked at open
 * against its record count, so the block of any record i < n is inside it; n < 2^32
 * (idmap_open refuses more), so 32-bit arithmetic (a division by a constant) finds it. */
static inline __attribute__((always_inline)) uint32_t idmap_ot_split(const idmap_otab *t,
								      uint64_t i, uint32_t *j)
{
	uint32_t q = t->layout == IDMAP_OT_LENS8 ? (uint32_t)i / IDMAP_OT_PER_LENS8
						 : (uint32_t)i / IDMAP_OT_PER_ENDS16;
	*j = (uint32_t)i - q * idmap_ot_per(t->layout);
	return q;
}

/* The block of record i. */
static inline const uint8_t *idmap_ot_block(const idmap_otab *t, uint64_t i)
{
	uint32_t j;
	return t->index.p + (uint64_t)idmap_ot_split(t, i, &j) * IDMAP_OT_BLOCK_BYTES;
}

/* Fetches the cache lines of record [p, end), up to four: a forward record (about 14 pairs
 * in a release) usually spans two or three lines and the wanted group may lie in any.
 * The prefetch helpers are always inlined: GCC deletes calls of a function whose only effect
 * is a prefetch (it counts as no side effect) when it did not inline it early. */
static inline __attribute__((always_inline)) void idmap_prefetch_record(const uint8_t *p,
									 const uint8_t *end)
{
	const uint8_t *last = end - p > 256 ? p + 255 : end - 1;
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)63, b = (uintptr_t)last & ~(uintptr_t)63;
	for (; a <= b; a += 64)
		__builtin_prefetch((const void *)a);
}

/* Starts loading what idmap_record(t, i, ...) reads: the record's block, one 64-byte line
 * (sections are 64-byte aligned); a wide block's entry is left to the lookup (rare). */
static inline __attribute__((always_inline)) void idmap_ot_prefetch(const idmap_otab *t,
								     uint64_t i)
{
	__builtin_prefetch(idmap_ot_block(t, i));
}

/* idmap_record for record j of the wide block blk, whose base (flag cleared) is base. */
int idmap_record_wide(const idmap_otab *t, const uint8_t *blk, uint64_t base, uint32_t j,
		      const uint8_t **a, const uint8_t **b);

/* 56 bytes 0xff then 56 zero bytes: the 56 bytes at 56 - j mask the first j of 56. */
extern const uint8_t idmap_ot_prefix_mask[2 * IDMAP_OT_PER_LENS8];

/* Sum of the first j (< 56) u8 lengths of a LENS8 block (bytes 8 .. 8 + j - 1 of the line).
 * SSE2: the lengths masked by idmap_ot_prefix_mask and summed with PSADBW, four vectors and
 * no loop (about 20 instructions); the scalar loop is for other machines. */
static inline __attribute__((always_inline)) uint64_t idmap_ot_lens_sum(const uint8_t *blk,
									 uint32_t j)
{
#ifdef __SSE2__
	const uint8_t *l = blk + 8, *m = idmap_ot_prefix_mask + IDMAP_OT_PER_LENS8 - j;
	const __m128i z = _mm_setzero_si128();
#define IDMAP_LENS_PART(load, k)                                                               \
	_mm_sad_epu8(_mm_and_si128(load((const __m128i *)(const void *)(l + (k))),           \
				   load((const __m128i *)(const void *)(m + (k)))),            \
		     z)
	__m128i s = _mm_add_epi64(_mm_add_epi64(IDMAP_LENS_PART(_mm_loadu_si128, 0),
						IDMAP_LENS_PART(_mm_loadu_si128, 16)),
				  _mm_add_epi64(IDMAP_LENS_PART(_mm_loadu_si128, 32),
						IDMAP_LENS_PART(_mm_loadl_epi64, 48)));
#undef IDMAP_LENS_PART
	s = _mm_add_epi64(s, _mm_unpackhi_epi64(s, s));
	return (uint64_t)(uint32_t)_mm_cvtsi128_si32(s);
#else
	uint64_t s = 0;
	for (uint32_t k = 0; k < j; k++)
		s += blk[8 + k];
	return s;
#endif
}

/* Bounds of record i (< n) of a table: [*a, *b) inside the pool. Returns 0, or -1 when the
 * table puts them out of order or past the pool, or names no wide entry. (A damaged base may
 * make the sums wrap: then start > end, or both wrap and still lie inside the pool; never
 * outside it.) */
static inline int idmap_record(const idmap_otab *t, uint64_t i, const uint8_t **a,
			       const uint8_t **b)
{
	uint32_t j, q = idmap_ot_split(t, i, &j);
	const uint8_t *blk = t->index.p + (uint64_t)q * IDMAP_OT_BLOCK_BYTES;
	uint64_t base = idmap_rd64(blk), x, y;
	if (__builtin_expect((base & IDMAP_OT_WIDE_FLAG) != 0, 0))
		return idmap_record_wide(t, blk, base & ~IDMAP_OT_WIDE_FLAG, j, a, b);
	if (t->layout == IDMAP_OT_LENS8) {
		x = base + idmap_ot_lens_sum(blk, j);
		y = x + blk[8 + j];
	} else {
		/* start: base + end[j - 1], or base for j = 0 (the load then reads base's top
		 * two bytes, masked off) */
		x = base + (idmap_rd16(blk + 6 + 2 * j) & (0u - (j != 0)));
		y = base + idmap_rd16(blk + 8 + 2 * j);
	}
	if (x > y || y > t->pool.len)
		return -1;
	*a = t->pool.p + x;
	*b = t->pool.p + y;
	return 0;
}

/* The forward iterator in two halves: the next (type, key slot) of the record, without
 * touching the key record; then the pair of that key (its record read and checked). */
int idmap_fwd_next_key(idmap_fwd_iter *it, uint64_t *type, uint64_t *key);
int idmap_fwd_pair(const idmap_index *ix, uint64_t type, uint64_t key, idmap_pair *pair);
/* The value of key slot key (< n_key) decoded into out, its length in *len; IDMAP_ERR_CORRUPT
 * when the record is damaged or its type is not type. */
int idmap_key_text(const idmap_index *ix, uint64_t key, uint64_t type,
		   char out[IDMAP_VALUE_SIZE], size_t *len);

/* Decodes the head of a key record: type, coded value (its bytes and their number) and
 * posting count (1 when the head says single; a stored count is never 1); leaves *p at the
 * first posting. Inlined: every reverse lookup runs it. */
static inline __attribute__((always_inline)) int
idmap_key_head(const idmap_index *ix, const uint8_t **p, const uint8_t *end, uint64_t *type,
	       const uint8_t **value, uint64_t *len, uint64_t *count)
{
	const uint8_t *q = *p;
	uint64_t h;
	if (idmap_varint_get(&q, end, &h) || (*type = h >> 1) >= ix->n_types)
		return -1;
	*len = idmap_vcode_skip(&ix->vcode[*type], q, end);
	if (*len == 0)
		return -1;
	*value = q;
	q += *len;
	*count = 1;
	/* each posting takes at least a byte */
	if (!(h & 1) && (idmap_varint_get(&q, end, count) || *count == 1 ||
			 *count > (uint64_t)(end - q)))
		return -1;
	*p = q;
	return 0;
}

/* Writes the printf-style reason into detail (NUL-terminated, truncated to len; nothing when
 * detail is NULL or len 0) and returns status; errno is kept. The detail texts of idmap_open
 * and idmap_verify. */
int idmap_detail_set(char *detail, size_t len, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Partition and file tables of a directory consistent with the pilots and remap lengths. */
int idmap_mphf_check(const idmap_mphf_view *v);

/* Whether key slot (any value; out of range is not found) is (type_id, value[0, len)):
 * IDMAP_OK, IDMAP_ERR_NOT_FOUND, or IDMAP_ERR_CORRUPT. */
int idmap_key_is(const idmap_index *ix, uint64_t slot, uint32_t type_id, const void *value,
		 size_t len);
/* idmap_key_is for a key record [p, end) already located (idmap_record): the offset table is
 * read once per lookup, as summing KEY_INDEX's u8 lengths costs about 22 instructions. */
int idmap_key_is_at(const idmap_index *ix, const uint8_t *p, const uint8_t *end,
		    uint32_t type_id, const void *value, size_t len);
/* idmap_rev_begin (no count) for a key record [p, end) already located. */
int idmap_rev_begin_at(const idmap_index *ix, const uint8_t *p, const uint8_t *end,
		       idmap_rev_iter *it);

/* The accession code of a record's only posting (a member value's accession), whose count
 * postings start at p: IDMAP_OK, or IDMAP_ERR_CORRUPT when count is not 1 (form 7 is only in
 * records of one accession) or the posting is damaged. */
static inline int idmap_member_code(const idmap_index *ix, const uint8_t *p, const uint8_t *end,
				    uint64_t count, uint64_t *code)
{
	uint64_t slot;
	if (count != 1 || idmap_varint_get(&p, end, &slot) || slot >= ix->n_acc)
		return IDMAP_ERR_CORRUPT;
	*code = idmap_rd64(ix->sec[IDMAP_SECTION_ACC_CODES].p + 8 * slot);
	return IDMAP_OK;
}

/* Whether the key record whose head word is h and whose form-7 value starts at v (end: the
 * record's end) is the query coded q[0, qn) with accession code qcode (FORMAT.md, "Member
 * values"). A record of one accession (h & 1) has no count: its posting follows the value. */
static inline int idmap_key_member_is(const idmap_index *ix, uint64_t h, const uint8_t *v,
				      const uint8_t *end, const uint8_t *q, size_t qn,
				      uint64_t qcode)
{
	const idmap_vcode *c = &ix->vcode[h >> 1];
	const uint8_t *m;
	size_t mlen, l = idmap_vcode_member_at(c, v, end, &m, &mlen);
	uint64_t code;
	return l && idmap_member_code(ix, v + l, end, h & 1, &code) == IDMAP_OK &&
	       idmap_vcode_member_is(c, m, mlen, code, q, qn, qcode);
}

/* Prefetches the stored code of the accession that the key record [p, end) names by a member
 * value (form 7, in a record of one accession), if it has one: comparing or decoding the value
 * reads it. Always inlined: GCC takes a function whose only effect is a prefetch for const
 * and deletes its calls. */
static inline __attribute__((always_inline)) void
idmap_member_prefetch(const idmap_index *ix, const uint8_t *p, const uint8_t *end)
{
	uint64_t t, h, slot;
	if (idmap_varint_get(&p, end, &t) || !(t & 1) || t >> 1 >= ix->n_types || p >= end ||
	    (*p & 7) != IDMAP_VC_MEMBER || idmap_varint_get(&p, end, &h))
		return;
	if (ix->vcode[t >> 1].named) {
		if (h >> 3 > (uint64_t)(end - p))
			return;
		p += h >> 3;
	}
	if (idmap_varint_get(&p, end, &slot) == 0 && slot < ix->n_acc)
		__builtin_prefetch(ix->sec[IDMAP_SECTION_ACC_CODES].p + 8 * slot);
}

/* Whether the key record [p, end) is (type_id, the value q[0, qn) coded by
 * idmap_vcode_encode_acc, with accession code qcode): one memcmp, as the coding is
 * prefix-free; a value that names the key's one accession (form 7, never a query's) is
 * compared through that accession's code, when the query has one. */
static inline int idmap_key_rec_is(const idmap_index *ix, const uint8_t *p, const uint8_t *end,
				   uint32_t type_id, const uint8_t *q, size_t qn, uint64_t qcode)
{
	uint64_t t;
	if (idmap_varint_get(&p, end, &t) != 0 || t >> 1 != type_id || p >= end)
		return 0;
	if (qcode && (*p & 7) == IDMAP_VC_MEMBER)
		return idmap_key_member_is(ix, t, p, end, q, qn, qcode);
	return qn <= (size_t)(end - p) && memcmp(p, q, qn) == 0;
}

/* Decodes the stored (coded) value [v, v + len) of a key of type into out, NUL-terminated;
 * returns the length of the text, 0 when the value is damaged. The record head was checked
 * (idmap_key_head): its count postings start at post. */
static inline size_t idmap_value_decode(const idmap_index *ix, uint64_t type, const uint8_t *v,
					uint64_t len, const uint8_t *post, const uint8_t *end,
					uint64_t count, char out[IDMAP_VALUE_SIZE])
{
	const idmap_vcode *c = &ix->vcode[type];
	if (len == 0 || (*v & 7) != IDMAP_VC_MEMBER)
		return idmap_vcode_decode(c, v, (size_t)len, out);
	const uint8_t *m;
	size_t mlen;
	uint64_t code;
	if (idmap_vcode_member_at(c, v, v + len, &m, &mlen) != len ||
	    idmap_member_code(ix, post, end, count, &code) != IDMAP_OK)
		return 0;
	return idmap_vcode_member_text(c, m, mlen, code, out);
}

#endif
