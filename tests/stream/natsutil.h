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

/* Messages stored in a stream (after the server's dedup), or -1. */
static inline int64_t test_stream_count(natsConnection *nc, const char *stream)
{
    jsCtx *js = NULL;
    jsStreamInfo *si = NULL;
    int64_t n = -1;
    if (natsConnection_JetStream(&js, nc, NULL) == NATS_OK &&
        js_GetStreamInfo(&si, js, stream, NULL, NULL) == NATS_OK) {
        n = (int64_t)si->State.Msgs;
        jsStreamInfo_Destroy(si);
    }
    jsCtx_Destroy(js);
    return n;
}

/* Reads every message of subject filter from the start of its stream with
 * an ordered consumer and calls cb for each (data, len). Stops after want
 * messages or when nothing came for idle_ms. Returns the count read. */
static inline int64_t test_read_all(natsConnection *nc, const char *filter, int64_t want,
                                    int64_t idle_ms,
                                    void (*cb)(const char *data, int len, void *ctx), void *ctx)
{
    jsCtx *js = NULL;
    natsSubscription *sub = NULL;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Ordered = true;
    if (natsConnection_JetStream(&js, nc, NULL) != NATS_OK)
        fail_msg("cannot use jetstream");
    if (js_SubscribeSync(&sub, js, filter, NULL, &so, NULL) != NATS_OK)
        fail_msg("cannot subscribe to %s", filter);
    natsSubscription_SetPendingLimits(sub, -1, -1);
    int64_t n = 0;
    while (want <= 0 || n < want) {
        natsMsg *m = NULL;
        if (natsSubscription_NextMsg(&m, sub, idle_ms) != NATS_OK)
            break;
        cb(natsMsg_GetData(m), natsMsg_GetDataLength(m), ctx);
        natsMsg_Destroy(m);
        n++;
    }
    natsSubscription_Destroy(sub);
    jsCtx_Destroy(js);
    return n;
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
