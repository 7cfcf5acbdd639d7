/* UniProt's job ids, computed as the rest-api computes them (HashGenerator,
 * IdMappingJobRequestToArrayConverter, HashUtils): PBKDF2-HMAC-SHA1 (16 iterations, 160 bits,
 * salt "UNIPROT_IDMAPPING_SALT") of the text lower(strip(from)) lower(strip(to)) then the ids
 * lower-cased, stripped and joined with ',' then lower(strip(taxId)) when taxId is not empty;
 * the hash as a base-62 number, its first 10 digits. The same request gives UniProt's id.
 * Lower-casing is ASCII only (Java also lowers other letters: an id with upper-case non-ASCII
 * letters gets another id than UniProt's). The ids text of a big job is long: HMAC hashes a
 * key longer than 64 bytes first, so it is streamed once through SHA-1. */
#include <string.h>

#include "server.h"

#define SALT "UNIPROT_IDMAPPING_SALT"
#define ITERATIONS 16

typedef struct {
	uint32_t h[5];
	uint64_t len; /* bytes fed */
	unsigned char blk[64];
} sha1_ctx;

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(sha1_ctx *c, const unsigned char *p)
{
	uint32_t w[80];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20)
			f = (b & cc) | (~b & d), k = 0x5A827999;
		else if (i < 40)
			f = b ^ cc ^ d, k = 0x6ED9EBA1;
		else if (i < 60)
			f = (b & cc) | (b & d) | (cc & d), k = 0x8F1BBCDC;
		else
			f = b ^ cc ^ d, k = 0xCA62C1D6;
		uint32_t t = rol(a, 5) + f + e + k + w[i];
		e = d, d = cc, cc = rol(b, 30), b = a, a = t;
	}
	c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
}

static void sha1_init(sha1_ctx *c)
{
	static const uint32_t iv[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476,
				       0xC3D2E1F0};
	memcpy(c->h, iv, sizeof iv);
	c->len = 0;
}

static void sha1_put(sha1_ctx *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	while (n) {
		size_t at = c->len % 64, k = 64 - at < n ? 64 - at : n;
		memcpy(c->blk + at, p, k);
		c->len += k, p += k, n -= k;
		if (c->len % 64 == 0)
			sha1_block(c, c->blk);
	}
}

static void sha1_end(sha1_ctx *c, unsigned char out[20])
{
	uint64_t bits = c->len * 8;
	unsigned char pad[72] = {0x80};
	size_t n = (c->len % 64 < 56 ? 56 : 120) - c->len % 64;
	for (int i = 0; i < 8; i++)
		pad[n + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_put(c, pad, n + 8);
	for (int i = 0; i < 20; i++)
		out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* HMAC-SHA1 with a key of at most 64 bytes (zero-padded in key[64]). */
static void hmac(const unsigned char key[64], const void *msg, size_t n, unsigned char out[20])
{
	unsigned char pad[64];
	sha1_ctx c;
	for (int i = 0; i < 64; i++)
		pad[i] = key[i] ^ 0x36;
	sha1_init(&c);
	sha1_put(&c, pad, 64);
	sha1_put(&c, msg, n);
	sha1_end(&c, out);
	for (int i = 0; i < 64; i++)
		pad[i] = key[i] ^ 0x5c;
	sha1_init(&c);
	sha1_put(&c, pad, 64);
	sha1_put(&c, out, 20);
	sha1_end(&c, out);
}

void srv_jobid_init(srv_jobid *j)
{
	sha1_ctx *c = (sha1_ctx *)j->sha;
	_Static_assert(sizeof j->sha >= sizeof(sha1_ctx), "srv_jobid.sha too small");
	sha1_init(c);
	j->comma = 0;
}

/* Java's Character.isWhitespace on ASCII: what String.strip() removes */
int srv_java_space(int c) { return c == ' ' || (c >= 9 && c <= 13) || (c >= 28 && c <= 31); }

static void put_lower(srv_jobid *j, const char *s, size_t n)
{
	char tmp[256];
	while (n) {
		size_t k = n < sizeof tmp ? n : sizeof tmp;
		for (size_t i = 0; i < k; i++)
			tmp[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
		sha1_put((sha1_ctx *)j->sha, tmp, k);
		s += k, n -= k;
	}
}

void srv_jobid_field(srv_jobid *j, const char *s)
{
	size_t n = strlen(s);
	while (n && srv_java_space((unsigned char)*s))
		s++, n--;
	while (n && srv_java_space((unsigned char)s[n - 1]))
		n--;
	put_lower(j, s, n);
}

void srv_jobid_id(srv_jobid *j, const char *s, size_t n)
{
	if (j->comma)
		sha1_put((sha1_ctx *)j->sha, ",", 1);
	j->comma = 1;
	put_lower(j, s, n);
}

void srv_jobid_raw(srv_jobid *j, const char *s, size_t n) { sha1_put((sha1_ctx *)j->sha, s, n); }

void srv_jobid_end(srv_jobid *j, char out[SRV_JOB_ID_LEN + 1])
{
	sha1_ctx *c = (sha1_ctx *)j->sha;
	unsigned char key[64] = {0}, u[20], t[20];
	unsigned char msg[sizeof SALT - 1 + 4];
	/* the key: the text itself when it fits a block, else its SHA-1 (RFC 2104); the text
	 * is still in the block buffer when it is no longer than one block */
	if (c->len <= 64)
		memcpy(key, c->blk, (size_t)c->len);
	else
		sha1_end(c, key);
	memcpy(msg, SALT, sizeof SALT - 1);
	memcpy(msg + sizeof SALT - 1, "\0\0\0\1", 4); /* block 1: 160 bits are one block */
	hmac(key, msg, sizeof msg, u);
	memcpy(t, u, 20);
	for (int i = 1; i < ITERATIONS; i++) {
		hmac(key, u, 20, u);
		for (int k = 0; k < 20; k++)
			t[k] ^= u[k];
	}
	/* base 62, most significant digit first (HashUtils.toBase62), the first 10 digits */
	static const char digits[] =
		"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char rev[32];
	size_t nd = 0;
	for (int nonzero = 1; nonzero;) {
		unsigned rem = 0;
		nonzero = 0;
		for (int k = 0; k < 20; k++) {
			unsigned v = rem * 256 + t[k];
			t[k] = (unsigned char)(v / 62);
			rem = v % 62;
			nonzero |= t[k];
		}
		rev[nd++] = digits[rem];
	}
	size_t n = nd < SRV_JOB_ID_LEN ? nd : SRV_JOB_ID_LEN;
	for (size_t i = 0; i < n; i++)
		out[i] = rev[nd - 1 - i];
	out[n] = 0;
}
