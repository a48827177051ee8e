/* SPDX-License-Identifier: MIT */
/*
 * urlsig.h -- what the policy reads from one URL and from a display name,
 * on top of the URL parser (policy/url.h) and the look-alike matcher
 * (policy/lookalike.h): official, shortener, form, IP host, IDN, user@host,
 * look-alike of an official domain or protected name, file extension.
 */
#ifndef PVG_POLICY_URLSIG_H
#define PVG_POLICY_URLSIG_H

#include <stddef.h>

#include "policy/lookalike.h"
#include "policy/policy.h"

typedef struct pvg__urlsig {
    char host[256];
    char registrable[256];
    char ext[16];
    int is_ip, userinfo, punycode, shortener, form, official;
    const char *lookalike_of;   /* the official domain or protected name imitated, or NULL */
} pvg__urlsig_t;

/* Analyses the URL text u[0..n). c may be NULL. Returns 0, or -1 when it is
 * not a URL with a host. */
int pvg__urlsig(const pvg__policy_t *p, pvg__lookalike_cache_t *c, const char *u, size_t n,
                pvg__urlsig_t *out);

/* The protected name a display name is or imitates, or NULL. */
const char *pvg__urlsig_name(const pvg__policy_t *p, pvg__lookalike_cache_t *c, const char *name,
                             size_t n);

/* Compiles the policy's look-alike matcher from its protected names and
 * official domains (p->lookalike). 0, or -1 when out of memory or ICU fails. */
int pvg__urlsig_compile(pvg__policy_t *p);

#endif
