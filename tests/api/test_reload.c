/* SPDX-License-Identifier: MIT */
/*
 * test_reload.c -- rules reload under load: scanning threads take the
 * current engine from a slot for every message while the main thread swaps
 * in new engines (two rule sets that differ in one rule); every message gets
 * exactly one verdict, from one whole rule set, and none is lost. A broken
 * rules file is refused with its line and the running engine keeps working.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <privguard/privguard.h>

#define THREADS 3

static pvg_slot_t *slot;
static char *rules_on, *rules_off;

typedef struct worker {
    int id;
    size_t scanned, trade, clean, errors;
} worker_t;

static const char *const msgs[] = {
    "주식 디비 최신 1만건 건당 50원 텔레 문의",
    "오늘 점심 뭐 먹을까",
    "이 사람 번호 010-3920-4417 다들 연락해",
};

static volatile int stop;

static void *work(void *arg)
{
    worker_t *w = arg;
    pvg_scratch_t *s = NULL;
    pvg_window_t *win = NULL;
    if (pvg_window_alloc(0, 0, 0, &win))
        return NULL;
    for (int i = 0; !__atomic_load_n(&stop, __ATOMIC_ACQUIRE) || i % 3; i++) {
        const pvg_engine_t *e = pvg_slot_acquire(slot);
        /* Grow the scratch for a new engine outside the scan. */
        if (pvg_scratch_alloc(e, &s) != PVG_OK) {
            w->errors++;
            pvg_slot_release(slot, e);
            continue;
        }
        const char *t = msgs[i % 3];
        pvg_message_t m = {0};
        m.text = t;
        m.text_len = strlen(t);
        m.surface = PVG_SURFACE_OPEN_CHAT;
        m.room = "r";
        m.room_len = 1;
        m.sender = w->id ? "b" : "a";
        m.sender_len = 1;
        m.ts_ms = 1764300000000LL + i;
        pvg_result_t r;
        if (pvg_scan_message(e, &m, win, 0, s, &r) == PVG_OK) {
            w->scanned++;
            if (i % 3 == 0) {
                int trade = 0;
                for (size_t v = 0; v < r.n_violations; v++)
                    trade |= !strcmp(r.violations[v].category, "pii_trade");
                if (trade)
                    w->trade++;
                else
                    w->clean++;
            }
        } else {
            w->errors++;
        }
        pvg_slot_release(slot, e);
    }
    pvg_scratch_free(s);
    pvg_window_free(win);
    return NULL;
}

static void test_reload_under_load(void **state)
{
    (void)state;
    pvg_engine_t *e = NULL;
    assert_int_equal(pvg_engine_compile(rules_on, strlen(rules_on), 0, &e, NULL), PVG_OK);
    assert_int_equal(pvg_slot_alloc(e, &slot), PVG_OK);
    /* Compile the new engines first, so that the swaps come quickly while
     * the workers scan (compiling under ASan on a busy machine is slow). */
    enum { SWAPS = 8 };
    pvg_engine_t *next[SWAPS];
    for (int k = 0; k < SWAPS; k++) {
        const char *text = k % 2 ? rules_on : rules_off;
        next[k] = NULL;
        assert_int_equal(pvg_engine_compile(text, strlen(text), 0, &next[k], NULL), PVG_OK);
    }
    pthread_t th[THREADS];
    worker_t w[THREADS];
    memset(w, 0, sizeof w);
    for (int i = 0; i < THREADS; i++) {
        w[i].id = i;
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    int swaps = 0;
    struct timespec pause = {0, 50 * 1000000};
    for (int k = 0; k < SWAPS; k++) {
        assert_int_equal(pvg_slot_swap(slot, next[k]), PVG_OK);
        swaps++;
        nanosleep(&pause, NULL);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    size_t scanned = 0, trade = 0, clean = 0, errors = 0;
    for (int i = 0; i < THREADS; i++) {
        scanned += w[i].scanned;
        trade += w[i].trade;
        clean += w[i].clean;
        errors += w[i].errors;
    }
    fprintf(stderr, "reload: %d swaps, %zu messages scanned (%zu trade verdicts, %zu clean), %zu errors\n",
            swaps, scanned, trade, clean, errors);
    assert_int_equal(errors, 0);
    /* Each worker stops after a whole round of three messages. */
    assert_int_equal(scanned % 3, 0);
    /* Every trade message got a verdict from one whole rule set or the
     * other, and both rule sets answered while the swaps went on. */
    assert_int_equal(trade + clean, scanned / 3);
    assert_true(trade > 0 && clean > 0);
    assert_int_equal(pvg_slot_generation(slot), (uint64_t)swaps);
    pvg_slot_free(slot);
    slot = NULL;
}

static void test_broken_rules_keep_engine(void **state)
{
    (void)state;
    pvg_engine_t *e = NULL;
    assert_int_equal(pvg_engine_compile(NULL, 0, 0, &e, NULL), PVG_OK);
    assert_int_equal(pvg_slot_alloc(e, &slot), PVG_OK);
    const char *broken = "version: 1\npolicy:\n  categories:\n    pii_trade:\n      rules:\n"
                         "        - id: x\n          regex: '(unclosed'\n";
    pvg_engine_t *ne = NULL;
    pvg_compile_error_t *err = NULL;
    assert_int_equal(pvg_engine_compile(broken, strlen(broken), 0, &ne, &err), PVG_ECOMPILE);
    assert_null(ne);
    assert_non_null(err);
    assert_int_equal(err->line, 7);
    pvg_compile_error_free(err);
    const char *typo = "version: 1\ndetectors:\n  KR_RRN:\n    enabeld: true\n";
    assert_int_equal(pvg_engine_compile(typo, strlen(typo), 0, &ne, &err), PVG_ECOMPILE);
    assert_int_equal(err->line, 4);
    assert_non_null(strstr(err->message, "enabeld"));
    pvg_compile_error_free(err);
    /* The running engine still answers. */
    const pvg_engine_t *cur = pvg_slot_acquire(slot);
    pvg_scratch_t *s = NULL;
    assert_int_equal(pvg_scratch_alloc(cur, &s), PVG_OK);
    pvg_message_t m = {0};
    m.text = "주민번호 900101-1234568";
    m.text_len = strlen(m.text);
    pvg_result_t r;
    assert_int_equal(pvg_scan_message(cur, &m, NULL, 0, s, &r), PVG_OK);
    assert_int_equal(r.n_findings, 1);
    pvg_scratch_free(s);
    pvg_slot_release(slot, cur);
    pvg_slot_free(slot);
    slot = NULL;
}

static void test_slot_args(void **state)
{
    (void)state;
    pvg_slot_t *sl = NULL;
    assert_int_equal(pvg_slot_alloc(NULL, &sl), PVG_EINVAL);
    assert_int_equal(pvg_slot_swap(NULL, NULL), PVG_EINVAL);
    pvg_slot_free(NULL);
    assert_int_equal(pvg_slot_generation(NULL), 0);
}

int main(void)
{
    size_t len;
    const char *def = pvg_default_rules(&len);
    rules_on = strndup(def, len);
    /* The same rules with the pii_trade category off. */
    const char *key = "    pii_trade:\n      threshold:";
    const char *at = strstr(def, key);
    if (!rules_on || !at)
        return 1;
    size_t head = (size_t)(at - def) + strlen("    pii_trade:\n");
    rules_off = malloc(len + 32);
    if (!rules_off)
        return 1;
    memcpy(rules_off, def, head);
    memcpy(rules_off + head, "      mode: off\n", 16);
    memcpy(rules_off + head + 16, def + head, len - head);
    rules_off[len + 16] = 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_under_load),
        cmocka_unit_test(test_broken_rules_keep_engine),
        cmocka_unit_test(test_slot_args),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(rules_on);
    free(rules_off);
    return rc;
}
