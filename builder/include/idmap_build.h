/* The index builder: release files in, one index file out. */
#ifndef IDMAP_BUILD_API_H
#define IDMAP_BUILD_API_H

#include <stddef.h>
#include <stdint.h>

typedef void (*idmap_build_log_fn)(void *ctx, const char *msg);

typedef struct {
	const char *output;	    /* index path; written atomically (temp file + rename) */
	const char *const *inputs;  /* paths, "-" for standard input */
	size_t n_inputs;
	uint64_t memory;	    /* budget in bytes for the build's buffers (default 2 GiB) */
	unsigned threads;	    /* 0 = all cores */
	const char *tmpdir;	    /* NULL = the directory of output */
	const char *release;	    /* NULL = read from the inputs */
	uint64_t seed;		    /* hash seed; 0 = the default */
	idmap_build_log_fn log;	    /* progress lines; NULL = silent */
	void *log_ctx;
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

#endif
