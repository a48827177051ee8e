/* SPDX-License-Identifier: MIT */
/*
 * gen.c -- fake personal information for benchmarks and evaluation.
 */
#include <stdio.h>
#include <string.h>

#include "cli/gen.h"

void gen_seed(gen_t *g, uint64_t seed) { g->state = seed * 2654435761u + 0x9E3779B97F4A7C15ull; }

uint32_t gen_u32(gen_t *g)
{
    /* splitmix64 */
    uint64_t z = (g->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)((z ^ (z >> 31)) >> 16);
}

static unsigned pick(gen_t *g, unsigned n) { return gen_u32(g) % n; }

void gen_phone(gen_t *g, char *out, size_t cap)
{
    static const char *const fmt[] = {"010-%04u-%04u", "010%04u%04u", "010 %04u %04u",
                                      "010.%04u.%04u", "+82 10-%04u-%04u"};
    snprintf(out, cap, fmt[pick(g, 5)], 2000 + pick(g, 7999), pick(g, 10000));
}

void gen_rrn(gen_t *g, char *out, size_t cap, int foreigner)
{
    static const int w[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
    char d[14];
    int y = 60 + (int)pick(g, 40), m = 1 + (int)pick(g, 12), day = 1 + (int)pick(g, 28);
    int sex = (foreigner ? 5 : 1) + (int)pick(g, 2);
    snprintf(d, sizeof d, "%02d%02d%02d%d%05u", y, m, day, sex, pick(g, 100000));
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (d[i] - '0') * w[i];
    d[12] = (char)('0' + (11 - sum % 11) % 10);
    d[13] = 0;
    snprintf(out, cap, "%.6s-%.7s", d, d + 6);
}

void gen_card(gen_t *g, char *out, size_t cap)
{
    char d[17];
    static const char *const pre[] = {"4", "51", "52", "55", "9410"};
    const char *p = pre[pick(g, 5)];
    size_t pl = strlen(p);
    memcpy(d, p, pl);
    for (size_t i = pl; i < 15; i++)
        d[i] = (char)('0' + pick(g, 10));
    int sum = 0;
    for (int i = 14, dbl = 1; i >= 0; i--, dbl = !dbl) {
        int v = d[i] - '0';
        if (dbl && (v *= 2) > 9)
            v -= 9;
        sum += v;
    }
    d[15] = (char)('0' + (10 - sum % 10) % 10);
    d[16] = 0;
    snprintf(out, cap, "%.4s-%.4s-%.4s-%.4s", d, d + 4, d + 8, d + 12);
}

void gen_email(gen_t *g, char *out, size_t cap)
{
    static const char *const user[] = {"minji", "jhkim", "sora.lee", "tester", "hana_22"};
    static const char *const dom[] = {"example.com", "example.co.kr", "test.net", "mail.example.org"};
    snprintf(out, cap, "%s%u@%s", user[pick(g, 5)], pick(g, 1000), dom[pick(g, 4)]);
}

void gen_ip(gen_t *g, char *out, size_t cap)
{
    snprintf(out, cap, "%u.%u.%u.%u", 1 + pick(g, 223), pick(g, 256), pick(g, 256), 1 + pick(g, 254));
}

size_t gen_message(gen_t *g, char *out, size_t cap)
{
    static const char *const phone_t[] = {"제 번호 %s 으로 연락주세요", "이 사람 번호 %s 다들 연락해",
                                          "call me at %s tonight", "폰 %s 입니다"};
    static const char *const rrn_t[] = {"주민번호 %s 맞나요?", "%s 이거 주민번호임"};
    static const char *const card_t[] = {"카드번호 %s 로 결제해줘", "card %s exp 12/27"};
    static const char *const mail_t[] = {"메일 %s 로 보내주세요", "email me: %s"};
    static const char *const ip_t[] = {"서버 아이피 %s 접속 안돼요", "server at %s is down"};
    char v[64];
    int n;
    switch (pick(g, 5)) {
    case 0: gen_phone(g, v, sizeof v); n = snprintf(out, cap, phone_t[pick(g, 4)], v); break;
    case 1: gen_rrn(g, v, sizeof v, pick(g, 4) == 0); n = snprintf(out, cap, rrn_t[pick(g, 2)], v); break;
    case 2: gen_card(g, v, sizeof v); n = snprintf(out, cap, card_t[pick(g, 2)], v); break;
    case 3: gen_email(g, v, sizeof v); n = snprintf(out, cap, mail_t[pick(g, 2)], v); break;
    default: gen_ip(g, v, sizeof v); n = snprintf(out, cap, ip_t[pick(g, 2)], v); break;
    }
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}
