/* FASTA of many ids in the order of their records' blocks: random ids often share a block
 * (20,000 random accessions of a 100k-record store touch ~1,200 blocks), and the engine's
 * block cache then inflates each once instead of once per id. Output and messages are kept
 * per id in memory and written in the ids' own order. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map_fasta.h"

typedef struct {
	uint64_t block; /* UINT64_MAX: no record (the id fails without reading one) */
	size_t i;
	int rc;
	char *out, *err;
	size_t out_len, err_len;
} job_t;

static int by_block(const void *a, const void *b)
{
	const job_t *x = a, *y = b;
	if (x->block != y->block)
		return x->block < y->block ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int by_input(const void *a, const void *b)
{
	const job_t *x = a, *y = b;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int run_one(const idmap_index *ix, const fasta_item *it, int isoforms, job_t *j)
{
	FILE *out = open_memstream(&j->out, &j->out_len);
	FILE *err = open_memstream(&j->err, &j->err_len);
	if (!out || !err) {
		if (out)
			fclose(out);
		if (err)
			fclose(err);
		return -1;
	}
	j->rc = fasta_write_entry(ix, it->to, it->to_len, &it->id, isoforms, it->subsequence,
				  out, err);
	int bad = fclose(out) != 0;
	bad |= fclose(err) != 0;
	return bad ? -1 : 0;
}

int fasta_write_batch(const idmap_index *ix, const fasta_item *items, size_t n, int isoforms,
		      uint64_t *failed)
{
	job_t *jobs = calloc(n ? n : 1, sizeof *jobs);
	if (!jobs) {
		fputs("idmap: out of memory\n", stderr);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		idmap_entry e;
		jobs[i].i = i;
		jobs[i].block = UINT64_MAX;
		if (idmap_entry_find(ix, items[i].to, items[i].to_len, &e) == IDMAP_OK)
			idmap_entry_block_of(ix, &e, &jobs[i].block);
	}
	qsort(jobs, n, sizeof *jobs, by_block);
	int rc = 0;
	for (size_t k = 0; k < n && rc == 0; k++)
		if (run_one(ix, &items[jobs[k].i], isoforms, &jobs[k]) < 0) {
			fputs("idmap: out of memory\n", stderr);
			rc = -1;
		}
	qsort(jobs, n, sizeof *jobs, by_input);
	/* as one id after another: nothing after the first id that met an index error */
	for (size_t i = 0; i < n && rc == 0; i++) {
		job_t *j = &jobs[i];
		fwrite(j->err, 1, j->err_len, stderr);
		if (fwrite(j->out, 1, j->out_len, stdout) != j->out_len) {
			fprintf(stderr, "idmap: write error: %s\n", strerror(errno));
			rc = -1;
		} else if (j->rc < 0)
			rc = -1;
		else
			*failed += (uint64_t)j->rc;
	}
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].out);
		free(jobs[i].err);
	}
	free(jobs);
	return rc;
}
