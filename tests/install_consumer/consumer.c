/* A program outside the project using the installed libidmap: checks that the library loaded
 * is the version of the header, opens an index and prints the pairs of one accession.
 *   consumer INDEX ACCESSION */
#include <idmap.h>
#include <stdio.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

int main(int argc, char **argv)
{
	const char *header = STR(IDMAP_VERSION_MAJOR) "." STR(IDMAP_VERSION_MINOR) "." STR(
		IDMAP_VERSION_PATCH);
	if (argc != 3 || strcmp(idmap_version(), header) != 0) {
		fprintf(stderr, "consumer: library %s, header %s\n", idmap_version(), header);
		return 1;
	}
	idmap_index *ix;
	uint64_t slot;
	int rc = idmap_open(argv[1], &ix);
	if (rc == IDMAP_OK)
		rc = idmap_acc_find(ix, argv[2], strlen(argv[2]), &slot);
	idmap_fwd_iter it;
	if (rc == IDMAP_OK)
		rc = idmap_fwd_begin(ix, slot, IDMAP_TYPE_ANY, &it);
	idmap_pair p;
	while (rc == IDMAP_OK && (rc = idmap_fwd_next(&it, &p)) == IDMAP_OK) {
		idmap_type_info t;
		idmap_type_get(ix, p.type_id, &t);
		printf("%s\t%.*s\n", t.name, (int)p.len, p.value);
	}
	if (rc != IDMAP_DONE) {
		fprintf(stderr, "consumer: %s: %s\n", argv[1], idmap_strerror(rc));
		return 1;
	}
	idmap_close(ix);
	return 0;
}
