/* SPDX-License-Identifier: MIT */
/*
 * window.c -- conversation windows: state carried across consecutive
 * messages of one sender in one room (DETECTION.md "The conversation
 * window").
 *
 * Per (room, sender) the window keeps the last few messages within a time
 * limit: each one's id, time and which kinds of personal information it
 * held (for identifiability), and the folded tail of the last message with
 * its offsets (for a value split across two messages). The state depends on
 * no engine, so a rules reload keeps every open window. Keys are found
 * through a SipHash table (crypto_shorthash with a random key, so crafted
 * room ids cannot flood one bucket) and evicted least recently used first.
 * Tails hold message text: they are wiped whenever they are dropped.
 *
 * A window is used by one call at a time; the caller serialises.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <sodium.h>

#include "engine/window.h"

#define MAX_ID 64

typedef struct wmsg {
    char id[MAX_ID];
    size_t id_len;
    int64_t ts;
    uint32_t quasi;  /* bit per entity type found */
} wmsg_t;

struct pvg__wentry {
    pvg__wentry_t *hnext;              /* hash chain */
    pvg__wentry_t *lru_prev, *lru_next;
    uint64_t hash;
    char *key;                         /* room '\0' sender */
    size_t key_len;
    int64_t last_ts;
    size_t n_msgs, head;               /* ring of earlier messages */
    wmsg_t *msgs;
    /* the folded tail of the last message */
    uint8_t tail[PVG__TAIL];
    uint32_t tail_map[PVG__TAIL + 1];
    size_t tail_len;
    size_t tail_end;                   /* end of its last visible character, in that message */
    char tail_id[MAX_ID];
    size_t tail_id_len;
};

struct pvg_window {
    uint32_t magic;
    size_t max_keys, max_msgs;
    int64_t max_age_ms;
    size_t n_keys;
    size_t n_buckets;
    pvg__wentry_t **buckets;
    pvg__wentry_t *lru_head, *lru_tail; /* head = most recent */
    unsigned char hkey[crypto_shorthash_KEYBYTES];
};

int pvg__window_ok(const pvg_window_t *w) { return w && w->magic == PVG__WINDOW_MAGIC; }

PVG_API pvg_error_t pvg_window_alloc(size_t max_keys, size_t max_msgs, int64_t max_age_ms,
                                     pvg_window_t **out)
{
    if (!out || max_msgs > 64 || max_age_ms < 0)
        return PVG_EINVAL;
    *out = NULL;
    pvg_window_t *w = calloc(1, sizeof *w);
    if (!w)
        return PVG_ENOMEM;
    w->max_keys = max_keys ? max_keys : 100000;
    w->max_msgs = max_msgs ? max_msgs : 5;
    w->max_age_ms = max_age_ms ? max_age_ms : 10 * 60000;
    size_t nb = 16;
    while (nb < w->max_keys && nb < ((size_t)1 << 24))
        nb <<= 1;
    w->n_buckets = nb;
    w->buckets = calloc(nb, sizeof *w->buckets);
    if (!w->buckets) {
        free(w);
        return PVG_ENOMEM;
    }
    if (getrandom(w->hkey, sizeof w->hkey, 0) != (ssize_t)sizeof w->hkey) {
        /* No randomness: fall back to the table's address; still correct,
         * only easier to flood. */
        uintptr_t a = (uintptr_t)w;
        memset(w->hkey, 0x5a, sizeof w->hkey);
        memcpy(w->hkey, &a, sizeof a);
    }
    w->magic = PVG__WINDOW_MAGIC;
    *out = w;
    return PVG_OK;
}

static void entry_free(pvg__wentry_t *e)
{
    sodium_memzero(e->tail, sizeof e->tail);
    sodium_memzero(e->tail_map, sizeof e->tail_map);
    free(e->msgs);
    free(e->key);
    free(e);
}

PVG_API void pvg_window_free(pvg_window_t *w)
{
    if (!pvg__window_ok(w))
        return;
    pvg__wentry_t *e = w->lru_head;
    while (e) {
        pvg__wentry_t *next = e->lru_next;
        entry_free(e);
        e = next;
    }
    free(w->buckets);
    w->magic = 0;
    free(w);
}

PVG_API size_t pvg_window_keys(const pvg_window_t *w)
{
    return pvg__window_ok(w) ? w->n_keys : 0;
}

static void lru_unlink(pvg_window_t *w, pvg__wentry_t *e)
{
    if (e->lru_prev)
        e->lru_prev->lru_next = e->lru_next;
    else
        w->lru_head = e->lru_next;
    if (e->lru_next)
        e->lru_next->lru_prev = e->lru_prev;
    else
        w->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
}

static void lru_front(pvg_window_t *w, pvg__wentry_t *e)
{
    e->lru_next = w->lru_head;
    e->lru_prev = NULL;
    if (w->lru_head)
        w->lru_head->lru_prev = e;
    w->lru_head = e;
    if (!w->lru_tail)
        w->lru_tail = e;
}

static void bucket_remove(pvg_window_t *w, pvg__wentry_t *e)
{
    pvg__wentry_t **pp = &w->buckets[e->hash & (w->n_buckets - 1)];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
}

static void evict_one(pvg_window_t *w)
{
    pvg__wentry_t *e = w->lru_tail;
    if (!e)
        return;
    lru_unlink(w, e);
    bucket_remove(w, e);
    entry_free(e);
    w->n_keys--;
}

static void entry_reset(pvg__wentry_t *e)
{
    sodium_memzero(e->tail, sizeof e->tail);
    e->tail_len = 0;
    e->tail_id_len = 0;
    e->n_msgs = e->head = 0;
}

pvg__wentry_t *pvg__window_get(pvg_window_t *w, const pvg_message_t *m, int64_t now_ms)
{
    size_t klen = m->room_len + 1 + m->sender_len;
    char stack[512];
    char *key = klen <= sizeof stack ? stack : malloc(klen);
    if (!key)
        return NULL;
    memcpy(key, m->room, m->room_len);
    key[m->room_len] = 0;
    memcpy(key + m->room_len + 1, m->sender, m->sender_len);
    uint64_t h;
    crypto_shorthash((unsigned char *)&h, (const unsigned char *)key, klen, w->hkey);
    pvg__wentry_t *e = w->buckets[h & (w->n_buckets - 1)];
    while (e && !(e->hash == h && e->key_len == klen && !memcmp(e->key, key, klen)))
        e = e->hnext;
    if (e) {
        if (key != stack)
            free(key);
        lru_unlink(w, e);
        lru_front(w, e);
        if (e->last_ts && now_ms && now_ms - e->last_ts > w->max_age_ms)
            entry_reset(e);
        return e;
    }
    if (w->n_keys >= w->max_keys)
        evict_one(w);
    e = calloc(1, sizeof *e);
    if (e)
        e->msgs = calloc(w->max_msgs, sizeof *e->msgs);
    if (e && e->msgs)
        e->key = malloc(klen);
    if (!e || !e->msgs || !e->key) {
        if (e) {
            free(e->msgs);
            free(e);
        }
        if (key != stack)
            free(key);
        return NULL;
    }
    memcpy(e->key, key, klen);
    if (key != stack)
        free(key);
    e->key_len = klen;
    e->hash = h;
    size_t b = h & (w->n_buckets - 1);
    e->hnext = w->buckets[b];
    w->buckets[b] = e;
    lru_front(w, e);
    w->n_keys++;
    return e;
}

void pvg__window_put_tail(pvg__wentry_t *we, pvg_scratch_t *s)
{
    s->prev_len = 0;
    s->flen = 0;
    if (!we->tail_len)
        return;
    memcpy(s->fold, we->tail, we->tail_len);
    memcpy(s->map, we->tail_map, we->tail_len * sizeof *s->map);
    s->map_identity = 0;
    /* The two messages meet like two lines. */
    s->fold[we->tail_len] = '\n';
    s->map[we->tail_len] = (uint32_t)we->tail_end;
    s->prev_len = we->tail_len + 1;
    s->flen = s->prev_len;
}

void pvg__window_prev_span(pvg__wentry_t *we, const pvg_scratch_t *s, size_t start,
                           pvg_finding_t *f)
{
    if (!we)
        return;
    pvg_scratch_t *ws = (pvg_scratch_t *)s;
    memcpy(ws->prev_id_buf, we->tail_id, we->tail_id_len);
    f->prev_id = ws->prev_id_buf;
    f->prev_id_len = we->tail_id_len;
    f->prev_start = pvg__omap(s, start);
    f->prev_end = we->tail_end;
}

/* Quasi-identifier kinds that combine (DETECTION.md "Identifiability"). */
#define Q(t) (1u << (t))
#define COMBINING (Q(PVG_PERSON) | Q(PVG_PHONE_NUMBER) | Q(PVG_ADDRESS) | Q(PVG_EMAIL_ADDRESS))

static int combines(uint32_t mask)
{
    return __builtin_popcount(mask & COMBINING) >= 2 ||
           ((mask & Q(PVG_PERSON)) && (mask & Q(PVG_DATE_OF_BIRTH)));
}

void pvg__identify(const pvg_engine_t *e, pvg__wentry_t *we, pvg_scratch_t *s, pvg_result_t *out)
{
    (void)e;
    uint32_t here = 0;
    int direct = 0;
    for (size_t i = 0; i < out->n_findings; i++) {
        const pvg_finding_t *f = &out->findings[i];
        if (f->cls == PVG_CLASS_DIRECT)
            direct = 1;
        else if (f->cls == PVG_CLASS_QUASI)
            here |= Q(f->type);
    }
    uint32_t before = 0;
    if (we)
        for (size_t k = 0; k < we->n_msgs; k++)
            before |= we->msgs[k].quasi;
    int ident = direct || (here && combines(here | before));
    if (!ident)
        return;
    size_t ni = 0;
    for (size_t i = 0; i < out->n_findings; i++)
        if (out->findings[i].cls != PVG_CLASS_SIGNAL)
            s->ident_idx[ni++] = i;
    size_t np = 0;
    if (we && !combines(here) && !direct) {
        for (size_t k = 0; k < we->n_msgs && np < 8; k++) {
            const wmsg_t *wm = &we->msgs[k];
            if ((wm->quasi & ~here & (COMBINING | Q(PVG_DATE_OF_BIRTH))) && wm->id_len) {
                memcpy(s->ident_prev_buf[np], wm->id, wm->id_len);
                s->ident_prev[np] = s->ident_prev_buf[np];
                s->ident_prev_len[np++] = wm->id_len;
            }
        }
    }
    out->identifies = 1;
    out->identifies_findings = s->ident_idx;
    out->n_identifies_findings = ni;
    out->identifies_prev = s->ident_prev;
    out->identifies_prev_len = s->ident_prev_len;
    out->n_identifies_prev = np;
}

void pvg__window_record(pvg_window_t *w, pvg__wentry_t *we, const pvg_message_t *m,
                        const pvg_scratch_t *s, const pvg_result_t *out)
{
    uint32_t quasi = 0;
    for (size_t i = 0; i < out->n_findings; i++)
        if (out->findings[i].cls == PVG_CLASS_QUASI)
            quasi |= Q(out->findings[i].type);
    /* The ring, oldest first: drop the oldest when full. */
    if (we->n_msgs == w->max_msgs) {
        memmove(we->msgs, we->msgs + 1, (we->n_msgs - 1) * sizeof *we->msgs);
        we->n_msgs--;
    }
    wmsg_t *wm = &we->msgs[we->n_msgs++];
    size_t idl = m->id && m->id_len < MAX_ID ? m->id_len : 0;
    memcpy(wm->id, m->id ? m->id : "", idl);
    wm->id_len = idl;
    wm->ts = m->ts_ms;
    wm->quasi = quasi;
    we->last_ts = m->ts_ms;
    /* The tail: the last PVG__TAIL folded bytes of this message, cut at a
     * character boundary. */
    size_t from = s->prev_len, to = s->flen;
    size_t start = to - from > PVG__TAIL ? to - PVG__TAIL : from;
    while (start < to && (s->fold[start] & 0xC0) == 0x80)
        start++;
    sodium_memzero(we->tail, sizeof we->tail);
    we->tail_len = to - start;
    memcpy(we->tail, s->fold + start, we->tail_len);
    for (size_t k = 0; k < we->tail_len; k++)
        we->tail_map[k] = pvg__omap(s, start + k);
    /* The end of the last visible character, as an offset into this
     * message. */
    size_t k = to;
    while (k > start && (s->fold[k - 1] == ' ' || s->fold[k - 1] == '\n' ||
                         s->fold[k - 1] == '\r' || s->fold[k - 1] == '\t'))
        k--;
    we->tail_end = k > start ? pvg__omap(s, k) : (to > from ? pvg__omap(s, to) : 0);
    memcpy(we->tail_id, wm->id, idl);
    we->tail_id_len = idl;
}
