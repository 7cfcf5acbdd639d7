/* FASTA on UniProt's paths (docs/server.md): the records of a job's targets
 * (/idmapping/{uniprotkb,uniref,uniparc}/results[/stream]/{jobId}?format=fasta, paged by
 * routes.c) and of entry ids (/uniprotkb/{accession}.fasta, /uniprotkb/accessions,
 * /uniref/{id}.fasta, /uniparc/{upi}.fasta), all written by the engine's idmap_entry_fasta so
 * the bytes are those of `idmap map --format fasta` and `idmap entry`. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"

#define FASTA_TYPE "text/plain;format=fasta"
#define MAX_ACCESSIONS 1000 /* UniProt's limit on /uniprotkb/accessions */

static const char *arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

int srv_fasta_wanted(struct MHD_Connection *c)
{
	const char *f = arg(c, "format");
	if (f)
		return !strcmp(f, "fasta");
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	if (!a)
		return 0;
	/* the first media range decides, as srv_out_format: spaces are no part of it */
	char t[64];
	size_t k = 0;
	for (const char *p = a; *p && *p != ',' && k + 1 < sizeof t; p++)
		if (*p != ' ' && *p != '\t')
			t[k++] = *p;
	t[k] = 0;
	return !strncasecmp(t, FASTA_TYPE, strlen(FASTA_TYPE)) &&
	       (!t[strlen(FASTA_TYPE)] || t[strlen(FASTA_TYPE)] == ';');
}

int srv_fasta_store(srv_ctx *ctx, struct MHD_Connection *c, enum MHD_Result *rc)
{
	idmap_entry_stats st;
	if (idmap_entry_stats_get(ctx->ix, &st) == IDMAP_OK)
		return 0;
	*rc = srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "this index holds no sequences: build it "
			"with the release's FASTA files");
	return -1;
}

int srv_fasta_params(struct MHD_Connection *c, const char *type, char *err, size_t len)
{
	static const char *const names[] = {"includeIsoform", "subsequence"};
	int fasta = !strcmp(type, FASTA_TYPE);
	for (size_t i = 0; i < 2; i++) {
		const char *v = arg(c, names[i]);
		if (!v || !strcasecmp(v, "false"))
			continue;
		if (strcasecmp(v, "true"))
			snprintf(err, len, "Invalid %s parameter value. Expected true or false",
				 names[i]);
		else if (fasta)
			continue;
		else if (i == 1) /* UniProt's ValidContentTypes on subsequence */
			snprintf(err, len, "Invalid content type received, '%s'. 'subsequence' "
				 "parameter only accepted for '%s' content type.", type, FASTA_TYPE);
		else /* UniProt adds isoform rows to every format; this server to FASTA only */
			snprintf(err, len, "The 'includeIsoform' parameter is supported by this "
				 "server with format=fasta only");
		return -1;
	}
	return 0;
}

/* 1 when an id ends with a range of 1-5 digits each, as UniProt's SUB_SEQUENCE_PATTERN
 * `.*\[\d{1,5}-\d{1,5}]`. */
static int ranged(const char *s, size_t n)
{
	size_t i = n, d1 = 0, d2 = 0;
	if (!i || s[--i] != ']')
		return 0;
	for (; i && isdigit((unsigned char)s[i - 1]); i--)
		d2++;
	if (!d2 || d2 > 5 || !i || s[--i] != '-')
		return 0;
	for (; i && isdigit((unsigned char)s[i - 1]); i--)
		d1++;
	return d1 && d1 <= 5 && i && s[i - 1] == '[';
}

int srv_fasta_ranges(const idmap_job *job, char *err, size_t len)
{
	idmap_job_stats js;
	idmap_job_get_stats(job, &js);
	size_t k = 0, n = 0;
	for (uint64_t i = 0; i < js.results; i++) {
		idmap_result r;
		idmap_id_info id;
		if (idmap_job_result(job, i, &r) != IDMAP_OK || idmap_job_id(job, r.id, &id) != IDMAP_OK)
			return -1;
		if (ranged(id.text, id.from_len))
			continue;
		if (!k)
			k = (size_t)snprintf(err, len, "Unable to compute fasta subsequence for IDs: ");
		if (k < len) /* every such id, as UniProt's (the message cut at len) */
			k += (size_t)snprintf(err + k, len - k, "%s%.*s", n++ ? "," : "",
					      (int)id.from_len, id.text);
	}
	if (k && k < len)
		snprintf(err + k, len - k, ". Expected format is accession[begin-end], for "
			 "example:Q00001[10-20]");
	return k ? -1 : 0;
}

/* Rows' records written together (idmap_entry_fasta_items reads them block by block): at
 * most so many, or so many residues (the output is buffered). */
#define BATCH_ITEMS 4096
#define BATCH_RESIDUES (8u << 20)

static int flush(const srv_fasta_job *f, idmap_entry_item *items, size_t *k, uint64_t *residues,
		 idmap_write_fn w, void *wctx)
{
	int st = idmap_entry_fasta_items(f->ix, items, *k, w, wctx);
	*k = 0;
	*residues = 0;
	return st == IDMAP_OK ? 0 : st;
}

int srv_fasta_rows(const srv_fasta_job *f, idmap_write_fn w, void *wctx)
{
	idmap_job_stats js;
	idmap_job_get_stats(f->job, &js);
	uint64_t n = f->rows ? f->n_rows : js.results;
	uint64_t first = f->first, left = f->count ? f->count : UINT64_MAX, residues = 0;
	idmap_entry_item *items = malloc(BATCH_ITEMS * sizeof *items);
	size_t k = 0;
	int rc = items ? 0 : IDMAP_ERR_NOMEM;
	/* pos counts the selected rows (those keep accepts): paging is over the selection */
	for (uint64_t i = 0, pos = 0; rc == 0 && i < n && left; i++) {
		uint64_t row = f->rows ? f->rows[i] : i;
		if (f->keep && !f->keep(f->keep_ctx, row))
			continue;
		if (pos++ < first)
			continue;
		left--;
		idmap_result r;
		idmap_id_info id;
		idmap_entry_item *it = &items[k];
		*it = (idmap_entry_item){.isoforms = f->isoforms};
		if (idmap_job_result(f->job, row, &r) != IDMAP_OK ||
		    idmap_job_id(f->job, r.id, &id) != IDMAP_OK) {
			rc = -1;
			break;
		}
		/* a target without a record, or a range outside its sequence, writes nothing (the
		 * CLI says why on stderr); never a clipped range */
		if (idmap_entry_find(f->ix, r.to, r.to_len, &it->e) != IDMAP_OK)
			continue;
		if (f->subsequence && it->e.kind <= IDMAP_ENTRY_ISOFORM)
			idmap_entry_range(id.text, id.len, &it->start, &it->end);
		residues += it->e.length;
		if (++k == BATCH_ITEMS || residues >= BATCH_RESIDUES)
			rc = flush(f, items, &k, &residues, w, wctx);
	}
	if (rc == 0 && k)
		rc = flush(f, items, &k, &residues, w, wctx);
	free(items);
	return rc;
}

/* ---- /uniprotkb, /uniref, /uniparc ------------------------------------------------------- */

static int buf_write(void *ctx, const void *p, size_t n)
{
	return idmap_str_put(ctx, p, n); /* stops (IDMAP_STOPPED) only when out of memory */
}

/* 1 when id is a UniProtKB accession or isoform, as UniProt's accession validation. */
static int kb_accession(const char *id, size_t n)
{
	idmap_idform f;
	int form = idmap_parse_uniprot_id(id, n, &f);
	return form == IDMAP_FORM_ACCESSION || form == IDMAP_FORM_ISOFORM;
}

static int uniref_id(const char *id, size_t n)
{
	idmap_idform f;
	return idmap_parse_uniref_id(id, n, 0, &f) == IDMAP_FORM_UNIREF;
}

static int uniparc_id(const char *id, size_t n)
{
	idmap_idform f;
	return idmap_parse_uniparc_id(id, n, &f) == IDMAP_FORM_UNIPARC;
}

/* The kinds of record a path serves, and UniProt's 400 for an id of another shape. */
typedef struct {
	const char *prefix;
	int lo, hi; /* idmap_entry_kind range */
	int (*valid)(const char *id, size_t n);
	const char *invalid;
} entry_path;

static const entry_path paths[] = {
	{"/uniprotkb/", IDMAP_ENTRY_SWISSPROT, IDMAP_ENTRY_ISOFORM, kb_accession,
	 "The 'accession' value has invalid format. It should be a valid UniProtKB accession"},
	{"/uniref/", IDMAP_ENTRY_UNIREF100, IDMAP_ENTRY_UNIREF50, uniref_id,
	 "The 'id' value has invalid format. It should be a valid UniRef Cluster id"},
	{"/uniparc/", IDMAP_ENTRY_UNIPARC, IDMAP_ENTRY_UNIPARC, uniparc_id,
	 "The 'upi' value has invalid format. It should be a valid UniParc UPI"},
};

/* An id asked for, with the sequence range UniProt allows on accessions: "P00750[39-81]". */
typedef struct {
	const char *id, *range; /* range: "39-81", NULL without one */
	size_t n, range_len;	/* n: the id without its range */
	uint32_t start, end;
} asked_id;

/* Splits text into *a. Returns 1 when it is an id of path p (a range on UniProtKB only). */
static int asked(const entry_path *p, const char *text, size_t n, asked_id *a)
{
	const char *lb = memchr(text, '[', n);
	*a = (asked_id){.id = text, .n = lb ? (size_t)(lb - text) : n};
	if (lb && (p->lo != IDMAP_ENTRY_SWISSPROT || !idmap_entry_range(text, n, &a->start, &a->end)))
		return 0;
	if (lb) {
		a->range = lb + 1;
		a->range_len = n - a->n - 2;
	}
	return p->valid(a->id, a->n);
}

/* UniProt's check of a range before any lookup: 1 <= start <= end. */
static int range_ok(const asked_id *a)
{
	return !a->range || (a->start >= 1 && a->start <= a->end);
}

/* Appends the record of a when it is of the path's kinds. Returns IDMAP_OK,
 * IDMAP_ERR_NOT_FOUND, IDMAP_ERR_INVALID (a range beyond the sequence), or an index or
 * memory failure. */
static int append_id(srv_ctx *ctx, const entry_path *p, const asked_id *a, idmap_str *b)
{
	idmap_entry e;
	int st = idmap_entry_find(ctx->ix, a->id, a->n, &e);
	if (st == IDMAP_ERR_INVALID || (st == IDMAP_OK && (e.kind < p->lo || e.kind > p->hi)))
		return IDMAP_ERR_NOT_FOUND;
	idmap_entry_item it = {.e = e, .start = a->start, .end = a->end};
	if (st == IDMAP_OK && (st = idmap_entry_fasta_items(ctx->ix, &it, 1, buf_write, b)) ==
				      IDMAP_OK)
		st = it.status;
	return st == IDMAP_STOPPED ? IDMAP_ERR_NOMEM : st;
}

static enum MHD_Result bad_range(srv_ctx *ctx, struct MHD_Connection *c, const asked_id *a)
{
	return srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "Invalid sequence range [%.*s]",
			 (int)(a->range_len > 40 ? 40 : a->range_len), a->range);
}

/* The answer for status st of the ids asked for, the last one being a. */
static enum MHD_Result send_fasta(srv_ctx *ctx, struct MHD_Connection *c, int st, idmap_str *b,
				  const asked_id *a)
{
	enum MHD_Result rc;
	if (st == IDMAP_ERR_NOT_FOUND)
		rc = srv_error(ctx, c, MHD_HTTP_NOT_FOUND, "Resource not found");
	else if (st == IDMAP_ERR_INVALID && a->range) /* never clipped */
		rc = bad_range(ctx, c, a);
	else if (st != IDMAP_OK)
		rc = srv_error(ctx, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", idmap_strerror(st));
	else
		rc = srv_send(ctx, c, MHD_HTTP_OK, FASTA_TYPE, b->p ? b->p : "", b->len);
	free(b->p);
	return rc;
}

/* The next comma-separated item of *s with its spaces trimmed, into *t and *k; 0 at the end. */
static int next_item(const char **s, const char **t, size_t *k)
{
	if (!**s)
		return 0;
	size_t len = strcspn(*s, ",");
	*t = *s;
	*k = len;
	for (; *k && **t == ' '; --*k)
		++*t;
	while (*k && (*t)[*k - 1] == ' ')
		--*k;
	*s += len + ((*s)[len] == ',');
	return 1;
}

/* GET /uniprotkb/accessions?accessions=P1,P2&format=fasta: the records found, in the order
 * given; ids without one are left out, as UniProt's search. fmt: JSON or TSV instead
 * (kb_entries.c), -1 for FASTA. */
static enum MHD_Result accessions(srv_ctx *ctx, struct MHD_Connection *c, const entry_path *p,
				  int fmt)
{
	const char *list = arg(c, "accessions");
	if (!list || !*list)
		return srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "'accessions' is a required parameter");
	/* every malformed accession named, as UniProt's ValidUniqueIdList */
	idmap_str b = {0};
	const char *s = list, *t;
	size_t k, n = 0;
	asked_id a = {0};
	for (; next_item(&s, &t, &k); n++)
		if (!asked(p, t, k, &a))
			idmap_str_printf(&b, "%sAccession '%.*s' has invalid format. It should be a "
				       "valid UniProtKB accession with optional sequence range e.g. "
				       "P12345[10-20].", b.len ? "\n" : "", (int)(k > 100 ? 100 : k), t);
	if (n > MAX_ACCESSIONS)
		idmap_str_printf(&b, "%sOnly '%d' accessions are allowed in each request.",
			       b.len ? "\n" : "", MAX_ACCESSIONS);
	if (b.len || b.failed) {
		enum MHD_Result rc = srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "%s",
					       b.failed ? "out of memory" : b.p);
		free(b.p);
		return rc;
	}
	if (fmt >= 0)
		return srv_kb_accessions(ctx, c, list, fmt);
	for (s = list; next_item(&s, &t, &k);)
		if (asked(p, t, k, &a) && !range_ok(&a))
			return bad_range(ctx, c, &a);
	int st = IDMAP_OK;
	for (s = list; st == IDMAP_OK && next_item(&s, &t, &k);)
		if (asked(p, t, k, &a) && (st = append_id(ctx, p, &a, &b)) == IDMAP_ERR_NOT_FOUND)
			st = IDMAP_OK;
	return send_fasta(ctx, c, st, &b, &a);
}

int srv_entry_route(srv_ctx *ctx, struct MHD_Connection *c, const char *url, enum MHD_Result *rc)
{
	const entry_path *p = NULL;
	for (size_t i = 0; !p && i < sizeof paths / sizeof *paths; i++)
		if (!strncmp(url, paths[i].prefix, strlen(paths[i].prefix)))
			p = &paths[i];
	if (!p)
		return 0;
	const char *id = url + strlen(p->prefix), *suffix = NULL;
	size_t n = strlen(id);
	int ext = n > 6 && !strcmp(id + n - 6, ".fasta");
	int kb = p->lo == IDMAP_ENTRY_SWISSPROT, fmt = -1; /* fmt: JSON or TSV, -1 FASTA */
	n -= ext ? 6 : 0;
	for (size_t i = 0; kb && !ext && !suffix && i < 2; i++) {
		const char *x = i ? ".tsv" : ".json";
		if (n > strlen(x) && !strcmp(id + n - strlen(x), x))
			suffix = id + (n -= strlen(x));
	}
	if (!n || memchr(id, '/', n))
		return 0;
	if (kb && !ext && (suffix || !srv_fasta_wanted(c))) {
		char err[256];
		if (srv_kb_format(c, suffix, &fmt, err, sizeof err) != 0) {
			*rc = srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "%s", err);
			return 1;
		}
	} else if (!ext && !srv_fasta_wanted(c)) {
		*rc = srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "Invalid request received. Requested "
				"media type/format not accepted. Valid media types/formats for this "
				"end-point include: %s.", FASTA_TYPE);
		return 1;
	}
	if (fmt < 0 && srv_fasta_store(ctx, c, rc) != 0)
		return 1;
	if (kb && n == 10 && !strncmp(id, "accessions", 10) && !ext && !suffix) {
		*rc = accessions(ctx, c, p, fmt);
		return 1;
	}
	asked_id a;
	idmap_idform form;
	if (kb && !memchr(id, '[', n) && (idmap_parse_uniprot_id(id, n, &form) ==
					   IDMAP_FORM_ENTRY_NAME ||
					   form.form == IDMAP_FORM_TREMBL_NAME)) {
		const char *to_ext = fmt < 0 ? ".fasta" : fmt == IDMAP_OUT_TSV ? ".tsv" : "";
		*rc = srv_kb_by_name(ctx, c, id, n, to_ext);
		return 1;
	}
	if (!asked(p, id, n, &a)) {
		*rc = srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "%s", p->invalid);
		return 1;
	}
	if (fmt >= 0 && a.range) { /* UniProtKBController.validateSubsequence */
		*rc = srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "Sequence range is only supported "
				"for type %s", FASTA_TYPE);
		return 1;
	}
	if (fmt >= 0) {
		*rc = srv_kb_entry(ctx, c, a.id, a.n, fmt);
		return 1;
	}
	if (!range_ok(&a)) {
		*rc = bad_range(ctx, c, &a);
		return 1;
	}
	idmap_str b = {0};
	*rc = send_fasta(ctx, c, append_id(ctx, p, &a, &b), &b, &a);
	return 1;
}
