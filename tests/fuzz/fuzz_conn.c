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
 * how the rest is cut into writes). The handlers answer at once, stream
 * a few messages, fail, or hold the call until the connection has gone;
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
#include <sys/un.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "grpc/health/v1/health.pb-c.h"
#include "rj_grpc.h"

static uv_loop_t loop;
static rj_grpc_server *srv;
static char sock_path[108];
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
    {"/grpc.health.v1.Health/Check", HC, HR, echo_cb, false, false, 0, NULL},
    {"/f/Fail", HC, HR, fail_cb, false, false, 0, NULL},
    {"/f/Stream", HC, HR, stream_cb, true, false, 0, NULL},
    {"/f/Hold", HC, HR, hold_cb, false, false, 0, NULL},
    {"/f/Bidi", HC, HR, bidi_cb, RJ_GRPC_STREAM_IN | RJ_GRPC_STREAM_OUT, false, 0, NULL},
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
        while (fd >= 0 && read_answers && (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
            bytes_out += (unsigned long long)n;
            moved = true;
        }
        struct pollfd p = {.fd = uv_backend_fd(&loop), .events = POLLIN};
        bool ready = poll(&p, 1, 0) > 0;
        idle = moved || ready ? 0 : idle + 1;
    }
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
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_CHECK(fd >= 0, "socket: %s", strerror(errno));
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
    FUZZ_CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect: %s",
               strerror(errno));
    fcntl(fd, F_SETFL, O_NONBLOCK);
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    size_t chunk = (opt >> 2 & 3) == 0 ? size : (size_t)1 << (2 * (opt >> 2 & 3) + 2);
    if (opt & 1) {
        if (send(fd, preface, sizeof(preface) - 1, MSG_NOSIGNAL) < 0)
            goto done;
        run_loop(fd, true);
    }
    for (size_t off = 0; off < size;) {
        size_t n = size - off < chunk ? size - off : chunk;
        ssize_t w = send(fd, data + off, n, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN)
            break; /* the server closed on us */
        if (w > 0)
            off += (size_t)w;
        run_loop(fd, true);
    }
    if (!(opt & 2))
        run_loop(fd, true);
done:
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
