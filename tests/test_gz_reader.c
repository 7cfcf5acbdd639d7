/* Tests of builder/gz_reader: plain and gzip line reading, multi-member streams, damaged data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "gz_reader.h"
#include "test_util.h"

static int setup_dir(void **state)
{
	(void)state;
	return tu_make_dir("idmap-gz-");
}

static int remove_dir(void **state)
{
	(void)state;
	return tu_remove_dir();
}

/* One gzip member holding data; the caller frees *out. */
static size_t gzip_member(const void *data, size_t len, unsigned char **out)
{
	z_stream zs = {0};
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&zs, (uLong)len) + 64;
	*out = malloc(cap);
	assert_non_null(*out);
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = *out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	size_t n = zs.total_out;
	deflateEnd(&zs);
	return n;
}

/* Reads every line of path, joining them with '\n' into a new string; returns the line count
 * or -1 on error (message in err). */
static long read_all(const char *path, char **text, char *err, size_t errlen)
{
	idmap_gz_reader *r = idmap_gz_open(path, err, errlen);
	assert_non_null(r);
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	const char *line;
	size_t len;
	long count = 0;
	int rc;
	while ((rc = idmap_gz_getline(r, &line, &len, err, errlen)) == IDMAP_GZ_LINE) {
		while (n + len + 2 > cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		memcpy(buf + n, line, len);
		n += len;
		buf[n++] = '\n';
		count++;
	}
	buf[n] = '\0';
	if (rc != IDMAP_GZ_EOF)
		count = -1;
	else
		assert_int_equal(idmap_gz_line_number(r), (uint64_t)count);
	idmap_gz_close(r);
	if (text)
		*text = buf;
	else
		free(buf);
	return count;
}

static void test_plain_lines(void **state)
{
	(void)state;
	const char data[] = "alpha\nbb\n\nlast line without newline";
	const char *path = tu_write_file("plain.txt", data, sizeof data - 1);
	char err[256] = "";
	idmap_gz_reader *r = idmap_gz_open(path, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(idmap_gz_is_gzip(r), 0);
	assert_int_equal(idmap_gz_file_size(r), sizeof data - 1);
	const char *expect[] = {"alpha", "bb", "", "last line without newline"};
	const char *line;
	size_t len;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(idmap_gz_getline(r, &line, &len, err, sizeof err), IDMAP_GZ_LINE);
		assert_int_equal(len, strlen(expect[i]));
		assert_memory_equal(line, expect[i], len);
		assert_int_equal(idmap_gz_line_number(r), (uint64_t)i + 1);
	}
	assert_int_equal(idmap_gz_getline(r, &line, &len, err, sizeof err), IDMAP_GZ_EOF);
	assert_int_equal(idmap_gz_getline(r, &line, &len, err, sizeof err), IDMAP_GZ_EOF);
	assert_int_equal(idmap_gz_bytes_in(r), sizeof data - 1);
	assert_int_equal(idmap_gz_bytes_out(r), sizeof data - 1);
	idmap_gz_close(r);
}

/* Lines of every length from 0 to 199, so that the newline falls in each of the 16-byte
 * blocks the reader looks at inline and past them (memchr's part), in both orders. */
static void test_line_lengths(void **state)
{
	(void)state;
	enum { N = 200 };
	static char data[2 * N * (N + 1)];
	size_t n = 0;
	for (int k = 0; k < 2 * N; k++) {
		int l = k < N ? k : 2 * N - 1 - k;
		for (int i = 0; i < l; i++)
			data[n++] = (char)('a' + (k + i) % 26);
		data[n++] = '\n';
	}
	const char *path = tu_write_file("lengths.txt", data, n);
	char err[256] = "";
	idmap_gz_reader *r = idmap_gz_open(path, err, sizeof err);
	assert_non_null(r);
	const char *line;
	size_t len;
	for (int k = 0; k < 2 * N; k++) {
		int l = k < N ? k : 2 * N - 1 - k;
		assert_int_equal(idmap_gz_getline(r, &line, &len, err, sizeof err), IDMAP_GZ_LINE);
		assert_int_equal(len, (size_t)l);
		for (int i = 0; i < l; i++)
			assert_int_equal(line[i], (char)('a' + (k + i) % 26));
	}
	assert_int_equal(idmap_gz_getline(r, &line, &len, err, sizeof err), IDMAP_GZ_EOF);
	idmap_gz_close(r);
}

static void test_empty_and_missing(void **state)
{
	(void)state;
	char err[256] = "";
	const char *path = tu_write_file("empty.txt", "", 0);
	assert_int_equal(read_all(path, NULL, err, sizeof err), 0);
	assert_null(idmap_gz_open(tu_path("no-such-file"), err, sizeof err));
	assert_string_equal(err, "cannot open: No such file or directory");
	idmap_gz_close(NULL);
}

/* Big enough to pass through the 4 MiB output buffer several times. */
static char *make_lines(size_t n_lines, size_t *len, int random_text)
{
	size_t cap = n_lines * 48 + 1, n = 0;
	char *s = malloc(cap);
	assert_non_null(s);
	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < n_lines; i++) {
		if (random_text) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			n += (size_t)sprintf(s + n, "%zu\t%016llx%08llx\n", i,
					     (unsigned long long)x, (unsigned long long)(x >> 20));
		} else {
			n += (size_t)sprintf(s + n, "P%05zu\tGI\t%zu\n", i % 100000, i * 7);
		}
	}
	*len = n;
	return s;
}

static void check_roundtrip(const char *name, const char *data, size_t len, size_t n_lines,
			    int gzip)
{
	unsigned char *gz = NULL;
	size_t gz_len = gzip ? gzip_member(data, len, &gz) : 0;
	const char *path = gzip ? tu_write_file(name, gz, gz_len) : tu_write_file(name, data, len);
	char err[256] = "", *text = NULL;
	assert_int_equal(read_all(path, &text, err, sizeof err), (long)n_lines);
	assert_int_equal(strlen(text), len);
	assert_memory_equal(text, data, len);
	free(text);

	idmap_gz_reader *r = idmap_gz_open(path, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(idmap_gz_is_gzip(r), gzip);
	const char *line;
	size_t ll;
	while (idmap_gz_getline(r, &line, &ll, err, sizeof err) == IDMAP_GZ_LINE)
		;
	assert_int_equal(idmap_gz_bytes_out(r), len);
	assert_int_equal(idmap_gz_bytes_in(r), gzip ? gz_len : len);
	assert_int_equal(idmap_gz_file_size(r), gzip ? gz_len : len);
	idmap_gz_close(r);
	free(gz);
}

static void test_big_plain_and_gzip(void **state)
{
	(void)state;
	size_t len;
	char *data = make_lines(400000, &len, 0); /* ~8 MB, compresses well */
	check_roundtrip("big.txt", data, len, 400000, 0);
	check_roundtrip("big.txt.gz", data, len, 400000, 1);
	free(data);
	/* Random text: the compressed file spans several 1 MiB input reads. */
	data = make_lines(200000, &len, 1);
	check_roundtrip("random.gz", data, len, 200000, 1);
	free(data);
}

static void test_multi_member(void **state)
{
	(void)state;
	/* A line split across the member boundary must come out whole. */
	const char *parts[] = {"a\nb\nhel", "lo\nc\n", "", "d"};
	unsigned char *all = malloc(4096);
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		unsigned char *gz;
		size_t k = gzip_member(parts[i], strlen(parts[i]), &gz);
		memcpy(all + n, gz, k);
		n += k;
		free(gz);
	}
	const char *path = tu_write_file("multi.gz", all, n);
	char err[256] = "", *text = NULL;
	assert_int_equal(read_all(path, &text, err, sizeof err), 5);
	assert_string_equal(text, "a\nb\nhello\nc\nd\n");
	free(text);
	free(all);
}

static void expect_error(const char *path, const char *message)
{
	char err[256] = "";
	assert_int_equal(read_all(path, NULL, err, sizeof err), -1);
	assert_string_equal(err, message);
}

static void test_damaged_gzip(void **state)
{
	(void)state;
	size_t len;
	char *data = make_lines(50000, &len, 1);
	unsigned char *gz;
	size_t n = gzip_member(data, len, &gz);
	char msg[256];

	/* Cut in the middle of the deflate data and inside the trailer. */
	size_t cuts[] = {n / 2, n - 3, 15};
	for (int i = 0; i < 3; i++) {
		const char *path = tu_write_file("cut.gz", gz, cuts[i]);
		snprintf(msg, sizeof msg, "unexpected end of gzip data at byte %zu", cuts[i]);
		expect_error(path, msg);
	}

	/* A wrong CRC-32 in the trailer. */
	unsigned char *bad = malloc(n + 16);
	memcpy(bad, gz, n);
	bad[n - 8] ^= 0x55;
	char err[256] = "";
	assert_int_equal(read_all(tu_write_file("crc.gz", bad, n), NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "corrupt gzip data at byte "));
	assert_non_null(strstr(err, "incorrect data check"));

	/* Garbage inside the deflate data. */
	memcpy(bad, gz, n);
	memset(bad + n / 3, 0xff, 64);
	assert_int_equal(read_all(tu_write_file("bad.gz", bad, n), NULL, err, sizeof err), -1);
	assert_memory_equal(err, "corrupt gzip data at byte ", 26);

	/* Bytes after the member that do not start another member. */
	memcpy(bad, gz, n);
	memcpy(bad + n, "junk", 4);
	snprintf(msg, sizeof msg, "trailing garbage after gzip member at byte %zu", n);
	expect_error(tu_write_file("trail.gz", bad, n + 4), msg);
	expect_error(tu_write_file("trail1.gz", bad, n + 1), msg);

	free(bad);
	free(gz);
	free(data);
}

static void test_sticky_error(void **state)
{
	(void)state;
	unsigned char *gz;
	size_t n = gzip_member("one\ntwo\n", 8, &gz);
	const char *path = tu_write_file("sticky.gz", gz, n - 4);
	free(gz);
	char err[256] = "";
	idmap_gz_reader *r = idmap_gz_open(path, err, sizeof err);
	assert_non_null(r);
	const char *line;
	size_t len;
	int rc;
	while ((rc = idmap_gz_getline(r, &line, &len, err, sizeof err)) == IDMAP_GZ_LINE)
		;
	assert_int_equal(rc, IDMAP_GZ_ERROR);
	err[0] = '\0';
	assert_int_equal(idmap_gz_getline(r, &line, &len, err, sizeof err), IDMAP_GZ_ERROR);
	assert_non_null(strstr(err, "unexpected end of gzip data"));
	idmap_gz_close(r);
}

static void test_long_lines(void **state)
{
	(void)state;
	size_t max = IDMAP_GZ_MAX_LINE;
	char *data = malloc(2 * max + 16);
	/* A line of exactly the maximum is fine, one byte more is not. */
	memset(data, 'x', max);
	memcpy(data + max, "\nok\n", 4);
	char err[256] = "";
	assert_int_equal(read_all(tu_write_file("max.txt", data, max + 4), NULL, err, sizeof err), 2);

	memcpy(data, "first\n", 6);
	memset(data + 6, 'y', max + 1);
	memcpy(data + 6 + max + 1, "\n", 1);
	const char *path = tu_write_file("long.txt", data, max + 8);
	idmap_gz_reader *r = idmap_gz_open(path, err, sizeof err);
	const char *line;
	size_t len;
	assert_int_equal(idmap_gz_getline(r, &line, &len, err, sizeof err), IDMAP_GZ_LINE);
	assert_int_equal(idmap_gz_getline(r, &line, &len, err, sizeof err), IDMAP_GZ_TOO_LONG);
	assert_string_equal(err, "line longer than 1048576 bytes");
	assert_int_equal(idmap_gz_line_number(r), 1);
	idmap_gz_close(r);

	/* Same without a final newline, inside gzip. */
	unsigned char *gz;
	size_t n = gzip_member(data, max + 7, &gz);
	r = idmap_gz_open(tu_write_file("long.gz", gz, n), err, sizeof err);
	assert_int_equal(idmap_gz_getline(r, &line, &len, err, sizeof err), IDMAP_GZ_LINE);
	assert_int_equal(idmap_gz_getline(r, &line, &len, err, sizeof err), IDMAP_GZ_TOO_LONG);
	idmap_gz_close(r);
	free(gz);
	free(data);
}

static void test_stdin(void **state)
{
	(void)state;
	unsigned char *gz;
	size_t n = gzip_member("from\nstdin\n", 11, &gz);
	const char *path = tu_write_file("stdin.gz", gz, n);
	free(gz);
	int saved = dup(STDIN_FILENO);
	int fd = open(path, O_RDONLY);
	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	char err[256] = "", *text = NULL;
	assert_int_equal(read_all("-", &text, err, sizeof err), 2);
	assert_string_equal(text, "from\nstdin\n");
	free(text);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

/* Blocks (idmap_gz_read) after a peek and a line: the peek consumes nothing, the blocks go on
 * where the line ended and give the rest of the text in order, whatever its line breaks; the
 * same from gzip, of more than the reader's buffers. */
static void test_blocks(void **state)
{
	(void)state;
	size_t len = (size_t)9 << 20;
	char *data = malloc(len);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)('a' + i % 23);
	memcpy(data, "first\n", 6);
	unsigned char *gz;
	size_t n = gzip_member(data, len, &gz);
	const char *paths[] = {tu_write_file("blocks.txt", data, len),
			       tu_write_file("blocks.gz", gz, n)};
	for (int k = 0; k < 2; k++) {
		char err[256];
		idmap_gz_reader *r = idmap_gz_open(paths[k], err, sizeof err);
		assert_non_null(r);
		const char *p, *q;
		size_t plen, qlen;
		assert_int_equal(idmap_gz_peek(r, &p, &plen, err, sizeof err), IDMAP_GZ_LINE);
		assert_true(plen >= 6 && memcmp(p, "first\n", 6) == 0);
		assert_int_equal(idmap_gz_peek(r, &q, &qlen, err, sizeof err), IDMAP_GZ_LINE);
		assert_true(q == p && qlen == plen);
		assert_int_equal(idmap_gz_getline(r, &p, &plen, err, sizeof err), IDMAP_GZ_LINE);
		assert_true(plen == 5 && memcmp(p, "first", 5) == 0);
		size_t off = 6;
		int got;
		while ((got = idmap_gz_read(r, &p, &plen, err, sizeof err)) == IDMAP_GZ_LINE) {
			assert_true(plen > 0 && off + plen <= len);
			assert_memory_equal(p, data + off, plen);
			off += plen;
		}
		assert_int_equal(got, IDMAP_GZ_EOF);
		assert_int_equal(off, len);
		assert_int_equal(idmap_gz_bytes_out(r), len);
		idmap_gz_close(r);
	}
	free(gz);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_lines),
		cmocka_unit_test(test_line_lengths),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_empty_and_missing),
		cmocka_unit_test(test_big_plain_and_gzip),
		cmocka_unit_test(test_multi_member),
		cmocka_unit_test(test_damaged_gzip),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_stdin),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
