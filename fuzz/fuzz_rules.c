/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rules.c -- libFuzzer driver for the rules compiler: any bytes either
 * compile or give PVG_ECOMPILE with a detail naming a line within the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include <privguard/privguard.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    pvg_engine_t *e = NULL;
    pvg_compile_error_t *err = NULL;
    pvg_error_t rc = pvg_engine_compile((const char *)data, size, 0, &e, &err);
    if (rc == PVG_OK) {
        if (!e || err)
            abort();
        pvg_engine_free(e);
    } else {
        if (e || (rc != PVG_ECOMPILE && rc != PVG_EINVAL && rc != PVG_ENOMEM))
            abort();
        if (rc == PVG_ECOMPILE && (!err || !err->message || err->line < 0))
            abort();
        pvg_compile_error_free(err);
    }
    return 0;
}
