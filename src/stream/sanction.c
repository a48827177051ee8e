/* SPDX-License-Identifier: MIT */
/*
 * sanction.c -- sanction-cache invalidation across nodes. Each service
 * instance and worker answers "may this account do X?" from its own
 * in-memory sanction cache (enforce.h); when a sanction changes on one node
 * that node publishes <prefix>.sanction.changed and every node listening
 * calls pvg_enforce_cache_refresh, which reads the sanctions changed in the
 * store since it last looked. A notice takes milliseconds; the refresh is
 * one indexed query. Notices are core NATS (at most once), so a bus also
 * refreshes after every reconnect and every resync_ms, which bounds the
 * staleness when a notice is lost.
 *
 * Thread rule: notify may be called from any thread; refreshes run on the
 * libnats delivery thread and on the bus's resync thread (the enforce handle
 * is thread-safe).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stream/internal.h"

struct pvg_sanction_bus {
    natsConnection *nc;
    natsSubscription *sub;
    pvg_enforce_t *e;
    char subject[128];
    int64_t resync_ms;
    void (*on_change)(int rc, void *ctx);
    void *ctx;
    uint64_t refreshes; /* atomic */
    pthread_t resync;
    int have_thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int closing;
};

static void refresh(pvg_sanction_bus_t *b)
{
    if (!b->e)
        return;
    int rc = pvg_enforce_cache_refresh(b->e);
    __atomic_add_fetch(&b->refreshes, 1, __ATOMIC_RELAXED);
    if (b->on_change)
        b->on_change(rc, b->ctx);
}

static void on_notice(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)nc;
    (void)sub;
    natsMsg_Destroy(msg);
    refresh(closure);
}

static void on_reconnect(natsConnection *nc, void *closure)
{
    (void)nc;
    refresh(closure);
}

static void *resync_main(void *arg)
{
    pvg_sanction_bus_t *b = arg;
    pthread_mutex_lock(&b->mu);
    while (!b->closing) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += b->resync_ms / 1000;
        ts.tv_nsec += (b->resync_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int r = pthread_cond_timedwait(&b->cv, &b->mu, &ts);
        if (r == ETIMEDOUT && !b->closing) {
            pthread_mutex_unlock(&b->mu);
            refresh(b);
            pthread_mutex_lock(&b->mu);
        }
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

int pvg_sanction_bus_open(const char *url, const char *prefix, pvg_enforce_t *e,
                          int64_t resync_ms, void (*on_change)(int rc, void *ctx), void *ctx,
                          pvg_sanction_bus_t **out, char *err, size_t errlen)
{
    if (!url || !out) {
        pvg__serr(err, errlen, "invalid sanction bus arguments");
        return PVG_STREAM_EINVAL;
    }
    *out = NULL;
    pvg_sanction_bus_t *b = calloc(1, sizeof *b);
    if (!b)
        return PVG_STREAM_ENOMEM;
    b->e = e;
    b->resync_ms = resync_ms > 0 ? resync_ms : 30000;
    b->on_change = on_change;
    b->ctx = ctx;
    snprintf(b->subject, sizeof b->subject, "%s.sanction.changed", prefix ? prefix : "pvg");
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK)
        s = pvg__set_servers(o, url);
    if (s == NATS_OK)
        s = natsOptions_SetName(o, "privguard-sanctions");
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(o, -1);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(o, 250);
    if (s == NATS_OK && e)
        s = natsOptions_SetReconnectedCB(o, on_reconnect, b);
    if (s == NATS_OK)
        s = natsConnection_Connect(&b->nc, o);
    natsOptions_Destroy(o);
    if (s == NATS_OK && e)
        s = natsConnection_Subscribe(&b->sub, b->nc, b->subject, on_notice, b);
    /* The subscription is known to the server before open returns, so a
     * notice published right after it is not missed. */
    if (s == NATS_OK)
        s = natsConnection_FlushTimeout(b->nc, 5000);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot open sanction bus on '%s': %s", url, pvg__nats_err(s));
        pvg_sanction_bus_close(b);
        return PVG_STREAM_ENATS;
    }
    if (e) {
        if (pthread_create(&b->resync, NULL, resync_main, b)) {
            pvg__serr(err, errlen, "cannot start sanction resync thread");
            pvg_sanction_bus_close(b);
            return PVG_STREAM_ENOMEM;
        }
        b->have_thread = 1;
    }
    *out = b;
    return PVG_STREAM_OK;
}

int pvg_sanction_bus_notify(pvg_sanction_bus_t *b, const char *account)
{
    if (!b)
        return PVG_STREAM_EINVAL;
    /* The notice carries no personal data: listeners re-read the store. */
    (void)account;
    char payload[64];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int n = snprintf(payload, sizeof payload, "{\"at\":%lld}",
                     (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    natsStatus s = natsConnection_Publish(b->nc, b->subject, payload, n);
    /* Reconnecting: the notice waits in libnats' buffer, and the writer
     * (an HTTP request, say) does not wait for the server. */
    if (s == NATS_OK && natsConnection_Status(b->nc) == NATS_CONN_STATUS_CONNECTED)
        s = natsConnection_FlushTimeout(b->nc, 2000);
    return s == NATS_OK ? PVG_STREAM_OK : PVG_STREAM_ENATS;
}

uint64_t pvg_sanction_bus_refreshes(const pvg_sanction_bus_t *b)
{
    return b ? __atomic_load_n(&b->refreshes, __ATOMIC_RELAXED) : 0;
}

void pvg_sanction_bus_close(pvg_sanction_bus_t *b)
{
    if (!b)
        return;
    if (b->have_thread) {
        pthread_mutex_lock(&b->mu);
        b->closing = 1;
        pthread_cond_signal(&b->cv);
        pthread_mutex_unlock(&b->mu);
        pthread_join(b->resync, NULL);
    }
    if (b->sub) {
        /* Drain: the callbacks in progress finish before b goes away. */
        if (natsSubscription_Drain(b->sub) == NATS_OK)
            natsSubscription_WaitForDrainCompletion(b->sub, 2000);
        natsSubscription_Destroy(b->sub);
    }
    /* Close first so no callback runs once we free b. */
    if (b->nc) {
        natsConnection_Close(b->nc);
        natsConnection_Destroy(b->nc);
    }
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    free(b);
}
