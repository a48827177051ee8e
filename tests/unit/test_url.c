/* SPDX-License-Identifier: MIT */
/*
 * test_url.c -- pvg__url_parse (src/policy/url.c): schemes and bare hosts,
 * IDN and punycode, userinfo tricks, IP hosts, ports, file extensions, and
 * refusals. The cases are a table: input, expected return code, and the
 * fields that must hold. All hosts are made up or well-known public names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "policy/url.h"

typedef struct url_case {
    const char *in;
    int rc;
    const char *scheme, *host, *host_ascii, *reg, *reg_u, *path, *ext;
    int port, is_ip, punycode, idn, userinfo, guessed;
} url_case_t;

/* NULL string fields are not checked. */
static const url_case_t cases[] = {
    /* schemes and bare hosts */
    {"https://www.kakao.com/a/b?x=1#f", 0, "https", "www.kakao.com", "www.kakao.com", "kakao.com",
     "kakao.com", "/a/b", "", 0, 0, 0, 0, 0, 0},
    {"bit.ly/abc", 0, "http", "bit.ly", "bit.ly", "bit.ly", "bit.ly", "/abc", "", 0, 0, 0, 0, 0, 1},
    {"www.x.com", 0, "http", "www.x.com", NULL, "x.com", NULL, "/", "", 0, 0, 0, 0, 0, 1},
    {"HTTP://KAKAO.COM/Download/App.APK", 0, "http", "kakao.com", "kakao.com", "kakao.com", NULL,
     "/Download/App.APK", "apk", 0, 0, 0, 0, 0, 0},
    {"  https://naver.com.  ", 0, "https", "naver.com", NULL, "naver.com", NULL, "/", "", 0, 0, 0,
     0, 0, 0},
    {"hxxp://evil.example.xyz/login", 0, "hxxp", "evil.example.xyz", NULL, "example.xyz", NULL,
     "/login", "", 0, 0, 0, 0, 0, 0},
    {"intent://scan/#Intent;scheme=zxing;end", 0, "intent", "scan", NULL, "", NULL, NULL, "", 0,
     0, 0, 0, 0, 0},
    {"sub.police.go.kr/notice", 0, "http", "sub.police.go.kr", NULL, "police.go.kr", NULL,
     "/notice", "", 0, 0, 0, 0, 0, 1},
    {"https://a.b.c.kakao.co.kr/", 0, "https", NULL, NULL, "kakao.co.kr", NULL, NULL, "", 0, 0, 0,
     0, 0, 0},
    /* userinfo tricks */
    {"http://kakao.com@evil.xyz/", 0, "http", "evil.xyz", NULL, "evil.xyz", NULL, "/", "", 0, 0,
     0, 0, 1, 0},
    {"kakao.com@evil.xyz/login", 0, "http", "evil.xyz", NULL, "evil.xyz", NULL, "/login", "", 0,
     0, 0, 0, 1, 1},
    {"https://www.naver.com:secret@203.0.113.9/", 0, "https", "203.0.113.9", NULL, "", NULL, "/",
     "", 0, 1, 0, 0, 1, 0},
    /* IP hosts and ports */
    {"http://0x7f.1/x.exe", 0, "http", "127.0.0.1", NULL, "", NULL, "/x.exe", "exe", 0, 1, 0, 0,
     0, 0},
    {"http://[2001:DB8::1]:8443/", 0, "http", "[2001:db8::1]", NULL, "", NULL, "/", "", 8443, 1, 0,
     0, 0, 0},
    {"198.51.100.7:8080/app.ipa", 0, "http", "198.51.100.7", NULL, "", NULL, "/app.ipa", "ipa",
     8080, 1, 0, 0, 0, 1},
    {"kakao.com:8080/x", 0, "http", "kakao.com", NULL, "kakao.com", NULL, "/x", "", 8080, 0, 0, 0,
     0, 1},
    /* IDN and punycode */
    {"http://카카오.com/", 0, "http", "카카오.com", "xn--vk5b15ma.com", "xn--vk5b15ma.com",
     "카카오.com", "/", "", 0, 0, 0, 1, 0, 0},
    {"https://xn--vk5b15ma.com/login", 0, "https", "카카오.com", "xn--vk5b15ma.com",
     "xn--vk5b15ma.com", "카카오.com", "/login", "", 0, 0, 1, 1, 0, 0},
    {"http://kaka\xd0\xbe.com/", 0, "http", "kaka\xd0\xbe.com", "xn--kaka-85d.com",
     "xn--kaka-85d.com", "kaka\xd0\xbe.com", "/", "", 0, 0, 0, 1, 0, 0},
    {"http://xn--kaka-85d.com/", 0, "http", "kaka\xd0\xbe.com", "xn--kaka-85d.com", NULL, NULL,
     "/", "", 0, 0, 1, 1, 0, 0},
    {"http://\xef\xbc\xab\xef\xbc\xa1\xef\xbc\xab\xef\xbc\xa1\xef\xbc\xaf.com/", 0, "http",
     "kakao.com", "kakao.com", "kakao.com", "kakao.com", "/", "", 0, 0, 0, 0, 0, 0},
    {"www.한국.한국/", 0, "http", "www.한국.한국", NULL, NULL, "한국.한국", NULL, "", 0, 0, 0, 1, 0,
     1},
    {"http://%6Bakao.com/", 0, "http", "kakao.com", NULL, "kakao.com", NULL, NULL, "", 0, 0, 0, 0,
     0, 0},
    /* file extensions */
    {"https://cdn.example.com/files/%EC%95%B1.APK?dl=1", 0, "https", NULL, NULL, "example.com",
     NULL, NULL, "apk", 0, 0, 0, 0, 0, 0},
    {"https://cdn.example.com/app%2Eexe", 0, "https", NULL, NULL, NULL, NULL, NULL, "exe", 0, 0, 0,
     0, 0, 0},
    {"https://cdn.example.com/dir.apk/", 0, "https", NULL, NULL, NULL, NULL, NULL, "", 0, 0, 0, 0,
     0, 0},
    {"https://cdn.example.com/.htaccess", 0, "https", NULL, NULL, NULL, NULL, NULL, "", 0, 0, 0, 0,
     0, 0},
    {"https://cdn.example.com/a.tar.gz", 0, "https", NULL, NULL, NULL, NULL, NULL, "gz", 0, 0, 0,
     0, 0, 0},
    {"https://cdn.example.com/a.verylongextension1", 0, "https", NULL, NULL, NULL, NULL, NULL, "",
     0, 0, 0, 0, 0, 0},
    /* refusals */
    {"", PVG_EINVAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0},
    {"   ", PVG_EINVAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0},
    {"mailto:someone@example.com", PVG_EINVAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0,
     0, 0, 0},
    {"javascript:alert(1)", PVG_EINVAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0},
    {"http://a b.com/", PVG_EINVAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0},
    {"http://", PVG_EINVAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0},
    {"http://x.com/\x01", PVG_EINVAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0},
    {"\xef\xbb\xbf/%_\xafZ", PVG_EINVAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0,
     0}, /* a host UTS #46 maps to nothing (fuzz) */
    {"http://\xc2\xad/", PVG_EINVAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0},
    {"http://\xff\xfe.com/", PVG_EINVAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0,
     0},
};

static void check_str(const char *in, const char *what, const char *want, const char *got)
{
    if (want && strcmp(want, got) != 0) {
        fprintf(stderr, "case '%s': %s want '%s' got '%s'\n", in, what, want, got);
        fail();
    }
}

static void check_int(const char *in, const char *what, int want, int got)
{
    if (want != got) {
        fprintf(stderr, "case '%s': %s want %d got %d\n", in, what, want, got);
        fail();
    }
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const url_case_t *c = &cases[i];
        pvg__url_t u;
        int rc = pvg__url_parse(c->in, strlen(c->in), &u);
        check_int(c->in, "rc", c->rc, rc);
        if (rc != PVG_OK) {
            check_str(c->in, "host (zeroed)", "", u.host);
            continue;
        }
        check_str(c->in, "scheme", c->scheme, u.scheme);
        check_str(c->in, "host", c->host, u.host);
        check_str(c->in, "host_ascii", c->host_ascii, u.host_ascii);
        check_str(c->in, "registrable", c->reg, u.registrable);
        check_str(c->in, "registrable_u", c->reg_u, u.registrable_u);
        check_str(c->in, "path", c->path, u.path);
        check_str(c->in, "ext", c->ext, u.ext);
        check_int(c->in, "port", c->port, u.port);
        check_int(c->in, "is_ip", c->is_ip, u.is_ip);
        check_int(c->in, "has_punycode", c->punycode, u.has_punycode);
        check_int(c->in, "is_idn", c->idn, u.is_idn);
        check_int(c->in, "has_userinfo", c->userinfo, u.has_userinfo);
        check_int(c->in, "scheme_guessed", c->guessed, u.scheme_guessed);
        pvg__url_wipe(&u);
    }
}

static void test_userinfo_kept(void **state)
{
    (void)state;
    pvg__url_t u;
    const char *s = "http://kakao.com@evil.xyz/";
    assert_int_equal(pvg__url_parse(s, strlen(s), &u), PVG_OK);
    assert_string_equal(u.userinfo, "kakao.com");
    pvg__url_wipe(&u);
    char zero[sizeof u];
    memset(zero, 0, sizeof zero);
    assert_memory_equal(&u, zero, sizeof u);
}

static void test_not_nul_terminated(void **state)
{
    (void)state;
    /* Only the first len bytes count: the rest of the buffer is another
     * word. */
    const char buf[] = "naver.com/x.apk and more";
    pvg__url_t u;
    assert_int_equal(pvg__url_parse(buf, 9, &u), PVG_OK);
    assert_string_equal(u.host, "naver.com");
    assert_string_equal(u.path, "/");
    assert_string_equal(u.ext, "");
}

static void test_limits(void **state)
{
    (void)state;
    pvg__url_t u;
    assert_int_equal(pvg__url_parse("x.com", 5, NULL), PVG_EINVAL);
    assert_int_equal(pvg__url_parse(NULL, 3, &u), PVG_EINVAL);
    assert_int_equal(pvg__url_parse(NULL, 0, &u), PVG_EINVAL);
    static char big[PVG__URL_MAX_INPUT + 2];
    memset(big, 'a', sizeof big - 1);
    memcpy(big, "http://x.com/", 13);
    assert_int_equal(pvg__url_parse(big, PVG__URL_MAX_INPUT + 1, &u), PVG_ETOOBIG);
    /* A long path is cut, the extension still comes from its end. */
    memcpy(big + PVG__URL_MAX_INPUT - 4, ".apk", 4);
    assert_int_equal(pvg__url_parse(big, PVG__URL_MAX_INPUT, &u), PVG_OK);
    assert_int_equal(u.path_truncated, 1);
    assert_int_equal(strlen(u.path), sizeof u.path - 1);
    assert_string_equal(u.ext, "apk");
    /* A host longer than DNS allows. */
    char host[300 + 8];
    memcpy(host, "http://", 7);
    memset(host + 7, 'b', 300);
    host[307] = 0;
    assert_int_equal(pvg__url_parse(host, strlen(host), &u), PVG_EINVAL);
}

static void test_registrable(void **state)
{
    (void)state;
    char r[256], ru[256];
    assert_int_equal(pvg__url_registrable("WWW.Police.GO.kr", 16, r, ru), PVG_OK);
    assert_string_equal(r, "police.go.kr");
    assert_int_equal(pvg__url_registrable("xn--vk5b15ma.com", 16, r, ru), PVG_OK);
    assert_string_equal(ru, "카카오.com");
    assert_int_equal(pvg__url_registrable("co.kr", 5, r, NULL), PVG_ENOTFOUND);
    assert_int_equal(pvg__url_registrable("10.0.0.1", 8, r, NULL), PVG_ENOTFOUND);
    assert_int_equal(pvg__url_registrable("localhost", 9, r, NULL), PVG_ENOTFOUND);
    assert_int_equal(pvg__url_registrable("a.com/x", 7, r, NULL), PVG_EINVAL);
    assert_int_equal(pvg__url_registrable("u@a.com", 7, r, NULL), PVG_EINVAL);
    assert_int_equal(pvg__url_registrable("a.com", 5, NULL, NULL), PVG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_userinfo_kept),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_registrable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
