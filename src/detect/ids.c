/* SPDX-License-Identifier: MIT */
/*
 * ids.c -- Korean resident registration numbers (KR_RRN), foreigner
 * registration numbers (KR_FRN), and business registration numbers
 * (KR_BRN), which are detected only to rule them out.
 *
 * YYMMDD-GNNNNNN: G is the century and sex digit (1-4 residents, 5-8
 * foreigners, 9/0 the 1800s). The birth date must be a real date no later
 * than the message's time. The check digit (weights 2..9,2..5, mod 11) holds
 * for numbers issued before October 2020; numbers issued since then carry
 * none, so a failing check digit is still reported when the birth date is on
 * or after 2020-10-01 or when a resident-number context word is near.
 * Foreigner numbers accept both check formulas in use.
 */
#include "engine/internal.h"

static const int rrn_weights[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};

typedef struct rrn_check {
    int type;      /* PVG_KR_RRN or PVG_KR_FRN, or -1 */
    int date_ok;
    int check_ok;
    int after_2020;
} rrn_check_t;

/* Validates 13 digits as a resident or foreigner number. Exposed to the
 * tests through pvg__rrn_verdict(). */
static rrn_check_t rrn_check(const char *d, int64_t now_ms)
{
    rrn_check_t r = {-1, 0, 0, 0};
    int g = d[6] - '0';
    int century;
    switch (g) {
    case 1: case 2: case 5: case 6: century = 1900; break;
    case 3: case 4: case 7: case 8: century = 2000; break;
    case 9: case 0: century = 1800; break;
    default: return r;
    }
    r.type = (g >= 5 && g <= 8) ? PVG_KR_FRN : PVG_KR_RRN;
    int y = century + (d[0] - '0') * 10 + (d[1] - '0');
    int m = (d[2] - '0') * 10 + (d[3] - '0');
    int day = (d[4] - '0') * 10 + (d[5] - '0');
    if (!pvg__date_ok(y, m, day))
        return r;
    int64_t born = pvg__days_from_civil(y, m, day);
    int64_t today = now_ms / 86400000;
    if (born > today)
        return r;
    r.date_ok = 1;
    r.after_2020 = born >= pvg__days_from_civil(2020, 10, 1);
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (d[i] - '0') * rrn_weights[i];
    int last = d[12] - '0';
    int rrn_ck = (11 - sum % 11) % 10 == last;
    int frn_ck = (13 - sum % 11) % 10 == last;
    r.check_ok = r.type == PVG_KR_FRN ? (rrn_ck || frn_ck) : rrn_ck;
    /* Digits 8-9 were the registration office's region code, 00-96, as
     * python-stdnum checks. Fake numbers people make up (and test sets) do
     * not respect it, and a real number with a valid check digit is worth
     * reporting either way, so the rule refuses only the 1800s numbers,
     * which are rare enough to want every check. */
    if (century == 1800 && (d[7] - '0') * 10 + (d[8] - '0') > 96)
        r.check_ok = 0, r.date_ok = 0;
    return r;
}

int pvg__rrn_verdict(const char *d13, int64_t now_ms, int context);
/* For tests: 0 = not a number, PVG_KR_RRN + 1 or PVG_KR_FRN + 1 when the
 * detector would report these 13 digits (with or without context). */
int pvg__rrn_verdict(const char *d13, int64_t now_ms, int context)
{
    rrn_check_t r = rrn_check(d13, now_ms);
    if (r.type < 0 || !r.date_ok)
        return 0;
    int g = d13[6] - '0';
    if (r.check_ok || ((r.after_2020 || context) && g != 9 && g != 0))
        return r.type + 1;
    return 0;
}

/* Business registration number: 10 digits, weights 1,3,7,1,3,7,1,3,5. */
static int brn_ok(const char *d)
{
    static const int w[9] = {1, 3, 7, 1, 3, 7, 1, 3, 5};
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += (d[i] - '0') * w[i];
    sum += ((d[8] - '0') * 5) / 10;
    return (10 - sum % 10) % 10 == d[9] - '0';
}

static void check_rrn(pvg__scan_t *sc, const pvg__run_t *r, unsigned g0, unsigned g1)
{
    const char *d = r->d + r->gstart[g0];
    rrn_check_t v = rrn_check(d, pvg__now(sc));
    if (v.type < 0 || !v.date_ok)
        return;
    size_t start = pvg__win_start(r, g0), end = pvg__win_end(r, g1);
    /* Either family's context words count; a foreigner number's negatives
     * count too. */
    int neg, negf;
    int ctx = pvg__context(sc, PVG_KR_RRN, start, end, &neg) |
              pvg__context(sc, PVG_KR_FRN, start, end, &negf);
    if (v.type == PVG_KR_FRN)
        neg |= negf;
    int g = d[6] - '0';
    if (!v.check_ok && (g == 9 || g == 0 || !(v.after_2020 || ctx)))
        return;
    float score = v.check_ok ? 0.85f : 0.6f;
    if (ctx)
        score += 0.12f;
    if (neg)
        score -= 0.45f;
    if (pvg__win_joined(r, g0, g1))
        score -= 0.35f;
    /* The usual shapes: 6-7 or 13 at once. Anything else is an evasion
     * (spaced digits, a line break) and slightly less certain. */
    unsigned ng = g1 - g0 + 1;
    int canonical = ng == 1 || (ng == 2 && r->gstart[g0 + 1] - r->gstart[g0] == 6);
    if (!canonical)
        score -= 0.05f;
    if (r->lookalikes)
        score -= 0.05f;
    if (g0 == 0 && r->plus)
        score -= 0.3f;
    pvg__emit(sc, v.type, start, end, score);
}

static void check_brn(pvg__scan_t *sc, const pvg__run_t *r, unsigned g0, unsigned g1)
{
    const char *d = r->d + r->gstart[g0];
    if (!brn_ok(d))
        return;
    size_t start = pvg__win_start(r, g0), end = pvg__win_end(r, g1);
    int neg;
    /* Business-number context words are the KR_RRN detector's negatives
     * ("사업자") as well; the 3-2-5 shape alone is strong enough. */
    int shaped = g1 == g0 + 2 && r->gstart[g0 + 1] - r->gstart[g0] == 3 &&
                 r->gstart[g0 + 2] - r->gstart[g0 + 1] == 2;
    pvg__context(sc, PVG_KR_RRN, start, end, &neg);
    /* Ten digits inside a longer number (an account, a card) are not a
     * business number: only a whole run is ruled out. */
    int whole = g0 == 0 && g1 + 1 == r->ngroups;
    if (shaped ? !pvg__win_joined(r, g0, g1) : (neg && whole))
        pvg__emit(sc, PVG__T_RULED_OUT, start, end, 0.9f);
}

void pvg__detect_ids(pvg__scan_t *sc)
{
    int rrn_on = sc->e->det[PVG_KR_RRN].enabled, frn_on = sc->e->det[PVG_KR_FRN].enabled;
    if (!rrn_on && !frn_on)
        return;
    const pvg_scratch_t *s = sc->s;
    for (size_t i = 0; i < s->n_runs; i++) {
        const pvg__run_t *r = &s->runs[i];
        if (r->n < 10)
            continue;
        for (unsigned g0 = 0; g0 < r->ngroups; g0++) {
            for (unsigned g1 = g0; g1 < r->ngroups; g1++) {
                unsigned nd = pvg__win_digits(r, g0, g1);
                if (nd == 13)
                    check_rrn(sc, r, g0, g1);
                else if (nd == 10)
                    check_brn(sc, r, g0, g1);
                if (nd >= 13)
                    break;
            }
        }
    }
}
