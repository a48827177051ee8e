/* SPDX-License-Identifier: MIT */
/*
 * httputil.h -- what the service tests share: a fresh store per backend
 * (SQLite file in a temporary folder, or a new schema in the PostgreSQL
 * database of PVG_TEST_PG, which must be set unless PVG_ALLOW_NO_PG=1),
 * API tokens made straight through the enforcement core, a server started
 * in-process on 127.0.0.1 with an ephemeral port, and a libcurl client that
 * returns the status and the parsed JSON answer.
 *
 * Everything here is test code: failures end the test through cmocka.
 */
#ifndef PVG_TEST_SERVER_HTTPUTIL_H
#define PVG_TEST_SERVER_HTTPUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <privguard/enforce.h>

#include "server/server.h"

enum { BACKEND_SQLITE = 0, BACKEND_PG = 1 };

typedef struct test_env {
    char dir[256];
    char spec[768];
    char keys[320];
    pvg_server_t *srv;
    char base[64];
    /* tokens by role: service, reporter_app, triage, moderator, admin, moderator2 */
    char tok[6][65];
} test_env_t;

enum { T_SERVICE, T_APP, T_TRIAGE, T_MOD, T_ADMIN, T_MOD2 };

/* A fresh, empty store. Returns 0, or 1 when the PostgreSQL variant is
 * skipped (PVG_ALLOW_NO_PG=1 and no PVG_TEST_PG). */
static inline int env_store(test_env_t *t, int backend)
{
    static unsigned counter;
    snprintf(t->dir, sizeof t->dir, "/tmp/pvg-server-test.XXXXXX");
    if (!mkdtemp(t->dir))
        fail_msg("cannot create a temporary folder");
    snprintf(t->keys, sizeof t->keys, "%s/keys", t->dir);
    if (backend == BACKEND_SQLITE) {
        snprintf(t->spec, sizeof t->spec, "%s/data/pvg.db", t->dir);
        return 0;
    }
    const char *pg = getenv("PVG_TEST_PG");
    if (!pg || !*pg) {
        const char *allow = getenv("PVG_ALLOW_NO_PG");
        if (allow && !strcmp(allow, "1"))
            return 1;
        fail_msg("PVG_TEST_PG is not set: run under scripts/pg-test.sh run -- ..., "
                 "or set PVG_ALLOW_NO_PG=1 to skip the PostgreSQL variants");
    }
    char schema[64];
    snprintf(schema, sizeof schema, "srv_%ld_%u", (long)getpid(), counter++);
    pvg_store_t *s = NULL;
    if (pvg_store_open(pg, &s))
        fail_msg("cannot connect to PVG_TEST_PG");
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema,
             schema);
    if (pvg_store_exec(s, sql))
        fail_msg("cannot create schema: %s", pvg_store_errmsg(s));
    pvg_store_close(s);
    snprintf(t->spec, sizeof t->spec, "%s options='-csearch_path=%s'", pg, schema);
    return 0;
}

/* Creates one token per role (and a second moderator) in the store. */
static inline void env_tokens(test_env_t *t)
{
    pvg_enforce_options_t o;
    pvg_enforce_options_init(&o);
    o.store = t->spec;
    o.key_dir = t->keys;
    o.pool_size = 1;
    pvg_enforce_t *e = NULL;
    int rc = pvg_enforce_open(&o, &e);
    if (rc)
        fail_msg("cannot open the test store: %s", pvg_enf_errname(rc));
    pvg_actor_t admin = {"test:setup", PVG_ROLE_ADMIN, NULL};
    static const pvg_role_t roles[6] = {PVG_ROLE_SERVICE,   PVG_ROLE_REPORTER_APP,
                                        PVG_ROLE_TRIAGE,    PVG_ROLE_MODERATOR,
                                        PVG_ROLE_ADMIN,     PVG_ROLE_MODERATOR};
    for (int i = 0; i < 6; i++) {
        int64_t id;
        if (pvg_token_create(e, &admin, roles[i], "test", t->tok[i], &id))
            fail_msg("cannot create a token");
    }
    pvg_enforce_close(e);
}

/* Starts a server on the env's store; extra holds "key=value" settings. */
static inline void env_start(test_env_t *t, const char *const *extra)
{
    pvg_server_config_t c;
    pvg_server_config_init(&c);
    char err[512];
    if (pvg_server_config_set(&c, "listen", "127.0.0.1:0", err, sizeof err) ||
        pvg_server_config_set(&c, "store", t->spec, err, sizeof err) ||
        pvg_server_config_set(&c, "keys", t->keys, err, sizeof err) ||
        pvg_server_config_set(&c, "cache_refresh_ms", "100", err, sizeof err))
        fail_msg("config: %s", err);
    for (size_t i = 0; extra && extra[i]; i++) {
        char kv[1024];
        snprintf(kv, sizeof kv, "%s", extra[i]);
        char *eq = strchr(kv, '=');
        if (!eq)
            fail_msg("bad setting");
        *eq = 0;
        if (pvg_server_config_set(&c, kv, eq + 1, err, sizeof err))
            fail_msg("config: %s", err);
    }
    if (pvg_server_start(&c, &t->srv, err, sizeof err))
        fail_msg("cannot start the server: %s", err);
    pvg_server_config_free(&c);
    snprintf(t->base, sizeof t->base, "http://127.0.0.1:%u", (unsigned)pvg_server_port(t->srv));
}

static inline void env_remove_dir(test_env_t *t)
{
    if (strncmp(t->dir, "/tmp/pvg-server-test.", 21))
        return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: cannot remove %s\n", t->dir);
}

/* cmocka group teardown shared by the HTTP tests: stops the server (if
 * one started) and removes the test's directory. */
static inline int env_teardown(void **state)
{
    test_env_t *t = *state;
    if (t->srv)
        pvg_server_stop(t->srv, 5000);
    t->srv = NULL;
    env_remove_dir(t);
    return 0;
}

/* Skips a test whose backend could not start (no PostgreSQL allowed). */
#define SKIP_IF_NEEDED(t)                                                                          \
    do {                                                                                           \
        if (!(t)->srv)                                                                             \
            skip();                                                                                \
    } while (0)

/* ------------------------------------------------------------- client */

typedef struct http_resp {
    long status;
    char *body;
    size_t len;
    json_t *json; /* parsed body, or NULL */
    char retry_after[32];
    char ctype[128];
    char cache[128];
} http_resp_t;

static size_t hu_write(char *p, size_t size, size_t n, void *ctx)
{
    http_resp_t *r = ctx;
    size_t k = size * n;
    char *nb = realloc(r->body, r->len + k + 1);
    if (!nb)
        return 0;
    memcpy(nb + r->len, p, k);
    r->body = nb;
    r->len += k;
    r->body[r->len] = 0;
    return k;
}

static size_t hu_header(char *p, size_t size, size_t n, void *ctx)
{
    http_resp_t *r = ctx;
    size_t k = size * n;
    struct {
        const char *name;
        char *dst;
        size_t cap;
    } want[] = {{"retry-after:", r->retry_after, sizeof r->retry_after},
                {"content-type:", r->ctype, sizeof r->ctype},
                {"cache-control:", r->cache, sizeof r->cache}};
    for (size_t i = 0; i < 3; i++) {
        size_t nl = strlen(want[i].name);
        if (k > nl && !strncasecmp(p, want[i].name, nl)) {
            const char *v = p + nl;
            size_t vl = k - nl;
            while (vl && (*v == ' '))
                v++, vl--;
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
                vl--;
            snprintf(want[i].dst, want[i].cap, "%.*s", (int)vl, v);
        }
    }
    return k;
}

static inline void resp_free(http_resp_t *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

/* One request. token may be NULL; body NULL for none; hdr: an extra header
 * line or NULL. The answer is parsed as JSON when it is JSON. */
static inline http_resp_t http(const test_env_t *t, const char *method, const char *path,
                               const char *token, const char *body, const char *hdr)
{
    http_resp_t r;
    memset(&r, 0, sizeof r);
    CURL *c = curl_easy_init();
    if (!c)
        fail_msg("curl_easy_init failed");
    char url[1024];
    snprintf(url, sizeof url, "%s%s", t->base, path);
    struct curl_slist *h = NULL;
    char auth[128];
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    if (hdr)
        h = curl_slist_append(h, hdr);
    /* As in http_raw: only a large body waits for "100 Continue". */
    if (!body || strlen(body) <= ((size_t)1 << 20))
        h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hu_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, hu_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    /* As in http_raw: an answer that came before a send error counts. */
    if (rc != CURLE_OK && !(rc == CURLE_SEND_ERROR && r.status > 0))
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    if (r.body)
        r.json = json_loadb(r.body, r.len, 0, NULL);
    return r;
}

/* One request with a binary body of len bytes and a Content-Type (NULL:
 * none). The answer is parsed as JSON when it is JSON. */
static inline http_resp_t http_raw(const test_env_t *t, const char *path, const char *token,
                                   const void *body, size_t len, const char *ctype)
{
    http_resp_t r;
    memset(&r, 0, sizeof r);
    CURL *c = curl_easy_init();
    if (!c)
        fail_msg("curl_easy_init failed");
    char url[1024], auth[128], ct[160];
    snprintf(url, sizeof url, "%s%s", t->base, path);
    struct curl_slist *h = NULL;
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    snprintf(ct, sizeof ct, "Content-Type:%s%s", ctype ? " " : "", ctype ? ctype : "");
    h = curl_slist_append(h, ct);
    /* Every body waits for "100 Continue", so a server that refuses the
     * request on its headers (413 too large, 403 wrong role) answers before
     * the body is sent instead of closing the connection under the sender
     * (which raced: curl could see the send error before the answer). */
    if (len)
        h = curl_slist_append(h, "Expect: 100-continue");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, len ? body : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hu_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, hu_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    /* A server that refuses an oversized body answers 413 and closes the
     * connection while the client is still sending: curl then reports a
     * send error although the answer arrived. Only no answer at all fails. */
    if (rc != CURLE_OK && !(rc == CURLE_SEND_ERROR && r.status > 0))
        fail_msg("POST %s: %s", path, curl_easy_strerror(rc));
    if (r.body)
        r.json = json_loadb(r.body, r.len, 0, NULL);
    return r;
}

/* Asserts the status and, for errors, the {"error", "message"} shape. */
static inline void expect(const http_resp_t *r, long status, const char *what)
{
    if (r->status != status)
        fail_msg("%s: status %ld, want %ld; body: %.300s", what, r->status, status,
                 r->body ? r->body : "");
    if (status >= 400) {
        if (!json_is_object(r->json) || !json_is_string(json_object_get(r->json, "error")) ||
            !json_is_string(json_object_get(r->json, "message")))
            fail_msg("%s: an error without the JSON error shape: %.300s", what,
                     r->body ? r->body : "");
    }
}

static inline json_int_t jint(const http_resp_t *r, const char *key)
{
    json_t *v = json_object_get(r->json, key);
    if (!json_is_integer(v))
        fail_msg("no integer '%s' in %.300s", key, r->body ? r->body : "");
    return json_integer_value(v);
}

#endif
