/* SPDX-License-Identifier: MIT */
/*
 * dob.c -- DATE_OF_BIRTH: a full birth date (year, month and day) next to a
 * birth cue.
 *
 * Cues are the DATE_OF_BIRTH context words of the rules (생년월일, 생일,
 * 출생, 태어난, DOB, born, date of birth ...) and the built-in anchor 일생
 * right after a date ("1995년 3월 2일생"). A cue standing before the value
 * (context or context_before) is followed by the date within 40 bytes; one
 * standing after it (context or context_after) follows the date within 12
 * bytes. Without any cue in the message the family returns at once.
 *
 * Dates as people write them: 1995년 3월 2일, 95년 3월 2일, 1995.03.02,
 * 1995. 3. 2, 1985 . 03 . 12, 1995-03-02, 95.03.02, 19950302, 950302, 03/02/1995 (US
 * month first; day first when the first number is over 12), March 2, 1995,
 * 2 March 1995, Mar. 2nd 1995. A date must be real (no 2월 30일), not after
 * the message's time, and at most 130 years before it. Six or eight digits
 * that continue into more digits (950302-1234567, an RRN) are not a date of
 * birth: the RRN detector owns them.
 *
 * Score 0.8, -0.4 with a negative word near (생일 파티, 선물, 쿠폰, party).
 * A date without a year (생일 3월 2일) is not reported. No allocation.
 */
#include <string.h>

#include "engine/internal.h"

#define DOB_AFTER_CUE 40  /* bytes between a cue and a date after it */
#define DOB_BEFORE_CUE 12 /* bytes between a date and a cue after it */

typedef struct date {
    int y, m, d;
    size_t s, e;
} date_t;

/* The built-in anchor: 일생 glued to a date ("2일생"). */
static const pvg__builtin_word_t dob_words[] = {
    {"일생", PVG_DATE_OF_BIRTH, 0, PVG__SIDE_ANY, 1},
};

size_t pvg__dob_words(const pvg__builtin_word_t **out)
{
    *out = dob_words;
    return sizeof dob_words / sizeof dob_words[0];
}

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static int is_alpha(uint8_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

/* Reads up to max digits at *i; returns how many (0 when none) and the
 * value. */
static int read_digits(const uint8_t *t, size_t n, size_t *i, int max, int *val)
{
    int k = 0, v = 0;
    while (*i < n && is_digit(t[*i]) && k <= max) {
        v = v * 10 + (t[*i] - '0');
        (*i)++;
        k++;
    }
    *val = v;
    return k > max ? -1 : k;
}

static int at(const uint8_t *t, size_t n, size_t i, const char *s)
{
    size_t l = strlen(s);
    return i + l <= n && !memcmp(t + i, s, l);
}

static size_t skip_spaces(const uint8_t *t, size_t n, size_t i, size_t max)
{
    size_t j = i;
    while (j < n && j - i < max && t[j] == ' ')
        j++;
    return j;
}

/* The month an English month word at i names (1-12; 0 when none); *len
 * receives its length (with a dot: "Mar."). */
static int month_word(const uint8_t *t, size_t n, size_t i, size_t *len)
{
    static const char *const names[12] = {"january", "february", "march",     "april",
                                          "may",     "june",     "july",      "august",
                                          "september", "october", "november", "december"};
    size_t j = i;
    while (j < n && is_alpha(t[j]))
        j++;
    size_t l = j - i;
    if (l < 3 || l > 9)
        return 0;
    char w[10];
    for (size_t k = 0; k < l; k++)
        w[k] = (char)(t[i + k] | 0x20);
    w[l] = 0;
    for (int m = 0; m < 12; m++) {
        size_t ml = strlen(names[m]);
        /* full name, 3-letter abbreviation, or Sept */
        if ((l == ml && !memcmp(w, names[m], ml)) || (l == 3 && !memcmp(w, names[m], 3)) ||
            (m == 8 && l == 4 && !memcmp(w, "sept", 4))) {
            *len = l + (j < n && t[j] == '.' && l < ml);
            return m + 1;
        }
    }
    return 0;
}

/* The year of a two-digit year: this century when not in the future. */
static int full_year(int yy, int digits, int now_year)
{
    if (digits == 4)
        return yy;
    return 2000 + yy <= now_year ? 2000 + yy : 1900 + yy;
}

/* Skips an English ordinal suffix after a day (2nd, 21st). */
static size_t ordinal(const uint8_t *t, size_t n, size_t i)
{
    if (i + 2 <= n && is_alpha(t[i]) && is_alpha(t[i + 1]) && (i + 2 == n || !is_alpha(t[i + 2]))) {
        char a = (char)(t[i] | 0x20), b = (char)(t[i + 1] | 0x20);
        if ((a == 's' && b == 't') || (a == 'n' && b == 'd') || (a == 'r' && b == 'd') ||
            (a == 't' && b == 'h'))
            return i + 2;
    }
    return i;
}

/* Parses a date starting exactly at i (see the file comment for the forms).
 * Returns 1 and fills *out; the span ends after the last digit, 일 or
 * year. No validation here beyond the shape. */
static int parse_date(const uint8_t *t, size_t n, size_t i, int now_year, date_t *out)
{
    size_t j = i;
    int a, b, c;
    out->s = i;
    if (is_alpha(t[i])) {
        /* Month D, YYYY */
        size_t ml;
        int m = month_word(t, n, i, &ml);
        if (!m)
            return 0;
        j = skip_spaces(t, n, i + ml, 2);
        int nd = read_digits(t, n, &j, 2, &b);
        if (nd < 1)
            return 0;
        j = ordinal(t, n, j);
        if (j < n && t[j] == ',')
            j++;
        j = skip_spaces(t, n, j, 2);
        size_t ys = j;
        if (read_digits(t, n, &j, 4, &c) != 4 || j == ys)
            return 0;
        out->y = c, out->m = m, out->d = b, out->e = j;
        return 1;
    }
    int n1 = read_digits(t, n, &j, 8, &a);
    if (n1 < 1)
        return 0;
    size_t after1 = j;
    /* Korean: 1995년 3월 2일 */
    size_t k = skip_spaces(t, n, j, 1);
    if ((n1 == 4 || n1 == 2) && at(t, n, k, "년")) {
        k = skip_spaces(t, n, k + 3, 2);
        if (read_digits(t, n, &k, 2, &b) < 1)
            return 0;
        k = skip_spaces(t, n, k, 1);
        if (!at(t, n, k, "월"))
            return 0;
        k = skip_spaces(t, n, k + 3, 2);
        if (read_digits(t, n, &k, 2, &c) < 1)
            return 0;
        k = skip_spaces(t, n, k, 1);
        if (!at(t, n, k, "일"))
            return 0;
        out->y = full_year(a, n1, now_year), out->m = b, out->d = c, out->e = k + 3;
        return 1;
    }
    /* Compact: 19950302, 950302 */
    if ((n1 == 8 || n1 == 6) && (j >= n || !(t[j] == '.' || t[j] == '-' || t[j] == '/'))) {
        const uint8_t *d = t + i;
        int y = n1 == 8 ? (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0')
                        : full_year((d[0] - '0') * 10 + (d[1] - '0'), 2, now_year);
        const uint8_t *md = d + (n1 == 8 ? 4 : 2);
        out->y = y;
        out->m = (md[0] - '0') * 10 + (md[1] - '0');
        out->d = (md[2] - '0') * 10 + (md[3] - '0');
        out->e = after1;
        return 1;
    }
    /* Separated: Y.M.D, Y-M-D, Y/M/D, "1995. 3. 2", "1985 . 03 . 12", and
     * D/M/Y or M/D/Y */
    j = skip_spaces(t, n, j, 1);
    if (j >= n || !(t[j] == '.' || t[j] == '-' || t[j] == '/'))
        return 0;
    uint8_t sep = t[j++];
    j = skip_spaces(t, n, j, 1);
    int n2 = read_digits(t, n, &j, 2, &b);
    j = skip_spaces(t, n, j, 1);
    if (n2 < 1 || j >= n || t[j] != sep)
        return 0;
    j = skip_spaces(t, n, j + 1, 1);
    size_t s3 = j;
    int n3 = read_digits(t, n, &j, 4, &c);
    if (n3 < 1 || j == s3)
        return 0;
    if (n1 == 4 && n3 <= 2) {
        out->y = a, out->m = b, out->d = c;
    } else if (n1 == 2 && n2 == 2 && n3 == 2 && sep != '/') {
        out->y = full_year(a, 2, now_year), out->m = b, out->d = c;
    } else if (n1 <= 2 && n3 == 4) {
        /* US order first; day first when the first number cannot be a
         * month (25/12/1990), or with dots (25.12.1990, European). */
        if (a > 12 || sep == '.')
            out->m = b, out->d = a;
        else
            out->m = a, out->d = b;
        out->y = c;
    } else {
        return 0;
    }
    out->e = j;
    return 1;
}

/* A date starting with a day: 2 March 1995, 2nd of March, 1995. */
static int parse_day_first(const uint8_t *t, size_t n, size_t i, date_t *out)
{
    size_t j = i;
    int d, y;
    if (read_digits(t, n, &j, 2, &d) < 1)
        return 0;
    j = ordinal(t, n, j);
    if (j >= n || t[j] != ' ')
        return 0;
    j++;
    if (j + 3 <= n && (t[j] | 0x20) == 'o' && (t[j + 1] | 0x20) == 'f' && t[j + 2] == ' ')
        j += 3;
    size_t ml;
    int m = month_word(t, n, j, &ml);
    if (!m)
        return 0;
    j += ml;
    if (j < n && t[j] == ',')
        j++;
    j = skip_spaces(t, n, j, 2);
    size_t ys = j;
    if (read_digits(t, n, &j, 4, &y) != 4 || j == ys)
        return 0;
    out->s = i, out->e = j, out->y = y, out->m = m, out->d = d;
    return 1;
}

static int year_of_days(int64_t days)
{
    /* Hinnant's civil_from_days, year only. */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    return (int)(y + (mp >= 10));
}

/* Whether the date is a real one that can be a birth date at now, and
 * does not continue into a longer number (an RRN, a phone number). */
static int date_valid(pvg__scan_t *sc, const date_t *dt)
{
    if (dt->y < 1850 || !pvg__date_ok(dt->y, dt->m, dt->d))
        return 0;
    int64_t today = pvg__now(sc) / 86400000;
    int64_t born = pvg__days_from_civil(dt->y, dt->m, dt->d);
    if (born > today || today - born > 130 * 366)
        return 0;
    const uint8_t *t = sc->t;
    size_t n = sc->n;
    if (dt->s > 0) {
        uint8_t p = t[dt->s - 1];
        if (is_digit(p) || is_alpha(p))
            return 0;
        if ((p == '-' || p == '.' || p == '/') && dt->s > 1 && is_digit(t[dt->s - 2]))
            return 0;
    }
    if (dt->e < n) {
        uint8_t q = t[dt->e];
        if (is_digit(q) || (is_alpha(q) && is_digit(t[dt->e - 1])))
            return 0;
        if ((q == '-' || q == '.' || q == '/') && dt->e + 1 < n && is_digit(t[dt->e + 1]))
            return 0;
        /* 950302 1234567: the front of a spaced resident number */
        if (q == ' ' && is_digit(t[dt->s]) && dt->e - dt->s <= 8) {
            size_t k = dt->e + 1, dn = 0;
            while (k < n && is_digit(t[k]))
                k++, dn++;
            if (dn == 7)
                return 0;
        }
    }
    return 1;
}

/* Tries a date at i, in any form. */
static int date_at(pvg__scan_t *sc, size_t i, int now_year, date_t *dt)
{
    const uint8_t *t = sc->t;
    size_t n = sc->n;
    if (i > 0 && (is_digit(t[i - 1]) || is_alpha(t[i - 1])))
        return 0; /* not the start of a word */
    if (parse_date(t, n, i, now_year, dt) && date_valid(sc, dt))
        return 1;
    if (is_digit(t[i]) && parse_day_first(t, n, i, dt) && date_valid(sc, dt))
        return 1;
    return 0;
}

static void emit_dob(pvg__scan_t *sc, const date_t *dt)
{
    int neg;
    pvg__context(sc, PVG_DATE_OF_BIRTH, dt->s, dt->e, &neg);
    float score = 0.8f;
    if (neg)
        score -= 0.4f;
    pvg__emit(sc, PVG_DATE_OF_BIRTH, dt->s, dt->e, score);
}

void pvg__detect_dob(pvg__scan_t *sc)
{
    if (!sc->e->det[PVG_DATE_OF_BIRTH].enabled)
        return;
    const pvg_scratch_t *s = sc->s;
    const uint8_t *t = sc->t;
    size_t n = sc->n;
    int now_year = 0;
    size_t done = 0; /* dates end before this: one finding per date */
    for (size_t hi = 0; hi < s->n_hits; hi++) {
        const pvg__hit_t *h = &s->hits[hi];
        const pvg__word_t *w = &sc->e->words[h->word];
        if (w->type != PVG_DATE_OF_BIRTH || w->polarity < 0)
            continue;
        if (!now_year)
            now_year = year_of_days(pvg__now(sc) / 86400000);
        date_t dt;
        if (w->polarity == 0) {
            /* 일생 right after a date: "1995년 3월 2일생" */
            size_t end = h->start + 3; /* after 일 */
            if (h->start == 0 || !(is_digit(t[h->start - 1]) || t[h->start - 1] == ' '))
                continue;
            size_t from = h->start > 32 ? h->start - 32 : 0;
            for (size_t i = from; i < h->start; i++) {
                if (i < done || !is_digit(t[i]))
                    continue;
                if (date_at(sc, i, now_year, &dt) && dt.e == end) {
                    emit_dob(sc, &dt);
                    done = dt.e;
                    break;
                }
            }
            continue;
        }
        int found = 0;
        if (w->side & PVG__SIDE_BEFORE) {
            /* the date follows the cue */
            size_t to = h->end + DOB_AFTER_CUE < n ? h->end + DOB_AFTER_CUE : n;
            for (size_t i = h->end > done ? h->end : done; i < to; i++) {
                if (!(is_digit(t[i]) || is_alpha(t[i])))
                    continue;
                if (date_at(sc, i, now_year, &dt)) {
                    emit_dob(sc, &dt);
                    done = dt.e;
                    found = 1;
                    break;
                }
            }
        }
        if (!found && (w->side & PVG__SIDE_AFTER)) {
            /* the date comes before the cue: "1995.03.02 출생" */
            size_t from = h->start > 48 ? h->start - 48 : 0;
            if (from < done)
                from = done;
            for (size_t i = from; i < h->start; i++) {
                if (!(is_digit(t[i]) || is_alpha(t[i])))
                    continue;
                if (date_at(sc, i, now_year, &dt) && dt.e <= h->start &&
                    h->start - dt.e <= DOB_BEFORE_CUE) {
                    int digits = 0;
                    for (size_t k = dt.e; k < h->start; k++)
                        digits |= is_digit(t[k]);
                    if (digits)
                        continue;
                    emit_dob(sc, &dt);
                    done = dt.e;
                    break;
                }
            }
        }
    }
}
