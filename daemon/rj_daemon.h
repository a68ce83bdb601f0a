/* renjad's serving loop: store, writer thread, gRPC server, watchers,
 * signals. main.c parses flags and calls rj_daemon_run(). */
#ifndef RJ_DAEMON_H
#define RJ_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rj_grpc.h"

#define RJ_DAEMON_MAX_LISTEN 16
#define RJ_DAEMON_SOCKET_NAME "renjad.sock"
#define RJ_DAEMON_DEFAULT_TCP "127.0.0.1:7024"

typedef struct rj_daemon_config {
    const char *data_dir;
    const char *listen[RJ_DAEMON_MAX_LISTEN]; /* none: the defaults */
    size_t n_listen;
    uint64_t drain_ms; /* how long in-flight calls may take on SIGTERM */
    /* Answers held (reserved for calls being computed, or queued unsent):
     * per connection and for the whole daemon; 0 = the defaults, 32 MiB and
     * 256 MiB. A call that would go beyond waits for room, and is refused
     * with RESOURCE_EXHAUSTED when its own client is not reading. */
    size_t answer_conn_max;
    size_t answer_total_max;
    /* TLS on every TCP listener: PEM certificate (chain) and key, re-read on
     * SIGHUP; both NULL: plaintext. */
    const char *tls_cert;
    const char *tls_key;
    /* Plaintext TCP on an address other than loopback is refused unless
     * this is set. */
    bool insecure_listen;
    rj_grpc_config grpc;
} rj_daemon_config;

/* Print the dispatch table, one method a line: path, the least role it
 * needs ("none" for none), "unary" or "stream", "read" or "write". Tests
 * generate their permission matrix from it. */
void rj_daemon_methods(FILE *out);

/* Serve until SIGTERM or SIGINT. Returns the process exit code. */
int rj_daemon_run(const rj_daemon_config *cfg);

#endif
