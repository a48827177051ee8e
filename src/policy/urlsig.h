/* SPDX-License-Identifier: MIT */
/*
 * urlsig.h -- what the policy reads from one URL: its host and registrable
 * domain, and whether it is official, a shortener, a form, an IP host, an
 * IDN, a user@host trick, a look-alike of an official domain or protected
 * name, and its file extension.
 */
#ifndef PVG_POLICY_URLSIG_H
#define PVG_POLICY_URLSIG_H

#include <stddef.h>

#include "policy/policy.h"

typedef struct pvg__urlsig {
    char host[256];
    char registrable[256];
    char ext[16];
    int is_ip, userinfo, punycode, shortener, form, official;
    const char *lookalike_of;   /* the official domain or protected name imitated, or NULL */
} pvg__urlsig_t;

/* Analyses the URL text u[0..n). Returns 0, or -1 when no host is found. */
int pvg__urlsig(const pvg__policy_t *p, const char *u, size_t n, pvg__urlsig_t *out);

/* The protected name a display name is or imitates, or NULL. */
const char *pvg__urlsig_name(const pvg__policy_t *p, const char *name, size_t n);

#endif
