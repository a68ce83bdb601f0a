#include "rj_dcli.h"

#include <string.h>

#include "rj_daemon.h"
#include "rj_roff.h"

#define RJ_STR_(x) #x
#define RJ_STR(x) RJ_STR_(x)

const rj_dopt rj_dcli_options[] = {
    {"data-dir", "DIR", RJ_DOPT_DATA,
     "the data directory made by renjad init (default /var/lib/renjad)"},
    {"listen", "ADDR", RJ_DOPT_LISTEN,
     "listen on ADDR: unix:/path/to.sock, HOST:PORT or [::1]:PORT; may be given up to 16 "
     "times (default unix:DIR/" RJ_DAEMON_SOCKET_NAME " and " RJ_DAEMON_DEFAULT_TCP ")"},
    {"tls-cert", "FILE", RJ_DOPT_TLSCERT,
     "serve TLS (1.2 or later, ALPN h2) on every TCP listener with the PEM certificate in "
     "FILE, then any intermediate ones; needs --tls-key; re-read on SIGHUP (the Unix socket "
     "stays plaintext)"},
    {"tls-key", "FILE", RJ_DOPT_TLSKEY,
     "the PEM private key of --tls-cert (unencrypted; keep it readable by renjad alone); "
     "re-read on SIGHUP"},
    {"insecure-listen", NULL, RJ_DOPT_INSECURE,
     "allow plaintext TCP on an address other than loopback (127.0.0.0/8, ::1): tokens and "
     "data then cross the network in clear; without it renjad refuses to start on one"},
    {"log-level", "LEVEL", RJ_DOPT_LOG, "error, warn, info or debug (default info)"},
    {"drain-ms", "MS", RJ_DOPT_DRAIN,
     "on SIGTERM, how long in-flight calls may finish before renjad exits (default 10000)"},
    {"max-connections", "N", RJ_DOPT_MAXCONN, "at most N TCP client connections (default 1024)"},
    {"max-connections-per-peer", "N", RJ_DOPT_MAXPEER,
     "at most N of the TCP connections from one address (default 128)"},
    {"max-unix-connections", "N", RJ_DOPT_MAXUNIX,
     "at most N connections on the Unix socket, apart from the TCP ones, so the host's admin "
     "always gets in (default 64)"},
    {"idle-timeout", "SECONDS", RJ_DOPT_IDLE,
     "close a connection idle for SECONDS since its last call (default 300)"},
    {"first-call-timeout", "SECONDS", RJ_DOPT_FIRSTCALL,
     "close a connection that has made no authenticated call within SECONDS of connecting "
     "(default 10; PINGs, SETTINGS and Health do not count)"},
    {"max-message", "BYTES", RJ_DOPT_MAXMSG,
     "the largest request message accepted (default 4194304 = 4 MiB, at least " RJ_STR(
         RJ_MAX_MESSAGE_MIN) ", at most " RJ_STR(RJ_MAX_MESSAGE_MAX) "); clients are told it in "
                                                                     "ServerInfo"},
    {"max-answer-memory", "MIB", RJ_DOPT_ANSWERMEM,
     "the answers all connections together may hold, computed or unsent, in MiB (default "
     "256, at least 32); a read that does not fit waits, then is refused"},
    {"name", "NAME", RJ_DOPT_NAME, "token add, token revoke: the name of the token"},
    {"role", "ROLE", RJ_DOPT_ROLE, "token add: viewer, editor, planner or admin"},
    {"bidang", "BIDANG", RJ_DOPT_BIDANG,
     "token add: the bidang an editor may write (required for an editor)"},
    {"help", NULL, RJ_DOPT_HELP, "this help"},
    {"version", NULL, RJ_DOPT_VERSION, "the version of renjad"},
    {NULL, NULL, 0, NULL},
};

const rj_dcmd rj_dcli_commands[] = {
    {"[--data-dir DIR] [--listen ADDR]... [--tls-cert FILE --tls-key FILE] [--insecure-listen] "
     "[--log-level LEVEL] [--drain-ms MS] "
     "[--max-connections N] [--max-unix-connections N] [--max-connections-per-peer N] "
     "[--idle-timeout SECONDS] [--first-call-timeout SECONDS] [--max-message BYTES] "
     "[--max-answer-memory MIB]",
     "serve the store in DIR over gRPC until SIGTERM"},
    {"init --data-dir DIR", "create the store; prints an admin token once"},
    {"token add --data-dir DIR --name NAME --role ROLE [--bidang BIDANG]",
     "add a token; prints it once"},
    {"token list --data-dir DIR", "the tokens: name, role, bidang"},
    {"token revoke --data-dir DIR --name NAME", "revoke a token"},
    {"backup --data-dir DIR OUT_FILE", "a consistent copy of the store while the daemon runs"},
    {"restore --data-dir DIR IN_FILE", "bring a backup back; refused while a daemon runs on DIR"},
    {"methods", "the dispatch table: path, role, kind of every method"},
    {NULL, NULL},
};

/* text from column col on, wrapped at 79 columns to lines indented by indent */
static void wrap(FILE *out, const char *text, int indent, int col)
{
    for (const char *p = text; *p;) {
        p += strspn(p, " ");
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        if (col > indent && col + 1 + (int)n > 79) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent)
            fputc(' ', out), col++;
        else if (col < indent)
            fprintf(out, "%*s", indent - col, ""), col = indent;
        fwrite(p, 1, n, out);
        col += (int)n;
        p += n;
    }
    fputc('\n', out);
}

void rj_dcli_usage(FILE *out)
{
    for (const rj_dcmd *c = rj_dcli_commands; c->synopsis; c++) {
        fputs(c == rj_dcli_commands ? "usage: renjad " : "       renjad ", out);
        wrap(out, c->synopsis, 14, 14);
        wrap(out, c->help, 11, 0);
    }
    fprintf(out, "\nOptions:\n");
    for (const rj_dopt *o = rj_dcli_options; o->name; o++) {
        char head[64];
        int n = snprintf(head, sizeof(head), "  --%s%s%s", o->name, o->arg ? " " : "",
                         o->arg ? o->arg : "");
        fputs(head, out);
        if (n + 2 > 24) {
            fputc('\n', out);
            n = 0;
        }
        wrap(out, o->help, 24, n);
    }
}

static const char description[] =
    "renjad keeps every revision of the Renja Perangkat Daerah plans in its data directory "
    "(LMDB) and answers the renja.v1.Renja gRPC service (HTTP/2, protobuf) and "
    "grpc.health.v1.Health. Every call but Health needs a bearer token made by renjad init or "
    "renjad token add. An acknowledged revision is on disk.\n"
    "A data directory that renjad init never touched is refused, so that a mistyped path "
    "does not become a new, empty store; the daemon, init and restore each take a lock on "
    "DIR/renjad.lock and refuse a directory another one holds. init and token add print the "
    "token alone on "
    "standard output (messages go to standard error), so a script can capture it.";

static const char signals[] =
    "SIGTERM: report NOT_SERVING, stop accepting, let in-flight calls finish (up to "
    "--drain-ms) and exit 0. Under systemd renjad sends READY=1 and STOPPING=1 and takes its "
    "sockets from socket activation (LISTEN_FDS).\n"
    "SIGHUP: re-read --tls-cert and --tls-key; new connections get the new certificate, open "
    "ones keep theirs and nothing is dropped. A certificate or key that does not load (or "
    "does not match) is logged and the old one stays in use.";

static void paragraphs(FILE *out, const char *text)
{
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        char line[2048];
        snprintf(line, sizeof(line), "%.*s", (int)n, p);
        fputs(".PP\n", out);
        rj_roff_line(out, line);
        p += n + (p[n] ? 1 : 0);
    }
}

void rj_dcli_man(FILE *out)
{
    fprintf(out, ".TH RENJAD 8 \"\" \"renjad %s\" \"System Administration\"\n", RENJA_VERSION);
    fputs(".SH NAME\nrenjad \\- the renja daemon: versioned Renja and budget store over gRPC\n"
          ".SH SYNOPSIS\n",
          out);
    for (const rj_dcmd *c = rj_dcli_commands; c->synopsis; c++) {
        fputs(".B renjad\n", out);
        rj_roff_line(out, c->synopsis);
        fputs(".br\n", out);
    }
    fputs(".SH DESCRIPTION\n", out);
    paragraphs(out, description);
    fputs(".SH COMMANDS\n", out);
    for (const rj_dcmd *c = rj_dcli_commands; c->synopsis; c++) {
        fputs(".TP\n\\fBrenjad ", out);
        rj_roff_put(out, c->synopsis);
        fputs("\\fR\n", out);
        rj_roff_line(out, c->help);
    }
    fputs(".SH OPTIONS\n", out);
    for (const rj_dopt *o = rj_dcli_options; o->name; o++)
        rj_roff_option(out, "--", o->name, o->arg, o->help);
    fputs(".SH SIGNALS\n", out);
    paragraphs(out, signals);
    fputs(".SH EXAMPLES\n", out);
    rj_roff_verbatim(out, "renjad init --data-dir /srv/renja\n"
                          "renjad token add --data-dir /srv/renja --name umkm --role editor "
                          "--bidang \"Bidang Pemberdayaan Usaha Kecil\"\n"
                          "renjad --data-dir /srv/renja --listen unix:/srv/renja/renjad.sock "
                          "--listen 127.0.0.1:7024\n"
                          "renjad --data-dir /srv/renja --listen 0.0.0.0:7024 --tls-cert "
                          "/etc/renjad/cert.pem --tls-key /etc/renjad/key.pem\n"
                          "renjad backup --data-dir /srv/renja /backup/renja.mdb");
    fputs(".SH EXIT STATUS\n0 on success (and after a clean SIGTERM), 1 on failure, 2 for a "
          "usage error, 4 when token revoke finds no such token.\n"
          ".SH FILES\n.TP\n\\fIDIR/data.mdb\\fR\nthe store\n.TP\n\\fIDIR/renja.wal\\fR\nthe "
          "write-ahead log: every acknowledged write is flushed here first, and replayed at the "
          "next start after a crash\n.TP\n\\fIDIR/" RJ_DAEMON_SOCKET_NAME
          "\\fR\nthe default Unix socket\n"
          ".SH SEE ALSO\n\\fBrenja\\fR(1), \\fBsystemd.socket\\fR(5)\n",
          out);
}
