/* TLS for renjad's TCP connections (OpenSSL), kept apart from the HTTP/2
 * transport: the transport moves bytes, this file turns them into TLS.
 *
 * Each connection's SSL works on two memory BIOs and never touches the
 * socket: the transport feeds what the socket read (ciphertext) with
 * rj_tls_feed, takes decrypted bytes for nghttp2 with rj_tls_read, hands
 * nghttp2's output to rj_tls_write, and writes what rj_tls_take gives it
 * (ciphertext) with uv_write. Everything runs on the loop thread.
 *
 * A context (certificate, key, TLS 1.2 at least, ALPN h2 only) is shared
 * by the connections made while it is the server's; SIGHUP makes a new one
 * for new connections, and each connection keeps the one it started with
 * (OpenSSL counts the references).
 */
#ifndef RJ_TLS_H
#define RJ_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rj_error.h"

typedef struct rj_tls_ctx rj_tls_ctx;
typedef struct rj_tls rj_tls;

/* Read the PEM certificate (chain) and key; the key must match. On failure
 * d names the file and what was wrong with it. about (may be NULL)
 * receives "subject S, serial N, expires T" for the log. */
int rj_tls_ctx_new(const char *cert_file, const char *key_file, rj_tls_ctx **out, char *about,
                   size_t about_len, rj_diag *d);
/* Drop the caller's reference; connections made with it keep theirs. */
void rj_tls_ctx_free(rj_tls_ctx *ctx);

/* A server-side connection's TLS state; peer names it in failures. */
rj_tls *rj_tls_new(rj_tls_ctx *ctx);
void rj_tls_free(rj_tls *t);

/* Ciphertext read from the socket. */
void rj_tls_feed(rj_tls *t, const void *data, size_t len);
/* Drive the handshake and decrypt: > 0 bytes of plaintext into buf, 0 when
 * more ciphertext is needed, -1 when the connection must close (why says
 * why: a failed handshake, a client offering no h2, plaintext on a TLS
 * port). */
ssize_t rj_tls_read(rj_tls *t, void *buf, size_t cap, char *why, size_t why_len);
/* The handshake is complete (and the client agreed on h2). */
bool rj_tls_ready(const rj_tls *t);
/* Encrypt len bytes; 0, or -1 with why. Only once ready. */
int rj_tls_write(rj_tls *t, const void *data, size_t len, char *why, size_t why_len);
/* Queue a close_notify alert (the connection ends politely). */
void rj_tls_shutdown(rj_tls *t);
/* Ciphertext waiting to be written to the socket. */
size_t rj_tls_pending(const rj_tls *t);
/* Move up to cap bytes of that ciphertext into buf; how many. */
size_t rj_tls_take(rj_tls *t, void *buf, size_t cap);

#endif
