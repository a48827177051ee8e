/* SPDX-License-Identifier: MIT */
/*
 * common.c -- the JetStream layout privguard uses (stream.h): defaults,
 * creating the message and verdict streams, the lease bucket and the
 * per-partition consumers; partition hashing; dedup keys; rewinding a
 * partition's consumer to its ack floor; error text.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "stream/internal.h"

#define MS_NS 1000000LL

const char *pvg_stream_strerror(int code)
{
    switch (code) {
    case PVG_STREAM_OK: return "ok";
    case PVG_STREAM_EINVAL: return "invalid argument";
    case PVG_STREAM_ENATS: return "nats error";
    case PVG_STREAM_ENOMEM: return "out of memory";
    case PVG_STREAM_ESTORE: return "store error";
    case PVG_STREAM_ERULES: return "rules did not compile";
    case PVG_STREAM_ETIMEOUT: return "timed out";
    default: return "unknown error";
    }
}

void pvg__serr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

const char *pvg__nats_err(natsStatus s)
{
    natsStatus last = NATS_OK;
    const char *t = nats_GetLastError(&last);
    if (t && *t)
        return t;
    return natsStatus_GetText(s);
}

int64_t pvg__mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pvg_stream_config_init(pvg_stream_config_t *c)
{
    memset(c, 0, sizeof *c);
    pvg__config_defaults(c);
}

void pvg__config_defaults(pvg_stream_config_t *c)
{
    if (!c->url || !*c->url)
        c->url = "nats://127.0.0.1:4222";
    if (c->partitions <= 0)
        c->partitions = 16;
    if (!c->msg_stream)
        c->msg_stream = "PVG_MSG";
    if (!c->verdict_stream)
        c->verdict_stream = "PVG_VERDICT";
    if (!c->lease_bucket)
        c->lease_bucket = "pvg_leases";
    if (!c->prefix)
        c->prefix = "pvg";
    if (c->replicas <= 0)
        c->replicas = 1;
    if (c->dedup_window_ms <= 0)
        c->dedup_window_ms = 10 * 60 * 1000;
    if (c->lease_ms <= 0)
        c->lease_ms = 5000;
    if (c->ack_wait_ms <= 0)
        c->ack_wait_ms = 30000;
    if (c->max_age_ms == 0)
        c->max_age_ms = 24LL * 3600 * 1000;
    if (c->max_ack_pending <= 0)
        c->max_ack_pending = 8192;
}

int pvg_stream_partition(const char *key, size_t len, int n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 16777619u;
    }
    return n > 0 ? (int)(h % (uint32_t)n) : 0;
}

int pvg_stream_dedup_key(const char *id_raw, size_t id_len, uint64_t seq, char *out,
                         size_t outlen)
{
    int n;
    if (!id_raw || !id_len) {
        n = snprintf(out, outlen, "s:%" PRIu64, seq);
        return n < 0 || (size_t)n >= outlen ? -1 : n;
    }
    const char *v = id_raw;
    size_t vl = id_len;
    if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
        v++;
        vl -= 2;
    }
    int plain = vl > 0 && vl <= 120;
    for (size_t i = 0; plain && i < vl; i++) {
        unsigned char ch = (unsigned char)v[i];
        /* No escapes (a backslash), spaces, control or non-ASCII bytes:
         * those ids are hashed so the key is a safe header value. */
        if (ch <= 0x20 || ch >= 0x7f || ch == '\\' || ch == '"')
            plain = 0;
    }
    if (plain) {
        n = snprintf(out, outlen, "i:%.*s", (int)vl, v);
        return n < 0 || (size_t)n >= outlen ? -1 : n;
    }
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)id_raw, id_len, NULL, 0);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    n = snprintf(out, outlen, "h:%s", hex);
    return n < 0 || (size_t)n >= outlen ? -1 : n;
}

char *pvg__subject(char *buf, size_t len, const pvg_stream_config_t *c, const char *kind, int p)
{
    if (p < 0)
        snprintf(buf, len, "%s.%s.*", c->prefix, kind);
    else
        snprintf(buf, len, "%s.%s.%d", c->prefix, kind, p);
    return buf;
}

const char *pvg__lane_kind(int lane) { return lane == LANE_EVT ? "evt" : "msg"; }

char *pvg__durable(char *buf, size_t len, int lane, int p)
{
    snprintf(buf, len, "pvg-%s-%d", pvg__lane_kind(lane), p);
    return buf;
}

natsStatus pvg__set_servers(natsOptions *o, const char *urls)
{
    /* natsOptions_SetURL takes one URL; a cluster is a list. */
    if (!urls || !strchr(urls, ','))
        return natsOptions_SetURL(o, urls);
    char *copy = strdup(urls);
    if (!copy)
        return NATS_NO_MEMORY;
    const char *list[16];
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && n < 16; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        if (*t)
            list[n++] = t;
    }
    natsStatus s = n ? natsOptions_SetServers(o, list, n) : NATS_INVALID_ARG;
    free(copy);
    return s;
}

int pvg__connect(const pvg_stream_config_t *c, const char *name, natsConnection **nc,
                 char *err, size_t errlen)
{
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK)
        s = pvg__set_servers(o, c->url);
    if (s == NATS_OK && name)
        s = natsOptions_SetName(o, name);
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(o, -1);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(o, 250);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(o, 5000);
    /* Large batches of pending messages per subscription: the fetch batch
     * bounds what is really held. */
    if (s == NATS_OK)
        s = natsOptions_SetMaxPendingMsgs(o, 1 << 20);
    if (s == NATS_OK)
        s = natsConnection_Connect(nc, o);
    if (s != NATS_OK)
        pvg__serr(err, errlen, "cannot connect to nats at '%s': %s", c->url, pvg__nats_err(s));
    natsOptions_Destroy(o);
    return s == NATS_OK ? PVG_STREAM_OK : PVG_STREAM_ENATS;
}

/* Creates stream name over subjects when it does not exist. */
static int ensure_stream(jsCtx *js, const pvg_stream_config_t *c, const char *name,
                         const char **subjects, int nsubj, char *err, size_t errlen)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, js, name, NULL, &jerr);
    if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return PVG_STREAM_OK;
    }
    if (s != NATS_NOT_FOUND) {
        pvg__serr(err, errlen, "cannot look up stream '%s': %s", name, pvg__nats_err(s));
        return PVG_STREAM_ENATS;
    }
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = name;
    sc.Subjects = subjects;
    sc.SubjectsLen = nsubj;
    sc.Storage = c->memory ? js_MemoryStorage : js_FileStorage;
    sc.Replicas = c->replicas;
    sc.Duplicates = c->dedup_window_ms * MS_NS;
    sc.MaxAge = c->max_age_ms > 0 ? c->max_age_ms * MS_NS : 0;
    s = js_AddStream(&si, js, &sc, NULL, &jerr);
    if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return PVG_STREAM_OK;
    }
    /* Another worker may have created it at the same moment. */
    if (js_GetStreamInfo(&si, js, name, NULL, NULL) == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return PVG_STREAM_OK;
    }
    pvg__serr(err, errlen, "cannot create stream '%s': %s (jetstream error %d)", name,
              pvg__nats_err(s), (int)jerr);
    return PVG_STREAM_ENATS;
}

static void consumer_config(jsConsumerConfig *cc, const pvg_stream_config_t *c, const char *durable,
                            const char *filter, int ack_all, uint64_t start_seq)
{
    jsConsumerConfig_Init(cc);
    cc->Durable = durable;
    cc->FilterSubject = filter;
    cc->AckPolicy = ack_all ? js_AckAll : js_AckExplicit;
    cc->AckWait = c->ack_wait_ms * MS_NS;
    cc->MaxAckPending = c->max_ack_pending;
    cc->MaxDeliver = -1;
    cc->ReplayPolicy = js_ReplayInstant;
    if (start_seq > 1) {
        cc->DeliverPolicy = js_DeliverByStartSequence;
        cc->OptStartSeq = start_seq;
    } else {
        cc->DeliverPolicy = js_DeliverAll;
    }
}

int pvg__consumer_ensure(jsCtx *js, const pvg_stream_config_t *c, int lane, int p, int *ack_all,
                         char *err, size_t errlen)
{
    char durable[32], filter[128];
    pvg__durable(durable, sizeof durable, lane, p);
    pvg__subject(filter, sizeof filter, c, pvg__lane_kind(lane), p);
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetConsumerInfo(&ci, js, c->msg_stream, durable, NULL, &jerr);
    if (s == NATS_NOT_FOUND) {
        jsConsumerConfig cc;
        consumer_config(&cc, c, durable, filter, c->ack_all, 0);
        s = js_AddConsumer(&ci, js, c->msg_stream, &cc, NULL, &jerr);
        if (s != NATS_OK) {
            pvg__serr(err, errlen, "cannot create consumer '%s': %s (%d)", durable,
                      pvg__nats_err(s), (int)jerr);
            /* Another worker may have created it at the same moment. */
            if (js_GetConsumerInfo(&ci, js, c->msg_stream, durable, NULL, NULL) != NATS_OK)
                return PVG_STREAM_ENATS;
            s = NATS_OK;
        }
    }
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot set up consumer '%s': %s", durable, pvg__nats_err(s));
        return PVG_STREAM_ENATS;
    }
    if (ack_all)
        *ack_all = ci->Config && ci->Config->AckPolicy == js_AckAll;
    jsConsumerInfo_Destroy(ci);
    return PVG_STREAM_OK;
}

int pvg__consumer_rewind(jsCtx *js, const pvg_stream_config_t *c, int lane, int p,
                         int only_if_pending, int64_t *pending, char *err, size_t errlen)
{
    char durable[32], filter[128];
    pvg__durable(durable, sizeof durable, lane, p);
    pvg__subject(filter, sizeof filter, c, pvg__lane_kind(lane), p);
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetConsumerInfo(&ci, js, c->msg_stream, durable, NULL, &jerr);
    if (s == NATS_NOT_FOUND)
        return pvg__consumer_ensure(js, c, lane, p, NULL, err, errlen);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot read consumer '%s': %s", durable, pvg__nats_err(s));
        return PVG_STREAM_ENATS;
    }
    int64_t outstanding = ci->NumAckPending + ci->NumWaiting;
    uint64_t floor = ci->AckFloor.Stream;
    int ack_all = ci->Config && ci->Config->AckPolicy == js_AckAll;
    jsConsumerInfo_Destroy(ci);
    if (pending)
        *pending = outstanding;
    if (only_if_pending && outstanding == 0)
        return PVG_STREAM_OK;
    s = js_DeleteConsumer(js, c->msg_stream, durable, NULL, &jerr);
    if (s != NATS_OK && s != NATS_NOT_FOUND) {
        pvg__serr(err, errlen, "cannot rewind consumer '%s': %s", durable, pvg__nats_err(s));
        return PVG_STREAM_ENATS;
    }
    jsConsumerConfig cc;
    consumer_config(&cc, c, durable, filter, ack_all, floor + 1);
    s = js_AddConsumer(&ci, js, c->msg_stream, &cc, NULL, &jerr);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot recreate consumer '%s': %s", durable, pvg__nats_err(s));
        return PVG_STREAM_ENATS;
    }
    jsConsumerInfo_Destroy(ci);
    return PVG_STREAM_OK;
}

int pvg_stream_setup(const pvg_stream_config_t *cin, char *err, size_t errlen)
{
    if (!cin || cin->partitions > PVG_STREAM_MAX_PARTITIONS) {
        pvg__serr(err, errlen, "invalid stream configuration");
        return PVG_STREAM_EINVAL;
    }
    pvg_stream_config_t c = *cin;
    pvg__config_defaults(&c);
    natsConnection *nc = NULL;
    int rc = pvg__connect(&c, "privguard-setup", &nc, err, errlen);
    if (rc)
        return rc;
    jsCtx *js = NULL;
    natsStatus s = natsConnection_JetStream(&js, nc, NULL);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot use jetstream: %s", pvg__nats_err(s));
        rc = PVG_STREAM_ENATS;
        goto out;
    }
    char msg_subj[96], evt_subj[96], ver_subj[96];
    const char *msubs[2] = {pvg__subject(msg_subj, sizeof msg_subj, &c, "msg", -1),
                            pvg__subject(evt_subj, sizeof evt_subj, &c, "evt", -1)};
    const char *vsubs[1] = {pvg__subject(ver_subj, sizeof ver_subj, &c, "verdict", -1)};
    rc = ensure_stream(js, &c, c.msg_stream, msubs, 2, err, errlen);
    if (!rc)
        rc = ensure_stream(js, &c, c.verdict_stream, vsubs, 1, err, errlen);
    if (rc)
        goto out;
    kvStore *kv = NULL;
    s = js_KeyValue(&kv, js, c.lease_bucket);
    if (s == NATS_NOT_FOUND) {
        kvConfig kc;
        kvConfig_Init(&kc);
        kc.Bucket = c.lease_bucket;
        kc.History = 1;
        kc.TTL = c.lease_ms * MS_NS;
        kc.Replicas = c.replicas;
        kc.StorageType = js_FileStorage;
        s = js_CreateKeyValue(&kv, js, &kc);
        if (s != NATS_OK)
            s = js_KeyValue(&kv, js, c.lease_bucket);
    }
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot set up lease bucket '%s': %s", c.lease_bucket,
                  pvg__nats_err(s));
        rc = PVG_STREAM_ENATS;
        goto out;
    }
    kvStore_Destroy(kv);
    for (int p = 0; p < c.partitions && !rc; p++)
        for (int l = 0; l < LANES && !rc; l++)
            rc = pvg__consumer_ensure(js, &c, l, p, NULL, err, errlen);
out:
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return rc;
}

/* ------------------------------------------------------------ pulling */

int pvg__puller_open(pvg__puller_t *pl, natsConnection *nc, char *err, size_t errlen)
{
    uint64_t n = pl->n;
    memset(pl, 0, sizeof *pl);
    pl->nc = nc;
    pl->n = n;
    natsInbox *ib = NULL;
    natsStatus s = natsInbox_Create(&ib);
    if (s == NATS_OK) {
        snprintf(pl->inbox, sizeof pl->inbox, "%s", (const char *)ib);
        natsInbox_Destroy(ib);
        char wild[128];
        snprintf(wild, sizeof wild, "%s.*", pl->inbox);
        s = natsConnection_SubscribeSync(&pl->sub, nc, wild);
    }
    if (s == NATS_OK)
        s = natsSubscription_SetPendingLimits(pl->sub, -1, -1);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot subscribe for pulls: %s", pvg__nats_err(s));
        pvg__puller_close(pl);
        return PVG_STREAM_ENATS;
    }
    return PVG_STREAM_OK;
}

void pvg__puller_close(pvg__puller_t *pl)
{
    if (pl->sub)
        natsSubscription_Destroy(pl->sub);
    pl->sub = NULL;
}

/* natsSubscription_NextMsg, but when nothing is queued yet it first naps
 * in 200 us steps (at most 2 ms) while the answer streams in. Blocking at
 * once costs a wake-up of this thread by libnats' reader thread for about
 * every message; after a nap it finds dozens queued and takes them without
 * waiting (two thirds of the worker's context switches went there). */
static natsStatus next_msg(natsSubscription *sub, natsMsg **m, int64_t timeout_ms)
{
    int pending = 0;
    for (int i = 0; i < 10 && timeout_ms > 2; i++) {
        if (natsSubscription_GetPending(sub, &pending, NULL) != NATS_OK || pending > 0)
            break;
        struct timespec ts = {0, 200 * 1000L};
        nanosleep(&ts, NULL);
    }
    return natsSubscription_NextMsg(m, sub, timeout_ms);
}

static void wipe_destroy(natsMsg *m)
{
    const char *d = natsMsg_GetData(m);
    if (d)
        sodium_memzero((void *)d, (size_t)natsMsg_GetDataLength(m));
    natsMsg_Destroy(m);
}

int pvg__pull(pvg__puller_t *pl, const pvg_stream_config_t *c, int lane, int p, int batch,
              int64_t timeout_ms, natsMsg **msgs, int *count)
{
    *count = 0;
    char durable[32], subj[256], reply[160], body[96];
    pvg__durable(durable, sizeof durable, lane, p);
    snprintf(subj, sizeof subj, "$JS.API.CONSUMER.MSG.NEXT.%s.%s", c->msg_stream, durable);
    snprintf(reply, sizeof reply, "%s.%" PRIu64, pl->inbox, ++pl->n);
    int bl = snprintf(body, sizeof body, "{\"batch\":%d,\"no_wait\":true}", batch);
    if (!pl->sub && pvg__puller_open(pl, pl->nc, NULL, 0))
        return PVG_STREAM_ENATS;
    natsStatus s = natsConnection_PublishRequest(pl->nc, subj, reply, body, bl);
    if (s != NATS_OK)
        return PVG_STREAM_ENATS;
    int64_t deadline = pvg__mono_ms() + timeout_ms;
    int n = 0;
    for (;;) {
        int64_t left = deadline - pvg__mono_ms();
        if (left <= 0)
            goto timeout;
        natsMsg *m = NULL;
        s = next_msg(pl->sub, &m, left);
        if (s == NATS_TIMEOUT)
            goto timeout;
        if (s != NATS_OK) {
            for (int i = 0; i < n; i++)
                wipe_destroy(msgs[i]);
            return PVG_STREAM_ENATS;
        }
        /* Messages come under their own subjects with a $JS.ACK reply; a
         * status comes under the reply subject of the request it ends,
         * without a reply. Only those get their headers parsed (libnats
         * builds a table for the first lookup). */
        const char *r = natsMsg_GetReply(m);
        if (r && !strncmp(r, "$JS.ACK.", 8)) {
            if (n < batch)
                msgs[n++] = m;
            else
                wipe_destroy(m);
            if (n == batch) {
                *count = n; /* a full batch ends the answer without a status */
                return PVG_STREAM_OK;
            }
            continue;
        }
        const char *status = NULL;
        if (natsMsgHeader_Get(m, "Status", &status) != NATS_OK || !status) {
            wipe_destroy(m); /* neither a message nor a status: not ours */
            continue;
        }
        int code = (int)strtol(status, NULL, 10);
        int ours = !strcmp(natsMsg_GetSubject(m), reply);
        natsMsg_Destroy(m);
        if (!ours)
            continue; /* the end of an earlier request */
        if (code == 100)
            continue; /* heartbeat */
        if (code == 404 || code == 408) {
            *count = n; /* that is all there is now */
            return PVG_STREAM_OK;
        }
        for (int i = 0; i < n; i++)
            wipe_destroy(msgs[i]);
        return PVG_STREAM_ENATS;
    }
timeout:
    for (int i = 0; i < n; i++)
        wipe_destroy(msgs[i]);
    /* Whatever still comes for this request must not be taken for the
     * answer to the next one: start over on a new inbox. */
    pvg__puller_close(pl);
    pvg__puller_open(pl, pl->nc, NULL, 0);
    return PVG_STREAM_ETIMEOUT;
}

uint64_t pvg__msg_seq(natsMsg *m)
{
    /* $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>
     * or, from newer servers, $JS.ACK.<domain>.<hash>.<stream>.<consumer>.
     * <delivered>.<sseq>.<cseq>.<ts>.<pending>.<token>. */
    const char *r = natsMsg_GetReply(m);
    if (!r || strncmp(r, "$JS.ACK.", 8))
        return 0;
    const char *tok[16];
    int nt = 0;
    for (const char *q = r; nt < 16;) {
        tok[nt++] = q;
        const char *dot = strchr(q, '.');
        if (!dot)
            break;
        q = dot + 1;
    }
    int idx = nt == 9 ? 5 : nt >= 12 ? 7 : -1;
    if (idx < 0)
        return 0;
    return strtoull(tok[idx], NULL, 10);
}

int pvg__ack(natsConnection *nc, natsMsg *m)
{
    const char *r = natsMsg_GetReply(m);
    if (!r)
        return PVG_STREAM_EINVAL;
    return natsConnection_Publish(nc, r, "+ACK", 4) == NATS_OK ? PVG_STREAM_OK : PVG_STREAM_ENATS;
}

/* ----------------------------------------------------------- verdicts */

static uint64_t header_u64(natsMsg *m, const char *name)
{
    const char *v = NULL;
    if (natsMsgHeader_Get(m, name, &v) != NATS_OK || !v)
        return 0;
    char *end = NULL;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    return errno || end == v || *end ? 0 : (uint64_t)x;
}

int pvg__verdict_mark(jsCtx *js, const pvg_stream_config_t *c, int p, pvg__vmark_t *mark,
                      char *err, size_t errlen)
{
    char subj[128];
    pvg__subject(subj, sizeof subj, c, "verdict", p);
    natsMsg *m = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetLastMsg(&m, js, c->verdict_stream, subj, NULL, &jerr);
    memset(mark, 0, sizeof *mark);
    if (s == NATS_NOT_FOUND)
        return PVG_STREAM_OK; /* no verdict on this partition yet */
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot read the last verdict of partition %d: %s", p,
                  pvg__nats_err(s));
        return PVG_STREAM_ENATS;
    }
    mark->vseq = natsMsg_GetSequence(m);
    mark->wm[LANE_MSG] = header_u64(m, "Pvg-Msg-Seq");
    mark->wm[LANE_EVT] = header_u64(m, "Pvg-Evt-Seq");
    natsMsg_Destroy(m);
    return PVG_STREAM_OK;
}

/* The outcome of a publish ack: 0 stored (*seq), 1 a fence refusal,
 * -1 any other refusal or a reply that is not an ack. */
static int parse_pub_ack(natsMsg *r, uint64_t *seq, char *err, size_t errlen)
{
    const char *status = NULL;
    const char *d = natsMsg_GetData(r);
    int dl = natsMsg_GetDataLength(r);
    if (natsMsgHeader_Get(r, "Status", &status) == NATS_OK && status) {
        pvg__serr(err, errlen, "verdict refused with status %s", status);
        return -1;
    }
    json_t *j = d && dl > 0 ? json_loadb(d, (size_t)dl, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    json_t *sq = json_object_get(j, "seq");
    int rc;
    if (e) {
        json_int_t code = json_integer_value(json_object_get(e, "err_code"));
        const char *desc = json_string_value(json_object_get(e, "description"));
        /* 10071: JSStreamWrongLastSequenceErrF, "wrong last sequence: N". */
        rc = code == 10071 || (desc && strstr(desc, "wrong last sequence")) ? 1 : -1;
        pvg__serr(err, errlen, "verdict refused: %s", desc ? desc : "unknown error");
    } else if (json_is_integer(sq) && json_integer_value(sq) > 0) {
        *seq = (uint64_t)json_integer_value(sq);
        rc = 0;
    } else {
        pvg__serr(err, errlen, "verdict publish got no ack");
        rc = -1;
    }
    json_decref(j);
    return rc;
}

int pvg__verdict_publish(natsConnection *nc, const pvg_stream_config_t *c, int p, int lane,
                         pvg__vmark_t *mark, uint64_t last_seq, int count, const char *data,
                         size_t len, int64_t timeout_ms, char *err, size_t errlen)
{
    char subj[128], v[4][24];
    pvg__subject(subj, sizeof subj, c, "verdict", p);
    uint64_t wm[LANES] = {mark->wm[LANE_MSG], mark->wm[LANE_EVT]};
    wm[lane] = last_seq;
    snprintf(v[0], sizeof v[0], "%" PRIu64, mark->vseq);
    snprintf(v[1], sizeof v[1], "%d", count);
    snprintf(v[2], sizeof v[2], "%" PRIu64, wm[LANE_MSG]);
    snprintf(v[3], sizeof v[3], "%" PRIu64, wm[LANE_EVT]);
    natsMsg *m = NULL, *r = NULL;
    natsStatus s = natsMsg_Create(&m, subj, NULL, data, (int)len);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, "Nats-Expected-Last-Subject-Sequence", v[0]);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, "Pvg-Lane", pvg__lane_kind(lane));
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, "Pvg-Count", v[1]);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, "Pvg-Msg-Seq", v[2]);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, "Pvg-Evt-Seq", v[3]);
    if (s == NATS_OK)
        s = natsConnection_RequestMsg(&r, nc, m, timeout_ms);
    natsMsg_Destroy(m);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot publish verdicts: %s", pvg__nats_err(s));
        return s == NATS_TIMEOUT ? PVG_STREAM_ETIMEOUT : PVG_STREAM_ENATS;
    }
    uint64_t seq = 0;
    int rc = parse_pub_ack(r, &seq, err, errlen);
    natsMsg_Destroy(r);
    if (rc)
        return rc > 0 ? PVG__STREAM_ECONFLICT : PVG_STREAM_ENATS;
    mark->vseq = seq;
    mark->wm[lane] = last_seq;
    return PVG_STREAM_OK;
}
