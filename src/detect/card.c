/* SPDX-License-Identifier: MIT */
/*
 * card.c -- CREDIT_CARD: 13 to 19 digits with a valid Luhn check digit and
 * an issuer prefix of a card network (Visa, Mastercard, Amex, Discover, JCB,
 * Diners, UnionPay, Maestro, UATP) or a Korean domestic card (9-prefixed,
 * 16 digits).
 */
#include "engine/internal.h"

static int prefix_num(const char *d, int k)
{
    int v = 0;
    for (int i = 0; i < k; i++)
        v = v * 10 + (d[i] - '0');
    return v;
}

/* Whether an issuer uses this prefix with this length. */
static int issuer_ok(const char *d, unsigned n)
{
    int p1 = d[0] - '0', p2 = prefix_num(d, 2), p3 = prefix_num(d, 3), p4 = prefix_num(d, 4);
    switch (p1) {
    case 4: /* Visa */
        return n == 13 || n == 16 || n == 19;
    case 5:
        if (p2 >= 51 && p2 <= 55) return n == 16;   /* Mastercard */
        if (p2 == 50 || (p2 >= 56 && p2 <= 59)) return n >= 12; /* Maestro */
        return 0;
    case 2:
        return p4 >= 2221 && p4 <= 2720 && n == 16; /* Mastercard 2-series */
    case 3:
        if (p2 == 34 || p2 == 37) return n == 15;   /* Amex */
        if (p4 >= 3528 && p4 <= 3589) return n >= 16; /* JCB */
        if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39)
            return n >= 14;                          /* Diners */
        return 0;
    case 6:
        if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) return n >= 16; /* Discover */
        if (p2 == 62 || p2 == 81) return n >= 16;    /* UnionPay */
        return n >= 12;                              /* Maestro 6x */
    case 1:
        return n == 15;                              /* UATP */
    case 9:
        return n == 16;                              /* Korean domestic cards */
    default:
        return 0;
    }
}

void pvg__detect_card(pvg__scan_t *sc)
{
    if (!sc->e->det[PVG_CREDIT_CARD].enabled)
        return;
    const pvg_scratch_t *s = sc->s;
    for (size_t i = 0; i < s->n_runs; i++) {
        const pvg__run_t *r = &s->runs[i];
        if (r->n < 13)
            continue;
        for (unsigned g0 = 0; g0 < r->ngroups; g0++) {
            for (unsigned g1 = g0; g1 < r->ngroups; g1++) {
                unsigned nd = pvg__win_digits(r, g0, g1);
                if (nd > 19)
                    break;
                if (nd < 13)
                    continue;
                const char *d = r->d + r->gstart[g0];
                if (!pvg__luhn_ok(d, nd) || !issuer_ok(d, nd))
                    continue;
                size_t start = pvg__win_start(r, g0), end = pvg__win_end(r, g1);
                unsigned ng = g1 - g0 + 1;
                float score;
                if (ng == 1)
                    score = 0.8f;
                else {
                    /* 4-4-4-4(-3), 4-6-5, 4-6-4: every group but the last
                     * four or six digits, all joined the same way. */
                    int same = 1, shaped = 1;
                    for (unsigned g = g0; g < g1; g++) {
                        unsigned gl = (unsigned)(r->gstart[g + 1] - r->gstart[g]);
                        if (r->gsep[g] != r->gsep[g0])
                            same = 0;
                        if (gl != 4 && !(gl == 6 && g == g0 + 1))
                            shaped = 0;
                    }
                    score = shaped && same ? 0.9f : shaped ? 0.8f : 0.65f;
                }
                int neg, ctx = pvg__context(sc, PVG_CREDIT_CARD, start, end, &neg);
                if (ctx)
                    score += 0.1f;
                if (neg)
                    score -= 0.4f;
                if (pvg__win_joined(r, g0, g1))
                    score -= 0.35f;
                if (r->lookalikes)
                    score -= 0.05f;
                if (pvg__glued_before(sc, start) || pvg__glued_after(sc, end))
                    score -= 0.3f;
                pvg__emit(sc, PVG_CREDIT_CARD, start, end, score);
            }
        }
    }
}
