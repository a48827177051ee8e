/* SPDX-License-Identifier: MIT */
/*
 * test_webhook.c -- outbox delivery to a webhook, at least once, with
 * retries. A tiny HTTP receiver runs on loopback inside the test; it
 * answers 500 to the first requests and 200 after that. A decision makes
 * outbound events; the test waits until every event in the store's outbox
 * is marked delivered and checks that the receiver got each event id with
 * a JSON body, that the failures were retried, and that the delivery
 * counters in /metrics moved. Runs on SQLite (the delivery thread is the
 * same for both stores).
 */
#include "httputil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_SEEN 512

typedef struct receiver {
    int fd;
    uint16_t port;
    int fail_first; /* answer 500 to this many requests */
    int stop;
    pthread_mutex_t mu;
    long long seen[MAX_SEEN];
    int n_seen, n_failed, bad_body;
} receiver_t;

static void handle(receiver_t *rv, int c)
{
    char buf[65536];
    size_t n = 0;
    char *body = NULL;
    long clen = -1;
    while (n < sizeof buf - 1) {
        ssize_t k = recv(c, buf + n, sizeof buf - 1 - n, 0);
        if (k <= 0)
            return;
        n += (size_t)k;
        buf[n] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (!end)
            continue;
        body = end + 4;
        const char *cl = strcasestr(buf, "\r\nContent-Length:");
        clen = cl ? strtol(cl + 17, NULL, 10) : 0;
        if ((long)(n - (size_t)(body - buf)) >= clen)
            break;
    }
    if (!body)
        return;
    const char *idh = strcasestr(buf, "\r\nX-Privguard-Event-Id:");
    long long id = idh ? strtoll(idh + 23, NULL, 10) : -1;
    json_t *j = json_loadb(body, (size_t)clen, 0, NULL);
    pthread_mutex_lock(&rv->mu);
    int fail = rv->fail_first > 0;
    if (fail) {
        rv->fail_first--;
        rv->n_failed++;
    } else {
        if (!json_is_object(j) || !json_is_string(json_object_get(j, "topic")) ||
            json_integer_value(json_object_get(j, "id")) != id)
            rv->bad_body++;
        if (rv->n_seen < MAX_SEEN)
            rv->seen[rv->n_seen++] = id;
    }
    pthread_mutex_unlock(&rv->mu);
    json_decref(j);
    const char *ans = fail ? "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
                             "Connection: close\r\n\r\n"
                           : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ssize_t w = send(c, ans, strlen(ans), MSG_NOSIGNAL);
    (void)w;
}

static void *receiver_main(void *p)
{
    receiver_t *rv = p;
    for (;;) {
        pthread_mutex_lock(&rv->mu);
        int stop = rv->stop;
        pthread_mutex_unlock(&rv->mu);
        if (stop)
            break;
        struct pollfd pfd = {rv->fd, POLLIN, 0};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        int c = accept(rv->fd, NULL, NULL);
        if (c < 0)
            continue;
        handle(rv, c);
        close(c);
    }
    return NULL;
}

static int64_t pending(const char *spec)
{
    pvg_store_t *s = NULL;
    assert_int_equal(pvg_store_open(spec, &s), 0);
    int64_t n = -1;
    assert_int_equal(pvg_store_x_int(s, &n, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL",
                                     ""),
                     PVG_STORE_ROW);
    pvg_store_close(s);
    return n;
}

static void test_webhook(void **state)
{
    (void)state;
    receiver_t rv;
    memset(&rv, 0, sizeof rv);
    pthread_mutex_init(&rv.mu, NULL);
    rv.fail_first = 3;
    rv.fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(rv.fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(rv.fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(rv.fd, 16), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(rv.fd, (struct sockaddr *)&a, &al), 0);
    rv.port = ntohs(a.sin_port);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, receiver_main, &rv), 0);

    test_env_t t;
    memset(&t, 0, sizeof t);
    env_store(&t, BACKEND_SQLITE);
    env_tokens(&t);
    char hook[128];
    snprintf(hook, sizeof hook, "webhook=http://127.0.0.1:%u/hook", (unsigned)rv.port);
    const char *extra[] = {hook, "retry_base_ms=20", "retry_max_ms=200", "outbox_interval_ms=20",
                           NULL};
    env_start(&t, extra);

    http_resp_t r = http(&t, "POST", "/v1/reports", t.tok[T_APP],
                         "{\"reporter\":\"user:w1\",\"account\":\"user:wh\","
                         "\"subject_type\":\"account\",\"subject_id\":\"user:wh\","
                         "\"reason\":\"pii_exposure\"}",
                         NULL);
    expect(&r, 201, "report");
    char path[128];
    snprintf(path, sizeof path, "/v1/cases/%lld/events", (long long)jint(&r, "case_id"));
    resp_free(&r);
    r = http(&t, "POST", path, t.tok[T_MOD],
             "{\"type\":\"decide\",\"outcome\":\"violation\",\"categories\":[\"pii_exposure\"],"
             "\"sanctions\":[{\"scope\":\"message_send\",\"duration\":\"1d\"}]}",
             NULL);
    expect(&r, 201, "decide");
    resp_free(&r);

    /* every event is delivered despite the failing start */
    int64_t left = -1;
    for (int i = 0; i < 1500; i++) {
        left = pending(t.spec);
        pthread_mutex_lock(&rv.mu);
        int failed = rv.n_failed;
        pthread_mutex_unlock(&rv.mu);
        if (left == 0 && failed == 3)
            break;
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(left, 0);

    /* the receiver saw every outbox id, with a JSON body */
    pvg_store_t *s = NULL;
    assert_int_equal(pvg_store_open(t.spec, &s), 0);
    pvg_stmt_t *st = NULL;
    assert_int_equal(pvg_store_q(s, &st, "SELECT id, attempts FROM outbox ORDER BY id", ""), 0);
    int rows = 0, retried = 0;
    while (pvg_store_step(st) == PVG_STORE_ROW) {
        long long id = (long long)pvg_store_col_int(st, 0);
        retried += pvg_store_col_int(st, 1) > 0;
        int found = 0;
        pthread_mutex_lock(&rv.mu);
        for (int k = 0; k < rv.n_seen; k++)
            found |= rv.seen[k] == id;
        pthread_mutex_unlock(&rv.mu);
        if (!found)
            fail_msg("outbox event %lld never reached the webhook", id);
        rows++;
    }
    pvg_store_finalize(st);
    pvg_store_close(s);
    assert_true(rows >= 2);   /* the account and the reporter are notified */
    assert_true(retried >= 1); /* the first answers were 500 */
    assert_int_equal(rv.bad_body, 0);

    r = http(&t, "GET", "/metrics", NULL, NULL, NULL);
    assert_null(strstr(r.body, "privguard_outbox_deliveries_total{result=\"ok\"} 0\n"));
    assert_null(strstr(r.body, "privguard_outbox_deliveries_total{result=\"failed\"} 0\n"));
    resp_free(&r);

    pvg_server_stop(t.srv, 5000);
    pthread_mutex_lock(&rv.mu);
    rv.stop = 1;
    pthread_mutex_unlock(&rv.mu);
    pthread_join(th, NULL);
    close(rv.fd);
    pthread_mutex_destroy(&rv.mu);
    env_remove_dir(&t);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_webhook)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
