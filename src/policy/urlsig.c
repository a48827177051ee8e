/* SPDX-License-Identifier: MIT */
/*
 * urlsig.c -- URL signals for the policy: host, registrable domain (libpsl),
 * lists of the rules (official domains, shorteners, forms), and look-alikes.
 *
 * A domain imitates an official one when it is not official itself and one
 * of its labels contains the official domain's first label or a protected
 * name written in Latin letters (kakao-help.com, kakaotalk-security.net,
 * kbstar-login.xyz), or differs from it by one edit (naver.co, kakoa.com).
 */
#include <ctype.h>
#include <string.h>

#include <libpsl.h>

#include "policy/urlsig.h"

static int list_has(const pvg__strlist_t *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->s[i], s))
            return 1;
    return 0;
}

/* Levenshtein distance of two short ASCII strings, capped at 3. */
static int edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
    if (na > 40 || nb > 40)
        return 3;
    int d[41][41];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1, z = d[i - 1][j - 1] + cost;
            d[i][j] = x < y ? (x < z ? x : z) : (y < z ? y : z);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1; /* transposition: kakoa */
        }
    return d[na][nb] > 3 ? 3 : d[na][nb];
}

static const char *lookalike(const pvg__policy_t *p, const char *reg)
{
    size_t rl = strlen(reg);
    const char *dot = strchr(reg, '.');
    size_t label = dot ? (size_t)(dot - reg) : rl;
    for (size_t i = 0; i < p->official_domains.n; i++) {
        const char *off = p->official_domains.s[i];
        const char *od = strchr(off, '.');
        size_t ol = od ? (size_t)(od - off) : strlen(off);
        if (ol < 4)
            continue; /* too short to judge (kb.com) */
        /* The official label inside another registrable domain. */
        for (size_t k = 0; k + ol <= rl; k++)
            if (!memcmp(reg + k, off, ol))
                return off;
        /* One edit away, same or other suffix: naver.co, kakoa.com. */
        if (edit_distance(reg, label, off, ol) <= 1 && label >= 4)
            return off;
        if (edit_distance(reg, rl, off, strlen(off)) <= 1)
            return off;
    }
    return NULL;
}

int pvg__urlsig(const pvg__policy_t *p, const char *u, size_t n, pvg__urlsig_t *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    for (size_t k = 0; k + 2 < n && k < 12; k++)
        if (u[k] == ':' && u[k + 1] == '/' && u[k + 2] == '/') {
            i = k + 3;
            break;
        }
    size_t hs = i, he = i;
    while (he < n && u[he] != '/' && u[he] != '?' && u[he] != '#')
        he++;
    /* user@host: the real host is after the last '@'. */
    for (size_t k = hs; k < he; k++)
        if (u[k] == '@') {
            out->userinfo = 1;
            hs = k + 1;
        }
    size_t port = he;
    for (size_t k = hs; k < he; k++)
        if (u[k] == ':' && u[hs] != '[') {
            port = k;
            break;
        }
    size_t hl = port - hs;
    if (hl == 0 || hl >= sizeof out->host)
        return -1;
    for (size_t k = 0; k < hl; k++)
        out->host[k] = (char)tolower((unsigned char)u[hs + k]);
    out->host[hl] = 0;
    int digits = 1;
    for (size_t k = 0; k < hl; k++)
        if (!isdigit((unsigned char)out->host[k]) && out->host[k] != '.')
            digits = 0;
    out->is_ip = digits || out->host[0] == '[';
    out->punycode = strstr(out->host, "xn--") != NULL;
    const char *host = out->host;
    if (!strncmp(host, "www.", 4))
        host += 4;
    const char *reg = out->is_ip ? NULL : psl_registrable_domain(psl_builtin(), out->host);
    snprintf(out->registrable, sizeof out->registrable, "%s", reg ? reg : host);
    out->official = list_has(&p->official_domains, out->registrable);
    out->shortener = list_has(&p->shorteners, out->registrable) || list_has(&p->shorteners, host);
    out->form = list_has(&p->form_domains, host) || list_has(&p->form_domains, out->registrable);
    if (!out->official && !out->is_ip)
        out->lookalike_of = lookalike(p, out->registrable);
    /* The extension of the path's last segment. */
    if (he < n) {
        size_t end = n, dot = 0;
        for (size_t k = he; k < n; k++) {
            if (u[k] == '?' || u[k] == '#') {
                end = k;
                break;
            }
        }
        for (size_t k = end; k > he; k--) {
            if (u[k - 1] == '/')
                break;
            if (u[k - 1] == '.') {
                dot = k;
                break;
            }
        }
        if (dot && end - dot < sizeof out->ext) {
            for (size_t k = dot; k < end; k++)
                out->ext[k - dot] = (char)tolower((unsigned char)u[k]);
            out->ext[end - dot] = 0;
        }
    }
    return 0;
}

/* Folds a display name for comparison: lowercase ASCII, no spaces,
 * punctuation or decorations. */
static size_t fold_name(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 && !isalnum(c))
            continue;
        out[o++] = (char)(c < 0x80 ? tolower(c) : c);
    }
    out[o] = 0;
    return o;
}

const char *pvg__urlsig_name(const pvg__policy_t *p, const char *name, size_t n)
{
    char f[256], g[256];
    size_t fl = fold_name(name, n, f, sizeof f);
    if (!fl)
        return NULL;
    for (size_t i = 0; i < p->protected_names.n; i++) {
        const char *pn = p->protected_names.s[i];
        size_t gl = fold_name(pn, strlen(pn), g, sizeof g);
        if (gl < 2)
            continue;
        /* The protected name inside the display name: "카카오 고객센터",
         * "KakaoTalk_Official". */
        for (size_t k = 0; k + gl <= fl; k++)
            if (!memcmp(f + k, g, gl))
                return pn;
    }
    return NULL;
}
