/* SPDX-License-Identifier: MIT */
/*
 * image.c -- decoding JPEG, PNG and WebP from memory into luminance, with
 * the EXIF orientation applied, and hashing the result.
 *
 * Every decoder is driven defensively: dimensions are checked against the
 * caller's limits from the header before any pixel memory is allocated;
 * libjpeg's and libpng's errors come back through setjmp/longjmp instead
 * of exit(); their messages are never printed; the input is read only
 * through bounded readers; a premature end of data is an error
 * (PVG_EMEDIA_TRUNCATED), not a grey-filled image. Decoded rows go straight
 * into a luminance sink (media_internal.h), which bounds memory for large
 * images. Nothing here keeps state between calls.
 */
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <libexif/exif-data.h>
#include <png.h>
#include <webp/decode.h>
#include <webp/demux.h>

#include "media/media_internal.h"

/* ------------------------------------------------------------- the sink */

pvg_error_t pvg__sink_init(pvg__luma_sink_t *s, int src_w, int src_h)
{
    memset(s, 0, sizeof *s);
    if (src_w < 1 || src_h < 1)
        return PVG_EMEDIA_CORRUPT;
    int lng = src_w > src_h ? src_w : src_h;
    int k = lng >= PVG__REDUCE_FROM ? lng / (PVG__REDUCE_FROM / 2) : 1;
    if (k > src_w)
        k = src_w;
    if (k > src_h)
        k = src_h;
    s->src_w = src_w;
    s->src_h = src_h;
    s->k = k;
    s->w = src_w / k;
    s->h = src_h / k;
    s->luma = calloc((size_t)s->w * (size_t)s->h, sizeof *s->luma);
    if (!s->luma)
        return PVG_ENOMEM;
    if (k > 1) {
        s->acc = calloc((size_t)s->w, sizeof *s->acc);
        if (!s->acc) {
            free(s->luma);
            s->luma = NULL;
            return PVG_ENOMEM;
        }
    }
    return PVG_OK;
}

static inline float px_luma(const uint8_t *p, int layout)
{
    switch (layout) {
    case PVG__PX_GRAY: return (float)p[0];
    case PVG__PX_CMYK: {
        /* Adobe writes CMYK inverted: 255 is no ink. */
        unsigned k = p[3];
        return PVG__LUMA(p[0] * k / 255u, p[1] * k / 255u, p[2] * k / 255u);
    }
    default: return PVG__LUMA(p[0], p[1], p[2]);
    }
}

void pvg__sink_row(pvg__luma_sink_t *s, const uint8_t *px, int layout)
{
    int step = layout == PVG__PX_CMYK ? 4 : layout;
    int out_row = s->row / s->k;
    if (out_row >= s->h) {
        s->row++;
        return;
    }
    if (s->k == 1) {
        float *o = s->luma + (size_t)out_row * (size_t)s->w;
        for (int j = 0; j < s->w; j++)
            o[j] = px_luma(px + (size_t)j * (size_t)step, layout);
    } else {
        for (int j = 0; j < s->w; j++) {
            const uint8_t *p = px + (size_t)j * (size_t)s->k * (size_t)step;
            double sum = 0.0;
            for (int b = 0; b < s->k; b++, p += step)
                sum += px_luma(p, layout);
            s->acc[j] += sum;
        }
        if (s->row % s->k == s->k - 1) {
            float *o = s->luma + (size_t)out_row * (size_t)s->w;
            double inv = 1.0 / ((double)s->k * (double)s->k);
            for (int j = 0; j < s->w; j++) {
                o[j] = (float)(s->acc[j] * inv);
                s->acc[j] = 0.0;
            }
        }
    }
    s->row++;
}

void pvg__sink_free(pvg__luma_sink_t *s)
{
    free(s->luma);
    free(s->acc);
    s->luma = NULL;
    s->acc = NULL;
}

pvg_error_t pvg__sink_hash(pvg__luma_sink_t *s, int orientation, pvg_pdq_result_t *out,
                           uint32_t *disp_w, uint32_t *disp_h)
{
    int w = s->w, h = s->h;
    if (orientation < 1 || orientation > 8)
        orientation = 1;
    if (orientation == 1) {
        *disp_w = (uint32_t)w;
        *disp_h = (uint32_t)h;
        return pvg_pdq_hash_luma(s->luma, h, w, out);
    }
    int transposed = orientation >= 5;
    int dw = transposed ? h : w, dh = transposed ? w : h;
    float *d = malloc((size_t)w * (size_t)h * sizeof *d);
    if (!d)
        return PVG_ENOMEM;
    /* For each displayed pixel (x, y), the stored pixel (sx, sy) that the
     * EXIF orientation puts there (EXIF 2.32, tag 0x0112). */
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            int sx, sy;
            switch (orientation) {
            case 2: sx = w - 1 - x; sy = y; break;
            case 3: sx = w - 1 - x; sy = h - 1 - y; break;
            case 4: sx = x; sy = h - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = h - 1 - x; break;
            case 7: sx = w - 1 - y; sy = h - 1 - x; break;
            default: sx = w - 1 - y; sy = x; break; /* 8 */
            }
            d[(size_t)y * (size_t)dw + (size_t)x] = s->luma[(size_t)sy * (size_t)w + (size_t)sx];
        }
    *disp_w = (uint32_t)dw;
    *disp_h = (uint32_t)dh;
    pvg_error_t rc = pvg_pdq_hash_luma(d, dh, dw, out);
    free(d);
    return rc;
}

pvg_error_t pvg__check_dims(const pvg_media_limits_t *lim, uint64_t w, uint64_t h)
{
    if (w == 0 || h == 0)
        return PVG_EMEDIA_CORRUPT;
    if (w > lim->max_width || h > lim->max_height || w * h > lim->max_pixels ||
        w > (uint64_t)INT32_MAX || h > (uint64_t)INT32_MAX)
        return PVG_EMEDIA_DIMENSIONS;
    return PVG_OK;
}

/* ------------------------------------------------------------- EXIF */

int pvg__exif_orientation(const uint8_t *data, size_t len)
{
    static const uint8_t hdr[6] = {'E', 'x', 'i', 'f', 0, 0};
    if (!data || len < 8 || len > 0x100000)
        return 1;
    ExifData *ed;
    if (len >= 6 && memcmp(data, hdr, 6) == 0) {
        ed = exif_data_new_from_data(data, (unsigned)len);
    } else {
        /* A bare TIFF block (PNG eXIf, some WebP files): libexif wants the
         * "Exif\0\0" header in front. */
        uint8_t *tmp = malloc(len + 6);
        if (!tmp)
            return 1;
        memcpy(tmp, hdr, 6);
        memcpy(tmp + 6, data, len);
        ed = exif_data_new_from_data(tmp, (unsigned)(len + 6));
        free(tmp);
    }
    if (!ed)
        return 1;
    int o = 1;
    ExifEntry *e = exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
    if (e && e->format == EXIF_FORMAT_SHORT && e->components >= 1 && e->data && e->size >= 2) {
        int v = exif_get_short(e->data, exif_data_get_byte_order(ed));
        if (v >= 1 && v <= 8)
            o = v;
    }
    exif_data_unref(ed);
    return o;
}

/* ------------------------------------------------------------- JPEG */

/* Progressive JPEGs with thousands of scans are a known way to burn CPU;
 * real encoders write a dozen at most. */
#define JPEG_MAX_SCANS 256

typedef struct jpeg_err {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
    int truncated;
    int too_many_scans;
} jpeg_err_t;

static void jpeg_on_error(j_common_ptr c)
{
    jpeg_err_t *e = (jpeg_err_t *)c->err;
    longjmp(e->jb, 1);
}

static void jpeg_on_message(j_common_ptr c, int level)
{
    jpeg_err_t *e = (jpeg_err_t *)c->err;
    if (level < 0) {
        if (c->err->msg_code == JWRN_JPEG_EOF)
            e->truncated = 1;
        c->err->num_warnings++;
    }
}

static void jpeg_on_output(j_common_ptr c)
{
    (void)c; /* the library never prints */
}

static void jpeg_on_progress(j_common_ptr c)
{
    if (!c->is_decompressor)
        return;
    j_decompress_ptr d = (j_decompress_ptr)c;
    jpeg_err_t *e = (jpeg_err_t *)c->err;
    if (d->input_scan_number > JPEG_MAX_SCANS) {
        e->too_many_scans = 1;
        longjmp(e->jb, 1);
    }
}

typedef struct jpeg_job {
    struct jpeg_decompress_struct cinfo;
    jpeg_err_t err;
    struct jpeg_progress_mgr progress;
    pvg__luma_sink_t sink;
    uint8_t *row;
    int orientation;
    pvg_error_t rc;
} jpeg_job_t;

/* Runs the decode; returns 0, or 1 after a longjmp from libjpeg. Everything
 * it allocates hangs off job so that the caller can release it either way. */
static int jpeg_run(jpeg_job_t *job, const uint8_t *buf, size_t len,
                    const pvg_media_limits_t *lim)
{
    struct jpeg_decompress_struct *ci = &job->cinfo;
    if (setjmp(job->err.jb))
        return 1;
    jpeg_create_decompress(ci);
    ci->mem->max_memory_to_use = 512L << 20;
    jpeg_mem_src(ci, buf, (unsigned long)len);
    jpeg_save_markers(ci, JPEG_APP0 + 1, 0xffff);
    if (jpeg_read_header(ci, TRUE) != JPEG_HEADER_OK) {
        job->rc = PVG_EMEDIA_CORRUPT;
        return 0;
    }
    job->rc = pvg__check_dims(lim, ci->image_width, ci->image_height);
    if (job->rc != PVG_OK)
        return 0;
    for (jpeg_saved_marker_ptr m = ci->marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
            memcmp(m->data, "Exif\0\0", 6) == 0) {
            job->orientation = pvg__exif_orientation(m->data, m->data_length);
            break;
        }
    int layout = PVG__PX_RGB;
    if (ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK) {
        ci->out_color_space = JCS_CMYK;
        layout = PVG__PX_CMYK;
    } else if (ci->num_components == 1) {
        ci->out_color_space = JCS_GRAYSCALE;
        layout = PVG__PX_GRAY;
    } else {
        ci->out_color_space = JCS_RGB;
    }
    /* Large photos decode at 1/2, 1/4 or 1/8 scale while the long side
     * stays at PVG__REDUCE_FROM or more: far faster, and PDQ blurs the
     * detail away anyway. */
    unsigned lng = ci->image_width > ci->image_height ? ci->image_width : ci->image_height;
    unsigned denom = 1;
    while (denom < 8 && lng / (denom * 2) >= PVG__REDUCE_FROM)
        denom *= 2;
    ci->scale_num = 1;
    ci->scale_denom = denom;
    job->progress.progress_monitor = jpeg_on_progress;
    ci->progress = &job->progress;
    if (!jpeg_start_decompress(ci)) {
        job->rc = PVG_EMEDIA_CORRUPT;
        return 0;
    }
    job->rc = pvg__sink_init(&job->sink, (int)ci->output_width, (int)ci->output_height);
    if (job->rc != PVG_OK)
        return 0;
    job->row = malloc((size_t)ci->output_width * (size_t)ci->output_components);
    if (!job->row) {
        job->rc = PVG_ENOMEM;
        return 0;
    }
    while (ci->output_scanline < ci->output_height) {
        JSAMPROW rows[1] = {job->row};
        if (jpeg_read_scanlines(ci, rows, 1) != 1) {
            job->rc = PVG_EMEDIA_TRUNCATED;
            return 0;
        }
        pvg__sink_row(&job->sink, job->row, layout);
        if (job->err.truncated) /* the rest would be grey filler */
            break;
    }
    job->rc = PVG_OK;
    return 0;
}

static pvg_error_t hash_jpeg(const uint8_t *buf, size_t len, const pvg_media_limits_t *lim,
                             pvg_media_image_t *out)
{
    jpeg_job_t *job = calloc(1, sizeof *job);
    if (!job)
        return PVG_ENOMEM;
    job->cinfo.err = jpeg_std_error(&job->err.pub);
    job->err.pub.error_exit = jpeg_on_error;
    job->err.pub.emit_message = jpeg_on_message;
    job->err.pub.output_message = jpeg_on_output;
    job->orientation = 1;
    int jumped = jpeg_run(job, buf, len, lim);
    pvg_error_t rc = job->rc;
    if (jumped)
        rc = PVG_EMEDIA_CORRUPT;
    if (job->err.truncated)
        rc = PVG_EMEDIA_TRUNCATED;
    if (rc == PVG_OK) {
        out->orientation = job->orientation;
        rc = pvg__sink_hash(&job->sink, job->orientation, &out->pdq, &out->width, &out->height);
    }
    jpeg_destroy_decompress(&job->cinfo);
    pvg__sink_free(&job->sink);
    free(job->row);
    free(job);
    return rc;
}

/* ------------------------------------------------------------- PNG */

typedef struct png_job {
    const uint8_t *buf;
    size_t len, pos;
    int truncated;
    pvg__luma_sink_t sink;
    uint8_t *rows;   /* whole image, interlaced files only */
    png_bytep *ptrs; /* row pointers into rows */
    uint8_t *row;
    int orientation;
    pvg_error_t rc;
} png_job_t;

static void png_on_read(png_structp png, png_bytep data, size_t n)
{
    png_job_t *job = png_get_io_ptr(png);
    if (n > job->len - job->pos) {
        job->truncated = 1;
        png_error(png, "truncated");
    }
    memcpy(data, job->buf + job->pos, n);
    job->pos += n;
}

static void png_on_error(png_structp png, png_const_charp msg)
{
    (void)msg; /* the library never prints */
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static int png_run(png_job_t *job, png_structp png, png_infop info, const pvg_media_limits_t *lim)
{
    if (setjmp(png_jmpbuf(png)))
        return 1;
    png_set_read_fn(png, job, png_on_read);
    /* libpng's own limit would fail as a generic error: let it read any
     * header and refuse oversized images with pvg__check_dims() below,
     * before any row is allocated. */
    png_set_user_limits(png, 0x7fffffffu, 0x7fffffffu);
    png_set_chunk_cache_max(png, 128);
    png_set_chunk_malloc_max(png, 8u << 20);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    job->rc = pvg__check_dims(lim, w, h);
    if (job->rc != PVG_OK)
        return 0;
#ifdef PNG_eXIf_SUPPORTED
    {
        png_uint_32 n = 0;
        png_bytep exif = NULL;
        if (png_get_eXIf_1(png, info, &n, &exif) && exif && n > 0)
            job->orientation = pvg__exif_orientation(exif, n);
    }
#endif
    png_set_expand(png);     /* palette and low-bit grey to 8 bits, tRNS to alpha */
    png_set_strip_16(png);
    png_set_strip_alpha(png); /* PDQ hashes the colour channels only */
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int ch = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    int layout = ch == 1 ? PVG__PX_GRAY : ch == 3 ? PVG__PX_RGB : -1;
    if (layout < 0 || rowbytes < (size_t)w * (size_t)ch) {
        job->rc = PVG_EMEDIA_UNSUPPORTED;
        return 0;
    }
    job->rc = pvg__sink_init(&job->sink, (int)w, (int)h);
    if (job->rc != PVG_OK)
        return 0;
    if (passes > 1) {
        /* Adam7 fills the image in seven passes: it needs the whole image
         * in memory, bounded by max_pixels. */
        job->rows = malloc(rowbytes * h);
        job->ptrs = job->rows ? malloc(sizeof *job->ptrs * h) : NULL;
        if (!job->ptrs) {
            job->rc = PVG_ENOMEM;
            return 0;
        }
        for (png_uint_32 i = 0; i < h; i++)
            job->ptrs[i] = job->rows + (size_t)i * rowbytes;
        png_read_image(png, job->ptrs);
        for (png_uint_32 i = 0; i < h; i++)
            pvg__sink_row(&job->sink, job->rows + (size_t)i * rowbytes, layout);
    } else {
        job->row = malloc(rowbytes);
        if (!job->row) {
            job->rc = PVG_ENOMEM;
            return 0;
        }
        for (png_uint_32 i = 0; i < h; i++) {
            png_read_row(png, job->row, NULL);
            pvg__sink_row(&job->sink, job->row, layout);
        }
    }
    job->rc = PVG_OK;
    return 0;
}

static pvg_error_t hash_png(const uint8_t *buf, size_t len, const pvg_media_limits_t *lim,
                            pvg_media_image_t *out)
{
    png_job_t *job = calloc(1, sizeof *job);
    if (!job)
        return PVG_ENOMEM;
    job->buf = buf;
    job->len = len;
    job->orientation = 1;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job, png_on_error,
                                             png_on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        free(job);
        return PVG_ENOMEM;
    }
    int jumped = png_run(job, png, info, lim);
    pvg_error_t rc = job->rc;
    if (jumped)
        rc = job->truncated ? PVG_EMEDIA_TRUNCATED : PVG_EMEDIA_CORRUPT;
    if (rc == PVG_OK) {
        out->orientation = job->orientation;
        rc = pvg__sink_hash(&job->sink, job->orientation, &out->pdq, &out->width, &out->height);
    }
    png_destroy_read_struct(&png, &info, NULL);
    pvg__sink_free(&job->sink);
    free(job->ptrs);
    free(job->rows);
    free(job->row);
    free(job);
    return rc;
}

/* ------------------------------------------------------------- WebP */

static pvg_error_t webp_status(VP8StatusCode st)
{
    switch (st) {
    case VP8_STATUS_OK: return PVG_OK;
    case VP8_STATUS_OUT_OF_MEMORY: return PVG_ENOMEM;
    case VP8_STATUS_NOT_ENOUGH_DATA: return PVG_EMEDIA_TRUNCATED;
    case VP8_STATUS_UNSUPPORTED_FEATURE: return PVG_EMEDIA_UNSUPPORTED;
    default: return PVG_EMEDIA_CORRUPT;
    }
}

static int webp_orientation(const uint8_t *buf, size_t len)
{
    int o = 1;
    WebPData data = {buf, len};
    WebPDemuxer *dmx = WebPDemux(&data);
    if (!dmx)
        return 1;
    if (WebPDemuxGetI(dmx, WEBP_FF_FORMAT_FLAGS) & EXIF_FLAG) {
        WebPChunkIterator it;
        if (WebPDemuxGetChunk(dmx, "EXIF", 1, &it)) {
            o = pvg__exif_orientation(it.chunk.bytes, it.chunk.size);
            WebPDemuxReleaseChunkIterator(&it);
        }
    }
    WebPDemuxDelete(dmx);
    return o;
}

static pvg_error_t hash_webp(const uint8_t *buf, size_t len, const pvg_media_limits_t *lim,
                             pvg_media_image_t *out)
{
    WebPDecoderConfig cfg;
    if (!WebPInitDecoderConfig(&cfg))
        return PVG_EINTERNAL;
    pvg_error_t rc = webp_status(WebPGetFeatures(buf, len, &cfg.input));
    if (rc != PVG_OK)
        return rc;
    if (cfg.input.has_animation)
        return PVG_EMEDIA_UNSUPPORTED;
    rc = pvg__check_dims(lim, (uint64_t)cfg.input.width, (uint64_t)cfg.input.height);
    if (rc != PVG_OK)
        return rc;
    int w = cfg.input.width, h = cfg.input.height;
    int lng = w > h ? w : h;
    if (lng >= 2 * PVG__REDUCE_FROM) {
        /* libwebp scales while decoding; keep the long side >= 2048. */
        int k = lng / PVG__REDUCE_FROM;
        cfg.options.use_scaling = 1;
        cfg.options.scaled_width = w / k > 0 ? w / k : 1;
        cfg.options.scaled_height = h / k > 0 ? h / k : 1;
    }
    cfg.output.colorspace = MODE_RGB;
    rc = webp_status(WebPDecode(buf, len, &cfg));
    if (rc != PVG_OK) {
        WebPFreeDecBuffer(&cfg.output);
        return rc;
    }
    pvg__luma_sink_t sink;
    int ow = cfg.output.width, oh = cfg.output.height;
    rc = pvg__sink_init(&sink, ow, oh);
    if (rc == PVG_OK) {
        const WebPRGBABuffer *b = &cfg.output.u.RGBA;
        for (int i = 0; i < oh; i++)
            pvg__sink_row(&sink, b->rgba + (size_t)i * (size_t)b->stride, PVG__PX_RGB);
        out->orientation = webp_orientation(buf, len);
        rc = pvg__sink_hash(&sink, out->orientation, &out->pdq, &out->width, &out->height);
    }
    pvg__sink_free(&sink);
    WebPFreeDecBuffer(&cfg.output);
    return rc;
}

/* ------------------------------------------------------------- entry points */

const char *pvg_media_format_name(int format)
{
    switch (format) {
    case PVG_MEDIA_JPEG: return "jpeg";
    case PVG_MEDIA_PNG: return "png";
    case PVG_MEDIA_WEBP: return "webp";
    case PVG_MEDIA_VIDEO: return "video";
    default: return "unknown";
    }
}

pvg_media_format_t pvg_media_sniff(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    if (!p || len < 4)
        return PVG_MEDIA_UNKNOWN;
    if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return PVG_MEDIA_JPEG;
    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return PVG_MEDIA_PNG;
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return PVG_MEDIA_WEBP;
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "AVI ", 4) == 0)
        return PVG_MEDIA_VIDEO;
    if (len >= 8 && (memcmp(p + 4, "ftyp", 4) == 0 || memcmp(p + 4, "moov", 4) == 0 ||
                     memcmp(p + 4, "mdat", 4) == 0 || memcmp(p + 4, "wide", 4) == 0 ||
                     memcmp(p + 4, "free", 4) == 0))
        return PVG_MEDIA_VIDEO;
    if (memcmp(p, "\x1a\x45\xdf\xa3", 4) == 0)  /* Matroska, WebM */
        return PVG_MEDIA_VIDEO;
    if (memcmp(p, "FLV\x01", 4) == 0 || memcmp(p, "OggS", 4) == 0 ||
        memcmp(p, "\x00\x00\x01\xba", 4) == 0)   /* FLV, Ogg, MPEG program stream */
        return PVG_MEDIA_VIDEO;
    if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return PVG_MEDIA_VIDEO;
    if (p[0] == 0x47 && len > 188 && p[188] == 0x47)  /* MPEG transport stream */
        return PVG_MEDIA_VIDEO;
    return PVG_MEDIA_UNKNOWN;
}

pvg_error_t pvg_media_hash_image(const void *buf, size_t len, const pvg_media_limits_t *lim,
                                 pvg_media_image_t *out)
{
    if (!out)
        return PVG_EINVAL;
    memset(out, 0, sizeof *out);
    if (!buf && len > 0)
        return PVG_EINVAL;
    pvg_media_limits_t def;
    if (!lim) {
        pvg_media_limits_default(&def);
        lim = &def;
    }
    if (len > lim->max_bytes)
        return PVG_ETOOBIG;
    pvg_media_format_t f = pvg_media_sniff(buf, len);
    pvg_error_t rc;
    switch (f) {
    case PVG_MEDIA_JPEG: rc = hash_jpeg(buf, len, lim, out); break;
    case PVG_MEDIA_PNG: rc = hash_png(buf, len, lim, out); break;
    case PVG_MEDIA_WEBP: rc = hash_webp(buf, len, lim, out); break;
    default: rc = PVG_EMEDIA_UNSUPPORTED; break;
    }
    if (rc != PVG_OK) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    out->format = f;
    return PVG_OK;
}
