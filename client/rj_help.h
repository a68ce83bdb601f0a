/* What renja says about itself, all of it generated from the one command
 * table (client/rj_cmd.c) and the global options (rj_cli_globals): the
 * help of renja help and renja COMMAND --help, the manual page renja(1),
 * the command reference docs/cli.md, and the shell completion scripts.
 * Nothing here talks to a server; every function only writes to out.
 */
#ifndef RJ_HELP_H
#define RJ_HELP_H

#include <stdbool.h>
#include <stdio.h>

#include "rj_cli.h"

/* renja help: the commands, global options, topics and exit codes. */
void rj_help_all(const rj_command *table, FILE *out);
/* renja help COMMAND: usage, what it does, every flag with a sentence, examples. */
void rj_help_command(const rj_command *c, FILE *out);
/* renja help --help. */
void rj_help_help(FILE *out);
/* renja help TOPIC (refs, output, exit-codes, ...: rj_help_topics); false if there
 * is no such topic. */
bool rj_help_topic(const char *name, FILE *out);
/* The topic names, ended by NULL. */
extern const char *const rj_help_topics[];

/* renja(1) in man(7) roff. */
void rj_help_man(const rj_command *table, FILE *out);
/* docs/cli.md: the same as renja help, every command's help and the topics. */
void rj_help_markdown(const rj_command *table, FILE *out);
/* renja completion bash|zsh: the script; -1 for another shell. The script
 * asks "renja __complete WORD..." for the candidates. */
int rj_help_completion(const char *shell, FILE *out);

#endif
