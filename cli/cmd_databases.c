/* idmap databases: the names `idmap map` accepts, with their file ID_type, roles, UniProt rule
 * and number of ids in the index; as TSV or as UniProt's /configure/idmapping/fields JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"

static const char usage_text[] =
	"usage: idmap databases [-i INDEX] [--format tsv|json]\n"
	"\n"
	"Lists the database names of `idmap map --from/--to`: REST name, file ID_type, whether\n"
	"it can be a source and a target, UniProt's rule, and its number of ids in the index.\n"
	"Without an index (no -i, no $IDMAP_INDEX) the static UniProt catalogue is listed.\n"
	"  -i, --index INDEX    the index (default: $IDMAP_INDEX)\n"
	"  -F, --format FORMAT  tsv (default) or json (UniProt's /configure/idmapping/fields)\n"
	"  -h, --help           this text\n";

int cmd_databases(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"index", required_argument, NULL, 'i'},
		{"format", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	int format = IDMAP_OUT_TSV, ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":i:F:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i': path = optarg; break;
		case 'F':
			format = idmap_out_format_parse(optarg);
			if (format != IDMAP_OUT_TSV && format != IDMAP_OUT_JSON)
				return cli_usage_error(usage_text, "--format: expected tsv or json, "
						       "not '%s'", optarg);
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return cli_bad_option(ch, argv, usage_text);
		}
	}
	if (optind < argc)
		return cli_usage_error(usage_text, "unexpected argument '%s'", argv[optind]);
	path = cli_index_path(path);
	idmap_index *ix = NULL;
	if (path && !(ix = cli_open_index(path)))
		return 1;
	idmap_catalog *cat = NULL;
	int rc = idmap_catalog_open(ix, &cat);
	if (rc == IDMAP_OK)
		rc = idmap_render_catalog(cat, format, cli_write_stdout, NULL);
	if (rc == IDMAP_OK && (fflush(stdout) != 0 || ferror(stdout)))
		rc = IDMAP_STOPPED;
	idmap_catalog_free(cat);
	idmap_close(ix);
	if (rc != IDMAP_OK) {
		if (rc == IDMAP_STOPPED) /* the write failed, errno says why */
			perror("idmap: write error");
		else
			cli_index_error(path ? path : "catalogue", rc);
		return 1;
	}
	return 0;
}
