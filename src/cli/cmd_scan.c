/* SPDX-License-Identifier: MIT */
/*
 * cmd_scan.c -- `privguard scan` (the scan contract) and `privguard redact`.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/events_json.h"
#include "cli/input.h"
#include "cli/mask.h"

typedef struct scan_opts {
    const char *rules;
    int format;
    float min_score;
    int min_score_set;
    int window;
    int mask_mode;
    const char *fingerprint_key;
} scan_opts_t;

static int parse_common(int argc, char **argv, scan_opts_t *o, const char *usage, int redact)
{
    static const struct option longopts[] = {
        {"rules", required_argument, 0, 'r'},  {"format", required_argument, 0, 'f'},
        {"min-score", required_argument, 0, 's'}, {"no-window", no_argument, 0, 'W'},
        {"full", no_argument, 0, 'F'},          {"labels", no_argument, 0, 'L'},
        {"fingerprint-key", required_argument, 0, 'K'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    o->window = 1;
    o->mask_mode = MASK_PARTIAL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "r:f:s:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': o->rules = optarg; break;
        case 'f':
            if (!strcmp(optarg, "jsonl"))
                o->format = FORMAT_JSONL;
            else if (!strcmp(optarg, "text"))
                o->format = FORMAT_TEXT;
            else {
                fprintf(stderr, "privguard: unknown format '%s' (jsonl, text)\n", optarg);
                return 2;
            }
            break;
        case 's': {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || end == optarg || v < 0 || v > 1) {
                fprintf(stderr, "privguard: --min-score takes a number from 0 to 1\n");
                return 2;
            }
            o->min_score = (float)v;
            o->min_score_set = 1;
            break;
        }
        case 'W': o->window = 0; break;
        case 'K': o->fingerprint_key = optarg; break;
        case 'F':
            if (!redact)
                goto bad;
            o->mask_mode = MASK_FULL;
            break;
        case 'L':
            if (!redact)
                goto bad;
            o->mask_mode = MASK_LABEL;
            break;
        case 'h': fputs(usage, stdout); return 0;
        default:
        bad:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "privguard: unexpected argument '%s'\n", argv[optind]);
        fputs(usage, stderr);
        return 2;
    }
    return -1;
}

static const char scan_usage[] =
    "usage: privguard scan [--rules FILE] [--format jsonl|text] [--min-score S] [--no-window]\n"
    "                      [--fingerprint-key FILE]\n"
    "Reads messages on stdin and writes one JSON line per input line on stdout.\n"
    "Event lines (docs/events.md) fingerprint identifiers with the key in FILE\n"
    "(32 bytes or 64 hex digits); without it with a random key for this run only.\n"
    "Exit status: 0 every line scanned, 1 some lines had errors, 2 usage or fatal error.\n";

static const char redact_usage[] =
    "usage: privguard redact [--rules FILE] [--format jsonl|text] [--min-score S] [--full|--labels]\n"
    "Writes each message with its findings masked: partial masks by default\n"
    "(010-****-5678, 900101-*******), --full masks every character, --labels writes\n"
    "[TYPE] instead. JSONL input gets the same objects back with `text` masked.\n";

/*
 * Reading and JSON parsing take most of the time of a run, so they happen
 * on a second thread: it reads lines, parses them and hands over batches
 * (at most BATCH_LINES lines or BATCH_BYTES of line data) through a queue
 * of QUEUE_DEPTH batches; the main thread scans and writes them in order.
 * Memory stays bounded by the queue, whatever the input.
 */
/* Conversation windows kept at once (least recently used evicted): about
 * 1 KB each, so the scan stays well under 64 MB on any input. */
#define CLI_WINDOW_KEYS 16384

#define BATCH_LINES 256
#define BATCH_BYTES (1u << 20)
#define QUEUE_DEPTH 2

typedef struct item {
    parsed_t p;
    size_t line_no;
    char *line;      /* the line's bytes (in the batch's arena) */
    size_t len;
} item_t;

typedef struct batch {
    item_t items[BATCH_LINES];
    size_t n;
    char *arena;
    size_t used, cap;
    int last;        /* the end of input (or a read error) */
    int read_error;
} batch_t;

typedef struct pipeline {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    batch_t *q[QUEUE_DEPTH];
    size_t head, count;
    batch_t *free_list[QUEUE_DEPTH + 2];
    size_t n_free;
    line_reader_t *r;
    int format;
    int stop;        /* the consumer gives up (write error) */
} pipeline_t;

/* Rebases a pointer into the reader's buffer onto the batch's copy. */
static const char *rebase(const char *ptr, const line_reader_t *r, const char *copy)
{
    if (ptr && ptr >= r->buf && ptr <= r->buf + r->len)
        return copy + (ptr - r->buf);
    return ptr;
}

static batch_t *batch_get(pipeline_t *pl)
{
    pthread_mutex_lock(&pl->lock);
    batch_t *b = pl->n_free ? pl->free_list[--pl->n_free] : NULL;
    pthread_mutex_unlock(&pl->lock);
    if (!b) {
        b = calloc(1, sizeof *b);
        if (!b)
            return NULL;
    }
    b->n = 0;
    b->used = 0;
    b->last = 0;
    b->read_error = 0;
    return b;
}

static void batch_put(pipeline_t *pl, batch_t *b)
{
    for (size_t i = 0; i < b->n; i++)
        parsed_free(&b->items[i].p);
    /* The arena held message text. */
    if (b->arena)
        memset(b->arena, 0, b->used);
    b->n = 0;
    pthread_mutex_lock(&pl->lock);
    if (pl->n_free < sizeof pl->free_list / sizeof pl->free_list[0]) {
        pl->free_list[pl->n_free++] = b;
        b = NULL;
    }
    pthread_mutex_unlock(&pl->lock);
    if (b) {
        free(b->arena);
        free(b);
    }
}

/* Copies the reader's current line into the batch; 0 or -1 (no memory). */
static int batch_add(batch_t *b, const line_reader_t *r, int format)
{
    item_t *it = &b->items[b->n];
    size_t len = r->too_long ? 0 : r->len;
    if (b->used + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->used + len + 1)
            cap *= 2;
        char *na = malloc(cap);
        if (!na)
            return -1;
        /* Earlier items point into the old arena: move them along. */
        if (b->arena) {
            memcpy(na, b->arena, b->used);
            for (size_t i = 0; i < b->n; i++) {
                item_t *o = &b->items[i];
                char *old = o->line;
                o->line = na + (old - b->arena);
                line_reader_t fake = {.buf = old, .len = o->len};
                o->p.id_raw = rebase(o->p.id_raw, &fake, o->line);
                o->p.msg.text = rebase(o->p.msg.text, &fake, o->line);
                o->p.msg.id = rebase(o->p.msg.id, &fake, o->line);
                o->p.msg.room = rebase(o->p.msg.room, &fake, o->line);
                o->p.msg.sender = rebase(o->p.msg.sender, &fake, o->line);
            }
            memset(b->arena, 0, b->used);
            free(b->arena);
        }
        b->arena = na;
        b->cap = cap;
    }
    it->line = b->arena + b->used;
    memcpy(it->line, r->buf, len);
    it->line[len] = 0;
    it->len = len;
    b->used += len + 1;
    it->line_no = r->line_no;
    parse_line(r, format, &it->p);
    parsed_t *p = &it->p;
    if (p->id_raw != p->id_buf)
        p->id_raw = rebase(p->id_raw, r, it->line);
    p->msg.id = p->id_raw;
    p->msg.text = rebase(p->msg.text, r, it->line);
    p->msg.room = rebase(p->msg.room, r, it->line);
    p->msg.sender = rebase(p->msg.sender, r, it->line);
    b->n++;
    return 0;
}

static void queue_push(pipeline_t *pl, batch_t *b)
{
    pthread_mutex_lock(&pl->lock);
    while (pl->count == QUEUE_DEPTH && !pl->stop)
        pthread_cond_wait(&pl->cond, &pl->lock);
    pl->q[(pl->head + pl->count) % QUEUE_DEPTH] = b;
    pl->count++;
    pthread_cond_broadcast(&pl->cond);
    pthread_mutex_unlock(&pl->lock);
}

static batch_t *queue_pop(pipeline_t *pl)
{
    pthread_mutex_lock(&pl->lock);
    while (pl->count == 0)
        pthread_cond_wait(&pl->cond, &pl->lock);
    batch_t *b = pl->q[pl->head];
    pl->head = (pl->head + 1) % QUEUE_DEPTH;
    pl->count--;
    pthread_cond_broadcast(&pl->cond);
    pthread_mutex_unlock(&pl->lock);
    return b;
}

/* Handed over when no batch can be allocated: ends the input as an error. */
static batch_t oom_batch = {.last = 1, .read_error = 1};

static void *producer(void *arg)
{
    pipeline_t *pl = arg;
    for (;;) {
        batch_t *b = batch_get(pl);
        if (!b) {
            /* No memory for a batch: end the input here, as an error. */
            queue_push(pl, &oom_batch);
            return NULL;
        }
        int more = 1;
        while (b->n < BATCH_LINES && b->used < BATCH_BYTES) {
            more = reader_next(pl->r);
            if (more != 1)
                break;
            if (batch_add(b, pl->r, pl->format)) {
                more = -1;
                break;
            }
        }
        if (more != 1) {
            b->last = 1;
            b->read_error = more < 0;
        }
        int stop = b->last;
        queue_push(pl, b);
        pthread_mutex_lock(&pl->lock);
        stop |= pl->stop;
        pthread_mutex_unlock(&pl->lock);
        if (stop)
            return NULL;
    }
}

typedef struct runner {
    const pvg_engine_t *e;
    pvg_scratch_t *s;
    pvg_window_t *w;
    cli_events_t *ce;
    const scan_opts_t *o;
    int redact;
    unsigned flags;
    float min_score;
    mask_buf_t mb;
    int status;
} runner_t;

/* Scans one input line and writes its output line. */
static void handle(runner_t *rn, item_t *it)
{
    parsed_t *p = &it->p;
    if (p->error) {
        write_error(stdout, p, it->line_no, p->error);
        rn->status = 1;
        return;
    }
    if (p->is_event) {
        if (rn->redact) {
            fwrite(it->line, 1, it->len, stdout);
            putchar('\n');
            return;
        }
        pvg_result_t res = {0};
        const char *err = cli_events_scan(rn->ce, rn->e, rn->s, p->event, &res);
        if (err) {
            write_error(stdout, p, it->line_no, err);
            rn->status = 1;
        } else {
            write_result(stdout, p, &res, rn->min_score);
        }
        return;
    }
    pvg_result_t res;
    pvg_error_t err = pvg_scan_message(rn->e, &p->msg, rn->w, rn->flags, rn->s, &res);
    if (err != PVG_OK) {
        write_error(stdout, p, it->line_no, pvg_strerror(err));
        rn->status = 1;
        return;
    }
    if (!rn->redact) {
        write_result(stdout, p, &res, rn->min_score);
        return;
    }
    if (mask_text(&rn->mb, p->msg.text, p->msg.text_len, res.findings, res.n_findings,
                  rn->min_score, rn->o->mask_mode)) {
        write_error(stdout, p, it->line_no, "out of memory");
        rn->status = 1;
    } else if (rn->o->format == FORMAT_TEXT) {
        fwrite(rn->mb.data, 1, rn->mb.len, stdout);
        putchar('\n');
    } else {
        json_object_set_new(p->json, "text", json_stringn(rn->mb.data, rn->mb.len));
        char *dump = json_dumps(p->json, JSON_COMPACT | JSON_ENCODE_ANY);
        if (dump) {
            fputs(dump, stdout);
            putchar('\n');
            free(dump);
        } else {
            write_error(stdout, p, it->line_no, "out of memory");
            rn->status = 1;
        }
    }
}

/* Runs the scan loop for scan (redact == 0) and redact. */
static int run(int argc, char **argv, int redact)
{
    scan_opts_t o;
    int rc = parse_common(argc, argv, &o, redact ? redact_usage : scan_usage, redact);
    if (rc >= 0)
        return rc;
    pvg_engine_t *e = compile_rules_file(o.rules);
    if (!e)
        return 2;
    runner_t rn = {0};
    rn.e = e;
    rn.o = &o;
    rn.redact = redact;
    rn.min_score = o.min_score_set ? o.min_score : 0.0f;
    rn.flags = o.min_score_set ? PVG_SCAN_ALL : 0;
    line_reader_t r;
    if (!redact && cli_events_open(o.fingerprint_key, &rn.ce)) {
        pvg_engine_free(e);
        return 2;
    }
    if (pvg_scratch_alloc(e, &rn.s) != PVG_OK || reader_open(&r, stdin) ||
        (o.window && o.format == FORMAT_JSONL &&
         pvg_window_alloc(CLI_WINDOW_KEYS, 0, 0, &rn.w) != PVG_OK)) {
        fprintf(stderr, "privguard: out of memory\n");
        cli_events_close(rn.ce);
        pvg_scratch_free(rn.s);
        pvg_engine_free(e);
        return 2;
    }
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    pipeline_t pl = {.r = &r, .format = o.format};
    pthread_mutex_init(&pl.lock, NULL);
    pthread_cond_init(&pl.cond, NULL);
    pthread_t th;
    int read_error = 0;
    if (pthread_create(&th, NULL, producer, &pl)) {
        fprintf(stderr, "privguard: cannot start the reader thread\n");
        rn.status = 2;
    } else {
        for (;;) {
            batch_t *b = queue_pop(&pl);
            for (size_t i = 0; i < b->n; i++)
                handle(&rn, &b->items[i]);
            int last = b->last;
            read_error |= b->read_error;
            if (b != &oom_batch)
                batch_put(&pl, b);
            if (last)
                break;
        }
        pthread_join(th, NULL);
    }
    /* Batches left on the free list. */
    for (size_t i = 0; i < pl.n_free; i++) {
        free(pl.free_list[i]->arena);
        free(pl.free_list[i]);
    }
    pthread_mutex_destroy(&pl.lock);
    pthread_cond_destroy(&pl.cond);
    mask_buf_free(&rn.mb);
    if (read_error) {
        fprintf(stderr, "privguard: cannot read standard input\n");
        rn.status = 2;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "privguard: cannot write standard output\n");
        rn.status = 2;
    }
    reader_close(&r);
    cli_events_close(rn.ce);
    pvg_window_free(rn.w);
    pvg_scratch_free(rn.s);
    pvg_engine_free(e);
    return rn.status;
}

int pvg_cmd_scan(int argc, char **argv) { return run(argc, argv, 0); }
int pvg_cmd_redact(int argc, char **argv) { return run(argc, argv, 1); }
