/* FASTA of many ids: their records are written by idmap_entry_fasta_items, which reads them
 * in the order of their blocks (random ids often share a block: 20,000 random accessions of a
 * 100k-record store touch ~1,200 blocks) and hands them back in the ids' order. The messages
 * of ids without output are kept meanwhile and written in their place among the records. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map_fasta.h"

typedef struct {
	const char *msgs; /* every id's messages, id i's from off[i] to off[i + 1] */
	const long *off;
	const size_t *of; /* the id of each record */
	const idmap_entry_item *recs;
	size_t n_recs, next; /* the next record written */
	size_t said;	     /* ids whose messages are out */
} batch_out;

/* The messages of ids [said, upto). */
static void say(batch_out *b, size_t upto)
{
	for (; b->said < upto; b->said++)
		fwrite(b->msgs + b->off[b->said], 1,
		       (size_t)(b->off[b->said + 1] - b->off[b->said]), stderr);
}

/* One record's bytes (idmap_entry_fasta_items: one call per record written, in order), after
 * the messages of the ids before it. */
static int out_write(void *ctx, const void *p, size_t n)
{
	batch_out *b = ctx;
	while (b->next < b->n_recs && b->recs[b->next].status != IDMAP_OK)
		b->next++;
	if (b->next < b->n_recs)
		say(b, b->of[b->next++] + 1);
	return fwrite(p, 1, n, stdout) == n ? 0 : -1; /* errno says why */
}

int fasta_write_batch(const idmap_index *ix, const fasta_item *items, size_t n, int isoforms,
		      uint64_t *failed)
{
	idmap_entry_item *recs = malloc((n ? n : 1) * sizeof *recs);
	size_t *of = malloc((n ? n : 1) * sizeof *of);
	long *off = malloc((n + 1) * sizeof *off);
	char *msgs = NULL;
	size_t msgs_len = 0, m = 0, stop = n; /* stop: an id with index damage */
	FILE *err = open_memstream(&msgs, &msgs_len);
	int rc = recs && of && off && err ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		off[i] = ftell(err);
		int r = stop < n ? 0 : fasta_resolve(ix, items[i].to, items[i].to_len, &items[i].id,
						     isoforms, items[i].subsequence, &recs[m], err);
		if (r == 0 && stop == n)
			of[m++] = i;
		*failed += r == 1;
		if (r < 0)
			stop = i;
	}
	if (err) {
		off[n] = ftell(err);
		if (fclose(err) != 0)
			rc = -1;
	}
	if (rc < 0) {
		fputs("idmap: out of memory\n", stderr);
		free(msgs), free(recs), free(of), free(off);
		return -1;
	}
	batch_out b = {msgs, off, of, recs, m, 0, 0};
	int st = idmap_entry_fasta_items(ix, recs, m, out_write, &b);
	if (st == IDMAP_OK) {
		say(&b, stop < n ? stop + 1 : n); /* the rest, up to a damaged id's message */
		rc = stop < n ? -1 : 0;
	} else {
		size_t k = 0; /* the record that failed */
		while (k < m && (recs[k].status == IDMAP_OK || recs[k].status == IDMAP_ERR_INVALID))
			k++;
		say(&b, k < m ? of[k] : n);
		if (st == IDMAP_STOPPED)
			fprintf(stderr, "idmap: write error: %s\n", strerror(errno));
		else if (k < m)
			fprintf(stderr, "idmap: %.*s: %s\n", (int)items[of[k]].to_len,
				items[of[k]].to, idmap_strerror(st));
		else
			fprintf(stderr, "idmap: %s\n", idmap_strerror(st));
		rc = -1;
	}
	free(msgs);
	free(recs);
	free(of);
	free(off);
	return rc;
}
