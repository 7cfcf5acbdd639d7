/* Temporary files of builds that were killed (SIGKILL, power loss, OOM killer) before they
 * could remove them. Every temporary name carries the tag "<pid>@<host>" of the build that
 * made it:
 *   DIR/.idmap-build.<pid>@<host>.XXXXXX           the build's directory (--tmpdir or the
 *                                                   output's directory)
 *   DIR/.<name>.idmap-tmp.<pid>@<host>.XXXXXX       the index being written, beside <name>
 * An entry is stale when its host is this host and no process <pid> exists. Entries of other
 * hosts (a shared file system) and of live processes are never touched. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idmap_build.h"

#define BUILD_PREFIX ".idmap-build."
#define INDEX_INFIX ".idmap-tmp."

static void host_name(char *out, size_t len)
{
	char h[256];
	if (gethostname(h, sizeof h) != 0)
		strcpy(h, "localhost");
	h[sizeof h - 1] = '\0';
	/* the short name, only [A-Za-z0-9_-]: no '.' (the separator) and no '/' */
	size_t n = 0;
	for (const char *p = h; *p && *p != '.' && n + 1 < len && n < 32; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '-' || c == '_';
		out[n++] = ok ? c : '_';
	}
	if (n == 0 && len > 1)
		out[n++] = 'h';
	out[n] = '\0';
}

void idmap_build_tmp_tag(char *out, size_t len)
{
	char host[40];
	host_name(host, sizeof host);
	snprintf(out, len, "%ld@%s", (long)getpid(), host);
}

/* Parses "<pid>@<host>.XXXXXX" (exactly six characters after the last '.'). Returns 1 with
 * *pid and host filled when the text has that shape. */
static int parse_tag(const char *s, long *pid, char *host, size_t hostlen)
{
	char *end;
	if (*s < '1' || *s > '9')
		return 0;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || v <= 0 || *end != '@')
		return 0;
	const char *h = end + 1, *dot = strchr(h, '.');
	if (!dot || dot == h || (size_t)(dot - h) >= hostlen || strlen(dot + 1) != 6 ||
	    strchr(dot + 1, '.'))
		return 0;
	memcpy(host, h, (size_t)(dot - h));
	host[dot - h] = '\0';
	*pid = v;
	return 1;
}

/* 1 when name is a temporary entry of a build made on this host by a process that is gone. */
static int is_stale(const char *tag, const char *myhost)
{
	long pid;
	char host[64];
	if (!parse_tag(tag, &pid, host, sizeof host) || strcmp(host, myhost) != 0)
		return 0;
	if (pid == (long)getpid())
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

typedef struct {
	idmap_build_log_fn log;
	void *log_ctx;
	char *err;
	size_t errlen;
	int removed;
	int failed;
} clean_ctx;

static void say(clean_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(clean_ctx *c, const char *fmt, ...)
{
	if (!c->log)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->log(c->log_ctx, msg);
}

static void fail(clean_ctx *c, const char *dir, const char *name)
{
	if (!c->failed)
		snprintf(c->err, c->errlen, "cannot remove %s/%s: %s", dir, name, strerror(errno));
	c->failed = 1;
}

/* Removes the build directory dir/name: its plain files, then itself. Never follows a
 * symbolic link and never recurses (a build directory holds files only). */
static void remove_build_dir(clean_ctx *c, int dfd, const char *dir, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fail(c, dir, name);
		return;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		fail(c, dir, name);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, e->d_name, 0) < 0 && errno != ENOENT)
			fail(c, dir, name);
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		fail(c, dir, name);
		return;
	}
	c->removed++;
	say(c, "removed the temporary directory %s/%s of a build that no longer runs", dir, name);
}

static void clean_dir(clean_ctx *c, const char *dir, const char *myhost)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return; /* nothing to clean where nothing can be read */
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		if (n[0] != '.')
			continue;
		struct stat st;
		if (strncmp(n, BUILD_PREFIX, strlen(BUILD_PREFIX)) == 0) {
			if (!is_stale(n + strlen(BUILD_PREFIX), myhost) ||
			    fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
				continue;
			remove_build_dir(c, dfd, dir, n);
			continue;
		}
		const char *infix = strstr(n + 1, INDEX_INFIX);
		if (!infix || infix == n + 1 || !is_stale(infix + strlen(INDEX_INFIX), myhost) ||
		    fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (unlinkat(dfd, n, 0) < 0 && errno != ENOENT) {
			fail(c, dir, n);
			continue;
		}
		c->removed++;
		say(c, "removed the partial index %s/%s of a build that no longer runs", dir, n);
	}
	closedir(d);
}

int idmap_build_clean_tmp(const char *output, const char *tmpdir, idmap_build_log_fn log,
			  void *log_ctx, char *err, size_t errlen)
{
	char dummy[16];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	clean_ctx c = {log, log_ctx, err, errlen, 0, 0};
	char host[40];
	host_name(host, sizeof host);
	char *copy = output ? strdup(output) : NULL;
	if (output && !copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *outdir = copy ? dirname(copy) : NULL;
	if (outdir)
		clean_dir(&c, outdir, host);
	if (tmpdir && (!outdir || strcmp(tmpdir, outdir) != 0))
		clean_dir(&c, tmpdir, host);
	free(copy);
	return c.failed ? -1 : c.removed;
}
