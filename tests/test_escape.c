/* idmap_escape_span: untrusted bytes written into JSON strings (valid for strict parsers) and
 * into lines for people (no terminal control sequence gets through). No index needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "idmap.h"

typedef struct {
	char p[512];
	size_t len;
} text_buf;

static int put(void *ctx, const void *p, size_t n)
{
	text_buf *b = ctx;
	assert_true(n > 0 && b->len + n < sizeof b->p);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

/* The whole of s[0, n) escaped in mode, NUL-terminated, as the writers produce it. */
static const char *escaped(const char *s, size_t n, int mode)
{
	static text_buf b;
	b.len = 0;
	assert_int_equal(idmap_escape_write(s, n, mode, put, &b), 0);
	b.p[b.len] = 0;
	return b.p;
}

typedef struct {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *json, *text;
} esc_case;

static const esc_case cases[] = {
	{"P12345", 0, "P12345", "P12345"},
	{"", 0, "", ""},
	{"a\"b\\c", 0, "a\\\"b\\\\c", "a\"b\\c"},
	{"\x1b]0;owned\x07", 0, "\\u001b]0;owned\\u0007", "\\x1b]0;owned\\x07"},
	{"tab\there\r\n", 0, "tab\\u0009here\\u000d\\u000a", "tab\\x09here\\x0d\\x0a"},
	{"nul", 4, "nul\\u0000", "nul\\x00"},
	{"del\x7f", 0, "del\x7f", "del\\x7f"},
	/* well-formed UTF-8 is kept: e acute, euro sign, U+10FFFF, an emoji */
	{"caf\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80", 0,
	 "caf\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80",
	 "caf\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80"},
	/* C1 controls (CSI U+009B) are valid JSON but escaped for a terminal */
	{"\xc2\x9b" "31m", 0, "\xc2\x9b" "31m", "\\xc2\\x9b31m"},
	{"\xc2\xa0", 0, "\xc2\xa0", "\xc2\xa0"},
	/* not UTF-8: lone bytes, overlong forms, surrogates, above U+10FFFF, cut sequences */
	{"\xff\xfe", 0, "\\ufffd\\ufffd", "\\xff\\xfe"},
	{"\x80x", 0, "\\ufffdx", "\\x80x"},
	{"\xc0\xaf", 0, "\\ufffd\\ufffd", "\\xc0\\xaf"},
	{"\xe0\x80\xaf", 0, "\\ufffd\\ufffd\\ufffd", "\\xe0\\x80\\xaf"},
	{"\xed\xa0\x80", 0, "\\ufffd\\ufffd\\ufffd", "\\xed\\xa0\\x80"},
	{"\xf4\x90\x80\x80", 0, "\\ufffd\\ufffd\\ufffd\\ufffd", "\\xf4\\x90\\x80\\x80"},
	{"\xf0\x9f\x98", 0, "\\ufffd\\ufffd\\ufffd", "\\xf0\\x9f\\x98"},
	{"\xe2\x82" "A", 0, "\\ufffd\\ufffdA", "\\xe2\\x82A"},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const esc_case *c = &cases[i];
		size_t n = c->len ? c->len : strlen(c->in);
		assert_string_equal(escaped(c->in, n, IDMAP_ESC_JSON), c->json);
		assert_string_equal(escaped(c->in, n, IDMAP_ESC_TEXT), c->text);
	}
}

/* The span stops at the byte to escape and tells how many bytes the escape stands for; a
 * writer's non-zero result stops the writing. */
/* Stops with a value equal to a status code: the caller still tells it apart. */
static int refuse(void *ctx, const void *p, size_t n)
{
	(void)ctx, (void)p, (void)n;
	return IDMAP_ERR_INVALID;
}

static void test_span(void **state)
{
	(void)state;
	char esc[IDMAP_ESC_MAX];
	size_t used = 9;
	assert_int_equal(idmap_escape_span("ab\x1b" "c", 4, IDMAP_ESC_TEXT, esc, &used), 2);
	assert_string_equal(esc, "\\x1b");
	assert_int_equal(used, 1);
	assert_int_equal(idmap_escape_span("abc", 3, IDMAP_ESC_JSON, esc, &used), 3);
	assert_int_equal(used, 0);
	assert_int_equal(idmap_escape_span("x\xc2\x85", 3, IDMAP_ESC_TEXT, esc, &used), 1);
	assert_int_equal(used, 2);
	assert_int_equal(idmap_escape_write("a\x01", 2, IDMAP_ESC_JSON, refuse, NULL),
			 IDMAP_STOPPED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_span),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
