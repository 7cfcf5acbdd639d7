/* An external merge sort of (a, b) pairs of u64 in bounded memory (ext_sort.c). Not
 * installed. */
#ifndef IDMAP_EXT_SORT_H
#define IDMAP_EXT_SORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint64_t a, b;
} idmap_xrec;

typedef struct idmap_xsort idmap_xsort;

/* A sorter by (a, b). unique_a: one record per a is returned, the one of the smallest b.
 * Spilled runs are unlinked temporary files in tmp_dir (NULL: $TMPDIR, else /tmp). At most
 * IDMAP_XSORT_MEM bytes of records are held in memory, whatever the number added. Returns
 * NULL when out of memory. */
#define IDMAP_XSORT_MEM (4u << 20)
/* records sorted in memory at a time (the other half is the sort's scratch) */
#define IDMAP_XSORT_CAP (IDMAP_XSORT_MEM / 2 / sizeof(idmap_xrec))
idmap_xsort *idmap_xsort_new(const char *tmp_dir, int unique_a);
/* Adds a record (before the first idmap_xsort_next). Returns IDMAP_OK, IDMAP_ERR_NOMEM, or
 * IDMAP_ERR_IO with errno set (a temporary file could not be made or written). */
int idmap_xsort_add(idmap_xsort *s, uint64_t a, uint64_t b);
/* The next record in order (the first call ends the input). Returns IDMAP_OK with *r,
 * IDMAP_DONE after the last, or IDMAP_ERR_NOMEM / IDMAP_ERR_IO (errno set). */
int idmap_xsort_next(idmap_xsort *s, idmap_xrec *r);
void idmap_xsort_free(idmap_xsort *s);

#endif
