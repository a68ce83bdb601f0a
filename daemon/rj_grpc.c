#include "rj_grpc.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "rj_alloc.h"
#include "rj_pool.h"
#include "rj_tls.h"
#include "rj_utf8.h"
#include "rj_wire.h"

/* Shape of the module:
 *
 *   server -> listeners, connections
 *   connection (conn) -> one nghttp2 session, its streams
 *   stream (one HTTP/2 request) <-> call (what the handler sees)
 *
 * A stream and its call point at each other; whichever goes first clears
 * the other's pointer. The stream goes when nghttp2 closes it (or the
 * connection dies); the call goes when the handler ends it. A call whose
 * stream went first is cancelled and its later reply dropped.
 *
 * nghttp2 is driven with mem_recv/mem_send only. Nothing re-enters nghttp2
 * from its own callbacks: handlers run after mem_recv returns, and a flush
 * asked for while inside nghttp2 (c->in_ng) is left to the outer loop. */

#define OUT_HIGH (1u << 20) /* pause reading / stop pulling frames above this */
#define OUT_LOW (256u << 10)
#define WINDOW (1 << 20)
#define CONN_WINDOW (8 << 20)
#define MAX_HEADERS_PER_STREAM 64
#define CONN_BUFFER_MIN (16u << 20)
/* Response bytes a connection may leave unread before further replies on it
 * are refused: a client sending 100 requests per connection and reading
 * none would otherwise make us hold 100 responses per connection. */
#define CONN_UNREAD_MAX (32u << 20)
/* Client-streaming calls: the next request message goes to the handler only
 * while its stream holds fewer answer bytes than this that HTTP/2 has not
 * taken; at most IN_QUEUE_MSGS messages (and the message limit in bytes)
 * wait meanwhile. One read can bring thousands of small messages at once,
 * so the count is well above what a client that reads ever queues. */
#define IN_PACE (64u << 10)
#define IN_QUEUE_MSGS 16384

typedef struct conn conn;
typedef struct stream stream;

typedef struct listener {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    bool is_unix;
    char *unlink_path;
    rj_grpc_server *srv;
    struct listener *next;
} listener;

/* Every read lands in one loop-wide buffer: nghttp2 takes what it keeps
 * out of it before read_cb returns, so no read allocates. */
#define READ_BUF 65536

struct rj_grpc_server {
    uv_loop_t *loop;
    char *rbuf;     /* READ_BUF bytes */
    bool rbuf_busy; /* between alloc_cb and read_cb */
    /* TLS on the TCP listeners: the context new connections take (each
     * keeps its own reference), and one loop-wide buffer for what they
     * decrypt (READ_BUF bytes), both NULL without TLS. */
    rj_tls_ctx *tls;
    char *tlsbuf;
    rj_grpc_config cfg;
    const rj_grpc_method *methods;
    size_t n_methods;
    void *ud;
    listener *listeners;
    size_t n_listeners; /* not yet closed */
    conn *conns;
    size_t n_conns;  /* not yet freed */
    size_t n_unix;   /* of which on a Unix socket */
    size_t unsent;   /* answer bytes queued on all streams, not yet handed to HTTP/2 */
    size_t reserved; /* answer bytes reserved by calls (rj_call_reserve) */
    uint64_t n_refused;
    uint64_t next_conn_id;
    bool draining;
    bool drain_done;
    uv_timer_t drain_timer;
    bool drain_timer_init;
    void (*done)(void *);
    void *done_arg;
};

/* A request's headers (pseudo-headers aside) in one buffer, each as
 * "name\0value\0" (HTTP/2 forbids NUL in both): one allocation for all of
 * them rather than four per header. */
typedef struct hdrs {
    size_t n;
    char *buf;
    size_t len, cap;
} hdrs;

struct conn {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    uv_timer_t timer;
    int open_handles;
    rj_grpc_server *srv;
    nghttp2_session *session;
    rj_tls *tls; /* NULL: plaintext (the Unix socket, or TCP without TLS) */
    uint64_t id;
    char peer[80];
    char host[64]; /* the TCP peer's address without the port */
    bool is_unix;
    bool had_call;          /* an authenticated call has ended on it */
    size_t unsent;          /* answer bytes queued on its streams */
    size_t reserved;        /* reserved by its calls */
    uint64_t backlog_since; /* unsent > 0: when bytes last left (or the backlog began) */
    bool handshake_done;
    bool closing;
    bool close_pending; /* asked to close while inside nghttp2 */
    bool shutting_down; /* uv_shutdown in flight */
    bool paused;
    int in_ng;
    size_t pending_out;
    size_t buffered; /* request bytes held by all streams */
    uint64_t bytes_in;
    unsigned n_errors; /* protocol errors seen, for log rate limiting */
    uint64_t last_activity;
    size_t n_streams;
    stream *streams;
    rj_call *ready; /* calls whose handlers run after mem_recv returns */
    rj_call **ready_tail;
    conn *prev, *next;
};

struct stream {
    conn *c;
    int32_t id;
    stream *prev, *next;
    /* request */
    char *method_name; /* :method */
    char *path;
    bool ct_ok;
    bool ct_seen;
    bool timeout_bad;
    bool auth_bad;    /* an authorization header nghttp2 found invalid */
    char *encoding;   /* grpc-encoding other than identity, for the answer */
    char *bad_header; /* the name of another invalid header, for the answer */
    uint64_t timeout_ms;
    size_t header_bytes;
    hdrs hd;
    rj_wire_decoder dec;
    rj_buf req;     /* the one request message, from req_off on */
    size_t req_off;
    /* Client-streaming: complete messages not yet handed to the handler,
     * each as a 4-byte length and its bytes, from inq_off on. */
    rj_buf inq;
    size_t inq_off, inq_n;
    size_t in_delivered; /* messages handed over so far */
    bool in_end_told;    /* the handler had its NULL (END_STREAM) */
    int in_err;          /* a status to end with once the queued messages are handed over */
    char *in_err_msg;
    struct unpack_job *unpacking; /* the request being unpacked on a pool thread */
    size_t buffered; /* this stream's share of c->buffered */
    int n_msgs;
    bool req_done;    /* END_STREAM from the peer */
    bool ignoring;    /* already answered; drop further DATA */
    uint64_t started; /* uv_now() at request headers */
    const rj_grpc_method *m;
    /* response */
    rj_buf out;
    size_t out_off;
    bool resp_submitted; /* HEADERS submitted (with a data provider or trailers-only) */
    bool resp_final;     /* status decided; trailers go out after out drains */
    bool resp_done;      /* trailers submitted */
    bool deferred;
    bool real; /* its call was authenticated: sending its answer is activity */
    int status;
    char *message;
    rj_call *call;
};

/* A request of this many bytes or more is unpacked (and its strings
 * checked) on a pool thread: at about 12 ms a MiB here, a request of the
 * default 4 MiB limit would hold every other connection's answers for some
 * 50 ms, one of --max-message 64 MiB for most of a second. Below it, the
 * hop to a pool thread and back costs more than it saves. */
#define UNPACK_ELSEWHERE (64u << 10)

typedef struct unpack_job {
    rj_job job;
    stream *st; /* NULL once the stream is gone (loop thread's) */
    struct rj_pool *pool;
    const ProtobufCMessageDescriptor *desc;
    rj_buf req; /* the message from req_off on; freed by the pool thread */
    size_t req_off;
    ProtobufCMessage *msg;  /* NULL when not valid: bad says why */
    char bad[300];
} unpack_job;

struct rj_call {
    rj_grpc_server *srv;
    void *ud;
    const rj_grpc_method *m;
    stream *st;
    ProtobufCMessage *req;
    bool req_big; /* unpacked on a pool thread (there is a pool) */
    hdrs hd;
    uint64_t deadline;
    uv_timer_t *timer;
    bool cancelled;
    bool authenticated;
    /* A client-streaming call its handler has not seen yet: ended by the
     * transport itself when it is cancelled. */
    bool unseen;
    size_t reserved; /* rj_call_reserve */
    void (*on_cancel)(rj_call *, void *);
    void *on_cancel_arg;
    void *user;
    rj_call *next_ready;
};

/* ------------------------------------------------------------------ */

static void slog(rj_grpc_server *srv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void slog(rj_grpc_server *srv, const char *fmt, ...)
{
    if (!srv->cfg.log)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    srv->cfg.log(srv->cfg.log_ud, line);
}

void rj_grpc_redact(const char *msg, size_t len, char *out, size_t out_len)
{
    static const char mark[] = "value: [";
    size_t o = 0;
    if (out_len == 0)
        return;
    for (size_t i = 0; i < len && o + 1 < out_len; i++) {
        if (len - i >= sizeof(mark) - 1 && memcmp(msg + i, mark, sizeof(mark) - 1) == 0) {
            /* the value runs to the last ']' (a value may hold ']' itself) */
            size_t start = i + sizeof(mark) - 1, end = len;
            while (end > start && msg[end - 1] != ']')
                end--;
            size_t vlen = end > start ? end - 1 - start : len - start;
            int n = snprintf(out + o, out_len - o, "value: [%zu bytes, not logged]", vlen);
            o += n > 0 ? (size_t)n : 0;
            if (o >= out_len)
                o = out_len - 1;
            i = end > start ? end - 1 : len - 1;
            continue;
        }
        unsigned char ch = (unsigned char)msg[i];
        out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    out[o] = '\0';
}

static void hdrs_free(hdrs *h)
{
    free(h->buf);
    memset(h, 0, sizeof(*h));
}

static void hdrs_add(hdrs *h, const uint8_t *name, size_t namelen, const uint8_t *value,
                     size_t valuelen)
{
    size_t need = h->len + namelen + valuelen + 2;
    h->buf = rj_grow(h->buf, need, &h->cap, 1, 256);
    char *p = h->buf + h->len;
    memcpy(p, name, namelen);
    p[namelen] = '\0';
    memcpy(p + namelen + 1, value, valuelen);
    p[namelen + 1 + valuelen] = '\0';
    h->len = need;
    h->n++;
}

static void conn_flush(conn *c);
static void stream_drop_request(stream *st);
static void conn_close(conn *c, const char *why);
static void conn_maybe_close(conn *c);
static void conn_dispatch(conn *c);
static void check_drain_done(rj_grpc_server *srv);
static void stream_respond_error(stream *st, int status, const char *msg);
static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

void rj_grpc_config_default(rj_grpc_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_message = RJ_WIRE_DEFAULT_MAX;
    cfg->max_streams = 100;
    cfg->max_header_list = 16 * 1024;
    cfg->max_connections = 1024;
    cfg->max_unix_connections = 64;
    cfg->max_peer_connections = 128;
    cfg->idle_timeout_ms = 300000;
    cfg->handshake_timeout_ms = 10000;
    cfg->first_call_timeout_ms = 10000;
}

/* ------------------------------------------------------------------ */
/* answer accounting: bytes queued on a stream until HTTP/2 takes them */

/* Giving back an answer of megabytes costs the kernel time in proportion
 * (its pages are unmapped): hundreds of them at once, when connections
 * close, would hold the loop for as long. Big buffers are freed on a pool
 * thread instead. */
#define FREE_ELSEWHERE (1u << 20)

typedef struct free_req {
    rj_job job;
    void *p;
} free_req;

static void free_work_cb(rj_job *job)
{
    free(((free_req *)job)->p);
}

static void free_done_cb(rj_job *job)
{
    free(job);
}

typedef struct free_msg_req {
    rj_job job;
    ProtobufCMessage *m;
} free_msg_req;

static void free_msg_work_cb(rj_job *job)
{
    protobuf_c_message_free_unpacked(((free_msg_req *)job)->m, NULL);
}

/* A request unpacked on a pool thread is freed on one: tens of thousands of
 * small frees. */
static void free_msg_elsewhere(struct rj_pool *pool, ProtobufCMessage *m)
{
    free_msg_req *r = rj_malloc(sizeof(*r));
    r->m = m;
    rj_pool_queue(pool, &r->job, free_msg_work_cb, free_done_cb);
}

static void out_free(rj_grpc_server *srv, rj_buf *b)
{
    if (b->cap >= FREE_ELSEWHERE && srv->cfg.pool) {
        free_req *r = rj_malloc(sizeof(*r));
        r->p = b->data;
        rj_pool_queue(srv->cfg.pool, &r->job, free_work_cb, free_done_cb);
        memset(b, 0, sizeof(*b));
        return;
    }
    rj_buf_free(b);
}

static void out_added(stream *st, size_t n)
{
    conn *c = st->c;
    if (c->unsent == 0)
        c->backlog_since = uv_now(c->srv->loop);
    c->unsent += n;
    c->srv->unsent += n;
}

static void out_removed(stream *st, size_t n)
{
    conn *c = st->c;
    c->unsent -= n;
    c->srv->unsent -= n;
    c->backlog_since = uv_now(c->srv->loop);
}

/* ------------------------------------------------------------------ */
/* calls */

static void timer_free_cb(uv_handle_t *h)
{
    free(h);
}

static void call_stop_timer(rj_call *call)
{
    if (call->timer) {
        uv_timer_stop(call->timer);
        uv_close((uv_handle_t *)call->timer, timer_free_cb);
        call->timer = NULL;
    }
}

static void call_free(rj_call *call)
{
    call_stop_timer(call);
    rj_call_reserve(call, 0);
    /* An authenticated call ending is what keeps a connection open. */
    if (call->authenticated && call->st) {
        call->st->c->had_call = true;
        call->st->c->last_activity = uv_now(call->srv->loop);
    }
    if (call->st)
        call->st->call = NULL;
    if (call->req && call->req_big)
        free_msg_elsewhere(call->srv->cfg.pool, call->req);
    else if (call->req)
        protobuf_c_message_free_unpacked(call->req, NULL);
    hdrs_free(&call->hd);
    free(call);
}

/* Mark cancelled and tell the handler, once. The callback may end the
 * call, so the call is not touched afterwards. */
static void call_cancel(rj_call *call)
{
    if (call->cancelled)
        return;
    call->cancelled = true;
    call_stop_timer(call);
    if (call->unseen) {
        call_free(call);
        return;
    }
    if (call->on_cancel)
        call->on_cancel(call, call->on_cancel_arg);
}

void *rj_call_server_data(const rj_call *call)
{
    return call->ud;
}

const rj_grpc_method *rj_call_method(const rj_call *call)
{
    return call->m;
}

const char *rj_call_header(const rj_call *call, const char *name)
{
    const char *p = call->hd.buf;
    for (size_t i = 0; i < call->hd.n; i++) {
        const char *value = p + strlen(p) + 1;
        if (strcmp(p, name) == 0)
            return value;
        p = value + strlen(value) + 1;
    }
    return NULL;
}

uint64_t rj_call_deadline(const rj_call *call)
{
    return call->deadline;
}

void rj_call_reserve(rj_call *call, size_t bytes)
{
    /* A call whose stream is gone holds nothing: its answer will be
     * dropped, and the server may be gone too (after a drain). */
    if (!call->st) {
        call->reserved = 0;
        return;
    }
    call->srv->reserved = call->srv->reserved - call->reserved + bytes;
    call->st->c->reserved = call->st->c->reserved - call->reserved + bytes;
    call->reserved = bytes;
}

size_t rj_call_conn_held(const rj_call *call)
{
    return call->st ? call->st->c->unsent + call->st->c->reserved : 0;
}

uint64_t rj_call_conn_stalled_ms(const rj_call *call)
{
    if (!call->st || call->st->c->unsent == 0)
        return 0;
    conn *c = call->st->c;
    return uv_now(c->srv->loop) - c->backlog_since;
}

size_t rj_grpc_server_held(const rj_grpc_server *srv)
{
    return srv->unsent + srv->reserved;
}

void rj_call_set_authenticated(rj_call *call)
{
    call->authenticated = true;
    if (call->st)
        call->st->real = true;
}

const char *rj_call_peer(const rj_call *call)
{
    return call->st && call->st->c ? call->st->c->peer : "";
}

bool rj_call_cancelled(const rj_call *call)
{
    return call->cancelled;
}

void rj_call_set_user(rj_call *call, void *user)
{
    call->user = user;
}

void *rj_call_user(const rj_call *call)
{
    return call->user;
}

void rj_call_on_cancel(rj_call *call, void (*cb)(rj_call *call, void *arg), void *arg)
{
    call->on_cancel = cb;
    call->on_cancel_arg = arg;
}

/* ------------------------------------------------------------------ */
/* responses */

static void nv_add(nghttp2_nv *nv, size_t *n, const char *name, const char *value)
{
    nv[*n].name = (uint8_t *)name;
    nv[*n].namelen = strlen(name);
    nv[*n].value = (uint8_t *)value;
    nv[*n].valuelen = strlen(value);
    nv[*n].flags = NGHTTP2_NV_FLAG_NONE;
    (*n)++;
}

static ssize_t data_read_cb(nghttp2_session *session, int32_t stream_id, uint8_t *buf,
                            size_t length, uint32_t *data_flags, nghttp2_data_source *source,
                            void *user_data)
{
    stream *st = source->ptr;
    size_t avail = st->out.len - st->out_off;
    size_t n = avail < length ? avail : length;
    if (n && st->real) /* a peer reading a real answer is active */
        st->c->last_activity = uv_now(st->c->srv->loop);
    if (n) {
        memcpy(buf, st->out.data + st->out_off, n);
        out_removed(st, n);
    }
    st->out_off += n;
    if (st->out_off == st->out.len) {
        out_free(st->c->srv, &st->out); /* sent: give the memory back at once */
        st->out_off = 0;
        if (st->resp_final) {
            /* End of data without END_STREAM: the trailers carry it. */
            /* The answer of almost every call, OK, without formatting or
             * encoding anything. */
            char status[16] = "0";
            if (st->status != 0)
                snprintf(status, sizeof(status), "%d", st->status);
            char *msg = st->message && st->message[0] ? rj_wire_percent_encode(st->message) : NULL;
            nghttp2_nv nv[2];
            size_t nn = 0;
            nv_add(nv, &nn, "grpc-status", status);
            if (msg && msg[0])
                nv_add(nv, &nn, "grpc-message", msg);
            *data_flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
            int rv = nghttp2_submit_trailer(session, stream_id, nv, nn);
            free(msg);
            if (rv != 0)
                return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
            st->resp_done = true;
            return (ssize_t)n;
        }
        if (n == 0) {
            st->deferred = true;
            return NGHTTP2_ERR_DEFERRED;
        }
    }
    return (ssize_t)n;
}

/* Make sure the response HEADERS with a data provider are submitted, or
 * resume the deferred provider. */
static void stream_kick(stream *st)
{
    conn *c = st->c;
    if (!st->resp_submitted) {
        nghttp2_nv nv[3];
        size_t nn = 0;
        nv_add(nv, &nn, ":status", "200");
        nv_add(nv, &nn, "content-type", "application/grpc");
        nv_add(nv, &nn, "grpc-accept-encoding", "identity");
        nghttp2_data_provider prd;
        prd.source.ptr = st;
        prd.read_callback = data_read_cb;
        int rv = nghttp2_submit_response(c->session, st->id, nv, nn, &prd);
        if (rv != 0) {
            slog(c->srv, "grpc: connection %llu: stream %d: cannot submit response: %s",
                 (unsigned long long)c->id, st->id, nghttp2_strerror(rv));
            return;
        }
        st->resp_submitted = true;
    } else if (st->deferred) {
        st->deferred = false;
        nghttp2_session_resume_data(c->session, st->id);
    }
}

/* An error before any message: one HEADERS frame with END_STREAM. */
static void stream_trailers_only(stream *st, int status, const char *msg)
{
    conn *c = st->c;
    char sbuf[16];
    snprintf(sbuf, sizeof(sbuf), "%d", status);
    char *enc = rj_wire_percent_encode(msg ? msg : "");
    nghttp2_nv nv[5];
    size_t nn = 0;
    nv_add(nv, &nn, ":status", "200");
    nv_add(nv, &nn, "content-type", "application/grpc");
    nv_add(nv, &nn, "grpc-accept-encoding", "identity");
    nv_add(nv, &nn, "grpc-status", sbuf);
    if (enc[0])
        nv_add(nv, &nn, "grpc-message", enc);
    int rv = nghttp2_submit_response(c->session, st->id, nv, nn, NULL);
    free(enc);
    if (rv != 0) {
        slog(c->srv, "grpc: connection %llu: stream %d: cannot submit trailers: %s",
             (unsigned long long)c->id, st->id, nghttp2_strerror(rv));
        return;
    }
    st->resp_submitted = st->resp_final = st->resp_done = true;
}

/* End the response with a status: trailers-only when nothing was sent. */
static void stream_end(stream *st, int status, const char *msg)
{
    if (st->resp_final)
        return;
    st->ignoring = true;
    stream_drop_request(st);
    if (!st->resp_submitted && st->out.len == 0) {
        stream_trailers_only(st, status, msg);
        return;
    }
    st->status = status;
    free(st->message);
    st->message = msg ? rj_strdup(msg) : NULL;
    st->resp_final = true;
    stream_kick(st);
}

/* The transport ends the stream; a call already running on it (a
 * client-streaming one) is cancelled. */
static void stream_respond_error(stream *st, int status, const char *msg)
{
    stream_end(st, status, msg);
    if (st->call)
        call_cancel(st->call);
}

static int stream_queue_message(stream *st, const ProtobufCMessage *msg)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    if (len > UINT32_MAX)
        return RJ_ETOOBIG;
    uint8_t prefix[RJ_WIRE_PREFIX];
    rj_wire_put_prefix(prefix, (uint32_t)len);
    rj_buf_append(&st->out, prefix, sizeof(prefix));
    rj_buf_reserve(&st->out, len);
    protobuf_c_message_pack(msg, (uint8_t *)st->out.data + st->out.len);
    st->out.len += len;
    out_added(st, sizeof(prefix) + len);
    return 0;
}

static void call_flush(rj_call *call)
{
    if (call->st && !call->st->c->closing)
        conn_flush(call->st->c);
}

static size_t conn_unread(const conn *c)
{
    size_t n = 0;
    for (const stream *st = c->streams; st; st = st->next)
        n += st->out.len - st->out_off;
    return n;
}

/* Queue framed messages on st, taking over the buffer when nothing waits
 * (no copy); framed is left empty. */
static void stream_queue_framed(stream *st, rj_buf *framed)
{
    out_added(st, framed->len);
    if (st->out.len == 0) {
        rj_buf_free(&st->out);
        st->out = *framed;
        st->out_off = 0;
    } else {
        rj_buf_append(&st->out, framed->data, framed->len);
        rj_buf_free(framed);
    }
    memset(framed, 0, sizeof(*framed));
}

/* The unary answer in out (prefix and message), taken over whole. */
static void call_reply_framed(rj_call *call, rj_buf *out)
{
    stream *st = call->st;
    if (st && !call->cancelled && !st->resp_final) {
        conn *c = st->c;
        size_t unread = conn_unread(c);
        if (unread > 0 && unread + out->len > CONN_UNREAD_MAX) {
            char msg[160];
            snprintf(msg, sizeof(msg),
                     "the client is not reading its responses: %zu bytes wait unread on this "
                     "connection",
                     unread);
            rj_buf_free(out);
            stream_end(st, RJ_GRPC_RESOURCE_EXHAUSTED, msg);
        } else {
            stream_queue_framed(st, out);
            st->status = 0;
            st->resp_final = true;
            stream_kick(st);
        }
        call_free(call);
        if (!c->closing)
            conn_flush(c);
        return;
    }
    rj_buf_free(out);
    call_free(call);
}

int rj_grpc_frame_message(const ProtobufCMessage *msg, rj_buf *out)
{
    return rj_grpc_frame_sized(msg, protobuf_c_message_get_packed_size(msg), out);
}

int rj_grpc_frame_sized(const ProtobufCMessage *msg, size_t len, rj_buf *out)
{
    if (len > UINT32_MAX)
        return RJ_ETOOBIG;
    uint8_t prefix[RJ_WIRE_PREFIX];
    rj_wire_put_prefix(prefix, (uint32_t)len);
    if (!out->data) { /* exactly the size: answers can be megabytes */
        out->data = rj_malloc(sizeof(prefix) + len + 1);
        out->cap = sizeof(prefix) + len + 1;
    }
    rj_buf_reserve(out, sizeof(prefix) + len);
    rj_buf_append(out, prefix, sizeof(prefix));
    protobuf_c_message_pack(msg, (uint8_t *)out->data + out->len);
    out->len += len;
    return 0;
}

void rj_call_reply(rj_call *call, const ProtobufCMessage *response)
{
    rj_buf out = {0};
    if (call->st && !call->cancelled && !call->st->resp_final &&
        rj_grpc_frame_message(response, &out) != 0) {
        rj_call_fail(call, RJ_GRPC_RESOURCE_EXHAUSTED, "response too large");
        return;
    }
    call_reply_framed(call, &out);
}

void rj_call_reply_framed(rj_call *call, rj_buf *framed)
{
    call_reply_framed(call, framed);
}

void rj_call_fail(rj_call *call, int grpc_status, const char *message)
{
    stream *st = call->st;
    if (st && !call->cancelled && !st->resp_final) {
        conn *c = st->c;
        stream_end(st, grpc_status ? grpc_status : RJ_GRPC_UNKNOWN, message);
        call_free(call);
        if (!c->closing)
            conn_flush(c);
        return;
    }
    call_free(call);
}

int rj_call_send(rj_call *call, const ProtobufCMessage *msg)
{
    stream *st = call->st;
    if (!st || call->cancelled || st->resp_final)
        return RJ_ECANCELED;
    int rc = stream_queue_message(st, msg);
    if (rc < 0)
        return rc;
    stream_kick(st);
    call_flush(call);
    return 0;
}

int rj_call_send_framed(rj_call *call, rj_buf *framed)
{
    stream *st = call->st;
    if (!st || call->cancelled || st->resp_final) {
        rj_buf_free(framed);
        return RJ_ECANCELED;
    }
    stream_queue_framed(st, framed);
    stream_kick(st);
    call_flush(call);
    return 0;
}

size_t rj_call_pending(const rj_call *call)
{
    if (!call->st || call->cancelled)
        return 0;
    return call->st->out.len - call->st->out_off;
}

void rj_call_finish(rj_call *call, int grpc_status, const char *message)
{
    stream *st = call->st;
    if (st && !call->cancelled && !st->resp_final) {
        conn *c = st->c;
        stream_end(st, grpc_status, message);
        call_free(call);
        if (!c->closing)
            conn_flush(c);
        return;
    }
    call_free(call);
}

static void deadline_cb(uv_timer_t *t)
{
    rj_call *call = t->data;
    stream *st = call->st;
    conn *c = st ? st->c : NULL;
    if (st && !st->resp_final)
        stream_end(st, RJ_GRPC_DEADLINE_EXCEEDED, "deadline exceeded");
    call_cancel(call);
    if (c && !c->closing)
        conn_flush(c);
}

/* ------------------------------------------------------------------ */
/* streams */

static stream *stream_new(conn *c, int32_t id)
{
    stream *st = rj_calloc(1, sizeof(*st));
    st->c = c;
    st->id = id;
    rj_wire_decoder_init(&st->dec, c->srv->cfg.max_message);
    st->started = uv_now(c->srv->loop);
    st->next = c->streams;
    if (c->streams)
        c->streams->prev = st;
    c->streams = st;
    c->n_streams++;
    return st;
}

/* Keep c->buffered equal to the request bytes its streams hold. */
static void stream_account(stream *st)
{
    size_t now = rj_wire_decoder_pending(&st->dec) + st->req.len + (st->inq.len - st->inq_off);
    st->c->buffered = st->c->buffered - st->buffered + now;
    st->buffered = now;
}

static void stream_drop_request(stream *st)
{
    rj_wire_decoder_free(&st->dec);
    rj_buf_free(&st->req);
    st->req_off = 0;
    rj_buf_free(&st->inq);
    st->inq_off = st->inq_n = 0;
    stream_account(st);
}

static bool stream_in(const stream *st)
{
    return st->m && (st->m->streaming & RJ_GRPC_STREAM_IN);
}

/* Refuse the rest of a request: at once, or for a client-streaming call
 * with messages queued before the bad one, once those are handed over (in
 * order, as the client sent them). Nothing more is read meanwhile. */
static void stream_fail_input(stream *st, int status, const char *msg)
{
    if (!stream_in(st) || !st->call || st->inq_off == st->inq.len) {
        stream_respond_error(st, status, msg);
        return;
    }
    st->ignoring = true;
    rj_wire_decoder_free(&st->dec);
    stream_account(st);
    st->in_err = status;
    free(st->in_err_msg);
    st->in_err_msg = rj_strdup(msg);
}

static rj_call *call_new(stream *st, ProtobufCMessage *req)
{
    conn *c = st->c;
    rj_call *call = rj_calloc(1, sizeof(*call));
    call->srv = c->srv;
    call->ud = c->srv->ud;
    call->m = st->m;
    call->st = st;
    call->req = req;
    call->hd = st->hd;
    memset(&st->hd, 0, sizeof(st->hd));
    if (st->timeout_ms)
        call->deadline = st->started + st->timeout_ms;
    st->call = call;
    return call;
}

static void deadline_cb(uv_timer_t *t);

/* Start the call's deadline timer; false (the stream answered, the call
 * freed) when the deadline has passed already. */
static bool call_arm_deadline(rj_call *call)
{
    if (!call->deadline)
        return true;
    uint64_t now = uv_now(call->srv->loop);
    if (now >= call->deadline) {
        stream_end(call->st, RJ_GRPC_DEADLINE_EXCEEDED, "deadline exceeded");
        call_free(call);
        return false;
    }
    call->timer = rj_malloc(sizeof(*call->timer));
    uv_timer_init(call->srv->loop, call->timer);
    call->timer->data = call;
    uv_timer_start(call->timer, deadline_cb, call->deadline - now, 0);
    return true;
}

/* Forget a stream; its call (if any) is cancelled. */
static void stream_free(stream *st)
{
    conn *c = st->c;
    stream_drop_request(st);
    if (st->prev)
        st->prev->next = st->next;
    else
        c->streams = st->next;
    if (st->next)
        st->next->prev = st->prev;
    c->n_streams--;
    if (st->unpacking)
        st->unpacking->st = NULL; /* its message is freed when the job is done */
    rj_call *call = st->call;
    st->call = NULL;
    free(st->method_name);
    free(st->path);
    free(st->bad_header);
    free(st->encoding);
    free(st->message);
    free(st->in_err_msg);
    hdrs_free(&st->hd);
    rj_wire_decoder_free(&st->dec);
    rj_buf_free(&st->req);
    if (st->out.len > st->out_off)
        out_removed(st, st->out.len - st->out_off);
    out_free(c->srv, &st->out);
    free(st);
    if (call) {
        /* The call's reservation goes with its stream. */
        c->reserved -= call->reserved;
        c->srv->reserved -= call->reserved;
        call->reserved = 0;
        call->st = NULL;
        call_cancel(call);
    }
}

static const rj_grpc_method *find_method(rj_grpc_server *srv, const char *path)
{
    for (size_t i = 0; i < srv->n_methods; i++)
        if (strcmp(srv->methods[i].path, path) == 0)
            return &srv->methods[i];
    return NULL;
}

/* Request headers complete: decide 415 / UNIMPLEMENTED now, before any
 * body is buffered. */
static void stream_headers_done(stream *st)
{
    conn *c = st->c;
    if (!st->method_name || strcmp(st->method_name, "POST") != 0) {
        nghttp2_nv nv[1];
        size_t nn = 0;
        nv_add(nv, &nn, ":status", "405");
        nghttp2_submit_response(c->session, st->id, nv, nn, NULL);
        st->resp_submitted = st->resp_final = st->resp_done = st->ignoring = true;
        return;
    }
    if (!st->ct_ok) {
        nghttp2_nv nv[2];
        size_t nn = 0;
        nv_add(nv, &nn, ":status", "415");
        nv_add(nv, &nn, "content-type", "text/plain");
        nghttp2_submit_response(c->session, st->id, nv, nn, NULL);
        st->resp_submitted = st->resp_final = st->resp_done = st->ignoring = true;
        return;
    }
    if (st->timeout_bad) {
        stream_respond_error(st, RJ_GRPC_INVALID_ARGUMENT,
                             "malformed grpc-timeout header; expected digits and one of HMSmun");
        return;
    }
    if (st->encoding)
        return; /* answered when the request ends: stream_request_done */
    if (st->auth_bad) {
        stream_respond_error(st, RJ_GRPC_UNAUTHENTICATED,
                             "malformed authorization header: its value has leading or trailing "
                             "whitespace or a control character; expected 'Bearer <token>' "
                             "(check the token file or $RENJA_TOKEN for a stray space or CR)");
        return;
    }
    if (st->bad_header) {
        char msg[300];
        snprintf(msg, sizeof(msg),
                 "request header %.100s has an invalid value (leading or trailing whitespace "
                 "or a control character)",
                 st->bad_header);
        stream_respond_error(st, RJ_GRPC_INVALID_ARGUMENT, msg);
        return;
    }
    st->m = st->path ? find_method(c->srv, st->path) : NULL;
    if (!st->m) {
        char msg[300];
        snprintf(msg, sizeof(msg), "unknown method %.200s", st->path ? st->path : "(no :path)");
        stream_respond_error(st, RJ_GRPC_UNIMPLEMENTED, msg);
        return;
    }
    /* A client-streaming call starts now: its deadline runs, and each
     * message goes to the handler as it arrives. */
    if (stream_in(st)) {
        rj_call *call = call_new(st, NULL);
        call->unseen = true;
        call_arm_deadline(call);
    }
}

static void stream_take_messages(stream *st)
{
    const uint8_t *m;
    size_t len;
    while (!st->ignoring && rj_wire_decoder_next(&st->dec, &m, &len) == 1) {
        if (st->call && stream_in(st)) {
            size_t queued = st->inq.len - st->inq_off;
            if (st->inq_n >= IN_QUEUE_MSGS || queued + len > st->c->srv->cfg.max_message) {
                char msg[300];
                snprintf(msg, sizeof(msg),
                         "%zu request messages (%zu bytes) wait unanswered on this stream, the "
                         "most it queues: the client sends requests without reading the answers",
                         st->inq_n, queued);
                stream_fail_input(st, RJ_GRPC_RESOURCE_EXHAUSTED, msg);
                return;
            }
            uint32_t l = (uint32_t)len;
            rj_buf_append(&st->inq, &l, sizeof(l));
            rj_buf_append(&st->inq, m, len);
            st->inq_n++;
            continue;
        }
        if (++st->n_msgs > 1) {
            stream_respond_error(st, RJ_GRPC_INVALID_ARGUMENT,
                                 "more than one request message for a unary or "
                                 "server-streaming method");
            return;
        }
        /* The one message, taken as the decoder holds it when it can be:
         * a copy of megabytes in one turn of the loop saved. */
        if (rj_wire_decoder_take(&st->dec, &st->req))
            st->req_off = RJ_WIRE_PREFIX;
        else
            rj_buf_append(&st->req, m, len);
    }
}

/* proto3 strings must be UTF-8, and ours become C strings: protobuf-c
 * checks neither, so a NUL would silently cut a value short and invalid
 * UTF-8 would be stored and sent back to clients that refuse to decode it.
 * Walk the (already unpacked, so well-formed) wire bytes of every string
 * field, nested messages included. */
static bool wire_varint(const uint8_t *p, size_t n, size_t *off, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && *off < n; shift += 7) {
        uint8_t b = p[(*off)++];
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* 0 when every string is clean; else a message naming the field in msg. */
static int check_strings(const ProtobufCMessageDescriptor *desc, const uint8_t *p, size_t n,
                         int depth, char *msg, size_t msg_len)
{
    size_t off = 0;
    if (depth > 32)
        return 0; /* protobuf-c unpacked it; nothing of ours nests this deep */
    while (off < n) {
        uint64_t tag, len;
        if (!wire_varint(p, n, &off, &tag))
            return 0;
        switch (tag & 7) {
        case 0:
            if (!wire_varint(p, n, &off, &len))
                return 0;
            continue;
        case 1:
            off += 8;
            continue;
        case 5:
            off += 4;
            continue;
        case 2:
            break;
        default:
            return 0; /* groups: not in our protocol */
        }
        if (!wire_varint(p, n, &off, &len) || len > n - off)
            return 0;
        const ProtobufCFieldDescriptor *f = NULL;
        if (tag >> 3 <= UINT32_MAX)
            f = protobuf_c_message_descriptor_get_field(desc, (unsigned)(tag >> 3));
        if (f && f->type == PROTOBUF_C_TYPE_STRING) {
            size_t bad = 0;
            if (!rj_utf8_valid(p + off, (size_t)len, &bad)) {
                snprintf(msg, msg_len,
                         p[off + bad] == 0 ? "field %s.%s contains a NUL byte (at byte %zu)"
                                           : "field %s.%s is not valid UTF-8 (at byte %zu)",
                         desc->short_name, f->name, bad);
                return -1;
            }
        } else if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
            if (check_strings(f->descriptor, p + off, (size_t)len, depth + 1, msg, msg_len) != 0)
                return -1;
        }
        off += (size_t)len;
    }
    return 0;
}

/* The request unpacked, every string valid UTF-8 without NUL, its unknown
 * fields dropped (nothing a handler does not understand goes on: rj_wire.h
 * says why). NULL with bad set when not valid; any thread. */
static ProtobufCMessage *request_unpack(const ProtobufCMessageDescriptor *desc, const rj_buf *req,
                                        size_t off, char *bad, size_t bad_len)
{
    const uint8_t *p = req->data ? (const uint8_t *)req->data + off : (const uint8_t *)"";
    size_t len = req->len - off;
    ProtobufCMessage *msg = protobuf_c_message_unpack(desc, NULL, len, p);
    if (!msg) {
        snprintf(bad, bad_len, "request is not a valid %.200s message", desc->name);
        return NULL;
    }
    if (check_strings(desc, p, len, 0, bad, bad_len) != 0) {
        protobuf_c_message_free_unpacked(msg, NULL);
        return NULL;
    }
    rj_wire_strip_unknown(msg);
    return msg;
}

static void stream_call_ready(stream *st, ProtobufCMessage *req, bool big)
{
    conn *c = st->c;
    rj_call *call = call_new(st, req);
    call->req_big = big;
    *c->ready_tail = call;
    c->ready_tail = &call->next_ready;
}

static void unpack_work_cb(rj_job *job)
{
    unpack_job *u = RJ_JOB_OF(job, unpack_job, job);
    u->msg = request_unpack(u->desc, &u->req, u->req_off, u->bad, sizeof(u->bad));
    rj_buf_free(&u->req);
}

/* Loop thread: the call goes on as if it had been unpacked where it came
 * in (its deadline counts from its headers), unless its stream is gone. */
static void unpack_done_cb(rj_job *job)
{
    unpack_job *u = RJ_JOB_OF(job, unpack_job, job);
    stream *st = u->st;
    if (!st) {
        if (u->msg)
            free_msg_elsewhere(u->pool, u->msg);
        free(u);
        return;
    }
    st->unpacking = NULL;
    conn *c = st->c;
    if (u->msg)
        stream_call_ready(st, u->msg, true);
    else
        stream_respond_error(st, RJ_GRPC_INVALID_ARGUMENT, u->bad);
    free(u);
    conn_dispatch(c);
    if (c->closing)
        return;
    conn_flush(c);
    if (!c->closing)
        conn_maybe_close(c);
}

/* The peer finished its request: unpack and queue the handler. */
static void stream_request_done(stream *st)
{
    conn *c = st->c;
    st->req_done = true;
    if (st->encoding && !st->ignoring) {
        /* gRPC compression spec: an encoding the server does not support
         * is UNIMPLEMENTED, with grpc-accept-encoding (on every answer).
         * Answered once the request is in, its data dropped unread: an
         * answer mid-request would reset a client still sending. */
        char msg[200];
        snprintf(msg, sizeof(msg),
                 "grpc-encoding %s is not supported; renjad accepts identity only (send the "
                 "request uncompressed)",
                 st->encoding);
        stream_respond_error(st, RJ_GRPC_UNIMPLEMENTED, msg);
        return;
    }
    if (st->ignoring || !st->m)
        return;
    if (rj_wire_decoder_pending(&st->dec) != 0) {
        stream_fail_input(st, RJ_GRPC_INVALID_ARGUMENT,
                          "request ended inside a message (truncated gRPC frame)");
        return;
    }
    if (stream_in(st))
        return; /* the handler learns of the end after its queued messages */
    if (st->req.len - st->req_off >= UNPACK_ELSEWHERE && c->srv->cfg.pool) {
        unpack_job *u = rj_calloc(1, sizeof(*u));
        u->st = st;
        u->pool = c->srv->cfg.pool;
        u->desc = st->m->request;
        u->req = st->req;
        u->req_off = st->req_off;
        memset(&st->req, 0, sizeof(st->req));
        st->req_off = 0;
        st->unpacking = u;
        st->ignoring = true;
        stream_drop_request(st);
        rj_pool_queue(c->srv->cfg.pool, &u->job, unpack_work_cb, unpack_done_cb);
        return;
    }
    char bad[300];
    ProtobufCMessage *req = request_unpack(st->m->request, &st->req, st->req_off, bad, sizeof(bad));
    if (!req) {
        stream_respond_error(st, RJ_GRPC_INVALID_ARGUMENT, bad);
        return;
    }
    st->ignoring = true;
    stream_drop_request(st);
    stream_call_ready(st, req, false);
}

/* A client-streaming stream whose handler can take its next message, or
 * the end of the client's messages, now. */
static bool stream_deliverable(const stream *st)
{
    if (!st->call || st->call->cancelled || st->resp_final || !stream_in(st))
        return false;
    if (st->inq_off < st->inq.len)
        return st->out.len - st->out_off < IN_PACE;
    return st->in_err || (st->req_done && !st->in_end_told);
}

/* Hand the next queued message (or NULL at the end) to the handler. */
static void stream_deliver(stream *st)
{
    rj_call *call = st->call;
    ProtobufCMessage *req = NULL;
    if (st->inq_off < st->inq.len) {
        uint32_t len;
        memcpy(&len, st->inq.data + st->inq_off, sizeof(len));
        const uint8_t *p = (const uint8_t *)st->inq.data + st->inq_off + sizeof(len);
        size_t n = ++st->in_delivered;
        char bad[400] = "";
        req = protobuf_c_message_unpack(st->m->request, NULL, len, p);
        if (!req) {
            snprintf(bad, sizeof(bad), "request message %zu is not a valid %.200s message", n,
                     st->m->request->name);
        } else {
            char why[300];
            if (check_strings(st->m->request, p, len, 0, why, sizeof(why)) != 0) {
                protobuf_c_message_free_unpacked(req, NULL);
                req = NULL;
                snprintf(bad, sizeof(bad), "request message %zu: %s", n, why);
            }
        }
        st->inq_off += sizeof(len) + len;
        st->inq_n--;
        if (st->inq_off == st->inq.len) {
            st->inq.len = st->inq_off = 0;
        } else if (st->inq_off >= (64u << 10) && st->inq_off * 2 >= st->inq.len) {
            rj_buf_consume(&st->inq, st->inq_off); /* keep the buffer near what it holds */
            st->inq_off = 0;
        }
        stream_account(st);
        if (bad[0]) {
            stream_respond_error(st, RJ_GRPC_INVALID_ARGUMENT, bad);
            return;
        }
    } else if (st->in_err) {
        stream_respond_error(st, st->in_err, st->in_err_msg);
        return;
    } else {
        st->in_end_told = true;
    }
    if (call->req)
        protobuf_c_message_free_unpacked(call->req, NULL);
    call->req = req;
    call->unseen = false;
    call->m->handler(call, req);
}

/* Run the handlers of the requests completed by the last mem_recv, and
 * hand client-streaming calls the messages they can take. */
static void conn_dispatch(conn *c)
{
    while (c->ready) {
        rj_call *call = c->ready;
        c->ready = call->next_ready;
        if (!c->ready)
            c->ready_tail = &c->ready;
        call->next_ready = NULL;
        if (call->cancelled || !call->st) {
            call_free(call);
            continue;
        }
        if (!call_arm_deadline(call))
            continue;
        call->m->handler(call, call->req);
    }
    /* Client-streaming calls: one message (or the end) at a time, to the
     * first stream that can take one. A handler may end its stream and
     * nghttp2 free it under our feet: walk again from the head each time. */
    while (!c->closing) {
        stream *st = c->streams;
        while (st && !stream_deliverable(st))
            st = st->next;
        if (!st)
            break;
        stream_deliver(st);
    }
}

/* ------------------------------------------------------------------ */
/* nghttp2 callbacks */

static int on_begin_headers_cb(nghttp2_session *session, const nghttp2_frame *frame,
                               void *user_data)
{
    conn *c = user_data;
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    if (c->n_streams >= c->srv->cfg.max_streams) {
        nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                  NGHTTP2_REFUSED_STREAM);
        return 0;
    }
    stream *st = stream_new(c, frame->hd.stream_id);
    nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, st);
    return 0;
}

static bool starts_with(const uint8_t *v, size_t vlen, const char *p)
{
    size_t n = strlen(p);
    return vlen >= n && memcmp(v, p, n) == 0;
}

static int on_header_cb(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                        size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                        void *user_data)
{
    conn *c = user_data;
    if (frame->hd.type != NGHTTP2_HEADERS)
        return 0;
    stream *st = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
    if (!st || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0; /* refused stream, or request trailers: nothing to keep */
    /* RFC 7541 sizing: name + value + 32 per field. */
    st->header_bytes += namelen + valuelen + 32;
    if (st->header_bytes > c->srv->cfg.max_header_list || st->hd.n >= MAX_HEADERS_PER_STREAM) {
        slog(c->srv, "grpc: connection %llu: stream %d: request headers over the %u byte limit",
             (unsigned long long)c->id, st->id, c->srv->cfg.max_header_list);
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets this stream */
    }
    if (namelen == 7 && memcmp(name, ":method", 7) == 0) {
        free(st->method_name);
        st->method_name = rj_strndup((const char *)value, valuelen);
    } else if (namelen == 5 && memcmp(name, ":path", 5) == 0) {
        free(st->path);
        st->path = rj_strndup((const char *)value, valuelen);
    } else if (namelen > 0 && name[0] == ':') {
        /* :scheme, :authority: nothing to do */
    } else {
        if (namelen == 12 && memcmp(name, "content-type", 12) == 0) {
            st->ct_seen = true;
            st->ct_ok = starts_with(value, valuelen, "application/grpc");
        } else if (namelen == 13 && memcmp(name, "grpc-encoding", 13) == 0) {
            free(st->encoding);
            st->encoding = valuelen == 8 && memcmp(value, "identity", 8) == 0
                               ? NULL
                               : rj_strndup((const char *)value, valuelen > 40 ? 40 : valuelen);
        } else if (namelen == 12 && memcmp(name, "grpc-timeout", 12) == 0) {
            if (rj_wire_parse_timeout((const char *)value, valuelen, &st->timeout_ms) != 0)
                st->timeout_bad = true;
        }
        hdrs_add(&st->hd, name, namelen, value, valuelen);
    }
    return 0;
}

/* A regular header nghttp2 refuses (RFC 9113: a value with leading or
 * trailing whitespace, a control character). Without this callback nghttp2
 * resets the stream and the client learns nothing; here the header is
 * dropped and the request answered with a status naming it (never its
 * value, which may be a token). */
static int on_invalid_header_cb(nghttp2_session *session, const nghttp2_frame *frame,
                                nghttp2_rcbuf *name, nghttp2_rcbuf *value, uint8_t flags,
                                void *user_data)
{
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    stream *st = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
    if (!st)
        return 0;
    nghttp2_vec n = nghttp2_rcbuf_get_buf(name);
    if (n.len == 13 && memcmp(n.base, "authorization", 13) == 0)
        st->auth_bad = true;
    else if (!st->bad_header)
        st->bad_header = rj_strndup((const char *)n.base, n.len > 100 ? 100 : n.len);
    return 0;
}

static int on_frame_recv_cb(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
    conn *c = user_data;
    switch (frame->hd.type) {
    case NGHTTP2_SETTINGS:
        if (!(frame->hd.flags & NGHTTP2_FLAG_ACK) && !c->handshake_done)
            c->handshake_done = true;
        return 0;
    case NGHTTP2_HEADERS: {
        stream *st = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
        if (!st)
            return 0;
        if (frame->headers.cat == NGHTTP2_HCAT_REQUEST)
            stream_headers_done(st);
        if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
            stream_request_done(st);
        return 0;
    }
    case NGHTTP2_DATA: {
        stream *st = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
        if (st && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
            stream_request_done(st);
        return 0;
    }
    default:
        return 0;
    }
}

static int on_data_chunk_recv_cb(nghttp2_session *session, uint8_t flags, int32_t stream_id,
                                 const uint8_t *data, size_t len, void *user_data)
{
    stream *st = nghttp2_session_get_stream_user_data(session, stream_id);
    if (!st || st->ignoring || !st->m)
        return 0;
    rj_diag d;
    int rc = rj_wire_decoder_feed(&st->dec, data, len, &d);
    if (rc == RJ_ETOOBIG) {
        char msg[RJ_DIAG_MAX + 64];
        snprintf(msg, sizeof(msg), "request %s (renjad --max-message BYTES raises it)", d.msg);
        stream_fail_input(st, RJ_GRPC_RESOURCE_EXHAUSTED, msg);
        return 0;
    }
    if (rc < 0) {
        stream_fail_input(st, RJ_GRPC_INVALID_ARGUMENT, d.msg);
        return 0;
    }
    stream_take_messages(st);
    stream_account(st);
    /* Many streams each holding part of a large message add up: bound
     * what one connection can make us hold. */
    conn *c = st->c;
    size_t limit = 2 * c->srv->cfg.max_message;
    if (limit < CONN_BUFFER_MIN)
        limit = CONN_BUFFER_MIN;
    if (c->buffered > limit) {
        slog(c->srv, "grpc: connection %llu (%s): over %zu bytes of unfinished requests",
             (unsigned long long)c->id, c->peer, limit);
        stream_respond_error(st, RJ_GRPC_RESOURCE_EXHAUSTED,
                             "too much unfinished request data on this connection");
    }
    return 0;
}

static int on_frame_send_cb(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
    if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR) {
        /* nghttp2 ends a connection on a protocol violation; its reason
         * travels in the GOAWAY debug data. */
        conn *c = user_data;
        size_t n = frame->goaway.opaque_data_len > 200 ? 200 : frame->goaway.opaque_data_len;
        slog(c->srv, "grpc: connection %llu (%s) closed: %s%s%.*s", (unsigned long long)c->id,
             c->peer, nghttp2_http2_strerror(frame->goaway.error_code), n ? ": " : "", (int)n,
             n ? (const char *)frame->goaway.opaque_data : "");
        return 0;
    }
    /* We answered before the request ended (an early error): ask the peer
     * to stop sending with RST_STREAM NO_ERROR (RFC 9113 8.1). */
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
        stream *st = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
        if (st && !st->req_done)
            nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                      NGHTTP2_NO_ERROR);
    }
    return 0;
}

static int on_stream_close_cb(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
                              void *user_data)
{
    stream *st = nghttp2_session_get_stream_user_data(session, stream_id);
    if (!st)
        return 0;
    nghttp2_session_set_stream_user_data(session, stream_id, NULL);
    stream_free(st);
    return 0;
}

static int on_error_cb(nghttp2_session *session, int lib_error_code, const char *msg, size_t len,
                       void *user_data)
{
    conn *c = user_data;
    /* A hostile peer can trigger this per frame: a few lines, then quiet. */
    if (++c->n_errors <= 3) {
        char safe[256];
        rj_grpc_redact(msg, len, safe, sizeof(safe));
        slog(c->srv, "grpc: connection %llu (%s): protocol error: %s%s", (unsigned long long)c->id,
             c->peer, safe,
             c->n_errors == 3 ? " (further errors on this connection not logged)" : "");
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* connections */

typedef struct write_req {
    uv_write_t req;
    conn *c;
    size_t len;
    char data[];
} write_req;

static void write_cb(uv_write_t *req, int status)
{
    write_req *w = (write_req *)req;
    conn *c = w->c;
    c->pending_out -= w->len;
    free(w);
    if (c->closing)
        return;
    if (status < 0) {
        conn_close(c, uv_strerror(status));
        return;
    }
    if (c->pending_out < OUT_LOW) {
        conn_flush(c);
        if (c->paused && !c->closing && c->pending_out < OUT_LOW) {
            c->paused = false;
            uv_read_start(&c->h.stream, alloc_cb, read_cb);
        }
    }
    /* Answers left: client-streaming calls may take their next messages. */
    if (!c->closing)
        conn_dispatch(c);
    if (c->closing)
        return;
    conn_maybe_close(c);
}

static void conn_flush_tls(conn *c);

/* The frames nghttp2 has ready, up to OUT_HIGH unsent bytes, appended to
 * b; false when nghttp2 failed and the connection is closed (b freed). */
static bool conn_pull(conn *c, rj_buf *b)
{
    c->in_ng++;
    while (c->pending_out + b->len < OUT_HIGH) {
        const uint8_t *data;
        ssize_t n = nghttp2_session_mem_send(c->session, &data);
        if (n < 0) {
            c->in_ng--;
            rj_buf_free(b);
            slog(c->srv, "grpc: connection %llu (%s): send failed: %s", (unsigned long long)c->id,
                 c->peer, nghttp2_strerror((int)n));
            conn_close(c, NULL);
            return false;
        }
        if (n == 0)
            break;
        rj_buf_append(b, data, (size_t)n);
    }
    c->in_ng--;
    return true;
}

/* Whether a write of what conn_pull took may complete here and now:
 * write_cb would have nothing to do after it. That is, no earlier write is
 * in flight (the bytes keep their order), nghttp2 has nothing more to send
 * and still wants to read (no close to make), and no call waits for a
 * dispatch (a client-streaming message paced behind its answer). Then
 * libuv's write request, its callback a turn of the loop later and the
 * epoll_ctl that stops watching for writability are all saved. */
static bool conn_write_now(conn *c)
{
    if (c->pending_out || c->ready || !nghttp2_session_want_read(c->session) ||
        nghttp2_session_want_write(c->session))
        return false;
    for (const stream *st = c->streams; st; st = st->next)
        if (stream_deliverable(st))
            return false;
    return true;
}

/* Pull frames out of nghttp2 into one buffer: written at once when
 * conn_write_now allows and the socket takes it all, else (the rest) in
 * one uv_write. */
static void conn_flush(conn *c)
{
    if (c->closing || c->in_ng)
        return;
    if (c->tls) {
        conn_flush_tls(c);
        return;
    }
    rj_buf b = {0};
    if (!conn_pull(c, &b))
        return;
    size_t done = 0;
    if (b.len && conn_write_now(c)) {
        uv_buf_t tb = uv_buf_init(b.data, (unsigned)b.len);
        int n = uv_try_write(&c->h.stream, &tb, 1);
        if (n > 0)
            done = (size_t)n;
    }
    if (b.len > done) {
        size_t len = b.len - done;
        write_req *w = rj_malloc(sizeof(*w) + len);
        w->c = c;
        w->len = len;
        memcpy(w->data, b.data + done, len);
        uv_buf_t ub = uv_buf_init(w->data, (unsigned)len);
        c->pending_out += len;
        int rc = uv_write(&w->req, &c->h.stream, &ub, 1, write_cb);
        if (rc < 0) {
            c->pending_out -= len;
            free(w);
            rj_buf_free(&b);
            conn_close(c, uv_strerror(rc));
            return;
        }
    }
    rj_buf_free(&b);
    if (c->close_pending)
        conn_close(c, NULL);
}

/* Write the ciphertext the connection's TLS has ready; false when the
 * connection was closed. */
static bool conn_write_tls(conn *c)
{
    size_t n = rj_tls_pending(c->tls);
    if (!n)
        return true;
    write_req *w = rj_malloc(sizeof(*w) + n);
    w->c = c;
    w->len = rj_tls_take(c->tls, w->data, n);
    uv_buf_t ub = uv_buf_init(w->data, (unsigned)w->len);
    c->pending_out += w->len;
    int rc = uv_write(&w->req, &c->h.stream, &ub, 1, write_cb);
    if (rc < 0) {
        c->pending_out -= w->len;
        free(w);
        conn_close(c, uv_strerror(rc));
        return false;
    }
    return true;
}

/* conn_flush over TLS: nghttp2's frames (once the handshake is done) go
 * through SSL_write into the write BIO; what is there (handshake records
 * too) goes out in one uv_write. */
static void conn_flush_tls(conn *c)
{
    if (rj_tls_ready(c->tls)) {
        rj_buf b = {0};
        if (!conn_pull(c, &b))
            return;
        char why[256];
        int rc = b.len ? rj_tls_write(c->tls, b.data, b.len, why, sizeof(why)) : 0;
        rj_buf_free(&b);
        if (rc < 0) {
            conn_close(c, why);
            return;
        }
    }
    if (!conn_write_tls(c))
        return;
    if (c->close_pending)
        conn_close(c, NULL);
}

static void conn_free_cb(uv_handle_t *h)
{
    conn *c = h->data;
    if (--c->open_handles > 0)
        return;
    rj_grpc_server *srv = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->n_conns--;
    if (c->is_unix)
        srv->n_unix--;
    free(c);
    check_drain_done(srv);
}

static void conn_close(conn *c, const char *why)
{
    if (c->closing)
        return;
    if (c->in_ng) {
        c->close_pending = true;
        return;
    }
    c->closing = true;
    if (why)
        slog(c->srv, "grpc: connection %llu (%s) closed: %s", (unsigned long long)c->id, c->peer,
             why);
    /* Streams first: their calls learn they are cancelled. */
    while (c->streams) {
        stream *st = c->streams;
        if (c->session)
            nghttp2_session_set_stream_user_data(c->session, st->id, NULL);
        stream_free(st);
    }
    while (c->ready) {
        rj_call *call = c->ready;
        c->ready = call->next_ready;
        call_free(call);
    }
    c->ready_tail = &c->ready;
    if (c->session) {
        nghttp2_session_del(c->session);
        c->session = NULL;
    }
    rj_tls_free(c->tls);
    c->tls = NULL;
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, conn_free_cb);
    if (!uv_is_closing(&c->h.handle))
        uv_close(&c->h.handle, conn_free_cb);
}

static void shutdown_cb(uv_shutdown_t *req, int status)
{
    conn *c = req->data;
    free(req);
    c->shutting_down = false;
    conn_close(c, NULL);
}

/* Finish the writes, then the FIN (shutdown_cb closes). */
static void conn_shutdown(conn *c)
{
    uv_shutdown_t *req = rj_malloc(sizeof(*req));
    req->data = c;
    c->shutting_down = true;
    if (uv_shutdown(req, &c->h.stream, shutdown_cb) < 0) {
        free(req);
        c->shutting_down = false;
        conn_close(c, NULL);
    }
}

/* nghttp2 has nothing more to read or write (GOAWAY exchanged, protocol
 * error answered): finish the writes, then close. */
static void conn_maybe_close(conn *c)
{
    if (c->closing || c->shutting_down || !c->session)
        return;
    if (nghttp2_session_want_read(c->session) || nghttp2_session_want_write(c->session))
        return;
    if (c->tls) {
        rj_tls_shutdown(c->tls); /* close_notify, written before the FIN */
        if (!conn_write_tls(c))
            return;
    }
    conn_shutdown(c);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    conn *c = h->data;
    rj_grpc_server *srv = c->srv;
    buf->len = READ_BUF;
    if (!srv->rbuf_busy) {
        srv->rbuf_busy = true;
        buf->base = srv->rbuf;
    } else {
        buf->base = rj_malloc(READ_BUF);
    }
}

static void read_buf_free(conn *c, const uv_buf_t *buf)
{
    if (buf->base == c->srv->rbuf)
        c->srv->rbuf_busy = false;
    else
        free(buf->base);
}

/* A TLS failure: the log says who and why, the alert OpenSSL wrote (if
 * any) goes out, then the connection closes. */
static void conn_fail_tls(conn *c, const char *why)
{
    if (why[0])
        slog(c->srv, "grpc: connection %llu (%s) closed: %s", (unsigned long long)c->id, c->peer,
             why);
    uv_read_stop(&c->h.stream);
    if (!conn_write_tls(c))
        return;
    conn_shutdown(c);
}

/* Decrypt what was fed and hand it to nghttp2, until TLS needs more
 * ciphertext: 0, or nghttp2's error. *failed: TLS failed and the
 * connection is on its way out. */
static ssize_t conn_recv_tls(conn *c, bool *failed)
{
    char why[320];
    for (;;) {
        ssize_t n = rj_tls_read(c->tls, c->srv->tlsbuf, READ_BUF, why, sizeof(why));
        if (n == 0)
            return 0;
        if (n < 0) {
            *failed = true;
            conn_fail_tls(c, why);
            return 0;
        }
        c->in_ng++;
        ssize_t rv =
            nghttp2_session_mem_recv(c->session, (const uint8_t *)c->srv->tlsbuf, (size_t)n);
        c->in_ng--;
        if (rv < 0 || c->close_pending)
            return rv;
    }
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    conn *c = s->data;
    if (nread < 0) {
        read_buf_free(c, buf);
        if (nread == UV_EOF) {
            const char *why = NULL;
            if (c->ready || c->n_streams)
                why = "peer closed with requests in flight";
            else if (c->tls && !rj_tls_ready(c->tls) && c->bytes_in > 0)
                why = "peer closed during the TLS handshake";
            else if (!c->handshake_done && c->bytes_in > 0)
                why = "peer closed during the HTTP/2 handshake";
            conn_close(c, why);
        } else
            conn_close(c, uv_strerror((int)nread));
        return;
    }
    if (nread == 0 || c->closing) {
        read_buf_free(c, buf);
        return;
    }
    bool first = c->bytes_in == 0;
    c->bytes_in += (uint64_t)nread;
    ssize_t rv;
    bool hello = false; /* a TLS ClientHello on a plaintext port */
    if (c->tls) {
        rj_tls_feed(c->tls, buf->base, (size_t)nread);
        read_buf_free(c, buf);
        bool failed = false;
        rv = conn_recv_tls(c, &failed);
        if (failed || c->closing)
            return;
    } else {
        hello = first && nread >= 3 && buf->base[0] == 0x16 && buf->base[1] == 0x03;
        c->in_ng++;
        rv = nghttp2_session_mem_recv(c->session, (const uint8_t *)buf->base, (size_t)nread);
        c->in_ng--;
        read_buf_free(c, buf);
    }
    if (rv < 0) {
        const char *why =
            rv != NGHTTP2_ERR_BAD_CLIENT_MAGIC ? nghttp2_strerror((int)rv)
            : hello ? "a TLS client on a plaintext port (bad connection preface: a TLS "
                      "ClientHello; start renjad with --tls-cert and --tls-key, or connect "
                      "without TLS)"
                    : "not an HTTP/2 prior-knowledge client (bad connection preface)";
        c->close_pending = false;
        conn_close(c, why);
        return;
    }
    if (c->close_pending) {
        c->close_pending = false;
        conn_close(c, NULL);
        return;
    }
    conn_dispatch(c);
    if (c->closing)
        return;
    conn_flush(c);
    if (c->closing)
        return;
    if (c->pending_out >= OUT_HIGH && !c->paused) {
        c->paused = true;
        uv_read_stop(&c->h.stream);
    }
    conn_maybe_close(c);
}

static void conn_timer_cb(uv_timer_t *t)
{
    conn *c = t->data;
    rj_grpc_server *srv = c->srv;
    uint64_t now = uv_now(srv->loop);
    if (!c->handshake_done) {
        conn_close(c, c->tls && !rj_tls_ready(c->tls)
                          ? "no TLS handshake within the handshake timeout"
                          : "no HTTP/2 preface and SETTINGS within the handshake timeout");
        return;
    }
    /* Until its first authenticated call a connection has the short
     * first-call timeout, then the idle timeout from its last call. Only
     * calls a handler is working on make it busy: a stream whose answer the
     * peer does not take (a zero window), PINGs and SETTINGS do not, so
     * nobody holds a slot without a token. */
    uint64_t idle = srv->cfg.idle_timeout_ms;
    if (!c->had_call && srv->cfg.first_call_timeout_ms < idle)
        idle = srv->cfg.first_call_timeout_ms;
    bool busy = c->ready != NULL;
    for (stream *st = c->streams; st && !busy; st = st->next)
        if (st->unpacking || (st->call && (!stream_in(st) || stream_deliverable(st))))
            busy = true; /* a client-streaming call waiting for its client is not */
    if (busy) {
        c->last_activity = now;
    } else if (now - c->last_activity >= idle) {
        /* Polite close: GOAWAY, then close once written. */
        slog(srv, "grpc: connection %llu (%s) %s for %llu ms, closing", (unsigned long long)c->id,
             c->peer, c->had_call ? "idle" : "without an authenticated call",
             (unsigned long long)idle);
        nghttp2_session_terminate_session(c->session, NGHTTP2_NO_ERROR);
        conn_flush(c);
        conn_maybe_close(c);
        if (!c->closing && !c->shutting_down)
            conn_close(c, NULL);
        return;
    }
    uint64_t left = idle - (now - c->last_activity);
    uv_timer_start(&c->timer, conn_timer_cb, left ? left : 1, 0);
}

static void conn_handshake_timer_cb(uv_timer_t *t)
{
    conn *c = t->data;
    if (!c->handshake_done) {
        conn_close(c, c->tls && !rj_tls_ready(c->tls)
                          ? "no TLS handshake within the handshake timeout"
                          : "no HTTP/2 preface and SETTINGS within the handshake timeout");
        return;
    }
    conn_timer_cb(t);
}

static int conn_session_new(conn *c)
{
    nghttp2_session_callbacks *cbs;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers_cb);
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header_cb);
    nghttp2_session_callbacks_set_on_invalid_header_callback2(cbs, on_invalid_header_cb);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv_cb);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk_recv_cb);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send_cb);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close_cb);
    nghttp2_session_callbacks_set_error_callback2(cbs, on_error_cb);
    nghttp2_option *opt;
    nghttp2_option_new(&opt);
    /* Closed streams need no priority bookkeeping; keeps memory flat under
     * floods of short streams. */
    nghttp2_option_set_no_closed_streams(opt, 1);
    nghttp2_option_set_max_settings(opt, 32);
    nghttp2_option_set_max_outbound_ack(opt, 1000);
    int rv = nghttp2_session_server_new2(&c->session, cbs, c, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0)
        return rv;
    rj_grpc_config *cfg = &c->srv->cfg;
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, cfg->max_streams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, WINDOW},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, cfg->max_header_list},
    };
    rv = nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0]));
    if (rv == 0)
        rv = nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, CONN_WINDOW);
    return rv;
}

static void describe_peer(conn *c)
{
    if (c->is_unix) {
        /* The peer's credentials as the kernel saw them at connect(). */
        uv_os_fd_t fd;
        struct ucred cr;
        socklen_t crlen = sizeof(cr);
        if (uv_fileno(&c->h.handle, &fd) == 0 &&
            getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == 0 && crlen == sizeof(cr))
            snprintf(c->peer, sizeof(c->peer), "unix uid %u pid %d", (unsigned)cr.uid, (int)cr.pid);
        else
            snprintf(c->peer, sizeof(c->peer), "unix");
        return;
    }
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (uv_tcp_getpeername(&c->h.tcp, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            uv_ip4_name(a, host, sizeof(host));
            port = ntohs(a->sin_port);
            snprintf(c->peer, sizeof(c->peer), "%s:%d", host, port);
            snprintf(c->host, sizeof(c->host), "%s", host);
            return;
        }
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            uv_ip6_name(a, host, sizeof(host));
            port = ntohs(a->sin6_port);
            snprintf(c->peer, sizeof(c->peer), "[%s]:%d", host, port);
            snprintf(c->host, sizeof(c->host), "%s", host);
            return;
        }
    }
    snprintf(c->peer, sizeof(c->peer), "tcp");
}

static void reject_close_cb(uv_handle_t *h)
{
    free(h);
}

static void on_connection(uv_stream_t *server, int status)
{
    listener *l = server->data;
    rj_grpc_server *srv = l->srv;
    if (status < 0) {
        slog(srv, "grpc: accept failed: %s", uv_strerror(status));
        return;
    }
    conn *c = rj_calloc(1, sizeof(*c));
    c->srv = srv;
    c->is_unix = l->is_unix;
    c->ready_tail = &c->ready;
    if (l->is_unix)
        uv_pipe_init(srv->loop, &c->h.pipe, 0);
    else
        uv_tcp_init(srv->loop, &c->h.tcp);
    c->h.handle.data = c;
    int rc = uv_accept(server, &c->h.stream);
    if (rc < 0) {
        slog(srv, "grpc: accept failed: %s", uv_strerror(rc));
        uv_close(&c->h.handle, reject_close_cb);
        return;
    }
    /* The Unix socket has slots of its own: the host's admin gets in
     * whatever TCP peers do; one TCP address gets a share of the rest. */
    const char *refused = NULL;
    if (srv->draining)
        refused = "server is shutting down";
    else if (l->is_unix && srv->n_unix >= srv->cfg.max_unix_connections)
        refused = "too many connections on the Unix socket";
    else if (!l->is_unix && srv->n_conns - srv->n_unix >= srv->cfg.max_connections)
        refused = "too many connections";
    if (!refused && !l->is_unix) {
        describe_peer(c);
        size_t same = 0;
        for (conn *o = srv->conns; o; o = o->next)
            if (!o->is_unix && !o->closing && strcmp(o->host, c->host) == 0)
                same++;
        if (c->host[0] && same >= srv->cfg.max_peer_connections)
            refused = "too many connections from this address";
    }
    if (refused) {
        if (++srv->n_refused <= 3 || srv->n_refused % 1000 == 0)
            slog(srv, "grpc: connection%s%s refused: %s (%llu refused so far)",
                 c->host[0] ? " from " : "", c->host, refused, (unsigned long long)srv->n_refused);
        uv_close(&c->h.handle, reject_close_cb);
        return;
    }
    c->id = ++srv->next_conn_id;
    describe_peer(c);
    if (l->is_unix)
        srv->n_unix++;
    if (!l->is_unix)
        uv_tcp_nodelay(&c->h.tcp, 1);
    uv_timer_init(srv->loop, &c->timer);
    c->timer.data = c;
    c->open_handles = 2;
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->n_conns++;
    c->last_activity = uv_now(srv->loop);
    if (!l->is_unix && srv->tls) {
        c->tls = rj_tls_new(srv->tls);
        if (!c->tls) {
            slog(srv, "grpc: connection %llu (%s): cannot start TLS (out of memory)",
                 (unsigned long long)c->id, c->peer);
            conn_close(c, NULL);
            return;
        }
    }
    rc = conn_session_new(c);
    if (rc != 0) {
        slog(srv, "grpc: connection %llu: cannot start HTTP/2 session: %s",
             (unsigned long long)c->id, nghttp2_strerror(rc));
        conn_close(c, NULL);
        return;
    }
    /* The first check comes at the shorter of the two timeouts: with
     * --idle-timeout below the handshake timeout, an idle connection would
     * otherwise outlive its idle timeout. */
    uint64_t first = srv->cfg.handshake_timeout_ms;
    if (srv->cfg.first_call_timeout_ms < first)
        first = srv->cfg.first_call_timeout_ms;
    if (srv->cfg.idle_timeout_ms < first)
        first = srv->cfg.idle_timeout_ms;
    uv_timer_start(&c->timer, conn_handshake_timer_cb, first, 0);
    rc = uv_read_start(&c->h.stream, alloc_cb, read_cb);
    if (rc < 0) {
        conn_close(c, uv_strerror(rc));
        return;
    }
    conn_flush(c); /* our SETTINGS go out at once (over TLS, after the handshake) */
}

void rj_grpc_server_set_tls(rj_grpc_server *srv, rj_tls_ctx *ctx)
{
    rj_tls_ctx_free(srv->tls);
    srv->tls = ctx;
    if (ctx && !srv->tlsbuf)
        srv->tlsbuf = rj_malloc(READ_BUF);
}

/* ------------------------------------------------------------------ */
/* server */

int rj_grpc_server_new(uv_loop_t *loop, const rj_grpc_config *cfg, const rj_grpc_method *methods,
                       size_t n_methods, void *ud, rj_grpc_server **out)
{
    rj_grpc_server *srv = rj_calloc(1, sizeof(*srv));
    srv->rbuf = rj_malloc(READ_BUF);
    srv->loop = loop;
    if (cfg)
        srv->cfg = *cfg;
    else
        rj_grpc_config_default(&srv->cfg);
    rj_grpc_config def;
    rj_grpc_config_default(&def);
    if (!srv->cfg.max_message)
        srv->cfg.max_message = def.max_message;
    if (!srv->cfg.max_streams)
        srv->cfg.max_streams = def.max_streams;
    if (!srv->cfg.max_header_list)
        srv->cfg.max_header_list = def.max_header_list;
    if (!srv->cfg.max_connections)
        srv->cfg.max_connections = def.max_connections;
    if (!srv->cfg.idle_timeout_ms)
        srv->cfg.idle_timeout_ms = def.idle_timeout_ms;
    if (!srv->cfg.handshake_timeout_ms)
        srv->cfg.handshake_timeout_ms = def.handshake_timeout_ms;
    if (!srv->cfg.max_unix_connections)
        srv->cfg.max_unix_connections = def.max_unix_connections;
    if (!srv->cfg.max_peer_connections)
        srv->cfg.max_peer_connections = def.max_peer_connections;
    if (!srv->cfg.first_call_timeout_ms)
        srv->cfg.first_call_timeout_ms = def.first_call_timeout_ms;
    srv->methods = methods;
    srv->n_methods = n_methods;
    srv->ud = ud;
    *out = srv;
    return 0;
}

static int listener_start(rj_grpc_server *srv, listener *l)
{
    l->srv = srv;
    l->h.handle.data = l;
    int rc = uv_listen(&l->h.stream, 511, on_connection);
    if (rc < 0)
        return rc;
    l->next = srv->listeners;
    srv->listeners = l;
    srv->n_listeners++;
    return 0;
}

static void listener_failed_cb(uv_handle_t *h)
{
    listener *l = h->data;
    free(l->unlink_path);
    free(l);
}

static void fmt_bound(const struct sockaddr *sa, char *bound, size_t bound_len)
{
    char host[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        uv_ip4_name(a, host, sizeof(host));
        snprintf(bound, bound_len, "%s:%d", host, ntohs(a->sin_port));
    } else {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        uv_ip6_name(a, host, sizeof(host));
        snprintf(bound, bound_len, "[%s]:%d", host, ntohs(a->sin6_port));
    }
}

/* Remove the socket file at path if nothing answers on it any more. */
static int stale_socket_remove(const char *path, const char *addr, rj_diag *d)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        return rj_diag_set(d, RJ_EIO, "listen %s: %s", addr, strerror(errno));
    }
    if (!S_ISSOCK(st.st_mode))
        return rj_diag_set(d, RJ_EEXIST,
                           "listen %s: %s exists and is not a socket; not removing it", addr, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return rj_diag_set(d, RJ_EIO, "listen %s: socket: %s", addr, strerror(errno));
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    int r;
    do
        r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
    while (r < 0 && errno == EINTR);
    if (r == 0 || errno == EAGAIN) {
        /* Someone accepts (or queues) connections there. */
        struct ucred cred;
        socklen_t len = sizeof(cred);
        long pid = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 ? (long)cred.pid : 0;
        close(fd);
        if (pid > 0)
            return rj_diag_set(d, RJ_EEXIST,
                               "listen %s: a running process (pid %ld) answers on this socket; "
                               "stop it or choose another path",
                               addr, pid);
        return rj_diag_set(d, RJ_EEXIST,
                           "listen %s: a running process answers on this socket; stop it or "
                           "choose another path",
                           addr);
    }
    int e = errno;
    close(fd);
    if (e != ECONNREFUSED && e != ENOENT)
        return rj_diag_set(d, RJ_EIO,
                           "listen %s: cannot tell whether a process answers on %s (%s); "
                           "not removing it",
                           addr, path, strerror(e));
    if (unlink(path) < 0 && errno != ENOENT)
        return rj_diag_set(d, RJ_EIO, "listen %s: cannot remove old socket file: %s", addr,
                           strerror(errno));
    return 0;
}

int rj_grpc_server_listen(rj_grpc_server *srv, const char *addr, char *bound, size_t bound_len,
                          rj_diag *d)
{
    rj_addr a;
    int rc = rj_addr_parse(addr, &a, d);
    if (rc < 0)
        return rc;
    listener *l = rj_calloc(1, sizeof(*l));
    l->h.handle.data = l;
    if (a.is_unix) {
        l->is_unix = true;
        uv_pipe_init(srv->loop, &l->h.pipe, 0);
        /* A socket file left by a previous run blocks bind; one that a live
         * process answers on is that process's, and not ours to take. */
        rc = stale_socket_remove(a.path, addr, d);
        if (rc < 0) {
            uv_close(&l->h.handle, listener_failed_cb);
            return rc;
        }
        rc = uv_pipe_bind(&l->h.pipe, a.path);
        if (rc == 0) {
            l->unlink_path = rj_strdup(a.path);
            rc = listener_start(srv, l);
        }
        if (rc < 0) {
            uv_close(&l->h.handle, listener_failed_cb);
            return rj_diag_set(d, RJ_EIO, "listen %s: %s", addr, uv_strerror(rc));
        }
        if (bound)
            snprintf(bound, bound_len, "unix:%s", a.path);
        return 0;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port[8];
    snprintf(port, sizeof(port), "%d", a.port);
    int gai = getaddrinfo(a.host, port, &hints, &res);
    if (gai != 0) {
        free(l);
        return rj_diag_set(d, RJ_EINVAL, "listen %s: cannot resolve host '%s': %s", addr, a.host,
                           gai_strerror(gai));
    }
    uv_tcp_init(srv->loop, &l->h.tcp);
    unsigned flags = res->ai_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0;
    rc = uv_tcp_bind(&l->h.tcp, res->ai_addr, flags);
    freeaddrinfo(res);
    if (rc == 0)
        rc = listener_start(srv, l);
    if (rc < 0) {
        uv_close(&l->h.handle, listener_failed_cb);
        return rj_diag_set(d, RJ_EUNAVAIL, "listen %s: %s", addr, uv_strerror(rc));
    }
    if (bound) {
        struct sockaddr_storage ss;
        int len = sizeof(ss);
        uv_tcp_getsockname(&l->h.tcp, (struct sockaddr *)&ss, &len);
        fmt_bound((struct sockaddr *)&ss, bound, bound_len);
    }
    return 0;
}

int rj_grpc_server_listen_fd(rj_grpc_server *srv, int fd, rj_diag *d)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return rj_diag_set(d, RJ_EINVAL, "listen fd %d: not a socket: %s", fd, strerror(errno));
    listener *l = rj_calloc(1, sizeof(*l));
    l->h.handle.data = l;
    int rc;
    if (ss.ss_family == AF_UNIX) {
        l->is_unix = true;
        uv_pipe_init(srv->loop, &l->h.pipe, 0);
        rc = uv_pipe_open(&l->h.pipe, fd);
    } else if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
        uv_tcp_init(srv->loop, &l->h.tcp);
        rc = uv_tcp_open(&l->h.tcp, fd);
    } else {
        free(l);
        return rj_diag_set(d, RJ_EINVAL, "listen fd %d: unsupported address family %d", fd,
                           (int)ss.ss_family);
    }
    if (rc == 0)
        rc = listener_start(srv, l);
    if (rc < 0) {
        uv_close(&l->h.handle, listener_failed_cb);
        return rj_diag_set(d, RJ_EIO, "listen fd %d: %s", fd, uv_strerror(rc));
    }
    return 0;
}

size_t rj_grpc_server_close_stalled(rj_grpc_server *srv, uint64_t min_ms)
{
    uint64_t now = uv_now(srv->loop);
    size_t n = 0;
    for (conn *c = srv->conns, *next; c; c = next) {
        next = c->next;
        if (c->closing || c->unsent == 0 || now - c->backlog_since < min_ms)
            continue;
        char why[160];
        snprintf(why, sizeof(why), "its client took none of %zu bytes of answers for %llu ms",
                 c->unsent, (unsigned long long)(now - c->backlog_since));
        conn_close(c, why);
        n++;
        break; /* one at a time: each gives back up to 32 MiB */
    }
    return n;
}

size_t rj_grpc_server_connections(const rj_grpc_server *srv)
{
    return srv->n_conns;
}

static void listener_closed_cb(uv_handle_t *h)
{
    listener *l = h->data;
    rj_grpc_server *srv = l->srv;
    free(l->unlink_path);
    free(l);
    srv->n_listeners--;
    check_drain_done(srv);
}

static void drain_timer_closed_cb(uv_handle_t *h)
{
    rj_grpc_server *srv = h->data;
    srv->drain_timer_init = false;
    if (srv->done)
        srv->done(srv->done_arg);
}

static void check_drain_done(rj_grpc_server *srv)
{
    if (!srv->draining || srv->drain_done || srv->n_conns > 0 || srv->n_listeners > 0)
        return;
    srv->drain_done = true;
    uv_timer_stop(&srv->drain_timer);
    uv_close((uv_handle_t *)&srv->drain_timer, drain_timer_closed_cb);
}

static void drain_deadline_cb(uv_timer_t *t)
{
    rj_grpc_server *srv = t->data;
    conn *c = srv->conns;
    while (c) {
        conn *next = c->next;
        if (!c->closing)
            conn_close(c, c->n_streams ? "drain deadline passed with requests in flight" : NULL);
        c = next;
    }
}

void rj_grpc_server_drain(rj_grpc_server *srv, uint64_t deadline_ms, void (*done)(void *),
                          void *arg)
{
    if (srv->draining)
        return;
    srv->draining = true;
    srv->done = done;
    srv->done_arg = arg;
    uv_timer_init(srv->loop, &srv->drain_timer);
    srv->drain_timer.data = srv;
    srv->drain_timer_init = true;
    for (listener *l = srv->listeners; l; l = l->next) {
        if (l->unlink_path)
            unlink(l->unlink_path);
        uv_close(&l->h.handle, listener_closed_cb);
    }
    srv->listeners = NULL;
    for (conn *c = srv->conns; c; c = c->next) {
        if (c->closing || !c->session)
            continue;
        nghttp2_submit_shutdown_notice(c->session);
        nghttp2_submit_goaway(c->session, NGHTTP2_FLAG_NONE,
                              nghttp2_session_get_last_proc_stream_id(c->session), NGHTTP2_NO_ERROR,
                              NULL, 0);
    }
    /* Flushing may close connections; walk a snapshot-safe way. */
    conn *c = srv->conns;
    while (c) {
        conn *next = c->next;
        if (!c->closing) {
            conn_flush(c);
            if (!c->closing)
                conn_maybe_close(c);
        }
        c = next;
    }
    uv_timer_start(&srv->drain_timer, drain_deadline_cb, deadline_ms, 0);
    check_drain_done(srv);
}

void rj_grpc_server_free(rj_grpc_server *srv)
{
    if (!srv)
        return;
    /* Freeing with handles still open would leave them pointing here. */
    assert(!srv->drain_timer_init && (srv->draining ? srv->n_listeners == 0 : true));
    assert(srv->n_conns == 0);
    rj_tls_ctx_free(srv->tls);
    free(srv->tlsbuf);
    free(srv->rbuf);
    free(srv);
}
