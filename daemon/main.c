/* renjad: the daemon, and the offline commands on its data dir. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rj_daemon.h"
#include "rj_dirlock.h"
#include "rj_dcli.h"
#include "rj_ident.h"
#include "rj_log.h"
#include "rj_store.h"

#define DEFAULT_DATA_DIR "/var/lib/renjad"
#define RJ_STR_(x) #x
#define RJ_STR(x) RJ_STR_(x)

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "renjad: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    rj_dcli_usage(stderr);
    return 2;
}

typedef struct opts {
    const char *data_dir;
    const char *name, *role, *bidang;
    rj_daemon_config cfg;
    int argc;
    char **argv; /* positional arguments left */
} opts;

static int parse(int argc, char **argv, opts *o)
{
    /* getopt's table from the one table of options */
    static struct option longs[32];
    size_t n = 0;
    for (const rj_dopt *d = rj_dcli_options; d->name && n + 1 < 32; d++, n++)
        longs[n] = (struct option){d->name, d->arg ? required_argument : no_argument, NULL, d->id};
    longs[n] = (struct option){0};
    int c, level;
    char *end;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hV", longs, NULL)) != -1) {
        switch (c) {
        case RJ_DOPT_DATA:
            o->data_dir = optarg;
            break;
        case RJ_DOPT_LISTEN:
            if (o->cfg.n_listen == RJ_DAEMON_MAX_LISTEN)
                return usage_error("too many --listen (at most %s)", "16");
            o->cfg.listen[o->cfg.n_listen++] = optarg;
            break;
        case RJ_DOPT_LOG:
            level = rj_log_level_parse(optarg);
            if (level < 0)
                return usage_error(
                    "unknown --log-level \"%s\"; expected error, warn, info or debug", optarg);
            rj_log_set_level((rj_log_level)level);
            break;
        case RJ_DOPT_NAME:
            o->name = optarg;
            break;
        case RJ_DOPT_ROLE:
            o->role = optarg;
            break;
        case RJ_DOPT_BIDANG:
            o->bidang = optarg;
            break;
        case RJ_DOPT_DRAIN:
            o->cfg.drain_ms = strtoull(optarg, &end, 10);
            if (*end || !*optarg)
                return usage_error("--drain-ms \"%s\" is not a number of milliseconds", optarg);
            break;
        case RJ_DOPT_MAXCONN:
            o->cfg.grpc.max_connections = (uint32_t)strtoul(optarg, &end, 10);
            if (*end || !*optarg || o->cfg.grpc.max_connections == 0)
                return usage_error("--max-connections \"%s\" is not a positive number", optarg);
            break;
        case RJ_DOPT_IDLE:
            o->cfg.grpc.idle_timeout_ms = strtoull(optarg, &end, 10) * 1000;
            if (*end || !*optarg || o->cfg.grpc.idle_timeout_ms == 0)
                return usage_error("--idle-timeout \"%s\" is not a positive number of seconds",
                                   optarg);
            break;
        case RJ_DOPT_MAXMSG: {
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*end || !*optarg || optarg[0] == '-' || v < RJ_MAX_MESSAGE_MIN ||
                v > RJ_MAX_MESSAGE_MAX)
                return usage_error("--max-message \"%s\" is not a number of bytes from " RJ_STR(
                                       RJ_MAX_MESSAGE_MIN) " to " RJ_STR(RJ_MAX_MESSAGE_MAX),
                                   optarg);
            o->cfg.grpc.max_message = (size_t)v;
            break;
        }
        case RJ_DOPT_MAXUNIX:
        case RJ_DOPT_MAXPEER: {
            uint32_t v = (uint32_t)strtoul(optarg, &end, 10);
            if (*end || !*optarg || v == 0)
                return usage_error(
                    c == RJ_DOPT_MAXUNIX
                        ? "--max-unix-connections \"%s\" is not a positive number"
                        : "--max-connections-per-peer \"%s\" is not a positive number",
                    optarg);
            if (c == RJ_DOPT_MAXUNIX)
                o->cfg.grpc.max_unix_connections = v;
            else
                o->cfg.grpc.max_peer_connections = v;
            break;
        }
        case RJ_DOPT_FIRSTCALL:
            o->cfg.grpc.first_call_timeout_ms = strtoull(optarg, &end, 10) * 1000;
            if (*end || !*optarg || o->cfg.grpc.first_call_timeout_ms == 0)
                return usage_error(
                    "--first-call-timeout \"%s\" is not a positive number of seconds", optarg);
            break;
        case RJ_DOPT_ANSWERMEM: {
            unsigned long long mib = strtoull(optarg, &end, 10);
            if (*end || !*optarg || mib < 32 || mib > (1ull << 20))
                return usage_error("--max-answer-memory \"%s\" is not a number of MiB from 32 up",
                                   optarg);
            o->cfg.answer_total_max = (size_t)mib << 20;
            break;
        }
        case RJ_DOPT_TLSCERT:
            o->cfg.tls_cert = optarg;
            break;
        case RJ_DOPT_TLSKEY:
            o->cfg.tls_key = optarg;
            break;
        case RJ_DOPT_INSECURE:
            o->cfg.insecure_listen = true;
            break;
        case RJ_DOPT_HELP:
            rj_dcli_usage(stdout);
            exit(0);
        case RJ_DOPT_VERSION:
            printf("renjad %s\n", RENJA_VERSION);
            exit(0);
        default:
            return usage_error("unknown or incomplete option \"%s\"", argv[optind - 1]);
        }
    }
    o->argc = argc - optind;
    o->argv = argv + optind;
    return 0;
}

/* Commands other than init work on an existing store only: a mistyped
 * --data-dir must not become a new, empty one. */
static int open_store(const char *dir, rj_store **s)
{
    if (!rj_store_exists(dir)) {
        fprintf(stderr, "renjad: no store in %s; create one with: renjad init --data-dir %s\n", dir,
                dir);
        return 1;
    }
    rj_diag d = {{0}};
    int rc = rj_store_open(dir, s, &d);
    if (rc) {
        fprintf(stderr, "renjad: cannot open store in %s: %s\n", dir,
                d.msg[0] ? d.msg : rj_strerror(rc));
        return 1;
    }
    if (rj_store_recovered(*s))
        fprintf(stderr,
                "renjad: recovered %s from a crash: %llu write(s) replayed from the write-ahead "
                "log\n",
                dir, (unsigned long long)rj_store_recovered(*s));
    long from;
    const char *what;
    uint64_t up = rj_store_upgraded(*s, &from, &what);
    if (up)
        fprintf(stderr, "renjad: %s upgraded from schema %ld to %d: %s computed for %llu plan(s)\n",
                dir, from, RJ_SCHEMA_VERSION, what, (unsigned long long)up);
    return 0;
}

/* init and restore own the data dir while they work: never while a daemon
 * (or another init or restore) has it. */
static int lock_dir(const char *dir, const char *what, int *lock_fd)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "renjad: %s: cannot create data dir %s: %s\n", what, dir, strerror(errno));
        return 1;
    }
    rj_diag d = {{0}};
    if (rj_dirlock_take(dir, what, lock_fd, &d) != 0) {
        fprintf(stderr, "renjad: %s\n", d.msg);
        return 1;
    }
    return 0;
}

static int cmd_init(opts *o)
{
    int lock_fd;
    if (lock_dir(o->data_dir, "init", &lock_fd))
        return 1;
    rj_store *s;
    rj_diag d = {{0}};
    int rc = rj_store_open_ex(o->data_dir, RJ_STORE_OWNER, &s, &d);
    if (rc) {
        fprintf(stderr, "renjad: init: cannot create the store in %s: %s\n", o->data_dir,
                d.msg[0] ? d.msg : rj_strerror(rc));
        rj_dirlock_release(lock_fd);
        return 1;
    }
    size_t n = 0;
    rc = rj_store_token_count(s, &n, &d);
    if (rc == 0 && n > 0) {
        fprintf(stderr,
                "renjad: %s is already initialised (%zu token(s)); use 'renjad token add'\n",
                o->data_dir, n);
        rj_store_close(s);
        rj_dirlock_release(lock_fd);
        return 1;
    }
    char token[RJ_TOKEN_MAX];
    rc = rc ? rc : rj_store_token_add(s, "admin", RENJA__V1__ROLE__ROLE_ADMIN, "", token, &d);
    rj_store_close(s);
    rj_dirlock_release(lock_fd);
    if (rc) {
        fprintf(stderr, "renjad: init: %s\n", d.msg[0] ? d.msg : rj_strerror(rc));
        return 1;
    }
    fprintf(stderr, "renjad: initialised %s; the admin token follows (it is shown only once)\n",
            o->data_dir);
    printf("%s\n", token);
    return 0;
}

static int cmd_token(opts *o)
{
    if (o->argc < 1)
        return usage_error("token needs a subcommand: add, list or revoke%s", "");
    const char *sub = o->argv[0];
    rj_store *s;
    rj_diag d = {{0}};
    int rc;
    if (strcmp(sub, "add") == 0) {
        int role = rj_role_parse(o->role);
        if (!o->name || !o->name[0])
            return usage_error("token add needs --name NAME%s", "");
        if (!role)
            return usage_error("token add needs --role viewer|editor|planner|admin (got \"%s\")",
                               o->role ? o->role : "");
        if (role == RENJA__V1__ROLE__ROLE_EDITOR && (!o->bidang || !o->bidang[0]))
            return usage_error("an editor token needs --bidang BIDANG%s", "");
        if (open_store(o->data_dir, &s))
            return 1;
        char token[RJ_TOKEN_MAX];
        rc = rj_store_token_add(s, o->name, (Renja__V1__Role)role, o->bidang ? o->bidang : "",
                                token, &d);
        rj_store_close(s);
        if (rc) {
            fprintf(stderr, "renjad: token add: %s\n", d.msg[0] ? d.msg : rj_strerror(rc));
            return 1;
        }
        fprintf(stderr, "renjad: token \"%s\" (%s) created; it is shown only once\n", o->name,
                o->role);
        printf("%s\n", token);
        return 0;
    }
    if (strcmp(sub, "list") == 0) {
        if (open_store(o->data_dir, &s))
            return 1;
        Renja__V1__Identity **ids = NULL;
        size_t n = 0;
        rc = rj_store_token_list(s, &ids, &n, &d);
        for (size_t i = 0; rc == 0 && i < n; i++)
            printf("%s\t%s\t%s\n", ids[i]->name, rj_role_name(ids[i]->role), ids[i]->bidang);
        if (rc)
            fprintf(stderr, "renjad: token list: %s\n", d.msg[0] ? d.msg : rj_strerror(rc));
        rj_msgs_free((void **)ids, n);
        rj_store_close(s);
        return rc ? 1 : 0;
    }
    if (strcmp(sub, "revoke") == 0) {
        const char *name = o->name ? o->name : (o->argc > 1 ? o->argv[1] : NULL);
        if (!name)
            return usage_error("token revoke needs --name NAME%s", "");
        if (open_store(o->data_dir, &s))
            return 1;
        rc = rj_store_token_revoke(s, name, &d);
        rj_store_close(s);
        if (rc) {
            fprintf(stderr, "renjad: token revoke: %s\n", d.msg[0] ? d.msg : rj_strerror(rc));
            return rc == RJ_ENOTFOUND ? 4 : 1;
        }
        fprintf(stderr, "renjad: token \"%s\" revoked\n", name);
        return 0;
    }
    return usage_error("unknown token subcommand \"%s\"; expected add, list or revoke", sub);
}

static int cmd_backup(opts *o)
{
    if (o->argc != 1)
        return usage_error("backup needs one OUT_FILE%s", "");
    rj_store *s;
    if (open_store(o->data_dir, &s))
        return 1;
    rj_diag d = {{0}};
    int rc = rj_store_backup(s, o->argv[0], &d);
    rj_store_close(s);
    if (rc) {
        fprintf(stderr, "renjad: backup: %s\n", d.msg[0] ? d.msg : rj_strerror(rc));
        return 1;
    }
    fprintf(stderr, "renjad: backup of %s written to %s\n", o->data_dir, o->argv[0]);
    return 0;
}

static int cmd_restore(opts *o)
{
    if (o->argc != 1)
        return usage_error("restore needs one IN_FILE%s", "");
    int lock_fd;
    if (lock_dir(o->data_dir, "restore", &lock_fd))
        return 1;
    rj_diag d = {{0}};
    int rc = rj_store_restore(o->data_dir, o->argv[0], &d);
    rj_dirlock_release(lock_fd);
    if (rc) {
        fprintf(stderr, "renjad: restore: %s\n", d.msg[0] ? d.msg : rj_strerror(rc));
        return 1;
    }
    fprintf(stderr, "renjad: %s restored into %s\n", o->argv[0], o->data_dir);
    return 0;
}

int main(int argc, char **argv)
{
    opts o = {0};
    rj_grpc_config_default(&o.cfg.grpc);
    o.cfg.drain_ms = 10000;
    /* Subcommand first ("renjad token add ..."), options anywhere after it. */
    const char *cmd = NULL;
    if (argc > 1 && argv[1][0] != '-') {
        cmd = argv[1];
    }
    int rc = cmd ? parse(argc - 1, argv + 1, &o) : parse(argc, argv, &o);
    if (rc)
        return rc;
    o.data_dir = o.data_dir ? o.data_dir : DEFAULT_DATA_DIR;
    if (!cmd) {
        if (o.argc > 0)
            return usage_error("unexpected argument \"%s\"", o.argv[0]);
        o.cfg.data_dir = o.data_dir;
        if (!o.cfg.tls_cert != !o.cfg.tls_key)
            return usage_error("%s", o.cfg.tls_cert
                                         ? "--tls-cert needs --tls-key (the certificate's key)"
                                         : "--tls-key needs --tls-cert (the certificate)");
        return rj_daemon_run(&o.cfg);
    }
    if (strcmp(cmd, "init") == 0)
        return o.argc == 0 ? cmd_init(&o)
                           : usage_error("init takes no argument (got \"%s\")", o.argv[0]);
    if (strcmp(cmd, "token") == 0)
        return cmd_token(&o);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(&o);
    if (strcmp(cmd, "methods") == 0) {
        rj_daemon_methods(stdout);
        return 0;
    }
    if (strcmp(cmd, "restore") == 0)
        return cmd_restore(&o);
    return usage_error("unknown command \"%s\"", cmd);
}
