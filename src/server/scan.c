/* SPDX-License-Identifier: MIT */
/*
 * scan.c -- POST /v1/scan and POST /v1/scan/batch: the scan contract
 * (DETECTION.md) over HTTP, through the public API only.
 *
 * A message body is the contract's input object (text required; id,
 * surface, room, sender, sender_name, ts, attachments optional; unknown
 * fields ignored, as the contract says). The answer is the contract's
 * output object, written the way the CLI's write_result writes it, so the
 * CLI and the service agree byte for byte (tests/server checks this).
 *
 * Engines come from the rules slot (pvg_slot_acquire/release), so a SIGHUP
 * reload never disturbs a scan in progress. Each thread keeps one scratch,
 * grown for a new engine outside the scan. Conversation windows are shared
 * by all threads and therefore sharded by room: one mutex and one window
 * per shard; a message without room or sender uses no window.
 *
 * Nothing here logs or echoes message text; errors are fixed strings.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/events_json.h"
#include "server/internal.h"

#define MAX_ATT 16

/* The id as JSON text: a string re-encoded, an integer printed. */
static int id_json(json_t *id, char *buf, size_t n)
{
    if (json_is_integer(id))
        return snprintf(buf, n, "%lld", (long long)json_integer_value(id)) < (int)n ? 0 : -1;
    if (json_is_real(id)) {
        char *t = json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT);
        int ok = t && strlen(t) < n;
        if (ok)
            snprintf(buf, n, "%s", t);
        free(t);
        return ok ? 0 : -1;
    }
    if (json_is_string(id)) {
        sb_t b;
        sb_init(&b, n - 1);
        int rc = sb_json_str(&b, json_string_value(id), json_string_length(id));
        if (!rc)
            memcpy(buf, b.data, b.len + 1);
        sb_wipe_free(&b);
        return rc;
    }
    return -1;
}

static const char *str_or_int(json_t *o, const char *key, const char **p, size_t *len, char *ibuf,
                              size_t ilen)
{
    json_t *v = json_object_get(o, key);
    *p = NULL;
    *len = 0;
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v)) {
        *p = json_string_value(v);
        *len = json_string_length(v);
        return NULL;
    }
    if (json_is_integer(v)) {
        int n = snprintf(ibuf, ilen, "%lld", (long long)json_integer_value(v));
        *p = ibuf;
        *len = (size_t)n;
        return NULL;
    }
    return "bad";
}

const char *pvg__parse_message(json_t *o, pvg_message_t *m, pvg_attachment_t *att, size_t max_att,
                               char *idbuf, size_t idlen)
{
    memset(m, 0, sizeof *m);
    m->surface = PVG_SURFACE_DIRECT;
    idbuf[0] = 0;
    if (!json_is_object(o))
        return "a message must be a json object";
    json_t *id = json_object_get(o, "id");
    if (id && !json_is_null(id)) {
        if (!json_is_string(id) && !json_is_number(id))
            return "id must be a string or a number";
        if (id_json(id, idbuf, idlen))
            return "id is too long";
        m->id = idbuf;
        m->id_len = strlen(idbuf);
    }
    json_t *text = json_object_get(o, "text");
    if (!text)
        return json_object_get(o, "event") ? "events go to /v1/events" : "missing text";
    if (!json_is_string(text))
        return "text must be a string";
    m->text = json_string_value(text);
    m->text_len = json_string_length(text);
    if (m->text_len > PVG_MAX_TEXT)
        return "text is longer than the limit";
    /* Room and sender may be numbers: both ids live in the same buffer
     * after the message id. */
    size_t used = strlen(idbuf) + 1;
    char *rbuf = idbuf + used, *sbuf = rbuf + 24;
    if (used + 48 > idlen)
        return "id is too long";
    if (str_or_int(o, "room", &m->room, &m->room_len, rbuf, 24))
        return "room must be a string or an integer";
    if (str_or_int(o, "sender", &m->sender, &m->sender_len, sbuf, 24))
        return "sender must be a string or an integer";
    json_t *sn = json_object_get(o, "sender_name");
    if (sn && !json_is_null(sn)) {
        if (!json_is_string(sn))
            return "sender_name must be a string";
        m->sender_name = json_string_value(sn);
        m->sender_name_len = json_string_length(sn);
    }
    json_t *surface = json_object_get(o, "surface");
    if (surface && !json_is_null(surface)) {
        int sv = json_is_string(surface) ? pvg_surface_from_name(json_string_value(surface),
                                                                 json_string_length(surface))
                                         : PVG_ENOTFOUND;
        if (sv < 0)
            return "unknown surface";
        m->surface = sv;
    }
    json_t *ts = json_object_get(o, "ts");
    if (ts && !json_is_null(ts)) {
        if (!json_is_integer(ts) || json_integer_value(ts) < 0)
            return "ts must be epoch milliseconds";
        m->ts_ms = json_integer_value(ts);
    }
    json_t *atts = json_object_get(o, "attachments");
    if (atts && !json_is_null(atts)) {
        if (!json_is_array(atts))
            return "attachments must be a list";
        size_t k;
        json_t *a;
        json_array_foreach(atts, k, a)
        {
            if (!json_is_object(a))
                return "attachments must be objects";
            if (m->n_attachments >= max_att)
                break;
            pvg_attachment_t *at = &att[m->n_attachments++];
            memset(at, 0, sizeof *at);
            json_t *v;
            if ((v = json_object_get(a, "name")) && json_is_string(v)) {
                at->name = json_string_value(v);
                at->name_len = json_string_length(v);
            }
            if ((v = json_object_get(a, "mime")) && json_is_string(v)) {
                at->mime = json_string_value(v);
                at->mime_len = json_string_length(v);
            }
            if ((v = json_object_get(a, "url")) && json_is_string(v)) {
                at->url = json_string_value(v);
                at->url_len = json_string_length(v);
            }
            v = json_object_get(a, "size");
            at->size = json_is_integer(v) ? json_integer_value(v) : -1;
        }
        m->attachments = att;
    }
    if (!pvg_utf8_valid(m->text, m->text_len))
        return "invalid utf-8";
    return NULL;
}

/* Scores with two decimals, as the CLI prints them. */
static int put_score(sb_t *out, float score)
{
    int v = (int)(score * 100.0f + 0.5f);
    if (v >= 100)
        return sb_puts(out, "1.0");
    return sb_printf(out, "0.%02d", v < 0 ? 0 : v);
}

int pvg__write_result(sb_t *out, const char *id, size_t id_len, const pvg_result_t *res)
{
    sb_puts(out, "{\"id\":");
    if (id && id_len)
        sb_put(out, id, id_len);
    else
        sb_puts(out, "null");
    sb_puts(out, ",\"findings\":[");
    for (size_t i = 0; i < res->n_findings; i++) {
        const pvg_finding_t *f = &res->findings[i];
        if (i)
            sb_putc(out, ',');
        sb_printf(out, "{\"type\":\"%s\",\"class\":\"%s\",\"start\":%zu,\"end\":%zu,\"score\":",
                  pvg_entity_name((int)f->type), pvg_class_name((int)f->cls), f->start, f->end);
        put_score(out, f->score);
        if (f->prev_id) {
            sb_puts(out, ",\"prev\":{\"id\":");
            if (f->prev_id_len)
                sb_put(out, f->prev_id, f->prev_id_len);
            else
                sb_puts(out, "null");
            sb_printf(out, ",\"start\":%zu,\"end\":%zu}", f->prev_start, f->prev_end);
        }
        sb_putc(out, '}');
    }
    sb_putc(out, ']');
    if (res->identifies) {
        sb_puts(out, ",\"identifies\":{\"findings\":[");
        for (size_t i = 0; i < res->n_identifies_findings; i++)
            sb_printf(out, i ? ",%zu" : "%zu", res->identifies_findings[i]);
        sb_puts(out, "],\"prev\":[");
        for (size_t i = 0; i < res->n_identifies_prev; i++) {
            if (i)
                sb_putc(out, ',');
            sb_put(out, res->identifies_prev[i], res->identifies_prev_len[i]);
        }
        sb_puts(out, "]}");
    }
    sb_puts(out, ",\"violations\":[");
    for (size_t i = 0; i < res->n_violations; i++) {
        const pvg_violation_t *v = &res->violations[i];
        if (i)
            sb_putc(out, ',');
        sb_printf(out, "{\"category\":\"%s\",\"score\":", v->category);
        put_score(out, v->score);
        sb_puts(out, ",\"reasons\":[");
        for (size_t k = 0; k < v->n_reasons; k++) {
            if (k)
                sb_putc(out, ',');
            sb_json_str(out, v->reasons[k], strlen(v->reasons[k]));
        }
        sb_putc(out, ']');
        if (v->shadow)
            sb_puts(out, ",\"shadow\":true");
        sb_printf(out, ",\"action\":\"%s\"}", pvg_action_name(v->action));
    }
    return sb_printf(out, "],\"action\":\"%s\"}", pvg_action_name(res->action));
}

static uint32_t shard_of(const pvg_message_t *m)
{
    /* FNV-1a over the room id: one room's messages meet in one shard. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < m->room_len; i++)
        h = (h ^ (unsigned char)m->room[i]) * 16777619u;
    return h % WINDOW_SHARDS;
}

/* Makes sure the thread's scratch fits e. */
static int scratch_for(srv_t *s, const pvg_engine_t *e, pvg_scratch_t **out)
{
    tls_t *t = pvg__tls(s);
    if (!t)
        return PVG_ENOMEM;
    if (!t->scratch || t->engine != e) {
        pvg_error_t rc = pvg_scratch_alloc(e, &t->scratch);
        if (rc != PVG_OK)
            return rc;
        t->engine = e;
    }
    *out = t->scratch;
    return PVG_OK;
}

/* Scans one message with its window (if any). */
static pvg_error_t scan_one(srv_t *s, const pvg_engine_t *e, pvg_scratch_t **sc,
                            const pvg_message_t *m, pvg_result_t *res)
{
    window_shard_t *sh = NULL;
    if (m->room && m->sender)
        sh = &s->shards[shard_of(m)];
    if (sh)
        pthread_mutex_lock(&sh->mu);
    pvg_error_t rc = pvg_scan_message(e, m, sh ? sh->w : NULL, 0, *sc, res);
    if (rc == PVG_ESCRATCH_SMALL) {
        tls_t *t = pvg__tls(s);
        if (t && pvg_scratch_alloc(e, &t->scratch) == PVG_OK) {
            t->engine = e;
            *sc = t->scratch;
            rc = pvg_scan_message(e, m, sh ? sh->w : NULL, 0, *sc, res);
        }
    }
    if (sh)
        pthread_mutex_unlock(&sh->mu);
    return rc;
}

static void scan_error(req_t *r, pvg_error_t rc)
{
    if (rc == PVG_EUTF8)
        pvg__req_error(r, 400, "invalid_input", "invalid utf-8");
    else if (rc == PVG_ETOOBIG)
        pvg__req_error(r, 413, "body_too_large", "text is longer than the limit");
    else if (rc == PVG_ENOMEM) {
        r->retry_after = 1;
        pvg__req_error(r, 503, "out_of_memory", "the scan ran out of memory");
    } else
        pvg__req_error(r, 500, "scan_failed", pvg_strerror(rc));
}

void pvg__h_scan(req_t *r)
{
    srv_t *s = r->srv;
    if (!r->body.len) {
        pvg__req_error(r, 400, "invalid_input", "a json object body is required");
        return;
    }
    json_error_t jerr;
    json_t *o = json_loadb(r->body.data, r->body.len, JSON_ALLOW_NUL, &jerr);
    if (!o) {
        pvg__req_error(r, 400, "invalid_json",
                       pvg_utf8_valid(r->body.data, r->body.len) ? "malformed json"
                                                                  : "invalid utf-8");
        return;
    }
    pvg_message_t m;
    pvg_attachment_t att[MAX_ATT];
    char idbuf[512];
    const char *perr = pvg__parse_message(o, &m, att, MAX_ATT, idbuf, sizeof idbuf);
    if (perr) {
        pvg__req_error(r, 400, "invalid_input", perr);
        json_decref(o);
        return;
    }
    const pvg_engine_t *e = pvg_slot_acquire(s->slot);
    pvg_scratch_t *sc = NULL;
    pvg_result_t res;
    pvg_error_t rc = scratch_for(s, e, &sc);
    if (rc == PVG_OK)
        rc = scan_one(s, e, &sc, &m, &res);
    if (rc == PVG_OK) {
        /* attachments carrying a PDQ hash are matched against the media
         * bank (docs/media.md): a match adds to pii_exposure */
        media_scan_t ms;
        const pvg_result_t *out = &res;
        int mrc = pvg__media_scan_attachments(s, o, m.surface, &res, &ms);
        if (mrc > 0)
            out = &ms.res;
        pvg__metrics_result(&s->m, out);
        sb_reset(&r->out);
        r->status = 200;
        pvg__write_result(&r->out, m.id, m.id_len, out);
        if (mrc > 0)
            pvg__media_scan_free(&ms);
        if (mrc < 0) {
            r->retry_after = 1;
            pvg__req_error(r, 503, "out_of_memory", "the media bank could not be searched");
        } else if (sb_failed(&r->out))
            pvg__req_error(r, 500, "out_of_memory", "the answer could not be built");
    } else {
        scan_error(r, rc);
    }
    pvg_slot_release(s->slot, e);
    pvg__json_wipe(o);
    json_decref(o);
}

/* ------------------------------------------------------------- batch */

void pvg__json_wipe(json_t *v)
{
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_string(v)) {
        /* jansson's copy of the text lives on the heap: wipe it in place */
        sodium_memzero((char *)(uintptr_t)json_string_value(v), json_string_length(v));
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) pvg__json_wipe(x);
    } else if (json_is_object(v)) {
        json_object_foreach(v, k, x) pvg__json_wipe(x);
    }
}

static void put_item_error(sb_t *out, const char *id, size_t i, const char *err)
{
    sb_puts(out, "{\"id\":");
    sb_puts(out, id && *id ? id : "null");
    sb_printf(out, ",\"index\":%zu,\"error\":", i);
    sb_json_str(out, err, strlen(err));
    sb_putc(out, '}');
}

void pvg__h_scan_batch(req_t *r)
{
    srv_t *s = r->srv;
    json_t *root = pvg__req_body_object(r);
    if (!root)
        return;
    json_t *msgs = json_object_get(root, "messages");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "messages")) {
            pvg__req_error(r, 400, "invalid_input", "unknown field: a batch has only 'messages'");
            json_decref(root);
            return;
        }
    }
    if (!json_is_array(msgs)) {
        pvg__req_error(r, 400, "invalid_input", "field 'messages' must be a list");
        json_decref(root);
        return;
    }
    size_t n = json_array_size(msgs);
    if (n > PVG_SRV_MAX_BATCH) {
        pvg__req_error(r, 413, "body_too_large", "a batch holds at most 10000 messages");
        json_decref(root);
        return;
    }
    pvg_message_t *m = calloc(n ? n : 1, sizeof *m);
    pvg_attachment_t *att = calloc(n ? n : 1, sizeof *att * MAX_ATT);
    char(*ids)[512] = calloc(n ? n : 1, sizeof *ids);
    const char **errs = calloc(n ? n : 1, sizeof *errs);
    if (!m || !att || !ids || !errs) {
        free(m);
        free(att);
        free(ids);
        free(errs);
        json_decref(root);
        r->retry_after = 1;
        pvg__req_error(r, 503, "out_of_memory", "the batch could not be parsed");
        return;
    }
    for (size_t i = 0; i < n; i++)
        errs[i] = pvg__parse_message(json_array_get(msgs, i), &m[i], att + i * MAX_ATT, MAX_ATT,
                                     ids[i], sizeof ids[i]);
    const pvg_engine_t *e = pvg_slot_acquire(s->slot);
    pvg_scratch_t *sc = NULL;
    pvg_error_t rc = scratch_for(s, e, &sc);
    sb_reset(&r->out);
    sb_puts(&r->out, "{\"results\":[");
    for (size_t i = 0; rc == PVG_OK && i < n; i++) {
        if (i)
            sb_putc(&r->out, ',');
        if (errs[i]) {
            put_item_error(&r->out, ids[i], i, errs[i]);
            continue;
        }
        pvg_result_t res;
        pvg_error_t one = scan_one(s, e, &sc, &m[i], &res);
        if (one == PVG_OK) {
            pvg__metrics_result(&s->m, &res);
            pvg__write_result(&r->out, m[i].id, m[i].id_len, &res);
        } else if (one == PVG_EUTF8 || one == PVG_ETOOBIG) {
            put_item_error(&r->out, ids[i], i, pvg_strerror(one));
        } else {
            rc = one;
        }
    }
    sb_puts(&r->out, "]}");
    pvg_slot_release(s->slot, e);
    if (rc != PVG_OK)
        scan_error(r, rc);
    else if (sb_failed(&r->out))
        pvg__req_error(r, 500, "out_of_memory", "the answer could not be built");
    else
        r->status = 200;
    free(m);
    free(att);
    free(ids);
    free(errs);
    pvg__json_wipe(root);
    json_decref(root);
}

/* ------------------------------------------------------------- events */

void pvg__h_events(req_t *r)
{
    srv_t *s = r->srv;
    json_t *o = pvg__req_body_object(r);
    if (!o)
        return;
    if (!json_is_string(json_object_get(o, "event"))) {
        pvg__req_error(r, 400, "invalid_input", "field 'event' must be a string");
        pvg__json_wipe(o);
        json_decref(o);
        return;
    }
    char idbuf[512] = "";
    json_t *id = json_object_get(o, "id");
    if (id && !json_is_null(id) &&
        ((!json_is_string(id) && !json_is_number(id)) || id_json(id, idbuf, sizeof idbuf))) {
        pvg__req_error(r, 400, "invalid_input", "id must be a short string or a number");
        pvg__json_wipe(o);
        json_decref(o);
        return;
    }
    const pvg_engine_t *e = pvg_slot_acquire(s->slot);
    pvg_scratch_t *sc = NULL;
    pvg_result_t res;
    const char *err = NULL;
    pvg_error_t rc = scratch_for(s, e, &sc);
    if (rc == PVG_OK) {
        pthread_mutex_lock(&s->ev_mu);
        err = cli_events_scan(s->events, e, sc, o, &res);
        if (!err) {
            pvg__metrics_result(&s->m, &res);
            sb_reset(&r->out);
            r->status = 200;
            pvg__write_result(&r->out, idbuf, strlen(idbuf), &res);
        }
        pthread_mutex_unlock(&s->ev_mu);
        if (err)
            pvg__req_error(r, !strcmp(err, "event state is full") ? 503 : 400,
                           !strcmp(err, "event state is full") ? "overloaded" : "invalid_input",
                           err);
        else if (sb_failed(&r->out))
            pvg__req_error(r, 500, "out_of_memory", "the answer could not be built");
    } else {
        scan_error(r, rc);
    }
    pvg_slot_release(s->slot, e);
    pvg__json_wipe(o);
    json_decref(o);
}
