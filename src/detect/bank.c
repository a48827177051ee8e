/* SPDX-License-Identifier: MIT */
/*
 * bank.c -- KR_BANK_ACCOUNT: Korean bank account numbers next to a bank
 * name or an account word (계좌, 입금, 이체 ...).
 *
 * An account number is 10 to 14 digits, usually written in the groups its
 * bank prints (KB국민 123456-01-123456, 신한 110-123-456789, 카카오뱅크
 * 3333-01-1234567). A bare digit run is not an account: a bank name (built
 * in here, with its formats) or an account context word (rules:
 * KR_BANK_ACCOUNT context) must stand near it. Short bank names that are
 * also everyday words (우리 "we", 하나 "one", 국민 "the people", 기업,
 * 토스, 카카오) count only right next to the number.
 *
 * Formats are the groupings banks print today and the older ones still in
 * use; a number in a known format of the named bank scores highest, one in
 * another bank's format or written at once a little lower, one in an odd
 * grouping (spaced digits, an evasion) lower still but only with a bank
 * name. Mobile-number-shaped values (평생계좌 accounts use the phone
 * number) count only with a bank name or 계좌 right before them.
 */
#include <string.h>

#include "engine/internal.h"

/* One bank: its formats as group lengths ("6-2-6" is {6, 2, 6, 0}). */
typedef struct bank {
    const char *name;          /* for documentation and tests */
    uint8_t fmt[6][5];         /* up to six formats, each up to four groups, 0-terminated */
} bank_t;

static const bank_t banks[] = {
    /* 0 */ {"KB국민", {{6, 2, 6}, {3, 2, 4, 3}, {4, 2, 4, 4}}},
    /* 1 */ {"신한", {{3, 3, 6}, {3, 2, 6}}},
    /* 2 */ {"우리", {{4, 3, 6}, {3, 6, 2, 3}}},
    /* 3 */ {"하나", {{3, 6, 5}, {3, 6, 3}}},
    /* 4 */ {"NH농협", {{3, 4, 4, 2}, {6, 2, 6}, {3, 2, 6}}},
    /* 5 */ {"IBK기업", {{3, 6, 2, 3}, {3, 2, 6}}},
    /* 6 */ {"SC제일", {{3, 2, 6}, {3, 3, 6}}},
    /* 7 */ {"카카오뱅크", {{4, 2, 7}}},
    /* 8 */ {"토스뱅크", {{4, 4, 4}}},
    /* 9 */ {"케이뱅크", {{3, 3, 6}}},
    /* 10 */ {"우체국", {{6, 2, 6}}},
    /* 11 */ {"새마을금고", {{4, 4, 4, 1}, {4, 2, 6, 1}, {4, 2, 7}}},
    /* 12 */ {"수협", {{3, 2, 6}, {4, 4, 4}}},
    /* 13 */ {"신협", {{3, 3, 6}, {5, 2, 6}}},
    /* 14 */ {"씨티", {{3, 6, 3}, {3, 5, 3}}},
    /* 15 */ {"부산", {{3, 4, 4, 2}, {3, 2, 6, 1}}},
    /* 16 */ {"iM뱅크(대구)", {{3, 2, 6, 1}, {3, 3, 6}}},
    /* 17 */ {"경남", {{3, 2, 7}, {3, 4, 4, 2}}},
    /* 18 */ {"광주", {{3, 3, 6}, {3, 4, 4, 2}}},
    /* 19 */ {"전북", {{3, 2, 7}, {3, 3, 6}}},
    /* 20 */ {"제주", {{2, 2, 6}, {3, 2, 6}}},
    /* 21 */ {"KDB산업", {{3, 4, 6, 1}, {3, 6, 3}}},
    /* 22 */ {"저축은행", {{3, 2, 2, 6}, {3, 3, 6}}},
};
#define N_BANKS (sizeof banks / sizeof banks[0])

/* extra of a bank-name word: bank index, and WEAK when the name is an
 * everyday word too. */
#define WEAK 0x100

static const pvg__builtin_word_t bank_words[] = {
    {"국민은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 0},
    {"KB국민", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 0},
    {"KB", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 0},
    {"국민", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 0 | WEAK},
    {"신한은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 1},
    {"신한", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 1},
    {"우리은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 2},
    {"우리", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 2 | WEAK},
    {"하나은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 3},
    {"KEB하나", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 3},
    {"하나", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 3 | WEAK},
    {"농협", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 4},
    {"농협은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 4},
    {"NH", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 4},
    {"NH농협", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 4},
    {"축협", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 4},
    {"기업은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 5},
    {"IBK", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 5},
    {"기업", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 5 | WEAK},
    {"SC제일", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 6},
    {"SC제일은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 6},
    {"제일은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 6},
    {"SC은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 6},
    {"카카오뱅크", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 7},
    {"카뱅", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 7},
    {"카카오", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 7 | WEAK},
    {"토스뱅크", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 8},
    {"토스", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 8 | WEAK},
    {"케이뱅크", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 9},
    {"K뱅크", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 9},
    {"케뱅", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 9},
    {"우체국", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 10},
    {"새마을금고", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 11},
    {"새마을", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 11},
    {"MG새마을금고", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 11},
    {"수협", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 12},
    {"신협", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 13},
    {"씨티은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 14},
    {"씨티", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 14 | WEAK},
    {"citibank", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 14},
    {"부산은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 15},
    {"BNK", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 15},
    {"대구은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 16},
    {"iM뱅크", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 16},
    {"DGB", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 16},
    {"경남은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 17},
    {"광주은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 18},
    {"전북은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 19},
    {"제주은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 20},
    {"산업은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 21},
    {"KDB", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 21},
    {"저축은행", PVG_KR_BANK_ACCOUNT, 0, PVG__SIDE_ANY, 22},
};

size_t pvg__bank_words(const pvg__builtin_word_t **out)
{
    *out = bank_words;
    return sizeof bank_words / sizeof bank_words[0];
}

/* How groups [g0, g1] of r fit bank b: 3 = one of its formats, 2 = the
 * digit count of one of its formats written at once, 0 = neither. */
static int fits_bank(const pvg__run_t *r, unsigned g0, unsigned g1, unsigned b)
{
    unsigned ng = g1 - g0 + 1, nd = pvg__win_digits(r, g0, g1);
    int best = 0;
    for (unsigned f = 0; f < 6 && banks[b].fmt[f][0]; f++) {
        const uint8_t *fm = banks[b].fmt[f];
        unsigned k = 0, total = 0;
        while (k < 5 && fm[k])
            total += fm[k++];
        if (total != nd)
            continue;
        if (ng == 1) {
            best = best > 2 ? best : 2;
            continue;
        }
        if (ng != k)
            continue;
        unsigned i = 0;
        while (i < k && r->gstart[g0 + i + 1] - r->gstart[g0 + i] == fm[i])
            i++;
        if (i == k)
            return 3;
    }
    return best;
}

static int fits_any(const pvg__run_t *r, unsigned g0, unsigned g1, int *which)
{
    int best = 0;
    for (unsigned b = 0; b < N_BANKS; b++) {
        int f = fits_bank(r, g0, g1, b);
        if (f > best) {
            best = f;
            *which = (int)b;
        }
    }
    return best;
}

/* A Korean mobile number: 010 + 8 digits, 011/016-019 + 7 or 8. */
static int mobile_shaped(const char *d, unsigned n)
{
    if (d[0] != '0' || d[1] != '1')
        return 0;
    if (d[2] == '0')
        return n == 11;
    return (d[2] == '1' || (d[2] >= '6' && d[2] <= '9')) && (n == 10 || n == 11);
}

/* Whether only separators stand in t[a, b) (a bank name right next to
 * the number: "우리 1002-...", "신한:110-...", "(국민)123456-..."). */
static int only_separators(const uint8_t *t, size_t a, size_t b)
{
    if (b < a || b - a > 4)
        return 0;
    for (size_t i = a; i < b; i++)
        if (t[i] != ' ' && t[i] != ':' && t[i] != ')' && t[i] != '(' && t[i] != ',' &&
            t[i] != '/' && t[i] != '-' && t[i] != '=')
            return 0;
    return 1;
}

/* The bank named near [start, end), or -1. A weak name must touch the
 * number; a full name may stand within the context window. *tight is set
 * when the name is right next to the number. */
static int bank_near(const pvg__scan_t *sc, size_t start, size_t end, int *tight)
{
    const pvg_engine_t *e = sc->e;
    const pvg_scratch_t *s = sc->s;
    size_t wb = (size_t)e->det[PVG_KR_BANK_ACCOUNT].window_before;
    size_t wa = (size_t)e->det[PVG_KR_BANK_ACCOUNT].window_after;
    size_t lo = start > wb ? start - wb : 0, hi = end + wa;
    int found = -1, best_gap = 1 << 30;
    *tight = 0;
    for (size_t i = 0; i < s->n_hits; i++) {
        const pvg__hit_t *h = &s->hits[i];
        const pvg__word_t *w = &e->words[h->word];
        if (w->type != PVG_KR_BANK_ACCOUNT || w->polarity != 0)
            continue;
        int gap;
        int touch;
        if (h->end <= start && h->end >= lo) {
            gap = (int)(start - h->end);
            touch = only_separators(sc->t, h->end, start);
        } else if (h->start >= end && h->start <= hi) {
            gap = (int)(h->start - end);
            touch = only_separators(sc->t, end, h->start);
        } else {
            continue;
        }
        if ((w->extra & WEAK) && !touch)
            continue;
        /* A weak name glued to a longer word (우리집, 하나도) is no name. */
        if ((w->extra & WEAK) && h->end < sc->n && sc->t[h->end] >= 0xEA && h->end <= start)
            continue;
        if (gap < best_gap) {
            best_gap = gap;
            found = w->extra & 0xFF;
            *tight = touch;
        }
    }
    return found;
}

static void check_account(pvg__scan_t *sc, const pvg__run_t *r, unsigned g0, unsigned g1)
{
    size_t start = pvg__win_start(r, g0), end = pvg__win_end(r, g1);
    if (pvg__win_joined(r, g0, g1))
        return;
    if (pvg__glued_before(sc, start) || pvg__glued_after(sc, end))
        return;
    int tight;
    int bank = bank_near(sc, start, end, &tight);
    int neg, ctx = pvg__context(sc, PVG_KR_BANK_ACCOUNT, start, end, &neg);
    if (bank < 0 && !ctx)
        return;
    unsigned ng = g1 - g0 + 1, nd = pvg__win_digits(r, g0, g1);
    const char *d = r->d + r->gstart[g0];
    int which = -1;
    int fit = bank >= 0 ? fits_bank(r, g0, g1, (unsigned)bank) : 0;
    int other = fits_any(r, g0, g1, &which);
    float score;
    if (fit == 3)
        score = 0.9f;
    else if (other == 3 || fit == 2)
        score = bank >= 0 ? 0.8f : 0.75f;
    else if (ng == 1)
        score = bank >= 0 ? 0.75f : 0.6f;
    else if (bank >= 0 && ng <= 5)
        score = 0.6f; /* an unknown or older grouping of a named bank */
    else if (bank >= 0 && ng >= nd / 2)
        score = 0.55f; /* digits spaced one by one: an evasion */
    else
        return;
    if (bank >= 0 && ctx)
        score += 0.05f;
    if (mobile_shaped(d, nd)) {
        /* A phone number unless a bank or 계좌 says otherwise. */
        if (!(bank >= 0 && tight) && !ctx)
            return;
        score = 0.6f;
    }
    if (neg)
        score -= 0.4f;
    if (r->lookalikes)
        score -= 0.05f;
    pvg__emit(sc, PVG_KR_BANK_ACCOUNT, start, end, score);
}

void pvg__detect_bank(pvg__scan_t *sc)
{
    if (!sc->e->det[PVG_KR_BANK_ACCOUNT].enabled)
        return;
    const pvg_scratch_t *s = sc->s;
    for (size_t i = 0; i < s->n_runs; i++) {
        const pvg__run_t *r = &s->runs[i];
        if (r->n < 10)
            continue;
        for (unsigned g0 = 0; g0 < r->ngroups; g0++) {
            for (unsigned g1 = g0; g1 < r->ngroups; g1++) {
                unsigned nd = pvg__win_digits(r, g0, g1);
                if (nd > 14)
                    break;
                if (nd >= 10)
                    check_account(sc, r, g0, g1);
            }
        }
    }
}
