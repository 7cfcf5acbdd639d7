/* The database catalogue: UniProt's REST names with their groups, rules and link templates,
 * the file ID_types as aliases, and every other data type of the index as a database of its
 * own (rule 8). The static table is UniProt's /configure/idmapping/fields as its source
 * builds it (uniprot-core's drlineconfiguration.json entries with an idMappingName, plus
 * IdMappingFieldConfig's own entries): UniProt's group first in its fixed order, then the
 * groups in the order of UniProtDatabaseCategory, items sorted by display name ignoring case.
 * tests/test_catalog.c compares it with a copy of that list. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "semantics.h"

typedef struct {
	const char *name, *display, *file_type;
	const char *uri_link; /* UniProt's uriLink, NULL when it has none */
	const char *alias;    /* another file ID_type of the same database, or NULL */
	unsigned char group, kind, special, extra; /* extra: 0, ONE_TO_MANY or LOCAL flags */
} cat_row;

static const char *const groups[] = {
	"UniProt",
	"Sequence databases",
	"3D structure databases",
	"Protein-protein interaction databases",
	"Chemistry",
	"Protein family/group databases",
	"PTM databases",
	"Genetic variation databases",
	"Proteomic databases",
	"Protocols and materials databases",
	"Genome annotation databases",
	"Organism-specific databases",
	"Phylogenomic databases",
	"Enzyme and pathway databases",
	"Miscellaneous",
	"Gene expression databases",
	"Family and domain databases",
	"Other databases of the index",
	"Gene names (idmap only)",
	"One-to-many (idmap only)",
};
enum { G_OTHER = 17, G_GENES = 18, G_MANY = 19 };

#define K(n, d, k, u) {n, d, NULL, u, NULL, 0, k, 0, 0}
#define D(n, g, u) {n, n, n, u, NULL, g, IDMAP_DB_KIND_TYPE, CAT_PLAIN, 0}
#define T(n, d, f, g, u) {n, d, f, u, NULL, g, IDMAP_DB_KIND_TYPE, CAT_PLAIN, 0}
#define TS(n, d, f, g, s, u) {n, d, f, u, NULL, g, IDMAP_DB_KIND_TYPE, s, 0}
#define X(n, d, f, g, x) {n, d, f, NULL, NULL, g, IDMAP_DB_KIND_TYPE, CAT_PLAIN, x}

static const cat_row rows[] = {
	K("UniProtKB", "UniProtKB", IDMAP_DB_KIND_UNIPROTKB,
	  "https://www.uniprot.org/uniprot/%id/entry"),
	K("UniProtKB_AC-ID", "UniProtKB AC/ID", IDMAP_DB_KIND_ACCESSION,
	  "https://www.uniprot.org/uniprot/%id/entry"),
	K("UniProtKB-Swiss-Prot", "UniProtKB/Swiss-Prot", IDMAP_DB_KIND_SWISSPROT,
	  "https://www.uniprot.org/uniprot/%id/entry"),
	TS("UniParc", "UniParc", "UniParc", 0, CAT_UNIPARC,
	  "https://www.uniprot.org/uniparc/%id/entry"),
	TS("UniRef50", "UniRef50", "UniRef50", 0, CAT_UNIREF50,
	  "https://www.uniprot.org/uniref/%id"),
	TS("UniRef90", "UniRef90", "UniRef90", 0, CAT_UNIREF90,
	  "https://www.uniprot.org/uniref/%id"),
	TS("UniRef100", "UniRef100", "UniRef100", 0, CAT_UNIREF100,
	  "https://www.uniprot.org/uniref/%id"),
	TS("Gene_Name", "Gene Name", "Gene_Name", 0, CAT_GENE_NAME, NULL),
	D("CRC64", 0, NULL),
	D("CCDS", 1,
	  "https://www.ncbi.nlm.nih.gov/CCDS/CcdsBrowse.cgi?REQUEST=CCDS&GO=MainBrowse&DATA=%id"),
	T("EMBL-GenBank-DDBJ", "EMBL/GenBank/DDBJ", "EMBL", 1,
	  "https://www.ebi.ac.uk/ena/data/view/%id"),
	T("EMBL-GenBank-DDBJ_CDS", "EMBL/GenBank/DDBJ CDS", "EMBL-CDS", 1,
	  "https://www.ebi.ac.uk/ena/data/view/%id"),
	T("GI_number", "GI number", "GI", 1, NULL),
	D("PIR", 1, "https://proteininformationresource.org/cgi-bin/nbrfget?uid=%id"),
	T("RefSeq_Nucleotide", "RefSeq Nucleotide", "RefSeq_NT", 1,
	  "https://www.ncbi.nlm.nih.gov/nuccore/%id"),
	T("RefSeq_Protein", "RefSeq Protein", "RefSeq", 1,
	  "https://www.ncbi.nlm.nih.gov/protein/%id"),
	TS("PDB", "PDB", "PDB", 2, CAT_PDB, "https://www.ebi.ac.uk/pdbe-srv/view/entry/%id"),
	D("BioGRID", 3, "https://thebiogrid.org/%id"),
	D("ComplexPortal", 3, "https://www.ebi.ac.uk/complexportal/complex/%id"),
	D("DIP", 3, "https://dip.doe-mbi.ucla.edu/dip/Browse.cgi?ID=%id"),
	D("STRING", 3, "https://string-db.org/network/%id"),
	D("ChEMBL", 4, "https://www.ebi.ac.uk/chembl/target_report_card/%id"),
	D("DrugBank", 4, "https://www.drugbank.ca/drugs/%id"),
	D("GuidetoPHARMACOLOGY", 4,
	  "https://www.guidetopharmacology.org/GRAC/ObjectDisplayForward?objectId=%id"),
	D("SwissLipids", 4, "https://www.swisslipids.org/#/entity/%id/"),
	D("Allergome", 5, "https://www.allergome.org/script/dettaglio.php?id_molecule=%id"),
	D("ESTHER", 5,
	  "https://bioweb.supagro.inra.fr/ESTHER/gene_locus?name=%id&class=Gene_locus"),
	D("MEROPS", 5, "https://www.ebi.ac.uk/merops/cgi-bin/pepsum?mid=%id"),
	D("PeroxiBase", 5, "https://peroxibase.toulouse.inra.fr/display_perox/view_perox/%id"),
	D("REBASE", 5, "https://rebase.neb.com/rebase/enz/%id.html"),
	D("TCDB", 5, "https://www.tcdb.org/search/result.php?tc=%id"),
	D("GlyConnect", 6, "https://glyconnect.expasy.org/gcx/search/view/glycome/Protein/%id"),
	D("BioMuta", 7, "https://hive.biochemistry.gwu.edu/tools/biomuta/biomuta.php?gene=%id"),
	D("DMDM", 7, "https://bioinf.umbc.edu/dmdm/gene_prot_page.php?search_type=protein&id=%id"),
	D("CPTAC", 8, "https://assays.cancer.gov/%id"),
	D("ProteomicsDB", 8,
	  "https://www.proteomicsdb.org/proteomicsdb/#protein/proteinDetails/%id"),
	D("DNASU", 9, "https://dnasu.org/DNASU/AdvancedSearchOptions.do?geneName=%id"),
	D("Ensembl", 10, "https://www.ensembl.org/id/%id"),
	T("Ensembl_Genomes", "Ensembl Genomes", "EnsemblGenome", 10,
	  "http://www.ensemblgenomes.org/id/%id"),
	T("Ensembl_Genomes_Protein", "Ensembl Genomes Protein", "EnsemblGenome_PRO", 10,
	  "http://www.ensemblgenomes.org/id/%id"),
	T("Ensembl_Genomes_Transcript", "Ensembl Genomes Transcript", "EnsemblGenome_TRS", 10,
	  "http://www.ensemblgenomes.org/id/%id"),
	T("Ensembl_Protein", "Ensembl Protein", "Ensembl_PRO", 10,
	  "https://www.ensembl.org/id/%id"),
	T("Ensembl_Transcript", "Ensembl Transcript", "Ensembl_TRS", 10,
	  "https://www.ensembl.org/id/%id"),
	D("GeneID", 10, "https://www.ncbi.nlm.nih.gov/gene/%id"),
	D("KEGG", 10, "https://www.genome.jp/dbget-bin/www_bget?%id"),
	D("PATRIC", 10, "https://www.patricbrc.org/view/Feature/%id"),
	D("UCSC", 10,
	  "https://genome.ucsc.edu/cgi-bin/hgLinkIn?resource=uniprot&id=%primaryAccession"),
	D("WBParaSite", 10, "https://parasite.wormbase.org/id/%id"),
	T("WBParaSite_Transcript-Protein", "WBParaSite Transcript/Protein",
	  "WBParaSite_Transcript-Protein", 10,
	  "https://parasite.wormbase.org/id/%id"),
	D("ArachnoServer", 11, "http://www.arachnoserver.org/toxincard.html?id=%id"),
	D("Araport", 11, "https://bar.utoronto.ca/thalemine/portal.do?externalids=%id"),
	D("CGD", 11, "http://www.candidagenome.org/cgi-bin/locus.pl?dbid=%id"),
	/* PharmGKB's new name; older files and users still say PharmGKB */
	{"ClinPGx", "ClinPGx", "ClinPGx", "https://www.clinpgx.org/gene/%id", "PharmGKB", 11,
	 IDMAP_DB_KIND_TYPE, CAT_PLAIN, 0},
	D("ConoServer", 11, "https://www.conoserver.org/?page=card&table=protein&id=%id"),
	D("dictyBase", 11, "http://dictybase.org/db/cgi-bin/gene_page.pl?primary_id=%id"),
	D("EchoBASE", 11, "https://www.york.ac.uk/res/thomas/Gene.cfm?recordID=%id"),
	D("euHCVdb", 11, "https://euhcvdb.lyon.inserm.fr/euHCVdb/do/displayHCVEntry?primaryAC=%id"),
	D("FlyBase", 11, "https://flybase.org/reports/%id.html"),
	D("GeneCards", 11, "https://www.genecards.org/cgi-bin/carddisp.pl?gene=%id"),
	D("GeneReviews", 11, "https://www.ncbi.nlm.nih.gov/books/NBK1116/?term=%id"),
	D("HGNC", 11, "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/%id"),
	D("LegioList", 11, "http://genolist.pasteur.fr/LegioList/genome.cgi?external_query+%id"),
	D("Leproma", 11, "https://mycobrowser.epfl.ch/genes/%id"),
	D("MaizeGDB", 11, "https://www.maizegdb.org/data_center/gene_product?id=%id"),
	D("MGI", 11, "https://www.informatics.jax.org/marker/%id"),
	D("MIM", 11, "https://www.omim.org/entry/%id"),
	D("OpenTargets", 11, "https://platform.opentargets.org/target/%id/associations"),
	D("Orphanet", 11, "https://www.orpha.net/consor/cgi-bin/OC_Exp.php?Lng=GB&Expert=%id"),
	D("PomBase", 11, "https://www.pombase.org/gene/%id"),
	D("PseudoCAP", 11, "https://www.pseudomonas.com/feature/show?locus_tag=%id"),
	D("RGD", 11, "https://rgd.mcw.edu/rgdweb/report/gene/main.html?id=%id"),
	D("SGD", 11, "https://www.yeastgenome.org/locus/%id"),
	D("TubercuList", 11, "https://mycobrowser.epfl.ch/genes/%id"),
	D("VEuPathDB", 11, "https://www.veupathdb.org/gene/%id"),
	D("VGNC", 11, "https://vertebrate.genenames.org/data/gene-symbol-report/#!/vgnc_id/%id"),
	D("WormBase", 11, "https://wormbase.org/db/seq/protein?name=%id;class=CDS " /* sic */),
	T("WormBase_Protein", "WormBase Protein", "WormBase_PRO", 11,
	  "https://parasite.wormbase.org/id/%id"),
	T("WormBase_Transcript", "WormBase Transcript", "WormBase_TRS", 11,
	  "https://parasite.wormbase.org/id/%id"),
	D("Xenbase", 11, "https://www.xenbase.org/gene/showgene.do?method=display&geneId=%id"),
	D("ZFIN", 11, "https://zfin.org/%id"),
	D("eggNOG", 12, "http://eggnog.embl.de/search/ogs/%id"),
	D("GeneTree", 12, "https://www.ensemblgenomes.org/id-genetree/%id"),
	D("HOGENOM", 12, "http://hogenom.univ-lyon1.fr/query_sequence?seq=%primaryAccession"),
	D("OMA", 12, "https://omabrowser.org/oma/group/%primaryAccession"),
	D("OrthoDB", 12, "https://www.orthodb.org/?gene=%primaryAccession"),
	D("BioCyc", 13, "https://biocyc.org/getid?id=%id"),
	D("PlantReactome", 13,
	  "https://plantreactome.gramene.org/PathwayBrowser/#/%id&FLG=%primaryAccession"),
	D("Reactome", 13, "https://www.reactome.org/PathwayBrowser/#%id&FLG=%primaryAccession"),
	D("UniPathway", 13, NULL),
	D("ChiTaRS", 14, "http://biosrv.org/chmb/search?GEN=%id"),
	D("GeneWiki", 14, "https://en.wikipedia.org/wiki/%id"),
	D("GenomeRNAi", 14, "http://genomernai.org/genedetails/%id"),
	D("PHI-base", 14, "http://www.phi-base.org/searchFacet.htm?queryTerm=%id"),
	D("CollecTF", 15, "http://www.collectf.org/%id"),
	D("DisProt", 16, "https://disprot.org/%id"),
	D("IDEAL", 16, "https://www.ideal-db.org/ideal.php?id=%id"),
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
	const char **alias; /* cat_row.alias of each entry */
	size_t n;
};

/* UniProt's rules 1-8 (/configure/idmapping/fields). */
static int rule_of(const cat_row *r)
{
	if (r->kind == IDMAP_DB_KIND_ACCESSION)
		return IDMAP_RULE_ACCESSION;
	if (r->kind != IDMAP_DB_KIND_TYPE)
		return 0;
	switch (r->special) {
	case CAT_UNIPARC: return IDMAP_RULE_UNIPARC;
	case CAT_UNIREF50: return IDMAP_RULE_UNIREF50;
	case CAT_UNIREF90: return IDMAP_RULE_UNIREF90;
	case CAT_UNIREF100: return IDMAP_RULE_UNIREF100;
	case CAT_GENE_NAME: return IDMAP_RULE_GENE;
	}
	if (r->group == G_GENES)
		return IDMAP_RULE_GENE;
	if (!strcmp(r->name, "EMBL-GenBank-DDBJ") || !strcmp(r->name, "RefSeq_Protein") ||
	    !strcmp(r->name, "GI_number"))
		return IDMAP_RULE_SEQUENCE;
	return IDMAP_RULE_OTHER;
}

IDMAP_API bool idmap_rule_taxon(int rule) { return rule == IDMAP_RULE_GENE; }

/* 1 with *t when the index has a type name (this spelling first, then any case). */
static int has_type(const idmap_index *ix, const char *name, uint32_t *t)
{
	return name && (idmap_type_find(ix, name, t) == IDMAP_OK ||
			idmap_type_find_ci(ix, name, t) == IDMAP_OK);
}

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
	e->uri_link = r->uri_link;
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
	c->alias[i] = r->alias;
	if (!ix)
		return;
	if (r->kind != IDMAP_DB_KIND_TYPE) {
		e->flags |= IDMAP_DB_PRESENT;
		e->ids = r->kind == IDMAP_DB_KIND_SWISSPROT ? UINT64_MAX
							     : idmap_acc_count(ix) - idmap_upi_count(ix);
		return;
	}
	uint32_t t;
	idmap_type_info ti;
	/* an index of older files holds the database under its old name (PharmGKB) */
	int found = has_type(ix, file_type, &t);
	if (!found && has_type(ix, r->alias, &t)) {
		found = 1;
		e->file_type = r->alias;
	}
	if (found && idmap_type_get(ix, t, &ti) == IDMAP_OK) {
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
	    !(c->group = calloc(cap, 1)) || !(c->alias = calloc(cap, sizeof *c->alias))) {
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
		cat_row r = {ti.name, ti.name, ti.name, NULL, NULL, G_OTHER, IDMAP_DB_KIND_TYPE,
			     CAT_PLAIN, 0};
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
	free(c->alias);
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
		if ((c->e[i].file_type && !strcasecmp(c->e[i].file_type, name)) ||
		    (c->alias[i] && !strcasecmp(c->alias[i], name))) {
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

IDMAP_API bool idmap_catalog_pair_allowed(const idmap_catalog *c, size_t from, size_t to)
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
	case IDMAP_RULE_ACCESSION: return 1;
	case IDMAP_RULE_UNIPARC:
	case IDMAP_RULE_SEQUENCE: return ts == CAT_UNIPARC;
	case IDMAP_RULE_UNIREF50: return ts == CAT_UNIREF50;
	case IDMAP_RULE_UNIREF90: return ts == CAT_UNIREF90;
	case IDMAP_RULE_UNIREF100: return ts == CAT_UNIREF100;
	default: return 0; /* gene names, others: UniProtKB names only */
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
