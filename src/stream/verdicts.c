/* SPDX-License-Identifier: MIT */
/*
 * verdicts.c -- reading the verdict stream back as the scan contract's
 * JSONL (`privguard consume --verdicts`, the tests, the benchmark). A
 * verdict message holds the lines of a run of messages of one partition
 * (internal.h); this hands them out one line at a time, in the verdict
 * stream's order (per partition, the messages' stream order).
 */
#include <inttypes.h>
#include <string.h>

#include "stream/internal.h"

int pvg_stream_read_verdicts(const pvg_stream_config_t *cin, const volatile sig_atomic_t *follow,
                             int (*cb)(const char *line, size_t len, void *ctx), void *ctx,
                             uint64_t *lines, char *err, size_t errlen)
{
    if (!cin || !lines) {
        pvg__serr(err, errlen, "invalid arguments");
        return PVG_STREAM_EINVAL;
    }
    *lines = 0;
    pvg_stream_config_t c = *cin;
    pvg__config_defaults(&c);
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsSubscription *sub = NULL;
    jsStreamInfo *si = NULL;
    int rc = pvg__connect(&c, "privguard-verdicts", &nc, err, errlen);
    if (rc)
        return rc;
    natsStatus s = natsConnection_JetStream(&js, nc, NULL);
    if (s == NATS_OK)
        s = js_GetStreamInfo(&si, js, c.verdict_stream, NULL, NULL);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot read stream '%s': %s", c.verdict_stream,
                  pvg__nats_err(s));
        rc = s == NATS_NOT_FOUND ? PVG_STREAM_EINVAL : PVG_STREAM_ENATS;
        goto out;
    }
    /* Without follow, the verdicts stored when the reading starts. */
    uint64_t last = si->State.LastSeq, stored = si->State.Msgs;
    jsStreamInfo_Destroy(si);
    if (!follow && stored == 0)
        goto out;
    char filter[128];
    pvg__subject(filter, sizeof filter, &c, "verdict", -1);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = c.verdict_stream;
    so.Ordered = true;
    s = js_SubscribeSync(&sub, js, filter, NULL, &so, NULL);
    if (s == NATS_OK)
        s = natsSubscription_SetPendingLimits(sub, -1, -1);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot read verdicts: %s", pvg__nats_err(s));
        rc = PVG_STREAM_ENATS;
        goto out;
    }
    int64_t quiet_since = pvg__mono_ms();
    for (;;) {
        if (follow && *follow)
            break; /* asked to stop */
        natsMsg *m = NULL;
        s = natsSubscription_NextMsg(&m, sub, 250);
        if (s == NATS_TIMEOUT) {
            /* The ordered consumer recreates itself after a gap; only a
             * long silence without follow means the verdicts are gone. */
            if (!follow && pvg__mono_ms() - quiet_since > 10000) {
                pvg__serr(err, errlen, "verdict stream stopped answering");
                rc = PVG_STREAM_ETIMEOUT;
                break;
            }
            continue;
        }
        if (s != NATS_OK) {
            pvg__serr(err, errlen, "cannot read verdicts: %s", pvg__nats_err(s));
            rc = PVG_STREAM_ENATS;
            break;
        }
        quiet_since = pvg__mono_ms();
        jsMsgMetaData *md = NULL;
        uint64_t seq = 0;
        if (natsMsg_GetMetaData(&md, m) == NATS_OK) {
            seq = md->Sequence.Stream;
            jsMsgMetaData_Destroy(md);
        }
        const char *d = natsMsg_GetData(m);
        size_t n = (size_t)natsMsg_GetDataLength(m);
        int stop = 0;
        while (d && n && !stop) {
            const char *nl = memchr(d, '\n', n);
            size_t ll = nl ? (size_t)(nl - d) : n;
            if (ll) {
                (*lines)++;
                if (cb && cb(d, ll, ctx))
                    stop = 1;
            }
            if (!nl)
                break;
            n -= ll + 1;
            d = nl + 1;
        }
        natsMsg_Destroy(m);
        if (stop || (!follow && seq >= last))
            break;
    }
out:
    natsSubscription_Destroy(sub);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return rc;
}
