/* idmap build -o INDEX [--memory SIZE] [--threads N] [--tmpdir DIR] [--release NAME]
 *             [--seed N] [--quiet | --progress] [--clean-tmp] INPUT...
 * idmap build --clean-tmp [-o INDEX] [--tmpdir DIR]   (only removes stale temporary files) */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_util.h"
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
		"The release date comes from the history files' headers, or from UniProt's\n"
		"reldate.txt given as one more input. The release's FASTA files (uniprot_sprot,\n"
		"uniprot_trembl, uniprot_sprot_varsplic, uniref100/90/50, uniparc_active) add\n"
		"their records, for idmap map --format fasta and idmap entry.\n"
		"\n"
		"  -o, --output INDEX   index file to write (replaced atomically)\n"
		"  -m, --memory SIZE    memory budget, e.g. 512M, 4G (default 2G)\n"
		"  -t, --threads N      worker threads (default: all cores)\n"
		"      --tmpdir DIR     temporary files (default: the directory of INDEX)\n"
		"      --release NAME   release name (default: read from the inputs)\n"
		"      --seed N         hash seed (default: fixed, so builds are reproducible)\n"
		"  -q, --quiet          no progress on stderr\n"
		"      --progress       progress lines on stderr even when it is not a terminal\n"
		"      --clean-tmp      only remove what killed builds left behind (temporary\n"
		"                       directories in --tmpdir and beside INDEX, partial index\n"
		"                       files beside INDEX) and exit; a build does this itself\n");
}

/* --memory: a size of at least 1M. Returns 0, or prints why not and returns -1. */
static int memory_arg(const char *arg, uint64_t *memory)
{
	int rc = cli_parse_size(arg, memory);
	if (rc == -2)
		cli_say("--memory: '%s' is too large", arg);
	else if (rc != 0)
		cli_say("--memory: invalid size '%s' (e.g. 512M, 4G)", arg);
	else if (*memory < (1u << 20))
		cli_say("--memory: '%s' is below the minimum of 1M", arg);
	else
		return 0;
	return -1;
}

/* The index would be renamed over an input given as -o: refused before anything is read.
 * Same file = same device and inode (a hard link, a symbolic link, another spelling). */
static int output_is_input(const char *output, char *const *inputs, int n)
{
	struct stat out, in;
	if (stat(output, &out) != 0)
		return 0; /* not there yet: no input of that name */
	for (int i = 0; i < n; i++)
		if (strcmp(inputs[i], "-") && stat(inputs[i], &in) == 0 &&
		    in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
			cli_say("-o %s: is also the input %s; write the index elsewhere", output,
				inputs[i]);
			return 1;
		}
	return 0;
}

static volatile int interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* On a terminal the progress line is redrawn in place; phase lines are printed above it. */
static int live;
static int live_shown;

static void log_line(void *ctx, const char *msg)
{
	(void)ctx;
	if (live_shown) {
		fputs("\r\033[K", stderr);
		live_shown = 0;
	}
	cli_say("%s", msg);
}

/* Resident memory of this process in bytes, from /proc (0 when unavailable). */
static uint64_t rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long size, resident = 0;
	if (f) {
		if (fscanf(f, "%llu %llu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void human(char *out, size_t len, double bytes)
{
	const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;
	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, len, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
}

static void show_progress(void *ctx, const idmap_build_progress *p)
{
	(void)ctx;
	char line[256], mem[32], a[32], b[32];
	human(mem, sizeof(mem), (double)rss_bytes());
	double rate = p->elapsed > 0 ? (double)p->lines / p->elapsed : 0;
	int n;
	if (strcmp(p->phase, "read") == 0) {
		human(a, sizeof(a), (double)p->done);
		if (p->total) {
			human(b, sizeof(b), (double)p->total);
			double frac = (double)p->done / (double)p->total;
			double eta = frac > 0.001 ? p->elapsed / frac - p->elapsed : 0;
			n = snprintf(line, sizeof(line),
				     "read %s / %s (%.0f%%), %.2f M lines/s, read ETA %.0fs, memory %s",
				     a, b, 100 * frac, rate / 1e6, eta, mem);
		} else {
			n = snprintf(line, sizeof(line), "read %s, %.2f M lines/s, memory %s", a,
				     rate / 1e6, mem);
		}
	} else {
		n = snprintf(line, sizeof(line), "%s: %llu / %llu, %.0fs, memory %s", p->phase,
			     (unsigned long long)p->done, (unsigned long long)p->total, p->elapsed,
			     mem);
	}
	(void)n;
	fprintf(stderr, "\r\033[Kidmap: %s", line);
	live_shown = 1;
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
		{"progress", no_argument, NULL, 'P'},
		{"clean-tmp", no_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	idmap_build_opts o;
	idmap_build_opts_init(&o);
	int quiet = 0, progress = 0, clean_only = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:m:t:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.output = optarg;
			break;
		case 'm':
			if (memory_arg(optarg, &o.memory) != 0)
				return 2;
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
		case 'P':
			progress = 1;
			break;
		case 'C':
			clean_only = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (clean_only) {
		if ((!o.output && !o.tmpdir) || optind < argc) {
			fprintf(stderr, "idmap: build --clean-tmp needs -o INDEX and/or --tmpdir DIR, "
				"and no INPUT\n");
			return 2;
		}
		char cerr[1024];
		int n = idmap_build_clean_tmp(o.output, o.tmpdir, quiet ? NULL : log_line, NULL,
					      cerr, sizeof(cerr));
		if (n < 0) {
			cli_say("%s", cerr);
			return 1;
		}
		if (!quiet)
			fprintf(stderr, "idmap: removed %d stale temporary entr%s\n", n,
				n == 1 ? "y" : "ies");
		return 0;
	}
	if (!o.output || optind >= argc) {
		fprintf(stderr, "idmap: build needs -o INDEX and at least one INPUT\n");
		usage(stderr);
		return 2;
	}
	if (output_is_input(o.output, argv + optind, argc - optind))
		return 2;
	o.inputs = (const char *const *)(argv + optind);
	o.n_inputs = (size_t)(argc - optind);
	/* A terminal gets a live line unless --quiet; elsewhere phase lines only on request. */
	live = !quiet && isatty(STDERR_FILENO);
	if (live || progress)
		o.log = log_line;
	if (live)
		o.progress = show_progress;
	/* SIGINT / SIGTERM stop the build cleanly: temporary files go, the old index stays. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	o.cancel = &interrupted;
	char err[1024];
	int rc = idmap_build(&o, err, sizeof(err));
	if (live_shown)
		fputs("\r\033[K", stderr);
	if (rc < 0) {
		cli_say("%s", err);
		return 1;
	}
	return 0;
}
