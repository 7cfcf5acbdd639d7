/* The entry store (FORMAT.md, "Entry store"): FASTA records in compressed blocks, found
 * through a sorted table of fixed-size entry records. Shared by the builder and the engine. */
#ifndef IDMAP_ENTRY_FORMAT_H
#define IDMAP_ENTRY_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "idmap_format.h"

/* Section ids (optional sections: an index without them holds no entries). */
enum {
	IDMAP_SECTION_ENTRY_INFO = 35,
	IDMAP_SECTION_ENTRY_BLOCKS = 36,
	IDMAP_SECTION_ENTRY_DATA = 37,
	IDMAP_SECTION_ENTRY_RECORDS = 38,
	IDMAP_SECTION_ENTRY_HASH = 39,
};

#define IDMAP_ENTRY_STORE_VERSION 2u
#define IDMAP_ENTRY_INFO_SIZE 128u
#define IDMAP_ENTRY_BLOCK_SIZE 24u  /* one ENTRY_BLOCKS entry */
#define IDMAP_ENTRY_RECORD_SIZE 28u /* one ENTRY_RECORDS entry, version 2 */
#define IDMAP_ENTRY_HEAD_SIZE 14u   /* the binary head of a text in a block */
/* 64 KiB at most: a text starts before the target, so its offset fits the record's u16 */
#define IDMAP_ENTRY_BLOCK_TARGET (64u << 10)
#define IDMAP_ENTRY_LEVEL 6	    /* libdeflate compression level */
#define IDMAP_ENTRY_MAX_HEADER 65535u
#define IDMAP_ENTRY_MAX_SEQ (1u << 28)
/* Uncompressed bytes of one block: a target's worth and one more text at most. */
#define IDMAP_ENTRY_MAX_BLOCK                                                                  \
	(IDMAP_ENTRY_BLOCK_TARGET + IDMAP_ENTRY_HEAD_SIZE + IDMAP_ENTRY_MAX_HEADER +           \
	 IDMAP_ENTRY_MAX_SEQ)

/* ENTRY_INFO field offsets. */
enum {
	IDMAP_EI_VERSION = 0,	  /* u32 */
	IDMAP_EI_RECORD_SIZE = 4, /* u32 */
	IDMAP_EI_BLOCK_TARGET = 8, /* u32 */
	IDMAP_EI_LEVEL = 12,	  /* u32 */
	IDMAP_EI_BLOCKS = 16,	  /* u64 */
	IDMAP_EI_RECORDS = 24,	  /* u64 */
	IDMAP_EI_TEXT_BYTES = 32, /* u64: uncompressed bytes of all blocks */
	IDMAP_EI_KINDS = 40,	  /* u64[IDMAP_ENTRY_KINDS]: records per kind */
	IDMAP_EI_HOMES = 96,	  /* u64: ENTRY_HASH has this many home slots */
	IDMAP_EI_RESERVED = 104,  /* to the end */
};

/* Kinds of records, counted in ENTRY_INFO (index = kind - 1). */
enum {
	IDMAP_EK_SWISSPROT = 1,
	IDMAP_EK_TREMBL = 2,
	IDMAP_EK_ISOFORM = 3,
	IDMAP_EK_UNIREF100 = 4,
	IDMAP_EK_UNIREF90 = 5,
	IDMAP_EK_UNIREF50 = 6,
	IDMAP_EK_UNIPARC = 7,
	IDMAP_ENTRY_KINDS = 7,
};

/* Key spaces of the records: a record's key is (space, code). */
enum {
	IDMAP_ES_UNIPROTKB = 1, /* code: accession code (format/accession.h), isoforms included */
	IDMAP_ES_UNIPARC = 2,	/* code: the UPI's 40-bit number */
	IDMAP_ES_UNIREF = 3,	/* 3..8: UniRef100, 90, 50, each with an accession (odd) or a
				 * UPI (even) as representative; code as above */
	IDMAP_ES_LAST = 8,
};

/* ENTRY_RECORDS field offsets (version 2). */
enum {
	IDMAP_ER_CODE = 0,	/* u64 */
	IDMAP_ER_SPACE = 8,	/* u8 */
	IDMAP_ER_FLAGS = 9,	/* u8: IDMAP_EF_* bits, PE in bits 2-4 */
	IDMAP_ER_OFFSET = 10,	/* u16: of the text's head in the uncompressed block */
	IDMAP_ER_BLOCK = 12,	/* u32 */
	IDMAP_ER_SEQ_LEN = 16,	/* u32 */
	IDMAP_ER_TAXID = 20,	/* u32: OX= / TaxID=, 0 when absent */
	IDMAP_ER_NUMBER = 24,	/* u32: SV= (UniProtKB) or n= (UniRef), else 0 */
};

/* Record flags. */
#define IDMAP_EF_REVIEWED 1u /* sp| */
#define IDMAP_EF_FRAGMENT 2u /* protein name ends in "(Fragment)" or "(Fragments)" */
#define IDMAP_EF_PE_SHIFT 2  /* protein existence 1..5, 0 when absent */
#define IDMAP_EF_PE_MASK 7u  /* of the PE field, after the shift */
#define IDMAP_EF_GENE 0x20u  /* the header has a GN= (UniRef: RepID=) value */
#define IDMAP_EF_KNOWN 0x3Fu

/* The head of a text in its block (u16 each): header length, then the name, organism and
 * gene spans (offset, length) in the header. The header and the residues follow it. */
enum {
	IDMAP_ET_HEADER_LEN = 0,
	IDMAP_ET_NAME = 2,
	IDMAP_ET_ORGANISM = 6,
	IDMAP_ET_GENE = 10, /* UniRef: RepID */
};

/* The key of an entry id: "P31946", "P31946-2", "UniRef90_P31946", "UniRef50_UPI0000000001",
 * "UPI0000000001" (upper case; UniRef's prefix exactly as written). Returns 0 with *space and
 * *code, or -1. */
int idmap_entry_key(const char *s, size_t len, uint8_t *space, uint64_t *code);

/* The id text of a key into out (room for 32 bytes with the NUL); returns its length, 0 for an
 * invalid key. */
size_t idmap_entry_key_text(uint8_t space, uint64_t code, char out[32]);

/* The home slot of a key in a table of homes home slots (FORMAT.md, ENTRY_HASH). */
static inline uint64_t idmap_entry_home(uint8_t space, uint64_t code, uint64_t homes)
{
	return idmap_fastrange64(idmap_fmix(code ^ ((uint64_t)space * IDMAP_K1)), homes);
}

/* Home slots for n records: 1.5 n rounded up (at least 1), so a third of them are empty. */
static inline uint64_t idmap_entry_homes(uint64_t n)
{
	return n + (n + 1) / 2 + (n == 0);
}

/* Orders keys: space first, then code. */
static inline int idmap_entry_key_cmp(uint8_t s1, uint64_t c1, uint8_t s2, uint64_t c2)
{
	if (s1 != s2)
		return s1 < s2 ? -1 : 1;
	return c1 < c2 ? -1 : c1 > c2;
}

#endif
