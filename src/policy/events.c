/* SPDX-License-Identifier: MIT */
/*
 * events.c -- the two event categories (DETECTION.md "Events"):
 * auth_key_extraction and illegal_pii_use, decided from account and client
 * events rather than from text.
 *
 * Identifiers (phone, rrn, ci, email) are normalised and turned into keyed
 * BLAKE2b-256 fingerprints (libsodium crypto_generichash, keyed by the
 * caller's 32-byte key, the input being "<kind>:<normalised value>"); the raw
 * value lives only in a stack buffer that is wiped before the call returns,
 * and neither values nor fingerprints appear in reasons. State across
 * accounts (which accounts used a fingerprint, whether it came from a leak,
 * which accounts had an abnormal client) is the caller's, reached through
 * pvg_state_ops_t: in memory in the CLI (src/cli/state_mem.c), the store in
 * the service.
 *
 * The decisions (docs/events.md):
 *   client_attestation  records the client as abnormal when its signature
 *                       check failed (signature_ok == 0) or its name is not
 *                       an official client's; no violation by itself.
 *   auth_key_export     auth_key_extraction when the exporting client is
 *                       abnormal now, or an abnormal client was recorded
 *                       for the account within auth_key_window_ms, or the
 *                       destination is not the account's own.
 *   account_created     illegal_pii_use when an identifier's fingerprint
 *                       was loaded from a leak, or illegal_use_accounts or
 *                       more accounts used it within illegal_use_window_ms;
 *                       then the account's use of each identifier is
 *                       recorded.
 *   identifier_leak     records each fingerprint as leaked; no violation.
 * The result uses the scratch's violation and reason storage, as a message
 * scan does; the category's mode (off, shadow) and action for the `direct`
 * surface apply, and hits are counted atomically in the category's counter.
 *
 * Thread rule: as pvg_scan_message (the scratch is taken for the call; the
 * caller's state ops must be safe for the way the caller shares them).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "engine/internal.h"
#include "policy/events.h"
#include "policy/policy.h"

/* ------------------------------------------------------------- names */

static const char *const event_names[PVG_EVENT_COUNT] = {
    "client_attestation", "auth_key_export", "account_created", "identifier_leak",
};

PVG_API const char *pvg_event_name(int kind)
{
    return kind >= 0 && kind < PVG_EVENT_COUNT ? event_names[kind] : NULL;
}

PVG_API int pvg_event_from_name(const char *name, size_t len)
{
    if (!name)
        return PVG_ENOTFOUND;
    for (int i = 0; i < PVG_EVENT_COUNT; i++)
        if (strlen(event_names[i]) == len && !memcmp(event_names[i], name, len))
            return i;
    return PVG_ENOTFOUND;
}

static const char *const id_names[PVG__ID_COUNT] = {"phone", "rrn", "ci", "email"};
/* How reasons name each kind. */
static const char *const id_labels[PVG__ID_COUNT] = {"phone number", "resident registration number",
                                                     "connecting information (CI)", "e-mail address"};

int pvg__identifier_kind(const char *name, size_t len)
{
    if (!name)
        return -1;
    for (int i = 0; i < PVG__ID_COUNT; i++)
        if (strlen(id_names[i]) == len && !memcmp(id_names[i], name, len))
            return i;
    return -1;
}

const char *pvg__identifier_kind_name(int kind)
{
    return kind >= 0 && kind < PVG__ID_COUNT ? id_names[kind] : NULL;
}

/* ------------------------------------------------------- normalisation */

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

static int digits_only(const char *v, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (v[i] >= '0' && v[i] <= '9') {
            if (n == PVG__ID_MAX)
                return -1;
            out[n++] = v[i];
        }
    return (int)n;
}

int pvg__identifier_normalise(int kind, const char *value, size_t len, char *out)
{
    if (!value || !out || len == 0 || len > PVG__ID_MAX)
        return -1;
    switch (kind) {
    case PVG__ID_PHONE: {
        int n = digits_only(value, len, out);
        if (n < 0)
            return -1;
        size_t from = 0;
        if (n >= 2 && out[0] == '0' && out[1] == '0')
            from = 2; /* international prefix 00 */
        int cc = n - (int)from >= 2 && out[from] == '8' && out[from + 1] == '2';
        if (cc) {
            /* +82 10 ... -> 010 ...; +82 (0)10 ... keeps its own 0. */
            from += 2;
            if ((size_t)n > from && out[from] != '0') {
                from--;
                out[from] = '0';
            }
        }
        size_t m = (size_t)n - from;
        memmove(out, out + from, m);
        if (m < 7 || m > 15)
            return -1;
        return (int)m;
    }
    case PVG__ID_RRN: {
        int n = digits_only(value, len, out);
        return n == 13 ? n : -1;
    }
    case PVG__ID_EMAIL: {
        size_t a = 0, b = len;
        while (a < b && is_space(value[a]))
            a++;
        while (b > a && is_space(value[b - 1]))
            b--;
        size_t n = b - a, at = 0, ats = 0;
        for (size_t i = 0; i < n; i++) {
            char c = value[a + i];
            out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
            if (c == '@')
                at = i, ats++;
        }
        if (ats != 1 || at == 0 || at + 1 >= n)
            return -1;
        return (int)n;
    }
    case PVG__ID_CI:
        memcpy(out, value, len);
        return (int)len;
    default:
        return -1;
    }
}

/* ------------------------------------------------------------- clients */

int pvg__client_official(const char *name, size_t len)
{
    static const char official[] = "kakaotalk";
    size_t k = sizeof official - 1;
    if (!name || len < k || strncasecmp(name, official, k))
        return 0;
    if (len == k)
        return 1;
    char c = name[k];
    return c == ' ' || c == '-' || c == '_' || c == '/';
}

int pvg__destination_own(const char *dest, size_t len, const char *account, size_t account_len)
{
    static const char *const own[] = {"self", "own_device", "own-device"};
    if (!dest)
        return 0;
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (strlen(own[i]) == len && !strncasecmp(dest, own[i], len))
            return 1;
    return account && account_len && len == 8 + account_len && !memcmp(dest, "account:", 8) &&
           !memcmp(dest + 8, account, account_len);
}

/* ------------------------------------------------------------- reasons */

/* A violation being built: a noisy-OR score and its reasons. */
typedef struct ev_viol {
    double keep;   /* product of (1 - weight) */
    const char **reasons;
    size_t n;
} ev_viol_t;

static void vio_add(ev_viol_t *v, double weight, const char *reason)
{
    v->keep *= 1.0 - weight;
    if (v->n < PVG__MAX_REASONS) {
        for (size_t i = 0; i < v->n; i++)
            if (!strcmp(v->reasons[i], reason))
                return;
        v->reasons[v->n++] = reason;
    }
}

/* A client name as reasons show it: at most 32 bytes, printable ASCII,
 * anything else as '?'. Client names are not personal data but are
 * attacker-chosen text. */
static void client_label(const char *name, size_t len, char out[40])
{
    size_t n = len < 32 ? len : 32;
    for (size_t i = 0; i < n; i++)
        out[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
    if (len > 32)
        memcpy(out + n, "...", 3), n += 3;
    out[n] = 0;
}

/* ---------------------------------------------------------------- scan */

typedef struct ev_ctx {
    const pvg_engine_t *e;
    const pvg__policy_t *p;
    const pvg_event_t *ev;
    const pvg_state_ops_t *ops;
    const uint8_t *key;
    pvg_scratch_t *s;
    int64_t ts;
} ev_ctx_t;

static int64_t now_ms(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_REALTIME, &t))
        return 0;
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int str_ok(const char *p, size_t n) { return p || !n; }

static pvg_error_t event_ok(const pvg_event_t *ev, const pvg_state_ops_t *ops)
{
    if (!ev || !ops || !ops->record_identifier || !ops->lookup_identifier ||
        !ops->record_client || !ops->client_abnormal)
        return PVG_EINVAL;
    if (ev->kind < 0 || ev->kind >= PVG_EVENT_COUNT || ev->ts_ms < 0)
        return PVG_EINVAL;
    if (!str_ok(ev->id, ev->id_len) || !str_ok(ev->account, ev->account_len) ||
        !str_ok(ev->client_name, ev->client_name_len) ||
        !str_ok(ev->client_version, ev->client_version_len) ||
        !str_ok(ev->destination, ev->destination_len) || !str_ok(ev->device, ev->device_len) ||
        !str_ok(ev->ip, ev->ip_len) || !str_ok(ev->source, ev->source_len) ||
        (ev->n_identifiers && !ev->identifiers))
        return PVG_EINVAL;
    if (ev->signature_ok < -1 || ev->signature_ok > 1)
        return PVG_EINVAL;
    /* Every kind but a leak concerns one account. */
    if (ev->kind != PVG_EVENT_IDENTIFIER_LEAK && (!ev->account || !ev->account_len))
        return PVG_EINVAL;
    return PVG_OK;
}

/* Checks every identifier before any state changes, so a bad one leaves
 * the caller's state untouched. */
static pvg_error_t identifiers_ok(const pvg_event_t *ev)
{
    char buf[PVG__ID_MAX];
    pvg_error_t rc = PVG_OK;
    for (size_t i = 0; i < ev->n_identifiers && rc == PVG_OK; i++) {
        const pvg_identifier_t *id = &ev->identifiers[i];
        if (!str_ok(id->kind, id->kind_len) || !str_ok(id->value, id->value_len))
            rc = PVG_EINVAL;
        else if (pvg__identifier_kind(id->kind, id->kind_len) < 0)
            rc = PVG_ENOTFOUND;
        else if (pvg__identifier_normalise(pvg__identifier_kind(id->kind, id->kind_len),
                                           id->value, id->value_len, buf) < 0)
            rc = PVG_EINVAL;
    }
    sodium_memzero(buf, sizeof buf);
    return rc;
}

/* The keyed fingerprint of an identifier (already checked). */
static int fingerprint(const uint8_t *key, int kind, const pvg_identifier_t *id, uint8_t fp[32])
{
    char buf[PVG__ID_MAX];
    int n = pvg__identifier_normalise(kind, id->value, id->value_len, buf);
    int rc = -1;
    if (n >= 0) {
        crypto_generichash_state st;
        const char *name = id_names[kind];
        rc = crypto_generichash_init(&st, key, PVG_FINGERPRINT_KEYBYTES, 32) ||
             crypto_generichash_update(&st, (const unsigned char *)name, strlen(name)) ||
             crypto_generichash_update(&st, (const unsigned char *)":", 1) ||
             crypto_generichash_update(&st, (const unsigned char *)buf, (size_t)n) ||
             crypto_generichash_final(&st, fp, 32)
                 ? -1
                 : 0;
        sodium_memzero(&st, sizeof st);
    }
    sodium_memzero(buf, sizeof buf);
    return rc;
}

/* Whether the event's client is abnormal now; sets a reason when so. */
static int client_abnormal_now(ev_ctx_t *c, const char **why, double *weight)
{
    const pvg_event_t *ev = c->ev;
    if (ev->signature_ok == 0) {
        *why = "client failed its signature check (attestation)";
        *weight = 0.95;
        return 1;
    }
    if (ev->client_name && ev->client_name_len &&
        !pvg__client_official(ev->client_name, ev->client_name_len)) {
        char label[40];
        client_label(ev->client_name, ev->client_name_len, label);
        *why = pvg__reason(c->s, "client '%s' is not an official client", label);
        *weight = 0.9;
        return 1;
    }
    return 0;
}

static pvg_error_t on_attestation(ev_ctx_t *c)
{
    const char *why = NULL;
    double w = 0;
    int abnormal = client_abnormal_now(c, &why, &w);
    int rc = c->ops->record_client(c->ops->ctx, c->ev->account, c->ev->account_len, abnormal, c->ts);
    return rc < 0 ? rc : PVG_OK;
}

static pvg_error_t on_key_export(ev_ctx_t *c, ev_viol_t *v)
{
    const pvg_event_t *ev = c->ev;
    const char *why = NULL;
    double w = 0;
    if (client_abnormal_now(c, &why, &w)) {
        vio_add(v, w, why);
        int rc = c->ops->record_client(c->ops->ctx, ev->account, ev->account_len, 1, c->ts);
        if (rc < 0)
            return rc;
    }
    int before = 0;
    int rc = c->ops->client_abnormal(c->ops->ctx, ev->account, ev->account_len,
                                     c->ts - c->p->auth_key_window_ms, &before);
    if (rc < 0)
        return rc;
    if (before) {
        long long hours = (long long)(c->p->auth_key_window_ms / 3600000);
        vio_add(v, 0.9,
                pvg__reason(c->s, "an abnormal client was seen on this account in the last %lld hour%s",
                           hours, hours == 1 ? "" : "s"));
    }
    if (ev->destination && ev->destination_len &&
        !pvg__destination_own(ev->destination, ev->destination_len, ev->account, ev->account_len))
        vio_add(v, 0.7, "key sent to a destination outside the account's own devices");
    return PVG_OK;
}

static pvg_error_t on_account(ev_ctx_t *c, ev_viol_t *v)
{
    const pvg_event_t *ev = c->ev;
    const pvg__policy_t *p = c->p;
    long long days = (long long)(p->illegal_use_window_ms / 86400000);
    for (size_t i = 0; i < ev->n_identifiers; i++) {
        const pvg_identifier_t *id = &ev->identifiers[i];
        int kind = pvg__identifier_kind(id->kind, id->kind_len);
        uint8_t fp[32];
        if (fingerprint(c->key, kind, id, fp))
            return PVG_EINTERNAL;
        uint32_t accounts = 0;
        int leaked = 0;
        int rc = c->ops->lookup_identifier(c->ops->ctx, fp, c->ts - p->illegal_use_window_ms,
                                           &accounts, &leaked);
        if (rc >= 0 && leaked)
            vio_add(v, 0.95, pvg__reason(c->s, "%s found in a leak or a confirmed trade",
                                         id_labels[kind]));
        if (rc >= 0 && p->illegal_use_accounts > 0 && accounts >= (uint32_t)p->illegal_use_accounts) {
            double w = 0.75 + 0.05 * (double)(accounts - (uint32_t)p->illegal_use_accounts);
            vio_add(v, w > 0.95 ? 0.95 : w,
                    pvg__reason(c->s, "%s already used by %u accounts in the last %lld day%s",
                               id_labels[kind], (unsigned)accounts, days, days == 1 ? "" : "s"));
        }
        if (rc >= 0)
            rc = c->ops->record_identifier(c->ops->ctx, fp, id_names[kind], ev->account,
                                           ev->account_len, 0, c->ts);
        sodium_memzero(fp, sizeof fp);
        if (rc < 0)
            return rc;
    }
    return PVG_OK;
}

static pvg_error_t on_leak(ev_ctx_t *c)
{
    const pvg_event_t *ev = c->ev;
    for (size_t i = 0; i < ev->n_identifiers; i++) {
        const pvg_identifier_t *id = &ev->identifiers[i];
        int kind = pvg__identifier_kind(id->kind, id->kind_len);
        uint8_t fp[32];
        if (fingerprint(c->key, kind, id, fp))
            return PVG_EINTERNAL;
        int rc = c->ops->record_identifier(c->ops->ctx, fp, id_names[kind],
                                           ev->account ? ev->account : "", ev->account_len, 1, c->ts);
        sodium_memzero(fp, sizeof fp);
        if (rc < 0)
            return rc;
    }
    return PVG_OK;
}

PVG_API pvg_error_t pvg_scan_event(const pvg_engine_t *e, const pvg_event_t *ev,
                                   const pvg_state_ops_t *ops, const uint8_t *key,
                                   pvg_scratch_t *s, pvg_result_t *out)
{
    if (!e || e->magic != PVG__ENGINE_MAGIC || e->abi != PVG__ABI || !s ||
        s->magic != PVG__SCRATCH_MAGIC || s->abi != PVG__ABI || !key || !out)
        return PVG_EINVAL;
    pvg_error_t rc = event_ok(ev, ops);
    if (rc == PVG_OK)
        rc = identifiers_ok(ev);
    if (rc != PVG_OK)
        return rc;
    if (__atomic_exchange_n(&s->in_use, 1, __ATOMIC_ACQUIRE))
        return PVG_ESCRATCH_BUSY;
    memset(out, 0, sizeof *out);
    s->reason_used = 0;
    s->n_violations = 0;
    s->n_findings = 0;

    ev_ctx_t c = {e, &e->policy, ev, ops, key, s, ev->ts_ms ? ev->ts_ms : now_ms()};
    int cat = -1;
    ev_viol_t v = {1.0, s->reasons[0], 0};
    switch (ev->kind) {
    case PVG_EVENT_CLIENT_ATTESTATION: rc = on_attestation(&c); break;
    case PVG_EVENT_AUTH_KEY_EXPORT:
        cat = PVG__CAT_AUTH_KEY;
        rc = on_key_export(&c, &v);
        break;
    case PVG_EVENT_ACCOUNT_CREATED:
        cat = PVG__CAT_ILLEGAL_USE;
        rc = on_account(&c, &v);
        break;
    default: rc = on_leak(&c); break;
    }
    float score = (float)(1.0 - v.keep);
    int action = PVG_ACTION_ALLOW;
    if (rc == PVG_OK && cat >= 0 && v.n && c.p->cat[cat].enabled) {
        const pvg__pcat_t *pc = &c.p->cat[cat];
        float th = pc->threshold >= 0 ? pc->threshold : c.p->threshold;
        if (score >= th && score > 0) {
            __atomic_add_fetch(&((pvg__policy_t *)c.p)->cat[cat].rule_hits, 1, __ATOMIC_RELAXED);
            pvg_violation_t *pv = &s->violations[0];
            pv->category = pvg__category_name(cat);
            pv->score = score > 1 ? 1 : score;
            pv->reasons = s->reasons[0];
            pv->n_reasons = v.n;
            /* Events have no surface: the `direct` action applies. */
            pv->action = pc->action[PVG_SURFACE_DIRECT];
            pv->shadow = pc->shadow;
            if (!pv->shadow)
                action = pv->action;
            s->n_violations = 1;
        }
    }
    if (rc == PVG_OK) {
        out->violations = s->violations;
        out->n_violations = s->n_violations;
        out->action = action;
    } else {
        s->n_violations = 0;
    }
    __atomic_store_n(&s->in_use, 0, __ATOMIC_RELEASE);
    return rc;
}
