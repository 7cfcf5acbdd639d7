/* idmap_verify(): every section's CRC and the structural invariants of FORMAT.md, walked in
 * full (O(index size), on request only).
 *
 * Every section is read front to back, so that an index larger than RAM streams from the
 * disk instead of being faulted in a page at a time: the CRCs in file order, then the offset
 * tables, the accession codes, the key records in key slot order and the forward records in
 * accession slot order. The MPHF lookups of those walks touch the pilots of one partition
 * after another. The forward pairs are compared with the reverse postings without looking
 * anything up per pair: both walks count the pairs of each type and add up a hash of each
 * (accession slot, key slot) pair per type; the two sums of a type are equal when its forward
 * and reverse pairs are the same set (a damage goes unnoticed with a chance of about 2^-64).
 * IDMAP_VERIFY_FULL adds the exact check the sums stand for, at one random access per pair:
 * the key record of every forward pair exists and has the group's type. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libdeflate.h>

#include "accession.h"
#include "hash.h"
#include "index_internal.h"

#define fail(detail, len, ...) idmap_detail_set((detail), (len), IDMAP_ERR_CORRUPT, __VA_ARGS__)

/* Access advice for a part of the map (page-aligned outwards). */
static void advise(const idmap_index *ix, const uint8_t *p, uint64_t len, int advice)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p & ~(pg - 1);
	if (len && p >= ix->map && p + len <= ix->map + ix->size)
		(void)madvise((void *)a, (uintptr_t)p + len - a, advice);
}

/* The term a pair adds to its type's fingerprint: a bijective mix of both slots. */
static inline uint64_t pair_term(uint64_t acc, uint64_t key)
{
	return idmap_fmix((acc << 32 | key) ^ IDMAP_K1);
}

/* Per-type tallies of the two walks. */
typedef struct {
	uint64_t *keys;	  /* key records of the type */
	uint64_t *rev;	  /* reverse postings */
	uint64_t *fwd;	  /* forward pairs */
	uint64_t *rev_fp; /* fingerprints of the postings of types that have forward pairs */
	uint64_t *fwd_fp; /* fingerprints of the forward pairs */
	uint8_t *alias;	  /* #unversioned: types: reverse postings only (FORMAT.md) */
} tallies;

static int check_crcs(const idmap_index *ix, char *detail, size_t len)
{
	/* In file order, whatever the table's order. */
	uint32_t n = ix->n_secs;
	const idmap_section_info **v = malloc((n ? n : 1) * sizeof *v);
	if (!v)
		return IDMAP_ERR_NOMEM;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = i;
		while (k > 0 && v[k - 1]->offset > ix->secs[i].offset) {
			v[k] = v[k - 1];
			k--;
		}
		v[k] = &ix->secs[i];
	}
	int rc = IDMAP_OK;
	for (uint32_t i = 0; i < n && rc == IDMAP_OK; i++) {
		const idmap_section_info *s = v[i];
		if (libdeflate_crc32(0, ix->map + s->offset, (size_t)s->length) == s->crc)
			continue;
		if (s->name)
			rc = fail(detail, len, "%s: CRC mismatch", s->name);
		else
			rc = fail(detail, len, "section %u: CRC mismatch", s->id);
	}
	free(v);
	return rc;
}

/* Whether the n bytes at p are all zero. */
static int all_zero(const uint8_t *p, size_t n)
{
	while (n && !*p)
		p++, n--;
	return n == 0;
}

/* The stored value j of a block: a wide entry's u64 end, or a narrow u16 end or u8 length. */
static uint64_t block_value(const idmap_otab *t, const uint8_t *blk, const uint8_t *wide,
			    uint32_t j)
{
	if (wide)
		return idmap_rd64(wide + 8 * j);
	return t->layout == IDMAP_OT_LENS8 ? blk[8 + j] : idmap_rd16(blk + 8 + 2 * j);
}

/* The ends of a block (k records) of an offset table, relative to base: they do not decrease
 * and stay within room; unused values are zero. Returns the last end, its longest record in
 * *longest, or UINT64_MAX with the failing record in *bad. */
static uint64_t block_ends(const idmap_otab *t, const uint8_t *blk, const uint8_t *wide,
			   uint32_t k, uint64_t room, uint64_t *longest, uint32_t *bad)
{
	uint64_t prev = 0;
	int lens = !wide && t->layout == IDMAP_OT_LENS8;
	*longest = 0;
	for (uint32_t j = 0; j < idmap_ot_per(t->layout); j++) {
		uint64_t v = block_value(t, blk, wide, j), r = lens ? prev + v : v;
		if (j < k ? r < prev || r > room : v != 0) {
			*bad = j;
			return UINT64_MAX;
		}
		if (j < k) {
			*longest = r - prev > *longest ? r - prev : *longest;
			prev = r;
		}
	}
	return prev;
}

/* Whether a block of the layout needs the wide form: ENDS16, its records span more than
 * 65535 bytes; LENS8, one is longer than 255. */
static int needs_wide(const idmap_otab *t, uint64_t last, uint64_t longest)
{
	return t->layout == IDMAP_OT_LENS8 ? longest > IDMAP_OT_LEN_MAX
					   : last > IDMAP_OT_NARROW_MAX;
}

/* An offset table, block by block: each block's base is where the records before it end;
 * a block is wide exactly when it does not fit its layout (needs_wide), and then names the
 * next entry of the wide section, all of which are used; ends do not decrease and stay
 * inside the pool; unused and reserved bytes are zero; the last end is the pool's end. */
static int verify_offsets(const idmap_otab *t, int index_id, int wide_id, int pool_id,
			  uint64_t n, char *detail, size_t len)
{
	const char *name = idmap_section_name(index_id), *pool = idmap_section_name(pool_id);
	const char *wname = idmap_section_name(wide_id);
	uint64_t plen = t->pool.len, end = 0, n_wide = 0, per = idmap_ot_per(t->layout);
	uint64_t blocks = idmap_ot_length(n, t->layout) / IDMAP_OT_BLOCK_BYTES;
	uint32_t size = idmap_ot_wide_bytes(t->layout);
	for (uint64_t q = 0; q < blocks; q++) {
		const uint8_t *blk = t->index.p + q * IDMAP_OT_BLOCK_BYTES, *wide = NULL;
		uint64_t word = idmap_rd64(blk), base = word & ~IDMAP_OT_WIDE_FLAG;
		uint32_t k = q + 1 < blocks ? (uint32_t)per : (uint32_t)(n - q * per);
		if (base != end)
			return fail(detail, len, "%s: block %llu has base %llu, but the records "
				    "before it end at %llu", name, (unsigned long long)q,
				    (unsigned long long)base, (unsigned long long)end);
		if (word & IDMAP_OT_WIDE_FLAG) {
			if (idmap_rd32(blk + 8) != n_wide || !all_zero(blk + 12, 52) ||
			    (n_wide + 1) * size > t->wide.len)
				return fail(detail, len, "%s: wide block %llu does not name the next "
					    "entry of %s (%llu)", name, (unsigned long long)q, wname,
					    (unsigned long long)n_wide);
			wide = t->wide.p + n_wide++ * size;
		}
		uint32_t bad = 0;
		uint64_t longest, last = block_ends(t, blk, wide, k, plen - base, &longest, &bad);
		if (last == UINT64_MAX)
			return fail(detail, len, "%s: entry %llu out of order, past %s or unused "
				    "but not zero", name,
				    (unsigned long long)(q * per + bad), pool);
		if (wide && !needs_wide(t, last, longest)) /* a narrow block cannot need it */
			return fail(detail, len, "%s: block %llu is wide, but its records span "
				    "only %llu bytes, the longest %llu", name,
				    (unsigned long long)q, (unsigned long long)last,
				    (unsigned long long)longest);
		end = base + last;
	}
	if (n_wide * size != t->wide.len)
		return fail(detail, len, "%s: %llu bytes, but %llu wide blocks use %llu", wname,
			    (unsigned long long)t->wide.len, (unsigned long long)n_wide,
			    (unsigned long long)(n_wide * size));
	if (end != plen)
		return fail(detail, len, "%s: does not span %s", name, pool);
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
	uint64_t upis = 0;
	for (uint64_t s = 0; s < ix->n_acc; s++) {
		uint64_t c = idmap_rd64(codes + 8 * s);
		upis += (uint64_t)idmap_code_is_upi(c);
		if (idmap_acc_decode(c, text) == 0)
			return fail(detail, len, "ACC_CODES: slot %llu holds no accession",
				    (unsigned long long)s);
		if (idmap_mphf_lookup(&ix->acc_mphf, idmap_hash_acc(c, ix->acc_mphf.seed)) != s)
			return fail(detail, len, "ACC_PILOTS/ACC_REMAP: accession %s not at its "
				    "slot %llu", text, (unsigned long long)s);
	}
	if (upis != idmap_upi_count(ix))
		return fail(detail, len, "META: upis says %llu, ACC_CODES holds %llu UPIs",
			    (unsigned long long)idmap_upi_count(ix), (unsigned long long)upis);
	return IDMAP_OK;
}

/* The one coding the builder stores for the text of a key value of type whose count postings
 * start at post: the query's coding, or its member form (form 7) when the record has one
 * accession and the value names it. Returns its length in out, 0 on a damaged posting. */
static size_t canonical_value(const idmap_index *ix, uint64_t type, const char *text,
			      size_t tl, const uint8_t *post, const uint8_t *end, uint64_t count,
			      uint8_t out[IDMAP_VCODE_MAX])
{
	const idmap_vcode *c = &ix->vcode[type];
	size_t n = idmap_vcode_encode(c, text, tl, out);
	uint64_t want = idmap_vcode_acc(c, out, n), code;
	if (want && count == 1) {
		if (idmap_member_code(ix, post, end, count, &code) != IDMAP_OK)
			return 0;
		if (code == want)
			return idmap_vcode_to_member(c, out, n, out);
	}
	return n;
}

/* Key records in slot order: they decode, postings are sorted accession slots, the MPHF finds
 * each key; counts and fingerprints per type. */
static int verify_keys(const idmap_index *ix, tallies *t, char *detail, size_t len)
{
	for (uint64_t s = 0; s < ix->n_key; s++) {
		const uint8_t *p, *end, *v;
		uint64_t type, l, count, d, slot = 0, fp = 0;
		if (idmap_record(&ix->key, s, &p, &end) != 0 ||
		    idmap_key_head(ix, &p, end, &type, &v, &l, &count) != 0)
			goto bad;
		const uint8_t *post = p;
		for (uint64_t i = 0; i < count; i++) {
			if (idmap_varint_get(&p, end, &d))
				goto bad;
			if (i > 0 && (d == 0 || d > UINT64_MAX - slot))
				goto bad;
			slot = i ? slot + d : d;
			if (slot >= ix->n_acc)
				goto bad;
			fp += pair_term(slot, s);
		}
		if (p != end)
			goto bad;
		/* the value decodes, and codes back to its stored bytes (the one coding a query
		 * can match, or its member form); the hash is over its text */
		char text[IDMAP_VALUE_SIZE];
		uint8_t re[IDMAP_VCODE_MAX];
		size_t tl = idmap_value_decode(ix, type, v, l, post, end, count, text);
		if (tl == 0 || canonical_value(ix, type, text, tl, post, end, count, re) != l ||
		    memcmp(re, v, (size_t)l) != 0)
			goto bad;
		idmap_h128 h = idmap_hash_key((uint32_t)type, text, tl, ix->key_mphf.seed);
		if (idmap_mphf_lookup(&ix->key_mphf, h) != s)
			return fail(detail, len, "KEY_PILOTS/KEY_REMAP: key %llu not at its slot",
				    (unsigned long long)s);
		t->keys[type]++;
		t->rev[type] += count;
		if (!t->alias[type])
			t->rev_fp[type] += fp;
		continue;
	bad:
		return fail(detail, len, "KEY_POOL: record of key slot %llu is malformed",
			    (unsigned long long)s);
	}
	return IDMAP_OK;
}

/* Forward records in slot order: sorted groups of sorted key slots; counts and fingerprints
 * per type; with full, each key's record is looked up and must have the group's type. */
static int verify_fwd(const idmap_index *ix, int full, tallies *t, char *detail, size_t len)
{
	for (uint64_t s = 0; s < ix->n_acc; s++) {
		const uint8_t *p, *end;
		uint64_t groups, type, count, k, prev_t = 0, slot = 0;
		if (idmap_record(&ix->fwd, s, &p, &end) != 0)
			goto bad;
		if (p == end)
			continue;
		if (idmap_varint_get(&p, end, &groups))
			goto bad;
		for (uint64_t g = 0; g < groups; g++) {
			if (idmap_fwd_group_get(&p, end, &type, &count) || type >= ix->n_types ||
			    (g && type <= prev_t))
				goto bad;
			prev_t = type;
			uint64_t fp = 0;
			for (uint64_t i = 0; i < count; i++) {
				if (idmap_slot_get(&p, end, ix->key_w, &k) || k >= ix->n_key ||
				    (i > 0 && k <= slot))
					goto bad;
				slot = k;
				fp += pair_term(s, slot);
				uint32_t kt;
				if (full && (idmap_key_get(ix, slot, &kt, NULL, NULL) != IDMAP_OK ||
					     kt != type))
					goto bad;
			}
			t->fwd[type] += count;
			t->fwd_fp[type] += fp;
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

/* The tallies against TYPES and against each other. */
static int compare_tallies(const idmap_index *ix, const tallies *t, char *detail, size_t len)
{
	for (uint32_t i = 0; i < ix->n_types; i++) {
		const idmap_type_info *ti = &ix->types[i];
		uint64_t want_fwd = t->alias[i] ? 0 : t->rev[i];
		if (t->keys[i] != ti->keys || t->fwd[i] != want_fwd || t->rev[i] != ti->pairs)
			return fail(detail, len,
				    "TYPES: type %s counts %llu keys, %llu pairs; pools hold "
				    "%llu keys, %llu forward and %llu reverse pairs",
				    ti->name, (unsigned long long)ti->keys,
				    (unsigned long long)ti->pairs, (unsigned long long)t->keys[i],
				    (unsigned long long)t->fwd[i], (unsigned long long)t->rev[i]);
		if (t->fwd_fp[i] != t->rev_fp[i])
			return fail(detail, len, "FWD_POOL/KEY_POOL: the forward pairs of type %s "
				    "differ from its reverse postings", ti->name);
	}
	return IDMAP_OK;
}

static int verify_records(const idmap_index *ix, int full, char *detail, size_t len)
{
	size_t nt = ix->n_types ? ix->n_types : 1;
	tallies t;
	uint64_t *all = calloc(5 * nt, sizeof *all);
	t.alias = calloc(nt, 1);
	int rc = IDMAP_ERR_NOMEM;
	if (!all || !t.alias)
		goto out;
	t.keys = all;
	t.rev = all + nt;
	t.fwd = all + 2 * nt;
	t.rev_fp = all + 3 * nt;
	t.fwd_fp = all + 4 * nt;
	size_t plen = strlen(IDMAP_TYPE_UNVERSIONED_PREFIX);
	for (uint32_t i = 0; i < ix->n_types; i++)
		t.alias[i] = strncmp(ix->types[i].name, IDMAP_TYPE_UNVERSIONED_PREFIX, plen) == 0;
	if ((rc = verify_keys(ix, &t, detail, len)) != IDMAP_OK)
		goto out;
	if (full) { /* the key records are now read at random */
		advise(ix, ix->sec[IDMAP_SECTION_KEY_INDEX].p, ix->sec[IDMAP_SECTION_KEY_INDEX].len,
		       MADV_RANDOM);
		advise(ix, ix->sec[IDMAP_SECTION_KEY_POOL].p, ix->sec[IDMAP_SECTION_KEY_POOL].len,
		       MADV_RANDOM);
	}
	if ((rc = verify_fwd(ix, full, &t, detail, len)) != IDMAP_OK)
		goto out;
	rc = compare_tallies(ix, &t, detail, len);
out:
	free(all);
	free(t.alias);
	return rc;
}

/* The pilot exceptions of one space: in increasing bucket order, one for exactly each
 * escaped pilot byte (FORMAT.md, "ACC_PILOTS / KEY_PILOTS"). */
static int verify_exceptions(const idmap_mphf_view *v, const char *name, char *detail,
			     size_t len)
{
	uint64_t escaped = 0;
	for (uint64_t b = 0; b < v->n_pilots; b++)
		escaped += v->pilots[b] == IDMAP_PILOT_ESCAPE;
	if (escaped != v->n_exceptions)
		return fail(detail, len, "%s: %llu escaped pilots, %llu exceptions", name,
			    (unsigned long long)escaped, (unsigned long long)v->n_exceptions);
	for (uint64_t i = 0; i < v->n_exceptions; i++) {
		uint64_t b = idmap_rd64(v->exceptions + 8 * i) >> 16;
		if (b >= v->n_pilots || v->pilots[b] != IDMAP_PILOT_ESCAPE ||
		    (i > 0 && b <= idmap_rd64(v->exceptions + 8 * (i - 1)) >> 16))
			return fail(detail, len, "%s: pilot exception %llu out of order or on a "
				    "pilot that is not escaped", name, (unsigned long long)i);
	}
	/* the padding between the bytes and the exceptions */
	for (uint64_t b = v->n_pilots; v->pilots + b < v->exceptions; b++)
		if (v->pilots[b])
			return fail(detail, len, "%s: padding after the pilots not zero", name);
	return IDMAP_OK;
}

static int verify_all(const idmap_index *ix, int full, char *detail, size_t len)
{
	int rc;
	if ((rc = check_crcs(ix, detail, len)) != IDMAP_OK)
		return rc;
	if (idmap_mphf_check(&ix->acc_mphf) != 0)
		return fail(detail, len, "ACC_DIR: partition table inconsistent");
	if (idmap_mphf_check(&ix->key_mphf) != 0)
		return fail(detail, len, "KEY_DIR: partition table inconsistent");
	if ((rc = verify_exceptions(&ix->acc_mphf, "ACC_PILOTS", detail, len)) != IDMAP_OK ||
	    (rc = verify_exceptions(&ix->key_mphf, "KEY_PILOTS", detail, len)) != IDMAP_OK)
		return rc;
	if ((rc = verify_meta(ix, detail, len)) != IDMAP_OK ||
	    (rc = verify_offsets(&ix->fwd, IDMAP_SECTION_FWD_INDEX, IDMAP_SECTION_FWD_INDEX_WIDE,
				 IDMAP_SECTION_FWD_POOL, ix->n_acc, detail, len)) != IDMAP_OK ||
	    (rc = verify_offsets(&ix->key, IDMAP_SECTION_KEY_INDEX, IDMAP_SECTION_KEY_INDEX_WIDE,
				 IDMAP_SECTION_KEY_POOL, ix->n_key, detail, len)) != IDMAP_OK ||
	    (rc = verify_codes(ix, detail, len)) != IDMAP_OK)
		return rc;
	if ((rc = verify_records(ix, full, detail, len)) != IDMAP_OK)
		return rc;
	return idmap_entries_verify(ix, detail, len);
}

IDMAP_API int idmap_verify_flags(const idmap_index *ix, unsigned flags, char *detail,
				 size_t len)
{
	if (!ix || (!detail && len) || (flags & ~IDMAP_VERIFY_FULL))
		return IDMAP_ERR_INVALID;
	if (detail && len)
		detail[0] = '\0';
	/* Read ahead while walking; idmap_open's advice (index.c) afterwards. */
	advise(ix, ix->map, ix->size, MADV_SEQUENTIAL);
	int rc = verify_all(ix, (flags & IDMAP_VERIFY_FULL) != 0, detail, len);
	advise(ix, ix->map, ix->size, MADV_RANDOM);
	return rc;
}

IDMAP_API int idmap_verify(const idmap_index *ix, char *detail, size_t len)
{
	return idmap_verify_flags(ix, 0, detail, len);
}
