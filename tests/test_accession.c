/* Accession codes (FORMAT.md, "Encoded accessions"): grammar, round trips, order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "accession.h"

static uint64_t enc(const char *s) { return idmap_acc_encode(s, strlen(s)); }

/* encode -> nonzero code -> decode gives the same text back. */
static void assert_round_trip(const char *s)
{
	char out[IDMAP_ACC_TEXT_MAX];
	uint64_t c = enc(s);
	if (c == 0)
		fail_msg("rejected valid accession \"%s\"", s);
	size_t n = idmap_acc_decode(c, out);
	assert_int_equal(n, strlen(s));
	assert_string_equal(out, s);
}

static void test_valid_forms(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"P31946", "A0A017SEE6", "Q9CQV8-1", "Q6GZX4", "O00000", "P99999", "Q0ZZZ9",
		"A0A000", "N9Z999", "R0A009", "Z9ZZZ9", "A0AAA0A000", "Z9Z9Z9Z9Z9",
		"P12345-2047", "A0A017SEE6-2047", "A0A017SEE6-1", "P12345-9", "P12345-10",
		"P12345-99", "P12345-100", "P12345-999", "P12345-1000", "O1AB29", "Q1A2B3",
		"C9J4C8", "A0A024R161", "B7Z1A0-12", "P00750", "P00750-1", "P00750-2",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_round_trip(ok[i]);
}

static void test_invalid_forms(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "P", "P1234", "p31946", "P3194a", "a0a017see6", "A0A017SEe6",
		"P319461", "P3194612", "P31946123", /* 7-9 characters */
		"A0A017SEE6X", "A0A017SEE61", "A0A017SEE6A2", /* 11+ without a dash */
		"P12345-0", "P12345-", "P12345-2048", "P12345-01", "P12345-00", "P12345-9999",
		"P12345-20470", "P12345--1", "P12345-+1", "P12345- 1", "P12345-1a",
		"A0A017SEE6-0", "A0A017SEE6-", "A0A017SEE6-2048", "A0A017SEE6-01",
		"A0A017SEE6-12345",
		"PA1234", "P1234A", "11234A", "A1234A", /* digit/letter classes */
		"A11234", /* non-OPQ needs a letter third */
		"O0A017SEE6", "P0A017SEE6", "Q0A017SEE6", /* OPQ never long */
		"A0A01!SEE6", "A0A0176EE6", "A01017SEE6", "A0A017SEEA", "A0A01ASEE6",
		"P3194-6", "P31946 ", " P31946", "P31946\n", "P-31946", "-P31946",
		"P31946-1-", "A0A017SEE-6", "P12345_1", "P12345.1",
		"a12345", "P1234\xC5", "P12345-\xB9",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (enc(bad[i]) != 0)
			fail_msg("accepted invalid accession \"%s\"", bad[i]);

	/* Embedded NUL: the length covers it. */
	assert_int_equal(idmap_acc_encode("P31\0" "46", 6), 0);
	assert_int_equal(idmap_acc_encode("P31946\0" "1", 8), 0);
	assert_int_equal(idmap_acc_encode("P31946-\0", 8), 0);
	assert_int_equal(idmap_acc_encode("A0A017SEE\0", 10), 0);
	/* A valid prefix under a shorter length is judged by the length alone. */
	assert_int_equal(idmap_acc_encode("P31946-2", 6), enc("P31946"));
	assert_int_equal(idmap_acc_encode("P31946-2", 7), 0);
}

static void test_code_layout(void **state)
{
	(void)state;
	/* P31946: digits P=25 3 1 9 4 6, read in base 36. */
	uint64_t b = ((((25ull * 36 + 3) * 36 + 1) * 36 + 9) * 36 + 4) * 36 + 6;
	assert_int_equal(enc("P31946"), b << 12);
	assert_int_equal(enc("P31946-7"), (b << 12) | 7);
	uint64_t l = 0;
	for (const char *s = "A0A017SEE6"; *s; s++)
		l = l * 36 + (uint64_t)(*s <= '9' ? *s - '0' : *s - 'A' + 10);
	assert_int_equal(enc("A0A017SEE6"), (l << 12) | (1u << 11));
	assert_int_equal(enc("A0A017SEE6-2047"), (l << 12) | (1u << 11) | 2047);
}

static void test_helpers(void **state)
{
	(void)state;
	uint64_t c = enc("Q9CQV8-1");
	assert_int_equal(idmap_acc_canonical(c), enc("Q9CQV8"));
	assert_int_equal(idmap_acc_isoform(c), 1);
	assert_int_equal(idmap_acc_isoform(enc("Q9CQV8")), 0);
	assert_int_equal(idmap_acc_isoform(enc("A0A017SEE6-2047")), 2047);
	assert_int_equal(idmap_acc_canonical(enc("A0A017SEE6-2047")), enc("A0A017SEE6"));
	assert_int_equal(idmap_acc_canonical(enc("A0A017SEE6")), enc("A0A017SEE6"));
}

static void test_order(void **state)
{
	(void)state;
	uint64_t a = enc("P00750"), a1 = enc("P00750-1"), a2 = enc("P00750-2");
	uint64_t amax = enc("P00750-2047"), next = enc("P00751");
	assert_true(a < a1 && a1 < a2 && a2 < amax && amax < next);
	assert_int_equal(a1, a + 1);
	assert_int_equal(a2, a + 2);
	assert_int_equal(amax, a + IDMAP_ACC_ISOFORM_MAX);
	assert_int_equal(next, a + (1u << 12));
	assert_int_equal(idmap_acc_canonical(amax), a);
	/* All isoforms of one accession lie in [canonical, canonical + 2047]. */
	assert_true(next - a > IDMAP_ACC_ISOFORM_MAX);
	/* Long and short accessions never share a code range. */
	assert_true(enc("A0A017SEE6") > enc("Z9ZZZ9-2047"));
	assert_true(enc("Q6GZX4") < enc("Q6GZX5"));
	assert_true(enc("A0A000") < enc("B0A000"));
}

static void test_decode_rejects(void **state)
{
	(void)state;
	char out[IDMAP_ACC_TEXT_MAX];
	static const uint64_t bad[] = {
		0, 1, 2047, 1u << 11, (1u << 11) | 5,	 /* base36 0 */
		((uint64_t)2176782336ull << 12) | 3,	 /* 36^6 (a UPI) with an isoform */
		((uint64_t)2176782336ull << 12) | 1u << 11, /* or with the long flag */
		(2176782336ull + (1ull << 40)) << 12,	 /* past the last UPI */
		(uint64_t)3656158440062976ull << 12 | (1u << 11), /* 36^10: too big for long */
		UINT64_MAX, UINT64_MAX - 2047, UINT64_MAX << 12,
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(out, 'x', sizeof out);
		assert_int_equal(idmap_acc_decode(bad[i], out), 0);
		assert_string_equal(out, "");
	}
	/* Right digits, wrong grammar: "P3194A" and a long-flagged short one. */
	uint64_t p = enc("P31946");
	assert_int_equal(idmap_acc_decode(p + (4u << 12), out), 0); /* P3194A */
	assert_int_equal(idmap_acc_decode(p | (1u << 11), out), 0);  /* long flag, 6 digits */
	/* A long code without the long flag is too big for the short range. */
	assert_int_equal(idmap_acc_decode(enc("A0A017SEE6") & ~(1ull << 11), out), 0);
	/* O/P/Q long accession built by hand: O0A017SEE6. */
	uint64_t l = 0;
	for (const char *s = "O0A017SEE6"; *s; s++)
		l = l * 36 + (uint64_t)(*s <= '9' ? *s - '0' : *s - 'A' + 10);
	assert_int_equal(idmap_acc_decode((l << 12) | (1u << 11), out), 0);
	assert_int_equal(idmap_acc_decode((l << 12) | (1u << 11) | 3, out), 0);
}

/* Exhaustive decode over a code range: every code decodes to text that encodes back to it,
 * or is rejected; a decoded text is never accepted with another code. */
static void test_decode_range(void **state)
{
	(void)state;
	char out[IDMAP_ACC_TEXT_MAX];
	uint64_t base = enc("P31946") - (3u << 12);
	size_t ok = 0;
	for (uint64_t c = base; c < base + (1u << 20); c++) {
		size_t n = idmap_acc_decode(c, out);
		if (n == 0)
			continue;
		ok++;
		assert_int_equal(n, strlen(out));
		assert_int_equal(idmap_acc_encode(out, n), c);
	}
	assert_true(ok > 0);
}

/* UPIs: round trip, text form, the codes never met by accessions (FORMAT.md, "Encoded
 * accessions"), and no accession parser accepts them. */
static void test_upi(void **state)
{
	(void)state;
	char out[IDMAP_ACC_TEXT_MAX];
	static const char *const ok[] = {"UPI0000000000", "UPI000041C017", "UPI0000000001",
					 "UPIFFFFFFFFFF", "UPI00ABCDEF12"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		uint64_t c = idmap_upi_encode(ok[i], strlen(ok[i]));
		assert_true(idmap_code_is_upi(c));
		assert_int_equal(idmap_acc_decode(c, out), 13);
		assert_string_equal(out, ok[i]);
		assert_int_equal(idmap_acc_encode(ok[i], strlen(ok[i])), 0);
		assert_int_equal(idmap_acc_canonical(c), c);
		assert_int_equal(idmap_acc_isoform(c), 0);
	}
	assert_int_equal(idmap_upi_encode("UPI000041C017", 13), idmap_upi_code(0x41C017));
	assert_int_equal(idmap_code_upi(idmap_upi_code(0x41C017)), 0x41C017);
	assert_int_equal(idmap_upi_code(0), 2176782336ull << 12);
	assert_int_equal(idmap_acc_decode(idmap_upi_code(0xABCDEF), out), 13);
	assert_string_equal(out, "UPI0000ABCDEF");
	static const char *const bad[] = {"UPI000041c017", "UPI000041C01", "UPI000041C0177",
					  "upi000041C017", "UPJ000041C017", "UPI000041G017",
					  "UPI000041C01-", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(idmap_upi_encode(bad[i], strlen(bad[i])), 0);
	/* The largest accession codes lie below the smallest UPI code; UPI codes are not
	 * accessions of either length. */
	uint64_t top6 = enc("Z9ZZZ9-2047"), top10 = enc("Z9ZZZ9ZZZ9-2047");
	assert_true(top6 != 0 && top10 != 0);
	assert_true(top6 < idmap_upi_code(0));
	assert_false(idmap_code_is_upi(top6));
	assert_false(idmap_code_is_upi(top10));
	assert_false(idmap_code_is_upi(enc("A0A023GPI8")));
	assert_false(idmap_code_is_upi(0));
	assert_true(idmap_code_is_upi(idmap_upi_code(IDMAP_UPI_MAX)));
	assert_false(idmap_code_is_upi(idmap_upi_code(IDMAP_UPI_MAX) + (1u << 12)));
	/* Codes near and between UPIs: a code decodes to a UPI exactly when it is one. */
	for (uint64_t c = idmap_upi_code(0x41C017) - 4096; c < idmap_upi_code(0x41C019); c++) {
		size_t n = idmap_acc_decode(c, out);
		assert_int_equal(n != 0, idmap_code_is_upi(c));
		if (n)
			assert_int_equal(idmap_upi_encode(out, n), c);
	}
}

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static char rnd_digit(void) { return (char)('0' + rnd() % 10); }
static char rnd_alpha(void) { return (char)('A' + rnd() % 26); }
static char rnd_alnum(void)
{
	unsigned v = (unsigned)(rnd() % 36);
	return (char)(v < 10 ? '0' + v : 'A' + v - 10);
}
static char rnd_not_opq(void)
{
	for (;;) {
		char c = rnd_alpha();
		if (c < 'O' || c > 'Q')
			return c;
	}
}

/* A random valid accession, generated straight from the grammar. */
static size_t rnd_accession(char *s)
{
	size_t n = 0;
	switch (rnd() % 3) {
	case 0:
		s[n++] = "OPQ"[rnd() % 3];
		s[n++] = rnd_digit();
		for (int i = 0; i < 3; i++)
			s[n++] = rnd_alnum();
		s[n++] = rnd_digit();
		break;
	default: {
		int groups = 1 + (int)(rnd() % 2);
		s[n++] = rnd_not_opq();
		s[n++] = rnd_digit();
		for (int g = 0; g < groups; g++) {
			s[n++] = rnd_alpha();
			s[n++] = rnd_alnum();
			s[n++] = rnd_alnum();
			s[n++] = rnd_digit();
		}
		break;
	}
	}
	unsigned r = (unsigned)(rnd() % 4);
	if (r) {
		/* isoforms of 1 to 4 digits, edges included */
		static const unsigned edge[] = {1, 9, 10, 99, 100, 999, 1000, 2047};
		unsigned iso = r == 1 ? edge[rnd() % 8] : 1 + (unsigned)(rnd() % 2047);
		n += (size_t)sprintf(s + n, "-%u", iso);
	}
	s[n] = '\0';
	return n;
}

static void test_random_round_trip(void **state)
{
	(void)state;
	char s[32], out[IDMAP_ACC_TEXT_MAX];
	for (int i = 0; i < 2000000; i++) {
		size_t n = rnd_accession(s);
		uint64_t c = idmap_acc_encode(s, n);
		if (c == 0)
			fail_msg("rejected valid accession \"%s\"", s);
		if (idmap_acc_decode(c, out) != n || memcmp(out, s, n + 1) != 0)
			fail_msg("\"%s\" -> %llx -> \"%s\"", s, (unsigned long long)c, out);
		/* Corrupting one character of the core to lower case always rejects. */
		size_t k = (size_t)(rnd() % (s[6] == '-' || n == 6 ? 6 : 10));
		if (s[k] >= 'A' && s[k] <= 'Z') {
			s[k] = (char)(s[k] + 32);
			assert_int_equal(idmap_acc_encode(s, n), 0);
		}
	}
}

/* Whatever text the encoder accepts is the one its code decodes to (accession.h): value
 * coding relies on it, taking an encoded accession as written canonically. Valid accessions
 * with one or two bytes changed, cut or extended. */
static void test_accepted_is_canonical(void **state)
{
	(void)state;
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZaoz-_ ";
	char s[32], out[IDMAP_ACC_TEXT_MAX];
	unsigned accepted = 0;
	for (int i = 0; i < 2000000; i++) {
		size_t n = rnd_accession(s);
		for (int m = 0; m < 1 + (int)(rnd() % 2); m++)
			s[rnd() % n] = alphabet[rnd() % (sizeof alphabet - 1)];
		if (rnd() % 4 == 0) { /* one shorter, the same, or one longer */
			size_t m = n - 1 + (size_t)(rnd() % 3);
			if (m > n)
				s[n] = alphabet[rnd() % (sizeof alphabet - 1)];
			n = m;
		}
		uint64_t c = idmap_acc_encode(s, n);
		if (c == 0)
			continue;
		accepted++;
		if (idmap_acc_decode(c, out) != n || memcmp(out, s, n) != 0)
			fail_msg("\"%.*s\" accepted as %llx, which decodes to \"%s\"", (int)n, s,
				 (unsigned long long)c, out);
	}
	assert_true(accepted > 100000); /* the mutations keep many valid */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_forms),
		cmocka_unit_test(test_invalid_forms),
		cmocka_unit_test(test_code_layout),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_decode_range),
		cmocka_unit_test(test_upi),
		cmocka_unit_test(test_random_round_trip),
		cmocka_unit_test(test_accepted_is_canonical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
