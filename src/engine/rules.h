/* SPDX-License-Identifier: MIT */
/*
 * rules.h -- the parsed form of a rules file, before compilation.
 */
#ifndef PVG_ENGINE_RULES_H
#define PVG_ENGINE_RULES_H

#include <yaml.h>

#include "engine/internal.h"
#include "policy/policy.h"

typedef struct pvg__rule_word {
    char *text;
    size_t len;
    int type, polarity, side, extra;
    int regex;                 /* PVG__WORD_LITERAL, _NOSPACE or _REGEX */
    int line;                  /* in the rules file, 0 for built-in words */
} pvg__rule_word_t;

typedef struct pvg__rules {
    float min_score;
    int min_score_set;
    size_t window_msgs;
    int64_t window_age_ms;
    pvg__detector_cfg_t det[PVG_ENTITY_COUNT];
    int threshold_set[PVG_ENTITY_COUNT];
    pvg__rule_word_t *words;
    size_t n_words, cap_words;
    pvg__policy_t policy;      /* moved into the engine by the compiler */
    int oom;
    /* the first error */
    char err_message[256];
    char err_rule[96];
    int err_line, err_column;
} pvg__rules_t;

void pvg__rules_init(pvg__rules_t *r);
/* Parses YAML text into r. Returns 0, or -1 with r->err_* set (or r->oom). */
int pvg__rules_parse(pvg__rules_t *r, const char *text, size_t len);
void pvg__rules_free(pvg__rules_t *r);
/* Adds a word (copied); regex says how it matches (PVG__WORD_*). Returns 0
 * or -1 when out of memory. */
int pvg__rules_add_word(pvg__rules_t *r, const char *text, size_t len, int type, int polarity,
                        int side, int extra, int regex, int line);
/* Adds a built-in word (copied). Returns 0 or -1 when out of memory. */
int pvg__rules_add_builtin(pvg__rules_t *r, const char *text, size_t len, int type, int polarity,
                           int side, int extra);

/* YAML helpers shared with the policy parser. */
void pvg__yaml_error(pvg__rules_t *r, const yaml_node_t *node, const char *rule, const char *fmt,
                    const char *arg);
int pvg__yaml_is(const yaml_node_t *n, const char *s);
const char *pvg__yaml_str(const yaml_node_t *n);
int pvg__yaml_bool(pvg__rules_t *r, const yaml_node_t *n, const char *rule, int *out);
int pvg__yaml_number(pvg__rules_t *r, const yaml_node_t *n, const char *rule, double lo, double hi,
                     double *out);

#endif
