/* SPDX-License-Identifier: MIT */
/*
 * test_validators.c -- the resident-number validator against the shared
 * validator cases (python-stdnum's and Hibernate Validator's), and the Luhn
 * and calendar helpers.
 *
 * privguard's rule (DETECTION.md): a value with a real date and a valid
 * gender digit is reported when its check digit holds; when it fails, only
 * if the birth date is on or after 2020-10-01 (numbers issued since then
 * carry no check digit) or a context word is near. So against stdnum, whose
 * verdict requires the check digit always, privguard agrees wherever the
 * birth date is before October 2020; Hibernate's BEFORE_OCTOBER_2020_ONLY
 * mode is privguard's rule without context.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "engine/internal.h"

int pvg__rrn_verdict(const char *d13, int64_t now_ms, int context);

static const int64_t NOW = 1764300000000LL; /* 2025-11-28 */

/* Strips a value to its 13 digits; returns 0 when it is not 13 digits in the
 * 6-7 shape (or contiguous). */
static int digits13(const char *v, char *out)
{
    size_t n = 0, len = strlen(v);
    for (size_t i = 0; i < len; i++) {
        if (v[i] >= '0' && v[i] <= '9') {
            if (n == 13)
                return 0;
            out[n++] = v[i];
        } else if (!(v[i] == '-' && n == 6))
            return 0;
    }
    out[n] = 0;
    return n == 13;
}

static int born_after_oct_2020(const char *d)
{
    int g = d[6] - '0';
    int century = (g == 3 || g == 4 || g == 7 || g == 8) ? 2000 : (g == 9 || g == 0) ? 1800 : 1900;
    int y = century + (d[0] - '0') * 10 + (d[1] - '0');
    int m = (d[2] - '0') * 10 + (d[3] - '0');
    return y > 2020 || (y == 2020 && m >= 10);
}

static void test_stdnum(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus/validators/stdnum_kr.jsonl", getenv("PVG_SHARED"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    int checked = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        json_t *c = json_loads(line, 0, NULL);
        assert_non_null(c);
        const char *ent = json_string_value(json_object_get(c, "entity"));
        const char *v = json_string_value(json_object_get(c, "value"));
        char d[14];
        if (ent && !strcmp(ent, "KR_RRN") && v && digits13(v, d) && !born_after_oct_2020(d)) {
            int want = json_is_true(json_object_get(c, "stdnum_valid"));
            int got = pvg__rrn_verdict(d, NOW, 0) != 0;
            if (got != want) {
                fprintf(stderr, "stdnum case %s: stdnum %d, privguard %d\n",
                        json_string_value(json_object_get(c, "source")), want, got);
                bad++;
            }
            checked++;
        }
        json_decref(c);
    }
    fclose(f);
    fprintf(stderr, "stdnum: %d resident numbers checked, %d disagree\n", checked, bad);
    assert_true(checked > 10);
    assert_int_equal(bad, 0);
}

static void test_hibernate(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus/validators/hibernate_korrrn.jsonl", getenv("PVG_SHARED"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    int checked = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        json_t *c = json_loads(line, 0, NULL);
        assert_non_null(c);
        const char *mode = json_string_value(json_object_get(c, "mode"));
        const char *v = json_string_value(json_object_get(c, "value"));
        char d[14];
        /* BEFORE_OCTOBER_2020_ONLY is privguard's rule without context. */
        if (mode && !strcmp(mode, "BEFORE_OCTOBER_2020_ONLY") && v && digits13(v, d)) {
            int want = json_is_true(json_object_get(c, "expected_valid"));
            int got = pvg__rrn_verdict(d, NOW, 0) != 0;
            if (got != want) {
                fprintf(stderr, "hibernate %s: expected %d, privguard %d\n", v, want, got);
                bad++;
            }
            checked++;
        }
        json_decref(c);
    }
    fclose(f);
    fprintf(stderr, "hibernate: %d values checked, %d disagree\n", checked, bad);
    assert_true(checked > 5);
    assert_int_equal(bad, 0);
}

static void test_luhn_and_dates(void **state)
{
    (void)state;
    assert_true(pvg__luhn_ok("4111111111111111", 16));
    assert_false(pvg__luhn_ok("4111111111111112", 16));
    assert_false(pvg__luhn_ok("", 0));
    assert_true(pvg__date_ok(2024, 2, 29));
    assert_false(pvg__date_ok(2023, 2, 29));
    assert_false(pvg__date_ok(1900, 2, 29));
    assert_true(pvg__date_ok(2000, 2, 29));
    assert_false(pvg__date_ok(2024, 13, 1));
    assert_false(pvg__date_ok(2024, 4, 31));
    assert_int_equal(pvg__days_from_civil(1970, 1, 1), 0);
    assert_int_equal(pvg__days_from_civil(2020, 10, 1), 18536);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stdnum),
        cmocka_unit_test(test_hibernate),
        cmocka_unit_test(test_luhn_and_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
