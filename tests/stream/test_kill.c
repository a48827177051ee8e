/* SPDX-License-Identifier: MIT */
/*
 * test_kill.c -- the scale-out promise under a crash.
 *
 * test_kill_one_of_two: two `privguard consume` processes share
 * PVG_STREAM_KILL_N generated messages (default 100000) on 16 partitions;
 * when half the verdicts are in, one worker is killed with SIGKILL. Its
 * leases lapse, the other worker takes its partitions over, rewinds their
 * consumers to the ack floor, skips what already has a verdict and
 * finishes; it drains and exits cleanly on SIGTERM.
 *
 * test_cluster_failover: a three-node JetStream cluster on loopback
 * (scripts/nats-test.sh cluster), streams, consumers and lease bucket with
 * three replicas; two workers share PVG_STREAM_CLUSTER_N messages (default
 * 20000); a third of the way the node leading the message stream is killed
 * with SIGKILL. The workers reconnect to the other two, which elect new
 * leaders, and finish.
 *
 * Both then check: every message has exactly one verdict on the verdict
 * stream (no id missing, none twice; `privguard consume --verdicts` prints
 * as many lines), and every verdict that calls for review has exactly one
 * automated report in the store (PostgreSQL when PVG_TEST_PG is set, else a
 * SQLite file).
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

/* One scenario: a deployment loaded with n messages, a fresh store. */
typedef struct run {
    const char *cli;
    int64_t n;
    int backend;
    char spec[512], dir[128], keys[256];
    test_deploy_t d;
} run_t;

static int64_t env_count(const char *name, int64_t dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end || n < 100)
        fail_msg("%s must be a number of at least 100", name);
    return n;
}

/* Sets up the deployment on url (partitions, replicas, lease) and loads n
 * generated messages into it. Returns 0, or 1 when the store is missing. */
static int run_open(run_t *r, const char *url, int partitions, int replicas, int64_t lease_ms,
                    int64_t n)
{
    memset(r, 0, sizeof *r);
    r->cli = getenv("PVG_CLI");
    assert_non_null(r->cli);
    r->n = n;
    r->backend = getenv("PVG_TEST_PG") && *getenv("PVG_TEST_PG") ? BACKEND_PG : BACKEND_SQLITE;
    if (fresh_store(r->backend, r->spec, sizeof r->spec, r->dir, sizeof r->dir))
        return 1;
    snprintf(r->keys, sizeof r->keys, "%s/keys", r->dir);
    print_message("%lld messages, store on %s\n", (long long)n, backend_name(r->backend));
    test_deploy_init(&r->d, url, partitions);
    r->d.c.lease_ms = lease_ms;
    r->d.c.replicas = replicas;
    char err[512] = "", input[256];
    snprintf(input, sizeof input, "%s/in.jsonl", r->dir);
    /* A cluster that has just formed may refuse to place replicated
     * streams for a moment (its peers are still reporting in). */
    int64_t t0 = test_now_ms();
    while (pvg_stream_setup(&r->d.c, err, sizeof err)) {
        if (replicas == 1 || test_now_ms() - t0 > 30000)
            fail_msg("setup: %s", err);
        print_message("setup: %s (will retry)\n", err);
        test_sleep_ms(500);
    }
    pvg_producer_t *p = NULL;
    if (pvg_producer_open(&r->d.c, &p, err, sizeof err))
        fail_msg("producer: %s", err);
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
    assert_int_equal(pvg_producer_flush(p, 120000), 0);
    assert_int_equal(pvg_producer_sent(p), (uint64_t)n);
    pvg_producer_close(p);
    return 0;
}

/* Workers still running: a failing test leaves them to the teardown. */
static pid_t g_children[8];

static void child_forget(pid_t pid)
{
    for (size_t i = 0; i < sizeof g_children / sizeof *g_children; i++)
        if (g_children[i] == pid)
            g_children[i] = 0;
}

static void children_kill(void)
{
    for (size_t i = 0; i < sizeof g_children / sizeof *g_children; i++)
        if (g_children[i] > 0) {
            kill(g_children[i], SIGKILL);
            waitpid(g_children[i], NULL, 0);
            g_children[i] = 0;
        }
}

static pid_t spawn_worker(const run_t *r, const char *name)
{
    const char *cli = r->cli, *dir = r->dir;
    const test_deploy_t *d = &r->d;
    char out[256], log[256], metrics[256];
    snprintf(out, sizeof out, "%s/%s.out", dir, name);
    snprintf(log, sizeof log, "%s/%s.log", dir, name);
    snprintf(metrics, sizeof metrics, "%s/%s.json", dir, name);
    char parts[16], lease[24];
    snprintf(parts, sizeof parts, "%d", d->c.partitions);
    snprintf(lease, sizeof lease, "%lld", (long long)d->c.lease_ms);
    char *argv[] = {(char *)cli, "consume", "--url", (char *)d->c.url, "--prefix",
                    (char *)d->prefix, "--partitions", parts, "--lease-ms", lease,
                    "--store", (char *)r->spec, "--keys", (char *)r->keys, "--threads", "2",
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
    for (size_t i = 0; i < sizeof g_children / sizeof *g_children; i++)
        if (g_children[i] == 0) {
            g_children[i] = pid;
            break;
        }
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
        if (r == pid) {
            child_forget(pid);
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        if (test_now_ms() - t0 > timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            child_forget(pid);
            return -1;
        }
        test_sleep_ms(20);
    }
}

/* Waits (up to timeout_ms) until the verdict stream holds n lines; the
 * watch says when to look (it may count a verdict message the server then
 * refused, and misses what went by while its node was down, so the stream
 * itself is read every 2 s as well). Returns the lines stored. */
static int64_t wait_verdicts(run_t *r, test_watch_t *watch, int64_t timeout_ms)
{
    int64_t t0 = test_now_ms(), last_read = t0, count = 0;
    while (test_now_ms() - t0 < timeout_ms) {
        int64_t now = test_now_ms();
        if (test_watch_lines(watch) >= r->n || now - last_read >= 2000) {
            last_read = now;
            /* During a leader election reading may fail: look again. */
            uint64_t lines = 0;
            char err[256] = "";
            if (pvg_stream_read_verdicts(&r->d.c, NULL, NULL, NULL, &lines, err, sizeof err))
                print_message("reading the verdicts: %s (will retry)\n", err);
            else if ((count = (int64_t)lines) >= r->n)
                break;
        }
        test_sleep_ms(50);
    }
    return count;
}

/* A worker's final counters (its stdout) as a JSON object. */
static json_t *final_counters(const run_t *r, const char *name)
{
    char outp[256];
    snprintf(outp, sizeof outp, "%s/%s.out", r->dir, name);
    json_t *fin = json_load_file(outp, 0, NULL);
    assert_non_null(fin);
    char *fin_text = json_dumps(fin, JSON_COMPACT);
    print_message("%s: %s\n", name, fin_text ? fin_text : "?");
    free(fin_text);
    return fin;
}

/* Exactly one verdict per message, and one report per review verdict. */
static void run_check(const run_t *r)
{
    int64_t n = r->n;
    seen_t s = {.n = n};
    s.bits = calloc((size_t)(n / 8 + 1), 1);
    int64_t read = test_read_verdicts(&r->d, on_verdict, &s);
    assert_int_equal(read, n);
    assert_int_equal(s.bad, 0);
    assert_int_equal(s.dups, 0);
    assert_int_equal(s.distinct, n);
    free(s.bits);
    /* `privguard consume --verdicts` prints the same lines. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' consume --verdicts --url '%s' --prefix '%s' | wc -l", r->cli,
             r->d.c.url, r->d.prefix);
    FILE *pc = popen(cmd, "r");
    assert_non_null(pc);
    long long printed = -1;
    assert_int_equal(fscanf(pc, "%lld", &printed), 1);
    assert_int_equal(pclose(pc), 0);
    assert_int_equal(printed, n);

    pvg_store_t *st = NULL;
    assert_int_equal(pvg_store_open(r->spec, &st), 0);
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
}

/* Connects to the deployment, watches its verdicts and starts two workers.
 * Returns the time they were started. */
static int64_t run_start(run_t *r, natsConnection **nc, test_watch_t *watch, pid_t *a, pid_t *b)
{
    assert_int_equal(natsConnection_ConnectTo(nc, r->d.c.url), NATS_OK);
    test_watch_open(watch, *nc, &r->d);
    int64_t t0 = test_now_ms();
    *a = spawn_worker(r, "worker-a");
    *b = spawn_worker(r, "worker-b");
    return t0;
}

/* Checks the outcome and removes the deployment and the store. */
static void run_finish(run_t *r, natsConnection *nc)
{
    run_check(r);
    test_deploy_drop(nc, &r->d);
    natsConnection_Destroy(nc);
    remove_tree(r->dir);
}

static void test_kill_one_of_two(void **state)
{
    (void)state;
    const char *url = test_nats_url();
    if (!url)
        skip();
    run_t r;
    if (run_open(&r, url, 16, 1, 2000, env_count("PVG_STREAM_KILL_N", 100000)))
        skip();
    int64_t n = r.n;
    natsConnection *nc = NULL;
    test_watch_t watch;
    pid_t a, b;
    int64_t t0 = run_start(&r, &nc, &watch, &a, &b);

    /* Half way, with the victim in the middle of its work: SIGKILL. */
    int64_t count = 0;
    while (test_now_ms() - t0 < 240000) {
        count = test_watch_lines(&watch);
        if (count >= n / 2 && metric(r.dir, "worker-a", "verdicts") > 0)
            break;
        test_sleep_ms(20);
    }
    assert_true(count >= n / 2);
    int64_t a_done = metric(r.dir, "worker-a", "verdicts");
    kill(a, SIGKILL);
    assert_int_equal(wait_exit(a, 10000), 128 + SIGKILL);
    int64_t t_kill = test_now_ms();
    print_message("killed worker-a at %lld verdicts (it had published about %lld)\n",
                  (long long)count, (long long)a_done);
    count = wait_verdicts(&r, &watch, 240000);
    test_watch_close(&watch);
    int64_t t_done = test_now_ms();
    print_message("all %lld verdicts %lld ms after the kill, %lld ms in all\n", (long long)count,
                  (long long)(t_done - t_kill), (long long)(t_done - t0));
    assert_int_equal(count, n);

    /* The survivor took the dead worker's partitions and drains on SIGTERM. */
    int64_t taken = metric(r.dir, "worker-b", "leases_taken");
    kill(b, SIGTERM);
    assert_int_equal(wait_exit(b, 60000), 0);
    json_t *fin = final_counters(&r, "worker-b");
    assert_true(json_integer_value(json_object_get(fin, "leases_taken")) > 8);
    assert_true(taken > 8);
    assert_int_equal(json_integer_value(json_object_get(fin, "failures")), 0);
    json_decref(fin);

    run_finish(&r, nc);
}

/* The three-node cluster of scripts/nats-test.sh, stopped by the group
 * teardown whatever happens to the test. */
static char g_cluster_dir[256];

static void cluster_stop(void)
{
    const char *src = getenv("PVG_SOURCE_DIR");
    if (!g_cluster_dir[0] || !src)
        return;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "sh '%s/scripts/nats-test.sh' stop '%s'", src, g_cluster_dir);
    if (system(cmd) != 0)
        print_message("could not stop the cluster in %s\n", g_cluster_dir);
    g_cluster_dir[0] = 0;
}

/* Starts the cluster; urls gets its client URLs. */
static void cluster_start(char *urls, size_t len)
{
    const char *src = getenv("PVG_SOURCE_DIR");
    if (!src)
        fail_msg("PVG_SOURCE_DIR is not set (the tree with scripts/nats-test.sh)");
    char cmd[1024], out[2048] = "";
    snprintf(cmd, sizeof cmd, "sh '%s/scripts/nats-test.sh' cluster", src);
    FILE *pc = popen(cmd, "r");
    assert_non_null(pc);
    size_t got = fread(out, 1, sizeof out - 1, pc);
    out[got] = 0;
    if (pclose(pc) != 0)
        fail_msg("cannot start a three-node nats cluster");
    /* export PVG_TEST_NATS_CLUSTER='...'; export PVG_NATS_CLUSTER_DIR='...' */
    const char *u = strstr(out, "PVG_TEST_NATS_CLUSTER='");
    const char *dd = strstr(out, "PVG_NATS_CLUSTER_DIR='");
    if (!u || !dd || sscanf(u + 23, "%1023[^']", cmd) != 1 ||
        sscanf(dd + 22, "%255[^']", g_cluster_dir) != 1)
        fail_msg("unexpected output from nats-test.sh cluster");
    snprintf(urls, len, "%s", cmd);
}

/* Whether the cluster places a three-replica stream within 15 s. On a
 * loaded machine a node sometimes never joins the JetStream group of a
 * cluster started all at once (nats-server 2.9: "no suitable peers",
 * jetstream error 10005, for as long as one waits); the test then starts
 * a fresh cluster rather than fail on the test bed. */
static int cluster_ready(const char *urls)
{
    test_deploy_t probe;
    test_deploy_init(&probe, urls, 1);
    probe.c.replicas = 3;
    char err[512] = "";
    for (int64_t t0 = test_now_ms(); test_now_ms() - t0 < 15000; test_sleep_ms(500)) {
        if (!pvg_stream_setup(&probe.c, err, sizeof err)) {
            natsConnection *nc = NULL;
            if (natsConnection_ConnectTo(&nc, urls) == NATS_OK) {
                test_deploy_drop(nc, &probe);
                natsConnection_Destroy(nc);
            }
            return 1;
        }
    }
    print_message("cluster not ready: %s\n", err);
    return 0;
}

/* The pid of the node leading stream name. */
static pid_t stream_leader(natsConnection *nc, const char *name, char *leader, size_t len)
{
    jsCtx *js = NULL;
    jsStreamInfo *si = NULL;
    assert_int_equal(natsConnection_JetStream(&js, nc, NULL), NATS_OK);
    /* Under load (or during an election) the answer may be late or have
     * no leader yet: ask again for up to 30 s. */
    for (int64_t t0 = test_now_ms();; test_sleep_ms(250)) {
        if (js_GetStreamInfo(&si, js, name, NULL, NULL) == NATS_OK && si->Cluster &&
            si->Cluster->Leader && *si->Cluster->Leader)
            break;
        jsStreamInfo_Destroy(si);
        si = NULL;
        if (test_now_ms() - t0 > 30000)
            fail_msg("stream %s has no leader", name);
    }
    snprintf(leader, len, "%s", si->Cluster->Leader);
    jsStreamInfo_Destroy(si);
    jsCtx_Destroy(js);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.pid", g_cluster_dir, leader);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    long pid = 0;
    assert_int_equal(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    return (pid_t)pid;
}

static void test_cluster_failover(void **state)
{
    (void)state;
    if (!test_nats_url())
        skip(); /* no nats-server here (PVG_ALLOW_NO_NATS=1) */
    char urls[1024];
    for (int attempt = 1;; attempt++) {
        cluster_start(urls, sizeof urls);
        print_message("cluster: %s\n", urls);
        if (cluster_ready(urls))
            break;
        cluster_stop();
        if (attempt == 3)
            fail_msg("three clusters in a row could not place a replicated stream");
    }
    run_t r;
    /* Leases longer than a leader election (docs/deploy.md, Cluster). */
    if (run_open(&r, urls, 8, 3, 5000, env_count("PVG_STREAM_CLUSTER_N", 20000)))
        skip();
    int64_t n = r.n;
    natsConnection *nc = NULL;
    test_watch_t watch;
    pid_t a, b;
    int64_t t0 = run_start(&r, &nc, &watch, &a, &b);

    int64_t count = 0;
    while (test_now_ms() - t0 < 240000 && (count = test_watch_lines(&watch)) < n / 3)
        test_sleep_ms(20);
    assert_true(count >= n / 3);
    char leader[64];
    pid_t victim = stream_leader(nc, r.d.msg, leader, sizeof leader);
    kill(victim, SIGKILL);
    int64_t t_kill = test_now_ms();
    print_message("killed %s (leader of %s) at %lld verdicts\n", leader, r.d.msg,
                  (long long)count);
    count = wait_verdicts(&r, &watch, 240000);
    test_watch_close(&watch);
    int64_t t_done = test_now_ms();
    print_message("all %lld verdicts %lld ms after the kill, %lld ms in all\n", (long long)count,
                  (long long)(t_done - t_kill), (long long)(t_done - t0));
    assert_int_equal(count, n);
    char new_leader[64];
    stream_leader(nc, r.d.msg, new_leader, sizeof new_leader);
    assert_string_not_equal(new_leader, leader);

    /* Both workers lived through it; exit 1 means some batches were left
     * for redelivery during the election, which is what they are for. */
    kill(a, SIGTERM);
    kill(b, SIGTERM);
    int arc = wait_exit(a, 60000), brc = wait_exit(b, 60000);
    assert_true(arc == 0 || arc == 1);
    assert_true(brc == 0 || brc == 1);
    json_decref(final_counters(&r, "worker-a"));
    json_decref(final_counters(&r, "worker-b"));

    run_finish(&r, nc);
    cluster_stop();
}

/* Each test's own teardown: whatever it left running after a failure. */
static int teardown_one(void **state)
{
    (void)state;
    children_kill();
    cluster_stop();
    return 0;
}

static int teardown_all(void **state)
{
    (void)state;
    children_kill();
    cluster_stop();
    nats_CloseAndWait(5000);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_kill_one_of_two, teardown_one),
        cmocka_unit_test_teardown(test_cluster_failover, teardown_one),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
