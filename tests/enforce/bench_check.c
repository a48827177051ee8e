/* SPDX-License-Identifier: MIT */
/*
 * bench_check.c -- how many sanction checks per second one core answers
 * from memory. It loads 100,000 accounts with sanctions (a third of them
 * with two), then checks a mix of sanctioned and clean accounts, rooms and
 * scopes. It prints the rate and never fails on speed (CI machines vary);
 * it fails only if the answers are wrong. PVG_BENCH_CHECKS sets the count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enforce/scache.h"

#define ACCOUNTS 100000
#define KEYS 4096

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    pvg_scache_t *c = pvg__scache_new();
    if (!c)
        return 2;
    char acc[32];
    for (int i = 0; i < ACCOUNTS; i++) {
        snprintf(acc, sizeof acc, "user:%08d", i);
        if (pvg__scache_put(c, acc, i + 1, PVG_SCOPE_OPENCHAT_ACCESS, NULL, NULL, 0, 1000000) ||
            (i % 3 == 0 && pvg__scache_put(c, acc, ACCOUNTS + i + 1, PVG_SCOPE_MESSAGE_SEND,
                                           "room-1", NULL, 0, 2000000)))
            return 2;
    }
    /* keys: half sanctioned accounts, half clean ones */
    static char keys[KEYS][32];
    for (int i = 0; i < KEYS; i++)
        snprintf(keys[i], sizeof keys[i], i % 2 ? "user:%08d" : "clean:%08d",
                 (i * 7919) % ACCOUNTS);
    long n = 20000000;
    const char *env = getenv("PVG_BENCH_CHECKS");
    if (env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end || v <= 0)
            return 2;
        n = v;
    }
    long denied = 0;
    pvg_check_t r;
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        pvg__scache_check(c, keys[i & (KEYS - 1)],
                          (i & 4) ? PVG_SCOPE_MESSAGE_SEND : PVG_SCOPE_OPENCHAT_ACCESS,
                          (i & 8) ? "room-1" : NULL, NULL, 500000, &r);
        denied += !r.allowed;
    }
    double dt = now_s() - t0;
    printf("sanction checks: %ld in %.3f s = %.2f million/s on one core (%.1f ns each),"
           " %ld denied\n",
           n, dt, n / dt / 1e6, dt * 1e9 / n, denied);
    /* correctness: a sanctioned account is denied, a clean one allowed */
    pvg__scache_check(c, "user:00000001", PVG_SCOPE_OPENCHAT_ACCESS, NULL, NULL, 5, &r);
    int ok = !r.allowed && r.sanction_id == 2;
    pvg__scache_check(c, "clean:00000001", PVG_SCOPE_OPENCHAT_ACCESS, NULL, NULL, 5, &r);
    ok = ok && r.allowed && denied > 0 && denied < n;
    pvg__scache_free(c);
    if (!ok) {
        fprintf(stderr, "bench_check: wrong answers\n");
        return 1;
    }
    return 0;
}
