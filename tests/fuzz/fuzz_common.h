/* Shared by the fuzz targets: the libFuzzer entry point's prototype, checks of the triples a
 * parser emits, and a line splitter that feeds a parser the way builder/input.c does. */
#ifndef IDMAP_FUZZ_COMMON_H
#define IDMAP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accession.h"
#include "idmap_format.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: print and abort, so both libFuzzer and the replay driver report it. */
#define FUZZ_CHECK(cond)                                                                       \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                               \
		}                                                                              \
	} while (0)

/* The contract of idmap_triple_fn (input.h, FORMAT.md limits) for any triple a parser emits.
 * ctx, when not NULL, is a [begin, end) pair of pointers the value must lie inside. */
static inline int fuzz_check_triple(void *ctx, const idmap_triple *t, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	FUZZ_CHECK(t->type && t->type_len >= 1 && t->type_len <= 64);
	FUZZ_CHECK(t->value && t->value_len >= 1 && t->value_len <= IDMAP_MAX_VALUE);
	FUZZ_CHECK(!memchr(t->value, '\t', t->value_len));
	FUZZ_CHECK(!memchr(t->value, '\n', t->value_len));
	FUZZ_CHECK(!memchr(t->value, '\0', t->value_len));
	char text[IDMAP_ACC_TEXT_MAX];
	if (t->acc && idmap_code_is_upi(t->acc)) {
		/* UniParc cross-references: idmap's own types, printable values */
		FUZZ_CHECK(t->type_len > 8 && (!memcmp(t->type, "#uniparc", 8) ||
					       (t->type_len > 21 &&
						!memcmp(t->type, "#unversioned:#uniparc", 21))));
		for (size_t i = 0; i < t->value_len; i++)
			FUZZ_CHECK((unsigned char)t->value[i] >= 0x20);
	} else if (t->type[0] == '#') {
		/* history records: the value is an accession's text */
		FUZZ_CHECK(t->value_len < IDMAP_ACC_TEXT_MAX);
		FUZZ_CHECK(idmap_acc_encode(t->value, t->value_len) != 0);
	} else {
		for (size_t i = 0; i < t->type_len; i++)
			FUZZ_CHECK(t->type[i] > 0x20 && t->type[i] < 0x7f);
	}
	if (t->acc)
		FUZZ_CHECK(idmap_acc_decode(t->acc, text) > 0);
	else
		FUZZ_CHECK(t->type_len >= 8 && memcmp(t->type, "#deleted", 8) == 0 &&
			   (t->type_len == 8 || (t->type_len == 11 &&
						 (!memcmp(t->type + 8, "-sp", 3) ||
						  !memcmp(t->type + 8, "-tr", 3)))));
	if (ctx) {
		const char *const *range = ctx;
		FUZZ_CHECK(t->value >= range[0] && t->value + t->value_len <= range[1]);
	}
	return 0;
}

/* The fuzz input as a file: a memfd holding data, its /proc path in path. Returns the
 * descriptor (close it after the read). Needs _GNU_SOURCE, <sys/mman.h> and <unistd.h>. */
#define FUZZ_MEMFD(data, size, path)                                                           \
	({                                                                                     \
		int fd_ = memfd_create("fuzz-input", MFD_CLOEXEC);                             \
		FUZZ_CHECK(fd_ >= 0);                                                          \
		FUZZ_CHECK(write(fd_, (data), (size)) == (ssize_t)(size));                     \
		snprintf((path), sizeof(path), "/proc/self/fd/%d", fd_);                       \
		fd_;                                                                           \
	})

/* A message of a failed parse: "NAME:LINE: ..." and NUL-terminated inside its buffer. */
static inline void fuzz_check_error(const char *err, size_t errlen, const char *name)
{
	FUZZ_CHECK(memchr(err, '\0', errlen) != NULL);
	FUZZ_CHECK(strncmp(err, name, strlen(name)) == 0);
}

#endif
