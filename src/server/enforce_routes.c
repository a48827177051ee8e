/* SPDX-License-Identifier: MIT */
/*
 * enforce_routes.c -- the /v1 endpoints of the enforcement core: reports,
 * cases (list, show, events, reveal, proposal), account history, sanctions
 * (check, list, revoke), appeals, rights notices and the audit log.
 *
 * Each write endpoint is two steps: parse (the body's members are checked
 * against a field list: unknown members, wrong types and missing required
 * members are a 400 naming the field) into the core's input structs, then
 * one call into the core, whose PVG_ENF_* code becomes the HTTP status
 * (pvg_enf_http_status) and a JSON error {"error", "message"}. The parse
 * step is what the fuzz driver (fuzz/server) exercises.
 *
 * Answers that can hold evidence text (case views) are flagged so the
 * connection's output buffer is wiped after sending.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

#define MAX_CATS_IN 16

/* Everything a write body can parse into. Strings point into the JSON. */
typedef struct enf_body {
    pvg_report_in_t report;
    pvg_evidence_in_t ev[PVG_MAX_EVIDENCE];
    char *findings_text[PVG_MAX_EVIDENCE + 1]; /* serialised findings (freed by body_free) */
    int is_decide;                             /* case events: decide (1), escalate (0), acknowledge (2) */
    pvg_decision_in_t decision;
    const char *cats[MAX_CATS_IN];
    pvg_sanction_in_t sanctions[PVG_MAX_DECISION_SANCTIONS];
    const char *note, *reason, *statement, *outcome;
    int64_t decision_id, duration_ms;
    const char *requester, *object, *poster, *claim;
    int days;
    int notice_action; /* 1 blind, 2 resolve */
    json_t *media;     /* reports and notices: the "media" list (decoded in do_write) */
} enf_body_t;

static void body_free(enf_body_t *b)
{
    for (size_t i = 0; i < sizeof b->findings_text / sizeof b->findings_text[0]; i++) {
        free(b->findings_text[i]);
        b->findings_text[i] = NULL;
    }
}

static const char *sget(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* "7d", "24h", "30m", "90s" or "permanent" (0). */
static int parse_duration(const char *s, int64_t *ms)
{
    if (!s)
        return -1;
    if (!strcmp(s, "permanent")) {
        *ms = 0;
        return 0;
    }
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || x <= 0 || x > 36500LL * 24 * 3600)
        return -1;
    int64_t unit = !strcmp(end, "d")   ? 86400000LL
                   : !strcmp(end, "h") ? 3600000LL
                   : !strcmp(end, "m") ? 60000LL
                   : !strcmp(end, "s") ? 1000LL
                                       : 0;
    if (!unit)
        return -1;
    *ms = x * unit;
    return 0;
}

static int fail(char *msg, size_t n, const char *text)
{
    snprintf(msg, n, "%s", text);
    return -1;
}

static const field_t f_evidence[] = {{"text", F_STR, 1},        {"sender", F_STR | F_NULL, 0},
                                     {"room", F_STR | F_NULL, 0}, {"surface", F_STR | F_NULL, 0},
                                     {"message_id", F_STR | F_NULL, 0},
                                     {"sent_at", F_INT | F_NULL, 0},
                                     {"findings", F_ARR | F_NULL, 0}, {NULL, 0, 0}};

static const field_t f_report[] = {{"reporter", F_STR, 1},
                                   {"account", F_STR, 1},
                                   {"subject_type", F_STR, 1},
                                   {"subject_id", F_STR, 1},
                                   {"reason", F_STR, 1},
                                   {"channel", F_STR, 0},
                                   {"external_id", F_STR | F_NULL, 0},
                                   {"comment", F_STR | F_NULL, 0},
                                   {"score", F_NUM, 0},
                                   {"findings", F_ARR | F_NULL, 0},
                                   {"evidence", F_ARR, 0},
                                   {"media", F_ARR, 0},
                                   {NULL, 0, 0}};

static int parse_report(json_t *o, enf_body_t *b, char *msg, size_t n)
{
    if (pvg__fields_ok(o, f_report, msg, n))
        return -1;
    pvg_report_in_t *in = &b->report;
    in->reporter = sget(o, "reporter");
    in->account = sget(o, "account");
    in->subject_type = sget(o, "subject_type");
    in->subject_id = sget(o, "subject_id");
    in->reason = sget(o, "reason");
    in->channel = sget(o, "channel") ? sget(o, "channel") : "in_app";
    in->external_id = sget(o, "external_id");
    in->comment = sget(o, "comment");
    json_t *score = json_object_get(o, "score");
    if (score) {
        in->score = json_number_value(score);
        if (!(in->score >= 0.0 && in->score <= 1.0))
            return fail(msg, n, "field 'score' must be between 0 and 1");
    }
    json_t *f = json_object_get(o, "findings");
    if (json_is_array(f)) {
        b->findings_text[PVG_MAX_EVIDENCE] = json_dumps(f, JSON_COMPACT);
        if (!b->findings_text[PVG_MAX_EVIDENCE])
            return fail(msg, n, "out of memory");
        in->findings_json = b->findings_text[PVG_MAX_EVIDENCE];
    }
    json_t *ev = json_object_get(o, "evidence");
    if (ev) {
        if (json_array_size(ev) > PVG_MAX_EVIDENCE)
            return fail(msg, n, "field 'evidence' holds at most 5 messages");
        size_t i;
        json_t *x;
        json_array_foreach(ev, i, x)
        {
            char sub[120];
            if (pvg__fields_ok(x, f_evidence, sub, sizeof sub)) {
                snprintf(msg, n, "evidence[%zu]: %s", i, sub);
                return -1;
            }
            pvg_evidence_in_t *e = &b->ev[i];
            memset(e, 0, sizeof *e);
            e->text = sget(x, "text");
            e->len = json_string_length(json_object_get(x, "text"));
            if (e->len > PVG_MAX_EVIDENCE_TEXT)
                return fail(msg, n, "an evidence text is longer than 16384 bytes");
            e->sender = sget(x, "sender");
            e->room = sget(x, "room");
            e->surface = sget(x, "surface");
            e->message_id = sget(x, "message_id");
            e->sent_at = json_integer_value(json_object_get(x, "sent_at"));
            if (e->sent_at < 0)
                return fail(msg, n, "field 'sent_at' must be epoch milliseconds");
            json_t *fx = json_object_get(x, "findings");
            if (json_is_array(fx)) {
                b->findings_text[i] = json_dumps(fx, JSON_COMPACT);
                if (!b->findings_text[i])
                    return fail(msg, n, "out of memory");
                e->findings_json = b->findings_text[i];
            }
        }
        in->evidence = b->ev;
        in->n_evidence = json_array_size(ev);
    }
    b->media = json_object_get(o, "media");
    if (b->media && pvg__media_list_ok(b->media, msg, n))
        return -1;
    return 0;
}

static const field_t f_sanction[] = {{"scope", F_STR, 1},           {"duration", F_STR, 0},
                                     {"duration_ms", F_INT, 0},     {"room", F_STR | F_NULL, 0},
                                     {"object", F_STR | F_NULL, 0}, {"starts_at", F_INT, 0},
                                     {NULL, 0, 0}};
static const field_t f_decide[] = {{"type", F_STR, 1},       {"outcome", F_STR, 1},
                                   {"categories", F_ARR, 0}, {"severity", F_STR | F_NULL, 0},
                                   {"strikes", F_INT, 0},    {"sanctions", F_ARR, 0},
                                   {"note", F_STR | F_NULL, 0}, {"private_media", F_BOOL, 0},
                                   {NULL, 0, 0}};
static const field_t f_escalate[] = {
    {"type", F_STR, 1}, {"note", F_STR | F_NULL, 0}, {NULL, 0, 0}};

static int parse_case_event(json_t *o, enf_body_t *b, char *msg, size_t n)
{
    const char *type = sget(o, "type");
    if (!type)
        return fail(msg, n, json_object_get(o, "type") ? "field 'type' must be a string"
                                                       : "field 'type' is required");
    if (!strcmp(type, "escalate") || !strcmp(type, "acknowledge")) {
        b->is_decide = !strcmp(type, "escalate") ? 0 : 2;
        if (pvg__fields_ok(o, f_escalate, msg, n))
            return -1;
        b->note = sget(o, "note");
        return 0;
    }
    if (strcmp(type, "decide"))
        return fail(msg, n, "field 'type' must be 'decide', 'escalate' or 'acknowledge'");
    b->is_decide = 1;
    if (pvg__fields_ok(o, f_decide, msg, n))
        return -1;
    pvg_decision_in_t *d = &b->decision;
    d->outcome = sget(o, "outcome");
    d->private_media = json_is_true(json_object_get(o, "private_media"));
    d->severity = sget(o, "severity");
    d->note = sget(o, "note");
    d->strikes = -1;
    json_t *st = json_object_get(o, "strikes");
    if (st) {
        if (json_integer_value(st) < 0 || json_integer_value(st) > 100)
            return fail(msg, n, "field 'strikes' must be 0..100");
        d->strikes = (int)json_integer_value(st);
    }
    json_t *cats = json_object_get(o, "categories");
    if (json_array_size(cats) > MAX_CATS_IN)
        return fail(msg, n, "field 'categories' holds at most 16 entries");
    size_t i;
    json_t *x;
    json_array_foreach(cats, i, x)
    {
        if (!json_is_string(x))
            return fail(msg, n, "field 'categories' must be a list of strings");
        b->cats[i] = json_string_value(x);
    }
    d->categories = b->cats;
    d->n_categories = json_array_size(cats);
    json_t *sans = json_object_get(o, "sanctions");
    if (json_array_size(sans) > PVG_MAX_DECISION_SANCTIONS)
        return fail(msg, n, "field 'sanctions' holds at most 8 entries");
    json_array_foreach(sans, i, x)
    {
        char sub[120];
        if (pvg__fields_ok(x, f_sanction, sub, sizeof sub)) {
            snprintf(msg, n, "sanctions[%zu]: %s", i, sub);
            return -1;
        }
        pvg_sanction_in_t *sx = &b->sanctions[i];
        memset(sx, 0, sizeof *sx);
        if (pvg_scope_parse(sget(x, "scope"), &sx->scope))
            return fail(msg, n, "unknown sanction scope");
        json_t *dur = json_object_get(x, "duration"), *dms = json_object_get(x, "duration_ms");
        if ((dur != NULL) == (dms != NULL))
            return fail(msg, n, "a sanction needs exactly one of 'duration' and 'duration_ms'");
        if (dur && parse_duration(json_string_value(dur), &sx->duration_ms))
            return fail(msg, n, "field 'duration' must be like 7d, 24h, 30m, 90s or permanent");
        if (dms) {
            sx->duration_ms = json_integer_value(dms);
            if (sx->duration_ms < 0)
                return fail(msg, n, "field 'duration_ms' must not be negative");
        }
        sx->container = sget(x, "room");
        sx->object = sget(x, "object");
        sx->starts_at = json_integer_value(json_object_get(x, "starts_at"));
        if (sx->starts_at < 0)
            return fail(msg, n, "field 'starts_at' must be epoch milliseconds");
    }
    d->sanctions = b->sanctions;
    d->n_sanctions = json_array_size(sans);
    return 0;
}

static const field_t f_reveal[] = {{"reason", F_STR, 1}, {NULL, 0, 0}};
static const field_t f_note[] = {{"note", F_STR | F_NULL, 0}, {NULL, 0, 0}};
static const field_t f_appeal[] = {
    {"decision_id", F_INT, 1}, {"statement", F_STR | F_NULL, 0}, {NULL, 0, 0}};
static const field_t f_resolve[] = {{"outcome", F_STR, 1},
                                    {"duration", F_STR, 0},
                                    {"duration_ms", F_INT, 0},
                                    {"note", F_STR | F_NULL, 0},
                                    {NULL, 0, 0}};
static const field_t f_notice[] = {{"requester", F_STR, 1},     {"object", F_STR, 1},
                                   {"poster", F_STR, 1},        {"claim", F_STR | F_NULL, 0},
                                   {"days", F_INT, 0},          {"media", F_ARR, 0},
                                   {NULL, 0, 0}};
static const field_t f_notice_ev[] = {{"type", F_STR, 1},
                                      {"outcome", F_STR, 0},
                                      {"note", F_STR | F_NULL, 0},
                                      {NULL, 0, 0}};

static int parse_body(int route, json_t *o, enf_body_t *b, char *msg, size_t n)
{
    memset(b, 0, sizeof *b);
    switch (route) {
    case RT_REPORTS: return parse_report(o, b, msg, n);
    case RT_CASE_EVENTS: return parse_case_event(o, b, msg, n);
    case RT_CASE_REVEAL:
        if (pvg__fields_ok(o, f_reveal, msg, n))
            return -1;
        b->reason = sget(o, "reason");
        if (!*b->reason)
            return fail(msg, n, "field 'reason' must not be empty");
        return 0;
    case RT_SANCTION_REVOKE:
        if (pvg__fields_ok(o, f_note, msg, n))
            return -1;
        b->note = sget(o, "note");
        return 0;
    case RT_APPEALS_POST:
        if (pvg__fields_ok(o, f_appeal, msg, n))
            return -1;
        b->decision_id = json_integer_value(json_object_get(o, "decision_id"));
        b->statement = sget(o, "statement");
        if (b->decision_id <= 0)
            return fail(msg, n, "field 'decision_id' must be a positive id");
        return 0;
    case RT_APPEAL_RESOLVE: {
        if (pvg__fields_ok(o, f_resolve, msg, n))
            return -1;
        b->outcome = sget(o, "outcome");
        b->note = sget(o, "note");
        json_t *dur = json_object_get(o, "duration"), *dms = json_object_get(o, "duration_ms");
        if (dur && dms)
            return fail(msg, n, "give one of 'duration' and 'duration_ms'");
        if (dur && (parse_duration(json_string_value(dur), &b->duration_ms) || !b->duration_ms))
            return fail(msg, n, "field 'duration' must be like 7d, 24h, 30m or 90s");
        if (dms && (b->duration_ms = json_integer_value(dms)) <= 0)
            return fail(msg, n, "field 'duration_ms' must be positive");
        return 0;
    }
    case RT_NOTICES_POST: {
        if (pvg__fields_ok(o, f_notice, msg, n))
            return -1;
        b->requester = sget(o, "requester");
        b->object = sget(o, "object");
        b->poster = sget(o, "poster");
        b->claim = sget(o, "claim");
        json_t *d = json_object_get(o, "days");
        json_int_t days = d ? json_integer_value(d) : PVG_MAX_BLIND_DAYS;
        if (days < 1 || days > 3650)
            return fail(msg, n, "field 'days' must be 1..3650");
        b->days = (int)days;
        b->media = json_object_get(o, "media");
        if (b->media && pvg__media_list_ok(b->media, msg, n))
            return -1;
        return 0;
    }
    case RT_NOTICE_EVENTS: {
        if (pvg__fields_ok(o, f_notice_ev, msg, n))
            return -1;
        const char *type = sget(o, "type");
        b->outcome = sget(o, "outcome");
        b->note = sget(o, "note");
        if (!strcmp(type, "blind")) {
            if (b->outcome)
                return fail(msg, n, "a blind event takes no 'outcome'");
            b->notice_action = 1;
        } else if (!strcmp(type, "resolve")) {
            if (!b->outcome)
                return fail(msg, n, "field 'outcome' is required");
            b->notice_action = 2;
        } else {
            return fail(msg, n, "field 'type' must be 'blind' or 'resolve'");
        }
        return 0;
    }
    default: return fail(msg, n, "this endpoint takes no body");
    }
}

int pvg__parse_enforce_body(int route, json_t *o, char *msg, size_t n)
{
    enf_body_t *b = malloc(sizeof *b);
    if (!b)
        return fail(msg, n, "out of memory");
    int rc = parse_body(route, o, b, msg, n);
    body_free(b);
    free(b);
    return rc;
}

/* ------------------------------------------------------------ queries */

static int parse_limit(req_t *r, int def, int *out)
{
    const char *v = pvg__req_arg(r, "limit");
    *out = def;
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || end == v || x < 1 || x > 10000) {
        pvg__req_error(r, 400, "invalid_input", "limit must be 1..10000");
        return -1;
    }
    *out = (int)x;
    return 0;
}

static void answer_json(req_t *r, int rc, int status, char *json, int wipe);

/* A query parameter as a non-negative integer; *set 0 when absent. */
static int arg_int(req_t *r, const char *name, int64_t *out, int *set)
{
    const char *v = pvg__req_arg(r, name);
    *set = 0;
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || *end || end == v || x < 0 || v[0] < '0' || v[0] > '9') {
        char msg[96];
        snprintf(msg, sizeof msg, "query parameter '%s' must be a non-negative integer", name);
        pvg__req_error(r, 400, "invalid_input", msg);
        return -1;
    }
    *out = x;
    *set = 1;
    return 0;
}

/* GET /v1/cases. Without any of the queue parameters (order, after,
 * category, surface, min_priority, max_priority, opened_before, account,
 * page) the answer is the original JSON array (limit 1..10000, default 100);
 * with any of them, one page object (pvg_case_page; limit 1..500, default
 * 50). */
static void h_cases(req_t *r)
{
    static const char *const paged[] = {"order", "after", "category", "surface", "min_priority",
                                        "max_priority", "opened_before", "account", "page"};
    int is_page = 0, limit;
    for (size_t i = 0; i < sizeof paged / sizeof paged[0]; i++)
        is_page |= pvg__req_arg(r, paged[i]) != NULL;
    char *json = NULL;
    int rc;
    if (!is_page) {
        if (parse_limit(r, 100, &limit))
            return;
        rc = pvg_case_list(r->srv->enf, &r->actor, pvg__req_arg(r, "status"), limit, &json);
        answer_json(r, rc, 200, json, 0);
        return;
    }
    pvg_case_query_t q = {.min_priority = -1, .max_priority = -1};
    int64_t v;
    int set;
    if (arg_int(r, "limit", &v, &set))
        return;
    if (set && (v < 1 || v > PVG_CASE_PAGE_MAX)) {
        pvg__req_error(r, 400, "invalid_input", "limit must be 1..500");
        return;
    }
    q.limit = set ? (int)v : 0;
    if (arg_int(r, "min_priority", &v, &set))
        return;
    if (set)
        q.min_priority = v;
    if (arg_int(r, "max_priority", &v, &set))
        return;
    if (set)
        q.max_priority = v;
    if (arg_int(r, "opened_before", &v, &set))
        return;
    if (set)
        q.opened_before = v ? v : 1; /* 0: nothing was opened before the epoch */
    const char *sv;
#define EMPTY_NULL(x) ((sv = pvg__req_arg(r, x)) && *sv ? sv : NULL)
    q.status = EMPTY_NULL("status");
    q.category = EMPTY_NULL("category");
    q.surface = EMPTY_NULL("surface");
    q.account = EMPTY_NULL("account");
    q.order = EMPTY_NULL("order");
    q.after = EMPTY_NULL("after");
#undef EMPTY_NULL
    rc = pvg_case_page(r->srv->enf, &r->actor, &q, &json);
    if (rc == PVG_ENF_EINVAL) {
        pvg__req_error(r, 400, "invalid_input",
                       "status, order, surface, category, account or after is not valid");
        return;
    }
    answer_json(r, rc, 200, json, 0);
}

static void h_check(req_t *r)
{
    const char *account = pvg__req_arg(r, "account"), *scope = pvg__req_arg(r, "scope");
    pvg_scope_t sc;
    if (!account || !*account) {
        pvg__req_error(r, 400, "invalid_input", "query parameter 'account' is required");
        return;
    }
    if (!scope || pvg_scope_parse(scope, &sc)) {
        pvg__req_error(r, 400, "invalid_input",
                       scope ? "unknown scope" : "query parameter 'scope' is required");
        return;
    }
    const char *room = pvg__req_arg(r, "room"), *object = pvg__req_arg(r, "object");
    pvg_check_t c;
    int rc = pvg_sanction_check(r->srv->enf, account, sc, room && *room ? room : NULL,
                                object && *object ? object : NULL, &c);
    if (rc) {
        pvg__req_enf_error(r, rc);
        return;
    }
    sb_reset(&r->out);
    r->status = 200;
    if (c.allowed) {
        sb_puts(&r->out, "{\"allowed\":true}");
        return;
    }
    sb_printf(&r->out, "{\"allowed\":false,\"sanction\":{\"id\":%" PRId64 ",\"scope\":\"%s\",",
              c.sanction_id, pvg_scope_name(c.scope));
    if (c.ends_at == INT64_MAX)
        sb_puts(&r->out, "\"ends_at\":null,\"permanent\":true}}");
    else
        sb_printf(&r->out, "\"ends_at\":%" PRId64 ",\"permanent\":false}}", c.ends_at);
}

/* Comma-separated categories from the query, into buf. */
static size_t split_cats(const char *q, char *buf, size_t bn, const char **cats, size_t max)
{
    size_t n = 0;
    if (!q)
        return 0;
    snprintf(buf, bn, "%s", q);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save))
        if (*t)
            cats[n++] = t;
    return n;
}

static void answer_json(req_t *r, int rc, int status, char *json, int wipe)
{
    if (rc) {
        pvg__req_enf_error(r, rc);
        return;
    }
    r->wipe_out = wipe;
    pvg__req_enf_json(r, status, json);
}

/* Like answer_json for text allocated with malloc (views.c). */
static void answer_view(req_t *r, int rc, char *json)
{
    if (rc) {
        pvg__req_enf_error(r, rc);
        return;
    }
    sb_reset(&r->out);
    r->status = 200;
    if (sb_puts(&r->out, json))
        pvg__req_error(r, 500, "out_of_memory", "the answer could not be built");
    free(json);
}

static void kick(req_t *r)
{
    srv_t *s = r->srv;
    pthread_mutex_lock(&s->bg_mu);
    pthread_cond_broadcast(&s->bg_cv);
    pthread_mutex_unlock(&s->bg_mu);
}

/* The bank changed through this request: the index catches up now, so
 * the next match on any thread sees it. */
static void media_follow(req_t *r)
{
    int rc = pvg__media_sync(r->srv);
    if (rc)
        pvg__log(r->srv, "cannot follow the media bank: %s", pvg_enf_errname(rc));
}

static void do_write(req_t *r, json_t *o, enf_body_t *b)
{
    pvg_enforce_t *e = r->srv->enf;
    const pvg_actor_t *a = &r->actor;
    int rc;
    char *json = NULL;
    switch (r->route) {
    case RT_REPORTS: {
        pvg_report_out_t out;
        memset(&out, 0, sizeof out);
        media_items_t mi;
        memset(&mi, 0, sizeof mi);
        if (b->media && json_array_size(b->media)) {
            /* decoded and hashed here, on the worker */
            if (pvg__media_items_build(r, b->media, &mi)) {
                pvg__media_items_free(&mi);
                return;
            }
            b->report.media = mi.in;
            b->report.n_media = mi.n;
        }
        rc = pvg_report_submit(e, a, &b->report, &out);
        pvg__media_items_free(&mi);
        if (rc == PVG_ENF_EDUPLICATE) {
            pvg__req_enf_error(r, rc);
            sb_reset(&r->out);
            sb_printf(&r->out,
                      "{\"error\":\"duplicate\",\"message\":\"%s\",\"report_id\":%" PRId64 "}",
                      pvg_enf_strerror(rc), out.report_id);
            return;
        }
        if (rc) {
            pvg__req_enf_error(r, rc);
            return;
        }
        sb_reset(&r->out);
        r->status = out.replayed ? 200 : 201;
        sb_printf(&r->out, "{\"report_id\":%" PRId64 ",\"case_id\":", out.report_id);
        if (out.case_id)
            sb_printf(&r->out, "%" PRId64, out.case_id);
        else
            sb_puts(&r->out, "null");
        sb_printf(&r->out, ",\"replayed\":%s,\"muted\":%s,\"auto_measure\":%s}",
                  out.replayed ? "true" : "false", out.muted ? "true" : "false",
                  out.auto_measure ? "true" : "false");
        kick(r);
        return;
    }
    case RT_CASE_EVENTS:
        if (b->is_decide == 2) {
            rc = pvg_case_acknowledge(e, a, r->id, b->note);
            if (rc) {
                pvg__req_enf_error(r, rc);
                return;
            }
            sb_reset(&r->out);
            r->status = 200;
            sb_printf(&r->out, "{\"case_id\":%" PRId64 ",\"acknowledged\":true}", r->id);
            return;
        }
        if (!b->is_decide) {
            rc = pvg_case_escalate(e, a, r->id, b->note);
            if (rc) {
                pvg__req_enf_error(r, rc);
                return;
            }
            sb_reset(&r->out);
            r->status = 200;
            sb_printf(&r->out, "{\"case_id\":%" PRId64 ",\"status\":\"escalated\"}", r->id);
            return;
        } else {
            pvg_decision_out_t out;
            rc = pvg_case_decide(e, a, r->id, &b->decision, &out);
            if (rc) {
                pvg__req_enf_error(r, rc);
                return;
            }
            sb_reset(&r->out);
            r->status = 201;
            sb_printf(&r->out,
                      "{\"case_id\":%" PRId64 ",\"decision_id\":%" PRId64
                      ",\"strikes_total\":%" PRId64 ",\"sanction_ids\":[",
                      r->id, out.decision_id, out.strikes_total);
            for (size_t i = 0; i < out.n_sanctions; i++)
                sb_printf(&r->out, i ? ",%" PRId64 : "%" PRId64, out.sanction_ids[i]);
            sb_printf(&r->out, "],\"proposed\":%s,\"bank_entries\":%" PRId64 "}",
                      out.proposed ? "true" : "false", out.bank_entries);
            if (out.bank_entries)
                media_follow(r);
            kick(r);
            return;
        }
    case RT_CASE_REVEAL:
        rc = pvg_case_show(e, a, r->id, 1, b->reason, &json);
        answer_json(r, rc, 200, json, 1);
        return;
    case RT_SANCTION_REVOKE:
        rc = pvg_sanction_revoke(e, a, r->id, b->note);
        if (rc) {
            pvg__req_enf_error(r, rc);
            return;
        }
        sb_reset(&r->out);
        r->status = 200;
        sb_printf(&r->out, "{\"sanction_id\":%" PRId64 ",\"state\":\"revoked\"}", r->id);
        kick(r);
        return;
    case RT_APPEALS_POST: {
        int64_t ap = 0;
        rc = pvg_appeal_file(e, a, b->decision_id, b->statement, &ap);
        if (rc) {
            pvg__req_enf_error(r, rc);
            return;
        }
        sb_reset(&r->out);
        r->status = 201;
        sb_printf(&r->out,
                  "{\"appeal_id\":%" PRId64 ",\"decision_id\":%" PRId64 ",\"state\":\"filed\"}",
                  ap, b->decision_id);
        kick(r);
        return;
    }
    case RT_APPEAL_RESOLVE:
        rc = pvg_appeal_resolve(e, a, r->id, b->outcome, b->duration_ms, b->note);
        if (rc) {
            pvg__req_enf_error(r, rc);
            return;
        }
        sb_reset(&r->out);
        r->status = 200;
        sb_printf(&r->out, "{\"appeal_id\":%" PRId64 ",\"state\":", r->id);
        sb_json_str(&r->out, b->outcome, strlen(b->outcome));
        sb_putc(&r->out, '}');
        kick(r);
        return;
    case RT_NOTICES_POST: {
        int64_t id = 0;
        media_items_t mi;
        memset(&mi, 0, sizeof mi);
        if (b->media && json_array_size(b->media) && pvg__media_items_build(r, b->media, &mi)) {
            pvg__media_items_free(&mi);
            return;
        }
        pvg_notice_in_t nin = {.requester = b->requester, .object = b->object,
                               .poster = b->poster, .claim = b->claim, .days = b->days,
                               .media = mi.in, .n_media = mi.n};
        rc = pvg_notice_submit(e, a, &nin, &id);
        pvg__media_items_free(&mi);
        if (rc) {
            pvg__req_enf_error(r, rc);
            return;
        }
        sb_reset(&r->out);
        r->status = 201;
        sb_printf(&r->out, "{\"notice_id\":%" PRId64 ",\"state\":\"requested\"}", id);
        kick(r);
        return;
    }
    case RT_NOTICE_EVENTS:
        rc = b->notice_action == 1 ? pvg_notice_blind(e, a, r->id)
                                   : pvg_notice_resolve(e, a, r->id, b->outcome, b->note);
        if (!rc)
            media_follow(r); /* blinding adds, restoring disables bank entries */
        if (!rc)
            rc = pvg_notice_show(e, a, r->id, &json);
        if (!rc)
            kick(r);
        answer_json(r, rc, 200, json, 1);
        return;
    default: pvg__req_error(r, 500, "internal", "no handler for this route"); return;
    }
    (void)o;
}

void pvg__h_enforce(req_t *r)
{
    srv_t *s = r->srv;
    pvg_enforce_t *e = s->enf;
    const pvg_actor_t *a = &r->actor;
    char *json = NULL;
    int rc, limit;
    if (pvg__routes[r->route].write) {
        json_t *o;
        if (!r->body.len && (r->route == RT_SANCTION_REVOKE)) {
            o = json_object();
        } else if (!(o = pvg__req_body_object(r))) {
            return;
        }
        enf_body_t *b = malloc(sizeof *b);
        char msg[200];
        if (!b) {
            json_decref(o);
            r->retry_after = 1;
            pvg__req_error(r, 503, "out_of_memory", "the request could not be parsed");
            return;
        }
        if (parse_body(r->route, o, b, msg, sizeof msg))
            pvg__req_error(r, 400, "invalid_input", msg);
        else
            do_write(r, o, b);
        body_free(b);
        free(b);
        pvg__json_wipe(o);
        json_decref(o);
        return;
    }
    switch (r->route) {
    case RT_SANCTION_CHECK: h_check(r); return;
    case RT_CASES: h_cases(r); return;
    case RT_CASE:
        rc = pvg_case_show(e, a, r->id, 0, NULL, &json);
        answer_json(r, rc, 200, json, 1);
        return;
    case RT_CASE_PROPOSAL: {
        char buf[1024];
        const char *cats[MAX_CATS_IN];
        size_t n = split_cats(pvg__req_arg(r, "categories"), buf, sizeof buf, cats, MAX_CATS_IN);
        rc = pvg__view_proposal(e, a, r->id, cats, n, pvg__req_arg(r, "severity"), &json);
        answer_view(r, rc, json);
        return;
    }
    case RT_ACCOUNT_HISTORY:
        rc = pvg__view_history(e, a, r->acct, &json);
        answer_view(r, rc, json);
        return;
    case RT_SANCTIONS: {
        const char *acct = pvg__req_arg(r, "account");
        rc = pvg_sanction_list(e, a, acct && *acct ? acct : NULL, &json);
        answer_json(r, rc, 200, json, 0);
        return;
    }
    case RT_APPEALS_LIST:
        if (parse_limit(r, 100, &limit))
            return;
        rc = pvg__view_appeals(e, a, pvg__req_arg(r, "state"), limit, &json);
        answer_view(r, rc, json);
        return;
    case RT_NOTICES_LIST:
        if (parse_limit(r, 100, &limit))
            return;
        rc = pvg__view_notices(e, a, pvg__req_arg(r, "state"), limit, &json);
        answer_view(r, rc, json);
        return;
    case RT_NOTICE:
        rc = pvg_notice_show(e, a, r->id, &json);
        answer_json(r, rc, 200, json, 1);
        return;
    case RT_AUDIT: {
        if (parse_limit(r, 100, &limit))
            return;
        int64_t after = 0;
        const char *v = pvg__req_arg(r, "after");
        if (v) {
            char *end;
            errno = 0;
            long long x = strtoll(v, &end, 10);
            if (errno || *end || end == v || x < 0) {
                pvg__req_error(r, 400, "invalid_input", "after must be a sequence number");
                return;
            }
            after = x;
        }
        const char *bv = pvg__req_arg(r, "before");
        const char *ov = pvg__req_arg(r, "order");
        if (ov && strcmp(ov, "newest") && strcmp(ov, "oldest")) {
            pvg__req_error(r, 400, "invalid_input", "order must be newest or oldest");
            return;
        }
        if (bv || (ov && !strcmp(ov, "newest"))) {
            int64_t before = INT64_MAX;
            if (bv) {
                char *end;
                errno = 0;
                long long x = strtoll(bv, &end, 10);
                if (errno || *end || end == bv || x < 1 || bv[0] < '0' || bv[0] > '9' || v ||
                    (ov && strcmp(ov, "newest"))) {
                    pvg__req_error(r, 400, "invalid_input",
                                   "before must be a sequence number (newest first, without after)");
                    return;
                }
                before = x;
            }
            rc = pvg__view_audit_before(e, a, before, limit, &json);
        } else {
            rc = pvg__view_audit(e, a, after, limit, &json);
        }
        answer_view(r, rc, json);
        return;
    }
    case RT_AUDIT_VERIFY: {
        int64_t n = 0, bad = 0;
        rc = pvg_audit_verify(e, &n, &bad);
        sb_reset(&r->out);
        if (rc == PVG_ENF_OK) {
            r->status = 200;
            sb_printf(&r->out, "{\"ok\":true,\"entries\":%" PRId64 "}", n);
        } else if (rc == PVG_ENF_ETAMPERED) {
            r->status = 200;
            sb_printf(&r->out, "{\"ok\":false,\"verified\":%" PRId64 ",\"bad_seq\":%" PRId64 "}",
                      n, bad);
        } else {
            pvg__req_enf_error(r, rc);
        }
        return;
    }
    default: pvg__req_error(r, 404, "not_found", "no such endpoint"); return;
    }
}
