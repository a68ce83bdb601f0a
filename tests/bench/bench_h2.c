/* A closed-loop gRPC load driver over HTTP/2 cleartext (h2c), for writes
 * whose body must differ per request: tests/bench/compare.sh drives both
 * renjad's Submit and etcd's Put with it, so both sides of that row are
 * timed by the same tool.
 *
 * One thread, CLIENTS connections, one stream in flight per connection; a
 * connection sends its next request when the previous one's stream closes,
 * until REQUESTS have been sent in all. Request i (counted from --start)
 * carries i, so no two are the same:
 *
 *   renja-submit  a SubmitRequest to --plan with one upsert_item of --kode
 *                 whose pagu is i (each one makes a revision; an identical
 *                 submit would be "unchanged" and make none), with the
 *                 token from --token as "authorization: Bearer".
 *   etcd-put      an etcd PutRequest of --key with a 200-byte value that
 *                 starts with i.
 *
 * Prints one line, "req/s mean_ms p99_ms succeeded", the figures
 * compare.sh's h2load rows print: req/s over the whole run (first request
 * sent to last answer), latency from a request's HEADERS to its stream's
 * close, succeeded = answers with :status 200 and grpc-status 0.
 *
 * usage: bench_h2 MODE HOST:PORT CLIENTS REQUESTS [--token T] [--plan P]
 *                 [--kode K] [--key K] [--start N]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "renja/v1/renja.pb-c.h"

enum { MODE_SUBMIT, MODE_PUT };

typedef struct conn {
    int fd;
    nghttp2_session *session;
    int32_t stream;  /* the stream in flight, 0: none */
    double started;  /* when its request was sent */
    int http_status; /* :status of its answer */
    int grpc_status; /* grpc-status of its answer, -1: none yet */
    unsigned char *body;
    size_t body_len, body_off;
} conn;

static struct {
    int mode;
    const char *host, *port, *token, *plan, *kode, *key;
    long clients, requests, start;
    long sent, closed, succeeded;
    double *lat; /* ms, one per closed request */
    char authority[300], bearer[600];
} g;

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "bench_h2: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The gRPC frame of message i: flag 0, 4-byte big-endian length, message. */
static unsigned char *make_body(long i, size_t *len)
{
    unsigned char *msg;
    size_t n;
    if (g.mode == MODE_SUBMIT) {
        Renja__V1__Item item = RENJA__V1__ITEM__INIT;
        item.kode = (char *)g.kode;
        item.nama = "Penyusunan Dokumen Perencanaan";
        item.bidang = "Sekretariat";
        item.has_pagu = true;
        item.pagu = i;
        item.sumber_dana = "DAU";
        Renja__V1__Change ch = RENJA__V1__CHANGE__INIT;
        ch.change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM;
        ch.upsert_item = &item;
        Renja__V1__Change *chs[1] = {&ch};
        Renja__V1__SubmitRequest req = RENJA__V1__SUBMIT_REQUEST__INIT;
        req.plan = (char *)g.plan;
        req.message = "bench";
        req.n_changes = 1;
        req.changes = chs;
        n = protobuf_c_message_get_packed_size(&req.base);
        msg = malloc(5 + n);
        if (!msg)
            die("%s", "out of memory");
        protobuf_c_message_pack(&req.base, msg + 5);
    } else {
        /* etcdserverpb.PutRequest: key = 1, value = 2 (both bytes). */
        size_t klen = strlen(g.key);
        if (klen > 127)
            die("--key %s: at most 127 bytes", g.key);
        char value[201];
        int vl = snprintf(value, sizeof(value), "%ld ", i);
        memset(value + vl, 'v', 200 - (size_t)vl);
        n = 2 + klen + 3 + 200;
        msg = malloc(5 + n);
        if (!msg)
            die("%s", "out of memory");
        unsigned char *p = msg + 5;
        *p++ = 0x0a;
        *p++ = (unsigned char)klen;
        memcpy(p, g.key, klen);
        p += klen;
        *p++ = 0x12;
        *p++ = 0x80 | (200 & 0x7f); /* varint 200 */
        *p++ = 200 >> 7;
        memcpy(p, value, 200);
    }
    msg[0] = 0;
    msg[1] = (unsigned char)(n >> 24);
    msg[2] = (unsigned char)(n >> 16);
    msg[3] = (unsigned char)(n >> 8);
    msg[4] = (unsigned char)n;
    *len = 5 + n;
    return msg;
}

static ssize_t body_read_cb(nghttp2_session *s, int32_t stream, uint8_t *buf, size_t length,
                            uint32_t *flags, nghttp2_data_source *src, void *user)
{
    (void)s;
    (void)stream;
    (void)src;
    conn *c = user;
    size_t n = c->body_len - c->body_off;
    if (n > length)
        n = length;
    memcpy(buf, c->body + c->body_off, n);
    c->body_off += n;
    if (c->body_off == c->body_len)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

#define HDR(n, v)                                                                                  \
    {                                                                                              \
        (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NO_COPY_NAME     \
    }

static void send_next(conn *c)
{
    if (g.sent >= g.requests)
        return;
    long i = g.start + g.sent++;
    free(c->body);
    c->body = make_body(i, &c->body_len);
    c->body_off = 0;
    const char *path = g.mode == MODE_SUBMIT ? "/renja.v1.Renja/Submit" : "/etcdserverpb.KV/Put";
    nghttp2_nv nv[] = {
        HDR(":method", "POST"),
        HDR(":scheme", "http"),
        HDR(":path", path),
        HDR(":authority", g.authority),
        HDR("content-type", "application/grpc"),
        HDR("te", "trailers"),
        HDR("authorization", g.bearer),
    };
    size_t nnv = sizeof(nv) / sizeof(nv[0]) - (g.token ? 0 : 1);
    nghttp2_data_provider dp = {.read_callback = body_read_cb};
    c->http_status = 0;
    c->grpc_status = -1;
    c->started = now_s();
    c->stream = nghttp2_submit_request(c->session, NULL, nv, nnv, &dp, c);
    if (c->stream < 0)
        die("submit request: %s", nghttp2_strerror(c->stream));
}

static ssize_t send_cb(nghttp2_session *s, const uint8_t *data, size_t length, int flags,
                       void *user)
{
    (void)s;
    (void)flags;
    conn *c = user;
    ssize_t n = send(c->fd, data, length, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return NGHTTP2_ERR_WOULDBLOCK;
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return n;
}

static int header_cb(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *user)
{
    (void)s;
    (void)flags;
    conn *c = user;
    if (frame->hd.stream_id != c->stream)
        return 0;
    char v[16];
    size_t n = valuelen < sizeof(v) - 1 ? valuelen : sizeof(v) - 1;
    memcpy(v, value, n);
    v[n] = 0;
    if (namelen == 7 && memcmp(name, ":status", 7) == 0)
        c->http_status = atoi(v);
    else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0)
        c->grpc_status = atoi(v);
    return 0;
}

static int close_cb(nghttp2_session *s, int32_t stream, uint32_t error_code, void *user)
{
    (void)s;
    conn *c = user;
    if (stream != c->stream)
        return 0;
    g.lat[g.closed++] = (now_s() - c->started) * 1000.0;
    if (error_code == 0 && c->http_status == 200 && c->grpc_status == 0)
        g.succeeded++;
    c->stream = 0;
    send_next(c);
    return 0;
}

static int connect_to(void)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    int rc = getaddrinfo(g.host, g.port, &hints, &ai);
    if (rc != 0)
        die("resolve: %s", gai_strerror(rc));
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
        die("connect to %s: refused or unreachable", g.authority);
    freeaddrinfo(ai);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_h2 renja-submit|etcd-put HOST:PORT CLIENTS REQUESTS "
                        "[--token T] [--plan P] [--kode K] [--key K] [--start N]\n");
        return 2;
    }
    if (strcmp(argv[1], "renja-submit") == 0)
        g.mode = MODE_SUBMIT;
    else if (strcmp(argv[1], "etcd-put") == 0)
        g.mode = MODE_PUT;
    else
        die("mode %s: expected renja-submit or etcd-put", argv[1]);
    snprintf(g.authority, sizeof(g.authority), "%s", argv[2]);
    char *colon = strrchr(argv[2], ':');
    if (!colon)
        die("address %s: expected HOST:PORT", argv[2]);
    *colon = 0;
    g.host = argv[2];
    g.port = colon + 1;
    g.clients = strtol(argv[3], NULL, 10);
    g.requests = strtol(argv[4], NULL, 10);
    if (g.clients < 1 || g.clients > 10000 || g.requests < 1)
        die("%s", "CLIENTS must be 1..10000 and REQUESTS at least 1");
    g.plan = "bench-opd/2024";
    g.kode = "2.17.01.1.01.0001";
    g.key = "bench-key";
    g.start = 1;
    for (int i = 5; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--token") == 0)
            g.token = argv[i + 1];
        else if (strcmp(argv[i], "--plan") == 0)
            g.plan = argv[i + 1];
        else if (strcmp(argv[i], "--kode") == 0)
            g.kode = argv[i + 1];
        else if (strcmp(argv[i], "--key") == 0)
            g.key = argv[i + 1];
        else if (strcmp(argv[i], "--start") == 0)
            g.start = strtol(argv[i + 1], NULL, 10);
        else
            die("unknown option %s", argv[i]);
    }
    if ((argc - 5) % 2)
        die("option %s needs a value", argv[argc - 1]);
    if (g.token)
        snprintf(g.bearer, sizeof(g.bearer), "Bearer %s", g.token);
    g.lat = calloc((size_t)g.requests, sizeof(*g.lat));
    conn *cs = calloc((size_t)g.clients, sizeof(*cs));
    struct pollfd *pfd = calloc((size_t)g.clients, sizeof(*pfd));
    if (!g.lat || !cs || !pfd)
        die("%s", "out of memory");

    nghttp2_session_callbacks *cb;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_send_callback(cb, send_cb);
    nghttp2_session_callbacks_set_on_header_callback(cb, header_cb);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, close_cb);
    for (long i = 0; i < g.clients; i++) {
        cs[i].fd = connect_to();
        nghttp2_session_client_new(&cs[i].session, cb, &cs[i]);
        nghttp2_submit_settings(cs[i].session, NGHTTP2_FLAG_NONE, NULL, 0);
    }
    double t0 = now_s();
    for (long i = 0; i < g.clients; i++)
        send_next(&cs[i]);

    while (g.closed < g.sent || g.sent < g.requests) {
        for (long i = 0; i < g.clients; i++) {
            conn *c = &cs[i];
            int rc = nghttp2_session_send(c->session);
            if (rc != 0)
                die("send: %s", nghttp2_strerror(rc));
            pfd[i].fd = c->fd;
            pfd[i].events = POLLIN | (nghttp2_session_want_write(c->session) ? POLLOUT : 0);
        }
        if (poll(pfd, (nfds_t)g.clients, 30000) <= 0)
            die("%s", "no answer for 30 s");
        for (long i = 0; i < g.clients; i++) {
            conn *c = &cs[i];
            if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            uint8_t buf[16384];
            ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
            if (n < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (n <= 0)
                die("%s", "the server closed a connection");
            ssize_t used = nghttp2_session_mem_recv(c->session, buf, (size_t)n);
            if (used < 0)
                die("receive: %s", nghttp2_strerror((int)used));
        }
    }
    double elapsed = now_s() - t0;

    qsort(g.lat, (size_t)g.closed, sizeof(*g.lat), cmp_double);
    double sum = 0;
    for (long i = 0; i < g.closed; i++)
        sum += g.lat[i];
    long p = (long)((double)g.closed * 0.99);
    if (p >= g.closed)
        p = g.closed - 1;
    printf("%.0f %.3f %.3f %ld\n", (double)g.closed / elapsed, sum / (double)g.closed, g.lat[p],
           g.succeeded);
    for (long i = 0; i < g.clients; i++) {
        nghttp2_session_del(cs[i].session);
        close(cs[i].fd);
        free(cs[i].body);
    }
    nghttp2_session_callbacks_del(cb);
    free(g.lat);
    free(cs);
    free(pfd);
    return 0;
}
