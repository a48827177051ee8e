/* SPDX-License-Identifier: MIT */
/*
 * fuzz_media_video.c -- libFuzzer driver for pvg_media_hash_video(): any
 * bytes as a video container. Invariants: no crash, leak or undefined
 * behaviour; on success the frames are in time order with sane quality;
 * on failure nothing is returned. Limits are lowered so that one input
 * costs milliseconds.
 */
#include <stdint.h>
#include <stdlib.h>

#include <privguard/media.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        pvg_media_silence_libav();
        quiet = 1;
    }
    pvg_media_limits_t lim;
    pvg_media_limits_default(&lim);
    lim.max_pixels = 1000000;
    lim.max_width = 2048;
    lim.max_height = 2048;
    lim.max_video_seconds = 30.0;
    lim.max_video_samples = 16;
    lim.max_video_packets = 2000;
    pvg_media_video_t *v = NULL;
    pvg_error_t rc = pvg_media_hash_video(data, size, &lim, &v);
    if (rc == PVG_OK) {
        if (!v || v->n_frames == 0 || v->n_frames > 16)
            abort();
        for (size_t i = 0; i < v->n_frames; i++) {
            if (v->frames[i].pdq.quality < 0 || v->frames[i].pdq.quality > 100)
                abort();
            if (i && v->frames[i].t < v->frames[i - 1].t)
                abort();
        }
    } else if (v || rc == PVG_EINVAL) {
        abort();
    }
    pvg_media_video_free(v);
    return 0;
}
