#include "rj_roff.h"

#include <string.h>

void rj_roff_put(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", out);
        else if (*s == '-')
            fputs("\\-", out);
        else if (*s == '\n') {
            fputc('\n', out);
            if (s[1] == '.' || s[1] == '\'')
                fputs("\\&", out);
        } else
            fputc(*s, out);
    }
}

void rj_roff_line(FILE *out, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", out);
    rj_roff_put(out, s);
    fputc('\n', out);
}

void rj_roff_option(FILE *out, const char *dashes, const char *name, const char *arg,
                    const char *help)
{
    fputs(".TP\n\\fB", out);
    rj_roff_put(out, dashes);
    rj_roff_put(out, name);
    fputs("\\fR", out);
    if (arg) {
        fputs(" \\fI", out);
        rj_roff_put(out, arg);
        fputs("\\fR", out);
    }
    fputc('\n', out);
    rj_roff_line(out, help);
}

void rj_roff_verbatim(FILE *out, const char *text)
{
    fputs(".PP\n.RS 4\n.nf\n", out);
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        char line[2048];
        snprintf(line, sizeof(line), "%.*s", (int)n, p);
        rj_roff_line(out, strncmp(line, "  ", 2) == 0 ? line + 2 : line);
        p += n + (p[n] ? 1 : 0);
    }
    fputs(".fi\n.RE\n", out);
}
