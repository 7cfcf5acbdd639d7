/* The database catalogue: UniProt's REST names (UNIPROT.md section 3) with their groups and
 * rules, the file ID_types as aliases, and every other data type of the index as a database
 * of its own (rule 8). The static table is written by hand, in UniProt's group order. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "semantics.h"

typedef struct {
	const char *name, *display, *file_type;
	unsigned char group, kind, special, extra; /* extra: 0, ONE_TO_MANY or LOCAL flags */
} cat_row;

static const char *const groups[] = {
	"UniProt",
	"Sequence databases",
	"3D structure databases",
	"Protein-protein interaction databases",
	"Chemistry databases",
	"Protein family/group databases",
	"PTM databases",
	"Genetic variation databases",
	"2D gel databases",
	"Proteomic databases",
	"Protocols and materials databases",
	"Genome annotation databases",
	"Organism-specific databases",
	"Phylogenomic databases",
	"Enzyme and pathway databases",
	"Miscellaneous",
	"Other databases of the index",
	"Gene names (idmap only)",
	"One-to-many (idmap only)",
};
enum { G_OTHER = 16, G_GENES = 17, G_MANY = 18 };

#define T(n, d, f, g) {n, d, f, g, IDMAP_DB_KIND_TYPE, CAT_PLAIN, 0}
#define TS(n, d, f, g, s) {n, d, f, g, IDMAP_DB_KIND_TYPE, s, 0}
#define X(n, d, f, g, x) {n, d, f, g, IDMAP_DB_KIND_TYPE, CAT_PLAIN, x}

static const cat_row rows[] = {
	{"UniProtKB_AC-ID", "UniProtKB AC/ID", NULL, 0, IDMAP_DB_KIND_ACCESSION, 0, 0},
	{"UniProtKB", "UniProtKB", NULL, 0, IDMAP_DB_KIND_UNIPROTKB, 0, 0},
	{"UniProtKB-Swiss-Prot", "UniProtKB/Swiss-Prot", NULL, 0, IDMAP_DB_KIND_SWISSPROT, 0, 0},
	TS("UniParc", "UniParc", "UniParc", 0, CAT_UNIPARC),
	TS("UniRef50", "UniRef50", "UniRef50", 0, CAT_UNIREF50),
	TS("UniRef90", "UniRef90", "UniRef90", 0, CAT_UNIREF90),
	TS("UniRef100", "UniRef100", "UniRef100", 0, CAT_UNIREF100),
	TS("Gene_Name", "Gene Name", "Gene_Name", 0, CAT_GENE_NAME),
	T("CRC64", "CRC64", "CRC64", 0),
	T("CCDS", "CCDS", "CCDS", 1),
	T("EMBL-GenBank-DDBJ", "EMBL/GenBank/DDBJ", "EMBL", 1),
	T("EMBL-GenBank-DDBJ_CDS", "EMBL/GenBank/DDBJ CDS", "EMBL-CDS", 1),
	T("GI_number", "GI number", "GI", 1),
	T("PIR", "PIR", "PIR", 1),
	T("RefSeq_Nucleotide", "RefSeq Nucleotide", "RefSeq_NT", 1),
	T("RefSeq_Protein", "RefSeq Protein", "RefSeq", 1),
	TS("PDB", "PDB", "PDB", 2, CAT_PDB),
	T("BioGRID", "BioGRID", "BioGRID", 3),
	T("ComplexPortal", "ComplexPortal", "ComplexPortal", 3),
	T("DIP", "DIP", "DIP", 3),
	T("STRING", "STRING", "STRING", 3),
	T("ChEMBL", "ChEMBL", "ChEMBL", 4),
	T("DrugBank", "DrugBank", "DrugBank", 4),
	T("GuidetoPHARMACOLOGY", "GuidetoPHARMACOLOGY", "GuidetoPHARMACOLOGY", 4),
	T("SwissLipids", "SwissLipids", "SwissLipids", 4),
	T("Allergome", "Allergome", "Allergome", 5),
	T("CLAE", "CLAE", "CLAE", 5),
	T("ESTHER", "ESTHER", "ESTHER", 5),
	T("MEROPS", "MEROPS", "MEROPS", 5),
	T("PeroxiBase", "PeroxiBase", "PeroxiBase", 5),
	T("REBASE", "REBASE", "REBASE", 5),
	T("TCDB", "TCDB", "TCDB", 5),
	T("GlyConnect", "GlyConnect", "GlyConnect", 6),
	T("BioMuta", "BioMuta", "BioMuta", 7),
	T("DMDM", "DMDM", "DMDM", 7),
	T("World-2DPAGE", "World-2DPAGE", "World-2DPAGE", 8),
	T("CPTAC", "CPTAC", "CPTAC", 9),
	T("ProteomicsDB", "ProteomicsDB", "ProteomicsDB", 9),
	T("Antibodypedia", "Antibodypedia", "Antibodypedia", 10),
	T("DNASU", "DNASU", "DNASU", 10),
	T("Ensembl", "Ensembl", "Ensembl", 11),
	T("Ensembl_Genomes", "Ensembl Genomes", "EnsemblGenome", 11),
	T("Ensembl_Genomes_Protein", "Ensembl Genomes Protein", "EnsemblGenome_PRO", 11),
	T("Ensembl_Genomes_Transcript", "Ensembl Genomes Transcript", "EnsemblGenome_TRS", 11),
	T("Ensembl_Protein", "Ensembl Protein", "Ensembl_PRO", 11),
	T("Ensembl_Transcript", "Ensembl Transcript", "Ensembl_TRS", 11),
	T("GeneID", "GeneID", "GeneID", 11),
	T("KEGG", "KEGG", "KEGG", 11),
	T("PATRIC", "PATRIC", "PATRIC", 11),
	T("UCSC", "UCSC", "UCSC", 11),
	T("WBParaSite", "WBParaSite", "WBParaSite", 11),
	T("WBParaSite_Transcript-Protein", "WBParaSite Transcript/Protein",
	  "WBParaSite_Transcript-Protein", 11),
	T("ArachnoServer", "ArachnoServer", "ArachnoServer", 12),
	T("Araport", "Araport", "Araport", 12),
	T("CGD", "CGD", "CGD", 12),
	T("ConoServer", "ConoServer", "ConoServer", 12),
	T("dictyBase", "dictyBase", "dictyBase", 12),
	T("EchoBASE", "EchoBASE", "EchoBASE", 12),
	T("euHCVdb", "euHCVdb", "euHCVdb", 12),
	T("FlyBase", "FlyBase", "FlyBase", 12),
	T("GeneCards", "GeneCards", "GeneCards", 12),
	T("GeneReviews", "GeneReviews", "GeneReviews", 12),
	T("HGNC", "HGNC", "HGNC", 12),
	T("LegioList", "LegioList", "LegioList", 12),
	T("Leproma", "Leproma", "Leproma", 12),
	T("MaizeGDB", "MaizeGDB", "MaizeGDB", 12),
	T("MGI", "MGI", "MGI", 12),
	T("MIM", "MIM", "MIM", 12),
	T("neXtProt", "neXtProt", "neXtProt", 12),
	T("OpenTargets", "OpenTargets", "OpenTargets", 12),
	T("Orphanet", "Orphanet", "Orphanet", 12),
	T("PharmGKB", "PharmGKB", "PharmGKB", 12),
	T("PomBase", "PomBase", "PomBase", 12),
	T("PseudoCAP", "PseudoCAP", "PseudoCAP", 12),
	T("RGD", "RGD", "RGD", 12),
	T("SGD", "SGD", "SGD", 12),
	T("TubercuList", "TubercuList", "TubercuList", 12),
	T("VEuPathDB", "VEuPathDB", "VEuPathDB", 12),
	T("VGNC", "VGNC", "VGNC", 12),
	T("WormBase", "WormBase", "WormBase", 12),
	T("WormBase_Protein", "WormBase Protein", "WormBase_PRO", 12),
	T("WormBase_Transcript", "WormBase Transcript", "WormBase_TRS", 12),
	T("Xenbase", "Xenbase", "Xenbase", 12),
	T("ZFIN", "ZFIN", "ZFIN", 12),
	T("eggNOG", "eggNOG", "eggNOG", 13),
	T("GeneTree", "GeneTree", "GeneTree", 13),
	T("HOGENOM", "HOGENOM", "HOGENOM", 13),
	T("OMA", "OMA", "OMA", 13),
	T("OrthoDB", "OrthoDB", "OrthoDB", 13),
	T("TreeFam", "TreeFam", "TreeFam", 13),
	T("BioCyc", "BioCyc", "BioCyc", 14),
	T("PlantReactome", "PlantReactome", "PlantReactome", 14),
	T("Reactome", "Reactome", "Reactome", 14),
	T("UniPathway", "UniPathway", "UniPathway", 14),
	T("ChiTaRS", "ChiTaRS", "ChiTaRS", 15),
	T("GeneWiki", "GeneWiki", "GeneWiki", 15),
	T("GenomeRNAi", "GenomeRNAi", "GenomeRNAi", 15),
	T("PHI-base", "PHI-base", "PHI-base", 15),
	X("Gene_Synonym", "Gene Synonym", "Gene_Synonym", G_GENES, IDMAP_DB_LOCAL),
	X("Gene_ORFName", "Gene ORF Name", "Gene_ORFName", G_GENES, IDMAP_DB_LOCAL),
	X("Gene_OrderedLocusName", "Gene Ordered Locus Name", "Gene_OrderedLocusName", G_GENES,
	  IDMAP_DB_LOCAL),
	X("GO", "GO", "GO", G_MANY, IDMAP_DB_LOCAL | IDMAP_DB_ONE_TO_MANY),
	X("InterPro", "InterPro", "InterPro", G_MANY, IDMAP_DB_LOCAL | IDMAP_DB_ONE_TO_MANY),
	X("PubMed", "PubMed", "PubMed", G_MANY, IDMAP_DB_LOCAL | IDMAP_DB_ONE_TO_MANY),
	X("Additional_PubMed", "Additional PubMed", "Additional_PubMed", G_MANY,
	  IDMAP_DB_LOCAL | IDMAP_DB_ONE_TO_MANY),
	X("NCBI_TaxID", "NCBI Taxonomy", "NCBI_TaxID", G_MANY,
	  IDMAP_DB_LOCAL | IDMAP_DB_ONE_TO_MANY),
};
#define N_ROWS (sizeof rows / sizeof rows[0])
#define N_GROUPS (sizeof groups / sizeof groups[0])

struct idmap_catalog {
	idmap_db_info *e;
	unsigned char *special, *group;
	size_t n;
};

/* UNIPROT.md section 3, "Rules". */
static int rule_of(const cat_row *r)
{
	if (r->kind == IDMAP_DB_KIND_ACCESSION)
		return 1;
	if (r->kind != IDMAP_DB_KIND_TYPE)
		return 0;
	switch (r->special) {
	case CAT_UNIPARC: return 2;
	case CAT_UNIREF50: return 3;
	case CAT_UNIREF90: return 4;
	case CAT_UNIREF100: return 5;
	case CAT_GENE_NAME: return 6;
	}
	if (r->group == G_GENES)
		return 6;
	if (!strcmp(r->name, "EMBL-GenBank-DDBJ") || !strcmp(r->name, "RefSeq_Protein") ||
	    !strcmp(r->name, "GI_number"))
		return 7;
	return 8;
}

IDMAP_API int idmap_rule_taxon(int rule) { return rule == 6; }

static void fill(idmap_catalog *c, const idmap_index *ix, const cat_row *r, const char *name,
		 const char *display, const char *file_type)
{
	size_t i = c->n++;
	idmap_db_info *e = &c->e[i];
	memset(e, 0, sizeof *e);
	e->name = name;
	e->display = display;
	e->group = groups[r->group];
	e->file_type = file_type;
	e->kind = r->kind;
	e->rule = rule_of(r);
	e->type_id = IDMAP_TYPE_ANY;
	e->flags = r->extra;
	if (r->kind != IDMAP_DB_KIND_UNIPROTKB && r->kind != IDMAP_DB_KIND_SWISSPROT)
		e->flags |= IDMAP_DB_FROM;
	if (r->kind != IDMAP_DB_KIND_ACCESSION)
		e->flags |= IDMAP_DB_TO;
	c->special[i] = r->special;
	c->group[i] = r->group;
	if (!ix)
		return;
	if (r->kind != IDMAP_DB_KIND_TYPE) {
		e->flags |= IDMAP_DB_PRESENT;
		e->ids = r->kind == IDMAP_DB_KIND_SWISSPROT ? UINT64_MAX : idmap_acc_count(ix);
		return;
	}
	uint32_t t;
	idmap_type_info ti;
	if ((idmap_type_find(ix, file_type, &t) == IDMAP_OK ||
	     idmap_type_find_ci(ix, file_type, &t) == IDMAP_OK) &&
	    idmap_type_get(ix, t, &ti) == IDMAP_OK) {
		e->type_id = t;
		e->ids = ti.keys;
		e->flags |= IDMAP_DB_PRESENT;
	}
}

IDMAP_API int idmap_catalog_open(const idmap_index *ix, idmap_catalog **out)
{
	if (!out)
		return IDMAP_ERR_INVALID;
	*out = NULL;
	uint32_t nt = ix ? idmap_type_count(ix) : 0;
	idmap_catalog *c = calloc(1, sizeof *c);
	size_t cap = N_ROWS + nt;
	if (!c || !(c->e = calloc(cap, sizeof *c->e)) || !(c->special = calloc(cap, 1)) ||
	    !(c->group = calloc(cap, 1))) {
		idmap_catalog_free(c);
		return IDMAP_ERR_NOMEM;
	}
	for (size_t i = 0; i < N_ROWS; i++)
		fill(c, ix, &rows[i], rows[i].name, rows[i].display, rows[i].file_type);
	size_t n_static = c->n;
	/* every other data type of the index: a database under its file name, rule 8 */
	for (uint32_t t = 0; t < nt; t++) {
		idmap_type_info ti;
		if (idmap_type_get(ix, t, &ti) != IDMAP_OK || ti.name[0] == '#')
			continue;
		int known = 0;
		for (size_t i = 0; i < n_static && !known; i++)
			known = c->e[i].type_id == t;
		if (known)
			continue;
		cat_row r = {ti.name, ti.name, ti.name, G_OTHER, IDMAP_DB_KIND_TYPE, CAT_PLAIN, 0};
		int names = !strcmp(ti.name, "UniProtKB-ID");
		if (names)
			r.extra = IDMAP_DB_LOCAL;
		fill(c, ix, &r, ti.name, ti.name, ti.name);
		if (names) { /* entry names: a target (as a source they are UniProtKB_AC-ID) */
			c->e[c->n - 1].flags &= ~(unsigned)IDMAP_DB_FROM;
			c->e[c->n - 1].rule = 0;
		}
	}
	*out = c;
	return IDMAP_OK;
}

IDMAP_API void idmap_catalog_free(idmap_catalog *c)
{
	if (!c)
		return;
	free(c->e);
	free(c->special);
	free(c->group);
	free(c);
}

IDMAP_API size_t idmap_catalog_count(const idmap_catalog *c) { return c ? c->n : 0; }

IDMAP_API int idmap_catalog_get(const idmap_catalog *c, size_t i, idmap_db_info *info)
{
	if (!c || !info || i >= c->n)
		return IDMAP_ERR_INVALID;
	*info = c->e[i];
	return IDMAP_OK;
}

int idmap_catalog_special(const idmap_catalog *c, size_t i)
{
	return i < c->n ? c->special[i] : CAT_PLAIN;
}

static int has_role(const idmap_db_info *e, int as_target)
{
	return (e->flags & (as_target ? IDMAP_DB_TO : IDMAP_DB_FROM)) != 0;
}

IDMAP_API int idmap_catalog_find(const idmap_catalog *c, const char *name, int as_target,
				 size_t *out)
{
	if (!c || !name || !out)
		return IDMAP_ERR_INVALID;
	if (name[0] == '#' || name[0] == 0)
		return IDMAP_ERR_NOT_FOUND;
	/* the accession names: one spelling per role; as a target UniProtKB-ID is the file's
	 * type of entry names, found below like any other file type */
	if ((!strcasecmp(name, "UniProtKB-ID") && !as_target) || !strcasecmp(name, "UniProtKB-AC") ||
	    !strcasecmp(name, "UniProtKB_AC-ID") || !strcasecmp(name, "UniProtKB")) {
		int want = as_target ? IDMAP_DB_KIND_UNIPROTKB : IDMAP_DB_KIND_ACCESSION;
		if (!strcasecmp(name, "UniProtKB") && !as_target)
			want = IDMAP_DB_KIND_UNIPROTKB; /* a target name: refused as a source */
		if (!strcasecmp(name, "UniProtKB_AC-ID") && as_target)
			want = IDMAP_DB_KIND_ACCESSION; /* a source name: refused as a target */
		for (size_t i = 0; i < c->n; i++)
			if (c->e[i].kind == want) {
				*out = i;
				return IDMAP_OK;
			}
	}
	for (size_t i = 0; i < c->n; i++)
		if (!strcasecmp(c->e[i].name, name)) {
			*out = i;
			return IDMAP_OK;
		}
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].file_type && !strcasecmp(c->e[i].file_type, name)) {
			*out = i;
			return IDMAP_OK;
		}
	return IDMAP_ERR_NOT_FOUND;
}

/* Case-insensitive Levenshtein distance, names up to 63 characters. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];
	if (la > 63 || lb > 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			char x = a[i - 1], y = b[j - 1];
			x = (char)(x >= 'a' && x <= 'z' ? x - 32 : x);
			y = (char)(y >= 'a' && y <= 'z' ? y - 32 : y);
			size_t best = diag + (x != y);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

IDMAP_API size_t idmap_catalog_suggest(const idmap_catalog *c, const char *name,
				       int as_target, const char **out, size_t max)
{
	if (!c || !name || !out || max == 0)
		return 0;
	size_t len = strlen(name), limit = len / 2 + 1, n = 0;
	if (limit > 4)
		limit = 4;
	size_t dist[16];
	if (max > 16)
		max = 16;
	for (size_t i = 0; i < c->n; i++) {
		const idmap_db_info *e = &c->e[i];
		if (!has_role(e, as_target) || (e->flags & IDMAP_DB_ONE_TO_MANY && !as_target))
			continue;
		size_t d = distance(name, e->name);
		if (e->file_type) {
			size_t d2 = distance(name, e->file_type);
			if (d2 < d)
				d = d2;
		}
		if (d > limit)
			continue;
		size_t k = n < max ? n++ : max; /* insertion by distance, stable */
		while (k > 0 && dist[k - 1] > d) {
			if (k < max) {
				dist[k] = dist[k - 1];
				out[k] = out[k - 1];
			}
			k--;
		}
		if (k < max) {
			dist[k] = d;
			out[k] = e->name;
		}
	}
	return n;
}

IDMAP_API int idmap_catalog_pair_allowed(const idmap_catalog *c, size_t from, size_t to)
{
	if (!c || from >= c->n || to >= c->n)
		return 0;
	const idmap_db_info *f = &c->e[from], *t = &c->e[to];
	if (!(f->flags & IDMAP_DB_FROM) || !(t->flags & IDMAP_DB_TO))
		return 0;
	if (t->kind == IDMAP_DB_KIND_UNIPROTKB || t->kind == IDMAP_DB_KIND_SWISSPROT)
		return 1; /* every rule allows them */
	int ts = c->special[to];
	switch (f->rule) {
	case 1: return 1;
	case 2:
	case 7: return ts == CAT_UNIPARC;
	case 3: return ts == CAT_UNIREF50;
	case 4: return ts == CAT_UNIREF90;
	case 5: return ts == CAT_UNIREF100;
	default: return 0; /* 6, 8 */
	}
}

size_t idmap_catalog_rule_tos(const idmap_catalog *c, int rule, size_t *out)
{
	size_t from = SIZE_MAX, n = 0;
	for (size_t i = 0; i < c->n && from == SIZE_MAX; i++)
		if (c->e[i].rule == rule && !(c->e[i].flags & IDMAP_DB_LOCAL))
			from = i;
	if (from == SIZE_MAX)
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (idmap_catalog_pair_allowed(c, from, i))
			out[n++] = i;
	return n;
}
