/* SPDX-License-Identifier: MIT */
/*
 * runs.c -- the hand-written digit-run pass over the folded text.
 *
 * A digit run is a sequence of digit groups joined by short separator
 * sequences: "010-1234-5678", "(02) 123 4567", "9 0 0 1 0 1 - 1 ...",
 * "010.1234.5678", "010🔥1234🔥5678", a value broken over two lines. Every
 * numeric detector works on runs: it picks consecutive groups whose digit
 * count fits its format, so one pass serves them all.
 *
 * Look-alike letters (o/O for 0, l/I/| for 1) count as digits when they
 * touch a digit and no other letter ("o1o-1234-5678", "O10").
 */
#include <string.h>

#include "engine/internal.h"

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static int is_alpha(uint8_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

static int lookalike_value(uint8_t c)
{
    switch (c) {
    case 'o': case 'O': return 0;
    case 'l': case 'I': case '|': return 1;
    default: return -1;
    }
}

/* Whether t[i] is a look-alike letter standing for a digit here. */
static int lookalike_at(const uint8_t *t, size_t n, size_t i)
{
    if (lookalike_value(t[i]) < 0)
        return 0;
    int prev_digit = i > 0 && is_digit(t[i - 1]);
    int next_digit = i + 1 < n && is_digit(t[i + 1]);
    int prev_alpha = i > 0 && is_alpha(t[i - 1]) && lookalike_value(t[i - 1]) < 0;
    int next_alpha = i + 1 < n && is_alpha(t[i + 1]) && lookalike_value(t[i + 1]) < 0;
    if (prev_alpha || next_alpha)
        return 0;
    if (prev_digit || next_digit)
        return 1;
    /* o1o: a look-alike next to a look-alike that touches a digit. */
    if (i + 2 < n && lookalike_value(t[i + 1]) >= 0 && is_digit(t[i + 2]) &&
        !(i > 0 && is_alpha(t[i - 1])))
        return 1;
    if (i >= 2 && lookalike_value(t[i - 1]) >= 0 && is_digit(t[i - 2]) &&
        !(i + 1 < n && is_alpha(t[i + 1])))
        return 1;
    return 0;
}

/*
 * The length of the separator sequence at t[i] (0 when none): at most three
 * separator characters, ASCII punctuation and spaces, line breaks, or
 * symbols and emoji (people write 010🔥1234🔥5678). *kind receives the byte
 * that names it: '-', ' ', '.', '/', '\n' or '?' for anything else.
 */
static size_t separator_at(const uint8_t *t, size_t n, size_t i, uint8_t *kind, int *nl)
{
    size_t j = i;
    int count = 0;
    *kind = 0;
    while (j < n && count < 3) {
        uint8_t c = t[j];
        size_t len = 1;
        uint8_t k;
        if (c == '-' || c == ' ' || c == '.' || c == '/')
            k = c;
        else if (c == '\n' || c == '\r') {
            k = '\n';
            *nl = 1;
        } else if (c == '\t')
            k = ' ';
        else if (c == '(' || c == ')' || c == '_' || c == '~' || c == ',' || c == '*' ||
                 c == '#' || c == ':' || c == '=')
            k = c == ',' ? ',' : '?';
        else if (c >= 0x80) {
            size_t l;
            uint32_t cp = pvg__utf8_decode(t + j, &l);
            /* Symbols, dingbats, arrows, CJK punctuation, emoji. */
            if ((cp >= 0x2010 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
                (cp >= 0x1F000 && cp <= 0x1FAFF) || cp == 0xFE0F || cp == 0x00B7) {
                /* ...but not the enclosed digits the fold left alone. */
                k = '?';
                len = l;
            } else
                break;
        } else
            break;
        if (!*kind || *kind == ' ')
            *kind = k;
        j += len;
        count++;
    }
    return j - i;
}

void pvg__find_runs(pvg__scan_t *sc)
{
    pvg_scratch_t *s = sc->s;
    const uint8_t *t = sc->t;
    size_t n = sc->n;
    size_t i = 0;
    s->n_runs = 0;
    /* Look-alike letters count only next to a digit: no digit, no run. */
    if (!s->has_digit)
        return;
    while (i < n && s->n_runs < PVG__MAX_RUNS) {
        /* Find the next digit (or look-alike next to one). */
        const uint8_t *p = t + i;
        while (i < n && !is_digit(t[i]) && !(lookalike_value(t[i]) >= 0 && lookalike_at(t, n, i)))
            i++;
        (void)p;
        if (i >= n)
            break;
        pvg__run_t *r = &s->runs[s->n_runs];
        memset(r, 0, offsetof(pvg__run_t, d));
        r->start = (uint32_t)i;
        r->plus = i > 0 && t[i - 1] == '+';
        if (!r->plus && i > 1 && t[i - 1] == ' ' && t[i - 2] == '+')
            r->plus = 1;
        int open_paren = i > 0 && t[i - 1] == '(';
        r->gstart[0] = 0;
        size_t j = i;
        for (;;) {
            /* One group. */
            while (j < n && r->n < PVG__MAX_RUN_DIGITS) {
                int v;
                if (is_digit(t[j]))
                    v = t[j] - '0';
                else if (lookalike_at(t, n, j)) {
                    v = lookalike_value(t[j]);
                    r->lookalikes++;
                } else
                    break;
                r->d[r->n] = (char)('0' + v);
                r->pos[r->n++] = (uint32_t)j;
                j++;
            }
            if (r->ngroups == 0 && open_paren && j < n && t[j] == ')')
                r->paren = 1;
            if (r->n >= PVG__MAX_RUN_DIGITS || r->ngroups + 1 >= PVG__MAX_GROUPS) {
                r->gsep[r->ngroups] = 0;
                r->ngroups++;
                break;
            }
            uint8_t kind;
            int nl = 0;
            size_t sl = separator_at(t, n, j, &kind, &nl);
            if (sl == 0 || j + sl >= n ||
                !(is_digit(t[j + sl]) || lookalike_at(t, n, j + sl))) {
                r->gsep[r->ngroups] = 0;
                r->ngroups++;
                break;
            }
            r->gsep[r->ngroups] = kind;
            if (kind != '-' && kind != ' ' && kind != '.')
                r->odd_seps++;
            if (nl)
                r->newline = 1;
            r->ngroups++;
            r->gstart[r->ngroups] = (uint8_t)r->n;
            j += sl;
        }
        r->gstart[r->ngroups] = (uint8_t)r->n;
        r->end = r->pos[r->n - 1] + 1;
        s->n_runs++;
        i = r->end;
    }
}

static int ascii_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Whether in[i] is left out of the space-free form. */
static inline int nospace_drop(const uint8_t *in, size_t n, size_t i)
{
    switch (in[i]) {
    case ' ': case '\t': case '\n': case '\r': case '*': case '_': case '~': case '^':
    case '\'': case '"': case '-':
        return 1;
    case '.':
        /* kept between ASCII letters or digits, and before one at the very
         * start (the word ".apk") */
        return !(i + 1 < n && ascii_alnum(in[i + 1]) && (i == 0 || ascii_alnum(in[i - 1])));
    default:
        return 0;
    }
}

size_t pvg__nospace(const uint8_t *in, size_t n, uint8_t *out, uint32_t *skips, size_t *nskips)
{
    size_t k = 0, ns = 0, i = 0;
    while (i < n) {
        /* Eight bytes of non-ASCII text (Hangul) at once: none is dropped. */
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, in + i, 8);
            if ((w & 0x8080808080808080ull) == 0x8080808080808080ull) {
                memmove(out + k, in + i, 8); /* in place for words: out may be in */
                k += 8, i += 8;
                continue;
            }
        }
        if (nospace_drop(in, n, i)) {
            if (skips)
                skips[ns] = (uint32_t)i;
            ns++;
        } else {
            out[k++] = in[i];
        }
        i++;
    }
    if (nskips)
        *nskips = ns;
    return k;
}

uint32_t pvg__nospace_orig(const uint32_t *skips, size_t nskips, size_t k)
{
    /* The k-th kept byte: k plus the dropped bytes before it. */
    size_t f = k;
    for (size_t j = 0; j < nskips && skips[j] <= f; j++)
        f++;
    return (uint32_t)f;
}
