/* idmap info: what an index holds (release, provenance, counts, ID types, sections). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"

static const char usage_text[] =
	"usage: idmap info [-i INDEX] [--sizes]\n"
	"\n"
	"Shows the release, provenance, counts, ID types and sections of an index.\n"
	"  -i, --index INDEX  the index (default: $IDMAP_INDEX)\n"
	"      --sizes        also the value bytes of each ID type, text and coded (reads every key)\n"
	"  -h, --help         this text\n";

/* An "input" META value: name TAB kind TAB bytes TAB lines. META text comes from the user
 * (file names, --release, release headers): it is shown escaped (cli_put_text). */
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
		cli_put_text(stdout, v, n, 0);
		putchar('\n');
		return;
	}
	static const char *const sep[4] = {" (", ", ", " bytes, ", " lines)\n"};
	for (k = 0; k < 4; k++) {
		cli_put_text(stdout, f[k], len[k], 0);
		fputs(sep[k], stdout);
	}
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
		else {
			cli_put_text(stdout, m.value, m.value_len, 0);
			putchar('\n');
		}
	}
	return rc == IDMAP_DONE ? IDMAP_OK : rc;
}

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* idmap's types of UniParc cross-references (FORMAT.md, "Data model"), shown apart. */
#define UP_ACTIVE "#uniparc:"
#define UP_INACTIVE "#uniparc-inactive:"
static int is_uniparc_type(const char *name)
{
	return has_prefix(name, "#uniparc") || has_prefix(name, "#unversioned:#uniparc");
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
		if (idmap_type_get(ix, i, &t) != IDMAP_OK || t.name[0] != '#' ||
		    is_uniparc_type(t.name))
			continue;
		if (!header++)
			printf("\naccession history\n");
		if (strcmp(t.name, "#secondary") == 0)
			printf("  secondary accessions %15" PRIu64 "  (%" PRIu64
			       " links to primaries)\n", t.keys, t.pairs);
		else if (strcmp(t.name, "#deleted") == 0) /* a list that did not say which */
			printf("  deleted accessions   %15" PRIu64 "\n", t.keys);
		else if (strcmp(t.name, "#deleted-sp") == 0)
			printf("  deleted, Swiss-Prot  %15" PRIu64 "  (delac_sp)\n", t.keys);
		else if (strcmp(t.name, "#deleted-tr") == 0)
			printf("  deleted, TrEMBL      %15" PRIu64 "  (delac_tr)\n", t.keys);
		else
			printf("  %-20s %15" PRIu64 "  (%" PRIu64 " pairs)\n", t.name, t.keys,
			       t.pairs);
	}
}

/* UniParc entries read: the entry counts (the lines field) of the uniparc inputs in META. */
static uint64_t uniparc_entries(const idmap_index *ix)
{
	uint64_t n = 0;
	size_t cur = 0;
	idmap_meta_line m;
	while (idmap_meta_next(ix, &cur, &m) == IDMAP_OK) {
		if (m.key_len != 5 || memcmp(m.key, "input", 5) != 0)
			continue;
		/* name TAB kind TAB bytes TAB lines: the name is the only field that may hold
		 * anything, so the kind is the third field from the end */
		const char *f[3] = {NULL, NULL, NULL}, *e = m.value + m.value_len;
		int k = 0;
		for (const char *s = e; s > m.value && k < 3; s--)
			if (s[-1] == '\t')
				f[k++] = s;
		if (k == 3 && (size_t)(f[1] - f[2]) == 8 && memcmp(f[2], "uniparc\t", 8) == 0)
			n += strtoull(f[0], NULL, 10);
	}
	return n;
}

/* UniParc cross-references by database: active and inactive (id, UPI) pairs, distinct
 * active ids; the taxa of active cross-references. */
static void print_uniparc(const idmap_index *ix)
{
	uint32_t nt = idmap_type_count(ix), found;
	idmap_type_info t, other;
	int header = 0;
	for (uint32_t i = 0; i < nt; i++) {
		if (idmap_type_get(ix, i, &t) != IDMAP_OK || !has_prefix(t.name, "#uniparc"))
			continue;
		if (!header++)
			printf("\nUniParc cross-references (%" PRIu64 " entries read)\n  %-20s %15s "
			       "%15s %15s\n", uniparc_entries(ix), "database", "active", "inactive",
			       "active ids");
		char name[128];
		if (has_prefix(t.name, UP_ACTIVE)) {
			const char *db = t.name + strlen(UP_ACTIVE);
			snprintf(name, sizeof name, UP_INACTIVE "%s", db);
			uint64_t inactive = idmap_type_find(ix, name, &found) == IDMAP_OK &&
						    idmap_type_get(ix, found, &other) == IDMAP_OK
					    ? other.pairs
					    : 0;
			printf("  %-20s %15" PRIu64 " %15" PRIu64 " %15" PRIu64 "\n", db, t.pairs,
			       inactive, t.keys);
		} else if (has_prefix(t.name, UP_INACTIVE)) {
			const char *db = t.name + strlen(UP_INACTIVE);
			snprintf(name, sizeof name, UP_ACTIVE "%s", db);
			if (idmap_type_find(ix, name, &found) != IDMAP_OK) /* else shown above */
				printf("  %-20s %15d %15" PRIu64 " %15d\n", db, 0, t.pairs, 0);
		}
	}
	if (header && idmap_type_find(ix, "#uniparc-taxon", &found) == IDMAP_OK &&
	    idmap_type_get(ix, found, &t) == IDMAP_OK)
		printf("  %-20s %15" PRIu64 "  (%" PRIu64 " entry-taxon pairs)\n", "taxa", t.keys,
		       t.pairs);
}

/* Where the reviewed (Swiss-Prot) flag comes from: entry names, nothing else is guessed. */
static void print_reviewed(const idmap_index *ix)
{
	uint32_t t;
	idmap_type_info ti;
	if (idmap_type_find(ix, "UniProtKB-ID", &t) != IDMAP_OK ||
	    idmap_type_get(ix, t, &ti) != IDMAP_OK || ti.pairs == 0) {
		printf("%-14s%s\n", "reviewed flag", "none: no entry names (UniProtKB-ID rows of "
		       "idmapping.dat or idmapping_selected.tab); to UniProtKB-Swiss-Prot is refused");
		return;
	}
	printf("%-14sfrom entry names (UniProtKB-ID rows of idmapping.dat or column 2 of "
	       "idmapping_selected.tab): %" PRIu64 " entries have one; an entry without one "
	       "has no review status\n", "reviewed flag", ti.keys);
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

/* Where KEY_POOL's bytes go: the value bytes of each type, as text and as coded (the rest of
 * the pool is record heads and postings). Opt-in: it reads every key record of the index. */
static int print_sizes(const idmap_index *ix)
{
	uint32_t nt = idmap_type_count(ix);
	uint64_t *text = calloc(nt ? nt : 1, sizeof *text), total = 0, total_text = 0, pool = 0;
	uint64_t *bytes = calloc(nt ? nt : 1, sizeof *bytes);
	int rc = text && bytes ? idmap_value_bytes(ix, text, bytes) : IDMAP_ERR_NOMEM;
	if (rc != IDMAP_OK) {
		free(text);
		free(bytes);
		return rc;
	}
	for (uint32_t i = 0; i < nt; i++) {
		total += bytes[i];
		total_text += text[i];
	}
	idmap_section_info si;
	for (uint32_t i = 0; i < idmap_section_count(ix); i++)
		if (idmap_section_get(ix, i, &si) == IDMAP_OK && si.name &&
		    strcmp(si.name, "KEY_POOL") == 0)
			pool = si.length;
	printf("\nKEY_POOL %" PRIu64 " bytes: values %" PRIu64 " coded (%" PRIu64 " as text), "
	       "record heads and postings %" PRIu64 "\n%-24s %15s %15s %15s %9s\n", pool, total,
	       total_text, pool - total, "ID type", "values", "text bytes", "coded bytes",
	       "bytes/val");
	idmap_type_info t;
	for (uint32_t i = 0; i < nt; i++)
		if (idmap_type_get(ix, i, &t) == IDMAP_OK && t.keys)
			printf("%-24s %15" PRIu64 " %15" PRIu64 " %15" PRIu64 " %9.1f\n", t.name,
			       t.keys, text[i], bytes[i], (double)bytes[i] / (double)t.keys);
	free(text);
	free(bytes);
	return IDMAP_OK;
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"index", required_argument, NULL, 'i'},
		{"sizes", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	int ch, sizes = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":i:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			path = optarg;
			break;
		case 's':
			sizes = 1;
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
	printf("%-14s", "index");
	cli_put_text(stdout, path, strlen(path), 0);
	putchar('\n');
	int rc = print_meta(ix);
	if (rc == IDMAP_OK) {
		uint64_t upis = idmap_upi_count(ix);
		printf("%-14s%" PRIu64 "\n", "accessions", idmap_acc_count(ix) - upis);
		if (upis)
			printf("%-14s%" PRIu64 "\n", "UniParc UPIs", upis);
		printf("%-14s%" PRIu64 "\n", "keys", idmap_key_count(ix));
		print_reviewed(ix);
		print_types(ix);
		print_uniparc(ix);
		print_entries(ix);
		print_sections(ix);
		if (sizes)
			rc = print_sizes(ix);
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
