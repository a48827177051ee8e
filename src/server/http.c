/* SPDX-License-Identifier: MIT */
/*
 * http.c -- the service's HTTP side on libmicrohttpd: the request life
 * cycle, authentication, limits, load shedding, deadlines, the worker pool,
 * and start/reload/stop.
 *
 * Threads: MHD runs a pool of `threads` epoll loops (MHD_USE_EPOLL with
 * MHD_OPTION_THREAD_POOL_SIZE). Fast handlers (scan, the sanction check,
 * health, metrics, files) run on those threads. Handlers that wait on the
 * store or may run long (writes, lists, batch scans) are queued to a pool
 * of `workers` threads: the connection is suspended
 * (MHD_suspend_connection) and resumed when the answer is ready, so a slow
 * store never stalls the epoll loops.
 *
 * Limits: a request is counted "in flight" from its headers to the end of
 * its response; past `max_inflight` it is refused at once with 503 and
 * Retry-After. The worker queue holds at most `queue` requests; past that,
 * 503 as well. A request may carry a budget (X-Deadline-Ms: N, or
 * Request-Timeout: seconds); when the budget is spent before its work
 * starts (after upload, or when a worker picks it up), the answer is 503
 * deadline_exceeded without doing the work. Bodies have a per-route
 * ceiling (server.h); a Content-Length above it is refused before any
 * upload, and a chunked body that grows past it gets 413.
 *
 * Per-request memory: each connection owns one req_t with a body buffer and
 * an output buffer, reused by every request of that connection and wiped
 * after each one (they may hold message or evidence text).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/events_json.h"
#include "server/internal.h"

int64_t pvg__mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t pvg__wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void pvg__log(srv_t *s, const char *fmt, ...)
{
    (void)s;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "privguard serve: %s\n", line);
}

/* ------------------------------------------------------------ answers */

void pvg__req_error(req_t *r, int status, const char *code, const char *message)
{
    sb_reset(&r->out);
    r->out.max = PVG_SRV_MAX_BODY_BATCH * 4;
    r->status = status;
    r->ctype = NULL;
    sb_puts(&r->out, "{\"error\":");
    sb_json_str(&r->out, code, strlen(code));
    sb_puts(&r->out, ",\"message\":");
    sb_json_str(&r->out, message, strlen(message));
    sb_puts(&r->out, "}");
}

void pvg__req_enf_error(req_t *r, int rc)
{
    int st = pvg_enf_http_status(rc);
    if (st < 400)
        st = 500;
    if (st == 503 || rc == PVG_ENF_ERATE)
        r->retry_after = 1;
    pvg__req_error(r, st, pvg_enf_errname(rc), pvg_enf_strerror(rc));
}

void pvg__req_enf_json(req_t *r, int status, char *json)
{
    sb_reset(&r->out);
    r->status = status;
    if (sb_puts(&r->out, json))
        pvg__req_error(r, 500, "out_of_memory", "the answer could not be built");
    size_t n = strlen(json);
    sodium_memzero(json, n);
    pvg_enforce_free(json);
}

void pvg__req_json(req_t *r, int status, json_t *v)
{
    char *t = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(v);
    if (!t) {
        pvg__req_error(r, 500, "out_of_memory", "the answer could not be built");
        return;
    }
    sb_reset(&r->out);
    r->status = status;
    if (sb_puts(&r->out, t))
        pvg__req_error(r, 500, "out_of_memory", "the answer could not be built");
    sodium_memzero(t, strlen(t));
    free(t);
}

const char *pvg__req_arg(req_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

json_t *pvg__req_body_object(req_t *r)
{
    if (!r->body.len) {
        pvg__req_error(r, 400, "invalid_input", "a json object body is required");
        return NULL;
    }
    json_error_t jerr;
    json_t *o = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o) {
        char msg[96];
        snprintf(msg, sizeof msg, "malformed json at line %d column %d", jerr.line, jerr.column);
        pvg__req_error(r, 400, "invalid_json", msg);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        pvg__req_error(r, 400, "invalid_input", "the body must be a json object");
        return NULL;
    }
    return o;
}

/* -------------------------------------------------------- thread state */

static void tls_free(void *p)
{
    tls_t *t = p;
    if (t) {
        pvg_scratch_free(t->scratch);
        free(t);
    }
}

tls_t *pvg__tls(srv_t *s)
{
    tls_t *t = pthread_getspecific(s->tls);
    if (!t) {
        t = calloc(1, sizeof *t);
        if (t && pthread_setspecific(s->tls, t)) {
            free(t);
            t = NULL;
        }
    }
    return t;
}

/* ------------------------------------------------------------ handlers */

static void h_healthz(req_t *r)
{
    srv_t *s = r->srv;
    sb_reset(&r->out);
    r->status = 200;
    sb_printf(&r->out,
              "{\"status\":\"ok\",\"version\":\"%s\",\"rules_generation\":%llu,"
              "\"uptime_s\":%lld}",
              pvg_version(), (unsigned long long)pvg_slot_generation(s->slot),
              (long long)((pvg__wall_ms() - s->started_ms) / 1000));
}

static void h_metrics(req_t *r)
{
    sb_reset(&r->out);
    r->out.max = (size_t)8 << 20;
    r->status = 200;
    r->ctype = "text/plain; version=0.0.4; charset=utf-8";
    pvg__metrics_render(r->srv, &r->out);
    if (sb_failed(&r->out))
        pvg__req_error(r, 500, "out_of_memory", "the metrics could not be rendered");
}

/* GET /v1/whoami: the role and id of the token that signed the request
 * (checked already); nothing is read from the store. */
static void h_whoami(req_t *r)
{
    sb_reset(&r->out);
    r->status = 200;
    sb_printf(&r->out, "{\"role\":\"%s\",\"token_id\":%lld}", pvg_role_name(r->actor.role),
              (long long)r->token_id);
    if (sb_failed(&r->out))
        pvg__req_error(r, 500, "out_of_memory", "the answer could not be written");
}

static void run_handler(req_t *r)
{
    switch (r->route) {
    case RT_HEALTHZ: h_healthz(r); break;
    case RT_METRICS: h_metrics(r); break;
    case RT_OPENAPI: pvg__h_openapi(r); break;
    case RT_STATIC: pvg__h_static(r); break;
    case RT_SCAN: pvg__h_scan(r); break;
    case RT_SCAN_BATCH: pvg__h_scan_batch(r); break;
    case RT_EVENTS: pvg__h_events(r); break;
    case RT_WHOAMI: h_whoami(r); break;
    case RT_MEDIA_HASH:
    case RT_MEDIA_MATCH:
    case RT_MEDIA_BANK_ADD:
    case RT_MEDIA_BANK_LIST:
    case RT_MEDIA_BANK_DISABLE:
    case RT_MEDIA_EVIDENCE_REVEAL: pvg__h_media(r); break;
    default: pvg__h_enforce(r); break;
    }
    if (!r->status)
        pvg__req_error(r, 500, "internal", "the request was not answered");
}

/* --------------------------------------------------------- worker pool */

static int enqueue(srv_t *s, req_t *r)
{
    pthread_mutex_lock(&s->q_mu);
    if (s->q_stop || s->q_len >= s->cfg.queue) {
        pthread_mutex_unlock(&s->q_mu);
        return -1;
    }
    r->next_job = NULL;
    if (s->q_tail)
        s->q_tail->next_job = r;
    else
        s->q_head = r;
    s->q_tail = r;
    s->q_len++;
    pthread_cond_signal(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
    return 0;
}

static void *worker_main(void *arg)
{
    srv_t *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->q_mu);
        while (!s->q_head && !s->q_stop)
            pthread_cond_wait(&s->q_cv, &s->q_mu);
        req_t *r = s->q_head;
        if (!r) {
            pthread_mutex_unlock(&s->q_mu);
            break;
        }
        s->q_head = r->next_job;
        if (!s->q_head)
            s->q_tail = NULL;
        s->q_len--;
        pthread_mutex_unlock(&s->q_mu);
        atomic_fetch_add(&s->busy_workers, 1);
        if (r->deadline_ns && pvg__mono_ns() > r->deadline_ns) {
            atomic_fetch_add(&s->m.shed_deadline, 1);
            pvg__req_error(r, 503, "deadline_exceeded",
                           "the request's deadline passed before its work started");
        } else {
            run_handler(r);
        }
        atomic_fetch_sub(&s->busy_workers, 1);
        r->phase = 3;
        MHD_resume_connection(r->conn);
    }
    return NULL;
}

/* ------------------------------------------------------- the life cycle */

static void req_reset(req_t *r, srv_t *s, struct MHD_Connection *c)
{
    r->srv = s;
    r->conn = c;
    r->next_job = NULL;
    r->route = RT_NONE;
    r->method = 0;
    r->id = 0;
    r->acct[0] = 0;
    r->path[0] = 0;
    r->t0_ns = pvg__mono_ns();
    r->deadline_ns = 0;
    r->phase = 0;
    r->counted = 0;
    memset(&r->actor, 0, sizeof r->actor);
    r->actor_id[0] = 0;
    r->token_id = 0;
    r->ip[0] = 0;
    sb_reset(&r->body);
    sb_reset(&r->out);
    r->out.max = PVG_SRV_MAX_BODY_BATCH * 4;
    r->status = 0;
    r->retry_after = 0;
    r->ctype = NULL;
    r->cache = NULL;
    r->fd = -1;
    r->fd_size = 0;
    r->wipe_out = 0;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **sock_ctx,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    (void)c;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        req_t *r = calloc(1, sizeof *r);
        if (r) {
            sb_init(&r->body, 0);
            sb_init(&r->out, 0);
            r->fd = -1;
        }
        *sock_ctx = r;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        req_t *r = *sock_ctx;
        if (r) {
            sb_wipe_free(&r->body);
            sb_wipe_free(&r->out);
            if (r->fd >= 0)
                close(r->fd);
            free(r);
        }
        *sock_ctx = NULL;
    }
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    srv_t *s = cls;
    req_t *r = *req_cls;
    if (!r)
        return;
    int64_t ns = pvg__mono_ns() - r->t0_ns;
    pvg__metrics_request(&s->m, r->route, r->status, ns);
    if (s->cfg.access_log)
        fprintf(stderr, "privguard serve: %s %s %d %.3f ms\n",
                r->method == M_GET ? "GET" : r->method == M_POST ? "POST" : "OTHER",
                pvg__routes[r->route].name, r->status, (double)ns / 1e6);
    if (r->counted)
        atomic_fetch_sub(&s->inflight, 1);
    r->counted = 0;
    /* The body may hold message text; the output evidence text. */
    if (r->body.data)
        sodium_memzero(r->body.data, r->body.len);
    if (r->out.data && r->wipe_out)
        sodium_memzero(r->out.data, r->out.len);
    r->body.len = r->out.len = 0;
    sb_shrink(&r->body, 64 * 1024);
    sb_shrink(&r->out, 256 * 1024);
    if (r->fd >= 0) /* not handed to a response */
        close(r->fd);
    r->fd = -1;
    *req_cls = NULL;
}

static enum MHD_Result send_answer(req_t *r)
{
    struct MHD_Response *resp;
    r->phase = 3;
    if (r->fd >= 0) {
        resp = MHD_create_response_from_fd64(r->fd_size, r->fd);
        if (resp)
            r->fd = -1; /* MHD closes it */
    } else {
        resp = MHD_create_response_from_buffer(r->out.len, r->out.data ? r->out.data : (void *)"",
                                               MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->ctype ? r->ctype : "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache ? r->cache : "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (r->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    if (r->status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    if (r->status == 405) {
        unsigned m = pvg__routes[r->route].methods;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
                                m == M_POST ? "POST" : (m & M_POST) ? "GET, POST" : "GET, HEAD");
    }
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Parses a positive decimal number of at most 9 digits with an optional
 * fraction ("1.5"), scaled by mult. Returns -1 when malformed. */
static int64_t parse_budget(const char *v, int64_t mult)
{
    while (*v == ' ')
        v++;
    int64_t whole = 0, frac = 0, fdiv = 1;
    int n = 0;
    while (*v >= '0' && *v <= '9' && n < 9) {
        whole = whole * 10 + (*v++ - '0');
        n++;
    }
    if (!n)
        return -1;
    if (*v == '.') {
        v++;
        while (*v >= '0' && *v <= '9' && fdiv < 1000000) {
            frac = frac * 10 + (*v++ - '0');
            fdiv *= 10;
        }
    }
    while (*v == ' ')
        v++;
    if (*v)
        return -1;
    return whole * mult + frac * mult / fdiv;
}

/* Authenticates the Bearer token and checks the route's roles. */
static int authenticate(req_t *r)
{
    srv_t *s = r->srv;
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7)) {
        pvg__req_error(r, 401, "unauthorized", "an Authorization: Bearer token is required");
        return -1;
    }
    const char *tok = h + 7;
    while (*tok == ' ')
        tok++;
    size_t n = strlen(tok);
    while (n && tok[n - 1] == ' ')
        n--;
    char t[65];
    int ok = n == 64;
    for (size_t i = 0; ok && i < 64; i++) {
        char c = tok[i];
        ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        t[i] = (char)((c >= 'A' && c <= 'F') ? c + 32 : c);
    }
    if (!ok) {
        pvg__req_error(r, 401, "unauthorized", "the token is malformed");
        return -1;
    }
    t[64] = 0;
    pvg_role_t role = PVG_ROLE_NONE;
    int64_t tid = 0;
    int rc = pvg_token_verify(s->enf, t, &role, &tid);
    sodium_memzero(t, sizeof t);
    if (rc == PVG_ENF_EUNAUTH) {
        pvg__req_error(r, 401, "unauthorized", "unknown or revoked token");
        return -1;
    }
    if (rc) {
        pvg__req_enf_error(r, rc);
        return -1;
    }
    unsigned roles = pvg__routes[r->route].roles;
    if (r->route == RT_METRICS)
        roles = ~0u;
    if (!(roles & (1u << role))) {
        pvg__req_error(r, 403, "forbidden", "this token's role may not use this endpoint");
        return -1;
    }
    snprintf(r->actor_id, sizeof r->actor_id, "token:%lld", (long long)tid);
    r->token_id = tid;
    r->actor.id = r->actor_id;
    r->actor.role = role;
    return 0;
}

static void client_ip(req_t *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->ip,
                  sizeof r->ip);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->ip,
                  sizeof r->ip);
    r->actor.ip = r->ip[0] ? r->ip : NULL;
}

/* Everything decided from the headers alone. Returns 0 to go on reading the
 * body, or 1 when the answer is already set. */
static int on_headers(req_t *r, const char *url, const char *method)
{
    srv_t *s = r->srv;
    r->method = (unsigned)pvg__method_bit(method);
    int bad_id = 0;
    if (strlen(url) >= sizeof r->path) {
        r->route = RT_NONE;
        atomic_fetch_add(&s->inflight, 1);
        r->counted = 1;
        pvg__req_error(r, 414, "uri_too_long", "the path is too long");
        return 1;
    }
    snprintf(r->path, sizeof r->path, "%s", url);
    r->route = pvg__route_match(url, &r->id, r->acct, sizeof r->acct, &bad_id);
    if (r->method == M_GET && r->route == RT_APPEALS_POST)
        r->route = RT_APPEALS_LIST;
    if (r->method == M_GET && r->route == RT_NOTICES_POST)
        r->route = RT_NOTICES_LIST;
    if (r->method == M_GET && r->route == RT_MEDIA_BANK_ADD)
        r->route = RT_MEDIA_BANK_LIST;
    if (atomic_fetch_add(&s->inflight, 1) >= s->cfg.max_inflight) {
        r->counted = 1;
        atomic_fetch_add(&s->m.shed_inflight, 1);
        r->retry_after = 1;
        pvg__req_error(r, 503, "overloaded", "too many requests in flight; retry later");
        return 1;
    }
    r->counted = 1;
    const route_info_t *ri = &pvg__routes[r->route];
    if (r->route == RT_NONE) {
        pvg__req_error(r, 404, "not_found", "no such endpoint");
        return 1;
    }
    if (!(ri->methods & r->method)) {
        pvg__req_error(r, 405, "method_not_allowed", "this endpoint does not take that method");
        return 1;
    }
    const char *dl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Deadline-Ms");
    int64_t budget_ns = -1;
    if (dl) {
        int64_t ms = parse_budget(dl, 1);
        if (ms <= 0 || ms > 3600000) {
            pvg__req_error(r, 400, "invalid_input", "X-Deadline-Ms must be 1..3600000");
            return 1;
        }
        budget_ns = ms * 1000000LL;
    } else if ((dl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Request-Timeout"))) {
        int64_t ms = parse_budget(dl, 1000);
        if (ms <= 0 || ms > 3600000) {
            pvg__req_error(r, 400, "invalid_input", "Request-Timeout must be 0.001..3600 seconds");
            return 1;
        }
        budget_ns = ms * 1000000LL;
    }
    if (budget_ns > 0)
        r->deadline_ns = r->t0_ns + budget_ns;
    client_ip(r);
    int need_auth = ri->roles != 0 || (r->route == RT_METRICS && s->cfg.metrics_auth);
    if (need_auth && authenticate(r))
        return 1;
    if (bad_id) {
        pvg__req_error(r, 404, "not_found", "the id in the path is not a valid id");
        return 1;
    }
    const char *cl =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(cl, &end, 10);
        if (!errno && end != cl && v > ri->max_body) {
            pvg__req_error(r, 413, "body_too_large",
                           ri->max_body ? "the body is larger than this endpoint's limit"
                                        : "this endpoint takes no body");
            return 1;
        }
    }
    r->body.max = ri->max_body;
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **req_cls)
{
    (void)version;
    srv_t *s = cls;
    req_t *r = *req_cls;
    if (!r) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        r = ci ? ci->socket_context : NULL;
        if (!r)
            return MHD_NO;
        req_reset(r, s, c);
        *req_cls = r;
        if (on_headers(r, url, method))
            return send_answer(r);
        r->phase = 1;
        return MHD_YES;
    }
    if (r->phase == 3) {
        *data_size = 0;
        return send_answer(r);
    }
    if (r->phase == 2)
        return MHD_YES; /* resumed spuriously; the worker answers */
    if (*data_size) {
        if (!r->body.too_big && !r->body.oom)
            sb_put(&r->body, data, *data_size);
        *data_size = 0;
        return MHD_YES;
    }
    /* The whole request is here. */
    if (r->body.too_big) {
        pvg__req_error(r, 413, "body_too_large", "the body is larger than this endpoint's limit");
        return send_answer(r);
    }
    if (r->body.oom) {
        r->retry_after = 1;
        pvg__req_error(r, 503, "out_of_memory", "the body could not be stored");
        return send_answer(r);
    }
    if (r->deadline_ns && pvg__mono_ns() > r->deadline_ns) {
        atomic_fetch_add(&s->m.shed_deadline, 1);
        pvg__req_error(r, 503, "deadline_exceeded",
                       "the request's deadline passed before its work started");
        return send_answer(r);
    }
    if (pvg__routes[r->route].worker) {
        r->phase = 2;
        MHD_suspend_connection(c);
        if (enqueue(s, r)) {
            MHD_resume_connection(c);
            atomic_fetch_add(&s->m.shed_queue, 1);
            r->retry_after = 1;
            pvg__req_error(r, 503, "overloaded", "the work queue is full; retry later");
            r->phase = 3;
        }
        return MHD_YES;
    }
    run_handler(r);
    return send_answer(r);
}

/* --------------------------------------------------------- start, stop */

static int parse_listen(const char *l, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[256];
    const char *colon = strrchr(l, ':');
    if (!colon || (size_t)(colon - l) >= sizeof host)
        return -1;
    memcpy(host, l, (size_t)(colon - l));
    host[colon - l] = 0;
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
        return -1;
    memset(ss, 0, sizeof *ss);
    char *h = host;
    size_t hl = strlen(h);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h[hl - 1] = 0;
        h++;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (!*h || inet_pton(AF_INET, h, &a4->sin_addr) == 1) {
        if (!*h)
            a4->sin_addr.s_addr = htonl(INADDR_ANY);
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof *a4;
        return 0;
    }
    if (inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        return 1;
    }
    if (!strcmp(h, "localhost")) {
        a4->sin_family = AF_INET;
        a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof *a4;
        return 0;
    }
    return -1;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            if (cap > ((size_t)64 << 20)) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            cap = cap ? cap * 2 : 131072;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Compiles the configured rules (NULL: built-in). */
static pvg_engine_t *compile_rules(const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = NULL;
    if (path) {
        text = read_all(path, &len);
        if (!text) {
            snprintf(err, errlen, "cannot read rules file '%s': %s", path, strerror(errno));
            return NULL;
        }
    }
    pvg_engine_t *e = NULL;
    pvg_compile_error_t *ce = NULL;
    pvg_error_t rc = pvg_engine_compile(text, len, 0, &e, &ce);
    free(text);
    if (rc != PVG_OK) {
        if (ce)
            snprintf(err, errlen, "rules %s:%d:%d: %s%s%s%s", path ? path : "(built-in)", ce->line,
                     ce->column, ce->message, ce->rule ? " (" : "", ce->rule ? ce->rule : "",
                     ce->rule ? ")" : "");
        else
            snprintf(err, errlen, "cannot compile rules: %s", pvg_strerror(rc));
        pvg_compile_error_free(ce);
        return NULL;
    }
    return e;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        line[--n] = 0;
    fprintf(stderr, "privguard serve: http: %s\n", line);
}

/* A sanction decided through this instance: tell the other nodes. */
static void announce_change(const char *account, void *ctx)
{
    (void)pvg_sanction_bus_notify(ctx, account);
}

static void free_srv(srv_t *s)
{
    if (!s)
        return;
    if (s->bus) {
        /* the bus refreshes the enforce handle: it goes first */
        pvg_enforce_on_sanction_change(s->enf, NULL, NULL);
        pvg_sanction_bus_close(s->bus);
        s->bus = NULL;
    }
    for (int i = 0; i < WINDOW_SHARDS; i++) {
        pvg_window_free(s->shards[i].w);
        pthread_mutex_destroy(&s->shards[i].mu);
    }
    pvg_slot_free(s->slot);
    pvg__media_stop(s);
    pvg_enforce_close(s->enf);
    cli_events_close(s->events);
    pthread_mutex_destroy(&s->ev_mu);
    if (s->tls_ok) {
        /* The calling thread may have scanned (tests do). */
        tls_free(pthread_getspecific(s->tls));
        pthread_setspecific(s->tls, NULL);
        pthread_key_delete(s->tls);
    }
    free(s->web_root);
    free(s->workers);
    if (s->curl_init)
        curl_global_cleanup();
    pthread_mutex_destroy(&s->q_mu);
    pthread_cond_destroy(&s->q_cv);
    pthread_mutex_destroy(&s->bg_mu);
    pthread_cond_destroy(&s->bg_cv);
    pthread_mutex_destroy(&s->reload_mu);
    pvg_server_config_free(&s->cfg);
    free(s);
}

static void stop_workers(srv_t *s)
{
    pthread_mutex_lock(&s->q_mu);
    s->q_stop = 1;
    pthread_cond_broadcast(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
    for (int i = 0; i < s->n_workers; i++)
        pthread_join(s->workers[i], NULL);
    s->n_workers = 0;
}

int pvg_server_start(const pvg_server_config_t *c, pvg_server_t **out, char *err, size_t errlen)
{
    *out = NULL;
    srv_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_init(&s->q_mu, NULL);
    pthread_cond_init(&s->q_cv, NULL);
    pthread_mutex_init(&s->bg_mu, NULL);
    pthread_cond_init(&s->bg_cv, NULL);
    pthread_mutex_init(&s->reload_mu, NULL);
    pthread_mutex_init(&s->ev_mu, NULL);
    for (int i = 0; i < WINDOW_SHARDS; i++)
        pthread_mutex_init(&s->shards[i].mu, NULL);
    if (pvg_server_config_copy(&s->cfg, c)) {
        snprintf(err, errlen, "out of memory");
        free_srv(s);
        return -1;
    }
    pvg_server_config_t *cfg = &s->cfg;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    s->curl_init = 1;
    s->started_ms = pvg__wall_ms();
    if (cfg->threads < 1 || cfg->threads > 256 || cfg->workers < 1 || cfg->workers > 256 ||
        cfg->queue < 1 || cfg->max_inflight < 1) {
        snprintf(err, errlen, "threads, workers, queue and max_inflight must be positive");
        free_srv(s);
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl;
    int fam = parse_listen(cfg->listen ? cfg->listen : "127.0.0.1:8080", &ss, &sl);
    if (fam < 0) {
        snprintf(err, errlen, "cannot parse listen address '%s' (want HOST:PORT)",
                 cfg->listen ? cfg->listen : "");
        free_srv(s);
        return -1;
    }
    /* the store */
    char store_buf[1200];
    const char *store = cfg->store;
    if (!store) {
        snprintf(store_buf, sizeof store_buf, "%s/privguard.db", cfg->data ? cfg->data : "./data");
        store = store_buf;
    }
    char *ladder = NULL;
    if (cfg->ladder) {
        size_t ll;
        ladder = read_all(cfg->ladder, &ll);
        if (!ladder) {
            snprintf(err, errlen, "cannot read ladder file '%s': %s", cfg->ladder,
                     strerror(errno));
            free_srv(s);
            return -1;
        }
    }
    pvg_enforce_options_t eo;
    pvg_enforce_options_init(&eo);
    eo.store = store;
    eo.key_dir = cfg->keys;
    eo.ladder_json = ladder;
    eo.pool_size = cfg->workers + cfg->threads;
    int rc = pvg_enforce_open(&eo, &s->enf);
    free(ladder);
    if (rc) {
        snprintf(err, errlen, "cannot open store '%s': %s",
                 strstr(store, "password") ? "(connection string)" : store, pvg_enf_errname(rc));
        free_srv(s);
        return -1;
    }
    /* the media bank index, loaded from the store */
    if (pvg__media_start(s, err, errlen)) {
        free_srv(s);
        return -1;
    }
    /* sanction-cache invalidation between nodes (docs/deploy.md): this
     * instance announces the sanctions decided through it and refreshes
     * its cache on the others' notices */
    if (cfg->nats) {
        char berr[384];
        if (pvg_sanction_bus_open(cfg->nats, cfg->nats_prefix, s->enf, 0, NULL, NULL, &s->bus,
                                  berr, sizeof berr)) {
            snprintf(err, errlen, "%s", berr);
            free_srv(s);
            return -1;
        }
        pvg_enforce_on_sanction_change(s->enf, announce_change, s->bus);
    }
    /* the rules */
    pvg_engine_t *e = compile_rules(cfg->rules, err, errlen);
    if (!e) {
        free_srv(s);
        return -1;
    }
    if (pvg_slot_alloc(e, &s->slot) != PVG_OK) {
        pvg_engine_free(e);
        snprintf(err, errlen, "out of memory");
        free_srv(s);
        return -1;
    }
    size_t per_shard = (size_t)(cfg->window_keys > 0 ? cfg->window_keys : 100000) / WINDOW_SHARDS;
    for (int i = 0; i < WINDOW_SHARDS; i++) {
        if (pvg_window_alloc(per_shard ? per_shard : 1, 0, 0, &s->shards[i].w) != PVG_OK) {
            snprintf(err, errlen, "out of memory");
            free_srv(s);
            return -1;
        }
    }
    if (cli_events_open(NULL, &s->events)) {
        snprintf(err, errlen, "cannot set up the event state");
        free_srv(s);
        return -1;
    }
    if (pthread_key_create(&s->tls, tls_free)) {
        snprintf(err, errlen, "cannot create thread-local storage");
        free_srv(s);
        return -1;
    }
    s->tls_ok = 1;
    /* the web root: the configured folder, or ./web when it exists */
    const char *web = cfg->web;
    struct stat st;
    if (!web && stat("web", &st) == 0 && S_ISDIR(st.st_mode))
        web = "web";
    if (web) {
        s->web_root = realpath(web, NULL);
        if (!s->web_root) {
            snprintf(err, errlen, "cannot open web folder '%s': %s", web, strerror(errno));
            free_srv(s);
            return -1;
        }
    }
    /* workers */
    s->workers = calloc((size_t)cfg->workers, sizeof *s->workers);
    if (!s->workers) {
        snprintf(err, errlen, "out of memory");
        free_srv(s);
        return -1;
    }
    for (int i = 0; i < cfg->workers; i++) {
        if (pthread_create(&s->workers[i], NULL, worker_main, s)) {
            snprintf(err, errlen, "cannot start worker threads");
            stop_workers(s);
            free_srv(s);
            return -1;
        }
        s->n_workers++;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    if (fam == 1)
        flags |= MHD_USE_IPv6;
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16 * 1024, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errlen, "cannot listen on '%s': %s", cfg->listen ? cfg->listen : "",
                 strerror(errno ? errno : EADDRINUSE));
        stop_workers(s);
        free_srv(s);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    if (pvg__bg_start(s)) {
        snprintf(err, errlen, "cannot start background threads");
        MHD_stop_daemon(s->d);
        stop_workers(s);
        free_srv(s);
        return -1;
    }
    *out = (pvg_server_t *)s;
    return 0;
}

uint16_t pvg_server_port(const pvg_server_t *sv) { return ((const srv_t *)(const void *)sv)->port; }

pvg_enforce_t *pvg_server_enforce(pvg_server_t *sv) { return ((srv_t *)(void *)sv)->enf; }

int pvg_server_reload(pvg_server_t *sv, char *err, size_t errlen)
{
    srv_t *s = (srv_t *)(void *)sv;
    pthread_mutex_lock(&s->reload_mu);
    pvg_engine_t *e = compile_rules(s->cfg.rules, err, errlen);
    int rc = -1;
    if (e) {
        if (pvg_slot_swap(s->slot, e) == PVG_OK)
            rc = 0;
        else
            snprintf(err, errlen, "cannot swap the rules");
    }
    atomic_fetch_add(rc ? &s->m.reloads_failed : &s->m.reloads_ok, 1);
    pthread_mutex_unlock(&s->reload_mu);
    return rc;
}

void pvg_server_stop(pvg_server_t *sv, int grace_ms)
{
    srv_t *s = (srv_t *)(void *)sv;
    if (!s)
        return;
    if (s->d) {
        /* stop accepting; let the requests in flight finish */
        MHD_socket fd = MHD_quiesce_daemon(s->d);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
        int64_t until = pvg__mono_ns() + (int64_t)grace_ms * 1000000LL;
        while (atomic_load(&s->inflight) > 0 && pvg__mono_ns() < until) {
            struct timespec ts = {0, 5 * 1000000L};
            nanosleep(&ts, NULL);
        }
        /* Requests still queued or running after the grace period: the
         * workers finish them (no connection stays suspended), then the
         * daemon stops. */
        pthread_mutex_lock(&s->q_mu);
        int queued = s->q_len;
        pthread_mutex_unlock(&s->q_mu);
        while ((queued > 0 || atomic_load(&s->busy_workers) > 0)) {
            struct timespec ts = {0, 5 * 1000000L};
            nanosleep(&ts, NULL);
            pthread_mutex_lock(&s->q_mu);
            queued = s->q_len;
            pthread_mutex_unlock(&s->q_mu);
        }
        MHD_stop_daemon(s->d);
        s->d = NULL;
    }
    stop_workers(s);
    pvg__bg_stop(s);
    free_srv(s);
}
