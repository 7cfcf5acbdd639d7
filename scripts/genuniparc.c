/* UniParc XML of the synthetic release: uniparc_p1.xml .. uniparc_pN.xml in UniProt's shape
 * (one element a line, <dbReference> with <property> children, <signatureSequenceMatch> and
 * <sequence> after them). The UPIs of UniProtKB entries are the idmapping files' UniParc
 * values, cross-referencing the entries' RefSeq, EMBL-CDS and Ensembl_PRO values (the
 * canonical's on its UPI, an isoform's on the isoform's) with GIs and taxa; some older
 * RefSeq versions are inactive. UniParc-only UPIs (numbers from 2^36 on, above every UPI of
 * genrelease) carry RefSeq YP_ ids of 9 digits and EMBL protein ids of 3 letters and 7
 * digits, shapes genrelease never writes (6 and 5 digits), so their ids are in no idmapping
 * file. Nothing here draws from genrelease's random
 * stream: its other files are the same with or without --uniparc. */
#include "genuniparc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_PARTS 64
#define BLOCK 64 /* entries in a row in one part */

static int n_parts;
static gzFile gz[MAX_PARTS];
static FILE *fp[MAX_PARTS];
static char paths[MAX_PARTS][4096];
static uint64_t n_entries, n_only;

/* The open UPI: consecutive UniProtKB entries may share it; its cross-references gather in
 * refs until another UPI comes. */
static char open_upi[16];
static uint32_t open_taxid;
static char *refs;
static size_t refs_len, refs_cap;

static uint64_t rng;

static uint64_t rand64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void seed_from(const char *s)
{
	uint64_t h = 0x84222325cbf29ce4ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	rng = h | 1;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "idmap-genrelease: %s %s\n", what, path);
	exit(1);
}

static void put(int part, const char *s, size_t n)
{
	if (gz[part] ? gzwrite(gz[part], s, (unsigned)n) != (int)n : fwrite(s, 1, n, fp[part]) != n)
		die("write error in", paths[part]);
}

static void putf(int part, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(int part, const char *fmt, ...)
{
	char b[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	put(part, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

static void addf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void addf(const char *fmt, ...)
{
	char b[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n < sizeof b ? (size_t)n : sizeof b - 1;
	if (refs_len + len + 1 > refs_cap) {
		refs_cap = (refs_len + len + 1) * 2;
		refs = realloc(refs, refs_cap);
		if (!refs)
			die("out of memory", "");
	}
	memcpy(refs + refs_len, b, len);
	refs_len += len;
	refs[refs_len] = 0;
}

/* <dbReference> with its properties; version NULL: none. */
static void dbref(const char *db, const char *id, const char *version, int active,
		  uint32_t taxid, const char *gi, const char *pname)
{
	unsigned year = 2005 + (unsigned)(rand64() % 20);
	addf("<dbReference type=\"%s\" id=\"%s\" version_i=\"%u\" active=\"%s\"", db, id,
	     1 + (unsigned)(rand64() % 3), active ? "Y" : "N");
	if (version)
		addf(" version=\"%s\"", version);
	addf(" created=\"%u-0%u-1%u\" last=\"%s\">\n", year, 1 + (unsigned)(rand64() % 9),
	     (unsigned)(rand64() % 10), active ? "2026-01-28" : "2024-06-12");
	if (gi)
		addf("<property type=\"NCBI_GI\" value=\"%s\"/>\n", gi);
	addf("<property type=\"NCBI_taxonomy_id\" value=\"%u\"/>\n", taxid);
	if (pname)
		addf("<property type=\"protein_name\" value=\"%s\"/>\n", pname);
	addf("</dbReference>\n");
}

/* A versioned value "ID.V" as id and version (NULL when it has none). */
static const char *split_version(const char *v, char *id, size_t cap)
{
	const char *dot = strrchr(v, '.');
	size_t n = dot ? (size_t)(dot - v) : strlen(v);
	snprintf(id, cap, "%.*s", (int)n, v);
	return dot ? dot + 1 : NULL;
}

/* The entry of upi with the cross-references gathered, then the noise UniParc has. */
static void write_entry(const char *upi)
{
	int part = (int)(n_entries++ / BLOCK % (uint64_t)n_parts);
	char seq[GF_SEQ_MAX];
	size_t len = gf_sequence(upi, seq);
	putf(part, "<entry dataset=\"uniparc\">\n<accession>%s</accession>\n", upi);
	put(part, refs, refs_len);
	if (rand64() % 3) {
		unsigned pf = (unsigned)(rand64() % 20000), start = 1 + (unsigned)(rand64() % 20);
		putf(part, "<signatureSequenceMatch database=\"Pfam\" id=\"PF%05u\">\n"
		     "<ipr name=\"Domain &amp; repeat %u\" id=\"IPR%06u\"/>\n"
		     "<lcn start=\"%u\" end=\"%zu\"/>\n</signatureSequenceMatch>\n",
		     pf, pf, pf * 3 % 1000000, start, len);
	}
	putf(part, "<sequence length=\"%zu\" checksum=\"%016llX\">", len,
	     (unsigned long long)rand64());
	put(part, seq, len);
	put(part, "</sequence>\n</entry>\n", 21);
	refs_len = 0;
}

static void flush_open(void)
{
	if (open_upi[0])
		write_entry(open_upi);
	open_upi[0] = 0;
}

/* The cross-references of one sequence (iso) of an entry. */
static void add_refs(const struct gu_entry *e, int iso, const char *pname)
{
	char id[128];
	int gi_next = 0;
	/* the entry's GIs ride on its canonical cross-references, one each while they last */
	const char *gis[64];
	int ngi = 0;
	for (int i = 0; i < e->nv && ngi < 64; i++)
		if (e->v[i].type == GU_GI)
			gis[ngi++] = e->v[i].value;
	if (iso == 0) {
		dbref(e->reviewed ? "UniProtKB/Swiss-Prot" : "UniProtKB/TrEMBL", e->acc, "1", 1,
		      e->taxid, ngi ? gis[gi_next++] : NULL, pname);
	} else {
		snprintf(id, sizeof id, "%s-%d", e->acc, iso);
		dbref(e->reviewed ? "UniProtKB/Swiss-Prot protein isoforms" : "UniProtKB/TrEMBL",
		      id, "1", 1, e->taxid, NULL, pname);
	}
	for (int i = 0; i < e->nv; i++) {
		const struct gu_value *v = &e->v[i];
		if (v->iso != iso || v->type == GU_GI)
			continue;
		const char *ver = split_version(v->value, id, sizeof id);
		const char *g = iso == 0 && gi_next < ngi ? gis[gi_next++] : NULL;
		const char *db = v->type == GU_REFSEQ ? "RefSeq" : v->type == GU_EMBL_CDS ? "EMBL"
											: "Ensembl";
		dbref(db, id, ver, 1, e->taxid, g, NULL);
		/* an older version of the same RefSeq protein, no longer current */
		if (v->type == GU_REFSEQ && ver && ver[0] > '1' && !ver[1] && rand64() % 2) {
			char old[2] = {(char)(ver[0] - 1), 0};
			dbref(db, id, old, 0, e->taxid, NULL, NULL);
		}
	}
}

/* A UPI no UniProtKB entry has: RefSeq and EMBL protein ids of its own. */
static void uniparc_only(uint32_t taxid)
{
	char upi[16], id[32], gi[24];
	uint64_t n = n_only++;
	snprintf(upi, sizeof upi, "UPI%010llX", (unsigned long long)((1ull << 36) + n));
	snprintf(id, sizeof id, "YP_%09llu", (unsigned long long)(900000000 + n % 100000000));
	snprintf(gi, sizeof gi, "%llu", (unsigned long long)(3000000000ull + n));
	dbref("RefSeq", id, "1", 1, taxid, gi, NULL);
	if (rand64() % 2) {
		snprintf(id, sizeof id, "UPO%07llu", (unsigned long long)(n % 10000000));
		dbref(rand64() % 4 ? "EMBL" : "EMBLWGS", id, "1", 1, taxid, NULL, NULL);
	}
	if (rand64() % 4 == 0) {
		/* a protein id retired from RefSeq */
		snprintf(id, sizeof id, "YP_%09llu", (unsigned long long)(800000000 + n % 100000000));
		dbref("RefSeq", id, "2", 0, taxid + 1, NULL, NULL);
	}
	write_entry(upi);
}

void gu_entry(const struct gu_entry *e)
{
	char pname[96];
	seed_from(e->acc);
	/* names with the characters XML escapes in attribute values */
	unsigned h = (unsigned)(rand64() % 8);
	snprintf(pname, sizeof pname, "%s %s%s", h == 0 ? "5&apos;-Nucleotidase" : "Protein",
		 e->gene ? e->gene : "X", h == 1 ? " &amp; &lt;partner&gt;" : "");
	if (strcmp(e->upi, open_upi) != 0) {
		flush_open();
		snprintf(open_upi, sizeof open_upi, "%s", e->upi);
		open_taxid = e->taxid;
	}
	add_refs(e, 0, pname);
	/* the isoforms' UPIs are new ones: whole entries at once, the open one kept aside */
	char *keep = refs;
	size_t keep_len = refs_len, keep_cap = refs_cap;
	refs = NULL;
	refs_len = refs_cap = 0;
	for (int n = 1; n <= e->niso && n <= GF_MAX_ISO; n++)
		if (e->iso_upi[n] && strcmp(e->iso_upi[n], open_upi) != 0) {
			add_refs(e, n, pname);
			write_entry(e->iso_upi[n]);
		}
	if (rand64() % 4 == 0)
		uniparc_only(open_taxid);
	free(refs);
	refs = keep;
	refs_len = keep_len;
	refs_cap = keep_cap;
}

void gu_open(const char *dir, int gzip, int parts)
{
	n_parts = parts < 1 ? 1 : parts > MAX_PARTS ? MAX_PARTS : parts;
	for (int i = 0; i < n_parts; i++) {
		snprintf(paths[i], sizeof paths[i], "%s/uniparc_p%d.xml%s", dir, i + 1,
			 gzip ? ".gz" : "");
		if (gzip)
			gz[i] = gzopen(paths[i], "wb1");
		else
			fp[i] = fopen(paths[i], "w");
		if (gzip ? !gz[i] : !fp[i])
			die("cannot create", paths[i]);
		putf(i, "<?xml version='1.0' encoding='UTF-8'?>\n<uniparc "
		     "xmlns=\"http://uniprot.org/uniparc\" "
		     "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
		     "xsi:schemaLocation=\"http://uniprot.org/uniparc "
		     "http://www.uniprot.org/docs/uniparc.xsd\" version=\"2026_01\">\n");
	}
}

void gu_close(void)
{
	flush_open();
	for (int i = 0; i < n_parts; i++) {
		/* the schema ends the root with a copyright element */
		putf(i, "<copyright>\nCopyrighted by the UniProt Consortium, see "
		     "https://www.uniprot.org/terms Distributed under the Creative Commons "
		     "Attribution (CC BY 4.0) License\n</copyright>\n</uniparc>\n");
		if (gz[i] ? gzclose(gz[i]) != Z_OK : fclose(fp[i]) != 0)
			die("write error in", paths[i]);
	}
	free(refs);
	refs = NULL;
}
