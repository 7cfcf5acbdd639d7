/* uniparc_scan: CPU time of the UniParc XML scanner (builder/parse_uniparc.c), one thread.
 *
 *   idmap-uniparc-scan chunks FILE   the plain XML read with read() in 1 MiB chunks, each fed
 *                                    to the scanner as is (the scanner's own cost)
 *   idmap-uniparc-scan lines FILE    the file through idmap_input_read (plain or gzip): the
 *                                    reader's blocks and the scanner, as idmap build
 *
 * Triples go to a callback that only counts them. Prints one line:
 *   mode=M bytes=B entries=E triples=T cpu_s=S mb_per_cpu_s=R
 * with S the user+system CPU time of the process (getrusage) and R = B / 1e6 / S. Part of
 * bench/; it asserts nothing about time. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "input.h"
#include "parse.h"

static int count(void *ctx, const idmap_triple *t, char *err, size_t errlen)
{
	(void)t;
	(void)err;
	(void)errlen;
	++*(uint64_t *)ctx;
	return 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int scan_chunks(const char *path, uint64_t *bytes, uint64_t *entries, uint64_t *n,
		       char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	idmap_input_info info = {0};
	idmap_parser p = {0};
	p.path = path;
	p.by_byte = 1;
	p.info = &info;
	p.fn = count;
	p.ctx = n;
	p.err = err;
	p.errlen = errlen;
	int rc = 0;
	ssize_t got;
	while (rc == 0 && buf && (got = read(fd, buf, cap)) > 0) {
		rc = idmap_parse_uniparc_feed(&p, buf, (size_t)got, *bytes);
		*bytes += (uint64_t)got;
	}
	if (rc == 0)
		rc = idmap_parse_uniparc_end(&p, *bytes);
	*entries = info.lines;
	idmap_parser_free(&p);
	free(buf);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "chunks") && strcmp(argv[1], "lines"))) {
		fputs("usage: idmap-uniparc-scan chunks|lines FILE\n", stderr);
		return 2;
	}
	char err[512] = "";
	uint64_t bytes = 0, entries = 0, n = 0;
	int rc;
	if (!strcmp(argv[1], "chunks")) {
		rc = scan_chunks(argv[2], &bytes, &entries, &n, err, sizeof err);
	} else {
		idmap_input_info info;
		rc = idmap_input_read(argv[2], &info, count, &n, err, sizeof err);
		bytes = info.text_bytes;
		entries = info.lines;
	}
	if (rc < 0) {
		fprintf(stderr, "idmap-uniparc-scan: %s\n", err);
		return 1;
	}
	double s = cpu_seconds();
	printf("mode=%s bytes=%llu entries=%llu triples=%llu cpu_s=%.3f mb_per_cpu_s=%.1f\n",
	       argv[1], (unsigned long long)bytes, (unsigned long long)entries,
	       (unsigned long long)n, s, (double)bytes / 1e6 / (s > 0 ? s : 1e-9));
	return 0;
}
