/* SPDX-License-Identifier: MIT */
/*
 * cmd_media.c -- `privguard media hash|match FILE`: perceptual hashes of a
 * photo or video, and matching against a hash bank.
 *
 *   privguard media hash FILE
 *   privguard media match FILE --bank BANKFILE [--threshold N]
 *         [--min-quality N] [--min-frames N] [--bank-name NAME] [--no-dihedral]
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <privguard/media.h>

#include "cli/commands.h"

static void media_usage(FILE *f)
{
    fprintf(f,
            "usage: privguard media hash FILE\n"
            "       privguard media match FILE --bank BANKFILE [--threshold N]\n"
            "             [--min-quality N] [--min-frames N] [--bank-name NAME] [--no-dihedral]\n"
            "FILE: JPEG, PNG, WebP or a video; '-' reads standard input.\n"
            "BANKFILE: JSON lines {\"id\",\"bank\",\"pdq\",\"case\"[,\"enabled\"]}.\n"
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
    const char *file = NULL, *bankfile = NULL;
    pvg_media_match_opts_t o;
    pvg_media_match_opts_default(&o);
    for (int i = 1; i < argc; i++) {
        long v;
        const char *a = argv[i];
        if (!strcmp(a, "--bank") && i + 1 < argc) {
            bankfile = argv[++i];
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
    if (!file || !bankfile) {
        media_usage(stderr);
        return 2;
    }
    pvg_media_index_t *idx;
    if (pvg_media_index_new(&idx) != PVG_OK) {
        fprintf(stderr, "privguard media: out of memory\n");
        return 2;
    }
    if (load_bank(bankfile, idx) != 0) {
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
    fprintf(stderr, "privguard media: unknown subcommand '%s'\n", argv[1]);
    media_usage(stderr);
    return 2;
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int pvg_cmd_media_absent_t;
#endif /* PVG_HAVE_media */
