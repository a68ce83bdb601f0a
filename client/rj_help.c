#include "rj_help.h"

#include <string.h>

#include "rj_roff.h"

#define WIDTH 79 /* help text fits a terminal of 80 columns */
#define FLAG_COL 22

typedef struct topic {
    const char *name;
    const char *title;
    const char *text; /* paragraphs separated by blank lines; lines starting "  " are kept */
} topic;

static const topic topics[] = {
    {"refs", "Points in history",
     "FROM, TO, --at and --realisasi-at take a stage name (apbd), a revision number (7) or "
     "head."},
    {"output", "Output",
     "Write commands print the new revision number (or the name created) alone on a line in "
     "tsv and csv, {\"rev\": N, ...} in json. Listing commands print one record per line in "
     "tsv (no header unless --header, so wc -l counts records) and csv (one header line), and "
     "one document in json: {\"plan\": ..., \"<records>\": [...]} with revisions (log), items "
     "(show), rows (diff, eval, compare), findings (validate), stages, plans. In json money "
     "is an integer number of rupiah and decimals are JSON numbers; the keys of csv, tsv and "
     "json are English and stay as they are.\n"
     "\n"
     "On a terminal the human table speaks the document's language: Indonesian headers and "
     "messages, numbers written the Indonesian way (15.320.055.480, 12,23, negatives in "
     "parentheses, a zero amount as -). It fits the width of the terminal: long Uraian, "
     "Indikator and message cells wrap, less needed columns are left out (the table says "
     "which), and numbers are never shortened; --wide prints every column at full width. "
     "Output to a pipe or a file is never fitted.\n"
     "\n"
     "Times are shown to people in the zone of $TZ (WIB, UTC+7, when TZ is unset), e.g. "
     "2024-08-16 17:00:00 WIB; machine formats write them in UTC as ISO 8601 with its "
     "offset, e.g. 2024-08-16T10:00:00Z.\n"
     "\n"
     "log PLAN KODE adds a changes column: what each revision changed in that item or budget "
     "line (pagu: 233608632 -> 233608649; indikator.1.target: 150 -> 200).\n"
     "\n"
     "diff --level L shows program-tree rows at level L and above (budget lines have no level "
     "and are left out); --by bidang|sumber-dana groups the sub kegiatan by their own field, "
     "--by rekening shows the budget lines down to jenis (5.1.01). Groups by bidang or sumber "
     "dana add up sub kegiatan, so where a declared parent pagu differs from the sum of its "
     "children (what validate reports as rollup-mismatch) they add up to the sub kegiatan, "
     "not to the plan total.\n"
     "\n"
     "import, export and other calls that take longer than a second show a progress line on "
     "standard error when it is a terminal; it is erased when the call ends."},
    {"exit-codes", "Exit status",
     "  0  success\n"
     "  1  the request was refused or failed (message on stderr)\n"
     "  2  usage error (bad flags or arguments)\n"
     "  3  conflict: someone changed the same item after your base revision; re-read, retry\n"
     "  4  not found (plan, stage, revision, item)\n"
     "  5  permission denied, or a missing or invalid token\n"
     "  6  server unavailable (not running, wrong address) or no answer within --timeout\n"
     "  7  validation failed (validate, or a submit rejected for invalid data)\n"
     "  8  differences found (diff --exit-code only); no differences is 0"},
    {"environment", "Environment",
     "  RENJA_SERVER  the server when --server is not given\n"
     "  RENJA_TOKEN   the token when --token is not given\n"
     "  RENJA_FORMAT  the output format when --format is not given\n"
     "  TZ            the time zone of the times shown in tables (default WIB)"},
    {NULL, NULL, NULL},
};

const char *const rj_help_topics[] = {"refs", "output", "exit-codes", "environment", NULL};

/* Words of text wrapped to WIDTH, each line starting with indent spaces;
 * the first line starts at column col (text already printed there). */
static void wrap(FILE *out, const char *text, int indent, int col)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        if (col > indent && col + 1 + (int)n > WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        } else if (col < indent) {
            fprintf(out, "%*s", indent - col, "");
            col = indent;
        }
        fwrite(p, 1, n, out);
        col += (int)n;
        p += n;
    }
    fputc('\n', out);
}

/* A topic's text: paragraphs wrapped, lines starting with two spaces as they are. */
static void print_text(FILE *out, const char *text, int indent)
{
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\n");
        char line[2048];
        snprintf(line, sizeof(line), "%.*s", (int)n, p);
        if (strncmp(line, "  ", 2) == 0)
            fprintf(out, "%*s%s\n", indent, "", line);
        else if (!*line)
            fputc('\n', out);
        else
            wrap(out, line, indent, 0);
        p += n;
        if (*p)
            p++;
    }
}

static void flag_line(FILE *out, const rj_flag *f, int indent)
{
    char head[128];
    snprintf(head, sizeof(head), "%*s--%s%s%s", indent, "", f->name, f->arg ? " " : "",
             f->arg ? f->arg : "");
    fputs(head, out);
    int col = (int)strlen(head);
    if (col + 2 > FLAG_COL) {
        fputc('\n', out);
        col = 0;
    }
    wrap(out, f->help, FLAG_COL, col);
}

static size_t name_width(const rj_command *table)
{
    size_t w = 0;
    for (const rj_command *c = table; c->name; c++) {
        char n[64];
        rj_cli_name(c, n, sizeof(n));
        if (strlen(n) > w)
            w = strlen(n);
    }
    return w;
}

static void usage_line(FILE *out, const char *prefix, const char *usage)
{
    fputs(prefix, out);
    wrap(out, usage, (int)strlen(prefix), (int)strlen(prefix));
}

void rj_help_all(const rj_command *table, FILE *out)
{
    fprintf(out, "usage: renja [GLOBAL OPTIONS] COMMAND [ARGS...]\n\nCommands:\n");
    int w = (int)name_width(table);
    for (const rj_command *c = table; c->name; c++) {
        char n[64];
        rj_cli_name(c, n, sizeof(n));
        fprintf(out, "  %-*s", w, n);
        wrap(out, c->help, w + 4, w + 2);
    }
    fprintf(out, "  %-*s", w, "help");
    wrap(out, "this help, or that of a command or topic: help COMMAND, help TOPIC", w + 4, w + 2);
    fprintf(out, "\nGlobal options (before or after the command):\n");
    for (const rj_flag *f = rj_cli_globals; f->name; f++)
        flag_line(out, f, 2);
    fprintf(out, "  -h, --help          this help (after a command: the help of that command)\n"
                 "  --version           the version of renja\n");
    fprintf(out, "\nTopics (renja help TOPIC):");
    for (int i = 0; rj_help_topics[i]; i++)
        fprintf(out, " %s", rj_help_topics[i]);
    fprintf(out, "\n\n");
    print_text(out,
               "Exit codes: 0 ok, 1 refused or failed, 2 usage, 3 conflict, 4 not found, 5 "
               "permission denied, 6 server unavailable or no answer within --timeout, 7 "
               "validation failed, 8 differences "
               "found (diff --exit-code).",
               0);
    fprintf(out,
            "Run 'renja help COMMAND' or 'renja COMMAND -h' for the arguments of a command.\n");
}

void rj_help_command(const rj_command *c, FILE *out)
{
    char n[64], u[1024], prefix[96];
    rj_cli_name(c, n, sizeof(n));
    rj_cli_usage(c, u, sizeof(u));
    snprintf(prefix, sizeof(prefix), "usage: renja %s ", n);
    usage_line(out, prefix, u);
    fputc('\n', out);
    wrap(out, c->help, 0, 0);
    if (c->about) {
        fputc('\n', out);
        wrap(out, c->about, 0, 0);
    }
    if (c->flags && c->flags->name) {
        fprintf(out, "\nOptions:\n");
        for (const rj_flag *f = c->flags; f->name; f++)
            flag_line(out, f, 2);
    }
    if (c->examples) {
        /* Never wrapped: an example is copied as it is. */
        fprintf(out, "\nExamples:\n");
        for (const char *p = c->examples; *p;) {
            size_t len = strcspn(p, "\n");
            fprintf(out, "  %.*s\n", (int)len, p);
            p += len + (p[len] ? 1 : 0);
        }
    }
    fprintf(out, "\nGlobal options:");
    for (const rj_flag *f = rj_cli_globals; f->name; f++)
        fprintf(out, " --%s", f->name);
    fputc('\n', out);
}

bool rj_help_topic(const char *name, FILE *out)
{
    for (const topic *t = topics; t->name; t++)
        if (strcmp(t->name, name) == 0) {
            fprintf(out, "%s\n\n", t->title);
            print_text(out, t->text, 0);
            return true;
        }
    return false;
}

/* --- renja(1) ---------------------------------------------------------------------------- */

static void roff_text(FILE *out, const char *text)
{
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\n");
        if (n == 0) {
            p++;
            continue;
        }
        char line[4096];
        snprintf(line, sizeof(line), "%.*s", (int)n, p);
        if (strncmp(line, "  ", 2) == 0) {
            /* a block of kept lines */
            const char *q = p;
            while (*q && strncmp(q, "  ", 2) == 0)
                q += strcspn(q, "\n") + (q[strcspn(q, "\n")] ? 1 : 0);
            char block[4096];
            snprintf(block, sizeof(block), "%.*s", (int)(q - p), p);
            size_t bl = strlen(block);
            if (bl && block[bl - 1] == '\n')
                block[bl - 1] = 0;
            rj_roff_verbatim(out, block);
            p = q;
            continue;
        }
        fputs(".PP\n", out);
        rj_roff_line(out, line);
        p += n;
    }
}

static const topic *topic_named(const char *name)
{
    for (const topic *t = topics; t->name; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

static void roff_section(FILE *out, const char *title)
{
    fputs(".SH ", out);
    for (const char *p = title; *p; p++)
        fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, out);
    fputc('\n', out);
}

void rj_help_man(const rj_command *table, FILE *out)
{
    fprintf(out, ".TH RENJA 1 \"\" \"renja %s\" \"User Commands\"\n", RENJA_VERSION);
    fputs(".SH NAME\nrenja \\- client of renjad, the versioned Renja and budget store\n"
          ".SH SYNOPSIS\n.B renja\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR...]\n"
          ".SH DESCRIPTION\n"
          "renja talks to renjad over gRPC: it submits the plan tree, budget lines and "
          "realisasi of a Renja Perangkat Daerah as revisions, names stages (tahapan), and "
          "answers what changed between two stages (Tabel 3.3), pagu across stages (Tabel "
          "3.2) and how far each indikator is (Tabel 2\\-1). Data goes to standard output, "
          "diagnostics to standard error. On a terminal it prints aligned tables; otherwise "
          "tab\\-separated records, or csv and json with \\fB\\-\\-format\\fR.\n"
          ".SH GLOBAL OPTIONS\nThey may come before or after the command.\n",
          out);
    for (const rj_flag *f = rj_cli_globals; f->name; f++)
        rj_roff_option(out, f->name, f->arg, f->help);
    fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nThe help of renja, or of the command it "
          "follows.\n.TP\n\\fB\\-\\-version\\fR\nThe version of renja.\n.SH COMMANDS\n",
          out);
    for (const rj_command *c = table; c->name; c++) {
        char n[64], u[1024];
        rj_cli_name(c, n, sizeof(n));
        rj_cli_usage(c, u, sizeof(u));
        fputs(".SS ", out);
        rj_roff_line(out, n);
        fputs(".B renja ", out);
        rj_roff_put(out, n);
        fputs("\n", out);
        rj_roff_line(out, u);
        fputs(".PP\n", out);
        rj_roff_line(out, c->help);
        if (c->about) {
            fputs(".PP\n", out);
            rj_roff_line(out, c->about);
        }
        for (const rj_flag *f = c->flags; f && f->name; f++)
            rj_roff_option(out, f->name, f->arg, f->help);
        if (c->examples) {
            fputs(".PP\nExamples:\n", out);
            rj_roff_verbatim(out, c->examples);
        }
    }
    fputs(".SS help\n.B renja help\n[\\fICOMMAND\\fR|\\fITOPIC\\fR]\n.PP\nThe help of renja, "
          "of a command, or of a topic: refs, output, exit\\-codes, environment.\n",
          out);
    const char *order[] = {"refs", "output", "exit-codes", "environment"};
    for (int i = 0; i < 4; i++) {
        const topic *t = topic_named(order[i]);
        roff_section(out, t->title);
        roff_text(out, t->text);
    }
    fputs(".SH SEE ALSO\n\\fBrenjad\\fR(8); the command reference docs/cli.md and the import "
          "format docs/import\\-format.md of the source tree.\n",
          out);
}

/* --- docs/cli.md ------------------------------------------------------------------------ */

void rj_help_markdown(const rj_command *table, FILE *out)
{
    fputs("# renja command reference\n\n"
          "<!-- Generated from the client's command table (client/rj_cmd.c, client/rj_help.c)"
          " by renja-docgen; a test fails when it is stale. Edit those, then run\n"
          "     build/renja-docgen cli.md > docs/cli.md -->\n\n"
          "`renja help` prints the first block, `renja help COMMAND` (or `renja COMMAND "
          "--help`) the help of one command and `renja help TOPIC` a topic; `man renja` has "
          "all of it.\n\n```\n",
          out);
    rj_help_all(table, out);
    fputs("```\n\n## Commands\n", out);
    for (const rj_command *c = table; c->name; c++) {
        char n[64];
        rj_cli_name(c, n, sizeof(n));
        fprintf(out, "\n### renja %s\n\n```\n", n);
        rj_help_command(c, out);
        fputs("```\n", out);
    }
    for (const topic *t = topics; t->name; t++) {
        fprintf(out, "\n## %s\n\n`renja help %s`\n\n```\n", t->title, t->name);
        print_text(out, t->text, 0);
        fputs("```\n", out);
    }
}

/* --- completion ------------------------------------------------------------------------- */

static const char bash_script[] = "# bash completion for renja: source <(renja completion bash)\n"
                                  "_renja() {\n"
                                  "    local IFS=$'\\n' cur=${COMP_WORDS[COMP_CWORD]}\n"
                                  "    COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" __complete "
                                  "\"${COMP_WORDS[@]:1:COMP_CWORD}\" 2>/dev/null)\" -- \"$cur\"))\n"
                                  "}\n"
                                  "complete -o default -F _renja renja\n";

static const char zsh_script[] =
    "#compdef renja\n"
    "# zsh completion for renja: source <(renja completion zsh), or save it as _renja in a\n"
    "# directory of $fpath.\n"
    "_renja() {\n"
    "    local -a cands\n"
    "    cands=(\"${(@f)$(${words[1]} __complete \"${(@)words[2,CURRENT]}\" 2>/dev/null)}\")\n"
    "    cands=(${cands:#})\n"
    "    if (( ${#cands} )); then\n"
    "        compadd -a cands\n"
    "    else\n"
    "        _files\n"
    "    fi\n"
    "}\n"
    "if (( $+functions[compdef] )); then\n"
    "    compdef _renja renja\n"
    "else\n"
    "    autoload -Uz compinit && compinit && compdef _renja renja\n"
    "fi\n";

int rj_help_completion(const char *shell, FILE *out)
{
    if (strcmp(shell, "bash") == 0)
        fputs(bash_script, out);
    else if (strcmp(shell, "zsh") == 0)
        fputs(zsh_script, out);
    else
        return -1;
    return 0;
}
