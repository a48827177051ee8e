/* SPDX-License-Identifier: MIT */
/*
 * producer.c -- loads scan-contract JSONL lines into the message stream:
 * messages go to <prefix>.msg.<partition of room>, events to
 * <prefix>.evt.<partition of account>, each published asynchronously with
 * Nats-Msg-Id set to its dedup key, so a producer's retry is stored once.
 * Used by `privguard consume --publish`, the tests and the benchmark; the
 * messenger's own send path would do the same in its language.
 *
 * One thread uses a producer at a time. The line is parsed only to route
 * it; its text is neither kept nor logged.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "stream/internal.h"

struct pvg_producer {
    pvg_stream_config_t c;
    natsConnection *nc;
    jsCtx *js;
    uint64_t sent;
    volatile uint64_t failed; /* counted on a libnats thread */
};

static void on_pub_err(jsCtx *js, jsPubAckErr *pae, void *closure)
{
    (void)js;
    (void)pae;
    pvg_producer_t *p = closure;
    __atomic_add_fetch(&p->failed, 1, __ATOMIC_RELAXED);
}

int pvg_producer_open(const pvg_stream_config_t *c, pvg_producer_t **out, char *err,
                      size_t errlen)
{
    if (!c || !out)
        return PVG_STREAM_EINVAL;
    *out = NULL;
    pvg_producer_t *p = calloc(1, sizeof *p);
    if (!p)
        return PVG_STREAM_ENOMEM;
    p->c = *c;
    pvg__config_defaults(&p->c);
    int rc = pvg__connect(&p->c, "privguard-producer", &p->nc, err, errlen);
    if (rc) {
        free(p);
        return rc;
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.MaxPending = 4096;
    jo.PublishAsync.ErrHandler = on_pub_err;
    jo.PublishAsync.ErrHandlerClosure = p;
    jo.PublishAsync.StallWait = 5000;
    natsStatus s = natsConnection_JetStream(&p->js, p->nc, &jo);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot use jetstream: %s", pvg__nats_err(s));
        natsConnection_Destroy(p->nc);
        free(p);
        return PVG_STREAM_ENATS;
    }
    *out = p;
    return PVG_STREAM_OK;
}

/* The routing key of a member: a string's value or an integer's digits. */
static const char *key_of(json_t *v, char *buf, size_t len, size_t *klen)
{
    if (json_is_string(v)) {
        *klen = json_string_length(v);
        return json_string_value(v);
    }
    if (json_is_integer(v)) {
        int n = snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *klen = (size_t)n;
        return buf;
    }
    return NULL;
}

int pvg_producer_send(pvg_producer_t *p, const char *line, size_t len)
{
    if (!p || !line || len > ((size_t)1 << 20))
        return PVG_STREAM_EINVAL;
    json_t *o = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return PVG_STREAM_EINVAL;
    }
    int is_event = json_object_get(o, "text") == NULL && json_is_string(json_object_get(o, "event"));
    char kbuf[32];
    size_t klen = 0;
    const char *key = NULL;
    if (is_event) {
        key = key_of(json_object_get(o, "account"), kbuf, sizeof kbuf, &klen);
    } else {
        key = key_of(json_object_get(o, "room"), kbuf, sizeof kbuf, &klen);
        if (!key)
            key = key_of(json_object_get(o, "sender"), kbuf, sizeof kbuf, &klen);
    }
    json_t *id = json_object_get(o, "id");
    char idbuf[32];
    size_t idlen = 0;
    const char *idv = key_of(id, idbuf, sizeof idbuf, &idlen);
    if (!key) {
        key = idv ? idv : "";
        klen = idv ? idlen : 0;
    }
    int part = pvg_stream_partition(key, klen, p->c.partitions);
    /* The dedup key is made from the id as JSON writes it, like the
     * worker does with the raw member. */
    char dkey[160];
    int have_id = 0;
    if (json_is_string(id)) {
        char *raw = json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT);
        if (raw) {
            have_id = pvg_stream_dedup_key(raw, strlen(raw), 0, dkey, sizeof dkey) > 0;
            free(raw);
        }
    } else if (json_is_integer(id)) {
        have_id = pvg_stream_dedup_key(idbuf, idlen, 0, dkey, sizeof dkey) > 0;
    }
    json_decref(o);
    char subj[128];
    pvg__subject(subj, sizeof subj, &p->c, is_event ? "evt" : "msg", part);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    if (have_id)
        po.MsgId = dkey;
    natsStatus s = js_PublishAsync(p->js, subj, line, (int)len, &po);
    if (s != NATS_OK)
        return PVG_STREAM_ENATS;
    p->sent++;
    return PVG_STREAM_OK;
}

int pvg_producer_flush(pvg_producer_t *p, int64_t timeout_ms)
{
    if (!p)
        return PVG_STREAM_EINVAL;
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = timeout_ms > 0 ? timeout_ms : 30000;
    natsStatus s = js_PublishAsyncComplete(p->js, &po);
    if (s == NATS_TIMEOUT)
        return PVG_STREAM_ETIMEOUT;
    if (s != NATS_OK || __atomic_load_n(&p->failed, __ATOMIC_RELAXED))
        return PVG_STREAM_ENATS;
    return PVG_STREAM_OK;
}

uint64_t pvg_producer_sent(const pvg_producer_t *p) { return p ? p->sent : 0; }

uint64_t pvg_producer_failed(const pvg_producer_t *p)
{
    return p ? __atomic_load_n(&p->failed, __ATOMIC_RELAXED) : 0;
}

void pvg_producer_close(pvg_producer_t *p)
{
    if (!p)
        return;
    jsCtx_Destroy(p->js);
    natsConnection_Destroy(p->nc);
    free(p);
}
