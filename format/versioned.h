/* Which ID_types carry ".N" versions, and the stem of a versioned value (FORMAT.md,
 * "Versioned values"). The one definition that the builder (unversioned aliases) and the
 * engine (unversioned queries) share. */
#ifndef IDMAP_VERSIONED_H
#define IDMAP_VERSIONED_H

#include <stddef.h>

/* 1 when values of the ID_type name[0, len) (the file's name, e.g. "RefSeq") carry a
 * sequence version, else 0. */
int idmap_type_versioned(const char *name, size_t len);

/* Length of the stem of the versioned value v[0, len) ("NP_003395.1" -> 9), or 0 when v does
 * not have the form stem.N. Says nothing of the type: callers check idmap_type_versioned. */
size_t idmap_version_stem(const char *v, size_t len);

#endif
