/* SPDX-License-Identifier: MIT */
/*
 * internal.h -- the engine's internal structures, shared by src/text,
 * src/detect and src/engine. Nothing here is part of the public API.
 *
 * A scan runs in this order (ARCHITECTURE.md "Data flow"):
 *   1. pvg__fold(): UTF-8 validation and folding into scratch->fold with an
 *      offset map back to the original bytes;
 *   2. one Vectorscan pass over the folded text collecting context-word and
 *      anchor hits (scratch->hits), and one hand-written pass collecting
 *      digit runs (scratch->runs);
 *   3. each detector turns runs/hits into candidates (pvg__emit);
 *   4. overlapping candidates are resolved, mapped back to the original text
 *      and reported.
 * All offsets inside the engine are offsets into the folded text.
 */
#ifndef PVG_ENGINE_INTERNAL_H
#define PVG_ENGINE_INTERNAL_H

#include <stdint.h>
#include <stddef.h>
#include <hs/hs.h>

#include <privguard/privguard.h>

#include "policy/policy_types.h"

#define PVG__ENGINE_MAGIC 0x70766745u /* "pvgE" */
#define PVG__SCRATCH_MAGIC 0x70766753u /* "pvgS" */
#define PVG__WINDOW_MAGIC 0x70766757u /* "pvgW" */
#define PVG__ABI 1u

typedef struct pvg__scan pvg__scan_t;

/* Limits of one scan. Beyond them extra items are dropped (never a crash):
 * a message with more than PVG__MAX_HITS context hits keeps the first ones. */
#define PVG__MAX_HITS 256
#define PVG__MAX_RUNS 64
#define PVG__MAX_RUN_DIGITS 32
#define PVG__MAX_GROUPS 20
#define PVG__MAX_CANDS 128
#define PVG__MAX_REASONS 8
#define PVG__MAX_RULES 512
/* Text up to this size is folded into the scratch's own buffers; longer text
 * gets buffers for the call, wiped and freed before it returns. */
#define PVG__INLINE_TEXT 1024
/* Bytes of the previous message kept per window for values split across
 * messages (its folded tail). */
#define PVG__TAIL 64

/* --------------------------------------------------------------- rules */

/* Which side of a value a context word stands on. */
enum { PVG__SIDE_BEFORE = 1, PVG__SIDE_AFTER = 2, PVG__SIDE_ANY = 3 };

/* A context word as compiled: the Vectorscan id is its index in
 * engine->words. */
typedef struct pvg__word {
    uint16_t type;     /* entity type (pvg_entity_t) or PVG__ANCHOR_* */
    int8_t polarity;   /* +1 positive, -1 negative, 0 anchor */
    uint8_t side;      /* PVG__SIDE_* */
    uint16_t len;      /* bytes, so start = end - len */
    uint16_t extra;    /* detector-specific tag (e.g. bank index, gazetteer level) */
    uint8_t ascii;     /* ASCII-only: 1 whole words only, 2 a boundary at the end only */
    uint8_t db;        /* PVG__WORD_LITERAL, _NOSPACE or _REGEX: the database it is in */
} pvg__word_t;

/* How a word matches. Parsers add LITERAL words; the compiler turns each
 * into its space-free form (NOSPACE, pvg__nospace) so that every literal is
 * in ONE Vectorscan database scanned over the space-free text, or into NONE
 * when nothing is left of it. REGEX words are in a second database scanned
 * over the folded text, present only when the rules have regexes. */
enum { PVG__WORD_LITERAL = 0, PVG__WORD_REGEX = 1, PVG__WORD_NOSPACE = 2, PVG__WORD_NONE = 3 };

/* A word a detector family builds in (gazetteer names, bank names, cue
 * words), compiled into the same Vectorscan database as the rules' words.
 * polarity 0 marks an anchor: the family reads such hits itself. */
typedef struct pvg__builtin_word {
    const char *text;
    uint16_t type;
    int8_t polarity;
    uint8_t side;
    uint16_t extra;
} pvg__builtin_word_t;

/* A detector family: its scan function and its built-in words. The list is
 * in src/detect/registry.c, in the order the families run. */
typedef struct pvg__family {
    const char *name;
    void (*detect)(struct pvg__scan *sc);
    size_t (*words)(const pvg__builtin_word_t **out); /* may be NULL */
} pvg__family_t;
extern const pvg__family_t pvg__families[];
extern const size_t pvg__n_families;

/* Anchor kinds (type values above the entity range). */
enum {
    PVG__ANCHOR_BASE = 64,
    PVG__ANCHOR_VERSION = 64, /* "v", "ver", "버전": a dotted number is a version */
};

typedef struct pvg__detector_cfg {
    int enabled;
    float threshold;          /* findings of this type below it are dropped */
    int window_before;        /* bytes of folded text searched for context */
    int window_after;
} pvg__detector_cfg_t;

/* ------------------------------------------------------------- the engine */

struct pvg_engine {
    uint32_t magic, abi;
    uint64_t id;               /* random: tells engines apart (per-scratch caches) */
    float min_score;
    pvg__detector_cfg_t det[PVG_ENTITY_COUNT];
    hs_database_t *db_nospace;/* literal phrases on the folded text without spaces */
    hs_database_t *db_regex;  /* regexes on the folded text */
    pvg__word_t *words;       /* indexed by Vectorscan id */
    size_t n_words;
    size_t db_size;
    size_t hs_scratch_size;
    int64_t window_max_age_ms;
    size_t window_max_msgs;
    struct pvg__policy policy; /* categories, rules, cues, lists (policy/policy.h) */
    char *rules_text;          /* a copy of the YAML the engine came from */
    size_t rules_len;
};

/* ----------------------------------------------------------- scan state */

/* Whether a domain ends in a public suffix, cached per scratch by a 64-bit
 * hash of its lowercased bytes (the answer does not depend on the engine). */
#define PVG__DOMAIN_MEMO 32
typedef struct pvg__domain_memo {
    uint64_t key;
    uint32_t len;
    int ok;
} pvg__domain_memo_t;

/* The policy's answers about one sender display name, cached per scratch. */
#define PVG__SENDER_MEMO 64
typedef struct pvg__sender_memo {
    uint64_t hash;
    uint64_t engine_id;         /* valid only for this engine */
    int valid;
    const char *protected_name; /* owned by the engine's policy */
    const char *org;
} pvg__sender_memo_t;

typedef struct pvg__hit {
    uint32_t start, end;       /* folded offsets */
    uint32_t word;             /* index into engine->words */
} pvg__hit_t;

/* A digit run: digits joined by short separator sequences. Look-alike
 * letters (o, O, l, I) inside count as digits. */
typedef struct pvg__run {
    uint32_t start, end;       /* folded offsets of the first and after the last digit */
    uint16_t n;                /* digits */
    uint8_t ngroups;
    uint8_t lookalikes;        /* look-alike letters taken as digits */
    uint8_t plus;              /* a '+' stands right before the first digit */
    uint8_t paren;             /* the first group is in parentheses "(02)" */
    uint8_t odd_seps;          /* separators other than '-', ' ', '.' */
    uint8_t newline;           /* a line break inside */
    char d[PVG__MAX_RUN_DIGITS];          /* the digits, ASCII */
    uint32_t pos[PVG__MAX_RUN_DIGITS];    /* folded offset of each digit */
    uint8_t gstart[PVG__MAX_GROUPS + 1];  /* index in d of each group's first digit; gstart[ngroups] = n */
    uint8_t gsep[PVG__MAX_GROUPS];        /* the separator byte after each group ('-', ' ', '.', '/', '?' other) */
} pvg__run_t;

typedef struct pvg__cand {
    uint32_t start, end;       /* folded offsets */
    uint16_t type;
    uint16_t flags;
    float score;
} pvg__cand_t;

struct pvg_scratch {
    uint32_t magic, abi;
    volatile int in_use;
    hs_scratch_t *hs;
    size_t hs_size;
    /* folded text and its map (flen + 1 entries; map[flen] = original length) */
    uint8_t *fold;
    uint32_t *map;
    size_t cap;                /* capacity of fold (map has cap + 1) */
    uint8_t *strip;            /* the folded text without spaces (policy phrases) */
    uint32_t *smap;            /* folded offsets of the bytes strip leaves out */
    size_t n_skips;
    uint8_t strip_inline[PVG__INLINE_TEXT + PVG__TAIL + 8];
    uint32_t smap_inline[PVG__INLINE_TEXT + PVG__TAIL + 9];
    size_t strip_len;
    uint8_t fold_inline[PVG__INLINE_TEXT + PVG__TAIL + 8];
    uint32_t map_inline[PVG__INLINE_TEXT + PVG__TAIL + 9];
    size_t flen;
    int map_identity;          /* the map was not written: folded offset == original */
    int has_digit;             /* the folded text holds a digit (else no digit runs) */
    size_t prev_len;           /* folded bytes at the start that belong to the previous message */
    pvg__hit_t hits[PVG__MAX_HITS];
    size_t n_hits;
    pvg__run_t *runs;
    size_t n_runs;
    pvg__cand_t cands[PVG__MAX_CANDS];
    size_t n_cands;
    /* result of pvg_scan_message */
    pvg_finding_t findings[PVG__MAX_CANDS];
    size_t n_findings;
    size_t ident_idx[PVG__MAX_CANDS];
    const char *ident_prev[8];
    size_t ident_prev_len[8];
    char ident_prev_buf[8][128];   /* copies: the window changes after the scan */
    char prev_id_buf[128];
    size_t finding_fold_start[PVG__MAX_CANDS]; /* folded span of each finding */
    size_t finding_fold_end[PVG__MAX_CANDS];
    pvg_violation_t violations[PVG__CAT_COUNT];
    size_t n_violations;
    const char *reasons[PVG__CAT_COUNT][PVG__MAX_REASONS];
    char reason_buf[2048];
    size_t reason_used;
    uint8_t rule_hit[PVG__MAX_RULES];
    const pvg_engine_t *engine;  /* the engine of the current scan */
    void *la_cache;              /* look-alike cache (policy/lookalike.h), lazily */
    pvg__sender_memo_t sender_memo[PVG__SENDER_MEMO];
    pvg__domain_memo_t domain_memo[PVG__DOMAIN_MEMO];
    const pvg_engine_t *la_engine; /* the engine whose answers the cache holds */
    int64_t now_ms;
    unsigned flags;
};

/* The space-free form that literal words are matched on, for messages and
 * words alike: spaces go, and so do the marks people put between syllables
 * to dodge filters (개.인.정.보, 디*비, 디_비); a dot between two ASCII
 * letters or digits stays (t.me, D.O.B, tracker.apk). Writes n bytes at
 * most to out and returns the length; when skips is not NULL it receives
 * the offsets of the dropped bytes (at most n) and *nskips their count. */
size_t pvg__nospace(const uint8_t *in, size_t n, uint8_t *out, uint32_t *skips, size_t *nskips);
/* The offset in the input of the k-th kept byte (k may be the length). */
uint32_t pvg__nospace_orig(const uint32_t *skips, size_t nskips, size_t k);

/* The original offset of folded offset i (i <= flen). */
static inline uint32_t pvg__omap(const pvg_scratch_t *s, size_t i)
{
    return s->map_identity ? (uint32_t)i : s->map[i];
}

/* The context handed to detectors. */
struct pvg__scan {
    const pvg_engine_t *e;
    pvg_scratch_t *s;
    const uint8_t *t;          /* folded text */
    size_t n;                  /* its length */
    int64_t now_ms;            /* 0 until pvg__now() asks the clock */
};

/* The message's time, or the clock's when it has none (asked once). */
int64_t pvg__now(pvg__scan_t *sc);

/* --------------------------------------------------------------- text */

/* Folds len bytes of text into s->fold/s->map starting at s->flen (so a
 * window's tail may already stand there), and sets s->map_identity and
 * s->has_digit. Folding never makes text longer, so len bytes of room
 * suffice. Returns PVG_OK or PVG_EUTF8 (the fold is then incomplete and
 * must not be used). */
int pvg__fold(const uint8_t *in, size_t len, pvg_scratch_t *s);

/* Returns 1 if the len bytes are valid UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF); NUL bytes are valid. */
int pvg__utf8_valid(const uint8_t *in, size_t len);

/* Decodes one UTF-8 character of valid text at p; stores its length. */
static inline uint32_t pvg__utf8_decode(const uint8_t *p, size_t *n)
{
    uint8_t c = p[0];
    if (c < 0x80) { *n = 1; return c; }
    if (c < 0xE0) { *n = 2; return ((uint32_t)(c & 0x1F) << 6) | (p[1] & 0x3F); }
    if (c < 0xF0) {
        *n = 3;
        return ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    *n = 4;
    return ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
           ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

/* Decodes the character that ends right before folded offset `end`
 * (start <= end); stores its start. Returns 0 at the start of the text. */
uint32_t pvg__utf8_prev(const uint8_t *t, size_t end, size_t *start);

/* Collects digit runs of the folded text into s->runs. */
void pvg__find_runs(pvg__scan_t *sc);

/* ------------------------------------------------------------- detectors */

/* A candidate of this type rules out the digits it covers (a business
 * registration number, a business phone, an order number): it is never
 * reported but wins over weaker candidates on the same span. */
#define PVG__T_RULED_OUT PVG_ENTITY_COUNT

/* Digits in groups [g0, g1] of run r, and the folded span they cover. */
static inline unsigned pvg__win_digits(const pvg__run_t *r, unsigned g0, unsigned g1)
{
    return (unsigned)(r->gstart[g1 + 1] - r->gstart[g0]);
}
static inline uint32_t pvg__win_start(const pvg__run_t *r, unsigned g0)
{
    return r->pos[r->gstart[g0]];
}
static inline uint32_t pvg__win_end(const pvg__run_t *r, unsigned g1)
{
    return r->pos[r->gstart[g1 + 1] - 1] + 1;
}
/* Whether groups [g0, g1] sit inside a longer number: a neighbouring group
 * joined by '-', '.', '/' or nothing unusual (a space is a weaker join). */
static inline int pvg__win_joined(const pvg__run_t *r, unsigned g0, unsigned g1)
{
    int left = g0 > 0 && r->gsep[g0 - 1] != ' ' && r->gsep[g0 - 1] != '\n';
    int right = g1 + 1 < r->ngroups && r->gsep[g1] != ' ' && r->gsep[g1] != '\n';
    return left || right;
}

/* Adds a candidate; drops it silently when the candidate table is full. */
void pvg__emit(pvg__scan_t *sc, int type, size_t start, size_t end, float score);

/* Context around [start, end) for type: returns the best positive weight
 * (0 when none) and stores in *neg whether a negative word is near. */
int pvg__context(const pvg__scan_t *sc, int type, size_t start, size_t end, int *neg);
/* Whether any hit of `type` with polarity pol stands within [from, to). */
int pvg__hit_in(const pvg__scan_t *sc, int type, int pol, size_t from, size_t to);

/* Whether the folded byte before start / at end continues a word or number
 * (so a value glued to it is not a separate token). Korean particles do not
 * count as continuing. */
int pvg__glued_before(const pvg__scan_t *sc, size_t start);
int pvg__glued_after(const pvg__scan_t *sc, size_t end);

/* Validators shared by detectors and tests. */
int pvg__luhn_ok(const char *d, size_t n);
int pvg__date_ok(int y, int m, int d);
/* Days since 1970-01-01 for a date (no validation). */
int64_t pvg__days_from_civil(int y, int m, int d);

/* The detectors, one per family (src/detect/). Each looks at runs and hits
 * and emits candidates. */
void pvg__detect_ids(pvg__scan_t *sc);      /* KR_RRN, KR_FRN (+ KR_BRN rule-out) */
void pvg__detect_phone(pvg__scan_t *sc);    /* PHONE_NUMBER */
void pvg__detect_card(pvg__scan_t *sc);     /* CREDIT_CARD */
void pvg__detect_email(pvg__scan_t *sc);    /* EMAIL_ADDRESS */
void pvg__detect_ip(pvg__scan_t *sc);       /* IP_ADDRESS */
void pvg__detect_url(pvg__scan_t *sc);      /* URL */
void pvg__detect_bank(pvg__scan_t *sc);     /* KR_BANK_ACCOUNT */
size_t pvg__bank_words(const pvg__builtin_word_t **out);    /* bank names */
void pvg__detect_passport(pvg__scan_t *sc); /* KR_PASSPORT, KR_DRIVER_LICENSE */
size_t pvg__license_words(const pvg__builtin_word_t **out); /* licence region names */
void pvg__detect_person(pvg__scan_t *sc);   /* PERSON (runs last: reads other candidates) */
size_t pvg__person_words(const pvg__builtin_word_t **out);  /* name cues */
void pvg__detect_address(pvg__scan_t *sc);  /* ADDRESS */
void pvg__detect_dob(pvg__scan_t *sc);      /* DATE_OF_BIRTH */
size_t pvg__dob_words(const pvg__builtin_word_t **out);     /* birth-date anchors */

/* Whether host[0..n) ends in a public suffix and has a label before it
 * (libpsl). */
int pvg__domain_ok(const char *host, size_t n);

#endif /* PVG_ENGINE_INTERNAL_H */
