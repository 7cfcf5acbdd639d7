/* idmap info: what an index holds (release, provenance, counts, ID types, sections). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"

static const char usage_text[] =
	"usage: idmap info [-i INDEX]\n"
	"\n"
	"Shows the release, provenance, counts, ID types and sections of an index.\n"
	"  -i, --index INDEX  the index (default: $IDMAP_INDEX)\n"
	"  -h, --help         this text\n";

/* An "input" META value: name TAB kind TAB bytes TAB lines. */
static void print_input(const char *v, size_t n)
{
	const char *f[4];
	size_t len[4], k = 0;
	const char *p = v, *end = v + n;
	while (k < 4) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		f[k] = p;
		len[k++] = (size_t)((tab ? tab : end) - p);
		if (!tab)
			break;
		p = tab + 1;
	}
	if (k != 4 || p + len[3] != end) {
		printf("%.*s\n", (int)n, v);
		return;
	}
	printf("%.*s (%.*s, %.*s bytes, %.*s lines)\n", (int)len[0], f[0], (int)len[1], f[1],
	       (int)len[2], f[2], (int)len[3], f[3]);
}

static int print_meta(const idmap_index *ix)
{
	size_t cur = 0;
	idmap_meta_line m;
	int rc;
	while ((rc = idmap_meta_next(ix, &cur, &m)) == IDMAP_OK) {
		printf("%-14.*s", (int)m.key_len, m.key);
		if (m.key_len == 5 && memcmp(m.key, "input", 5) == 0)
			print_input(m.value, m.value_len);
		else
			printf("%.*s\n", (int)m.value_len, m.value);
	}
	return rc == IDMAP_DONE ? IDMAP_OK : rc;
}

static void print_types(const idmap_index *ix)
{
	uint32_t nt = idmap_type_count(ix);
	int w = 7;
	idmap_type_info t;
	for (uint32_t i = 0; i < nt; i++)
		if (idmap_type_get(ix, i, &t) == IDMAP_OK && (int)t.name_len > w)
			w = (int)t.name_len;
	printf("\n%-*s %15s %15s\n", w, "ID type", "pairs", "values");
	for (uint32_t i = 0; i < nt; i++)
		if (idmap_type_get(ix, i, &t) == IDMAP_OK && t.name[0] != '#')
			printf("%-*s %15" PRIu64 " %15" PRIu64 "\n", w, t.name, t.pairs, t.keys);
	int header = 0;
	for (uint32_t i = 0; i < nt; i++) {
		if (idmap_type_get(ix, i, &t) != IDMAP_OK || t.name[0] != '#')
			continue;
		if (!header++)
			printf("\naccession history\n");
		if (strcmp(t.name, "#secondary") == 0)
			printf("  secondary accessions %15" PRIu64 "  (%" PRIu64
			       " links to primaries)\n", t.keys, t.pairs);
		else if (strcmp(t.name, "#deleted") == 0)
			printf("  deleted accessions   %15" PRIu64 "\n", t.keys);
		else
			printf("  %-20s %15" PRIu64 "  (%" PRIu64 " pairs)\n", t.name, t.keys,
			       t.pairs);
	}
}

/* The entry store (FASTA records), when the index has one. */
static void print_entries(const idmap_index *ix)
{
	idmap_entry_stats st;
	if (idmap_entry_stats_get(ix, &st) != IDMAP_OK)
		return;
	printf("\nentries (FASTA records)\n  %-20s %15" PRIu64 "\n", "records", st.records);
	for (int k = 1; k <= IDMAP_ENTRY_KIND_COUNT; k++)
		if (st.kinds[k - 1])
			printf("  %-20s %15" PRIu64 "\n", idmap_entry_kind_name(k), st.kinds[k - 1]);
	printf("  %-20s %15" PRIu64 " bytes (%" PRIu64 " blocks of %" PRIu32 " bytes, %" PRIu64
	       " bytes uncompressed)\n",
	       "store", st.store_bytes, st.blocks, st.block_size, st.text_bytes);
}

static void print_sections(const idmap_index *ix)
{
	printf("\nsections\n  %4s  %-13s %15s %15s  %-10s\n", "id", "name", "offset", "length",
	       "crc32");
	idmap_section_info s;
	for (uint32_t i = 0; i < idmap_section_count(ix); i++) {
		if (idmap_section_get(ix, i, &s) != IDMAP_OK)
			continue;
		printf("  %4" PRIu32 "  %-13s %15" PRIu64 " %15" PRIu64 "  0x%08" PRIx32 "\n", s.id,
		       s.name ? s.name : "(unknown)", s.offset, s.length, s.crc);
	}
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"index", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":i:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			path = optarg;
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
	idmap_index *ix = cli_open_index(path);
	if (!ix)
		return 1;
	printf("%-14s%s\n", "index", path);
	int rc = print_meta(ix);
	if (rc == IDMAP_OK) {
		printf("%-14s%" PRIu64 "\n", "accessions", idmap_acc_count(ix));
		printf("%-14s%" PRIu64 "\n", "keys", idmap_key_count(ix));
		print_types(ix);
		print_entries(ix);
		print_sections(ix);
	}
	idmap_close(ix);
	if (rc != IDMAP_OK) {
		cli_index_error(path, rc);
		return 1;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("idmap: write error");
		return 1;
	}
	return 0;
}
