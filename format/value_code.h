/* Key values coded by type (FORMAT.md, "Value coding"): the one coder that the builder (key
 * records) and the engine (decoding values, coding queries) share. A type's coding is a
 * function of its name alone, so a reader needs nothing but the spec to decode. */
#ifndef IDMAP_VALUE_CODE_H
#define IDMAP_VALUE_CODE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "idmap_format.h"

/* Room for the coded form of any value of at most IDMAP_MAX_VALUE bytes: a 3-byte head,
 * the text, a 3-byte version. */
#define IDMAP_VCODE_MAX (IDMAP_MAX_VALUE + 8)

/* Value forms: the low 3 bits of a coded value's head. */
enum {
	IDMAP_VC_TEXT = 0,    /* the whole value as text */
	IDMAP_VC_DECIMAL = 1, /* prefix + decimal digits: a varint */
	IDMAP_VC_HEX = 2,     /* prefix + uppercase hex digits (n = count - 1): two a byte */
	IDMAP_VC_ACC = 3,     /* prefix + a UniProtKB accession: its code's fields */
	IDMAP_VC_NUMTAIL = 4, /* prefix + text + a run of 3-18 digits: text, varint, [digit count] */
	IDMAP_VC_REST = 5,    /* prefix + text */
	IDMAP_VC_NAME = 6,    /* an entry name ACCESSION_MNEMONIC: the accession's code, the text */
	IDMAP_VC_MEMBER = 7,  /* key records only: the record's accession [, the mnemonic] */
};

/* The coding of one type. */
typedef struct {
	char prefix[16];   /* dropped from values that start with it ("UniRef90_") */
	uint8_t prefix_len;
	uint8_t acc;	   /* accession-shaped values are coded as accessions */
	uint8_t versioned; /* stem.N values are coded as the stem and a version */
	uint8_t named;	   /* entry names (UniProtKB-ID): accession + `_` + mnemonic */
} idmap_vcode;

/* The coding of the type named name[0, len): `#unversioned:T`, `#uniparc:T` and
 * `#uniparc-inactive:T` take T's. */
void idmap_vcode_of(const char *name, size_t len, idmap_vcode *c);

/* Codes the value v[0, len) (1 .. IDMAP_MAX_VALUE bytes, any bytes) into out
 * (IDMAP_VCODE_MAX bytes); returns the coded length. Deterministic: equal texts give equal
 * bytes, and the coding is prefix-free, so a stored value equals a query when the record
 * starts with the query's coded bytes. */
size_t idmap_vcode_encode(const idmap_vcode *c, const char *v, size_t len, uint8_t *out);

/* idmap_vcode_encode, and in *code the accession code of a value coded in form 3 or 6 (0 for
 * the other forms): what a lookup compares with a member value (form 7). */
size_t idmap_vcode_encode_acc(const idmap_vcode *c, const char *v, size_t len, uint8_t *out,
			      uint64_t *code);

/* The length of the coded value at [p, end), or 0 when it is malformed or runs past end. */
size_t idmap_vcode_skip(const idmap_vcode *c, const uint8_t *p, const uint8_t *end);

/* Decodes the coded value at the start of p[0, n) (bytes after it, such as a record's
 * postings, are not read) into out (IDMAP_MAX_VALUE + 1 bytes, NUL-terminated); returns the
 * text's length, or 0 when the value is malformed, runs past n, or its text would not be
 * 1 .. IDMAP_MAX_VALUE bytes. */
size_t idmap_vcode_decode(const idmap_vcode *c, const uint8_t *p, size_t n, char *out);

/* Member values (form 7, FORMAT.md "Member values"): the value of a key record of one
 * accession that names that accession, stored without it (head n: 0, or for entry names the
 * mnemonic's length). The coder above never writes it; the builder recodes a value with
 * idmap_vcode_to_member, and a reader needs the accession's code to decode or compare one. */

/* The accession code in a value coded in form 3 or 6 at p[0, n) (as idmap_vcode_encode
 * writes it), or 0 for any other form. */
uint64_t idmap_vcode_acc(const idmap_vcode *c, const uint8_t *p, size_t n);

/* Recodes the form-3 or form-6 value at p[0, n) as form 7 into out (n bytes at most; out may
 * be p); returns the new length, 0 when p is of another form. */
size_t idmap_vcode_to_member(const idmap_vcode *c, const uint8_t *p, size_t n, uint8_t *out);

/* Whether the value v[0, len) names the accession of code `code` as forms 3 and 6 write one:
 * P + its text (types that allow accessions), or P + its text + `_` + anything (entry names;
 * an accession without isoform). A cheap test on text: the form the value is coded in (3 or
 * 6, not an earlier one) is for the caller to check, with idmap_vcode_acc. */
int idmap_vcode_names(const idmap_vcode *c, const char *v, size_t len, uint64_t code);

/* A form-7 value at [p, end) taken apart (the readers' hot path): for entry names the
 * mnemonic [*m, *m + *mlen), else an empty one; returns the value's length, 0 when it has
 * another form or is malformed. */
static inline size_t idmap_vcode_member_at(const idmap_vcode *c, const uint8_t *p,
					   const uint8_t *end, const uint8_t **m, size_t *mlen)
{
	const uint8_t *q = p;
	uint64_t h;
	if (idmap_varint_get(&q, end, &h) || (h & 7) != IDMAP_VC_MEMBER || c->versioned)
		return 0;
	h >>= 3;
	*m = q;
	*mlen = 0;
	if (c->named) {
		if (h > IDMAP_MAX_VALUE || h > (uint64_t)(end - q))
			return 0;
		*mlen = (size_t)h;
	} else if (!c->acc || h != 0) {
		return 0;
	}
	return (size_t)(q - p) + *mlen;
}

/* The text of a member value: P + the accession of `code` [+ `_` + the mnemonic m[0, mlen)],
 * into out (IDMAP_MAX_VALUE + 1 bytes, NUL-terminated); its length, 0 when the code is not an
 * accession (with an isoform, in an entry name) or the text is too long. */
size_t idmap_vcode_member_text(const idmap_vcode *c, const uint8_t *m, size_t mlen,
			       uint64_t code, char *out);

/* Whether a form-7 value, whose accession has the code `code` and whose mnemonic is
 * m[0, mlen) (idmap_vcode_member_at), is the query coded q[0, qn) by idmap_vcode_encode_acc
 * with the accession code qcode (0: not form 3 or 6, which a member value never equals).
 * An entry name's query is a head, 4 or 7 bytes, the mnemonic: its head (1 byte below 8
 * mnemonic bytes, else 2) and length fix the mnemonic's length, checked before its bytes. */
static inline int idmap_vcode_member_is(const idmap_vcode *c, const uint8_t *m, size_t mlen,
					uint64_t code, const uint8_t *q, size_t qn,
					uint64_t qcode)
{
	if (code != qcode || qcode == 0)
		return 0;
	if (!c->named)
		return 1;
	size_t head = mlen < 8 ? 1 : mlen < 1024 ? 2 : 3; /* varint of (mlen << 1 | long) << 3 */
	return head + (qcode >> 11 & 1 ? 7 : 4) + mlen == qn &&
	       memcmp(q + qn - mlen, m, mlen) == 0;
}

#endif
