/* SPDX-License-Identifier: MIT */
/*
 * policy_types.h -- the policy's data, included by the engine's internal
 * header (the engine holds a policy); policy.h has the functions.
 */
#ifndef PVG_POLICY_TYPES_H
#define PVG_POLICY_TYPES_H

#include <stdint.h>
#include <stddef.h>

#include <privguard/privguard.h>

/* The categories (DETECTION.md). The numbers are stable. */
enum {
    PVG__CAT_PII_EXPOSURE = 0,
    PVG__CAT_PII_TRADE,
    PVG__CAT_IMPERSONATION,
    PVG__CAT_UNCONSENTED,
    PVG__CAT_PHISHING,
    PVG__CAT_MALWARE,
    PVG__CAT_THREAT,
    PVG__CAT_AUTH_KEY,
    PVG__CAT_ILLEGAL_USE,
    PVG__CAT_COUNT
};

/* Cue words: what the policy reads around findings and in the message.
 * They are words of type PVG__T_CUE + kind in the Vectorscan database. */
enum {
    PVG__CUE_SELF = 0,     /* 제, 내, my: one's own information */
    PVG__CUE_THIRD,        /* 이 사람, 얘, 걔: someone else's */
    PVG__CUE_DOXXING,      /* 사기꾼, 신상, 다들 연락해: exposing someone */
    PVG__CUE_REQUEST,      /* 보내주세요, 알려줘: asking for something */
    PVG__CUE_PII_NOUN,     /* 주민번호, 인증번호, 계좌번호: what is asked for */
    PVG__CUE_PROTECTED,    /* a protected name in the text (extra = its index) */
    PVG__CUE_DISCUSSION,   /* 신고, 조심, 뉴스, 처벌: talking ABOUT abuse, not doing it */
    PVG__CUE_RISKY_EXT,    /* ".apk": a file name with a risky extension in the text */
    PVG__CUE_COUNT
};
#define PVG__T_CUE 80      /* word types PVG__T_CUE .. PVG__T_CUE + PVG__CUE_COUNT - 1 */
#define PVG__T_RULE 96     /* a policy rule's phrase or regex (extra = rule index) */

/* Built-in signals computed in C, usable in `signals:` weights and in
 * `requires:` of a category. */
enum {
    PVG__SIG_URL = 0,          /* the message has a URL or a link attachment */
    PVG__SIG_URL_LOOKALIKE,    /* a domain imitates an official domain or a protected name */
    PVG__SIG_URL_PUNYCODE,     /* an IDN host (xn--) */
    PVG__SIG_URL_SHORTENER,    /* a URL shortener */
    PVG__SIG_URL_IP,           /* a URL whose host is an IP address */
    PVG__SIG_URL_USERINFO,     /* user@host tricks */
    PVG__SIG_URL_OFFICIAL,     /* every URL is on an official domain */
    PVG__SIG_RISKY_FILE,       /* .apk/.exe link or attachment */
    PVG__SIG_SENDER_LOOKALIKE, /* the display name is or imitates a protected name */
    PVG__SIG_CLAIMS_PROTECTED, /* the text names a protected organisation */
    PVG__SIG_PII_REQUEST,      /* a request cue near a PII noun */
    PVG__SIG_PII_FINDING,      /* the message holds personal information */
    PVG__SIG_OPEN_SURFACE,     /* a surface strangers see */
    PVG__SIG_FORM_LINK,        /* a form link (forms.gle, ...) */
    PVG__SIG_URL_UNOFFICIAL,   /* a link that is not on an official domain */
    PVG__SIG_ATTACHMENT,       /* a file is sent with the message */
    PVG__SIG_SENDER_OFFICIAL,  /* the display name claims an organisation (공단, 고객센터, bank) */
    PVG__SIG_COUNT
};

/* A rule: one id, phrases or a regex, a weight for its category. */
typedef struct pvg__prule {
    char *id;                  /* "pii_trade.db_sale" */
    int category;
    float weight;
    int shadow;                /* the rule runs in shadow mode */
    int line;                  /* in the rules file */
    uint8_t groups;            /* word groups that must all match (`all:`), 1 otherwise */
#define PVG__VETO_GROUP 7      /* the group bit of `none:` words, which veto the rule */
} pvg__prule_t;

/* A requirement: the category fires only when, for every group, at least
 * one member matched. Members are signals (>= 0) or rules (-(index+1)). */
#define PVG__MAX_REQ 4
#define PVG__MAX_REQ_MEMBERS 12
typedef struct pvg__preq {
    int n;
    int member[PVG__MAX_REQ_MEMBERS];
} pvg__preq_t;

typedef struct pvg__pcat {
    int enabled;               /* 0: off */
    int shadow;                /* evaluated and counted, never acted on */
    float threshold;
    float signal_weight[PVG__SIG_COUNT];
    uint32_t signal_mask;      /* bit per signal with a weight (set by pvg__policy_finish) */
    int action[PVG_SURFACE_COUNT];
    pvg__preq_t req[PVG__MAX_REQ];
    int n_req;
    pvg__preq_t unless;        /* any of these matched: the category does not fire */
    float discussion;          /* score factor when the message talks about abuse (1: none) */
    uint64_t rule_hits;        /* messages where the category's own logic fired */
} pvg__pcat_t;

/* A string list of the policy (names, domains, shorteners, extensions). */
typedef struct pvg__strlist {
    char **s;
    size_t n, cap;
} pvg__strlist_t;

typedef struct pvg__policy {
    float threshold;           /* violations below it are not reported */
    pvg__pcat_t cat[PVG__CAT_COUNT];
    pvg__prule_t *rules;
    size_t n_rules, cap_rules;
    uint64_t *hits;            /* per rule, updated atomically */
    pvg__strlist_t protected_names, official_domains, shorteners, risky_ext, form_domains,
        remote_apps, org_words;
    /* events */
    int illegal_use_accounts;  /* distinct accounts per identifier before it is illegal use */
    int64_t illegal_use_window_ms;
    int64_t auth_key_window_ms;
    void *lookalike;           /* compiled look-alike matcher (policy/lookalike.h), or NULL */
    int context_only;          /* some category can fire on the sender's name and the
                                  surface alone (no words, no findings) */
} pvg__policy_t;

#endif
