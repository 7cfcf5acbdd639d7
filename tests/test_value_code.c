/* Value coding (FORMAT.md, "Value coding"): every value of every type codes and decodes back
 * to itself, odd values included; the coding is prefix-free; an index of such values finds
 * each one by its exact text and nothing else. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "idmap.h"
#include "accession.h"
#include "test_util.h"
#include "value_code.h"

/* Types whose codings differ: prefixes, accessions, versions, aliases, plain text. */
static const char *const types[] = {
	"GI", "GeneID", "GO", "HGNC", "MGI", "ChEMBL", "UniParc", "UniRef100", "UniRef90",
	"UniRef50", "#secondary", "#deleted-sp", "#isoform-of", "Gene_Name", "UniProtKB-ID",
	"CRC64", "EMBL", "EMBL-CDS", "RefSeq", "Ensembl", "#unversioned:RefSeq",
	"#uniparc:RefSeq", "#uniparc-inactive:UniRef90", "MEROPS",
};

/* Odd values: empty after a prefix, leading zeros, numbers past 2^32 and 2^64, lower-case
 * hex, accession-shaped values that are no accessions, versions with leading zeros. */
static const char *const odd[] = {
	"UniRef90_", "UniRef50_", "UPI", "GO:", "CHEMBL", "007", "0", "00", "4294967296",
	"18446744073709551615", "18446744073709551616", "99999999999999999999",
	"1234567890123456789", "12345678901234567890123456789012",
	"123456789012345678901234567890123", "upi00000000ab", "UPI00000000ab", "UPI0000000001",
	"UniRef90_P31946", "UniRef90_p31946", "UniRef90_P31946-0", "UniRef90_P31946-01",
	"UniRef90_P31946-2048", "UniRef90_P31946-2047", "UniRef90_A0A023GPI8-12",
	"UniRef90_UPI0000000001", "UniRef90_UniRef90_P31946", "P31946", "P31946-1", "Q00001-2",
	"A0A023GPI8", "A0A023GPI", "P3194", "NP_003395.1", "NP_003395.01", "NP_003395.0001",
	"NP_003395.10000", "NP_003395.", "ENSG00000166913.13", "ENSG00000166913", "9606.ENSP1",
	"S01.232", "X", "_", "a", ".1", "A.1", "AB1.1", "1.1", "ABC", "abc", "DEADBEEF",
	"deadbeef", "F", "GO:0005515", "GO:GO:1", "HGNC:5", "MGI:0001", "CHEMBL1234",
	"TP53", "1433B_HUMAN", "A0A024R161_HUMAN", "AAA12345", "ABC000", "ABC00000000000000000001",
	"ABC0000000000000000001", "ABC100", "ABC099", "ABC1000000000000000000",
	"ABC9999999999999999999", "ABC10000000000000000000", "FABJA37478", "F190837E321A3B82",
	"0123456789ABCDEF0123456789ABCDEF", "x y\tz", "\xc3\xa9t\xc3\xa9", "\xff\xfe", "UniRef100_",
	/* entry names: accession + `_` + mnemonic, and look-alikes that are not */
	"A0A023GPI8_CANAL", "a0a023gpi8_canal", "A0A023GPI8_canal", "P31946_", "P31946HUMAN",
	"P31946-2_HUMAN", "P31946-0_HUMAN", "P31946-02_HUMAN", "A0A023GPI_CANAL", "_HUMAN",
	"P31946__HUMAN", "P31946_HUMAN_", "P31946_12345", "UPI0000000001_HUMAN", "P31946_\xff",
	"A0A023GPI8-2047_X", "A0A023GPI8-2048_X", "p31946_HUMAN", "Q00001_HUMAN.1",
};

static void round_trip(const idmap_vcode *c, const char *v, size_t len)
{
	uint8_t out[IDMAP_VCODE_MAX + 16], again[IDMAP_VCODE_MAX];
	char back[IDMAP_MAX_VALUE + 1];
	size_t n = idmap_vcode_encode(c, v, len, out);
	assert_true(n >= 1 && n <= IDMAP_VCODE_MAX);
	/* prefix-free: the coded value's own bytes give its length, whatever follows */
	memset(out + n, 0xA5, 16);
	assert_int_equal(idmap_vcode_skip(c, out, out + n + 16), n);
	assert_int_equal(idmap_vcode_skip(c, out, out + n), n);
	if (n > 1)
		assert_int_equal(idmap_vcode_skip(c, out, out + n - 1), 0);
	assert_int_equal(idmap_vcode_decode(c, out, n, back), len);
	assert_memory_equal(back, v, len);
	assert_int_equal(back[len], 0);
	assert_int_equal(idmap_vcode_encode(c, back, len, again), n);
	assert_memory_equal(again, out, n);
}

static void test_odd_values_round_trip(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
		idmap_vcode c;
		idmap_vcode_of(types[t], strlen(types[t]), &c);
		for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
			round_trip(&c, odd[i], strlen(odd[i]));
		char longest[IDMAP_MAX_VALUE];
		memset(longest, '7', sizeof longest);
		round_trip(&c, longest, sizeof longest);
		memcpy(longest, "NP_", 3);
		memcpy(longest + sizeof longest - 2, ".9", 2);
		round_trip(&c, longest, sizeof longest);
	}
}

/* Random values over an alphabet that hits every form: digits, hex, accession letters, the
 * prefixes' characters, dots and dashes. */
static void test_random_values_round_trip(void **state)
{
	(void)state;
	static const char alpha[] = "0123456789ABCDEFPQOUniRef_:.-xyzG";
	uint64_t x = 0x9E3779B97F4A7C15ull;
	char v[64];
	for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
		idmap_vcode c;
		idmap_vcode_of(types[t], strlen(types[t]), &c);
		for (int k = 0; k < 20000; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			size_t len = 1 + x % 40, start = 0;
			if (c.prefix_len && x >> 60 < 12) { /* mostly values with the prefix */
				memcpy(v, c.prefix, c.prefix_len);
				start = c.prefix_len;
				len += start;
			}
			for (size_t i = start; i < len; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				v[i] = alpha[(x >> 20) % (sizeof alpha - 1)];
			}
			round_trip(&c, v, len);
		}
	}
}

/* Entry names (UniProtKB-ID) whose text before the first `_` is an accession written as its
 * code decodes take form 6: the code's payload and the mnemonic; anything else another form. */
static void test_entry_name_form(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		size_t coded; /* 0: not form 6 */
	} cases[] = {
		{"A0A023GPI8_CANAL", 1 + 7 + 5}, {"P31946_HUMAN", 1 + 4 + 5}, {"P31946_", 1 + 4},
		{"P31946__X", 1 + 4 + 2}, {"P31946-2_HUMAN", 0}, /* entry names have no isoform */
		{"P31946_12345", 1 + 4 + 5}, /* before form 4 (text + number) */
		{"a0a023gpi8_canal", 0}, {"P31946-0_HUMAN", 0}, {"P31946-02_HUMAN", 0},
		{"A0A023GPI_CANAL", 0}, {"_HUMAN", 0}, {"P31946HUMAN", 0},
		{"UPI0000000001_HUMAN", 0}, {"1433B_HUMAN", 0},
	};
	idmap_vcode c, other;
	idmap_vcode_of("UniProtKB-ID", 12, &c);
	idmap_vcode_of("Gene_Name", 9, &other);
	assert_true(c.named && !other.named);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		uint8_t out[IDMAP_VCODE_MAX];
		size_t len = strlen(cases[i].v), n = idmap_vcode_encode(&c, cases[i].v, len, out);
		if ((out[0] & 7) != (cases[i].coded ? IDMAP_VC_NAME : IDMAP_VC_TEXT) ||
		    (cases[i].coded && n != cases[i].coded))
			fail_msg("%s: form %d, %zu bytes", cases[i].v, out[0] & 7, n);
		n = idmap_vcode_encode(&other, cases[i].v, len, out);
		assert_int_not_equal(out[0] & 7, IDMAP_VC_NAME);
	}
	/* the longest name: its head's n (mnemonic length << 1 | long) passes 1024 */
	char longest[IDMAP_MAX_VALUE];
	memset(longest, 'M', sizeof longest);
	memcpy(longest, "A0A023GPI8_", 11);
	round_trip(&c, longest, sizeof longest);
}

/* Damaged coded values are refused, never read past their end. */
static void test_damaged_values_refused(void **state)
{
	(void)state;
	idmap_vcode c;
	idmap_vcode_of("GeneID", 6, &c);
	char back[IDMAP_MAX_VALUE + 1];
	const uint8_t unassigned[] = {0x06}, decimal_too_big[] = {0x09, 0x0a}, /* 1 digit, 10 */
		hex_odd_tail[] = {0x12, 0xab}, /* 3 hex digits (n = 2) need 2 bytes */
		cut[] = {0x80};
	assert_int_equal(idmap_vcode_skip(&c, unassigned, unassigned + 1), 0);
	assert_int_equal(idmap_vcode_decode(&c, decimal_too_big, 2, back), 0);
	assert_int_equal(idmap_vcode_skip(&c, hex_odd_tail, hex_odd_tail + 2), 0);
	assert_int_equal(idmap_vcode_skip(&c, cut, cut + 1), 0);
	const uint8_t hex_dirty[] = {0x02, 0xa5}; /* 1 hex digit (n = 0), low half not 0 */
	assert_int_equal(idmap_vcode_decode(&c, hex_dirty, 2, back), 0);
	/* entry names: a mnemonic of 2 bytes with 1 left; a base-36 number past 10 characters;
	 * a mnemonic past 1024 bytes (n = 2049 << 1) */
	idmap_vcode_of("UniProtKB-ID", 12, &c);
	const uint8_t name_cut[] = {(2 << 1) << 3 | 6, 0x5a, 0xb5, 0x41, 0x5c, 'H'},
		      name_big[] = {1 << 3 | 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		      name_long[] = {0x96, 0x80, 0x02};
	assert_int_equal(idmap_vcode_skip(&c, name_cut, name_cut + sizeof name_cut), 0);
	assert_int_equal(idmap_vcode_decode(&c, name_big, sizeof name_big, back), 0);
	assert_int_equal(idmap_vcode_skip(&c, name_long, name_long + sizeof name_long), 0);
}

/* Form 7 (FORMAT.md, "Member values"): a form-3 or form-6 value recoded as posting k, given
 * back with its posting's accession code, equal to the query it came from and to no other. */
static void member_case(const char *type, const char *v, int member)
{
	idmap_vcode c;
	idmap_vcode_of(type, strlen(type), &c);
	uint8_t out[IDMAP_VCODE_MAX], m[IDMAP_VCODE_MAX + 16];
	char back[IDMAP_MAX_VALUE + 1];
	uint64_t code, qcode;
	size_t len = strlen(v), n = idmap_vcode_encode_acc(&c, v, len, out, &qcode);
	assert_int_equal(idmap_vcode_encode(&c, v, len, m), n);
	assert_memory_equal(m, out, n);
	code = idmap_vcode_acc(&c, out, n);
	assert_int_equal(code, qcode);
	if (!member) {
		/* no accession (or one coded in an earlier form): no member form */
		assert_int_equal(code, 0);
		assert_int_equal(idmap_vcode_to_member(&c, out, n, m), 0);
		return;
	}
	size_t at = c.prefix_len, a = c.named ? (size_t)(strchr(v + at, '_') - v) - at : len - at;
	assert_int_equal(code, idmap_acc_encode(v + at, a));
	assert_true(idmap_vcode_names(&c, v, len, code));
	assert_false(idmap_vcode_names(&c, v, len, code + 1));
	/* the same last character, another one before it */
	assert_false(idmap_vcode_names(&c, v, len, code + (36ull << 12)));
	size_t mn = idmap_vcode_to_member(&c, out, n, m);
	assert_true(mn >= 1 && mn <= n);
	memset(m + mn, 0xA5, 16);
	assert_int_equal(idmap_vcode_skip(&c, m, m + mn + 16), mn);
	if (mn > 1)
		assert_int_equal(idmap_vcode_skip(&c, m, m + mn - 1), 0);
	assert_int_equal(idmap_vcode_decode(&c, m, mn, back), 0); /* needs the accession */
	const uint8_t *mm = NULL;
	size_t ml = 0;
	assert_int_equal(idmap_vcode_member_at(&c, m, m + mn, &mm, &ml), mn);
	assert_int_equal(idmap_vcode_member_text(&c, mm, ml, code, back), len);
	assert_memory_equal(back, v, len);
	assert_true(idmap_vcode_member_is(&c, mm, ml, code, out, n, qcode));
	assert_false(idmap_vcode_member_is(&c, mm, ml, code + 1, out, n, qcode));
	/* another value of the type: another code, mnemonic, or form */
	static const char *const others[] = {"UniRef90_P62258", "P31946_HUMAX", "A0A023GPI8_CANA",
					     "UniRef90_UPI0000000001", "P31946", "1433B_HUMAN",
					     "UniRef90_P31946-2", "P31946_HUMANX", "P31946_XHUMAN"};
	for (size_t o = 0; o < sizeof others / sizeof *others; o++) {
		if (strcmp(others[o], v) == 0)
			continue;
		uint8_t q[IDMAP_VCODE_MAX];
		uint64_t oc;
		size_t qn = idmap_vcode_encode_acc(&c, others[o], strlen(others[o]), q, &oc);
		assert_false(idmap_vcode_member_is(&c, mm, ml, code, q, qn, oc));
	}
}

static void test_member_values(void **state)
{
	(void)state;
	member_case("UniRef90", "UniRef90_P31946", 1);
	member_case("UniRef50", "UniRef50_A0A023GPI8-12", 1);
	member_case("UniRef100", "UniRef100_P31946-2", 1);
	member_case("#isoform-of", "P31946", 1);
	member_case("UniProtKB-ID", "P31946_HUMAN", 1);
	member_case("UniProtKB-ID", "A0A023GPI8_CANAL", 1);
	member_case("UniProtKB-ID", "P31946_", 1);	/* an empty mnemonic */
	member_case("UniProtKB-ID", "P31946_A_B", 1); /* a mnemonic with `_` */
	member_case("UniRef90", "UniRef90_UPI0000000001", 0);
	member_case("UniRef90", "UniRef90_A0B123", 0); /* an accession of hex digits: form 2 */
	member_case("UniProtKB-ID", "1433B_HUMAN", 0);
	member_case("GeneID", "P31946", 0);
	/* a mnemonic of 999 bytes: 2-byte heads */
	char longest[1011];
	memset(longest, 'M', sizeof longest - 1);
	memcpy(longest, "A0A023GPI8_", 11);
	longest[sizeof longest - 1] = 0;
	member_case("UniProtKB-ID", longest, 1);
	/* an entry name's accession never has an isoform */
	idmap_vcode c;
	idmap_vcode_of("UniProtKB-ID", 12, &c);
	assert_false(idmap_vcode_names(&c, "P31946-2_HUMAN", 14, idmap_acc_encode("P31946-2", 8)));
	const uint8_t name0[] = {5 << 3 | 7, 'C', 'A', 'N', 'A', 'L'}; /* CANAL */
	char back[IDMAP_MAX_VALUE + 1];
	const uint8_t *m0;
	size_t m0len;
	assert_int_equal(idmap_vcode_member_at(&c, name0, name0 + sizeof name0, &m0, &m0len),
			 sizeof name0);
	assert_int_equal(idmap_vcode_member_text(&c, m0, m0len, idmap_acc_encode("P31946-2", 8),
						 back), 0);
	assert_int_equal(idmap_vcode_skip(&c, name0, name0 + 5), 0); /* the mnemonic cut */
	/* form 7 where it cannot be: a type without accessions, a versioned type, n > 0 */
	const uint8_t k0[] = {0x07}, k16[] = {0x87, 0x01};
	idmap_vcode_of("GeneID", 6, &c);
	assert_int_equal(idmap_vcode_skip(&c, k0, k0 + 1), 0);
	idmap_vcode_of("RefSeq", 6, &c);
	assert_int_equal(idmap_vcode_skip(&c, k0, k0 + 1), 0);
	idmap_vcode_of("UniRef90", 8, &c);
	assert_int_equal(idmap_vcode_skip(&c, k0, k0 + 1), 1);
	assert_int_equal(idmap_vcode_skip(&c, k16, k16 + 2), 0);
	const uint8_t *mm;
	size_t ml;
	assert_int_equal(idmap_vcode_member_at(&c, k16, k16 + 2, &mm, &ml), 0);
}

static void add_line(tu_text *t, const char *acc, const char *type, const char *v)
{
	char line[1200];
	int n = snprintf(line, sizeof line, "%s\t%s\t%s\n", acc, type, v);
	assert_int_equal(tu_text_write(t, line, (size_t)n), 0);
}

/* An index of odd values finds each by its exact text, gives it back as text, and finds no
 * near miss (another case, leading zeros dropped or added, the prefix dropped). */
/* What idmap_vcode_names means, written the long way: the value is the type's prefix, the
 * code's text and, for entry names, `_` and anything; never a UPI (which has no member form). */
static int names_by_decoding(const idmap_vcode *c, const char *v, size_t len, uint64_t code)
{
	char a[IDMAP_ACC_TEXT_MAX];
	size_t n = idmap_acc_decode(code, a), p = c->prefix_len;
	if (!(c->acc || c->named) || idmap_code_is_upi(code) || n == 0 || len < p + n ||
	    memcmp(v, c->prefix, p) != 0 || memcmp(v + p, a, n) != 0)
		return 0;
	if (c->acc)
		return len == p + n;
	return len > p + n && v[p + n] == '_' && idmap_acc_isoform(code) == 0;
}

/* idmap_vcode_names (which encodes the value's accession rather than decode the code) against
 * that definition, on values made from codes and near misses of their text: other case, an
 * isoform with a leading zero, a character more or less, another prefix, UPIs. */
static void test_names_matches_decoding(void **state)
{
	(void)state;
	static const char *const tnames[] = {"UniRef90", "UniRef50", "UniProtKB-ID", "#isoform-of",
					     "GeneID"};
	uint64_t x = 0x2545F4914F6CDD1Dull;
	size_t agree = 0, named = 0;
	for (int k = 0; k < 40000; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		char text[IDMAP_ACC_TEXT_MAX + 8], v[96];
		uint64_t code;
		if (x % 16 == 0) {
			code = idmap_upi_code(x >> 24);
		} else {
			/* a valid accession: P/Q/O form, A-N/R-Z form or the 10-character one */
			static const char *const shapes[] = {"P9A9A9", "A9AA99", "A9AA99A9A9"};
			const char *shape = shapes[(x >> 4) % 3];
			size_t sl = strlen(shape);
			uint64_t y = x;
			for (size_t i = 0; i < sl; i++) {
				y = y * 6364136223846793005ull + 1442695040888963407ull;
				unsigned r = (unsigned)(y >> 33);
				text[i] = shape[i] == '9' ? (char)('0' + r % 10)
					  : shape[i] == 'P' ? "OPQ"[r % 3]
					  : shape[i] == 'A' && i == 0 ? "ABCDEFGHIJKLMNRSTUVWXYZ"[r % 23]
								     : (char)('A' + r % 26);
			}
			size_t tl = sl;
			if (x % 5 == 0)
				tl += (size_t)sprintf(text + tl, "-%u", 1 + (unsigned)(x >> 40) % 2047);
			code = idmap_acc_encode(text, tl);
			assert_true(code != 0);
		}
		size_t tl = idmap_acc_decode(code, text);
		assert_true(tl > 0);
		/* a near miss of the text, or the text itself */
		switch ((x >> 8) % 8) {
		case 0:
			text[(x >> 12) % tl] |= 0x20; /* lower case (digits unchanged) */
			break;
		case 1:
			text[tl++] = '0'; /* one more character */
			break;
		case 2:
			tl--;
			break;
		case 3:
			if (memchr(text, '-', tl)) { /* "-N" as "-0N" */
				char *d = memchr(text, '-', tl);
				memmove(d + 2, d + 1, (size_t)(text + tl - d - 1));
				d[1] = '0';
				tl++;
			}
			break;
		default:
			break;
		}
		for (size_t t = 0; t < sizeof tnames / sizeof *tnames; t++) {
			idmap_vcode c;
			idmap_vcode_of(tnames[t], strlen(tnames[t]), &c);
			size_t len = 0;
			if (c.prefix_len && (x >> 50) % 8 != 0) {
				memcpy(v, c.prefix, c.prefix_len);
				len = c.prefix_len;
			} else if (c.prefix_len) {
				memcpy(v, "UniRef", 6); /* a prefix cut short */
				len = 6;
			}
			memcpy(v + len, text, tl);
			len += tl;
			if (c.named && (x >> 56) % 4 != 0)
				len += (size_t)sprintf(v + len, "_%s", (x >> 58) % 2 ? "HUMAN" : "");
			int want = names_by_decoding(&c, v, len, code);
			assert_int_equal(idmap_vcode_names(&c, v, len, code), want);
			agree++;
			named += (size_t)want;
		}
	}
	/* both answers occur often: the comparison is not between two constant answers */
	assert_true(named > agree / 20 && named < agree / 2);
}

static void test_index_of_odd_values(void **state)
{
	(void)state;
	static const char *const data_types[] = {"GI", "UniRef90", "UniParc", "RefSeq", "GO",
						 "Gene_Name"};
	static const char *const misses[] = {"7", "0007", "p31946", "P31946", "upi00000000AB",
					     "UniRef90_P31946-1", "NP_003395.1 ", "GO:5515",
					     "18446744073709551617", "0005515"};
	size_t ntypes = sizeof data_types / sizeof *data_types, nodd = sizeof odd / sizeof *odd;
	assert_int_equal(tu_make_dir("idmap-vcode-"), 0);
	tu_text t = {0};
	for (size_t a = 0; a < ntypes; a++)
		for (size_t i = 0; i < nodd; i++)
			if (!strchr(odd[i], '\t'))
				add_line(&t, a % 2 ? "P31946" : "Q00001", data_types[a], odd[i]);
	const char *dat = tu_write_file("odd.dat", t.buf, t.len);
	const char *inputs[] = {dat};
	const char *path = tu_path("odd.idx");
	assert_int_equal(tu_build(path, inputs, 1), 0);
	idmap_index *ix;
	assert_int_equal(idmap_open(path, &ix), IDMAP_OK);
	char detail[256];
	assert_int_equal(idmap_verify_flags(ix, IDMAP_VERIFY_FULL, detail, sizeof detail),
			 IDMAP_OK);
	for (size_t a = 0; a < ntypes; a++) {
		uint32_t type;
		assert_int_equal(idmap_type_find(ix, data_types[a], &type), IDMAP_OK);
		for (size_t i = 0; i < nodd; i++) {
			if (strchr(odd[i], '\t'))
				continue;
			uint64_t slot;
			uint32_t got_type;
			char back[IDMAP_VALUE_SIZE];
			size_t len;
			assert_int_equal(idmap_key_find(ix, type, odd[i], strlen(odd[i]), &slot),
					 IDMAP_OK);
			assert_int_equal(idmap_key_get(ix, slot, &got_type, back, &len), IDMAP_OK);
			assert_int_equal(got_type, type);
			assert_string_equal(back, odd[i]);
			assert_int_equal(len, strlen(odd[i]));
			const char *v = odd[i];
			size_t n = strlen(v);
			uint64_t one;
			assert_int_equal(idmap_key_find_batch(ix, type, &v, &n, 1, &one), IDMAP_OK);
			assert_int_equal(one, slot);
		}
		for (size_t m = 0; m < sizeof misses / sizeof *misses; m++) {
			int listed = 0;
			for (size_t i = 0; i < nodd; i++)
				listed |= strcmp(odd[i], misses[m]) == 0;
			uint64_t slot;
			assert_int_equal(idmap_key_find(ix, type, misses[m], strlen(misses[m]), &slot),
					 listed ? IDMAP_OK : IDMAP_ERR_NOT_FOUND);
		}
	}
	idmap_close(ix);
	free(t.buf);
	assert_int_equal(tu_remove_dir(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odd_values_round_trip),
		cmocka_unit_test(test_random_values_round_trip),
		cmocka_unit_test(test_entry_name_form),
		cmocka_unit_test(test_damaged_values_refused),
		cmocka_unit_test(test_member_values),
		cmocka_unit_test(test_names_matches_decoding),
		cmocka_unit_test(test_index_of_odd_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
