/* SPDX-License-Identifier: MIT */
/*
 * privguard.h -- the public C API of libprivguard.
 *
 * libprivguard finds personal information and privacy abuse in chat
 * messages. Its shape is Hyperscan's: rules text is compiled once into an
 * immutable engine; each thread owns a scratch; a scan reports findings
 * through a callback, or fills a result held in the scratch.
 *
 * THREAD RULE: an engine may be used by any number of threads at once; a
 * scratch by one call at a time (a second concurrent call with the same
 * scratch fails with PVG_ESCRATCH_BUSY); a window by one call at a time
 * (the caller serialises calls that share a window).
 *
 * OWNERSHIP RULE: every object returned through an out-parameter belongs to
 * the caller, who frees it with the matching *_free function. privguard
 * keeps no pointer to the input after a scan returns. Findings carry byte
 * offsets into the caller's text, never copies of it.
 *
 * The library never prints, exits or aborts and keeps no process-wide state.
 */
#ifndef PRIVGUARD_H
#define PRIVGUARD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(PVG_BUILDING_LIBRARY)
#define PVG_API __attribute__((visibility("default")))
#else
#define PVG_API
#endif
#define PVG_WUR __attribute__((warn_unused_result))

#define PVG_VERSION_MAJOR 0
#define PVG_VERSION_MINOR 1
#define PVG_VERSION_PATCH 0
#define PVG_VERSION_STRING "0.1.0"

/* ---------------------------------------------------------------- errors */

typedef int pvg_error_t;

/* Codes are never renumbered; a retired code stays as PVG_EOBSOLETE<n>. */
#define PVG_OK                0   /* success */
#define PVG_EINVAL           -1   /* bad argument or corrupted object */
#define PVG_ENOMEM           -2   /* an allocation failed */
#define PVG_ECOMPILE         -3   /* the rules did not compile (see the detail) */
#define PVG_EUTF8            -4   /* the text is not valid UTF-8 */
#define PVG_ETOOBIG          -5   /* the input is longer than the limit */
#define PVG_ESCRATCH_BUSY    -6   /* the scratch is in use by another call */
#define PVG_EVERSION         -7   /* object from another library version */
#define PVG_ESCRATCH_SMALL   -8   /* scratch made for a smaller engine: pvg_scratch_alloc again */
#define PVG_ESTOPPED         -9   /* the callback asked to stop */
#define PVG_EINTERNAL       -10   /* a dependency failed unexpectedly */
#define PVG_ENOTFOUND       -11   /* no such name (entity type, category, ...) */
/* -60..-69: reserved for media codes, see privguard/media.h (pvg_media_strerror) */

/* Returns a static, lowercase description of err; never NULL. */
PVG_API const char *pvg_strerror(pvg_error_t err);

/* Returns PVG_VERSION_STRING of the library actually linked. */
PVG_API const char *pvg_version(void);

/* ------------------------------------------------------------ entity types */

/* Entity types (DETECTION.md). The numbers are stable. */
typedef enum pvg_entity {
    PVG_KR_RRN = 0,
    PVG_KR_FRN = 1,
    PVG_PHONE_NUMBER = 2,
    PVG_EMAIL_ADDRESS = 3,
    PVG_CREDIT_CARD = 4,
    PVG_IP_ADDRESS = 5,
    PVG_URL = 6,
    PVG_KR_BANK_ACCOUNT = 7,
    PVG_KR_PASSPORT = 8,
    PVG_KR_DRIVER_LICENSE = 9,
    PVG_ADDRESS = 10,
    PVG_PERSON = 11,
    PVG_DATE_OF_BIRTH = 12,
    PVG_ENTITY_COUNT = 13
} pvg_entity_t;

/* The identifiability class of an entity type. */
typedef enum pvg_class {
    PVG_CLASS_DIRECT = 0, /* identifies a person alone (RRN, card, ...) */
    PVG_CLASS_QUASI = 1,  /* identifies in combination (name, phone, ...) */
    PVG_CLASS_SIGNAL = 2  /* not personal information (URL) */
} pvg_class_t;

/* "KR_RRN", ...; NULL for an unknown type. */
PVG_API const char *pvg_entity_name(int type);
/* The type for a name such as "PHONE_NUMBER", or PVG_ENOTFOUND. */
PVG_API int pvg_entity_from_name(const char *name, size_t len);
/* "direct", "quasi" or "signal"; NULL for an unknown class. */
PVG_API const char *pvg_class_name(int cls);
PVG_API pvg_class_t pvg_entity_class(int type);

/* -------------------------------------------------------------- findings */

/* One value found in a message. start/end are byte offsets into the text
 * given to the scan (end exclusive). When the value began in an earlier
 * message of the same window, prev_id points at that message's id (owned by
 * the window, valid until the next call on it) and prev_start/prev_end are
 * offsets into that earlier message's text. */
typedef struct pvg_finding {
    uint32_t type;      /* pvg_entity_t */
    uint32_t cls;       /* pvg_class_t */
    size_t start, end;  /* byte offsets into the original text */
    float score;        /* 0..1 */
    const char *prev_id;  /* NULL unless the value continues a previous message */
    size_t prev_id_len;
    size_t prev_start, prev_end;
} pvg_finding_t;

/* Called once per finding, in order of start then end. Return 0 to go on,
 * non-zero to stop the scan (it then returns PVG_ESTOPPED). */
typedef int (*pvg_finding_cb)(const pvg_finding_t *f, void *ctx);

/* ------------------------------------------------------------- the engine */

typedef struct pvg_engine pvg_engine_t;
typedef struct pvg_scratch pvg_scratch_t;
typedef struct pvg_window pvg_window_t;

/* Where a rules file failed to compile. The caller frees it with
 * pvg_compile_error_free(). */
typedef struct pvg_compile_error {
    char *message; /* what is wrong, lowercase, never quoting message text */
    char *rule;    /* the rule or key path concerned ("detectors.KR_RRN"), or NULL */
    int line;      /* 1-based line in the rules text, 0 when unknown */
    int column;    /* 1-based column, 0 when unknown */
} pvg_compile_error_t;

PVG_API void pvg_compile_error_free(pvg_compile_error_t *err); /* NULL is a no-op */

/* The default rules built into the library (YAML, NUL-terminated). */
PVG_API const char *pvg_default_rules(size_t *len);

/* Compiles rules (YAML text of len bytes; NULL with len 0 means the built-in
 * default rules) into an engine.
 *   flags: 0 (reserved).
 *   out:   receives the engine; the caller frees it with pvg_engine_free().
 *   err:   may be NULL; on PVG_ECOMPILE receives a detail the caller frees.
 * Returns PVG_OK, PVG_EINVAL, PVG_ENOMEM or PVG_ECOMPILE. */
PVG_API PVG_WUR pvg_error_t pvg_engine_compile(const char *rules, size_t len,
                                               unsigned flags, pvg_engine_t **out,
                                               pvg_compile_error_t **err);

PVG_API void pvg_engine_free(pvg_engine_t *e); /* NULL is a no-op */

/* Memory the engine holds, in bytes (for the benchmark and metrics). */
PVG_API size_t pvg_engine_size(const pvg_engine_t *e);

/* The score threshold of the rule set: findings below it are not reported. */
PVG_API float pvg_engine_min_score(const pvg_engine_t *e);

/* Whether detector `type` is on in this engine (1) or off (0). */
PVG_API int pvg_engine_detector_on(const pvg_engine_t *e, int type);

/* Allocates a scratch fit for engine e. If *s is not NULL it must be a
 * scratch from an earlier call; it is grown in place to fit e too (the way
 * hs_alloc_scratch does), so one scratch can serve several engines, for
 * example across a rules reload. The caller frees it with pvg_scratch_free().
 * Not thread-safe for the same *s. */
PVG_API PVG_WUR pvg_error_t pvg_scratch_alloc(const pvg_engine_t *e, pvg_scratch_t **s);
PVG_API PVG_WUR pvg_error_t pvg_scratch_clone(const pvg_scratch_t *src, pvg_scratch_t **dst);
/* Wipes the text the scratch held and frees it. NULL is a no-op. */
PVG_API void pvg_scratch_free(pvg_scratch_t *s);
PVG_API size_t pvg_scratch_size(const pvg_scratch_t *s);

/* Returns 1 when len bytes are valid UTF-8 (NUL bytes allowed), else 0. */
PVG_API int pvg_utf8_valid(const char *text, size_t len);

/* The longest text one scan accepts (1 MiB); longer text gives PVG_ETOOBIG. */
#define PVG_MAX_TEXT ((size_t)1 << 20)
PVG_API size_t pvg_max_text(void);

/* Scans len bytes of UTF-8 text (NUL bytes allowed) and calls cb for each
 * finding at or above the engine's threshold.
 *   flags: 0, or PVG_SCAN_ALL to report candidates below the threshold too.
 *   now_ms: the time the message was sent (epoch milliseconds) for date
 *           checks; 0 means the current time.
 * Returns PVG_OK, PVG_ESTOPPED, PVG_EUTF8 (cb never called), PVG_ETOOBIG,
 * PVG_EINVAL, PVG_ESCRATCH_BUSY or PVG_ESCRATCH_SMALL. */
#define PVG_SCAN_ALL 1u
PVG_API pvg_error_t pvg_scan(const pvg_engine_t *e, const char *text, size_t len,
                             int64_t now_ms, unsigned flags, pvg_scratch_t *s,
                             pvg_finding_cb cb, void *ctx);

/* ------------------------------------------------------------- messages */

/* Surfaces (DETECTION.md). */
typedef enum pvg_surface {
    PVG_SURFACE_DIRECT = 0,
    PVG_SURFACE_GROUP = 1,
    PVG_SURFACE_OPEN_CHAT = 2,
    PVG_SURFACE_OPEN_PROFILE = 3,
    PVG_SURFACE_BOARD = 4,
    PVG_SURFACE_PROFILE = 5,
    PVG_SURFACE_COUNT = 6
} pvg_surface_t;

PVG_API const char *pvg_surface_name(int surface);
PVG_API int pvg_surface_from_name(const char *name, size_t len); /* or PVG_ENOTFOUND */

/* A file sent with a message. Strings may be NULL. */
typedef struct pvg_attachment {
    const char *name; size_t name_len;
    const char *mime; size_t mime_len;
    const char *url;  size_t url_len;
    int64_t size;     /* -1 when unknown */
} pvg_attachment_t;

/* A message with its context. Strings need not be NUL-terminated; a NULL
 * pointer means absent. */
typedef struct pvg_message {
    const char *text; size_t text_len;
    const char *id; size_t id_len;          /* echoed in prev references */
    const char *room; size_t room_len;
    const char *sender; size_t sender_len;
    const char *sender_name; size_t sender_name_len;
    int surface;                            /* pvg_surface_t */
    int64_t ts_ms;                          /* 0 when absent */
    const pvg_attachment_t *attachments; size_t n_attachments;
} pvg_message_t;

/* Actions, from the mildest. */
typedef enum pvg_action {
    PVG_ACTION_ALLOW = 0,
    PVG_ACTION_MASK = 1,
    PVG_ACTION_REVIEW = 2,
    PVG_ACTION_BLOCK = 3
} pvg_action_t;
PVG_API const char *pvg_action_name(int action);

/* A violation of the policy (filled by the policy layer). */
typedef struct pvg_violation {
    const char *category;     /* "pii_exposure", ... (static) */
    float score;
    const char *const *reasons; size_t n_reasons;  /* readable reasons, held by the scratch */
    int action;               /* pvg_action_t for this violation */
    int shadow;               /* 1 when the rule is in shadow mode (never acted on) */
} pvg_violation_t;

/* The full result of pvg_scan_message, held by the scratch and valid until
 * the next scan with it. identifies_* are set when the message (with its
 * window) identifies a person: indexes into findings, and the ids of earlier
 * messages whose findings combine with them. */
typedef struct pvg_result {
    const pvg_finding_t *findings; size_t n_findings;
    int identifies;
    const size_t *identifies_findings; size_t n_identifies_findings;
    const char *const *identifies_prev; const size_t *identifies_prev_len;
    size_t n_identifies_prev;
    const pvg_violation_t *violations; size_t n_violations;
    int action;               /* pvg_action_t */
} pvg_result_t;

/* Scans one message with its context. If w is not NULL and the message has
 * a room and a sender, the conversation window of (room, sender) is used and
 * updated: values split across consecutive messages are found, and findings
 * of earlier messages count for identifiability. The result lives in s.
 * Returns as pvg_scan. */
PVG_API pvg_error_t pvg_scan_message(const pvg_engine_t *e, const pvg_message_t *m,
                                     pvg_window_t *w, unsigned flags, pvg_scratch_t *s,
                                     pvg_result_t *out);

/* Called once per message of a batch, in order: err is PVG_OK with its
 * result, or the message's own error (PVG_EUTF8, PVG_ETOOBIG) with r NULL.
 * Return 0 to go on, non-zero to stop the batch (PVG_ESTOPPED). */
typedef int (*pvg_result_cb)(size_t index, pvg_error_t err, const pvg_result_t *r, void *ctx);

/* Scans n messages in order with one entry into the scratch (the setup a
 * caller pays per call is paid once). A message's error does not stop the
 * batch. Returns PVG_OK, PVG_ESTOPPED or an error of the call itself. */
PVG_API pvg_error_t pvg_scan_batch(const pvg_engine_t *e, const pvg_message_t *msgs, size_t n,
                                   pvg_window_t *w, unsigned flags, pvg_scratch_t *s,
                                   pvg_result_cb cb, void *ctx);

/* ---------------------------------------------------------- rule reload */

/* A slot holds the current engine for threads that scan, so rules can be
 * reloaded without a restart: pvg_slot_swap() puts a new engine in; scans
 * that acquired the old one finish with it, and it is freed when the last
 * of them releases it. Conversation windows do not depend on the engine and
 * survive a swap. Scratches grow with pvg_scratch_alloc() to fit the new
 * engine (outside the hot path). All slot functions are thread-safe. */
typedef struct pvg_slot pvg_slot_t;

/* Creates a slot holding e (the slot takes ownership). */
PVG_API PVG_WUR pvg_error_t pvg_slot_alloc(pvg_engine_t *e, pvg_slot_t **out);
/* Frees the slot and its engine; every acquired engine must be released
 * first. NULL is a no-op. */
PVG_API void pvg_slot_free(pvg_slot_t *slot);
/* Returns the current engine with a reference held; never NULL. */
PVG_API const pvg_engine_t *pvg_slot_acquire(pvg_slot_t *slot);
/* Releases an engine returned by pvg_slot_acquire(). */
PVG_API void pvg_slot_release(pvg_slot_t *slot, const pvg_engine_t *e);
/* Makes e (owned by the slot from now on) the current engine. */
PVG_API pvg_error_t pvg_slot_swap(pvg_slot_t *slot, pvg_engine_t *e);
/* How many times the slot's engine was swapped. */
PVG_API uint64_t pvg_slot_generation(const pvg_slot_t *slot);

/* ----------------------------------------------------------- rule stats */

/* Rules of the policy are numbered 0..pvg_engine_rule_count()-1. For each:
 * its id ("pii_trade.db_sale"), its category, whether it runs in shadow
 * mode, and how many messages it matched since the engine was compiled
 * (counted atomically by every scan). Strings live as long as the engine. */
PVG_API size_t pvg_engine_rule_count(const pvg_engine_t *e);
PVG_API pvg_error_t pvg_engine_rule_info(const pvg_engine_t *e, size_t i, const char **id,
                                         const char **category, int *shadow, uint64_t *hits);

/* ---------------------------------------------------------------- events */

/* Account and client events (DETECTION.md "Events"). */
typedef enum pvg_event_kind {
    PVG_EVENT_CLIENT_ATTESTATION = 0,
    PVG_EVENT_AUTH_KEY_EXPORT = 1,
    PVG_EVENT_ACCOUNT_CREATED = 2,
    PVG_EVENT_IDENTIFIER_LEAK = 3,
    PVG_EVENT_COUNT = 4
} pvg_event_kind_t;
PVG_API const char *pvg_event_name(int kind);
PVG_API int pvg_event_from_name(const char *name, size_t len); /* or PVG_ENOTFOUND */

/* One identifier of an account or a leak: kind is "phone", "rrn", "ci" or
 * "email". Values are normalised (digits only for phone and rrn, lowercase
 * for e-mail) and then hashed with a key; the raw value is never kept. */
typedef struct pvg_identifier {
    const char *kind; size_t kind_len;
    const char *value; size_t value_len;
} pvg_identifier_t;

typedef struct pvg_event {
    int kind;                                   /* pvg_event_kind_t */
    const char *id; size_t id_len;
    const char *account; size_t account_len;
    int64_t ts_ms;
    const char *client_name; size_t client_name_len;
    const char *client_version; size_t client_version_len;
    int signature_ok;                           /* 1, 0, or -1 when absent */
    const char *destination; size_t destination_len;
    const pvg_identifier_t *identifiers; size_t n_identifiers;
    const char *device; size_t device_len;
    const char *ip; size_t ip_len;
    const char *source; size_t source_len;
} pvg_event_t;

/* State across accounts that the policy asks its caller for: in memory in
 * the CLI, in the store in the service. fp is a keyed BLAKE2b-256
 * fingerprint of an identifier. Each function returns 0 or a negative
 * PVG_E* code. */
typedef struct pvg_state_ops {
    /* Remembers that account used fp (leak = 1: fp was loaded from a leak or
     * a confirmed trade, account may be empty). */
    int (*record_identifier)(void *ctx, const uint8_t fp[32], const char *kind,
                             const char *account, size_t account_len, int leak, int64_t ts_ms);
    /* Distinct accounts that used fp at or after since_ms, and whether fp
     * came from a leak. */
    int (*lookup_identifier)(void *ctx, const uint8_t fp[32], int64_t since_ms,
                             uint32_t *accounts, int *leaked);
    /* Remembers an abnormal client seen for account (attestation failed). */
    int (*record_client)(void *ctx, const char *account, size_t account_len, int abnormal,
                         int64_t ts_ms);
    /* Whether account had an abnormal client at or after since_ms. */
    int (*client_abnormal)(void *ctx, const char *account, size_t account_len,
                           int64_t since_ms, int *abnormal);
    void *ctx;
} pvg_state_ops_t;

#define PVG_FINGERPRINT_KEYBYTES 32

/* Decides auth_key_extraction and illegal_pii_use from one event, using
 * and updating the caller's state. key (32 bytes) keys the identifier
 * fingerprints; keep it apart from the data. The result (violations and
 * action, no findings) lives in s. */
PVG_API pvg_error_t pvg_scan_event(const pvg_engine_t *e, const pvg_event_t *ev,
                                   const pvg_state_ops_t *ops, const uint8_t *key,
                                   pvg_scratch_t *s, pvg_result_t *out);

/* ------------------------------------------------------------- windows */

/* Conversation windows, one per (room, sender): the last max_msgs messages
 * within max_age_ms, at most max_keys keys (least recently used evicted).
 * Zeros take the defaults (5 messages, 10 minutes, 100000 keys). A key
 * takes about 1 KB. Message ids longer than 63 bytes are not kept (a split
 * value's "prev" then has no id). A window does not depend on any engine:
 * it survives a rules reload. Evicted state is wiped. The caller frees it with pvg_window_free(). */
PVG_API PVG_WUR pvg_error_t pvg_window_alloc(size_t max_keys, size_t max_msgs,
                                             int64_t max_age_ms, pvg_window_t **out);
PVG_API void pvg_window_free(pvg_window_t *w); /* NULL is a no-op */
PVG_API size_t pvg_window_keys(const pvg_window_t *w);

#ifdef __cplusplus
}
#endif
#endif /* PRIVGUARD_H */
