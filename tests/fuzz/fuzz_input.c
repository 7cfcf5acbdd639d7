/* Fuzz target: a whole release file through idmap_input_read (builder/input.c): the gzip /
 * plain line reader, BOM / CR / foreign-format detection, kind detection and the parsers
 * behind it. The bytes are the file, read from a memfd. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = FUZZ_MEMFD(data, size, path);
	idmap_input_info info;
	char err[512];
	int rc = idmap_input_read(path, &info, fuzz_check_triple, NULL, err, sizeof err);
	close(fd);
	if (rc < 0) {
		fuzz_check_error(err, sizeof err, path);
	} else {
		FUZZ_CHECK(info.kind != IDMAP_KIND_UNKNOWN);
		FUZZ_CHECK(info.bytes <= size);
	}
	FUZZ_CHECK(info.triples <= info.text_bytes);
	return 0;
}
