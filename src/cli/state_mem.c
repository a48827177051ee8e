/* SPDX-License-Identifier: MIT */
/*
 * state_mem.c -- pvg_state_ops_t in memory, for `privguard scan` (see
 * state_mem.h for the bounds and the thread rule).
 *
 * Two open-addressing hash tables with linear probing: fingerprints (the
 * keyed BLAKE2b-256 values pvg_scan_event computes; their first 8 bytes are
 * already uniform, so they are the hash) with the accounts that used each,
 * and accounts (as 128-bit BLAKE2b hashes under a random per-state key)
 * with the time their last abnormal client was seen. Tables grow at 70%
 * load; entries are never deleted (a CLI run is bounded).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/state_mem.h"

typedef struct sm_use {
    uint8_t account[16];
    int64_t ts;                /* latest use */
} sm_use_t;

typedef struct sm_fp {
    uint8_t fp[32];
    uint8_t used, leaked;
    uint32_t n, cap;
    sm_use_t *uses;
} sm_fp_t;

typedef struct sm_client {
    uint8_t account[16];
    uint8_t used;
    int64_t last_abnormal;
} sm_client_t;

struct state_mem {
    sm_fp_t *fps;
    size_t fp_cap, fp_n, max_fps;
    sm_client_t *cl;
    size_t cl_cap, cl_n, max_cl;
    uint8_t akey[crypto_generichash_KEYBYTES];
};

static uint64_t h64(const uint8_t *b)
{
    uint64_t h;
    memcpy(&h, b, sizeof h);
    return h;
}

static void account_hash(const state_mem_t *m, const char *a, size_t n, uint8_t out[16])
{
    crypto_generichash(out, 16, (const unsigned char *)a, n, m->akey, sizeof m->akey);
}

state_mem_t *state_mem_new(size_t max_fps, size_t max_accounts)
{
    if (sodium_init() < 0)
        return NULL;
    state_mem_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->max_fps = max_fps ? max_fps : (size_t)1 << 24;
    m->max_cl = max_accounts ? max_accounts : (size_t)1 << 24;
    m->fp_cap = 1024;
    m->cl_cap = 256;
    m->fps = calloc(m->fp_cap, sizeof *m->fps);
    m->cl = calloc(m->cl_cap, sizeof *m->cl);
    if (!m->fps || !m->cl) {
        free(m->fps);
        free(m->cl);
        free(m);
        return NULL;
    }
    randombytes_buf(m->akey, sizeof m->akey);
    return m;
}

void state_mem_free(state_mem_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->fp_cap; i++)
        if (m->fps[i].uses) {
            sodium_memzero(m->fps[i].uses, m->fps[i].cap * sizeof *m->fps[i].uses);
            free(m->fps[i].uses);
        }
    sodium_memzero(m->fps, m->fp_cap * sizeof *m->fps);
    sodium_memzero(m->cl, m->cl_cap * sizeof *m->cl);
    free(m->fps);
    free(m->cl);
    sodium_memzero(m, sizeof *m);
    free(m);
}

size_t state_mem_fingerprints(const state_mem_t *m) { return m ? m->fp_n : 0; }

/* ------------------------------------------------------- fingerprints */

static sm_fp_t *fp_slot(sm_fp_t *t, size_t cap, const uint8_t fp[32])
{
    size_t i = (size_t)(h64(fp) & (cap - 1));
    while (t[i].used && memcmp(t[i].fp, fp, 32))
        i = (i + 1) & (cap - 1);
    return &t[i];
}

static int fp_grow(state_mem_t *m)
{
    size_t cap = m->fp_cap * 2;
    sm_fp_t *t = calloc(cap, sizeof *t);
    if (!t)
        return PVG_ENOMEM;
    for (size_t i = 0; i < m->fp_cap; i++)
        if (m->fps[i].used)
            *fp_slot(t, cap, m->fps[i].fp) = m->fps[i];
    sodium_memzero(m->fps, m->fp_cap * sizeof *m->fps);
    free(m->fps);
    m->fps = t;
    m->fp_cap = cap;
    return PVG_OK;
}

/* Remembers that account (hashed) used f at ts: updates its time, adds it,
 * or replaces the oldest use when the entry is full. */
static int fp_use(sm_fp_t *f, const uint8_t acc[16], int64_t ts)
{
    for (uint32_t i = 0; i < f->n; i++)
        if (!memcmp(f->uses[i].account, acc, 16)) {
            if (ts > f->uses[i].ts)
                f->uses[i].ts = ts;
            return PVG_OK;
        }
    if (f->n == f->cap && f->cap < STATE_MEM_MAX_ACCOUNTS) {
        uint32_t cap = f->cap ? f->cap * 2 : 4;
        sm_use_t *u = realloc(f->uses, cap * sizeof *u);
        if (!u)
            return PVG_ENOMEM;
        f->uses = u;
        f->cap = cap;
    }
    if (f->n < f->cap) {
        memcpy(f->uses[f->n].account, acc, 16);
        f->uses[f->n++].ts = ts;
        return PVG_OK;
    }
    uint32_t old = 0;
    for (uint32_t i = 1; i < f->n; i++)
        if (f->uses[i].ts < f->uses[old].ts)
            old = i;
    if (ts > f->uses[old].ts) {
        memcpy(f->uses[old].account, acc, 16);
        f->uses[old].ts = ts;
    }
    return PVG_OK;
}

static int record_identifier(void *ctx, const uint8_t fp[32], const char *kind,
                             const char *account, size_t account_len, int leak, int64_t ts_ms)
{
    state_mem_t *m = ctx;
    (void)kind;
    if (!m || !fp || (!account && account_len))
        return PVG_EINVAL;
    sm_fp_t *f = fp_slot(m->fps, m->fp_cap, fp);
    if (!f->used) {
        if (m->fp_n >= m->max_fps)
            return PVG_ETOOBIG;
        if ((m->fp_n + 1) * 10 > m->fp_cap * 7) {
            int rc = fp_grow(m);
            if (rc)
                return rc;
            f = fp_slot(m->fps, m->fp_cap, fp);
        }
        memset(f, 0, sizeof *f);
        memcpy(f->fp, fp, 32);
        f->used = 1;
        m->fp_n++;
    }
    if (leak)
        f->leaked = 1;
    if (account_len) {
        uint8_t acc[16];
        account_hash(m, account, account_len, acc);
        return fp_use(f, acc, ts_ms);
    }
    return PVG_OK;
}

static int lookup_identifier(void *ctx, const uint8_t fp[32], int64_t since_ms, uint32_t *accounts,
                             int *leaked)
{
    state_mem_t *m = ctx;
    if (!m || !fp || !accounts || !leaked)
        return PVG_EINVAL;
    *accounts = 0;
    *leaked = 0;
    const sm_fp_t *f = fp_slot(m->fps, m->fp_cap, fp);
    if (!f->used)
        return PVG_OK;
    *leaked = f->leaked;
    for (uint32_t i = 0; i < f->n; i++)
        if (f->uses[i].ts >= since_ms)
            (*accounts)++;
    return PVG_OK;
}

/* ------------------------------------------------------------ clients */

static sm_client_t *cl_slot(sm_client_t *t, size_t cap, const uint8_t acc[16])
{
    size_t i = (size_t)(h64(acc) & (cap - 1));
    while (t[i].used && memcmp(t[i].account, acc, 16))
        i = (i + 1) & (cap - 1);
    return &t[i];
}

static int record_client(void *ctx, const char *account, size_t account_len, int abnormal,
                         int64_t ts_ms)
{
    state_mem_t *m = ctx;
    if (!m || !account || !account_len)
        return PVG_EINVAL;
    if (!abnormal)
        return PVG_OK; /* a normal client does not clear an abnormal one */
    uint8_t acc[16];
    account_hash(m, account, account_len, acc);
    sm_client_t *c = cl_slot(m->cl, m->cl_cap, acc);
    if (!c->used) {
        if (m->cl_n >= m->max_cl)
            return PVG_ETOOBIG;
        if ((m->cl_n + 1) * 10 > m->cl_cap * 7) {
            size_t cap = m->cl_cap * 2;
            sm_client_t *t = calloc(cap, sizeof *t);
            if (!t)
                return PVG_ENOMEM;
            for (size_t i = 0; i < m->cl_cap; i++)
                if (m->cl[i].used)
                    *cl_slot(t, cap, m->cl[i].account) = m->cl[i];
            sodium_memzero(m->cl, m->cl_cap * sizeof *m->cl);
            free(m->cl);
            m->cl = t;
            m->cl_cap = cap;
            c = cl_slot(m->cl, m->cl_cap, acc);
        }
        memcpy(c->account, acc, 16);
        c->used = 1;
        c->last_abnormal = ts_ms;
        m->cl_n++;
    } else if (ts_ms > c->last_abnormal) {
        c->last_abnormal = ts_ms;
    }
    return PVG_OK;
}

static int client_abnormal(void *ctx, const char *account, size_t account_len, int64_t since_ms,
                           int *abnormal)
{
    state_mem_t *m = ctx;
    if (!m || !account || !account_len || !abnormal)
        return PVG_EINVAL;
    uint8_t acc[16];
    account_hash(m, account, account_len, acc);
    const sm_client_t *c = cl_slot(m->cl, m->cl_cap, acc);
    *abnormal = c->used && c->last_abnormal >= since_ms;
    return PVG_OK;
}

void state_mem_ops(state_mem_t *m, pvg_state_ops_t *ops)
{
    ops->record_identifier = record_identifier;
    ops->lookup_identifier = lookup_identifier;
    ops->record_client = record_client;
    ops->client_abnormal = client_abnormal;
    ops->ctx = m;
}
