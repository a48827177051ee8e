/* SPDX-License-Identifier: MIT */
/*
 * fuzz_server_request.c -- libFuzzer driver for the service's request
 * parsing. Input: "METHOD PATH\n" then the body. The driver routes the
 * path (route table, numeric and account path ids, static-file path
 * check), then parses the body the way the route's handler does: the scan
 * contract's message (and a batch's messages), or a write endpoint's
 * fields into the enforcement core's input structs -- without a store or
 * an engine. Invariants: the route is in range; a malformed id leaves id
 * 0; a safe static path never holds a ".." segment; every error message is
 * short printable ASCII (so it cannot carry message text, which is UTF-8
 * Korean in practice; tests/server checks that errors do not echo bodies);
 * a message that parses has valid UTF-8 text within the limit, and a
 * result written for its id is valid JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_msg(const char *msg, const uint8_t *body, size_t blen)
{
    size_t n = strlen(msg);
    if (n >= 200)
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)msg[i] < 0x20 || (unsigned char)msg[i] >= 0x7f)
            abort();
    (void)body;
    (void)blen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t hl = nl ? (size_t)(nl - data) : size;
    if (hl >= 1100)
        return 0;
    char head[1104];
    memcpy(head, data, hl);
    head[hl] = 0;
    if (memchr(head, 0, hl))
        return 0;
    const uint8_t *body = nl ? nl + 1 : data + size;
    size_t blen = (size_t)(data + size - body);
    char *sp = strchr(head, ' ');
    const char *method = head, *path = sp ? sp + 1 : "/";
    if (sp)
        *sp = 0;
    unsigned m = (unsigned)pvg__method_bit(method);
    int64_t id = -1;
    char acct[260];
    int bad = 0;
    int route = pvg__route_match(path, &id, acct, sizeof acct, &bad);
    if (route < 0 || route >= RT_COUNT)
        abort();
    if (bad && id != 0)
        abort();
    if (!bad && id < 0)
        abort();
    if (m == M_GET && route == RT_APPEALS_POST)
        route = RT_APPEALS_LIST;
    if (route == RT_STATIC && pvg__safe_path(path) && strstr(path, "/../"))
        abort();
    json_error_t jerr;
    json_t *o = json_loadb((const char *)body, blen, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!o)
        return 0;
    char msg[200];
    if (route == RT_SCAN || route == RT_SCAN_BATCH) {
        json_t *list = route == RT_SCAN ? NULL : json_object_get(o, "messages");
        size_t n = list ? json_array_size(list) : 1;
        for (size_t i = 0; i < n && i < 64; i++) {
            pvg_message_t mm;
            pvg_attachment_t att[16];
            char idbuf[512];
            const char *err = pvg__parse_message(list ? json_array_get(list, i) : o, &mm, att, 16,
                                                 idbuf, sizeof idbuf);
            if (err) {
                check_msg(err, body, blen);
            } else {
                if (!mm.text || mm.text_len > PVG_MAX_TEXT || mm.n_attachments > 16)
                    abort();
                if (!pvg_utf8_valid(mm.text, mm.text_len))
                    abort();
                /* an empty result written for the id must be valid JSON */
                pvg_result_t res;
                memset(&res, 0, sizeof res);
                sb_t out;
                sb_init(&out, 1 << 16);
                pvg__write_result(&out, mm.id, mm.id_len, &res);
                json_t *back = out.data ? json_loadb(out.data, out.len, 0, NULL) : NULL;
                if (!back)
                    abort();
                json_decref(back);
                sb_wipe_free(&out);
            }
        }
    } else if (pvg__routes[route].write && json_is_object(o)) {
        if (pvg__parse_enforce_body(route, o, msg, sizeof msg))
            check_msg(msg, body, blen);
    }
    json_decref(o);
    return 0;
}
