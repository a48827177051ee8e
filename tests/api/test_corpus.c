/* SPDX-License-Identifier: MIT */
/*
 * test_corpus.c -- runs the data-driven cases of tests/corpus/ (*.test) and
 * the EXAMPLE sections of docs/detectors/ (*.md) through the public API.
 *
 * A .test file is plain text in jq's style, cases separated by blank lines:
 *
 *   # a comment
 *   msg: 제 번호는 010-1234-5678 입니다        <- a message (surface direct)
 *   surface: open_chat                          <- optional, for that message
 *   ts: 1764300000000                           <- optional
 *   find: PHONE_NUMBER "010-1234-5678"          <- one expected finding: its
 *                                                  type and the exact text of
 *                                                  its span (first occurrence,
 *                                                  or "...":2 for the 2nd)
 *   find: -                                     <- no findings at all
 *   prev: "930412-"                             <- the last find continues the
 *                                                  previous message at that text
 *   identifies: yes|no
 *   action: allow|mask|review|block
 *   violation: CATEGORY                          <- expected violation (policy)
 *
 * Several msg: lines in one case are consecutive messages of one sender in
 * one room (a conversation window); each message's expectations follow it.
 * Escapes in msg: \n, \t, \\, \u{HEX}. A message without find: lines is not
 * checked for findings. Every mismatch is printed; the test fails if any.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <privguard/privguard.h>

#define MAX_MSGS 8
#define MAX_FIND 16

typedef struct expect {
    int type;
    char text[512];
    size_t text_len;
    int nth;
} expect_t;

typedef struct tmsg {
    char text[4096];
    size_t len;
    int surface;
    long long ts;
    int checked;       /* find: given */
    expect_t find[MAX_FIND];
    int nfind;
    char prev[256];
    int has_prev;
    int identifies;    /* -1 unchecked */
    int action;        /* -1 unchecked */
    char violations[8][40];
    int nviol;
    int viol_checked;
} tmsg_t;

typedef struct tcase {
    tmsg_t m[MAX_MSGS];
    int n;
    int line;
} tcase_t;

static pvg_engine_t *engine;
static int failures;

static size_t unescape(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = in; *p && o + 4 < cap; p++) {
        if (*p != '\\') {
            out[o++] = *p;
            continue;
        }
        p++;
        if (*p == 'n')
            out[o++] = '\n';
        else if (*p == 't')
            out[o++] = '\t';
        else if (*p == 'r')
            out[o++] = '\r';
        else if (*p == '0')
            out[o++] = '\0';
        else if (*p == 'u' && p[1] == '{') {
            unsigned long cp = strtoul(p + 2, NULL, 16);
            const char *close = strchr(p, '}');
            if (!close)
                break;
            p = close;
            if (cp < 0x80)
                out[o++] = (char)cp;
            else if (cp < 0x800) {
                out[o++] = (char)(0xC0 | (cp >> 6));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out[o++] = (char)(0xE0 | (cp >> 12));
                out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[o++] = (char)(0xF0 | (cp >> 18));
                out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            }
        } else if (*p)
            out[o++] = *p;
        else
            break;
    }
    out[o] = 0;
    return o;
}

/* Parses `"text"` or `"text":N` into e. */
static int parse_quoted(const char *p, char *out, size_t cap, size_t *len, int *nth)
{
    while (*p == ' ')
        p++;
    if (*p != '"')
        return -1;
    const char *end = strrchr(p + 1, '"');
    if (!end || end == p)
        return -1;
    char tmp[1024];
    size_t n = (size_t)(end - p - 1);
    if (n >= sizeof tmp)
        return -1;
    memcpy(tmp, p + 1, n);
    tmp[n] = 0;
    *len = unescape(tmp, out, cap);
    *nth = end[1] == ':' ? (int)strtol(end + 2, NULL, 10) : 1;
    return 0;
}

static void report(const char *file, const tcase_t *c, int mi, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%d: message %d: ", file, c->line, mi + 1);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

/* Finds the nth occurrence of needle in hay. */
static long find_nth(const char *hay, size_t hlen, const char *needle, size_t nlen, int nth)
{
    if (!nlen || nlen > hlen)
        return -1;
    for (size_t i = 0; i + nlen <= hlen; i++)
        if (!memcmp(hay + i, needle, nlen) && --nth == 0)
            return (long)i;
    return -1;
}

static void run_case(const char *file, tcase_t *c, pvg_scratch_t *s)
{
    pvg_window_t *w = NULL;
    assert_int_equal(pvg_window_alloc(0, 0, 0, &w), PVG_OK);
    for (int i = 0; i < c->n; i++) {
        tmsg_t *t = &c->m[i];
        pvg_message_t m = {0};
        char id[16];
        snprintf(id, sizeof id, "\"m%d\"", i + 1);
        m.text = t->text;
        m.text_len = t->len;
        m.id = id;
        m.id_len = strlen(id);
        m.room = "test-room";
        m.room_len = 9;
        m.sender = "test-sender";
        m.sender_len = 11;
        m.surface = t->surface;
        m.ts_ms = t->ts ? t->ts + i * 1000 : 1764300000000LL + i * 1000;
        pvg_result_t r;
        pvg_error_t rc = pvg_scan_message(engine, &m, w, 0, s, &r);
        if (rc != PVG_OK) {
            report(file, c, i, "scan failed: %s", pvg_strerror(rc));
            continue;
        }
        if (t->checked) {
            int matched[64] = {0};
            for (int k = 0; k < t->nfind; k++) {
                expect_t *x = &t->find[k];
                long at = find_nth(t->text, t->len, x->text, x->text_len, x->nth);
                if (at < 0) {
                    report(file, c, i, "expected text \"%s\" is not in the message", x->text);
                    continue;
                }
                int ok = 0;
                for (size_t f = 0; f < r.n_findings && f < 64; f++)
                    if ((int)r.findings[f].type == x->type && r.findings[f].start == (size_t)at &&
                        r.findings[f].end == (size_t)at + x->text_len) {
                        matched[f] = ok = 1;
                        if (k == t->nfind - 1 && t->has_prev) {
                            if (!r.findings[f].prev_id)
                                report(file, c, i, "finding \"%s\" has no prev", x->text);
                        }
                    }
                if (!ok) {
                    report(file, c, i, "missed %s \"%s\"", pvg_entity_name(x->type), x->text);
                    for (size_t f = 0; f < r.n_findings; f++)
                        fprintf(stderr, "    got %s [%zu,%zu) \"%.*s\" %.2f\n",
                                pvg_entity_name((int)r.findings[f].type), r.findings[f].start,
                                r.findings[f].end,
                                (int)(r.findings[f].end - r.findings[f].start),
                                t->text + r.findings[f].start, r.findings[f].score);
                }
            }
            for (size_t f = 0; f < r.n_findings && f < 64; f++)
                if (!matched[f])
                    report(file, c, i, "unexpected %s \"%.*s\" (score %.2f)",
                         pvg_entity_name((int)r.findings[f].type),
                         (int)(r.findings[f].end - r.findings[f].start),
                         t->text + r.findings[f].start, r.findings[f].score);
        }
        if (t->identifies >= 0 && r.identifies != t->identifies)
            report(file, c, i, "identifies: expected %s", t->identifies ? "yes" : "no");
        if (t->action >= 0 && r.action != t->action)
            report(file, c, i, "action: expected %s, got %s", pvg_action_name(t->action),
                 pvg_action_name(r.action));
        if (t->viol_checked) {
            for (int k = 0; k < t->nviol; k++) {
                int ok = 0;
                for (size_t v = 0; v < r.n_violations; v++)
                    if (!strcmp(r.violations[v].category, t->violations[k]) && !r.violations[v].shadow)
                        ok = 1;
                if (!ok)
                    report(file, c, i, "missed violation %s", t->violations[k]);
            }
            for (size_t v = 0; v < r.n_violations; v++) {
                int ok = 0;
                for (int k = 0; k < t->nviol; k++)
                    if (!strcmp(r.violations[v].category, t->violations[k]))
                        ok = 1;
                if (!ok && !r.violations[v].shadow)
                    report(file, c, i, "unexpected violation %s", r.violations[v].category);
            }
        }
    }
    pvg_window_free(w);
}

static int action_from(const char *s)
{
    for (int a = 0; a <= PVG_ACTION_BLOCK; a++)
        if (!strcmp(pvg_action_name(a), s))
            return a;
    return -2;
}

/* Runs every case of one file; returns the number of cases. */
static int run_file(const char *path, pvg_scratch_t *s)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192];
    tcase_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    int lineno = 0, cases = 0;
    int in_example = 0, is_md = strstr(path, ".md") != NULL;
    while (1) {
        char *got = fgets(line, sizeof line, f);
        if (got) {
            lineno++;
            line[strcspn(line, "\n")] = 0;
        }
        if (is_md && got) {
            /* In a detector page, cases live in the EXAMPLE section's
             * ```test fences. */
            if (!strncmp(line, "```test", 7)) {
                in_example = 1;
                continue;
            }
            if (in_example && !strncmp(line, "```", 3)) {
                in_example = 0;
                line[0] = 0;
            } else if (!in_example)
                continue;
        }
        if (!got || line[0] == 0) {
            if (c->n) {
                run_case(path, c, s);
                cases++;
            }
            memset(c, 0, sizeof *c);
            if (!got)
                break;
            continue;
        }
        if (line[0] == '#')
            continue;
        if (!c->n && strncmp(line, "msg:", 4)) {
            fprintf(stderr, "%s:%d: a case must start with msg:\n", path, lineno);
            failures++;
            continue;
        }
        tmsg_t *t = c->n ? &c->m[c->n - 1] : NULL;
        if (!strncmp(line, "msg:", 4)) {
            if (c->n == MAX_MSGS) {
                fprintf(stderr, "%s:%d: too many messages in a case\n", path, lineno);
                failures++;
                continue;
            }
            if (!c->n)
                c->line = lineno;
            t = &c->m[c->n++];
            memset(t, 0, sizeof *t);
            t->identifies = -1;
            t->action = -1;
            const char *p = line + 4;
            if (*p == ' ')
                p++;
            t->len = unescape(p, t->text, sizeof t->text);
        } else if (!strncmp(line, "surface:", 8)) {
            const char *p = line + 8;
            while (*p == ' ')
                p++;
            t->surface = pvg_surface_from_name(p, strlen(p));
            if (t->surface < 0) {
                fprintf(stderr, "%s:%d: unknown surface\n", path, lineno);
                failures++;
                t->surface = 0;
            }
        } else if (!strncmp(line, "ts:", 3)) {
            t->ts = atoll(line + 3);
        } else if (!strncmp(line, "find:", 5)) {
            t->checked = 1;
            const char *p = line + 5;
            while (*p == ' ')
                p++;
            if (*p == '-')
                continue;
            const char *sp = strchr(p, ' ');
            if (!sp || t->nfind == MAX_FIND) {
                fprintf(stderr, "%s:%d: find: TYPE \"text\"\n", path, lineno);
                failures++;
                continue;
            }
            expect_t *x = &t->find[t->nfind];
            x->type = pvg_entity_from_name(p, (size_t)(sp - p));
            if (x->type < 0 ||
                parse_quoted(sp, x->text, sizeof x->text, &x->text_len, &x->nth)) {
                fprintf(stderr, "%s:%d: bad find: line\n", path, lineno);
                failures++;
                continue;
            }
            t->nfind++;
        } else if (!strncmp(line, "prev:", 5)) {
            size_t l;
            int nth;
            t->has_prev = parse_quoted(line + 5, t->prev, sizeof t->prev, &l, &nth) == 0;
        } else if (!strncmp(line, "identifies:", 11)) {
            t->identifies = strstr(line + 11, "yes") != NULL;
        } else if (!strncmp(line, "action:", 7)) {
            const char *p = line + 7;
            while (*p == ' ')
                p++;
            t->action = action_from(p);
            if (t->action < -1) {
                fprintf(stderr, "%s:%d: unknown action\n", path, lineno);
                failures++;
                t->action = -1;
            }
        } else if (!strncmp(line, "violation:", 10)) {
            t->viol_checked = 1;
            const char *p = line + 10;
            while (*p == ' ')
                p++;
            if (*p != '-' && t->nviol < 8) {
                size_t l = strlen(p) < sizeof t->violations[0] - 1 ? strlen(p)
                                                                  : sizeof t->violations[0] - 1;
                memcpy(t->violations[t->nviol], p, l);
                t->violations[t->nviol++][l] = 0;
            }
        } else {
            fprintf(stderr, "%s:%d: unknown line\n", path, lineno);
            failures++;
        }
    }
    free(c);
    fclose(f);
    return cases;
}

static void run_dir(const char *dir, const char *suffix, int *files, int *cases)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    pvg_scratch_t *s = NULL;
    assert_int_equal(pvg_scratch_alloc(engine, &s), PVG_OK);
    struct dirent *de;
    char path[4096];
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name), sl = strlen(suffix);
        if (l <= sl || strcmp(de->d_name + l - sl, suffix))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        int n = run_file(path, s);
        (*files)++;
        *cases += n;
    }
    closedir(d);
    pvg_scratch_free(s);
}

static void test_corpus_files(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/corpus", getenv("PVG_SOURCE_DIR"));
    int files = 0, cases = 0;
    failures = 0;
    run_dir(dir, ".test", &files, &cases);
    fprintf(stderr, "corpus: %d files, %d cases, %d failures\n", files, cases, failures);
    assert_true(cases > 0);
    assert_int_equal(failures, 0);
}

static void test_detector_examples(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/docs/detectors", getenv("PVG_SOURCE_DIR"));
    int files = 0, cases = 0;
    failures = 0;
    run_dir(dir, ".md", &files, &cases);
    fprintf(stderr, "detector pages: %d files, %d example cases, %d failures\n", files, cases,
            failures);
    assert_true(files > 0 && cases > 0);
    assert_int_equal(failures, 0);
}

static int setup(void **state)
{
    (void)state;
    return pvg_engine_compile(NULL, 0, 0, &engine, NULL) == PVG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pvg_engine_free(engine);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_files),
        cmocka_unit_test(test_detector_examples),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
