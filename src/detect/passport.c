/* SPDX-License-Identifier: MIT */
/*
 * passport.c -- KR_PASSPORT (Korean passport numbers) and KR_DRIVER_LICENSE
 * (Korean driver licence numbers). Both work on the digit runs.
 *
 * Passports: a type letter (M ordinary, S official, R travel certificate,
 * G/D diplomatic, T ...) and eight digits (M12345678, until 2021), or since
 * December 2021 a letter, three digits, a letter and four digits
 * (M123A4567). Lowercase letters are accepted. The new format is
 * distinctive and counts alone at a low score; the old one looks like many
 * other codes (order, model and member numbers) and needs a passport word
 * near it (rules: KR_PASSPORT context).
 *
 * Licences: RR-YY-NNNNNN-NN, RR the issuing region (11 서울 ... 28 경기북부)
 * or, on older cards, the region's name ("서울 22-123456-12"), YY the year of
 * issue, six serial digits and two check digits. The dashed or spaced
 * 2-2-6-2 shape with a valid region counts alone; twelve digits written at
 * once need a licence word (rules: KR_DRIVER_LICENSE context).
 */
#include "engine/internal.h"

/* Region names of licences issued before 2017 (extra: the region code). */
static const pvg__builtin_word_t license_words[] = {
    {"서울", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 11},
    {"부산", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 12},
    {"경기", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 13},
    {"강원", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 14},
    {"충북", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 15},
    {"충남", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 16},
    {"전북", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 17},
    {"전남", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 18},
    {"경북", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 19},
    {"경남", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 20},
    {"제주", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 21},
    {"대구", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 22},
    {"인천", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 23},
    {"광주", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 24},
    {"대전", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 25},
    {"울산", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 26},
    {"경기북부", PVG_KR_DRIVER_LICENSE, 0, PVG__SIDE_BEFORE, 28},
};

size_t pvg__license_words(const pvg__builtin_word_t **out)
{
    *out = license_words;
    return sizeof license_words / sizeof license_words[0];
}

static int is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int is_letter(uint8_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

/* The passport type letters. */
static int type_letter(uint8_t c)
{
    switch (c | 0x20) {
    case 'm': case 's': case 'r': case 'g': case 'd': case 't': return 1;
    default: return 0;
    }
}

/* -------------------------------------------------------------- passport */

static void emit_passport(pvg__scan_t *sc, size_t start, size_t end, float bare, float with_ctx)
{
    int neg, ctx = pvg__context(sc, PVG_KR_PASSPORT, start, end, &neg);
    float score = ctx ? with_ctx : bare;
    if (neg)
        score -= 0.4f;
    pvg__emit(sc, PVG_KR_PASSPORT, start, end, score);
}

/* The letter standing right before folded offset p, allowing one space
 * (M 1234 5678) when spaced is set; returns its offset or (size_t)-1. */
static size_t letter_before(const pvg__scan_t *sc, size_t p, int spaced)
{
    const uint8_t *t = sc->t;
    size_t q = p;
    if (spaced && q >= 2 && t[q - 1] == ' ')
        q--;
    if (q < 1 || !type_letter(t[q - 1]))
        return (size_t)-1;
    if (q >= 2 && (is_alnum(t[q - 2]) || t[q - 2] == '_' || t[q - 2] == '@'))
        return (size_t)-1;
    return q - 1;
}

static int ends_clean(const pvg__scan_t *sc, size_t end)
{
    if (end >= sc->n)
        return 1;
    uint8_t c = sc->t[end];
    return !is_alnum(c) && c != '_' && c != '@';
}

static void detect_passport(pvg__scan_t *sc)
{
    const pvg_scratch_t *s = sc->s;
    for (size_t i = 0; i < s->n_runs; i++) {
        const pvg__run_t *r = &s->runs[i];
        /* New format: letter, 3 digits, letter, 4 digits. The runs split at
         * the inner letter: "123" then "4567...". */
        if (r->gstart[1] == 3 && r->lookalikes == 0 && i + 1 < s->n_runs) {
            const pvg__run_t *r2 = &s->runs[i + 1];
            size_t e1 = pvg__win_end(r, 0);
            size_t lp = letter_before(sc, r->start, 0);
            if (lp != (size_t)-1 && r->ngroups == 1 && e1 + 1 == r2->start &&
                is_letter(sc->t[e1]) && r2->gstart[1] == 4 && r2->lookalikes == 0) {
                size_t end = pvg__win_end(r2, 0);
                if (ends_clean(sc, end) && (r2->ngroups == 1 || r2->gsep[0] == ' ' ||
                                            r2->gsep[0] == '\n'))
                    emit_passport(sc, lp, end, 0.55f, 0.9f);
            }
        }
        /* The new format with the inner letter a look-alike (M123O4567 is
         * read as eight digits). */
        if (r->lookalikes == 1 && r->gstart[1] == 8 && (r->d[3] == '0' || r->d[3] == '1') &&
            is_letter(sc->t[r->pos[3]])) {
            size_t lp = letter_before(sc, r->start, 0);
            size_t end = pvg__win_end(r, 0);
            if (lp != (size_t)-1 && ends_clean(sc, end) && !pvg__win_joined(r, 0, 0))
                emit_passport(sc, lp, end, 0.55f, 0.9f);
            continue;
        }
        if (r->lookalikes)
            continue;
        /* Old format: letter and eight digits, at once or spaced 4-4
         * (M 1234 5678) with a passport word. */
        if (r->gstart[1] == 8) {
            size_t lp = letter_before(sc, r->start, 0);
            size_t end = pvg__win_end(r, 0);
            if (lp != (size_t)-1 && ends_clean(sc, end) && !pvg__win_joined(r, 0, 0))
                emit_passport(sc, lp, end, 0.35f, 0.85f);
        } else if (r->ngroups >= 2 && pvg__win_digits(r, 0, 1) == 8 &&
                   (r->ngroups == 2 || r->gsep[1] == ' ')) {
            size_t lp = letter_before(sc, r->start, 1);
            size_t end = pvg__win_end(r, 1);
            if (lp != (size_t)-1 && ends_clean(sc, end))
                emit_passport(sc, lp, end, 0.2f, 0.75f);
        }
    }
}

/* --------------------------------------------------------------- licence */

/* The region-name anchor right before folded offset p (only spaces or a
 * colon between), its start in *at; 0 when none. */
static int region_before(const pvg__scan_t *sc, size_t p, size_t *at)
{
    const pvg_scratch_t *s = sc->s;
    int code = 0;
    for (size_t i = 0; i < s->n_hits; i++) {
        const pvg__hit_t *h = &s->hits[i];
        const pvg__word_t *w = &sc->e->words[h->word];
        if (w->type != PVG_KR_DRIVER_LICENSE || w->polarity != 0 || h->end > p ||
            p - h->end > 2)
            continue;
        int ok = 1;
        for (size_t q = h->end; q < p; q++)
            if (sc->t[q] != ' ')
                ok = 0;
        if (!ok)
            continue;
        /* 경기북부 wins over the 경기 inside it: keep the longest. */
        if (!code || h->start < *at) {
            code = w->extra;
            *at = h->start;
        }
    }
    return code;
}

static void check_license(pvg__scan_t *sc, const pvg__run_t *r, unsigned g0, unsigned g1)
{
    unsigned nd = pvg__win_digits(r, g0, g1), ng = g1 - g0 + 1;
    const char *d = r->d + r->gstart[g0];
    size_t start = pvg__win_start(r, g0), end = pvg__win_end(r, g1);
    if (pvg__win_joined(r, g0, g1) || pvg__glued_before(sc, start) || pvg__glued_after(sc, end))
        return;
    int neg, ctx = pvg__context(sc, PVG_KR_DRIVER_LICENSE, start, end, &neg);
    float score;
    if (nd == 12) {
        int region = (d[0] - '0') * 10 + (d[1] - '0');
        if (region < 11 || region > 28)
            return;
        int shaped = ng == 4 && r->gstart[g0 + 1] - r->gstart[g0] == 2 &&
                     r->gstart[g0 + 2] - r->gstart[g0 + 1] == 2 &&
                     r->gstart[g0 + 3] - r->gstart[g0 + 2] == 6;
        if (shaped)
            score = r->gsep[g0] == '-' ? 0.75f : 0.6f;
        else if (ng == 1)
            score = 0.35f; /* twelve digits at once: a licence only with context */
        else
            score = 0.3f;  /* other groupings: evasions, with context */
        if (ctx)
            score += 0.3f;
        if (region == 27)
            score -= 0.1f; /* no region has code 27 */
    } else if (nd == 10) {
        /* A region name and YY-NNNNNN-NN. */
        size_t at = 0;
        if (!region_before(sc, start, &at))
            return;
        int shaped = ng == 3 && r->gstart[g0 + 1] - r->gstart[g0] == 2 &&
                     r->gstart[g0 + 2] - r->gstart[g0 + 1] == 6;
        if (g0 > 0)
            return;
        score = shaped ? 0.8f : (ctx ? 0.6f : 0.35f);
        if (ctx)
            score += 0.1f;
        start = at;
    } else {
        return;
    }
    if (neg)
        score -= 0.4f;
    if (r->lookalikes)
        score -= 0.05f;
    pvg__emit(sc, PVG_KR_DRIVER_LICENSE, start, end, score);
}

static void detect_license(pvg__scan_t *sc)
{
    const pvg_scratch_t *s = sc->s;
    for (size_t i = 0; i < s->n_runs; i++) {
        const pvg__run_t *r = &s->runs[i];
        if (r->n < 10)
            continue;
        for (unsigned g0 = 0; g0 < r->ngroups; g0++) {
            for (unsigned g1 = g0; g1 < r->ngroups; g1++) {
                unsigned nd = pvg__win_digits(r, g0, g1);
                if (nd > 12)
                    break;
                if (nd == 12 || nd == 10)
                    check_license(sc, r, g0, g1);
            }
        }
    }
}

void pvg__detect_passport(pvg__scan_t *sc)
{
    if (sc->s->n_runs == 0)
        return;
    if (sc->e->det[PVG_KR_PASSPORT].enabled)
        detect_passport(sc);
    if (sc->e->det[PVG_KR_DRIVER_LICENSE].enabled)
        detect_license(sc);
}
