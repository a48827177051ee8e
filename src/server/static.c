/* SPDX-License-Identifier: MIT */
/*
 * static.c -- files of the web root (the reviewer console, web/) at /, and
 * the API description at /openapi.yaml (docs/openapi.yaml, compiled in).
 *
 * A request path is mapped under the web root only when every segment is
 * a plain name (no "..", no hidden ".name", no backslash); the resolved
 * file (after symlinks) must still lie inside the root, be a regular file
 * and be readable. "/" and folders serve their index.html. HTML is served
 * with Cache-Control: no-cache (the console's entry point must be fresh),
 * other files with a short public max-age. Unknown extensions are
 * application/octet-stream with nosniff.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/internal.h"

#include "openapi_yaml.h"

void pvg__h_openapi(req_t *r)
{
    sb_reset(&r->out);
    r->out.max = pvg__openapi_yaml_len + 1;
    if (sb_put(&r->out, pvg__openapi_yaml, pvg__openapi_yaml_len)) {
        pvg__req_error(r, 500, "out_of_memory", "the answer could not be built");
        return;
    }
    r->status = 200;
    r->ctype = "application/yaml; charset=utf-8";
    r->cache = "public, max-age=300";
}

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".yaml", "application/yaml; charset=utf-8"},
};

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return "application/octet-stream";
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcasecmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

int pvg__safe_path(const char *path)
{
    if (path[0] != '/')
        return 0;
    const char *p = path;
    while (*p) {
        p++; /* past '/' */
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - seg);
        if (n == 0)
            continue; /* "//" or trailing '/' */
        if (seg[0] == '.')
            return 0; /* ".", "..", hidden files */
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)seg[i];
            if (c < 0x20 || c == 0x7f || c == '\\' || c == ':')
                return 0;
        }
    }
    return 1;
}

void pvg__h_static(req_t *r)
{
    srv_t *s = r->srv;
    if (!s->web_root) {
        pvg__req_error(r, 404, "not_found", "no web root is configured");
        return;
    }
    if (!pvg__safe_path(r->path)) {
        pvg__req_error(r, 404, "not_found", "no such file");
        return;
    }
    char full[PATH_MAX + 64];
    size_t pl = strlen(r->path);
    int dir = pl && r->path[pl - 1] == '/';
    int n = snprintf(full, sizeof full, "%s%s%s", s->web_root, r->path, dir ? "index.html" : "");
    if (n < 0 || (size_t)n >= sizeof full) {
        pvg__req_error(r, 404, "not_found", "no such file");
        return;
    }
    struct stat st;
    if (!dir && stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
        n = snprintf(full, sizeof full, "%s%s/index.html", s->web_root, r->path);
        if (n < 0 || (size_t)n >= sizeof full) {
            pvg__req_error(r, 404, "not_found", "no such file");
            return;
        }
    }
    /* After symlinks, the file must still be inside the root. */
    char *real = realpath(full, NULL);
    size_t rl = strlen(s->web_root);
    if (!real || strncmp(real, s->web_root, rl) || real[rl] != '/') {
        free(real);
        pvg__req_error(r, 404, "not_found", "no such file");
        return;
    }
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        free(real);
        pvg__req_error(r, 404, "not_found", "no such file");
        return;
    }
    r->ctype = content_type(real);
    r->cache = !strncmp(r->ctype, "text/html", 9) ? "no-cache" : "public, max-age=3600";
    free(real);
    r->fd = fd;
    r->fd_size = (uint64_t)st.st_size;
    r->status = 200;
}
