/* libidmap, index layer: opens one memory-mapped index file and answers lookups on it.
 *
 * Usage: idmap_open() an index, find an accession slot (idmap_acc_find) or a key slot
 * (idmap_key_find), walk its pairs with a forward or reverse iterator, idmap_close().
 * idmap_map.h builds UniProt's ID mapping on top of it; idmap.h includes both.
 *
 * Conventions of the whole API (this header and idmap_map.h):
 * - Every function returning int returns an idmap_status: IDMAP_OK (0) or another code.
 *   A form, a truth value or a count has its own type (an enum, bool, size_t, uint64_t) or
 *   is stored through an out parameter, so it can never be taken for a status.
 * - A callback returns 0 to go on or non-zero to stop; the call that drives it then returns
 *   IDMAP_STOPPED, never the callback's value: a callback keeps its reason in its context.
 * - The library never prints and never exits. After IDMAP_ERR_IO, errno holds the cause.
 * - Every pointer returned by the library points into the index (the map or its small
 *   in-memory tables): it is owned by the index, is never freed by the caller and stays valid
 *   until idmap_close(). Key values are the exception: the index stores them coded, so they
 *   are decoded into storage the caller owns (idmap_key_get's buffer, idmap_pair.value,
 *   idmap_result's buffers); they are NUL-terminated there, but may hold NUL bytes: use
 *   their length.
 * - An index is immutable once open: any number of threads may query one handle at once.
 * - A damaged or hostile index file never makes a call crash: reads are bound-checked and
 *   inconsistencies are reported as IDMAP_ERR_CORRUPT.
 */
#ifndef IDMAP_INDEX_H
#define IDMAP_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idmap_version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define IDMAP_API __attribute__((visibility("default")))
#else
#define IDMAP_API
#endif

/* Status codes. The values are pinned: they never change between versions. */
typedef enum idmap_status {
	IDMAP_OK = 0,
	IDMAP_ERR_IO = 1,	 /* open/stat/mmap failed; errno holds the cause */
	IDMAP_ERR_NOT_INDEX = 2, /* not an idmap index (too small, bad magic) */
	IDMAP_ERR_VERSION = 3,	 /* an index (or saved job) of an unsupported format version */
	IDMAP_ERR_CORRUPT = 4,	 /* checksum, bounds or structure damaged */
	IDMAP_ERR_NOMEM = 5,	 /* out of memory */
	IDMAP_ERR_NOT_FOUND = 6, /* no such accession, key or type (not a failure) */
	IDMAP_ERR_INVALID = 7,	 /* bad argument (NULL, slot or type id out of range) */
	IDMAP_DONE = 8,		 /* an iterator has no more items (not a failure) */
	IDMAP_ERR_STALE = 9,	 /* a saved job blob was written on another index file */
	IDMAP_STOPPED = 10,	 /* the caller's callback returned non-zero (not a failure of
				  * the library; the callback keeps its reason) */
	/* 20-29: a mapping request refused (idmap_map.h; CLI exit 2) */
	IDMAP_ERR_BAD_FROM = 20,    /* 'from' names no source database (or is missing) */
	IDMAP_ERR_BAD_TO = 21,	    /* 'to' names no target database */
	IDMAP_ERR_BAD_PAIR = 22,    /* the from/to combination is outside UniProt's rules */
	IDMAP_ERR_ONE_TO_MANY = 23, /* a one-to-many source, refused unless allowed */
	IDMAP_ERR_BAD_OPTION = 24,  /* a bad via, taxon, field list or output format */
} idmap_status;

/* Room for any accession text with its NUL: 10 characters, '-', 4 digits. */
#define IDMAP_ACC_TEXT_SIZE 16
/* Room for any key value with its NUL: a value has 1 to 1024 bytes (FORMAT.md, Limits). */
#define IDMAP_VALUE_SIZE 1025
/* The "no filter" value of idmap_fwd_begin's type argument. */
#define IDMAP_TYPE_ANY UINT32_MAX

/* An open index. Opaque. */
typedef struct idmap_index idmap_index;

/* Returns a static English description of a status code (never NULL; unknown codes give
 * "unknown error"). */
IDMAP_API const char *idmap_strerror(int status);

/* The version of the library loaded, "MAJOR.MINOR.PATCH" (static): compare it with the
 * IDMAP_VERSION_* macros of idmap_version.h that a program was compiled with. */
IDMAP_API const char *idmap_version(void);

/* ---- Opening ------------------------------------------------------------------------------ */

/* Opens and maps the index at path and validates its header, section table and small
 * sections (O(1) in the size of the index; no loading pass). On success stores a new handle in
 * *out and returns IDMAP_OK; on failure stores NULL in *out and returns IDMAP_ERR_IO (errno
 * set), IDMAP_ERR_NOT_INDEX, IDMAP_ERR_VERSION, IDMAP_ERR_CORRUPT, IDMAP_ERR_NOMEM, or
 * IDMAP_ERR_INVALID for NULL arguments. */
IDMAP_API int idmap_open(const char *path, idmap_index **out);

/* idmap_open() that also says why it failed, as idmap_verify() does: on failure a one-line
 * reason is written into detail (NUL-terminated, truncated to len; detail may be NULL when
 * len is 0), naming the damaged part first: "header: CRC mismatch", "header: index format
 * version 2 is not supported by this idmap (version 3): rebuild the index with `idmap
 * build`", "section table: KEY_POOL (offset 4096, length 99999) lies outside the file or is
 * misaligned", "TYPES: CRC mismatch"; after IDMAP_ERR_IO, the text of errno ("No such file
 * or directory"). On success detail is "". Same returns as idmap_open, which is
 * idmap_open_detail(path, out, NULL, 0); IDMAP_ERR_INVALID also when detail is NULL and len
 * is not 0. Thread-safe: the text goes only to the caller's buffer. */
IDMAP_API int idmap_open_detail(const char *path, idmap_index **out, char *detail, size_t len);

/* Unmaps and frees the index. Every pointer obtained from it becomes invalid. NULL is a no-op. */
IDMAP_API void idmap_close(idmap_index *ix);

/* Recomputes the CRC of every section and walks every structural invariant of the index
 * (offset tables monotone, in bounds and with consistent block bases, MPHF tables consistent
 * and placing every stored key at its own slot, every record decoding inside its bounds, the
 * per-type counts of TYPES, the forward pairs equal to the reverse postings). O(size of the
 * index), reading each section front to back: the CRCs first, then the records in slot order;
 * an index larger than RAM is streamed, not read at random. Forward and reverse pairs are
 * compared by per-type counts and order-free fingerprints (sums of a 64-bit hash of every
 * (accession, key) pair), which miss a damage with a chance of about 2^-64. Returns IDMAP_OK,
 * or IDMAP_ERR_CORRUPT with a one-line description naming the bad section written into
 * detail (NUL-terminated, truncated to len; detail may be NULL when len is 0), or
 * IDMAP_ERR_NOMEM. While it runs, the map is advised for sequential reading (madvise); the
 * random-access advice of idmap_open is restored before it returns. */
IDMAP_API int idmap_verify(const idmap_index *ix, char *detail, size_t len);

/* Flags of idmap_verify_flags(). */
#define IDMAP_VERIFY_FULL 1u /* also look up the key record of every forward pair and check its
			      * type exactly: one random access per pair, slow when the index
			      * does not fit in RAM */

/* idmap_verify() with flags (0 or IDMAP_VERIFY_FULL; other bits: IDMAP_ERR_INVALID).
 * idmap_verify(ix, detail, len) is idmap_verify_flags(ix, 0, detail, len). */
IDMAP_API int idmap_verify_flags(const idmap_index *ix, unsigned flags, char *detail,
				 size_t len);

/* ---- Metadata ----------------------------------------------------------------------------- */

/* Number of accessions (isoforms included) and of distinct (type, value) keys. */
IDMAP_API uint64_t idmap_acc_count(const idmap_index *ix);
IDMAP_API uint64_t idmap_key_count(const idmap_index *ix);

/* Number of UniParc UPIs among the idmap_acc_count() accession slots (META upis; 0 for an
 * index without UniParc cross-references). UniProtKB accessions are the difference. */
IDMAP_API uint64_t idmap_upi_count(const idmap_index *ix);

/* One line of the META section: key and value point into the index, not NUL-terminated.
 * The value of an "input" line itself holds TABs (name, kind, bytes, lines). */
typedef struct {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
} idmap_meta_line;

/* Iterates the META lines in file order. Set *cursor to 0 before the first call. Returns
 * IDMAP_OK with the next line in *line, IDMAP_DONE after the last one, or IDMAP_ERR_CORRUPT
 * for a line without a TAB or a final newline. */
IDMAP_API int idmap_meta_next(const idmap_index *ix, size_t *cursor, idmap_meta_line *line);

/* Finds the first META line whose key is key (NUL-terminated). Returns IDMAP_OK with the
 * value in *value / *len (pointing into the index), or IDMAP_ERR_NOT_FOUND. */
IDMAP_API int idmap_meta_find(const idmap_index *ix, const char *key, const char **value,
			      size_t *len);

/* One ID_type of the TYPES dictionary. name is NUL-terminated and owned by the index. */
typedef struct {
	const char *name;
	size_t name_len;
	uint64_t pairs; /* (accession, type, value) triples of this type */
	uint64_t keys;	/* distinct values of this type */
} idmap_type_info;

/* Number of types; type ids are 0 .. count-1. */
IDMAP_API uint32_t idmap_type_count(const idmap_index *ix);

/* Fills *info for type id. Returns IDMAP_OK, or IDMAP_ERR_INVALID when id >= count. */
IDMAP_API int idmap_type_get(const idmap_index *ix, uint32_t id, idmap_type_info *info);

/* Finds a type by its exact name (NUL-terminated). Returns IDMAP_OK with *id, or
 * IDMAP_ERR_NOT_FOUND. Internal names starting with '#' are found too. */
IDMAP_API int idmap_type_find(const idmap_index *ix, const char *name, uint32_t *id);

/* As idmap_type_find, but ASCII case-insensitive; the lowest matching id wins. */
IDMAP_API int idmap_type_find_ci(const idmap_index *ix, const char *name, uint32_t *id);

/* One entry of the section table. name is a static string for the sections this version
 * knows, NULL for others. */
typedef struct {
	uint32_t id;
	const char *name;
	uint64_t offset;
	uint64_t length;
	uint32_t crc;
} idmap_section_info;

/* Number of entries of the section table; entries are 0 .. count-1 in file order. */
IDMAP_API uint32_t idmap_section_count(const idmap_index *ix);

/* Fills *info for table entry i. Returns IDMAP_OK, or IDMAP_ERR_INVALID when i >= count. */
IDMAP_API int idmap_section_get(const idmap_index *ix, uint32_t i, idmap_section_info *info);

/* The static name of a section id ("META", ...), or NULL for an id this version does not
 * know. */
IDMAP_API const char *idmap_section_name(uint32_t id);

/* ---- Accessions --------------------------------------------------------------------------- */

/* Finds the slot of the accession text[0, len) (ASCII case-insensitive, with an optional
 * isoform suffix "-N"). Returns IDMAP_OK with *slot, IDMAP_ERR_NOT_FOUND when the text is not
 * an accession or not in the index, IDMAP_ERR_INVALID for NULL arguments. */
IDMAP_API int idmap_acc_find(const idmap_index *ix, const char *text, size_t len,
			     uint64_t *slot);

/* The encoded accession (see FORMAT.md) at slot. Returns IDMAP_OK with *code,
 * IDMAP_ERR_INVALID when slot >= idmap_acc_count(), or IDMAP_ERR_CORRUPT. Codes sort like
 * accessions, an accession just before its isoforms. */
IDMAP_API int idmap_acc_code(const idmap_index *ix, uint64_t slot, uint64_t *code);

/* Writes the accession text of slot into out (NUL-terminated) and its length into *len (len
 * may be NULL). Returns IDMAP_OK, IDMAP_ERR_INVALID, or IDMAP_ERR_CORRUPT for a stored code
 * that is not an accession. */
IDMAP_API int idmap_acc_text(const idmap_index *ix, uint64_t slot,
			     char out[IDMAP_ACC_TEXT_SIZE], size_t *len);

/* ---- Keys --------------------------------------------------------------------------------- */

/* Finds the slot of the key (type_id, value[0, len)), value compared bytewise. Returns
 * IDMAP_OK with *slot, IDMAP_ERR_NOT_FOUND (also for a type id out of range or an empty
 * value), IDMAP_ERR_INVALID for NULL arguments, or IDMAP_ERR_CORRUPT. */
IDMAP_API int idmap_key_find(const idmap_index *ix, uint32_t type_id, const void *value,
			     size_t len, uint64_t *slot);

/* Reads the key at slot: its type id, and its value decoded into the caller's value buffer
 * (NUL-terminated) with its length in *len. Any out argument may be NULL (the value is then
 * not decoded). Returns IDMAP_OK, IDMAP_ERR_INVALID (slot out of range), or
 * IDMAP_ERR_CORRUPT. */
IDMAP_API int idmap_key_get(const idmap_index *ix, uint64_t slot, uint32_t *type_id,
			    char value[IDMAP_VALUE_SIZE], size_t *len);

/* The bytes of every type's values (FORMAT.md, "Value coding"): text[t] as text and stored[t]
 * as coded in KEY_POOL (heads included), for each type id t; both arrays hold
 * idmap_type_count() entries and are overwritten. Reads every key record. Returns IDMAP_OK,
 * IDMAP_ERR_INVALID (NULL arguments) or IDMAP_ERR_CORRUPT. */
IDMAP_API int idmap_value_bytes(const idmap_index *ix, uint64_t *text, uint64_t *stored);

/* ---- Forward: accession -> pairs ---------------------------------------------------------- */

/* One forward pair: a type and a value of the accession. The value is decoded into the
 * pair's own buffer (value[len] is NUL): it lives as long as the pair, and the next pair
 * written into the same struct replaces it. Copy what must outlive that. */
typedef struct {
	uint32_t type_id;
	size_t len;
	uint64_t key_slot;
	char value[IDMAP_VALUE_SIZE];
} idmap_pair;

/* Forward iterator, kept by the caller (on the stack is fine). All fields are private. */
typedef struct {
	const idmap_index *ix;
	const uint8_t *p, *end;
	uint64_t groups_left, in_group, slot, group_type;
	uint32_t want_type;
	int started;
} idmap_fwd_iter;

/* Starts iterating the pairs of accession slot acc_slot, all types (type_id ==
 * IDMAP_TYPE_ANY) or only type_id. Pairs come grouped by increasing type id, values of one
 * type in key-slot order. Returns IDMAP_OK, IDMAP_ERR_INVALID (slot out of range), or
 * IDMAP_ERR_CORRUPT. */
IDMAP_API int idmap_fwd_begin(const idmap_index *ix, uint64_t acc_slot, uint32_t type_id,
			      idmap_fwd_iter *it);

/* Yields the next pair into *pair. Returns IDMAP_OK, IDMAP_DONE at the end, or
 * IDMAP_ERR_CORRUPT (the iterator then stays at its end). */
IDMAP_API int idmap_fwd_next(idmap_fwd_iter *it, idmap_pair *pair);

/* ---- Reverse: key -> accessions ----------------------------------------------------------- */

/* Reverse iterator, kept by the caller. All fields are private except through the calls. */
typedef struct {
	const idmap_index *ix;
	const uint8_t *p, *end;
	uint64_t left, slot;
	int started;
} idmap_rev_iter;

/* Starts iterating the accession slots of key slot key_slot, in increasing slot order, and
 * stores their number in *count (count may be NULL). Returns IDMAP_OK, IDMAP_ERR_INVALID,
 * or IDMAP_ERR_CORRUPT. */
IDMAP_API int idmap_rev_begin(const idmap_index *ix, uint64_t key_slot, idmap_rev_iter *it,
			      uint64_t *count);

/* Yields the next accession slot into *acc_slot. Returns IDMAP_OK, IDMAP_DONE at the end,
 * or IDMAP_ERR_CORRUPT. */
IDMAP_API int idmap_rev_next(idmap_rev_iter *it, uint64_t *acc_slot);

/* ---- Batched lookups ---------------------------------------------------------------------- */

/* The "not found" slot of the batched calls. */
#define IDMAP_NO_SLOT UINT64_MAX

/* Finds the slots of n accession texts (as idmap_acc_find: case-insensitive, isoforms too):
 * slots[i] is the slot of texts[i][0, lens[i]) or IDMAP_NO_SLOT. The lookups of a group of ids
 * overlap their memory accesses: several times faster than n single calls on a large index.
 * Returns IDMAP_OK, or IDMAP_ERR_INVALID for NULL arrays (a NULL text is just not found). */
IDMAP_API int idmap_acc_find_batch(const idmap_index *ix, const char *const *texts,
				   const size_t *lens, size_t n, uint64_t *slots);

/* Finds the slots of n values of one type (as idmap_key_find): slots[i] or IDMAP_NO_SLOT. */
IDMAP_API int idmap_key_find_batch(const idmap_index *ix, uint32_t type_id,
				   const char *const *values, const size_t *lens, size_t n,
				   uint64_t *slots);

/* Starts loading the forward record of acc_slot into the cache; call it for a group of slots
 * before iterating them. Does nothing for an invalid slot. */
IDMAP_API void idmap_fwd_prefetch(const idmap_index *ix, uint64_t acc_slot);

/* Receives pair of slots[i] from idmap_fwd_batch; returns 0 to go on, non-zero to stop
 * (idmap_fwd_batch then returns IDMAP_STOPPED). pair (and its value) is valid only during
 * the call. */
typedef int (*idmap_pair_fn)(void *ctx, size_t i, const idmap_pair *pair);

/* The pairs of n accession slots (type_id or IDMAP_TYPE_ANY), as idmap_fwd_begin/next would
 * give them, slot by slot in order; IDMAP_NO_SLOT entries are skipped. The forward records,
 * then the key records of a group of slots are fetched together, so their cache misses
 * overlap. Returns IDMAP_OK, IDMAP_ERR_INVALID (a slot out of range, NULL arguments),
 * IDMAP_ERR_CORRUPT, IDMAP_ERR_NOMEM, or IDMAP_STOPPED when fn returned non-zero. */
IDMAP_API int idmap_fwd_batch(const idmap_index *ix, const uint64_t *slots, size_t n,
			      uint32_t type_id, idmap_pair_fn fn, void *ctx);

/* Receives output bytes; returns 0 to go on, non-zero to stop (the call writing then
 * returns IDMAP_STOPPED; the function keeps its reason, e.g. errno, in ctx). */
typedef int (*idmap_write_fn)(void *ctx, const void *p, size_t n);

/* ---- Entries: FASTA records of UniProtKB, UniRef and UniParc --------------------------------
 * An index built with FASTA inputs also holds their records (FORMAT.md, "Entry store"):
 * one record per accession, isoform, UniRef cluster and UPI, found by its id in O(1) (a hash
 * table) and read with one block inflate. An index without FASTA input has no entries (every
 * call below then answers IDMAP_ERR_NOT_FOUND). */

/* Where a record came from. Values pinned. */
typedef enum idmap_entry_kind {
	IDMAP_ENTRY_SWISSPROT = 1, /* uniprot_sprot.fasta */
	IDMAP_ENTRY_TREMBL = 2,	   /* uniprot_trembl.fasta */
	IDMAP_ENTRY_ISOFORM = 3,   /* uniprot_sprot_varsplic.fasta (accession X-N) */
	IDMAP_ENTRY_UNIREF100 = 4,
	IDMAP_ENTRY_UNIREF90 = 5,
	IDMAP_ENTRY_UNIREF50 = 6,
	IDMAP_ENTRY_UNIPARC = 7, /* uniparc_active.fasta */
	IDMAP_ENTRY_KIND_COUNT = 7,
} idmap_entry_kind;

/* "Swiss-Prot", "TrEMBL", "isoform", "UniRef100", "UniRef90", "UniRef50", "UniParc"; NULL
 * for other values. */
IDMAP_API const char *idmap_entry_kind_name(int kind);

/* The store as a whole. */
typedef struct {
	uint64_t records;		       /* entry records */
	uint64_t kinds[IDMAP_ENTRY_KIND_COUNT]; /* records per kind, [kind - 1] */
	uint64_t blocks;		       /* compressed blocks */
	uint32_t block_size;		       /* target uncompressed size of a block */
	uint64_t text_bytes;		       /* uncompressed bytes of every block */
	uint64_t store_bytes;		       /* bytes of the store's sections in the file */
} idmap_entry_stats;

/* Fills st. Returns IDMAP_OK, IDMAP_ERR_NOT_FOUND (no store), IDMAP_ERR_INVALID. */
IDMAP_API int idmap_entry_stats_get(const idmap_index *ix, idmap_entry_stats *st);

/* One record, as found. */
typedef struct {
	uint64_t record; /* its position in the store (for the calls below) */
	char id[32];	 /* "P31946", "P31946-2", "UniRef90_P31946", "UPI0000000001", NUL-ended */
	int kind;	 /* idmap_entry_kind */
	int reviewed;	 /* 1 for Swiss-Prot records and isoforms */
	int fragment;	 /* the protein name says "(Fragment)" */
	int pe, sv;	 /* protein existence 1-5 and sequence version; 0 when the header has none */
	uint32_t taxid;	 /* OX= / TaxID=, 0 when absent */
	uint32_t members; /* UniRef n=, else 0 */
	uint32_t length; /* residues */
} idmap_entry;

/* Finds the record of an entry id: an accession (isoform "X-N" too; "X-1" gives the entry X
 * when there is no record "X-1", as UniProt's canonical isoform is the entry's own
 * sequence), a UniRef id ("UniRef90_P31946") or a UPI; case-insensitive. Returns IDMAP_OK,
 * IDMAP_ERR_NOT_FOUND (no such record, or no store), IDMAP_ERR_INVALID (not an entry id,
 * NULL arguments), IDMAP_ERR_CORRUPT. */
IDMAP_API int idmap_entry_find(const idmap_index *ix, const char *id, size_t len, idmap_entry *e);

/* Record i of the store (0 .. records - 1, in key order). Returns IDMAP_OK,
 * IDMAP_ERR_NOT_FOUND (i past the last, or no store), IDMAP_ERR_INVALID, IDMAP_ERR_CORRUPT. */
IDMAP_API int idmap_entry_get(const idmap_index *ix, uint64_t i, idmap_entry *e);

/* The isoform record that follows e (a UniProtKB record) in accession order: "X-2" after "X"
 * or "X-1", "X-3" after "X-2", and so on. Returns IDMAP_OK, IDMAP_DONE after the last one,
 * IDMAP_ERR_INVALID, IDMAP_ERR_CORRUPT. */
IDMAP_API int idmap_entry_next_isoform(const idmap_index *ix, const idmap_entry *e,
				       idmap_entry *next);

/* Writes e's record as UniProt writes it: ">" header, the residues 60 a line. With start > 0,
 * only residues start .. end (1-based, inclusive) under the header ">sp|ACC|start-end"
 * (UniProtKB records only, as UniProt's subsequence download). Returns IDMAP_OK,
 * IDMAP_ERR_INVALID (a range outside 1 .. length or reversed, or on a UniRef / UniParc
 * record: never clipped), IDMAP_ERR_CORRUPT (the block fails its CRC or bounds),
 * IDMAP_ERR_NOMEM, or IDMAP_STOPPED when write returned non-zero. */
IDMAP_API int idmap_entry_fasta(const idmap_index *ix, const idmap_entry *e, uint32_t start,
				uint32_t end, idmap_write_fn write, void *ctx);

/* A block cache for idmap_entry_fasta_cached: a decompressor and the last inflated block, so
 * that records of one block read one after another inflate it once. One thread uses a cache
 * at a time; give each thread its own. idmap_entry_fasta uses the calling thread's own. */
typedef struct idmap_entry_cache idmap_entry_cache;
IDMAP_API idmap_entry_cache *idmap_entry_cache_new(void); /* NULL when out of memory */
IDMAP_API void idmap_entry_cache_free(idmap_entry_cache *c);
/* Blocks served from the cache and inflated through it so far. */
IDMAP_API void idmap_entry_cache_counts(const idmap_entry_cache *c, uint64_t *hits,
					uint64_t *misses);
/* The number of the block that holds e's record: records read in block order share
 * inflates. Returns IDMAP_OK or IDMAP_ERR_INVALID. */
IDMAP_API int idmap_entry_block_of(const idmap_index *ix, const idmap_entry *e,
				   uint64_t *block);
/* idmap_entry_fasta through cache c (same returns). */
IDMAP_API int idmap_entry_fasta_cached(const idmap_index *ix, idmap_entry_cache *c,
				       const idmap_entry *e, uint32_t start, uint32_t end,
				       idmap_write_fn write, void *ctx);

/* One record for idmap_entry_fasta_items. */
typedef struct {
	idmap_entry e;	     /* as found */
	uint32_t start, end; /* a range as idmap_entry_fasta's; 0, 0: the whole record */
	int isoforms;	     /* a UniProtKB entry without range: its isoform records after it */
	int status;	     /* out: IDMAP_OK, or why nothing was written for it (IDMAP_ERR_INVALID:
			      * a range outside the sequence) */
} idmap_entry_item;
/* Writes the records of items[0, n) in that order, reading them in the order of their blocks
 * (each block inflated once, not once per record; the output is buffered meanwhile: bound n
 * or the items' lengths). Each record's bytes reach write in one call. Returns IDMAP_OK (an
 * item whose range is invalid writes nothing, its status says so), or the status of the
 * first item that failed otherwise (index damage, memory; nothing is written from it on),
 * IDMAP_ERR_INVALID (NULL arguments), IDMAP_STOPPED (write returned non-zero). */
IDMAP_API int idmap_entry_fasta_items(const idmap_index *ix, idmap_entry_item *items, size_t n,
				      idmap_write_fn write, void *ctx);

/* Whether an id's text ends in a range "[start-end]" ("P00750[39-81]"): true with *start and
 * *end (not checked against a sequence). */
IDMAP_API bool idmap_entry_range(const char *text, size_t len, uint32_t *start, uint32_t *end);

#ifdef __cplusplus
}
#endif

#endif
