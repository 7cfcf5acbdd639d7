/* idmap map: identifiers in, UniProt's ID mapping answers out. The semantics live in libidmap
 * (idmap_job_*); this file parses options, feeds ids, renders and summarises. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "idmap_vec.h"
#include "commands.h"
#include "map_fasta.h"

#define CHUNK (1u << 20)
#define EXAMPLES 5  /* failed ids named in the summary; obsolete ones: twice as many */
#define SHOWN_LEN 80 /* bytes of an id shown there */

static const char usage_text[] =
	"usage: idmap map [-i INDEX] [--from NAME] [--to NAME] [--format tsv|list|json|fasta]\n"
	"                 [--taxon ID[,ID...]] [--include-isoforms] [--canonical] [--subsequence]\n"
	"                 [--allow-one-to-many] [--via UniProtKB] [--fields LIST]\n"
	"                 [--unmapped FILE] [--suggested FILE] [--include-inactive] [ID...]\n"
	"\n"
	"Maps the ids (arguments, else standard input; split on white space and commas) as\n"
	"UniProt's ID mapping does. `idmap databases` lists the names.\n"
	"  -i, --index INDEX      the index (default: $IDMAP_INDEX)\n"
	"  -f, --from NAME        source database (default UniProtKB_AC-ID)\n"
	"  -t, --to NAME          target database (default UniProtKB)\n"
	"  -F, --format FORMAT    tsv (From<TAB>To, default), list (distinct targets) or json\n"
	"                         (UniProt's results object); fasta: the targets' sequences\n"
	"                         (UniProtKB, UniRef, UniParc; an index built with FASTA)\n"
	"      --taxon IDS        keep entries of these NCBI taxa only (comma-separated)\n"
	"      --include-isoforms accessions also stand for their isoforms (X-1, X-2, ...);\n"
	"                         fasta: each entry's isoform sequences follow it\n"
	"      --subsequence      fasta: ids with a range (P00750[39-81]) give those residues\n"
	"      --canonical        name canonical accessions instead of isoform ones\n"
	"      --allow-one-to-many  accept GO, PubMed, InterPro, NCBI_TaxID as sources\n"
	"      --via UniProtKB    map any source to any target through the accession\n"
	"                         (adds a Via column)\n"
	"      --fields LIST      from,to,obsolete (any target: obsolete adds the Obsolete\n"
	"                         column), and entry columns for targets UniProtKB /\n"
	"                         UniProtKB-Swiss-Prot: accession,id,reviewed,gene_primary,\n"
	"                         gene_names,organism_id,xref_<db> (e.g. xref_pdb); with\n"
	"                         FASTA in the index also protein_name,organism_name,\n"
	"                         length,mass,sequence,sequence_version,\n"
	"                         protein_existence,fragment\n"
	"  -u, --unmapped FILE    write the ids that failed to FILE, one per line\n"
	"      --suggested FILE   write the suggested pairs to FILE as TSV (From<TAB>To):\n"
	"                         UniParc UPIs of RefSeq/EMBL/GI ids without UniProtKB\n"
	"                         entry, TrEMBL entries of ids without Swiss-Prot entry\n"
	"      --include-inactive also list inactive UniParc cross-references, marked\n"
	"                         (TSV: an Active column, Y or N; JSON: \"active\":false)\n"
	"      --threads N        map with up to N threads (default: all cores; one thread\n"
	"                         per 16384 ids at most)\n"
	"  -h, --help             this text\n";

enum {
	OPT_TAXON = 256,
	OPT_ISOFORMS,
	OPT_CANONICAL,
	OPT_ONE_TO_MANY,
	OPT_VIA,
	OPT_FIELDS,
	OPT_THREADS,
	OPT_SUBSEQUENCE,
	OPT_SUGGESTED,
	OPT_INACTIVE
};

typedef struct {
	const char *index, *unmapped, *suggested, *fields;
	int format;
	int fasta, subsequence, isoforms; /* --format fasta (map_fasta.c) and its options */
	unsigned threads;
	idmap_request req;
	uint64_t *taxa;
	size_t taxa_cap;
} map_opts;

static int parse_taxa(map_opts *o, const char *s)
{
	size_t pos = 0, off, n, len = strlen(s), k = o->req.n_taxa;
	while (idmap_next_id(s, len, &pos, &off, &n)) {
		uint64_t v = 0;
		for (size_t i = 0; i < n; i++) {
			if (s[off + i] < '0' || s[off + i] > '9' || v > UINT64_MAX / 10 - 1)
				return -1;
			v = v * 10 + (uint64_t)(s[off + i] - '0');
		}
		if (idmap_vec_reserve(&o->taxa, &o->taxa_cap, k + 1, sizeof *o->taxa) < 0)
			return -1;
		o->taxa[k++] = v;
	}
	o->req.n_taxa = k;
	o->req.taxa = o->taxa;
	return k ? 0 : -1;
}

/* Returns -1 to go on, else the exit code. */
static int parse_opts(int argc, char **argv, map_opts *o)
{
	static const struct option longopts[] = {
		{"index", required_argument, NULL, 'i'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'F'},
		{"unmapped", required_argument, NULL, 'u'},
		{"taxon", required_argument, NULL, OPT_TAXON},
		{"include-isoforms", no_argument, NULL, OPT_ISOFORMS},
		{"canonical", no_argument, NULL, OPT_CANONICAL},
		{"allow-one-to-many", no_argument, NULL, OPT_ONE_TO_MANY},
		{"via", required_argument, NULL, OPT_VIA},
		{"fields", required_argument, NULL, OPT_FIELDS},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"subsequence", no_argument, NULL, OPT_SUBSEQUENCE},
		{"suggested", required_argument, NULL, OPT_SUGGESTED},
		{"include-inactive", no_argument, NULL, OPT_INACTIVE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	o->req.from = "UniProtKB_AC-ID";
	o->req.to = "UniProtKB";
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	o->threads = cores > 0 ? (unsigned)cores : 1;
	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":i:f:t:F:u:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i': o->index = optarg; break;
		case 'f': o->req.from = optarg; break;
		case 't': o->req.to = optarg; break;
		case 'u': o->unmapped = optarg; break;
		case OPT_ISOFORMS: o->req.include_isoforms = 1; break;
		case OPT_CANONICAL: o->req.canonical = 1; break;
		case OPT_ONE_TO_MANY: o->req.allow_one_to_many = 1; break;
		case OPT_VIA: o->req.via = optarg; break;
		case OPT_FIELDS: o->fields = optarg; break;
		case OPT_SUBSEQUENCE: o->subsequence = 1; break;
		case OPT_SUGGESTED: o->suggested = optarg; break;
		case OPT_INACTIVE: o->req.include_inactive = 1; break;
		case OPT_THREADS: {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || end == optarg || n < 1 || n > 4096)
				return cli_usage_error(usage_text, "--threads: expected a number "
						       "from 1 to 4096, not '%s'", optarg);
			o->threads = (unsigned)n;
			break;
		}
		case OPT_TAXON:
			if (parse_taxa(o, optarg) != 0)
				return cli_usage_error(usage_text, "--taxon: expected NCBI taxon "
						       "ids, not '%s'", optarg);
			break;
		case 'F':
			if ((o->fasta = strcmp(optarg, "fasta") == 0))
				break;
			if ((o->format = idmap_out_format_parse(optarg)) < 0)
				return cli_usage_error(usage_text, "--format: expected tsv, list, "
						       "json or fasta, not '%s'", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_bad_option(ch, argv, usage_text);
		}
	}
	if (o->fasta && o->fields)
		return cli_usage_error(usage_text, "--fields does not apply to --format fasta");
	if (o->subsequence && !o->fasta)
		return cli_usage_error(usage_text, "--subsequence needs --format fasta");
	/* FASTA adds isoforms from the entry store (map_fasta.c), not as result rows */
	o->isoforms = o->fasta && o->req.include_isoforms;
	if (o->fasta)
		o->req.include_isoforms = 0;
	o->index = cli_index_path(o->index);
	if (!o->index)
		return cli_usage_error(usage_text, "no index: give -i INDEX or set IDMAP_INDEX");
	return -1;
}

static int refused(const idmap_diag *d)
{
	cli_say("%s", d->message);
	if (d->hint[0])
		cli_say("%s", d->hint);
	return 2;
}

static int is_sep(char c) { return c == ' ' || c == ',' || (c >= '\t' && c <= '\r'); }

/* Feeds standard input to the job in 1 MiB reads, ids whole: the piece after the last
 * separator waits for the next read. An id longer than IDMAP_ID_MAX_LEN goes as its first
 * IDMAP_ID_MAX_LEN + 1 bytes (the job fails it as too long) and the rest of it is skipped:
 * one failed id, and memory bounded whatever the input. */
static int feed_stdin(idmap_job *job)
{
	char *buf = malloc(CHUNK);
	size_t have = 0; /* buf[0, have): the start of an id cut by the last read */
	int skipping = 0, rc = IDMAP_OK;
	if (!buf)
		return IDMAP_ERR_NOMEM;
	for (;;) {
		ssize_t r = read(STDIN_FILENO, buf + have, CHUNK - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = IDMAP_ERR_IO;
			break;
		}
		size_t end = have + (size_t)r, start = 0, cut = end;
		if (skipping) { /* the rest of an over-long id */
			while (start < end && !is_sep(buf[start]))
				start++;
			skipping = start == end;
		}
		if (r > 0)
			while (cut > start && !is_sep(buf[cut - 1]))
				cut--;
		if ((rc = idmap_job_add_ids(job, buf + start, cut - start)) != IDMAP_OK)
			break;
		have = end - cut;
		memmove(buf, buf + cut, have);
		if (have > IDMAP_ID_MAX_LEN) {
			if ((rc = idmap_job_add_ids(job, buf, IDMAP_ID_MAX_LEN + 1)) != IDMAP_OK)
				break;
			have = 0;
			skipping = 1;
		}
		if (r == 0)
			break;
	}
	free(buf);
	return rc;
}

/* A side file (--unmapped, --suggested): opened for writing, and closed, with the reason of
 * a failure said. */
static FILE *side_open(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		cli_say("%s: %s", path, strerror(errno));
	return f;
}

static int side_close(FILE *f, const char *path)
{
	if (fclose(f) == 0)
		return 0;
	cli_say("%s: %s", path, strerror(errno));
	return 1;
}

static int write_unmapped(const idmap_job *job, const char *path)
{
	FILE *f = side_open(path);
	idmap_job_stats st;
	idmap_id_info id;
	if (!f)
		return 1;
	idmap_job_get_stats(job, &st);
	for (uint64_t i = 0; i < st.distinct; i++)
		if (idmap_job_id(job, i, &id) == IDMAP_OK && idmap_id_failed(id.status)) {
			fwrite(id.text, 1, id.len, f);
			fputc('\n', f);
		}
	return side_close(f, path);
}

/* --suggested FILE: the suggested pairs as TSV, with the Active column of the results when
 * inactive cross-references were asked for. */
static int write_suggested(const idmap_job *job, const char *path, int active)
{
	FILE *f = side_open(path);
	idmap_job_stats st;
	idmap_result r;
	if (!f)
		return 1;
	idmap_job_get_stats(job, &st);
	fputs(active ? "From\tTo\tActive\n" : "From\tTo\n", f);
	for (uint64_t i = 0; i < st.suggested && idmap_job_suggested(job, i, &r) == IDMAP_OK; i++) {
		fwrite(r.from, 1, r.from_len, f);
		fputc('\t', f);
		fwrite(r.to, 1, r.to_len, f);
		if (active)
			fputs(r.xref_inactive ? "\tN" : "\tY", f);
		fputc('\n', f);
	}
	return side_close(f, path);
}

/* The stderr summary: counts, examples of failed ids with their reason, obsolete ids with
 * their fate, warnings. Silent when every id mapped once. */
static void summary(const idmap_job *job)
{
	idmap_job_stats st;
	idmap_id_info id;
	idmap_job_get_stats(job, &st);
	if (st.failed)
		fprintf(stderr, "idmap: mapped %" PRIu64 " of %" PRIu64 " ids; %" PRIu64
			" not mapped\n", st.mapped, st.distinct, st.failed);
	if (st.duplicates)
		fprintf(stderr, "idmap: %" PRIu64 " duplicate id%s mapped once\n", st.duplicates,
			st.duplicates == 1 ? "" : "s");
	uint64_t shown = 0;
	for (uint64_t i = 0; i < st.distinct && shown < EXAMPLES && st.failed; i++) {
		if (idmap_job_id(job, i, &id) != IDMAP_OK || !idmap_id_failed(id.status))
			continue;
		fputs(shown ? ", " : "idmap: not mapped: ", stderr);
		cli_put_text(stderr, id.text, id.len, SHOWN_LEN);
		fprintf(stderr, " (%s)", id.reason ? id.reason : "");
		shown++;
	}
	if (shown && st.failed > shown)
		fprintf(stderr, ", ... and %" PRIu64 " more", st.failed - shown);
	if (shown)
		fputc('\n', stderr);
	/* suggested, not failed (UniProt: an id is failed or has suggestions, never both) */
	idmap_result r;
	uint64_t row = 0, prev = UINT64_MAX;
	for (shown = 0; row < st.suggested && shown < EXAMPLES; row++) {
		if (idmap_job_suggested(job, row, &r) != IDMAP_OK ||
		    idmap_job_id(job, r.id, &id) != IDMAP_OK)
			break;
		int uniparc = id.status == IDMAP_ID_UNIPARC;
		if (!uniparc && r.id == prev) /* TrEMBL suggestions: each id once */
			continue;
		prev = r.id;
		if (!shown++)
			fputs(uniparc ? "idmap: only in UniParc, UPIs suggested in --format json: "
				      : "idmap: only unreviewed (TrEMBL) entries, suggested in "
					"--format json: ", stderr);
		else
			fputs(", ", stderr);
		cli_put_text(stderr, r.from, r.from_len, SHOWN_LEN);
		if (uniparc) {
			fputs(" -> ", stderr);
			cli_put_text(stderr, r.to, r.to_len, SHOWN_LEN);
		}
	}
	if (shown && row < st.suggested)
		fprintf(stderr, ", ... and %" PRIu64 " more", st.suggested - row);
	if (shown)
		fputc('\n', stderr);
	if (st.obsolete)
		fprintf(stderr, "idmap: %" PRIu64 " obsolete: %" PRIu64 " secondary, %" PRIu64
			" deleted\n", st.obsolete, st.secondary, st.deleted);
	shown = 0;
	for (uint64_t i = 0; i < st.distinct && shown < 2 * EXAMPLES && st.obsolete; i++) {
		if (idmap_job_id(job, i, &id) != IDMAP_OK || !id.obsolete)
			continue;
		fputs("idmap:   ", stderr);
		cli_put_text(stderr, id.text, id.len, SHOWN_LEN);
		fputc(' ', stderr);
		if (id.obsolete == IDMAP_OBSOLETE_DELETED) {
			fprintf(stderr, "%s\n", idmap_deleted_text(id.deleted_from));
		} else {
			char acc[IDMAP_ACC_TEXT_SIZE];
			fputs("secondary ->", stderr);
			for (uint64_t k = 0; idmap_job_primary(job, i, k, acc) == IDMAP_OK; k++)
				fprintf(stderr, "%s %s", k ? "," : "", acc);
			fputc('\n', stderr);
		}
		shown++;
	}
	if (shown && st.obsolete > shown)
		fprintf(stderr, "idmap:   ... and %" PRIu64 " more\n", st.obsolete - shown);
	int code;
	const char *msg;
	for (size_t w = 0; idmap_job_warning(job, w, &code, &msg) == IDMAP_OK; w++)
		if (code != IDMAP_WARN_OBSOLETE) /* obsolete ids: the lines above say it, id by id */
			cli_say("warning %d: %s", code, msg);
}

int cmd_map(int argc, char **argv)
{
	map_opts o;
	memset(&o, 0, sizeof o);
	int rc = parse_opts(argc, argv, &o);
	if (rc >= 0) {
		free(o.taxa);
		return rc;
	}
	idmap_index *ix = cli_open_index(o.index);
	idmap_job *job = NULL;
	idmap_fields *fields = NULL;
	idmap_diag d;
	int st = IDMAP_OK;
	rc = 1;
	if (!ix)
		goto out;
	if ((st = idmap_job_new(ix, &o.req, &job, &d)) != IDMAP_OK) {
		rc = st == IDMAP_ERR_NOMEM ? 1 : refused(&d);
		goto out;
	}
	idmap_job_set_threads(job, o.threads);
	if (o.fasta) { /* the catalogue's name of the target, whatever alias was given */
		idmap_db_info from, to;
		idmap_job_dbs(job, &from, &to);
		if (!map_fasta_target_ok(to.name)) {
			rc = cli_usage_error(usage_text, "--format fasta: the target must be UniProtKB, "
					 "UniProtKB-Swiss-Prot, UniRef100/90/50 or UniParc, not '%s'",
					 to.name);
			goto out;
		}
	}
	if (o.fields && (st = idmap_fields_parse(job, o.fields, &fields, &d)) != IDMAP_OK) {
		rc = st == IDMAP_ERR_NOMEM ? 1 : refused(&d);
		goto out;
	}
	for (int i = optind; i < argc && st == IDMAP_OK; i++)
		st = idmap_job_add_ids(job, argv[i], strlen(argv[i]));
	if (optind == argc && st == IDMAP_OK)
		st = feed_stdin(job);
	if (st == IDMAP_OK)
		st = idmap_job_run(job);
	if (st != IDMAP_OK) {
		cli_index_error(st == IDMAP_ERR_IO ? "standard input" : o.index, st);
		goto out;
	}
	if (o.unmapped && write_unmapped(job, o.unmapped) != 0)
		goto out;
	if (o.suggested && write_suggested(job, o.suggested, o.req.include_inactive) != 0)
		goto out;
	if (o.fasta) {
		if (map_fasta(ix, job, o.isoforms, o.subsequence) != 0)
			goto out;
		summary(job);
		rc = 0;
		goto out;
	}
	idmap_render_opts ro = {o.format, fields, 0, 0, 0, 0};
	st = idmap_render(job, &ro, cli_write_stdout, NULL);
	if (st == IDMAP_OK && (fflush(stdout) != 0 || ferror(stdout)))
		st = IDMAP_STOPPED;
	if (st != IDMAP_OK) {
		if (st == IDMAP_STOPPED) /* the write failed, errno says why */
			cli_say("write error: %s", strerror(errno));
		else
			cli_index_error(o.index, st);
		goto out;
	}
	summary(job);
	rc = 0;
out:
	idmap_fields_free(fields);
	idmap_job_free(job);
	idmap_close(ix);
	free(o.taxa);
	return rc;
}
