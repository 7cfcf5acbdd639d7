/* The entry store: opening, finding records by id, isoforms, statistics. */
#include <ctype.h>
#include <libdeflate.h>
#include <string.h>

#include "accession.h"
#include "entry_internal.h"
#include "index_internal.h"

static const idmap_section_info *find_section(const idmap_index *ix, uint32_t id)
{
	for (uint32_t i = 0; i < ix->n_secs; i++)
		if (ix->secs[i].id == id)
			return &ix->secs[i];
	return NULL;
}

int idmap_entries_open(idmap_index *ix, char *detail, size_t len)
{
	idmap_entry_store *s = &ix->entries;
	const idmap_section_info *info = find_section(ix, IDMAP_SECTION_ENTRY_INFO);
	const idmap_section_info *blocks = find_section(ix, IDMAP_SECTION_ENTRY_BLOCKS);
	const idmap_section_info *data = find_section(ix, IDMAP_SECTION_ENTRY_DATA);
	const idmap_section_info *recs = find_section(ix, IDMAP_SECTION_ENTRY_RECORDS);
	const idmap_section_info *hash = find_section(ix, IDMAP_SECTION_ENTRY_HASH);
	memset(s, 0, sizeof *s);
	if (!info && !blocks && !data && !recs && !hash)
		return IDMAP_OK;
	if (!info || !blocks || !data || !recs || !hash || info->length != IDMAP_ENTRY_INFO_SIZE)
		return idmap_detail_set(detail, len, IDMAP_ERR_CORRUPT,
					"entry store: a section missing or ENTRY_INFO's length");
	const uint8_t *p = ix->map + info->offset;
	if (libdeflate_crc32(0, p, info->length) != info->crc)
		return idmap_detail_set(detail, len, IDMAP_ERR_CORRUPT, "ENTRY_INFO: bad CRC");
	uint32_t version = idmap_rd32(p + IDMAP_EI_VERSION);
	if (version != IDMAP_ENTRY_STORE_VERSION)
		return idmap_detail_set(detail, len, IDMAP_ERR_VERSION,
					"ENTRY_INFO: entry store version %u is not supported by "
					"this idmap (version %u): rebuild the index with `idmap "
					"build`",
					version, IDMAP_ENTRY_STORE_VERSION);
	for (size_t i = IDMAP_EI_RESERVED; i < IDMAP_ENTRY_INFO_SIZE; i++)
		if (p[i])
			return idmap_detail_set(detail, len, IDMAP_ERR_CORRUPT,
						"ENTRY_INFO: reserved bytes set");
	uint32_t rec_size = idmap_rd32(p + IDMAP_EI_RECORD_SIZE);
	uint64_t nb = idmap_rd64(p + IDMAP_EI_BLOCKS), nr = idmap_rd64(p + IDMAP_EI_RECORDS);
	uint64_t homes = idmap_rd64(p + IDMAP_EI_HOMES);
	uint64_t slots = hash->length / 4;
	/* fields appended to the records later are stepped over (rec_size) */
	if (rec_size < IDMAP_ENTRY_RECORD_SIZE || rec_size > 4096 || nb > UINT32_MAX ||
	    blocks->length / IDMAP_ENTRY_BLOCK_SIZE != nb ||
	    blocks->length % IDMAP_ENTRY_BLOCK_SIZE || recs->length / rec_size != nr ||
	    recs->length % rec_size || nr >= UINT32_MAX || homes != idmap_entry_homes(nr) ||
	    hash->length % 4 || slots < homes || slots - homes > nr)
		return idmap_detail_set(detail, len, IDMAP_ERR_CORRUPT,
					"ENTRY_INFO: counts or sizes disagree with the sections");
	s->info = p;
	s->blocks = ix->map + blocks->offset;
	s->data = ix->map + data->offset;
	s->recs = ix->map + recs->offset;
	s->hash = ix->map + hash->offset;
	s->n_slots = slots;
	s->n_homes = homes;
	s->n_blocks = nb;
	s->n_recs = nr;
	s->data_len = data->length;
	s->rec_size = rec_size;
	s->store_bytes = info->length + blocks->length + data->length + recs->length + hash->length;
	return IDMAP_OK;
}

IDMAP_API const char *idmap_entry_kind_name(int kind)
{
	static const char *const names[] = {NULL,	 "Swiss-Prot", "TrEMBL",  "isoform",
					    "UniRef100", "UniRef90",   "UniRef50", "UniParc"};
	return kind >= 1 && kind <= IDMAP_ENTRY_KIND_COUNT ? names[kind] : NULL;
}

IDMAP_API int idmap_entry_stats_get(const idmap_index *ix, idmap_entry_stats *st)
{
	if (!ix || !st)
		return IDMAP_ERR_INVALID;
	memset(st, 0, sizeof *st);
	const idmap_entry_store *s = &ix->entries;
	if (!s->info)
		return IDMAP_ERR_NOT_FOUND;
	st->records = s->n_recs;
	st->blocks = s->n_blocks;
	st->block_size = idmap_rd32(s->info + IDMAP_EI_BLOCK_TARGET);
	st->text_bytes = idmap_rd64(s->info + IDMAP_EI_TEXT_BYTES);
	st->store_bytes = s->store_bytes;
	for (int k = 0; k < IDMAP_ENTRY_KIND_COUNT; k++)
		st->kinds[k] = idmap_rd64(s->info + IDMAP_EI_KINDS + 8 * k);
	return IDMAP_OK;
}

/* Fills e from record i. */
static int fill(const idmap_entry_store *s, uint64_t i, idmap_entry *e)
{
	const uint8_t *r = idmap_entry_rec(s, i);
	uint8_t space = r[IDMAP_ER_SPACE], flags = r[IDMAP_ER_FLAGS];
	uint64_t code = idmap_rd64(r + IDMAP_ER_CODE);
	memset(e, 0, sizeof *e);
	if (!idmap_entry_key_text(space, code, e->id))
		return IDMAP_ERR_CORRUPT;
	e->record = i;
	e->kind = idmap_entry_rec_kind(r);
	e->reviewed = (flags & IDMAP_EF_REVIEWED) != 0;
	e->fragment = (flags & IDMAP_EF_FRAGMENT) != 0;
	e->pe = (flags >> IDMAP_EF_PE_SHIFT) & IDMAP_EF_PE_MASK;
	e->taxid = idmap_rd32(r + IDMAP_ER_TAXID);
	if (space == IDMAP_ES_UNIPROTKB)
		e->sv = (int)idmap_rd32(r + IDMAP_ER_NUMBER);
	else
		e->members = idmap_rd32(r + IDMAP_ER_NUMBER);
	e->length = idmap_rd32(r + IDMAP_ER_SEQ_LEN);
	return IDMAP_OK;
}

/* The record of a key through ENTRY_HASH: probing from its home slot to the first empty one.
 * The record's index, UINT64_MAX when absent, or UINT64_MAX - 1 for a slot naming no record. */
static uint64_t search(const idmap_entry_store *s, uint8_t space, uint64_t code)
{
	for (uint64_t pos = idmap_entry_home(space, code, s->n_homes); pos < s->n_slots; pos++) {
		uint32_t v = idmap_rd32(s->hash + 4 * pos);
		if (v == 0)
			break;
		if (v - 1 >= s->n_recs)
			return UINT64_MAX - 1;
		const uint8_t *r = idmap_entry_rec(s, v - 1);
		if (r[IDMAP_ER_SPACE] == space && idmap_rd64(r + IDMAP_ER_CODE) == code)
			return v - 1;
	}
	return UINT64_MAX;
}

IDMAP_API int idmap_entry_find(const idmap_index *ix, const char *id, size_t len, idmap_entry *e)
{
	if (!ix || !id || !e)
		return IDMAP_ERR_INVALID;
	char u[32];
	if (len == 0 || len >= sizeof u)
		return IDMAP_ERR_INVALID;
	for (size_t i = 0; i < len; i++)
		u[i] = (char)toupper((unsigned char)id[i]);
	if (len > 6 && memcmp(u, "UNIREF", 6) == 0)
		memcpy(u, "UniRef", 6);
	uint8_t space;
	uint64_t code;
	if (idmap_entry_key(u, len, &space, &code) < 0)
		return IDMAP_ERR_INVALID;
	const idmap_entry_store *s = &ix->entries;
	if (!s->info)
		return IDMAP_ERR_NOT_FOUND;
	uint64_t i = search(s, space, code);
	if (i == UINT64_MAX && space == IDMAP_ES_UNIPROTKB && idmap_acc_isoform(code) == 1)
		i = search(s, space, idmap_acc_canonical(code));
	if (i == UINT64_MAX - 1)
		return IDMAP_ERR_CORRUPT;
	if (i == UINT64_MAX)
		return IDMAP_ERR_NOT_FOUND;
	return fill(s, i, e);
}

IDMAP_API int idmap_entry_get(const idmap_index *ix, uint64_t i, idmap_entry *e)
{
	if (!ix || !e)
		return IDMAP_ERR_INVALID;
	if (!ix->entries.info || i >= ix->entries.n_recs)
		return IDMAP_ERR_NOT_FOUND;
	return fill(&ix->entries, i, e);
}

IDMAP_API int idmap_entry_next_isoform(const idmap_index *ix, const idmap_entry *e,
				       idmap_entry *next)
{
	if (!ix || !e || !next || !ix->entries.info || e->record >= ix->entries.n_recs)
		return IDMAP_ERR_INVALID;
	const idmap_entry_store *s = &ix->entries;
	const uint8_t *r = idmap_entry_rec(s, e->record);
	if (r[IDMAP_ER_SPACE] != IDMAP_ES_UNIPROTKB)
		return IDMAP_ERR_INVALID;
	uint64_t base = idmap_acc_canonical(idmap_rd64(r + IDMAP_ER_CODE));
	if (e->record + 1 >= s->n_recs)
		return IDMAP_DONE;
	const uint8_t *n = idmap_entry_rec(s, e->record + 1);
	if (n[IDMAP_ER_SPACE] != IDMAP_ES_UNIPROTKB ||
	    idmap_acc_canonical(idmap_rd64(n + IDMAP_ER_CODE)) != base)
		return IDMAP_DONE;
	return fill(s, e->record + 1, next);
}
