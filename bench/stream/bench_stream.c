/* SPDX-License-Identifier: MIT */
/*
 * bench_stream.c -- end-to-end throughput of the stream workers: for each
 * worker count (default 1 then 2) a fresh deployment is loaded with N
 * generated messages (0.1% of them violations that are reported), then W
 * `privguard consume` processes are started and the verdict subjects are
 * watched until N verdict lines went by (then the verdict stream is read
 * back: it must hold exactly N). The rate is the verdicts after the first
 * verdict message over the time from it to the last (worker start-up,
 * mostly compiling the rules, is reported apart). Prints one JSON line per
 * run.
 *
 *   scripts/nats-test.sh run -- build-rel/bench/stream/bench_stream \
 *       [--messages N] [--workers 1,2] [--threads T] [--batch B]
 *       [--bad-every K] [--store SPEC] [--memory] [--cli PATH] [--server-pid PID]
 *
 * Also printed: CPU time per message of the workers (together) and of the
 * nats-server (its pid from --server-pid or $PVG_NATS_DIR/nats.pid, which
 * scripts/nats-test.sh exports) between the first verdict and the last,
 * and the load average: on a shared machine the rate follows the load.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "stream/stream.h"
#include "streamgen.h"

extern char **environ;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* CPU time (user + system) of a process so far, in microseconds, from
 * /proc/<pid>/stat; -1 when it cannot be read. */
static int64_t proc_cpu_us(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* Fields after the command name (which may hold spaces) end at ')'. */
    char *q = strrchr(buf, ')');
    if (!q)
        return -1;
    unsigned long long ut = 0, st = 0;
    if (sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? (int64_t)((ut + st) * 1000000ULL / (unsigned long long)hz) : -1;
}

/* The nats-server's pid: --server-pid, or $PVG_NATS_DIR/nats.pid
 * (scripts/nats-test.sh), or 0 when unknown. */
static pid_t server_pid(const char *opt)
{
    if (opt)
        return (pid_t)strtol(opt, NULL, 10);
    const char *d = getenv("PVG_NATS_DIR");
    if (!d)
        return 0;
    char path[512];
    snprintf(path, sizeof path, "%s/nats.pid", d);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    long v = 0;
    if (fscanf(f, "%ld", &v) != 1)
        v = 0;
    fclose(f);
    return (pid_t)v;
}

/* Verdict lines seen on the verdict subjects (a verdict message holds
 * Pvg-Count lines), counted on a libnats thread. */
typedef struct vcount {
    int64_t lines, first_ms, first_lines;
} vcount_t;

static void on_verdicts(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *closure)
{
    (void)nc;
    (void)sub;
    vcount_t *v = closure;
    const char *c = NULL;
    int64_t k = natsMsgHeader_Get(m, "Pvg-Count", &c) == NATS_OK && c ? strtoll(c, NULL, 10) : 0;
    if (!__atomic_load_n(&v->first_ms, __ATOMIC_ACQUIRE)) {
        v->first_lines = k;
        __atomic_store_n(&v->first_ms, now_ms(), __ATOMIC_RELEASE);
    }
    __atomic_add_fetch(&v->lines, k, __ATOMIC_RELEASE);
    natsMsg_Destroy(m);
}

static long long num(const char *s, const char *name)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 1) {
        fprintf(stderr, "bench_stream: %s takes a positive number\n", name);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    const char *url = getenv("PVG_TEST_NATS");
    const char *cli = PVG_CLI_PATH, *store = NULL, *spid = NULL, *workers = "1,2", *threads = "2",
               *batch = "4096";
    long long n = 100000, bad_every = 1000;
    int memory = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--memory")) {
            memory = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "bench_stream: unknown or incomplete option '%s'\n", a);
            return 2;
        }
        i++;
        if (!strcmp(a, "--url")) url = v;
        else if (!strcmp(a, "--messages")) n = num(v, a);
        else if (!strcmp(a, "--workers")) workers = v;
        else if (!strcmp(a, "--threads")) threads = v;
        else if (!strcmp(a, "--batch")) batch = v;
        else if (!strcmp(a, "--bad-every")) bad_every = num(v, a);
        else if (!strcmp(a, "--store")) store = v;
        else if (!strcmp(a, "--cli")) cli = v;
        else if (!strcmp(a, "--server-pid")) spid = v;
        else {
            fprintf(stderr, "bench_stream: unknown option '%s'\n", a);
            return 2;
        }
    }
    if (!url || !*url) {
        fprintf(stderr, "bench_stream: no nats server: set PVG_TEST_NATS or --url "
                        "(scripts/nats-test.sh run -- ...)\n");
        return 2;
    }
    char dir[] = "/tmp/pvg-bench-stream.XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_stream: cannot create a temporary folder\n");
        return 2;
    }
    char input[128];
    snprintf(input, sizeof input, "%s/in.jsonl", dir);
    FILE *f = fopen(input, "w");
    if (!f || streamgen_write(f, "m", (uint64_t)n, 5000, (unsigned)bad_every, 99) || fclose(f)) {
        fprintf(stderr, "bench_stream: cannot write the input\n");
        return 2;
    }
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    if (natsConnection_ConnectTo(&nc, url) != NATS_OK ||
        natsConnection_JetStream(&js, nc, NULL) != NATS_OK) {
        fprintf(stderr, "bench_stream: cannot connect to '%s'\n", url);
        return 2;
    }
    int status = 0;
    char wl[64];
    snprintf(wl, sizeof wl, "%s", workers);
    for (char *save = NULL, *tok = strtok_r(wl, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int w = (int)num(tok, "--workers");
        if (w > 16) {
            fprintf(stderr, "bench_stream: at most 16 workers\n");
            return 2;
        }
        char prefix[48], msg[64], ver[64], bucket[64], spec[256], keys[256];
        snprintf(prefix, sizeof prefix, "bench%ldw%d", (long)getpid(), w);
        snprintf(msg, sizeof msg, "BENCH%ldW%d_MSG", (long)getpid(), w);
        snprintf(ver, sizeof ver, "BENCH%ldW%d_VERDICT", (long)getpid(), w);
        snprintf(bucket, sizeof bucket, "%s_leases", prefix);
        snprintf(spec, sizeof spec, "%s/w%d.sqlite", dir, w);
        snprintf(keys, sizeof keys, "%s/keys", dir);
        pvg_stream_config_t c;
        pvg_stream_config_init(&c);
        c.url = url;
        c.prefix = prefix;
        c.msg_stream = msg;
        c.verdict_stream = ver;
        c.lease_bucket = bucket;
        c.memory = memory;
        char err[512] = "";
        pvg_producer_t *p = NULL;
        if (pvg_stream_setup(&c, err, sizeof err) || pvg_producer_open(&c, &p, err, sizeof err)) {
            fprintf(stderr, "bench_stream: %s\n", err);
            return 2;
        }
        int64_t tp = now_ms();
        f = fopen(input, "r");
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while (f && (len = getline(&line, &cap, f)) > 0)
            pvg_producer_send(p, line, (size_t)(len - 1));
        free(line);
        if (f)
            fclose(f);
        int frc = pvg_producer_flush(p, 120000);
        int64_t produce_ms = now_ms() - tp;
        pvg_producer_close(p);
        if (frc) {
            fprintf(stderr, "bench_stream: loading the stream failed\n");
            return 2;
        }
        vcount_t vc = {0};
        natsSubscription *vsub = NULL;
        char vsubj[96];
        snprintf(vsubj, sizeof vsubj, "%s.verdict.*", prefix);
        if (natsConnection_Subscribe(&vsub, nc, vsubj, on_verdicts, &vc) != NATS_OK ||
            natsSubscription_SetPendingLimits(vsub, -1, -1) != NATS_OK ||
            natsConnection_Flush(nc) != NATS_OK) {
            fprintf(stderr, "bench_stream: cannot watch the verdicts\n");
            return 2;
        }
        pid_t pids[16];
        int64_t t0 = now_ms();
        for (int i = 0; i < w; i++) {
            char id[32], log[160];
            snprintf(id, sizeof id, "bench-%d", i);
            snprintf(log, sizeof log, "%s/w%d-%d.log", dir, w, i);
            char *args[] = {(char *)cli, "consume", "--url", (char *)url, "--prefix", prefix,
                            "--store", store ? (char *)store : spec, "--keys", keys,
                            "--threads", (char *)threads, "--batch", (char *)batch,
                            "--worker-id", id, "--idle-exit-ms", "3000", "--quiet", NULL};
            posix_spawn_file_actions_t fa;
            posix_spawn_file_actions_init(&fa);
            posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (posix_spawn(&pids[i], cli, &fa, NULL, args, environ)) {
                fprintf(stderr, "bench_stream: cannot start '%s'\n", cli);
                return 2;
            }
            posix_spawn_file_actions_destroy(&fa);
        }
        pid_t npid = server_pid(spid);
        int64_t first = 0, done = 0, count = 0, cpu0[17] = {0}, cpu1[17] = {0};
        while (now_ms() - t0 < 600000) {
            count = __atomic_load_n(&vc.lines, __ATOMIC_ACQUIRE);
            if (count > 0 && !first) {
                first = __atomic_load_n(&vc.first_ms, __ATOMIC_ACQUIRE);
                for (int i = 0; i < w; i++)
                    cpu0[i] = proc_cpu_us(pids[i]);
                cpu0[16] = npid ? proc_cpu_us(npid) : -1;
            }
            if (count >= n) {
                done = now_ms();
                for (int i = 0; i < w; i++)
                    cpu1[i] = proc_cpu_us(pids[i]);
                cpu1[16] = npid ? proc_cpu_us(npid) : -1;
                break;
            }
            sleep_ms(5);
        }
        for (int i = 0; i < w; i++) {
            kill(pids[i], SIGTERM);
            waitpid(pids[i], NULL, 0);
        }
        if (!done) {
            fprintf(stderr, "bench_stream: only %lld of %lld verdicts after 10 minutes\n",
                    (long long)count, n);
            status = 1;
            continue;
        }
        natsSubscription_Destroy(vsub);
        /* What is stored is what was counted: every message has one verdict. */
        uint64_t stored = 0;
        if (pvg_stream_read_verdicts(&c, NULL, NULL, NULL, &stored, err, sizeof err) ||
            stored != (uint64_t)n) {
            fprintf(stderr, "bench_stream: the verdict stream holds %llu verdicts, not %lld\n",
                    (unsigned long long)stored, n);
            status = 1;
        }
        /* The rate runs from the first verdict message to the last: the
         * lines of the first are not in it. */
        double secs = (double)(done - first) / 1000.0;
        int64_t timed = n - vc.first_lines;
        /* CPU per message between the first verdict and the last: the
         * workers together, and the nats-server (-1: not known). */
        int64_t wcpu = 0;
        for (int i = 0; i < w; i++)
            wcpu = wcpu >= 0 && cpu0[i] >= 0 && cpu1[i] >= 0 ? wcpu + cpu1[i] - cpu0[i] : -1;
        int64_t scpu = cpu0[16] >= 0 && cpu1[16] >= 0 ? cpu1[16] - cpu0[16] : -1;
        double lavg[1] = {0};
        if (getloadavg(lavg, 1) < 1)
            lavg[0] = -1;
        printf("{\"workers\":%d,\"threads\":%s,\"batch\":%s,\"messages\":%lld,\"storage\":\"%s\","
               "\"load_msgs_per_sec\":%.0f,\"startup_ms\":%lld,\"seconds\":%.3f,"
               "\"msgs_per_sec\":%.0f,\"worker_cpu_us_per_msg\":%.1f,"
               "\"server_cpu_us_per_msg\":%.1f,\"loadavg\":%.2f}\n",
               w, threads, batch, n, memory ? "memory" : "file",
               produce_ms ? (double)n * 1000.0 / (double)produce_ms : 0.0,
               (long long)(first - t0), secs, secs > 0 ? (double)timed / secs : 0.0,
               wcpu >= 0 ? (double)wcpu / (double)n : -1.0,
               scpu >= 0 ? (double)scpu / (double)n : -1.0, lavg[0]);
        fflush(stdout);
        js_DeleteStream(js, msg, NULL, NULL);
        js_DeleteStream(js, ver, NULL, NULL);
        js_DeleteKeyValue(js, bucket);
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_stream: cannot remove %s\n", dir);
    nats_CloseAndWait(2000);
    return status;
}
