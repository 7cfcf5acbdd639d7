/* The database catalogue and UniProt's rules (docs/semantics.md, "Rules"): every pair of the
 * catalogue checked against a rule table written here from the reference, the REST <-> file
 * name translation, aliases, and UniProt's exact messages for refused requests. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "idmap.h"
#include "idmap_build.h"
#include "test_util.h"

static char index_path[128];

static int setup(void **state)
{
	(void)state;
	if (tu_make_dir("idmap-test-catalog-") < 0)
		return -1;
	snprintf(index_path, sizeof index_path, "%s/sample.idx", tu_dir);
	if (tu_build_sample(index_path) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return tu_remove_dir();
}

/* ---- The rule table of docs/semantics.md, restated by name --------------------------------- */

static int in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

static const char *const one_to_many[] = {"GO", "InterPro", "PubMed", "Additional_PubMed",
					  "NCBI_TaxID", NULL};
static const char *const gene_local[] = {"Gene_Synonym", "Gene_ORFName", "Gene_OrderedLocusName",
					 NULL};

static int want_rule(const char *from)
{
	if (!strcmp(from, "UniProtKB_AC-ID"))
		return 1;
	if (!strcmp(from, "UniProtKB") || !strcmp(from, "UniProtKB-Swiss-Prot") ||
	    !strcmp(from, "UniProtKB-ID"))
		return 0; /* targets only (entry names as a source are UniProtKB_AC-ID) */
	if (!strcmp(from, "UniParc"))
		return 2;
	if (!strcmp(from, "UniRef50"))
		return 3;
	if (!strcmp(from, "UniRef90"))
		return 4;
	if (!strcmp(from, "UniRef100"))
		return 5;
	if (!strcmp(from, "Gene_Name") || in(from, gene_local))
		return 6;
	if (!strcmp(from, "EMBL-GenBank-DDBJ") || !strcmp(from, "RefSeq_Protein") ||
	    !strcmp(from, "GI_number"))
		return 7;
	return 8;
}

static int want_allowed(const char *from, const char *to)
{
	int rule = want_rule(from);
	if (rule == 0 || !strcmp(to, "UniProtKB_AC-ID"))
		return 0;
	if (!strcmp(to, "UniProtKB") || !strcmp(to, "UniProtKB-Swiss-Prot"))
		return 1;
	switch (rule) {
	case 1: return 1;
	case 2: return !strcmp(to, "UniParc");
	case 3: return !strcmp(to, "UniRef50");
	case 4: return !strcmp(to, "UniRef90");
	case 5: return !strcmp(to, "UniRef100");
	case 7: return !strcmp(to, "UniParc");
	default: return 0;
	}
}

static void check_matrix(const idmap_catalog *cat)
{
	size_t n = idmap_catalog_count(cat), allowed = 0;
	assert_true(n > 100);
	for (size_t i = 0; i < n; i++) {
		idmap_db_info f;
		assert_int_equal(idmap_catalog_get(cat, i, &f), IDMAP_OK);
		int rule = want_rule(f.name);
		assert_int_equal(f.rule, rule);
		assert_int_equal((f.flags & IDMAP_DB_FROM) != 0, rule != 0);
		assert_int_equal((f.flags & IDMAP_DB_TO) != 0, strcmp(f.name, "UniProtKB_AC-ID") != 0);
		assert_int_equal((f.flags & IDMAP_DB_ONE_TO_MANY) != 0, in(f.name, one_to_many));
		for (size_t k = 0; k < n; k++) {
			idmap_db_info t;
			assert_int_equal(idmap_catalog_get(cat, k, &t), IDMAP_OK);
			int got = idmap_catalog_pair_allowed(cat, i, k);
			if (got != want_allowed(f.name, t.name))
				fail_msg("from=%s to=%s: allowed %d", f.name, t.name, got);
			allowed += (size_t)got;
		}
	}
	assert_true(allowed > n);
	assert_int_equal(idmap_catalog_pair_allowed(cat, n, 0), 0);
	assert_int_equal(idmap_rule_taxon(6), 1);
	for (int r = 1; r <= 8; r++)
		assert_int_equal(idmap_rule_taxon(r), r == 6);
}

static void test_matrix_static(void **state)
{
	(void)state;
	idmap_catalog *cat;
	assert_int_equal(idmap_catalog_open(NULL, &cat), IDMAP_OK);
	check_matrix(cat);
	idmap_catalog_free(cat);
}

static void test_matrix_index(void **state)
{
	(void)state;
	idmap_index *ix;
	idmap_catalog *cat;
	assert_int_equal(idmap_open(index_path, &ix), IDMAP_OK);
	assert_int_equal(idmap_catalog_open(ix, &cat), IDMAP_OK);
	check_matrix(cat);
	/* every data type of the index is a database, found by its file name, with its count */
	for (uint32_t t = 0; t < idmap_type_count(ix); t++) {
		idmap_type_info ti;
		idmap_db_info e;
		size_t i;
		assert_int_equal(idmap_type_get(ix, t, &ti), IDMAP_OK);
		int r = idmap_catalog_find(cat, ti.name, 1, &i);
		if (ti.name[0] == '#') {
			assert_int_equal(r, IDMAP_ERR_NOT_FOUND);
			continue;
		}
		assert_int_equal(r, IDMAP_OK);
		assert_int_equal(idmap_catalog_get(cat, i, &e), IDMAP_OK);
		assert_string_equal(e.file_type, ti.name); /* UniProtKB-ID too: entry names */
		assert_int_equal(e.type_id, t);
		assert_true(e.ids == ti.keys);
		assert_true(e.flags & IDMAP_DB_PRESENT);
	}
	size_t i;
	idmap_db_info e;
	assert_int_equal(idmap_catalog_find(cat, "UniProtKB", 1, &i), IDMAP_OK);
	assert_int_equal(idmap_catalog_get(cat, i, &e), IDMAP_OK);
	assert_true(e.ids == idmap_acc_count(ix));
	assert_int_equal(idmap_catalog_find(cat, "CCDS", 1, &i), IDMAP_OK); /* absent: 0 ids */
	assert_int_equal(idmap_catalog_get(cat, i, &e), IDMAP_OK);
	assert_true(e.ids == 0 && !(e.flags & IDMAP_DB_PRESENT));
	idmap_catalog_free(cat);
	idmap_close(ix);
}

/* docs/semantics.md, "Database names": file ID_type -> REST name. */
static void test_names(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
		{"EMBL", "EMBL-GenBank-DDBJ"},
		{"EMBL-CDS", "EMBL-GenBank-DDBJ_CDS"},
		{"GI", "GI_number"},
		{"RefSeq", "RefSeq_Protein"},
		{"RefSeq_NT", "RefSeq_Nucleotide"},
		{"Ensembl_PRO", "Ensembl_Protein"},
		{"Ensembl_TRS", "Ensembl_Transcript"},
		{"EnsemblGenome", "Ensembl_Genomes"},
		{"EnsemblGenome_PRO", "Ensembl_Genomes_Protein"},
		{"EnsemblGenome_TRS", "Ensembl_Genomes_Transcript"},
		{"WormBase_PRO", "WormBase_Protein"},
		{"WormBase_TRS", "WormBase_Transcript"},
		{"UniParc", "UniParc"},
		{"UniRef90", "UniRef90"},
		{"Gene_Name", "Gene_Name"},
		{"CRC64", "CRC64"},
		{"GeneID", "GeneID"},
		{"PDB", "PDB"},
		{"Ensembl", "Ensembl"},
	};
	idmap_catalog *cat;
	assert_int_equal(idmap_catalog_open(NULL, &cat), IDMAP_OK);
	for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
		size_t a, b;
		idmap_db_info e;
		assert_int_equal(idmap_catalog_find(cat, pairs[p][0], 1, &a), IDMAP_OK);
		assert_int_equal(idmap_catalog_find(cat, pairs[p][1], 0, &b), IDMAP_OK);
		assert_int_equal(a, b);
		assert_int_equal(idmap_catalog_get(cat, a, &e), IDMAP_OK);
		assert_string_equal(e.name, pairs[p][1]);
		assert_string_equal(e.file_type, pairs[p][0]);
		char lower[64];
		size_t n = strlen(pairs[p][1]);
		for (size_t k = 0; k <= n; k++)
			lower[k] = (char)(pairs[p][1][k] | (pairs[p][1][k] >= 'A' &&
							     pairs[p][1][k] <= 'Z' ? 32 : 0));
		assert_int_equal(idmap_catalog_find(cat, lower, 1, &b), IDMAP_OK);
		assert_int_equal(a, b);
	}
	size_t i;
	idmap_db_info e;
	/* UniProtKB-ID: the accession source; as a target the entry names, the file's values
	 * as for every file type name, UniProtKB being the accessions */
	assert_int_equal(idmap_catalog_find(cat, "UniProtKB-ID", 0, &i), IDMAP_OK);
	assert_int_equal(idmap_catalog_get(cat, i, &e), IDMAP_OK);
	assert_int_equal(e.kind, IDMAP_DB_KIND_ACCESSION);
	/* a type of the index (test_matrix_index): none in the static catalogue */
	assert_int_equal(idmap_catalog_find(cat, "uniprotkb-id", 1, &i), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_catalog_find(cat, "UniProtKB-Swiss-Prot", 1, &i), IDMAP_OK);
	assert_int_equal(idmap_catalog_get(cat, i, &e), IDMAP_OK);
	assert_int_equal(e.kind, IDMAP_DB_KIND_SWISSPROT);
	assert_int_equal(idmap_catalog_find(cat, "#secondary", 0, &i), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_catalog_find(cat, "NoSuchDB", 0, &i), IDMAP_ERR_NOT_FOUND);
	assert_int_equal(idmap_catalog_find(cat, "", 0, &i), IDMAP_ERR_NOT_FOUND);
	const char *s[3];
	assert_true(idmap_catalog_suggest(cat, "Ensmbl", 0, s, 3) >= 1);
	assert_string_equal(s[0], "Ensembl");
	assert_true(idmap_catalog_suggest(cat, "uniref90", 1, s, 3) >= 1);
	assert_string_equal(s[0], "UniRef90");
	assert_int_equal(idmap_catalog_suggest(cat, "zzzzzzzzzzzzzzzzzzzz", 0, s, 3), 0);
	idmap_catalog_free(cat);
}

/* ---- UniProt's own list: data/uniprot_idmapping_databases.tsv ---------------------------- */

typedef struct {
	char name[64], display[64], group[64], uri[160];
} up_db;

#define UP_MAX 160

static int by_display(const void *a, const void *b)
{
	return strcasecmp(((const up_db *)a)->display, ((const up_db *)b)->display);
}

/* UniProt's REST name of a display name: [/,()] -> '-', ' ' -> '_'. */
static void rest_name(char *out, const char *display)
{
	for (; *display; display++)
		*out++ = strchr("/,()", *display) ? '-' : *display == ' ' ? '_' : *display;
	*out = 0;
}

/* Splits line on tabs into at most 5 fields (the line is changed); returns the count. */
static int fields(char *line, char *f[5])
{
	int n = 0;
	for (char *p = line; n < 5; p++) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p = 0;
	}
	return n;
}

/* The list as UniProt's IdMappingConfigureService serves it: its own databases (category
 * UNK) first as listed, then each category in enum order, items sorted by display name
 * ignoring case. */
static size_t uniprot_list(up_db *out)
{
	static up_db dbs[UP_MAX];
	static char cats[32][2][64], code[UP_MAX][16];
	size_t ndb = 0, ncat = 0, n = 0;
	FILE *f = fopen("data/uniprot_idmapping_databases.tsv", "r");
	assert_non_null(f);
	char line[512], *fl[5];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#')
			continue;
		int k = fields(line, fl);
		if (!strcmp(fl[0], "category") && k == 3 && ncat < 32) {
			snprintf(cats[ncat][0], 64, "%s", fl[1]);
			snprintf(cats[ncat++][1], 64, "%s", fl[2]);
		} else if (!strcmp(fl[0], "db") && k == 5 && ndb < UP_MAX) {
			up_db *d = &dbs[ndb];
			snprintf(d->display, sizeof d->display, "%s", fl[1]);
			snprintf(code[ndb++], 16, "%s", fl[2]);
			snprintf(d->uri, sizeof d->uri, "%s", fl[3]);
			rest_name(d->name, d->display);
		} else {
			fail_msg("bad line in the UniProt list: %s", line);
		}
	}
	fclose(f);
	assert_true(ncat > 15 && ndb > 90);
	for (size_t i = 0; i < ndb; i++)
		if (!strcmp(code[i], "UNK")) {
			out[n] = dbs[i];
			snprintf(out[n++].group, 64, "UniProt");
		}
	for (size_t c = 0; c < ncat; c++) {
		size_t first = n;
		for (size_t i = 0; i < ndb && strcmp(cats[c][0], "UNK"); i++)
			if (!strcmp(code[i], cats[c][0])) {
				out[n] = dbs[i];
				snprintf(out[n++].group, 64, "%s", cats[c][1]);
			}
		qsort(out + first, n - first, sizeof *out, by_display);
	}
	return n;
}

/* The UniProt part of the catalogue is UniProt's list, in UniProt's order,
 * with its group names and uriLinks; idmap's own entries come after it. */
static void test_uniprot_list(void **state)
{
	(void)state;
	static up_db want[UP_MAX];
	size_t n_want = uniprot_list(want), k = 0;
	idmap_catalog *cat;
	assert_int_equal(idmap_catalog_open(NULL, &cat), IDMAP_OK);
	for (size_t i = 0; i < idmap_catalog_count(cat); i++) {
		idmap_db_info e;
		assert_int_equal(idmap_catalog_get(cat, i, &e), IDMAP_OK);
		if (e.flags & IDMAP_DB_LOCAL) {
			assert_true(k == n_want); /* idmap's own groups come last */
			assert_null(e.uri_link);
			continue;
		}
		if (k == n_want)
			fail_msg("%s is not in UniProt's list", e.name);
		if (strcmp(e.name, want[k].name))
			fail_msg("entry %zu: %s where UniProt has %s", k, e.name, want[k].name);
		assert_string_equal(e.display, want[k].display);
		assert_string_equal(e.group, want[k].group);
		if (want[k].uri[0])
			assert_string_equal(e.uri_link, want[k].uri);
		else
			assert_null(e.uri_link);
		k++;
	}
	assert_int_equal(k, n_want);
	/* the JSON of /configure/idmapping/fields carries uriLink after ruleId, as UniProt's */
	tu_text out = {0};
	assert_int_equal(idmap_render_catalog(cat, IDMAP_OUT_JSON, tu_text_write, &out), IDMAP_OK);
	assert_non_null(strstr(out.buf, "{\"displayName\":\"ClinPGx\",\"name\":\"ClinPGx\",\"from\":"
				       "true,\"to\":true,\"ruleId\":8,\"uriLink\":"
				       "\"https://www.clinpgx.org/gene/%id\","));
	assert_non_null(strstr(out.buf, "{\"groupName\":\"UniProt\",\"items\":[{\"displayName\":"
				       "\"UniProtKB\",\"name\":\"UniProtKB\","));
	free(out.buf);
	idmap_catalog_free(cat);
}

/* Databases UniProt dropped stay mappable (rule 8, "Other") in an index that holds them;
 * PharmGKB is ClinPGx's old name. */
static void test_dropped_and_renamed(void **state)
{
	(void)state;
	static const char dat[] = "P31946\tCLAE\tCLAE00001\n"
				  "P31946\tTreeFam\tTF102003\n"
				  "P31946\tneXtProt\tNX_P31946\n"
				  "P31946\tAntibodypedia\t1234\n"
				  "P31946\tWorld-2DPAGE\t0004:P31946\n"
				  "P31946\tPharmGKB\tPA362\n";
	const char *in[] = {tu_write_file("old.dat", dat, sizeof dat - 1)};
	const char *idx = tu_path("old.idx");
	assert_int_equal(tu_build(idx, in, 1), 0);
	idmap_index *ix;
	idmap_catalog *cat;
	assert_int_equal(idmap_open(idx, &ix), IDMAP_OK);
	assert_int_equal(idmap_catalog_open(ix, &cat), IDMAP_OK);
	size_t i, kb;
	idmap_db_info e;
	assert_int_equal(idmap_catalog_find(cat, "UniProtKB", 1, &kb), IDMAP_OK);
	static const char *const dropped[] = {"CLAE", "TreeFam", "neXtProt", "Antibodypedia",
					      "World-2DPAGE"};
	for (size_t d = 0; d < 5; d++) {
		assert_int_equal(idmap_catalog_find(cat, dropped[d], 0, &i), IDMAP_OK);
		assert_int_equal(idmap_catalog_get(cat, i, &e), IDMAP_OK);
		assert_string_equal(e.name, dropped[d]);
		assert_string_equal(e.group, "Other databases of the index");
		assert_int_equal(e.rule, 8);
		assert_true(e.ids == 1 && (e.flags & IDMAP_DB_PRESENT));
		assert_int_equal(idmap_catalog_pair_allowed(cat, i, kb), 1);
	}
	assert_int_equal(idmap_catalog_find(cat, "pharmgkb", 0, &i), IDMAP_OK);
	assert_int_equal(idmap_catalog_get(cat, i, &e), IDMAP_OK);
	assert_string_equal(e.name, "ClinPGx");
	assert_string_equal(e.file_type, "PharmGKB");
	assert_true(e.ids == 1 && (e.flags & IDMAP_DB_PRESENT));
	assert_int_equal(idmap_catalog_find(cat, "ClinPGx", 0, &kb), IDMAP_OK);
	assert_int_equal(kb, i);
	idmap_catalog_free(cat);
	idmap_close(ix);
	/* without an index, both names still find it */
	assert_int_equal(idmap_catalog_open(NULL, &cat), IDMAP_OK);
	assert_int_equal(idmap_catalog_find(cat, "PharmGKB", 1, &i), IDMAP_OK);
	assert_int_equal(idmap_catalog_get(cat, i, &e), IDMAP_OK);
	assert_string_equal(e.name, "ClinPGx");
	assert_int_equal(idmap_catalog_find(cat, "CLAE", 0, &i), IDMAP_ERR_NOT_FOUND);
	idmap_catalog_free(cat);
}

/* ---- Requests: UniProt's wording ----------------------------------------------------------- */

static int request(idmap_index *ix, const char *from, const char *to, const char *via,
		   int allow, idmap_diag *d)
{
	idmap_request r = {0};
	r.from = from;
	r.to = to;
	r.via = via;
	r.allow_one_to_many = allow;
	idmap_job *j = NULL;
	int rc = idmap_job_new(ix, &r, &j, d);
	assert_int_equal(rc == IDMAP_OK, j != NULL);
	idmap_job_free(j);
	return rc;
}

static void test_messages(void **state)
{
	(void)state;
	idmap_index *ix;
	idmap_diag d;
	assert_int_equal(idmap_open(index_path, &ix), IDMAP_OK);
	assert_int_equal(request(ix, NULL, "UniProtKB", NULL, 0, &d), IDMAP_ERR_BAD_FROM);
	assert_string_equal(d.message, "'from' is a required parameter");
	assert_int_equal(request(ix, "GOO", "UniProtKB", NULL, 0, &d), IDMAP_ERR_BAD_FROM);
	assert_string_equal(d.message, "The parameter 'from' has an invalid value 'GOO'.");
	assert_int_equal(request(ix, "UniProtKB_AC-ID", "Nope", NULL, 0, &d), IDMAP_ERR_BAD_TO);
	assert_string_equal(d.message, "The parameter 'to' has an invalid value 'Nope'.");
	/* rest-api ValidFromAndTo.java: UniProtKB is a source (of the UniProtKB targets only);
	 * Swiss-Prot as a source and UniProtKB_AC-ID as a target are refused pairs, not names */
	assert_int_equal(request(ix, "UniProtKB_AC-ID", "UniProtKB_AC-ID", NULL, 0, &d),
			 IDMAP_ERR_BAD_PAIR);
	assert_string_equal(d.message, "The combination of 'from=UniProtKB_AC-ID' and "
			    "'to=UniProtKB_AC-ID' parameters is invalid");
	assert_int_equal(request(ix, "UniProtKB", "UniProtKB", NULL, 0, &d), IDMAP_OK);
	assert_int_equal(request(ix, "UniProtKB", "UniProtKB-Swiss-Prot", NULL, 0, &d), IDMAP_OK);
	assert_int_equal(request(ix, "UniProtKB", "PDB", NULL, 0, &d), IDMAP_ERR_BAD_PAIR);
	assert_int_equal(request(ix, "UniProtKB-Swiss-Prot", "UniProtKB", NULL, 0, &d),
			 IDMAP_ERR_BAD_PAIR);
	assert_string_equal(d.message, "The combination of 'from=UniProtKB-Swiss-Prot' and "
			    "'to=UniProtKB' parameters is invalid");
	assert_int_equal(request(ix, "Ensembl", "PDB", NULL, 0, &d), IDMAP_ERR_BAD_PAIR);
	assert_string_equal(d.message,
			    "The combination of 'from=Ensembl' and 'to=PDB' parameters is invalid");
	assert_non_null(strstr(d.hint, "--via UniProtKB"));
	assert_int_equal(request(ix, "UniParc", "UniRef90", NULL, 0, &d), IDMAP_ERR_BAD_PAIR);
	assert_int_equal(request(ix, "UniRef90", "UniRef50", NULL, 0, &d), IDMAP_ERR_BAD_PAIR);
	assert_int_equal(request(ix, "Gene_Name", "GeneID", NULL, 0, &d), IDMAP_ERR_BAD_PAIR);
	assert_int_equal(request(ix, "RefSeq_Protein", "UniParc", NULL, 0, &d), IDMAP_OK);
	assert_int_equal(request(ix, "UniRef90", "UniRef90", NULL, 0, &d), IDMAP_OK);
	assert_int_equal(request(ix, "Ensembl", "PDB", "UniProtKB", 0, &d), IDMAP_OK);
	assert_int_equal(request(ix, "Ensembl", "PDB", "GeneID", 0, &d), IDMAP_ERR_BAD_OPTION);
	assert_string_equal(d.message, "The parameter 'via' has an invalid value 'GeneID'.");
	static const char *const many[] = {"GO", "PubMed", "NCBI_TaxID"};
	for (size_t i = 0; i < 3; i++) {
		char want[128];
		assert_int_equal(request(ix, many[i], "UniProtKB", NULL, 0, &d),
				 IDMAP_ERR_ONE_TO_MANY);
		snprintf(want, sizeof want, "The parameter 'from' has an invalid value '%s'.",
			 many[i]);
		assert_string_equal(d.message, want);
		assert_non_null(strstr(d.hint, "one-to-many"));
		assert_non_null(strstr(d.hint, "--allow-one-to-many"));
		assert_int_equal(request(ix, many[i], "UniProtKB", NULL, 1, &d), IDMAP_OK);
		assert_int_equal(request(ix, "UniProtKB_AC-ID", many[i], NULL, 0, &d), IDMAP_OK);
	}
	assert_int_equal(idmap_job_new(ix, NULL, NULL, NULL), IDMAP_ERR_INVALID);
	idmap_close(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_static),
		cmocka_unit_test(test_matrix_index),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_uniprot_list),
		cmocka_unit_test(test_dropped_and_renamed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
