/* UniProtKB entries as JSON or TSV on UniProt's entry paths (uniprot-rest-api
 * UniProtKBController): GET /uniprotkb/{accession}[.json|.tsv] and /uniprotkb/accessions with
 * format=json|tsv. The entries are those of a one-off job mapping the accessions to UniProtKB
 * (idmap_render_entries): what the index holds of each, in uniprot-core's entry shape. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"

#define TSV_TYPE "text/plain;format=tsv"

static const char *arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

int srv_kb_format(struct MHD_Connection *c, const char *suffix, int *fmt, char *err, size_t len)
{
	if (suffix && !strcmp(suffix, ".json"))
		*fmt = IDMAP_OUT_JSON;
	else if (suffix && !strcmp(suffix, ".tsv"))
		*fmt = IDMAP_OUT_TSV;
	else if (srv_out_format(c, fmt, err, len) != 0)
		return -1;
	if (*fmt != IDMAP_OUT_LIST)
		return 0;
	snprintf(err, len, "Invalid request received. Requested media type/format not accepted, "
		 "'list'. Valid media types/formats for this end-point include: application/json, "
		 "%s, text/plain;format=fasta.", TSV_TYPE);
	return -1;
}

static int str_write(void *ctx, const void *p, size_t n) { return idmap_str_put(ctx, p, n); }

/* A job of the accessions in text (comma- or line-separated) to UniProtKB, run. */
static int kb_job(srv_ctx *ctx, const char *text, size_t n, idmap_job **job)
{
	idmap_request req = {.from = "UniProtKB_AC-ID", .to = "UniProtKB"};
	int rc = idmap_job_new(ctx->ix, &req, job, NULL);
	if (rc == IDMAP_OK && (rc = idmap_job_add_lines(*job, text, n)) == IDMAP_OK)
		rc = idmap_job_run(*job);
	if (rc != IDMAP_OK) {
		idmap_job_free(*job);
		*job = NULL;
	}
	return rc;
}

/* The fields asked for, else a whole entry in JSON and UniProt's default columns in TSV.
 * Returns 0, or -1 after answering UniProt's 400 in *rc. */
static int kb_fields(srv_ctx *ctx, struct MHD_Connection *c, const idmap_job *job, int fmt,
		     idmap_fields **f, enum MHD_Result *rc)
{
	const char *list = arg(c, "fields");
	idmap_diag d;
	int st;
	if (list && *list)
		st = idmap_fields_parse(job, list, f, &d);
	else if (fmt == IDMAP_OUT_JSON)
		st = idmap_fields_entry(job, f);
	else
		st = idmap_fields_parse(job, idmap_fields_default(job), f, &d);
	if (st == IDMAP_OK)
		return 0;
	*rc = st == IDMAP_ERR_BAD_OPTION
		      ? srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "%s", d.message)
		      : srv_error(ctx, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", idmap_strerror(st));
	return -1;
}

/* Renders the job's entries and queues them with status (and Location when not NULL). */
static enum MHD_Result send_entries(srv_ctx *ctx, struct MHD_Connection *c, idmap_job *job,
				    const idmap_fields *f, int fmt, int single, unsigned status,
				    const char *location)
{
	idmap_str b = {0};
	int st = idmap_render_entries(job, f, fmt, single, str_write, &b);
	if (st == IDMAP_STOPPED)
		st = IDMAP_ERR_NOMEM;
	enum MHD_Result rc;
	struct MHD_Response *r;
	if (st != IDMAP_OK)
		rc = srv_error(ctx, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", idmap_strerror(st));
	else if (!(r = MHD_create_response_from_buffer(b.len, b.p ? b.p : "",
						       MHD_RESPMEM_MUST_COPY)))
		rc = MHD_NO;
	else {
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					fmt == IDMAP_OUT_JSON ? "application/json" : TSV_TYPE);
		if (location)
			MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
		rc = srv_queue(ctx, c, status, r);
	}
	free(b.p);
	return rc;
}

enum MHD_Result srv_kb_entry(srv_ctx *ctx, struct MHD_Connection *c, const char *acc, size_t n,
			     int fmt)
{
	/* UniProt's canonical isoform X-1 is the entry X, unless X-1 has a record of its own */
	idmap_entry e;
	if (n > 2 && !strncmp(acc + n - 2, "-1", 2) &&
	    (idmap_entry_find(ctx->ix, acc, n, &e) != IDMAP_OK || strlen(e.id) != n))
		n -= 2;
	idmap_job *job;
	idmap_fields *f = NULL;
	enum MHD_Result rc;
	int st = kb_job(ctx, acc, n, &job);
	if (st != IDMAP_OK)
		return srv_error(ctx, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", idmap_strerror(st));
	if (kb_fields(ctx, c, job, fmt, &f, &rc) != 0) {
		idmap_job_free(job);
		return rc;
	}
	idmap_id_info id;
	char primary[IDMAP_ACC_TEXT_SIZE], more[IDMAP_ACC_TEXT_SIZE], loc[256];
	const char *location = NULL;
	if (idmap_job_id(job, 0, &id) != IDMAP_OK ||
	    (id.status != IDMAP_ID_MAPPED && id.status != IDMAP_ID_DELETED))
		rc = srv_error(ctx, c, MHD_HTTP_NOT_FOUND, "Resource not found");
	else {
		/* a secondary accession merged into one entry: UniProt's 303 to it, with the
		 * inactive entry as the body (BasicSearchController.getEntityResponse) */
		if (id.obsolete == IDMAP_OBSOLETE_SECONDARY &&
		    idmap_job_primary(job, 0, 0, primary) == IDMAP_OK &&
		    idmap_job_primary(job, 0, 1, more) != IDMAP_OK) {
			char from[IDMAP_ACC_TEXT_SIZE];
			size_t k = 0;
			for (; k < id.from_len && k + 1 < sizeof from; k++)
				from[k] = (char)toupper((unsigned char)id.text[k]);
			from[k] = 0;
			snprintf(loc, sizeof loc, "/uniprotkb/%s%s?from=%s", primary,
				 fmt == IDMAP_OUT_TSV ? ".tsv" : "", from);
			location = loc;
		}
		rc = send_entries(ctx, c, job, f, fmt, 1,
				  location ? MHD_HTTP_SEE_OTHER : MHD_HTTP_OK, location);
	}
	idmap_fields_free(f);
	idmap_job_free(job);
	return rc;
}

enum MHD_Result srv_kb_by_name(srv_ctx *ctx, struct MHD_Connection *c, const char *name,
				size_t n, const char *suffix)
{
	idmap_job *job;
	int st = kb_job(ctx, name, n, &job);
	if (st != IDMAP_OK)
		return srv_error(ctx, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", idmap_strerror(st));
	idmap_id_info id;
	idmap_result r;
	enum MHD_Result rc;
	struct MHD_Response *resp;
	char loc[512];
	if (idmap_job_id(job, 0, &id) != IDMAP_OK || id.status != IDMAP_ID_MAPPED ||
	    idmap_job_result(job, 0, &r) != IDMAP_OK || r.inactive)
		rc = srv_error(ctx, c, MHD_HTTP_NOT_FOUND, "Resource not found");
	else if (id.rows > 1) /* UniProtEntryService.findAccessionByProteinId */
		rc = srv_error(ctx, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "Multiple accessions found "
			       "for id: %.*s", (int)n, name);
	else if (!(resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT)))
		rc = MHD_NO;
	else {
		snprintf(loc, sizeof loc, "/uniprotkb/%.*s%s?from=%.*s", (int)r.to_len, r.to, suffix,
			 (int)n, name);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, loc);
		rc = srv_queue(ctx, c, MHD_HTTP_SEE_OTHER, resp);
	}
	idmap_job_free(job);
	return rc;
}

enum MHD_Result srv_kb_accessions(srv_ctx *ctx, struct MHD_Connection *c, const char *list,
				  int fmt)
{
	/* ranges are for FASTA only (UniProt's ValidContentTypes on the accessions) */
	if (strchr(list, '['))
		return srv_error(ctx, c, MHD_HTTP_BAD_REQUEST, "Invalid content type received, "
				 "'%s'. Expected one of [text/plain;format=fasta].",
				 fmt == IDMAP_OUT_JSON ? "application/json" : TSV_TYPE);
	idmap_job *job;
	idmap_fields *f = NULL;
	enum MHD_Result rc;
	int st = kb_job(ctx, list, strlen(list), &job);
	if (st != IDMAP_OK)
		return srv_error(ctx, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", idmap_strerror(st));
	if (kb_fields(ctx, c, job, fmt, &f, &rc) == 0)
		rc = send_entries(ctx, c, job, f, fmt, 0, MHD_HTTP_OK, NULL);
	idmap_fields_free(f);
	idmap_job_free(job);
	return rc;
}
