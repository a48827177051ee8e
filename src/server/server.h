/* SPDX-License-Identifier: MIT */
/*
 * server.h -- the enforcement service (`privguard serve`): an HTTP JSON API
 * on libmicrohttpd over the scanning library (include/privguard/privguard.h)
 * and the enforcement core (include/privguard/enforce.h). Not installed: the
 * CLI (src/cli/cmd_server.c) and the tests use it.
 *
 * Life cycle: fill a pvg_server_config_t (defaults, then a config file, then
 * flags, each through pvg_server_config_set), pvg_server_start() binds and
 * serves on its own threads, pvg_server_reload() swaps the rules (SIGHUP),
 * pvg_server_stop() shuts down gracefully: it stops accepting, lets the
 * requests in flight finish, stops the workers, the outbox delivery and the
 * scheduler, and closes the store.
 *
 * THREAD RULE: start, reload and stop are called by one controlling thread
 * (the CLI's main thread); reload may run while requests are served.
 *
 * OWNERSHIP RULE: the server copies the configuration it is given; the
 * caller frees the config's strings with pvg_server_config_free.
 */
#ifndef PVG_SERVER_H
#define PVG_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <privguard/enforce.h>

/* Body limits (documented in docs/service.md; 413 beyond them). */
#define PVG_SRV_MAX_BODY_SCAN ((size_t)1 << 20)   /* POST /v1/scan: 1 MiB */
#define PVG_SRV_MAX_BODY_BATCH ((size_t)16 << 20) /* POST /v1/scan/batch: 16 MiB */
#define PVG_SRV_MAX_BODY_OTHER ((size_t)256 << 10) /* every other endpoint: 256 KiB */
#define PVG_SRV_MAX_BODY_EVENTS ((size_t)4 << 20) /* POST /v1/events (leak batches): 4 MiB */
#define PVG_SRV_MAX_BATCH 10000                     /* messages per batch */
#define PVG_SRV_MAX_BODY_MEDIA ((size_t)16 << 20) /* POST /v1/media/hash|match raw bytes: 16 MiB */
/* POST /v1/reports and /v1/notices carry media as base64 in JSON: 16 MiB of
 * bytes are 21.4 MiB of base64, plus the rest of the report. */
#define PVG_SRV_MAX_BODY_REPORT ((size_t)24 << 20)

typedef struct pvg_server_config {
    char *listen;  /* "127.0.0.1:8080" ("host:0" picks a free port) */
    char *store;   /* SQLite path or PostgreSQL connection string */
    char *keys;    /* key folder; NULL: the enforcement core's default */
    char *rules;   /* rules file; NULL: the built-in rules */
    char *web;     /* web root served at /; NULL: ./web when it exists */
    char *webhook; /* outbox delivery URL; NULL: no delivery thread */
    char *data;    /* data folder (store default <data>/privguard.db) */
    char *ladder;  /* escalation ladder JSON file; NULL: the default */
    int threads;   /* HTTP threads (MHD thread pool); default 2 */
    int workers;   /* store/batch worker threads; default 4 */
    int queue;     /* queued requests for the workers before 503; default 256 */
    int max_inflight;        /* requests in flight before 503; default 1024 */
    int max_connections;     /* open connections; default 4096 */
    int window_keys;         /* conversation windows kept (all shards); default 100000 */
    int cache_refresh_ms;    /* sanction cache refresh period; default 1000 */
    int tick_ms;             /* scheduler tick period; default 60000 */
    int outbox_interval_ms;  /* outbox poll period; default 1000 */
    int webhook_timeout_ms;  /* one delivery attempt; default 5000 */
    int retry_base_ms;       /* first retry delay; doubles each attempt; default 1000 */
    int retry_max_ms;        /* longest retry delay; default 3600000 */
    int metrics_auth;        /* 1: /metrics needs a token (any role); default 0 */
    int access_log;          /* 1: one line per request on stderr (no bodies); default 0 */
    /* media (docs/media.md): the bank index follows the store every
     * cache_refresh_ms and after each change made through this service */
    int media_threshold;     /* PDQ Hamming distance that matches; default 31 */
    int media_min_quality;   /* hashes below are not matched; default 50 */
    int media_min_frames;    /* video rule K; default 2 */
    char *media_actions;     /* "surface:action,..." for a match; NULL: the default table */
    /* sanction-cache invalidation (docs/deploy.md): `privguard serve`
     * publishes <nats_prefix>.sanction.changed after each sanction change
     * made through it and refreshes on the others' notices */
    char *nats;              /* NATS URLs, comma-separated; NULL: no bus */
    char *nats_prefix;       /* subject prefix; NULL: "pvg" */
} pvg_server_config_t;

/* Fills c with the defaults (all strings NULL except listen). */
void pvg_server_config_init(pvg_server_config_t *c);
void pvg_server_config_free(pvg_server_config_t *c);
/* A copy of src with its own strings (free with pvg_server_config_free);
 * -1 when out of memory. */
int pvg_server_config_copy(pvg_server_config_t *dst, const pvg_server_config_t *src);

/* Sets one key (the config file's and the flags' names: listen, store,
 * keys, rules, web, webhook, data, ladder, threads, workers, queue,
 * max_inflight, max_connections, window_keys, cache_refresh_ms, tick_ms,
 * outbox_interval_ms, webhook_timeout_ms, retry_base_ms, retry_max_ms,
 * metrics_auth, access_log, media_threshold, media_min_quality,
 * media_min_frames, media_actions, nats, nats_prefix). Returns 0, or -1 with a reason in err
 * (unknown key, bad number, bad action table). */
int pvg_server_config_set(pvg_server_config_t *c, const char *key, const char *value, char *err,
                          size_t errlen);

/* Reads a config file: one `key = value` a line; blank lines and lines
 * starting with # are ignored; values may be double-quoted. Returns 0, or
 * -1 with "LINE: reason" in err. */
int pvg_server_config_file(pvg_server_config_t *c, const char *path, char *err, size_t errlen);

typedef struct pvg_server pvg_server_t;

/* Opens the store, compiles the rules, starts the HTTP threads, workers,
 * the scheduler and (with a webhook) the outbox delivery. Returns 0, or -1
 * with a reason in err. */
int pvg_server_start(const pvg_server_config_t *c, pvg_server_t **out, char *err, size_t errlen);

/* The port the service listens on (useful with port 0). */
uint16_t pvg_server_port(const pvg_server_t *s);
/* The service's enforcement handle (valid until pvg_server_stop). */
pvg_enforce_t *pvg_server_enforce(pvg_server_t *s);

/* Compiles the rules file again and swaps it in. On failure the old rules
 * stay and err gets "FILE:LINE:COLUMN: message". Returns 0 or -1. */
int pvg_server_reload(pvg_server_t *s, char *err, size_t errlen);

/* Graceful shutdown (see above), waiting at most grace_ms for requests in
 * flight. NULL is a no-op. */
void pvg_server_stop(pvg_server_t *s, int grace_ms);

/* Seeds a store for a demo: a report with evidence, a case, and one token
 * per role, printed (with the URL) to stdout as JSON by the CLI. tokens
 * receives 5 tokens of 64 hex characters in role order service,
 * reporter_app, triage, moderator, admin. Returns 0 or -1 with err. */
int pvg_server_demo_seed(const char *store, const char *keys, char tokens[5][65], char *err,
                         size_t errlen);

#endif
