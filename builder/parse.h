/* Internal to the input side of the builder: the line parsers and their shared state.
 * input.c reads lines and dispatches; parse_*.c turn one line into triples. */
#ifndef IDMAP_PARSE_H
#define IDMAP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "fasta.h"
#include "gz_reader.h"
#include "idmap_format.h"
#include "input.h"

/* Longest ID_type name (FORMAT.md, TYPES). */
#define IDMAP_PARSE_MAX_TYPE IDMAP_MAX_DATA_TYPE_NAME

/* Number of columns of idmapping_selected.tab. */
#define IDMAP_SELECTED_COLUMNS 22

struct idmap_uparc;

typedef struct {
	const char *path;	/* file name for messages */
	uint64_t line_no;	/* number of the current line, from 1 */
	int by_byte;		/* messages name byte_no ("FILE:byte N: "), not line_no */
	uint64_t byte_no;	/* offset in the decompressed text */
	idmap_input_info *info;
	idmap_triple_fn fn;
	void *ctx;
	char *err;
	size_t errlen;

	/* Cache: lines of one entry are adjacent, so the accession usually repeats. */
	char last_acc[32];
	size_t last_acc_len;
	uint64_t last_code;

	/* parse_selected.c: ids already emitted from the current PDB cell. */
	size_t *pdb_seen;	/* pairs (offset in the line, length) */
	size_t pdb_cap;

	/* parse_history.c */
	int hist_state;
	int hist_title;		/* kind named by the last non-blank header line */
	int hist_hint;		/* kind suggested by the header text or the file name */
	uint64_t hist_header_lines;
	uint64_t hist_first_line;	/* first non-blank line, for "not a history file" */
	int hist_section;	/* a delac file's section: 0 unknown, 1 Swiss-Prot, 2 TrEMBL */

	/* parse_fasta.c: the record being read */
	idmap_fasta_fn fa_fn;
	int fa_open;
	uint64_t fa_line;
	char *fa_head, *fa_seq;
	size_t fa_head_len, fa_head_cap, fa_seq_len, fa_seq_cap;

	/* parse_uniparc.c: the scanner's state, allocated by the first chunk */
	struct idmap_uparc *uparc;
} idmap_parser;

/* Formats "FILE:LINE: <message>" (or "FILE:byte N: <message>") into p->err; returns -1. */
int idmap_parse_fail(idmap_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes a printable, shortened, quoted copy of s[0, len) into out (for messages). */
const char *idmap_parse_quote(char *out, size_t outlen, const char *s, size_t len);

/* Passes one triple to the callback and counts it. Returns 0 or -1 (err set). */
int idmap_parse_emit(idmap_parser *p, uint64_t acc, const char *type, size_t type_len,
		     const char *value, size_t value_len);

/* As idmap_parse_emit, for a triple made already (input_par.c hands its workers' on). */
int idmap_parse_emit_triple(idmap_parser *p, const idmap_triple *t);

/* Encodes an accession (what = "accession", "secondary accession", ...). Returns 0 with
 * *code set, or -1 with "FILE:LINE: invalid <what> 'text'". */
int idmap_parse_acc(idmap_parser *p, const char *s, size_t len, const char *what,
		    uint64_t *code);

/* Checks an ID_type name: 1..64 printable ASCII bytes, no space, not starting with '#'. */
int idmap_parse_check_type(idmap_parser *p, const char *s, size_t len);

/* Checks a value: non-empty, at most IDMAP_MAX_VALUE bytes. what names the column. */
int idmap_parse_check_value(idmap_parser *p, const char *s, size_t len, const char *what);

/* Rejects a line holding a NUL byte (binary junk, a broken download). */
int idmap_parse_check_nul(idmap_parser *p, const char *line, size_t len);

/* One pass over a line for its first NUL byte and the tabs before it: returns the NUL's
 * offset (len when there is none) and the offsets of the first `max` of those tabs in
 * tab[0, *ntabs). A line is about 40 bytes (idmapping.dat) and a NUL check plus one memchr a
 * column cost more in calls than in scanning; SSE2 (every x86-64) takes 16 bytes at a time. */
size_t idmap_parse_tabs(const char *s, size_t len, size_t *tab, unsigned max, unsigned *ntabs);

/* Rejects a line ending in '\r' (Windows line ends). */
int idmap_parse_check_cr(idmap_parser *p, const char *line, size_t len);

/* A line of an idmapping.dat (kind IDMAP_KIND_DAT) or idmapping_selected.tab file after its
 * first data line: refuses a line longer than IDMAP_GZ_MAX_LINE or ending in '\r', skips an
 * empty one, parses the rest. 0 or -1 with p->err set. */
int idmap_parse_data_line(idmap_parser *p, idmap_input_kind kind, const char *line,
			  size_t len);

/* input_par.c: parses the rest of r, a DAT or SELECTED file read up to line p->line_no, on
 * o->threads threads, handing the triples to p->fn in order. Returns 0; -1 with p->err set;
 * or 1 when its threads could not start (nothing read: the caller goes on alone). */
int idmap_input_par(idmap_gz_reader *r, idmap_parser *p, idmap_input_kind kind,
		    const idmap_input_opts *o);

/* input.c: the kind a file's name suggests ("selected" in it: idmapping_selected.tab ...). */
idmap_input_kind idmap_input_name_hint(const char *path);
/* Chooses the kind from the first non-blank line s[0, len), with the name's hint. Returns the
 * kind, IDMAP_KIND_SEC_AC standing for "a history file" when the line has no tab; or -1 with
 * p->err set. */
int idmap_input_detect(idmap_parser *p, const char *s, size_t len, idmap_input_kind hint);
/* Reads the lines of r after the p->line_no read already, each to its parser, as
 * idmap_input_read_opts does: known is the file's kind when a line told it already, else
 * IDMAP_KIND_UNKNOWN (the first non-blank line tells). Handles the end of the file and the
 * reader's errors; fills p->info's byte counts. 0 or -1 with p->err set. */
int idmap_input_read_lines(idmap_gz_reader *r, idmap_parser *p, idmap_input_kind known,
			   const idmap_input_opts *o);
/* Line parsers: 0 or -1 with p->err set. The line has no '\n' and no trailing '\r'. */
int idmap_parse_dat_line(idmap_parser *p, const char *line, size_t len);
int idmap_parse_selected_line(idmap_parser *p, const char *line, size_t len);

/* History files (sec_ac.txt, delac_*.txt): every line of the file goes through
 * idmap_parse_history_line, from the first non-blank line on (header, data, footer); kind is
 * the kind guessed so far (IDMAP_KIND_UNKNOWN when the header must tell). At the end of the
 * file idmap_parse_history_end checks that data was reached. */
void idmap_parse_history_begin(idmap_parser *p, idmap_input_kind hint);
int idmap_parse_history_line(idmap_parser *p, const char *line, size_t len);
int idmap_parse_history_end(idmap_parser *p);

/* The release stamp (parse_release.c). idmap_parse_release reads what follows "Release:" or
 * "Release " ("2026_01 of 28-Jan-2026", "28-Jan-2026") into p->info's release and
 * release_date, keeping values already set. reldate.txt goes line by line through
 * idmap_parse_reldate_line; idmap_parse_reldate_end fails when it named no date. */
void idmap_parse_release(idmap_parser *p, const char *s, const char *end);
int idmap_parse_reldate_line(idmap_parser *p, const char *line, size_t len);
int idmap_parse_reldate_end(idmap_parser *p);

/* A date d-Mon-yyyy or dd-Mon-yyyy (month in any case) of len bytes into out as UniProt
 * writes it ("28-Jan-2026"). Returns 0, or -1 (out untouched) when s is not such a date. */
int idmap_release_date(const char *s, size_t len, char out[IDMAP_RELEASE_DATE_SIZE]);

/* FASTA (parse_fasta.c): every line of the file; the end hands over the last record. */
int idmap_parse_fasta_line(idmap_parser *p, const char *line, size_t len);
int idmap_parse_fasta_end(idmap_parser *p);

/* UniParc XML (parse_uniparc.c): the decompressed text in chunks cut anywhere, at = the
 * chunk's offset in the text (chunks come in order, without gaps but for blank lines before
 * the first markup); the end
 * (text_bytes = the text's length) refuses an incomplete document. Errors name byte offsets
 * (p->by_byte). The triples go on UPI codes (format/accession.h). */
int idmap_parse_uniparc_feed(idmap_parser *p, const char *chunk, size_t len, uint64_t at);
int idmap_parse_uniparc_end(idmap_parser *p, uint64_t text_bytes);
void idmap_parse_uniparc_free(idmap_parser *p);

void idmap_parser_free(idmap_parser *p);

#endif
