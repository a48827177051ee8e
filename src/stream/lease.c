/* SPDX-License-Identifier: MIT */
/*
 * lease.c -- partition leases in the JetStream KV bucket (worker_int.h has
 * the partition state machine).
 *
 * Keys: p.<n> holds the id of the worker serving partition n (an empty value
 * means released); w.<id> is a worker's heartbeat. The bucket's TTL is the
 * lease length: a key that is not rewritten within it disappears, so a dead
 * worker's partitions become free without anyone deciding it. Every write
 * to p.<n> is revision-checked (create when absent, update from the
 * revision we read), so two workers cannot both take one partition: the
 * loser's write fails. A worker renews every lease_ms/4 and stops serving a
 * partition on its own when it cannot renew before the lease would lapse
 * (valid_until), which fences it off before another worker can take over.
 *
 * Balance: with W live workers (heartbeat keys) each aims at ceil(N/W)
 * partitions; above it a worker releases its highest ones, below it takes
 * free ones, starting at an offset derived from its id so that workers
 * starting together try different partitions first.
 *
 * Runs on the thread that called pvg_worker_run; only this file writes
 * part_t.rev.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/worker_int.h"

static void pkey(char *buf, size_t len, int p) { snprintf(buf, len, "p.%d", p); }

/* The lease is surely ours until `sent` (when the write left) plus the TTL,
 * minus a margin for the server's expiry timer. */
static void set_valid(worker_t *w, part_t *p, int64_t sent)
{
    STORE(p->valid_until, sent + w->lease_ms - w->lease_ms / 5);
}

static int count_workers(worker_t *w)
{
    kvKeysList kl = {0};
    kvWatchOptions wo;
    kvWatchOptions_Init(&wo);
    wo.Timeout = 2000;
    if (kvStore_Keys(&kl, w->kv, &wo) != NATS_OK)
        return -1;
    int n = 0;
    for (int i = 0; i < kl.Count; i++)
        if (kl.Keys[i] && !strncmp(kl.Keys[i], "w.", 2))
            n++;
    kvKeysList_Destroy(&kl);
    return n;
}

/* Tries to take partition p. Returns 1 when it is ours now. */
static int try_acquire(worker_t *w, part_t *p)
{
    char key[32];
    pkey(key, sizeof key, p->idx);
    kvEntry *e = NULL;
    uint64_t rev = 0;
    int64_t sent = pvg__mono_ms();
    natsStatus s = kvStore_Get(&e, w->kv, key);
    if (s == NATS_NOT_FOUND) {
        s = kvStore_CreateString(&rev, w->kv, key, w->id);
    } else if (s == NATS_OK) {
        const char *v = kvEntry_ValueString(e);
        uint64_t last = kvEntry_Revision(e);
        /* Free when released (empty), or ours from before a failed renew. */
        if (!v || !*v || !strcmp(v, w->id))
            s = kvStore_UpdateString(&rev, w->kv, key, w->id, last);
        else
            s = NATS_ERR;
        kvEntry_Destroy(e);
    }
    if (s != NATS_OK)
        return 0;
    p->rev = rev;
    set_valid(w, p, sent);
    if (!CAS(p->state, P_FREE, P_ACQUIRED))
        return 0;
    ADD(w, leases_taken, 1);
    pvg__wlog(w, "lease taken partition=%d", p->idx);
    return 1;
}

/* A lease whose validity ran out is lost, whatever the bucket says. */
static void expire(worker_t *w, part_t *p, int64_t now)
{
    int st = LOAD(p->state);
    if ((st == P_ACQUIRED || st == P_ACTIVE || st == P_RELEASING) &&
        now >= LOAD(p->valid_until) && CAS(p->state, st, P_LOST)) {
        ADD(w, leases_lost, 1);
        pvg__wlog(w, "lease lost partition=%d", p->idx);
    }
}

static void renew(worker_t *w, part_t *p, int64_t now)
{
    char key[32];
    pkey(key, sizeof key, p->idx);
    uint64_t rev = 0;
    int64_t sent = pvg__mono_ms();
    natsStatus s = kvStore_UpdateString(&rev, w->kv, key, w->id, p->rev);
    if (s == NATS_OK) {
        p->rev = rev;
        set_valid(w, p, sent);
        return;
    }
    /* Refused (someone else holds it now) or unreachable: decide by what
     * the bucket says, and by the clock when it cannot be read. */
    kvEntry *e = NULL;
    int lost = 0;
    natsStatus g = kvStore_Get(&e, w->kv, key);
    if (g == NATS_OK) {
        const char *v = kvEntry_ValueString(e);
        if (!v || strcmp(v, w->id))
            lost = 1;
        else
            p->rev = kvEntry_Revision(e); /* our write went through after all */
        kvEntry_Destroy(e);
    } else if (g == NATS_NOT_FOUND) {
        lost = 1;
    }
    if (lost) {
        int st = LOAD(p->state);
        if (st != P_FREE && st != P_RELEASED && st != P_LOST && CAS(p->state, st, P_LOST)) {
            ADD(w, leases_lost, 1);
            pvg__wlog(w, "lease lost partition=%d", p->idx);
        }
    } else {
        expire(w, p, now);
    }
}

static void free_lease(worker_t *w, part_t *p)
{
    char key[32];
    pkey(key, sizeof key, p->idx);
    uint64_t rev = 0;
    /* Revision-checked: if the lease lapsed and was taken meanwhile, the
     * new holder's entry is left alone. */
    (void)kvStore_UpdateString(&rev, w->kv, key, "", p->rev);
    p->rev = 0;
    ADD(w, leases_released, 1);
    pvg__wlog(w, "lease released partition=%d", p->idx);
}

void pvg__lease_tick(worker_t *w)
{
    int64_t now = pvg__mono_ms();
    int n = w->c.partitions;
    /* Disconnected (libnats is reconnecting) or asked to stop: no bucket
     * writes, each of which would wait out its timeout; leases run out on
     * the clock, and the threads stop serving them before they lapse. */
    if (natsConnection_Status(w->nc) != NATS_CONN_STATUS_CONNECTED || pvg__stopping(w)) {
        for (int i = 0; i < n; i++)
            expire(w, &w->parts[i], now);
        return;
    }
    uint64_t rev;
    (void)kvStore_PutString(&rev, w->kv, w->hb_key, w->id);
    int workers = count_workers(w);
    if (workers > 0)
        STORE(w->m.workers_seen, workers);
    else
        workers = LOAD(w->m.workers_seen) > 0 ? LOAD(w->m.workers_seen) : 1;

    int owned = 0;
    for (int i = 0; i < n; i++) {
        part_t *p = &w->parts[i];
        int st = LOAD(p->state);
        if (pvg__stopping(w))
            expire(w, p, now); /* the drain frees what is still ours */
        else if (st == P_ACQUIRED || st == P_ACTIVE || st == P_RELEASING)
            renew(w, p, now);
        else if (st == P_RELEASED && CAS(p->state, P_RELEASED, P_FREE))
            free_lease(w, p);
        st = LOAD(p->state);
        if (st != P_FREE && st != P_LOST)
            owned++;
    }
    if (LOAD(w->stopping)) {
        STORE(w->m.partitions_owned, owned);
        return;
    }
    int target = (n + workers - 1) / workers;
    for (int i = n - 1; i >= 0 && owned > target; i--) {
        part_t *p = &w->parts[i];
        if (CAS(p->state, P_ACTIVE, P_RELEASING) || CAS(p->state, P_ACQUIRED, P_RELEASING))
            owned--;
    }
    if (owned < target) {
        uint32_t h = (uint32_t)pvg_stream_partition(w->id, strlen(w->id), n);
        for (int k = 0; k < n && owned < target; k++) {
            part_t *p = &w->parts[(h + (uint32_t)k) % (uint32_t)n];
            if (LOAD(p->state) == P_FREE && try_acquire(w, p))
                owned++;
        }
    }
    STORE(w->m.partitions_owned, owned);
}

void pvg__lease_release_all(worker_t *w)
{
    for (int i = 0; i < w->c.partitions; i++) {
        part_t *p = &w->parts[i];
        int st = LOAD(p->state);
        if (st != P_FREE && st != P_LOST)
            free_lease(w, p);
        STORE(p->state, P_FREE);
    }
    STORE(w->m.partitions_owned, 0);
    (void)kvStore_Delete(w->kv, w->hb_key);
}
