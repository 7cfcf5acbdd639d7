/* Versioned ID_types (FORMAT.md, "Versioned values"). Only these get unversioned aliases: a
 * dot and digits at the end of other values are part of the id (MEROPS family S01.232,
 * Ensembl Genomes transcript AT1G01010.1), and their prefix is not an id of the type. */
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
	for (size_t i = 1; i < stem; i++)
		if (!is_alpha(v[i]) && !is_digit(v[i]) && v[i] != '_')
			return 0;
	return stem;
}
