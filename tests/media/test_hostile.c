/* SPDX-License-Identifier: MIT */
/*
 * test_hostile.c -- truncated, corrupted and oversized media get an error,
 * never a crash (run under ASan/UBSan in CI).
 *
 * Generated JPEG (baseline and with EXIF), PNG (plain and interlaced), WebP
 * and video files are cut at many lengths and have bytes flipped at
 * random; headers are patched to claim huge dimensions (decompression
 * bombs), which must be refused from the header. The fuzz drivers in
 * fuzz/media go further; this test runs in every build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media_test_util.h"

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

static int is_media_error(pvg_error_t rc)
{
    return rc == PVG_EMEDIA_TRUNCATED || rc == PVG_EMEDIA_CORRUPT ||
           rc == PVG_EMEDIA_UNSUPPORTED || rc == PVG_EMEDIA_DIMENSIONS ||
           rc == PVG_EMEDIA_NOFRAMES;
}

/* Cuts and flips an image file; every answer must be OK or a media error. */
static void torture_image(const uint8_t *file, size_t len, const char *what)
{
    uint8_t *copy = malloc(len);
    pvg_media_image_t img;
    /* cut at every length up to 600 bytes (headers), then in 97 steps */
    for (size_t cut = 0; cut < len; cut += cut < 600 ? 1 : len / 97 + 1) {
        memcpy(copy, file, cut);
        pvg_error_t rc = pvg_media_hash_image(copy, cut, NULL, &img);
        if (rc != PVG_OK && !is_media_error(rc))
            fail_msg("%s cut at %zu: unexpected %s", what, cut, pvg_media_strerror(rc));
    }
    /* cut in the middle of the pixel data: an error, not a grey image */
    pvg_error_t rc = pvg_media_hash_image(file, len / 2, NULL, &img);
    printf("  %-16s cut at half: %s\n", what, pvg_media_strerror(rc));
    assert_true(rc == PVG_EMEDIA_TRUNCATED || rc == PVG_EMEDIA_CORRUPT);
    /* random byte flips */
    int ok = 0, err = 0;
    for (int i = 0; i < 300; i++) {
        memcpy(copy, file, len);
        int flips = 1 + (int)(rnd() % 8);
        for (int f = 0; f < flips; f++)
            copy[rnd() % len] ^= (uint8_t)(1 + rnd() % 255);
        rc = pvg_media_hash_image(copy, len, NULL, &img);
        if (rc == PVG_OK)
            ok++;
        else if (is_media_error(rc))
            err++;
        else
            fail_msg("%s flipped: unexpected %s", what, pvg_media_strerror(rc));
    }
    printf("  %-16s 300 corrupted copies: %d hashed, %d refused\n", what, ok, err);
    free(copy);
}

static void test_images_cut_and_flipped(void **state)
{
    (void)state;
    uint8_t *rgb = mt_make_rgb(96, 64, 4);
    size_t len;
    uint8_t *f = mt_encode_jpeg(rgb, 96, 64, 90, 6, &len);
    torture_image(f, len, "jpeg+exif");
    free(f);
    f = mt_encode_png(rgb, 96, 64, 0, &len);
    torture_image(f, len, "png");
    free(f);
    f = mt_encode_png(rgb, 96, 64, 1, &len);
    torture_image(f, len, "png interlaced");
    free(f);
    f = mt_encode_webp(rgb, 96, 64, &len);
    torture_image(f, len, "webp");
    free(f);
    free(rgb);
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void test_decompression_bombs(void **state)
{
    (void)state;
    uint8_t *rgb = mt_make_rgb(64, 48, 9);
    size_t len;
    pvg_media_image_t img;
    /* PNG claiming 100000 x 100000: IHDR patched, CRC fixed */
    uint8_t *png = mt_encode_png(rgb, 64, 48, 0, &len);
    put_be32(png + 16, 100000);
    put_be32(png + 20, 100000);
    put_be32(png + 29, crc32_of(png + 12, 17));
    assert_int_equal(pvg_media_hash_image(png, len, NULL, &img), PVG_EMEDIA_DIMENSIONS);
    /* 16000 x 16000 passes the side limit but not the pixel limit */
    put_be32(png + 16, 16000);
    put_be32(png + 20, 16000);
    put_be32(png + 29, crc32_of(png + 12, 17));
    assert_int_equal(pvg_media_hash_image(png, len, NULL, &img), PVG_EMEDIA_DIMENSIONS);
    free(png);
    /* JPEG whose SOF claims 60000 x 60000 */
    uint8_t *jpg = mt_encode_jpeg(rgb, 64, 48, 90, -1, &len);
    size_t sof = 0;
    for (size_t i = 2; i + 9 < len; i++)
        if (jpg[i] == 0xff && jpg[i + 1] == 0xc0) {
            sof = i;
            break;
        }
    assert_true(sof > 0);
    jpg[sof + 5] = 0xea;
    jpg[sof + 6] = 0x60; /* height 60000 */
    jpg[sof + 7] = 0xea;
    jpg[sof + 8] = 0x60; /* width 60000 */
    assert_int_equal(pvg_media_hash_image(jpg, len, NULL, &img), PVG_EMEDIA_DIMENSIONS);
    free(jpg);
    /* the caller's own limits */
    jpg = mt_encode_jpeg(rgb, 64, 48, 90, -1, &len);
    pvg_media_limits_t lim;
    pvg_media_limits_default(&lim);
    lim.max_pixels = 64 * 48 - 1;
    assert_int_equal(pvg_media_hash_image(jpg, len, &lim, &img), PVG_EMEDIA_DIMENSIONS);
    pvg_media_limits_default(&lim);
    lim.max_height = 47;
    assert_int_equal(pvg_media_hash_image(jpg, len, &lim, &img), PVG_EMEDIA_DIMENSIONS);
    pvg_media_limits_default(&lim);
    lim.max_bytes = len - 1;
    assert_int_equal(pvg_media_hash_image(jpg, len, &lim, &img), PVG_ETOOBIG);
    lim.max_bytes = len;
    assert_int_equal(pvg_media_hash_image(jpg, len, &lim, &img), PVG_OK);
    free(jpg);
    free(rgb);
}

static void test_not_media(void **state)
{
    (void)state;
    pvg_media_image_t img;
    static const struct {
        const char *data;
        size_t len;
        pvg_error_t want;
    } cases[] = {
        {"", 0, PVG_EMEDIA_UNSUPPORTED},
        {"hello world, not an image", 25, PVG_EMEDIA_UNSUPPORTED},
        {"GIF89a\x01\x00\x01\x00", 10, PVG_EMEDIA_UNSUPPORTED},
        {"\xff\xd8\xff", 3, PVG_EMEDIA_UNSUPPORTED},       /* too short to sniff */
        {"\xff\xd8\xff\xe0", 4, PVG_EMEDIA_TRUNCATED},
        {"\x89PNG\r\n\x1a\n", 8, PVG_EMEDIA_TRUNCATED},
        {"RIFF\x04\x00\x00\x00WEBP", 12, PVG_EMEDIA_CORRUPT}, /* RIFF size too small */
        {"RIFF\x40\x00\x00\x00WEBPVP8 ", 16, PVG_EMEDIA_TRUNCATED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pvg_error_t rc = pvg_media_hash_image(cases[i].data, cases[i].len, NULL, &img);
        if (rc != cases[i].want)
            fail_msg("case %zu: got %s, want %s", i, pvg_media_strerror(rc),
                     pvg_media_strerror(cases[i].want));
    }
    assert_int_equal(pvg_media_hash_image(NULL, 0, NULL, &img), PVG_EMEDIA_UNSUPPORTED);
    assert_int_equal(pvg_media_hash_image(NULL, 4, NULL, &img), PVG_EINVAL);
    assert_int_equal(pvg_media_hash_image("abcd", 4, NULL, NULL), PVG_EINVAL);
    pvg_media_video_t *v;
    assert_int_equal(pvg_media_hash_video("\x1a\x45\xdf\xa3", 4, NULL, &v) < 0, 1);
    assert_null(v);
    /* a Matroska header followed by garbage */
    uint8_t junk[4096];
    memcpy(junk, "\x1a\x45\xdf\xa3", 4);
    for (size_t i = 4; i < sizeof junk; i++)
        junk[i] = (uint8_t)rnd();
    pvg_error_t rc = pvg_media_hash_video(junk, sizeof junk, NULL, &v);
    assert_true(is_media_error(rc));
    assert_null(v);
}

static void test_video_cut_and_flipped(void **state)
{
    (void)state;
    const uint8_t *frames[3];
    int w[3] = {128, 128, 128}, h[3] = {96, 96, 96};
    uint8_t *rgb[3];
    for (int i = 0; i < 3; i++)
        frames[i] = rgb[i] = mt_make_rgb(128, 96, 20 + (unsigned)i);
    static const char *const kinds[][2] = {{"mpeg4", "matroska"}, {"mjpeg", "mov"}};
    for (size_t k = 0; k < 2; k++) {
        size_t len;
        int missing;
        uint8_t *vid = mt_encode_video(frames, w, h, 3, 128, 96, 4, 4, kinds[k][0], kinds[k][1],
                                       &len, &missing);
        assert_non_null(vid);
        uint8_t *copy = malloc(len);
        int ok = 0, err = 0;
        for (int i = 0; i < 120; i++) {
            size_t n = len;
            memcpy(copy, vid, len);
            if (i % 2 == 0) {
                n = rnd() % len;
            } else {
                int flips = 1 + (int)(rnd() % 16);
                for (int f = 0; f < flips; f++)
                    copy[rnd() % len] ^= (uint8_t)(1 + rnd() % 255);
            }
            pvg_media_video_t *v = NULL;
            pvg_error_t rc = pvg_media_hash_video(copy, n, NULL, &v);
            if (rc == PVG_OK) {
                ok++;
                assert_non_null(v);
                for (size_t f = 0; f < v->n_frames; f++)
                    assert_true(v->frames[f].pdq.quality >= 0 && v->frames[f].pdq.quality <= 100);
            } else if (is_media_error(rc)) {
                err++;
                assert_null(v);
            } else {
                fail_msg("%s video: unexpected %s", kinds[k][0], pvg_media_strerror(rc));
            }
            pvg_media_video_free(v);
        }
        printf("  %s/%s: 120 cut or corrupted copies: %d hashed, %d refused\n", kinds[k][0],
               kinds[k][1], ok, err);
        free(copy);
        free(vid);
    }
    for (int i = 0; i < 3; i++)
        free(rgb[i]);
}

int main(void)
{
    pvg_media_silence_libav();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_images_cut_and_flipped),
        cmocka_unit_test(test_decompression_bombs),
        cmocka_unit_test(test_not_media),
        cmocka_unit_test(test_video_cut_and_flipped),
    };
    return cmocka_run_group_tests_name("media_hostile", tests, NULL, NULL);
}
