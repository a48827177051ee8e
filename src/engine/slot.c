/* SPDX-License-Identifier: MIT */
/*
 * slot.c -- the current engine, swapped atomically on a rules reload.
 *
 * A slot points at a holder {engine, references}. pvg_slot_acquire() takes
 * a reference on the current holder under a short lock; pvg_slot_swap()
 * installs a new holder and drops the slot's own reference on the old
 * one, which is freed by whoever releases it last -- so a scan that began
 * on the old engine finishes on it and no message is lost or scanned
 * half with one rule set and half with another.
 */
#include <pthread.h>
#include <stdlib.h>

#include "engine/internal.h"

typedef struct holder {
    pvg_engine_t *engine;
    uint64_t refs; /* the slot's own reference + one per acquire */
} holder_t;

struct pvg_slot {
    uint32_t magic;
    pthread_mutex_t lock;
    holder_t *cur;
    holder_t **old;     /* holders swapped out and still referenced */
    size_t n_old, cap_old;
    uint64_t generation;
};

#define SLOT_MAGIC 0x70766753u

PVG_API pvg_error_t pvg_slot_alloc(pvg_engine_t *e, pvg_slot_t **out)
{
    if (!e || !out)
        return PVG_EINVAL;
    *out = NULL;
    pvg_slot_t *s = calloc(1, sizeof *s);
    holder_t *h = calloc(1, sizeof *h);
    if (!s || !h || pthread_mutex_init(&s->lock, NULL)) {
        free(s);
        free(h);
        return PVG_ENOMEM;
    }
    h->engine = e;
    h->refs = 1;
    s->cur = h;
    s->magic = SLOT_MAGIC;
    *out = s;
    return PVG_OK;
}

PVG_API void pvg_slot_free(pvg_slot_t *s)
{
    if (!s || s->magic != SLOT_MAGIC)
        return;
    pvg_engine_free(s->cur->engine);
    free(s->cur);
    for (size_t i = 0; i < s->n_old; i++) {
        pvg_engine_free(s->old[i]->engine);
        free(s->old[i]);
    }
    free(s->old);
    pthread_mutex_destroy(&s->lock);
    s->magic = 0;
    free(s);
}

PVG_API const pvg_engine_t *pvg_slot_acquire(pvg_slot_t *s)
{
    pthread_mutex_lock(&s->lock);
    holder_t *h = s->cur;
    h->refs++;
    pthread_mutex_unlock(&s->lock);
    return h->engine;
}

/* Drops one reference of holder h; frees it at zero. Called locked. */
static void drop(pvg_slot_t *s, holder_t *h)
{
    if (--h->refs)
        return;
    for (size_t i = 0; i < s->n_old; i++)
        if (s->old[i] == h) {
            s->old[i] = s->old[--s->n_old];
            break;
        }
    pvg_engine_free(h->engine);
    free(h);
}

PVG_API void pvg_slot_release(pvg_slot_t *s, const pvg_engine_t *e)
{
    if (!s || !e)
        return;
    pthread_mutex_lock(&s->lock);
    if (s->cur->engine == e) {
        drop(s, s->cur);
    } else {
        for (size_t i = 0; i < s->n_old; i++)
            if (s->old[i]->engine == e) {
                drop(s, s->old[i]);
                break;
            }
    }
    pthread_mutex_unlock(&s->lock);
}

PVG_API pvg_error_t pvg_slot_swap(pvg_slot_t *s, pvg_engine_t *e)
{
    if (!s || s->magic != SLOT_MAGIC || !e)
        return PVG_EINVAL;
    holder_t *h = calloc(1, sizeof *h);
    if (!h)
        return PVG_ENOMEM;
    h->engine = e;
    h->refs = 1;
    pthread_mutex_lock(&s->lock);
    if (s->n_old == s->cap_old) {
        size_t cap = s->cap_old ? s->cap_old * 2 : 4;
        holder_t **no = realloc(s->old, cap * sizeof *no);
        if (!no) {
            pthread_mutex_unlock(&s->lock);
            free(h);
            return PVG_ENOMEM;
        }
        s->old = no;
        s->cap_old = cap;
    }
    holder_t *prev = s->cur;
    s->old[s->n_old++] = prev;
    s->cur = h;
    s->generation++;
    drop(s, prev); /* the slot's own reference */
    pthread_mutex_unlock(&s->lock);
    return PVG_OK;
}

PVG_API uint64_t pvg_slot_generation(const pvg_slot_t *s)
{
    return s && s->magic == SLOT_MAGIC ? s->generation : 0;
}
