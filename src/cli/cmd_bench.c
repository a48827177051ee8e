/* SPDX-License-Identifier: MIT */
/*
 * cmd_bench.c -- `privguard bench [FILE]`: messages per second on one core.
 *
 * It loads the corpus into memory first (FILE as JSONL or text lines; by
 * default the shared negatives mixed with generated messages holding
 * personal information), then times exactly the per-message work of
 * `privguard scan` -- pvg_scan_message with the conversation window -- one
 * message per call, and then the same messages through pvg_scan_batch.
 * Parsing and output are not timed: they are the CLI's, measured end to end
 * in docs/benchmarks.md. Each figure is the median of five timed passes,
 * measured in the thread's CPU time (one core's work, not counting time
 * the core spent on other processes of a shared machine); wall-clock rates
 * are printed too.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/gen.h"
#include "cli/input.h"

typedef struct corpus {
    pvg_message_t *m;
    size_t n, cap;
    size_t bytes;
} corpus_t;

static int add_msg(corpus_t *c, const char *text, size_t len, const char *room, const char *sender,
                   int surface)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4096;
        pvg_message_t *m = realloc(c->m, cap * sizeof *m);
        if (!m)
            return -1;
        c->m = m;
        c->cap = cap;
    }
    char *t = malloc(len + 1);
    if (!t)
        return -1;
    memcpy(t, text, len);
    t[len] = 0;
    pvg_message_t *m = &c->m[c->n++];
    memset(m, 0, sizeof *m);
    m->text = t;
    m->text_len = len;
    m->room = room ? strdup(room) : NULL;
    m->room_len = room ? strlen(room) : 0;
    m->sender = sender ? strdup(sender) : NULL;
    m->sender_len = sender ? strlen(sender) : 0;
    m->surface = surface;
    c->bytes += len;
    return 0;
}

static void corpus_free(corpus_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free((char *)c->m[i].text);
        free((char *)c->m[i].room);
        free((char *)c->m[i].sender);
    }
    free(c->m);
}

static int load_file(corpus_t *c, const char *path, size_t limit)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    line_reader_t r;
    if (reader_open(&r, f)) {
        fclose(f);
        return -1;
    }
    size_t plen = strlen(path);
    int fmt = plen > 6 && !strcmp(path + plen - 6, ".jsonl") ? FORMAT_JSONL : FORMAT_TEXT;
    while (reader_next(&r) == 1 && c->n < limit) {
        parsed_t p;
        parse_line(&r, fmt, &p);
        if (!p.error && !p.is_event) {
            char room[64] = {0}, sender[64] = {0};
            if (p.msg.room && p.msg.room_len < sizeof room)
                memcpy(room, p.msg.room, p.msg.room_len);
            if (p.msg.sender && p.msg.sender_len < sizeof sender)
                memcpy(sender, p.msg.sender, p.msg.sender_len);
            add_msg(c, p.msg.text, p.msg.text_len, p.msg.room ? room : NULL,
                    p.msg.sender ? sender : NULL, p.msg.surface);
        }
        parsed_free(&p);
    }
    reader_close(&r);
    fclose(f);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of this thread: what one core spent, whatever else runs on the
 * machine (wall time on a shared machine counts the time other processes
 * had the core). */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct batch_ctx { size_t findings; } batch_ctx_t;

static int on_result(size_t i, pvg_error_t err, const pvg_result_t *r, void *ctx)
{
    (void)i;
    if (err == PVG_OK)
        ((batch_ctx_t *)ctx)->findings += r->n_findings;
    return 0;
}

int pvg_cmd_bench(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"rules", required_argument, 0, 'r'}, {"limit", required_argument, 0, 'n'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *rules = NULL;
    size_t limit = 200000;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': rules = optarg; break;
        case 'n': limit = strtoul(optarg, NULL, 10); if (!limit) limit = 1; break;
        case 'h':
            puts("usage: privguard bench [--rules FILE] [--limit N] [FILE...]");
            return 0;
        default: fputs("usage: privguard bench [--rules FILE] [--limit N] [FILE...]\n", stderr); return 2;
        }
    }
    corpus_t cp = {0};
    if (optind < argc) {
        for (int i = optind; i < argc; i++)
            if (load_file(&cp, argv[i], limit)) {
                fprintf(stderr, "privguard: cannot read corpus '%s'\n", argv[i]);
                corpus_free(&cp);
                return 2;
            }
    } else {
        /* The shared negatives, one generated message with personal
         * information after every four lines. */
        static const char *const files[] = {"3i4k.txt", "kocohub.txt", "nsmc_50k.txt",
                                            "chatbot.txt", "uci_sms_ham_en.txt"};
        const char *shared = getenv("PVG_SHARED");
        char path[4096];
        corpus_t neg = {0};
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            snprintf(path, sizeof path, "%s/negatives/%s", shared ? shared : "../shared/corpus", files[i]);
            load_file(&neg, path, limit);
        }
        gen_t g;
        gen_seed(&g, 42);
        char msg[256];
        for (size_t i = 0; i < neg.n && cp.n < limit; i++) {
            add_msg(&cp, neg.m[i].text, neg.m[i].text_len, NULL, NULL, PVG_SURFACE_OPEN_CHAT);
            if (i % 4 == 3) {
                size_t l = gen_message(&g, msg, sizeof msg);
                add_msg(&cp, msg, l, NULL, NULL, PVG_SURFACE_OPEN_CHAT);
            }
        }
        corpus_free(&neg);
        if (!cp.n) {
            fprintf(stderr, "privguard: no corpus: give FILE or set PVG_SHARED to the shared corpus\n");
            return 2;
        }
    }
    if (!cp.n) {
        fprintf(stderr, "privguard: the corpus is empty\n");
        corpus_free(&cp);
        return 2;
    }
    pvg_engine_t *e = compile_rules_file(rules);
    if (!e) {
        corpus_free(&cp);
        return 2;
    }
    pvg_scratch_t *s = NULL;
    pvg_window_t *w = NULL;
    if (pvg_scratch_alloc(e, &s) || pvg_window_alloc(0, 0, 0, &w)) {
        fprintf(stderr, "privguard: out of memory\n");
        return 2;
    }
    printf("corpus: %zu messages, %.1f bytes on average\n", cp.n, (double)cp.bytes / cp.n);
    printf("stages: utf-8 validation + fold, vectorscan context pass (%s), digit runs, "
           "detectors [", "literal set");
    for (int t = 0; t < PVG_ENTITY_COUNT; t++)
        if (pvg_engine_detector_on(e, t))
            printf(" %s", pvg_entity_name(t));
    printf(" ], resolution, identifiability, conversation window\n");
    printf("memory: engine %zu bytes, scratch %zu bytes\n", pvg_engine_size(e), pvg_scratch_size(s));
    enum { PASSES = 5 };
    double per_call[PASSES], batched[PASSES], per_call_wall[PASSES], batched_wall[PASSES];
    size_t findings = 0;
    /* Warm up. */
    for (size_t i = 0; i < cp.n; i++) {
        pvg_result_t r;
        if (pvg_scan_message(e, &cp.m[i], w, 0, s, &r) == PVG_OK)
            findings += r.n_findings;
    }
    for (int p = 0; p < PASSES; p++) {
        double t0 = now_s(), c0 = cpu_s();
        for (size_t i = 0; i < cp.n; i++) {
            pvg_result_t r;
            (void)pvg_scan_message(e, &cp.m[i], w, 0, s, &r);
        }
        double t1 = now_s(), c1 = cpu_s();
        batch_ctx_t bc = {0};
        size_t chunk = 256;
        for (size_t i = 0; i < cp.n; i += chunk)
            (void)pvg_scan_batch(e, cp.m + i, cp.n - i < chunk ? cp.n - i : chunk, w, 0, s,
                                 on_result, &bc);
        double t2 = now_s(), c2 = cpu_s();
        per_call[p] = (double)cp.n / (c1 - c0);
        batched[p] = (double)cp.n / (c2 - c1);
        per_call_wall[p] = (double)cp.n / (t1 - t0);
        batched_wall[p] = (double)cp.n / (t2 - t1);
    }
    qsort(per_call, PASSES, sizeof(double), dcmp);
    qsort(batched, PASSES, sizeof(double), dcmp);
    qsort(per_call_wall, PASSES, sizeof(double), dcmp);
    qsort(batched_wall, PASSES, sizeof(double), dcmp);
    printf("findings: %zu in %zu messages\n", findings, cp.n);
    printf("wall clock (includes time the core ran other processes): "
           "per_call_msgs_per_sec=%.0f batched_msgs_per_sec=%.0f\n",
           per_call_wall[PASSES / 2], batched_wall[PASSES / 2]);
    printf("per message on one core (thread CPU time): %.0f ns per call, %.0f ns batched "
           "(median of %d passes)\n",
           1e9 / per_call[PASSES / 2], 1e9 / batched[PASSES / 2], PASSES);
    printf("per_call_msgs_per_sec=%.0f batched_msgs_per_sec=%.0f\n", per_call[PASSES / 2],
           batched[PASSES / 2]);
    pvg_window_free(w);
    pvg_scratch_free(s);
    pvg_engine_free(e);
    corpus_free(&cp);
    return 0;
}
