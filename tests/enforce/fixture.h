/* SPDX-License-Identifier: MIT */
/*
 * fixture.h -- the enforcement tests' fixture: a fresh store per test on
 * the backend in g_backend (SQLite, or PostgreSQL through testutil.h), an
 * enforce handle on it with a pinned clock (g_now, starting at T0), no
 * automatic measures, and the FX() prologue that skips a test whose store
 * is not available.
 */
#ifndef PVG_TESTS_ENFORCE_FIXTURE_H
#define PVG_TESTS_ENFORCE_FIXTURE_H

#include "testutil.h"

#include <privguard/enforce.h>

#define DAY (24LL * 3600 * 1000)
#define T0 1700000000000LL

static int g_backend;
static int64_t g_now;

static inline int64_t pinned(void *ctx)
{
    (void)ctx;
    return g_now;
}

typedef struct fx {
    pvg_enforce_t *e;
    pvg_enforce_options_t o;
    char spec[768], dir[256], keys[300];
    int skip;
} fx_t;

/* (Re)opens the handle with the fixture's options. */
static inline void open_fx(fx_t *f)
{
    int rc = pvg_enforce_open(&f->o, &f->e);
    if (rc)
        fail_msg("cannot open the enforcement core on %s: %s", backend_name(g_backend),
                 pvg_enf_errname(rc));
}

static inline int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    *state = f;
    g_now = T0;
    if (fresh_store(g_backend, f->spec, sizeof f->spec, f->dir, sizeof f->dir)) {
        f->skip = 1;
        return 0;
    }
    snprintf(f->keys, sizeof f->keys, "%s/keys", f->dir);
    pvg_enforce_options_init(&f->o);
    f->o.store = f->spec;
    f->o.key_dir = f->keys;
    f->o.clock = pinned;
    f->o.auto_measure_reporters = 0;
    f->o.pool_size = 2;
    open_fx(f);
    return 0;
}

static inline int teardown(void **state)
{
    fx_t *f = *state;
    pvg_enforce_close(f->e);
    remove_tree(f->dir);
    free(f);
    return 0;
}

#define FX()                                                                                    \
    fx_t *f = *state;                                                                           \
    if (f->skip)                                                                                \
        skip();                                                                                 \
    pvg_enforce_t *e = f->e

#endif
