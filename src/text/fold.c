/* SPDX-License-Identifier: MIT */
/*
 * fold.c -- UTF-8 validation and the fast fold.
 *
 * Detectors look at a folded copy of the message in which the ways people
 * hide numbers are undone: full-width ASCII becomes ASCII, circled and other
 * Unicode digits become ASCII digits, zero-width characters disappear, and
 * Hangul digit syllables (공/영 일 이 삼 사 오 육 칠 팔 구) become digits
 * when they stand inside a digit run. Everything else is copied as it is,
 * so Korean context words can be matched in the folded text too.
 *
 * Folding never makes the text longer. Every folded byte i has map[i], the
 * offset in the original text of the character it came from, and
 * map[flen] is the original length, so a folded span [a, b) is the original
 * span [map[a], map[b]).
 *
 * A full NFKC pass costs about 1.9 us per chat line; this pass looks at each
 * byte once, copies ASCII eight bytes at a time, and only decodes the
 * non-ASCII characters, so it costs tens of nanoseconds on a chat line.
 */
#include <string.h>

#include "engine/internal.h"

/* ------------------------------------------------------------ validation */

int pvg__utf8_valid(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* Skip ASCII eight bytes at a time. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= len || (p[i + 1] & 0xC0) != 0x80)
                return 0;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (i + 2 >= len || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80)
                return 0;
            if (c == 0xE0 && p[i + 1] < 0xA0)
                return 0; /* overlong */
            if (c == 0xED && p[i + 1] >= 0xA0)
                return 0; /* surrogate */
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (i + 3 >= len || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80 ||
                (p[i + 3] & 0xC0) != 0x80)
                return 0;
            if (c == 0xF0 && p[i + 1] < 0x90)
                return 0; /* overlong */
            if (c == 0xF4 && p[i + 1] >= 0x90)
                return 0; /* above U+10FFFF */
            i += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

PVG_API int pvg_utf8_valid(const char *text, size_t len)
{
    return (text || !len) && pvg__utf8_valid((const uint8_t *)text, len);
}

uint32_t pvg__utf8_prev(const uint8_t *t, size_t end, size_t *start)
{
    if (end == 0) {
        *start = 0;
        return 0;
    }
    size_t i = end - 1;
    while (i > 0 && (t[i] & 0xC0) == 0x80 && end - i < 4)
        i--;
    size_t n;
    *start = i;
    return pvg__utf8_decode(t + i, &n);
}

/* ---------------------------------------------------------------- digits */

/* The value of a Hangul digit syllable, or -1. */
static int hangul_digit(uint32_t cp)
{
    switch (cp) {
    case 0xACF5: /* 공 */
    case 0xC601: /* 영 */
        return 0;
    case 0xC77C: return 1; /* 일 */
    case 0xC774: return 2; /* 이 */
    case 0xC0BC: return 3; /* 삼 */
    case 0xC0AC: return 4; /* 사 */
    case 0xC624: return 5; /* 오 */
    case 0xC721: return 6; /* 육 */
    case 0xCE60: return 7; /* 칠 */
    case 0xD314: return 8; /* 팔 */
    case 0xAD6C: return 9; /* 구 */
    default: return -1;
    }
}

/* First code points of blocks of ten decimal digits (Unicode Nd) that people
 * use to disguise numbers, plus enclosed digit sets. */
static const uint32_t digit_blocks[] = {
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6,
    0x0C66, 0x0CE6, 0x0D66, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810,
    0xFF10, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1FBF0,
};

/* The ASCII digit a non-ASCII, non-Hangul code point stands for, or -1. */
static int other_digit(uint32_t cp)
{
    /* Most non-ASCII characters in chat are none of these: jamo (ㅋㅋ),
     * punctuation, symbols, emoji outside the enclosed-digit blocks. */
    if ((cp >= 0x1820 && cp < 0x2070) || (cp >= 0x24FF + 1 && cp < 0x2776) ||
        (cp >= 0x2793 && cp < 0xFF10) || (cp > 0xFF19 && cp < 0x1D7CE) ||
        (cp > 0x1D7FF && cp < 0x1F10B) || (cp > 0x1F10C && cp < 0x1FBF0) || cp > 0x1FBF9)
        return -1;
    if (cp >= 0x2460 && cp <= 0x2468) return (int)(cp - 0x2460 + 1); /* ① - ⑨ */
    if (cp == 0x24EA || cp == 0x24FF || cp == 0x1F10B || cp == 0x1F10C) return 0; /* ⓪ ⓿ */
    if (cp >= 0x2474 && cp <= 0x247C) return (int)(cp - 0x2474 + 1); /* ⑴ - ⑼ */
    if (cp >= 0x2488 && cp <= 0x2490) return (int)(cp - 0x2488 + 1); /* ⒈ - ⒐ */
    if (cp >= 0x24F5 && cp <= 0x24FD) return (int)(cp - 0x24F5 + 1); /* ⓵ - ⓽ */
    if (cp >= 0x2776 && cp <= 0x277E) return (int)(cp - 0x2776 + 1); /* ❶ - ❾ */
    if (cp >= 0x2780 && cp <= 0x2788) return (int)(cp - 0x2780 + 1); /* ➀ - ➈ */
    if (cp >= 0x278A && cp <= 0x2792) return (int)(cp - 0x278A + 1); /* ➊ - ➒ */
    if (cp == 0x2070) return 0;                                        /* ⁰ */
    if (cp == 0x00B9) return 1;
    if (cp == 0x00B2) return 2;
    if (cp == 0x00B3) return 3;
    if (cp >= 0x2074 && cp <= 0x2079) return (int)(cp - 0x2070);       /* ⁴ - ⁹ */
    if (cp >= 0x2080 && cp <= 0x2089) return (int)(cp - 0x2080);       /* ₀ - ₉ */
    for (size_t i = 0; i < sizeof digit_blocks / sizeof digit_blocks[0]; i++)
        if (cp >= digit_blocks[i] && cp < digit_blocks[i] + 10)
            return (int)(cp - digit_blocks[i]);
    return -1;
}

/* Zero-width and invisible formatting characters, dropped by the fold. */
static int invisible(uint32_t cp)
{
    return cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 ||
           cp == 0xFEFF || cp == 0x00AD || cp == 0x180E || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x2061 && cp <= 0x2064);
}

/* A separator that may stand inside a digit run written in Hangul digits. */
static int run_sep(uint8_t c)
{
    return c == ' ' || c == '-' || c == '.' || c == '/' || c == ',' || c == '_';
}

/*
 * At in[i] stands a Hangul digit syllable. Decides whether the digit run it
 * starts is long enough to be a number: counts the digits (Hangul, ASCII,
 * full-width) ahead, allowing single separators between them, and adds the
 * digits already emitted just before. Seven digits in all make a run; a
 * shorter one is ordinary Korean text (이사, 오이, 사이사이).
 * Returns the end of the run in `in` when it folds, else 0.
 */
static size_t hangul_run_end(const uint8_t *in, size_t len, size_t i, unsigned before)
{
    /* Most 이, 일, 사, 오 are words: bail out unless a digit, a Hangul digit
     * or a separator follows, or digits come before. */
    if (before == 0 && i + 3 < len) {
        uint8_t c = in[i + 3];
        if (c >= 0x80) {
            size_t l;
            /* a three-byte character inside the text, or not a digit */
            if (i + 6 > len || c < 0xE0 || c > 0xEF || (in[i + 4] & 0xC0) != 0x80 ||
                (in[i + 5] & 0xC0) != 0x80)
                return 0;
            uint32_t cp = pvg__utf8_decode(in + i + 3, &l);
            if (hangul_digit(cp) < 0 && other_digit(cp) < 0)
                return 0;
        } else if (!(c >= '0' && c <= '9') && !run_sep(c)) {
            return 0;
        }
    }
    unsigned digits = before, hangul = 0;
    size_t end = i, j = i;
    int seps = 0, first_glued = -1;
    while (j < len) {
        uint8_t c = in[j];
        if (c >= '0' && c <= '9') {
            if (first_glued < 0)
                first_glued = seps == 0;
            digits++, j++, end = j, seps = 0;
            continue;
        }
        if (c < 0x80) {
            if (run_sep(c) && seps == 0) {
                seps = 1, j++;
                continue;
            }
            break;
        }
        /* The text ahead is not validated yet: decode only a well-formed
         * character that lies inside the text (the fold reports the rest). */
        size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (!n || c > 0xF4 || j + n > len)
            break;
        int ok = 1;
        for (size_t k = 1; k < n; k++)
            ok &= (in[j + k] & 0xC0) == 0x80;
        if (!ok)
            break;
        size_t dn;
        uint32_t cp = pvg__utf8_decode(in + j, &dn);
        if (hangul_digit(cp) >= 0) {
            if (first_glued < 0 && j > i)
                first_glued = seps == 0;
            digits++, hangul++, j += n, end = j, seps = 0;
            continue;
        }
        if (other_digit(cp) >= 0) {
            if (first_glued < 0)
                first_glued = seps == 0;
            digits++, j += n, end = j, seps = 0;
            continue;
        }
        if (invisible(cp)) {
            j += n;
            continue;
        }
        break;
    }
    /* Seven digits in all, and the run must look written as a number: the
     * first syllable glued to the next digit (공일공, 오육칠팔, 공1공), or
     * spaced syllables continuing a run of ASCII digits, or many of them
     * (공 일 공 일 이 ...). "이 010-1234-5678" keeps its 이. */
    if (digits < 7)
        return 0;
    if (first_glued == 1 || (before >= 3 && hangul >= 2) || hangul >= 5)
        return end;
    return 0;
}

static inline int digit_last_byte(uint8_t b)
{
    switch (b) {
    case 0xB5: case 0x81: case 0xBC: case 0xB4: case 0xAC:
    case 0xA4: case 0xA1: case 0xA0: case 0x94:
        return 1;
    default:
        return 0;
    }
}

/* Digits (and single separators between them) just before out[o]: the
 * part of a digit run already folded, for a Hangul digit that continues it
 * (010-1234-오육칠팔). */
static unsigned digits_before(const uint8_t *out, size_t o)
{
    unsigned n = 0;
    int seps = 0;
    while (o > 0 && n < 16) {
        uint8_t c = out[o - 1];
        if (c >= '0' && c <= '9')
            n++, seps = 0;
        else if (run_sep(c) && !seps)
            seps = 1;
        else
            break;
        o--;
    }
    return n;
}

/* Switches the map from "identity" (not written yet) to written, for the
 * o bytes folded so far, which all stood where they were. */
static void materialize(uint32_t *map, size_t o, int *ident)
{
    if (!*ident)
        return;
    for (size_t k = 0; k < o; k++)
        map[k] = (uint32_t)k;
    *ident = 0;
}

/*
 * Undoes "defanged" links and addresses: people write hxxps://, example[.]com,
 * name(at)example.com, name 골뱅이 example.com and the ideographic full stop
 * (example。com) so that filters miss them. Each such sequence becomes the
 * one character it stands for ("hxxp" becomes "http"), its map entry the
 * sequence's start, so spans still cover what was written. The text only
 * shrinks. A cheap scan for the characters that start a sequence runs
 * first: most messages have none.
 */
typedef struct defang_seq {
    const char *from;
    uint8_t flen;
    const char *to;
} defang_seq_t;

static const defang_seq_t defangs[] = {
    {"[.]", 3, "."}, {"(.)", 3, "."}, {"{.}", 3, "."}, {"[dot]", 5, "."}, {"(dot)", 5, "."},
    {"[at]", 4, "@"}, {"(at)", 4, "@"}, {"{at}", 4, "@"}, {"[@]", 3, "@"}, {"(@)", 3, "@"},
    {"\xEA\xB3\xA8\xEB\xB1\x85\xEC\x9D\xB4", 9, "@"}, /* 골뱅이 */
    {"\xE3\x80\x82", 3, "."},                                /* 。 */
    {"hxxp", 4, "http"}, {"hXXp", 4, "http"}, {"HXXP", 4, "HTTP"}, {"h**p", 4, "http"},
};

static int defang_start(uint8_t c)
{
    return c == '[' || c == '(' || c == '{' || c == 0xEA || c == 0xE3 || c == 'h' || c == 'H';
}

static void defang(pvg_scratch_t *s, size_t from)
{
    uint8_t *t = s->fold;
    size_t n = s->flen;
    /* Quick test: any "[x" "(x" "{x" "골" "。" "hx" at all? */
    int any = 0;
    for (size_t i = from; i + 2 < n && !any; i++) {
        uint8_t c = t[i];
        if (!defang_start(c))
            continue;
        if (c == 'h' || c == 'H')
            any = (t[i + 1] | 0x20) == 'x' || t[i + 1] == '*';
        else if (c == 0xEA)
            any = t[i + 1] == 0xB3 && t[i + 2] == 0xA8;
        else if (c == 0xE3)
            any = t[i + 1] == 0x80 && t[i + 2] == 0x82;
        else
            any = t[i + 1] == '.' || t[i + 1] == '@' || (t[i + 1] | 0x20) == 'a' ||
                  (t[i + 1] | 0x20) == 'd';
    }
    if (!any)
        return;
    if (s->map_identity) {
        for (size_t k = 0; k <= n; k++)
            s->map[k] = (uint32_t)k;
        s->map_identity = 0;
    }
    size_t o = from;
    for (size_t i = from; i < n;) {
        const defang_seq_t *hit = NULL;
        if (defang_start(t[i]))
            for (size_t k = 0; k < sizeof defangs / sizeof defangs[0]; k++) {
                const defang_seq_t *d = &defangs[k];
                if (i + d->flen <= n && !memcmp(t + i, d->from, d->flen)) {
                    hit = d;
                    break;
                }
            }
        if (!hit) {
            t[o] = t[i];
            s->map[o++] = s->map[i++];
            continue;
        }
        size_t tl = strlen(hit->to), start = i;
        /* " [at] " and " 골뱅이 ": the spaces around go with it. */
        int spaced = tl == 1 && o > from && t[o - 1] == ' ' && i + hit->flen < n &&
                     t[i + hit->flen] == ' ';
        if (spaced)
            o--, start = i;
        uint32_t at = s->map[spaced ? i - 1 : i];
        for (size_t k = 0; k < tl; k++) {
            t[o] = (uint8_t)hit->to[k];
            s->map[o++] = tl == 1 ? at : s->map[start + k];
        }
        i += hit->flen + (spaced ? 1 : 0);
    }
    s->map[o] = s->map[n];
    s->flen = o;
}

/* Whether eight ASCII bytes hold a digit (a byte from 0x30 to 0x39). */
static inline int digit8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    /* bytes are ASCII (< 0x80): w + (0x80 - 0x30) sets the high bit of bytes
     * >= 0x30, w + (0x80 - 0x3A) of bytes >= 0x3A */
    uint64_t ge30 = (w + ones * (0x80 - 0x30)) & highs;
    uint64_t ge3a = (w + ones * (0x80 - 0x3A)) & highs;
    return (ge30 & ~ge3a) != 0;
}

/* Whether eight ASCII bytes hold '[', '(', '{' or an 'x'/'X' (hxxp), the
 * bytes a defanged sequence starts or contains (SWAR zero-byte test). */
static inline int defang_hint8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
#define PVG_HAS(x) ((((x) - ones) & ~(x) & highs) != 0)
    uint64_t a = w ^ (ones * '['), b = w ^ (ones * '('), c = w ^ (ones * '{');
    uint64_t x = (w | (ones * 0x20)) ^ (ones * 'x');
    return PVG_HAS(a) || PVG_HAS(b) || PVG_HAS(c) || PVG_HAS(x);
#undef PVG_HAS
}

int pvg__fold(const uint8_t *in, size_t len, pvg_scratch_t *s)
{
    uint8_t *out = s->fold;
    uint32_t *map = s->map;
    size_t o = s->flen;
    size_t i = 0;
    size_t hangul_until = 0; /* in[< hangul_until] Hangul digits fold */
    /* While nothing changes, the map is the identity and is not written: most
     * messages need no map at all. A window tail in front rules it out. */
    int ident = o == 0;
    int hint = 0;              /* a defanged sequence may stand in the text */
    int digit = o > 0;         /* the text has a digit (a window tail: assume so) */

    while (i < len) {
        /* ASCII fast path, eight bytes at a time. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, in + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            memcpy(out + o, in + i, 8);
            if (!ident)
                for (int k = 0; k < 8; k++)
                    map[o + k] = (uint32_t)(i + k);
            hint |= defang_hint8(w);
            digit |= digit8(w);
            o += 8, i += 8;
        }
        if (i >= len)
            break;
        uint8_t c = in[i];
        if (c < 0x80) {
            out[o] = c;
            if (!ident)
                map[o] = (uint32_t)i;
            hint |= c == '[' || c == '(' || c == '{' || (c | 0x20) == 'x';
            digit |= c >= '0' && c <= '9';
            o++, i++;
            continue;
        }
        /* Hangul syllables (U+AC00..D7A3: EA B0.. to ED 9E ..) whose last
         * byte is not that of a digit syllable (공 영 일 이 삼 사 오 육 칠 팔
         * 구 end in B5 81 BC B4 AC A4 A1 A0 94) are validated and copied
         * here, without decoding: most of a Korean message. */
        if (c >= 0xEA && c <= 0xED && i + 2 < len) {
            uint8_t b1 = in[i + 1], b2 = in[i + 2];
            if ((b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80 && !digit_last_byte(b2) &&
                (c == 0xEA ? b1 >= 0xB0 : c == 0xED ? b1 <= 0x9E : 1)) {
                hint |= c == 0xEA && b1 == 0xB3 && b2 == 0xA8; /* 골(뱅이) */
                out[o] = c, out[o + 1] = b1, out[o + 2] = b2;
                if (!ident)
                    map[o] = (uint32_t)i, map[o + 1] = (uint32_t)i + 1, map[o + 2] = (uint32_t)i + 2;
                o += 3, i += 3;
                continue;
            }
        }
        size_t n = 0;
        /* Validate the character before decoding it. */
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= len || (in[i + 1] & 0xC0) != 0x80)
                return PVG_EUTF8;
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (i + 2 >= len || (in[i + 1] & 0xC0) != 0x80 || (in[i + 2] & 0xC0) != 0x80 ||
                (c == 0xE0 && in[i + 1] < 0xA0) || (c == 0xED && in[i + 1] >= 0xA0))
                return PVG_EUTF8;
            n = 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (i + 3 >= len || (in[i + 1] & 0xC0) != 0x80 || (in[i + 2] & 0xC0) != 0x80 ||
                (in[i + 3] & 0xC0) != 0x80 || (c == 0xF0 && in[i + 1] < 0x90) ||
                (c == 0xF4 && in[i + 1] >= 0x90))
                return PVG_EUTF8;
            n = 4;
        } else {
            return PVG_EUTF8;
        }
        size_t dn;
        uint32_t cp = pvg__utf8_decode(in + i, &dn);
        int d = -1;
        hint |= cp == 0xACE8 || cp == 0x3002; /* 골(뱅이), 。 */
        if (cp >= 0xAC00 && cp <= 0xD7A3) {
            /* Hangul syllables: the common case. Only the eleven digit
             * syllables need a look. */
            int h = hangul_digit(cp);
            if (h >= 0) {
                if (i < hangul_until) {
                    d = h;
                } else {
                    size_t end = hangul_run_end(in, len, i, digits_before(out, o));
                    if (end) {
                        hangul_until = end;
                        d = h;
                    }
                }
            }
            if (d < 0) {
                out[o] = in[i], out[o + 1] = in[i + 1], out[o + 2] = in[i + 2];
                if (!ident)
                    map[o] = (uint32_t)i, map[o + 1] = (uint32_t)i + 1, map[o + 2] = (uint32_t)i + 2;
                o += 3, i += 3;
                continue;
            }
        } else if (cp >= 0xFF01 && cp <= 0xFF5E) {
            /* Full-width ASCII. */
            materialize(map, o, &ident);
            out[o] = (uint8_t)(cp - 0xFEE0);
            digit |= out[o] >= '0' && out[o] <= '9';
            map[o++] = (uint32_t)i;
            i += n;
            continue;
        } else if (cp == 0x3000) {
            materialize(map, o, &ident);
            out[o] = ' ';
            map[o++] = (uint32_t)i;
            i += n;
            continue;
        } else if (invisible(cp)) {
            materialize(map, o, &ident);
            i += n;
            continue;
        } else {
            d = other_digit(cp);
        }
        if (d >= 0) {
            materialize(map, o, &ident);
            digit = 1;
            out[o] = (uint8_t)('0' + d);
            map[o++] = (uint32_t)i;
        } else {
            for (size_t k = 0; k < n; k++) {
                out[o] = in[i + k];
                if (!ident)
                    map[o] = (uint32_t)(i + k);
                o++;
            }
        }
        i += n;
    }
    s->flen = o;
    s->map_identity = ident;
    if (!ident)
        map[o] = (uint32_t)len;
    s->has_digit = digit;
    if (hint)
        defang(s, s->prev_len ? s->prev_len : 0);
    return PVG_OK;
}
