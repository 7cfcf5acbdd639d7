/* FASTA files of the synthetic release: uniprot_sprot.fasta, uniprot_trembl.fasta,
 * uniprot_sprot_varsplic.fasta, uniref{100,90,50}.fasta and uniparc_active.fasta, with
 * UniProt's header shapes. A sequence is a function of its UniParc id, so entries sharing a
 * UPI share their sequence, and a cluster's sequence is its representative's. Nothing here
 * draws from genrelease's random stream: its idmapping files are the same with or without
 * --fasta. */
#include "genfasta.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { F_SP, F_TR, F_VS, F_UR100, F_UR90, F_UR50, F_UPARC, N_FILES };
static const char *const NAMES[N_FILES] = {
	"uniprot_sprot.fasta", "uniprot_trembl.fasta", "uniprot_sprot_varsplic.fasta",
	"uniref100.fasta",     "uniref90.fasta",       "uniref50.fasta",
	"uniparc_active.fasta"};

static gzFile gz[N_FILES];
static FILE *fp[N_FILES];

/* Cluster ids written last per level, and the first three entries (representatives of the
 * giant UniRef50 clusters, whose ids recur anywhere). */
static char last[3][48];
static struct {
	char acc[16], name[32], org[96], upi[16], id[48];
	uint32_t taxid;
	int written;
} giant[3];
static char last_upi[16];

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void put(int f, const char *s, size_t n)
{
	if (gz[f] ? gzwrite(gz[f], s, (unsigned)n) != (int)n : fwrite(s, 1, n, fp[f]) != n) {
		fprintf(stderr, "idmap-genrelease: write error in %s\n", NAMES[f]);
		exit(1);
	}
}

size_t gf_sequence(const char *upi, char out[GF_SEQ_MAX])
{
	static const char AA[] = "AAAAAAAACCDDDDDEEEEEEFFFFGGGGGGGHHIIIIIKKKKKKLLLLLLLLLLMMNNNN"
				 "PPPPPQQQQRRRRRSSSSSSSTTTTTVVVVVVVWYYY";
	uint64_t x = fnv(upi) | 1, len = 30 + next(&x) % 60 + (next(&x) % 4 ? next(&x) % 500 : next(&x) % 3000);
	for (uint64_t i = 0; i < len; i++)
		out[i] = i == 0 ? 'M' : AA[next(&x) % (sizeof AA - 1)];
	return (size_t)len;
}

/* The residues of a UniParc id, 60 a line. */
static void put_seq(int f, const char *upi)
{
	char seq[GF_SEQ_MAX], line[61];
	size_t len = gf_sequence(upi, seq);
	for (size_t i = 0; i < len; i += 60) {
		size_t n = len - i < 60 ? len - i : 60;
		memcpy(line, seq + i, n);
		line[n++] = '\n';
		put(f, line, n);
	}
}

static void put_header(int f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_header(int f, const char *fmt, ...)
{
	char h[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(h, sizeof h, fmt, ap);
	va_end(ap);
	put(f, h, (size_t)n < sizeof h ? (size_t)n : sizeof h - 1);
}

/* Protein names: from the gene when there is one. */
static void protein_name(const struct gf_entry *e, char *out, size_t n)
{
	if (e->gene)
		snprintf(out, n, "Protein %s", e->gene);
	else
		snprintf(out, n, "Uncharacterized protein");
}

static void put_uniparc(const char *upi)
{
	put_header(F_UPARC, ">%s status=active\n", upi);
	put_seq(F_UPARC, upi);
}

static void put_cluster(int level, const char *id, const char *pname, const char *org,
			uint32_t taxid, const char *rep, const char *upi)
{
	uint64_t h = fnv(id);
	unsigned members = 1 + (unsigned)(h % 7 ? h % 20 : h % 5000);
	put_header(F_UR100 + level, ">%s %s n=%u Tax=%s TaxID=%u RepID=%s\n", id, pname, members,
		   org, taxid, rep);
	put_seq(F_UR100 + level, upi);
}

void gf_open(const char *dir, int gzip)
{
	char path[4096];
	for (int f = 0; f < N_FILES; f++) {
		snprintf(path, sizeof path, "%s/%s%s", dir, NAMES[f], gzip ? ".gz" : "");
		if (gzip)
			gz[f] = gzopen(path, "wb1");
		else
			fp[f] = fopen(path, "w");
		if (gzip ? !gz[f] : !fp[f]) {
			fprintf(stderr, "idmap-genrelease: cannot create %s\n", path);
			exit(1);
		}
	}
}

void gf_close(void)
{
	for (int f = 0; f < N_FILES; f++)
		if (gz[f] ? gzclose(gz[f]) != Z_OK : fclose(fp[f]) != 0) {
			fprintf(stderr, "idmap-genrelease: write error in %s\n", NAMES[f]);
			exit(1);
		}
}

/* A cluster id seen in an entry: written the first time, with its representative. */
static void cluster(const struct gf_entry *e, int level, const char *id, const char *pname)
{
	for (int j = 0; j < 3; j++)
		if (giant[j].id[0] && strcmp(id, giant[j].id) == 0) {
			if (!giant[j].written) {
				giant[j].written = 1;
				put_cluster(level, id, pname, giant[j].org, giant[j].taxid,
					    giant[j].name, giant[j].upi);
			}
			return;
		}
	if (strcmp(id, last[level]) == 0)
		return;
	snprintf(last[level], sizeof last[level], "%s", id);
	const char *rep = strchr(id, '_') + 1;
	/* named after this entry, or after its UniParc id */
	put_cluster(level, id, pname, e->org, e->taxid, strncmp(rep, "UPI", 3) ? e->name : rep,
		    e->upi);
}

void gf_entry(const struct gf_entry *e)
{
	char pname[96];
	protein_name(e, pname, sizeof pname);
	uint64_t h = fnv(e->acc);
	int fragment = !e->reviewed && h % 100 < 8;
	int pe = e->reviewed ? 1 + (int)((h >> 8) % 3) : 3 + (int)((h >> 8) % 2);
	int sv = 1 + (int)((h >> 16) % 3);
	if (e->k < 3) {
		snprintf(giant[e->k].acc, sizeof giant[0].acc, "%s", e->acc);
		snprintf(giant[e->k].name, sizeof giant[0].name, "%s", e->name);
		snprintf(giant[e->k].org, sizeof giant[0].org, "%s", e->org);
		snprintf(giant[e->k].upi, sizeof giant[0].upi, "%s", e->upi);
		snprintf(giant[e->k].id, sizeof giant[0].id, "UniRef50_%s", e->acc);
		giant[e->k].taxid = e->taxid;
	}
	int f = e->reviewed ? F_SP : F_TR;
	put_header(f, ">%s|%s|%s %s%s OS=%s OX=%u%s%s PE=%d SV=%d\n", e->reviewed ? "sp" : "tr",
		   e->acc, e->name, pname, fragment ? " (Fragment)" : "", e->org, e->taxid,
		   e->gene ? " GN=" : "", e->gene ? e->gene : "", pe, sv);
	put_seq(f, e->upi);
	if (strcmp(e->upi, last_upi) != 0) {
		snprintf(last_upi, sizeof last_upi, "%s", e->upi);
		put_uniparc(e->upi);
	}
	for (int l = 0; l < 3; l++)
		if (e->ur[l])
			cluster(e, l, e->ur[l], pname);
	for (int n = 1; n <= e->niso && n <= GF_MAX_ISO; n++) {
		if (!e->iso_upi[n])
			continue;
		put_uniparc(e->iso_upi[n]);
		/* varsplic: Swiss-Prot isoforms other than the canonical -1, without PE/SV */
		if (e->reviewed && n > 1) {
			put_header(F_VS, ">sp|%s-%d|%s Isoform %d of %s OS=%s OX=%u%s%s\n", e->acc, n,
				   e->name, n, pname, e->org, e->taxid, e->gene ? " GN=" : "",
				   e->gene ? e->gene : "");
			put_seq(F_VS, e->iso_upi[n]);
		}
		if (e->iso_ur100[n]) {
			char rep[48];
			snprintf(rep, sizeof rep, "%s-%d", e->acc, n);
			put_cluster(0, e->iso_ur100[n], pname, e->org, e->taxid, rep, e->iso_upi[n]);
		}
	}
}
