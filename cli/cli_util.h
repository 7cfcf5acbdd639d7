/* Helpers shared by the subcommands: the index path, opening with a message, buffered output. */
#ifndef IDMAP_CLI_UTIL_H
#define IDMAP_CLI_UTIL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "idmap.h"

/* Parses "512M", "4G", "1.5G", "1048576" (bytes); returns 0, -1 when malformed, or -2 when
 * the size is 2^64 bytes or more. */
int cli_parse_size(const char *s, uint64_t *out);

/* Parses "7d", "12h", "30m", "45s" or plain seconds; returns 0, or -1 when malformed. */
int cli_parse_duration(const char *s, uint64_t *seconds);

/* The index named by -i, else by the environment variable IDMAP_INDEX, else NULL. */
const char *cli_index_path(const char *opt);

/* After the options of a command that takes only an index: *index (from -i) or $IDMAP_INDEX.
 * Returns 0, or prints a usage error (a stray argument, no index) and returns -1. */
int cli_index_arg(int argc, char **argv, const char **index, const char *usage);

/* Writes s[0, n) for people: control bytes (ESC, BEL, C1) and bytes that are not UTF-8
 * escaped as \xHH (idmap_escape_span); when max is not 0, at most about max bytes of s, then
 * "...". Ids and file names from the user go to the terminal only through this. */
void cli_put_text(FILE *f, const char *s, size_t n, size_t max);

/* An idmap_write_fn writing to stdout (ctx unused): non-zero when fwrite fails, errno set. */
int cli_write_stdout(void *ctx, const void *p, size_t n);

/* Prints "idmap: MESSAGE" and a newline on stderr, the message escaped as by cli_put_text. */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "idmap: MESSAGE" (escaped, as cli_say) and the usage text on stderr; returns 2, the
 * usage exit code. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* getopt_long's ':' (an option without its value) or '?' (an unknown option) as a usage
 * error: the message, the usage text, and 2. */
int cli_bad_option(int ch, char *const *argv, const char *usage);

/* Prints "idmap: PATH: reason" for an engine status (errno for IDMAP_ERR_IO). errno is
 * kept. */
void cli_index_error(const char *path, int status);

/* Opens the index; on failure prints "idmap: PATH: WHAT DETAIL" with idmap_open_detail's
 * reason (WHAT is left out for IDMAP_ERR_IO and IDMAP_ERR_NOMEM, which are not damage) and
 * returns the status. */
int cli_open_detail(const char *path, idmap_index **ix, const char *what);

/* Opens the index, printing the reason on failure. Returns the handle or NULL. From then on a
 * read of the index past the end of a file truncated under it (SIGBUS) ends the program with
 * "idmap: PATH: index file changed or truncated while in use" and exit status 1. */
idmap_index *cli_open_index(const char *path);

/* From now on a SIGBUS of a read past the end of a file truncated under its map (the index at
 * path) prints that message and exits 1, in whichever thread it happens. */
void cli_catch_sigbus(const char *path);

#endif
