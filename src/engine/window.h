/* SPDX-License-Identifier: MIT */
/*
 * window.h -- conversation windows (per room and sender), internal side.
 */
#ifndef PVG_ENGINE_WINDOW_H
#define PVG_ENGINE_WINDOW_H

#include "engine/internal.h"

typedef struct pvg__wentry pvg__wentry_t;

int pvg__window_ok(const pvg_window_t *w);
/* The entry of m's (room, sender), created when absent; its state is reset
 * when the last message is older than the window's age. NULL when out of
 * memory (the scan then goes on without a window). */
pvg__wentry_t *pvg__window_get(pvg_window_t *w, const pvg_message_t *m, int64_t now_ms);
/* Puts the folded tail of the previous message at the start of s->fold and
 * sets s->prev_len and s->flen. */
void pvg__window_put_tail(pvg__wentry_t *we, pvg_scratch_t *s);
/* Fills f->prev_* for a candidate that starts at folded offset start inside
 * the previous message's tail. */
void pvg__window_prev_span(pvg__wentry_t *we, const pvg_scratch_t *s, size_t start,
                           pvg_finding_t *f);
/* Sets out->identifies* from the findings and the window's earlier
 * messages (we may be NULL). */
void pvg__identify(const pvg_engine_t *e, pvg__wentry_t *we, pvg_scratch_t *s, pvg_result_t *out);
/* Records the scanned message in its window. */
void pvg__window_record(pvg_window_t *w, pvg__wentry_t *we, const pvg_message_t *m,
                        const pvg_scratch_t *s, const pvg_result_t *out);

#endif
