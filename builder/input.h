/* Reading release files: kind detection and the parsers of the four file kinds.
 * Every input becomes a stream of triples (accession, type, value). */
#ifndef IDMAP_INPUT_H
#define IDMAP_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "fasta.h"

/* "28-Jan-2026" and its NUL. */
#define IDMAP_RELEASE_DATE_SIZE 12

typedef enum {
	IDMAP_KIND_UNKNOWN = 0,
	IDMAP_KIND_DAT,	     /* idmapping.dat: AC TAB type TAB value */
	IDMAP_KIND_SELECTED, /* idmapping_selected.tab: 22 columns */
	IDMAP_KIND_SEC_AC,   /* sec_ac.txt: secondary -> primary */
	IDMAP_KIND_DELAC,    /* delac_sp.txt / delac_tr.txt: deleted accessions */
	IDMAP_KIND_RELDATE,  /* reldate.txt: the release name and date, no data */
	IDMAP_KIND_FASTA,    /* UniProtKB, UniRef or UniParc FASTA: records, no triples */
	IDMAP_KIND_UNIPARC,  /* UniParc XML: cross-references of UPIs */
} idmap_input_kind;

/* "dat", "selected", "sec_ac", "delac", "reldate", "fasta", "uniparc" or "unknown". */
const char *idmap_input_kind_name(idmap_input_kind kind);

/* One pair. Pointers are valid only during the callback. */
typedef struct {
	uint64_t acc;	   /* encoded accession (format/accession.h); 0 for a #deleted record */
	const char *type;  /* ID_type name, or "#secondary" / "#deleted" */
	size_t type_len;
	const char *value; /* the value; for #secondary / #deleted the accession text */
	/* (UniParc XML: acc is a UPI code and type a "#uniparc..." type, FORMAT.md) */
	size_t value_len;
	/* Set by idmap_input_opts.prep on a parsing thread (0 elsewhere): what the consumer
	 * would otherwise compute itself, in its own terms (the build: type id, hashes). */
	int prepared;
	uint32_t type_id;
	uint64_t key_hi, acc_hi;
} idmap_triple;

/* Called for every triple. Returns 0 to go on; non-zero stops the read, and
 * idmap_input_read then returns -1 with the message the callback put in err (or a generic one
 * when it left err empty). */
typedef int (*idmap_triple_fn)(void *ctx, const idmap_triple *t, char *err, size_t errlen);
/* Returned by a callback that refuses the triple itself (a limit of the data, not a fault of
 * the machine): its message then starts with "FILE:LINE: " as the parsers' own do. */
#define IDMAP_TRIPLE_REFUSED 2

typedef struct {
	idmap_input_kind kind;
	uint64_t bytes;	     /* bytes read from the file (compressed size for gzip); updated
			      * while reading too, every 65536 lines */
	uint64_t text_bytes; /* decompressed bytes */
	uint64_t lines;	     /* data lines parsed (UniParc XML: <entry> elements) */
	uint64_t triples;    /* triples (FASTA: records) passed to the callback */
	char release[64];    /* release named in the file header ("2026_01"), or "" */
	char release_date[IDMAP_RELEASE_DATE_SIZE]; /* its date ("28-Jan-2026"), or "" */
} idmap_input_info;

/* Reads one input file, plain or gzip (multi-member too), "-" for standard input; detects
 * its kind from the content, with the name as a hint; parses each line and calls fn for each
 * triple. Returns 0, or -1 with err holding "FILE:LINE: reason" (or "FILE: reason at byte N"
 * for errors in compressed data, N counted in compressed bytes; "FILE:byte N: reason" for
 * UniParc XML, N counted in the decompressed text). */
int idmap_input_read(const char *path, idmap_input_info *info, idmap_triple_fn fn, void *ctx,
		     char *err, size_t errlen);

/* As idmap_input_read, also accepting UniProt FASTA files, whose records go to fasta_fn
 * (with the same ctx). idmap_input_read refuses FASTA as not idmapping data. */
int idmap_input_read_any(const char *path, idmap_input_info *info, idmap_triple_fn fn,
			 idmap_fasta_fn fasta_fn, void *ctx, char *err, size_t errlen);

/* Prepares a triple on a parsing thread: any thread, in no order, with a state of that
 * thread's own (*state is NULL at its first call). chunk numbers the parsed chunks, in order. */
typedef void (*idmap_prep_fn)(void *ctx, void **state, uint64_t chunk, idmap_triple *t);

typedef struct {
	idmap_triple_fn fn;
	idmap_fasta_fn fasta_fn; /* NULL: FASTA is refused, as by idmap_input_read */
	void *ctx;
	/* Threads parsing the lines of idmapping.dat and idmapping_selected.tab (input_par.c);
	 * under 2 the calling thread parses alone. fn is called on the calling thread either
	 * way, with the same triples in the same order, and the same first error. */
	unsigned threads;
	size_t chunk;	    /* bytes of text a parsing thread takes at a time; 0: 1 MiB */
	idmap_prep_fn prep; /* optional, on the parsing threads: fills the triple's prepared */
	void (*prep_free)(void *state); /* frees a thread's prep state at the end */
} idmap_input_opts;

/* As idmap_input_read_any, with the options o. */
int idmap_input_read_opts(const char *path, idmap_input_info *info, const idmap_input_opts *o,
			  char *err, size_t errlen);

/* ---- idmapping_selected.tab read in step with idmapping.dat (input_step.c) ----
 * The two files list UniProtKB's entries in one order, and most pairs of a row of
 * idmapping_selected.tab repeat lines of its entry in idmapping.dat. Read in step, the row of
 * an entry is at hand while that entry's idmapping.dat lines go by, and the repeats can be
 * dropped before they cost anything. Rows met out of step are read as they would be anyway,
 * so the order only decides how many repeats are caught, never what is read. */
typedef struct idmap_input_step idmap_input_step;

/* Opens path to be read in step when its first line shows an idmapping_selected.tab file.
 * Returns NULL when it does not or cannot be opened ("-" neither): then it is read as any
 * input, which reports what is wrong with it. o->fn is given the rows that are skipped (see
 * idmap_input_step_row); o is also how idmap_input_step_finish reads the rest. */
idmap_input_step *idmap_input_step_open(const char *path, const idmap_input_opts *o);

/* Takes the row of accession acc when it is the next one (or the one after, the next being
 * then out of step: handed to o->fn first): parses it, handing its triples to fn, their values
 * valid until the next call on s. Returns 1 when a row was taken, 0 when none, -1 on an error
 * in a row parsed (err: "FILE:LINE: reason"). */
int idmap_input_step_row(idmap_input_step *s, uint64_t acc, idmap_triple_fn fn, void *ctx,
			 char *err, size_t errlen);

/* Reads the rows not taken, to o->fn, as idmap_input_read_opts reads a file; info then
 * counts the whole file, taken rows included. 0, or -1 with err set. */
int idmap_input_step_finish(idmap_input_step *s, idmap_input_info *info, char *err,
			    size_t errlen);

/* Frees s (NULL: nothing). */
void idmap_input_step_close(idmap_input_step *s);

#endif
