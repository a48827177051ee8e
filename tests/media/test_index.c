/* SPDX-License-Identifier: MIT */
/*
 * test_index.c -- the hash bank index and the image/video match rules.
 *
 * The multi-index-hashing query is checked against an obviously correct
 * linear scan on random hashes with planted neighbours at every distance
 * from 0 to 80, for thresholds that exercise each probing radius (0..3)
 * and the scanning fallback. Also: disabling, duplicates, bank filters,
 * argument checks, the video rule and concurrent queries during additions.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <privguard/media.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static pvg_pdq_hash_t random_hash(void)
{
    pvg_pdq_hash_t h = {{rnd(), rnd(), rnd(), rnd()}};
    return h;
}

/* h with exactly d distinct random bits flipped. */
static pvg_pdq_hash_t flip_bits(pvg_pdq_hash_t h, int d)
{
    uint8_t used[256] = {0};
    while (d > 0) {
        int b = (int)(rnd() % 256);
        if (used[b])
            continue;
        used[b] = 1;
        h.w[b / 64] ^= (uint64_t)1 << (b % 64);
        d--;
    }
    return h;
}

typedef struct seen {
    char ids[4096][16];
    int dist[4096];
    size_t n;
} seen_t;

static int collect(const pvg_media_hit_t *hit, void *ctx)
{
    seen_t *s = ctx;
    assert_true(s->n < 4096);
    snprintf(s->ids[s->n], sizeof s->ids[0], "%s", hit->entry_id);
    s->dist[s->n] = hit->distance;
    s->n++;
    return 0;
}

static int cmp_ids(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_mih_equals_linear_scan(void **state)
{
    (void)state;
    enum { N_RANDOM = 20000, N_QUERIES = 12 };
    pvg_media_index_t *idx;
    assert_int_equal(pvg_media_index_new(&idx), PVG_OK);
    size_t total = N_RANDOM + N_QUERIES * 81;
    pvg_pdq_hash_t *all = malloc(total * sizeof *all);
    uint8_t *enabled = malloc(total);
    pvg_pdq_hash_t queries[N_QUERIES];
    size_t n = 0;
    char id[32];
    for (int i = 0; i < N_RANDOM; i++, n++) {
        all[n] = random_hash();
        enabled[n] = 1;
        snprintf(id, sizeof id, "r%zu", n);
        assert_int_equal(pvg_media_index_add(idx, &all[n], id, i % 2 ? "a" : "b", "case-1", 1),
                         PVG_OK);
    }
    for (int q = 0; q < N_QUERIES; q++) {
        queries[q] = random_hash();
        for (int d = 0; d <= 80; d++, n++) {
            all[n] = flip_bits(queries[q], d);
            enabled[n] = (d % 7) != 3; /* some planted entries are disabled */
            snprintf(id, sizeof id, "r%zu", n);
            assert_int_equal(pvg_media_index_add(idx, &all[n], id, d % 2 ? "a" : "b", NULL,
                                                 enabled[n]),
                             PVG_OK);
        }
    }
    assert_int_equal(pvg_media_index_count(idx), total);
    static const int thresholds[] = {0, 5, 15, 16, 31, 32, 40, 47, 48, 63, 64, 70};
    seen_t *got = malloc(sizeof *got), *want = malloc(sizeof *want);
    for (size_t t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++)
        for (int q = 0; q < N_QUERIES; q++)
            for (int b = 0; b < 2; b++) {
                const char *bank = b ? "a" : NULL;
                got->n = want->n = 0;
                assert_int_equal(pvg_media_index_query(idx, &queries[q], thresholds[t], bank,
                                                       collect, got),
                                 PVG_OK);
                for (size_t s = 0; s < total; s++) {
                    int d = pvg_pdq_distance(&all[s], &queries[q]);
                    int in_a = (s < N_RANDOM) ? (s % 2 == 1)
                                              : (((s - N_RANDOM) % 81) % 2 == 1);
                    if (d <= thresholds[t] && enabled[s] && (!bank || in_a)) {
                        snprintf(want->ids[want->n], sizeof want->ids[0], "r%zu", s);
                        want->n++;
                    }
                }
                assert_int_equal(got->n, want->n);
                qsort(got->ids, got->n, sizeof got->ids[0], cmp_ids);
                qsort(want->ids, want->n, sizeof want->ids[0], cmp_ids);
                for (size_t i = 0; i < got->n; i++)
                    assert_string_equal(got->ids[i], want->ids[i]);
            }
    free(got);
    free(want);
    free(all);
    free(enabled);
    pvg_media_index_free(idx);
}

static int stop_at_first(const pvg_media_hit_t *hit, void *ctx)
{
    (void)hit;
    ++*(int *)ctx;
    return 1;
}

static void test_entries(void **state)
{
    (void)state;
    pvg_media_index_t *idx;
    assert_int_equal(pvg_media_index_new(&idx), PVG_OK);
    pvg_pdq_hash_t h = random_hash(), far = flip_bits(h, 100);
    assert_int_equal(pvg_media_index_add(idx, &h, "e1", "confirmed_private_media", "case-9", 1),
                     PVG_OK);
    assert_int_equal(pvg_media_index_add(idx, &h, "e1", "reported_pending", "case-10", 1),
                     PVG_EMEDIA_DUPLICATE);
    assert_int_equal(pvg_media_index_add(idx, &far, "e2", "reported_pending", "", 1), PVG_OK);
    assert_int_equal(pvg_media_index_add(idx, &h, "", "b", NULL, 1), PVG_EINVAL);
    assert_int_equal(pvg_media_index_add(idx, &h, "e3", "", NULL, 1), PVG_EINVAL);
    assert_int_equal(pvg_media_index_add(idx, &h, NULL, "b", NULL, 1), PVG_EINVAL);
    assert_int_equal(pvg_media_index_add(idx, NULL, "e3", "b", NULL, 1), PVG_EINVAL);
    assert_int_equal(pvg_media_index_add(NULL, &h, "e3", "b", NULL, 1), PVG_EINVAL);
    assert_int_equal(pvg_media_index_count(idx), 2);
    assert_int_equal(pvg_media_index_enabled_count(idx), 2);

    seen_t *s = calloc(1, sizeof *s);
    assert_int_equal(pvg_media_index_query(idx, &h, 31, NULL, collect, s), PVG_OK);
    assert_int_equal(s->n, 1);
    assert_string_equal(s->ids[0], "e1");
    assert_int_equal(s->dist[0], 0);
    /* bank filter: e1 is not in reported_pending; an unknown bank has nothing */
    s->n = 0;
    assert_int_equal(pvg_media_index_query(idx, &h, 31, "reported_pending", collect, s), PVG_OK);
    assert_int_equal(s->n, 0);
    assert_int_equal(pvg_media_index_query(idx, &h, 31, "nope", collect, s), PVG_OK);
    assert_int_equal(s->n, 0);
    /* disable and enable again */
    assert_int_equal(pvg_media_index_set_enabled(idx, "e1", 0), PVG_OK);
    assert_int_equal(pvg_media_index_set_enabled(idx, "e1", 0), PVG_OK);
    assert_int_equal(pvg_media_index_enabled_count(idx), 1);
    assert_int_equal(pvg_media_index_query(idx, &h, 31, NULL, collect, s), PVG_OK);
    assert_int_equal(s->n, 0);
    assert_int_equal(pvg_media_index_set_enabled(idx, "e1", 1), PVG_OK);
    assert_int_equal(pvg_media_index_set_enabled(idx, "missing", 1), PVG_ENOTFOUND);
    assert_int_equal(pvg_media_index_set_enabled(idx, NULL, 1), PVG_EINVAL);
    assert_int_equal(pvg_media_index_query(idx, &h, 31, NULL, collect, s), PVG_OK);
    assert_int_equal(s->n, 1);
    /* the whole range matches both; the callback can stop */
    int calls = 0;
    assert_int_equal(pvg_media_index_query(idx, &h, 256, NULL, stop_at_first, &calls),
                     PVG_ESTOPPED);
    assert_int_equal(calls, 1);
    assert_int_equal(pvg_media_index_query(idx, &h, 257, NULL, collect, s), PVG_EINVAL);
    assert_int_equal(pvg_media_index_query(idx, &h, -1, NULL, collect, s), PVG_EINVAL);
    assert_int_equal(pvg_media_index_query(idx, NULL, 31, NULL, collect, s), PVG_EINVAL);
    assert_int_equal(pvg_media_index_query(idx, &h, 31, NULL, NULL, s), PVG_EINVAL);
    free(s);
    pvg_media_index_free(idx);
    pvg_media_index_free(NULL);
    assert_int_equal(pvg_media_index_new(NULL), PVG_EINVAL);
}

static pvg_pdq_result_t result_of(pvg_pdq_hash_t h, int quality)
{
    pvg_pdq_result_t r;
    memset(&r, 0, sizeof r);
    r.hash = h;
    r.quality = quality;
    for (int v = 0; v < PVG_DIH_COUNT; v++)
        r.dihedral[v] = v ? flip_bits(h, 128) : h;
    return r;
}

static void test_match_rules(void **state)
{
    (void)state;
    pvg_media_index_t *idx;
    assert_int_equal(pvg_media_index_new(&idx), PVG_OK);
    pvg_pdq_hash_t a = random_hash(), b = random_hash(), c = random_hash();
    assert_int_equal(pvg_media_index_add(idx, &a, "A", "confirmed_private_media", "c1", 1), PVG_OK);
    assert_int_equal(pvg_media_index_add(idx, &b, "B", "confirmed_private_media", "c2", 1), PVG_OK);

    /* image: near a matches; low quality does not; a rotated form matches */
    pvg_media_matches_t *m;
    pvg_pdq_result_t r = result_of(flip_bits(a, 20), 80);
    assert_int_equal(pvg_media_match_image(idx, &r, NULL, &m), PVG_OK);
    assert_int_equal(m->matched, 1);
    assert_int_equal(m->n, 1);
    assert_string_equal(m->items[0].hit.entry_id, "A");
    assert_string_equal(m->items[0].hit.case_id, "c1");
    assert_int_equal(m->items[0].hit.distance, 20);
    assert_int_equal(m->items[0].variant, PVG_DIH_ORIGINAL);
    pvg_media_matches_free(m);
    r.quality = 49;
    assert_int_equal(pvg_media_match_image(idx, &r, NULL, &m), PVG_OK);
    assert_int_equal(m->matched, 0);
    assert_int_equal(m->frames_considered, 0);
    pvg_media_matches_free(m);
    r = result_of(c, 100);
    r.dihedral[PVG_DIH_ROTATE_90] = flip_bits(b, 3);
    assert_int_equal(pvg_media_match_image(idx, &r, NULL, &m), PVG_OK);
    assert_int_equal(m->matched, 1);
    assert_int_equal(m->items[0].variant, PVG_DIH_ROTATE_90);
    pvg_media_matches_free(m);
    pvg_media_match_opts_t o;
    pvg_media_match_opts_default(&o);
    o.dihedral = 0;
    assert_int_equal(pvg_media_match_image(idx, &r, &o, &m), PVG_OK);
    assert_int_equal(m->matched, 0);
    pvg_media_matches_free(m);
    /* a tighter threshold */
    r = result_of(flip_bits(a, 20), 80);
    o.max_distance = 10;
    assert_int_equal(pvg_media_match_image(idx, &r, &o, &m), PVG_OK);
    assert_int_equal(m->matched, 0);
    pvg_media_matches_free(m);

    /* video: 5 frames, 1 low quality, 1 matching A: one good match is not
     * enough (K = 2); two are */
    pvg_media_frame_t fr[5];
    memset(fr, 0, sizeof fr);
    for (int i = 0; i < 5; i++) {
        fr[i].t = i;
        fr[i].pdq = result_of(random_hash(), 90);
    }
    fr[1].pdq = result_of(flip_bits(a, 5), 90);
    fr[4].pdq.quality = 10;
    pvg_media_video_t v;
    memset(&v, 0, sizeof v);
    v.frames = fr;
    v.n_frames = 5;
    assert_int_equal(pvg_media_match_video(idx, &v, NULL, &m), PVG_OK);
    assert_int_equal(m->frames_considered, 4);
    assert_int_equal(m->frames_matched, 1);
    assert_int_equal(m->matched, 0);
    pvg_media_matches_free(m);
    fr[3].pdq = result_of(flip_bits(a, 9), 90);
    fr[2].pdq = result_of(flip_bits(b, 1), 90);
    assert_int_equal(pvg_media_match_video(idx, &v, NULL, &m), PVG_OK);
    assert_int_equal(m->frames_matched, 3);
    assert_int_equal(m->matched, 1);
    assert_int_equal(m->n, 2);
    assert_string_equal(m->items[0].hit.entry_id, "A"); /* two frames, ranked first */
    assert_int_equal(m->items[0].frames, 2);
    assert_int_equal(m->items[0].hit.distance, 5);
    assert_true(m->items[0].first_t == 1.0);
    assert_string_equal(m->items[1].hit.entry_id, "B");
    pvg_media_matches_free(m);
    /* a video with one good frame matches on that frame */
    v.n_frames = 2;
    fr[0].pdq.quality = 10;
    assert_int_equal(pvg_media_match_video(idx, &v, NULL, &m), PVG_OK);
    assert_int_equal(m->matched, 1);
    pvg_media_matches_free(m);
    /* disabled entries never match */
    assert_int_equal(pvg_media_index_set_enabled(idx, "A", 0), PVG_OK);
    assert_int_equal(pvg_media_match_video(idx, &v, NULL, &m), PVG_OK);
    assert_int_equal(m->matched, 0);
    pvg_media_matches_free(m);
    assert_int_equal(pvg_media_match_video(idx, NULL, NULL, &m), PVG_EINVAL);
    assert_int_equal(pvg_media_match_image(NULL, &r, NULL, &m), PVG_EINVAL);
    assert_int_equal(pvg_media_match_image(idx, &r, NULL, NULL), PVG_EINVAL);
    pvg_media_index_free(idx);
}

typedef struct thr {
    pvg_media_index_t *idx;
    pvg_pdq_hash_t target;
    int found;
    int writer;
} thr_t;

static void *worker(void *arg)
{
    thr_t *t = arg;
    if (t->writer) {
        char id[32];
        for (int i = 0; i < 3000; i++) {
            pvg_pdq_hash_t h = {{(uint64_t)i * 0x9e3779b97f4a7c15ull, (uint64_t)i, ~(uint64_t)i,
                                 (uint64_t)i << 7}};
            snprintf(id, sizeof id, "w%d", i);
            if (pvg_media_index_add(t->idx, &h, id, "bank", NULL, 1) != PVG_OK)
                return NULL;
            if (i % 100 == 0 && pvg_media_index_set_enabled(t->idx, "target", i % 200 == 0) != PVG_OK)
                return NULL;
        }
        /* The loop leaves the target disabled; a reader the scheduler starts
         * only after the writer is done (a loaded machine) must still be
         * able to find it. */
        if (pvg_media_index_set_enabled(t->idx, "target", 1) != PVG_OK)
            return NULL;
    } else {
        seen_t *s = malloc(sizeof *s);
        for (int i = 0; i < 3000; i++) {
            s->n = 0;
            if (pvg_media_index_query(t->idx, &t->target, 31, NULL, collect, s) == PVG_OK)
                t->found += (int)s->n;
        }
        free(s);
    }
    return NULL;
}

static void test_concurrent_queries_and_adds(void **state)
{
    (void)state;
    pvg_media_index_t *idx;
    assert_int_equal(pvg_media_index_new(&idx), PVG_OK);
    pvg_pdq_hash_t target = random_hash();
    assert_int_equal(pvg_media_index_add(idx, &target, "target", "bank", NULL, 1), PVG_OK);
    thr_t t[3] = {{idx, target, 0, 1}, {idx, target, 0, 0}, {idx, target, 0, 0}};
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, &t[i]), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(pvg_media_index_count(idx), 3001);
    assert_true(t[1].found > 0 || t[2].found > 0);
    pvg_media_index_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mih_equals_linear_scan),
        cmocka_unit_test(test_entries),
        cmocka_unit_test(test_match_rules),
        cmocka_unit_test(test_concurrent_queries_and_adds),
    };
    return cmocka_run_group_tests_name("media_index", tests, NULL, NULL);
}
