/* SPDX-License-Identifier: MIT */
/*
 * worker_int.h -- the worker's shared state, between worker.c (processing
 * threads) and lease.c (the lease manager on the caller's thread).
 *
 * A partition moves through these states; every change is a compare-and-
 * swap, so the manager and the processing threads never both act on it:
 *
 *   FREE --(manager takes the lease)--> ACQUIRED --(a thread binds the
 *   consumer, rewinding it when a dead holder left messages unacked)-->
 *   ACTIVE --(manager rebalances)--> RELEASING --(a thread finishes the
 *   batch in hand, unbinds)--> RELEASED --(manager frees the lease)--> FREE
 *
 *   ACQUIRED|ACTIVE|RELEASING --(renewal refused or lease past due)--> LOST
 *   --(a thread unbinds)--> FREE
 *
 * Only the thread that holds a partition's `busy` flag touches its
 * subscription, window and rewind flag. Only the manager touches `rev`.
 */
#ifndef PVG_STREAM_WORKER_INT_H
#define PVG_STREAM_WORKER_INT_H

#include <pthread.h>

#include <privguard/privguard.h>

#include "stream/internal.h"

enum { P_FREE = 0, P_ACQUIRED, P_ACTIVE, P_RELEASING, P_RELEASED, P_LOST };

/* One consumer of a partition (messages or events). */
typedef struct lane {
    int bound;
    int ack_all;
    int need_rewind;
    int64_t idle_until, idle_step;
} lane_t;

typedef struct part {
    int idx;
    int state;              /* atomic: P_* */
    int busy;               /* atomic: claimed by a processing thread */
    int64_t valid_until;    /* atomic: monotonic ms until which the lease is surely ours */
    uint64_t rev;           /* manager: revision of our lease entry */
    /* held by the claiming thread */
    lane_t lane[LANES];
    pvg_window_t *win;      /* conversation windows of the partition's rooms */
    pvg__vmark_t mark;      /* the verdict subject as last seen (internal.h) */
    int marked;             /* mark is current; 0 after a failure: read it again */
    int64_t retry_at;       /* setup failed: try again then */
} part_t;

typedef struct worker worker_t;

typedef struct wthread {
    worker_t *w;
    int idx;
    pthread_t th;
    int started;
    jsCtx *js;
    pvg__puller_t pull;
    natsMsg **msgs;         /* the batch in hand */
    pvg_scratch_t *scratch;
    FILE *out;              /* verdict lines of the batch in hand */
    char *obuf;
    size_t osize;
    size_t *offs, *lens;    /* per message of the batch: its verdict line (len 0: skipped) */
    uint64_t *seqs;         /* per message: its stream sequence */
    char (*keys)[160];      /* dedup keys of the batch (reports' external_id) */
} wthread_t;

struct worker {
    pvg_worker_options_t o;
    pvg_stream_config_t c;
    char id[128];
    char hb_key[160];
    natsConnection *nc;
    jsCtx *js;
    kvStore *kv;
    kvWatcher *hb_watch;    /* the lease bucket: joins, leaves, releases */
    char **peers;           /* heartbeat keys seen (membership) */
    int n_peers, cap_peers;
    int64_t lease_ms;
    pvg_engine_t *engine;
    float min_score;
    pvg_enforce_t *enf;
    pvg_sanction_bus_t *bus;
    struct cli_events *events;
    pthread_mutex_t events_mu;
    part_t *parts;
    wthread_t *th;
    int nthreads;
    volatile sig_atomic_t *stop;
    int stopping;           /* atomic: threads leave after the batch in hand */
    int64_t last_work_ms;   /* atomic */
    int64_t started_ms;
    pvg_worker_metrics_t m; /* counters updated with __atomic builtins */
};

#define ADD(w, field, n) __atomic_add_fetch(&(w)->m.field, (n), __ATOMIC_RELAXED)
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define CAS(x, from, to) \
    __extension__({ \
        __typeof__(x) _e = (from); \
        __atomic_compare_exchange_n(&(x), &_e, (to), 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE); \
    })

/* Whether the worker is asked to stop (signal) or stopping. */
static inline int pvg__stopping(worker_t *w)
{
    return LOAD(w->stopping) || (w->stop && *w->stop);
}

/* lease.c */
void pvg__lease_tick(worker_t *w);
void pvg__lease_release_all(worker_t *w);
/* worker.c */
void pvg__wlog(worker_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
