/* The engine against a small index built by idmap_build(): lookups return exactly the written
 * pairs, and damaged copies of the index are rejected or survived, never crash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idmap.h"
#include "mphf.h"
#include "idmap_build.h"
#include "idmap_format.h"
#include "idmap_vec.h"
#include "value_code.h"

/* ---- The release of the fixture ---------------------------------------------------------- */

static const char *const dat[][3] = {
	{"P31946", "UniProtKB-ID", "1433B_HUMAN"},
	{"P31946", "Gene_Name", "YWHAB"},
	{"P31946", "GI", "4507949"},
	{"P31946", "GI", "377656702"},
	{"P31946", "NCBI_TaxID", "9606"},
	{"P31946-2", "Ensembl_PRO", "ENSP00000361930"},
	{"P31946-2", "GI", "377656702"},
	{"P62258", "UniProtKB-ID", "1433E_HUMAN"},
	{"P62258", "Gene_Name", "YWHAE"},
	{"P62258", "GI", "4507949"},
	{"P62258", "NCBI_TaxID", "9606"},
	{"P02768", "UniProtKB-ID", "ALBU_HUMAN"},
	{"P02768", "Gene_Name", "ALB"},
	{"P02768", "NCBI_TaxID", "9606"},
	{"P02768", "KEGG", "hsa:213"},
	{"A0A023GPI8", "UniProtKB-ID", "A0A023GPI8_CANAL"},
	{"A0A023GPI8", "NCBI_TaxID", "5476"},
	{"A0A023GPI8", "GI", "4507949"},
	/* a secondary accession becomes a forward group on its primaries */
	{"P62258", "#secondary", "Q15086"},
	{"P31946", "#secondary", "A0A017SEE6"},
	{"P02768", "#secondary", "A0A017SEE6"},
	/* derived by the builder, not written: an isoform names its canonical accession */
	{"P31946-2", "#isoform-of", "P31946"},
};
#define N_DAT (sizeof dat / sizeof dat[0])
#define N_DATA_LINES 18 /* the lines of idmapping.dat; then sec_ac.txt's, then derived */
#define N_DERIVED 1

static const char *const accessions[] = {"P31946", "P31946-2", "P62258", "P02768",
					 "A0A023GPI8"};
#define N_ACC (sizeof accessions / sizeof accessions[0])

static const char sec_ac_head[] =
	"----------------------------------------------------------------------------\n"
	"        UniProt Protein Knowledgebase\n"
	"----------------------------------------------------------------------------\n"
	"\n"
	"Description: Secondary accession numbers: index\n"
	"Name:        SEC_AC.TXT\n"
	"Release:     2026_01 of 28-Jan-2026\n"
	"\n"
	"Secondary AC                  Primary AC\n"
	"____________                  __________\n";

static const char delac_text[] =
	"----------------------------------------------------------------------------\n"
	"        UniProt - Swiss-Prot Protein Knowledgebase\n"
	"----------------------------------------------------------------------------\n"
	"\n"
	"Description: Accession numbers deleted from UniProtKB/Swiss-Prot\n"
	"Name:        delac_sp.txt\n"
	"Release:     2026_01 of 28-Jan-2026\n"
	"\n"
	"Accession number\n"
	"________________\n"
	"A0AV18\n"
	"\n"
	"----------------------------------------------------------------------------\n"
	"Copyrighted by the UniProt Consortium, see https://www.uniprot.org/terms\n"
	"----------------------------------------------------------------------------\n";

static char dir[64];
static char index_path[128], bad_path[128];
static uint8_t *image; /* the intact index */
static size_t image_len;

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static char *join(const char *a, const char *b)
{
	static char buf[4][160];
	static int k;
	char *s = buf[k++ & 3];
	snprintf(s, sizeof buf[0], "%s/%s", a, b);
	return s;
}

/* Builds inputs into out (one thread, 64 MiB) and returns the index's bytes (malloc'd), their
 * count in *len; NULL on a failure, told on stderr. */
static uint8_t *build_image(const char *out, const char *const *inputs, size_t n, size_t *len)
{
	idmap_build_opts o;
	idmap_build_opts_init(&o);
	o.output = out;
	o.inputs = inputs;
	o.n_inputs = n;
	o.release = "test_release";
	o.threads = 1;
	o.memory = 64u << 20;
	char err[256] = "";
	if (idmap_build(&o, err, sizeof err) != 0) {
		fprintf(stderr, "idmap_build: %s\n", err);
		return NULL;
	}
	FILE *f = fopen(out, "rb");
	uint8_t *b = NULL;
	if (f && fseek(f, 0, SEEK_END) == 0 && (*len = (size_t)ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (b = malloc(*len)) && fread(b, 1, *len, f) != *len) {
		free(b);
		b = NULL;
	}
	if (f)
		fclose(f);
	return b;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/idmap-test-engine-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	FILE *f = fopen(join(dir, "idmapping.dat"), "w");
	for (size_t i = 0; i < N_DATA_LINES; i++)
		fprintf(f, "%s\t%s\t%s\n", dat[i][0], dat[i][1], dat[i][2]);
	fclose(f);
	f = fopen(join(dir, "sec_ac.txt"), "w");
	fputs(sec_ac_head, f);
	for (size_t i = N_DATA_LINES; i < N_DAT - N_DERIVED; i++)
		fprintf(f, "%-30s%s\n", dat[i][2], dat[i][0]);
	fclose(f);
	f = fopen(join(dir, "delac_sp.txt"), "w");
	fputs(delac_text, f);
	fclose(f);

	snprintf(index_path, sizeof index_path, "%s/test.idx", dir);
	snprintf(bad_path, sizeof bad_path, "%s/bad.idx", dir);
	char in0[160], in1[160], in2[160];
	snprintf(in0, sizeof in0, "%s/idmapping.dat", dir);
	snprintf(in1, sizeof in1, "%s/sec_ac.txt", dir);
	snprintf(in2, sizeof in2, "%s/delac_sp.txt", dir);
	const char *const inputs[] = {in0, in1, in2};
	image = build_image(index_path, inputs, 3, &image_len);
	return image ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	const char *names[] = {"idmapping.dat", "sec_ac.txt", "delac_sp.txt", "test.idx",
			       "bad.idx"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(join(dir, names[i]));
	rmdir(dir);
	free(image);
	return 0;
}

static idmap_index *open_good(void)
{
	idmap_index *ix = NULL;
	assert_int_equal(idmap_open(index_path, &ix), IDMAP_OK);
	assert_non_null(ix);
	return ix;
}

/* ---- Lookups ----------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted "type TAB value" lines the fixture gives acc. */
static size_t expected_pairs(const char *acc, char **out)
{
	size_t n = 0;
	for (size_t i = 0; i < N_DAT; i++) {
		if (strcmp(dat[i][0], acc) != 0)
			continue;
		out[n] = malloc(strlen(dat[i][1]) + strlen(dat[i][2]) + 2);
		sprintf(out[n++], "%s\t%s", dat[i][1], dat[i][2]);
	}
	qsort(out, n, sizeof *out, cmp_str);
	return n;
}

static void check_forward(idmap_index *ix, const char *acc)
{
	char *want[N_DAT], *got[N_DAT + 8];
	size_t nw = expected_pairs(acc, want), ng = 0;
	uint64_t slot;
	assert_int_equal(idmap_acc_find(ix, acc, strlen(acc), &slot), IDMAP_OK);
	char text[IDMAP_ACC_TEXT_SIZE];
	size_t len;
	assert_int_equal(idmap_acc_text(ix, slot, text, &len), IDMAP_OK);
	assert_string_equal(text, acc);
	assert_int_equal(len, strlen(acc));

	idmap_fwd_iter it;
	idmap_pair p;
	int rc;
	uint32_t last_type = 0;
	assert_int_equal(idmap_fwd_begin(ix, slot, IDMAP_TYPE_ANY, &it), IDMAP_OK);
	while ((rc = idmap_fwd_next(&it, &p)) == IDMAP_OK) {
		assert_true(ng < N_DAT + 8);
		assert_true(p.type_id >= last_type); /* grouped by type */
		last_type = p.type_id;
		idmap_type_info ti;
		assert_int_equal(idmap_type_get(ix, p.type_id, &ti), IDMAP_OK);
		assert_int_equal(p.value[p.len], '\0'); /* decoded into the pair, terminated */
		got[ng] = malloc(ti.name_len + p.len + 2);
		sprintf(got[ng++], "%s\t%s", ti.name, p.value);
	}
	assert_int_equal(rc, IDMAP_DONE);
	assert_int_equal(idmap_fwd_next(&it, &p), IDMAP_DONE);
	qsort(got, ng, sizeof *got, cmp_str);
	assert_int_equal(ng, nw);
	for (size_t i = 0; i < nw; i++)
		assert_string_equal(got[i], want[i]);

	/* filtered to each type: exactly that type's pairs */
	for (uint32_t t = 0; t < idmap_type_count(ix); t++) {
		idmap_type_info ti;
		assert_int_equal(idmap_type_get(ix, t, &ti), IDMAP_OK);
		size_t n = 0, k = 0;
		for (size_t i = 0; i < nw; i++)
			n += strncmp(want[i], ti.name, ti.name_len) == 0 &&
			     want[i][ti.name_len] == '\t';
		assert_int_equal(idmap_fwd_begin(ix, slot, t, &it), IDMAP_OK);
		while ((rc = idmap_fwd_next(&it, &p)) == IDMAP_OK) {
			assert_int_equal(p.type_id, t);
			k++;
		}
		assert_int_equal(rc, IDMAP_DONE);
		assert_int_equal(k, n);
	}
	for (size_t i = 0; i < nw; i++)
		free(want[i]);
	for (size_t i = 0; i < ng; i++)
		free(got[i]);
}

static void test_forward(void **state)
{
	(void)state;
	idmap_index *ix = open_good();
	for (size_t i = 0; i < N_ACC; i++)
		check_forward(ix, accessions[i]);
	/* accessions are case-insensitive */
	uint64_t a, b;
	assert_int_equal(idmap_acc_find(ix, "p31946-2", 8, &a), IDMAP_OK);
	assert_int_equal(idmap_acc_find(ix, "P31946-2", 8, &b), IDMAP_OK);
	assert_int_equal(a, b);
	idmap_close(ix);
}

/* Lines j and i of the fixture have the same (type, value). */
static int same_key(size_t j, size_t i)
{
	return strcmp(dat[j][1], dat[i][1]) == 0 && strcmp(dat[j][2], dat[i][2]) == 0;
}

static void test_reverse(void **state)
{
	(void)state;
	idmap_index *ix = open_good();
	for (size_t i = 0; i < N_DAT; i++) {
		uint32_t t;
		uint64_t key, slot, count;
		assert_int_equal(idmap_type_find(ix, dat[i][1], &t), IDMAP_OK);
		assert_int_equal(idmap_key_find(ix, t, dat[i][2], strlen(dat[i][2]), &key),
				 IDMAP_OK);
		uint32_t kt;
		char v[IDMAP_VALUE_SIZE];
		size_t vl;
		assert_int_equal(idmap_key_get(ix, key, &kt, v, &vl), IDMAP_OK);
		assert_int_equal(kt, t);
		assert_string_equal(v, dat[i][2]); /* into the caller's buffer, terminated */
		assert_int_equal(vl, strlen(dat[i][2]));

		size_t want = 0, got = 0, found = 0;
		for (size_t j = 0; j < N_DAT; j++)
			want += same_key(j, i);
		idmap_rev_iter it;
		int rc;
		assert_int_equal(idmap_rev_begin(ix, key, &it, &count), IDMAP_OK);
		assert_int_equal(count, want);
		uint64_t prev = 0;
		while ((rc = idmap_rev_next(&it, &slot)) == IDMAP_OK) {
			assert_true(got == 0 || slot > prev);
			prev = slot;
			got++;
			char text[IDMAP_ACC_TEXT_SIZE];
			assert_int_equal(idmap_acc_text(ix, slot, text, NULL), IDMAP_OK);
			for (size_t j = 0; j < N_DAT; j++)
				found += strcmp(dat[j][0], text) == 0 && same_key(j, i);
		}
		assert_int_equal(rc, IDMAP_DONE);
		assert_int_equal(got, want);
		assert_int_equal(found, want);
	}
	/* a deleted accession is a key without accessions */
	uint32_t del;
	uint64_t key, count;
	idmap_rev_iter it;
	uint64_t slot;
	assert_int_equal(idmap_type_find(ix, "#deleted-sp", &del), IDMAP_OK); /* delac_sp */
	assert_int_equal(idmap_key_find(ix, del, "A0AV18", 6, &key), IDMAP_OK);
	assert_int_equal(idmap_rev_begin(ix, key, &it, &count), IDMAP_OK);
	assert_int_equal(count, 0);
	assert_int_equal(idmap_rev_next(&it, &slot), IDMAP_DONE);
	idmap_close(ix);
}

static void test_not_found(void **state)
{
	(void)state;
	idmap_index *ix = open_good();
	uint64_t slot;
	uint32_t t, gi;
	assert_int_equal(idmap_acc_find(ix, "Q99999", 6, &slot), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_acc_find(ix, "P31946-3", 8, &slot), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_acc_find(ix, "garbage", 7, &slot), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_acc_find(ix, "", 0, &slot), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_acc_find(ix, "ALBU_HUMAN", 10, &slot), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_type_find(ix, "NoSuchType", &t), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_type_find(ix, "gi", &t), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_type_find(ix, "GI", &gi), IDMAP_OK);
	assert_int_equal(idmap_type_find_ci(ix, "gi", &t), IDMAP_OK);
	assert_int_equal(t, gi);
	assert_int_equal(idmap_key_find(ix, gi, "0", 1, &slot), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_key_find(ix, gi, "YWHAB", 5, &slot), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_key_find(ix, gi, "", 0, &slot), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_key_find(ix, idmap_type_count(ix), "4507949", 7, &slot),
			 IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_key_find(ix, gi, "4507949", 7, &slot), IDMAP_OK);
	/* out-of-range slots and ids are argument errors */
	idmap_fwd_iter fi;
	idmap_rev_iter ri;
	idmap_type_info ti;
	idmap_section_info si;
	uint64_t code;
	assert_int_equal(idmap_fwd_begin(ix, idmap_acc_count(ix), IDMAP_TYPE_ANY, &fi),
			 IDMAP_ERR_INVALID);
	assert_int_equal(idmap_rev_begin(ix, idmap_key_count(ix), &ri, NULL), IDMAP_ERR_INVALID);
	assert_int_equal(idmap_acc_code(ix, idmap_acc_count(ix), &code), IDMAP_ERR_INVALID);
	assert_int_equal(idmap_type_get(ix, idmap_type_count(ix), &ti), IDMAP_ERR_INVALID);
	assert_int_equal(idmap_section_get(ix, idmap_section_count(ix), &si), IDMAP_ERR_INVALID);
	idmap_close(ix);
}

/* Counts, types, META and sections say what was written. */
static void test_metadata(void **state)
{
	(void)state;
	idmap_index *ix = open_good();
	assert_int_equal(idmap_acc_count(ix), N_ACC);
	uint64_t keys = 0;
	for (uint32_t t = 0; t < idmap_type_count(ix); t++) {
		idmap_type_info ti;
		assert_int_equal(idmap_type_get(ix, t, &ti), IDMAP_OK);
		assert_int_equal(strlen(ti.name), ti.name_len);
		uint32_t back;
		assert_int_equal(idmap_type_find(ix, ti.name, &back), IDMAP_OK);
		assert_int_equal(back, t);
		uint64_t pairs = 0, distinct = 0;
		for (size_t i = 0; i < N_DAT; i++) {
			if (strcmp(dat[i][1], ti.name) != 0)
				continue;
			pairs++;
			size_t j = 0;
			while (strcmp(dat[j][1], ti.name) != 0 || strcmp(dat[j][2], dat[i][2]) != 0)
				j++;
			distinct += j == i;
		}
		if (strcmp(ti.name, "#deleted-sp") == 0)
			distinct = 1;
		assert_int_equal(ti.pairs, pairs);
		assert_int_equal(ti.keys, distinct);
		keys += ti.keys;
	}
	assert_int_equal(idmap_key_count(ix), keys);

	const char *v;
	size_t len;
	assert_int_equal(idmap_meta_find(ix, "release", &v, &len), IDMAP_OK);
	assert_int_equal(len, strlen("test_release"));
	assert_memory_equal(v, "test_release", len);
	assert_int_equal(idmap_meta_find(ix, "no_such_key", &v, &len), IDMAP_ERR_NOT_FOUND);
	size_t cur = 0, lines = 0;
	idmap_meta_line m;
	int rc;
	while ((rc = idmap_meta_next(ix, &cur, &m)) == IDMAP_OK)
		lines++;
	assert_int_equal(rc, IDMAP_DONE);
	assert_true(lines >= 6);

	unsigned seen = 0;
	for (uint32_t i = 0; i < idmap_section_count(ix); i++) {
		idmap_section_info s;
		assert_int_equal(idmap_section_get(ix, i, &s), IDMAP_OK);
		assert_true(s.offset % 64 == 0 && s.offset + s.length <= image_len);
		if (s.id >= 1 && s.id <= 13) {
			seen |= 1u << s.id;
			assert_string_equal(s.name, idmap_section_name(s.id));
		}
	}
	assert_int_equal(seen, 0x3FFEu);
	assert_null(idmap_section_name(99));
	assert_string_equal(idmap_strerror(IDMAP_ERR_CORRUPT), "index is corrupt");
	assert_string_equal(idmap_strerror(12345), "unknown error");

	char detail[256];
	assert_int_equal(idmap_verify(ix, detail, sizeof detail), IDMAP_OK);
	idmap_close(ix);
}

/* ---- Damage ------------------------------------------------------------------------------ */

static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return ~c;
}

static uint8_t *copy_image(void)
{
	uint8_t *b = malloc(image_len + 4096);
	assert_non_null(b);
	memcpy(b, image, image_len);
	return b;
}

static uint8_t *table_entry(uint8_t *b, uint32_t i)
{
	return b + idmap_rd64(b + IDMAP_HDR_TABLE_OFFSET) + (uint64_t)i * IDMAP_SECTION_ENTRY_SIZE;
}

static uint32_t n_sections(const uint8_t *b) { return idmap_rd32(b + IDMAP_HDR_SECTION_COUNT); }

/* The table entry of section id (the intact image's table). */
static uint8_t *entry_of(uint8_t *b, uint32_t id)
{
	for (uint32_t i = 0; i < n_sections(b); i++)
		if (idmap_rd32(table_entry(b, i)) == id)
			return table_entry(b, i);
	fail_msg("section %u missing", id);
	return NULL;
}

/* Recomputes the table CRC and the header CRC, so that only the intended damage remains. */
static void reseal_table(uint8_t *b)
{
	idmap_wr32(b + IDMAP_HDR_TABLE_CRC,
		   crc32_ref(table_entry(b, 0), n_sections(b) * IDMAP_SECTION_ENTRY_SIZE));
	idmap_wr32(b + IDMAP_HDR_HEADER_CRC, crc32_ref(b, IDMAP_HDR_HEADER_CRC));
}

static void reseal_section(uint8_t *b, uint32_t id)
{
	uint8_t *e = entry_of(b, id);
	uint64_t off = idmap_rd64(e + IDMAP_SEC_OFFSET), len = idmap_rd64(e + IDMAP_SEC_LENGTH);
	idmap_wr32(e + IDMAP_SEC_CRC, crc32_ref(b + off, len));
	reseal_table(b);
}

static int open_bytes(const uint8_t *b, size_t n, idmap_index **ix)
{
	write_file(bad_path, b, n);
	return idmap_open(bad_path, ix);
}

static void expect_open(const uint8_t *b, size_t n, int want)
{
	idmap_index *ix = (idmap_index *)1;
	assert_int_equal(open_bytes(b, n, &ix), want);
	assert_null(ix);
}

static void test_damaged_header(void **state)
{
	(void)state;
	uint8_t *b = copy_image();
	expect_open(b, 0, IDMAP_ERR_NOT_INDEX);
	expect_open(b, 10, IDMAP_ERR_NOT_INDEX);
	expect_open(b, 63, IDMAP_ERR_NOT_INDEX);
	b[0] ^= 0x20;
	expect_open(b, image_len, IDMAP_ERR_NOT_INDEX);
	b[0] ^= 0x20;
	/* version 1 (the u64 offset tables), 2 (values as text), 3 (blocks of 14 records, varint
	 * key slots in forward records), 4 (no member values) and a later version are refused */
	for (uint32_t v = 1; v <= IDMAP_FORMAT_VERSION + 1; v += v == IDMAP_FORMAT_VERSION - 1 ? 2 : 1) {
		memcpy(b, image, image_len);
		idmap_wr32(b + IDMAP_HDR_VERSION, v);
		expect_open(b, image_len, IDMAP_ERR_VERSION);
		reseal_table(b);
		expect_open(b, image_len, IDMAP_ERR_VERSION);
	}
	memcpy(b, image, image_len);
	b[IDMAP_HDR_HEADER_CRC] ^= 1;
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	memcpy(b, image, image_len);
	b[IDMAP_HDR_RESERVED + 7] = 1;
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	reseal_table(b);
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	memcpy(b, image, image_len);
	idmap_wr32(b + IDMAP_HDR_FLAGS, 1);
	reseal_table(b);
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	/* the size field must equal the real size */
	memcpy(b, image, image_len);
	expect_open(b, image_len - 1, IDMAP_ERR_CORRUPT);
	expect_open(b, image_len - 64, IDMAP_ERR_CORRUPT);
	memset(b + image_len, 0, 64);
	expect_open(b, image_len + 64, IDMAP_ERR_CORRUPT);
	/* table outside the file, or with a bad count */
	memcpy(b, image, image_len);
	idmap_wr64(b + IDMAP_HDR_TABLE_OFFSET, image_len);
	reseal_table(b);
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	memcpy(b, image, image_len);
	idmap_wr32(b + IDMAP_HDR_SECTION_COUNT, 0);
	idmap_wr32(b + IDMAP_HDR_HEADER_CRC, crc32_ref(b, IDMAP_HDR_HEADER_CRC));
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	memcpy(b, image, image_len);
	idmap_wr32(b + IDMAP_HDR_SECTION_COUNT, 5000);
	idmap_wr32(b + IDMAP_HDR_HEADER_CRC, crc32_ref(b, IDMAP_HDR_HEADER_CRC));
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	memcpy(b, image, image_len);
	table_entry(b, 0)[3] ^= 0x40; /* table CRC no longer matches */
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	free(b);
	idmap_index *ix = (idmap_index *)1;
	assert_int_equal(idmap_open("/nonexistent/x.idx", &ix), IDMAP_ERR_IO);
	assert_null(ix);
	assert_int_equal(idmap_open(dir, &ix), IDMAP_ERR_IO);
	assert_int_equal(idmap_open(NULL, &ix), IDMAP_ERR_INVALID);
}

static void test_damaged_table(void **state)
{
	(void)state;
	uint8_t *b = copy_image();
	const uint32_t ids[] = {IDMAP_SECTION_META, IDMAP_SECTION_FWD_POOL, IDMAP_SECTION_KEY_POOL};
	for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
		uint8_t *e;
		/* offset past the end, misaligned, length overflowing */
		memcpy(b, image, image_len);
		e = entry_of(b, ids[k]);
		idmap_wr64(e + IDMAP_SEC_OFFSET, (image_len + 64) & ~(uint64_t)63);
		reseal_table(b);
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);
		memcpy(b, image, image_len);
		e = entry_of(b, ids[k]);
		idmap_wr64(e + IDMAP_SEC_OFFSET, idmap_rd64(e + IDMAP_SEC_OFFSET) + 8);
		reseal_table(b);
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);
		memcpy(b, image, image_len);
		e = entry_of(b, ids[k]);
		idmap_wr64(e + IDMAP_SEC_LENGTH, UINT64_MAX - 10);
		reseal_table(b);
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);
		memcpy(b, image, image_len);
		e = entry_of(b, ids[k]);
		idmap_wr64(e + IDMAP_SEC_OFFSET, 0);
		reseal_table(b);
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);
		/* overlapping another section, or the table */
		memcpy(b, image, image_len);
		e = entry_of(b, ids[k]);
		idmap_wr64(e + IDMAP_SEC_OFFSET,
			   idmap_rd64(entry_of(b, IDMAP_SECTION_TYPES) + IDMAP_SEC_OFFSET));
		reseal_table(b);
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);
		memcpy(b, image, image_len);
		e = entry_of(b, ids[k]);
		idmap_wr64(e + IDMAP_SEC_OFFSET, idmap_rd64(b + IDMAP_HDR_TABLE_OFFSET));
		idmap_wr64(e + IDMAP_SEC_LENGTH, 32);
		reseal_table(b);
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);
		/* duplicate id, missing required id (renamed to an unknown one) */
		memcpy(b, image, image_len);
		e = entry_of(b, ids[k]);
		idmap_wr32(e + IDMAP_SEC_ID, ids[k] == IDMAP_SECTION_META ? 2 : 1);
		reseal_table(b);
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);
		memcpy(b, image, image_len);
		e = entry_of(b, ids[k]);
		idmap_wr32(e + IDMAP_SEC_ID, 99);
		reseal_table(b);
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);
		/* reserved fields */
		memcpy(b, image, image_len);
		e = entry_of(b, ids[k]);
		idmap_wr32(e + IDMAP_SEC_FLAGS, 1);
		reseal_table(b);
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);
		memcpy(b, image, image_len);
		e = entry_of(b, ids[k]);
		idmap_wr32(e + IDMAP_SEC_RESERVED, 1);
		reseal_table(b);
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	}
	free(b);
}

/* Everything a caller may do with an index; statuses must be legal, nothing may crash. */
static void exercise(idmap_index *ix)
{
	idmap_meta_line m;
	size_t cur = 0;
	int rc;
	while ((rc = idmap_meta_next(ix, &cur, &m)) == IDMAP_OK)
		;
	assert_true(rc == IDMAP_DONE || rc == IDMAP_ERR_CORRUPT);
	for (uint64_t s = 0; s < idmap_acc_count(ix) && s < 100; s++) {
		char text[IDMAP_ACC_TEXT_SIZE];
		idmap_acc_text(ix, s, text, NULL);
		idmap_fwd_iter it;
		idmap_pair p;
		if (idmap_fwd_begin(ix, s, IDMAP_TYPE_ANY, &it) == IDMAP_OK)
			while (idmap_fwd_next(&it, &p) == IDMAP_OK)
				assert_true(p.len >= 1 && p.len <= 1024);
		if (idmap_fwd_begin(ix, s, 2, &it) == IDMAP_OK)
			while (idmap_fwd_next(&it, &p) == IDMAP_OK)
				;
	}
	for (uint64_t k = 0; k < idmap_key_count(ix) && k < 200; k++) {
		idmap_rev_iter it;
		uint64_t s;
		idmap_key_get(ix, k, NULL, NULL, NULL);
		if (idmap_rev_begin(ix, k, &it, NULL) == IDMAP_OK)
			while (idmap_rev_next(&it, &s) == IDMAP_OK)
				assert_true(s < idmap_acc_count(ix));
	}
	for (size_t i = 0; i < N_DAT; i++) {
		uint64_t slot;
		uint32_t t;
		idmap_acc_find(ix, dat[i][0], strlen(dat[i][0]), &slot);
		if (idmap_type_find(ix, dat[i][1], &t) == IDMAP_OK)
			idmap_key_find(ix, t, dat[i][2], strlen(dat[i][2]), &slot);
	}
	char detail[256];
	idmap_verify(ix, detail, sizeof detail);
}

/* Small sections are checked at open: any flipped byte is refused. With their CRC resealed,
 * the parsers themselves must refuse or survive the damage. */
/* idmap_open_detail names the damaged part and says what is wrong with it. */
static void expect_detail(const uint8_t *b, size_t n, int want, const char *text)
{
	idmap_index *ix = (idmap_index *)1;
	char detail[256] = "x";
	write_file(bad_path, b, n);
	assert_int_equal(idmap_open_detail(bad_path, &ix, detail, sizeof detail), want);
	assert_null(ix);
	assert_string_equal(detail, text);
}

static void test_open_detail(void **state)
{
	(void)state;
	uint8_t *b = copy_image();
	char detail[256] = "x", want[256];
	idmap_index *ix = NULL;
	/* intact: "" and the handle */
	assert_int_equal(idmap_open_detail(index_path, &ix, detail, sizeof detail), IDMAP_OK);
	assert_non_null(ix);
	assert_string_equal(detail, "");
	idmap_close(ix);
	/* bad magic, a file shorter than a header */
	b[1] ^= 0x20;
	expect_detail(b, image_len, IDMAP_ERR_NOT_INDEX, "header: not an idmap index (bad magic)");
	expect_detail(b, 10, IDMAP_ERR_NOT_INDEX, "header: not an idmap index (a file of 10 bytes)");
	/* an older format version, header resealed */
	memcpy(b, image, image_len);
	idmap_wr32(b + IDMAP_HDR_VERSION, 3);
	reseal_table(b);
	expect_detail(b, image_len, IDMAP_ERR_VERSION,
		      "header: index format version 3 is not supported by this idmap (version 6): "
		      "rebuild the index with `idmap build`");
	/* the section table cut off: the file ends inside it (size field resealed) */
	memcpy(b, image, image_len);
	uint64_t table_off = idmap_rd64(b + IDMAP_HDR_TABLE_OFFSET);
	size_t cut = (size_t)table_off + IDMAP_SECTION_ENTRY_SIZE;
	idmap_wr64(b + IDMAP_HDR_FILE_SIZE, cut);
	idmap_wr32(b + IDMAP_HDR_HEADER_CRC, crc32_ref(b, IDMAP_HDR_HEADER_CRC));
	snprintf(want, sizeof want, "header: section table (offset %llu, %u entries) outside the "
		 "file or misaligned", (unsigned long long)table_off, n_sections(b));
	expect_detail(b, cut, IDMAP_ERR_CORRUPT, want);
	/* a section running past the end of the file (table and header resealed) */
	memcpy(b, image, image_len);
	uint8_t *e = entry_of(b, IDMAP_SECTION_KEY_POOL);
	uint64_t off = idmap_rd64(e + IDMAP_SEC_OFFSET);
	idmap_wr64(e + IDMAP_SEC_LENGTH, image_len - off + 1);
	reseal_table(b);
	snprintf(want, sizeof want, "section table: KEY_POOL (offset %llu, length %llu) lies "
		 "outside the file or is misaligned", (unsigned long long)off,
		 (unsigned long long)(image_len - off + 1));
	expect_detail(b, image_len, IDMAP_ERR_CORRUPT, want);
	/* a small section's bytes damaged, its CRC not resealed */
	memcpy(b, image, image_len);
	e = entry_of(b, IDMAP_SECTION_TYPES);
	b[idmap_rd64(e + IDMAP_SEC_OFFSET) + 9] ^= 1;
	expect_detail(b, image_len, IDMAP_ERR_CORRUPT, "TYPES: CRC mismatch");
	/* a missing file: errno's text; a too short buffer: truncated, NUL-terminated */
	assert_int_equal(idmap_open_detail("/nonexistent/x.idx", &ix, detail, sizeof detail),
			 IDMAP_ERR_IO);
	assert_string_equal(detail, "No such file or directory");
	assert_int_equal(idmap_open_detail("/nonexistent/x.idx", &ix, detail, 3), IDMAP_ERR_IO);
	assert_string_equal(detail, "No");
	assert_int_equal(idmap_open_detail(index_path, &ix, NULL, 1), IDMAP_ERR_INVALID);
	free(b);
}

static void test_damaged_small_sections(void **state)
{
	(void)state;
	uint8_t *b = copy_image();
	const uint32_t ids[] = {IDMAP_SECTION_META, IDMAP_SECTION_TYPES, IDMAP_SECTION_ACC_DIR,
				IDMAP_SECTION_KEY_DIR};
	for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
		uint8_t *e = entry_of(b, ids[k]);
		uint64_t off = idmap_rd64(e + IDMAP_SEC_OFFSET);
		uint64_t len = idmap_rd64(e + IDMAP_SEC_LENGTH);
		for (uint64_t i = 0; i < len; i++) {
			static const uint8_t flips[] = {0x01, 0x80, 0xFF};
			for (size_t f = 0; f < sizeof flips; f++) {
				memcpy(b, image, image_len);
				b[off + i] ^= flips[f];
				expect_open(b, image_len, IDMAP_ERR_CORRUPT);
				reseal_section(b, ids[k]);
				idmap_index *ix = NULL;
				int rc = open_bytes(b, image_len, &ix);
				assert_true(rc == IDMAP_OK || rc == IDMAP_ERR_CORRUPT);
				if (rc == IDMAP_OK) {
					exercise(ix);
					idmap_close(ix);
				}
			}
		}
	}
	free(b);
}

static const char *sec_name(uint32_t id) { return idmap_section_name(id); }

/* Big sections are not checked at open: lookups must survive damage and verify must name the
 * section. */
static void test_damaged_big_sections(void **state)
{
	(void)state;
	uint8_t *b = copy_image();
	const uint32_t ids[] = {IDMAP_SECTION_ACC_PILOTS, IDMAP_SECTION_ACC_REMAP,
				IDMAP_SECTION_ACC_CODES,  IDMAP_SECTION_FWD_INDEX,
				IDMAP_SECTION_FWD_POOL,	  IDMAP_SECTION_KEY_PILOTS,
				IDMAP_SECTION_KEY_REMAP,  IDMAP_SECTION_KEY_INDEX,
				IDMAP_SECTION_KEY_POOL};
	size_t verified = 0;
	for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
		uint8_t *e = entry_of(b, ids[k]);
		uint64_t off = idmap_rd64(e + IDMAP_SEC_OFFSET);
		uint64_t len = idmap_rd64(e + IDMAP_SEC_LENGTH);
		for (uint64_t i = 0; i < len; i++) {
			static const uint8_t flips[] = {0x01, 0x80, 0xFF};
			for (size_t f = 0; f < sizeof flips; f++) {
				for (int sealed = 0; sealed < 2; sealed++) {
					memcpy(b, image, image_len);
					b[off + i] ^= flips[f];
					if (sealed)
						reseal_section(b, ids[k]);
					idmap_index *ix = NULL;
					int rc = open_bytes(b, image_len, &ix);
					assert_true(rc == IDMAP_OK || rc == IDMAP_ERR_CORRUPT);
					if (rc != IDMAP_OK)
						continue;
					exercise(ix);
					char detail[256];
					int vr = idmap_verify(ix, detail, sizeof detail);
					if (!sealed) {
						assert_int_equal(vr, IDMAP_ERR_CORRUPT);
						assert_non_null(strstr(detail, sec_name(ids[k])));
						verified++;
					}
					idmap_close(ix);
				}
			}
		}
	}
	assert_true(verified > 0);
	free(b);
}

/* ---- What only idmap_verify's walks see ----------------------------------------------------
 * Damage behind resealed checksums that idmap_open accepts (it checks an offset table's
 * length, first base and last end only). */

static uint8_t *section_of(uint8_t *b, uint32_t id, uint64_t *len)
{
	uint8_t *e = entry_of(b, id);
	*len = idmap_rd64(e + IDMAP_SEC_LENGTH);
	return b + idmap_rd64(e + IDMAP_SEC_OFFSET);
}

/* Opens b (accepted at open) and expects both verify modes to name want in their detail. */
static void expect_verify_fails(const uint8_t *b, const char *want)
{
	idmap_index *ix = NULL;
	assert_int_equal(open_bytes(b, image_len, &ix), IDMAP_OK);
	char detail[256];
	for (unsigned flags = 0; flags <= IDMAP_VERIFY_FULL; flags += IDMAP_VERIFY_FULL) {
		assert_int_equal(idmap_verify_flags(ix, flags, detail, sizeof detail),
				 IDMAP_ERR_CORRUPT);
		if (!strstr(detail, want))
			fail_msg("verify (flags %u) says '%s', want '%s'", flags, detail, want);
	}
	exercise(ix);
	idmap_close(ix);
}

/* The layout of offset table section id: KEY_INDEX u8 lengths, FWD_INDEX u16 ends. */
static idmap_ot_layout layout_of(uint32_t id)
{
	return id == IDMAP_SECTION_KEY_INDEX ? IDMAP_OT_LENS8 : IDMAP_OT_ENDS16;
}

/* End of record j of a narrow block of layout l, relative to its base (0 for j = -1). */
static uint64_t narrow_end(const uint8_t *blk, idmap_ot_layout l, int64_t j)
{
	uint64_t end = 0;
	if (l == IDMAP_OT_ENDS16)
		return j < 0 ? 0 : idmap_rd16(blk + 8 + 2 * j);
	for (int64_t k = 0; k <= j; k++)
		end += blk[8 + k];
	return end;
}

/* Bounds [*a, *z) of record slot of the offset table in section index of image b. */
static void rec_bounds(uint8_t *b, uint32_t index, uint64_t slot, uint64_t *a, uint64_t *z)
{
	uint64_t len, per = idmap_ot_per(layout_of(index));
	const uint8_t *blk = section_of(b, index, &len) + slot / per * IDMAP_OT_BLOCK_BYTES;
	int64_t j = (int64_t)(slot % per);
	uint64_t base = idmap_rd64(blk); /* a narrow block */
	*a = base + narrow_end(blk, layout_of(index), j - 1);
	*z = base + narrow_end(blk, layout_of(index), j);
}

static void fwd_bounds(uint8_t *b, uint64_t slot, uint64_t *a, uint64_t *z)
{
	rec_bounds(b, IDMAP_SECTION_FWD_INDEX, slot, a, z);
}

/* A pilot byte escaped without its exception, and padding after the pilot bytes that is not
 * zero: idmap_open takes both (it reads no pilot), verify names the section. */
static void test_verify_pilots(void **state)
{
	(void)state;
	uint8_t *b = copy_image();
	uint64_t dlen, len, rlen;
	const uint8_t *kdir = section_of(b, IDMAP_SECTION_KEY_DIR, &dlen);
	uint8_t *p = section_of(b, IDMAP_SECTION_KEY_PILOTS, &len);
	const uint8_t *remap = section_of(b, IDMAP_SECTION_KEY_REMAP, &rlen);
	idmap_mphf_view v;
	assert_int_equal(idmap_mphf_view_init(&v, kdir, dlen, p, len, remap, rlen), 0);
	uint64_t nb = v.n_pilots;
	assert_int_equal(v.n_exceptions, 0); /* too few keys for a pilot above 254 */
	assert_int_equal(len, (nb + 7) / 8 * 8);
	p[0] = IDMAP_PILOT_ESCAPE;
	reseal_section(b, IDMAP_SECTION_KEY_PILOTS);
	expect_verify_fails(b, "KEY_PILOTS: 1 escaped pilots, 0 exceptions");
	if (len > nb) {
		memcpy(b, image, image_len);
		p[len - 1] = 1;
		reseal_section(b, IDMAP_SECTION_KEY_PILOTS);
		expect_verify_fails(b, "KEY_PILOTS: padding after the pilots not zero");
	}
	free(b);
}

static void test_verify_walks(void **state)
{
	(void)state;
	idmap_index *ix = open_good();
	uint64_t nkey = idmap_key_count(ix), len;
	char detail[256];
	assert_int_equal(idmap_verify_flags(ix, IDMAP_VERIFY_FULL, detail, sizeof detail),
			 IDMAP_OK);
	assert_int_equal(idmap_verify_flags(ix, 2, detail, sizeof detail), IDMAP_ERR_INVALID);
	assert_true(nkey < IDMAP_OT_PER_LENS8); /* one narrow block (test_offset_tables: more) */
	uint8_t *b = copy_image();
	uint8_t *ki = section_of(b, IDMAP_SECTION_KEY_INDEX, &len);
	assert_int_equal(len, idmap_ot_length(nkey, IDMAP_OT_LENS8));
	uint64_t last = nkey - 1;

	/* an unused length not zero; record 3 a byte longer (refused at open: the last record
	 * then ends past the pool) */
	ki[8 + IDMAP_OT_PER_LENS8 - 1] = 1;
	reseal_section(b, IDMAP_SECTION_KEY_INDEX);
	expect_verify_fails(b, "KEY_INDEX: entry 55 out of order, past KEY_POOL or unused");
	memcpy(b, image, image_len);
	ki[8 + 3]++;
	reseal_section(b, IDMAP_SECTION_KEY_INDEX);
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);

	/* refused at open: first base, last end, length */
	memcpy(b, image, image_len);
	idmap_wr64(ki, 1);
	reseal_section(b, IDMAP_SECTION_KEY_INDEX);
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	memcpy(b, image, image_len);
	ki[8 + last]++; /* the last end */
	reseal_section(b, IDMAP_SECTION_KEY_INDEX);
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	memcpy(b, image, image_len);
	uint8_t *e = entry_of(b, IDMAP_SECTION_KEY_INDEX);
	idmap_wr64(e + IDMAP_SEC_LENGTH, len - 2);
	reseal_section(b, IDMAP_SECTION_KEY_INDEX);
	expect_open(b, image_len, IDMAP_ERR_CORRUPT);

	/* FWD_INDEX likewise */
	memcpy(b, image, image_len);
	uint8_t *fi = section_of(b, IDMAP_SECTION_FWD_INDEX, &len);
	idmap_wr16(fi + 8 + 2 * 2, idmap_rd16(fi + 8 + 2 * 1) - 1);
	reseal_section(b, IDMAP_SECTION_FWD_INDEX);
	expect_verify_fails(b, "FWD_INDEX: entry 2 out of order");

	/* P62258's UniProtKB-ID pair pointing at P31946's entry name: counts and the key's type
	 * still agree; the forward pairs no longer equal the reverse postings */
	uint64_t acc, from, to, a, z, groups = 0, t = 0, count = 0;
	uint32_t id;
	assert_int_equal(idmap_acc_find(ix, "P62258", 6, &acc), IDMAP_OK);
	assert_int_equal(idmap_type_find(ix, "UniProtKB-ID", &id), IDMAP_OK);
	assert_int_equal(idmap_key_find(ix, id, "1433E_HUMAN", 11, &from), IDMAP_OK);
	assert_int_equal(idmap_key_find(ix, id, "1433B_HUMAN", 11, &to), IDMAP_OK);
	assert_true(from < 128 && to < 128); /* one-byte varints */
	memcpy(b, image, image_len);
	uint8_t *pool = section_of(b, IDMAP_SECTION_FWD_POOL, &len);
	fwd_bounds(b, acc, &a, &z);
	const uint8_t *p = pool + a, *end = pool + z;
	assert_int_equal(idmap_varint_get(&p, end, &groups), 0);
	for (;;) {
		assert_true(groups--);
		assert_int_equal(idmap_fwd_group_get(&p, end, &t, &count), 0);
		if (t == id)
			break;
		p += count * idmap_slot_width(nkey);
	}
	assert_int_equal(count, 1);
	assert_int_equal(*p, from);
	pool[p - pool] = (uint8_t)to;
	reseal_section(b, IDMAP_SECTION_FWD_POOL);
	expect_verify_fails(b, "FWD_POOL/KEY_POOL: the forward pairs of type UniProtKB-ID differ");
	idmap_close(ix);
	free(b);
}

/* The position in image b of P62258's UniProtKB-ID group head in FWD_POOL (a single group),
 * with the key slot of 1433E_HUMAN in *key. */
static uint8_t *entry_name_group(const idmap_index *ix, uint8_t *b, uint64_t *acc, uint64_t *key)
{
	uint64_t len, a, z, groups, t = 0, count = 0;
	uint32_t id;
	assert_int_equal(idmap_acc_find(ix, "P62258", 6, acc), IDMAP_OK);
	assert_int_equal(idmap_type_find(ix, "UniProtKB-ID", &id), IDMAP_OK);
	assert_int_equal(idmap_key_find(ix, id, "1433E_HUMAN", 11, key), IDMAP_OK);
	uint8_t *pool = section_of(b, IDMAP_SECTION_FWD_POOL, &len);
	fwd_bounds(b, *acc, &a, &z);
	const uint8_t *p = pool + a, *end = pool + z;
	assert_int_equal(idmap_varint_get(&p, end, &groups), 0);
	for (;;) {
		const uint8_t *head = p;
		assert_true(groups--);
		assert_int_equal(idmap_fwd_group_get(&p, end, &t, &count), 0);
		if (t == id) {
			assert_int_equal(count, 1);
			return pool + (head - pool);
		}
		p += count * idmap_slot_width(idmap_key_count(ix));
	}
}

/* Version 4's record rules (FORMAT.md, FWD_POOL and KEY_POOL): a fixed-width key slot at or
 * beyond n_key, a group count whose slots overrun the record, and a key record whose head is
 * not single but whose count runs past the record are damage that lookups and verify report,
 * never read. */
static void test_record_rules(void **state)
{
	(void)state;
	idmap_index *ix = open_good();
	uint64_t nkey = idmap_key_count(ix), acc, key, len, a, z, slot;
	unsigned w = idmap_slot_width(nkey);
	uint8_t *b = copy_image();
	const char *fwd_bad = "FWD_POOL: record of accession slot";
	idmap_fwd_iter it;
	idmap_pair pair;

	/* the slot set to n_key */
	uint8_t *g = entry_name_group(ix, b, &acc, &key);
	const uint8_t *q = g;
	assert_int_equal(idmap_varint_get(&q, q + 3, &len), 0);
	assert_int_equal(idmap_slot_get(&q, q + w, w, &slot), 0);
	assert_int_equal(slot, key);
	idmap_slot_put(g + (q - w - g), nkey, w);
	reseal_section(b, IDMAP_SECTION_FWD_POOL);
	expect_verify_fails(b, fwd_bad);
	idmap_index *bad = NULL;
	assert_int_equal(open_bytes(b, image_len, &bad), IDMAP_OK);
	assert_int_equal(idmap_fwd_begin(bad, acc, IDMAP_TYPE_ANY, &it), IDMAP_OK);
	int rc;
	while ((rc = idmap_fwd_next(&it, &pair)) == IDMAP_OK)
		assert_true(pair.key_slot < nkey);
	assert_int_equal(rc, IDMAP_ERR_CORRUPT);
	idmap_close(bad);

	/* the group no longer single, its slot's first byte read as a count of 127 slots, which
	 * run past the record */
	memcpy(b, image, image_len);
	g = entry_name_group(ix, b, &acc, &key);
	assert_true(g[0] < 0x80); /* a one-byte head */
	g[0] &= 0xfe;
	g[1] = 0x7f;
	reseal_section(b, IDMAP_SECTION_FWD_POOL);
	expect_verify_fails(b, fwd_bad);

	/* key record 1433E_HUMAN (one accession) marked not single: its posting, set to 0x7f,
	 * is read as a count of postings that run past the record */
	uint8_t *kp = section_of(b, IDMAP_SECTION_KEY_POOL, &len);
	{
		memcpy(b, image, image_len);
		rec_bounds(b, IDMAP_SECTION_KEY_INDEX, key, &a, &z);
		assert_true(kp[a] & 1);
		kp[a] &= 0xfe;
		kp[z - 1] = 0x7f; /* the last byte: P62258's slot, a one-byte varint */
		reseal_section(b, IDMAP_SECTION_KEY_POOL);
		expect_verify_fails(b, "KEY_POOL: record of key slot");
		assert_int_equal(open_bytes(b, image_len, &bad), IDMAP_OK);
		idmap_rev_iter r;
		assert_int_equal(idmap_rev_begin(bad, key, &r, NULL), IDMAP_ERR_CORRUPT);
		assert_int_equal(idmap_rev_next(&r, &slot), IDMAP_DONE);
		idmap_close(bad);
	}
	idmap_close(ix);
	free(b);
}

/* Member values (FORMAT.md, "Member values"): the entry name A0A023GPI8_CANAL names its one
 * accession, so its record stores only the mnemonic; it is found, given back and mapped like
 * any value; a record whose mnemonic runs into its posting, or whose posting is another
 * accession than the value's, is damaged and matches nothing. */
static void test_member_records(void **state)
{
	(void)state;
	idmap_index *ix = open_good();
	uint32_t t;
	uint64_t key, own, other, slot, len, a, z;
	const char *name = "A0A023GPI8_CANAL";
	assert_int_equal(idmap_type_find(ix, "UniProtKB-ID", &t), IDMAP_OK);
	assert_int_equal(idmap_key_find(ix, t, name, strlen(name), &key), IDMAP_OK);
	assert_int_equal(idmap_acc_find(ix, "A0A023GPI8", 10, &own), IDMAP_OK);
	assert_int_equal(idmap_acc_find(ix, "P62258", 6, &other), IDMAP_OK);
	uint8_t *b = copy_image();
	uint8_t *kp = section_of(b, IDMAP_SECTION_KEY_POOL, &len);
	rec_bounds(b, IDMAP_SECTION_KEY_INDEX, key, &a, &z);
	/* type head (single); varint (5 << 3 | 7); CANAL; the posting */
	assert_int_equal(z - a, 8);
	assert_int_equal(kp[a], t << 1 | 1);
	assert_int_equal(kp[a + 1], 5 << 3 | IDMAP_VC_MEMBER);
	assert_memory_equal(kp + a + 2, "CANAL", 5);
	assert_int_equal(kp[a + 7], own);
	char v[IDMAP_VALUE_SIZE];
	size_t n;
	assert_int_equal(idmap_key_get(ix, key, NULL, v, &n), IDMAP_OK);
	assert_string_equal(v, name);
	static const char *const misses[] = {"A0A023GPI8_CANAX", "A0A023GPI8_CANA",
					     "A0A023GPI8_CANALS", "A0A023GPI9_CANAL",
					     "P62258_CANAL", "A0A023GPI8"};
	for (size_t i = 0; i < sizeof misses / sizeof *misses; i++)
		assert_int_equal(idmap_key_find(ix, t, misses[i], strlen(misses[i]), &slot),
				 IDMAP_ERR_NOT_FOUND);
	size_t name_len = strlen(name);
	assert_int_equal(idmap_key_find_batch(ix, t, &name, &name_len, 1, &slot), IDMAP_OK);
	assert_int_equal(slot, key);
	idmap_fwd_iter it;
	idmap_pair pair;
	assert_int_equal(idmap_fwd_begin(ix, own, t, &it), IDMAP_OK);
	assert_int_equal(idmap_fwd_next(&it, &pair), IDMAP_OK);
	assert_int_equal(pair.key_slot, key);

	/* a mnemonic of 6 bytes: it takes the posting's byte, and no posting is left */
	kp[a + 1] = 6 << 3 | IDMAP_VC_MEMBER;
	reseal_section(b, IDMAP_SECTION_KEY_POOL);
	expect_verify_fails(b, "KEY_POOL: record of key slot");
	idmap_index *bad = NULL;
	assert_int_equal(open_bytes(b, image_len, &bad), IDMAP_OK);
	assert_int_not_equal(idmap_key_find(bad, t, name, strlen(name), &slot), IDMAP_OK);
	assert_int_equal(idmap_key_get(bad, key, NULL, v, &n), IDMAP_ERR_CORRUPT);
	idmap_close(bad);

	/* the posting moved to P62258: the value is now P62258_CANAL, which is not at this slot,
	 * and A0A023GPI8's entry name finds nothing */
	memcpy(b, image, image_len);
	kp[a + 7] = (uint8_t)other;
	reseal_section(b, IDMAP_SECTION_KEY_POOL);
	expect_verify_fails(b, "");
	assert_int_equal(open_bytes(b, image_len, &bad), IDMAP_OK);
	assert_int_equal(idmap_key_find(bad, t, name, strlen(name), &slot), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_key_get(bad, key, NULL, v, &n), IDMAP_OK);
	assert_string_equal(v, "P62258_CANAL");
	idmap_close(bad);

	/* the head no longer says one accession: the posting byte is now the count, and a member
	 * value, only ever in records of one accession, is damaged */
	memcpy(b, image, image_len);
	kp[a] &= 0xfe;
	reseal_section(b, IDMAP_SECTION_KEY_POOL);
	expect_verify_fails(b, "");
	assert_int_equal(open_bytes(b, image_len, &bad), IDMAP_OK);
	assert_int_not_equal(idmap_key_find(bad, t, name, strlen(name), &slot), IDMAP_OK);
	assert_int_equal(idmap_key_get(bad, key, NULL, v, &n), IDMAP_ERR_CORRUPT);
	idmap_close(bad);
	idmap_close(ix);
	free(b);
}

/* An index with wide offset-table blocks (FORMAT.md, "Offset tables"): a key of 70000
 * accessions (a KEY_POOL record of about 70 KB) and an accession of 80000 keys (a FWD_POOL
 * record of about 80 KB). Returns its bytes; *len their count. */
static uint8_t *build_wide(size_t *len)
{
	const char *dat_path = join(dir, "wide.dat"), *out = join(dir, "wide.idx");
	FILE *f = fopen(dat_path, "w");
	assert_non_null(f);
	for (uint32_t i = 0; i < 70000; i++)
		fprintf(f, "P%u%c%c%c%u\tNCBI_TaxID\t9606\n", i % 10, 'A' + i / 10 % 26,
			'A' + i / 260 % 26, 'A' + i / 6760 % 26, i / 175760 % 10);
	for (uint32_t i = 0; i < 80000; i++)
		fprintf(f, "P31946\tGeneID\t%u\n", 100000 + i);
	assert_int_equal(fclose(f), 0);
	const char *const inputs[] = {dat_path};
	uint8_t *b = build_image(out, inputs, 1, len);
	assert_non_null(b);
	unlink(dat_path);
	unlink(out);
	return b;
}

/* The first block of the offset table id that is (wide = 1) or is not (0) wide. */
static uint8_t *find_block(uint8_t *b, uint32_t id, int wide)
{
	uint64_t len;
	uint8_t *t = section_of(b, id, &len);
	for (uint64_t q = 0; q < len / IDMAP_OT_BLOCK_BYTES; q++) {
		uint8_t *blk = t + q * IDMAP_OT_BLOCK_BYTES;
		if (!(idmap_rd64(blk) & IDMAP_OT_WIDE_FLAG) == !wide)
			return blk;
	}
	fail_msg("no %s block in section %u", wide ? "wide" : "narrow", id);
	return NULL;
}

/* Damage to block blk of offset table id, resealed: refused at open when it is the table's
 * last block (open reads its last end), else by verify, with want in its detail. */
static void expect_block_refused(uint8_t *b, uint32_t id, const uint8_t *blk, const char *want)
{
	uint64_t len;
	const uint8_t *tab = section_of(b, id, &len);
	reseal_section(b, id);
	if (blk + IDMAP_OT_BLOCK_BYTES == tab + len)
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);
	else
		expect_verify_fails(b, want);
}

/* The first narrow block after the wide one of table id made wide, its ends moved to a new
 * second entry of the wide section wid (the section moved past the table, the file grown):
 * consistent but not in the one form a block may have, so verify refuses it. */
static void expect_not_canonical(uint8_t *b, uint32_t id, uint32_t wid)
{
	uint64_t len, wlen;
	memcpy(b, image, image_len);
	uint8_t *tab = section_of(b, id, &len), *blk = find_block(b, id, 1) + IDMAP_OT_BLOCK_BYTES;
	assert_true(blk + IDMAP_OT_BLOCK_BYTES < tab + len && !(idmap_rd64(blk) & IDMAP_OT_WIDE_FLAG));
	idmap_ot_layout l = layout_of(id);
	uint32_t ent = idmap_ot_wide_bytes(l);
	uint64_t at = (image_len + 63) & ~(uint64_t)63, size = at + 2 * ent;
	memset(b + image_len, 0, size - image_len);
	memcpy(b + at, section_of(b, wid, &wlen), ent);
	for (uint32_t j = 0; j < idmap_ot_per(l); j++) /* a full block: all ends used */
		idmap_wr64(b + at + ent + 8 * j, narrow_end(blk, l, j));
	idmap_wr64(blk, idmap_rd64(blk) | IDMAP_OT_WIDE_FLAG);
	memset(blk + 8, 0, IDMAP_OT_BLOCK_BYTES - 8);
	idmap_wr32(blk + 8, 1);
	uint8_t *e = entry_of(b, wid);
	idmap_wr64(e + IDMAP_SEC_OFFSET, at);
	idmap_wr64(e + IDMAP_SEC_LENGTH, 2 * ent);
	idmap_wr64(b + IDMAP_HDR_FILE_SIZE, size);
	reseal_section(b, id);
	reseal_section(b, wid);
	idmap_index *ix = NULL;
	assert_int_equal(open_bytes(b, size, &ix), IDMAP_OK);
	exercise(ix);
	char detail[256], want[128];
	snprintf(want, sizeof want, "%s: block %llu is wide, but its records span only",
		 idmap_section_name(id), (unsigned long long)((blk - tab) / IDMAP_OT_BLOCK_BYTES));
	assert_int_equal(idmap_verify(ix, detail, sizeof detail), IDMAP_ERR_CORRUPT);
	if (!strstr(detail, want))
		fail_msg("verify says '%s', want '%s'", detail, want);
	idmap_close(ix);
}

/* Wide blocks are read and checked in both tables; damage to them or to the blocks' bases
 * is refused at open or by verify, and lookups survive it. The walks run on the wide index,
 * which then stands in for the intact image. */
static void test_offset_tables(void **state)
{
	(void)state;
	uint8_t *saved = image;
	size_t saved_len = image_len;
	image = build_wide(&image_len);
	uint8_t *b = copy_image();
	idmap_index *ix = NULL;
	assert_int_equal(open_bytes(b, image_len, &ix), IDMAP_OK);
	char detail[256];
	assert_int_equal(idmap_verify_flags(ix, IDMAP_VERIFY_FULL, detail, sizeof detail),
			 IDMAP_OK);
	/* the big records read back whole */
	uint64_t slot, count = 0, x;
	uint32_t t;
	idmap_rev_iter ri;
	assert_int_equal(idmap_type_find(ix, "NCBI_TaxID", &t), IDMAP_OK);
	assert_int_equal(idmap_key_find(ix, t, "9606", 4, &slot), IDMAP_OK);
	assert_int_equal(idmap_rev_begin(ix, slot, &ri, &count), IDMAP_OK);
	assert_int_equal(count, 70000);
	for (count = 0; idmap_rev_next(&ri, &x) == IDMAP_OK; count++)
		;
	assert_int_equal(count, 70000);
	idmap_fwd_iter fi;
	idmap_pair pair;
	assert_int_equal(idmap_acc_find(ix, "P31946", 6, &slot), IDMAP_OK);
	assert_int_equal(idmap_type_find(ix, "GeneID", &t), IDMAP_OK);
	assert_int_equal(idmap_fwd_begin(ix, slot, t, &fi), IDMAP_OK);
	for (count = 0; idmap_fwd_next(&fi, &pair) == IDMAP_OK; count++)
		;
	assert_int_equal(count, 80000);
	idmap_close(ix);

	static const uint32_t tables[][2] = {
		{IDMAP_SECTION_FWD_INDEX, IDMAP_SECTION_FWD_INDEX_WIDE},
		{IDMAP_SECTION_KEY_INDEX, IDMAP_SECTION_KEY_INDEX_WIDE}};
	for (size_t k = 0; k < 2; k++) {
		uint32_t id = tables[k][0], wid = tables[k][1];
		const char *name = idmap_section_name(id);
		idmap_ot_layout l = layout_of(id);
		uint32_t ent = idmap_ot_wide_bytes(l), per = idmap_ot_per(l);
		char want[128];
		uint64_t len, wlen;
		memcpy(b, image, image_len);
		uint8_t *tab = section_of(b, id, &len);
		(void)section_of(b, wid, &wlen);
		assert_int_equal(wlen, ent); /* one wide block */
		uint8_t *wide = find_block(b, id, 1);
		uint64_t q = (uint64_t)(wide - tab) / IDMAP_OT_BLOCK_BYTES;
		assert_true(len / IDMAP_OT_BLOCK_BYTES > 2);

		/* the wide block naming an entry past the section; its flag cleared */
		idmap_wr32(wide + 8, 1);
		snprintf(want, sizeof want, "%s: wide block %llu does not name the next entry",
			 name, (unsigned long long)q);
		expect_block_refused(b, id, wide, want);
		memcpy(b, image, image_len);
		idmap_wr64(wide, idmap_rd64(wide) & ~IDMAP_OT_WIDE_FLAG);
		expect_block_refused(b, id, wide, name);

		/* a narrow block flagged wide (naming entry 0 again, or garbage) */
		memcpy(b, image, image_len);
		uint8_t *narrow = find_block(b, id, 0);
		idmap_wr64(narrow, idmap_rd64(narrow) | IDMAP_OT_WIDE_FLAG);
		expect_block_refused(b, id, narrow, name);

		/* a wide entry's end before the previous one */
		memcpy(b, image, image_len);
		uint8_t *w = section_of(b, wid, &wlen);
		idmap_wr64(w + 8 * 3, idmap_rd64(w + 8 * 2) - 1);
		reseal_section(b, wid);
		snprintf(want, sizeof want, "%s: entry %llu out of order", name,
			 (unsigned long long)(q * per + 3));
		expect_verify_fails(b, want);

		/* the wide section: one entry more (all zero), or a length of no whole entries */
		memcpy(b, image, image_len);
		uint8_t *e = entry_of(b, wid);
		idmap_wr64(e + IDMAP_SEC_LENGTH, 2 * ent);
		reseal_section(b, wid);
		idmap_index *bad = NULL;
		int rc = open_bytes(b, image_len, &bad); /* overlaps the next section, or not */
		if (rc == IDMAP_OK) {
			assert_int_equal(idmap_verify(bad, detail, sizeof detail),
					 IDMAP_ERR_CORRUPT);
			idmap_close(bad);
		} else {
			assert_int_equal(rc, IDMAP_ERR_CORRUPT);
		}
		memcpy(b, image, image_len);
		idmap_wr64(e + IDMAP_SEC_LENGTH, ent - 8);
		reseal_section(b, wid);
		expect_open(b, image_len, IDMAP_ERR_CORRUPT);

		expect_not_canonical(b, id, wid);

		/* the second block's base one byte late and its first end one earlier (the
		 * records after it unchanged): only the walk sees it */
		memcpy(b, image, image_len);
		uint8_t *blk = tab + IDMAP_OT_BLOCK_BYTES;
		if (!(idmap_rd64(blk) & IDMAP_OT_WIDE_FLAG) && narrow_end(blk, l, 0) > 0) {
			idmap_wr64(blk, idmap_rd64(blk) + 1);
			if (l == IDMAP_OT_LENS8)
				blk[8]--; /* the lengths after it unchanged */
			for (uint32_t j = 0; l == IDMAP_OT_ENDS16 && j < per; j++)
				idmap_wr16(blk + 8 + 2 * j, idmap_rd16(blk + 8 + 2 * j) - 1);
			reseal_section(b, id);
			snprintf(want, sizeof want, "%s: block 1 has base", name);
			expect_verify_fails(b, want);
		}
	}
	free(b);
	free(image);
	image = saved;
	image_len = saved_len;
}

/* Forward group heads (FORMAT.md, FWD_POOL): one byte for a group of one key slot of a
 * small type; a count only for several; a count below 2 after a head not marked single is
 * refused. */
static void test_fwd_group_head(void **state)
{
	(void)state;
	for (uint64_t type = 0; type < 70; type += 23)
		for (uint64_t count = 1; count < 4; count++) {
			uint8_t b[2 * IDMAP_MAX_VARINT];
			size_t n = idmap_varint_put(b, idmap_fwd_group_head(type, count));
			if (count > 1)
				n += idmap_varint_put(b + n, count);
			assert_int_equal(n, (type < 64 ? 1u : 2u) + (count > 1));
			const uint8_t *p = b;
			uint64_t t, c;
			assert_int_equal(idmap_fwd_group_get(&p, b + n, &t, &c), 0);
			assert_int_equal(t, type);
			assert_int_equal(c, count);
			assert_ptr_equal(p, b + n);
		}
	for (uint8_t count = 0; count < 2; count++) {
		const uint8_t b[] = {5 << 1, count}, *p = b;
		uint64_t t, c;
		assert_int_equal(idmap_fwd_group_get(&p, b + 2, &t, &c), -1);
	}
}

/* The growth helper every part uses: grows by doubling, keeps the contents, and refuses a
 * size that overflows without touching the array. */
static void test_vec_reserve(void **state)
{
	(void)state;
	uint64_t *v = NULL;
	size_t cap = 0, grows = 0;
	for (size_t n = 0; n < 100000; n++) {
		size_t before = cap;
		assert_int_equal(idmap_vec_reserve(&v, &cap, n + 1, sizeof *v), 0);
		assert_true(cap >= n + 1);
		grows += cap != before;
		v[n] = n * 3;
	}
	assert_true(grows <= 14); /* 16, 32, ... 131072: doubling, not one per push */
	for (size_t n = 0; n < 100000; n++)
		assert_int_equal(v[n], n * 3);
	uint64_t *kept = v;
	size_t kept_cap = cap;
	assert_int_equal(idmap_vec_reserve(&v, &cap, SIZE_MAX / 4, sizeof *v), -1);
	assert_int_equal(errno, ENOMEM);
	assert_ptr_equal(v, kept);
	assert_int_equal(cap, kept_cap);
	assert_int_equal(idmap_vec_reserve(&v, &cap, 5, sizeof *v), 0); /* room already */
	assert_ptr_equal(v, kept);
	free(v);
	char *s = NULL;
	size_t scap = 0;
	assert_int_equal(idmap_vec_reserve(&s, &scap, 40, 1), 0);
	assert_true(scap >= 40);
	free(s);
}

/* The growable string of the builder's META text and the server's bodies: appends of any
 * length, formatted ones included, stay whole and NUL-terminated. */
static void test_str(void **state)
{
	(void)state;
	idmap_str s = {0};
	char big[5000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	assert_int_equal(idmap_str_add(&s, "a"), 0);
	assert_int_equal(idmap_str_printf(&s, "<%s>%d", big, 42), 0);
	assert_int_equal(idmap_str_put(&s, "\t", 1), 0);
	assert_int_equal(s.len, 1 + 1 + (sizeof big - 1) + 1 + 2 + 1);
	assert_int_equal(strlen(s.p), s.len);
	assert_memory_equal(s.p + s.len - 4, ">42\t", 4);
	assert_false(s.failed);
	free(s.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vec_reserve),
		cmocka_unit_test(test_fwd_group_head),
		cmocka_unit_test(test_record_rules),
		cmocka_unit_test(test_member_records),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_forward),
		cmocka_unit_test(test_reverse),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_damaged_header),
		cmocka_unit_test(test_damaged_table),
		cmocka_unit_test(test_open_detail),
		cmocka_unit_test(test_damaged_small_sections),
		cmocka_unit_test(test_damaged_big_sections),
		cmocka_unit_test(test_verify_walks),
		cmocka_unit_test(test_verify_pilots),
		cmocka_unit_test(test_offset_tables),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
