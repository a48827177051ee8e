/* SPDX-License-Identifier: MIT */
/*
 * media.c -- photos and videos in the service: POST /v1/media/hash and
 * /v1/media/match (raw image or video bytes, or JSON with a hash or base64
 * bytes), the hash bank endpoints (add, list, disable), the reveal of media
 * evidence, the media of reports and notices, and the bank index.
 *
 * The index (libpvg_media's multi-index hashing) is loaded from the store
 * at start and follows it by revision (pvg_media_bank_changes): after every
 * bank change made through this service (decisions with private_media,
 * blinded or resolved notices, bank endpoints) and on the maintenance
 * timer, so changes by other processes arrive within cache_refresh_ms. The
 * store is the only writer's target: nothing adds to the index except
 * pvg__media_sync, which reads what the store committed.
 *
 * Decoding runs on the worker threads (the routes are worker routes), with
 * libpvg_media's limits: a hostile file (truncated, corrupt, a
 * decompression bomb, not media at all) is a 4xx JSON error, never a crash;
 * libav's own log is silenced for the process. Uploaded bytes are wiped
 * after use; answers hold hashes, never bytes (except a moderator's
 * audited reveal, wiped after sending).
 *
 * A match on a surface others can see becomes a pii_exposure violation
 * whose reasons name the bank entries; the action per surface comes from
 * media_actions (default: the default rules' pii_exposure table). Matches
 * only in reported_pending (a notice not yet confirmed) act at most as
 * review.
 */
#include <inttypes.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/internal.h"

/* --------------------------------------------------------------- actions */

int pvg__media_actions_parse(const char *spec, int acts[PVG_SURFACE_COUNT], char *err,
                             size_t errlen)
{
    /* the default rules' pii_exposure actions */
    acts[PVG_SURFACE_DIRECT] = PVG_ACTION_ALLOW;
    acts[PVG_SURFACE_GROUP] = PVG_ACTION_REVIEW;
    for (int i = PVG_SURFACE_OPEN_CHAT; i < PVG_SURFACE_COUNT; i++)
        acts[i] = PVG_ACTION_BLOCK;
    if (!spec)
        return 0;
    char buf[512];
    if (strlen(spec) >= sizeof buf) {
        snprintf(err, errlen, "'media_actions' is too long");
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        char *colon = strchr(t, ':');
        int surface = colon ? pvg_surface_from_name(t, (size_t)(colon - t)) : -1;
        int action = -1;
        for (int a = PVG_ACTION_ALLOW; colon && a <= PVG_ACTION_BLOCK; a++)
            if (!strcmp(colon + 1, pvg_action_name(a)))
                action = a;
        if (surface < 0 || surface >= PVG_SURFACE_COUNT || action < 0) {
            snprintf(err, errlen,
                     "'media_actions' wants surface:action pairs (surfaces direct, group, "
                     "open_chat, open_profile, board, profile; actions allow, mask, review, "
                     "block)");
            return -1;
        }
        acts[surface] = action;
    }
    return 0;
}

/* ------------------------------------------------------------ the index */

static void bytes_to_hash(const uint8_t *p, pvg_pdq_hash_t *h)
{
    char hex[PVG_PDQ_HEX_LEN + 1];
    static const char d[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = d[p[i] >> 4];
        hex[2 * i + 1] = d[p[i] & 15];
    }
    hex[64] = 0;
    if (pvg_pdq_from_hex(hex, 64, h) != PVG_OK)
        memset(h, 0, sizeof *h);
}

static void hash_to_bytes(const pvg_pdq_hash_t *h, uint8_t *p)
{
    char hex[PVG_PDQ_HEX_LEN + 1];
    pvg_pdq_to_hex(h, hex);
    for (int i = 0; i < 32; i++) {
        int hi = hex[2 * i], lo = hex[2 * i + 1];
        hi = hi <= '9' ? hi - '0' : hi - 'a' + 10;
        lo = lo <= '9' ? lo - '0' : lo - 'a' + 10;
        p[i] = (uint8_t)(hi << 4 | lo);
    }
}

static int sync_row(const pvg_media_row_t *row, void *ctx)
{
    srv_t *s = ctx;
    char id[24], src[32] = "";
    snprintf(id, sizeof id, "%" PRId64, row->id);
    if (row->source_case_id)
        snprintf(src, sizeof src, "c:%" PRId64, row->source_case_id);
    else if (row->source_notice_id)
        snprintf(src, sizeof src, "n:%" PRId64, row->source_notice_id);
    pvg_error_t rc;
    if (row->enabled) {
        pvg_pdq_hash_t h;
        bytes_to_hash(row->pdq, &h);
        rc = pvg_media_index_add(s->media_idx, &h, id, row->bank, src, 1);
        if (rc == PVG_EMEDIA_DUPLICATE)
            rc = pvg_media_index_set_enabled(s->media_idx, id, 1);
    } else {
        rc = pvg_media_index_set_enabled(s->media_idx, id, 0);
        if (rc == PVG_ENOTFOUND)
            rc = PVG_OK; /* disabled before this process saw it */
    }
    if (rc != PVG_OK)
        return rc == PVG_ENOMEM ? PVG_ENF_ENOMEM : PVG_ENF_ESTORE;
    s->media_rev = row->rev;
    s->media_last_id = row->id;
    return 0;
}

int pvg__media_sync(srv_t *s)
{
    if (!s->media_idx)
        return PVG_ENF_EINVAL;
    enum { PAGE = 5000 };
    pthread_mutex_lock(&s->media_mu);
    int rc, n = 0;
    do {
        rc = pvg_media_bank_changes(s->enf, s->media_rev, s->media_last_id, PAGE, sync_row, s, &n);
    } while (!rc && n == PAGE);
    atomic_store(&s->media_entries, (int64_t)pvg_media_index_enabled_count(s->media_idx));
    pthread_mutex_unlock(&s->media_mu);
    return rc;
}

int pvg__media_start(srv_t *s, char *err, size_t errlen)
{
    pvg_media_silence_libav();
    if (pvg__media_actions_parse(s->cfg.media_actions, s->media_actions, err, errlen))
        return -1;
    pthread_mutex_init(&s->media_mu, NULL);
    s->media_mu_ok = 1;
    s->media_rev = -1;
    s->media_last_id = 0;
    if (pvg_media_index_new(&s->media_idx) != PVG_OK) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = pvg__media_sync(s);
    if (rc) {
        snprintf(err, errlen, "cannot load the media hash bank: %s", pvg_enf_errname(rc));
        return -1;
    }
    return 0;
}

void pvg__media_stop(srv_t *s)
{
    pvg_media_index_free(s->media_idx);
    s->media_idx = NULL;
    if (s->media_mu_ok)
        pthread_mutex_destroy(&s->media_mu);
    s->media_mu_ok = 0;
}

/* ------------------------------------------------------------- decoding */

static void media_error(req_t *r, pvg_error_t e)
{
    atomic_fetch_add(&r->srv->media_rejected, 1);
    switch (e) {
    case PVG_EMEDIA_UNSUPPORTED:
        pvg__req_error(r, 415, "unsupported_media",
                       "the body is not a JPEG, PNG or WebP image or a video privguard reads");
        return;
    case PVG_EMEDIA_DIMENSIONS:
        pvg__req_error(r, 413, "media_too_large",
                       "the media's width, height or pixel count is beyond the limits");
        return;
    case PVG_ETOOBIG:
        pvg__req_error(r, 413, "body_too_large", "the media is larger than this endpoint's limit");
        return;
    case PVG_ENOMEM:
        r->retry_after = 1;
        pvg__req_error(r, 503, "out_of_memory", "the media could not be decoded now");
        return;
    default: pvg__req_error(r, 422, "invalid_media", pvg_media_strerror(e)); return;
    }
}

/* What an upload became: a decoded image, a decoded video, or hashes. */
typedef struct upload {
    int kind; /* 1 image, 2 video, 3 hashes */
    pvg_media_image_t img;
    pvg_media_video_t *video;
    pvg_pdq_hash_t *hashes;
    int *quality;
    size_t n_hashes;
} upload_t;

static void upload_free(upload_t *u)
{
    pvg_media_video_free(u->video);
    free(u->hashes);
    free(u->quality);
    memset(u, 0, sizeof *u);
}

/* Decodes and hashes buf[0..len). Returns 0, or -1 with the answer set. */
static int decode(req_t *r, const void *buf, size_t len, upload_t *u)
{
    pvg_media_limits_t lim;
    pvg_media_limits_default(&lim);
    lim.max_bytes = PVG_SRV_MAX_BODY_MEDIA;
    memset(u, 0, sizeof *u);
    if (!len) {
        pvg__req_error(r, 400, "invalid_input", "the body is empty: send image or video bytes");
        return -1;
    }
    pvg_error_t e;
    if (pvg_media_sniff(buf, len) == PVG_MEDIA_VIDEO) {
        u->kind = 2;
        e = pvg_media_hash_video(buf, len, &lim, &u->video);
    } else {
        u->kind = 1;
        e = pvg_media_hash_image(buf, len, &lim, &u->img);
    }
    if (e != PVG_OK) {
        upload_free(u);
        media_error(r, e);
        return -1;
    }
    atomic_fetch_add(&r->srv->media_hashed, 1);
    return 0;
}

/* Decodes base64 text (standard alphabet, whitespace ignored) into a
 * malloc'd buffer. Returns 0, or -1 with the answer set. */
static int unbase64(req_t *r, const char *text, size_t n, uint8_t **out, size_t *len)
{
    size_t cap = n / 4 * 3 + 3;
    if (cap > PVG_SRV_MAX_BODY_MEDIA + 3) {
        pvg__req_error(r, 413, "body_too_large", "the media is larger than 16 MiB");
        return -1;
    }
    uint8_t *b = malloc(cap ? cap : 1);
    if (!b) {
        r->retry_after = 1;
        pvg__req_error(r, 503, "out_of_memory", "the media could not be stored");
        return -1;
    }
    const char *end = NULL;
    if (sodium_base642bin(b, cap, text, n, " \r\n\t", len, &end, sodium_base64_VARIANT_ORIGINAL) ||
        end != text + n) {
        free(b);
        pvg__req_error(r, 400, "invalid_input", "field 'data' must be base64");
        return -1;
    }
    if (*len > PVG_SRV_MAX_BODY_MEDIA) {
        sodium_memzero(b, *len);
        free(b);
        pvg__req_error(r, 413, "body_too_large", "the media is larger than 16 MiB");
        return -1;
    }
    *out = b;
    return 0;
}

static int parse_hashes(json_t *v, json_t *q, pvg_pdq_hash_t **hs, int **qs, size_t *n,
                        char *msg, size_t mn)
{
    size_t count = json_is_string(v) ? 1 : json_array_size(v);
    if (!count || count > PVG_MAX_MEDIA_HASHES) {
        snprintf(msg, mn, "field 'pdq' must be a hash or a list of 1..1800 hashes");
        return -1;
    }
    if (q && !json_is_null(q) &&
        (json_is_array(q) ? json_array_size(q) != count : !json_is_integer(q))) {
        snprintf(msg, mn, "field 'quality' must be an integer, or a list as long as 'pdq'");
        return -1;
    }
    *hs = calloc(count, sizeof **hs);
    *qs = calloc(count, sizeof **qs);
    if (!*hs || !*qs) {
        snprintf(msg, mn, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *x = json_is_string(v) ? v : json_array_get(v, i);
        const char *hex = json_string_value(x);
        if (!hex || pvg_pdq_from_hex(hex, json_string_length(x), &(*hs)[i]) != PVG_OK) {
            snprintf(msg, mn, "field 'pdq' must hold hashes of 64 hexadecimal digits");
            return -1;
        }
        json_t *qx = json_is_array(q) ? json_array_get(q, i) : q;
        json_int_t qv = json_is_integer(qx) ? json_integer_value(qx) : -1;
        if (qx && !json_is_null(qx) && (!json_is_integer(qx) || qv < 0 || qv > 100)) {
            snprintf(msg, mn, "field 'quality' must be 0..100");
            return -1;
        }
        (*qs)[i] = (int)qv;
    }
    *n = count;
    return 0;
}

/* ---------------------------------------------------------- the answers */

static json_t *hex_json(const pvg_pdq_hash_t *h)
{
    char hex[PVG_PDQ_HEX_LEN + 1];
    pvg_pdq_to_hex(h, hex);
    return json_string(hex);
}

static json_t *upload_json(const upload_t *u)
{
    json_t *o = json_object();
    if (u->kind == 1) {
        json_object_set_new(o, "kind", json_string("image"));
        json_object_set_new(o, "format", json_string(pvg_media_format_name(u->img.format)));
        json_object_set_new(o, "width", json_integer(u->img.width));
        json_object_set_new(o, "height", json_integer(u->img.height));
        json_object_set_new(o, "orientation", json_integer(u->img.orientation));
        json_object_set_new(o, "pdq", hex_json(&u->img.pdq.hash));
        json_object_set_new(o, "quality", json_integer(u->img.pdq.quality));
        json_t *dih = json_object();
        for (int d = 1; d < PVG_DIH_COUNT; d++)
            json_object_set_new(dih, pvg_dihedral_name(d), hex_json(&u->img.pdq.dihedral[d]));
        json_object_set_new(o, "dihedral", dih);
    } else if (u->kind == 2) {
        const pvg_media_video_t *v = u->video;
        json_object_set_new(o, "kind", json_string("video"));
        json_object_set_new(o, "container", json_string(v->container ? v->container : ""));
        json_object_set_new(o, "codec", json_string(v->codec ? v->codec : ""));
        json_object_set_new(o, "width", json_integer(v->width));
        json_object_set_new(o, "height", json_integer(v->height));
        json_object_set_new(o, "duration", json_real(v->duration));
        json_object_set_new(o, "truncated", json_boolean(v->truncated));
        json_t *frames = json_array();
        for (size_t i = 0; i < v->n_frames; i++)
            json_array_append_new(frames,
                                  json_pack("{s:f, s:b, s:o, s:i}", "t", v->frames[i].t,
                                            "scene_change", v->frames[i].scene_change, "pdq",
                                            hex_json(&v->frames[i].pdq.hash), "quality",
                                            v->frames[i].pdq.quality));
        json_object_set_new(o, "frames", frames);
    } else {
        json_object_set_new(o, "kind", json_string("hash"));
        if (u->n_hashes == 1)
            json_object_set_new(o, "pdq", hex_json(&u->hashes[0]));
        json_object_set_new(o, "hashes", json_integer((json_int_t)u->n_hashes));
    }
    return o;
}

/* "c:42" -> case 42, "n:5" -> notice 5 (the index's source strings). */
static void source_of(const char *src, int64_t *case_id, int64_t *notice_id)
{
    *case_id = *notice_id = 0;
    if (!src || strlen(src) < 3 || src[1] != ':')
        return;
    int64_t v = strtoll(src + 2, NULL, 10);
    if (src[0] == 'c')
        *case_id = v;
    else if (src[0] == 'n')
        *notice_id = v;
}

typedef struct match_opts {
    pvg_media_match_opts_t o;
    int surface;
    char bank[72];
} match_opts_t;

static void answer_match(req_t *r, const upload_t *u, const match_opts_t *mo,
                         const pvg_media_matches_t *m)
{
    srv_t *s = r->srv;
    json_t *out = upload_json(u);
    json_t *entries = json_array(), *reasons = json_array();
    int confirmed = 0;
    for (size_t i = 0; i < m->n; i++) {
        const pvg_media_match_t *it = &m->items[i];
        int64_t case_id, notice_id;
        source_of(it->hit.case_id, &case_id, &notice_id);
        json_t *e = json_pack("{s:I, s:s, s:o, s:o, s:i, s:s}", "entry_id",
                              (json_int_t)strtoll(it->hit.entry_id, NULL, 10), "bank",
                              it->hit.bank, "case_id",
                              case_id ? json_integer(case_id) : json_null(), "notice_id",
                              notice_id ? json_integer(notice_id) : json_null(), "distance",
                              it->hit.distance, "variant", pvg_dihedral_name(it->variant));
        if (u->kind == 2 || (u->kind == 3 && u->n_hashes > 1)) {
            json_object_set_new(e, "frames", json_integer(it->frames));
            json_object_set_new(e, "first_t", json_real(it->first_t));
        }
        json_array_append_new(entries, e);
        if (!m->matched)
            continue;
        if (strcmp(it->hit.bank, PVG_BANK_PENDING))
            confirmed = 1;
        if (json_array_size(reasons) < 10) {
            char why[200];
            int k = snprintf(why, sizeof why, "media matches bank %s entry %s", it->hit.bank,
                             it->hit.entry_id);
            if (case_id)
                snprintf(why + k, sizeof why - (size_t)k, " (case %" PRId64 ")", case_id);
            else if (notice_id)
                snprintf(why + k, sizeof why - (size_t)k, " (notice %" PRId64 ")", notice_id);
            json_array_append_new(reasons, json_string(why));
        }
    }
    json_object_set_new(out, "match",
                        json_pack("{s:b, s:i, s:i, s:I, s:I, s:o}", "matched", m->matched,
                                  "threshold", mo->o.max_distance, "min_quality",
                                  mo->o.min_quality, "frames_considered",
                                  (json_int_t)m->frames_considered, "frames_matched",
                                  (json_int_t)m->frames_matched, "entries", entries));
    json_object_set_new(out, "surface", json_string(pvg_surface_name(mo->surface)));
    int action = PVG_ACTION_ALLOW;
    json_t *viol = json_array();
    if (m->matched) {
        atomic_fetch_add(&s->media_matched, 1);
        action = s->media_actions[mo->surface];
        if (!confirmed && action > PVG_ACTION_REVIEW)
            action = PVG_ACTION_REVIEW; /* a notice not yet confirmed */
        if (action != PVG_ACTION_ALLOW) {
            atomic_fetch_add(&s->media_violations, 1);
            json_array_append_new(viol, json_pack("{s:s, s:f, s:O, s:s}", "category",
                                                  "pii_exposure", "score", confirmed ? 1.0 : 0.5,
                                                  "reasons", reasons, "action",
                                                  pvg_action_name(action)));
        }
    }
    json_decref(reasons);
    json_object_set_new(out, "violations", viol);
    json_object_set_new(out, "action", json_string(pvg_action_name(action)));
    pvg__req_json(r, 200, out);
}

static void do_match(req_t *r, const upload_t *u, const match_opts_t *mo)
{
    pvg_media_matches_t *m = NULL;
    pvg_error_t e;
    pvg_media_match_opts_t o = mo->o;
    if (u->kind == 1) {
        e = pvg_media_match_image(r->srv->media_idx, &u->img.pdq, &o, &m);
    } else if (u->kind == 2) {
        e = pvg_media_match_video(r->srv->media_idx, u->video, &o, &m);
    } else if (u->n_hashes == 1) {
        /* a bare hash has no DCT to turn: its eight forms are unknown */
        pvg_pdq_result_t p;
        memset(&p, 0, sizeof p);
        p.hash = p.dihedral[0] = u->hashes[0];
        p.quality = u->quality[0] < 0 ? 100 : u->quality[0];
        o.dihedral = 0;
        e = pvg_media_match_image(r->srv->media_idx, &p, &o, &m);
    } else {
        pvg_media_video_t v;
        memset(&v, 0, sizeof v);
        v.frames = calloc(u->n_hashes, sizeof *v.frames);
        if (!v.frames) {
            media_error(r, PVG_ENOMEM);
            return;
        }
        v.n_frames = u->n_hashes;
        for (size_t i = 0; i < u->n_hashes; i++) {
            v.frames[i].t = (double)i;
            v.frames[i].pdq.hash = v.frames[i].pdq.dihedral[0] = u->hashes[i];
            v.frames[i].pdq.quality = u->quality[i] < 0 ? 100 : u->quality[i];
        }
        o.dihedral = 0;
        e = pvg_media_match_video(r->srv->media_idx, &v, &o, &m);
        free(v.frames);
    }
    if (e != PVG_OK) {
        pvg_media_matches_free(m);
        media_error(r, e);
        return;
    }
    answer_match(r, u, mo, m);
    pvg_media_matches_free(m);
}

/* ---------------------------------------------------- hash and match */

static int is_json_body(req_t *r, int *bad_type)
{
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);
    *bad_type = 0;
    if (!ct)
        return 0;
    if (!strncasecmp(ct, "application/json", 16))
        return 1;
    if (strncasecmp(ct, "image/", 6) && strncasecmp(ct, "video/", 6) &&
        strncasecmp(ct, "application/octet-stream", 24))
        *bad_type = 1;
    return 0;
}

static int parse_threshold(req_t *r, json_t *v, const char *q, match_opts_t *mo)
{
    long t = -1;
    if (v) {
        t = json_is_integer(v) ? (long)json_integer_value(v) : -2;
    } else if (q) {
        char *end;
        t = strtol(q, &end, 10);
        if (end == q || *end)
            t = -2;
    }
    if (t == -1)
        return 0;
    if (t < 0 || t > 63) {
        pvg__req_error(r, 400, "invalid_input", "threshold must be 0..63");
        return -1;
    }
    mo->o.max_distance = (int)t;
    return 0;
}

static int parse_opts(req_t *r, json_t *o, match_opts_t *mo)
{
    srv_t *s = r->srv;
    pvg_media_match_opts_default(&mo->o);
    mo->o.max_distance = s->cfg.media_threshold;
    mo->o.min_quality = s->cfg.media_min_quality;
    mo->o.video_min_frames = (uint32_t)s->cfg.media_min_frames;
    mo->surface = PVG_SURFACE_DIRECT;
    mo->bank[0] = 0;
    const char *surface = o ? json_string_value(json_object_get(o, "surface"))
                            : pvg__req_arg(r, "surface");
    if (surface) {
        int sf = pvg_surface_from_name(surface, strlen(surface));
        if (sf < 0 || sf >= PVG_SURFACE_COUNT) {
            pvg__req_error(r, 400, "invalid_input",
                           "surface must be direct, group, open_chat, open_profile, board or "
                           "profile");
            return -1;
        }
        mo->surface = sf;
    }
    const char *bank = o ? json_string_value(json_object_get(o, "bank")) : pvg__req_arg(r, "bank");
    if (bank && *bank) {
        if (strlen(bank) >= sizeof mo->bank) {
            pvg__req_error(r, 400, "invalid_input", "bank names are at most 64 characters");
            return -1;
        }
        snprintf(mo->bank, sizeof mo->bank, "%s", bank);
        mo->o.bank = mo->bank;
    }
    if (parse_threshold(r, o ? json_object_get(o, "threshold") : NULL,
                        o ? NULL : pvg__req_arg(r, "threshold"), mo))
        return -1;
    if (o && json_object_get(o, "dihedral"))
        mo->o.dihedral = json_is_true(json_object_get(o, "dihedral"));
    else if (!o && pvg__req_arg(r, "dihedral")) {
        const char *d = pvg__req_arg(r, "dihedral");
        if (strcmp(d, "0") && strcmp(d, "1") && strcmp(d, "true") && strcmp(d, "false")) {
            pvg__req_error(r, 400, "invalid_input", "dihedral must be 0 or 1");
            return -1;
        }
        mo->o.dihedral = !strcmp(d, "1") || !strcmp(d, "true");
    }
    return 0;
}

static const field_t f_media_body[] = {{"pdq", F_STR | F_ARR, 0},
                                       {"quality", F_INT | F_ARR | F_NULL, 0},
                                       {"data", F_STR, 0},
                                       {"content_type", F_STR | F_NULL, 0},
                                       {"surface", F_STR, 0},
                                       {"bank", F_STR | F_NULL, 0},
                                       {"threshold", F_INT, 0},
                                       {"dihedral", F_BOOL, 0},
                                       {NULL, 0, 0}};

static void h_hash_or_match(req_t *r, int match)
{
    int bad_type;
    int json = is_json_body(r, &bad_type);
    if (bad_type) {
        pvg__req_error(r, 415, "unsupported_media_type",
                       "send image/*, video/* or application/octet-stream bytes, or "
                       "application/json");
        return;
    }
    upload_t u;
    memset(&u, 0, sizeof u);
    match_opts_t mo;
    json_t *o = NULL;
    if (!json) {
        if (match && parse_opts(r, NULL, &mo))
            return;
        if (decode(r, r->body.data, r->body.len, &u))
            return;
    } else {
        if (!(o = pvg__req_body_object(r)))
            return;
        if (pvg__check_fields(r, o, f_media_body))
            goto out;
        json_t *pdq = json_object_get(o, "pdq"), *data = json_object_get(o, "data");
        if ((pdq != NULL) == (data != NULL)) {
            pvg__req_error(r, 400, "invalid_input", "give exactly one of 'pdq' and 'data'");
            goto out;
        }
        if (!match && pdq) {
            pvg__req_error(r, 400, "invalid_input", "a hash needs no hashing: send 'data'");
            goto out;
        }
        if (!match && (json_object_get(o, "surface") || json_object_get(o, "bank") ||
                       json_object_get(o, "threshold") || json_object_get(o, "dihedral"))) {
            pvg__req_error(r, 400, "invalid_input", "matching options belong to /v1/media/match");
            goto out;
        }
        if (match && parse_opts(r, o, &mo))
            goto out;
        if (pdq) {
            char msg[160];
            u.kind = 3;
            if (parse_hashes(pdq, json_object_get(o, "quality"), &u.hashes, &u.quality,
                             &u.n_hashes, msg, sizeof msg)) {
                upload_free(&u);
                pvg__req_error(r, 400, "invalid_input", msg);
                goto out;
            }
        } else {
            uint8_t *bytes = NULL;
            size_t n = 0;
            if (unbase64(r, json_string_value(data), json_string_length(data), &bytes, &n))
                goto out;
            int rc = decode(r, bytes, n, &u);
            sodium_memzero(bytes, n);
            free(bytes);
            if (rc)
                goto out;
        }
    }
    if (match)
        do_match(r, &u, &mo);
    else
        pvg__req_json(r, 200, upload_json(&u));
    upload_free(&u);
out:
    if (o) {
        pvg__json_wipe(o);
        json_decref(o);
    }
}

/* --------------------------------------------------------- bank routes */

static const field_t f_bank_add[] = {{"pdq", F_STR, 1},          {"bank", F_STR | F_NULL, 0},
                                     {"quality", F_INT | F_NULL, 0}, {"case_id", F_INT | F_NULL, 0},
                                     {"notice_id", F_INT | F_NULL, 0}, {"note", F_STR | F_NULL, 0},
                                     {NULL, 0, 0}};
static const field_t f_reason[] = {{"reason", F_STR | F_NULL, 0}, {NULL, 0, 0}};
static const field_t f_reveal[] = {{"reason", F_STR, 1}, {NULL, 0, 0}};

static void after_change(req_t *r)
{
    int rc = pvg__media_sync(r->srv);
    if (rc)
        pvg__log(r->srv, "cannot follow the media bank: %s", pvg_enf_errname(rc));
    srv_t *s = r->srv;
    pthread_mutex_lock(&s->bg_mu);
    pthread_cond_broadcast(&s->bg_cv); /* the outbox has a media_bank.changed event */
    pthread_mutex_unlock(&s->bg_mu);
}

static void h_bank_add(req_t *r)
{
    json_t *o = pvg__req_body_object(r);
    if (!o)
        return;
    if (pvg__check_fields(r, o, f_bank_add))
        goto out;
    pvg_pdq_hash_t h;
    json_t *jp = json_object_get(o, "pdq");
    if (pvg_pdq_from_hex(json_string_value(jp), json_string_length(jp), &h) != PVG_OK) {
        pvg__req_error(r, 400, "invalid_input", "field 'pdq' must be 64 hexadecimal digits");
        goto out;
    }
    uint8_t bytes[32];
    hash_to_bytes(&h, bytes);
    json_t *q = json_object_get(o, "quality");
    pvg_bank_entry_in_t in = {
        .bank = json_string_value(json_object_get(o, "bank")),
        .pdq = bytes,
        .quality = json_is_integer(q) ? (int)json_integer_value(q) : -1,
        .case_id = json_integer_value(json_object_get(o, "case_id")),
        .notice_id = json_integer_value(json_object_get(o, "notice_id")),
        .note = json_string_value(json_object_get(o, "note")),
    };
    if (json_is_integer(q) && (json_integer_value(q) < 0 || json_integer_value(q) > 100)) {
        pvg__req_error(r, 400, "invalid_input", "field 'quality' must be 0..100");
        goto out;
    }
    int64_t id = 0;
    int rc = pvg_media_bank_add(r->srv->enf, &r->actor, &in, &id);
    if (rc == PVG_ENF_EALREADY) {
        pvg__req_enf_error(r, rc);
        sb_reset(&r->out);
        sb_printf(&r->out,
                  "{\"error\":\"already_in_state\",\"message\":\"the bank holds this hash "
                  "already\",\"entry_id\":%" PRId64 "}",
                  id);
        goto out;
    }
    if (rc) {
        pvg__req_enf_error(r, rc);
        goto out;
    }
    after_change(r);
    char hex[PVG_PDQ_HEX_LEN + 1];
    pvg_pdq_to_hex(&h, hex);
    pvg__req_json(r, 201,
                  json_pack("{s:I, s:s, s:s, s:b}", "entry_id", (json_int_t)id, "bank",
                            in.bank ? in.bank : PVG_BANK_CONFIRMED, "pdq", hex, "enabled", 1));
out:
    json_decref(o);
}

static void h_bank_disable(req_t *r)
{
    json_t *o = r->body.len ? pvg__req_body_object(r) : json_object();
    if (!o)
        return;
    if (!pvg__check_fields(r, o, f_reason)) {
        int rc = pvg_media_bank_disable(r->srv->enf, &r->actor, r->id,
                                        json_string_value(json_object_get(o, "reason")));
        if (rc) {
            pvg__req_enf_error(r, rc);
        } else {
            after_change(r);
            sb_reset(&r->out);
            r->status = 200;
            sb_printf(&r->out, "{\"entry_id\":%" PRId64 ",\"enabled\":false}", r->id);
        }
    }
    json_decref(o);
}

static void h_bank_list(req_t *r)
{
    const char *v;
    int limit = 100, incl = 0;
    int64_t after = 0;
    if ((v = pvg__req_arg(r, "limit"))) {
        char *end;
        long x = strtol(v, &end, 10);
        if (end == v || *end || x < 1 || x > 10000) {
            pvg__req_error(r, 400, "invalid_input", "limit must be 1..10000");
            return;
        }
        limit = (int)x;
    }
    if ((v = pvg__req_arg(r, "after"))) {
        char *end;
        long long x = strtoll(v, &end, 10);
        if (end == v || *end || x < 0) {
            pvg__req_error(r, 400, "invalid_input", "after must be an entry id");
            return;
        }
        after = x;
    }
    if ((v = pvg__req_arg(r, "include_disabled")))
        incl = !strcmp(v, "1") || !strcmp(v, "true");
    const char *bank = pvg__req_arg(r, "bank");
    char *json = NULL;
    int rc = pvg_media_bank_list(r->srv->enf, &r->actor, bank && *bank ? bank : NULL, incl, after,
                                 limit, &json);
    if (rc) {
        pvg__req_enf_error(r, rc);
        return;
    }
    pvg__req_enf_json(r, 200, json);
}

/* The content type of revealed bytes: one of a fixed set, never the
 * stored text itself. */
static const char *safe_ctype(const char *ct)
{
    static const char *const known[] = {"image/jpeg", "image/png", "image/webp", "image/gif",
                                        "video/mp4",  "video/quicktime", "video/webm",
                                        "video/x-matroska", "video/x-msvideo", "video/mp2t"};
    for (size_t i = 0; ct && i < sizeof known / sizeof known[0]; i++)
        if (!strcasecmp(ct, known[i]))
            return known[i];
    return "application/octet-stream";
}

static void h_reveal(req_t *r)
{
    json_t *o = pvg__req_body_object(r);
    if (!o)
        return;
    if (!pvg__check_fields(r, o, f_reveal)) {
        void *data = NULL;
        size_t len = 0;
        char *ct = NULL;
        int rc = pvg_media_evidence_reveal(r->srv->enf, &r->actor, r->id,
                                           json_string_value(json_object_get(o, "reason")), &data,
                                           &len, &ct);
        if (rc) {
            pvg__req_enf_error(r, rc);
        } else {
            sb_reset(&r->out);
            r->status = 200;
            r->wipe_out = 1;
            r->ctype = safe_ctype(ct);
            if (sb_put(&r->out, data, len))
                pvg__req_error(r, 500, "out_of_memory", "the answer could not be built");
            sodium_memzero(data, len);
            pvg_enforce_free(data);
            free(ct);
        }
    }
    json_decref(o);
}

void pvg__h_media(req_t *r)
{
    switch (r->route) {
    case RT_MEDIA_HASH: h_hash_or_match(r, 0); return;
    case RT_MEDIA_MATCH: h_hash_or_match(r, 1); return;
    case RT_MEDIA_BANK_ADD: h_bank_add(r); return;
    case RT_MEDIA_BANK_LIST: h_bank_list(r); return;
    case RT_MEDIA_BANK_DISABLE: h_bank_disable(r); return;
    case RT_MEDIA_EVIDENCE_REVEAL: h_reveal(r); return;
    default: pvg__req_error(r, 404, "not_found", "no such endpoint"); return;
    }
}

/* ------------------------------------------ media of reports and notices */

static const field_t f_media_item[] = {{"data", F_STR, 0},
                                       {"content_type", F_STR | F_NULL, 0},
                                       {"pdq", F_STR | F_ARR, 0},
                                       {"quality", F_INT | F_ARR | F_NULL, 0},
                                       {NULL, 0, 0}};

int pvg__media_list_ok(json_t *arr, char *msg, size_t n)
{
    if (!json_is_array(arr))
        return snprintf(msg, n, "field 'media' must be a list"), -1;
    if (json_array_size(arr) > PVG_MAX_MEDIA)
        return snprintf(msg, n, "field 'media' holds at most 4 items"), -1;
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        char sub[120];
        if (pvg__fields_ok(x, f_media_item, sub, sizeof sub)) {
            snprintf(msg, n, "media[%zu]: %s", i, sub);
            return -1;
        }
        if ((json_object_get(x, "data") != NULL) == (json_object_get(x, "pdq") != NULL)) {
            snprintf(msg, n, "media[%zu]: give exactly one of 'data' and 'pdq'", i);
            return -1;
        }
        const char *ct = json_string_value(json_object_get(x, "content_type"));
        if (ct && (!*ct || strlen(ct) > 100)) {
            snprintf(msg, n, "media[%zu]: field 'content_type' must be 1..100 characters", i);
            return -1;
        }
    }
    return 0;
}

/* What one item owns: the decoded bytes, the hash bytes, qualities, times. */
typedef struct item_priv {
    uint8_t *bytes;
    size_t len;
    uint8_t *pdq;
    int *quality;
    double *t;
} item_priv_t;

void pvg__media_items_free(media_items_t *m)
{
    for (size_t i = 0; i < PVG_MAX_MEDIA; i++) {
        item_priv_t *p = m->priv[i];
        if (!p)
            continue;
        if (p->bytes) {
            sodium_memzero(p->bytes, p->len);
            free(p->bytes);
        }
        free(p->pdq);
        free(p->quality);
        free(p->t);
        free(p);
        m->priv[i] = NULL;
    }
    m->n = 0;
}

static int item_alloc(item_priv_t *p, size_t n)
{
    p->pdq = calloc(n, 32);
    p->quality = calloc(n, sizeof *p->quality);
    p->t = calloc(n, sizeof *p->t);
    return p->pdq && p->quality && p->t ? 0 : -1;
}

int pvg__media_items_build(req_t *r, json_t *arr, media_items_t *out)
{
    memset(out, 0, sizeof *out);
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        item_priv_t *p = calloc(1, sizeof *p);
        if (!p)
            goto oom;
        out->priv[i] = p;
        out->n = i + 1;
        pvg_media_in_t *in = &out->in[i];
        in->content_type = json_string_value(json_object_get(x, "content_type"));
        json_t *pdq = json_object_get(x, "pdq");
        if (pdq) {
            pvg_pdq_hash_t *hs = NULL;
            int *qs = NULL;
            size_t n = 0;
            char msg[160], full[200];
            if (parse_hashes(pdq, json_object_get(x, "quality"), &hs, &qs, &n, msg, sizeof msg)) {
                free(hs);
                free(qs);
                snprintf(full, sizeof full, "media[%zu]: %s", i, msg);
                pvg__req_error(r, 400, "invalid_input", full);
                return -1;
            }
            if (item_alloc(p, n)) {
                free(hs);
                free(qs);
                goto oom;
            }
            for (size_t k = 0; k < n; k++) {
                hash_to_bytes(&hs[k], p->pdq + 32 * k);
                p->quality[k] = qs[k];
                p->t[k] = (double)k;
            }
            free(hs);
            free(qs);
            *in = (pvg_media_in_t){.kind = "hash", .content_type = in->content_type,
                                   .pdq = p->pdq, .quality = p->quality, .n_pdq = n};
            continue;
        }
        json_t *data = json_object_get(x, "data");
        if (unbase64(r, json_string_value(data), json_string_length(data), &p->bytes, &p->len))
            return -1;
        upload_t u;
        if (decode(r, p->bytes, p->len, &u))
            return -1; /* the answer names the media error */
        if (u.kind == 1) {
            if (item_alloc(p, 1)) {
                upload_free(&u);
                goto oom;
            }
            hash_to_bytes(&u.img.pdq.hash, p->pdq);
            p->quality[0] = u.img.pdq.quality;
            *in = (pvg_media_in_t){.kind = "image", .content_type = in->content_type,
                                   .data = p->bytes, .len = p->len, .pdq = p->pdq,
                                   .quality = p->quality, .n_pdq = 1};
        } else {
            size_t n = u.video->n_frames;
            if (n > PVG_MAX_MEDIA_HASHES)
                n = PVG_MAX_MEDIA_HASHES;
            if (item_alloc(p, n ? n : 1)) {
                upload_free(&u);
                goto oom;
            }
            for (size_t k = 0; k < n; k++) {
                hash_to_bytes(&u.video->frames[k].pdq.hash, p->pdq + 32 * k);
                p->quality[k] = u.video->frames[k].pdq.quality;
                p->t[k] = u.video->frames[k].t;
            }
            *in = (pvg_media_in_t){.kind = "video", .content_type = in->content_type,
                                   .data = p->bytes, .len = p->len, .pdq = p->pdq,
                                   .quality = p->quality, .t = p->t, .n_pdq = n};
        }
        upload_free(&u);
    }
    return 0;
oom:
    r->retry_after = 1;
    pvg__req_error(r, 503, "out_of_memory", "the media could not be stored");
    return -1;
}

/* ------------------------------------------------ attachments in /v1/scan */

void pvg__media_scan_free(media_scan_t *ms)
{
    free(ms->viol);
    free(ms->reasons);
    ms->viol = NULL;
    ms->reasons = NULL;
}

int pvg__media_scan_attachments(srv_t *s, json_t *msg, int surface, const pvg_result_t *res,
                                media_scan_t *ms)
{
    memset(ms, 0, sizeof *ms);
    json_t *atts = json_object_get(msg, "attachments");
    if (!json_is_array(atts) || !s->media_idx || surface < 0 || surface >= PVG_SURFACE_COUNT)
        return 0;
    pvg_media_match_opts_t o;
    pvg_media_match_opts_default(&o);
    o.max_distance = s->cfg.media_threshold;
    o.min_quality = 0; /* an attachment's hash comes without a quality */
    o.dihedral = 0;
    size_t nr = 0;
    int confirmed = 0;
    size_t i;
    json_t *a;
    json_array_foreach(atts, i, a)
    {
        if (i >= 16)
            break; /* as many as the scan reads (MAX_ATT) */
        json_t *h = json_object_get(a, "pdq");
        pvg_pdq_result_t p;
        memset(&p, 0, sizeof p);
        if (!json_is_string(h) ||
            pvg_pdq_from_hex(json_string_value(h), json_string_length(h), &p.hash) != PVG_OK)
            continue; /* the scan contract ignores what it does not know */
        p.dihedral[0] = p.hash;
        p.quality = 100;
        pvg_media_matches_t *m = NULL;
        if (pvg_media_match_image(s->media_idx, &p, &o, &m) != PVG_OK) {
            pvg_media_matches_free(m);
            return -1;
        }
        for (size_t k = 0; m->matched && k < m->n && nr < MEDIA_SCAN_REASONS; k++) {
            const pvg_media_hit_t *hit = &m->items[k].hit;
            int64_t case_id, notice_id;
            source_of(hit->case_id, &case_id, &notice_id);
            if (strcmp(hit->bank, PVG_BANK_PENDING))
                confirmed = 1;
            int n = snprintf(ms->text[nr], sizeof ms->text[nr], "media matches bank %s entry %s",
                             hit->bank, hit->entry_id);
            if (case_id)
                snprintf(ms->text[nr] + n, sizeof ms->text[nr] - (size_t)n,
                         " (case %" PRId64 ")", case_id);
            else if (notice_id)
                snprintf(ms->text[nr] + n, sizeof ms->text[nr] - (size_t)n,
                         " (notice %" PRId64 ")", notice_id);
            nr++;
        }
        pvg_media_matches_free(m);
    }
    if (!nr)
        return 0;
    atomic_fetch_add(&s->media_matched, 1);
    int action = s->media_actions[surface];
    if (!confirmed && action > PVG_ACTION_REVIEW)
        action = PVG_ACTION_REVIEW;
    if (action == PVG_ACTION_ALLOW)
        return 0;
    atomic_fetch_add(&s->media_violations, 1);
    /* the scan's own pii_exposure violation, if any, takes the reasons */
    size_t at = res->n_violations, extra = 1, old_reasons = 0;
    for (size_t k = 0; k < res->n_violations; k++)
        if (!strcmp(res->violations[k].category, "pii_exposure") && !res->violations[k].shadow) {
            at = k;
            extra = 0;
            old_reasons = res->violations[k].n_reasons;
        }
    ms->viol = calloc(res->n_violations + extra, sizeof *ms->viol);
    ms->reasons = calloc(old_reasons + nr, sizeof *ms->reasons);
    if (!ms->viol || !ms->reasons) {
        pvg__media_scan_free(ms);
        return -1;
    }
    if (res->n_violations)
        memcpy(ms->viol, res->violations, res->n_violations * sizeof *ms->viol);
    pvg_violation_t *v = &ms->viol[at];
    for (size_t k = 0; k < old_reasons; k++)
        ms->reasons[k] = v->reasons[k];
    for (size_t k = 0; k < nr; k++)
        ms->reasons[old_reasons + k] = ms->text[k];
    if (extra) {
        v->category = "pii_exposure";
        v->score = 0;
        v->shadow = 0;
        v->action = PVG_ACTION_ALLOW;
    }
    float score = confirmed ? 1.0f : 0.5f;
    if (v->score < score)
        v->score = score;
    if (v->action < action)
        v->action = action;
    v->reasons = ms->reasons;
    v->n_reasons = old_reasons + nr;
    ms->res = *res;
    ms->res.violations = ms->viol;
    ms->res.n_violations = res->n_violations + extra;
    if (ms->res.action < action)
        ms->res.action = action;
    return 1;
}
