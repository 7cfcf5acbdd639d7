/* idmap map --format fasta: the entry records of the mapped targets (UniProtKB, UniRef,
 * UniParc), from the index's entry store. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "map_fasta.h"

int map_fasta_target_ok(const char *to)
{
	static const char *const ok[] = {"UniProtKB", "UniProtKB-Swiss-Prot", "UniRef100",
					 "UniRef90", "UniRef50", "UniParc"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(to, ok[i]) == 0)
			return 1;
	return 0;
}

int fasta_resolve(const idmap_index *ix, const char *to, size_t to_len, const idmap_id_info *id,
		  int isoforms, int subsequence, idmap_entry_item *it, FILE *err)
{
	*it = (idmap_entry_item){.isoforms = isoforms};
	idmap_entry *e = &it->e;
	int st = idmap_entry_find(ix, to, to_len, e);
	if (st != IDMAP_ERR_NOT_FOUND && st != IDMAP_ERR_INVALID && st != IDMAP_OK) {
		fprintf(err, "idmap: %.*s: %s\n", (int)to_len, to, idmap_strerror(st));
		return -1;
	}
	if (st != IDMAP_OK) {
		if (to_len == id->len && memcmp(to, id->text, to_len) == 0)
			fprintf(err, "idmap: %.*s: no FASTA record in the index\n", (int)to_len, to);
		else
			fprintf(err, "idmap: %.*s: no FASTA record of %.*s in the index\n",
				(int)id->len, id->text, (int)to_len, to);
		return 1;
	}
	uint32_t a = 0, b = 0;
	/* UniProt cuts ranges out of UniProtKB sequences only */
	if (subsequence && e->kind <= IDMAP_ENTRY_ISOFORM &&
	    idmap_entry_range(id->text, id->len, &a, &b)) {
		if (a == 0 || a > b) {
			fprintf(err, "idmap: %.*s: range %" PRIu32 "-%" PRIu32 " is not a range "
				"start-end with 1 <= start <= end\n", (int)id->len, id->text, a, b);
			return 1;
		}
		if (b > e->length) {
			fprintf(err, "idmap: %.*s: range %" PRIu32 "-%" PRIu32 " is outside the "
				"sequence of %s (%" PRIu32 " residues)\n", (int)id->len, id->text, a,
				b, e->id, e->length);
			return 1;
		}
	}
	it->start = a;
	it->end = b;
	return 0;
}

int map_fasta(const idmap_index *ix, const idmap_job *job, int isoforms, int subsequence)
{
	idmap_job_stats st;
	idmap_entry_stats es;
	idmap_job_get_stats(job, &st);
	if (idmap_entry_stats_get(ix, &es) != IDMAP_OK) {
		fputs("idmap: --format fasta: the index holds no FASTA records (build it with the "
		      "release's FASTA files)\n", stderr);
		return 1;
	}
	uint64_t failed = 0;
	static fasta_item items[FASTA_BATCH];
	static size_t at[FASTA_BATCH];
	char *names = NULL; /* the batch's targets: a result's text lasts until the next call */
	size_t used = 0, cap = 0;
	for (uint64_t i = 0; i < st.results;) {
		size_t n = 0;
		used = 0;
		for (; n < FASTA_BATCH && i < st.results; n++, i++) {
			idmap_result r;
			fasta_item *it = &items[n];
			if (idmap_job_result(job, i, &r) != IDMAP_OK ||
			    idmap_job_id(job, r.id, &it->id) != IDMAP_OK)
				break;
			if (used + r.to_len > cap) {
				size_t nc = 2 * (used + r.to_len) + 4096;
				char *nn = realloc(names, nc);
				if (!nn)
					break;
				names = nn;
				cap = nc;
			}
			memcpy(names + used, r.to, r.to_len);
			at[n] = used;
			used += r.to_len;
			it->to_len = r.to_len;
			it->subsequence = subsequence;
		}
		for (size_t k = 0; k < n; k++)
			items[k].to = names + at[k];
		if ((n < FASTA_BATCH && i < st.results) ||
		    fasta_write_batch(ix, items, n, isoforms, &failed) < 0) {
			free(names);
			return 1;
		}
	}
	free(names);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "idmap: write error: %s\n", strerror(errno));
		return 1;
	}
	if (failed)
		fprintf(stderr, "idmap: %" PRIu64 " of %" PRIu64 " results have no FASTA output\n",
			failed, st.results);
	return 0;
}
