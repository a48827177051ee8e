/* SPDX-License-Identifier: MIT */
/*
 * verdicts.c -- reading the verdict stream back as the scan contract's
 * JSONL (`privguard consume --verdicts`, the tests, the benchmark). A
 * verdict message holds the lines of a run of messages of one partition
 * (internal.h); this hands them out one line at a time, in the verdict
 * stream's order (per partition, the messages' stream order).
 *
 * Messages are fetched one by one by sequence from the stream's leader
 * (STREAM.MSG.GET) rather than through a consumer: a verdict message holds
 * thousands of verdicts, so that is few requests, and it needs no consumer
 * to be placed on a node, which in a cluster that just lost a node can
 * time out. A request that times out (a leader election) is retried for
 * up to 30 seconds.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "stream/internal.h"

#define RETRY_MS 30000

static void nap_ms(int ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* The stream's first and last sequence, retried through an election. */
static natsStatus stream_range(jsCtx *js, const char *name, uint64_t *first, uint64_t *last)
{
    int64_t t0 = pvg__mono_ms();
    for (;;) {
        jsStreamInfo *si = NULL;
        natsStatus s = js_GetStreamInfo(&si, js, name, NULL, NULL);
        if (s == NATS_OK) {
            *first = si->State.FirstSeq;
            *last = si->State.LastSeq;
            jsStreamInfo_Destroy(si);
            return NATS_OK;
        }
        if (s == NATS_NOT_FOUND || pvg__mono_ms() - t0 > RETRY_MS)
            return s;
        nap_ms(250);
    }
}

/* Message seq of the stream: NATS_OK, NATS_NOT_FOUND (deleted or expired:
 * skip it) or an error once retries ran out. */
static natsStatus get_msg(jsCtx *js, const char *name, uint64_t seq, natsMsg **m)
{
    int64_t t0 = pvg__mono_ms();
    for (;;) {
        jsErrCode jerr = 0;
        natsStatus s = js_GetMsg(m, js, name, seq, NULL, &jerr);
        if (s == NATS_OK || s == NATS_NOT_FOUND || pvg__mono_ms() - t0 > RETRY_MS)
            return s;
        nap_ms(250);
    }
}

/* Calls cb on each line of a verdict message; 1 when cb asked to stop. */
static int each_line(natsMsg *m, int (*cb)(const char *, size_t, void *), void *ctx,
                     uint64_t *lines)
{
    const char *d = natsMsg_GetData(m);
    size_t n = (size_t)natsMsg_GetDataLength(m);
    while (d && n) {
        const char *nl = memchr(d, '\n', n);
        size_t ll = nl ? (size_t)(nl - d) : n;
        if (ll) {
            (*lines)++;
            if (cb && cb(d, ll, ctx))
                return 1;
        }
        if (!nl)
            break;
        n -= ll + 1;
        d = nl + 1;
    }
    return 0;
}

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
    int rc = pvg__connect(&c, "privguard-verdicts", &nc, err, errlen);
    if (rc)
        return rc;
    natsStatus s = natsConnection_JetStream(&js, nc, NULL);
    uint64_t first = 0, last = 0;
    if (s == NATS_OK)
        s = stream_range(js, c.verdict_stream, &first, &last);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot read stream '%s': %s", c.verdict_stream,
                  pvg__nats_err(s));
        rc = s == NATS_NOT_FOUND ? PVG_STREAM_EINVAL : PVG_STREAM_ENATS;
        goto out;
    }
    uint64_t seq = first ? first : 1;
    for (;;) {
        if (seq > last) {
            /* Without follow: the verdicts stored when reading started. */
            if (!follow || *follow)
                break;
            nap_ms(250);
            s = stream_range(js, c.verdict_stream, &first, &last);
            if (s != NATS_OK) {
                pvg__serr(err, errlen, "cannot read stream '%s': %s", c.verdict_stream,
                          pvg__nats_err(s));
                rc = PVG_STREAM_ENATS;
                break;
            }
            if (seq < first)
                seq = first; /* older ones expired meanwhile */
            continue;
        }
        natsMsg *m = NULL;
        s = get_msg(js, c.verdict_stream, seq, &m);
        if (s == NATS_NOT_FOUND) {
            seq++; /* deleted, or expired (max age) */
            continue;
        }
        if (s != NATS_OK) {
            pvg__serr(err, errlen, "cannot read verdict %" PRIu64 ": %s", seq, pvg__nats_err(s));
            rc = PVG_STREAM_ENATS;
            break;
        }
        int stop = each_line(m, cb, ctx, lines);
        natsMsg_Destroy(m);
        seq++;
        if (stop)
            break;
    }
out:
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return rc;
}
