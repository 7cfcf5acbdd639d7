/* The checksums of UniProt's sequence object (uniprot-core SequenceImpl): crc64 (uniprot-core
 * Crc64.getCrc64, the SWISS-PROT CRC-64: ISO polynomial x^64 + x^4 + x^3 + x + 1, reflected,
 * initial value 0, no final xor) and md5 (MessageDigestUtil.getMD5, RFC 1321), both as
 * upper-case hex. Written here from the specifications: the engine has no crypto library. */
#include <pthread.h>
#include <string.h>

#include "fields_entry.h"

static const char hex[] = "0123456789ABCDEF";

static uint64_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint64_t k = i;
		for (int b = 0; b < 8; b++)
			k = (k & 1) ? (k >> 1) ^ 0xd800000000000000ull : k >> 1;
		table[i] = k;
	}
}

void idmap_fe_crc64(const uint8_t *seq, size_t n, char out[17])
{
	pthread_once(&table_once, make_table);
	uint64_t crc = 0;
	for (size_t i = 0; i < n; i++)
		crc = (crc >> 8) ^ table[(crc ^ seq[i]) & 0xff];
	for (int i = 15; i >= 0; i--, crc >>= 4)
		out[i] = hex[crc & 15];
	out[16] = 0;
}

/* ---- MD5 (RFC 1321) --------------------------------------------------------------------- */

static uint32_t rotl(uint32_t x, unsigned c) { return (x << c) | (x >> (32 - c)); }

/* One 64-byte block into the state h. */
static void md5_block(uint32_t h[4], const uint8_t *p)
{
	/* per-round shifts, and the sine table K[i] = floor(2^32 * |sin(i + 1)|) */
	static const uint8_t s[16] = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};
	static const uint32_t k[64] = {
		0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
		0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
		0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
		0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
		0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
		0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
		0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
		0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
		0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
		0xeb86d391};
	uint32_t m[16];
	for (int i = 0; i < 16; i++)
		m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		       (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
	for (unsigned i = 0; i < 64; i++) {
		uint32_t f;
		unsigned g;
		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) & 15;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) & 15;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) & 15;
		}
		uint32_t t = d;
		d = c;
		c = b;
		b += rotl(a + f + k[i] + m[g], s[(i >> 4) * 4 + (i & 3)]);
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

void idmap_fe_md5(const uint8_t *seq, size_t n, char out[33])
{
	uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
	size_t i = 0;
	for (; n - i >= 64; i += 64)
		md5_block(h, seq + i);
	/* the tail, a 1 bit, zeros, and the length in bits (little-endian): one or two blocks */
	uint8_t last[128] = {0};
	size_t rest = n - i, total = rest < 56 ? 64 : 128;
	memcpy(last, seq + i, rest);
	last[rest] = 0x80;
	uint64_t bits = (uint64_t)n * 8;
	for (int b = 0; b < 8; b++)
		last[total - 8 + b] = (uint8_t)(bits >> (8 * b));
	for (size_t b = 0; b < total; b += 64)
		md5_block(h, last + b);
	for (int w = 0; w < 4; w++)
		for (int b = 0; b < 4; b++) {
			uint8_t v = (uint8_t)(h[w] >> (8 * b));
			out[8 * w + 2 * b] = hex[v >> 4];
			out[8 * w + 2 * b + 1] = hex[v & 15];
		}
	out[32] = 0;
}
