/* SPDX-License-Identifier: MIT */
/*
 * internal.h -- what the service's files share (not installed).
 *
 * A request (req_t) lives inside its connection's context (conn_t) and is
 * reset for each request of a keep-alive connection, so its body and output
 * buffers are reused: the per-request arena. A handler reads req->body,
 * writes its JSON answer into req->out and sets req->status; it never
 * builds the HTTP response itself. Handlers run either on an HTTP thread
 * (fast paths: scan, sanction check, health, metrics, files) or on a
 * worker thread (everything that writes to or reads lists from the store,
 * and batch scans), chosen by the route table.
 *
 * THREAD RULE: a req_t is touched by one thread at a time (the HTTP thread,
 * then a worker while the connection is suspended, then the HTTP thread
 * again). Everything in srv_t is either immutable after start, atomic, or
 * behind its own lock.
 */
#ifndef PVG_SERVER_INTERNAL_H
#define PVG_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <privguard/enforce.h>
#include <privguard/media.h>
#include <privguard/privguard.h>

#include "server/server.h"
#include "stream/stream.h"

/* --------------------------------------------------------------- buffers */

/* A growable byte buffer with a ceiling (curl's dynbuf): an append past
 * `max` fails and marks the buffer too big; nothing is truncated silently. */
typedef struct sb {
    char *data;
    size_t len, cap, max;
    int too_big, oom;
} sb_t;

void sb_init(sb_t *b, size_t max);
void sb_reset(sb_t *b);              /* len = 0, flags cleared, memory kept */
void sb_wipe_free(sb_t *b);          /* wipes the used bytes and frees */
void sb_shrink(sb_t *b, size_t keep); /* frees the memory when cap > keep */
int sb_put(sb_t *b, const void *p, size_t n);
int sb_puts(sb_t *b, const char *s);
int sb_putc(sb_t *b, char c);
int sb_printf(sb_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sb_json_str(sb_t *b, const char *s, size_t n); /* quoted, escaped */
int sb_failed(const sb_t *b);

/* ---------------------------------------------------------------- routes */

enum {
    RT_NONE = 0,
    RT_HEALTHZ,
    RT_METRICS,
    RT_OPENAPI,
    RT_STATIC,
    RT_SCAN,
    RT_SCAN_BATCH,
    RT_EVENTS,
    RT_REPORTS,
    RT_CASES,
    RT_CASE,
    RT_CASE_EVENTS,
    RT_CASE_REVEAL,
    RT_CASE_PROPOSAL,
    RT_ACCOUNT_HISTORY,
    RT_SANCTION_CHECK,
    RT_SANCTIONS,
    RT_SANCTION_REVOKE,
    RT_APPEALS_POST,
    RT_APPEALS_LIST,
    RT_APPEAL_RESOLVE,
    RT_NOTICES_POST,
    RT_NOTICES_LIST,
    RT_NOTICE,
    RT_NOTICE_EVENTS,
    RT_AUDIT,
    RT_AUDIT_VERIFY,
    RT_MEDIA_HASH,
    RT_MEDIA_MATCH,
    RT_MEDIA_BANK_ADD,
    RT_MEDIA_BANK_LIST,
    RT_MEDIA_BANK_DISABLE,
    RT_MEDIA_EVIDENCE_REVEAL,
    RT_WHOAMI,
    RT_COUNT
};

enum { M_GET = 1, M_POST = 2, M_HEAD = 4, M_OTHER = 8 };

/* What the route table knows about a route. */
typedef struct route_info {
    const char *name;     /* metrics label: "/v1/cases/{id}" */
    unsigned methods;     /* allowed M_* */
    unsigned roles;       /* allowed roles as 1 << pvg_role_t; 0: no token needed */
    int worker;           /* 1: runs on a worker thread */
    size_t max_body;      /* body limit */
    int write;            /* 1: a JSON body is required and unknown fields are refused */
} route_info_t;

extern const route_info_t pvg__routes[RT_COUNT];

/* Matches a path (already percent-decoded by the HTTP library) to a route.
 * *id gets a numeric path id, acct (acct_len bytes) a string path id.
 * Returns the route, RT_STATIC for anything outside /v1 and the fixed
 * endpoints, or RT_NONE for an unknown /v1 path; *bad_id is set when the
 * path has a malformed id. */
int pvg__route_match(const char *path, int64_t *id, char *acct, size_t acct_len, int *bad_id);
int pvg__method_bit(const char *method);

/* -------------------------------------------------------------- requests */

typedef struct srv srv_t;

typedef struct req {
    srv_t *srv;
    struct MHD_Connection *conn;
    struct req *next_job; /* worker queue link */
    int route;
    unsigned method;
    int64_t id;           /* numeric path id */
    char path[1024];      /* the decoded path (static files) */
    char acct[260];       /* string path id (account) */
    int64_t t0_ns;        /* when the headers arrived (CLOCK_MONOTONIC) */
    int64_t deadline_ns;  /* 0: none */
    int phase;            /* 0 new, 1 receiving, 2 queued, 3 answered */
    int counted;          /* counted in flight */
    pvg_actor_t actor;
    int64_t token_id;     /* the verified token's id (0 before authentication) */
    char actor_id[40];
    char ip[64];
    sb_t body;            /* request body (wiped after the request) */
    sb_t out;             /* response body */
    int status;
    int retry_after;      /* seconds, for 503/429; 0 none */
    const char *ctype;    /* response content type; NULL: application/json */
    const char *cache;    /* Cache-Control; NULL: no-store */
    int fd;               /* static file to send, or -1 */
    uint64_t fd_size;
    int wipe_out;         /* the output held evidence text */
} req_t;

/* Sets an error answer: {"error": code, "message": message}. */
void pvg__req_error(req_t *r, int status, const char *code, const char *message);
/* Sets the answer for an enforcement core code (pvg_enf_http_status). */
void pvg__req_enf_error(req_t *r, int rc);
/* A query parameter (percent-decoded), or NULL. */
const char *pvg__req_arg(req_t *r, const char *name);
/* Moves JSON text owned by the enforcement core into the answer. */
void pvg__req_enf_json(req_t *r, int status, char *json);
/* Serialises a jansson value into the answer and releases it. */
void pvg__req_json(req_t *r, int status, json_t *v);

/* Parses the body as a JSON object; on failure sets a 400 and returns NULL. */
json_t *pvg__req_body_object(req_t *r);

/* Field checks for write endpoints: each body member must be listed, with
 * its type; required ones must be present. On failure a 400 is set (the
 * message names the field, never its value) and -1 returned. */
enum { F_STR = 1, F_INT = 2, F_NUM = 4, F_BOOL = 8, F_OBJ = 16, F_ARR = 32, F_NULL = 64 };
typedef struct field {
    const char *name;
    unsigned types;
    int required;
} field_t;
int pvg__check_fields(req_t *r, json_t *o, const field_t *fields);
/* The same check with the message written to msg (for the fuzz driver). */
int pvg__fields_ok(json_t *o, const field_t *fields, char *msg, size_t n);

/* ---------------------------------------------------------------- metrics */

#define LAT_BUCKETS 14
#define STATUS_SLOTS 16
#define MAX_CATS 24

typedef struct metrics {
    _Atomic uint64_t req[RT_COUNT][STATUS_SLOTS];
    _Atomic uint64_t lat[RT_COUNT][LAT_BUCKETS + 1];
    _Atomic uint64_t lat_sum_us[RT_COUNT];
    _Atomic uint64_t findings[PVG_ENTITY_COUNT];
    _Atomic uint64_t actions[4];
    _Atomic(const char *) cat_name[MAX_CATS];
    _Atomic uint64_t violations[MAX_CATS];
    _Atomic uint64_t shed_inflight, shed_queue, shed_deadline;
    _Atomic uint64_t outbox_delivered, outbox_failed;
    _Atomic int64_t outbox_pending;
    _Atomic uint64_t reloads_ok, reloads_failed;
} metrics_t;

void pvg__metrics_request(metrics_t *m, int route, int status, int64_t ns);
void pvg__metrics_result(metrics_t *m, const pvg_result_t *res);
void pvg__metrics_render(srv_t *s, sb_t *out);

/* ---------------------------------------------------------------- the server */

#define WINDOW_SHARDS 64

typedef struct window_shard {
    pthread_mutex_t mu;
    pvg_window_t *w;
} window_shard_t;

struct srv {
    pvg_server_config_t cfg;
    struct MHD_Daemon *d;
    uint16_t port;
    pvg_enforce_t *enf;
    pvg_sanction_bus_t *bus; /* cfg.nats: sanction-change notices, or NULL */
    pvg_slot_t *slot;
    pthread_mutex_t reload_mu;
    window_shard_t shards[WINDOW_SHARDS];
    char *web_root; /* realpath of the web folder, or NULL */
    pthread_key_t tls;
    int tls_ok;

    /* worker pool and its bounded queue */
    pthread_mutex_t q_mu;
    pthread_cond_t q_cv;
    req_t *q_head, *q_tail;
    int q_len, q_stop;
    pthread_t *workers;
    int n_workers;
    _Atomic int inflight;
    _Atomic int busy_workers;

    /* background: cache refresh + scheduler tick, outbox delivery */
    pthread_mutex_t bg_mu;
    pthread_cond_t bg_cv;
    int bg_stop;
    pthread_t maint, outbox;
    int maint_on, outbox_on;

    metrics_t m;
    int64_t started_ms;
    int curl_init;

    /* account and client events: the CLI's in-memory state (bounded, per
     * process), behind a mutex since it serves one caller at a time */
    struct cli_events *events;
    pthread_mutex_t ev_mu;

    /* the media hash bank (media.c): an index that follows the store's
     * bank entries by revision; media_mu serialises the catching up */
    struct pvg_media_index *media_idx;
    pthread_mutex_t media_mu;
    int media_mu_ok;
    int64_t media_rev, media_last_id; /* the (rev, id) cursor into the store */
    int media_actions[PVG_SURFACE_COUNT];
    _Atomic uint64_t media_hashed, media_rejected, media_matched, media_violations;
    _Atomic int64_t media_entries;
};

int64_t pvg__mono_ns(void);
int64_t pvg__wall_ms(void);
void pvg__log(srv_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Handlers (one per route; the dispatcher calls them). */
void pvg__h_scan(req_t *r);
void pvg__h_scan_batch(req_t *r);
void pvg__h_events(req_t *r);
void pvg__h_enforce(req_t *r); /* every /v1 route of the enforcement core */
void pvg__h_static(req_t *r);
void pvg__h_openapi(req_t *r);
/* 1 when every segment of a URL path is a plain file name (static.c). */
int pvg__safe_path(const char *path);

/* Scan contract parsing (the fuzz driver calls these too). Fills m from
 * the JSON object o; idbuf receives the id as JSON text (m->id points to
 * it). Returns NULL or a fixed error string (never quoting input). */
const char *pvg__parse_message(json_t *o, pvg_message_t *m, pvg_attachment_t *att, size_t max_att,
                               char *idbuf, size_t idlen);
/* Writes one result in the scan contract's shape (as the CLI's
 * write_result does with no --min-score). */
int pvg__write_result(sb_t *out, const char *id_json, size_t id_len, const pvg_result_t *res);

/* Request bodies of the enforcement routes, parsed into the core's input
 * types without calling it (the fuzz driver calls this on any route).
 * Returns 0 or -1 with a message. Strings point into o. */
int pvg__parse_enforce_body(int route, json_t *o, char *msg, size_t n);

/* Views the console needs that the enforcement core has no call for yet
 * (views.c). Each checks the actor's role and returns JSON text the caller
 * frees with free(). */
int pvg__view_history(pvg_enforce_t *e, const pvg_actor_t *a, const char *account, char **json);
int pvg__view_proposal(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id,
                       const char *const *cats, size_t n_cats, const char *severity,
                       char **json);
int pvg__view_appeals(pvg_enforce_t *e, const pvg_actor_t *a, const char *state, int limit,
                      char **json);
int pvg__view_notices(pvg_enforce_t *e, const pvg_actor_t *a, const char *state, int limit,
                      char **json);
int pvg__view_audit(pvg_enforce_t *e, const pvg_actor_t *a, int64_t after, int limit,
                    char **json);
/* The same, newest first: entries with seq < before (INT64_MAX: from the head). */
int pvg__view_audit_before(pvg_enforce_t *e, const pvg_actor_t *a, int64_t before, int limit,
                           char **json);
int pvg__outbox_pending(pvg_enforce_t *e, int64_t *n);

/* Media (media.c): hashing and matching uploads on the workers, the bank
 * endpoints, and the bank index. */
void pvg__h_media(req_t *r);
int pvg__media_start(srv_t *s, char *err, size_t errlen);
void pvg__media_stop(srv_t *s);
/* Brings the index up to the store's bank revisions; thread-safe. */
int pvg__media_sync(srv_t *s);
/* Parses "surface:action,..." over the default table into acts. */
int pvg__media_actions_parse(const char *spec, int acts[PVG_SURFACE_COUNT], char *err,
                             size_t errlen);

/* Attachments of a /v1/scan message that carry "pdq": matched against the
 * bank; a match on a surface whose media action is not allow adds the
 * entries to the result as pii_exposure reasons (merged into the scan's own
 * pii_exposure violation, or a new one) and raises the action. The storage
 * for the changed result lives in the struct. */
#define MEDIA_SCAN_REASONS 10
typedef struct media_scan {
    pvg_result_t res;
    pvg_violation_t *viol;
    const char **reasons;
    char text[MEDIA_SCAN_REASONS][200];
} media_scan_t;
/* Returns 1 when ms->res replaces res (free with pvg__media_scan_free), 0
 * when nothing matched, -1 when out of memory. */
int pvg__media_scan_attachments(srv_t *s, json_t *msg, int surface, const pvg_result_t *res,
                                media_scan_t *ms);
void pvg__media_scan_free(media_scan_t *ms);

/* Media carried by a report or notice body ("media": [...]): decoded and
 * hashed on the calling worker into the core's input items. */
typedef struct media_items {
    pvg_media_in_t in[PVG_MAX_MEDIA];
    size_t n;
    void *priv[PVG_MAX_MEDIA]; /* decoded bytes and hash arrays, wiped and freed */
} media_items_t;
/* Checks the shape of a "media" list without decoding (parse step).
 * Returns 0 or -1 with a message. */
int pvg__media_list_ok(json_t *arr, char *msg, size_t n);
/* Decodes and hashes; on failure sets the answer (4xx) and returns -1. */
int pvg__media_items_build(req_t *r, json_t *arr, media_items_t *out);
void pvg__media_items_free(media_items_t *m);

/* Background threads (background.c). */
int pvg__bg_start(srv_t *s);
void pvg__bg_stop(srv_t *s);

/* Per-thread scan state: a scratch grown for the current engine. */
typedef struct tls {
    pvg_scratch_t *scratch;
    const pvg_engine_t *engine; /* the engine the scratch was last grown for */
} tls_t;

/* Wipes every string inside a JSON value (message text) before release. */
void pvg__json_wipe(json_t *v);
tls_t *pvg__tls(srv_t *s);

#endif
