/* Fuzz target: raw bytes into a server connection. A real rj_grpc server
 * (libuv + nghttp2, small limits so they are reached) listens on a Unix
 * socket; each input is written by a client over a fresh connection, and
 * the loop runs until the server has nothing more to say. Everything the
 * transport does on its own is on the path: the preface and SETTINGS,
 * nghttp2's callbacks, header and message limits, stream bookkeeping,
 * deadlines, trailers, answer accounting, connection close.
 *
 * Input: byte 0 picks options (bit 0: prepend the client preface, so that
 * mutations of frames are not all lost at the preface; bit 1: close the
 * client side right after writing, else read the answers first; bits 2-3:
 * how the rest is cut into writes; bits 4-6 all set: over TLS, to the
 * server's TCP listener, the bytes encrypted by an in-process OpenSSL
 * client after a real handshake, so the transport's TLS path (decrypt,
 * nghttp2, encrypt, close_notify or an abrupt close) sees them; 1 input
 * in 8 pays for a handshake). The handlers answer at once, stream a few
 * messages, fail, or hold the call until the connection has gone;
 * /f/Bidi is bidirectional: each request message is answered with a few
 * messages as it arrives ("hold" makes it wait for the end of the
 * connection), and the call ends after the client's END_STREAM.
 *
 * Invariants: every connection is freed once the client has closed, and
 * the server then holds no answer bytes (its accounting returns to zero);
 * every bidirectional call has ended; nothing leaks (ASan). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "fuzz_util.h"
#include "grpc/health/v1/health.pb-c.h"
#include "rj_grpc.h"

static uv_loop_t loop;
static rj_grpc_server *srv;
static char sock_path[108];
static char crt_path[64], key_path[64];
static int tls_port;
static SSL_CTX *client_ctx;
static rj_call *held[64]; /* calls ended only after the connection went */
static size_t n_held;
static unsigned long long bytes_out, n_inputs;
static long n_bidi; /* bidirectional calls not yet ended */

static void echo_cb(rj_call *call, const ProtobufCMessage *req)
{
    rj_call_set_authenticated(call);
    rj_call_reply(call, req);
}

static void fail_cb(rj_call *call, const ProtobufCMessage *req)
{
    rj_call_fail(call, RJ_GRPC_INVALID_ARGUMENT, "refused \xe2\x80\x94 on purpose");
}

static void stream_cb(rj_call *call, const ProtobufCMessage *req)
{
    const Grpc__Health__V1__HealthCheckRequest *r =
        (const Grpc__Health__V1__HealthCheckRequest *)req;
    size_t n = strlen(r->service) % 8;
    Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    for (size_t i = 0; i < n; i++) {
        resp.status = (Grpc__Health__V1__HealthCheckResponse__ServingStatus)(i % 3);
        if (rj_call_send(call, &resp.base) != 0)
            break;
    }
    rj_call_finish(call, 0, NULL);
}

static void hold_cb(rj_call *call, const ProtobufCMessage *req)
{
    rj_call_reserve(call, 4096);
    if (n_held < sizeof(held) / sizeof(held[0]))
        held[n_held++] = call;
    else
        rj_call_fail(call, RJ_GRPC_RESOURCE_EXHAUSTED, "too many held");
}

static void bidi_cancel_cb(rj_call *call, void *arg)
{
    n_bidi--;
    rj_call_finish(call, RJ_GRPC_CANCELLED, "cancelled");
}

static void bidi_cb(rj_call *call, const ProtobufCMessage *req)
{
    if (!rj_call_user(call)) {
        rj_call_set_user(call, &n_bidi);
        rj_call_on_cancel(call, bidi_cancel_cb, NULL);
        rj_call_reserve(call, 1024);
        n_bidi++;
    }
    if (!req) {
        n_bidi--;
        rj_call_finish(call, 0, NULL);
        return;
    }
    const Grpc__Health__V1__HealthCheckRequest *r =
        (const Grpc__Health__V1__HealthCheckRequest *)req;
    if (strcmp(r->service, "hold") == 0)
        return; /* no answer: the connection's end cancels the call */
    size_t n = strlen(r->service) % 4;
    Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    for (size_t i = 0; i < n; i++) {
        resp.status = (Grpc__Health__V1__HealthCheckResponse__ServingStatus)(i % 3);
        rj_buf framed = {0};
        rj_grpc_frame_message(&resp.base, &framed);
        int rc = i % 2 ? rj_call_send_framed(call, &framed) : rj_call_send(call, &resp.base);
        rj_buf_free(&framed);
        if (rc != 0)
            break;
    }
}

#define HC &grpc__health__v1__health_check_request__descriptor
#define HR &grpc__health__v1__health_check_response__descriptor
static const rj_grpc_method methods[] = {
    {"/grpc.health.v1.Health/Check", HC, HR, echo_cb, false, false, 0, NULL, NULL},
    {"/f/Fail", HC, HR, fail_cb, false, false, 0, NULL, NULL},
    {"/f/Stream", HC, HR, stream_cb, true, false, 0, NULL, NULL},
    {"/f/Hold", HC, HR, hold_cb, false, false, 0, NULL, NULL},
    {"/f/Bidi", HC, HR, bidi_cb, RJ_GRPC_STREAM_IN | RJ_GRPC_STREAM_OUT, false, 0, NULL, NULL},
};

static void log_cb(void *ud, const char *line)
{
    fprintf(stderr, "%s\n", line);
}

static void at_exit(void)
{
    if (getenv("RJ_FUZZ_STATS"))
        fprintf(stderr, "fuzz_conn: %llu inputs, %llu bytes answered\n", n_inputs, bytes_out);
    unlink(sock_path);
    unlink(crt_path);
    unlink(key_path);
    SSL_CTX_free(client_ctx);
}

/* A throwaway key and self-signed certificate for the TLS listener. */
static void make_cert(void)
{
    EVP_PKEY *pk = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    FUZZ_CHECK(pk && x, "cannot make a test key");
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, pk);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1,
                               0);
    X509_set_issuer_name(x, name);
    FUZZ_CHECK(X509_sign(x, pk, EVP_sha256()) > 0, "cannot sign the test certificate");
    snprintf(crt_path, sizeof(crt_path), "/tmp/renja-fuzz-conn.%d.crt", (int)getpid());
    snprintf(key_path, sizeof(key_path), "/tmp/renja-fuzz-conn.%d.key", (int)getpid());
    FILE *f = fopen(crt_path, "w");
    FUZZ_CHECK(f && PEM_write_X509(f, x), "cannot write %s", crt_path);
    fclose(f);
    f = fopen(key_path, "w");
    FUZZ_CHECK(f && PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL), "cannot write %s",
               key_path);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(pk);
}

static void init(void)
{
    signal(SIGPIPE, SIG_IGN); /* as renjad: libuv writes with write(2) */
    uv_loop_init(&loop);
    rj_grpc_config cfg;
    rj_grpc_config_default(&cfg);
    cfg.max_message = 4096;
    cfg.max_streams = 8;
    cfg.max_header_list = 2048;
    if (getenv("RJ_FUZZ_LOG"))
        cfg.log = log_cb;
    rj_grpc_server_new(&loop, &cfg, methods, sizeof(methods) / sizeof(methods[0]), NULL, &srv);
    snprintf(sock_path, sizeof(sock_path), "/tmp/renja-fuzz-conn.%d.sock", (int)getpid());
    char addr[128];
    snprintf(addr, sizeof(addr), "unix:%s", sock_path);
    rj_diag d = {{0}};
    FUZZ_CHECK(rj_grpc_server_listen(srv, addr, NULL, 0, &d) == 0, "listen: %s", d.msg);
    atexit(at_exit);
    /* TLS on the TCP listener (the Unix socket stays plaintext). */
    make_cert();
    rj_tls_ctx *ctx;
    FUZZ_CHECK(rj_tls_ctx_new(crt_path, key_path, &ctx, NULL, 0, &d) == 0, "TLS: %s", d.msg);
    rj_grpc_server_set_tls(srv, ctx);
    char bound[64];
    FUZZ_CHECK(rj_grpc_server_listen(srv, "127.0.0.1:0", bound, sizeof(bound), &d) == 0,
               "listen: %s", d.msg);
    tls_port = atoi(strrchr(bound, ':') + 1);
    client_ctx = SSL_CTX_new(TLS_client_method());
    FUZZ_CHECK(client_ctx, "client SSL_CTX");
    SSL_CTX_set_mode(client_ctx,
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    static const unsigned char alpn[] = {2, 'h', '2'};
    SSL_CTX_set_alpn_protos(client_ctx, alpn, sizeof(alpn));
}

static SSL *ssl; /* the client's TLS, on inputs sent over TLS */

static ssize_t client_recv(int fd, char *buf, size_t len)
{
    if (!ssl)
        return recv(fd, buf, len, MSG_DONTWAIT);
    int n = SSL_read(ssl, buf, (int)len);
    ERR_clear_error();
    return n > 0 ? n : -1;
}

static void run_loop(int fd, bool read_answers)
{
    /* Turn the loop until it has nothing ready and the server sent nothing
     * for two rounds; drain what it sends so its writes never block. */
    char buf[16384];
    for (int rounds = 0, idle = 0; rounds < 100000 && idle < 2; rounds++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        bool moved = false;
        ssize_t n;
        while (fd >= 0 && read_answers && (n = client_recv(fd, buf, sizeof(buf))) > 0) {
            bytes_out += (unsigned long long)n;
            moved = true;
        }
        struct pollfd p = {.fd = uv_backend_fd(&loop), .events = POLLIN};
        bool ready = poll(&p, 1, 0) > 0;
        idle = moved || ready ? 0 : idle + 1;
    }
}

/* send(2), or SSL_write over TLS; -1 with errno EAGAIN when it would
 * block, another errno when the server closed on us. */
static ssize_t client_send(int fd, const void *p, size_t n)
{
    if (!ssl)
        return send(fd, p, n, MSG_NOSIGNAL);
    int w = SSL_write(ssl, p, (int)n);
    if (w > 0)
        return w;
    int e = SSL_get_error(ssl, w);
    ERR_clear_error();
    errno = e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ ? EAGAIN : EPIPE;
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!srv)
        init();
    if (size < 1)
        return 0;
    n_inputs++;
    uint8_t opt = data[0];
    data++, size--;
    bool tls = (opt & 0x70) == 0x70;
    int fd;
    if (tls) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        FUZZ_CHECK(fd >= 0, "socket: %s", strerror(errno));
        struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)tls_port)};
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fcntl(fd, F_SETFL, O_NONBLOCK);
        int r = connect(fd, (struct sockaddr *)&in, sizeof(in));
        FUZZ_CHECK(r == 0 || errno == EINPROGRESS, "connect: %s", strerror(errno));
        ssl = SSL_new(client_ctx);
        FUZZ_CHECK(ssl && SSL_set_fd(ssl, fd) == 1, "client SSL");
        SSL_set_connect_state(ssl);
        int hs = 0;
        for (int rounds = 0; rounds < 10000 && hs != 1; rounds++) {
            hs = SSL_do_handshake(ssl);
            if (hs != 1) {
                int e = SSL_get_error(ssl, hs);
                FUZZ_CHECK(e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE,
                           "TLS handshake with the server failed (error %d)", e);
                uv_run(&loop, UV_RUN_NOWAIT);
            }
        }
        ERR_clear_error();
        FUZZ_CHECK(hs == 1, "no TLS handshake");
    } else {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        FUZZ_CHECK(fd >= 0, "socket: %s", strerror(errno));
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
        FUZZ_CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect: %s",
                   strerror(errno));
        fcntl(fd, F_SETFL, O_NONBLOCK);
    }
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    size_t chunk = (opt >> 2 & 3) == 0 ? size : (size_t)1 << (2 * (opt >> 2 & 3) + 2);
    if (opt & 1) {
        if (client_send(fd, preface, sizeof(preface) - 1) < 0)
            goto done;
        run_loop(fd, true);
    }
    for (size_t off = 0; off < size;) {
        size_t n = size - off < chunk ? size - off : chunk;
        ssize_t w = client_send(fd, data + off, n);
        if (w < 0 && errno != EAGAIN)
            break; /* the server closed on us */
        if (w > 0)
            off += (size_t)w;
        run_loop(fd, true);
    }
    if (!(opt & 2))
        run_loop(fd, true);
done:
    if (ssl) {
        if (!(opt & 2))
            SSL_shutdown(ssl); /* close_notify; else an abrupt close */
        SSL_free(ssl);
        ssl = NULL;
        ERR_clear_error();
    }
    close(fd);
    run_loop(-1, false);
    /* Calls the handlers held end now: their streams are gone. */
    Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    for (size_t i = 0; i < n_held; i++)
        rj_call_reply(held[i], &resp.base);
    n_held = 0;
    run_loop(-1, false);
    FUZZ_CHECK(rj_grpc_server_connections(srv) == 0, "%zu connection(s) left after close",
               rj_grpc_server_connections(srv));
    FUZZ_CHECK(rj_grpc_server_held(srv) == 0, "%zu answer bytes held after every call ended",
               rj_grpc_server_held(srv));
    FUZZ_CHECK(n_bidi == 0, "%ld bidirectional call(s) never ended", n_bidi);
    return 0;
}
