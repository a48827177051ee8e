/* SPDX-License-Identifier: MIT */
/*
 * test_kill.c -- the scale-out promise under a crash: two `privguard
 * consume` processes share PVG_STREAM_KILL_N generated messages (default
 * 100000) on 16 partitions; when half the verdicts are in, one worker is
 * killed with SIGKILL. Its leases lapse, the other worker takes its
 * partitions over, rewinds their consumers to the ack floor and finishes.
 * Then: every message has exactly one verdict on the verdict stream (no id
 * missing, none twice), every verdict that calls for review has exactly one
 * automated report in the store (PostgreSQL when PVG_TEST_PG is set, else
 * a SQLite file), and the survivor drains and exits cleanly on SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <jansson.h>
#include <privguard/store.h>

#include "enforce/testutil.h"
#include "natsutil.h"
#include "streamgen.h"

extern char **environ;

typedef struct seen {
    unsigned char *bits;
    int64_t n, distinct, dups, bad, review;
} seen_t;

static int on_verdict(const char *data, size_t len, void *ctx)
{
    seen_t *s = ctx;
    json_t *v = json_loadb(data, len, 0, NULL);
    const char *id = json_string_value(json_object_get(v, "id"));
    char *end = NULL;
    long long i = id && id[0] == 'm' ? strtoll(id + 1, &end, 10) : -1;
    if (!v || i < 0 || i >= s->n || !end || *end) {
        s->bad++;
    } else if (s->bits[i / 8] & (1u << (i % 8))) {
        s->dups++;
    } else {
        s->bits[i / 8] |= (unsigned char)(1u << (i % 8));
        s->distinct++;
        size_t k;
        json_t *x;
        json_array_foreach(json_object_get(v, "violations"), k, x)
        {
            const char *act = json_string_value(json_object_get(x, "action"));
            if (!json_is_true(json_object_get(x, "shadow")) && act &&
                (!strcmp(act, "review") || !strcmp(act, "block"))) {
                s->review++;
                break;
            }
        }
    }
    json_decref(v);
    return 0;
}

static pid_t spawn_worker(const char *cli, const test_deploy_t *d, const char *store,
                          const char *keys, const char *dir, const char *name)
{
    char out[256], log[256], metrics[256];
    snprintf(out, sizeof out, "%s/%s.out", dir, name);
    snprintf(log, sizeof log, "%s/%s.log", dir, name);
    snprintf(metrics, sizeof metrics, "%s/%s.json", dir, name);
    char parts[16];
    snprintf(parts, sizeof parts, "%d", d->c.partitions);
    char *argv[] = {(char *)cli, "consume", "--url", (char *)d->c.url, "--prefix",
                    (char *)d->prefix, "--partitions", parts, "--lease-ms", "2000",
                    "--store", (char *)store, "--keys", (char *)keys, "--threads", "2",
                    "--batch", "256", "--worker-id", (char *)name, "--metrics-file", metrics,
                    NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, cli, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc)
        fail_msg("cannot start a worker: %s", strerror(rc));
    return pid;
}

/* A counter from a worker's metrics file, or -1 when not readable yet. */
static int64_t metric(const char *dir, const char *name, const char *key)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    json_t *m = json_load_file(path, 0, NULL);
    int64_t v = m ? (int64_t)json_integer_value(json_object_get(m, key)) : -1;
    json_decref(m);
    return v;
}

static int wait_exit(pid_t pid, int64_t timeout_ms)
{
    int64_t t0 = test_now_ms();
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (test_now_ms() - t0 > timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        test_sleep_ms(20);
    }
}

static void test_kill_one_of_two(void **state)
{
    (void)state;
    const char *url = test_nats_url();
    if (!url)
        skip();
    const char *cli = getenv("PVG_CLI");
    assert_non_null(cli);
    int64_t n = 100000;
    const char *ns = getenv("PVG_STREAM_KILL_N");
    if (ns && *ns) {
        char *end;
        n = strtoll(ns, &end, 10);
        if (*end || n < 100)
            fail_msg("PVG_STREAM_KILL_N must be a number of at least 100");
    }
    int backend = getenv("PVG_TEST_PG") && *getenv("PVG_TEST_PG") ? BACKEND_PG : BACKEND_SQLITE;
    char spec[512], dir[128], keys[256], input[256];
    if (fresh_store(backend, spec, sizeof spec, dir, sizeof dir))
        skip();
    snprintf(keys, sizeof keys, "%s/keys", dir);
    snprintf(input, sizeof input, "%s/in.jsonl", dir);
    print_message("%lld messages, store on %s\n", (long long)n, backend_name(backend));

    test_deploy_t d;
    test_deploy_init(&d, url, 16);
    d.c.lease_ms = 2000;
    char err[512] = "";
    assert_int_equal(pvg_stream_setup(&d.c, err, sizeof err), 0);
    pvg_producer_t *p = NULL;
    assert_int_equal(pvg_producer_open(&d.c, &p, err, sizeof err), 0);
    FILE *f = fopen(input, "w+");
    assert_non_null(f);
    assert_int_equal(streamgen_write(f, "m", (uint64_t)n, 2000, 500, 42), 0);
    rewind(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0)
        assert_int_equal(pvg_producer_send(p, line, (size_t)(len - 1)), 0);
    free(line);
    fclose(f);
    assert_int_equal(pvg_producer_flush(p, 60000), 0);
    assert_int_equal(pvg_producer_sent(p), (uint64_t)n);
    pvg_producer_close(p);

    natsConnection *nc = NULL;
    assert_int_equal(natsConnection_ConnectTo(&nc, url), NATS_OK);
    test_watch_t watch;
    test_watch_open(&watch, nc, &d);
    int64_t t0 = test_now_ms();
    pid_t a = spawn_worker(cli, &d, spec, keys, dir, "worker-a");
    pid_t b = spawn_worker(cli, &d, spec, keys, dir, "worker-b");

    /* Half way, with the victim in the middle of its work: SIGKILL. */
    int64_t count = 0;
    while (test_now_ms() - t0 < 240000) {
        count = test_watch_lines(&watch);
        if (count >= n / 2 && metric(dir, "worker-a", "verdicts") > 0)
            break;
        test_sleep_ms(20);
    }
    assert_true(count >= n / 2);
    int64_t a_done = metric(dir, "worker-a", "verdicts");
    kill(a, SIGKILL);
    assert_int_equal(wait_exit(a, 10000), 128 + SIGKILL);
    int64_t t_kill = test_now_ms();
    print_message("killed worker-a at %lld verdicts (it had published about %lld)\n",
                  (long long)count, (long long)a_done);

    /* The watch may count a verdict message the server then refused (a
     * fence): the stream itself is read once the count is reached. */
    while (test_now_ms() - t_kill < 240000) {
        count = test_watch_lines(&watch);
        if (count >= n && (count = test_read_verdicts(&d, NULL, NULL)) >= n)
            break;
        test_sleep_ms(count >= n ? 500 : 50);
    }
    test_watch_close(&watch);
    int64_t t_done = test_now_ms();
    print_message("all %lld verdicts %lld ms after the kill, %lld ms in all\n", (long long)count,
                  (long long)(t_done - t_kill), (long long)(t_done - t0));
    assert_int_equal(count, n);

    /* The survivor took the dead worker's partitions and drains on SIGTERM. */
    int64_t taken = metric(dir, "worker-b", "leases_taken");
    kill(b, SIGTERM);
    int brc = wait_exit(b, 60000);
    assert_int_equal(brc, 0);
    char outp[256];
    snprintf(outp, sizeof outp, "%s/worker-b.out", dir);
    json_t *fin = json_load_file(outp, 0, NULL);
    assert_non_null(fin);
    char *fin_text = json_dumps(fin, JSON_COMPACT);
    print_message("worker-b: %s\n", fin_text ? fin_text : "?");
    free(fin_text);
    assert_true(json_integer_value(json_object_get(fin, "leases_taken")) > 8);
    assert_true(taken > 8);
    assert_int_equal(json_integer_value(json_object_get(fin, "failures")), 0);
    json_decref(fin);

    /* Exactly one verdict per message on the stream. */
    seen_t s = {.n = n};
    s.bits = calloc((size_t)(n / 8 + 1), 1);
    int64_t read = test_read_verdicts(&d, on_verdict, &s);
    assert_int_equal(read, n);
    assert_int_equal(s.bad, 0);
    assert_int_equal(s.dups, 0);
    assert_int_equal(s.distinct, n);
    free(s.bits);
    /* `privguard consume --verdicts` prints the same lines. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' consume --verdicts --url '%s' --prefix '%s' | wc -l", cli,
             url, d.prefix);
    FILE *pc = popen(cmd, "r");
    assert_non_null(pc);
    long long printed = -1;
    assert_int_equal(fscanf(pc, "%lld", &printed), 1);
    assert_int_equal(pclose(pc), 0);
    assert_int_equal(printed, n);

    /* Exactly one automated report per verdict that calls for review. */
    pvg_store_t *st = NULL;
    assert_int_equal(pvg_store_open(spec, &st), 0);
    pvg_stmt_t *q = NULL;
    assert_int_equal(pvg_store_prepare(st,
                                       "SELECT COUNT(*), COUNT(DISTINCT external_id) FROM reports"
                                       " WHERE channel = 'automated'",
                                       &q),
                     0);
    assert_int_equal(pvg_store_step(q), PVG_STORE_ROW);
    int64_t reports = pvg_store_col_int(q, 0), distinct = pvg_store_col_int(q, 1);
    pvg_store_finalize(q);
    pvg_store_close(st);
    print_message("%lld verdicts call for review, %lld reports (%lld distinct)\n",
                  (long long)s.review, (long long)reports, (long long)distinct);
    assert_true(s.review > 0);
    assert_int_equal(reports, s.review);
    assert_int_equal(distinct, s.review);

    test_deploy_drop(nc, &d);
    natsConnection_Destroy(nc);
    remove_tree(dir);
}

static int teardown_all(void **state)
{
    (void)state;
    nats_CloseAndWait(5000);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_one_of_two),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
