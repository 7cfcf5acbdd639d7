/* inflate_loop: zlib streaming inflate of a gzip file to nowhere, 1 MiB buffers.
 *
 * The decompression limit of a zlib-based reader, with no parsing at all: what "our own
 * inflate loop alone" costs on this machine. Handles multi-member gzip files.
 * Prints "<compressed bytes> <uncompressed bytes>" on stdout. Part of the bench/ harness. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BUF (1u << 20)

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: inflate_loop FILE.gz\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "inflate_loop: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	unsigned char *in = malloc(BUF), *out = malloc(BUF);
	if (!in || !out) {
		fprintf(stderr, "inflate_loop: out of memory\n");
		return 1;
	}
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		fprintf(stderr, "inflate_loop: inflateInit2 failed\n");
		return 1;
	}
	uint64_t total_in = 0, total_out = 0;
	int rc = Z_OK, at_member_start = 1;
	for (;;) {
		if (z.avail_in == 0) {
			size_t n = fread(in, 1, BUF, f);
			if (n == 0)
				break;
			total_in += n;
			z.next_in = in;
			z.avail_in = (uInt)n;
		}
		z.next_out = out;
		z.avail_out = BUF;
		rc = inflate(&z, Z_NO_FLUSH);
		at_member_start = 0;
		total_out += BUF - z.avail_out;
		if (rc == Z_STREAM_END) {
			/* another gzip member may follow */
			if (inflateReset(&z) != Z_OK)
				break;
			at_member_start = 1;
			rc = Z_OK;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			fprintf(stderr, "inflate_loop: %s: inflate error %d (%s)\n", argv[1], rc,
				z.msg ? z.msg : "?");
			return 1;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "inflate_loop: %s: read error\n", argv[1]);
		return 1;
	}
	if (!at_member_start) {
		fprintf(stderr, "inflate_loop: %s: truncated gzip stream\n", argv[1]);
		return 1;
	}
	inflateEnd(&z);
	fclose(f);
	free(in);
	free(out);
	printf("%llu %llu\n", (unsigned long long)total_in, (unsigned long long)total_out);
	return 0;
}
