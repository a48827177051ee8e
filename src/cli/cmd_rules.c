/* SPDX-License-Identifier: MIT */
/*
 * cmd_rules.c -- `privguard rules check FILE` and `privguard rules dump`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/input.h"

static const char usage[] =
    "usage: privguard rules check FILE   validate a rules file (errors name the line)\n"
    "       privguard rules dump         print the built-in default rules\n";

int pvg_cmd_rules(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "check")) {
        if (argc != 3) {
            fputs(usage, stderr);
            return 2;
        }
        pvg_engine_t *e = compile_rules_file(argv[2]);
        if (!e)
            return 1;
        printf("%s: ok (%zu bytes compiled)\n", argv[2], pvg_engine_size(e));
        pvg_engine_free(e);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "dump")) {
        size_t len;
        const char *text = pvg_default_rules(&len);
        fwrite(text, 1, len, stdout);
        return 0;
    }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return 0;
    }
    fputs(usage, stderr);
    return 2;
}
