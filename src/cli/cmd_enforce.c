/* SPDX-License-Identifier: MIT */
/*
 * cmd_enforce.c -- the enforcement core's commands, for operators and
 * scripts: report, case, sanction, appeal, notice, audit, purge, keys and
 * token. Each opens the store given by --store (a SQLite path or a
 * PostgreSQL connection string; default ./data/privguard.db), acts as
 * --actor (default "cli:operator") with --actor-role (default admin), and
 * prints one JSON object or array on stdout. --now MS pins the clock.
 *
 * Exit status: 0 done (check: allowed; audit: verified); 1 a negative
 * answer (check: denied; audit: tampered); 2 usage or fatal error;
 * 3 not_found; 4 duplicate, invalid_transition, already_in_state or
 * conflict; 5 forbidden or unauthorized; 6 rate_limited. A failure also
 * prints {"error": "<name>", ...} on stdout and a line on stderr.
 */
#ifdef PVG_HAVE_enforce
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>
#include <privguard/enforce.h>

#include "cli/commands.h"

#define MAX_OPTS 32
#define MAX_MULTI 16

typedef struct args {
    const char *name[MAX_OPTS], *val[MAX_OPTS];
    int n;
    const char *pos[8];
    int npos;
} args_t;

static const char *const flags[] = {"--unmask", "--help", "--private-media", NULL};

static int is_flag(const char *s)
{
    for (int i = 0; flags[i]; i++)
        if (!strcmp(s, flags[i]))
            return 1;
    return 0;
}

/* Splits argv (after the subcommand words) into --name value pairs, flags
 * and positional words. */
static int parse(int argc, char **argv, int start, args_t *a)
{
    memset(a, 0, sizeof *a);
    for (int i = start; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2)) {
            if (a->n == MAX_OPTS)
                return -1;
            a->name[a->n] = argv[i];
            if (is_flag(argv[i])) {
                a->val[a->n++] = "1";
            } else {
                if (i + 1 >= argc) {
                    fprintf(stderr, "privguard: option '%s' needs a value\n", argv[i]);
                    return -1;
                }
                a->val[a->n++] = argv[++i];
            }
        } else {
            if (a->npos == 8)
                return -1;
            a->pos[a->npos++] = argv[i];
        }
    }
    return 0;
}

static const char *opt(const args_t *a, const char *name)
{
    for (int i = a->n - 1; i >= 0; i--)
        if (!strcmp(a->name[i], name))
            return a->val[i];
    return NULL;
}

static size_t opts(const args_t *a, const char *name, const char **out, size_t max)
{
    size_t n = 0;
    for (int i = 0; i < a->n && n < max; i++)
        if (!strcmp(a->name[i], name))
            out[n++] = a->val[i];
    return n;
}

static int check_known(const args_t *a, const char *const *known)
{
    static const char *const common[] = {"--store", "--keys", "--actor", "--actor-role", "--ip",
                                         "--now", NULL};
    for (int i = 0; i < a->n; i++) {
        int ok = 0;
        for (int j = 0; common[j] && !ok; j++)
            ok = !strcmp(a->name[i], common[j]);
        for (int j = 0; known && known[j] && !ok; j++)
            ok = !strcmp(a->name[i], known[j]);
        if (!ok) {
            fprintf(stderr, "privguard: unknown option '%s'\n", a->name[i]);
            return -1;
        }
    }
    return 0;
}

static int parse_i64(const char *s, int64_t *v)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

/* "7d", "24h", "30m", "90s", or "permanent" (0). */
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

static int64_t g_pinned;

static int64_t pinned_clock(void *ctx)
{
    (void)ctx;
    return g_pinned;
}

typedef struct ctx {
    pvg_enforce_t *e;
    pvg_actor_t actor;
} ctx_t;

static int exit_for(int rc)
{
    switch (rc) {
    case PVG_ENF_OK: return 0;
    case PVG_ENF_ENOTFOUND: return 3;
    case PVG_ENF_EDUPLICATE:
    case PVG_ENF_ETRANSITION:
    case PVG_ENF_EALREADY:
    case PVG_ENF_ECONFLICT: return 4;
    case PVG_ENF_EFORBIDDEN:
    case PVG_ENF_EUNAUTH: return 5;
    case PVG_ENF_ERATE: return 6;
    default: return 2;
    }
}

/* Prints the error object (with an optional id field) and returns the exit status. */
static int fail(const char *what, int rc, const char *id_name, int64_t id)
{
    json_t *o = json_pack("{s:s, s:s}", "error", pvg_enf_errname(rc), "message",
                          pvg_enf_strerror(rc));
    if (o && id_name && id)
        json_object_set_new(o, id_name, json_integer(id));
    char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (t)
        puts(t);
    free(t);
    json_decref(o);
    fprintf(stderr, "privguard: cannot %s: %s\n", what, pvg_enf_errname(rc));
    return exit_for(rc);
}

static int print_json(json_t *o)
{
    char *t = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(o);
    if (!t) {
        fprintf(stderr, "privguard: out of memory\n");
        return 2;
    }
    puts(t);
    free(t);
    return 0;
}

static int print_text(char *json)
{
    puts(json);
    pvg_enforce_free(json);
    return 0;
}

static int usage_err(const char *cmd, const char *usage)
{
    fprintf(stderr, "usage: privguard %s %s\n", cmd, usage);
    return 2;
}

/* Opens the core from the common options. */
static int open_ctx(const args_t *a, ctx_t *c)
{
    memset(c, 0, sizeof *c);
    pvg_enforce_options_t o;
    pvg_enforce_options_init(&o);
    o.store = opt(a, "--store");
    if (!o.store)
        o.store = getenv("PVG_STORE");
    if (!o.store)
        o.store = "./data/privguard.db";
    o.key_dir = opt(a, "--keys");
    o.pool_size = 1;
    const char *now = opt(a, "--now");
    if (now) {
        if (parse_i64(now, &g_pinned) || g_pinned < 0) {
            fprintf(stderr, "privguard: --now takes epoch milliseconds\n");
            return 2;
        }
        o.clock = pinned_clock;
    }
    c->actor.id = opt(a, "--actor") ? opt(a, "--actor") : "cli:operator";
    c->actor.ip = opt(a, "--ip");
    c->actor.role = PVG_ROLE_ADMIN;
    if (opt(a, "--actor-role") && pvg_role_parse(opt(a, "--actor-role"), &c->actor.role)) {
        fprintf(stderr, "privguard: unknown role '%s'\n", opt(a, "--actor-role"));
        return 2;
    }
    int rc = pvg_enforce_open(&o, &c->e);
    if (rc) {
        fprintf(stderr, "privguard: cannot open store '%s': %s\n",
                strstr(o.store, "password") ? "(connection string)" : o.store,
                pvg_enf_errname(rc));
        return 2;
    }
    return 0;
}

/* ------------------------------------------------------------- report */

static int read_evidence(const char *path, pvg_evidence_in_t *ev, size_t *n, json_t **keep)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "privguard: cannot open evidence file '%s'\n", path);
        return -1;
    }
    json_t *arr = json_array();
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0, lineno = 0;
    *n = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len == 0 || line[0] == '\n')
            continue;
        json_t *o = json_loadb(line, (size_t)len, 0, NULL);
        json_t *text = json_object_get(o, "text");
        if (!json_is_string(text) || *n == PVG_MAX_EVIDENCE) {
            fprintf(stderr, "privguard: evidence line %d: %s\n", lineno,
                    *n == PVG_MAX_EVIDENCE ? "more than 5 messages" : "needs a string 'text'");
            json_decref(o);
            rc = -1;
            break;
        }
        json_array_append_new(arr, o);
        pvg_evidence_in_t *x = &ev[(*n)++];
        memset(x, 0, sizeof *x);
        x->text = json_string_value(text);
        x->len = json_string_length(text);
        x->sender = json_string_value(json_object_get(o, "sender"));
        x->room = json_string_value(json_object_get(o, "room"));
        x->surface = json_string_value(json_object_get(o, "surface"));
        json_t *id = json_object_get(o, "id");
        x->message_id = json_string_value(id);
        x->sent_at = json_integer_value(json_object_get(o, "ts"));
        json_t *fnd = json_object_get(o, "findings");
        if (fnd) {
            char *t = json_dumps(fnd, JSON_COMPACT);
            json_object_set_new(o, "_findings_text", json_string(t ? t : "[]"));
            free(t);
            x->findings_json = json_string_value(json_object_get(o, "_findings_text"));
        }
    }
    if (line) {
        sodium_memzero(line, cap);
        free(line);
    }
    if (f != stdin)
        fclose(f);
    *keep = arr;
    return rc;
}

int pvg_cmd_report(int argc, char **argv)
{
    static const char *const known[] = {"--reporter", "--account", "--subject-type", "--subject",
                                        "--reason", "--channel", "--external-id", "--comment",
                                        "--score", "--findings", "--evidence", NULL};
    static const char use[] = "--store S --reporter R --account A --subject-type T --subject ID"
                              " --reason C [--channel in_app|automated|rights_notice]"
                              " [--external-id X] [--comment TEXT] [--score 0..1]"
                              " [--findings JSON] [--evidence FILE|- (JSONL, at most 5)]";
    args_t a;
    if (parse(argc, argv, 1, &a) || check_known(&a, known) || opt(&a, "--help") || a.npos)
        return usage_err("report", use);
    pvg_report_in_t in = {.reporter = opt(&a, "--reporter"), .account = opt(&a, "--account"),
                          .subject_type = opt(&a, "--subject-type"),
                          .subject_id = opt(&a, "--subject"), .reason = opt(&a, "--reason"),
                          .channel = opt(&a, "--channel") ? opt(&a, "--channel") : "in_app",
                          .external_id = opt(&a, "--external-id"),
                          .comment = opt(&a, "--comment"), .findings_json = opt(&a, "--findings")};
    if (!in.reporter || !in.account || !in.subject_type || !in.subject_id || !in.reason)
        return usage_err("report", use);
    if (opt(&a, "--score")) {
        char *end;
        in.score = strtod(opt(&a, "--score"), &end);
        if (*end)
            return usage_err("report", use);
    }
    pvg_evidence_in_t ev[PVG_MAX_EVIDENCE];
    json_t *keep = NULL;
    if (opt(&a, "--evidence")) {
        if (read_evidence(opt(&a, "--evidence"), ev, &in.n_evidence, &keep)) {
            json_decref(keep);
            return 2;
        }
        in.evidence = ev;
    }
    ctx_t c;
    int rc = open_ctx(&a, &c);
    if (rc) {
        json_decref(keep);
        return rc;
    }
    pvg_report_out_t out;
    rc = pvg_report_submit(c.e, &c.actor, &in, &out);
    json_decref(keep); /* jansson strings are freed; evidence text is not logged */
    int st = rc ? fail("submit report", rc, "report_id", out.report_id)
                : print_json(json_pack("{s:I, s:o, s:b, s:b, s:b}", "report_id",
                                       (json_int_t)out.report_id, "case_id",
                                       out.case_id ? json_integer(out.case_id) : json_null(),
                                       "replayed", out.replayed, "muted", out.muted,
                                       "auto_measure", out.auto_measure));
    pvg_enforce_close(c.e);
    return st;
}

/* --------------------------------------------------------------- case */

static int parse_sanction(const char *s, pvg_sanction_in_t *x, char *buf, size_t n)
{
    /* SCOPE:DURATION[:room=R|:object=O] */
    snprintf(buf, n, "%s", s);
    char *scope = buf, *dur = strchr(buf, ':');
    if (!dur)
        return -1;
    *dur++ = 0;
    char *target = strchr(dur, ':');
    if (target)
        *target++ = 0;
    memset(x, 0, sizeof *x);
    if (pvg_scope_parse(scope, &x->scope) || parse_duration(dur, &x->duration_ms))
        return -1;
    if (target) {
        if (!strncmp(target, "room=", 5))
            x->container = target + 5;
        else if (!strncmp(target, "object=", 7))
            x->object = target + 7;
        else
            return -1;
    }
    return 0;
}

int pvg_cmd_case(int argc, char **argv)
{
    static const char use[] =
        "list [--status open|escalated|closed] [--limit N]\n"
        "       privguard case show ID [--unmask --reason WHY]\n"
        "       privguard case decide ID --outcome violation|no_violation [--category C]..."
        " [--severity low|medium|high] [--strikes N]"
        " [--sanction SCOPE:7d|24h|permanent[:room=R|:object=O]]... [--note TEXT]"
        " [--private-media]\n"
        "       privguard case escalate ID [--note TEXT]\n"
        "       (all take --store S [--actor ID --actor-role ROLE])";
    static const char *const known[] = {"--status", "--limit", "--unmask", "--reason",
                                        "--outcome", "--category", "--severity", "--strikes",
                                        "--sanction", "--note", "--private-media", NULL};
    args_t a;
    if (argc < 2 || parse(argc, argv, 2, &a) || check_known(&a, known) || opt(&a, "--help"))
        return usage_err("case", use);
    const char *sub = argv[1];
    int64_t id = 0;
    if (strcmp(sub, "list") && (a.npos != 1 || parse_i64(a.pos[0], &id)))
        return usage_err("case", use);
    ctx_t c;
    int rc, st;
    if ((rc = open_ctx(&a, &c)))
        return rc;
    char *json = NULL;
    if (!strcmp(sub, "list")) {
        int64_t limit = 100;
        if (opt(&a, "--limit") && parse_i64(opt(&a, "--limit"), &limit))
            limit = -1;
        rc = pvg_case_list(c.e, &c.actor, opt(&a, "--status"), (int)limit, &json);
        st = rc ? fail("list cases", rc, NULL, 0) : print_text(json);
    } else if (!strcmp(sub, "show")) {
        rc = pvg_case_show(c.e, &c.actor, id, opt(&a, "--unmask") != NULL, opt(&a, "--reason"),
                           &json);
        st = rc ? fail("show case", rc, "case_id", id) : print_text(json);
        /* the output may hold evidence text; nothing else keeps it */
    } else if (!strcmp(sub, "decide")) {
        const char *cats[MAX_MULTI], *sans[MAX_MULTI];
        pvg_sanction_in_t sx[PVG_MAX_DECISION_SANCTIONS];
        char bufs[PVG_MAX_DECISION_SANCTIONS][512];
        pvg_decision_in_t d = {.outcome = opt(&a, "--outcome"),
                               .severity = opt(&a, "--severity"),
                               .note = opt(&a, "--note"),
                               .strikes = -1,
                               .private_media = opt(&a, "--private-media") != NULL};
        d.n_categories = opts(&a, "--category", cats, MAX_MULTI);
        d.categories = cats;
        d.n_sanctions = opts(&a, "--sanction", sans, MAX_MULTI);
        int bad = d.n_sanctions > PVG_MAX_DECISION_SANCTIONS || !d.outcome;
        for (size_t i = 0; !bad && i < d.n_sanctions; i++)
            bad = parse_sanction(sans[i], &sx[i], bufs[i], sizeof bufs[i]);
        int64_t strikes = -1;
        if (opt(&a, "--strikes") && parse_i64(opt(&a, "--strikes"), &strikes))
            bad = 1;
        d.strikes = (int)strikes;
        d.sanctions = sx;
        if (bad) {
            pvg_enforce_close(c.e);
            return usage_err("case", use);
        }
        pvg_decision_out_t out;
        rc = pvg_case_decide(c.e, &c.actor, id, &d, &out);
        if (rc) {
            st = fail("decide case", rc, "case_id", id);
        } else {
            json_t *ids = json_array();
            for (size_t i = 0; i < out.n_sanctions; i++)
                json_array_append_new(ids, json_integer(out.sanction_ids[i]));
            st = print_json(json_pack("{s:I, s:I, s:I, s:o, s:b, s:I}", "case_id",
                                      (json_int_t)id, "decision_id", (json_int_t)out.decision_id,
                                      "strikes_total", (json_int_t)out.strikes_total,
                                      "sanction_ids", ids, "proposed", out.proposed,
                                      "bank_entries", (json_int_t)out.bank_entries));
        }
    } else if (!strcmp(sub, "escalate")) {
        rc = pvg_case_escalate(c.e, &c.actor, id, opt(&a, "--note"));
        st = rc ? fail("escalate case", rc, "case_id", id)
                : print_json(json_pack("{s:I, s:s}", "case_id", (json_int_t)id, "status",
                                       "escalated"));
    } else {
        pvg_enforce_close(c.e);
        return usage_err("case", use);
    }
    pvg_enforce_close(c.e);
    return st;
}

/* ----------------------------------------------------------- sanction */

int pvg_cmd_sanction(int argc, char **argv)
{
    static const char use[] =
        "check --account A --scope SCOPE [--room R] [--object O]   (exit 0 allowed, 1 denied)\n"
        "       privguard sanction list [--account A]\n"
        "       privguard sanction revoke ID [--note TEXT]";
    static const char *const known[] = {"--account", "--scope", "--room", "--object", "--note",
                                        NULL};
    args_t a;
    if (argc < 2 || parse(argc, argv, 2, &a) || check_known(&a, known) || opt(&a, "--help"))
        return usage_err("sanction", use);
    const char *sub = argv[1];
    pvg_scope_t scope = PVG_SCOPE_SERVICE;
    int64_t id = 0;
    if (!strcmp(sub, "check")) {
        if (!opt(&a, "--account") || pvg_scope_parse(opt(&a, "--scope"), &scope) || a.npos)
            return usage_err("sanction", use);
    } else if (!strcmp(sub, "revoke")) {
        if (a.npos != 1 || parse_i64(a.pos[0], &id))
            return usage_err("sanction", use);
    } else if (strcmp(sub, "list") || a.npos) {
        return usage_err("sanction", use);
    }
    ctx_t c;
    int rc, st;
    if ((rc = open_ctx(&a, &c)))
        return rc;
    char *json;
    if (!strcmp(sub, "check")) {
        pvg_check_t r;
        rc = pvg_sanction_check(c.e, opt(&a, "--account"), scope, opt(&a, "--room"),
                                opt(&a, "--object"), &r);
        if (rc) {
            st = fail("check", rc, NULL, 0);
        } else {
            json_t *o = json_pack("{s:b}", "allowed", r.allowed);
            if (!r.allowed) {
                json_object_set_new(o, "sanction_id", json_integer(r.sanction_id));
                json_object_set_new(o, "scope", json_string(pvg_scope_name(r.scope)));
                json_object_set_new(o, "ends_at",
                                    r.ends_at == INT64_MAX ? json_null() : json_integer(r.ends_at));
            }
            st = print_json(o);
            if (!st && !r.allowed)
                st = 1;
        }
    } else if (!strcmp(sub, "list")) {
        rc = pvg_sanction_list(c.e, &c.actor, opt(&a, "--account"), &json);
        st = rc ? fail("list sanctions", rc, NULL, 0) : print_text(json);
    } else {
        rc = pvg_sanction_revoke(c.e, &c.actor, id, opt(&a, "--note"));
        st = rc ? fail("revoke sanction", rc, "sanction_id", id)
                : print_json(json_pack("{s:I, s:s}", "sanction_id", (json_int_t)id, "state",
                                       "revoked"));
    }
    pvg_enforce_close(c.e);
    return st;
}

/* ------------------------------------------------------------- appeal */

int pvg_cmd_appeal(int argc, char **argv)
{
    static const char use[] =
        "file DECISION_ID [--statement TEXT]\n"
        "       privguard appeal resolve APPEAL_ID --outcome upheld|overturned|modified"
        " [--duration 2d] [--note TEXT]";
    static const char *const known[] = {"--statement", "--outcome", "--duration", "--note", NULL};
    args_t a;
    int64_t id;
    if (argc < 2 || parse(argc, argv, 2, &a) || check_known(&a, known) || opt(&a, "--help") ||
        a.npos != 1 || parse_i64(a.pos[0], &id))
        return usage_err("appeal", use);
    int64_t dur = 0;
    if (opt(&a, "--duration") && (parse_duration(opt(&a, "--duration"), &dur) || !dur))
        return usage_err("appeal", use);
    int file = !strcmp(argv[1], "file");
    if (!file && (strcmp(argv[1], "resolve") || !opt(&a, "--outcome")))
        return usage_err("appeal", use);
    ctx_t c;
    int rc, st;
    if ((rc = open_ctx(&a, &c)))
        return rc;
    if (file) {
        int64_t ap = 0;
        rc = pvg_appeal_file(c.e, &c.actor, id, opt(&a, "--statement"), &ap);
        st = rc ? fail("file appeal", rc, "appeal_id", ap)
                : print_json(json_pack("{s:I, s:I, s:s}", "appeal_id", (json_int_t)ap,
                                       "decision_id", (json_int_t)id, "state", "filed"));
    } else {
        rc = pvg_appeal_resolve(c.e, &c.actor, id, opt(&a, "--outcome"), dur, opt(&a, "--note"));
        st = rc ? fail("resolve appeal", rc, "appeal_id", id)
                : print_json(json_pack("{s:I, s:s}", "appeal_id", (json_int_t)id, "state",
                                       opt(&a, "--outcome")));
    }
    pvg_enforce_close(c.e);
    return st;
}

/* ------------------------------------------------------------- notice */

int pvg_cmd_notice(int argc, char **argv)
{
    static const char use[] =
        "file --requester R --object POST --poster ACCOUNT [--claim TEXT] [--days N<=30]\n"
        "       privguard notice blind ID\n"
        "       privguard notice resolve ID --outcome restored|deleted|withdrawn [--note TEXT]\n"
        "       privguard notice show ID";
    static const char *const known[] = {"--requester", "--object", "--poster", "--claim",
                                        "--days", "--outcome", "--note", NULL};
    args_t a;
    if (argc < 2 || parse(argc, argv, 2, &a) || check_known(&a, known) || opt(&a, "--help"))
        return usage_err("notice", use);
    const char *sub = argv[1];
    int64_t id = 0, days = 30;
    if (!strcmp(sub, "file")) {
        if (a.npos || !opt(&a, "--requester") || !opt(&a, "--object") || !opt(&a, "--poster") ||
            (opt(&a, "--days") && parse_i64(opt(&a, "--days"), &days)) || days < 1 ||
            days > 3650)
            return usage_err("notice", use);
    } else if ((strcmp(sub, "blind") && strcmp(sub, "resolve") && strcmp(sub, "show")) ||
               a.npos != 1 || parse_i64(a.pos[0], &id) ||
               (!strcmp(sub, "resolve") && !opt(&a, "--outcome"))) {
        return usage_err("notice", use);
    }
    ctx_t c;
    int rc, st;
    if ((rc = open_ctx(&a, &c)))
        return rc;
    char *json;
    if (!strcmp(sub, "file")) {
        rc = pvg_notice_file(c.e, &c.actor, opt(&a, "--requester"), opt(&a, "--object"),
                             opt(&a, "--poster"), opt(&a, "--claim"), (int)days, &id);
        st = rc ? fail("file notice", rc, NULL, 0)
                : print_json(json_pack("{s:I, s:s}", "notice_id", (json_int_t)id, "state",
                                       "requested"));
    } else if (!strcmp(sub, "blind")) {
        rc = pvg_notice_blind(c.e, &c.actor, id);
        if (!rc)
            rc = pvg_notice_show(c.e, &c.actor, id, &json);
        st = rc ? fail("blind", rc, "notice_id", id) : print_text(json);
    } else if (!strcmp(sub, "resolve")) {
        rc = pvg_notice_resolve(c.e, &c.actor, id, opt(&a, "--outcome"), opt(&a, "--note"));
        st = rc ? fail("resolve notice", rc, "notice_id", id)
                : print_json(json_pack("{s:I, s:s}", "notice_id", (json_int_t)id, "state",
                                       opt(&a, "--outcome")));
    } else {
        rc = pvg_notice_show(c.e, &c.actor, id, &json);
        st = rc ? fail("show notice", rc, "notice_id", id) : print_text(json);
    }
    pvg_enforce_close(c.e);
    return st;
}

/* ------------------------------------------------------ audit, purge */

int pvg_cmd_audit(int argc, char **argv)
{
    args_t a;
    if (argc < 2 || strcmp(argv[1], "verify") || parse(argc, argv, 2, &a) ||
        check_known(&a, NULL) || a.npos)
        return usage_err("audit", "verify --store S   (exit 0 verified, 1 tampered)");
    ctx_t c;
    int rc;
    if ((rc = open_ctx(&a, &c)))
        return rc;
    int64_t n = 0, bad = 0;
    rc = pvg_audit_verify(c.e, &n, &bad);
    int st;
    if (rc == PVG_ENF_OK)
        st = print_json(json_pack("{s:b, s:I}", "ok", 1, "entries", (json_int_t)n));
    else if (rc == PVG_ENF_ETAMPERED) {
        print_json(json_pack("{s:b, s:I, s:I}", "ok", 0, "verified", (json_int_t)n, "bad_seq",
                             (json_int_t)bad));
        fprintf(stderr, "privguard: audit chain broken at entry %" PRId64 "\n", bad);
        st = 1;
    } else
        st = fail("verify audit", rc, NULL, 0);
    pvg_enforce_close(c.e);
    return st;
}

int pvg_cmd_purge(int argc, char **argv)
{
    args_t a;
    if (parse(argc, argv, 1, &a) || check_known(&a, NULL) || a.npos)
        return usage_err("purge", "--store S   (records expiries, then destroys evidence past"
                                  " retention except under legal hold)");
    ctx_t c;
    int rc;
    if ((rc = open_ctx(&a, &c)))
        return rc;
    pvg_tick_stats_t ts;
    int64_t purged = 0;
    rc = pvg_enforce_tick(c.e, &c.actor, &ts);
    if (!rc)
        rc = pvg_enforce_purge(c.e, &c.actor, &purged);
    int st = rc ? fail("purge", rc, NULL, 0)
                : print_json(json_pack("{s:I, s:I, s:I, s:I, s:I}", "evidence_purged",
                                       (json_int_t)purged, "sanctions_started",
                                       (json_int_t)ts.sanctions_started, "sanctions_expired",
                                       (json_int_t)ts.sanctions_expired, "strikes_expired",
                                       (json_int_t)ts.strikes_expired, "blindings_ended",
                                       (json_int_t)ts.blindings_ended));
    pvg_enforce_close(c.e);
    return st;
}

/* -------------------------------------------------------- keys, token */

int pvg_cmd_keys(int argc, char **argv)
{
    static const char *const known[] = {"--purpose", NULL};
    args_t a;
    if (argc < 2 || strcmp(argv[1], "rotate") || parse(argc, argv, 2, &a) ||
        check_known(&a, known) || a.npos)
        return usage_err("keys", "rotate --store S [--keys DIR]"
                                 " [--purpose evidence|ident|token|audit]");
    ctx_t c;
    int rc;
    if ((rc = open_ctx(&a, &c)))
        return rc;
    rc = pvg_keys_rotate(pvg_enforce_key_dir(c.e), opt(&a, "--purpose"));
    int st = rc ? fail("rotate keys", rc, NULL, 0)
                : print_json(json_pack("{s:s, s:s}", "rotated",
                                       opt(&a, "--purpose") ? opt(&a, "--purpose") : "all",
                                       "key_dir", pvg_enforce_key_dir(c.e)));
    pvg_enforce_close(c.e);
    return st;
}

int pvg_cmd_token(int argc, char **argv)
{
    static const char *const known[] = {"--role", "--label", NULL};
    args_t a;
    pvg_role_t role;
    if (argc < 2 || strcmp(argv[1], "create") || parse(argc, argv, 2, &a) ||
        check_known(&a, known) || a.npos || pvg_role_parse(opt(&a, "--role"), &role))
        return usage_err("token", "create --role service|reporter_app|triage|moderator|admin"
                                  " [--label L] --store S");
    ctx_t c;
    int rc;
    if ((rc = open_ctx(&a, &c)))
        return rc;
    char tok[65];
    int64_t id = 0;
    rc = pvg_token_create(c.e, &c.actor, role, opt(&a, "--label"), tok, &id);
    int st = rc ? fail("create token", rc, NULL, 0)
                : print_json(json_pack("{s:I, s:s, s:s}", "token_id", (json_int_t)id, "role",
                                       pvg_role_name(role), "token", tok));
    sodium_memzero(tok, sizeof tok);
    pvg_enforce_close(c.e);
    return st;
}

#endif /* PVG_HAVE_enforce */
