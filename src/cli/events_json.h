/* SPDX-License-Identifier: MIT */
/*
 * events_json.h -- account and client events in the scan contract's JSONL
 * (DETECTION.md "Events", docs/events.md): parsing an event object into a
 * pvg_event_t, loading the fingerprint key, and running events through
 * pvg_scan_event() with in-memory state (state_mem.h) for `privguard scan`
 * and `privguard eval`.
 *
 * Ownership: a parsed event borrows its strings from the JSON object, which
 * must outlive it; ev_json_free() frees what the parse allocated. A runner
 * (cli_events_t) owns its key and state; one thread uses it at a time.
 * Error strings are static and never quote the input.
 */
#ifndef PVG_CLI_EVENTS_JSON_H
#define PVG_CLI_EVENTS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <privguard/privguard.h>

/* The most identifiers one event line may carry (a leak batch). */
#define EV_JSON_MAX_IDS 100000

typedef struct ev_json {
    pvg_event_t ev;
    pvg_identifier_t *ids;   /* allocated; ev.identifiers points here */
    size_t n_ids, cap_ids;
    char account_buf[32];    /* a numeric account id as text */
    const char *error;       /* set when the parse failed */
} ev_json_t;

/* Parses an event object (it has a string `event`). Returns 0, or -1 with
 * x->error set ("unknown event", "identifiers must be an object", ...).
 * Call ev_json_free() either way. */
int ev_json_parse(json_t *obj, ev_json_t *x);
void ev_json_free(ev_json_t *x);

/* Reads a fingerprint key file: exactly 32 raw bytes, or 64 hex digits
 * (white space around them allowed). Returns 0, or -1 with a message in
 * err (lowercase, naming the file, never the key). */
int load_fingerprint_key(const char *path, uint8_t key[PVG_FINGERPRINT_KEYBYTES], char *err,
                         size_t errlen);

/* A runner: a key (from key_path, or random for this run when NULL) and
 * in-memory state. */
typedef struct cli_events cli_events_t;

/* Returns 0, or -1 after printing "privguard: ..." to stderr (a key
 * file that cannot be read or is malformed, or no memory). */
int cli_events_open(const char *key_path, cli_events_t **out);
/* Wipes the key and the state and frees the runner. NULL is a no-op. */
void cli_events_close(cli_events_t *ce);

/* Parses the event object and scans it with e and s; the result lives in
 * s. Returns NULL, or the error to write for the line ("unknown event",
 * "invalid identifier", ...). */
const char *cli_events_scan(cli_events_t *ce, const pvg_engine_t *e, pvg_scratch_t *s,
                            json_t *obj, pvg_result_t *res);

#endif
