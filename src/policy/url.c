/* SPDX-License-Identifier: MIT */
/*
 * url.c -- URL analysis: libcurl's URL parser, libidn2 and libpsl put
 * together into one flat record (url.h) the policy rules can test.
 *
 * The order of work: trim and check the input, refuse opaque URIs
 * ("mailto:"), let curl_url parse it (guessing "http" for bare hosts and
 * accepting schemes curl does not speak, since "hxxp://" and "intent://"
 * are still links), read the parts back, then turn the host into its two
 * forms with libidn2 (UTS #46 mapping: full-width and upper-case letters
 * fold, and the punycode form is what a browser would resolve), and ask the
 * built-in Public Suffix List for the registrable domain.
 *
 * Everything is stateless; curl_url and idn2 allocate and everything is
 * freed (and, where it held message bytes, wiped) before returning.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <idn2.h>
#include <libpsl.h>
#include <sodium.h>

#include "policy/url.h"

/* ---------------------------------------------------------------- helpers */

static int lower_ascii(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int is_alnum_ascii(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Copies src into dst (cap bytes), cutting it; returns 1 when it was cut. */
static int copy_cut(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    int cut = n >= cap;
    if (cut)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
    return cut;
}

/* Frees a string curl or idn2 returned, wiping it first: it held message
 * bytes. */
static void wipe_free_curl(char *p)
{
    if (p) {
        sodium_memzero(p, strlen(p));
        curl_free(p);
    }
}

static void wipe_free_idn(char *p)
{
    if (p) {
        sodium_memzero(p, strlen(p));
        idn2_free(p);
    }
}

/* Strict UTF-8 check (no overlongs, no surrogates, at most U+10FFFF). */
static int utf8_ok(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07;
        } else
            return 0;
        if (i + k >= n)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* "scheme:" with no "//" after it and no port-looking digits: an opaque
 * URI such as mailto:, javascript:, tel:, data:. A host with a port
 * ("kakao.com:8080", "localhost:80") is not one. */
static int is_opaque_uri(const char *b, size_t n)
{
    size_t i = 0;
    if (n == 0 || !((b[0] >= 'a' && b[0] <= 'z') || (b[0] >= 'A' && b[0] <= 'Z')))
        return 0;
    while (i < n && (is_alnum_ascii((unsigned char)b[i]) || b[i] == '+' || b[i] == '-' ||
                     b[i] == '.'))
        i++;
    if (i >= n || b[i] != ':')
        return 0;
    if (i + 2 < n && b[i + 1] == '/' && b[i + 2] == '/')
        return 0; /* scheme:// */
    if (memchr(b, '.', i))
        return 0; /* a host name before the colon */
    if (i + 1 < n && b[i + 1] >= '0' && b[i + 1] <= '9')
        return 0; /* host:port */
    return 1;
}

/* Whether b starts with "scheme://". */
static int has_scheme(const char *b, size_t n)
{
    size_t i = 0;
    if (n == 0 || !((b[0] >= 'a' && b[0] <= 'z') || (b[0] >= 'A' && b[0] <= 'Z')))
        return 0;
    while (i < n && (is_alnum_ascii((unsigned char)b[i]) || b[i] == '+' || b[i] == '-' ||
                     b[i] == '.'))
        i++;
    return i + 3 <= n && b[i] == ':' && b[i + 1] == '/' && b[i + 2] == '/';
}

/* Decodes %XX escapes of src[0..n) into dst (cap bytes, NUL-terminated,
 * cut). Invalid escapes are copied as they are. */
static void pct_decode(const char *src, size_t n, char *dst, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        int c = (unsigned char)src[i];
        if (c == '%' && i + 2 < n) {
            int hi = src[i + 1], lo = src[i + 2];
            int h = (hi >= '0' && hi <= '9') ? hi - '0'
                    : (lower_ascii(hi) >= 'a' && lower_ascii(hi) <= 'f') ? lower_ascii(hi) - 'a' + 10
                                                                         : -1;
            int l = (lo >= '0' && lo <= '9') ? lo - '0'
                    : (lower_ascii(lo) >= 'a' && lower_ascii(lo) <= 'f') ? lower_ascii(lo) - 'a' + 10
                                                                         : -1;
            if (h >= 0 && l >= 0) {
                c = h * 16 + l;
                i += 2;
            }
        }
        dst[o++] = (char)c;
    }
    dst[o] = 0;
}

/* The extension of the last path segment, percent-decoded and lowercased:
 * "/dl/App%2EAPK" -> "apk". Empty when there is none, it is longer than 15
 * bytes, or it holds anything but ASCII letters and digits. */
static void path_ext(const char *path, char ext[16])
{
    ext[0] = 0;
    const char *seg = strrchr(path, '/');
    seg = seg ? seg + 1 : path;
    char dec[PVG__URL_MAX_INPUT + 1];
    pct_decode(seg, strlen(seg), dec, sizeof dec);
    /* A decoded '/' ends the segment too (".../a%2Fb.apk"). */
    char *last = strrchr(dec, '/');
    const char *name = last ? last + 1 : dec;
    const char *dot = strrchr(name, '.');
    if (dot && dot != name) {
        size_t n = strlen(dot + 1);
        if (n >= 1 && n <= 15) {
            for (size_t i = 0; i < n; i++)
                if (!is_alnum_ascii((unsigned char)dot[1 + i]))
                    goto out;
            for (size_t i = 0; i < n; i++)
                ext[i] = (char)lower_ascii((unsigned char)dot[1 + i]);
            ext[n] = 0;
        }
    }
out:
    sodium_memzero(dec, sizeof dec);
}

/* Whether any dot-separated label of an ASCII host starts with "xn--". */
static int has_xn_label(const char *h)
{
    const char *p = h;
    for (;;) {
        if ((p[0] == 'x' || p[0] == 'X') && (p[1] == 'n' || p[1] == 'N') && p[2] == '-' &&
            p[3] == '-')
            return 1;
        p = strchr(p, '.');
        if (!p)
            return 0;
        p++;
    }
}

/* Number of dot-separated labels. */
static size_t n_labels(const char *h)
{
    size_t n = 1;
    for (; *h; h++)
        n += *h == '.';
    return n;
}

/* Fills the host fields from curl's host string (percent-decoded UTF-8). */
static int fill_host(const char *raw, pvg__url_t *out)
{
    size_t n = strlen(raw);
    if (n == 0)
        return PVG_EINVAL;
    if (raw[0] == '[') { /* curl has validated the IPv6 literal */
        if (copy_cut(out->host, sizeof out->host, raw))
            return PVG_EINVAL;
        for (char *p = out->host; *p; p++)
            *p = (char)lower_ascii((unsigned char)*p);
        memcpy(out->host_ascii, out->host, sizeof out->host);
        out->is_ip = 1;
        return PVG_OK;
    }
    char h[256];
    if (raw[n - 1] == '.')
        n--; /* "naver.com." is naver.com */
    if (n == 0 || n > 253)
        return PVG_EINVAL;
    int ascii = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)raw[i];
        ascii &= c < 0x80;
        h[i] = (char)lower_ascii(c);
    }
    h[n] = 0;
    int rc = PVG_OK;
    char *a = NULL, *u = NULL;
    if (ascii) {
        memcpy(out->host_ascii, h, n + 1);
        struct in_addr v4;
        if (inet_pton(AF_INET, h, &v4) == 1) {
            out->is_ip = 1;
            memcpy(out->host, h, n + 1);
            goto done;
        }
        out->has_punycode = has_xn_label(h);
        if (out->has_punycode && idn2_to_unicode_8z8z(h, &u, 0) == IDN2_OK && u &&
            strlen(u) < sizeof out->host && utf8_ok((const unsigned char *)u, strlen(u))) {
            memcpy(out->host, u, strlen(u) + 1);
        } else
            memcpy(out->host, h, n + 1); /* undecodable punycode stays as written */
    } else {
        if (!utf8_ok((const unsigned char *)h, n)) {
            rc = PVG_EINVAL;
            goto done;
        }
        if (idn2_to_ascii_8z(h, &a, IDN2_NONTRANSITIONAL) != IDN2_OK) {
            idn2_free(a);
            a = NULL;
            if (idn2_to_ascii_8z(h, &a, IDN2_TRANSITIONAL) != IDN2_OK) {
                idn2_free(a);
                a = NULL;
            }
        }
        if (a && strlen(a) <= 253 && idn2_to_unicode_8z8z(a, &u, 0) == IDN2_OK && u &&
            strlen(u) < sizeof out->host && utf8_ok((const unsigned char *)u, strlen(u))) {
            memcpy(out->host_ascii, a, strlen(a) + 1);
            memcpy(out->host, u, strlen(u) + 1);
        } else {
            out->idn_error = 1;
            memcpy(out->host, h, n + 1);
        }
    }
    /* UTS #46 maps some characters to nothing (U+FEFF, soft hyphen): a
     * host made of them only is no host. */
    if (!out->host[0] || (out->host_ascii[0] == 0 && !out->idn_error)) {
        rc = PVG_EINVAL;
        goto done;
    }
    /* IDN: the host still has non-ASCII characters after UTS #46 mapping
     * (full-width ＫＡＫＡＯ.com is plain kakao.com). */
    for (const char *p = out->host; *p; p++)
        out->is_idn |= (unsigned char)*p >= 0x80;
    if (!out->is_ip) {
        const psl_ctx_t *psl = psl_builtin();
        const char *key = out->host_ascii[0] ? out->host_ascii : out->host;
        const char *r = psl ? psl_registrable_domain(psl, key) : NULL;
        if (r && strlen(r) < sizeof out->registrable) {
            memcpy(out->registrable, r, strlen(r) + 1);
            /* The Unicode form: as many trailing labels of host. */
            size_t want = n_labels(r), have = n_labels(out->host);
            const char *p = out->host;
            for (size_t skip = have > want ? have - want : 0; skip; skip--)
                p = strchr(p, '.') + 1;
            copy_cut(out->registrable_u, sizeof out->registrable_u, p);
        }
    }
done:
    wipe_free_idn(a);
    wipe_free_idn(u);
    sodium_memzero(h, sizeof h);
    return rc;
}

/* ------------------------------------------------------------------ parse */

int pvg__url_parse(const char *s, size_t len, pvg__url_t *out)
{
    if (!out)
        return PVG_EINVAL;
    memset(out, 0, sizeof *out);
    if (!s && len)
        return PVG_EINVAL;
    while (len && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
                   s[len - 1] == '\n'))
        len--;
    if (len == 0)
        return PVG_EINVAL;
    if (len > PVG__URL_MAX_INPUT)
        return PVG_ETOOBIG;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7F)
            return PVG_EINVAL;
    }
    if (is_opaque_uri(s, len))
        return PVG_EINVAL;

    char buf[PVG__URL_MAX_INPUT + 1];
    memcpy(buf, s, len);
    buf[len] = 0;
    int guessed = !has_scheme(buf, len);

    int rc = PVG_OK;
    char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL, *pass = NULL, *path = NULL;
    CURLU *h = curl_url();
    if (!h) {
        rc = PVG_ENOMEM;
        goto out;
    }
    CURLUcode uc = curl_url_set(h, CURLUPART_URL, buf,
                                CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME);
    if (uc != CURLUE_OK) {
        rc = uc == CURLUE_OUT_OF_MEMORY ? PVG_ENOMEM : PVG_EINVAL;
        goto out;
    }
    uc = curl_url_get(h, CURLUPART_HOST, &host, 0);
    if (uc != CURLUE_OK || !host) {
        rc = uc == CURLUE_OUT_OF_MEMORY ? PVG_ENOMEM : PVG_EINVAL;
        goto out;
    }
    if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK && scheme) {
        if (copy_cut(out->scheme, sizeof out->scheme, scheme)) {
            rc = PVG_EINVAL; /* no real scheme is that long */
            goto out;
        }
        for (char *p = out->scheme; *p; p++)
            *p = (char)lower_ascii((unsigned char)*p);
    }
    out->scheme_guessed = guessed;
    if (curl_url_get(h, CURLUPART_PORT, &port, 0) == CURLUE_OK && port) {
        long v = strtol(port, NULL, 10);
        out->port = (v > 0 && v <= 65535) ? (int)v : 0;
    }
    CURLUcode u1 = curl_url_get(h, CURLUPART_USER, &user, 0);
    CURLUcode u2 = curl_url_get(h, CURLUPART_PASSWORD, &pass, 0);
    if (u1 == CURLUE_OUT_OF_MEMORY || u2 == CURLUE_OUT_OF_MEMORY) {
        rc = PVG_ENOMEM;
        goto out;
    }
    out->has_userinfo = user != NULL || pass != NULL;
    if (user)
        copy_cut(out->userinfo, sizeof out->userinfo, user);
    if (curl_url_get(h, CURLUPART_PATH, &path, 0) == CURLUE_OK && path) {
        out->path_truncated = copy_cut(out->path, sizeof out->path, path);
        path_ext(path, out->ext);
    }
    rc = fill_host(host, out);

out:
    wipe_free_curl(scheme);
    wipe_free_curl(host);
    wipe_free_curl(port);
    wipe_free_curl(user);
    wipe_free_curl(pass);
    wipe_free_curl(path);
    curl_url_cleanup(h); /* NULL is a no-op */
    sodium_memzero(buf, len + 1);
    if (rc != PVG_OK)
        sodium_memzero(out, sizeof *out);
    return rc;
}

void pvg__url_wipe(pvg__url_t *u)
{
    if (u)
        sodium_memzero(u, sizeof *u);
}

int pvg__url_registrable(const char *host, size_t len, char out[256], char out_u[256])
{
    if (!out)
        return PVG_EINVAL;
    out[0] = 0;
    if (out_u)
        out_u[0] = 0;
    if (!host && len)
        return PVG_EINVAL;
    /* A host alone: refuse anything that would make curl see more than a
     * host (path, userinfo, port, query). */
    for (size_t i = 0; i < len; i++)
        if (host[i] == '/' || host[i] == '@' || host[i] == '?' || host[i] == '#' ||
            host[i] == ':' || host[i] == '\\')
            return PVG_EINVAL;
    pvg__url_t u;
    int rc = pvg__url_parse(host, len, &u);
    if (rc != PVG_OK)
        return rc;
    if (!u.registrable[0]) {
        pvg__url_wipe(&u);
        return PVG_ENOTFOUND;
    }
    memcpy(out, u.registrable, sizeof u.registrable);
    if (out_u)
        memcpy(out_u, u.registrable_u, sizeof u.registrable_u);
    pvg__url_wipe(&u);
    return PVG_OK;
}
