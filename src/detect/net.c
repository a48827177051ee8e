/* SPDX-License-Identifier: MIT */
/*
 * net.c -- EMAIL_ADDRESS, URL and IP_ADDRESS.
 *
 * E-mail: anchored on '@'; a local part of the usual characters and a
 * domain whose last labels are a public suffix (libpsl), IDN labels allowed.
 * URL: scheme:// or www. prefixes, and bare domains when their TLD is common
 * in chat (naver.com, bit.ly/x) or a path follows; open-chat links too. A
 * URL is a signal for the policy layer, not personal information.
 * IP: dotted-quad IPv4 (with a /prefix), and IPv6 validated by inet_pton
 * (with %zone and /prefix); version numbers (v1.2.3.4, 버전 1.2.3.4) are not
 * addresses.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "engine/internal.h"

static int is_alnum(uint8_t c) { return isalnum(c) != 0; }
static int local_char(uint8_t c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* Extends a host name from i over labels; returns its end. Non-ASCII bytes
 * count as label characters only when they are letters of an IDN (not
 * Hangul text glued after an ASCII domain: "naver.com에서"). */
static size_t host_end(const uint8_t *t, size_t n, size_t i, int allow_idn)
{
    size_t j = i;
    while (j < n) {
        if (is_alnum(t[j]) || t[j] == '-')
            j++;
        else if (t[j] == '.' && j + 1 < n && (is_alnum(t[j + 1]) || (allow_idn && t[j + 1] >= 0x80)))
            j++;
        else if (allow_idn && t[j] >= 0x80) {
            size_t l;
            uint32_t cp = pvg__utf8_decode(t + j, &l);
            if (cp >= 0xAC00 && cp <= 0xD7A3 && j > i && t[j - 1] != '.')
                break; /* Hangul glued to an ASCII label is a particle */
            if (j + l > n)
                break;
            j += l;
        } else
            break;
    }
    /* A trailing hyphen is not part of a host. */
    while (j > i && t[j - 1] == '-')
        j--;
    return j;
}

/* Whether the domain's TLD is a common one (for bare domains in chat). */
static int common_tld(const uint8_t *host, size_t n)
{
    static const char *const tlds[] = {
        "com", "net", "org", "kr", "io", "me", "ly", "gl", "gg", "co", "us", "uk",
        "jp", "cn", "info", "biz", "xyz", "app", "dev", "site", "shop", "link",
        "top", "club", "online", "store", "tv", "to", "cc", "ru", "de", "fr", "in",
        "il", "edu", "gov", "ai", "vip", "live", "kakao", "naver", "page", "click",
    };
    size_t k = n;
    while (k > 0 && host[k - 1] != '.')
        k--;
    size_t tl = n - k;
    for (size_t i = 0; i < sizeof tlds / sizeof tlds[0]; i++)
        if (strlen(tlds[i]) == tl && !strncasecmp((const char *)host + k, tlds[i], tl))
            return 1;
    return 0;
}

/* Public-suffix answers are cached per scratch: the same few domains
 * (naver.com, gmail.com) come back in message after message, and libpsl
 * costs a few thousand instructions a question. */
static int domain_ok_cached(pvg__scan_t *sc, const uint8_t *h, size_t n)
{
    if (n == 0 || n > 64)
        return pvg__domain_ok((const char *)h, n);
    uint64_t k = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        k = (k ^ (h[i] | 0x20)) * 1099511628211ull;
    k |= 1; /* 0 marks an empty slot */
    pvg__domain_memo_t *m = &sc->s->domain_memo[k % PVG__DOMAIN_MEMO];
    if (m->key == k && m->len == n)
        return m->ok;
    int ok = pvg__domain_ok((const char *)h, n);
    m->key = k;
    m->len = (uint32_t)n;
    m->ok = ok;
    return ok;
}

/* ----------------------------------------------------------------- email */

static void detect_email(pvg__scan_t *sc)
{
    const uint8_t *t = sc->t;
    size_t n = sc->n;
    const uint8_t *p = t;
    while ((p = memchr(p, '@', (size_t)(t + n - p))) != NULL) {
        size_t at = (size_t)(p - t);
        p++;
        size_t ls = at;
        while (ls > 0 && local_char(t[ls - 1]))
            ls--;
        while (ls < at && (t[ls] == '.' || t[ls] == '-'))
            ls++;
        if (ls == at || t[at - 1] == '.')
            continue;
        size_t he = host_end(t, n, at + 1, 1);
        if (he <= at + 1 || !memchr(t + at + 1, '.', he - at - 1))
            continue;
        if (!domain_ok_cached(sc, t + at + 1, he - at - 1))
            continue;
        float score = 0.9f;
        int neg, ctx = pvg__context(sc, PVG_EMAIL_ADDRESS, ls, he, &neg);
        if (ctx)
            score += 0.08f;
        if (neg)
            score -= 0.3f;
        pvg__emit(sc, PVG_EMAIL_ADDRESS, ls, he, score);
    }
}

/* ------------------------------------------------------------------- url */

static int url_char(uint8_t c)
{
    return c > 0x20 && c < 0x7f && c != '"' && c != '\'' && c != '<' && c != '>' &&
           c != '`' && c != '{' && c != '}' && c != '|' && c != '\\' && c != '^';
}

/* Extends a URL's path, query and fragment from i; trailing punctuation
 * and an unbalanced closing parenthesis are not part of it. */
static size_t url_tail(const uint8_t *t, size_t n, size_t i)
{
    size_t j = i;
    int depth = 0;
    while (j < n && url_char(t[j])) {
        if (t[j] == '(')
            depth++;
        else if (t[j] == ')') {
            if (depth == 0)
                break;
            depth--;
        }
        j++;
    }
    while (j > i && strchr(".,;:!?)]", t[j - 1]))
        j--;
    return j;
}

static void emit_url(pvg__scan_t *sc, size_t start, size_t end, float score)
{
    int neg, ctx = pvg__context(sc, PVG_URL, start, end, &neg);
    if (ctx)
        score += 0.05f;
    pvg__emit(sc, PVG_URL, start, end, score);
}

/* The scheme ending at t[colon] ("https" in "https://"), or 0. */
static size_t scheme_start(const uint8_t *t, size_t colon)
{
    size_t k = colon;
    while (k > 0 && isalpha(t[k - 1]) && colon - k < 8)
        k--;
    size_t l = colon - k;
    if ((l == 4 && !strncasecmp((const char *)t + k, "http", 4)) ||
        (l == 5 && !strncasecmp((const char *)t + k, "https", 5)) ||
        (l == 3 && !strncasecmp((const char *)t + k, "ftp", 3))) {
        if (k > 0 && is_alnum(t[k - 1]))
            return (size_t)-1;
        return k;
    }
    return (size_t)-1;
}

/*
 * URLs are found from their dots (every host name has one), so text without
 * a dot costs one memchr: for each dot the host around it is taken, then
 * whatever stands before it decides the kind -- "scheme://", "www." or
 * nothing (a bare domain, which needs a common TLD or a path).
 */
static void detect_url(pvg__scan_t *sc)
{
    const uint8_t *t = sc->t;
    size_t n = sc->n;
    size_t from = 0;
    /* IPv6 literals and localhost have no dot in the host: look for them
     * only when a scheme is written. */
    const uint8_t *p = memchr(t, ':', n) ? t : t + n;
    while (p < t + n && (p = memmem(p, (size_t)(t + n - p), "://", 3)) != NULL) {
        size_t colon = (size_t)(p - t);
        p += 3;
        size_t k = scheme_start(t, colon);
        if (k == (size_t)-1 || colon + 3 >= n)
            continue;
        size_t hs = colon + 3, he;
        if (t[hs] == '[') {
            const uint8_t *rb = memchr(t + hs, ']', n - hs);
            if (!rb)
                continue;
            he = (size_t)(rb - t) + 1;
        } else if (n - hs >= 9 && !strncasecmp((const char *)t + hs, "localhost", 9)) {
            he = hs + 9;
        } else
            continue;
        size_t end = url_tail(t, n, he);
        emit_url(sc, k, end, 0.95f);
    }
    while (from < n) {
        const uint8_t *dot = memchr(t + from, '.', n - from);
        if (!dot)
            break;
        size_t i = (size_t)(dot - t);
        from = i + 1;
        if (i == 0 || i + 1 >= n || !is_alnum(t[i - 1]) || !(isalpha(t[i + 1]) || t[i + 1] >= 0x80))
            continue;
        size_t hs = i;
        while (hs > 0 && (is_alnum(t[hs - 1]) || t[hs - 1] == '-' ||
                          (t[hs - 1] == '.' && hs > 1 && is_alnum(t[hs - 2]))))
            hs--;
        /* user@host in a URL */
        size_t scheme = (size_t)-1;
        if (hs >= 3 && t[hs - 1] == '/' && t[hs - 2] == '/' && t[hs - 3] == ':')
            scheme = scheme_start(t, hs - 3);
        int www = n - hs > 4 && !strncasecmp((const char *)t + hs, "www.", 4);
        if (scheme == (size_t)-1 && hs > 0 &&
            (t[hs - 1] == '@' || t[hs - 1] == '/' || t[hs - 1] == ':' || t[hs - 1] == '.' ||
             t[hs - 1] == '_' || t[hs - 1] == '\\'))
            continue;
        size_t he = host_end(t, n, hs, scheme != (size_t)-1);
        if (he <= i + 1) {
            continue;
        }
        from = he;
        if (he < n && t[he] == '@')
            continue; /* an e-mail address */
        int digits_only = 1;
        for (size_t k = hs; k < he; k++)
            if (!isdigit(t[k]) && t[k] != '.')
                digits_only = 0;
        if (digits_only && scheme == (size_t)-1)
            continue;
        int path = he < n && (t[he] == '/' || t[he] == '?' || t[he] == ':');
        if (scheme != (size_t)-1) {
            if (!digits_only && !domain_ok_cached(sc, t + hs, he - hs))
                continue;
            size_t end = url_tail(t, n, he);
            emit_url(sc, scheme, end, 0.95f);
            from = end;
        } else if (www) {
            /* Brand TLDs make "www.microsoft" a valid name; written without a
             * scheme, it needs a common or short TLD, or a path. */
            size_t dl = he;
            while (dl > hs && t[dl - 1] != '.')
                dl--;
            if (!domain_ok_cached(sc, t + hs, he - hs) ||
                !(path || common_tld(t + hs, he - hs) || he - dl <= 4))
                continue;
            size_t end = url_tail(t, n, he);
            emit_url(sc, hs, end, 0.9f);
            from = end;
        } else {
            if (!(path || common_tld(t + hs, he - hs)) || !domain_ok_cached(sc, t + hs, he - hs))
                continue;
            size_t end = path ? url_tail(t, n, he) : he;
            if (end < n && t[end] == '(')
                continue; /* a function call: foo.click() */
            emit_url(sc, hs, end, path ? 0.85f : 0.75f);
            from = end;
        }
    }
}

/* -------------------------------------------------------------------- ip */

static size_t ipv4_at(const uint8_t *t, size_t n, size_t i)
{
    size_t j = i;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (j >= n || t[j] != '.')
                return 0;
            j++;
        }
        size_t k = j;
        int v = 0;
        while (j < n && isdigit(t[j]) && j - k < 4)
            v = v * 10 + (t[j++] - '0');
        if (j == k || j - k > 3 || v > 255)
            return 0;
    }
    if (j < n && isdigit(t[j]))
        return 0;
    return j;
}

/* An optional /prefix no larger than max. */
static size_t prefix_len(const uint8_t *t, size_t n, size_t j, int max)
{
    if (j + 1 < n && t[j] == '/' && isdigit(t[j + 1])) {
        size_t k = j + 1;
        int v = 0;
        while (k < n && isdigit(t[k]) && k - j <= 3)
            v = v * 10 + (t[k++] - '0');
        if (v <= max && !(k < n && isdigit(t[k])))
            return k;
    }
    return j;
}

static void emit_ip(pvg__scan_t *sc, size_t start, size_t end, float score)
{
    int neg, ctx = pvg__context(sc, PVG_IP_ADDRESS, start, end, &neg);
    if (ctx)
        score += 0.15f;
    if (neg)
        score -= 0.5f;
    if (pvg__hit_in(sc, PVG__ANCHOR_VERSION, 0, start > 12 ? start - 12 : 0, start))
        score -= 0.5f;
    pvg__emit(sc, PVG_IP_ADDRESS, start, end, score);
}

static int hex_or_colon(uint8_t c) { return isxdigit(c) || c == ':' || c == '.'; }

static void detect_ip(pvg__scan_t *sc)
{
    const uint8_t *t = sc->t;
    size_t n = sc->n;
    /* IPv4 needs a digit run of four dotted groups. */
    int v4 = 0;
    for (size_t r = 0; r < sc->s->n_runs && !v4; r++) {
        const pvg__run_t *run = &sc->s->runs[r];
        int dots = 0;
        for (unsigned g = 0; g + 1 < run->ngroups; g++)
            dots += run->gsep[g] == '.';
        v4 = dots >= 3;
    }
    for (size_t i = 0; v4 && i < n; i++) {
        if (!isdigit(t[i]) || (i > 0 && (isalnum(t[i - 1]) || t[i - 1] == '.')))
            continue;
        size_t e = ipv4_at(t, n, i);
        if (!e) {
            while (i + 1 < n && isdigit(t[i + 1]))
                i++;
            continue;
        }
        if (e < n && isalpha(t[e]))
            continue;
        size_t end = prefix_len(t, n, e, 32);
        emit_ip(sc, i, end, 0.75f);
        i = e;
    }
    /* IPv6: runs of hex digits, colons and dots with two colons at least. */
    const uint8_t *colon = memchr(t, ':', n);
    if (!colon)
        return;
    for (size_t i = (size_t)(colon - t) > 40 ? (size_t)(colon - t) - 40 : 0; i < n; i++) {
        if (!(isxdigit(t[i]) || t[i] == ':'))
            continue;
        if (i > 0 && (isalnum(t[i - 1]) || t[i - 1] == ':' || t[i - 1] == '.'))
            continue;
        size_t j = i, colons = 0;
        while (j < n && hex_or_colon(t[j]) && j - i < 64) {
            colons += t[j] == ':';
            j++;
        }
        while (j > i && t[j - 1] == '.')
            j--;
        if (colons < 2) {
            i = j;
            continue;
        }
        /* "fe80::1text", "std::cout": glued to letters is not an address. */
        size_t core_end = j;
        if (j < n && (isalpha(t[j]) || t[j] == '_')) {
            i = j;
            continue;
        }
        char buf[72];
        memcpy(buf, t + i, j - i);
        buf[j - i] = 0;
        struct in6_addr a;
        if (inet_pton(AF_INET6, buf, &a) != 1) {
            i = j;
            continue;
        }
        size_t end = core_end;
        if (end + 1 < n && t[end] == '%' && isalnum(t[end + 1])) {
            size_t k = end + 1;
            while (k < n && (isalnum(t[k]) || t[k] == '_' || t[k] == '.'))
                k++;
            end = k;
        }
        end = prefix_len(t, n, end, 128);
        /* "::" alone is a common separator in chat ("제목 :: 내용"): it is
         * the unspecified address only where IP context says so. */
        int bare = 1;
        for (size_t k = i; k < core_end; k++)
            if (t[k] != ':')
                bare = 0;
        if (bare) {
            int neg, ctx = pvg__context(sc, PVG_IP_ADDRESS, i, end, &neg);
            if (!ctx)
                continue;
        }
        emit_ip(sc, i, end, 0.8f);
        i = end;
    }
}

void pvg__detect_email(pvg__scan_t *sc)
{
    if (sc->e->det[PVG_EMAIL_ADDRESS].enabled)
        detect_email(sc);
}

void pvg__detect_url(pvg__scan_t *sc)
{
    if (sc->e->det[PVG_URL].enabled)
        detect_url(sc);
}

void pvg__detect_ip(pvg__scan_t *sc)
{
    if (sc->e->det[PVG_IP_ADDRESS].enabled)
        detect_ip(sc);
}
