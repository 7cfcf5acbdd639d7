/* The index builder: release files in, one index file out. */
#ifndef IDMAP_BUILD_API_H
#define IDMAP_BUILD_API_H

#include <stddef.h>
#include <stdint.h>

typedef void (*idmap_build_log_fn)(void *ctx, const char *msg);

/* A progress report: what the build is doing and how far it is. */
typedef struct {
	const char *phase; /* "read", "accessions", "keys", "forward", "write" */
	uint64_t done;	   /* read: input bytes consumed (compressed); others: partitions done */
	uint64_t total;	   /* the same when complete; 0 when unknown (standard input) */
	uint64_t lines;	   /* data lines read so far */
	double elapsed;	   /* seconds since the build started */
} idmap_build_progress;

typedef void (*idmap_build_progress_fn)(void *ctx, const idmap_build_progress *p);

typedef struct {
	const char *output;	    /* index path; written atomically (temp file + rename) */
	const char *const *inputs;  /* paths, "-" for standard input */
	size_t n_inputs;
	uint64_t memory;	    /* budget in bytes for the build's buffers (default 2 GiB) */
	unsigned threads;	    /* 0 = all cores */
	const char *tmpdir;	    /* NULL = the directory of output */
	const char *release;	    /* NULL = read from the inputs */
	uint64_t seed;		    /* hash seed; 0 = the default */
	idmap_build_log_fn log;	    /* a line per phase; NULL = silent */
	void *log_ctx;
	idmap_build_progress_fn progress; /* called about 4 times a second; NULL = none */
	void *progress_ctx;
	/* When non-NULL and *cancel becomes non-zero (e.g. from a signal handler), the build stops
	 * at the next line or partition, cleans up and fails with "interrupted". */
	const volatile int *cancel;
} idmap_build_opts;

/* Sets the defaults. */
void idmap_build_opts_init(idmap_build_opts *o);

/* Builds the index. Returns 0, or -1 with a message in err ("FILE:LINE: reason" for bad
 * input). On failure no file is left at o->output (an index already there is untouched) and
 * temporary files are removed. */
int idmap_build(const idmap_build_opts *o, char *err, size_t errlen);

/* Temporary names carry the tag "<pid>@<host>" of the build that made them:
 * "DIR/.idmap-build.<tag>.XXXXXX" (the build's directory, in tmpdir or the output's directory)
 * and "DIR/.<name>.idmap-tmp.<tag>.XXXXXX" (the index being written, beside <name>).
 * Writes this process's tag (NUL-terminated, truncated to len) into out. */
void idmap_build_tmp_tag(char *out, size_t len);

/* Removes what killed builds left behind: the temporary directories in tmpdir (may be NULL)
 * and in the directory of output (may be NULL), and the partial index files in the directory of
 * output, whose tag names this host and a process that no longer exists. Entries of live
 * processes and of other hosts are left alone. idmap_build() does this before it starts.
 * log (may be NULL) gets one line per removed entry. Returns the number of entries removed, or
 * -1 with a message in err when one could not be removed (the others are still removed). */
int idmap_build_clean_tmp(const char *output, const char *tmpdir, idmap_build_log_fn log,
			  void *log_ctx, char *err, size_t errlen);

#endif
