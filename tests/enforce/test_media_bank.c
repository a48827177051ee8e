/* SPDX-License-Identifier: MIT */
/*
 * test_media_bank.c -- media evidence and the hash bank in the enforcement
 * core, on SQLite and on PostgreSQL with a pinned clock:
 *
 *   - a report carrying a photo and a video (fake bytes, fake hashes): the
 *     bytes are stored encrypted (never found in the database file or the
 *     ciphertext column), the case view lists kind, size and hashes, and a
 *     moderator's reveal (audited first) gives the bytes back;
 *   - a decision with private_media puts the hashes of quality >= 50 (or
 *     unknown) into confirmed_private_media with the case as source, in the
 *     decision's transaction; a second case with the same photo adds
 *     nothing twice; the revision walk reports every change in order;
 *   - private_media without a violation or without pii_exposure is
 *     invalid_input and changes nothing;
 *   - operators add and disable entries (roles, duplicates, unknown ids);
 *   - a rights notice with media: blinding adds reported_pending entries
 *     with the notice as source, restoring disables them;
 *   - the purge destroys media evidence past retention (not under hold)
 *     while the bank keeps its entries.
 * All data is generated and fake.
 */
#include "fixture.h"

#include <jansson.h>
#include <privguard/enforce.h>

static const pvg_actor_t MOD = {"mod:kim", PVG_ROLE_MODERATOR, "10.0.0.1"};
static const pvg_actor_t ADMIN = {"admin:park", PVG_ROLE_ADMIN, "10.0.0.3"};
static const pvg_actor_t TRIAGE = {"triage:choi", PVG_ROLE_TRIAGE, NULL};
static const pvg_actor_t APP = {"app:messenger", PVG_ROLE_REPORTER_APP, NULL};
static const pvg_actor_t SVC = {"svc:scanner", PVG_ROLE_SERVICE, NULL};

/* A fake hash: 32 bytes from a seed (a simple generator, no real media). */
static void fake_hash(unsigned seed, uint8_t out[32])
{
    uint32_t x = seed * 2654435761u + 12345u;
    for (int i = 0; i < 32; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = (uint8_t)(x >> 11);
    }
}

/* Fake media bytes with a marker the test looks for in the database. */
static uint8_t *fake_bytes(size_t n, unsigned seed)
{
    uint8_t *b = malloc(n);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)((i * 31 + seed * 7) ^ (i >> 3));
    memcpy(b, "FAKE-MEDIA-MARKER", 17);
    return b;
}

typedef struct media_fx {
    uint8_t photo_hash[32];
    uint8_t video_hashes[4 * 32];
    int video_quality[4];
    double video_t[4];
    uint8_t *photo, *video;
    pvg_media_in_t m[2];
} media_fx_t;

static void media_make(media_fx_t *mf, unsigned seed)
{
    memset(mf, 0, sizeof *mf);
    fake_hash(seed, mf->photo_hash);
    for (int i = 0; i < 4; i++) {
        fake_hash(seed * 100 + (unsigned)i + 1, mf->video_hashes + 32 * i);
        mf->video_quality[i] = i == 2 ? 10 : 90; /* one flat frame: never banked */
        mf->video_t[i] = i;
    }
    mf->photo = fake_bytes(3000, seed);
    mf->video = fake_bytes(9000, seed + 1);
    static const int q100 = 100;
    mf->m[0] = (pvg_media_in_t){.kind = "image", .content_type = "image/jpeg", .data = mf->photo,
                                .len = 3000, .pdq = mf->photo_hash, .quality = &q100, .n_pdq = 1};
    mf->m[1] = (pvg_media_in_t){.kind = "video", .content_type = "video/mp4", .data = mf->video,
                                .len = 9000, .pdq = mf->video_hashes,
                                .quality = mf->video_quality, .t = mf->video_t, .n_pdq = 4};
}

static void media_free(media_fx_t *mf)
{
    free(mf->photo);
    free(mf->video);
}

static int64_t report_with_media(pvg_enforce_t *e, const char *reporter, const char *account,
                                 const pvg_media_in_t *m, size_t n)
{
    static const char text[] = "이 사진 누구인지 다들 봐";
    pvg_evidence_in_t ev = {.text = text, .len = sizeof text - 1, .sender = account,
                            .room = "oc:1", .surface = "open_chat", .message_id = "m-media"};
    char subject[300];
    snprintf(subject, sizeof subject, "msg-of-%s", account);
    pvg_report_in_t in = {.reporter = reporter, .account = account, .subject_type = "message",
                          .subject_id = subject, .reason = "pii_exposure", .channel = "in_app",
                          .evidence = &ev, .n_evidence = 1, .media = m, .n_media = n};
    pvg_report_out_t out;
    assert_int_equal(pvg_report_submit(e, &APP, &in, &out), 0);
    assert_true(out.case_id > 0);
    return out.case_id;
}

typedef struct walk {
    int n, enabled;
    int64_t last_rev, last_id;
    int64_t case_of_last, notice_of_last;
    char banks[8][64];
    int ordered;
} walk_t;

static int walk_cb(const pvg_media_row_t *row, void *ctx)
{
    walk_t *w = ctx;
    if (row->rev < w->last_rev || (row->rev == w->last_rev && row->id <= w->last_id))
        w->ordered = 0;
    w->last_rev = row->rev;
    w->last_id = row->id;
    w->n++;
    w->enabled += row->enabled;
    w->case_of_last = row->source_case_id;
    w->notice_of_last = row->source_notice_id;
    return 0;
}

/* Walks every change after (rev, id) in pages of 2. */
static walk_t walk_all(pvg_enforce_t *e, int64_t rev, int64_t id)
{
    walk_t w = {.last_rev = rev, .last_id = id, .ordered = 1};
    for (;;) {
        int n = 0;
        assert_int_equal(pvg_media_bank_changes(e, w.last_rev, w.last_id, 2, walk_cb, &w, &n), 0);
        if (n < 2)
            break;
    }
    return w;
}

static int64_t count_sql(fx_t *f, const char *sql)
{
    pvg_store_t *s;
    assert_int_equal(pvg_store_open(f->spec, &s), 0);
    int64_t n = -1;
    assert_int_equal(pvg_store_x_int(s, &n, sql, ""), PVG_STORE_ROW);
    pvg_store_close(s);
    return n;
}

static int file_contains(const char *path, const void *needle, size_t n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    size_t got = buf ? fread(buf, 1, (size_t)len, fp) : 0;
    fclose(fp);
    int found = buf && memmem(buf, got, needle, n) != NULL;
    free(buf);
    return found;
}

static void test_report_media_encrypted_and_revealed(void **state)
{
    FX();
    media_fx_t mf;
    media_make(&mf, 1);
    int64_t case_id = report_with_media(e, "user:r1", "user:poster1", mf.m, 2);
    /* never plain in the store */
    pvg_store_t *s;
    assert_int_equal(pvg_store_open(f->spec, &s), 0);
    pvg_stmt_t *st;
    assert_int_equal(pvg_store_q(s, &st, "SELECT ciphertext, kid, size FROM evidence_media"
                                         " ORDER BY id", ""), 0);
    int rows = 0;
    while (pvg_store_step(st) == PVG_STORE_ROW) {
        const void *p;
        size_t n = pvg_store_col_blob(st, 0, &p);
        assert_true(n > 0);
        assert_null(memmem(p, n, "FAKE-MEDIA-MARKER", 17));
        assert_non_null(pvg_store_col_text(st, 1));
        rows++;
    }
    pvg_store_finalize(st);
    pvg_store_close(s);
    assert_int_equal(rows, 2);
    if (g_backend == BACKEND_SQLITE) {
        char path[900];
        snprintf(path, sizeof path, "%s", f->spec);
        assert_false(file_contains(path, "FAKE-MEDIA-MARKER", 17));
        snprintf(path, sizeof path, "%s-wal", f->spec);
        assert_false(file_contains(path, "FAKE-MEDIA-MARKER", 17));
    }
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM evidence_media_hashes"), 5);
    /* the case view lists the media without bytes */
    char *json = NULL;
    assert_int_equal(pvg_case_show(e, &TRIAGE, case_id, 0, NULL, &json), 0);
    json_t *c = json_loads(json, 0, NULL);
    pvg_enforce_free(json);
    json_t *media = json_object_get(json_array_get(json_object_get(c, "reports"), 0), "media");
    assert_int_equal(json_array_size(media), 2);
    json_t *m0 = json_array_get(media, 0), *m1 = json_array_get(media, 1);
    assert_string_equal(json_string_value(json_object_get(m0, "kind")), "image");
    assert_int_equal(json_integer_value(json_object_get(m0, "size")), 3000);
    assert_int_equal(json_integer_value(json_object_get(m1, "hashes")), 4);
    int64_t mid = json_integer_value(json_object_get(m0, "media_id"));
    json_decref(c);
    /* reveal: moderator with a reason, audited; triage may not */
    void *data = NULL;
    size_t len = 0;
    char *ct = NULL;
    assert_int_equal(pvg_media_evidence_reveal(e, &TRIAGE, mid, "check", &data, &len, &ct),
                     PVG_ENF_EFORBIDDEN);
    assert_int_equal(pvg_media_evidence_reveal(e, &MOD, mid, "", &data, &len, &ct),
                     PVG_ENF_EINVAL);
    assert_int_equal(pvg_media_evidence_reveal(e, &MOD, 9999, "check", &data, &len, &ct),
                     PVG_ENF_ENOTFOUND);
    int64_t audits = count_sql(f, "SELECT COUNT(*) FROM audit WHERE action ="
                                  " 'media_evidence.revealed'");
    assert_int_equal(audits, 0);
    assert_int_equal(pvg_media_evidence_reveal(e, &MOD, mid, "reviewing the report", &data, &len,
                                               &ct),
                     0);
    assert_int_equal(len, 3000);
    assert_memory_equal(data, mf.photo, 3000);
    assert_string_equal(ct, "image/jpeg");
    pvg_enforce_free(data);
    free(ct);
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM audit WHERE action ="
                                  " 'media_evidence.revealed'"),
                     1);
    int64_t n = 0, bad = 0;
    assert_int_equal(pvg_audit_verify(e, &n, &bad), 0);
    media_free(&mf);
}

static void test_bad_media_input(void **state)
{
    FX();
    uint8_t h[32];
    fake_hash(5, h);
    uint8_t b[4] = {1, 2, 3, 4};
    int q = 101;
    const pvg_media_in_t bad[] = {
        {.kind = "audio", .data = b, .len = 4, .pdq = h, .n_pdq = 1},  /* unknown kind */
        {.kind = "image", .data = b, .len = 4, .pdq = h, .n_pdq = 0},  /* no hash */
        {.kind = "image", .data = NULL, .len = 0, .pdq = h, .n_pdq = 1}, /* no bytes */
        {.kind = "hash", .data = b, .len = 4, .pdq = h, .n_pdq = 1},   /* bytes with hash */
        {.kind = "image", .data = b, .len = 4, .pdq = h, .n_pdq = 2},  /* two hashes */
        {.kind = "image", .data = b, .len = 4, .pdq = h, .quality = &q, .n_pdq = 1},
        {.kind = "video", .data = b, .len = 4, .pdq = h, .n_pdq = PVG_MAX_MEDIA_HASHES + 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pvg_report_in_t in = {.reporter = "user:r1", .account = "user:x",
                              .subject_type = "message", .subject_id = "m1",
                              .reason = "pii_exposure", .channel = "in_app", .media = &bad[i],
                              .n_media = 1};
        pvg_report_out_t out;
        if (pvg_report_submit(e, &APP, &in, &out) != PVG_ENF_EINVAL)
            fail_msg("bad media input %zu was accepted", i);
    }
    pvg_media_in_t five[5];
    for (int i = 0; i < 5; i++)
        five[i] = (pvg_media_in_t){.kind = "hash", .pdq = h, .n_pdq = 1};
    pvg_report_in_t in = {.reporter = "user:r1", .account = "user:x", .subject_type = "message",
                          .subject_id = "m1", .reason = "pii_exposure", .channel = "in_app",
                          .media = five, .n_media = 5};
    pvg_report_out_t out;
    assert_int_equal(pvg_report_submit(e, &APP, &in, &out), PVG_ENF_EINVAL);
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM reports"), 0);
}

static int decide(pvg_enforce_t *e, int64_t case_id, const char *outcome, const char *cat,
                  int private_media, pvg_decision_out_t *out)
{
    const char *cats[] = {cat};
    pvg_sanction_in_t sn = {.scope = PVG_SCOPE_OPENCHAT_ACCESS, .duration_ms = 7 * DAY};
    int v = !strcmp(outcome, "violation");
    pvg_decision_in_t d = {.outcome = outcome, .categories = cats, .n_categories = v ? 1 : 0,
                           .strikes = -1, .sanctions = v ? &sn : NULL, .n_sanctions = v ? 1 : 0,
                           .private_media = private_media};
    return pvg_case_decide(e, &MOD, case_id, &d, out);
}

static void test_decision_fills_bank(void **state)
{
    FX();
    media_fx_t mf;
    media_make(&mf, 2);
    int64_t case_id = report_with_media(e, "user:r1", "user:poster2", mf.m, 2);
    pvg_decision_out_t out;
    /* private_media needs a violation with pii_exposure */
    assert_int_equal(decide(e, case_id, "no_violation", "pii_exposure", 1, &out), PVG_ENF_EINVAL);
    assert_int_equal(decide(e, case_id, "violation", "pii_trade", 1, &out), PVG_ENF_EINVAL);
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM decisions"), 0);
    walk_t w0 = walk_all(e, -1, 0);
    assert_int_equal(w0.n, 0);

    assert_int_equal(decide(e, case_id, "violation", "pii_exposure", 1, &out), 0);
    /* the photo and three video frames of quality 90; the flat frame stays out */
    assert_int_equal(out.bank_entries, 4);
    walk_t w = walk_all(e, -1, 0);
    assert_true(w.ordered);
    assert_int_equal(w.n, 4);
    assert_int_equal(w.enabled, 4);
    assert_int_equal(w.case_of_last, case_id);
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM media_bank_entries WHERE bank ="
                                  " 'confirmed_private_media' AND origin = 'decision'"),
                     4);
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM outbox WHERE topic ="
                                  " 'media_bank.changed'"),
                     1);

    /* the same photo reported on another account and confirmed: not twice */
    media_fx_t again;
    media_make(&again, 2);
    int64_t case2 = report_with_media(e, "user:r2", "user:poster3", again.m, 1);
    assert_int_equal(decide(e, case2, "violation", "pii_exposure", 1, &out), 0);
    assert_int_equal(out.bank_entries, 0);
    /* a decision without private_media adds nothing */
    media_fx_t other;
    media_make(&other, 3);
    int64_t case3 = report_with_media(e, "user:r3", "user:poster4", other.m, 1);
    assert_int_equal(decide(e, case3, "violation", "pii_exposure", 0, &out), 0);
    assert_int_equal(out.bank_entries, 0);
    walk_t w2 = walk_all(e, w.last_rev, w.last_id);
    assert_int_equal(w2.n, 0);

    /* a later report on the closed case reopens it; its own media only */
    int64_t again_case = report_with_media(e, "user:r9", "user:poster2", other.m, 1);
    assert_int_equal(again_case, case_id);
    assert_int_equal(decide(e, case_id, "violation", "pii_exposure", 1, &out), 0);
    assert_int_equal(out.bank_entries, 1);

    /* listing: triage may read, the app may not */
    char *json = NULL;
    assert_int_equal(pvg_media_bank_list(e, &APP, NULL, 0, 0, 100, &json), PVG_ENF_EFORBIDDEN);
    assert_int_equal(pvg_media_bank_list(e, &TRIAGE, PVG_BANK_CONFIRMED, 0, 0, 100, &json), 0);
    json_t *arr = json_loads(json, 0, NULL);
    pvg_enforce_free(json);
    assert_int_equal(json_array_size(arr), 5);
    json_t *first = json_array_get(arr, 0);
    assert_int_equal(json_integer_value(json_object_get(first, "case_id")), case_id);
    assert_string_equal(json_string_value(json_object_get(first, "origin")), "decision");
    assert_int_equal(strlen(json_string_value(json_object_get(first, "pdq"))), 64);
    json_decref(arr);
    int64_t n = 0, bad = 0;
    assert_int_equal(pvg_audit_verify(e, &n, &bad), 0);
    media_free(&mf);
    media_free(&again);
    media_free(&other);
}

static void test_operator_add_disable(void **state)
{
    FX();
    uint8_t h[32];
    fake_hash(77, h);
    pvg_bank_entry_in_t in = {.bank = NULL, .pdq = h, .quality = -1, .note = "from a court order"};
    int64_t id = 0, id2 = 0;
    assert_int_equal(pvg_media_bank_add(e, &TRIAGE, &in, &id), PVG_ENF_EFORBIDDEN);
    assert_int_equal(pvg_media_bank_add(e, &SVC, &in, &id), PVG_ENF_EFORBIDDEN);
    pvg_bank_entry_in_t badbank = in;
    badbank.bank = "Bad Bank";
    assert_int_equal(pvg_media_bank_add(e, &MOD, &badbank, &id), PVG_ENF_EINVAL);
    pvg_bank_entry_in_t nocase = in;
    nocase.case_id = 4242;
    assert_int_equal(pvg_media_bank_add(e, &MOD, &nocase, &id), PVG_ENF_ENOTFOUND);
    assert_int_equal(pvg_media_bank_add(e, &MOD, &in, &id), 0);
    assert_true(id > 0);
    assert_int_equal(pvg_media_bank_add(e, &ADMIN, &in, &id2), PVG_ENF_EALREADY);
    assert_int_equal(id2, id);
    /* the same hash in another bank is another entry */
    pvg_bank_entry_in_t other = in;
    other.bank = "partner_hashes";
    assert_int_equal(pvg_media_bank_add(e, &MOD, &other, &id2), 0);
    assert_true(id2 != id);
    walk_t w = walk_all(e, -1, 0);
    assert_int_equal(w.n, 2);
    assert_int_equal(pvg_media_bank_disable(e, &TRIAGE, id, "mistake"), PVG_ENF_EFORBIDDEN);
    assert_int_equal(pvg_media_bank_disable(e, &MOD, 99999, "mistake"), PVG_ENF_ENOTFOUND);
    assert_int_equal(pvg_media_bank_disable(e, &MOD, id, "mistake"), 0);
    assert_int_equal(pvg_media_bank_disable(e, &MOD, id, "mistake"), PVG_ENF_EALREADY);
    walk_t w2 = walk_all(e, w.last_rev, w.last_id);
    assert_int_equal(w2.n, 1);
    assert_int_equal(w2.enabled, 0);
    /* disabled: the hash may be added again as a new entry */
    assert_int_equal(pvg_media_bank_add(e, &MOD, &in, &id2), 0);
    assert_true(id2 > id);
    char *json = NULL;
    assert_int_equal(pvg_media_bank_list(e, &MOD, NULL, 1, 0, 100, &json), 0);
    json_t *arr = json_loads(json, 0, NULL);
    pvg_enforce_free(json);
    assert_int_equal(json_array_size(arr), 3);
    json_t *d = json_array_get(arr, 0);
    assert_false(json_is_true(json_object_get(d, "enabled")));
    assert_string_equal(json_string_value(json_object_get(d, "disabled_by")), "mod:kim");
    json_decref(arr);
    /* the store-level calls still work and take revisions too */
    pvg_store_t *s;
    assert_int_equal(pvg_store_open(f->spec, &s), 0);
    int64_t sid;
    assert_int_equal(pvg_store_media_add(s, "csam-ref", h, 0, T0, &sid), 0);
    pvg_store_close(s);
    walk_t w3 = walk_all(e, w2.last_rev, w2.last_id);
    assert_int_equal(w3.n, 2);
}

static void test_notice_pending_bank(void **state)
{
    FX();
    media_fx_t mf;
    media_make(&mf, 9);
    pvg_notice_in_t in = {.requester = "rights:owner", .object = "post:9", .poster = "user:x",
                          .claim = "this is my photo", .days = 30, .media = mf.m, .n_media = 1};
    int64_t nid = 0;
    assert_int_equal(pvg_notice_submit(e, &APP, &in, &nid), 0);
    char *json = NULL;
    assert_int_equal(pvg_notice_show(e, &TRIAGE, nid, &json), 0);
    json_t *n = json_loads(json, 0, NULL);
    pvg_enforce_free(json);
    assert_int_equal(json_array_size(json_object_get(n, "media")), 1);
    assert_int_equal(json_integer_value(json_object_get(n, "bank_entries")), 0);
    json_decref(n);
    assert_int_equal(pvg_notice_blind(e, &MOD, nid), 0);
    walk_t w = walk_all(e, -1, 0);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.notice_of_last, nid);
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM media_bank_entries WHERE bank ="
                                  " 'reported_pending' AND enabled = 1"),
                     1);
    assert_int_equal(pvg_notice_resolve(e, &MOD, nid, "restored", "fair use"), 0);
    walk_t w2 = walk_all(e, w.last_rev, w.last_id);
    assert_int_equal(w2.n, 1);
    assert_int_equal(w2.enabled, 0);
    /* a deleted post keeps its entries */
    int64_t nid2 = 0;
    in.object = "post:10";
    assert_int_equal(pvg_notice_submit(e, &APP, &in, &nid2), 0);
    assert_int_equal(pvg_notice_blind(e, &MOD, nid2), 0);
    assert_int_equal(pvg_notice_resolve(e, &MOD, nid2, "deleted", NULL), 0);
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM media_bank_entries WHERE bank ="
                                  " 'reported_pending' AND enabled = 1"),
                     1);
    /* the old call still files notices without media */
    int64_t nid3 = 0;
    assert_int_equal(pvg_notice_file(e, &APP, "rights:o", "post:11", "user:y", NULL, 7, &nid3),
                     0);
    media_free(&mf);
}

static void test_purge_media(void **state)
{
    FX();
    media_fx_t mf;
    media_make(&mf, 4);
    int64_t case_id = report_with_media(e, "user:r1", "user:poster5", mf.m, 2);
    pvg_decision_out_t out;
    assert_int_equal(decide(e, case_id, "violation", "pii_exposure", 1, &out), 0);
    media_fx_t held;
    media_make(&held, 5);
    int64_t held_case = report_with_media(e, "user:r2", "user:poster6", held.m, 1);
    assert_int_equal(pvg_legal_hold(e, &ADMIN, held_case, 1), 0);
    g_now += 181 * DAY;
    int64_t purged = 0;
    assert_int_equal(pvg_enforce_purge(e, &ADMIN, &purged), 0);
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM evidence_media WHERE ciphertext IS NULL"
                                  " AND purged_at IS NOT NULL"),
                     2);
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM evidence_media WHERE ciphertext IS NOT"
                                  " NULL"),
                     1);
    /* hashes of purged evidence are gone; the bank keeps its entries */
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM evidence_media_hashes"), 1);
    assert_int_equal(count_sql(f, "SELECT COUNT(*) FROM media_bank_entries WHERE enabled = 1"), 4);
    media_free(&mf);
    media_free(&held);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
static const struct CMUnitTest tests[] = {
    T(test_report_media_encrypted_and_revealed),
    T(test_bad_media_input),
    T(test_decision_fills_bank),
    T(test_operator_add_disable),
    T(test_notice_pending_bank),
    T(test_purge_media),
};

static int use_sqlite(void **state)
{
    (void)state;
    g_backend = BACKEND_SQLITE;
    return 0;
}

static int use_pg(void **state)
{
    (void)state;
    g_backend = BACKEND_PG;
    return 0;
}

int main(void)
{
    int fails = cmocka_run_group_tests_name("media_bank/sqlite", tests, use_sqlite, NULL);
    fails += cmocka_run_group_tests_name("media_bank/postgresql", tests, use_pg, NULL);
    return fails ? 1 : 0;
}
