/* SPDX-License-Identifier: MIT */
/*
 * test_scache.c -- the in-memory sanction check cache on its own: windows,
 * scopes, rooms and objects, the most-restrictive-then-latest rule,
 * replacement and removal, pruning, many accounts (table growth), and
 * concurrent readers with a writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <cmocka.h>

#include "enforce/scache.h"

static void test_rules(void **state)
{
    (void)state;
    pvg_scache_t *c = pvg__scache_new();
    assert_non_null(c);
    pvg_check_t r;
    pvg__scache_check(c, "a", PVG_SCOPE_MESSAGE_SEND, NULL, NULL, 100, &r);
    assert_true(r.allowed);
    assert_int_equal(pvg__scache_put(c, "a", 1, PVG_SCOPE_MESSAGE_SEND, "room1", NULL, 100, 200), 0);
    pvg__scache_check(c, "a", PVG_SCOPE_MESSAGE_SEND, "room1", NULL, 150, &r);
    assert_false(r.allowed);
    pvg__scache_check(c, "a", PVG_SCOPE_MESSAGE_SEND, "room2", NULL, 150, &r);
    assert_true(r.allowed);
    pvg__scache_check(c, "a", PVG_SCOPE_MESSAGE_SEND, NULL, NULL, 150, &r);
    assert_true(r.allowed);
    pvg__scache_check(c, "a", PVG_SCOPE_MESSAGE_SEND, "room1", NULL, 99, &r);
    assert_true(r.allowed); /* not started */
    pvg__scache_check(c, "a", PVG_SCOPE_MESSAGE_SEND, "room1", NULL, 200, &r);
    assert_true(r.allowed); /* end is exclusive */
    /* all rooms beats one room; service beats both; then the latest end */
    assert_int_equal(pvg__scache_put(c, "a", 2, PVG_SCOPE_MESSAGE_SEND, NULL, NULL, 100, 180), 0);
    pvg__scache_check(c, "a", PVG_SCOPE_MESSAGE_SEND, "room1", NULL, 150, &r);
    assert_int_equal(r.sanction_id, 2);
    assert_int_equal(pvg__scache_put(c, "a", 3, PVG_SCOPE_MESSAGE_SEND, NULL, NULL, 100, 190), 0);
    pvg__scache_check(c, "a", PVG_SCOPE_MESSAGE_SEND, "room1", NULL, 150, &r);
    assert_int_equal(r.sanction_id, 3);
    assert_int_equal(pvg__scache_put(c, "a", 4, PVG_SCOPE_SERVICE, NULL, NULL, 100, 120), 0);
    pvg__scache_check(c, "a", PVG_SCOPE_MESSAGE_SEND, "room1", NULL, 110, &r);
    assert_int_equal(r.sanction_id, 4);
    assert_int_equal(r.scope, PVG_SCOPE_SERVICE);
    pvg__scache_check(c, "a", PVG_SCOPE_OPEN_PROFILE, NULL, NULL, 110, &r);
    assert_int_equal(r.sanction_id, 4);
    pvg__scache_check(c, "a", PVG_SCOPE_OPEN_PROFILE, NULL, NULL, 130, &r);
    assert_true(r.allowed);
    /* objects */
    assert_int_equal(pvg__scache_put(c, "b", 5, PVG_SCOPE_POST_VISIBILITY, NULL, "p1", 0, INT64_MAX), 0);
    pvg__scache_check(c, "b", PVG_SCOPE_POST_VISIBILITY, NULL, "p1", 1LL << 50, &r);
    assert_false(r.allowed);
    assert_int_equal(r.ends_at, INT64_MAX);
    pvg__scache_check(c, "b", PVG_SCOPE_POST_VISIBILITY, NULL, "p2", 5, &r);
    assert_true(r.allowed);
    /* replace by id, remove */
    assert_int_equal(pvg__scache_put(c, "b", 5, PVG_SCOPE_POST_VISIBILITY, NULL, "p1", 0, 10), 0);
    pvg__scache_check(c, "b", PVG_SCOPE_POST_VISIBILITY, NULL, "p1", 20, &r);
    assert_true(r.allowed);
    pvg__scache_remove(c, "a", 3);
    pvg__scache_remove(c, "a", 3);
    pvg__scache_remove(c, "nobody", 3);
    pvg__scache_check(c, "a", PVG_SCOPE_MESSAGE_SEND, "room1", NULL, 150, &r);
    assert_int_equal(r.sanction_id, 2);
    assert_int_equal(pvg__scache_size(c), 4);
    assert_int_equal(pvg__scache_prune(c, 185), 3); /* ids 2, 4 and 5 ended */
    assert_int_equal(pvg__scache_size(c), 1);
    pvg__scache_free(c);
}

static void test_many_accounts(void **state)
{
    (void)state;
    pvg_scache_t *c = pvg__scache_new();
    char acc[32];
    for (int i = 0; i < 50000; i++) {
        snprintf(acc, sizeof acc, "user:%d", i);
        assert_int_equal(pvg__scache_put(c, acc, i + 1, PVG_SCOPE_OPENCHAT_ACCESS, NULL, NULL, 0,
                                         i % 2 ? 1000 : INT64_MAX), 0);
    }
    pvg_check_t r;
    for (int i = 0; i < 50000; i += 997) {
        snprintf(acc, sizeof acc, "user:%d", i);
        pvg__scache_check(c, acc, PVG_SCOPE_OPENCHAT_ACCESS, NULL, NULL, 500, &r);
        assert_false(r.allowed);
        assert_int_equal(r.sanction_id, i + 1);
    }
    assert_int_equal(pvg__scache_prune(c, 2000), 25000);
    for (int i = 0; i < 50000; i += 2) {
        snprintf(acc, sizeof acc, "user:%d", i);
        pvg__scache_remove(c, acc, i + 1);
    }
    assert_int_equal(pvg__scache_size(c), 0);
    /* growth after emptied slots still finds new accounts */
    assert_int_equal(pvg__scache_put(c, "late", 1, PVG_SCOPE_SERVICE, NULL, NULL, 0, 10), 0);
    pvg__scache_check(c, "late", PVG_SCOPE_MESSAGE_SEND, NULL, NULL, 5, &r);
    assert_false(r.allowed);
    pvg__scache_free(c);
}

static void *reader(void *arg)
{
    pvg_scache_t *c = arg;
    pvg_check_t r;
    for (int i = 0; i < 200000; i++) {
        pvg__scache_check(c, "hot", PVG_SCOPE_MESSAGE_SEND, NULL, NULL, 50, &r);
        if (r.allowed)
            return (void *)1; /* sanction 1 is never removed */
    }
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    pvg_scache_t *c = pvg__scache_new();
    assert_int_equal(pvg__scache_put(c, "hot", 1, PVG_SCOPE_MESSAGE_SEND, NULL, NULL, 0, 100), 0);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, c), 0);
    char acc[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(acc, sizeof acc, "u%d", i);
        assert_int_equal(pvg__scache_put(c, acc, 100 + i, PVG_SCOPE_SERVICE, NULL, NULL, 0, 10), 0);
        assert_int_equal(pvg__scache_put(c, "hot", 2, PVG_SCOPE_MESSAGE_SEND, NULL, NULL, 0, i), 0);
        pvg__scache_remove(c, "hot", 2);
    }
    for (int i = 0; i < 3; i++) {
        void *res;
        pthread_join(t[i], &res);
        assert_null(res);
    }
    pvg__scache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_many_accounts),
        cmocka_unit_test(test_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
