/* Fuzz target: the idmapping.dat line parser (builder/parse_dat.c). */
#include "fuzz_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	idmap_parser p;
	idmap_input_info info;
	char err[512];
	fuzz_parser_init(&p, &info, err, sizeof err, "fuzz.dat");
	if (fuzz_lines(&p, data, size, idmap_parse_dat_line, 1) == 0)
		FUZZ_CHECK(info.triples == info.lines);
	idmap_parser_free(&p);
	return 0;
}
