/* idmap verify: recomputes every checksum and structural invariant of an index (idmap_verify)
 * and names the bad section. When the index does not even open, the raw file is examined to
 * say which part (header, section table, which section) is damaged. */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>

#include "cli_util.h"
#include "commands.h"
#include "idmap_format.h"

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

static const char *name_of(uint32_t id, char *buf, size_t len)
{
	const char *n = idmap_section_name(id);
	if (n)
		return n;
	snprintf(buf, len, "section %" PRIu32, id);
	return buf;
}

/* Finds the first damaged part of a file that idmap_open refused, in the order the reader
 * checks it. Writes a one-line reason into why; returns 0 when nothing was found (the damage
 * is then inside a small section's content, reported by the caller). */
static int diagnose(const uint8_t *b, uint64_t size, char *why, size_t len)
{
	if (size < IDMAP_HEADER_SIZE || memcmp(b, IDMAP_MAGIC, IDMAP_MAGIC_LEN) != 0)
		return snprintf(why, len, "header: not an idmap index (bad magic or too short)"), 1;
	if (idmap_rd32(b + IDMAP_HDR_VERSION) != IDMAP_FORMAT_VERSION) {
		char msg[200];
		cli_version_message(idmap_rd32(b + IDMAP_HDR_VERSION), msg, sizeof msg);
		return snprintf(why, len, "header: %s", msg), 1;
	}
	if (libdeflate_crc32(0, b, IDMAP_HDR_HEADER_CRC) != idmap_rd32(b + IDMAP_HDR_HEADER_CRC))
		return snprintf(why, len, "header: CRC mismatch"), 1;
	int reserved = idmap_rd32(b + IDMAP_HDR_FLAGS) != 0;
	for (unsigned i = 0; i < 20; i++)
		reserved |= b[IDMAP_HDR_RESERVED + i] != 0;
	if (reserved)
		return snprintf(why, len, "header: reserved fields are not zero"), 1;
	uint64_t fsize = idmap_rd64(b + IDMAP_HDR_FILE_SIZE);
	if (fsize != size)
		return snprintf(why, len, "header: file size %" PRIu64 " but the file has %" PRIu64
				" bytes (truncated or extended)", fsize, size), 1;
	uint64_t off = idmap_rd64(b + IDMAP_HDR_TABLE_OFFSET);
	uint64_t n = idmap_rd32(b + IDMAP_HDR_SECTION_COUNT);
	if (n < 1 || n > IDMAP_MAX_SECTIONS || off < IDMAP_HEADER_SIZE ||
	    off % IDMAP_SECTION_ALIGN || off > size || n * IDMAP_SECTION_ENTRY_SIZE > size - off)
		return snprintf(why, len, "header: section table (offset %" PRIu64 ", %" PRIu64
				" entries) outside the file", off, n), 1;
	if (libdeflate_crc32(0, b + off, (size_t)(n * IDMAP_SECTION_ENTRY_SIZE)) !=
	    idmap_rd32(b + IDMAP_HDR_TABLE_CRC))
		return snprintf(why, len, "section table: CRC mismatch"), 1;
	char nb[32];
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = b + off + i * IDMAP_SECTION_ENTRY_SIZE;
		uint32_t id = idmap_rd32(e + IDMAP_SEC_ID);
		uint64_t so = idmap_rd64(e + IDMAP_SEC_OFFSET), sl = idmap_rd64(e + IDMAP_SEC_LENGTH);
		if (so < IDMAP_HEADER_SIZE || so % IDMAP_SECTION_ALIGN || so > size || sl > size - so)
			return snprintf(why, len, "section table: %s lies outside the file",
					name_of(id, nb, sizeof nb)), 1;
	}
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = b + off + i * IDMAP_SECTION_ENTRY_SIZE;
		uint32_t id = idmap_rd32(e + IDMAP_SEC_ID);
		uint64_t so = idmap_rd64(e + IDMAP_SEC_OFFSET), sl = idmap_rd64(e + IDMAP_SEC_LENGTH);
		if (libdeflate_crc32(0, b + so, (size_t)sl) != idmap_rd32(e + IDMAP_SEC_CRC))
			return snprintf(why, len, "%s: CRC mismatch", name_of(id, nb, sizeof nb)), 1;
	}
	return 0;
}

/* The index refused to open: say where the damage is. */
static void report_unopenable(const char *path, int status)
{
	if (status == IDMAP_ERR_IO || status == IDMAP_ERR_NOMEM) {
		cli_index_error(path, status);
		return;
	}
	char why[256] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int regular = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (regular && st.st_size < (off_t)IDMAP_HEADER_SIZE) {
		snprintf(why, sizeof why, "header: not an idmap index (a file of %lld bytes)",
			 (long long)st.st_size);
	} else if (regular) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED) {
			if (!diagnose(m, (uint64_t)st.st_size, why, sizeof why))
				why[0] = '\0';
			munmap(m, (size_t)st.st_size);
		}
	}
	if (fd >= 0)
		close(fd);
	if (!why[0] && (status == IDMAP_ERR_NOT_INDEX || status == IDMAP_ERR_VERSION))
		snprintf(why, sizeof why, "header: %s", idmap_strerror(status));
	else if (!why[0])
		snprintf(why, sizeof why, "%s (section table or a small section: META, TYPES, "
			 "ACC_DIR, KEY_DIR, is inconsistent, or the length or ends of ACC_CODES, "
			 "FWD_INDEX or KEY_INDEX)", idmap_strerror(status));
	cli_say("%s: verify failed: %s", path, why);
}

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
	int rc = idmap_open(path, &ix);
	if (rc != IDMAP_OK) {
		report_unopenable(path, rc);
		return 1;
	}
	char detail[512];
	rc = idmap_verify_flags(ix, flags, detail, sizeof detail);
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
