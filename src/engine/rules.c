/* SPDX-License-Identifier: MIT */
/*
 * rules.c -- reads the rules file (YAML, through libyaml's document API)
 * into an engine's configuration and its list of context words.
 *
 * The format (docs/rules.md has the whole language):
 *
 *   version: 1
 *   min_score: 0.5
 *   window: {messages: 5, minutes: 10}
 *   anchors: {version: [v, ver, version, 버전]}
 *   detectors:
 *     KR_RRN:
 *       enabled: true
 *       threshold: 0.5
 *       context_window: {before: 48, after: 24}     # bytes of folded text
 *       context: [주민번호, RRN]                    # either side
 *       context_before: [...]; context_after: [...]
 *       negative: [주문번호]; negative_before: [...]; negative_after: [...]
 *
 * Unknown keys are errors, reported with their line, so a typo never turns
 * a rule off silently. Keys under `policy:` belong to the policy layer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "engine/rules.h"
#include "policy/policy.h"

void pvg__yaml_error(pvg__rules_t *r, const yaml_node_t *node, const char *rule, const char *fmt,
                    const char *arg)
{
    if (r->err_message[0])
        return; /* keep the first error */
    snprintf(r->err_message, sizeof r->err_message, fmt, arg ? arg : "");
    snprintf(r->err_rule, sizeof r->err_rule, "%s", rule ? rule : "");
    r->err_line = node ? (int)node->start_mark.line + 1 : 0;
    r->err_column = node ? (int)node->start_mark.column + 1 : 0;
}

int pvg__yaml_is(const yaml_node_t *n, const char *s)
{
    return n && n->type == YAML_SCALAR_NODE && strlen(s) == n->data.scalar.length &&
           !memcmp(n->data.scalar.value, s, n->data.scalar.length);
}

const char *pvg__yaml_str(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int pvg__yaml_bool(pvg__rules_t *r, const yaml_node_t *n, const char *rule, int *out)
{
    const char *v = pvg__yaml_str(n);
    if (v && (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))) {
        *out = 1;
        return 0;
    }
    if (v && (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))) {
        *out = 0;
        return 0;
    }
    pvg__yaml_error(r, n, rule, "expected true or false%s", "");
    return -1;
}

int pvg__yaml_number(pvg__rules_t *r, const yaml_node_t *n, const char *rule, double lo,
                      double hi, double *out)
{
    const char *v = pvg__yaml_str(n);
    char *end;
    errno = 0;
    double d = v ? strtod(v, &end) : 0;
    if (!v || !*v || *end || errno || d < lo || d > hi) {
        char range[64];
        snprintf(range, sizeof range, "%g to %g", lo, hi);
        pvg__yaml_error(r, n, rule, "expected a number from %s", range);
        return -1;
    }
    *out = d;
    return 0;
}

int pvg__rules_add_builtin(pvg__rules_t *r, const char *text, size_t len, int type, int polarity,
                           int side, int extra)
{
    return pvg__rules_add_word(r, text, len, type, polarity, side, extra, 0, 0);
}

int pvg__rules_add_word(pvg__rules_t *r, const char *text, size_t len, int type, int polarity,
                        int side, int extra, int regex, int line)
{
    if (r->n_words == r->cap_words) {
        size_t cap = r->cap_words ? r->cap_words * 2 : 256;
        pvg__rule_word_t *w = realloc(r->words, cap * sizeof *w);
        if (!w)
            return -1;
        r->words = w;
        r->cap_words = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, text, len);
    copy[len] = 0;
    pvg__rule_word_t *w = &r->words[r->n_words++];
    w->text = copy;
    w->len = len;
    w->type = type;
    w->polarity = polarity;
    w->side = side;
    w->extra = extra;
    w->regex = regex;
    w->line = line;
    return 0;
}

static int add_word(pvg__rules_t *r, const yaml_node_t *n, const char *rule, int type,
                    int polarity, int side)
{
    const char *v = pvg__yaml_str(n);
    if (!v || n->data.scalar.length == 0 || n->data.scalar.length > 200) {
        pvg__yaml_error(r, n, rule, "expected a word of 1 to 200 bytes%s", "");
        return -1;
    }
    if (r->n_words == r->cap_words) {
        size_t cap = r->cap_words ? r->cap_words * 2 : 256;
        pvg__rule_word_t *w = realloc(r->words, cap * sizeof *w);
        if (!w) {
            r->oom = 1;
            return -1;
        }
        r->words = w;
        r->cap_words = cap;
    }
    char *copy = malloc(n->data.scalar.length + 1);
    if (!copy) {
        r->oom = 1;
        return -1;
    }
    memcpy(copy, v, n->data.scalar.length + 1);
    pvg__rule_word_t *w = &r->words[r->n_words++];
    w->text = copy;
    w->len = n->data.scalar.length;
    w->type = type;
    w->polarity = polarity;
    w->side = side;
    w->extra = 0;
    w->regex = 0;
    w->line = (int)n->start_mark.line + 1;
    return 0;
}

static int add_words(pvg__rules_t *r, yaml_document_t *doc, const yaml_node_t *list,
                     const char *rule, int type, int polarity, int side)
{
    if (list->type != YAML_SEQUENCE_NODE) {
        pvg__yaml_error(r, list, rule, "expected a list of words%s", "");
        return -1;
    }
    for (yaml_node_item_t *it = list->data.sequence.items.start;
         it < list->data.sequence.items.top; it++)
        if (add_word(r, yaml_document_get_node(doc, *it), rule, type, polarity, side))
            return -1;
    return 0;
}

static int parse_detector(pvg__rules_t *r, yaml_document_t *doc, int type, const yaml_node_t *map,
                          const char *rule)
{
    if (map->type != YAML_MAPPING_NODE) {
        pvg__yaml_error(r, map, rule, "expected a mapping%s", "");
        return -1;
    }
    pvg__detector_cfg_t *cfg = &r->det[type];
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        double d;
        int rc = 0;
        if (pvg__yaml_is(k, "enabled"))
            rc = pvg__yaml_bool(r, v, rule, &cfg->enabled);
        else if (pvg__yaml_is(k, "threshold")) {
            rc = pvg__yaml_number(r, v, rule, 0, 1, &d);
            cfg->threshold = (float)d;
            r->threshold_set[type] = 1;
        } else if (pvg__yaml_is(k, "context_window")) {
            if (v->type != YAML_MAPPING_NODE) {
                pvg__yaml_error(r, v, rule, "expected {before: N, after: N}%s", "");
                return -1;
            }
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start;
                 q < v->data.mapping.pairs.top && !rc; q++) {
                yaml_node_t *kk = yaml_document_get_node(doc, q->key);
                yaml_node_t *vv = yaml_document_get_node(doc, q->value);
                rc = pvg__yaml_number(r, vv, rule, 0, 400, &d);
                if (pvg__yaml_is(kk, "before"))
                    cfg->window_before = (int)d;
                else if (pvg__yaml_is(kk, "after"))
                    cfg->window_after = (int)d;
                else {
                    pvg__yaml_error(r, kk, rule, "unknown key '%s' (before, after)", pvg__yaml_str(kk));
                    return -1;
                }
            }
        } else if (pvg__yaml_is(k, "context"))
            rc = add_words(r, doc, v, rule, type, +1, PVG__SIDE_ANY);
        else if (pvg__yaml_is(k, "context_before"))
            rc = add_words(r, doc, v, rule, type, +1, PVG__SIDE_BEFORE);
        else if (pvg__yaml_is(k, "context_after"))
            rc = add_words(r, doc, v, rule, type, +1, PVG__SIDE_AFTER);
        else if (pvg__yaml_is(k, "negative"))
            rc = add_words(r, doc, v, rule, type, -1, PVG__SIDE_ANY);
        else if (pvg__yaml_is(k, "negative_before"))
            rc = add_words(r, doc, v, rule, type, -1, PVG__SIDE_BEFORE);
        else if (pvg__yaml_is(k, "negative_after"))
            rc = add_words(r, doc, v, rule, type, -1, PVG__SIDE_AFTER);
        else {
            pvg__yaml_error(r, k, rule,
                      "unknown key '%s' (enabled, threshold, context_window, context, "
                      "context_before, context_after, negative, negative_before, negative_after)",
                      pvg__yaml_str(k));
            return -1;
        }
        if (rc)
            return -1;
    }
    return 0;
}

static int parse_detectors(pvg__rules_t *r, yaml_document_t *doc, const yaml_node_t *map)
{
    if (map->type != YAML_MAPPING_NODE) {
        pvg__yaml_error(r, map, "detectors", "expected a mapping of detector names%s", "");
        return -1;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        const char *name = pvg__yaml_str(k);
        int type = name ? pvg_entity_from_name(name, k->data.scalar.length) : PVG_ENOTFOUND;
        if (type < 0) {
            pvg__yaml_error(r, k, "detectors", "unknown detector '%s'", name ? name : "?");
            return -1;
        }
        char rule[96];
        snprintf(rule, sizeof rule, "detectors.%s", name);
        if (parse_detector(r, doc, type, v, rule))
            return -1;
    }
    return 0;
}

static int parse_anchors(pvg__rules_t *r, yaml_document_t *doc, const yaml_node_t *map)
{
    if (map->type != YAML_MAPPING_NODE) {
        pvg__yaml_error(r, map, "anchors", "expected a mapping%s", "");
        return -1;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (pvg__yaml_is(k, "version")) {
            if (add_words(r, doc, v, "anchors.version", PVG__ANCHOR_VERSION, 0, PVG__SIDE_ANY))
                return -1;
        } else {
            pvg__yaml_error(r, k, "anchors", "unknown anchor '%s' (version)", pvg__yaml_str(k));
            return -1;
        }
    }
    return 0;
}

static int parse_window(pvg__rules_t *r, yaml_document_t *doc, const yaml_node_t *map)
{
    if (map->type != YAML_MAPPING_NODE) {
        pvg__yaml_error(r, map, "window", "expected {messages: N, minutes: N}%s", "");
        return -1;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        double d;
        if (pvg__yaml_is(k, "messages")) {
            if (pvg__yaml_number(r, v, "window.messages", 1, 64, &d))
                return -1;
            r->window_msgs = (size_t)d;
        } else if (pvg__yaml_is(k, "minutes")) {
            if (pvg__yaml_number(r, v, "window.minutes", 0, 1440, &d))
                return -1;
            r->window_age_ms = (int64_t)(d * 60000.0);
        } else {
            pvg__yaml_error(r, k, "window", "unknown key '%s' (messages, minutes)", pvg__yaml_str(k));
            return -1;
        }
    }
    return 0;
}

void pvg__rules_init(pvg__rules_t *r)
{
    memset(r, 0, sizeof *r);
    r->min_score = 0.5f;
    r->window_msgs = 5;
    r->window_age_ms = 10 * 60000;
    pvg__policy_init(&r->policy);
    for (int t = 0; t < PVG_ENTITY_COUNT; t++) {
        r->det[t].enabled = 1;
        r->det[t].threshold = 0.5f;
        r->det[t].window_before = 48;
        r->det[t].window_after = 24;
    }
}

void pvg__rules_free(pvg__rules_t *r)
{
    pvg__policy_free(&r->policy);
    for (size_t i = 0; i < r->n_words; i++)
        free(r->words[i].text);
    free(r->words);
    r->words = NULL;
    r->n_words = r->cap_words = 0;
}

int pvg__rules_parse(pvg__rules_t *r, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        r->oom = 1;
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(r->err_message, sizeof r->err_message, "yaml: %s",
                 parser.problem ? parser.problem : "cannot parse");
        r->err_line = (int)parser.problem_mark.line + 1;
        r->err_column = (int)parser.problem_mark.column + 1;
        yaml_parser_delete(&parser);
        return -1;
    }
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        pvg__yaml_error(r, NULL, NULL, "the rules file is empty%s", "");
        rc = -1;
    } else if (root->type != YAML_MAPPING_NODE) {
        pvg__yaml_error(r, root, NULL, "expected a mapping at the top%s", "");
        rc = -1;
    } else {
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
             p < root->data.mapping.pairs.top && !rc; p++) {
            yaml_node_t *k = yaml_document_get_node(&doc, p->key);
            yaml_node_t *v = yaml_document_get_node(&doc, p->value);
            double d;
            if (pvg__yaml_is(k, "version")) {
                rc = pvg__yaml_number(r, v, "version", 1, 1, &d);
            } else if (pvg__yaml_is(k, "min_score")) {
                rc = pvg__yaml_number(r, v, "min_score", 0, 1, &d);
                r->min_score = (float)d;
                r->min_score_set = 1;
            } else if (pvg__yaml_is(k, "window")) {
                rc = parse_window(r, &doc, v);
            } else if (pvg__yaml_is(k, "anchors")) {
                rc = parse_anchors(r, &doc, v);
            } else if (pvg__yaml_is(k, "detectors")) {
                rc = parse_detectors(r, &doc, v);
            } else if (pvg__yaml_is(k, "policy")) {
                rc = pvg__policy_parse(r, &r->policy, &doc, v);
            } else {
                pvg__yaml_error(r, k, NULL, "unknown top-level key '%s' (version, min_score, window, "
                          "anchors, detectors, policy)", pvg__yaml_str(k));
                rc = -1;
            }
        }
    }
    /* A detector without its own threshold takes the rule set's. */
    for (int t = 0; t < PVG_ENTITY_COUNT; t++)
        if (!r->threshold_set[t])
            r->det[t].threshold = r->min_score;
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc || r->oom ? -1 : 0;
}
