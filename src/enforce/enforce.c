/* SPDX-License-Identifier: MIT */
/*
 * enforce.c -- the enforcement core's object and shared machinery.
 *
 * Opening (options, connection pool, migrations, keys, cache), the clock,
 * roles and scopes, encryption of evidence, the hash-chained audit log and
 * its verification, the outbox, the sanction cache's synchronisation with
 * the store, the scheduler tick, retention purge and legal holds,
 * identifier fingerprints and API tokens. The state machines of reports,
 * cases, decisions, sanctions, appeals and notices are in cases.c and
 * actions.c.
 */
#include "enforce/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ small helpers */

void pvg_enforce_free(void *p)
{
    free(p);
}

int pvg__json_out(json_t *v, char **json)
{
    if (!v)
        return PVG_ENF_ENOMEM;
    *json = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(v);
    return *json ? PVG_ENF_OK : PVG_ENF_ENOMEM;
}

int pvg__valid_id(const char *s)
{
    if (!s || !*s)
        return 0;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
        if (*p < 0x20 || *p == 0x7f || n >= 256)
            return 0;
    return 1;
}

static const char *const categories[] = {
    "pii_exposure",   "pii_trade",       "impersonation_collection", "unconsented_collection",
    "phishing_lure",  "malware_lure",    "exposure_threat",          "auth_key_extraction",
    "illegal_pii_use"};

int pvg__valid_category(const char *c)
{
    if (!c)
        return 0;
    for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
        if (!strcmp(c, categories[i]))
            return 1;
    return 0;
}

static const char *const role_names[] = {"none", "service", "reporter_app", "triage",
                                         "moderator", "admin"};

const char *pvg_role_name(pvg_role_t r)
{
    return (unsigned)r <= PVG_ROLE_ADMIN ? role_names[r] : "none";
}

int pvg_role_parse(const char *name, pvg_role_t *out)
{
    for (int i = 1; name && i <= PVG_ROLE_ADMIN; i++) {
        if (!strcmp(name, role_names[i])) {
            *out = (pvg_role_t)i;
            return PVG_ENF_OK;
        }
    }
    return PVG_ENF_EINVAL;
}

static const char *const scope_names[] = {"",
                                          "message_send",
                                          "openchat_search",
                                          "openchat_access",
                                          "open_profile",
                                          "post_visibility",
                                          "account_creation",
                                          "service"};

const char *pvg_scope_name(pvg_scope_t s)
{
    return (s >= PVG_SCOPE_MESSAGE_SEND && s <= PVG_SCOPE_SERVICE) ? scope_names[s] : "unknown";
}

int pvg_scope_parse(const char *name, pvg_scope_t *out)
{
    for (int i = 1; name && i <= PVG_SCOPE_SERVICE; i++) {
        if (!strcmp(name, scope_names[i])) {
            *out = (pvg_scope_t)i;
            return PVG_ENF_OK;
        }
    }
    return PVG_ENF_EINVAL;
}

int pvg__role_check(const pvg_actor_t *a, unsigned mask)
{
    if (!a || !pvg__valid_id(a->id) || a->role <= PVG_ROLE_NONE || a->role > PVG_ROLE_ADMIN)
        return PVG_ENF_EINVAL;
    return (mask & (1u << a->role)) ? PVG_ENF_OK : PVG_ENF_EFORBIDDEN;
}

/* ------------------------------------------------------------------ clock */

static int64_t real_clock(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pvg_enforce_now(pvg_enforce_t *e)
{
    return e->o.clock(e->o.clock_ctx);
}

/* ------------------------------------------------------------------ pool */

pvg_store_t *pvg__acquire(pvg_enforce_t *e)
{
    pthread_mutex_lock(&e->pool_mu);
    while (!e->n_free)
        pthread_cond_wait(&e->pool_cv, &e->pool_mu);
    pvg_store_t *s = e->conns[e->free_idx[--e->n_free]];
    pthread_mutex_unlock(&e->pool_mu);
    return s;
}

void pvg__release(pvg_enforce_t *e, pvg_store_t *s)
{
    pvg_store_rollback(s); /* a no-op unless a path forgot to end its transaction */
    pthread_mutex_lock(&e->pool_mu);
    for (int i = 0; i < e->n_conns; i++) {
        if (e->conns[i] == s) {
            e->free_idx[e->n_free++] = i;
            break;
        }
    }
    pthread_cond_signal(&e->pool_cv);
    pthread_mutex_unlock(&e->pool_mu);
}

/* ------------------------------------------------------------- open/close */

static const char default_ladder[] =
    "{\"strike_ttl_days\": 90,"
    " \"severity_strikes\": {\"low\": 1, \"medium\": 1, \"high\": 2},"
    " \"steps\": ["
    "  {\"strikes\": 1, \"scope\": \"message_send\", \"days\": 1},"
    "  {\"strikes\": 3, \"scope\": \"openchat_access\", \"days\": 30},"
    "  {\"strikes\": 5, \"scope\": \"service\", \"days\": 0}],"
    " \"categories\": {"
    "  \"pii_trade\": {\"zero_tolerance\": true},"
    "  \"illegal_pii_use\": {\"zero_tolerance\": true},"
    "  \"auth_key_extraction\": {\"medium\": 2, \"high\": 3},"
    "  \"impersonation_collection\": {\"medium\": 2, \"high\": 3},"
    "  \"phishing_lure\": {\"medium\": 2, \"high\": 3},"
    "  \"malware_lure\": {\"medium\": 2, \"high\": 3}}}";

void pvg_enforce_options_init(pvg_enforce_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->pool_size = 4;
    o->report_rate_per_hour = 30;
    o->dedup_window_ms = DAY_MS;
    o->appeal_window_days = 30;
    o->retention_days = 180;
    o->auto_measure_reporters = 5;
    o->auto_measure_ms = DAY_MS;
}

static char *default_key_dir(const char *spec, pvg_store_kind_t kind)
{
    if (kind == PVG_STORE_SQLITE && strcmp(spec, ":memory:")) {
        const char *slash = strrchr(spec, '/');
        size_t n = slash ? (size_t)(slash - spec) : 0;
        char *d = malloc(n + 8);
        if (!d)
            return NULL;
        if (slash)
            memcpy(d, spec, n);
        else
            d[n++] = '.';
        memcpy(d + n, "/keys", 6);
        return d;
    }
    return strdup("./data/keys");
}

void pvg_enforce_close(pvg_enforce_t *e)
{
    if (!e)
        return;
    for (int i = 0; i < e->n_conns; i++)
        pvg_store_close(e->conns[i]);
    free(e->conns);
    free(e->free_idx);
    pvg__keys_free(e->keys);
    pvg__scache_free(e->cache);
    pthread_mutex_destroy(&e->pool_mu);
    pthread_cond_destroy(&e->pool_cv);
    pthread_rwlock_destroy(&e->keys_lock);
    pthread_mutex_destroy(&e->cache_mu);
    pthread_mutex_destroy(&e->tok_mu);
    free(e->store_spec);
    free(e->key_dir);
    free(e->ladder_src);
    free(e);
}

int pvg_enforce_open(const pvg_enforce_options_t *o, pvg_enforce_t **out)
{
    if (!out)
        return PVG_ENF_EINVAL;
    *out = NULL;
    if (!o || !o->store || !*o->store || o->pool_size < 0 || o->pool_size > 256 ||
        o->report_rate_per_hour < 0 || o->dedup_window_ms < 0 || o->appeal_window_days < 0 ||
        o->retention_days < 0 || o->auto_measure_reporters < 0 || o->auto_measure_ms < 0)
        return PVG_ENF_EINVAL;
    if (sodium_init() < 0)
        return PVG_ENF_EKEY;
    pvg_enforce_t *e = calloc(1, sizeof *e);
    if (!e)
        return PVG_ENF_ENOMEM;
    pthread_mutex_init(&e->pool_mu, NULL);
    pthread_cond_init(&e->pool_cv, NULL);
    pthread_rwlock_init(&e->keys_lock, NULL);
    pthread_mutex_init(&e->cache_mu, NULL);
    pthread_mutex_init(&e->tok_mu, NULL);
    e->o = *o;
    if (!e->o.clock)
        e->o.clock = real_clock;
    if (!e->o.pool_size)
        e->o.pool_size = 4;
    if (!strcmp(o->store, ":memory:"))
        e->o.pool_size = 1;
    int rc = PVG_ENF_ENOMEM;
    e->store_spec = strdup(o->store);
    e->ladder_src = strdup(o->ladder_json ? o->ladder_json : default_ladder);
    e->cache = pvg__scache_new();
    e->conns = calloc((size_t)e->o.pool_size, sizeof *e->conns);
    e->free_idx = calloc((size_t)e->o.pool_size, sizeof *e->free_idx);
    if (!e->store_spec || !e->ladder_src || !e->cache || !e->conns || !e->free_idx)
        goto fail;
    e->o.store = e->store_spec;
    e->o.ladder_json = e->ladder_src;
    rc = pvg__ladder_parse(e->ladder_src, &e->ladder);
    if (rc)
        goto fail;
    for (int i = 0; i < e->o.pool_size; i++) {
        rc = pvg_store_open(e->store_spec, &e->conns[i]);
        if (rc)
            goto fail;
        e->n_conns++;
        if (i == 0) {
            rc = pvg_store_migrate(e->conns[0], NULL);
            if (rc)
                goto fail;
        }
        e->free_idx[e->n_free++] = i;
    }
    e->kind = pvg_store_kind(e->conns[0]);
    e->key_dir = o->key_dir ? strdup(o->key_dir) : default_key_dir(o->store, e->kind);
    if (!e->key_dir) {
        rc = PVG_ENF_ENOMEM;
        goto fail;
    }
    e->o.key_dir = e->key_dir;
    rc = pvg__keys_load(e->key_dir, &e->keys);
    if (rc)
        goto fail;
    rc = pvg_enforce_cache_refresh(e);
    if (rc)
        goto fail;
    *out = e;
    return PVG_ENF_OK;
fail:
    pvg_enforce_close(e);
    return rc;
}

const char *pvg_enforce_key_dir(const pvg_enforce_t *e)
{
    return e->key_dir;
}

int pvg_enforce_keys_reload(pvg_enforce_t *e)
{
    pvg_keys_t *k;
    int rc = pvg__keys_load(e->key_dir, &k);
    if (rc)
        return rc;
    pthread_rwlock_wrlock(&e->keys_lock);
    pvg_keys_t *old = e->keys;
    e->keys = k;
    pthread_rwlock_unlock(&e->keys_lock);
    pvg__keys_free(old);
    return PVG_ENF_OK;
}

/* Copies the key (purpose, kid; kid 0 = current) out under the read lock,
 * reloading the folder once when the kid is unknown. */
static int key_copy(pvg_enforce_t *e, key_purpose_t p, int kid, pvg_key_t *out)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        pthread_rwlock_rdlock(&e->keys_lock);
        const pvg_key_t *k = kid ? pvg__key_get(e->keys, p, kid) : pvg__key_current(e->keys, p);
        if (k)
            *out = *k;
        pthread_rwlock_unlock(&e->keys_lock);
        if (k)
            return PVG_ENF_OK;
        if (attempt == 0 && pvg_enforce_keys_reload(e))
            break;
    }
    return PVG_ENF_EKEY;
}

/* All kids of a purpose, newest first; returns the count (at most max). */
static size_t key_kids(pvg_enforce_t *e, key_purpose_t p, int *kids, size_t max)
{
    size_t n = 0;
    pthread_rwlock_rdlock(&e->keys_lock);
    for (size_t i = 0; i < e->keys->n && n < max; i++)
        if (e->keys->keys[i].purpose == p)
            kids[n++] = e->keys->keys[i].kid;
    pthread_rwlock_unlock(&e->keys_lock);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && kids[j] > kids[j - 1]; j--) {
            int t = kids[j];
            kids[j] = kids[j - 1];
            kids[j - 1] = t;
        }
    return n;
}

/* ------------------------------------------------------------- encryption */

int pvg__seal(pvg_enforce_t *e, const char *ad, const void *plain, size_t n, int *kid,
              unsigned char **nonce, unsigned char **ct, size_t *ct_len)
{
    pvg_key_t k;
    int rc = key_copy(e, KEY_EVIDENCE, 0, &k);
    if (rc)
        return rc;
    *nonce = malloc(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    *ct = malloc(n + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    if (!*nonce || !*ct) {
        free(*nonce);
        free(*ct);
        sodium_memzero(&k, sizeof k);
        return PVG_ENF_ENOMEM;
    }
    randombytes_buf(*nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(*ct, &clen, plain, n, (const unsigned char *)ad,
                                               strlen(ad), NULL, *nonce, k.k);
    *ct_len = (size_t)clen;
    *kid = k.kid;
    sodium_memzero(&k, sizeof k);
    return PVG_ENF_OK;
}

int pvg__store_sealed(pvg_enforce_t *e, pvg_store_t *s, const char *sql, const char *ad,
                      const void *text, size_t len, int64_t id)
{
    int kid;
    unsigned char *nonce, *ct;
    size_t ct_len;
    int rc = pvg__seal(e, ad, text, len, &kid, &nonce, &ct, &ct_len);
    if (rc)
        return rc;
    char k[16];
    snprintf(k, sizeof k, "%d", kid);
    int64_t r = pvg_store_x(s, sql, "tbbi", k, (const void *)nonce,
                            (size_t)crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                            (const void *)ct, ct_len, id);
    free(nonce);
    free(ct);
    return r < 0 ? (int)r : PVG_ENF_OK;
}


int pvg__open(pvg_enforce_t *e, const char *ad, int kid, const void *nonce, size_t nonce_len,
              const void *ct, size_t ct_len, char **plain, size_t *n)
{
    *plain = NULL;
    if (nonce_len != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
        ct_len < crypto_aead_xchacha20poly1305_ietf_ABYTES)
        return PVG_ENF_ETAMPERED;
    pvg_key_t k;
    int rc = key_copy(e, KEY_EVIDENCE, kid, &k);
    if (rc)
        return rc;
    char *buf = malloc(ct_len - crypto_aead_xchacha20poly1305_ietf_ABYTES + 1);
    if (!buf) {
        sodium_memzero(&k, sizeof k);
        return PVG_ENF_ENOMEM;
    }
    unsigned long long mlen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)buf, &mlen, NULL, ct, ct_len,
                                                   (const unsigned char *)ad, strlen(ad), nonce,
                                                   k.k)) {
        sodium_memzero(&k, sizeof k);
        free(buf);
        return PVG_ENF_ETAMPERED;
    }
    sodium_memzero(&k, sizeof k);
    buf[mlen] = 0;
    *plain = buf;
    *n = (size_t)mlen;
    return PVG_ENF_OK;
}

/* ------------------------------------------------------------------ audit */

static void feed(crypto_generichash_state *st, const char *s)
{
    uint64_t n = s ? (uint64_t)strlen(s) : UINT64_MAX;
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(n >> (8 * i));
    crypto_generichash_update(st, len, sizeof len);
    if (s)
        crypto_generichash_update(st, (const unsigned char *)s, strlen(s));
}

/* The keyed BLAKE2b-256 of one audit entry, as 64 hex characters. f holds
 * actor, role, action, object_type, object_id, ip, reason, detail, kid,
 * prev_hash in that order. */
static void audit_hash(const unsigned char key[32], int64_t seq, int64_t ts,
                       const char *const f[10], char hex[65])
{
    crypto_generichash_state st;
    char num[32];
    unsigned char h[32];
    crypto_generichash_init(&st, key, 32, sizeof h);
    feed(&st, "pvg-audit-v1");
    snprintf(num, sizeof num, "%" PRId64, seq);
    feed(&st, num);
    snprintf(num, sizeof num, "%" PRId64, ts);
    feed(&st, num);
    for (int i = 0; i < 10; i++)
        feed(&st, f[i]);
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

int pvg__audit_str(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a, const char *action,
                   const char *object_type, const char *object_id, const char *reason,
                   json_t *detail)
{
    char *dtext = NULL;
    if (detail) {
        dtext = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
        json_decref(detail);
        if (!dtext)
            return PVG_ENF_ENOMEM;
    }
    pvg_key_t k;
    int rc = key_copy(e, KEY_AUDIT, 0, &k);
    if (rc) {
        free(dtext);
        return rc;
    }
    int64_t seq = 0;
    char prev[65];
    memcpy(prev, zero_hash, 65);
    pvg_stmt_t *st;
    rc = pvg_store_q(s, &st, "SELECT seq, hash FROM audit_head WHERE id = 1", "");
    if (!rc) {
        rc = pvg_store_step(st);
        if (rc == PVG_STORE_ROW) {
            seq = pvg_store_col_int(st, 0);
            const char *h = pvg_store_col_text(st, 1);
            if (h && strlen(h) == 64)
                memcpy(prev, h, 65);
        }
        pvg_store_finalize(st);
        rc = rc < 0 ? rc : PVG_ENF_OK;
    }
    if (!rc) {
        seq++;
        char kid[16], hash[65], oid[300];
        snprintf(kid, sizeof kid, "%d", k.kid);
        snprintf(oid, sizeof oid, "%s", object_id);
        int64_t ts = pvg_enforce_now(e);
        const char *role = pvg_role_name(a ? a->role : PVG_ROLE_NONE);
        const char *actor = a && a->id ? a->id : "system";
        const char *f[10] = {actor,  role,  action, object_type, oid,
                             a ? a->ip : NULL, reason, dtext, kid, prev};
        audit_hash(k.k, seq, ts, f, hash);
        int64_t r = pvg_store_x(s,
                                "INSERT INTO audit (seq, ts, actor, role, action, object_type,"
                                " object_id, ip, reason, detail, kid, prev_hash, hash)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                "iittttttttttt", seq, ts, actor, role, action, object_type, oid,
                                a ? a->ip : NULL, reason, dtext, kid, prev, hash);
        if (r >= 0)
            r = pvg_store_x(s,
                            "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)"
                            " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq,"
                            " hash = excluded.hash",
                            "it", seq, hash);
        rc = r < 0 ? (int)r : PVG_ENF_OK;
    }
    sodium_memzero(&k, sizeof k);
    free(dtext);
    return rc;
}

int pvg__audit(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a, const char *action,
               const char *object_type, int64_t object_id, const char *reason, json_t *detail)
{
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, object_id);
    return pvg__audit_str(e, s, a, action, object_type, id, reason, detail);
}

int pvg_audit_verify(pvg_enforce_t *e, int64_t *entries, int64_t *bad_seq)
{
    int64_t dummy1, dummy2;
    if (!entries)
        entries = &dummy1;
    if (!bad_seq)
        bad_seq = &dummy2;
    *entries = 0;
    *bad_seq = 0;
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st;
    int rc = pvg_store_q(s, &st,
                         "SELECT seq, ts, actor, role, action, object_type, object_id, ip,"
                         " reason, detail, kid, prev_hash, hash FROM audit ORDER BY seq",
                         "");
    if (rc) {
        pvg__release(e, s);
        return rc;
    }
    char prev[65];
    memcpy(prev, zero_hash, 65);
    int64_t expect = 1;
    int bad = 0;
    while (!bad && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        int64_t seq = pvg_store_col_int(st, 0);
        const char *f[10];
        for (int i = 0; i < 10; i++)
            f[i] = pvg_store_col_text(st, 2 + i);
        const char *hash = pvg_store_col_text(st, 12);
        char *end;
        long kid = f[8] ? strtol(f[8], &end, 10) : 0;
        pvg_key_t k;
        char calc[65];
        if (seq != expect || !f[9] || strcmp(f[9], prev) || !hash || strlen(hash) != 64 ||
            kid <= 0 || kid > INT_MAX) {
            bad = 1;
        } else if (key_copy(e, KEY_AUDIT, (int)kid, &k)) {
            rc = PVG_ENF_EKEY;
            break;
        } else {
            audit_hash(k.k, seq, pvg_store_col_int(st, 1), f, calc);
            sodium_memzero(&k, sizeof k);
            if (sodium_memcmp(calc, hash, 64))
                bad = 1;
        }
        if (bad) {
            *bad_seq = seq;
            break;
        }
        memcpy(prev, hash, 65);
        (*entries)++;
        expect++;
    }
    pvg_store_finalize(st);
    if (rc < 0 && rc != PVG_ENF_EKEY) {
        pvg__release(e, s);
        return rc;
    }
    if (rc == PVG_ENF_EKEY) {
        pvg__release(e, s);
        return rc;
    }
    if (bad) {
        pvg__release(e, s);
        return PVG_ENF_ETAMPERED;
    }
    /* The head records the last entry written: a deleted tail shows here. */
    rc = pvg_store_q(s, &st, "SELECT seq, hash FROM audit_head WHERE id = 1", "");
    if (!rc) {
        rc = pvg_store_step(st);
        if (rc == PVG_STORE_ROW) {
            const char *h = pvg_store_col_text(st, 1);
            if (pvg_store_col_int(st, 0) != expect - 1 || !h || strcmp(h, prev)) {
                *bad_seq = expect;
                rc = PVG_ENF_ETAMPERED;
            } else {
                rc = PVG_ENF_OK;
            }
        } else if (rc == PVG_STORE_DONE) {
            rc = expect == 1 ? PVG_ENF_OK : PVG_ENF_ETAMPERED;
        }
        pvg_store_finalize(st);
    }
    pvg__release(e, s);
    return rc;
}

/* ----------------------------------------------------------------- outbox */

int pvg__outbox(pvg_enforce_t *e, pvg_store_t *s, const char *topic, const char *recipient,
                json_t *payload)
{
    if (!payload)
        return PVG_ENF_ENOMEM;
    int64_t now = pvg_enforce_now(e);
    json_object_set_new(payload, "topic", json_string(topic));
    json_object_set_new(payload, "at", json_integer(now));
    char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(payload);
    if (!text)
        return PVG_ENF_ENOMEM;
    int64_t r = pvg_store_x(s,
                            "INSERT INTO outbox (topic, recipient, payload, created_at,"
                            " attempts, next_attempt_at) VALUES (?, ?, ?, ?, 0, ?)",
                            "tttii", topic, recipient, text, now, now);
    free(text);
    return r < 0 ? (int)r : PVG_ENF_OK;
}

int pvg_outbox_fetch(pvg_enforce_t *e, const pvg_actor_t *a, int limit, char **json)
{
    int rc = pvg__role_check(a, R(SERVICE) | R(ADMIN));
    if (rc)
        return rc;
    if (!json || limit <= 0 || limit > 10000)
        return PVG_ENF_EINVAL;
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st;
    rc = pvg_store_q(s, &st,
                     "SELECT id, topic, recipient, payload, attempts FROM outbox"
                     " WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                     "ii", pvg_enforce_now(e), (int64_t)limit);
    json_t *arr = json_array();
    while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        json_t *p = json_loads(pvg_store_col_text(st, 3), 0, NULL);
        const char *rcp = pvg_store_col_text(st, 2);
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:o, s:o, s:I}", "id", (json_int_t)pvg_store_col_int(st, 0),
                           "topic", pvg_store_col_text(st, 1), "recipient",
                           rcp ? json_string(rcp) : json_null(), "payload", p ? p : json_null(),
                           "attempts", (json_int_t)pvg_store_col_int(st, 4)));
    }
    pvg_store_finalize(st);
    pvg__release(e, s);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    return pvg__json_out(arr, json);
}

int pvg_outbox_ack(pvg_enforce_t *e, const pvg_actor_t *a, int64_t id)
{
    int rc = pvg__role_check(a, R(SERVICE) | R(ADMIN));
    if (rc)
        return rc;
    pvg_store_t *s = pvg__acquire(e);
    int64_t delivered = 0;
    rc = pvg_store_x_int(s, &delivered,
                         "SELECT COALESCE(delivered_at, 0) FROM outbox WHERE id = ?", "i", id);
    if (rc == PVG_STORE_DONE)
        rc = PVG_ENF_ENOTFOUND;
    else if (rc == PVG_STORE_ROW && delivered)
        rc = PVG_ENF_EALREADY;
    else if (rc == PVG_STORE_ROW) {
        int64_t r = pvg_store_x(s, "UPDATE outbox SET delivered_at = ? WHERE id = ?", "ii",
                                pvg_enforce_now(e), id);
        rc = r < 0 ? (int)r : PVG_ENF_OK;
    }
    pvg__release(e, s);
    return rc;
}

int pvg_outbox_retry(pvg_enforce_t *e, const pvg_actor_t *a, int64_t id, int64_t retry_at_ms)
{
    int rc = pvg__role_check(a, R(SERVICE) | R(ADMIN));
    if (rc)
        return rc;
    pvg_store_t *s = pvg__acquire(e);
    int64_t r = pvg_store_x(s,
                            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?"
                            " WHERE id = ? AND delivered_at IS NULL",
                            "ii", retry_at_ms, id);
    pvg__release(e, s);
    return r < 0 ? (int)r : r == 0 ? PVG_ENF_ENOTFOUND : PVG_ENF_OK;
}

/* ------------------------------------------------------- sanction cache */

int pvg__next_rev(pvg_store_t *s, int64_t *rev)
{
    int rc = pvg_store_x_int(s, rev,
                             "UPDATE counters SET value = value + 1 WHERE name = 'sanction_rev'"
                             " RETURNING value",
                             "");
    return rc == PVG_STORE_ROW ? PVG_ENF_OK : rc < 0 ? rc : PVG_ENF_ESTORE;
}

/* Reads the sanctions changed since the cache last looked. notify: they
 * follow this handle's own write, so the change hook hears of them (a
 * refresh after another node's notice must not echo it back). */
static int cache_sync(pvg_enforce_t *e, pvg_store_t *s, int notify)
{
    char first[256] = "";
    int changed = 0, several = 0;
    pthread_mutex_lock(&e->cache_mu);
    pvg_stmt_t *st;
    int rc = pvg_store_q(s, &st,
                         "SELECT id, account, scope, container, object, starts_at, ends_at,"
                         " state, rev FROM sanctions WHERE rev > ? ORDER BY rev",
                         "i", e->cache_rev);
    int64_t rev = e->cache_rev;
    while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        int64_t id = pvg_store_col_int(st, 0);
        const char *account = pvg_store_col_text(st, 1);
        const char *state = pvg_store_col_text(st, 7);
        pvg_scope_t scope;
        if (!account || !state || pvg_scope_parse(pvg_store_col_text(st, 2), &scope)) {
            rc = PVG_ENF_ESTORE;
            break;
        }
        if (!strcmp(state, "active") || !strcmp(state, "scheduled")) {
            int64_t ends = pvg_store_col_null(st, 6) ? INT64_MAX : pvg_store_col_int(st, 6);
            rc = pvg__scache_put(e->cache, account, id, scope, pvg_store_col_text(st, 3),
                                 pvg_store_col_text(st, 4), pvg_store_col_int(st, 5), ends);
            if (rc)
                break;
        } else {
            pvg__scache_remove(e->cache, account, id);
        }
        if (!changed++)
            snprintf(first, sizeof first, "%s", account);
        else if (strcmp(first, account))
            several = 1;
        rev = pvg_store_col_int(st, 8);
    }
    pvg_store_finalize(st);
    if (rc >= 0)
        e->cache_rev = rev;
    void (*hook)(const char *, void *) = e->on_sanction_change;
    void *ctx = e->on_sanction_change_ctx;
    pthread_mutex_unlock(&e->cache_mu);
    if (notify && changed && hook && rc >= 0)
        hook(several ? NULL : first, ctx);
    return rc < 0 ? rc : PVG_ENF_OK;
}

int pvg__cache_sync(pvg_enforce_t *e, pvg_store_t *s) { return cache_sync(e, s, 1); }

int pvg__commit_sync(pvg_enforce_t *e, pvg_store_t *s)
{
    int rc = pvg_store_commit(s);
    return rc ? rc : cache_sync(e, s, 1);
}

void pvg_enforce_on_sanction_change(pvg_enforce_t *e, void (*fn)(const char *account, void *ctx),
                                    void *ctx)
{
    if (!e)
        return;
    pthread_mutex_lock(&e->cache_mu);
    e->on_sanction_change = fn;
    e->on_sanction_change_ctx = ctx;
    pthread_mutex_unlock(&e->cache_mu);
}

int pvg_enforce_cache_refresh(pvg_enforce_t *e)
{
    if (!e)
        return PVG_ENF_EINVAL;
    pvg_store_t *s = pvg__acquire(e);
    int rc = cache_sync(e, s, 0);
    pvg__release(e, s);
    if (!rc)
        pvg__scache_prune(e->cache, pvg_enforce_now(e));
    return rc;
}

int pvg_sanction_check_at(pvg_enforce_t *e, const char *account, pvg_scope_t scope,
                          const char *container, const char *object, int64_t now_ms,
                          pvg_check_t *out)
{
    if (!e || !account || !out || scope < PVG_SCOPE_MESSAGE_SEND || scope > PVG_SCOPE_SERVICE)
        return PVG_ENF_EINVAL;
    pvg__scache_check(e->cache, account, scope, container, object, now_ms, out);
    return PVG_ENF_OK;
}

int pvg_sanction_check(pvg_enforce_t *e, const char *account, pvg_scope_t scope,
                       const char *container, const char *object, pvg_check_t *out)
{
    if (!e)
        return PVG_ENF_EINVAL;
    return pvg_sanction_check_at(e, account, scope, container, object, pvg_enforce_now(e), out);
}

/* ------------------------------------------------------------------- tick */

int pvg_enforce_tick(pvg_enforce_t *e, const pvg_actor_t *a, pvg_tick_stats_t *stats)
{
    int rc = pvg__role_check(a, R(SERVICE) | R(ADMIN));
    if (rc)
        return rc;
    pvg_tick_stats_t dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (rc)
        goto out;
    /* Each pass reads ids first, then changes them one by one, with an event each. */
    static const struct {
        const char *select, *sel_fmt, *update, *action, *topic;
        int kind; /* 0 sanction started, 1 sanction expired, 2 strike expired, 3 blinding */
    } pass[] = {
        {"SELECT id, account FROM sanctions WHERE state = 'scheduled' AND starts_at <= ?"
         " AND (ends_at IS NULL OR ends_at > ?) ORDER BY id",
         "ii", "UPDATE sanctions SET state = 'active', updated_at = ?, rev = ? WHERE id = ?",
         "sanction.started", "sanction.started", 0},
        {"SELECT id, account FROM sanctions WHERE state IN ('active', 'scheduled')"
         " AND ends_at IS NOT NULL AND ends_at <= ? ORDER BY id",
         "i", "UPDATE sanctions SET state = 'expired', updated_at = ?, rev = ? WHERE id = ?",
         "sanction.expired", "sanction.expired", 1},
        {"SELECT id, account FROM strikes WHERE state = 'active' AND expires_at <= ?"
         " ORDER BY id",
         "i", "UPDATE strikes SET state = 'expired' WHERE id = ?", "strike.expired", NULL, 2},
        {"SELECT id, poster FROM notices WHERE state = 'blinded' AND deadline <= ? ORDER BY id",
         "i",
         "UPDATE notices SET state = 'restored', updated_at = ?, handled_by = 'deadline'"
         " WHERE id = ?",
         "notice.deadline", "notice.restored", 3},
    };
    for (size_t p = 0; !rc && p < sizeof pass / sizeof pass[0]; p++) {
        pvg_stmt_t *st;
        rc = pvg_store_q(s, &st, pass[p].select, pass[p].sel_fmt, now, now);
        if (rc)
            break;
        int64_t *ids = NULL;
        char **accs = NULL;
        size_t n = 0, cap = 0;
        while ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                int64_t *ni = realloc(ids, cap * sizeof *ni);
                char **na = ni ? realloc(accs, cap * sizeof *na) : NULL;
                if (ni)
                    ids = ni;
                if (!na) {
                    rc = PVG_ENF_ENOMEM;
                    break;
                }
                accs = na;
            }
            ids[n] = pvg_store_col_int(st, 0);
            const char *acc = pvg_store_col_text(st, 1);
            accs[n] = strdup(acc ? acc : "");
            if (!accs[n]) {
                rc = PVG_ENF_ENOMEM;
                break;
            }
            n++;
        }
        pvg_store_finalize(st);
        rc = rc < 0 ? rc : PVG_ENF_OK;
        for (size_t i = 0; !rc && i < n; i++) {
            int64_t r = 0, rev = 0;
            if (pass[p].kind <= 1) {
                rc = pvg__next_rev(s, &rev);
                if (!rc)
                    r = pvg_store_x(s, pass[p].update, "iii", now, rev, ids[i]);
            } else if (pass[p].kind == 2) {
                r = pvg_store_x(s, pass[p].update, "i", ids[i]);
            } else {
                r = pvg_store_x(s, pass[p].update, "ii", now, ids[i]);
                /* the blinding's sanction ends with it */
                if (r >= 0)
                    r = pvg__next_rev(s, &rev);
                if (r >= 0)
                    r = pvg_store_x(s,
                                    "UPDATE sanctions SET state = 'expired', updated_at = ?,"
                                    " rev = ? WHERE notice_id = ? AND state IN ('active',"
                                    " 'scheduled')",
                                    "iii", now, rev, ids[i]);
            }
            if (!rc && r < 0)
                rc = (int)r;
            if (!rc)
                rc = pvg__audit(e, s, a, pass[p].action,
                                pass[p].kind == 2 ? "strike"
                                                  : pass[p].kind == 3 ? "notice" : "sanction",
                                ids[i], NULL, NULL);
            if (!rc && pass[p].topic)
                rc = pvg__outbox(e, s, pass[p].topic, accs[i],
                                 json_pack("{s:I}", pass[p].kind == 3 ? "notice_id" : "sanction_id",
                                           (json_int_t)ids[i]));
            if (!rc) {
                int64_t *c = pass[p].kind == 0   ? &stats->sanctions_started
                             : pass[p].kind == 1 ? &stats->sanctions_expired
                             : pass[p].kind == 2 ? &stats->strikes_expired
                                                 : &stats->blindings_ended;
                (*c)++;
            }
        }
        for (size_t i = 0; i < n; i++)
            free(accs[i]);
        free(accs);
        free(ids);
    }
    if (!rc)
        rc = pvg__commit_sync(e, s);
out:
    pvg__release(e, s);
    return rc;
}

/* -------------------------------------------------------------- retention */

int pvg_enforce_purge(pvg_enforce_t *e, const pvg_actor_t *a, int64_t *purged)
{
    int rc = pvg__role_check(a, R(ADMIN));
    if (rc)
        return rc;
    int64_t now = pvg_enforce_now(e), n = 0;
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (!rc) {
        n = pvg_store_x(s,
                        "UPDATE evidence SET kid = NULL, nonce = NULL, ciphertext = NULL,"
                        " purged_at = ? WHERE purged_at IS NULL AND retain_until <= ?"
                        " AND legal_hold = 0",
                        "ii", now, now);
        int64_t r = n < 0 ? n
                          : pvg_store_x(s,
                                        "UPDATE reports SET comment_kid = NULL,"
                                        " comment_nonce = NULL, comment_ct = NULL, purged_at = ?"
                                        " WHERE purged_at IS NULL AND retain_until <= ?"
                                        " AND legal_hold = 0",
                                        "ii", now, now);
        int64_t media = 0;
        if (r < 0)
            rc = (int)r;
        if (!rc)
            rc = pvg__media_purge(s, now, &media);
        if (!rc)
            rc = pvg__audit(e, s, a, "evidence.purged", "evidence", 0, NULL,
                            json_pack("{s:I, s:I, s:I}", "evidence", (json_int_t)n, "reports",
                                      (json_int_t)r, "media", (json_int_t)media));
        if (!rc)
            rc = pvg_store_commit(s);
    }
    pvg__release(e, s);
    if (!rc && purged)
        *purged = n;
    return rc;
}

int pvg_legal_hold(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id, int on)
{
    int rc = pvg__role_check(a, R(ADMIN));
    if (rc)
        return rc;
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (!rc) {
        int64_t one;
        rc = pvg_store_x_int(s, &one, "SELECT 1 FROM cases WHERE id = ?", "i", case_id);
        if (rc == PVG_STORE_DONE)
            rc = PVG_ENF_ENOTFOUND;
        else if (rc == PVG_STORE_ROW) {
            int64_t r = pvg_store_x(s,
                                    "UPDATE evidence SET legal_hold = ? WHERE report_id IN"
                                    " (SELECT id FROM reports WHERE case_id = ?)",
                                    "ii", (int64_t)(on ? 1 : 0), case_id);
            if (r >= 0)
                r = pvg_store_x(s,
                                "UPDATE evidence_media SET legal_hold = ? WHERE report_id IN"
                                " (SELECT id FROM reports WHERE case_id = ?)",
                                "ii", (int64_t)(on ? 1 : 0), case_id);
            if (r >= 0)
                r = pvg_store_x(s, "UPDATE reports SET legal_hold = ? WHERE case_id = ?", "ii",
                                (int64_t)(on ? 1 : 0), case_id);
            rc = r < 0 ? (int)r : PVG_ENF_OK;
            if (!rc)
                rc = pvg__audit(e, s, a, on ? "case.legal_hold" : "case.legal_hold_cleared",
                                "case", case_id, NULL, NULL);
            if (!rc)
                rc = pvg_store_commit(s);
        }
    }
    pvg__release(e, s);
    return rc;
}

/* ---------------------------------------------- identifier fingerprints */

static int ident_valid(const char *kind, const char *value)
{
    static const char *const kinds[] = {"phone", "rrn", "ci", "email"};
    if (!value || !*value || strlen(value) > 512)
        return 0;
    for (size_t i = 0; kind && i < 4; i++)
        if (!strcmp(kind, kinds[i]))
            return 1;
    return 0;
}

static void ident_fp(const pvg_key_t *k, const char *kind, const char *value, char hex[65])
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, k->k, 32, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
    crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

int pvg_ident_fingerprint(pvg_enforce_t *e, const char *kind, const char *value, char hex[65])
{
    if (!e || !hex || !ident_valid(kind, value))
        return PVG_ENF_EINVAL;
    pvg_key_t k;
    int rc = key_copy(e, KEY_IDENT, 0, &k);
    if (rc)
        return rc;
    ident_fp(&k, kind, value, hex);
    sodium_memzero(&k, sizeof k);
    return PVG_ENF_OK;
}

int pvg_ident_record(pvg_enforce_t *e, const char *account, const char *kind, const char *value,
                     const char *source)
{
    if (!e || !ident_valid(kind, value) || !source)
        return PVG_ENF_EINVAL;
    int leak = !strcmp(source, "identifier_leak");
    if (!leak && (strcmp(source, "account_created") || !pvg__valid_id(account)))
        return PVG_ENF_EINVAL;
    pvg_key_t k;
    int rc = key_copy(e, KEY_IDENT, 0, &k);
    if (rc)
        return rc;
    char fp[65], kid[16];
    ident_fp(&k, kind, value, fp);
    snprintf(kid, sizeof kid, "%d", k.kid);
    sodium_memzero(&k, sizeof k);
    pvg_store_t *s = pvg__acquire(e);
    int64_t r = pvg_store_x(s,
                            "INSERT INTO identifiers (fp, kid, kind, account, source, created_at)"
                            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (fp, account, source)"
                            " DO NOTHING",
                            "ttttti", fp, kid, kind, leak ? "" : account, source,
                            pvg_enforce_now(e));
    pvg__release(e, s);
    return r < 0 ? (int)r : PVG_ENF_OK;
}

/* Counts rows for the identifier's fingerprints under every identifier key. */
static int ident_count(pvg_enforce_t *e, const char *kind, const char *value, int leak,
                       int64_t *n)
{
    if (!e || !n || !ident_valid(kind, value))
        return PVG_ENF_EINVAL;
    int kids[64];
    size_t nk = key_kids(e, KEY_IDENT, kids, 64);
    *n = 0;
    pvg_store_t *s = pvg__acquire(e);
    int rc = PVG_ENF_OK;
    for (size_t i = 0; !rc && i < nk; i++) {
        pvg_key_t k;
        char fp[65];
        rc = key_copy(e, KEY_IDENT, kids[i], &k);
        if (rc)
            break;
        ident_fp(&k, kind, value, fp);
        sodium_memzero(&k, sizeof k);
        int64_t c = 0;
        rc = pvg_store_x_int(s, &c,
                             leak ? "SELECT COUNT(*) FROM identifiers WHERE fp = ?"
                                    " AND source = 'identifier_leak'"
                                  : "SELECT COUNT(DISTINCT account) FROM identifiers WHERE fp = ?"
                                    " AND source = 'account_created'",
                             "t", fp);
        rc = rc < 0 ? rc : PVG_ENF_OK;
        *n += c;
    }
    pvg__release(e, s);
    return rc;
}

int pvg_ident_count_accounts(pvg_enforce_t *e, const char *kind, const char *value, int64_t *n)
{
    return ident_count(e, kind, value, 0, n);
}

int pvg_ident_seen_in_leak(pvg_enforce_t *e, const char *kind, const char *value, int *seen)
{
    int64_t n = 0;
    if (!seen)
        return PVG_ENF_EINVAL;
    int rc = ident_count(e, kind, value, 1, &n);
    *seen = n > 0;
    return rc;
}

/* ------------------------------------------------------------------ tokens */

static void token_hash(const pvg_key_t *k, const unsigned char raw[32], unsigned char h[32])
{
    crypto_generichash(h, 32, raw, 32, k->k, 32);
}

int pvg_token_create(pvg_enforce_t *e, const pvg_actor_t *a, pvg_role_t role, const char *label,
                     char token[65], int64_t *token_id)
{
    int rc = pvg__role_check(a, R(ADMIN));
    if (rc)
        return rc;
    if (!token || role <= PVG_ROLE_NONE || role > PVG_ROLE_ADMIN ||
        (label && !pvg__valid_id(label)))
        return PVG_ENF_EINVAL;
    pvg_key_t k;
    rc = key_copy(e, KEY_TOKEN, 0, &k);
    if (rc)
        return rc;
    unsigned char raw[32], h[32];
    char hhex[65], kid[16];
    randombytes_buf(raw, sizeof raw);
    token_hash(&k, raw, h);
    snprintf(kid, sizeof kid, "%d", k.kid);
    sodium_memzero(&k, sizeof k);
    sodium_bin2hex(hhex, sizeof hhex, h, sizeof h);
    int64_t id = 0;
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (!rc) {
        rc = pvg_store_x_int(s, &id,
                             "INSERT INTO tokens (hash, kid, role, label, created_by, created_at)"
                             " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                             "ttttti", hhex, kid,
                             pvg_role_name(role), label, a->id, pvg_enforce_now(e));
        rc = rc == PVG_STORE_ROW ? PVG_ENF_OK : rc < 0 ? rc : PVG_ENF_ESTORE;
        if (!rc)
            rc = pvg__audit(e, s, a, "token.created", "token", id, NULL,
                            json_pack("{s:s}", "role", pvg_role_name(role)));
        if (!rc)
            rc = pvg_store_commit(s);
    }
    pvg__release(e, s);
    if (!rc) {
        sodium_bin2hex(token, 65, raw, sizeof raw);
        if (token_id)
            *token_id = id;
    }
    sodium_memzero(raw, sizeof raw);
    return rc;
}

int pvg_token_verify(pvg_enforce_t *e, const char *token, pvg_role_t *role, int64_t *token_id)
{
    if (!e || !token || !role)
        return PVG_ENF_EINVAL;
    unsigned char raw[32];
    size_t bin_len = 0;
    if (strlen(token) != 64 || sodium_hex2bin(raw, sizeof raw, token, 64, NULL, &bin_len, NULL) ||
        bin_len != 32)
        return PVG_ENF_EUNAUTH;
    int64_t now = pvg_enforce_now(e);
    /* The cache is keyed by an unkeyed hash of the token; slot by its first bytes. */
    unsigned char ch[32];
    crypto_generichash(ch, sizeof ch, raw, sizeof raw, NULL, 0);
    size_t slot = ((size_t)ch[0] | (size_t)ch[1] << 8) % TOKEN_CACHE;
    pthread_mutex_lock(&e->tok_mu);
    token_cache_entry_t *c = &e->tok[slot];
    if (c->until > now && !sodium_memcmp(c->hash, ch, 32)) {
        *role = c->role;
        if (token_id)
            *token_id = c->id;
        pthread_mutex_unlock(&e->tok_mu);
        sodium_memzero(raw, sizeof raw);
        return PVG_ENF_OK;
    }
    pthread_mutex_unlock(&e->tok_mu);
    int kids[64];
    size_t nk = key_kids(e, KEY_TOKEN, kids, 64);
    pvg_store_t *s = pvg__acquire(e);
    int rc = PVG_ENF_EUNAUTH;
    for (size_t i = 0; i < nk && rc == PVG_ENF_EUNAUTH; i++) {
        pvg_key_t k;
        if (key_copy(e, KEY_TOKEN, kids[i], &k))
            continue;
        unsigned char h[32];
        char hhex[65];
        token_hash(&k, raw, h);
        sodium_memzero(&k, sizeof k);
        sodium_bin2hex(hhex, sizeof hhex, h, sizeof h);
        pvg_stmt_t *st;
        int r = pvg_store_q(s, &st,
                            "SELECT id, role FROM tokens WHERE hash = ? AND revoked_at IS NULL",
                            "t", hhex);
        if (r) {
            rc = r;
            break;
        }
        r = pvg_store_step(st);
        if (r == PVG_STORE_ROW && !pvg_role_parse(pvg_store_col_text(st, 1), role)) {
            int64_t id = pvg_store_col_int(st, 0);
            if (token_id)
                *token_id = id;
            pthread_mutex_lock(&e->tok_mu);
            memcpy(c->hash, ch, 32);
            c->role = *role;
            c->id = id;
            c->until = now + 30000;
            pthread_mutex_unlock(&e->tok_mu);
            rc = PVG_ENF_OK;
        } else if (r < 0) {
            rc = r;
        }
        pvg_store_finalize(st);
    }
    pvg__release(e, s);
    sodium_memzero(raw, sizeof raw);
    return rc;
}

int pvg_token_revoke(pvg_enforce_t *e, const pvg_actor_t *a, int64_t token_id)
{
    int rc = pvg__role_check(a, R(ADMIN));
    if (rc)
        return rc;
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (!rc) {
        int64_t revoked = 0;
        rc = pvg_store_x_int(s, &revoked, "SELECT COALESCE(revoked_at, 0) FROM tokens WHERE id = ?",
                             "i", token_id);
        if (rc == PVG_STORE_DONE)
            rc = PVG_ENF_ENOTFOUND;
        else if (rc == PVG_STORE_ROW && revoked)
            rc = PVG_ENF_EALREADY;
        else if (rc == PVG_STORE_ROW) {
            int64_t r = pvg_store_x(s, "UPDATE tokens SET revoked_at = ? WHERE id = ?", "ii",
                                    pvg_enforce_now(e), token_id);
            rc = r < 0 ? (int)r : pvg__audit(e, s, a, "token.revoked", "token", token_id, NULL, NULL);
            if (!rc)
                rc = pvg_store_commit(s);
        }
    }
    pvg__release(e, s);
    if (!rc) {
        pthread_mutex_lock(&e->tok_mu);
        for (int i = 0; i < TOKEN_CACHE; i++)
            if (e->tok[i].id == token_id)
                e->tok[i].until = 0;
        pthread_mutex_unlock(&e->tok_mu);
    }
    return rc;
}
