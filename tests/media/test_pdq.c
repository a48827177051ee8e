/* SPDX-License-Identifier: MIT */
/*
 * test_pdq.c -- PDQ hashing against Meta's expected hashes and behaviour.
 *
 * Data-driven from the shared corpus (expected.jsonl): every image must hash
 * within distance 16 of the hash Meta's tests expect; the bridge-mods
 * near-duplicates must match the original at the default threshold, the
 * unrelated images must not match each other; the dihedral forms computed
 * from one photo's coefficients must match the photo's rotated and flipped
 * files. Generated images check the EXIF orientations (including the
 * invalid 0), PNG (plain and interlaced) and WebP decoding, hex parsing and
 * the quality score.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media_test_util.h"

static pvg_error_t hash_corpus(const char *rel, pvg_media_image_t *img)
{
    size_t len = 0;
    uint8_t *buf = mt_read_corpus(rel, &len);
    if (!buf) {
        fail_msg("cannot read corpus file '%s' (is PVG_SHARED set?)", rel);
        return PVG_EINVAL;
    }
    pvg_error_t rc = pvg_media_hash_image(buf, len, NULL, img);
    free(buf);
    return rc;
}

static void test_expected_hashes(void **state)
{
    (void)state;
    mt_expected_t *ex = NULL;
    size_t n = mt_load_expected(&ex);
    assert_true(n >= 18);
    int worst = 0;
    for (size_t i = 0; i < n; i++) {
        pvg_media_image_t img;
        pvg_error_t rc = hash_corpus(ex[i].file, &img);
        if (rc != PVG_OK)
            fail_msg("'%s': %s", ex[i].file, pvg_media_strerror(rc));
        pvg_pdq_hash_t want;
        assert_int_equal(pvg_pdq_from_hex(ex[i].pdq, strlen(ex[i].pdq), &want), PVG_OK);
        int d = pvg_pdq_distance(&img.pdq.hash, &want);
        char hex[PVG_PDQ_HEX_LEN + 1];
        pvg_pdq_to_hex(&img.pdq.hash, hex);
        printf("  %-55s d=%3d q=%3d %ux%u o=%d\n", ex[i].file, d, img.pdq.quality, img.width,
               img.height, img.orientation);
        if (d > 16)
            fail_msg("'%s': distance %d to Meta's hash (%s vs %s)", ex[i].file, d, hex,
                     ex[i].pdq);
        if (d > worst)
            worst = d;
    }
    printf("  worst distance to Meta's expected hashes: %d over %zu images\n", worst, n);
    free(ex);
}

static const char *const bridge_mods[] = {
    "blur-a-little", "blur-a-lot", "high-contrast", "high-saturation", "sharpen-a-little",
    "sharpen-a-lot", "shrink-a-little", "shrink-a-lot", "square-128x128", "square-256x256",
    "square-512x512"};

static void test_bridge_mods_match(void **state)
{
    (void)state;
    pvg_media_image_t orig;
    assert_int_equal(hash_corpus("images/bridge-mods__aaa-orig.jpg", &orig), PVG_OK);
    for (size_t i = 0; i < sizeof bridge_mods / sizeof bridge_mods[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "images/bridge-mods__%s.jpg", bridge_mods[i]);
        pvg_media_image_t img;
        assert_int_equal(hash_corpus(rel, &img), PVG_OK);
        int d = pvg_pdq_distance(&orig.pdq.hash, &img.pdq.hash);
        printf("  %-20s d=%3d\n", bridge_mods[i], d);
        if (d > PVG_PDQ_DEFAULT_THRESHOLD)
            fail_msg("near-duplicate '%s' at distance %d from the original", rel, d);
    }
}

/* One image per unrelated group: none may match another. */
static const char *const unrelated[] = {
    "images/bridge-mods__aaa-orig.jpg",
    "images/misc-images__c.png",
    "images/misc-images__small.jpg",
    "images/misc-images__wee.jpg",
    "images/reg-test-input__labelme-subset__q0003.jpg",
    "images/reg-test-input__labelme-subset__q0004.jpg",
    "images/reg-test-input__labelme-subset__q0122.jpg",
    "images/reg-test-input__labelme-subset__q0291.jpg",
    "images/reg-test-input__labelme-subset__q0746.jpg",
    "images/reg-test-input__labelme-subset__q1050.jpg",
    "images/reg-test-input__labelme-subset__q2821.jpg"};
#define N_UNRELATED (sizeof unrelated / sizeof unrelated[0])

static void test_unrelated_do_not_match(void **state)
{
    (void)state;
    pvg_media_image_t img[N_UNRELATED];
    for (size_t i = 0; i < N_UNRELATED; i++)
        assert_int_equal(hash_corpus(unrelated[i], &img[i]), PVG_OK);
    int closest = 256;
    for (size_t i = 0; i < N_UNRELATED; i++)
        for (size_t j = i + 1; j < N_UNRELATED; j++)
            for (int v = 0; v < PVG_DIH_COUNT; v++) {
                int d = pvg_pdq_distance(&img[i].pdq.dihedral[v], &img[j].pdq.hash);
                if (d < closest)
                    closest = d;
                if (d <= PVG_PDQ_DEFAULT_THRESHOLD)
                    fail_msg("unrelated '%s' (form %s) and '%s' at distance %d", unrelated[i],
                             pvg_dihedral_name(v), unrelated[j], d);
            }
    printf("  closest unrelated pair, any form: %d\n", closest);
}

static const struct {
    const char *file;
    pvg_dihedral_t form;
} dih_files[] = {
    {"images/reg-test-input__dih__bridge-1-original.jpg", PVG_DIH_ORIGINAL},
    {"images/reg-test-input__dih__bridge-2-rotate-90.jpg", PVG_DIH_ROTATE_90},
    {"images/reg-test-input__dih__bridge-3-rotate-180.jpg", PVG_DIH_ROTATE_180},
    {"images/reg-test-input__dih__bridge-4-rotate-270.jpg", PVG_DIH_ROTATE_270},
    {"images/reg-test-input__dih__bridge-5-flipx.jpg", PVG_DIH_FLIP_X},
    {"images/reg-test-input__dih__bridge-6-flipy.jpg", PVG_DIH_FLIP_Y},
    {"images/reg-test-input__dih__bridge-7-flip-plus-1.jpg", PVG_DIH_FLIP_PLUS1},
    {"images/reg-test-input__dih__bridge-8-flip-minus-1.jpg", PVG_DIH_FLIP_MINUS1}};

static void test_dihedral_forms(void **state)
{
    (void)state;
    pvg_media_image_t orig;
    assert_int_equal(hash_corpus(dih_files[0].file, &orig), PVG_OK);
    for (size_t i = 0; i < 8; i++) {
        pvg_media_image_t img;
        assert_int_equal(hash_corpus(dih_files[i].file, &img), PVG_OK);
        int best = 256, best_v = -1;
        for (int v = 0; v < PVG_DIH_COUNT; v++) {
            int d = pvg_pdq_distance(&orig.pdq.dihedral[v], &img.pdq.hash);
            if (d < best) {
                best = d;
                best_v = v;
            }
        }
        int d = pvg_pdq_distance(&orig.pdq.dihedral[dih_files[i].form], &img.pdq.hash);
        printf("  %-52s form %-11s d=%3d (best %s)\n", dih_files[i].file,
               pvg_dihedral_name(dih_files[i].form), d, pvg_dihedral_name(best_v));
        if (d > 16)
            fail_msg("'%s': computed form %s at distance %d", dih_files[i].file,
                     pvg_dihedral_name(dih_files[i].form), d);
        assert_int_equal(best_v, dih_files[i].form);
        /* Without the forms, a rotated photo is a different photo. */
        if (dih_files[i].form != PVG_DIH_ORIGINAL)
            assert_true(pvg_pdq_distance(&orig.pdq.hash, &img.pdq.hash) >
                        PVG_PDQ_DEFAULT_THRESHOLD);
    }
}

static void test_hex(void **state)
{
    (void)state;
    const char *hex = "d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22";
    pvg_pdq_hash_t h;
    assert_int_equal(pvg_pdq_from_hex(hex, 64, &h), PVG_OK);
    char back[PVG_PDQ_HEX_LEN + 1];
    pvg_pdq_to_hex(&h, back);
    assert_string_equal(back, hex);
    /* the first digit is the top nibble: bits 255..252 */
    assert_int_equal((int)(h.w[3] >> 60), 0xd);
    assert_int_equal((int)(h.w[0] & 0xf), 0x2);
    pvg_pdq_hash_t u;
    assert_int_equal(pvg_pdq_from_hex("D8F8F0CCE0F4A84F0E370A22028F67F0B36E2ED596623E1D33E6B39C4E9C9B22",
                                      64, &u), PVG_OK);
    assert_int_equal(pvg_pdq_distance(&h, &u), 0);
    static const struct {
        const char *s;
        size_t len;
    } bad[] = {{"", 0}, {"abc", 3}, {"d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b2", 63},
               {"d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22a", 65},
               {"g8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22", 64},
               {"d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b2 ", 64}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(pvg_pdq_from_hex(bad[i].s, bad[i].len, &u), PVG_EMEDIA_BADHASH);
        assert_int_equal(pvg_pdq_distance(&u, &(pvg_pdq_hash_t){{0, 0, 0, 0}}), 0);
    }
    assert_int_equal(pvg_pdq_from_hex(NULL, 64, &u), PVG_EMEDIA_BADHASH);
    assert_int_equal(pvg_pdq_from_hex(hex, 64, NULL), PVG_EINVAL);
    pvg_pdq_hash_t z = {{0, 0, 0, 0}}, o = {{~0ull, ~0ull, ~0ull, ~0ull}};
    assert_int_equal(pvg_pdq_distance(&z, &o), 256);
}

/* EXIF orientation: a picture stored transformed with the tag that undoes
 * it must hash like the picture stored plainly; 0 and 9 count as 1. */
static void test_exif_orientation(void **state)
{
    (void)state;
    const int w = 320, h = 200;
    uint8_t *rgb = mt_make_rgb(w, h, 7);
    assert_non_null(rgb);
    size_t len;
    uint8_t *plain = mt_encode_jpeg(rgb, w, h, 92, -1, &len);
    pvg_media_image_t ref;
    assert_int_equal(pvg_media_hash_image(plain, len, NULL, &ref), PVG_OK);
    free(plain);
    assert_int_equal(ref.orientation, 1);
    assert_true(ref.pdq.quality >= 50);
    for (int o = 0; o <= 9; o++) {
        int sw, sh;
        int effective = (o >= 1 && o <= 8) ? o : 1;
        uint8_t *stored = mt_unorient(rgb, w, h, effective, &sw, &sh);
        uint8_t *jpg = mt_encode_jpeg(stored, sw, sh, 92, o, &len);
        pvg_media_image_t img;
        assert_int_equal(pvg_media_hash_image(jpg, len, NULL, &img), PVG_OK);
        int d = pvg_pdq_distance(&ref.pdq.hash, &img.pdq.hash);
        printf("  orientation %d: d=%d, %ux%u\n", o, d, img.width, img.height);
        assert_int_equal(img.orientation, effective);
        assert_int_equal(img.width, (uint32_t)w);
        assert_int_equal(img.height, (uint32_t)h);
        assert_true(d <= 8);
        free(stored);
        free(jpg);
    }
    free(rgb);
}

static void test_png_webp_rgb_agree(void **state)
{
    (void)state;
    const int w = 300, h = 240;
    uint8_t *rgb = mt_make_rgb(w, h, 11);
    pvg_pdq_result_t direct;
    assert_int_equal(pvg_pdq_hash_rgb(rgb, w, h, (size_t)w * 3, 3, &direct), PVG_OK);
    size_t len;
    uint8_t *png = mt_encode_png(rgb, w, h, 0, &len);
    pvg_media_image_t img;
    assert_int_equal(pvg_media_hash_image(png, len, NULL, &img), PVG_OK);
    assert_int_equal(img.format, PVG_MEDIA_PNG);
    /* PNG is lossless: the same hash exactly */
    assert_int_equal(pvg_pdq_distance(&direct.hash, &img.pdq.hash), 0);
    assert_int_equal(direct.quality, img.pdq.quality);
    free(png);
    png = mt_encode_png(rgb, w, h, 1, &len);
    assert_int_equal(pvg_media_hash_image(png, len, NULL, &img), PVG_OK);
    assert_int_equal(pvg_pdq_distance(&direct.hash, &img.pdq.hash), 0);
    free(png);
    uint8_t *webp = mt_encode_webp(rgb, w, h, &len);
    assert_non_null(webp);
    assert_int_equal(pvg_media_hash_image(webp, len, NULL, &img), PVG_OK);
    assert_int_equal(img.format, PVG_MEDIA_WEBP);
    assert_int_equal(img.width, (uint32_t)w);
    printf("  webp d=%d\n", pvg_pdq_distance(&direct.hash, &img.pdq.hash));
    assert_true(pvg_pdq_distance(&direct.hash, &img.pdq.hash) <= 16);
    free(webp);
    free(rgb);
}

/* A large picture goes through the reducing sink and JPEG scaling: its
 * hash must stay close to that of the same picture at normal size. */
static void test_large_image_reduced(void **state)
{
    (void)state;
    const int w = 4800, h = 3000;
    uint8_t *big = mt_make_rgb(w, h, 5);
    assert_non_null(big);
    pvg_pdq_result_t direct;
    assert_int_equal(pvg_pdq_hash_rgb(big, w, h, (size_t)w * 3, 3, &direct), PVG_OK);
    size_t len;
    uint8_t *jpg = mt_encode_jpeg(big, w, h, 85, -1, &len);
    pvg_media_image_t img;
    assert_int_equal(pvg_media_hash_image(jpg, len, NULL, &img), PVG_OK);
    int d = pvg_pdq_distance(&direct.hash, &img.pdq.hash);
    printf("  4800x3000 jpeg vs full-size hash: d=%d (%ux%u hashed)\n", d, img.width,
           img.height);
    assert_true(d <= 16);
    free(jpg);
    uint8_t *png = mt_encode_png(big, w, h, 0, &len);
    assert_int_equal(pvg_media_hash_image(png, len, NULL, &img), PVG_OK);
    d = pvg_pdq_distance(&direct.hash, &img.pdq.hash);
    printf("  4800x3000 png vs full-size hash: d=%d\n", d);
    assert_true(d <= 16);
    free(png);
    free(big);
}

static void test_quality(void **state)
{
    (void)state;
    /* a flat picture says nothing: quality 0 */
    uint8_t flat[64 * 64 * 3];
    memset(flat, 128, sizeof flat);
    pvg_pdq_result_t r;
    assert_int_equal(pvg_pdq_hash_rgb(flat, 64, 64, 64 * 3, 3, &r), PVG_OK);
    assert_int_equal(r.quality, 0);
    /* a busy one is of full quality */
    uint8_t *busy = mt_make_rgb(256, 256, 3);
    assert_int_equal(pvg_pdq_hash_rgb(busy, 256, 256, 256 * 3, 3, &r), PVG_OK);
    assert_true(r.quality >= 50 && r.quality <= 100);
    free(busy);
    /* a 1x1 image still hashes */
    uint8_t one[4] = {10, 20, 30, 0};
    assert_int_equal(pvg_pdq_hash_rgb(one, 1, 1, 4, 4, &r), PVG_OK);
    assert_int_equal(pvg_pdq_hash_rgb(one, 0, 1, 4, 4, &r), PVG_EINVAL);
    assert_int_equal(pvg_pdq_hash_rgb(one, 1, 1, 2, 4, &r), PVG_EINVAL);
    assert_int_equal(pvg_pdq_hash_rgb(one, 1, 1, 4, 2, &r), PVG_EINVAL);
    assert_int_equal(pvg_pdq_hash_luma(NULL, 1, 1, &r), PVG_EINVAL);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(pvg_dihedral_name(PVG_DIH_ROTATE_90), "rotate_90");
    assert_null(pvg_dihedral_name(8));
    assert_null(pvg_dihedral_name(-1));
    assert_string_equal(pvg_media_format_name(PVG_MEDIA_WEBP), "webp");
    assert_string_equal(pvg_media_format_name(99), "unknown");
    for (int e = 0; e >= -70; e--)
        assert_non_null(pvg_media_strerror(e));
    assert_string_equal(pvg_media_strerror(PVG_EMEDIA_TRUNCATED), "truncated media data");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_hashes),
        cmocka_unit_test(test_bridge_mods_match),
        cmocka_unit_test(test_unrelated_do_not_match),
        cmocka_unit_test(test_dihedral_forms),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_exif_orientation),
        cmocka_unit_test(test_png_webp_rgb_agree),
        cmocka_unit_test(test_large_image_reduced),
        cmocka_unit_test(test_quality),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("media_pdq", tests, NULL, NULL);
}
