/* SPDX-License-Identifier: MIT */
/*
 * actions.c -- decisions, sanctions, appeals and rights notices.
 *
 * Each function is one state machine transition in one write transaction:
 * read the current state, refuse an invalid transition (invalid_transition)
 * or a repeat (already_in_state), write the new state, the audit entry and
 * the outbound events, commit, then bring the sanction cache up to date.
 *
 * A sanction's stored state is its record; whether it applies is decided
 * by its window against the clock: an active sanction whose end has passed
 * is expired for every purpose even before the scheduler records it.
 */
#include "enforce/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state a sanction is in now, from its record and its window. */
static const char *effective_state(const char *state, int64_t starts, int has_end, int64_t ends,
                                   int64_t now)
{
    if (strcmp(state, "active") && strcmp(state, "scheduled"))
        return state;
    if (has_end && now >= ends)
        return "expired";
    return now < starts ? "scheduled" : "active";
}

int pvg__sanction_insert(pvg_enforce_t *e, pvg_store_t *s, const char *account,
                         pvg_scope_t scope, const char *container, const char *object,
                         int64_t starts, int64_t ends, int64_t decision_id, int64_t notice_id,
                         const char *by, int64_t *id)
{
    int64_t now = pvg_enforce_now(e), rev = 0;
    int rc = pvg__next_rev(s, &rev);
    if (rc)
        return rc;
    rc = pvg_store_x_int(s, id,
                         "INSERT INTO sanctions (account, scope, container, object, starts_at,"
                         " ends_at, state, decision_id, notice_id, created_by, created_at,"
                         " updated_at, rev) VALUES (?, ?, ?, ?, ?, NULLIF(?, 0), ?,"
                         " NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?) RETURNING id",
                         "ttttiitiitiii", account, pvg_scope_name(scope), container, object,
                         starts, ends, starts > now ? "scheduled" : "active", decision_id,
                         notice_id, by, now, now, rev);
    if (rc != PVG_STORE_ROW)
        return rc < 0 ? rc : PVG_ENF_ESTORE;
    return PVG_ENF_OK;
}

/* ------------------------------------------------------------- decide */

static int validate_decision(const pvg_actor_t *a, const pvg_decision_in_t *in, int *violation,
                             int *sev)
{
    if (!in || !in->outcome)
        return PVG_ENF_EINVAL;
    if (!strcmp(in->outcome, "violation"))
        *violation = 1;
    else if (!strcmp(in->outcome, "no_violation"))
        *violation = 0;
    else
        return PVG_ENF_EINVAL;
    int rc = pvg__role_check(a, *violation ? (R(MODERATOR) | R(ADMIN))
                                           : (R(TRIAGE) | R(MODERATOR) | R(ADMIN)));
    if (rc)
        return rc;
    *sev = in->severity ? (!strcmp(in->severity, "low")      ? 0
                           : !strcmp(in->severity, "medium") ? 1
                           : !strcmp(in->severity, "high")   ? 2
                                                             : -1)
                        : 1;
    if (*sev < 0 || in->n_sanctions > PVG_MAX_DECISION_SANCTIONS ||
        (in->n_sanctions && !in->sanctions) || in->strikes < -1 || in->strikes > 100 ||
        (in->note && strlen(in->note) > 2000) || in->n_categories > 9 ||
        (in->n_categories && !in->categories))
        return PVG_ENF_EINVAL;
    if (*violation && !in->n_categories)
        return PVG_ENF_EINVAL;
    if (!*violation && in->n_sanctions)
        return PVG_ENF_EINVAL;
    if (in->private_media) {
        int pii = 0;
        for (size_t i = 0; i < in->n_categories; i++)
            pii |= in->categories[i] && !strcmp(in->categories[i], "pii_exposure");
        if (!*violation || !pii || in->private_media != 1)
            return PVG_ENF_EINVAL;
    }
    for (size_t i = 0; i < in->n_categories; i++)
        if (!pvg__valid_category(in->categories[i]))
            return PVG_ENF_EINVAL;
    for (size_t i = 0; i < in->n_sanctions; i++) {
        const pvg_sanction_in_t *x = &in->sanctions[i];
        if (x->scope < PVG_SCOPE_MESSAGE_SEND || x->scope > PVG_SCOPE_SERVICE ||
            (x->container && !pvg__valid_id(x->container)) ||
            (x->object && !pvg__valid_id(x->object)) || x->starts_at < 0 || x->duration_ms < 0 ||
            (x->scope == PVG_SCOPE_POST_VISIBILITY && !x->object))
            return PVG_ENF_EINVAL;
        if ((x->duration_ms == 0 || x->scope == PVG_SCOPE_ACCOUNT_CREATION) &&
            a->role != PVG_ROLE_ADMIN)
            return PVG_ENF_EFORBIDDEN;
    }
    return PVG_ENF_OK;
}

int pvg_case_decide(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id,
                    const pvg_decision_in_t *in, pvg_decision_out_t *out)
{
    int violation = 0, sev = 1;
    int rc = validate_decision(a, in, &violation, &sev);
    if (rc)
        return rc;
    if (!out)
        return PVG_ENF_EINVAL;
    memset(out, 0, sizeof *out);
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    json_t *cats = json_array(), *reporters = json_array(), *sanc = json_array(),
           *proposed = NULL;
    for (size_t i = 0; i < in->n_categories; i++)
        json_array_append_new(cats, json_string(in->categories[i]));
    char *ctext = json_dumps(cats, JSON_COMPACT);
    rc = ctext ? pvg_store_begin(s) : PVG_ENF_ENOMEM;
    if (rc)
        goto out;
    pvg_stmt_t *st;
    char account[300] = "", status[16] = "";
    rc = pvg_store_q(s, &st, "SELECT account, status FROM cases WHERE id = ?", "i", case_id);
    if (rc)
        goto out;
    if ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        snprintf(account, sizeof account, "%s", pvg_store_col_text(st, 0));
        snprintf(status, sizeof status, "%s", pvg_store_col_text(st, 1));
    }
    pvg_store_finalize(st);
    if (rc == PVG_STORE_DONE)
        rc = PVG_ENF_ENOTFOUND;
    if (rc < 0)
        goto out;
    if (!strcmp(status, "closed")) {
        rc = PVG_ENF_EALREADY;
        goto out;
    }
    int64_t strikes = 0;
    if (violation)
        strikes = in->strikes >= 0 ? in->strikes
                                   : pvg__ladder_strikes(&e->ladder, in->categories,
                                                         in->n_categories, sev);
    static const char *const sevn[3] = {"low", "medium", "high"};
    int64_t did = 0;
    rc = pvg_store_x_int(s, &did,
                         "INSERT INTO decisions (case_id, account, outcome, categories, severity,"
                         " strikes, automated, decided_by, decided_role, note, created_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) RETURNING id",
                         "ittttittti", case_id, account,
                         in->outcome, ctext, violation ? sevn[sev] : NULL, strikes, a->id,
                         pvg_role_name(a->role), in->note, now);
    if (rc != PVG_STORE_ROW) {
        rc = rc < 0 ? rc : PVG_ENF_ESTORE;
        goto out;
    }
    rc = PVG_ENF_OK;
    out->decision_id = did;
    if (violation && strikes > 0) {
        int64_t r = pvg_store_x(s,
                                "INSERT INTO strikes (account, decision_id, count, state,"
                                " created_at, expires_at) VALUES (?, ?, ?, 'active', ?, ?)",
                                "tiiii", account, did, strikes, now,
                                now + e->ladder.strike_ttl_ms);
        if (r < 0) {
            rc = (int)r;
            goto out;
        }
    }
    rc = pvg_store_x_int(s, &out->strikes_total,
                         "SELECT COALESCE(SUM(count), 0) FROM strikes WHERE account = ?"
                         " AND state = 'active' AND expires_at > ?",
                         "ti", account, now);
    if (rc < 0)
        goto out;
    rc = PVG_ENF_OK;
    if (violation) {
        pvg_sanction_in_t ladder_one;
        const pvg_sanction_in_t *list = in->sanctions;
        size_t n = in->n_sanctions;
        if (!n) {
            const ladder_step_t *step = pvg__ladder_step(&e->ladder, out->strikes_total);
            if (step) {
                ladder_one = (pvg_sanction_in_t){.scope = step->scope,
                                                 .duration_ms = step->duration_ms};
                if (step->duration_ms == 0 && a->role != PVG_ROLE_ADMIN) {
                    out->proposed = 1;
                    proposed = json_pack("{s:s, s:n, s:I, s:s}", "scope",
                                         pvg_scope_name(step->scope), "ends_at", "strikes",
                                         (json_int_t)out->strikes_total, "needs", "admin");
                } else {
                    list = &ladder_one;
                    n = 1;
                }
            }
        }
        for (size_t i = 0; !rc && i < n; i++) {
            int64_t starts = list[i].starts_at ? list[i].starts_at : now;
            int64_t ends = list[i].duration_ms ? starts + list[i].duration_ms : 0;
            int64_t sid = 0;
            rc = pvg__sanction_insert(e, s, account, list[i].scope, list[i].container,
                                      list[i].object, starts, ends, did, 0, a->id, &sid);
            if (rc)
                break;
            out->sanction_ids[out->n_sanctions++] = sid;
            json_array_append_new(
                sanc, json_pack("{s:I, s:s, s:o, s:o, s:I, s:o}", "id", (json_int_t)sid, "scope",
                                pvg_scope_name(list[i].scope), "container",
                                list[i].container ? json_string(list[i].container) : json_null(),
                                "object",
                                list[i].object ? json_string(list[i].object) : json_null(),
                                "starts_at", (json_int_t)starts, "ends_at",
                                ends ? json_integer(ends) : json_null()));
            rc = pvg__audit(e, s, a, "sanction.created", "sanction", sid, NULL,
                            json_pack("{s:s, s:I}", "scope", pvg_scope_name(list[i].scope),
                                      "decision_id", (json_int_t)did));
        }
        if (rc)
            goto out;
    }
    if (proposed) {
        char *p = json_dumps(proposed, JSON_COMPACT);
        int64_t r = p ? pvg_store_x(s, "UPDATE decisions SET proposed = ? WHERE id = ?", "ti", p,
                                    did)
                      : PVG_ENF_ENOMEM;
        free(p);
        if (r < 0) {
            rc = (int)r;
            goto out;
        }
    }
    if (in->private_media) {
        /* before the reports are marked actioned: the media of the reports
         * this decision closes */
        rc = pvg__media_bank_from_case(e, s, a, case_id, did, now, &out->bank_entries);
        if (rc)
            goto out;
    }
    rc = pvg_store_q(s, &st,
                     "SELECT DISTINCT reporter FROM reports WHERE case_id = ? AND status = 'open'",
                     "i", case_id);
    while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW)
        json_array_append_new(reporters, json_string(pvg_store_col_text(st, 0)));
    pvg_store_finalize(st);
    if (rc < 0)
        goto out;
    int64_t r = pvg_store_x(s, "UPDATE reports SET status = ? WHERE case_id = ? AND status = 'open'",
                            "ti", violation ? "actioned" : "dismissed", case_id);
    if (r >= 0)
        r = pvg_store_x(s,
                        "UPDATE cases SET status = ?, closed_at = NULLIF(?, 0), updated_at = ?"
                        " WHERE id = ?",
                        "tiii", out->proposed ? "escalated" : "closed", out->proposed ? 0 : now,
                        now, case_id);
    if (r < 0) {
        rc = (int)r;
        goto out;
    }
    rc = pvg__audit(e, s, a, "case.decided", "case", case_id, NULL,
                    json_pack("{s:I, s:s, s:O, s:I, s:I, s:b, s:b, s:I}", "decision_id",
                              (json_int_t)did, "outcome", in->outcome, "categories", cats,
                              "strikes", (json_int_t)strikes, "sanctions",
                              (json_int_t)out->n_sanctions, "proposed", out->proposed,
                              "private_media", in->private_media != 0, "bank_entries",
                              (json_int_t)out->bank_entries));
    if (!rc)
        rc = pvg__outbox(e, s, "decision.made", account,
                         json_pack("{s:I, s:s, s:O, s:O, s:o, s:b, s:I}", "decision_id",
                                   (json_int_t)did, "outcome", in->outcome, "categories", cats,
                                   "sanctions", sanc, "note",
                                   in->note ? json_string(in->note) : json_null(), "automated", 0,
                                   "strikes", (json_int_t)out->strikes_total));
    size_t i;
    json_t *rep;
    json_array_foreach(reporters, i, rep)
    {
        if (rc)
            break;
        rc = pvg__outbox(e, s, "report.resolved", json_string_value(rep),
                         json_pack("{s:I, s:s}", "case_id", (json_int_t)case_id, "outcome",
                                   violation ? "action_taken" : "no_action"));
    }
    if (!rc)
        rc = pvg__commit_sync(e, s);
out:
    pvg_store_rollback(s);
    pvg__release(e, s);
    free(ctext);
    json_decref(cats);
    json_decref(reporters);
    json_decref(sanc);
    json_decref(proposed);
    return rc;
}

/* ---------------------------------------------------------- sanctions */

int pvg_sanction_list(pvg_enforce_t *e, const pvg_actor_t *a, const char *account, char **json)
{
    int rc = pvg__role_check(a, R(SERVICE) | R(TRIAGE) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!json || (account && !pvg__valid_id(account)))
        return PVG_ENF_EINVAL;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st;
    rc = account ? pvg_store_q(s, &st,
                               "SELECT id, account, scope, container, object, starts_at, ends_at,"
                               " state, decision_id, notice_id, created_by FROM sanctions"
                               " WHERE account = ? ORDER BY id",
                               "t", account)
                 : pvg_store_q(s, &st,
                               "SELECT id, account, scope, container, object, starts_at, ends_at,"
                               " state, decision_id, notice_id, created_by FROM sanctions"
                               " WHERE state IN ('active', 'scheduled') AND starts_at <= ?"
                               " AND (ends_at IS NULL OR ends_at > ?) ORDER BY id",
                               "ii", now, now);
    json_t *arr = json_array();
    while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        int has_end = !pvg_store_col_null(st, 6);
        const char *c = pvg_store_col_text(st, 3), *o = pvg_store_col_text(st, 4);
        json_array_append_new(
            arr,
            json_pack("{s:I, s:s, s:s, s:o, s:o, s:I, s:o, s:s, s:s, s:o, s:o, s:s}", "id",
                      (json_int_t)pvg_store_col_int(st, 0), "account", pvg_store_col_text(st, 1),
                      "scope", pvg_store_col_text(st, 2), "container",
                      c ? json_string(c) : json_null(), "object", o ? json_string(o) : json_null(),
                      "starts_at", (json_int_t)pvg_store_col_int(st, 5), "ends_at",
                      has_end ? json_integer(pvg_store_col_int(st, 6)) : json_null(), "state",
                      pvg_store_col_text(st, 7), "effective_state",
                      effective_state(pvg_store_col_text(st, 7), pvg_store_col_int(st, 5), has_end,
                                      pvg_store_col_int(st, 6), now),
                      "decision_id",
                      pvg_store_col_null(st, 8) ? json_null()
                                                : json_integer(pvg_store_col_int(st, 8)),
                      "notice_id",
                      pvg_store_col_null(st, 9) ? json_null()
                                                : json_integer(pvg_store_col_int(st, 9)),
                      "created_by", pvg_store_col_text(st, 10)));
    }
    pvg_store_finalize(st);
    pvg__release(e, s);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    return pvg__json_out(arr, json);
}

int pvg_sanction_revoke(pvg_enforce_t *e, const pvg_actor_t *a, int64_t sanction_id,
                        const char *note)
{
    int rc = pvg__role_check(a, R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (note && strlen(note) > 2000)
        return PVG_ENF_EINVAL;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (rc)
        goto out;
    pvg_stmt_t *st;
    rc = pvg_store_q(s, &st,
                     "SELECT account, state, starts_at, ends_at, scope FROM sanctions WHERE id = ?",
                     "i", sanction_id);
    if (rc)
        goto out;
    char account[300] = "", eff[16] = "";
    int permanent = 0;
    if ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        snprintf(account, sizeof account, "%s", pvg_store_col_text(st, 0));
        permanent = pvg_store_col_null(st, 3);
        snprintf(eff, sizeof eff, "%s",
                 effective_state(pvg_store_col_text(st, 1), pvg_store_col_int(st, 2), !permanent,
                                 pvg_store_col_int(st, 3), now));
    }
    pvg_store_finalize(st);
    if (rc == PVG_STORE_DONE)
        rc = PVG_ENF_ENOTFOUND;
    if (rc < 0)
        goto out;
    if (!strcmp(eff, "revoked")) {
        rc = PVG_ENF_EALREADY;
        goto out;
    }
    if (strcmp(eff, "active") && strcmp(eff, "scheduled")) {
        rc = PVG_ENF_ETRANSITION;
        goto out;
    }
    if (permanent && a->role != PVG_ROLE_ADMIN) {
        rc = PVG_ENF_EFORBIDDEN;
        goto out;
    }
    int64_t rev;
    rc = pvg__next_rev(s, &rev);
    if (rc)
        goto out;
    int64_t r = pvg_store_x(s,
                            "UPDATE sanctions SET state = 'revoked', updated_at = ?, rev = ?"
                            " WHERE id = ?",
                            "iii", now, rev, sanction_id);
    rc = r < 0 ? (int)r
               : pvg__audit(e, s, a, "sanction.revoked", "sanction", sanction_id, note, NULL);
    if (!rc)
        rc = pvg__outbox(e, s, "sanction.revoked", account,
                         json_pack("{s:I}", "sanction_id", (json_int_t)sanction_id));
    if (!rc)
        rc = pvg__commit_sync(e, s);
out:
    pvg_store_rollback(s);
    pvg__release(e, s);
    return rc;
}

/* ------------------------------------------------------------ appeals */

int pvg_appeal_file(pvg_enforce_t *e, const pvg_actor_t *a, int64_t decision_id,
                    const char *statement, int64_t *appeal_id)
{
    int rc = pvg__role_check(a, R(SERVICE) | R(REPORTER_APP) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!appeal_id || (statement && strlen(statement) > 4000))
        return PVG_ENF_EINVAL;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (rc)
        goto out;
    pvg_stmt_t *st;
    rc = pvg_store_q(s, &st,
                     "SELECT d.outcome, d.created_at, d.account, a.id FROM decisions d"
                     " LEFT JOIN appeals a ON a.decision_id = d.id WHERE d.id = ?",
                     "i", decision_id);
    if (rc)
        goto out;
    char outcome[16] = "", account[300] = "";
    int64_t created = 0, existing = 0;
    if ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        snprintf(outcome, sizeof outcome, "%s", pvg_store_col_text(st, 0));
        created = pvg_store_col_int(st, 1);
        snprintf(account, sizeof account, "%s", pvg_store_col_text(st, 2));
        existing = pvg_store_col_int(st, 3);
    }
    pvg_store_finalize(st);
    if (rc == PVG_STORE_DONE)
        rc = PVG_ENF_ENOTFOUND;
    if (rc < 0)
        goto out;
    if (existing) {
        *appeal_id = existing;
        rc = PVG_ENF_EALREADY;
        goto out;
    }
    if (!strcmp(outcome, "no_violation") ||
        now > created + (int64_t)e->o.appeal_window_days * DAY_MS) {
        rc = PVG_ENF_ETRANSITION;
        goto out;
    }
    rc = pvg_store_x_int(s, appeal_id,
                         "INSERT INTO appeals (decision_id, filed_by, statement, state, filed_at)"
                         " VALUES (?, ?, ?, 'filed', ?) RETURNING id",
                         "itti", decision_id, a->id, statement, now);
    if (rc != PVG_STORE_ROW) {
        rc = rc < 0 ? rc : PVG_ENF_ESTORE;
        goto out;
    }
    rc = pvg__audit(e, s, a, "appeal.filed", "appeal", *appeal_id, NULL,
                    json_pack("{s:I}", "decision_id", (json_int_t)decision_id));
    if (!rc)
        rc = pvg__outbox(e, s, "appeal.filed", account,
                         json_pack("{s:I, s:I}", "appeal_id", (json_int_t)*appeal_id,
                                   "decision_id", (json_int_t)decision_id));
    if (!rc)
        rc = pvg_store_commit(s);
out:
    pvg_store_rollback(s);
    pvg__release(e, s);
    return rc;
}

int pvg_appeal_resolve(pvg_enforce_t *e, const pvg_actor_t *a, int64_t appeal_id,
                       const char *outcome, int64_t new_duration_ms, const char *note)
{
    int rc = pvg__role_check(a, R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!outcome || (strcmp(outcome, "upheld") && strcmp(outcome, "overturned") &&
                     strcmp(outcome, "modified")) ||
        (!strcmp(outcome, "modified") && new_duration_ms <= 0) ||
        (note && strlen(note) > 2000))
        return PVG_ENF_EINVAL;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (rc)
        goto out;
    pvg_stmt_t *st;
    rc = pvg_store_q(s, &st,
                     "SELECT a.state, a.decision_id, d.decided_by, d.account, a.filed_by"
                     " FROM appeals a JOIN decisions d ON d.id = a.decision_id WHERE a.id = ?",
                     "i", appeal_id);
    if (rc)
        goto out;
    char state[16] = "", decider[300] = "", account[300] = "", filer[300] = "";
    int64_t did = 0;
    if ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        snprintf(state, sizeof state, "%s", pvg_store_col_text(st, 0));
        did = pvg_store_col_int(st, 1);
        snprintf(decider, sizeof decider, "%s", pvg_store_col_text(st, 2));
        snprintf(account, sizeof account, "%s", pvg_store_col_text(st, 3));
        snprintf(filer, sizeof filer, "%s", pvg_store_col_text(st, 4));
    }
    pvg_store_finalize(st);
    if (rc == PVG_STORE_DONE)
        rc = PVG_ENF_ENOTFOUND;
    if (rc < 0)
        goto out;
    if (!strcmp(state, outcome)) {
        rc = PVG_ENF_EALREADY;
        goto out;
    }
    if (strcmp(state, "filed")) {
        rc = PVG_ENF_ETRANSITION;
        goto out;
    }
    if (!strcmp(decider, a->id)) {
        rc = PVG_ENF_EFORBIDDEN; /* someone other than the decider reviews */
        goto out;
    }
    int64_t rev = 0, r = 0;
    rc = pvg__next_rev(s, &rev);
    if (rc)
        goto out;
    if (!strcmp(outcome, "overturned")) {
        r = pvg_store_x(s,
                        "UPDATE sanctions SET state = 'overturned', updated_at = ?, rev = ?"
                        " WHERE decision_id = ? AND state IN ('active', 'scheduled')",
                        "iii", now, rev, did);
        if (r >= 0)
            r = pvg_store_x(s,
                            "UPDATE strikes SET state = 'reversed' WHERE decision_id = ?"
                            " AND state = 'active'",
                            "i", did);
    } else if (!strcmp(outcome, "modified")) {
        r = pvg_store_x(s,
                        "UPDATE sanctions SET ends_at = starts_at + ?, updated_at = ?, rev = ?"
                        " WHERE decision_id = ? AND state IN ('active', 'scheduled')",
                        "iiii", new_duration_ms, now, rev, did);
    }
    if (r >= 0)
        r = pvg_store_x(s,
                        "UPDATE appeals SET state = ?, resolved_by = ?, note = ?, resolved_at = ?"
                        " WHERE id = ?",
                        "tttii", outcome, a->id, note, now, appeal_id);
    if (r < 0) {
        rc = (int)r;
        goto out;
    }
    rc = pvg__audit(e, s, a, "appeal.resolved", "appeal", appeal_id, NULL,
                    json_pack("{s:s, s:I}", "outcome", outcome, "decision_id", (json_int_t)did));
    if (!rc)
        rc = pvg__outbox(e, s, "appeal.resolved", account,
                         json_pack("{s:I, s:I, s:s, s:o}", "appeal_id", (json_int_t)appeal_id,
                                   "decision_id", (json_int_t)did, "outcome", outcome, "note",
                                   note ? json_string(note) : json_null()));
    if (!rc && strcmp(filer, account))
        rc = pvg__outbox(e, s, "appeal.resolved", filer,
                         json_pack("{s:I, s:s}", "appeal_id", (json_int_t)appeal_id, "outcome",
                                   outcome));
    if (!rc)
        rc = pvg__commit_sync(e, s);
out:
    pvg_store_rollback(s);
    pvg__release(e, s);
    return rc;
}

/* ------------------------------------------------------------ notices */

int pvg_notice_file(pvg_enforce_t *e, const pvg_actor_t *a, const char *requester,
                    const char *object, const char *poster, const char *claim, int days,
                    int64_t *notice_id)
{
    pvg_notice_in_t in = {.requester = requester, .object = object, .poster = poster,
                          .claim = claim, .days = days};
    return pvg_notice_submit(e, a, &in, notice_id);
}

int pvg_notice_submit(pvg_enforce_t *e, const pvg_actor_t *a, const pvg_notice_in_t *in,
                      int64_t *notice_id)
{
    int rc = pvg__role_check(a, R(SERVICE) | R(REPORTER_APP) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!in || !notice_id)
        return PVG_ENF_EINVAL;
    const char *requester = in->requester, *object = in->object, *poster = in->poster,
               *claim = in->claim;
    int days = in->days;
    if (!pvg__valid_id(requester) || !pvg__valid_id(object) || !pvg__valid_id(poster) ||
        days < 1 || days > 3650 || (claim && strlen(claim) > 8000) ||
        pvg__media_validate(in->media, in->n_media))
        return PVG_ENF_EINVAL;
    if (days > PVG_MAX_BLIND_DAYS)
        days = PVG_MAX_BLIND_DAYS;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (rc)
        goto out;
    rc = pvg_store_x_int(s, notice_id,
                         "INSERT INTO notices (requester, object, poster, requested_days, state,"
                         " created_at, updated_at) VALUES (?, ?, ?, ?, 'requested', ?, ?)"
                         " RETURNING id",
                         "tttiii", requester, object, poster, (int64_t)days, now, now);
    if (rc != PVG_STORE_ROW) {
        rc = rc < 0 ? rc : PVG_ENF_ESTORE;
        goto out;
    }
    rc = PVG_ENF_OK;
    if (claim && *claim) {
        char ad[64];
        snprintf(ad, sizeof ad, "notice-claim:%" PRId64, *notice_id);
        rc = pvg__store_sealed(e, s,
                               "UPDATE notices SET claim_kid = ?, claim_nonce = ?, claim_ct = ?"
                               " WHERE id = ?",
                               ad, claim, strlen(claim), *notice_id);
        if (rc)
            goto out;
    }
    rc = pvg__media_store(e, s, 0, *notice_id, in->media, in->n_media, now);
    if (!rc)
        rc = pvg__audit(e, s, a, "notice.filed", "notice", *notice_id, NULL,
                        json_pack("{s:I, s:I}", "days", (json_int_t)days, "media",
                                  (json_int_t)in->n_media));
    if (!rc)
        rc = pvg__outbox(e, s, "notice.received", requester,
                         json_pack("{s:I}", "notice_id", (json_int_t)*notice_id));
    if (!rc)
        rc = pvg_store_commit(s);
out:
    pvg_store_rollback(s);
    pvg__release(e, s);
    return rc;
}

typedef struct notice_row {
    char state[16], requester[300], object[300], poster[300];
    int64_t days, deadline, sanction_id;
} notice_row_t;

static int notice_get(pvg_store_t *s, int64_t id, int64_t now, notice_row_t *n)
{
    pvg_stmt_t *st;
    int rc = pvg_store_q(s, &st,
                         "SELECT state, requester, object, poster, requested_days,"
                         " COALESCE(deadline, 0), COALESCE(sanction_id, 0) FROM notices"
                         " WHERE id = ?",
                         "i", id);
    if (rc)
        return rc;
    if ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        snprintf(n->state, sizeof n->state, "%s", pvg_store_col_text(st, 0));
        snprintf(n->requester, sizeof n->requester, "%s", pvg_store_col_text(st, 1));
        snprintf(n->object, sizeof n->object, "%s", pvg_store_col_text(st, 2));
        snprintf(n->poster, sizeof n->poster, "%s", pvg_store_col_text(st, 3));
        n->days = pvg_store_col_int(st, 4);
        n->deadline = pvg_store_col_int(st, 5);
        n->sanction_id = pvg_store_col_int(st, 6);
        /* a blinding past its deadline has ended, recorded or not */
        if (!strcmp(n->state, "blinded") && n->deadline <= now)
            snprintf(n->state, sizeof n->state, "restored");
    }
    pvg_store_finalize(st);
    return rc == PVG_STORE_DONE ? PVG_ENF_ENOTFOUND : rc < 0 ? rc : PVG_ENF_OK;
}

static int notify_both(pvg_enforce_t *e, pvg_store_t *s, const char *topic, const notice_row_t *n,
                       int64_t id)
{
    int rc = pvg__outbox(e, s, topic, n->requester,
                         json_pack("{s:I, s:s, s:I}", "notice_id", (json_int_t)id, "role",
                                   "requester", "deadline", (json_int_t)n->deadline));
    if (!rc)
        rc = pvg__outbox(e, s, topic, n->poster,
                         json_pack("{s:I, s:s, s:s, s:I}", "notice_id", (json_int_t)id, "role",
                                   "poster", "object", n->object, "deadline",
                                   (json_int_t)n->deadline));
    return rc;
}

int pvg_notice_blind(pvg_enforce_t *e, const pvg_actor_t *a, int64_t notice_id)
{
    int rc = pvg__role_check(a, R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    notice_row_t n;
    rc = pvg_store_begin(s);
    if (!rc)
        rc = notice_get(s, notice_id, now, &n);
    if (rc)
        goto out;
    if (!strcmp(n.state, "blinded")) {
        rc = PVG_ENF_EALREADY;
        goto out;
    }
    if (strcmp(n.state, "requested")) {
        rc = PVG_ENF_ETRANSITION;
        goto out;
    }
    int64_t days = n.days > PVG_MAX_BLIND_DAYS ? PVG_MAX_BLIND_DAYS : n.days;
    n.deadline = now + days * DAY_MS;
    int64_t sid = 0;
    rc = pvg__sanction_insert(e, s, n.poster, PVG_SCOPE_POST_VISIBILITY, NULL, n.object, now,
                              n.deadline, 0, notice_id, a->id, &sid);
    if (rc)
        goto out;
    int64_t r = pvg_store_x(s,
                            "UPDATE notices SET state = 'blinded', blinded_at = ?, deadline = ?,"
                            " sanction_id = ?, handled_by = ?, updated_at = ? WHERE id = ?",
                            "iiitii", now, n.deadline, sid, a->id, now, notice_id);
    int64_t bank = 0;
    rc = r < 0 ? (int)r : pvg__media_bank_from_notice(e, s, a, notice_id, now, &bank);
    if (!rc)
        rc = pvg__audit(e, s, a, "notice.blinded", "notice", notice_id, NULL,
                        json_pack("{s:I, s:I, s:I}", "deadline", (json_int_t)n.deadline,
                                  "sanction_id", (json_int_t)sid, "bank_entries",
                                  (json_int_t)bank));
    if (!rc)
        rc = notify_both(e, s, "notice.blinded", &n, notice_id);
    if (!rc)
        rc = pvg__commit_sync(e, s);
out:
    pvg_store_rollback(s);
    pvg__release(e, s);
    return rc;
}

int pvg_notice_resolve(pvg_enforce_t *e, const pvg_actor_t *a, int64_t notice_id,
                       const char *outcome, const char *note)
{
    if (!outcome || (strcmp(outcome, "restored") && strcmp(outcome, "deleted") &&
                     strcmp(outcome, "withdrawn")) ||
        (note && strlen(note) > 2000))
        return pvg__role_check(a, ~0u) ? pvg__role_check(a, ~0u) : PVG_ENF_EINVAL;
    int withdraw = !strcmp(outcome, "withdrawn");
    int rc = pvg__role_check(a, withdraw ? (R(SERVICE) | R(REPORTER_APP) | R(MODERATOR) | R(ADMIN))
                                         : (R(MODERATOR) | R(ADMIN)));
    if (rc)
        return rc;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    notice_row_t n;
    rc = pvg_store_begin(s);
    if (!rc)
        rc = notice_get(s, notice_id, now, &n);
    if (rc)
        goto out;
    if (!strcmp(n.state, outcome)) {
        rc = PVG_ENF_EALREADY;
        goto out;
    }
    int ok = !strcmp(outcome, "restored") ? !strcmp(n.state, "blinded")
                                          : (!strcmp(n.state, "requested") ||
                                             !strcmp(n.state, "blinded"));
    if (!ok) {
        rc = PVG_ENF_ETRANSITION;
        goto out;
    }
    int64_t rev = 0, r = 0;
    rc = pvg__next_rev(s, &rev);
    if (rc)
        goto out;
    if (!strcmp(outcome, "deleted")) {
        /* the post is gone for good: it stays hidden without end */
        if (n.sanction_id)
            r = pvg_store_x(s,
                            "UPDATE sanctions SET ends_at = NULL, updated_at = ?, rev = ?"
                            " WHERE id = ?",
                            "iii", now, rev, n.sanction_id);
        else
            r = pvg__sanction_insert(e, s, n.poster, PVG_SCOPE_POST_VISIBILITY, NULL, n.object,
                                     now, 0, 0, notice_id, a->id, &n.sanction_id);
    } else if (n.sanction_id) {
        r = pvg_store_x(s,
                        "UPDATE sanctions SET state = 'revoked', updated_at = ?, rev = ?"
                        " WHERE id = ? AND state IN ('active', 'scheduled')",
                        "iii", now, rev, n.sanction_id);
    }
    if (r >= 0)
        r = pvg_store_x(s,
                        "UPDATE notices SET state = ?, handled_by = ?, updated_at = ?,"
                        " sanction_id = NULLIF(?, 0) WHERE id = ?",
                        "ttiii", outcome, a->id, now, n.sanction_id,
                        notice_id);
    int64_t dropped = 0;
    if (r >= 0 && strcmp(outcome, "deleted"))
        r = pvg__media_bank_drop_notice(e, s, a, notice_id, now, &dropped);
    rc = r < 0 ? (int)r
               : pvg__audit(e, s, a, "notice.resolved", "notice", notice_id, note,
                            json_pack("{s:s, s:I}", "outcome", outcome, "bank_entries_disabled",
                                      (json_int_t)dropped));
    if (!rc) {
        char topic[32];
        snprintf(topic, sizeof topic, "notice.%s", outcome);
        rc = notify_both(e, s, topic, &n, notice_id);
    }
    if (!rc)
        rc = pvg__commit_sync(e, s);
out:
    pvg_store_rollback(s);
    pvg__release(e, s);
    return rc;
}

int pvg_notice_show(pvg_enforce_t *e, const pvg_actor_t *a, int64_t notice_id, char **json)
{
    int rc = pvg__role_check(a, R(TRIAGE) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!json)
        return PVG_ENF_EINVAL;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    notice_row_t n;
    rc = notice_get(s, notice_id, now, &n);
    json_t *media = NULL;
    int64_t bank = 0;
    if (!rc) {
        int err = 0;
        media = pvg__media_view(s, 0, notice_id, &err);
        rc = err;
    }
    if (!rc) {
        rc = pvg_store_x_int(s, &bank,
                             "SELECT COUNT(*) FROM media_bank_entries WHERE source_notice_id = ?"
                             " AND enabled = 1",
                             "i", notice_id);
        rc = rc < 0 ? rc : PVG_ENF_OK;
    }
    pvg__release(e, s);
    if (rc) {
        json_decref(media);
        return rc;
    }
    return pvg__json_out(json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:I}", "id",
                                   (json_int_t)notice_id, "state", n.state, "requester",
                                   n.requester, "object", n.object, "poster", n.poster,
                                   "requested_days", (json_int_t)n.days, "deadline",
                                   n.deadline ? json_integer(n.deadline) : json_null(),
                                   "sanction_id",
                                   n.sanction_id ? json_integer(n.sanction_id) : json_null(),
                                   "media", media, "bank_entries", (json_int_t)bank),
                         json);
}
