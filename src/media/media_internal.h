/* SPDX-License-Identifier: MIT */
/*
 * media_internal.h -- what the media sources share and nothing else uses.
 *
 * The luminance sink: decoders hand it rows of 8-bit pixels as they decode
 * them; it converts to luminance and, for images whose long side is 2048
 * pixels or more, averages k x k blocks on the fly (long side then 1024 to
 * 2047), so that memory stays under 16 MB whatever the image size (PDQ
 * blurs and decimates to 64x64
 * anyway, and the corpus tests check the reduced hash stays close). A sink
 * belongs to one decode call.
 */
#ifndef PVG_MEDIA_INTERNAL_H
#define PVG_MEDIA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <privguard/media.h>

/* Luminance of an 8-bit RGB pixel, 0..255 (ITU-R BT.601 weights). */
#define PVG__LUMA(r, g, b) (0.299f * (float)(r) + 0.587f * (float)(g) + 0.114f * (float)(b))

/* Pixel layouts a sink takes. */
enum {
    PVG__PX_GRAY = 1, /* one byte */
    PVG__PX_RGB = 3,  /* three bytes */
    PVG__PX_RGBX = 4, /* four bytes, the fourth ignored */
    PVG__PX_CMYK = 5  /* four bytes of Adobe (inverted) CMYK */
};

/* The long side at which decoded images start being reduced on the fly. */
#define PVG__REDUCE_FROM 2048

typedef struct pvg__luma_sink {
    int src_w, src_h; /* pixels per delivered row, rows expected */
    int k;            /* reduction factor, 1 = none */
    int w, h;         /* the luminance image: src / k */
    float *luma;      /* w * h */
    double *acc;      /* w running block sums (k > 1 only) */
    int row;          /* source rows received */
} pvg__luma_sink_t;

/* Prepares a sink for a src_w x src_h image, choosing k from the long side
 * (k = 1 below PVG__REDUCE_FROM). Returns PVG_OK or PVG_ENOMEM. */
pvg_error_t pvg__sink_init(pvg__luma_sink_t *s, int src_w, int src_h);
/* Takes the next source row (src_w pixels of the given layout). Rows past
 * src_h are ignored. */
void pvg__sink_row(pvg__luma_sink_t *s, const uint8_t *px, int layout);
void pvg__sink_free(pvg__luma_sink_t *s);

/* Hashes the sink's image as displayed under EXIF orientation (1..8; others
 * count as 1); writes the displayed size. Frees nothing. */
pvg_error_t pvg__sink_hash(pvg__luma_sink_t *s, int orientation, pvg_pdq_result_t *out,
                           uint32_t *disp_w, uint32_t *disp_h);

/* The EXIF orientation (1..8) in a TIFF/EXIF block (with or without the
 * "Exif\0\0" header); 1 when absent or invalid. */
int pvg__exif_orientation(const uint8_t *data, size_t len);

/* Checks decoded dimensions against the limits: PVG_OK or
 * PVG_EMEDIA_DIMENSIONS (or PVG_EMEDIA_CORRUPT for a zero side). */
pvg_error_t pvg__check_dims(const pvg_media_limits_t *lim, uint64_t w, uint64_t h);

#endif
