/* renja-docgen KIND [OUT]: the documents generated at build time from the
 * command tables, so they cannot drift from the programs:
 *
 *   renja.1   the manual page of renja (client/rj_cmd.c, client/rj_help.c)
 *   renjad.8  the manual page of renjad (daemon/rj_dcli.c)
 *   cli.md    docs/cli.md, the command reference
 */
#include <stdio.h>
#include <string.h>

#include "rj_cmd.h"
#include "rj_dcli.h"
#include "rj_help.h"

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: renja-docgen renja.1|renjad.8|cli.md [OUT]\n");
        return 2;
    }
    FILE *out = argc == 3 ? fopen(argv[2], "w") : stdout;
    if (!out) {
        perror(argv[2]);
        return 1;
    }
    if (strcmp(argv[1], "renja.1") == 0)
        rj_help_man(rj_commands, out);
    else if (strcmp(argv[1], "renjad.8") == 0)
        rj_dcli_man(out);
    else if (strcmp(argv[1], "cli.md") == 0)
        rj_help_markdown(rj_commands, out);
    else {
        fprintf(stderr, "renja-docgen: unknown document %s\n", argv[1]);
        return 2;
    }
    if ((out != stdout && fclose(out) != 0) || (out == stdout && fflush(out) != 0)) {
        perror("renja-docgen");
        return 1;
    }
    return 0;
}
