/* Fuzz target: the sec_ac.txt / delac_*.txt parser (builder/parse_history.c). The first byte
 * picks the hint the file name would give (none, sec_ac, delac); the rest is the file. */
#include "fuzz_lines.h"

static int started;

/* As input.c: the history parser sees every line from the first non-blank one on. */
static int history_line(idmap_parser *p, const char *line, size_t len)
{
	if (!started) {
		size_t i = 0;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			return 0;
		started = 1;
		idmap_parse_history_begin(p, (idmap_input_kind)p->hist_hint);
	}
	return idmap_parse_history_line(p, line, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const idmap_input_kind hints[] = {IDMAP_KIND_UNKNOWN, IDMAP_KIND_SEC_AC,
						 IDMAP_KIND_DELAC};
	idmap_parser p;
	idmap_input_info info;
	char err[512];
	fuzz_parser_init(&p, &info, err, sizeof err, "fuzz_history.txt");
	p.hist_hint = hints[data[0] % 3];
	started = 0;
	int rc = fuzz_lines(&p, data + 1, size - 1, history_line, 0);
	if (rc == 0 && started) {
		if (idmap_parse_history_end(&p) < 0)
			fuzz_check_error(err, sizeof err, p.path);
		else
			FUZZ_CHECK(info.kind == IDMAP_KIND_SEC_AC || info.kind == IDMAP_KIND_DELAC);
	}
	FUZZ_CHECK(memchr(info.release, '\0', sizeof info.release) != NULL);
	idmap_parser_free(&p);
	return 0;
}
