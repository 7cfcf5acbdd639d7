/* idmap map: identifiers in, (From, To) pairs out, as UniProt's ID mapping answers them. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "hash.h"

#define NAME_ACC_ID "UniProtKB_AC-ID"
#define NAME_ACC "UniProtKB"
#define TYPE_ENTRY_NAME "UniProtKB-ID"
#define OUT_BUFFER (1u << 20)

static const char usage_text[] =
	"usage: idmap map [-i INDEX] [--from NAME] [--to NAME] [--format tsv|list]\n"
	"                 [--unmapped FILE] [ID...]\n"
	"\n"
	"Maps the ids (arguments, else standard input; split on white space and commas).\n"
	"  -i, --index INDEX    the index (default: $IDMAP_INDEX)\n"
	"  -f, --from NAME      source: UniProtKB_AC-ID (default) or an ID type of the index\n"
	"  -t, --to NAME        target: UniProtKB (default) or an ID type of the index\n"
	"  -F, --format FORMAT  tsv (From<TAB>To rows, default) or list (distinct To values)\n"
	"  -u, --unmapped FILE  write the ids that map to nothing to FILE, one per line\n"
	"  -h, --help           this text\n";

static int usage_error(const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "idmap: %s%s%s\n", msg, arg ? arg : "", arg ? "'" : "");
	fputs(usage_text, stderr);
	return 2;
}

/* ---- Tokens ------------------------------------------------------------------------------ */

typedef struct {
	const char *p;
	size_t n;
} token;

typedef struct {
	token *v;
	size_t n, cap;
} token_vec;

static int is_sep(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == ',';
}

static int split_tokens(token_vec *tv, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && is_sep((unsigned char)s[i]))
			i++;
		size_t b = i;
		while (i < n && !is_sep((unsigned char)s[i]))
			i++;
		if (i == b)
			continue;
		if (tv->n == tv->cap) {
			size_t cap = tv->cap ? 2 * tv->cap : 1024;
			token *v = realloc(tv->v, cap * sizeof *v);
			if (!v)
				return -1;
			tv->v = v;
			tv->cap = cap;
		}
		tv->v[tv->n++] = (token){s + b, i - b};
	}
	return 0;
}

/* Reads all of stdin; the tokens point into the returned buffer. */
static char *read_stdin(size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			char *b = realloc(buf, cap * 2);
			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
		ssize_t r = read(STDIN_FILENO, buf + n, cap - n);
		if (r == 0) {
			*len = n;
			return buf;
		}
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			n += (size_t)r;
	}
	free(buf);
	return NULL;
}

/* Keeps the first occurrence of each distinct token, in order (open addressing). */
static int dedupe(token_vec *tv)
{
	size_t cap = 16;
	while (cap < 2 * tv->n)
		cap *= 2;
	uint32_t *tab = calloc(cap, sizeof *tab);
	if (!tab)
		return -1;
	size_t out = 0;
	for (size_t i = 0; i < tv->n; i++) {
		token t = tv->v[i];
		size_t h = (size_t)idmap_hash(t.p, t.n, 0).lo & (cap - 1);
		for (;; h = (h + 1) & (cap - 1)) {
			uint32_t e = tab[h];
			if (e == 0) {
				tv->v[out++] = t;
				tab[h] = (uint32_t)out;
				break;
			}
			token u = tv->v[e - 1];
			if (u.n == t.n && memcmp(u.p, t.p, t.n) == 0)
				break;
		}
	}
	tv->n = out;
	free(tab);
	return 0;
}

/* ---- A set of slots (distinct To values of --format list) -------------------------------- */

typedef struct {
	uint64_t *v; /* slot + 1; 0 = empty */
	size_t n, cap;
} slot_set;

/* Adds x; returns 1 when new, 0 when present, -1 without memory. */
static int set_add(slot_set *s, uint64_t x)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		uint64_t *v = calloc(cap, sizeof *v);
		if (!v)
			return -1;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->v[i])
				continue;
			size_t h = (size_t)idmap_fmix(s->v[i]) & (cap - 1);
			while (v[h])
				h = (h + 1) & (cap - 1);
			v[h] = s->v[i];
		}
		free(s->v);
		s->v = v;
		s->cap = cap;
	}
	size_t h = (size_t)idmap_fmix(x + 1) & (s->cap - 1);
	for (; s->v[h]; h = (h + 1) & (s->cap - 1))
		if (s->v[h] == x + 1)
			return 0;
	s->v[h] = x + 1;
	s->n++;
	return 1;
}

/* ---- Mapping ----------------------------------------------------------------------------- */

typedef struct {
	uint64_t code, slot;
} acc_ref;

typedef struct {
	const char *p;
	size_t n;
	uint64_t key;
} value_ref;

typedef struct {
	idmap_index *ix;
	int from_acc, to_acc, list;
	uint32_t from_type, to_type;
	int has_entry, has_sec;
	uint32_t entry_type, sec_type;

	acc_ref *accs; /* accession slots of the current input */
	size_t n_accs, cap_accs;
	value_ref *vals; /* target values of the current input */
	size_t n_vals, cap_vals;
	slot_set seen;
	cli_out out;
} map_ctx;

static int push_acc(map_ctx *c, uint64_t slot)
{
	if (c->n_accs == c->cap_accs) {
		size_t cap = c->cap_accs ? 2 * c->cap_accs : 64;
		acc_ref *v = realloc(c->accs, cap * sizeof *v);
		if (!v)
			return IDMAP_ERR_NOMEM;
		c->accs = v;
		c->cap_accs = cap;
	}
	uint64_t code = 0;
	int rc = idmap_acc_code(c->ix, slot, &code);
	c->accs[c->n_accs++] = (acc_ref){code, slot};
	return rc;
}

static int push_val(map_ctx *c, const idmap_pair *p)
{
	if (c->n_vals == c->cap_vals) {
		size_t cap = c->cap_vals ? 2 * c->cap_vals : 64;
		value_ref *v = realloc(c->vals, cap * sizeof *v);
		if (!v)
			return IDMAP_ERR_NOMEM;
		c->vals = v;
		c->cap_vals = cap;
	}
	c->vals[c->n_vals++] = (value_ref){p->value, p->len, p->key_slot};
	return IDMAP_OK;
}

/* Appends the accessions of key (type, value); IDMAP_ERR_NOT_FOUND when there is no key. */
static int add_reverse(map_ctx *c, uint32_t type, const char *v, size_t n)
{
	uint64_t key, slot;
	int rc = idmap_key_find(c->ix, type, v, n, &key);
	if (rc != IDMAP_OK)
		return rc;
	idmap_rev_iter it;
	if ((rc = idmap_rev_begin(c->ix, key, &it, NULL)) != IDMAP_OK)
		return rc;
	while ((rc = idmap_rev_next(&it, &slot)) == IDMAP_OK)
		if ((rc = push_acc(c, slot)) != IDMAP_OK)
			return rc;
	return rc == IDMAP_DONE ? IDMAP_OK : rc;
}

/* An accession with a version ("P00750.2") or a range ("P00750[39-81]"): the length of the
 * accession part, 0 for other text. */
static size_t acc_prefix(const char *t, size_t n, int *is_version)
{
	const char *dot = memchr(t, '.', n), *br = memchr(t, '[', n);
	const char *cut = dot ? dot : br;
	if (!cut || cut == t)
		return 0;
	const char *s = cut + 1, *end = t + n;
	if (dot) {
		if (s == end)
			return 0;
		for (; s < end; s++)
			if (*s < '0' || *s > '9')
				return 0;
		*is_version = 1;
	} else {
		size_t k = 0, dash = 0;
		for (; s < end - 1; s++, k++) {
			if (*s == '-' && k > 0 && !dash)
				dash = k;
			else if (*s < '0' || *s > '9')
				return 0;
		}
		if (end - cut < 5 || end[-1] != ']' || !dash || s[-1] == '-')
			return 0;
		*is_version = 0;
	}
	return (size_t)(cut - t);
}

/* The accessions an UniProtKB_AC-ID input stands for; *from_n may shrink (version cut). */
static int sources_acc_id(map_ctx *c, const char *t, size_t n, size_t *from_n)
{
	uint64_t slot;
	int rc = idmap_acc_find(c->ix, t, n, &slot);
	if (rc == IDMAP_OK)
		return push_acc(c, slot);
	if (n <= IDMAP_MAX_VALUE) {
		/* an entry name as given, then upper-cased; then a secondary accession */
		char up[IDMAP_MAX_VALUE];
		int changed = 0;
		for (size_t i = 0; i < n; i++) {
			up[i] = t[i] >= 'a' && t[i] <= 'z' ? (char)(t[i] - 32) : t[i];
			changed |= up[i] != t[i];
		}
		if (c->has_entry &&
		    ((rc = add_reverse(c, c->entry_type, t, n)) != IDMAP_ERR_NOT_FOUND ||
		     (changed &&
		      (rc = add_reverse(c, c->entry_type, up, n)) != IDMAP_ERR_NOT_FOUND)))
			return rc;
		if (c->has_sec && (rc = add_reverse(c, c->sec_type, up, n)) != IDMAP_ERR_NOT_FOUND)
			return rc;
	}
	int is_version = 0;
	size_t k = acc_prefix(t, n, &is_version);
	if (k && idmap_acc_find(c->ix, t, k, &slot) == IDMAP_OK) {
		if (is_version)
			*from_n = k;
		return push_acc(c, slot);
	}
	return IDMAP_OK;
}

static int cmp_acc(const void *a, const void *b)
{
	const acc_ref *x = a, *y = b;
	return (x->code > y->code) - (x->code < y->code);
}

static int cmp_val(const void *a, const void *b)
{
	const value_ref *x = a, *y = b;
	int r = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
	if (r)
		return r;
	return (x->n > y->n) - (x->n < y->n);
}

static void emit(map_ctx *c, const char *from, size_t from_n, const char *to, size_t to_n)
{
	if (!c->list) {
		cli_out_put(&c->out, from, from_n);
		cli_out_char(&c->out, '\t');
	}
	cli_out_put(&c->out, to, to_n);
	cli_out_char(&c->out, '\n');
}

/* Writes the rows of one input; *rows counts them. */
static int emit_targets(map_ctx *c, const char *from, size_t from_n, size_t *rows)
{
	int rc;
	*rows = 0;
	if (c->n_accs > 1)
		qsort(c->accs, c->n_accs, sizeof *c->accs, cmp_acc);
	if (c->to_acc) {
		for (size_t i = 0; i < c->n_accs; i++) {
			if (i && c->accs[i].slot == c->accs[i - 1].slot)
				continue;
			(*rows)++;
			if (c->list && (rc = set_add(&c->seen, c->accs[i].slot)) <= 0) {
				if (rc < 0)
					return IDMAP_ERR_NOMEM;
				continue;
			}
			char text[IDMAP_ACC_TEXT_SIZE];
			size_t len;
			if ((rc = idmap_acc_text(c->ix, c->accs[i].slot, text, &len)) != IDMAP_OK)
				return rc;
			emit(c, from, from_n, text, len);
		}
		return IDMAP_OK;
	}
	c->n_vals = 0;
	for (size_t i = 0; i < c->n_accs; i++) {
		if (i && c->accs[i].slot == c->accs[i - 1].slot)
			continue;
		idmap_fwd_iter it;
		idmap_pair p;
		if ((rc = idmap_fwd_begin(c->ix, c->accs[i].slot, c->to_type, &it)) != IDMAP_OK)
			return rc;
		while ((rc = idmap_fwd_next(&it, &p)) == IDMAP_OK)
			if ((rc = push_val(c, &p)) != IDMAP_OK)
				return rc;
		if (rc != IDMAP_DONE)
			return rc;
	}
	if (c->n_vals > 1)
		qsort(c->vals, c->n_vals, sizeof *c->vals, cmp_val);
	for (size_t i = 0; i < c->n_vals; i++) {
		if (i && c->vals[i].key == c->vals[i - 1].key)
			continue;
		(*rows)++;
		if (c->list && (rc = set_add(&c->seen, c->vals[i].key)) <= 0) {
			if (rc < 0)
				return IDMAP_ERR_NOMEM;
			continue;
		}
		emit(c, from, from_n, c->vals[i].p, c->vals[i].n);
	}
	return IDMAP_OK;
}

/* Maps one input; *mapped is set when it produced at least one row. */
static int map_one(map_ctx *c, const token *t, int *mapped)
{
	size_t from_n = t->n, rows = 0;
	int rc;
	c->n_accs = 0;
	if (c->from_acc)
		rc = sources_acc_id(c, t->p, t->n, &from_n);
	else
		rc = add_reverse(c, c->from_type, t->p, t->n);
	if (rc == IDMAP_ERR_NOT_FOUND)
		rc = IDMAP_OK;
	if (rc == IDMAP_OK && c->n_accs)
		rc = emit_targets(c, t->p, from_n, &rows);
	*mapped = rows > 0;
	return rc;
}

/* ---- Names ------------------------------------------------------------------------------- */

/* Resolves an ID type name: exact first, then case-insensitive; '#' names are internal. */
static int resolve_type(idmap_index *ix, const char *name, uint32_t *id)
{
	if (name[0] == '#')
		return -1;
	if (idmap_type_find(ix, name, id) == IDMAP_OK ||
	    idmap_type_find_ci(ix, name, id) == IDMAP_OK)
		return 0;
	return -1;
}

static int resolve_names(map_ctx *c, const char *from, const char *to)
{
	c->from_acc = strcasecmp(from, NAME_ACC_ID) == 0;
	if (!c->from_acc && resolve_type(c->ix, from, &c->from_type) != 0)
		return usage_error("--from: unknown ID type '", from);
	c->to_acc = strcasecmp(to, NAME_ACC) == 0;
	if (!c->to_acc && resolve_type(c->ix, to, &c->to_type) != 0)
		return usage_error("--to: unknown ID type '", to);
	c->has_entry = idmap_type_find(c->ix, TYPE_ENTRY_NAME, &c->entry_type) == IDMAP_OK;
	c->has_sec = idmap_type_find(c->ix, "#secondary", &c->sec_type) == IDMAP_OK;
	return 0;
}

/* ---- The command ------------------------------------------------------------------------- */

typedef struct {
	const char *index, *from, *to, *unmapped;
	int list;
} map_opts;

static int parse_opts(int argc, char **argv, map_opts *o)
{
	static const struct option longopts[] = {
		{"index", required_argument, NULL, 'i'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'F'},
		{"unmapped", required_argument, NULL, 'u'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	*o = (map_opts){NULL, NAME_ACC_ID, NAME_ACC, NULL, 0};
	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":i:f:t:F:u:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i': o->index = optarg; break;
		case 'f': o->from = optarg; break;
		case 't': o->to = optarg; break;
		case 'u': o->unmapped = optarg; break;
		case 'F':
			if (strcmp(optarg, "tsv") == 0)
				o->list = 0;
			else if (strcmp(optarg, "list") == 0)
				o->list = 1;
			else
				return usage_error("--format: expected tsv or list, not '", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			fprintf(stderr, "idmap: option '%s' needs a value\n", argv[optind - 1]);
			return usage_error(NULL, NULL);
		default:
			fprintf(stderr, "idmap: unknown option '%s'\n", argv[optind - 1]);
			return usage_error(NULL, NULL);
		}
	}
	o->index = cli_index_path(o->index);
	if (!o->index)
		return usage_error("no index: give -i INDEX or set IDMAP_INDEX", NULL);
	return -1; /* go on */
}

static int run(map_ctx *c, const token_vec *ids, FILE *unmapped, const char *path)
{
	size_t n_mapped = 0;
	if (!c->list)
		cli_out_str(&c->out, "From\tTo\n");
	for (size_t i = 0; i < ids->n; i++) {
		int mapped, rc = map_one(c, &ids->v[i], &mapped);
		if (rc != IDMAP_OK) {
			cli_index_error(path, rc);
			return 1;
		}
		if (mapped) {
			n_mapped++;
		} else if (unmapped) {
			fwrite(ids->v[i].p, 1, ids->v[i].n, unmapped);
			fputc('\n', unmapped);
		}
	}
	if (cli_out_finish(&c->out) != 0) {
		fprintf(stderr, "idmap: write error: %s\n", strerror(errno));
		return 1;
	}
	if (n_mapped < ids->n)
		fprintf(stderr, "idmap: mapped %zu of %zu ids; %zu not mapped\n", n_mapped, ids->n,
			ids->n - n_mapped);
	return 0;
}

int cmd_map(int argc, char **argv)
{
	map_opts o;
	int rc = parse_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	token_vec ids = {0};
	char *input = NULL;
	map_ctx c = {0};
	FILE *unmapped = NULL;
	rc = 1;
	if (!(c.ix = cli_open_index(o.index)))
		goto out;
	if ((rc = resolve_names(&c, o.from, o.to)) != 0)
		goto out;
	rc = 1;
	c.list = o.list;
	for (int i = optind; i < argc; i++)
		if (split_tokens(&ids, argv[i], strlen(argv[i])) != 0)
			goto nomem;
	if (optind == argc) {
		size_t len;
		if (!(input = read_stdin(&len))) {
			fprintf(stderr, "idmap: standard input: %s\n", strerror(errno));
			goto out;
		}
		if (split_tokens(&ids, input, len) != 0)
			goto nomem;
	}
	if (ids.n > UINT32_MAX - 1) {
		fprintf(stderr, "idmap: too many ids\n");
		goto out;
	}
	if (dedupe(&ids) != 0 || cli_out_init(&c.out, stdout, OUT_BUFFER) != 0)
		goto nomem;
	if (o.unmapped && !(unmapped = fopen(o.unmapped, "w"))) {
		fprintf(stderr, "idmap: %s: %s\n", o.unmapped, strerror(errno));
		goto out;
	}
	rc = run(&c, &ids, unmapped, o.index);
	if (unmapped && (fclose(unmapped) != 0) && rc == 0) {
		fprintf(stderr, "idmap: %s: %s\n", o.unmapped, strerror(errno));
		rc = 1;
	}
	unmapped = NULL;
	goto out;
nomem:
	fprintf(stderr, "idmap: out of memory\n");
out:
	if (unmapped)
		fclose(unmapped);
	free(c.out.buf);
	free(c.accs);
	free(c.vals);
	free(c.seen.v);
	free(ids.v);
	free(input);
	idmap_close(c.ix);
	return rc;
}
