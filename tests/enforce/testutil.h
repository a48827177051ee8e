/* SPDX-License-Identifier: MIT */
/*
 * testutil.h -- helpers the store and enforcement tests share: a fresh
 * store for each backend (a SQLite file in a new temporary folder, or a new
 * schema in the PostgreSQL database named by PVG_TEST_PG), a pinned clock,
 * and the rule that a PostgreSQL variant without PVG_TEST_PG fails unless
 * PVG_ALLOW_NO_PG=1 (so CI cannot silently skip it).
 */
#ifndef PVG_TEST_ENFORCE_UTIL_H
#define PVG_TEST_ENFORCE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <privguard/store.h>

enum { BACKEND_SQLITE = 0, BACKEND_PG = 1 };

static inline const char *backend_name(int b)
{
    return b == BACKEND_PG ? "postgresql" : "sqlite";
}

/* Fills spec (and dir, the temporary folder, for SQLite) with a fresh, empty
 * store of backend b. Returns 0, or 1 when the test is to be skipped. */
static inline int fresh_store(int b, char *spec, size_t n, char *dir, size_t dn)
{
    static unsigned counter;
    if (b == BACKEND_SQLITE) {
        snprintf(dir, dn, "/tmp/pvg-enforce-test.XXXXXX");
        if (!mkdtemp(dir))
            fail_msg("cannot create a temporary folder");
        snprintf(spec, n, "%s/data/pvg.db", dir);
        return 0;
    }
    const char *pg = getenv("PVG_TEST_PG");
    if (!pg || !*pg) {
        const char *allow = getenv("PVG_ALLOW_NO_PG");
        if (allow && !strcmp(allow, "1"))
            return 1;
        fail_msg("PVG_TEST_PG is not set: run under scripts/pg-test.sh run -- ..., "
                 "or set PVG_ALLOW_NO_PG=1 to skip the PostgreSQL variants");
    }
    char schema[64];
    snprintf(schema, sizeof schema, "t_%ld_%u", (long)getpid(), counter++);
    pvg_store_t *s = NULL;
    if (pvg_store_open(pg, &s))
        fail_msg("cannot connect to PVG_TEST_PG");
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema);
    if (pvg_store_exec(s, sql))
        fail_msg("cannot create schema: %s", pvg_store_errmsg(s));
    pvg_store_close(s);
    snprintf(spec, n, "%s options='-csearch_path=%s'", pg, schema);
    snprintf(dir, dn, "/tmp/pvg-enforce-test.XXXXXX");
    if (!mkdtemp(dir))
        fail_msg("cannot create a temporary folder");
    return 0;
}

static inline void remove_tree(const char *dir)
{
    if (!dir || strncmp(dir, "/tmp/pvg-enforce-test.", 22))
        return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: cannot remove %s\n", dir);
}

#endif
