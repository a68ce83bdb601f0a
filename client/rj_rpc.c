#include "rj_rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "rj_alloc.h"
#include "rj_tlsc.h"
#include "rj_wire.h"

#ifndef RENJA_VERSION
#define RENJA_VERSION "0"
#endif

/* One call at a time on one connection: the loop below runs poll() on the
 * socket, feeds what it reads to nghttp2_session_mem_recv and writes what
 * nghttp2_session_mem_send hands out, until the current stream closes.
 * The client waits a little longer than the deadline it sends, so that
 * the server's DEADLINE_EXCEEDED (with its message) normally wins. */
#define DEADLINE_GRACE_MS 250
#define WINDOW (1 << 20)

typedef struct rpc_call {
    int32_t id;
    const ProtobufCMessageDescriptor *desc;
    int (*on_msg)(const ProtobufCMessage *, void *);
    void *arg;
    ProtobufCMessage *resp; /* unary */
    int n_msgs;
    rj_wire_decoder dec;
    int http_status;
    int grpc_status; /* -1 until seen */
    char *grpc_message;
    bool closed;
    uint32_t close_error;
    bool cancelled;   /* by on_msg */
    int local_status; /* a failure found here, or -1 */
    char local_msg[RJ_DIAG_MAX];
    const uint8_t *body;
    size_t body_len;
    size_t body_off;
} rpc_call;

struct rj_rpc {
    int fd;
    rj_tlsc *tls; /* NULL: cleartext */
    bool is_tcp;
    bool got_frame; /* the server has sent an HTTP/2 frame */
    nghttp2_session *session;
    char addr[256];
    char authority[128];
    bool broken;
    char broken_msg[RJ_DIAG_MAX];
    rj_buf out;
    rpc_call *cur;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ------------------------------------------------------------------ */
/* nghttp2 callbacks */

static void call_local_fail(rpc_call *cl, int status, const char *msg)
{
    if (cl->local_status >= 0)
        return;
    cl->local_status = status;
    snprintf(cl->local_msg, sizeof(cl->local_msg), "%s", msg);
}

static int on_header_cb(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                        size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                        void *user_data)
{
    rj_rpc *rpc = user_data;
    rpc_call *cl = rpc->cur;
    if (!cl || frame->hd.stream_id != cl->id || frame->hd.type != NGHTTP2_HEADERS)
        return 0;
    if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
        int v = 0;
        for (size_t i = 0; i < valuelen && i < 4; i++)
            v = v * 10 + (value[i] - '0');
        cl->http_status = v;
    } else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
        int v = 0;
        bool ok = valuelen > 0 && valuelen < 4;
        for (size_t i = 0; ok && i < valuelen; i++) {
            if (value[i] < '0' || value[i] > '9')
                ok = false;
            else
                v = v * 10 + (value[i] - '0');
        }
        cl->grpc_status = ok ? v : RJ_GRPC_UNKNOWN;
    } else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0) {
        free(cl->grpc_message);
        cl->grpc_message = rj_wire_percent_decode((const char *)value, valuelen);
    }
    return 0;
}

static int on_data_chunk_recv_cb(nghttp2_session *session, uint8_t flags, int32_t stream_id,
                                 const uint8_t *data, size_t len, void *user_data)
{
    rj_rpc *rpc = user_data;
    rpc_call *cl = rpc->cur;
    if (!cl || stream_id != cl->id || cl->cancelled || cl->local_status >= 0)
        return 0;
    rj_diag d;
    int rc = rj_wire_decoder_feed(&cl->dec, data, len, &d);
    if (rc < 0) {
        call_local_fail(cl, rc == RJ_ETOOBIG ? RJ_GRPC_RESOURCE_EXHAUSTED : RJ_GRPC_INTERNAL,
                        d.msg);
        nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
        return 0;
    }
    const uint8_t *m;
    size_t mlen;
    while (!cl->cancelled && cl->local_status < 0 && rj_wire_decoder_next(&cl->dec, &m, &mlen)) {
        ProtobufCMessage *msg = protobuf_c_message_unpack(cl->desc, NULL, mlen, m);
        if (!msg) {
            char buf[300];
            snprintf(buf, sizeof(buf), "response is not a valid %s message", cl->desc->name);
            call_local_fail(cl, RJ_GRPC_INTERNAL, buf);
            nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
            return 0;
        }
        cl->n_msgs++;
        if (cl->on_msg) {
            int stop = cl->on_msg(msg, cl->arg);
            protobuf_c_message_free_unpacked(msg, NULL);
            if (stop) {
                cl->cancelled = true;
                nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
            }
        } else if (cl->resp) {
            protobuf_c_message_free_unpacked(msg, NULL);
            call_local_fail(cl, RJ_GRPC_INTERNAL, "more than one response message to a unary call");
            nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
        } else {
            cl->resp = msg;
        }
    }
    return 0;
}

static int on_stream_close_cb(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
                              void *user_data)
{
    rj_rpc *rpc = user_data;
    rpc_call *cl = rpc->cur;
    if (cl && stream_id == cl->id) {
        cl->closed = true;
        cl->close_error = error_code;
    }
    return 0;
}

static int on_frame_recv_cb(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
    ((rj_rpc *)user_data)->got_frame = true;
    return 0;
}

static ssize_t body_read_cb(nghttp2_session *session, int32_t stream_id, uint8_t *buf,
                            size_t length, uint32_t *data_flags, nghttp2_data_source *source,
                            void *user_data)
{
    rpc_call *cl = source->ptr;
    size_t left = cl->body_len - cl->body_off;
    size_t n = left < length ? left : length;
    if (n)
        memcpy(buf, cl->body + cl->body_off, n);
    cl->body_off += n;
    if (cl->body_off == cl->body_len)
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

/* ------------------------------------------------------------------ */
/* connection */

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Non-blocking connect bounded by timeout_ms; errno-style result. */
static int connect_fd(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
    if (set_nonblock(fd) < 0)
        return errno;
    if (connect(fd, sa, len) == 0)
        return 0;
    if (errno != EINPROGRESS && errno != EAGAIN)
        return errno;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int rc;
    do
        rc = poll(&p, 1, timeout_ms > 0 ? timeout_ms : -1);
    while (rc < 0 && errno == EINTR);
    if (rc == 0)
        return ETIMEDOUT;
    if (rc < 0)
        return errno;
    int err = 0;
    socklen_t el = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
        return errno;
    return err;
}

static int session_start(rj_rpc *rpc)
{
    nghttp2_session_callbacks *cbs;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header_cb);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk_recv_cb);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close_cb);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv_cb);
    int rv = nghttp2_session_client_new(&rpc->session, cbs, rpc);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0)
        return rv;
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, WINDOW},
    };
    rv = nghttp2_submit_settings(rpc->session, NGHTTP2_FLAG_NONE, iv, 2);
    if (rv == 0)
        rv = nghttp2_session_set_local_window_size(rpc->session, NGHTTP2_FLAG_NONE, 0, 8 << 20);
    return rv;
}

int rj_rpc_connect(const char *addr, int timeout_ms, rj_rpc **out, rj_diag *d)
{
    return rj_rpc_connect_tls(addr, timeout_ms, false, NULL, out, d);
}

int rj_rpc_connect_tls(const char *addr, int timeout_ms, bool tls, const char *cafile, rj_rpc **out,
                       rj_diag *d)
{
    *out = NULL;
    rj_addr a;
    int rc = rj_addr_parse(addr, &a, d);
    if (rc < 0)
        return rc;
    int fd = -1;
    int err = 0;
    if (a.is_unix) {
        struct sockaddr_un sun;
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        memcpy(sun.sun_path, a.path, strlen(a.path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return rj_diag_set(d, RJ_EIO, "connect %s: socket: %s", addr, strerror(errno));
        err = connect_fd(fd, (struct sockaddr *)&sun, sizeof(sun), timeout_ms);
    } else {
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;
        char port[8];
        snprintf(port, sizeof(port), "%d", a.port);
        int gai = getaddrinfo(a.host, port, &hints, &res);
        if (gai != 0)
            return rj_diag_set(d, RJ_EUNAVAIL, "connect %s: cannot resolve '%s': %s", addr, a.host,
                               gai_strerror(gai));
        err = ECONNREFUSED;
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
            if (fd < 0) {
                err = errno;
                continue;
            }
            err = connect_fd(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms);
            if (err == 0)
                break;
            close(fd);
            fd = -1;
        }
        freeaddrinfo(res);
        if (fd >= 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        }
    }
    if (err != 0) {
        if (fd >= 0)
            close(fd);
        return rj_diag_set(d, RJ_EUNAVAIL, "cannot connect to renjad at %s: %s", addr,
                           strerror(err));
    }
    rj_tlsc *t = NULL;
    if (tls && !a.is_unix) {
        rc = rj_tlsc_connect(fd, addr, a.host, cafile, timeout_ms, &t, d);
        if (rc < 0) {
            close(fd);
            return rc;
        }
    }
    rj_rpc *rpc = rj_calloc(1, sizeof(*rpc));
    rpc->fd = fd;
    rpc->tls = t;
    rpc->is_tcp = !a.is_unix;
    snprintf(rpc->addr, sizeof(rpc->addr), "%s", addr);
    if (a.is_unix)
        snprintf(rpc->authority, sizeof(rpc->authority), "localhost");
    else if (strchr(a.host, ':'))
        snprintf(rpc->authority, sizeof(rpc->authority), "[%s]:%d", a.host, a.port);
    else
        snprintf(rpc->authority, sizeof(rpc->authority), "%s:%d", a.host, a.port);
    rc = session_start(rpc);
    if (rc != 0) {
        rj_rpc_close(rpc);
        return rj_diag_set(d, RJ_EINTERNAL, "connect %s: cannot start HTTP/2 session: %s", addr,
                           nghttp2_strerror(rc));
    }
    *out = rpc;
    return 0;
}

void rj_rpc_close(rj_rpc *rpc)
{
    if (!rpc)
        return;
    if (rpc->session)
        nghttp2_session_del(rpc->session);
    rj_tlsc_free(rpc->tls);
    if (rpc->fd >= 0)
        close(rpc->fd);
    rj_buf_free(&rpc->out);
    free(rpc);
}

static void mark_broken(rj_rpc *rpc, const char *fmt, const char *detail)
{
    rpc->broken = true;
    snprintf(rpc->broken_msg, sizeof(rpc->broken_msg), fmt, rpc->addr, detail);
}

/* Move frames from nghttp2 into rpc->out and write them, until nghttp2 has
 * nothing more to send (for now: flow control may hold a body back until a
 * WINDOW_UPDATE arrives) or the socket would block; rpc->out then holds
 * what is still to be written, and the caller polls for POLLOUT exactly
 * when it is not empty. -1 when the connection is broken. */
static int pump_out(rj_rpc *rpc)
{
    for (;;) {
        while (rpc->out.len < 256 * 1024) {
            const uint8_t *data;
            ssize_t n = nghttp2_session_mem_send(rpc->session, &data);
            if (n < 0) {
                mark_broken(rpc, "connection to %s failed: %s", nghttp2_strerror((int)n));
                return -1;
            }
            if (n == 0)
                break;
            rj_buf_append(&rpc->out, data, (size_t)n);
        }
        if (rpc->out.len == 0)
            return 0;
        while (rpc->out.len > 0) {
            if (rpc->tls) {
                bool again;
                char why[256];
                ssize_t w =
                    rj_tlsc_send(rpc->tls, rpc->out.data, rpc->out.len, &again, why, sizeof(why));
                if (w < 0 && again)
                    return 0;
                if (w < 0) {
                    mark_broken(rpc, "connection to %s failed: TLS: %s", why);
                    return -1;
                }
                rj_buf_consume(&rpc->out, (size_t)w);
                continue;
            }
            ssize_t w = send(rpc->fd, rpc->out.data, rpc->out.len, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    return 0;
                if (!rpc->got_frame && rpc->is_tcp && (errno == ECONNRESET || errno == EPIPE))
                    mark_broken(rpc,
                                "the server at %s did not speak HTTP/2 in clear; does it need "
                                "--cacert/--tls? (%s)",
                                "it reset the connection");
                else
                    mark_broken(rpc, "connection to %s failed: %s", strerror(errno));
                return -1;
            }
            rj_buf_consume(&rpc->out, (size_t)w);
        }
    }
}

/* Drive the session until the current stream closes, the wait bound
 * passes (1) or the connection breaks (-1). */
static int run_until_closed(rj_rpc *rpc, rpc_call *cl, uint64_t until)
{
    uint8_t buf[65536];
    for (;;) {
        if (pump_out(rpc) < 0)
            return -1;
        if (cl->closed ||
            (cl->cancelled && rpc->out.len == 0 && !nghttp2_session_want_write(rpc->session)))
            return 0;
        int wait = -1;
        if (until) {
            uint64_t now = now_ms();
            if (now >= until)
                return 1;
            wait = (int)(until - now);
        }
        struct pollfd p = {.fd = rpc->fd, .events = POLLIN};
        if (rpc->out.len > 0)
            p.events |= POLLOUT;
        /* TLS may hold decrypted bytes the socket no longer shows. */
        int rc =
            rpc->tls && rj_tlsc_buffered(rpc->tls) ? (p.revents = POLLIN, 1) : poll(&p, 1, wait);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            mark_broken(rpc, "connection to %s failed: poll: %s", strerror(errno));
            return -1;
        }
        if (rc == 0)
            continue;
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n;
            if (rpc->tls) {
                bool again;
                char why[256];
                n = rj_tlsc_recv(rpc->tls, buf, sizeof(buf), &again, why, sizeof(why));
                if (n < 0 && again)
                    continue;
                if (n < 0) {
                    mark_broken(rpc, "connection to %s failed: TLS: %s", why);
                    return -1;
                }
            } else {
                n = recv(rpc->fd, buf, sizeof(buf), 0);
                if (n < 0) {
                    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                        continue;
                    if (!rpc->got_frame && rpc->is_tcp && errno == ECONNRESET)
                        mark_broken(rpc,
                                    "the server at %s did not speak HTTP/2 in clear; does it "
                                    "need --cacert/--tls? (%s)",
                                    "it reset the connection");
                    else
                        mark_broken(rpc, "connection to %s failed: %s", strerror(errno));
                    return -1;
                }
            }
            if (n == 0) {
                if (!rpc->got_frame && !rpc->tls && rpc->is_tcp)
                    mark_broken(rpc,
                                "the server at %s did not speak HTTP/2 in clear; does it need "
                                "--cacert/--tls?%s",
                                " (or it refused the connection: see its log)");
                else
                    mark_broken(rpc, "connection to %s closed by the server%s", "");
                return cl->closed ? 0 : -1;
            }
            ssize_t r = nghttp2_session_mem_recv(rpc->session, buf, (size_t)n);
            if (r < 0) {
                if (!rpc->got_frame && !rpc->tls && rpc->is_tcp)
                    mark_broken(rpc,
                                "the server at %s did not speak HTTP/2 in clear; does it need "
                                "--cacert/--tls? (%s)",
                                n > 0 && (buf[0] == 21 || buf[0] == 22) ? "it answered with TLS"
                                                                        : nghttp2_strerror((int)r));
                else
                    mark_broken(rpc, "connection to %s: HTTP/2 error: %s",
                                nghttp2_strerror((int)r));
                return -1;
            }
        }
    }
}

/* gRPC's mapping of HTTP statuses for responses without grpc-status. */
static int http_to_grpc(int http)
{
    switch (http) {
    case 400:
        return RJ_GRPC_INTERNAL;
    case 401:
        return RJ_GRPC_UNAUTHENTICATED;
    case 403:
        return RJ_GRPC_PERMISSION_DENIED;
    case 404:
        return RJ_GRPC_UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
        return RJ_GRPC_UNAVAILABLE;
    }
    return RJ_GRPC_UNKNOWN;
}

static int do_call(rj_rpc *rpc, const char *path, const char *token, const ProtobufCMessage *req,
                   const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
                   int (*on_msg)(const ProtobufCMessage *, void *), void *arg, int timeout_ms,
                   rj_diag *d)
{
    if (resp)
        *resp = NULL;
    rj_diag_clear(d);
    if (rpc->broken) {
        rj_diag_set(d, RJ_EUNAVAIL, "%s", rpc->broken_msg);
        return RJ_GRPC_UNAVAILABLE;
    }
    if (!nghttp2_session_want_read(rpc->session) && !nghttp2_session_want_write(rpc->session)) {
        rj_diag_set(d, RJ_EUNAVAIL, "connection to %s was shut down by the server", rpc->addr);
        return RJ_GRPC_UNAVAILABLE;
    }
    rpc_call cl;
    memset(&cl, 0, sizeof(cl));
    cl.desc = resp_desc;
    cl.on_msg = on_msg;
    cl.arg = arg;
    cl.grpc_status = -1;
    cl.local_status = -1;
    rj_wire_decoder_init(&cl.dec, 0x7fffffff);

    size_t plen = protobuf_c_message_get_packed_size(req);
    uint8_t *body = rj_malloc(RJ_WIRE_PREFIX + plen);
    rj_wire_put_prefix(body, (uint32_t)plen);
    protobuf_c_message_pack(req, body + RJ_WIRE_PREFIX);
    cl.body = body;
    cl.body_len = RJ_WIRE_PREFIX + plen;

    char ua[64], tmo[32], auth[1024];
    snprintf(ua, sizeof(ua), "renja/%s", RENJA_VERSION);
    nghttp2_nv nv[9];
    size_t nn = 0;
#define NV(n, v)                                                                                   \
    do {                                                                                           \
        nv[nn].name = (uint8_t *)(n);                                                              \
        nv[nn].namelen = strlen(n);                                                                \
        nv[nn].value = (uint8_t *)(v);                                                             \
        nv[nn].valuelen = strlen(v);                                                               \
        nv[nn].flags = NGHTTP2_NV_FLAG_NONE;                                                       \
        nn++;                                                                                      \
    } while (0)
    NV(":method", "POST");
    NV(":scheme", rpc->tls ? "https" : "http");
    NV(":path", path);
    NV(":authority", rpc->authority);
    NV("content-type", "application/grpc");
    NV("te", "trailers");
    NV("user-agent", ua);
    if (timeout_ms > 0) {
        rj_wire_format_timeout((uint64_t)timeout_ms, tmo, sizeof(tmo));
        NV("grpc-timeout", tmo);
    }
    if (token) {
        snprintf(auth, sizeof(auth), "Bearer %s", token);
        NV("authorization", auth);
        nv[nn - 1].flags = NGHTTP2_NV_FLAG_NO_INDEX; /* keep secrets out of HPACK tables */
    }
#undef NV
    nghttp2_data_provider prd;
    prd.source.ptr = &cl;
    prd.read_callback = body_read_cb;
    int32_t id = nghttp2_submit_request(rpc->session, NULL, nv, nn, &prd, NULL);
    int status;
    if (id < 0) {
        rj_diag_set(d, RJ_EUNAVAIL, "call %s on %s: cannot submit request: %s", path, rpc->addr,
                    nghttp2_strerror(id));
        status = RJ_GRPC_UNAVAILABLE;
        goto out;
    }
    cl.id = id;
    rpc->cur = &cl;
    uint64_t until = timeout_ms > 0 ? now_ms() + (uint64_t)timeout_ms + DEADLINE_GRACE_MS : 0;
    int rc = run_until_closed(rpc, &cl, until);
    if (rc == 1) {
        nghttp2_submit_rst_stream(rpc->session, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
        pump_out(rpc);
        bool whole = timeout_ms % 1000 == 0;
        rj_diag_set(d, RJ_ETIMEDOUT,
                    "no answer from renjad at %s within %d %s (call %s; --timeout SECONDS "
                    "waits longer)",
                    rpc->addr, whole ? timeout_ms / 1000 : timeout_ms, whole ? "s" : "ms", path);
        status = RJ_GRPC_DEADLINE_EXCEEDED;
        goto out;
    }
    if (cl.cancelled) {
        rj_diag_set(d, RJ_ECANCELED, "call %s cancelled", path);
        status = RJ_GRPC_CANCELLED;
        goto out;
    }
    if (cl.local_status >= 0) {
        rj_diag_set(d, RJ_EINTERNAL, "call %s on %s: %s", path, rpc->addr, cl.local_msg);
        status = cl.local_status;
        goto out;
    }
    if (rc < 0 && !cl.closed) {
        rj_diag_set(d, RJ_EUNAVAIL, "call %s: %s", path, rpc->broken_msg);
        status = RJ_GRPC_UNAVAILABLE;
        goto out;
    }
    if (cl.grpc_status < 0) {
        if (cl.http_status != 0 && cl.http_status != 200) {
            status = http_to_grpc(cl.http_status);
            rj_diag_set(d, RJ_EUNAVAIL, "call %s on %s: HTTP status %d", path, rpc->addr,
                        cl.http_status);
        } else if (cl.close_error == NGHTTP2_REFUSED_STREAM) {
            status = RJ_GRPC_UNAVAILABLE;
            rj_diag_set(d, RJ_EUNAVAIL, "call %s on %s: stream refused by the server", path,
                        rpc->addr);
        } else if (cl.close_error == NGHTTP2_CANCEL) {
            status = RJ_GRPC_CANCELLED;
            rj_diag_set(d, RJ_ECANCELED, "call %s on %s: stream cancelled by the server", path,
                        rpc->addr);
        } else {
            status = RJ_GRPC_INTERNAL;
            rj_diag_set(d, RJ_EINTERNAL,
                        "call %s on %s: stream ended without grpc-status (HTTP/2 error %u)", path,
                        rpc->addr, cl.close_error);
        }
        goto out;
    }
    status = cl.grpc_status;
    if (status != 0) {
        rj_diag_set(d, RJ_EINTERNAL, "%s",
                    cl.grpc_message && cl.grpc_message[0] ? cl.grpc_message
                                                          : rj_grpc_status_name(status));
        goto out;
    }
    if (rj_wire_decoder_pending(&cl.dec) != 0) {
        rj_diag_set(d, RJ_EINTERNAL, "call %s on %s: response ended inside a message", path,
                    rpc->addr);
        status = RJ_GRPC_INTERNAL;
        goto out;
    }
    if (!on_msg) {
        if (!cl.resp) {
            rj_diag_set(d, RJ_EINTERNAL, "call %s on %s: OK status but no response message", path,
                        rpc->addr);
            status = RJ_GRPC_INTERNAL;
            goto out;
        }
        *resp = cl.resp;
        cl.resp = NULL;
    }
out:
    rpc->cur = NULL;
    if (cl.resp)
        protobuf_c_message_free_unpacked(cl.resp, NULL);
    free(cl.grpc_message);
    rj_wire_decoder_free(&cl.dec);
    if (cl.id > 0 && !cl.closed && !rpc->broken) {
        nghttp2_submit_rst_stream(rpc->session, NGHTTP2_FLAG_NONE, cl.id, NGHTTP2_CANCEL);
        pump_out(rpc);
        /* nghttp2 would read the rest of the body from cl, which is gone
         * after this return: give the connection up instead. */
        if (cl.body_off < cl.body_len)
            mark_broken(rpc, "connection to %s abandoned after a cancelled call%s", "");
    }
    free(body);
    return status;
}

int rj_rpc_call(rj_rpc *rpc, const char *path, const char *token, const ProtobufCMessage *req,
                const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
                int timeout_ms, rj_diag *d)
{
    return do_call(rpc, path, token, req, resp_desc, resp, NULL, NULL, timeout_ms, d);
}

int rj_rpc_stream(rj_rpc *rpc, const char *path, const char *token, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *resp_desc,
                  int (*on_msg)(const ProtobufCMessage *msg, void *arg), void *arg, int timeout_ms,
                  rj_diag *d)
{
    return do_call(rpc, path, token, req, resp_desc, NULL, on_msg, arg, timeout_ms, d);
}
