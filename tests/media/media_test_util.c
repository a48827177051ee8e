/* SPDX-License-Identifier: MIT */
/*
 * media_test_util.c -- helpers of the media tests (see media_test_util.h):
 * corpus access and encoders for generated test images. The EXIF block is
 * written by hand so that tests can store invalid orientations such as 0.
 */
#include "media_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/encode.h>

const char *mt_pdq_dir(void)
{
    static char dir[4096];
    const char *shared = getenv("PVG_SHARED");
    if (!shared || !*shared)
        return NULL;
    snprintf(dir, sizeof dir, "%s/corpus/pdq", shared);
    return dir;
}

uint8_t *mt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf)
        *len = n;
    return buf;
}

uint8_t *mt_read_corpus(const char *rel, size_t *len)
{
    const char *dir = mt_pdq_dir();
    if (!dir)
        return NULL;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return mt_read_file(path, len);
}

size_t mt_load_expected(mt_expected_t **out)
{
    *out = NULL;
    const char *dir = mt_pdq_dir();
    if (!dir)
        return 0;
    char path[8192];
    snprintf(path, sizeof path, "%s/expected.jsonl", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0, cap = 0;
    mt_expected_t *v = NULL;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        if (!o)
            continue;
        const char *file = json_string_value(json_object_get(o, "file"));
        const char *pdq = json_string_value(json_object_get(o, "pdq"));
        if (file && pdq && strlen(pdq) == PVG_PDQ_HEX_LEN && strlen(file) < 256) {
            if (n == cap) {
                cap = cap ? cap * 2 : 32;
                mt_expected_t *nv = realloc(v, cap * sizeof *nv);
                if (!nv) {
                    json_decref(o);
                    break;
                }
                v = nv;
            }
            snprintf(v[n].file, sizeof v[n].file, "%s", file);
            snprintf(v[n].pdq, sizeof v[n].pdq, "%s", pdq);
            n++;
        }
        json_decref(o);
    }
    fclose(f);
    *out = v;
    return n;
}

static unsigned lcg(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffu;
}

uint8_t *mt_make_rgb(int w, int h, unsigned seed)
{
    uint8_t *p = malloc((size_t)w * (size_t)h * 3);
    if (!p)
        return NULL;
    unsigned s = seed * 2654435761u + 12345u;
#define NEXT() lcg(&s)
    int gx = (int)(NEXT() % 200) - 100, gy = (int)(NEXT() % 200) - 100;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *q = p + ((size_t)y * (size_t)w + (size_t)x) * 3;
            int v = 128 + gx * x / w + gy * y / h;
            q[0] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            q[1] = (uint8_t)((v * 3 / 4 + (int)(seed * 37 % 64)) & 0xff);
            q[2] = (uint8_t)(255 - q[0]);
        }
    for (int k = 0; k < 12; k++) {
        int cx = (int)(NEXT() % (unsigned)w), cy = (int)(NEXT() % (unsigned)h);
        int r = (int)(NEXT() % (unsigned)(w / 4 + 1)) + w / 16 + 1;
        uint8_t col[3];
        col[0] = (uint8_t)NEXT();
        col[1] = (uint8_t)NEXT();
        col[2] = (uint8_t)NEXT();
        int circle = (int)(NEXT() & 1);
        for (int y = cy - r; y <= cy + r; y++)
            for (int x = cx - r; x <= cx + r; x++) {
                if (x < 0 || y < 0 || x >= w || y >= h)
                    continue;
                if (circle && (x - cx) * (x - cx) + (y - cy) * (y - cy) > r * r)
                    continue;
                memcpy(p + ((size_t)y * (size_t)w + (size_t)x) * 3, col, 3);
            }
    }
#undef NEXT
    return p;
}

uint8_t *mt_unorient(const uint8_t *rgb, int w, int h, int o, int *ow, int *oh)
{
    int t = o >= 5 && o <= 8;
    int sw = t ? h : w, sh = t ? w : h; /* stored size */
    uint8_t *s = malloc((size_t)w * (size_t)h * 3);
    if (!s)
        return NULL;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int sx, sy;
            switch (o) {
            case 2: sx = sw - 1 - x; sy = y; break;
            case 3: sx = sw - 1 - x; sy = sh - 1 - y; break;
            case 4: sx = x; sy = sh - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = sh - 1 - x; break;
            case 7: sx = sw - 1 - y; sy = sh - 1 - x; break;
            case 8: sx = sw - 1 - y; sy = x; break;
            default: sx = x; sy = y; break;
            }
            memcpy(s + ((size_t)sy * (size_t)sw + (size_t)sx) * 3,
                   rgb + ((size_t)y * (size_t)w + (size_t)x) * 3, 3);
        }
    *ow = sw;
    *oh = sh;
    return s;
}

uint8_t *mt_encode_jpeg(const uint8_t *rgb, int w, int h, int quality, int orientation,
                        size_t *len)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long outlen = 0;
    jpeg_mem_dest(&c, &out, &outlen);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    jpeg_start_compress(&c, TRUE);
    if (orientation >= 0) {
        /* "Exif\0\0", little-endian TIFF header, IFD0 with one SHORT entry. */
        uint8_t exif[32] = {'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0,
                            1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0,
                            (uint8_t)orientation, (uint8_t)(orientation >> 8), 0, 0,
                            0, 0, 0, 0};
        jpeg_write_marker(&c, JPEG_APP0 + 1, exif, sizeof exif);
    }
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)c.next_scanline * (size_t)w * 3);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    uint8_t *copy = malloc(outlen);
    if (copy)
        memcpy(copy, out, outlen);
    free(out);
    *len = outlen;
    return copy;
}

typedef struct membuf {
    uint8_t *p;
    size_t n, cap;
} membuf_t;

static void png_write_mem(png_structp png, png_bytep data, size_t n)
{
    membuf_t *m = png_get_io_ptr(png);
    if (m->n + n > m->cap) {
        size_t nc = (m->n + n) * 2;
        uint8_t *np = realloc(m->p, nc);
        if (!np)
            png_error(png, "oom");
        m->p = np;
        m->cap = nc;
    }
    memcpy(m->p + m->n, data, n);
    m->n += n;
}

static void png_flush_mem(png_structp png)
{
    (void)png;
}

uint8_t *mt_encode_png(const uint8_t *rgb, int w, int h, int interlaced, size_t *len)
{
    membuf_t m = {NULL, 0, 0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(m.p);
        return NULL;
    }
    png_set_write_fn(png, &m, png_write_mem, png_flush_mem);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    int passes = png_set_interlace_handling(png);
    for (int p = 0; p < passes; p++)
        for (int y = 0; y < h; y++)
            png_write_row(png, rgb + (size_t)y * (size_t)w * 3);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *len = m.n;
    return m.p;
}

uint8_t *mt_encode_webp(const uint8_t *rgb, int w, int h, size_t *len)
{
    uint8_t *out = NULL;
    size_t n = WebPEncodeRGB(rgb, w, h, w * 3, 90.0f, &out);
    if (!n)
        return NULL;
    uint8_t *copy = malloc(n);
    if (copy)
        memcpy(copy, out, n);
    WebPFree(out);
    *len = n;
    return copy;
}
