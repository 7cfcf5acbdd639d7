/* UniProt FASTA records (uniprot_sprot/trembl.fasta, uniprot_sprot_varsplic.fasta,
 * uniref*.fasta, uniparc_active.fasta) as the builder reads them (parse_fasta.c). */
#ifndef IDMAP_FASTA_H
#define IDMAP_FASTA_H

#include <stddef.h>
#include <stdint.h>

/* One record. Pointers are valid only during the callback. Spans are (offset, length) in
 * the header; length 0 when absent. */
typedef struct {
	uint8_t space, kind, flags, pe; /* entry_format.h: IDMAP_ES_*, IDMAP_EK_*, IDMAP_EF_* */
	uint16_t sv;
	uint64_t code;
	uint32_t taxid, members;
	uint16_t name[2], organism[2], gene[2];
	const char *header; /* the header line without '>' */
	size_t header_len;
	const char *seq; /* residues, line breaks removed */
	size_t seq_len;
	uint64_t line; /* line number of the header */
} idmap_fasta_record;

/* Called for every record; returns 0 to go on, non-zero to stop (message in err). */
typedef int (*idmap_fasta_fn)(void *ctx, const idmap_fasta_record *r, char *err, size_t errlen);

/* Parses a header line h[0, len) (without '>') into r's key and fields. Returns 0, or -1 with
 * a static reason in *why. */
int idmap_fasta_header(const char *h, size_t len, idmap_fasta_record *r, const char **why);

/* 1 when a first line looks like a UniProt FASTA header (">sp|", ">tr|", ">UniRef", ">UPI"). */
int idmap_fasta_sniff(const char *s, size_t len);

#endif
