/* SPDX-License-Identifier: MIT */
/*
 * test_person.c -- white-box tests of the PERSON, KR_BANK_ACCOUNT,
 * KR_PASSPORT and KR_DRIVER_LICENSE families: the name tables are sorted
 * (they are searched by bisection), and the scores of values that stay
 * below the threshold on purpose (a bare old-format passport, twelve bare
 * digits) are what the detector pages say. All values are made up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "engine/internal.h"

int pvg__person_tables_sorted(void);

static void test_tables_sorted(void **state)
{
    (void)state;
    assert_int_equal(pvg__person_tables_sorted(), 1);
}

static void test_builtin_words(void **state)
{
    (void)state;
    const pvg__builtin_word_t *w;
    size_t n = pvg__person_words(&w);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(w[i].type, PVG_PERSON);
        assert_true(pvg_utf8_valid(w[i].text, strlen(w[i].text)));
    }
    n = pvg__bank_words(&w);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(w[i].type, PVG_KR_BANK_ACCOUNT);
    n = pvg__license_words(&w);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(w[i].type, PVG_KR_DRIVER_LICENSE);
        assert_true(w[i].extra >= 11 && w[i].extra <= 28);
    }
}

typedef struct best {
    int type;
    float score;
    size_t start, end;
} best_t;

static int keep_best(const pvg_finding_t *f, void *ctx)
{
    best_t *b = ctx;
    if ((int)f->type == b->type && f->score > b->score) {
        b->score = f->score;
        b->start = f->start;
        b->end = f->end;
    }
    return 0;
}

typedef struct score_case {
    const char *text;
    int type;
    float lo, hi;   /* the best candidate's score is in [lo, hi]; -1: no candidate */
} score_case_t;

static const score_case_t score_cases[] = {
    {"M12345678", PVG_KR_PASSPORT, 0.2f, 0.49f},
    {"여권 M12345678", PVG_KR_PASSPORT, 0.8f, 1.0f},
    {"M123A4567", PVG_KR_PASSPORT, 0.5f, 0.6f},
    {"passport M123A4567", PVG_KR_PASSPORT, 0.85f, 1.0f},
    {"A123B4567", PVG_KR_PASSPORT, -1, -1},
    {"112212345612", PVG_KR_DRIVER_LICENSE, 0.2f, 0.49f},
    {"11-22-123456-12", PVG_KR_DRIVER_LICENSE, 0.7f, 0.8f},
    {"99-22-123456-12", PVG_KR_DRIVER_LICENSE, -1, -1},
    {"110-234-567890", PVG_KR_BANK_ACCOUNT, -1, -1},
    {"신한 110-234-567890", PVG_KR_BANK_ACCOUNT, 0.85f, 1.0f},
    {"김민준 씨", PVG_PERSON, 0.6f, 0.7f},
    {"이름: 김민준", PVG_PERSON, 0.8f, 0.9f},
    {"김 부장님", PVG_PERSON, -1, -1},
    {"정말 씨", PVG_PERSON, -1, -1},
};

static void test_scores(void **state)
{
    (void)state;
    pvg_engine_t *e = NULL;
    pvg_scratch_t *s = NULL;
    assert_int_equal(pvg_engine_compile(NULL, 0, 0, &e, NULL), PVG_OK);
    assert_int_equal(pvg_scratch_alloc(e, &s), PVG_OK);
    for (size_t i = 0; i < sizeof score_cases / sizeof score_cases[0]; i++) {
        const score_case_t *c = &score_cases[i];
        best_t b = {c->type, -1.0f, 0, 0};
        assert_int_equal(pvg_scan(e, c->text, strlen(c->text), 1764300000000LL, PVG_SCAN_ALL, s,
                                  keep_best, &b),
                         PVG_OK);
        if (c->lo < 0) {
            if (b.score >= e->det[c->type].threshold)
                fail_msg("case %zu: unexpected %s at %.2f", i, pvg_entity_name(c->type),
                         (double)b.score);
            continue;
        }
        if (b.score < c->lo || b.score > c->hi)
            fail_msg("case %zu: %s scored %.2f, expected %.2f..%.2f", i,
                     pvg_entity_name(c->type), (double)b.score, (double)c->lo, (double)c->hi);
    }
    pvg_scratch_free(s);
    pvg_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_sorted),
        cmocka_unit_test(test_builtin_words),
        cmocka_unit_test(test_scores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
