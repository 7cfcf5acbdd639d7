/* GET /idmapping/intersect/A/B in memory bounded whatever the jobs' sizes: the distinct
 * targets of each job are sorted on disk (an external merge sort: runs of at most RUN_BYTES
 * sorted in memory, merged FAN_IN at a time, duplicates dropped on the way), then the two
 * sorted lists are merged. The answer lists the targets common to both in byte order.
 * Temporary files are unlinked at once in the jobs dir (named like spool files, which a
 * restarted server deletes, should it die between the two calls). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

#define RUN_BYTES (4u << 20) /* target text sorted in memory at a time */
#define RUN_IDS (1u << 18)   /* and at most this many targets (their pointers) */
#define FAN_IN 16	     /* runs merged at a time */

/* An anonymous read-write file in the jobs dir. */
static FILE *temp_file(srv_ctx *ctx)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/.spool-intersect-XXXXXX", ctx->opts->jobs_dir);
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	unlink(path);
	FILE *f = fdopen(fd, "w+b");
	if (!f)
		close(fd);
	return f;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A list of sorted runs (temporary files, each rewound to its start when complete). */
typedef struct {
	FILE **f;
	size_t n, cap;
} runs;

static int runs_add(runs *r, FILE *f)
{
	if (idmap_vec_reserve(&r->f, &r->cap, r->n + 1, sizeof *r->f) < 0)
		return -1;
	r->f[r->n++] = f;
	return 0;
}

static void runs_free(runs *r, size_t from)
{
	for (size_t i = from; i < r->n; i++)
		fclose(r->f[i]);
	free(r->f);
}

/* Writes the n targets at ptr, sorted and without duplicates, as a new run. */
static int write_run(srv_ctx *ctx, runs *r, char **ptr, size_t n)
{
	qsort(ptr, n, sizeof *ptr, by_text);
	FILE *f = temp_file(ctx);
	if (!f)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(ptr[i], ptr[i - 1]))
			fprintf(f, "%s\n", ptr[i]);
	if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0 || runs_add(r, f) != 0) {
		fclose(f);
		return -1;
	}
	return 0;
}

/* One line of a sorted stream (without its '\n'); len -1 at the end. */
typedef struct {
	FILE *f;
	char *line;
	size_t cap;
	ssize_t len;
} reader;

static void next(reader *r)
{
	r->len = getline(&r->line, &r->cap, r->f);
	if (r->len > 0 && r->line[r->len - 1] == '\n')
		r->line[--r->len] = 0;
}

/* Merges runs [0, n) into one run written to out (duplicates dropped); closes them. */
static int merge(FILE **in, size_t n, FILE *out)
{
	reader rd[FAN_IN] = {{0}};
	char *last = NULL;
	size_t last_cap = 0;
	int rc = 0, have_last = 0;
	for (size_t i = 0; i < n; i++) {
		rd[i].f = in[i];
		next(&rd[i]);
	}
	for (;;) {
		reader *min = NULL;
		for (size_t i = 0; i < n; i++)
			if (rd[i].len >= 0 && (!min || strcmp(rd[i].line, min->line) < 0))
				min = &rd[i];
		if (!min)
			break;
		if (!have_last || strcmp(min->line, last)) {
			if (idmap_vec_reserve(&last, &last_cap, (size_t)min->len + 1, 1) < 0) {
				rc = -1;
				break;
			}
			memcpy(last, min->line, (size_t)min->len + 1);
			have_last = 1;
			fprintf(out, "%s\n", last);
		}
		next(min);
	}
	for (size_t i = 0; i < n; i++) {
		if (ferror(in[i]))
			rc = -1;
		free(rd[i].line);
		fclose(in[i]);
	}
	free(last);
	if (fflush(out) != 0 || fseek(out, 0, SEEK_SET) != 0)
		rc = -1;
	return rc;
}

/* Merges the runs FAN_IN at a time until one is left (none for a job without results). */
static FILE *merge_all(srv_ctx *ctx, runs *r)
{
	size_t done = 0; /* runs [0, done) are closed: merged into later ones */
	while (r->n - done > 1) {
		size_t k = r->n - done < FAN_IN ? r->n - done : FAN_IN;
		FILE *out = temp_file(ctx);
		if (!out || runs_add(r, out) != 0) {
			if (out)
				fclose(out);
			runs_free(r, done);
			return NULL;
		}
		int rc = merge(r->f + done, k, out);
		done += k;
		if (rc != 0) {
			runs_free(r, done);
			return NULL;
		}
	}
	FILE *f = r->n > done ? r->f[done] : temp_file(ctx);
	free(r->f);
	return f;
}

/* The distinct targets of job, sorted, one per line, in a rewound temporary file; or NULL. */
static FILE *sorted_targets(srv_ctx *ctx, const idmap_job *job)
{
	idmap_job_stats st;
	idmap_job_get_stats(job, &st);
	char *text = malloc(RUN_BYTES), **ptr = malloc(RUN_IDS * sizeof *ptr);
	runs r = {0};
	size_t used = 0, n = 0;
	int rc = text && ptr ? 0 : -1;
	idmap_result row;
	for (uint64_t i = 0; rc == 0 && i < st.results; i++) {
		if (idmap_job_result(job, i, &row) != IDMAP_OK) {
			rc = -1;
			break;
		}
		if (row.to_len >= RUN_BYTES || memchr(row.to, '\n', row.to_len))
			continue; /* not an id of any database */
		if (used + row.to_len + 1 > RUN_BYTES || n == RUN_IDS) {
			rc = write_run(ctx, &r, ptr, n);
			used = n = 0;
		}
		memcpy(text + used, row.to, row.to_len);
		text[used + row.to_len] = 0;
		ptr[n++] = text + used;
		used += row.to_len + 1;
	}
	if (rc == 0 && n)
		rc = write_run(ctx, &r, ptr, n);
	free(text);
	free(ptr);
	if (rc != 0) {
		runs_free(&r, 0);
		return NULL;
	}
	return merge_all(ctx, &r);
}

static int flush_out(idmap_str *b, idmap_write_fn w, void *wctx)
{
	int rc = b->failed ? -1 : w(wctx, b->p, b->len);
	b->len = 0;
	return rc;
}

int srv_intersect(srv_ctx *ctx, const idmap_job *ja, const idmap_job *jb, int fmt,
		  idmap_write_fn w, void *wctx)
{
	FILE *fa = sorted_targets(ctx, ja), *fb = fa ? sorted_targets(ctx, jb) : NULL;
	reader a = {.f = fa}, b = {.f = fb};
	idmap_str out = {0};
	int rc = fa && fb ? 0 : -1, first = 1;
	idmap_str_add(&out, fmt == IDMAP_OUT_JSON  ? "{\"results\":["
			    : fmt == IDMAP_OUT_TSV ? "To\n"
						   : "");
	if (rc == 0) {
		next(&a);
		next(&b);
	}
	while (rc == 0 && a.len >= 0 && b.len >= 0) {
		int cmp = strcmp(a.line, b.line);
		if (cmp == 0) {
			if (fmt == IDMAP_OUT_JSON) {
				if (!first)
					idmap_str_put(&out, ",", 1);
				srv_json(&out, a.line, (size_t)a.len);
			} else {
				idmap_str_put(&out, a.line, (size_t)a.len);
				idmap_str_put(&out, "\n", 1);
			}
			first = 0;
			if (out.len > (1u << 16))
				rc = flush_out(&out, w, wctx);
		}
		if (cmp <= 0)
			next(&a);
		if (cmp >= 0)
			next(&b);
	}
	if (rc == 0 && ((fa && ferror(fa)) || (fb && ferror(fb))))
		rc = -1;
	if (fmt == IDMAP_OUT_JSON)
		idmap_str_add(&out, "]}");
	if (rc == 0)
		rc = flush_out(&out, w, wctx);
	free(a.line);
	free(b.line);
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	free(out.p);
	return rc;
}
