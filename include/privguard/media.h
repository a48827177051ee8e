/* SPDX-License-Identifier: MIT */
/*
 * media.h -- perceptual hashes of photos and videos, and a hash bank index.
 *
 * privguard recognises known private media (photos and videos confirmed as
 * posted without the owner's consent) by perceptual hash, the way Korea's
 * Telecommunications Business Act expects large providers to recognise
 * illegally filmed content. This header is the contract of libpvg_media:
 *
 *   - PDQ hashing (Meta's published PDQ algorithm, implemented here from its
 *     description): a 256-bit hash and a 0..100 quality score per image,
 *     plus the seven other dihedral forms (rotations and flips) of the hash,
 *     computed from the DCT coefficients.
 *   - Decoding of JPEG (libjpeg-turbo), PNG (libpng) and WebP (libwebp) from
 *     a memory buffer, with EXIF orientation honoured (libexif; an invalid
 *     orientation such as 0 counts as 1), and of videos through libav*:
 *     one frame per second and one at each scene change are hashed.
 *   - An in-memory multi-index-hashing index of bank entries (entry id, bank
 *     name, source case id, enabled flag), queried by Hamming distance.
 *   - A match rule for images and videos over that index.
 *
 * THREAD RULE: every hashing function is reentrant and keeps no state between
 * calls: any number of threads may hash at once. An index may be queried by
 * any number of threads at once; pvg_media_index_add() and
 * pvg_media_index_set_enabled() may be called from any thread at any time
 * (a read-write lock inside the index serialises them against queries). A
 * query callback must not call back into the same index.
 *
 * OWNERSHIP RULE: every object returned through an out-parameter belongs to
 * the caller, who frees it with the matching *_free function. No function
 * keeps a pointer to the caller's input after it returns. Strings in hits
 * (entry id, bank, case id) belong to the index and stay valid until the
 * index is freed.
 *
 * ERRORS: 0 or a negative code: the general PVG_E* codes of privguard.h and
 * the PVG_EMEDIA_* codes below; pvg_media_strerror() describes both. The
 * library never prints, exits or aborts; hostile input yields an error code.
 */
#ifndef PRIVGUARD_MEDIA_H
#define PRIVGUARD_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include <privguard/privguard.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Media error codes (never renumbered; the range -60..-69 is the media's). */
#define PVG_EMEDIA_UNSUPPORTED -60 /* not an image or video format privguard reads */
#define PVG_EMEDIA_CORRUPT     -61 /* the data is malformed */
#define PVG_EMEDIA_TRUNCATED   -62 /* the data ends early */
#define PVG_EMEDIA_DIMENSIONS  -63 /* width, height or pixel count beyond the limits */
#define PVG_EMEDIA_NOFRAMES    -64 /* a video without any decodable frame */
#define PVG_EMEDIA_DUPLICATE   -65 /* an index entry with this id exists already */
#define PVG_EMEDIA_BADHASH     -66 /* a hash string is not 64 hexadecimal digits */

/* A static, lowercase description of any PVG_E* or PVG_EMEDIA_* code; never
 * NULL. */
PVG_API const char *pvg_media_strerror(pvg_error_t err);

/* ------------------------------------------------------------------ hashes */

#define PVG_PDQ_HEX_LEN 64 /* hex digits in a PDQ hash, without the NUL */

/* A 256-bit PDQ hash. Bit k (0..255) is w[k / 64] >> (k % 64) & 1; bit
 * 16*i + j is set when DCT coefficient (i, j) of the image is above the
 * median of the 256 coefficients. The hex form (Meta's) writes the 256-bit
 * number most significant digit first: w[3] first. */
typedef struct pvg_pdq_hash {
    uint64_t w[4];
} pvg_pdq_hash_t;

/* The eight dihedral forms, in the order of pvg_pdq_result_t.dihedral[]:
 * each names the transform applied to the original image whose hash the
 * entry is. Rotations are counter-clockwise, as in Meta's test files
 * (bridge-2-rotate-90 is the photo turned a quarter to the left). */
typedef enum pvg_dihedral {
    PVG_DIH_ORIGINAL = 0,
    PVG_DIH_ROTATE_90 = 1,   /* counter-clockwise */
    PVG_DIH_ROTATE_180 = 2,
    PVG_DIH_ROTATE_270 = 3,  /* counter-clockwise (90 clockwise) */
    PVG_DIH_FLIP_X = 4,      /* mirrored about the x axis: top-bottom */
    PVG_DIH_FLIP_Y = 5,      /* mirrored about the y axis: left-right */
    PVG_DIH_FLIP_PLUS1 = 6,  /* mirrored about the main diagonal (transpose) */
    PVG_DIH_FLIP_MINUS1 = 7, /* mirrored about the anti-diagonal */
    PVG_DIH_COUNT = 8
} pvg_dihedral_t;

/* "original", "rotate_90", ...; NULL for an unknown value. */
PVG_API const char *pvg_dihedral_name(int d);

/* The hash of one image or video frame. */
typedef struct pvg_pdq_result {
    pvg_pdq_hash_t hash;                     /* == dihedral[PVG_DIH_ORIGINAL] */
    pvg_pdq_hash_t dihedral[PVG_DIH_COUNT];  /* the hash of each transformed image */
    int quality;                             /* 0..100; below 50 the hash says little */
} pvg_pdq_result_t;

/* Writes the 64 hex digits of h and a NUL into hex (65 bytes). */
PVG_API void pvg_pdq_to_hex(const pvg_pdq_hash_t *h, char hex[PVG_PDQ_HEX_LEN + 1]);

/* Parses exactly 64 hex digits (either case) from hex[0..len). Returns
 * PVG_OK or PVG_EMEDIA_BADHASH (out is then zero). */
PVG_API PVG_WUR pvg_error_t pvg_pdq_from_hex(const char *hex, size_t len, pvg_pdq_hash_t *out);

/* The number of differing bits, 0..256. */
PVG_API int pvg_pdq_distance(const pvg_pdq_hash_t *a, const pvg_pdq_hash_t *b);

/* Hashes a luminance image: rows x cols floats, row-major, 0..255 scale.
 * luma is used as working memory and is overwritten. rows and cols must be
 * at least 1. Returns PVG_OK, PVG_EINVAL or PVG_ENOMEM. */
PVG_API PVG_WUR pvg_error_t pvg_pdq_hash_luma(float *luma, int rows, int cols,
                                              pvg_pdq_result_t *out);

/* Hashes 8-bit RGB (channels 3) or RGBA/RGBX (channels 4, the fourth byte is
 * ignored) pixels; stride is the byte distance between rows. Luminance is
 * 0.299 R + 0.587 G + 0.114 B. Returns PVG_OK, PVG_EINVAL or PVG_ENOMEM. */
PVG_API PVG_WUR pvg_error_t pvg_pdq_hash_rgb(const uint8_t *pixels, int width, int height,
                                             size_t stride, int channels,
                                             pvg_pdq_result_t *out);

/* ------------------------------------------------------------------ limits */

/* Limits on what a decoder accepts; a decompression bomb is refused from its
 * header, before any pixel buffer is allocated. */
typedef struct pvg_media_limits {
    size_t max_bytes;          /* input size; beyond: PVG_ETOOBIG */
    uint32_t max_width;        /* per side, in pixels; beyond: PVG_EMEDIA_DIMENSIONS */
    uint32_t max_height;
    uint64_t max_pixels;       /* width * height; beyond: PVG_EMEDIA_DIMENSIONS */
    double max_video_seconds;  /* video time decoded; the rest is not hashed */
    uint32_t max_video_samples;/* hashed frames per video; the rest is not hashed */
    uint64_t max_video_packets;/* demuxed packets per video; the rest is not read */
} pvg_media_limits_t;

/* The defaults: 256 MiB, 16384 x 16384, 50 megapixels, 1800 s, 1800 samples,
 * 2,000,000 packets. */
PVG_API void pvg_media_limits_default(pvg_media_limits_t *lim);

/* ------------------------------------------------------------------ decoding */

typedef enum pvg_media_format {
    PVG_MEDIA_UNKNOWN = 0,
    PVG_MEDIA_JPEG = 1,
    PVG_MEDIA_PNG = 2,
    PVG_MEDIA_WEBP = 3,
    PVG_MEDIA_VIDEO = 4 /* a container libav reads: MP4/MOV, Matroska/WebM, AVI, MPEG-TS/PS, FLV, GIF */
} pvg_media_format_t;

/* "jpeg", "png", "webp", "video" or "unknown". */
PVG_API const char *pvg_media_format_name(int format);

/* Recognises the format from the first bytes (magic numbers only). */
PVG_API pvg_media_format_t pvg_media_sniff(const void *buf, size_t len);

/* The hash of a decoded image. */
typedef struct pvg_media_image {
    pvg_media_format_t format;
    uint32_t width, height; /* as displayed, after the EXIF orientation */
    int orientation;        /* the EXIF orientation applied, 1..8 */
    pvg_pdq_result_t pdq;
} pvg_media_image_t;

/* Decodes a JPEG, PNG or WebP image held in buf[0..len) and hashes it.
 *   lim: NULL means pvg_media_limits_default().
 * Returns PVG_OK; PVG_EINVAL (NULL buf with len > 0, NULL out); PVG_ETOOBIG;
 * PVG_EMEDIA_UNSUPPORTED (not one of the three formats), PVG_EMEDIA_CORRUPT,
 * PVG_EMEDIA_TRUNCATED, PVG_EMEDIA_DIMENSIONS; PVG_ENOMEM. On failure *out is
 * zeroed. */
PVG_API PVG_WUR pvg_error_t pvg_media_hash_image(const void *buf, size_t len,
                                                 const pvg_media_limits_t *lim,
                                                 pvg_media_image_t *out);

/* One hashed video frame. */
typedef struct pvg_media_frame {
    double t;            /* seconds from the start of the stream */
    int scene_change;    /* 1 when sampled for a scene change, 0 for the per-second sample */
    pvg_pdq_result_t pdq;
} pvg_media_frame_t;

/* The hashes of a video. */
typedef struct pvg_media_video {
    uint32_t width, height;   /* of the video stream */
    double duration;          /* seconds decoded */
    const char *container;    /* libav's demuxer name, static */
    const char *codec;        /* libav's decoder name, static */
    int truncated;            /* 1 when a limit stopped the decoding early */
    size_t n_frames;
    pvg_media_frame_t *frames;/* n_frames, in time order */
} pvg_media_video_t;

/* Decodes the video held in buf[0..len) and hashes one frame per second
 * (the first frame, then the first frame of each following second) and each
 * frame that starts a new scene (a mean luminance change of more than 10% of
 * the range, on a 32x32 thumbnail, against the previous decoded frame).
 * Only the best video stream is read; other streams are ignored. Nested
 * files (playlists, references) are never opened. *out receives a video the
 * caller frees with pvg_media_video_free().
 * Returns PVG_OK, PVG_EINVAL, PVG_ETOOBIG, PVG_EMEDIA_UNSUPPORTED,
 * PVG_EMEDIA_CORRUPT, PVG_EMEDIA_DIMENSIONS, PVG_EMEDIA_NOFRAMES, PVG_ENOMEM;
 * on failure *out is NULL. */
PVG_API PVG_WUR pvg_error_t pvg_media_hash_video(const void *buf, size_t len,
                                                 const pvg_media_limits_t *lim,
                                                 pvg_media_video_t **out);

PVG_API void pvg_media_video_free(pvg_media_video_t *v); /* NULL is a no-op */

/* libav logs warnings about damaged input to stderr through av_log(). This
 * turns its log off for the WHOLE PROCESS (av_log_set_level(AV_LOG_QUIET));
 * programs call it once at start-up (the CLI does; the service should). */
PVG_API void pvg_media_silence_libav(void);

/* ------------------------------------------------------------------ index */

typedef struct pvg_media_index pvg_media_index_t;

/* Creates an empty index. The caller frees it with pvg_media_index_free().
 * An index is made to be filled from the store's bank-entry rows with
 * pvg_media_index_add(), one call per row, and kept up to date the same way.
 * Returns PVG_OK, PVG_EINVAL or PVG_ENOMEM. */
PVG_API PVG_WUR pvg_error_t pvg_media_index_new(pvg_media_index_t **out);

PVG_API void pvg_media_index_free(pvg_media_index_t *idx); /* NULL is a no-op */

/* Adds an entry.
 *   entry_id: unique non-empty id (the store's entry id), copied.
 *   bank:     non-empty bank name, e.g. "confirmed_private_media", copied.
 *   case_id:  the source case (decision or rights notice), may be NULL or
 *             empty, copied.
 *   enabled:  0 for an entry that is kept but must not match.
 * Returns PVG_OK, PVG_EINVAL, PVG_EMEDIA_DUPLICATE or PVG_ENOMEM (the index
 * is then unchanged). */
PVG_API PVG_WUR pvg_error_t pvg_media_index_add(pvg_media_index_t *idx, const pvg_pdq_hash_t *h,
                                                const char *entry_id, const char *bank,
                                                const char *case_id, int enabled);

/* Enables (1) or disables (0) the entry with this id. Returns PVG_OK,
 * PVG_EINVAL or PVG_ENOTFOUND. */
PVG_API PVG_WUR pvg_error_t pvg_media_index_set_enabled(pvg_media_index_t *idx,
                                                        const char *entry_id, int enabled);

/* Entries held (enabled or not), and enabled entries. */
PVG_API size_t pvg_media_index_count(const pvg_media_index_t *idx);
PVG_API size_t pvg_media_index_enabled_count(const pvg_media_index_t *idx);

/* One entry found by a query. */
typedef struct pvg_media_hit {
    const char *entry_id; /* owned by the index */
    const char *bank;     /* owned by the index */
    const char *case_id;  /* owned by the index; "" when none */
    int distance;         /* Hamming distance to the query hash */
} pvg_media_hit_t;

/* Called once per enabled entry within the distance, in no set order.
 * Return 0 to go on, non-zero to stop (the query then returns PVG_ESTOPPED). */
typedef int (*pvg_media_hit_cb)(const pvg_media_hit_t *hit, void *ctx);

/* Finds the enabled entries within max_distance (0..256) bits of q, in bank
 * (NULL or "" for every bank). A distance up to 63 is answered by
 * multi-index hashing (16 tables of 16-bit substrings); a larger one scans
 * every entry. Returns PVG_OK, PVG_EINVAL or PVG_ESTOPPED. */
PVG_API pvg_error_t pvg_media_index_query(const pvg_media_index_t *idx, const pvg_pdq_hash_t *q,
                                          int max_distance, const char *bank,
                                          pvg_media_hit_cb cb, void *ctx);

/* ------------------------------------------------------------------ matching */

#define PVG_PDQ_DEFAULT_THRESHOLD 31 /* Hamming distance that counts as a match */
#define PVG_PDQ_MIN_QUALITY 50       /* hashes below this quality are not matched */

typedef struct pvg_media_match_opts {
    int max_distance;         /* default PVG_PDQ_DEFAULT_THRESHOLD */
    int min_quality;          /* default PVG_PDQ_MIN_QUALITY; 0 matches every hash */
    int dihedral;             /* 1 (default): also match the seven rotated/flipped forms */
    const char *bank;         /* NULL (default): every bank */
    uint32_t video_min_frames;/* default 2; see pvg_media_match_video() */
} pvg_media_match_opts_t;

PVG_API void pvg_media_match_opts_default(pvg_media_match_opts_t *o);

/* One bank entry matched by an image or a video. */
typedef struct pvg_media_match {
    pvg_media_hit_t hit;   /* the best (smallest) distance found */
    int variant;           /* pvg_dihedral_t of the query form that matched best */
    uint32_t frames;       /* video: sampled frames that matched this entry; image: 1 */
    double first_t;        /* video: time of the first matching frame; image: 0 */
} pvg_media_match_t;

/* The answer to a match. */
typedef struct pvg_media_matches {
    int matched;               /* 1 when the image or video matches the bank */
    uint32_t frames_considered;/* hashes at or above min_quality (image: 0 or 1) */
    uint32_t frames_matched;   /* of those, how many matched some entry */
    size_t n;                  /* entries matched, best first (most frames, then distance) */
    pvg_media_match_t *items;
} pvg_media_matches_t;

PVG_API void pvg_media_matches_free(pvg_media_matches_t *m); /* NULL is a no-op */

/* Matches one image hash: it matches when its quality is at least
 * min_quality and some enabled entry lies within max_distance of the hash
 * (or, with dihedral, of one of its eight forms). opts may be NULL for the
 * defaults. *out receives the answer, freed with pvg_media_matches_free().
 * Returns PVG_OK, PVG_EINVAL or PVG_ENOMEM. */
PVG_API PVG_WUR pvg_error_t pvg_media_match_image(const pvg_media_index_t *idx,
                                                  const pvg_pdq_result_t *pdq,
                                                  const pvg_media_match_opts_t *opts,
                                                  pvg_media_matches_t **out);

/* Matches a video. THE VIDEO RULE: each sampled frame whose quality is at
 * least min_quality is matched like an image; the video matches when at
 * least K of those frames match some entry, where K = video_min_frames, or
 * the number of such frames when the video has fewer (so a video of one
 * second matches on its one frame). A video none of whose frames reaches
 * min_quality does not match. Returns as pvg_media_match_image(). */
PVG_API PVG_WUR pvg_error_t pvg_media_match_video(const pvg_media_index_t *idx,
                                                  const pvg_media_video_t *v,
                                                  const pvg_media_match_opts_t *opts,
                                                  pvg_media_matches_t **out);

#ifdef __cplusplus
}
#endif
#endif
