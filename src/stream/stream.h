/* SPDX-License-Identifier: MIT */
/*
 * stream.h -- privguard on NATS JetStream: the scale-out worker
 * (`privguard consume`), the producer that loads messages into the stream,
 * and the sanction-cache invalidation bus (docs/deploy.md).
 *
 * Layout in JetStream (names configurable, these are the defaults):
 *   stream PVG_MSG      subjects pvg.msg.<p> (messages, p = hash of room)
 *                       and pvg.evt.<p> (events, p = hash of account)
 *   consumers           pvg-msg-<p> and pvg-evt-<p>: durable pull consumers
 *                       per partition, so one room's messages (one
 *                       account's events) stay in order on one worker
 *   stream PVG_VERDICT  subjects pvg.verdict.<p>: the verdicts, one
 *                       scan-contract output line per message; a verdict
 *                       message holds the lines of a run of consecutive
 *                       messages of the partition (JSONL, header Pvg-Count)
 *                       and the partition's watermarks (Pvg-Msg-Seq,
 *                       Pvg-Evt-Seq) that make redeliveries idempotent
 *   KV pvg_leases       p.<p> = id of the worker holding partition p,
 *                       w.<id> = heartbeat of a live worker; the bucket's
 *                       TTL is the lease length
 *   subject pvg.sanction.changed  sanction-cache invalidation
 *
 * THREAD RULE: a worker runs its own threads; pvg_worker_run blocks until
 * *stop becomes non-zero (set it from a signal handler). A producer is used
 * by one thread at a time. A sanction bus may be used by any thread; its
 * listener runs on a libnats thread.
 *
 * OWNERSHIP RULE: *_open returns an object the caller frees with the
 * matching *_close. Strings passed in are copied or must outlive the object
 * as documented per field. Nothing here logs message text; buffers that held
 * message text are wiped before they are freed.
 */
#ifndef PVG_STREAM_H
#define PVG_STREAM_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <privguard/enforce.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Errors: 0 or a negative code; pvg_stream_strerror gives the text. */
#define PVG_STREAM_OK 0
#define PVG_STREAM_EINVAL -201   /* a bad argument or option */
#define PVG_STREAM_ENATS -202    /* NATS or JetStream failed (see the detail) */
#define PVG_STREAM_ENOMEM -203   /* an allocation failed */
#define PVG_STREAM_ESTORE -204   /* the enforcement store failed */
#define PVG_STREAM_ERULES -205   /* the rules did not compile */
#define PVG_STREAM_ETIMEOUT -206 /* an acknowledgement did not come in time */

const char *pvg_stream_strerror(int code);

#define PVG_STREAM_MAX_PARTITIONS 1024

/* Where the stream lives and how it is laid out. pvg_stream_config_init
 * fills the defaults; every pointer may be left at its default. */
typedef struct pvg_stream_config {
    const char *url;            /* NATS server URLs, comma-separated (default nats://127.0.0.1:4222) */
    int partitions;             /* default 16; fixed for the life of the stream */
    const char *msg_stream;     /* default "PVG_MSG" */
    const char *verdict_stream; /* default "PVG_VERDICT" */
    const char *lease_bucket;   /* default "pvg_leases" */
    const char *prefix;         /* subject prefix, default "pvg" */
    int replicas;               /* stream replicas (1, or 3 in a cluster) */
    int memory;                 /* 1: memory storage (benchmarks), 0: file */
    int64_t dedup_window_ms;    /* message dedup window (Nats-Msg-Id), default 10 min */
    int64_t lease_ms;           /* lease TTL when the bucket is created, default 5 s */
    int64_t ack_wait_ms;        /* consumer ack wait, default 30 s */
    int64_t max_age_ms;         /* message retention, default 24 h (negative: no limit) */
    int64_t max_ack_pending;    /* per consumer, default 8192 */
    int ack_all;                /* 1: consumers use AckAll (one ack per batch); default 1 */
} pvg_stream_config_t;

void pvg_stream_config_init(pvg_stream_config_t *c);

/* Creates the streams, the KV bucket and the per-partition consumers when
 * missing (existing ones are kept as they are). err receives a lowercase
 * detail on failure. */
int pvg_stream_setup(const pvg_stream_config_t *c, char *err, size_t errlen);

/* Partition of a routing key (room or account): FNV-1a 32 modulo n. A
 * message without a room goes by its sender, then by its id. */
int pvg_stream_partition(const char *key, size_t len, int n);

/* The dedup key of a message id as written in JSON (a string with its
 * quotes, or a number): "i:<id>" when the decoded id is short printable
 * ASCII without spaces, else "h:<hex of a BLAKE2b-128>". Without an id:
 * "s:<stream sequence>". Returns the length, or -1 if out does not fit. */
int pvg_stream_dedup_key(const char *id_raw, size_t id_len, uint64_t seq, char *out,
                         size_t outlen);

/* Reads the verdict stream from its start and calls cb on each verdict line
 * (the scan contract's output line, without its newline; cb returns
 * non-zero to stop). With follow NULL it stops at the last verdict stored
 * when it started; otherwise it waits for new ones until *follow becomes
 * non-zero. *lines gets the number of lines read. */
int pvg_stream_read_verdicts(const pvg_stream_config_t *c, const volatile sig_atomic_t *follow,
                             int (*cb)(const char *line, size_t len, void *ctx), void *ctx,
                             uint64_t *lines, char *err, size_t errlen);

/* ----------------------------------------------------------- producer */

typedef struct pvg_producer pvg_producer_t;

int pvg_producer_open(const pvg_stream_config_t *c, pvg_producer_t **out, char *err,
                      size_t errlen);
/* Publishes one JSONL line (a message or an event) to its partition,
 * asynchronously, with Nats-Msg-Id from its id when it has one. A line
 * that is not a JSON object is refused with PVG_STREAM_EINVAL. */
int pvg_producer_send(pvg_producer_t *p, const char *line, size_t len);
/* Waits until every message sent so far is acknowledged; returns
 * PVG_STREAM_ENATS when some were refused. */
int pvg_producer_flush(pvg_producer_t *p, int64_t timeout_ms);
uint64_t pvg_producer_sent(const pvg_producer_t *p);
uint64_t pvg_producer_failed(const pvg_producer_t *p);
void pvg_producer_close(pvg_producer_t *p);

/* ------------------------------------------------------------- worker */

typedef struct pvg_worker_metrics {
    uint64_t fetched;          /* messages received from the stream */
    uint64_t verdicts;         /* verdict lines published and acknowledged */
    uint64_t verdict_msgs;     /* verdict messages they went out in */
    uint64_t verdict_dups;     /* redelivered messages that had a verdict (skipped) */
    uint64_t errors;           /* lines answered with an error verdict */
    uint64_t reports;          /* automated reports stored */
    uint64_t reports_replayed; /* reports already stored (redelivery) */
    uint64_t reports_unattributed; /* review verdicts without a sender */
    uint64_t failures;         /* batches left unacknowledged (retried) */
    uint64_t acked;            /* messages acknowledged */
    uint64_t batches;
    uint64_t leases_taken, leases_released, leases_lost;
    uint64_t consumer_resets;  /* consumers rewound to their ack floor */
    uint64_t sanction_refreshes;
    int partitions_owned;
    int workers_seen;
    double seconds;            /* since the worker started */
    char worker_id[128];
} pvg_worker_metrics_t;

typedef struct pvg_worker_options {
    pvg_stream_config_t stream;
    const char *worker_id;     /* default "<host>-<pid>-<random>" */
    const char *rules_path;    /* NULL: built-in rules */
    const char *store;         /* enforcement store for reports (NULL: none) */
    const char *key_dir;       /* evidence keys (NULL: the store's default) */
    const char *fingerprint_key; /* events: 32-byte key file (NULL: random per run) */
    int threads;               /* processing threads, default 2 */
    int batch;                 /* fetch batch (messages), default 4096 */
    int verdict_lines;         /* most verdict lines in one verdict message (0: the
                                * whole batch, within the server's max payload) */
    size_t window_keys;        /* conversation windows kept per worker, default 100000 */
    const char *metrics_file;  /* rewritten every second (JSON), or NULL */
    FILE *log;                 /* one-line events (leases, failures), or NULL */
    int64_t max_messages;      /* stop after this many acked (tests), 0 = no limit */
    int64_t idle_exit_ms;      /* stop after this long with nothing to do (0 = never) */
} pvg_worker_options_t;

void pvg_worker_options_init(pvg_worker_options_t *o);

/* Runs a worker until *stop is set (then drains: finishes the batches in
 * hand, acknowledges them, releases its leases) or until max_messages /
 * idle_exit_ms. final (may be NULL) receives the counters at the end.
 * Returns 0 or a negative code with a detail in err. */
int pvg_worker_run(const pvg_worker_options_t *o, volatile sig_atomic_t *stop,
                   pvg_worker_metrics_t *final, char *err, size_t errlen);

/* Writes the counters as one JSON object line. */
void pvg_worker_metrics_json(FILE *out, const pvg_worker_metrics_t *m);

/* ------------------------------------------------------ sanction bus */

/* Sanction-cache invalidation between service instances and workers: a
 * node that changes a sanction calls pvg_sanction_bus_notify; every bus
 * listening (including the sender's) calls pvg_enforce_cache_refresh on
 * its enforce handle within milliseconds. A bus also refreshes after a
 * reconnect and every resync_ms (default 30 s) in case a notice was lost. */
typedef struct pvg_sanction_bus pvg_sanction_bus_t;

/* url: NATS URLs; prefix: subject prefix (NULL: "pvg"); e: the enforce
 * handle to refresh (NULL: notify only). on_change (may be NULL) is called
 * after each refresh with its result, on a libnats thread. */
int pvg_sanction_bus_open(const char *url, const char *prefix, pvg_enforce_t *e,
                          int64_t resync_ms, void (*on_change)(int rc, void *ctx), void *ctx,
                          pvg_sanction_bus_t **out, char *err, size_t errlen);
/* Publishes pvg.sanction.changed (account may be NULL) and flushes. */
int pvg_sanction_bus_notify(pvg_sanction_bus_t *b, const char *account);
uint64_t pvg_sanction_bus_refreshes(const pvg_sanction_bus_t *b);
void pvg_sanction_bus_close(pvg_sanction_bus_t *b);

#ifdef __cplusplus
}
#endif
#endif
