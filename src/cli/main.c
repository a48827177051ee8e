/* SPDX-License-Identifier: MIT */
/*
 * main.c -- the privguard command: one program for scanning, redaction,
 * rules, benchmarks and (as their components land) the enforcement core,
 * the service, the stream worker and the media hash bank.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include <privguard/privguard.h>

#include "cli/commands.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} command_t;

static const command_t commands[] = {
    {"scan", pvg_cmd_scan, "scan JSONL or text messages on stdin (the scan contract)"},
    {"redact", pvg_cmd_redact, "write each message with its findings masked"},
    {"rules", pvg_cmd_rules, "rules check FILE | rules diff OLD NEW FILE | rules dump"},
    {"bench", pvg_cmd_bench, "measure messages per second on one core"},
    {"demo", pvg_cmd_demo, "scan a conversation and print a readable summary"},
    {"eval", pvg_cmd_eval, "precision, recall and F1 on a labelled JSONL file"},
#ifdef PVG_HAVE_enforce
    {"report", pvg_cmd_report, "file a report"},
    {"case", pvg_cmd_case, "case list|show|decide|escalate"},
    {"sanction", pvg_cmd_sanction, "sanction check|list|revoke"},
    {"appeal", pvg_cmd_appeal, "appeal file|resolve"},
    {"notice", pvg_cmd_notice, "notice file|blind|resolve"},
    {"audit", pvg_cmd_audit, "audit verify"},
    {"purge", pvg_cmd_purge, "purge evidence past retention"},
    {"keys", pvg_cmd_keys, "keys rotate"},
    {"token", pvg_cmd_token, "token create --role ROLE"},
#endif
#ifdef PVG_HAVE_server
    {"serve", pvg_cmd_serve, "run the HTTP service and the reviewer console"},
#endif
#ifdef PVG_HAVE_stream
    {"consume", pvg_cmd_consume, "scan messages from NATS JetStream"},
#endif
#ifdef PVG_HAVE_media
    {"media", pvg_cmd_media, "media hash|match FILE"},
#endif
};

static void usage(FILE *f)
{
    fprintf(f, "usage: privguard <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'privguard <command> --help' tells more.\n");
}

int main(int argc, char **argv)
{
    /* Each input line's JSON tree is allocated and freed: keep the freed
     * memory in the process instead of returning it to the kernel after
     * every line. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 8 << 20);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("privguard %s\n", pvg_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "privguard: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
