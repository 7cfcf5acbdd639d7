/* Fuzz target: a FASTA file through idmap_input_read_any (builder/input.c, parse_fasta.c):
 * kind detection, the record reader and the header parser. Every record handed over must
 * keep the contract of idmap_fasta_fn: residues A-Z, header within its limits, spans inside
 * the header, a key that names itself again. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "entry_format.h"
#include "fuzz_common.h"

static int check_record(void *ctx, const idmap_fasta_record *r, char *err, size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	FUZZ_CHECK(r->header_len >= 1 && r->header_len <= IDMAP_ENTRY_MAX_HEADER);
	FUZZ_CHECK(r->seq_len >= 1 && r->seq_len <= IDMAP_ENTRY_MAX_SEQ);
	for (size_t i = 0; i < r->seq_len; i++)
		FUZZ_CHECK(r->seq[i] >= 'A' && r->seq[i] <= 'Z');
	for (size_t i = 0; i < r->header_len; i++)
		FUZZ_CHECK((unsigned char)r->header[i] >= 0x20 && r->header[i] != 0x7f);
	const uint16_t *spans[] = {r->name, r->organism, r->gene};
	for (int i = 0; i < 3; i++)
		FUZZ_CHECK((size_t)spans[i][0] + spans[i][1] <= r->header_len);
	FUZZ_CHECK(r->kind >= 1 && r->kind <= IDMAP_ENTRY_KINDS);
	FUZZ_CHECK(r->pe <= 5 && !(r->flags & ~IDMAP_EF_KNOWN));
	char id[32];
	size_t n = idmap_entry_key_text(r->space, r->code, id);
	FUZZ_CHECK(n > 0);
	uint8_t space;
	uint64_t code;
	FUZZ_CHECK(idmap_entry_key(id, n, &space, &code) == 0);
	FUZZ_CHECK(space == r->space && code == r->code);
	if (r->space == IDMAP_ES_UNIPROTKB)
		FUZZ_CHECK(r->header_len > 3 + n && memcmp(r->header + 3, id, n) == 0);
	else
		FUZZ_CHECK(r->header_len >= n && memcmp(r->header, id, n) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = FUZZ_MEMFD(data, size, path);
	idmap_input_info info;
	char err[512];
	int rc = idmap_input_read_any(path, &info, fuzz_check_triple, check_record, NULL, err,
				      sizeof err);
	close(fd);
	if (rc < 0)
		fuzz_check_error(err, sizeof err, path);
	else
		FUZZ_CHECK(info.kind != IDMAP_KIND_UNKNOWN);
	return 0;
}
