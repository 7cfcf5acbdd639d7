/* idmap verify: recomputes every checksum and structural invariant of an index (idmap_verify)
 * and names the bad section. When the index does not even open, idmap_open_detail says which
 * part (header, section table, which section) is damaged. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"

static const char usage_text[] =
	"usage: idmap verify [-i INDEX] [--full] [-q]\n"
	"\n"
	"Recomputes the CRC-32 of every section and checks every structural invariant of an\n"
	"index (O(index size)), reading each section front to back. Forward pairs are compared\n"
	"with the reverse postings by per-type counts and 64-bit fingerprints. Exit status 0:\n"
	"the index is sound; 1: it is damaged (the bad header, section table or section is\n"
	"named) or cannot be read; 2: usage error.\n"
	"  -i, --index INDEX  the index (default: $IDMAP_INDEX)\n"
	"      --full         also look up the key record of every forward pair (random\n"
	"                     access: slow when the index is larger than RAM)\n"
	"  -q, --quiet        print nothing when the index is sound\n"
	"  -h, --help         this text\n";

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"index", required_argument, NULL, 'i'},
		{"quiet", no_argument, NULL, 'q'},
		{"full", no_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	int ch, quiet = 0;
	unsigned flags = 0;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":i:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			path = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'F':
			flags |= IDMAP_VERIFY_FULL;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_bad_option(ch, argv, usage_text);
		}
	}
	if (cli_index_arg(argc, argv, &path, usage_text) != 0)
		return 2;
	idmap_index *ix;
	cli_catch_sigbus(path); /* before opening, which reads the map too */
	if (cli_open_detail(path, &ix, "verify failed: ") != IDMAP_OK)
		return 1;
	char detail[512];
	int rc = idmap_verify_flags(ix, flags, detail, sizeof detail);
	if (rc != IDMAP_OK) {
		cli_say("%s: verify failed: %s", path,
			rc == IDMAP_ERR_CORRUPT && detail[0] ? detail : idmap_strerror(rc));
		idmap_close(ix);
		return 1;
	}
	if (!quiet) {
		const char *rel = "unknown";
		size_t rl = 7;
		if (idmap_meta_find(ix, "release", &rel, &rl) != IDMAP_OK) {
			rel = "unknown";
			rl = 7;
		}
		printf("%s: OK: release %.*s, %" PRIu32 " sections, %" PRIu64 " accessions, %" PRIu64
		       " keys, %" PRIu32 " ID types\n",
		       path, (int)rl, rel, idmap_section_count(ix), idmap_acc_count(ix),
		       idmap_key_count(ix), idmap_type_count(ix));
	}
	idmap_close(ix);
	return 0;
}
