/* Messages of the pinned status codes. */
#include "idmap.h"

IDMAP_API const char *idmap_strerror(int status)
{
	switch (status) {
	case IDMAP_OK:
		return "success";
	case IDMAP_ERR_IO:
		return "input/output error";
	case IDMAP_ERR_NOT_INDEX:
		return "not an idmap index";
	case IDMAP_ERR_VERSION:
		return "unsupported index format version";
	case IDMAP_ERR_CORRUPT:
		return "index is corrupt";
	case IDMAP_ERR_NOMEM:
		return "out of memory";
	case IDMAP_ERR_NOT_FOUND:
		return "not found";
	case IDMAP_ERR_INVALID:
		return "invalid argument";
	case IDMAP_DONE:
		return "no more items";
	case IDMAP_ERR_STALE:
		return "saved job belongs to another index file";
	case IDMAP_STOPPED:
		return "stopped by the caller";
	case IDMAP_ERR_BAD_FROM:
		return "invalid 'from' database";
	case IDMAP_ERR_BAD_TO:
		return "invalid 'to' database";
	case IDMAP_ERR_BAD_PAIR:
		return "invalid combination of 'from' and 'to'";
	case IDMAP_ERR_ONE_TO_MANY:
		return "one-to-many source database refused";
	case IDMAP_ERR_BAD_OPTION:
		return "invalid mapping option";
	default:
		return "unknown error";
	}
}
