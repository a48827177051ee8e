/* SPDX-License-Identifier: MIT */
/*
 * test_store.c -- the storage interface on SQLite and PostgreSQL: opening
 * and bad specs, migrations (idempotent, versioned), transactions that roll
 * back, unique violations as PVG_ENF_ECONFLICT, NULLs, 64-bit integers,
 * blobs with every byte value, placeholders inside quoted strings, and the
 * error-code table.
 */
#include "../enforce/testutil.h"

static int g_backend;

static void test_store(void **state)
{
    (void)state;
    char spec[768], dir[256];
    if (fresh_store(g_backend, spec, sizeof spec, dir, sizeof dir))
        skip();
    pvg_store_t *s;
    assert_int_equal(pvg_store_open(spec, &s), 0);
    assert_int_equal(pvg_store_kind(s), g_backend == BACKEND_PG ? PVG_STORE_POSTGRES
                                                                 : PVG_STORE_SQLITE);
    int v = 0;
    assert_int_equal(pvg_store_migrate(s, &v), 0);
    assert_int_equal(v, PVG_STORE_SCHEMA_VERSION);
    assert_int_equal(pvg_store_migrate(s, &v), 0); /* idempotent */
    assert_int_equal(v, PVG_STORE_SCHEMA_VERSION);
    int64_t n = 0;
    assert_int_equal(pvg_store_x_int(s, &n, "SELECT COUNT(*) FROM schema_migrations", ""),
                     PVG_STORE_ROW);
    assert_int_equal(n, PVG_STORE_SCHEMA_VERSION);

    assert_int_equal(pvg_store_exec(s, "DROP TABLE IF EXISTS t"), 0);
    assert_int_equal(pvg_store_exec(s, g_backend == BACKEND_PG
                                           ? "CREATE TABLE t (id BIGINT PRIMARY KEY,"
                                             " name TEXT UNIQUE, b BYTEA, big BIGINT)"
                                           : "CREATE TABLE t (id BIGINT PRIMARY KEY,"
                                             " name TEXT UNIQUE, b BLOB, big BIGINT)"),
                     0);
    unsigned char blob[256];
    for (int i = 0; i < 256; i++)
        blob[i] = (unsigned char)i;
    assert_int_equal(pvg_store_begin(s), 0);
    assert_int_equal(pvg_store_begin(s), PVG_ENF_EINVAL); /* no nesting */
    assert_int_equal(pvg_store_x(s, "INSERT INTO t VALUES (?, ?, ?, ?)", "itbi", (int64_t)1,
                                 "o'neil ?", (const void *)blob, sizeof blob,
                                 (int64_t)INT64_MAX),
                     1);
    assert_int_equal(pvg_store_commit(s), 0);
    /* a rolled-back transaction leaves nothing */
    assert_int_equal(pvg_store_begin(s), 0);
    assert_int_equal(pvg_store_x(s, "INSERT INTO t VALUES (?, ?, ?, ?)", "itni", (int64_t)2,
                                 "two", (int64_t)-5),
                     1);
    pvg_store_rollback(s);
    assert_int_equal(pvg_store_x_int(s, &n, "SELECT COUNT(*) FROM t", ""), PVG_STORE_ROW);
    assert_int_equal(n, 1);
    /* unique violations are conflicts */
    assert_int_equal(pvg_store_x(s, "INSERT INTO t VALUES (?, ?, NULL, 0)", "it", (int64_t)3,
                                 "o'neil ?"),
                     PVG_ENF_ECONFLICT);
    assert_null(strstr(pvg_store_errmsg(s), "o'neil"));
    /* a ? inside a string literal is not a placeholder */
    pvg_stmt_t *st;
    assert_int_equal(pvg_store_q(s, &st,
                                 "SELECT name, b, big, '?' FROM t WHERE id = ? AND name <> '?'",
                                 "i", (int64_t)1),
                     0);
    assert_int_equal(pvg_store_step(st), PVG_STORE_ROW);
    assert_string_equal(pvg_store_col_text(st, 0), "o'neil ?");
    const void *p;
    assert_int_equal(pvg_store_col_blob(st, 1, &p), 256);
    assert_memory_equal(p, blob, 256);
    assert_true(pvg_store_col_int(st, 2) == INT64_MAX);
    assert_string_equal(pvg_store_col_text(st, 3), "?");
    assert_int_equal(pvg_store_step(st), PVG_STORE_DONE);
    pvg_store_finalize(st);
    /* NULLs */
    assert_int_equal(pvg_store_x(s, "INSERT INTO t VALUES (?, ?, ?, ?)", "itbi", (int64_t)4,
                                 (const char *)NULL, (const void *)NULL, (size_t)0, (int64_t)0),
                     1);
    assert_int_equal(pvg_store_q(s, &st, "SELECT name, b FROM t WHERE id = 4", ""), 0);
    assert_int_equal(pvg_store_step(st), PVG_STORE_ROW);
    assert_true(pvg_store_col_null(st, 0));
    assert_null(pvg_store_col_text(st, 0));
    assert_int_equal(pvg_store_col_blob(st, 1, &p), 0);
    assert_null(p);
    pvg_store_finalize(st);
    /* wrong parameter counts and bad SQL are errors, not crashes */
    assert_int_equal(pvg_store_x(s, "SELECT ? + ?", "i", (int64_t)1), PVG_ENF_EINVAL);
    assert_true(pvg_store_x(s, "SELEKT nonsense", "") < 0);
    assert_int_equal(pvg_store_x(s, "UPDATE t SET big = 7 WHERE id > ?", "i", (int64_t)0), 2);
    pvg_store_close(s);

    pvg_store_t *bad;
    assert_int_equal(pvg_store_open("", &bad), PVG_ENF_EINVAL);
    assert_int_equal(pvg_store_open("host=127.0.0.1 port=1 dbname=none connect_timeout=2", &bad),
                     PVG_ENF_ESTORE);
    assert_null(bad);
    assert_int_equal(pvg_store_open("/proc/no/such/place/x.db", &bad), PVG_ENF_ESTORE);
    remove_tree(dir);
}

static void test_codes(void **state)
{
    (void)state;
    static const struct {
        int code, http;
        const char *name;
    } t[] = {{PVG_ENF_OK, 200, "ok"},
             {PVG_ENF_EINVAL, 400, "invalid_input"},
             {PVG_ENF_ENOTFOUND, 404, "not_found"},
             {PVG_ENF_ETRANSITION, 409, "invalid_transition"},
             {PVG_ENF_EALREADY, 409, "already_in_state"},
             {PVG_ENF_EDUPLICATE, 409, "duplicate"},
             {PVG_ENF_EFORBIDDEN, 403, "forbidden"},
             {PVG_ENF_ERATE, 429, "rate_limited"},
             {PVG_ENF_ESTORE, 500, "store_error"},
             {PVG_ENF_EUNAUTH, 401, "unauthorized"},
             {PVG_ENF_EBUSY, 503, "busy"},
             {-999, 500, "unknown_error"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_int_equal(pvg_enf_http_status(t[i].code), t[i].http);
        assert_string_equal(pvg_enf_errname(t[i].code), t[i].name);
        assert_non_null(pvg_enf_strerror(t[i].code));
    }
}

static int use_sqlite(void **state)
{
    (void)state;
    g_backend = BACKEND_SQLITE;
    return 0;
}

static int use_pg(void **state)
{
    (void)state;
    g_backend = BACKEND_PG;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_store), cmocka_unit_test(test_codes)};
    int fails = cmocka_run_group_tests_name("store/sqlite", tests, use_sqlite, NULL);
    fails += cmocka_run_group_tests_name("store/postgresql", tests, use_pg, NULL);
    return fails ? 1 : 0;
}
