/* SPDX-License-Identifier: MIT */
/*
 * views.c -- read-only views the reviewer console needs that the
 * enforcement core's public API (enforce.h) does not offer yet: an
 * account's history, the escalation ladder's proposal for a case, the
 * appeal and notice queues, audit entries, and the outbox backlog.
 *
 * They are read-only SQL over the core's schema through the core's own
 * connection pool, role check and ladder (src/enforce/internal.h), so a
 * proposal here is computed by exactly the code pvg_case_decide uses. They
 * belong in src/enforce as public calls; until the core's owner moves
 * them, they live here (docs/service.md says so). No view returns evidence
 * text or identifier values.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enforce/internal.h"
#include "server/internal.h"

static json_t *text_or_null(pvg_stmt_t *st, int col)
{
    const char *t = pvg_store_col_text(st, col);
    return t ? json_string(t) : json_null();
}

static json_t *int_or_null(pvg_stmt_t *st, int col)
{
    return pvg_store_col_null(st, col) ? json_null() : json_integer(pvg_store_col_int(st, col));
}

static json_t *parse_or_null(const char *t)
{
    json_t *v = t ? json_loads(t, 0, NULL) : NULL;
    return v ? v : json_null();
}

static int out_json(json_t *v, char **json)
{
    *json = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    return *json ? PVG_ENF_OK : PVG_ENF_ENOMEM;
}

/* Steps a prepared statement (rc: pvg_store_q's result) and appends one
 * object per row built by row(). Finalizes the statement. */
typedef json_t *(*row_fn)(pvg_stmt_t *st);

static int collect(int rc, pvg_stmt_t *st, json_t *arr, row_fn row)
{
    while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        json_t *o = row(st);
        if (!o || json_array_append_new(arr, o)) {
            rc = PVG_ENF_ENOMEM;
            break;
        }
    }
    pvg_store_finalize(st);
    return rc < 0 ? rc : PVG_ENF_OK;
}

/* ------------------------------------------------------------ history */

static json_t *row_case(pvg_stmt_t *st)
{
    return json_pack("{s:I, s:s, s:I, s:I, s:o, s:I, s:I, s:o}", "id",
                     (json_int_t)pvg_store_col_int(st, 0), "status", pvg_store_col_text(st, 1),
                     "priority", (json_int_t)pvg_store_col_int(st, 2), "reporters",
                     (json_int_t)pvg_store_col_int(st, 3), "top_category", text_or_null(st, 4),
                     "opened_at", (json_int_t)pvg_store_col_int(st, 5), "updated_at",
                     (json_int_t)pvg_store_col_int(st, 6), "closed_at", int_or_null(st, 7));
}

static json_t *row_decision(pvg_stmt_t *st)
{
    return json_pack("{s:I, s:I, s:s, s:o, s:o, s:I, s:b, s:s, s:s, s:o, s:I, s:o, s:o}", "id",
                     (json_int_t)pvg_store_col_int(st, 0), "case_id",
                     (json_int_t)pvg_store_col_int(st, 1), "outcome", pvg_store_col_text(st, 2),
                     "categories", parse_or_null(pvg_store_col_text(st, 3)), "severity",
                     text_or_null(st, 4), "strikes", (json_int_t)pvg_store_col_int(st, 5),
                     "automated", (int)pvg_store_col_int(st, 6), "decided_by",
                     pvg_store_col_text(st, 7), "decided_role", pvg_store_col_text(st, 8),
                     "proposed", parse_or_null(pvg_store_col_text(st, 9)), "created_at",
                     (json_int_t)pvg_store_col_int(st, 10), "appeal_id", int_or_null(st, 11),
                     "appeal_state", text_or_null(st, 12));
}

static json_t *row_sanction(pvg_stmt_t *st)
{
    return json_pack("{s:I, s:s, s:o, s:o, s:I, s:o, s:s, s:o, s:o, s:s, s:I}", "id",
                     (json_int_t)pvg_store_col_int(st, 0), "scope", pvg_store_col_text(st, 1),
                     "container", text_or_null(st, 2), "object", text_or_null(st, 3),
                     "starts_at", (json_int_t)pvg_store_col_int(st, 4), "ends_at",
                     int_or_null(st, 5), "state", pvg_store_col_text(st, 6), "decision_id",
                     int_or_null(st, 7), "notice_id", int_or_null(st, 8), "created_by",
                     pvg_store_col_text(st, 9), "updated_at",
                     (json_int_t)pvg_store_col_int(st, 10));
}

static json_t *row_strike(pvg_stmt_t *st)
{
    return json_pack("{s:I, s:I, s:I, s:s, s:I, s:I}", "id", (json_int_t)pvg_store_col_int(st, 0),
                     "decision_id", (json_int_t)pvg_store_col_int(st, 1), "count",
                     (json_int_t)pvg_store_col_int(st, 2), "state", pvg_store_col_text(st, 3),
                     "created_at", (json_int_t)pvg_store_col_int(st, 4), "expires_at",
                     (json_int_t)pvg_store_col_int(st, 5));
}

static json_t *row_report(pvg_stmt_t *st)
{
    return json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:I}", "id",
                     (json_int_t)pvg_store_col_int(st, 0), "case_id", int_or_null(st, 1),
                     "reporter", pvg_store_col_text(st, 2), "subject_type",
                     pvg_store_col_text(st, 3), "subject_id", pvg_store_col_text(st, 4), "reason",
                     pvg_store_col_text(st, 5), "status", pvg_store_col_text(st, 6), "created_at",
                     (json_int_t)pvg_store_col_int(st, 7));
}

int pvg__view_history(pvg_enforce_t *e, const pvg_actor_t *a, const char *account, char **json)
{
    int rc = pvg__role_check(a, R(TRIAGE) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!json || !account || !pvg__valid_id(account))
        return PVG_ENF_EINVAL;
    int64_t now = pvg_enforce_now(e);
    json_t *o = json_pack("{s:s, s:[], s:[], s:[], s:[], s:[]}", "account", account, "cases",
                          "reports", "decisions", "sanctions", "strikes");
    if (!o)
        return PVG_ENF_ENOMEM;
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st = NULL;
    rc = pvg_store_q(s, &st,
                     "SELECT id, status, priority, reporters, top_category, opened_at, updated_at,"
                     " closed_at FROM cases WHERE account = ? ORDER BY id",
                     "t", account);
    rc = collect(rc, st, json_object_get(o, "cases"), row_case);
    if (!rc) {
        rc = pvg_store_q(s, &st,
                         "SELECT id, case_id, reporter, subject_type, subject_id, reason, status,"
                         " created_at FROM reports WHERE account = ? ORDER BY id DESC LIMIT ?",
                         "ti", account, (int64_t)200);
        rc = collect(rc, st, json_object_get(o, "reports"), row_report);
    }
    if (!rc) {
        rc = pvg_store_q(s, &st,
                         "SELECT d.id, d.case_id, d.outcome, d.categories, d.severity, d.strikes,"
                         " d.automated, d.decided_by, d.decided_role, d.proposed, d.created_at,"
                         " a.id, a.state FROM decisions d LEFT JOIN appeals a"
                         " ON a.decision_id = d.id WHERE d.account = ? ORDER BY d.id",
                         "t", account);
        rc = collect(rc, st, json_object_get(o, "decisions"), row_decision);
    }
    if (!rc) {
        rc = pvg_store_q(s, &st,
                         "SELECT id, scope, container, object, starts_at, ends_at, state,"
                         " decision_id, notice_id, created_by, updated_at FROM sanctions"
                         " WHERE account = ? ORDER BY id",
                         "t", account);
        rc = collect(rc, st, json_object_get(o, "sanctions"), row_sanction);
    }
    if (!rc) {
        rc = pvg_store_q(s, &st,
                         "SELECT id, decision_id, count, state, created_at, expires_at"
                         " FROM strikes WHERE account = ? ORDER BY id",
                         "t", account);
        rc = collect(rc, st, json_object_get(o, "strikes"), row_strike);
    }
    int64_t active = 0;
    if (!rc) {
        rc = pvg_store_x_int(s, &active,
                             "SELECT COALESCE(SUM(count), 0) FROM strikes WHERE account = ?"
                             " AND state = 'active' AND expires_at > ?",
                             "ti", account, now);
        rc = rc < 0 ? rc : PVG_ENF_OK;
    }
    pvg__release(e, s);
    if (rc) {
        json_decref(o);
        return rc;
    }
    /* Whether each sanction applies now, as the check would answer. */
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(o, "sanctions"), i, x)
    {
        const char *state = json_string_value(json_object_get(x, "state"));
        json_int_t starts = json_integer_value(json_object_get(x, "starts_at"));
        json_t *ends = json_object_get(x, "ends_at");
        int applies = state && (!strcmp(state, "active") || !strcmp(state, "scheduled")) &&
                      starts <= now && (json_is_null(ends) || json_integer_value(ends) > now);
        json_object_set_new(x, "applies_now", json_boolean(applies));
    }
    json_object_set_new(o, "active_strikes", json_integer(active));
    json_object_set_new(o, "as_of", json_integer(now));
    return out_json(o, json);
}

/* ----------------------------------------------------------- proposal */

int pvg__view_proposal(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id,
                       const char *const *cats_in, size_t n_cats, const char *severity,
                       char **json)
{
    int rc = pvg__role_check(a, R(TRIAGE) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    int sev = !severity                     ? 1
              : !strcmp(severity, "low")    ? 0
              : !strcmp(severity, "medium") ? 1
              : !strcmp(severity, "high")   ? 2
                                            : -1;
    if (!json || sev < 0 || n_cats > 9)
        return PVG_ENF_EINVAL;
    for (size_t i = 0; i < n_cats; i++)
        if (!pvg__valid_category(cats_in[i]))
            return PVG_ENF_EINVAL;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st;
    char account[300] = "", status[16] = "", top[64] = "";
    rc = pvg_store_q(s, &st, "SELECT account, status, top_category FROM cases WHERE id = ?", "i",
                     case_id);
    if (!rc) {
        rc = pvg_store_step(st);
        if (rc == PVG_STORE_ROW) {
            snprintf(account, sizeof account, "%s", pvg_store_col_text(st, 0));
            snprintf(status, sizeof status, "%s", pvg_store_col_text(st, 1));
            const char *t = pvg_store_col_text(st, 2);
            snprintf(top, sizeof top, "%s", t ? t : "");
        }
        pvg_store_finalize(st);
    }
    int64_t current = 0;
    if (rc == PVG_STORE_ROW) {
        rc = pvg_store_x_int(s, &current,
                             "SELECT COALESCE(SUM(count), 0) FROM strikes WHERE account = ?"
                             " AND state = 'active' AND expires_at > ?",
                             "ti", account, now);
        rc = rc < 0 ? rc : PVG_ENF_OK;
    } else if (rc == PVG_STORE_DONE) {
        rc = PVG_ENF_ENOTFOUND;
    }
    pvg__release(e, s);
    if (rc)
        return rc;
    /* Without categories, the case's top category (what reporters said). */
    const char *cats[9];
    size_t n = n_cats;
    for (size_t i = 0; i < n_cats; i++)
        cats[i] = cats_in[i];
    if (!n && top[0] && pvg__valid_category(top))
        cats[n++] = top;
    if (!n)
        return PVG_ENF_EINVAL;
    static const char *const sevn[3] = {"low", "medium", "high"};
    int64_t add = pvg__ladder_strikes(&e->ladder, cats, n, sev);
    int64_t total = current + add;
    const ladder_step_t *step = pvg__ladder_step(&e->ladder, total);
    json_t *jc = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(jc, json_string(cats[i]));
    json_t *sanction = json_null();
    int needs_admin = 0;
    if (step) {
        needs_admin = step->duration_ms == 0 || step->scope == PVG_SCOPE_ACCOUNT_CREATION;
        sanction = json_pack("{s:s, s:I, s:b, s:o}", "scope", pvg_scope_name(step->scope),
                             "duration_ms", (json_int_t)step->duration_ms, "permanent",
                             step->duration_ms == 0, "ends_at",
                             step->duration_ms ? json_integer(now + step->duration_ms)
                                               : json_null());
    }
    json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:I, s:I, s:I, s:o, s:b, s:I}", "case_id",
                          (json_int_t)case_id, "account", account, "case_status", status,
                          "categories", jc, "severity", sevn[sev], "strikes_now",
                          (json_int_t)current, "strikes_added", (json_int_t)add, "strikes_total",
                          (json_int_t)total, "sanction", sanction, "needs_admin", needs_admin,
                          "as_of", (json_int_t)now);
    return out_json(o, json);
}

/* ------------------------------------------------------------- queues */

static json_t *row_appeal(pvg_stmt_t *st)
{
    return json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:o, s:o, s:I, s:o, s:o}", "id",
                     (json_int_t)pvg_store_col_int(st, 0), "decision_id",
                     (json_int_t)pvg_store_col_int(st, 1), "case_id",
                     (json_int_t)pvg_store_col_int(st, 2), "account", pvg_store_col_text(st, 3),
                     "filed_by", pvg_store_col_text(st, 4), "state", pvg_store_col_text(st, 5),
                     "resolved_by", text_or_null(st, 6), "decided_by", text_or_null(st, 7),
                     "filed_at", (json_int_t)pvg_store_col_int(st, 8), "resolved_at",
                     int_or_null(st, 9), "statement", text_or_null(st, 10));
}

int pvg__view_appeals(pvg_enforce_t *e, const pvg_actor_t *a, const char *state, int limit,
                      char **json)
{
    static const char *const ok[] = {"filed", "upheld", "overturned", "modified", "all", NULL};
    int rc = pvg__role_check(a, R(TRIAGE) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!state || !strcmp(state, "open"))
        state = "filed";
    int valid = 0;
    for (size_t i = 0; ok[i]; i++)
        valid |= !strcmp(state, ok[i]);
    if (!json || !valid || limit <= 0)
        return PVG_ENF_EINVAL;
    json_t *arr = json_array();
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st = NULL;
    rc = pvg_store_q(s, &st,
                     "SELECT a.id, a.decision_id, d.case_id, d.account, a.filed_by, a.state,"
                     " a.resolved_by, d.decided_by, a.filed_at, a.resolved_at, a.statement"
                     " FROM appeals a JOIN decisions d ON d.id = a.decision_id"
                     " WHERE (a.state = ? OR ? = 1) ORDER BY a.filed_at, a.id LIMIT ?",
                     "tii", state, (int64_t)!strcmp(state, "all"), (int64_t)limit);
    rc = collect(rc, st, arr, row_appeal);
    pvg__release(e, s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    return out_json(arr, json);
}

static json_t *row_notice(pvg_stmt_t *st)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:I, s:I}", "id",
                     (json_int_t)pvg_store_col_int(st, 0), "requester", pvg_store_col_text(st, 1),
                     "object", pvg_store_col_text(st, 2), "poster", pvg_store_col_text(st, 3),
                     "requested_days", (json_int_t)pvg_store_col_int(st, 4), "state",
                     pvg_store_col_text(st, 5), "blinded_at", int_or_null(st, 6), "deadline",
                     int_or_null(st, 7), "sanction_id", int_or_null(st, 8), "handled_by",
                     text_or_null(st, 9), "created_at", (json_int_t)pvg_store_col_int(st, 10),
                     "updated_at", (json_int_t)pvg_store_col_int(st, 11));
}

int pvg__view_notices(pvg_enforce_t *e, const pvg_actor_t *a, const char *state, int limit,
                      char **json)
{
    static const char *const ok[] = {"requested", "blinded", "restored", "deleted",
                                     "withdrawn", "open",    "all",      NULL};
    int rc = pvg__role_check(a, R(TRIAGE) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!state)
        state = "open";
    int valid = 0;
    for (size_t i = 0; ok[i]; i++)
        valid |= !strcmp(state, ok[i]);
    if (!json || !valid || limit <= 0)
        return PVG_ENF_EINVAL;
    /* open = requested or blinded: the ones that still need a step */
    int64_t mode = !strcmp(state, "all") ? 2 : !strcmp(state, "open") ? 1 : 0;
    json_t *arr = json_array();
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st = NULL;
    rc = pvg_store_q(s, &st,
                     "SELECT id, requester, object, poster, requested_days, state, blinded_at,"
                     " deadline, sanction_id, handled_by, created_at, updated_at FROM notices"
                     " WHERE (? = 2 OR (? = 1 AND state IN ('requested', 'blinded'))"
                     " OR state = ?) ORDER BY created_at, id LIMIT ?",
                     "iiti", mode, mode, state, (int64_t)limit);
    rc = collect(rc, st, arr, row_notice);
    pvg__release(e, s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    return out_json(arr, json);
}

static json_t *row_audit(pvg_stmt_t *st)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "seq",
                     (json_int_t)pvg_store_col_int(st, 0), "ts",
                     (json_int_t)pvg_store_col_int(st, 1), "actor", pvg_store_col_text(st, 2),
                     "role", pvg_store_col_text(st, 3), "action", pvg_store_col_text(st, 4),
                     "object_type", pvg_store_col_text(st, 5), "object_id",
                     pvg_store_col_text(st, 6), "ip", text_or_null(st, 7), "reason",
                     text_or_null(st, 8), "detail", parse_or_null(pvg_store_col_text(st, 9)),
                     "hash", pvg_store_col_text(st, 10));
}

/* One page of the audit log: entries after `after` oldest first, or before
 * `before` newest first (before > 0). The role is checked before the
 * arguments (valid = 0: bad arguments). */
static int audit_page(pvg_enforce_t *e, const pvg_actor_t *a, int64_t after, int64_t before,
                      int limit, int valid, char **json)
{
    int rc = pvg__role_check(a, R(ADMIN));
    if (rc)
        return rc;
    if (!json || limit <= 0 || !valid)
        return PVG_ENF_EINVAL;
    json_t *arr = json_array();
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st = NULL;
    rc = pvg_store_q(s, &st,
                     before ? "SELECT seq, ts, actor, role, action, object_type, object_id, ip,"
                              " reason, detail, hash FROM audit WHERE seq < ? ORDER BY seq DESC"
                              " LIMIT ?"
                            : "SELECT seq, ts, actor, role, action, object_type, object_id, ip,"
                              " reason, detail, hash FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
                     "ii", before ? before : after, (int64_t)limit);
    rc = collect(rc, st, arr, row_audit);
    pvg__release(e, s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    return out_json(arr, json);
}

int pvg__view_audit(pvg_enforce_t *e, const pvg_actor_t *a, int64_t after, int limit,
                    char **json)
{
    return audit_page(e, a, after, 0, limit, after >= 0, json);
}

int pvg__view_audit_before(pvg_enforce_t *e, const pvg_actor_t *a, int64_t before, int limit,
                           char **json)
{
    return audit_page(e, a, 0, before, limit, before >= 1, json);
}

int pvg__outbox_pending(pvg_enforce_t *e, int64_t *n)
{
    pvg_store_t *s = pvg__acquire(e);
    int rc = pvg_store_x_int(s, n, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL", "");
    pvg__release(e, s);
    return rc < 0 ? rc : PVG_ENF_OK;
}
