/* The parameters of the results requests that UniProt validates, with its messages: the
 * output format (format= or the Accept header; HttpServletRequestContentTypeMutator), and on
 * the uniprotkb results the subset of `query` this server can answer from the index
 * (reviewed:true|false, organism_id:N, accession:X, joined by AND or white space), the
 * `reviewed` and `model_organism` facets (uniprotkb.facet.properties) and `sort` (refused).
 * Anything else is refused with a 400 naming the parameter, never ignored. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"

/* ---- format / Accept ---------------------------------------------------------------------- */

static const char served[] = "application/json, text/plain;format=tsv, text/plain;format=list";

/* UniProt's file extensions (UniProtMediaType) this server does not produce */
static const char *const other_formats[] = {"txt", "xlsx", "fasta", "gff", "md",  "obo",
					    "rdf", "h5",   "ttl",   "nt",  "xml", NULL};

/* The format of one media type, or -1: the three served ones, and TSV's own IANA type. */
static int media_format(const char *m, size_t n)
{
	static const struct {
		const char *type;
		int fmt;
	} types[] = {{"application/json", IDMAP_OUT_JSON},
		     {"text/plain;format=tsv", IDMAP_OUT_TSV},
		     {"text/plain;format=list", IDMAP_OUT_LIST},
		     {"text/tab-separated-values", IDMAP_OUT_TSV}};
	char t[64];
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < sizeof t; i++)
		if (m[i] != ' ' && m[i] != '\t')
			t[k++] = m[i];
	t[k] = 0;
	char *q = strstr(t, ";q="); /* a quality weight is no part of the type */
	if (q)
		*q = 0;
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (!strcasecmp(t, types[i].type))
			return types[i].fmt;
	return !strcmp(t, "*/*") ? IDMAP_OUT_JSON : -1;
}

int srv_out_format(struct MHD_Connection *c, int *fmt, char *err, size_t errlen)
{
	const char *f = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	if (f) {
		if ((*fmt = idmap_out_format_parse(f)) >= 0)
			return 0;
		for (size_t i = 0; other_formats[i]; i++)
			if (!strcmp(f, other_formats[i])) {
				snprintf(err, errlen, "Invalid request received. Requested media "
					 "type/format not accepted, '%s'. Valid media types/formats "
					 "for this end-point include: %s.", f, served);
				return -1;
			}
		snprintf(err, errlen, "Invalid request received. Requested media type/format not "
			 "accepted: '%.200s'.", f);
		return -1;
	}
	/* no Accept, any type, or a browser: JSON; else the first range served */
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
	*fmt = IDMAP_OUT_JSON;
	if (!a || !*a || (ua && (strstr(ua, "Mozilla") || strstr(ua, "Chrome"))))
		return 0;
	for (const char *p = a;;) {
		size_t n = strcspn(p, ",");
		int f2 = media_format(p, n);
		if (f2 >= 0) {
			*fmt = f2;
			return 0;
		}
		if (!p[n])
			break;
		p += n + 1;
	}
	snprintf(err, errlen, "Invalid request received. Requested media type/format not "
		 "accepted: '%.200s'.", a);
	return -1;
}

/* ---- query ------------------------------------------------------------------------------------ */

#define MAX_TERMS 16

typedef struct {
	int field; /* 0 reviewed, 1 organism_id, 2 accession */
	char value[IDMAP_ID_TEXT_SIZE];
} term;

static int term_parse(const char *s, size_t n, term *t, char *err, size_t errlen)
{
	static const char *const fields[] = {"reviewed", "organism_id", "accession"};
	const char *colon = memchr(s, ':', n);
	size_t vn = colon ? n - (size_t)(colon + 1 - s) : 0;
	for (int f = 0; colon && f < 3; f++) {
		if ((size_t)(colon - s) != strlen(fields[f]) || strncasecmp(s, fields[f], strlen(fields[f])))
			continue;
		const char *v = colon + 1;
		int ok = vn > 0 && vn < sizeof t->value;
		if (f == 0)
			ok = (vn == 4 && !strncasecmp(v, "true", 4)) ||
			     (vn == 5 && !strncasecmp(v, "false", 5));
		else if (f == 1)
			ok = ok && vn < 20 && strspn(v, "0123456789") == vn;
		if (!ok)
			break;
		t->field = f;
		memcpy(t->value, v, vn);
		t->value[vn] = 0;
		return 0;
	}
	snprintf(err, errlen, "The 'query' parameter: '%.*s' is not supported by this server; it "
		 "answers reviewed:true|false, organism_id:<taxon id> and accession:<accession>, "
		 "joined by AND", (int)(n > 200 ? 200 : n), s);
	return -1;
}

static int term_match(const idmap_job *job, uint64_t row, const term *t)
{
	int reviewed;
	uint64_t taxon;
	idmap_result r;
	if (t->field == 2)
		return idmap_job_result(job, row, &r) == IDMAP_OK && r.to_len == strlen(t->value) &&
		       !strncasecmp(r.to, t->value, r.to_len);
	if (idmap_job_row_entry(job, row, &reviewed, &taxon) != IDMAP_OK)
		return 0;
	if (t->field == 0)
		return reviewed == (t->value[0] == 't' || t->value[0] == 'T');
	return taxon == strtoull(t->value, NULL, 10);
}

struct srv_query {
	const idmap_job *job;
	term t[MAX_TERMS];
	size_t nt;
};

int srv_query_parse(const idmap_job *job, const char *query, srv_query **out, char *err,
		    size_t errlen)
{
	srv_query *q = calloc(1, sizeof *q);
	*out = NULL;
	if (!q) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	q->job = job;
	for (const char *p = query;;) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		size_t len = strcspn(p, " \t");
		if (len == 3 && !strncmp(p, "AND", 3)) {
			p += len;
			continue;
		}
		if (q->nt == MAX_TERMS) {
			snprintf(err, errlen, "The 'query' parameter: at most %d terms", MAX_TERMS);
			free(q);
			return -1;
		}
		if (term_parse(p, len, &q->t[q->nt++], err, errlen) != 0) {
			free(q);
			return -1;
		}
		p += len;
	}
	*out = q;
	return 0;
}

int srv_query_keep(void *query, uint64_t row)
{
	const srv_query *q = query;
	size_t k = 0;
	while (k < q->nt && term_match(q->job, row, &q->t[k]))
		k++;
	return k == q->nt;
}

/* ---- facets ----------------------------------------------------------------------------------- */

static const struct {
	uint64_t taxon;
	const char *label;
} model_organisms[] = {
	{9606, "Human"},      {10090, "Mouse"},	       {10116, "Rat"},
	{9913, "Bovine"},     {7955, "Zebrafish"},     {7227, "Fruit fly"},
	{6239, "C. elegans"}, {44689, "Slime mold"},   {3702, "A. thaliana"},
	{39947, "Rice"},      {83333, "E. coli K12"},  {224308, "B. subtilis"},
	{559292, "S. cerevisiae"},
};
#define N_MODEL (sizeof model_organisms / sizeof *model_organisms)

static void facet_value(idmap_str *b, int *first, const char *label, const char *value,
			uint64_t count)
{
	if (!count) /* facet.mincount=1 */
		return;
	idmap_str_add(b, *first ? "{\"label\":" : ",{\"label\":");
	srv_json(b, label, strlen(label));
	idmap_str_add(b, ",\"value\":");
	srv_json(b, value, strlen(value));
	idmap_str_printf(b, ",\"count\":%" PRIu64 "}", count);
	*first = 0;
}

int srv_facets(const idmap_job *job, const char *facets, const srv_query *q, idmap_str *out,
	       char *err, size_t errlen)
{
	int want[2] = {0, 0}; /* reviewed, model_organism */
	for (const char *p = facets; *p;) {
		size_t len = strcspn(p, ",");
		const char *s = p;
		size_t k = len;
		while (k && *s == ' ')
			s++, k--;
		while (k && s[k - 1] == ' ')
			k--;
		if (k == 8 && !strncmp(s, "reviewed", 8))
			want[0] = 1;
		else if (k == 14 && !strncmp(s, "model_organism", 14))
			want[1] = 1;
		else if (k) { /* ValidFacets: search.invalid.facet.name, this server's facets */
			snprintf(err, errlen, "Invalid facet name '%.*s'. Expected value can be "
				 "reviewed, model_organism.", (int)(k > 100 ? 100 : k), s);
			return -1;
		}
		p += len + (p[len] == ',');
	}
	uint64_t rev[2] = {0, 0}, org[N_MODEL] = {0};
	idmap_job_stats st;
	idmap_job_get_stats(job, &st);
	for (uint64_t row = 0; row < st.results; row++) {
		int reviewed;
		uint64_t taxon;
		if ((q && !srv_query_keep((void *)q, row)) ||
		    idmap_job_row_entry(job, row, &reviewed, &taxon) != IDMAP_OK)
			continue;
		if (reviewed >= 0) /* never guessed: an entry without a name counts in neither */
			rev[reviewed ? 0 : 1]++;
		for (size_t k = 0; k < N_MODEL; k++)
			org[k] += model_organisms[k].taxon == taxon;
	}
	idmap_str_add(out, "\"facets\":[");
	int first = 1;
	if (want[0]) { /* sort=index desc: true first */
		idmap_str_add(out, "{\"label\":\"Status\",\"name\":\"reviewed\","
				 "\"allowMultipleSelection\":false,\"values\":[");
		facet_value(out, &first, "Reviewed (Swiss-Prot)", "true", rev[0]);
		facet_value(out, &first, "Unreviewed (TrEMBL)", "false", rev[1]);
		idmap_str_add(out, "]}");
	}
	if (want[1]) { /* by count, the first 5 (facet.limit) */
		idmap_str_add(out, want[0] ? ",{" : "{");
		idmap_str_add(out, "\"label\":\"Popular organisms\",\"name\":\"model_organism\","
				 "\"allowMultipleSelection\":true,\"values\":[");
		first = 1;
		for (int shown = 0; shown < 5; shown++) {
			size_t best = N_MODEL;
			for (size_t k = 0; k < N_MODEL; k++)
				if (org[k] && (best == N_MODEL || org[k] > org[best]))
					best = k;
			if (best == N_MODEL)
				break;
			char v[24];
			snprintf(v, sizeof v, "%" PRIu64, model_organisms[best].taxon);
			facet_value(out, &first, model_organisms[best].label, v, org[best]);
			org[best] = 0;
		}
		idmap_str_add(out, "]}");
	}
	idmap_str_add(out, "],");
	return 0;
}
