/* SPDX-License-Identifier: MIT */
/*
 * state_mem.h -- the in-memory state across accounts that `privguard scan`
 * gives pvg_scan_event() (pvg_state_ops_t): which accounts used each
 * identifier fingerprint and when, whether a fingerprint came from a leak,
 * and when each account last had an abnormal client.
 *
 * Memory is bounded: per fingerprint at most STATE_MEM_MAX_ACCOUNTS
 * accounts are kept (the most recent ones; an older one is replaced), and
 * at most max_fps fingerprints and max_accounts client entries in all
 * (beyond them a record fails with PVG_ETOOBIG). Account ids are kept only
 * as 128-bit keyed hashes (a random key per state), fingerprints as given.
 *
 * Thread rule: one state is used by one thread at a time (the CLI is
 * single-threaded). The caller frees it with state_mem_free().
 */
#ifndef PVG_CLI_STATE_MEM_H
#define PVG_CLI_STATE_MEM_H

#include <stddef.h>
#include <stdint.h>

#include <privguard/privguard.h>

/* Accounts kept per fingerprint: above the highest threshold the rules
 * allow (policy.events.illegal_pii_use.accounts <= 1000), so counts up to
 * any threshold are exact. */
#define STATE_MEM_MAX_ACCOUNTS 1024

typedef struct state_mem state_mem_t;

/* Creates an empty state; zeros take the defaults (16M fingerprints, 16M
 * accounts with abnormal clients). NULL when out of memory. */
state_mem_t *state_mem_new(size_t max_fps, size_t max_accounts);
/* Wipes and frees the state. NULL is a no-op. */
void state_mem_free(state_mem_t *m);
/* Fills ops with the state's functions and m as their context. */
void state_mem_ops(state_mem_t *m, pvg_state_ops_t *ops);
/* Fingerprints held (for tests and summaries). */
size_t state_mem_fingerprints(const state_mem_t *m);

#endif
