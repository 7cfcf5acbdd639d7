/* Escaping untrusted bytes (ids, request lines) for the two places they are shown: inside a
 * JSON string, and on a line of text for people (a terminal, a log). Both walk the text as
 * UTF-8 so that a strict JSON parser accepts every document and no terminal control sequence
 * (ESC, BEL, OSC, C1 CSI) gets through. Pure functions: no allocation. */
#include <string.h>

#include "idmap.h"

/* Length of the well-formed UTF-8 sequence at s[0, n) (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF); 0 when the bytes there are not one. s[0] >= 0x80. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		lo = c == 0xE0 ? 0xA0 : lo; /* overlong */
		hi = c == 0xED ? 0x9F : hi; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		lo = c == 0xF0 ? 0x90 : lo; /* overlong */
		hi = c == 0xF4 ? 0x8F : hi; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

static void hex_escape(char *esc, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		esc[4 * i] = '\\';
		esc[4 * i + 1] = 'x';
		esc[4 * i + 2] = hex[s[i] >> 4];
		esc[4 * i + 3] = hex[s[i] & 15];
	}
	esc[4 * n] = 0;
}

IDMAP_API size_t idmap_escape_span(const char *text, size_t n, int mode,
				   char esc[IDMAP_ESC_MAX], size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)text;
	int json = mode == IDMAP_ESC_JSON;
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c >= 0x20 && c < 0x7F) {
			if (!json || (c != '"' && c != '\\'))
				continue;
			esc[0] = '\\';
			esc[1] = (char)c;
			esc[2] = 0;
			*used = 1;
			return i;
		}
		if (c >= 0x80) {
			size_t k = utf8_seq(s + i, n - i);
			int c1 = c == 0xC2 && k && s[i + 1] < 0xA0; /* U+0080..U+009F */
			if (k && !(c1 && !json)) {
				i += k - 1;
				continue;
			}
			if (json)
				memcpy(esc, "\\ufffd", 7);
			else
				hex_escape(esc, s + i, c1 ? 2 : 1);
			*used = c1 ? 2 : 1;
			return i;
		}
		if (c == 0x7F && json)
			continue; /* DEL is a valid JSON character */
		if (json) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			esc[6] = 0;
		} else {
			hex_escape(esc, s + i, 1);
		}
		*used = 1;
		return i;
	}
	esc[0] = 0;
	*used = 0;
	return n;
}

IDMAP_API int idmap_escape_write(const char *s, size_t n, int mode, idmap_write_fn write,
				 void *ctx)
{
	char esc[IDMAP_ESC_MAX];
	size_t used;
	for (;;) {
		size_t k = idmap_escape_span(s, n, mode, esc, &used);
		if (k && write(ctx, s, k) != 0)
			return IDMAP_STOPPED;
		if (k == n)
			return IDMAP_OK;
		if (write(ctx, esc, strlen(esc)) != 0)
			return IDMAP_STOPPED;
		s += k + used;
		n -= k + used;
	}
}
