/* SPDX-License-Identifier: MIT */
/*
 * index.c -- the hash bank index: multi-index hashing over PDQ hashes.
 *
 * A 256-bit hash is cut into 16 substrings of 16 bits. If two hashes differ
 * in at most D bits, at least one of their 16 substrings differs in at most
 * r = D / 16 bits (pigeonhole: otherwise they would differ in 16 (r + 1) >
 * D bits). So the index keeps 16 tables of 65,536 buckets, table c holding
 * the slots of all entries by their c-th substring; a query probes, in each
 * table, every bucket whose key lies within r bits of the query's
 * substring (17 buckets per table for the default D = 31), and checks the
 * full distance of each candidate. With a million random hashes a bucket
 * holds about 15 entries: some 4,000 candidates per query instead of a
 * million. An entry found through several tables is reported once, from
 * the first table where it qualifies. Distances of 64 and more (r >= 4)
 * would probe thousands of buckets per table, so they scan every entry.
 *
 * Entries are appended and never removed (the store keeps the history);
 * disabling one clears its flag. Strings live in an arena and never move,
 * so hits can point at them. A read-write lock lets queries run in
 * parallel with each other and exclusive of additions and flag changes.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "media/media_internal.h"

#define INDEX_MAGIC 0x50444958u /* "PDIX" */
#define N_TABLES 16
#define N_BUCKETS 65536
#define MIH_MAX_RADIUS 3
#define ARENA_CHUNK 65536
#define MAX_BANKS 65535

typedef struct bucket {
    uint32_t *v;
    uint32_t n, cap;
} bucket_t;

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    char data[];
} arena_chunk_t;

struct pvg_media_index {
    uint32_t magic;
    pthread_rwlock_t lock;
    size_t n, cap, n_enabled;
    pvg_pdq_hash_t *hashes;
    uint8_t *enabled;
    uint16_t *bank;
    const char **ids, **cases;
    bucket_t *tables; /* N_TABLES * N_BUCKETS */
    char **banks;
    size_t n_banks;
    uint32_t *map; /* open addressing on entry id: slot + 1, 0 = empty */
    size_t map_cap;
    arena_chunk_t *arena;
};

/* Large arrays (the bucket headers, the hashes) are read at random by every
 * query: backing them with 2 MiB pages where the kernel allows it spares
 * most TLB misses. The advice is only a hint; failure changes nothing. */
#define HUGE_PAGE ((size_t)2 << 20)

static void *big_alloc(size_t size)
{
    size_t rounded = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *p = aligned_alloc(HUGE_PAGE, rounded);
    if (p) {
#ifdef MADV_HUGEPAGE
        (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
        memset(p, 0, rounded);
    }
    return p;
}

static inline unsigned chunk_of(const pvg_pdq_hash_t *h, int c)
{
    return (unsigned)(h->w[c / 4] >> (16 * (c % 4))) & 0xffffu;
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static const char *arena_strdup(pvg_media_index_t *idx, const char *s)
{
    size_t need = strlen(s) + 1;
    arena_chunk_t *c = idx->arena;
    if (!c || c->size - c->used < need) {
        size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
        c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->used = 0;
        c->size = size;
        c->next = idx->arena;
        idx->arena = c;
    }
    char *d = c->data + c->used;
    memcpy(d, s, need);
    c->used += need;
    return d;
}

pvg_error_t pvg_media_index_new(pvg_media_index_t **out)
{
    if (!out)
        return PVG_EINVAL;
    *out = NULL;
    pvg_media_index_t *idx = calloc(1, sizeof *idx);
    if (!idx)
        return PVG_ENOMEM;
    idx->tables = big_alloc((size_t)N_TABLES * N_BUCKETS * sizeof *idx->tables);
    if (!idx->tables || pthread_rwlock_init(&idx->lock, NULL) != 0) {
        free(idx->tables);
        free(idx);
        return PVG_ENOMEM;
    }
    idx->magic = INDEX_MAGIC;
    *out = idx;
    return PVG_OK;
}

void pvg_media_index_free(pvg_media_index_t *idx)
{
    if (!idx || idx->magic != INDEX_MAGIC)
        return;
    idx->magic = 0;
    pthread_rwlock_destroy(&idx->lock);
    for (size_t i = 0; i < (size_t)N_TABLES * N_BUCKETS; i++)
        free(idx->tables[i].v);
    free(idx->tables);
    for (size_t i = 0; i < idx->n_banks; i++)
        free(idx->banks[i]);
    free(idx->banks);
    free(idx->hashes);
    free(idx->enabled);
    free(idx->bank);
    free(idx->ids);
    free(idx->cases);
    free(idx->map);
    while (idx->arena) {
        arena_chunk_t *next = idx->arena->next;
        free(idx->arena);
        idx->arena = next;
    }
    free(idx);
}

/* The slot of an entry id, or -1. Caller holds the lock. */
static long find_slot(const pvg_media_index_t *idx, const char *id)
{
    if (!idx->map_cap)
        return -1;
    size_t mask = idx->map_cap - 1;
    for (size_t p = (size_t)str_hash(id) & mask;; p = (p + 1) & mask) {
        uint32_t s = idx->map[p];
        if (!s)
            return -1;
        if (strcmp(idx->ids[s - 1], id) == 0)
            return (long)(s - 1);
    }
}

static void map_put(uint32_t *map, size_t cap, const char *id, uint32_t slot)
{
    size_t mask = cap - 1;
    size_t p = (size_t)str_hash(id) & mask;
    while (map[p])
        p = (p + 1) & mask;
    map[p] = slot + 1;
}

/* Makes room for one more entry everywhere, without changing what the
 * index holds: a failure leaves it as it was. */
static pvg_error_t reserve(pvg_media_index_t *idx, const pvg_pdq_hash_t *h)
{
    if (idx->n == idx->cap) {
        size_t nc = idx->cap ? idx->cap * 2 : 1024;
        if (nc > UINT32_MAX - 1)
            return PVG_ENOMEM;
        pvg_pdq_hash_t *hs = nc * sizeof *hs >= HUGE_PAGE ? big_alloc(nc * sizeof *hs)
                                                            : malloc(nc * sizeof *hs);
        if (!hs)
            return PVG_ENOMEM;
        if (idx->n)
            memcpy(hs, idx->hashes, idx->n * sizeof *hs);
        free(idx->hashes);
        idx->hashes = hs;
        uint8_t *en = realloc(idx->enabled, nc * sizeof *en);
        if (!en)
            return PVG_ENOMEM;
        idx->enabled = en;
        uint16_t *bk = realloc(idx->bank, nc * sizeof *bk);
        if (!bk)
            return PVG_ENOMEM;
        idx->bank = bk;
        const char **ids = realloc(idx->ids, nc * sizeof *ids);
        if (!ids)
            return PVG_ENOMEM;
        idx->ids = ids;
        const char **cs = realloc(idx->cases, nc * sizeof *cs);
        if (!cs)
            return PVG_ENOMEM;
        idx->cases = cs;
        idx->cap = nc;
    }
    if ((idx->n + 1) * 2 > idx->map_cap) {
        size_t nc = idx->map_cap ? idx->map_cap * 2 : 2048;
        uint32_t *m = calloc(nc, sizeof *m);
        if (!m)
            return PVG_ENOMEM;
        for (size_t s = 0; s < idx->n; s++)
            map_put(m, nc, idx->ids[s], (uint32_t)s);
        free(idx->map);
        idx->map = m;
        idx->map_cap = nc;
    }
    for (int c = 0; c < N_TABLES; c++) {
        bucket_t *b = &idx->tables[(size_t)c * N_BUCKETS + chunk_of(h, c)];
        if (b->n == b->cap) {
            uint32_t nc = b->cap ? b->cap * 2 : 4;
            uint32_t *v = realloc(b->v, nc * sizeof *v);
            if (!v)
                return PVG_ENOMEM;
            b->v = v;
            b->cap = nc;
        }
    }
    return PVG_OK;
}

static long bank_find(const pvg_media_index_t *idx, const char *bank)
{
    for (size_t i = 0; i < idx->n_banks; i++)
        if (strcmp(idx->banks[i], bank) == 0)
            return (long)i;
    return -1;
}

pvg_error_t pvg_media_index_add(pvg_media_index_t *idx, const pvg_pdq_hash_t *h,
                                const char *entry_id, const char *bank, const char *case_id,
                                int enabled)
{
    if (!idx || idx->magic != INDEX_MAGIC || !h || !entry_id || !*entry_id || !bank || !*bank)
        return PVG_EINVAL;
    if (!case_id)
        case_id = "";
    pthread_rwlock_wrlock(&idx->lock);
    pvg_error_t rc = PVG_OK;
    if (find_slot(idx, entry_id) >= 0) {
        rc = PVG_EMEDIA_DUPLICATE;
        goto out;
    }
    long b = bank_find(idx, bank);
    if (b < 0) {
        if (idx->n_banks >= MAX_BANKS) {
            rc = PVG_ETOOBIG;
            goto out;
        }
        char **nb = realloc(idx->banks, (idx->n_banks + 1) * sizeof *nb);
        if (!nb) {
            rc = PVG_ENOMEM;
            goto out;
        }
        idx->banks = nb;
        char *copy = strdup(bank);
        if (!copy) {
            rc = PVG_ENOMEM;
            goto out;
        }
        b = (long)idx->n_banks;
        idx->banks[idx->n_banks++] = copy;
    }
    rc = reserve(idx, h);
    if (rc != PVG_OK)
        goto out;
    /* An arena failure after the first copy only strands a few bytes. */
    const char *id = arena_strdup(idx, entry_id);
    const char *cs = id ? arena_strdup(idx, case_id) : NULL;
    if (!cs) {
        rc = PVG_ENOMEM;
        goto out;
    }
    size_t s = idx->n;
    idx->hashes[s] = *h;
    idx->enabled[s] = enabled ? 1 : 0;
    idx->bank[s] = (uint16_t)b;
    idx->ids[s] = id;
    idx->cases[s] = cs;
    for (int c = 0; c < N_TABLES; c++) {
        bucket_t *bk = &idx->tables[(size_t)c * N_BUCKETS + chunk_of(h, c)];
        bk->v[bk->n++] = (uint32_t)s;
    }
    map_put(idx->map, idx->map_cap, id, (uint32_t)s);
    idx->n++;
    if (enabled)
        idx->n_enabled++;
out:
    pthread_rwlock_unlock(&idx->lock);
    return rc;
}

pvg_error_t pvg_media_index_set_enabled(pvg_media_index_t *idx, const char *entry_id,
                                        int enabled)
{
    if (!idx || idx->magic != INDEX_MAGIC || !entry_id)
        return PVG_EINVAL;
    pthread_rwlock_wrlock(&idx->lock);
    long s = find_slot(idx, entry_id);
    pvg_error_t rc = PVG_ENOTFOUND;
    if (s >= 0) {
        uint8_t want = enabled ? 1 : 0;
        if (idx->enabled[s] != want) {
            idx->enabled[s] = want;
            if (want)
                idx->n_enabled++;
            else
                idx->n_enabled--;
        }
        rc = PVG_OK;
    }
    pthread_rwlock_unlock(&idx->lock);
    return rc;
}

size_t pvg_media_index_count(const pvg_media_index_t *idx)
{
    if (!idx || idx->magic != INDEX_MAGIC)
        return 0;
    pvg_media_index_t *m = (pvg_media_index_t *)idx;
    pthread_rwlock_rdlock(&m->lock);
    size_t n = m->n;
    pthread_rwlock_unlock(&m->lock);
    return n;
}

size_t pvg_media_index_enabled_count(const pvg_media_index_t *idx)
{
    if (!idx || idx->magic != INDEX_MAGIC)
        return 0;
    pvg_media_index_t *m = (pvg_media_index_t *)idx;
    pthread_rwlock_rdlock(&m->lock);
    size_t n = m->n_enabled;
    pthread_rwlock_unlock(&m->lock);
    return n;
}

typedef struct query {
    const pvg_media_index_t *idx;
    const pvg_pdq_hash_t *q;
    unsigned qchunk[N_TABLES];
    int max;
    int radius;
    long bank; /* -1 = every bank */
    pvg_media_hit_cb cb;
    void *ctx;
} query_t;

/* Reports slot s if it is a hit; returns non-zero to stop. table is the
 * table it was found through (-1 for a scan): a hit whose substring in an
 * earlier table is also within the radius was reported from there. */
static int consider(const query_t *qq, uint32_t s, int table)
{
    const pvg_media_index_t *idx = qq->idx;
    const pvg_pdq_hash_t *h = &idx->hashes[s];
    int d = pvg_pdq_distance(h, qq->q);
    if (d > qq->max || !idx->enabled[s] || (qq->bank >= 0 && idx->bank[s] != qq->bank))
        return 0;
    for (int c = 0; c < table; c++)
        if (__builtin_popcount(chunk_of(h, c) ^ qq->qchunk[c]) <= qq->radius)
            return 0;
    pvg_media_hit_t hit = {idx->ids[s], idx->banks[idx->bank[s]], idx->cases[s], d};
    return qq->cb(&hit, qq->ctx);
}

/* Collects the keys within `left` more flipped bits of key, flipping only
 * bits from `from` upwards so that each key is listed once. */
static size_t ball_keys(unsigned key, int from, int left, unsigned *out, size_t n)
{
    out[n++] = key;
    if (left == 0)
        return n;
    for (int b = from; b < 16; b++)
        n = ball_keys(key ^ (1u << b), b + 1, left - 1, out, n);
    return n;
}

/* Probes one table. The buckets and the candidates' hashes are scattered
 * over a large memory: fetching them in stages (bucket headers, then
 * bucket contents, then each candidate's hash) lets the processor have many
 * cache misses in flight instead of one after another. */
static int probe_table(const query_t *qq, int table, const unsigned *keys, size_t n_keys)
{
    const bucket_t *base = &qq->idx->tables[(size_t)table * N_BUCKETS];
    for (size_t k = 0; k < n_keys; k++)
        __builtin_prefetch(&base[keys[k]]);
    for (size_t k = 0; k < n_keys; k++)
        if (base[keys[k]].n)
            __builtin_prefetch(base[keys[k]].v);
    const pvg_pdq_hash_t *hashes = qq->idx->hashes;
    for (size_t k = 0; k < n_keys; k++) {
        const bucket_t *b = &base[keys[k]];
        for (uint32_t i = 0; i < b->n; i++)
            __builtin_prefetch(&hashes[b->v[i]]);
    }
    for (size_t k = 0; k < n_keys; k++) {
        const bucket_t *b = &base[keys[k]];
        for (uint32_t i = 0; i < b->n; i++)
            if (consider(qq, b->v[i], table))
                return 1;
    }
    return 0;
}

pvg_error_t pvg_media_index_query(const pvg_media_index_t *idx, const pvg_pdq_hash_t *q,
                                  int max_distance, const char *bank, pvg_media_hit_cb cb,
                                  void *ctx)
{
    if (!idx || idx->magic != INDEX_MAGIC || !q || !cb || max_distance < 0 ||
        max_distance > 256)
        return PVG_EINVAL;
    pvg_media_index_t *m = (pvg_media_index_t *)idx;
    pthread_rwlock_rdlock(&m->lock);
    query_t qq;
    qq.idx = idx;
    qq.q = q;
    qq.max = max_distance;
    qq.radius = max_distance / N_TABLES;
    qq.cb = cb;
    qq.ctx = ctx;
    qq.bank = -1;
    int stopped = 0;
    if (bank && *bank) {
        qq.bank = bank_find(idx, bank);
        if (qq.bank < 0) /* no such bank: nothing can match */
            goto out;
    }
    for (int c = 0; c < N_TABLES; c++)
        qq.qchunk[c] = chunk_of(q, c);
    if (qq.radius > MIH_MAX_RADIUS) {
        for (size_t s = 0; s < idx->n && !stopped; s++)
            stopped = consider(&qq, (uint32_t)s, -1);
    } else {
        /* 1 + 16 + 120 + 560 keys at radius 3 */
        unsigned keys[697];
        for (int c = 0; c < N_TABLES && !stopped; c++) {
            size_t nk = ball_keys(qq.qchunk[c], 0, qq.radius, keys, 0);
            stopped = probe_table(&qq, c, keys, nk);
        }
    }
out:
    pthread_rwlock_unlock(&m->lock);
    return stopped ? PVG_ESTOPPED : PVG_OK;
}
