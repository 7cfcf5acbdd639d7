/* idmap map --format fasta (map_fasta.c). */
#ifndef IDMAP_MAP_FASTA_H
#define IDMAP_MAP_FASTA_H

#include <stdio.h>

#include "idmap.h"

/* 1 when the target database can be written as FASTA: UniProtKB, UniRef, UniParc. */
int map_fasta_target_ok(const char *to);

/* Writes the records of the job's results (and with isoforms, each entry's isoforms) to
 * standard output; targets without a record, and ranges outside their sequence, are reported
 * on stderr and skipped. Returns the exit code: 0, or 1 after an index or write error. */
int map_fasta(const idmap_index *ix, const idmap_job *job, int isoforms, int subsequence);

/* Finds the record of entry id `to` for the input id `id` (its text names the id in
 * messages; with subsequence, its range "[a-b]" cuts the residues) and fills *it for
 * idmap_entry_fasta_items (with isoforms, the entry's isoforms follow it). Returns 0, 1
 * after reporting on err that this id has no output (no record, a range outside the
 * sequence), or -1 after reporting index damage. */
int fasta_resolve(const idmap_index *ix, const char *to, size_t to_len, const idmap_id_info *id,
		  int isoforms, int subsequence, idmap_entry_item *it, FILE *err);

/* One id of fasta_write_batch: fasta_resolve's arguments. */
typedef struct {
	const char *to;
	size_t to_len;
	idmap_id_info id;
	int subsequence;
} fasta_item;

#define FASTA_BATCH 4096 /* ids a batch holds: their output is kept in memory */

/* The records of the items (idmap_entry_fasta_items: read in the order of their blocks, so
 * that ids sharing a block, however far apart, inflate it once), output and messages in the
 * items' order (fasta_batch.c). Adds the ids without output to *failed. Returns 0, or -1
 * after an index or write error (nothing written from that id on). */
int fasta_write_batch(const idmap_index *ix, const fasta_item *items, size_t n, int isoforms,
		      uint64_t *failed);

#endif
