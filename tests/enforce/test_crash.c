/* SPDX-License-Identifier: MIT */
/*
 * test_crash.c -- no committed report is lost when the process dies.
 *
 * A child process submits reports in a loop and, after each submit returns
 * (committed), writes the report id to a pipe. The parent reads ids for a
 * while, kills the child with SIGKILL in the middle of the stream, reopens
 * the store and checks that every id it was told about exists with its
 * evidence, and that the audit chain still verifies. Runs on SQLite and on
 * PostgreSQL.
 */
#include "testutil.h"

#include <privguard/enforce.h>

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static int g_backend;

static void child(const char *spec, const char *keys, int fd)
{
    pvg_enforce_options_t o;
    pvg_enforce_options_init(&o);
    o.store = spec;
    o.key_dir = keys;
    o.pool_size = 1;
    o.report_rate_per_hour = 0;
    o.auto_measure_reporters = 0;
    pvg_enforce_t *e;
    if (pvg_enforce_open(&o, &e))
        _exit(3);
    pvg_actor_t app = {"app:crash", PVG_ROLE_REPORTER_APP, NULL};
    for (long i = 0;; i++) {
        char reporter[32], account[32], subject[32], text[64];
        snprintf(reporter, sizeof reporter, "user:r%ld", i);
        snprintf(account, sizeof account, "user:a%ld", i % 50);
        snprintf(subject, sizeof subject, "m%ld", i);
        snprintf(text, sizeof text, "fake evidence number %ld 010-0000-%04ld", i, i % 10000);
        pvg_evidence_in_t ev = {.text = text, .len = strlen(text)};
        pvg_report_in_t in = {.reporter = reporter, .account = account,
                              .subject_type = "message", .subject_id = subject,
                              .reason = "pii_exposure", .channel = "in_app",
                              .evidence = &ev, .n_evidence = 1};
        pvg_report_out_t out;
        if (pvg_report_submit(e, &app, &in, &out))
            _exit(4);
        char line[32];
        int n = snprintf(line, sizeof line, "%lld\n", (long long)out.report_id);
        if (write(fd, line, (size_t)n) != n)
            _exit(5);
    }
}

static void test_crash(void **state)
{
    (void)state;
    char spec[768], dir[256], keys[300];
    if (fresh_store(g_backend, spec, sizeof spec, dir, sizeof dir))
        skip();
    snprintf(keys, sizeof keys, "%s/keys", dir);
    /* create schema and keys first, so the child starts writing at once */
    pvg_enforce_options_t o;
    pvg_enforce_options_init(&o);
    o.store = spec;
    o.key_dir = keys;
    pvg_enforce_t *e;
    assert_int_equal(pvg_enforce_open(&o, &e), 0);
    pvg_enforce_close(e);

    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        child(spec, keys, p[1]);
    }
    close(p[1]);
    static int64_t ids[1000000];
    size_t n = 0;
    char buf[4096], part[32];
    size_t plen = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        ssize_t got = read(p[0], buf, sizeof buf);
        if (got <= 0)
            break;
        for (ssize_t i = 0; i < got; i++) {
            if (buf[i] == '\n') {
                part[plen] = 0;
                ids[n++] = strtoll(part, NULL, 10);
                plen = 0;
            } else if (plen < sizeof part - 1) {
                part[plen++] = buf[i];
            }
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double el = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (n >= 400 || el > 4.0 || n >= sizeof ids / sizeof ids[0] - 1000)
            break;
    }
    assert_int_equal(kill(pid, SIGKILL), 0); /* in the middle of the stream */
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    /* ids written after our last read were committed too: read the rest */
    ssize_t got;
    while ((got = read(p[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < got; i++) {
            if (buf[i] == '\n') {
                part[plen] = 0;
                ids[n++] = strtoll(part, NULL, 10);
                plen = 0;
            } else if (plen < sizeof part - 1) {
                part[plen++] = buf[i];
            }
        }
    }
    close(p[0]);
    print_message("%s: child killed after %zu committed reports\n", backend_name(g_backend), n);
    assert_true(n > 10);

    assert_int_equal(pvg_enforce_open(&o, &e), 0);
    pvg_store_t *s;
    assert_int_equal(pvg_store_open(spec, &s), 0);
    for (size_t i = 0; i < n; i++) {
        int64_t ev = 0;
        int rc = pvg_store_x_int(s, &ev,
                                 "SELECT COUNT(*) FROM evidence v JOIN reports r"
                                 " ON r.id = v.report_id WHERE r.id = ? AND v.ciphertext IS NOT NULL",
                                 "i", ids[i]);
        assert_int_equal(rc, PVG_STORE_ROW);
        if (ev != 1)
            fail_msg("committed report %lld is missing after the crash", (long long)ids[i]);
    }
    pvg_store_close(s);
    int64_t entries = 0, bad = 0;
    assert_int_equal(pvg_audit_verify(e, &entries, &bad), 0);
    assert_true(entries >= (int64_t)n);
    pvg_enforce_close(e);
    remove_tree(dir);
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
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_crash)};
    int fails = cmocka_run_group_tests_name("crash/sqlite", tests, use_sqlite, NULL);
    fails += cmocka_run_group_tests_name("crash/postgresql", tests, use_pg, NULL);
    return fails ? 1 : 0;
}
