/* UniProtKB accessions as 64-bit codes (FORMAT.md, "Encoded accessions"). */
#ifndef IDMAP_ACCESSION_H
#define IDMAP_ACCESSION_H

#include <stddef.h>
#include <stdint.h>

/* Longest accession text: 10 characters, '-', 4 digits, NUL (a UPI takes 13 and its NUL). */
#define IDMAP_ACC_TEXT_MAX 16
#define IDMAP_ACC_ISOFORM_MAX 2047u
#define IDMAP_ACC_ISOFORM_MASK 0x7FFull

/* Returns the code of the accession s[0, len) (optionally with an isoform suffix -N), or 0
 * when the text is not an accession. Upper case only: callers normalise case first. Only
 * canonical text is taken (no leading zero in N), so a code decodes to exactly the text it
 * was encoded from. */
uint64_t idmap_acc_encode(const char *s, size_t len);

/* Writes the accession text of code into out, NUL-terminated; returns its length, or 0 (and
 * an empty string) when code is not a valid code. */
size_t idmap_acc_decode(uint64_t code, char out[IDMAP_ACC_TEXT_MAX]);

/* The code of the canonical accession (isoform suffix removed). */
static inline uint64_t idmap_acc_canonical(uint64_t code) { return code & ~IDMAP_ACC_ISOFORM_MASK; }

/* The isoform number, 0 for a canonical accession. */
static inline unsigned idmap_acc_isoform(uint64_t code) { return (unsigned)(code & IDMAP_ACC_ISOFORM_MASK); }

/* UniParc UPIs ("UPI" + 10 upper-case hex digits, value n < 2^40) share the accession space
 * with a code no accession has: (36^6 + n) << 12, above every 6-character accession code
 * (base36 < 36^6) and with the long bit and isoform 0. Only the UniParc XML parser makes
 * them: idmap_acc_encode never returns one. idmap_acc_decode writes them as "UPI%010llX". */
#define IDMAP_UPI_BASE 2176782336ull /* 36^6 */
#define IDMAP_UPI_MAX ((1ull << 40) - 1)
#define IDMAP_UPI_TEXT_LEN 13

static inline uint64_t idmap_upi_code(uint64_t n) { return (IDMAP_UPI_BASE + n) << 12; }

static inline int idmap_code_is_upi(uint64_t code)
{
	return (code & 0xFFFull) == 0 && (code >> 12) >= IDMAP_UPI_BASE &&
	       (code >> 12) - IDMAP_UPI_BASE <= IDMAP_UPI_MAX;
}

/* The UPI number n of a code for which idmap_code_is_upi holds. */
static inline uint64_t idmap_code_upi(uint64_t code) { return (code >> 12) - IDMAP_UPI_BASE; }

/* The code of the UPI text s[0, len) ("UPI" and exactly 10 hex digits, upper case), or 0. */
uint64_t idmap_upi_encode(const char *s, size_t len);

#endif
