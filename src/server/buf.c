/* SPDX-License-Identifier: MIT */
/*
 * buf.c -- the service's growable buffer with a ceiling (sb_t), used for
 * request bodies and JSON answers. A buffer is reused across the requests
 * of one connection (reset, not freed), which keeps the hot path free of
 * allocations once a connection has warmed up; memory that held message
 * text is wiped before it is reused or freed.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

void sb_init(sb_t *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max;
}

void sb_reset(sb_t *b)
{
    b->len = 0;
    b->too_big = b->oom = 0;
}

void sb_wipe_free(sb_t *b)
{
    if (b->data) {
        sodium_memzero(b->data, b->len < b->cap ? b->len : b->cap);
        free(b->data);
    }
    b->data = NULL;
    b->len = b->cap = 0;
}

void sb_shrink(sb_t *b, size_t keep)
{
    if (b->cap > keep) {
        size_t max = b->max;
        sb_wipe_free(b);
        b->max = max;
    }
}

int sb_failed(const sb_t *b) { return b->too_big || b->oom; }

static int grow(sb_t *b, size_t need)
{
    if (b->too_big || b->oom)
        return -1;
    if (need > b->max) {
        b->too_big = 1;
        return -1;
    }
    if (need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < need + 1)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = malloc(cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    if (b->len)
        memcpy(p, b->data, b->len);
    if (b->data) {
        sodium_memzero(b->data, b->len);
        free(b->data);
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int sb_put(sb_t *b, const void *p, size_t n)
{
    if (b->len > b->max || n > b->max - b->len) {
        b->too_big = 1;
        return -1;
    }
    if (grow(b, b->len + n))
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int sb_puts(sb_t *b, const char *s) { return sb_put(b, s, strlen(s)); }

int sb_putc(sb_t *b, char c) { return sb_put(b, &c, 1); }

int sb_printf(sb_t *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof small)
        return sb_put(b, small, (size_t)n);
    if (grow(b, b->len + (size_t)n))
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int sb_json_str(sb_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (sb_putc(b, '"'))
        return -1;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (sb_put(b, s + run, i - run))
            return -1;
        run = i + 1;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t el = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            el = 6;
        }
        if (sb_put(b, esc, el))
            return -1;
    }
    if (sb_put(b, s + run, n - run))
        return -1;
    return sb_putc(b, '"');
}
