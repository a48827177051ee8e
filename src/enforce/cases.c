/* SPDX-License-Identifier: MIT */
/*
 * cases.c -- reports, their frozen evidence, and cases.
 *
 * A report is submitted in one write transaction that checks, in order:
 * a retry (same reporter and external_id: the original report is returned,
 * nothing is stored), a duplicate (same reporter, subject and reason within
 * the dedup window: 409), the reporter's hourly rate limit, and whether the
 * reporter is muted (then the report is stored but no case changes). The
 * accountable account's one case is created, or reopened when closed, and
 * its priority recomputed from distinct reporters, the detector's score,
 * the category's severity and the account's active strikes. Evidence text
 * and the comment are encrypted with the current evidence key, bound to
 * their row (report id and position) as associated data, so a ciphertext
 * moved to another row does not decrypt. Reviewer views mask evidence;
 * unmasking needs a moderator, a reason, and an audit entry first.
 *
 * Also here: the escalation ladder's parser, case listing and escalation,
 * and muting reporters.
 */
#include "enforce/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- ladder */

int pvg__ladder_parse(const char *text, pvg_ladder_t *l)
{
    static const char *const sev[3] = {"low", "medium", "high"};
    memset(l, 0, sizeof *l);
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return PVG_ENF_EINVAL;
    }
    int rc = PVG_ENF_EINVAL;
    json_t *ttl = json_object_get(root, "strike_ttl_days");
    if (!json_is_integer(ttl) || json_integer_value(ttl) < 1 || json_integer_value(ttl) > 3650)
        goto out;
    l->strike_ttl_ms = json_integer_value(ttl) * DAY_MS;
    json_t *ss = json_object_get(root, "severity_strikes");
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(ss, sev[i]);
        l->sev_strikes[i] = 1;
        if (v) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100)
                goto out;
            l->sev_strikes[i] = (int)json_integer_value(v);
        }
    }
    json_t *steps = json_object_get(root, "steps");
    if (!json_is_array(steps) || json_array_size(steps) > LADDER_MAX_STEPS)
        goto out;
    size_t i;
    json_t *st;
    int64_t last = 0;
    json_array_foreach(steps, i, st)
    {
        json_t *k = json_object_get(st, "strikes"), *sc = json_object_get(st, "scope"),
               *d = json_object_get(st, "days");
        ladder_step_t *s = &l->step[l->n_steps];
        if (!json_is_integer(k) || json_integer_value(k) <= last || !json_is_string(sc) ||
            pvg_scope_parse(json_string_value(sc), &s->scope) || !json_is_integer(d) ||
            json_integer_value(d) < 0 || json_integer_value(d) > 36500 ||
            s->scope == PVG_SCOPE_POST_VISIBILITY || s->scope == PVG_SCOPE_ACCOUNT_CREATION)
            goto out;
        s->strikes = last = json_integer_value(k);
        s->duration_ms = json_integer_value(d) * DAY_MS;
        l->n_steps++;
    }
    json_t *cats = json_object_get(root, "categories");
    if (cats && !json_is_object(cats))
        goto out;
    const char *name;
    json_t *c;
    json_object_foreach(cats, name, c)
    {
        if (l->n_cats == LADDER_MAX_CATS || !pvg__valid_category(name) || !json_is_object(c))
            goto out;
        ladder_cat_t *lc = &l->cat[l->n_cats++];
        snprintf(lc->name, sizeof lc->name, "%s", name);
        lc->zero_tolerance = json_is_true(json_object_get(c, "zero_tolerance"));
        for (int j = 0; j < 3; j++) {
            json_t *v = json_object_get(c, sev[j]);
            if (v && (!json_is_integer(v) || json_integer_value(v) < 0 ||
                      json_integer_value(v) > 100))
                goto out;
            lc->strikes[j] = v ? (int)json_integer_value(v) : 0;
        }
    }
    rc = PVG_ENF_OK;
out:
    json_decref(root);
    return rc;
}

int64_t pvg__ladder_strikes(const pvg_ladder_t *l, const char *const *cats, size_t n, int sev)
{
    int64_t best = l->sev_strikes[sev];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < l->n_cats; j++) {
            if (strcmp(cats[i], l->cat[j].name))
                continue;
            if (l->cat[j].zero_tolerance && l->n_steps)
                return l->step[l->n_steps - 1].strikes;
            if (l->cat[j].strikes[sev] > best)
                best = l->cat[j].strikes[sev];
        }
    }
    return best;
}

const ladder_step_t *pvg__ladder_step(const pvg_ladder_t *l, int64_t total)
{
    const ladder_step_t *best = NULL;
    for (size_t i = 0; i < l->n_steps; i++)
        if (l->step[i].strikes <= total)
            best = &l->step[i];
    return best;
}

/* ------------------------------------------------------------ helpers */

static int category_severity(const char *c)
{
    static const struct {
        const char *name;
        int sev;
    } t[] = {{"pii_trade", 3},      {"illegal_pii_use", 3},     {"auth_key_extraction", 3},
             {"phishing_lure", 3},  {"malware_lure", 3},        {"impersonation_collection", 3},
             {"pii_exposure", 2},   {"exposure_threat", 2},     {"unconsented_collection", 1}};
    for (size_t i = 0; c && i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(c, t[i].name))
            return t[i].sev;
    return 1;
}

static int one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (!strcmp(s, *set))
            return 1;
    return 0;
}

static int valid_findings(const char *json)
{
    if (!json)
        return 1;
    json_t *v = json_loads(json, 0, NULL);
    int ok = json_is_array(v);
    json_decref(v);
    return ok;
}

/* Recomputes a case's reporters, score, category and priority. */
static int case_recompute(pvg_enforce_t *e, pvg_store_t *s, int64_t case_id, const char *account,
                          int64_t now, int64_t *reporters)
{
    pvg_stmt_t *st;
    int rc = pvg_store_q(s, &st,
                         "SELECT COUNT(DISTINCT reporter), COALESCE(MAX(score), 0) FROM reports"
                         " WHERE case_id = ? AND status = 'open'",
                         "i", case_id);
    if (rc)
        return rc;
    int64_t nrep = 0, score = 0;
    if ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        nrep = pvg_store_col_int(st, 0);
        score = pvg_store_col_int(st, 1);
    }
    pvg_store_finalize(st);
    if (rc < 0)
        return rc;
    rc = pvg_store_q(s, &st, "SELECT DISTINCT reason FROM reports WHERE case_id = ? AND status = 'open'",
                     "i", case_id);
    if (rc)
        return rc;
    char top[40] = "";
    int top_sev = 0;
    while ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        const char *r = pvg_store_col_text(st, 0);
        int sv = category_severity(r);
        if (r && (sv > top_sev || (sv == top_sev && strcmp(r, top) < 0))) {
            top_sev = sv;
            snprintf(top, sizeof top, "%s", r);
        }
    }
    pvg_store_finalize(st);
    if (rc < 0)
        return rc;
    int64_t strikes = 0;
    rc = pvg_store_x_int(s, &strikes,
                         "SELECT COALESCE(SUM(count), 0) FROM strikes WHERE account = ?"
                         " AND state = 'active' AND expires_at > ?",
                         "ti", account, now);
    if (rc < 0)
        return rc;
    int64_t prio = nrep * 10 + score / 10 + top_sev * 20 + strikes * 15;
    int64_t r = pvg_store_x(s,
                            "UPDATE cases SET reporters = ?, max_score = ?, top_category = ?,"
                            " priority = ?, updated_at = ? WHERE id = ?",
                            "iitiii", nrep, score, top[0] ? top : NULL, prio, now, case_id);
    if (reporters)
        *reporters = nrep;
    (void)e;
    return r < 0 ? (int)r : PVG_ENF_OK;
}

/* A temporary automatic measure pending review, once per open period. */
static int auto_measure(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a, int64_t case_id,
                        const char *account, const char *category, int64_t now, int *made)
{
    int64_t n = 0;
    int rc = pvg_store_x_int(s, &n,
                             "SELECT COUNT(*) FROM sanctions s JOIN decisions d"
                             " ON s.decision_id = d.id WHERE d.case_id = ? AND d.automated = 1"
                             " AND s.state IN ('active', 'scheduled')"
                             " AND (s.ends_at IS NULL OR s.ends_at > ?)",
                             "ii", case_id, now);
    if (rc < 0)
        return rc;
    if (n)
        return PVG_ENF_OK;
    json_t *cats = json_pack("[s]", category ? category : "other");
    char *ctext = json_dumps(cats, JSON_COMPACT);
    json_decref(cats);
    if (!ctext)
        return PVG_ENF_ENOMEM;
    int64_t did = 0;
    rc = pvg_store_x_int(s, &did,
                         "INSERT INTO decisions (case_id, account, outcome, categories, severity,"
                         " strikes, automated, decided_by, decided_role, note, created_at)"
                         " VALUES (?, ?, 'interim', ?, NULL, 0, 1, 'auto', 'service', ?, ?)"
                         " RETURNING id",
                         "ittti", case_id, account, ctext,
                         "temporary measure pending review: many distinct reporters", now);
    free(ctext);
    if (rc != PVG_STORE_ROW)
        return rc < 0 ? rc : PVG_ENF_ESTORE;
    int64_t sid = 0;
    rc = pvg__sanction_insert(e, s, account, PVG_SCOPE_OPENCHAT_ACCESS, NULL, NULL, now,
                              now + e->o.auto_measure_ms, did, 0, "auto", &sid);
    if (!rc)
        rc = pvg__audit(e, s, a, "decision.automated", "decision", did, NULL,
                        json_pack("{s:I, s:I}", "case_id", (json_int_t)case_id, "sanction_id",
                                  (json_int_t)sid));
    if (!rc)
        rc = pvg__outbox(e, s, "decision.made", account,
                         json_pack("{s:I, s:s, s:b, s:[{s:I, s:s, s:I}], s:s}", "decision_id",
                                   (json_int_t)did, "outcome", "interim", "automated", 1,
                                   "sanctions", "id", (json_int_t)sid, "scope", "openchat_access",
                                   "ends_at", (json_int_t)(now + e->o.auto_measure_ms), "explain",
                                   "a temporary measure after reports from many people; you may"
                                   " ask for human review"));
    if (!rc)
        *made = 1;
    return rc;
}

/* ------------------------------------------------------------ submit */

static int validate_report(const pvg_actor_t *a, const pvg_report_in_t *in)
{
    static const char *const subjects[] = {"account", "message", "room", "open_profile", "post",
                                           NULL};
    static const char *const channels[] = {"in_app", "automated", "rights_notice", NULL};
    if (!in || !pvg__valid_id(in->reporter) || !pvg__valid_id(in->account) ||
        !one_of(in->subject_type, subjects) || !pvg__valid_id(in->subject_id) ||
        !(pvg__valid_category(in->reason) || (in->reason && !strcmp(in->reason, "other"))) ||
        !one_of(in->channel, channels) || (in->external_id && !pvg__valid_id(in->external_id)) ||
        (in->comment && strlen(in->comment) > 4000) || in->n_evidence > PVG_MAX_EVIDENCE ||
        (in->n_evidence && !in->evidence) || !isfinite(in->score) || in->score < 0 ||
        in->score > 1 || !valid_findings(in->findings_json) ||
        (in->findings_json && strlen(in->findings_json) > 65536) ||
        pvg__media_validate(in->media, in->n_media))
        return PVG_ENF_EINVAL;
    if (a->role == PVG_ROLE_SERVICE && strcmp(in->channel, "automated"))
        return PVG_ENF_EFORBIDDEN;
    if (a->role == PVG_ROLE_REPORTER_APP && strcmp(in->channel, "in_app"))
        return PVG_ENF_EFORBIDDEN;
    for (size_t i = 0; i < in->n_evidence; i++) {
        const pvg_evidence_in_t *ev = &in->evidence[i];
        if (!ev->text || ev->len > PVG_MAX_EVIDENCE_TEXT ||
            (ev->sender && !pvg__valid_id(ev->sender)) || (ev->room && !pvg__valid_id(ev->room)) ||
            (ev->surface && !pvg__valid_id(ev->surface)) ||
            (ev->message_id && !pvg__valid_id(ev->message_id)) || ev->sent_at < 0 ||
            !valid_findings(ev->findings_json) ||
            (ev->findings_json && strlen(ev->findings_json) > 65536))
            return PVG_ENF_EINVAL;
    }
    return PVG_ENF_OK;
}

int pvg_report_submit(pvg_enforce_t *e, const pvg_actor_t *a, const pvg_report_in_t *in,
                      pvg_report_out_t *out)
{
    int rc = pvg__role_check(a, R(SERVICE) | R(REPORTER_APP) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!out)
        return PVG_ENF_EINVAL;
    memset(out, 0, sizeof *out);
    rc = validate_report(a, in);
    if (rc)
        return rc;
    int64_t now = pvg_enforce_now(e);
    int64_t score = (int64_t)llround(in->score * 1000);
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (rc)
        goto done;
    pvg_stmt_t *st;
    if (in->external_id) {
        rc = pvg_store_q(s, &st,
                         "SELECT id, COALESCE(case_id, 0), status FROM reports"
                         " WHERE reporter = ? AND external_id = ?",
                         "tt", in->reporter, in->external_id);
        if (rc)
            goto fail;
        rc = pvg_store_step(st);
        if (rc == PVG_STORE_ROW) {
            out->report_id = pvg_store_col_int(st, 0);
            out->case_id = pvg_store_col_int(st, 1);
            const char *stt = pvg_store_col_text(st, 2);
            out->muted = stt && !strcmp(stt, "muted");
            out->replayed = 1;
            pvg_store_finalize(st);
            rc = PVG_ENF_OK;
            goto fail; /* nothing to write: roll back the empty transaction */
        }
        pvg_store_finalize(st);
        if (rc < 0)
            goto fail;
    }
    int64_t dup = 0;
    rc = pvg_store_x_int(s, &dup,
                         "SELECT id FROM reports WHERE reporter = ? AND subject_type = ?"
                         " AND subject_id = ? AND reason = ? AND created_at > ?"
                         " ORDER BY id LIMIT 1",
                         "tttti", in->reporter, in->subject_type, in->subject_id, in->reason,
                         now - e->o.dedup_window_ms);
    if (rc < 0)
        goto fail;
    if (rc == PVG_STORE_ROW) {
        out->report_id = dup;
        rc = PVG_ENF_EDUPLICATE;
        goto fail;
    }
    if (e->o.report_rate_per_hour && strcmp(in->channel, "automated")) {
        int64_t n = 0;
        rc = pvg_store_x_int(s, &n,
                             "SELECT COUNT(*) FROM reports WHERE reporter = ? AND created_at > ?",
                             "ti", in->reporter, now - 3600000);
        if (rc < 0)
            goto fail;
        if (n >= e->o.report_rate_per_hour) {
            rc = PVG_ENF_ERATE;
            goto fail;
        }
    }
    int64_t muted_until = 0;
    rc = pvg_store_x_int(s, &muted_until,
                         "SELECT COALESCE(muted_until, 0) FROM reporters WHERE reporter = ?", "t",
                         in->reporter);
    if (rc < 0)
        goto fail;
    out->muted = muted_until > now;
    int64_t case_id = 0;
    if (!out->muted) {
        rc = pvg_store_q(s, &st, "SELECT id, status FROM cases WHERE account = ?", "t",
                         in->account);
        if (rc)
            goto fail;
        char status[16] = "";
        if ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
            case_id = pvg_store_col_int(st, 0);
            snprintf(status, sizeof status, "%s", pvg_store_col_text(st, 1));
        }
        pvg_store_finalize(st);
        if (rc < 0)
            goto fail;
        if (!case_id) {
            rc = pvg_store_x_int(s, &case_id,
                                 "INSERT INTO cases (account, status, opened_at, updated_at)"
                                 " VALUES (?, 'open', ?, ?) RETURNING id",
                                 "tii", in->account, now, now);
            if (rc != PVG_STORE_ROW) {
                rc = rc < 0 ? rc : PVG_ENF_ESTORE;
                goto fail;
            }
            rc = pvg__audit(e, s, a, "case.opened", "case", case_id, NULL, NULL);
        } else if (!strcmp(status, "closed")) {
            int64_t r = pvg_store_x(s,
                                    "UPDATE cases SET status = 'open', closed_at = NULL,"
                                    " acknowledged_at = NULL, acknowledged_by = NULL,"
                                    " opened_at = ?, updated_at = ? WHERE id = ?",
                                    "iii", now, now, case_id);
            rc = r < 0 ? (int)r : pvg__audit(e, s, a, "case.reopened", "case", case_id, NULL, NULL);
        } else {
            rc = PVG_ENF_OK;
        }
        if (rc)
            goto fail;
    }
    int64_t rid = 0;
    rc = pvg_store_x_int(s, &rid,
                         "INSERT INTO reports (case_id, reporter, subject_type, subject_id,"
                         " account, reason, channel, external_id, findings, score, status,"
                         " created_at, retain_until) VALUES (NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                         " RETURNING id",
                         "ittttttttitii",
                         case_id, in->reporter, in->subject_type, in->subject_id, in->account,
                         in->reason, in->channel, in->external_id, in->findings_json, score,
                         out->muted ? "muted" : "open", now,
                         now + (int64_t)e->o.retention_days * DAY_MS);
    if (rc != PVG_STORE_ROW) {
        rc = rc < 0 ? rc : PVG_ENF_ESTORE;
        goto fail;
    }
    char ad[64];
    if (in->comment && *in->comment) {
        snprintf(ad, sizeof ad, "report-comment:%" PRId64, rid);
        rc = pvg__store_sealed(e, s,
                          "UPDATE reports SET comment_kid = ?, comment_nonce = ?, comment_ct = ?"
                          " WHERE id = ?",
                          ad, in->comment, strlen(in->comment), rid);
        if (rc)
            goto fail;
    }
    for (size_t i = 0; i < in->n_evidence; i++) {
        const pvg_evidence_in_t *ev = &in->evidence[i];
        int64_t eid = 0;
        rc = pvg_store_x_int(s, &eid,
                             "INSERT INTO evidence (report_id, ord, sender, room, surface,"
                             " message_id, sent_at, findings, retain_until)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             "iittttiti", rid, (int64_t)i, ev->sender, ev->room, ev->surface,
                             ev->message_id, ev->sent_at, ev->findings_json,
                             now + (int64_t)e->o.retention_days * DAY_MS);
        if (rc != PVG_STORE_ROW) {
            rc = rc < 0 ? rc : PVG_ENF_ESTORE;
            goto fail;
        }
        snprintf(ad, sizeof ad, "evidence:%" PRId64 ":%zu", rid, i);
        rc = pvg__store_sealed(e, s,
                          "UPDATE evidence SET kid = ?, nonce = ?, ciphertext = ? WHERE id = ?",
                          ad, ev->text, ev->len, eid);
        if (rc)
            goto fail;
    }
    rc = pvg__media_store(e, s, rid, 0, in->media, in->n_media, now);
    if (rc)
        goto fail;
    int made = 0;
    if (case_id) {
        int64_t reporters = 0;
        rc = case_recompute(e, s, case_id, in->account, now, &reporters);
        if (!rc && e->o.auto_measure_reporters && reporters >= e->o.auto_measure_reporters)
            rc = auto_measure(e, s, a, case_id, in->account, in->reason, now, &made);
        if (rc)
            goto fail;
    }
    rc = pvg__audit(e, s, a, "report.submitted", "report", rid, NULL,
                    json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:I}", "reason", in->reason,
                              "channel", in->channel, "subject_type", in->subject_type, "case_id",
                              (json_int_t)case_id, "evidence", (json_int_t)in->n_evidence,
                              "muted", out->muted, "media", (json_int_t)in->n_media));
    if (!rc)
        rc = pvg__outbox(e, s, "report.received", in->reporter,
                         json_pack("{s:I}", "report_id", (json_int_t)rid));
    if (rc)
        goto fail;
    rc = pvg_store_commit(s);
    if (rc)
        goto done;
    out->report_id = rid;
    out->case_id = case_id;
    out->auto_measure = made;
    if (made)
        rc = pvg__cache_sync(e, s);
    goto done;
fail:
    pvg_store_rollback(s);
done:
    pvg__release(e, s);
    return rc;
}

int pvg_reporter_mute(pvg_enforce_t *e, const pvg_actor_t *a, const char *reporter,
                      int64_t until_ms)
{
    int rc = pvg__role_check(a, R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!pvg__valid_id(reporter) || until_ms < 0)
        return PVG_ENF_EINVAL;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (!rc) {
        int64_t r = pvg_store_x(s,
                                "INSERT INTO reporters (reporter, muted_until, muted_by, updated_at)"
                                " VALUES (?, NULLIF(?, 0), ?, ?) ON CONFLICT (reporter) DO UPDATE SET"
                                " muted_until = excluded.muted_until, muted_by = excluded.muted_by,"
                                " updated_at = excluded.updated_at",
                                "titi", reporter, until_ms,
                                a->id, now);
        rc = r < 0 ? (int)r
                   : pvg__audit_str(e, s, a, until_ms ? "reporter.muted" : "reporter.unmuted",
                                    "reporter", reporter, NULL,
                                    until_ms ? json_pack("{s:I}", "until", (json_int_t)until_ms)
                                             : NULL);
        if (!rc)
            rc = pvg_store_commit(s);
    }
    pvg__release(e, s);
    return rc;
}

/* --------------------------------------------------------------- views */

/* The list row's columns, in this order, for case_row(). */
#define CASE_COLS                                                                                  \
    "id, account, status, priority, reporters, max_score, top_category, opened_at, updated_at,"    \
    " closed_at, acknowledged_at"

static json_t *case_row(pvg_stmt_t *st)
{
    const char *cat = pvg_store_col_text(st, 6);
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:I, s:I, s:f, s:o, s:I, s:I, s:o, s:o, s:[]}", "id",
        (json_int_t)pvg_store_col_int(st, 0), "account", pvg_store_col_text(st, 1), "status",
        pvg_store_col_text(st, 2), "priority", (json_int_t)pvg_store_col_int(st, 3), "reporters",
        (json_int_t)pvg_store_col_int(st, 4), "score", (double)pvg_store_col_int(st, 5) / 1000.0,
        "top_category", cat ? json_string(cat) : json_null(), "opened_at",
        (json_int_t)pvg_store_col_int(st, 7), "updated_at", (json_int_t)pvg_store_col_int(st, 8),
        "closed_at", pvg_store_col_null(st, 9) ? json_null() : json_integer(pvg_store_col_int(st, 9)),
        "acknowledged_at",
        pvg_store_col_null(st, 10) ? json_null() : json_integer(pvg_store_col_int(st, 10)),
        "surfaces");
    return o;
}

/* Fills each row's "surfaces" (distinct evidence surfaces of the case's
 * reports, sorted) with one query per SURF_CHUNK rows. */
#define SURF_CHUNK 200
static int add_surfaces(pvg_store_t *s, json_t *rows)
{
    size_t n = json_array_size(rows);
    for (size_t from = 0; from < n; from += SURF_CHUNK) {
        size_t k = n - from < SURF_CHUNK ? n - from : SURF_CHUNK;
        char sql[256 + 2 * SURF_CHUNK];
        int len = snprintf(sql, sizeof sql,
                           "SELECT DISTINCT r.case_id, v.surface FROM reports r"
                           " JOIN evidence v ON v.report_id = r.id"
                           " WHERE v.surface IS NOT NULL AND r.case_id IN (");
        for (size_t i = 0; i < k; i++)
            len += snprintf(sql + len, sizeof sql - (size_t)len, i ? ",?" : "?");
        snprintf(sql + len, sizeof sql - (size_t)len, ") ORDER BY 1, 2");
        pvg_stmt_t *st;
        int rc = pvg_store_prepare(s, sql, &st);
        if (rc)
            return rc;
        for (size_t i = 0; i < k; i++)
            pvg_store_bind_int(st, (int)i + 1,
                               json_integer_value(json_object_get(json_array_get(rows, from + i), "id")));
        while ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
            int64_t id = pvg_store_col_int(st, 0);
            for (size_t i = 0; i < k; i++) {
                json_t *row = json_array_get(rows, from + i);
                if (json_integer_value(json_object_get(row, "id")) == id) {
                    json_array_append_new(json_object_get(row, "surfaces"),
                                          json_string(pvg_store_col_text(st, 1)));
                    break;
                }
            }
        }
        pvg_store_finalize(st);
        if (rc < 0)
            return rc;
    }
    return PVG_ENF_OK;
}

int pvg_case_list(pvg_enforce_t *e, const pvg_actor_t *a, const char *status, int limit,
                  char **json)
{
    static const char *const statuses[] = {"open", "escalated", "closed", NULL};
    int rc = pvg__role_check(a, R(TRIAGE) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!json || limit <= 0 || limit > 10000 || (status && !one_of(status, statuses)))
        return PVG_ENF_EINVAL;
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st;
    rc = pvg_store_q(s, &st,
                     status ? "SELECT " CASE_COLS " FROM cases"
                              " WHERE status = ? ORDER BY priority DESC, id LIMIT ?"
                            : "SELECT " CASE_COLS " FROM cases"
                              " WHERE status IN ('open', 'escalated') AND ? IS NOT NULL"
                              " ORDER BY priority DESC, id LIMIT ?",
                     "ti", status ? status : "", (int64_t)limit);
    json_t *arr = json_array();
    while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        json_t *row = case_row(st);
        if (!row || json_array_append_new(arr, row)) {
            rc = PVG_ENF_ENOMEM;
            break;
        }
    }
    pvg_store_finalize(st);
    if (rc >= 0)
        rc = add_surfaces(s, arr);
    pvg__release(e, s);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    return pvg__json_out(arr, json);
}

/* ------------------------------------------------------ the queue page */

/* A WHERE clause built from fixed fragments; every value is bound. */
typedef struct qbind {
    int is_text;
    int64_t i;
    const char *t;
} qbind_t;

typedef struct qwhere {
    char sql[1024];
    size_t len;
    qbind_t b[16];
    int n;
    int overflow;
} qwhere_t;

static void qw_add(qwhere_t *w, const char *frag)
{
    int k = snprintf(w->sql + w->len, sizeof w->sql - w->len, "%s%s", w->len ? " AND " : "", frag);
    if (k < 0 || (size_t)k >= sizeof w->sql - w->len)
        w->overflow = 1;
    else
        w->len += (size_t)k;
}

static void qw_int(qwhere_t *w, int64_t v)
{
    if (w->n >= (int)(sizeof w->b / sizeof w->b[0])) {
        w->overflow = 1;
        return;
    }
    w->b[w->n++] = (qbind_t){0, v, NULL};
}

static void qw_text(qwhere_t *w, const char *v)
{
    if (w->n >= (int)(sizeof w->b / sizeof w->b[0])) {
        w->overflow = 1;
        return;
    }
    w->b[w->n++] = (qbind_t){1, 0, v};
}

/* The filters of q, without the cursor; the category filter only when
 * with_category (the per-category counts ignore it). */
static void qw_filters(qwhere_t *w, const pvg_case_query_t *q, int with_category)
{
    memset(w, 0, sizeof *w);
    if (q->status) {
        qw_add(w, "status = ?");
        qw_text(w, q->status);
    } else {
        qw_add(w, "status IN ('open', 'escalated')");
    }
    if (with_category && q->category) {
        qw_add(w, "top_category = ?");
        qw_text(w, q->category);
    }
    if (q->min_priority >= 0) {
        qw_add(w, "priority >= ?");
        qw_int(w, q->min_priority);
    }
    if (q->max_priority >= 0) {
        qw_add(w, "priority <= ?");
        qw_int(w, q->max_priority);
    }
    if (q->opened_before > 0) {
        qw_add(w, "opened_at < ?");
        qw_int(w, q->opened_before);
    }
    if (q->account && *q->account) {
        /* a prefix compared byte for byte on both stores (no LIKE: its case
         * rules differ between SQLite and PostgreSQL) */
        qw_add(w, "substr(account, 1, CAST(? AS INTEGER)) = ?");
        int64_t chars = 0;
        for (const unsigned char *p = (const unsigned char *)q->account; *p; p++)
            chars += (*p & 0xc0) != 0x80;
        qw_int(w, chars);
        qw_text(w, q->account);
    }
    if (q->surface) {
        qw_add(w, "EXISTS (SELECT 1 FROM reports r JOIN evidence v ON v.report_id = r.id"
                  " WHERE r.case_id = cases.id AND v.surface = ?)");
        qw_text(w, q->surface);
    }
}

static int qw_prepare(pvg_store_t *s, const qwhere_t *w, const char *head, const char *tail,
                      pvg_stmt_t **st)
{
    char sql[2048];
    int k = snprintf(sql, sizeof sql, "%s WHERE %s%s", head, w->sql, tail);
    if (w->overflow || k < 0 || (size_t)k >= sizeof sql)
        return PVG_ENF_EINVAL;
    int rc = pvg_store_prepare(s, sql, st);
    if (rc)
        return rc;
    for (int i = 0; i < w->n; i++) {
        if (w->b[i].is_text)
            pvg_store_bind_text(*st, i + 1, w->b[i].t);
        else
            pvg_store_bind_int(*st, i + 1, w->b[i].i);
    }
    return PVG_ENF_OK;
}

/* Cursor: "<order letter><key>.<id>", e.g. "p120.42": the last row's sort
 * key and id. Opaque to clients; checked against the order asked for. */
static int parse_cursor(const char *c, char order, int64_t *key, int64_t *id)
{
    if (!c || c[0] != order)
        return PVG_ENF_EINVAL;
    char *end;
    errno = 0;
    long long k = strtoll(c + 1, &end, 10);
    if (errno || end == c + 1 || *end != '.')
        return PVG_ENF_EINVAL;
    const char *p = end + 1;
    long long i = strtoll(p, &end, 10);
    if (errno || end == p || *end || i <= 0 || (c[1] < '0' && c[1] != '-'))
        return PVG_ENF_EINVAL;
    *key = k;
    *id = i;
    return PVG_ENF_OK;
}

int pvg_case_page(pvg_enforce_t *e, const pvg_actor_t *a, const pvg_case_query_t *q, char **json)
{
    static const char *const statuses[] = {"open", "escalated", "closed", NULL};
    static const char *const surfaces[] = {"direct", "group", "open_chat", "open_profile",
                                           "board", "profile", NULL};
    int rc = pvg__role_check(a, R(TRIAGE) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    const char *order = q && q->order ? q->order : "priority";
    char ol = !strcmp(order, "priority") ? 'p'
              : !strcmp(order, "oldest") ? 'o'
              : !strcmp(order, "newest") ? 'n'
                                         : 0;
    if (!json || !q || !ol || q->limit < 0 || q->limit > PVG_CASE_PAGE_MAX ||
        (q->status && !one_of(q->status, statuses)) ||
        (q->surface && !one_of(q->surface, surfaces)) ||
        (q->category && !pvg__valid_id(q->category)) ||
        (q->account && strlen(q->account) > 256))
        return PVG_ENF_EINVAL;
    int limit = q->limit ? q->limit : PVG_CASE_PAGE_DEFAULT;
    int64_t ck = 0, cid = 0;
    if (q->after && parse_cursor(q->after, ol, &ck, &cid))
        return PVG_ENF_EINVAL;

    pvg_store_t *s = pvg__acquire(e);
    json_t *out = json_pack("{s:[], s:I, s:{}, s:n}", "cases", "total", (json_int_t)0, "counts",
                            "next");
    json_t *rows = json_object_get(out, "cases");
    qwhere_t w;
    pvg_stmt_t *st = NULL;

    /* the page: one more row than asked tells whether there is a next one */
    qw_filters(&w, q, 1);
    if (q->after) {
        qw_add(&w, ol == 'p'   ? "(priority < ? OR (priority = ? AND id > ?))"
                   : ol == 'o' ? "(opened_at > ? OR (opened_at = ? AND id > ?))"
                               : "(opened_at < ? OR (opened_at = ? AND id < ?))");
        qw_int(&w, ck);
        qw_int(&w, ck);
        qw_int(&w, cid);
    }
    char tail[96];
    snprintf(tail, sizeof tail, " ORDER BY %s LIMIT %d",
             ol == 'p'   ? "priority DESC, id"
             : ol == 'o' ? "opened_at, id"
                         : "opened_at DESC, id DESC",
             limit + 1);
    rc = qw_prepare(s, &w, "SELECT " CASE_COLS " FROM cases", tail, &st);
    int got = 0;
    int64_t last_key = 0, last_id = 0;
    while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        if (++got > limit)
            break;
        last_id = pvg_store_col_int(st, 0);
        last_key = pvg_store_col_int(st, ol == 'p' ? 3 : 7);
        json_t *row = case_row(st);
        if (!row || json_array_append_new(rows, row))
            rc = PVG_ENF_ENOMEM;
    }
    pvg_store_finalize(st);
    st = NULL;
    if (rc >= 0 && got > limit) {
        char cur[64];
        snprintf(cur, sizeof cur, "%c%" PRId64 ".%" PRId64, ol, last_key, last_id);
        json_object_set_new(out, "next", json_string(cur));
    }
    if (rc >= 0)
        rc = add_surfaces(s, rows);

    /* total: the filters without the cursor */
    if (rc >= 0) {
        qw_filters(&w, q, 1);
        rc = qw_prepare(s, &w, "SELECT COUNT(*) FROM cases", "", &st);
        if (!rc && (rc = pvg_store_step(st)) == PVG_STORE_ROW)
            json_object_set_new(out, "total", json_integer(pvg_store_col_int(st, 0)));
        pvg_store_finalize(st);
        st = NULL;
    }
    /* counts per top category: the filters without the category one */
    if (rc >= 0) {
        qw_filters(&w, q, 0);
        qw_add(&w, "top_category IS NOT NULL");
        rc = qw_prepare(s, &w, "SELECT top_category, COUNT(*) FROM cases",
                        " GROUP BY top_category", &st);
        json_t *counts = json_object_get(out, "counts");
        while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW)
            json_object_set_new(counts, pvg_store_col_text(st, 0),
                                json_integer(pvg_store_col_int(st, 1)));
        pvg_store_finalize(st);
    }
    pvg__release(e, s);
    if (rc < 0) {
        json_decref(out);
        return rc;
    }
    return pvg__json_out(out, json);
}

/* open|escalated and not yet acknowledged -> acknowledged (who, when). The
 * status stays; a reopened case must be acknowledged again. */
int pvg_case_acknowledge(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id,
                         const char *note)
{
    int rc = pvg__role_check(a, R(TRIAGE) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (note && strlen(note) > 2000)
        return PVG_ENF_EINVAL;
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (rc)
        goto out;
    pvg_stmt_t *st;
    rc = pvg_store_q(s, &st, "SELECT status, acknowledged_at FROM cases WHERE id = ?", "i",
                     case_id);
    char status[16] = "";
    int acked = 0;
    if (!rc) {
        rc = pvg_store_step(st);
        if (rc == PVG_STORE_ROW) {
            snprintf(status, sizeof status, "%s", pvg_store_col_text(st, 0));
            acked = !pvg_store_col_null(st, 1);
        }
        pvg_store_finalize(st);
    }
    if (rc == PVG_STORE_DONE)
        rc = PVG_ENF_ENOTFOUND;
    else if (rc == PVG_STORE_ROW)
        rc = !strcmp(status, "closed") ? PVG_ENF_ETRANSITION
             : acked                   ? PVG_ENF_EALREADY
                                       : PVG_ENF_OK;
    if (!rc) {
        int64_t now = pvg_enforce_now(e);
        int64_t r = pvg_store_x(s,
                                "UPDATE cases SET acknowledged_at = ?, acknowledged_by = ?,"
                                " updated_at = ? WHERE id = ?",
                                "itii", now, a->id, now, case_id);
        rc = r < 0 ? (int)r : pvg__audit(e, s, a, "case.acknowledged", "case", case_id, note, NULL);
    }
    if (!rc)
        rc = pvg_store_commit(s);
out:
    pvg_store_rollback(s);
    pvg__release(e, s);
    return rc;
}

/* The masked view: bytes inside a finding's span and ASCII digits become
 * '*' (one per character). */
static char *mask_text(const char *text, size_t n, const char *findings)
{
    unsigned char *hide = calloc(n + 1, 1);
    char *o = malloc(n + 1);
    if (!hide || !o) {
        free(hide);
        free(o);
        return NULL;
    }
    json_t *f = findings ? json_loads(findings, 0, NULL) : NULL;
    size_t i;
    json_t *x;
    json_array_foreach(f, i, x)
    {
        json_int_t from = json_integer_value(json_object_get(x, "start"));
        json_int_t to = json_integer_value(json_object_get(x, "end"));
        for (json_int_t k = from < 0 ? 0 : from; k < to && (size_t)k < n; k++)
            hide[k] = 1;
    }
    json_decref(f);
    size_t j = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        int cont = (c & 0xc0) == 0x80;
        if (hide[i] || (c >= '0' && c <= '9')) {
            if (!cont)
                o[j++] = '*';
        } else if (cont && j && o[j - 1] == '*' && i && hide[i - 1]) {
            /* the rest of a hidden character */
        } else {
            o[j++] = (char)c;
        }
    }
    o[j] = 0;
    free(hide);
    return o;
}

static json_t *decrypt_field(pvg_enforce_t *e, pvg_stmt_t *st, int kid_col, const char *ad,
                             int unmask, const char *findings, int *err)
{
    const char *kid = pvg_store_col_text(st, kid_col);
    if (!kid)
        return json_null();
    const void *nonce, *ct;
    size_t nn = pvg_store_col_blob(st, kid_col + 1, &nonce);
    size_t cn = pvg_store_col_blob(st, kid_col + 2, &ct);
    char *plain;
    size_t pn;
    int rc = pvg__open(e, ad, (int)strtol(kid, NULL, 10), nonce, nn, ct, cn, &plain, &pn);
    if (rc) {
        *err = rc;
        return json_null();
    }
    json_t *v;
    if (unmask) {
        v = json_stringn(plain, pn);
    } else {
        char *m = mask_text(plain, pn, findings);
        v = m ? json_string(m) : NULL;
        if (m) {
            sodium_memzero(m, strlen(m));
            free(m);
        }
    }
    sodium_memzero(plain, pn);
    free(plain);
    if (!v)
        v = json_string("(not valid UTF-8)");
    return v;
}

static json_t *parse_or_null(const char *t)
{
    json_t *v = t ? json_loads(t, 0, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *int_or_null(pvg_stmt_t *st, int col)
{
    return pvg_store_col_null(st, col) ? json_null() : json_integer(pvg_store_col_int(st, col));
}

static json_t *text_or_null(pvg_stmt_t *st, int col)
{
    const char *t = pvg_store_col_text(st, col);
    return t ? json_string(t) : json_null();
}

int pvg_case_show(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id, int unmask,
                  const char *reason, char **json)
{
    int rc = pvg__role_check(a, unmask ? (R(MODERATOR) | R(ADMIN))
                                       : (R(TRIAGE) | R(MODERATOR) | R(ADMIN)));
    if (rc)
        return rc;
    if (!json || (unmask && (!reason || !*reason || strlen(reason) > 1000)))
        return PVG_ENF_EINVAL;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st;
    json_t *c = NULL;
    char account[300] = "";
    rc = pvg_store_q(s, &st,
                     "SELECT id, account, status, priority, reporters, max_score, top_category,"
                     " opened_at, updated_at, closed_at, acknowledged_at, acknowledged_by"
                     " FROM cases WHERE id = ?",
                     "i", case_id);
    if (rc)
        goto out;
    rc = pvg_store_step(st);
    if (rc == PVG_STORE_ROW) {
        snprintf(account, sizeof account, "%s", pvg_store_col_text(st, 1));
        c = json_pack("{s:I, s:s, s:s, s:I, s:I, s:f, s:o, s:I, s:I, s:o, s:b}", "id",
                      (json_int_t)case_id, "account", account, "status",
                      pvg_store_col_text(st, 2), "priority", (json_int_t)pvg_store_col_int(st, 3),
                      "reporters", (json_int_t)pvg_store_col_int(st, 4), "score",
                      (double)pvg_store_col_int(st, 5) / 1000.0, "top_category",
                      text_or_null(st, 6), "opened_at", (json_int_t)pvg_store_col_int(st, 7),
                      "updated_at", (json_int_t)pvg_store_col_int(st, 8), "closed_at",
                      int_or_null(st, 9), "unmasked", unmask);
        if (c) {
            json_object_set_new(c, "acknowledged_at", int_or_null(st, 10));
            json_object_set_new(c, "acknowledged_by", text_or_null(st, 11));
        }
    }
    pvg_store_finalize(st);
    if (rc < 0)
        goto out;
    if (rc == PVG_STORE_DONE) {
        rc = PVG_ENF_ENOTFOUND;
        goto out;
    }
    if (unmask) {
        /* The read is on record before any text leaves. */
        rc = pvg_store_begin(s);
        if (!rc)
            rc = pvg__audit(e, s, a, "evidence.unmasked", "case", case_id, reason, NULL);
        if (!rc)
            rc = pvg_store_commit(s);
        else
            pvg_store_rollback(s);
        if (rc)
            goto out;
    }
    json_t *reports = json_array();
    json_object_set_new(c, "reports", reports);
    rc = pvg_store_q(s, &st,
                     "SELECT id, reporter, subject_type, subject_id, reason, channel, external_id,"
                     " findings, score, status, created_at, legal_hold, purged_at, comment_kid,"
                     " comment_nonce, comment_ct FROM reports WHERE case_id = ? ORDER BY id",
                     "i", case_id);
    int err = 0;
    while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        int64_t rid = pvg_store_col_int(st, 0);
        char ad[64];
        snprintf(ad, sizeof ad, "report-comment:%" PRId64, rid);
        json_array_append_new(
            reports,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:f, s:s, s:I, s:b, s:o, s:o, "
                      "s:[]}",
                      "id", (json_int_t)rid, "reporter", pvg_store_col_text(st, 1),
                      "subject_type", pvg_store_col_text(st, 2), "subject_id",
                      pvg_store_col_text(st, 3), "reason", pvg_store_col_text(st, 4), "channel",
                      pvg_store_col_text(st, 5), "external_id", text_or_null(st, 6), "findings",
                      parse_or_null(pvg_store_col_text(st, 7)), "score",
                      (double)pvg_store_col_int(st, 8) / 1000.0, "status",
                      pvg_store_col_text(st, 9), "created_at",
                      (json_int_t)pvg_store_col_int(st, 10), "legal_hold",
                      (int)pvg_store_col_int(st, 11), "purged_at", int_or_null(st, 12), "comment",
                      decrypt_field(e, st, 13, ad, unmask, NULL, &err), "evidence"));
    }
    pvg_store_finalize(st);
    if (rc < 0)
        goto out;
    size_t i;
    json_t *r;
    json_array_foreach(reports, i, r)
    {
        int64_t rid = json_integer_value(json_object_get(r, "id"));
        json_t *evs = json_object_get(r, "evidence");
        rc = pvg_store_q(s, &st,
                         "SELECT ord, sender, room, surface, message_id, sent_at, findings,"
                         " retain_until, legal_hold, purged_at, kid, nonce, ciphertext"
                         " FROM evidence WHERE report_id = ? ORDER BY ord",
                         "i", rid);
        while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
            int64_t ord = pvg_store_col_int(st, 0);
            char ad[64];
            snprintf(ad, sizeof ad, "evidence:%" PRId64 ":%" PRId64, rid, ord);
            const char *findings = pvg_store_col_text(st, 6);
            json_array_append_new(
                evs, json_pack("{s:I, s:o, s:o, s:o, s:o, s:I, s:o, s:I, s:b, s:o, s:o}", "ord",
                               (json_int_t)ord, "sender", text_or_null(st, 1), "room",
                               text_or_null(st, 2), "surface", text_or_null(st, 3), "message_id",
                               text_or_null(st, 4), "sent_at",
                               (json_int_t)pvg_store_col_int(st, 5), "findings",
                               parse_or_null(findings), "retain_until",
                               (json_int_t)pvg_store_col_int(st, 7), "legal_hold",
                               (int)pvg_store_col_int(st, 8), "purged_at", int_or_null(st, 9),
                               "text", decrypt_field(e, st, 10, ad, unmask, findings, &err)));
        }
        pvg_store_finalize(st);
        if (rc < 0)
            goto out;
        rc = PVG_ENF_OK;
        /* media evidence: kind, size and hashes only; the bytes need
         * pvg_media_evidence_reveal */
        json_object_set_new(r, "media", pvg__media_view(s, rid, 0, &err));
    }
    json_t *decs = json_array();
    json_object_set_new(c, "decisions", decs);
    rc = pvg_store_q(s, &st,
                     "SELECT d.id, d.outcome, d.categories, d.severity, d.strikes, d.automated,"
                     " d.decided_by, d.decided_role, d.note, d.proposed, d.created_at, a.id,"
                     " a.state FROM decisions d LEFT JOIN appeals a ON a.decision_id = d.id"
                     " WHERE d.case_id = ? ORDER BY d.id",
                     "i", case_id);
    while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        json_array_append_new(
            decs, json_pack("{s:I, s:s, s:o, s:o, s:I, s:b, s:s, s:s, s:o, s:o, s:I, s:o, s:o}",
                            "id", (json_int_t)pvg_store_col_int(st, 0), "outcome",
                            pvg_store_col_text(st, 1), "categories",
                            parse_or_null(pvg_store_col_text(st, 2)), "severity",
                            text_or_null(st, 3), "strikes", (json_int_t)pvg_store_col_int(st, 4),
                            "automated", (int)pvg_store_col_int(st, 5), "decided_by",
                            pvg_store_col_text(st, 6), "decided_role", pvg_store_col_text(st, 7),
                            "note", text_or_null(st, 8), "proposed",
                            parse_or_null(pvg_store_col_text(st, 9)), "created_at",
                            (json_int_t)pvg_store_col_int(st, 10), "appeal_id", int_or_null(st, 11),
                            "appeal_state", text_or_null(st, 12)));
    }
    pvg_store_finalize(st);
    if (rc < 0)
        goto out;
    int64_t strikes = 0;
    rc = pvg_store_x_int(s, &strikes,
                         "SELECT COALESCE(SUM(count), 0) FROM strikes WHERE account = ?"
                         " AND state = 'active' AND expires_at > ?",
                         "ti", account, now);
    if (rc < 0)
        goto out;
    json_object_set_new(c, "active_strikes", json_integer(strikes));
    rc = err;
out:
    pvg__release(e, s);
    if (rc) {
        json_decref(c);
        return rc;
    }
    return pvg__json_out(c, json);
}

int pvg_case_escalate(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id, const char *note)
{
    int rc = pvg__role_check(a, R(TRIAGE) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (note && strlen(note) > 2000)
        return PVG_ENF_EINVAL;
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (rc)
        goto out;
    pvg_stmt_t *st;
    rc = pvg_store_q(s, &st, "SELECT status FROM cases WHERE id = ?", "i", case_id);
    char status[16] = "";
    if (!rc) {
        rc = pvg_store_step(st);
        if (rc == PVG_STORE_ROW)
            snprintf(status, sizeof status, "%s", pvg_store_col_text(st, 0));
        pvg_store_finalize(st);
    }
    if (rc == PVG_STORE_DONE)
        rc = PVG_ENF_ENOTFOUND;
    else if (rc == PVG_STORE_ROW)
        rc = !strcmp(status, "escalated") ? PVG_ENF_EALREADY
             : strcmp(status, "open")     ? PVG_ENF_ETRANSITION
                                          : PVG_ENF_OK;
    if (!rc) {
        int64_t r = pvg_store_x(s,
                                "UPDATE cases SET status = 'escalated', updated_at = ? WHERE id = ?",
                                "ii", pvg_enforce_now(e), case_id);
        rc = r < 0 ? (int)r : pvg__audit(e, s, a, "case.escalated", "case", case_id, note, NULL);
    }
    if (!rc)
        rc = pvg_store_commit(s);
out:
    pvg_store_rollback(s);
    pvg__release(e, s);
    return rc;
}
