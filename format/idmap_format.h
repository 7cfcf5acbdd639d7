/* On-disk constants of the idmap index, version 6, and little-endian helpers.
 * format/FORMAT.md is the specification; this header must say the same thing. */
#ifndef IDMAP_FORMAT_H
#define IDMAP_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define IDMAP_MAGIC "IDMAPIDX"
#define IDMAP_MAGIC_LEN 8
#define IDMAP_FORMAT_VERSION 6u

#define IDMAP_HEADER_SIZE 64u
#define IDMAP_SECTION_ENTRY_SIZE 32u
#define IDMAP_SECTION_ALIGN 64u
#define IDMAP_MAX_SECTIONS 1024u

/* Header field offsets. */
enum {
	IDMAP_HDR_MAGIC = 0,
	IDMAP_HDR_VERSION = 8,
	IDMAP_HDR_FLAGS = 12,
	IDMAP_HDR_FILE_SIZE = 16,
	IDMAP_HDR_TABLE_OFFSET = 24,
	IDMAP_HDR_SECTION_COUNT = 32,
	IDMAP_HDR_TABLE_CRC = 36,
	IDMAP_HDR_RESERVED = 40,	/* 20 bytes */
	IDMAP_HDR_HEADER_CRC = 60,
};

/* Section table entry field offsets. */
enum {
	IDMAP_SEC_ID = 0,
	IDMAP_SEC_FLAGS = 4,
	IDMAP_SEC_OFFSET = 8,
	IDMAP_SEC_LENGTH = 16,
	IDMAP_SEC_CRC = 24,
	IDMAP_SEC_RESERVED = 28,
};

enum idmap_section_id {
	IDMAP_SECTION_META = 1,
	IDMAP_SECTION_TYPES = 2,
	IDMAP_SECTION_ACC_DIR = 3,
	IDMAP_SECTION_ACC_PILOTS = 4,
	IDMAP_SECTION_ACC_REMAP = 5,
	IDMAP_SECTION_ACC_CODES = 6,
	IDMAP_SECTION_FWD_INDEX = 7,
	IDMAP_SECTION_FWD_POOL = 8,
	IDMAP_SECTION_KEY_DIR = 9,
	IDMAP_SECTION_KEY_PILOTS = 10,
	IDMAP_SECTION_KEY_REMAP = 11,
	IDMAP_SECTION_KEY_INDEX = 12,
	IDMAP_SECTION_KEY_POOL = 13,
	IDMAP_SECTION_FWD_INDEX_WIDE = 14,
	IDMAP_SECTION_KEY_INDEX_WIDE = 15,
	IDMAP_SECTION_REQUIRED_LAST = 15,
	/* 16-31: reserved for later versions; 32 SEQUENCES, 33 UNIPARC, 34 JOBS reserved. */
	IDMAP_SECTION_SEQUENCES = 32,
	IDMAP_SECTION_UNIPARC = 33,
	IDMAP_SECTION_JOBS = 34,
};

/* MPHF directory (ACC_DIR, KEY_DIR). */
#define IDMAP_DIR_HEADER_SIZE 32u
#define IDMAP_DIR_FILE_ENTRY_SIZE 8u
#define IDMAP_DIR_PART_ENTRY_SIZE 32u
#define IDMAP_DIR_MAX_FBITS 16u
enum {
	IDMAP_DIR_FBITS = 0,
	IDMAP_DIR_NPARTS = 4,
	IDMAP_DIR_NKEYS = 8,
	IDMAP_DIR_SEED = 16,
	IDMAP_DIR_RESERVED = 24,
};
enum {
	IDMAP_PART_SLOT_BASE = 0,
	IDMAP_PART_PILOT_BASE = 8,
	IDMAP_PART_REMAP_BASE = 16,
	IDMAP_PART_N = 24,
	IDMAP_PART_SEED = 28,
};

/* Offset tables (FWD_INDEX, KEY_INDEX; FORMAT.md, "Offset tables"): 64-byte blocks, a u64 base
 * and then, by the table's layout, 28 u16 ends relative to the base (ENDS16: FWD_INDEX, long
 * records) or 56 u8 record lengths (LENS8: KEY_INDEX, short records). A block that does not fit
 * its layout (ENDS16: records spanning more than 65535 bytes; LENS8: a record longer than 255
 * bytes) is wide: the base's top bit set, a u32 number at byte 8 naming its entry of the table's
 * wide section (FWD_INDEX_WIDE, KEY_INDEX_WIDE), which holds the block's ends as u64. */
typedef enum {
	IDMAP_OT_ENDS16 = 0,
	IDMAP_OT_LENS8 = 1,
} idmap_ot_layout;
#define IDMAP_OT_BLOCK_BYTES 64u
#define IDMAP_OT_PER_ENDS16 28u		/* records per ENDS16 block: (64 - 8) / 2 */
#define IDMAP_OT_PER_LENS8 56u		/* records per LENS8 block: 64 - 8 */
#define IDMAP_OT_PER_MAX 56u
#define IDMAP_OT_WIDE_FLAG (1ull << 63) /* in a block's base */
#define IDMAP_OT_NARROW_MAX 65535u	/* ENDS16: largest end of a narrow block */
#define IDMAP_OT_LEN_MAX 255u		/* LENS8: longest record of a narrow block */
_Static_assert(IDMAP_OT_BLOCK_BYTES == IDMAP_SECTION_ALIGN,
	       "an offset-table block is one aligned 64-byte line");

/* Records per block of a layout. */
static inline uint32_t idmap_ot_per(idmap_ot_layout l)
{
	return l == IDMAP_OT_LENS8 ? IDMAP_OT_PER_LENS8 : IDMAP_OT_PER_ENDS16;
}

/* Bytes of a wide entry: the block's ends as u64 (224 for ENDS16, 448 for LENS8). */
static inline uint32_t idmap_ot_wide_bytes(idmap_ot_layout l)
{
	return 8u * idmap_ot_per(l);
}

/* Length in bytes of the offset table of n records: whole blocks. */
static inline uint64_t idmap_ot_length(uint64_t n, idmap_ot_layout l)
{
	uint64_t per = idmap_ot_per(l);
	return IDMAP_OT_BLOCK_BYTES * ((n + per - 1) / per);
}

/* TYPES */
#define IDMAP_TYPES_HEADER_SIZE 8u
#define IDMAP_MAX_TYPES 65536u
#define IDMAP_MAX_TYPE_NAME 80u	     /* names in TYPES, idmap's own included */
#define IDMAP_MAX_DATA_TYPE_NAME 64u /* ID_type names of the input */

/* Limits of the data (FORMAT.md, "Limits"). */
#define IDMAP_MAX_VALUE 1024u
#define IDMAP_MAX_VARINT 10u

/* Reserved type names for idmap's own records. */
#define IDMAP_TYPE_SECONDARY "#secondary"
#define IDMAP_TYPE_DELETED "#deleted"	      /* from a delac file that does not say which */
#define IDMAP_TYPE_DELETED_SP "#deleted-sp" /* delac_sp.txt: deleted from Swiss-Prot */
#define IDMAP_TYPE_DELETED_TR "#deleted-tr" /* delac_tr.txt: deleted from TrEMBL */
#define IDMAP_TYPE_ISOFORM_OF "#isoform-of"
#define IDMAP_TYPE_UNVERSIONED_PREFIX "#unversioned:"

static inline uint16_t idmap_rd16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint32_t idmap_rd32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
	       ((uint32_t)b[3] << 24);
}

static inline uint64_t idmap_rd64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)idmap_rd32(b) | ((uint64_t)idmap_rd32(b + 4) << 32);
}

static inline void idmap_wr16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void idmap_wr32(void *p, uint32_t v)
{
	uint8_t *b = p;
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline void idmap_wr64(void *p, uint64_t v)
{
	idmap_wr32(p, (uint32_t)v);
	idmap_wr32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* Writes v as LEB128 into out (room for IDMAP_MAX_VARINT bytes); returns the byte count. */
static inline size_t idmap_varint_put(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

/* Reads a LEB128 varint from [*p, end). Returns 0 and advances *p on success, -1 when the
 * bytes run out or the varint is longer than 10 bytes or overflows 64 bits. */
static inline int idmap_varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	const uint8_t *s = *p;
	uint64_t r = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (s >= end)
			return -1;
		uint8_t b = *s++;
		if (shift == 63 && b > 1)
			return -1;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*p = s;
			*v = r;
			return 0;
		}
	}
	return -1;
}

/* The width of a fixed-width slot below n (FORMAT.md, FWD_POOL): the fewest bytes that hold
 * n - 1, at least 1. */
static inline unsigned idmap_slot_width(uint64_t n)
{
	unsigned w = 1;
	while (n > 1 && w < 8 && (n - 1) >> (8 * w))
		w++;
	return w;
}

/* Writes slot v as w little-endian bytes; returns w. */
static inline size_t idmap_slot_put(uint8_t *out, uint64_t v, unsigned w)
{
	for (unsigned i = 0; i < w; i++)
		out[i] = (uint8_t)(v >> (8 * i));
	return w;
}

/* Reads a w-byte slot from [*p, end). Returns 0 and advances *p, or -1 when it runs past end. */
static inline int idmap_slot_get(const uint8_t **p, const uint8_t *end, unsigned w, uint64_t *v)
{
	if ((size_t)(end - *p) < w)
		return -1;
	uint64_t r = 0;
	for (unsigned i = 0; i < w; i++)
		r |= (uint64_t)(*p)[i] << (8 * i);
	*p += w;
	*v = r;
	return 0;
}

/* A key record's head (FORMAT.md, KEY_POOL): varint (type << 1 | single); a key with exactly
 * one accession (most keys) has no posting count after its value. */
static inline uint64_t idmap_key_head_word(uint64_t type, uint64_t count)
{
	return type << 1 | (count == 1);
}

/* A forward group's head (FORMAT.md, FWD_POOL): varint (type << 1 | single), then, when the
 * group holds more than one key slot, varint count. Most groups hold one. */
static inline uint64_t idmap_fwd_group_head(uint64_t type, uint64_t count)
{
	return type << 1 | (count == 1);
}

/* Reads a group head from [*p, end): type and count (>= 1). Returns 0, or -1 when the bytes
 * run out or a count that is not single is below 2. */
static inline int idmap_fwd_group_get(const uint8_t **p, const uint8_t *end, uint64_t *type,
				      uint64_t *count)
{
	uint64_t h;
	if (idmap_varint_get(p, end, &h))
		return -1;
	*type = h >> 1;
	*count = 1;
	return h & 1 ? 0 : idmap_varint_get(p, end, count) || *count < 2 ? -1 : 0;
}

#endif
