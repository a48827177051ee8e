/* SPDX-License-Identifier: MIT */
/*
 * policy_rules.c -- reads the `policy:` section of a rules file.
 *
 *   policy:
 *     threshold: 0.6
 *     cues: {self: [...], third_party: [...], doxxing: [...], request: [...], pii_noun: [...]}
 *     protected_names: [카카오, 국민은행, 경찰청, ...]
 *     official_domains: [kakao.com, kbstar.com, police.go.kr, ...]
 *     shorteners: [bit.ly, ...]
 *     risky_extensions: [apk, exe, ...]
 *     form_domains: [forms.gle, ...]
 *     events: {illegal_pii_use: {accounts: 3, window_days: 30},
 *              auth_key_extraction: {window_hours: 24}}
 *     categories:
 *       pii_trade:
 *         mode: on            # on | shadow | off
 *         threshold: 0.6
 *         action: block       # every surface, or
 *         actions: {direct: review, open_chat: block, ...}
 *         signals: {url: 0.1} # weights of built-in signals
 *         requires: [[db_sale, db_regex], [contact, price]]   # AND of ORs
 *         rules:
 *           - id: db_sale
 *             weight: 0.7
 *             phrases: [디비 팝니다, 개인 정보 판매]   # a space matches any spacing
 *             regex: ['(디|띠|db)\s*(팝|판|팔)']
 *             mode: shadow     # optional: this rule only
 *
 * Phrases are caseless literals matched on the message with its spaces
 * removed (개인 정보 finds 개인정보 and 개인  정보), in their own literal
 * database. Regexes are Vectorscan regexes (UTF-8, caseless), in a third
 * database scanned only when the rules have any. docs/rules.md has the
 * language; every error names its line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rules.h"
#include "policy/policy.h"

static const char *const cat_names[PVG__CAT_COUNT] = {
    "pii_exposure", "pii_trade", "impersonation_collection", "unconsented_collection",
    "phishing_lure", "malware_lure", "exposure_threat", "auth_key_extraction", "illegal_pii_use",
};

const char *pvg__category_name(int cat)
{
    return cat >= 0 && cat < PVG__CAT_COUNT ? cat_names[cat] : NULL;
}

int pvg__category_from_name(const char *s, size_t n)
{
    for (int i = 0; i < PVG__CAT_COUNT; i++)
        if (strlen(cat_names[i]) == n && !memcmp(cat_names[i], s, n))
            return i;
    return -1;
}

static const char *const sig_names[PVG__SIG_COUNT] = {
    "url", "url_lookalike", "url_punycode", "url_shortener", "url_ip", "url_userinfo",
    "url_official", "risky_file", "sender_lookalike", "claims_protected", "pii_request",
    "pii_finding", "open_surface", "form_link", "url_unofficial", "attachment",
    "sender_official",
};

const char *pvg__signal_name(int sig)
{
    return sig >= 0 && sig < PVG__SIG_COUNT ? sig_names[sig] : NULL;
}

static int signal_from(const char *s)
{
    for (int i = 0; i < PVG__SIG_COUNT; i++)
        if (!strcmp(sig_names[i], s))
            return i;
    return -1;
}

/* In the order of the PVG__CUE_* kinds; "protected" is filled from
 * protected_names. */
static const char *const cue_names[] = {"self", "third_party", "doxxing", "request", "pii_noun",
                                        "", "discussion"};

void pvg__policy_init(pvg__policy_t *p)
{
    memset(p, 0, sizeof *p);
    p->threshold = 0.6f;
    p->illegal_use_accounts = 3;
    p->illegal_use_window_ms = 30LL * 86400000;
    p->auth_key_window_ms = 24LL * 3600000;
    for (int c = 0; c < PVG__CAT_COUNT; c++) {
        p->cat[c].enabled = 1;
        p->cat[c].threshold = -1; /* the policy's */
        p->cat[c].discussion = 1;
        for (int s = 0; s < PVG_SURFACE_COUNT; s++)
            p->cat[c].action[s] = PVG_ACTION_REVIEW;
    }
}

static void strlist_free(pvg__strlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->s[i]);
    free(l->s);
    memset(l, 0, sizeof *l);
}

void pvg__policy_free(pvg__policy_t *p)
{
    for (size_t i = 0; i < p->n_rules; i++)
        free(p->rules[i].id);
    free(p->rules);
    free(p->hits);
    strlist_free(&p->protected_names);
    strlist_free(&p->official_domains);
    strlist_free(&p->shorteners);
    strlist_free(&p->risky_ext);
    strlist_free(&p->form_domains);
    strlist_free(&p->remote_apps);
    strlist_free(&p->org_words);
    pvg__policy_lookalike_free(p);
    memset(p, 0, sizeof *p);
}

static int strlist_add(pvg__rules_t *r, pvg__strlist_t *l, const char *s, size_t n)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **ns = realloc(l->s, cap * sizeof *ns);
        if (!ns) {
            r->oom = 1;
            return -1;
        }
        l->s = ns;
        l->cap = cap;
    }
    char *c = malloc(n + 1);
    if (!c) {
        r->oom = 1;
        return -1;
    }
    memcpy(c, s, n);
    c[n] = 0;
    l->s[l->n++] = c;
    return 0;
}

static int expect_seq(pvg__rules_t *r, const yaml_node_t *n, const char *rule)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        pvg__yaml_error(r, n, rule, "expected a list%s", "");
        return -1;
    }
    return 0;
}

static int expect_map(pvg__rules_t *r, const yaml_node_t *n, const char *rule)
{
    if (n->type != YAML_MAPPING_NODE) {
        pvg__yaml_error(r, n, rule, "expected a mapping%s", "");
        return -1;
    }
    return 0;
}

/* Loops over a sequence's items or a mapping's pairs; the loop variable
 * gets a per-line name so that loops nest. */
#define PVG_CAT2(a, b) a##b
#define PVG_CAT(a, b) PVG_CAT2(a, b)
#define FOR_ITEMS(doc, seq, item)                                                        \
    for (yaml_node_item_t *PVG_CAT(it_, __LINE__) = (seq)->data.sequence.items.start;    \
         PVG_CAT(it_, __LINE__) < (seq)->data.sequence.items.top &&                     \
         ((item) = yaml_document_get_node((doc), *PVG_CAT(it_, __LINE__)));             \
         PVG_CAT(it_, __LINE__)++)
#define FOR_PAIRS(doc, map, k, v)                                                        \
    for (yaml_node_pair_t *PVG_CAT(p_, __LINE__) = (map)->data.mapping.pairs.start;      \
         PVG_CAT(p_, __LINE__) < (map)->data.mapping.pairs.top &&                       \
         ((k) = yaml_document_get_node((doc), PVG_CAT(p_, __LINE__)->key)) &&           \
         ((v) = yaml_document_get_node((doc), PVG_CAT(p_, __LINE__)->value));           \
         PVG_CAT(p_, __LINE__)++)

static int read_strlist(pvg__rules_t *r, yaml_document_t *doc, const yaml_node_t *seq,
                        const char *rule, pvg__strlist_t *l, int lower)
{
    if (expect_seq(r, seq, rule))
        return -1;
    yaml_node_t *item;
    FOR_ITEMS(doc, seq, item) {
        const char *s = pvg__yaml_str(item);
        if (!s || !item->data.scalar.length || item->data.scalar.length > 200) {
            pvg__yaml_error(r, item, rule, "expected a string of 1 to 200 bytes%s", "");
            return -1;
        }
        if (strlist_add(r, l, s, item->data.scalar.length))
            return -1;
        if (lower)
            for (char *c = l->s[l->n - 1]; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c + 32);
    }
    return 0;
}

/* A phrase without its spaces: phrases are matched on the message with
 * its spaces removed too, so "개인 정보" finds 개인정보, 개인 정보 and
 * 개인  정보 with a fast literal match. */
static char *phrase_nospace(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = pvg__nospace((const uint8_t *)s, n, (uint8_t *)out, NULL, NULL);
    out[o] = 0;
    return out;
}

static int add_phrases_group(pvg__rules_t *r, yaml_document_t *doc, const yaml_node_t *seq,
                             const char *rule, int type, int extra, int group)
{
    if (expect_seq(r, seq, rule))
        return -1;
    yaml_node_t *item;
    FOR_ITEMS(doc, seq, item) {
        const char *s = pvg__yaml_str(item);
        size_t n = s ? item->data.scalar.length : 0;
        if (!s || !n || n > 200) {
            pvg__yaml_error(r, item, rule, "expected a phrase of 1 to 200 bytes%s", "");
            return -1;
        }
        char *ns = phrase_nospace(s, n);
        if (!ns) {
            r->oom = 1;
            return -1;
        }
        if (!*ns) {
            free(ns);
            pvg__yaml_error(r, item, rule, "a phrase of spaces only%s", "");
            return -1;
        }
        int rc = pvg__rules_add_word(r, ns, strlen(ns), type, group, PVG__SIDE_ANY, extra,
                                     PVG__WORD_NOSPACE, (int)item->start_mark.line + 1);
        free(ns);
        if (rc) {
            r->oom = 1;
            return -1;
        }
    }
    return 0;
}

static int add_phrases(pvg__rules_t *r, yaml_document_t *doc, const yaml_node_t *seq,
                       const char *rule, int type, int extra)
{
    return add_phrases_group(r, doc, seq, rule, type, extra, 0);
}

static int parse_actions(pvg__rules_t *r, yaml_document_t *doc, const yaml_node_t *v,
                         const char *rule, int *action)
{
    yaml_node_t *k, *x;
    if (v->type == YAML_SCALAR_NODE) {
        for (int a = 0; a <= PVG_ACTION_BLOCK; a++)
            if (pvg__yaml_is(v, pvg_action_name(a))) {
                for (int s = 0; s < PVG_SURFACE_COUNT; s++)
                    action[s] = a;
                return 0;
            }
        pvg__yaml_error(r, v, rule, "unknown action '%s' (allow, mask, review, block)",
                        pvg__yaml_str(v));
        return -1;
    }
    if (expect_map(r, v, rule))
        return -1;
    FOR_PAIRS(doc, v, k, x) {
        const char *sn = pvg__yaml_str(k);
        int surf = sn ? pvg_surface_from_name(sn, k->data.scalar.length) : -1;
        if (surf < 0) {
            pvg__yaml_error(r, k, rule, "unknown surface '%s'", sn ? sn : "?");
            return -1;
        }
        int a, found = 0;
        for (a = 0; a <= PVG_ACTION_BLOCK && !found; a++)
            if (pvg__yaml_is(x, pvg_action_name(a))) {
                action[surf] = a;
                found = 1;
            }
        if (!found) {
            pvg__yaml_error(r, x, rule, "unknown action '%s' (allow, mask, review, block)",
                            pvg__yaml_str(x) ? pvg__yaml_str(x) : "?");
            return -1;
        }
    }
    return 0;
}

static int parse_mode(pvg__rules_t *r, const yaml_node_t *v, const char *rule, int *enabled,
                      int *shadow)
{
    if (pvg__yaml_is(v, "on") || pvg__yaml_is(v, "true")) {
        *enabled = 1, *shadow = 0;
    } else if (pvg__yaml_is(v, "shadow")) {
        *enabled = 1, *shadow = 1;
    } else if (pvg__yaml_is(v, "off") || pvg__yaml_is(v, "false")) {
        *enabled = 0, *shadow = 0;
    } else {
        pvg__yaml_error(r, v, rule, "expected on, shadow or off%s", "");
        return -1;
    }
    return 0;
}

/* Requirements name signals or rule ids of the same category; rule ids are
 * resolved after all rules are read, so they are kept as text first. */
typedef struct pending_req {
    int cat, group, member; /* group -1: the category's unless list */
    char name[64];
    const yaml_node_t *node;
} pending_req_t;

static int add_rule(pvg__rules_t *r, pvg__policy_t *p, yaml_document_t *doc, int cat,
                    const yaml_node_t *map, const char *catrule)
{
    if (expect_map(r, map, catrule))
        return -1;
    yaml_node_t *k, *v;
    const char *id = NULL;
    size_t idlen = 0;
    FOR_PAIRS(doc, map, k, v) {
        if (pvg__yaml_is(k, "id")) {
            id = pvg__yaml_str(v);
            idlen = id ? v->data.scalar.length : 0;
        }
    }
    if (!id || !idlen || idlen > 48) {
        pvg__yaml_error(r, map, catrule, "a rule needs an id of 1 to 48 bytes%s", "");
        return -1;
    }
    char full[128];
    snprintf(full, sizeof full, "%s.%.*s", cat_names[cat], (int)idlen, id);
    for (size_t i = 0; i < p->n_rules; i++)
        if (!strcmp(p->rules[i].id, full)) {
            pvg__yaml_error(r, map, full, "duplicate rule id%s", "");
            return -1;
        }
    if (p->n_rules == p->cap_rules) {
        size_t cap = p->cap_rules ? p->cap_rules * 2 : 32;
        pvg__prule_t *nr = realloc(p->rules, cap * sizeof *nr);
        if (!nr) {
            r->oom = 1;
            return -1;
        }
        p->rules = nr;
        p->cap_rules = cap;
    }
    size_t idx = p->n_rules;
    pvg__prule_t *rule = &p->rules[idx];
    memset(rule, 0, sizeof *rule);
    rule->id = strdup(full);
    if (!rule->id) {
        r->oom = 1;
        return -1;
    }
    p->n_rules++;
    rule->category = cat;
    rule->weight = 0.5f;
    rule->line = (int)map->start_mark.line + 1;
    rule->groups = 1;
    int patterns = 0, all = 0;
    FOR_PAIRS(doc, map, k, v) {
        double d;
        int en = 1;
        if (pvg__yaml_is(k, "id"))
            continue;
        if (pvg__yaml_is(k, "weight")) {
            if (pvg__yaml_number(r, v, full, 0, 1, &d))
                return -1;
            rule->weight = (float)d;
        } else if (pvg__yaml_is(k, "mode")) {
            if (parse_mode(r, v, full, &en, &rule->shadow))
                return -1;
            if (!en)
                rule->weight = 0;
        } else if (pvg__yaml_is(k, "phrases")) {
            if (add_phrases(r, doc, v, full, PVG__T_RULE, (int)idx))
                return -1;
            patterns++;
        } else if (pvg__yaml_is(k, "none")) {
            /* Words that veto the rule: "디비디" is a DVD, not a database. */
            if (add_phrases_group(r, doc, v, full, PVG__T_RULE, (int)idx, PVG__VETO_GROUP))
                return -1;
        } else if (pvg__yaml_is(k, "all")) {
            /* Word groups that must all be in the message, in any order:
             * all: [[디비, 개인 정보], [판매, 삽니다]]. */
            if (expect_seq(r, v, full))
                return -1;
            yaml_node_t *grp;
            int g = 0;
            FOR_ITEMS(doc, v, grp) {
                if (g == PVG__VETO_GROUP) {
                    pvg__yaml_error(r, grp, full, "at most 7 groups in all:%s", "");
                    return -1;
                }
                if (add_phrases_group(r, doc, grp, full, PVG__T_RULE, (int)idx, g))
                    return -1;
                g++;
            }
            if (g < 2) {
                pvg__yaml_error(r, v, full, "all: needs two groups or more (or use phrases:)%s", "");
                return -1;
            }
            rule->groups = (uint8_t)g;
            all = 1;
            patterns++;
        } else if (pvg__yaml_is(k, "regex")) {
            yaml_node_t *one[1] = {v};
            if (v->type == YAML_SCALAR_NODE) {
                if (pvg__rules_add_word(r, pvg__yaml_str(v), v->data.scalar.length, PVG__T_RULE, 0,
                                        PVG__SIDE_ANY, (int)idx, PVG__WORD_REGEX,
                                        (int)v->start_mark.line + 1)) {
                    r->oom = 1;
                    return -1;
                }
            } else if (v->type == YAML_SEQUENCE_NODE) {
                yaml_node_t *item;
                FOR_ITEMS(doc, v, item) {
                    const char *re = pvg__yaml_str(item);
                    if (!re || !item->data.scalar.length) {
                        pvg__yaml_error(r, item, full, "expected a regex%s", "");
                        return -1;
                    }
                    if (pvg__rules_add_word(r, re, item->data.scalar.length, PVG__T_RULE, 0,
                                            PVG__SIDE_ANY, (int)idx, PVG__WORD_REGEX,
                                            (int)item->start_mark.line + 1)) {
                        r->oom = 1;
                        return -1;
                    }
                }
            } else {
                pvg__yaml_error(r, one[0], full, "expected a regex or a list of them%s", "");
                return -1;
            }
            patterns++;
        } else {
            pvg__yaml_error(r, k, full, "unknown key '%s' (id, weight, mode, phrases, all, none, regex)",
                            pvg__yaml_str(k));
            return -1;
        }
    }
    if (!patterns) {
        pvg__yaml_error(r, map, full, "a rule needs phrases, all or regex%s", "");
        return -1;
    }
    if (all && patterns > 1) {
        pvg__yaml_error(r, map, full, "all: cannot be combined with phrases or regex%s", "");
        return -1;
    }
    return 0;
}

static int parse_category(pvg__rules_t *r, pvg__policy_t *p, yaml_document_t *doc, int cat,
                          const yaml_node_t *map, pending_req_t *pend, size_t *npend, size_t maxp)
{
    const char *rule = cat_names[cat];
    if (expect_map(r, map, rule))
        return -1;
    pvg__pcat_t *c = &p->cat[cat];
    yaml_node_t *k, *v;
    FOR_PAIRS(doc, map, k, v) {
        double d;
        if (pvg__yaml_is(k, "mode")) {
            if (parse_mode(r, v, rule, &c->enabled, &c->shadow))
                return -1;
        } else if (pvg__yaml_is(k, "threshold")) {
            if (pvg__yaml_number(r, v, rule, 0, 1, &d))
                return -1;
            c->threshold = (float)d;
        } else if (pvg__yaml_is(k, "discussion")) {
            if (pvg__yaml_number(r, v, rule, 0, 1, &d))
                return -1;
            c->discussion = (float)d;
        } else if (pvg__yaml_is(k, "action") || pvg__yaml_is(k, "actions")) {
            if (parse_actions(r, doc, v, rule, c->action))
                return -1;
        } else if (pvg__yaml_is(k, "signals")) {
            if (expect_map(r, v, rule))
                return -1;
            yaml_node_t *sk, *sv;
            FOR_PAIRS(doc, v, sk, sv) {
                const char *sn = pvg__yaml_str(sk);
                int sig = sn ? signal_from(sn) : -1;
                if (sig < 0) {
                    pvg__yaml_error(r, sk, rule, "unknown signal '%s'", sn ? sn : "?");
                    return -1;
                }
                if (pvg__yaml_number(r, sv, rule, 0, 1, &d))
                    return -1;
                c->signal_weight[sig] = (float)d;
            }
        } else if (pvg__yaml_is(k, "rules")) {
            if (expect_seq(r, v, rule))
                return -1;
            yaml_node_t *item;
            FOR_ITEMS(doc, v, item) {
                if (add_rule(r, p, doc, cat, item, rule))
                    return -1;
            }
        } else if (pvg__yaml_is(k, "unless")) {
            /* Signals or rules that stop the category: phishing_lure unless
             * [url_official] -- every link is on an official domain. */
            if (expect_seq(r, v, rule))
                return -1;
            yaml_node_t *m;
            FOR_ITEMS(doc, v, m) {
                const char *name = pvg__yaml_str(m);
                if (!name || c->unless.n == PVG__MAX_REQ_MEMBERS || *npend == maxp ||
                    m->data.scalar.length >= sizeof pend[0].name) {
                    pvg__yaml_error(r, m, rule, "expected at most 12 signal or rule names%s", "");
                    return -1;
                }
                pending_req_t *pr = &pend[(*npend)++];
                pr->cat = cat;
                pr->group = -1;
                pr->member = c->unless.n++;
                memcpy(pr->name, name, m->data.scalar.length + 1);
                pr->node = m;
            }
        } else if (pvg__yaml_is(k, "requires")) {
            if (expect_seq(r, v, rule))
                return -1;
            yaml_node_t *grp;
            FOR_ITEMS(doc, v, grp) {
                if (c->n_req == PVG__MAX_REQ) {
                    pvg__yaml_error(r, grp, rule, "at most 4 requirement groups%s", "");
                    return -1;
                }
                if (expect_seq(r, grp, rule))
                    return -1;
                pvg__preq_t *q = &c->req[c->n_req++];
                yaml_node_t *m;
                FOR_ITEMS(doc, grp, m) {
                    const char *name = pvg__yaml_str(m);
                    if (!name || q->n == PVG__MAX_REQ_MEMBERS || *npend == maxp ||
                        m->data.scalar.length >= sizeof pend[0].name) {
                        pvg__yaml_error(r, m, rule, "expected at most 12 signal or rule names%s", "");
                        return -1;
                    }
                    pending_req_t *pr = &pend[(*npend)++];
                    pr->cat = cat;
                    pr->group = c->n_req - 1;
                    pr->member = q->n++;
                    memcpy(pr->name, name, m->data.scalar.length + 1);
                    pr->node = m;
                }
            }
        } else {
            pvg__yaml_error(r, k, rule,
                            "unknown key '%s' (mode, threshold, discussion, action, actions, "
                            "signals, requires, unless, rules)",
                            pvg__yaml_str(k));
            return -1;
        }
    }
    return 0;
}

static int parse_events(pvg__rules_t *r, pvg__policy_t *p, yaml_document_t *doc,
                        const yaml_node_t *map)
{
    if (expect_map(r, map, "policy.events"))
        return -1;
    yaml_node_t *k, *v, *kk, *vv;
    FOR_PAIRS(doc, map, k, v) {
        double d;
        if (pvg__yaml_is(k, "illegal_pii_use")) {
            if (expect_map(r, v, "policy.events.illegal_pii_use"))
                return -1;
            FOR_PAIRS(doc, v, kk, vv) {
                if (pvg__yaml_is(kk, "accounts")) {
                    if (pvg__yaml_number(r, vv, "policy.events.illegal_pii_use", 2, 1000, &d))
                        return -1;
                    p->illegal_use_accounts = (int)d;
                } else if (pvg__yaml_is(kk, "window_days")) {
                    if (pvg__yaml_number(r, vv, "policy.events.illegal_pii_use", 1, 3650, &d))
                        return -1;
                    p->illegal_use_window_ms = (int64_t)(d * 86400000.0);
                } else {
                    pvg__yaml_error(r, kk, "policy.events.illegal_pii_use",
                                    "unknown key '%s' (accounts, window_days)", pvg__yaml_str(kk));
                    return -1;
                }
            }
        } else if (pvg__yaml_is(k, "auth_key_extraction")) {
            if (expect_map(r, v, "policy.events.auth_key_extraction"))
                return -1;
            FOR_PAIRS(doc, v, kk, vv) {
                if (pvg__yaml_is(kk, "window_hours")) {
                    if (pvg__yaml_number(r, vv, "policy.events.auth_key_extraction", 0, 8760, &d))
                        return -1;
                    p->auth_key_window_ms = (int64_t)(d * 3600000.0);
                } else {
                    pvg__yaml_error(r, kk, "policy.events.auth_key_extraction",
                                    "unknown key '%s' (window_hours)", pvg__yaml_str(kk));
                    return -1;
                }
            }
        } else {
            pvg__yaml_error(r, k, "policy.events",
                            "unknown key '%s' (illegal_pii_use, auth_key_extraction)",
                            pvg__yaml_str(k));
            return -1;
        }
    }
    return 0;
}

int pvg__policy_parse(struct pvg__rules *r, pvg__policy_t *p, yaml_document_t *doc,
                      yaml_node_t *node)
{
    if (expect_map(r, node, "policy"))
        return -1;
    enum { MAXP = 256 };
    pending_req_t *pend = calloc(MAXP, sizeof *pend);
    size_t npend = 0;
    if (!pend) {
        r->oom = 1;
        return -1;
    }
    int rc = 0;
    yaml_node_t *k, *v;
    FOR_PAIRS(doc, node, k, v) {
        double d;
        if (rc)
            break;
        if (pvg__yaml_is(k, "threshold")) {
            rc = pvg__yaml_number(r, v, "policy.threshold", 0, 1, &d);
            p->threshold = (float)d;
        } else if (pvg__yaml_is(k, "cues")) {
            if ((rc = expect_map(r, v, "policy.cues")))
                break;
            yaml_node_t *ck, *cv;
            FOR_PAIRS(doc, v, ck, cv) {
                int kind = -1;
                for (int i = 0; i < (int)(sizeof cue_names / sizeof cue_names[0]); i++)
                    if (cue_names[i][0] && pvg__yaml_is(ck, cue_names[i]))
                        kind = i;
                if (kind < 0) {
                    pvg__yaml_error(r, ck, "policy.cues",
                                    "unknown cue '%s' (self, third_party, doxxing, request, pii_noun, "
                                    "discussion)",
                                    pvg__yaml_str(ck));
                    rc = -1;
                    break;
                }
                if ((rc = add_phrases(r, doc, cv, "policy.cues", PVG__T_CUE + kind, 0)))
                    break;
            }
        } else if (pvg__yaml_is(k, "protected_names")) {
            rc = read_strlist(r, doc, v, "policy.protected_names", &p->protected_names, 0);
            /* A protected name in the text is a cue too. */
            for (size_t i = 0; !rc && i < p->protected_names.n; i++) {
                char *re = phrase_nospace(p->protected_names.s[i], strlen(p->protected_names.s[i]));
                if (!re || pvg__rules_add_word(r, re, strlen(re), PVG__T_CUE + PVG__CUE_PROTECTED,
                                               0, PVG__SIDE_ANY, (int)i, PVG__WORD_NOSPACE, 0)) {
                    r->oom = 1;
                    rc = -1;
                }
                free(re);
            }
        } else if (pvg__yaml_is(k, "official_domains")) {
            rc = read_strlist(r, doc, v, "policy.official_domains", &p->official_domains, 1);
        } else if (pvg__yaml_is(k, "shorteners")) {
            rc = read_strlist(r, doc, v, "policy.shorteners", &p->shorteners, 1);
        } else if (pvg__yaml_is(k, "risky_extensions")) {
            rc = read_strlist(r, doc, v, "policy.risky_extensions", &p->risky_ext, 1);
            /* ".apk" in the text: a file name (a cue, end boundary only). */
            for (size_t i = 0; !rc && i < p->risky_ext.n; i++) {
                char w[72];
                int wl = snprintf(w, sizeof w, ".%s", p->risky_ext.s[i]);
                if (wl <= 0 || (size_t)wl >= sizeof w ||
                    pvg__rules_add_word(r, w, (size_t)wl, PVG__T_CUE + PVG__CUE_RISKY_EXT, 0,
                                        PVG__SIDE_ANY, (int)i, PVG__WORD_LITERAL, 0)) {
                    r->oom = 1;
                    rc = -1;
                }
            }
        } else if (pvg__yaml_is(k, "org_words")) {
            rc = read_strlist(r, doc, v, "policy.org_words", &p->org_words, 1);
        } else if (pvg__yaml_is(k, "form_domains")) {
            rc = read_strlist(r, doc, v, "policy.form_domains", &p->form_domains, 1);
        } else if (pvg__yaml_is(k, "events")) {
            rc = parse_events(r, p, doc, v);
        } else if (pvg__yaml_is(k, "categories")) {
            if ((rc = expect_map(r, v, "policy.categories")))
                break;
            yaml_node_t *ck, *cv;
            FOR_PAIRS(doc, v, ck, cv) {
                const char *cn = pvg__yaml_str(ck);
                int cat = cn ? pvg__category_from_name(cn, ck->data.scalar.length) : -1;
                if (cat < 0) {
                    pvg__yaml_error(r, ck, "policy.categories", "unknown category '%s'",
                                    cn ? cn : "?");
                    rc = -1;
                    break;
                }
                if ((rc = parse_category(r, p, doc, cat, cv, pend, &npend, MAXP)))
                    break;
            }
        } else {
            pvg__yaml_error(r, k, "policy",
                            "unknown key '%s' (threshold, cues, protected_names, official_domains, "
                            "shorteners, risky_extensions, form_domains, org_words, events, "
                            "categories)",
                            pvg__yaml_str(k));
            rc = -1;
        }
    }
    /* Resolve requirement names. */
    for (size_t i = 0; !rc && i < npend; i++) {
        pending_req_t *pr = &pend[i];
        int sig = signal_from(pr->name);
        int member = 0;
        if (sig >= 0)
            member = sig;
        else {
            char full[128];
            snprintf(full, sizeof full, "%s.%s", cat_names[pr->cat], pr->name);
            int found = -1;
            for (size_t j = 0; j < p->n_rules; j++)
                if (!strcmp(p->rules[j].id, full))
                    found = (int)j;
            if (found < 0) {
                pvg__yaml_error(r, pr->node, cat_names[pr->cat],
                                "requires names '%s', which is neither a signal nor a rule of "
                                "this category", pr->name);
                rc = -1;
                break;
            }
            member = -(found + 1);
        }
        if (pr->group < 0)
            p->cat[pr->cat].unless.member[pr->member] = member;
        else
            p->cat[pr->cat].req[pr->group].member[pr->member] = member;
    }
    free(pend);
    return rc || r->oom ? -1 : 0;
}
