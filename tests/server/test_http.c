/* SPDX-License-Identifier: MIT */
/*
 * test_http.c -- the service over real HTTP on loopback.
 *
 * On SQLite and on PostgreSQL: the enforcement flow (report -> case ->
 * decision with a 7-day openchat_access sanction -> the check says no ->
 * appeal overturned -> the check says yes), and a table of bad requests
 * that must each get the listed 4xx with a JSON error (malformed JSON,
 * wrong types, unknown fields, missing fields, oversized bodies, missing,
 * malformed and unknown tokens, roles that may not act, invalid
 * transitions, unknown paths and methods).
 *
 * On SQLite only (they do not depend on the store): the scan contract
 * (the service answers exactly what `privguard scan` prints for the same
 * messages), batch order and per-message errors, health, metrics,
 * /openapi.yaml, static files and traversal attempts, deadlines, load
 * shedding with Retry-After, and rules reload (a broken file keeps the old
 * rules).
 */
#include "httputil.h"

#include <privguard/privguard.h>

#include "stream/stream.h"

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

static test_env_t g_env[2];
static int g_skip[2];

static int setup_backend(void **state, int backend)
{
    test_env_t *t = &g_env[backend];
    memset(t, 0, sizeof *t);
    if (env_store(t, backend)) {
        g_skip[backend] = 1;
        *state = t;
        return 0;
    }
    env_tokens(t);
    env_start(t, NULL);
    *state = t;
    return 0;
}

static int setup_sqlite(void **state) { return setup_backend(state, BACKEND_SQLITE); }
static int setup_pg(void **state) { return setup_backend(state, BACKEND_PG); }

/* -------------------------------------------------------------- flow */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_flow(void **state)
{
    test_env_t *t = *state;
    SKIP_IF_NEEDED(t);
    const char *acct = "user:flow-poster";
    char body[1024];
    snprintf(body, sizeof body,
             "{\"reporter\":\"user:r1\",\"account\":\"%s\",\"subject_type\":\"message\","
             "\"subject_id\":\"m-flow-1\",\"reason\":\"pii_exposure\",\"external_id\":\"x-flow-1\","
             "\"evidence\":[{\"text\":\"fake number 010-0000-1111\",\"sender\":\"%s\","
             "\"room\":\"oc:1\",\"surface\":\"open_chat\",\"message_id\":\"m-flow-1\"}]}",
             acct, acct);
    http_resp_t r = http(t, "POST", "/v1/reports", t->tok[T_APP], body, NULL);
    expect(&r, 201, "report");
    json_int_t report_id = jint(&r, "report_id"), case_id = jint(&r, "case_id");
    resp_free(&r);
    /* a retry with the same external id returns the same report */
    r = http(t, "POST", "/v1/reports", t->tok[T_APP], body, NULL);
    expect(&r, 200, "report retry");
    assert_int_equal(jint(&r, "report_id"), report_id);
    assert_true(json_is_true(json_object_get(r.json, "replayed")));
    resp_free(&r);

    char path[256];
    snprintf(path, sizeof path, "/v1/cases/%lld", (long long)case_id);
    r = http(t, "GET", path, t->tok[T_TRIAGE], NULL, NULL);
    expect(&r, 200, "case show");
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "open");
    /* masked by default: the digits are hidden */
    assert_null(strstr(r.body, "010-0000-1111"));
    resp_free(&r);

    r = http(t, "GET", "/v1/cases?status=open", t->tok[T_TRIAGE], NULL, NULL);
    expect(&r, 200, "case list");
    assert_true(json_array_size(r.json) >= 1);
    resp_free(&r);

    /* the ladder's proposal */
    snprintf(path, sizeof path, "/v1/cases/%lld/proposal", (long long)case_id);
    r = http(t, "GET", path, t->tok[T_TRIAGE], NULL, NULL);
    expect(&r, 200, "proposal");
    assert_int_equal(jint(&r, "strikes_added"), 1);
    resp_free(&r);

    /* check before: allowed */
    char check[256];
    snprintf(check, sizeof check, "/v1/sanctions/check?account=%s&scope=openchat_access", acct);
    r = http(t, "GET", check, t->tok[T_SERVICE], NULL, NULL);
    expect(&r, 200, "check before");
    assert_true(json_is_true(json_object_get(r.json, "allowed")));
    resp_free(&r);

    /* decide: 7-day openchat_access */
    snprintf(path, sizeof path, "/v1/cases/%lld/events", (long long)case_id);
    int64_t before = now_ms();
    r = http(t, "POST", path, t->tok[T_MOD],
             "{\"type\":\"decide\",\"outcome\":\"violation\",\"categories\":[\"pii_exposure\"],"
             "\"sanctions\":[{\"scope\":\"openchat_access\",\"duration\":\"7d\"}],"
             "\"note\":\"posting someone's number\"}",
             NULL);
    expect(&r, 201, "decide");
    json_int_t decision_id = jint(&r, "decision_id");
    assert_int_equal(json_array_size(json_object_get(r.json, "sanction_ids")), 1);
    resp_free(&r);

    /* deciding again is a repeat: 409 */
    r = http(t, "POST", path, t->tok[T_MOD],
             "{\"type\":\"decide\",\"outcome\":\"no_violation\"}", NULL);
    expect(&r, 409, "decide twice");
    resp_free(&r);

    /* the check says no, with the sanction and its end */
    r = http(t, "GET", check, t->tok[T_SERVICE], NULL, NULL);
    expect(&r, 200, "check after decision");
    assert_true(json_is_false(json_object_get(r.json, "allowed")));
    json_t *sn = json_object_get(r.json, "sanction");
    assert_string_equal(json_string_value(json_object_get(sn, "scope")), "openchat_access");
    json_int_t ends = json_integer_value(json_object_get(sn, "ends_at"));
    assert_true(ends >= before + 7LL * 86400000 - 5000 && ends <= now_ms() + 7LL * 86400000);
    resp_free(&r);
    /* a scope the sanction does not cover stays allowed */
    snprintf(check, sizeof check, "/v1/sanctions/check?account=%s&scope=message_send", acct);
    r = http(t, "GET", check, t->tok[T_SERVICE], NULL, NULL);
    expect(&r, 200, "check other scope");
    assert_true(json_is_true(json_object_get(r.json, "allowed")));
    resp_free(&r);

    /* the account's history shows it */
    snprintf(path, sizeof path, "/v1/accounts/%s/history", acct);
    r = http(t, "GET", path, t->tok[T_TRIAGE], NULL, NULL);
    expect(&r, 200, "history");
    assert_int_equal(json_array_size(json_object_get(r.json, "sanctions")), 1);
    assert_int_equal(jint(&r, "active_strikes"), 1);
    resp_free(&r);

    /* reveal needs a moderator and a reason; it is audited */
    snprintf(path, sizeof path, "/v1/cases/%lld/reveal", (long long)case_id);
    r = http(t, "POST", path, t->tok[T_TRIAGE], "{\"reason\":\"x\"}", NULL);
    expect(&r, 403, "reveal as triage");
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD], "{}", NULL);
    expect(&r, 400, "reveal without reason");
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD], "{\"reason\":\"reviewing the appeal\"}", NULL);
    expect(&r, 200, "reveal");
    assert_non_null(strstr(r.body, "010-0000-1111"));
    resp_free(&r);
    r = http(t, "GET", "/v1/audit?limit=1000", t->tok[T_ADMIN], NULL, NULL);
    expect(&r, 200, "audit");
    int seen = 0;
    size_t i;
    json_t *x;
    json_array_foreach(r.json, i, x)
    {
        const char *act = json_string_value(json_object_get(x, "action"));
        const char *why = json_string_value(json_object_get(x, "reason"));
        if (act && !strcmp(act, "evidence.unmasked") && why &&
            !strcmp(why, "reviewing the appeal"))
            seen = 1;
    }
    assert_true(seen);
    resp_free(&r);

    /* appeal by the app, resolved by another moderator */
    snprintf(body, sizeof body, "{\"decision_id\":%lld,\"statement\":\"it was my own number\"}",
             (long long)decision_id);
    r = http(t, "POST", "/v1/appeals", t->tok[T_APP], body, NULL);
    expect(&r, 201, "appeal");
    json_int_t appeal_id = jint(&r, "appeal_id");
    resp_free(&r);
    r = http(t, "POST", "/v1/appeals", t->tok[T_APP], body, NULL);
    assert_true(r.status == 409);
    expect(&r, 409, "second appeal");
    resp_free(&r);
    r = http(t, "GET", "/v1/appeals?state=open", t->tok[T_TRIAGE], NULL, NULL);
    expect(&r, 200, "appeal queue");
    assert_true(json_array_size(r.json) >= 1);
    resp_free(&r);
    snprintf(path, sizeof path, "/v1/appeals/%lld/resolve", (long long)appeal_id);
    r = http(t, "POST", path, t->tok[T_MOD], "{\"outcome\":\"overturned\"}", NULL);
    expect(&r, 403, "resolve by the decider");
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD2], "{\"outcome\":\"overturned\",\"note\":\"own number\"}",
             NULL);
    expect(&r, 200, "resolve");
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD2], "{\"outcome\":\"upheld\"}", NULL);
    expect(&r, 409, "resolve twice");
    resp_free(&r);

    snprintf(check, sizeof check, "/v1/sanctions/check?account=%s&scope=openchat_access", acct);
    r = http(t, "GET", check, t->tok[T_SERVICE], NULL, NULL);
    expect(&r, 200, "check after appeal");
    assert_true(json_is_true(json_object_get(r.json, "allowed")));
    resp_free(&r);

    /* a sanction list for the account shows the state */
    snprintf(path, sizeof path, "/v1/sanctions?account=%s", acct);
    r = http(t, "GET", path, t->tok[T_SERVICE], NULL, NULL);
    expect(&r, 200, "sanction list");
    assert_string_equal(json_string_value(json_object_get(json_array_get(r.json, 0), "state")),
                        "overturned");
    resp_free(&r);

    r = http(t, "GET", "/v1/audit/verify", t->tok[T_ADMIN], NULL, NULL);
    expect(&r, 200, "audit verify");
    assert_true(json_is_true(json_object_get(r.json, "ok")));
    resp_free(&r);
}

/* Rights notice: file, blind (post hidden), restore. */
static void test_notice(void **state)
{
    test_env_t *t = *state;
    SKIP_IF_NEEDED(t);
    http_resp_t r = http(t, "POST", "/v1/notices", t->tok[T_APP],
                         "{\"requester\":\"rights:acme\",\"object\":\"post:77\","
                         "\"poster\":\"user:np\",\"claim\":\"my photo\",\"days\":30}",
                         NULL);
    expect(&r, 201, "notice");
    json_int_t id = jint(&r, "notice_id");
    resp_free(&r);
    r = http(t, "GET", "/v1/notices?state=requested", t->tok[T_TRIAGE], NULL, NULL);
    expect(&r, 200, "notice queue");
    assert_true(json_array_size(r.json) >= 1);
    resp_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/v1/notices/%lld/events", (long long)id);
    r = http(t, "POST", path, t->tok[T_TRIAGE], "{\"type\":\"blind\"}", NULL);
    expect(&r, 403, "blind as triage");
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD], "{\"type\":\"blind\"}", NULL);
    expect(&r, 200, "blind");
    resp_free(&r);
    r = http(t, "GET", "/v1/sanctions/check?account=user:np&scope=post_visibility&object=post:77",
             t->tok[T_SERVICE], NULL, NULL);
    expect(&r, 200, "post hidden");
    assert_true(json_is_false(json_object_get(r.json, "allowed")));
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD], "{\"type\":\"blind\"}", NULL);
    expect(&r, 409, "blind twice");
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD], "{\"type\":\"resolve\",\"outcome\":\"restored\"}",
             NULL);
    expect(&r, 200, "restore");
    resp_free(&r);
    r = http(t, "GET", "/v1/sanctions/check?account=user:np&scope=post_visibility&object=post:77",
             t->tok[T_SERVICE], NULL, NULL);
    expect(&r, 200, "post back");
    assert_true(json_is_true(json_object_get(r.json, "allowed")));
    resp_free(&r);
}

/* ------------------------------------------------------- bad requests */

enum { NO_TOKEN = -1, BAD_TOKEN = -2, SHORT_TOKEN = -3 };

typedef struct bad_case {
    const char *what, *method, *path;
    int token;
    const char *body; /* "@BIG" / "@HUGE": generated oversized bodies */
    long status;
    const char *error;
} bad_case_t;

static const bad_case_t bad_cases[] = {
    {"no token", "POST", "/v1/reports", NO_TOKEN, "{}", 401, "unauthorized"},
    {"unknown token", "GET", "/v1/cases", BAD_TOKEN, NULL, 401, "unauthorized"},
    {"malformed token", "GET", "/v1/cases", SHORT_TOKEN, NULL, 401, "unauthorized"},
    {"no token on check", "GET", "/v1/sanctions/check?account=a&scope=service", NO_TOKEN, NULL,
     401, "unauthorized"},
    {"no token on scan", "POST", "/v1/scan", NO_TOKEN, "{\"text\":\"x\"}", 401, "unauthorized"},
    {"service lists cases", "GET", "/v1/cases", T_SERVICE, NULL, 403, "forbidden"},
    {"app decides", "POST", "/v1/cases/1/events", T_APP, "{\"type\":\"escalate\"}", 403,
     "forbidden"},
    {"triage revokes", "POST", "/v1/sanctions/1/revoke", T_TRIAGE, "{}", 403, "forbidden"},
    {"app scans", "POST", "/v1/scan", T_APP, "{\"text\":\"x\"}", 403, "forbidden"},
    {"moderator reads audit", "GET", "/v1/audit", T_MOD, NULL, 403, "forbidden"},
    {"triage decides a violation", "POST", "/v1/cases/1/events", T_TRIAGE,
     "{\"type\":\"decide\",\"outcome\":\"violation\",\"categories\":[\"pii_exposure\"]}", 403,
     "forbidden"},
    {"moderator makes a permanent sanction", "POST", "/v1/cases/1/events", T_MOD,
     "{\"type\":\"decide\",\"outcome\":\"violation\",\"categories\":[\"pii_exposure\"],"
     "\"sanctions\":[{\"scope\":\"service\",\"duration\":\"permanent\"}]}",
     403, "forbidden"},
    {"malformed json", "POST", "/v1/reports", T_APP, "{\"reporter\": ", 400, "invalid_json"},
    {"not an object", "POST", "/v1/reports", T_APP, "[1,2]", 400, "invalid_input"},
    {"empty body", "POST", "/v1/reports", T_APP, "", 400, "invalid_input"},
    {"unknown field", "POST", "/v1/reports", T_APP,
     "{\"reporter\":\"u\",\"account\":\"a\",\"subject_type\":\"message\",\"subject_id\":\"m\","
     "\"reason\":\"pii_exposure\",\"colour\":\"red\"}",
     400, "invalid_input"},
    {"wrong type", "POST", "/v1/reports", T_APP,
     "{\"reporter\":1,\"account\":\"a\",\"subject_type\":\"message\",\"subject_id\":\"m\","
     "\"reason\":\"pii_exposure\"}",
     400, "invalid_input"},
    {"missing field", "POST", "/v1/reports", T_APP,
     "{\"account\":\"a\",\"subject_type\":\"message\",\"subject_id\":\"m\","
     "\"reason\":\"pii_exposure\"}",
     400, "invalid_input"},
    {"unknown reason", "POST", "/v1/reports", T_APP,
     "{\"reporter\":\"u\",\"account\":\"a\",\"subject_type\":\"message\",\"subject_id\":\"m\","
     "\"reason\":\"no_such_category\"}",
     400, "invalid_input"},
    {"six evidence messages", "POST", "/v1/reports", T_APP,
     "{\"reporter\":\"u\",\"account\":\"a\",\"subject_type\":\"message\",\"subject_id\":\"m\","
     "\"reason\":\"pii_exposure\",\"evidence\":[{\"text\":\"1\"},{\"text\":\"2\"},{\"text\":\"3\"},"
     "{\"text\":\"4\"},{\"text\":\"5\"},{\"text\":\"6\"}]}",
     400, "invalid_input"},
    {"unknown evidence field", "POST", "/v1/reports", T_APP,
     "{\"reporter\":\"u\",\"account\":\"a\",\"subject_type\":\"message\",\"subject_id\":\"m\","
     "\"reason\":\"pii_exposure\",\"evidence\":[{\"text\":\"1\",\"x\":1}]}",
     400, "invalid_input"},
    {"duplicate keys", "POST", "/v1/appeals", T_APP, "{\"decision_id\":1,\"decision_id\":2}", 400,
     "invalid_json"},
    {"appeal id as string", "POST", "/v1/appeals", T_APP, "{\"decision_id\":\"1\"}", 400,
     "invalid_input"},
    {"appeal for no decision", "POST", "/v1/appeals", T_APP, "{\"decision_id\":999999}", 404,
     "not_found"},
    {"bad case event type", "POST", "/v1/cases/1/events", T_MOD, "{\"type\":\"explode\"}", 400,
     "invalid_input"},
    {"bad duration", "POST", "/v1/cases/1/events", T_MOD,
     "{\"type\":\"decide\",\"outcome\":\"violation\",\"categories\":[\"pii_exposure\"],"
     "\"sanctions\":[{\"scope\":\"openchat_access\",\"duration\":\"7 weeks\"}]}",
     400, "invalid_input"},
    {"unknown scope", "POST", "/v1/cases/1/events", T_MOD,
     "{\"type\":\"decide\",\"outcome\":\"violation\",\"categories\":[\"pii_exposure\"],"
     "\"sanctions\":[{\"scope\":\"everything\",\"duration\":\"7d\"}]}",
     400, "invalid_input"},
    {"no such case", "POST", "/v1/cases/999999/events", T_MOD, "{\"type\":\"escalate\"}", 404,
     "not_found"},
    {"non-numeric case id", "GET", "/v1/cases/abc", T_TRIAGE, NULL, 404, "not_found"},
    {"no such case to show", "GET", "/v1/cases/424242", T_TRIAGE, NULL, 404, "not_found"},
    {"check without scope", "GET", "/v1/sanctions/check?account=user:x", T_SERVICE, NULL, 400,
     "invalid_input"},
    {"check with unknown scope", "GET", "/v1/sanctions/check?account=user:x&scope=fly",
     T_SERVICE, NULL, 400, "invalid_input"},
    {"check without account", "GET", "/v1/sanctions/check?scope=service", T_SERVICE, NULL, 400,
     "invalid_input"},
    {"bad list limit", "GET", "/v1/cases?limit=0", T_TRIAGE, NULL, 400, "invalid_input"},
    {"bad case status", "GET", "/v1/cases?status=lost", T_TRIAGE, NULL, 400, "invalid_input"},
    {"bad appeal state", "GET", "/v1/appeals?state=lost", T_TRIAGE, NULL, 400, "invalid_input"},
    {"resolve with bad outcome", "POST", "/v1/appeals/1/resolve", T_MOD2,
     "{\"outcome\":\"maybe\"}", 400, "invalid_input"},
    {"revoke unknown sanction", "POST", "/v1/sanctions/999999/revoke", T_MOD, NULL, 404,
     "not_found"},
    {"notice days wrong type", "POST", "/v1/notices", T_APP,
     "{\"requester\":\"r\",\"object\":\"p\",\"poster\":\"u\",\"days\":\"30\"}", 400,
     "invalid_input"},
    {"oversized report body", "POST", "/v1/reports", T_APP, "@BIG", 413, "body_too_large"},
    {"oversized scan body", "POST", "/v1/scan", T_SERVICE, "@HUGE", 413, "body_too_large"},
    {"body on a GET", "GET", "/v1/cases", T_TRIAGE, "{}", 413, "body_too_large"},
    {"scan without text", "POST", "/v1/scan", T_SERVICE, "{\"id\":1}", 400, "invalid_input"},
    {"scan text wrong type", "POST", "/v1/scan", T_SERVICE, "{\"text\":5}", 400,
     "invalid_input"},
    {"scan bad surface", "POST", "/v1/scan", T_SERVICE, "{\"text\":\"x\",\"surface\":\"moon\"}",
     400, "invalid_input"},
    {"scan malformed", "POST", "/v1/scan", T_SERVICE, "{\"text\":", 400, "invalid_json"},
    {"batch without list", "POST", "/v1/scan/batch", T_SERVICE, "{\"messages\":{}}", 400,
     "invalid_input"},
    {"batch unknown field", "POST", "/v1/scan/batch", T_SERVICE,
     "{\"messages\":[],\"extra\":1}", 400, "invalid_input"},
    {"unknown endpoint", "GET", "/v1/nothing", T_ADMIN, NULL, 404, "not_found"},
    {"wrong method", "DELETE", "/v1/reports", T_ADMIN, NULL, 405, "method_not_allowed"},
    {"get on a post endpoint", "GET", "/v1/scan", T_SERVICE, NULL, 405, "method_not_allowed"},
    {"bad deadline header", "GET", "/healthz", NO_TOKEN, NULL, 400, "invalid_input"},
};

static char *big_body(size_t n, int scan)
{
    char *b = malloc(n + 64);
    assert_non_null(b);
    size_t k = (size_t)snprintf(b, 64, scan ? "{\"text\":\"" : "{\"comment\":\"");
    memset(b + k, 'a', n);
    snprintf(b + k + n, 64, "\"}");
    return b;
}

static void run_bad(test_env_t *t, const bad_case_t *c)
{
    char *body = NULL;
    const char *bp = c->body;
    if (bp && !strcmp(bp, "@BIG"))
        bp = body = big_body(PVG_SRV_MAX_BODY_REPORT + 10, 0);
    else if (bp && !strcmp(bp, "@HUGE"))
        bp = body = big_body(PVG_SRV_MAX_BODY_SCAN + 10, 1);
    static const char bad_tok[] =
        "0000000000000000000000000000000000000000000000000000000000000000";
    const char *tok = c->token >= 0       ? t->tok[c->token]
                      : c->token == BAD_TOKEN ? bad_tok
                      : c->token == SHORT_TOKEN ? "abc"
                                              : NULL;
    const char *hdr = !strcmp(c->what, "bad deadline header") ? "X-Deadline-Ms: soon" : NULL;
    http_resp_t r = http(t, c->method, c->path, tok, bp, hdr);
    expect(&r, c->status, c->what);
    const char *err = json_string_value(json_object_get(r.json, "error"));
    if (strcmp(err, c->error))
        fail_msg("%s: error '%s', want '%s'", c->what, err, c->error);
    /* errors never echo the request's text */
    if (bp && strlen(bp) > 40 && strstr(r.body, bp + 20))
        fail_msg("%s: the error echoes the body", c->what);
    if (r.status == 401 && !tok)
        assert_true(1);
    resp_free(&r);
    free(body);
}

static void test_bad_requests(void **state)
{
    test_env_t *t = *state;
    SKIP_IF_NEEDED(t);
    /* a closed case and a filed appeal for the transition cases */
    http_resp_t r = http(t, "POST", "/v1/reports", t->tok[T_APP],
                         "{\"reporter\":\"user:bad1\",\"account\":\"user:bad-acct\","
                         "\"subject_type\":\"account\",\"subject_id\":\"user:bad-acct\","
                         "\"reason\":\"pii_trade\"}",
                         NULL);
    expect(&r, 201, "setup report");
    json_int_t case_id = jint(&r, "case_id");
    resp_free(&r);
    /* the same reporter, subject and reason again: duplicate */
    r = http(t, "POST", "/v1/reports", t->tok[T_APP],
             "{\"reporter\":\"user:bad1\",\"account\":\"user:bad-acct\","
             "\"subject_type\":\"account\",\"subject_id\":\"user:bad-acct\","
             "\"reason\":\"pii_trade\"}",
             NULL);
    expect(&r, 409, "duplicate report");
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "duplicate");
    resp_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/v1/cases/%lld/events", (long long)case_id);
    r = http(t, "POST", path, t->tok[T_TRIAGE], "{\"type\":\"decide\",\"outcome\":\"no_violation\"}",
             NULL);
    expect(&r, 201, "close without action");
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_TRIAGE], "{\"type\":\"escalate\"}", NULL);
    expect(&r, 409, "escalate a closed case");
    assert_string_equal(json_string_value(json_object_get(r.json, "error")),
                        "invalid_transition");
    resp_free(&r);

    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
        run_bad(t, &bad_cases[i]);
}

/* ------------------------------------------------------ scan contract */

static const char *const scan_msgs[] = {
    "{\"id\":\"s1\",\"text\":\"이 사람 번호 010-1234-5678 다들 연락해\",\"surface\":\"open_chat\"}",
    "{\"id\":2,\"text\":\"제 번호는 010-2222-3333 이에요\",\"surface\":\"direct\"}",
    "{\"id\":\"s3\",\"text\":\"hello there, nothing here\"}",
    "{\"id\":\"s4\",\"text\":\"메일 fake.person@example.com 으로 보내\",\"surface\":\"board\"}",
    "{\"id\":\"s5\",\"text\":\"카드 4111 1111 1111 1111 팝니다 텔레그램\",\"surface\":\"open_chat\"}",
    "{\"id\":\"s6\",\"text\":\"first half 010-98\",\"room\":\"r-cmp\",\"sender\":\"u-cmp\","
    "\"surface\":\"open_chat\",\"ts\":1700000000000}",
    "{\"id\":\"s7\",\"text\":\"76-5432 call him\",\"room\":\"r-cmp\",\"sender\":\"u-cmp\","
    "\"surface\":\"open_chat\",\"ts\":1700000001000}",
    "{\"text\":\"\\u0000 nul and 010-3333-4444\",\"ts\":1700000000000}",
};

static void test_scan_contract(void **state)
{
    test_env_t *t = *state;
    SKIP_IF_NEEDED(t);
    size_t n = sizeof scan_msgs / sizeof scan_msgs[0];
    /* what the CLI prints for the same messages */
    const char *cli = getenv("PVG_CLI");
    char *expected[16] = {0};
    if (cli && access(cli, X_OK) == 0) {
        char in[] = "/tmp/pvg-server-scan.XXXXXX";
        int fd = mkstemp(in);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "w");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s\n", scan_msgs[i]);
        fclose(f);
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "'%s' scan < '%s'", cli, in);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char line[8192];
        for (size_t i = 0; i < n && fgets(line, sizeof line, p); i++) {
            line[strcspn(line, "\n")] = 0;
            expected[i] = strdup(line);
        }
        pclose(p);
        unlink(in);
    }
    for (size_t i = 0; i < n; i++) {
        http_resp_t r = http(t, "POST", "/v1/scan", t->tok[T_SERVICE], scan_msgs[i], NULL);
        expect(&r, 200, "scan");
        assert_true(json_is_array(json_object_get(r.json, "findings")));
        assert_true(json_is_array(json_object_get(r.json, "violations")));
        assert_true(json_is_string(json_object_get(r.json, "action")));
        if (expected[i] && strcmp(expected[i], r.body))
            fail_msg("message %zu: service and CLI differ:\n  http: %s\n  cli:  %s", i, r.body,
                     expected[i]);
        resp_free(&r);
        free(expected[i]);
    }
    /* the contract's example finds the phone number with offsets */
    http_resp_t r = http(t, "POST", "/v1/scan", t->tok[T_SERVICE], scan_msgs[0], NULL);
    json_t *f0 = json_array_get(json_object_get(r.json, "findings"), 0);
    assert_string_equal(json_string_value(json_object_get(f0, "type")), "PHONE_NUMBER");
    assert_string_equal(json_string_value(json_object_get(r.json, "id")), "s1");
    resp_free(&r);

    /* batch: results in order; a bad message gets its own error */
    r = http(t, "POST", "/v1/scan/batch", t->tok[T_SERVICE],
             "{\"messages\":[{\"id\":\"b1\",\"text\":\"010-1234-5678 연락\",\"surface\":\"open_chat\"},"
             "{\"id\":\"b2\",\"text\":5},{\"id\":\"b3\",\"text\":\"plain\"},\"not an object\"]}",
             NULL);
    expect(&r, 200, "batch");
    json_t *res = json_object_get(r.json, "results");
    assert_int_equal(json_array_size(res), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "id")), "b1");
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 1), "error")),
                        "text must be a string");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(res, 1), "index")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 2), "action")),
                        "allow");
    assert_non_null(json_object_get(json_array_get(res, 3), "error"));
    resp_free(&r);
    r = http(t, "POST", "/v1/scan/batch", t->tok[T_SERVICE], "{\"messages\":[]}", NULL);
    expect(&r, 200, "empty batch");
    assert_int_equal(json_array_size(json_object_get(r.json, "results")), 0);
    resp_free(&r);
}

/* Account and client events go through pvg_scan_event. */
static void test_events(void **state)
{
    test_env_t *t = *state;
    SKIP_IF_NEEDED(t);
    http_resp_t r = http(t, "POST", "/v1/events", t->tok[T_SERVICE],
                         "{\"event\":\"client_attestation\",\"id\":\"e1\",\"account\":\"user:ev1\","
                         "\"ts\":1764300000000,\"client\":{\"name\":\"HackedTalk\",\"version\":\"1.0\","
                         "\"signature_ok\":false}}",
                         NULL);
    expect(&r, 200, "event");
    assert_string_equal(json_string_value(json_object_get(r.json, "id")), "e1");
    assert_true(json_is_array(json_object_get(r.json, "violations")));
    assert_true(json_is_string(json_object_get(r.json, "action")));
    resp_free(&r);
    r = http(t, "POST", "/v1/events", t->tok[T_SERVICE],
             "{\"event\":\"account_created\",\"account\":\"user:ev2\",\"ts\":1764300000000,"
             "\"identifiers\":{\"phone\":\"010-0000-9999\"}}",
             NULL);
    expect(&r, 200, "account event");
    assert_true(json_is_null(json_object_get(r.json, "id")));
    resp_free(&r);
    static const struct {
        const char *body;
        long status;
    } bad[] = {{"{\"event\":\"teleport\",\"account\":\"a\"}", 400},
               {"{\"event\":5}", 400},
               {"{\"text\":\"not an event\"}", 400},
               {"{\"event\":\"account_created\",\"account\":\"a\",\"identifiers\":[1]}", 400},
               {"[]", 400}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = http(t, "POST", "/v1/events", t->tok[T_SERVICE], bad[i].body, NULL);
        expect(&r, bad[i].status, bad[i].body);
        resp_free(&r);
    }
    r = http(t, "POST", "/v1/events", t->tok[T_APP], "{\"event\":\"client_attestation\"}", NULL);
    expect(&r, 403, "event as app");
    resp_free(&r);
}

/* ------------------------------------------- health, metrics, files */

static void test_meta_and_files(void **state)
{
    test_env_t *t = *state;
    SKIP_IF_NEEDED(t);
    http_resp_t r = http(t, "GET", "/healthz", NULL, NULL, NULL);
    expect(&r, 200, "healthz");
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ok");
    resp_free(&r);
    r = http(t, "GET", "/openapi.yaml", NULL, NULL, NULL);
    expect(&r, 200, "openapi");
    assert_non_null(strstr(r.body, "openapi: 3"));
    assert_non_null(strstr(r.body, "/v1/sanctions/check"));
    assert_non_null(strstr(r.ctype, "yaml"));
    resp_free(&r);
    r = http(t, "GET", "/metrics", NULL, NULL, NULL);
    expect(&r, 200, "metrics");
    static const char *const names[] = {
        "privguard_http_requests_total{route=\"/v1/scan\",status=\"200\"}",
        "privguard_http_request_duration_seconds_bucket{route=\"/v1/scan\",le=\"+Inf\"}",
        "privguard_findings_total{type=\"PHONE_NUMBER\"}",
        "privguard_violations_total{category=",
        "privguard_rule_hits_total{rule=",
        "privguard_requests_in_flight ",
        "privguard_worker_queue_length ",
        "privguard_outbox_pending ",
        "privguard_shed_total{reason=\"deadline\"}",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strstr(r.body, names[i]))
            fail_msg("metrics lack %s", names[i]);
    assert_non_null(strstr(r.ctype, "text/plain"));
    resp_free(&r);
    /* without a web root, / is a JSON 404 */
    r = http(t, "GET", "/", NULL, NULL, NULL);
    expect(&r, 404, "no web root");
    resp_free(&r);
}

static void test_static_files(void **state)
{
    (void)state;
    test_env_t t;
    memset(&t, 0, sizeof t);
    env_store(&t, BACKEND_SQLITE);
    char web[400], sub[420], file[480];
    snprintf(web, sizeof web, "%s/web", t.dir);
    snprintf(sub, sizeof sub, "%s/assets", web);
    assert_int_equal(mkdir(web, 0755), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    struct {
        const char *name, *text;
    } files[] = {{"index.html", "<!doctype html><title>console</title>"},
                 {"assets/app.js", "console.log('x');"},
                 {"assets/style.css", "body{}"},
                 {".secret", "hidden"}};
    for (size_t i = 0; i < 4; i++) {
        snprintf(file, sizeof file, "%s/%s", web, files[i].name);
        FILE *f = fopen(file, "w");
        assert_non_null(f);
        fputs(files[i].text, f);
        fclose(f);
    }
    /* a secret outside the root and a symlink pointing at it */
    snprintf(file, sizeof file, "%s/outside.txt", t.dir);
    FILE *f = fopen(file, "w");
    fputs("outside", f);
    fclose(f);
    char link[500];
    snprintf(link, sizeof link, "%s/escape.txt", web);
    assert_int_equal(symlink(file, link), 0);
    char setting[460];
    snprintf(setting, sizeof setting, "web=%s", web);
    const char *extra[] = {setting, NULL};
    env_start(&t, extra);
    http_resp_t r = http(&t, "GET", "/", NULL, NULL, NULL);
    expect(&r, 200, "index");
    assert_non_null(strstr(r.body, "console"));
    assert_non_null(strstr(r.ctype, "text/html"));
    assert_string_equal(r.cache, "no-cache");
    resp_free(&r);
    r = http(&t, "GET", "/assets/app.js", NULL, NULL, NULL);
    expect(&r, 200, "js");
    assert_non_null(strstr(r.ctype, "javascript"));
    assert_non_null(strstr(r.cache, "max-age"));
    resp_free(&r);
    r = http(&t, "HEAD", "/assets/style.css", NULL, NULL, NULL);
    expect(&r, 200, "head css");
    resp_free(&r);
    static const char *const denied[] = {"/.secret",          "/assets/../../outside.txt",
                                         "/%2e%2e/outside.txt", "/assets/%2e%2e/%2e%2e/outside.txt",
                                         "/escape.txt",        "/nothing.html",
                                         "/assets/..%5c..%5coutside.txt"};
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) {
        r = http(&t, "GET", denied[i], NULL, NULL, NULL);
        if (r.status != 404)
            fail_msg("%s: status %ld", denied[i], r.status);
        assert_null(strstr(r.body ? r.body : "", "outside"));
        resp_free(&r);
    }
    pvg_server_stop(t.srv, 5000);
    env_remove_dir(&t);
}

/* ---------------------------------------------- deadlines, shedding */

typedef struct bg_req {
    test_env_t *t;
    const char *path, *token, *body, *hdr;
    http_resp_t r;
} bg_req_t;

static void *bg_main(void *p)
{
    bg_req_t *b = p;
    b->r = http(b->t, "POST", b->path, b->token, b->body, b->hdr);
    return NULL;
}

/* Holds the SQLite write lock from another connection, so a worker that
 * writes waits (deterministically) until the lock is released. */
static pvg_store_t *hold_write_lock(const test_env_t *t)
{
    pvg_store_t *s = NULL;
    assert_int_equal(pvg_store_open(t->spec, &s), 0);
    assert_int_equal(pvg_store_begin(s), 0);
    return s;
}

static void wait_metric(test_env_t *t, const char *line)
{
    for (int i = 0; i < 2000; i++) {
        http_resp_t m = http(t, "GET", "/metrics", NULL, NULL, NULL);
        int on = m.body && strstr(m.body, line) != NULL;
        resp_free(&m);
        if (on)
            return;
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    fail_msg("metrics never showed '%s'", line);
}

static const char block_report[] =
    "{\"reporter\":\"user:blk\",\"account\":\"user:blk-acct\",\"subject_type\":\"account\","
    "\"subject_id\":\"user:blk-acct\",\"reason\":\"pii_exposure\"}";

static void test_shedding(void **state)
{
    (void)state;
    test_env_t t;
    memset(&t, 0, sizeof t);
    env_store(&t, BACKEND_SQLITE);
    env_tokens(&t);
    const char *extra[] = {"workers=1", "queue=1", NULL};
    env_start(&t, extra);
    /* the one worker waits on the store's write lock */
    pvg_store_t *lock = hold_write_lock(&t);
    bg_req_t busy = {&t, "/v1/reports", t.tok[T_APP], block_report, NULL, {0}};
    pthread_t th1, th2;
    assert_int_equal(pthread_create(&th1, NULL, bg_main, &busy), 0);
    wait_metric(&t, "privguard_workers_busy 1\n");
    /* one waits in the queue with a short deadline ... */
    bg_req_t queued = {&t, "/v1/reports", t.tok[T_APP], "{}", "X-Deadline-Ms: 20", {0}};
    assert_int_equal(pthread_create(&th2, NULL, bg_main, &queued), 0);
    wait_metric(&t, "privguard_worker_queue_length 1\n");
    /* ... and the next finds the queue full: 503 with Retry-After */
    http_resp_t r = http(&t, "GET", "/v1/cases", t.tok[T_TRIAGE], NULL, NULL);
    expect(&r, 503, "queue full");
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "overloaded");
    assert_string_equal(r.retry_after, "1");
    resp_free(&r);
    /* the fast paths still answer while the worker is stuck */
    r = http(&t, "GET", "/v1/sanctions/check?account=user:q&scope=service", t.tok[T_SERVICE],
             NULL, NULL);
    expect(&r, 200, "check while busy");
    resp_free(&r);
    r = http(&t, "POST", "/v1/scan", t.tok[T_SERVICE], "{\"text\":\"hello\"}", NULL);
    expect(&r, 200, "scan while busy");
    resp_free(&r);
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL); /* past the queued request's deadline */
    pvg_store_rollback(lock);
    pvg_store_close(lock);
    pthread_join(th1, NULL);
    pthread_join(th2, NULL);
    expect(&busy.r, 201, "the blocked report, once the lock is gone");
    expect(&queued.r, 503, "queued past its deadline");
    assert_string_equal(json_string_value(json_object_get(queued.r.json, "error")),
                        "deadline_exceeded");
    resp_free(&busy.r);
    resp_free(&queued.r);
    r = http(&t, "GET", "/metrics", NULL, NULL, NULL);
    assert_non_null(strstr(r.body, "privguard_shed_total{reason=\"queue\"} 1\n"));
    assert_non_null(strstr(r.body, "privguard_shed_total{reason=\"deadline\"} 1\n"));
    resp_free(&r);
    pvg_server_stop(t.srv, 5000);
    env_remove_dir(&t);

    /* in-flight limit: with max_inflight=1 a second concurrent request is shed */
    memset(&t, 0, sizeof t);
    env_store(&t, BACKEND_SQLITE);
    env_tokens(&t);
    const char *extra2[] = {"max_inflight=1", NULL};
    env_start(&t, extra2);
    lock = hold_write_lock(&t);
    bg_req_t busy2 = {&t, "/v1/reports", t.tok[T_APP], block_report, NULL, {0}};
    assert_int_equal(pthread_create(&th1, NULL, bg_main, &busy2), 0);
    int shed = 0;
    for (int i = 0; i < 2000 && !shed; i++) {
        r = http(&t, "GET", "/healthz", NULL, NULL, NULL);
        if (r.status == 503) {
            expect(&r, 503, "in-flight limit");
            assert_string_equal(json_string_value(json_object_get(r.json, "error")),
                                "overloaded");
            assert_string_equal(r.retry_after, "1");
            shed = 1;
        }
        resp_free(&r);
        struct timespec ts2 = {0, 2000000};
        nanosleep(&ts2, NULL);
    }
    pvg_store_rollback(lock);
    pvg_store_close(lock);
    pthread_join(th1, NULL);
    /* The health checks race the report to the one in-flight slot: either
     * a health check was shed while the report waited, or the report was
     * shed because a health check held the slot. Both show the limit. */
    if (busy2.r.status == 503) {
        assert_string_equal(json_string_value(json_object_get(busy2.r.json, "error")),
                            "overloaded");
        shed = 1;
    } else {
        expect(&busy2.r, 201, "the blocked report");
    }
    resp_free(&busy2.r);
    assert_true(shed);
    pvg_server_stop(t.srv, 5000);
    env_remove_dir(&t);
}

/* -------------------------------------------------------------- reload */

static void test_reload(void **state)
{
    (void)state;
    test_env_t t;
    memset(&t, 0, sizeof t);
    env_store(&t, BACKEND_SQLITE);
    env_tokens(&t);
    char rules[400];
    snprintf(rules, sizeof rules, "%s/rules.yaml", t.dir);
    size_t len = 0;
    const char *def = pvg_default_rules(&len);
    FILE *f = fopen(rules, "w");
    assert_non_null(f);
    fwrite(def, 1, len, f);
    fclose(f);
    char setting[460];
    snprintf(setting, sizeof setting, "rules=%s", rules);
    const char *extra[] = {setting, NULL};
    env_start(&t, extra);
    /* broken rules: reload fails with the line; the old rules keep working */
    f = fopen(rules, "w");
    fputs("detectors:\n  - [unclosed\n", f);
    fclose(f);
    char err[512] = "";
    assert_int_equal(pvg_server_reload(t.srv, err, sizeof err), -1);
    assert_non_null(strstr(err, "rules.yaml:"));
    http_resp_t r = http(&t, "POST", "/v1/scan", t.tok[T_SERVICE],
                         "{\"text\":\"이 사람 번호 010-1234-5678\",\"surface\":\"open_chat\"}", NULL);
    expect(&r, 200, "scan after a failed reload");
    assert_int_equal(json_array_size(json_object_get(r.json, "findings")), 1);
    resp_free(&r);
    r = http(&t, "GET", "/healthz", NULL, NULL, NULL);
    assert_int_equal(jint(&r, "rules_generation"), 0);
    resp_free(&r);
    /* good rules again: swapped in */
    f = fopen(rules, "w");
    fwrite(def, 1, len, f);
    fclose(f);
    assert_int_equal(pvg_server_reload(t.srv, err, sizeof err), 0);
    r = http(&t, "GET", "/healthz", NULL, NULL, NULL);
    assert_int_equal(jint(&r, "rules_generation"), 1);
    resp_free(&r);
    r = http(&t, "POST", "/v1/scan", t.tok[T_SERVICE],
             "{\"text\":\"이 사람 번호 010-1234-5678\",\"surface\":\"open_chat\"}", NULL);
    expect(&r, 200, "scan after reload");
    assert_int_equal(json_array_size(json_object_get(r.json, "findings")), 1);
    resp_free(&r);
    pvg_server_stop(t.srv, 5000);
    env_remove_dir(&t);
}

/* ------------------------------------------- sanction bus across nodes */

/* With `nats` set, a sanction decided through the service reaches another
 * node within a second, and one decided elsewhere reaches the service: the
 * service's own periodic refresh is set to an hour so only the bus can
 * explain it. Runs on the nats-server of scripts/nats-test.sh. */
static void test_sanction_bus(void **state)
{
    (void)state;
    const char *url = getenv("PVG_TEST_NATS");
    if (!url || !*url) {
        const char *allow = getenv("PVG_ALLOW_NO_NATS");
        if (allow && !strcmp(allow, "1"))
            skip();
        fail_msg("PVG_TEST_NATS is not set: run under scripts/nats-test.sh run -- ...");
    }
    test_env_t t;
    memset(&t, 0, sizeof t);
    env_store(&t, BACKEND_SQLITE);
    env_tokens(&t);
    char nats[300], prefix[64];
    snprintf(nats, sizeof nats, "nats=%s", url);
    snprintf(prefix, sizeof prefix, "nats_prefix=svc%ld", (long)getpid());
    const char *extra[] = {nats, prefix, "cache_refresh_ms=3600000", NULL};
    env_start(&t, extra);

    /* the other node: a worker's enforce handle with its own bus */
    pvg_enforce_options_t eo;
    pvg_enforce_options_init(&eo);
    eo.store = t.spec;
    eo.key_dir = t.keys;
    pvg_enforce_t *other = NULL;
    assert_int_equal(pvg_enforce_open(&eo, &other), 0);
    pvg_sanction_bus_t *bus = NULL;
    char err[384];
    assert_int_equal(pvg_sanction_bus_open(url, prefix + 12, other, 0, NULL, NULL, &bus, err,
                                           sizeof err),
                     0);

    const char *acct = "user:bus-poster";
    char body[1024];
    snprintf(body, sizeof body,
             "{\"reporter\":\"user:r7\",\"account\":\"%s\",\"subject_type\":\"message\","
             "\"subject_id\":\"m-bus-1\",\"reason\":\"pii_exposure\",\"external_id\":\"x-bus-1\"}",
             acct);
    http_resp_t r = http(&t, "POST", "/v1/reports", t.tok[T_APP], body, NULL);
    expect(&r, 201, "report");
    json_int_t case_id = jint(&r, "case_id");
    resp_free(&r);
    pvg_check_t ck;
    assert_int_equal(pvg_sanction_check(other, acct, PVG_SCOPE_OPENCHAT_ACCESS, NULL, NULL, &ck), 0);
    assert_true(ck.allowed);

    char path[256];
    snprintf(path, sizeof path, "/v1/cases/%lld/events", (long long)case_id);
    int64_t t0 = now_ms();
    r = http(&t, "POST", path, t.tok[T_MOD],
             "{\"type\":\"decide\",\"outcome\":\"violation\",\"categories\":[\"pii_exposure\"],"
             "\"sanctions\":[{\"scope\":\"openchat_access\",\"duration\":\"7d\"}],"
             "\"note\":\"posting someone's number\"}",
             NULL);
    expect(&r, 201, "decide");
    resp_free(&r);
    for (;;) {
        assert_int_equal(
            pvg_sanction_check(other, acct, PVG_SCOPE_OPENCHAT_ACCESS, NULL, NULL, &ck), 0);
        if (!ck.allowed || now_ms() - t0 > 1000)
            break;
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    print_message("decided through the service, enforced on the other node after %lld ms\n",
                  (long long)(now_ms() - t0));
    assert_false(ck.allowed);

    /* the other way: the other node revokes it and announces it */
    char check[256];
    snprintf(check, sizeof check, "/v1/sanctions/check?account=%s&scope=openchat_access", acct);
    r = http(&t, "GET", check, t.tok[T_SERVICE], NULL, NULL);
    expect(&r, 200, "check before the revocation");
    assert_true(json_is_false(json_object_get(r.json, "allowed")));
    resp_free(&r);
    pvg_actor_t mod = {.id = "mod:other-node", .role = PVG_ROLE_MODERATOR};
    assert_int_equal(ck.sanction_id > 0, 1);
    assert_int_equal(pvg_sanction_revoke(other, &mod, ck.sanction_id, "entered in error"), 0);
    assert_int_equal(pvg_sanction_bus_notify(bus, acct), 0);
    t0 = now_ms();
    int allowed = 0;
    while (!allowed && now_ms() - t0 < 1000) {
        r = http(&t, "GET", check, t.tok[T_SERVICE], NULL, NULL);
        expect(&r, 200, "check");
        allowed = json_is_true(json_object_get(r.json, "allowed"));
        resp_free(&r);
    }
    print_message("revoked on the other node, lifted by the service after %lld ms\n",
                  (long long)(now_ms() - t0));
    assert_true(allowed);

    pvg_sanction_bus_close(bus);
    pvg_enforce_close(other);
    pvg_server_stop(t.srv, 5000);
    env_remove_dir(&t);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest sqlite_tests[] = {
        cmocka_unit_test(test_flow),           cmocka_unit_test(test_notice),
        cmocka_unit_test(test_bad_requests),   cmocka_unit_test(test_scan_contract),
        cmocka_unit_test(test_meta_and_files), cmocka_unit_test(test_events),
    };
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test(test_flow),
        cmocka_unit_test(test_notice),
        cmocka_unit_test(test_bad_requests),
    };
    const struct CMUnitTest own_servers[] = {
        cmocka_unit_test(test_static_files),
        cmocka_unit_test(test_shedding),
        cmocka_unit_test(test_reload),
        cmocka_unit_test(test_sanction_bus),
    };
    int fails = cmocka_run_group_tests_name("sqlite", sqlite_tests, setup_sqlite, env_teardown);
    fails += cmocka_run_group_tests_name("postgresql", pg_tests, setup_pg, env_teardown);
    fails += cmocka_run_group_tests_name("own servers", own_servers, NULL, NULL);
    curl_global_cleanup();
    return fails ? 1 : 0;
}
