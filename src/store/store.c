/* SPDX-License-Identifier: MIT */
/*
 * store.c -- the storage interface over SQLite and PostgreSQL (libpq).
 *
 * One connection per pvg_store_t. Statements are written once with `?`
 * placeholders; for PostgreSQL they are rewritten to $n and run with
 * PQexecParams (integers as int8 text, text as text, blobs as binary
 * bytea), and results come back in text form, decoded on access. Errors are
 * reduced to the PVG_ENF_* codes; the message kept for diagnostics names
 * the SQL state or constraint but never row values.
 */
#include "store/store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#define PG_LOCK_KEY "7243100" /* the advisory lock every writer takes */

struct pvg_store {
    pvg_store_kind_t kind;
    sqlite3 *db;
    PGconn *pg;
    int in_tx;
    char err[256];
};

struct pvg_stmt {
    pvg_store_t *s;
    sqlite3_stmt *sq;
    /* PostgreSQL */
    char *sql;
    int nparams;
    char **vals;
    int *lens;
    int *fmts;
    Oid *types;
    PGresult *res;
    int executed, row, nrows, ncols;
    void **blobs; /* decoded bytea per column of the current row */
    int64_t changes;
};

/* ------------------------------------------------------------- errors */

const char *pvg_enf_errname(int code)
{
    switch (code) {
    case PVG_ENF_OK: return "ok";
    case PVG_ENF_EINVAL: return "invalid_input";
    case PVG_ENF_ENOTFOUND: return "not_found";
    case PVG_ENF_ETRANSITION: return "invalid_transition";
    case PVG_ENF_EALREADY: return "already_in_state";
    case PVG_ENF_EDUPLICATE: return "duplicate";
    case PVG_ENF_EFORBIDDEN: return "forbidden";
    case PVG_ENF_ERATE: return "rate_limited";
    case PVG_ENF_ESTORE: return "store_error";
    case PVG_ENF_ENOMEM: return "out_of_memory";
    case PVG_ENF_EKEY: return "key_error";
    case PVG_ENF_ETAMPERED: return "audit_tampered";
    case PVG_ENF_EBUSY: return "busy";
    case PVG_ENF_ECONFLICT: return "conflict";
    case PVG_ENF_EUNAUTH: return "unauthorized";
    case PVG_ENF_ESCHEMA: return "schema_too_new";
    default: return "unknown_error";
    }
}

const char *pvg_enf_strerror(int code)
{
    switch (code) {
    case PVG_ENF_OK: return "success";
    case PVG_ENF_EINVAL: return "invalid input";
    case PVG_ENF_ENOTFOUND: return "no such object";
    case PVG_ENF_ETRANSITION: return "transition not allowed from the current state";
    case PVG_ENF_EALREADY: return "already in that state";
    case PVG_ENF_EDUPLICATE: return "duplicate of an earlier request";
    case PVG_ENF_EFORBIDDEN: return "the role may not do this";
    case PVG_ENF_ERATE: return "too many requests";
    case PVG_ENF_ESTORE: return "the store failed";
    case PVG_ENF_ENOMEM: return "out of memory";
    case PVG_ENF_EKEY: return "a key file is missing or unusable";
    case PVG_ENF_ETAMPERED: return "the audit chain does not verify";
    case PVG_ENF_EBUSY: return "the store stayed locked";
    case PVG_ENF_ECONFLICT: return "a unique constraint refused the row";
    case PVG_ENF_EUNAUTH: return "unknown or revoked token";
    case PVG_ENF_ESCHEMA: return "the store was migrated by a newer version";
    default: return "unknown error";
    }
}

int pvg_enf_http_status(int code)
{
    switch (code) {
    case PVG_ENF_OK: return 200;
    case PVG_ENF_EINVAL: return 400;
    case PVG_ENF_EUNAUTH: return 401;
    case PVG_ENF_EFORBIDDEN: return 403;
    case PVG_ENF_ENOTFOUND: return 404;
    case PVG_ENF_ETRANSITION:
    case PVG_ENF_EALREADY:
    case PVG_ENF_EDUPLICATE:
    case PVG_ENF_ECONFLICT: return 409;
    case PVG_ENF_ERATE: return 429;
    case PVG_ENF_EBUSY: return 503;
    default: return 500;
    }
}

static void set_err(pvg_store_t *s, const char *what, const char *detail)
{
    snprintf(s->err, sizeof s->err, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
}

static int sq_code(pvg_store_t *s, int rc)
{
    set_err(s, "sqlite", sqlite3_errstr(rc));
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return PVG_ENF_ECONFLICT;
        return PVG_ENF_ESTORE;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return PVG_ENF_EBUSY;
    case SQLITE_NOMEM: return PVG_ENF_ENOMEM;
    default: return PVG_ENF_ESTORE;
    }
}

static int pg_code(pvg_store_t *s, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = PQstatus(s->pg) == CONNECTION_OK ? "unknown error" : "connection lost";
    snprintf(s->err, sizeof s->err, "postgresql %s: %s", state ? state : "-----", msg);
    if (!state)
        return PVG_ENF_ESTORE;
    if (!strcmp(state, "23505"))
        return PVG_ENF_ECONFLICT;
    if (!strcmp(state, "40P01") || !strcmp(state, "55P03") || !strcmp(state, "57014") ||
        !strcmp(state, "40001"))
        return PVG_ENF_EBUSY;
    if (!strncmp(state, "53", 2))
        return PVG_ENF_ENOMEM;
    return PVG_ENF_ESTORE;
}

const char *pvg_store_errmsg(const pvg_store_t *s)
{
    return s ? s->err : "no store";
}

pvg_store_kind_t pvg_store_kind(const pvg_store_t *s)
{
    return s->kind;
}

/* --------------------------------------------------------------- open */

static int is_pg_spec(const char *spec)
{
    return !strncmp(spec, "postgres://", 11) || !strncmp(spec, "postgresql://", 13) ||
           strstr(spec, "host=") || strstr(spec, "dbname=") || strstr(spec, "service=");
}

/* Creates the folders leading to path (mode 0700), like mkdir -p dirname. */
static int make_parents(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    char *slash = strrchr(buf, '/');
    if (!slash || slash == buf)
        return 0;
    *slash = 0;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0700) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0700) && errno != EEXIST)
        return -1;
    return 0;
}

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* the library never prints; notices are dropped */
}

int pvg_store_open(const char *spec, pvg_store_t **out)
{
    if (!out)
        return PVG_ENF_EINVAL;
    *out = NULL;
    if (!spec || !*spec)
        return PVG_ENF_EINVAL;
    pvg_store_t *s = calloc(1, sizeof *s);
    if (!s)
        return PVG_ENF_ENOMEM;
    if (is_pg_spec(spec)) {
        s->kind = PVG_STORE_POSTGRES;
        s->pg = PQconnectdb(spec);
        if (!s->pg || PQstatus(s->pg) != CONNECTION_OK) {
            PQfinish(s->pg);
            free(s);
            return PVG_ENF_ESTORE;
        }
        PQsetNoticeProcessor(s->pg, pg_quiet, NULL);
        PGresult *r = PQexec(s->pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) {
            PQfinish(s->pg);
            free(s);
            return PVG_ENF_ESTORE;
        }
    } else {
        s->kind = PVG_STORE_SQLITE;
        if (strcmp(spec, ":memory:") && make_parents(spec)) {
            free(s);
            return PVG_ENF_ESTORE;
        }
        int rc = sqlite3_open_v2(spec, &s->db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 NULL);
        if (rc != SQLITE_OK) {
            sqlite3_close(s->db);
            free(s);
            return PVG_ENF_ESTORE;
        }
        if (strcmp(spec, ":memory:"))
            (void)chmod(spec, 0600);
        sqlite3_busy_timeout(s->db, 10000);
        sqlite3_extended_result_codes(s->db, 1);
        rc = sqlite3_exec(s->db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                          "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;",
                          NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            sqlite3_close(s->db);
            free(s);
            return PVG_ENF_ESTORE;
        }
    }
    *out = s;
    return PVG_ENF_OK;
}

void pvg_store_close(pvg_store_t *s)
{
    if (!s)
        return;
    if (s->in_tx)
        pvg_store_rollback(s);
    if (s->db)
        sqlite3_close(s->db);
    if (s->pg)
        PQfinish(s->pg);
    free(s);
}

/* --------------------------------------------------------------- exec */

int pvg_store_exec(pvg_store_t *s, const char *sql)
{
    if (!s || !sql)
        return PVG_ENF_EINVAL;
    if (s->kind == PVG_STORE_SQLITE) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? PVG_ENF_OK : sq_code(s, rc);
    }
    PGresult *r = PQexec(s->pg, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? PVG_ENF_OK : pg_code(s, r);
    PQclear(r);
    return rc;
}

int pvg_store_begin(pvg_store_t *s)
{
    if (!s || s->in_tx)
        return PVG_ENF_EINVAL;
    int rc = pvg_store_exec(s, s->kind == PVG_STORE_SQLITE
                                   ? "BEGIN IMMEDIATE"
                                   : "BEGIN; SELECT pg_advisory_xact_lock(" PG_LOCK_KEY ")");
    if (rc == PVG_ENF_OK)
        s->in_tx = 1;
    else if (s->kind == PVG_STORE_POSTGRES)
        if (pvg_store_exec(s, "ROLLBACK")) {
            /* the connection is broken; the next call reports it */
        }
    return rc;
}

int pvg_store_commit(pvg_store_t *s)
{
    if (!s || !s->in_tx)
        return PVG_ENF_EINVAL;
    int rc = pvg_store_exec(s, "COMMIT");
    if (rc != PVG_ENF_OK) {
        pvg_store_rollback(s);
        return rc;
    }
    s->in_tx = 0;
    return PVG_ENF_OK;
}

void pvg_store_rollback(pvg_store_t *s)
{
    if (!s || !s->in_tx)
        return;
    char keep[sizeof s->err];
    memcpy(keep, s->err, sizeof keep); /* keep the error that caused the rollback */
    if (pvg_store_exec(s, "ROLLBACK")) {
        /* nothing more to do: the transaction is gone either way */
    }
    memcpy(s->err, keep, sizeof keep);
    s->in_tx = 0;
}

/* ---------------------------------------------------------- statements */

/* Rewrites ? placeholders to $1..$n outside quoted strings; *n gets n. */
static char *pg_rewrite(const char *sql, int *n)
{
    size_t len = strlen(sql), cap = len * 4 + 16;
    char *o = malloc(cap);
    if (!o)
        return NULL;
    size_t j = 0;
    int k = 0;
    char quote = 0;
    for (size_t i = 0; i < len; i++) {
        char c = sql[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            o[j++] = c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            o[j++] = c;
        } else if (c == '?') {
            j += (size_t)snprintf(o + j, cap - j, "$%d", ++k);
        } else {
            o[j++] = c;
        }
    }
    o[j] = 0;
    *n = k;
    return o;
}

int pvg_store_prepare(pvg_store_t *s, const char *sql, pvg_stmt_t **out)
{
    if (!s || !sql || !out)
        return PVG_ENF_EINVAL;
    *out = NULL;
    pvg_stmt_t *st = calloc(1, sizeof *st);
    if (!st)
        return PVG_ENF_ENOMEM;
    st->s = s;
    if (s->kind == PVG_STORE_SQLITE) {
        int rc = sqlite3_prepare_v2(s->db, sql, -1, &st->sq, NULL);
        if (rc != SQLITE_OK) {
            free(st);
            return sq_code(s, rc);
        }
        st->nparams = sqlite3_bind_parameter_count(st->sq);
    } else {
        st->sql = pg_rewrite(sql, &st->nparams);
        if (!st->sql) {
            free(st);
            return PVG_ENF_ENOMEM;
        }
        int n = st->nparams ? st->nparams : 1;
        st->vals = calloc((size_t)n, sizeof *st->vals);
        st->lens = calloc((size_t)n, sizeof *st->lens);
        st->fmts = calloc((size_t)n, sizeof *st->fmts);
        st->types = calloc((size_t)n, sizeof *st->types);
        if (!st->vals || !st->lens || !st->fmts || !st->types) {
            pvg_store_finalize(st);
            return PVG_ENF_ENOMEM;
        }
    }
    *out = st;
    return PVG_ENF_OK;
}

static int pg_set(pvg_stmt_t *st, int idx, char *val, int len, int fmt, Oid type)
{
    if (idx < 1 || idx > st->nparams) {
        free(val);
        return PVG_ENF_EINVAL;
    }
    free(st->vals[idx - 1]);
    st->vals[idx - 1] = val;
    st->lens[idx - 1] = len;
    st->fmts[idx - 1] = fmt;
    st->types[idx - 1] = type;
    return PVG_ENF_OK;
}

int pvg_store_bind_int(pvg_stmt_t *st, int idx, int64_t v)
{
    if (st->sq)
        return sqlite3_bind_int64(st->sq, idx, v) == SQLITE_OK ? 0 : PVG_ENF_EINVAL;
    char *b = malloc(24);
    if (!b)
        return PVG_ENF_ENOMEM;
    snprintf(b, 24, "%" PRId64, v);
    return pg_set(st, idx, b, 0, 0, 20 /* int8 */);
}

int pvg_store_bind_text(pvg_stmt_t *st, int idx, const char *v)
{
    if (!v)
        return pvg_store_bind_null(st, idx);
    if (st->sq)
        return sqlite3_bind_text(st->sq, idx, v, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0
                                                                                 : PVG_ENF_EINVAL;
    char *b = strdup(v);
    if (!b)
        return PVG_ENF_ENOMEM;
    return pg_set(st, idx, b, 0, 0, 25 /* text */);
}

int pvg_store_bind_blob(pvg_stmt_t *st, int idx, const void *p, size_t n)
{
    if (!p)
        return pvg_store_bind_null(st, idx);
    if (n > (size_t)INT32_MAX)
        return PVG_ENF_EINVAL;
    if (st->sq)
        return sqlite3_bind_blob(st->sq, idx, p, (int)n, SQLITE_TRANSIENT) == SQLITE_OK
                   ? 0
                   : PVG_ENF_EINVAL;
    char *b = malloc(n ? n : 1);
    if (!b)
        return PVG_ENF_ENOMEM;
    memcpy(b, p, n);
    return pg_set(st, idx, b, (int)n, 1, 17 /* bytea */);
}

int pvg_store_bind_null(pvg_stmt_t *st, int idx)
{
    if (st->sq)
        return sqlite3_bind_null(st->sq, idx) == SQLITE_OK ? 0 : PVG_ENF_EINVAL;
    return pg_set(st, idx, NULL, 0, 0, 0);
}

static void pg_clear_blobs(pvg_stmt_t *st)
{
    if (!st->blobs)
        return;
    for (int i = 0; i < st->ncols; i++) {
        if (st->blobs[i])
            PQfreemem(st->blobs[i]);
        st->blobs[i] = NULL;
    }
}

int pvg_store_step(pvg_stmt_t *st)
{
    if (!st)
        return PVG_ENF_EINVAL;
    pvg_store_t *s = st->s;
    if (st->sq) {
        int rc = sqlite3_step(st->sq);
        if (rc == SQLITE_ROW)
            return PVG_STORE_ROW;
        if (rc == SQLITE_DONE) {
            st->changes = sqlite3_changes(s->db);
            return PVG_STORE_DONE;
        }
        rc = sqlite3_extended_errcode(s->db);
        return sq_code(s, rc);
    }
    if (!st->executed) {
        st->executed = 1;
        st->res = PQexecParams(s->pg, st->sql, st->nparams, st->types,
                               (const char *const *)st->vals, st->lens, st->fmts, 0);
        ExecStatusType es = PQresultStatus(st->res);
        if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK)
            return pg_code(s, st->res);
        st->nrows = PQntuples(st->res);
        st->ncols = PQnfields(st->res);
        const char *ct = PQcmdTuples(st->res);
        st->changes = (ct && *ct) ? strtoll(ct, NULL, 10) : 0;
        if (st->ncols) {
            st->blobs = calloc((size_t)st->ncols, sizeof *st->blobs);
            if (!st->blobs)
                return PVG_ENF_ENOMEM;
        }
        st->row = -1;
    }
    pg_clear_blobs(st);
    if (st->row + 1 < st->nrows) {
        st->row++;
        return PVG_STORE_ROW;
    }
    st->row = st->nrows;
    return PVG_STORE_DONE;
}

int pvg_store_col_count(pvg_stmt_t *st)
{
    return st->sq ? sqlite3_column_count(st->sq) : st->ncols;
}

int pvg_store_col_null(pvg_stmt_t *st, int col)
{
    if (st->sq)
        return sqlite3_column_type(st->sq, col) == SQLITE_NULL;
    if (!st->res || col < 0 || col >= st->ncols || st->row < 0 || st->row >= st->nrows)
        return 1;
    return PQgetisnull(st->res, st->row, col);
}

int64_t pvg_store_col_int(pvg_stmt_t *st, int col)
{
    if (st->sq)
        return sqlite3_column_int64(st->sq, col);
    if (pvg_store_col_null(st, col))
        return 0;
    return strtoll(PQgetvalue(st->res, st->row, col), NULL, 10);
}

const char *pvg_store_col_text(pvg_stmt_t *st, int col)
{
    if (st->sq)
        return (const char *)sqlite3_column_text(st->sq, col);
    if (pvg_store_col_null(st, col))
        return NULL;
    return PQgetvalue(st->res, st->row, col);
}

size_t pvg_store_col_blob(pvg_stmt_t *st, int col, const void **p)
{
    *p = NULL;
    if (st->sq) {
        if (sqlite3_column_type(st->sq, col) == SQLITE_NULL)
            return 0;
        const void *b = sqlite3_column_blob(st->sq, col);
        size_t n = (size_t)sqlite3_column_bytes(st->sq, col);
        *p = b ? b : (const void *)"";
        return n;
    }
    if (pvg_store_col_null(st, col))
        return 0;
    if (st->blobs[col])
        PQfreemem(st->blobs[col]);
    size_t n = 0;
    st->blobs[col] = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, col), &n);
    if (!st->blobs[col])
        return 0;
    *p = st->blobs[col];
    return n;
}

int64_t pvg_store_changes(pvg_stmt_t *st)
{
    return st->changes;
}

void pvg_store_finalize(pvg_stmt_t *st)
{
    if (!st)
        return;
    if (st->sq)
        sqlite3_finalize(st->sq);
    pg_clear_blobs(st);
    free(st->blobs);
    if (st->res)
        PQclear(st->res);
    if (st->vals)
        for (int i = 0; i < st->nparams; i++)
            free(st->vals[i]);
    free(st->vals);
    free(st->lens);
    free(st->fmts);
    free(st->types);
    free(st->sql);
    free(st);
}

/* ---------------------------------------------------------- shorthands */

static int bind_va(pvg_stmt_t *st, const char *fmt, va_list ap)
{
    int idx = 0;
    for (const char *f = fmt ? fmt : ""; *f; f++) {
        int rc;
        idx++;
        switch (*f) {
        case 'i': rc = pvg_store_bind_int(st, idx, va_arg(ap, int64_t)); break;
        case 't': rc = pvg_store_bind_text(st, idx, va_arg(ap, const char *)); break;
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            rc = pvg_store_bind_blob(st, idx, p, n);
            break;
        }
        case 'n': rc = pvg_store_bind_null(st, idx); break;
        default: rc = PVG_ENF_EINVAL; break;
        }
        if (rc)
            return rc;
    }
    return idx == st->nparams ? PVG_ENF_OK : PVG_ENF_EINVAL;
}

static int q_va(pvg_store_t *s, pvg_stmt_t **out, const char *sql, const char *fmt, va_list ap)
{
    int rc = pvg_store_prepare(s, sql, out);
    if (rc)
        return rc;
    rc = bind_va(*out, fmt, ap);
    if (rc) {
        set_err(s, "bind", "wrong parameters for statement");
        pvg_store_finalize(*out);
        *out = NULL;
    }
    return rc;
}

int pvg_store_q(pvg_store_t *s, pvg_stmt_t **out, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = q_va(s, out, sql, fmt, ap);
    va_end(ap);
    return rc;
}

int64_t pvg_store_x(pvg_store_t *s, const char *sql, const char *fmt, ...)
{
    pvg_stmt_t *st;
    va_list ap;
    va_start(ap, fmt);
    int rc = q_va(s, &st, sql, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    while ((rc = pvg_store_step(st)) == PVG_STORE_ROW)
        ;
    int64_t r = rc == PVG_STORE_DONE ? pvg_store_changes(st) : rc;
    pvg_store_finalize(st);
    return r;
}

int pvg_store_x_int(pvg_store_t *s, int64_t *val, const char *sql, const char *fmt, ...)
{
    pvg_stmt_t *st;
    va_list ap;
    va_start(ap, fmt);
    int rc = q_va(s, &st, sql, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    rc = pvg_store_step(st);
    if (rc == PVG_STORE_ROW) {
        if (val)
            *val = pvg_store_col_int(st, 0);
        int rc2;
        while ((rc2 = pvg_store_step(st)) == PVG_STORE_ROW)
            ;
        if (rc2 < 0)
            rc = rc2;
    }
    pvg_store_finalize(st);
    return rc;
}

/* ---------------------------------------------------------- migrations */

char *pvg__store_expand(const pvg_store_t *s, const char *sql)
{
    const char *id = s->kind == PVG_STORE_SQLITE
                         ? "INTEGER PRIMARY KEY"
                         : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    const char *blob = s->kind == PVG_STORE_SQLITE ? "BLOB" : "BYTEA";
    size_t cap = strlen(sql) * 4 + 1, j = 0;
    char *o = malloc(cap);
    if (!o)
        return NULL;
    for (const char *p = sql; *p;) {
        const char *rep = NULL;
        size_t skip = 0;
        if (!strncmp(p, "{ID}", 4))
            rep = id, skip = 4;
        else if (!strncmp(p, "{BLOB}", 6))
            rep = blob, skip = 6;
        if (rep) {
            size_t n = strlen(rep);
            memcpy(o + j, rep, n);
            j += n;
            p += skip;
        } else {
            o[j++] = *p++;
        }
    }
    o[j] = 0;
    return o;
}

/* On PostgreSQL, processes that start together on a fresh database would
 * race to create the schema (CREATE TABLE IF NOT EXISTS is not safe against
 * a concurrent creator): each schema transaction first takes one
 * transaction-scoped advisory lock, so they run one after another. */
#define PVG_SCHEMA_LOCK "SELECT pg_advisory_xact_lock(7104225183)"

int pvg_store_migrate(pvg_store_t *s, int *version)
{
    if (!s)
        return PVG_ENF_EINVAL;
    int rc = pvg_store_begin(s);
    if (rc)
        return rc;
    if (s->kind == PVG_STORE_POSTGRES && (rc = pvg_store_exec(s, PVG_SCHEMA_LOCK))) {
        pvg_store_rollback(s);
        return rc;
    }
    rc = pvg_store_exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                           "version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                           " applied_at BIGINT NOT NULL)");
    if (rc) {
        pvg_store_rollback(s);
        return rc;
    }
    if ((rc = pvg_store_commit(s)))
        return rc;
    size_t n;
    const pvg_migration_t *m = pvg__store_migrations(&n);
    int64_t have = 0;
    for (size_t i = 0; i < n; i++) {
        rc = pvg_store_begin(s);
        if (rc)
            return rc;
        if (s->kind == PVG_STORE_POSTGRES && (rc = pvg_store_exec(s, PVG_SCHEMA_LOCK)))
            goto fail;
        have = 0;
        rc = pvg_store_x_int(s, &have, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                             "");
        if (rc < 0)
            goto fail;
        if (have > PVG_STORE_SCHEMA_VERSION) {
            rc = PVG_ENF_ESCHEMA;
            goto fail;
        }
        if (have >= m[i].version) {
            pvg_store_rollback(s);
            continue;
        }
        char *sql = pvg__store_expand(s, m[i].sql);
        if (!sql) {
            rc = PVG_ENF_ENOMEM;
            goto fail;
        }
        rc = pvg_store_exec(s, sql);
        free(sql);
        if (rc)
            goto fail;
        int64_t r = pvg_store_x(s, "INSERT INTO schema_migrations (version, name, applied_at)"
                                   " VALUES (?, ?, ?)",
                                "iti", (int64_t)m[i].version, m[i].name,
                                (int64_t)time(NULL) * 1000);
        if (r < 0) {
            rc = (int)r;
            goto fail;
        }
        rc = pvg_store_commit(s);
        if (rc)
            return rc;
        have = m[i].version;
    }
    if (have == 0)
        if (pvg_store_x_int(s, &have, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                            "") < 0)
            return PVG_ENF_ESTORE;
    if (version)
        *version = (int)have;
    return PVG_ENF_OK;
fail:
    pvg_store_rollback(s);
    return rc;
}

/* ------------------------------------------------------- media hash bank */

int pvg_store_media_next_rev(pvg_store_t *s, int64_t *rev)
{
    if (!s || !rev)
        return PVG_ENF_EINVAL;
    int rc = pvg_store_x_int(s, rev,
                             "UPDATE counters SET value = value + 1 WHERE name = 'media_rev'"
                             " RETURNING value",
                             "");
    return rc == PVG_STORE_ROW ? PVG_ENF_OK : rc < 0 ? rc : PVG_ENF_ESTORE;
}

int pvg_store_media_add(pvg_store_t *s, const char *bank, const uint8_t pdq[32],
                        int64_t source_case_id, int64_t now_ms, int64_t *id)
{
    if (!s || !bank || !*bank || strlen(bank) > 128 || !pdq || !id)
        return PVG_ENF_EINVAL;
    int rc = pvg_store_begin(s);
    if (rc)
        return rc;
    int64_t rev = 0;
    int64_t r = pvg_store_x(s, "INSERT INTO media_banks (name, created_at) VALUES (?, ?)"
                               " ON CONFLICT (name) DO NOTHING",
                            "ti", bank, now_ms);
    if (r < 0) {
        rc = (int)r;
        goto fail;
    }
    rc = pvg_store_media_next_rev(s, &rev);
    if (rc)
        goto fail;
    rc = pvg_store_x_int(s, id,
                         "INSERT INTO media_bank_entries (bank, pdq, source_case_id, enabled,"
                         " created_at, origin, rev) VALUES (?, ?, NULLIF(?, 0), 1, ?, 'manual', ?)"
                         " RETURNING id",
                         "tbiii", bank, (const void *)pdq, (size_t)32,
                         source_case_id > 0 ? source_case_id : 0, now_ms, rev);
    if (rc != PVG_STORE_ROW) {
        rc = rc < 0 ? rc : PVG_ENF_ESTORE;
        goto fail;
    }
    return pvg_store_commit(s);
fail:
    pvg_store_rollback(s);
    return rc;
}

int pvg_store_media_disable(pvg_store_t *s, int64_t id)
{
    if (!s || id <= 0)
        return PVG_ENF_EINVAL;
    int rc = pvg_store_begin(s);
    if (rc)
        return rc;
    int64_t enabled = -1, rev = 0;
    rc = pvg_store_x_int(s, &enabled, "SELECT enabled FROM media_bank_entries WHERE id = ?", "i",
                         id);
    if (rc < 0)
        goto fail;
    if (rc == PVG_STORE_DONE) {
        rc = PVG_ENF_ENOTFOUND;
        goto fail;
    }
    if (!enabled) {
        rc = PVG_ENF_EALREADY;
        goto fail;
    }
    rc = pvg_store_media_next_rev(s, &rev);
    if (rc)
        goto fail;
    int64_t r = pvg_store_x(s, "UPDATE media_bank_entries SET enabled = 0, rev = ? WHERE id = ?",
                            "ii", rev, id);
    if (r < 0) {
        rc = (int)r;
        goto fail;
    }
    return pvg_store_commit(s);
fail:
    pvg_store_rollback(s);
    return rc;
}

int pvg_store_media_list_enabled(pvg_store_t *s, pvg_media_entry_cb cb, void *ctx)
{
    if (!s || !cb)
        return PVG_ENF_EINVAL;
    pvg_stmt_t *st;
    int rc = pvg_store_q(s, &st,
                         "SELECT id, bank, pdq, source_case_id, created_at FROM media_bank_entries"
                         " WHERE enabled = 1 ORDER BY id",
                         "");
    if (rc)
        return rc;
    while ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        const void *p;
        size_t n = pvg_store_col_blob(st, 2, &p);
        if (n != 32) {
            rc = PVG_ENF_ESTORE;
            break;
        }
        rc = cb(pvg_store_col_int(st, 0), pvg_store_col_text(st, 1), p,
                pvg_store_col_int(st, 3), pvg_store_col_int(st, 4), ctx);
        if (rc)
            break;
    }
    pvg_store_finalize(st);
    return rc == PVG_STORE_DONE ? PVG_ENF_OK : rc;
}

int pvg_store_media_changes(pvg_store_t *s, int64_t after_rev, int64_t after_id, int limit,
                            pvg_media_row_cb cb, void *ctx, int *n)
{
    if (n)
        *n = 0;
    if (!s || !cb || limit < 1 || limit > 100000)
        return PVG_ENF_EINVAL;
    pvg_stmt_t *st;
    int rc = pvg_store_q(s, &st,
                         "SELECT id, bank, pdq, COALESCE(source_case_id, 0),"
                         " COALESCE(source_notice_id, 0), origin, COALESCE(quality, -1), enabled,"
                         " rev, created_at FROM media_bank_entries"
                         " WHERE rev > ? OR (rev = ? AND id > ?) ORDER BY rev, id LIMIT ?",
                         "iiii", after_rev, after_rev, after_id, (int64_t)limit);
    if (rc)
        return rc;
    int count = 0;
    while ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        const void *p;
        if (pvg_store_col_blob(st, 2, &p) != 32 || !pvg_store_col_text(st, 1)) {
            rc = PVG_ENF_ESTORE;
            break;
        }
        pvg_media_row_t row = {
            .id = pvg_store_col_int(st, 0),
            .bank = pvg_store_col_text(st, 1),
            .pdq = p,
            .source_case_id = pvg_store_col_int(st, 3),
            .source_notice_id = pvg_store_col_int(st, 4),
            .origin = pvg_store_col_text(st, 5),
            .quality = (int)pvg_store_col_int(st, 6),
            .enabled = pvg_store_col_int(st, 7) != 0,
            .rev = pvg_store_col_int(st, 8),
            .created_at = pvg_store_col_int(st, 9),
        };
        count++;
        rc = cb(&row, ctx);
        if (rc)
            break;
    }
    pvg_store_finalize(st);
    if (n)
        *n = count;
    return rc == PVG_STORE_DONE ? PVG_ENF_OK : rc;
}
