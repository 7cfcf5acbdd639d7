/* Tests of builder/input + parsers: kind detection, the real sample files, malformed input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "accession.h"
#include "input.h"
#include "parse.h"
#include "test_util.h"

static int setup_dir(void **state)
{
	(void)state;
	return tu_make_dir("idmap-parse-");
}

static int remove_dir(void **state)
{
	(void)state;
	return tu_remove_dir();
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static size_t gzip_buf(const void *data, size_t len, unsigned char **out)
{
	z_stream zs = {0};
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&zs, (uLong)len) + 64;
	*out = malloc(cap);
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = *out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	size_t n = zs.total_out;
	deflateEnd(&zs);
	return n;
}

/* Collected triples as text, one "ACC TAB TYPE TAB VALUE" per line, the list starting with
 * '\n' so that "\nROW\n" finds whole rows. ACC is "-" for code 0. */
typedef struct {
	char *text;
	size_t len, cap;
	size_t count;
	int stop_at;		/* stop (return 1) at this triple number, 0 = never */
	const char *stop_msg;
} collector;

static int collect(void *ctx, const idmap_triple *t, char *err, size_t errlen)
{
	collector *c = ctx;
	if (c->stop_at && (int)c->count + 1 == c->stop_at) {
		if (c->stop_msg)
			snprintf(err, errlen, "%s", c->stop_msg);
		return 1;
	}
	char acc[IDMAP_ACC_TEXT_MAX] = "-";
	if (t->acc)
		assert_true(idmap_acc_decode(t->acc, acc) > 0);
	size_t need = strlen(acc) + t->type_len + t->value_len + 4;
	if (c->len + need + 1 > c->cap) {
		c->cap = (c->len + need + 1) * 2;
		c->text = realloc(c->text, c->cap);
	}
	if (c->len == 0)
		c->text[c->len++] = '\n';
	c->len += (size_t)sprintf(c->text + c->len, "%s\t%.*s\t%.*s\n", acc, (int)t->type_len,
				  t->type, (int)t->value_len, t->value);
	c->count++;
	return 0;
}

static int has(const collector *c, const char *row)
{
	char buf[512];
	snprintf(buf, sizeof buf, "\n%s\n", row);
	return c->text && strstr(c->text, buf) != NULL;
}

static size_t count_rows(const collector *c, const char *type)
{
	char buf[80];
	snprintf(buf, sizeof buf, "\t%s\t", type);
	size_t n = 0;
	for (const char *s = c->text; s && (s = strstr(s, buf)); s++)
		n++;
	return n;
}

static void read_ok(const char *path, collector *c, idmap_input_info *info)
{
	char err[512] = "";
	memset(c, 0, sizeof *c);
	int rc = idmap_input_read(path, info, collect, c, err, sizeof err);
	if (rc != 0)
		fail_msg("%s: unexpected error: %s", path, err);
	assert_int_equal(info->triples, c->count);
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

/* ---- the real samples ---- */

static void test_sample_dat(void **state)
{
	(void)state;
	collector c;
	idmap_input_info info;
	const char *path = "data/samples/q6gzx4_first_entry.dat";
	read_ok(path, &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_DAT);
	assert_string_equal(idmap_input_kind_name(info.kind), "dat");
	assert_int_equal(info.lines, 16);
	assert_int_equal(info.triples, 16);
	assert_int_equal(info.bytes, file_size(path));
	assert_int_equal(info.text_bytes, file_size(path));
	assert_string_equal(info.release, "");
	assert_string_equal(info.release_date, "");
	assert_true(has(&c, "Q6GZX4\tUniProtKB-ID\t001R_FRG3G"));
	assert_true(has(&c, "Q6GZX4\tKEGG\tvg:2947773"));
	assert_true(has(&c, "Q6GZX4\tCRC64\tB4840739BF7D4121"));
	assert_int_equal(count_rows(&c, "GI"), 2);
	free(c.text);

	read_ok("data/samples/human_p31946.dat", &c, &info);
	assert_int_equal(info.triples, 11);
	assert_int_equal(count_rows(&c, "GI"), 9);
	assert_true(has(&c, "P31946\tGene_Name\tYWHAB"));
	free(c.text);
}

static void test_sample_selected(void **state)
{
	(void)state;
	collector c;
	idmap_input_info info;
	read_ok("data/samples/selected.tab", &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_SELECTED);
	assert_int_equal(info.lines, 2);
	assert_int_equal(info.triples, 32 + 14);
	assert_true(has(&c, "Q9Z131\tUniProtKB-ID\t3BP5_MOUSE"));
	assert_true(has(&c, "Q9Z131\tRefSeq\tNP_001334514.1"));
	assert_true(has(&c, "Q9Z131\tRefSeq\tNP_036024.2"));
	assert_true(has(&c, "Q9Z131\tGO\tGO:0005737"));
	assert_true(has(&c, "Q9Z131\tGO\tGO:0061099"));
	assert_true(has(&c, "Q9Z131\tNCBI_TaxID\t10090"));
	assert_true(has(&c, "Q9Z131\tAdditional_PubMed\t28661486"));
	assert_true(has(&c, "Q9Z131\tEnsembl_PRO\tENSMUSP00000117152"));
	assert_int_equal(count_rows(&c, "PDB"), 0);
	assert_int_equal(count_rows(&c, "EMBL"), 6);
	/* Q6GZX4 ends with four empty cells: nothing from Ensembl* or Additional_PubMed. */
	assert_true(has(&c, "Q6GZX4\tEMBL-CDS\tAAT09660.1"));
	assert_int_equal(count_rows(&c, "Ensembl"), 1);
	assert_int_equal(count_rows(&c, "Additional_PubMed"), 2);
	free(c.text);
}

static void test_sample_sec_ac(void **state)
{
	(void)state;
	collector c;
	idmap_input_info info;
	read_ok("data/samples/sec_ac.txt", &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_SEC_AC);
	assert_string_equal(info.release, "28-Jan-2026");
	assert_string_equal(info.release_date, "28-Jan-2026");
	assert_int_equal(info.lines, 19);
	assert_int_equal(info.triples, 19);
	assert_true(has(&c, "P9WES5\t#secondary\tA0A017SEE6"));
	assert_true(has(&c, "P9WES6\t#secondary\tA0A017SEE6"));
	assert_true(has(&c, "A0ACD6B9T2\t#secondary\tA0A009QSN8"));
	assert_true(has(&c, "Q8NFU7\t#secondary\tA0A023HHK9"));
	free(c.text);

	read_ok("data/inputs/sec_ac_footer.txt", &c, &info);
	assert_string_equal(info.release, "2025_04");
	assert_string_equal(info.release_date, "15-Oct-2025");
	assert_int_equal(info.triples, 4);
	assert_true(has(&c, "P00750\t#secondary\tQ15086"));
	assert_false(has(&c, "P11111\t#secondary\tQ99999"));
	free(c.text);
}

static void test_sample_delac(void **state)
{
	(void)state;
	collector c;
	idmap_input_info info;
	read_ok("data/samples/delac_sp.txt", &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_DELAC);
	assert_string_equal(idmap_input_kind_name(info.kind), "delac");
	assert_string_equal(info.release, "2026_01");
	assert_string_equal(info.release_date, "28-Jan-2026");
	assert_int_equal(info.triples, 23);
	/* the header says Swiss-Prot (and TrEMBL below) */
	assert_true(has(&c, "-\t#deleted-sp\tA0AV18"));
	assert_true(has(&c, "-\t#deleted-sp\tA0A087WTH5"));
	assert_true(has(&c, "-\t#deleted-sp\tA1L3W1"));
	free(c.text);

	read_ok("data/inputs/delac_tr_footer.txt", &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_DELAC);
	assert_int_equal(info.triples, 3);
	assert_true(has(&c, "-\t#deleted-tr\tA0A002"));
	assert_false(has(&c, "-\t#deleted-tr\tP12345"));
	free(c.text);

	/* without a header the file name tells; a name that does not say gives #deleted */
	const char list[] = "Accession number\n________________\nA0A000\n";
	read_ok(tu_write_file("delac_tr.txt", list, sizeof list - 1), &c, &info);
	assert_true(has(&c, "-\t#deleted-tr\tA0A000"));
	free(c.text);
	read_ok(tu_write_file("old_delac_sp.txt", list, sizeof list - 1), &c, &info);
	assert_true(has(&c, "-\t#deleted-sp\tA0A000"));
	free(c.text);
	read_ok(tu_write_file("deleted.txt", list, sizeof list - 1), &c, &info);
	assert_true(has(&c, "-\t#deleted\tA0A000"));
	free(c.text);
}

/* Each sample gzipped (as UniProt ships them), and as two concatenated gzip members. */
static void test_samples_gzip(void **state)
{
	(void)state;
	const char *samples[] = {"q6gzx4_first_entry.dat", "selected.tab", "sec_ac.txt",
				 "delac_sp.txt"};
	const size_t triples[] = {16, 46, 19, 23};
	for (int i = 0; i < 4; i++) {
		char src[128], name[128];
		snprintf(src, sizeof src, "data/samples/%s", samples[i]);
		size_t len;
		char *data = slurp(src, &len);
		unsigned char *a, *b;
		size_t na = gzip_buf(data, len / 2, &a);
		size_t nb = gzip_buf(data + len / 2, len - len / 2, &b);
		unsigned char *both = malloc(na + nb);
		memcpy(both, a, na);
		memcpy(both + na, b, nb);
		snprintf(name, sizeof name, "%s.gz", samples[i]);
		collector c;
		idmap_input_info info;
		read_ok(tu_write_file(name, both, na + nb), &c, &info);
		assert_int_equal(info.triples, triples[i]);
		assert_int_equal(info.bytes, na + nb);
		assert_int_equal(info.text_bytes, len);
		free(c.text);
		free(both);
		free(a);
		free(b);
		free(data);
	}
}

/* ---- malformed input ---- */

/* Reads data written to a temp file called name; expects failure with exactly
 * "<path>:<suffix>" (suffix without the path: "2: empty accession"). */
static void expect_fail(const char *name, const char *data, size_t len, const char *suffix)
{
	const char *path = tu_write_file(name, data, len);
	char err[512] = "", want[512];
	collector c = {0};
	idmap_input_info info;
	if (idmap_input_read(path, &info, collect, &c, err, sizeof err) != -1)
		fail_msg("%s: no error, expected \"%s\"", path, suffix);
	snprintf(want, sizeof want, "%s:%s", path, suffix);
	if (strcmp(err, want) != 0)
		fail_msg("got  \"%s\"\nwant \"%s\"", err, want);
	free(c.text);
}

#define FAIL_STR(name, text, suffix) expect_fail(name, text, sizeof text - 1, suffix)
#define OK_LINE "P12345\tGI\t1\n"

static void test_dat_errors(void **state)
{
	(void)state;
	FAIL_STR("a.dat", OK_LINE "P12345\tGI\n", "2: wrong column count: found 2, expected 3 "
						"(accession, ID type, ID)");
	FAIL_STR("a.dat", OK_LINE "P12345\tGI\t1\t2\n", "2: wrong column count: found 4, "
							"expected 3 (accession, ID type, ID)");
	FAIL_STR("a.dat", OK_LINE "\tGI\t1\n", "2: empty accession");
	FAIL_STR("a.dat", OK_LINE "P12345\t\t1\n", "2: empty ID type");
	FAIL_STR("a.dat", OK_LINE "P12345\tGI\t\n", "2: empty value (column 3)");
	FAIL_STR("a.dat", OK_LINE "P12345\tGI\tab\0c\n", "2: NUL byte at column 13");
	FAIL_STR("a.dat", OK_LINE "P12345\t#secondary\tQ1\n",
		 "2: ID type '#secondary' starts with '#' (reserved for idmap)");
	FAIL_STR("a.dat", OK_LINE "P12345\tGene Name\tX\n",
		 "2: ID type 'Gene Name' has a byte 0x20 that is not printable ASCII "
		 "without space");
	FAIL_STR("a.dat", OK_LINE "P12345\tGen\xc3\xa9\tX\n",
		 "2: ID type 'Gen?" "?' has a byte 0xc3 that is not printable ASCII without space");
	FAIL_STR("a.dat", OK_LINE "p12345\tGI\t1\n",
		 "2: invalid accession 'p12345' (not a UniProtKB accession)");
	FAIL_STR("a.dat", OK_LINE "P12345-0\tGI\t1\n",
		 "2: invalid accession 'P12345-0' (not a UniProtKB accession)");
	FAIL_STR("a.dat", OK_LINE "P1234\tGI\t1\n",
		 "2: invalid accession 'P1234' (not a UniProtKB accession)");
	FAIL_STR("a.dat", OK_LINE "P12345\tGI\t1\r\n",
		 "2: CR line ending (file has Windows line ends)");

	/* Type of 64 bytes is fine, 65 is not; value of 1024 is fine, 1025 is not. */
	char line[2048], row[128], t64[65];
	memset(t64, 'T', 64);
	t64[64] = '\0';
	int n = sprintf(line, "P12345-2\t%s\t1\n", t64);
	collector c;
	idmap_input_info info;
	read_ok(tu_write_file("ok.dat", line, (size_t)n), &c, &info);
	snprintf(row, sizeof row, "P12345-2\t%s\t1", t64);
	assert_true(has(&c, row));
	free(c.text);
	char want[256], t65[66], v42[43];
	memset(t65, 'T', 65);
	t65[65] = '\0';
	memset(v42, 'v', 42);
	v42[42] = '\0';
	n = sprintf(line, "P12345\t%s\t1\n", t65);
	snprintf(want, sizeof want, "1: ID type '%s' longer than 64 bytes", t65);
	expect_fail("a.dat", line, (size_t)n, want);
	n = sprintf(line, "P12345\tGI\t");
	memset(line + n, 'v', 1024);
	line[n + 1024] = '\n';
	read_ok(tu_write_file("ok.dat", line, (size_t)n + 1025), &c, &info);
	assert_int_equal(info.triples, 1);
	free(c.text);
	line[n + 1024] = 'v';
	line[n + 1025] = '\n';
	snprintf(want, sizeof want, "1: value '%s...' (column 3) is 1025 bytes, longer than 1024",
		 v42);
	expect_fail("a.dat", line, (size_t)n + 1026, want);
}

/* The ID type's bytes are checked eight at a time: a byte outside 0x21 .. 0x7e is refused at
 * every position of types of 1 to 20 bytes, whatever its neighbours, and every printable one
 * is taken. */
static void test_type_bytes(void **state)
{
	(void)state;
	static const unsigned char bad[] = {0x00, 0x09, 0x20, 0x7f, 0x80, 0xc3, 0xff};
	char data[128], want[160], type[24];
	for (size_t len = 1; len <= 20; len++) {
		for (size_t i = 0; i < len; i++)
			type[i] = (char)(0x21 + (i * 7 + len) % 0x5e); /* printable, never '#' first */
		if (type[0] == '#')
			type[0] = 'T';
		int n = snprintf(data, sizeof data, "P12345\t%.*s\t1\n", (int)len, type);
		collector c = {0};
		idmap_input_info info;
		char err[512] = "";
		assert_int_equal(idmap_input_read(tu_write_file("t.dat", data, (size_t)n), &info,
						  collect, &c, err, sizeof err), 0);
		free(c.text);
		for (size_t at = 0; at < len; at++)
			for (size_t b = 0; b < sizeof bad; b++) {
				if (bad[b] == 0x00 || bad[b] == 0x09)
					continue; /* NUL and TAB end or split the column first */
				char t[24], q[80];
				memcpy(t, type, len);
				t[at] = (char)bad[b];
				n = snprintf(data, sizeof data, OK_LINE "P12345\t%.*s\t1\n", (int)len,
					     t);
				/* the message quotes the type with '?' for the bytes it cannot show */
				size_t k = 0;
				for (size_t x = 0; x < len; x++)
					q[k++] = (unsigned char)t[x] < 0x20 || (unsigned char)t[x] >= 0x7f
							 ? '?'
							 : t[x];
				q[k] = 0;
				snprintf(want, sizeof want, "2: ID type '%s' has a byte 0x%02x that is "
							    "not printable ASCII without space",
					 q, bad[b]);
				expect_fail("t.dat", data, (size_t)n, want);
			}
	}
}

static void test_detection_errors(void **state)
{
	(void)state;
	char want[256];
	const char *path = tu_write_file("empty.dat", "", 0);
	char err[512] = "";
	idmap_input_info info;
	collector c = {0};
	assert_int_equal(idmap_input_read(path, &info, collect, &c, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: empty input", path);
	assert_string_equal(err, want);
	FAIL_STR("blank.txt", "\n  \n\n", " empty input");
	FAIL_STR("x.dat", "\xef\xbb\xbfP12345\tGI\t1\n",
		 "1: UTF-8 byte order mark at the start of the file (save it without BOM)");
	FAIL_STR("x.dat", "P12345\tGI\t1\r\n", "1: CR line ending (file has Windows line ends)");
	FAIL_STR("x.dat", ">sp|P12345|X\nMKV\n",
		 "1: not a UniProt idmapping file (looks like FASTA sequences)");
	FAIL_STR("x.dat.gz", "\n<!DOCTYPE html>\n<html><body>404</body></html>\n",
		 "2: not a UniProt idmapping file (looks like an HTML page, perhaps an error page "
		 "saved by a download)");
	FAIL_STR("x.bin", "\x01\x02\x03\x04\x05garbage\n",
		 "1: not a UniProt idmapping file (looks like binary data)");
	FAIL_STR("x.dat", "ID   001R_FRG3G     Reviewed;         256 AA.\n",
		 "1: not a UniProt idmapping file (looks like a UniProtKB flat file "
		 "(uniprot_sprot.dat), not idmapping.dat)");
	FAIL_STR("x.txt", "a\tb\tc\td\te\n",
		 "1: not a UniProt idmapping file (looks like tab-separated text with 5 columns; "
		 "idmapping.dat has 3, idmapping_selected.tab 22)");
	FAIL_STR("x.txt", "gene\tname\tid\n",
		 "1: not a UniProt idmapping file (looks like tab-separated text with 3 columns, "
		 "but 'gene' is not a UniProtKB accession)");
	FAIL_STR("notes.txt", "hello world\nnothing to see\n",
		 "1: not a UniProt idmapping file (looks like text without the column titles of "
		 "sec_ac.txt or delac_*.txt)");
	/* A .dat name sends odd content to the dat parser, which says what is wrong. */
	FAIL_STR("x.dat", "gene\tname\n", "1: wrong column count: found 2, expected 3 "
					  "(accession, ID type, ID)");

	/* A gzip stream cut short, through idmap_input_read. */
	unsigned char *gz;
	size_t n = gzip_buf(OK_LINE OK_LINE, 24, &gz);
	path = tu_write_file("cut.dat.gz", gz, n - 5);
	assert_int_equal(idmap_input_read(path, &info, collect, &c, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: unexpected end of gzip data at byte %zu", path, n - 5);
	assert_string_equal(err, want);
	free(gz);
	free(c.text);
	memset(&c, 0, sizeof c);

	path = tu_path("does-not-exist.dat");
	assert_int_equal(idmap_input_read(path, &info, collect, &c, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
	assert_string_equal(err, want);

	/* A line over 1 MiB. */
	size_t big = (1u << 20) + 100;
	char *data = malloc(big);
	memcpy(data, OK_LINE, 12);
	memset(data + 12, 'x', big - 13);
	data[big - 1] = '\n';
	expect_fail("long.dat", data, big, "2: line longer than 1048576 bytes");
	free(data);
}

/* A 22-column line with acc in column 1 and value in column col, the rest empty. */
static int row22(char *out, const char *acc, int col, const char *value)
{
	int n = sprintf(out, "%s", acc);
	for (int i = 2; i <= 22; i++)
		n += sprintf(out + n, "\t%s", i == col ? value : "");
	out[n++] = '\n';
	out[n] = '\0';
	return n;
}

static void test_selected_cells(void **state)
{
	(void)state;
	collector c;
	idmap_input_info info;
	/* Columns: 1 AC, 6 PDB, 7 GO, 13 taxon; a ';' without space stays in the value. */
	const char row[] = "P12345\tX_HUMAN\t\t\t\t2BQ0:A; 2BQ0:B; 1ABC:A; 2BQ0:C; 3XYZ\tGO:1\t"
			   "\t\t\t\t\t9606\t\t\t\t\t\t\t\t\ta;b; c\n";
	read_ok(tu_write_file("s.tab", row, sizeof row - 1), &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_SELECTED);
	assert_int_equal(count_rows(&c, "PDB"), 3);
	assert_true(has(&c, "P12345\tPDB\t2BQ0"));
	assert_true(has(&c, "P12345\tPDB\t1ABC"));
	assert_true(has(&c, "P12345\tPDB\t3XYZ"));
	assert_true(has(&c, "P12345\tNCBI_TaxID\t9606"));
	assert_true(has(&c, "P12345\tAdditional_PubMed\ta;b"));
	assert_true(has(&c, "P12345\tAdditional_PubMed\tc"));
	assert_int_equal(info.triples, 8);
	free(c.text);

	/* Content beats the name: 3 columns with an accession first are idmapping.dat. */
	read_ok(tu_write_file("y_selected.tab", "P12345\tGI\t1\n", 12), &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_DAT);
	free(c.text);
	FAIL_STR("x_selected.tab", "P12345\ta\tb\tc\n",
		 "1: wrong column count: found 4, expected 22 "
						     "(idmapping_selected.tab)");
	char bad[256];
	int n = sprintf(bad, "%s", row);
	n += row22(bad + n, "P12345", 4, "NP_1; ; NP_2");
	expect_fail("x.tab", bad, (size_t)n, "2: empty value (column 4, RefSeq)");
	n = sprintf(bad, "%s", row);
	n += row22(bad + n, "P12345", 4, "NP_1; ");
	expect_fail("x.tab", bad, (size_t)n, "2: empty value (column 4, RefSeq)");
	n = sprintf(bad, "%s", row);
	n += row22(bad + n, "P12345", 6, "1ABC:A; :B");
	expect_fail("x.tab", bad, (size_t)n, "2: empty value (column 6, PDB)");
	n = sprintf(bad, "%s", row);
	n += row22(bad + n, "Q9Z13", 2, "X");
	expect_fail("x.tab", bad, (size_t)n,
		    "2: invalid accession 'Q9Z13' (not a UniProtKB accession)");
	n = sprintf(bad, "%s", row);
	n += row22(bad + n, "P12345", 2, "X") - 1;
	n += sprintf(bad + n - 1, "\n") - 1; /* drop the last cell: 21 columns */
	expect_fail("x.tab", bad, (size_t)n, "2: wrong column count: found 21, expected 22 "
					     "(idmapping_selected.tab)");
	n = sprintf(bad, "%s", row);
	n += row22(bad + n, "P12345", 22, "1\t2");
	expect_fail("x.tab", bad, (size_t)n, "2: wrong column count: found 23, expected 22 "
					     "(idmapping_selected.tab)");
	/* Selected rows go through the same value limit as dat. */
	char *big = malloc(4096);
	char *val = malloc(1100);
	memset(val, '7', 1025);
	val[1025] = '\0';
	n = row22(big, "P12345", 3, val);
	expect_fail("x.tab", big, (size_t)n,
		    "1: value '777777777777777777777777777777777777777777...' "
					     "(column 3, GeneID) is 1025 bytes, longer than 1024");
	free(val);
	free(big);
}

/* The release date, in UniProt's form, from reldate.txt and from the
 * "Release:" line of the history files' headers. */
static void test_release_date(void **state)
{
	(void)state;
	collector c;
	idmap_input_info info;
	const char rel[] = "UniProt Knowledgebase Release 2026_01 consists of:\n"
			   "UniProtKB/Swiss-Prot Release 2026_01 of 28-Jan-2026\n"
			   "UniProtKB/TrEMBL Release 2026_01 of 28-Jan-2026\n";
	read_ok(tu_write_file("reldate.txt", rel, sizeof rel - 1), &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_RELDATE);
	assert_string_equal(idmap_input_kind_name(info.kind), "reldate");
	assert_string_equal(info.release, "2026_01");
	assert_string_equal(info.release_date, "28-Jan-2026");
	assert_true(info.lines == 0 && info.triples == 0);
	free(c.text);
	/* recognised by its first line under any name */
	read_ok(tu_write_file("release-info", rel, sizeof rel - 1), &c, &info);
	assert_string_equal(info.release_date, "28-Jan-2026");
	free(c.text);
	FAIL_STR("reldate.txt", "UniProt Knowledgebase Release 2026_01 consists of:\n",
		 "1: no release date in reldate.txt (expected a line like "
		 "'UniProtKB/Swiss-Prot Release 2026_01 of 28-Jan-2026')");

	/* header forms: one-digit day and any case become UniProt's; no date or a bad one
	 * gives "" */
	static const char *const forms[][3] = {
		{"2026_01 of 5-jan-2026", "2026_01", "05-Jan-2026"},
		{"07-DEC-2026", "07-DEC-2026", "07-Dec-2026"},
		{"2026_01", "2026_01", ""},
		{"2026_01 of 32-Jan-2026", "2026_01", ""},
		{"2026_01 of 28-Jax-2026", "2026_01", ""},
		{"2026_01 of 28-Jan-26", "2026_01", ""},
		{"2026_01 at 28-Jan-2026", "2026_01", ""},
	};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		char text[256];
		int n = snprintf(text, sizeof text,
				 "Release:     %s\nAccession number\n________________\nA0AV18\n",
				 forms[i][0]);
		read_ok(tu_write_file("delac_sp.txt", text, (size_t)n), &c, &info);
		assert_string_equal(info.release, forms[i][1]);
		assert_string_equal(info.release_date, forms[i][2]);
		free(c.text);
	}
}

static void test_history_errors(void **state)
{
	(void)state;
	const char head[] = "Description: Secondary accession numbers: index\n"
			    "Secondary AC    Primary AC\n____________    __________\n";
	char buf[512];
	int n = sprintf(buf, "%sA0A009QSN8   A0ACD6B9T2\nA0A011PKA5\n", head);
	expect_fail("sec_ac.txt", buf, (size_t)n,
		    "5: expected 'SECONDARY PRIMARY' (two accessions), found 1 fields");
	n = sprintf(buf, "%sA0A009QSN8   a0acd6b9t2\n", head);
	expect_fail("sec_ac.txt", buf, (size_t)n,
		    "4: invalid primary accession 'a0acd6b9t2' (not a UniProtKB accession)");
	n = sprintf(buf, "%sA0A009QSN8   P12345   P23456\n", head);
	expect_fail("sec_ac.txt", buf, (size_t)n,
		    "4: expected 'SECONDARY PRIMARY' (two accessions), found 3 or more fields");
	FAIL_STR("delac_sp.txt", "Accession number\n________________\nA0AV18\nA0AV18 P12345\n",
		 "4: expected one deleted accession per line, found 2 fields");
	FAIL_STR("delac_sp.txt", "Accession number\n________________\nA0AV18\nHELLO\n",
		 "4: invalid deleted accession 'HELLO' (not a UniProtKB accession)");
	FAIL_STR("notes.txt", "Some title\n__________\nP12345\n",
		 "2: line of underscores without the column titles 'Secondary AC' or "
		 "'Accession number' above it");
	FAIL_STR("sec_ac.txt", "Secondary AC    Primary AC\r\n",
		 "1: CR line ending (file has Windows line ends)");

	/* Headerless lists are recognised by their shape. */
	collector c;
	idmap_input_info info;
	const char list[] = "P12345\nQ67890-2\n";
	read_ok(tu_write_file("list.txt", list, sizeof list - 1), &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_DELAC);
	assert_true(has(&c, "-\t#deleted\tQ67890-2"));
	free(c.text);
	const char pairs[] = "Q15086   P00750\n";
	read_ok(tu_write_file("pairs.txt", pairs, sizeof pairs - 1), &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_SEC_AC);
	assert_true(has(&c, "P00750\t#secondary\tQ15086"));
	free(c.text);
}

static void test_callback_stop(void **state)
{
	(void)state;
	char err[512] = "", want[512];
	idmap_input_info info;
	collector c = {0};
	c.stop_at = 3;
	c.stop_msg = "disk full";
	const char *path = "data/samples/q6gzx4_first_entry.dat";
	assert_int_equal(idmap_input_read(path, &info, collect, &c, err, sizeof err), -1);
	assert_string_equal(err, "disk full");
	assert_int_equal(info.triples, 2);
	free(c.text);
	memset(&c, 0, sizeof c);
	c.stop_at = 5;
	assert_int_equal(idmap_input_read(path, &info, collect, &c, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:5: stopped by the consumer of the triples", path);
	assert_string_equal(err, want);
	free(c.text);
	assert_string_equal(idmap_input_kind_name(IDMAP_KIND_UNKNOWN), "unknown");
	assert_string_equal(idmap_input_kind_name(IDMAP_KIND_SELECTED), "selected");
	assert_string_equal(idmap_input_kind_name(IDMAP_KIND_SEC_AC), "sec_ac");
}


/* ---- UniParc XML ---- */

#define UP_DIR "data/uniparc/"

/* The triples of uniparc_part1.xml (FORMAT.md, "Data model"): UniProtKB and patent
 * cross-references skipped, versions appended to versioned types with their unversioned
 * aliases, GI from the properties, PDB chains folded to the entry, the taxa of active
 * cross-references once per entry. */
static const char up_part1[] =
	"\nUPI000013C7C5\t#uniparc:GI\t4507949\n"
	"UPI000013C7C5\t#uniparc:RefSeq\tNP_003395.1\n"
	"UPI000013C7C5\t#unversioned:#uniparc:RefSeq\tNP_003395\n"
	"UPI000013C7C5\t#uniparc-inactive:EMBL-CDS\tCAA40621.1\n"
	"UPI000013C7C5\t#unversioned:#uniparc-inactive:EMBL-CDS\tCAA40621\n"
	"UPI000013C7C5\t#uniparc-inactive:GI\t1345590\n"
	"UPI000013C7C5\t#uniparc:Ensembl_PRO\tENSP00000300161.3\n"
	"UPI000013C7C5\t#unversioned:#uniparc:Ensembl_PRO\tENSP00000300161\n"
	"UPI000013C7C5\t#uniparc:PDB\t2BQ0\n"
	"UPI000013C7C5\t#uniparc:PDB\t2BQ0\n"
	"UPI000013C7C5\t#uniparc-taxon\t9606\n"
	"UPI0000ABCDEF\t#uniparc:RefSeq\tXP_047299999.2\n"
	"UPI0000ABCDEF\t#unversioned:#uniparc:RefSeq\tXP_047299999\n"
	"UPI0000ABCDEF\t#uniparc:EMBL-CDS\tKAB0000001.1\n"
	"UPI0000ABCDEF\t#unversioned:#uniparc:EMBL-CDS\tKAB0000001\n"
	"UPI0000ABCDEF\t#uniparc:GI\t99999\n"
	"UPI0000ABCDEF\t#uniparc-taxon\t10090\n"
	"UPI0000000042\t#uniparc-inactive:RefSeq\tNP_000001.1\n"
	"UPI0000000042\t#unversioned:#uniparc-inactive:RefSeq\tNP_000001\n";

/* Reads data (written to name) as UniParc XML; the triples must be up_part1's. */
static void expect_part1(const char *name, const void *data, size_t len)
{
	collector c;
	idmap_input_info info;
	read_ok(tu_write_file(name, data, len), &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_UNIPARC);
	assert_int_equal(info.lines, 3); /* entries */
	assert_string_equal(c.text, up_part1);
	free(c.text);
}

/* The scanner does not depend on where lines break: the same document on one line, with
 * every space a line break, with CR LF, gzip-compressed. */
static void test_uniparc_forms(void **state)
{
	(void)state;
	size_t len;
	char *xml = slurp(UP_DIR "uniparc_part1.xml", &len);
	assert_string_equal(idmap_input_kind_name(IDMAP_KIND_UNIPARC), "uniparc");
	expect_part1("p1.xml", xml, len);

	char *v = malloc(2 * len);
	for (size_t i = 0; i < len; i++)
		v[i] = xml[i] == '\n' ? ' ' : xml[i];
	expect_part1("oneline.xml", v, len);
	for (size_t i = 0; i < len; i++)
		v[i] = xml[i] == ' ' ? '\n' : xml[i];
	expect_part1("spaces.xml", v, len);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (xml[i] == '\n')
			v[n++] = '\r';
		v[n++] = xml[i];
	}
	expect_part1("crlf.xml", v, n);
	unsigned char *gz;
	n = gzip_buf(xml, len, &gz);
	expect_part1("p1.xml.gz", gz, n);
	memcpy(v, "\xef\xbb\xbf", 3); /* a byte order mark, which XML allows */
	memcpy(v + 3, xml, len);
	expect_part1("bom.xml", v, len + 3);
	free(gz);
	free(v);
	free(xml);
}

/* XML without a line break, longer than a line may be (IDMAP_GZ_MAX_LINE): read as blocks. */
static void test_uniparc_one_line(void **state)
{
	(void)state;
	static const char entry[] = "<entry dataset=\"uniparc\"><accession>UPI0000000001</accession>"
				    "<dbReference type=\"PDB\" id=\"1abc_A\" active=\"Y\"/>"
				    "<sequence length=\"3\" checksum=\"0\">MKV</sequence></entry>";
	size_t n = 40000, len = 0;
	char *xml = malloc(16 + n * (sizeof entry - 1) + 16);
	len += (size_t)sprintf(xml, "<uniparc>");
	for (size_t i = 0; i < n; i++) {
		memcpy(xml + len, entry, sizeof entry - 1);
		len += sizeof entry - 1;
	}
	len += (size_t)sprintf(xml + len, "</uniparc>");
	assert_true(len > (1u << 20) + 1000);
	collector c;
	idmap_input_info info;
	read_ok(tu_write_file("oneline.xml", xml, len), &c, &info);
	assert_int_equal(info.lines, n);
	assert_int_equal(count_rows(&c, "#uniparc:PDB"), n);
	assert_int_equal(info.text_bytes, len);
	free(c.text);
	free(xml);
}

/* The real excerpt: its one cross-reference (UniProtKB, inactive) gives only its GI, as an
 * inactive one; its taxon is an inactive cross-reference's, so none. */
static void test_uniparc_real_excerpt(void **state)
{
	(void)state;
	collector c;
	idmap_input_info info;
	read_ok("data/samples/uniparc_excerpt.xml", &c, &info);
	assert_int_equal(info.kind, IDMAP_KIND_UNIPARC);
	assert_int_equal(info.lines, 1);
	assert_string_equal(c.text, "\nUPI000041C017\t#uniparc-inactive:GI\t84028248\n");
	free(c.text);
}

/* The taxa of an entry's active cross-references: once each, in increasing order, however
 * they repeat; an inactive cross-reference's taxon is left out. */
static void test_uniparc_taxa(void **state)
{
	(void)state;
	static const char xml[] =
		"<uniparc><entry><accession>UPI0000000007</accession>"
		"<dbReference type='JPO' id='a' active='Y'><property type='NCBI_taxonomy_id' "
		"value='10090'/></dbReference>"
		"<dbReference type='JPO' id='b' active='Y'><property type='NCBI_taxonomy_id' "
		"value='9606'/><property type='NCBI_taxonomy_id' value='9606'/></dbReference>"
		"<dbReference type='JPO' id='c' active='N'><property type='NCBI_taxonomy_id' "
		"value='562'/></dbReference>"
		"<dbReference type='JPO' id='d' active='Y'><property type='NCBI_taxonomy_id' "
		"value='10090'/></dbReference></entry></uniparc>\n";
	collector c;
	idmap_input_info info;
	read_ok(tu_write_file("taxa.xml", xml, sizeof xml - 1), &c, &info);
	assert_string_equal(c.text, "\nUPI0000000007\t#uniparc-taxon\t9606\n"
				    "UPI0000000007\t#uniparc-taxon\t10090\n");
	free(c.text);
}

#define UP_HEAD "<?xml version='1.0'?>\n<uniparc>\n" /* 32 bytes */
#define UP_ENTRY "<entry><accession>UPI0000000001</accession></entry>\n"

/* Truncated, malformed and foreign XML: refused at the byte offset of the markup at fault
 * (the end of the text for a truncated file). */
static void test_uniparc_errors(void **state)
{
	(void)state;
	FAIL_STR("t.xml", UP_HEAD UP_ENTRY,
		 "byte 84: unexpected end of the file: element 'uniparc' opened at byte 22 is "
		 "not closed (truncated file?)");
	FAIL_STR("t.xml", UP_HEAD "<entry><accession>UPI0000000001</accession>\n",
		 "byte 76: unexpected end of the file: element 'entry' opened at byte 32 is not "
		 "closed (truncated file?)");
	FAIL_STR("t.xml", UP_HEAD UP_ENTRY "<entry><dbRef",
		 "byte 97: unexpected end of the file inside the markup at byte 91 (truncated "
		 "file?)");
	FAIL_STR("t.xml", UP_HEAD "<entry></accession></entry></uniparc>\n",
		 "byte 39: end tag 'accession' does not close element 'entry' (opened at byte 32)");
	FAIL_STR("t.xml", UP_HEAD "<entry><accession>UPI00000000</accession></entry></uniparc>",
		 "byte 39: invalid UniParc accession 'UPI00000000'");
	FAIL_STR("t.xml", UP_HEAD "<entry><dbReference type='RefSeq' id='NP_1' active='Y'/>",
		 "byte 39: <dbReference> before the entry's <accession>");
	FAIL_STR("t.xml", UP_HEAD "<entry><accession>UPI0000000001</accession>"
		 "<dbReference type='RefSeq' id='NP_1&bad;' active='Y'/>",
		 "byte 75: attribute value with an unknown entity or invalid character reference");
	FAIL_STR("t.xml", UP_HEAD "<entry><accession>UPI0000000001</accession>"
		 "<dbReference type='RefSeq' id='NP_1' active='yes'/>",
		 "byte 75: <dbReference> with active= neither Y nor N");
	FAIL_STR("t.xml", UP_HEAD "<entry><accession>UPI0000000001</accession>"
		 "<dbReference type='RefSeq' id='NP_1&#0;' active='Y'/>",
		 "byte 75: attribute value with an unknown entity or invalid character reference");
	FAIL_STR("t.xml", UP_HEAD "<entry a='1' a='2'>",
		 "byte 32: attribute 'a' repeated");
	FAIL_STR("t.xml", UP_HEAD "<entry a='1>",
		 "byte 44: unexpected end of the file inside the markup at byte 32 (truncated "
		 "file?)");
	FAIL_STR("t.xml", UP_HEAD "</uniparc>\n<entry/>",
		 "byte 43: element after the end of the root element");
	FAIL_STR("t.xml", UP_HEAD "</uniparc>\ngarbage",
		 "byte 43: text outside the root element");
	FAIL_STR("t.xml", "<?xml version='1.0'?>\n<uniprot>\n</uniprot>\n",
		 "byte 22: not a UniParc XML file (the root element is 'uniprot', not 'uniparc')");
	FAIL_STR("t.xml", "<?xml version='1.0'?>\n",
		 "byte 22: no <uniparc> root element: not a UniParc XML file");
	FAIL_STR("t.xml", "<!DOCTYPE uniparc [<!ENTITY x 'y'>]>\n<uniparc/>\n",
		 "byte 0: DOCTYPE with an internal subset (entity declarations are not "
		 "supported)");
	FAIL_STR("t.xml", UP_HEAD "<!-x->",
		 "byte 32: malformed markup '<!'");
	/* the first error wins: nothing after it is read */
	FAIL_STR("t.xml", UP_HEAD "<entry><accession>UPI0000000001</accession><dbReference "
		 "type='RefSeq' id='' active='Y'/></entry></uniparc>",
		 "byte 75: empty value (#uniparc:RefSeq)");
}

/* idmap_parse_tabs against a byte-by-byte reference: every length around its 16-byte blocks,
 * tabs and NULs anywhere (a NUL in the overlapping last block too), every cap on the tabs.
 * Each line sits in a buffer of exactly its length, so that ASan sees any read past it. */
static void test_line_tabs(void **state)
{
	(void)state;
	uint64_t rng = 42;
	static const unsigned caps[] = {0, 1, 2, 3, 21, 22};
	for (size_t len = 0; len <= 70; len++) {
		for (int round = 0; round < 300; round++) {
			char *s = malloc(len ? len : 1);
			assert_non_null(s);
			for (size_t i = 0; i < len; i++) {
				rng = rng * 6364136223846793005ull + 1442695040888963407ull;
				unsigned r = (unsigned)(rng >> 33) % 100;
				s[i] = r < 12 ? '\t' : r < 14 && round % 3 == 0 ? '\0' : 'a';
			}
			for (size_t c = 0; c < sizeof caps / sizeof *caps; c++) {
				size_t tab[22], want[22], nul = len;
				unsigned nt = 99, wn = 0;
				for (size_t i = 0; i < len && nul == len; i++) {
					if (s[i] == '\0')
						nul = i;
					else if (s[i] == '\t' && wn < caps[c])
						want[wn++] = i;
				}
				assert_int_equal(idmap_parse_tabs(s, len, tab, caps[c], &nt), nul);
				assert_int_equal(nt, wn);
				for (unsigned k = 0; k < wn; k++)
					assert_int_equal(tab[k], want[k]);
			}
			free(s);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_dat),
		cmocka_unit_test(test_sample_selected),
		cmocka_unit_test(test_sample_sec_ac),
		cmocka_unit_test(test_sample_delac),
		cmocka_unit_test(test_samples_gzip),
		cmocka_unit_test(test_dat_errors),
		cmocka_unit_test(test_line_tabs),
		cmocka_unit_test(test_type_bytes),
		cmocka_unit_test(test_detection_errors),
		cmocka_unit_test(test_selected_cells),
		cmocka_unit_test(test_history_errors),
		cmocka_unit_test(test_release_date),
		cmocka_unit_test(test_callback_stop),
		cmocka_unit_test(test_uniparc_forms),
		cmocka_unit_test(test_uniparc_errors),
		cmocka_unit_test(test_uniparc_taxa),
		cmocka_unit_test(test_uniparc_real_excerpt),
		cmocka_unit_test(test_uniparc_one_line),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
