/* SPDX-License-Identifier: MIT */
/*
 * mask.c -- partial, full and label masks for findings.
 *
 * A value is masked character by character (UTF-8 aware): its "value
 * characters" (everything but separators such as spaces, '-', '.', '(', ')',
 * '+', '/', '@') are counted, and each type keeps a few of them visible.
 * Every masked character becomes one '*', so a Hangul digit (오) or a
 * full-width digit (５) turns into a single star too.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/mask.h"

static int reserve(mask_buf_t *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    char *d = malloc(cap);
    if (!d)
        return -1;
    if (b->data) {
        memcpy(d, b->data, b->len);
        memset(b->data, 0, b->cap);
        free(b->data);
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

static int put(mask_buf_t *b, const char *s, size_t n)
{
    if (reserve(b, n))
        return -1;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

void mask_buf_free(mask_buf_t *b)
{
    if (b->data) {
        memset(b->data, 0, b->cap);
        free(b->data);
    }
    memset(b, 0, sizeof *b);
}

static size_t char_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static int is_sep(const char *p, size_t n)
{
    /* full-width hyphen, space and full stop */
    if (n == 3 && (!memcmp(p, "\xEF\xBC\x8D", 3) || !memcmp(p, "\xE3\x80\x80", 3) ||
                   !memcmp(p, "\xEF\xBC\x8E", 3)))
        return 1;
    if (n != 1)
        return 0;
    return strchr(" -.()+/@:,_\t\r\n", *p) != NULL && *p;
}

/* How many value characters to keep at the start and end of each type. */
static void keep_counts(int type, size_t nvals, size_t *head, size_t *tail)
{
    *head = *tail = 0;
    switch (type) {
    case PVG_PHONE_NUMBER:
        *head = nvals >= 10 ? 3 : 2;
        *tail = 4;
        break;
    case PVG_KR_RRN:
    case PVG_KR_FRN:
    case PVG_DATE_OF_BIRTH:
        *head = 6;
        break;
    case PVG_CREDIT_CARD:
    case PVG_KR_BANK_ACCOUNT:
        *head = 4;
        *tail = 4;
        break;
    case PVG_PERSON:
        *head = 1;
        break;
    case PVG_KR_PASSPORT:
    case PVG_KR_DRIVER_LICENSE:
        *head = 2;
        break;
    default:
        break;
    }
    if (*head + *tail >= nvals) {
        *head = nvals / 3;
        *tail = 0;
    }
}

/* The e-mail rule: keep two characters of the mailbox and the domain. */
static int mask_email(mask_buf_t *b, const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    size_t local = at ? (size_t)(at - s) : n;
    size_t keep = local > 4 ? 2 : 1;
    if (put(b, s, keep))
        return -1;
    for (size_t i = keep; i < local; i++)
        if (put(b, "*", 1))
            return -1;
    return put(b, s + local, n - local);
}

/* The IP rule: keep the first half of the address. */
static int mask_ip(mask_buf_t *b, const char *s, size_t n)
{
    size_t dots = 0, colons = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.' || c == ':') {
            dots += c == '.';
            colons += c == ':';
            if (put(b, &c, 1))
                return -1;
            continue;
        }
        int keep = (dots + colons) < 2 || (colons && colons < 3);
        if (put(b, keep ? &s[i] : "*", 1))
            return -1;
    }
    return 0;
}

static int mask_one(mask_buf_t *b, const char *s, size_t n, int type, int mode)
{
    if (mode == MASK_LABEL) {
        const char *name = pvg_entity_name(type);
        return put(b, "[", 1) || put(b, name, strlen(name)) || put(b, "]", 1);
    }
    if (mode == MASK_PARTIAL && type == PVG_EMAIL_ADDRESS)
        return mask_email(b, s, n);
    if (mode == MASK_PARTIAL && type == PVG_IP_ADDRESS)
        return mask_ip(b, s, n);
    size_t nvals = 0;
    for (size_t i = 0; i < n;) {
        size_t l = char_len((unsigned char)s[i]);
        if (i + l > n)
            l = n - i;
        if (!is_sep(s + i, l))
            nvals++;
        i += l;
    }
    size_t head = 0, tail = 0;
    if (mode == MASK_PARTIAL)
        keep_counts(type, nvals, &head, &tail);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t l = char_len((unsigned char)s[i]);
        if (i + l > n)
            l = n - i;
        if (is_sep(s + i, l)) {
            if (put(b, s + i, l))
                return -1;
        } else {
            int keep = k < head || k >= nvals - tail;
            if (put(b, keep ? s + i : "*", keep ? l : 1))
                return -1;
            k++;
        }
        i += l;
    }
    return 0;
}

int mask_text(mask_buf_t *b, const char *text, size_t len, const pvg_finding_t *f, size_t n,
              float min_score, int mode)
{
    b->len = 0;
    if (reserve(b, len + 1))
        return -1;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].score < min_score || f[i].type == PVG_URL)
            continue;
        if (f[i].start < at || f[i].end > len)
            continue;
        /* The back part of a value split across messages shows nothing. */
        int m = f[i].prev_id && mode == MASK_PARTIAL ? MASK_FULL : mode;
        if (put(b, text + at, f[i].start - at) ||
            mask_one(b, text + f[i].start, f[i].end - f[i].start, (int)f[i].type, m))
            return -1;
        at = f[i].end;
    }
    return put(b, text + at, len - at);
}
