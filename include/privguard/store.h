/* SPDX-License-Identifier: MIT */
/*
 * store.h -- one storage interface over SQLite and PostgreSQL.
 *
 * The enforcement core (enforce.h) keeps its state in a store: an embedded
 * SQLite database file (WAL, the default) or a PostgreSQL server reached
 * through libpq. Both run the same schema, created by versioned migrations
 * (pvg_store_migrate), and the same SQL: statements are written with `?`
 * placeholders, which the PostgreSQL backend rewrites to $1, $2, ...
 * Integers are 64-bit, times are epoch milliseconds, booleans are 0/1.
 *
 * This header also defines the error codes shared by the store and the
 * enforcement core (PVG_ENF_*). They are stable: never renumbered.
 *
 * THREAD RULE: a pvg_store_t is one connection; it may be used by one thread
 * at a time (the enforcement core keeps a pool of them). A statement belongs
 * to its store and to the same thread.
 *
 * OWNERSHIP RULE: pvg_store_open returns a handle the caller closes with
 * pvg_store_close; pvg_store_prepare/pvg_store_q return a statement the
 * caller frees with pvg_store_finalize. Text and blob pointers returned by
 * the column accessors stay valid until the next step or finalize.
 */
#ifndef PRIVGUARD_STORE_H
#define PRIVGUARD_STORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PVG_WUR
#define PVG_WUR __attribute__((warn_unused_result))
#endif

/* ------------------------------------------------------------------ errors */

/* 0 or a negative code. The short name (pvg_enf_errname) is what the HTTP
 * service puts in its JSON; the status is pvg_enf_http_status. */
#define PVG_ENF_OK           0
#define PVG_ENF_EINVAL    -101 /* invalid_input: a bad argument (400) */
#define PVG_ENF_ENOTFOUND -102 /* not_found (404) */
#define PVG_ENF_ETRANSITION -103 /* invalid_transition (409) */
#define PVG_ENF_EALREADY  -104 /* already_in_state: a repeat (409) */
#define PVG_ENF_EDUPLICATE -105 /* duplicate: e.g. the same report within 24 h (409) */
#define PVG_ENF_EFORBIDDEN -106 /* forbidden: the role may not do this (403) */
#define PVG_ENF_ERATE     -107 /* rate_limited (429) */
#define PVG_ENF_ESTORE    -108 /* store_error: the database failed (500) */
#define PVG_ENF_ENOMEM    -109 /* out_of_memory (500) */
#define PVG_ENF_EKEY      -110 /* key_error: a key file is missing or unusable (500) */
#define PVG_ENF_ETAMPERED -111 /* audit_tampered: the audit chain does not verify (500) */
#define PVG_ENF_EBUSY     -112 /* busy: the store stayed locked (503) */
#define PVG_ENF_ECONFLICT -113 /* conflict: a unique constraint refused the row (409) */
#define PVG_ENF_EUNAUTH   -114 /* unauthorized: unknown or revoked token (401) */
#define PVG_ENF_ESCHEMA   -115 /* schema_too_new: the store was migrated by a newer version (500) */

/* Short stable name ("not_found", ...); never NULL. */
const char *pvg_enf_errname(int code);
/* A lowercase sentence; never NULL. */
const char *pvg_enf_strerror(int code);
/* The HTTP status the service answers with for code (200 for PVG_ENF_OK). */
int pvg_enf_http_status(int code);

/* ------------------------------------------------------------------- store */

typedef struct pvg_store pvg_store_t;
typedef struct pvg_stmt pvg_stmt_t;

typedef enum pvg_store_kind {
    PVG_STORE_SQLITE = 1,
    PVG_STORE_POSTGRES = 2
} pvg_store_kind_t;

#define PVG_STORE_DONE 0 /* pvg_store_step: no (more) rows */
#define PVG_STORE_ROW 1  /* pvg_store_step: a row is available */

/* The schema version this library creates and understands. */
#define PVG_STORE_SCHEMA_VERSION 4

/* Opens a store. spec is a PostgreSQL connection string when it starts with
 * "postgres://" or "postgresql://" or contains "host=", "dbname=" or
 * "service="; otherwise it is a SQLite database path (created, with its
 * folder, when missing; ":memory:" for a private in-memory database).
 * SQLite runs in WAL mode with synchronous=FULL, foreign keys and
 * secure_delete on, and waits up to 10 s for a lock. Does not migrate.
 * Returns PVG_ENF_OK, PVG_ENF_EINVAL (NULL or empty spec), PVG_ENF_ESTORE
 * (cannot open or connect) or PVG_ENF_ENOMEM. */
PVG_WUR int pvg_store_open(const char *spec, pvg_store_t **out);
void pvg_store_close(pvg_store_t *s); /* NULL is a no-op */

pvg_store_kind_t pvg_store_kind(const pvg_store_t *s);

/* The last error of this connection, without any row data (it names the
 * failing constraint or SQL state, never values); never NULL. */
const char *pvg_store_errmsg(const pvg_store_t *s);

/* Brings the schema to PVG_STORE_SCHEMA_VERSION, one migration per
 * transaction; concurrent callers serialise. *version (may be NULL) gets the
 * resulting version. PVG_ENF_ESCHEMA when the store is newer than us. */
PVG_WUR int pvg_store_migrate(pvg_store_t *s, int *version);

/* Transactions. pvg_store_begin starts a write transaction that excludes
 * every other writer of the same database until commit or rollback (SQLite
 * BEGIN IMMEDIATE; PostgreSQL BEGIN plus a transaction-scoped advisory
 * lock), so check-then-write sequences are atomic. Rollback is safe to call
 * when no transaction is open. */
PVG_WUR int pvg_store_begin(pvg_store_t *s);
PVG_WUR int pvg_store_commit(pvg_store_t *s);
void pvg_store_rollback(pvg_store_t *s);

/* Runs one or more statements without parameters or results. */
PVG_WUR int pvg_store_exec(pvg_store_t *s, const char *sql);

/* Prepared statements: prepare, bind (1-based), step, read columns (0-based),
 * finalize. pvg_store_step returns PVG_STORE_ROW, PVG_STORE_DONE or an error:
 * PVG_ENF_ECONFLICT for a unique-constraint violation, PVG_ENF_EBUSY for a
 * lock timeout, PVG_ENF_ESTORE otherwise. */
PVG_WUR int pvg_store_prepare(pvg_store_t *s, const char *sql, pvg_stmt_t **out);
int pvg_store_bind_int(pvg_stmt_t *st, int idx, int64_t v);
int pvg_store_bind_text(pvg_stmt_t *st, int idx, const char *v); /* NULL binds NULL */
int pvg_store_bind_blob(pvg_stmt_t *st, int idx, const void *p, size_t n);
int pvg_store_bind_null(pvg_stmt_t *st, int idx);
PVG_WUR int pvg_store_step(pvg_stmt_t *st);
int pvg_store_col_count(pvg_stmt_t *st);
int pvg_store_col_null(pvg_stmt_t *st, int col);
int64_t pvg_store_col_int(pvg_stmt_t *st, int col);      /* 0 for NULL */
const char *pvg_store_col_text(pvg_stmt_t *st, int col); /* NULL for NULL */
size_t pvg_store_col_blob(pvg_stmt_t *st, int col, const void **p); /* *p NULL for NULL */
/* Rows changed by the last INSERT/UPDATE/DELETE stepped to completion. */
int64_t pvg_store_changes(pvg_stmt_t *st);
void pvg_store_finalize(pvg_stmt_t *st); /* NULL is a no-op */

/* Shorthands. fmt has one letter per `?`: 'i' int64_t, 't' const char *
 * (NULL binds NULL), 'b' const void * then size_t, 'n' NULL (no argument).
 *   pvg_store_q     prepares and binds; the caller steps and finalizes.
 *   pvg_store_x     runs to completion; returns the changed row count (>= 0)
 *                   or an error.
 *   pvg_store_x_int runs and puts column 0 of the first row in *val
 *                   (RETURNING id, COUNT(*)); returns PVG_STORE_ROW,
 *                   PVG_STORE_DONE (no row; *val untouched) or an error. */
PVG_WUR int pvg_store_q(pvg_store_t *s, pvg_stmt_t **out, const char *sql, const char *fmt, ...);
int64_t pvg_store_x(pvg_store_t *s, const char *sql, const char *fmt, ...);
PVG_WUR int pvg_store_x_int(pvg_store_t *s, int64_t *val, const char *sql, const char *fmt, ...);

/* ------------------------------------------------------- media hash bank */

/* Banks of 256-bit PDQ hashes for the media matcher (src/media loads the
 * enabled entries into its index). A bank is created on its first entry.
 * A hash is stored as the 32 bytes of its 64-hex form, in order (hex digits
 * 0-1 are byte 0): the most significant byte first, as Meta writes PDQ.
 * add: *id gets the new entry's id; source_case_id 0 means none.
 * disable: PVG_ENF_ENOTFOUND, PVG_ENF_EALREADY when already disabled.
 * list: calls cb for every enabled entry in id order; a non-zero return
 * from cb stops the walk and is returned.
 * Each of these runs in its own write transaction. Every change to an entry
 * (added, disabled) takes the next value of the store-wide media revision,
 * which pvg_store_media_changes follows. The enforcement core adds entries
 * from decisions and notices with the same SQL inside its own transactions
 * (pvg_media_bank_add and friends in enforce.h, which also audit). */
typedef int (*pvg_media_entry_cb)(int64_t id, const char *bank, const uint8_t pdq[32],
                                  int64_t source_case_id, int64_t created_at, void *ctx);
PVG_WUR int pvg_store_media_add(pvg_store_t *s, const char *bank, const uint8_t pdq[32],
                                int64_t source_case_id, int64_t now_ms, int64_t *id);
PVG_WUR int pvg_store_media_disable(pvg_store_t *s, int64_t id);
PVG_WUR int pvg_store_media_list_enabled(pvg_store_t *s, pvg_media_entry_cb cb, void *ctx);

/* One bank entry as pvg_store_media_changes reports it. Pointers are valid
 * during the callback only. */
typedef struct pvg_media_row {
    int64_t id;
    const char *bank;
    const uint8_t *pdq;       /* 32 bytes */
    int64_t source_case_id;   /* 0: none */
    int64_t source_notice_id; /* 0: none */
    const char *origin;       /* "decision", "notice", "manual"; NULL for rows older than schema 3 */
    int quality;              /* PDQ quality 0..100; -1 unknown */
    int enabled;
    int64_t rev;              /* the media revision of the entry's last change; 0 before schema 3 */
    int64_t created_at;
} pvg_media_row_t;

typedef int (*pvg_media_row_cb)(const pvg_media_row_t *row, void *ctx);

/* Calls cb for at most limit (1..100000) entries whose (rev, id) comes after
 * (after_rev, after_id), in that order, enabled or not; *n (may be NULL)
 * gets how many. To follow the bank: start at (-1, 0), then continue from
 * the last row seen until *n < limit. A non-zero return from cb stops the
 * walk and is returned. No transaction is needed (one SELECT). */
PVG_WUR int pvg_store_media_changes(pvg_store_t *s, int64_t after_rev, int64_t after_id, int limit,
                                    pvg_media_row_cb cb, void *ctx, int *n);

/* Takes the next media revision inside the caller's open write transaction. */
PVG_WUR int pvg_store_media_next_rev(pvg_store_t *s, int64_t *rev);

#ifdef __cplusplus
}
#endif
#endif
