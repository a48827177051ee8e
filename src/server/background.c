/* SPDX-License-Identifier: MIT */
/*
 * background.c -- the service's two background threads.
 *
 * maintenance: refreshes the sanction cache and the media bank index from
 *   the store every cache_refresh_ms (other processes -- the CLI, another
 *   instance -- may change sanctions and bank entries), records what the clock decided (pvg_enforce_tick)
 *   every tick_ms, and counts the outbox backlog for /metrics.
 *
 * outbox: delivers outbound events to the configured webhook, at least
 *   once: each event is POSTed as JSON with its id in the
 *   X-Privguard-Event-Id header (receivers dedupe on it); a 2xx answer acks
 *   it; anything else (an error status, a timeout, a refused connection)
 *   schedules a retry after retry_base_ms * 2^attempts, at most
 *   retry_max_ms, with up to 25% jitter. The thread sleeps outbox_interval_ms
 *   between polls and is woken at once after a write that produces events.
 *
 * Both stop on pvg__bg_stop; the outbox makes one last delivery pass first
 * (bounded by webhook_timeout_ms per event) so events written just before
 * a shutdown go out when the receiver is up.
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/internal.h"

static void wait_ms(srv_t *s, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->bg_mu);
    if (!s->bg_stop)
        pthread_cond_timedwait(&s->bg_cv, &s->bg_mu, &ts);
    pthread_mutex_unlock(&s->bg_mu);
}

static int stopping(srv_t *s)
{
    pthread_mutex_lock(&s->bg_mu);
    int v = s->bg_stop;
    pthread_mutex_unlock(&s->bg_mu);
    return v;
}

static void *maint_main(void *arg)
{
    srv_t *s = arg;
    pvg_actor_t sched = {"server:scheduler", PVG_ROLE_SERVICE, NULL};
    int64_t next_tick = 0, next_count = 0;
    int refresh_ms = s->cfg.cache_refresh_ms > 0 ? s->cfg.cache_refresh_ms : 1000;
    int warned = 0, media_warned = 0;
    while (!stopping(s)) {
        int rc = pvg_enforce_cache_refresh(s->enf);
        if (rc && !warned++)
            pvg__log(s, "cannot refresh the sanction cache: %s", pvg_enf_errname(rc));
        if (!rc)
            warned = 0;
        /* bank entries added or disabled by other processes (the CLI,
         * another instance): the index follows within one period */
        rc = pvg__media_sync(s);
        if (rc && !media_warned++)
            pvg__log(s, "cannot follow the media bank: %s", pvg_enf_errname(rc));
        if (!rc)
            media_warned = 0;
        int64_t now = pvg__wall_ms();
        if (s->cfg.tick_ms > 0 && now >= next_tick) {
            pvg_tick_stats_t st;
            rc = pvg_enforce_tick(s->enf, &sched, &st);
            if (rc)
                pvg__log(s, "scheduler tick failed: %s", pvg_enf_errname(rc));
            next_tick = now + s->cfg.tick_ms;
        }
        if (now >= next_count) {
            int64_t n = 0;
            if (pvg__outbox_pending(s->enf, &n) == PVG_ENF_OK)
                atomic_store(&s->m.outbox_pending, n);
            next_count = now + 5000;
        }
        /* Sleep in short steps: the condition variable is for the outbox,
         * whose wake-ups after each write this timer does not want. */
        int64_t until = pvg__mono_ns() + (int64_t)refresh_ms * 1000000LL;
        while (!stopping(s) && pvg__mono_ns() < until) {
            struct timespec step = {0, 20 * 1000000L};
            nanosleep(&step, NULL);
        }
    }
    return NULL;
}

/* --------------------------------------------------------------- outbox */

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* POSTs one event; returns 1 when the receiver took it (2xx). */
static int deliver(srv_t *s, CURL *c, int64_t id, const char *topic, const char *body)
{
    struct curl_slist *h = NULL;
    char idh[64], th[128];
    snprintf(idh, sizeof idh, "X-Privguard-Event-Id: %" PRId64, id);
    snprintf(th, sizeof th, "X-Privguard-Topic: %s", topic ? topic : "");
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, idh);
    h = curl_slist_append(h, th);
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, s->cfg.webhook);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)s->cfg.webhook_timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)s->cfg.webhook_timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "privguard-outbox/" PVG_VERSION_STRING);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    return rc == CURLE_OK && status >= 200 && status < 300;
}

static int64_t backoff_ms(srv_t *s, int64_t attempts)
{
    int64_t d = s->cfg.retry_base_ms > 0 ? s->cfg.retry_base_ms : 1000;
    for (int64_t i = 0; i < attempts && d < s->cfg.retry_max_ms; i++)
        d *= 2;
    if (d > s->cfg.retry_max_ms)
        d = s->cfg.retry_max_ms;
    /* up to 25% jitter so a recovered receiver is not hit all at once */
    uint64_t r = (uint64_t)pvg__mono_ns();
    r ^= r >> 33;
    r *= 0xff51afd7ed558ccdULL;
    r ^= r >> 33;
    return d + (int64_t)(r % (uint64_t)(d / 4 + 1));
}

/* One pass: fetch due events and try each once. Returns how many were due. */
static int outbox_pass(srv_t *s, CURL *c, int *failures)
{
    pvg_actor_t a = {"server:outbox", PVG_ROLE_SERVICE, NULL};
    char *text = NULL;
    int rc = pvg_outbox_fetch(s->enf, &a, 64, &text);
    if (rc) {
        pvg__log(s, "cannot read the outbox: %s", pvg_enf_errname(rc));
        return 0;
    }
    json_t *arr = json_loads(text, 0, NULL);
    pvg_enforce_free(text);
    size_t i, n = json_array_size(arr);
    json_t *ev;
    json_array_foreach(arr, i, ev)
    {
        int64_t id = json_integer_value(json_object_get(ev, "id"));
        int64_t attempts = json_integer_value(json_object_get(ev, "attempts"));
        const char *topic = json_string_value(json_object_get(ev, "topic"));
        char *body = json_dumps(ev, JSON_COMPACT);
        if (!body)
            break;
        int ok = deliver(s, c, id, topic, body);
        free(body);
        if (ok) {
            rc = pvg_outbox_ack(s->enf, &a, id);
            if (rc && rc != PVG_ENF_EALREADY)
                pvg__log(s, "cannot ack outbox event %" PRId64 ": %s", id, pvg_enf_errname(rc));
            atomic_fetch_add(&s->m.outbox_delivered, 1);
        } else {
            (*failures)++;
            atomic_fetch_add(&s->m.outbox_failed, 1);
            rc = pvg_outbox_retry(s->enf, &a, id, pvg__wall_ms() + backoff_ms(s, attempts));
            if (rc)
                pvg__log(s, "cannot reschedule outbox event %" PRId64 ": %s", id,
                         pvg_enf_errname(rc));
        }
        if (stopping(s) && *failures)
            break;
    }
    json_decref(arr);
    return (int)n;
}

static void *outbox_main(void *arg)
{
    srv_t *s = arg;
    CURL *c = curl_easy_init();
    if (!c) {
        pvg__log(s, "cannot start webhook delivery: curl_easy_init failed");
        return NULL;
    }
    int interval = s->cfg.outbox_interval_ms > 0 ? s->cfg.outbox_interval_ms : 1000;
    int logged = 0;
    while (!stopping(s)) {
        int failures = 0;
        int due = outbox_pass(s, c, &failures);
        if (failures && !logged++)
            pvg__log(s, "webhook delivery failing; events are kept and retried");
        if (!failures)
            logged = 0;
        if (due == 64 && !failures)
            continue; /* more are waiting */
        wait_ms(s, interval);
    }
    /* a last pass, so events of the final requests are not left waiting */
    int failures = 0;
    outbox_pass(s, c, &failures);
    curl_easy_cleanup(c);
    return NULL;
}

int pvg__bg_start(srv_t *s)
{
    if (pthread_create(&s->maint, NULL, maint_main, s))
        return -1;
    s->maint_on = 1;
    if (s->cfg.webhook && *s->cfg.webhook) {
        if (pthread_create(&s->outbox, NULL, outbox_main, s)) {
            pvg__bg_stop(s);
            return -1;
        }
        s->outbox_on = 1;
    }
    return 0;
}

void pvg__bg_stop(srv_t *s)
{
    pthread_mutex_lock(&s->bg_mu);
    s->bg_stop = 1;
    pthread_cond_broadcast(&s->bg_cv);
    pthread_mutex_unlock(&s->bg_mu);
    if (s->maint_on)
        pthread_join(s->maint, NULL);
    if (s->outbox_on)
        pthread_join(s->outbox, NULL);
    s->maint_on = s->outbox_on = 0;
}
