/* idmap serve: UniProt's ID mapping REST API and web page over libidmap. Internal interfaces of
 * the server's modules:
 *   serve.c    the daemon: options, listening socket, signals, start and stop
 *   routes.c   one handler per endpoint (UniProt's paths), request parsing
 *   submit.c   POST /idmapping/run: form fields streamed, ids tokenised into a spool file
 *   respond.c  responses: JSON errors in UniProt's shape, bodies produced on a thread, gzip
 *   conn_limits.c  deadlines for a complete request header and body
 *   intersect.c    GET /idmapping/intersect: the common targets of two jobs, sorted on disk
 *   entries.c      FASTA: of a job's targets, and /uniprotkb, /uniref, /uniparc entry ids
 *   kb_entries.c   UniProtKB entries as JSON and TSV: /uniprotkb/{accession}, /accessions
 *   params.c   format/Accept, and the query, facets and sort of the uniprotkb results
 *   jobid.c    UniProt's job ids
 *   jobs.c     the job registry: worker threads, files in --jobs-dir, expiry, cache
 *   web.c      the embedded page (the files of server/web) */
#ifndef IDMAP_SERVER_H
#define IDMAP_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <microhttpd.h>

#include "idmap.h"
#include "idmap_vec.h"

/* ---- Options (cmd_serve.c fills them) ------------------------------------------------------ */

typedef struct {
	const char *index_path;
	const char *listen;	 /* "127.0.0.1:8080", "[::1]:8080", ":8080" (port 0: any) */
	const char *jobs_dir;	 /* created when missing */
	uint64_t job_ttl;	 /* seconds a job is kept after its submission */
	unsigned threads;	 /* mapping worker threads */
	uint64_t max_ids;	 /* ids per job; more gets UniProt's 400 */
	uint64_t cache_bytes;	 /* finished jobs kept loaded in memory */
	unsigned max_connections;
	unsigned max_per_ip;	 /* connections from one address */
	unsigned header_timeout; /* seconds for a complete request header (0: none) */
	unsigned body_timeout;	 /* seconds for a complete body after its header (0: none) */
	int quiet;		 /* no request log */
	char **argv;		 /* the command line, run again on SIGHUP */
} srv_opts;

/* Runs the server until SIGINT/SIGTERM. Returns the process exit code. */
int srv_run(const srv_opts *o);

/* ---- Jobs (jobs.c) --------------------------------------------------------------------------- */

/* FNV-1a of a short text, for the server's hash tables (not stored anywhere). */
static inline uint64_t srv_fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

/* UniProt's job ids: 10 base-62 characters, deterministic from the request (jobid.c). */
#define SRV_JOB_ID_LEN 10

/* The job id of a request, fed piece by piece: srv_jobid_field(from), (to), then each id
 * (srv_jobid_id, as submitted: the hash lower-cases), then taxId when not empty. */
typedef struct {
	_Alignas(8) unsigned char sha[96]; /* the SHA-1 state */
	int comma;
} srv_jobid;
void srv_jobid_init(srv_jobid *j);
void srv_jobid_field(srv_jobid *j, const char *s);
void srv_jobid_id(srv_jobid *j, const char *s, size_t n);
/* Text hashed as it is, not lower-cased (job ids are case-sensitive) */
void srv_jobid_raw(srv_jobid *j, const char *s, size_t n);
void srv_jobid_end(srv_jobid *j, char out[SRV_JOB_ID_LEN + 1]);
/* 1 for the white space Java's String.strip() removes (ASCII) */
int srv_java_space(int c);

typedef enum { SRV_JOB_NEW = 0, SRV_JOB_RUNNING, SRV_JOB_FINISHED, SRV_JOB_ERROR } srv_job_state;

/* The request of a job as submitted (names as typed). */
typedef struct {
	char from[128], to[128], tax[256];
	char inactive[8]; /* includeInactive (idmap's extension): "true" or "" */
} srv_request;

/* A snapshot of one job, taken under the registry lock. */
typedef struct {
	char id[SRV_JOB_ID_LEN + 1];
	int state;
	srv_request req;
	time_t created;
	uint64_t n_ids;	    /* tokens submitted */
	int err_code;	    /* SRV_JOB_ERROR: UniProt-style code and message */
	char err_msg[256];
} srv_job_view;

typedef struct srv_jobs srv_jobs;

/* Opens the registry on dir (created when missing), loads the jobs found there (expired ones
 * deleted, unfinished ones queued again) and starts the workers. Returns 0, or -1 with a
 * message in err. */
int srv_jobs_open(srv_jobs **out, const idmap_index *ix, const srv_opts *o, char *err,
		  size_t errlen);
/* Stops the workers (after their current job) and frees the registry. Files stay. */
void srv_jobs_close(srv_jobs *jobs);

/* 1 when s is SRV_JOB_ID_LEN base-62 digits. */
int srv_job_id_valid(const char *s, size_t n);

/* Registers a job whose ids are in the spool file (one id per line; renamed into the jobs
 * dir). When the job exists already, the spool is removed and the old job kept. Returns 0,
 * or -1 (disk error, message in err). */
int srv_jobs_submit(srv_jobs *jobs, const char *id, const srv_request *req, uint64_t n_ids,
		    const char *spool, char *err, size_t errlen);

/* Fills *v for job id. Returns 0, or -1 for an unknown or expired job. */
int srv_jobs_view(srv_jobs *jobs, const char *id, srv_job_view *v);

/* A finished job held for reading: loaded from disk when not in memory. Returns the job (the
 * registry keeps it loaded until srv_jobs_release), or NULL with *v filled when the job is
 * not finished (v->state) or unknown (v->id empty). */
const idmap_job *srv_jobs_acquire(srv_jobs *jobs, const char *id, srv_job_view *v);
void srv_jobs_release(srv_jobs *jobs, const char *id);

/* Opens the spooled ids of a job (one per line) for reading, or NULL. */
FILE *srv_jobs_open_ids(srv_jobs *jobs, const char *id);

/* Creates a new spool file in the jobs dir; returns its stream and stores its path. */
FILE *srv_jobs_new_spool(srv_jobs *jobs, char *path, size_t len);

/* ---- Submissions (submit.c) ---------------------------------------------------------------- */

typedef struct srv_submit srv_submit;
struct srv_ctx;

/* Starts a submission on a connection (called at its first access-handler call). */
srv_submit *srv_submit_begin(struct srv_ctx *ctx, struct MHD_Connection *c);
/* Feeds a piece of the request body. Returns MHD_YES, or MHD_NO to drop the connection. */
enum MHD_Result srv_submit_feed(srv_submit *s, const char *data, size_t size);
/* 1 when the body has been refused and so much of it was skipped that reading on is a waste:
 * the caller then answers at once (MHD closes the connection after the answer). */
int srv_submit_give_up(srv_submit *s);
/* Ends the body: registers the job and queues the answer. */
enum MHD_Result srv_submit_end(srv_submit *s, struct MHD_Connection *c);
void srv_submit_free(srv_submit *s);

/* ---- Request deadlines (conn_limits.c) ----------------------------------------------------- */

typedef struct srv_limits srv_limits;

/* What a connection is waiting for: its deadline is set when it enters the phase. */
typedef enum {
	SRV_PHASE_HEADER, /* the next request's header: --header-timeout */
	SRV_PHASE_BODY,	  /* the rest of a body: --body-timeout */
	SRV_PHASE_ANSWER, /* the answer is being made or sent: no deadline */
} srv_phase;

/* Starts the watchdog that closes connections past their deadline (logged to log, may be
 * NULL). Returns 0, or -1 (out of memory or threads). */
int srv_limits_start(srv_limits **out, const srv_opts *o, FILE *log);
void srv_limits_stop(srv_limits *l);
/* MHD_OPTION_NOTIFY_CONNECTION with l as its closure: lists connections, header deadline. */
void srv_limits_notify(void *l, struct MHD_Connection *c, void **socket_context,
		       enum MHD_ConnectionNotificationCode code);
/* Moves connection c to phase (l may be NULL). */
void srv_limits_phase(srv_limits *l, struct MHD_Connection *c, srv_phase phase);

/* ---- Server context (serve.c) -------------------------------------------------------------- */

typedef struct srv_ctx {
	const srv_opts *opts;
	idmap_index *ix;
	idmap_catalog *cat;
	srv_jobs *jobs;
	srv_limits *limits;
	char release[64], release_date[64];
	char *fields_json; /* GET /configure/idmapping/fields, rendered once */
	size_t fields_len;
	FILE *log;
} srv_ctx;

/* ---- Responses (respond.c) ------------------------------------------------------------------ */

/* Adds the headers every answer carries (release stamp, CORS) and queues it. */
enum MHD_Result srv_queue(srv_ctx *ctx, struct MHD_Connection *c, unsigned status,
			  struct MHD_Response *r);
/* A body copied from memory, with its content type. */
enum MHD_Result srv_send(srv_ctx *ctx, struct MHD_Connection *c, unsigned status,
			 const char *type, const void *body, size_t len);
/* UniProt's error body {"url":...,"messages":[...]}: the formatted text, one message per
 * line. */
enum MHD_Result srv_error(srv_ctx *ctx, struct MHD_Connection *c, unsigned status,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The path of the request this thread answers (MHD runs one thread per connection), for the
 * "url" of error bodies. */
extern __thread const char *srv_request_path;

/* The absolute URL of path on this server, from the Host header ("http://host/path"). */
void srv_url(struct MHD_Connection *c, const char *path, char *out, size_t len);

/* A body written by fn on its own thread while MHD sends it (any size, bounded memory).
 * fn writes through w; arg is freed with free_arg after fn returns. gzip: compress it. */
typedef int (*srv_produce_fn)(void *arg, idmap_write_fn w, void *wctx);
struct MHD_Response *srv_produced(srv_produce_fn fn, void *arg, void (*free_arg)(void *),
				  int gzip);

/* Texts are built in an idmap_str (idmap_vec.h). A JSON string (quoted, escaped): */
void srv_json(idmap_str *b, const char *s, size_t n);
/* The same without the quotes (a piece of a longer JSON string). */
void srv_json_chars(idmap_str *b, const char *s, size_t n);
/* Writes "METHOD URL" and a newline to the request log, control bytes escaped (\x1b): a
 * request cannot send escape sequences to the operator's terminal. */
void srv_log_request(FILE *log, const char *method, const char *url);

/* ---- Result parameters as UniProt validates them (params.c) ---------------------------------- */

/* The output format: format=json|tsv|list, else the Accept header, else JSON. Returns 0, or
 * -1 with UniProt's message in err for a format this server does not produce. */
int srv_out_format(struct MHD_Connection *c, int *fmt, char *err, size_t errlen);
/* A parsed query (the subset of UniProt's syntax the index answers) on the rows of job; no
 * list of the matching rows is made, so that a query on a large job costs no memory. */
typedef struct srv_query srv_query;
/* Returns 0 with *q (free with free()), or -1 with a message naming the parameter. */
int srv_query_parse(const idmap_job *job, const char *query, srv_query **q, char *err,
		    size_t errlen);
/* Whether result row `row` matches query q (an idmap_render_ext keep function). */
int srv_query_keep(void *q, uint64_t row);
/* Appends `"facets":[...],` for the comma-separated facet names over the rows matching q
 * (NULL: all rows). Returns 0, or -1 with UniProt's message for an unknown facet. */
int srv_facets(const idmap_job *job, const char *facets, const srv_query *q, idmap_str *out,
	       char *err, size_t errlen);

/* ---- Routes (routes.c) and the page (web.c) ------------------------------------------------- */

enum MHD_Result srv_route_get(srv_ctx *ctx, struct MHD_Connection *c, const char *url);

/* The targets present in both jobs, sorted, in format fmt (json, tsv or list) through w;
 * memory bounded whatever the jobs' sizes, temporary files in the jobs dir (intersect.c).
 * Returns 0, or non-zero (I/O error, or w's value). */
int srv_intersect(srv_ctx *ctx, const idmap_job *ja, const idmap_job *jb, int fmt,
		  idmap_write_fn w, void *wctx);

/* ---- FASTA (entries.c) --------------------------------------------------------------------- */

/* 1 when the request asks for FASTA: format=fasta, or no format and an Accept of
 * text/plain;format=fasta. */
int srv_fasta_wanted(struct MHD_Connection *c);
/* includeIsoform and subsequence of the uniprotkb results for the content type asked: 0, or
 * -1 with UniProt's message in err (a value other than true/false; subsequence outside
 * FASTA; includeIsoform outside FASTA, which this server does not do). */
int srv_fasta_params(struct MHD_Connection *c, const char *type, char *err, size_t len);
/* subsequence=true: 0 when the `from` of every result row ends with a range, else -1 with
 * UniProt's message naming the others in err. */
int srv_fasta_ranges(const idmap_job *job, char *err, size_t len);
/* 0 when the index holds an entry store, else -1 after answering UniProt's 400 in *rc. */
int srv_fasta_store(srv_ctx *ctx, struct MHD_Connection *c, enum MHD_Result *rc);

/* The FASTA records of a job's result rows (rows[] when not NULL, else every row that keep
 * accepts, or every row when keep is NULL: a query) from first, count of them (0: all). */
typedef struct {
	const idmap_index *ix;
	const idmap_job *job;
	const uint64_t *rows;
	uint64_t n_rows, first, count;
	int (*keep)(void *keep_ctx, uint64_t row);
	void *keep_ctx;
	int isoforms, subsequence; /* includeIsoform=true, subsequence=true */
} srv_fasta_job;
/* Writes them through w; targets without a record and ranges outside their sequence write
 * nothing. Returns 0, or non-zero (index damage, or w's value). */
int srv_fasta_rows(const srv_fasta_job *f, idmap_write_fn w, void *wctx);

/* Answers the entry paths (/uniprotkb/{accession}.fasta, /uniprotkb/accessions, /uniref/
 * {id}.fasta, /uniparc/{upi}.fasta, or ?format=fasta): returns 1 with the answer in *rc, or 0
 * when url is not one of them. */
int srv_entry_route(srv_ctx *ctx, struct MHD_Connection *c, const char *url, enum MHD_Result *rc);

/* ---- UniProtKB entries as JSON or TSV (kb_entries.c) ---------------------------------------- */

/* The format of a /uniprotkb entry request that is not FASTA: the path's suffix (".json",
 * ".tsv", or NULL), else format= or Accept. Returns 0 with IDMAP_OUT_JSON or IDMAP_OUT_TSV in
 * *fmt, or -1 with UniProt's message in err. */
int srv_kb_format(struct MHD_Connection *c, const char *suffix, int *fmt, char *err, size_t len);
/* GET /uniprotkb/{acc}: the entry of acc[0, n) (a valid accession, without range) in fmt,
 * `fields=` or the whole entry; a secondary accession is UniProt's 303 to its entry; an
 * unknown one 404. */
enum MHD_Result srv_kb_entry(srv_ctx *ctx, struct MHD_Connection *c, const char *acc, size_t n,
			     int fmt);
/* GET /uniprotkb/{entry name}: UniProt's 303 to /uniprotkb/{accession}{suffix}?from={name}
 * (UniProtKBController.redirectToAccession; suffix "", ".tsv" or ".fasta"), 404 when no
 * entry has that name. */
enum MHD_Result srv_kb_by_name(srv_ctx *ctx, struct MHD_Connection *c, const char *name,
				size_t n, const char *suffix);
/* GET /uniprotkb/accessions in fmt: the entries of the (validated) comma-separated list. */
enum MHD_Result srv_kb_accessions(srv_ctx *ctx, struct MHD_Connection *c, const char *list,
				  int fmt);

/* The embedded file for url ("/", "/app.js", ...), or NULL. */
const void *srv_web_file(const char *url, size_t *len, const char **type);

#endif
