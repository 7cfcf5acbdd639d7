/* idmap-genrelease: writes a synthetic UniProt idmapping release with the shapes of the real
 * one (idmapping.dat, idmapping_selected.tab, sec_ac.txt, delac_sp.txt, reldate.txt).
 *
 * The output depends only on --lines and --seed. Everything is drawn from one sequential
 * random stream, and accessions come from a bijective permutation of a counter, so they are
 * unique without any lookup table: entry k gets accession perm(k); secondary and deleted
 * accessions take counters after the last entry, so they never collide with primaries.
 * Memory stays constant in N (except the sorted secondary and deleted lists, ~3% of entries). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "accession.h"
#include "genfasta.h"
#include "genuniparc.h"

#define OUT_BUF (1u << 20)
#define MAX_RECS 1024
#define ARENA_SIZE (MAX_RECS * 112)
#define VAL_MAX 100

/* ---------------------------------------------------------------------------------------- */
/* Random numbers: xoshiro256** for the stream, a splitmix finaliser for derived values. */

static uint64_t rng_s[4];
static uint64_t g_seed;

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 27;
	x *= 0x94D049BB133111EBull;
	x ^= x >> 31;
	return x;
}

/* A value derived from (what, x) alone, so that shared things (a gene's GeneID, a taxon's
 * species code) come out the same wherever they appear. */
static uint64_t derive(uint64_t what, uint64_t x)
{
	return mix64(g_seed ^ mix64(what * 0x9E3779B97F4A7C15ull + x));
}

static uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t rnd(void)
{
	uint64_t r = rotl64(rng_s[1] * 5, 7) * 9, t = rng_s[1] << 17;
	rng_s[2] ^= rng_s[0];
	rng_s[3] ^= rng_s[1];
	rng_s[1] ^= rng_s[2];
	rng_s[0] ^= rng_s[3];
	rng_s[2] ^= t;
	rng_s[3] = rotl64(rng_s[3], 45);
	return r;
}

/* Uniform in [0, n). The tiny modulo bias is irrelevant here. */
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }
static double unif(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }
static int chance(double p) { return unif() < p; }
/* Between lo and hi inclusive. */
static unsigned range(unsigned lo, unsigned hi) { return lo + (unsigned)below(hi - lo + 1); }
/* Skewed towards 0 (u^power, u uniform): a few values very common, a long tail. Integer
 * powers keep libm out of the link. */
static uint64_t skewed(uint64_t n, int power)
{
	double u = unif(), x = 1;
	for (int i = 0; i < power; i++)
		x *= u;
	return (uint64_t)(x * (double)n);
}

/* ---------------------------------------------------------------------------------------- */
/* Buffered output to a plain file or a gzip stream. */

struct out {
	char *buf;
	size_t len;
	FILE *fp;
	gzFile gz;
	char path[4096];
	uint64_t lines;
};

static void die(const char *what, const char *path)
{
	fprintf(stderr, "idmap-genrelease: %s: %s: %s\n", path, what, strerror(errno));
	exit(1);
}

/* Level 1: the generator must keep up with a 1e8-line release in about a minute. The real
 * shape uses gzip's default, 6, as the files it mimics do: benchmarks weigh an index against
 * its gzip input. */
static const char *gz_mode = "wb1";

static void out_open(struct out *o, const char *dir, const char *name, int gzip)
{
	memset(o, 0, sizeof *o);
	char *p = o->path;
	snprintf(p, sizeof o->path, "%s/%s%s", dir, name, gzip ? ".gz" : "");
	o->buf = malloc(OUT_BUF);
	if (!o->buf)
		die("out of memory", p);
	if (gzip) {
		o->gz = gzopen(p, gz_mode);
		if (!o->gz || gzbuffer(o->gz, 4u << 20) != 0)
			die("cannot create", p);
	} else {
		o->fp = fopen(p, "wb");
		if (!o->fp)
			die("cannot create", p);
	}
}

static void out_flush(struct out *o)
{
	if (!o->len)
		return;
	if (o->gz) {
		if (gzwrite(o->gz, o->buf, (unsigned)o->len) != (int)o->len)
			die("write error", o->path);
	} else if (fwrite(o->buf, 1, o->len, o->fp) != o->len) {
		die("write error", o->path);
	}
	o->len = 0;
}

static void out_close(struct out *o)
{
	out_flush(o);
	if (o->gz ? gzclose(o->gz) != Z_OK : fclose(o->fp) != 0)
		die("write error", o->path);
	free(o->buf);
}

/* Makes room for n more bytes (n < OUT_BUF). */
static inline char *out_room(struct out *o, size_t n)
{
	if (o->len + n > OUT_BUF)
		out_flush(o);
	return o->buf + o->len;
}

static inline void out_mem(struct out *o, const char *s, size_t n)
{
	memcpy(out_room(o, n), s, n);
	o->len += n;
}

static inline void out_str(struct out *o, const char *s) { out_mem(o, s, strlen(s)); }

static inline void out_chr(struct out *o, char c)
{
	*out_room(o, 1) = c;
	o->len++;
}

/* ---------------------------------------------------------------------------------------- */
/* Small text builders: append to a char buffer, return the new end. */

static const char ALNUM[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char UPPER[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char HEX[] = "0123456789ABCDEF";

static char *put_s(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_u(char *p, uint64_t v)
{
	char t[24];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = t[--n];
	return p;
}

/* v in decimal, zero-padded to width digits. */
static char *put_z(char *p, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* width characters from alphabet a (of size n), most significant first. */
static char *put_radix(char *p, uint64_t v, const char *a, unsigned n, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = a[v % n];
		v /= n;
	}
	return p + width;
}

/* ---------------------------------------------------------------------------------------- */
/* Accessions. A counter k is sent through an affine permutation x = (a k + b) mod M of the
 * accession space of its kind, then x is spelled in the mixed radix of the pattern. */

/* 6 characters: [OPQ][0-9][A-Z0-9]{3}[0-9] (M6A), then [A-NR-Z][0-9][A-Z][A-Z0-9]{2}[0-9]. */
#define M6A (3ull * 10 * 36 * 36 * 36 * 10)
#define M6B (23ull * 10 * 26 * 36 * 36 * 10)
#define M6 (M6A + M6B)
/* 10 characters: A0[A-C] [A-Z0-9]{2}[0-9] [A-Z][A-Z0-9]{2}[0-9] (the A0A... of TrEMBL). */
#define M10 (3ull * 36 * 36 * 10 * 26 * 36 * 36 * 10)

static uint64_t perm_a6, perm_b6, perm_a10, perm_b10;

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static uint64_t coprime_mult(uint64_t m, uint64_t start)
{
	uint64_t a = start % m;
	if (a < 2)
		a = 2;
	while (gcd64(a, m) != 1)
		a++;
	return a;
}

static void perm_init(void)
{
	perm_a6 = coprime_mult(M6, 1000003 + derive(1, 0) % 50000000);
	perm_b6 = derive(2, 0) % M6;
	perm_a10 = coprime_mult(M10, 1000000007 + derive(3, 0) % 1000000000);
	perm_b10 = derive(4, 0) % M10;
}

/* Writes the accession of counter k (NUL-terminated); returns its length. */
static int acc_text(uint64_t k, int long10, char *out)
{
	static const char FIRST6[] = "ABCDEFGHIJKLMNRSTUVWXYZ";
	char *p = out;
	if (!long10) {
		uint64_t x = (uint64_t)(((unsigned __int128)perm_a6 * k + perm_b6) % M6);
		if (x < M6A) {
			*p++ = "OPQ"[x % 3];
			x /= 3;
			*p++ = (char)('0' + x % 10);
			x /= 10;
			p = put_radix(p, x % (36 * 36 * 36), ALNUM, 36, 3);
			x /= 36 * 36 * 36;
			*p++ = (char)('0' + x % 10);
		} else {
			x -= M6A;
			*p++ = FIRST6[x % 23];
			x /= 23;
			*p++ = (char)('0' + x % 10);
			x /= 10;
			*p++ = UPPER[x % 26];
			x /= 26;
			p = put_radix(p, x % (36 * 36), ALNUM, 36, 2);
			x /= 36 * 36;
			*p++ = (char)('0' + x % 10);
		}
	} else {
		uint64_t x = (uint64_t)(((unsigned __int128)perm_a10 * k + perm_b10) % M10);
		*p++ = 'A';
		*p++ = '0';
		*p++ = "ABC"[x % 3];
		x /= 3;
		p = put_radix(p, x % (36 * 36), ALNUM, 36, 2);
		x /= 36 * 36;
		*p++ = (char)('0' + x % 10);
		x /= 10;
		*p++ = UPPER[x % 26];
		x /= 26;
		p = put_radix(p, x % (36 * 36), ALNUM, 36, 2);
		x /= 36 * 36;
		*p++ = (char)('0' + x % 10);
	}
	*p = 0;
	if (!idmap_acc_encode(out, (size_t)(p - out))) {
		fprintf(stderr, "idmap-genrelease: internal error: invalid accession %s\n", out);
		exit(3);
	}
	return (int)(p - out);
}

/* Whether entry k has a 10-character accession (75% of entries, like TrEMBL's share). */
static int entry_is_long(uint64_t k) { return derive(5, k) % 100 >= 25; }

static int acc_default(uint64_t k, char *out) { return acc_text(k, entry_is_long(k), out); }

/* The accession of counter k in the chosen shape, for the accession history files. */
static int (*acc_of)(uint64_t k, char *out) = acc_default;

/* ---------------------------------------------------------------------------------------- */
/* Organisms: a few huge taxa, a handful of model organisms, then a long tail. */

enum kingdom { VERT, INVERT, PLANT, FUNGUS, BACT, VIRUS };

struct taxon {
	uint32_t id;
	const char *code;	/* species mnemonic of entry names */
	const char *kegg;	/* KEGG organism prefix */
	const char *ens;	/* Ensembl id prefix, NULL when not in Ensembl */
	enum kingdom kind;
	double weight;		/* percent of entries */
};

static const struct taxon TAXA[] = {
	{9606, "HUMAN", "hsa", "ENS", VERT, 20},
	{10090, "MOUSE", "mmu", "ENSMUS", VERT, 12},
	{10116, "RAT", "rno", "ENSRNO", VERT, 4},
	{9913, "BOVIN", "bta", "ENSBTA", VERT, 2},
	{7955, "DANRE", "dre", "ENSDAR", VERT, 2},
	{9031, "CHICK", "gga", "ENSGAL", VERT, 1},
	{9823, "PIG", "ssc", "ENSSSC", VERT, 1},
	{8355, "XENLA", "xla", NULL, VERT, 0.5},
	{7227, "DROME", "dme", NULL, INVERT, 2},
	{6239, "CAEEL", "cel", NULL, INVERT, 1.5},
	{559292, "YEAST", "sce", NULL, FUNGUS, 1.5},
	{284812, "SCHPO", "spo", NULL, FUNGUS, 0.5},
	{3702, "ARATH", "ath", NULL, PLANT, 2},
	{39947, "ORYSJ", "osa", NULL, PLANT, 1},
	{83333, "ECOLI", "eco", NULL, BACT, 1},
	{83332, "MYCTU", "mtu", NULL, BACT, 0.5},
	{224308, "BACSU", "bsu", NULL, BACT, 0.5},
	{654924, "FRG3G", "vg", NULL, VIRUS, 0.1},
};
#define N_TAXA (sizeof TAXA / sizeof TAXA[0])

/* Organism names (OS= of FASTA headers), in the order of TAXA. */
static const char *const TAXA_NAME[] = {
	"Homo sapiens", "Mus musculus", "Rattus norvegicus", "Bos taurus", "Danio rerio",
	"Gallus gallus", "Sus scrofa", "Xenopus laevis", "Drosophila melanogaster",
	"Caenorhabditis elegans", "Saccharomyces cerevisiae (strain ATCC 204508 / S288c)",
	"Schizosaccharomyces pombe (strain 972 / ATCC 24843)", "Arabidopsis thaliana",
	"Oryza sativa subsp. japonica", "Escherichia coli (strain K12)",
	"Mycobacterium tuberculosis (strain ATCC 25618 / H37Rv)", "Bacillus subtilis (strain 168)",
	"Frog virus 3 (isolate Goorha)",
};
_Static_assert(sizeof TAXA_NAME / sizeof TAXA_NAME[0] == N_TAXA, "a name per taxon");
#define TAIL_TAXA 200000

/* An organism of the tail, made up from its index. */
struct tail_taxon {
	uint32_t id;
	char code[8];
	char kegg[8];
	enum kingdom kind;
};

static void tail_taxon(uint64_t t, struct tail_taxon *tt)
{
	uint64_t h = derive(10, t);
	tt->id = (uint32_t)(1000 + t * 11 + h % 11);
	put_radix(tt->code, h >> 8, UPPER, 26, 5);
	tt->code[5] = 0;
	put_radix(tt->kegg, h >> 40, "abcdefghijklmnopqrstuvwxyz", 26, 3);
	tt->kegg[3] = 0;
	unsigned r = (unsigned)(h >> 56) % 100;
	tt->kind = r < 70 ? BACT : r < 80 ? FUNGUS : r < 88 ? PLANT : r < 96 ? INVERT : VIRUS;
}

/* ---------------------------------------------------------------------------------------- */
/* Entry records: (accession index, type, value) collected per entry, then written to the
 * dat file and, projected to columns, to the selected file. */

enum type {
	T_ID, T_GENE, T_SYN, T_ORF, T_OLN, T_GI, T_UR100, T_UR90, T_UR50, T_UPARC, T_EMBL,
	T_CDS, T_TAX, T_REFSEQ, T_REFNT, T_GENEID, T_CRC64, T_ENS, T_ENSTRS, T_ENSPRO,
	T_EG, T_EGTRS, T_EGPRO, T_MIM, T_PDB,
	/* the tail of cross-reference databases */
	T_STRING, T_KEGG, T_BIOGRID, T_CHEMBL, T_DRUGBANK, T_REACTOME, T_HGNC, T_MGI, T_RGD,
	T_FLYBASE, T_WORMBASE, T_SGD, T_TAIR, T_ZFIN, T_EGGNOG, T_GENETREE, T_OMA, T_ORTHODB,
	T_KO, T_PATRIC, T_BIOCYC, T_PEPTIDEATLAS, T_PROTEOMICSDB, T_DIP, T_MINT, T_CPTAC,
	T_COMPLEX, T_PHOSPHO, T_PHARMGKB, T_CTD, T_DNASU, T_GUIDETOPHARM, T_CHITARS,
	T_VECTORBASE, T_ALLERGOME, T_ESTHER, T_MEROPS,
	/* only in idmapping_selected.tab */
	T_GO, T_PIR, T_UNIGENE, T_PUBMED, T_ADDPUBMED,
	N_TYPES
};

static const char *const TYPE_NAME[N_TYPES] = {
	"UniProtKB-ID", "Gene_Name", "Gene_Synonym", "Gene_ORFName", "Gene_OrderedLocusName",
	"GI", "UniRef100", "UniRef90", "UniRef50", "UniParc", "EMBL", "EMBL-CDS", "NCBI_TaxID",
	"RefSeq", "RefSeq_NT", "GeneID", "CRC64", "Ensembl", "Ensembl_TRS", "Ensembl_PRO",
	"EnsemblGenome", "EnsemblGenome_TRS", "EnsemblGenome_PRO", "MIM", "PDB",
	"STRING", "KEGG", "BioGRID", "ChEMBL", "DrugBank", "Reactome", "HGNC", "MGI", "RGD",
	"FlyBase", "WormBase", "SGD", "TAIR", "ZFIN", "eggNOG", "GeneTree", "OMA", "OrthoDB",
	"KO", "PATRIC", "BioCyc", "PeptideAtlas", "ProteomicsDB", "DIP", "MINT", "CPTAC",
	"ComplexPortal", "PhosphoSitePlus", "PharmGKB", "CTD", "DNASU", "GuidetoPHARMACOLOGY",
	"ChiTaRS", "VEuPathDB", "Allergome", "ESTHER", "MEROPS",
	"GO", "PIR", "UniGene", "PubMed", "Additional_PubMed",
};

struct rec {
	uint16_t type;
	uint8_t iso;	/* 0 = canonical accession, else isoform number */
	uint8_t len;
	uint32_t off;
};

static struct rec recs[MAX_RECS];
static int nrecs;
static char arena[ARENA_SIZE];
static uint32_t arena_len;

/* Starts a value: returns where to write it; rec_end() closes it. */
static char *rec_begin(void) { return arena + arena_len; }

static void rec_end(int type, int iso, char *end)
{
	size_t len = (size_t)(end - (arena + arena_len));
	if (nrecs >= MAX_RECS || len == 0 || len > VAL_MAX ||
	    arena_len + len + VAL_MAX + 16 > ARENA_SIZE)
		return;	/* entry full: drop the value, the entry stays consistent */
	recs[nrecs].type = (uint16_t)type;
	recs[nrecs].iso = (uint8_t)iso;
	recs[nrecs].len = (uint8_t)len;
	recs[nrecs].off = arena_len;
	nrecs++;
	arena_len += (uint32_t)len;
}

/* rec_end for values that may repeat inside one entry (shared genome records, pooled PDB
 * ids, pathways): unintended repeats would add duplicate lines beyond the deliberate few. */
static void rec_end_unique(int type, int iso, char *end)
{
	const char *v = arena + arena_len;
	size_t len = (size_t)(end - v);
	for (int i = 0; i < nrecs; i++)
		if (recs[i].type == type && recs[i].iso == iso && recs[i].len == len &&
		    !memcmp(arena + recs[i].off, v, len))
			return;
	rec_end(type, iso, end);
}

static void rec_str(int type, int iso, const char *s) { rec_end(type, iso, put_s(rec_begin(), s)); }

static void rec_num(int type, int iso, uint64_t v) { rec_end(type, iso, put_u(rec_begin(), v)); }

static void rec_pfx_num(int type, int iso, const char *pfx, uint64_t v)
{
	rec_end(type, iso, put_u(put_s(rec_begin(), pfx), v));
}

static void rec_pfx_z(int type, int iso, const char *pfx, uint64_t v, int width)
{
	rec_end(type, iso, put_z(put_s(rec_begin(), pfx), v, width));
}

/* ---------------------------------------------------------------------------------------- */
/* Shared state across entries: UniRef clusters and UniParc ids run in streaks, the way
 * similar sequences of one family sit near each other in the real files. */

struct cluster_state {
	char ur100[40], ur90[40], ur50[40], upi[16];
	char giant50[3][40];
	uint64_t upi_counter;
};

static struct cluster_state cl;
static uint64_t n_reviewed;

static void upi_text(uint64_t c, char *out)
{
	/* An odd multiplier permutes the counter over 2^36: unique, random-looking UPIs with
	 * the leading zero of today's UniParc ids. */
	uint64_t x = ((c + (g_seed & 0xFFFFFF)) * 0x9E3779B97Full) & ((1ull << 36) - 1);
	char *p = put_s(out, "UPI");
	p = put_radix(p, x, HEX, 16, 10);
	*p = 0;
}

/* Gene symbol of gene index g: 3-5 letters and sometimes a digit (YWHAB, ABC1). */
static char *put_gene(char *p, uint64_t g)
{
	uint64_t h = derive(20, g);
	int letters = g < 17576 ? 3 : g < 456976 ? 4 : 5;
	p = put_radix(p, g, UPPER, 26, letters);
	if (h % 3 == 0)
		*p++ = (char)('1' + (h >> 8) % 9);
	return p;
}

/* ---------------------------------------------------------------------------------------- */
/* One entry. */

struct entry {
	uint64_t k;
	char acc[IDMAP_ACC_TEXT_MAX];
	int acc_len;
	int reviewed;
	int niso;
	uint32_t taxid;
	const char *species;
	const char *kegg;
	const char *ens;
	enum kingdom kind;
	char tail_code[8], tail_kegg[8];
	uint64_t gene;		/* gene index: shared by orthologues and fragments */
	int has_geneid;
	uint64_t geneid;
};

static uint64_t gene_pool;

static void pick_taxon(struct entry *e)
{
	double u = unif() * 100, acc = 0;
	for (size_t i = 0; i < N_TAXA; i++) {
		acc += TAXA[i].weight;
		if (u < acc) {
			e->taxid = TAXA[i].id;
			e->species = TAXA[i].code;
			e->kegg = TAXA[i].kegg;
			e->ens = TAXA[i].ens;
			e->kind = TAXA[i].kind;
			return;
		}
	}
	struct tail_taxon tt;
	tail_taxon(skewed(TAIL_TAXA, 3), &tt);
	e->taxid = tt.id;
	memcpy(e->tail_code, tt.code, sizeof tt.code);
	memcpy(e->tail_kegg, tt.kegg, sizeof tt.kegg);
	e->species = e->tail_code;
	e->kegg = e->tail_kegg;
	e->ens = NULL;
	e->kind = tt.kind;
}

/* Reviewed entry names: a unique mnemonic from the reviewed counter, plus the species. */
static void rec_entry_name(struct entry *e)
{
	char *p = rec_begin();
	if (e->reviewed) {
		/* 4 characters while they last (ABC1), then 5; 7919 is prime to r4, so the
		 * scrambled codes stay unique */
		uint64_t r = n_reviewed++;
		const uint64_t r4 = 26ull * 26 * 26 * 36;
		if (r < r4) {
			uint64_t x = (r * 7919 + 13) % r4;
			p = put_radix(p, x / 36, UPPER, 26, 3);
			*p++ = ALNUM[x % 36];
		} else {
			uint64_t x = r - r4;
			p = put_radix(p, x / (36 * 36), UPPER, 26, 3);
			p = put_radix(p, x % (36 * 36), ALNUM, 36, 2);
		}
	} else {
		p = put_s(p, e->acc);
	}
	*p++ = '_';
	p = put_s(p, e->species);
	rec_end(T_ID, 0, p);
}

static void rec_ensembl(int type, int iso, const char *pfx, char kind, uint64_t id)
{
	char *p = put_s(rec_begin(), pfx);
	*p++ = kind;
	p = put_z(p, id % 100000000000ull, 11);
	/* Versioned or not per id (never both), as newer and older releases differ. */
	uint64_t h = derive(30, id);
	if (h % 5 < 3) {
		*p++ = '.';
		p = put_u(p, 1 + (h >> 8) % 18);
	}
	rec_end(type, iso, p);
}

static void rec_refseq(int iso, int predicted)
{
	char *p = put_s(rec_begin(), predicted ? "XP_" : "NP_");
	p = put_z(p, below(predicted ? 1000000000 : 1000000), predicted ? 9 : 6);
	*p++ = '.';
	p = put_u(p, range(1, 4));
	rec_end(T_REFSEQ, iso, p);
}

static void gen_isoform(struct entry *e, int iso, int refseq, int ensembl)
{
	char upi[16];
	upi_text(cl.upi_counter++, upi);
	rec_str(T_UPARC, iso, upi);
	if (chance(0.5)) {
		char *p = put_s(put_s(rec_begin(), "UniRef100_"), e->acc);
		*p++ = '-';
		p = put_u(p, (uint64_t)iso);
		rec_end(T_UR100, iso, p);
	}
	if (refseq)
		rec_refseq(iso, e->reviewed ? chance(0.3) : 1);
	if (ensembl) {
		uint64_t t = derive(31, e->gene * 64 + (uint64_t)iso) ^ e->taxid;
		rec_ensembl(T_ENSTRS, iso, e->ens, 'T', t);
		rec_ensembl(T_ENSPRO, iso, e->ens, 'P', t + 1);
	}
}

static void gen_clusters(struct entry *e)
{
	/* Nested streaks: a new UniRef50 cluster starts a new 90 and 100 cluster too. */
	int n50 = chance(0.15) || !cl.ur50[0], n90 = n50 || chance(0.35);
	int n100 = n90 || chance(0.6);
	/* Identical sequences (same UniParc id) only inside one UniRef100 cluster. */
	if (n100 || chance(0.7))
		upi_text(cl.upi_counter++, cl.upi);
	if (n50) {
		/* clusters are named after their representative: a member or a UniParc id */
		const char *rep = chance(0.1) ? cl.upi : e->acc;
		snprintf(cl.ur50, sizeof cl.ur50, "UniRef50_%s", rep);
	}
	if (n90)
		snprintf(cl.ur90, sizeof cl.ur90, "UniRef90_%s", e->acc);
	if (n100)
		snprintf(cl.ur100, sizeof cl.ur100, "UniRef100_%s", e->acc);
	if (e->k < 3)
		snprintf(cl.giant50[e->k], sizeof cl.giant50[0], "UniRef50_%s", e->acc);
	rec_str(T_UR100, 0, cl.ur100);
	rec_str(T_UR90, 0, cl.ur90);
	/* A few giant UniRef50 clusters collect a few percent of all entries. */
	int giant = chance(0.03);
	rec_str(T_UR50, 0, giant ? cl.giant50[below(e->k < 3 ? e->k + 1 : 3)] : cl.ur50);
	rec_str(T_UPARC, 0, cl.upi);
}

/* The tail of cross-references, each with its own probability and value shape. */
static void gen_xrefs(struct entry *e, const char *ensp)
{
	double s = e->reviewed ? 1.0 : 0.15;
	char *p;
	int human = e->taxid == 9606, mouse = e->taxid == 10090;

	if (chance(0.7 * s + 0.1)) {
		p = put_u(rec_begin(), e->taxid);
		*p++ = '.';
		if (ensp && ensp[0])
			p = put_s(p, ensp);
		else
			p = put_gene(put_s(p, "LOC_"), e->gene);
		rec_end(T_STRING, 0, p);
	}
	if (chance(0.8 * s + 0.1)) {
		p = put_s(rec_begin(), e->kegg);
		*p++ = ':';
		if (e->has_geneid)
			p = put_u(p, e->geneid);
		else
			p = put_gene(p, e->gene);
		rec_end(T_KEGG, 0, p);
		if (chance(0.6))
			rec_pfx_z(T_KO, 0, "K", derive(40, e->gene) % 30000, 5);
	}
	if (e->kind == VERT || e->taxid == 559292 || e->taxid == 7227) {
		if (chance(0.6 * s))
			rec_num(T_BIOGRID, 0, 100000 + derive(41, e->gene ^ e->taxid) % 900000);
		if (chance(0.15 * s))
			rec_pfx_num(T_CHEMBL, 0, "CHEMBL", 1000 + below(5000000));
		if (chance(0.05 * s))
			rec_pfx_z(T_DRUGBANK, 0, "DB", 1 + below(18000), 5);
		int nr = chance(0.4 * s) ? (int)range(1, 6) : 0;
		for (int i = 0; i < nr; i++) {
			p = put_s(rec_begin(), human ? "R-HSA-" : mouse ? "R-MMU-" : "R-DRE-");
			/* pathways are shared by many proteins */
			p = put_u(p, 100000 + skewed(9000000, 2));
			rec_end_unique(T_REACTOME, 0, p);
		}
		if (chance(0.3 * s))
			rec_pfx_num(T_PROTEOMICSDB, 0, "", 1000 + below(200000));
		if (chance(0.2 * s))
			rec_str(T_PEPTIDEATLAS, 0, e->acc);
		if (chance(0.15 * s))
			rec_str(T_PHOSPHO, 0, e->acc);
		if (chance(0.05 * s))
			rec_pfx_num(T_DIP, 0, "DIP-", 1000 + below(60000));
		if (chance(0.1 * s))
			rec_str(T_MINT, 0, e->acc);
		if (chance(0.05 * s))
			rec_pfx_num(T_COMPLEX, 0, "CPX-", 1 + skewed(8000, 2));
		if (chance(0.4 * s))
			rec_pfx_z(T_GENETREE, 0, "ENSGT", derive(42, e->gene) % 1000000000, 11);
	}
	if (human) {
		if (chance(0.9 * s))
			rec_pfx_num(T_HGNC, 0, "HGNC:", 1 + derive(43, e->gene) % 60000);
		if (chance(0.05 * s))
			rec_pfx_num(T_CPTAC, 0, "CPTAC-", 1 + below(5000));
		if (chance(0.3 * s))
			rec_pfx_num(T_PHARMGKB, 0, "PA", 1 + derive(44, e->gene) % 450000);
		if (chance(0.3 * s))
			rec_pfx_num(T_DNASU, 0, "", 1 + derive(45, e->gene) % 100000);
		if (chance(0.03 * s))
			rec_pfx_num(T_GUIDETOPHARM, 0, "", 1 + below(3000));
		if (chance(0.1 * s)) {
			p = put_gene(put_s(rec_begin(), "MetaCyc:HS"), e->gene);
			p = put_s(p, "-MONOMER");
			rec_end(T_BIOCYC, 0, p);
		}
		if (chance(0.01 * s))
			rec_pfx_num(T_ALLERGOME, 0, "", 1 + below(12000));
	}
	if (mouse && chance(0.9 * s))
		rec_pfx_num(T_MGI, 0, "MGI:", 1 + derive(46, e->gene) % 7000000);
	if (e->taxid == 10116 && chance(0.8 * s))
		rec_pfx_num(T_RGD, 0, "", 1 + derive(47, e->gene) % 1600000);
	if (e->taxid == 7227 && chance(0.8 * s))
		rec_pfx_z(T_FLYBASE, 0, "FBgn", derive(48, e->gene) % 10000000, 7);
	if (e->taxid == 6239 && chance(0.8 * s))
		rec_pfx_z(T_WORMBASE, 0, "WBGene", derive(49, e->gene) % 100000000, 8);
	if (e->taxid == 559292 && chance(0.9 * s))
		rec_pfx_z(T_SGD, 0, "S", derive(50, e->gene) % 1000000000, 9);
	if (e->taxid == 3702 && chance(0.8 * s)) {
		uint64_t h = derive(51, e->gene);
		p = put_s(rec_begin(), "AT");
		*p++ = (char)('1' + h % 5);
		*p++ = 'G';
		p = put_z(p, (h >> 8) % 100000, 5);
		rec_end(T_TAIR, 0, p);
	}
	if (e->taxid == 7955 && chance(0.8 * s)) {
		uint64_t h = derive(52, e->gene);
		p = put_s(rec_begin(), "ZDB-GENE-0");
		p = put_z(p, 10101 + h % 90000, 5);
		*p++ = '-';
		p = put_u(p, 1 + (h >> 20) % 3000);
		rec_end(T_ZFIN, 0, p);
	}
	if (e->kind == INVERT && e->taxid != 7227 && e->taxid != 6239 && chance(0.5)) {
		/* VEuPathDB values carry a database prefix and a colon. */
		p = put_s(rec_begin(), "VectorBase:FBgn");
		p = put_z(p, derive(53, e->gene) % 10000000, 7);
		rec_end(T_VECTORBASE, 0, p);
	}
	if (chance(0.5 * s + 0.2)) {
		uint64_t h = derive(54, e->gene);
		if (h % 4 == 0) {
			rec_pfx_z(T_EGGNOG, 0, "COG", (h >> 4) % 5000, 4);
		} else {
			p = put_s(rec_begin(), "ENOG50");
			p = put_radix(p, h >> 8, ALNUM, 36, 5);
			rec_end(T_EGGNOG, 0, p);
		}
	}
	if (chance(0.3 * s + 0.05)) {
		p = put_radix(rec_begin(), derive(55, e->gene ^ e->taxid), UPPER, 26, 7);
		rec_end(T_OMA, 0, p);
	}
	if (chance(0.4 * s + 0.1)) {
		p = put_u(rec_begin(), derive(56, e->gene) % 9000000 + 1000);
		p = put_s(p, e->kind == BACT ? "at2" : e->kind == VERT ? "at7742" : "at2759");
		rec_end(T_ORTHODB, 0, p);
	}
	if (e->kind == BACT && chance(0.3)) {
		p = put_u(put_s(rec_begin(), "fig|"), e->taxid);
		p = put_s(p, ".4.peg.");
		p = put_u(p, 1 + below(6000));
		rec_end(T_PATRIC, 0, p);
	}
	if (e->kind == BACT && chance(0.2 * s)) {
		p = put_s(put_s(rec_begin(), e->species), ":G");
		p = put_u(p, below(10000));
		p = put_s(p, "-MONOMER");
		rec_end(T_BIOCYC, 0, p);
	}
	if (e->has_geneid && chance(0.2 * s))
		rec_num(T_CTD, 0, e->geneid);
	if (e->reviewed && chance(0.2))
		rec_end(T_CHITARS, 0, put_gene(rec_begin(), e->gene));
	if (chance(0.02 * s))
		rec_pfx_num(T_ESTHER, 0, "", 1 + below(9000));
	if (chance(0.03 * s)) {
		p = put_s(rec_begin(), "M10.");
		p = put_z(p, below(1000), 3);
		rec_end(T_MEROPS, 0, p);
	}
}

static void rec_embl_pair(struct entry *e)
{
	char *p = rec_begin();
	if (e->kind == BACT && chance(0.6)) {
		/* one genome record carries many proteins: a shared nucleotide accession */
		p = put_s(p, "CP");
		p = put_z(p, derive(60, e->taxid) % 1000000, 6);
	} else {
		p = put_radix(p, rnd(), UPPER, 26, 2);
		p = put_z(p, below(1000000), 6);
	}
	/* several CDS of one nucleotide record: the EMBL row appears once per entry */
	rec_end_unique(T_EMBL, 0, p);
	p = put_radix(rec_begin(), rnd(), UPPER, 26, 3);
	p = put_z(p, below(100000), 5);
	*p++ = '.';
	p = put_u(p, range(1, 3));
	rec_end_unique(T_CDS, 0, p);
}

static void gen_entry(struct entry *e)
{
	char *p;
	char ensp[32] = "";
	nrecs = 0;
	arena_len = 0;

	if (!e->acc_len) {	/* else preset by the real shape */
		e->acc_len = acc_text(e->k, entry_is_long(e->k), e->acc);
		e->reviewed = chance(e->acc_len == 6 ? 0.55 : 0.02);
	}
	pick_taxon(e);
	e->gene = below(gene_pool);
	int model = e->kind != BACT && e->kind != VIRUS && e->species != e->tail_code;
	int refseq = e->kind == BACT ? chance(0.5) : chance(model ? (e->reviewed ? 0.85 : 0.25) :
							       0.05);
	e->has_geneid = refseq ? chance(0.9) : chance(0.05);
	e->geneid = 1 + derive(33, e->gene * 1000003 + e->taxid) % 120000000;
	int ensembl = e->ens && chance(e->reviewed ? 0.9 : 0.5);
	e->niso = 0;
	if (chance(e->reviewed ? 0.3 : 0.03))
		e->niso = (int)range(2, chance(0.2) ? 9 : 4);

	rec_entry_name(e);
	if (chance(e->reviewed ? 0.95 : 0.55))
		rec_end(T_GENE, 0, put_gene(rec_begin(), e->gene));
	if (chance(e->reviewed ? 0.35 : 0.05)) {
		int n = (int)range(1, 3);
		for (int i = 0; i < n; i++)
			rec_end_unique(T_SYN, 0, put_gene(rec_begin(), below(gene_pool)));
	}
	if (e->kind == VIRUS || e->kind == INVERT || e->kind == PLANT || e->kind == FUNGUS) {
		if (chance(0.3)) {
			p = put_radix(rec_begin(), derive(61, e->gene), UPPER, 26, 1);
			p = put_u(p, 1 + derive(62, e->gene) % 80);
			*p++ = 'F';
			p = put_u(p, 1 + below(9));
			*p++ = '.';
			p = put_u(p, 1 + below(12));
			rec_end(T_ORF, 0, p);
		}
	} else if (e->kind == BACT && chance(0.7)) {
		p = put_s(rec_begin(), e->species);
		p = put_z(p, below(100000), 5);
		rec_end(T_OLN, 0, p);
	}
	int ngi = e->reviewed ? (int)range(2, 9) : (int)range(0, 2);
	for (int i = 0; i < ngi; i++)
		rec_end_unique(T_GI, 0, put_u(rec_begin(), 1000 + below(2100000000)));
	gen_clusters(e);

	int nembl = e->reviewed ? (int)range(1, 6) : (int)range(0, 2);
	for (int i = 0; i < nembl; i++)
		rec_embl_pair(e);
	rec_num(T_TAX, 0, e->taxid);

	/* With isoforms, the protein-level rows go to the isoform accessions. */
	if (refseq) {
		if (e->kind == BACT) {
			/* WP_ proteins are shared by many strains */
			rec_pfx_z(T_REFSEQ, 0, "WP_", skewed(1000000000, 2), 9);
		} else if (e->kind == VIRUS) {
			rec_pfx_z(T_REFSEQ, 0, "YP_", below(1000000), 6);
		} else if (!e->niso) {
			int n = chance(0.2) ? 2 : 1;
			for (int i = 0; i < n; i++)
				rec_refseq(0, e->reviewed ? i > 0 : 1);
		}
		if (model) {
			p = put_s(rec_begin(), "NM_");
			p = put_z(p, below(1000000), 6);
			*p++ = '.';
			rec_end(T_REFNT, 0, put_u(p, range(1, 5)));
		} else {
			p = put_s(rec_begin(), "NC_");
			p = put_z(p, derive(63, e->taxid) % 1000000, 6);
			rec_end(T_REFNT, 0, put_s(p, ".1"));
		}
	}
	if (e->has_geneid)
		rec_num(T_GENEID, 0, e->geneid);
	if (ensembl) {
		uint64_t gid = derive(32, e->gene) ^ e->taxid;
		rec_ensembl(T_ENS, 0, e->ens, 'G', gid);
		uint64_t t = derive(31, e->gene * 64) ^ e->taxid;
		if (!e->niso) {
			rec_ensembl(T_ENSTRS, 0, e->ens, 'T', t);
			rec_ensembl(T_ENSPRO, 0, e->ens, 'P', t + 1);
		}
		p = put_s(ensp, e->ens);
		*p++ = 'P';
		*put_z(p, (t + 1) % 100000000000ull, 11) = 0;
	} else if (!e->ens && e->kind != VIRUS && chance(0.3)) {
		/* Ensembl Genomes: locus-style ids shared by gene, transcript and protein */
		p = put_s(rec_begin(), e->kegg);
		*p = (char)(*p - 'a' + 'A');
		p = put_s(p, "_");
		p = put_z(p, derive(64, e->gene) % 1000000, 6);
		size_t n = (size_t)(p - rec_begin());
		char base[32];
		memcpy(base, rec_begin(), n);
		base[n] = 0;
		rec_end(T_EG, 0, p);
		rec_end(T_EGTRS, 0, put_s(put_s(rec_begin(), base), "-T1"));
		rec_end(T_EGPRO, 0, put_s(put_s(rec_begin(), base), "-P1"));
	}
	if (e->taxid == 9606 && e->reviewed && chance(0.6)) {
		int n = chance(0.2) ? 2 : 1;
		for (int i = 0; i < n; i++)
			rec_end_unique(T_MIM, 0, put_u(rec_begin(),
					100000 + derive(65, e->gene * 4 + (uint64_t)i) % 600000));
	}
	if (chance(e->reviewed ? 0.25 : 0.01)) {
		int n = chance(0.2) ? (int)range(2, 12) : 1;
		uint64_t pool = gene_pool / 4 + 100;
		for (int i = 0; i < n; i++) {
			/* complexes: one PDB id often holds several proteins */
			uint64_t id = derive(66, below(pool));
			p = rec_begin();
			*p++ = (char)('1' + id % 9);
			p = put_radix(p, id >> 8, ALNUM, 36, 3);
			rec_end_unique(T_PDB, 0, p);
		}
	}
	p = put_radix(rec_begin(), rnd(), HEX, 16, 16);
	rec_end(T_CRC64, 0, p);
	gen_xrefs(e, ensp);

	for (int iso = 1; iso <= e->niso; iso++)
		gen_isoform(e, iso, refseq && e->kind != BACT && e->kind != VIRUS, ensembl);
}

/* ---------------------------------------------------------------------------------------- */
/* Writers. */

static struct out dat, sel;
static uint64_t n_dup;

static void write_line(const char *acc, size_t acc_len, const struct rec *r)
{
	const char *t = TYPE_NAME[r->type];
	size_t tl = strlen(t);
	char *p = out_room(&dat, acc_len + tl + r->len + 3);
	memcpy(p, acc, acc_len);
	p += acc_len;
	*p++ = '\t';
	memcpy(p, t, tl);
	p += tl;
	*p++ = '\t';
	memcpy(p, arena + r->off, r->len);
	p += r->len;
	*p++ = '\n';
	dat.len = (size_t)(p - dat.buf);
	dat.lines++;
}

static void write_dat(const struct entry *e)
{
	char iso_acc[IDMAP_ACC_TEXT_MAX + 4];
	size_t iso_len = 0;
	int cur_iso = -1;
	for (int i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];
		if (r->type >= T_GO)
			continue;
		if (r->iso == 0) {
			write_line(e->acc, (size_t)e->acc_len, r);
			continue;
		}
		if (r->iso != cur_iso) {
			char *p = put_s(iso_acc, e->acc);
			*p++ = '-';
			p = put_u(p, r->iso);
			*p = 0;
			iso_len = (size_t)(p - iso_acc);
			if (!idmap_acc_encode(iso_acc, iso_len)) {
				fprintf(stderr, "idmap-genrelease: invalid isoform %s\n", iso_acc);
				exit(3);
			}
			cur_iso = r->iso;
		}
		write_line(iso_acc, iso_len, r);
	}
	/* Now and then an exact duplicate line inside the last accession's block. */
	if (nrecs > 1 && chance(0.0005)) {
		const struct rec *last = &recs[nrecs - 1];
		int cand[MAX_RECS], nc = 0;
		for (int i = 0; i < nrecs; i++)
			if (recs[i].iso == last->iso && recs[i].type < T_GO)
				cand[nc++] = i;
		if (nc) {
			const struct rec *r = &recs[cand[below((uint64_t)nc)]];
			if (r->iso)
				write_line(iso_acc, iso_len, r);
			else
				write_line(e->acc, (size_t)e->acc_len, r);
			n_dup++;
		}
	}
}

/* The selected-only columns, drawn when the row is written. */
static void gen_selected_only(const struct entry *e)
{
	int ngo = e->reviewed ? (int)range(2, 12) : (int)range(0, 4);
	for (int i = 0; i < ngo; i++)	/* a few GO terms are on a huge share of entries */
		rec_pfx_z(T_GO, 0, "GO:", 1 + skewed(2200000, 4), 7);
	if (chance(e->reviewed ? 0.1 : 0.005)) {
		char *p = rec_begin();
		*p++ = "ABCIJS"[below(6)];
		rec_end(T_PIR, 0, put_z(p, below(100000), 5));
	}
	if ((e->taxid == 9606 || e->taxid == 10090) && chance(0.5))
		rec_pfx_num(T_UNIGENE, 0, e->taxid == 9606 ? "Hs." : "Mm.", 1 + below(700000));
	int npm = e->reviewed ? (int)range(1, 8) : (int)range(0, 1);
	for (int i = 0; i < npm; i++)
		rec_num(T_PUBMED, 0, 1000000 + below(39000000));
	if (chance(e->reviewed ? 0.3 : 0.05)) {
		int n = (int)range(1, 3);
		for (int i = 0; i < n; i++)
			rec_num(T_ADDPUBMED, 0, 1000000 + below(39000000));
	}
}

/* Writes one "; "-joined cell of the values of type t (all isoforms when iso_too). */
static void write_cell(int t, int iso_too)
{
	int first_idx[MAX_RECS], nw = 0;
	out_chr(&sel, '\t');
	for (int i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];
		if (r->type != t || (r->iso && !iso_too))
			continue;
		int dup = 0;
		for (int j = 0; j < nw && !dup; j++) {
			const struct rec *q = &recs[first_idx[j]];
			dup = q->len == r->len && !memcmp(arena + q->off, arena + r->off, r->len);
		}
		if (dup)
			continue;
		if (nw)
			out_mem(&sel, "; ", 2);
		if (t == T_PDB) {
			/* the selected file names chains: 1ABC:A; 1ABC:B */
			int nch = chance(0.5) ? 1 : (int)range(2, 4);
			for (int c = 0; c < nch; c++) {
				if (c)
					out_mem(&sel, "; ", 2);
				out_mem(&sel, arena + r->off, r->len);
				out_chr(&sel, ':');
				out_chr(&sel, (char)('A' + c));
			}
		} else {
			out_mem(&sel, arena + r->off, r->len);
		}
		first_idx[nw++] = i;
	}
}

static void write_selected(const struct entry *e)
{
	static const int COLS[21] = {
		T_ID, T_GENEID, T_REFSEQ, T_GI, T_PDB, T_GO, T_UR100, T_UR90, T_UR50, T_UPARC,
		T_PIR, T_TAX, T_MIM, T_UNIGENE, T_PUBMED, T_EMBL, T_CDS, T_ENS, T_ENSTRS,
		T_ENSPRO, T_ADDPUBMED,
	};
	out_mem(&sel, e->acc, (size_t)e->acc_len);
	for (int c = 0; c < 21; c++) {
		int t = COLS[c];
		write_cell(t, t == T_REFSEQ || t == T_ENSTRS || t == T_ENSPRO);
	}
	out_chr(&sel, '\n');
	sel.lines++;
}

/* ---------------------------------------------------------------------------------------- */
/* Accession history files. */

static const char DASHES[] =
	"----------------------------------------------------------------------------\n";

static void write_banner(FILE *f, const char *title)
{
	fputs(DASHES, f);
	fprintf(f, "        %s\n", title);
	fputs("        SIB Swiss Institute of Bioinformatics; Geneva, Switzerland\n"
	      "        European Bioinformatics Institute (EBI); Hinxton, United Kingdom\n"
	      "        Protein Information Resource (PIR); Washington DC, USA\n", f);
	fputs(DASHES, f);
	fputs("\n", f);
}

static void write_footer(FILE *f)
{
	fputs("\n", f);
	fputs(DASHES, f);
	fputs("Copyrighted by the UniProt Consortium, see https://www.uniprot.org/terms\n"
	      "Distributed under the Creative Commons Attribution (CC BY 4.0) License\n", f);
	fputs(DASHES, f);
}

struct pair {
	char sec[IDMAP_ACC_TEXT_MAX];
	char prim[IDMAP_ACC_TEXT_MAX];
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->sec, y->sec);
	return c ? c : strcmp(x->prim, y->prim);
}

static FILE *open_text(const char *dir, const char *name, char *path, size_t n)
{
	snprintf(path, n, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		die("cannot create", path);
	return f;
}

static void close_text(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f))
		die("write error", path);
}

static uint64_t write_sec_ac(const char *dir, uint64_t n_entries, uint64_t n_sec)
{
	char path[4096];
	size_t cap = (size_t)(n_sec + n_sec / 10 + 8), n = 0;
	struct pair *v = malloc(cap * sizeof *v);
	if (!v)
		die("out of memory", dir);
	for (uint64_t j = 0; j < n_sec; j++) {
		uint64_t k = n_entries + j;
		int demerge = chance(0.02) && n_entries > 1;
		uint64_t p1 = below(n_entries), p2 = (p1 + 1 + below(n_entries - 1)) % n_entries;
		acc_of(k, v[n].sec);
		acc_of(p1, v[n].prim);
		n++;
		if (demerge && n < cap) {
			/* a split entry: one secondary, one line per primary */
			memcpy(v[n].sec, v[n - 1].sec, sizeof v[n].sec);
			acc_of(p2, v[n].prim);
			n++;
		}
	}
	qsort(v, n, sizeof *v, cmp_pair);
	FILE *f = open_text(dir, "sec_ac.txt", path, sizeof path);
	fputs("\n", f);
	write_banner(f, "UniProt Protein Knowledgebase");
	fputs("Description: Secondary accession numbers: index\n"
	      "Name:        SEC_AC.TXT\n"
	      "Release:     28-Jan-2026\n\n", f);
	fputs(DASHES, f);
	fputs("\n"
	      "This file lists all secondary accession numbers in UniProtKB (Swiss-Prot and\n"
	      "TrEMBL), together with their corresponding current primary accession number(s).\n"
	      "Accession numbers become secondary when entries are merged or split. When two\n"
	      "entries are merged into one, the accession numbers from both entries are stored\n"
	      "for the new entry.\n\n"
	      "If an existing entry is split into two or more entries (a rare occurrence),\n"
	      "the original accession numbers are retained in all the derived entries and a\n"
	      "new primary accession number is added to all the entries.\n\n"
	      "An accession number is dropped only when the data to which it was assigned have\n"
	      "been completely removed from the database. Accession numbers deleted from\n"
	      "Swiss-Prot are listed in the document file delac_sp.txt and those deleted\n"
	      "from TrEMBL are listed in delac_tr.txt.\n\n"
	      "Secondary AC                  Primary AC\n"
	      "____________                  __________\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%-34s%s\n", v[i].sec, v[i].prim);
	write_footer(f);
	close_text(f, path);
	free(v);
	return n;
}

static int cmp_acc(const void *a, const void *b) { return strcmp(a, b); }

static void write_delac(const char *dir, uint64_t first_k, uint64_t n_del)
{
	char path[4096];
	char(*v)[IDMAP_ACC_TEXT_MAX] = malloc((size_t)(n_del + 1) * sizeof *v);
	if (!v)
		die("out of memory", dir);
	for (uint64_t j = 0; j < n_del; j++) {
		uint64_t k = first_k + j;
		acc_of(k, v[j]);
	}
	qsort(v, (size_t)n_del, sizeof *v, cmp_acc);
	FILE *f = open_text(dir, "delac_sp.txt", path, sizeof path);
	write_banner(f, "UniProt - Swiss-Prot Protein Knowledgebase");
	fputs("Description: Accession numbers deleted from UniProtKB/Swiss-Prot\n"
	      "Name:        delac_sp.txt\n"
	      "Release:     2026_01 of 28-Jan-2026\n\n", f);
	fputs(DASHES, f);
	fputs("\n"
	      "This file lists the accession numbers of UniProtKB/Swiss-Prot entries\n"
	      "which have been deleted from the database.\n\n"
	      "Deleted entries are almost exclusively Open Reading Frames (ORFs) that\n"
	      "have been wrongly predicted to code for proteins. When there is enough\n"
	      "evidence that  these  hypothetical  proteins  are not real we take the\n"
	      "decision to remove them from UniProtKB/Swiss-Prot.\n\n"
	      "Also see the file delac_tr.txt for the list of accession numbers which\n"
	      "have been deleted in UniProtKB/TrEMBL.\n\n\n"
	      "Accession number\n"
	      "________________\n", f);
	for (uint64_t j = 0; j < n_del; j++)
		fprintf(f, "%s\n", v[j]);
	write_footer(f);
	close_text(f, path);
	free(v);
}

static void write_reldate(const char *dir, uint64_t seed)
{
	char path[4096];
	FILE *f = open_text(dir, "reldate.txt", path, sizeof path);
	fprintf(f, "UniProt Knowledgebase Release 2026_01 consists of:\n"
		   "UniProtKB/Swiss-Prot Release 2026_01 of 28-Jan-2026\n"
		   "UniProtKB/TrEMBL Release 2026_01 of 28-Jan-2026\n"
		   "(synthetic release written by idmap-genrelease, seed %llu)\n",
		(unsigned long long)seed);
	close_text(f, path);
}

/* ---------------------------------------------------------------------------------------- */
/* --shape real: the layout of UniProt's idmapping.dat, which gzip shrinks about 5x (100 GB
 * of text, 15-20 GB gzipped). The default shape above draws most values independently and
 * shrinks 3.6x. Figures of 1e6 lines, seed 42, gzip -6 (gzip -1: the default's --gzip):
 *   shape                                   idmapping.dat   selected.tab  bytes/line
 *   default                                 3.57x (3.07x)   2.49x (2.23x)  31.2
 *   real                                    5.26x (4.44x)   4.39x (3.63x)  34.0
 *   real, organism batches of one entry     4.04x           2.97x
 *   real, accessions permuted, not in runs  4.77x           3.81x
 *   real, no cluster named after its entry  4.99x           4.16x
 *   real, families not shared               5.27x           4.31x
 * So what drives the ratio is what neighbours share, inside gzip's 32 KiB window (~70
 * entries): batches, accession runs, the entry's own accession repeated in its values.
 * The order of ID types inside an entry hardly matters (its lines shuffled 5.21x, sorted
 * by type 5.31x).
 * Sharing across the whole file (families) leaves gzip unmoved but is what an index sees:
 * 664k distinct (type, value) keys in 1e6 lines, 744k without shared families, 832k in
 * the default shape.
 * The real shape's ratio drifts down slowly with N: 5.45x at 1e5 lines, 5.15x at 1e7
 * (342 MB of text, 66 MB of gzip; 14 lines per entry).
 * The layout, after UniProtKB (~99% TrEMBL entries; the real files average ~42 bytes a
 * line):
 * - Swiss-Prot first (1/40 of the lines: the default shape's reviewed entries), then
 *   TrEMBL entries in batches of one organism (a genome submission: 1 to 6000 entries).
 *   Within a batch accessions are near-consecutive (A0A0A0MRZ7, A0A0A0MRZ8, ...; runs of
 *   1024 counters, then a jump), locus tags, EMBL-CDS protein ids, UniParc ids and GIs step
 *   by small increments; taxon, EMBL record, KEGG/STRING prefixes and the genome paper's
 *   PubMed id are shared.
 * - Every entry belongs to a protein family drawn with a heavy head: its eggNOG, KO, OrthoDB,
 *   GO terms, gene name and UniRef50 cluster come from the family.
 * - UniRef clusters are named after an accession of the release: the entry's own for ~80% of
 *   UniRef100, ~50% of UniRef90 and 20% of UniRef50 clusters.
 * - CRC64 stays random: 16 hex digits per entry that no compressor can shrink.
 * The history files use the same accession function (acc_of), so sec_ac.txt primaries are
 * entries and secondary/deleted accessions are not. */

static int shape_real;
static uint64_t real_sp;	/* entries [0, real_sp) are Swiss-Prot, 6-character accessions */
static uint64_t real_reps;	/* cluster representatives: entries [real_sp, real_sp + real_reps) */
static uint64_t real_fams;	/* protein families */
static uint64_t chunk_a, chunk_b;

#define CHUNK 1024		/* consecutive entries per accession run */
#define M10_CHUNKS (M10 / (2 * CHUNK))

static void real_init(uint64_t lines)
{
	chunk_a = coprime_mult(M10_CHUNKS, 1000003 + derive(70, 0) % 1000000);
	chunk_b = derive(71, 0) % M10_CHUNKS;
	real_fams = lines / 60 + 100;
}

/* TrEMBL accession of entry k: run k / CHUNK sits at a permuted place of the 10-character
 * space, and inside it entries step by 1 or 2 (the gaps are accessions given elsewhere). */
static int acc_trembl(uint64_t k, char *out)
{
	uint64_t run = (uint64_t)(((unsigned __int128)chunk_a * (k / CHUNK) + chunk_b) %
				  M10_CHUNKS);
	uint64_t x = run * 2 * CHUNK + 2 * (k % CHUNK) + (derive(72, k) & 1);
	char *p = put_s(out, "A0");
	/* mixed radix, least significant last: A0A0A0MRZ7 is followed by A0A0A0MRZ8 */
	p[7] = (char)('0' + x % 10);
	x /= 10;
	put_radix(p + 5, x % (36 * 36), ALNUM, 36, 2);
	x /= 36 * 36;
	p[4] = UPPER[x % 26];
	x /= 26;
	p[3] = (char)('0' + x % 10);
	x /= 10;
	put_radix(p + 1, x % (36 * 36), ALNUM, 36, 2);
	x /= 36 * 36;
	p[0] = "ABC"[x % 3];
	p[8] = 0;
	if (!idmap_acc_encode(out, 10)) {
		fprintf(stderr, "idmap-genrelease: internal error: invalid accession %s\n", out);
		exit(3);
	}
	return 10;
}

/* The accession of counter k in the real shape (entries, then secondary and deleted ones). */
static int acc_real(uint64_t k, char *out)
{
	return k < real_sp ? acc_text(k, 0, out) : acc_trembl(k, out);
}

/* One genome submission: what its entries share and the counters they step. */
struct batch {
	uint64_t left;		/* entries still to come */
	uint32_t taxid;
	enum kingdom kind;
	const char *ens;	/* Ensembl prefix of a model organism, else NULL */
	char code[8], kegg[8];
	char locus[12];		/* locus tag prefix */
	uint64_t locus_n;
	unsigned locus_step;
	int complete;		/* complete genome: ordered locus names, one EMBL record */
	int in_kegg, in_string, in_patric;
	char embl[24];		/* nucleotide record of the current contig */
	char wgs[8];
	uint64_t contig;
	char cds[4];
	uint64_t cds_n, upi, gi, xp, ens_n, peg;
	uint64_t pubmed;	/* the genome paper, 0 when none */
};

static struct batch bt;
static uint64_t upi_next = 0x10000000ull;	/* UniParc ids are handed out in order */

static void real_contig(void)
{
	char *p = bt.embl;
	if (bt.complete) {
		p = put_s(p, "CP");
		p = put_z(p, derive(73, bt.taxid) % 1000000, 6);
	} else {
		p = put_s(p, bt.wgs);
		p = put_z(p, 1000000 + ++bt.contig, 8);
	}
	*p = 0;
}

static void real_batch(void)
{
	memset(&bt, 0, sizeof bt);
	/* sizes: many lone submissions, genomes of a few thousand proteins */
	bt.left = chance(0.4) ? range(1, 20) : chance(0.7) ? range(500, 6000) : range(20, 500);
	if (chance(0.1)) {
		const struct taxon *t = &TAXA[below(N_TAXA)];
		bt.taxid = t->id;
		bt.kind = t->kind;
		bt.ens = t->ens;
		memcpy(bt.code, t->code, strlen(t->code) + 1);
		memcpy(bt.kegg, t->kegg, strlen(t->kegg) + 1);
	} else {
		struct tail_taxon tt;
		tail_taxon(skewed(TAIL_TAXA, 2), &tt);
		bt.taxid = tt.id;
		bt.kind = tt.kind;
		memcpy(bt.code, tt.code, sizeof tt.code);
		memcpy(bt.kegg, tt.kegg, sizeof tt.kegg);
		if (chance(0.6))
			bt.code[0] = '9';	/* 9BACI: a species code for a whole genus */
	}
	char *p = put_radix(bt.locus, rnd(), UPPER, 26, 2 + (int)below(3));
	*put_z(p, below(1000), chance(0.5) ? 2 : 3) = 0;
	bt.locus_n = range(1, 50) * 5;
	bt.locus_step = chance(0.6) ? 5 : 1;
	bt.complete = chance(0.3);
	bt.in_kegg = bt.complete && chance(0.6);
	bt.in_string = chance(0.25);
	bt.in_patric = bt.kind == BACT && chance(0.5);
	*put_radix(bt.wgs, rnd(), UPPER, 26, chance(0.5) ? 4 : 6) = 0;
	real_contig();
	*put_radix(bt.cds, rnd(), UPPER, 26, 3) = 0;
	bt.cds_n = below(100000);
	bt.upi = upi_next;
	upi_next += bt.left + bt.left / 4 + 1;
	bt.gi = chance(0.3) ? 100000000 + below(1000000000) : 0;	/* pre-2016 submissions */
	bt.xp = below(1000000000);
	bt.ens_n = below(100000) * 100;
	bt.peg = 1;
	bt.pubmed = chance(0.3) ? 10000000 + below(29000000) : 0;
}

/* "UniRefNN_" + the accession of entry k. */
static void rec_cluster(int type, const char *pfx, uint64_t k)
{
	char *p = put_s(rec_begin(), pfx);
	p += acc_real(k, p);
	rec_end(type, 0, p);
}

/* Representative of family f at level what: an entry among the first real_reps. */
static uint64_t real_rep(uint64_t what, uint64_t f)
{
	return real_sp + derive(what, f) % real_reps;
}

static void gen_trembl(struct entry *e, uint64_t fam)
{
	char *p;
	nrecs = 0;
	arena_len = 0;
	e->acc_len = acc_real(e->k, e->acc);
	e->taxid = bt.taxid;

	p = put_s(put_s(rec_begin(), e->acc), "_");
	rec_end(T_ID, 0, put_s(p, bt.code));
	if (chance(bt.kind == BACT ? 0.3 : 0.5))
		rec_end(T_GENE, 0, put_gene(rec_begin(), derive(74, fam) % gene_pool));
	char locus[24];
	p = put_s(locus, bt.locus);
	*p++ = '_';
	*put_z(p, bt.locus_n, 5) = 0;
	bt.locus_n += bt.locus_step * (chance(0.1) ? 2 : 1);
	rec_str(bt.complete ? T_OLN : T_ORF, 0, locus);
	if (bt.gi)
		rec_num(T_GI, 0, bt.gi += range(1, 4));

	/* Nested: a cluster named after this entry at one level is so at the levels below. */
	int self50 = chance(0.2), self90 = self50 || chance(0.4), self100 = self90 || chance(0.6);
	if (self100)
		rec_cluster(T_UR100, "UniRef100_", e->k);
	else
		rec_cluster(T_UR100, "UniRef100_", real_rep(75, fam * 64 + below(64)));
	rec_cluster(T_UR90, "UniRef90_", self90 ? e->k : real_rep(76, fam * 8 + below(8)));
	rec_cluster(T_UR50, "UniRef50_", self50 ? e->k : real_rep(77, fam));
	/* a new sequence takes the next UniParc id; an old one is anywhere before */
	uint64_t upi = self100 || chance(0.5) ? bt.upi++ : below(upi_next);
	rec_end(T_UPARC, 0, put_radix(put_s(rec_begin(), "UPI"), upi, HEX, 16, 10));

	if (!bt.complete && chance(0.05))
		real_contig();
	rec_str(T_EMBL, 0, bt.embl);
	p = put_z(put_s(rec_begin(), bt.cds), bt.cds_n++ % 100000, 5);
	rec_end(T_CDS, 0, put_s(p, ".1"));
	rec_num(T_TAX, 0, bt.taxid);
	if (bt.kind == BACT && chance(0.6)) {
		/* WP_ proteins are shared by many strains */
		p = put_z(put_s(rec_begin(), "WP_"), skewed(1000000000, 2), 9);
		rec_end(T_REFSEQ, 0, put_s(p, ".1"));
	} else if (bt.kind != BACT && bt.complete) {
		p = put_z(put_s(rec_begin(), "XP_"), bt.xp++ % 1000000000, 9);
		rec_end(T_REFSEQ, 0, put_s(p, ".1"));
	}
	if (bt.in_kegg) {
		p = put_s(put_s(rec_begin(), bt.kegg), ":");
		rec_end(T_KEGG, 0, put_s(p, locus));
	}
	if (bt.ens) {
		uint64_t n = bt.ens_n += range(1, 30);
		rec_ensembl(T_ENS, 0, bt.ens, 'G', n);
		rec_ensembl(T_ENSTRS, 0, bt.ens, 'T', n + 1);
		rec_ensembl(T_ENSPRO, 0, bt.ens, 'P', n + 2);
	} else if (bt.kind != BACT && bt.kind != VIRUS && chance(0.5)) {
		rec_str(T_EG, 0, locus);
		rec_end(T_EGTRS, 0, put_s(put_s(rec_begin(), locus), "-T1"));
		rec_end(T_EGPRO, 0, put_s(put_s(rec_begin(), locus), "-P1"));
	}
	if (bt.in_string) {
		p = put_s(put_u(rec_begin(), bt.taxid), ".");
		rec_end(T_STRING, 0, put_s(p, locus));
	}
	uint64_t h = derive(78, fam);
	if (h % 10 < 7) {
		if (h & 16)
			rec_pfx_z(T_EGGNOG, 0, "COG", (h >> 8) % 5000, 4);
		else
			rec_end(T_EGGNOG, 0, put_radix(put_s(rec_begin(), "ENOG50"), h >> 8, ALNUM,
						       36, 5));
	}
	if (h % 7 < 3)
		rec_pfx_z(T_KO, 0, "K", (h >> 40) % 30000, 5);
	if (h % 11 < 6) {
		p = put_u(rec_begin(), (h >> 20) % 9000000 + 1000);
		rec_end(T_ORTHODB, 0, put_s(p, bt.kind == BACT ? "at2" : "at2759"));
	}
	if (bt.in_patric) {
		p = put_u(put_s(rec_begin(), "fig|"), bt.taxid);
		rec_end(T_PATRIC, 0, put_u(put_s(p, ".4.peg."), bt.peg++));
	}
	rec_end(T_CRC64, 0, put_radix(rec_begin(), rnd(), HEX, 16, 16));

	/* idmapping_selected.tab only: the family's GO terms (a few very common ones), the
	 * genome paper */
	unsigned ngo = (unsigned)(h >> 60) % 7;
	for (unsigned i = 0; i < ngo; i++) {
		double u = (double)(derive(79, fam * 8 + i) >> 11) * (1.0 / 9007199254740992.0);
		rec_pfx_z(T_GO, 0, "GO:", 1 + (uint64_t)(u * u * u * 2200000), 7);
	}
	if (bt.pubmed)
		rec_num(T_PUBMED, 0, bt.pubmed);
}

/* Writes the entries of the real shape until the dat file has `lines` lines; returns the
 * number of entries. */
static uint64_t write_real(uint64_t lines)
{
	uint64_t k = 0;
	struct entry e;
	/* Swiss-Prot: the default shape's reviewed entries, with 6-character accessions. */
	while (dat.lines < lines / 40 + 1) {
		memset(&e, 0, sizeof e);
		e.k = k++;
		e.acc_len = acc_text(e.k, 0, e.acc);
		e.reviewed = 1;
		gen_entry(&e);
		write_dat(&e);
		gen_selected_only(&e);
		write_selected(&e);
	}
	real_sp = k;
	/* A lower bound of the TrEMBL entry count (an entry has at most 24 lines), so every
	 * representative named is an entry of the release. */
	real_reps = (dat.lines < lines ? lines - dat.lines : 0) / 40 + 1;
	while (dat.lines < lines) {
		if (!bt.left)
			real_batch();
		bt.left--;
		memset(&e, 0, sizeof e);
		e.k = k++;
		gen_trembl(&e, skewed(real_fams, 3));
		write_dat(&e);
		write_selected(&e);
	}
	return k;
}

/* ---------------------------------------------------------------------------------------- */

/* --fasta: the entry's values, as written to the idmapping files, to genfasta.c. */
static void write_fasta(const struct entry *e)
{
	struct gf_entry g;
	char val[6 + 2 * (GF_MAX_ISO + 1)][VAL_MAX + 1], org[64];
	int nv = 0;
	memset(&g, 0, sizeof g);
	g.k = e->k;
	g.acc = e->acc;
	g.taxid = e->taxid;
	g.reviewed = e->reviewed;
	g.niso = e->niso;
	g.org = org;
	snprintf(org, sizeof org, "Organism %s", e->species);
	for (size_t t = 0; t < N_TAXA; t++)
		if (TAXA[t].id == e->taxid)
			g.org = TAXA_NAME[t];
	for (int i = 0; i < nrecs && nv < (int)(sizeof val / sizeof val[0]); i++) {
		const struct rec *r = &recs[i];
		const char **slot = NULL;
		if (r->iso == 0) {
			slot = r->type == T_ID	   ? &g.name
			       : r->type == T_GENE  ? &g.gene
			       : r->type == T_UPARC ? &g.upi
			       : r->type == T_UR100 ? &g.ur[0]
			       : r->type == T_UR90  ? &g.ur[1]
			       : r->type == T_UR50  ? &g.ur[2]
						    : NULL;
		} else if (r->iso <= GF_MAX_ISO) {
			slot = r->type == T_UPARC   ? &g.iso_upi[r->iso]
			       : r->type == T_UR100 ? &g.iso_ur100[r->iso]
						    : NULL;
		}
		if (!slot || *slot)
			continue;
		memcpy(val[nv], arena + r->off, r->len);
		val[nv][r->len] = 0;
		*slot = val[nv++];
	}
	if (g.name && g.upi)
		gf_entry(&g);
}

/* --uniparc: the entry's UniParc ids and the values UniParc cross-references, as written
 * to the idmapping files, to genuniparc.c. */
static void write_uniparc(const struct entry *e)
{
	static const struct {
		int type, gu;
	} kinds[] = {{T_REFSEQ, GU_REFSEQ}, {T_CDS, GU_EMBL_CDS}, {T_ENSPRO, GU_ENSEMBL_PRO},
		     {T_GI, GU_GI}};
	static char val[MAX_RECS][VAL_MAX + 1];
	static struct gu_value v[MAX_RECS];
	struct gu_entry g;
	memset(&g, 0, sizeof g);
	g.acc = e->acc;
	g.reviewed = e->reviewed;
	g.taxid = e->taxid;
	g.niso = e->niso;
	g.v = v;
	for (int i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];
		memcpy(val[i], arena + r->off, r->len);
		val[i][r->len] = 0;
		if (r->type == T_UPARC && r->iso == 0 && !g.upi)
			g.upi = val[i];
		else if (r->type == T_UPARC && r->iso > 0 && r->iso <= GF_MAX_ISO)
			g.iso_upi[r->iso] = val[i];
		else if (r->type == T_GENE && r->iso == 0 && !g.gene)
			g.gene = val[i];
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			if (r->type == kinds[k].type)
				v[g.nv++] = (struct gu_value){kinds[k].gu, r->iso, val[i]};
	}
	if (g.upi)
		gu_entry(&g);
}

static void usage(void)
{
	fputs("usage: idmap-genrelease --lines N --seed S --out DIR [--gzip] [--shape real]\n"
	      "       [--fasta] [--uniparc PARTS]\n"
	      "Writes a synthetic UniProt idmapping release into DIR: idmapping.dat,\n"
	      "idmapping_selected.tab (both .gz with --gzip), sec_ac.txt, delac_sp.txt and\n"
	      "reldate.txt. N is the approximate number of idmapping.dat lines (1e7 is\n"
	      "accepted); the output is the same for the same N and S. --shape real lays the\n"
	      "entries out like the real files (organism batches, shared values), which\n"
	      "compress about 5x with gzip instead of 3.6x; its --gzip files are written at\n"
	      "gzip's default level 6 like UniProt's (else level 1, for speed). --fasta (default\n"
	      "shape only) also writes the release's FASTA files (uniprot_sprot, uniprot_trembl,\n"
	      "uniprot_sprot_varsplic, uniref100/90/50, uniparc_active) for the same entries.\n"
	      "--uniparc (default shape only) also writes the UniParc XML in PARTS files\n"
	      "(uniparc_p1.xml ..): the entries' UPIs with their RefSeq, EMBL, Ensembl and GI\n"
	      "cross-references, and UniParc-only UPIs whose ids no idmapping file has.\n",
	      stderr);
	exit(2);
}

static uint64_t parse_count(const char *s)
{
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (errno || end == s || *end || d < 1 || d > 1e12)
		usage();
	return (uint64_t)d;
}

int main(int argc, char **argv)
{
	uint64_t lines = 0, seed = 1;
	const char *dir = NULL;
	int gzip = 0, have_lines = 0, fasta = 0, uniparc = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--gzip")) {
			gzip = 1;
		} else if (!strcmp(a, "--fasta")) {
			fasta = 1;
		} else if (i + 1 < argc && !strcmp(a, "--uniparc")) {
			uniparc = atoi(argv[++i]);
			if (uniparc < 1 || uniparc > 64)
				usage();
		} else if (i + 1 < argc && !strcmp(a, "--lines")) {
			lines = parse_count(argv[++i]);
			have_lines = 1;
		} else if (i + 1 < argc && !strcmp(a, "--seed")) {
			char *end;
			seed = strtoull(argv[++i], &end, 0);
			if (*end)
				usage();
		} else if (i + 1 < argc && !strcmp(a, "--out")) {
			dir = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--shape")) {
			shape_real = !strcmp(argv[++i], "real");
			if (!shape_real && strcmp(argv[i], "default"))
				usage();
		} else {
			usage();
		}
	}
	/* FASTA and UniParc XML follow the default shape */
	if (!have_lines || !dir || ((fasta || uniparc) && shape_real))
		usage();
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		die("cannot create directory", dir);

	g_seed = seed;
	for (int i = 0; i < 4; i++)
		rng_s[i] = mix64(seed + 0x1234567ull * (uint64_t)(i + 1));
	perm_init();
	gene_pool = lines / 36 + 200;
	if (shape_real) {
		real_init(lines);
		acc_of = acc_real;
		gz_mode = "wb6";
	}

	out_open(&dat, dir, "idmapping.dat", gzip);
	out_open(&sel, dir, "idmapping_selected.tab", gzip);
	if (fasta)
		gf_open(dir, gzip);
	if (uniparc)
		gu_open(dir, gzip, uniparc);
	uint64_t k = shape_real ? write_real(lines) : 0;
	struct entry e;
	while (!shape_real && dat.lines < lines) {
		memset(&e, 0, sizeof e);
		e.k = k++;
		gen_entry(&e);
		write_dat(&e);
		if (fasta)
			write_fasta(&e);
		if (uniparc)
			write_uniparc(&e);
		if (chance(0.75)) {
			gen_selected_only(&e);
			write_selected(&e);
		}
	}
	out_close(&dat);
	out_close(&sel);
	if (fasta)
		gf_close();
	if (uniparc)
		gu_close();
	uint64_t n_sec = k / 10 + 3, n_del = k / 50 + 3;
	/* Secondary and deleted accessions take the counters after the entries' own. */
	if (k + n_sec + n_del > (shape_real ? M10_CHUNKS * CHUNK : M6)) {
		fprintf(stderr, "idmap-genrelease: too many entries\n");
		return 1;
	}
	uint64_t sec_lines = write_sec_ac(dir, k, n_sec);
	write_delac(dir, k + n_sec, n_del);
	write_reldate(dir, seed);
	fprintf(stderr,
		"idmap-genrelease: %llu entries, %llu dat lines (%llu duplicates), %llu selected "
		"rows, %llu sec_ac lines, %llu deleted\n",
		(unsigned long long)k, (unsigned long long)dat.lines, (unsigned long long)n_dup,
		(unsigned long long)sel.lines, (unsigned long long)sec_lines,
		(unsigned long long)n_del);
	return 0;
}
