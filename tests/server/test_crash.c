/* SPDX-License-Identifier: MIT */
/*
 * test_crash.c -- no report acknowledged over HTTP is lost when the server
 * dies. A child process runs the server on a SQLite file; a client thread
 * posts reports and records each id answered with 201; the parent kills
 * the child with SIGKILL in the middle of the stream, starts a new server
 * on the same file, and checks over HTTP that every acknowledged report is
 * in its account's history and that the audit chain verifies. The second
 * server is stopped with SIGTERM and must exit 0 (graceful shutdown).
 */
#include "httputil.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#define MAX_ACKED 100000
#define ACCOUNTS 20

static test_env_t g_t;

/* The child: serve until SIGTERM (then stop gracefully) or SIGKILL. */
static void child(int fd)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pvg_server_config_t c;
    pvg_server_config_init(&c);
    char err[512];
    if (pvg_server_config_set(&c, "listen", "127.0.0.1:0", err, sizeof err) ||
        pvg_server_config_set(&c, "store", g_t.spec, err, sizeof err) ||
        pvg_server_config_set(&c, "keys", g_t.keys, err, sizeof err))
        _exit(3);
    pvg_server_t *s;
    if (pvg_server_start(&c, &s, err, sizeof err)) {
        fprintf(stderr, "child: %s\n", err);
        _exit(4);
    }
    unsigned port = pvg_server_port(s);
    if (write(fd, &port, sizeof port) != (ssize_t)sizeof port)
        _exit(5);
    int sig;
    sigwait(&set, &sig);
    pvg_server_stop(s, 10000);
    pvg_server_config_free(&c);
    _exit(0);
}

static pid_t spawn(unsigned *port)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        child(p[1]);
    }
    close(p[1]);
    ssize_t n = read(p[0], port, sizeof *port);
    close(p[0]);
    if (n != (ssize_t)sizeof *port)
        fail_msg("the server child did not start");
    return pid;
}

typedef struct poster {
    char base[64];
    char token[65];
    long long acked[MAX_ACKED];
    int acct_of[MAX_ACKED];
    int n_acked;
    int errors;
    volatile int stop;
} poster_t;

static size_t keep(char *p, size_t size, size_t n, void *ctx)
{
    char *buf = ctx;
    size_t k = size * n, have = strlen(buf);
    if (have + k < 1024) {
        memcpy(buf + have, p, k);
        buf[have + k] = 0;
    }
    return k;
}

static void *poster_main(void *arg)
{
    poster_t *ps = arg;
    CURL *c = curl_easy_init();
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", ps->token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Expect:");
    for (long i = 0; !ps->stop && ps->n_acked < MAX_ACKED; i++) {
        int acct = (int)(i % ACCOUNTS);
        char body[512], url[128], ans[1024] = "";
        snprintf(body, sizeof body,
                 "{\"reporter\":\"user:cr%ld\",\"account\":\"user:crash%d\","
                 "\"subject_type\":\"message\",\"subject_id\":\"cm%ld\",\"reason\":\"pii_exposure\","
                 "\"evidence\":[{\"text\":\"fake evidence 010-0000-%04ld\"}]}",
                 i, acct, i, i % 10000);
        snprintf(url, sizeof url, "%s/v1/reports", ps->base);
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, ans);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        long status = 0;
        if (curl_easy_perform(c) != CURLE_OK) {
            ps->errors++;
            if (ps->errors > 3)
                break;
            continue;
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status == 201) {
            json_t *j = json_loads(ans, 0, NULL);
            json_int_t id = json_integer_value(json_object_get(j, "report_id"));
            json_decref(j);
            if (id > 0) {
                ps->acct_of[ps->n_acked] = acct;
                ps->acked[ps->n_acked++] = id; /* only now is it acknowledged */
            }
        }
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static void test_crash(void **state)
{
    (void)state;
    memset(&g_t, 0, sizeof g_t);
    env_store(&g_t, BACKEND_SQLITE);
    env_tokens(&g_t);
    unsigned port = 0;
    pid_t pid = spawn(&port);
    poster_t *ps = calloc(1, sizeof *ps);
    assert_non_null(ps);
    snprintf(ps->base, sizeof ps->base, "http://127.0.0.1:%u", port);
    snprintf(ps->token, sizeof ps->token, "%s", g_t.tok[T_APP]);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, poster_main, ps), 0);
    /* let some reports through, then kill mid-stream */
    for (int i = 0; i < 3000 && ps->n_acked < 60; i++) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(kill(pid, SIGKILL), 0);
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    ps->stop = 1;
    pthread_join(th, NULL);
    int n = ps->n_acked;
    assert_true(n > 0);
    fprintf(stderr, "crash test: %d reports acknowledged before SIGKILL\n", n);

    /* a new server on the same file */
    pid = spawn(&port);
    snprintf(g_t.base, sizeof g_t.base, "http://127.0.0.1:%u", port);
    int missing = 0;
    for (int a = 0; a < ACCOUNTS; a++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/accounts/user:crash%d/history", a);
        http_resp_t r = http(&g_t, "GET", path, g_t.tok[T_TRIAGE], NULL, NULL);
        expect(&r, 200, "history");
        json_t *reports = json_object_get(r.json, "reports");
        for (int i = 0; i < n; i++) {
            if (ps->acct_of[i] != a)
                continue;
            int found = 0;
            size_t k;
            json_t *x;
            json_array_foreach(reports, k, x)
            {
                if (json_integer_value(json_object_get(x, "id")) == ps->acked[i])
                    found = 1;
            }
            if (!found) {
                fprintf(stderr, "acknowledged report %lld is missing\n", ps->acked[i]);
                missing++;
            }
        }
        resp_free(&r);
    }
    assert_int_equal(missing, 0);
    http_resp_t r = http(&g_t, "GET", "/v1/audit/verify", g_t.tok[T_ADMIN], NULL, NULL);
    expect(&r, 200, "audit verify");
    assert_true(json_is_true(json_object_get(r.json, "ok")));
    resp_free(&r);
    /* graceful stop */
    assert_int_equal(kill(pid, SIGTERM), 0);
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    free(ps);
    env_remove_dir(&g_t);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_crash)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
