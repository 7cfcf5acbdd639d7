/* Fuzz target: the idmapping_selected.tab line parser (builder/parse_selected.c). */
#include "fuzz_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	idmap_parser p;
	idmap_input_info info;
	char err[512];
	fuzz_parser_init(&p, &info, err, sizeof err, "fuzz_selected.tab");
	fuzz_lines(&p, data, size, idmap_parse_selected_line, 1);
	idmap_parser_free(&p);
	return 0;
}
