#include "rj_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rj_cli_exit_code(int grpc_status, rj_req_kind kind)
{
    switch (grpc_status) {
    case RJ_GRPC_OK:
        return RJ_EXIT_OK;
    case RJ_GRPC_INVALID_ARGUMENT:
        return kind == RJ_REQ_SUBMIT ? RJ_EXIT_INVALID : RJ_EXIT_FAILED;
    case RJ_GRPC_ABORTED:
        return RJ_EXIT_CONFLICT;
    case RJ_GRPC_NOT_FOUND:
        return RJ_EXIT_NOTFOUND;
    case RJ_GRPC_PERMISSION_DENIED:
    case RJ_GRPC_UNAUTHENTICATED:
        return RJ_EXIT_DENIED;
    case RJ_GRPC_UNAVAILABLE:
    case RJ_GRPC_DEADLINE_EXCEEDED: /* no answer in time: the server is not serving us */
        return RJ_EXIT_UNAVAILABLE;
    default:
        return RJ_EXIT_FAILED;
    }
}

const rj_command *rj_cli_find(const rj_command *table, int argc, char **argv, int *used)
{
    if (argc < 1)
        return NULL;
    for (const rj_command *c = table; c->name; c++) {
        if (strcmp(c->name, argv[0]) != 0)
            continue;
        if (!c->sub) {
            *used = 1;
            return c;
        }
        if (argc >= 2 && strcmp(c->sub, argv[1]) == 0) {
            *used = 2;
            return c;
        }
    }
    return NULL;
}

/* Is name among the comma-separated flags? *value gets whether it takes a
 * value. */
static bool flag_known(const char *flags, const char *name, size_t len, bool *value)
{
    const char *p = flags ? flags : "";
    while (*p) {
        size_t n = strcspn(p, ",");
        size_t nl = n && p[n - 1] == '=' ? n - 1 : n;
        if (nl == len && strncmp(p, name, len) == 0) {
            *value = nl != n;
            return true;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

int rj_cli_global(rj_cli *cli, int argc, char **argv, rj_diag *d)
{
    static const char *const names[] = {"--server",  "--token",       "--format",
                                        "--timeout", "--csv-dialect", "--token-file"};
    const char *arg = argv[0];
    if (strcmp(arg, "--excel") == 0) {
        cli->csv_excel = true;
        return 1;
    }
    for (int i = 0; i < 6; i++) {
        size_t n = strlen(names[i]);
        const char *v;
        int used;
        if (strncmp(arg, names[i], n) != 0)
            continue;
        if (arg[n] == '=')
            v = arg + n + 1, used = 1;
        else if (arg[n] == 0) {
            if (argc < 2)
                return rj_diag_set(d, RJ_EINVAL, "%s needs a value", names[i]);
            v = argv[1], used = 2;
        } else
            continue;
        switch (i) {
        case 0:
            cli->server = v;
            break;
        case 1:
            cli->token = v;
            cli->token_file = NULL;
            break;
        case 5:
            cli->token_file = v;
            cli->token = NULL;
            break;
        case 2: {
            int m = rj_out_mode_parse(v);
            if (m < 0)
                return rj_diag_set(d, RJ_EINVAL, "--format %s: expected table, csv, tsv or json",
                                   v);
            cli->mode = (rj_out_mode)m;
            cli->format_given = true;
            break;
        }
        case 3: {
            char *end;
            long t = strtol(v, &end, 10);
            if (end == v || *end || t < 1 || t > 86400)
                return rj_diag_set(d, RJ_EINVAL, "--timeout %s: expected seconds, 1..86400", v);
            cli->timeout_s = (int)t;
            break;
        }
        case 4:
            if (strcmp(v, "excel-id") == 0)
                cli->csv_excel = true;
            else if (strcmp(v, "rfc4180") == 0)
                cli->csv_excel = false;
            else
                return rj_diag_set(d, RJ_EINVAL, "--csv-dialect %s: expected rfc4180 or excel-id",
                                   v);
            break;
        }
        return used;
    }
    return 0;
}

int rj_cli_resolve(rj_cli *cli, rj_diag *d)
{
    if (!cli->csv_excel)
        return 0;
    if (cli->format_given && cli->mode != RJ_OUT_CSV && cli->mode != RJ_OUT_CSV_EXCEL)
        return rj_diag_set(d, RJ_EINVAL,
                           "--excel (--csv-dialect excel-id) is a kind of csv: it does not go "
                           "with another --format");
    cli->mode = RJ_OUT_CSV_EXCEL;
    return 0;
}

int rj_cli_token_load(rj_cli *cli, rj_diag *d)
{
    const char *path = cli->token_file;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return rj_diag_set(d, RJ_EINVAL, "token file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return rj_diag_set(d, RJ_EINVAL, "token file %s: not a regular file", path);
    }
    if (st.st_mode & 077) {
        close(fd);
        return rj_diag_set(d, RJ_EINVAL,
                           "token file %s: permissions %04o are too open (group or others may "
                           "read it); expected 0600 or 0400: chmod 600 %s",
                           path, (unsigned)(st.st_mode & 07777), path);
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, cli->token_buf + n, sizeof(cli->token_buf) - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return rj_diag_set(d, RJ_EINVAL, "token file %s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == sizeof(cli->token_buf) - 1) {
            close(fd);
            return rj_diag_set(d, RJ_EINVAL,
                               "token file %s: longer than %zu bytes; expected one token line",
                               path, sizeof(cli->token_buf) - 2);
        }
    }
    close(fd);
    cli->token_buf[n] = '\0';
    if (n > 0 && cli->token_buf[n - 1] == '\n')
        cli->token_buf[--n] = '\0';
    if (n > 0 && cli->token_buf[n - 1] == '\r')
        cli->token_buf[--n] = '\0';
    if (n == 0 || memchr(cli->token_buf, '\n', n) || strlen(cli->token_buf) != n)
        return rj_diag_set(d, RJ_EINVAL, "token file %s: expected one line holding the token",
                           path);
    cli->token = cli->token_buf;
    return 0;
}

int rj_cli_parse(rj_cli *cli, const rj_command *c, int argc, char **argv, rj_args *a, rj_diag *d)
{
    memset(a, 0, sizeof(*a));
    bool only_pos = false;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!only_pos && strcmp(w, "--") == 0) {
            only_pos = true;
            continue;
        }
        bool short_takes = false;
        if (!only_pos && w[0] == '-' && w[1] && w[1] != '-' && !w[2] &&
            flag_known(c->flags, w + 1, 1, &short_takes)) {
            /* -X [VALUE]: a one-letter flag of the command. */
            const char *val = "";
            if (short_takes) {
                if (i + 1 >= argc)
                    return rj_diag_set(d, RJ_EINVAL, "%s needs a value", w);
                val = argv[++i];
            }
            if (a->nflags == RJ_ARGS_MAX)
                return rj_diag_set(d, RJ_EINVAL, "too many options");
            a->flag_name[a->nflags] = w + 1;
            a->flag_len[a->nflags] = 1;
            a->flag_val[a->nflags++] = val;
            continue;
        }
        if (only_pos || strncmp(w, "--", 2) != 0) {
            if (a->npos == RJ_ARGS_MAX)
                return rj_diag_set(d, RJ_EINVAL, "too many arguments");
            a->pos[a->npos++] = w;
            continue;
        }
        int g = rj_cli_global(cli, argc - i, argv + i, d);
        if (g < 0)
            return g;
        if (g > 0) {
            i += g - 1;
            continue;
        }
        const char *name = w + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        bool takes;
        if (!flag_known(c->flags, name, len, &takes))
            return rj_diag_set(d, RJ_EINVAL, "unknown option --%.*s for %s%s%s", (int)len, name,
                               c->name, c->sub ? " " : "", c->sub ? c->sub : "");
        const char *val = "";
        if (takes) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else
                return rj_diag_set(d, RJ_EINVAL, "--%s needs a value", name);
        } else if (eq)
            return rj_diag_set(d, RJ_EINVAL, "--%.*s takes no value", (int)len, name);
        if (a->nflags == RJ_ARGS_MAX)
            return rj_diag_set(d, RJ_EINVAL, "too many options");
        /* The name points into argv; its length leaves out "=value". */
        a->flag_name[a->nflags] = name;
        a->flag_len[a->nflags] = len;
        a->flag_val[a->nflags++] = val;
    }
    if (a->npos < c->min_pos)
        return rj_diag_set(d, RJ_EINVAL, "missing arguments (usage: renja %s%s%s %s)", c->name,
                           c->sub ? " " : "", c->sub ? c->sub : "", c->usage);
    if (c->max_pos >= 0 && a->npos > c->max_pos)
        return rj_diag_set(d, RJ_EINVAL, "unexpected argument \"%s\" (usage: renja %s%s%s %s)",
                           a->pos[c->max_pos], c->name, c->sub ? " " : "", c->sub ? c->sub : "",
                           c->usage);
    return 0;
}

const char *rj_args_get(const rj_args *a, const char *flag)
{
    for (int i = a->nflags; i-- > 0;)
        if (a->flag_len[i] == strlen(flag) && strncmp(a->flag_name[i], flag, a->flag_len[i]) == 0)
            return a->flag_val[i];
    return NULL;
}

bool rj_args_has(const rj_args *a, const char *flag)
{
    return rj_args_get(a, flag) != NULL;
}

int rj_args_uint(const rj_args *a, const char *flag, uint64_t lo, uint64_t hi, uint64_t *out,
                 rj_diag *d)
{
    const char *v = rj_args_get(a, flag);
    if (!v)
        return 0;
    char *end;
    if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 19)
        goto bad;
    uint64_t n = strtoull(v, &end, 10);
    if (n < lo || n > hi)
        goto bad;
    *out = n;
    return 0;
bad:
    return rj_diag_set(d, RJ_EINVAL, "--%s %s: expected a whole number %" PRIu64 "..%" PRIu64, flag,
                       v, lo, hi);
}

static void name_of(const rj_command *c, char *out, size_t n)
{
    snprintf(out, n, "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
}

void rj_cli_help(const rj_command *table, FILE *out)
{
    fprintf(out, "usage: renja [--server ADDR] [--token-file FILE | --token TOKEN]\n"
                 "             [--format table|csv|tsv|json] [--timeout SECONDS]\n"
                 "             [--excel] COMMAND [ARGS...]\n\n"
                 "Commands:\n");
    size_t w = 0;
    for (const rj_command *c = table; c->name; c++) {
        char n[64];
        name_of(c, n, sizeof(n));
        if (strlen(n) > w)
            w = strlen(n);
    }
    for (const rj_command *c = table; c->name; c++) {
        char n[64];
        name_of(c, n, sizeof(n));
        fprintf(out, "  %-*s  %s\n", (int)w, n, c->help);
    }
    fprintf(out,
            "\nGlobal options:\n"
            "  --server ADDR      unix:/path or HOST:PORT (default $RENJA_SERVER, then %s)\n"
            "  --token-file FILE  read the bearer token from FILE, which group and others\n"
            "                     may not read (default $RENJA_TOKEN_FILE)\n"
            "  --token TOKEN      the bearer token itself (default $RENJA_TOKEN); visible\n"
            "                     in ps and shell history: prefer --token-file\n"
            "  --format FORMAT    table, csv, tsv or json (default table on a terminal, else tsv)\n"
            "  --timeout SECONDS  per request (default %d)\n"
            "  --excel            csv for an Indonesian-locale Excel: ';', CRLF, UTF-8 BOM,\n"
            "                     decimal comma (also: --csv-dialect excel-id; rfc4180 is the "
            "default)\n"
            "  --version, --help\n\n"
            "Exit codes: 0 ok, 1 refused or failed, 2 usage, 3 conflict, 4 not found,\n"
            "5 permission denied, 6 server unavailable or no answer within --timeout,\n"
            "7 validation failed.\n"
            "Run 'renja COMMAND --help' for the arguments of a command.\n",
            RJ_CLI_DEFAULT_SERVER, RJ_CLI_DEFAULT_TIMEOUT);
}

void rj_cli_command_help(const rj_command *c, FILE *out)
{
    char n[64];
    name_of(c, n, sizeof(n));
    fprintf(out, "usage: renja %s %s\n\n%s\n", n, c->usage, c->help);
}
