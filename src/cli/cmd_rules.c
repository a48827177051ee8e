/* SPDX-License-Identifier: MIT */
/*
 * cmd_rules.c -- `privguard rules check FILE`, `privguard rules diff OLD NEW
 * FILE` and `privguard rules dump`.
 *
 * diff scans every message of FILE (JSONL, or text lines when FILE does not
 * end in .jsonl) with both rule sets, each with its own conversation
 * windows, and prints one JSON line per message whose verdict changes (the
 * action, or the set of violated categories, shadow ones marked), then a
 * summary line. Message text is never printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/input.h"

static const char usage[] =
    "usage: privguard rules check FILE          validate a rules file (errors name the line)\n"
    "       privguard rules diff OLD NEW FILE   messages of FILE whose verdict changes\n"
    "       privguard rules dump                print the built-in default rules\n"
    "       privguard rules stats [FILE]        rule ids, categories and modes\n"
    "OLD or NEW may be '-' for the built-in default rules.\n";

typedef struct verdict {
    int action;
    char cats[256];
} verdict_t;

static void verdict_of(const pvg_result_t *r, verdict_t *v)
{
    v->action = r->action;
    v->cats[0] = 0;
    size_t o = 0;
    for (size_t i = 0; i < r->n_violations; i++) {
        int n = snprintf(v->cats + o, sizeof v->cats - o, "%s\"%s%s\"", o ? "," : "",
                         r->violations[i].category, r->violations[i].shadow ? ":shadow" : "");
        if (n < 0 || (size_t)n >= sizeof v->cats - o)
            break;
        o += (size_t)n;
    }
}

static int diff(const char *old_path, const char *new_path, const char *file)
{
    pvg_engine_t *eo = compile_rules_file(strcmp(old_path, "-") ? old_path : NULL);
    pvg_engine_t *en = eo ? compile_rules_file(strcmp(new_path, "-") ? new_path : NULL) : NULL;
    FILE *f = fopen(file, "rb");
    pvg_scratch_t *s = NULL;
    pvg_window_t *wo = NULL, *wn = NULL;
    line_reader_t r;
    int status = 2;
    if (!eo || !en) {
        goto out;
    }
    if (!f) {
        fprintf(stderr, "privguard: cannot open '%s'\n", file);
        goto out;
    }
    if (pvg_scratch_alloc(eo, &s) || pvg_scratch_alloc(en, &s) || pvg_window_alloc(0, 0, 0, &wo) ||
        pvg_window_alloc(0, 0, 0, &wn) || reader_open(&r, f)) {
        fprintf(stderr, "privguard: out of memory\n");
        goto out;
    }
    size_t len = strlen(file);
    int fmt = len > 6 && !strcmp(file + len - 6, ".jsonl") ? FORMAT_JSONL : FORMAT_TEXT;
    size_t msgs = 0, changed = 0, errors = 0;
    while (reader_next(&r) == 1) {
        parsed_t p;
        parse_line(&r, fmt, &p);
        if (p.error || p.is_event) {
            errors += p.error != NULL;
            parsed_free(&p);
            continue;
        }
        msgs++;
        pvg_result_t ro, rn;
        verdict_t vo, vn;
        if (pvg_scan_message(eo, &p.msg, wo, 0, s, &ro) != PVG_OK) {
            errors++;
            parsed_free(&p);
            continue;
        }
        verdict_of(&ro, &vo);
        if (pvg_scan_message(en, &p.msg, wn, 0, s, &rn) != PVG_OK) {
            errors++;
            parsed_free(&p);
            continue;
        }
        verdict_of(&rn, &vn);
        if (vo.action != vn.action || strcmp(vo.cats, vn.cats)) {
            changed++;
            printf("{\"line\":%zu,\"id\":", r.line_no);
            if (p.id_raw)
                fwrite(p.id_raw, 1, p.id_raw_len, stdout);
            else
                fputs("null", stdout);
            printf(",\"old\":{\"action\":\"%s\",\"violations\":[%s]},"
                   "\"new\":{\"action\":\"%s\",\"violations\":[%s]}}\n",
                   pvg_action_name(vo.action), vo.cats, pvg_action_name(vn.action), vn.cats);
        }
        parsed_free(&p);
    }
    printf("{\"messages\":%zu,\"changed\":%zu,\"errors\":%zu}\n", msgs, changed, errors);
    reader_close(&r);
    status = 0;
out:
    if (f)
        fclose(f);
    pvg_window_free(wo);
    pvg_window_free(wn);
    pvg_scratch_free(s);
    pvg_engine_free(eo);
    pvg_engine_free(en);
    return status;
}

static int stats(const char *path)
{
    pvg_engine_t *e = compile_rules_file(path);
    if (!e)
        return 1;
    for (size_t i = 0; i < pvg_engine_rule_count(e); i++) {
        const char *id, *cat;
        int shadow;
        uint64_t hits;
        if (pvg_engine_rule_info(e, i, &id, &cat, &shadow, &hits) == PVG_OK)
            printf("{\"rule\":\"%s\",\"category\":\"%s\",\"mode\":\"%s\"}\n", id, cat,
                   shadow ? "shadow" : "on");
    }
    pvg_engine_free(e);
    return 0;
}

int pvg_cmd_rules(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "check")) {
        if (argc != 3) {
            fputs(usage, stderr);
            return 2;
        }
        pvg_engine_t *e = compile_rules_file(argv[2]);
        if (!e)
            return 1;
        printf("%s: ok (%zu bytes compiled, %zu rules)\n", argv[2], pvg_engine_size(e),
               pvg_engine_rule_count(e));
        pvg_engine_free(e);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "diff"))
        return diff(argv[2], argv[3], argv[4]);
    if ((argc == 2 || argc == 3) && !strcmp(argv[1], "stats"))
        return stats(argc == 3 ? argv[2] : NULL);
    if (argc == 2 && !strcmp(argv[1], "dump")) {
        size_t len;
        const char *text = pvg_default_rules(&len);
        fwrite(text, 1, len, stdout);
        return 0;
    }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return 0;
    }
    fputs(usage, stderr);
    return 2;
}
