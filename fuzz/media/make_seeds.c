/* SPDX-License-Identifier: MIT */
/*
 * make_seeds.c -- writes the committed seed corpus of the media fuzzers
 * (seeds/image, seeds/video) from generated pictures: small JPEGs (plain,
 * with EXIF orientations 6 and 0), PNGs (plain, interlaced), a WebP, and
 * short videos (MPEG-4 in Matroska and MP4, MJPEG in QuickTime, FFV1 in
 * Matroska). Run it from this folder: ./make_seeds seeds
 */
#include <stdio.h>
#include <stdlib.h>

#include "media_test_util.h"

static int put(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || !p || fwrite(p, 1, n, f) != n) {
        fprintf(stderr, "make_seeds: cannot write '%s'\n", path);
        if (f)
            fclose(f);
        return 1;
    }
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    char img[1024], vid[1024];
    snprintf(img, sizeof img, "%s/image", argv[1]);
    snprintf(vid, sizeof vid, "%s/video", argv[1]);
    uint8_t *rgb = mt_make_rgb(48, 32, 1);
    size_t n;
    int bad = 0;
    uint8_t *p = mt_encode_jpeg(rgb, 48, 32, 80, -1, &n);
    bad |= put(img, "plain.jpg", p, n);
    free(p);
    p = mt_encode_jpeg(rgb, 48, 32, 80, 6, &n);
    bad |= put(img, "exif6.jpg", p, n);
    free(p);
    p = mt_encode_jpeg(rgb, 48, 32, 80, 0, &n);
    bad |= put(img, "exif0.jpg", p, n);
    free(p);
    p = mt_encode_png(rgb, 48, 32, 0, &n);
    bad |= put(img, "plain.png", p, n);
    free(p);
    p = mt_encode_png(rgb, 48, 32, 1, &n);
    bad |= put(img, "adam7.png", p, n);
    free(p);
    p = mt_encode_webp(rgb, 48, 32, &n);
    bad |= put(img, "lossy.webp", p, n);
    free(p);
    const uint8_t *frames[3];
    uint8_t *f[3];
    int w[3] = {48, 48, 48}, h[3] = {32, 32, 32};
    for (int i = 0; i < 3; i++)
        frames[i] = f[i] = mt_make_rgb(48, 32, 10 + (unsigned)i);
    static const char *const kinds[][3] = {{"mpeg4", "matroska", "mpeg4.mkv"},
                                           {"mpeg4", "mp4", "mpeg4.mp4"},
                                           {"mjpeg", "mov", "mjpeg.mov"},
                                           {"ffv1", "matroska", "ffv1.mkv"}};
    for (int k = 0; k < 4; k++) {
        int missing;
        p = mt_encode_video(frames, w, h, 3, 48, 32, 2, 2, kinds[k][0], kinds[k][1], &n,
                            &missing);
        bad |= put(vid, kinds[k][2], p, n);
        free(p);
    }
    for (int i = 0; i < 3; i++)
        free(f[i]);
    free(rgb);
    return bad ? 1 : 0;
}
