/* SPDX-License-Identifier: MIT */
/*
 * input.c -- the scan contract's input and output (DETECTION.md "The scan
 * contract"): one JSON object or text line in, one JSON line out, in order.
 *
 * Lines are read in constant memory: a line longer than CLI_MAX_LINE is
 * skipped to its end without being stored. Output is written directly with
 * stdio, not built as a JSON tree. Nothing here ever prints message text to
 * stderr: errors name the line, never its content.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/input.h"

#define CHUNK (64 * 1024)

typedef struct chunk {
    char data[CHUNK];
    size_t pos, len;
} chunk_t;

int reader_open(line_reader_t *r, FILE *f)
{
    memset(r, 0, sizeof *r);
    r->f = f;
    r->buf = malloc(CLI_MAX_LINE + 1 + sizeof(chunk_t));
    if (!r->buf)
        return -1;
    chunk_t *c = (chunk_t *)(r->buf + CLI_MAX_LINE + 1);
    c->pos = c->len = 0;
    return 0;
}

void reader_close(line_reader_t *r)
{
    if (r->buf) {
        /* The buffer held message text. */
        memset(r->buf, 0, r->len < CLI_MAX_LINE ? r->len : CLI_MAX_LINE);
        free(r->buf);
    }
    r->buf = NULL;
}

int reader_next(line_reader_t *r)
{
    chunk_t *c = (chunk_t *)(r->buf + CLI_MAX_LINE + 1);
    if (r->eof)
        return 0;
    r->len = 0;
    r->too_long = 0;
    int got = 0;
    for (;;) {
        if (c->pos == c->len) {
            c->len = fread(c->data, 1, CHUNK, r->f);
            c->pos = 0;
            if (c->len == 0) {
                if (ferror(r->f))
                    return -1;
                r->eof = 1;
                if (!got)
                    return 0;
                break;
            }
        }
        got = 1;
        char *start = c->data + c->pos;
        size_t avail = c->len - c->pos;
        char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        if (!r->too_long) {
            if (r->len + take > CLI_MAX_LINE) {
                r->too_long = 1;
            } else {
                memcpy(r->buf + r->len, start, take);
            }
        }
        r->len += take;
        c->pos += take + (nl ? 1 : 0);
        if (nl)
            break;
    }
    r->line_no++;
    if (!r->too_long)
        r->buf[r->len] = 0;
    return 1;
}

/* ------------------------------------------------------------- parsing */

/* Finds the raw text of the top-level member `key` in a valid JSON object
 * (jansson validated it already), so that a number id is echoed exactly as
 * written. Returns the value's start and stores its length. */
static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

static const char *skip_string(const char *p, const char *end)
{
    p++; /* opening quote */
    while (p < end && *p != '"') {
        if (*p == '\\')
            p++;
        p++;
    }
    return p < end ? p + 1 : end;
}

static const char *skip_value(const char *p, const char *end)
{
    if (p >= end)
        return end;
    if (*p == '"')
        return skip_string(p, end);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (p < end) {
            if (*p == '"') {
                p = skip_string(p, end);
                continue;
            }
            if (*p == '{' || *p == '[')
                depth++;
            else if (*p == '}' || *p == ']') {
                depth--;
                if (depth == 0)
                    return p + 1;
            }
            p++;
        }
        return end;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
           *p != '\r' && *p != '\n')
        p++;
    return p;
}

static const char *raw_member(const char *s, size_t len, const char *key, size_t *vlen)
{
    const char *p = s, *end = s + len;
    p = skip_ws(p, end);
    if (p >= end || *p != '{')
        return NULL;
    p++;
    size_t klen = strlen(key);
    const char *found = NULL;
    while (p < end) {
        p = skip_ws(p, end);
        if (p >= end || *p != '"')
            break;
        const char *ks = p + 1;
        p = skip_string(p, end);
        int match = (size_t)(p - 1 - ks) == klen && !memcmp(ks, key, klen);
        p = skip_ws(p, end);
        if (p >= end || *p != ':')
            break;
        p = skip_ws(p + 1, end);
        const char *vs = p;
        p = skip_value(p, end);
        if (match) {
            /* Duplicate keys are refused by the parser (JSON_REJECT_DUPLICATES),
             * so the first match is the only one. */
            found = vs;
            *vlen = (size_t)(p - vs);
            break;
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',')
            p++;
        else
            break;
    }
    return found;
}

static const char *str_or_null(json_t *o, const char *key, size_t *len)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v)) {
        *len = 0;
        return NULL;
    }
    *len = json_string_length(v);
    return json_string_value(v);
}

void parse_line(const line_reader_t *r, int format, parsed_t *p)
{
    memset(p, 0, sizeof *p);
    p->msg.surface = PVG_SURFACE_DIRECT;
    if (r->too_long) {
        p->error = "line too long";
        return;
    }
    if (format == FORMAT_TEXT) {
        size_t len = r->len;
        if (len && r->buf[len - 1] == '\r')
            len--;
        int n = snprintf(p->id_buf, sizeof p->id_buf, "%zu", r->line_no);
        p->id_raw = p->id_buf;
        p->id_raw_len = (size_t)n;
        if (!pvg_utf8_valid(r->buf, len)) {
            p->error = "invalid utf-8";
            return;
        }
        p->msg.text = r->buf;
        p->msg.text_len = len;
        return;
    }
    size_t i = 0;
    while (i < r->len && (r->buf[i] == ' ' || r->buf[i] == '\t' || r->buf[i] == '\r'))
        i++;
    if (i == r->len) {
        p->error = "blank line";
        return;
    }
    json_error_t jerr;
    p->json = json_loadb(r->buf, r->len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
    if (!p->json) {
        p->error = pvg_utf8_valid(r->buf, r->len) ? "invalid json" : "invalid utf-8";
        return;
    }
    if (!json_is_object(p->json)) {
        p->error = "not a json object";
        return;
    }
    json_t *id = json_object_get(p->json, "id");
    if (json_is_string(id) || json_is_number(id)) {
        p->id_raw = raw_member(r->buf, r->len, "id", &p->id_raw_len);
    } else if (id && !json_is_null(id)) {
        p->error = "id must be a string or a number";
        return;
    }
    json_t *ev = json_object_get(p->json, "event");
    json_t *text = json_object_get(p->json, "text");
    if (!text && ev) {
        if (!json_is_string(ev)) {
            p->error = "event must be a string";
            return;
        }
        p->is_event = 1;
        p->event = p->json;
        return;
    }
    if (!text) {
        p->error = "missing text or event";
        return;
    }
    if (!json_is_string(text)) {
        p->error = "text must be a string";
        return;
    }
    pvg_message_t *m = &p->msg;
    m->text = json_string_value(text);
    m->text_len = json_string_length(text);
    m->id = p->id_raw;
    m->id_len = p->id_raw_len;
    m->room = str_or_null(p->json, "room", &m->room_len);
    m->sender = str_or_null(p->json, "sender", &m->sender_len);
    m->sender_name = str_or_null(p->json, "sender_name", &m->sender_name_len);
    json_t *room = json_object_get(p->json, "room");
    json_t *sender = json_object_get(p->json, "sender");
    /* Numeric room and sender ids are common: use their raw text. */
    if (json_is_integer(room))
        m->room = raw_member(r->buf, r->len, "room", &m->room_len);
    if (json_is_integer(sender))
        m->sender = raw_member(r->buf, r->len, "sender", &m->sender_len);
    json_t *surface = json_object_get(p->json, "surface");
    if (surface) {
        int sv = json_is_string(surface)
                     ? pvg_surface_from_name(json_string_value(surface), json_string_length(surface))
                     : PVG_ENOTFOUND;
        if (sv < 0) {
            p->error = "unknown surface";
            return;
        }
        m->surface = sv;
    }
    json_t *ts = json_object_get(p->json, "ts");
    if (ts) {
        if (!json_is_integer(ts) || json_integer_value(ts) < 0) {
            p->error = "ts must be epoch milliseconds";
            return;
        }
        m->ts_ms = json_integer_value(ts);
    }
    json_t *atts = json_object_get(p->json, "attachments");
    if (atts) {
        if (!json_is_array(atts)) {
            p->error = "attachments must be a list";
            return;
        }
        size_t k;
        json_t *a;
        json_array_foreach(atts, k, a) {
            if (!json_is_object(a)) {
                p->error = "attachments must be objects";
                return;
            }
            if (m->n_attachments >= sizeof p->att / sizeof p->att[0])
                break;
            pvg_attachment_t *at = &p->att[m->n_attachments++];
            at->name = str_or_null(a, "name", &at->name_len);
            at->mime = str_or_null(a, "mime", &at->mime_len);
            at->url = str_or_null(a, "url", &at->url_len);
            json_t *sz = json_object_get(a, "size");
            at->size = json_is_integer(sz) ? json_integer_value(sz) : -1;
        }
        m->attachments = p->att;
    }
    /* jansson refuses invalid UTF-8 in strings, so the text is valid. */
}

void parsed_free(parsed_t *p)
{
    if (p->json)
        json_decref(p->json);
    p->json = NULL;
}

/* -------------------------------------------------------------- output */

void write_json_string(FILE *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    putc_unlocked('"', out);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        fwrite(s + run, 1, i - run, out);
        run = i + 1;
        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default: {
            char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            fputs(u, out);
        }
        }
    }
    fwrite(s + run, 1, len - run, out);
    putc_unlocked('"', out);
}

static void write_id(FILE *out, const parsed_t *p)
{
    if (p->id_raw && p->id_raw_len)
        fwrite(p->id_raw, 1, p->id_raw_len, out);
    else
        fputs("null", out);
}

void write_error(FILE *out, const parsed_t *p, size_t line_no, const char *error)
{
    fputs("{\"id\":", out);
    write_id(out, p);
    fprintf(out, ",\"line\":%zu,\"error\":", line_no);
    write_json_string(out, error, strlen(error));
    fputs("}\n", out);
}

/* Scores are printed with two decimals (0.93): enough for thresholds. */
static void write_score(FILE *out, float score)
{
    int v = (int)(score * 100.0f + 0.5f);
    if (v >= 100)
        fputs("1.0", out);
    else
        fprintf(out, "0.%02d", v);
}

void write_result(FILE *out, const parsed_t *p, const pvg_result_t *res, float min_score)
{
    fputs("{\"id\":", out);
    write_id(out, p);
    fputs(",\"findings\":[", out);
    /* Findings below min_score are dropped here (with --min-score); keep a
     * map of old -> new indexes for `identifies`. */
    size_t newidx[256];
    size_t k = 0;
    for (size_t i = 0; i < res->n_findings; i++) {
        const pvg_finding_t *f = &res->findings[i];
        if (f->score < min_score) {
            if (i < 256)
                newidx[i] = (size_t)-1;
            continue;
        }
        if (i < 256)
            newidx[i] = k;
        if (k++)
            putc_unlocked(',', out);
        fprintf(out, "{\"type\":\"%s\",\"class\":\"%s\",\"start\":%zu,\"end\":%zu,\"score\":",
                pvg_entity_name((int)f->type), pvg_class_name((int)f->cls), f->start, f->end);
        write_score(out, f->score);
        if (f->prev_id) {
            fputs(",\"prev\":{\"id\":", out);
            if (f->prev_id_len)
                fwrite(f->prev_id, 1, f->prev_id_len, out);
            else
                fputs("null", out);
            fprintf(out, ",\"start\":%zu,\"end\":%zu}", f->prev_start, f->prev_end);
        }
        putc_unlocked('}', out);
    }
    putc_unlocked(']', out);
    if (res->identifies) {
        fputs(",\"identifies\":{\"findings\":[", out);
        size_t w = 0;
        for (size_t i = 0; i < res->n_identifies_findings; i++) {
            size_t j = res->identifies_findings[i];
            if (j < 256 && newidx[j] == (size_t)-1)
                continue;
            fprintf(out, w++ ? ",%zu" : "%zu", j < 256 ? newidx[j] : j);
        }
        fputs("],\"prev\":[", out);
        for (size_t i = 0; i < res->n_identifies_prev; i++) {
            if (i)
                putc_unlocked(',', out);
            fwrite(res->identifies_prev[i], 1, res->identifies_prev_len[i], out);
        }
        fputs("]}", out);
    }
    fputs(",\"violations\":[", out);
    size_t nv = 0;
    for (size_t i = 0; i < res->n_violations; i++) {
        const pvg_violation_t *v = &res->violations[i];
        if (v->score < min_score)
            continue;
        if (nv++)
            putc_unlocked(',', out);
        fprintf(out, "{\"category\":\"%s\",\"score\":", v->category);
        write_score(out, v->score);
        fputs(",\"reasons\":[", out);
        for (size_t r = 0; r < v->n_reasons; r++) {
            if (r)
                putc_unlocked(',', out);
            write_json_string(out, v->reasons[r], strlen(v->reasons[r]));
        }
        fputs("]", out);
        if (v->shadow)
            fputs(",\"shadow\":true", out);
        fputs(",\"action\":\"", out);
        fputs(pvg_action_name(v->action), out);
        fputs("\"}", out);
    }
    fprintf(out, "],\"action\":\"%s\"}\n", pvg_action_name(res->action));
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
            }
            break;
        }
        if (cap >= ((size_t)1 << 30)) { /* 1 GiB is not a rules file */
            free(buf);
            buf = NULL;
            errno = EFBIG;
            break;
        }
        char *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = n;
    }
    return buf;
}

pvg_engine_t *compile_rules_file(const char *path)
{
    size_t len = 0;
    char *text = NULL;
    if (path) {
        text = read_file(path, &len);
        if (!text) {
            fprintf(stderr, "privguard: cannot read rules file '%s': %s\n", path, strerror(errno));
            return NULL;
        }
    }
    pvg_engine_t *e = NULL;
    pvg_compile_error_t *err = NULL;
    pvg_error_t rc = pvg_engine_compile(text, len, 0, &e, &err);
    if (rc != PVG_OK) {
        if (err)
            fprintf(stderr, "privguard: rules %s:%d:%d: %s%s%s%s\n", path ? path : "(built-in)",
                    err->line, err->column, err->message, err->rule ? " (" : "",
                    err->rule ? err->rule : "", err->rule ? ")" : "");
        else
            fprintf(stderr, "privguard: cannot compile rules: %s\n", pvg_strerror(rc));
        pvg_compile_error_free(err);
        e = NULL;
    }
    free(text);
    return e;
}
