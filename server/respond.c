/* Responses of idmap serve: the headers every answer carries, UniProt's error bodies, and
 * bodies of any size produced on a thread into a pipe that MHD drains (a job of millions of
 * rows streams in bounded memory; compressed=true gzips on the way). */
#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "server.h"

/* ---- JSON strings and log lines into an idmap_str ------------------------------------------ */

void srv_json(idmap_str *b, const char *s, size_t n)
{
	idmap_str_put(b, "\"", 1);
	srv_json_chars(b, s, n);
	idmap_str_put(b, "\"", 1);
}

static int buf_write(void *ctx, const void *p, size_t n)
{
	idmap_str_put(ctx, p, n);
	return 0;
}

void srv_json_chars(idmap_str *b, const char *s, size_t n)
{
	idmap_escape_write(s, n, IDMAP_ESC_JSON, buf_write, b);
}

void srv_log_request(FILE *log, const char *method, const char *url)
{
	idmap_str b = {0};
	idmap_escape_write(method, strlen(method), IDMAP_ESC_TEXT, buf_write, &b);
	idmap_str_put(&b, " ", 1);
	idmap_escape_write(url, strlen(url), IDMAP_ESC_TEXT, buf_write, &b);
	idmap_str_put(&b, "\n", 1);
	if (!b.failed)
		fwrite(b.p, 1, b.len, log); /* one write: lines of concurrent requests stay whole */
	free(b.p);
}

/* ---- Headers, plain bodies, errors ------------------------------------------------------------ */

enum MHD_Result srv_queue(srv_ctx *ctx, struct MHD_Connection *c, unsigned status,
			  struct MHD_Response *r)
{
	if (!r)
		return MHD_NO;
	if (ctx->release[0])
		MHD_add_response_header(r, "X-UniProt-Release", ctx->release);
	if (ctx->release_date[0])
		MHD_add_response_header(r, "X-UniProt-Release-Date", ctx->release_date);
	MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
	MHD_add_response_header(r, "Access-Control-Expose-Headers",
				"Link, X-Total-Results, X-UniProt-Release, X-UniProt-Release-Date");
	MHD_add_response_header(r, "Server", "idmap");
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

enum MHD_Result srv_send(srv_ctx *ctx, struct MHD_Connection *c, unsigned status,
			 const char *type, const void *body, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	return srv_queue(ctx, c, status, r);
}

void srv_url(struct MHD_Connection *c, const char *path, char *out, size_t len)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	const char *proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
	if (!host || !*host || strpbrk(host, "\r\n\"<> "))
		host = "localhost";
	if (!proto || (strcmp(proto, "http") && strcmp(proto, "https")))
		proto = "http";
	snprintf(out, len, "%s://%s%s", proto, host, path);
}

enum MHD_Result srv_error(srv_ctx *ctx, struct MHD_Connection *c, unsigned status,
			  const char *fmt, ...)
{
	char text[2048], url[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	srv_url(c, srv_request_path ? srv_request_path : "", url, sizeof url);
	idmap_str b = {0};
	idmap_str_add(&b, "{\"url\":");
	srv_json(&b, url, strlen(url));
	idmap_str_add(&b, ",\"messages\":[");
	const char *p = text;
	for (int first = 1;; first = 0) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (!first)
			idmap_str_put(&b, ",", 1);
		srv_json(&b, p, n);
		if (!nl)
			break;
		p = nl + 1;
	}
	idmap_str_add(&b, "]}");
	enum MHD_Result rc = b.failed ? MHD_NO
				      : srv_send(ctx, c, status, "application/json", b.p, b.len);
	free(b.p);
	return rc;
}

/* ---- Produced bodies ---------------------------------------------------------------------------- */

typedef struct {
	int fd[2];
	pthread_t th;
	int started, joined;
	srv_produce_fn fn;
	void *arg;
	void (*free_arg)(void *);
	int gzip;
	z_stream z;
	int status;
	unsigned char zout[1 << 16];
} producer;

static int write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	while (n) {
		ssize_t k = write(fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1; /* EPIPE: the client went away */
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

static int deflate_out(producer *pr, int flush)
{
	do {
		pr->z.next_out = pr->zout;
		pr->z.avail_out = sizeof pr->zout;
		int rc = deflate(&pr->z, flush);
		if (rc == Z_STREAM_ERROR)
			return -1;
		size_t n = sizeof pr->zout - pr->z.avail_out;
		if (n && write_all(pr->fd[1], pr->zout, n) != 0)
			return -1;
	} while (pr->z.avail_out == 0 || (flush == Z_FINISH && pr->z.avail_in));
	return 0;
}

static int produce_write(void *ctx, const void *p, size_t n)
{
	producer *pr = ctx;
	if (!pr->gzip)
		return write_all(pr->fd[1], p, n) ? 1 : 0;
	pr->z.next_in = (unsigned char *)(uintptr_t)p;
	pr->z.avail_in = (uInt)n;
	return deflate_out(pr, Z_NO_FLUSH) ? 1 : 0;
}

static void *produce_thread(void *arg)
{
	producer *pr = arg;
	pr->status = pr->fn(pr->arg, produce_write, pr);
	if (pr->status == 0 && pr->gzip) {
		pr->z.next_in = NULL;
		pr->z.avail_in = 0;
		if (deflate_out(pr, Z_FINISH) != 0)
			pr->status = -1;
	}
	close(pr->fd[1]);
	pr->fd[1] = -1;
	return NULL;
}

static void join(producer *pr)
{
	if (pr->started && !pr->joined) {
		pthread_join(pr->th, NULL);
		pr->joined = 1;
	}
}

static ssize_t produce_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	producer *pr = cls;
	(void)pos;
	for (;;) {
		ssize_t n = read(pr->fd[0], buf, max);
		if (n > 0)
			return n;
		if (n < 0 && errno == EINTR)
			continue;
		join(pr);
		return n == 0 && pr->status == 0 ? MHD_CONTENT_READER_END_OF_STREAM
						 : MHD_CONTENT_READER_END_WITH_ERROR;
	}
}

static void produce_free(void *cls)
{
	producer *pr = cls;
	if (pr->fd[0] >= 0)
		close(pr->fd[0]); /* a producer still writing gets EPIPE and stops */
	join(pr);
	if (pr->fd[1] >= 0)
		close(pr->fd[1]);
	if (pr->gzip)
		deflateEnd(&pr->z);
	if (pr->free_arg)
		pr->free_arg(pr->arg);
	free(pr);
}

struct MHD_Response *srv_produced(srv_produce_fn fn, void *arg, void (*free_arg)(void *),
				  int gzip)
{
	producer *pr = calloc(1, sizeof *pr);
	if (!pr) {
		if (free_arg)
			free_arg(arg);
		return NULL;
	}
	pr->fd[0] = pr->fd[1] = -1;
	pr->fn = fn;
	pr->arg = arg;
	pr->free_arg = free_arg;
	/* windowBits 15 + 16: a gzip member, as UniProt's compressed=true answers */
	if (gzip && deflateInit2(&pr->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		produce_free(pr);
		return NULL;
	}
	pr->gzip = gzip;
	if (pipe2(pr->fd, O_CLOEXEC) != 0) {
		produce_free(pr);
		return NULL;
	}
	fcntl(pr->fd[0], F_SETPIPE_SZ, 1 << 20); /* fewer wake-ups; a hint only */
	if (pthread_create(&pr->th, NULL, produce_thread, pr) != 0) {
		produce_free(pr);
		return NULL;
	}
	pr->started = 1;
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1 << 16,
								   produce_read, pr, produce_free);
	if (!r)
		produce_free(pr);
	return r;
}
