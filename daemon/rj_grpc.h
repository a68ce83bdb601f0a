/* gRPC server over HTTP/2 on libuv + nghttp2: cleartext (prior knowledge),
 * or TLS with ALPN h2 on TCP (rj_tls.h).
 *
 * The transport owns sockets, nghttp2 sessions, message framing, limits,
 * deadlines and trailers. It knows nothing of renja's methods beyond the
 * table it is given: it looks the :path up, unpacks the request with the
 * row's descriptor (INVALID_ARGUMENT when that fails, or when a string is
 * not UTF-8), drops its unknown fields, and calls the row's handler on the
 * loop thread. A unary request of 64 KiB or more is unpacked on the pool
 * (rj_grpc_config.pool), and freed there when its call ends.
 *
 * Threads: every function here runs on the loop thread only. The process
 * must ignore SIGPIPE (libuv writes with write(2)).
 *
 * Call lifetime: an rj_call is created when a request's message is complete
 * and lives until the handler ends it with rj_call_reply(), rj_call_fail()
 * or rj_call_finish(), even if the peer went away meanwhile (the reply is
 * then dropped). The request message is owned by the call and freed when
 * the call ends. Metadata strings live as long as the call.
 *
 * Client-streaming and bidirectional methods (RJ_GRPC_STREAM_IN): the call
 * is created when the request headers are in (the deadline runs from
 * there), and the handler is called once per request message, in order, as
 * each arrives, then once more with request NULL after the client's
 * END_STREAM. A message stays valid until the next call of the handler or
 * the end of the call. The next message is handed over only after the
 * handler returned and while the stream holds under 64 KiB of answers the
 * client has not taken: a client that sends without reading has its
 * requests queued, up to the message limit (--max-message) in bytes and
 * 16384 messages, and is then answered RESOURCE_EXHAUSTED. That, a message
 * over the limit, a truncated frame, and a message that does not unpack
 * (INVALID_ARGUMENT, naming it) end the stream after the messages queued
 * before them are handed over; the call is then cancelled (on_cancel), as
 * on a deadline or RST_STREAM, and must still be ended by its handler.
 */
#ifndef RJ_GRPC_H
#define RJ_GRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>
#include <uv.h>

#include "rj_alloc.h"
#include "rj_error.h"
#include "rj_tls.h"

typedef struct rj_grpc_server rj_grpc_server;
typedef struct rj_call rj_call;

typedef void (*rj_grpc_handler_fn)(rj_call *call, const ProtobufCMessage *request);

/* One row of the dispatch table. The transport reads path, request and
 * handler; the rest is for the handler's own use (rj_call_method). */
#define RJ_GRPC_STREAM_OUT 1u /* server-streaming: many responses (true in a table row) */
#define RJ_GRPC_STREAM_IN 2u  /* client-streaming: many requests */

/* The functions behind a method, the application's own type: the transport
 * only carries the pointer to the handler that knows it. */
struct rj_service;

typedef struct rj_grpc_method {
    const char *path; /* "/renja.v1.Renja/Show" */
    const ProtobufCMessageDescriptor *request;
    const ProtobufCMessageDescriptor *response;
    rj_grpc_handler_fn handler;
    unsigned streaming; /* 0 unary; RJ_GRPC_STREAM_OUT, RJ_GRPC_STREAM_IN or both (bidi) */
    bool write;         /* goes to the writer thread */
    int min_role;       /* Renja__V1__Role; 0 = no token needed */
    const struct rj_service *svc; /* the application's, behind a generic handler */
    const char *text; /* the request's free-text field (bounded by the message limit), or NULL */
} rj_grpc_method;

typedef struct rj_grpc_config {
    size_t max_message;            /* bytes; larger -> RESOURCE_EXHAUSTED (default 4 MiB) */
    uint32_t max_streams;          /* concurrent streams per connection (default 100) */
    uint32_t max_header_list;      /* bytes (default 16 KiB) */
    uint32_t max_connections;      /* TCP connections accepted at once (default 1024) */
    uint32_t max_unix_connections; /* Unix socket ones, slots of their own (default 64) */
    uint32_t max_peer_connections; /* TCP connections from one address (default 128) */
    uint64_t idle_timeout_ms;      /* no call for this long after the last one (default 300 s) */
    uint64_t handshake_timeout_ms; /* connection preface + SETTINGS (default 10 s) */
    /* A connection that has completed no authenticated call this long after
     * it was accepted is closed (default 10 s). PINGs, SETTINGS and calls
     * without a token (Health) are not activity. */
    uint64_t first_call_timeout_ms;
    void (*log)(void *ud, const char *line); /* one line, no newline; may be NULL */
    void *log_ud;
    /* Where answers of megabytes are freed, off the loop (NULL: in place). */
    struct rj_pool *pool;
} rj_grpc_config;

/* Copy an nghttp2 diagnostic into out for a log line with every header
 * value ("value: [...]") replaced by its length, and control bytes by '?':
 * a header may carry a bearer token. */
void rj_grpc_redact(const char *msg, size_t len, char *out, size_t out_len);

/* Fill cfg with the defaults above. */
void rj_grpc_config_default(rj_grpc_config *cfg);

/* methods must outlive the server. */
int rj_grpc_server_new(uv_loop_t *loop, const rj_grpc_config *cfg, const rj_grpc_method *methods,
                       size_t n_methods, void *ud, rj_grpc_server **out);
/* Listen on "unix:/path" or "HOST:PORT" ("[::1]:PORT"); port 0 picks one.
 * bound receives the address actually bound, e.g. "127.0.0.1:43117". */
int rj_grpc_server_listen(rj_grpc_server *srv, const char *addr, char *bound, size_t bound_len,
                          rj_diag *d);
/* TLS on every TCP listener (the Unix socket stays plaintext) for the
 * connections accepted from now on; those already open keep the context
 * they started with. The server takes ctx over (and frees the one it had);
 * NULL: plaintext. */
void rj_grpc_server_set_tls(rj_grpc_server *srv, rj_tls_ctx *ctx);
/* Serve an already listening socket (systemd LISTEN_FDS). */
int rj_grpc_server_listen_fd(rj_grpc_server *srv, int fd, rj_diag *d);
/* Stop accepting, send GOAWAY to every connection, let in-flight calls
 * finish; after deadline_ms (or when none is left) close everything and call
 * done(arg) once. Calls still open at the deadline are cancelled (on_cancel
 * fires) and must still be ended by their handlers; done does not wait for
 * that, and such calls no longer touch the server. */
void rj_grpc_server_drain(rj_grpc_server *srv, uint64_t deadline_ms, void (*done)(void *),
                          void *arg);
/* Free after drain's done callback (or before any listen). */
void rj_grpc_server_free(rj_grpc_server *srv);
size_t rj_grpc_server_connections(const rj_grpc_server *srv);

void *rj_call_server_data(const rj_call *call); /* the ud given to rj_grpc_server_new */
const rj_grpc_method *rj_call_method(const rj_call *call);
/* A request header by lowercase name ("authorization"), or NULL. */
const char *rj_call_header(const rj_call *call, const char *name);
/* Who is calling: "unix uid U pid P" (SO_PEERCRED) or "HOST:PORT" of the
 * TCP peer; "" once the connection is gone. */
const char *rj_call_peer(const rj_call *call);
/* Absolute deadline in uv_now() milliseconds from grpc-timeout; 0 = none. */
uint64_t rj_call_deadline(const rj_call *call);
/* Answer memory. A call may reserve bytes for the answer it will send
 * (replacing what it reserved before; 0 releases); the reservation ends
 * with the call. Held = reserved + answer bytes queued on streams and not
 * yet taken by HTTP/2 (the peer's window or socket is full). */
void rj_call_reserve(rj_call *call, size_t bytes);
size_t rj_call_conn_held(const rj_call *call);         /* by the call's connection */
size_t rj_grpc_server_held(const rj_grpc_server *srv); /* by all */
/* How long the call's connection has held queued answer bytes without any
 * leaving (0 when it holds none). */
uint64_t rj_call_conn_stalled_ms(const rj_call *call);
/* Close a connection that has held answer bytes for min_ms without its
 * client taking any (one per call: the caller calls again while short of
 * room); how many (0 or 1). */
size_t rj_grpc_server_close_stalled(rj_grpc_server *srv, uint64_t min_ms);

/* The call's token was accepted: the connection is in real use (see
 * first_call_timeout_ms and idle_timeout_ms). */
void rj_call_set_authenticated(rj_call *call);
/* True once the peer reset the stream, the connection closed or the
 * deadline passed (the transport has then already answered, if it could). */
bool rj_call_cancelled(const rj_call *call);
/* A pointer of the handler's own that lives with the call (NULL at first):
 * a client-streaming handler finds its state again on each message. */
void rj_call_set_user(rj_call *call, void *user);
void *rj_call_user(const rj_call *call);
/* Called once on the loop thread when the call becomes cancelled. */
void rj_call_on_cancel(rj_call *call, void (*cb)(rj_call *call, void *arg), void *arg);

/* Unary: send one message and grpc-status 0, end the call. */
void rj_call_reply(rj_call *call, const ProtobufCMessage *response);
/* The same with the message already framed by rj_grpc_frame_message (on
 * any thread); the call takes framed's bytes over and leaves it empty. */
void rj_call_reply_framed(rj_call *call, rj_buf *framed);
/* Append msg with its 5-byte gRPC prefix to out. Any thread. */
int rj_grpc_frame_message(const ProtobufCMessage *msg, rj_buf *out);
/* The same for a caller that has msg's packed size already. */
int rj_grpc_frame_sized(const ProtobufCMessage *msg, size_t len, rj_buf *out);
/* End the call with a non-zero status and a message a person can act on
 * (percent-encoded on the wire; any UTF-8). Trailers-only when nothing was
 * sent yet. */
void rj_call_fail(rj_call *call, int grpc_status, const char *message);
/* Streaming: queue one message. RJ_ECANCELED when the call is cancelled. */
int rj_call_send(rj_call *call, const ProtobufCMessage *msg);
/* Streaming: queue one message already framed by rj_grpc_frame_message;
 * the call takes framed's bytes over and leaves it empty. RJ_ECANCELED
 * when the call is cancelled. */
int rj_call_send_framed(rj_call *call, rj_buf *framed);
/* Streaming: end with a status (0 = OK). */
void rj_call_finish(rj_call *call, int grpc_status, const char *message);
/* Streaming: response bytes queued but not yet handed to HTTP/2 (the peer's
 * flow-control window is full or the socket is slow); 0 once cancelled.
 * Long streams can pace themselves on it. */
size_t rj_call_pending(const rj_call *call);

#endif
