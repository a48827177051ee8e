/* SPDX-License-Identifier: MIT */
/*
 * fuzz_url.c -- libFuzzer driver for URL analysis and look-alike queries
 * (src/policy/url.c, src/policy/lookalike.c) on arbitrary bytes.
 *
 * Invariants: pvg__url_parse returns only its documented codes; on success
 * every string field is NUL-terminated inside its array, the extension is
 * lowercase alphanumeric, the port is in range, and a second parse agrees;
 * on failure the record is zeroed. The same bytes as a name query and as a
 * domain query return documented codes, a score in 0..1 and an index in
 * range, and the answer through the cache equals the answer without it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/lookalike.h"
#include "policy/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"카카오", "카카오톡", "kakao", "kakaotalk", "국민은행",
                                    "KB국민은행", "신한은행", "토스", "naver", "경찰청",
                                    "금융감독원", "CJ대한통운", "우체국", "쿠팡"};
static const char *const domains[] = {"kakao.com", "kbstar.com", "shinhan.com", "naver.com",
                                      "police.go.kr", "fss.or.kr", "epost.go.kr", "toss.im"};
static pvg__lookalike_t *matcher;
static pvg__lookalike_cache_t *cache;

static void check_str(const char *s, size_t cap)
{
    if (!memchr(s, 0, cap))
        abort();
}

static void check_url(const pvg__url_t *u)
{
    check_str(u->scheme, sizeof u->scheme);
    check_str(u->host, sizeof u->host);
    check_str(u->host_ascii, sizeof u->host_ascii);
    check_str(u->registrable, sizeof u->registrable);
    check_str(u->registrable_u, sizeof u->registrable_u);
    check_str(u->path, sizeof u->path);
    check_str(u->userinfo, sizeof u->userinfo);
    check_str(u->ext, sizeof u->ext);
    for (const char *p = u->ext; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            abort();
    if (u->port < 0 || u->port > 65535 || !u->host[0])
        abort();
    if (u->is_ip && u->registrable[0])
        abort();
}

static void check_hit(int rc, const pvg__lookalike_hit_t *h, int domain)
{
    if (rc < 0) {
        if (rc != PVG_EINVAL && rc != PVG_EUTF8 && rc != PVG_ETOOBIG && rc != PVG_ENOMEM)
            abort();
        return;
    }
    if (rc > 1 || (rc == 0) != (h->kind == PVG__LA_NONE))
        abort();
    if (rc == 1) {
        size_t n = h->target == PVG__LA_TARGET_NAME     ? sizeof names / sizeof *names
                   : h->target == PVG__LA_TARGET_DOMAIN ? sizeof domains / sizeof *domains
                                                        : 0;
        if (h->index < 0 || (size_t)h->index >= n || !(h->score > 0 && h->score <= 1))
            abort();
        if (!domain && h->kind == PVG__LA_OFFICIAL)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!matcher) {
        pvg__lookalike_config_t cfg = {names, sizeof names / sizeof *names, domains,
                                       sizeof domains / sizeof *domains, NULL, 0};
        if (pvg__lookalike_compile(&cfg, &matcher, NULL) != PVG_OK ||
            pvg__lookalike_cache_alloc(&cache) != PVG_OK)
            abort();
    }
    const char *s = (const char *)data;
    pvg__url_t a, b;
    int ra = pvg__url_parse(s, size, &a);
    int rb = pvg__url_parse(s, size, &b);
    if (ra != rb)
        abort();
    if (ra == PVG_OK) {
        check_url(&a);
        if (memcmp(&a, &b, sizeof a) != 0)
            abort();
    } else {
        if (ra != PVG_EINVAL && ra != PVG_ETOOBIG && ra != PVG_ENOMEM)
            abort();
        static const pvg__url_t zero;
        if (memcmp(&a, &zero, sizeof a) != 0)
            abort();
    }

    for (int domain = 0; domain < 2; domain++) {
        pvg__lookalike_hit_t h1, h2;
        int r1 = domain ? pvg__lookalike_domain(matcher, NULL, s, size, &h1)
                        : pvg__lookalike_name(matcher, NULL, s, size, &h1);
        int r2 = domain ? pvg__lookalike_domain(matcher, cache, s, size, &h2)
                        : pvg__lookalike_name(matcher, cache, s, size, &h2);
        check_hit(r1, &h1, domain);
        if (r1 != r2 || memcmp(&h1, &h2, sizeof h1) != 0)
            abort();
    }
    return 0;
}
