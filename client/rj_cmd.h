/* The commands of renja: the one table (name, usage, help, flags, handler,
 * request kind) and rj_cmd_main, which main() calls. */
#ifndef RJ_CMD_H
#define RJ_CMD_H

#include "rj_cli.h"

extern const rj_command rj_commands[];

/* Run the command line; returns the exit code. */
int rj_cmd_main(int argc, char **argv);

#endif
