/* The FASTA files of a synthetic release (genfasta.c), written entry by entry by
 * idmap-genrelease --fasta from the same values as its idmapping files. */
#ifndef IDMAP_GENFASTA_H
#define IDMAP_GENFASTA_H

#include <stddef.h>
#include <stdint.h>

#define GF_MAX_ISO 16
#define GF_SEQ_MAX 4096

struct gf_entry {
	uint64_t k;	 /* entry counter */
	const char *acc; /* accession */
	const char *name; /* entry name (UniProtKB-ID) */
	const char *gene; /* Gene_Name, NULL when none */
	const char *org;  /* organism name */
	uint32_t taxid;
	int reviewed;
	const char *upi;  /* UniParc id of the canonical sequence */
	const char *ur[3]; /* UniRef100, 90, 50 cluster ids of the entry */
	int niso;	  /* isoforms 1 .. niso (0: none) */
	const char *iso_upi[GF_MAX_ISO + 1];  /* [n]: UniParc id of isoform n */
	const char *iso_ur100[GF_MAX_ISO + 1]; /* [n]: its own UniRef100 cluster, or NULL */
};

/* Opens the seven FASTA files in dir (.gz with gzip). */
void gf_open(const char *dir, int gzip);
/* Writes the records an entry brings: its UniProtKB record, its Swiss-Prot isoforms, every
 * UniParc id and UniRef cluster seen for the first time. */
void gf_entry(const struct gf_entry *e);
void gf_close(void);

/* The residues of the sequence of a UniParc id (a function of the id alone), without line
 * breaks; returns their number (< GF_SEQ_MAX). */
size_t gf_sequence(const char *upi, char out[GF_SEQ_MAX]);

#endif
