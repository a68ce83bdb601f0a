#include "rj_help.h"

#include <stdlib.h>
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
     "log lists the newest revisions first; --before REV starts below revision REV (only "
     "older ones). log, show, export, diff, compare, eval, validate and report read large "
     "answers from the daemon in pages of about 1 MiB and follow the pages by themselves "
     "(every page of show and export at the first page's revision; of diff, compare, eval "
     "and validate at the first page's head and stages, so a write meanwhile changes none "
     "of them), so a plan of any size or history comes out whole, the same as in one "
     "answer.\n"
     "\n"
     "A target or a realisasi value prints one way everywhere (show, diff, eval, log): in the "
     "human table as its source wrote it (66,20, 3,0, 12 Bulan 3 dok), or, when the source "
     "gave only a number, in the Indonesian form (66,2). Numeric columns of tsv/csv and JSON "
     "numbers hold the plain value only (66.2; 66,2 with --excel); the text is in its own "
     "*_text column or key: target_text (show, eval, export), target_from_text and "
     "target_to_text (diff), realisasi_text (eval).\n"
     "\n"
     "set changes only the fields it assigns (an empty value, lokasi=, clears one); it sends "
     "the item read at head with the head's revision as its base, so a change to the item made "
     "in between is a conflict (exit 3), not overwritten. Numbers are never guessed: a decimal "
     "such as 2.125 (2,125 with a decimal point, 2125 with a thousands separator) is refused, "
     "naming both readings (write 2,125 or 2125); see docs/import-format.md, Numbers.\n"
     "\n"
     "A write that changes nothing (every item, budget line and realisasi it sends equals what "
     "the plan has at head, every realisasi it clears is absent) makes no revision: renja says "
     "nothing changed: plan PLAN stays at revision N on standard error, prints N (the head) "
     "and exits 0; in json it prints {\"rev\": N, \"plan\": ..., \"unchanged\": true}, and a "
     "write that made a revision prints \"unchanged\": false. Because what is unchanged is no "
     "change, an editor may import a whole export of the plan: items of other bidang and "
     "budget lines as the plan has them need no permission; real changes to them are refused "
     "(exit 5) in one error that names every such change by its file line.\n"
     "\n"
     "An item's indikator are numbered 1, 2, ... without holes: set indikator.N.FIELD=VALUE "
     "changes indikator N or, with N one past the last, adds one; a larger N is refused (exit "
     "2) naming the next number. rm PLAN KODE --indikator N removes indikator N with its "
     "realisasi in one revision (the indikator after it move up one number, with their "
     "realisasi), conflict-checked against the head it reads or --base.\n"
     "\n"
     "eval in json carries the budget side as anggaran: one record per sub kegiatan that "
     "reported realisasi anggaran (kode, nama, pagu, realisasi, serapan in percent, null when "
     "the pagu is 0); the table prints the same after the indikator rows, under Serapan "
     "anggaran s.d. TW N.\n"
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
     "  6  server unavailable (not running, wrong address, TLS refused: see renja help tls) or "
     "no answer within --timeout\n"
     "  7  validation failed (validate, or a submit rejected for invalid data)\n"
     "  8  differences found (diff --exit-code only); no differences is 0"},
    {"environment", "Environment",
     "  RENJA_SERVER  the server when --server is not given\n"
     "  RENJA_TOKEN   the token when --token is not given\n"
     "  RENJA_TOKEN_FILE  the token's file when no other token is given\n"
     "  RENJA_CACERT  the CA certificate(s) when --cacert is not given: TLS to a HOST:PORT "
     "server\n"
     "  RENJA_FORMAT  the output format when --format is not given\n"
     "  TZ            the time zone of the times shown in tables (default WIB)"},
    {"goals", "Tujuan, sasaran, units and breakdowns",
     "The tujuan and sasaran of the Renstra and their indikator (Tabel 2, \"Pencapaian Kinerja "
     "Pelayanan\") are plan content like items: kode `T1` for a tujuan, `T1.S2` for its "
     "sasaran 2; written by `import` (JSON `goals`, see docs/import-format.md) by planners and "
     "admins only, kept per revision and stage. A program names the sasaran it serves "
     "(`sasaran` of an item).\n"
     "\n"
     "`show PLAN` (whole plan) lists them: a table of their own before the program tree, "
     "`goals` in `json` when the plan has any (not in `tsv`/`csv`). `eval` evaluates their "
     "indikator as it does the program tree's (capaian, predikat, note), targets as of `--at`, "
     "in a section of its own: the table \"Pencapaian kinerja pelayanan\" before the indikator "
     "of the program tree, `goals` in `json` (each with `kode`, `kind`, `nama`, "
     "`indikator_no`, `indikator`, `satuan`, `target`, `target_text`, `realisasi`, `capaian`, "
     "`predikat`, `note`); they are not in `rows` nor in `summary`. `diff` lists the tujuan and "
     "sasaran added, removed or changed (nama, indikator): `goals` in `json` (`kode`, `kind`, "
     "`nama`, `change`, `targets`), a table \"Tujuan dan sasaran\" after the program tree's. "
     "`log PLAN T1`, `realisasi PLAN T1.S2 --tw 2 --indikator 1 60,5` and `rm PLAN T1 "
     "--recursive` take a goal kode where they take an item's. `export` writes them (`goals`, "
     "and `sasaran` of programs; in `csv` rows of tipe `tujuan` and `sasaran`).\n"
     "\n"
     "Units. A realisasi keeps the unit it was counted in (`satuan`: given in the import, else "
     "the indikator's satuan when it is reported); a target may have several parts in "
     "different units (\"12 Bulan 3 dok\": 12 bulan and 3 dok, `parts` in "
     "docs/import-format.md). `eval` measures a realisasi against the part of the target in its "
     "unit (compared without regard to case; the row's `target` and `satuan` are then that "
     "part's). Where the target has no part in that unit there is no capaian: the row's `note` "
     "says \"realisasi is counted in bulan, the target in paket\", it counts as `no_capaian`, "
     "and `validate` warns `satuan-mismatch`. A realisasi stored without a unit is measured "
     "against the target as it is.\n"
     "\n"
     "Breakdown by lokasi. A realisasi may carry its figures per lokasi (kab/kota), with the "
     "indikator's `formula` (ratio or growth) declared once (docs/import-format.md). `eval` "
     "gives each row with one `breakdown` (`lokasi`, `num` and `den` or `before` and `after`, "
     "and `pct`, that lokasi's percentage) and `computed`, the total the formula gives from all "
     "lokasi (ratio of the sums, four decimals); in the table, one \"Rincian per lokasi\" table "
     "per such row after the others, headed with the computed and the reported figure. Capaian "
     "stays that of the stated realisasi. `validate` warns `breakdown-mismatch` where the two "
     "disagree."},
    {"validate", "validate",
     "`validate PLAN [--at REF]` checks the plan as of REF (default `head`) and the stages up "
     "to it. Each finding has a severity, a kode, a rule and a message; the exit status is 7 "
     "when any finding is an `error`. The human table writes the severity and the message in "
     "Indonesian (kesalahan, peringatan); csv, tsv and json keep them in English.\n"
     "\n"
     "| rule | severity | what |\n"
     "|---|---|---|\n"
     "| `rollup-mismatch` | error | a declared parent pagu (item or budget line) differs from "
     "the sum of its children |\n"
     "| `missing-parent` | error | the parent kode is absent |\n"
     "| `level-mismatch` | error | an item's level is not the level of its kode |\n"
     "| `negative-pagu` | error | a declared pagu below 0 |\n"
     "| `target-not-number` | warning | an indikator target (of an item, tujuan or sasaran) "
     "written as text only |\n"
     "| `missing-sasaran` | warning | a program names a sasaran the plan does not have |\n"
     "| `breakdown-mismatch` | warning | a stated realisasi differs from the total of its "
     "breakdown by lokasi, compared at the decimals it is written with (`60,5` agrees with "
     "60,4881 %) |\n"
     "| `satuan-mismatch` | warning | a realisasi is counted in a unit its indikator's target "
     "(or none of the target's parts) is in |\n"
     "| `satuan-changed` | warning | an indikator's satuan differs between two consecutive "
     "stages |\n"
     "| `serapan-over-pagu` | warning | a sub kegiatan's realisasi anggaran (s.d. a triwulan) "
     "is above its pagu: serapan over 100% |\n"
     "| `row-shift` | warning | a roll-up gap that is exactly the pagu of another row, at every "
     "stage where the gap exists |\n"
     "\n"
     "`row-shift` explains a `rollup-mismatch` the way a printed table slips: the gap (declared "
     "pagu minus the sum of the children) is looked up among the declared pagu at each stage up "
     "to REF (stages sharing a revision count once; REF itself when no stage names it). A "
     "positive gap is matched by any other row of the program tree or any budget line outside "
     "the parent's own line of descent (its figure may belong among the children); a negative "
     "gap by a direct child whose pagu is the excess (that figure may belong elsewhere). A row "
     "is named only when it matches exactly at every stage where the parent has a gap; several "
     "such rows are a tie and are all named; a gap shared by more than 8 rows at a stage names "
     "none. On the example:\n"
     "\n"
     "```\n"
     "warning  2.17.01.1.07  row-shift  declared pagu exceeds the sum of its children by "
     "100.000.000 at apbd, perkada-1, perkada-8 and by 125.290.000 at rancangan-perubahan, "
     "banggar, apbd-p, head: exactly the pagu of item 2.17.01.1.08 (Penyediaan Jasa Penunjang "
     "Urusan Pemerintahan Daerah) there, a likely row shift (that figure may belong among its "
     "children)\n"
     "```"},
    {"reports", "Reports",
     "`renja report PLAN -o FILE` writes the Renja Perubahan's tables, ready to hand on, from "
     "any plan at any stages. The format follows FILE's name: `.xlsx` (a workbook, written with "
     "libxlsxwriter) or `.html` (one self-contained page: no network, no scripts; \"print to "
     "PDF\" in a browser gives the document's tables, each starting a page, A4 landscape, with "
     "the table header repeated on every page).\n"
     "\n"
     "| sheet | what | from |\n"
     "|---|---|---|\n"
     "| `Tabel 2-1` | Rekapitulasi Hasil Evaluasi Pelaksanaan Renja: target, realisasi s.d. TW "
     "`--tw`, capaian per indikator | `eval --tw N --at REF` |\n"
     "| `Tabel 2` | Pencapaian Kinerja Pelayanan: each tujuan and sasaran with its indikator "
     "numbered under it, target, realisasi s.d. TW `--tw` and capaian (the seed's columns and "
     "Capaian Kinerja) | `eval --tw N --at REF`, its `goals` |\n"
     "| `Tabel 3.3 (3.1)` | program, kegiatan, sub kegiatan with lokasi, target and pagu "
     "sebelum (`--from`) and sesudah (`--to`), Bertambah/ (Berkurang), the Jumlah row | `diff "
     "FROM TO --all`, `show --at` both |\n"
     "| `Tabel 3.2` | the budget lines (rekening) in one column per stage of `--stages` | "
     "`compare --lines` |\n"
     "| `Temuan Validasi` | the findings of `validate` at `--from` and at `--to`: where the "
     "printed figures do not add up | `validate --at` |\n"
     "\n"
     "Defaults: `--from` and `--to` the first and last stage in stage order, `--stages` every "
     "stage, `--tw` the latest triwulan with any realisasi reported, `--at` the `--from` stage. "
     "An existing FILE is not replaced without `--force` (exit 1); the file is written under a "
     "temporary name beside FILE and put in place whole, so a failed report leaves nothing "
     "behind. On a terminal, for a plan of 1,000 rows or more, progress goes to stderr. Nothing "
     "is printed on stdout.\n"
     "\n"
     "In the workbook, numbers are numeric cells, so Excel can add them up: rupiah with the "
     "display format `#,##0;(#,##0);-` (shown by an Indonesian Excel as `#.##0;(#.##0);-`: "
     "15.320.055.480, negatives in parentheses, zero as `-`), capaian with two decimals "
     "(`#,##0.00`), targets and realisasi with the decimals they were given. Column headers are "
     "the seed's, with merged cells and the numbering row (`1 2 3 … 8=(7/6)*100` in Tabel 2-1, "
     "`… 11=9-8 12 13` in Tabel 3.3); urusan, program and kegiatan rows are bold, and the name "
     "column is indented by level. The header rows are frozen; each sheet prints landscape on "
     "A4, one page wide, with its header rows on every page and the plan's nama and the stages "
     "in the page header. In Tabel 3.2 a stage's column header is its title in capitals with "
     "its date (`PERKADA 1 TAHUN 2024 05 FEB 2024`) unless the title carries the date "
     "already."},
    {"excel", "CSV for Excel",
     "`--format csv` writes RFC 4180 CSV (`,`, LF, `-0.74`), which an Indonesian-locale Excel "
     "opens as one column. `--excel` (or `--format csv --excel`, or `--csv-dialect excel-id`) "
     "writes what it opens in columns: fields separated by `;`, lines ending CRLF, UTF-8 with a "
     "byte order mark, decimals with a comma (`-0,74`, `12,23`); rupiah stay plain integers "
     "(`-113206733`). It applies to every listing command; `export` keeps writing the import "
     "format. `--excel` with another `--format` is a usage error."},
    {"tls", "TLS",
     "A `HOST:PORT` server started with `renjad --tls-cert FILE --tls-key FILE` speaks TLS "
     "(1.2 or later, HTTP/2 by ALPN `h2`); its Unix socket stays plaintext. Give `renja` the "
     "CA certificate that signed the server's certificate with `--cacert FILE` (or "
     "`$RENJA_CACERT`), or `--tls` when a CA the system trusts signed it. `renja` checks the "
     "certificate's chain, its dates, and that it is for the host of `--server` (a name is "
     "also sent as SNI; an IP address must be in the certificate as one); a token never "
     "leaves before that. `$RENJA_CACERT` does not apply to a `unix:` server; `--cacert` or "
     "`--tls` with one is a usage error.\n"
     "\n"
     "Each failure says which it is, and exits 6: `certificate verify failed: ...` with the "
     "reason (the CA did not sign it, `certificate has expired`, `host name mismatch` or `IP "
     "address mismatch`), the server and the CA file; `TLS handshake with ADDR failed: the "
     "server does not speak TLS` for a plaintext port; `the server at ADDR did not speak "
     "HTTP/2 in clear; does it need --cacert/--tls?` for plaintext to a TLS port.\n"
     "\n"
     "    renja --server renja.example.go.id:7024 --cacert /etc/renja/ca.pem health\n"
     "    export RENJA_SERVER=renja.example.go.id:7024 RENJA_CACERT=/etc/renja/ca.pem"},
    {"tokens", "Tokens",
     "Every command but `health` sends a bearer token. Keep it in a file only you can read and "
     "point `renja` at it: `--token-file FILE` or `$RENJA_TOKEN_FILE`. The file holds the token "
     "on one line; `renja` refuses it (exit 2) when group or others may read or write it "
     "(`chmod 600 FILE`), like ssh does a private key. `--token TOKEN` and `$RENJA_TOKEN` work "
     "too, but a token on the command line shows in `ps` and the shell history. On the command "
     "line `--token` and `--token-file` win over the environment; `$RENJA_TOKEN` wins over "
     "`$RENJA_TOKEN_FILE`.\n"
     "\n"
     "An admin manages tokens over the API: `renja token add NAME --role ROLE [--bidang "
     "BIDANG]` prints the new token once, as the only line on stdout (an editor token needs its "
     "bidang); `renja token list` shows name, role and bidang, never a secret; `renja token "
     "revoke NAME` takes effect on the token's next call. The store keeps only each token's "
     "SHA-256. `renjad init` and `renjad token add` on the server host make the first tokens.\n"
     "\n"
     "`log` shows for every revision who made it (`author`, the token's name, with its `bidang` "
     "and `role`) and where the call came from (`client`: `tcp HOST:PORT`, or `unix uid U pid "
     "P` from the Unix socket peer's credentials). `log PLAN --events` lists instead what a "
     "planner did to the plan without making a revision — `lock` (with the reason), `unlock`, "
     "`stage set` (the stage and its revision) — with the same who, role, bidang, client and "
     "time, newest first (record name `events`). Revisions stored before role and client were "
     "recorded show them empty."},
    {NULL, NULL, NULL},
};

const char *const rj_help_topics[] = {"refs",  "output",   "exit-codes", "environment",
                                      "goals", "validate", "reports",    "excel",
                                      "tls",   "tokens",   NULL};

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

/* text from column 0, the lines after the first indented by indent */
static void hang(FILE *out, const char *text, int indent)
{
    size_t n = strcspn(text, " ");
    fwrite(text, 1, n, out);
    wrap(out, text + n, indent, (int)n > indent ? (int)n : indent + 1);
}

/* A topic's text is markdown of a few kinds of lines: a paragraph on one
 * line, blank lines between them, and lines kept as they are: a table row
 * ("| ..."), a list line ("  0  success") or a line inside a ``` fence. */
typedef enum line_kind { L_BLANK, L_PARA, L_KEEP, L_FENCE } line_kind;

typedef struct text_line {
    line_kind kind;
    const char *s;
    size_t n;
    bool fenced; /* L_KEEP inside a fence */
} text_line;

/* The next line of *p (advanced past it), classified; false at the end. */
static bool next_line(const char **p, bool *in_fence, text_line *l)
{
    if (!**p)
        return false;
    l->s = *p;
    l->n = strcspn(*p, "\n");
    *p += l->n + ((*p)[l->n] ? 1 : 0);
    l->fenced = false;
    if (l->n >= 3 && strncmp(l->s, "```", 3) == 0) {
        *in_fence = !*in_fence;
        l->kind = L_FENCE;
    } else if (*in_fence)
        l->kind = L_KEEP, l->fenced = true;
    else if (l->n == 0)
        l->kind = L_BLANK;
    else if (l->s[0] == '|' || (l->n >= 2 && strncmp(l->s, "  ", 2) == 0))
        l->kind = L_KEEP;
    else
        l->kind = L_PARA;
    return true;
}

static void print_text(FILE *out, const char *text, int indent)
{
    bool fence = false;
    text_line l;
    for (const char *p = text; next_line(&p, &fence, &l);) {
        if (l.kind == L_FENCE)
            continue;
        if (l.kind == L_BLANK)
            fputc('\n', out);
        else if (l.kind == L_KEEP)
            fprintf(out, "%*s%.*s\n", indent, "", (int)l.n, l.s);
        else {
            char *para = strndup(l.s, l.n);
            wrap(out, para, indent, 0);
            free(para);
        }
    }
}

/* In markdown: paragraphs and tables as they are, list lines in a code block. */
static void markdown_text(FILE *out, const char *text)
{
    bool fence = false, block = false;
    text_line l;
    for (const char *p = text; next_line(&p, &fence, &l);) {
        bool list = l.kind == L_KEEP && !l.fenced && l.s[0] == ' ';
        if (list && !block)
            fputs("```\n", out), block = true;
        else if (!list && block)
            fputs("```\n", out), block = false;
        fprintf(out, "%.*s\n", (int)l.n, l.s);
    }
    if (block)
        fputs("```\n", out);
}

static void flag_line(FILE *out, const rj_flag *f, int indent)
{
    char head[128], label[64];
    rj_cli_flag_label(f, label, sizeof(label));
    snprintf(head, sizeof(head), "%*s%s%s%s", indent, "", label, f->arg ? " " : "",
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
    char tl[512] = "Topics (renja help TOPIC):";
    for (int i = 0; rj_help_topics[i]; i++)
        snprintf(tl + strlen(tl), sizeof(tl) - strlen(tl), " %s", rj_help_topics[i]);
    fputc('\n', out);
    hang(out, tl, 2);
    fputc('\n', out);
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
    char g[512] = "Global options:";
    for (const rj_flag *f = rj_cli_globals; f->name; f++)
        snprintf(g + strlen(g), sizeof(g) - strlen(g), " --%s", f->name);
    fputc('\n', out);
    hang(out, g, 2);
}

void rj_help_help(FILE *out)
{
    fputs("usage: renja help [COMMAND|TOPIC]\n\n"
          "this help, or that of a command or topic: help COMMAND, help TOPIC\n\n",
          out);
    print_text(out,
               "Without a word, the commands, the global options, the topics and the exit "
               "codes; with a COMMAND (diff, plan create, or plan for all its subcommands) what "
               "renja COMMAND --help prints; with a TOPIC its text.",
               0);
    fprintf(out, "\nTopics:");
    for (int i = 0; rj_help_topics[i]; i++)
        fprintf(out, " %s", rj_help_topics[i]);
    fprintf(out, "\n\nExamples:\n  renja help diff\n  renja help exit-codes\n");
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
    bool fence = false, block = false;
    text_line l;
    for (const char *p = text; next_line(&p, &fence, &l);) {
        if (l.kind == L_FENCE)
            continue;
        bool keep = l.kind == L_KEEP;
        if (keep && !block)
            fputs(".PP\n.RS 4\n.nf\n", out), block = true;
        else if (!keep && block)
            fputs(".fi\n.RE\n", out), block = false;
        if (l.kind == L_BLANK)
            continue;
        char *line = strndup(l.s, l.n);
        if (!keep)
            fputs(".PP\n", out);
        rj_roff_line(out, keep && strncmp(line, "  ", 2) == 0 ? line + 2 : line);
        free(line);
    }
    if (block)
        fputs(".fi\n.RE\n", out);
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
        rj_roff_option(out, rj_cli_dashes(f), f->name, f->arg, f->help);
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
        for (const rj_flag *f = c->flags; f && f->name; f++) {
            char label[64];
            rj_cli_flag_label(f, label, sizeof(label));
            rj_roff_option(out, "", label, f->arg, f->help);
        }
        if (c->examples) {
            fputs(".PP\nExamples:\n", out);
            rj_roff_verbatim(out, c->examples);
        }
    }
    fputs(".SS help\n.B renja help\n[\\fICOMMAND\\fR|\\fITOPIC\\fR]\n.PP\nThe help of renja, "
          "of a command, or of a topic: refs, output, exit\\-codes, environment.\n",
          out);
    for (const topic *t = topics; t->name; t++) {
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
    fputs("\n### renja help\n\n```\n", out);
    rj_help_help(out);
    fputs("```\n", out);
    for (const topic *t = topics; t->name; t++) {
        fprintf(out, "\n## %s\n\n(`renja help %s`)\n\n", t->title, t->name);
        markdown_text(out, t->text);
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
