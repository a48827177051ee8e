/* SPDX-License-Identifier: MIT */
/*
 * input.h -- reading the scan contract's input (JSONL or text lines) and
 * writing its output, shared by scan, redact, demo, bench and rules diff.
 */
#ifndef PVG_CLI_INPUT_H
#define PVG_CLI_INPUT_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <privguard/privguard.h>

/* The longest input line (DETECTION.md: default 1 MiB); longer lines are
 * skipped in constant memory and get an error line. */
#define CLI_MAX_LINE ((size_t)1 << 20)

typedef struct line_reader {
    FILE *f;
    char *buf;       /* CLI_MAX_LINE + 1 bytes */
    size_t len;      /* bytes of the current line (without \n) */
    size_t line_no;  /* 1-based */
    int too_long;    /* the current line was longer than the limit */
    int eof;
} line_reader_t;

int reader_open(line_reader_t *r, FILE *f);
void reader_close(line_reader_t *r);
/* Reads the next line. Returns 1 with a line, 0 at the end, -1 on a read
 * error. */
int reader_next(line_reader_t *r);

enum { FORMAT_JSONL = 0, FORMAT_TEXT = 1 };

/* One parsed input line. Strings point into `json` or the reader's buffer. */
typedef struct parsed {
    json_t *json;            /* the object, or NULL */
    pvg_message_t msg;
    const char *id_raw;      /* the id as written in JSON ("\"m1\"", 17) or NULL */
    size_t id_raw_len;
    char id_buf[32];         /* text mode: the line number */
    int is_event;
    json_t *event;           /* the whole event object (borrowed from json) */
    const char *error;       /* set when the line is an error */
    pvg_attachment_t att[16];
} parsed_t;

/* Parses the reader's current line. On error p->error is set and p->id_raw
 * is the id when one could be read. The caller calls parsed_free(). */
void parse_line(const line_reader_t *r, int format, parsed_t *p);
void parsed_free(parsed_t *p);

/* Writes JSON-escaped s (len bytes, may hold NUL) with quotes. */
void write_json_string(FILE *out, const char *s, size_t len);
/* Writes an error line for the current line. */
void write_error(FILE *out, const parsed_t *p, size_t line_no, const char *error);
/* Writes one result line in the scan contract's shape. */
void write_result(FILE *out, const parsed_t *p, const pvg_result_t *res, float min_score);

/* Reads a whole file into memory (NUL-terminated); NULL with errno set. */
char *read_file(const char *path, size_t *len);

/* Compiles the rules of path (NULL: built-in defaults) and prints the
 * compile error, if any, as "privguard: rules FILE:LINE: message (rule)".
 * Returns the engine or NULL. */
pvg_engine_t *compile_rules_file(const char *path);

#endif
