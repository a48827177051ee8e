/* SPDX-License-Identifier: MIT */
/*
 * cmd_server.c -- `privguard serve`: runs the enforcement service
 * (src/server) in the foreground until SIGTERM or SIGINT (graceful
 * shutdown: stop accepting, finish requests in flight, flush the outbox);
 * SIGHUP recompiles the rules file and swaps it in, keeping the running
 * rules when the new ones do not compile (the error and its line go to
 * stderr).
 *
 * Settings come from the defaults, then --config FILE (`key = value`
 * lines, docs/service.md), then flags, so a flag wins over the file.
 * --demo seeds ./data (or --data DIR) with sample reports and one token per
 * role and prints them with the URL before serving (`make run`).
 *
 * Exit status: 0 after a clean shutdown; 2 usage or a fatal error at start.
 */
#ifdef PVG_HAVE_server
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/commands.h"
#include "server/server.h"

static const char usage_text[] =
    "usage: privguard serve [--config FILE] [--listen HOST:PORT] [--store PATH|CONNINFO]\n"
    "                       [--rules FILE] [--web DIR] [--webhook URL] [--threads N]\n"
    "                       [--workers N] [--data DIR] [--keys DIR] [--ladder FILE]\n"
    "                       [--nats URLS] [--set KEY=VALUE]... [--demo]\n"
    "  defaults: --listen 127.0.0.1:8080, --store <data>/privguard.db, --data ./data,\n"
    "  --web ./web when it exists; SIGHUP reloads the rules; SIGTERM/SIGINT stop.\n"
    "  --nats: sanction changes are announced on and picked up from <nats_prefix>.sanction.changed\n"
    "  (docs/deploy.md), so every node enforces them within a second.\n";

int pvg_cmd_serve(int argc, char **argv)
{
    static const char *const with_value[] = {"--listen", "--store",   "--rules", "--web",
                                             "--webhook", "--threads", "--workers", "--data",
                                             "--keys",   "--ladder",  "--nats", NULL};
    pvg_server_config_t c;
    pvg_server_config_init(&c);
    char err[512];
    int demo = 0;
    /* The config file first, wherever --config stands, so flags win. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config")) {
            if (i + 1 >= argc) {
                fputs(usage_text, stderr);
                pvg_server_config_free(&c);
                return 2;
            }
            if (pvg_server_config_file(&c, argv[i + 1], err, sizeof err)) {
                fprintf(stderr, "privguard: %s\n", err);
                pvg_server_config_free(&c);
                return 2;
            }
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            pvg_server_config_free(&c);
            return 0;
        }
        if (!strcmp(a, "--demo")) {
            demo = 1;
            continue;
        }
        if (!strcmp(a, "--config")) {
            i++;
            continue;
        }
        if (!strcmp(a, "--set")) {
            char kv[1024];
            char *eq = i + 1 < argc ? strchr(argv[i + 1], '=') : NULL;
            if (!eq || strlen(argv[i + 1]) >= sizeof kv) {
                fputs(usage_text, stderr);
                pvg_server_config_free(&c);
                return 2;
            }
            snprintf(kv, sizeof kv, "%s", argv[++i]);
            kv[eq - argv[i]] = 0;
            if (pvg_server_config_set(&c, kv, kv + (eq - argv[i]) + 1, err, sizeof err)) {
                fprintf(stderr, "privguard: %s\n", err);
                pvg_server_config_free(&c);
                return 2;
            }
            continue;
        }
        int known = 0;
        for (int k = 0; with_value[k]; k++)
            known |= !strcmp(a, with_value[k]);
        if (!known || i + 1 >= argc) {
            if (!known)
                fprintf(stderr, "privguard: unknown option '%s'\n", a);
            else
                fprintf(stderr, "privguard: option '%s' needs a value\n", a);
            fputs(usage_text, stderr);
            pvg_server_config_free(&c);
            return 2;
        }
        if (pvg_server_config_set(&c, a + 2, argv[++i], err, sizeof err)) {
            fprintf(stderr, "privguard: %s\n", err);
            pvg_server_config_free(&c);
            return 2;
        }
    }

    char store_buf[1200];
    if (!c.store) {
        snprintf(store_buf, sizeof store_buf, "%s/privguard.db", c.data ? c.data : "./data");
        if (pvg_server_config_set(&c, "store", store_buf, err, sizeof err)) {
            fprintf(stderr, "privguard: %s\n", err);
            pvg_server_config_free(&c);
            return 2;
        }
    }
    char tokens[5][65];
    if (demo && pvg_server_demo_seed(c.store, c.keys, tokens, err, sizeof err)) {
        fprintf(stderr, "privguard: %s\n", err);
        pvg_server_config_free(&c);
        return 2;
    }

    /* Signals are taken synchronously by this thread (sigwait); every
     * thread the server starts inherits the blocked mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    pvg_server_t *s = NULL;
    if (pvg_server_start(&c, &s, err, sizeof err)) {
        fprintf(stderr, "privguard: %s\n", err);
        pvg_server_config_free(&c);
        return 2;
    }
    const char *listen = c.listen ? c.listen : "127.0.0.1:8080";
    const char *colon = strrchr(listen, ':');
    int hl = colon ? (int)(colon - listen) : 0;
    if (demo) {
        static const char *const names[5] = {"service", "reporter_app", "triage", "moderator",
                                             "admin"};
        printf("{\"url\": \"http://%.*s:%u\", \"store\": \"%s\", \"tokens\": {", hl, listen,
               (unsigned)pvg_server_port(s), c.store);
        for (int i = 0; i < 5; i++)
            printf("%s\"%s\": \"%s\"", i ? ", " : "", names[i], tokens[i]);
        printf("}}\n");
        sodium_memzero(tokens, sizeof tokens);
    }
    fprintf(stderr, "privguard serve: listening on http://%.*s:%u (store %s)\n", hl, listen,
            (unsigned)pvg_server_port(s),
            strstr(c.store, "password") ? "(connection string)" : c.store);
    fflush(stdout);

    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig))
            continue;
        if (sig == SIGHUP) {
            if (pvg_server_reload(s, err, sizeof err))
                fprintf(stderr, "privguard serve: rules reload failed, keeping the running rules: %s\n",
                        err);
            else
                fprintf(stderr, "privguard serve: rules reloaded\n");
            continue;
        }
        fprintf(stderr, "privguard serve: %s received, shutting down\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
        break;
    }
    pvg_server_stop(s, 30000);
    pvg_server_config_free(&c);
    fprintf(stderr, "privguard serve: stopped\n");
    return 0;
}
#endif /* PVG_HAVE_server */
