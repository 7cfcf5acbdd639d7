/* The known-answer vectors of FORMAT.md, recomputed by the real code: accession codes, the
 * hash, and on the index of the bundled sample the seeds, the MPHF steps of one accession and
 * one key, and that key's encoded record. Each line computed here must appear verbatim in the
 * vectors block of FORMAT.md, so the block cannot go stale. (tests/second_reader.py checks the
 * same block against its own reading of the specification.)
 * `test_vectors --print` prints the lines, to paste into FORMAT.md after a format change. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "idmap.h"
#include "accession.h"
#include "hash.h"
#include "index_internal.h"
#include "mphf.h"
#include "test_util.h"

#define FORMAT_MD "../format/FORMAT.md"

static char lines[64][256];
static size_t n_lines;

static void add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add(const char *fmt, ...)
{
	assert_true(n_lines < sizeof lines / sizeof lines[0]);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(lines[n_lines++], sizeof lines[0], fmt, ap);
	va_end(ap);
}

static void add_hash(const char *text, uint64_t seed)
{
	idmap_h128 h = idmap_hash(text, strlen(text), seed);
	add("H(\"%s\", %zu, 0x%016" PRIx64 ") = hi 0x%016" PRIx64 " lo 0x%016" PRIx64, text,
	    strlen(text), seed, h.hi, h.lo);
}

/* The steps of FORMAT.md's query, one line, as second_reader.py prints them. */
static uint64_t add_query(const idmap_mphf_view *v, idmap_h128 h)
{
	uint64_t f = v->fbits ? h.hi >> (64 - v->fbits) : 0;
	const uint8_t *pe = NULL; /* set before use; Release builds cannot tell the assert stops */
	uint32_t n = 0;
	uint64_t pi = 0;
	assert_int_equal(idmap_mphf_locate(v, h, &pe, &n, &pi), 0);
	uint64_t part = (uint64_t)(pe - v->parts) / IDMAP_DIR_PART_ENTRY_SIZE;
	uint32_t part_seed = idmap_rd32(pe + IDMAP_PART_SEED);
	uint64_t bucket = pi - idmap_rd64(pe + IDMAP_PART_PILOT_BASE);
	int32_t pilot = v->pilots[pi];
	if (pilot == IDMAP_PILOT_ESCAPE)
		pilot = idmap_mphf_exception(v, pi);
	assert_true(pilot >= 0);
	uint64_t pos = idmap_mphf_position(h.hi, idmap_mphf_pilot_hash((uint16_t)pilot, part_seed),
					   idmap_mphf_positions(n));
	uint64_t slot = idmap_mphf_lookup(v, h);
	add("  file %" PRIu64 ", partition %" PRIu64 " (n %u, part_seed %u), bucket %" PRIu64
	    ", pilot %d, position %" PRIu64 ", slot %" PRIu64, f, part, n, part_seed, bucket,
	    (int)pilot, pos, slot);
	return slot;
}

/* The coded value of v under type's coding ("Value coding"), which decodes back to v. */
static void add_vcode(const char *type, const char *v)
{
	idmap_vcode c;
	uint8_t out[IDMAP_VCODE_MAX];
	char back[IDMAP_MAX_VALUE + 1], hex[200] = "";
	idmap_vcode_of(type, strlen(type), &c);
	size_t n = idmap_vcode_encode(&c, v, strlen(v), out);
	assert_int_equal(idmap_vcode_skip(&c, out, out + n), n);
	assert_int_equal(idmap_vcode_decode(&c, out, n, back), strlen(v));
	assert_string_equal(back, v);
	for (size_t k = 0, at = 0; k < n && at + 4 < sizeof hex; k++)
		at += (size_t)snprintf(hex + at, sizeof hex - at, k ? " %02x" : "%02x", out[k]);
	add("coded(%s, \"%s\") = %s", type, v, hex);
}

/* The bytes of key slot's record in KEY_POOL, as a vector line. */
static void add_record(const idmap_index *ix, uint64_t slot)
{
	const uint8_t *p = NULL, *end = NULL;
	assert_int_equal(idmap_record(&ix->key, slot, &p, &end), 0);
	char hex[200] = "";
	for (size_t k = 0, at = 0; p + k < end && at + 4 < sizeof hex; k++)
		at += (size_t)snprintf(hex + at, sizeof hex - at, k ? " %02x" : "%02x", p[k]);
	add("  KEY_POOL record: %s", hex);
}

static void compute(void)
{
	n_lines = 0;
	static const char *const accs[] = {"P31946", "P31946-2", "A0A023GPI8-12"};
	for (size_t i = 0; i < 3; i++)
		add("code(%s) = 0x%016" PRIx64, accs[i], idmap_acc_encode(accs[i], strlen(accs[i])));
	add_hash("", 0);
	add_hash("7529", 0);
	add_hash("NP_003395.1", 0);
	add_hash("ENSG00000166913.13", 0x0123456789ABCDEFull);
	static const char *const coded[][2] = {
		{"GI", "4507949"}, {"GeneID", "007"}, {"GO", "GO:0005515"},
		{"UniParc", "UPI0000000001"}, {"UniParc", "upi00000000ab"},
		{"UniRef90", "UniRef90_P31946"}, {"UniRef50", "UniRef50_A0A023GPI8-12"},
		{"UniRef100", "UniRef100_"}, {"#secondary", "P62258"}, {"Gene_Name", "TP53"},
		{"UniProtKB-ID", "1433B_HUMAN"}, {"UniProtKB-ID", "A0A023GPI8_CANAL"},
		{"EMBL", "AAA12345"},
		{"RefSeq", "NP_003395.1"}, {"#unversioned:Ensembl", "ENSG00000166913"},
		{"Ensembl", "ENSG00000166913.13"}, {"GI", "123456789012345678901"},
	};
	for (size_t i = 0; i < sizeof coded / sizeof *coded; i++)
		add_vcode(coded[i][0], coded[i][1]);

	assert_int_equal(tu_make_dir("idmap-vectors-"), 0);
	const char *path = tu_path("sample.idx");
	assert_int_equal(tu_build_sample(path), 0);
	idmap_index *ix;
	assert_int_equal(idmap_open(path, &ix), IDMAP_OK);
	add("acc_seed = 0x%016" PRIx64, ix->acc_mphf.seed);
	add("key_seed = 0x%016" PRIx64, ix->key_mphf.seed);

	uint64_t code = idmap_acc_encode("P31946", 6), slot;
	idmap_h128 h = idmap_hash_acc(code, ix->acc_mphf.seed);
	add("accession P31946: hi 0x%016" PRIx64 " lo 0x%016" PRIx64, h.hi, h.lo);
	assert_int_equal(idmap_acc_find(ix, "P31946", 6, &slot), IDMAP_OK);
	assert_int_equal(add_query(&ix->acc_mphf, h), slot);

	uint32_t t;
	assert_int_equal(idmap_type_find(ix, "GeneID", &t), IDMAP_OK);
	h = idmap_hash_key(t, "7529", 4, ix->key_mphf.seed);
	add("key (GeneID = type %u, 7529): hi 0x%016" PRIx64 " lo 0x%016" PRIx64, t, h.hi, h.lo);
	assert_int_equal(idmap_key_find(ix, t, "7529", 4, &slot), IDMAP_OK);
	assert_int_equal(add_query(&ix->key_mphf, h), slot);
	add_record(ix, slot);
	/* a value naming its own accession: a member value (form 7) */
	assert_int_equal(idmap_type_find(ix, "UniRef90", &t), IDMAP_OK);
	assert_int_equal(idmap_key_find(ix, t, "UniRef90_P31946", 15, &slot), IDMAP_OK);
	add("key (UniRef90 = type %u, UniRef90_P31946): slot %" PRIu64, t, slot);
	add_record(ix, slot);
	idmap_close(ix);
	assert_int_equal(tu_remove_dir(), 0);
}

/* The lines of the fenced block that follows "## Known-answer vectors" in FORMAT.md. */
static char *vectors_block(void)
{
	FILE *f = fopen(FORMAT_MD, "rb");
	assert_non_null(f);
	static char text[1 << 17];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	char *s = strstr(text, "\n## Known-answer vectors");
	assert_non_null(s);
	char *open = strstr(s, "\n```\n");
	assert_non_null(open);
	char *close = strstr(open + 5, "\n```");
	assert_non_null(close);
	close[1] = '\0';
	return open + 4;
}

static void test_vectors_in_format_md(void **state)
{
	(void)state;
	compute();
	const char *block = vectors_block();
	for (size_t i = 0; i < n_lines; i++) {
		char want[260];
		snprintf(want, sizeof want, "\n%s\n", lines[i]);
		if (!strstr(block, want))
			fail_msg("FORMAT.md lacks the vector line:\n%s", lines[i]);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--print") == 0) {
		compute();
		for (size_t i = 0; i < n_lines; i++)
			puts(lines[i]);
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_in_format_md),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
