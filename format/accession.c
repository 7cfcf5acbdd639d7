/* UniProtKB accessions <-> 64-bit codes (FORMAT.md, "Encoded accessions").
 * The encoder runs once per input line (billions of times): a table lookup per character and
 * no branches beyond the grammar itself. */
#include "accession.h"

#include <string.h>

/* Base-36 value plus one of a character; 0 for anything outside [0-9A-Z] (NUL, lower case),
 * which becomes 0xFF after the minus one and fails every character class. */
static const uint8_t b36p1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16, ['G'] = 17,
	['H'] = 18, ['I'] = 19, ['J'] = 20, ['K'] = 21, ['L'] = 22, ['M'] = 23, ['N'] = 24,
	['O'] = 25, ['P'] = 26, ['Q'] = 27, ['R'] = 28, ['S'] = 29, ['T'] = 30, ['U'] = 31,
	['V'] = 32, ['W'] = 33, ['X'] = 34, ['Y'] = 35, ['Z'] = 36,
};

#define V_O 24u
#define V_Q 26u
#define B36_6 2176782336ull		/* 36^6 */
#define B36_10 3656158440062976ull	/* 36^10 */

static inline int is_digit(unsigned v) { return v < 10; }
static inline int is_alnum(unsigned v) { return v < 36; }
static inline int is_alpha(unsigned v) { return v - 10 < 26; }

/* Grammar check on base-36 digit values (0xFF fails every class):
 * 6:  [OPQ][0-9][A-Z0-9]{3}[0-9]  or  [A-NR-Z][0-9][A-Z][A-Z0-9]{2}[0-9]
 * 10: [A-NR-Z][0-9][A-Z][A-Z0-9]{2}[0-9][A-Z][A-Z0-9]{2}[0-9] */
static inline int core_ok(const uint8_t *v, int longform)
{
	unsigned c0 = v[0];
	if (!is_alpha(c0) || !is_digit(v[1]) || !is_alnum(v[3]) || !is_alnum(v[4]) ||
	    !is_digit(v[5]))
		return 0;
	int opq = c0 - V_O <= V_Q - V_O;
	if (!longform)
		return opq ? is_alnum(v[2]) : is_alpha(v[2]);
	return !opq && is_alpha(v[2]) && is_alpha(v[6]) && is_alnum(v[7]) && is_alnum(v[8]) &&
	       is_digit(v[9]);
}

uint64_t idmap_acc_encode(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t core;
	if (len == 6 || (len >= 8 && u[6] == '-'))
		core = 6;
	else if (len == 10 || (len >= 12 && u[10] == '-'))
		core = 10;
	else
		return 0;

	uint8_t v[10];
	uint64_t b = 0;
	for (size_t i = 0; i < core; i++) {
		v[i] = (uint8_t)(b36p1[u[i]] - 1);
		b = b * 36 + v[i];	/* garbage on a bad character, but core_ok fails */
	}
	if (!core_ok(v, core == 10))
		return 0;

	uint64_t iso = 0;
	size_t rest = len - core;
	if (rest) {
		/* "-N": 1 to 4 digits, no leading zero, N <= 2047. */
		if (rest < 2 || rest > 5 || u[core + 1] == '0')
			return 0;
		for (size_t i = core + 1; i < len; i++) {
			unsigned d = (unsigned)u[i] - '0';
			if (d > 9)
				return 0;
			iso = iso * 10 + d;
		}
		if (iso > IDMAP_ACC_ISOFORM_MAX)
			return 0;
	}
	return (b << 12) | ((uint64_t)(core == 10) << 11) | iso;
}

uint64_t idmap_upi_encode(const char *s, size_t len)
{
	if (len != IDMAP_UPI_TEXT_LEN || memcmp(s, "UPI", 3) != 0)
		return 0;
	uint64_t n = 0;
	for (size_t i = 3; i < len; i++) {
		unsigned v = (unsigned)(b36p1[(unsigned char)s[i]] - 1);
		if (v > 15)	/* not 0-9A-F, lower case included */
			return 0;
		n = n << 4 | v;
	}
	return idmap_upi_code(n);
}

static size_t upi_decode(uint64_t code, char out[IDMAP_ACC_TEXT_MAX])
{
	static const char hex[] = "0123456789ABCDEF";
	uint64_t n = idmap_code_upi(code);
	memcpy(out, "UPI", 3);
	for (int i = 12; i >= 3; i--, n >>= 4)
		out[i] = hex[n & 15];
	out[IDMAP_UPI_TEXT_LEN] = '\0';
	return IDMAP_UPI_TEXT_LEN;
}

size_t idmap_acc_decode(uint64_t code, char out[IDMAP_ACC_TEXT_MAX])
{
	static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	out[0] = '\0';
	if (idmap_code_is_upi(code))
		return upi_decode(code, out);
	int longform = (int)((code >> 11) & 1);
	unsigned iso = (unsigned)(code & IDMAP_ACC_ISOFORM_MASK);
	uint64_t b = code >> 12;
	size_t core = longform ? 10 : 6;
	if (b >= (longform ? B36_10 : B36_6))
		return 0;

	uint8_t v[10];
	for (size_t i = core; i-- > 0;) {
		v[i] = (uint8_t)(b % 36);
		b /= 36;
	}
	if (!core_ok(v, longform))
		return 0;

	size_t n = 0;
	for (size_t i = 0; i < core; i++)
		out[n++] = digits[v[i]];
	if (iso) {
		char tmp[4];
		size_t k = 0;
		out[n++] = '-';
		while (iso) {
			tmp[k++] = (char)('0' + iso % 10);
			iso /= 10;
		}
		while (k)
			out[n++] = tmp[--k];
	}
	out[n] = '\0';
	return n;
}
