/* SPDX-License-Identifier: MIT */
/*
 * test_stream.c -- the stream component against a real nats-server
 * (scripts/nats-test.sh) and a real store (SQLite file; PostgreSQL from
 * scripts/pg-test.sh for the sanction bus):
 *   - partition hashing (FNV-1a test vectors) and dedup keys, table-driven;
 *   - a worker's verdicts are byte for byte the lines `privguard scan`
 *     writes for the same messages, poison lines get error verdicts and do
 *     not block their partition, and every review/block verdict has exactly
 *     one automated report;
 *   - a full redelivery (consumers deleted and recreated from the start)
 *     adds no verdict and no report;
 *   - a sanction decided through one enforce handle is enforced by another
 *     within a second of the notice on the sanction bus.
 */
#include <errno.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sodium.h>
#include <privguard/enforce.h>
#include <privguard/store.h>

#include "enforce/testutil.h"
#include "natsutil.h"
#include "stream/internal.h"
#include "streamgen.h"

/* ------------------------------------------------------------ hashing */

static void test_partition_vectors(void **state)
{
    (void)state;
    /* FNV-1a 32-bit reference values (Fowler/Noll/Vo test suite). */
    static const struct {
        const char *key;
        uint32_t fnv;
    } v[] = {
        {"", 0x811c9dc5u}, {"a", 0xe40c292cu}, {"foobar", 0xbf9cf968u}, {"b", 0xe70c2de5u},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        for (int n = 1; n <= 64; n *= 2) {
            int p = pvg_stream_partition(v[i].key, strlen(v[i].key), n);
            assert_int_equal(p, (int)(v[i].fnv % (uint32_t)n));
        }
        assert_int_equal(pvg_stream_partition(v[i].key, strlen(v[i].key), 16 * 3),
                         (int)(v[i].fnv % 48u));
    }
    /* One room always lands in the same partition, and rooms spread. */
    int seen[16] = {0};
    for (int r = 0; r < 1000; r++) {
        char room[16];
        int n = snprintf(room, sizeof room, "r%d", r);
        int p = pvg_stream_partition(room, (size_t)n, 16);
        assert_int_equal(p, pvg_stream_partition(room, (size_t)n, 16));
        seen[p]++;
    }
    for (int p = 0; p < 16; p++)
        assert_true(seen[p] > 20);
}

static void test_dedup_keys(void **state)
{
    (void)state;
    static const struct {
        const char *raw; /* the id as JSON writes it, NULL for none */
        uint64_t seq;
        const char *want; /* exact key, or a prefix when want_len is set */
        size_t want_len;
    } v[] = {
        {"\"m1\"", 9, "i:m1", 0},
        {"17", 9, "i:17", 0},
        {"\"room-7/msg:42\"", 1, "i:room-7/msg:42", 0},
        {NULL, 123456, "s:123456", 0},
        {"\"a b\"", 1, "h:", 34},
        {"\"\\u0041\"", 1, "h:", 34},
        {"\"\xed\x95\x9c\"", 1, "h:", 34},
        {"\"\"", 5, "h:", 34},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[160];
        int n = pvg_stream_dedup_key(v[i].raw, v[i].raw ? strlen(v[i].raw) : 0, v[i].seq, out,
                                     sizeof out);
        if (v[i].want_len) {
            assert_int_equal(n, (int)v[i].want_len);
            assert_memory_equal(out, v[i].want, strlen(v[i].want));
        } else {
            assert_string_equal(out, v[i].want);
            assert_int_equal(n, (int)strlen(v[i].want));
        }
    }
    /* Different ids never share a hashed key; the same id always does. */
    char a[160], b[160], c[160];
    pvg_stream_dedup_key("\"x y\"", 5, 0, a, sizeof a);
    pvg_stream_dedup_key("\"x z\"", 5, 0, b, sizeof b);
    pvg_stream_dedup_key("\"x y\"", 5, 7, c, sizeof c);
    assert_string_not_equal(a, b);
    assert_string_equal(a, c);
    /* Too small a buffer is refused, not truncated. */
    char tiny[4];
    assert_int_equal(pvg_stream_dedup_key("\"m12345\"", 8, 0, tiny, sizeof tiny), -1);
}

/* ------------------------------------------------- worker vs scan CLI */

typedef struct verdicts {
    json_t *by_id;   /* id -> the verdict line */
    int errors;      /* error verdicts */
    int review;      /* verdicts with a non-shadow review/block violation */
    int dup_ids;
    int event_error; /* the unknown event e1 got an error verdict */
} verdicts_t;

static int calls_for_review(json_t *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(v, "violations"), i, x)
    {
        const char *act = json_string_value(json_object_get(x, "action"));
        if (!json_is_true(json_object_get(x, "shadow")) && act &&
            (!strcmp(act, "review") || !strcmp(act, "block")))
            return 1;
    }
    return 0;
}

static int collect(const char *data, size_t len, void *ctx)
{
    verdicts_t *vs = ctx;
    json_t *v = json_loadb(data, (size_t)len, 0, NULL);
    if (!json_is_object(v))
        fail_msg("a verdict is not a json object");
    if (json_object_get(v, "error")) {
        vs->errors++;
        const char *eid = json_string_value(json_object_get(v, "id"));
        if (eid && !strcmp(eid, "e1"))
            vs->event_error = 1;
        json_decref(v);
        return 0;
    }
    const char *id = json_string_value(json_object_get(v, "id"));
    if (!id)
        fail_msg("a verdict has no string id");
    if (json_object_get(vs->by_id, id))
        vs->dup_ids++;
    vs->review += calls_for_review(v);
    json_object_set_new(vs->by_id, id, json_stringn(data, len));
    json_decref(v);
    return 0;
}

/* Deletes every partition's consumers: the next worker recreates them
 * from the start of the stream, so everything is delivered again. */
static void delete_consumers(jsCtx *js, const test_deploy_t *d)
{
    for (int part = 0; part < d->c.partitions; part++) {
        char durable[32];
        snprintf(durable, sizeof durable, "pvg-msg-%d", part);
        assert_int_equal(js_DeleteConsumer(js, d->msg, durable, NULL, NULL), NATS_OK);
        snprintf(durable, sizeof durable, "pvg-evt-%d", part);
        assert_int_equal(js_DeleteConsumer(js, d->msg, durable, NULL, NULL), NATS_OK);
    }
}

static int64_t count_reports(const char *store, int64_t *distinct)
{
    pvg_store_t *s = NULL;
    if (pvg_store_open(store, &s))
        fail_msg("cannot open the store");
    int64_t n = -1;
    pvg_stmt_t *st = NULL;
    if (pvg_store_prepare(s, "SELECT COUNT(*), COUNT(DISTINCT external_id) FROM reports"
                             " WHERE channel = 'automated'", &st) == 0 &&
        pvg_store_step(st) == PVG_STORE_ROW) {
        n = pvg_store_col_int(st, 0);
        *distinct = pvg_store_col_int(st, 1);
    }
    pvg_store_finalize(st);
    pvg_store_close(s);
    return n;
}

static int run_worker(const test_deploy_t *d, const char *store, pvg_worker_metrics_t *m)
{
    pvg_worker_options_t o;
    pvg_worker_options_init(&o);
    o.stream = d->c;
    o.store = store;
    o.threads = 2;
    o.batch = 64;
    o.idle_exit_ms = 1500;
    volatile sig_atomic_t stop = 0;
    char err[512] = "";
    int rc = pvg_worker_run(&o, &stop, m, err, sizeof err);
    if (rc)
        fail_msg("worker failed: %s", err);
    return rc;
}

static void test_worker_matches_scan(void **state)
{
    (void)state;
    const char *url = test_nats_url();
    if (!url)
        skip();
    const char *src = getenv("PVG_SOURCE_DIR");
    const char *cli = getenv("PVG_CLI");
    assert_non_null(src);
    assert_non_null(cli);
    char dir[128], store[256], input[256], expect[256];
    snprintf(dir, sizeof dir, "/tmp/pvg-enforce-test.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(store, sizeof store, "%s/db.sqlite", dir);
    snprintf(input, sizeof input, "%s/in.jsonl", dir);
    snprintf(expect, sizeof expect, "%s/expect.jsonl", dir);

    /* The examples plus generated traffic with violations. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cat '%s/examples/conversation.jsonl' > '%s'", src, input);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(input, "a");
    assert_non_null(f);
    assert_int_equal(streamgen_write(f, "g", 3000, 40, 25, 11), 0);
    /* One message of 12 KB among short ones. */
    fprintf(f, "{\"id\":\"long1\",\"room\":\"r1\",\"sender\":\"u1\",\"ts\":1764300000000,"
               "\"surface\":\"group\",\"text\":\"");
    for (int i = 0; i < 4000; i++)
        fputs("\xea\xb0\x80", f); /* U+AC00 */
    fputs("\"}\n", f);
    assert_int_equal(ferror(f), 0);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' scan < '%s' > '%s'", cli, input, expect);
    assert_int_equal(system(cmd), 0);

    test_deploy_t d;
    test_deploy_init(&d, url, 8);
    char err[512] = "";
    assert_int_equal(pvg_stream_setup(&d.c, err, sizeof err), 0);
    pvg_producer_t *p = NULL;
    assert_int_equal(pvg_producer_open(&d.c, &p, err, sizeof err), 0);
    f = fopen(input, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int64_t nmsg = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n')
            len--;
        assert_int_equal(pvg_producer_send(p, line, (size_t)len), 0);
        nmsg++;
    }
    free(line);
    fclose(f);
    /* A line the producer refuses never reaches the stream... */
    assert_int_equal(pvg_producer_send(p, "not json", 8), PVG_STREAM_EINVAL);
    assert_int_equal(pvg_producer_flush(p, 30000), 0);
    pvg_producer_close(p);
    /* ...but a broken producer could send anything: poison lines get an
     * error verdict and are acknowledged like the rest. */
    natsConnection *nc = NULL;
    assert_int_equal(natsConnection_ConnectTo(&nc, url), NATS_OK);
    jsCtx *js = NULL;
    assert_int_equal(natsConnection_JetStream(&js, nc, NULL), NATS_OK);
    char subj[96];
    snprintf(subj, sizeof subj, "%s.msg.3", d.prefix);
    assert_int_equal(js_Publish(NULL, js, subj, "{\"id\": 5, \"text\": ", 18, NULL, NULL), NATS_OK);
    assert_int_equal(js_Publish(NULL, js, subj, "[1,2]", 5, NULL, NULL), NATS_OK);
    snprintf(subj, sizeof subj, "%s.evt.3", d.prefix);
    assert_int_equal(js_Publish(NULL, js, subj, "{\"id\":\"e1\",\"event\":\"no_such_event\"}", 35,
                                NULL, NULL),
                     NATS_OK);

    pvg_worker_metrics_t m;
    run_worker(&d, store, &m);
    assert_int_equal(m.fetched, (uint64_t)nmsg + 3);
    assert_int_equal(m.acked, (uint64_t)nmsg + 3);
    assert_int_equal(m.failures, 0);

    verdicts_t vs = {.by_id = json_object()};
    int64_t got = test_read_verdicts(&d, collect, &vs);
    assert_int_equal(got, nmsg + 3);
    assert_int_equal(vs.dup_ids, 0);
    assert_int_equal(vs.errors, 3); /* two broken lines, one unknown event */
    assert_true(vs.event_error);
    /* Every message's verdict is the line `privguard scan` wrote for it. */
    f = fopen(expect, "r");
    int64_t compared = 0;
    line = NULL;
    cap = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = 0;
        json_t *v = json_loads(line, 0, NULL);
        const char *id = json_string_value(json_object_get(v, "id"));
        assert_non_null(id);
        json_t *mine = json_object_get(vs.by_id, id);
        if (!mine)
            fail_msg("no verdict for message %s", id);
        assert_string_equal(json_string_value(mine), line);
        json_decref(v);
        compared++;
    }
    free(line);
    fclose(f);
    assert_int_equal(compared, nmsg);
    assert_true(vs.review > 0);
    int64_t distinct = 0;
    assert_int_equal(count_reports(store, &distinct), vs.review);
    assert_int_equal(distinct, vs.review);
    assert_int_equal(m.reports, (uint64_t)vs.review);

    /* Redeliver everything: consumers deleted, recreated from the start. */
    delete_consumers(js, &d);
    pvg_worker_metrics_t m2;
    run_worker(&d, store, &m2);
    assert_int_equal(m2.fetched, (uint64_t)nmsg + 3);
    /* Every message was below its partition's watermark: no verdict was
     * published again... */
    assert_int_equal(m2.verdicts, 0);
    assert_int_equal(m2.verdict_msgs, 0);
    assert_int_equal(m2.verdict_dups, (uint64_t)nmsg + 3);
    assert_int_equal(test_read_verdicts(&d, NULL, NULL), nmsg + 3);
    /* ...nor scanned again, so no report was even looked up. */
    assert_int_equal(m2.reports, 0);
    assert_int_equal(m2.reports_replayed, 0);

    /* A worker that stored the reports and died before its verdicts were
     * published: the verdicts are gone (purged), everything is redelivered
     * and scanned again, and the store returns the reports it had. */
    assert_int_equal(js_PurgeStream(js, d.verdict, NULL, NULL), NATS_OK);
    delete_consumers(js, &d);
    pvg_worker_metrics_t m3;
    run_worker(&d, store, &m3);
    assert_int_equal(m3.verdicts, (uint64_t)nmsg + 3);
    assert_int_equal(m3.verdict_dups, 0);
    assert_int_equal(m3.reports, 0);
    assert_int_equal(m3.reports_replayed, (uint64_t)vs.review);
    assert_int_equal(count_reports(store, &distinct), vs.review);
    assert_int_equal(test_read_verdicts(&d, NULL, NULL), nmsg + 3);

    json_decref(vs.by_id);
    test_deploy_drop(nc, &d);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    remove_tree(dir);
}

/* ------------------------------------------------------ sanction bus */

static pvg_enforce_t *open_enforce(const char *spec, const char *keys)
{
    pvg_enforce_options_t o;
    pvg_enforce_options_init(&o);
    o.store = spec;
    o.key_dir = keys;
    pvg_enforce_t *e = NULL;
    if (pvg_enforce_open(&o, &e))
        fail_msg("cannot open the enforcement store");
    return e;
}

static int is_allowed(pvg_enforce_t *e, const char *account)
{
    pvg_check_t c;
    assert_int_equal(pvg_sanction_check(e, account, PVG_SCOPE_OPENCHAT_ACCESS, NULL, NULL, &c), 0);
    return c.allowed;
}

/* The change hook a service instance installs: count, then notify. */
typedef struct hooked {
    pvg_sanction_bus_t *bus;
    int calls;
    char account[64];
} hooked_t;

static void on_change(const char *account, void *ctx)
{
    hooked_t *h = ctx;
    h->calls++;
    snprintf(h->account, sizeof h->account, "%s", account ? account : "");
    if (h->bus)
        assert_int_equal(pvg_sanction_bus_notify(h->bus, account), 0);
}

static void sanction_bus_on(int backend)
{
    const char *url = test_nats_url();
    if (!url)
        skip();
    char spec[512], dir[128], keys[256];
    if (fresh_store(backend, spec, sizeof spec, dir, sizeof dir))
        skip();
    snprintf(keys, sizeof keys, "%s/keys", dir);
    /* Two nodes: a service instance that decides, a worker that checks. */
    pvg_enforce_t *a = open_enforce(spec, keys), *b = open_enforce(spec, keys);
    char prefix[48], err[512] = "";
    snprintf(prefix, sizeof prefix, "sb%ld", (long)getpid());
    pvg_sanction_bus_t *ba = NULL, *bb = NULL;
    assert_int_equal(pvg_sanction_bus_open(url, prefix, a, 0, NULL, NULL, &ba, err, sizeof err), 0);
    assert_int_equal(pvg_sanction_bus_open(url, prefix, b, 0, NULL, NULL, &bb, err, sizeof err), 0);

    pvg_actor_t svc = {.id = "svc:test", .role = PVG_ROLE_SERVICE};
    pvg_actor_t mod = {.id = "mod:kim", .role = PVG_ROLE_MODERATOR};
    pvg_report_in_t r = {.reporter = "detector", .account = "user:doxxer",
                         .subject_type = "message", .subject_id = "m-9",
                         .reason = "pii_exposure", .channel = "automated",
                         .external_id = "i:m-9", .score = 0.9};
    pvg_report_out_t ro;
    assert_int_equal(pvg_report_submit(a, &svc, &r, &ro), 0);
    assert_true(is_allowed(a, "user:doxxer"));
    assert_true(is_allowed(b, "user:doxxer"));
    uint64_t before = pvg_sanction_bus_refreshes(bb);
    /* Node a announces its own changes; node b's hook must not echo the
     * changes it reads after a notice. */
    hooked_t ha = {.bus = ba}, hb = {0};
    pvg_enforce_on_sanction_change(a, on_change, &ha);
    pvg_enforce_on_sanction_change(b, on_change, &hb);

    const char *cats[] = {"pii_exposure"};
    pvg_sanction_in_t sn = {.scope = PVG_SCOPE_OPENCHAT_ACCESS, .duration_ms = 86400000};
    pvg_decision_in_t dec = {.outcome = "violation", .categories = cats, .n_categories = 1,
                             .severity = "medium", .strikes = -1, .sanctions = &sn,
                             .n_sanctions = 1, .note = "posted another person's number"};
    pvg_decision_out_t out;
    int64_t t0 = test_now_ms();
    assert_int_equal(pvg_case_decide(a, &mod, ro.case_id, &dec, &out), 0);
    assert_int_equal(ha.calls, 1);
    assert_string_equal(ha.account, "user:doxxer");
    /* Node a knew at once; node b must know within a second. */
    assert_false(is_allowed(a, "user:doxxer"));
    while (is_allowed(b, "user:doxxer") && test_now_ms() - t0 < 1000)
        test_sleep_ms(5);
    int64_t took = test_now_ms() - t0;
    assert_false(is_allowed(b, "user:doxxer"));
    assert_true(took < 1000);
    assert_true(pvg_sanction_bus_refreshes(bb) > before);
    print_message("sanction enforced on the other node after %lld ms (%s)\n", (long long)took,
                  backend_name(backend));
    assert_int_equal(hb.calls, 0);
    pvg_enforce_on_sanction_change(a, NULL, NULL);
    pvg_enforce_on_sanction_change(b, NULL, NULL);

    pvg_sanction_bus_close(ba);
    pvg_sanction_bus_close(bb);
    /* A bus that cannot reach NATS says so. */
    assert_int_equal(pvg_sanction_bus_open("nats://127.0.0.1:1", prefix, b, 0, NULL, NULL, &ba,
                                           err, sizeof err),
                     PVG_STREAM_ENATS);
    assert_non_null(strstr(err, "cannot open sanction bus"));
    pvg_enforce_close(a);
    pvg_enforce_close(b);
    remove_tree(dir);
}

static void test_sanction_bus_sqlite(void **state)
{
    (void)state;
    sanction_bus_on(BACKEND_SQLITE);
}

static void test_sanction_bus_pg(void **state)
{
    (void)state;
    sanction_bus_on(BACKEND_PG);
}

/* ------------------------------------------------------ bad arguments */

/* Verdict messages are fenced on the subject's last sequence and carry
 * the watermarks forward: what makes a redelivery or a stale second
 * writer (a worker whose lease lapsed) unable to add verdicts twice. */
static void test_verdict_fence(void **state)
{
    (void)state;
    const char *url = test_nats_url();
    if (!url)
        skip();
    test_deploy_t d;
    test_deploy_init(&d, url, 4);
    char err[256] = "";
    assert_int_equal(pvg_stream_setup(&d.c, err, sizeof err), 0);
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    assert_int_equal(natsConnection_ConnectTo(&nc, url), NATS_OK);
    assert_int_equal(natsConnection_JetStream(&js, nc, NULL), NATS_OK);

    const char *two = "{\"line\":9}\n{\"line\":10}\n";
    pvg__vmark_t mark, stale, again;
    assert_int_equal(pvg__verdict_mark(js, &d.c, 2, &mark, err, sizeof err), 0);
    assert_int_equal(mark.vseq, 0);
    assert_int_equal(mark.wm[LANE_MSG], 0);
    stale = mark;
    assert_int_equal(pvg__verdict_publish(nc, &d.c, 2, LANE_MSG, &mark, 10, 2,
                                          two, strlen(two), 5000, err,
                                          sizeof err),
                     0);
    assert_true(mark.vseq > 0);
    assert_int_equal(mark.wm[LANE_MSG], 10);
    /* A writer that has not seen that verdict is refused, even on an
     * empty-looking subject (expected sequence 0). */
    assert_int_equal(pvg__verdict_publish(nc, &d.c, 2, LANE_MSG, &stale, 10, 2,
                                          two, strlen(two), 5000, err,
                                          sizeof err),
                     PVG__STREAM_ECONFLICT);
    assert_int_equal(pvg__verdict_mark(js, &d.c, 2, &again, err, sizeof err), 0);
    assert_int_equal(again.vseq, mark.vseq);
    assert_int_equal(again.wm[LANE_MSG], 10);
    assert_int_equal(again.wm[LANE_EVT], 0);
    /* The other lane's verdicts keep this lane's watermark. */
    stale = mark;
    assert_int_equal(pvg__verdict_publish(nc, &d.c, 2, LANE_EVT, &mark, 12, 1,
                                          "{\"line\":12}\n", 12, 5000, err, sizeof err),
                     0);
    assert_int_equal(pvg__verdict_mark(js, &d.c, 2, &again, err, sizeof err), 0);
    assert_int_equal(again.vseq, mark.vseq);
    assert_int_equal(again.wm[LANE_MSG], 10);
    assert_int_equal(again.wm[LANE_EVT], 12);
    assert_int_equal(pvg__verdict_publish(nc, &d.c, 2, LANE_MSG, &stale, 20, 1,
                                          "{\"line\":20}\n", 12, 5000, err, sizeof err),
                     PVG__STREAM_ECONFLICT);
    /* Other partitions are not fenced by this one. */
    assert_int_equal(pvg__verdict_mark(js, &d.c, 3, &again, err, sizeof err), 0);
    assert_int_equal(again.vseq, 0);
    assert_int_equal(pvg__verdict_publish(nc, &d.c, 3, LANE_MSG, &again, 5, 1,
                                          "{\"line\":5}\n", 11, 5000, err, sizeof err),
                     0);
    assert_int_equal(test_read_verdicts(&d, NULL, NULL), 4);

    test_deploy_drop(nc, &d);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
}

static void test_bad_options(void **state)
{
    (void)state;
    char err[256] = "";
    pvg_worker_options_t o;
    pvg_worker_options_init(&o);
    o.threads = 0;
    assert_int_equal(pvg_worker_run(&o, NULL, NULL, err, sizeof err), PVG_STREAM_EINVAL);
    pvg_worker_options_init(&o);
    o.worker_id = "has space";
    assert_int_equal(pvg_worker_run(&o, NULL, NULL, err, sizeof err), PVG_STREAM_EINVAL);
    pvg_stream_config_t c;
    pvg_stream_config_init(&c);
    c.partitions = PVG_STREAM_MAX_PARTITIONS + 1;
    assert_int_equal(pvg_stream_setup(&c, err, sizeof err), PVG_STREAM_EINVAL);
    /* Nothing listens on port 1: a clear error, no hang. */
    pvg_stream_config_init(&c);
    c.url = "nats://127.0.0.1:1";
    assert_int_equal(pvg_stream_setup(&c, err, sizeof err), PVG_STREAM_ENATS);
    assert_non_null(strstr(err, "cannot connect to nats"));
    assert_non_null(pvg_stream_strerror(-999));
    assert_string_equal(pvg_stream_strerror(PVG_STREAM_ETIMEOUT), "timed out");
}

static int teardown_all(void **state)
{
    (void)state;
    nats_CloseAndWait(5000);
    return 0;
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition_vectors),
        cmocka_unit_test(test_dedup_keys),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_verdict_fence),
        cmocka_unit_test(test_worker_matches_scan),
        cmocka_unit_test(test_sanction_bus_sqlite),
        cmocka_unit_test(test_sanction_bus_pg),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
