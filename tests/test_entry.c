/* The entry store's fields: FASTA headers parsed into the values of the result columns
 * (builder/parse_fasta.c), and the same values read back through idmap_entry_find from an
 * index of the sample release with its FASTA files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "idmap.h"

#include "entry_format.h"
#include "entry_internal.h"
#include "fasta.h"
#include "test_util.h"

static idmap_index *ix;

static void span_is(const char *h, const uint16_t s[2], const char *want)
{
	assert_int_equal(s[1], strlen(want));
	assert_memory_equal(h + s[0], want, s[1]);
}

static void parse(const char *h, idmap_fasta_record *r)
{
	const char *why = NULL;
	memset(r, 0, sizeof *r);
	assert_int_equal(idmap_fasta_header(h, strlen(h), r, &why), 0);
}

static void test_swissprot_header(void **state)
{
	(void)state;
	idmap_fasta_record r;
	const char *h = "sp|P31946|1433B_HUMAN 14-3-3 protein beta/alpha OS=Homo sapiens "
			"OX=9606 GN=YWHAB PE=1 SV=3";
	parse(h, &r);
	assert_int_equal(r.space, IDMAP_ES_UNIPROTKB);
	assert_int_equal(r.kind, IDMAP_EK_SWISSPROT);
	assert_int_equal(r.flags, IDMAP_EF_REVIEWED);
	span_is(h, r.name, "14-3-3 protein beta/alpha");
	span_is(h, r.organism, "Homo sapiens");
	span_is(h, r.gene, "YWHAB");
	assert_int_equal(r.taxid, 9606);
	assert_int_equal(r.pe, 1);
	assert_int_equal(r.sv, 3);
}

static void test_varsplic_header(void **state)
{
	(void)state;
	idmap_fasta_record r;
	const char *h = "sp|P31946-2|1433B_HUMAN Isoform Short of 14-3-3 protein beta/alpha "
			"OS=Homo sapiens OX=9606 GN=YWHAB";
	parse(h, &r);
	assert_int_equal(r.kind, IDMAP_EK_ISOFORM);
	span_is(h, r.gene, "YWHAB");
	assert_int_equal(r.pe, 0);
	assert_int_equal(r.sv, 0);
}

static void test_trembl_fragment_without_gene(void **state)
{
	(void)state;
	idmap_fasta_record r;
	const char *h = "tr|A0A023GPI8|A0A023GPI8_CANAL Lectin (Fragments) OS=Candida albicans "
			"(strain SC5314 / ATCC MYA-2876) OX=237561 PE=4 SV=1";
	parse(h, &r);
	assert_int_equal(r.kind, IDMAP_EK_TREMBL);
	assert_int_equal(r.flags, IDMAP_EF_FRAGMENT);
	span_is(h, r.name, "Lectin");
	span_is(h, r.organism, "Candida albicans (strain SC5314 / ATCC MYA-2876)");
	assert_int_equal(r.gene[1], 0);
	assert_int_equal(r.taxid, 237561);
	assert_int_equal(r.pe, 4);
}

static void test_uniref_and_uniparc_headers(void **state)
{
	(void)state;
	idmap_fasta_record r;
	const char *h = "UniRef50_UPI0000000001 Cluster name n=12 Tax=Eutheria TaxID=9347 "
			"RepID=UPI0000000001";
	parse(h, &r);
	assert_int_equal(r.kind, IDMAP_EK_UNIREF50);
	assert_int_equal(r.space, IDMAP_ES_UNIREF + 5);
	assert_int_equal(r.code, 1);
	span_is(h, r.name, "Cluster name");
	span_is(h, r.organism, "Eutheria");
	span_is(h, r.gene, "UPI0000000001");
	assert_int_equal(r.members, 12);
	assert_int_equal(r.taxid, 9347);
	parse("UPI000041C017 status=active", &r);
	assert_int_equal(r.kind, IDMAP_EK_UNIPARC);
	assert_int_equal(r.code, 0x41C017);
}

static void test_bad_headers(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"sp|P3194|X_HUMAN n",			/* not an accession */
		"sp|P31946| n",				/* no entry name */
		"UniRef90_p31946 n",			/* lower case */
		"UniRef80_P31946 n",			/* no such level */
		"UPI00000000G1 status=active",		/* not hex */
		"sp|P31946|X n OS=H OX=96x PE=1",	/* taxon */
		"sp|P31946|X n OS=H OX=9606 PE=0 SV=1", /* PE 1-5 */
		"sp|P31946|X n OS=H OX=9606 PE=1 SV=70000",
		"P31946 a bare accession",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		idmap_fasta_record r;
		const char *why = NULL;
		assert_int_equal(idmap_fasta_header(bad[i], strlen(bad[i]), &r, &why), -1);
		assert_non_null(why);
	}
}

static int setup(void **state)
{
	(void)state;
	if (tu_make_dir("idmap-entry-") < 0)
		return -1;
	const char *const inputs[] = {"../data/sample/idmapping.dat",
				      "../data/sample/uniprot_sprot.fasta",
				      "../data/sample/uniprot_trembl.fasta",
				      "../data/sample/uniprot_sprot_varsplic.fasta",
				      "../data/sample/uniref90.fasta",
				      "../data/sample/uniparc_active.fasta"};
	const char *out = tu_path("s.idx");
	if (tu_build(out, inputs, 6) < 0)
		return -1;
	return idmap_open(out, &ix) == IDMAP_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	idmap_close(ix);
	return tu_remove_dir();
}

static void test_find_fields(void **state)
{
	(void)state;
	idmap_entry e;
	assert_int_equal(idmap_entry_find(ix, "p31946", 6, &e), IDMAP_OK);
	assert_string_equal(e.id, "P31946");
	assert_int_equal(e.kind, IDMAP_ENTRY_SWISSPROT);
	assert_true(e.reviewed && !e.fragment);
	assert_int_equal(e.pe, 1);
	assert_int_equal(e.sv, 3);
	assert_int_equal(e.taxid, 9606);
	assert_int_equal(e.length, 246);
	/* -1 without a record of its own is the entry */
	assert_int_equal(idmap_entry_find(ix, "P31946-1", 8, &e), IDMAP_OK);
	assert_string_equal(e.id, "P31946");
	idmap_entry iso;
	assert_int_equal(idmap_entry_next_isoform(ix, &e, &iso), IDMAP_OK);
	assert_string_equal(iso.id, "P31946-2");
	assert_int_equal(iso.kind, IDMAP_ENTRY_ISOFORM);
	assert_int_equal(iso.pe, 0);
	assert_int_equal(iso.length, 244);
	assert_int_equal(idmap_entry_next_isoform(ix, &iso, &e), IDMAP_DONE);
	assert_int_equal(idmap_entry_find(ix, "A0A023GPI8", 10, &e), IDMAP_OK);
	assert_int_equal(e.kind, IDMAP_ENTRY_TREMBL);
	assert_true(e.fragment && !e.reviewed);
	assert_int_equal(idmap_entry_find(ix, "uniref90_p31946", 15, &e), IDMAP_OK);
	assert_string_equal(e.id, "UniRef90_P31946");
	assert_int_equal(e.kind, IDMAP_ENTRY_UNIREF90);
	assert_int_equal(e.members, 212);
	assert_int_equal(e.taxid, 32524);
	assert_int_equal(idmap_entry_find(ix, "UPI000013C7C5", 13, &e), IDMAP_OK);
	assert_int_equal(e.kind, IDMAP_ENTRY_UNIPARC);
	assert_int_equal(e.length, 246);
	assert_int_equal(idmap_entry_find(ix, "Q99999", 6, &e), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_entry_find(ix, "UniRef50_P31946", 15, &e), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_entry_find(ix, "1433B_HUMAN", 11, &e), IDMAP_ERR_INVALID);
	idmap_entry_stats st;
	assert_int_equal(idmap_entry_stats_get(ix, &st), IDMAP_OK);
	assert_int_equal(st.kinds[IDMAP_ENTRY_SWISSPROT - 1], 16);
	assert_int_equal(st.kinds[IDMAP_ENTRY_ISOFORM - 1], 5);
	assert_int_equal(st.records, 34);
}

static void test_fasta_ranges(void **state)
{
	(void)state;
	idmap_entry e;
	tu_text t = {0};
	assert_int_equal(idmap_entry_find(ix, "P31946", 6, &e), IDMAP_OK);
	assert_int_equal(idmap_entry_fasta(ix, &e, 1, 3, tu_text_write, &t), IDMAP_OK);
	assert_string_equal(t.buf, ">sp|P31946|1-3\nMTM\n");
	assert_int_equal(idmap_entry_fasta(ix, &e, 3, 2, tu_text_write, &t), IDMAP_ERR_INVALID);
	assert_int_equal(idmap_entry_fasta(ix, &e, 1, 247, tu_text_write, &t), IDMAP_ERR_INVALID);
	assert_int_equal(idmap_entry_find(ix, "UPI000013C7C5", 13, &e), IDMAP_OK);
	assert_int_equal(idmap_entry_fasta(ix, &e, 1, 3, tu_text_write, &t), IDMAP_ERR_INVALID);
	free(t.buf);
}

static void counts_are(const idmap_entry_cache *c, uint64_t hits, uint64_t misses)
{
	uint64_t h, m;
	idmap_entry_cache_counts(c, &h, &m);
	assert_int_equal(h, hits);
	assert_int_equal(m, misses);
}

/* FASTA of id in index x through cache c, checked against the uncached wrapper's. */
static void fasta_via(const idmap_index *x, idmap_entry_cache *c, const char *id)
{
	idmap_entry e;
	tu_text a = {0}, b = {0};
	assert_int_equal(idmap_entry_find(x, id, strlen(id), &e), IDMAP_OK);
	assert_int_equal(idmap_entry_fasta_cached(x, c, &e, 0, 0, tu_text_write, &a), IDMAP_OK);
	assert_int_equal(idmap_entry_fasta(x, &e, 0, 0, tu_text_write, &b), IDMAP_OK);
	assert_string_equal(a.buf, b.buf);
	assert_non_null(strstr(a.buf, id));
	free(a.buf);
	free(b.buf);
}

/* The index NAME.idx of the sample's idmapping.dat and the FASTA text (n bytes, freed). */
static idmap_index *with_fasta(const char *name, char *text, size_t n)
{
	char fasta[64], idx[64];
	snprintf(fasta, sizeof fasta, "%s.fasta", name);
	snprintf(idx, sizeof idx, "%s.idx", name);
	const char *const inputs[] = {"../data/sample/idmapping.dat",
				      tu_write_file(fasta, text, n)};
	free(text);
	idmap_index *x = NULL;
	assert_int_equal(tu_build(tu_path(idx), inputs, 2), 0);
	assert_int_equal(idmap_open(tu_path(idx), &x), IDMAP_OK);
	return x;
}

/* Three records of 40,000 residues: each fills most of a 64 KiB block, so each has its own. */
static idmap_index *three_blocks(void)
{
	static const char *const accs[] = {"P11111", "P22222", "P33333"};
	size_t cap = 3 * 50000, n = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (int i = 0; i < 3; i++) {
		n += (size_t)sprintf(text + n, ">sp|%s|T%d_HUMAN Test OS=Homo sapiens OX=9606 PE=1 "
					       "SV=1\n", accs[i], i);
		for (int k = 0; k < 40000 / 60; k++) {
			memset(text + n, "ACD"[i], 60);
			text[n + 60] = '\n';
			n += 61;
		}
	}
	return with_fasta("big", text, n);
}

static void test_block_cache(void **state)
{
	(void)state;
	idmap_index *x = three_blocks();
	idmap_entry_stats st;
	assert_int_equal(idmap_entry_stats_get(x, &st), IDMAP_OK);
	assert_int_equal(st.blocks, 3);
	idmap_entry_cache *a = idmap_entry_cache_new(), *b = idmap_entry_cache_new();
	assert_non_null(a);
	assert_non_null(b);
	counts_are(a, 0, 0);
	fasta_via(x, a, "P11111"); /* miss */
	fasta_via(x, a, "P11111"); /* hit: same block */
	fasta_via(x, a, "P22222"); /* the next block */
	fasta_via(x, a, "P11111"); /* switching back inflates again */
	counts_are(a, 1, 3);
	fasta_via(x, b, "P22222"); /* a second context has its own block */
	fasta_via(x, a, "P11111");
	counts_are(a, 2, 3);
	counts_are(b, 0, 1);
	/* another index: never served the block held for the first one */
	fasta_via(ix, a, "P31946");
	counts_are(a, 2, 4);
	idmap_entry_cache_free(a);
	idmap_entry_cache_free(b);
	idmap_entry_cache_free(NULL);
	idmap_close(x);
}

/* Eight sample accessions of 30,000 residues, two a block, and an order of them that changes
 * block at every step where it can. */
enum { N_ALT = 8, LEN_ALT = 30000 };
static const char *const alt_accs[N_ALT] = {"Q6GZX4", "P31946", "P62258", "P02768",
					    "P68254", "P27348", "Q9Z131", "O60239"};

static idmap_index *alternating(int order[N_ALT], uint64_t *blocks)
{
	char *text = malloc(N_ALT * (LEN_ALT + LEN_ALT / 60 + 200));
	size_t n = 0;
	assert_non_null(text);
	for (int i = 0; i < N_ALT; i++) {
		n += (size_t)sprintf(text + n, ">sp|%s|T%d_HUMAN Name %d OS=Homo sapiens OX=9606 "
					       "PE=1 SV=1\n", alt_accs[i], i, i);
		for (int k = 0; k < LEN_ALT / 80; k++)
			n += (size_t)sprintf(text + n, "%.80s\n",
					     "ACDEFGHIKLMNPQRSTVWYACDEFGHIKLMNPQRSTVWYACDEFGHIKLMNPQRS"
					     "TVWYACDEFGHIKLMNPQRSTVWY");
	}
	idmap_index *x = with_fasta("eight", text, n);
	uint64_t block[N_ALT];
	*blocks = 0;
	for (int i = 0; i < N_ALT; i++) {
		idmap_entry e;
		assert_int_equal(idmap_entry_find(x, alt_accs[i], 6, &e), IDMAP_OK);
		assert_int_equal(idmap_entry_block_of(x, &e, &block[i]), IDMAP_OK);
		*blocks = block[i] + 1 > *blocks ? block[i] + 1 : *blocks;
	}
	assert_true(*blocks >= 3);
	int k = 0;
	for (int round = 0; k < N_ALT; round++)
		for (uint64_t b = 0; b < *blocks; b++)
			for (int i = 0, seen = 0; i < N_ALT; i++)
				if (block[i] == b && seen++ == round)
					order[k++] = i;
	return x;
}

static uint64_t inflates(void)
{
	uint64_t h, m;
	idmap_entry_cache_counts(idmap_entry_thread_cache(), &h, &m);
	return m;
}

/* Entry columns of rows whose records alternate between blocks (entry_rows.c): each block
 * is inflated once for the whole answer, not once per row, and every row keeps its own
 * values in its own place. */
static void test_columns_by_block(void **state)
{
	(void)state;
	enum { N = N_ALT };
	const char *const *accs = alt_accs;
	int order[N];
	uint64_t blocks;
	char ids[N * 8] = "";
	idmap_index *x = alternating(order, &blocks);
	for (int i = 0; i < N; i++)
		sprintf(ids + strlen(ids), "%s%s", i ? "," : "", accs[order[i]]);
	idmap_request req = {.from = "UniProtKB_AC-ID", .to = "UniProtKB"};
	idmap_job *job;
	idmap_fields *f;
	assert_int_equal(idmap_job_new(x, &req, &job, NULL), IDMAP_OK);
	assert_int_equal(idmap_job_add_ids(job, ids, strlen(ids)), IDMAP_OK);
	assert_int_equal(idmap_job_run(job), IDMAP_OK);
	assert_int_equal(idmap_fields_parse(job, "accession,protein_name,mass", &f, NULL),
			 IDMAP_OK);
	idmap_render_opts o = {.format = IDMAP_OUT_TSV, .fields = f};
	tu_text out = {0};
	uint64_t m0 = inflates();
	assert_int_equal(idmap_render(job, &o, tu_text_write, &out), IDMAP_OK);
	assert_int_equal(inflates() - m0, blocks); /* one inflate per block; was one per row */
	char *line = strchr(out.buf, '\n') + 1;
	for (int i = 0; i < N; i++) {
		char want[64];
		int a = order[i];
		snprintf(want, sizeof want, "%s\t%s\tName %d\t", accs[a], accs[a], a);
		assert_memory_equal(line, want, strlen(want));
		line = strchr(line, '\n') + 1;
	}
	free(out.buf);
	idmap_fields_free(f);
	idmap_job_free(job);
	idmap_close(x);
}

/* FASTA of records alternating between blocks (idmap_entry_fasta_items): the bytes of each
 * record in the order given, each block inflated once; a range outside its sequence writes
 * nothing and says so in its status. */
static void test_fasta_by_block(void **state)
{
	(void)state;
	int order[N_ALT];
	uint64_t blocks;
	idmap_index *x = alternating(order, &blocks);
	idmap_entry_item items[N_ALT + 1];
	tu_text want = {0}, got = {0};
	for (int i = 0; i < N_ALT; i++) {
		items[i] = (idmap_entry_item){.start = i == 1 ? 5 : 0, .end = i == 1 ? 9 : 0};
		assert_int_equal(idmap_entry_find(x, alt_accs[order[i]], 6, &items[i].e), IDMAP_OK);
		assert_int_equal(idmap_entry_fasta(x, &items[i].e, items[i].start, items[i].end,
						   tu_text_write, &want),
				 IDMAP_OK);
	}
	items[N_ALT] = (idmap_entry_item){.e = items[0].e, .start = 5, .end = LEN_ALT + 1};
	uint64_t m0 = inflates();
	assert_int_equal(idmap_entry_fasta_items(x, items, N_ALT + 1, tu_text_write, &got),
			 IDMAP_OK);
	assert_int_equal(inflates() - m0, blocks);
	assert_string_equal(got.buf, want.buf);
	assert_int_equal(items[0].status, IDMAP_OK);
	assert_int_equal(items[N_ALT].status, IDMAP_ERR_INVALID);
	free(want.buf);
	free(got.buf);
	idmap_close(x);
}

/* A record's text in its block: the head read and every length checked against the block. */
static void test_text_bounds(void **state)
{
	(void)state;
	static const char header[] = "sp|P1|N_HUMAN Name OS=Org";
	uint8_t blk[64] = {0}, rec[IDMAP_ENTRY_RECORD_SIZE] = {0};
	const size_t hl = sizeof header - 1, off = 3, ulen = off + IDMAP_ENTRY_HEAD_SIZE + hl + 4;
	idmap_wr16(blk + off + IDMAP_ET_HEADER_LEN, (uint16_t)hl);
	idmap_wr16(blk + off + IDMAP_ET_NAME, 14);
	idmap_wr16(blk + off + IDMAP_ET_NAME + 2, 4);
	idmap_wr16(blk + off + IDMAP_ET_ORGANISM, 22);
	idmap_wr16(blk + off + IDMAP_ET_ORGANISM + 2, 3);
	memcpy(blk + off + IDMAP_ENTRY_HEAD_SIZE, header, hl);
	memcpy(blk + off + IDMAP_ENTRY_HEAD_SIZE + hl, "MKVA", 4);
	idmap_wr16(rec + IDMAP_ER_OFFSET, off);
	idmap_wr32(rec + IDMAP_ER_SEQ_LEN, 4);
	rec[IDMAP_ER_FLAGS] = IDMAP_EF_REVIEWED | 5 << IDMAP_EF_PE_SHIFT;
	idmap_entry_text t;
	assert_int_equal(idmap_entry_text_of(rec, blk, ulen, &t), IDMAP_OK);
	assert_memory_equal(t.header, header, hl);
	assert_int_equal(t.header_len, hl);
	assert_memory_equal(t.seq, "MKVA", 4);
	assert_int_equal(t.seq_len, 4);
	span_is(header, t.name, "Name");
	span_is(header, t.organism, "Org");
	assert_int_equal(t.gene[1], 0);
	/* one byte short of the block; a header longer than the block; an empty header; a span
	 * past the header; PE 6; a reserved flag bit */
	assert_int_equal(idmap_entry_text_of(rec, blk, ulen - 1, &t), IDMAP_ERR_CORRUPT);
	idmap_wr16(blk + off + IDMAP_ET_HEADER_LEN, (uint16_t)hl + 1);
	assert_int_equal(idmap_entry_text_of(rec, blk, ulen, &t), IDMAP_ERR_CORRUPT);
	idmap_wr16(blk + off + IDMAP_ET_HEADER_LEN, 0);
	assert_int_equal(idmap_entry_text_of(rec, blk, ulen, &t), IDMAP_ERR_CORRUPT);
	idmap_wr16(blk + off + IDMAP_ET_HEADER_LEN, (uint16_t)hl);
	idmap_wr16(blk + off + IDMAP_ET_ORGANISM + 2, 4);
	assert_int_equal(idmap_entry_text_of(rec, blk, ulen, &t), IDMAP_ERR_CORRUPT);
	idmap_wr16(blk + off + IDMAP_ET_ORGANISM + 2, 3);
	assert_int_equal(idmap_entry_text_of(rec, blk, ulen, &t), IDMAP_OK);
	rec[IDMAP_ER_FLAGS] = 6 << IDMAP_EF_PE_SHIFT;
	assert_int_equal(idmap_entry_text_of(rec, blk, ulen, &t), IDMAP_ERR_CORRUPT);
	rec[IDMAP_ER_FLAGS] = 0x40;
	assert_int_equal(idmap_entry_text_of(rec, blk, ulen, &t), IDMAP_ERR_CORRUPT);
	/* the gene bit without a gene span, then a gene span without the bit */
	rec[IDMAP_ER_FLAGS] = IDMAP_EF_GENE;
	assert_int_equal(idmap_entry_text_of(rec, blk, ulen, &t), IDMAP_ERR_CORRUPT);
	idmap_wr16(blk + off + IDMAP_ET_GENE, 22);
	idmap_wr16(blk + off + IDMAP_ET_GENE + 2, 3);
	assert_int_equal(idmap_entry_text_of(rec, blk, ulen, &t), IDMAP_OK);
	span_is(header, t.gene, "Org");
	rec[IDMAP_ER_FLAGS] = 0;
	assert_int_equal(idmap_entry_text_of(rec, blk, ulen, &t), IDMAP_ERR_CORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swissprot_header),
		cmocka_unit_test(test_varsplic_header),
		cmocka_unit_test(test_trembl_fragment_without_gene),
		cmocka_unit_test(test_uniref_and_uniparc_headers),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_find_fields),
		cmocka_unit_test(test_fasta_ranges),
		cmocka_unit_test(test_block_cache),
		cmocka_unit_test(test_columns_by_block),
		cmocka_unit_test(test_fasta_by_block),
		cmocka_unit_test(test_text_bounds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
