/* SPDX-License-Identifier: MIT */
/*
 * internal.h -- what the enforcement core's files share (not installed).
 *
 * The pvg_enforce_t object: options, the connection pool, the keys, the
 * ladder, the sanction cache and the token cache; and the helpers every
 * transition uses: acquire/release a connection, append an audit entry,
 * write an outbox event, encrypt and decrypt, check a role.
 */
#ifndef PVG_ENFORCE_INTERNAL_H
#define PVG_ENFORCE_INTERNAL_H

#include <privguard/enforce.h>

#include <jansson.h>
#include <pthread.h>
#include <sodium.h>

#include "enforce/scache.h"

#define DAY_MS (24LL * 3600 * 1000)

/* --------------------------------------------------------------- keys */

typedef enum { KEY_EVIDENCE, KEY_IDENT, KEY_TOKEN, KEY_AUDIT, KEY_NPURPOSES } key_purpose_t;

typedef struct pvg_key {
    key_purpose_t purpose;
    int kid;
    unsigned char k[32];
} pvg_key_t;

typedef struct pvg_keys {
    char *dir;
    pvg_key_t *keys;
    size_t n;
} pvg_keys_t;

const char *pvg__key_purpose_name(key_purpose_t p);
/* Loads every key file of dir, creating dir (0700) and a first key (0600)
 * for each purpose that has none. PVG_ENF_EKEY when a file is unreadable,
 * malformed or readable by group or others. */
int pvg__keys_load(const char *dir, pvg_keys_t **out);
void pvg__keys_free(pvg_keys_t *k);
const pvg_key_t *pvg__key_current(const pvg_keys_t *k, key_purpose_t p);
const pvg_key_t *pvg__key_get(const pvg_keys_t *k, key_purpose_t p, int kid);

/* ---------------------------------------------------------- the ladder */

#define LADDER_MAX_STEPS 16
#define LADDER_MAX_CATS 16

typedef struct ladder_step {
    int64_t strikes;
    pvg_scope_t scope;
    int64_t duration_ms; /* 0: permanent */
} ladder_step_t;

typedef struct ladder_cat {
    char name[40];
    int zero_tolerance;
    int strikes[3]; /* per severity low/medium/high; 0: the default */
} ladder_cat_t;

typedef struct pvg_ladder {
    int64_t strike_ttl_ms;
    int sev_strikes[3];
    ladder_step_t step[LADDER_MAX_STEPS];
    size_t n_steps;
    ladder_cat_t cat[LADDER_MAX_CATS];
    size_t n_cats;
} pvg_ladder_t;

int pvg__ladder_parse(const char *json, pvg_ladder_t *l);
/* Strikes a violation of these categories at this severity (0..2) earns. */
int64_t pvg__ladder_strikes(const pvg_ladder_t *l, const char *const *cats, size_t n, int sev);
/* The step reached at total strikes, or NULL. */
const ladder_step_t *pvg__ladder_step(const pvg_ladder_t *l, int64_t total);

/* ------------------------------------------------------------ the core */

#define TOKEN_CACHE 256

typedef struct token_cache_entry {
    unsigned char hash[32];
    pvg_role_t role;
    int64_t id;
    int64_t until;
} token_cache_entry_t;

struct pvg_enforce {
    pvg_enforce_options_t o;
    char *store_spec, *key_dir, *ladder_src;
    pvg_store_kind_t kind;

    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    pvg_store_t **conns;
    int *free_idx;
    int n_conns, n_free;

    pthread_rwlock_t keys_lock;
    pvg_keys_t *keys;

    pvg_ladder_t ladder;

    pvg_scache_t *cache;
    pthread_mutex_t cache_mu; /* serialises refreshes */
    int64_t cache_rev;
    void (*on_sanction_change)(const char *account, void *ctx); /* under cache_mu */
    void *on_sanction_change_ctx;

    pthread_mutex_t tok_mu;
    token_cache_entry_t tok[TOKEN_CACHE];
};

pvg_store_t *pvg__acquire(pvg_enforce_t *e);
void pvg__release(pvg_enforce_t *e, pvg_store_t *s);

/* 0 when the actor is valid and its role is one of the mask's bits
 * (1 << PVG_ROLE_x); PVG_ENF_EINVAL for a missing actor, else forbidden. */
int pvg__role_check(const pvg_actor_t *a, unsigned mask);
#define R(x) (1u << PVG_ROLE_##x)

/* Appends an audit entry inside the caller's write transaction. detail is
 * stolen (may be NULL); it must hold no message text or personal data. */
int pvg__audit(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a, const char *action,
               const char *object_type, int64_t object_id, const char *reason, json_t *detail);
int pvg__audit_str(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a, const char *action,
                   const char *object_type, const char *object_id, const char *reason,
                   json_t *detail);

/* Writes an outbound event inside the caller's transaction; payload stolen. */
int pvg__outbox(pvg_enforce_t *e, pvg_store_t *s, const char *topic, const char *recipient,
                json_t *payload);

/* Encrypts plain (XChaCha20-Poly1305, current evidence key) bound to ad;
 * *nonce (24 bytes) and *ct are malloc'd. */
int pvg__seal(pvg_enforce_t *e, const char *ad, const void *plain, size_t n, int *kid,
              unsigned char **nonce, unsigned char **ct, size_t *ct_len);
/* Seals (text, len) with ad and stores it by running sql, an UPDATE whose
 * four parameters are the key id, the nonce, the ciphertext and id. */
int pvg__store_sealed(pvg_enforce_t *e, pvg_store_t *s, const char *sql, const char *ad,
                      const void *text, size_t len, int64_t id);
/* Decrypts into a malloc'd, NUL-terminated buffer the caller wipes and frees. */
int pvg__open(pvg_enforce_t *e, const char *ad, int kid, const void *nonce, size_t nonce_len,
              const void *ct, size_t ct_len, char **plain, size_t *n);

/* Allocates the next sanction revision (in the caller's transaction). */
int pvg__next_rev(pvg_store_t *s, int64_t *rev);
/* Brings the cache up to the store's sanction revisions (after a commit). */
/* After this handle's own write: reads the changed sanctions into the
 * cache and tells the change hook (pvg_enforce_on_sanction_change). */
int pvg__cache_sync(pvg_enforce_t *e, pvg_store_t *s);
/* Commits the write transaction, then pvg__cache_sync: what every write
 * that may change sanctions ends with. */
int pvg__commit_sync(pvg_enforce_t *e, pvg_store_t *s);

/* Inserts a sanction row (state from the window) in the caller's
 * transaction; *id gets its id. */
int pvg__sanction_insert(pvg_enforce_t *e, pvg_store_t *s, const char *account,
                         pvg_scope_t scope, const char *container, const char *object,
                         int64_t starts, int64_t ends /* 0 permanent */, int64_t decision_id,
                         int64_t notice_id, const char *by, int64_t *id);

/* Serialises a JSON value into *json (caller frees); steals v. */
int pvg__json_out(json_t *v, char **json);

/* Media evidence and the hash bank (media.c). Each runs inside the
 * caller's write transaction. */
int pvg__media_validate(const pvg_media_in_t *m, size_t n);
/* Stores media items of a report (report_id) or a notice (notice_id). */
int pvg__media_store(pvg_enforce_t *e, pvg_store_t *s, int64_t report_id, int64_t notice_id,
                     const pvg_media_in_t *m, size_t n, int64_t now);
/* Adds the hashes of the media of the case's open reports to
 * PVG_BANK_CONFIRMED; *added gets the count. */
int pvg__media_bank_from_case(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a,
                              int64_t case_id, int64_t decision_id, int64_t now, int64_t *added);
/* Adds the hashes of the notice's media to PVG_BANK_PENDING. */
int pvg__media_bank_from_notice(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a,
                                int64_t notice_id, int64_t now, int64_t *added);
/* Disables the enabled entries whose source is the notice. */
int pvg__media_bank_drop_notice(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a,
                                int64_t notice_id, int64_t now, int64_t *disabled);
/* The media items of a report or notice for views: [{media_id, ord, kind,
 * content_type, size, hashes, pdq (first hash), purged}] (never bytes). */
json_t *pvg__media_view(pvg_store_t *s, int64_t report_id, int64_t notice_id, int *err);
/* Retention: destroys media evidence past retain_until (not under hold). */
int pvg__media_purge(pvg_store_t *s, int64_t now, int64_t *purged);

int pvg__valid_category(const char *c);
int pvg__valid_id(const char *s); /* non-empty, <= 256 bytes, printable, no control chars */

#endif
