/* idmap serve: opens the index, the job registry and the HTTP daemon (libmicrohttpd, one
 * thread per connection, so handlers and body producers may block), then waits for SIGINT or
 * SIGTERM (stop) or SIGHUP (reload: the program runs itself again on the same listening
 * socket, so it opens the index file anew, e.g. after a nightly rebuild, and no connection is
 * refused meanwhile). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

__thread const char *srv_request_path;

/* Per-connection state: only POST /idmapping/run keeps any. */
static enum MHD_Result post(srv_ctx *ctx, struct MHD_Connection *c, const char *url,
			    const char *data, size_t *size, void **cls)
{
	if (strcmp(url, "/idmapping/run") != 0)
		return srv_error(ctx, c, MHD_HTTP_NOT_FOUND, "Resource not found");
	srv_submit *s = *cls;
	if (!s) {
		s = srv_submit_begin(ctx, c);
		if (!s)
			return srv_error(ctx, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
					 "cannot accept the job: out of memory or the jobs directory "
					 "is not writable");
		*cls = s;
		return MHD_YES;
	}
	if (*size) {
		enum MHD_Result rc = srv_submit_feed(s, data, *size);
		*size = 0;
		if (srv_submit_give_up(s))
			return srv_submit_end(s, c);
		return rc;
	}
	srv_limits_phase(ctx->limits, c, SRV_PHASE_ANSWER);
	return srv_submit_end(s, c);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *size, void **con_cls)
{
	srv_ctx *ctx = cls;
	(void)version;
	srv_request_path = url;
	int is_post = !strcmp(method, MHD_HTTP_METHOD_POST);
	int is_get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
	if (!*con_cls) { /* the header is complete: a body may follow (read or discarded) */
		srv_limits_phase(ctx->limits, c, is_get ? SRV_PHASE_ANSWER : SRV_PHASE_BODY);
		if (ctx->log)
			srv_log_request(ctx->log, method, url);
	}
	if (is_post)
		return post(ctx, c, url, data, size, con_cls);
	if (is_get)
		return srv_route_get(ctx, c, url);
	if (!strcmp(method, MHD_HTTP_METHOD_OPTIONS)) {
		struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS");
		MHD_add_response_header(r, "Access-Control-Allow-Headers", "Content-Type, Accept");
		return srv_queue(ctx, c, MHD_HTTP_NO_CONTENT, r);
	}
	return srv_error(ctx, c, MHD_HTTP_METHOD_NOT_ALLOWED, "Method %.16s is not allowed",
			 method);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	srv_ctx *ctx = cls;
	(void)toe;
	srv_submit_free(*con_cls);
	*con_cls = NULL;
	srv_limits_phase(ctx->limits, c, SRV_PHASE_HEADER); /* the next request on c */
}

/* Splits "host:port", "[v6]:port" or ":port" and resolves it. Returns 0 or -1. */
static int resolve(const char *listen, struct sockaddr_storage *sa, socklen_t *len)
{
	char host[256], port[16];
	const char *colon;
	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');
		if (!end || end[1] != ':' || (size_t)(end - listen - 1) >= sizeof host)
			return -1;
		memcpy(host, listen + 1, (size_t)(end - listen - 1));
		host[end - listen - 1] = 0;
		colon = end + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || (size_t)(colon - listen) >= sizeof host)
			return -1;
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = 0;
	}
	if (strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof port ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -1;
	snprintf(port, sizeof port, "%s", colon + 1);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
	if (getaddrinfo(host[0] ? host : NULL, port, &hints, &res) != 0)
		return -1;
	memcpy(sa, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* X-UniProt-Release and -Date from the index's META lines. The date is the release's
 * (dd-Mon-yyyy), never the build's: an index that does not know it sends no date. */
static void release_stamp(srv_ctx *ctx)
{
	const char *v;
	size_t n;
	if (idmap_meta_find(ctx->ix, "release", &v, &n) == IDMAP_OK)
		snprintf(ctx->release, sizeof ctx->release, "%.*s", (int)n, v);
	ctx->release_date[0] = 0;
	if (idmap_meta_find(ctx->ix, "release_date", &v, &n) == IDMAP_OK)
		snprintf(ctx->release_date, sizeof ctx->release_date, "%.*s", (int)n, v);
}

static int collect(void *arg, const void *p, size_t n)
{
	idmap_str *b = arg;
	idmap_str_put(b, p, n);
	return b->failed;
}

/* The listening socket handed over by a reloading server, or -1. */
#define LISTEN_FD_ENV "IDMAP_SERVE_LISTEN_FD"
static int inherited_socket(struct sockaddr_storage *sa, socklen_t *len)
{
	const char *v = getenv(LISTEN_FD_ENV);
	if (!v)
		return -1;
	int fd = atoi(v);
	unsetenv(LISTEN_FD_ENV);
	*len = sizeof *sa;
	if (fd < 3 || getsockname(fd, (struct sockaddr *)sa, len) != 0)
		return -1;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* SIGHUP: stop accepting, let open requests and running jobs finish (at most a grace time for
 * the requests), then run this program again on the same socket. Returns only on failure. */
static int reload(const srv_opts *o, struct MHD_Daemon *d, srv_ctx *ctx)
{
	idmap_index *probe;
	int st = idmap_open(o->index_path, &probe);
	if (st != IDMAP_OK) { /* keep serving the index already open */
		fprintf(stderr, "idmap serve: not reloading: %s: %s\n", o->index_path,
			st == IDMAP_ERR_IO ? strerror(errno) : idmap_strerror(st));
		return 0;
	}
	idmap_close(probe);
	fprintf(stderr, "idmap serve: reloading %s (SIGHUP)\n", o->index_path);
	MHD_socket fd = MHD_quiesce_daemon(d);
	for (int i = 0; i < 600; i++) { /* 30 s for open requests */
		const union MHD_DaemonInfo *n =
			MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!n || n->num_connections == 0)
			break;
		usleep(50000);
	}
	MHD_stop_daemon(d);
	srv_jobs_close(ctx->jobs); /* running jobs finish and are stored; queued ones stay */
	ctx->jobs = NULL;
	char v[16];
	snprintf(v, sizeof v, "%d", (int)fd);
	if (fd == MHD_INVALID_SOCKET || fcntl(fd, F_SETFD, 0) != 0 ||
	    setenv(LISTEN_FD_ENV, v, 1) != 0) {
		fprintf(stderr, "idmap serve: reload failed: no listening socket to hand over\n");
		return -1;
	}
	/* the program's own path, not /proc/self/exe: the process keeps its name (pkill -x) */
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = 0;
		execv(self, o->argv);
	}
	fprintf(stderr, "idmap serve: reload failed: %s\n", strerror(errno));
	return -1;
}

int srv_run(const srv_opts *o)
{
	srv_ctx ctx = {.opts = o, .log = o->quiet ? NULL : stderr};
	struct sockaddr_storage sa;
	socklen_t salen;
	char err[512];
	int rc = 1;
	int lfd = inherited_socket(&sa, &salen);
	if (lfd < 0 && resolve(o->listen, &sa, &salen) != 0) {
		fprintf(stderr, "idmap: --listen '%s': expected HOST:PORT, [IPV6]:PORT or :PORT\n",
			o->listen);
		return 2;
	}
	int st = idmap_open(o->index_path, &ctx.ix);
	if (st != IDMAP_OK) {
		fprintf(stderr, "idmap: %s: %s\n", o->index_path,
			st == IDMAP_ERR_IO ? strerror(errno) : idmap_strerror(st));
		return 1;
	}
	release_stamp(&ctx);
	idmap_str fields = {0};
	if (idmap_catalog_open(ctx.ix, &ctx.cat) != IDMAP_OK ||
	    idmap_render_catalog(ctx.cat, IDMAP_OUT_JSON, collect, &fields) != IDMAP_OK ||
	    fields.failed) {
		fprintf(stderr, "idmap: %s: cannot read its database catalogue\n", o->index_path);
		goto out;
	}
	ctx.fields_json = fields.p;
	ctx.fields_len = fields.len;

	/* signals go to sigwait below only; a closed client socket or pipe is an error return */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (srv_jobs_open(&ctx.jobs, ctx.ix, o, err, sizeof err) != 0) {
		fprintf(stderr, "idmap: jobs: %s\n", err);
		goto out;
	}
	if (srv_limits_start(&ctx.limits, o, ctx.log) != 0) {
		fprintf(stderr, "idmap: cannot start the request deadline thread\n");
		goto out;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_ERROR_LOG | MHD_USE_ITC |
			 (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	/* the same options after either a socket of our own or the one handed over */
#define SERVE_OPTIONS                                                                          \
	MHD_OPTION_CONNECTION_LIMIT, o->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,   \
		o->max_per_ip, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,                   \
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(1u << 20), MHD_OPTION_NOTIFY_COMPLETED, \
		completed, &ctx, MHD_OPTION_NOTIFY_CONNECTION, srv_limits_notify, ctx.limits,  \
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END
	struct MHD_Daemon *d =
		lfd >= 0 ? MHD_start_daemon(flags, 0, NULL, NULL, handle, &ctx,
					    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)lfd, SERVE_OPTIONS)
			 : MHD_start_daemon(flags, 0, NULL, NULL, handle, &ctx, MHD_OPTION_SOCK_ADDR,
					    (struct sockaddr *)&sa, SERVE_OPTIONS);
#undef SERVE_OPTIONS
	if (!d) {
		fprintf(stderr, "idmap: cannot listen on %s: %s\n", o->listen, strerror(errno));
		goto out;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char host[256];
	if (getnameinfo((struct sockaddr *)&sa, salen, host, sizeof host, NULL, 0,
			NI_NUMERICHOST) != 0)
		snprintf(host, sizeof host, "localhost");
	int v6 = sa.ss_family == AF_INET6;
	fprintf(stderr, "idmap serve: listening on http://%s%s%s:%u/ (release %s, jobs in %s)\n",
		v6 ? "[" : "", host, v6 ? "]" : "", info ? info->port : 0,
		ctx.release[0] ? ctx.release : "unknown", o->jobs_dir);
	fflush(stderr);
	int sig;
	for (;;) {
		sigwait(&sigs, &sig);
		if (sig != SIGHUP)
			break;
		if (reload(o, d, &ctx) != 0)
			goto out; /* the daemon is stopped: nothing to serve with */
	}
	fprintf(stderr, "idmap serve: stopping (signal %d)\n", sig);
	MHD_stop_daemon(d);
	rc = 0;
out:
	srv_limits_stop(ctx.limits);
	srv_jobs_close(ctx.jobs);
	idmap_catalog_free(ctx.cat);
	free(ctx.fields_json);
	idmap_close(ctx.ix);
	return rc;
}
