/* POST /idmapping/run: the form fields from, to, taxId and ids (form body, urlencoded or
 * multipart, or the query string). The body is never held whole: ids are split as they arrive
 * (white space and commas, as idmap_job_add_ids does), written one per line to a spool file
 * and hashed, so the job id is known when the body ends and --max-ids is enforced on the way.
 * The job id hashes from, to, taxId and the id sequence: the same request gives the same job. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hash.h"
#include "server.h"

#define MAX_TOKEN 65536	     /* longer "ids" are refused */
#define MAX_REFS 16	     /* job:ID references per request */
#define DISCARD_LIMIT (64u << 20) /* body bytes read past --max-ids before hanging up */

struct srv_submit {
	srv_ctx *ctx;
	struct MHD_PostProcessor *pp;
	srv_request req;
	int has_from, has_to;
	FILE *spool;
	char spool_path[4200];
	char *tok;
	size_t tok_len;
	uint64_t n_ids, ha, hb;
	char refs[MAX_REFS][SRV_JOB_ID_LEN + 1];
	size_t n_refs;
	/* the first problem found; answered when the body ends */
	unsigned err_status;
	char err[512];
	uint64_t discarded;
	int answered;
	int multipart; /* a multipart/form-data body (binary parts may hold any byte) */
};

static void fail(srv_submit *s, unsigned status, const char *msg)
{
	if (s->err_status)
		return;
	s->err_status = status;
	snprintf(s->err, sizeof s->err, "%s", msg);
}

static void end_token(srv_submit *s)
{
	if (!s->tok_len)
		return;
	if (s->n_ids == s->ctx->opts->max_ids) {
		char m[256];
		snprintf(m, sizeof m,
			 "Too many ids: this server maps at most %" PRIu64
			 " ids per job (idmap serve --max-ids)", s->ctx->opts->max_ids);
		fail(s, MHD_HTTP_CONTENT_TOO_LARGE, m);
		s->tok_len = 0;
		return;
	}
	idmap_h128 h = idmap_hash(s->tok, s->tok_len, 0x6a6f622d6964ull);
	s->ha = idmap_fmix(s->ha ^ h.hi) + s->n_ids;
	s->hb = idmap_fmix(s->hb ^ h.lo ^ idmap_rotl(s->ha, 17));
	s->n_ids++;
	if (s->tok_len > 4 && !memcmp(s->tok, "job:", 4)) {
		if (!srv_job_id_valid(s->tok + 4, s->tok_len - 4))
			fail(s, MHD_HTTP_BAD_REQUEST, "The value 'job:...' in 'ids' must name a job "
			     "id (job:<jobId>)");
		else if (s->n_refs == MAX_REFS)
			fail(s, MHD_HTTP_BAD_REQUEST, "At most 16 job:<jobId> references per request");
		else {
			memcpy(s->refs[s->n_refs], s->tok + 4, SRV_JOB_ID_LEN);
			s->refs[s->n_refs++][SRV_JOB_ID_LEN] = 0;
		}
	}
	s->tok[s->tok_len++] = '\n';
	if (fwrite(s->tok, 1, s->tok_len, s->spool) != s->tok_len)
		fail(s, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot spool the ids: disk full?");
	s->tok_len = 0;
}

static void feed_ids(srv_submit *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (s->err_status) {
			s->discarded += n - i;
			return;
		}
		if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		    c == '\v') {
			end_token(s);
			continue;
		}
		if (s->tok_len == MAX_TOKEN) {
			fail(s, MHD_HTTP_BAD_REQUEST, "An id in 'ids' is longer than 65536 characters");
			continue;
		}
		s->tok[s->tok_len++] = c;
	}
}

/* Copies a short field piece; refuses values that do not fit. */
static void feed_small(srv_submit *s, const char *name, char *dst, size_t cap, uint64_t off,
		       const char *p, size_t n)
{
	if (off + n >= cap) {
		char m[256];
		snprintf(m, sizeof m, "The parameter '%s' is too long", name);
		fail(s, MHD_HTTP_BAD_REQUEST, m);
		return;
	}
	memcpy(dst + off, p, n);
	dst[off + n] = 0;
}

static void field(srv_submit *s, const char *key, uint64_t off, const char *data, size_t size)
{
	if (!key)
		return;
	if (memchr(data, 0, size)) { /* %00, or a NUL in a part: no id or name holds one */
		char m[256];
		snprintf(m, sizeof m, "The parameter '%.64s' contains a NUL byte", key);
		fail(s, MHD_HTTP_BAD_REQUEST, m);
		return;
	}
	if (!strcmp(key, "ids") || !strcmp(key, "file")) {
		if (off == 0)
			end_token(s); /* a new value: never glue it to the previous one */
		feed_ids(s, data, size);
	} else if (!strcmp(key, "from")) {
		s->has_from = 1;
		feed_small(s, "from", s->req.from, sizeof s->req.from, off, data, size);
	} else if (!strcmp(key, "to")) {
		s->has_to = 1;
		feed_small(s, "to", s->req.to, sizeof s->req.to, off, data, size);
	} else if (!strcmp(key, "taxId")) {
		feed_small(s, "taxId", s->req.tax, sizeof s->req.tax, off, data, size);
	}
}

static enum MHD_Result post_field(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *filename, const char *content_type,
				  const char *transfer_encoding, const char *data, uint64_t off,
				  size_t size)
{
	(void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
	field(cls, key, off, data, size);
	return MHD_YES;
}

static enum MHD_Result query_field(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	(void)kind;
	if (value)
		field(cls, key, 0, value, strlen(value));
	return MHD_YES;
}

srv_submit *srv_submit_begin(srv_ctx *ctx, struct MHD_Connection *c)
{
	srv_submit *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->ctx = ctx;
	s->tok = malloc(MAX_TOKEN + 1);
	s->spool = srv_jobs_new_spool(ctx->jobs, s->spool_path, sizeof s->spool_path);
	if (!s->tok || !s->spool) {
		srv_submit_free(s);
		return NULL;
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_field, s);
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);
	if (type) {
		s->multipart = !strncasecmp(type, "multipart/", 10);
		s->pp = MHD_create_post_processor(c, 64 * 1024, post_field, s);
		if (!s->pp)
			fail(s, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			     "The request body must be application/x-www-form-urlencoded or "
			     "multipart/form-data");
	}
	return s;
}

enum MHD_Result srv_submit_feed(srv_submit *s, const char *data, size_t size)
{
	if (s->answered)
		return MHD_YES;
	if (!s->err_status && !s->multipart && memchr(data, 0, size))
		fail(s, MHD_HTTP_BAD_REQUEST, "The request body contains a NUL byte");
	if (s->err_status || !s->pp) {
		s->discarded += size;
		return MHD_YES;
	}
	return MHD_post_process(s->pp, data, size);
}

int srv_submit_give_up(const srv_submit *s)
{
	return s->err_status && s->discarded > DISCARD_LIMIT;
}

static void job_id(const srv_submit *s, char out[SRV_JOB_ID_LEN + 1])
{
	size_t lf = strlen(s->req.from), lt = strlen(s->req.to), lx = strlen(s->req.tax);
	char buf[sizeof s->req + 32];
	size_t n = 0;
	memcpy(buf + n, s->req.from, lf + 1), n += lf + 1;
	memcpy(buf + n, s->req.to, lt + 1), n += lt + 1;
	memcpy(buf + n, s->req.tax, lx + 1), n += lx + 1;
	memcpy(buf + n, &s->ha, 8), n += 8;
	memcpy(buf + n, &s->hb, 8), n += 8;
	memcpy(buf + n, &s->n_ids, 8), n += 8;
	idmap_h128 h = idmap_hash(buf, n, 0x69646d6170ull);
	snprintf(out, SRV_JOB_ID_LEN + 1, "%016" PRIx64 "%016" PRIx64, h.hi, h.lo);
}

/* Comma-separated NCBI taxon ids, each below 2^64 (the filter's type): the workers parse
 * them again, and a value they could not hold would drop the filter. */
static int tax_valid(const char *s)
{
	if (!*s)
		return 1;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p == ',' && p != s && p[1] && p[-1] != ',')))
			return 0;
	for (const char *p = s; *p; p += *p == ',') {
		char *end;
		errno = 0;
		strtoull(p, &end, 10);
		if (errno)
			return 0;
		p = end;
	}
	return strlen(s) <= 200;
}

/* Checks from/to through the library, with UniProt's messages. */
static int check_request(srv_submit *s, idmap_diag *d)
{
	idmap_request r = {.from = s->req.from, .to = s->req.to};
	idmap_job *job = NULL;
	int rc = idmap_job_new(s->ctx->ix, &r, &job, d);
	idmap_job_free(job);
	return rc;
}

static enum MHD_Result answer_error(srv_submit *s, struct MHD_Connection *c, unsigned status,
				    const char *msg)
{
	s->answered = 1;
	return srv_error(s->ctx, c, status, "%s", msg);
}

enum MHD_Result srv_submit_end(srv_submit *s, struct MHD_Connection *c)
{
	if (s->answered)
		return MHD_YES;
	if (s->pp && !s->err_status) {
		/* MHD_NO: the body stopped mid-field, e.g. before the closing boundary */
		if (MHD_destroy_post_processor(s->pp) != MHD_YES)
			fail(s, MHD_HTTP_BAD_REQUEST,
			     s->multipart ? "The multipart request body ends without its closing "
					    "boundary"
					  : "The request body ends in the middle of a field");
		s->pp = NULL;
	}
	end_token(s);
	if (!s->err_status && fflush(s->spool) != 0)
		fail(s, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot spool the ids: disk full?");
	if (s->err_status)
		return answer_error(s, c, s->err_status, s->err);
	if (!s->has_from || !s->req.from[0])
		return answer_error(s, c, MHD_HTTP_BAD_REQUEST, "'from' is a required parameter");
	if (!s->has_to || !s->req.to[0])
		return answer_error(s, c, MHD_HTTP_BAD_REQUEST, "'to' is a required parameter");
	if (!s->n_ids)
		return answer_error(s, c, MHD_HTTP_BAD_REQUEST, "'ids' is a required parameter");
	if (!tax_valid(s->req.tax)) {
		char m[400];
		snprintf(m, sizeof m, "The parameter 'taxId' has an invalid value '%.200s'.",
			 s->req.tax);
		return answer_error(s, c, MHD_HTTP_BAD_REQUEST, m);
	}
	idmap_diag d;
	int rc = check_request(s, &d);
	if (rc == IDMAP_ERR_NOMEM)
		return answer_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	if (rc != IDMAP_OK) /* UniProt's message alone: the hints name idmap map's options */
		return answer_error(s, c, MHD_HTTP_BAD_REQUEST, d.message);
	for (size_t i = 0; i < s->n_refs; i++) {
		srv_job_view v;
		if (srv_jobs_view(s->ctx->jobs, s->refs[i], &v) != 0 ||
		    v.state != SRV_JOB_FINISHED) {
			char m[256];
			snprintf(m, sizeof m, "The job 'job:%s' in 'ids' is %s", s->refs[i],
				 v.id[0] ? "not finished" : "unknown or expired");
			return answer_error(s, c, MHD_HTTP_BAD_REQUEST, m);
		}
	}
	char id[SRV_JOB_ID_LEN + 1], err[256];
	job_id(s, id);
	fclose(s->spool);
	s->spool = NULL;
	if (srv_jobs_submit(s->ctx->jobs, id, &s->req, s->n_ids, s->spool_path, err,
			    sizeof err) != 0)
		return answer_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, err);
	s->spool_path[0] = 0; /* it belongs to the job now */
	s->answered = 1;
	char body[64];
	int n = snprintf(body, sizeof body, "{\"jobId\":\"%s\"}", id);
	return srv_send(s->ctx, c, MHD_HTTP_OK, "application/json", body, (size_t)n);
}

void srv_submit_free(srv_submit *s)
{
	if (!s)
		return;
	if (s->pp)
		MHD_destroy_post_processor(s->pp);
	if (s->spool)
		fclose(s->spool);
	if (s->spool_path[0])
		unlink(s->spool_path);
	free(s->tok);
	free(s);
}
