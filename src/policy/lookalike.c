/* SPDX-License-Identifier: MIT */
/*
 * lookalike.c -- protected names and official domains, and the strings
 * that look like them (lookalike.h).
 *
 * A name goes through these steps, the same for the protected names at
 * compile time and for each query:
 *   1. fold (utf8proc): NFKD, case fold, default-ignorables (zero-width)
 *      dropped, accents stripped; Hangul syllables become conjoining jamo,
 *      compatibility jamo (ㅋ, ㅇ) become conjoining jamo too;
 *   2. keep letters and numbers only (spaces, punctuation, symbols and
 *      emoji go), except the glyphs ○ ◯ 〇 | kept for step 5;
 *   3. for queries: if the result is a protected name -> EXACT; otherwise
 *      strip one decoration word from either end ("고객센터", "공식",
 *      "official") and try again;
 *   4. units: runs of non-Hangul characters go through ICU's skeleton
 *      (uspoof_getSkeleton, UTS #39: Cyrillic о -> o, г -> r, 1/I/| -> l,
 *      m -> rn) and are lowercased again (the skeleton of 0 is O; ĸ, the
 *      skeleton of Cyrillic к and Greek κ, becomes k); in a
 *      string that holds Hangul, characters that stand for jamo are read as
 *      jamo: 0 o ○ 〇 -> 오, 1 l i | 丨 -> ㅣ, 7 -> ㄱ, 口 -> ㅁ, 己 -> ㄹ,
 *      人 -> ㅅ, 卜 ト -> ㅏ, 一 ー -> ㅡ;
 *   5. loose jamo are composed like an input method does (ㅋㅏㅋㅏㅇㅗ ->
 *      카카오; a loose consonant after an open syllable with no vowel after
 *      it becomes its final: 카카오토ㄱ -> 카카오톡); each unit is then a
 *      syllable (lead, vowel, tail) or one other character;
 *   6. weighted edit distance over units, in sixths: per jamo slot 0 same,
 *      1 confusable (ㅐ/ㅔ, ㄱ/ㅋ/ㄲ, finals that sound the same), 2
 *      different; a different other character, an insertion or a deletion
 *      costs 6. Budgets: names with Hangul 1 (<= 3 units), 2 (4-5), 4 (6+);
 *      Latin-only names 0 (<= 5), 6 (6-8), 12 (9+).
 * A domain's registrable label is compared with the official labels and the
 * Latin protected names by skeleton (equal, hyphen token, prefix/suffix,
 * inside, small edit distance) and, for Hangul labels, by the name matcher.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <unicode/uchar.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>
#include <utf8proc.h>

#include "policy/lookalike.h"
#include "policy/url.h"

#define LA_MAGIC 0x70766c4du       /* "pvlM" */
#define LA_CACHE_MAGIC 0x70766c43u /* "pvlC" */
#define LA_MAX_CP 64               /* characters of a name after folding */
#define LA_MAX_RAW 256             /* characters of the decomposition    */
#define LA_MAX_INPUT 1024          /* bytes of a query                   */
#define LA_MAX_SKEL 256            /* characters of a skeleton           */

/* -------------------------------------------------------------- tables */

static const char *const default_decorations[] = {
    "고객지원센터", "고객만족센터", "고객센터", "고객지원", "고객상담", "상담센터", "보안센터",
    "주식회사", "상담원", "지원팀", "보안팀", "상담", "센터", "공식", "본사", "지점", "고객",
    "안내", "알림", "팀", "주", "official", "helpdesk", "support", "service", "center",
    "korea", "admin", "help", "team", "cs",
};

const char *const *pvg__lookalike_default_decorations(size_t *n)
{
    if (n)
        *n = sizeof default_decorations / sizeof *default_decorations;
    return default_decorations;
}

/* Confusable groups per jamo slot (same number = confusable). Leads
 * (ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ): plain/tense/aspirated series and
 * ㅇ/ㅎ. */
static const uint8_t lead_group[19] = {1, 1, 2, 3, 3, 4, 5, 6, 6, 7, 7, 8, 9, 9, 9, 1, 3, 6, 8};
/* Vowels (ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ): one stroke more or less,
 * and ㅐ/ㅔ which sound alike. */
static const uint8_t vowel_group[21] = {1, 2, 1, 2, 3, 2, 3, 2, 4, 5, 6, 6, 4, 7, 8, 6, 9, 7, 10, 11, 12};
/* Tails (ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ): finals that
 * are pronounced alike (7 representative sounds). */
static const uint8_t tail_group[27] = {1, 1, 1, 2, 2, 2, 3, 4, 1, 5, 4, 4, 4, 6, 4, 5, 6, 6, 3, 3, 7, 3, 3, 1, 3, 6, 3};
/* Lead index -> tail index (-1: ㄸ ㅃ ㅉ have no final form). */
static const int8_t lead_to_tail[19] = {0, 1, 3, 6, -1, 7, 15, 16, -1, 18, 19, 20, 21, -1, 22, 23, 24, 25, 26};

/* ---------------------------------------------------------------- types */

/* A unit: a syllable (l, v, t are 1-based jamo indexes, 0 = absent) or one
 * other character (ch != 0). */
typedef struct la_unit {
    uint32_t ch;
    uint8_t l, v, t, pad;
} la_unit_t;

/* A folded string. */
typedef struct la_fold {
    uint32_t cp[LA_MAX_CP];
    size_t n;
} la_fold_t;

/* Flags the unit builder reports. */
#define LA_F_SKEL 1u  /* the skeleton changed a character     */
#define LA_F_KOREAN 2u /* a glyph read as jamo, or loose jamo composed */

typedef struct la_units {
    la_unit_t u[LA_MAX_SKEL];
    size_t n;
    unsigned flags;
    int hangul; /* the string holds Hangul */
} la_units_t;

typedef struct la_name {
    la_fold_t fold;
    la_unit_t *units;
    size_t n_units;
    int hangul;
} la_name_t;

/* A label a domain is compared with: an official domain's first label, or
 * a Latin protected name. */
typedef struct la_label {
    uint32_t *fold, *skel;
    size_t n_fold, n_skel;
    int target, index;
} la_label_t;

typedef struct la_domain {
    char *reg; /* registrable domain, A-label form */
} la_domain_t;

struct pvg__lookalike {
    uint32_t magic;
    uint64_t fingerprint;
    USpoofChecker *sc;
    la_name_t *names;
    size_t n_names;
    la_domain_t *domains;
    size_t n_domains;
    la_label_t *labels;
    size_t n_labels;
    la_fold_t *decor; /* sorted longest first */
    size_t n_decor;
};

typedef struct la_slot {
    uint64_t h;
    uint16_t len;
    uint8_t type, used;
    int8_t rc;
    pvg__lookalike_hit_t hit;
    char key[PVG__LA_CACHE_KEY];
} la_slot_t;

struct pvg__lookalike_cache {
    uint32_t magic;
    const pvg__lookalike_t *m;
    uint64_t fingerprint;
    uint64_t hits, misses;
    la_slot_t s[PVG__LA_CACHE_SLOTS];
};

/* ---------------------------------------------------------------- fold */

static int is_jamo(uint32_t c)
{
    return (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F) ||
           (c >= 0xA960 && c <= 0xA97F) || (c >= 0xD7B0 && c <= 0xD7FF);
}

/* Characters kept in the fold although they are symbols: they stand for
 * letters (step 4). */
static int is_glyph_symbol(uint32_t c)
{
    return c == 0x25CB || c == 0x25EF || c == '|';
}

/* Step 1-2. Returns 0, 1 when the string is too long to be a name (then
 * nothing matches), or PVG_EUTF8. */
static int la_do_fold(const char *s, size_t n, la_fold_t *f)
{
    f->n = 0;
    if (n > LA_MAX_INPUT)
        return 1;
    utf8proc_int32_t raw[LA_MAX_RAW];
    utf8proc_ssize_t k = utf8proc_decompose(
        (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, raw, LA_MAX_RAW,
        (utf8proc_option_t)(UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE |
                            UTF8PROC_IGNORE | UTF8PROC_STRIPMARK | UTF8PROC_LUMP));
    if (k < 0)
        return k == UTF8PROC_ERROR_NOMEM || k == UTF8PROC_ERROR_OVERFLOW ? 1 : PVG_EUTF8;
    if (k > LA_MAX_RAW)
        return 1;
    int rc = 0;
    for (utf8proc_ssize_t i = 0; i < k; i++) {
        uint32_t c = (uint32_t)raw[i];
        utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
        int keep = is_jamo(c) || is_glyph_symbol(c) ||
                   (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                   (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
        if (!keep)
            continue;
        if (f->n == LA_MAX_CP) {
            rc = 1;
            break;
        }
        f->cp[f->n++] = c;
    }
    sodium_memzero(raw, sizeof raw);
    return rc;
}

static int fold_eq(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

/* ------------------------------------------------------------- skeleton */

/* The ICU skeleton of cp[0..n), lowercased, into out (cap). Returns the
 * length, or -1 when it does not fit or ICU fails. */
static long la_skeleton(const USpoofChecker *sc, const uint32_t *cp, size_t n, uint32_t *out,
                        size_t cap)
{
    UChar in16[2 * LA_MAX_CP + 2], sk16[4 * LA_MAX_SKEL];
    int32_t l16 = 0;
    for (size_t i = 0; i < n; i++) {
        UBool err = 0;
        U16_APPEND((UChar *)in16, l16, (int32_t)(sizeof in16 / sizeof *in16), (UChar32)cp[i], err);
        if (err)
            return -1;
    }
    UErrorCode st = U_ZERO_ERROR;
    int32_t k = uspoof_getSkeleton(sc, 0, in16, l16, sk16, (int32_t)(sizeof sk16 / sizeof *sk16), &st);
    long o = -1;
    if (U_SUCCESS(st) && k >= 0 && k <= (int32_t)(sizeof sk16 / sizeof *sk16)) {
        size_t m = 0;
        int32_t i = 0;
        while (i < k) {
            UChar32 c;
            U16_NEXT(sk16, i, k, c);
            if (m == cap)
                goto out;
            /* ĸ (kra) is the prototype of Cyrillic к and Greek κ: it
             * looks like k in a name. */
            out[m++] = c == 0x138 ? 'k' : (uint32_t)u_tolower(c);
        }
        o = (long)m;
    }
out:
    sodium_memzero(in16, sizeof in16);
    sodium_memzero(sk16, sizeof sk16);
    return o;
}

/* ---------------------------------------------------------------- units */

enum { P_LEAD = 1, P_VOWEL, P_TAIL, P_CHAR };
typedef struct la_piece {
    uint8_t kind, idx; /* idx: 0-based jamo index */
    uint32_t ch;
} la_piece_t;

/* A character read as jamo in a Hangul string (before the skeleton: the
 * CJK and kana ones; after it: the ASCII ones). Returns the number of
 * pieces written (0: not a glyph). */
static int glyph_pieces(uint32_t c, la_piece_t *p)
{
    switch (c) {
    case 'o': case '0': case 0x25CB: case 0x25EF: case 0x3007:
        p[0] = (la_piece_t){P_LEAD, 11, 0};  /* ㅇ */
        p[1] = (la_piece_t){P_VOWEL, 8, 0};  /* ㅗ */
        return 2;
    case 'l': case '1': case 'i': case '|': case 0x4E28:
        p[0] = (la_piece_t){P_VOWEL, 20, 0}; /* ㅣ */
        return 1;
    case '7':
        p[0] = (la_piece_t){P_LEAD, 0, 0};   /* ㄱ */
        return 1;
    case 0x53E3:
        p[0] = (la_piece_t){P_LEAD, 6, 0};   /* 口 ㅁ */
        return 1;
    case 0x5DF1:
        p[0] = (la_piece_t){P_LEAD, 5, 0};   /* 己 ㄹ */
        return 1;
    case 0x4EBA:
        p[0] = (la_piece_t){P_LEAD, 9, 0};   /* 人 ㅅ */
        return 1;
    case 0x535C: case 0x30C8:
        p[0] = (la_piece_t){P_VOWEL, 0, 0};  /* 卜 ト ㅏ */
        return 1;
    case 0x4E00: case 0x30FC:
        p[0] = (la_piece_t){P_VOWEL, 18, 0}; /* 一 ー ㅡ */
        return 1;
    default:
        return 0;
    }
}

static int is_cjk_glyph(uint32_t c)
{
    return c == 0x4E28 || c == 0x53E3 || c == 0x5DF1 || c == 0x4EBA || c == 0x535C ||
           c == 0x30C8 || c == 0x4E00 || c == 0x30FC;
}

/* The jamo piece of a conjoining jamo, or P_CHAR. */
static la_piece_t jamo_piece(uint32_t c)
{
    if (c >= 0x1100 && c <= 0x1112)
        return (la_piece_t){P_LEAD, (uint8_t)(c - 0x1100), 0};
    if (c >= 0x1161 && c <= 0x1175)
        return (la_piece_t){P_VOWEL, (uint8_t)(c - 0x1161), 0};
    if (c >= 0x11A8 && c <= 0x11C2)
        return (la_piece_t){P_TAIL, (uint8_t)(c - 0x11A8), 0};
    return (la_piece_t){P_CHAR, 0, c};
}

/* Steps 4-5: folded string -> units. Returns 0, or 1 when it does not fit
 * (nothing matches). */
static int la_units(const USpoofChecker *sc, const la_fold_t *f, la_units_t *out)
{
    la_piece_t pc[LA_MAX_SKEL + 8];
    size_t np = 0;
    out->n = 0;
    out->flags = 0;
    out->hangul = 0;
    for (size_t i = 0; i < f->n; i++)
        out->hangul |= is_jamo(f->cp[i]);
    size_t i = 0;
    while (i < f->n) {
        uint32_t c = f->cp[i];
        if (is_jamo(c) || (out->hangul && is_cjk_glyph(c))) {
            if (np + 2 > LA_MAX_SKEL)
                return 1;
            if (is_jamo(c))
                pc[np++] = jamo_piece(c);
            else {
                np += (size_t)glyph_pieces(c, pc + np);
                out->flags |= LA_F_KOREAN;
            }
            i++;
            continue;
        }
        /* A run of other characters: skeleton. The glyph symbols become the
         * letters they stand for first. */
        uint32_t run[LA_MAX_CP], sk[LA_MAX_SKEL];
        size_t nr = 0;
        while (i < f->n && !is_jamo(f->cp[i]) && !(out->hangul && is_cjk_glyph(f->cp[i]))) {
            uint32_t r = f->cp[i++];
            if (r == 0x25CB || r == 0x25EF || r == 0x3007) {
                r = 'o';
                out->flags |= LA_F_SKEL;
            } else if (r == '|') {
                r = 'l';
                out->flags |= LA_F_SKEL;
            }
            run[nr++] = r;
        }
        long k = la_skeleton(sc, run, nr, sk, LA_MAX_SKEL);
        if (k < 0)
            return 1;
        if (!fold_eq(run, nr, sk, (size_t)k))
            out->flags |= LA_F_SKEL;
        for (long j = 0; j < k; j++) {
            if (np + 2 > LA_MAX_SKEL)
                return 1;
            int g = out->hangul ? glyph_pieces(sk[j], pc + np) : 0;
            if (g) {
                np += (size_t)g;
                out->flags |= LA_F_KOREAN;
            } else
                pc[np++] = (la_piece_t){P_CHAR, 0, sk[j]};
        }
    }
    /* Compose. Pieces from real syllables come as lead vowel [tail]; loose
     * jamo and glyphs are composed the way an input method does. */
    size_t j = 0;
    while (j < np) {
        la_unit_t u = {0, 0, 0, 0, 0};
        la_piece_t p = pc[j];
        if (p.kind == P_LEAD && j + 1 < np && pc[j + 1].kind == P_VOWEL) {
            u.l = (uint8_t)(p.idx + 1);
            u.v = (uint8_t)(pc[j + 1].idx + 1);
            j += 2;
            if (j < np && pc[j].kind == P_TAIL) {
                u.t = (uint8_t)(pc[j].idx + 1);
                j++;
            } else if (j < np && pc[j].kind == P_LEAD && lead_to_tail[pc[j].idx] >= 0 &&
                       !(j + 1 < np && pc[j + 1].kind == P_VOWEL)) {
                /* 토 + loose ㄱ = 톡 */
                u.t = (uint8_t)(lead_to_tail[pc[j].idx] + 1);
                out->flags |= LA_F_KOREAN;
                j++;
            }
        } else if (p.kind == P_LEAD) {
            u.l = (uint8_t)(p.idx + 1);
            j++;
        } else if (p.kind == P_VOWEL) {
            u.v = (uint8_t)(p.idx + 1);
            j++;
        } else if (p.kind == P_TAIL) {
            u.t = (uint8_t)(p.idx + 1);
            j++;
        } else {
            u.ch = p.ch;
            j++;
        }
        out->u[out->n++] = u;
    }
    sodium_memzero(pc, sizeof pc);
    return 0;
}

/* ------------------------------------------------------------- distance */

static int slot_cost(uint8_t a, uint8_t b, const uint8_t *group)
{
    if (a == b)
        return 0;
    if (!a || !b)
        return 2;
    return group[a - 1] == group[b - 1] ? 1 : 2;
}

/* In sixths: 0 equal .. 6 nothing alike. */
static int unit_cost(const la_unit_t *a, const la_unit_t *b)
{
    if (a->ch || b->ch)
        return a->ch == b->ch && !a->l && !b->l && !a->v && !b->v ? 0 : 6;
    return slot_cost(a->l, b->l, lead_group) + slot_cost(a->v, b->v, vowel_group) +
           slot_cost(a->t, b->t, tail_group);
}

/* Weighted Levenshtein over units (insert/delete 6), stopping early when
 * every cell of a row is beyond the budget. Returns the cost or budget+1. */
static int unit_distance(const la_unit_t *a, size_t na, const la_unit_t *b, size_t nb, int budget)
{
    int row[LA_MAX_SKEL + 1], prev[LA_MAX_SKEL + 1];
    if (nb > LA_MAX_SKEL)
        return budget + 1;
    for (size_t j = 0; j <= nb; j++)
        prev[j] = (int)j * 6;
    for (size_t i = 1; i <= na; i++) {
        row[0] = (int)i * 6;
        int best = row[0];
        for (size_t j = 1; j <= nb; j++) {
            int v = prev[j - 1] + unit_cost(&a[i - 1], &b[j - 1]);
            if (prev[j] + 6 < v)
                v = prev[j] + 6;
            if (row[j - 1] + 6 < v)
                v = row[j - 1] + 6;
            row[j] = v;
            if (v < best)
                best = v;
        }
        if (best > budget)
            return budget + 1;
        memcpy(prev, row, (nb + 1) * sizeof *row);
    }
    return prev[nb] <= budget ? prev[nb] : budget + 1;
}

/* Optimal string alignment distance (Levenshtein with adjacent
 * transpositions) over code points, at most budget+1. */
static int osa_distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, int budget)
{
    int r0[LA_MAX_SKEL + 1], r1[LA_MAX_SKEL + 1], r2[LA_MAX_SKEL + 1];
    if (na > LA_MAX_SKEL || nb > LA_MAX_SKEL)
        return budget + 1;
    if ((na > nb ? na - nb : nb - na) > (size_t)budget)
        return budget + 1;
    int *pp = r0, *p = r1, *c = r2;
    for (size_t j = 0; j <= nb; j++)
        p[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        c[0] = (int)i;
        int best = c[0];
        for (size_t j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = p[j - 1] + cost;
            if (p[j] + 1 < v)
                v = p[j] + 1;
            if (c[j - 1] + 1 < v)
                v = c[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
            if (v < best)
                best = v;
        }
        if (best > budget)
            return budget + 1;
        int *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[nb] <= budget ? p[nb] : budget + 1;
}

/* The edit budget of a protected name of n units (in sixths). */
static int name_budget(const la_name_t *nm)
{
    size_t n = nm->n_units;
    if (nm->hangul)
        return n <= 3 ? 1 : n <= 5 ? 2 : 4;
    return n <= 5 ? 0 : n <= 8 ? 6 : 12;
}

/* Edits allowed between a domain label and a protected label of n
 * characters. */
static int label_budget(size_t n)
{
    return n <= 5 ? 0 : n <= 8 ? 1 : 2;
}

/* ----------------------------------------------------------- name match */

static int exact_index(const pvg__lookalike_t *m, const la_fold_t *f)
{
    for (size_t i = 0; i < m->n_names; i++)
        if (fold_eq(f->cp, f->n, m->names[i].fold.cp, m->names[i].fold.n))
            return (int)i;
    return -1;
}

/* Strips one decoration from either end; returns 1 when it did. Never
 * strips the whole string. */
static int strip_one(const pvg__lookalike_t *m, la_fold_t *f)
{
    for (size_t i = 0; i < m->n_decor; i++) {
        const la_fold_t *d = &m->decor[i];
        if (d->n == 0 || f->n <= d->n)
            continue;
        if (memcmp(f->cp + f->n - d->n, d->cp, d->n * sizeof *d->cp) == 0) {
            f->n -= d->n;
            return 1;
        }
        if (memcmp(f->cp, d->cp, d->n * sizeof *d->cp) == 0) {
            memmove(f->cp, f->cp + d->n, (f->n - d->n) * sizeof *f->cp);
            f->n -= d->n;
            return 1;
        }
    }
    return 0;
}

static void hit_none(pvg__lookalike_hit_t *hit)
{
    hit->kind = PVG__LA_NONE;
    hit->target = 0;
    hit->index = -1;
    hit->score = 0;
    hit->why = 0;
    hit->distance = 0;
}

static int name_match(const pvg__lookalike_t *m, const char *s, size_t n,
                      pvg__lookalike_hit_t *hit)
{
    la_fold_t f;
    la_units_t *u = NULL;
    int rc = la_do_fold(s, n, &f);
    if (rc != 0) {
        rc = rc < 0 ? rc : 0; /* too long to be a name: no match */
        goto out;
    }
    unsigned why = 0;
    for (;;) {
        int ix = exact_index(m, &f);
        if (ix >= 0) {
            hit->kind = PVG__LA_EXACT;
            hit->target = PVG__LA_TARGET_NAME;
            hit->index = ix;
            hit->score = 1.0f;
            hit->why = why;
            rc = 1;
            goto out;
        }
        if (!strip_one(m, &f))
            break;
        why |= PVG__LA_WHY_DECORATION;
    }
    if (f.n == 0)
        goto out;
    u = malloc(sizeof *u);
    if (!u) {
        rc = PVG_ENOMEM;
        goto out;
    }
    if (la_units(m->sc, &f, u) != 0)
        goto out;
    int best = -1, best_cost = 0;
    for (size_t i = 0; i < m->n_names; i++) {
        const la_name_t *nm = &m->names[i];
        int budget = name_budget(nm);
        size_t dl = u->n > nm->n_units ? u->n - nm->n_units : nm->n_units - u->n;
        if ((int)dl * 6 > budget)
            continue;
        int cost = unit_distance(u->u, u->n, nm->units, nm->n_units, budget);
        if (cost <= budget && (best < 0 || cost < best_cost)) {
            best = (int)i;
            best_cost = cost;
        }
    }
    if (best >= 0) {
        const la_name_t *nm = &m->names[best];
        hit->kind = PVG__LA_LOOKALIKE;
        hit->target = PVG__LA_TARGET_NAME;
        hit->index = best;
        hit->distance = best_cost;
        hit->why = why;
        if (u->flags & LA_F_SKEL)
            hit->why |= PVG__LA_WHY_CONFUSABLE;
        if (u->flags & LA_F_KOREAN)
            hit->why |= PVG__LA_WHY_HANGUL;
        if (best_cost == 0) {
            hit->score = 0.95f;
            if (!(hit->why & (PVG__LA_WHY_CONFUSABLE | PVG__LA_WHY_HANGUL)))
                hit->why |= PVG__LA_WHY_HANGUL; /* equal units, other characters */
        } else {
            hit->why |= PVG__LA_WHY_EDIT;
            hit->score = 0.9f * (1.0f - (float)best_cost / (float)(6 * nm->n_units));
        }
        rc = 1;
    }
out:
    if (u) {
        sodium_memzero(u, sizeof *u);
        free(u);
    }
    sodium_memzero(&f, sizeof f);
    return rc;
}

/* --------------------------------------------------------- domain match */

/* A label folded and skeletonised, and its hyphen tokens. */
typedef struct la_lab {
    uint32_t fold[LA_MAX_CP];
    size_t n_fold;
    uint32_t skel[LA_MAX_SKEL];
    size_t n_skel;
    size_t tok_start[LA_MAX_CP], tok_len[LA_MAX_CP]; /* token spans in skel */
    size_t n_tok;
    int hangul;
} la_lab_t;

/* Folds a label (UTF-8, n bytes). Returns 0, or 1 when it does not fit. */
static int lab_make(const pvg__lookalike_t *m, const char *s, size_t n, la_lab_t *L)
{
    L->n_fold = L->n_skel = L->n_tok = 0;
    L->hangul = 0;
    size_t a = 0;
    while (a <= n) {
        size_t b = a;
        while (b < n && s[b] != '-')
            b++;
        if (b > a) {
            la_fold_t f;
            if (la_do_fold(s + a, b - a, &f) != 0)
                return 1;
            if (f.n) {
                if (L->n_fold + f.n > LA_MAX_CP || L->n_tok == LA_MAX_CP)
                    return 1;
                for (size_t i = 0; i < f.n; i++)
                    L->hangul |= is_jamo(f.cp[i]);
                memcpy(L->fold + L->n_fold, f.cp, f.n * sizeof *f.cp);
                L->n_fold += f.n;
                long k = la_skeleton(m->sc, f.cp, f.n, L->skel + L->n_skel,
                                     LA_MAX_SKEL - L->n_skel);
                if (k < 0)
                    return 1;
                L->tok_start[L->n_tok] = L->n_skel;
                L->tok_len[L->n_tok++] = (size_t)k;
                L->n_skel += (size_t)k;
            }
        }
        a = b + 1;
    }
    return 0;
}

static int has_sub(const uint32_t *h, size_t nh, const uint32_t *x, size_t nx, size_t from,
                   size_t to)
{
    for (size_t i = from; i + nx <= nh && i <= to; i++)
        if (memcmp(h + i, x, nx * sizeof *x) == 0)
            return 1;
    return 0;
}

/* Compares one label with every protected label; updates *hit when a
 * better match is found. sub: the label is left of a foreign registrable
 * domain (only whole-label and token matches count there). */
static void lab_compare(const pvg__lookalike_t *m, const la_lab_t *L, int sub,
                        pvg__lookalike_hit_t *hit)
{
    for (size_t t = 0; t < m->n_labels; t++) {
        const la_label_t *T = &m->labels[t];
        float score = 0;
        unsigned why = 0;
        int dist = 0;
        size_t nt = T->n_skel;
        if (nt < 3)
            continue;
        if (fold_eq(L->fold, L->n_fold, T->fold, T->n_fold)) {
            if (sub) {
                score = 0.8f;
                why = PVG__LA_WHY_SUBDOMAIN;
            } else if (T->n_fold >= 4) {
                /* same label, another suffix (the registrable domain is not
                 * official, or this would not run) */
                score = 0.9f;
                why = PVG__LA_WHY_SUFFIX;
            }
        } else if (fold_eq(L->skel, L->n_skel, T->skel, nt)) {
            score = sub ? 0.8f : 0.95f;
            why = PVG__LA_WHY_CONFUSABLE | (sub ? PVG__LA_WHY_SUBDOMAIN : 0);
        } else {
            int tok = 0;
            if (nt >= 4 && L->n_tok > 1)
                for (size_t k = 0; k < L->n_tok && !tok; k++)
                    tok = fold_eq(L->skel + L->tok_start[k], L->tok_len[k], T->skel, nt);
            if (tok) {
                score = sub ? 0.75f : 0.85f;
                why = PVG__LA_WHY_CONTAINS | (sub ? PVG__LA_WHY_SUBDOMAIN : 0);
            } else if (!sub && nt >= 5 && L->n_skel > nt &&
                       (has_sub(L->skel, L->n_skel, T->skel, nt, 0, 0) ||
                        has_sub(L->skel, L->n_skel, T->skel, nt, L->n_skel - nt, L->n_skel))) {
                score = 0.8f;
                why = PVG__LA_WHY_CONTAINS;
            } else if (!sub && nt >= 6 && L->n_skel > nt &&
                       has_sub(L->skel, L->n_skel, T->skel, nt, 0, L->n_skel)) {
                score = 0.75f;
                why = PVG__LA_WHY_CONTAINS;
            } else if (!sub) {
                int budget = label_budget(nt);
                if (budget > 0) {
                    int d = osa_distance(L->skel, L->n_skel, T->skel, nt, budget);
                    if (d <= budget) {
                        score = 0.9f * (1.0f - (float)d / (float)nt);
                        why = PVG__LA_WHY_EDIT;
                        dist = d;
                    }
                }
            }
        }
        /* The best score wins; on a tie an official domain beats a name. */
        if (score > hit->score || (score > 0 && score == hit->score &&
                                   T->target == PVG__LA_TARGET_DOMAIN &&
                                   hit->target == PVG__LA_TARGET_NAME)) {
            hit->kind = PVG__LA_LOOKALIKE;
            hit->target = T->target;
            hit->index = T->index;
            hit->score = score;
            hit->why = why;
            hit->distance = dist;
        }
    }
}

static int domain_match(const pvg__lookalike_t *m, const char *s, size_t n,
                        pvg__lookalike_hit_t *hit)
{
    pvg__url_t *u = malloc(sizeof *u);
    la_lab_t *L = malloc(sizeof *L);
    int rc = 0;
    if (!u || !L) {
        rc = PVG_ENOMEM;
        goto out;
    }
    rc = pvg__url_parse(s, n, u);
    if (rc != PVG_OK)
        goto out;
    /* An IP or a host without a registrable domain: only its userinfo can
     * imitate (http://www.naver.com@198.51.100.7/). */
    unsigned idn = (u->has_punycode || u->is_idn) ? PVG__LA_WHY_IDN : 0;
    if (!u->is_ip && u->registrable[0]) {
        for (size_t i = 0; i < m->n_domains; i++)
            if (strcmp(u->registrable, m->domains[i].reg) == 0) {
                hit->kind = PVG__LA_OFFICIAL;
                hit->target = PVG__LA_TARGET_DOMAIN;
                hit->index = (int)i;
                hit->score = 1.0f;
                rc = 1;
                goto out;
            }
        const char *reg = u->registrable_u[0] ? u->registrable_u : u->registrable;
        const char *dot = strchr(reg, '.');
        size_t lab_len = dot ? (size_t)(dot - reg) : strlen(reg);
        if (lab_make(m, reg, lab_len, L) == 0 && L->n_fold) {
            lab_compare(m, L, 0, hit);
            if (L->hangul) {
                /* A Hangul label: the name matcher, on the whole label and on
                 * each hyphen token. */
                pvg__lookalike_hit_t h;
                size_t a = 0;
                for (int whole = 1; whole >= 0; whole--) {
                    a = 0;
                    while (a <= lab_len) {
                        size_t b = whole ? lab_len : a;
                        while (!whole && b < lab_len && reg[b] != '-')
                            b++;
                        hit_none(&h);
                        int r = b > a ? name_match(m, reg + a, b - a, &h) : 0;
                        if (r < 0 && r != PVG_EUTF8) {
                            rc = r;
                            goto out;
                        }
                        float sc = r == 1 ? 0.9f * h.score : 0;
                        if (r == 1 && sc > hit->score) {
                            hit->kind = PVG__LA_LOOKALIKE;
                            hit->target = PVG__LA_TARGET_NAME;
                            hit->index = h.index;
                            hit->score = sc;
                            hit->why = PVG__LA_WHY_NAME | (h.why & ~PVG__LA_WHY_DECORATION);
                            hit->distance = h.distance;
                        }
                        if (whole)
                            break;
                        a = b + 1;
                    }
                }
            }
        }
        /* Labels left of the registrable domain: kakao.com.evil.xyz. */
        size_t hl = strlen(u->host), rl = strlen(reg);
        if (hl > rl + 1 && strcmp(u->host + hl - rl, reg) == 0) {
            size_t end = hl - rl - 1, a = 0;
            while (a < end) {
                size_t b = a;
                while (b < end && u->host[b] != '.')
                    b++;
                if (!(b - a == 3 && memcmp(u->host + a, "www", 3) == 0) &&
                    lab_make(m, u->host + a, b - a, L) == 0 && L->n_fold)
                    lab_compare(m, L, 1, hit);
                a = b + 1;
            }
        }
    }
    /* Labels of the userinfo: http://kakao.com@evil.xyz/ shows kakao.com
     * and goes to evil.xyz. */
    if (u->userinfo[0]) {
        pvg__lookalike_hit_t h;
        hit_none(&h);
        const char *ui = u->userinfo;
        size_t end = strlen(ui), a = 0;
        while (a < end) {
            size_t b = a;
            while (b < end && ui[b] != '.' && ui[b] != ':')
                b++;
            if (b > a && lab_make(m, ui + a, b - a, L) == 0 && L->n_fold)
                lab_compare(m, L, 1, &h);
            a = b + 1;
        }
        if (h.kind != PVG__LA_NONE && h.score > hit->score) {
            *hit = h;
            hit->why = (h.why & ~PVG__LA_WHY_SUBDOMAIN) | PVG__LA_WHY_USERINFO;
        }
    }
    if (hit->kind != PVG__LA_NONE) {
        hit->why |= idn;
        rc = 1;
    } else
        rc = 0;
out:
    if (u) {
        pvg__url_wipe(u);
        free(u);
    }
    if (L) {
        sodium_memzero(L, sizeof *L);
        free(L);
    }
    return rc;
}

/* ---------------------------------------------------------------- cache */

static uint64_t la_hash(int type, const char *s, size_t n)
{
    /* Eight bytes at a time, then a final mix (splitmix64): a cached query
     * is a hash, a compare and a copy. */
    const uint64_t k = 0x9E3779B97F4A7C15ull;
    uint64_t h = ((uint64_t)type << 56) ^ (uint64_t)n ^ 0xcbf29ce484222325ull, w;
    while (n >= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * k;
        h ^= h >> 31;
        s += 8;
        n -= 8;
    }
    w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * k;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

int pvg__lookalike_cache_alloc(pvg__lookalike_cache_t **out)
{
    if (!out)
        return PVG_EINVAL;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return PVG_ENOMEM;
    (*out)->magic = LA_CACHE_MAGIC;
    return PVG_OK;
}

void pvg__lookalike_cache_clear(pvg__lookalike_cache_t *c)
{
    if (!c)
        return;
    sodium_memzero(c->s, sizeof c->s);
    c->m = NULL;
    c->fingerprint = 0;
    c->hits = c->misses = 0;
}

void pvg__lookalike_cache_free(pvg__lookalike_cache_t *c)
{
    if (!c)
        return;
    sodium_memzero(c, sizeof *c);
    free(c);
}

void pvg__lookalike_cache_stats(const pvg__lookalike_cache_t *c, uint64_t *hits, uint64_t *misses)
{
    if (hits)
        *hits = c ? c->hits : 0;
    if (misses)
        *misses = c ? c->misses : 0;
}

typedef int (*la_match_fn)(const pvg__lookalike_t *, const char *, size_t,
                           pvg__lookalike_hit_t *);

/* The query path shared by names and domains: check, cache, match, store. */
static int la_query(const pvg__lookalike_t *m, pvg__lookalike_cache_t *c, int type,
                    la_match_fn fn, const char *s, size_t n, pvg__lookalike_hit_t *hit)
{
    if (!hit)
        return PVG_EINVAL;
    hit_none(hit);
    if (!m || m->magic != LA_MAGIC || (!s && n) || (c && c->magic != LA_CACHE_MAGIC))
        return PVG_EINVAL;
    if (!s)
        s = "";
    la_slot_t *slot = NULL;
    uint64_t h = 0;
    if (c && n <= PVG__LA_CACHE_KEY) {
        if (c->m != m || c->fingerprint != m->fingerprint) {
            pvg__lookalike_cache_clear(c);
            c->m = m;
            c->fingerprint = m->fingerprint;
        }
        h = la_hash(type, s, n);
        slot = &c->s[h & (PVG__LA_CACHE_SLOTS - 1)];
        if (slot->used && slot->h == h && slot->type == type && slot->len == n &&
            memcmp(slot->key, s, n) == 0) {
            c->hits++;
            *hit = slot->hit;
            return slot->rc;
        }
        c->misses++;
    }
    int rc = fn(m, s, n, hit);
    if (slot && rc >= 0) {
        slot->used = 1;
        slot->h = h;
        slot->type = (uint8_t)type;
        slot->len = (uint16_t)n;
        slot->rc = (int8_t)rc;
        slot->hit = *hit;
        sodium_memzero(slot->key, sizeof slot->key);
        memcpy(slot->key, s, n);
    }
    return rc;
}

int pvg__lookalike_name(const pvg__lookalike_t *m, pvg__lookalike_cache_t *c, const char *s,
                        size_t n, pvg__lookalike_hit_t *hit)
{
    return la_query(m, c, 'N', name_match, s, n, hit);
}

int pvg__lookalike_domain(const pvg__lookalike_t *m, pvg__lookalike_cache_t *c, const char *s,
                          size_t n, pvg__lookalike_hit_t *hit)
{
    return la_query(m, c, 'D', domain_match, s, n, hit);
}

/* -------------------------------------------------------------- compile */

static uint64_t fp_add(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    h ^= 0xff;
    return h * 0x100000001b3ull;
}

void pvg__lookalike_free(pvg__lookalike_t *m)
{
    if (!m)
        return;
    if (m->sc)
        uspoof_close(m->sc);
    for (size_t i = 0; i < m->n_names; i++)
        free(m->names[i].units);
    free(m->names);
    for (size_t i = 0; i < m->n_domains; i++)
        free(m->domains[i].reg);
    free(m->domains);
    for (size_t i = 0; i < m->n_labels; i++) {
        free(m->labels[i].fold);
        free(m->labels[i].skel);
    }
    free(m->labels);
    free(m->decor);
    m->magic = 0;
    free(m);
}

static uint32_t *dup_cp(const uint32_t *cp, size_t n)
{
    uint32_t *p = malloc((n ? n : 1) * sizeof *p);
    if (p && n)
        memcpy(p, cp, n * sizeof *p);
    return p;
}

static int add_label(pvg__lookalike_t *m, const uint32_t *fold, size_t nf, const uint32_t *skel,
                     size_t ns, int target, int index)
{
    la_label_t *T = &m->labels[m->n_labels];
    T->fold = dup_cp(fold, nf);
    T->skel = dup_cp(skel, ns);
    if (!T->fold || !T->skel) {
        free(T->fold);
        free(T->skel);
        return PVG_ENOMEM;
    }
    T->n_fold = nf;
    T->n_skel = ns;
    T->target = target;
    T->index = index;
    m->n_labels++;
    return PVG_OK;
}

static int cmp_decor(const void *a, const void *b)
{
    const la_fold_t *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

int pvg__lookalike_compile(const pvg__lookalike_config_t *cfg, pvg__lookalike_t **out,
                           size_t *err_index)
{
    if (err_index)
        *err_index = 0;
    if (!out)
        return PVG_EINVAL;
    *out = NULL;
    if (!cfg || (!cfg->names && cfg->n_names) || (!cfg->domains && cfg->n_domains) ||
        (!cfg->decorations && cfg->n_decorations))
        return PVG_EINVAL;
    pvg__lookalike_t *m = calloc(1, sizeof *m);
    la_units_t *u = malloc(sizeof *u);
    int rc = PVG_OK;
    if (!m || !u) {
        rc = PVG_ENOMEM;
        goto fail;
    }
    m->magic = LA_MAGIC;
    UErrorCode st = U_ZERO_ERROR;
    m->sc = uspoof_open(&st);
    if (U_FAILURE(st) || !m->sc) {
        rc = st == U_MEMORY_ALLOCATION_ERROR ? PVG_ENOMEM : PVG_EINTERNAL;
        goto fail;
    }
    uint64_t fp = 0xcbf29ce484222325ull;

    /* Decorations. */
    size_t nd = cfg->n_decorations;
    const char *const *dl = cfg->decorations;
    if (!dl)
        dl = pvg__lookalike_default_decorations(&nd);
    m->decor = calloc(nd ? nd : 1, sizeof *m->decor);
    if (!m->decor) {
        rc = PVG_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < nd; i++) {
        if (!dl[i]) {
            rc = PVG_EINVAL;
            goto fail;
        }
        fp = fp_add(fp, dl[i]);
        if (la_do_fold(dl[i], strlen(dl[i]), &m->decor[m->n_decor]) != 0) {
            rc = PVG_EINVAL;
            goto fail;
        }
        if (m->decor[m->n_decor].n)
            m->n_decor++;
    }
    qsort(m->decor, m->n_decor, sizeof *m->decor, cmp_decor);
    fp = fp_add(fp, "\x01");

    m->labels = calloc(cfg->n_names + cfg->n_domains + 1, sizeof *m->labels);
    m->names = calloc(cfg->n_names ? cfg->n_names : 1, sizeof *m->names);
    m->domains = calloc(cfg->n_domains ? cfg->n_domains : 1, sizeof *m->domains);
    if (!m->labels || !m->names || !m->domains) {
        rc = PVG_ENOMEM;
        goto fail;
    }

    /* Names. */
    for (size_t i = 0; i < cfg->n_names; i++) {
        if (err_index)
            *err_index = i;
        const char *s = cfg->names[i];
        la_name_t *nm = &m->names[i];
        if (!s || la_do_fold(s, strlen(s), &nm->fold) != 0 || nm->fold.n == 0 ||
            la_units(m->sc, &nm->fold, u) != 0) {
            rc = PVG_EINVAL;
            goto fail;
        }
        fp = fp_add(fp, s);
        nm->units = malloc(u->n * sizeof *u->u);
        if (!nm->units) {
            rc = PVG_ENOMEM;
            goto fail;
        }
        memcpy(nm->units, u->u, u->n * sizeof *u->u);
        nm->n_units = u->n;
        nm->hangul = u->hangul;
        m->n_names++;
        if (!u->hangul) {
            /* A Latin name is a label domains are compared with. */
            uint32_t sk[LA_MAX_SKEL];
            for (size_t k = 0; k < u->n; k++)
                sk[k] = u->u[k].ch;
            rc = add_label(m, nm->fold.cp, nm->fold.n, sk, u->n, PVG__LA_TARGET_NAME, (int)i);
            if (rc != PVG_OK)
                goto fail;
        }
    }
    fp = fp_add(fp, "\x02");

    /* Official domains: their registrable domain, and its first label. */
    for (size_t i = 0; i < cfg->n_domains; i++) {
        if (err_index)
            *err_index = cfg->n_names + i;
        const char *s = cfg->domains[i];
        char reg[256], reg_u[256];
        if (!s || pvg__url_registrable(s, strlen(s), reg, reg_u) != PVG_OK) {
            rc = PVG_EINVAL;
            goto fail;
        }
        fp = fp_add(fp, s);
        m->domains[i].reg = malloc(strlen(reg) + 1);
        if (m->domains[i].reg)
            memcpy(m->domains[i].reg, reg, strlen(reg) + 1);
        else {
            rc = PVG_ENOMEM;
            goto fail;
        }
        m->n_domains++;
        la_lab_t *L = malloc(sizeof *L);
        if (!L) {
            rc = PVG_ENOMEM;
            goto fail;
        }
        const char *dot = strchr(reg_u, '.');
        int r = lab_make(m, reg_u, dot ? (size_t)(dot - reg_u) : strlen(reg_u), L);
        if (r == 0 && L->n_fold)
            r = add_label(m, L->fold, L->n_fold, L->skel, L->n_skel, PVG__LA_TARGET_DOMAIN,
                          (int)i);
        else
            r = PVG_EINVAL;
        free(L);
        if (r != PVG_OK) {
            rc = r;
            goto fail;
        }
    }
    if (err_index)
        *err_index = 0;
    m->fingerprint = fp;
    free(u);
    *out = m;
    return PVG_OK;
fail:
    free(u);
    pvg__lookalike_free(m);
    return rc;
}
