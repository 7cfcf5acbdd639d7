/* idmap build -o INDEX [--memory SIZE] [--threads N] [--tmpdir DIR] [--release NAME]
 *             [--seed N] [--quiet] INPUT... */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "idmap_build.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: idmap build -o INDEX [options] INPUT...\n"
		"\n"
		"Builds an index from UniProt idmapping release files: idmapping.dat,\n"
		"idmapping_selected.tab, sec_ac.txt, delac_sp.txt / delac_tr.txt (plain or gzip,\n"
		"'-' for standard input; the kind of each file is read from its content).\n"
		"\n"
		"  -o, --output INDEX   index file to write (replaced atomically)\n"
		"  -m, --memory SIZE    memory budget, e.g. 512M, 4G (default 2G)\n"
		"  -t, --threads N      worker threads (default: all cores)\n"
		"      --tmpdir DIR     temporary files (default: the directory of INDEX)\n"
		"      --release NAME   release name (default: read from the inputs)\n"
		"      --seed N         hash seed (default: fixed, so builds are reproducible)\n"
		"  -q, --quiet          no progress lines on stderr\n");
}

/* Parses "512M", "4G", "1.5G", "1048576" into bytes; returns 0 on success. */
static int parse_size(const char *s, uint64_t *out)
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

static volatile int interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void log_line(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "idmap: %s\n", msg);
}

int cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"memory", required_argument, NULL, 'm'},
		{"threads", required_argument, NULL, 't'},
		{"tmpdir", required_argument, NULL, 'T'},
		{"release", required_argument, NULL, 'r'},
		{"seed", required_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	idmap_build_opts o;
	idmap_build_opts_init(&o);
	int quiet = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:m:t:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.output = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &o.memory) < 0) {
				fprintf(stderr, "idmap: --memory: invalid size '%s'\n", optarg);
				return 2;
			}
			break;
		case 't': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 4096) {
				fprintf(stderr, "idmap: --threads: invalid number '%s'\n", optarg);
				return 2;
			}
			o.threads = (unsigned)n;
			break;
		}
		case 'T':
			o.tmpdir = optarg;
			break;
		case 'r':
			o.release = optarg;
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o.output || optind >= argc) {
		fprintf(stderr, "idmap: build needs -o INDEX and at least one INPUT\n");
		usage(stderr);
		return 2;
	}
	o.inputs = (const char *const *)(argv + optind);
	o.n_inputs = (size_t)(argc - optind);
	if (!quiet)
		o.log = log_line;
	/* SIGINT / SIGTERM stop the build cleanly: temporary files go, the old index stays. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	o.cancel = &interrupted;
	char err[1024];
	if (idmap_build(&o, err, sizeof(err)) < 0) {
		fprintf(stderr, "idmap: %s\n", err);
		return 1;
	}
	return 0;
}
