/* idmapping_selected.tab: one accession per line, 22 columns, multi-values joined by "; ". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idmap_format.h"
#include "idmap_vec.h"
#include "parse.h"

/* ID_type of each column (column 1 is the accession itself). */
#define T(name) {name, sizeof name - 1}
static const struct {
	const char *name;
	size_t len;
} column_type[IDMAP_SELECTED_COLUMNS] = {
	{NULL, 0}, T("UniProtKB-ID"), T("GeneID"), T("RefSeq"), T("GI"), T("PDB"), T("GO"),
	T("UniRef100"), T("UniRef90"), T("UniRef50"), T("UniParc"), T("PIR"), T("NCBI_TaxID"),
	T("MIM"), T("UniGene"), T("PubMed"), T("EMBL"), T("EMBL-CDS"), T("Ensembl"),
	T("Ensembl_TRS"), T("Ensembl_PRO"), T("Additional_PubMed"),
};
#undef T

/* Column 6 carries PDB ids with chain suffixes ("2BQ0:A"); idmapping.dat has the bare id. */
#define PDB_COLUMN 5

static int bad_item(idmap_parser *p, int col, const char *s, size_t len)
{
	char what[64];
	snprintf(what, sizeof what, "column %d, %s", col + 1, column_type[col].name);
	return idmap_parse_check_value(p, s, len, what);
}

/* Whether the PDB id s[0, len) was already emitted from the current cell. */
static int pdb_seen(idmap_parser *p, size_t n_seen, const char *line, const char *s, size_t len)
{
	for (size_t i = n_seen; i-- > 0;) {
		if (p->pdb_seen[2 * i + 1] == len && memcmp(line + p->pdb_seen[2 * i], s, len) == 0)
			return 1;
	}
	return 0;
}

static int emit_pdb(idmap_parser *p, uint64_t code, const char *line, const char *cell,
		    size_t cell_len)
{
	const char *end = cell + cell_len, *a = cell;
	size_t n_seen = 0;
	for (;;) {
		const char *q = memchr(a, ';', (size_t)(end - a));
		while (q && (q + 1 >= end || q[1] != ' '))
			q = memchr(q + 1, ';', (size_t)(end - q - 1));
		const char *item_end = q ? q : end;
		const char *colon = memchr(a, ':', (size_t)(item_end - a));
		size_t id_len = (size_t)((colon ? colon : item_end) - a);
		if (id_len == 0 || id_len > IDMAP_MAX_VALUE)
			return bad_item(p, PDB_COLUMN, a, id_len);
		if (!pdb_seen(p, n_seen, line, a, id_len)) {
			/* Grows rarely and is kept across lines: no allocation per line. An
			 * element is an (offset, length) pair. */
			if (idmap_vec_reserve(&p->pdb_seen, &p->pdb_cap, n_seen + 1,
					      2 * sizeof *p->pdb_seen) < 0)
				return idmap_parse_fail(p, "out of memory");
			p->pdb_seen[2 * n_seen] = (size_t)(a - line);
			p->pdb_seen[2 * n_seen + 1] = id_len;
			n_seen++;
			if (idmap_parse_emit(p, code, "PDB", 3, a, id_len) < 0)
				return -1;
		}
		if (!q)
			return 0;
		a = q + 2;
	}
}

static int emit_cell(idmap_parser *p, uint64_t code, int col, const char *cell, size_t cell_len)
{
	const char *type = column_type[col].name;
	size_t type_len = column_type[col].len;
	const char *end = cell + cell_len, *a = cell;
	for (;;) {
		const char *q = memchr(a, ';', (size_t)(end - a));
		while (q && (q + 1 >= end || q[1] != ' '))
			q = memchr(q + 1, ';', (size_t)(end - q - 1));
		size_t item_len = (size_t)((q ? q : end) - a);
		if (item_len == 0 || item_len > IDMAP_MAX_VALUE)
			return bad_item(p, col, a, item_len);
		if (idmap_parse_emit(p, code, type, type_len, a, item_len) < 0)
			return -1;
		if (!q)
			return 0;
		a = q + 2;
	}
}

int idmap_parse_selected_line(idmap_parser *p, const char *line, size_t len)
{
	const char *cell[IDMAP_SELECTED_COLUMNS];
	size_t cell_len[IDMAP_SELECTED_COLUMNS];
	const char *end = line + len, *a = line;
	int ncol = 0;
	if (idmap_parse_check_nul(p, line, len) < 0)
		return -1;
	for (;;) {
		const char *t = memchr(a, '\t', (size_t)(end - a));
		if (ncol < IDMAP_SELECTED_COLUMNS) {
			cell[ncol] = a;
			cell_len[ncol] = (size_t)((t ? t : end) - a);
		}
		ncol++;
		if (!t)
			break;
		a = t + 1;
	}
	if (ncol != IDMAP_SELECTED_COLUMNS)
		return idmap_parse_fail(p, "wrong column count: found %d, expected %d "
					"(idmapping_selected.tab)", ncol, IDMAP_SELECTED_COLUMNS);
	if (cell_len[0] == 0)
		return idmap_parse_fail(p, "empty accession");
	uint64_t code;
	if (idmap_parse_acc(p, cell[0], cell_len[0], "accession", &code) < 0)
		return -1;
	p->info->lines++;
	for (int col = 1; col < IDMAP_SELECTED_COLUMNS; col++) {
		if (cell_len[col] == 0)
			continue;
		int rc = col == PDB_COLUMN ? emit_pdb(p, code, line, cell[col], cell_len[col])
					   : emit_cell(p, code, col, cell[col], cell_len[col]);
		if (rc < 0)
			return -1;
	}
	return 0;
}
