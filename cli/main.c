/* idmap: offline UniProt ID mapping. Dispatches to the subcommands of commands.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"

#ifndef IDMAP_VERSION_STRING
#define IDMAP_VERSION_STRING "unknown"
#endif

/* `idmap serve` is the program idmap-serve beside this one (see cmd_serve.c). */
static int run_serve(char **argv)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
	if (n > 0)
		path[n] = 0;
	char *slash = n > 0 ? strrchr(path, '/') : NULL;
	if (!slash) {
		fprintf(stderr, "idmap: serve: cannot find this program's directory\n");
		return 1;
	}
	strcpy(slash + 1, "idmap-serve");
	execv(path, argv);
	if (errno == ENOENT)
		fprintf(stderr, "idmap: serve is not available: this idmap was built without "
			"libmicrohttpd (apt-get install libmicrohttpd-dev, then rebuild)\n");
	else
		cli_say("%s: %s", path, strerror(errno));
	return 1;
}

static void usage(FILE *f)
{
	fputs("usage: idmap <command> [options]\n"
	      "\n"
	      "commands:\n"
	      "  build  build an index from UniProt idmapping release files\n"
	      "  map    map identifiers through an index\n"
	      "  entry  FASTA records of entry ids (an index built with FASTA files)\n"
	      "  info   show the release, counts, ID types and sections of an index\n"
	      "  databases  list the database names of map --from/--to and their rules\n"
	      "  verify check every checksum and structure of an index\n"
	      "  serve  UniProt's ID mapping REST API and web page on this machine\n"
	      "\n"
	      "  idmap <command> --help   options of a command\n"
	      "  idmap --version          version of this program\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	/* each subcommand sees its own name as argv[0], as getopt expects */
	if (strcmp(cmd, "build") == 0)
		return cmd_build(argc - 1, argv + 1);
	if (strcmp(cmd, "map") == 0)
		return cmd_map(argc - 1, argv + 1);
	if (strcmp(cmd, "entry") == 0)
		return cmd_entry(argc - 1, argv + 1);
	if (strcmp(cmd, "info") == 0)
		return cmd_info(argc - 1, argv + 1);
	if (strcmp(cmd, "databases") == 0)
		return cmd_databases(argc - 1, argv + 1);
	if (strcmp(cmd, "verify") == 0)
		return cmd_verify(argc - 1, argv + 1);
	if (strcmp(cmd, "serve") == 0)
		return run_serve(argv + 1);
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("idmap %s\n", IDMAP_VERSION_STRING);
		return 0;
	}
	cli_say("unknown command '%s'", cmd);
	usage(stderr);
	return 2;
}
