/* libidmap, mapping layer: UniProt's ID mapping over an open index (idmap_index.h).
 *
 * UniProt's database names and rules (catalogue), the identifier forms it accepts, mapping
 * jobs (ids in; results, failed, obsolete and suggested ids, warnings out), renderers of
 * UniProt's output shapes and saved jobs. The CLI's `idmap map` / `idmap databases` and the
 * REST server are thin layers over these calls. The conventions of idmap_index.h hold here.
 */
#ifndef IDMAP_MAP_H
#define IDMAP_MAP_H

#include "idmap_index.h"

#ifdef __cplusplus
extern "C" {
#endif

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
IDMAP_API idmap_form idmap_parse_uniprot_id(const char *text, size_t len, idmap_idform *f);

/* Parses a UniParc id (UPI + 10 hex digits, any case): IDMAP_FORM_UNIPARC or INVALID. */
IDMAP_API idmap_form idmap_parse_uniparc_id(const char *text, size_t len, idmap_idform *f);

/* Parses a UniRef cluster id of level (50, 90, 100; 0 = any level): "UniRef<level>_" in any
 * case, then a UniProtKB accession (isoform allowed) or UniParc id. IDMAP_FORM_UNIREF or
 * INVALID (also for another level than asked). */
IDMAP_API idmap_form idmap_parse_uniref_id(const char *text, size_t len, int level, idmap_idform *f);

/* When text[0, len) is a versioned value (FORMAT.md: `stem.N`, N of 1-4 digits, stem matching
 * [A-Za-z][A-Za-z0-9_]*[0-9]), returns true and the stem's length in *stem_len; else
 * false. */
IDMAP_API bool idmap_value_versioned(const char *text, size_t len, size_t *stem_len);

/* Splits input into ids as UniProt does: on white space and commas. Starting at *pos, finds
 * the next token, stores its offset and length and advances *pos. Returns true, or false
 * at the end. */
IDMAP_API bool idmap_next_id(const char *text, size_t len, size_t *pos, size_t *off,
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

/* UniProt's mapping rules (ids 1-8 of /configure/idmapping/fields): which targets a source
 * may map to. Values pinned. */
typedef enum idmap_rule {
	IDMAP_RULE_ACCESSION = 1, /* UniProtKB_AC-ID: any target */
	IDMAP_RULE_UNIPARC = 2,	  /* UniParc: UniProtKB names, UniParc */
	IDMAP_RULE_UNIREF50 = 3,  /* UniRef50/90/100: UniProtKB names, the same UniRef level */
	IDMAP_RULE_UNIREF90 = 4,
	IDMAP_RULE_UNIREF100 = 5,
	IDMAP_RULE_GENE = 6,	  /* gene names: UniProtKB names, with the taxon filter */
	IDMAP_RULE_SEQUENCE = 7,  /* EMBL-GenBank-DDBJ, RefSeq_Protein, GI_number: + UniParc */
	IDMAP_RULE_OTHER = 8,	  /* every other database: UniProtKB names */
} idmap_rule;

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
	int rule;	       /* idmap_rule as a source; 0 when not a source */
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

/* Whether UniProt's rules (idmap_rule) let entry from map to entry to.
 * One-to-many and idmap-only entries follow the rule of their own row. */
IDMAP_API bool idmap_catalog_pair_allowed(const idmap_catalog *cat, size_t from, size_t to);

/* Whether rule (idmap_rule) has UniProt's taxon filter (IDMAP_RULE_GENE). */
IDMAP_API bool idmap_rule_taxon(int rule);

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
	int include_inactive;	  /* UniParc cross-references: list inactive ones too, marked
				   * (idmap_result.xref_inactive; beyond UniProt) */
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
 * thread is started only for each 16384 ids. idmap_render and idmap_render_ex then write TSV
 * and JSON rows without fields or entries on up to 8 of them (one per 32768 rows). The
 * results and their text do not depend on it. Returns IDMAP_OK, or IDMAP_ERR_INVALID
 * (threads 0, or after idmap_job_run). */
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
	IDMAP_ID_UNIPARC = 9,	 /* to UniProtKB: no entry, but UniParc entries cross-reference
				  * it: they are suggested (a RefSeq, EMBL-CDS or GI id) */
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

/* Whether an id of this status is in the failed list (failedIds). As UniProt's
 * PIRResponseConverter, an id is either failed or has suggested pairs, never both: ids with
 * only unreviewed entries (to UniProtKB-Swiss-Prot) or only UniParc entries (to UniProtKB)
 * are suggested, not failed; deleted
 * accessions are obsolete, not failed. */
IDMAP_API bool idmap_id_failed(int status);

/* The static English fate of a deleted id from list deleted_from (IDMAP_DELETED_*):
 * "deleted", "deleted from Swiss-Prot" or "deleted from TrEMBL". */
IDMAP_API const char *idmap_deleted_text(int deleted_from);

/* The static English text of an idmap_id_status. */
IDMAP_API const char *idmap_id_status_text(int status);

/* Primary accession k (0-based) of secondary id i, written as text into out. Returns
 * IDMAP_OK, IDMAP_DONE after the last, IDMAP_ERR_INVALID when id i is not secondary. */
IDMAP_API int idmap_job_primary(const idmap_job *job, uint64_t i, uint64_t k,
				char out[IDMAP_ACC_TEXT_SIZE]);

/* One result (or suggested) row. Strings point into the job or r's own buffers (a key value
 * is decoded into to_buf): they are valid until the next call with the same r, or
 * idmap_job_free, and a copy of r does not carry them along (they point into r). */
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
	int xref_inactive;    /* a row or suggestion from an inactive UniParc cross-reference
			       * (include_inactive jobs only) */
	char to_buf[IDMAP_VALUE_SIZE], via_buf[IDMAP_ACC_TEXT_SIZE];
} idmap_result;

/* Result row i (0 .. results-1): ids in first-seen order, targets sorted. */
IDMAP_API int idmap_job_result(const idmap_job *job, uint64_t i, idmap_result *r);
/* Suggested row i (0 .. suggested-1): for target UniProtKB-Swiss-Prot, the unreviewed
 * entries of ids that have no reviewed one; for target UniProtKB, the UniParc UPIs of RefSeq,
 * EMBL and GI ids that have no entry (status IDMAP_ID_UNIPARC), one row per UPI in UPI
 * order, as UniProt's suggestedIds (to is "UPI...", acc_slot UINT64_MAX). */
IDMAP_API int idmap_job_suggested(const idmap_job *job, uint64_t i, idmap_result *r);

/* Warning codes of idmap_job_warning (UniProt style numbers). Values pinned. */
typedef enum idmap_warning {
	IDMAP_WARN_GENE_TAXA = 60,	 /* gene names without a taxon span several taxa */
	IDMAP_WARN_ONE_TO_MANY = 61,	 /* one-to-many source: its largest fan-out */
	IDMAP_WARN_OBSOLETE = 62,	 /* obsolete (secondary or deleted) accessions in the ids */
	IDMAP_WARN_REVIEW_UNKNOWN = 63, /* to Swiss-Prot: entries without an entry name in the
					 * index (review status unknown) were left out */
} idmap_warning;

/* Warning i of the job: a code (idmap_warning) and a static-lifetime message. Returns
 * IDMAP_OK or IDMAP_DONE past the last one. */
IDMAP_API int idmap_job_warning(const idmap_job *job, size_t i, int *code, const char **msg);

/* ---- Output: tsv, list, json, --fields ----------------------------------------------------- */

typedef enum idmap_out_format {
	IDMAP_OUT_UNKNOWN = -1, /* idmap_out_format_parse: no such format */
	IDMAP_OUT_TSV = 0,  /* From<TAB>To (+ Via, + Obsolete when present) */
	IDMAP_OUT_LIST = 1, /* distinct target ids, one per line */
	IDMAP_OUT_JSON = 2, /* UniProt's results object */
} idmap_out_format;

/* Parses "tsv", "list" or "json"; returns the format or IDMAP_OUT_UNKNOWN. */
IDMAP_API idmap_out_format idmap_out_format_parse(const char *name);

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

/* The fields of a whole UniProtKB entry, as /uniprotkb/{accession} gives it: every column the
 * index holds, with the entry's secondary accessions and its cross-references to the
 * databases of UniProt's own entries (EMBL, RefSeq, PDB, GeneID, ...). Returns IDMAP_OK with
 * *out (free with idmap_fields_free), IDMAP_ERR_INVALID, IDMAP_ERR_NOMEM. */
IDMAP_API int idmap_fields_entry(const idmap_job *job, idmap_fields **out);

/* idmap_write_fn, the output callback, is in idmap_index.h (the entry store writes too). */

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
 * IDMAP_OK, IDMAP_ERR_INVALID, IDMAP_ERR_NOMEM, IDMAP_ERR_CORRUPT, IDMAP_ERR_IO (a temporary
 * file; errno set), or IDMAP_STOPPED. */
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

/* The UniProtKB entries of a job mapping accessions to UniProtKB, one per id in the ids'
 * order, as UniProt's /uniprotkb/accessions answers: format IDMAP_OUT_JSON {"results":[...]}
 * (single: the first entry object alone, as /uniprotkb/{accession}), or IDMAP_OUT_TSV (the
 * fields' titles, then a line per entry). With single, a secondary accession is UniProt's
 * inactive entry (MERGED into its primary, DEMERGED into several), a deleted one its DELETED
 * entry; without, they are left out as UniProt's list leaves them (its store holds active
 * entries); failed ids write nothing. Returns IDMAP_OK, IDMAP_ERR_INVALID (another format, a job not run),
 * IDMAP_ERR_NOMEM, IDMAP_ERR_CORRUPT, or IDMAP_STOPPED. */
IDMAP_API int idmap_render_entries(const idmap_job *job, const idmap_fields *f, int format,
				   int single, idmap_write_fn write, void *ctx);

/* The UniProtKB entry of result row `row` (targets UniProtKB, UniProtKB-Swiss-Prot): whether
 * it is reviewed (as the `reviewed` field says) and its NCBI taxon id (0 when the index has
 * none). Returns IDMAP_OK, or IDMAP_ERR_INVALID for a row out of range or without entry. */
IDMAP_API int idmap_job_row_entry(const idmap_job *job, uint64_t row, int *reviewed,
				  uint64_t *taxon);

/* Writes the catalogue as UniProt's /configure/idmapping/fields JSON (groups, items, rules;
 * items carry an extra "ids" count) or as TSV. Returns IDMAP_OK, IDMAP_ERR_INVALID,
 * IDMAP_ERR_NOMEM or IDMAP_STOPPED. */
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

/* Writes s[0, n) escaped (as idmap_escape_span) through write. Returns IDMAP_OK, or
 * IDMAP_STOPPED when write returned non-zero. */
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
 * arguments, or a job not run or whose run failed), IDMAP_ERR_NOMEM, or IDMAP_STOPPED. */
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

#ifdef __cplusplus
}
#endif

#endif
