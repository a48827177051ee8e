/* SPDX-License-Identifier: MIT */
/*
 * cmd_eval.c -- `privguard eval FILE.jsonl [--rules FILE]`: how well the
 * policy does on a labelled set (tests/eval/, docs/events.md "Evaluation").
 *
 * Each line is a scan-contract input line (a message with `text`, or an
 * event with `event`) plus:
 *   "labels": ["pii_trade", ...]    the categories it violates ([] = benign)
 *   "benign_lookalike": true        a benign message built to look like a
 *                                   violation (talk about scams, one's own
 *                                   contact, official links, jokes)
 *   "spans": [{"type": "PHONE_NUMBER", "start": 3, "end": 16}]   optional
 * It prints, per category, true and false positives, false negatives,
 * precision, recall and F1; the macro F1 over the seven text categories;
 * and the share of benign look-alikes (and of all benign lines) that got
 * any violation. For lines with `spans`, per entity type: a predicted
 * finding is correct when a gold span of the same type overlaps it (byte
 * ranges intersect); a gold span is found when a finding of its type
 * overlaps it. Violations in shadow mode count only with --shadow. Events
 * share one in-memory state and a random key for the run, in file order.
 * Message text is never printed; --errors lists the line numbers, ids and
 * reasons of the misses.
 *
 * Exit status: 0 all lines evaluated, 1 some lines had errors (listed on
 * stderr by line number), 2 usage or fatal error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/events_json.h"
#include "cli/input.h"

int pvg_cmd_eval(int argc, char **argv);

static const char *const cats[] = {
    "pii_exposure",    "pii_trade",           "impersonation_collection",
    "unconsented_collection", "phishing_lure", "malware_lure",
    "exposure_threat", "auth_key_extraction", "illegal_pii_use",
};
#define NCAT 9
#define NTEXT 7

static int cat_index(const char *s)
{
    for (int i = 0; i < NCAT; i++)
        if (!strcmp(cats[i], s))
            return i;
    return -1;
}

typedef struct counts {
    size_t tp, fp, fn;
} counts_t;

static double prec(const counts_t *c) { return c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 1.0; }
static double rec(const counts_t *c) { return c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 1.0; }
static double f1(const counts_t *c)
{
    double p = prec(c), r = rec(c);
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

static const char eval_usage[] =
    "usage: privguard eval FILE.jsonl [--rules FILE] [--shadow] [--errors] [--json]\n"
    "Scans a labelled set (lines with \"labels\": [categories], optional\n"
    "\"benign_lookalike\": true and \"spans\") and prints precision, recall and F1 per\n"
    "category, the macro F1 over the seven text categories and the share of benign\n"
    "look-alikes flagged. --shadow counts shadow-mode violations, --errors lists\n"
    "the lines that were wrong (line numbers, ids and reasons, never text).\n";

/* Reads the line's gold labels into a bit set; -1 on a bad label list. */
static int gold_labels(json_t *o, unsigned *set, const char **err)
{
    json_t *l = json_object_get(o, "labels");
    *set = 0;
    if (!l) {
        *err = "missing labels";
        return -1;
    }
    if (!json_is_array(l)) {
        *err = "labels must be a list";
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(l, i, v) {
        int c = json_is_string(v) ? cat_index(json_string_value(v)) : -1;
        if (c < 0) {
            *err = "unknown label";
            return -1;
        }
        *set |= 1u << c;
    }
    return 0;
}

typedef struct span_counts {
    size_t pred, pred_ok, gold, gold_found;
} span_counts_t;

/* Entity scoring for a line with "spans". */
static int score_spans(json_t *o, const pvg_result_t *r, span_counts_t *sc, const char **err)
{
    json_t *spans = json_object_get(o, "spans");
    if (!spans)
        return 0;
    if (!json_is_array(spans)) {
        *err = "spans must be a list";
        return -1;
    }
    size_t n = json_array_size(spans);
    int types[64];
    long long st[64], en[64];
    if (n > 64) {
        *err = "too many spans (at most 64)";
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(spans, i);
        json_t *t = json_object_get(s, "type"), *a = json_object_get(s, "start"),
               *b = json_object_get(s, "end");
        if (!json_is_string(t) || !json_is_integer(a) || !json_is_integer(b)) {
            *err = "a span needs type, start and end";
            return -1;
        }
        types[i] = pvg_entity_from_name(json_string_value(t), json_string_length(t));
        st[i] = json_integer_value(a);
        en[i] = json_integer_value(b);
        if (types[i] < 0 || st[i] < 0 || en[i] <= st[i]) {
            *err = "bad span";
            return -1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        sc[types[i]].gold++;
        for (size_t f = 0; f < r->n_findings; f++) {
            const pvg_finding_t *x = &r->findings[f];
            if ((int)x->type == types[i] && (long long)x->start < en[i] && (long long)x->end > st[i]) {
                sc[types[i]].gold_found++;
                break;
            }
        }
    }
    for (size_t f = 0; f < r->n_findings; f++) {
        const pvg_finding_t *x = &r->findings[f];
        if (x->type >= PVG_ENTITY_COUNT || x->cls == PVG_CLASS_SIGNAL)
            continue; /* URLs are signals, not labelled */
        sc[x->type].pred++;
        for (size_t i = 0; i < n; i++)
            if ((int)x->type == types[i] && (long long)x->start < en[i] && (long long)x->end > st[i]) {
                sc[x->type].pred_ok++;
                break;
            }
    }
    return 0;
}

static void print_set(FILE *out, unsigned set)
{
    fputc('[', out);
    int k = 0;
    for (int c = 0; c < NCAT; c++)
        if (set & (1u << c))
            fprintf(out, "%s%s", k++ ? "," : "", cats[c]);
    fputc(']', out);
}

int pvg_cmd_eval(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"rules", required_argument, 0, 'r'}, {"shadow", no_argument, 0, 'S'},
        {"errors", no_argument, 0, 'E'},      {"json", no_argument, 0, 'J'},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0},
    };
    const char *rules = NULL;
    int shadow = 0, errors = 0, as_json = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': rules = optarg; break;
        case 'S': shadow = 1; break;
        case 'E': errors = 1; break;
        case 'J': as_json = 1; break;
        case 'h': fputs(eval_usage, stdout); return 0;
        default: fputs(eval_usage, stderr); return 2;
        }
    }
    if (optind + 1 != argc) {
        fputs(eval_usage, stderr);
        return 2;
    }
    const char *path = argv[optind];
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "privguard: cannot open '%s'\n", path);
        return 2;
    }
    pvg_engine_t *e = compile_rules_file(rules);
    if (!e) {
        fclose(f);
        return 2;
    }
    pvg_scratch_t *s = NULL;
    pvg_window_t *w = NULL;
    cli_events_t *ce = NULL;
    line_reader_t r;
    int status = 0, have_reader = 0;
    if (pvg_scratch_alloc(e, &s) != PVG_OK || pvg_window_alloc(0, 0, 0, &w) != PVG_OK ||
        reader_open(&r, f)) {
        fprintf(stderr, "privguard: out of memory\n");
        status = 2;
        goto out;
    }
    have_reader = 1;
    if (cli_events_open(NULL, &ce)) {
        status = 2;
        goto out;
    }
    counts_t cnt[NCAT];
    span_counts_t ents[PVG_ENTITY_COUNT];
    memset(cnt, 0, sizeof cnt);
    memset(ents, 0, sizeof ents);
    size_t lines = 0, bad = 0, benign = 0, benign_flagged = 0, look = 0, look_flagged = 0,
           exact = 0, with_spans = 0;
    int more;
    while ((more = reader_next(&r)) == 1) {
        parsed_t p;
        parse_line(&r, FORMAT_JSONL, &p);
        const char *err = p.error;
        unsigned gold = 0, pred = 0;
        pvg_result_t res;
        memset(&res, 0, sizeof res);
        /* A line with spans and no labels is scored for entities only. */
        int score_cats = 1;
        if (!err && !json_object_get(p.json, "labels") && json_object_get(p.json, "spans"))
            score_cats = 0;
        else if (!err)
            gold_labels(p.json, &gold, &err);
        if (!err && p.is_event) {
            err = cli_events_scan(ce, e, s, p.event, &res);
        } else if (!err) {
            pvg_error_t rc = pvg_scan_message(e, &p.msg, w, 0, s, &res);
            if (rc != PVG_OK)
                err = pvg_strerror(rc);
        }
        if (!err && json_object_get(p.json, "spans")) {
            span_counts_t tmp[PVG_ENTITY_COUNT];
            memcpy(tmp, ents, sizeof tmp);
            if (!score_spans(p.json, &res, tmp, &err)) {
                memcpy(ents, tmp, sizeof tmp);
                with_spans++;
            }
        }
        if (err) {
            fprintf(stderr, "privguard: %s line %zu: %s\n", path, r.line_no, err);
            bad++;
            status = 1;
            parsed_free(&p);
            continue;
        }
        lines++;
        if (!score_cats) {
            parsed_free(&p);
            continue;
        }
        for (size_t v = 0; v < res.n_violations; v++) {
            int k = cat_index(res.violations[v].category);
            if (k >= 0 && (shadow || !res.violations[v].shadow))
                pred |= 1u << k;
        }
        for (int k = 0; k < NCAT; k++) {
            unsigned b = 1u << k;
            if ((gold & b) && (pred & b))
                cnt[k].tp++;
            else if (pred & b)
                cnt[k].fp++;
            else if (gold & b)
                cnt[k].fn++;
        }
        exact += gold == pred;
        if (!gold) {
            benign++;
            benign_flagged += pred != 0;
            if (json_is_true(json_object_get(p.json, "benign_lookalike"))) {
                look++;
                look_flagged += pred != 0;
            }
        }
        if (errors && gold != pred) {
            printf("line %zu", r.line_no);
            if (p.id_raw)
                printf(" (id %.*s)", (int)p.id_raw_len, p.id_raw);
            printf(": expected ");
            print_set(stdout, gold);
            printf(" got ");
            print_set(stdout, pred);
            for (size_t v = 0; v < res.n_violations; v++) {
                printf(" | %s %.2f:", res.violations[v].category, res.violations[v].score);
                for (size_t k = 0; k < res.violations[v].n_reasons; k++)
                    printf(" %s;", res.violations[v].reasons[k]);
            }
            putchar('\n');
        }
        parsed_free(&p);
    }
    if (more < 0) {
        fprintf(stderr, "privguard: cannot read '%s'\n", path);
        status = 2;
        goto out;
    }
    double macro = 0;
    for (int k = 0; k < NTEXT; k++)
        macro += f1(&cnt[k]);
    macro /= NTEXT;
    if (as_json) {
        printf("{\"file\":");
        write_json_string(stdout, path, strlen(path));
        printf(",\"lines\":%zu,\"errors\":%zu,\"exact\":%zu,\"categories\":{", lines, bad, exact);
        for (int k = 0; k < NCAT; k++)
            printf("%s\"%s\":{\"tp\":%zu,\"fp\":%zu,\"fn\":%zu,\"precision\":%.4f,\"recall\":%.4f,"
                   "\"f1\":%.4f}",
                   k ? "," : "", cats[k], cnt[k].tp, cnt[k].fp, cnt[k].fn, prec(&cnt[k]),
                   rec(&cnt[k]), f1(&cnt[k]));
        printf("},\"macro_f1_text\":%.4f,\"benign\":{\"n\":%zu,\"flagged\":%zu},"
               "\"lookalikes\":{\"n\":%zu,\"flagged\":%zu,\"share\":%.4f},\"entities\":{",
               macro, benign, benign_flagged, look, look_flagged,
               look ? (double)look_flagged / (double)look : 0.0);
        int k = 0;
        for (int t = 0; t < PVG_ENTITY_COUNT; t++) {
            if (!ents[t].gold && !ents[t].pred)
                continue;
            printf("%s\"%s\":{\"gold\":%zu,\"found\":%zu,\"predicted\":%zu,\"correct\":%zu}",
                   k++ ? "," : "", pvg_entity_name(t), ents[t].gold, ents[t].gold_found,
                   ents[t].pred, ents[t].pred_ok);
        }
        printf("}}\n");
    } else {
        printf("%s: %zu lines evaluated, %zu errors, %zu exactly right\n", path, lines, bad, exact);
        printf("%-26s %5s %5s %5s %9s %7s %6s\n", "category", "tp", "fp", "fn", "precision",
               "recall", "f1");
        for (int k = 0; k < NCAT; k++) {
            if (k >= NTEXT && !cnt[k].tp && !cnt[k].fp && !cnt[k].fn)
                continue;
            printf("%-26s %5zu %5zu %5zu %9.3f %7.3f %6.3f\n", cats[k], cnt[k].tp, cnt[k].fp,
                   cnt[k].fn, prec(&cnt[k]), rec(&cnt[k]), f1(&cnt[k]));
        }
        printf("macro F1 (7 text categories): %.3f\n", macro);
        printf("benign look-alikes flagged: %zu/%zu (%.1f%%)\n", look_flagged, look,
               look ? 100.0 * (double)look_flagged / (double)look : 0.0);
        printf("benign lines flagged: %zu/%zu (%.1f%%)\n", benign_flagged, benign,
               benign ? 100.0 * (double)benign_flagged / (double)benign : 0.0);
        if (with_spans) {
            printf("entities (%zu lines with spans; overlap with the same type counts):\n",
                   with_spans);
            printf("%-20s %5s %6s %9s %7s\n", "type", "gold", "pred", "precision", "recall");
            for (int t = 0; t < PVG_ENTITY_COUNT; t++) {
                if (!ents[t].gold && !ents[t].pred)
                    continue;
                printf("%-20s %5zu %6zu %9.3f %7.3f\n", pvg_entity_name(t), ents[t].gold,
                       ents[t].pred,
                       ents[t].pred ? (double)ents[t].pred_ok / (double)ents[t].pred : 1.0,
                       ents[t].gold ? (double)ents[t].gold_found / (double)ents[t].gold : 1.0);
            }
        }
    }
out:
    if (fflush(stdout) != 0) {
        fprintf(stderr, "privguard: cannot write standard output\n");
        status = 2;
    }
    cli_events_close(ce);
    if (have_reader)
        reader_close(&r);
    fclose(f);
    pvg_window_free(w);
    pvg_scratch_free(s);
    pvg_engine_free(e);
    return status;
}
