/* SPDX-License-Identifier: MIT */
/*
 * enforce.h -- the enforcement core: reports, cases, decisions, sanctions,
 * strikes, appeals, rights notices and blinding, the outbox, the audit log,
 * retention, keys and API tokens (ENFORCEMENT.md), over a store (store.h).
 *
 * Every state change is one function that checks the actor's role, checks
 * the transition against the current state and then, in ONE write
 * transaction, updates the state, appends the audit entry (hash-chained)
 * and writes the outbound events to the outbox. It returns PVG_ENF_OK or a
 * stable PVG_ENF_* code (store.h): invalid_transition for a transition the
 * state machine forbids, already_in_state for a repeat, not_found,
 * forbidden, duplicate, rate_limited, invalid_input. Nothing is changed
 * when a function fails.
 *
 * Time comes from one injectable clock (pvg_enforce_options_t.clock):
 * whether a sanction applies is decided against it at the moment of the
 * check, never by a scheduler; pvg_enforce_tick only records what the clock
 * already decided (expiries, blinding deadlines) as events.
 *
 * THREAD RULE: a pvg_enforce_t may be used by any number of threads at once.
 * It holds a pool of store connections (options.pool_size, default 4; a
 * call takes one for its duration and waits when all are busy) and an
 * in-memory sanction cache behind sharded read-write locks. Writers
 * serialise in the store (one write transaction at a time per database).
 *
 * OWNERSHIP RULE: strings passed in are copied when kept; JSON text returned
 * through `char **json` is the caller's, freed with pvg_enforce_free.
 * Evidence text is wiped from memory after it is encrypted or shown.
 */
#ifndef PRIVGUARD_ENFORCE_H
#define PRIVGUARD_ENFORCE_H

#include <stddef.h>
#include <stdint.h>

#include <privguard/store.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pvg_enforce pvg_enforce_t;

/* Returns the current time in epoch milliseconds. */
typedef int64_t (*pvg_clock_fn)(void *ctx);

/* ------------------------------------------------------------ roles */

typedef enum pvg_role {
    PVG_ROLE_NONE = 0,
    PVG_ROLE_SERVICE = 1,      /* scan, check sanctions, automated reports */
    PVG_ROLE_REPORTER_APP = 2, /* user reports, appeals and notices on a user's behalf */
    PVG_ROLE_TRIAGE = 3,       /* acknowledge, escalate, close without action */
    PVG_ROLE_MODERATOR = 4,    /* decide, sanction, resolve appeals, unmask with a reason */
    PVG_ROLE_ADMIN = 5         /* permanent and account_creation sanctions, tokens, retention */
} pvg_role_t;

const char *pvg_role_name(pvg_role_t r); /* "service", ...; "none" otherwise */
int pvg_role_parse(const char *name, pvg_role_t *out); /* PVG_ENF_EINVAL if unknown */

/* Who acts: id (required, e.g. "mod:kim" or "token:12"), role, and where
 * from (ip, may be NULL). */
typedef struct pvg_actor {
    const char *id;
    pvg_role_t role;
    const char *ip;
} pvg_actor_t;

/* ----------------------------------------------------------- scopes */

typedef enum pvg_scope {
    PVG_SCOPE_MESSAGE_SEND = 1,     /* all rooms, or one room (container) */
    PVG_SCOPE_OPENCHAT_SEARCH = 2,  /* hidden from Open Chat Home search */
    PVG_SCOPE_OPENCHAT_ACCESS = 3,  /* create/join/use open chat rooms; all or one */
    PVG_SCOPE_OPEN_PROFILE = 4,     /* create/use open profiles */
    PVG_SCOPE_POST_VISIBILITY = 5,  /* one post (object) hidden */
    PVG_SCOPE_ACCOUNT_CREATION = 6, /* re-registration; "account" is an identifier fingerprint */
    PVG_SCOPE_SERVICE = 7           /* the whole service: covers every other scope */
} pvg_scope_t;

const char *pvg_scope_name(pvg_scope_t s);
int pvg_scope_parse(const char *name, pvg_scope_t *out);

/* ---------------------------------------------------------- open/close */

typedef struct pvg_enforce_options {
    const char *store;       /* SQLite path or PostgreSQL connection string (required) */
    const char *key_dir;     /* key files; NULL: <folder of the SQLite file>/keys, or ./data/keys */
    pvg_clock_fn clock;      /* NULL: the real-time clock */
    void *clock_ctx;
    const char *ladder_json; /* escalation ladder (docs/enforcement.md); NULL: the default */
    int pool_size;           /* store connections; default 4 (1 for ":memory:") */
    int report_rate_per_hour;   /* per reporter, user channels; default 30; 0 = no limit */
    int64_t dedup_window_ms;    /* same reporter+subject+reason; default 24 h */
    int appeal_window_days;     /* default 30 */
    int retention_days;         /* evidence retention; default 180 */
    int auto_measure_reporters; /* distinct reporters that trigger a temporary measure; 0 = off (default 5) */
    int64_t auto_measure_ms;    /* its length; default 24 h (scope openchat_access) */
} pvg_enforce_options_t;

void pvg_enforce_options_init(pvg_enforce_options_t *o);

/* Opens the store, migrates it, loads (creating on first use, mode 0600) the
 * key files and fills the sanction cache from the store. */
PVG_WUR int pvg_enforce_open(const pvg_enforce_options_t *o, pvg_enforce_t **out);
void pvg_enforce_close(pvg_enforce_t *e); /* NULL is a no-op */
int64_t pvg_enforce_now(pvg_enforce_t *e);
void pvg_enforce_free(void *p); /* frees JSON text returned by this library */

/* ------------------------------------------------------ media evidence */

#define PVG_MAX_MEDIA 4                          /* media items per report or notice */
#define PVG_MAX_MEDIA_BYTES ((size_t)32 << 20)   /* bytes of one media item */
#define PVG_MAX_MEDIA_HASHES 1800                /* PDQ hashes per media item (video frames) */
#define PVG_BANK_CONFIRMED "confirmed_private_media" /* filled by decisions */
#define PVG_BANK_PENDING "reported_pending"          /* filled by blinded rights notices */
#define PVG_BANK_MIN_QUALITY 50 /* hashes of lower PDQ quality never enter a bank from evidence */

/* A photo or video carried by a report or a rights notice: its bytes (kept
 * encrypted like message evidence, under the current evidence key, with the
 * key id next to them) and its PDQ hashes, computed by the caller with
 * libpvg_media (media.h): one for an image, one per sampled frame for a
 * video. kind "hash" carries hashes without bytes. A hash is the 32 bytes of
 * its 64-hex form in order (the store's form, store.h). */
typedef struct pvg_media_in {
    const char *kind;         /* "image" | "video" | "hash" */
    const char *content_type; /* e.g. "image/jpeg"; NULL when unknown */
    const void *data;         /* the media bytes; NULL (and len 0) for kind "hash" */
    size_t len;               /* at most PVG_MAX_MEDIA_BYTES */
    const uint8_t *pdq;       /* n_pdq hashes, 32 bytes each */
    const int *quality;       /* n_pdq PDQ qualities 0..100, or NULL: unknown */
    const double *t;          /* video: n_pdq frame times in seconds, or NULL */
    size_t n_pdq;             /* 1..PVG_MAX_MEDIA_HASHES */
} pvg_media_in_t;

/* ------------------------------------------------------------ reports */

typedef struct pvg_evidence_in {
    const char *text; /* the message as the reporter saw it (encrypted at rest) */
    size_t len;
    const char *sender, *room, *surface, *message_id; /* each may be NULL */
    int64_t sent_at;                                  /* epoch ms, 0 unknown */
    const char *findings_json; /* detector findings array for this text, or NULL */
} pvg_evidence_in_t;

#define PVG_MAX_EVIDENCE 5
#define PVG_MAX_EVIDENCE_TEXT 16384

typedef struct pvg_report_in {
    const char *reporter;     /* reporting account ("detector" for automated) */
    const char *account;      /* the accountable account: the case key */
    const char *subject_type; /* account | message | room | open_profile | post */
    const char *subject_id;
    const char *reason;   /* a DETECTION.md category id or "other" */
    const char *channel;  /* in_app | automated | rights_notice */
    const char *external_id; /* idempotency key, or NULL */
    const char *comment;     /* reporter's comment (encrypted at rest), or NULL */
    const pvg_evidence_in_t *evidence;
    size_t n_evidence; /* at most PVG_MAX_EVIDENCE */
    const char *findings_json; /* the detector's findings array (automated), or NULL */
    double score;              /* detector score 0..1 */
    const pvg_media_in_t *media; /* photos/videos the reporter sent, or NULL */
    size_t n_media;              /* at most PVG_MAX_MEDIA */
} pvg_report_in_t;

typedef struct pvg_report_out {
    int64_t report_id; /* the new report; the original one for a retry or a duplicate */
    int64_t case_id;   /* 0 when the reporter is muted */
    int replayed;      /* 1: retry with a known external_id, nothing new stored */
    int muted;         /* 1: stored without changing case state */
    int auto_measure;  /* 1: this report triggered a temporary automatic measure */
} pvg_report_out_t;

/* Submits a report. Roles: service (channel automated), reporter_app
 * (in_app), moderator and admin (any). PVG_ENF_EDUPLICATE (out->report_id
 * is the earlier report) for the same reporter, subject and reason within
 * the dedup window; PVG_ENF_ERATE when the reporter's hourly limit is spent. */
PVG_WUR int pvg_report_submit(pvg_enforce_t *e, const pvg_actor_t *a, const pvg_report_in_t *in,
                              pvg_report_out_t *out);

/* Mutes a reporter until until_ms (0 unmutes). Moderator or admin. */
PVG_WUR int pvg_reporter_mute(pvg_enforce_t *e, const pvg_actor_t *a, const char *reporter,
                              int64_t until_ms);

/* -------------------------------------------------------------- cases */

/* Lists cases by descending priority: status "open", "escalated", "closed" or
 * NULL for open+escalated. Triage and up. JSON array. */
PVG_WUR int pvg_case_list(pvg_enforce_t *e, const pvg_actor_t *a, const char *status, int limit,
                          char **json);

/* The reviewers' queue, one page at a time. Filters (NULL / -1 / 0: none):
 * status (NULL: open and escalated), category (the case's top category),
 * surface (a report's evidence was on it), min/max_priority (inclusive),
 * opened_before (epoch ms, exclusive), account (prefix, byte for byte).
 * order: "priority" (NULL; highest first, then id), "oldest", "newest" (by
 * opening time, ties by id). after: the "next" cursor of the previous page
 * of the same order (opaque; another order's cursor is invalid_input).
 * limit: 0 for PVG_CASE_PAGE_DEFAULT, at most PVG_CASE_PAGE_MAX. Triage and
 * up. JSON {"cases": [rows as pvg_case_list], "total": N (all pages),
 * "counts": {"<top category>": N} (the filters except category), "next":
 * cursor or null}. Rows of both calls carry "surfaces" (distinct evidence
 * surfaces) and "acknowledged_at". */
#define PVG_CASE_PAGE_DEFAULT 50
#define PVG_CASE_PAGE_MAX 500
typedef struct pvg_case_query {
    const char *status, *category, *surface, *account, *order, *after;
    int64_t min_priority, max_priority; /* -1: none */
    int64_t opened_before;              /* 0: none */
    int limit;
} pvg_case_query_t;
PVG_WUR int pvg_case_page(pvg_enforce_t *e, const pvg_actor_t *a, const pvg_case_query_t *q,
                          char **json);

/* Triage's acknowledgement of an open or escalated case: records who and
 * when (the status stays), audited. Triage and up. already_in_state when
 * acknowledged already (until the case is reopened), invalid_transition
 * for a closed case. */
PVG_WUR int pvg_case_acknowledge(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id,
                                 const char *note);

/* A case with its reports, evidence, decisions and sanctions. Evidence text
 * is masked (findings' spans and digits hidden) unless unmask is set, which
 * needs moderator or admin and a reason, and is written to the audit log
 * (who, when, from where, why) before the text is returned. Each report
 * also lists its media evidence ("media": media_id, kind, content_type,
 * size, hashes, first pdq, purged), never the bytes
 * (pvg_media_evidence_reveal). */
PVG_WUR int pvg_case_show(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id, int unmask,
                          const char *reason, char **json);

/* open -> escalated. Triage and up. */
PVG_WUR int pvg_case_escalate(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id,
                              const char *note);

typedef struct pvg_sanction_in {
    pvg_scope_t scope;
    const char *container; /* room, or NULL for all */
    const char *object;    /* post, or NULL */
    int64_t starts_at;     /* 0: now */
    int64_t duration_ms;   /* 0: permanent (admin only) */
} pvg_sanction_in_t;

#define PVG_MAX_DECISION_SANCTIONS 8

typedef struct pvg_decision_in {
    const char *outcome; /* violation | no_violation */
    const char *const *categories;
    size_t n_categories;      /* at least 1 for a violation */
    const char *severity;     /* low | medium | high; NULL: medium */
    int strikes;              /* -1: from the ladder */
    const pvg_sanction_in_t *sanctions; /* explicit sanctions; none: the ladder's */
    size_t n_sanctions;
    const char *note; /* note to the user */
    /* 1: the decision confirms that the reported media is private media
     * posted without consent. Needs outcome violation and pii_exposure among
     * the categories (else invalid_input). The PDQ hashes (quality at least
     * PVG_BANK_MIN_QUALITY, or unknown) of the media of the reports this
     * decision closes go to the bank PVG_BANK_CONFIRMED with the case as
     * source, in the decision's transaction. */
    int private_media;
} pvg_decision_in_t;

typedef struct pvg_decision_out {
    int64_t decision_id;
    int64_t strikes_total; /* the account's active strikes after this decision */
    int64_t sanction_ids[PVG_MAX_DECISION_SANCTIONS];
    size_t n_sanctions;
    int proposed; /* 1: the ladder proposed a sanction only an admin makes; the case is escalated */
    int64_t bank_entries; /* private_media: entries added to the bank (hashes already there are not added again) */
} pvg_decision_out_t;

/* Decides an open or escalated case (closed: already_in_state).
 * no_violation: triage and up; violation: moderator and up; a permanent or
 * account_creation sanction: admin. Creates the strike and sanctions,
 * closes the case and notifies the account and the reporters. */
PVG_WUR int pvg_case_decide(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id,
                            const pvg_decision_in_t *in, pvg_decision_out_t *out);

/* ---------------------------------------------------------- sanctions */

typedef struct pvg_check {
    int allowed;         /* 1: no sanction applies */
    int64_t sanction_id; /* the applying sanction (most restrictive, then latest end) */
    pvg_scope_t scope;
    int64_t ends_at;     /* INT64_MAX when permanent */
} pvg_check_t;

/* May account do scope (in room container / on post object) now? Answered
 * from memory; NULL container/object ask about the scope in general (a
 * sanction on one room then does not apply). No store access, no lock
 * other than a shard's read lock. */
PVG_WUR int pvg_sanction_check(pvg_enforce_t *e, const char *account, pvg_scope_t scope,
                               const char *container, const char *object, pvg_check_t *out);
PVG_WUR int pvg_sanction_check_at(pvg_enforce_t *e, const char *account, pvg_scope_t scope,
                                  const char *container, const char *object, int64_t now_ms,
                                  pvg_check_t *out);

/* Sanctions of account (NULL: all that apply now), with their state as of
 * now. Service, triage and up. JSON array. */
PVG_WUR int pvg_sanction_list(pvg_enforce_t *e, const pvg_actor_t *a, const char *account,
                              char **json);

/* active|scheduled -> revoked. Moderator and up (admin for permanent ones). */
PVG_WUR int pvg_sanction_revoke(pvg_enforce_t *e, const pvg_actor_t *a, int64_t sanction_id,
                                const char *note);

/* Reads sanctions changed in the store since the cache last looked (by
 * other processes); in-process changes are applied at commit already. */
PVG_WUR int pvg_enforce_cache_refresh(pvg_enforce_t *e);
/* fn(account, ctx) is called after a write through this handle changed
 * sanctions (a decision, revocation, appeal outcome, blinding, the clock),
 * once the change is committed and in this handle's cache; account is the
 * sanctioned account, or NULL when several changed. Not called for changes
 * pvg_enforce_cache_refresh reads from other processes. Typically it calls
 * pvg_sanction_bus_notify (src/stream) so other nodes refresh at once. It
 * runs on the writing thread and must not call back into the handle's
 * cache (refresh). fn NULL removes the hook. */
void pvg_enforce_on_sanction_change(pvg_enforce_t *e, void (*fn)(const char *account, void *ctx),
                                    void *ctx);

/* ------------------------------------------------------------ appeals */

/* One appeal per violation decision, within the appeal window. Filed by the
 * sanctioned account through reporter_app or service, or by staff. */
PVG_WUR int pvg_appeal_file(pvg_enforce_t *e, const pvg_actor_t *a, int64_t decision_id,
                            const char *statement, int64_t *appeal_id);

/* filed -> upheld | overturned (sanctions overturned, strikes reversed) |
 * modified (the decision's sanctions now last new_duration_ms from their
 * start). Moderator and up, and not the actor who made the decision. */
PVG_WUR int pvg_appeal_resolve(pvg_enforce_t *e, const pvg_actor_t *a, int64_t appeal_id,
                               const char *outcome, int64_t new_duration_ms, const char *note);

/* ---------------------------------------------------- rights notices */

#define PVG_MAX_BLIND_DAYS 30

/* A rights-infringement notice on post `object` by `poster`: requested.
 * days is the blinding asked for (capped at 30). */
PVG_WUR int pvg_notice_file(pvg_enforce_t *e, const pvg_actor_t *a, const char *requester,
                            const char *object, const char *poster, const char *claim, int days,
                            int64_t *notice_id);
/* The same with the notice's media: a notice filed with photos or videos
 * keeps them as encrypted evidence with their hashes; blinding it adds the
 * hashes (quality rule as for decisions) to the bank PVG_BANK_PENDING with
 * the notice as source; resolving it as restored or withdrawn disables
 * those entries again (deleted keeps them). */
typedef struct pvg_notice_in {
    const char *requester, *object, *poster;
    const char *claim; /* encrypted at rest; may be NULL */
    int days;          /* blinding asked for; capped at 30 */
    const pvg_media_in_t *media;
    size_t n_media;    /* at most PVG_MAX_MEDIA */
} pvg_notice_in_t;
PVG_WUR int pvg_notice_submit(pvg_enforce_t *e, const pvg_actor_t *a, const pvg_notice_in_t *in,
                              int64_t *notice_id);
/* requested -> blinded (post_visibility sanction until the deadline, at most
 * 30 days; requester and poster notified). Moderator and up. */
PVG_WUR int pvg_notice_blind(pvg_enforce_t *e, const pvg_actor_t *a, int64_t notice_id);
/* blinded -> restored | deleted; requested|blinded -> withdrawn. */
PVG_WUR int pvg_notice_resolve(pvg_enforce_t *e, const pvg_actor_t *a, int64_t notice_id,
                               const char *outcome, const char *note);
PVG_WUR int pvg_notice_show(pvg_enforce_t *e, const pvg_actor_t *a, int64_t notice_id,
                            char **json);

/* ----------------------------------------- scheduler, retention, audit */

typedef struct pvg_tick_stats {
    int64_t sanctions_started, sanctions_expired, strikes_expired, blindings_ended;
} pvg_tick_stats_t;

/* Records as events what the clock has already decided. Service or admin. */
PVG_WUR int pvg_enforce_tick(pvg_enforce_t *e, const pvg_actor_t *a, pvg_tick_stats_t *st);

/* Destroys evidence (text and comments) whose retention has ended, except
 * under legal hold. The audit log is never touched. Admin. */
PVG_WUR int pvg_enforce_purge(pvg_enforce_t *e, const pvg_actor_t *a, int64_t *purged);

/* Sets or clears the legal hold on all evidence of a case. Admin. */
PVG_WUR int pvg_legal_hold(pvg_enforce_t *e, const pvg_actor_t *a, int64_t case_id, int on);

/* Verifies the audit chain: every entry's keyed hash, the links, the
 * sequence and the head. PVG_ENF_ETAMPERED with *bad_seq the first entry
 * that fails (0 when the head is wrong). entries/bad_seq may be NULL. */
PVG_WUR int pvg_audit_verify(pvg_enforce_t *e, int64_t *entries, int64_t *bad_seq);

/* ------------------------------------------------------------- outbox */

/* Up to limit undelivered events due now, oldest first (JSON array of
 * {id, topic, recipient, payload, attempts}). Service or admin. */
PVG_WUR int pvg_outbox_fetch(pvg_enforce_t *e, const pvg_actor_t *a, int limit, char **json);
PVG_WUR int pvg_outbox_ack(pvg_enforce_t *e, const pvg_actor_t *a, int64_t id);
/* A failed delivery: attempts + 1, next try at retry_at_ms. */
PVG_WUR int pvg_outbox_retry(pvg_enforce_t *e, const pvg_actor_t *a, int64_t id,
                             int64_t retry_at_ms);

/* ------------------------------------------------ identifier fingerprints */

/* Keyed BLAKE2b-256 of kind ("phone", "rrn", "ci", "email") and the
 * normalised identifier under the current identifier key, as 64 hex. */
PVG_WUR int pvg_ident_fingerprint(pvg_enforce_t *e, const char *kind, const char *value,
                                  char hex[65]);
/* Records that account used the identifier (source "account_created"), or
 * that the identifier was seen in a leak (source "identifier_leak", account
 * NULL). Idempotent. Only the fingerprint is stored. */
PVG_WUR int pvg_ident_record(pvg_enforce_t *e, const char *account, const char *kind,
                             const char *value, const char *source);
/* Distinct accounts that used the identifier (under any identifier key). */
PVG_WUR int pvg_ident_count_accounts(pvg_enforce_t *e, const char *kind, const char *value,
                                     int64_t *n);
/* *seen = 1 when the identifier was recorded from a leak. */
PVG_WUR int pvg_ident_seen_in_leak(pvg_enforce_t *e, const char *kind, const char *value,
                                   int *seen);

/* ------------------------------------------------------------- tokens */

/* Creates an API token for role (admin only): 256 random bits printed as 64
 * hex characters into token; only its keyed hash is stored. */
PVG_WUR int pvg_token_create(pvg_enforce_t *e, const pvg_actor_t *a, pvg_role_t role,
                             const char *label, char token[65], int64_t *token_id);
/* PVG_ENF_EUNAUTH for an unknown or revoked token. Cached for 30 s. */
PVG_WUR int pvg_token_verify(pvg_enforce_t *e, const char *token, pvg_role_t *role,
                             int64_t *token_id);
PVG_WUR int pvg_token_revoke(pvg_enforce_t *e, const pvg_actor_t *a, int64_t token_id);

/* ---------------------------------------------------- media hash bank */

/* The bank of PDQ hashes of known private media (docs/media.md). Entries
 * come from decisions (private_media), blinded rights notices, and
 * operators; each keeps its source case or notice. Every change takes the
 * next media revision (store.h) and writes an outbox event
 * "media_bank.changed" {"rev"}; a process holding an in-memory index (the
 * service) follows with pvg_media_bank_changes. */
typedef struct pvg_bank_entry_in {
    const char *bank;   /* NULL: PVG_BANK_CONFIRMED; [a-z0-9_.-], 1..64 characters */
    const uint8_t *pdq; /* 32 bytes */
    int quality;        /* 0..100, or -1 unknown */
    int64_t case_id;    /* source case, 0 none (must exist) */
    int64_t notice_id;  /* source notice, 0 none (must exist) */
    const char *note;   /* operator's note (at most 2000 bytes), or NULL */
} pvg_bank_entry_in_t;

/* Adds an entry. Moderator and up. PVG_ENF_EALREADY (with *entry_id the
 * existing entry) when the bank holds an enabled entry with the same hash. */
PVG_WUR int pvg_media_bank_add(pvg_enforce_t *e, const pvg_actor_t *a,
                               const pvg_bank_entry_in_t *in, int64_t *entry_id);
/* enabled -> disabled (kept, never matches again). Moderator and up. */
PVG_WUR int pvg_media_bank_disable(pvg_enforce_t *e, const pvg_actor_t *a, int64_t entry_id,
                                   const char *reason);
/* Entries of bank (NULL: all banks) with id > after_id, in id order, at
 * most limit (1..10000); disabled ones only with include_disabled. Triage
 * and up. JSON array of {id, bank, pdq, quality, case_id, notice_id,
 * decision_id, origin, enabled, created_at, created_by, note, disabled_at,
 * disabled_by}. */
PVG_WUR int pvg_media_bank_list(pvg_enforce_t *e, const pvg_actor_t *a, const char *bank,
                                int include_disabled, int64_t after_id, int limit, char **json);
/* pvg_store_media_changes on one of the core's connections: for loading
 * and following an in-memory index. No actor: it returns hashes and ids
 * only, to the caller's own process. */
PVG_WUR int pvg_media_bank_changes(pvg_enforce_t *e, int64_t after_rev, int64_t after_id,
                                   int limit, pvg_media_row_cb cb, void *ctx, int *n);
/* The bytes of one media evidence item (the "media_id" a case or notice
 * view lists), decrypted, for a moderator with a reason; the read is
 * written to the audit log first. *data (caller frees with
 * pvg_enforce_free after wiping) gets the bytes, *content_type (may be
 * NULL; caller frees) the type. not_found when the item was purged or
 * carried hashes only. */
PVG_WUR int pvg_media_evidence_reveal(pvg_enforce_t *e, const pvg_actor_t *a, int64_t media_id,
                                      const char *reason, void **data, size_t *len,
                                      char **content_type);

/* --------------------------------------------------------------- keys */

/* Adds a new current key for purpose ("evidence", "ident", "token", "audit",
 * or NULL for all) in key_dir; older keys stay and keep old data readable.
 * A running pvg_enforce_t picks the new key up on pvg_enforce_keys_reload
 * (and on its own when it meets an unknown key id). */
PVG_WUR int pvg_keys_rotate(const char *key_dir, const char *purpose);
PVG_WUR int pvg_enforce_keys_reload(pvg_enforce_t *e);
/* The key folder a pvg_enforce_t uses (never NULL). */
const char *pvg_enforce_key_dir(const pvg_enforce_t *e);

#ifdef __cplusplus
}
#endif
#endif
