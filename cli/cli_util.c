/* Helpers shared by the subcommands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

#include <getopt.h>
#include <stdarg.h>

int cli_index_arg(int argc, char **argv, const char **index, const char *usage)
{
	if (optind < argc) {
		cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	*index = cli_index_path(*index);
	if (!*index) {
		cli_usage_error(usage, "no index: give -i INDEX or set IDMAP_INDEX");
		return -1;
	}
	return 0;
}

const char *cli_index_path(const char *opt)
{
	if (opt && *opt)
		return opt;
	const char *env = getenv("IDMAP_INDEX");
	return env && *env ? env : NULL;
}

void cli_index_error(const char *path, int status)
{
	int e = errno;
	fprintf(stderr, "idmap: %s: %s\n", path,
		status == IDMAP_ERR_IO ? strerror(e) : idmap_strerror(status));
	errno = e;
}

int cli_open_detail(const char *path, idmap_index **ix, const char *what)
{
	char why[512];
	int rc = idmap_open_detail(path, ix, why, sizeof why);
	if (rc != IDMAP_OK)
		fprintf(stderr, "idmap: %s: %s%s\n", path,
			rc == IDMAP_ERR_IO || rc == IDMAP_ERR_NOMEM ? "" : what, why);
	return rc;
}

idmap_index *cli_open_index(const char *path)
{
	idmap_index *ix;
	return cli_open_detail(path, &ix, "") == IDMAP_OK ? ix : NULL;
}

int cli_out_init(cli_out *o, FILE *f, size_t cap)
{
	o->f = f;
	o->len = 0;
	o->cap = cap;
	o->failed = 0;
	o->err = 0;
	o->buf = malloc(cap);
	return o->buf ? 0 : -1;
}

void cli_out_drain(cli_out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len && !o->failed) {
		o->failed = 1;
		o->err = errno;
	}
	o->len = 0;
}

int cli_out_finish(cli_out *o)
{
	cli_out_drain(o);
	if (fflush(o->f) != 0 && !o->failed) {
		o->failed = 1;
		o->err = errno;
	}
	free(o->buf);
	o->buf = NULL;
	if (!o->failed && !ferror(o->f))
		return 0;
	errno = o->err ? o->err : EIO;
	return -1;
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("idmap: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fputs(usage, stderr);
	return 2;
}

int cli_bad_option(int ch, char *const *argv, const char *usage)
{
	if (ch == ':')
		return cli_usage_error(usage, "option '%s' needs a value", argv[optind - 1]);
	return cli_usage_error(usage, "unknown option '%s'", argv[optind - 1]);
}

/* Parses "512M", "4G", "1.5G", "1048576" into bytes; returns 0 on success. */
int cli_parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -1;
	double mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1024.0; end++; break;
	case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
	case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
	case 't': case 'T': mul = 1024.0 * 1024 * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end++;
	if (*end == 'B')
		end++;
	if (*end)
		return -1;
	*out = (uint64_t)(v * mul);
	return 0;
}

/* Parses "7d", "12h", "30m", "45s" or plain seconds; returns 0 on success. */
int cli_parse_duration(const char *s, uint64_t *seconds)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	uint64_t mul = 1;
	switch (*end) {
	case 'd': mul = 86400; end++; break;
	case 'h': mul = 3600; end++; break;
	case 'm': mul = 60; end++; break;
	case 's': end++; break;
	default: break;
	}
	if (errno || *end || v > UINT64_MAX / mul)
		return -1;
	*seconds = v * mul;
	return 0;
}
