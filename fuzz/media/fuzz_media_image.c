/* SPDX-License-Identifier: MIT */
/*
 * fuzz_media_image.c -- libFuzzer driver for pvg_media_hash_image(): any
 * bytes as a JPEG, PNG or WebP file. Invariants: no crash, leak or
 * undefined behaviour; a success has sane fields; hashing the same bytes
 * twice gives the same answer. Limits are lowered (4 megapixels) so that
 * the fuzzer spends its time on parsing, not on large pictures.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <privguard/media.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pvg_media_limits_t lim;
    pvg_media_limits_default(&lim);
    lim.max_pixels = 4000000;
    lim.max_width = 4096;
    lim.max_height = 4096;
    pvg_media_image_t a, b;
    pvg_error_t ra = pvg_media_hash_image(data, size, &lim, &a);
    pvg_error_t rb = pvg_media_hash_image(data, size, &lim, &b);
    if (ra != rb)
        abort();
    if (ra == PVG_OK) {
        if (a.width == 0 || a.height == 0 || a.orientation < 1 || a.orientation > 8 ||
            a.pdq.quality < 0 || a.pdq.quality > 100 || a.format == PVG_MEDIA_UNKNOWN)
            abort();
        if (memcmp(&a, &b, sizeof a) != 0)
            abort();
        if (pvg_pdq_distance(&a.pdq.hash, &a.pdq.dihedral[PVG_DIH_ORIGINAL]) != 0)
            abort();
    } else if (ra > 0 || ra == PVG_EINVAL) {
        abort(); /* valid arguments never give EINVAL */
    }
    return 0;
}
