/* SPDX-License-Identifier: MIT */
/*
 * metrics.c -- /metrics in the Prometheus text format (version 0.0.4).
 *
 * Counters are plain atomics updated on the request path (relaxed order:
 * a scrape may see one counter a moment ahead of another, never a torn
 * value). Exposed: requests by route and status, a latency histogram per
 * route, findings by entity type, violations by category, actions, rule
 * hits and shadow flags from the current engine (pvg_engine_rule_info),
 * requests in flight, the worker queue, load shed by reason, outbox
 * backlog and deliveries, sanction-cache and rules reloads. No label ever
 * holds message text or an account id.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "server/internal.h"

/* Upper bounds of the latency buckets, in microseconds. */
static const int64_t lat_le_us[LAT_BUCKETS] = {100,   250,    500,    1000,   2000,
                                               5000,  10000,  25000,  50000,  100000,
                                               250000, 500000, 1000000, 5000000};

static const int status_codes[STATUS_SLOTS] = {200, 201, 204, 304, 400, 401, 403, 404,
                                               405, 409, 413, 429, 500, 503, 0,   0};

static int status_slot(int status)
{
    for (int i = 0; i < STATUS_SLOTS - 2; i++)
        if (status_codes[i] == status)
            return i;
    return STATUS_SLOTS - 1; /* other */
}

void pvg__metrics_request(metrics_t *m, int route, int status, int64_t ns)
{
    if (route < 0 || route >= RT_COUNT)
        route = RT_NONE;
    atomic_fetch_add_explicit(&m->req[route][status_slot(status)], 1, memory_order_relaxed);
    int64_t us = ns / 1000;
    int b = 0;
    while (b < LAT_BUCKETS && us > lat_le_us[b])
        b++;
    atomic_fetch_add_explicit(&m->lat[route][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->lat_sum_us[route], (uint64_t)(us < 0 ? 0 : us),
                              memory_order_relaxed);
}

static int cat_slot(metrics_t *m, const char *name)
{
    for (int i = 0; i < MAX_CATS; i++) {
        const char *cur = atomic_load_explicit(&m->cat_name[i], memory_order_acquire);
        if (cur == name || (cur && !strcmp(cur, name)))
            return i;
        if (!cur) {
            const char *expected = NULL;
            if (atomic_compare_exchange_strong(&m->cat_name[i], &expected, name))
                return i;
            if (expected == name || !strcmp(expected, name))
                return i;
        }
    }
    return -1;
}

void pvg__metrics_result(metrics_t *m, const pvg_result_t *res)
{
    for (size_t i = 0; i < res->n_findings; i++)
        if (res->findings[i].type < PVG_ENTITY_COUNT)
            atomic_fetch_add_explicit(&m->findings[res->findings[i].type], 1,
                                      memory_order_relaxed);
    for (size_t i = 0; i < res->n_violations; i++) {
        /* category names are static strings of the library */
        int k = res->violations[i].category ? cat_slot(m, res->violations[i].category) : -1;
        if (k >= 0)
            atomic_fetch_add_explicit(&m->violations[k], 1, memory_order_relaxed);
    }
    if (res->action >= 0 && res->action < 4)
        atomic_fetch_add_explicit(&m->actions[res->action], 1, memory_order_relaxed);
}

static void label_escape(sb_t *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            sb_putc(out, '\\');
        if (*s == '\n') {
            sb_puts(out, "\\n");
            continue;
        }
        sb_putc(out, *s);
    }
}

void pvg__metrics_render(srv_t *s, sb_t *out)
{
    metrics_t *m = &s->m;
    sb_puts(out, "# HELP privguard_http_requests_total HTTP requests by route and status.\n"
                 "# TYPE privguard_http_requests_total counter\n");
    for (int r = 0; r < RT_COUNT; r++)
        for (int k = 0; k < STATUS_SLOTS; k++) {
            uint64_t v = atomic_load_explicit(&m->req[r][k], memory_order_relaxed);
            if (!v)
                continue;
            sb_printf(out, "privguard_http_requests_total{route=\"%s\",status=\"", pvg__routes[r].name);
            if (status_codes[k])
                sb_printf(out, "%d", status_codes[k]);
            else
                sb_puts(out, "other");
            sb_printf(out, "\"} %" PRIu64 "\n", v);
        }
    sb_puts(out, "# HELP privguard_http_request_duration_seconds Time from request headers to "
                 "the end of the answer.\n"
                 "# TYPE privguard_http_request_duration_seconds histogram\n");
    for (int r = 0; r < RT_COUNT; r++) {
        uint64_t cum = 0, total = 0;
        for (int b = 0; b <= LAT_BUCKETS; b++)
            total += atomic_load_explicit(&m->lat[r][b], memory_order_relaxed);
        if (!total)
            continue;
        for (int b = 0; b < LAT_BUCKETS; b++) {
            cum += atomic_load_explicit(&m->lat[r][b], memory_order_relaxed);
            sb_printf(out,
                      "privguard_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} "
                      "%" PRIu64 "\n",
                      pvg__routes[r].name, (double)lat_le_us[b] / 1e6, cum);
        }
        cum += atomic_load_explicit(&m->lat[r][LAT_BUCKETS], memory_order_relaxed);
        sb_printf(out,
                  "privguard_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} "
                  "%" PRIu64 "\n",
                  pvg__routes[r].name, cum);
        sb_printf(out, "privguard_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
                  pvg__routes[r].name,
                  (double)atomic_load_explicit(&m->lat_sum_us[r], memory_order_relaxed) / 1e6);
        sb_printf(out, "privguard_http_request_duration_seconds_count{route=\"%s\"} %" PRIu64 "\n",
                  pvg__routes[r].name, cum);
    }
    sb_puts(out, "# HELP privguard_findings_total Findings reported by scans, by entity type.\n"
                 "# TYPE privguard_findings_total counter\n");
    for (int t = 0; t < PVG_ENTITY_COUNT; t++)
        sb_printf(out, "privguard_findings_total{type=\"%s\"} %" PRIu64 "\n", pvg_entity_name(t),
                  atomic_load_explicit(&m->findings[t], memory_order_relaxed));
    sb_puts(out, "# HELP privguard_violations_total Violations reported by scans, by category.\n"
                 "# TYPE privguard_violations_total counter\n");
    for (int k = 0; k < MAX_CATS; k++) {
        const char *name = atomic_load_explicit(&m->cat_name[k], memory_order_acquire);
        if (!name)
            break;
        sb_puts(out, "privguard_violations_total{category=\"");
        label_escape(out, name);
        sb_printf(out, "\"} %" PRIu64 "\n",
                  atomic_load_explicit(&m->violations[k], memory_order_relaxed));
    }
    sb_puts(out, "# HELP privguard_scan_actions_total Scan results by action.\n"
                 "# TYPE privguard_scan_actions_total counter\n");
    for (int a = 0; a < 4; a++)
        sb_printf(out, "privguard_scan_actions_total{action=\"%s\"} %" PRIu64 "\n",
                  pvg_action_name(a), atomic_load_explicit(&m->actions[a], memory_order_relaxed));
    const pvg_engine_t *e = pvg_slot_acquire(s->slot);
    size_t nr = pvg_engine_rule_count(e);
    sb_puts(out, "# HELP privguard_rule_hits_total Messages each policy rule matched since the "
                 "rules were loaded.\n"
                 "# TYPE privguard_rule_hits_total counter\n");
    for (size_t i = 0; i < nr; i++) {
        const char *id = NULL, *cat = NULL;
        int shadow = 0;
        uint64_t hits = 0;
        if (pvg_engine_rule_info(e, i, &id, &cat, &shadow, &hits) != PVG_OK || !id)
            continue;
        sb_puts(out, "privguard_rule_hits_total{rule=\"");
        label_escape(out, id);
        sb_puts(out, "\",category=\"");
        label_escape(out, cat ? cat : "");
        sb_printf(out, "\",shadow=\"%s\"} %" PRIu64 "\n", shadow ? "true" : "false", hits);
    }
    sb_printf(out,
              "# HELP privguard_rules_generation Rules reloads applied since start.\n"
              "# TYPE privguard_rules_generation gauge\n"
              "privguard_rules_generation %" PRIu64 "\n"
              "# HELP privguard_engine_bytes Memory the current engine holds.\n"
              "# TYPE privguard_engine_bytes gauge\n"
              "privguard_engine_bytes %zu\n",
              pvg_slot_generation(s->slot), pvg_engine_size(e));
    pvg_slot_release(s->slot, e);
    pthread_mutex_lock(&s->q_mu);
    int qlen = s->q_len;
    pthread_mutex_unlock(&s->q_mu);
    sb_printf(out,
              "# HELP privguard_rules_reloads_total Rules reloads by result.\n"
              "# TYPE privguard_rules_reloads_total counter\n"
              "privguard_rules_reloads_total{result=\"ok\"} %" PRIu64 "\n"
              "privguard_rules_reloads_total{result=\"failed\"} %" PRIu64 "\n"
              "# HELP privguard_requests_in_flight Requests between headers and answer.\n"
              "# TYPE privguard_requests_in_flight gauge\n"
              "privguard_requests_in_flight %d\n"
              "# HELP privguard_requests_in_flight_limit Above it requests get 503.\n"
              "# TYPE privguard_requests_in_flight_limit gauge\n"
              "privguard_requests_in_flight_limit %d\n"
              "# HELP privguard_worker_queue_length Requests waiting for a worker.\n"
              "# TYPE privguard_worker_queue_length gauge\n"
              "privguard_worker_queue_length %d\n"
              "# HELP privguard_worker_queue_limit Above it requests get 503.\n"
              "# TYPE privguard_worker_queue_limit gauge\n"
              "privguard_worker_queue_limit %d\n"
              "# HELP privguard_workers_busy Workers running a request.\n"
              "# TYPE privguard_workers_busy gauge\n"
              "privguard_workers_busy %d\n"
              "# HELP privguard_shed_total Requests refused with 503, by reason.\n"
              "# TYPE privguard_shed_total counter\n"
              "privguard_shed_total{reason=\"in_flight\"} %" PRIu64 "\n"
              "privguard_shed_total{reason=\"queue\"} %" PRIu64 "\n"
              "privguard_shed_total{reason=\"deadline\"} %" PRIu64 "\n"
              "# HELP privguard_outbox_pending Outbound events not yet delivered.\n"
              "# TYPE privguard_outbox_pending gauge\n"
              "privguard_outbox_pending %" PRId64 "\n"
              "# HELP privguard_outbox_deliveries_total Webhook delivery attempts by result.\n"
              "# TYPE privguard_outbox_deliveries_total counter\n"
              "privguard_outbox_deliveries_total{result=\"ok\"} %" PRIu64 "\n"
              "privguard_outbox_deliveries_total{result=\"failed\"} %" PRIu64 "\n",
              atomic_load(&m->reloads_ok), atomic_load(&m->reloads_failed),
              atomic_load(&s->inflight), s->cfg.max_inflight, qlen, s->cfg.queue,
              atomic_load(&s->busy_workers), atomic_load(&m->shed_inflight),
              atomic_load(&m->shed_queue), atomic_load(&m->shed_deadline),
              atomic_load(&m->outbox_pending), atomic_load(&m->outbox_delivered),
              atomic_load(&m->outbox_failed));
    sb_printf(out,
              "# HELP privguard_media_bank_entries Enabled entries in the media bank index.\n"
              "# TYPE privguard_media_bank_entries gauge\n"
              "privguard_media_bank_entries %" PRId64 "\n"
              "# HELP privguard_media_uploads_total Media decoded and hashed, by result.\n"
              "# TYPE privguard_media_uploads_total counter\n"
              "privguard_media_uploads_total{result=\"hashed\"} %" PRIu64 "\n"
              "privguard_media_uploads_total{result=\"rejected\"} %" PRIu64 "\n"
              "# HELP privguard_media_matches_total Uploads that matched the bank.\n"
              "# TYPE privguard_media_matches_total counter\n"
              "privguard_media_matches_total %" PRIu64 "\n"
              "# HELP privguard_media_violations_total Matches that became a violation.\n"
              "# TYPE privguard_media_violations_total counter\n"
              "privguard_media_violations_total %" PRIu64 "\n",
              atomic_load(&s->media_entries), atomic_load(&s->media_hashed),
              atomic_load(&s->media_rejected), atomic_load(&s->media_matched),
              atomic_load(&s->media_violations));
}
