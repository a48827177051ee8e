/* SPDX-License-Identifier: MIT */
/*
 * test_media.c -- the media endpoints over real HTTP on loopback.
 *
 * On SQLite and on PostgreSQL: the decision -> bank -> match flow with
 * Meta's PDQ test photos from the shared corpus (a report carries the
 * bridge photo as base64; a moderator's decision with private_media puts
 * its hash in confirmed_private_media; a blurred, a shrunk and a rotated
 * copy uploaded to an open chat then come back as a pii_exposure violation
 * naming the bank entry and the case, with action block; the same upload
 * in a direct chat matches without a violation, in a group chat it is
 * review; an unrelated photo does not match); the bank endpoints (list,
 * add, duplicate 409, disable, roles); the revealed evidence equals the
 * uploaded bytes; a change made by another process reaches the index on
 * the timer; a rights notice with media: blinded -> reported_pending
 * (review), restored -> gone.
 *
 * On SQLite only (they do not depend on the store): videos (hash, report,
 * decide, match the same video and one of its frames) and hostile uploads
 * -- empty, not media, cut at many lengths, randomly corrupted, patched
 * decompression bombs, oversized, wrong content types, bad base64 and bad
 * hashes, cut videos -- each a 4xx JSON error, never a 5xx, the server
 * still healthy afterwards, and no report stored for a report whose media
 * is broken. All data is generated or from the shared test corpus.
 */
#include "httputil.h"

#include <privguard/media.h>
#include <sodium.h>
#include <time.h>

#include "../media/media_test_util.h"

static test_env_t g_env[2];

static int setup_backend(void **state, int backend)
{
    test_env_t *t = &g_env[backend];
    memset(t, 0, sizeof *t);
    *state = t;
    if (env_store(t, backend))
        return 0;
    env_tokens(t);
    static const char *const extra[] = {"workers=2", NULL};
    env_start(t, extra);
    return 0;
}

static int setup_sqlite(void **state) { return setup_backend(state, BACKEND_SQLITE); }
static int setup_pg(void **state) { return setup_backend(state, BACKEND_PG); }

static uint8_t *corpus(const char *name, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "images/%s", name);
    uint8_t *b = mt_read_corpus(rel, len);
    if (!b)
        fail_msg("cannot read the PDQ corpus image %s (PVG_SHARED)", name);
    return b;
}

static char *b64(const uint8_t *p, size_t n)
{
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(cap);
    assert_non_null(s);
    sodium_bin2base64(s, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

static const char *jstr(const http_resp_t *r, const char *key)
{
    const char *v = json_string_value(json_object_get(r->json, key));
    if (!v)
        fail_msg("no string '%s' in %.300s", key, r->body ? r->body : "");
    return v;
}

/* POST raw bytes to /v1/media/match?surface=S and return the answer. */
static http_resp_t match_raw(test_env_t *t, const uint8_t *p, size_t n, const char *surface)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/media/match?surface=%s", surface);
    return http_raw(t, path, t->tok[T_SERVICE], p, n, "image/jpeg");
}

static int matched(const http_resp_t *r)
{
    return json_is_true(json_object_get(json_object_get(r->json, "match"), "matched"));
}

static const char *first_reason(const http_resp_t *r)
{
    json_t *v = json_array_get(json_object_get(r->json, "violations"), 0);
    return json_string_value(json_array_get(json_object_get(v, "reasons"), 0));
}

static json_int_t report_with(test_env_t *t, const char *account, const char *subject,
                              const char *media_json)
{
    size_t n = strlen(media_json) + 1024;
    char *body = malloc(n);
    assert_non_null(body);
    snprintf(body, n,
             "{\"reporter\":\"user:r-media\",\"account\":\"%s\",\"subject_type\":\"message\","
             "\"subject_id\":\"%s\",\"reason\":\"pii_exposure\","
             "\"evidence\":[{\"text\":\"look at this\",\"surface\":\"open_chat\"}],"
             "\"media\":%s}",
             account, subject, media_json);
    http_resp_t r = http(t, "POST", "/v1/reports", t->tok[T_APP], body, NULL);
    free(body);
    expect(&r, 201, "report with media");
    json_int_t case_id = jint(&r, "case_id");
    resp_free(&r);
    return case_id;
}

static json_int_t decide_private(test_env_t *t, json_int_t case_id, json_int_t *entries)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/cases/%lld/events", (long long)case_id);
    http_resp_t r = http(t, "POST", path, t->tok[T_MOD],
                         "{\"type\":\"decide\",\"outcome\":\"violation\","
                         "\"categories\":[\"pii_exposure\"],\"private_media\":true,"
                         "\"sanctions\":[{\"scope\":\"openchat_access\",\"duration\":\"7d\"}]}",
                         NULL);
    expect(&r, 201, "decide with private_media");
    *entries = jint(&r, "bank_entries");
    json_int_t did = jint(&r, "decision_id");
    resp_free(&r);
    return did;
}

/* ------------------------------------------------------------ the flow */

static void test_flow(void **state)
{
    test_env_t *t = *state;
    SKIP_IF_NEEDED(t);
    size_t n_orig, n_blur, n_shrink, n_rot, n_other;
    uint8_t *orig = corpus("bridge-mods__aaa-orig.jpg", &n_orig);
    uint8_t *blur = corpus("bridge-mods__blur-a-lot.jpg", &n_blur);
    uint8_t *shrink = corpus("bridge-mods__shrink-a-lot.jpg", &n_shrink);
    uint8_t *rot = corpus("reg-test-input__dih__bridge-2-rotate-90.jpg", &n_rot);
    uint8_t *other = corpus("reg-test-input__labelme-subset__q0291.jpg", &n_other);

    /* hash */
    http_resp_t r = http_raw(t, "/v1/media/hash", t->tok[T_SERVICE], orig, n_orig, "image/jpeg");
    expect(&r, 200, "hash");
    assert_string_equal(jstr(&r, "kind"), "image");
    char pdq[65];
    snprintf(pdq, sizeof pdq, "%s", jstr(&r, "pdq"));
    assert_int_equal(strlen(pdq), 64);
    assert_true(jint(&r, "quality") >= 50);
    resp_free(&r);
    /* roles: the app may not hash or match; triage may not either */
    r = http_raw(t, "/v1/media/match", t->tok[T_APP], orig, n_orig, "image/jpeg");
    expect(&r, 403, "app may not match");
    resp_free(&r);
    r = http_raw(t, "/v1/media/hash", t->tok[T_TRIAGE], orig, n_orig, "image/jpeg");
    expect(&r, 403, "triage may not hash");
    resp_free(&r);

    /* before any decision: no match */
    r = match_raw(t, blur, n_blur, "open_chat");
    expect(&r, 200, "match before");
    assert_false(matched(&r));
    assert_string_equal(jstr(&r, "action"), "allow");
    assert_int_equal(json_array_size(json_object_get(r.json, "violations")), 0);
    resp_free(&r);

    /* a report carrying the photo; the decision confirms private media */
    char *enc = b64(orig, n_orig);
    size_t mj_len = strlen(enc) + 128;
    char *mj = malloc(mj_len);
    snprintf(mj, mj_len, "[{\"data\":\"%s\",\"content_type\":\"image/jpeg\"}]", enc);
    json_int_t case_id = report_with(t, "user:media-poster", "m-photo-1", mj);
    free(mj);
    free(enc);
    char path[160];
    snprintf(path, sizeof path, "/v1/cases/%lld", (long long)case_id);
    r = http(t, "GET", path, t->tok[T_TRIAGE], NULL, NULL);
    expect(&r, 200, "case with media");
    json_t *m0 = json_array_get(
        json_object_get(json_array_get(json_object_get(r.json, "reports"), 0), "media"), 0);
    assert_string_equal(json_string_value(json_object_get(m0, "kind")), "image");
    assert_string_equal(json_string_value(json_object_get(m0, "pdq")), pdq);
    assert_int_equal(json_integer_value(json_object_get(m0, "size")), (json_int_t)n_orig);
    json_int_t media_id = json_integer_value(json_object_get(m0, "media_id"));
    /* the view never holds the bytes (a JPEG starts with FF D8 FF; base64 /9j/) */
    assert_null(strstr(r.body, "/9j/"));
    resp_free(&r);
    json_int_t entries = 0;
    decide_private(t, case_id, &entries);
    assert_int_equal(entries, 1);

    /* near-duplicates now match in an open chat: pii_exposure, block */
    char want[200];
    r = http(t, "GET", "/v1/media/bank/entries", t->tok[T_TRIAGE], NULL, NULL);
    expect(&r, 200, "bank list");
    assert_int_equal(json_array_size(r.json), 1);
    json_int_t entry = json_integer_value(json_object_get(json_array_get(r.json, 0), "id"));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(r.json, 0), "case_id")),
                     case_id);
    resp_free(&r);
    snprintf(want, sizeof want, "media matches bank confirmed_private_media entry %lld (case %lld)",
             (long long)entry, (long long)case_id);
    const uint8_t *dups[] = {blur, shrink, rot};
    size_t dup_len[] = {n_blur, n_shrink, n_rot};
    for (int i = 0; i < 3; i++) {
        r = match_raw(t, dups[i], dup_len[i], "open_chat");
        expect(&r, 200, "match a near-duplicate");
        if (!matched(&r))
            fail_msg("near-duplicate %d did not match: %.400s", i, r.body);
        assert_string_equal(jstr(&r, "action"), "block");
        json_t *v = json_array_get(json_object_get(r.json, "violations"), 0);
        assert_string_equal(json_string_value(json_object_get(v, "category")), "pii_exposure");
        assert_string_equal(json_string_value(json_object_get(v, "action")), "block");
        assert_string_equal(first_reason(&r), want);
        json_t *e = json_array_get(json_object_get(json_object_get(r.json, "match"), "entries"), 0);
        assert_int_equal(json_integer_value(json_object_get(e, "entry_id")), entry);
        assert_int_equal(json_integer_value(json_object_get(e, "case_id")), case_id);
        if (i == 2)
            assert_string_not_equal(json_string_value(json_object_get(e, "variant")), "original");
        resp_free(&r);
    }
    /* the surface decides the action */
    r = match_raw(t, blur, n_blur, "direct");
    expect(&r, 200, "match direct");
    assert_true(matched(&r));
    assert_string_equal(jstr(&r, "action"), "allow");
    assert_int_equal(json_array_size(json_object_get(r.json, "violations")), 0);
    resp_free(&r);
    r = match_raw(t, blur, n_blur, "group");
    expect(&r, 200, "match group");
    assert_string_equal(jstr(&r, "action"), "review");
    resp_free(&r);
    /* the hash alone, as JSON */
    char body[512];
    snprintf(body, sizeof body, "{\"pdq\":\"%s\",\"surface\":\"board\"}", pdq);
    r = http(t, "POST", "/v1/media/match", t->tok[T_SERVICE], body,
             "Content-Type: application/json");
    expect(&r, 200, "match a hash");
    assert_true(matched(&r));
    /* one hash is an image: no frame counts in its entries */
    assert_null(json_object_get(
        json_array_get(json_object_get(json_object_get(r.json, "match"), "entries"), 0),
        "frames"));
    assert_string_equal(jstr(&r, "action"), "block");
    resp_free(&r);
    /* /v1/scan: an attachment carrying the hash adds to pii_exposure */
    snprintf(body, sizeof body,
             "{\"id\":\"m-att\",\"text\":\"see this\",\"surface\":\"open_chat\","
             "\"attachments\":[{\"name\":\"a.jpg\",\"mime\":\"image/jpeg\",\"pdq\":\"%s\"}]}",
             pdq);
    r = http(t, "POST", "/v1/scan", t->tok[T_SERVICE], body, NULL);
    expect(&r, 200, "scan with a matching attachment");
    assert_string_equal(jstr(&r, "action"), "block");
    assert_string_equal(first_reason(&r), want);
    resp_free(&r);
    snprintf(body, sizeof body,
             "{\"id\":\"m-att2\",\"text\":\"see this\",\"surface\":\"direct\","
             "\"attachments\":[{\"name\":\"a.jpg\",\"pdq\":\"%s\"}]}",
             pdq);
    r = http(t, "POST", "/v1/scan", t->tok[T_SERVICE], body, NULL);
    expect(&r, 200, "scan with a matching attachment in a direct chat");
    assert_string_equal(jstr(&r, "action"), "allow");
    assert_int_equal(json_array_size(json_object_get(r.json, "violations")), 0);
    resp_free(&r);
    /* an unrelated photo */
    r = match_raw(t, other, n_other, "open_chat");
    expect(&r, 200, "match unrelated");
    assert_false(matched(&r));
    resp_free(&r);

    /* the evidence bytes come back to a moderator with a reason */
    snprintf(path, sizeof path, "/v1/media/evidence/%lld/reveal", (long long)media_id);
    r = http(t, "POST", path, t->tok[T_TRIAGE], "{\"reason\":\"review\"}", NULL);
    expect(&r, 403, "triage may not reveal");
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD], "{}", NULL);
    expect(&r, 400, "reveal needs a reason");
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD], "{\"reason\":\"checking the report\"}", NULL);
    expect(&r, 200, "reveal");
    assert_int_equal(r.len, n_orig);
    assert_memory_equal(r.body, orig, n_orig);
    assert_string_equal(r.ctype, "image/jpeg");
    resp_free(&r);

    /* disable: no match any more */
    snprintf(path, sizeof path, "/v1/media/bank/entries/%lld/disable", (long long)entry);
    r = http(t, "POST", path, t->tok[T_TRIAGE], "{}", NULL);
    expect(&r, 403, "triage may not disable");
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD], "{\"reason\":\"appeal granted\"}", NULL);
    expect(&r, 200, "disable");
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD], "{}", NULL);
    expect(&r, 409, "disable again");
    resp_free(&r);
    r = http(t, "POST", "/v1/media/bank/entries/999999/disable", t->tok[T_MOD], "{}", NULL);
    expect(&r, 404, "disable unknown");
    resp_free(&r);
    r = match_raw(t, blur, n_blur, "open_chat");
    expect(&r, 200, "match after disable");
    assert_false(matched(&r));
    resp_free(&r);

    /* an operator adds the hash back by hand (no case) */
    snprintf(body, sizeof body, "{\"pdq\":\"%s\",\"note\":\"court order\"}", pdq);
    r = http(t, "POST", "/v1/media/bank/entries", t->tok[T_TRIAGE], body, NULL);
    expect(&r, 403, "triage may not add");
    resp_free(&r);
    r = http(t, "POST", "/v1/media/bank/entries", t->tok[T_MOD], body, NULL);
    expect(&r, 201, "bank add");
    json_int_t manual = jint(&r, "entry_id");
    resp_free(&r);
    r = http(t, "POST", "/v1/media/bank/entries", t->tok[T_ADMIN], body, NULL);
    expect(&r, 409, "bank add again");
    assert_int_equal(jint(&r, "entry_id"), manual);
    resp_free(&r);
    r = http(t, "POST", "/v1/media/bank/entries", t->tok[T_MOD], "{\"pdq\":\"abc\"}", NULL);
    expect(&r, 400, "bank add bad hash");
    resp_free(&r);
    r = match_raw(t, shrink, n_shrink, "profile");
    expect(&r, 200, "match manual entry");
    assert_true(matched(&r));
    snprintf(want, sizeof want, "media matches bank confirmed_private_media entry %lld",
             (long long)manual);
    assert_string_equal(first_reason(&r), want);
    resp_free(&r);

    /* another process disables it: the timer brings the index along */
    pvg_enforce_options_t o;
    pvg_enforce_options_init(&o);
    o.store = t->spec;
    o.key_dir = t->keys;
    o.pool_size = 1;
    pvg_enforce_t *e = NULL;
    assert_int_equal(pvg_enforce_open(&o, &e), 0);
    pvg_actor_t admin = {"test:other-process", PVG_ROLE_ADMIN, NULL};
    assert_int_equal(pvg_media_bank_disable(e, &admin, manual, "other process"), 0);
    pvg_enforce_close(e);
    int seen = 0;
    for (int i = 0; i < 100 && !seen; i++) {
        r = match_raw(t, shrink, n_shrink, "profile");
        expect(&r, 200, "match after another process disabled");
        seen = !matched(&r);
        resp_free(&r);
        if (!seen) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    assert_true(seen);

    /* a rights notice with the photo's hash: blinded -> pending (review) */
    snprintf(body, sizeof body,
             "{\"requester\":\"rights:owner\",\"object\":\"post:77\",\"poster\":\"user:x\","
             "\"claim\":\"my photo\",\"media\":[{\"pdq\":\"%s\",\"quality\":90}]}",
             pdq);
    r = http(t, "POST", "/v1/notices", t->tok[T_APP], body, NULL);
    expect(&r, 201, "notice with media");
    json_int_t notice = jint(&r, "notice_id");
    resp_free(&r);
    snprintf(path, sizeof path, "/v1/notices/%lld/events", (long long)notice);
    r = http(t, "POST", path, t->tok[T_MOD], "{\"type\":\"blind\"}", NULL);
    expect(&r, 200, "blind");
    assert_int_equal(jint(&r, "bank_entries"), 1);
    resp_free(&r);
    r = match_raw(t, blur, n_blur, "open_chat");
    expect(&r, 200, "match pending");
    assert_true(matched(&r));
    assert_string_equal(jstr(&r, "action"), "review");
    json_t *pe = json_array_get(json_object_get(json_object_get(r.json, "match"), "entries"), 0);
    assert_string_equal(json_string_value(json_object_get(pe, "bank")), "reported_pending");
    assert_int_equal(json_integer_value(json_object_get(pe, "notice_id")), notice);
    assert_non_null(strstr(first_reason(&r), "(notice "));
    resp_free(&r);
    r = http(t, "POST", path, t->tok[T_MOD], "{\"type\":\"resolve\",\"outcome\":\"restored\"}",
             NULL);
    expect(&r, 200, "restore");
    resp_free(&r);
    r = match_raw(t, blur, n_blur, "open_chat");
    expect(&r, 200, "match after restore");
    assert_false(matched(&r));
    resp_free(&r);

    /* metrics carry the media counters */
    r = http(t, "GET", "/metrics", NULL, NULL, NULL);
    expect(&r, 200, "metrics");
    assert_non_null(strstr(r.body, "privguard_media_matches_total"));
    resp_free(&r);
    free(orig);
    free(blur);
    free(shrink);
    free(rot);
    free(other);
}

/* --------------------------------------------------------------- video */

static void test_video(void **state)
{
    test_env_t *t = *state;
    SKIP_IF_NEEDED(t);
    static const char *const names[] = {"bridge-mods__aaa-orig.jpg",
                                        "reg-test-input__labelme-subset__q0746.jpg",
                                        "reg-test-input__labelme-subset__q0122.jpg"};
    uint8_t *rgb[3];
    const uint8_t *frames[3];
    int w[3], h[3];
    for (int i = 0; i < 3; i++) {
        size_t n;
        uint8_t *jpg = corpus(names[i], &n);
        frames[i] = rgb[i] = mt_decode_jpeg(jpg, n, &w[i], &h[i]);
        assert_non_null(rgb[i]);
        free(jpg);
    }
    size_t vlen;
    int missing;
    uint8_t *vid = mt_encode_video(frames, w, h, 3, 256, 256, 4, 4, "mpeg4", "matroska", &vlen,
                                   &missing);
    assert_non_null(vid);
    http_resp_t r = http_raw(t, "/v1/media/hash", t->tok[T_SERVICE], vid, vlen, "video/x-matroska");
    expect(&r, 200, "hash a video");
    assert_string_equal(jstr(&r, "kind"), "video");
    assert_int_equal(json_array_size(json_object_get(r.json, "frames")), 3);
    resp_free(&r);
    char *enc = b64(vid, vlen);
    size_t mj_len = strlen(enc) + 128;
    char *mj = malloc(mj_len);
    snprintf(mj, mj_len, "[{\"data\":\"%s\",\"content_type\":\"video/x-matroska\"}]", enc);
    json_int_t case_id = report_with(t, "user:video-poster", "m-video-1", mj);
    free(mj);
    free(enc);
    json_int_t entries = 0;
    decide_private(t, case_id, &entries);
    assert_true(entries >= 2);
    r = http_raw(t, "/v1/media/match?surface=open_chat", t->tok[T_SERVICE], vid, vlen,
                 "video/x-matroska");
    expect(&r, 200, "match the video");
    assert_true(matched(&r));
    assert_string_equal(jstr(&r, "action"), "block");
    assert_true(json_integer_value(json_object_get(json_object_get(r.json, "match"),
                                                   "frames_matched")) >= 2);
    resp_free(&r);
    /* one of its photos alone matches too */
    size_t n;
    uint8_t *photo = corpus(names[1], &n);
    r = match_raw(t, photo, n, "board");
    expect(&r, 200, "match a frame");
    assert_true(matched(&r));
    resp_free(&r);
    free(photo);
    free(vid);
    for (int i = 0; i < 3; i++)
        free(rgb[i]);
}

/* ------------------------------------------------------------- hostile */

static unsigned g_seed = 12345;
static unsigned rnd(void)
{
    g_seed = g_seed * 1103515245u + 12345u;
    return g_seed >> 8;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

/* Posts bytes; the answer must be 200 or a 4xx with the error shape. */
static long post_hostile(test_env_t *t, const char *route, const void *p, size_t n,
                         const char *ctype, const char *what)
{
    http_resp_t r = http_raw(t, route, t->tok[T_SERVICE], p, n, ctype);
    if (r.status >= 500 || r.status < 200 || (r.status >= 300 && r.status < 400))
        fail_msg("%s: status %ld: %.300s", what, r.status, r.body ? r.body : "");
    if (r.status >= 400)
        expect(&r, r.status, what);
    long st = r.status;
    resp_free(&r);
    return st;
}

static void expect_code(test_env_t *t, const char *route, const void *p, size_t n,
                        const char *ctype, long status, const char *code, const char *what)
{
    http_resp_t r = http_raw(t, route, t->tok[T_SERVICE], p, n, ctype);
    expect(&r, status, what);
    if (strcmp(json_string_value(json_object_get(r.json, "error")), code))
        fail_msg("%s: error %s, want %s", what, json_string_value(json_object_get(r.json, "error")),
                 code);
    resp_free(&r);
}

static void test_hostile(void **state)
{
    test_env_t *t = *state;
    SKIP_IF_NEEDED(t);
    uint8_t *rgb = mt_make_rgb(160, 120, 7);
    size_t jn, pn, wn;
    uint8_t *jpg = mt_encode_jpeg(rgb, 160, 120, 85, 1, &jn);
    uint8_t *png = mt_encode_png(rgb, 160, 120, 0, &pn);
    uint8_t *webp = mt_encode_webp(rgb, 160, 120, &wn);
    assert_non_null(jpg);
    assert_non_null(png);
    assert_non_null(webp);
    /* the intact files hash */
    assert_int_equal(post_hostile(t, "/v1/media/hash", jpg, jn, "image/jpeg", "jpeg"), 200);
    assert_int_equal(post_hostile(t, "/v1/media/hash", png, pn, "image/png", "png"), 200);
    assert_int_equal(post_hostile(t, "/v1/media/hash", webp, wn, "image/webp", "webp"), 200);
    /* fixed cases with their codes */
    expect_code(t, "/v1/media/hash", "", 0, "image/jpeg", 400, "invalid_input", "empty");
    expect_code(t, "/v1/media/hash", "hello, not media", 16, "image/jpeg", 415,
                "unsupported_media", "not media");
    expect_code(t, "/v1/media/hash", jpg, jn, "text/plain", 415, "unsupported_media_type",
                "text/plain");
    expect_code(t, "/v1/media/hash", jpg, jn / 2, "image/jpeg", 422, "invalid_media", "half");
    uint8_t *bomb = malloc(pn);
    memcpy(bomb, png, pn);
    put_be32(bomb + 16, 100000);
    put_be32(bomb + 20, 100000);
    put_be32(bomb + 29, crc32_of(bomb + 12, 17));
    expect_code(t, "/v1/media/hash", bomb, pn, "image/png", 413, "media_too_large", "png bomb");
    expect_code(t, "/v1/media/match", bomb, pn, "image/png", 413, "media_too_large",
                "png bomb match");
    free(bomb);
    /* over the 16 MiB limit: refused from Content-Length */
    size_t big = PVG_SRV_MAX_BODY_MEDIA + 1;
    uint8_t *huge = calloc(1, big);
    assert_non_null(huge);
    expect_code(t, "/v1/media/hash", huge, big, "image/jpeg", 413, "body_too_large", "huge");
    free(huge);
    /* bad JSON inputs */
    static const struct {
        const char *body;
        const char *what;
    } bad_json[] = {
        {"{\"pdq\":\"zz\"}", "bad hash"},
        {"{\"pdq\":[]}", "no hashes"},
        {"{\"data\":\"@@@\"}", "bad base64"},
        {"{\"data\":\"aGVsbG8=\",\"pdq\":\"00\"}", "both data and pdq"},
        {"{}", "neither"},
        {"{\"pdq\":\"" "0000000000000000000000000000000000000000000000000000000000000000"
         "\",\"surface\":\"moon\"}", "bad surface"},
        {"{\"pdq\":\"" "0000000000000000000000000000000000000000000000000000000000000000"
         "\",\"threshold\":99}", "bad threshold"},
        {"{\"pdq\":\"" "0000000000000000000000000000000000000000000000000000000000000000"
         "\",\"extra\":1}", "unknown field"},
        {"[1,2]", "not an object"},
        {"{\"pdq\":", "malformed"},
    };
    for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        http_resp_t r = http(t, "POST", "/v1/media/match", t->tok[T_SERVICE], bad_json[i].body,
                             "Content-Type: application/json");
        expect(&r, 400, bad_json[i].what);
        resp_free(&r);
    }
    /* cut at many lengths and randomly corrupted: never a 5xx */
    const uint8_t *files[] = {jpg, png, webp};
    size_t lens[] = {jn, pn, wn};
    const char *types[] = {"image/jpeg", "image/png", "image/webp"};
    int posted = 0;
    for (int f = 0; f < 3; f++) {
        for (size_t cut = 1; cut < lens[f]; cut += 1 + lens[f] / 40, posted++)
            post_hostile(t, "/v1/media/match?surface=open_chat", files[f], cut, types[f], "cut");
        uint8_t *copy = malloc(lens[f]);
        for (int k = 0; k < 40; k++, posted++) {
            memcpy(copy, files[f], lens[f]);
            int flips = 1 + (int)(rnd() % 16);
            for (int j = 0; j < flips; j++)
                copy[rnd() % lens[f]] = (uint8_t)rnd();
            post_hostile(t, "/v1/media/hash", copy, lens[f], types[f], "corrupt");
        }
        free(copy);
    }
    /* videos cut short and corrupted */
    const uint8_t *frames[2] = {rgb, rgb};
    int w[2] = {160, 160}, h[2] = {120, 120};
    size_t vn;
    int missing;
    uint8_t *vid = mt_encode_video(frames, w, h, 2, 160, 120, 4, 4, "mpeg4", "matroska", &vn,
                                   &missing);
    assert_non_null(vid);
    for (size_t cut = 4; cut < vn; cut += 1 + vn / 25, posted++)
        post_hostile(t, "/v1/media/hash", vid, cut, "video/x-matroska", "cut video");
    uint8_t *vcopy = malloc(vn);
    for (int k = 0; k < 20; k++, posted++) {
        memcpy(vcopy, vid, vn);
        for (int j = 0; j < 8; j++)
            vcopy[64 + rnd() % (vn - 64)] = (uint8_t)rnd();
        post_hostile(t, "/v1/media/match", vcopy, vn, "video/x-matroska", "corrupt video");
    }
    free(vcopy);
    assert_true(posted > 200);
    /* a report whose media is broken is refused and not stored */
    char *enc = b64(jpg, jn / 3);
    size_t bl = strlen(enc) + 512;
    char *body = malloc(bl);
    snprintf(body, bl,
             "{\"reporter\":\"user:r-hostile\",\"account\":\"user:h\",\"subject_type\":\"message\","
             "\"subject_id\":\"m-h\",\"reason\":\"pii_exposure\",\"external_id\":\"hx-1\","
             "\"media\":[{\"data\":\"%s\"}]}",
             enc);
    http_resp_t r = http(t, "POST", "/v1/reports", t->tok[T_APP], body, NULL);
    expect(&r, 422, "report with cut media");
    resp_free(&r);
    snprintf(body, bl,
             "{\"reporter\":\"user:r-hostile\",\"account\":\"user:h\",\"subject_type\":\"message\","
             "\"subject_id\":\"m-h\",\"reason\":\"pii_exposure\",\"external_id\":\"hx-1\","
             "\"media\":[{\"data\":\"%s\",\"pdq\":\"00\"}]}",
             enc);
    r = http(t, "POST", "/v1/reports", t->tok[T_APP], body, NULL);
    expect(&r, 400, "report media with data and pdq");
    resp_free(&r);
    free(body);
    free(enc);
    r = http(t, "GET", "/v1/cases", t->tok[T_TRIAGE], NULL, NULL);
    expect(&r, 200, "cases");
    assert_int_equal(json_array_size(r.json), 0);
    resp_free(&r);
    /* still healthy */
    r = http(t, "GET", "/healthz", NULL, NULL, NULL);
    expect(&r, 200, "healthz after hostile uploads");
    resp_free(&r);
    free(vid);
    free(jpg);
    free(png);
    free(webp);
    free(rgb);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest store_tests[] = {
        cmocka_unit_test(test_flow),
    };
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test(test_video),
        cmocka_unit_test(test_hostile),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int fails = cmocka_run_group_tests_name("media/sqlite", store_tests, setup_sqlite, env_teardown);
    fails += cmocka_run_group_tests_name("media/postgresql", store_tests, setup_pg, env_teardown);
    fails += cmocka_run_group_tests_name("media/sqlite-only", sqlite_only, setup_sqlite, env_teardown);
    curl_global_cleanup();
    return fails ? 1 : 0;
}
