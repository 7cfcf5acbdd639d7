/* Batched lookups: a group of ids is hashed first and each memory access of the lookup (pilot,
 * stored key, key record) is prefetched for the whole group before any is used, so the cache
 * misses of a group overlap instead of queueing one after another. */
#include <stdlib.h>
#include <string.h>

#include "accession.h"
#include "hash.h"
#include "idmap_vec.h"
#include "index_internal.h"

#define GROUP 64

IDMAP_API int idmap_acc_find_batch(const idmap_index *ix, const char *const *texts,
				   const size_t *lens, size_t n, uint64_t *slots)
{
	if (!ix || (n && (!texts || !lens || !slots)))
		return IDMAP_ERR_INVALID;
	const uint8_t *codes = ix->sec[IDMAP_SECTION_ACC_CODES].p;
	uint64_t code[GROUP];
	idmap_h128 h[GROUP];
	idmap_mphf_loc loc[GROUP]; /* each hash located once, when its pilot is prefetched */
	for (size_t g = 0; g < n; g += GROUP) {
		size_t m = n - g < GROUP ? n - g : GROUP;
		for (size_t i = 0; i < m; i++) {
			size_t len = lens[g + i];
			char up[IDMAP_ACC_TEXT_MAX];
			code[i] = 0;
			if (!texts[g + i] || len == 0 || len >= IDMAP_ACC_TEXT_MAX)
				continue;
			for (size_t k = 0; k < len; k++) {
				char c = texts[g + i][k];
				up[k] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
			}
			code[i] = idmap_acc_encode(up, len);
			if (code[i]) {
				h[i] = idmap_hash_acc(code[i], ix->acc_mphf.seed);
				idmap_mphf_locate_prefetch(&ix->acc_mphf, h[i], &loc[i]);
			}
		}
		for (size_t i = 0; i < m; i++) {
			uint64_t s =
				code[i] ? idmap_mphf_slot_at(&ix->acc_mphf, &loc[i], h[i]) : IDMAP_NO_SLOT;
			slots[g + i] = s < ix->n_acc ? s : IDMAP_NO_SLOT;
			if (slots[g + i] != IDMAP_NO_SLOT)
				__builtin_prefetch(codes + 8 * s);
		}
		for (size_t i = 0; i < m; i++) {
			uint64_t s = slots[g + i];
			if (s != IDMAP_NO_SLOT && idmap_rd64(codes + 8 * s) != code[i])
				slots[g + i] = IDMAP_NO_SLOT;
		}
	}
	return IDMAP_OK;
}

IDMAP_API int idmap_key_find_batch(const idmap_index *ix, uint32_t type_id,
				   const char *const *values, const size_t *lens, size_t n,
				   uint64_t *slots)
{
	if (!ix || (n && (!values || !lens || !slots)))
		return IDMAP_ERR_INVALID;
	const idmap_otab *kt = &ix->key;
	idmap_h128 h[GROUP];
	idmap_mphf_loc loc[GROUP];
	int ok[GROUP];
	const uint8_t *rec[GROUP], *rec_end[GROUP]; /* the key records, found once */
	for (size_t g = 0; g < n; g += GROUP) {
		size_t m = n - g < GROUP ? n - g : GROUP;
		for (size_t i = 0; i < m; i++) {
			size_t len = lens[g + i];
			ok[i] = type_id < ix->n_types && values[g + i] && len > 0 &&
				len <= IDMAP_MAX_VALUE;
			if (ok[i]) {
				h[i] = idmap_hash_key(type_id, values[g + i], len, ix->key_mphf.seed);
				idmap_mphf_locate_prefetch(&ix->key_mphf, h[i], &loc[i]);
			}
		}
		for (size_t i = 0; i < m; i++) {
			uint64_t s = ok[i] ? idmap_mphf_slot_at(&ix->key_mphf, &loc[i], h[i]) : IDMAP_NO_SLOT;
			slots[g + i] = s < ix->n_key ? s : IDMAP_NO_SLOT;
			if (slots[g + i] != IDMAP_NO_SLOT)
				idmap_ot_prefetch(kt, s);
		}
		for (size_t i = 0; i < m; i++) {
			uint64_t s = slots[g + i];
			if (s != IDMAP_NO_SLOT &&
			    idmap_record(kt, s, &rec[i], &rec_end[i]) != 0)
				slots[g + i] = IDMAP_NO_SLOT; /* corrupt: not found */
			if (slots[g + i] != IDMAP_NO_SLOT)
				__builtin_prefetch(rec[i]);
		}
		/* a member value is compared through its accession's stored code: fetch those of
		 * the group together */
		if (type_id < ix->n_types && (ix->vcode[type_id].acc || ix->vcode[type_id].named))
			for (size_t i = 0; i < m; i++)
				if (slots[g + i] != IDMAP_NO_SLOT)
					idmap_member_prefetch(ix, rec[i], rec_end[i]);
		for (size_t i = 0; i < m; i++) {
			if (slots[g + i] == IDMAP_NO_SLOT)
				continue;
			uint8_t q[IDMAP_VCODE_MAX];
			uint64_t qcode;
			size_t qn = idmap_vcode_encode_acc(&ix->vcode[type_id], values[g + i],
							   lens[g + i], q, &qcode);
			if (!idmap_key_rec_is(ix, rec[i], rec_end[i], type_id, q, qn, qcode))
				slots[g + i] = IDMAP_NO_SLOT;
		}
	}
	return IDMAP_OK;
}

IDMAP_API void idmap_fwd_prefetch(const idmap_index *ix, uint64_t acc_slot)
{
	if (ix && acc_slot < ix->n_acc)
		idmap_ot_prefetch(&ix->fwd, acc_slot);
}

/* ---- Forward pairs of a batch of accessions ------------------------------------------------
 * Four passes over a group of slots: fetch their offset-table blocks; fetch their records;
 * decode the records into (type, key) lists and fetch the keys' table blocks; fetch the key
 * records; then hand out the pairs. Each pass finds the previous one's loads in the cache. */

typedef struct {
	uint64_t *type, *key;
	uint32_t *owner; /* index into the group */
	size_t n, type_cap, key_cap, owner_cap;
} key_list;

static int key_list_push(key_list *k, uint64_t type, uint64_t key, uint32_t owner)
{
	if (idmap_vec_reserve(&k->type, &k->type_cap, k->n + 1, sizeof *k->type) < 0 ||
	    idmap_vec_reserve(&k->key, &k->key_cap, k->n + 1, sizeof *k->key) < 0 ||
	    idmap_vec_reserve(&k->owner, &k->owner_cap, k->n + 1, sizeof *k->owner) < 0)
		return IDMAP_ERR_NOMEM;
	k->type[k->n] = type;
	k->key[k->n] = key;
	k->owner[k->n++] = owner;
	return IDMAP_OK;
}

static int fwd_group(const idmap_index *ix, const uint64_t *slots, size_t g, size_t m,
		     uint32_t type_id, key_list *k, idmap_pair_fn fn, void *ctx)
{
	const idmap_otab *fi = &ix->fwd, *ki = &ix->key;
	const uint8_t *p, *end;
	for (size_t i = 0; i < m; i++)
		if (slots[g + i] != IDMAP_NO_SLOT) {
			if (slots[g + i] >= ix->n_acc)
				return IDMAP_ERR_INVALID;
			idmap_ot_prefetch(fi, slots[g + i]);
		}
	for (size_t i = 0; i < m; i++)
		if (slots[g + i] != IDMAP_NO_SLOT && idmap_record(fi, slots[g + i], &p, &end) == 0)
			idmap_prefetch_record(p, end);
	k->n = 0;
	for (size_t i = 0; i < m; i++) {
		if (slots[g + i] == IDMAP_NO_SLOT)
			continue;
		idmap_fwd_iter it;
		uint64_t type, key;
		int rc = idmap_fwd_begin(ix, slots[g + i], type_id, &it);
		while (rc == IDMAP_OK && (rc = idmap_fwd_next_key(&it, &type, &key)) == IDMAP_OK) {
			idmap_ot_prefetch(ki, key);
			rc = key_list_push(k, type, key, (uint32_t)i);
		}
		if (rc != IDMAP_DONE)
			return rc;
	}
	for (size_t x = 0; x < k->n; x++)
		if (idmap_record(ki, k->key[x], &p, &end) == 0)
			__builtin_prefetch(p);
	for (size_t x = 0; x < k->n; x++) {
		idmap_pair pair;
		if (idmap_fwd_pair(ix, k->type[x], k->key[x], &pair) != IDMAP_OK)
			return IDMAP_ERR_CORRUPT;
		if (fn(ctx, g + k->owner[x], &pair) != 0)
			return IDMAP_STOPPED;
	}
	return IDMAP_OK;
}

IDMAP_API int idmap_fwd_batch(const idmap_index *ix, const uint64_t *slots, size_t n,
			      uint32_t type_id, idmap_pair_fn fn, void *ctx)
{
	if (!ix || !fn || (n && !slots))
		return IDMAP_ERR_INVALID;
	key_list k = {0};
	int rc = IDMAP_OK;
	for (size_t g = 0; g < n && rc == IDMAP_OK; g += GROUP)
		rc = fwd_group(ix, slots, g, n - g < GROUP ? n - g : GROUP, type_id, &k, fn, ctx);
	free(k.type);
	free(k.key);
	free(k.owner);
	return rc;
}
