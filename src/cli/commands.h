/* SPDX-License-Identifier: MIT */
/*
 * commands.h -- the subcommands of the privguard CLI.
 *
 * Each subcommand is `int pvg_cmd_<name>(int argc, char **argv)` where argv[0]
 * is the subcommand's name; it returns the process exit status (0 success,
 * 1 partial failure such as some lines with errors, 2 usage or fatal error,
 * other codes as documented by the command). A component's commands are
 * compiled in when its folder exists (PVG_HAVE_<component>).
 */
#ifndef PVG_CLI_COMMANDS_H
#define PVG_CLI_COMMANDS_H

/* core (src/cli/cmd_scan.c, cmd_rules.c, cmd_bench.c, cmd_demo.c) */
int pvg_cmd_scan(int argc, char **argv);
int pvg_cmd_redact(int argc, char **argv);
int pvg_cmd_rules(int argc, char **argv);
int pvg_cmd_bench(int argc, char **argv);
int pvg_cmd_demo(int argc, char **argv);
int pvg_cmd_eval(int argc, char **argv);

/* enforcement core (src/cli/cmd_enforce.c; needs src/store and src/enforce) */
int pvg_cmd_report(int argc, char **argv);
int pvg_cmd_case(int argc, char **argv);
int pvg_cmd_sanction(int argc, char **argv);
int pvg_cmd_appeal(int argc, char **argv);
int pvg_cmd_notice(int argc, char **argv);
int pvg_cmd_audit(int argc, char **argv);
int pvg_cmd_purge(int argc, char **argv);
int pvg_cmd_keys(int argc, char **argv);
int pvg_cmd_token(int argc, char **argv);

/* service (src/cli/cmd_serve.c; needs src/server) */
int pvg_cmd_serve(int argc, char **argv);

/* stream worker (src/cli/cmd_stream.c; needs src/stream) */
int pvg_cmd_consume(int argc, char **argv);

/* media (src/cli/cmd_media.c; needs src/media) */
int pvg_cmd_media(int argc, char **argv);

#endif
