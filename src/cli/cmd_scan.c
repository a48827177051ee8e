/* SPDX-License-Identifier: MIT */
/*
 * cmd_scan.c -- `privguard scan` (the scan contract) and `privguard redact`.
 */
#include <getopt.h>
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
    float min_score = o.min_score_set ? o.min_score : 0.0f;
    unsigned flags = o.min_score_set ? PVG_SCAN_ALL : 0;
    pvg_scratch_t *s = NULL;
    pvg_window_t *w = NULL;
    cli_events_t *ce = NULL;
    line_reader_t r;
    int status = 0;
    if (!redact && cli_events_open(o.fingerprint_key, &ce)) {
        pvg_engine_free(e);
        return 2;
    }
    if (pvg_scratch_alloc(e, &s) != PVG_OK || reader_open(&r, stdin)) {
        fprintf(stderr, "privguard: out of memory\n");
        cli_events_close(ce);
        pvg_scratch_free(s);
        pvg_engine_free(e);
        return 2;
    }
    if (o.window && o.format == FORMAT_JSONL &&
        pvg_window_alloc(0, 0, 0, &w) != PVG_OK) {
        fprintf(stderr, "privguard: out of memory\n");
        status = 2;
        goto out;
    }
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    int more;
    mask_buf_t mb = {0};
    while ((more = reader_next(&r)) == 1) {
        parsed_t p;
        parse_line(&r, o.format, &p);
        if (p.error) {
            write_error(stdout, &p, r.line_no, p.error);
            status = 1;
        } else if (p.is_event) {
            if (redact) {
                fwrite(r.buf, 1, r.len, stdout);
                putchar('\n');
            } else {
                pvg_result_t res = {0};
                const char *err = cli_events_scan(ce, e, s, p.event, &res);
                if (err) {
                    write_error(stdout, &p, r.line_no, err);
                    status = 1;
                } else {
                    write_result(stdout, &p, &res, min_score);
                }
            }
        } else {
            pvg_result_t res;
            pvg_error_t err = pvg_scan_message(e, &p.msg, w, flags, s, &res);
            if (err == PVG_OK) {
                if (redact) {
                    if (mask_text(&mb, p.msg.text, p.msg.text_len, res.findings, res.n_findings,
                                  min_score, o.mask_mode)) {
                        write_error(stdout, &p, r.line_no, "out of memory");
                        status = 1;
                    } else if (o.format == FORMAT_TEXT) {
                        fwrite(mb.data, 1, mb.len, stdout);
                        putchar('\n');
                    } else {
                        json_object_set_new(p.json, "text", json_stringn(mb.data, mb.len));
                        char *dump = json_dumps(p.json, JSON_COMPACT | JSON_ENCODE_ANY);
                        if (dump) {
                            fputs(dump, stdout);
                            putchar('\n');
                            free(dump);
                        }
                    }
                } else {
                    write_result(stdout, &p, &res, min_score);
                }
            } else {
                write_error(stdout, &p, r.line_no, pvg_strerror(err));
                status = 1;
            }
        }
        parsed_free(&p);
    }
    mask_buf_free(&mb);
    if (more < 0) {
        fprintf(stderr, "privguard: cannot read standard input\n");
        status = 2;
    }
out:
    if (fflush(stdout) != 0) {
        fprintf(stderr, "privguard: cannot write standard output\n");
        status = 2;
    }
    reader_close(&r);
    cli_events_close(ce);
    pvg_window_free(w);
    pvg_scratch_free(s);
    pvg_engine_free(e);
    return status;
}

int pvg_cmd_scan(int argc, char **argv) { return run(argc, argv, 0); }
int pvg_cmd_redact(int argc, char **argv) { return run(argc, argv, 1); }
