/* SPDX-License-Identifier: MIT */
/*
 * cmd_stream.c -- `privguard consume`: the NATS JetStream worker
 * (src/stream, docs/deploy.md), and its helpers for operators and tests:
 * `--setup` creates the streams, lease bucket and consumers; `--publish
 * FILE` loads scan-contract JSONL into the message stream, partitioned by
 * room (events by account).
 *
 * The worker runs until SIGTERM or SIGINT (then drains: the batches in hand
 * are finished and acknowledged and the leases freed), or until
 * --max-messages / --idle-exit-ms. It prints its final counters as one JSON
 * line on stdout; --metrics-file keeps a JSON copy up to date every second.
 * Log lines (leases, failures) go to stderr and never hold message text.
 *
 * Exit status: 0 done; 1 some batches failed and were left for redelivery
 * (or, with --publish, some lines were refused); 2 usage or fatal error.
 */
#ifdef PVG_HAVE_stream
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <nats/nats.h>
#include <sodium.h>

#include "cli/commands.h"
#include "cli/input.h"
#include "stream/stream.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* SIGTERM and SIGINT set g_stop (a drain, not an exit). */
static void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

/* JSON strings that held message text are wiped when jansson frees them. */
static void wipe_free(void *p)
{
    if (p) {
        sodium_memzero(p, malloc_usable_size(p));
        free(p);
    }
}

static const char usage[] =
    "usage: privguard consume [--url URLS] [--partitions N] [--threads N] [--batch N]\n"
    "                         [--rules FILE] [--store SPEC] [--keys DIR] [--fingerprint-key FILE]\n"
    "                         [--worker-id ID] [--metrics-file FILE] [--window-keys N]\n"
    "                         [--lease-ms MS] [--ack-wait-ms MS] [--dedup-window-ms MS]\n"
    "                         [--replicas N] [--memory] [--ack-explicit] [--prefix P]\n"
    "                         [--max-messages N] [--idle-exit-ms MS] [--verdict-lines N]\n"
    "                         [--quiet]\n"
    "       privguard consume --setup [stream options]\n"
    "       privguard consume --publish FILE|- [stream options]\n"
    "       privguard consume --verdicts [--follow] [stream options]\n"
    "Scans messages from NATS JetStream (subjects P.msg.<partition>, P.evt.<partition>),\n"
    "publishes one verdict per message to P.verdict.<partition> and files automated\n"
    "reports in --store (PostgreSQL connection string or SQLite path) for violations\n"
    "that call for review. --url defaults to $PVG_NATS_URL or nats://127.0.0.1:4222.\n"
    "A verdict message holds the verdicts of a run of messages of one partition, one\n"
    "scan-contract line each (JSONL, at most --verdict-lines lines; default: a whole\n"
    "fetch batch). --verdicts prints every verdict line stored (with --follow, and\n"
    "then new ones until interrupted).\n"
    "Stream options (--partitions, --replicas, --memory, --lease-ms, --ack-wait-ms,\n"
    "--dedup-window-ms, --ack-explicit) apply when the streams are first created.\n"
    "--prefix P (default pvg) names a separate deployment: streams P_MSG and P_VERDICT\n"
    "(upper case), lease bucket P_leases.\n"
    "--batch (default 4096) bounds one fetch per thread; lower it where messages are large.\n"
    "Exit status: 0 done, 1 some batches or lines failed, 2 usage or fatal error.\n";

static int num(const char *name, const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "privguard: --%s takes a number from %lld to %lld\n", name,
                (long long)lo, (long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int publish(const pvg_stream_config_t *c, const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "privguard: cannot open '%s'\n", path);
        return 2;
    }
    line_reader_t r;
    if (reader_open(&r, f)) {
        fprintf(stderr, "privguard: out of memory\n");
        if (f != stdin)
            fclose(f);
        return 2;
    }
    char err[512] = "";
    pvg_producer_t *p = NULL;
    int rc = pvg_stream_setup(c, err, sizeof err);
    if (!rc)
        rc = pvg_producer_open(c, &p, err, sizeof err);
    int status = 0;
    uint64_t refused = 0;
    if (rc) {
        fprintf(stderr, "privguard: %s\n", err);
        status = 2;
    } else {
        int more;
        while ((more = reader_next(&r)) == 1) {
            if (r.too_long || pvg_producer_send(p, r.buf, r.len) == PVG_STREAM_EINVAL) {
                refused++;
                continue;
            }
        }
        if (more < 0) {
            fprintf(stderr, "privguard: cannot read '%s'\n", path);
            status = 2;
        }
        int frc = pvg_producer_flush(p, 60000);
        if (frc) {
            fprintf(stderr, "privguard: not every message was stored: %s\n",
                    pvg_stream_strerror(frc));
            status = 2;
        }
        printf("{\"published\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"refused\":%" PRIu64 "}\n",
               pvg_producer_sent(p) - pvg_producer_failed(p), pvg_producer_failed(p), refused);
        if (!status && refused)
            status = 1;
    }
    pvg_producer_close(p);
    reader_close(&r);
    if (f != stdin)
        fclose(f);
    return status;
}

static int print_line(const char *line, size_t len, void *ctx)
{
    (void)ctx;
    fwrite(line, 1, len, stdout);
    return putchar('\n') == EOF;
}

/* --verdicts: the verdict lines as JSONL on stdout. */
static int print_verdicts(const pvg_stream_config_t *c, int follow)
{
    if (follow)
        catch_stop_signals();
    char err[512] = "";
    uint64_t lines = 0;
    int rc = pvg_stream_read_verdicts(c, follow ? &g_stop : NULL, print_line, NULL, &lines, err,
                                      sizeof err);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "privguard: cannot write the verdicts\n");
        return 2;
    }
    if (rc) {
        fprintf(stderr, "privguard: %s\n", err[0] ? err : pvg_stream_strerror(rc));
        return 2;
    }
    return 0;
}

int pvg_cmd_consume(int argc, char **argv)
{
    enum {
        O_URL = 256, O_PARTS, O_THREADS, O_BATCH, O_RULES, O_STORE, O_KEYS, O_FPKEY, O_WID,
        O_METRICS, O_WKEYS, O_LEASE, O_ACKWAIT, O_DEDUP, O_REPL, O_MEMORY, O_EXPLICIT,
        O_PREFIX, O_MAXMSG, O_IDLE, O_QUIET, O_SETUP, O_PUBLISH, O_HELP, O_VLINES, O_VERDICTS,
        O_FOLLOW
    };
    static const struct option longopts[] = {
        {"url", required_argument, 0, O_URL},
        {"partitions", required_argument, 0, O_PARTS},
        {"threads", required_argument, 0, O_THREADS},
        {"batch", required_argument, 0, O_BATCH},
        {"rules", required_argument, 0, O_RULES},
        {"store", required_argument, 0, O_STORE},
        {"keys", required_argument, 0, O_KEYS},
        {"fingerprint-key", required_argument, 0, O_FPKEY},
        {"worker-id", required_argument, 0, O_WID},
        {"metrics-file", required_argument, 0, O_METRICS},
        {"window-keys", required_argument, 0, O_WKEYS},
        {"lease-ms", required_argument, 0, O_LEASE},
        {"ack-wait-ms", required_argument, 0, O_ACKWAIT},
        {"dedup-window-ms", required_argument, 0, O_DEDUP},
        {"replicas", required_argument, 0, O_REPL},
        {"memory", no_argument, 0, O_MEMORY},
        {"ack-explicit", no_argument, 0, O_EXPLICIT},
        {"prefix", required_argument, 0, O_PREFIX},
        {"max-messages", required_argument, 0, O_MAXMSG},
        {"idle-exit-ms", required_argument, 0, O_IDLE},
        {"quiet", no_argument, 0, O_QUIET},
        {"setup", no_argument, 0, O_SETUP},
        {"publish", required_argument, 0, O_PUBLISH},
        {"help", no_argument, 0, O_HELP},
        {"verdict-lines", required_argument, 0, O_VLINES},
        {"verdicts", no_argument, 0, O_VERDICTS},
        {"follow", no_argument, 0, O_FOLLOW},
        {0, 0, 0, 0},
    };
    pvg_worker_options_t o;
    pvg_worker_options_init(&o);
    const char *env_url = getenv("PVG_NATS_URL");
    if (env_url && *env_url)
        o.stream.url = env_url;
    o.log = stderr;
    int setup = 0, verdicts = 0, follow = 0;
    const char *pub = NULL;
    int64_t v;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case O_URL: o.stream.url = optarg; break;
        case O_PARTS:
            if (num("partitions", optarg, 1, PVG_STREAM_MAX_PARTITIONS, &v))
                return 2;
            o.stream.partitions = (int)v;
            break;
        case O_THREADS:
            if (num("threads", optarg, 1, 64, &v))
                return 2;
            o.threads = (int)v;
            break;
        case O_BATCH:
            if (num("batch", optarg, 1, 65536, &v))
                return 2;
            o.batch = (int)v;
            break;
        case O_RULES: o.rules_path = optarg; break;
        case O_STORE: o.store = optarg; break;
        case O_KEYS: o.key_dir = optarg; break;
        case O_FPKEY: o.fingerprint_key = optarg; break;
        case O_WID: o.worker_id = optarg; break;
        case O_METRICS: o.metrics_file = optarg; break;
        case O_WKEYS:
            if (num("window-keys", optarg, 1, 100000000, &v))
                return 2;
            o.window_keys = (size_t)v;
            break;
        case O_LEASE:
            if (num("lease-ms", optarg, 1000, 3600000, &v))
                return 2;
            o.stream.lease_ms = v;
            break;
        case O_ACKWAIT:
            if (num("ack-wait-ms", optarg, 1000, 3600000, &v))
                return 2;
            o.stream.ack_wait_ms = v;
            break;
        case O_DEDUP:
            if (num("dedup-window-ms", optarg, 1000, 7LL * 86400000, &v))
                return 2;
            o.stream.dedup_window_ms = v;
            break;
        case O_REPL:
            if (num("replicas", optarg, 1, 5, &v))
                return 2;
            o.stream.replicas = (int)v;
            break;
        case O_MEMORY: o.stream.memory = 1; break;
        case O_EXPLICIT: o.stream.ack_all = 0; break;
        case O_PREFIX: o.stream.prefix = optarg; break;
        case O_MAXMSG:
            if (num("max-messages", optarg, 1, INT64_MAX, &v))
                return 2;
            o.max_messages = v;
            break;
        case O_IDLE:
            if (num("idle-exit-ms", optarg, 1, 86400000, &v))
                return 2;
            o.idle_exit_ms = v;
            break;
        case O_QUIET: o.log = NULL; break;
        case O_SETUP: setup = 1; break;
        case O_PUBLISH: pub = optarg; break;
        case O_VLINES:
            if (num("verdict-lines", optarg, 1, 65536, &v))
                return 2;
            o.verdict_lines = (int)v;
            break;
        case O_VERDICTS: verdicts = 1; break;
        case O_FOLLOW: follow = 1; break;
        case O_HELP:
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "privguard: unexpected argument '%s'\n", argv[optind]);
        fputs(usage, stderr);
        return 2;
    }
    /* Another prefix is another deployment: its own streams and bucket
     * (PREFIX_MSG, PREFIX_VERDICT, prefix_leases). */
    static char msg_name[80], ver_name[80], bucket[80];
    if (o.stream.prefix) {
        size_t pl = strlen(o.stream.prefix);
        if (!pl || pl > 32) {
            fprintf(stderr, "privguard: --prefix must be 1 to 32 characters\n");
            return 2;
        }
        for (size_t i = 0; i < pl; i++) {
            char c = o.stream.prefix[i];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
                fprintf(stderr, "privguard: --prefix takes lowercase letters, digits, '_' and '-'\n");
                return 2;
            }
            msg_name[i] = ver_name[i] = (char)((c >= 'a' && c <= 'z') ? c - 32 : c == '-' ? '_' : c);
        }
        snprintf(msg_name + pl, sizeof msg_name - pl, "_MSG");
        snprintf(ver_name + pl, sizeof ver_name - pl, "_VERDICT");
        snprintf(bucket, sizeof bucket, "%s_leases", o.stream.prefix);
        o.stream.msg_stream = msg_name;
        o.stream.verdict_stream = ver_name;
        o.stream.lease_bucket = bucket;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "privguard: cannot initialise libsodium\n");
        return 2;
    }
    json_set_alloc_funcs(malloc, wipe_free);
    int status;
    char err[512] = "";
    if (!!pub + setup + verdicts > 1 || (follow && !verdicts)) {
        fprintf(stderr, "privguard: --setup, --publish and --verdicts go alone"
                        " (--follow only with --verdicts)\n");
        return 2;
    }
    if (verdicts) {
        status = print_verdicts(&o.stream, follow);
    } else if (pub) {
        status = publish(&o.stream, pub);
    } else if (setup) {
        int rc = pvg_stream_setup(&o.stream, err, sizeof err);
        if (rc)
            fprintf(stderr, "privguard: %s\n", err);
        else
            printf("{\"setup\":true}\n");
        status = rc ? 2 : 0;
    } else {
        catch_stop_signals();
        /* A worker allocates and frees the same few megabytes per batch
         * (fetched messages, conversation-window keys, verdicts): keep up
         * to 64 MiB of freed heap instead of returning it to the kernel and
         * faulting it in again on the next batch (page faults were ~8% of
         * the worker's CPU). The peak stays bounded by the batch limits. */
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
        mallopt(M_TOP_PAD, 16 << 20);
        mallopt(M_MMAP_THRESHOLD, 4 << 20);
        pvg_worker_metrics_t m;
        memset(&m, 0, sizeof m);
        int rc = pvg_worker_run(&o, &g_stop, &m, err, sizeof err);
        if (rc) {
            fprintf(stderr, "privguard: %s\n", err[0] ? err : pvg_stream_strerror(rc));
            status = 2;
        } else {
            pvg_worker_metrics_json(stdout, &m);
            status = m.failures ? 1 : 0;
        }
    }
    fflush(stdout);
    nats_CloseAndWait(5000);
    return status;
}
#endif
