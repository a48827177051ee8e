/* SPDX-License-Identifier: MIT */
/*
 * url.h -- URL analysis for the policy layer (internal to libprivguard).
 *
 * The policy engine turns a URL found in a message into the facts its
 * phishing and malware rules look at: the scheme, the host in its Unicode
 * and its punycode (A-label) form, the registrable domain from the Public
 * Suffix List, whether the host is an IP address or an IDN written as
 * punycode, whether userinfo precedes the host ("http://kakao.com@evil.xyz/"
 * goes to evil.xyz), the port, and the file extension of the path's last
 * segment (".apk", ".exe", ".ipa").
 *
 * Parsing is done by real libraries: libcurl's URL API (curl_url), libidn2
 * (UTS #46 mapping, punycode <-> Unicode) and libpsl's built-in list
 * (psl_builtin). See docs/url-analysis.md.
 *
 * THREAD RULE: pvg__url_parse keeps no state; any number of threads may call
 * it at once. It allocates (curl_url, idn2) and frees everything before it
 * returns, and wipes its own copies of the input.
 *
 * PRIVACY: a pvg__url_t holds parts of a message (path, userinfo). The
 * caller wipes it with pvg__url_wipe() when done.
 */
#ifndef PVG_POLICY_URL_H
#define PVG_POLICY_URL_H

#include <stddef.h>

#include <privguard/privguard.h>

/* Input longer than this (bytes) is not analysed: PVG_ETOOBIG. */
#define PVG__URL_MAX_INPUT 4096

typedef struct pvg__url {
    char scheme[16];        /* lowercase; "http" when the input had none        */
    char host[256];         /* lowercase Unicode form (UTF-8), no trailing dot;
                               an IPv6 host keeps its brackets: "[::1]"         */
    char host_ascii[256];   /* punycode (A-label) form; "" when the host is not a
                               valid IDN (idn_error)                             */
    char registrable[256];  /* registrable domain, A-label form ("kakao.com",
                               "police.go.kr"); "" for an IP, a bare public
                               suffix, or a single-label host                    */
    char registrable_u[256];/* the same in Unicode form ("카카오.com")           */
    char path[512];         /* path as written (percent-encoded), from the first
                               '/'; cut at 511 bytes (path_truncated)           */
    char userinfo[128];     /* the user part before '@', as written, cut at 127  */
    char ext[16];           /* lowercased extension of the path's last segment
                               after percent-decoding ("apk"); "" when none or
                               when longer than 15 or not alphanumeric           */
    int port;               /* explicit port, 0 when none was written           */
    int is_ip;              /* host is an IPv4 (any form curl accepts:
                               "0x7f.1" is 127.0.0.1) or IPv6 address           */
    int has_punycode;       /* the host as written has an "xn--" label          */
    int is_idn;             /* the host has non-ASCII characters (Unicode form) */
    int idn_error;          /* non-ASCII host that IDNA rejects (not resolvable
                               by a conforming client)                          */
    int has_userinfo;       /* a user or password precedes the host             */
    int scheme_guessed;     /* the input had no "scheme://" ("bit.ly/abc")      */
    int path_truncated;     /* the path was longer than path[] holds            */
} pvg__url_t;

/*
 * Parses one URL. s is the URL as found in a message (len bytes, need not be
 * NUL-terminated); surrounding ASCII whitespace is ignored. It may lack a
 * scheme: "bit.ly/abc", "www.x.com", "kakao.com:8080/x". Opaque URIs without
 * "//" ("mailto:a@b.c", "javascript:...", "tel:...") are not URLs with a host
 * and are refused.
 *
 * Returns PVG_OK and fills *out; PVG_EINVAL (NULL out, NULL s with len > 0,
 * empty input, control characters or spaces inside, no host, anything
 * libcurl refuses, a host longer than 253 bytes, invalid UTF-8 in the host);
 * PVG_ETOOBIG (len > PVG__URL_MAX_INPUT); PVG_ENOMEM. On failure *out is
 * zeroed.
 */
PVG_WUR int pvg__url_parse(const char *s, size_t len, pvg__url_t *out);

/* Wipes a pvg__url_t (it holds parts of a message). NULL is a no-op. */
void pvg__url_wipe(pvg__url_t *u);

/*
 * The registrable domain of a host given on its own (ASCII or Unicode, any
 * case, optional trailing dot), written into out (A-label form) and, when
 * out_u is not NULL, its Unicode form into out_u (both 256 bytes). Returns
 * PVG_OK, PVG_ENOTFOUND (an IP address, a public suffix, a single label) or
 * PVG_EINVAL. It is pvg__url_parse on the bare host.
 */
PVG_WUR int pvg__url_registrable(const char *host, size_t len, char out[256], char out_u[256]);

#endif
