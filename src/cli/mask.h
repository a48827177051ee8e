/* SPDX-License-Identifier: MIT */
/*
 * mask.h -- masking findings in message text (redact, demo, the console).
 */
#ifndef PVG_CLI_MASK_H
#define PVG_CLI_MASK_H

#include <stddef.h>
#include <privguard/privguard.h>

enum { MASK_PARTIAL = 0, MASK_FULL = 1, MASK_LABEL = 2 };

typedef struct mask_buf {
    char *data;
    size_t len, cap;
} mask_buf_t;

/* Writes text with the findings at or above min_score masked into b
 * (replacing its content). Partial masks keep what people recognise a value
 * by without exposing it: 010-****-5678, 900101-*******, 4111-****-****-1111,
 * ab***@example.com, 192.168.*.*. URLs are signals, not personal data, and
 * stay. Returns 0, or -1 when out of memory. */
int mask_text(mask_buf_t *b, const char *text, size_t len, const pvg_finding_t *f, size_t n,
              float min_score, int mode);
/* Wipes and frees the buffer. */
void mask_buf_free(mask_buf_t *b);

#endif
