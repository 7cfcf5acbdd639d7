/* The identifier grammar of docs/semantics.md: every form, its normalised lookup text and
 * its `from` text, and the tokens that must be refused. No index needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "idmap.h"
#include "versioned.h"

typedef struct {
	const char *in;
	int form;
	const char *norm; /* NULL for invalid */
	const char *from; /* the `from` text */
} uni_case;

static const uni_case uniprot_cases[] = {
	{"P00750", IDMAP_FORM_ACCESSION, "P00750", "P00750"},
	{"A0A023GPI8", IDMAP_FORM_ACCESSION, "A0A023GPI8", "A0A023GPI8"},
	{"p00750", IDMAP_FORM_ACCESSION, "P00750", "p00750"},
	{"  P00750\t", IDMAP_FORM_ACCESSION, "P00750", "P00750"},
	{"Q6GZX4", IDMAP_FORM_ACCESSION, "Q6GZX4", "Q6GZX4"},
	{"O60239", IDMAP_FORM_ACCESSION, "O60239", "O60239"},
	{"P00750-2", IDMAP_FORM_ISOFORM, "P00750-2", "P00750-2"},
	{"p68254-1", IDMAP_FORM_ISOFORM, "P68254-1", "p68254-1"},
	{"A0A023GPI8-12", IDMAP_FORM_ISOFORM, "A0A023GPI8-12", "A0A023GPI8-12"},
	{"P00750.2", IDMAP_FORM_VERSION, "P00750", "P00750"},
	{"P00750.123", IDMAP_FORM_VERSION, "P00750", "P00750"},
	{"p00750.2", IDMAP_FORM_VERSION, "P00750", "p00750"},
	{"P00750-2.3", IDMAP_FORM_VERSION, "P00750-2", "P00750-2"},
	{"P00750[39-81]", IDMAP_FORM_RANGE, "P00750", "P00750[39-81]"},
	{"P00750[1-1]", IDMAP_FORM_RANGE, "P00750", "P00750[1-1]"},
	{"P00750-2[5-10]", IDMAP_FORM_RANGE, "P00750-2", "P00750-2[5-10]"},
	{"A4_HUMAN", IDMAP_FORM_ENTRY_NAME, "A4_HUMAN", "A4_HUMAN"},
	{"a4_human", IDMAP_FORM_ENTRY_NAME, "A4_HUMAN", "a4_human"},
	{"1433B_HUMAN", IDMAP_FORM_ENTRY_NAME, "1433B_HUMAN", "1433B_HUMAN"},
	{"001R_FRG3G", IDMAP_FORM_ENTRY_NAME, "001R_FRG3G", "001R_FRG3G"},
	{"A0A024R161_HUMAN", IDMAP_FORM_TREMBL_NAME, "A0A024R161_HUMAN", "A0A024R161_HUMAN"},
	{"Q6GZX4_FRG3G", IDMAP_FORM_TREMBL_NAME, "Q6GZX4_FRG3G", "Q6GZX4_FRG3G"},
	/* refused */
	{"", IDMAP_FORM_INVALID, NULL, NULL},
	{"   ", IDMAP_FORM_INVALID, NULL, NULL},
	{"nope", IDMAP_FORM_INVALID, NULL, NULL},
	{"P0075", IDMAP_FORM_INVALID, NULL, NULL},
	{"P007500", IDMAP_FORM_INVALID, NULL, NULL},
	{"P00750-", IDMAP_FORM_INVALID, NULL, NULL},
	{"P00750-0", IDMAP_FORM_INVALID, NULL, NULL},
	{"P00750-02", IDMAP_FORM_INVALID, NULL, NULL},
	{"P00750.", IDMAP_FORM_INVALID, NULL, NULL},
	{"P00750.2a", IDMAP_FORM_INVALID, NULL, NULL},
	{"P00750[81-39]", IDMAP_FORM_INVALID, NULL, NULL},
	{"P00750[0-5]", IDMAP_FORM_INVALID, NULL, NULL},
	{"P00750[39-81", IDMAP_FORM_INVALID, NULL, NULL},
	{"P00750[a-b]", IDMAP_FORM_INVALID, NULL, NULL},
	{"_HUMAN", IDMAP_FORM_INVALID, NULL, NULL},
	{"A4_", IDMAP_FORM_INVALID, NULL, NULL},
	{"A4_HUMANS1", IDMAP_FORM_INVALID, NULL, NULL},
	{"A4-HUMAN", IDMAP_FORM_INVALID, NULL, NULL},
	{"UPI0000000001", IDMAP_FORM_INVALID, NULL, NULL},
	{"UniRef90_P00750", IDMAP_FORM_INVALID, NULL, NULL},
	{"ENSG00000166913", IDMAP_FORM_INVALID, NULL, NULL},
	{"P0A6F5X", IDMAP_FORM_INVALID, NULL, NULL},
};

static void check(const uni_case *c, int form, const idmap_idform *f, const char *in)
{
	if (form != c->form)
		fail_msg("'%s': form %d, expected %d", c->in, form, c->form);
	assert_int_equal(f->form, form);
	if (!c->norm) {
		assert_non_null(f->reason);
		return;
	}
	assert_string_equal(f->norm, c->norm);
	assert_int_equal(f->norm_len, strlen(c->norm));
	assert_int_equal(f->from_len, strlen(c->from));
	assert_memory_equal(in + f->from_off, c->from, f->from_len);
}

static void test_uniprot_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof uniprot_cases / sizeof uniprot_cases[0]; i++) {
		const uni_case *c = &uniprot_cases[i];
		idmap_idform f;
		int form = idmap_parse_uniprot_id(c->in, strlen(c->in), &f);
		check(c, form, &f, c->in);
		if (form != IDMAP_FORM_INVALID && form != IDMAP_FORM_ENTRY_NAME)
			assert_true(f.code != 0);
	}
	idmap_idform f;
	assert_int_equal(idmap_parse_uniprot_id(NULL, 0, &f), IDMAP_FORM_INVALID);
}

static void test_trembl_code(void **state)
{
	(void)state;
	idmap_idform a, b;
	assert_int_equal(idmap_parse_uniprot_id("A0A024R161_HUMAN", 16, &a), IDMAP_FORM_TREMBL_NAME);
	assert_int_equal(idmap_parse_uniprot_id("A0A024R161", 10, &b), IDMAP_FORM_ACCESSION);
	assert_true(a.code == b.code);
	assert_int_equal(idmap_parse_uniprot_id("P00750.2", 8, &a), IDMAP_FORM_VERSION);
	assert_int_equal(idmap_parse_uniprot_id("P00750[1-2]", 11, &b), IDMAP_FORM_RANGE);
	assert_true(a.code == b.code);
}

static void test_uniparc(void **state)
{
	(void)state;
	idmap_idform f;
	assert_int_equal(idmap_parse_uniparc_id("UPI0000000001", 13, &f), IDMAP_FORM_UNIPARC);
	assert_string_equal(f.norm, "UPI0000000001");
	assert_int_equal(idmap_parse_uniparc_id("upi00003b0fd4", 13, &f), IDMAP_FORM_UNIPARC);
	assert_string_equal(f.norm, "UPI00003B0FD4");
	const char *bad[] = {"UPI000000000", "UPI00000000011", "UPI000000000G", "UPX0000000001",
			     "P00750", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(idmap_parse_uniparc_id(bad[i], strlen(bad[i]), &f),
				 IDMAP_FORM_INVALID);
		assert_non_null(f.reason);
	}
}

static void test_uniref(void **state)
{
	(void)state;
	idmap_idform f;
	assert_int_equal(idmap_parse_uniref_id("UniRef90_P00750", 15, 90, &f), IDMAP_FORM_UNIREF);
	assert_string_equal(f.norm, "UniRef90_P00750");
	assert_int_equal(f.uniref_level, 90);
	assert_int_equal(idmap_parse_uniref_id("uniref100_p02768-2", 18, 100, &f),
			 IDMAP_FORM_UNIREF);
	assert_string_equal(f.norm, "UniRef100_P02768-2");
	assert_int_equal(idmap_parse_uniref_id("UNIREF50_upi0000000001", 22, 0, &f),
			 IDMAP_FORM_UNIREF);
	assert_string_equal(f.norm, "UniRef50_UPI0000000001");
	assert_int_equal(f.uniref_level, 50);
	const char *bad[] = {"UniRef90_P00750", "UniRef80_P00750", "UniRef_P00750", "UniRef90_",
			     "UniRef90_nope", "UniRef90P00750", "P00750"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(idmap_parse_uniref_id(bad[i], strlen(bad[i]), 50, &f),
				 IDMAP_FORM_INVALID);
		assert_non_null(f.reason);
	}
}

static void test_versioned_values(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		size_t stem; /* 0: not versioned */
	} cases[] = {
		{"NP_003395.1", 9},	   {"ENSG00000166913.13", 15}, {"CAA40621.1", 8},
		{"XP_1.1234", 4},	   {"A1.1", 2},		       {"9606.ENSP00000300161", 0},
		{"NP_003395", 0},	   {"NP_003395.", 0},	       {"NP_003395.12345", 0},
		{"NP_.1", 0},		   {"_P1.1", 0},	       {"hsa:7529", 0},
		{"MetaCyc:HS08548-MONOMER", 0}, {"ENSG0000016691X.1", 0}, {"a.1", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t stem = 0;
		int v = idmap_value_versioned(cases[i].v, strlen(cases[i].v), &stem);
		if (v != (cases[i].stem != 0) || (v && stem != cases[i].stem))
			fail_msg("'%s': versioned %d stem %zu", cases[i].v, v, stem);
	}
}

/* The types whose values carry versions (format/versioned.c, defined once for builder and
 * engine); exact file names only. */
static void test_versioned_types(void **state)
{
	(void)state;
	static const char *const yes[] = {"RefSeq", "RefSeq_NT", "EMBL-CDS", "Ensembl",
					  "Ensembl_TRS", "Ensembl_PRO", "CCDS"};
	static const char *const no[] = {"MEROPS", "EMBL", "EnsemblGenome_TRS", "GI", "PDB",
					 "refseq", "RefSeq_NTX", ""};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		assert_true(idmap_type_versioned(yes[i], strlen(yes[i])));
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		assert_false(idmap_type_versioned(no[i], strlen(no[i])));
}

static void test_tokens(void **state)
{
	(void)state;
	const char *s = " P31946,P62258\n\tALBU_HUMAN ,, x\r\n";
	const char *want[] = {"P31946", "P62258", "ALBU_HUMAN", "x"};
	size_t pos = 0, off, n, k = 0;
	while (idmap_next_id(s, strlen(s), &pos, &off, &n)) {
		assert_true(k < 4);
		assert_int_equal(n, strlen(want[k]));
		assert_memory_equal(s + off, want[k], n);
		k++;
	}
	assert_int_equal(k, 4);
	pos = 0;
	assert_int_equal(idmap_next_id(" ,\n", 3, &pos, &off, &n), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uniprot_forms),
		cmocka_unit_test(test_trembl_code),
		cmocka_unit_test(test_uniparc),
		cmocka_unit_test(test_uniref),
		cmocka_unit_test(test_versioned_values),
		cmocka_unit_test(test_versioned_types),
		cmocka_unit_test(test_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
