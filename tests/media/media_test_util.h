/* SPDX-License-Identifier: MIT */
/*
 * media_test_util.h -- helpers shared by the media tests: reading files
 * from the shared PDQ corpus, its expected hashes, and encoders that make
 * test images (JPEG with an EXIF orientation, PNG, WebP) from generated
 * pixels. Test-only code; single-threaded.
 */
#ifndef PVG_MEDIA_TEST_UTIL_H
#define PVG_MEDIA_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <privguard/media.h>

typedef struct mt_expected {
    char file[256]; /* path relative to the pdq corpus folder */
    char pdq[PVG_PDQ_HEX_LEN + 1];
} mt_expected_t;

/* The pdq corpus folder ($PVG_SHARED, then corpus, then pdq); NULL when not set. */
const char *mt_pdq_dir(void);
/* Reads a whole file; NULL on failure. The caller frees the buffer. */
uint8_t *mt_read_file(const char *path, size_t *len);
/* Reads corpus file rel (e.g. "images/x.jpg"). */
uint8_t *mt_read_corpus(const char *rel, size_t *len);
/* Loads expected.jsonl; returns the count, fills *out (caller frees). */
size_t mt_load_expected(mt_expected_t **out);

/* A generated w x h RGB picture: shapes and gradients, different per seed,
 * asymmetric so that rotations change the hash. Caller frees. */
uint8_t *mt_make_rgb(int w, int h, unsigned seed);
/* Applies the inverse of an EXIF orientation to pixels, so that a viewer
 * honouring the orientation shows the original. Caller frees; the stored size goes to ow and oh. */
uint8_t *mt_unorient(const uint8_t *rgb, int w, int h, int orientation, int *ow, int *oh);
/* Encoders: return a malloc'd file and its length, or NULL. */
uint8_t *mt_encode_jpeg(const uint8_t *rgb, int w, int h, int quality, int orientation,
                        size_t *len);
uint8_t *mt_encode_png(const uint8_t *rgb, int w, int h, int interlaced, size_t *len);
uint8_t *mt_encode_webp(const uint8_t *rgb, int w, int h, size_t *len);

/* Decodes a JPEG file held in memory to RGB (no orientation applied), for
 * making videos of the corpus images. Caller frees; NULL on failure. */
uint8_t *mt_decode_jpeg(const uint8_t *buf, size_t len, int *w, int *h);

/* Encodes n RGB pictures (each its own size) as a video of size w x h at
 * fps frames per second, each picture shown for `hold` frames, with the
 * named libavcodec encoder and libavformat muxer. Returns a malloc'd file
 * or NULL (when the encoder or muxer is missing, *missing is set to 1). */
uint8_t *mt_encode_video(const uint8_t *const *rgb, const int *pw, const int *ph, int n, int w,
                         int h, int fps, int hold, const char *encoder, const char *muxer,
                         size_t *len, int *missing);

#endif
