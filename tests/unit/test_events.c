/* SPDX-License-Identifier: MIT */
/*
 * test_events.c -- the event policy (src/policy/events.c) with the CLI's
 * in-memory state (src/cli/state_mem.c) and event JSON parser
 * (src/cli/events_json.c), compiled into this test: identifier
 * normalisation and fingerprints, illegal_pii_use (leaks, accounts within
 * the window), auth_key_extraction (attestation, window, destination),
 * category modes and hit counters, argument checks, state bounds, key files
 * and event JSON errors. All identifiers are generated fake values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/internal.h"
#include "policy/events.h"

#include "cli/events_json.c"
#include "cli/state_mem.c"

#define T0 1764300000000LL
#define DAY 86400000LL
#define HOUR 3600000LL

static const uint8_t KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* The default engine, compiled once for the whole run (compiling is the
 * slow part under sanitizers). */
static pvg_engine_t *g_default;

typedef struct fx {
    pvg_engine_t *e;
    int own_engine;
    pvg_scratch_t *s;
    state_mem_t *m;
    pvg_state_ops_t ops;
} fx_t;

static pvg_engine_t *compile_with(const char *find, const char *insert)
{
    size_t len;
    const char *def = pvg_default_rules(&len);
    pvg_engine_t *e = NULL;
    if (!find) {
        assert_int_equal(pvg_engine_compile(def, len, 0, &e, NULL), PVG_OK);
        return e;
    }
    const char *at = strstr(def, find);
    assert_non_null(at);
    size_t pre = (size_t)(at - def) + strlen(find);
    char *text = malloc(len + strlen(insert) + 1);
    assert_non_null(text);
    memcpy(text, def, pre);
    memcpy(text + pre, insert, strlen(insert));
    memcpy(text + pre + strlen(insert), def + pre, len - pre + 1);
    pvg_compile_error_t *err = NULL;
    pvg_error_t rc = pvg_engine_compile(text, strlen(text), 0, &e, &err);
    if (rc != PVG_OK && err)
        fprintf(stderr, "compile: %d: %s\n", err->line, err->message);
    pvg_compile_error_free(err);
    free(text);
    assert_int_equal(rc, PVG_OK);
    return e;
}

static void fx_open(fx_t *f, pvg_engine_t *e)
{
    memset(f, 0, sizeof *f);
    f->e = e ? e : g_default;
    f->own_engine = e != NULL;
    assert_int_equal(pvg_scratch_alloc(f->e, &f->s), PVG_OK);
    f->m = state_mem_new(0, 0);
    assert_non_null(f->m);
    state_mem_ops(f->m, &f->ops);
}

static void fx_close(fx_t *f)
{
    state_mem_free(f->m);
    pvg_scratch_free(f->s);
    if (f->own_engine)
        pvg_engine_free(f->e);
}

static pvg_error_t signup(fx_t *f, const char *account, int64_t ts, const char *kind,
                          const char *value, pvg_result_t *r)
{
    pvg_identifier_t id = {kind, strlen(kind), value, strlen(value)};
    pvg_event_t ev = {0};
    ev.kind = PVG_EVENT_ACCOUNT_CREATED;
    ev.account = account;
    ev.account_len = strlen(account);
    ev.ts_ms = ts;
    ev.signature_ok = -1;
    ev.identifiers = &id;
    ev.n_identifiers = 1;
    return pvg_scan_event(f->e, &ev, &f->ops, KEY, f->s, r);
}

static int has_reason(const pvg_result_t *r, const char *part)
{
    for (size_t v = 0; v < r->n_violations; v++)
        for (size_t i = 0; i < r->violations[v].n_reasons; i++)
            if (strstr(r->violations[v].reasons[i], part))
                return 1;
    return 0;
}

static void no_raw_value(const pvg_result_t *r, const char *raw)
{
    for (size_t v = 0; v < r->n_violations; v++)
        for (size_t i = 0; i < r->violations[v].n_reasons; i++)
            assert_null(strstr(r->violations[v].reasons[i], raw));
}

/* ------------------------------------------------------------- names */

static void test_names(void **state)
{
    (void)state;
    for (int k = 0; k < PVG_EVENT_COUNT; k++) {
        const char *n = pvg_event_name(k);
        assert_non_null(n);
        assert_int_equal(pvg_event_from_name(n, strlen(n)), k);
    }
    assert_null(pvg_event_name(-1));
    assert_null(pvg_event_name(PVG_EVENT_COUNT));
    assert_int_equal(pvg_event_from_name("account_create", 14), PVG_ENOTFOUND);
    assert_int_equal(pvg_event_from_name("ACCOUNT_CREATED", 15), PVG_ENOTFOUND);
    assert_int_equal(pvg_event_from_name(NULL, 0), PVG_ENOTFOUND);
}

/* ------------------------------------------------------ normalisation */

static const struct {
    const char *kind, *in, *out; /* out NULL: invalid */
} norm_cases[] = {
    {"phone", "010-1234-5678", "01012345678"},
    {"phone", "+82 10-1234-5678", "01012345678"},
    {"phone", "+82 (0)10 1234 5678", "01012345678"},
    {"phone", "0082-10-1234-5678", "01012345678"},
    {"phone", "82-10-1234-5678", "01012345678"},
    {"phone", "(02) 123-4567", "021234567"},
    {"phone", "+82 2 123 4567", "021234567"},
    {"phone", "123", NULL},
    {"phone", "no digits", NULL},
    {"phone", "1234567890123456", NULL},
    {"rrn", "900101-1234567", "9001011234567"},
    {"rrn", "900101 1234567", "9001011234567"},
    {"rrn", "900101-123456", NULL},
    {"email", "  Kim.Test@Example.COM \n", "kim.test@example.com"},
    {"email", "no-at-sign.example.com", NULL},
    {"email", "@example.com", NULL},
    {"email", "a@b@example.com", NULL},
    {"ci", "AbC+/=xyz", "AbC+/=xyz"},
    {"passport", "M12345678", NULL},
};

static void test_normalise(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof norm_cases / sizeof norm_cases[0]; i++) {
        char out[PVG__ID_MAX];
        const char *k = norm_cases[i].kind;
        int kind = pvg__identifier_kind(k, strlen(k));
        int n = pvg__identifier_normalise(kind, norm_cases[i].in, strlen(norm_cases[i].in), out);
        if (!norm_cases[i].out) {
            if (n >= 0)
                fail_msg("case %zu (%s) should be invalid", i, k);
            continue;
        }
        if (n < 0 || (size_t)n != strlen(norm_cases[i].out) ||
            memcmp(out, norm_cases[i].out, (size_t)n))
            fail_msg("case %zu (%s): got %.*s", i, k, n < 0 ? 0 : n, out);
    }
    char big[PVG__ID_MAX + 2];
    memset(big, '1', sizeof big);
    char out[PVG__ID_MAX];
    assert_true(pvg__identifier_normalise(PVG__ID_CI, big, sizeof big, out) < 0);
    assert_true(pvg__identifier_normalise(PVG__ID_CI, "", 0, out) < 0);
}

static void test_client_rules(void **state)
{
    (void)state;
    assert_true(pvg__client_official("KakaoTalk", 9));
    assert_true(pvg__client_official("kakaotalk-pc", 12));
    assert_true(pvg__client_official("KAKAOTALK Android", 17));
    assert_false(pvg__client_official("KakaoTalkPlus", 13));
    assert_false(pvg__client_official("kakao-mod", 9));
    assert_false(pvg__client_official("", 0));
    assert_true(pvg__destination_own("self", 4, "a1", 2));
    assert_true(pvg__destination_own("OWN_DEVICE", 10, "a1", 2));
    assert_true(pvg__destination_own("account:a1", 10, "a1", 2));
    assert_false(pvg__destination_own("account:a2", 10, "a1", 2));
    assert_false(pvg__destination_own("host:203.0.113.9", 16, "a1", 2));
}

/* ---------------------------------------------------- illegal_pii_use */

static void test_accounts_threshold(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, NULL);
    pvg_result_t r;
    /* Three accounts, three spellings of one number: no violation yet. */
    const char *forms[] = {"010-2000-3001", "+82 10 2000 3001", "01020003001"};
    char acc[16];
    for (int i = 0; i < 3; i++) {
        snprintf(acc, sizeof acc, "acct-%d", i);
        assert_int_equal(signup(&f, acc, T0 + i * HOUR, "phone", forms[i], &r), PVG_OK);
        assert_int_equal(r.n_violations, 0);
        assert_int_equal(r.action, PVG_ACTION_ALLOW);
        assert_int_equal(r.n_findings, 0);
    }
    assert_int_equal(state_mem_fingerprints(f.m), 1);
    /* The fourth account: illegal use, readable reason, no raw value. */
    assert_int_equal(signup(&f, "acct-3", T0 + 4 * HOUR, "phone", "82-10-2000-3001", &r), PVG_OK);
    assert_int_equal(r.n_violations, 1);
    assert_string_equal(r.violations[0].category, "illegal_pii_use");
    assert_true(r.violations[0].score >= 0.6f);
    assert_true(has_reason(&r, "phone number already used by 3 accounts in the last 30 days"));
    no_raw_value(&r, "2000");
    assert_int_equal(r.action, PVG_ACTION_REVIEW); /* the `direct` action of the rules */
    assert_int_equal(r.violations[0].shadow, 0);
    /* Another kind with the same digits is another identifier. */
    assert_int_equal(signup(&f, "acct-4", T0 + 5 * HOUR, "rrn", "010200-3001000", &r), PVG_OK);
    assert_int_equal(r.n_violations, 0);
    /* The same account signing up again is not a new account. */
    fx_close(&f);
}

static void test_window_expiry(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, NULL);
    pvg_result_t r;
    char acc[16];
    for (int i = 0; i < 3; i++) {
        snprintf(acc, sizeof acc, "old-%d", i);
        assert_int_equal(signup(&f, acc, T0, "email", "Fake.User@Example.org", &r), PVG_OK);
    }
    /* 31 days later the three old sign-ups are outside the 30-day window. */
    assert_int_equal(signup(&f, "new-1", T0 + 31 * DAY, "email", "fake.user@example.org", &r),
                     PVG_OK);
    assert_int_equal(r.n_violations, 0);
    /* Within the window: counted. */
    assert_int_equal(signup(&f, "new-0", T0 + 29 * DAY, "email", "FAKE.USER@example.org", &r),
                     PVG_OK);
    assert_int_equal(r.n_violations, 1);
    fx_close(&f);
}

static void test_leak(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, NULL);
    pvg_identifier_t ids[2] = {{"rrn", 3, "850315-1000017", 14}, {"phone", 5, "010-9000-0002", 13}};
    pvg_event_t ev = {0};
    ev.kind = PVG_EVENT_IDENTIFIER_LEAK;
    ev.ts_ms = T0;
    ev.signature_ok = -1;
    ev.identifiers = ids;
    ev.n_identifiers = 2;
    ev.source = "test dump";
    ev.source_len = 9;
    pvg_result_t r;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, &r), PVG_OK);
    assert_int_equal(r.n_violations, 0);
    assert_int_equal(state_mem_fingerprints(f.m), 2);
    /* A sign-up with the leaked RRN, written differently: illegal use. */
    assert_int_equal(signup(&f, "fresh", T0 + DAY, "rrn", "8503151000017", &r), PVG_OK);
    assert_int_equal(r.n_violations, 1);
    assert_string_equal(r.violations[0].category, "illegal_pii_use");
    assert_true(has_reason(&r, "resident registration number found in a leak"));
    no_raw_value(&r, "850315");
    /* A leak long ago still counts (a leak does not expire). */
    assert_int_equal(signup(&f, "later", T0 + 400 * DAY, "phone", "+82-10-9000-0002", &r), PVG_OK);
    assert_int_equal(r.n_violations, 1);
    /* Another key: another fingerprint, no match. */
    uint8_t other[32];
    memset(other, 7, sizeof other);
    pvg_identifier_t id = {"rrn", 3, "850315-1000017", 14};
    ev.kind = PVG_EVENT_ACCOUNT_CREATED;
    ev.account = "x";
    ev.account_len = 1;
    ev.identifiers = &id;
    ev.n_identifiers = 1;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, other, f.s, &r), PVG_OK);
    assert_int_equal(r.n_violations, 0);
    fx_close(&f);
}

static void test_custom_threshold(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, compile_with("illegal_pii_use: {accounts: ", "2, window_days: 1} #"));
    pvg_result_t r;
    assert_int_equal(signup(&f, "a", T0, "ci", "CI-fake-value-1", &r), PVG_OK);
    assert_int_equal(r.n_violations, 0);
    assert_int_equal(signup(&f, "b", T0 + 1, "ci", "CI-fake-value-1", &r), PVG_OK);
    assert_int_equal(r.n_violations, 0);
    assert_int_equal(signup(&f, "c", T0 + 2, "ci", "CI-fake-value-1", &r), PVG_OK);
    assert_int_equal(r.n_violations, 1);
    assert_true(has_reason(&r, "already used by 2 accounts in the last 1 day"));
    /* Two days on, the one-day window holds none of them. */
    assert_int_equal(signup(&f, "d", T0 + 2 * DAY, "ci", "CI-fake-value-1", &r), PVG_OK);
    assert_int_equal(r.n_violations, 0);
    fx_close(&f);
}

/* ------------------------------------------------ auth_key_extraction */

static pvg_error_t client_event(fx_t *f, int kind, const char *account, int64_t ts,
                                const char *name, int sig, const char *dest, pvg_result_t *r)
{
    pvg_event_t ev = {0};
    ev.kind = kind;
    ev.account = account;
    ev.account_len = strlen(account);
    ev.ts_ms = ts;
    ev.client_name = name;
    ev.client_name_len = name ? strlen(name) : 0;
    ev.signature_ok = sig;
    ev.destination = dest;
    ev.destination_len = dest ? strlen(dest) : 0;
    return pvg_scan_event(f->e, &ev, &f->ops, KEY, f->s, r);
}

static void test_auth_key(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, NULL);
    pvg_result_t r;
    /* A normal export to the account's own device: nothing. */
    assert_int_equal(client_event(&f, PVG_EVENT_AUTH_KEY_EXPORT, "u1", T0, "KakaoTalk", 1,
                                  "own_device", &r), PVG_OK);
    assert_int_equal(r.n_violations, 0);
    /* An attestation failure, then an export within 24 hours. */
    assert_int_equal(client_event(&f, PVG_EVENT_CLIENT_ATTESTATION, "u1", T0 + HOUR, "KakaoTalk",
                                  0, NULL, &r), PVG_OK);
    assert_int_equal(r.n_violations, 0);
    assert_int_equal(client_event(&f, PVG_EVENT_AUTH_KEY_EXPORT, "u1", T0 + 10 * HOUR,
                                  "KakaoTalk", 1, "self", &r), PVG_OK);
    assert_int_equal(r.n_violations, 1);
    assert_string_equal(r.violations[0].category, "auth_key_extraction");
    assert_true(has_reason(&r, "abnormal client was seen on this account in the last 24 hours"));
    assert_int_equal(r.action, PVG_ACTION_BLOCK);
    /* 26 hours after the failure: outside the window. */
    assert_int_equal(client_event(&f, PVG_EVENT_AUTH_KEY_EXPORT, "u1", T0 + 27 * HOUR,
                                  "KakaoTalk", 1, "self", &r), PVG_OK);
    assert_int_equal(r.n_violations, 0);
    /* Another account is not affected by u1's client. */
    assert_int_equal(client_event(&f, PVG_EVENT_AUTH_KEY_EXPORT, "u2", T0 + 2 * HOUR,
                                  "KakaoTalk", 1, "self", &r), PVG_OK);
    assert_int_equal(r.n_violations, 0);
    /* A modified client exporting: abnormal now, named in the reason. */
    assert_int_equal(client_event(&f, PVG_EVENT_AUTH_KEY_EXPORT, "u3", T0, "kakao-patch\x01", -1,
                                  "self", &r), PVG_OK);
    assert_int_equal(r.n_violations, 1);
    assert_true(has_reason(&r, "client 'kakao-patch?' is not an official client"));
    /* ... which marks u3 for the next export too. */
    assert_int_equal(client_event(&f, PVG_EVENT_AUTH_KEY_EXPORT, "u3", T0 + HOUR, "KakaoTalk", 1,
                                  "self", &r), PVG_OK);
    assert_int_equal(r.n_violations, 1);
    /* An official client sending the key elsewhere. */
    assert_int_equal(client_event(&f, PVG_EVENT_AUTH_KEY_EXPORT, "u4", T0, "KakaoTalk", 1,
                                  "account:someone-else", &r), PVG_OK);
    assert_int_equal(r.n_violations, 1);
    assert_true(has_reason(&r, "outside the account's own devices"));
    /* Both: a higher score. */
    float one = r.violations[0].score;
    assert_int_equal(client_event(&f, PVG_EVENT_AUTH_KEY_EXPORT, "u5", T0, "KakaoTalk", 0,
                                  "host:203.0.113.9", &r), PVG_OK);
    assert_int_equal(r.n_violations, 1);
    assert_true(r.violations[0].score > one);
    fx_close(&f);
}

static void test_modes_and_hits(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, compile_with("    auth_key_extraction:\n", "      mode: shadow\n"));
    pvg_result_t r;
    size_t rule = pvg_engine_rule_count(f.e) - PVG__CAT_COUNT + PVG__CAT_AUTH_KEY;
    uint64_t hits = 99;
    assert_int_equal(pvg_engine_rule_info(f.e, rule, NULL, NULL, NULL, &hits), PVG_OK);
    assert_int_equal(hits, 0);
    assert_int_equal(client_event(&f, PVG_EVENT_AUTH_KEY_EXPORT, "u1", T0, "KakaoTalk", 0, "self",
                                  &r), PVG_OK);
    assert_int_equal(r.n_violations, 1);
    assert_int_equal(r.violations[0].shadow, 1);
    assert_int_equal(r.action, PVG_ACTION_ALLOW);
    assert_int_equal(pvg_engine_rule_info(f.e, rule, NULL, NULL, NULL, &hits), PVG_OK);
    assert_int_equal(hits, 1);
    fx_close(&f);

    fx_open(&f, compile_with("    illegal_pii_use:\n", "      mode: off\n"));
    for (int i = 0; i < 5; i++) {
        char acc[8];
        snprintf(acc, sizeof acc, "a%d", i);
        assert_int_equal(signup(&f, acc, T0 + i, "phone", "010-3000-4000", &r), PVG_OK);
        assert_int_equal(r.n_violations, 0);
    }
    fx_close(&f);
}

/* ------------------------------------------------------------- errors */

static void test_errors(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, NULL);
    pvg_result_t r;
    pvg_identifier_t id = {"phone", 5, "010-1111-2222", 13};
    pvg_event_t ev = {0};
    ev.kind = PVG_EVENT_ACCOUNT_CREATED;
    ev.account = "a";
    ev.account_len = 1;
    ev.ts_ms = T0;
    ev.signature_ok = -1;
    ev.identifiers = &id;
    ev.n_identifiers = 1;
    assert_int_equal(pvg_scan_event(NULL, &ev, &f.ops, KEY, f.s, &r), PVG_EINVAL);
    assert_int_equal(pvg_scan_event(f.e, NULL, &f.ops, KEY, f.s, &r), PVG_EINVAL);
    assert_int_equal(pvg_scan_event(f.e, &ev, NULL, KEY, f.s, &r), PVG_EINVAL);
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, NULL, f.s, &r), PVG_EINVAL);
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, NULL, &r), PVG_EINVAL);
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, NULL), PVG_EINVAL);
    pvg_state_ops_t half = f.ops;
    half.client_abnormal = NULL;
    assert_int_equal(pvg_scan_event(f.e, &ev, &half, KEY, f.s, &r), PVG_EINVAL);
    /* A corrupted scratch and engine. */
    f.s->magic ^= 1;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, &r), PVG_EINVAL);
    f.s->magic ^= 1;
    f.e->magic ^= 1;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, &r), PVG_EINVAL);
    f.e->magic ^= 1;
    /* A busy scratch. */
    f.s->in_use = 1;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, &r), PVG_ESCRATCH_BUSY);
    f.s->in_use = 0;
    /* Bad fields. */
    ev.kind = PVG_EVENT_COUNT;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, &r), PVG_EINVAL);
    ev.kind = PVG_EVENT_ACCOUNT_CREATED;
    ev.account_len = 0;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, &r), PVG_EINVAL);
    ev.account_len = 1;
    ev.signature_ok = 2;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, &r), PVG_EINVAL);
    ev.signature_ok = -1;
    ev.n_identifiers = 2;
    ev.identifiers = NULL;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, &r), PVG_EINVAL);
    /* A bad identifier after a good one: nothing is recorded. */
    pvg_identifier_t two[2] = {{"phone", 5, "010-1111-2222", 13}, {"rrn", 3, "12345", 5}};
    ev.identifiers = two;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, &r), PVG_EINVAL);
    assert_int_equal(state_mem_fingerprints(f.m), 0);
    two[1].kind = "iban";
    two[1].kind_len = 4;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, &r), PVG_ENOTFOUND);
    assert_int_equal(state_mem_fingerprints(f.m), 0);
    /* The scratch still works after the errors. */
    ev.n_identifiers = 1;
    assert_int_equal(pvg_scan_event(f.e, &ev, &f.ops, KEY, f.s, &r), PVG_OK);
    assert_int_equal(state_mem_fingerprints(f.m), 1);
    fx_close(&f);
}

/* A state op that fails: the error comes back, no violation. */
static int failing_lookup(void *ctx, const uint8_t fp[32], int64_t since, uint32_t *n, int *l)
{
    (void)ctx, (void)fp, (void)since, (void)n, (void)l;
    return PVG_ENOMEM;
}

static void test_state_failure(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, NULL);
    f.ops.lookup_identifier = failing_lookup;
    pvg_result_t r;
    assert_int_equal(signup(&f, "a", T0, "phone", "010-5555-0000", &r), PVG_ENOMEM);
    assert_int_equal(state_mem_fingerprints(f.m), 0);
    fx_close(&f);
}

/* ----------------------------------------------------------- the state */

static void test_state_bounds(void **state)
{
    (void)state;
    state_mem_t *m = state_mem_new(2, 2);
    assert_non_null(m);
    pvg_state_ops_t ops;
    state_mem_ops(m, &ops);
    uint8_t fp[32] = {0};
    char acc[16];
    /* 1100 accounts on one fingerprint: the newest 1024 are kept. */
    for (int i = 0; i < 1100; i++) {
        int n = snprintf(acc, sizeof acc, "acc%d", i);
        assert_int_equal(ops.record_identifier(m, fp, "phone", acc, (size_t)n, 0, T0 + i), PVG_OK);
    }
    uint32_t count = 0;
    int leaked = 1;
    assert_int_equal(ops.lookup_identifier(m, fp, 0, &count, &leaked), PVG_OK);
    assert_int_equal(count, STATE_MEM_MAX_ACCOUNTS);
    assert_int_equal(leaked, 0);
    assert_int_equal(ops.lookup_identifier(m, fp, T0 + 1000, &count, &leaked), PVG_OK);
    assert_int_equal(count, 100);
    /* Fingerprint limit. */
    fp[0] = 1;
    assert_int_equal(ops.record_identifier(m, fp, "phone", "", 0, 1, T0), PVG_OK);
    assert_int_equal(ops.lookup_identifier(m, fp, 0, &count, &leaked), PVG_OK);
    assert_int_equal(count, 0);
    assert_int_equal(leaked, 1);
    fp[0] = 2;
    assert_int_equal(ops.record_identifier(m, fp, "phone", "", 0, 1, T0), PVG_ETOOBIG);
    /* Clients: a normal attestation does not clear an abnormal one. */
    int ab = 0;
    assert_int_equal(ops.record_client(m, "c1", 2, 1, T0), PVG_OK);
    assert_int_equal(ops.record_client(m, "c1", 2, 0, T0 + 5), PVG_OK);
    assert_int_equal(ops.client_abnormal(m, "c1", 2, T0, &ab), PVG_OK);
    assert_int_equal(ab, 1);
    assert_int_equal(ops.client_abnormal(m, "c1", 2, T0 + 1, &ab), PVG_OK);
    assert_int_equal(ab, 0);
    assert_int_equal(ops.client_abnormal(m, "c2", 2, 0, &ab), PVG_OK);
    assert_int_equal(ab, 0);
    assert_int_equal(ops.record_client(m, "c2", 2, 1, T0), PVG_OK);
    assert_int_equal(ops.record_client(m, "c3", 2, 1, T0), PVG_ETOOBIG);
    assert_int_equal(ops.record_client(m, NULL, 0, 1, T0), PVG_EINVAL);
    state_mem_free(m);
    state_mem_free(NULL);

    /* Growth of both tables. */
    m = state_mem_new(0, 0);
    state_mem_ops(m, &ops);
    for (int i = 0; i < 5000; i++) {
        memset(fp, 0, sizeof fp);
        memcpy(fp, &i, sizeof i);
        int n = snprintf(acc, sizeof acc, "g%d", i);
        assert_int_equal(ops.record_identifier(m, fp, "email", acc, (size_t)n, i & 1, T0), PVG_OK);
        assert_int_equal(ops.record_client(m, acc, (size_t)n, 1, T0 + i), PVG_OK);
    }
    assert_int_equal(state_mem_fingerprints(m), 5000);
    for (int i = 0; i < 5000; i += 499) {
        memset(fp, 0, sizeof fp);
        memcpy(fp, &i, sizeof i);
        assert_int_equal(ops.lookup_identifier(m, fp, T0, &count, &leaked), PVG_OK);
        assert_int_equal(count, 1);
        assert_int_equal(leaked, i & 1);
        int n = snprintf(acc, sizeof acc, "g%d", i);
        assert_int_equal(ops.client_abnormal(m, acc, (size_t)n, T0 + i, &ab), PVG_OK);
        assert_int_equal(ab, 1);
    }
    state_mem_free(m);
}

/* ---------------------------------------------------- key and JSON */

static void test_key_file(void **state)
{
    (void)state;
    char path[] = "/tmp/pvg-test-key-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    uint8_t key[32], raw[32];
    char err[512];
    for (int i = 0; i < 32; i++)
        raw[i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(write(fd, raw, 32), 32);
    close(fd);
    assert_int_equal(load_fingerprint_key(path, key, err, sizeof err), 0);
    assert_memory_equal(key, raw, 32);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 32; i++)
        fprintf(f, "%02X", raw[i]);
    fputs("\n", f);
    fclose(f);
    memset(key, 0, sizeof key);
    assert_int_equal(load_fingerprint_key(path, key, err, sizeof err), 0);
    assert_memory_equal(key, raw, 32);
    f = fopen(path, "w");
    fputs("0011zz", f);
    fclose(f);
    assert_int_equal(load_fingerprint_key(path, key, err, sizeof err), -1);
    assert_non_null(strstr(err, "must hold 32 bytes or 64 hex digits"));
    unlink(path);
    assert_int_equal(load_fingerprint_key(path, key, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open fingerprint key file"));
}

static const struct {
    const char *json, *error; /* error NULL: parses */
} json_cases[] = {
    {"{\"event\":\"account_created\",\"account\":\"a\",\"identifiers\":{\"phone\":\"010-1\"}}", NULL},
    {"{\"event\":\"account_created\",\"account\":7,\"identifiers\":{\"email\":\"a@b.kr\"}}", NULL},
    {"{\"event\":\"identifier_leak\",\"identifiers\":[{\"kind\":\"rrn\",\"value\":\"1\"},{\"phone\":\"2\"}]}", NULL},
    {"{\"event\":\"identifier_leak\",\"identifiers\":{\"phone\":[\"1\",\"2\"]}}", NULL},
    {"{\"event\":\"client_attestation\",\"account\":\"a\",\"client\":{\"name\":\"x\",\"signature_ok\":false}}", NULL},
    {"{\"event\":\"auth_key_export\",\"account\":\"a\",\"destination\":\"self\"}", NULL},
    {"{\"event\":\"signup\",\"account\":\"a\"}", "unknown event"},
    {"{\"event\":\"account_created\",\"identifiers\":{}}", "missing account"},
    {"{\"event\":\"account_created\",\"account\":\"a\",\"identifiers\":[]}", "identifiers must be an object"},
    {"{\"event\":\"account_created\",\"account\":\"a\"}", "missing identifiers"},
    {"{\"event\":\"account_created\",\"account\":\"a\",\"identifiers\":{}}", "identifiers is empty"},
    {"{\"event\":\"account_created\",\"account\":\"a\",\"identifiers\":{\"iban\":\"x\"}}", "unknown identifier kind"},
    {"{\"event\":\"account_created\",\"account\":\"a\",\"identifiers\":{\"phone\":1}}", "identifier values must be strings"},
    {"{\"event\":\"account_created\",\"account\":[],\"identifiers\":{\"phone\":\"1\"}}", "account must be"},
    {"{\"event\":\"account_created\",\"account\":\"a\",\"ts\":-1,\"identifiers\":{\"phone\":\"1\"}}", "ts must be"},
    {"{\"event\":\"identifier_leak\",\"identifiers\":\"x\"}", "identifiers must be a list or an object"},
    {"{\"event\":\"identifier_leak\",\"identifiers\":[1]}", "identifiers must be objects"},
    {"{\"event\":\"identifier_leak\",\"identifiers\":[{\"kind\":\"phone\"}]}", "identifier has no value"},
    {"{\"event\":\"identifier_leak\",\"identifiers\":[{\"phone\":\"1\",\"rrn\":\"2\"}]}", "identifier must be"},
    {"{\"event\":\"client_attestation\",\"account\":\"a\"}", "missing client"},
    {"{\"event\":\"client_attestation\",\"account\":\"a\",\"client\":\"x\"}", "client must be an object"},
    {"{\"event\":\"client_attestation\",\"account\":\"a\",\"client\":{\"signature_ok\":\"yes\"}}", "signature_ok must be true or false"},
    {"{\"event\":\"client_attestation\",\"account\":\"a\",\"client\":{\"name\":5}}", "client.name must be a string"},
    {"{\"event\":\"auth_key_export\",\"account\":\"a\",\"destination\":5}", "destination must be a string"},
    {"{\"event\":5}", "event must be a string"},
};

static void test_event_json(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof json_cases / sizeof json_cases[0]; i++) {
        json_error_t je;
        json_t *o = json_loads(json_cases[i].json, 0, &je);
        assert_non_null(o);
        ev_json_t x;
        int rc = ev_json_parse(o, &x);
        if (!json_cases[i].error) {
            if (rc)
                fail_msg("case %zu: unexpected error %s", i, x.error);
        } else if (!rc || !strstr(x.error, json_cases[i].error)) {
            fail_msg("case %zu: expected '%s', got '%s'", i, json_cases[i].error,
                     rc ? x.error : "ok");
        }
        ev_json_free(&x);
        json_decref(o);
    }
}

/* The runner end to end, as `privguard scan` uses it. */
static void test_runner(void **state)
{
    (void)state;
    pvg_engine_t *e = g_default;
    pvg_scratch_t *s = NULL;
    assert_int_equal(pvg_scratch_alloc(e, &s), PVG_OK);
    cli_events_t *ce = NULL;
    assert_int_equal(cli_events_open(NULL, &ce), 0);
    pvg_result_t r;
    const char *leak = "{\"event\":\"identifier_leak\",\"ts\":1764300000000,"
                       "\"identifiers\":[{\"kind\":\"email\",\"value\":\"Leaked@Example.net\"}]}";
    const char *signup_ok = "{\"event\":\"account_created\",\"account\":\"n1\",\"ts\":1764300001000,"
                            "\"identifiers\":{\"email\":\"other@example.net\"}}";
    const char *signup_bad = "{\"event\":\"account_created\",\"account\":\"n2\",\"ts\":1764300002000,"
                             "\"identifiers\":{\"email\":\" leaked@example.NET \"}}";
    const char *bad_value = "{\"event\":\"account_created\",\"account\":\"n3\","
                            "\"identifiers\":{\"rrn\":\"12\"}}";
    const char *lines[] = {leak, signup_ok, signup_bad, bad_value};
    size_t expect[] = {0, 0, 1, 0};
    for (int i = 0; i < 4; i++) {
        json_t *o = json_loads(lines[i], 0, NULL);
        assert_non_null(o);
        const char *err = cli_events_scan(ce, e, s, o, &r);
        if (i == 3) {
            assert_non_null(err);
            assert_non_null(strstr(err, "invalid identifier value"));
        } else {
            assert_null(err);
            assert_int_equal(r.n_violations, expect[i]);
        }
        json_decref(o);
    }
    cli_events_close(ce);
    cli_events_close(NULL);
    pvg_scratch_free(s);
}

static int setup(void **state)
{
    (void)state;
    g_default = compile_with(NULL, NULL);
    return g_default ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pvg_engine_free(g_default);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),           cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_client_rules),    cmocka_unit_test(test_accounts_threshold),
        cmocka_unit_test(test_window_expiry),   cmocka_unit_test(test_leak),
        cmocka_unit_test(test_custom_threshold), cmocka_unit_test(test_auth_key),
        cmocka_unit_test(test_modes_and_hits),  cmocka_unit_test(test_errors),
        cmocka_unit_test(test_state_failure),   cmocka_unit_test(test_state_bounds),
        cmocka_unit_test(test_key_file),        cmocka_unit_test(test_event_json),
        cmocka_unit_test(test_runner),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
