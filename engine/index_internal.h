/* The open index as the engine's files share it. Not installed. */
#ifndef IDMAP_INDEX_INTERNAL_H
#define IDMAP_INDEX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "idmap.h"
#include "idmap_format.h"
#include "mphf.h"

/* A section's bytes inside the map. */
typedef struct {
	const uint8_t *p;
	uint64_t len;
} idmap_span;

struct idmap_index {
	uint8_t *map;
	size_t size;

	idmap_section_info *secs; /* the table, file order */
	uint32_t n_secs;
	idmap_span sec[IDMAP_SECTION_REQUIRED_LAST + 1]; /* by id; [0] unused */

	idmap_mphf_view acc_mphf, key_mphf;
	uint64_t n_acc, n_key;

	idmap_type_info *types;
	uint32_t n_types;
	char *names; /* NUL-terminated copies of the type names */
};

/* Reads the u64 entry i of an index section (FWD_INDEX, KEY_INDEX); i is in range. */
static inline uint64_t idmap_ix_entry(const idmap_span *s, uint64_t i)
{
	return idmap_rd64(s->p + 8 * i);
}

/* Bounds of record i of an index/pool pair: [*a, *b) inside the pool. Returns 0 or -1. */
static inline int idmap_record(const idmap_span *index, const idmap_span *pool, uint64_t i,
			       const uint8_t **a, const uint8_t **b)
{
	uint64_t x = idmap_ix_entry(index, i), y = idmap_ix_entry(index, i + 1);
	if (x > y || y > pool->len)
		return -1;
	*a = pool->p + x;
	*b = pool->p + y;
	return 0;
}

/* Decodes the head of a key record: type, value; leaves *p at the posting count. */
int idmap_key_head(const idmap_index *ix, const uint8_t **p, const uint8_t *end,
		   uint64_t *type, const uint8_t **value, uint64_t *len);

/* Partition and file tables of a directory consistent with the pilots and remap lengths. */
int idmap_mphf_check(const idmap_mphf_view *v);

#endif
