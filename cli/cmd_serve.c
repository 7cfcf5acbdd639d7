/* idmap serve -i INDEX [--listen ADDR] [--jobs-dir DIR] [--job-ttl 7d] [--threads N]
 * [--max-ids N] [--cache SIZE] [connection limits]: the options; the server itself is in server/. This is the
 * program idmap-serve, which `idmap serve` runs: libmicrohttpd and the TLS libraries it
 * pulls in are loaded by the server alone, not by every idmap map. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "server.h"

static const char usage_text[] =
	"usage: idmap serve [-i INDEX] [--listen HOST:PORT] [--jobs-dir DIR] [--job-ttl TIME]\n"
	"                   [--threads N] [--max-ids N] [--cache SIZE] [--max-connections N]\n"
	"                   [--max-per-ip N] [--header-timeout TIME] [--body-timeout TIME]\n"
	"                   [--quiet]\n"
	"\n"
	"Serves UniProt's ID mapping REST API (POST /idmapping/run, /idmapping/status/ID,\n"
	"/idmapping/results/ID, ...) and the Retrieve/ID mapping web page at / until SIGINT or\n"
	"SIGTERM. SIGHUP reopens INDEX (after a rebuild) without refusing connections.\n"
	"  -i, --index INDEX       the index (default: $IDMAP_INDEX)\n"
	"  -l, --listen ADDR       HOST:PORT, [IPV6]:PORT or :PORT for every interface\n"
	"                          (default 127.0.0.1:8080, loopback only; port 0: any free)\n"
	"  -j, --jobs-dir DIR      where jobs and their results are kept across restarts\n"
	"                          (default: INDEX.jobs)\n"
	"      --job-ttl TIME      delete jobs this long after submission: 7d, 12h, 30m, 45s\n"
	"                          (default 7d, as UniProt; 0 keeps them)\n"
	"  -t, --threads N         mapping worker threads (default: all cores)\n"
	"      --max-ids N         ids per job; more is refused with 413 (default 10000000)\n"
	"      --cache SIZE        finished jobs kept in memory (default 1G; the rest is read\n"
	"                          from DIR when asked for)\n"
	"      --max-connections N concurrent connections (default 256)\n"
	"      --max-per-ip N      concurrent connections from one address (default half of\n"
	"                          --max-connections: the other half keeps answering others)\n"
	"      --header-timeout TIME  a request's header must be complete this long after\n"
	"                          the connection (or its previous answer); default 10s\n"
	"      --body-timeout TIME a request's body must be complete this long after its\n"
	"                          header (default 300s); 0 for either: no limit\n"
	"  -q, --quiet             no request log on stderr\n"
	"  -h, --help              this text\n";

enum { OPT_TTL = 256, OPT_MAX_IDS, OPT_CACHE, OPT_MAX_CONN, OPT_PER_IP, OPT_HEADER_T, OPT_BODY_T };

static int number(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	double v = strtod(s, &end); /* 1e7 is a fine way to write ten million */
	if (errno || *end || v < (double)min || v > (double)max || v != (double)(uint64_t)v)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"index", required_argument, NULL, 'i'},
		{"listen", required_argument, NULL, 'l'},
		{"jobs-dir", required_argument, NULL, 'j'},
		{"job-ttl", required_argument, NULL, OPT_TTL},
		{"threads", required_argument, NULL, 't'},
		{"max-ids", required_argument, NULL, OPT_MAX_IDS},
		{"cache", required_argument, NULL, OPT_CACHE},
		{"max-connections", required_argument, NULL, OPT_MAX_CONN},
		{"max-per-ip", required_argument, NULL, OPT_PER_IP},
		{"header-timeout", required_argument, NULL, OPT_HEADER_T},
		{"body-timeout", required_argument, NULL, OPT_BODY_T},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *index = NULL, *listen = "127.0.0.1:8080", *jobs_dir = NULL;
	uint64_t ttl = 7 * 86400, max_ids = 10000000, cache = 1ull << 30, max_conn = 256;
	uint64_t per_ip = 0, header_t = 10, body_t = 300;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t threads = cores > 0 ? (uint64_t)cores : 1;
	int quiet = 0, ch;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":i:l:j:t:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			index = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 'j':
			jobs_dir = optarg;
			break;
		case OPT_TTL:
			if (cli_parse_duration(optarg, &ttl) != 0)
				return cli_usage_error(usage_text, "--job-ttl: invalid time '%s'",
						       optarg);
			break;
		case 't':
			if (number(optarg, 1, 1024, &threads) != 0)
				return cli_usage_error(usage_text, "--threads: invalid number '%s'",
						       optarg);
			break;
		case OPT_MAX_IDS:
			if (number(optarg, 1, 4000000000ull, &max_ids) != 0)
				return cli_usage_error(usage_text, "--max-ids: invalid number '%s'",
						       optarg);
			break;
		case OPT_CACHE:
			if (cli_parse_size(optarg, &cache) != 0)
				return cli_usage_error(usage_text, "--cache: invalid size '%s'",
						       optarg);
			break;
		case OPT_MAX_CONN:
			if (number(optarg, 1, 65536, &max_conn) != 0)
				return cli_usage_error(usage_text,
						       "--max-connections: invalid number '%s'", optarg);
			break;
		case OPT_PER_IP:
			if (number(optarg, 1, 65536, &per_ip) != 0)
				return cli_usage_error(usage_text, "--max-per-ip: invalid number '%s'",
						       optarg);
			break;
		case OPT_HEADER_T:
		case OPT_BODY_T:
			if (cli_parse_duration(optarg, ch == OPT_HEADER_T ? &header_t : &body_t) != 0 ||
			    (ch == OPT_HEADER_T ? header_t : body_t) > 86400)
				return cli_usage_error(usage_text,
						       ch == OPT_HEADER_T
							       ? "--header-timeout: invalid time '%s' (0 to 1d)"
							       : "--body-timeout: invalid time '%s' (0 to 1d)",
						       optarg);
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_bad_option(ch, argv, usage_text);
		}
	}
	if (cli_index_arg(argc, argv, &index, usage_text) != 0)
		return 2;
	char dir[4096];
	if (!jobs_dir) {
		snprintf(dir, sizeof dir, "%s.jobs", index);
		jobs_dir = dir;
	}
	if (!per_ip)
		per_ip = max_conn > 1 ? max_conn / 2 : 1;
	srv_opts o = {.index_path = index, .listen = listen, .jobs_dir = jobs_dir,
		      .job_ttl = ttl, .threads = (unsigned)threads, .max_ids = max_ids,
		      .cache_bytes = cache, .max_connections = (unsigned)max_conn,
		      .max_per_ip = (unsigned)per_ip, .header_timeout = (unsigned)header_t,
		      .body_timeout = (unsigned)body_t,
		      .quiet = quiet, .argv = argv};
	/* a worker reading an index truncated under the server cannot answer anything right
	 * again: the process says why and exits 1, for its supervisor to restart it */
	cli_catch_sigbus(index);
	return srv_run(&o);
}
