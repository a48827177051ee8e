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
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

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

uint8_t *mt_decode_jpeg(const uint8_t *buf, size_t len, int *w, int *h)
{
    struct jpeg_decompress_struct d;
    struct jpeg_error_mgr err;
    d.err = jpeg_std_error(&err);
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, buf, (unsigned long)len);
    jpeg_read_header(&d, TRUE);
    d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&d);
    *w = (int)d.output_width;
    *h = (int)d.output_height;
    uint8_t *rgb = malloc((size_t)*w * (size_t)*h * 3);
    while (rgb && d.output_scanline < d.output_height) {
        JSAMPROW row = rgb + (size_t)d.output_scanline * (size_t)*w * 3;
        jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    return rgb;
}

static int write_packets(AVCodecContext *enc, AVFormatContext *oc, AVStream *st, AVFrame *f)
{
    if (avcodec_send_frame(enc, f) < 0)
        return -1;
    AVPacket *pkt = av_packet_alloc();
    for (;;) {
        int r = avcodec_receive_packet(enc, pkt);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            break;
        if (r < 0) {
            av_packet_free(&pkt);
            return -1;
        }
        av_packet_rescale_ts(pkt, enc->time_base, st->time_base);
        pkt->stream_index = st->index;
        if (av_interleaved_write_frame(oc, pkt) < 0) {
            av_packet_free(&pkt);
            return -1;
        }
    }
    av_packet_free(&pkt);
    return 0;
}

uint8_t *mt_encode_video(const uint8_t *const *rgb, const int *pw, const int *ph, int n, int w,
                         int h, int fps, int hold, const char *encoder, const char *muxer,
                         size_t *len, int *missing)
{
    *missing = 0;
    const AVCodec *codec = avcodec_find_encoder_by_name(encoder);
    AVFormatContext *oc = NULL;
    if (!codec || avformat_alloc_output_context2(&oc, NULL, muxer, NULL) < 0 || !oc) {
        *missing = 1;
        return NULL;
    }
    AVStream *st = avformat_new_stream(oc, NULL);
    AVCodecContext *enc = avcodec_alloc_context3(codec);
    enc->width = w;
    enc->height = h;
    enc->time_base = (AVRational){1, fps};
    enc->framerate = (AVRational){fps, 1};
    enc->gop_size = fps;
    enc->pix_fmt = codec->pix_fmts ? codec->pix_fmts[0] : AV_PIX_FMT_YUV420P;
    for (const enum AVPixelFormat *p = codec->pix_fmts; p && *p != AV_PIX_FMT_NONE; p++)
        if (*p == AV_PIX_FMT_YUV420P || *p == AV_PIX_FMT_YUVJ420P) {
            enc->pix_fmt = *p;
            break;
        }
    enc->flags |= AV_CODEC_FLAG_QSCALE;
    enc->global_quality = FF_QP2LAMBDA * 3;
    if (oc->oformat->flags & AVFMT_GLOBALHEADER)
        enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    uint8_t *out = NULL;
    AVFrame *f = av_frame_alloc();
    if (avcodec_open2(enc, codec, NULL) < 0)
        goto done;
    avcodec_parameters_from_context(st->codecpar, enc);
    st->time_base = enc->time_base;
    if (avio_open_dyn_buf(&oc->pb) < 0)
        goto done;
    if (avformat_write_header(oc, NULL) < 0)
        goto done;
    f->format = enc->pix_fmt;
    f->width = w;
    f->height = h;
    if (av_frame_get_buffer(f, 0) < 0)
        goto done;
    int64_t pts = 0;
    for (int i = 0; i < n; i++) {
        struct SwsContext *sws = sws_getContext(pw[i], ph[i], AV_PIX_FMT_RGB24, w, h,
                                                enc->pix_fmt, SWS_BICUBIC, NULL, NULL, NULL);
        const uint8_t *src[1] = {rgb[i]};
        int src_stride[1] = {pw[i] * 3};
        for (int k = 0; k < hold; k++) {
            if (av_frame_make_writable(f) < 0)
                goto done;
            sws_scale(sws, src, src_stride, 0, ph[i], f->data, f->linesize);
            f->pts = pts++;
            if (write_packets(enc, oc, st, f) < 0) {
                sws_freeContext(sws);
                goto done;
            }
        }
        sws_freeContext(sws);
    }
    if (write_packets(enc, oc, st, NULL) < 0)
        goto done;
    av_write_trailer(oc);
    {
        uint8_t *dyn = NULL;
        int n_bytes = avio_close_dyn_buf(oc->pb, &dyn);
        oc->pb = NULL;
        if (n_bytes > 0) {
            out = malloc((size_t)n_bytes);
            if (out)
                memcpy(out, dyn, (size_t)n_bytes);
            *len = (size_t)n_bytes;
        }
        av_free(dyn);
    }
done:
    if (oc->pb) {
        uint8_t *dyn = NULL;
        avio_close_dyn_buf(oc->pb, &dyn);
        av_free(dyn);
    }
    av_frame_free(&f);
    avcodec_free_context(&enc);
    avformat_free_context(oc);
    return out;
}
