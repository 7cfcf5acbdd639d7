/* idmap_verify(): every section's CRC and the structural invariants of FORMAT.md, walked in
 * full (O(index size), on request only). */
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "accession.h"
#include "hash.h"
#include "index_internal.h"

/* ---- Full verification ------------------------------------------------------------------- */

static int fail(char *detail, size_t len, const char *fmt, ...)
{
	if (detail && len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, len, fmt, ap);
		va_end(ap);
	}
	return IDMAP_ERR_CORRUPT;
}

static int verify_monotone(const idmap_index *ix, int index_id, int pool_id, uint64_t n,
			   char *detail, size_t len)
{
	const idmap_span *s = &ix->sec[index_id];
	uint64_t prev = 0;
	for (uint64_t i = 0; i <= n; i++) {
		uint64_t x = idmap_ix_entry(s, i);
		if (x < prev || x > ix->sec[pool_id].len)
			return fail(detail, len, "%s: entry %llu out of order or past %s",
				    idmap_section_name(index_id), (unsigned long long)i,
				    idmap_section_name(pool_id));
		prev = x;
	}
	if (idmap_ix_entry(s, 0) != 0 || prev != ix->sec[pool_id].len)
		return fail(detail, len, "%s: does not span %s", idmap_section_name(index_id),
			    idmap_section_name(pool_id));
	return IDMAP_OK;
}

static int verify_meta(const idmap_index *ix, char *detail, size_t len)
{
	size_t cur = 0;
	idmap_meta_line m;
	int rc;
	while ((rc = idmap_meta_next(ix, &cur, &m)) == IDMAP_OK)
		;
	if (rc != IDMAP_DONE)
		return fail(detail, len, "META: line at byte %zu is not 'key TAB value'", cur);
	return IDMAP_OK;
}

/* Every accession code decodes and the MPHF sends it to its own slot. */
static int verify_codes(const idmap_index *ix, char *detail, size_t len)
{
	const uint8_t *codes = ix->sec[IDMAP_SECTION_ACC_CODES].p;
	char text[IDMAP_ACC_TEXT_MAX];
	for (uint64_t s = 0; s < ix->n_acc; s++) {
		uint64_t c = idmap_rd64(codes + 8 * s);
		if (idmap_acc_decode(c, text) == 0)
			return fail(detail, len, "ACC_CODES: slot %llu holds no accession",
				    (unsigned long long)s);
		if (idmap_mphf_lookup(&ix->acc_mphf, idmap_hash_acc(c, ix->acc_mphf.seed)) != s)
			return fail(detail, len, "ACC_PILOTS/ACC_REMAP: accession %s not at its "
				    "slot %llu", text, (unsigned long long)s);
	}
	return IDMAP_OK;
}

/* Key records decode, postings are sorted accession slots, the MPHF finds each key. */
static int verify_keys(const idmap_index *ix, uint64_t *keys, uint64_t *rev, char *detail,
		       size_t len)
{
	for (uint64_t s = 0; s < ix->n_key; s++) {
		const uint8_t *p, *end, *v;
		uint64_t t, l, count, d, slot = 0;
		if (idmap_record(&ix->sec[IDMAP_SECTION_KEY_INDEX],
				 &ix->sec[IDMAP_SECTION_KEY_POOL], s, &p, &end) != 0 ||
		    idmap_key_head(ix, &p, end, &t, &v, &l) != 0 ||
		    idmap_varint_get(&p, end, &count))
			goto bad;
		for (uint64_t i = 0; i < count; i++) {
			if (idmap_varint_get(&p, end, &d))
				goto bad;
			if (i > 0 && (d == 0 || d > UINT64_MAX - slot))
				goto bad;
			slot = i ? slot + d : d;
			if (slot >= ix->n_acc)
				goto bad;
		}
		if (p != end)
			goto bad;
		idmap_h128 h = idmap_hash_key((uint32_t)t, v, (size_t)l, ix->key_mphf.seed);
		if (idmap_mphf_lookup(&ix->key_mphf, h) != s)
			return fail(detail, len, "KEY_PILOTS/KEY_REMAP: key %llu not at its slot",
				    (unsigned long long)s);
		keys[t]++;
		rev[t] += count;
		continue;
	bad:
		return fail(detail, len, "KEY_POOL: record of key slot %llu is malformed",
			    (unsigned long long)s);
	}
	return IDMAP_OK;
}

/* Forward records decode: sorted groups of sorted key slots of the group's type. */
static int verify_fwd(const idmap_index *ix, uint64_t *fwd, char *detail, size_t len)
{
	for (uint64_t s = 0; s < ix->n_acc; s++) {
		const uint8_t *p, *end;
		uint64_t groups, t, count, d, prev_t = 0, slot = 0;
		if (idmap_record(&ix->sec[IDMAP_SECTION_FWD_INDEX],
				 &ix->sec[IDMAP_SECTION_FWD_POOL], s, &p, &end) != 0)
			goto bad;
		if (p == end)
			continue;
		if (idmap_varint_get(&p, end, &groups))
			goto bad;
		for (uint64_t g = 0; g < groups; g++) {
			if (idmap_varint_get(&p, end, &t) || t >= ix->n_types ||
			    (g && t <= prev_t) || idmap_varint_get(&p, end, &count) || count == 0)
				goto bad;
			prev_t = t;
			for (uint64_t i = 0; i < count; i++) {
				if (idmap_varint_get(&p, end, &d))
					goto bad;
				if (i > 0 && (d == 0 || d > UINT64_MAX - slot))
					goto bad;
				slot = i ? slot + d : d;
				uint32_t kt;
				if (slot >= ix->n_key ||
				    idmap_key_get(ix, slot, &kt, NULL, NULL) != IDMAP_OK || kt != t)
					goto bad;
			}
			fwd[t] += count;
		}
		if (p != end)
			goto bad;
		continue;
	bad:
		return fail(detail, len, "FWD_POOL: record of accession slot %llu is malformed",
			    (unsigned long long)s);
	}
	return IDMAP_OK;
}

static int verify_counts(const idmap_index *ix, char *detail, size_t len)
{
	uint32_t t = ix->n_types ? ix->n_types : 1;
	uint64_t *keys = calloc(t, sizeof *keys), *rev = calloc(t, sizeof *rev);
	uint64_t *fwd = calloc(t, sizeof *fwd);
	int rc = IDMAP_ERR_NOMEM;
	if (!keys || !rev || !fwd)
		goto out;
	if ((rc = verify_keys(ix, keys, rev, detail, len)) != IDMAP_OK ||
	    (rc = verify_fwd(ix, fwd, detail, len)) != IDMAP_OK)
		goto out;
	for (uint32_t i = 0; i < ix->n_types; i++) {
		const idmap_type_info *ti = &ix->types[i];
		/* Unversioned aliases have reverse postings only (FORMAT.md). */
		int alias = strncmp(ti->name, IDMAP_TYPE_UNVERSIONED_PREFIX,
				    strlen(IDMAP_TYPE_UNVERSIONED_PREFIX)) == 0;
		uint64_t want_fwd = alias ? 0 : rev[i];
		if (keys[i] != ti->keys || fwd[i] != want_fwd || rev[i] != ti->pairs) {
			rc = fail(detail, len,
				  "TYPES: type %s counts %llu keys, %llu pairs; pools hold "
				  "%llu keys, %llu forward and %llu reverse pairs",
				  ti->name, (unsigned long long)ti->keys,
				  (unsigned long long)ti->pairs, (unsigned long long)keys[i],
				  (unsigned long long)fwd[i], (unsigned long long)rev[i]);
			goto out;
		}
	}
out:
	free(keys);
	free(rev);
	free(fwd);
	return rc;
}

IDMAP_API int idmap_verify(const idmap_index *ix, char *detail, size_t len)
{
	if (!ix || (!detail && len))
		return IDMAP_ERR_INVALID;
	if (detail && len)
		detail[0] = '\0';
	for (uint32_t i = 0; i < ix->n_secs; i++) {
		const idmap_section_info *s = &ix->secs[i];
		if (libdeflate_crc32(0, ix->map + s->offset, (size_t)s->length) != s->crc) {
			if (s->name)
				return fail(detail, len, "%s: CRC mismatch", s->name);
			return fail(detail, len, "section %u: CRC mismatch", s->id);
		}
	}
	if (idmap_mphf_check(&ix->acc_mphf) != 0)
		return fail(detail, len, "ACC_DIR: partition table inconsistent");
	if (idmap_mphf_check(&ix->key_mphf) != 0)
		return fail(detail, len, "KEY_DIR: partition table inconsistent");
	int rc;
	if ((rc = verify_meta(ix, detail, len)) != IDMAP_OK ||
	    (rc = verify_monotone(ix, IDMAP_SECTION_FWD_INDEX, IDMAP_SECTION_FWD_POOL, ix->n_acc,
				  detail, len)) != IDMAP_OK ||
	    (rc = verify_monotone(ix, IDMAP_SECTION_KEY_INDEX, IDMAP_SECTION_KEY_POOL, ix->n_key,
				  detail, len)) != IDMAP_OK ||
	    (rc = verify_codes(ix, detail, len)) != IDMAP_OK)
		return rc;
	return verify_counts(ix, detail, len);
}
