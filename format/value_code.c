/* Key values coded by type (FORMAT.md, "Value coding"). A coded value is
 *   head = varint (n << 3 | form)             types without versions
 *   head = varint (n << 4 | ver << 3 | form)  versioned types
 * then the form's payload, then (ver = 1) varint (version << 2 | version digits - 1). */
#include "value_code.h"

#include <string.h>

#include "accession.h"
#include "versioned.h"

typedef struct {
	const char *type, *prefix;
	int acc, named;
} coding_row;

/* Constant prefixes, the types whose values are accessions, and entry names. */
static const coding_row rows[] = {
	{"UniProtKB-ID", "", 0, 1},
	{"UniRef100", "UniRef100_", 1, 0},
	{"UniRef90", "UniRef90_", 1, 0},
	{"UniRef50", "UniRef50_", 1, 0},
	{"UniParc", "UPI", 0, 0},
	{"GO", "GO:", 0, 0},
	{"HGNC", "HGNC:", 0, 0},
	{"MGI", "MGI:", 0, 0},
	{"ChEMBL", "CHEMBL", 0, 0},
	{IDMAP_TYPE_SECONDARY, "", 1, 0},
	{IDMAP_TYPE_DELETED, "", 1, 0},
	{IDMAP_TYPE_DELETED_SP, "", 1, 0},
	{IDMAP_TYPE_DELETED_TR, "", 1, 0},
	{IDMAP_TYPE_ISOFORM_OF, "", 1, 0},
};

/* Prefixes of idmap's own types that name a data type T: they take T's coding. */
static const char *const aliases[] = {IDMAP_TYPE_UNVERSIONED_PREFIX, "#uniparc:",
				      "#uniparc-inactive:"};

void idmap_vcode_of(const char *name, size_t len, idmap_vcode *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
		size_t k = strlen(aliases[i]);
		if (len > k && memcmp(name, aliases[i], k) == 0) {
			name += k;
			len -= k;
			break;
		}
	}
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
		if (strlen(rows[i].type) == len && memcmp(rows[i].type, name, len) == 0) {
			c->prefix_len = (uint8_t)strlen(rows[i].prefix);
			memcpy(c->prefix, rows[i].prefix, c->prefix_len);
			c->acc = (uint8_t)rows[i].acc;
			c->named = (uint8_t)rows[i].named;
		}
	c->versioned = (uint8_t)idmap_type_versioned(name, len);
}

/* ---- Encoding ---------------------------------------------------------------------------- */

static uint64_t number(const char *s, size_t n)
{
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++)
		x = x * 10 + (uint64_t)(s[i] - '0');
	return x;
}

/* Upper-case hex digit values plus one; 0 for any other byte. */
static const uint8_t hexp1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
	['F'] = 16,
};

/* Packs the hex digits s[0, n) two a byte into out (an odd count leaves the last low half
 * 0); 0 when s has another byte, else the packed length. One pass, a table look-up a
 * character: the test and the packing of form 2 together. */
static size_t pack_hex(const char *s, size_t n, uint8_t *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i += 2) {
		unsigned hi = hexp1[(uint8_t)s[i]], lo = i + 1 < n ? hexp1[(uint8_t)s[i + 1]] : 1;
		if (!hi || !lo)
			return 0;
		out[k++] = (uint8_t)((hi - 1) << 4 | (lo - 1));
	}
	return k;
}

/* The accession code of r[0, n) when it is one written canonically, else 0. The encoder
 * takes canonical text only (upper case, an isoform without leading zero), which its code
 * decodes back to (accession.h): no decoding (ten divisions) to check. */
static uint64_t accession(const char *r, size_t n)
{
	return n < IDMAP_ACC_TEXT_MAX ? idmap_acc_encode(r, n) : 0;
}

/* The payload of an accession code (forms 3 and 6): its base-36 number in 4 bytes (6
 * characters) or 7 (10 characters), then the isoform as a varint when it has one. Returns
 * the byte count; *n gets long | isoform << 1. */
static size_t put_acc(uint8_t *out, uint64_t code, uint64_t *n)
{
	unsigned iso = idmap_acc_isoform(code), longform = (unsigned)(code >> 11) & 1;
	uint64_t b36 = code >> 12;
	size_t k = 0;
	for (int i = 0; i < (longform ? 7 : 4); i++)
		out[k++] = (uint8_t)(b36 >> (8 * i));
	if (iso)
		k += idmap_varint_put(out + k, iso);
	*n = longform | (iso ? 2u : 0u);
	return k;
}

/* The code of the accession before the first `_` of an entry name r[0, n), or 0 when r has
 * no `_` or what comes before it is not an accession without isoform written as its code
 * decodes. */
static uint64_t name_accession(const char *r, size_t n, size_t *under)
{
	const char *u = memchr(r, '_', n < IDMAP_ACC_TEXT_MAX ? n : IDMAP_ACC_TEXT_MAX);
	if (!u)
		return 0;
	*under = (size_t)(u - r);
	uint64_t code = accession(r, *under);
	return code && idmap_acc_isoform(code) == 0 ? code : 0;
}

static size_t put_head(uint8_t *out, const idmap_vcode *c, uint64_t n, int form, int ver)
{
	return idmap_varint_put(out, c->versioned ? n << 4 | (uint64_t)ver << 3 | (uint64_t)form
						  : n << 3 | (uint64_t)form);
}

/* Codes the rest r[0, n) of a value after the type's prefix; prefixed: the prefix was there. */
static size_t encode_rest(const idmap_vcode *c, const char *r, size_t n, int prefixed, int ver,
			  uint8_t *out, uint64_t *acc_code)
{
	static const uint64_t pow10[19] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull};
	uint8_t *p = out, acc[IDMAP_MAX_VARINT + 7], hex[16];
	uint64_t code, an, tail = 0; /* the number of the trailing digit run, when <= 19 digits */
	size_t d = 0, under = 0, hn; /* the trailing digit run; the `_` of an entry name */
	for (unsigned x; d < n && (x = (unsigned)(uint8_t)r[n - 1 - d] - '0') <= 9; d++)
		if (d < 19)
			tail += x * pow10[d];
	if (n >= 1 && d == n && n <= 19) {
		p += put_head(p, c, n, IDMAP_VC_DECIMAL, ver);
		p += idmap_varint_put(p, tail);
	} else if (n >= 1 && n <= 32 && (hn = pack_hex(r, n, hex)) != 0) {
		p += put_head(p, c, n - 1, IDMAP_VC_HEX, ver); /* CRC64's 16 digits: a 1-byte head */
		memcpy(p, hex, hn);
		p += hn;
	} else if (c->acc && (code = accession(r, n)) != 0) {
		size_t k = put_acc(acc, code, &an);
		*acc_code = code;
		p += put_head(p, c, an, IDMAP_VC_ACC, ver);
		memcpy(p, acc, k);
		p += k;
	} else if (c->named && (code = name_accession(r, n, &under)) != 0) {
		size_t k = put_acc(acc, code, &an), m = n - under - 1; /* an: long only */
		*acc_code = code;
		p += put_head(p, c, (uint64_t)m << 1 | an, IDMAP_VC_NAME, ver);
		memcpy(p, acc, k);
		memcpy(p + k, r + under + 1, m);
		p += k + m;
	} else if (d >= 3 && d <= 18 && d < n) {
		/* The digit count only when the run has a leading zero: else the number tells it. */
		uint64_t zero = r[n - d] == '0';
		p += put_head(p, c, n - d, IDMAP_VC_NUMTAIL, ver);
		memcpy(p, r, n - d);
		p += n - d;
		p += idmap_varint_put(p, tail << 1 | zero);
		if (zero)
			*p++ = (uint8_t)d;
	} else {
		p += put_head(p, c, n, prefixed ? IDMAP_VC_REST : IDMAP_VC_TEXT, ver);
		memcpy(p, r, n);
		p += n;
	}
	return (size_t)(p - out);
}

size_t idmap_vcode_encode(const idmap_vcode *c, const char *v, size_t len, uint8_t *out)
{
	uint64_t code;
	return idmap_vcode_encode_acc(c, v, len, out, &code);
}

size_t idmap_vcode_encode_acc(const idmap_vcode *c, const char *v, size_t len, uint8_t *out,
			      uint64_t *code)
{
	*code = 0;
	size_t stem = c->versioned ? idmap_version_stem(v, len) : 0, body = stem ? stem : len;
	size_t n;
	if (c->prefix_len && (body < c->prefix_len || memcmp(v, c->prefix, c->prefix_len) != 0)) {
		n = put_head(out, c, body, IDMAP_VC_TEXT, stem != 0);
		memcpy(out + n, v, body);
		n += body;
	} else {
		n = encode_rest(c, v + c->prefix_len, body - c->prefix_len, c->prefix_len != 0,
				stem != 0, out, code);
	}
	if (stem) {
		size_t digits = len - stem - 1;
		n += idmap_varint_put(out + n, number(v + stem + 1, digits) << 2 | (digits - 1));
	}
	return n;
}

/* ---- Decoding ---------------------------------------------------------------------------- */

/* A coded value taken apart: form, n, version flag, payload bounds. */
typedef struct {
	int form, ver;
	uint64_t n;
	const uint8_t *pay, *end; /* payload, and the end of the whole value */
	uint64_t num;		  /* DECIMAL, NUMTAIL: the number; ACC: the isoform */
	uint64_t version;	  /* ver: version << 2 | digits - 1 */
	unsigned digits;	  /* NUMTAIL: digit count */
	unsigned name_at;	  /* NAME: where the mnemonic starts in the payload */
} parsed;

/* Inlined into the decoder, which runs once per value handed out. */
static inline __attribute__((always_inline)) int parse(const idmap_vcode *c, const uint8_t *p,
							const uint8_t *end, parsed *x)
{
	uint64_t h;
	x->num = x->version = 0;
	x->digits = x->name_at = 0;
	if (idmap_varint_get(&p, end, &h))
		return -1;
	x->form = (int)(h & 7);
	x->ver = c->versioned ? (int)(h >> 3 & 1) : 0;
	x->n = c->versioned ? h >> 4 : h >> 3;
	x->pay = p;
	/* n holds a length, shifted in form 6 */
	uint64_t n_len = x->form == IDMAP_VC_NAME ? x->n >> 1 : x->n;
	if (n_len > IDMAP_MAX_VALUE)
		return -1;
	switch (x->form) {
	case IDMAP_VC_TEXT:
	case IDMAP_VC_REST:
		if (x->n > (uint64_t)(end - p))
			return -1;
		p += x->n;
		break;
	case IDMAP_VC_DECIMAL:
		if (x->n < 1 || x->n > 19 || idmap_varint_get(&p, end, &x->num))
			return -1;
		break;
	case IDMAP_VC_HEX: /* n is the digit count - 1 */
		if (x->n > 31 || (x->n + 2) / 2 > (uint64_t)(end - p))
			return -1;
		x->n++;
		p += (x->n + 1) / 2;
		break;
	case IDMAP_VC_ACC:
	case IDMAP_VC_NAME: {
		size_t k = x->n & 1 ? 7 : 4, m = (size_t)(x->n >> 1); /* NAME: the mnemonic */
		if ((x->form == IDMAP_VC_ACC ? x->n > 3 : !c->named) || k > (size_t)(end - p))
			return -1;
		p += k;
		if (x->form == IDMAP_VC_ACC && x->n & 2 &&
		    (idmap_varint_get(&p, end, &x->num) || x->num == 0))
			return -1;
		if (x->form == IDMAP_VC_NAME) {
			if (m > (size_t)(end - p))
				return -1;
			x->name_at = (unsigned)(p - x->pay);
			p += m;
		}
		break;
	}
	case IDMAP_VC_MEMBER: /* n: 0, or for entry names the mnemonic's length */
		if (c->versioned || !(c->acc || c->named) || (c->acc && x->n != 0))
			return -1;
		if (c->named) {
			if (x->n > (uint64_t)(end - p))
				return -1;
			x->name_at = 0;
			p += x->n;
		}
		break;
	case IDMAP_VC_NUMTAIL: /* T, varint (number << 1 | zero), the digit count when zero */
		if (x->n < 1 || x->n >= (uint64_t)(end - p))
			return -1;
		p += x->n;
		if (idmap_varint_get(&p, end, &x->num))
			return -1;
		if (x->num & 1) { /* a leading zero: the count follows */
			if (p >= end)
				return -1;
			x->digits = *p++;
		} else { /* none: the number's own digits */
			x->digits = 1;
			for (uint64_t q = x->num >> 1; q >= 10; q /= 10)
				x->digits++;
		}
		x->num >>= 1;
		if (x->digits < 3 || x->digits > 18)
			return -1;
		break;
	default:
		return -1;
	}
	if (x->ver && idmap_varint_get(&p, end, &x->version))
		return -1;
	x->end = p;
	return 0;
}

size_t idmap_vcode_skip(const idmap_vcode *c, const uint8_t *p, const uint8_t *end)
{
	parsed x;
	return parse(c, p, end, &x) == 0 ? (size_t)(x.end - p) : 0;
}

/* Writes x as exactly `digits` decimal digits at out, two at a time; -1 when it does not
 * fit. */
static int put_digits(char *out, size_t room, uint64_t x, size_t digits)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	if (digits > room)
		return -1;
	size_t i = digits;
	for (; i >= 2; i -= 2, x /= 100)
		memcpy(out + i - 2, pairs + 2 * (x % 100), 2);
	if (i) {
		out[0] = (char)('0' + x % 10);
		x /= 10;
	}
	return x ? -1 : 0;
}

size_t idmap_vcode_decode(const idmap_vcode *c, const uint8_t *p, size_t n, char *out)
{
	parsed x;
	if (parse(c, p, p + n, &x) != 0 || x.form == IDMAP_VC_MEMBER)
		return 0;
	size_t len = 0, room = IDMAP_MAX_VALUE;
	if (x.form != IDMAP_VC_TEXT) {
		memcpy(out, c->prefix, sizeof c->prefix); /* a fixed size: no call */
		len = c->prefix_len;
	}
	switch (x.form) {
	case IDMAP_VC_TEXT:
	case IDMAP_VC_REST:
		if (x.n > room - len)
			return 0;
		memcpy(out + len, x.pay, x.n);
		len += x.n;
		break;
	case IDMAP_VC_DECIMAL:
		if (put_digits(out + len, room - len, x.num, x.n) < 0)
			return 0;
		len += x.n;
		break;
	case IDMAP_VC_HEX:
		if (x.n > room - len || (x.n & 1 && (x.pay[x.n / 2] & 15)))
			return 0;
		for (size_t i = 0; i < x.n; i++) {
			unsigned d = x.pay[i / 2] >> (i & 1 ? 0 : 4) & 15;
			out[len++] = (char)(d < 10 ? '0' + d : 'A' + d - 10);
		}
		break;
	case IDMAP_VC_ACC:
	case IDMAP_VC_NAME: {
		uint64_t b36 = 0;
		int k = x.n & 1 ? 7 : 4;
		for (int i = 0; i < k; i++)
			b36 |= (uint64_t)x.pay[i] << (8 * i);
		char acc[IDMAP_ACC_TEXT_MAX];
		size_t m = x.num > IDMAP_ACC_ISOFORM_MAX || b36 >> 52 ? 0
			   : idmap_acc_decode(b36 << 12 | (x.n & 1) << 11 | x.num, acc);
		if (m == 0 || m > room - len)
			return 0;
		memcpy(out + len, acc, m);
		len += m;
		if (x.form == IDMAP_VC_NAME) {
			size_t t = (size_t)(x.n >> 1);
			if (t + 1 > room - len)
				return 0;
			out[len] = '_';
			memcpy(out + len + 1, x.pay + x.name_at, t);
			len += 1 + t;
		}
		break;
	}
	case IDMAP_VC_NUMTAIL:
		if (x.n > room - len)
			return 0;
		memcpy(out + len, x.pay, x.n);
		len += x.n;
		if (put_digits(out + len, room - len, x.num, x.digits) < 0)
			return 0;
		len += x.digits;
		break;
	}
	if (x.ver) {
		size_t digits = (size_t)(x.version & 3) + 1;
		if (len + 1 > room || put_digits(out + len + 1, room - len - 1, x.version >> 2,
						 digits) < 0)
			return 0;
		out[len] = '.';
		len += 1 + digits;
	}
	if (len == 0)
		return 0;
	out[len] = 0;
	return len;
}

/* ---- Member values (form 7) ------------------------------------------------------------ */

/* The code of a parsed form-3 or form-6 value. */
static uint64_t parsed_code(const parsed *x)
{
	uint64_t b36 = 0;
	int k = x->n & 1 ? 7 : 4;
	for (int i = 0; i < k; i++)
		b36 |= (uint64_t)x->pay[i] << (8 * i);
	return b36 << 12 | (x->n & 1) << 11 | (x->form == IDMAP_VC_ACC ? x->num : 0);
}

uint64_t idmap_vcode_acc(const idmap_vcode *c, const uint8_t *p, size_t n)
{
	parsed x;
	if (parse(c, p, p + n, &x) != 0 || (x.form != IDMAP_VC_ACC && x.form != IDMAP_VC_NAME))
		return 0;
	return parsed_code(&x);
}

size_t idmap_vcode_to_member(const idmap_vcode *c, const uint8_t *p, size_t n, uint8_t *out)
{
	parsed x;
	if (parse(c, p, p + n, &x) != 0 || (x.form != IDMAP_VC_ACC && x.form != IDMAP_VC_NAME))
		return 0;
	if (x.form == IDMAP_VC_ACC)
		return put_head(out, c, 0, IDMAP_VC_MEMBER, 0);
	uint64_t m = x.n >> 1;
	size_t h = put_head(out, c, m, IDMAP_VC_MEMBER, 0);
	memmove(out + h, x.pay + x.name_at, (size_t)m);
	return h + (size_t)m;
}

int idmap_vcode_names(const idmap_vcode *c, const char *v, size_t len, uint64_t code)
{
	if (!(c->acc || c->named) || len <= c->prefix_len)
		return 0;
	/* The builder asks this of every value of these types, and most values of a cluster name
	 * another accession: the accession's length, what follows it and its last character (the
	 * code's last base-36 digit) reject those before the prefix is compared and the code
	 * decoded. */
	static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t r = len - c->prefix_len, base = code >> 11 & 1 ? 10 : 6;
	unsigned iso = idmap_acc_isoform(code);
	const char *t = v + c->prefix_len;
	if (c->named ? iso || r <= base || t[base] != '_'
		     : iso ? r <= base + 1 || t[base] != '-' : r != base)
		return 0;
	if (t[base - 1] != digits[(code >> 12) % 36])
		return 0;
	/* The accession's text (all the rest, or what comes before the `_`) is the code's own
	 * text exactly when it encodes to the code: the encoder takes canonical text only, and
	 * never gives a UPI's code. Cheaper than decoding the code and comparing: that was a
	 * third of the builder's accession lookups (resolve_range). */
	return memcmp(v, c->prefix, c->prefix_len) == 0 &&
	       idmap_acc_encode(t, c->named ? base : r) == code;
}

size_t idmap_vcode_member_text(const idmap_vcode *c, const uint8_t *m, size_t mlen,
			       uint64_t code, char *out)
{
	memcpy(out, c->prefix, sizeof c->prefix); /* a fixed size: no call */
	size_t len = c->prefix_len, a;
	if ((c->named && idmap_acc_isoform(code) != 0) ||
	    (a = idmap_acc_decode(code, out + len)) == 0)
		return 0;
	len += a;
	if (c->named) {
		if (len + 1 + mlen > IDMAP_MAX_VALUE)
			return 0;
		out[len++] = '_';
		memcpy(out + len, m, mlen);
		len += mlen;
	}
	out[len] = 0;
	return len;
}

