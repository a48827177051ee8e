/* SPDX-License-Identifier: MIT */
/*
 * lookalike.h -- look-alike names and domains (internal to libprivguard).
 *
 * Impersonation and phishing use names and domains that look like a
 * protected organisation's: a sender called "카카오톡 고객센터" or "kakaо"
 * (Cyrillic о), "국민은헹", "카카0"; links to kakao-help.com, naver.co,
 * rnaver.com or a punycode domain that decodes to kakaо.com. This module
 * answers two questions against lists the caller gives (the rules file's
 * protected names and official domains):
 *
 *   pvg__lookalike_name()   is this display name or word a protected name,
 *                           exactly or as a look-alike?
 *   pvg__lookalike_domain() is this host official, or a look-alike of an
 *                           official domain or a protected name?
 *
 * Two layers decide "looks like": ICU's spoof checker skeleton (UTS #39
 * confusables) for Latin, Cyrillic and Greek, and a Korean layer ICU lacks
 * (Hangul decomposed to jamo, loose jamo recomposed, digits and letters
 * that stand for jamo, a weighted edit distance over jamo). The rules are
 * in docs/url-analysis.md and at the top of lookalike.c.
 *
 * THREAD RULE: a compiled pvg__lookalike_t is immutable and may be shared
 * by any number of threads (its USpoofChecker is only used through ICU's
 * const, thread-safe uspoof_getSkeleton). A pvg__lookalike_cache_t belongs
 * to one thread (or one call at a time); it is not tied to one matcher: it
 * clears itself when used with a different matcher, so it may outlive an
 * engine reload.
 *
 * PRIVACY: the cache holds queried names and hosts (message text); it is
 * wiped when freed or cleared.
 */
#ifndef PVG_POLICY_LOOKALIKE_H
#define PVG_POLICY_LOOKALIKE_H

#include <stddef.h>
#include <stdint.h>

#include <privguard/privguard.h>

typedef struct pvg__lookalike pvg__lookalike_t;
typedef struct pvg__lookalike_cache pvg__lookalike_cache_t;

/* What the compiler reads. All strings are UTF-8 and NUL-terminated; the
 * matcher copies what it needs, the caller keeps ownership. */
typedef struct pvg__lookalike_config {
    const char *const *names;   /* protected names ("카카오", "KB국민은행", "naver") */
    size_t n_names;
    const char *const *domains; /* official domains ("kakao.com", "police.go.kr");
                                   a host is reduced to its registrable domain */
    size_t n_domains;
    const char *const *decorations; /* words stripped from both ends of a queried
                                       name ("고객센터", "official"); NULL: the
                                       built-in list (pvg__lookalike_default_decorations) */
    size_t n_decorations;
} pvg__lookalike_config_t;

/* The built-in decoration list; *n receives its length. */
const char *const *pvg__lookalike_default_decorations(size_t *n);

enum pvg__lookalike_kind {
    PVG__LA_NONE = 0,
    PVG__LA_EXACT = 1,     /* name: equal after fold, separators and decorations */
    PVG__LA_LOOKALIKE = 2, /* name or domain: looks like a protected one        */
    PVG__LA_OFFICIAL = 3,  /* domain: its registrable domain is official          */
};

enum pvg__lookalike_target {
    PVG__LA_TARGET_NAME = 1,   /* hit.index is an index into config.names   */
    PVG__LA_TARGET_DOMAIN = 2, /* hit.index is an index into config.domains */
};

/* Why a hit was made (bits of hit.why). */
#define PVG__LA_WHY_DECORATION 0x001u /* decorations were stripped from the name      */
#define PVG__LA_WHY_CONFUSABLE 0x002u /* equal after the ICU skeleton (UTS #39)       */
#define PVG__LA_WHY_HANGUL     0x004u /* equal after the Korean layer (loose jamo,
                                         digits/letters read as jamo)                 */
#define PVG__LA_WHY_EDIT       0x008u /* within the edit-distance budget              */
#define PVG__LA_WHY_SUFFIX     0x010u /* domain: same label, another public suffix    */
#define PVG__LA_WHY_CONTAINS   0x020u /* domain: the label contains a protected label  */
#define PVG__LA_WHY_SUBDOMAIN  0x040u /* domain: a protected label left of a foreign
                                         registrable domain (kakao.com.evil.xyz)      */
#define PVG__LA_WHY_IDN        0x080u /* domain: non-ASCII or written in punycode     */
#define PVG__LA_WHY_NAME       0x100u /* domain: a Hangul label matched a protected name */
#define PVG__LA_WHY_USERINFO   0x200u /* URL: a protected label in the userinfo before
                                         '@' (http://kakao.com@evil.xyz/)              */

typedef struct pvg__lookalike_hit {
    int kind;        /* enum pvg__lookalike_kind                               */
    int target;      /* enum pvg__lookalike_target                             */
    int index;       /* into config.names or config.domains; -1 when none      */
    float score;     /* similarity 0..1: 1 exact or official, 0.95 equal after
                        a look-alike mapping, lower with distance             */
    unsigned why;    /* PVG__LA_WHY_* bits                                     */
    int distance;    /* weighted edit distance in sixths of a jamo slot (names)
                        or in edits (Latin labels); 0 when not an edit match   */
} pvg__lookalike_hit_t;

/*
 * Compiles a matcher. err_index, when not NULL, receives the index of the
 * name (or, past n_names, n_names + the domain index) that failed.
 * Returns PVG_OK; PVG_EINVAL (NULL cfg or out, a NULL entry, a name that is
 * empty after normalization or longer than 64 characters, a domain that has
 * no registrable domain); PVG_ENOMEM; PVG_EINTERNAL (ICU failed to open its
 * spoof checker). The caller frees the matcher with pvg__lookalike_free().
 */
PVG_WUR int pvg__lookalike_compile(const pvg__lookalike_config_t *cfg, pvg__lookalike_t **out,
                                   size_t *err_index);
void pvg__lookalike_free(pvg__lookalike_t *m); /* NULL is a no-op */

/* Cache: PVG__LA_CACHE_SLOTS entries, hashed, overwritten on collision.
 * Keys longer than PVG__LA_CACHE_KEY bytes are not cached. */
#define PVG__LA_CACHE_SLOTS 256
#define PVG__LA_CACHE_KEY 96
PVG_WUR int pvg__lookalike_cache_alloc(pvg__lookalike_cache_t **out); /* PVG_EINVAL, PVG_ENOMEM */
void pvg__lookalike_cache_free(pvg__lookalike_cache_t *c);  /* wipes; NULL is a no-op */
void pvg__lookalike_cache_clear(pvg__lookalike_cache_t *c); /* wipes; NULL is a no-op */
/* Counters since alloc or clear, for tests and benchmarks. */
void pvg__lookalike_cache_stats(const pvg__lookalike_cache_t *c, uint64_t *hits, uint64_t *misses);

/*
 * Name query: s (n bytes of UTF-8, need not be NUL-terminated) is a sender
 * display name or a word from a message. c may be NULL (no caching).
 * Returns 1 and fills *hit (kind EXACT or LOOKALIKE, target NAME) when it is
 * a protected name or looks like one; 0 when not (hit->kind NONE); PVG_EINVAL
 * (NULL m or hit, NULL s with n > 0, a corrupted matcher or cache) or
 * PVG_EUTF8. Names longer than 64 characters after folding never match.
 */
PVG_WUR int pvg__lookalike_name(const pvg__lookalike_t *m, pvg__lookalike_cache_t *c,
                                const char *s, size_t n, pvg__lookalike_hit_t *hit);

/*
 * Domain query: s is a host or registrable domain (ASCII, punycode or
 * Unicode; a full URL is accepted too and its host is used). c may be NULL.
 * Returns 1 and fills *hit: kind OFFICIAL (target DOMAIN) when its
 * registrable domain is official, kind LOOKALIKE (target DOMAIN or NAME)
 * when it looks like an official domain or a protected name; 0 when
 * neither, or for IP addresses and hosts without a registrable domain;
 * PVG_EINVAL (bad arguments, not a host pvg__url_parse accepts), PVG_ETOOBIG,
 * PVG_ENOMEM.
 */
PVG_WUR int pvg__lookalike_domain(const pvg__lookalike_t *m, pvg__lookalike_cache_t *c,
                                  const char *s, size_t n, pvg__lookalike_hit_t *hit);

#endif
