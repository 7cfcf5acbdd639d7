/* State shared by the phases of a build (build.c drives them):
 *   ingest     inputs -> accession and key partitions on disk       (build.c)
 *   accessions partitions -> accession MPHF, ACC_CODES              (build_acc.c)
 *   keys       partitions -> key MPHF, KEY_INDEX/KEY_POOL, forward  (build_keys.c)
 *              pairs partitioned by accession slot
 *   forward    pairs -> FWD_INDEX/FWD_POOL                           (build_fwd.c)
 * Nothing proportional to the input is held in memory beyond the budget: every phase reads
 * one partition at a time, sized from it (a key or forward partition that does not fit goes
 * through sorted runs on disk, key_runs.h and fwd_runs.h; an accession partition is read in
 * chunks), and KEY_INDEX is gathered in memory only when it fits an eighth of it. */
#ifndef IDMAP_BUILD_INTERNAL_H
#define IDMAP_BUILD_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "idmap_build.h"
#include "index_writer.h"
#include "input.h"
#include "mphf.h"
#include "mphf_build.h"
#include "offset_table.h"
#include "spill.h"
#include "value_code.h"

#define IDMAP_NO_ACC UINT32_MAX
/* Threads that prepare key passes (read, sort, MPHF) for the one that writes them. Each of
 * them and the written pass take an equal share of the pass budget, a split that must not
 * depend on --threads (the index would), so the count is fixed; two kept both cores of the
 * 2-core test machine busy in the keys phase. */
#define IDMAP_MAX_KEY_WORKERS 2

/* --threads beyond this many are not used: more threads than the items of a pass (MPHF
 * partitions of 2^18 keys at most) would wait, and each costs a stack. */
#define IDMAP_MAX_THREADS 1024

/* Threads that read and sort forward partitions for the one that writes them, at most. Any
 * count gives the same index (the records are written in slot order; the partitions, sized
 * so that every reader's fits its share of the budget, only change where the ranges end).
 * Beyond a few, the writing thread is the limit: at 1e7 lines it spends half the readers'
 * CPU time. */
#define IDMAP_MAX_FWD_READERS 8

/* A record of a key partition file: u64 accession code, u16 type id (< IDMAP_MAX_TYPES),
 * u16 value length, the value. Every byte is written once and read once per build (2.6 GB at
 * 1e8 lines), so the header is kept small. */
#define IDMAP_KEY_REC_HEAD 12

/* The ID_type dictionary, in order of first appearance. */
typedef struct {
	char **names;
	uint16_t *name_lens;
	uint64_t *pairs, *keys;
	uint32_t n;
	size_t cap;
	uint32_t *table; /* open addressing: type id + 1, 0 = empty */
	uint32_t table_size;
	/* Held while a type is added and by types_find, when the table is shared (NULL: not). */
	pthread_mutex_t *lock;
} build_types;

int types_intern(build_types *t, const char *name, size_t len, uint32_t *id);
/* Looks a name up, from any thread while one thread interns (under t->lock). Returns 0 with
 * *id set, or -1 when the name is not in the table (yet). */
int types_find(const build_types *t, const char *name, size_t len, uint32_t *id);
/* Per-type flags for the keys phase: own (name starts with '#'), no_forward (aliases), and
 * the value coding of each type (value_code.h). */
int types_flags(const build_types *t, uint8_t **own, uint8_t **no_forward, idmap_vcode **vcode);
void types_free(build_types *t);
/* Serialises the TYPES section into a new buffer. */
int types_serialize(const build_types *t, uint8_t **out, size_t *len);

/* Writes one key space's MPHF: directory tables in memory, pilots and remap into section
 * files (and, when keep is set, into memory too, for lookups during the build). */
typedef struct {
	uint32_t fbits;
	uint64_t seed;
	uint8_t *files; /* F entries */
	uint8_t *parts; /* growing partition table */
	size_t nparts, parts_cap;
	uint64_t nkeys, npilots, nremap;
	idmap_spill pilots, remap;
	int keep;
	uint8_t *kept_pilots; /* the pilot section's bytes, as in the file */
	uint64_t kept_pilots_len; /* once ks_finish has added the exceptions */
	/* u64 global bucket << 16 | pilot for the pilots above 254, in a temporary file (about
	 * 0.02 bytes a key) until ks_finish appends them to the pilots */
	idmap_spill exceptions;
	const char *name; /* of the temporary files */
	uint8_t *kept_remap;
	size_t kept_pilots_cap, kept_remap_cap;
} keyspace_writer;

typedef struct build_entries build_entries; /* build_entries.c */
typedef struct ingest_pipe ingest_pipe;     /* ingest_pipe.c */

typedef struct build {
	const idmap_build_opts *o;
	double started; /* monotonic seconds, for the log */
	/* wall, process CPU and calling thread CPU seconds at the last phase's end */
	double phase_wall, phase_cpu, phase_own;
	char *err;
	size_t errlen;
	char *tmpdir; /* private directory for this build, removed at the end */
	uint64_t memory;
	uint32_t threads; /* for the MPHF partitions of a pass */
	idmap_spill_bg *bg; /* writes every temporary and section file; NULL: synchronous */
	idmap_index_writer iw; /* the new index file; KEY_POOL and FWD_POOL go straight in */

	build_types types;
	uint32_t fbits;		/* 2^fbits partitions of each key space */
	size_t spill_buf;	/* buffer size of one partition writer */
	idmap_spill *acc_parts; /* ingest: accession codes */
	idmap_spill *key_parts; /* ingest: key records */
	ingest_pipe *pipe;	/* hashes and writes them on a thread of its own; NULL: none */
	uint64_t last_acc;	/* to drop repeats of the same accession (the pipe's thread) */
	uint64_t last_isoform;	/* likewise for its #isoform-of record */
	/* The last triple read, to drop a line that repeats it (prev_len 0: none) before it
	 * costs anything further: a release file repeating a line millions of times then
	 * builds faster than ordinary input. Other duplicates go in the keys phase. */
	uint64_t prev_acc;
	uint32_t prev_type;
	uint16_t prev_len;
	char prev_value[IDMAP_MAX_VALUE];
	uint32_t isoform_type;	/* type id of #isoform-of, UINT32_MAX until needed */
	uint32_t *alias_type;	/* data type id -> its #unversioned: type id (or ALIAS_*, build.c) */
	uint32_t *type_next;	/* type id -> the type of the line after its last line (build.c) */
	size_t type_next_cap;
	uint32_t type_last;	/* the type of the last line */
	size_t alias_cap;
	uint8_t *own_type;	/* type id -> 1 for idmap's own '#' types (keys phase) */
	uint8_t *no_forward;	/* type id -> 1 for #unversioned: types (keys phase) */
	idmap_vcode *vcode;	/* type id -> the coding of its values in key records */
	uint64_t lines, triples;
	char release_date[IDMAP_RELEASE_DATE_SIZE]; /* of the first input naming one, or "" */
	const idmap_input_info *reading; /* the input being read, for progress */
	uint64_t input_bytes_total, input_bytes_done; /* regular files only; 0 = unknown */
	double next_report;		 /* build_now() of the next progress report */

	uint64_t acc_seed, key_seed;
	pthread_mutex_t types_lock; /* types.lock while parsing threads look types up */
	uint64_t part_target;	  /* keys per MPHF partition */
	uint64_t pass_budget;	  /* bytes one pass over a key partition may hold */
	uint32_t key_workers;	  /* threads preparing key passes, 1 .. IDMAP_MAX_KEY_WORKERS */
	uint32_t pass_threads;	  /* threads each of them uses inside its pass (par.h) */
	uint32_t write_threads;	  /* threads the writing thread uses inside a pass */
	keyspace_writer acc_ks, key_ks;
	uint8_t *acc_dir, *key_dir;
	size_t acc_dir_len, key_dir_len;
	idmap_mphf_view acc_view; /* lookups of the accession MPHF during the keys phase */
	idmap_spill acc_codes;
	idmap_spill key_index, key_wide, key_pool;
	idmap_ot_writer key_ot; /* KEY_INDEX, written into key_index and key_wide */
	uint64_t key_pool_bytes;
	uint64_t pairs; /* distinct triples */
	uint64_t upis;	/* UniParc UPIs among the accession codes (META upis) */

	uint32_t nfwd;		/* forward partitions */
	uint32_t fwd_readers;	/* threads reading them, 1 .. IDMAP_MAX_FWD_READERS (plan_forward) */
	uint32_t fwd_write_threads; /* threads encoding the records of the one being written */
	uint64_t fwd_range;	/* accession slots per forward partition */
	/* Forward pairs packed where they are written (build_fwd.c): one u64
	 * (accession - partition start) << (fwd_tbits + fwd_kbits) | type << fwd_kbits | key,
	 * with key bits for the triple count (more than the keys); else 12-byte records. */
	int fwd_packed;
	unsigned fwd_kbits, fwd_tbits;
	idmap_spill *fwd_parts;
	idmap_spill fwd_index, fwd_wide, fwd_pool;
	idmap_ot_writer fwd_ot; /* FWD_INDEX, written into fwd_index and fwd_wide */
	uint64_t fwd_pool_bytes;

	size_t input_index;     /* the input being read */
	const idmap_input_opts *input_opts; /* how the ingest reads them */
	/* idmapping_selected.tab read in step with the idmapping.dat input step_dat (SIZE_MAX:
	 * none now), build_step.c; step_tried once the first idmapping.dat input was seen. */
	struct build_step *step;
	size_t step_dat;
	int step_tried;
	/* What each line of that input looks at before calling build_step.c: the entry whose
	 * lines go by, and bit t (t mod 64) set when the row has a pair of type t. A line of the
	 * same entry whose bit is clear repeats nothing of the row. */
	uint64_t step_acc, step_types;
	build_entries *entries; /* FASTA records; NULL until the first one */
} build;

/* Formats an error into b->err; returns -1 so callers can `return fail(...)`. */
int build_fail(build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* As build_fail, appending ": strerror(errno)". */
int build_fail_errno(build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Where a worker thread of the build reports an error: a text buffer of its own. A worker
 * gets the build as const plus its build_err, never a copy of the build, so no field of the
 * main thread's build can be shared or written by accident. */
typedef struct {
	char *text;
	size_t len;
} build_err;
/* As build_fail and build_fail_errno, into e. Return -1. */
int build_err_set(build_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int build_err_errno(build_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "what: two distinct keys share a 128-bit hash; ..." into e. Returns -1. */
int build_err_collision(build_err *e, const char *what);
/* The build's own error buffer, for the main thread's calls of functions shared with workers. */
static inline build_err build_err_of(build *b)
{
	return (build_err){b->err, b->errlen};
}
/* Monotonic clock in seconds. */
double build_now(void);
/* CPU time of the calling thread, in seconds. */
double build_thread_cpu(void);
/* -1 with the error "interrupted" once the caller's cancel flag is set, else 0. */
int build_cancelled(build *b);
/* Reports progress when the last report is older than a quarter second (or force). */
void build_progress(build *b, const char *phase, uint64_t done, uint64_t total, int force);
void build_log(build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Offset tables: starts the writer w of out in layout, its wide entries going to the temporary
 * file name; adds the record of a pool that ends at end; writes the last block. what names the
 * records in an error. Each returns 0 or -1 (error set). */
int build_ot_start(build *b, idmap_ot_writer *w, idmap_ot_layout layout, idmap_spill *out,
		   idmap_spill *wide, const char *name);
int build_ot_add(build *b, idmap_ot_writer *w, uint64_t end, const char *what);
int build_ot_finish(build *b, idmap_ot_writer *w, const char *what);
/* Buffer size of a section or index file writer: `most`, less under a small budget (its
 * 64th, a power of two, at least 64 KiB), so that the writers (a dozen at a time, two buffers
 * each) do not outgrow the budget itself. The index does not depend on it. */
size_t build_write_buf(const build *b, size_t most);
/* Path of a file in the build's temporary directory, in a static buffer per call site. */
void build_path(const build *b, char *out, size_t len, const char *name, long index);

/* Key space writer. */
int ks_init(build *b, keyspace_writer *ks, const char *name, uint32_t fbits, uint64_t seed,
	    int keep);
void ks_set_file(keyspace_writer *ks, uint32_t f, uint32_t first, uint32_t count);
/* Appends a built partition; returns its slot base in *slot_base. */
int ks_add_part(build *b, keyspace_writer *ks, const idmap_mphf_part *p, uint64_t *slot_base);
int ks_finish(build *b, keyspace_writer *ks, uint8_t **dir, size_t *dir_len);
void ks_free(keyspace_writer *ks);
/* Builds count partitions, partition i from the hashes h[first[i], first[i + 1]), on
 * `threads` threads (the build's, or 1 on a worker); on failure frees them all and sets err. */
int ks_build_parts(build_err *err, uint32_t threads, idmap_mphf_part *parts,
		   const idmap_h128 *h, const size_t *first, uint32_t count, const char *what);

/* Bits needed for the values 0 .. n - 1. */
static inline unsigned bits_below(uint64_t n)
{
	return n <= 1 ? 0 : 64u - (unsigned)__builtin_clzll(n - 1);
}

/* Partition count within a file for n items, and which one a hash falls in. */
uint32_t parts_for(uint64_t n, uint64_t target);
static inline uint32_t sub_of(uint64_t hi, uint32_t fbits, uint32_t count)
{
	uint64_t r = fbits ? hi << fbits : hi;
	return count <= 1 ? 0 : (uint32_t)idmap_fastrange64(r, count);
}
static inline uint32_t file_of(uint64_t hi, uint32_t fbits)
{
	return fbits ? (uint32_t)(hi >> (64 - fbits)) : 0;
}

/* Opens s on a section written straight into the new index file (idmap_iw_place_begin),
 * and ends it there. Return 0 or -1 (error set). */
int build_place_open(build *b, idmap_spill *s);
int build_place_close(build *b, idmap_spill *s, uint32_t id);

/* The partition-choosing halves of a triple's hashes, when a parsing thread computed them
 * (idmap_triple.prepared); NULL: the caller of build_part_triple has not. */
typedef struct {
	uint64_t key_hi, acc_hi;
} build_hashes;

/* Threads parsing idmapping.dat and idmapping_selected.tab lines (input_par.c) at most: each
 * holds a chunk of text and its triples in flight. */
#define IDMAP_MAX_PARSE_THREADS 8

/* The ingest pipe (ingest_pipe.c): with three threads or more, the parsing thread hands its
 * triples in batches to one thread that hashes them into the partition files, in order.
 * ingest_pipe_start starts it (no thread: b->pipe stays NULL and the parsing thread calls
 * build_part_triple itself); ingest_pipe_put queues a triple (-1 with err once the thread
 * failed); ingest_pipe_new_input marks where an input starts (the accession repeats are
 * dropped within an input); ingest_pipe_stop writes what is queued and ends the thread
 * (-1 with the build's error set if it failed; nothing without a pipe). */
int ingest_pipe_start(build *b);
int ingest_pipe_put(ingest_pipe *p, uint64_t acc, uint32_t type, const char *value, size_t len,
		    const build_hashes *h, char *err, size_t errlen);
int ingest_pipe_new_input(build *b);
int ingest_pipe_stop(build *b);
/* Appends one triple to its accession and key partition files (err: "writing temporary
 * files ..."). Returns 0 or -1. */
int build_part_triple(build *b, uint64_t acc, uint32_t type, const char *value, size_t len,
		      const build_hashes *h, char *err, size_t errlen);

/* build.c: a triple of the ingest, checked, counted and added with the pairs idmap derives
 * from it; build_on_row_triple is the triple callback that does all of it, reading no row in
 * step (for rows read out of step and the rest of the row file). Return 0, -1 or
 * IDMAP_TRIPLE_REFUSED as a triple callback. */
int build_add_pair(build *b, const idmap_triple *t, uint32_t type, const build_hashes *h,
		   char *err, size_t errlen);
int build_type_id(build *b, const idmap_triple *t, uint32_t *type, char *err, size_t errlen);
int build_on_row_triple(void *ctx, const idmap_triple *t, char *err, size_t errlen);

/* idmapping_selected.tab in step with idmapping.dat (build_step.c). step_open, at the first
 * triple of an idmapping.dat input, opens the first idmapping_selected.tab input after it to be
 * read in step (not under a small budget); step_dat_triple sees the triples of that input
 * that start an entry or whose type bit is set in step_types (a return as build_add_pair's); step_dat_end ends it (0 or -1, the build's error set); at
 * the row file's turn, step_is_input says so and step_read_rest reads what was not taken
 * (as idmap_input_read_opts); step_free ends it all (NULL: nothing). */
void step_open(build *b);
int step_dat_triple(build *b, uint64_t acc, uint32_t type, const char *value, size_t len,
		    char *err, size_t errlen);
int step_dat_end(build *b);
int step_is_input(const build *b, size_t i);
int step_read_rest(build *b, idmap_input_info *info);
void step_free(build *b);

int build_accessions(build *b);
int build_keys(build *b);
int build_forward(build *b);

/* The entry store (build_entries.c): the FASTA callback of the ingest (ctx is the build);
 * entries_ingest_done at the end of the ingest writes out what the later phases' memory
 * needs; after them, entries_finish sorts the records; entries_add_sections hands the store's
 * sections to the writer (nothing without FASTA input); entries_free releases it all. */
/* Buffer of each entry-store file writer (two with the background writer): the blocks are
 * written at about the speed of deflate, far below the disk's, so small ones do. */
#define IDMAP_ENTRY_SPILL_BUF ((size_t)256 << 10)
int entries_on_record(void *ctx, const idmap_fasta_record *r, char *err, size_t errlen);
int entries_ingest_done(build *b);
int entries_finish(build *b);
int entries_add_sections(build *b, idmap_index_writer *w);
void entries_free(build *b);

#endif
