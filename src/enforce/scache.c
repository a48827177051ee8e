/* SPDX-License-Identifier: MIT */
/*
 * scache.c -- the in-memory sanction check cache (see scache.h).
 *
 * 64 shards; each is an open-addressing table (linear probing, power-of-two
 * size, at most half full) of accounts, and each account has a small array
 * of sanctions. An account whose last sanction goes keeps its slot with an
 * empty array, so probing never meets a hole that was once filled; the
 * table is rebuilt without such slots when it grows. A check hashes the
 * account (FNV-1a), takes the shard's read lock, finds the slot and walks
 * the account's few sanctions: no allocation, no store access.
 */
#include "enforce/scache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SHARDS 64

typedef struct entry {
    int64_t id, starts, ends;
    pvg_scope_t scope;
    char *container, *object;
} entry_t;

typedef struct slot {
    uint64_t h; /* 0: never used */
    char *account;
    entry_t *e;
    uint32_t n, cap;
} slot_t;

typedef struct shard {
    pthread_rwlock_t lock;
    slot_t *slots;
    size_t size, used, live; /* used: slots ever filled; live: sanctions */
    char pad[64];
} shard_t;

struct pvg_scache {
    shard_t shard[SHARDS];
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 29;
    return h ? h : 1;
}

pvg_scache_t *pvg__scache_new(void)
{
    pvg_scache_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    for (int i = 0; i < SHARDS; i++) {
        if (pthread_rwlock_init(&c->shard[i].lock, NULL)) {
            for (int j = 0; j < i; j++)
                pthread_rwlock_destroy(&c->shard[j].lock);
            free(c);
            return NULL;
        }
    }
    return c;
}

static void free_entry(entry_t *e)
{
    free(e->container);
    free(e->object);
}

static void free_slot(slot_t *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        free_entry(&s->e[i]);
    free(s->e);
    free(s->account);
}

void pvg__scache_free(pvg_scache_t *c)
{
    if (!c)
        return;
    for (int i = 0; i < SHARDS; i++) {
        shard_t *sh = &c->shard[i];
        for (size_t j = 0; j < sh->size; j++)
            if (sh->slots[j].h)
                free_slot(&sh->slots[j]);
        free(sh->slots);
        pthread_rwlock_destroy(&sh->lock);
    }
    free(c);
}

static shard_t *shard_of(pvg_scache_t *c, uint64_t h)
{
    return &c->shard[(h >> 58) & (SHARDS - 1)];
}

static slot_t *find(shard_t *sh, uint64_t h, const char *account)
{
    if (!sh->size)
        return NULL;
    size_t mask = sh->size - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        slot_t *s = &sh->slots[i];
        if (!s->h)
            return NULL;
        if (s->h == h && !strcmp(s->account, account))
            return s;
    }
}

/* Rebuilds the table at twice the live accounts (at least 16), dropping
 * accounts with no sanctions. */
static int grow(shard_t *sh)
{
    size_t live = 0;
    for (size_t i = 0; i < sh->size; i++)
        if (sh->slots[i].h && sh->slots[i].n)
            live++;
    size_t size = 16;
    while (size < (live + 1) * 4)
        size *= 2;
    slot_t *ns = calloc(size, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < sh->size; i++) {
        slot_t *s = &sh->slots[i];
        if (!s->h)
            continue;
        if (!s->n) {
            free_slot(s);
            continue;
        }
        size_t j = s->h & (size - 1);
        while (ns[j].h)
            j = (j + 1) & (size - 1);
        ns[j] = *s;
    }
    free(sh->slots);
    sh->slots = ns;
    sh->size = size;
    sh->used = live;
    return 0;
}

static char *dup_or_null(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

int pvg__scache_put(pvg_scache_t *c, const char *account, int64_t id, pvg_scope_t scope,
                    const char *container, const char *object, int64_t starts_at,
                    int64_t ends_at)
{
    uint64_t h = hash_str(account);
    shard_t *sh = shard_of(c, h);
    int oom = 0;
    entry_t ne = {.id = id, .starts = starts_at, .ends = ends_at, .scope = scope};
    ne.container = dup_or_null(container, &oom);
    ne.object = dup_or_null(object, &oom);
    if (oom) {
        free_entry(&ne);
        return PVG_ENF_ENOMEM;
    }
    pthread_rwlock_wrlock(&sh->lock);
    slot_t *s = find(sh, h, account);
    if (!s) {
        if ((sh->used + 1) * 2 > sh->size && grow(sh))
            goto oom;
        char *acc = strdup(account);
        if (!acc)
            goto oom;
        size_t mask = sh->size - 1, i = h & mask;
        while (sh->slots[i].h)
            i = (i + 1) & mask;
        s = &sh->slots[i];
        s->h = h;
        s->account = acc;
        sh->used++;
    }
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->e[i].id == id) {
            free_entry(&s->e[i]);
            s->e[i] = ne;
            pthread_rwlock_unlock(&sh->lock);
            return PVG_ENF_OK;
        }
    }
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 2;
        entry_t *ne2 = realloc(s->e, cap * sizeof *ne2);
        if (!ne2)
            goto oom;
        s->e = ne2;
        s->cap = cap;
    }
    s->e[s->n++] = ne;
    sh->live++;
    pthread_rwlock_unlock(&sh->lock);
    return PVG_ENF_OK;
oom:
    pthread_rwlock_unlock(&sh->lock);
    free_entry(&ne);
    return PVG_ENF_ENOMEM;
}

void pvg__scache_remove(pvg_scache_t *c, const char *account, int64_t id)
{
    uint64_t h = hash_str(account);
    shard_t *sh = shard_of(c, h);
    pthread_rwlock_wrlock(&sh->lock);
    slot_t *s = find(sh, h, account);
    if (s) {
        for (uint32_t i = 0; i < s->n; i++) {
            if (s->e[i].id == id) {
                free_entry(&s->e[i]);
                s->e[i] = s->e[--s->n];
                sh->live--;
                break;
            }
        }
    }
    pthread_rwlock_unlock(&sh->lock);
}

size_t pvg__scache_prune(pvg_scache_t *c, int64_t now)
{
    size_t dropped = 0;
    for (int k = 0; k < SHARDS; k++) {
        shard_t *sh = &c->shard[k];
        pthread_rwlock_wrlock(&sh->lock);
        for (size_t j = 0; j < sh->size; j++) {
            slot_t *s = &sh->slots[j];
            for (uint32_t i = 0; s->h && i < s->n;) {
                if (s->e[i].ends <= now) {
                    free_entry(&s->e[i]);
                    s->e[i] = s->e[--s->n];
                    sh->live--;
                    dropped++;
                } else {
                    i++;
                }
            }
        }
        pthread_rwlock_unlock(&sh->lock);
    }
    return dropped;
}

size_t pvg__scache_size(pvg_scache_t *c)
{
    size_t n = 0;
    for (int k = 0; k < SHARDS; k++) {
        pthread_rwlock_rdlock(&c->shard[k].lock);
        n += c->shard[k].live;
        pthread_rwlock_unlock(&c->shard[k].lock);
    }
    return n;
}

void pvg__scache_check(pvg_scache_t *c, const char *account, pvg_scope_t scope,
                       const char *container, const char *object, int64_t now,
                       pvg_check_t *out)
{
    out->allowed = 1;
    out->sanction_id = 0;
    out->scope = scope;
    out->ends_at = 0;
    uint64_t h = hash_str(account);
    shard_t *sh = shard_of(c, h);
    pthread_rwlock_rdlock(&sh->lock);
    const slot_t *s = find(sh, h, account);
    int best_rank = -1;
    if (s) {
        for (uint32_t i = 0; i < s->n; i++) {
            const entry_t *e = &s->e[i];
            if (now < e->starts || now >= e->ends)
                continue;
            if (e->scope != scope && e->scope != PVG_SCOPE_SERVICE)
                continue;
            if (e->container && (!container || strcmp(e->container, container)))
                continue;
            if (e->object && (!object || strcmp(e->object, object)))
                continue;
            int rank = (e->scope == PVG_SCOPE_SERVICE) * 2 + (!e->container && !e->object);
            if (rank > best_rank || (rank == best_rank && e->ends > out->ends_at)) {
                best_rank = rank;
                out->allowed = 0;
                out->sanction_id = e->id;
                out->scope = e->scope;
                out->ends_at = e->ends;
            }
        }
    }
    pthread_rwlock_unlock(&sh->lock);
}
