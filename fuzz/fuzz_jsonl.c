/* SPDX-License-Identifier: MIT */
/*
 * fuzz_jsonl.c -- libFuzzer driver for the CLI's input parser (the scan
 * contract's JSONL lines): every line parses or gets an error, and a parsed
 * message is valid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return 0;
    line_reader_t r;
    if (reader_open(&r, f)) {
        fclose(f);
        return 0;
    }
    while (reader_next(&r) == 1) {
        for (int fmt = 0; fmt < 2; fmt++) {
            parsed_t p;
            parse_line(&r, fmt, &p);
            if (!p.error && !p.is_event && !pvg_utf8_valid(p.msg.text, p.msg.text_len))
                abort();
            if (p.id_raw && p.id_raw_len > size + 32)
                abort();
            parsed_free(&p);
        }
    }
    reader_close(&r);
    fclose(f);
    return 0;
}
