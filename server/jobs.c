/* The job registry of idmap serve. A job is a set of files in --jobs-dir named by its id:
 *   ID.req            the request (written once at submission; its presence makes the job)
 *   ID.ids            the submitted ids, one per line
 *   ID.FP.result      the finished job (idmap_job_save), FP = fingerprint of the index used
 *   ID.err            why the job failed: "CODE<TAB>MESSAGE", then "final<TAB>FP" when the
 *                     request itself was wrong on the index of fingerprint FP
 * so jobs survive a restart: finished ones are loaded on demand, unfinished ones run again,
 * results made on another index (a new release) are mapped again on this one, and so are
 * failures that were not final (a full disk, memory): those also run again when the same
 * request is submitted again. Worker threads run queued jobs (a job made from another one,
 * ids=job:REF, waits for it); a janitor deletes jobs older than --job-ttl; finished jobs stay
 * loaded in memory up to --cache bytes, least recently used first out. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"

typedef struct sjob {
	srv_job_view v;
	idmap_job *job;	 /* loaded result of a finished job, or NULL */
	size_t mem;	 /* its size estimate while loaded */
	unsigned refs;	 /* readers holding job */
	int loading;	 /* a thread is reading it from disk */
	int final;	 /* SRV_JOB_ERROR for the request itself: submitting it again changes nothing */
	char wait_for[SRV_JOB_ID_LEN + 1]; /* parked until this job:REF source ends, or "" */
	uint64_t tick;	 /* last use, for the cache */
	struct sjob *next, *qnext;
} sjob;

struct srv_jobs {
	const idmap_index *ix;
	uint64_t fp;
	char *dir;
	uint64_t ttl, cache_bytes, cached, tick;
	pthread_mutex_t mu;
	pthread_cond_t work, changed, stop_cv;
	sjob **tab;
	size_t tab_cap, n;
	sjob *qhead, *qtail;
	sjob *parked; /* jobs waiting for their source job (wait_for), linked by qnext */
	pthread_t *workers, janitor;
	unsigned n_workers, spool_seq;
	int stop, has_janitor;
};

/* ---- Paths and files ------------------------------------------------------------------------- */

static void job_path(const srv_jobs *js, const char *id, const char *ext, char *out, size_t len)
{
	snprintf(out, len, "%s/%s%s", js->dir, id, ext);
}

static void result_path(const srv_jobs *js, const char *id, char *out, size_t len)
{
	char ext[32];
	snprintf(ext, sizeof ext, ".%016" PRIx64 ".result", js->fp);
	job_path(js, id, ext, out, len);
}

/* Writes path atomically: a temporary beside it, fsync, rename. */
static int write_file(const char *path, int (*fill)(FILE *f, void *arg), void *arg)
{
	char tmp[4200];
	int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		/* A cut name would be another file, and the rename would move it over path. */
		errno = ENAMETOOLONG;
		return -1;
	}
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return -1;
	int rc = fill(f, arg);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

static int fill_req(FILE *f, void *arg)
{
	const srv_job_view *v = arg;
	fprintf(f, "idmap-job\t1\nfrom\t%s\nto\t%s\ntaxId\t%s\ncreated\t%lld\nids\t%" PRIu64 "\n",
		v->req.from, v->req.to, v->req.tax, (long long)v->created, v->n_ids);
	if (v->req.inactive[0]) /* a line older servers skip */
		fprintf(f, "includeInactive\t%s\n", v->req.inactive);
	return ferror(f) ? -1 : 0;
}

typedef struct {
	const srv_job_view *v;
	int final;
	uint64_t fp;
} err_arg;

static int fill_err(FILE *f, void *arg)
{
	const err_arg *e = arg;
	fprintf(f, "%d\t%s\n", e->v->err_code, e->v->err_msg);
	if (e->final)
		fprintf(f, "final\t%016" PRIx64 "\n", e->fp);
	return ferror(f) ? -1 : 0;
}

/* Reads ID.req into v. Returns 0 or -1. */
static int read_req(const srv_jobs *js, const char *id, srv_job_view *v)
{
	char path[4200], line[512];
	job_path(js, id, ".req", path, sizeof path);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	memset(v, 0, sizeof *v);
	memcpy(v->id, id, SRV_JOB_ID_LEN);
	int ok = fgets(line, sizeof line, f) && !strcmp(line, "idmap-job\t1\n");
	while (ok && fgets(line, sizeof line, f)) {
		char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');
		if (!tab || !nl) {
			ok = 0;
			break;
		}
		*tab++ = 0;
		*nl = 0;
		if (!strcmp(line, "from"))
			snprintf(v->req.from, sizeof v->req.from, "%s", tab);
		else if (!strcmp(line, "to"))
			snprintf(v->req.to, sizeof v->req.to, "%s", tab);
		else if (!strcmp(line, "taxId"))
			snprintf(v->req.tax, sizeof v->req.tax, "%s", tab);
		else if (!strcmp(line, "includeInactive"))
			snprintf(v->req.inactive, sizeof v->req.inactive, "%s",
				 strcmp(tab, "true") ? "" : "true");
		else if (!strcmp(line, "created"))
			v->created = (time_t)strtoll(tab, NULL, 10);
		else if (!strcmp(line, "ids"))
			v->n_ids = strtoull(tab, NULL, 10);
	}
	fclose(f);
	return ok && v->created > 0 ? 0 : -1;
}

/* Reads ID.err into v. Returns 1 when the failure is final on this index. */
static int read_err(const srv_jobs *js, srv_job_view *v)
{
	char path[4200], line[512], final[64];
	int is_final = 0;
	job_path(js, v->id, ".err", path, sizeof path);
	FILE *f = fopen(path, "r");
	v->err_code = 50;
	snprintf(v->err_msg, sizeof v->err_msg, "the job failed");
	if (!f)
		return 0;
	if (fgets(line, sizeof line, f)) {
		char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (tab) {
			v->err_code = atoi(line);
			snprintf(v->err_msg, sizeof v->err_msg, "%s", tab + 1);
		}
	}
	snprintf(final, sizeof final, "final\t%016" PRIx64 "\n", js->fp);
	if (fgets(line, sizeof line, f))
		is_final = !strcmp(line, final);
	fclose(f);
	return is_final;
}

/* Removes the files of job id (and the temporaries of a write that was cut short). */
static void remove_files(const srv_jobs *js, const char *id)
{
	char path[4200], res[64];
	snprintf(res, sizeof res, ".%016" PRIx64 ".result", js->fp);
	const char *const ext[] = {".req", ".ids", ".err", res};
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		job_path(js, id, ext[i], path, sizeof path);
		unlink(path);
		strcat(path, ".tmp");
		unlink(path);
	}
}

/* ---- The table ------------------------------------------------------------------------------- */

static size_t bucket(const srv_jobs *js, const char *id)
{
	return (size_t)(srv_fnv(id, SRV_JOB_ID_LEN) & (js->tab_cap - 1));
}

static sjob *find(const srv_jobs *js, const char *id)
{
	for (sjob *j = js->tab[bucket(js, id)]; j; j = j->next)
		if (!memcmp(j->v.id, id, SRV_JOB_ID_LEN))
			return j;
	return NULL;
}

/* Adds j to the table. Growing it only shortens the chains: without memory for that, the
 * chains grow instead, so that inserting never fails (a failure would leave a caller holding a
 * job that is queued already, or a job's files with nothing in memory). */
static void insert(srv_jobs *js, sjob *j)
{
	sjob **t = js->n + 1 > js->tab_cap ? calloc(js->tab_cap * 2, sizeof *t) : NULL;
	if (t) {
		size_t cap = js->tab_cap * 2;
		sjob **old = js->tab;
		size_t old_cap = js->tab_cap;
		js->tab = t;
		js->tab_cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			for (sjob *k = old[i], *nx; k; k = nx) {
				nx = k->next;
				size_t b = bucket(js, k->v.id);
				k->next = t[b];
				t[b] = k;
			}
		free(old);
	}
	size_t b = bucket(js, j->v.id);
	j->next = js->tab[b];
	js->tab[b] = j;
	js->n++;
}

static void unlink_entry(srv_jobs *js, sjob *j)
{
	for (sjob **p = &js->tab[bucket(js, j->v.id)]; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			js->n--;
			return;
		}
}

static void enqueue(srv_jobs *js, sjob *j)
{
	j->v.state = SRV_JOB_NEW;
	j->qnext = NULL;
	if (js->qtail)
		js->qtail->qnext = j;
	else
		js->qhead = j;
	js->qtail = j;
	pthread_cond_signal(&js->work);
}

/* A job's age never wraps: when the wall clock went back (an NTP step, a VM restore), a job
 * "from the future" is young. */
static int expired(const srv_jobs *js, const sjob *j, time_t now)
{
	return js->ttl && now > j->v.created && (uint64_t)(now - j->v.created) >= js->ttl;
}

static void unload(srv_jobs *js, sjob *j)
{
	if (!j->job)
		return;
	idmap_job_free(j->job);
	j->job = NULL;
	js->cached -= j->mem;
	j->mem = 0;
}

/* Frees least recently used loaded jobs nobody reads until the cache fits. Lock held. */
static void trim_cache(srv_jobs *js)
{
	while (js->cached > js->cache_bytes) {
		sjob *lru = NULL;
		for (size_t i = 0; i < js->tab_cap; i++)
			for (sjob *j = js->tab[i]; j; j = j->next)
				if (j->job && !j->refs && (!lru || j->tick < lru->tick))
					lru = j;
		if (!lru)
			return;
		unload(js, lru);
	}
}

/* ---- Running a job ----------------------------------------------------------------------------- */

typedef struct {
	idmap_job *job;
	char carry[4096];
	size_t n;
	int failed;
} feed_ctx;

/* Feeds rendered list output (one id per line, in pieces) into a job at line boundaries. */
static int feed_list(void *arg, const void *p, size_t n)
{
	feed_ctx *f = arg;
	const char *s = p;
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) + 1 : n;
		if (f->n + k > sizeof f->carry) {
			f->failed = IDMAP_ERR_INVALID; /* an id longer than 4 KiB cannot be a target */
			return 1;
		}
		memcpy(f->carry + f->n, s, k);
		f->n += k;
		if (nl) {
			int rc = idmap_job_add_ids(f->job, f->carry, f->n);
			f->n = 0;
			if (rc != IDMAP_OK) {
				f->failed = rc;
				return 1;
			}
		}
		s += k;
		n -= k;
	}
	return 0;
}

/* How a run ended. A failure is final only when the request itself is wrong (names, ids):
 * the same run would fail again. Others (disk, memory, a source job failed or expired) run
 * again when the request is submitted again or the server restarts. */
enum { RUN_DONE, RUN_RETRY, RUN_FINAL, RUN_WAIT /* for source job dep: run after it */ };

typedef struct {
	srv_job_view v; /* the job as dequeued; err_code and err_msg on failure */
	int end;	/* RUN_* */
	char dep[SRV_JOB_ID_LEN + 1];
} run_state;

/* Records why the run failed. Returns -1. */
static int fail(run_state *r, int end, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(run_state *r, int end, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->v.err_msg, sizeof r->v.err_msg, fmt, ap);
	va_end(ap);
	r->end = end;
	return -1;
}

/* The library's IDMAP_ERR_INVALID blames the input; its other errors may go away. */
static int end_of(int rc)
{
	return rc == IDMAP_ERR_INVALID ? RUN_FINAL : RUN_RETRY;
}

/* Adds spooled ids, one a line (white space inside an id stays part of it, as UniProt's). */
static int add_ids(idmap_job *job, const char *p, size_t n, run_state *r)
{
	int rc = idmap_job_add_lines(job, p, n);
	if (rc == IDMAP_OK)
		return 0;
	return fail(r, end_of(rc), "%s",
		    rc == IDMAP_ERR_NOMEM ? "out of memory" : "too many ids for one job");
}

/* Adds the distinct targets of finished job ref to job (ids=job:REF, chaining). */
static int add_chained(srv_jobs *js, idmap_job *job, const char *ref, run_state *r)
{
	srv_job_view v;
	const idmap_job *src = srv_jobs_acquire(js, ref, &v);
	if (!src && !v.id[0]) /* it was there at submission: expired since, it may come back */
		return fail(r, RUN_RETRY, "job:%s is not a known job", ref);
	if (!src && v.state == SRV_JOB_ERROR)
		return fail(r, RUN_RETRY, "job:%s failed", ref);
	if (!src) { /* queued or running (mapped again on a new index after a reload) */
		memcpy(r->dep, ref, SRV_JOB_ID_LEN);
		r->dep[SRV_JOB_ID_LEN] = 0;
		return fail(r, RUN_WAIT, "job:%s is not finished", ref);
	}
	feed_ctx f = {.job = job};
	idmap_render_opts o = {.format = IDMAP_OUT_LIST};
	idmap_render_ext x = {.tmp_dir = js->dir}; /* a large job's targets sorted on disk */
	int rc = idmap_render_ex(src, &o, &x, feed_list, &f);
	if (rc == IDMAP_OK && f.n)
		rc = idmap_job_add_ids(job, f.carry, f.n);
	srv_jobs_release(js, ref);
	if (rc != IDMAP_OK || f.failed) {
		rc = f.failed ? f.failed : rc;
		return fail(r, end_of(rc), "job:%s: %s", ref, idmap_strerror(rc));
	}
	return 0;
}

/* Adds the spooled ids of job id, expanding job:REF lines. */
static int add_spooled(srv_jobs *js, const char *id, idmap_job *job, run_state *r)
{
	FILE *f = srv_jobs_open_ids(js, id);
	if (!f)
		return fail(r, RUN_RETRY, "the ids of the job are missing: %s", strerror(errno));
	char *line = NULL, *run = NULL;
	size_t cap = 0, run_len = 0, run_cap = 0;
	ssize_t n;
	int rc = 0;
	/* consecutive plain ids go to the job in runs of about 1 MiB, one id a line (white
	 * space inside an id of the REST API's 'ids' is part of it) */
	while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
		int chained = n > 4 && !memcmp(line, "job:", 4);
		if (chained || run_len + (size_t)n > (1u << 20)) {
			if (run_len)
				rc = add_ids(job, run, run_len, r);
			run_len = 0;
		}
		if (chained) {
			line[n - 1] = 0;
			if (rc == 0)
				rc = add_chained(js, job, line + 4, r);
			continue;
		}
		if (idmap_vec_reserve(&run, &run_cap, run_len + (size_t)n, 1) < 0) {
			rc = fail(r, RUN_RETRY, "out of memory");
			break;
		}
		memcpy(run + run_len, line, (size_t)n);
		run_len += (size_t)n;
	}
	if (rc == 0 && run_len)
		rc = add_ids(job, run, run_len, r);
	if (ferror(f) && rc == 0)
		rc = fail(r, RUN_RETRY, "cannot read the ids of the job");
	free(line);
	free(run);
	fclose(f);
	return rc;
}

/* Parses "9606,10090" into taxa. Returns how many, or -1. */
static long parse_taxa(const char *s, uint64_t *taxa, size_t max)
{
	size_t n = 0;
	while (*s) {
		char *end;
		if (*s < '0' || *s > '9' || n == max)
			return -1;
		errno = 0;
		unsigned long long t = strtoull(s, &end, 10);
		if (errno || (*end && *end != ','))
			return -1;
		taxa[n++] = t;
		s = *end ? end + 1 : end;
	}
	return (long)n;
}

typedef struct {
	FILE *f;
	size_t bytes;
} save_ctx;

static int save_write(void *arg, const void *p, size_t n)
{
	save_ctx *s = arg;
	s->bytes += n;
	return fwrite(p, 1, n, s->f) == n ? 0 : 1;
}

typedef struct {
	const idmap_job *job;
	size_t bytes;
} save_arg;

static int fill_result(FILE *f, void *arg)
{
	save_arg *a = arg;
	save_ctx s = {.f = f};
	int rc = idmap_job_save(a->job, save_write, &s);
	a->bytes = s.bytes;
	return rc == IDMAP_OK ? 0 : -1;
}

/* Maps the job of r. Returns the finished job, or NULL with r->end and r->v saying why. */
static idmap_job *run_job(srv_jobs *js, run_state *r, size_t *mem)
{
	srv_job_view *v = &r->v;
	uint64_t taxa[sizeof v->req.tax / 2 + 1]; /* "1,2,...": as many as the text holds */
	long n_taxa = parse_taxa(v->req.tax, taxa, sizeof taxa / sizeof *taxa);
	idmap_request req = {.from = v->req.from, .to = v->req.to[0] ? v->req.to : NULL,
			     .taxa = taxa, .n_taxa = n_taxa > 0 ? (size_t)n_taxa : 0,
			     .include_inactive = v->req.inactive[0] != 0};
	idmap_diag d;
	idmap_job *job = NULL;
	v->err_code = 50;
	if (n_taxa < 0) { /* stored before taxId was checked: refused, never run unfiltered */
		fail(r, RUN_FINAL, "The parameter 'taxId' has an invalid value");
		return NULL;
	}
	int rc = idmap_job_new(js->ix, &req, &job, &d);
	if (rc != IDMAP_OK) { /* the request is checked at submission: a new index may refuse it */
		fail(r, rc == IDMAP_ERR_NOMEM ? RUN_RETRY : RUN_FINAL, "%s",
		     rc == IDMAP_ERR_NOMEM ? "out of memory" : d.message);
		return NULL;
	}
	if (add_spooled(js, v->id, job, r) != 0) {
		idmap_job_free(job);
		return NULL;
	}
	rc = idmap_job_run(job);
	if (rc != IDMAP_OK) {
		fail(r, RUN_RETRY, "mapping failed: %s", idmap_strerror(rc));
		idmap_job_free(job);
		return NULL;
	}
	char path[4200];
	save_arg a = {.job = job};
	result_path(js, v->id, path, sizeof path);
	if (write_file(path, fill_result, &a) != 0) {
		fail(r, RUN_RETRY, "cannot store the results: %s", strerror(errno));
		idmap_job_free(job);
		return NULL;
	}
	*mem = a.bytes + a.bytes / 4 + 4096;
	r->end = RUN_DONE;
	return job;
}

/* Parks j (which needs job r->dep) until that job ends, or queues it again when it has ended
 * meanwhile. Returns 1, or 0 when j would wait for itself (r then says why it failed). Lock
 * held. */
static int wait_for_source(srv_jobs *js, sjob *j, run_state *r)
{
	sjob *d = find(js, r->dep);
	if (!d || (d->v.state != SRV_JOB_NEW && d->v.state != SRV_JOB_RUNNING)) {
		enqueue(js, j);
		return 1;
	}
	/* parked jobs never form a cycle (each park checks), so this walk ends */
	for (sjob *k = d; k; k = k->wait_for[0] ? find(js, k->wait_for) : NULL)
		if (k == j) {
			fail(r, RUN_FINAL, "job:%s depends on this job", r->dep);
			return 0;
		}
	j->v.state = SRV_JOB_NEW;
	memcpy(j->wait_for, r->dep, sizeof j->wait_for);
	j->qnext = js->parked;
	js->parked = j;
	return 1;
}

/* Queues the jobs parked for job id, which has ended. Lock held. */
static void wake_parked(srv_jobs *js, const char *id)
{
	for (sjob **p = &js->parked; *p;) {
		sjob *k = *p;
		if (memcmp(k->wait_for, id, SRV_JOB_ID_LEN) != 0) {
			p = &k->qnext;
			continue;
		}
		*p = k->qnext;
		k->wait_for[0] = 0;
		enqueue(js, k);
	}
}

static void *worker(void *arg)
{
	srv_jobs *js = arg;
	pthread_mutex_lock(&js->mu);
	for (;;) {
		while (!js->stop && !js->qhead)
			pthread_cond_wait(&js->work, &js->mu);
		if (js->stop)
			break;
		sjob *j = js->qhead;
		js->qhead = j->qnext;
		if (!js->qhead)
			js->qtail = NULL;
		j->v.state = SRV_JOB_RUNNING;
		j->refs++; /* the janitor leaves it alone while it runs */
		run_state r = {.v = j->v};
		pthread_mutex_unlock(&js->mu);

		size_t mem = 0;
		idmap_job *job = run_job(js, &r, &mem);
		pthread_mutex_lock(&js->mu);
		if (r.end == RUN_WAIT && wait_for_source(js, j, &r)) {
			j->refs--;
			continue;
		}
		pthread_mutex_unlock(&js->mu);
		if (!job) {
			char path[4200];
			err_arg e = {&r.v, r.end == RUN_FINAL, js->fp};
			job_path(js, r.v.id, ".err", path, sizeof path);
			write_file(path, fill_err, &e);
		}

		pthread_mutex_lock(&js->mu);
		j->refs--;
		if (job) {
			j->v.state = SRV_JOB_FINISHED;
			j->job = job;
			j->mem = mem;
			j->tick = ++js->tick;
			js->cached += mem;
			trim_cache(js);
		} else {
			j->v.state = SRV_JOB_ERROR;
			j->final = r.end == RUN_FINAL;
			j->v.err_code = r.v.err_code;
			memcpy(j->v.err_msg, r.v.err_msg, sizeof r.v.err_msg);
		}
		wake_parked(js, j->v.id);
		pthread_cond_broadcast(&js->changed);
	}
	pthread_mutex_unlock(&js->mu);
	return NULL;
}

/* ---- Expiry ------------------------------------------------------------------------------------ */

/* Deletes expired jobs nobody holds. Lock held. */
static void sweep(srv_jobs *js, time_t now)
{
	for (size_t i = 0; i < js->tab_cap; i++)
		for (sjob *j = js->tab[i], *nx; j; j = nx) {
			nx = j->next;
			if (j->v.created > now) /* the clock went back: its TTL counts from now */
				j->v.created = now;
			if (!expired(js, j, now) || j->refs || j->loading ||
			    j->v.state == SRV_JOB_NEW)
				continue;
			unlink_entry(js, j);
			unload(js, j);
			remove_files(js, j->v.id);
			free(j);
		}
}

static void *janitor(void *arg)
{
	srv_jobs *js = arg;
	uint64_t every = js->ttl / 8;
	if (every < 1)
		every = 1;
	if (every > 60)
		every = 60;
	pthread_mutex_lock(&js->mu);
	while (!js->stop) {
		struct timespec ts; /* monotonic: a wall clock step neither stalls nor spins it */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)every;
		pthread_cond_timedwait(&js->stop_cv, &js->mu, &ts);
		if (!js->stop)
			sweep(js, time(NULL));
	}
	pthread_mutex_unlock(&js->mu);
	return NULL;
}

/* ---- Opening: the jobs found on disk ------------------------------------------------------------ */

static int is_job_file(const char *name, const char *ext)
{
	return srv_job_id_valid(name, SRV_JOB_ID_LEN) && !strcmp(name + SRV_JOB_ID_LEN, ext);
}

/* Adds the job of ID.req: finished, failed, queued again, or deleted when expired. */
static void recover(srv_jobs *js, const char *id, time_t now)
{
	sjob *j = calloc(1, sizeof *j);
	char path[4200];
	struct stat st;
	if (!j) /* the files stay for the next start */
		return;
	if (read_req(js, id, &j->v) != 0) {
		free(j);
		remove_files(js, id);
		return;
	}
	if (expired(js, j, now)) {
		free(j);
		remove_files(js, id);
		return;
	}
	insert(js, j);
	result_path(js, id, path, sizeof path);
	if (stat(path, &st) == 0) {
		j->v.state = SRV_JOB_FINISHED;
	} else {
		job_path(js, id, ".err", path, sizeof path);
		if (stat(path, &st) == 0 && read_err(js, &j->v)) {
			j->v.state = SRV_JOB_ERROR;
			j->final = 1;
		} else {
			unlink(path); /* a failure that may have gone away: try again */
			enqueue(js, j); /* unfinished, or finished on another index: map it here */
		}
	}
}

static void scan(srv_jobs *js)
{
	DIR *d = opendir(js->dir);
	if (!d)
		return;
	struct dirent *e;
	time_t now = time(NULL);
	char path[4200];
	char res[64];
	snprintf(res, sizeof res, ".%016" PRIx64 ".result", js->fp);
	while ((e = readdir(d))) {
		const char *name = e->d_name;
		size_t n = strlen(name);
		int tmp = n > 4 && !strcmp(name + n - 4, ".tmp");
		/* results made on another index: their jobs are mapped again on this one */
		int stale = srv_job_id_valid(name, n > SRV_JOB_ID_LEN ? SRV_JOB_ID_LEN : n) &&
			    n > 7 && !strcmp(name + n - 7, ".result") &&
			    strcmp(name + SRV_JOB_ID_LEN, res);
		/* files of the 32-hex job ids of earlier versions: those jobs are dropped */
		int legacy = n > 33 && name[32] == '.' && strspn(name, "0123456789abcdef") == 32;
		if (!strncmp(name, ".spool-", 7) || tmp || stale || legacy) {
			snprintf(path, sizeof path, "%s/%s", js->dir, name);
			unlink(path); /* left by a server that was killed, or stale */
		}
	}
	rewinddir(d);
	/* two passes: recover() deletes files, which must not disturb this readdir */
	size_t n = 0, cap = 0;
	char (*ids)[SRV_JOB_ID_LEN + 1] = NULL;
	while ((e = readdir(d))) {
		if (!is_job_file(e->d_name, ".req"))
			continue;
		if (idmap_vec_reserve(&ids, &cap, n + 1, sizeof *ids) < 0)
			break;
		memcpy(ids[n], e->d_name, SRV_JOB_ID_LEN);
		ids[n++][SRV_JOB_ID_LEN] = 0;
	}
	closedir(d);
	for (size_t i = 0; i < n; i++)
		recover(js, ids[i], now);
	free(ids);
}

int srv_jobs_open(srv_jobs **out, const idmap_index *ix, const srv_opts *o, char *err,
		  size_t errlen)
{
	*out = NULL;
	if (mkdir(o->jobs_dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", o->jobs_dir, strerror(errno));
		return -1;
	}
	if (access(o->jobs_dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "%s: %s", o->jobs_dir, strerror(errno));
		return -1;
	}
	srv_jobs *js = calloc(1, sizeof *js);
	if (!js || !(js->dir = strdup(o->jobs_dir)) ||
	    !(js->tab = calloc(js->tab_cap = 1024, sizeof *js->tab))) {
		if (js)
			free(js->dir);
		free(js);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	js->ix = ix;
	js->fp = idmap_index_fingerprint(ix);
	js->ttl = o->job_ttl;
	js->cache_bytes = o->cache_bytes;
	pthread_mutex_init(&js->mu, NULL);
	pthread_cond_init(&js->work, NULL);
	pthread_cond_init(&js->changed, NULL);
	pthread_condattr_t mono;
	pthread_condattr_init(&mono);
	pthread_condattr_setclock(&mono, CLOCK_MONOTONIC);
	pthread_cond_init(&js->stop_cv, &mono);
	pthread_condattr_destroy(&mono);
	scan(js);
	js->n_workers = o->threads ? o->threads : 1;
	js->workers = calloc(js->n_workers, sizeof *js->workers);
	unsigned started = 0;
	while (js->workers && started < js->n_workers &&
	       pthread_create(&js->workers[started], NULL, worker, js) == 0)
		started++;
	js->has_janitor = started && pthread_create(&js->janitor, NULL, janitor, js) == 0;
	if (!started || !js->has_janitor) {
		js->n_workers = started;
		srv_jobs_close(js);
		snprintf(err, errlen, "cannot start the worker threads");
		return -1;
	}
	*out = js;
	return 0;
}

void srv_jobs_close(srv_jobs *js)
{
	if (!js)
		return;
	pthread_mutex_lock(&js->mu);
	js->stop = 1;
	pthread_cond_broadcast(&js->work);
	pthread_cond_broadcast(&js->stop_cv);
	pthread_mutex_unlock(&js->mu);
	for (unsigned i = 0; i < js->n_workers; i++)
		pthread_join(js->workers[i], NULL);
	if (js->has_janitor)
		pthread_join(js->janitor, NULL);
	for (size_t i = 0; i < js->tab_cap; i++)
		for (sjob *j = js->tab[i], *nx; j; j = nx) {
			nx = j->next;
			if (j->job)
				idmap_job_free(j->job);
			free(j);
		}
	pthread_mutex_destroy(&js->mu);
	pthread_cond_destroy(&js->work);
	pthread_cond_destroy(&js->changed);
	pthread_cond_destroy(&js->stop_cv);
	free(js->tab);
	free(js->workers);
	free(js->dir);
	free(js);
}

/* ---- Public calls --------------------------------------------------------------------------- */

int srv_job_id_valid(const char *s, size_t n)
{
	if (n != SRV_JOB_ID_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

FILE *srv_jobs_new_spool(srv_jobs *js, char *path, size_t len)
{
	pthread_mutex_lock(&js->mu);
	unsigned seq = ++js->spool_seq;
	pthread_mutex_unlock(&js->mu);
	snprintf(path, len, "%s/.spool-%ld-%u", js->dir, (long)getpid(), seq);
	return fopen(path, "wb");
}

FILE *srv_jobs_open_ids(srv_jobs *js, const char *id)
{
	char path[4200];
	job_path(js, id, ".ids", path, sizeof path);
	return fopen(path, "r");
}

/* The same request submitted again (the same id: the same request and ids, in spool). The
 * job stays where it is, queued, running, read or idle; an expired one not swept yet is
 * renewed, and a failed one runs again unless its failure is final (and still young). Jobs
 * are freed by sweep() alone, which knows who holds them. Lock held. */
static int resubmit(srv_jobs *js, sjob *j, const char *spool, char *err, size_t errlen)
{
	time_t now = time(NULL);
	int old = expired(js, j, now);
	int retry = j->v.state == SRV_JOB_ERROR && (!j->final || old);
	char path[4200];
	if (old) {
		srv_job_view v = j->v;
		v.created = now;
		job_path(js, v.id, ".req", path, sizeof path);
		if (write_file(path, fill_req, &v) != 0)
			retry = -1;
		else
			j->v.created = now;
	}
	if (retry > 0) { /* the ids again: the failure may have been theirs going missing */
		job_path(js, j->v.id, ".ids", path, sizeof path);
		if (rename(spool, path) != 0) {
			retry = -1;
		} else {
			job_path(js, j->v.id, ".err", path, sizeof path);
			unlink(path);
			j->final = 0;
			enqueue(js, j);
		}
	}
	if (retry < 0)
		snprintf(err, errlen, "cannot store the job: %s", strerror(errno));
	if (retry <= 0)
		unlink(spool);
	return retry < 0 ? -1 : 0;
}

int srv_jobs_submit(srv_jobs *js, const char *id, const srv_request *req, uint64_t n_ids,
		    const char *spool, char *err, size_t errlen)
{
	pthread_mutex_lock(&js->mu);
	sjob *j = find(js, id);
	if (j) {
		int again = resubmit(js, j, spool, err, errlen);
		pthread_mutex_unlock(&js->mu);
		return again;
	}
	j = calloc(1, sizeof *j);
	char path[4200];
	int rc = -1;
	if (j) {
		memcpy(j->v.id, id, SRV_JOB_ID_LEN);
		j->v.req = *req;
		j->v.created = time(NULL);
		j->v.n_ids = n_ids;
		job_path(js, id, ".ids", path, sizeof path);
		rc = rename(spool, path);
		if (rc == 0) {
			job_path(js, id, ".req", path, sizeof path);
			rc = write_file(path, fill_req, &j->v);
		}
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot store the job: %s", j ? strerror(errno) : "no memory");
		unlink(spool);
		remove_files(js, id);
		free(j);
	} else {
		insert(js, j);
		enqueue(js, j);
	}
	pthread_mutex_unlock(&js->mu);
	return rc;
}

int srv_jobs_view(srv_jobs *js, const char *id, srv_job_view *v)
{
	memset(v, 0, sizeof *v);
	pthread_mutex_lock(&js->mu);
	sjob *j = find(js, id);
	int ok = j && !expired(js, j, time(NULL));
	if (ok)
		*v = j->v;
	pthread_mutex_unlock(&js->mu);
	return ok ? 0 : -1;
}

/* Reads the result file of j and loads it. Lock not held. */
static idmap_job *load(srv_jobs *js, const char *id, size_t *mem)
{
	char path[4200];
	result_path(js, id, path, sizeof path);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	idmap_job *job = NULL;
	struct stat st;
	void *blob = NULL;
	if (fstat(fileno(f), &st) == 0 && st.st_size > 0 &&
	    (blob = malloc((size_t)st.st_size)) &&
	    fread(blob, 1, (size_t)st.st_size, f) == (size_t)st.st_size &&
	    idmap_job_load(js->ix, blob, (size_t)st.st_size, &job) != IDMAP_OK)
		job = NULL;
	if (job)
		*mem = (size_t)st.st_size + (size_t)st.st_size / 4 + 4096;
	free(blob);
	fclose(f);
	return job;
}

const idmap_job *srv_jobs_acquire(srv_jobs *js, const char *id, srv_job_view *v)
{
	memset(v, 0, sizeof *v);
	pthread_mutex_lock(&js->mu);
	sjob *j;
	for (;;) {
		j = find(js, id);
		if (!j || expired(js, j, time(NULL))) {
			pthread_mutex_unlock(&js->mu);
			return NULL;
		}
		*v = j->v;
		if (j->v.state != SRV_JOB_FINISHED) {
			pthread_mutex_unlock(&js->mu);
			return NULL;
		}
		if (j->job || !j->loading)
			break;
		pthread_cond_wait(&js->changed, &js->mu);
	}
	j->refs++;
	j->tick = ++js->tick;
	if (!j->job) {
		j->loading = 1;
		pthread_mutex_unlock(&js->mu);
		size_t mem = 0;
		idmap_job *job = load(js, id, &mem);
		pthread_mutex_lock(&js->mu);
		j->loading = 0;
		pthread_cond_broadcast(&js->changed);
		if (!job) {
			/* damaged or unreadable result: map the job again */
			j->refs--;
			char path[4200];
			result_path(js, id, path, sizeof path);
			unlink(path);
			enqueue(js, j);
			*v = j->v;
			pthread_mutex_unlock(&js->mu);
			return NULL;
		}
		j->job = job;
		j->mem = mem;
		js->cached += mem;
		trim_cache(js);
	}
	const idmap_job *job = j->job;
	pthread_mutex_unlock(&js->mu);
	return job;
}

void srv_jobs_release(srv_jobs *js, const char *id)
{
	pthread_mutex_lock(&js->mu);
	sjob *j = find(js, id);
	if (j && j->refs) {
		j->refs--;
		trim_cache(js);
	}
	pthread_mutex_unlock(&js->mu);
}
