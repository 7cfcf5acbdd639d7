/* idmap_build(): drives the phases (see build_internal.h), sizes partitions from the memory
 * budget, writes META and TYPES and commits the index atomically. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libdeflate.h>

#include "accession.h"
#include "build_internal.h"
#include "idmap_format.h"
#include "idmap_vec.h"
#include "index_writer.h"
#include "input.h"
#include "name_hash.h"
#include "versioned.h"

#define DEFAULT_SEED 0x1D3A9C0FFEE5EEDull
#define MIN_MEMORY (1ull << 20) /* tests use tiny budgets to force many partitions */
/* Keys per MPHF partition at most: the pilot search runs in the cache of the partition's
 * position bitmap; 2^18 keys took 93.5 ns a key and 2^20 113.5 ns (micro-benchmark), and the
 * 1e8 build's hash step went from 12.4-12.9 to 10.9-11.2 s of thread time. */
#define MAX_PART_TARGET (1u << 18)
#define MIN_SPILL_BUF 4096u
/* Forward partitions for the reading and writing threads to overlap: one per this many
 * pairs, up to MIN_FWD_PIPELINE (more when the memory budget asks for more). */
#define FWD_PIPELINE_PAIRS (1u << 20)
#define MIN_FWD_PIPELINE 32u

void idmap_build_opts_init(idmap_build_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->memory = 2ull << 30;
}

int build_cancelled(build *b)
{
	if (b->o->cancel && *b->o->cancel)
		return build_fail(b, "interrupted");
	return 0;
}

/* Writes the message into err[0, len), then ": strerror(e)" when e is not 0. Returns -1. */
static int fail_v(char *err, size_t len, int e, const char *fmt, va_list ap)
{
	vsnprintf(err, len, fmt, ap);
	if (e) {
		size_t n = strlen(err);
		snprintf(err + n, len - n, ": %s", strerror(e));
	}
	return -1;
}

int build_fail(build *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(b->err, b->errlen, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int build_fail_errno(build *b, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	fail_v(b->err, b->errlen, e, fmt, ap);
	va_end(ap);
	return -1;
}

int build_err_set(build_err *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(err->text, err->len, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int build_err_collision(build_err *err, const char *what)
{
	return build_err_set(err, "%s: two distinct keys share a 128-bit hash; rebuild with "
				  "another --seed", what);
}

int build_err_errno(build_err *err, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	fail_v(err->text, err->len, e, fmt, ap);
	va_end(ap);
	return -1;
}

int build_ot_start(build *b, idmap_ot_writer *w, idmap_ot_layout layout, idmap_spill *out,
		   idmap_spill *wide, const char *name)
{
	char path[4096];
	build_path(b, path, sizeof(path), name, 0);
	/* wide blocks are rare: a small buffer */
	if (idmap_spill_open(wide, path, build_write_buf(b, 1 << 16), b->bg) < 0)
		return build_fail_errno(b, "%s", path);
	idmap_ot_writer_init(w, layout, out, wide);
	return 0;
}

int build_ot_add(build *b, idmap_ot_writer *w, uint64_t end, const char *what)
{
	if (idmap_ot_add(w, end) < 0)
		return build_fail_errno(b, "writing the %s offsets", what);
	return 0;
}

int build_ot_finish(build *b, idmap_ot_writer *w, const char *what)
{
	if (idmap_ot_finish(w) < 0)
		return build_fail_errno(b, "writing the %s offsets", what);
	return 0;
}

double build_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of all the process's threads so far, in seconds. */
static double cpu_now(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

double build_thread_cpu(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

/* Logs the wall time, the CPU time summed over all threads (the inflating and writing ones
 * included) and that of the calling thread, which parses and writes the index alone, since
 * the last phase ended: the serial fraction of each phase (docs/building.md). */
static void phase_done(build *b, const char *phase)
{
	double wall = build_now(), cpu = cpu_now(), own = build_thread_cpu();
	build_log(b, "time %s: wall %.2f s, CPU %.2f s, calling thread %.2f s", phase,
		  wall - b->phase_wall, cpu - b->phase_cpu, own - b->phase_own);
	b->phase_wall = wall;
	b->phase_cpu = cpu;
	b->phase_own = own;
}

void build_progress(build *b, const char *phase, uint64_t done, uint64_t total, int force)
{
	if (!b->o->progress)
		return;
	double now = build_now();
	if (!force && now < b->next_report)
		return;
	b->next_report = now + 0.25;
	uint64_t lines = b->lines + (b->reading ? b->reading->lines : 0);
	idmap_build_progress p = {phase, done, total, lines, now - b->started};
	b->o->progress(b->o->progress_ctx, &p);
}

void build_log(build *b, const char *fmt, ...)
{
	if (!b->o->log)
		return;
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "[%6.1fs] ", build_now() - b->started);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	b->o->log(b->o->log_ctx, msg);
}

size_t build_write_buf(const build *b, size_t most)
{
	size_t buf = most;
	while (buf > (64 << 10) && buf > b->memory / 64)
		buf /= 2;
	return buf;
}

void build_path(const build *b, char *out, size_t len, const char *name, long index)
{
	snprintf(out, len, "%s/%s.%ld", b->tmpdir, name, index);
}

/* ---- sizing ---------------------------------------------------------------------------- */

/* Text bytes the inputs will probably expand to: gzip counts five-fold, stdin as a full
 * release, so that the partitions are never too few. */
static uint64_t estimate_text(const idmap_build_opts *o)
{
	uint64_t total = 0;
	for (size_t i = 0; i < o->n_inputs; i++) {
		struct stat st;
		if (strcmp(o->inputs[i], "-") == 0 || stat(o->inputs[i], &st) < 0 ||
		    !S_ISREG(st.st_mode)) {
			total += 100ull << 30;
			continue;
		}
		uint8_t magic[2] = {0};
		FILE *f = fopen(o->inputs[i], "rb");
		if (f) {
			if (fread(magic, 1, 2, f) != 2)
				magic[0] = 0;
			fclose(f);
		}
		int gz = magic[0] == 0x1f && magic[1] == 0x8b;
		total += (uint64_t)st.st_size * (gz ? 5 : 1);
	}
	return total;
}

/* Sum of the input sizes when every input is a regular file, else 0 (unknown). */
static uint64_t input_bytes(const idmap_build_opts *o)
{
	uint64_t total = 0;
	for (size_t i = 0; i < o->n_inputs; i++) {
		struct stat st;
		if (strcmp(o->inputs[i], "-") == 0 || stat(o->inputs[i], &st) < 0 ||
		    !S_ISREG(st.st_mode))
			return 0;
		total += (uint64_t)st.st_size;
	}
	return total;
}

static void plan(build *b)
{
	b->input_bytes_total = input_bytes(b->o);
	/* The keys phase: the accession MPHF (about 5 bits per accession) stays resident; one
	 * pass per preparing thread plus the one being written share half of the budget. The
	 * share does not depend on --threads, so that the index does not either. */
	b->key_workers = b->threads < IDMAP_MAX_KEY_WORKERS ? b->threads : IDMAP_MAX_KEY_WORKERS;
	/* The threads beyond those split between the writing thread and the preparing ones,
	 * for the work inside a pass (par.h): a third to the writer, the rest to the others.
	 * Per-thread scratch stays within the pass's budget (build_keys.c), whatever N. */
	b->write_threads = b->threads / (b->key_workers + 1);
	if (b->write_threads < 1)
		b->write_threads = 1;
	b->pass_threads = (b->threads - b->write_threads + b->key_workers - 1) / b->key_workers;
	if (b->pass_threads < 1)
		b->pass_threads = 1;
	b->pass_budget = b->memory / 2 / (IDMAP_MAX_KEY_WORKERS + 1);
	uint64_t t = b->pass_budget / 64 / 4;
	b->part_target = t < 1024 ? 1024 : t > MAX_PART_TARGET ? MAX_PART_TARGET : t;
	/* Tests: IDMAP_BUILD_PART_KEYS=N makes partitions of N keys, so that a small input has
	 * several in one pass (a full release has a hundred), for the threads of a pass. */
	const char *pk = getenv("IDMAP_BUILD_PART_KEYS");
	if (pk && atoi(pk) > 0)
		b->part_target = (uint64_t)atoi(pk);
	/* A key partition file should fit one pass: a record takes about six times its bytes
	 * on disk there (entry, sort scratch, sorted copy of its value), and every further
	 * pass over a file reads and hashes all of it again. */
	uint64_t est = estimate_text(b->o);
	uint64_t want = est / (b->pass_budget / 6) + 1;
	uint32_t fbits = 4;
	while (fbits < 12 && (1ull << fbits) < want)
		fbits++;
	/* Two writers per partition during the ingest; leave descriptors for the rest. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		while (fbits > 4 && (2ull << fbits) + 64 > rl.rlim_cur)
			fbits--;
	}
	/* ...and the smallest partition buffers (below) must fit their eighth of the budget;
	 * a small budget then reads a file in several passes instead. */
	while (fbits > 4 && (4ull << fbits) * MIN_SPILL_BUF > b->memory / 8)
		fbits--;
	b->fbits = fbits;
	/* All partition writers together use an eighth of the budget: two buffers each, one
	 * filled while the background writer empties the other. */
	uint64_t buf = b->memory / 8 / (4ull << fbits);
	b->spill_buf = buf < MIN_SPILL_BUF ? MIN_SPILL_BUF : buf > (1 << 20) ? (1 << 20) : (size_t)buf;
}

static int open_parts(build *b, idmap_spill **parts, uint32_t n, const char *name)
{
	*parts = calloc(n, sizeof(**parts));
	if (!*parts)
		return build_fail(b, "out of memory");
	for (uint32_t i = 0; i < n; i++)
		idmap_spill_init(&(*parts)[i]);
	for (uint32_t i = 0; i < n; i++) {
		char path[4096];
		build_path(b, path, sizeof(path), name, i);
		if (idmap_spill_open(&(*parts)[i], path, b->spill_buf, b->bg) < 0)
			return build_fail_errno(b, "%s", path);
	}
	return 0;
}

static int close_parts(build *b, idmap_spill *parts, uint32_t n)
{
	int rc = 0;
	for (uint32_t i = 0; parts && i < n; i++)
		if (idmap_spill_close(&parts[i]) < 0 && rc == 0)
			rc = build_fail_errno(b, "writing a temporary partition");
	return rc;
}

/* ---- ingest ---------------------------------------------------------------------------- */

/* Appends one triple to the partitions, through the ingest pipe when there is one. */
static int add_triple(build *b, uint64_t acc, uint32_t type, const char *value, size_t len,
		      const build_hashes *h, char *err, size_t errlen)
{
	b->triples++;
	if (b->pipe)
		return ingest_pipe_put(b->pipe, acc, type, value, len, h, err, errlen);
	return build_part_triple(b, acc, type, value, len, h, err, errlen);
}

/* The error of a type types_intern could not add: the format's limit on the number of types
 * is the line's fault (IDMAP_TRIPLE_REFUSED: the message names it), memory is not. */
static int type_refused(build *b, char *err, size_t errlen)
{
	if (b->types.n < IDMAP_MAX_TYPES) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(err, errlen, "more than %u ID types (idmap's own '#' types included), the "
			      "format's limit", IDMAP_MAX_TYPES);
	return IDMAP_TRIPLE_REFUSED;
}

/* The type id of a '#' type, interned on first use. */
static int own_type(build *b, const char *prefix, const char *name, size_t len, uint32_t *id,
		    char *err, size_t errlen)
{
	char full[IDMAP_MAX_TYPE_NAME + 1];
	int n = snprintf(full, sizeof(full), "%s%.*s", prefix, (int)len, name);
	if (n < 0 || (size_t)n >= sizeof(full))
		return type_refused(b, err, errlen);
	return types_intern(&b->types, full, (size_t)n, id) < 0 ? type_refused(b, err, errlen) : 0;
}

/* build.alias_type beyond type ids: not looked at yet, no alias (the type is not versioned),
 * and versioned with the alias type not interned yet. */
enum { ALIAS_UNKNOWN = UINT32_MAX, ALIAS_NONE = UINT32_MAX - 1, ALIAS_LATER = UINT32_MAX - 2 };

/* Records idmap derives from a data triple: the isoform's link to its canonical accession
 * and the unversioned alias of a versioned value. */
static int add_derived(build *b, const idmap_triple *t, uint32_t type, char *err, size_t errlen)
{
	if (t->acc && idmap_acc_isoform(t->acc) && t->acc != b->last_isoform) {
		char canon[IDMAP_ACC_TEXT_MAX];
		size_t n = idmap_acc_decode(idmap_acc_canonical(t->acc), canon);
		int rc = b->isoform_type == UINT32_MAX
				 ? own_type(b, IDMAP_TYPE_ISOFORM_OF, "", 0, &b->isoform_type, err,
					    errlen)
				 : 0;
		if (rc != 0)
			return rc;
		if (add_triple(b, t->acc, b->isoform_type, canon, n, NULL, err, errlen) < 0)
			return -1;
		b->last_isoform = t->acc;
	}
	if (!t->acc)
		return 0;
	if (type >= b->alias_cap) {
		size_t old = b->alias_cap;
		if (idmap_vec_reserve(&b->alias_type, &b->alias_cap, (size_t)type + 1,
				      sizeof(*b->alias_type)) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (size_t i = old; i < b->alias_cap; i++)
			b->alias_type[i] = ALIAS_UNKNOWN;
	}
	uint32_t *alias = &b->alias_type[type]; /* what the type's name says, once */
	if (*alias == ALIAS_UNKNOWN)
		*alias = t->type[0] != '#' && idmap_type_versioned(t->type, t->type_len) ? ALIAS_LATER
											 : ALIAS_NONE;
	if (*alias == ALIAS_NONE)
		return 0;
	size_t stem = idmap_version_stem(t->value, t->value_len);
	if (!stem)
		return 0;
	int rc = *alias == ALIAS_LATER ? own_type(b, IDMAP_TYPE_UNVERSIONED_PREFIX, t->type,
						  t->type_len, alias, err, errlen)
				       : 0;
	if (rc != 0)
		return rc;
	return add_triple(b, t->acc, *alias, t->value, stem, NULL, err, errlen);
}

/* The type id of a name. The lines of an entry come in much the same order of types, entry
 * after entry: the type that followed the last line's type the time before is tried first,
 * with one compare instead of a hash and a probe. */
static int type_of(build *b, const char *name, size_t len, uint32_t *type)
{
	const build_types *bt = &b->types;
	uint32_t guess = b->type_last < b->type_next_cap ? b->type_next[b->type_last] : UINT32_MAX;
	if (guess < bt->n && bt->name_lens[guess] == len &&
	    idmap_name_eq(bt->names[guess], name, len)) {
		*type = guess;
	} else {
		if (types_intern(&b->types, name, len, type) < 0)
			return -1;
		if (b->type_last >= b->type_next_cap) {
			size_t old = b->type_next_cap;
			if (idmap_vec_reserve(&b->type_next, &b->type_next_cap,
					      (size_t)b->type_last + 1, sizeof(*b->type_next)) < 0)
				return -1;
			for (size_t i = old; i < b->type_next_cap; i++)
				b->type_next[i] = UINT32_MAX;
		}
		b->type_next[b->type_last] = *type;
	}
	b->type_last = *type;
	return 0;
}

int build_type_id(build *b, const idmap_triple *t, uint32_t *type, char *err, size_t errlen)
{
	if (t->prepared)
		*type = t->type_id;
	else if (type_of(b, t->type, t->type_len, type) < 0)
		return type_refused(b, err, errlen);
	if (t->value_len == 0 || t->value_len > IDMAP_MAX_VALUE) {
		snprintf(err, errlen, "value length %zu outside 1..%u", t->value_len,
			 IDMAP_MAX_VALUE);
		return IDMAP_TRIPLE_REFUSED;
	}
	return 0;
}

int build_add_pair(build *b, const idmap_triple *t, uint32_t type, const build_hashes *h,
		   char *err, size_t errlen)
{
	if (t->acc == b->prev_acc && type == b->prev_type && t->value_len == b->prev_len &&
	    memcmp(t->value, b->prev_value, t->value_len) == 0)
		return 0;
	b->prev_acc = t->acc;
	b->prev_type = type;
	b->prev_len = (uint16_t)t->value_len;
	memcpy(b->prev_value, t->value, t->value_len);
	if (add_triple(b, t->acc, type, t->value, t->value_len, h, err, errlen) < 0)
		return -1;
	return add_derived(b, t, type, err, errlen);
}

/* The checks every triple goes through first. */
static int arrived(build *b, char *err, size_t errlen)
{
	if (b->o->cancel && *b->o->cancel) {
		snprintf(err, errlen, "interrupted");
		return -1;
	}
	if ((b->triples & 0xffff) == 0 && b->reading)
		build_progress(b, "read", b->input_bytes_done + b->reading->bytes,
			       b->input_bytes_total, 0);
	return 0;
}

int build_on_row_triple(void *ctx, const idmap_triple *t, char *err, size_t errlen)
{
	build *b = ctx;
	uint32_t type;
	int rc = arrived(b, err, errlen);
	if (rc == 0)
		rc = build_type_id(b, t, &type, err, errlen);
	build_hashes h = {t->key_hi, t->acc_hi};
	return rc != 0 ? rc : build_add_pair(b, t, type, t->prepared ? &h : NULL, err, errlen);
}

static int on_triple(void *ctx, const idmap_triple *t, char *err, size_t errlen)
{
	build *b = ctx;
	uint32_t type;
	int rc = arrived(b, err, errlen);
	if (rc == 0)
		rc = build_type_id(b, t, &type, err, errlen);
	if (rc != 0)
		return rc;
	if (!b->step_tried && b->reading && b->reading->kind == IDMAP_KIND_DAT)
		step_open(b);
	if (b->input_index == b->step_dat &&
	    (t->acc != b->step_acc || (b->step_types >> (type & 63) & 1)) &&
	    (rc = step_dat_triple(b, t->acc, type, t->value, t->value_len, err, errlen)) != 0)
		return rc;
	build_hashes h = {t->key_hi, t->acc_hi};
	return build_add_pair(b, t, type, t->prepared ? &h : NULL, err, errlen);
}

/* What a parsing thread remembers of the types (build_prep). */
typedef struct {
	build_types local; /* the names this thread met, numbered in its own order */
	uint32_t *global;  /* local id -> the build's type id, UINT32_MAX: not interned yet */
	uint64_t *missed;  /* local id -> 1 + the chunk whose look-up of it failed last */
	size_t cap;
	uint64_t acc, acc_hi; /* the last accession hashed */
} prep_state;

static void prep_free(void *state)
{
	prep_state *s = state;
	types_free(&s->local);
	free(s->global);
	free(s->missed);
	free(s);
}

/* On a parsing thread (input_par.c): the triple's type id and hashes, when its type was
 * interned already. A type is interned in input order, by the thread calling on_triple, so
 * one found in the table has the id it had where it first appeared, before this triple;
 * others are left to on_triple (a failed look-up is tried again in the next chunk). */
static void build_prep(void *ctx, void **state, uint64_t chunk, idmap_triple *t)
{
	const build *b = ctx;
	prep_state *s = *state;
	if (!s && !(s = *state = calloc(1, sizeof(*s))))
		return;
	uint32_t id;
	if (types_intern(&s->local, t->type, t->type_len, &id) < 0)
		return;
	if (id >= s->cap) {
		size_t old = s->cap, c2 = s->cap;
		if (idmap_vec_reserve(&s->global, &s->cap, (size_t)id + 1, sizeof(*s->global)) < 0 ||
		    idmap_vec_reserve(&s->missed, &c2, s->cap, sizeof(*s->missed)) < 0) {
			s->cap = old < c2 ? old : c2;
			return;
		}
		for (size_t i = old; i < s->cap; i++) {
			s->global[i] = UINT32_MAX;
			s->missed[i] = 0;
		}
	}
	if (s->global[id] == UINT32_MAX) {
		if (s->missed[id] == chunk + 1 ||
		    types_find(&b->types, t->type, t->type_len, &s->global[id]) < 0) {
			s->missed[id] = chunk + 1;
			return;
		}
	}
	if (t->acc != s->acc) {
		s->acc = t->acc;
		s->acc_hi = idmap_hash_acc(t->acc, b->acc_seed).hi;
	}
	t->type_id = s->global[id];
	t->key_hi = idmap_hash_key(t->type_id, t->value, t->value_len, b->key_seed).hi;
	t->acc_hi = s->acc_hi;
	t->prepared = 1;
}

/* ---- metadata -------------------------------------------------------------------------- */

/* META values may hold no TAB or newline. */
static void clean(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
}

static void utc_now(char *out, size_t len)
{
	time_t now = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH"); /* reproducible builds */
	if (sde && *sde)
		now = (time_t)strtoll(sde, NULL, 10);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- the build ------------------------------------------------------------------------- */

static void remove_tmpdir(build *b)
{
	if (!b->tmpdir)
		return;
	DIR *d = opendir(b->tmpdir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", b->tmpdir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(b->tmpdir);
	free(b->tmpdir);
	b->tmpdir = NULL;
}

static int make_tmpdir(build *b)
{
	const char *base = b->o->tmpdir;
	char *copy = NULL;
	if (!base) {
		copy = strdup(b->o->output);
		if (!copy)
			return build_fail(b, "out of memory");
		base = dirname(copy);
	}
	/* What killed builds left here goes first (tmp_clean.c); failing that is no error. */
	char tag[96], cerr[512];
	if (idmap_build_clean_tmp(b->o->output, b->o->tmpdir, b->o->log, b->o->log_ctx, cerr,
				  sizeof(cerr)) < 0)
		build_log(b, "warning: %s", cerr);
	idmap_build_tmp_tag(tag, sizeof(tag));
	size_t len = strlen(base) + strlen(tag) + 32;
	b->tmpdir = malloc(len);
	if (!b->tmpdir) {
		free(copy);
		return build_fail(b, "out of memory");
	}
	snprintf(b->tmpdir, len, "%s/.idmap-build.%s.XXXXXX", base, tag);
	if (!mkdtemp(b->tmpdir)) {
		build_fail_errno(b, "cannot create a temporary directory in %s", base);
		free(b->tmpdir);
		b->tmpdir = NULL;
		free(copy);
		return -1;
	}
	free(copy);
	return 0;
}

static int add_section_file(build *b, idmap_index_writer *w, uint32_t id, idmap_spill *s,
			    const char *name, long index)
{
	char path[4096];
	/* Closed here, not at the end: the writer removes the file once copied, and an open
	 * descriptor would keep its blocks on the disk. */
	if (idmap_spill_close(s) < 0)
		return build_fail_errno(b, "writing section %u", id);
	build_path(b, path, sizeof(path), name, index);
	if (idmap_iw_add_file(w, id, path, s->bytes, s->crc) < 0)
		return build_fail(b, "out of memory");
	return 0;
}

/* KEY_INDEX, from memory or from its file (build_keys chose). */
static int add_key_index(build *b, idmap_index_writer *w)
{
	if (!b->key_index.in_memory)
		return add_section_file(b, w, IDMAP_SECTION_KEY_INDEX, &b->key_index, "key-index",
					0);
	size_t len;
	uint8_t *bytes = idmap_spill_take_mem(&b->key_index, &len);
	if (idmap_iw_give_mem(w, IDMAP_SECTION_KEY_INDEX, bytes, len,
			      libdeflate_crc32(0, bytes, len)) < 0)
		return build_fail(b, "out of memory");
	return 0;
}

int build_place_open(build *b, idmap_spill *s)
{
	uint64_t offset;
	int fd = idmap_iw_place_begin(&b->iw, &offset);
	if (fd < 0)
		return build_fail_errno(b, "%s", b->iw.tmp ? b->iw.tmp : b->o->output);
	/* whole blocks at aligned offsets (index_writer.h), smaller ones under a small budget */
	size_t block = build_write_buf(b, IDMAP_IW_BLOCK);
	if (idmap_spill_open_fd(s, fd, block, b->bg) < 0)
		return build_fail(b, "out of memory");
	idmap_spill_align(s, offset, block);
	idmap_spill_writeback(s, offset);
	return 0;
}

int build_place_close(build *b, idmap_spill *s, uint32_t id)
{
	if (idmap_spill_close(s) < 0)
		return build_fail_errno(b, "%s: write failed", b->iw.tmp);
	if (idmap_iw_place_end(&b->iw, id, s->bytes, s->crc) < 0)
		return build_fail(b, "internal error: section %u not placed", id);
	return 0;
}

static int assemble(build *b, idmap_str *meta)
{
	idmap_index_writer *w = &b->iw;
	uint8_t *types = NULL;
	size_t types_len = 0;
	int rc = -1;
	if (types_serialize(&b->types, &types, &types_len) < 0) {
		build_fail(b, "out of memory");
		goto out;
	}
	/* KEY_POOL and FWD_POOL are in the new file already; the rest follows them. */
	if (idmap_iw_add_mem(w, IDMAP_SECTION_META, meta->p, meta->len) < 0 ||
	    idmap_iw_add_mem(w, IDMAP_SECTION_TYPES, types, types_len) < 0 ||
	    idmap_iw_add_mem(w, IDMAP_SECTION_ACC_DIR, b->acc_dir, b->acc_dir_len) < 0 ||
	    idmap_iw_add_mem(w, IDMAP_SECTION_KEY_DIR, b->key_dir, b->key_dir_len) < 0) {
		build_fail(b, "out of memory");
		goto out;
	}
	if (add_section_file(b, w, IDMAP_SECTION_ACC_PILOTS, &b->acc_ks.pilots, "acc-mphf", 0) ||
	    add_section_file(b, w, IDMAP_SECTION_ACC_REMAP, &b->acc_ks.remap, "acc-mphf", 1) ||
	    add_section_file(b, w, IDMAP_SECTION_KEY_PILOTS, &b->key_ks.pilots, "key-mphf", 0) ||
	    add_section_file(b, w, IDMAP_SECTION_KEY_REMAP, &b->key_ks.remap, "key-mphf", 1) ||
	    add_section_file(b, w, IDMAP_SECTION_ACC_CODES, &b->acc_codes, "acc-codes", 0) ||
	    add_section_file(b, w, IDMAP_SECTION_FWD_INDEX, &b->fwd_index, "fwd-index", 0) ||
	    add_section_file(b, w, IDMAP_SECTION_FWD_INDEX_WIDE, &b->fwd_wide, "fwd-wide", 0) ||
	    add_section_file(b, w, IDMAP_SECTION_KEY_INDEX_WIDE, &b->key_wide, "key-wide", 0) ||
	    add_key_index(b, w) || entries_add_sections(b, w))
		goto out;
	build_log(b, "writing %s", b->o->output);
	build_progress(b, "write", 0, 1, 1);
	if (idmap_iw_commit(w, b->o->output, b->err, b->errlen) < 0)
		goto out;
	rc = 0;
out:
	free(types);
	idmap_iw_free(w);
	return rc;
}

static int is_release_name(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (i == 4 ? s[i] != '_' : (s[i] < '0' || s[i] > '9'))
			return 0;
	return s[7] == 0;
}

/* Text a parsing thread takes at a time: 1 MiB, less under a small budget (chunks in flight,
 * with their triples, about a tenth of it at most); IDMAP_BUILD_PARSE_CHUNK (tests) sets it. */
static size_t parse_chunk(const build *b)
{
	const char *env = getenv("IDMAP_BUILD_PARSE_CHUNK");
	if (env && *env)
		return (size_t)strtoull(env, NULL, 10);
	uint64_t chunk = b->memory / 256;
	return chunk < (64 << 10) ? (64 << 10) : chunk > (1 << 20) ? (1 << 20) : (size_t)chunk;
}

static int ingest(build *b, idmap_str *meta, char *release, size_t release_len)
{
	uint32_t nfiles = 1u << b->fbits;
	idmap_input_opts io = {.fn = on_triple, .fasta_fn = entries_on_record, .ctx = b,
			       .prep = build_prep, .prep_free = prep_free};
	/* Parsing threads only with a core to spare beyond the inflating and calling threads: on
	 * 2 cores they cost 20% more ingest CPU for no wall time (1e8 lines, --threads 2: 17.2 s
	 * wall, 29.1 s CPU with them; 17.0 s, 24.1 s without). */
	if (b->threads > 2)
		io.threads = b->threads < IDMAP_MAX_PARSE_THREADS ? b->threads
								  : IDMAP_MAX_PARSE_THREADS;
	io.chunk = parse_chunk(b);
	b->input_opts = &io;
	b->step_dat = SIZE_MAX;
	if (open_parts(b, &b->acc_parts, nfiles, "acc-part") < 0 ||
	    open_parts(b, &b->key_parts, nfiles, "key-part") < 0 || ingest_pipe_start(b) < 0)
		return -1;
	for (size_t i = 0; i < b->o->n_inputs; i++) {
		const char *path = b->o->inputs[i];
		idmap_input_info info;
		memset(&info, 0, sizeof(info));
		b->last_isoform = 0;
		b->prev_len = 0;
		if (ingest_pipe_new_input(b) < 0)
			return -1;
		b->err[0] = 0;
		b->reading = &info;
		b->input_index = i;
		int rc = step_is_input(b, i) ? step_read_rest(b, &info)
					     : idmap_input_read_opts(path, &info, &io, b->err, b->errlen);
		if (rc == 0 && i == b->step_dat)
			rc = step_dat_end(b);
		b->reading = NULL;
		b->input_bytes_done += info.bytes;
		if (rc < 0) {
			if (!b->err[0])
				build_fail(b, "%s: read failed", path);
			return -1;
		}
		/* UniProt names releases "2026_01"; sec_ac.txt gives only a date. Prefer the name. */
		if (!b->o->release && info.release[0] &&
		    (!release[0] || (!is_release_name(release) && is_release_name(info.release))))
			snprintf(release, release_len, "%s", info.release);
		if (!b->release_date[0])
			memcpy(b->release_date, info.release_date, sizeof b->release_date);
		char name[1024];
		snprintf(name, sizeof(name), "%s", path);
		clean(name);
		if (idmap_str_printf(meta, "input\t%s\t%s\t%llu\t%llu\n", name,
				     idmap_input_kind_name(info.kind),
				     (unsigned long long)info.bytes,
				     (unsigned long long)info.lines) < 0)
			return build_fail(b, "out of memory");
		b->lines += info.lines;
		build_progress(b, "read", b->input_bytes_done, b->input_bytes_total, 1);
		build_log(b, "read %s: %s, %llu lines", path, idmap_input_kind_name(info.kind),
			  (unsigned long long)info.lines);
	}
	if (ingest_pipe_stop(b) < 0 || close_parts(b, b->acc_parts, nfiles) < 0 ||
	    close_parts(b, b->key_parts, nfiles) < 0)
		return -1;
	return 0;
}

static int plan_forward(build *b)
{
	/* A forward partition holds 12 bytes a pair on disk (8 when packed) and up to 44 in
	 * memory while it is read and sorted (file, pairs, sort scratch), and 16 while it is
	 * written; each reader reads and sorts one meanwhile. At least MIN_FWD_PIPELINE of
	 * them (when there are pairs enough), so that the writer waits for the first one only
	 * briefly. */
	/* More readers than two only under a budget of 512M and more: each one's buffers,
	 * reallocated by its own thread, stay in that thread's malloc arena (at 1e7 lines and
	 * --memory 32M, 8 readers took the peak RSS from 26.7 to 34.8 MB). */
	uint64_t most = b->memory / (256ull << 20);
	most = most < 2 ? 2 : most > IDMAP_MAX_FWD_READERS ? IDMAP_MAX_FWD_READERS : most;
	b->fwd_readers = b->threads < most ? b->threads : (uint32_t)most;
	b->fwd_write_threads = b->threads > b->fwd_readers ? b->threads - b->fwd_readers : 1;
	uint64_t need = b->triples * (44 * b->fwd_readers + 16) / (b->memory / 2) + 1;
	uint64_t pipeline = b->triples / FWD_PIPELINE_PAIRS + 1;
	if (pipeline > MIN_FWD_PIPELINE)
		pipeline = MIN_FWD_PIPELINE;
	if (need < pipeline)
		need = pipeline;
	uint64_t nacc = b->acc_ks.nkeys;
	/* Narrow enough for a pair to pack into a u64 (build_fwd.c): the accession offset gets
	 * the bits that the type and the key slot (fewer keys than triples) leave. */
	unsigned rest = bits_below(b->triples) + bits_below(b->types.n);
	if (rest < 64 && 64 - rest < 63) {
		uint64_t range = 1ull << (64 - rest);
		if ((nacc + range - 1) / range > need)
			need = (nacc + range - 1) / range;
	}
	b->nfwd = need > 4096 ? 4096 : (uint32_t)need;
	b->fwd_range = nacc ? (nacc + b->nfwd - 1) / b->nfwd : 1;
	b->fwd_kbits = bits_below(b->triples);
	b->fwd_tbits = bits_below(b->types.n);
	const char *wide = getenv("IDMAP_BUILD_WIDE_SORT"); /* tests: the other form */
	b->fwd_packed = rest < 64 && rest + bits_below(b->fwd_range) <= 64 && !(wide && *wide == '1');
	return open_parts(b, &b->fwd_parts, b->nfwd, "fwd-part");
}

int idmap_build(const idmap_build_opts *o, char *err, size_t errlen)
{
	build bb, *b = &bb;
	memset(b, 0, sizeof(*b));
	b->o = o;
	b->started = b->phase_wall = build_now();
	double cpu0 = b->phase_cpu = cpu_now();
	b->phase_own = build_thread_cpu();
	b->err = err;
	b->errlen = errlen;
	err[0] = 0;
	idmap_iw_init(&b->iw);
	idmap_spill_init(&b->acc_codes);
	idmap_spill_init(&b->key_index);
	idmap_spill_init(&b->key_wide);
	idmap_spill_init(&b->key_pool);
	idmap_spill_init(&b->fwd_index);
	idmap_spill_init(&b->fwd_wide);
	idmap_spill_init(&b->fwd_pool);
	idmap_spill_init(&b->acc_ks.pilots);
	idmap_spill_init(&b->acc_ks.remap);
	idmap_spill_init(&b->key_ks.pilots);
	idmap_spill_init(&b->key_ks.remap);
	if (!o->output || !o->n_inputs)
		return build_fail(b, "no output or no input given");
	if (o->memory < MIN_MEMORY)
		return build_fail(b, "the memory budget must be at least 1M");
	b->memory = o->memory;
	b->isoform_type = UINT32_MAX;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	b->threads = o->threads ? o->threads : cores > 0 ? (uint32_t)cores : 1;
	if (b->threads > IDMAP_MAX_THREADS)
		b->threads = IDMAP_MAX_THREADS;
	b->bg = idmap_spill_bg_start(); /* NULL: every file is written synchronously */
	pthread_mutex_init(&b->types_lock, NULL);
	b->types.lock = &b->types_lock;
	uint64_t seed = o->seed ? o->seed : DEFAULT_SEED;
	b->acc_seed = idmap_fmix(seed);
	b->key_seed = idmap_fmix(seed ^ IDMAP_K1);

	char release[128] = "";
	if (o->release)
		snprintf(release, sizeof(release), "%s", o->release);
	idmap_str meta = {0};
	int rc = -1;
	plan(b);
	if (make_tmpdir(b) < 0)
		goto out;
	build_log(b, "ingest: %u partitions, temporary files in %s", 1u << b->fbits, b->tmpdir);
	if (ingest(b, &meta, release, sizeof(release)) < 0 || entries_ingest_done(b) < 0)
		goto out;
	if (b->triples == 0 && b->types.n == 0 && !b->entries) {
		build_fail(b, "the inputs hold no data lines");
		goto out;
	}
	phase_done(b, "ingest");
	if (build_accessions(b) < 0 || plan_forward(b) < 0)
		goto out;
	phase_done(b, "accessions");
	if (idmap_iw_begin(&b->iw, o->output, b->err, b->errlen) < 0 || build_keys(b) < 0 ||
	    close_parts(b, b->fwd_parts, b->nfwd) < 0)
		goto out;
	phase_done(b, "keys");
	if (build_forward(b) < 0)
		goto out;
	phase_done(b, "forward");
	if (entries_finish(b) < 0)
		goto out;

	char date[32];
	utc_now(date, sizeof(date));
	clean(release);
	idmap_str head = {0}; /* an allocation failure sticks: checked once, at the end */
	idmap_str_printf(&head, "release\t%s\n", release[0] ? release : "unknown");
	if (b->release_date[0])
		idmap_str_printf(&head, "release_date\t%s\n", b->release_date);
	if (b->upis)
		idmap_str_printf(&head, "upis\t%llu\n", (unsigned long long)b->upis);
	idmap_str_printf(&head, "build_date\t%s\ntool_version\t%s\nlines\t%llu\npairs\t%llu\n",
			 date, IDMAP_VERSION_STRING, (unsigned long long)b->lines,
			 (unsigned long long)b->pairs);
	if (idmap_str_put(&head, meta.p, meta.len) < 0) {
		free(head.p);
		build_fail(b, "out of memory");
		goto out;
	}
	free(meta.p);
	meta = head;
	if (assemble(b, &meta) < 0)
		goto out;
	phase_done(b, "write");
	build_log(b, "done: wall %.2f s, CPU %.2f s", build_now() - b->started, cpu_now() - cpu0);
	rc = 0;
out:
	free(meta.p);
	ingest_pipe_stop(b); /* after a failed ingest: its thread is done before its files */
	step_free(b);
	close_parts(b, b->acc_parts, b->acc_parts ? 1u << b->fbits : 0);
	close_parts(b, b->key_parts, b->key_parts ? 1u << b->fbits : 0);
	close_parts(b, b->fwd_parts, b->fwd_parts ? b->nfwd : 0);
	free(b->acc_parts);
	free(b->key_parts);
	free(b->fwd_parts);
	idmap_spill_close(&b->acc_codes);
	idmap_spill_close(&b->key_index);
	idmap_spill_close(&b->key_wide);
	idmap_spill_close(&b->key_pool);
	idmap_spill_close(&b->fwd_index);
	idmap_spill_close(&b->fwd_wide);
	idmap_spill_close(&b->fwd_pool);
	ks_free(&b->acc_ks);
	ks_free(&b->key_ks);
	entries_free(b);
	idmap_spill_bg_stop(b->bg); /* every spill is closed by now */
	idmap_iw_free(&b->iw); /* removes the new file unless it was committed */
	free(b->acc_dir);
	free(b->key_dir);
	types_free(&b->types);
	pthread_mutex_destroy(&b->types_lock);
	free(b->alias_type);
	free(b->type_next);
	free(b->own_type);
	free(b->no_forward);
	free(b->vcode);
	remove_tmpdir(b);
	return rc;
}
