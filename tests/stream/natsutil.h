/* SPDX-License-Identifier: MIT */
/*
 * natsutil.h -- helpers the stream tests share: the NATS server of
 * scripts/nats-test.sh (PVG_TEST_NATS; without it a test fails unless
 * PVG_ALLOW_NO_NATS=1, so CI cannot skip silently), a fresh deployment
 * (its own prefix, streams and lease bucket) per test, and reading back the
 * verdict stream.
 */
#ifndef PVG_TESTS_NATSUTIL_H
#define PVG_TESTS_NATSUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <nats/nats.h>

#include "stream/stream.h"

/* The server URL, or NULL when the test is to be skipped. */
static inline const char *test_nats_url(void)
{
    const char *u = getenv("PVG_TEST_NATS");
    if (u && *u)
        return u;
    const char *allow = getenv("PVG_ALLOW_NO_NATS");
    if (allow && !strcmp(allow, "1"))
        return NULL;
    fail_msg("PVG_TEST_NATS is not set: run under scripts/nats-test.sh run -- ..., "
             "or set PVG_ALLOW_NO_NATS=1 to skip the stream tests");
    return NULL;
}

/* Names of one deployment: prefix t<pid>x<n>, streams T<pid>X<n>_MSG and
 * _VERDICT, bucket t<pid>x<n>_leases. */
typedef struct test_deploy {
    char prefix[48], msg[64], verdict[64], bucket[64];
    pvg_stream_config_t c;
} test_deploy_t;

static inline void test_deploy_init(test_deploy_t *d, const char *url, int partitions)
{
    static unsigned counter;
    unsigned n = counter++;
    snprintf(d->prefix, sizeof d->prefix, "t%ldx%u", (long)getpid(), n);
    snprintf(d->msg, sizeof d->msg, "T%ldX%u_MSG", (long)getpid(), n);
    snprintf(d->verdict, sizeof d->verdict, "T%ldX%u_VERDICT", (long)getpid(), n);
    snprintf(d->bucket, sizeof d->bucket, "%s_leases", d->prefix);
    pvg_stream_config_init(&d->c);
    d->c.url = url;
    d->c.partitions = partitions;
    d->c.prefix = d->prefix;
    d->c.msg_stream = d->msg;
    d->c.verdict_stream = d->verdict;
    d->c.lease_bucket = d->bucket;
}

static inline int64_t test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void test_sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Reads every verdict line of the deployment (pvg_stream_read_verdicts)
 * and calls cb (may be NULL) on each. Returns the number of lines. */
static inline int64_t test_read_verdicts(const test_deploy_t *d,
                                         int (*cb)(const char *line, size_t len, void *ctx),
                                         void *ctx)
{
    uint64_t lines = 0;
    char err[256] = "";
    if (pvg_stream_read_verdicts(&d->c, NULL, cb, ctx, &lines, err, sizeof err))
        fail_msg("cannot read the verdicts: %s", err);
    return (int64_t)lines;
}

/* Verdict lines going by on the deployment's verdict subjects, counted
 * as they are published (the Pvg-Count header of each verdict message):
 * cheap enough to poll every few milliseconds, unlike reading the stream. */
typedef struct test_watch {
    natsSubscription *sub;
    int64_t lines;
} test_watch_t;

static inline void test_watch_cb(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *cl)
{
    (void)nc;
    (void)sub;
    const char *c = NULL;
    if (natsMsgHeader_Get(m, "Pvg-Count", &c) == NATS_OK && c)
        __atomic_add_fetch(&((test_watch_t *)cl)->lines, strtoll(c, NULL, 10), __ATOMIC_RELEASE);
    natsMsg_Destroy(m);
}

static inline void test_watch_open(test_watch_t *w, natsConnection *nc, const test_deploy_t *d)
{
    char subj[96];
    snprintf(subj, sizeof subj, "%s.verdict.*", d->prefix);
    w->lines = 0;
    if (natsConnection_Subscribe(&w->sub, nc, subj, test_watch_cb, w) != NATS_OK ||
        natsSubscription_SetPendingLimits(w->sub, -1, -1) != NATS_OK ||
        natsConnection_Flush(nc) != NATS_OK)
        fail_msg("cannot watch %s", subj);
}

static inline int64_t test_watch_lines(test_watch_t *w)
{
    return __atomic_load_n(&w->lines, __ATOMIC_ACQUIRE);
}

static inline void test_watch_close(test_watch_t *w)
{
    natsSubscription_Destroy(w->sub);
    w->sub = NULL;
}

/* Deletes the deployment's streams and bucket (best effort). */
static inline void test_deploy_drop(natsConnection *nc, const test_deploy_t *d)
{
    jsCtx *js = NULL;
    if (natsConnection_JetStream(&js, nc, NULL) != NATS_OK)
        return;
    js_DeleteStream(js, d->msg, NULL, NULL);
    js_DeleteStream(js, d->verdict, NULL, NULL);
    js_DeleteKeyValue(js, d->bucket);
    jsCtx_Destroy(js);
}

#endif
