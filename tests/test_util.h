/* Helpers shared by the CMocka tests: a temporary directory per test program, files written
 * into it, and an index of the bundled sample release. Include after <cmocka.h>. */
#ifndef IDMAP_TEST_UTIL_H
#define IDMAP_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idmap_build.h"

static char tu_dir[64];

/* Creates /tmp/<prefix>XXXXXX as the test's directory. Returns 0 or -1. */
static inline int tu_make_dir(const char *prefix)
{
	snprintf(tu_dir, sizeof tu_dir, "/tmp/%sXXXXXX", prefix);
	return mkdtemp(tu_dir) ? 0 : -1;
}

/* Removes the test's directory and everything in it. Returns 0 or -1. */
static inline int tu_remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The path of name in the test's directory; four calls may be in use at once. */
static inline const char *tu_path(const char *name)
{
	static char buf[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", tu_dir, name);
	return buf[i];
}

/* Writes data to name in the test's directory and returns its path. */
static inline const char *tu_write_file(const char *name, const void *data, size_t len)
{
	const char *path = tu_path(name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Text gathered by an idmap_write_fn (tu_text_write): NUL-terminated, grown as needed.
 * Start from {0}; free(t.buf) at the end. */
typedef struct {
	char *buf;
	size_t len, cap;
} tu_text;

static inline int tu_text_write(void *ctx, const void *p, size_t n)
{
	tu_text *t = ctx;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *b = realloc(t->buf, cap);
		if (!b)
			return -1;
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
	t->buf[t->len] = 0;
	return 0;
}

#ifdef IDMAP_MAP_H /* tests of the engine (idmap.h included first) */
/* A mapping request from -> to, nothing else set. */
static inline idmap_request tu_request(const char *from, const char *to)
{
	idmap_request r;
	memset(&r, 0, sizeof r);
	r.from = from;
	r.to = to;
	return r;
}
#endif

/* Builds an index of inputs at out (one thread, 64 MiB). Returns 0 or -1 with the builder's
 * message on stderr. */
static inline int tu_build(const char *out, const char *const *inputs, size_t n)
{
	idmap_build_opts o;
	idmap_build_opts_init(&o);
	o.output = out;
	o.inputs = inputs;
	o.n_inputs = n;
	o.threads = 1;
	o.memory = 64u << 20;
	char err[256] = "";
	if (idmap_build(&o, err, sizeof err) != 0) {
		fprintf(stderr, "idmap_build: %s\n", err);
		return -1;
	}
	return 0;
}

/* Builds the index of data/sample/ (tests run in tests/) at out. */
static inline int tu_build_sample(const char *out)
{
	const char *const inputs[] = {"../data/sample/idmapping.dat",
				      "../data/sample/idmapping_selected.tab",
				      "../data/sample/sec_ac.txt", "../data/sample/delac_sp.txt"};
	return tu_build(out, inputs, 4);
}

#ifdef IDMAP_INDEX_H
/* A group setup: the test's directory /tmp/<prefix>XXXXXX and the sample index built there
 * and opened in *ix. Returns 0 or -1. */
static inline int tu_open_sample(const char *prefix, idmap_index **ix)
{
	if (tu_make_dir(prefix) < 0)
		return -1;
	const char *path = tu_path("sample.idx");
	return tu_build_sample(path) < 0 || idmap_open(path, ix) != IDMAP_OK ? -1 : 0;
}

/* The group teardown of tu_open_sample. */
static inline int tu_close_sample(idmap_index *ix)
{
	idmap_close(ix);
	return tu_remove_dir();
}
#endif

#endif
