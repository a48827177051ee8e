/* SPDX-License-Identifier: MIT */
/*
 * cmd_demo.c -- `privguard demo [FILE]`: scans a conversation (JSONL) and
 * prints a readable summary: which messages hold what, with the personal
 * information masked. `make run` runs it on examples/conversation.jsonl.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/input.h"
#include "cli/mask.h"

int pvg_cmd_demo(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/conversation.jsonl";
    if (!strcmp(path, "--help") || !strcmp(path, "-h")) {
        puts("usage: privguard demo [FILE.jsonl]");
        return 0;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "privguard: cannot open '%s'\n", path);
        return 2;
    }
    pvg_engine_t *e = compile_rules_file(NULL);
    pvg_scratch_t *s = NULL;
    pvg_window_t *w = NULL;
    line_reader_t r;
    if (!e || pvg_scratch_alloc(e, &s) || pvg_window_alloc(0, 0, 0, &w) || reader_open(&r, f)) {
        fprintf(stderr, "privguard: cannot set up the scanner\n");
        fclose(f);
        return 2;
    }
    size_t per_type[PVG_ENTITY_COUNT] = {0};
    size_t msgs = 0, with = 0, ident = 0, errors = 0;
    mask_buf_t mb = {0};
    printf("privguard %s: scanning %s\n\n", pvg_version(), path);
    while (reader_next(&r) == 1) {
        parsed_t p;
        parse_line(&r, FORMAT_JSONL, &p);
        if (p.error || p.is_event) {
            if (p.error) {
                printf("line %zu: %s\n", r.line_no, p.error);
                errors++;
            }
            parsed_free(&p);
            continue;
        }
        msgs++;
        pvg_result_t res;
        if (pvg_scan_message(e, &p.msg, w, 0, s, &res) != PVG_OK) {
            printf("line %zu: cannot scan\n", r.line_no);
            errors++;
            parsed_free(&p);
            continue;
        }
        size_t pii = 0;
        for (size_t i = 0; i < res.n_findings; i++)
            if (res.findings[i].type != PVG_URL)
                pii++;
        printf("#%-3zu %-10.*s %-12s ", r.line_no, (int)(p.msg.sender_name_len ? p.msg.sender_name_len : 0),
               p.msg.sender_name ? p.msg.sender_name : "", pvg_surface_name(p.msg.surface));
        if (mask_text(&mb, p.msg.text, p.msg.text_len, res.findings, res.n_findings, 0, MASK_PARTIAL) == 0)
            printf("%.*s\n", (int)mb.len, mb.data);
        else
            printf("(out of memory)\n");
        if (pii)
            with++;
        if (res.identifies)
            ident++;
        for (size_t i = 0; i < res.n_findings; i++) {
            const pvg_finding_t *fd = &res.findings[i];
            per_type[fd->type]++;
            printf("       %-17s %-6s score %.2f", pvg_entity_name((int)fd->type),
                   pvg_class_name((int)fd->cls), fd->score);
            if (fd->prev_id)
                printf("  (continues message %.*s)", (int)fd->prev_id_len, fd->prev_id);
            putchar('\n');
        }
        if (res.identifies)
            printf("       -> identifies a person%s\n", res.n_identifies_prev ? " (with earlier messages)" : "");
        for (size_t v = 0; v < res.n_violations; v++) {
            const pvg_violation_t *vi = &res.violations[v];
            printf("       !! %s%s (score %.2f):", vi->category, vi->shadow ? " [shadow]" : "",
                   vi->score);
            for (size_t k = 0; k < vi->n_reasons; k++)
                printf("%s %s", k ? ";" : "", vi->reasons[k]);
            putchar('\n');
        }
        if (res.action != PVG_ACTION_ALLOW)
            printf("       -> action: %s\n", pvg_action_name(res.action));
        parsed_free(&p);
    }
    printf("\n%zu messages, %zu with personal information, %zu identify a person", msgs, with, ident);
    if (errors)
        printf(", %zu lines with errors", errors);
    printf("\nfindings by type:");
    for (int t = 0; t < PVG_ENTITY_COUNT; t++)
        if (per_type[t])
            printf(" %s=%zu", pvg_entity_name(t), per_type[t]);
    printf("\n");
    mask_buf_free(&mb);
    reader_close(&r);
    fclose(f);
    pvg_window_free(w);
    pvg_scratch_free(s);
    pvg_engine_free(e);
    return errors ? 1 : 0;
}
