/* Output of a finished job: TSV (From<TAB>To, + Via, or --fields columns), list
 * (distinct targets) and UniProt's results JSON, written in 64 KiB chunks. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fields_entry.h"
#include "semantics.h"

void idmap_obuf_flush(idmap_obuf *o)
{
	if (o->len && o->rc == 0)
		o->rc = o->write(o->ctx, o->buf, o->len) ? IDMAP_STOPPED : IDMAP_OK;
	o->len = 0;
}

void idmap_obuf_s(idmap_obuf *o, const char *s) { idmap_obuf_put(o, s, strlen(s)); }

void idmap_obuf_u64(idmap_obuf *o, uint64_t v)
{
	char b[24];
	size_t n = sizeof b;
	do
		b[--n] = (char)('0' + v % 10);
	while (v /= 10);
	idmap_obuf_put(o, b + n, sizeof b - n);
}

static int obuf_write(void *ctx, const void *p, size_t n)
{
	idmap_obuf_put(ctx, p, n);
	return 0;
}

void idmap_obuf_json(idmap_obuf *o, const char *s, size_t n)
{
	idmap_obuf_c(o, '"');
	idmap_escape_write(s, n, IDMAP_ESC_JSON, obuf_write, o);
	idmap_obuf_c(o, '"');
}

IDMAP_API idmap_out_format idmap_out_format_parse(const char *name)
{
	if (!name)
		return IDMAP_OUT_UNKNOWN;
	if (!strcmp(name, "tsv"))
		return IDMAP_OUT_TSV;
	if (!strcmp(name, "list"))
		return IDMAP_OUT_LIST;
	if (!strcmp(name, "json"))
		return IDMAP_OUT_JSON;
	return IDMAP_OUT_UNKNOWN;
}

typedef struct {
	const idmap_job *j;
	const idmap_render_opts *opt;
	idmap_obuf *o;
	str_vec sv;
	uint64_t first, end;
	uint64_t pos, raw; /* the selection's next position; with x->keep, the next row tried */
	int to_col, obsolete_col;
	const idmap_render_ext *x; /* never NULL */
	idmap_fe_ahead *ahead;	   /* entry columns: the rows read ahead, by block */
} render_ctx;

/* The next selected row of positions [first, end) (x->rows, the rows x->keep keeps, or all):
 * 1 with *row, 0 at the end. Rows come in ascending order. */
static int next_row(void *ctx, uint64_t *row)
{
	render_ctx *c = ctx;
	const idmap_render_ext *x = c->x;
	while (c->pos < c->end) {
		if (!x->keep) {
			uint64_t p = c->pos++;
			*row = x->rows ? x->rows[p] : p;
			return 1;
		}
		if (c->raw >= c->j->n_rows)
			return 0;
		uint64_t r = c->raw++;
		if (x->keep(x->keep_ctx, r) && c->pos++ >= c->first) {
			*row = r;
			return 1;
		}
	}
	return 0;
}

/* The next row to write: read ahead when its entry columns read the entry store. */
static int next_out(render_ctx *c, uint64_t *row)
{
	return c->ahead ? idmap_fe_ahead_next(c->ahead, row) : next_row(c, row);
}

static const char *obsolete_word(const job_idrec *d)
{
	return d->obsolete == IDMAP_OBSOLETE_SECONDARY ? "secondary"
	       : d->obsolete == IDMAP_OBSOLETE_DELETED ? idmap_deleted_text(d->deleted_from)
						       : "";
}

/* Jobs asked to list inactive UniParc cross-references too mark each row: an Active column
 * (Y, N as UniParc's active attribute; from the request, whatever the rows) in TSV,
 * "active":false on the inactive pairs in JSON. */
static int active_col(const idmap_job *j) { return j->up.include_inactive; }

static void json_active(idmap_obuf *o, const idmap_result *r)
{
	if (r->xref_inactive)
		idmap_obuf_s(o, ",\"active\":false");
}

/* One TSV line of result r into o (sv: the fields' scratch). */
static int tsv_row(const render_ctx *c, idmap_obuf *o, str_vec *sv, const idmap_result *r)
{
	const idmap_job *j = c->j;
	const idmap_fields *f = c->opt->fields;
	int rc;
	idmap_obuf_put(o, r->from, r->from_len);
	if (c->to_col) {
		idmap_obuf_c(o, '\t');
		idmap_obuf_put(o, r->to, r->to_len);
	}
	if (j->via) {
		idmap_obuf_c(o, '\t');
		idmap_obuf_put(o, r->via, r->via_len);
	}
	if (f && r->inactive)
		idmap_fields_tsv_inactive(f, r, o);
	else if (f && (rc = idmap_fields_tsv(f, j, r->acc_slot, idmap_row_alone(j, r), r->to_len,
					     sv, o)) != IDMAP_OK)
		return rc;
	if (c->obsolete_col) {
		idmap_obuf_c(o, '\t');
		idmap_obuf_s(o, obsolete_word(&j->ids[r->id]));
	}
	if (active_col(j))
		idmap_obuf_s(o, r->xref_inactive ? "\tN" : "\tY");
	idmap_obuf_c(o, '\n');
	return IDMAP_OK;
}

static int json_row(const render_ctx *c, idmap_obuf *o, str_vec *sv, const idmap_result *r);

/* Whether c's rows are plain: every row of the job or a list of them (no keep function),
 * TSV or JSON rows without fields or entries: each row's text then depends on the row
 * alone, so that the rows can be written on several threads (render_rows_par). */
static bool plain_rows(const render_ctx *c)
{
	return !c->opt->fields && !c->x->keep && !c->x->entries && !c->ahead &&
	       c->opt->format != IDMAP_OUT_LIST;
}

/* Row `row`, at position pos of the selection, into o: a TSV line, or a JSON row after a
 * comma unless it is the first. */
static int plain_row(void *ctx, idmap_obuf *o, uint64_t row, uint64_t pos)
{
	const render_ctx *c = ctx;
	idmap_result r;
	idmap_job_prefetch_row(c->j, row);
	int rc = idmap_job_result(c->j, row, &r);
	if (rc != IDMAP_OK)
		return rc;
	if (c->opt->format == IDMAP_OUT_TSV)
		return tsv_row(c, o, NULL, &r);
	if (pos > c->first)
		idmap_obuf_c(o, ',');
	return json_row(c, o, NULL, &r);
}

/* The rows of a plain selection on the job's threads (idmap_render_rows). */
static int render_rows_par(render_ctx *c)
{
	int rc = idmap_render_rows(c->j, c->first, c->end, c->x->rows, plain_row, c, c->o);
	c->pos = c->end;
	return rc;
}

static int render_tsv(render_ctx *c)
{
	const idmap_job *j = c->j;
	idmap_obuf *o = c->o;
	const idmap_fields *f = c->opt->fields;
	idmap_result r;
	int rc;
	if (!c->opt->no_header) {
		idmap_obuf_s(o, "From");
		if (c->to_col)
			idmap_obuf_s(o, "\tTo");
		if (j->via)
			idmap_obuf_s(o, "\tVia");
		if (f)
			idmap_fields_header(f, o);
		if (c->obsolete_col)
			idmap_obuf_s(o, "\tObsolete");
		if (active_col(j))
			idmap_obuf_s(o, "\tActive");
		idmap_obuf_c(o, '\n');
	}
	if (plain_rows(c) && (rc = render_rows_par(c)) != IDMAP_OK)
		return rc;
	for (uint64_t row; o->rc == 0 && next_out(c, &row);) {
		idmap_job_prefetch_row(j, row);
		if ((rc = idmap_job_result(j, row, &r)) != IDMAP_OK ||
		    (rc = tsv_row(c, o, &c->sv, &r)) != IDMAP_OK)
			return rc;
	}
	if (!c->obsolete_col || c->x->rows || c->x->keep || c->end != j->n_rows)
		return IDMAP_OK;
	/* deleted accessions last: no target, the reason in the Obsolete column */
	size_t cols = (size_t)c->to_col + (size_t)j->via + idmap_fields_count(f);
	for (size_t i = 0; i < j->n_ids; i++) {
		const job_idrec *d = &j->ids[i];
		if (d->status != IDMAP_ID_DELETED) /* to UniProtKB: a row of its inactive entry */
			continue;
		idmap_obuf_put(o, j->arena + d->off + d->from_off, d->from_len);
		for (size_t k = 0; k < cols; k++)
			idmap_obuf_c(o, '\t');
		idmap_obuf_c(o, '\t');
		idmap_obuf_s(o, obsolete_word(d));
		idmap_obuf_c(o, '\n');
	}
	return IDMAP_OK;
}

static int json_row(const render_ctx *c, idmap_obuf *o, str_vec *sv, const idmap_result *r)
{
	idmap_obuf_s(o, "{\"from\":");
	idmap_obuf_json(o, r->from, r->from_len);
	if (idmap_fields_count(c->opt->fields) && r->inactive) {
		idmap_obuf_s(o, ",\"to\":");
		idmap_fields_json_inactive(r, o);
	} else if (idmap_fields_count(c->opt->fields) && !c->j->via) {
		idmap_obuf_s(o, ",\"to\":");
		int rc = idmap_fields_json(c->opt->fields, c->j, r->acc_slot,
					   idmap_row_alone(c->j, r), r->to_len, sv, o);
		if (rc != IDMAP_OK)
			return rc;
	} else if (c->x->entries && idmap_job_target_object(c->j)) {
		idmap_obuf_s(o, ",\"to\":");
		int rc = idmap_render_entry(c->j, r, c->x->members, o);
		if (rc != IDMAP_OK)
			return rc;
	} else {
		idmap_obuf_s(o, ",\"to\":");
		idmap_obuf_json(o, r->to, r->to_len);
	}
	if (r->via) {
		idmap_obuf_s(o, ",\"via\":");
		if (idmap_fields_count(c->opt->fields)) {
			int rc = idmap_fields_json(c->opt->fields, c->j, r->acc_slot, NULL, 0,
						   sv, o);
			if (rc != IDMAP_OK)
				return rc;
		} else {
			idmap_obuf_json(o, r->via, r->via_len);
		}
	}
	json_active(o, r);
	idmap_obuf_c(o, '}');
	return IDMAP_OK;
}

static int render_json(render_ctx *c)
{
	const idmap_job *j = c->j;
	idmap_obuf *o = c->o;
	idmap_result r;
	int rc;
	idmap_obuf_c(o, '{');
	if (c->x->json_head)
		idmap_obuf_s(o, c->x->json_head);
	idmap_obuf_s(o, "\"results\":[");
	if (plain_rows(c) && (rc = render_rows_par(c)) != IDMAP_OK)
		return rc;
	for (uint64_t row, k = 0; o->rc == 0 && next_out(c, &row); k++) {
		if (k)
			idmap_obuf_c(o, ',');
		idmap_job_prefetch_row(j, row);
		if ((rc = idmap_job_result(j, row, &r)) != IDMAP_OK ||
		    (rc = json_row(c, o, &c->sv, &r)) != IDMAP_OK)
			return rc;
	}
	idmap_obuf_c(o, ']');
	if (c->opt->no_lists) {
		idmap_obuf_s(o, "}\n");
		return IDMAP_OK;
	}
	if (j->st.failed) {
		idmap_obuf_s(o, ",\"failedIds\":[");
		int first = 1;
		for (size_t i = 0; i < j->n_ids; i++) {
			const job_idrec *d = &j->ids[i];
			if (!idmap_id_failed(d->status))
				continue;
			if (!first)
				idmap_obuf_c(o, ',');
			first = 0;
			idmap_obuf_json(o, j->arena + d->off, d->len);
		}
		idmap_obuf_c(o, ']');
	}
	if (j->n_sugg) {
		idmap_obuf_s(o, ",\"suggestedIds\":[");
		for (size_t i = 0; i < j->n_sugg; i++) {
			if (i)
				idmap_obuf_c(o, ',');
			if ((rc = idmap_job_suggested(j, i, &r)) != IDMAP_OK)
				return rc;
			idmap_obuf_s(o, "{\"from\":");
			idmap_obuf_json(o, r.from, r.from_len);
			idmap_obuf_s(o, ",\"to\":");
			idmap_obuf_json(o, r.to, r.to_len);
			json_active(o, &r);
			idmap_obuf_c(o, '}');
		}
		idmap_obuf_c(o, ']');
	}
	/* UniProt's obsoleteCount: the inactive targets, for to=UniProtKB only, 0 included
	 * (uniprot-rest-api PIRJobTask.getObsoleteUniProtEntryCount) */
	if (j->to.kind == IDMAP_DB_KIND_UNIPROTKB) {
		idmap_obuf_s(o, ",\"obsoleteCount\":");
		idmap_obuf_u64(o, j->st.inactive);
	}
	if (j->n_warn) {
		idmap_obuf_s(o, ",\"warnings\":[");
		for (size_t i = 0; i < j->n_warn; i++) {
			idmap_obuf_s(o, i ? ",{\"code\":" : "{\"code\":");
			idmap_obuf_u64(o, (uint64_t)j->warn_code[i]);
			idmap_obuf_s(o, ",\"message\":");
			idmap_obuf_json(o, j->warn_msg[i], strlen(j->warn_msg[i]));
			idmap_obuf_c(o, '}');
		}
		idmap_obuf_c(o, ']');
	}
	idmap_obuf_s(o, "}\n");
	return IDMAP_OK;
}

IDMAP_API int idmap_render_ex(const idmap_job *j, const idmap_render_opts *opt,
			      const idmap_render_ext *x, idmap_write_fn write, void *ctx)
{
	if (!j || !opt || !x || !write || !j->ran || opt->format < 0 ||
	    opt->format > IDMAP_OUT_JSON || (x->keep && x->rows))
		return IDMAP_ERR_INVALID;
	for (uint64_t i = 0; x->rows && i < x->n_rows; i++)
		if (x->rows[i] >= j->n_rows || (i && x->rows[i] <= x->rows[i - 1]))
			return IDMAP_ERR_INVALID;
	idmap_obuf *o = malloc(sizeof *o);
	if (!o)
		return IDMAP_ERR_NOMEM;
	o->write = write;
	o->ctx = ctx;
	o->len = 0;
	o->rc = 0;
	/* the shape follows the request alone, never the input: an Obsolete column only on
	 * request (--fields ...,obsolete) */
	unsigned row = idmap_fields_row(opt->fields);
	render_ctx c = {j, opt, o, {0}, 0, 0, 0, 0,
			!opt->fields || j->via || (row & IDMAP_FIELDS_TO),
			(row & IDMAP_FIELDS_OBSOLETE) != 0, x, NULL};
	/* with a keep function the selection's size is only known at its end */
	uint64_t n = x->keep ? UINT64_MAX : x->rows ? x->n_rows : j->n_rows;
	c.first = opt->first < n ? opt->first : n;
	c.end = opt->count && opt->count < n - c.first ? c.first + opt->count : n;
	c.pos = x->keep ? 0 : c.first;
	int rc;
	if (opt->format == IDMAP_OUT_LIST)
		rc = idmap_render_list(j, next_row, &c, x->tmp_dir, o);
	else {
		if (idmap_fields_count(opt->fields))
			c.ahead = idmap_fe_ahead_new(j, idmap_fields_entry_kinds(opt->fields),
						     opt->format == IDMAP_OUT_JSON, next_row, &c);
		rc = opt->format == IDMAP_OUT_TSV ? render_tsv(&c) : render_json(&c);
		if (c.ahead && rc == IDMAP_OK)
			rc = idmap_fe_ahead_rc(c.ahead);
		idmap_fe_ahead_free(c.ahead);
	}
	idmap_obuf_flush(o);
	if (rc == IDMAP_OK)
		rc = o->rc;
	idmap_str_vec_free(&c.sv);
	free(o);
	return rc;
}

IDMAP_API int idmap_render(const idmap_job *j, const idmap_render_opts *opt,
			   idmap_write_fn write, void *ctx)
{
	static const idmap_render_ext none;
	return idmap_render_ex(j, opt, &none, write, ctx);
}
