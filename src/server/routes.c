/* SPDX-License-Identifier: MIT */
/*
 * routes.c -- the route table (path, methods, roles, thread, body limit)
 * and the request-shape checks every write endpoint uses: a JSON object
 * body whose members are all known and of the right type.
 *
 * Roles are checked twice: here, per route, before any body is read (so a
 * wrong role never costs a body upload), and again inside the enforcement
 * core per action (ENFORCEMENT.md "Roles"), which stays the authority.
 * Error messages name fields, never values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

#define RB(x) (1u << PVG_ROLE_##x)
#define ANYROLE (RB(SERVICE) | RB(REPORTER_APP) | RB(TRIAGE) | RB(MODERATOR) | RB(ADMIN))
#define STAFF (RB(TRIAGE) | RB(MODERATOR) | RB(ADMIN))
#define MODS (RB(MODERATOR) | RB(ADMIN))

const route_info_t pvg__routes[RT_COUNT] = {
    [RT_NONE] = {"unknown", 0, 0, 0, PVG_SRV_MAX_BODY_OTHER, 0},
    [RT_HEALTHZ] = {"/healthz", M_GET | M_HEAD, 0, 0, 0, 0},
    [RT_METRICS] = {"/metrics", M_GET, 0, 0, 0, 0},
    [RT_OPENAPI] = {"/openapi.yaml", M_GET | M_HEAD, 0, 0, 0, 0},
    [RT_STATIC] = {"static", M_GET | M_HEAD, 0, 0, 0, 0},
    [RT_SCAN] = {"/v1/scan", M_POST, RB(SERVICE) | MODS, 0, PVG_SRV_MAX_BODY_SCAN, 0},
    [RT_SCAN_BATCH] = {"/v1/scan/batch", M_POST, RB(SERVICE) | MODS, 1, PVG_SRV_MAX_BODY_BATCH,
                       0},
    [RT_EVENTS] = {"/v1/events", M_POST, RB(SERVICE) | RB(ADMIN), 0, PVG_SRV_MAX_BODY_EVENTS, 0},
    [RT_REPORTS] = {"/v1/reports", M_POST, RB(SERVICE) | RB(REPORTER_APP) | MODS, 1,
                    PVG_SRV_MAX_BODY_REPORT, 1},
    [RT_CASES] = {"/v1/cases", M_GET, STAFF, 1, 0, 0},
    [RT_CASE] = {"/v1/cases/{id}", M_GET, STAFF, 1, 0, 0},
    [RT_CASE_EVENTS] = {"/v1/cases/{id}/events", M_POST, STAFF, 1, PVG_SRV_MAX_BODY_OTHER, 1},
    [RT_CASE_REVEAL] = {"/v1/cases/{id}/reveal", M_POST, MODS, 1, PVG_SRV_MAX_BODY_OTHER, 1},
    [RT_CASE_PROPOSAL] = {"/v1/cases/{id}/proposal", M_GET, STAFF, 1, 0, 0},
    [RT_ACCOUNT_HISTORY] = {"/v1/accounts/{id}/history", M_GET, STAFF, 1, 0, 0},
    [RT_SANCTION_CHECK] = {"/v1/sanctions/check", M_GET, RB(SERVICE) | STAFF, 0, 0, 0},
    [RT_SANCTIONS] = {"/v1/sanctions", M_GET, RB(SERVICE) | STAFF, 1, 0, 0},
    [RT_SANCTION_REVOKE] = {"/v1/sanctions/{id}/revoke", M_POST, MODS, 1,
                            PVG_SRV_MAX_BODY_OTHER, 1},
    [RT_APPEALS_POST] = {"/v1/appeals", M_POST, RB(SERVICE) | RB(REPORTER_APP) | MODS, 1,
                         PVG_SRV_MAX_BODY_OTHER, 1},
    [RT_APPEALS_LIST] = {"/v1/appeals", M_GET, STAFF, 1, 0, 0},
    [RT_APPEAL_RESOLVE] = {"/v1/appeals/{id}/resolve", M_POST, MODS, 1, PVG_SRV_MAX_BODY_OTHER,
                           1},
    [RT_NOTICES_POST] = {"/v1/notices", M_POST, RB(SERVICE) | RB(REPORTER_APP) | MODS, 1,
                         PVG_SRV_MAX_BODY_REPORT, 1},
    [RT_NOTICES_LIST] = {"/v1/notices", M_GET, STAFF, 1, 0, 0},
    [RT_NOTICE] = {"/v1/notices/{id}", M_GET, ANYROLE, 1, 0, 0},
    [RT_NOTICE_EVENTS] = {"/v1/notices/{id}/events", M_POST, ANYROLE, 1, PVG_SRV_MAX_BODY_OTHER,
                          1},
    [RT_AUDIT] = {"/v1/audit", M_GET, RB(ADMIN), 1, 0, 0},
    [RT_AUDIT_VERIFY] = {"/v1/audit/verify", M_GET, RB(ADMIN), 1, 0, 0},
    /* media: decoding runs on the workers; bodies are raw bytes or JSON */
    [RT_MEDIA_HASH] = {"/v1/media/hash", M_POST, RB(SERVICE) | MODS, 1, PVG_SRV_MAX_BODY_MEDIA,
                       0},
    [RT_MEDIA_MATCH] = {"/v1/media/match", M_POST, RB(SERVICE) | MODS, 1,
                        PVG_SRV_MAX_BODY_MEDIA, 0},
    [RT_MEDIA_BANK_ADD] = {"/v1/media/bank/entries", M_POST, MODS, 1, PVG_SRV_MAX_BODY_OTHER, 0},
    [RT_MEDIA_BANK_LIST] = {"/v1/media/bank/entries", M_GET, STAFF, 1, 0, 0},
    [RT_MEDIA_BANK_DISABLE] = {"/v1/media/bank/entries/{id}/disable", M_POST, MODS, 1,
                               PVG_SRV_MAX_BODY_OTHER, 0},
    [RT_MEDIA_EVIDENCE_REVEAL] = {"/v1/media/evidence/{id}/reveal", M_POST, MODS, 1,
                                  PVG_SRV_MAX_BODY_OTHER, 0},
    /* the role and token id behind the caller's token (the console's sign-in) */
    [RT_WHOAMI] = {"/v1/whoami", M_GET, ANYROLE, 0, 0, 0},
};

int pvg__method_bit(const char *m)
{
    if (!strcmp(m, "GET"))
        return M_GET;
    if (!strcmp(m, "POST"))
        return M_POST;
    if (!strcmp(m, "HEAD"))
        return M_HEAD;
    return M_OTHER;
}

/* A positive decimal id of at most 18 digits followed by '/' or the end. */
static const char *parse_id(const char *p, int64_t *id)
{
    int64_t v = 0;
    int n = 0;
    while (*p >= '0' && *p <= '9') {
        if (++n > 18)
            return NULL;
        v = v * 10 + (*p - '0');
        p++;
    }
    if (!n || v <= 0 || (*p && *p != '/'))
        return NULL;
    *id = v;
    return p;
}

int pvg__route_match(const char *path, int64_t *id, char *acct, size_t acct_len, int *bad_id)
{
    *bad_id = 0;
    *id = 0;
    if (acct_len)
        acct[0] = 0;
    if (!strcmp(path, "/healthz"))
        return RT_HEALTHZ;
    if (!strcmp(path, "/metrics"))
        return RT_METRICS;
    if (!strcmp(path, "/openapi.yaml"))
        return RT_OPENAPI;
    if (strncmp(path, "/v1/", 4) && strcmp(path, "/v1"))
        return RT_STATIC;
    const char *p = path + 3;
    static const struct {
        const char *path;
        int route;
    } fixed[] = {{"/scan", RT_SCAN},
                 {"/scan/batch", RT_SCAN_BATCH},
                 {"/events", RT_EVENTS},
                 {"/reports", RT_REPORTS},
                 {"/cases", RT_CASES},
                 {"/sanctions/check", RT_SANCTION_CHECK},
                 {"/sanctions", RT_SANCTIONS},
                 {"/appeals", RT_APPEALS_POST},
                 {"/notices", RT_NOTICES_POST},
                 {"/audit", RT_AUDIT},
                 {"/audit/verify", RT_AUDIT_VERIFY},
                 {"/media/hash", RT_MEDIA_HASH},
                 {"/media/match", RT_MEDIA_MATCH},
                 {"/media/bank/entries", RT_MEDIA_BANK_ADD},
                 {"/whoami", RT_WHOAMI}};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (!strcmp(p, fixed[i].path))
            return fixed[i].route;
    static const struct {
        const char *prefix;
        const char *suffix;
        int route;
    } idr[] = {{"/cases/", "", RT_CASE},
               {"/cases/", "/events", RT_CASE_EVENTS},
               {"/cases/", "/reveal", RT_CASE_REVEAL},
               {"/cases/", "/proposal", RT_CASE_PROPOSAL},
               {"/sanctions/", "/revoke", RT_SANCTION_REVOKE},
               {"/appeals/", "/resolve", RT_APPEAL_RESOLVE},
               {"/notices/", "", RT_NOTICE},
               {"/notices/", "/events", RT_NOTICE_EVENTS},
               {"/media/bank/entries/", "/disable", RT_MEDIA_BANK_DISABLE},
               {"/media/evidence/", "/reveal", RT_MEDIA_EVIDENCE_REVEAL}};
    for (size_t i = 0; i < sizeof idr / sizeof idr[0]; i++) {
        size_t pl = strlen(idr[i].prefix);
        if (strncmp(p, idr[i].prefix, pl))
            continue;
        const char *rest = p + pl;
        const char *slash = strchr(rest, '/');
        const char *suffix = slash ? slash : rest + strlen(rest);
        if (strcmp(suffix, idr[i].suffix))
            continue;
        const char *end = parse_id(rest, id);
        if (!end || end != suffix) {
            *bad_id = 1;
            *id = 0;
        }
        return idr[i].route;
    }
    /* /v1/accounts/{account}/history: the account id may hold ':' but no '/'. */
    if (!strncmp(p, "/accounts/", 10)) {
        const char *rest = p + 10;
        const char *slash = strchr(rest, '/');
        if (slash && !strcmp(slash, "/history")) {
            size_t n = (size_t)(slash - rest);
            if (!n || n >= acct_len)
                *bad_id = 1;
            else {
                memcpy(acct, rest, n);
                acct[n] = 0;
            }
            return RT_ACCOUNT_HISTORY;
        }
    }
    return RT_NONE;
}

/* ------------------------------------------------------------- fields */

static unsigned type_of(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return F_STR;
    case JSON_INTEGER: return F_INT | F_NUM;
    case JSON_REAL: return F_NUM;
    case JSON_TRUE:
    case JSON_FALSE: return F_BOOL;
    case JSON_OBJECT: return F_OBJ;
    case JSON_ARRAY: return F_ARR;
    case JSON_NULL: return F_NULL;
    }
    return 0;
}

static const char *type_words(unsigned t)
{
    t &= ~(unsigned)F_NULL;
    if (t == F_STR) return "a string";
    if (t == F_INT) return "an integer";
    if (t == F_NUM || t == (F_NUM | F_INT)) return "a number";
    if (t == F_BOOL) return "a boolean";
    if (t == F_OBJ) return "an object";
    if (t == F_ARR) return "a list";
    if (t == (F_STR | F_INT)) return "a string or an integer";
    return "of another type";
}

int pvg__fields_ok(json_t *o, const field_t *fields, char *msg, size_t n)
{
    if (!json_is_object(o)) {
        snprintf(msg, n, "the body must be a json object");
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        const field_t *f = fields;
        while (f->name && strcmp(f->name, key))
            f++;
        if (!f->name) {
            /* Field names are chosen by the client but are not message
             * text; still, only a bounded, printable name is echoed. */
            int printable = strlen(key) <= 64;
            for (const char *c = key; printable && *c; c++)
                printable = *c >= 0x21 && *c < 0x7f && *c != '"' && *c != '\\';
            if (printable)
                snprintf(msg, n, "unknown field '%s'", key);
            else
                snprintf(msg, n, "unknown field");
            return -1;
        }
        if (!(type_of(v) & f->types)) {
            snprintf(msg, n, "field '%s' must be %s", f->name, type_words(f->types));
            return -1;
        }
    }
    for (const field_t *f = fields; f->name; f++) {
        if (f->required && !json_object_get(o, f->name)) {
            snprintf(msg, n, "field '%s' is required", f->name);
            return -1;
        }
    }
    return 0;
}

int pvg__check_fields(req_t *r, json_t *o, const field_t *fields)
{
    char msg[160];
    if (pvg__fields_ok(o, fields, msg, sizeof msg)) {
        pvg__req_error(r, 400, "invalid_input", msg);
        return -1;
    }
    return 0;
}
