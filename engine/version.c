/* The version of the library at run time, from the header it was built with. */
#include "idmap.h"

#define IDMAP_STR_(x) #x
#define IDMAP_STR(x) IDMAP_STR_(x)

IDMAP_API const char *idmap_version(void)
{
	return IDMAP_STR(IDMAP_VERSION_MAJOR) "." IDMAP_STR(IDMAP_VERSION_MINOR) "." IDMAP_STR(
		IDMAP_VERSION_PATCH);
}
