/* SPDX-License-Identifier: MIT */
/*
 * common.c -- what every detector shares: emitting candidates, looking up
 * context words around a value, word boundaries, and small validators
 * (Luhn, calendar dates, public suffixes).
 */
#include <ctype.h>
#include <string.h>

#include <libpsl.h>

#include "engine/internal.h"

void pvg__emit(pvg__scan_t *sc, int type, size_t start, size_t end, float score)
{
    pvg_scratch_t *s = sc->s;
    if (s->n_cands >= PVG__MAX_CANDS || start >= end)
        return;
    if (score > 1.0f)
        score = 1.0f;
    if (score < 0.0f)
        score = 0.0f;
    pvg__cand_t *c = &s->cands[s->n_cands++];
    c->start = (uint32_t)start;
    c->end = (uint32_t)end;
    c->type = (uint16_t)type;
    c->flags = 0;
    c->score = score;
}

int pvg__context(const pvg__scan_t *sc, int type, size_t start, size_t end, int *neg)
{
    const pvg_engine_t *e = sc->e;
    const pvg_scratch_t *s = sc->s;
    size_t wb = (size_t)e->det[type].window_before;
    size_t wa = (size_t)e->det[type].window_after;
    size_t lo = start > wb ? start - wb : 0;
    size_t hi = end + wa;
    /* The nearest positive and negative words: when both stand near, the
     * nearer one wins ("대표번호 말고 제 직통 064-..." is a phone). */
    size_t pos_d = (size_t)-1, neg_d = (size_t)-1;
    for (size_t i = 0; i < s->n_hits; i++) {
        const pvg__hit_t *h = &s->hits[i];
        const pvg__word_t *w = &e->words[h->word];
        if (w->type != type || !w->polarity)
            continue;
        int before = h->end <= start && h->end >= lo;
        int after = h->start >= end && h->start <= hi;
        if (!((before && (w->side & PVG__SIDE_BEFORE)) || (after && (w->side & PVG__SIDE_AFTER))))
            continue;
        size_t d = before ? start - h->end : h->start - end;
        if (w->polarity > 0 && d < pos_d)
            pos_d = d;
        else if (w->polarity < 0 && d < neg_d)
            neg_d = d;
    }
    *neg = neg_d != (size_t)-1 && neg_d <= pos_d; /* a tie goes to the negative */
    return pos_d != (size_t)-1;
}

int pvg__hit_in(const pvg__scan_t *sc, int type, int pol, size_t from, size_t to)
{
    const pvg_scratch_t *s = sc->s;
    for (size_t i = 0; i < s->n_hits; i++) {
        const pvg__hit_t *h = &s->hits[i];
        const pvg__word_t *w = &sc->e->words[h->word];
        if (w->type == type && w->polarity == pol && h->start < to && h->end > from)
            return 1;
    }
    return 0;
}

static int word_byte(uint8_t c)
{
    return isalnum(c) || c == '_';
}

int pvg__glued_before(const pvg__scan_t *sc, size_t start)
{
    return start > 0 && word_byte(sc->t[start - 1]);
}

int pvg__glued_after(const pvg__scan_t *sc, size_t end)
{
    return end < sc->n && word_byte(sc->t[end]);
}

int pvg__luhn_ok(const char *d, size_t n)
{
    int sum = 0, dbl = 0;
    for (size_t i = n; i-- > 0;) {
        int v = d[i] - '0';
        if (dbl) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
        dbl = !dbl;
    }
    return n > 0 && sum % 10 == 0;
}

int pvg__date_ok(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    return d <= max;
}

int64_t pvg__days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int pvg__domain_ok(const char *host, size_t n)
{
    char buf[256];
    if (n == 0 || n >= sizeof buf)
        return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)host[i]);
    buf[n] = 0;
    if (buf[n - 1] == '.' || buf[0] == '.' || strstr(buf, ".."))
        return 0;
    const psl_ctx_t *psl = psl_builtin();
    if (!psl)
        return 0;
    /* The last label must be a public suffix (or end one), and there must be
     * a label before the suffix: "presidio." and "microsoft" fail. */
    const char *reg = psl_registrable_domain(psl, buf);
    if (!reg)
        return 0;
    const char *dot = strrchr(buf, '.');
    if (!dot)
        return 0;
    /* psl treats unknown TLDs as suffixes by the "*" rule; require a known
     * one. */
    return psl_is_public_suffix2(psl, dot + 1, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) ||
           psl_is_public_suffix2(psl, strchr(buf, '.') + 1, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}
