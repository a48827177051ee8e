/* SPDX-License-Identifier: MIT */
/*
 * config.c -- the service's configuration: defaults, `key = value` files
 * and flags, all through one setter so a file and a flag mean the same
 * thing. Numbers are checked (range, no trailing text); unknown keys are an
 * error, so a misspelt key is never silently ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

void pvg_server_config_init(pvg_server_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->listen = strdup("127.0.0.1:8080");
    c->threads = 2;
    c->workers = 4;
    c->queue = 256;
    c->max_inflight = 1024;
    c->max_connections = 4096;
    c->window_keys = 100000;
    c->cache_refresh_ms = 1000;
    c->tick_ms = 60000;
    c->outbox_interval_ms = 1000;
    c->webhook_timeout_ms = 5000;
    c->retry_base_ms = 1000;
    c->retry_max_ms = 3600000;
    c->media_threshold = 31;
    c->media_min_quality = 50;
    c->media_min_frames = 2;
}

/* The config's string fields, owned by it. */
#define STR_FIELDS 11
static void str_fields(pvg_server_config_t *c, char **f[STR_FIELDS])
{
    char **s[STR_FIELDS] = {&c->listen, &c->store, &c->keys,          &c->rules,
                            &c->web,    &c->webhook, &c->data,        &c->ladder,
                            &c->media_actions, &c->nats, &c->nats_prefix};
    memcpy(f, s, sizeof s);
}

void pvg_server_config_free(pvg_server_config_t *c)
{
    char **s[STR_FIELDS];
    str_fields(c, s);
    for (size_t i = 0; i < STR_FIELDS; i++) {
        free(*s[i]);
        *s[i] = NULL;
    }
}

int pvg_server_config_copy(pvg_server_config_t *dst, const pvg_server_config_t *src)
{
    *dst = *src;
    char **d[STR_FIELDS];
    str_fields(dst, d);
    int rc = 0;
    for (size_t i = 0; i < STR_FIELDS; i++)
        if (*d[i] && !(*d[i] = strdup(*d[i])))
            rc = -1; /* the rest are still copied, so freeing dst is safe */
    return rc;
}

static int set_str(char **dst, const char *v, char *err, size_t n)
{
    char *d = strdup(v);
    if (!d) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    free(*dst);
    *dst = d;
    return 0;
}

static int set_int(int *dst, const char *key, const char *v, long lo, long hi, char *err,
                   size_t n)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi) {
        snprintf(err, n, "'%s' must be a whole number from %ld to %ld", key, lo, hi);
        return -1;
    }
    *dst = (int)x;
    return 0;
}

int pvg_server_config_set(pvg_server_config_t *c, const char *key, const char *v, char *err,
                          size_t n)
{
    static const struct {
        const char *key;
        size_t off;
    } strs[] = {
        {"listen", offsetof(pvg_server_config_t, listen)},
        {"store", offsetof(pvg_server_config_t, store)},
        {"keys", offsetof(pvg_server_config_t, keys)},
        {"rules", offsetof(pvg_server_config_t, rules)},
        {"web", offsetof(pvg_server_config_t, web)},
        {"webhook", offsetof(pvg_server_config_t, webhook)},
        {"data", offsetof(pvg_server_config_t, data)},
        {"ladder", offsetof(pvg_server_config_t, ladder)},
        {"nats", offsetof(pvg_server_config_t, nats)},
        {"nats_prefix", offsetof(pvg_server_config_t, nats_prefix)},
    };
    static const struct {
        const char *key;
        size_t off;
        long lo, hi;
    } ints[] = {
        {"threads", offsetof(pvg_server_config_t, threads), 1, 256},
        {"workers", offsetof(pvg_server_config_t, workers), 1, 256},
        {"queue", offsetof(pvg_server_config_t, queue), 1, 1000000},
        {"max_inflight", offsetof(pvg_server_config_t, max_inflight), 1, 1000000},
        {"max_connections", offsetof(pvg_server_config_t, max_connections), 16, 1000000},
        {"window_keys", offsetof(pvg_server_config_t, window_keys), 64, 100000000},
        {"cache_refresh_ms", offsetof(pvg_server_config_t, cache_refresh_ms), 10, 3600000},
        {"tick_ms", offsetof(pvg_server_config_t, tick_ms), 0, 86400000},
        {"outbox_interval_ms", offsetof(pvg_server_config_t, outbox_interval_ms), 10, 3600000},
        {"webhook_timeout_ms", offsetof(pvg_server_config_t, webhook_timeout_ms), 10, 600000},
        {"retry_base_ms", offsetof(pvg_server_config_t, retry_base_ms), 1, 3600000},
        {"retry_max_ms", offsetof(pvg_server_config_t, retry_max_ms), 1, 86400000},
        {"metrics_auth", offsetof(pvg_server_config_t, metrics_auth), 0, 1},
        {"access_log", offsetof(pvg_server_config_t, access_log), 0, 1},
        {"media_threshold", offsetof(pvg_server_config_t, media_threshold), 0, 63},
        {"media_min_quality", offsetof(pvg_server_config_t, media_min_quality), 0, 100},
        {"media_min_frames", offsetof(pvg_server_config_t, media_min_frames), 1, 100000},
    };
    if (!key || !v) {
        snprintf(err, n, "a key and a value are needed");
        return -1;
    }
    if (!strcmp(key, "media_actions")) {
        int acts[PVG_SURFACE_COUNT];
        if (pvg__media_actions_parse(v, acts, err, n))
            return -1;
        return set_str(&c->media_actions, v, err, n);
    }
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (!strcmp(key, strs[i].key)) {
            if (!*v) {
                snprintf(err, n, "'%s' must not be empty", key);
                return -1;
            }
            return set_str((char **)(void *)((char *)c + strs[i].off), v, err, n);
        }
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (!strcmp(key, ints[i].key)) {
            const char *val = v;
            if (!strcmp(v, "true") || !strcmp(v, "yes"))
                val = "1";
            else if (!strcmp(v, "false") || !strcmp(v, "no"))
                val = "0";
            return set_int((int *)(void *)((char *)c + ints[i].off), key, val, ints[i].lo,
                           ints[i].hi, err, n);
        }
    snprintf(err, n, "unknown setting '%.64s'", key);
    return -1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r' || s[l - 1] == '\n'))
        s[--l] = 0;
    return s;
}

int pvg_server_config_file(pvg_server_config_t *c, const char *path, char *err, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, n, "cannot open config file '%s': %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, n, "%s:%d: line too long", path, lineno);
            rc = -1;
            break;
        }
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, n, "%s:%d: expected key = value", path, lineno);
            rc = -1;
            break;
        }
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        size_t vl = strlen(val);
        if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
            val[vl - 1] = 0;
            val++;
        }
        char sub[200];
        if (pvg_server_config_set(c, key, val, sub, sizeof sub)) {
            snprintf(err, n, "%s:%d: %s", path, lineno, sub);
            rc = -1;
            break;
        }
    }
    if (!rc && ferror(f)) {
        snprintf(err, n, "cannot read config file '%s'", path);
        rc = -1;
    }
    fclose(f);
    return rc;
}
