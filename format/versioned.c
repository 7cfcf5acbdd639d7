/* Versioned ID_types (FORMAT.md, "Versioned values"). Only these get unversioned aliases: a
 * dot and digits at the end of other values are part of the id (MEROPS family S01.232,
 * Ensembl Genomes transcript AT1G01010.1), and their prefix is not an id of the type. */
#include <stdint.h>
#include <string.h>

#include "versioned.h"

/* Sequence databases whose ids are versioned in idmapping.dat: RefSeq protein and nucleotide,
 * the EMBL protein ids (EMBL-CDS; EMBL nucleotide ids come without), Ensembl gene, transcript
 * and protein (versioned in newer releases), CCDS. */
static const char *const versioned_types[] = {
	"RefSeq", "RefSeq_NT", "EMBL-CDS", "Ensembl", "Ensembl_TRS", "Ensembl_PRO", "CCDS",
};

int idmap_type_versioned(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof versioned_types / sizeof versioned_types[0]; i++)
		if (strlen(versioned_types[i]) == len && memcmp(versioned_types[i], name, len) == 0)
			return 1;
	return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* The bytes of a stem's middle, [A-Za-z0-9_]: one look-up a character (the builder codes
 * every versioned value, and a lookup every versioned query). */
static const uint8_t stem_byte[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1, ['_'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
	['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
	['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
	['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
	['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

size_t idmap_version_stem(const char *v, size_t len)
{
	size_t d = len;
	while (d > 0 && is_digit(v[d - 1]))
		d--;
	size_t digits = len - d;
	if (digits < 1 || digits > 4 || d < 3 || v[d - 1] != '.')
		return 0;
	size_t stem = d - 1; /* [A-Za-z][A-Za-z0-9_]*[0-9] */
	if (!is_alpha(v[0]) || !is_digit(v[stem - 1]))
		return 0;
	unsigned ok = 1;
	for (size_t i = 1; i < stem; i++)
		ok &= stem_byte[(uint8_t)v[i]];
	return ok ? stem : 0;
}
