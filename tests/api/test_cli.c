/* SPDX-License-Identifier: MIT */
/*
 * test_cli.c -- the scan contract through the real `privguard` program:
 * one output line per input line, in order; error lines for bad input that
 * never quote it; exit codes 0/1/2; redact masks; rules check names lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static char dir[] = "/tmp/pvg-cli-XXXXXX";

/* Runs `privguard ARGS < input` and returns its exit status; the output is
 * read into out (NUL-terminated). */
static int run(const char *args, const char *input, size_t in_len, char **out)
{
    char in_path[256], out_path[256], cmd[1024];
    snprintf(in_path, sizeof in_path, "%s/in", dir);
    snprintf(out_path, sizeof out_path, "%s/out", dir);
    FILE *f = fopen(in_path, "wb");
    assert_non_null(f);
    fwrite(input, 1, in_len, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' %s < '%s' > '%s' 2>/dev/null", getenv("PVG_CLI"), args,
             in_path, out_path);
    int st = system(cmd);
    f = fopen(out_path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)n + 1);
    assert_non_null(*out);
    assert_int_equal(fread(*out, 1, (size_t)n, f), (size_t)n);
    (*out)[n] = 0;
    fclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_contract_lines(void **state)
{
    (void)state;
    const char in[] =
        "{\"id\":\"a\",\"text\":\"제 번호 010-2345-6789\"}\n"
        "{\"id\":7,\"text\":\"nothing here\"}\n"
        "{\"id\":1.50,\"text\":\"a\\u0000b 010-2345-6789\"}\n";
    char *out;
    assert_int_equal(run("scan", in, sizeof in - 1, &out), 0);
    assert_int_equal(count_lines(out), 3);
    assert_non_null(strstr(out, "{\"id\":\"a\",\"findings\":[{\"type\":\"PHONE_NUMBER\",\"class\":\"quasi\",\"start\":11,\"end\":24"));
    assert_non_null(strstr(out, "{\"id\":7,\"findings\":[],\"violations\":[],\"action\":\"allow\"}"));
    /* ids are echoed exactly as written; NUL is scanned like any byte */
    assert_non_null(strstr(out, "{\"id\":1.50,\"findings\":[{\"type\":\"PHONE_NUMBER\",\"class\":\"quasi\",\"start\":4,\"end\":17"));
    free(out);
}

static void test_errors(void **state)
{
    (void)state;
    const char in[] = "not json 010-2345-6789\n"
                      "[1,2]\n"
                      "{\"id\":\"x\",\"text\":5}\n"
                      "\n"
                      "{\"id\":\"u\",\"text\":\"ok\"}\n"
                      "{\"id\":\"bad\",\"text\":\"\xff\xfe\"}\n";
    char *out;
    assert_int_equal(run("scan", in, sizeof in - 1, &out), 1);
    assert_int_equal(count_lines(out), 6);
    assert_non_null(strstr(out, "{\"id\":null,\"line\":1,\"error\":\"invalid json\"}"));
    assert_non_null(strstr(out, "{\"id\":null,\"line\":2,\"error\":\"not a json object\"}"));
    assert_non_null(strstr(out, "{\"id\":\"x\",\"line\":3,\"error\":\"text must be a string\"}"));
    assert_non_null(strstr(out, "\"line\":4,\"error\":\"blank line\""));
    assert_non_null(strstr(out, "{\"id\":\"u\",\"findings\":[]"));
    assert_non_null(strstr(out, "\"line\":6,\"error\":\"invalid utf-8\""));
    /* errors never quote the input */
    assert_null(strstr(out, "2345"));
    free(out);
}

static void test_long_line_and_empty(void **state)
{
    (void)state;
    size_t n = 10u << 20;
    char *big = malloc(n + 64);
    assert_non_null(big);
    memcpy(big, "{\"text\":\"", 9);
    memset(big + 9, 'a', n);
    memcpy(big + 9 + n, "\"}\n{\"text\":\"b\"}\n", 16);
    char *out;
    assert_int_equal(run("scan", big, n + 25, &out), 1);
    assert_int_equal(count_lines(out), 2);
    assert_non_null(strstr(out, "\"line\":1,\"error\":\"line too long\""));
    free(out);
    free(big);
    assert_int_equal(run("scan", "", 0, &out), 0);
    assert_string_equal(out, "");
    free(out);
}

static void test_text_format_and_redact(void **state)
{
    (void)state;
    const char in[] = "주민번호 900101-1234568\r\n\n010-2345-6789로 연락\n";
    char *out;
    assert_int_equal(run("scan --format text", in, sizeof in - 1, &out), 0);
    assert_int_equal(count_lines(out), 3);
    assert_non_null(strstr(out, "{\"id\":1,\"findings\":[{\"type\":\"KR_RRN\""));
    assert_non_null(strstr(out, "{\"id\":2,\"findings\":[]"));
    free(out);
    assert_int_equal(run("redact --format text", in, sizeof in - 1, &out), 0);
    assert_non_null(strstr(out, "주민번호 900101-*******"));
    assert_non_null(strstr(out, "010-****-6789로 연락"));
    free(out);
    assert_int_equal(run("redact --format text --labels", in, sizeof in - 1, &out), 0);
    assert_non_null(strstr(out, "[PHONE_NUMBER]로 연락"));
    free(out);
}

static void test_usage_and_rules(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("scan --bogus", "", 0, &out), 2);
    free(out);
    assert_int_equal(run("scan --min-score 2", "", 0, &out), 2);
    free(out);
    char path[256], cmd[1024];
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("version: 1\ndetectors:\n  KR_RRN:\n    enabeld: true\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' rules check '%s' 2>&1 | grep -q ':4:5: unknown key'",
             getenv("PVG_CLI"), path);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' scan --rules '%s' </dev/null 2>/dev/null", getenv("PVG_CLI"), path);
    int st = system(cmd);
    assert_int_equal(WEXITSTATUS(st), 2);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contract_lines),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_long_line_and_empty),
        cmocka_unit_test(test_text_format_and_redact),
        cmocka_unit_test(test_usage_and_rules),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    return rc;
}
