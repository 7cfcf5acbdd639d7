/* Helpers shared by the subcommands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <unistd.h>

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
	cli_say("%s: %s", path, status == IDMAP_ERR_IO ? strerror(e) : idmap_strerror(status));
	errno = e;
}

/* The index is read through a map: a file truncated under it faults with SIGBUS (BUS_ADRERR)
 * on the next page read past its new end. The message is made when the index opens (no
 * formatting in a signal handler). Another kind of SIGBUS (a misaligned access) is left to
 * the default action, so that a bug is not reported as a changed file. */
static char sigbus_msg[512];
static size_t sigbus_len;

static void on_sigbus(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	if (info->si_code != BUS_ADRERR) {
		signal(sig, SIG_DFL); /* the faulting access runs again and ends the program */
		return;
	}
	ssize_t w = write(STDERR_FILENO, sigbus_msg, sigbus_len);
	(void)w;
	_exit(1);
}

void cli_catch_sigbus(const char *path)
{
	FILE *m = fmemopen(sigbus_msg, sizeof sigbus_msg, "w");
	if (!m)
		return;
	fputs("idmap: ", m);
	cli_put_text(m, path, strlen(path), 200);
	fputs(": index file changed or truncated while in use\n", m);
	long n = ftell(m);
	fclose(m);
	sigbus_len = n > 0 && (size_t)n < sizeof sigbus_msg ? (size_t)n : 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	if (sigbus_len)
		sigaction(SIGBUS, &sa, NULL);
}

int cli_open_detail(const char *path, idmap_index **ix, const char *what)
{
	char why[512];
	int rc = idmap_open_detail(path, ix, why, sizeof why);
	if (rc != IDMAP_OK)
		cli_say("%s: %s%s", path, rc == IDMAP_ERR_IO || rc == IDMAP_ERR_NOMEM ? "" : what, why);
	return rc;
}

idmap_index *cli_open_index(const char *path)
{
	idmap_index *ix;
	/* before opening: opening reads the map too (header, section table, TYPES) */
	cli_catch_sigbus(path);
	if (cli_open_detail(path, &ix, "") != IDMAP_OK)
		return NULL;
	return ix;
}

static int file_write(void *ctx, const void *p, size_t n)
{
	return fwrite(p, 1, n, ctx) == n ? 0 : -1;
}

int cli_write_stdout(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	return file_write(stdout, p, n);
}

void cli_put_text(FILE *f, const char *s, size_t n, size_t max)
{
	size_t cut = n;
	if (max && n > max) { /* at a character boundary, not inside a UTF-8 sequence */
		cut = max;
		while (cut > max - 3 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
	}
	idmap_escape_write(s, cut, IDMAP_ESC_TEXT, file_write, f);
	if (cut < n)
		fputs("...", f);
}

static void say(const char *fmt, va_list ap)
{
	char msg[4096];
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	fputs("idmap: ", stderr);
	if (n > 0)
		cli_put_text(stderr, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1, 0);
	fputc('\n', stderr);
}

void cli_say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(fmt, ap);
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

/* Parses "512M", "4G", "1.5G", "1048576" into bytes. */
int cli_parse_size(const char *s, uint64_t *out)
{
	char *end;
	if ((*s < '0' || *s > '9') && *s != '.')
		return -1; /* also "inf", "nan", "-1", " 1" */
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || strpbrk(s, "xX") || (errno && v < 1)) /* hex, or an underflow */
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
	if (errno || v * mul >= 18446744073709551616.0) /* 2^64: the cast would be undefined */
		return -2;
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
