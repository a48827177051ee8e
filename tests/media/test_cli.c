/* SPDX-License-Identifier: MIT */
/*
 * test_cli.c -- `privguard media hash|match` end to end through the built
 * CLI ($PVG_CLI): JSON output, exit statuses (match 0, no match 1, errors
 * 2) and the bank file's error messages; the store's bank (`media bank
 * add|disable|list`, `media match --store`) on a SQLite store. Images are
 * generated in a fresh temporary folder; the PDQ corpus supplies a rotated
 * photo. When the CLI
 * has not been built (another component of it failing), the test is
 * skipped rather than passed.
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
#include <jansson.h>

#include "media_test_util.h"

static char dir[256];
static const char *cli;

static int write_file(const char *name, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(data, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : -1;
}

/* Runs the CLI with args (already shell-safe), captures stdout into out
 * (NUL-terminated), returns the exit status. */
static int run(const char *args, char *out, size_t cap)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' media %s 2>stderr.txt", dir, cli, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup(void **state)
{
    (void)state;
    cli = getenv("PVG_CLI");
    snprintf(dir, sizeof dir, "/tmp/pvg-media-cli-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (!strncmp(dir, "/tmp/pvg-media-cli-", 19)) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s/store'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "warning: cannot remove %s/store\n", dir);
    }
    static const char *const names[] = {"a.jpg", "b.png", "bank.jsonl", "bad.jsonl",
                                        "rot.jpg", "notes.txt", "stderr.txt"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

static json_t *parse_out(const char *out)
{
    json_t *o = json_loads(out, 0, NULL);
    if (!o)
        fail_msg("not JSON: %.300s", out);
    return o;
}

static void test_store_bank(void **state)
{
    (void)state;
    if (!cli || access(cli, X_OK) != 0) {
        printf("  privguard CLI not built at '%s': skipped\n", cli ? cli : "(PVG_CLI unset)");
        skip();
    }
    uint8_t *rgb = mt_make_rgb(320, 240, 41);
    size_t n;
    uint8_t *jpg = mt_encode_jpeg(rgb, 320, 240, 90, 1, &n);
    assert_non_null(jpg);
    assert_int_equal(write_file("s.jpg", jpg, n), 0);
    free(jpg);
    uint8_t *other = mt_make_rgb(320, 240, 977);
    jpg = mt_encode_jpeg(other, 320, 240, 90, 1, &n);
    assert_int_equal(write_file("o.jpg", jpg, n), 0);
    free(jpg);
    free(rgb);
    free(other);
    static char out[65536];
    const char *st = "--store store/pvg.db --keys store/keys", *mst = "--store store/pvg.db";
    char args[512];
    /* nothing in the bank yet */
    snprintf(args, sizeof args, "match s.jpg %s", mst);
    assert_int_equal(run(args, out, sizeof out), 1);
    snprintf(args, sizeof args, "bank add s.jpg %s --note 'test entry'", st);
    assert_int_equal(run(args, out, sizeof out), 0);
    json_t *o = parse_out(out);
    json_t *e0 = json_array_get(json_object_get(o, "entries"), 0);
    assert_true(json_is_true(json_object_get(e0, "added")));
    json_int_t id = json_integer_value(json_object_get(e0, "entry_id"));
    char pdq[65];
    snprintf(pdq, sizeof pdq, "%s", json_string_value(json_object_get(e0, "pdq")));
    json_decref(o);
    /* the same hash again: nothing added, exit 4 */
    snprintf(args, sizeof args, "bank add --pdq %s %s", pdq, st);
    assert_int_equal(run(args, out, sizeof out), 4);
    snprintf(args, sizeof args, "match s.jpg %s", mst);
    assert_int_equal(run(args, out, sizeof out), 0);
    o = parse_out(out);
    assert_true(json_is_true(json_object_get(o, "matched")));
    json_decref(o);
    snprintf(args, sizeof args, "match o.jpg %s", mst);
    assert_int_equal(run(args, out, sizeof out), 1);
    snprintf(args, sizeof args, "bank list %s", st);
    assert_int_equal(run(args, out, sizeof out), 0);
    o = parse_out(out);
    assert_int_equal(json_array_size(o), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(o, 0), "note")),
                        "test entry");
    json_decref(o);
    snprintf(args, sizeof args, "bank list %s --actor-role reporter_app", st);
    assert_int_equal(run(args, out, sizeof out), 5);
    snprintf(args, sizeof args, "bank disable %lld %s --actor-role triage", (long long)id, st);
    assert_int_equal(run(args, out, sizeof out), 5);
    snprintf(args, sizeof args, "bank disable %lld %s --reason mistake", (long long)id, st);
    assert_int_equal(run(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "bank disable %lld %s", (long long)id, st);
    assert_int_equal(run(args, out, sizeof out), 4);
    snprintf(args, sizeof args, "bank disable 4242 %s", st);
    assert_int_equal(run(args, out, sizeof out), 3);
    snprintf(args, sizeof args, "match s.jpg %s", mst);
    assert_int_equal(run(args, out, sizeof out), 1);
    snprintf(args, sizeof args, "bank list %s --all", st);
    assert_int_equal(run(args, out, sizeof out), 0);
    o = parse_out(out);
    assert_false(json_is_true(json_object_get(json_array_get(o, 0), "enabled")));
    json_decref(o);
    /* usage errors */
    snprintf(args, sizeof args, "bank add --pdq 12ab %s", st);
    assert_int_equal(run(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "match s.jpg %s --bank bank.jsonl", mst);
    assert_int_equal(run(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "bank frobnicate %s", st);
    assert_int_equal(run(args, out, sizeof out), 2);
    /* a store under a regular file cannot be created */
    assert_int_equal(run("match s.jpg --store s.jpg/pvg.db", out, sizeof out), 2);
    char path[512];
    snprintf(path, sizeof path, "%s/s.jpg", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/o.jpg", dir);
    unlink(path);
}

static void test_hash_and_match(void **state)
{
    (void)state;
    if (!cli || access(cli, X_OK) != 0) {
        printf("  privguard CLI not built at '%s': skipped\n", cli ? cli : "(PVG_CLI unset)");
        skip();
    }
    uint8_t *rgb = mt_make_rgb(200, 150, 42), *other = mt_make_rgb(200, 150, 43);
    size_t len;
    uint8_t *jpg = mt_encode_jpeg(rgb, 200, 150, 90, -1, &len);
    assert_int_equal(write_file("a.jpg", jpg, len), 0);
    free(jpg);
    uint8_t *png = mt_encode_png(other, 200, 150, 0, &len);
    assert_int_equal(write_file("b.png", png, len), 0);
    free(png);
    assert_int_equal(write_file("notes.txt", "not media\n", 10), 0);

    char out[65536];
    assert_int_equal(run("hash a.jpg", out, sizeof out), 0);
    json_error_t jerr;
    json_t *o = json_loads(out, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "image");
    assert_string_equal(json_string_value(json_object_get(o, "format")), "jpeg");
    assert_int_equal(json_integer_value(json_object_get(o, "width")), 200);
    assert_int_equal(json_integer_value(json_object_get(o, "height")), 150);
    const char *hex = json_string_value(json_object_get(o, "pdq"));
    assert_non_null(hex);
    assert_int_equal(strlen(hex), 64);
    char bank[1024];
    int n = snprintf(bank, sizeof bank,
                     "{\"id\":\"e1\",\"bank\":\"confirmed_private_media\",\"pdq\":\"%s\","
                     "\"case\":\"case-1\"}\n\n"
                     "{\"id\":2,\"bank\":\"reported_pending\",\"pdq\":\"%064d\",\"case\":5,"
                     "\"enabled\":false}\n",
                     hex, 0);
    json_decref(o);
    assert_int_equal(write_file("bank.jsonl", bank, (size_t)n), 0);

    /* the same picture matches, its entry and case named */
    assert_int_equal(run("match a.jpg --bank bank.jsonl", out, sizeof out), 0);
    o = json_loads(out, 0, &jerr);
    assert_non_null(o);
    assert_true(json_is_true(json_object_get(o, "matched")));
    json_t *m0 = json_array_get(json_object_get(o, "matches"), 0);
    assert_string_equal(json_string_value(json_object_get(m0, "id")), "e1");
    assert_string_equal(json_string_value(json_object_get(m0, "case")), "case-1");
    assert_int_equal(json_integer_value(json_object_get(m0, "distance")), 0);
    json_decref(o);
    /* another picture does not: exit 1 */
    assert_int_equal(run("match b.png --bank bank.jsonl", out, sizeof out), 1);
    o = json_loads(out, 0, &jerr);
    assert_non_null(o);
    assert_true(json_is_false(json_object_get(o, "matched")));
    json_decref(o);
    /* bank filter and threshold */
    assert_int_equal(run("match a.jpg --bank bank.jsonl --bank-name reported_pending", out,
                         sizeof out), 1);
    assert_int_equal(run("match a.jpg --bank bank.jsonl --threshold 300", out, sizeof out), 2);
    /* errors: not media, missing file, bad bank line, usage */
    assert_int_equal(run("hash notes.txt", out, sizeof out), 2);
    assert_int_equal(run("hash missing.jpg", out, sizeof out), 2);
    assert_int_equal(write_file("bad.jsonl", "{\"id\":\"x\",\"bank\":\"b\",\"pdq\":\"12\"}\n", 34),
                     0);
    assert_int_equal(run("match a.jpg --bank bad.jsonl", out, sizeof out), 2);
    char path[512];
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    size_t elen;
    char *err = (char *)mt_read_file(path, &elen);
    assert_non_null(err);
    err[elen ? elen - 1 : 0] = '\0';
    assert_string_equal(err, "privguard media: bank file 'bad.jsonl' line 1: \"pdq\" must be 64 "
                             "hexadecimal digits");
    free(err);
    assert_int_equal(run("match a.jpg", out, sizeof out), 2);
    assert_int_equal(run("frobnicate a.jpg", out, sizeof out), 2);

    /* a rotated corpus photo matches its original through the dihedral forms */
    size_t rlen;
    uint8_t *rot = mt_read_corpus("images/reg-test-input__dih__bridge-2-rotate-90.jpg", &rlen);
    if (rot) {
        assert_int_equal(write_file("rot.jpg", rot, rlen), 0);
        free(rot);
        n = snprintf(bank, sizeof bank,
                     "{\"id\":\"orig\",\"bank\":\"confirmed_private_media\","
                     "\"pdq\":\"d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22\","
                     "\"case\":\"c\"}\n");
        assert_int_equal(write_file("bank.jsonl", bank, (size_t)n), 0);
        assert_int_equal(run("match rot.jpg --bank bank.jsonl", out, sizeof out), 0);
        assert_int_equal(run("match rot.jpg --bank bank.jsonl --no-dihedral", out, sizeof out),
                         1);
    }
    free(rgb);
    free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_and_match),
        cmocka_unit_test(test_store_bank),
    };
    return cmocka_run_group_tests_name("media_cli", tests, setup, teardown);
}
