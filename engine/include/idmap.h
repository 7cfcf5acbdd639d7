/* libidmap: answers UniProt ID mapping lookups from one memory-mapped index file.
 *
 * Usage: idmap_open() an index, find an accession slot (idmap_acc_find) or a key slot
 * (idmap_key_find), walk its pairs with a forward or reverse iterator, idmap_close().
 *
 * Conventions of the whole API:
 * - Functions returning int return an idmap_status: IDMAP_OK (0) or an error code.
 * - The library never prints and never exits. After IDMAP_ERR_IO, errno holds the cause.
 * - Every pointer returned by the library points into the index (the map or its small
 *   in-memory tables): it is owned by the index, is never freed by the caller and stays valid
 *   until idmap_close(). Value bytes are NOT NUL-terminated; use their length.
 * - An index is immutable once open: any number of threads may query one handle at once.
 * - A damaged or hostile index file never makes a call crash: reads are bound-checked and
 *   inconsistencies are reported as IDMAP_ERR_CORRUPT.
 */
#ifndef IDMAP_H
#define IDMAP_H

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
	/* 20-29: a mapping request refused (UniProt semantics section below; CLI exit 2) */
	IDMAP_ERR_BAD_FROM = 20,    /* 'from' names no source database (or is missing) */
	IDMAP_ERR_BAD_TO = 21,	    /* 'to' names no target database */
	IDMAP_ERR_BAD_PAIR = 22,    /* the from/to combination is outside UniProt's rules */
	IDMAP_ERR_ONE_TO_MANY = 23, /* a one-to-many source, refused unless allowed */
	IDMAP_ERR_BAD_OPTION = 24,  /* a bad via, taxon, field list or output format */
} idmap_status;

/* Room for any accession text with its NUL: 10 characters, '-', 4 digits. */
#define IDMAP_ACC_TEXT_SIZE 16
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
 * version 1 is not supported by this idmap (version 2): rebuild the index with `idmap
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

/* Reads the key at slot: its type id and value bytes (pointing into the map). Any out
 * argument may be NULL. Returns IDMAP_OK, IDMAP_ERR_INVALID (slot out of range), or
 * IDMAP_ERR_CORRUPT. */
IDMAP_API int idmap_key_get(const idmap_index *ix, uint64_t slot, uint32_t *type_id,
			    const char **value, size_t *len);

/* ---- Forward: accession -> pairs ---------------------------------------------------------- */

/* One forward pair: a type and a value of the accession. value points into the map, is not
 * NUL-terminated and stays valid until idmap_close(). */
typedef struct {
	uint32_t type_id;
	const char *value;
	size_t len;
	uint64_t key_slot;
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

/* ==== UniProt ID mapping semantics (issue 3) ================================================
 * UniProt's database names and rules (catalogue), the identifier forms it accepts, mapping
 * jobs (ids in; results, failed, obsolete and suggested ids, warnings out) and renderers of
 * UniProt's output shapes. The CLI's `idmap map` / `idmap databases` and the REST server are
 * thin layers over these calls. */

/* ---- Identifier forms (no index needed) --------------------------------------------------- */

/* What a UniProtKB_AC-ID / UniParc / UniRef input is. Values pinned. */
typedef enum idmap_form {
	IDMAP_FORM_INVALID = 0,
	IDMAP_FORM_ACCESSION = 1,  /* P00750, A0A023GPI8 */
	IDMAP_FORM_ISOFORM = 2,	   /* P00750-2 */
	IDMAP_FORM_VERSION = 3,	   /* P00750.2: looked up as P00750, `from` is P00750 */
	IDMAP_FORM_RANGE = 4,	   /* P00750[39-81]: looked up as P00750, `from` kept */
	IDMAP_FORM_ENTRY_NAME = 5, /* A4_HUMAN (a Swiss-Prot mnemonic, or any name) */
	IDMAP_FORM_TREMBL_NAME = 6, /* A0A024R161_HUMAN: <accession>_<species> */
	IDMAP_FORM_UNIPARC = 7,	   /* UPI0000000001 */
	IDMAP_FORM_UNIREF = 8,	   /* UniRef90_P00750, UniRef50_UPI0000000001 */
} idmap_form;

#define IDMAP_ID_TEXT_SIZE 64 /* room for any normalised identifier with its NUL */

/* A parsed identifier. norm is the normalised lookup text (upper case; the accession for
 * versions and ranges; "UniRef90_" + upper-cased member for UniRef), NUL-terminated. */
typedef struct {
	int form;	     /* idmap_form */
	char norm[IDMAP_ID_TEXT_SIZE];
	size_t norm_len;
	size_t from_off;     /* `from` is text[from_off, from_off + from_len): surrounding */
	size_t from_len;     /* white space trimmed, a version dropped */
	uint64_t code;	     /* accession code (FORMAT.md) of accession forms and TrEMBL names */
	int uniref_level;    /* 50, 90 or 100 for IDMAP_FORM_UNIREF */
	const char *reason;  /* static text for IDMAP_FORM_INVALID */
} idmap_idform;

/* Parses text[0, len) (surrounding white space ignored) as a UniProtKB_AC-ID input: accession,
 * isoform, version, range, Swiss-Prot or TrEMBL entry name, any case. Returns the form (also
 * in f->form); IDMAP_FORM_INVALID with f->reason for anything else. Never fails otherwise. */
IDMAP_API int idmap_parse_uniprot_id(const char *text, size_t len, idmap_idform *f);

/* Parses a UniParc id (UPI + 10 hex digits, any case): IDMAP_FORM_UNIPARC or INVALID. */
IDMAP_API int idmap_parse_uniparc_id(const char *text, size_t len, idmap_idform *f);

/* Parses a UniRef cluster id of level (50, 90, 100; 0 = any level): "UniRef<level>_" in any
 * case, then a UniProtKB accession (isoform allowed) or UniParc id. IDMAP_FORM_UNIREF or
 * INVALID (also for another level than asked). */
IDMAP_API int idmap_parse_uniref_id(const char *text, size_t len, int level, idmap_idform *f);

/* When text[0, len) is a versioned value (FORMAT.md: `stem.N`, N of 1-4 digits, stem matching
 * [A-Za-z][A-Za-z0-9_]*[0-9]), returns 1 and the stem's length in *stem_len; else 0. */
IDMAP_API int idmap_value_versioned(const char *text, size_t len, size_t *stem_len);

/* Splits input into ids as UniProt does: on white space and commas. Starting at *pos, finds
 * the next token, stores its offset and length and advances *pos. Returns 1, or 0 at the
 * end. */
IDMAP_API int idmap_next_id(const char *text, size_t len, size_t *pos, size_t *off,
			    size_t *tok_len);

/* ---- Database catalogue and rules ---------------------------------------------------------- */

/* A database of the catalogue: UniProt's REST names, plus every data ID_type of the index. */
typedef struct idmap_catalog idmap_catalog;

/* Flags of a catalogue entry. */
#define IDMAP_DB_FROM 1u	/* can be a source */
#define IDMAP_DB_TO 2u		/* can be a target */
#define IDMAP_DB_ONE_TO_MANY 4u /* one id stands for many entries (GO, InterPro, PubMed,
				 * NCBI_TaxID): refused as a source unless allowed */
#define IDMAP_DB_LOCAL 8u	/* offered by idmap only, not a UniProt REST database */
#define IDMAP_DB_PRESENT 16u	/* the index holds ids of it */

/* What a catalogue entry stands for. */
typedef enum idmap_db_kind {
	IDMAP_DB_KIND_TYPE = 0,	      /* an ID_type of the file (file_type) */
	IDMAP_DB_KIND_ACCESSION = 1,  /* UniProtKB_AC-ID: accessions and entry names (source) */
	IDMAP_DB_KIND_UNIPROTKB = 2,  /* UniProtKB (target) */
	IDMAP_DB_KIND_SWISSPROT = 3,  /* UniProtKB-Swiss-Prot (target, reviewed entries only) */
} idmap_db_kind;

/* One entry. Strings are static or owned by the catalogue (valid until it is freed). */
typedef struct {
	const char *name;      /* REST name: "EMBL-GenBank-DDBJ" */
	const char *display;   /* UniProt's displayName: "EMBL/GenBank/DDBJ" */
	const char *group;     /* UniProt's groupName: "Sequence databases" */
	const char *file_type; /* ID_type of idmapping.dat ("EMBL"); NULL for UniProtKB names */
	int kind;	       /* idmap_db_kind */
	unsigned flags;	       /* IDMAP_DB_* */
	int rule;	       /* rule id 1-8 as a source; 0 when not a source */
	uint32_t type_id;      /* type id in the index; IDMAP_TYPE_ANY when absent */
	uint64_t ids;	       /* distinct ids in the index (accessions for UniProtKB names,
				* UINT64_MAX when unknown: UniProtKB-Swiss-Prot) */
	const char *uri_link;  /* UniProt's uriLink, a link template with %id (or
				* %primaryAccession) in it; NULL when UniProt gives none */
} idmap_db_info;

/* Builds the catalogue of ix (ix may be NULL: the static UniProt catalogue alone, counts 0).
 * Returns IDMAP_OK with *out (free with idmap_catalog_free), IDMAP_ERR_NOMEM or
 * IDMAP_ERR_INVALID. O(number of types). */
IDMAP_API int idmap_catalog_open(const idmap_index *ix, idmap_catalog **out);
IDMAP_API void idmap_catalog_free(idmap_catalog *cat);

/* Number of entries; entries 0 .. count-1 are in UniProt's group order. */
IDMAP_API size_t idmap_catalog_count(const idmap_catalog *cat);
IDMAP_API int idmap_catalog_get(const idmap_catalog *cat, size_t i, idmap_db_info *info);

/* Finds a name, ASCII case-insensitive: REST names first, then file ID_types as aliases
 * (`EMBL` = EMBL-GenBank-DDBJ; `PharmGKB` = ClinPGx; `UniProtKB-ID` = UniProtKB_AC-ID as a
 * source, the entry names as a target, as every file type name gives its values). as_target
 * selects the role of such aliases. Returns IDMAP_OK with *i or
 * IDMAP_ERR_NOT_FOUND (also for '#' names). */
IDMAP_API int idmap_catalog_find(const idmap_catalog *cat, const char *name, int as_target,
				 size_t *i);

/* Up to max catalogue names closest to name (edit distance, case-insensitive; names of the
 * given role only). Returns how many were stored in out (static/catalogue-owned strings). */
IDMAP_API size_t idmap_catalog_suggest(const idmap_catalog *cat, const char *name,
				       int as_target, const char **out, size_t max);

/* 1 when UniProt's rules let entry from map to entry to (rules 1-8, docs/semantics.md), else 0.
 * One-to-many and idmap-only entries follow the rule of their own row. */
IDMAP_API int idmap_catalog_pair_allowed(const idmap_catalog *cat, size_t from, size_t to);

/* 1 when rule (1-8) has UniProt's taxon filter (rule 6), else 0. */
IDMAP_API int idmap_rule_taxon(int rule);

/* ---- Mapping requests and jobs ------------------------------------------------------------- */

/* A mapping request. Names as the user typed them (any case, aliases allowed). */
typedef struct {
	const char *from;	  /* required: 'from' is a required parameter */
	const char *to;		  /* NULL = UniProtKB */
	const char *via;	  /* NULL; or "UniProtKB": any source to any target through the
				   * accession, rows name the accession (beyond UniProt) */
	const uint64_t *taxa;	  /* NCBI taxon ids to keep (n_taxa == 0: no filter) */
	size_t n_taxa;
	int include_isoforms;	  /* accession inputs also stand for their isoforms X-N */
	int canonical;		  /* report canonical accessions instead of isoform ones */
	int allow_one_to_many;	  /* accept one-to-many sources (GO, PubMed, NCBI_TaxID, ...) */
} idmap_request;

/* Why a request was refused: message is UniProt's exact wording ("The combination of
 * 'from=X' and 'to=Y' parameters is invalid"); hint says what to do instead (may be ""). */
typedef struct {
	int status;
	char message[256];
	char hint[512];
} idmap_diag;

typedef struct idmap_job idmap_job;

/* Checks the request against the catalogue and rules and creates an empty job on ix (which
 * must outlive it). Returns IDMAP_OK with *out, or IDMAP_ERR_BAD_FROM / _BAD_TO / _BAD_PAIR /
 * _ONE_TO_MANY / _BAD_OPTION with the reason in *diag (diag may be NULL; _BAD_TO also for
 * UniProtKB-Swiss-Prot on an index without entry names, which cannot tell reviewed
 * entries), IDMAP_ERR_NOMEM,
 * IDMAP_ERR_INVALID (NULL arguments). */
IDMAP_API int idmap_job_new(const idmap_index *ix, const idmap_request *req, idmap_job **out,
			    idmap_diag *diag);
IDMAP_API void idmap_job_free(idmap_job *job);

/* The longest id looked up: an index value has at most 1024 bytes (FORMAT.md, Limits). */
#define IDMAP_ID_MAX_LEN 1024

/* Adds the ids of text[0, len), split on white space and commas (the text is copied).
 * Duplicates (same text) are kept once, in first-seen order, and counted. An id longer than
 * IDMAP_ID_MAX_LEN bytes is kept as its first IDMAP_ID_MAX_LEN + 1 bytes and fails as
 * IDMAP_ID_INVALID, "too long" (two such ids alike in those bytes are one). Returns IDMAP_OK,
 * IDMAP_ERR_NOMEM, or IDMAP_ERR_INVALID after idmap_job_run or beyond 2^32-1 ids/4 GiB. */
IDMAP_API int idmap_job_add_ids(idmap_job *job, const char *text, size_t len);
/* As idmap_job_add_ids, but split on line breaks and commas only: white space inside an id
 * stays part of it (UniProt's REST API splits `ids` on commas: "P1 P2" is one id, that
 * fails), white space around it is dropped. */
IDMAP_API int idmap_job_add_lines(idmap_job *job, const char *text, size_t len);

/* Lets idmap_job_run use up to threads threads (default 1: the calling thread alone); a
 * thread is started only for each 16384 ids. The results do not depend on it. Returns
 * IDMAP_OK, or IDMAP_ERR_INVALID (threads 0, or after idmap_job_run). */
IDMAP_API int idmap_job_set_threads(idmap_job *job, unsigned threads);

/* Maps every id. Bad ids never fail the job: they go to the failed list. Returns IDMAP_OK,
 * IDMAP_ERR_NOMEM or IDMAP_ERR_CORRUPT. Allocation is per job, not per id. */
IDMAP_API int idmap_job_run(idmap_job *job);

typedef struct {
	uint64_t inputs;      /* ids given, duplicates included */
	uint64_t distinct;    /* ids mapped once each */
	uint64_t duplicates;  /* inputs - distinct */
	uint64_t mapped;      /* distinct ids with at least one result */
	uint64_t failed;      /* distinct ids in the failed list */
	uint64_t secondary;   /* ids that were secondary accessions */
	uint64_t deleted;     /* ids that were deleted accessions */
	uint64_t obsolete;    /* secondary + deleted: obsolete inputs (a warning, not UniProt's
			       * obsoleteCount) */
	uint64_t results;     /* result rows */
	uint64_t suggested;   /* suggested rows */
	uint64_t max_fanout;  /* most result rows of one id */
	uint64_t max_fanout_id; /* that id (index for idmap_job_id) */
	uint64_t inactive;    /* result rows whose target is an inactive entry (a deleted
			       * accession mapped to UniProtKB): UniProt's obsoleteCount */
} idmap_job_stats;

IDMAP_API void idmap_job_get_stats(const idmap_job *job, idmap_job_stats *st);

/* The catalogue entries the job maps between (after alias resolution). */
IDMAP_API void idmap_job_dbs(const idmap_job *job, idmap_db_info *from, idmap_db_info *to);

/* Per-id outcome. Values pinned. */
typedef enum idmap_id_status {
	IDMAP_ID_MAPPED = 1,
	IDMAP_ID_INVALID = 2,	 /* not an identifier of the source's form */
	IDMAP_ID_NOT_FOUND = 3,	 /* well-formed, absent from the index */
	IDMAP_ID_NO_TARGET = 4,	 /* found, but its entries have no id of the target */
	IDMAP_ID_FILTERED = 5,	 /* found, but no entry of the requested taxa */
	IDMAP_ID_UNREVIEWED = 6, /* found, but only unreviewed entries (to Swiss-Prot) */
	IDMAP_ID_DELETED = 7,	 /* a deleted accession: obsolete, not failed */
	IDMAP_ID_REVIEW_UNKNOWN = 8, /* to Swiss-Prot: found, but the index has no entry name
				      * for its entries, so their review status is unknown */
} idmap_id_status;

/* Obsolete kinds. */
#define IDMAP_OBSOLETE_SECONDARY 1
#define IDMAP_OBSOLETE_DELETED 2

/* The list a deleted accession comes from (idmap_id_info.deleted_from). */
#define IDMAP_DELETED_UNKNOWN 0	  /* a delac file that does not say, or an older index */
#define IDMAP_DELETED_SWISSPROT 1 /* delac_sp.txt: deleted from UniProtKB/Swiss-Prot */
#define IDMAP_DELETED_TREMBL 2	  /* delac_tr.txt: deleted from UniProtKB/TrEMBL */

/* One distinct input id. text points into the job. */
typedef struct {
	const char *text;
	size_t len;
	size_t from_len;   /* prefix of text reported as `from` */
	int status;	   /* idmap_id_status */
	int obsolete;	   /* 0, IDMAP_OBSOLETE_SECONDARY or IDMAP_OBSOLETE_DELETED */
	int deleted_from;  /* a deleted id: IDMAP_DELETED_UNKNOWN, _SWISSPROT or _TREMBL */
	const char *reason; /* static English reason for failed statuses; NULL when mapped */
	uint64_t rows;	   /* result rows of this id */
} idmap_id_info;

/* Id i (0 .. distinct-1, first-seen order). Returns IDMAP_OK or IDMAP_ERR_INVALID. */
IDMAP_API int idmap_job_id(const idmap_job *job, uint64_t i, idmap_id_info *info);

/* 1 when an id of this status is in the failed list (failedIds), else 0. As UniProt's
 * PIRResponseConverter, an id is either failed or has suggested pairs, never both: ids with
 * only unreviewed entries (to UniProtKB-Swiss-Prot) are suggested, not failed; deleted
 * accessions are obsolete, not failed. */
IDMAP_API int idmap_id_failed(int status);

/* The static English fate of a deleted id from list deleted_from (IDMAP_DELETED_*):
 * "deleted", "deleted from Swiss-Prot" or "deleted from TrEMBL". */
IDMAP_API const char *idmap_deleted_text(int deleted_from);

/* The static English text of an idmap_id_status. */
IDMAP_API const char *idmap_id_status_text(int status);

/* Primary accession k (0-based) of secondary id i, written as text into out. Returns
 * IDMAP_OK, IDMAP_DONE after the last, IDMAP_ERR_INVALID when id i is not secondary. */
IDMAP_API int idmap_job_primary(const idmap_job *job, uint64_t i, uint64_t k,
				char out[IDMAP_ACC_TEXT_SIZE]);

/* One result (or suggested) row. Strings point into the index, the job or r's buffers; they
 * are valid until the next call with the same r, or idmap_job_free. */
typedef struct {
	uint64_t id;	      /* the input id (idmap_job_id) */
	const char *from;
	size_t from_len;
	const char *to;
	size_t to_len;
	const char *via;      /* the accession of a --via job, else NULL */
	size_t via_len;
	uint64_t acc_slot;    /* the UniProtKB entry of the row: to (UniProtKB targets) or via;
			       * UINT64_MAX when the row has none */
	int inactive;	      /* to is an inactive entry: a deleted accession (UniProt's entryType
			       * "Inactive", inactiveReason DELETED), 1 + its IDMAP_DELETED_*
			       * list; 0 for others. acc_slot is UINT64_MAX */
	char to_buf[IDMAP_ACC_TEXT_SIZE], via_buf[IDMAP_ACC_TEXT_SIZE];
} idmap_result;

/* Result row i (0 .. results-1): ids in first-seen order, targets sorted. */
IDMAP_API int idmap_job_result(const idmap_job *job, uint64_t i, idmap_result *r);
/* Suggested row i (0 .. suggested-1): for target UniProtKB-Swiss-Prot, the unreviewed
 * entries of ids that have no reviewed one. */
IDMAP_API int idmap_job_suggested(const idmap_job *job, uint64_t i, idmap_result *r);

/* Warning i of the job: a code (UniProt style) and a static-lifetime message. Returns
 * IDMAP_OK or IDMAP_DONE past the last one. Codes: 60 gene names without a taxon span
 * several taxa; 61 one-to-many source: largest fan-out; 62 obsolete (secondary or deleted)
 * accessions among the ids; 63 to Swiss-Prot: entries without an entry name in the index
 * (review status unknown) were left out. */
IDMAP_API int idmap_job_warning(const idmap_job *job, size_t i, int *code, const char **msg);

/* ---- Output: tsv, list, json, --fields ----------------------------------------------------- */

typedef enum idmap_out_format {
	IDMAP_OUT_TSV = 0,  /* From<TAB>To (+ Via, + Obsolete when present) */
	IDMAP_OUT_LIST = 1, /* distinct target ids, one per line */
	IDMAP_OUT_JSON = 2, /* UniProt's results object */
} idmap_out_format;

/* Parses "tsv", "list" or "json"; returns the format or -1. */
IDMAP_API int idmap_out_format_parse(const char *name);

/* Columns for targets UniProtKB / UniProtKB-Swiss-Prot: accession, id, reviewed,
 * gene_primary, gene_names, organism_id, xref_<db> (any ID_type, e.g. xref_pdb); with an entry
 * store also protein_name, organism_name, length, mass, sequence, sequence_version,
 * protein_existence, fragment. */
typedef struct idmap_fields idmap_fields;

/* Parses a comma-separated field list for the job's target. Returns IDMAP_OK with *out (free
 * with idmap_fields_free), IDMAP_ERR_BAD_OPTION with a message in *diag (unknown field, or a
 * target that is not UniProtKB), IDMAP_ERR_NOMEM. */
IDMAP_API int idmap_fields_parse(const idmap_job *job, const char *list, idmap_fields **out,
				 idmap_diag *diag);
IDMAP_API void idmap_fields_free(idmap_fields *f);

/* The default field list of UniProtKB results: UniProt's own
 * ("accession,id,reviewed,protein_name,gene_names,organism_name,length") when the job's index
 * holds an entry store, else "accession,id,reviewed,gene_names,organism_id". Static. */
IDMAP_API const char *idmap_fields_default(const idmap_job *job);

/* Receives output bytes; returns 0 to go on, non-zero to stop (returned by idmap_render). */
typedef int (*idmap_write_fn)(void *ctx, const void *p, size_t n);

typedef struct {
	int format;		    /* idmap_out_format */
	const idmap_fields *fields; /* NULL: plain From/To */
	uint64_t first, count;	    /* result rows [first, first + count); count 0 = all */
	int no_header;		    /* tsv: leave the header line out */
	int no_lists;		    /* json: leave failedIds, suggestedIds, obsoleteCount and
				     * warnings out (later pages of a paged answer) */
} idmap_render_opts;

/* Writes the job's results through write in 64 KiB chunks, in memory bounded whatever the
 * job size (the list format sorts a large job's targets in temporary files). Returns
 * IDMAP_OK, IDMAP_ERR_NOMEM, IDMAP_ERR_CORRUPT, IDMAP_ERR_IO (a temporary file; errno set),
 * or the non-zero value write returned. */
IDMAP_API int idmap_render(const idmap_job *job, const idmap_render_opts *opt,
			   idmap_write_fn write, void *ctx);

/* What idmap_render_ex adds to idmap_render (zero-initialise it, set what is needed). */
typedef struct {
	int entries;	       /* json: the `to` of UniRef and UniParc targets is UniProt's entry
				* object (UniRefEntryPair, UniParcEntryPair): {"id","entryType",
				* "memberCount","members"} or {"uniParcId","uniProtKBAccessions"} */
	uint64_t members;      /* entries: UniRef members listed at most (0 = all) */
	const uint64_t *rows;  /* NULL: every result row; else only these rows (ascending), and
				* first/count of the options index this list */
	uint64_t n_rows;
	int (*keep)(void *keep_ctx, uint64_t row); /* non-NULL (rows NULL): only the result rows
				* it returns non-zero for, asked in ascending order; first/count
				* index them. A selection in no memory (a query on a large job) */
	void *keep_ctx;
	const char *json_head; /* json: members written before "results" ("facets":[...],) */
	const char *tmp_dir;   /* list: where a large job's distinct targets are sorted in
				* unlinked temporary files (NULL: $TMPDIR, else /tmp) */
} idmap_render_ext;

IDMAP_API int idmap_render_ex(const idmap_job *job, const idmap_render_opts *opt,
			      const idmap_render_ext *ext, idmap_write_fn write, void *ctx);

/* The UniProtKB entry of result row `row` (targets UniProtKB, UniProtKB-Swiss-Prot): whether
 * it is reviewed (as the `reviewed` field says) and its NCBI taxon id (0 when the index has
 * none). Returns IDMAP_OK, or IDMAP_ERR_INVALID for a row out of range or without entry. */
IDMAP_API int idmap_job_row_entry(const idmap_job *job, uint64_t row, int *reviewed,
				  uint64_t *taxon);

/* Writes the catalogue as UniProt's /configure/idmapping/fields JSON (groups, items, rules;
 * items carry an extra "ids" count) or as TSV. */
IDMAP_API int idmap_render_catalog(const idmap_catalog *cat, int format, idmap_write_fn write,
				   void *ctx);

/* ---- Escaping untrusted text --------------------------------------------------------------- */

#define IDMAP_ESC_JSON 0 /* inside a JSON string */
#define IDMAP_ESC_TEXT 1 /* a line of text for people: a terminal, a log */
#define IDMAP_ESC_MAX 16 /* room for one escape and its NUL */

/* Walks s[0, n) for writing it escaped: returns how many leading bytes can be written as they
 * are. When that is less than n, esc holds the NUL-terminated escape to write instead of the
 * next *used bytes (1 or 2); the caller goes on after them. At the end *used is 0.
 * IDMAP_ESC_JSON: '"' and '\' as \" and \\, C0 controls as \u00XX, each byte that is not
 * part of well-formed UTF-8 as \ufffd: the string is valid for strict parsers.
 * IDMAP_ESC_TEXT: C0 controls, DEL, C1 controls (U+0080..U+009F) and each byte that is not
 * part of well-formed UTF-8 as \xHH (ESC is \x1b): no terminal control sequence passes. */
IDMAP_API size_t idmap_escape_span(const char *s, size_t n, int mode, char esc[IDMAP_ESC_MAX],
				   size_t *used);

/* Writes s[0, n) escaped (as idmap_escape_span) through write. Returns 0, or the first
 * non-zero value write returned. */
IDMAP_API int idmap_escape_write(const char *s, size_t n, int mode, idmap_write_fn write,
				 void *ctx);

/* ---- Saved jobs (the REST server keeps finished jobs across restarts) ---------------------- */

/* A 64-bit fingerprint of the open index file, from its header CRC and section-table CRC:
 * equal for the same file, different after a rebuild with other content. 0 for NULL. */
IDMAP_API uint64_t idmap_index_fingerprint(const idmap_index *ix);

/* Writes a finished job (after idmap_job_run) through write as a self-contained, checksummed
 * blob (FORMAT.md, "Job file"): the request (from/to catalogue names, taxa, via,
 * include_isoforms, canonical, allow_one_to_many), the ids text, per-id outcomes (status,
 * obsolete, from prefix, reason text, secondary key), result and suggested rows, warnings,
 * stats, and idmap_index_fingerprint of its index. Streams through a 64 KiB buffer (the job
 * is serialised twice: once for the checksum, once to write). Returns IDMAP_OK, IDMAP_ERR_INVALID (NULL
 * arguments, or a job not run or whose run failed), IDMAP_ERR_NOMEM, or write's non-zero
 * value. */
IDMAP_API int idmap_job_save(const idmap_job *job, idmap_write_fn write, void *ctx);

/* Recreates a finished job from blob[0, len) on ix, which must outlive it (blob may be freed
 * afterwards). Every accessor, idmap_fields_parse and idmap_render then work as on the saved
 * job; idmap_job_add_ids and idmap_job_run refuse it (IDMAP_ERR_INVALID) as a run job. Reason
 * texts point to the library's static strings, or, for a text this version does not know,
 * into the job (valid until idmap_job_free). Returns IDMAP_OK with *out (free with
 * idmap_job_free); otherwise stores NULL in *out and returns IDMAP_ERR_STALE when the blob
 * was written on another index (fingerprint differs), IDMAP_ERR_CORRUPT for any damage or
 * hostile content (every length, offset, count, slot, id and enum is checked; never crashes,
 * never reads out of bounds), IDMAP_ERR_VERSION for an unknown blob version, IDMAP_ERR_NOMEM,
 * or IDMAP_ERR_INVALID for NULL arguments. O(size of the blob). */
IDMAP_API int idmap_job_load(const idmap_index *ix, const void *blob, size_t len,
			     idmap_job **out);

/* ==== end of UniProt ID mapping semantics ================================================= */

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

/* Receives pair of slots[i] from idmap_fwd_batch; returns 0 to go on, non-zero to stop. */
typedef int (*idmap_pair_fn)(void *ctx, size_t i, const idmap_pair *pair);

/* The pairs of n accession slots (type_id or IDMAP_TYPE_ANY), as idmap_fwd_begin/next would
 * give them, slot by slot in order; IDMAP_NO_SLOT entries are skipped. The forward records,
 * then the key records of a group of slots are fetched together, so their cache misses
 * overlap. Returns IDMAP_OK, IDMAP_ERR_INVALID (a slot out of range, NULL arguments),
 * IDMAP_ERR_CORRUPT, IDMAP_ERR_NOMEM, or fn's non-zero value. */
IDMAP_API int idmap_fwd_batch(const idmap_index *ix, const uint64_t *slots, size_t n,
			      uint32_t type_id, idmap_pair_fn fn, void *ctx);

/* ---- Entries: FASTA records of UniProtKB, UniRef and UniParc --------------------------------
 * An index built with FASTA inputs also holds their records (FORMAT.md, "Entry store"):
 * one record per accession, isoform, UniRef cluster and UPI, found by its id in O(1) (a hash
 * table) and read with one block inflate. An index without FASTA input has no entries (every call below
 * then answers IDMAP_ERR_NOT_FOUND). */

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
 * IDMAP_ERR_NOMEM, or write's non-zero value. */
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
 * inflates. IDMAP_OK or IDMAP_ERR_INVALID. */
IDMAP_API int idmap_entry_block_of(const idmap_index *ix, const idmap_entry *e,
				   uint64_t *block);
/* idmap_entry_fasta through cache c. */
IDMAP_API int idmap_entry_fasta_cached(const idmap_index *ix, idmap_entry_cache *c,
				       const idmap_entry *e, uint32_t start, uint32_t end,
				       idmap_write_fn write, void *ctx);

/* The range "[start-end]" that ends an id's text ("P00750[39-81]"): returns 1 with *start
 * and *end (not checked against a sequence), else 0. */
IDMAP_API int idmap_entry_range(const char *text, size_t len, uint32_t *start, uint32_t *end);

#ifdef __cplusplus
}
#endif

#endif
