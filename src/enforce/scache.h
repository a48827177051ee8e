/* SPDX-License-Identifier: MIT */
/*
 * scache.h -- the in-memory sanction check cache.
 *
 * Answers "may account A do scope S (in room R / on object O) at time T?"
 * without touching the store. It holds every sanction that is active or
 * scheduled (revoked, overturned and expired ones are removed), keyed by
 * account; the enforcement core keeps it consistent with the store by
 * applying each committed change (and, for other processes' changes,
 * pvg_enforce_cache_refresh).
 *
 * THREAD RULE: any number of threads may check and update at once. The
 * table is split into shards by account hash, each behind its own
 * read-write lock, so checks of different accounts rarely meet and
 * updates block only one shard.
 */
#ifndef PVG_ENFORCE_SCACHE_H
#define PVG_ENFORCE_SCACHE_H

#include <privguard/enforce.h>

typedef struct pvg_scache pvg_scache_t;

pvg_scache_t *pvg__scache_new(void); /* NULL on OOM */
void pvg__scache_free(pvg_scache_t *c);

/* Inserts or replaces (by id) a sanction. ends_at INT64_MAX: permanent.
 * container/object may be NULL (copied). PVG_ENF_ENOMEM on OOM. */
int pvg__scache_put(pvg_scache_t *c, const char *account, int64_t id, pvg_scope_t scope,
                    const char *container, const char *object, int64_t starts_at,
                    int64_t ends_at);
/* Removes sanction id of account (no-op when absent). */
void pvg__scache_remove(pvg_scache_t *c, const char *account, int64_t id);
/* Drops sanctions that ended at or before now; returns how many. */
size_t pvg__scache_prune(pvg_scache_t *c, int64_t now);
/* Number of sanctions held. */
size_t pvg__scache_size(pvg_scache_t *c);

/* The check. Among the sanctions whose window holds now and whose scope is
 * `scope` or service, and whose room/object (when they have one) equals
 * container/object: the most restrictive (service over a single scope,
 * all rooms over one room), then the one that ends last. */
void pvg__scache_check(pvg_scache_t *c, const char *account, pvg_scope_t scope,
                       const char *container, const char *object, int64_t now,
                       pvg_check_t *out);

#endif
