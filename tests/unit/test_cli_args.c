#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rj_cli.h"
#include "rj_cmd.h"
#include "rj_help.h"

static int run_nothing(rj_cli *cli, const rj_args *a)
{
    return 0;
}

static const rj_flag import_flags[] = {
    {"message", "TEXT", "the message"},
    {"base", "REV", "the base revision"},
    {"replace", NULL, "replace the plan"},
    {NULL, NULL, NULL},
};

static const rj_command table[] = {
    {"import", NULL, "PLAN FILE", "one revision from a file", import_flags, 2, 2, run_nothing,
     RJ_REQ_SUBMIT, NULL, NULL},
    {"plan", "create", "PLAN", "create a plan",
     (const rj_flag[]){{"nama", "TEXT", "the name"}, {NULL, NULL, NULL}}, 1, 1, run_nothing,
     RJ_REQ_WRITE, "Creates it.", "renja plan create diskopukm-sumsel/2024"},
    {"plan", "list", "", "list the plans", NULL, 0, 0, run_nothing, RJ_REQ_READ, NULL, NULL},
    {"compare", NULL, "PLAN STAGE...", "Tabel 3.2",
     (const rj_flag[]){{"deltas", NULL, "deltas"}, {NULL, NULL, NULL}}, 2, -1, run_nothing,
     RJ_REQ_READ, NULL, NULL},
    {"report", NULL, "PLAN", "tables",
     (const rj_flag[]){{"o", "FILE", "the file"},
                       {"from", "REF", "the first stage"},
                       {"force", NULL, "replace it"},
                       {NULL, NULL, NULL}},
     1, 1, run_nothing, RJ_REQ_READ, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, RJ_REQ_NONE, NULL, NULL},
};

static void test_exit_codes(void **state)
{
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_OK, RJ_REQ_READ), 0);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_INVALID_ARGUMENT, RJ_REQ_SUBMIT), 7);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_INVALID_ARGUMENT, RJ_REQ_READ), 1);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_INVALID_ARGUMENT, RJ_REQ_WRITE), 1);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_ABORTED, RJ_REQ_SUBMIT), 3);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_NOT_FOUND, RJ_REQ_READ), 4);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_PERMISSION_DENIED, RJ_REQ_WRITE), 5);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_UNAUTHENTICATED, RJ_REQ_READ), 5);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_UNAVAILABLE, RJ_REQ_NONE), 6);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_DEADLINE_EXCEEDED, RJ_REQ_SUBMIT), 6);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_DEADLINE_EXCEEDED, RJ_REQ_READ), 6);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_FAILED_PRECONDITION, RJ_REQ_SUBMIT), 1);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_ALREADY_EXISTS, RJ_REQ_WRITE), 1);
    assert_int_equal(rj_cli_exit_code(RJ_GRPC_INTERNAL, RJ_REQ_READ), 1);
}

static void test_find(void **state)
{
    int used = 0;
    char *a1[] = {"plan", "list"};
    const rj_command *c = rj_cli_find(table, 2, a1, &used);
    assert_non_null(c);
    assert_string_equal(c->sub, "list");
    assert_int_equal(used, 2);
    char *a2[] = {"import", "p/2024"};
    c = rj_cli_find(table, 2, a2, &used);
    assert_string_equal(c->name, "import");
    assert_int_equal(used, 1);
    char *a3[] = {"plan"};
    assert_null(rj_cli_find(table, 1, a3, &used));
    char *a4[] = {"plan", "drop"};
    assert_null(rj_cli_find(table, 2, a4, &used));
}

static void test_parse(void **state)
{
    rj_cli cli = {.server = "unix:/x", .mode = RJ_OUT_TSV, .timeout_s = 30};
    rj_args a;
    rj_diag d = {{0}};
    char *w[] = {"p/2024",        "--message", "APBD 2024", "items.csv",     "--replace",
                 "--format=json", "--base=7",  "--server",  "127.0.0.1:7024"};
    assert_int_equal(rj_cli_parse(&cli, &table[0], 9, w, &a, &d), 0);
    assert_int_equal(a.npos, 2);
    assert_string_equal(a.pos[0], "p/2024");
    assert_string_equal(a.pos[1], "items.csv");
    assert_string_equal(rj_args_get(&a, "message"), "APBD 2024");
    assert_true(rj_args_has(&a, "replace"));
    assert_string_equal(rj_args_get(&a, "base"), "7");
    uint64_t base = 0;
    assert_int_equal(rj_args_uint(&a, "base", 0, 100, &base, &d), 0);
    assert_int_equal(base, 7);
    assert_int_equal(rj_args_uint(&a, "base", 8, 100, &base, &d), RJ_EINVAL);
    assert_null(rj_args_get(&a, "nama"));
    assert_int_equal(cli.mode, RJ_OUT_JSON);
    assert_string_equal(cli.server, "127.0.0.1:7024");

    char *bad1[] = {"p/2024", "f.csv", "--force"};
    assert_int_equal(rj_cli_parse(&cli, &table[0], 3, bad1, &a, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "unknown option --force for import"));
    char *bad2[] = {"p/2024"};
    assert_int_equal(rj_cli_parse(&cli, &table[0], 1, bad2, &a, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "missing arguments"));
    char *bad3[] = {"p/2024", "a", "b"};
    assert_int_equal(rj_cli_parse(&cli, &table[0], 3, bad3, &a, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "unexpected argument \"b\""));
    char *bad4[] = {"p/2024", "a", "--message"};
    assert_int_equal(rj_cli_parse(&cli, &table[0], 3, bad4, &a, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "--message needs a value"));
    char *bad5[] = {"p/2024", "a", "--replace=yes"};
    assert_int_equal(rj_cli_parse(&cli, &table[0], 3, bad5, &a, &d), RJ_EINVAL);
    char *bad6[] = {"p/2024", "a", "--format", "xml"};
    assert_int_equal(rj_cli_parse(&cli, &table[0], 4, bad6, &a, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "expected table, csv, tsv or json"));
    char *bad7[] = {"p/2024", "a", "--timeout", "0"};
    assert_int_equal(rj_cli_parse(&cli, &table[0], 4, bad7, &a, &d), RJ_EINVAL);

    /* a negative value and "--" */
    char *neg[] = {"p/2024", "-4,14", "--", "--deltas"};
    assert_int_equal(rj_cli_parse(&cli, &table[3], 4, neg, &a, &d), 0);
    assert_int_equal(a.npos, 3);
    assert_string_equal(a.pos[1], "-4,14");
    assert_string_equal(a.pos[2], "--deltas");
    assert_false(rj_args_has(&a, "deltas"));
}

static void test_short_flags(void **state)
{
    rj_cli cli = {.server = "unix:/x", .mode = RJ_OUT_TSV, .timeout_s = 30};
    rj_args a;
    rj_diag d = {{0}};
    char *w[] = {"p/2024", "-o", "r.xlsx", "--force", "--from", "apbd"};
    assert_int_equal(rj_cli_parse(&cli, &table[4], 6, w, &a, &d), 0);
    assert_int_equal(a.npos, 1);
    assert_string_equal(rj_args_get(&a, "o"), "r.xlsx");
    assert_string_equal(rj_args_get(&a, "from"), "apbd");
    assert_true(rj_args_has(&a, "force"));
    char *missing[] = {"p/2024", "-o"};
    assert_int_equal(rj_cli_parse(&cli, &table[4], 2, missing, &a, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "-o needs a value"));
    /* A one-letter word the command does not know stays an argument. */
    char *other[] = {"p/2024", "-x"};
    assert_int_equal(rj_cli_parse(&cli, &table[4], 2, other, &a, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "unexpected argument \"-x\""));
    /* -m TEXT is --message TEXT, as in git commit. */
    char *m[] = {"p/2024", "f.csv", "-m", "APBD 2024"};
    assert_int_equal(rj_cli_parse(&cli, &table[0], 4, m, &a, &d), 0);
    assert_int_equal(a.npos, 2);
    assert_string_equal(rj_args_get(&a, "message"), "APBD 2024");
    char *mv[] = {"p/2024", "f.csv", "-m"};
    assert_int_equal(rj_cli_parse(&cli, &table[0], 3, mv, &a, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "-m needs a value"));
    char *imp[] = {"p/2024", "-"};
    assert_int_equal(rj_cli_parse(&cli, &table[0], 2, imp, &a, &d), 0);
    assert_string_equal(a.pos[1], "-");
}

static void test_excel(void **state)
{
    rj_diag d = {{0}};
    rj_args a;
    rj_cli cli = {.server = "unix:/x", .mode = RJ_OUT_TSV, .timeout_s = 30};
    char *w1[] = {"p/2024", "a", "--excel"};
    assert_int_equal(rj_cli_parse(&cli, &table[3], 3, w1, &a, &d), 0);
    assert_int_equal(rj_cli_resolve(&cli, &d), 0);
    assert_int_equal(cli.mode, RJ_OUT_CSV_EXCEL);

    rj_cli c2 = {.server = "unix:/x", .mode = RJ_OUT_TABLE, .timeout_s = 30};
    char *w2[] = {"p/2024", "a", "--csv-dialect", "excel-id", "--format", "csv"};
    assert_int_equal(rj_cli_parse(&c2, &table[3], 6, w2, &a, &d), 0);
    assert_int_equal(rj_cli_resolve(&c2, &d), 0);
    assert_int_equal(c2.mode, RJ_OUT_CSV_EXCEL);

    rj_cli c3 = {.server = "unix:/x", .mode = RJ_OUT_TSV, .timeout_s = 30};
    char *w3[] = {"p/2024", "a", "--excel", "--format=json"};
    assert_int_equal(rj_cli_parse(&c3, &table[3], 4, w3, &a, &d), 0);
    assert_int_equal(rj_cli_resolve(&c3, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "does not go with another --format"));

    rj_cli c4 = {.server = "unix:/x", .mode = RJ_OUT_TSV, .timeout_s = 30};
    char *w4[] = {"p/2024", "a", "--csv-dialect", "excel"};
    assert_int_equal(rj_cli_parse(&c4, &table[3], 4, w4, &a, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "expected rfc4180 or excel-id"));
    char *w5[] = {"p/2024", "a", "--format", "csv"};
    rj_cli c5 = {.server = "unix:/x", .mode = RJ_OUT_TSV, .timeout_s = 30};
    assert_int_equal(rj_cli_parse(&c5, &table[3], 4, w5, &a, &d), 0);
    assert_int_equal(rj_cli_resolve(&c5, &d), 0);
    assert_int_equal(c5.mode, RJ_OUT_CSV);
}

static char *capture(void (*fn)(const rj_command *, FILE *), const rj_command *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(c, f);
    fclose(f);
    return buf;
}

static void test_help(void **state)
{
    char *buf = capture(rj_help_all, table);
    assert_non_null(strstr(buf, "  import       one revision from a file\n"));
    assert_non_null(strstr(buf, "  plan create  create a plan\n"));
    assert_non_null(strstr(buf, RJ_CLI_DEFAULT_SERVER));
    assert_non_null(strstr(buf, "  --wide "));
    assert_non_null(strstr(buf, "8 differences"));
    free(buf);
    buf = capture(rj_help_command, &table[1]);
    assert_string_equal(buf, "usage: renja plan create PLAN [--nama TEXT]\n"
                             "\n"
                             "create a plan\n"
                             "\n"
                             "Creates it.\n"
                             "\n"
                             "Options:\n"
                             "  --nama TEXT         the name\n"
                             "\n"
                             "Examples:\n"
                             "  renja plan create diskopukm-sumsel/2024\n"
                             "\n"
                             "Global options: --server --cacert --tls --token-file --token "
                             "--format --timeout\n"
                             "  --wide --header --excel --csv-dialect\n");
    free(buf);
    char u[256];
    rj_cli_usage(&table[0], u, sizeof(u));
    assert_string_equal(u, "PLAN FILE [--message TEXT] [--base REV] [--replace]");
}

/* Every command of renja says what it does, each flag with a sentence, and
 * shows how it is used on the seed plan. */
static void test_every_command_documented(void **state)
{
    for (const rj_command *c = rj_commands; c->name; c++) {
        char n[64];
        rj_cli_name(c, n, sizeof(n));
        if (!c->examples || !strstr(c->examples, "renja "))
            fail_msg("%s has no example", n);
        for (const rj_flag *f = c->flags; f && f->name; f++)
            if (!f->help || strlen(f->help) < 10)
                fail_msg("%s --%s has no sentence of help", n, f->name);
        char *buf = capture(rj_help_command, c);
        for (const rj_flag *f = c->flags; f && f->name; f++) {
            char want[80], label[64];
            rj_cli_flag_label(f, label, sizeof(label));
            snprintf(want, sizeof(want), "  %s", label);
            if (!strstr(buf, want))
                fail_msg("help of %s misses --%s", n, f->name);
        }
        /* help fits a terminal of 80 columns */
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
            if (strlen(line) > 79 && strncmp(line, "  renja ", 8) != 0)
                fail_msg("help of %s has a line of %zu columns: %s", n, strlen(line), line);
        free(buf);
    }
}

static void test_man_and_markdown(void **state)
{
    char *buf = capture(rj_help_man, rj_commands);
    assert_non_null(strstr(buf, ".TH RENJA 1"));
    assert_non_null(strstr(buf, ".SS diff\n"));
    assert_non_null(strstr(buf, "\\fB\\-\\-exit\\-code\\fR"));
    free(buf);
    buf = capture(rj_help_markdown, rj_commands);
    assert_non_null(strstr(buf, "### renja stage set\n"));
    free(buf);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_int_equal(rj_help_completion("bash", f), 0);
    assert_int_equal(rj_help_completion("fish", f), -1);
    fclose(f);
    assert_non_null(strstr(out, "complete -o default -F _renja renja"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_short_flags),
        cmocka_unit_test(test_excel),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_every_command_documented),
        cmocka_unit_test(test_man_and_markdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
