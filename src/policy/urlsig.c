/* SPDX-License-Identifier: MIT */
/*
 * urlsig.c -- URL and display-name signals for the policy.
 *
 * A URL is parsed by pvg__url_parse (libcurl's URL API, libidn2, libpsl);
 * its registrable domain is checked against the rules' lists (shorteners,
 * form services) and by the look-alike matcher (official domains; domains
 * that imitate an official domain or a protected name: kakao-help.com,
 * naver.co, kakaо.com with a Cyrillic о, 카카오.com). A display name is a
 * protected name, exactly or as a look-alike (ICU skeleton plus the Korean
 * jamo layer), through the same matcher. Results are cached per thread.
 */
#include <ctype.h>
#include <string.h>

#include "policy/url.h"
#include "policy/urlsig.h"


int pvg__urlsig_compile(pvg__policy_t *p)
{
    if (!p->protected_names.n && !p->official_domains.n)
        return 0;
    pvg__lookalike_config_t cfg = {0};
    cfg.names = (const char *const *)p->protected_names.s;
    cfg.n_names = p->protected_names.n;
    cfg.domains = (const char *const *)p->official_domains.s;
    cfg.n_domains = p->official_domains.n;
    pvg__lookalike_t *m = NULL;
    if (pvg__lookalike_compile(&cfg, &m, NULL) != PVG_OK)
        return -1;
    p->lookalike = m;
    return 0;
}

void pvg__policy_lookalike_free(pvg__policy_t *p)
{
    pvg__lookalike_free(p->lookalike);
    p->lookalike = NULL;
}

static const char *hit_target(const pvg__policy_t *p, const pvg__lookalike_hit_t *h)
{
    if (h->index < 0)
        return NULL;
    if (h->target == PVG__LA_TARGET_DOMAIN && (size_t)h->index < p->official_domains.n)
        return p->official_domains.s[h->index];
    if (h->target == PVG__LA_TARGET_NAME && (size_t)h->index < p->protected_names.n)
        return p->protected_names.s[h->index];
    return NULL;
}

int pvg__urlsig(const pvg__policy_t *p, pvg__lookalike_cache_t *c, const char *u, size_t n,
                pvg__urlsig_t *out)
{
    memset(out, 0, sizeof *out);
    pvg__url_t url;
    if (pvg__url_parse(u, n, &url) != PVG_OK)
        return -1;
    memcpy(out->host, url.host, sizeof out->host);
    memcpy(out->ext, url.ext, sizeof out->ext);
    out->is_ip = url.is_ip;
    out->userinfo = url.has_userinfo;
    out->punycode = url.has_punycode || url.is_idn;
    const char *reg = url.registrable[0] ? url.registrable : url.host;
    snprintf(out->registrable, sizeof out->registrable, "%s", reg);
    const char *host = url.host;
    if (!strncmp(host, "www.", 4))
        host += 4;
    out->official = pvg__strlist_has(&p->official_domains, out->registrable) ||
                    pvg__strlist_has(&p->official_domains, host);
    out->shortener = pvg__strlist_has(&p->shorteners, out->registrable) || pvg__strlist_has(&p->shorteners, host);
    out->form = pvg__strlist_has(&p->form_domains, host) || pvg__strlist_has(&p->form_domains, out->registrable);
    if (p->lookalike && !out->is_ip) {
        pvg__lookalike_hit_t hit;
        /* The whole URL: a protected label in the userinfo counts too. */
        if (pvg__lookalike_domain(p->lookalike, c, u, n, &hit) == 1) {
            if (hit.kind == PVG__LA_OFFICIAL)
                out->official = 1;
            else if (hit.kind == PVG__LA_LOOKALIKE && !out->official)
                out->lookalike_of = hit_target(p, &hit);
        }
    }
    pvg__url_wipe(&url);
    return 0;
}

/* Folds a display name for containment: lowercase ASCII, no spaces or
 * punctuation. */
static size_t fold_name(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80 && !isalnum(ch))
            continue;
        out[o++] = (char)(ch < 0x80 ? tolower(ch) : ch);
    }
    out[o] = 0;
    return o;
}

const char *pvg__urlsig_name(const pvg__policy_t *p, pvg__lookalike_cache_t *c, const char *name,
                             size_t n)
{
    if (!n)
        return NULL;
    pvg__lookalike_hit_t hit;
    if (p->lookalike && pvg__lookalike_name(p->lookalike, c, name, n, &hit) == 1 &&
        (hit.kind == PVG__LA_EXACT || hit.kind == PVG__LA_LOOKALIKE))
        return hit_target(p, &hit);
    /* A protected name inside a longer display name ("Coupang 고객센타",
     * "Kakao Customer Service"), which the matcher's decorations miss. */
    char f[256], g[256];
    size_t fl = fold_name(name, n, f, sizeof f);
    for (size_t i = 0; i < p->protected_names.n; i++) {
        size_t gl = fold_name(p->protected_names.s[i], strlen(p->protected_names.s[i]), g, sizeof g);
        if (gl >= 4 && gl <= fl && memmem(f, fl, g, gl))
            return p->protected_names.s[i];
    }
    return NULL;
}
