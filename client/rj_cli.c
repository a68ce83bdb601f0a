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

const rj_flag rj_cli_globals[] = {
    {"server", "ADDR",
     "the server: unix:/path/to.sock or HOST:PORT (default $RENJA_SERVER, "
     "then " RJ_CLI_DEFAULT_SERVER ")"},
    {"cacert", "FILE",
     "TLS to a HOST:PORT server, its certificate verified against the CA certificate(s) in "
     "PEM FILE and its host name checked (default $RENJA_CACERT)"},
    {"tls", NULL,
     "TLS to a HOST:PORT server, its certificate verified against the system's CA "
     "certificates and its host name checked"},
    {"token-file", "FILE",
     "read the bearer token from FILE, which group and others may not read (default "
     "$RENJA_TOKEN_FILE)"},
    {"token", "TOKEN",
     "the bearer token itself (default $RENJA_TOKEN); visible in ps and shell history: prefer "
     "--token-file"},
    {"format", "FORMAT",
     "table, csv, tsv or json (default $RENJA_FORMAT, then table on a terminal and tsv "
     "otherwise)"},
    {"timeout", "SECONDS", "how long to wait for each request (default 30)"},
    {"wide", NULL, "a table at its full width with every column, even wider than the terminal"},
    {"header", NULL, "a first line naming the columns in tsv too (csv always has one)"},
    {"excel", NULL,
     "csv for an Indonesian-locale Excel: ';' between fields, CRLF, a UTF-8 byte order mark, "
     "decimal comma (the same as --csv-dialect excel-id)"},
    {"csv-dialect", "rfc4180|excel-id", "the kind of csv: rfc4180 (the default) or excel-id"},
    {NULL, NULL, NULL},
};

const rj_flag *rj_cli_flag(const rj_command *c, const char *name, size_t len)
{
    for (const rj_flag *f = c->flags; f && f->name; f++)
        if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
            return f;
    return NULL;
}

const char *rj_cli_dashes(const rj_flag *f)
{
    return f->name[0] && !f->name[1] ? "-" : "--";
}

/* One-letter aliases of flags, for every command that has the flag: -m
 * TEXT is --message TEXT, as in git commit. */
static const struct {
    char letter;
    const char *name;
} aliases[] = {{'m', "message"}};

char rj_cli_flag_letter(const rj_flag *f)
{
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcmp(aliases[i].name, f->name) == 0)
            return aliases[i].letter;
    return 0;
}

void rj_cli_flag_label(const rj_flag *f, char *out, size_t n)
{
    char x = rj_cli_flag_letter(f);
    if (x)
        snprintf(out, n, "-%c, --%s", x, f->name);
    else
        snprintf(out, n, "%s%s", rj_cli_dashes(f), f->name);
}

/* The flag of c written -X: a one-letter flag, or a flag's alias. */
static const rj_flag *letter_flag(const rj_command *c, char x)
{
    for (const rj_flag *f = c->flags; f && f->name; f++)
        if ((f->name[0] == x && !f->name[1]) || rj_cli_flag_letter(f) == x)
            return f;
    return NULL;
}

void rj_cli_name(const rj_command *c, char *out, size_t n)
{
    snprintf(out, n, "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
}

void rj_cli_usage(const rj_command *c, char *out, size_t n)
{
    size_t len = (size_t)snprintf(out, n, "%s", c->args ? c->args : "");
    for (const rj_flag *f = c->flags; f && f->name && len < n; f++)
        len += (size_t)snprintf(out + len, n - len, "%s[%s%s%s%s]", len ? " " : "",
                                rj_cli_dashes(f), f->name, f->arg ? " " : "", f->arg ? f->arg : "");
}

static int global_value(rj_cli *cli, const char *name, const char *v, rj_diag *d)
{
    if (strcmp(name, "server") == 0)
        cli->server = v;
    else if (strcmp(name, "cacert") == 0) {
        if (!*v)
            return rj_diag_set(d, RJ_EINVAL, "--cacert needs a file of PEM CA certificates");
        cli->cacert = v;
        cli->tls = true;
        cli->tls_given = true;
    } else if (strcmp(name, "tls") == 0) {
        cli->tls = true;
        cli->tls_given = true;
    } else if (strcmp(name, "token") == 0) {
        cli->token = v;
        cli->token_file = NULL;
    } else if (strcmp(name, "token-file") == 0) {
        cli->token_file = v;
        cli->token = NULL;
    } else if (strcmp(name, "format") == 0) {
        int m = rj_out_mode_parse(v);
        if (m < 0)
            return rj_diag_set(d, RJ_EINVAL, "--format %s: expected table, csv, tsv or json", v);
        cli->mode = (rj_out_mode)m;
        cli->format_given = true;
    } else if (strcmp(name, "timeout") == 0) {
        char *end;
        long t = strtol(v, &end, 10);
        if (end == v || *end || t < 1 || t > 86400)
            return rj_diag_set(d, RJ_EINVAL, "--timeout %s: expected seconds, 1..86400", v);
        cli->timeout_s = (int)t;
    } else if (strcmp(name, "wide") == 0)
        cli->wide = true;
    else if (strcmp(name, "header") == 0)
        cli->header = true;
    else if (strcmp(name, "excel") == 0)
        cli->csv_excel = true;
    else if (strcmp(name, "csv-dialect") == 0) {
        if (strcmp(v, "excel-id") == 0)
            cli->csv_excel = true;
        else if (strcmp(v, "rfc4180") == 0)
            cli->csv_excel = false;
        else
            return rj_diag_set(d, RJ_EINVAL, "--csv-dialect %s: expected rfc4180 or excel-id", v);
    }
    return 0;
}

int rj_cli_global(rj_cli *cli, int argc, char **argv, rj_diag *d)
{
    const char *arg = argv[0];
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    for (const rj_flag *f = rj_cli_globals; f->name; f++) {
        size_t n = strlen(f->name);
        const char *v = "";
        int used = 1;
        if (strncmp(arg + 2, f->name, n) != 0 || (arg[2 + n] != '=' && arg[2 + n] != 0))
            continue;
        if (!f->arg && arg[2 + n] == '=')
            return rj_diag_set(d, RJ_EINVAL, "--%s takes no value", f->name);
        if (f->arg && arg[2 + n] == '=')
            v = arg + n + 3;
        else if (f->arg) {
            if (argc < 2)
                return rj_diag_set(d, RJ_EINVAL, "--%s needs a value", f->name);
            v = argv[1], used = 2;
        }
        int rc = global_value(cli, f->name, v, d);
        return rc < 0 ? rc : used;
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
        const rj_flag *sf = NULL;
        if (!only_pos && w[0] == '-' && w[1] && w[1] != '-' && !w[2] &&
            (sf = letter_flag(c, w[1])) != NULL) {
            /* -X [VALUE]: a one-letter flag of the command, or an alias. */
            const char *val = "";
            if (sf->arg) {
                if (i + 1 >= argc)
                    return rj_diag_set(d, RJ_EINVAL, "%s needs a value", w);
                val = argv[++i];
            }
            if (a->nflags == RJ_ARGS_MAX)
                return rj_diag_set(d, RJ_EINVAL, "too many options");
            a->flag_name[a->nflags] = sf->name;
            a->flag_len[a->nflags] = strlen(sf->name);
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
        const rj_flag *f = rj_cli_flag(c, name, len);
        bool takes = f && f->arg;
        if (!f)
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
    char n[64], u[512];
    rj_cli_name(c, n, sizeof(n));
    rj_cli_usage(c, u, sizeof(u));
    if (a->npos < c->min_pos)
        return rj_diag_set(d, RJ_EINVAL, "missing arguments (usage: renja %s %s)", n, u);
    if (c->max_pos >= 0 && a->npos > c->max_pos)
        return rj_diag_set(d, RJ_EINVAL, "unexpected argument \"%s\" (usage: renja %s %s)",
                           a->pos[c->max_pos], n, u);
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
