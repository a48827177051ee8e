/* SPDX-License-Identifier: MIT */
/*
 * phone.c -- PHONE_NUMBER: Korean numbers in every written form, numbers
 * with a + country code, and North American numbers in English text.
 *
 * Korean numbering plan (libphonenumber's KR metadata, in our own tables so
 * the hot path costs nanoseconds, not libphonenumber's ~12 us a line):
 *   mobile 010 + 8 digits; 011, 016-019 + 7 or 8 digits;
 *   Seoul 02 + 7 or 8 digits; areas 031-033, 041-044, 051-055, 061-064 +
 *   7 or 8 digits; 070 (VoIP) + 8 digits; 050x safe numbers + 7 or 8 digits;
 *   +82 forms drop the leading 0 (+82 10-1234-5678, +82-2-123-4567).
 * Not personal, ruled out: 15xx/16xx/18xx business numbers (8 digits),
 * 080 toll-free, 060 premium, 112/119 and other short numbers.
 */
#include <string.h>

#include "engine/internal.h"

/* Country calling codes with the shortest and longest national number
 * (E.164 allows 15 digits with the code). Codes not listed still count with
 * a generic length range and a lower score. */
typedef struct cc_len {
    uint16_t cc;
    uint8_t min, max;
} cc_len_t;

static const cc_len_t cc_table[] = {
    {1, 10, 10},   {7, 10, 10},   {20, 8, 10},  {27, 9, 9},    {30, 10, 10}, {31, 9, 9},
    {32, 8, 9},    {33, 9, 9},    {34, 9, 9},   {36, 8, 9},    {39, 6, 11},  {40, 9, 9},
    {41, 9, 9},    {43, 7, 13},   {44, 9, 10},  {45, 8, 8},    {46, 7, 13},  {47, 8, 8},
    {48, 9, 9},    {49, 6, 13},   {51, 8, 9},   {52, 10, 10},  {53, 8, 8},   {54, 10, 11},
    {55, 10, 11},  {56, 9, 9},    {57, 10, 10}, {58, 10, 10},  {60, 8, 10},  {61, 9, 9},
    {62, 8, 12},   {63, 8, 10},   {64, 8, 10},  {65, 8, 8},    {66, 8, 9},   {81, 9, 10},
    {82, 8, 11},   {84, 9, 10},   {86, 10, 11}, {90, 10, 10},  {91, 10, 10}, {92, 9, 10},
    {93, 9, 9},    {94, 9, 9},    {95, 7, 10},  {98, 10, 10},  {212, 9, 9},  {213, 9, 9},
    {216, 8, 8},   {218, 9, 9},   {234, 8, 10}, {254, 9, 9},   {255, 9, 9},  {351, 9, 9},
    {352, 6, 11},  {353, 7, 9},   {354, 7, 9},  {358, 6, 12},  {370, 8, 8},  {371, 8, 8},
    {372, 7, 8},   {380, 9, 9},   {420, 9, 9},  {421, 9, 9},   {852, 8, 8},  {853, 8, 8},
    {855, 8, 9},   {856, 8, 10},  {880, 10, 10}, {886, 8, 9},  {960, 7, 7},  {966, 9, 9},
    {971, 8, 9},   {972, 8, 9},   {974, 8, 8},  {976, 8, 8},   {977, 8, 10}, {998, 9, 9},
};

static const cc_len_t *cc_lookup(const char *d, unsigned n, unsigned *cclen)
{
    /* Calling codes are prefix-free: try 1, 2 and 3 digits. */
    for (unsigned k = 1; k <= 3 && k < n; k++) {
        unsigned cc = 0;
        for (unsigned i = 0; i < k; i++)
            cc = cc * 10 + (unsigned)(d[i] - '0');
        for (size_t i = 0; i < sizeof cc_table / sizeof cc_table[0]; i++)
            if (cc_table[i].cc == cc) {
                *cclen = k;
                return &cc_table[i];
            }
    }
    return NULL;
}

enum { KR_NONE = 0, KR_MOBILE, KR_LANDLINE, KR_VOIP, KR_SAFE, KR_BUSINESS };

/* Classifies a Korean national number (with its leading 0) of n digits.
 * *prefix receives the length of the prefix (010, 02, 031, 0505). */
static int kr_classify(const char *d, unsigned n, unsigned *prefix)
{
    if (n == 8 && d[0] == '1' && (d[1] == '5' || d[1] == '6' || d[1] == '8') && d[2] >= '0')
        return KR_BUSINESS;
    if (d[0] != '0')
        return KR_NONE;
    if (d[1] == '1') {
        *prefix = 3;
        if (d[2] == '0')
            return n == 11 && d[3] != '0' ? KR_MOBILE : KR_NONE;
        if (d[2] == '1' || (d[2] >= '6' && d[2] <= '9'))
            return (n == 10 || n == 11) && d[3] != '0' ? KR_MOBILE : KR_NONE;
        return KR_NONE;
    }
    if (d[1] == '2') {
        *prefix = 2;
        return (n == 9 || n == 10) && d[2] >= '2' ? KR_LANDLINE : KR_NONE;
    }
    if (d[1] == '7' && d[2] == '0') {
        *prefix = 3;
        return n == 11 ? KR_VOIP : KR_NONE;
    }
    if (d[1] == '5' && d[2] == '0' && d[3] >= '2' && d[3] <= '8') {
        *prefix = 4;
        return n == 11 || n == 12 ? KR_SAFE : KR_NONE;
    }
    int a = d[1] - '0', b = d[2] - '0';
    int area = (a == 3 && b >= 1 && b <= 3) || (a == 4 && b >= 1 && b <= 4) ||
               (a == 5 && b >= 1 && b <= 5) || (a == 6 && b >= 1 && b <= 4);
    if (area) {
        *prefix = 3;
        return (n == 10 || n == 11) && d[3] >= '2' ? KR_LANDLINE : KR_NONE;
    }
    return KR_NONE; /* 080, 060, 030 ... */
}

/* Whether the groups of the window follow the prefix: the first group ends
 * where the prefix ends (010-1234-5678, 02 123 4567) or the number is
 * written at once (01012345678), or it is an evasion with many small
 * groups. */
static int kr_grouping(const pvg__run_t *r, unsigned g0, unsigned g1, unsigned prefix,
                       unsigned skip)
{
    unsigned ng = g1 - g0 + 1;
    if (ng == 1)
        return 2; /* written at once */
    unsigned first = (unsigned)(r->gstart[g0 + 1] - r->gstart[g0]) - skip;
    if (first == prefix && ng <= 3)
        return 3; /* canonical */
    if (first == prefix)
        return 1;
    return ng >= 4 ? 1 : 0;
}

static void emit_phone(pvg__scan_t *sc, const pvg__run_t *r, unsigned g0, unsigned g1, float score)
{
    size_t start = pvg__win_start(r, g0), end = pvg__win_end(r, g1);
    /* The span covers "+82" and "(02)" as written. */
    if (g0 == 0 && r->plus) {
        size_t p = start;
        while (p > 0 && sc->t[p - 1] != '+')
            p--;
        if (p > 0)
            start = p - 1;
    }
    if (g0 == 0 && r->paren && start > 0 && sc->t[start - 1] == '(')
        start--;
    int neg, ctx = pvg__context(sc, PVG_PHONE_NUMBER, start, end, &neg);
    if (ctx)
        score += 0.12f;
    if (neg)
        score -= 0.4f;
    if (r->lookalikes)
        score -= 0.05f;
    if (pvg__glued_before(sc, start) || pvg__glued_after(sc, end))
        score -= 0.3f;
    pvg__emit(sc, PVG_PHONE_NUMBER, start, end, score);
}

static void check_kr(pvg__scan_t *sc, const pvg__run_t *r, unsigned g0, unsigned g1)
{
    unsigned nd = pvg__win_digits(r, g0, g1);
    const char *d = r->d + r->gstart[g0];
    char buf[16];
    unsigned skip = 0;
    /* +82 10 1234 5678, +82 (0)10 ..., 0082-10-...: the national number
     * follows the country code, its leading 0 dropped or kept. */
    int intl = 0;
    if (g0 == 0 && r->plus && nd >= 10 && d[0] == '8' && d[1] == '2')
        intl = 1, skip = 2;
    else if (nd >= 12 && !memcmp(d, "0082", 4))
        intl = 1, skip = 4;
    const char *nat = d + skip;
    unsigned nn = nd - skip;
    if (intl) {
        if (nat[0] != '0') {
            if (nn + 1 > sizeof buf - 1)
                return;
            buf[0] = '0';
            memcpy(buf + 1, nat, nn);
            nat = buf;
            nn++;
        }
    }
    if (nn < 8 || nn > 12)
        return;
    unsigned prefix = 0;
    int kind = kr_classify(nat, nn, &prefix);
    if (kind == KR_BUSINESS) {
        if (!intl && g1 - g0 <= 1)
            pvg__emit(sc, PVG__T_RULED_OUT, pvg__win_start(r, g0), pvg__win_end(r, g1), 0.8f);
        return;
    }
    if (kind == KR_NONE)
        return;
    int grouping = intl ? 2 : kr_grouping(r, g0, g1, prefix, 0);
    if (!grouping && !intl)
        return;
    float score;
    switch (kind) {
    case KR_MOBILE: score = grouping >= 2 ? 0.85f : 0.75f; break;
    case KR_SAFE: score = 0.7f; break;
    case KR_VOIP: score = 0.75f; break;
    default: /* landline */
        score = grouping == 3 ? 0.7f : grouping == 2 ? 0.5f : 0.55f;
        break;
    }
    if (intl)
        score = 0.85f;
    if (pvg__win_joined(r, g0, g1))
        score -= 0.35f;
    if (g0 > 0 && r->plus == 0 && !intl && r->gsep[g0 - 1] == ' ' &&
        pvg__win_digits(r, 0, g0 - 1) <= 3)
        score -= 0.1f; /* "3 010..." a stray number before it */
    emit_phone(sc, r, g0, g1, score);
}

static void check_intl(pvg__scan_t *sc, const pvg__run_t *r, unsigned g1)
{
    unsigned nd = pvg__win_digits(r, 0, g1);
    const char *d = r->d;
    if (d[0] == '8' && d[1] == '2')
        return; /* Korean, handled with the national plan */
    unsigned cclen = 0;
    const cc_len_t *cc = cc_lookup(d, nd, &cclen);
    float score = 0.8f;
    unsigned nn;
    if (cc) {
        nn = nd - cclen;
        if (nn < cc->min || nn > cc->max)
            return;
        /* The country code stands alone in its group (+44 20 ...). */
        if (r->gstart[1] != cclen && r->ngroups > 1)
            score -= 0.15f;
    } else {
        if (nd < 8 || nd > 15 || r->ngroups < 2 || r->gstart[1] > 3)
            return;
        score = 0.6f;
    }
    if (nd > 15)
        return;
    emit_phone(sc, r, 0, g1, score);
}

/* North American numbers: (NXX) NXX-XXXX, NXX-NXX-XXXX, NXX.NXX.XXXX. */
static void check_nanp(pvg__scan_t *sc, const pvg__run_t *r, unsigned g0, unsigned g1)
{
    if (g1 - g0 != 2 && !(g1 == g0 + 1 && r->paren && g0 == 0))
        return;
    const char *d = r->d + r->gstart[g0];
    unsigned a = (unsigned)(r->gstart[g0 + 1] - r->gstart[g0]);
    if (a != 3)
        return;
    unsigned b = g1 == g0 + 2 ? (unsigned)(r->gstart[g0 + 2] - r->gstart[g0 + 1]) : 7;
    if (b != 3 && !(b == 7 && g1 == g0 + 1))
        return;
    if (d[0] < '2' || d[1] == '9' || d[3] < '2')
        return;
    if (d[0] == '0' || d[0] == '1')
        return;
    /* 555-01xx are the fictional numbers films use, still numbers. */
    float score = r->paren && g0 == 0 ? 0.75f : 0.6f;
    char sep = (char)r->gsep[g0];
    if (g1 == g0 + 2 && sep != r->gsep[g0 + 1] && !(r->paren && g0 == 0))
        score -= 0.1f;
    if (pvg__win_joined(r, g0, g1))
        return;
    if (g0 > 0)
        return;
    emit_phone(sc, r, g0, g1, score);
}

void pvg__detect_phone(pvg__scan_t *sc)
{
    if (!sc->e->det[PVG_PHONE_NUMBER].enabled)
        return;
    const pvg_scratch_t *s = sc->s;
    for (size_t i = 0; i < s->n_runs; i++) {
        const pvg__run_t *r = &s->runs[i];
        if (r->n < 8)
            continue;
        for (unsigned g0 = 0; g0 < r->ngroups; g0++) {
            for (unsigned g1 = g0; g1 < r->ngroups; g1++) {
                unsigned nd = pvg__win_digits(r, g0, g1);
                if (nd > 16)
                    break;
                if (nd >= 8)
                    check_kr(sc, r, g0, g1);
                if (nd == 10)
                    check_nanp(sc, r, g0, g1);
                if (g0 == 0 && r->plus && nd >= 8 &&
                    (g1 + 1 == r->ngroups || r->gsep[g1] == ' '))
                    check_intl(sc, r, g1);
            }
        }
    }
}
