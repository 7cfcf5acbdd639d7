/* --fields columns read from the entry store (fields_entry.c): protein name, organism name,
 * length, mass, sequence, sequence version, protein existence, fragment. Not installed. */
#ifndef IDMAP_FIELDS_ENTRY_H
#define IDMAP_FIELDS_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "semantics.h"

/* Column kinds; bit IDMAP_FE_TEXT marks those that need the record's block inflated. */
enum {
	IDMAP_FE_TEXT = 0x100,
	IDMAP_FE_LENGTH = 1,
	IDMAP_FE_SEQUENCE_VERSION = 2,
	IDMAP_FE_PROTEIN_EXISTENCE = 3,
	IDMAP_FE_FRAGMENT = 4,
	IDMAP_FE_PROTEIN_NAME = IDMAP_FE_TEXT | 5,
	IDMAP_FE_ORGANISM_NAME = IDMAP_FE_TEXT | 6,
	IDMAP_FE_MASS = IDMAP_FE_TEXT | 7,
	IDMAP_FE_SEQUENCE = IDMAP_FE_TEXT | 8,
};

/* The entry-store column called name (any case): its kind, and its TSV title in *label;
 * 0 when there is none of that name. */
int idmap_fe_find(const char *name, const char **label);

/* 1 when the index holds an entry store (the columns above can be offered), else 0. */
int idmap_fe_available(const idmap_index *ix);

/* The record of one row, loaded once for all its cells. */
typedef struct {
	int found;	     /* 0: no record for the accession (every cell empty) */
	idmap_entry e;
	const uint8_t *block; /* the inflated block (text columns only, valid until the
			       * thread's next row load), else NULL */
	const uint8_t *head; /* the header text in block, then the residues (text loaded) */
	size_t head_len;
	uint32_t name[2], organism[2], gene[2]; /* (offset, length) in the header (text) */
	int has_gene;			       /* the header has a gene name (found) */
} idmap_fe_row;

/* Loads the record of accession slot (its own, "X-1" giving X) into *r, inflating its block
 * when text is non-zero. A slot without a record is IDMAP_OK with r->found 0. Returns
 * IDMAP_OK, IDMAP_ERR_CORRUPT, IDMAP_ERR_NOMEM. Free with idmap_fe_row_free. */
int idmap_fe_row_load(const idmap_index *ix, uint64_t slot, int text, idmap_fe_row *r);
void idmap_fe_row_free(idmap_fe_row *r);
/* The two steps of idmap_fe_row_load: the record of slot (r->found), then its text. */
int idmap_fe_row_find(const idmap_index *ix, uint64_t slot, idmap_fe_row *r);
int idmap_fe_row_text(const idmap_index *ix, idmap_fe_row *r);
/* The record of UniProtKB accession or isoform acc, by its text (one that may be in the FASTA
 * files alone, without accession slot), its text too when text is non-zero: as
 * idmap_fe_row_load, r->found 0 when the store has no UniProtKB record of that id. */
int idmap_fe_row_of(const idmap_index *ix, const char *acc, size_t n, int text, idmap_fe_row *r);
/* Makes idmap_fe_row_load of slot on this thread answer r (loaded ahead, its text in memory
 * that outlives the row's rendering) until the next offer; NULL r: none. */
void idmap_fe_row_offer(uint64_t slot, const idmap_fe_row *r);

/* The entry-store columns of fields f (fields.c): bit (kind & 0xFF) per column, and
 * IDMAP_FE_TEXT when one needs the text; 0 for NULL. */
unsigned idmap_fields_entry_kinds(const idmap_fields *f);

/* ---- Rows read ahead (entry_rows.c) ------------------------------------------------------ */

/* A renderer's rows read ahead in batches whose entry records are loaded in the order of
 * their blocks: each block of a batch is inflated once, not once per row (random accessions
 * share blocks), and each record's text copied out. */
typedef struct idmap_fe_ahead idmap_fe_ahead;
/* For job j's rows given by next(it, &row) (1 with a row, 0 at the end, ascending), text
 * columns as `kinds` (a fields' entry bits) and json (JSON needs the residues for the
 * sequence object). NULL when no column needs the text (nothing to gain) or out of memory:
 * the caller then uses next itself. */
idmap_fe_ahead *idmap_fe_ahead_new(const idmap_job *j, unsigned kinds, int json,
				   int (*next)(void *it, uint64_t *row), void *it);
/* The next row as next would give it, its record offered (idmap_fe_row_offer): 1 with *row,
 * 0 at the end or after an error (then idmap_fe_ahead_rc). */
int idmap_fe_ahead_next(void *ahead, uint64_t *row);
int idmap_fe_ahead_rc(const idmap_fe_ahead *a);
void idmap_fe_ahead_free(idmap_fe_ahead *a);

/* UniProt's mass of a sequence in Daltons (uniprot-core MoleculeWeight): the average masses
 * of its residues, in units of 1e-4 Da, plus one water, rounded half up to a whole Dalton. */
uint64_t idmap_fe_mass(const uint8_t *seq, size_t n);

/* Writes the TSV cell of column kind for row r (nothing when r has no record or no value). */
void idmap_fe_tsv(int kind, const idmap_fe_row *r, idmap_obuf *o);

/* The values of r's FASTA header that the idmapping files also carry, for the columns id,
 * gene_primary, gene_names and reviewed of an entry they say nothing of (the entry store is
 * then the only source): the entry name ("sp|ACC|NAME ..."), the GN= gene name (1 with
 * *v, *n; 0 when r has none; -1 when it has one but r was loaded without its text), and
 * the review status (sp or tr: 1 or 0; -1 without a record). */
int idmap_fe_entry_name(const idmap_fe_row *r, const char **v, size_t *n);
int idmap_fe_gene(const idmap_fe_row *r, const char **v, size_t *n);
int idmap_fe_reviewed(const idmap_fe_row *r);

/* The organism's scientific name (OS=) of r in *name, *len: 1, or 0 when r has none. */
int idmap_fe_organism(const idmap_fe_row *r, const char **name, size_t *len);

/* The parts of UniProt's entry object the entry store fills, in the order uniprot-core
 * serialises them (the field order of UniProtKBEntryImpl). */
enum {
	IDMAP_FE_J_AUDIT,	/* entryAudit {sequenceVersion} */
	IDMAP_FE_J_EXISTENCE,	/* proteinExistence */
	IDMAP_FE_J_DESCRIPTION, /* proteinDescription, with its flag */
	IDMAP_FE_J_SEQUENCE,	/* sequence {value, length, molWeight, crc64, md5} */
};

/* Writes part of UniProt's entry object for the kinds asked for (bit k of `want` for kind
 * k & 0xFF), preceded by a comma; nothing when none of them or no value. */
void idmap_fe_json(int part, unsigned want, const idmap_fe_row *r, idmap_obuf *o);

/* UniProt's checksums of a sequence (entry_digest.c), upper-case hex, NUL-ended: the
 * SWISS-PROT CRC-64 (uniprot-core Crc64) and the MD5 (MessageDigestUtil.getMD5). */
void idmap_fe_crc64(const uint8_t *seq, size_t n, char out[17]);
void idmap_fe_md5(const uint8_t *seq, size_t n, char out[33]);

#endif
