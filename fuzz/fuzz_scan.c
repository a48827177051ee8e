/* SPDX-License-Identifier: MIT */
/*
 * fuzz_scan.c -- libFuzzer driver for fold + scan, with a conversation
 * window: the input is split at the first 0xFF byte into two messages of
 * one sender. Invariants: every finding lies inside its message, findings
 * are sorted, a prev span lies inside the first message, and scanning the
 * same input again gives the same answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <privguard/privguard.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pvg_engine_t *engine;

static void check(const pvg_result_t *r, size_t len, size_t prev_len)
{
    for (size_t i = 0; i < r->n_findings; i++) {
        const pvg_finding_t *f = &r->findings[i];
        if (!(f->start <= f->end && f->end <= len))
            abort();
        if (i && (f->start < r->findings[i - 1].start))
            abort();
        if (f->prev_id && !(f->prev_start <= f->prev_end && f->prev_end <= prev_len))
            abort();
        if (f->score < 0 || f->score > 1)
            abort();
    }
    for (size_t i = 0; i < r->n_identifies_findings; i++)
        if (r->identifies_findings[i] >= r->n_findings)
            abort();
}

static size_t fingerprint(const pvg_result_t *r, size_t *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n_findings && k + 3 <= cap; i++) {
        out[k++] = r->findings[i].type;
        out[k++] = r->findings[i].start;
        out[k++] = r->findings[i].end;
    }
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine && pvg_engine_compile(NULL, 0, 0, &engine, NULL) != PVG_OK)
        abort();
    pvg_scratch_t *s = NULL;
    pvg_window_t *w = NULL;
    if (pvg_scratch_alloc(engine, &s) || pvg_window_alloc(16, 0, 0, &w))
        abort();
    const uint8_t *split = memchr(data, 0xFF, size);
    size_t l1 = split ? (size_t)(split - data) : size;
    const char *t2 = split ? (const char *)split + 1 : NULL;
    size_t l2 = split ? size - l1 - 1 : 0;
    pvg_message_t m = {0};
    m.room = "r";
    m.room_len = 1;
    m.sender = "s";
    m.sender_len = 1;
    m.id = "1";
    m.id_len = 1;
    m.surface = size ? data[0] % PVG_SURFACE_COUNT : 0;
    m.text = (const char *)data;
    m.text_len = l1;
    m.ts_ms = 1764300000000LL;
    pvg_result_t r;
    pvg_error_t rc = pvg_scan_message(engine, &m, w, 0, s, &r);
    if (rc == PVG_OK)
        check(&r, l1, 0);
    else if (rc != PVG_EUTF8)
        abort();
    if (split) {
        m.text = t2;
        m.text_len = l2;
        m.id = "2";
        rc = pvg_scan_message(engine, &m, w, 0, s, &r);
        if (rc == PVG_OK)
            check(&r, l2, l1);
        else if (rc != PVG_EUTF8)
            abort();
    }
    /* The same text twice, without a window, agrees with itself. */
    size_t a[96], b[96];
    m.text = (const char *)data;
    m.text_len = l1;
    if (pvg_scan_message(engine, &m, NULL, 0, s, &r) == PVG_OK) {
        size_t na = fingerprint(&r, a, 96);
        if (pvg_scan_message(engine, &m, NULL, 0, s, &r) != PVG_OK)
            abort();
        size_t nb = fingerprint(&r, b, 96);
        if (na != nb || memcmp(a, b, na * sizeof *a))
            abort();
    }
    pvg_window_free(w);
    pvg_scratch_free(s);
    return 0;
}
