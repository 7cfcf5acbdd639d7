/* Feeds a fuzz input to a line parser of builder/parse.h line by line, as builder/input.c
 * does: lines split at '\n', a line ending in '\r' ends the file (input.c reports it), each
 * line copied into a buffer of its exact size so that any read past it is caught. */
#ifndef IDMAP_FUZZ_LINES_H
#define IDMAP_FUZZ_LINES_H

#include "fuzz_common.h"
#include "parse.h"

typedef int (*fuzz_line_fn)(idmap_parser *p, const char *line, size_t len);

/* Runs fn over every line of data (skip_blank: empty lines are not passed, as for dat and
 * selected). Returns the parser's result: 0, or -1 with p->err checked. */
static inline int fuzz_lines(idmap_parser *p, const uint8_t *data, size_t size, fuzz_line_fn fn,
			     int skip_blank)
{
	const char *s = (const char *)data, *end = s + size;
	int rc = 0;
	while (s < end && rc == 0) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = (size_t)((nl ? nl : end) - s);
		p->line_no++;
		if (len > 0 && s[len - 1] == '\r')
			break;
		if (len > 0 || !skip_blank) {
			char *line = malloc(len ? len : 1);
			FUZZ_CHECK(line);
			memcpy(line, s, len);
			const char *range[2] = {line, line + len};
			p->ctx = (void *)range;
			rc = fn(p, line, len);
			p->ctx = NULL;
			free(line);
		}
		s = nl ? nl + 1 : end;
	}
	if (rc < 0)
		fuzz_check_error(p->err, p->errlen, p->path);
	return rc;
}

/* A parser reporting to fuzz_check_triple, with its error buffer. */
static inline void fuzz_parser_init(idmap_parser *p, idmap_input_info *info, char *err,
				    size_t errlen, const char *path)
{
	memset(p, 0, sizeof *p);
	memset(info, 0, sizeof *info);
	p->path = path;
	p->info = info;
	p->fn = fuzz_check_triple;
	p->err = err;
	p->errlen = errlen;
	err[0] = '\0';
}

#endif
