/* SPDX-License-Identifier: MIT */
/*
 * test_video.c -- video hashing and matching on videos generated here.
 *
 * The test encodes Meta's PDQ test photos as the frames of a video with
 * libavcodec (several encoder/container pairs that Debian's libavcodec
 * provides: MPEG-4 part 2 in Matroska and MP4, MJPEG in QuickTime, FFV1 in
 * Matroska, H.264 when libx264 is present), at 256x256 (the labelme
 * photos' own size; squeezing the sea photo q0122 to 4:3 moves its fragile
 * hash by 50 bits even without compression), hashes it, and checks the sampling (one frame per second, plus
 * scene changes), that every sampled frame of a photo of quality >= 50 lies
 * within the match threshold of its photo (two corpus photos are nearly
 * flat, quality < 10, and one has quality 0: their hashes are noise, which
 * is what the quality floor is for), that the video matches a bank of the photos' hashes under
 * the video rule, and that it matches no bank of unrelated hashes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media_test_util.h"

static const char *const photos[] = {
    "images/reg-test-input__labelme-subset__q0003.jpg",
    "images/reg-test-input__labelme-subset__q0004.jpg",
    "images/reg-test-input__labelme-subset__q0122.jpg",
    "images/reg-test-input__labelme-subset__q0291.jpg",
    "images/reg-test-input__labelme-subset__q0746.jpg",
    "images/reg-test-input__labelme-subset__q1050.jpg",
    "images/reg-test-input__labelme-subset__q2821.jpg",
    "images/bridge-mods__aaa-orig.jpg",
    "images/misc-images__small.jpg"};
#define N_PHOTOS ((int)(sizeof photos / sizeof photos[0]))

typedef struct fixture {
    uint8_t *rgb[N_PHOTOS];
    int w[N_PHOTOS], h[N_PHOTOS];
    pvg_media_image_t img[N_PHOTOS];
    pvg_media_index_t *bank;
} fixture_t;

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx || pvg_media_index_new(&fx->bank) != PVG_OK)
        return -1;
    for (int i = 0; i < N_PHOTOS; i++) {
        size_t len;
        uint8_t *buf = mt_read_corpus(photos[i], &len);
        if (!buf) {
            fprintf(stderr, "cannot read corpus file '%s' (is PVG_SHARED set?)\n", photos[i]);
            return -1;
        }
        fx->rgb[i] = mt_decode_jpeg(buf, len, &fx->w[i], &fx->h[i]);
        if (!fx->rgb[i] || pvg_media_hash_image(buf, len, NULL, &fx->img[i]) != PVG_OK)
            return -1;
        free(buf);
        char id[16], cs[16];
        snprintf(id, sizeof id, "photo-%d", i);
        snprintf(cs, sizeof cs, "case-%d", 100 + i);
        if (pvg_media_index_add(fx->bank, &fx->img[i].pdq.hash, id, "confirmed_private_media", cs,
                                1) != PVG_OK)
            return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    for (int i = 0; i < N_PHOTOS; i++)
        free(fx->rgb[i]);
    pvg_media_index_free(fx->bank);
    free(fx);
    return 0;
}

static const struct {
    const char *encoder, *muxer;
    int required; /* Debian's libavcodec always has these */
} codecs[] = {
    {"mpeg4", "matroska", 1},
    {"mpeg4", "mp4", 1},
    {"mjpeg", "mov", 1},
    {"ffv1", "matroska", 1},
    {"libx264", "mp4", 0},
};

static void check_video(fixture_t *fx, const uint8_t *vid, size_t len, int expect_frames,
                        const char *what)
{
    pvg_media_video_t *v = NULL;
    pvg_error_t rc = pvg_media_hash_video(vid, len, NULL, &v);
    if (rc != PVG_OK)
        fail_msg("%s: %s", what, pvg_media_strerror(rc));
    printf("  %-16s %zu bytes, %s/%s %ux%u, %.2f s, %zu frames sampled\n", what, len,
           v->container, v->codec, v->width, v->height, v->duration, v->n_frames);
    int worst = 0;
    for (size_t i = 0; i < v->n_frames; i++) {
        int photo = (int)(v->frames[i].t + 1e-6) % N_PHOTOS;
        int d = pvg_pdq_distance(&v->frames[i].pdq.hash, &fx->img[photo].pdq.hash);
        printf("    t=%5.2f scene=%d q=%3d d=%3d to photo %d\n", v->frames[i].t,
               v->frames[i].scene_change, v->frames[i].pdq.quality, d, photo);
        if (fx->img[photo].pdq.quality >= PVG_PDQ_MIN_QUALITY)
            worst = d > worst ? d : worst;
    }
    assert_int_equal(v->n_frames, (size_t)expect_frames);
    assert_int_equal(v->truncated, 0);
    printf("    worst distance, photos of quality >= 50: %d\n", worst);
    assert_true(worst <= PVG_PDQ_DEFAULT_THRESHOLD);
    pvg_media_matches_t *m;
    assert_int_equal(pvg_media_match_video(fx->bank, v, NULL, &m), PVG_OK);
    assert_int_equal(m->matched, 1);
    /* every photo of quality >= 50 is found */
    size_t good = 0;
    for (int i = 0; i < N_PHOTOS; i++)
        good += fx->img[i].pdq.quality >= PVG_PDQ_MIN_QUALITY;
    assert_true(m->n >= good);
    assert_string_equal(m->items[0].hit.bank, "confirmed_private_media");
    assert_int_equal(strncmp(m->items[0].hit.case_id, "case-1", 6), 0);
    pvg_media_matches_free(m);

    /* the same video against a bank of unrelated hashes does not match */
    pvg_media_index_t *other;
    assert_int_equal(pvg_media_index_new(&other), PVG_OK);
    uint64_t x = 0x1234567;
    for (int i = 0; i < 5000; i++) {
        pvg_pdq_hash_t h;
        for (int k = 0; k < 4; k++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            h.w[k] = x ^ (x >> 29);
        }
        char id[16];
        snprintf(id, sizeof id, "u%d", i);
        assert_int_equal(pvg_media_index_add(other, &h, id, "confirmed_private_media", NULL, 1),
                         PVG_OK);
    }
    assert_int_equal(pvg_media_match_video(other, v, NULL, &m), PVG_OK);
    assert_int_equal(m->matched, 0);
    assert_int_equal(m->frames_matched, 0);
    pvg_media_matches_free(m);
    pvg_media_index_free(other);
    pvg_media_video_free(v);
}

/* Each photo held for one second: one sample per second, which is also
 * where the scene changes; nothing else. */
static void test_photo_video_matches(void **state)
{
    fixture_t *fx = *state;
    const uint8_t *rgb[N_PHOTOS];
    for (int i = 0; i < N_PHOTOS; i++)
        rgb[i] = fx->rgb[i];
    for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++) {
        size_t len = 0;
        int missing = 0;
        uint8_t *vid = mt_encode_video(rgb, fx->w, fx->h, N_PHOTOS, 256, 256, 4, 4,
                                       codecs[c].encoder, codecs[c].muxer, &len, &missing);
        if (!vid) {
            if (codecs[c].required)
                fail_msg("cannot encode with %s in %s", codecs[c].encoder, codecs[c].muxer);
            printf("  %s/%s not available: skipped\n", codecs[c].encoder, codecs[c].muxer);
            continue;
        }
        assert_int_equal(pvg_media_sniff(vid, len), PVG_MEDIA_VIDEO);
        check_video(fx, vid, len, N_PHOTOS, codecs[c].encoder);
        free(vid);
    }
}

/* Photos changing every half second: the changes inside a second are
 * sampled as scene changes. */
static void test_scene_changes(void **state)
{
    fixture_t *fx = *state;
    const uint8_t *rgb[4] = {fx->rgb[2], fx->rgb[3], fx->rgb[4], fx->rgb[5]};
    size_t len = 0;
    int missing = 0;
    uint8_t *vid = mt_encode_video(rgb, fx->w + 2, fx->h + 2, 4, 256, 256, 4, 2, "mpeg4", "matroska",
                                   &len, &missing);
    assert_non_null(vid);
    pvg_media_video_t *v;
    assert_int_equal(pvg_media_hash_video(vid, len, NULL, &v), PVG_OK);
    assert_int_equal(v->n_frames, 4);
    static const double want_t[4] = {0.0, 0.5, 1.0, 1.5};
    for (int i = 0; i < 4; i++) {
        assert_true(v->frames[i].t > want_t[i] - 0.01 && v->frames[i].t < want_t[i] + 0.01);
        assert_int_equal(v->frames[i].scene_change, i > 0);
        assert_true(pvg_pdq_distance(&v->frames[i].pdq.hash, &fx->img[i + 2].pdq.hash) <=
                    PVG_PDQ_DEFAULT_THRESHOLD);
    }
    pvg_media_video_free(v);

    /* limits: at most 2 samples, and the result says it was cut */
    pvg_media_limits_t lim;
    pvg_media_limits_default(&lim);
    lim.max_video_samples = 2;
    assert_int_equal(pvg_media_hash_video(vid, len, &lim, &v), PVG_OK);
    assert_int_equal(v->n_frames, 2);
    assert_int_equal(v->truncated, 1);
    pvg_media_video_free(v);
    lim.max_video_samples = 1800;
    lim.max_width = 100;
    assert_int_equal(pvg_media_hash_video(vid, len, &lim, &v), PVG_EMEDIA_DIMENSIONS);
    assert_null(v);
    pvg_media_limits_default(&lim);
    lim.max_bytes = len - 1;
    assert_int_equal(pvg_media_hash_video(vid, len, &lim, &v), PVG_ETOOBIG);
    /* an image is not a video, and the other way round */
    assert_int_equal(pvg_media_hash_video("\xff\xd8\xff\xe0", 4, NULL, &v),
                     PVG_EMEDIA_UNSUPPORTED);
    pvg_media_image_t img;
    assert_int_equal(pvg_media_hash_image(vid, len, NULL, &img), PVG_EMEDIA_UNSUPPORTED);
    assert_int_equal(pvg_media_hash_video(NULL, 5, NULL, &v), PVG_EINVAL);
    assert_int_equal(pvg_media_hash_video(vid, len, NULL, NULL), PVG_EINVAL);
    free(vid);
}

int main(void)
{
    pvg_media_silence_libav();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_photo_video_matches),
        cmocka_unit_test(test_scene_changes),
    };
    return cmocka_run_group_tests_name("media_video", tests, setup, teardown);
}
