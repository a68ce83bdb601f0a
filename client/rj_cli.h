/* The command line of renja: global options, the command table type, the
 * argument parser and help generated from the table, and the one mapping
 * from gRPC status to exit code (docs/cli.md, Exit status).
 *
 * The table itself (client/rj_cmd.c) holds the handlers; this module only
 * reads it, so it is testable without a server.
 */
#ifndef RJ_CLI_H
#define RJ_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rj_error.h"
#include "rj_out.h"

#define RJ_CLI_DEFAULT_SERVER "unix:/var/lib/renjad/renjad.sock"
#define RJ_CLI_DEFAULT_TIMEOUT 30 /* seconds */
/* A request this small fits every renjad (--max-message is at least this
 * much), so it is sent without asking for the server's limit; a bigger one
 * is first checked against ServerInfo.max_message_bytes. */
#define RJ_CLI_SMALL_REQUEST 65536

enum {
    RJ_EXIT_OK = 0,
    RJ_EXIT_FAILED = 1,
    RJ_EXIT_USAGE = 2,
    RJ_EXIT_CONFLICT = 3,
    RJ_EXIT_NOTFOUND = 4,
    RJ_EXIT_DENIED = 5,
    RJ_EXIT_UNAVAILABLE = 6,
    RJ_EXIT_INVALID = 7,
    RJ_EXIT_CHANGES = 8, /* diff --exit-code found differences: not a failure */
};

typedef enum rj_req_kind {
    RJ_REQ_NONE,   /* no token needed (health) */
    RJ_REQ_READ,   /* a query */
    RJ_REQ_WRITE,  /* plans, stages */
    RJ_REQ_SUBMIT, /* import, set, rm, realisasi: INVALID_ARGUMENT means invalid data */
} rj_req_kind;

typedef struct rj_rpc rj_rpc;

/* Global options and the connection, made on first use. */
typedef struct rj_cli {
    const char *server;
    const char *cacert; /* --cacert or $RENJA_CACERT: TLS, verified against this CA */
    bool tls;           /* --tls: TLS, verified against the system's CA certificates */
    bool tls_given;     /* --cacert or --tls on the command line */
    const char *token;
    const char *token_file; /* --token-file or $RENJA_TOKEN_FILE, read by rj_cli_token_load */
    char token_buf[256];
    rj_out_mode mode;
    bool wide;         /* --wide: the human table at full width, every column */
    bool header;       /* --header: a header line in tsv too */
    bool format_given; /* --format was on the command line */
    bool csv_excel;    /* --excel / --csv-dialect excel-id */
    int timeout_s;
    rj_rpc *rpc;
    rj_req_kind kind;     /* of the command being run */
    bool quiet_notfound;  /* a NOT_FOUND answer is expected: say nothing */
    uint64_t max_message; /* the server's request limit once asked, else 0 */
    const char *subject;  /* what the request carries, for messages ("apbd.csv") */
    FILE *out, *err;
    const char *prog; /* "renja" */
    /* While an import is sent: its file, to name the lines of the changes
     * a refusal names ("change N: ..."). */
    const struct rj_submit *source;
    const char *source_name;
} rj_cli;

/* Read cli->token_file into cli->token: a regular file that neither group
 * nor others may read or write (like an ssh key), holding one token line
 * (the trailing newline is dropped). Returns 0 or an error in d naming the
 * file and what was wrong. */
int rj_cli_token_load(rj_cli *cli, rj_diag *d);

#define RJ_ARGS_MAX 64

/* A command's arguments after parsing: positionals and --flags. Strings
 * point into argv. */
typedef struct rj_args {
    const char *pos[RJ_ARGS_MAX];
    int npos;
    const char *flag_name[RJ_ARGS_MAX]; /* not NUL-terminated: see flag_len */
    size_t flag_len[RJ_ARGS_MAX];
    const char *flag_val[RJ_ARGS_MAX]; /* "" for a flag without value */
    int nflags;
} rj_args;

/* One flag of a command: the parse spec and its help are the same row. */
typedef struct rj_flag {
    const char *name; /* without "--"; a one-letter flag is written -X ("o" for -o FILE) */
    const char *arg;  /* metavariable of its value ("TEXT", "REF"); NULL for a switch */
    const char *help; /* one sentence */
} rj_flag;

typedef struct rj_command {
    const char *name;
    const char *sub;      /* subcommand or NULL */
    const char *args;     /* positional arguments, e.g. "PLAN KODE" (usage adds the flags) */
    const char *help;     /* one line, for the list of commands */
    const rj_flag *flags; /* NULL, or ended by a row with name NULL */
    int min_pos, max_pos; /* max_pos -1: unlimited */
    int (*run)(rj_cli *cli, const rj_args *a);
    rj_req_kind kind;
    const char *about;    /* NULL or a paragraph: what the arguments mean, what it prints */
    const char *examples; /* NULL or command lines, one per line */
} rj_command;

/* The global options (--server, --format, ...), ended by a row with name
 * NULL; rj_cli_global parses them. */
extern const rj_flag rj_cli_globals[];

/* The one mapping from gRPC status to exit code. */
int rj_cli_exit_code(int grpc_status, rj_req_kind kind);

/* Find the command for argv[0] (and argv[1] as subcommand); *used gets
 * how many words named it. NULL if none. */
const rj_command *rj_cli_find(const rj_command *table, int argc, char **argv, int *used);
/* Parse a command's words (after its name). Global options found among
 * them update cli. RJ_EINVAL with d naming the bad word. */
int rj_cli_parse(rj_cli *cli, const rj_command *c, int argc, char **argv, rj_args *a, rj_diag *d);
/* A global option at argv[0]: returns words used (1 or 2), 0 if argv[0] is
 * not one, RJ_EINVAL for a bad value. */
int rj_cli_global(rj_cli *cli, int argc, char **argv, rj_diag *d);
/* After all options are read: --excel makes the output mode
 * RJ_OUT_CSV_EXCEL; RJ_EINVAL when another --format was asked for. */
int rj_cli_resolve(rj_cli *cli, rj_diag *d);

const char *rj_args_get(const rj_args *a, const char *flag); /* NULL if absent */
bool rj_args_has(const rj_args *a, const char *flag);
/* A flag's value as an unsigned integer in [lo, hi]; *out unchanged when
 * the flag is absent. RJ_EINVAL with d otherwise. */
int rj_args_uint(const rj_args *a, const char *flag, uint64_t lo, uint64_t hi, uint64_t *out,
                 rj_diag *d);

/* A flag of c by name (len bytes); NULL if c has none such. */
const rj_flag *rj_cli_flag(const rj_command *c, const char *name, size_t len);
/* How f is written: "-" for a one-letter flag (-o FILE), else "--". */
const char *rj_cli_dashes(const rj_flag *f);
/* "-m, --message" for a flag with an alias, else "--message" or "-o". */
void rj_cli_flag_label(const rj_flag *f, char *out, size_t n);
/* The one-letter alias of f ('m' for --message), or 0. */
char rj_cli_flag_letter(const rj_flag *f);
/* "plan create", "diff": the words that name c. */
void rj_cli_name(const rj_command *c, char *out, size_t n);
/* "PLAN FROM TO [--level L] [--all]": the arguments and flags of c. */
void rj_cli_usage(const rj_command *c, char *out, size_t n);

#endif
