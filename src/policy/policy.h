/* SPDX-License-Identifier: MIT */
/*
 * policy.h -- the policy layer's internal structures: the nine violation
 * categories, their rules (phrase lists and regexes compiled into the
 * engine's one Vectorscan database), cue words, signals, thresholds and the
 * action per category and surface.
 */
#ifndef PVG_POLICY_H
#define PVG_POLICY_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include <yaml.h>

#include "engine/internal.h"

#include "policy/policy_types.h"

const char *pvg__category_name(int cat);
int pvg__category_from_name(const char *s, size_t n);
const char *pvg__signal_name(int sig);
void pvg__policy_lookalike_free(pvg__policy_t *p);

/* Formats a violation reason into the scratch's reason buffer (valid until
 * the next scan with it); "..." when the buffer is full. */
const char *pvg__reason(pvg_scratch_t *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Whether the list holds s exactly. */
static inline int pvg__strlist_has(const pvg__strlist_t *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->s[i], s))
            return 1;
    return 0;
}

/* Parsing (rules.c calls it for the `policy:` key). Returns 0 or -1 with
 * the error in r. Words are added to r through pvg__rules_add_builtin(). */
struct pvg__rules;
int pvg__policy_parse(struct pvg__rules *r, pvg__policy_t *p, yaml_document_t *doc,
                      yaml_node_t *node);
void pvg__policy_init(pvg__policy_t *p);
/* Finishes a parsed policy (look-alike matcher, counters). 0 or -1. */
int pvg__policy_finish(pvg__policy_t *p);
void pvg__policy_free(pvg__policy_t *p);

/* Evaluates the policy for a scanned message: fills out->violations and
 * out->action from the findings, the hits and the message's context. */
void pvg__policy_eval(const pvg_engine_t *e, pvg_scratch_t *s, const pvg_message_t *m,
                      pvg_result_t *out);

#endif
