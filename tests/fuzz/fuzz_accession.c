/* Fuzz target: the accession grammar (format/accession.c). Text that encodes must decode to
 * itself; a code that decodes must encode back to itself; codes keep accessions and their
 * isoforms adjacent (canonical code = code without the isoform bits). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[IDMAP_ACC_TEXT_MAX];
	/* text -> code -> text */
	char *s = malloc(size ? size : 1); /* exact size: reads past it are caught */
	FUZZ_CHECK(s);
	memcpy(s, data, size);
	uint64_t code = idmap_acc_encode(s, size);
	if (code) {
		FUZZ_CHECK(size < IDMAP_ACC_TEXT_MAX);
		size_t n = idmap_acc_decode(code, text);
		FUZZ_CHECK(n == size && memcmp(text, s, size) == 0 && text[n] == '\0');
		uint64_t canon = idmap_acc_canonical(code);
		FUZZ_CHECK(idmap_acc_decode(canon, text) > 0);
		FUZZ_CHECK(idmap_acc_isoform(code) <= IDMAP_ACC_ISOFORM_MAX);
		/* the canonical text is a prefix of the isoform's */
		FUZZ_CHECK(memcmp(text, s, strlen(text)) == 0);
	}
	free(s);
	/* code -> text -> code, for the first 8 bytes read as a code */
	if (size >= 8) {
		uint64_t c;
		memcpy(&c, data, 8);
		size_t n = idmap_acc_decode(c, text);
		FUZZ_CHECK(text[n] == '\0');
		if (n) {
			FUZZ_CHECK(n < IDMAP_ACC_TEXT_MAX);
			FUZZ_CHECK(idmap_acc_encode(text, n) == c);
		} else {
			FUZZ_CHECK(text[0] == '\0');
		}
	}
	return 0;
}
