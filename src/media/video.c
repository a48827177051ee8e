/* SPDX-License-Identifier: MIT */
/*
 * video.c -- hashing sampled frames of a video through libav* (ffmpeg).
 *
 * The video is read from the caller's memory through a custom AVIOContext;
 * nested files (playlists, references to other files) are refused because
 * io_open always fails; only a whitelist of common demuxers and decoders is
 * allowed, each decoder runs single-threaded and is told the pixel limit.
 * Every decoded frame of the best video stream gives a 32x32 grey
 * thumbnail; a frame is hashed when it is the first of a new second of the
 * stream, or when its thumbnail differs from the previous frame's by more
 * than 10% of the range on average (a scene change). Hashed frames are
 * scaled with libswscale so that the long side stays below 2048, converted
 * to RGB and hashed with PDQ like an image, with the stream's display
 * rotation applied. Limits on time, samples and packets stop the decoding
 * early (the result says so) instead of failing.
 *
 * libav may log through av_log(); pvg_media_silence_libav() turns that off
 * for the whole process (the CLI does, the service should).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>

#include "media/media_internal.h"

#define THUMB 32
#define SCENE_THRESHOLD 25.5  /* mean absolute difference, 10% of 255 */
#define SCENE_MIN_GAP 0.2     /* seconds between two scene-change samples */
#define AVIO_BUF 32768

/* Demuxers and decoders allowed; everything else libav knows is refused. */
static const char FORMAT_WHITELIST[] =
    "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mpeg,flv,gif,ogg";
static const char CODEC_WHITELIST[] =
    "h264,hevc,vp8,vp9,av1,libdav1d,libaom-av1,mpeg4,msmpeg4v3,mjpeg,ffv1,"
    "mpeg1video,mpeg2video,h263,gif,png,theora,flv";

void pvg_media_silence_libav(void)
{
    av_log_set_level(AV_LOG_QUIET);
}

typedef struct mem_io {
    const uint8_t *buf;
    size_t len, pos;
} mem_io_t;

static int mem_read(void *opaque, uint8_t *dst, int n)
{
    mem_io_t *m = opaque;
    if (m->pos >= m->len)
        return AVERROR_EOF;
    size_t k = (size_t)n < m->len - m->pos ? (size_t)n : m->len - m->pos;
    memcpy(dst, m->buf + m->pos, k);
    m->pos += k;
    return (int)k;
}

static int64_t mem_seek(void *opaque, int64_t off, int whence)
{
    mem_io_t *m = opaque;
    whence &= ~AVSEEK_FORCE;
    int64_t base;
    switch (whence) {
    case AVSEEK_SIZE: return (int64_t)m->len;
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)m->pos; break;
    case SEEK_END: base = (int64_t)m->len; break;
    default: return AVERROR(EINVAL);
    }
    if ((off > 0 && base > INT64_MAX - off))
        return AVERROR(EINVAL);
    int64_t np = base + off;
    if (np < 0 || np > (int64_t)m->len)
        return AVERROR(EINVAL);
    m->pos = (size_t)np;
    return np;
}

static int deny_io_open(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                        AVDictionary **options)
{
    (void)s;
    (void)pb;
    (void)url;
    (void)flags;
    (void)options;
    return AVERROR(EPERM);
}

typedef struct vjob {
    const pvg_media_limits_t *lim;
    mem_io_t io;
    AVIOContext *avio;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws_thumb, *sws_rgb;
    uint8_t *rgb;        /* the scaled RGB frame */
    size_t rgb_size;
    int stream;
    int orientation;     /* EXIF-style, from the display matrix */
    AVRational tb;
    int64_t t0;          /* timestamp of the first frame */
    int have_t0;
    uint64_t n_decoded;
    uint8_t thumb[THUMB * THUMB], prev[THUMB * THUMB];
    int have_prev;
    double last_second; /* floor(t) of the last per-second sample, -1 before */
    double last_scene_t;
    double last_t;
    int stop;
    pvg_error_t rc;      /* a fatal error found while decoding */
    pvg_media_video_t *v;
    size_t cap;
} vjob_t;

/* libav answers ENOMEM also for absurd sizes read from hostile headers, so
 * its ENOMEM counts as damaged data; PVG_ENOMEM is kept for our own
 * allocations, which a service may treat as fatal. */
static pvg_error_t av_to_pvg(int err)
{
    if (err == AVERROR_EOF)
        return PVG_EMEDIA_TRUNCATED;
    if (err == AVERROR_DECODER_NOT_FOUND || err == AVERROR_DEMUXER_NOT_FOUND ||
        err == AVERROR_PATCHWELCOME || err == AVERROR(ENOSYS) || err == AVERROR(EPERM))
        return PVG_EMEDIA_UNSUPPORTED;
    return PVG_EMEDIA_CORRUPT;
}

/* The display rotation of the stream as an EXIF orientation (1, 3, 6, 8). */
static int stream_orientation(AVStream *st)
{
    size_t size = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!m || size < 9 * sizeof(int32_t))
        return 1;
    double a = av_display_rotation_get((const int32_t *)m);
    if (isnan(a))
        return 1;
    /* av_display_rotation_get() gives the counter-clockwise angle; the
     * frame must be turned the other way to display. */
    long cw = lround(-a);
    cw = ((cw % 360) + 360) % 360;
    if (cw >= 45 && cw < 135)
        return 6;
    if (cw >= 135 && cw < 225)
        return 3;
    if (cw >= 225 && cw < 315)
        return 8;
    return 1;
}

static pvg_error_t hash_frame(vjob_t *j, AVFrame *f, double t, int scene)
{
    pvg_media_video_t *v = j->v;
    if (v->n_frames >= j->lim->max_video_samples) {
        v->truncated = 1;
        j->stop = 1;
        return PVG_OK;
    }
    int fw = f->width, fh = f->height;
    int lng = fw > fh ? fw : fh;
    int k = lng >= PVG__REDUCE_FROM ? lng / (PVG__REDUCE_FROM / 2) : 1;
    int tw = fw / k > 0 ? fw / k : 1, th = fh / k > 0 ? fh / k : 1;
    j->sws_rgb = sws_getCachedContext(j->sws_rgb, fw, fh, f->format, tw, th, AV_PIX_FMT_RGB24,
                                      SWS_AREA, NULL, NULL, NULL);
    if (!j->sws_rgb)
        return PVG_OK; /* a pixel format swscale cannot read: skip the frame */
    size_t stride = ((size_t)tw * 3 + 63) & ~(size_t)63;
    size_t need = stride * (size_t)th;
    if (need > j->rgb_size) {
        uint8_t *n = av_realloc(j->rgb, need);
        if (!n)
            return PVG_ENOMEM;
        j->rgb = n;
        j->rgb_size = need;
    }
    uint8_t *dst[4] = {j->rgb, NULL, NULL, NULL};
    int dst_stride[4] = {(int)stride, 0, 0, 0};
    if (sws_scale(j->sws_rgb, (const uint8_t *const *)f->data, f->linesize, 0, fh, dst,
                  dst_stride) != th)
        return PVG_OK;
    pvg__luma_sink_t sink;
    pvg_error_t rc = pvg__sink_init(&sink, tw, th);
    if (rc != PVG_OK)
        return rc;
    for (int i = 0; i < th; i++)
        pvg__sink_row(&sink, j->rgb + (size_t)i * stride, PVG__PX_RGB);
    pvg_media_frame_t fr;
    memset(&fr, 0, sizeof fr);
    fr.t = t;
    fr.scene_change = scene;
    uint32_t dw, dh;
    rc = pvg__sink_hash(&sink, j->orientation, &fr.pdq, &dw, &dh);
    pvg__sink_free(&sink);
    if (rc != PVG_OK)
        return rc;
    if (v->n_frames == j->cap) {
        size_t nc = j->cap ? j->cap * 2 : 16;
        pvg_media_frame_t *nf = realloc(v->frames, nc * sizeof *nf);
        if (!nf)
            return PVG_ENOMEM;
        v->frames = nf;
        j->cap = nc;
    }
    v->frames[v->n_frames++] = fr;
    return PVG_OK;
}

/* Decides whether a decoded frame is sampled and hashes it if so. */
static pvg_error_t on_frame(vjob_t *j, AVFrame *f)
{
    pvg_media_video_t *v = j->v;
    if (f->width <= 0 || f->height <= 0)
        return PVG_OK;
    pvg_error_t rc = pvg__check_dims(j->lim, (uint64_t)f->width, (uint64_t)f->height);
    if (rc != PVG_OK)
        return rc;
    if (!v->width) {
        v->width = (uint32_t)(j->orientation >= 5 ? f->height : f->width);
        v->height = (uint32_t)(j->orientation >= 5 ? f->width : f->height);
    }
    /* Time of the frame from the start of the stream; frames without a
     * timestamp are placed just after the previous one. */
    double t;
    int64_t ts = f->best_effort_timestamp;
    if (ts != AV_NOPTS_VALUE && j->tb.num > 0 && j->tb.den > 0) {
        if (!j->have_t0) {
            j->t0 = ts;
            j->have_t0 = 1;
        }
        t = (double)(ts - j->t0) * av_q2d(j->tb);
        if (!(t >= 0.0)) /* also catches NaN */
            t = j->last_t;
    } else {
        t = j->n_decoded ? j->last_t + 1.0 / 25.0 : 0.0;
    }
    j->n_decoded++;
    j->last_t = t;
    if (t > j->lim->max_video_seconds) {
        v->truncated = 1;
        j->stop = 1;
        return PVG_OK;
    }
    if (t > v->duration)
        v->duration = t;

    j->sws_thumb = sws_getCachedContext(j->sws_thumb, f->width, f->height, f->format, THUMB,
                                        THUMB, AV_PIX_FMT_GRAY8, SWS_AREA, NULL, NULL, NULL);
    if (!j->sws_thumb)
        return PVG_OK;
    uint8_t *dst[4] = {j->thumb, NULL, NULL, NULL};
    int dst_stride[4] = {THUMB, 0, 0, 0};
    if (sws_scale(j->sws_thumb, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst,
                  dst_stride) != THUMB)
        return PVG_OK;
    int scene = 0;
    if (j->have_prev) {
        long diff = 0;
        for (int i = 0; i < THUMB * THUMB; i++)
            diff += abs((int)j->thumb[i] - (int)j->prev[i]);
        scene = (double)diff / (THUMB * THUMB) > SCENE_THRESHOLD;
    }
    memcpy(j->prev, j->thumb, sizeof j->prev);
    j->have_prev = 1;

    double second = floor(t);
    if (second > j->last_second) {
        j->last_second = second;
        if (scene)
            j->last_scene_t = t;
        return hash_frame(j, f, t, scene);
    }
    if (scene && t - j->last_scene_t >= SCENE_MIN_GAP) {
        j->last_scene_t = t;
        return hash_frame(j, f, t, 1);
    }
    return PVG_OK;
}

static pvg_error_t drain(vjob_t *j)
{
    for (;;) {
        int r = avcodec_receive_frame(j->dec, j->frame);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            return PVG_OK;
        if (r < 0)
            return PVG_OK; /* a damaged frame: go on */
        pvg_error_t rc = on_frame(j, j->frame);
        av_frame_unref(j->frame);
        if (rc != PVG_OK)
            return rc;
        if (j->stop)
            return PVG_OK;
    }
}

static pvg_error_t open_input(vjob_t *j)
{
    uint8_t *iobuf = av_malloc(AVIO_BUF);
    if (!iobuf)
        return PVG_ENOMEM;
    j->avio = avio_alloc_context(iobuf, AVIO_BUF, 0, &j->io, mem_read, NULL, mem_seek);
    if (!j->avio) {
        av_free(iobuf);
        return PVG_ENOMEM;
    }
    AVFormatContext *fmt = avformat_alloc_context();
    if (!fmt)
        return PVG_ENOMEM;
    fmt->pb = j->avio;
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    fmt->io_open = deny_io_open;
    fmt->format_whitelist = av_strdup(FORMAT_WHITELIST);
    fmt->codec_whitelist = av_strdup(CODEC_WHITELIST);
    fmt->protocol_whitelist = av_strdup("none");
    if (!fmt->format_whitelist || !fmt->codec_whitelist || !fmt->protocol_whitelist) {
        avformat_free_context(fmt);
        return PVG_ENOMEM;
    }
    int r = avformat_open_input(&fmt, NULL, NULL, NULL);
    if (r < 0) /* fmt was freed by libav */
        return r == AVERROR_INVALIDDATA ? PVG_EMEDIA_UNSUPPORTED : av_to_pvg(r);
    j->fmt = fmt;
    r = avformat_find_stream_info(fmt, NULL);
    if (r < 0)
        return av_to_pvg(r);
    const AVCodec *codec = NULL;
    r = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (r == AVERROR_STREAM_NOT_FOUND)
        return PVG_EMEDIA_NOFRAMES;
    if (r < 0 || !codec)
        return PVG_EMEDIA_UNSUPPORTED;
    j->stream = r;
    AVStream *st = fmt->streams[r];
    j->tb = st->time_base;
    j->orientation = stream_orientation(st);
    if (st->codecpar->width > 0 && st->codecpar->height > 0) {
        pvg_error_t rc = pvg__check_dims(j->lim, (uint64_t)st->codecpar->width,
                                         (uint64_t)st->codecpar->height);
        if (rc != PVG_OK)
            return rc;
    }
    j->dec = avcodec_alloc_context3(codec);
    if (!j->dec)
        return PVG_ENOMEM;
    r = avcodec_parameters_to_context(j->dec, st->codecpar);
    if (r < 0)
        return av_to_pvg(r);
    j->dec->thread_count = 1;
    j->dec->max_pixels = (int64_t)j->lim->max_pixels;
    j->dec->codec_whitelist = av_strdup(CODEC_WHITELIST);
    if (!j->dec->codec_whitelist)
        return PVG_ENOMEM;
    r = avcodec_open2(j->dec, codec, NULL);
    if (r < 0)
        return PVG_EMEDIA_UNSUPPORTED;
    j->v->container = fmt->iformat ? fmt->iformat->name : "unknown";
    j->v->codec = codec->name;
    return PVG_OK;
}

static pvg_error_t run(vjob_t *j)
{
    pvg_error_t rc = open_input(j);
    if (rc != PVG_OK)
        return rc;
    j->frame = av_frame_alloc();
    j->pkt = av_packet_alloc();
    if (!j->frame || !j->pkt)
        return PVG_ENOMEM;
    uint64_t packets = 0;
    int damaged = 0;
    while (!j->stop) {
        int r = av_read_frame(j->fmt, j->pkt);
        if (r < 0) {
            if (r != AVERROR_EOF)
                j->v->truncated = 1; /* a damaged or cut file: keep what was read */
            break;
        }
        if (++packets > j->lim->max_video_packets) {
            av_packet_unref(j->pkt);
            j->v->truncated = 1;
            break;
        }
        if (j->pkt->stream_index != j->stream) {
            av_packet_unref(j->pkt);
            continue;
        }
        r = avcodec_send_packet(j->dec, j->pkt);
        av_packet_unref(j->pkt);
        if (r < 0 && r != AVERROR(EAGAIN)) {
            damaged = 1;
            continue;
        }
        rc = drain(j);
        if (rc != PVG_OK)
            return rc;
    }
    if (!j->stop) {
        if (avcodec_send_packet(j->dec, NULL) >= 0) {
            rc = drain(j);
            if (rc != PVG_OK)
                return rc;
        }
    }
    if (j->v->n_frames == 0)
        return damaged || j->v->truncated ? PVG_EMEDIA_CORRUPT : PVG_EMEDIA_NOFRAMES;
    /* Damaged streams can carry timestamps that go back: promise time
     * order anyway. Insertion sort is stable and linear on sorted input. */
    pvg_media_frame_t *fr = j->v->frames;
    for (size_t i = 1; i < j->v->n_frames; i++) {
        pvg_media_frame_t x = fr[i];
        size_t k = i;
        while (k > 0 && fr[k - 1].t > x.t) {
            fr[k] = fr[k - 1];
            k--;
        }
        fr[k] = x;
    }
    return PVG_OK;
}

pvg_error_t pvg_media_hash_video(const void *buf, size_t len, const pvg_media_limits_t *lim,
                                 pvg_media_video_t **out)
{
    if (!out)
        return PVG_EINVAL;
    *out = NULL;
    if (!buf && len > 0)
        return PVG_EINVAL;
    pvg_media_limits_t def;
    if (!lim) {
        pvg_media_limits_default(&def);
        lim = &def;
    }
    if (len > lim->max_bytes)
        return PVG_ETOOBIG;
    /* Only containers recognised by their magic go to libav: its probing
     * would otherwise accept raw streams and image sequences too. */
    if (pvg_media_sniff(buf, len) != PVG_MEDIA_VIDEO)
        return PVG_EMEDIA_UNSUPPORTED;
    vjob_t *j = calloc(1, sizeof *j);
    pvg_media_video_t *v = calloc(1, sizeof *v);
    if (!j || !v) {
        free(j);
        free(v);
        return PVG_ENOMEM;
    }
    j->lim = lim;
    j->io.buf = buf;
    j->io.len = len;
    j->v = v;
    j->orientation = 1;
    j->last_second = -1.0;
    j->last_scene_t = -1.0e9;
    v->container = "unknown";
    v->codec = "unknown";
    pvg_error_t rc = run(j);
    sws_freeContext(j->sws_thumb);
    sws_freeContext(j->sws_rgb);
    av_free(j->rgb);
    av_packet_free(&j->pkt);
    av_frame_free(&j->frame);
    avcodec_free_context(&j->dec);
    avformat_close_input(&j->fmt);
    if (j->avio) {
        av_freep(&j->avio->buffer);
        avio_context_free(&j->avio);
    }
    free(j);
    if (rc != PVG_OK) {
        pvg_media_video_free(v);
        return rc;
    }
    *out = v;
    return PVG_OK;
}

void pvg_media_video_free(pvg_media_video_t *v)
{
    if (!v)
        return;
    free(v->frames);
    free(v);
}
