/* SPDX-License-Identifier: MIT */
/*
 * worker.c -- the scanning worker behind `privguard consume`.
 *
 * A worker leases partitions (lease.c) and runs `threads` processing
 * threads. A thread claims one partition it serves at a time and handles
 * one batch of it to the end before letting go, so a partition's messages
 * are scanned in stream order through that partition's conversation window
 * (pvg_window_t: rooms hash to partitions, so a room's window lives with
 * its partition). For a batch:
 *
 *   1. fetch up to `batch` messages (no-wait pull: nothing lingers on the
 *      server that could be delivered to a worker that left);
 *   2. scan each (the scan contract's output line is the verdict); for a
 *      violation that calls for review (action review or block, not shadow)
 *      file an automated report in the enforcement store with the message's
 *      dedup key as external_id, so a redelivery replays the stored report;
 *   3. publish the verdict lines of the batch as one verdict message (more
 *      when they exceed the server's max payload or --verdict-lines) to
 *      <prefix>.verdict.<p>, fenced on the subject's last sequence, and
 *      wait for the server's ack (internal.h: pvg__verdict_publish);
 *   4. only then acknowledge the messages (one AckAll for the batch, or one
 *      ack each with explicit consumers).
 * When anything in 2-4 fails, nothing after the failing message is acked
 * and the partition's consumer is rewound to its ack floor before the next
 * fetch, so the rest comes again, in order. Each verdict message carries
 * the lane's watermark (the last message sequence with a verdict); a worker
 * that takes a partition over, or retries after a failure, reads it from
 * the subject's last verdict message and skips redelivered messages up to
 * it. At-least-once delivery plus the watermark gives exactly one verdict
 * per message, and the report's idempotency key (the message's dedup key
 * as external_id) at most one report.
 *
 * Memory is bounded by threads x batch x message size, the windows' key
 * limit, and the verdicts of one batch awaiting their acks.
 * The text of each fetched message is wiped before the message is freed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cli/events_json.h"
#include "cli/input.h"
#include "stream/worker_int.h"

void pvg_worker_options_init(pvg_worker_options_t *o)
{
    memset(o, 0, sizeof *o);
    pvg_stream_config_init(&o->stream);
    o->stream.ack_all = 1;
    o->threads = 2;
    o->batch = 4096;
    o->window_keys = 100000;
}

void pvg__wlog(worker_t *w, const char *fmt, ...)
{
    if (!w->o.log)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(w->o.log, "privguard consume: worker=%s %s\n", w->id, line);
    fflush(w->o.log);
}


/* Whether the connection is up: a drain with the server gone does not wait
 * on acks and lease writes that cannot arrive (the leases lapse anyway). */
static int connected(worker_t *w)
{
    return natsConnection_Status(w->nc) == NATS_CONN_STATUS_CONNECTED;
}

/* ------------------------------------------------------------ reports */

/* Copies (s, len) into buf as a NUL-terminated store id; 0 when it is
 * absent or not a valid id (control bytes, 256 bytes or more). */
static int id_copy(char *buf, size_t cap, const char *s, size_t len)
{
    if (!s || !len || len >= cap)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    memcpy(buf, s, len);
    buf[len] = 0;
    return 1;
}

/* The decoded message id: a string member's value, or a number's text. */
static int message_id(const parsed_t *pp, char *buf, size_t cap)
{
    json_t *id = pp->json ? json_object_get(pp->json, "id") : NULL;
    if (json_is_string(id))
        return id_copy(buf, cap, json_string_value(id), json_string_length(id));
    if (pp->id_raw)
        return id_copy(buf, cap, pp->id_raw, pp->id_raw_len);
    return 0;
}

/* Whether the result calls for review; *top gets the violation to report. */
static int needs_review(const pvg_result_t *r, float min_score, const pvg_violation_t **top)
{
    const pvg_violation_t *best = NULL;
    for (size_t i = 0; i < r->n_violations; i++) {
        const pvg_violation_t *v = &r->violations[i];
        if (v->shadow || v->score < min_score || v->action < PVG_ACTION_REVIEW)
            continue;
        if (!best || v->action > best->action ||
            (v->action == best->action && v->score > best->score))
            best = v;
    }
    *top = best;
    return best != NULL;
}

/* Writes the findings array (the scan contract's objects) as JSON. */
static char *findings_json(const pvg_result_t *r, float min_score)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputc('[', f);
    size_t k = 0;
    for (size_t i = 0; i < r->n_findings; i++) {
        const pvg_finding_t *x = &r->findings[i];
        if (x->score < min_score)
            continue;
        fprintf(f, "%s{\"type\":\"%s\",\"class\":\"%s\",\"start\":%zu,\"end\":%zu,\"score\":%.2f}",
                k++ ? "," : "", pvg_entity_name((int)x->type), pvg_class_name((int)x->cls),
                x->start, x->end, (double)x->score);
    }
    fputc(']', f);
    if (fclose(f)) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Files the automated report for one message or event. Returns 0 when it
 * is stored (now or before), 1 when it cannot be attributed (counted, no
 * report), or a negative code to retry the message later. */
static int file_report(worker_t *w, const parsed_t *pp, const pvg_result_t *r,
                       const pvg_violation_t *top, const char *dkey)
{
    char account[256], subject[256], room[256];
    int have_account;
    if (pp->is_event) {
        json_t *a = json_object_get(pp->json, "account");
        have_account = json_is_string(a) &&
                       id_copy(account, sizeof account, json_string_value(a), json_string_length(a));
        if (json_is_integer(a)) {
            snprintf(account, sizeof account, "%" JSON_INTEGER_FORMAT, json_integer_value(a));
            have_account = 1;
        }
    } else {
        have_account = id_copy(account, sizeof account, pp->msg.sender, pp->msg.sender_len);
    }
    if (!have_account) {
        ADD(w, reports_unattributed, 1);
        return 1;
    }
    if (!message_id(pp, subject, sizeof subject))
        snprintf(subject, sizeof subject, "%s", dkey);
    int have_room = !pp->is_event && id_copy(room, sizeof room, pp->msg.room, pp->msg.room_len);
    char *fj = findings_json(r, w->min_score);
    if (!fj)
        return PVG_STREAM_ENOMEM;
    pvg_evidence_in_t ev = {0};
    if (!pp->is_event) {
        /* Evidence is the message as sent, encrypted at rest by the core;
         * cut at a character boundary when longer than the core keeps. */
        size_t tl = pp->msg.text_len;
        if (tl > PVG_MAX_EVIDENCE_TEXT) {
            tl = PVG_MAX_EVIDENCE_TEXT;
            while (tl && ((unsigned char)pp->msg.text[tl] & 0xC0) == 0x80)
                tl--;
        }
        ev.text = pp->msg.text;
        ev.len = tl;
        ev.sender = account;
        ev.room = have_room ? room : NULL;
        ev.surface = pvg_surface_name(pp->msg.surface);
        ev.message_id = subject;
        ev.sent_at = pp->msg.ts_ms;
        ev.findings_json = fj;
    }
    pvg_report_in_t in = {
        .reporter = "detector",
        .account = account,
        .subject_type = pp->is_event ? "account" : "message",
        .subject_id = pp->is_event ? account : subject,
        .reason = top->category,
        .channel = "automated",
        .external_id = dkey,
        .evidence = pp->is_event ? NULL : &ev,
        .n_evidence = pp->is_event ? 0 : 1,
        .findings_json = fj,
        .score = top->score < 0 ? 0 : top->score > 1 ? 1 : top->score,
    };
    char actor_id[160];
    snprintf(actor_id, sizeof actor_id, "worker:%s", w->id);
    pvg_actor_t actor = {.id = actor_id, .role = PVG_ROLE_SERVICE, .ip = NULL};
    pvg_report_out_t out;
    int rc = pvg_report_submit(w->enf, &actor, &in, &out);
    free(fj);
    if (rc == PVG_ENF_OK && out.replayed) {
        ADD(w, reports_replayed, 1);
        return 0;
    }
    if (rc == PVG_ENF_OK) {
        ADD(w, reports, 1);
        return 0;
    }
    if (rc == PVG_ENF_EDUPLICATE) {
        /* The same detector report on the same message and reason: stored. */
        ADD(w, reports_replayed, 1);
        return 0;
    }
    if (rc == PVG_ENF_EINVAL) {
        /* Nothing a retry would change (an id the store refuses). */
        ADD(w, reports_unattributed, 1);
        pvg__wlog(w, "report refused as invalid; verdict published without it");
        return 1;
    }
    pvg__wlog(w, "cannot store report: %s", pvg_enf_strerror(rc));
    return PVG_STREAM_ESTORE;
}

/* -------------------------------------------------------- partitions */

static void part_teardown(wthread_t *t, part_t *p)
{
    for (int l = 0; l < LANES; l++) {
        memset(&p->lane[l], 0, sizeof p->lane[l]);
    }
    pvg_window_free(p->win);
    p->win = NULL;
    p->marked = 0;
    /* Acks of the last batch reach the server before the lease is freed. */
    if (connected(t->w))
        (void)natsConnection_FlushTimeout(t->w->nc, 2000);
}

static int lane_setup(wthread_t *t, part_t *p, int l, char *err, size_t errlen)
{
    worker_t *w = t->w;
    lane_t *ln = &p->lane[l];
    int64_t pending = 0;
    int rc = pvg__consumer_ensure(t->js, &w->c, l, p->idx, &ln->ack_all, err, errlen);
    /* Messages a previous holder fetched and never acked would otherwise
     * come back only after their ack wait, behind newer ones. */
    if (!rc)
        rc = pvg__consumer_rewind(t->js, &w->c, l, p->idx, 1, &pending, err, errlen);
    if (rc)
        return rc;
    if (pending) {
        ADD(w, consumer_resets, 1);
        pvg__wlog(w, "partition=%d lane=%s rewound over %" PRId64 " unacked", p->idx,
                  pvg__lane_kind(l), pending);
    }
    ln->bound = 1;
    return PVG_STREAM_OK;
}

static int part_setup(wthread_t *t, part_t *p)
{
    worker_t *w = t->w;
    char err[256] = "";
    int rc = PVG_STREAM_OK;
    for (int l = 0; l < LANES && !rc; l++)
        rc = lane_setup(t, p, l, err, sizeof err);
    if (!rc) {
        size_t keys = w->o.window_keys / (size_t)w->c.partitions;
        if (pvg_window_alloc(keys ? keys : 1, 0, 0, &p->win) != PVG_OK) {
            snprintf(err, sizeof err, "out of memory");
            rc = PVG_STREAM_ENOMEM;
        }
    }
    if (rc) {
        pvg__wlog(w, "partition=%d %s", p->idx, err);
        part_teardown(t, p);
        p->retry_at = pvg__mono_ms() + 500;
        return rc;
    }
    p->retry_at = 0;
    if (!CAS(p->state, P_ACQUIRED, P_ACTIVE)) {
        /* Lost or given up while we were binding it. */
        part_teardown(t, p);
        CAS(p->state, P_LOST, P_FREE);
        CAS(p->state, P_RELEASING, P_RELEASED);
    }
    return 0;
}

/* Scans one fetched message into the verdict buffer. Returns 0, or a
 * negative code when the message must be retried (its report could not be
 * stored). An event on the message lane (or a message on the event lane)
 * is still answered: the scan contract decides by the line's fields. */
static int scan_one(wthread_t *t, part_t *p, natsMsg *msg, uint64_t seq, size_t k)
{
    worker_t *w = t->w;
    line_reader_t r;
    memset(&r, 0, sizeof r);
    r.buf = (char *)natsMsg_GetData(msg);
    r.len = (size_t)natsMsg_GetDataLength(msg);
    r.line_no = (size_t)seq;
    r.too_long = r.len > CLI_MAX_LINE;
    if (!r.buf) {
        r.buf = (char *)"";
        r.len = 0;
    }
    parsed_t pp;
    parse_line(&r, FORMAT_JSONL, &pp);
    if (pvg_stream_dedup_key(pp.id_raw, pp.id_raw_len, seq, t->keys[k], sizeof t->keys[k]) < 0)
        pvg_stream_dedup_key(NULL, 0, seq, t->keys[k], sizeof t->keys[k]);
    int rc = 0;
    if (pp.error) {
        write_error(t->out, &pp, r.line_no, pp.error);
        ADD(w, errors, 1);
    } else {
        pvg_result_t res;
        const char *eerr = NULL;
        pvg_error_t err = PVG_OK;
        if (pp.is_event) {
            pthread_mutex_lock(&w->events_mu);
            eerr = cli_events_scan(w->events, w->engine, t->scratch, pp.event, &res);
            pthread_mutex_unlock(&w->events_mu);
        } else {
            err = pvg_scan_message(w->engine, &pp.msg, p->win, 0, t->scratch, &res);
        }
        if (eerr || err != PVG_OK) {
            write_error(t->out, &pp, r.line_no, eerr ? eerr : pvg_strerror(err));
            ADD(w, errors, 1);
        } else {
            const pvg_violation_t *top;
            if (w->enf && needs_review(&res, w->min_score, &top)) {
                int fr = file_report(w, &pp, &res, top, t->keys[k]);
                if (fr < 0)
                    rc = fr;
            }
            if (!rc)
                write_result(t->out, &pp, &res, w->min_score);
        }
    }
    parsed_free(&pp);
    return rc;
}

/* Publishes the verdict lines of messages [from, to) of the batch in hand
 * (skipped ones have no line) as verdict messages of at most max_bytes and
 * w->o.verdict_lines lines each. Returns the index up to which every
 * message has its verdict stored; *rc gets the first failure. */
static int publish_verdicts(wthread_t *t, part_t *p, int l, int from, int to, int *rc)
{
    worker_t *w = t->w;
    size_t cap = natsConnection_GetMaxPayload(w->nc);
    size_t max_bytes = cap > 4096 ? (size_t)cap - 1024 : 3072; /* room for the headers */
    int max_lines = w->o.verdict_lines > 0 ? w->o.verdict_lines : INT32_MAX;
    char err[256];
    int k = from;
    *rc = PVG_STREAM_OK;
    while (k < to) {
        while (k < to && t->lens[k] == 0)
            k++; /* had its verdict before */
        if (k == to)
            break;
        int j = k, lines = 0;
        size_t bytes = 0;
        const char *data = t->obuf + t->offs[k];
        char big[160];
        if (t->lens[k] > max_bytes) {
            /* One verdict over the server's limit (an enormous echoed id):
             * an error verdict in its place, so the partition goes on. */
            int n = snprintf(big, sizeof big,
                             "{\"id\":null,\"line\":%" PRIu64
                             ",\"error\":\"verdict larger than the server's max payload\"}\n",
                             t->seqs[k]);
            data = big;
            bytes = (size_t)n;
            lines = 1;
            j = k + 1;
            ADD(w, errors, 1);
        } else {
            /* Lines of one batch are contiguous in the buffer. */
            while (j < to && lines < max_lines && t->lens[j] &&
                   bytes + t->lens[j] <= max_bytes) {
                bytes += t->lens[j];
                lines++;
                j++;
            }
        }
        *rc = pvg__verdict_publish(w->nc, &w->c, p->idx, l, &p->mark, t->seqs[j - 1], lines,
                                   data, bytes, 10000, err, sizeof err);
        if (*rc) {
            pvg__wlog(w, "partition=%d %s", p->idx, err);
            return k;
        }
        ADD(w, verdicts, (uint64_t)lines);
        ADD(w, verdict_msgs, 1);
        k = j;
    }
    return to;
}

static void batch_free(wthread_t *t, int n)
{
    for (int k = 0; k < n; k++) {
        natsMsg *m = t->msgs[k];
        const char *d = natsMsg_GetData(m);
        if (d)
            sodium_memzero((void *)d, (size_t)natsMsg_GetDataLength(m));
        natsMsg_Destroy(m);
        t->msgs[k] = NULL;
    }
    /* The verdict lines hold no message text, only ids and spans. */
}

/* Handles one batch of a lane of partition p. Returns the number of
 * messages fetched (0: nothing there). */
static int lane_batch(wthread_t *t, part_t *p, int l)
{
    worker_t *w = t->w;
    lane_t *ln = &p->lane[l];
    char err[256];
    if (!p->marked) {
        /* Which messages already have their verdict (after a failure the
         * last publish may or may not have been stored). */
        if (pvg__verdict_mark(t->js, &w->c, p->idx, &p->mark, err, sizeof err)) {
            pvg__wlog(w, "%s", err);
            ln->idle_until = pvg__mono_ms() + 1000;
            return 0;
        }
        p->marked = 1;
    }
    if (ln->need_rewind) {
        if (pvg__consumer_rewind(t->js, &w->c, l, p->idx, 0, NULL, err, sizeof err)) {
            pvg__wlog(w, "partition=%d %s", p->idx, err);
            ln->idle_until = pvg__mono_ms() + 1000;
            return 0;
        }
        /* The subscription stays bound by name to the new consumer. */
        ln->need_rewind = 0;
        ADD(w, consumer_resets, 1);
    }
    int n = 0;
    int prc = pvg__pull(&t->pull, &w->c, l, p->idx, w->o.batch, 5000, t->msgs, &n);
    if (prc) {
        pvg__wlog(w, "partition=%d lane=%s pull failed: %s", p->idx, pvg__lane_kind(l),
                  pvg_stream_strerror(prc));
        ln->need_rewind = 1;
        ln->idle_until = pvg__mono_ms() + 200;
        return 0;
    }
    if (n == 0)
        return 0;
    ADD(w, fetched, (uint64_t)n);
    ADD(w, batches, 1);
    rewind(t->out);
    uint64_t wm = p->mark.wm[l];
    int done = n; /* messages [0, done) are scanned and their reports stored */
    int skipped = 0;
    for (int k = 0; k < n; k++) {
        uint64_t seq = pvg__msg_seq(t->msgs[k]);
        t->seqs[k] = seq;
        t->offs[k] = (size_t)ftell(t->out);
        t->lens[k] = 0;
        if (seq && seq <= wm) {
            skipped++; /* redelivered, and its verdict is stored */
            continue;
        }
        if (scan_one(t, p, t->msgs[k], seq, (size_t)k) < 0) {
            done = k;
            break;
        }
        t->lens[k] = (size_t)ftell(t->out) - t->offs[k];
    }
    int covered = 0, rc = PVG_STREAM_OK;
    if (fflush(t->out) == 0)
        covered = publish_verdicts(t, p, l, 0, done, &rc);
    if (rc)
        p->marked = 0;
    int acked = 0;
    if (covered > 0) {
        if (ln->ack_all) {
            if (pvg__ack(w->nc, t->msgs[covered - 1]) == PVG_STREAM_OK)
                acked = covered;
        } else {
            for (int k = 0; k < covered; k++) {
                if (pvg__ack(w->nc, t->msgs[k]) != PVG_STREAM_OK)
                    break;
                acked++;
            }
        }
        ADD(w, verdict_dups, (uint64_t)skipped);
        ADD(w, acked, (uint64_t)acked);
    }
    if (acked < n) {
        ADD(w, failures, 1);
        ln->need_rewind = 1;
        ln->idle_until = pvg__mono_ms() + 200;
        pvg__wlog(w, "partition=%d batch of %d: %d acknowledged, rest will be redelivered",
                  p->idx, n, acked);
    }
    batch_free(t, n);
    return n;
}

/* ------------------------------------------------------------ threads */

/* Serves the lanes of a claimed, active partition whose idle time is
 * over. Returns the number of messages handled; *wake is lowered to the
 * next time a lane wants service. */
static int serve(wthread_t *t, part_t *p, int64_t now, int64_t *wake)
{
    worker_t *w = t->w;
    int did = 0;
    for (int l = 0; l < LANES && !pvg__stopping(w); l++) {
        lane_t *ln = &p->lane[l];
        if (now >= ln->idle_until && now < LOAD(p->valid_until)) {
            int got = lane_batch(t, p, l);
            if (got > 0) {
                did += got;
                if (!ln->need_rewind)
                    ln->idle_step = ln->idle_until = 0;
                STORE(w->last_work_ms, pvg__mono_ms());
            } else if (ln->idle_until <= now) {
                /* Nothing there: back off, 1 ms doubling up to 50 ms. */
                ln->idle_step = ln->idle_step ? ln->idle_step * 2 : 1;
                if (ln->idle_step > 50)
                    ln->idle_step = 50;
                ln->idle_until = now + ln->idle_step;
            }
        }
        if (ln->idle_until && ln->idle_until < *wake)
            *wake = ln->idle_until;
    }
    return did;
}

static void *thread_main(void *arg)
{
    wthread_t *t = arg;
    worker_t *w = t->w;
    int n = w->c.partitions;
    int start = t->idx * n / w->nthreads;
    while (!pvg__stopping(w)) {
        int did = 0;
        int64_t wake = pvg__mono_ms() + 20;
        for (int k = 0; k < n && !pvg__stopping(w); k++) {
            part_t *p = &w->parts[(start + k) % n];
            int st = LOAD(p->state);
            if (st == P_FREE || st == P_RELEASED)
                continue;
            if (!CAS(p->busy, 0, 1))
                continue;
            st = LOAD(p->state);
            int64_t now = pvg__mono_ms();
            if (st == P_ACQUIRED) {
                if (now >= p->retry_at)
                    part_setup(t, p);
            } else if (st == P_RELEASING) {
                part_teardown(t, p);
                CAS(p->state, P_RELEASING, P_RELEASED);
            } else if (st == P_LOST) {
                part_teardown(t, p);
                CAS(p->state, P_LOST, P_FREE);
            } else if (st == P_ACTIVE) {
                did += serve(t, p, now, &wake);
            }
            STORE(p->busy, 0);
        }
        if (!did) {
            int64_t d = wake - pvg__mono_ms();
            if (d < 1)
                d = 1;
            if (d > 20)
                d = 20;
            struct timespec ts = {0, (long)d * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

static int thread_init(worker_t *w, wthread_t *t, int idx, char *err, size_t errlen)
{
    t->w = w;
    t->idx = idx;
    natsStatus s = natsConnection_JetStream(&t->js, w->nc, NULL);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot use jetstream: %s", pvg__nats_err(s));
        return PVG_STREAM_ENATS;
    }
    int rc = pvg__puller_open(&t->pull, w->nc, err, errlen);
    if (rc)
        return rc;
    if (pvg_scratch_alloc(w->engine, &t->scratch) != PVG_OK)
        return PVG_STREAM_ENOMEM;
    t->msgs = calloc((size_t)w->o.batch, sizeof *t->msgs);
    t->out = open_memstream(&t->obuf, &t->osize);
    t->offs = calloc((size_t)w->o.batch, sizeof *t->offs);
    t->lens = calloc((size_t)w->o.batch, sizeof *t->lens);
    t->seqs = calloc((size_t)w->o.batch, sizeof *t->seqs);
    t->keys = calloc((size_t)w->o.batch, sizeof *t->keys);
    if (!t->out || !t->offs || !t->lens || !t->seqs || !t->keys || !t->msgs)
        return PVG_STREAM_ENOMEM;
    return PVG_STREAM_OK;
}

static void thread_free(wthread_t *t)
{
    if (t->out)
        fclose(t->out);
    free(t->obuf);
    free(t->offs);
    free(t->lens);
    free(t->seqs);
    free(t->keys);
    free(t->msgs);
    pvg__puller_close(&t->pull);
    pvg_scratch_free(t->scratch);
    jsCtx_Destroy(t->js);
}

/* ------------------------------------------------------------ metrics */

void pvg_worker_metrics_json(FILE *out, const pvg_worker_metrics_t *m)
{
    fprintf(out,
            "{\"worker\":\"%s\",\"seconds\":%.3f,\"fetched\":%" PRIu64 ",\"verdicts\":%" PRIu64
            ",\"verdict_msgs\":%" PRIu64 ",\"verdict_dups\":%" PRIu64 ",\"acked\":%" PRIu64 ",\"errors\":%" PRIu64
            ",\"reports\":%" PRIu64 ",\"reports_replayed\":%" PRIu64
            ",\"reports_unattributed\":%" PRIu64 ",\"failures\":%" PRIu64
            ",\"batches\":%" PRIu64 ",\"leases_taken\":%" PRIu64 ",\"leases_released\":%" PRIu64
            ",\"leases_lost\":%" PRIu64 ",\"consumer_resets\":%" PRIu64
            ",\"sanction_refreshes\":%" PRIu64 ",\"partitions_owned\":%d,\"workers_seen\":%d}\n",
            m->worker_id, m->seconds, m->fetched, m->verdicts, m->verdict_msgs, m->verdict_dups,
            m->acked, m->errors, m->reports, m->reports_replayed, m->reports_unattributed,
            m->failures, m->batches, m->leases_taken, m->leases_released, m->leases_lost,
            m->consumer_resets, m->sanction_refreshes, m->partitions_owned, m->workers_seen);
}

static void snapshot(worker_t *w, pvg_worker_metrics_t *m)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    memcpy(m, &w->m, sizeof *m);
    m->seconds = (double)(pvg__mono_ms() - w->started_ms) / 1000.0;
    snprintf(m->worker_id, sizeof m->worker_id, "%s", w->id);
}

static void write_metrics_file(worker_t *w)
{
    if (!w->o.metrics_file)
        return;
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", w->o.metrics_file);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return;
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    pvg_worker_metrics_t m;
    snapshot(w, &m);
    pvg_worker_metrics_json(f, &m);
    if (fclose(f) == 0)
        rename(tmp, w->o.metrics_file);
    else
        unlink(tmp);
}

static void notify_change(const char *account, void *ctx)
{
    (void)pvg_sanction_bus_notify(ctx, account);
}

static void on_sanction_refresh(int rc, void *ctx)
{
    worker_t *w = ctx;
    (void)rc;
    ADD(w, sanction_refreshes, 1);
}

/* ------------------------------------------------------- membership */

/* Reads what the lease-bucket watch delivered so far. Returns 1 when a
 * worker joined (a heartbeat key not seen before) or left (its key
 * deleted on drain), or a partition was released (its lease key emptied):
 * the lease tick then runs at once, so partitions move in a fraction of a
 * second instead of at the next periodic tick. Renewals (heartbeats of
 * known workers, leases rewritten by their holders) change nothing. */
static int membership_changed(worker_t *w)
{
    if (!w->hb_watch)
        return 0;
    int changed = 0;
    for (int i = 0; i < 256; i++) {
        kvEntry *e = NULL;
        if (kvWatcher_Next(&e, w->hb_watch, 1) != NATS_OK || !e)
            break; /* nothing more now (or the end of the initial values) */
        const char *key = kvEntry_Key(e);
        int op = (int)kvEntry_Operation(e);
        if (key && !strncmp(key, "p.", 2)) {
            const char *v = kvEntry_ValueString(e);
            changed |= op == kvOp_Put && (!v || !*v); /* released */
            kvEntry_Destroy(e);
            continue;
        }
        int found = -1;
        for (int k = 0; key && k < w->n_peers; k++)
            if (!strcmp(w->peers[k], key))
                found = k;
        if (key && op == kvOp_Put && found < 0) {
            if (w->n_peers == w->cap_peers) {
                int cap = w->cap_peers ? w->cap_peers * 2 : 16;
                char **np = realloc(w->peers, (size_t)cap * sizeof *np);
                if (np) {
                    w->peers = np;
                    w->cap_peers = cap;
                }
            }
            char *dup = w->n_peers < w->cap_peers ? strdup(key) : NULL;
            if (dup)
                w->peers[w->n_peers++] = dup;
            changed |= strcmp(key, w->hb_key) != 0;
        } else if (key && op != kvOp_Put && found >= 0) {
            free(w->peers[found]);
            w->peers[found] = w->peers[--w->n_peers];
            changed = 1;
        }
        kvEntry_Destroy(e);
    }
    return changed;
}

/* ---------------------------------------------------------------- run */

static void make_id(char *buf, size_t len)
{
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = 0;
    for (char *c = host; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
            *c = '-';
    snprintf(buf, len, "%s-%ld-%08x", host, (long)getpid(), (unsigned)randombytes_random());
}

static int valid_worker_id(const char *s)
{
    if (!s || !*s || strlen(s) > 100)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return 0;
    return 1;
}

int pvg_worker_run(const pvg_worker_options_t *o, volatile sig_atomic_t *stop,
                   pvg_worker_metrics_t *final, char *err, size_t errlen)
{
    if (!o || o->threads < 1 || o->threads > 64 || o->batch < 1 || o->batch > 65536 ||
        o->stream.partitions > PVG_STREAM_MAX_PARTITIONS ||
        (o->worker_id && !valid_worker_id(o->worker_id))) {
        pvg__serr(err, errlen, "invalid worker options");
        return PVG_STREAM_EINVAL;
    }
    if (sodium_init() < 0) {
        pvg__serr(err, errlen, "cannot initialise libsodium");
        return PVG_STREAM_ENOMEM;
    }
    worker_t *w = calloc(1, sizeof *w);
    if (!w)
        return PVG_STREAM_ENOMEM;
    w->o = *o;
    w->c = o->stream;
    pvg__config_defaults(&w->c);
    w->stop = stop;
    w->nthreads = o->threads;
    w->started_ms = pvg__mono_ms();
    pthread_mutex_init(&w->events_mu, NULL);
    if (o->worker_id)
        snprintf(w->id, sizeof w->id, "%s", o->worker_id);
    else
        make_id(w->id, sizeof w->id);
    snprintf(w->hb_key, sizeof w->hb_key, "w.%s", w->id);
    int rc = PVG_STREAM_OK;
    int nthreads_started = 0;

    w->engine = compile_rules_file(o->rules_path);
    if (!w->engine) {
        pvg__serr(err, errlen, "cannot compile rules");
        rc = PVG_STREAM_ERULES;
        goto out;
    }
    w->min_score = pvg_engine_min_score(w->engine);
    if (cli_events_open(o->fingerprint_key, &w->events)) {
        pvg__serr(err, errlen, "cannot set up event scanning");
        rc = PVG_STREAM_EINVAL;
        goto out;
    }
    if (o->store) {
        pvg_enforce_options_t eo;
        pvg_enforce_options_init(&eo);
        eo.store = o->store;
        eo.key_dir = o->key_dir;
        eo.pool_size = o->threads + 1;
        /* Workers of a fleet start together: on a fresh database their
         * first opens race to create the schema, and the losers are
         * refused (a unique constraint). Opening again finds it made. */
        int erc = PVG_ENF_OK;
        for (int attempt = 0; attempt < 5; attempt++) {
            erc = pvg_enforce_open(&eo, &w->enf);
            if (!erc || (stop && *stop))
                break;
            struct timespec ts = {0, (200L + (long)randombytes_uniform(300)) * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (erc) {
            pvg__serr(err, errlen, "cannot open store: %s", pvg_enf_strerror(erc));
            rc = PVG_STREAM_ESTORE;
            goto out;
        }
    }
    rc = pvg_stream_setup(&w->c, err, errlen);
    if (rc)
        goto out;
    char cname[160];
    snprintf(cname, sizeof cname, "privguard-worker-%s", w->id);
    rc = pvg__connect(&w->c, cname, &w->nc, err, errlen);
    if (rc)
        goto out;
    natsStatus s = natsConnection_JetStream(&w->js, w->nc, NULL);
    if (s == NATS_OK)
        s = js_KeyValue(&w->kv, w->js, w->c.lease_bucket);
    kvStatus *ks = NULL;
    if (s == NATS_OK)
        s = kvStore_Status(&ks, w->kv);
    if (s != NATS_OK) {
        pvg__serr(err, errlen, "cannot open lease bucket '%s': %s", w->c.lease_bucket,
                  pvg__nats_err(s));
        rc = PVG_STREAM_ENATS;
        goto out;
    }
    /* The bucket's TTL is the lease, whatever this worker was told. */
    w->lease_ms = kvStatus_TTL(ks) / 1000000;
    kvStatus_Destroy(ks);
    if (w->lease_ms < 500) {
        pvg__serr(err, errlen, "lease bucket '%s' has no usable ttl", w->c.lease_bucket);
        rc = PVG_STREAM_EINVAL;
        goto out;
    }
    if (w->enf) {
        rc = pvg_sanction_bus_open(w->c.url, w->c.prefix, w->enf, 0, on_sanction_refresh, w,
                                   &w->bus, err, errlen);
        if (rc)
            goto out;
        /* Automated reports can start a temporary measure (distinct
         * reporters): the other nodes hear of it at once. */
        pvg_enforce_on_sanction_change(w->enf, notify_change, w->bus);
    }
    w->parts = calloc((size_t)w->c.partitions, sizeof *w->parts);
    w->th = calloc((size_t)w->nthreads, sizeof *w->th);
    if (!w->parts || !w->th) {
        rc = PVG_STREAM_ENOMEM;
        goto out;
    }
    for (int i = 0; i < w->c.partitions; i++)
        w->parts[i].idx = i;
    for (int i = 0; i < w->nthreads; i++) {
        rc = thread_init(w, &w->th[i], i, err, errlen);
        if (rc)
            goto out;
    }
    pvg__wlog(w, "started partitions=%d threads=%d batch=%d lease_ms=%" PRId64, w->c.partitions,
              w->nthreads, w->o.batch, w->lease_ms);
    pvg__lease_tick(w);
    STORE(w->last_work_ms, pvg__mono_ms());
    for (int i = 0; i < w->nthreads; i++) {
        if (pthread_create(&w->th[i].th, NULL, thread_main, &w->th[i])) {
            pvg__serr(err, errlen, "cannot start a processing thread");
            rc = PVG_STREAM_ENOMEM;
            STORE(w->stopping, 1);
            break;
        }
        w->th[i].started = 1;
        nthreads_started++;
    }
    int64_t tick = w->lease_ms / 4;
    if (tick > 2000)
        tick = 2000;
    if (kvStore_WatchAll(&w->hb_watch, w->kv, NULL) != NATS_OK) {
        w->hb_watch = NULL; /* periodic ticks only */
        pvg__wlog(w, "cannot watch the lease bucket; rebalancing every %" PRId64 " ms", tick);
    }
    int64_t next_tick = pvg__mono_ms() + tick, next_metrics = pvg__mono_ms() + 1000;
    while (!rc && !pvg__stopping(w)) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
        int64_t now = pvg__mono_ms();
        if (membership_changed(w))
            next_tick = now;
        if (now >= next_tick) {
            pvg__lease_tick(w);
            next_tick = now + tick;
        }
        if (now >= next_metrics) {
            write_metrics_file(w);
            next_metrics = now + 1000;
        }
        if (o->max_messages > 0 && (int64_t)LOAD(w->m.acked) >= o->max_messages)
            break;
        if (o->idle_exit_ms > 0 && LOAD(w->m.acked) > 0 &&
            now - LOAD(w->last_work_ms) >= o->idle_exit_ms)
            break;
    }
    /* Drain: threads finish and acknowledge the batch in hand, then the
     * partitions are unbound and their leases freed for other workers. */
    STORE(w->stopping, 1);
    pvg__wlog(w, "draining");
out:
    if (w->th) {
        STORE(w->stopping, 1);
        for (int i = 0; i < w->nthreads; i++)
            if (w->th[i].started)
                pthread_join(w->th[i].th, NULL);
    }
    if (w->parts) {
        for (int i = 0; i < w->c.partitions; i++) {
            part_t *p = &w->parts[i];
            memset(p->lane, 0, sizeof p->lane);
            pvg_window_free(p->win);
            p->win = NULL;
        }
        if (w->nc && connected(w)) {
            (void)natsConnection_FlushTimeout(w->nc, 2000);
            if (w->kv)
                pvg__lease_release_all(w);
        } else if (w->nc) {
            pvg__wlog(w, "nats unreachable: leases left to lapse");
        }
    }
    if (w->th) {
        for (int i = 0; i < w->nthreads; i++)
            thread_free(&w->th[i]);
    }
    write_metrics_file(w);
    if (final)
        snapshot(w, final);
    pvg__wlog(w, "stopped verdicts=%" PRIu64, w->m.verdicts);
    if (w->enf)
        pvg_enforce_on_sanction_change(w->enf, NULL, NULL);
    pvg_sanction_bus_close(w->bus);
    kvWatcher_Destroy(w->hb_watch);
    for (int i = 0; i < w->n_peers; i++)
        free(w->peers[i]);
    free(w->peers);
    kvStore_Destroy(w->kv);
    jsCtx_Destroy(w->js);
    if (w->nc) {
        natsConnection_Close(w->nc);
        natsConnection_Destroy(w->nc);
    }
    pvg_enforce_close(w->enf);
    cli_events_close(w->events);
    pvg_engine_free(w->engine);
    free(w->parts);
    free(w->th);
    pthread_mutex_destroy(&w->events_mu);
    (void)nthreads_started;
    free(w);
    return rc;
}
