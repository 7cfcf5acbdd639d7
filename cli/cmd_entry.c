/* idmap entry: the FASTA records of entry ids, straight from the index's entry store (as
 * UniProt's /uniprotkb/accessions, /uniref/{id}.fasta and /uniparc/{upi}.fasta), whether or
 * not the idmapping files name them. */
#include <getopt.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "map_fasta.h"

static const char usage_text[] =
	"usage: idmap entry [-i INDEX] [--include-isoforms] ID...\n"
	"\n"
	"Writes the FASTA record of each id: a UniProtKB accession or isoform (P31946,\n"
	"P31946-2), a range of one (P00750[39-81]), a UniRef cluster (UniRef90_P31946) or a\n"
	"UniParc id (UPI0000000001). Needs an index built with the release's FASTA files.\n"
	"Exit status 1 when an id has no record.\n"
	"  -i, --index INDEX      the index (default: $IDMAP_INDEX)\n"
	"      --include-isoforms each entry's isoform records follow it\n"
	"  -h, --help             this text\n";

enum { OPT_ISOFORMS = 256 };

int cmd_entry(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"index", required_argument, NULL, 'i'},
		{"include-isoforms", no_argument, NULL, OPT_ISOFORMS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	int ch, isoforms = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":i:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i': path = optarg; break;
		case OPT_ISOFORMS: isoforms = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return cli_bad_option(ch, argv, usage_text);
		}
	}
	path = cli_index_path(path);
	if (!path)
		return cli_usage_error(usage_text, "no index: give -i INDEX or set IDMAP_INDEX");
	if (optind == argc)
		return cli_usage_error(usage_text, "no id given");
	idmap_index *ix = cli_open_index(path);
	if (!ix)
		return 1;
	idmap_entry_stats st;
	int rc = 0;
	if (idmap_entry_stats_get(ix, &st) != IDMAP_OK) {
		fprintf(stderr, "idmap: %s: the index holds no FASTA records (build it with the "
			"release's FASTA files)\n", path);
		idmap_close(ix);
		return 1;
	}
	static fasta_item items[FASTA_BATCH];
	uint64_t failed = 0;
	for (int i = optind; i < argc && rc == 0;) {
		size_t n = 0;
		for (; n < FASTA_BATCH && i < argc; n++, i++) {
			fasta_item *it = &items[n];
			memset(it, 0, sizeof *it);
			it->id.text = argv[i];
			it->id.len = strlen(argv[i]);
			const char *lb = memchr(it->id.text, '[', it->id.len);
			it->to = it->id.text;
			it->to_len = lb ? (size_t)(lb - it->id.text) : it->id.len;
			it->subsequence = lb != NULL;
		}
		if (fasta_write_batch(ix, items, n, isoforms, &failed) < 0)
			rc = -1;
	}
	if (failed)
		rc = rc ? rc : 1;
	idmap_close(ix);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		perror("idmap: write error");
		return 1;
	}
	return rc == 0 ? 0 : 1;
}
