/* SPDX-License-Identifier: MIT */
/*
 * media_bench.c -- throughput of the media hash bank on one core.
 *
 *   pvg-media-bench [--entries N] [--queries N] [--seconds S] [IMAGE...]
 *
 * 1. Hashing: decodes and hashes each IMAGE (from memory, files read once)
 *    round-robin for about S seconds and prints images per second.
 * 2. Matching: fills an index with N random PDQ hashes (default 1,000,000)
 *    and runs queries at the default threshold (31): random hashes (almost
 *    never a hit) and planted near-duplicates (a hit at distance 1..31), as
 *    a plain query and as a match with the eight dihedral forms. Prints
 *    queries per second and, for reference, a linear scan's rate.
 * Output is one JSON object per line, for scripts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <privguard/media.h>

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_hit(const pvg_media_hit_t *hit, void *ctx)
{
    (void)hit;
    ++*(size_t *)ctx;
    return 0;
}

static unsigned long parse_count(const char *s, const char *what)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v == 0) {
        fprintf(stderr, "pvg-media-bench: invalid %s '%s'\n", what, s);
        exit(2);
    }
    return v;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return NULL;
    }
    long n = ftell(f);
    rewind(f);
    uint8_t *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

int main(int argc, char **argv)
{
    unsigned long entries = 1000000, queries = 20000;
    double seconds = 3.0;
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--entries") && i + 1 < argc)
            entries = parse_count(argv[++i], "entry count");
        else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
            queries = parse_count(argv[++i], "query count");
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = (double)parse_count(argv[++i], "seconds");
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: pvg-media-bench [--entries N] [--queries N] "
                            "[--seconds S] [IMAGE...]\n");
            return 2;
        } else {
            first_file = i;
            break;
        }
    }

    /* 1. hashing */
    int n_files = argc - first_file;
    if (n_files > 0) {
        uint8_t **bufs = calloc((size_t)n_files, sizeof *bufs);
        size_t *lens = calloc((size_t)n_files, sizeof *lens);
        uint64_t pixels = 0;
        for (int i = 0; i < n_files; i++) {
            bufs[i] = read_file(argv[first_file + i], &lens[i]);
            if (!bufs[i]) {
                fprintf(stderr, "pvg-media-bench: cannot read '%s'\n", argv[first_file + i]);
                return 2;
            }
        }
        unsigned long done = 0;
        double t0 = now(), t;
        do {
            pvg_media_image_t img;
            int k = (int)(done % (unsigned long)n_files);
            pvg_error_t rc = pvg_media_hash_image(bufs[k], lens[k], NULL, &img);
            if (rc != PVG_OK) {
                fprintf(stderr, "pvg-media-bench: cannot hash '%s': %s\n",
                        argv[first_file + k], pvg_media_strerror(rc));
                return 2;
            }
            pixels += (uint64_t)img.width * img.height;
            done++;
            t = now() - t0;
        } while (t < seconds || done % (unsigned long)n_files != 0);
        printf("{\"bench\":\"hash_images\",\"files\":%d,\"images\":%lu,\"seconds\":%.3f,"
               "\"images_per_s\":%.1f,\"megapixels_per_s\":%.1f}\n",
               n_files, done, t, (double)done / t, (double)pixels / 1e6 / t);
        for (int i = 0; i < n_files; i++)
            free(bufs[i]);
        free(bufs);
        free(lens);
    }

    /* 2. matching */
    pvg_media_index_t *idx;
    if (pvg_media_index_new(&idx) != PVG_OK)
        return 2;
    pvg_pdq_hash_t *bank = malloc(entries * sizeof *bank);
    if (!bank)
        return 2;
    double t0 = now();
    char id[32], cs[32];
    for (unsigned long i = 0; i < entries; i++) {
        pvg_pdq_hash_t h = {{rnd(), rnd(), rnd(), rnd()}};
        bank[i] = h;
        snprintf(id, sizeof id, "e%lu", i);
        snprintf(cs, sizeof cs, "case-%lu", i / 3);
        pvg_error_t rc = pvg_media_index_add(idx, &h, id, i % 4 ? "confirmed_private_media"
                                                                  : "reported_pending",
                                             cs, 1);
        if (rc != PVG_OK) {
            fprintf(stderr, "pvg-media-bench: cannot add: %s\n", pvg_media_strerror(rc));
            return 2;
        }
    }
    double load = now() - t0;
    printf("{\"bench\":\"index_load\",\"entries\":%lu,\"seconds\":%.3f,\"adds_per_s\":%.0f}\n",
           entries, load, (double)entries / load);

    pvg_pdq_hash_t *qs = malloc(queries * sizeof *qs);
    for (int kind = 0; kind < 2; kind++) {
        for (unsigned long i = 0; i < queries; i++) {
            if (kind == 0) {
                pvg_pdq_hash_t h = {{rnd(), rnd(), rnd(), rnd()}};
                qs[i] = h;
            } else {
                qs[i] = bank[rnd() % entries];
                int flips = 1 + (int)(rnd() % 31);
                for (int f = 0; f < flips; f++) {
                    int b = (int)(rnd() % 256);
                    qs[i].w[b / 64] ^= (uint64_t)1 << (b % 64);
                }
            }
        }
        size_t hits = 0;
        t0 = now();
        for (unsigned long i = 0; i < queries; i++)
            if (pvg_media_index_query(idx, &qs[i], PVG_PDQ_DEFAULT_THRESHOLD, NULL, count_hit,
                                      &hits) != PVG_OK)
                return 2;
        double t = now() - t0;
        printf("{\"bench\":\"query\",\"queries\":\"%s\",\"entries\":%lu,\"threshold\":%d,"
               "\"n\":%lu,\"hits\":%zu,\"seconds\":%.3f,\"queries_per_s\":%.0f}\n",
               kind ? "near_duplicates" : "random", entries, PVG_PDQ_DEFAULT_THRESHOLD,
               queries, hits, t, (double)queries / t);
        /* the same through the match API with the eight dihedral forms */
        unsigned long nm = queries / 4 ? queries / 4 : 1, matched = 0;
        t0 = now();
        for (unsigned long i = 0; i < nm; i++) {
            pvg_pdq_result_t r;
            memset(&r, 0, sizeof r);
            r.quality = 100;
            r.hash = qs[i];
            for (int v = 0; v < PVG_DIH_COUNT; v++) {
                r.dihedral[v] = qs[i];
                r.dihedral[v].w[0] ^= (uint64_t)v * 0x5555555555555555ull;
            }
            pvg_media_matches_t *m;
            if (pvg_media_match_image(idx, &r, NULL, &m) != PVG_OK)
                return 2;
            matched += (unsigned long)m->matched;
            pvg_media_matches_free(m);
        }
        t = now() - t0;
        printf("{\"bench\":\"match_dihedral\",\"queries\":\"%s\",\"entries\":%lu,\"n\":%lu,"
               "\"matched\":%lu,\"seconds\":%.3f,\"matches_per_s\":%.0f}\n",
               kind ? "near_duplicates" : "random", entries, nm, matched, t, (double)nm / t);
    }
    /* reference: a linear scan over the same bank */
    unsigned long nl = 200;
    size_t lhits = 0;
    t0 = now();
    for (unsigned long i = 0; i < nl; i++)
        for (unsigned long e = 0; e < entries; e++)
            if (pvg_pdq_distance(&bank[e], &qs[i]) <= PVG_PDQ_DEFAULT_THRESHOLD)
                lhits++;
    double t = now() - t0;
    printf("{\"bench\":\"linear_scan\",\"entries\":%lu,\"n\":%lu,\"hits\":%zu,\"seconds\":%.3f,"
           "\"queries_per_s\":%.0f}\n",
           entries, nl, lhits, t, (double)nl / t);
    free(qs);
    free(bank);
    pvg_media_index_free(idx);
    return 0;
}
