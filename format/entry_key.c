/* Entry ids <-> (space, code) keys of the entry store (FORMAT.md, "Entry store"). */
#include "entry_format.h"

#include <stdio.h>
#include <string.h>

#include "accession.h"

#define UPI_LEN 13 /* "UPI" and ten hex digits */

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A UPI id: 0 with its number, or -1. */
static int upi_code(const char *s, size_t len, uint64_t *code)
{
	if (len != UPI_LEN || memcmp(s, "UPI", 3) != 0)
		return -1;
	uint64_t v = 0;
	for (size_t i = 3; i < len; i++) {
		int h = hex_val(s[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (uint64_t)h;
	}
	*code = v;
	return 0;
}

/* "UniRef100_" -> 0, "UniRef90_" -> 1, "UniRef50_" -> 2; the prefix length in *n. */
static int uniref_level(const char *s, size_t len, size_t *n)
{
	static const char *const pre[] = {"UniRef100_", "UniRef90_", "UniRef50_"};
	for (int i = 0; i < 3; i++) {
		size_t k = strlen(pre[i]);
		if (len > k && memcmp(s, pre[i], k) == 0) {
			*n = k;
			return i;
		}
	}
	return -1;
}

int idmap_entry_key(const char *s, size_t len, uint8_t *space, uint64_t *code)
{
	size_t n;
	int level = uniref_level(s, len, &n);
	if (level >= 0) {
		uint8_t base = (uint8_t)(IDMAP_ES_UNIREF + 2 * level);
		if (upi_code(s + n, len - n, code) == 0) {
			*space = base + 1;
			return 0;
		}
		if (len - n < IDMAP_ACC_TEXT_MAX && (*code = idmap_acc_encode(s + n, len - n))) {
			*space = base;
			return 0;
		}
		return -1;
	}
	if (upi_code(s, len, code) == 0) {
		*space = IDMAP_ES_UNIPARC;
		return 0;
	}
	if (len > 0 && len < IDMAP_ACC_TEXT_MAX && (*code = idmap_acc_encode(s, len))) {
		*space = IDMAP_ES_UNIPROTKB;
		return 0;
	}
	return -1;
}

size_t idmap_entry_key_text(uint8_t space, uint64_t code, char out[32])
{
	static const char *const pre[] = {"UniRef100_", "UniRef90_", "UniRef50_"};
	char acc[IDMAP_ACC_TEXT_MAX];
	int upi = space == IDMAP_ES_UNIPARC ||
		  (space >= IDMAP_ES_UNIREF && space <= IDMAP_ES_LAST && (space - IDMAP_ES_UNIREF) % 2);
	const char *prefix = space >= IDMAP_ES_UNIREF && space <= IDMAP_ES_LAST
				     ? pre[(space - IDMAP_ES_UNIREF) / 2]
				     : "";
	int n;
	out[0] = 0;
	if (space < IDMAP_ES_UNIPROTKB || space > IDMAP_ES_LAST)
		return 0;
	if (upi) {
		if (code >> 40)
			return 0;
		n = snprintf(out, 32, "%sUPI%010llX", prefix, (unsigned long long)code);
	} else {
		if (!idmap_acc_decode(code, acc))
			return 0;
		n = snprintf(out, 32, "%s%s", prefix, acc);
	}
	return n > 0 && n < 32 ? (size_t)n : 0;
}
