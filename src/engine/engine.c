/* SPDX-License-Identifier: MIT */
/*
 * engine.c -- compiling rules into an engine, scratch space, and the scan.
 *
 * The engine is immutable once compiled and shared by any number of
 * threads. It holds one Vectorscan database with every context word and
 * anchor of the rules (a literal set), the words' meanings, and each
 * detector's settings. A scratch holds everything one scan writes: the
 * folded text and its map, Vectorscan's scratch, hits, runs, candidates and
 * the result. Scanning never allocates, except for text longer than
 * PVG__INLINE_TEXT, whose buffers are allocated, wiped and freed in the call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include <sodium.h>

#include "engine/internal.h"
#include "engine/rules.h"
#include "engine/window.h"
#include "policy/lookalike.h"
#include "policy/policy.h"
#include "default_rules.h"

PVG_API const char *pvg_default_rules(size_t *len)
{
    if (len)
        *len = (size_t)pvg__default_rules_len;
    return (const char *)pvg__default_rules;
}

PVG_API size_t pvg_max_text(void) { return PVG_MAX_TEXT; }

PVG_API void pvg_compile_error_free(pvg_compile_error_t *err)
{
    if (!err)
        return;
    free(err->message);
    free(err->rule);
    free(err);
}

static pvg_compile_error_t *make_error(const char *msg, const char *rule, int line, int col)
{
    pvg_compile_error_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->message = strdup(msg);
    e->rule = rule && *rule ? strdup(rule) : NULL;
    e->line = line;
    e->column = col;
    if (!e->message) {
        pvg_compile_error_free(e);
        return NULL;
    }
    return e;
}

static int ascii_only(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

/* Compiles the words of one kind into a database (*db stays NULL when
 * there are none). Literals go through hs_compile_lit_multi, regexes
 * through hs_compile_multi. On a bad pattern *bad is its word index. */
static pvg_error_t compile_db(const pvg__rules_t *r, pvg_engine_t *e, int kind,
                              hs_database_t **db, int *bad, char *msg, size_t msgcap)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_words; i++)
        n += e->words[i].db == kind;
    *db = NULL;
    if (!n)
        return PVG_OK;
    const char **exprs = calloc(n, sizeof *exprs);
    unsigned *flags = calloc(n, sizeof *flags);
    unsigned *ids = calloc(n, sizeof *ids);
    size_t *lens = calloc(n, sizeof *lens);
    pvg_error_t rc = PVG_OK;
    if (!exprs || !flags || !ids || !lens) {
        rc = PVG_ENOMEM;
        goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < r->n_words; i++) {
        if (e->words[i].db != kind)
            continue;
        exprs[k] = r->words[i].text;
        lens[k] = r->words[i].len;
        ids[k] = (unsigned)i;
        flags[k] = HS_FLAG_CASELESS;
        if (kind == PVG__WORD_REGEX)
            flags[k] |= HS_FLAG_UTF8;
        /* A policy rule needs to match once per message. */
        if (e->words[i].type == PVG__T_RULE)
            flags[k] |= HS_FLAG_SINGLEMATCH;
        k++;
    }
    hs_compile_error_t *herr = NULL;
    hs_error_t hr = kind == PVG__WORD_REGEX
                        ? hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, db,
                                           &herr)
                        : hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK,
                                               NULL, db, &herr);
    if (hr != HS_SUCCESS) {
        *bad = herr && herr->expression >= 0 && (size_t)herr->expression < n
                   ? (int)ids[herr->expression]
                   : -1;
        snprintf(msg, msgcap, "bad pattern: %s",
                 herr && herr->message ? herr->message : "vectorscan failed");
        hs_free_compile_error(herr);
        rc = hr == HS_NOMEM ? PVG_ENOMEM : PVG_ECOMPILE;
    }
out:
    free(exprs);
    free(flags);
    free(ids);
    free(lens);
    return rc;
}

PVG_API pvg_error_t pvg_engine_compile(const char *rules, size_t len, unsigned flags,
                                       pvg_engine_t **out, pvg_compile_error_t **err)
{
    if (err)
        *err = NULL;
    if (!out || (!rules && len) || flags)
        return PVG_EINVAL;
    *out = NULL;
    if (!rules) {
        rules = (const char *)pvg__default_rules;
        len = (size_t)pvg__default_rules_len;
    }
    pvg__rules_t r;
    pvg__rules_init(&r);
    if (pvg__rules_parse(&r, rules, len)) {
        int oom = r.oom && !r.err_message[0];
        if (err && !oom)
            *err = make_error(r.err_message, r.err_rule, r.err_line, r.err_column);
        pvg__rules_free(&r);
        return oom ? PVG_ENOMEM : PVG_ECOMPILE;
    }
    pvg_error_t rc = PVG_OK;
    pvg_engine_t *e = calloc(1, sizeof *e);
    if (!e) {
        pvg__rules_free(&r);
        return PVG_ENOMEM;
    }
    e->magic = PVG__ENGINE_MAGIC;
    e->abi = PVG__ABI;
    if (getrandom(&e->id, sizeof e->id, 0) != (ssize_t)sizeof e->id)
        e->id = (uint64_t)(uintptr_t)e ^ 0x9E3779B97F4A7C15ull;
    e->min_score = r.min_score;
    memcpy(e->det, r.det, sizeof e->det);
    e->window_max_age_ms = r.window_age_ms;
    e->window_max_msgs = r.window_msgs;
    /* The families' built-in words follow the rules' words. */
    for (size_t f = 0; f < pvg__n_families; f++) {
        const pvg__builtin_word_t *bw;
        size_t nb = pvg__families[f].words ? pvg__families[f].words(&bw) : 0;
        for (size_t i = 0; i < nb; i++) {
            if (pvg__rules_add_builtin(&r, bw[i].text, strlen(bw[i].text), bw[i].type,
                                       bw[i].polarity, bw[i].side, bw[i].extra)) {
                rc = PVG_ENOMEM;
                goto done;
            }
        }
    }
    size_t nw = r.n_words;
    e->rules_text = malloc(len + 1);
    e->words = calloc(nw ? nw : 1, sizeof *e->words);
    if (!e->rules_text || !e->words) {
        rc = PVG_ENOMEM;
        goto done;
    }
    memcpy(e->rules_text, rules, len);
    e->rules_text[len] = 0;
    e->rules_len = len;
    for (size_t i = 0; i < nw; i++) {
        pvg__rule_word_t *w = &r.words[i];
        pvg__word_t *ew = &e->words[i];
        ew->type = (uint16_t)w->type;
        ew->polarity = (int8_t)w->polarity;
        ew->side = (uint8_t)w->side;
        ew->extra = (uint16_t)w->extra;
        /* Every literal word is matched in the space-free form: one literal
         * database, one Vectorscan call (a word of marks only is dropped). */
        if (w->regex == PVG__WORD_LITERAL) {
            size_t nl = pvg__nospace((const uint8_t *)w->text, w->len, (uint8_t *)w->text, NULL, NULL);
            w->text[nl] = 0;
            w->len = nl;
            w->regex = nl ? PVG__WORD_NOSPACE : PVG__WORD_NONE;
        }
        ew->db = (uint8_t)w->regex;
        ew->len = w->regex == PVG__WORD_REGEX ? 0 : (uint16_t)w->len;
        ew->ascii = w->regex == PVG__WORD_NOSPACE && ascii_only(w->text, w->len);
        /* A word starting with '.' (a file extension) needs a boundary only
         * at its end: "tracker.apk". */
        if (ew->ascii && w->len && w->text[0] == '.')
            ew->ascii = 2;
    }
    e->n_words = nw;
    /* Two databases: every literal word (space-free), and the regexes. */
    static const int kinds[2] = {PVG__WORD_REGEX, PVG__WORD_NOSPACE};
    hs_database_t **dbs[2] = {&e->db_regex, &e->db_nospace};
    for (int k = 0; k < 2; k++) {
        int kind = kinds[k];
        int bad = -1;
        char msg[512];
        rc = compile_db(&r, e, kind, dbs[k], &bad, msg, sizeof msg);
        if (rc == PVG_ECOMPILE) {
            if (err)
                *err = make_error(msg, bad >= 0 && r.words[bad].line ? "policy" : "words",
                                  bad >= 0 ? r.words[bad].line : 0, 0);
            goto done;
        }
        if (rc)
            goto done;
        if (*dbs[k]) {
            size_t sz = 0;
            hs_database_size(*dbs[k], &sz);
            e->db_size += sz;
        }
    }
    /* The scratch Vectorscan needs for all three databases. */
    hs_scratch_t *tmp = NULL;
    for (int k = 0; k < 2; k++)
        if (*dbs[k] && hs_alloc_scratch(*dbs[k], &tmp) != HS_SUCCESS) {
            hs_free_scratch(tmp);
            rc = PVG_ENOMEM;
            goto done;
        }
    if (tmp) {
        hs_scratch_size(tmp, &e->hs_scratch_size);
        hs_free_scratch(tmp);
    }
    /* The policy moves from the parsed rules into the engine. */
    e->policy = r.policy;
    pvg__policy_init(&r.policy);
    if (pvg__policy_finish(&e->policy)) {
        rc = PVG_ENOMEM;
        goto done;
    }
done:
    pvg__rules_free(&r);
    if (rc) {
        pvg_engine_free(e);
        return rc;
    }
    *out = e;
    return PVG_OK;
}

static int engine_ok(const pvg_engine_t *e)
{
    return e && e->magic == PVG__ENGINE_MAGIC && e->abi == PVG__ABI;
}

PVG_API void pvg_engine_free(pvg_engine_t *e)
{
    if (!e)
        return;
    if (e->db_nospace)
        hs_free_database(e->db_nospace);
    if (e->db_regex)
        hs_free_database(e->db_regex);
    free(e->words);
    free(e->rules_text);
    pvg__policy_free(&e->policy);
    e->magic = 0;
    free(e);
}

PVG_API size_t pvg_engine_size(const pvg_engine_t *e)
{
    if (!engine_ok(e))
        return 0;
    return sizeof *e + e->db_size + e->n_words * sizeof *e->words + e->rules_len;
}

PVG_API float pvg_engine_min_score(const pvg_engine_t *e)
{
    return engine_ok(e) ? e->min_score : 0.0f;
}

PVG_API int pvg_engine_detector_on(const pvg_engine_t *e, int type)
{
    return engine_ok(e) && type >= 0 && type < PVG_ENTITY_COUNT && e->det[type].enabled;
}

/* --------------------------------------------------------------- scratch */

static int scratch_ok(const pvg_scratch_t *s)
{
    return s && s->magic == PVG__SCRATCH_MAGIC && s->abi == PVG__ABI;
}

PVG_API pvg_error_t pvg_scratch_alloc(const pvg_engine_t *e, pvg_scratch_t **s)
{
    if (!engine_ok(e) || !s)
        return PVG_EINVAL;
    pvg_scratch_t *sc = *s;
    int fresh = 0;
    if (!sc) {
        sc = calloc(1, sizeof *sc);
        if (!sc)
            return PVG_ENOMEM;
        sc->runs = calloc(PVG__MAX_RUNS, sizeof *sc->runs);
        if (!sc->runs) {
            free(sc);
            return PVG_ENOMEM;
        }
        sc->magic = PVG__SCRATCH_MAGIC;
        sc->abi = PVG__ABI;
        sc->fold = sc->fold_inline;
        sc->map = sc->map_inline;
        sc->strip = sc->strip_inline;
        sc->smap = sc->smap_inline;
        sc->cap = PVG__INLINE_TEXT + PVG__TAIL + 8;
        fresh = 1;
    } else if (!scratch_ok(sc)) {
        return PVG_EINVAL;
    } else if (sc->in_use) {
        return PVG_ESCRATCH_BUSY;
    }
    const hs_database_t *dbs[2] = {e->db_nospace, e->db_regex};
    for (int k = 0; k < 2; k++)
        if (dbs[k] && hs_alloc_scratch(dbs[k], &sc->hs) != HS_SUCCESS) {
            if (fresh)
                pvg_scratch_free(sc);
            return PVG_ENOMEM;
        }
    if (sc->hs)
        hs_scratch_size(sc->hs, &sc->hs_size);
    *s = sc;
    return PVG_OK;
}

PVG_API pvg_error_t pvg_scratch_clone(const pvg_scratch_t *src, pvg_scratch_t **dst)
{
    if (!scratch_ok(src) || !dst)
        return PVG_EINVAL;
    pvg_scratch_t *sc = calloc(1, sizeof *sc);
    if (!sc)
        return PVG_ENOMEM;
    sc->runs = calloc(PVG__MAX_RUNS, sizeof *sc->runs);
    if (!sc->runs) {
        free(sc);
        return PVG_ENOMEM;
    }
    sc->magic = PVG__SCRATCH_MAGIC;
    sc->abi = PVG__ABI;
    sc->fold = sc->fold_inline;
    sc->map = sc->map_inline;
    sc->strip = sc->strip_inline;
    sc->smap = sc->smap_inline;
    sc->cap = PVG__INLINE_TEXT + PVG__TAIL + 8;
    if (src->hs && hs_clone_scratch(src->hs, &sc->hs) != HS_SUCCESS) {
        pvg_scratch_free(sc);
        return PVG_ENOMEM;
    }
    sc->hs_size = src->hs_size;
    *dst = sc;
    return PVG_OK;
}

PVG_API void pvg_scratch_free(pvg_scratch_t *s)
{
    if (!scratch_ok(s))
        return;
    if (s->hs)
        hs_free_scratch(s->hs);
    pvg__lookalike_cache_free(s->la_cache);
    sodium_memzero(s->fold_inline, sizeof s->fold_inline);
    sodium_memzero(s->strip_inline, sizeof s->strip_inline);
    sodium_memzero(s->runs, PVG__MAX_RUNS * sizeof *s->runs);
    free(s->runs);
    s->magic = 0;
    free(s);
}

PVG_API size_t pvg_scratch_size(const pvg_scratch_t *s)
{
    if (!scratch_ok(s))
        return 0;
    return sizeof *s + PVG__MAX_RUNS * sizeof *s->runs + s->hs_size;
}

/* ------------------------------------------------------------------ scan */

/* Records a hit of word id at [start, end) of the folded text. ASCII words
 * match whole words only ("card" is not in "discard"); a word starting with
 * '.' (".apk") needs a boundary only at its end. */
static void add_hit(pvg__scan_t *sc, unsigned id, uint32_t start, uint32_t end)
{
    pvg_scratch_t *s = sc->s;
    const pvg__word_t *w = &sc->e->words[id];
    if (w->ascii) {
        const uint8_t *t = sc->t;
        uint8_t a = start > 0 && w->ascii == 1 ? t[start - 1] : ' ', b = end < sc->n ? t[end] : ' ';
        if (((a | 0x20) >= 'a' && (a | 0x20) <= 'z') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z'))
            return;
    }
    if (s->n_hits < PVG__MAX_HITS) {
        pvg__hit_t *h = &s->hits[s->n_hits++];
        h->start = start;
        h->end = end;
        h->word = id;
    }
}

/* A hit of the regex database: the end is known, not the start (no SOM). */
static int on_hit_regex(unsigned id, unsigned long long from, unsigned long long to,
                        unsigned flags, void *ctx)
{
    (void)from;
    (void)flags;
    add_hit(ctx, id, (uint32_t)to, (uint32_t)to);
    return 0;
}

/* A hit of the literal database, which scans the space-free text: its
 * offsets are mapped back to the folded text. */
static int on_hit_nospace(unsigned id, unsigned long long from, unsigned long long to,
                          unsigned flags, void *ctx)
{
    (void)from;
    (void)flags;
    pvg__scan_t *sc = ctx;
    const pvg_scratch_t *s = sc->s;
    size_t len = sc->e->words[id].len;
    size_t end_s = (size_t)to, start_s = end_s >= len ? end_s - len : 0;
    add_hit(sc, id, pvg__nospace_orig(s->smap, s->n_skips, start_s),
            pvg__nospace_orig(s->smap, s->n_skips, end_s - 1) + 1);
    return 0;
}

/* Insertion sort by end offset (hits are few and mostly in order). */
static void sort_hits(pvg__hit_t *h, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        pvg__hit_t x = h[i];
        size_t j = i;
        while (j > 0 && h[j - 1].end > x.end) {
            h[j] = h[j - 1];
            j--;
        }
        h[j] = x;
    }
}

static int cand_cmp_score(const void *a, const void *b)
{
    const pvg__cand_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    uint32_t lx = x->end - x->start, ly = y->end - y->start;
    if (lx != ly)
        return lx < ly ? 1 : -1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (int)x->type - (int)y->type;
}

static int cand_cmp_pos(const void *a, const void *b)
{
    const pvg__cand_t *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return (int)x->type - (int)y->type;
}

/* Keeps, among overlapping candidates, the best scored (then the longest);
 * drops ruled-out spans and disabled types; leaves cands sorted by
 * position. URLs may overlap other findings (an e-mail inside a mailto
 * link, an IP inside a URL) since they are signals, not personal data. */
static void resolve(pvg__scan_t *sc)
{
    pvg_scratch_t *s = sc->s;
    size_t n = s->n_cands;
    if (n > 1)
        qsort(s->cands, n, sizeof *s->cands, cand_cmp_score);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        pvg__cand_t c = s->cands[i];
        int clash = 0;
        for (size_t j = 0; j < kept && !clash; j++) {
            const pvg__cand_t *k = &s->cands[j];
            if (c.start < k->end && k->start < c.end) {
                int url_pair = (c.type == PVG_URL) != (k->type == PVG_URL);
                if (!url_pair || k->type == PVG__T_RULED_OUT || c.type == PVG__T_RULED_OUT)
                    clash = 1;
            }
        }
        if (!clash)
            s->cands[kept++] = c;
    }
    size_t out = 0;
    for (size_t i = 0; i < kept; i++) {
        const pvg__cand_t *c = &s->cands[i];
        if (c->type >= PVG_ENTITY_COUNT || !sc->e->det[c->type].enabled)
            continue;
        s->cands[out++] = *c;
    }
    s->n_cands = out;
    if (out > 1)
        qsort(s->cands, out, sizeof *s->cands, cand_cmp_pos);
}

int64_t pvg__now(pvg__scan_t *sc)
{
    if (!sc->now_ms) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        sc->now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    return sc->now_ms;
}

/* Makes room in s for len bytes of text plus a window tail. */
static int ensure_room(pvg_scratch_t *s, size_t len)
{
    size_t need = len + PVG__TAIL + 8;
    if (need <= PVG__INLINE_TEXT + PVG__TAIL + 8) {
        s->fold = s->fold_inline;
        s->map = s->map_inline;
        s->strip = s->strip_inline;
        s->smap = s->smap_inline;
        s->cap = PVG__INLINE_TEXT + PVG__TAIL + 8;
        return PVG_OK;
    }
    s->fold = malloc(need);
    s->map = malloc((need + 1) * sizeof *s->map);
    s->strip = malloc(need);
    s->smap = malloc((need + 1) * sizeof *s->smap);
    if (!s->fold || !s->map || !s->strip || !s->smap) {
        free(s->fold);
        free(s->map);
        free(s->strip);
        free(s->smap);
        s->fold = s->fold_inline;
        s->map = s->map_inline;
        s->strip = s->strip_inline;
        s->smap = s->smap_inline;
        return PVG_ENOMEM;
    }
    s->cap = need;
    return PVG_OK;
}

static void release_room(pvg_scratch_t *s)
{
    if (s->fold != s->fold_inline) {
        sodium_memzero(s->fold, s->cap);
        sodium_memzero(s->strip, s->cap);
        free(s->fold);
        free(s->map);
        free(s->strip);
        free(s->smap);
        s->fold = s->fold_inline;
        s->map = s->map_inline;
        s->strip = s->strip_inline;
        s->smap = s->smap_inline;
        s->cap = PVG__INLINE_TEXT + PVG__TAIL + 8;
    } else {
        size_t n = s->flen < sizeof s->fold_inline ? s->flen : sizeof s->fold_inline;
        sodium_memzero(s->fold_inline, n);
        sodium_memzero(s->strip_inline, n);
    }
}

/*
 * The core of a scan: text (and an optional tail of the previous message of
 * the same window, already placed in s->fold[0..s->prev_len)) through fold,
 * hits, runs, detectors and resolution. On return s->cands holds the
 * resolved candidates in folded coordinates.
 */
static pvg_error_t scan_core(const pvg_engine_t *e, const char *text, size_t len, int64_t now_ms,
                             pvg_scratch_t *s)
{
    s->n_hits = s->n_runs = s->n_cands = 0;
    if (pvg__fold((const uint8_t *)text, len, s) != PVG_OK)
        return PVG_EUTF8;
    pvg__scan_t sc = {e, s, s->fold, s->flen, now_ms};
    if (s->flen && (e->db_regex || e->db_nospace)) {
        if (e->db_regex && hs_scan(e->db_regex, (const char *)s->fold, (unsigned)s->flen, 0,
                                   s->hs, on_hit_regex, &sc) != HS_SUCCESS)
            return PVG_EINTERNAL;
        size_t regex_hits = s->n_hits;
        if (e->db_nospace) {
            /* The folded text without spaces, and where the dropped bytes were. */
            size_t k = pvg__nospace(s->fold, s->flen, s->strip, s->smap, &s->n_skips);
            s->strip_len = k;
            if (k && hs_scan(e->db_nospace, (const char *)s->strip, (unsigned)k, 0, s->hs,
                             on_hit_nospace, &sc) != HS_SUCCESS)
                return PVG_EINTERNAL;
        }
        /* Hits are kept in order of their end: each database reports in that
         * order, so only two non-empty lists need merging. */
        if (regex_hits && s->n_hits > regex_hits)
            sort_hits(s->hits, s->n_hits);
    }
    pvg__find_runs(&sc);
    for (size_t i = 0; i < pvg__n_families; i++)
        pvg__families[i].detect(&sc);
    resolve(&sc);
    return PVG_OK;
}

static pvg_error_t scan_enter(const pvg_engine_t *e, pvg_scratch_t *s, size_t len)
{
    if (!engine_ok(e) || !scratch_ok(s))
        return PVG_EINVAL;
    if (len > PVG_MAX_TEXT)
        return PVG_ETOOBIG;
    if (__atomic_exchange_n(&s->in_use, 1, __ATOMIC_ACQUIRE))
        return PVG_ESCRATCH_BUSY;
    if ((e->db_regex || e->db_nospace) && (!s->hs || s->hs_size < e->hs_scratch_size)) {
        __atomic_store_n(&s->in_use, 0, __ATOMIC_RELEASE);
        return PVG_ESCRATCH_SMALL;
    }
    if (ensure_room(s, len) != PVG_OK) {
        __atomic_store_n(&s->in_use, 0, __ATOMIC_RELEASE);
        return PVG_ENOMEM;
    }
    s->engine = e;
    s->flen = 0;
    s->prev_len = 0;
    s->map_identity = 0;
    return PVG_OK;
}

static void scan_leave(pvg_scratch_t *s)
{
    release_room(s);
    __atomic_store_n(&s->in_use, 0, __ATOMIC_RELEASE);
}

static float threshold_of(const pvg_engine_t *e, int type) { return e->det[type].threshold; }

PVG_API pvg_error_t pvg_scan(const pvg_engine_t *e, const char *text, size_t len, int64_t now_ms,
                             unsigned flags, pvg_scratch_t *s, pvg_finding_cb cb, void *ctx)
{
    if ((!text && len) || !cb || (flags & ~PVG_SCAN_ALL))
        return PVG_EINVAL;
    pvg_error_t rc = scan_enter(e, s, len);
    if (rc)
        return rc;
    rc = scan_core(e, text ? text : "", len, now_ms, s);
    if (rc == PVG_OK) {
        for (size_t i = 0; i < s->n_cands; i++) {
            const pvg__cand_t *c = &s->cands[i];
            if (!(flags & PVG_SCAN_ALL) && c->score < threshold_of(e, c->type))
                continue;
            pvg_finding_t f = {0};
            f.type = c->type;
            f.cls = (uint32_t)pvg_entity_class(c->type);
            f.start = pvg__omap(s, c->start);
            f.end = pvg__omap(s, c->end);
            f.score = c->score;
            if (cb(&f, ctx)) {
                rc = PVG_ESTOPPED;
                break;
            }
        }
    }
    scan_leave(s);
    return rc;
}

/* ------------------------------------------------------------- messages */

static int message_ok(const pvg_message_t *m)
{
    return m && !(!m->text && m->text_len) && m->surface >= 0 &&
           m->surface < PVG_SURFACE_COUNT && !(m->n_attachments && !m->attachments);
}

/* One message, with the scratch already entered. */
static pvg_error_t scan_one(const pvg_engine_t *e, const pvg_message_t *m, pvg_window_t *w,
                            unsigned flags, pvg_scratch_t *s, pvg_result_t *out)
{
    pvg_error_t rc = PVG_OK;
    memset(out, 0, sizeof *out);
    s->flen = 0;
    s->prev_len = 0;
    s->map_identity = 0;
    int64_t now_ms = m->ts_ms;
    const char *text = m->text ? m->text : "";
    pvg__wentry_t *we = NULL;
    /* The fold validates the text; a window entry made for invalid text
     * stays empty (nothing is recorded unless the scan succeeds). */
    if (w && m->room && m->sender) {
        we = pvg__window_get(w, m, now_ms);
        if (we)
            pvg__window_put_tail(we, s); /* sets s->prev_len */
    }
    rc = scan_core(e, text, m->text_len, now_ms, s);
    if (rc == PVG_OK) {
        size_t nf = 0;
        for (size_t i = 0; i < s->n_cands && nf < PVG__MAX_CANDS; i++) {
            const pvg__cand_t *c = &s->cands[i];
            if (!(flags & PVG_SCAN_ALL) && c->score < threshold_of(e, c->type))
                continue;
            pvg_finding_t *f = &s->findings[nf];
            memset(f, 0, sizeof *f);
            f->type = c->type;
            f->cls = (uint32_t)pvg_entity_class(c->type);
            f->score = c->score;
            if (c->end <= s->prev_len)
                continue; /* wholly in the previous message: reported there */
            if (c->start < s->prev_len) {
                /* Split across messages: the part here, and the part there. */
                size_t k = s->prev_len;
                while (k < c->end && (s->fold[k] == ' ' || s->fold[k] == '\n' ||
                                      s->fold[k] == '\r' || s->fold[k] == '\t'))
                    k++;
                f->start = pvg__omap(s, k);
                f->end = pvg__omap(s, c->end);
                pvg__window_prev_span(we, s, c->start, f);
            } else {
                f->start = pvg__omap(s, c->start);
                f->end = pvg__omap(s, c->end);
            }
            s->finding_fold_start[nf] = c->start;
            s->finding_fold_end[nf] = c->end;
            nf++;
        }
        s->n_findings = nf;
        out->findings = s->findings;
        out->n_findings = nf;
        pvg__identify(e, we, s, out);
        pvg__policy_eval(e, s, m, out);
        if (we)
            pvg__window_record(w, we, m, s, out);
    }
    return rc;
}

PVG_API pvg_error_t pvg_scan_message(const pvg_engine_t *e, const pvg_message_t *m,
                                     pvg_window_t *w, unsigned flags, pvg_scratch_t *s,
                                     pvg_result_t *out)
{
    if (!message_ok(m) || !out || (flags & ~PVG_SCAN_ALL))
        return PVG_EINVAL;
    if (w && !pvg__window_ok(w))
        return PVG_EINVAL;
    pvg_error_t rc = scan_enter(e, s, m->text_len);
    if (rc)
        return rc;
    rc = scan_one(e, m, w, flags, s, out);
    scan_leave(s);
    return rc;
}

PVG_API pvg_error_t pvg_scan_batch(const pvg_engine_t *e, const pvg_message_t *msgs, size_t n,
                                   pvg_window_t *w, unsigned flags, pvg_scratch_t *s,
                                   pvg_result_cb cb, void *ctx)
{
    if ((!msgs && n) || !cb || (flags & ~PVG_SCAN_ALL))
        return PVG_EINVAL;
    if (w && !pvg__window_ok(w))
        return PVG_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!message_ok(&msgs[i]))
            return PVG_EINVAL;
    pvg_error_t rc = scan_enter(e, s, 0);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && rc == PVG_OK; i++) {
        const pvg_message_t *m = &msgs[i];
        pvg_result_t res;
        pvg_error_t err;
        if (m->text_len > PVG_MAX_TEXT)
            err = PVG_ETOOBIG;
        else if ((err = ensure_room(s, m->text_len)) == PVG_OK) {
            err = scan_one(e, m, w, flags, s, &res);
            release_room(s);
        }
        if (err == PVG_ENOMEM || err == PVG_EINTERNAL) {
            rc = err;
            break;
        }
        if (cb(i, err, err == PVG_OK ? &res : NULL, ctx))
            rc = PVG_ESTOPPED;
    }
    s->flen = 0;
    __atomic_store_n(&s->in_use, 0, __ATOMIC_RELEASE);
    return rc;
}
