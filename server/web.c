/* The web page of idmap serve: the files of server/web, compiled in (web_assets.c is generated
 * by server/embed.cmake), so the server needs nothing beside its binary. */
#include <string.h>

#include "server.h"

struct srv_web_asset {
	const char *name;
	const unsigned char *data;
	size_t len;
};
extern const struct srv_web_asset srv_web_assets[];

static const char *type_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot && !strcmp(dot, ".html"))
		return "text/html; charset=utf-8";
	if (dot && !strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (dot && !strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (dot && !strcmp(dot, ".svg"))
		return "image/svg+xml";
	return "application/octet-stream";
}

const void *srv_web_file(const char *url, size_t *len, const char **type)
{
	if (!strcmp(url, "/"))
		url = "/index.html";
	for (const struct srv_web_asset *a = srv_web_assets; a->name; a++)
		if (!strcmp(a->name, url)) {
			*len = a->len;
			*type = type_of(a->name);
			return a->data;
		}
	return NULL;
}
