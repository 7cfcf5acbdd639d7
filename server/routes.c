/* The GET endpoints of idmap serve, on UniProt's paths (docs/server.md): status, details,
 * results (paged by an opaque cursor, next page in a Link header, total in X-Total-Results),
 * stream, the uniprotkb variants with entry columns, intersect, the fields catalogue and the
 * embedded page. Bodies of job data are produced on a thread by idmap_render, so size and
 * compression never change the memory a request takes. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"

#define PAGE_DEFAULT 25
#define PAGE_MAX 500
/* format=fasta on the uniprotkb, uniref and uniparc results (entries.c), next to IDMAP_OUT_* */
#define OUT_FASTA 100

static const char *arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result not_found(srv_ctx *ctx, struct MHD_Connection *c)
{
	return srv_error(ctx, c, MHD_HTTP_NOT_FOUND, "Resource not found");
}

/* The output format (params.c). Returns 0, or -1 after answering 400. */
static int out_format(srv_ctx *ctx, struct MHD_Connection *c, int *fmt, enum MHD_Result *rc)
{
	char err[512];
	if (srv_out_format(c, fmt, err, sizeof err) == 0)
		return 0;
	*rc = srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "%s", err);
	return -1;
}

static const char *content_type(int fmt)
{
	return fmt == IDMAP_OUT_JSON  ? "application/json"
	       : fmt == IDMAP_OUT_TSV ? "text/plain;format=tsv"
	       : fmt == OUT_FASTA     ? "text/plain;format=fasta"
				      : "text/plain;format=list";
}

static int compressed(struct MHD_Connection *c)
{
	const char *v = arg(c, "compressed");
	return v && !strcasecmp(v, "true");
}

/* The results URL of a job: the uniprotkb, uniref and uniparc variants for those targets
 * (IdMappingJobServiceImpl.getRedirectPathToResults). */
static void redirect_url(srv_ctx *ctx, struct MHD_Connection *c, const srv_job_view *v,
			 char *out, size_t len)
{
	size_t i;
	idmap_db_info to = {0};
	const char *kind = "";
	if (idmap_catalog_find(ctx->cat, v->req.to, 1, &i) == IDMAP_OK &&
	    idmap_catalog_get(ctx->cat, i, &to) == IDMAP_OK) {
		const char *t = to.file_type ? to.file_type : "";
		if (to.kind == IDMAP_DB_KIND_UNIPROTKB || to.kind == IDMAP_DB_KIND_SWISSPROT)
			kind = "uniprotkb/";
		else if (!strncmp(t, "UniRef", 6))
			kind = "uniref/";
		else if (!strcmp(t, "UniParc"))
			kind = "uniparc/";
	}
	char path[128];
	snprintf(path, sizeof path, "/idmapping/%sresults/%s", kind, v->id);
	srv_url(c, path, out, len);
}

static const char *state_name(int s)
{
	static const char *const names[] = {"NEW", "RUNNING", "FINISHED", "ERROR"};
	return names[s];
}

/* ---- status ------------------------------------------------------------------------------------ */

static enum MHD_Result status(srv_ctx *ctx, struct MHD_Connection *c, const char *id)
{
	srv_job_view v;
	if (srv_jobs_view(ctx->jobs, id, &v) != 0)
		return not_found(ctx, c);
	const char *r = arg(c, "redirect");
	int follow = !(r && !strcasecmp(r, "false")); /* ?redirect=false: the page polls */
	idmap_str b = {0};
	idmap_str_printf(&b, "{\"jobStatus\":\"%s\"", state_name(v.state));
	unsigned code = MHD_HTTP_OK;
	if (v.state == SRV_JOB_ERROR) {
		idmap_str_printf(&b, ",\"errors\":[{\"code\":%d,\"message\":", v.err_code);
		srv_json(&b, v.err_msg, strlen(v.err_msg));
		idmap_str_add(&b, "}]");
		/* IdMappingJobController.createStatus: 400 for a limit error (code 40), else
		 * 500 */
		if (follow)
			code = v.err_code == 40 ? MHD_HTTP_BAD_REQUEST
						: MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	idmap_str_add(&b, "}");
	if (b.failed) {
		free(b.p);
		return MHD_NO;
	}
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(b.p);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (v.state == SRV_JOB_FINISHED && follow) {
		char url[512];
		redirect_url(ctx, c, &v, url, sizeof url);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, url);
		code = MHD_HTTP_SEE_OTHER;
	}
	return srv_queue(ctx, c, code, resp);
}

/* ---- details ----------------------------------------------------------------------------------- */

typedef struct {
	srv_ctx *ctx;
	srv_job_view v;
	char redirect[512];
	FILE *ids;
	int have_stats;
	idmap_job_stats st;
} details_arg;

static int put(idmap_write_fn w, void *wctx, idmap_str *b)
{
	int rc = b->failed ? -1 : w(wctx, b->p, b->len);
	b->len = 0;
	return rc;
}

static int details_produce(void *a, idmap_write_fn w, void *wctx)
{
	details_arg *d = a;
	idmap_str b = {0};
	idmap_str_add(&b, "{\"from\":");
	srv_json(&b, d->v.req.from, strlen(d->v.req.from));
	idmap_str_add(&b, ",\"to\":");
	srv_json(&b, d->v.req.to, strlen(d->v.req.to));
	idmap_str_add(&b, ",\"ids\":\"");
	int rc = put(w, wctx, &b);
	/* the ids as submitted, comma-separated, read back from the spool */
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int first = 1;
	while (rc == 0 && d->ids && (n = getline(&line, &cap, d->ids)) > 0) {
		if (line[n - 1] == '\n')
			n--;
		if (!first)
			idmap_str_put(&b, ",", 1);
		first = 0;
		srv_json_chars(&b, line, (size_t)n);
		if (b.len > (1u << 16))
			rc = put(w, wctx, &b);
	}
	free(line);
	idmap_str_add(&b, "\"");
	if (d->v.req.tax[0]) {
		idmap_str_add(&b, ",\"taxId\":");
		srv_json(&b, d->v.req.tax, strlen(d->v.req.tax));
	}
	if (d->v.req.inactive[0])
		idmap_str_add(&b, ",\"includeInactive\":true");
	idmap_str_add(&b, ",\"redirectURL\":");
	srv_json(&b, d->redirect, strlen(d->redirect));
	idmap_str_printf(&b, ",\"jobStatus\":\"%s\"", state_name(d->v.state));
	if (d->have_stats) {
		const idmap_job_stats *s = &d->st;
		idmap_str_printf(&b,
			       ",\"stats\":{\"inputs\":%" PRIu64 ",\"distinct\":%" PRIu64
			       ",\"duplicates\":%" PRIu64 ",\"mapped\":%" PRIu64
			       ",\"failed\":%" PRIu64 ",\"obsolete\":%" PRIu64,
			       s->inputs, s->distinct, s->duplicates, s->mapped, s->failed,
			       s->obsolete);
		idmap_str_printf(&b,
			       ",\"secondary\":%" PRIu64 ",\"deleted\":%" PRIu64
			       ",\"results\":%" PRIu64 ",\"suggested\":%" PRIu64 "}",
			       s->secondary, s->deleted, s->results, s->suggested);
	}
	idmap_str_add(&b, "}");
	if (rc == 0)
		rc = put(w, wctx, &b);
	free(b.p);
	return rc;
}

static void details_free(void *a)
{
	details_arg *d = a;
	if (d->ids)
		fclose(d->ids);
	free(d);
}

static enum MHD_Result details(srv_ctx *ctx, struct MHD_Connection *c, const char *id)
{
	details_arg *d = calloc(1, sizeof *d);
	if (!d)
		return MHD_NO;
	d->ctx = ctx;
	const idmap_job *job = srv_jobs_acquire(ctx->jobs, id, &d->v);
	if (!d->v.id[0]) {
		free(d);
		return not_found(ctx, c);
	}
	if (job) {
		idmap_job_get_stats(job, &d->st);
		d->have_stats = 1;
		srv_jobs_release(ctx->jobs, id);
	}
	redirect_url(ctx, c, &d->v, d->redirect, sizeof d->redirect);
	d->ids = srv_jobs_open_ids(ctx->jobs, id);
	struct MHD_Response *r = srv_produced(details_produce, d, details_free, 0);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	return srv_queue(ctx, c, MHD_HTTP_OK, r);
}

/* ---- results and stream ------------------------------------------------------------------------ */

typedef struct {
	srv_ctx *ctx;
	char id[SRV_JOB_ID_LEN + 1];
	const idmap_job *job;
	idmap_fields *fields;
	idmap_render_opts o;
	idmap_render_ext x; /* entry objects, the rows of a query, the facets */
	srv_query *query;
	uint64_t selected; /* rows matching query */
	idmap_str head;
	srv_fasta_job fasta; /* its job is set for format=fasta */
} render_arg;

static int render_produce(void *a, idmap_write_fn w, void *wctx)
{
	render_arg *r = a;
	if (r->fasta.job) {
		r->fasta.rows = r->x.rows;
		r->fasta.n_rows = r->x.n_rows;
		r->fasta.keep = r->x.keep;
		r->fasta.keep_ctx = r->x.keep_ctx;
		r->fasta.first = r->o.first;
		r->fasta.count = r->o.count;
		return srv_fasta_rows(&r->fasta, w, wctx);
	}
	return idmap_render_ex(r->job, &r->o, &r->x, w, wctx);
}

static void render_free(void *a)
{
	render_arg *r = a;
	free(r->query);
	free(r->head.p);
	idmap_fields_free(r->fields);
	srv_jobs_release(r->ctx->jobs, r->id);
	free(r);
}

static const char base36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static void cursor_text(uint64_t v, char out[16])
{
	char tmp[16];
	int n = 0;
	do {
		tmp[n++] = base36[v % 36];
		v /= 36;
	} while (v);
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = 0;
}

/* A cursor is the first row of the page in base 36. Returns 0, or -1 when malformed. */
static int cursor_parse(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	size_t n = strlen(s);
	if (n == 0 || n > 12)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *p = memchr(base36, s[i], 36);
		if (!p || !s[i])
			return -1;
		x = x * 36 + (uint64_t)(p - base36);
	}
	if (x > max)
		return -1;
	*v = x;
	return 0;
}

static void url_escaped(idmap_str *b, const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == ',')
			idmap_str_put(b, p, 1);
		else
			idmap_str_printf(b, "%%%02X", *p);
	}
}

/* Appends "&name=value" (URL-escaped) for each query argument but cursor and size (written
 * first): the next page keeps every parameter of the request, as UniProt's Link does. */
static enum MHD_Result keep_arg(void *cls, enum MHD_ValueKind kind, const char *name,
				const char *value)
{
	(void)kind;
	idmap_str *b = cls;
	if (strcmp(name, "cursor") && strcmp(name, "size")) {
		idmap_str_put(b, "&", 1);
		url_escaped(b, name);
		if (value) {
			idmap_str_put(b, "=", 1);
			url_escaped(b, value);
		}
	}
	return MHD_YES;
}

/* query, facets, sort and the other parameters of UniProt's uniprotkb results: the subset
 * the index answers (params.c), the rest refused, never ignored. Sets the query (r->x.keep,
 * r->selected) and the facets of r->head. Returns 0, or -1 with the message in err. */
static int select_rows(struct MHD_Connection *c, const idmap_job *job, int kb, int fmt,
		       render_arg *r, char *err, size_t len)
{
	const char *q = arg(c, "query"), *f = arg(c, "facets"), *s = arg(c, "sort");
	if (kb && srv_fasta_params(c, content_type(fmt), err, len) != 0)
		return -1;
	if (s && *s) {
		snprintf(err, len, "The 'sort' parameter is not supported by this server: results "
			 "keep the order of the submitted ids");
		return -1;
	}
	if (!kb && ((q && *q) || (f && *f))) {
		snprintf(err, len, "The '%s' parameter is supported by this server on the "
			 "uniprotkb results only", q && *q ? "query" : "facets");
		return -1;
	}
	if (f && *f && fmt != IDMAP_OUT_JSON) { /* search.invalid.includeFacet.content.type */
		snprintf(err, len, "unexpected content type '%s'; facets are supported only for "
			 "'application/json'.", content_type(fmt));
		return -1;
	}
	if (q && *q) { /* the rows are tested as they are rendered, never listed */
		if (srv_query_parse(job, q, &r->query, err, len) != 0)
			return -1;
		r->x.keep = srv_query_keep;
		r->x.keep_ctx = r->query;
		idmap_job_stats st;
		idmap_job_get_stats(job, &st);
		for (uint64_t row = 0; row < st.results; row++)
			r->selected += (uint64_t)srv_query_keep(r->query, row);
	}
	if (f && *f) {
		if (srv_facets(job, f, r->query, &r->head, err, len) != 0)
			return -1;
		if (r->head.failed) {
			snprintf(err, len, "out of memory");
			return -1;
		}
		r->x.json_head = r->head.p;
	}
	return 0;
}

/* results (paged) and stream, plain, with entry columns (kb) or as UniRef / UniParc entry
 * objects (entries). */
static enum MHD_Result results(srv_ctx *ctx, struct MHD_Connection *c, const char *id,
			       const char *path, int paged, int kb, int entries)
{
	int fmt = OUT_FASTA;
	enum MHD_Result rc;
	if ((kb || entries) && srv_fasta_wanted(c)) {
		if (srv_fasta_store(ctx, c, &rc) != 0)
			return rc;
	} else if (out_format(ctx, c, &fmt, &rc) != 0) {
		return rc;
	}
	uint64_t size = PAGE_DEFAULT;
	const char *s = arg(c, "size");
	if (paged && s) {
		/* PageRequest: @PositiveOrZero @Max(500), with UniProt's messages */
		const char *d = s + (*s == '-' || *s == '+');
		size_t nd = strspn(d, "0123456789");
		if (!nd || d[nd])
			return srv_error(ctx, c, MHD_HTTP_BAD_REQUEST,
					 "Invalid request received. 'size' must be a number from 0 "
					 "to %d, not '%.40s'",
					 PAGE_MAX, s);
		d += strspn(d, "0");
		if (*s == '-' && *d)
			return srv_error(ctx, c, MHD_HTTP_BAD_REQUEST,
					 "'size' must be greater than or equal to 0");
		if (strlen(d) > 3 || strtoul(d, NULL, 10) > PAGE_MAX)
			return srv_error(ctx, c, MHD_HTTP_BAD_REQUEST,
					 "'size' must be less than or equal to %d", PAGE_MAX);
		size = strtoul(d, NULL, 10);
	}
	srv_job_view v;
	const idmap_job *job = srv_jobs_acquire(ctx->jobs, id, &v);
	if (!job)
		return not_found(ctx, c); /* not there, or not finished: UniProt's 404 */
	render_arg *r = calloc(1, sizeof *r);
	if (!r) {
		srv_jobs_release(ctx->jobs, id);
		return MHD_NO;
	}
	r->ctx = ctx;
	memcpy(r->id, id, SRV_JOB_ID_LEN);
	r->job = job;
	r->o.format = fmt;
	r->x.entries = entries;
	r->x.tmp_dir = ctx->opts->jobs_dir; /* list: a large job's targets sorted on disk */
	/* UniRefIdService: 10 members on a page (UniRefEntryLightUtils.ID_LIMIT) unless
	 * complete=true; all in the stream */
	const char *all = arg(c, "complete");
	r->x.members = paged && !(all && !strcasecmp(all, "true")) ? 10 : 0;
	idmap_job_stats st;
	idmap_job_get_stats(job, &st);
	char err[512] = "";
	if (select_rows(c, job, kb, fmt, r, err, sizeof err) != 0) {
		render_free(r);
		return srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "%s", err);
	}
	if (r->query)
		st.results = r->selected;
	if (fmt == OUT_FASTA) {
		const char *iso = arg(c, "includeIsoform"), *sub = arg(c, "subsequence");
		r->fasta = (srv_fasta_job){.ix = ctx->ix, .job = job};
		r->fasta.isoforms = kb && iso && !strcasecmp(iso, "true");
		r->fasta.subsequence = kb && sub && !strcasecmp(sub, "true");
		if (r->fasta.subsequence && srv_fasta_ranges(job, err, sizeof err) != 0) {
			render_free(r);
			return srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "%s", err);
		}
	} else if (kb) {
		const char *fields = arg(c, "fields");
		idmap_diag d;
		/* no fields: UniProt's default columns (idmap_fields_default) */
		if (!fields || !*fields)
			fields = idmap_fields_default(job);
		if (idmap_fields_parse(job, fields, &r->fields, &d) != IDMAP_OK) {
			render_free(r);
			return srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "%s", d.message);
		}
		r->o.fields = r->fields;
	}
	uint64_t first = 0;
	const char *cur = arg(c, "cursor");
	if (paged && cur && cursor_parse(cur, st.results, &first) != 0) {
		render_free(r);
		return srv_error(ctx, c, MHD_HTTP_BAD_REQUEST,
				 "The 'cursor' parameter has an invalid value '%.60s'", cur);
	}
	if (paged) { /* failedIds and the other lists on every page, as UniProt's */
		r->o.first = size ? first : st.results; /* size=0: no rows (count 0 is "all") */
		r->o.count = size;
	}
	struct MHD_Response *resp = srv_produced(render_produce, r, render_free, compressed(c));
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(fmt));
	char total[32];
	snprintf(total, sizeof total, "%" PRIu64, st.results);
	MHD_add_response_header(resp, "X-Total-Results", total);
	if (paged && size && first + size < st.results) {
		char next[16];
		cursor_text(first + size, next);
		char origin[512];
		srv_url(c, "", origin, sizeof origin);
		idmap_str q = {0};
		idmap_str_printf(&q, "<%s%s?cursor=%s&size=%" PRIu64, origin, path, next, size);
		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, keep_arg, &q);
		idmap_str_add(&q, ">; rel=\"next\"");
		if (!q.failed)
			MHD_add_response_header(resp, "Link", q.p);
		free(q.p);
	}
	return srv_queue(ctx, c, MHD_HTTP_OK, resp);
}

/* ---- intersect --------------------------------------------------------------------------------- */

typedef struct {
	srv_ctx *ctx;
	char a[SRV_JOB_ID_LEN + 1], b[SRV_JOB_ID_LEN + 1];
	const idmap_job *ja, *jb;
	int fmt;
} inter_arg;

static int inter_produce(void *arg, idmap_write_fn w, void *wctx)
{
	inter_arg *x = arg;
	return srv_intersect(x->ctx, x->ja, x->jb, x->fmt, w, wctx);
}

static void inter_free(void *arg)
{
	inter_arg *x = arg;
	srv_jobs_release(x->ctx->jobs, x->a);
	srv_jobs_release(x->ctx->jobs, x->b);
	free(x);
}

static enum MHD_Result intersect(srv_ctx *ctx, struct MHD_Connection *c, const char *a,
				 const char *b)
{
	int fmt;
	enum MHD_Result rc;
	if (out_format(ctx, c, &fmt, &rc) != 0)
		return rc;
	srv_job_view va, vb;
	const idmap_job *ja = srv_jobs_acquire(ctx->jobs, a, &va);
	if (!ja)
		return not_found(ctx, c);
	const idmap_job *jb = srv_jobs_acquire(ctx->jobs, b, &vb);
	if (!jb) {
		srv_jobs_release(ctx->jobs, a);
		return not_found(ctx, c);
	}
	inter_arg *x = calloc(1, sizeof *x);
	if (!x) {
		srv_jobs_release(ctx->jobs, a);
		srv_jobs_release(ctx->jobs, b);
		return MHD_NO;
	}
	x->ctx = ctx;
	memcpy(x->a, a, SRV_JOB_ID_LEN);
	memcpy(x->b, b, SRV_JOB_ID_LEN);
	x->ja = ja;
	x->jb = jb;
	x->fmt = fmt;
	struct MHD_Response *r = srv_produced(inter_produce, x, inter_free, compressed(c));
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(fmt));
	return srv_queue(ctx, c, MHD_HTTP_OK, r);
}

/* ---- Routing ------------------------------------------------------------------------------------- */

/* If url is prefix + a job id (+ an optional '/'), copies the id and returns 1, else 0
 * (".../results/stream/ID" starts with ".../results/" too, and matches its own route). */
static int job_in(const char *url, const char *prefix, char id[SRV_JOB_ID_LEN + 1])
{
	size_t n = strlen(prefix);
	if (strncmp(url, prefix, n))
		return 0;
	const char *s = url + n;
	size_t len = strlen(s);
	if (len && s[len - 1] == '/')
		len--;
	if (!srv_job_id_valid(s, len))
		return 0;
	memcpy(id, s, SRV_JOB_ID_LEN);
	id[SRV_JOB_ID_LEN] = 0;
	return 1;
}

enum MHD_Result srv_route_get(srv_ctx *ctx, struct MHD_Connection *c, const char *url)
{
	char id[SRV_JOB_ID_LEN + 1];
	size_t len;
	const char *type;
	enum MHD_Result rc;
	const void *file = srv_web_file(url, &len, &type);
	if (file)
		return srv_send(ctx, c, MHD_HTTP_OK, type, file, len);
	if (!strcmp(url, "/configure/idmapping/fields"))
		return srv_send(ctx, c, MHD_HTTP_OK, "application/json", ctx->fields_json,
				ctx->fields_len);
	static const struct {
		const char *prefix;
		int kind, paged, kb, entries;
	} routes[] = {
		{"/idmapping/status/", 0, 0, 0, 0},
		{"/idmapping/details/", 1, 0, 0, 0},
		{"/idmapping/results/", 2, 1, 0, 0},
		{"/idmapping/stream/", 2, 0, 0, 0},
		{"/idmapping/results/stream/", 2, 0, 0, 0},
		{"/idmapping/uniprotkb/results/stream/", 2, 0, 1, 0},
		{"/idmapping/uniprotkb/stream/", 2, 0, 1, 0},
		{"/idmapping/uniprotkb/results/", 2, 1, 1, 0},
		/* UniProt's UniRef and UniParc entry views: entry objects with what the index
		 * knows (members; the release files hold no names or sequences) */
		{"/idmapping/uniref/results/stream/", 2, 0, 0, 1},
		{"/idmapping/uniref/results/", 2, 1, 0, 1},
		{"/idmapping/uniparc/results/stream/", 2, 0, 0, 1},
		{"/idmapping/uniparc/results/", 2, 1, 0, 1},
	};
	for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
		if (!job_in(url, routes[i].prefix, id))
			continue;
		switch (routes[i].kind) {
		case 0:
			return status(ctx, c, id);
		case 1:
			return details(ctx, c, id);
		default:
			return results(ctx, c, id, url, routes[i].paged, routes[i].kb,
				       routes[i].entries);
		}
	}
	if (srv_entry_route(ctx, c, url, &rc))
		return rc;
	const char *p = "/idmapping/intersect/";
	if (!strncmp(url, p, strlen(p))) {
		const char *a = url + strlen(p), *slash = strchr(a, '/');
		if (slash && srv_job_id_valid(a, (size_t)(slash - a)) &&
		    srv_job_id_valid(slash + 1, strlen(slash + 1))) {
			char ida[SRV_JOB_ID_LEN + 1], idb[SRV_JOB_ID_LEN + 1];
			memcpy(ida, a, SRV_JOB_ID_LEN), ida[SRV_JOB_ID_LEN] = 0;
			memcpy(idb, slash + 1, SRV_JOB_ID_LEN), idb[SRV_JOB_ID_LEN] = 0;
			return intersect(ctx, c, ida, idb);
		}
	}
	return not_found(ctx, c);
}
