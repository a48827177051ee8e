/* SPDX-License-Identifier: MIT */
/*
 * cmd_media.c -- `privguard media hash|match FILE`: perceptual hashes of a
 * photo or video, and matching against a hash bank.
 *
 *   privguard media hash FILE
 *   privguard media match FILE (--bank BANKFILE | --store S) [--threshold N]
 *         [--min-quality N] [--min-frames N] [--bank-name NAME] [--no-dihedral]
 *   privguard media bank add (--pdq HEX | FILE) [--bank NAME] [--case ID]
 *         [--notice ID] [--note TEXT] [--store S] [--keys DIR] [--actor ID]
 *         [--actor-role ROLE]
 *   privguard media bank disable ID [--reason TEXT] [...]
 *   privguard media bank list [--bank NAME] [--all] [--after ID] [--limit N] [...]
 *
 * --store (a SQLite path or a PostgreSQL connection string; default
 * $PVG_STORE, then ./data/privguard.db) reads the bank the service uses:
 * match loads its enabled entries into an index; the bank commands go
 * through the enforcement core (roles, audit log, revisions the running
 * service follows within its cache_refresh_ms). Bank commands exit 0 done,
 * 2 usage or fatal, 3 not_found, 4 already_in_state (every hash was in the
 * bank already, or the entry was disabled already), 5 forbidden.
 *
 * FILE is a JPEG, PNG or WebP image or a video (MP4/MOV, Matroska/WebM,
 * AVI, MPEG-TS/PS, FLV, Ogg, GIF); "-" reads standard input. BANKFILE holds
 * one JSON object per line: {"id", "bank", "pdq", "case"} and optionally
 * "enabled": false (the service loads the same entries from the store).
 * Both commands print one JSON object on standard output. Exit status:
 * hash 0 or 2; match 0 when the media matches the bank, 1 when it does
 * not, 2 on a usage error or a file that cannot be read or decoded.
 * Nothing about the media's content other than its hashes is printed.
 */
#ifdef PVG_HAVE_media

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <privguard/media.h>
#ifdef PVG_HAVE_enforce
#include <privguard/enforce.h>
#endif

#include "cli/commands.h"

static void media_usage(FILE *f)
{
    fprintf(f,
            "usage: privguard media hash FILE\n"
            "       privguard media match FILE (--bank BANKFILE | --store S) [--threshold N]\n"
            "             [--min-quality N] [--min-frames N] [--bank-name NAME] [--no-dihedral]\n"
            "       privguard media bank add (--pdq HEX | FILE) [--bank NAME] [--case ID]\n"
            "             [--notice ID] [--note TEXT]\n"
            "       privguard media bank disable ID [--reason TEXT]\n"
            "       privguard media bank list [--bank NAME] [--all] [--after ID] [--limit N]\n"
            "       (bank commands take --store S [--keys DIR] [--actor ID] [--actor-role ROLE])\n"
            "FILE: JPEG, PNG, WebP or a video; '-' reads standard input.\n"
            "BANKFILE: JSON lines {\"id\",\"bank\",\"pdq\",\"case\"[,\"enabled\"]}.\n"
            "--store S: the service's store (SQLite path or PostgreSQL connection string).\n"
            "match exits 0 on a match, 1 without one, 2 on errors.\n");
}

/* Reads all of path ("-" = stdin) up to max bytes. Returns 0, or 2 after
 * printing the reason. */
static int read_all(const char *path, size_t max, uint8_t **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "privguard media: cannot open '%s': %s\n", path, strerror(errno));
        return 2;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fprintf(stderr, "privguard media: out of memory reading '%s'\n", path);
            break;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (n > max) {
            fprintf(stderr, "privguard media: '%s' is larger than %zu bytes\n", path, max);
            free(buf);
            buf = NULL;
            break;
        }
        if (k == 0 || n < cap) {
            if (ferror(f)) {
                fprintf(stderr, "privguard media: cannot read '%s'\n", path);
                free(buf);
                buf = NULL;
            }
            break;
        }
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            continue; /* reports the failure above */
        }
        buf = nb;
        cap *= 2;
    }
    if (f != stdin)
        fclose(f);
    if (!buf)
        return 2;
    *out = buf;
    *len = n;
    return 0;
}

typedef struct media {
    int is_video;
    pvg_media_image_t img;
    pvg_media_video_t *video;
} media_t;

static int hash_file(const char *path, media_t *m)
{
    pvg_media_limits_t lim;
    pvg_media_limits_default(&lim);
    uint8_t *buf;
    size_t len;
    if (read_all(path, lim.max_bytes, &buf, &len) != 0)
        return 2;
    memset(m, 0, sizeof *m);
    pvg_error_t rc;
    if (pvg_media_sniff(buf, len) == PVG_MEDIA_VIDEO) {
        m->is_video = 1;
        rc = pvg_media_hash_video(buf, len, &lim, &m->video);
    } else {
        rc = pvg_media_hash_image(buf, len, &lim, &m->img);
    }
    free(buf);
    if (rc != PVG_OK) {
        fprintf(stderr, "privguard media: cannot hash '%s': %s\n", path, pvg_media_strerror(rc));
        return 2;
    }
    return 0;
}

static json_t *hex_of(const pvg_pdq_hash_t *h)
{
    char hex[PVG_PDQ_HEX_LEN + 1];
    pvg_pdq_to_hex(h, hex);
    return json_string(hex);
}

static json_t *media_json(const media_t *m)
{
    json_t *o = json_object();
    if (!m->is_video) {
        json_object_set_new(o, "kind", json_string("image"));
        json_object_set_new(o, "format", json_string(pvg_media_format_name(m->img.format)));
        json_object_set_new(o, "pdq", hex_of(&m->img.pdq.hash));
        json_object_set_new(o, "quality", json_integer(m->img.pdq.quality));
        json_object_set_new(o, "width", json_integer(m->img.width));
        json_object_set_new(o, "height", json_integer(m->img.height));
        json_object_set_new(o, "orientation", json_integer(m->img.orientation));
        return o;
    }
    const pvg_media_video_t *v = m->video;
    json_object_set_new(o, "kind", json_string("video"));
    json_object_set_new(o, "container", json_string(v->container));
    json_object_set_new(o, "codec", json_string(v->codec));
    json_object_set_new(o, "width", json_integer(v->width));
    json_object_set_new(o, "height", json_integer(v->height));
    json_object_set_new(o, "duration", json_real(v->duration));
    json_object_set_new(o, "truncated", json_boolean(v->truncated));
    json_t *frames = json_array();
    for (size_t i = 0; i < v->n_frames; i++) {
        json_t *f = json_object();
        json_object_set_new(f, "t", json_real(v->frames[i].t));
        json_object_set_new(f, "scene_change", json_boolean(v->frames[i].scene_change));
        json_object_set_new(f, "pdq", hex_of(&v->frames[i].pdq.hash));
        json_object_set_new(f, "quality", json_integer(v->frames[i].pdq.quality));
        json_array_append_new(frames, f);
    }
    json_object_set_new(o, "frames", frames);
    return o;
}

static int print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (!s) {
        fprintf(stderr, "privguard media: out of memory\n");
        return 2;
    }
    puts(s);
    free(s);
    return 0;
}

/* Loads BANKFILE into idx. Returns 0, or 2 after printing where it failed. */
static int load_bank(const char *path, pvg_media_index_t *idx)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "privguard media: cannot open bank file '%s': %s\n", path,
                strerror(errno));
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
            len--;
        if (len == 0)
            continue;
        json_error_t jerr;
        json_t *o = json_loadb(line, len, 0, &jerr);
        if (!o || !json_is_object(o)) {
            fprintf(stderr, "privguard media: bank file '%s' line %ld: not a JSON object\n",
                    path, lineno);
            json_decref(o);
            rc = 2;
            break;
        }
        json_t *jid = json_object_get(o, "id");
        const char *bank = json_string_value(json_object_get(o, "bank"));
        const char *hex = json_string_value(json_object_get(o, "pdq"));
        json_t *jcase = json_object_get(o, "case");
        json_t *jen = json_object_get(o, "enabled");
        char idbuf[32];
        const char *id = json_string_value(jid);
        if (json_is_integer(jid)) {
            snprintf(idbuf, sizeof idbuf, "%" JSON_INTEGER_FORMAT, json_integer_value(jid));
            id = idbuf;
        }
        const char *case_id = json_string_value(jcase);
        char casebuf[32];
        if (json_is_integer(jcase)) {
            snprintf(casebuf, sizeof casebuf, "%" JSON_INTEGER_FORMAT, json_integer_value(jcase));
            case_id = casebuf;
        }
        pvg_pdq_hash_t h;
        const char *what = NULL;
        if (!id || !*id)
            what = "\"id\" must be a non-empty string or an integer";
        else if (!bank || !*bank)
            what = "\"bank\" must be a non-empty string";
        else if (!hex || pvg_pdq_from_hex(hex, strlen(hex), &h) != PVG_OK)
            what = "\"pdq\" must be 64 hexadecimal digits";
        else if (jcase && !json_is_null(jcase) && !case_id)
            what = "\"case\" must be a string or an integer";
        else if (jen && !json_is_boolean(jen))
            what = "\"enabled\" must be true or false";
        if (what) {
            fprintf(stderr, "privguard media: bank file '%s' line %ld: %s\n", path, lineno, what);
            rc = 2;
        } else {
            pvg_error_t e = pvg_media_index_add(idx, &h, id, bank, case_id,
                                                jen ? json_is_true(jen) : 1);
            if (e != PVG_OK) {
                fprintf(stderr, "privguard media: bank file '%s' line %ld: %s\n", path, lineno,
                        pvg_media_strerror(e));
                rc = 2;
            }
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    return rc;
}

#ifdef PVG_HAVE_enforce
static const char *store_spec(const char *s)
{
    if (!s)
        s = getenv("PVG_STORE");
    return s ? s : "./data/privguard.db";
}

static const char *shown(const char *spec)
{
    return strstr(spec, "password") ? "(connection string)" : spec;
}

static void bytes_hex(const uint8_t *p, char hex[PVG_PDQ_HEX_LEN + 1])
{
    static const char d[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = d[p[i] >> 4];
        hex[2 * i + 1] = d[p[i] & 15];
    }
    hex[64] = 0;
}

static void hash_bytes(const pvg_pdq_hash_t *h, uint8_t out[32])
{
    char hex[PVG_PDQ_HEX_LEN + 1];
    pvg_pdq_to_hex(h, hex);
    for (int i = 0; i < 32; i++) {
        int hi = hex[2 * i], lo = hex[2 * i + 1];
        hi = hi <= '9' ? hi - '0' : hi - 'a' + 10;
        lo = lo <= '9' ? lo - '0' : lo - 'a' + 10;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
}

typedef struct cursor {
    pvg_media_index_t *idx;
    int64_t rev, last;
} cursor_t;

static int store_row(const pvg_media_row_t *row, void *ctx)
{
    cursor_t *c = ctx;
    c->rev = row->rev;
    c->last = row->id;
    if (!row->enabled)
        return 0;
    char id[24], src[32] = "", hex[PVG_PDQ_HEX_LEN + 1];
    snprintf(id, sizeof id, "%" PRId64, row->id);
    if (row->source_case_id)
        snprintf(src, sizeof src, "%" PRId64, row->source_case_id);
    else if (row->source_notice_id)
        snprintf(src, sizeof src, "notice:%" PRId64, row->source_notice_id);
    bytes_hex(row->pdq, hex);
    pvg_pdq_hash_t h;
    if (pvg_pdq_from_hex(hex, 64, &h) != PVG_OK)
        return PVG_ENF_ESTORE;
    pvg_error_t e = pvg_media_index_add(c->idx, &h, id, row->bank, src, 1);
    return e == PVG_OK ? 0 : e == PVG_ENOMEM ? PVG_ENF_ENOMEM : PVG_ENF_ESTORE;
}

/* Loads the enabled entries of the store's bank into idx. Returns 0, or 2
 * after printing the reason. */
static int load_store(const char *spec, pvg_media_index_t *idx)
{
    pvg_store_t *s = NULL;
    int rc = pvg_store_open(spec, &s);
    if (rc) {
        fprintf(stderr, "privguard media: cannot open store '%s': %s\n", shown(spec),
                pvg_enf_errname(rc));
        return 2;
    }
    rc = pvg_store_migrate(s, NULL);
    cursor_t c = {idx, -1, 0};
    enum { PAGE = 10000 };
    int n = PAGE;
    while (!rc && n == PAGE)
        rc = pvg_store_media_changes(s, c.rev, c.last, PAGE, store_row, &c, &n);
    if (rc)
        fprintf(stderr, "privguard media: cannot read the bank of store '%s': %s\n", shown(spec),
                pvg_enf_errname(rc));
    pvg_store_close(s);
    return rc ? 2 : 0;
}
#endif

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int cmd_hash(int argc, char **argv)
{
    if (argc != 2) {
        media_usage(stderr);
        return 2;
    }
    media_t m;
    if (hash_file(argv[1], &m) != 0)
        return 2;
    int rc = print_json(media_json(&m));
    pvg_media_video_free(m.video);
    return rc;
}

static int cmd_match(int argc, char **argv)
{
    const char *file = NULL, *bankfile = NULL, *store = NULL;
    pvg_media_match_opts_t o;
    pvg_media_match_opts_default(&o);
    for (int i = 1; i < argc; i++) {
        long v;
        const char *a = argv[i];
        if (!strcmp(a, "--bank") && i + 1 < argc) {
            bankfile = argv[++i];
        } else if (!strcmp(a, "--store") && i + 1 < argc) {
            store = argv[++i];
        } else if (!strcmp(a, "--bank-name") && i + 1 < argc) {
            o.bank = argv[++i];
        } else if (!strcmp(a, "--no-dihedral")) {
            o.dihedral = 0;
        } else if (!strcmp(a, "--threshold") && i + 1 < argc) {
            if (parse_int(argv[++i], 0, 256, &v) != 0) {
                fprintf(stderr, "privguard media: invalid threshold '%s' (0..256)\n", argv[i]);
                return 2;
            }
            o.max_distance = (int)v;
        } else if (!strcmp(a, "--min-quality") && i + 1 < argc) {
            if (parse_int(argv[++i], 0, 100, &v) != 0) {
                fprintf(stderr, "privguard media: invalid quality '%s' (0..100)\n", argv[i]);
                return 2;
            }
            o.min_quality = (int)v;
        } else if (!strcmp(a, "--min-frames") && i + 1 < argc) {
            if (parse_int(argv[++i], 1, 100000, &v) != 0) {
                fprintf(stderr, "privguard media: invalid frame count '%s'\n", argv[i]);
                return 2;
            }
            o.video_min_frames = (uint32_t)v;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "privguard media: unknown option '%s'\n", a);
            media_usage(stderr);
            return 2;
        } else if (!file) {
            file = a;
        } else {
            media_usage(stderr);
            return 2;
        }
    }
    if (!file || (!bankfile && !store) || (bankfile && store)) {
        if (bankfile && store)
            fprintf(stderr, "privguard media: give one of --bank and --store\n");
        media_usage(stderr);
        return 2;
    }
#ifndef PVG_HAVE_enforce
    if (store) {
        fprintf(stderr, "privguard media: --store needs the enforcement core, not built in\n");
        return 2;
    }
#endif
    pvg_media_index_t *idx;
    if (pvg_media_index_new(&idx) != PVG_OK) {
        fprintf(stderr, "privguard media: out of memory\n");
        return 2;
    }
    int lrc = 2;
    if (bankfile)
        lrc = load_bank(bankfile, idx);
#ifdef PVG_HAVE_enforce
    else
        lrc = load_store(store_spec(store), idx);
#endif
    if (lrc != 0) {
        pvg_media_index_free(idx);
        return 2;
    }
    media_t m;
    if (hash_file(file, &m) != 0) {
        pvg_media_index_free(idx);
        return 2;
    }
    pvg_media_matches_t *res = NULL;
    pvg_error_t e = m.is_video ? pvg_media_match_video(idx, m.video, &o, &res)
                               : pvg_media_match_image(idx, &m.img.pdq, &o, &res);
    int rc = 2;
    if (e != PVG_OK) {
        fprintf(stderr, "privguard media: cannot match '%s': %s\n", file, pvg_media_strerror(e));
    } else {
        json_t *out = json_object();
        json_object_set_new(out, "kind", json_string(m.is_video ? "video" : "image"));
        json_object_set_new(out, "matched", json_boolean(res->matched));
        json_object_set_new(out, "threshold", json_integer(o.max_distance));
        json_object_set_new(out, "frames_considered", json_integer(res->frames_considered));
        json_object_set_new(out, "frames_matched", json_integer(res->frames_matched));
        json_t *arr = json_array();
        for (size_t i = 0; i < res->n; i++) {
            const pvg_media_match_t *it = &res->items[i];
            json_t *j = json_object();
            json_object_set_new(j, "id", json_string(it->hit.entry_id));
            json_object_set_new(j, "bank", json_string(it->hit.bank));
            json_object_set_new(j, "case", json_string(it->hit.case_id));
            json_object_set_new(j, "distance", json_integer(it->hit.distance));
            json_object_set_new(j, "variant", json_string(pvg_dihedral_name(it->variant)));
            if (m.is_video) {
                json_object_set_new(j, "frames", json_integer(it->frames));
                json_object_set_new(j, "first_t", json_real(it->first_t));
            }
            json_array_append_new(arr, j);
        }
        json_object_set_new(out, "matches", arr);
        int matched = res->matched;
        rc = print_json(out);
        if (rc == 0)
            rc = matched ? 0 : 1;
    }
    pvg_media_matches_free(res);
    pvg_media_video_free(m.video);
    pvg_media_index_free(idx);
    return rc;
}

#ifdef PVG_HAVE_enforce
/* ------------------------------------------------------------ the bank */

typedef struct bank_args {
    const char *store, *keys, *actor, *role, *bank, *note, *reason, *pdq, *pos;
    int64_t case_id, notice_id, after, limit;
    int all;
} bank_args_t;

static int bank_exit(int rc)
{
    switch (rc) {
    case PVG_ENF_OK: return 0;
    case PVG_ENF_ENOTFOUND: return 3;
    case PVG_ENF_EALREADY:
    case PVG_ENF_EDUPLICATE:
    case PVG_ENF_ECONFLICT: return 4;
    case PVG_ENF_EFORBIDDEN:
    case PVG_ENF_EUNAUTH: return 5;
    default: return 2;
    }
}

static int bank_fail(const char *what, int rc)
{
    json_t *o = json_pack("{s:s, s:s}", "error", pvg_enf_errname(rc), "message",
                          pvg_enf_strerror(rc));
    print_json(o);
    fprintf(stderr, "privguard media: cannot %s: %s\n", what, pvg_enf_errname(rc));
    return bank_exit(rc);
}

static int parse_i64_arg(const char *s, int64_t lo, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < lo)
        return -1;
    *out = v;
    return 0;
}

static int bank_parse(int argc, char **argv, bank_args_t *b)
{
    memset(b, 0, sizeof *b);
    b->limit = 100;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        int64_t *num = NULL, lo = 0;
        if (!strcmp(a, "--all")) {
            b->all = 1;
            continue;
        }
        if (!strcmp(a, "--store")) dst = &b->store;
        else if (!strcmp(a, "--keys")) dst = &b->keys;
        else if (!strcmp(a, "--actor")) dst = &b->actor;
        else if (!strcmp(a, "--actor-role")) dst = &b->role;
        else if (!strcmp(a, "--bank")) dst = &b->bank;
        else if (!strcmp(a, "--note")) dst = &b->note;
        else if (!strcmp(a, "--reason")) dst = &b->reason;
        else if (!strcmp(a, "--pdq")) dst = &b->pdq;
        else if (!strcmp(a, "--case")) num = &b->case_id, lo = 1;
        else if (!strcmp(a, "--notice")) num = &b->notice_id, lo = 1;
        else if (!strcmp(a, "--after")) num = &b->after, lo = 0;
        else if (!strcmp(a, "--limit")) num = &b->limit, lo = 1;
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "privguard media: unknown option '%s'\n", a);
            return -1;
        } else if (!b->pos) {
            b->pos = a;
            continue;
        } else {
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "privguard media: option '%s' needs a value\n", a);
            return -1;
        }
        if (dst) {
            *dst = argv[++i];
        } else if (parse_i64_arg(argv[++i], lo, num)) {
            fprintf(stderr, "privguard media: invalid number '%s' for '%s'\n", argv[i], a);
            return -1;
        }
    }
    return 0;
}

static int bank_open(const bank_args_t *b, pvg_enforce_t **e, pvg_actor_t *actor)
{
    pvg_enforce_options_t o;
    pvg_enforce_options_init(&o);
    o.store = store_spec(b->store);
    o.key_dir = b->keys;
    o.pool_size = 1;
    actor->id = b->actor ? b->actor : "cli:operator";
    actor->ip = NULL;
    actor->role = PVG_ROLE_ADMIN;
    if (b->role && pvg_role_parse(b->role, &actor->role)) {
        fprintf(stderr, "privguard media: unknown role '%s'\n", b->role);
        return 2;
    }
    int rc = pvg_enforce_open(&o, e);
    if (rc) {
        fprintf(stderr, "privguard media: cannot open store '%s': %s\n", shown(o.store),
                pvg_enf_errname(rc));
        return 2;
    }
    return 0;
}

/* bank add: one hash (--pdq), or the hashes of an image or video file
 * (frames below the minimum quality are left out). */
static int bank_add(const bank_args_t *b)
{
    if ((b->pdq != NULL) == (b->pos != NULL)) {
        fprintf(stderr, "privguard media: bank add takes --pdq HEX or a FILE\n");
        return 2;
    }
    pvg_pdq_hash_t *hs = NULL;
    int *qs = NULL;
    size_t n = 0;
    if (b->pdq) {
        hs = calloc(1, sizeof *hs);
        qs = calloc(1, sizeof *qs);
        if (!hs || !qs || pvg_pdq_from_hex(b->pdq, strlen(b->pdq), hs) != PVG_OK) {
            fprintf(stderr, "privguard media: --pdq must be 64 hexadecimal digits\n");
            free(hs);
            free(qs);
            return 2;
        }
        qs[0] = -1;
        n = 1;
    } else {
        media_t m;
        if (hash_file(b->pos, &m) != 0)
            return 2;
        size_t cap = m.is_video ? m.video->n_frames : 1;
        hs = calloc(cap, sizeof *hs);
        qs = calloc(cap, sizeof *qs);
        if (!hs || !qs) {
            fprintf(stderr, "privguard media: out of memory\n");
            free(hs);
            free(qs);
            pvg_media_video_free(m.video);
            return 2;
        }
        for (size_t i = 0; i < cap; i++) {
            const pvg_pdq_result_t *p = m.is_video ? &m.video->frames[i].pdq : &m.img.pdq;
            if (p->quality < PVG_BANK_MIN_QUALITY)
                continue;
            hs[n] = p->hash;
            qs[n++] = p->quality;
        }
        pvg_media_video_free(m.video);
        if (!n) {
            fprintf(stderr, "privguard media: '%s' has no hash of quality %d or more\n", b->pos,
                    PVG_BANK_MIN_QUALITY);
            free(hs);
            free(qs);
            return 2;
        }
    }
    pvg_enforce_t *e = NULL;
    pvg_actor_t actor;
    int st = bank_open(b, &e, &actor);
    if (st) {
        free(hs);
        free(qs);
        return st;
    }
    json_t *entries = json_array();
    int added = 0, rc = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t bytes[32];
        hash_bytes(&hs[i], bytes);
        pvg_bank_entry_in_t in = {.bank = b->bank, .pdq = bytes, .quality = qs[i],
                                  .case_id = b->case_id, .notice_id = b->notice_id,
                                  .note = b->note};
        int64_t id = 0;
        rc = pvg_media_bank_add(e, &actor, &in, &id);
        if (rc && rc != PVG_ENF_EALREADY)
            break;
        added += rc == 0;
        json_array_append_new(entries, json_pack("{s:I, s:o, s:b}", "entry_id", (json_int_t)id,
                                                 "pdq", hex_of(&hs[i]), "added", rc == 0));
        rc = 0;
    }
    pvg_enforce_close(e);
    free(hs);
    free(qs);
    if (rc) {
        json_decref(entries);
        return bank_fail("add to the bank", rc);
    }
    print_json(json_pack("{s:s, s:o}", "bank", b->bank ? b->bank : PVG_BANK_CONFIRMED, "entries",
                         entries));
    return added ? 0 : 4;
}

static int cmd_bank(int argc, char **argv)
{
    if (argc < 2) {
        media_usage(stderr);
        return 2;
    }
    const char *sub = argv[1];
    bank_args_t b;
    if (bank_parse(argc - 1, argv + 1, &b)) {
        media_usage(stderr);
        return 2;
    }
    if (!strcmp(sub, "add"))
        return bank_add(&b);
    pvg_enforce_t *e = NULL;
    pvg_actor_t actor;
    if (!strcmp(sub, "disable")) {
        int64_t id = 0;
        if (!b.pos || parse_i64_arg(b.pos, 1, &id)) {
            media_usage(stderr);
            return 2;
        }
        int st = bank_open(&b, &e, &actor);
        if (st)
            return st;
        int rc = pvg_media_bank_disable(e, &actor, id, b.reason);
        pvg_enforce_close(e);
        if (rc)
            return bank_fail("disable the bank entry", rc);
        return print_json(json_pack("{s:I, s:b}", "entry_id", (json_int_t)id, "enabled", 0));
    }
    if (!strcmp(sub, "list")) {
        if (b.pos || b.limit > 10000) {
            media_usage(stderr);
            return 2;
        }
        int st = bank_open(&b, &e, &actor);
        if (st)
            return st;
        char *json = NULL;
        int rc = pvg_media_bank_list(e, &actor, b.bank, b.all, b.after, (int)b.limit, &json);
        pvg_enforce_close(e);
        if (rc)
            return bank_fail("list the bank", rc);
        puts(json);
        pvg_enforce_free(json);
        return 0;
    }
    fprintf(stderr, "privguard media: unknown bank subcommand '%s'\n", sub);
    media_usage(stderr);
    return 2;
}
#endif

int pvg_cmd_media(int argc, char **argv)
{
    pvg_media_silence_libav();
    if (argc < 2) {
        media_usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        media_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "hash"))
        return cmd_hash(argc - 1, argv + 1);
    if (!strcmp(argv[1], "match"))
        return cmd_match(argc - 1, argv + 1);
#ifdef PVG_HAVE_enforce
    if (!strcmp(argv[1], "bank"))
        return cmd_bank(argc - 1, argv + 1);
#endif
    fprintf(stderr, "privguard media: unknown subcommand '%s'\n", argv[1]);
    media_usage(stderr);
    return 2;
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int pvg_cmd_media_absent_t;
#endif /* PVG_HAVE_media */
