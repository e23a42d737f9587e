/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The static pages of edge/http (the publish and watch pages): files of one
 * directory, flat, served at / (index.html) and /<name>. A name is
 * [A-Za-z0-9._-], not starting with '.', without "..", so no request can
 * leave the directory; symbolic links are not followed; only the file
 * types of the table below are served, with their content type.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edge_http_priv.h"

/* Largest page served. */
#define PAGE_MAX_SIZE (16u << 20)

static const struct {
	const char *ext;
	const char *type;
} page_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
};

/* Whether name is a page name we serve (see the file comment). */
static bool name_ok(const char *name, size_t len)
{
	if (len == 0 || len > EDGE_HTTP_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return strstr(name, "..") == NULL;
}

void edge_http_page_target(const char *url, struct edge_http_req *req)
{
	const char *name = strcmp(url, "/") == 0 ? "index.html" : url + 1;
	size_t len = strlen(name);

	req->target = EDGE_HTTP_T_BAD_PATH;
	if (url[0] != '/' || !name_ok(name, len))
		return;
	memcpy(req->name, name, len + 1);
	req->target = EDGE_HTTP_T_PAGE;
}

/* The content type of a page name, NULL when the type is not served. */
static const char *page_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot != NULL && i < sizeof(page_types) / sizeof(page_types[0]); i++)
		if (strcmp(dot, page_types[i].ext) == 0)
			return page_types[i].type;
	return NULL;
}

/* Open the page name as a regular file of at most PAGE_MAX_SIZE bytes;
 * returns the descriptor and its size, or -1. */
static int open_page(const struct edge_http *h, const char *name, uint64_t *size)
{
	int fd = openat(h->static_dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)PAGE_MAX_SIZE) {
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

enum MHD_Result edge_http_page(struct edge_http *h, struct MHD_Connection *c,
			       const struct edge_http_req *req)
{
	const char *type = page_type(req->name);
	struct MHD_Response *resp;
	enum MHD_Result ret = MHD_NO;
	uint64_t size = 0;
	int fd = type != NULL ? open_page(h, req->name, &size) : -1;

	if (fd < 0)
		return edge_http_refuse(h, c, EDGE_HTTP_NOT_FOUND);
	resp = MHD_create_response_from_fd64(size, fd); /* owns fd from here */
	if (resp == NULL) {
		close(fd);
		return MHD_NO;
	}
	if (edge_http_add_common(h, resp) == 0 &&
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) == MHD_YES &&
	    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") == MHD_YES &&
	    MHD_add_response_header(resp, "Cache-Control", "no-cache") == MHD_YES)
		ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}
