/* Writing man(7) pages: text made safe for roff. Used by the generated
 * manual pages of renja(1) and renjad(8). */
#ifndef RJ_ROFF_H
#define RJ_ROFF_H

#include <stdio.h>

/* s with backslashes and hyphens escaped, and no line starting with a
 * control character ('.' or '\''). */
void rj_roff_put(FILE *out, const char *s);
/* The same, as a line of its own. */
void rj_roff_line(FILE *out, const char *s);
/* A tagged paragraph for an option: .TP, dashes name ("--", "data-dir") in
 * bold, ARG in italic, then help. */
void rj_roff_option(FILE *out, const char *dashes, const char *name, const char *arg,
                    const char *help);
/* Lines kept as they are (examples), indented, in a no-fill block. */
void rj_roff_verbatim(FILE *out, const char *text);

#endif
