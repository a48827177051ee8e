/* SPDX-License-Identifier: MIT */
/*
 * demo.c -- seeds a store for `privguard serve --demo` (`make run`): two
 * user reports (with generated, fake evidence) about one account, which
 * open one case, and a fresh API token for each role. Running it again on
 * the same store adds no second copy of the reports (they carry external
 * ids, so a rerun is a retry) but creates new tokens, since tokens are
 * shown only once.
 */
#include <stdio.h>
#include <string.h>

#include "server/internal.h"

int pvg_server_demo_seed(const char *store, const char *keys, char tokens[5][65], char *err,
                         size_t errlen)
{
    pvg_enforce_options_t o;
    pvg_enforce_options_init(&o);
    o.store = store;
    o.key_dir = keys;
    o.pool_size = 1;
    pvg_enforce_t *e = NULL;
    int rc = pvg_enforce_open(&o, &e);
    if (rc) {
        snprintf(err, errlen, "cannot open store '%s': %s", store, pvg_enf_errname(rc));
        return -1;
    }
    pvg_actor_t admin = {"demo:setup", PVG_ROLE_ADMIN, NULL};
    pvg_actor_t app = {"demo:reporting-app", PVG_ROLE_REPORTER_APP, NULL};
    /* Fake values only: 010-0000-0000 style numbers and a made-up name. */
    static const char ev1[] = "이 사람 번호 010-0000-1234 다들 연락해";
    static const char ev2[] = "홍길동 사는 곳 서울시 가상구 예시로 12 사기꾼임";
    pvg_evidence_in_t e1 = {.text = ev1, .len = sizeof ev1 - 1, .sender = "user:demo-poster",
                            .room = "openchat:demo", .surface = "open_chat",
                            .message_id = "demo-m1"};
    pvg_evidence_in_t e2 = {.text = ev2, .len = sizeof ev2 - 1, .sender = "user:demo-poster",
                            .room = "openchat:demo", .surface = "open_chat",
                            .message_id = "demo-m2"};
    pvg_report_in_t r1 = {.reporter = "user:demo-reporter-1", .account = "user:demo-poster",
                          .subject_type = "message", .subject_id = "demo-m1",
                          .reason = "pii_exposure", .channel = "in_app",
                          .external_id = "demo-report-1", .evidence = &e1, .n_evidence = 1};
    pvg_report_in_t r2 = {.reporter = "user:demo-reporter-2", .account = "user:demo-poster",
                          .subject_type = "message", .subject_id = "demo-m2",
                          .reason = "pii_exposure", .channel = "in_app",
                          .external_id = "demo-report-2", .evidence = &e2, .n_evidence = 1};
    pvg_report_out_t out;
    rc = pvg_report_submit(e, &app, &r1, &out);
    if (!rc)
        rc = pvg_report_submit(e, &app, &r2, &out);
    if (rc) {
        snprintf(err, errlen, "cannot file the demo reports: %s", pvg_enf_errname(rc));
        pvg_enforce_close(e);
        return -1;
    }
    static const pvg_role_t roles[5] = {PVG_ROLE_SERVICE, PVG_ROLE_REPORTER_APP, PVG_ROLE_TRIAGE,
                                        PVG_ROLE_MODERATOR, PVG_ROLE_ADMIN};
    for (int i = 0; i < 5; i++) {
        int64_t id;
        char label[48];
        snprintf(label, sizeof label, "demo %s", pvg_role_name(roles[i]));
        rc = pvg_token_create(e, &admin, roles[i], label, tokens[i], &id);
        if (rc) {
            snprintf(err, errlen, "cannot create a demo token: %s", pvg_enf_errname(rc));
            pvg_enforce_close(e);
            return -1;
        }
    }
    pvg_enforce_close(e);
    return 0;
}
