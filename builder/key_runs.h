/* Key partitions too large for one pass of the keys phase (key_runs.c): their records are
 * read once into sorted runs on disk, each key's accessions once per run; the runs are then
 * merged and the file's MPHF partitions written one after the other from the merged stream.
 * Memory stays within a pass's budget whatever the skew (a key shared by millions of
 * accessions) or duplication (a line repeated millions of times): a key's accessions are
 * streamed from disk into its record, never gathered. The index is the same as an in-memory
 * pass over the same file would write. */
#ifndef IDMAP_KEY_RUNS_H
#define IDMAP_KEY_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "build_internal.h"

/* One record of a keys pass: the key's hash, its value in the pass arena (u16 length, then
 * the bytes; KEY_SELF set when the value names this entry's own accession), the accession
 * slot (or IDMAP_NO_ACC) and the type. */
typedef struct {
	uint64_t hi, lo;
	uint64_t off;
	uint32_t acc;
	uint32_t type;
} key_entry;

/* In key_entry.off: the value names the entry's accession (idmap_vcode_names), so that the
 * key's record, when that is its one accession, stores the value without it (value form 7,
 * FORMAT.md "Member values"). */
#define KEY_SELF (1ull << 63)
#define KEY_OFF(e) ((e)->off & ~KEY_SELF)

/* Path of run r of key partition file f. */
void keyrun_path(const build *b, char *out, size_t len, uint32_t f, uint32_t level, uint32_t r);

/* Writes entries e[0, n), sorted by (hi, lo, acc), as run r of file f: each key once with
 * its distinct accessions. Two distinct keys with one hash fail as in a pass. */
int keyrun_write(const build *b, build_err *err, uint32_t f, uint32_t r, const key_entry *e,
		 size_t n, const uint8_t *arena);

/* Merges the nruns runs of file f (removing them) and writes its nsub MPHF partitions, their
 * key records in slot order and their forward pairs. */
int keyruns_write_file(build *b, uint32_t f, uint32_t nsub, uint32_t nruns);

/* Shared with build_keys.c: sends the pair (acc, key slot) of a key of type `type` to the
 * forward partitions (0 or -1, error set), and counts a written key of `count` accessions. */
int keys_forward_pair(build *b, uint32_t acc, uint32_t type, uint64_t slot);
void keys_count(build *b, uint32_t type, uint64_t count);

#endif
