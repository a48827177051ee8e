/* SPDX-License-Identifier: MIT */
/*
 * pdq.c -- the PDQ perceptual hash, written from the published description
 * of Meta's algorithm (not from anyone's source).
 *
 * From a luminance image: two passes of a box filter along rows and along
 * columns (a Jarosz tent filter, window = image side / 128 rounded up)
 * blur the image, which is then decimated to 64x64 by sampling the centre of
 * each cell. A 2-D DCT-II keeps the 16x16 block of lowest frequencies
 * without the DC row and column; each coefficient above the median of the
 * 256 gives a one bit. Quality is the sum of absolute neighbour differences
 * of the 64x64 image, scaled to 0..100.
 *
 * The seven other dihedral forms (rotations and flips of the image) are
 * computed on the DCT coefficients: mirroring an axis negates the
 * coefficients of odd frequency along it, and transposing the image
 * transposes the coefficients. Each form then takes its own median.
 *
 * Also here: hex form, Hamming distance, error strings and default limits.
 * Everything is reentrant; nothing is kept between calls.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "media/media_internal.h"

#define PDQ_N 64  /* decimated side */
#define PDQ_K 16  /* DCT coefficients kept per side */

const char *pvg_media_strerror(pvg_error_t err)
{
    switch (err) {
    case PVG_OK: return "success";
    case PVG_EINVAL: return "invalid argument";
    case PVG_ENOMEM: return "out of memory";
    case PVG_ETOOBIG: return "input larger than the limit";
    case PVG_ESTOPPED: return "stopped by the callback";
    case PVG_EINTERNAL: return "a dependency failed unexpectedly";
    case PVG_ENOTFOUND: return "no such entry";
    case PVG_EMEDIA_UNSUPPORTED: return "unsupported media format";
    case PVG_EMEDIA_CORRUPT: return "corrupt media data";
    case PVG_EMEDIA_TRUNCATED: return "truncated media data";
    case PVG_EMEDIA_DIMENSIONS: return "media dimensions beyond the limits";
    case PVG_EMEDIA_NOFRAMES: return "video without a decodable frame";
    case PVG_EMEDIA_DUPLICATE: return "duplicate entry id";
    case PVG_EMEDIA_BADHASH: return "hash is not 64 hexadecimal digits";
    default: return "unknown error";
    }
}

void pvg_media_limits_default(pvg_media_limits_t *lim)
{
    if (!lim)
        return;
    memset(lim, 0, sizeof *lim);
    lim->max_bytes = (size_t)256 << 20;
    lim->max_width = 16384;
    lim->max_height = 16384;
    lim->max_pixels = 50000000u;
    lim->max_video_seconds = 1800.0;
    lim->max_video_samples = 1800;
    lim->max_video_packets = 2000000u;
}

const char *pvg_dihedral_name(int d)
{
    static const char *const names[PVG_DIH_COUNT] = {
        "original", "rotate_90", "rotate_180", "rotate_270",
        "flip_x", "flip_y", "flip_plus1", "flip_minus1"};
    if (d < 0 || d >= PVG_DIH_COUNT)
        return NULL;
    return names[d];
}

void pvg_pdq_to_hex(const pvg_pdq_hash_t *h, char hex[PVG_PDQ_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int p = 0; p < PVG_PDQ_HEX_LEN; p++) {
        int bit = 252 - 4 * p; /* lowest bit of this nibble */
        unsigned nib = (unsigned)(h->w[bit / 64] >> (bit % 64)) & 0xfu;
        hex[p] = digits[nib];
    }
    hex[PVG_PDQ_HEX_LEN] = '\0';
}

pvg_error_t pvg_pdq_from_hex(const char *hex, size_t len, pvg_pdq_hash_t *out)
{
    if (!out)
        return PVG_EINVAL;
    memset(out, 0, sizeof *out);
    if (!hex || len != PVG_PDQ_HEX_LEN)
        return PVG_EMEDIA_BADHASH;
    pvg_pdq_hash_t h = {{0, 0, 0, 0}};
    for (int p = 0; p < PVG_PDQ_HEX_LEN; p++) {
        char c = hex[p];
        unsigned v;
        if (c >= '0' && c <= '9')
            v = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v = (unsigned)(c - 'A' + 10);
        else
            return PVG_EMEDIA_BADHASH;
        int bit = 252 - 4 * p;
        h.w[bit / 64] |= (uint64_t)v << (bit % 64);
    }
    *out = h;
    return PVG_OK;
}

int pvg_pdq_distance(const pvg_pdq_hash_t *a, const pvg_pdq_hash_t *b)
{
    return __builtin_popcountll(a->w[0] ^ b->w[0]) + __builtin_popcountll(a->w[1] ^ b->w[1]) +
           __builtin_popcountll(a->w[2] ^ b->w[2]) + __builtin_popcountll(a->w[3] ^ b->w[3]);
}

/* One pass of a box filter of width w along n samples spaced step floats
 * apart, from in to out. Output i averages the inputs i-(w-1)/2 .. i+w/2 that
 * exist, so the window shrinks at the edges instead of padding. */
static void box_1d(const float *in, float *out, int n, ptrdiff_t step, int w)
{
    int back = (w - 1) / 2, ahead = w / 2;
    double sum = 0.0;
    int lo = 0, hi = -1; /* the window currently summed: [lo, hi] */
    for (int i = 0; i < n; i++) {
        int want_hi = i + ahead < n - 1 ? i + ahead : n - 1;
        int want_lo = i - back > 0 ? i - back : 0;
        while (hi < want_hi)
            sum += in[(ptrdiff_t)(++hi) * step];
        while (lo < want_lo)
            sum -= in[(ptrdiff_t)(lo++) * step];
        out[(ptrdiff_t)i * step] = (float)(sum / (double)(hi - lo + 1));
    }
}

/* The box filter along every column at once, row by row, so that memory is
 * read in order: sums[] holds one running window per column. */
static pvg_error_t box_cols(const float *in, float *out, int rows, int cols, int w)
{
    double *sums = calloc((size_t)cols, sizeof *sums);
    if (!sums)
        return PVG_ENOMEM;
    int back = (w - 1) / 2, ahead = w / 2;
    int lo = 0, hi = -1;
    for (int i = 0; i < rows; i++) {
        int want_hi = i + ahead < rows - 1 ? i + ahead : rows - 1;
        int want_lo = i - back > 0 ? i - back : 0;
        while (hi < want_hi) {
            const float *r = in + (size_t)(++hi) * (size_t)cols;
            for (int j = 0; j < cols; j++)
                sums[j] += r[j];
        }
        while (lo < want_lo) {
            const float *r = in + (size_t)(lo++) * (size_t)cols;
            for (int j = 0; j < cols; j++)
                sums[j] -= r[j];
        }
        double inv = 1.0 / (double)(hi - lo + 1);
        float *o = out + (size_t)i * (size_t)cols;
        for (int j = 0; j < cols; j++)
            o[j] = (float)(sums[j] * inv);
    }
    free(sums);
    return PVG_OK;
}

/* Sets the hash bits of a 16x16 coefficient block: above the median (the
 * 128th smallest of the 256) is one. */
static void bits_from_coeffs(const float c[PDQ_K][PDQ_K], pvg_pdq_hash_t *h)
{
    float sorted[PDQ_K * PDQ_K];
    memcpy(sorted, c, sizeof sorted);
    /* Insertion sort of 256 floats costs less than a call to qsort's
     * comparator machinery for this size and needs no callback. */
    for (int i = 1; i < PDQ_K * PDQ_K; i++) {
        float v = sorted[i];
        int j = i - 1;
        while (j >= 0 && sorted[j] > v) {
            sorted[j + 1] = sorted[j];
            j--;
        }
        sorted[j + 1] = v;
    }
    float median = sorted[PDQ_K * PDQ_K / 2 - 1];
    memset(h, 0, sizeof *h);
    for (int i = 0; i < PDQ_K; i++)
        for (int j = 0; j < PDQ_K; j++)
            if (c[i][j] > median) {
                int k = i * PDQ_K + j;
                h->w[k / 64] |= (uint64_t)1 << (k % 64);
            }
}

/* The coefficients of a transformed image from those of the original.
 * Frequencies are i+1 and j+1 (the DC term is not kept), so mirroring
 * negates the coefficients whose index along that axis is even. */
static void dihedral_coeffs(const float c[PDQ_K][PDQ_K], int d, float o[PDQ_K][PDQ_K])
{
    for (int i = 0; i < PDQ_K; i++)
        for (int j = 0; j < PDQ_K; j++) {
            float sx = (j % 2 == 0) ? -1.0f : 1.0f; /* sign for a left-right mirror */
            float sy = (i % 2 == 0) ? -1.0f : 1.0f; /* sign for a top-bottom mirror */
            switch (d) {
            case PVG_DIH_ORIGINAL: o[i][j] = c[i][j]; break;
            /* Meta's names: flip about the x axis turns top to bottom */
            case PVG_DIH_FLIP_X: o[i][j] = sy * c[i][j]; break;
            case PVG_DIH_FLIP_Y: o[i][j] = sx * c[i][j]; break;
            case PVG_DIH_ROTATE_180: o[i][j] = sx * sy * c[i][j]; break;
            case PVG_DIH_FLIP_PLUS1: o[i][j] = c[j][i]; break;
            /* counter-clockwise = transpose, then mirror top-bottom */
            case PVG_DIH_ROTATE_90: o[i][j] = sy * c[j][i]; break;
            /* clockwise = transpose, then mirror left-right */
            case PVG_DIH_ROTATE_270: o[i][j] = sx * c[j][i]; break;
            default: /* PVG_DIH_FLIP_MINUS1: transpose, then rotate 180 */
                o[i][j] = sx * sy * c[j][i]; break;
            }
        }
}

/* Quality: the absolute differences between vertical and horizontal
 * neighbours of the 64x64 image, each as an integer percentage of the
 * range, summed, divided by 90 and capped at 100. A flat image scores 0. */
static int quality_of(const float a[PDQ_N][PDQ_N])
{
    long sum = 0;
    for (int i = 0; i < PDQ_N - 1; i++)
        for (int j = 0; j < PDQ_N; j++) {
            int d = (int)((a[i][j] - a[i + 1][j]) * 100.0f / 255.0f);
            sum += d < 0 ? -d : d;
        }
    for (int i = 0; i < PDQ_N; i++)
        for (int j = 0; j < PDQ_N - 1; j++) {
            int d = (int)((a[i][j] - a[i][j + 1]) * 100.0f / 255.0f);
            sum += d < 0 ? -d : d;
        }
    long q = sum / 90;
    return q > 100 ? 100 : (int)q;
}

pvg_error_t pvg_pdq_hash_luma(float *luma, int rows, int cols, pvg_pdq_result_t *out)
{
    if (!luma || !out || rows < 1 || cols < 1)
        return PVG_EINVAL;
    memset(out, 0, sizeof *out);
    size_t n = (size_t)rows * (size_t)cols;
    float *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return PVG_ENOMEM;

    /* Jarosz filter: the window along a row depends on the number of
     * columns and the other way round; two passes of each make a tent. */
    int w_rows = (cols + 2 * PDQ_N - 1) / (2 * PDQ_N);
    int w_cols = (rows + 2 * PDQ_N - 1) / (2 * PDQ_N);
    for (int rep = 0; rep < 2; rep++) {
        for (int i = 0; i < rows; i++)
            box_1d(luma + (size_t)i * (size_t)cols, tmp + (size_t)i * (size_t)cols, cols, 1,
                   w_rows);
        pvg_error_t rc = box_cols(tmp, luma, rows, cols, w_cols);
        if (rc != PVG_OK) {
            free(tmp);
            return rc;
        }
    }
    free(tmp);

    /* Decimate: the sample nearest the centre of each of 64x64 cells. */
    float a[PDQ_N][PDQ_N];
    for (int i = 0; i < PDQ_N; i++) {
        int si = (int)(((double)i + 0.5) * rows / PDQ_N);
        for (int j = 0; j < PDQ_N; j++) {
            int sj = (int)(((double)j + 0.5) * cols / PDQ_N);
            a[i][j] = luma[(size_t)si * (size_t)cols + (size_t)sj];
        }
    }
    out->quality = quality_of(a);

    /* DCT-II basis rows 1..16 of size 64, orthonormal scaling. */
    float d[PDQ_K][PDQ_N];
    const double scale = sqrt(2.0 / PDQ_N);
    for (int i = 0; i < PDQ_K; i++)
        for (int j = 0; j < PDQ_N; j++)
            d[i][j] = (float)(scale * cos(M_PI / 2.0 / PDQ_N * (double)(i + 1) *
                                          (double)(2 * j + 1)));
    /* c = d * a * d^T, through t = d * a. */
    float t[PDQ_K][PDQ_N];
    for (int i = 0; i < PDQ_K; i++)
        for (int j = 0; j < PDQ_N; j++) {
            float s = 0.0f;
            for (int k = 0; k < PDQ_N; k++)
                s += d[i][k] * a[k][j];
            t[i][j] = s;
        }
    float c[PDQ_K][PDQ_K];
    for (int i = 0; i < PDQ_K; i++)
        for (int j = 0; j < PDQ_K; j++) {
            float s = 0.0f;
            for (int k = 0; k < PDQ_N; k++)
                s += t[i][k] * d[j][k];
            c[i][j] = s;
        }

    for (int v = 0; v < PVG_DIH_COUNT; v++) {
        float o[PDQ_K][PDQ_K];
        dihedral_coeffs(c, v, o);
        bits_from_coeffs(o, &out->dihedral[v]);
    }
    out->hash = out->dihedral[PVG_DIH_ORIGINAL];
    return PVG_OK;
}

pvg_error_t pvg_pdq_hash_rgb(const uint8_t *pixels, int width, int height, size_t stride,
                             int channels, pvg_pdq_result_t *out)
{
    if (!pixels || !out || width < 1 || height < 1 || (channels != 3 && channels != 4) ||
        stride < (size_t)width * (size_t)channels)
        return PVG_EINVAL;
    float *luma = malloc((size_t)width * (size_t)height * sizeof *luma);
    if (!luma)
        return PVG_ENOMEM;
    for (int i = 0; i < height; i++) {
        const uint8_t *p = pixels + (size_t)i * stride;
        float *l = luma + (size_t)i * (size_t)width;
        for (int j = 0; j < width; j++, p += channels)
            l[j] = PVG__LUMA(p[0], p[1], p[2]);
    }
    pvg_error_t rc = pvg_pdq_hash_luma(luma, height, width, out);
    free(luma);
    return rc;
}
