/* SPDX-License-Identifier: MIT */
/*
 * internal.h -- helpers shared by the files of src/stream (not part of the
 * component's API in stream.h): connecting, naming subjects and consumers,
 * making sure a partition's consumer exists, rewinding it to its ack floor,
 * and error text. Every function here is thread-safe unless it says so.
 */
#ifndef PVG_STREAM_INTERNAL_H
#define PVG_STREAM_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>

#include <nats/nats.h>

#include "stream/stream.h"

/* Writes a formatted lowercase detail into err (may be NULL). */
void pvg__serr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The text of the calling thread's last libnats error, or of s. Never NULL;
 * it names servers and subjects, never payloads. */
const char *pvg__nats_err(natsStatus s);

/* Sets the servers of o from a comma-separated list of URLs (at most 16). */
natsStatus pvg__set_servers(natsOptions *o, const char *urls);

/* Connects to c->url with reconnection on (the client retries forever) and
 * name as the connection name. Returns PVG_STREAM_OK or ENATS. */
int pvg__connect(const pvg_stream_config_t *c, const char *name, natsConnection **nc,
                 char *err, size_t errlen);

/* Fills in defaults for the zero fields of c (a copy). */
void pvg__config_defaults(pvg_stream_config_t *c);

/* Subject and consumer names. Each returns buf. */
char *pvg__subject(char *buf, size_t len, const pvg_stream_config_t *c, const char *kind, int p);
char *pvg__durable(char *buf, size_t len, int lane, int p);

/* A partition has two lanes, each with its own durable consumer: messages
 * (<prefix>.msg.<p>) and events (<prefix>.evt.<p>). nats-server 2.9 takes
 * one filter subject per consumer. */
enum { LANE_MSG = 0, LANE_EVT = 1, LANES = 2 };
const char *pvg__lane_kind(int lane);

/* Makes sure the durable consumer of lane `lane` of partition p exists
 * (creating it at the start of the stream when missing). *ack_all (may be
 * NULL) receives whether it acknowledges with AckAll. */
int pvg__consumer_ensure(jsCtx *js, const pvg_stream_config_t *c, int lane, int p, int *ack_all,
                         char *err, size_t errlen);

/* Rewinds the consumer of a lane of partition p so that the next message it hands
 * out is the first one after its ack floor, in stream order: the consumer
 * is deleted and created again from floor + 1. Messages delivered but not
 * acknowledged (a dead worker's batch) come back in order this way, instead
 * of after the newer ones when their ack wait ends. *pending (may be NULL)
 * receives how many were outstanding. */
int pvg__consumer_rewind(jsCtx *js, const pvg_stream_config_t *c, int lane, int p,
                         int only_if_pending,
                         int64_t *pending, char *err, size_t errlen);

int64_t pvg__mono_ms(void);

/* Pulling from a durable consumer without libnats' Fetch: one pull request
 * with no_wait and no expiry, answered at once by the server with what it
 * has (up to batch messages) and a status message that ends
 * the answer. Nothing stays waiting on the server after the call returns,
 * so no message can be handed to a worker that has moved on. Each request
 * has its own reply subject; a late message of an earlier request is
 * dropped (it stays unacknowledged and comes back after a rewind). One
 * puller belongs to one thread. */
typedef struct pvg__puller {
    natsConnection *nc;
    natsSubscription *sub;
    char inbox[96];
    uint64_t n;
} pvg__puller_t;

int pvg__puller_open(pvg__puller_t *pl, natsConnection *nc, char *err, size_t errlen);
void pvg__puller_close(pvg__puller_t *pl);
/* Pulls up to batch messages of the lane's consumer into msgs (which has
 * room for batch). *count gets how many (0: none waiting). Returns
 * PVG_STREAM_OK, ETIMEOUT (no answer within timeout_ms: the messages got
 * so far are destroyed) or ENATS (the server refused the request). */
int pvg__pull(pvg__puller_t *pl, const pvg_stream_config_t *c, int lane, int p, int batch,
              int64_t timeout_ms, natsMsg **msgs, int *count);

/* Verdicts. A verdict message on <prefix>.verdict.<p> holds the verdicts
 * of a run of consecutive messages of one lane of partition p: the scan
 * contract's output lines, in stream order, each ending in a newline (its
 * "line" is the message's stream sequence). Headers:
 *   Pvg-Lane     msg or evt
 *   Pvg-Count    the number of lines
 *   Pvg-Msg-Seq  the last message sequence of the msg lane with a verdict
 *   Pvg-Evt-Seq  the same for the evt lane
 * The last two are cumulative (carried forward from the subject's previous
 * verdict message), so the last verdict message of a partition says which
 * messages already have a verdict: the watermark a worker taking the
 * partition over skips up to. Every verdict message is published with
 * Nats-Expected-Last-Subject-Sequence = the sequence of the subject's
 * previous one, so a second writer (a worker whose lease lapsed while it
 * was stalled) is refused instead of adding verdicts twice. */
typedef struct pvg__vmark {
    uint64_t vseq;       /* stream sequence of the subject's last verdict message (0: none) */
    uint64_t wm[LANES];  /* per lane: the last message sequence with a verdict */
} pvg__vmark_t;

#define PVG__STREAM_ECONFLICT -299 /* internal: the verdict subject moved on */

/* Reads the mark of partition p's verdict subject from the verdict stream. */
int pvg__verdict_mark(jsCtx *js, const pvg_stream_config_t *c, int p, pvg__vmark_t *mark,
                      char *err, size_t errlen);

/* Publishes one verdict message for lane `lane` of partition p whose last
 * line is message last_seq, fenced on mark->vseq, and waits for the
 * server's ack; on success mark->vseq and mark->wm[lane] move on. Returns
 * PVG_STREAM_OK, PVG__STREAM_ECONFLICT (someone else wrote to the subject:
 * read the mark again), ETIMEOUT (it may or may not be stored: read the
 * mark again) or ENATS. */
int pvg__verdict_publish(natsConnection *nc, const pvg_stream_config_t *c, int p, int lane,
                         pvg__vmark_t *mark, uint64_t last_seq, int count, const char *data,
                         size_t len, int64_t timeout_ms, char *err, size_t errlen);

/* The stream sequence of a message pulled from a consumer (0 when its
 * reply subject is not a JetStream ack subject). */
uint64_t pvg__msg_seq(natsMsg *m);
/* Acknowledges m (+ACK to its reply subject; with AckAll this covers every
 * earlier message of the consumer too). */
int pvg__ack(natsConnection *nc, natsMsg *m);

#endif
