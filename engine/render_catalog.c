/* The catalogue as UniProt's /configure/idmapping/fields JSON (groups, items, rules) or as a
 * TSV table (name, file type, from, to, rule, ids). */
#include <stdlib.h>
#include <string.h>

#include "semantics.h"

static void tsv_row(idmap_obuf *o, const idmap_db_info *e)
{
	idmap_obuf_s(o, e->name);
	idmap_obuf_c(o, '\t');
	if (e->kind == IDMAP_DB_KIND_ACCESSION)
		idmap_obuf_s(o, "(accession), UniProtKB-ID");
	else if (e->kind != IDMAP_DB_KIND_TYPE)
		idmap_obuf_s(o, "(accession)");
	else
		idmap_obuf_s(o, e->file_type);
	idmap_obuf_s(o, e->flags & IDMAP_DB_FROM ? (e->flags & IDMAP_DB_ONE_TO_MANY ? "\toptional"
									   : "\tyes")
					 : "\tno");
	idmap_obuf_s(o, e->flags & IDMAP_DB_TO ? "\tyes\t" : "\tno\t");
	if (e->rule)
		idmap_obuf_u64(o, (uint64_t)e->rule);
	else
		idmap_obuf_c(o, '-');
	idmap_obuf_c(o, '\t');
	if (e->ids == UINT64_MAX)
		idmap_obuf_c(o, '-');
	else
		idmap_obuf_u64(o, e->ids);
	idmap_obuf_c(o, '\t');
	idmap_obuf_s(o, e->flags & IDMAP_DB_ONE_TO_MANY ? "one-to-many, idmap only"
			: e->flags & IDMAP_DB_LOCAL	 ? "idmap only"
							 : "");
	idmap_obuf_c(o, '\n');
}

static void json_item(idmap_obuf *o, const idmap_db_info *e, int first)
{
	idmap_obuf_s(o, first ? "{\"displayName\":" : ",{\"displayName\":");
	idmap_obuf_json(o, e->display, strlen(e->display));
	idmap_obuf_s(o, ",\"name\":");
	idmap_obuf_json(o, e->name, strlen(e->name));
	idmap_obuf_s(o, e->flags & IDMAP_DB_FROM && !(e->flags & IDMAP_DB_ONE_TO_MANY)
				? ",\"from\":true"
				: ",\"from\":false");
	idmap_obuf_s(o, e->flags & IDMAP_DB_TO ? ",\"to\":true" : ",\"to\":false");
	if (e->rule && e->flags & IDMAP_DB_FROM && !(e->flags & IDMAP_DB_ONE_TO_MANY)) {
		idmap_obuf_s(o, ",\"ruleId\":");
		idmap_obuf_u64(o, (uint64_t)e->rule);
	}
	if (e->uri_link) {
		idmap_obuf_s(o, ",\"uriLink\":");
		idmap_obuf_json(o, e->uri_link, strlen(e->uri_link));
	}
	if (e->ids != UINT64_MAX) {
		idmap_obuf_s(o, ",\"ids\":");
		idmap_obuf_u64(o, e->ids);
	}
	idmap_obuf_c(o, '}');
}

static int render_json(const idmap_catalog *cat, idmap_obuf *o)
{
	size_t n = idmap_catalog_count(cat);
	idmap_db_info e, g;
	idmap_obuf_s(o, "{\"groups\":[");
	const char *prev = NULL;
	int first_item = 1;
	for (size_t i = 0; i < n; i++) {
		if (idmap_catalog_get(cat, i, &e) != IDMAP_OK)
			return IDMAP_ERR_INVALID;
		if (e.group != prev) { /* rows of a group are consecutive */
			int seen = 0;
			for (size_t k = 0; k < i && !seen; k++)
				seen = idmap_catalog_get(cat, k, &g) == IDMAP_OK && g.group == e.group;
			if (seen)
				continue;
			if (prev)
				idmap_obuf_s(o, "]},");
			idmap_obuf_s(o, "{\"groupName\":");
			idmap_obuf_json(o, e.group, strlen(e.group));
			idmap_obuf_s(o, ",\"items\":[");
			prev = e.group;
			first_item = 1;
		}
		json_item(o, &e, first_item);
		first_item = 0;
	}
	if (prev)
		idmap_obuf_s(o, "]}");
	idmap_obuf_s(o, "],\"rules\":[");
	size_t *tos = malloc((n ? n : 1) * sizeof *tos);
	if (!tos)
		return IDMAP_ERR_NOMEM;
	for (int rule = IDMAP_RULE_ACCESSION; rule <= IDMAP_RULE_OTHER; rule++) {
		size_t k = idmap_catalog_rule_tos(cat, rule, tos);
		idmap_obuf_s(o, rule > 1 ? ",{\"ruleId\":" : "{\"ruleId\":");
		idmap_obuf_u64(o, (uint64_t)rule);
		idmap_obuf_s(o, ",\"tos\":[");
		for (size_t t = 0; t < k; t++) {
			idmap_catalog_get(cat, tos[t], &e);
			if (t)
				idmap_obuf_c(o, ',');
			idmap_obuf_json(o, e.name, strlen(e.name));
		}
		idmap_obuf_s(o, "],\"defaultTo\":\"UniProtKB\",\"taxonId\":");
		idmap_obuf_s(o, idmap_rule_taxon(rule) ? "true}" : "false}");
	}
	free(tos);
	idmap_obuf_s(o, "]}\n");
	return IDMAP_OK;
}

IDMAP_API int idmap_render_catalog(const idmap_catalog *cat, int format, idmap_write_fn write,
				   void *ctx)
{
	if (!cat || !write || (format != IDMAP_OUT_TSV && format != IDMAP_OUT_JSON))
		return IDMAP_ERR_INVALID;
	idmap_obuf *o = malloc(sizeof *o);
	if (!o)
		return IDMAP_ERR_NOMEM;
	idmap_obuf_init(o, write, ctx);
	int rc = IDMAP_OK;
	if (format == IDMAP_OUT_JSON) {
		rc = render_json(cat, o);
	} else {
		idmap_db_info e;
		idmap_obuf_s(o, "Name\tFile type\tFrom\tTo\tRule\tIds\tNote\n");
		for (size_t i = 0; i < idmap_catalog_count(cat); i++)
			if (idmap_catalog_get(cat, i, &e) == IDMAP_OK)
				tsv_row(o, &e);
	}
	idmap_obuf_flush(o);
	if (rc == IDMAP_OK)
		rc = o->rc;
	free(o);
	return rc;
}
