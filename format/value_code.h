/* Key values coded by type (FORMAT.md, "Value coding"): the one coder that the builder (key
 * records) and the engine (decoding values, coding queries) share. A type's coding is a
 * function of its name alone, so a reader needs nothing but the spec to decode. */
#ifndef IDMAP_VALUE_CODE_H
#define IDMAP_VALUE_CODE_H

#include <stddef.h>
#include <stdint.h>

#include "idmap_format.h"

/* Room for the coded form of any value of at most IDMAP_MAX_VALUE bytes: a 3-byte head,
 * the text, a 3-byte version. */
#define IDMAP_VCODE_MAX (IDMAP_MAX_VALUE + 8)

/* Value forms: the low 3 bits of a coded value's head. */
enum {
	IDMAP_VC_TEXT = 0,    /* the whole value as text */
	IDMAP_VC_DECIMAL = 1, /* prefix + decimal digits: a varint */
	IDMAP_VC_HEX = 2,     /* prefix + uppercase hex digits: packed, two a byte */
	IDMAP_VC_ACC = 3,     /* prefix + a UniProtKB accession: its code's fields */
	IDMAP_VC_NUMTAIL = 4, /* prefix + text + a run of 3-19 digits: text, digit count, varint */
	IDMAP_VC_REST = 5,    /* prefix + text */
	IDMAP_VC_NAME = 6,    /* an entry name ACCESSION_MNEMONIC: the accession's code, the text */
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

/* The length of the coded value at [p, end), or 0 when it is malformed or runs past end. */
size_t idmap_vcode_skip(const idmap_vcode *c, const uint8_t *p, const uint8_t *end);

/* Decodes the coded value at the start of p[0, n) (bytes after it, such as a record's
 * postings, are not read) into out (IDMAP_MAX_VALUE + 1 bytes, NUL-terminated); returns the
 * text's length, or 0 when the value is malformed, runs past n, or its text would not be
 * 1 .. IDMAP_MAX_VALUE bytes. */
size_t idmap_vcode_decode(const idmap_vcode *c, const uint8_t *p, size_t n, char *out);

#endif
