/* The ID_type dictionary of a build: names interned in order of first appearance. */
#include <stdlib.h>
#include <string.h>

#include "build_internal.h"
#include "hash.h"
#include "idmap_format.h"
#include "idmap_vec.h"
#include "name_hash.h"

/* Table slot of a name (name_hash.h). */
static uint32_t slot_of(const char *name, size_t len, uint32_t size)
{
	return (uint32_t)(idmap_name_hash(name, len) >> 40) & (size - 1);
}

static int grow_table(build_types *t)
{
	uint32_t size = t->table_size ? t->table_size * 2 : 256;
	uint32_t *table = calloc(size, sizeof(*table));
	if (!table)
		return -1;
	for (uint32_t id = 0; id < t->n; id++) {
		uint32_t s = slot_of(t->names[id], t->name_lens[id], size);
		while (table[s])
			s = (s + 1) & (size - 1);
		table[s] = id + 1;
	}
	free(t->table);
	t->table = table;
	t->table_size = size;
	return 0;
}

static int add_type(build_types *t, const char *name, size_t len, uint32_t *id);

/* The id of a name in the table: 0, or -1 when it is not there. */
static int probe(const build_types *t, const char *name, size_t len, uint32_t *id)
{
	if (!t->table_size)
		return -1;
	uint32_t s = slot_of(name, len, t->table_size);
	for (; t->table[s]; s = (s + 1) & (t->table_size - 1)) {
		uint32_t i = t->table[s] - 1;
		if (t->name_lens[i] == len && idmap_name_eq(t->names[i], name, len)) {
			*id = i;
			return 0;
		}
	}
	return -1;
}

int types_intern(build_types *t, const char *name, size_t len, uint32_t *id)
{
	/* The lines of an entry cycle through a dozen types (UniProtKB-ID, GI, UniRef100, ...),
	 * so no cache of the last one: the table's probe, one hash and one compare. */
	if (probe(t, name, len, id) == 0)
		return 0;
	if (t->n == IDMAP_MAX_TYPES || len == 0 || len > IDMAP_MAX_TYPE_NAME)
		return -1;
	if (t->lock)
		pthread_mutex_lock(t->lock);
	int rc = add_type(t, name, len, id);
	if (t->lock)
		pthread_mutex_unlock(t->lock);
	return rc;
}

int types_find(const build_types *t, const char *name, size_t len, uint32_t *id)
{
	if (t->lock)
		pthread_mutex_lock(t->lock);
	int rc = probe(t, name, len, id);
	if (t->lock)
		pthread_mutex_unlock(t->lock);
	return rc;
}

/* Appends a new name (the caller holds the lock). */
static int add_type(build_types *t, const char *name, size_t len, uint32_t *id)
{
	/* four arrays, one capacity: each grows from the same one to the same one */
	size_t c[4] = {t->cap, t->cap, t->cap, t->cap}, need = (size_t)t->n + 1;
	if (idmap_vec_reserve(&t->names, &c[0], need, sizeof(*t->names)) < 0 ||
	    idmap_vec_reserve(&t->name_lens, &c[1], need, sizeof(*t->name_lens)) < 0 ||
	    idmap_vec_reserve(&t->pairs, &c[2], need, sizeof(*t->pairs)) < 0 ||
	    idmap_vec_reserve(&t->keys, &c[3], need, sizeof(*t->keys)) < 0)
		return -1;
	t->cap = c[3];
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, name, len);
	copy[len] = 0;
	uint32_t i = t->n++;
	t->names[i] = copy;
	t->name_lens[i] = (uint16_t)len;
	t->pairs[i] = t->keys[i] = 0;
	/* Keep the load factor under a quarter: probes stay short. */
	if ((uint64_t)t->n * 4 > t->table_size) {
		if (grow_table(t) < 0)
			return -1;
	} else {
		uint32_t s = slot_of(name, len, t->table_size);
		while (t->table[s])
			s = (s + 1) & (t->table_size - 1);
		t->table[s] = i + 1;
	}
	*id = i;
	return 0;
}

void types_free(build_types *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t->name_lens);
	free(t->pairs);
	free(t->keys);
	free(t->table);
	memset(t, 0, sizeof(*t));
}

int types_serialize(const build_types *t, uint8_t **out, size_t *len)
{
	size_t n = IDMAP_TYPES_HEADER_SIZE;
	for (uint32_t i = 0; i < t->n; i++)
		n += 8 + 8 + 2 + t->name_lens[i];
	uint8_t *buf = calloc(1, n), *p = buf;
	if (!buf)
		return -1;
	idmap_wr32(p, t->n);
	p += IDMAP_TYPES_HEADER_SIZE;
	for (uint32_t i = 0; i < t->n; i++) {
		idmap_wr64(p, t->pairs[i]);
		idmap_wr64(p + 8, t->keys[i]);
		idmap_wr16(p + 16, t->name_lens[i]);
		memcpy(p + 18, t->names[i], t->name_lens[i]);
		p += 18 + t->name_lens[i];
	}
	*out = buf;
	*len = n;
	return 0;
}

int types_flags(const build_types *t, uint8_t **own, uint8_t **no_forward, idmap_vcode **vcode)
{
	*own = calloc(t->n ? t->n : 1, 1);
	*no_forward = calloc(t->n ? t->n : 1, 1);
	*vcode = calloc(t->n ? t->n : 1, sizeof **vcode);
	if (!*own || !*no_forward || !*vcode)
		return -1;
	size_t plen = strlen(IDMAP_TYPE_UNVERSIONED_PREFIX);
	for (uint32_t i = 0; i < t->n; i++) {
		(*own)[i] = t->names[i][0] == '#';
		(*no_forward)[i] = t->name_lens[i] > plen &&
				   memcmp(t->names[i], IDMAP_TYPE_UNVERSIONED_PREFIX, plen) == 0;
		idmap_vcode_of(t->names[i], t->name_lens[i], &(*vcode)[i]);
	}
	return 0;
}
