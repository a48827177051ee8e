/* SPDX-License-Identifier: MIT */
/*
 * events_json.c -- event lines of the scan contract (DETECTION.md "Events"):
 *
 *   {"event": "client_attestation", "id": "e1", "account": "a1", "ts": 1764300000000,
 *    "client": {"name": "KakaoTalk", "version": "10.4.0", "signature_ok": false}}
 *   {"event": "auth_key_export", "account": "a1", "ts": ..., "client": {...},
 *    "destination": "host:203.0.113.9"}
 *   {"event": "account_created", "account": "a2", "ts": ...,
 *    "identifiers": {"phone": "010-1234-5678", "email": "x@example.com"},
 *    "device": "d1", "ip": "198.51.100.7"}
 *   {"event": "identifier_leak", "ts": ..., "source": "forum dump 2025-11",
 *    "identifiers": [{"kind": "phone", "value": "..."}, {"rrn": "..."}]}
 *
 * `identifiers` is an object {kind: value} (for a leak a value may also be
 * a list of values), or, for a leak, a list whose items are {"kind", "value"}
 * or one-member {kind: value} objects. Parsing checks shapes and types;
 * pvg_scan_event() checks the values (docs/events.md). Errors never quote
 * the input. The runner feeds events to pvg_scan_event() with a key and
 * in-memory state (state_mem.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/events_json.h"
#include "cli/state_mem.h"

/* --------------------------------------------------------------- parse */

static int opt_string(json_t *o, const char *key, const char **s, size_t *n, const char **err,
                      const char *msg)
{
    json_t *v = json_object_get(o, key);
    *s = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        *err = msg;
        return -1;
    }
    *s = json_string_value(v);
    *n = json_string_length(v);
    return 0;
}

static int add_id(ev_json_t *x, const char *kind, size_t kind_len, json_t *value)
{
    if (!json_is_string(value)) {
        x->error = "identifier values must be strings";
        return -1;
    }
    if (x->n_ids == EV_JSON_MAX_IDS) {
        x->error = "too many identifiers";
        return -1;
    }
    if (x->n_ids == x->cap_ids) {
        size_t cap = x->cap_ids ? x->cap_ids * 2 : 8;
        pvg_identifier_t *n = realloc(x->ids, cap * sizeof *n);
        if (!n) {
            x->error = "out of memory";
            return -1;
        }
        x->ids = n;
        x->cap_ids = cap;
    }
    static const char *const kinds[] = {"phone", "rrn", "ci", "email"};
    int known = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i]) == kind_len && !memcmp(kinds[i], kind, kind_len))
            known = 1;
    if (!known) {
        x->error = "unknown identifier kind (phone, rrn, ci, email)";
        return -1;
    }
    pvg_identifier_t *id = &x->ids[x->n_ids++];
    id->kind = kind;
    id->kind_len = kind_len;
    id->value = json_string_value(value);
    id->value_len = json_string_length(value);
    return 0;
}

/* {kind: value, ...}; lists of values when many is set (leaks). */
static int ids_from_object(ev_json_t *x, json_t *o, int many)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        if (many && json_is_array(v)) {
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item) {
                if (add_id(x, k, strlen(k), item))
                    return -1;
            }
        } else if (add_id(x, k, strlen(k), v)) {
            return -1;
        }
    }
    return 0;
}

static int ids_from_list(ev_json_t *x, json_t *a)
{
    size_t i;
    json_t *item;
    json_array_foreach(a, i, item) {
        if (!json_is_object(item)) {
            x->error = "identifiers must be objects";
            return -1;
        }
        json_t *kind = json_object_get(item, "kind");
        if (kind) {
            if (!json_is_string(kind)) {
                x->error = "identifier kind must be a string";
                return -1;
            }
            json_t *value = json_object_get(item, "value");
            if (!value) {
                x->error = "identifier has no value";
                return -1;
            }
            if (add_id(x, json_string_value(kind), json_string_length(kind), value))
                return -1;
        } else if (json_object_size(item) != 1) {
            x->error = "identifier must be {\"kind\", \"value\"} or {kind: value}";
            return -1;
        } else if (ids_from_object(x, item, 0)) {
            return -1;
        }
    }
    return 0;
}

int ev_json_parse(json_t *obj, ev_json_t *x)
{
    memset(x, 0, sizeof *x);
    pvg_event_t *ev = &x->ev;
    ev->signature_ok = -1;
    json_t *kind = json_object_get(obj, "event");
    if (!json_is_string(kind)) {
        x->error = "event must be a string";
        return -1;
    }
    ev->kind = pvg_event_from_name(json_string_value(kind), json_string_length(kind));
    if (ev->kind < 0) {
        x->error = "unknown event (client_attestation, auth_key_export, account_created, "
                   "identifier_leak)";
        return -1;
    }
    json_t *id = json_object_get(obj, "id");
    if (json_is_string(id)) {
        ev->id = json_string_value(id);
        ev->id_len = json_string_length(id);
    }
    json_t *acc = json_object_get(obj, "account");
    if (json_is_string(acc)) {
        ev->account = json_string_value(acc);
        ev->account_len = json_string_length(acc);
    } else if (json_is_integer(acc)) {
        int n = snprintf(x->account_buf, sizeof x->account_buf, "%" JSON_INTEGER_FORMAT,
                         json_integer_value(acc));
        ev->account = x->account_buf;
        ev->account_len = (size_t)n;
    } else if (acc && !json_is_null(acc)) {
        x->error = "account must be a string or a number";
        return -1;
    }
    if (ev->kind != PVG_EVENT_IDENTIFIER_LEAK && !ev->account_len) {
        x->error = "missing account";
        return -1;
    }
    json_t *ts = json_object_get(obj, "ts");
    if (ts) {
        if (!json_is_integer(ts) || json_integer_value(ts) < 0) {
            x->error = "ts must be epoch milliseconds";
            return -1;
        }
        ev->ts_ms = json_integer_value(ts);
    }
    json_t *client = json_object_get(obj, "client");
    if (client && !json_is_null(client)) {
        if (!json_is_object(client)) {
            x->error = "client must be an object";
            return -1;
        }
        if (opt_string(client, "name", &ev->client_name, &ev->client_name_len, &x->error,
                       "client.name must be a string") ||
            opt_string(client, "version", &ev->client_version, &ev->client_version_len,
                       &x->error, "client.version must be a string"))
            return -1;
        json_t *sig = json_object_get(client, "signature_ok");
        if (json_is_boolean(sig))
            ev->signature_ok = json_is_true(sig);
        else if (json_is_integer(sig) &&
                 (json_integer_value(sig) == 0 || json_integer_value(sig) == 1))
            ev->signature_ok = (int)json_integer_value(sig);
        else if (sig && !json_is_null(sig)) {
            x->error = "client.signature_ok must be true or false";
            return -1;
        }
    } else if (ev->kind == PVG_EVENT_CLIENT_ATTESTATION) {
        x->error = "missing client";
        return -1;
    }
    if (opt_string(obj, "destination", &ev->destination, &ev->destination_len, &x->error,
                   "destination must be a string") ||
        opt_string(obj, "device", &ev->device, &ev->device_len, &x->error,
                   "device must be a string") ||
        opt_string(obj, "ip", &ev->ip, &ev->ip_len, &x->error, "ip must be a string") ||
        opt_string(obj, "source", &ev->source, &ev->source_len, &x->error,
                   "source must be a string"))
        return -1;
    json_t *ids = json_object_get(obj, "identifiers");
    if (ev->kind == PVG_EVENT_ACCOUNT_CREATED || ev->kind == PVG_EVENT_IDENTIFIER_LEAK) {
        int leak = ev->kind == PVG_EVENT_IDENTIFIER_LEAK;
        if (!ids) {
            x->error = "missing identifiers";
            return -1;
        }
        if (json_is_object(ids)) {
            if (ids_from_object(x, ids, leak))
                return -1;
        } else if (leak && json_is_array(ids)) {
            if (ids_from_list(x, ids))
                return -1;
        } else {
            x->error = leak ? "identifiers must be a list or an object"
                            : "identifiers must be an object";
            return -1;
        }
        if (!x->n_ids) {
            x->error = "identifiers is empty";
            return -1;
        }
    }
    ev->identifiers = x->ids;
    ev->n_identifiers = x->n_ids;
    return 0;
}

void ev_json_free(ev_json_t *x)
{
    free(x->ids);
    x->ids = NULL;
    x->n_ids = x->cap_ids = 0;
}

/* ----------------------------------------------------------------- key */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int load_fingerprint_key(const char *path, uint8_t key[PVG_FINGERPRINT_KEYBYTES], char *err,
                         size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open fingerprint key file '%s': %s", path, strerror(errno));
        return -1;
    }
    unsigned char buf[160];
    size_t n = fread(buf, 1, sizeof buf, f);
    int bad = ferror(f);
    fclose(f);
    int rc = -1;
    if (bad) {
        snprintf(err, errlen, "cannot read fingerprint key file '%s'", path);
    } else if (n == PVG_FINGERPRINT_KEYBYTES) {
        memcpy(key, buf, PVG_FINGERPRINT_KEYBYTES);
        rc = 0;
    } else {
        size_t a = 0, b = n;
        while (a < b && isspace(buf[a]))
            a++;
        while (b > a && isspace(buf[b - 1]))
            b--;
        if (b - a == 2 * PVG_FINGERPRINT_KEYBYTES) {
            rc = 0;
            for (size_t i = 0; i < PVG_FINGERPRINT_KEYBYTES && !rc; i++) {
                int hi = hexval(buf[a + 2 * i]), lo = hexval(buf[a + 2 * i + 1]);
                if (hi < 0 || lo < 0)
                    rc = -1;
                else
                    key[i] = (uint8_t)(hi << 4 | lo);
            }
        }
        if (rc)
            snprintf(err, errlen, "fingerprint key file '%s' must hold 32 bytes or 64 hex digits",
                     path);
    }
    sodium_memzero(buf, sizeof buf);
    if (rc)
        sodium_memzero(key, PVG_FINGERPRINT_KEYBYTES);
    return rc;
}

/* -------------------------------------------------------------- runner */

struct cli_events {
    uint8_t key[PVG_FINGERPRINT_KEYBYTES];
    state_mem_t *state;
    pvg_state_ops_t ops;
};

int cli_events_open(const char *key_path, cli_events_t **out)
{
    *out = NULL;
    if (sodium_init() < 0) {
        fprintf(stderr, "privguard: cannot initialise libsodium\n");
        return -1;
    }
    cli_events_t *ce = sodium_malloc(sizeof *ce);
    if (!ce) {
        fprintf(stderr, "privguard: out of memory\n");
        return -1;
    }
    memset(ce, 0, sizeof *ce);
    if (key_path) {
        char err[512];
        if (load_fingerprint_key(key_path, ce->key, err, sizeof err)) {
            fprintf(stderr, "privguard: %s\n", err);
            sodium_free(ce);
            return -1;
        }
    } else {
        /* A key for this run only: counts across accounts then hold within
         * one run (docs/events.md). */
        randombytes_buf(ce->key, sizeof ce->key);
    }
    ce->state = state_mem_new(0, 0);
    if (!ce->state) {
        fprintf(stderr, "privguard: out of memory\n");
        sodium_free(ce);
        return -1;
    }
    state_mem_ops(ce->state, &ce->ops);
    *out = ce;
    return 0;
}

void cli_events_close(cli_events_t *ce)
{
    if (!ce)
        return;
    state_mem_free(ce->state);
    sodium_free(ce); /* wipes the key */
}

const char *cli_events_scan(cli_events_t *ce, const pvg_engine_t *e, pvg_scratch_t *s,
                            json_t *obj, pvg_result_t *res)
{
    ev_json_t x;
    const char *error = NULL;
    if (ev_json_parse(obj, &x)) {
        error = x.error;
    } else {
        pvg_error_t rc = pvg_scan_event(e, &x.ev, &ce->ops, ce->key, s, res);
        switch (rc) {
        case PVG_OK: break;
        case PVG_EINVAL: error = "invalid identifier value (docs/events.md)"; break;
        case PVG_ENOTFOUND: error = "unknown identifier kind (phone, rrn, ci, email)"; break;
        case PVG_ETOOBIG: error = "event state is full"; break;
        default: error = pvg_strerror(rc); break;
        }
    }
    ev_json_free(&x);
    return error;
}
