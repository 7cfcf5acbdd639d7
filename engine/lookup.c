/* Lookups: accession and key slots through the MPHFs, forward and reverse iterators. Every
 * offset, varint and slot read from the map is checked before it is used. */
#include <string.h>

#include "accession.h"
#include "hash.h"
#include "index_internal.h"

_Static_assert(IDMAP_ACC_TEXT_SIZE == IDMAP_ACC_TEXT_MAX, "accession text buffers differ");
_Static_assert(IDMAP_VALUE_SIZE == IDMAP_MAX_VALUE + 1, "value buffers differ");

/* ---- Accessions -------------------------------------------------------------------------- */

static int find_code(const idmap_index *ix, uint64_t code, uint64_t *slot)
{
	uint64_t s = idmap_mphf_lookup(&ix->acc_mphf, idmap_hash_acc(code, ix->acc_mphf.seed));
	if (s >= ix->n_acc)
		return IDMAP_ERR_NOT_FOUND;
	if (idmap_rd64(ix->sec[IDMAP_SECTION_ACC_CODES].p + 8 * s) != code)
		return IDMAP_ERR_NOT_FOUND;
	*slot = s;
	return IDMAP_OK;
}

IDMAP_API int idmap_acc_find(const idmap_index *ix, const char *text, size_t len,
			     uint64_t *slot)
{
	if (!ix || !text || !slot)
		return IDMAP_ERR_INVALID;
	if (len == 0 || len >= IDMAP_ACC_TEXT_MAX)
		return IDMAP_ERR_NOT_FOUND;
	char up[IDMAP_ACC_TEXT_MAX];
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		up[i] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
	}
	uint64_t code = idmap_acc_encode(up, len);
	if (code == 0)
		return IDMAP_ERR_NOT_FOUND;
	return find_code(ix, code, slot);
}

IDMAP_API int idmap_acc_code(const idmap_index *ix, uint64_t slot, uint64_t *code)
{
	if (!ix || !code || slot >= ix->n_acc)
		return IDMAP_ERR_INVALID;
	*code = idmap_rd64(ix->sec[IDMAP_SECTION_ACC_CODES].p + 8 * slot);
	return IDMAP_OK;
}

IDMAP_API int idmap_acc_text(const idmap_index *ix, uint64_t slot,
			     char out[IDMAP_ACC_TEXT_SIZE], size_t *len)
{
	if (!ix || !out || slot >= ix->n_acc)
		return IDMAP_ERR_INVALID;
	size_t n = idmap_acc_decode(idmap_rd64(ix->sec[IDMAP_SECTION_ACC_CODES].p + 8 * slot),
				    out);
	if (len)
		*len = n;
	return n ? IDMAP_OK : IDMAP_ERR_CORRUPT;
}

/* ---- Offset tables ----------------------------------------------------------------------- */

const uint8_t idmap_ot_prefix_mask[2 * IDMAP_OT_PER_LENS8] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

int idmap_record_wide(const idmap_otab *t, const uint8_t *blk, uint64_t base, uint32_t j,
		      const uint8_t **a, const uint8_t **b)
{
	uint64_t w = idmap_rd32(blk + 8), size = idmap_ot_wide_bytes(t->layout);
	if (w >= t->wide.len / size)
		return -1;
	const uint8_t *e = t->wide.p + w * size;
	uint64_t x = base + (j ? idmap_rd64(e + 8 * (j - 1)) : 0);
	uint64_t y = base + idmap_rd64(e + 8 * j);
	if (x > y || y > t->pool.len)
		return -1;
	*a = t->pool.p + x;
	*b = t->pool.p + y;
	return 0;
}

/* ---- Keys -------------------------------------------------------------------------------- */

/* Bounds of key record slot, decoded up to its first posting. Inlined into the reverse
 * iterator: a call here cost 2% of GI -> UniProtKB's instructions. */
static inline __attribute__((always_inline)) int
key_record(const idmap_index *ix, uint64_t slot, const uint8_t **p, const uint8_t **end,
	   uint64_t *type, const uint8_t **value, uint64_t *len, uint64_t *count)
{
	if (idmap_record(&ix->key, slot, p, end) != 0)
		return IDMAP_ERR_CORRUPT;
	if (idmap_key_head(ix, p, *end, type, value, len, count) != 0)
		return IDMAP_ERR_CORRUPT;
	return IDMAP_OK;
}

/* The type and decoded value of key slot (< n_key), in one pass over the record's head (and
 * the posting a member value names). */
static int key_value(const idmap_index *ix, uint64_t slot, uint64_t *type,
		     char out[IDMAP_VALUE_SIZE], size_t *len)
{
	const uint8_t *p, *end;
	uint64_t h;
	if (idmap_record(&ix->key, slot, &p, &end) != 0 ||
	    idmap_varint_get(&p, end, &h) || (*type = h >> 1) >= ix->n_types)
		return IDMAP_ERR_CORRUPT;
	/* a member value's posting follows it: its length first (any other value is decoded
	 * without reading past it) */
	size_t l = p < end && (*p & 7) == IDMAP_VC_MEMBER ? idmap_vcode_skip(&ix->vcode[*type], p, end)
							  : (size_t)(end - p);
	*len = l ? idmap_value_decode(ix, *type, p, l, p + l, end, h & 1, out) : 0;
	return *len ? IDMAP_OK : IDMAP_ERR_CORRUPT;
}

IDMAP_API int idmap_key_find(const idmap_index *ix, uint32_t type_id, const void *value,
			     size_t len, uint64_t *slot)
{
	if (!ix || !slot || (!value && len))
		return IDMAP_ERR_INVALID;
	if (type_id >= ix->n_types || len == 0 || len > IDMAP_MAX_VALUE)
		return IDMAP_ERR_NOT_FOUND;
	idmap_h128 h = idmap_hash_key(type_id, value, len, ix->key_mphf.seed);
	uint64_t s = idmap_mphf_lookup(&ix->key_mphf, h);
	int rc = idmap_key_is(ix, s, type_id, value, len);
	if (rc == IDMAP_OK)
		*slot = s;
	return rc;
}

int idmap_key_is(const idmap_index *ix, uint64_t slot, uint32_t type_id, const void *value,
		 size_t len)
{
	const uint8_t *p, *end;
	if (slot >= ix->n_key || type_id >= ix->n_types || len == 0 || len > IDMAP_MAX_VALUE)
		return IDMAP_ERR_NOT_FOUND;
	if (idmap_record(&ix->key, slot, &p, &end) != 0)
		return IDMAP_ERR_CORRUPT;
	return idmap_key_is_at(ix, p, end, type_id, value, len);
}

int idmap_key_is_at(const idmap_index *ix, const uint8_t *p, const uint8_t *end,
		    uint32_t type_id, const void *value, size_t len)
{
	if (type_id >= ix->n_types || len == 0 || len > IDMAP_MAX_VALUE)
		return IDMAP_ERR_NOT_FOUND;
	uint8_t q[IDMAP_VCODE_MAX]; /* the query coded once: the lookup compares coded bytes */
	uint64_t qcode;
	size_t qn = idmap_vcode_encode_acc(&ix->vcode[type_id], value, len, q, &qcode);
	return idmap_key_rec_is(ix, p, end, type_id, q, qn, qcode) ? IDMAP_OK
								      : IDMAP_ERR_NOT_FOUND;
}

IDMAP_API int idmap_key_get(const idmap_index *ix, uint64_t slot, uint32_t *type_id,
			    char value[IDMAP_VALUE_SIZE], size_t *len)
{
	if (!ix || slot >= ix->n_key)
		return IDMAP_ERR_INVALID;
	uint64_t t, l;
	int rc;
	if (value || len) {
		char tmp[IDMAP_VALUE_SIZE];
		size_t n;
		if ((rc = key_value(ix, slot, &t, value ? value : tmp, &n)) != IDMAP_OK)
			return rc;
		if (len)
			*len = n;
	} else {
		const uint8_t *p, *end, *v;
		uint64_t count;
		if ((rc = key_record(ix, slot, &p, &end, &t, &v, &l, &count)) != IDMAP_OK)
			return rc;
	}
	if (type_id)
		*type_id = (uint32_t)t;
	return IDMAP_OK;
}

IDMAP_API int idmap_value_bytes(const idmap_index *ix, uint64_t *text, uint64_t *stored)
{
	if (!ix || !text || !stored)
		return IDMAP_ERR_INVALID;
	memset(text, 0, ix->n_types * sizeof *text);
	memset(stored, 0, ix->n_types * sizeof *stored);
	for (uint64_t s = 0; s < ix->n_key; s++) {
		const uint8_t *p, *end, *v;
		uint64_t t, l, count;
		char out[IDMAP_VALUE_SIZE];
		size_t n;
		if (key_record(ix, s, &p, &end, &t, &v, &l, &count) != IDMAP_OK ||
		    (n = idmap_value_decode(ix, t, v, l, p, end, count, out)) == 0)
			return IDMAP_ERR_CORRUPT;
		text[t] += n;
		stored[t] += l;
	}
	return IDMAP_OK;
}

/* ---- Forward ----------------------------------------------------------------------------- */

static int fwd_fail(idmap_fwd_iter *it)
{
	it->p = it->end;
	it->groups_left = 0;
	it->in_group = 0;
	return IDMAP_ERR_CORRUPT;
}

IDMAP_API int idmap_fwd_begin(const idmap_index *ix, uint64_t acc_slot, uint32_t type_id,
			      idmap_fwd_iter *it)
{
	if (!ix || !it)
		return IDMAP_ERR_INVALID;
	memset(it, 0, sizeof *it);
	it->ix = ix;
	it->want_type = type_id;
	if (acc_slot >= ix->n_acc)
		return IDMAP_ERR_INVALID;
	if (idmap_record(&ix->fwd, acc_slot, &it->p, &it->end) != 0)
		return IDMAP_ERR_CORRUPT;
	if (it->p == it->end) /* no pairs at all */
		return IDMAP_OK;
	/* each group takes at least two bytes */
	if (idmap_varint_get(&it->p, it->end, &it->groups_left) ||
	    it->groups_left > (uint64_t)(it->end - it->p) / 2)
		return fwd_fail(it);
	return IDMAP_OK;
}

/* Enters the next group whose type is wanted; returns IDMAP_OK, IDMAP_DONE or corrupt. */
static int fwd_next_group(idmap_fwd_iter *it)
{
	const idmap_index *ix = it->ix;
	while (it->groups_left) {
		uint64_t type, count;
		it->groups_left--;
		if (idmap_fwd_group_get(&it->p, it->end, &type, &count) || type >= ix->n_types ||
		    (it->started && type <= it->group_type) ||
		    count > (uint64_t)(it->end - it->p) ||
		    count * ix->key_w > (uint64_t)(it->end - it->p)) /* no division: a hot loop */
			return fwd_fail(it);
		it->started = 1;
		it->group_type = type;
		if (it->want_type == IDMAP_TYPE_ANY || type == it->want_type) {
			it->in_group = count;
			it->slot = UINT64_MAX; /* marks the first, absolute slot */
			return IDMAP_OK;
		}
		if (type > it->want_type) { /* groups are sorted: nothing left to find */
			it->groups_left = 0;
			it->p = it->end;
			return IDMAP_DONE;
		}
		it->p += count * ix->key_w; /* within the record: checked above */
	}
	return it->p == it->end ? IDMAP_DONE : fwd_fail(it);
}

int idmap_fwd_next_key(idmap_fwd_iter *it, uint64_t *type, uint64_t *key)
{
	if (it->in_group == 0) {
		int rc = fwd_next_group(it);
		if (rc != IDMAP_OK)
			return rc;
	}
	const idmap_index *ix = it->ix;
	uint64_t s;
	/* slots strictly increase within a group; UINT64_MAX marks the group's first */
	if (idmap_slot_get(&it->p, it->end, ix->key_w, &s) || s >= ix->n_key ||
	    (it->slot != UINT64_MAX && s <= it->slot))
		return fwd_fail(it);
	it->slot = s;
	it->in_group--;
	*type = it->group_type;
	*key = it->slot;
	return IDMAP_OK;
}

int idmap_key_text(const idmap_index *ix, uint64_t key, uint64_t type,
		   char out[IDMAP_VALUE_SIZE], size_t *len)
{
	uint64_t t;
	if (key_value(ix, key, &t, out, len) != IDMAP_OK || t != type)
		return IDMAP_ERR_CORRUPT;
	return IDMAP_OK;
}

int idmap_fwd_pair(const idmap_index *ix, uint64_t type, uint64_t key, idmap_pair *pair)
{
	if (idmap_key_text(ix, key, type, pair->value, &pair->len) != IDMAP_OK)
		return IDMAP_ERR_CORRUPT;
	pair->type_id = (uint32_t)type;
	pair->key_slot = key;
	return IDMAP_OK;
}

IDMAP_API int idmap_fwd_next(idmap_fwd_iter *it, idmap_pair *pair)
{
	if (!it || !pair || !it->ix)
		return IDMAP_ERR_INVALID;
	uint64_t type, key;
	int rc = idmap_fwd_next_key(it, &type, &key);
	if (rc != IDMAP_OK)
		return rc;
	if (idmap_fwd_pair(it->ix, type, key, pair) != IDMAP_OK)
		return fwd_fail(it);
	return IDMAP_OK;
}

/* ---- Reverse ----------------------------------------------------------------------------- */

static int rev_fail(idmap_rev_iter *it)
{
	it->p = it->end;
	it->left = 0;
	return IDMAP_ERR_CORRUPT;
}

IDMAP_API int idmap_rev_begin(const idmap_index *ix, uint64_t key_slot, idmap_rev_iter *it,
			      uint64_t *count)
{
	if (!ix || !it)
		return IDMAP_ERR_INVALID;
	memset(it, 0, sizeof *it);
	it->ix = ix;
	if (count)
		*count = 0;
	if (key_slot >= ix->n_key)
		return IDMAP_ERR_INVALID;
	const uint8_t *p, *end;
	if (idmap_record(&ix->key, key_slot, &p, &end) != 0)
		return rev_fail(it);
	int rc = idmap_rev_begin_at(ix, p, end, it);
	if (rc == IDMAP_OK && count)
		*count = it->left;
	return rc;
}

int idmap_rev_begin_at(const idmap_index *ix, const uint8_t *p, const uint8_t *end,
		       idmap_rev_iter *it)
{
	const uint8_t *v;
	uint64_t t, l;
	memset(it, 0, sizeof *it);
	it->ix = ix;
	it->p = p;
	it->end = end;
	return idmap_key_head(ix, &it->p, end, &t, &v, &l, &it->left) ? rev_fail(it) : IDMAP_OK;
}

IDMAP_API int idmap_rev_next(idmap_rev_iter *it, uint64_t *acc_slot)
{
	if (!it || !acc_slot || !it->ix)
		return IDMAP_ERR_INVALID;
	if (it->left == 0)
		return it->p == it->end ? IDMAP_DONE : rev_fail(it);
	uint64_t d, n = it->ix->n_acc;
	if (idmap_varint_get(&it->p, it->end, &d))
		return rev_fail(it);
	if (!it->started) {
		it->slot = d;
		it->started = 1;
	} else if (d == 0 || d >= n - it->slot) {
		return rev_fail(it);
	} else {
		it->slot += d;
	}
	if (it->slot >= n)
		return rev_fail(it);
	it->left--;
	*acc_slot = it->slot;
	return IDMAP_OK;
}
