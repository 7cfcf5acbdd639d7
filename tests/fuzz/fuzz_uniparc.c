/* Fuzz target: the UniParc XML scanner (builder/parse_uniparc.c). Byte 0 picks a chunk size;
 * the rest is fed once whole and once in chunks of that size, each chunk copied into a
 * buffer of its exact size (a read past it is caught by ASan): the triples, the entry count
 * and the error message must not depend on where the chunks end. */
#include "fuzz_lines.h"

typedef struct {
	char *text;
	size_t len, cap;
} out_text;

static int collect(void *ctx, const idmap_triple *t, char *err, size_t errlen)
{
	out_text *o = ctx;
	fuzz_check_triple(NULL, t, err, errlen);
	FUZZ_CHECK(idmap_code_is_upi(t->acc));
	size_t need = o->len + t->type_len + t->value_len + 32;
	if (need > o->cap) {
		o->cap = need * 2;
		o->text = realloc(o->text, o->cap);
		FUZZ_CHECK(o->text);
	}
	o->len += (size_t)snprintf(o->text + o->len, o->cap - o->len, "%llx\t%.*s\t%.*s\n",
				   (unsigned long long)t->acc, (int)t->type_len, t->type,
				   (int)t->value_len, t->value);
	return 0;
}

static int run(const uint8_t *d, size_t n, size_t chunk, out_text *o, char *err, size_t errlen,
	       uint64_t *entries)
{
	idmap_parser p;
	idmap_input_info info;
	fuzz_parser_init(&p, &info, err, errlen, "fuzz.xml");
	p.by_byte = 1;
	p.fn = collect;
	p.ctx = o;
	int rc = 0;
	for (size_t off = 0; off < n && rc == 0; off += chunk) {
		size_t k = n - off < chunk ? n - off : chunk;
		char *c = malloc(k);
		FUZZ_CHECK(c);
		memcpy(c, d + off, k);
		rc = idmap_parse_uniparc_feed(&p, c, k, off);
		free(c);
	}
	if (rc == 0)
		rc = idmap_parse_uniparc_end(&p, n);
	if (rc < 0)
		fuzz_check_error(err, errlen, "fuzz.xml:byte ");
	*entries = info.lines;
	idmap_parser_free(&p);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = 1 + data[0] % 64;
	out_text a = {0}, b = {0};
	char ea[512], eb[512];
	uint64_t na, nb;
	int ra = run(data + 1, size - 1, size, &a, ea, sizeof ea, &na);
	int rb = run(data + 1, size - 1, chunk, &b, eb, sizeof eb, &nb);
	FUZZ_CHECK(ra == rb && na == nb && a.len == b.len);
	FUZZ_CHECK(a.len == 0 || memcmp(a.text, b.text, a.len) == 0);
	FUZZ_CHECK(ra == 0 || strcmp(ea, eb) == 0);
	free(a.text);
	free(b.text);
	return 0;
}
