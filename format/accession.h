/* UniProtKB accessions as 64-bit codes (FORMAT.md, "Encoded accessions"). */
#ifndef IDMAP_ACCESSION_H
#define IDMAP_ACCESSION_H

#include <stddef.h>
#include <stdint.h>

/* Longest accession text: 10 characters, '-', 4 digits, NUL. */
#define IDMAP_ACC_TEXT_MAX 16
#define IDMAP_ACC_ISOFORM_MAX 2047u
#define IDMAP_ACC_ISOFORM_MASK 0x7FFull

/* Returns the code of the accession s[0, len) (optionally with an isoform suffix -N), or 0
 * when the text is not an accession. Upper case only: callers normalise case first. */
uint64_t idmap_acc_encode(const char *s, size_t len);

/* Writes the accession text of code into out, NUL-terminated; returns its length, or 0 (and
 * an empty string) when code is not a valid code. */
size_t idmap_acc_decode(uint64_t code, char out[IDMAP_ACC_TEXT_MAX]);

/* The code of the canonical accession (isoform suffix removed). */
static inline uint64_t idmap_acc_canonical(uint64_t code) { return code & ~IDMAP_ACC_ISOFORM_MASK; }

/* The isoform number, 0 for a canonical accession. */
static inline unsigned idmap_acc_isoform(uint64_t code) { return (unsigned)(code & IDMAP_ACC_ISOFORM_MASK); }

#endif
