/* SPDX-License-Identifier: MIT */
/*
 * test_address.c -- the generated gazetteer (src/detect/gazetteer.c) and
 * the ADDRESS / DATE_OF_BIRTH detectors seen through the public scan on
 * values the corpus files do not cover: every 시·도 in every written form
 * with its 시·도 number, the changes since the 2020 list (강원특별자치도,
 * 전북특별자치도, 군위군 in 대구), city districts, lot names; and each 시·도
 * placed in front of a road address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/gazetteer.h"
#include "engine/internal.h"

typedef struct area_case {
    const char *name;
    unsigned level, full, province; /* province 0: several */
} area_case_t;

static const area_case_t areas[] = {
    {"서울특별시", 1, 1, 1},     {"서울시", 1, 1, 1},         {"서울", 1, 0, 1},
    {"부산광역시", 1, 1, 2},     {"부산", 1, 0, 2},           {"대구광역시", 1, 1, 3},
    {"인천광역시", 1, 1, 4},     {"광주광역시", 1, 1, 5},     {"대전광역시", 1, 1, 6},
    {"울산광역시", 1, 1, 7},     {"세종특별자치시", 1, 1, 8}, {"세종시", 1, 1, 8},
    {"경기도", 1, 1, 9},         {"경기", 1, 0, 9},           {"강원특별자치도", 1, 1, 10},
    {"강원도", 1, 1, 10},        {"강원", 1, 0, 10},          {"충청북도", 1, 1, 11},
    {"충북", 1, 0, 11},          {"충청남도", 1, 1, 12},      {"충남", 1, 0, 12},
    {"전북특별자치도", 1, 1, 13}, {"전라북도", 1, 1, 13},     {"전북", 1, 0, 13},
    {"전라남도", 1, 1, 14},      {"전남", 1, 0, 14},          {"경상북도", 1, 1, 15},
    {"경북", 1, 0, 15},          {"경상남도", 1, 1, 16},      {"경남", 1, 0, 16},
    {"제주특별자치도", 1, 1, 17}, {"제주도", 1, 1, 17},       {"제주", 1, 0, 17},
    /* 시·군·구 */
    {"강남구", 2, 1, 1},         {"강남", 2, 0, 1},           {"군위군", 2, 1, 3},
    {"성남시", 2, 1, 9},         {"분당구", 2, 1, 9},         {"해운대구", 2, 1, 2},
    {"춘천시", 2, 1, 10},        {"전주시", 2, 1, 13},        {"완산구", 2, 1, 13},
    {"서귀포시", 2, 1, 17},      {"중구", 2, 1, 0},           {"고성군", 2, 1, 0},
    {"일산동구", 2, 1, 9},       {"마산합포구", 2, 1, 16},    {"미추홀구", 2, 1, 4},
};

static void test_areas(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof areas / sizeof areas[0]; i++) {
        const area_case_t *a = &areas[i];
        unsigned f = 0;
        int found = pvg__gz_area((const uint8_t *)a->name, strlen(a->name), &f);
        if (!found)
            fprintf(stderr, "area '%s' missing\n", a->name);
        assert_true(found);
        if (PVG__GZ_LEVEL(f) != a->level || !!(f & PVG__GZ_FULL) != a->full ||
            PVG__GZ_PROVINCE(f) != a->province)
            fprintf(stderr, "area '%s': flags 0x%04x\n", a->name, f);
        assert_int_equal(PVG__GZ_LEVEL(f), a->level);
        assert_int_equal(!!(f & PVG__GZ_FULL), a->full);
        assert_int_equal(PVG__GZ_PROVINCE(f), a->province);
    }
    /* Not areas: a one-syllable stem, a prefix, an empty string, a road. */
    static const char *const not_areas[] = {"중", "서울특", "", "테헤란로", "강남역", "세종로"};
    for (size_t i = 0; i < sizeof not_areas / sizeof not_areas[0]; i++) {
        unsigned f;
        assert_false(pvg__gz_area((const uint8_t *)not_areas[i], strlen(not_areas[i]), &f));
    }
    assert_true(pvg__gz_n_areas >= 17 + 200);
}

static void test_lot_names(void **state)
{
    (void)state;
    static const char *const yes[] = {"역삼동", "종로1가", "가평읍", "달전리", "정자동",
                                      "삼평동", "세종로", "조치원읍", "봉천동"};
    static const char *const no[] = {"역삼", "역삼1동", "운동", "3동", "테헤란로", "동", ""};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!pvg__gz_lot_name((const uint8_t *)yes[i], strlen(yes[i])))
            fprintf(stderr, "lot name '%s' missing\n", yes[i]);
        assert_true(pvg__gz_lot_name((const uint8_t *)yes[i], strlen(yes[i])));
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(pvg__gz_lot_name((const uint8_t *)no[i], strlen(no[i])));
    assert_true(pvg__gz_n_lots > 10000);
}

typedef struct found {
    int type;
    size_t start, end, n;
} found_t;

static int on_finding(const pvg_finding_t *f, void *ctx)
{
    found_t *x = ctx;
    if (x->n++ == 0) {
        x->type = (int)f->type;
        x->start = f->start;
        x->end = f->end;
    }
    return 0;
}

/* Every official 시·도 name in front of a road address: one ADDRESS finding
 * covering the whole text, whatever the area. */
static void test_every_province(void **state)
{
    (void)state;
    pvg_engine_t *e = NULL;
    pvg_scratch_t *s = NULL;
    assert_int_equal(pvg_engine_compile(NULL, 0, 0, &e, NULL), PVG_OK);
    assert_int_equal(pvg_scratch_alloc(e, &s), PVG_OK);
    for (size_t i = 0; i < sizeof areas / sizeof areas[0]; i++) {
        char text[256];
        int len = snprintf(text, sizeof text, "%s 중앙로 %zu", areas[i].name, 10 + i);
        assert_true(len > 0 && (size_t)len < sizeof text);
        found_t x = {0};
        assert_int_equal(pvg_scan(e, text, (size_t)len, 1764300000000LL, 0, s, on_finding, &x),
                         PVG_OK);
        if (x.n != 1 || x.type != PVG_ADDRESS || x.start != 0 || x.end != (size_t)len)
            fprintf(stderr, "'%s': %zu findings, first [%zu,%zu)\n", text, x.n, x.start, x.end);
        assert_int_equal(x.n, 1);
        assert_int_equal(x.type, PVG_ADDRESS);
        assert_int_equal(x.start, 0);
        assert_int_equal(x.end, (size_t)len);
    }
    pvg_scratch_free(s);
    pvg_engine_free(e);
}

/* Birth dates around the message time: the day itself counts, the next day
 * does not; 29 February only in leap years. */
static void test_dob_dates(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int found;
    } cases[] = {
        {"생년월일 2025년 11월 28일", 1}, {"생년월일 2025년 11월 29일", 0},
        {"생년월일 2000년 2월 29일", 1},  {"생년월일 1900년 2월 29일", 0},
        {"생년월일 1996.02.29", 1},       {"생년월일 1995.02.29", 0},
        {"생년월일 1896.01.01", 1},       {"생년월일 1890.01.01", 0},
        {"DOB 13/13/1990", 0},            {"DOB 12/31/1990", 1},
    };
    pvg_engine_t *e = NULL;
    pvg_scratch_t *s = NULL;
    assert_int_equal(pvg_engine_compile(NULL, 0, 0, &e, NULL), PVG_OK);
    assert_int_equal(pvg_scratch_alloc(e, &s), PVG_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        found_t x = {0};
        assert_int_equal(pvg_scan(e, cases[i].text, strlen(cases[i].text), 1764300000000LL, 0,
                                  s, on_finding, &x),
                         PVG_OK);
        int got = x.n == 1 && x.type == PVG_DATE_OF_BIRTH;
        if (got != cases[i].found)
            fprintf(stderr, "'%s': expected %d, got %zu findings\n", cases[i].text,
                    cases[i].found, x.n);
        assert_int_equal(got, cases[i].found);
    }
    pvg_scratch_free(s);
    pvg_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_areas),
        cmocka_unit_test(test_lot_names),
        cmocka_unit_test(test_every_province),
        cmocka_unit_test(test_dob_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
