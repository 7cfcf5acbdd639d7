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

/* Writes the record of entry id `to` (and with isoforms, the entry's isoforms) for the input
 * id `id` (its text names the id in messages; with subsequence, its range "[a-b]" cuts the
 * residues). Returns 0, 1 after reporting that this id has no output (no record, a range
 * outside the sequence), or -1 after reporting a write or index error. */
int fasta_write_entry(const idmap_index *ix, const char *to, size_t to_len,
		      const idmap_id_info *id, int isoforms, int subsequence, FILE *out, FILE *err);

/* One id of fasta_write_batch: fasta_write_entry's arguments. */
typedef struct {
	const char *to;
	size_t to_len;
	idmap_id_info id;
	int subsequence;
} fasta_item;

#define FASTA_BATCH 4096 /* ids a batch holds: their output is kept in memory */

/* fasta_write_entry of each item, output and messages exactly in the items' order, but the
 * records read in the order of their blocks, so that ids sharing a block (however far apart)
 * inflate it once (fasta_batch.c). Adds the ids without output to *failed. Returns 0, or -1
 * after an index or write error (nothing written after that id's output). */
int fasta_write_batch(const idmap_index *ix, const fasta_item *items, size_t n, int isoforms,
		      uint64_t *failed);

#endif
