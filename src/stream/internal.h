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

/* Publishing verdicts with publish acks read back on the publishing
 * thread: each message goes out with Nats-Msg-Id and a reply subject of
 * this batch under the thread's own inbox, and pvg__pub_wait collects the
 * server's acks from a synchronous subscription. No per-message callback or
 * lookup table, and no thread hop per ack (libnats' js_PublishAsync has
 * both). One publisher belongs to one thread. */
typedef struct pvg__publisher {
    natsConnection *nc;
    natsSubscription *sub;
    char inbox[96];
    char reply[128];
    uint64_t batch;
    int sent;
    natsMsg **held;     /* this batch's verdicts and acks, destroyed together */
    int nheld, capheld;
} pvg__publisher_t;

int pvg__publisher_open(pvg__publisher_t *pb, natsConnection *nc, char *err, size_t errlen);
void pvg__publisher_close(pvg__publisher_t *pb);
/* Destroys the messages of the batch (sent verdicts, received acks): call
 * once the batch is done. pvg__publisher_close does it too. */
void pvg__pub_release(pvg__publisher_t *pb);
/* Starts a new batch (acks of earlier batches are ignored from now on). */
void pvg__pub_begin(pvg__publisher_t *pb);
int pvg__pub(pvg__publisher_t *pb, const char *subj, const char *msg_id, const char *data,
             int len);
/* Waits for the acks of every message of the batch. Returns PVG_STREAM_OK
 * when all were stored (*dups: how many the server had already, by
 * Nats-Msg-Id), ENATS when one was refused, ETIMEOUT. */
int pvg__pub_wait(pvg__publisher_t *pb, int64_t timeout_ms, int *dups);

/* The stream sequence of a message pulled from a consumer (0 when its
 * reply subject is not a JetStream ack subject). */
uint64_t pvg__msg_seq(natsMsg *m);
/* Acknowledges m (+ACK to its reply subject; with AckAll this covers every
 * earlier message of the consumer too). */
int pvg__ack(natsConnection *nc, natsMsg *m);

#endif
