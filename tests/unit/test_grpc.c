/* The gRPC server and the blocking client together: an in-process server
 * on its own loop thread, on a unix socket and 127.0.0.1:0, called through
 * rj_rpc. Handlers count what happens on the loop thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <uv.h>

#include "grpc/health/v1/health.pb-c.h"
#include "rj_grpc.h"
#include "rj_rpc.h"
#include "rj_wire.h"

#define CHECK "/grpc.health.v1.Health/Check"
#define WATCH "/grpc.health.v1.Health/Watch"
#define MAX_MESSAGE 4096
#define NON_ASCII_MSG                                                                              \
    "kode \xE2\x80\x9C"                                                                            \
    "1.01\xE2\x80\x9D tidak ditemukan: 100% \xC3\xA9 \xF0\x9F\x93\x88"

typedef Grpc__Health__V1__HealthCheckRequest Req;
typedef Grpc__Health__V1__HealthCheckResponse Resp;

static struct {
    uv_loop_t loop;
    uv_async_t async;
    pthread_t thread;
    rj_grpc_server *srv;
    rj_grpc_server *lim; /* tight limits */
    char lim_path[128];
    char lim_addr[140];
    char dir[64];
    char v6_addr[128]; /* empty when the host has no IPv6 loopback */
    char fd_addr[160];
    char unix_addr[128];
    char tcp_addr[128];
    atomic_int handled;
    atomic_int cancels;
    atomic_int drained;
    atomic_int logs;
    atomic_int send_refused;
    atomic_int do_drain;
    atomic_ullong hang_deadline;
    atomic_ullong watch_pending;
    bool joined;
} T;

static void log_line(void *ud, const char *line)
{
    (void)ud;
    atomic_fetch_add(&T.logs, 1);
    fprintf(stderr, "[server] %s\n", line);
}

/* --- handlers (loop thread) ------------------------------------------ */

static void hang_cancel_cb(rj_call *call, void *arg)
{
    (void)arg;
    atomic_fetch_add(&T.cancels, 1);
    assert_true(rj_call_cancelled(call));
    /* the reply after the deadline is dropped by the transport */
    rj_call_fail(call, RJ_GRPC_INTERNAL, "too late");
}

static void free_handle_cb(uv_handle_t *h)
{
    free(h);
}

static void delay_reply(uv_timer_t *t)
{
    Resp resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    resp.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    rj_call_reply(t->data, &resp.base);
    uv_close((uv_handle_t *)t, free_handle_cb);
}

static void check_handler(rj_call *call, const ProtobufCMessage *request)
{
    atomic_fetch_add(&T.handled, 1);
    const Req *req = (const Req *)request;
    Resp resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    if (strcmp(req->service, "fail") == 0) {
        rj_call_fail(call, RJ_GRPC_NOT_FOUND, NON_ASCII_MSG);
        return;
    }
    if (strcmp(req->service, "hang") == 0) {
        atomic_store(&T.hang_deadline, rj_call_deadline(call));
        rj_call_on_cancel(call, hang_cancel_cb, NULL);
        return;
    }
    if (strcmp(req->service, "delay") == 0) {
        uv_timer_t *t = malloc(sizeof(*t));
        uv_timer_init(&T.loop, t);
        t->data = call;
        uv_timer_start(t, delay_reply, 300, 0);
        return;
    }
    if (strcmp(req->service, "auth") == 0) {
        const char *a = rj_call_header(call, "authorization");
        resp.status = a && strcmp(a, "Bearer s3cret") == 0
                          ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
                          : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
        rj_call_reply(call, &resp.base);
        return;
    }
    assert_ptr_equal(rj_call_server_data(call), &T);
    assert_string_equal(rj_call_method(call)->path, CHECK);
    resp.status = req->service[0]
                      ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN
                      : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    rj_call_reply(call, &resp.base);
}

/* "slow": one message every 5 ms until the client cancels. */
typedef struct slow {
    uv_timer_t timer;
    rj_call *call;
    int sent;
} slow;

static void slow_closed_cb(uv_handle_t *h)
{
    free(h->data);
}

static void slow_tick(uv_timer_t *t)
{
    slow *s = t->data;
    Resp resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    resp.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    if (rj_call_send(s->call, &resp.base) == RJ_ECANCELED || ++s->sent > 2000) {
        atomic_fetch_add(&T.send_refused, 1);
        rj_call_finish(s->call, 0, NULL);
        uv_timer_stop(t);
        uv_close((uv_handle_t *)t, slow_closed_cb);
    }
}

static void slow_cancel_cb(rj_call *call, void *arg)
{
    (void)call;
    (void)arg;
    atomic_fetch_add(&T.cancels, 1);
}

static void watch_handler(rj_call *call, const ProtobufCMessage *request)
{
    atomic_fetch_add(&T.handled, 1);
    const Req *req = (const Req *)request;
    if (strcmp(req->service, "slow") == 0) {
        slow *s = calloc(1, sizeof(*s));
        s->call = call;
        uv_timer_init(&T.loop, &s->timer);
        s->timer.data = s;
        rj_call_on_cancel(call, slow_cancel_cb, NULL);
        uv_timer_start(&s->timer, slow_tick, 5, 5);
        return;
    }
    int n = atoi(req->service);
    for (int i = 0; i < n; i++) {
        Resp resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
        resp.status = (Grpc__Health__V1__HealthCheckResponse__ServingStatus)(i % 3 + 1);
        assert_int_equal(rj_call_send(call, &resp.base), 0);
    }
    /* nothing was written yet: the loop thread is still in this handler */
    if (n > 0)
        atomic_store(&T.watch_pending, rj_call_pending(call));
    if (n < 0)
        rj_call_finish(call, RJ_GRPC_ABORTED, "stopped early");
    else
        rj_call_finish(call, 0, NULL);
}

static const rj_grpc_method methods[] = {
    {CHECK, &grpc__health__v1__health_check_request__descriptor,
     &grpc__health__v1__health_check_response__descriptor, check_handler, false, false, 0, NULL,
     NULL},
    {WATCH, &grpc__health__v1__health_check_request__descriptor,
     &grpc__health__v1__health_check_response__descriptor, watch_handler, true, false, 0, NULL,
     NULL},
};

/* --- loop thread --------------------------------------------------------- */

static void drain_done(void *arg)
{
    (void)arg;
    atomic_fetch_add(&T.drained, 1);
}

static void async_cb(uv_async_t *a)
{
    if (atomic_load(&T.do_drain)) {
        rj_grpc_server_drain(T.srv, 2000, drain_done, NULL);
        rj_grpc_server_drain(T.lim, 2000, drain_done, NULL);
        uv_close((uv_handle_t *)a, NULL);
    }
}

static void *loop_main(void *arg)
{
    (void)arg;
    uv_run(&T.loop, UV_RUN_DEFAULT);
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN); /* as renjad does: libuv writes with write(2) */
    strcpy(T.dir, "/tmp/rj_grpc_test.XXXXXX");
    if (!mkdtemp(T.dir))
        return -1;
    uv_loop_init(&T.loop);
    uv_async_init(&T.loop, &T.async, async_cb);
    rj_grpc_config cfg;
    rj_grpc_config_default(&cfg);
    cfg.max_message = MAX_MESSAGE;
    cfg.log = log_line;
    if (rj_grpc_server_new(&T.loop, &cfg, methods, 2, &T, &T.srv) != 0)
        return -1;
    rj_diag d;
    char addr[200], bound[128];
    snprintf(addr, sizeof(addr), "unix:%s/s.sock", T.dir);
    /* a stale socket file (bound, nobody listening any more) must not stop us */
    char path[160];
    snprintf(path, sizeof(path), "%s/s.sock", T.dir);
    int stale = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sun.sun_path))
        return -1;
    memcpy(sun.sun_path, path, strlen(path) + 1);
    if (stale < 0 || bind(stale, (struct sockaddr *)&sun, sizeof(sun)) != 0)
        return -1;
    close(stale);
    if (rj_grpc_server_listen(T.srv, addr, bound, sizeof(bound), &d) != 0) {
        fprintf(stderr, "%s\n", d.msg);
        return -1;
    }
    snprintf(T.unix_addr, sizeof(T.unix_addr), "%s", bound);
    if (rj_grpc_server_listen(T.srv, "127.0.0.1:0", bound, sizeof(bound), &d) != 0) {
        fprintf(stderr, "%s\n", d.msg);
        return -1;
    }
    snprintf(T.tcp_addr, sizeof(T.tcp_addr), "%s", bound);
    if (rj_grpc_server_listen(T.srv, "[::1]:0", bound, sizeof(bound), &d) == 0)
        snprintf(T.v6_addr, sizeof(T.v6_addr), "%s", bound);
    else
        fprintf(stderr, "no IPv6 loopback here: %s\n", d.msg);
    /* a socket made elsewhere, as systemd would pass it */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/fd.sock", T.dir);
    snprintf(T.fd_addr, sizeof(T.fd_addr), "unix:%s", sa.sun_path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
        return -1;
    if (rj_grpc_server_listen_fd(T.srv, fd, &d) != 0) {
        fprintf(stderr, "%s\n", d.msg);
        return -1;
    }

    cfg.max_streams = 2;
    cfg.max_connections = 3;
    cfg.max_header_list = 1024;
    cfg.handshake_timeout_ms = 150;
    cfg.idle_timeout_ms = 400;
    if (rj_grpc_server_new(&T.loop, &cfg, methods, 2, &T, &T.lim) != 0)
        return -1;
    snprintf(T.lim_path, sizeof(T.lim_path), "%s/l.sock", T.dir);
    snprintf(T.lim_addr, sizeof(T.lim_addr), "unix:%s", T.lim_path);
    if (rj_grpc_server_listen(T.lim, T.lim_addr, bound, sizeof(bound), &d) != 0) {
        fprintf(stderr, "%s\n", d.msg);
        return -1;
    }
    return pthread_create(&T.thread, NULL, loop_main, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (!T.joined) {
        if (!atomic_load(&T.do_drain)) {
            atomic_store(&T.do_drain, 1);
            uv_async_send(&T.async);
        }
        pthread_join(T.thread, NULL);
    }
    rj_grpc_server_free(T.srv);
    rj_grpc_server_free(T.lim);
    int rc = uv_loop_close(&T.loop);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", T.dir);
    if (system(cmd) != 0)
        return -1;
    return rc == 0 ? 0 : -1;
}

/* --- helpers ------------------------------------------------------------- */

static rj_rpc *connect_or_die(const char *addr)
{
    rj_rpc *rpc = NULL;
    rj_diag d;
    int rc = rj_rpc_connect(addr, 2000, &rpc, &d);
    if (rc != 0)
        fail_msg("connect %s: %s", addr, d.msg);
    return rpc;
}

static int check(rj_rpc *rpc, const char *service, const char *token, Resp **out, int timeout,
                 rj_diag *d)
{
    Req req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    req.service = (char *)service;
    ProtobufCMessage *resp = NULL;
    int st = rj_rpc_call(rpc, CHECK, token, &req.base,
                         &grpc__health__v1__health_check_response__descriptor, &resp, timeout, d);
    *out = (Resp *)resp;
    return st;
}

static void wait_for(atomic_int *v, int want)
{
    for (int i = 0; i < 400 && atomic_load(v) < want; i++)
        usleep(5000);
}

/* --- tests ------------------------------------------------------------- */

static void test_address_format(void **state)
{
    (void)state;
    assert_true(strncmp(T.unix_addr, "unix:/tmp/rj_grpc_test.", 23) == 0);
    assert_true(strncmp(T.tcp_addr, "127.0.0.1:", 10) == 0);
    assert_true(atoi(T.tcp_addr + 10) > 0);
}

static void test_unary_ok_both_transports(void **state)
{
    (void)state;
    const char *addrs[] = {T.unix_addr, T.tcp_addr};
    for (int a = 0; a < 2; a++) {
        rj_rpc *rpc = connect_or_die(addrs[a]);
        int before = atomic_load(&T.handled);
        /* several sequential calls on one connection */
        for (int i = 0; i < 5; i++) {
            rj_diag d;
            Resp *r = NULL;
            assert_int_equal(check(rpc, i % 2 ? "x" : "", NULL, &r, 0, &d), RJ_GRPC_OK);
            assert_non_null(r);
            assert_int_equal(
                r->status,
                i % 2 ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN
                      : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
            protobuf_c_message_free_unpacked(&r->base, NULL);
        }
        assert_int_equal(atomic_load(&T.handled) - before, 5);
        rj_rpc_close(rpc);
    }
}

static void test_token_header(void **state)
{
    (void)state;
    rj_rpc *rpc = connect_or_die(T.unix_addr);
    rj_diag d;
    Resp *r = NULL;
    assert_int_equal(check(rpc, "auth", "s3cret", &r, 1000, &d), 0);
    assert_int_equal(r->status, GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    assert_int_equal(check(rpc, "auth", NULL, &r, 1000, &d), 0);
    assert_int_equal(r->status,
                     GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    rj_rpc_close(rpc);
}

static void test_error_non_ascii(void **state)
{
    (void)state;
    rj_rpc *rpc = connect_or_die(T.tcp_addr);
    rj_diag d;
    Resp *r = (Resp *)1;
    assert_int_equal(check(rpc, "fail", NULL, &r, 0, &d), RJ_GRPC_NOT_FOUND);
    assert_null(r);
    assert_string_equal(d.msg, NON_ASCII_MSG);
    /* the connection is still usable afterwards */
    assert_int_equal(check(rpc, "", NULL, &r, 0, &d), RJ_GRPC_OK);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    rj_rpc_close(rpc);
}

static void test_unimplemented(void **state)
{
    (void)state;
    rj_rpc *rpc = connect_or_die(T.unix_addr);
    Req req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    ProtobufCMessage *resp = NULL;
    rj_diag d;
    int before = atomic_load(&T.handled);
    int st = rj_rpc_call(rpc, "/grpc.health.v1.Health/Nope", NULL, &req.base,
                         &grpc__health__v1__health_check_response__descriptor, &resp, 0, &d);
    assert_int_equal(st, RJ_GRPC_UNIMPLEMENTED);
    assert_non_null(strstr(d.msg, "/grpc.health.v1.Health/Nope"));
    assert_null(resp);
    assert_int_equal(atomic_load(&T.handled), before);
    rj_rpc_close(rpc);
}

static void test_deadline(void **state)
{
    (void)state;
    rj_rpc *rpc = connect_or_die(T.unix_addr);
    rj_diag d;
    Resp *r = NULL;
    int cancels = atomic_load(&T.cancels);
    assert_int_equal(check(rpc, "hang", NULL, &r, 150, &d), RJ_GRPC_DEADLINE_EXCEEDED);
    assert_true(atomic_load(&T.hang_deadline) > 0);
    assert_null(r);
    assert_string_equal(d.msg, "deadline exceeded"); /* the server's answer */
    wait_for(&T.cancels, cancels + 1);
    assert_int_equal(atomic_load(&T.cancels), cancels + 1);
    assert_int_equal(check(rpc, "", NULL, &r, 1000, &d), RJ_GRPC_OK);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    rj_rpc_close(rpc);
}

typedef struct watch_count {
    int n;
    int stop_after;
    int bad;
} watch_count;

static int on_watch(const ProtobufCMessage *msg, void *arg)
{
    watch_count *w = arg;
    const Resp *r = (const Resp *)msg;
    if ((int)r->status != w->n % 3 + 1 && w->stop_after == 0)
        w->bad++;
    w->n++;
    return w->stop_after && w->n >= w->stop_after;
}

static int watch(rj_rpc *rpc, const char *service, watch_count *w, rj_diag *d)
{
    Req req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    req.service = (char *)service;
    return rj_rpc_stream(rpc, WATCH, NULL, &req.base,
                         &grpc__health__v1__health_check_response__descriptor, on_watch, w, 5000,
                         d);
}

static void test_streaming(void **state)
{
    (void)state;
    rj_rpc *rpc = connect_or_die(T.tcp_addr);
    rj_diag d;
    int counts[] = {0, 1, 7, 5000};
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        char svc[16];
        snprintf(svc, sizeof(svc), "%d", counts[i]);
        watch_count w = {0};
        assert_int_equal(watch(rpc, svc, &w, &d), RJ_GRPC_OK);
        assert_int_equal(w.n, counts[i]);
        assert_int_equal(w.bad, 0);
    }
    watch_count w = {0};
    assert_int_equal(watch(rpc, "-1", &w, &d), RJ_GRPC_ABORTED);
    assert_string_equal(d.msg, "stopped early");
    rj_rpc_close(rpc);
}

static void test_streaming_cancel(void **state)
{
    (void)state;
    rj_rpc *rpc = connect_or_die(T.unix_addr);
    rj_diag d;
    int cancels = atomic_load(&T.cancels);
    int refused = atomic_load(&T.send_refused);
    watch_count w = {.stop_after = 3};
    assert_int_equal(watch(rpc, "slow", &w, &d), RJ_GRPC_CANCELLED);
    assert_int_equal(w.n, 3);
    wait_for(&T.cancels, cancels + 1);
    assert_int_equal(atomic_load(&T.cancels), cancels + 1);
    wait_for(&T.send_refused, refused + 1);
    assert_int_equal(atomic_load(&T.send_refused), refused + 1);
    /* same connection still works */
    Resp *r = NULL;
    assert_int_equal(check(rpc, "", NULL, &r, 1000, &d), RJ_GRPC_OK);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    rj_rpc_close(rpc);
}

static void test_oversize(void **state)
{
    (void)state;
    rj_rpc *rpc = connect_or_die(T.unix_addr);
    rj_diag d;
    Resp *r = NULL;
    int before = atomic_load(&T.handled);
    char *big = malloc(MAX_MESSAGE * 4);
    memset(big, 'a', MAX_MESSAGE * 4 - 1);
    big[MAX_MESSAGE * 4 - 1] = '\0';
    assert_int_equal(check(rpc, big, NULL, &r, 2000, &d), RJ_GRPC_RESOURCE_EXHAUSTED);
    assert_null(r);
    assert_non_null(strstr(d.msg, "exceeds the limit"));
    assert_int_equal(atomic_load(&T.handled), before);
    /* just under the limit passes */
    big[MAX_MESSAGE - 16] = '\0';
    assert_int_equal(check(rpc, big, NULL, &r, 2000, &d), RJ_GRPC_OK);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    free(big);
    rj_rpc_close(rpc);
}

static void test_unavailable(void **state)
{
    (void)state;
    char addr[160];
    snprintf(addr, sizeof(addr), "unix:%s/nobody.sock", T.dir);
    rj_rpc *rpc = NULL;
    rj_diag d;
    assert_int_equal(rj_rpc_connect(addr, 500, &rpc, &d), RJ_EUNAVAIL);
    assert_null(rpc);
    assert_non_null(strstr(d.msg, addr));
    assert_non_null(strstr(d.msg, "No such file"));
}

/* --- a raw HTTP/2 client for requests rj_rpc would never send ---------- */

typedef struct raw_stream {
    int32_t id;
    int http;
    int grpc;
    bool closed;
    uint32_t err;
    const uint8_t *body;
    size_t len, off;
} raw_stream;

typedef struct raw {
    int fd;
    nghttp2_session *s;
    raw_stream st[8];
    int n;
} raw;

static raw_stream *raw_find(raw *r, int32_t id)
{
    for (int i = 0; i < r->n; i++)
        if (r->st[i].id == id)
            return &r->st[i];
    return NULL;
}

static int raw_header_cb(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
                         size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                         void *ud)
{
    raw_stream *st = raw_find(ud, f->hd.stream_id);
    if (!st)
        return 0;
    char v[16] = {0};
    memcpy(v, value, valuelen < 15 ? valuelen : 15);
    if (namelen == 7 && memcmp(name, ":status", 7) == 0)
        st->http = atoi(v);
    if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0)
        st->grpc = atoi(v);
    return 0;
}

static int raw_close_cb(nghttp2_session *s, int32_t id, uint32_t err, void *ud)
{
    raw_stream *st = raw_find(ud, id);
    if (st) {
        st->closed = true;
        st->err = err;
    }
    return 0;
}

static ssize_t raw_body_cb(nghttp2_session *s, int32_t id, uint8_t *buf, size_t length,
                           uint32_t *flags, nghttp2_data_source *src, void *ud)
{
    raw_stream *st = src->ptr;
    size_t n = st->len - st->off < length ? st->len - st->off : length;
    memcpy(buf, st->body + st->off, n);
    st->off += n;
    if (st->off == st->len)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

static int unix_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    assert_true(strlen(path) < sizeof(a.sun_path));
    memcpy(a.sun_path, path, strlen(path) + 1);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

static void raw_open_window(raw *r, const char *path, uint32_t window)
{
    memset(r, 0, sizeof(*r));
    r->fd = unix_connect(path);
    nghttp2_session_callbacks *cbs;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_header_callback(cbs, raw_header_cb);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, raw_close_cb);
    nghttp2_option *opt;
    nghttp2_option_new(&opt);
    /* a small window stays small: no WINDOW_UPDATE as data arrives */
    nghttp2_option_set_no_auto_window_update(opt, window < 65535);
    assert_int_equal(nghttp2_session_client_new2(&r->s, cbs, r, opt), 0);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_settings_entry iv = {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, window};
    nghttp2_submit_settings(r->s, NGHTTP2_FLAG_NONE, &iv, 1);
}

static void raw_open(raw *r, const char *path)
{
    raw_open_window(r, path, 65535);
}

/* Submit a request; body NULL leaves the stream open (no END_STREAM). */
static raw_stream *raw_submit(raw *r, const char *method, const char *path, const char *ct,
                              const char *extra_name, const char *extra_value, const uint8_t *body,
                              size_t len)
{
    nghttp2_nv nv[6];
    size_t nn = 0;
#define RNV(n, v) nv[nn++] = (nghttp2_nv){(uint8_t *)(n), (uint8_t *)(v), strlen(n), strlen(v), 0}
    RNV(":method", method);
    RNV(":scheme", "http");
    RNV(":path", path);
    RNV(":authority", "localhost");
    RNV("content-type", ct);
    if (extra_name)
        RNV(extra_name, extra_value);
#undef RNV
    raw_stream *st = &r->st[r->n++];
    st->body = body;
    st->len = len;
    if (body) {
        nghttp2_data_provider prd = {.source.ptr = st, .read_callback = raw_body_cb};
        st->id = nghttp2_submit_request(r->s, NULL, nv, nn, &prd, NULL);
    } else {
        st->id = nghttp2_submit_headers(r->s, NGHTTP2_FLAG_NONE, -1, NULL, nv, nn, NULL);
    }
    assert_true(st->id > 0);
    return st;
}

/* Exchange frames until every stream that sent END_STREAM closed (or ms). */
static void raw_run(raw *r, int ms)
{
    for (int waited = 0; waited < ms;) {
        const uint8_t *data;
        ssize_t n;
        while ((n = nghttp2_session_mem_send(r->s, &data)) > 0)
            assert_int_equal(send(r->fd, data, (size_t)n, MSG_NOSIGNAL), n);
        bool all = true;
        for (int i = 0; i < r->n; i++)
            if (r->st[i].body && !r->st[i].closed)
                all = false;
        if (all)
            return;
        struct pollfd p = {.fd = r->fd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0) {
            waited += 20;
            continue;
        }
        uint8_t buf[16384];
        ssize_t got = recv(r->fd, buf, sizeof(buf), 0);
        if (got <= 0)
            return;
        assert_true(nghttp2_session_mem_recv(r->s, buf, (size_t)got) >= 0);
    }
}

static void raw_close(raw *r)
{
    nghttp2_session_del(r->s);
    close(r->fd);
}

static size_t health_body(uint8_t *out, const char *service)
{
    Req req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    req.service = (char *)service;
    size_t n = protobuf_c_message_get_packed_size(&req.base);
    rj_wire_put_prefix(out, (uint32_t)n);
    protobuf_c_message_pack(&req.base, out + RJ_WIRE_PREFIX);
    return RJ_WIRE_PREFIX + n;
}

static void test_bad_requests(void **state)
{
    (void)state;
    char path[160];
    snprintf(path, sizeof(path), "%s/s.sock", T.dir);
    int before = atomic_load(&T.handled);
    raw r;
    raw_open(&r, path);
    uint8_t one[64], two[128], bad[16], trunc[16], empty[1];
    size_t n1 = health_body(one, "");
    memcpy(two, one, n1);
    size_t n2 = n1 + health_body(two + n1, "again");
    /* field 1 announced as 100 bytes long, only 2 there */
    uint8_t junk[] = {0x0a, 100, 'a', 'b'};
    rj_wire_put_prefix(bad, sizeof(junk));
    memcpy(bad + RJ_WIRE_PREFIX, junk, sizeof(junk));
    rj_wire_put_prefix(trunc, 10);
    memcpy(trunc + RJ_WIRE_PREFIX, "abc", 3);

    raw_stream *ct = raw_submit(&r, "POST", CHECK, "text/plain", NULL, NULL, one, n1);
    raw_stream *dbl = raw_submit(&r, "POST", CHECK, "application/grpc", NULL, NULL, two, n2);
    raw_stream *unp = raw_submit(&r, "POST", CHECK, "application/grpc+proto", NULL, NULL, bad,
                                 RJ_WIRE_PREFIX + sizeof(junk));
    raw_stream *tr = raw_submit(&r, "POST", CHECK, "application/grpc", NULL, NULL, trunc, 8);
    raw_stream *tmo =
        raw_submit(&r, "POST", CHECK, "application/grpc", "grpc-timeout", "soon", one, n1);
    raw_stream *get = raw_submit(&r, "GET", CHECK, "application/grpc", NULL, NULL, empty, 0);
    /* zero messages: an empty request, answered normally */
    raw_stream *zero = raw_submit(&r, "POST", CHECK, "application/grpc", NULL, NULL, empty, 0);
    raw_run(&r, 3000);
    assert_int_equal(ct->http, 415);
    assert_int_equal(dbl->http, 200);
    assert_int_equal(dbl->grpc, RJ_GRPC_INVALID_ARGUMENT);
    assert_int_equal(unp->grpc, RJ_GRPC_INVALID_ARGUMENT);
    assert_int_equal(tr->grpc, RJ_GRPC_INVALID_ARGUMENT);
    assert_int_equal(tmo->grpc, RJ_GRPC_INVALID_ARGUMENT);
    assert_int_equal(get->http, 405);
    assert_true(zero->closed);
    assert_int_equal(zero->http, 200);
    assert_int_equal(zero->grpc, RJ_GRPC_OK);
    assert_int_equal(atomic_load(&T.handled), before + 1);
    raw_close(&r);
}

static void test_connection_close_cancels(void **state)
{
    (void)state;
    char path[160];
    snprintf(path, sizeof(path), "%s/s.sock", T.dir);
    int cancels = atomic_load(&T.cancels);
    int handled = atomic_load(&T.handled);
    raw r;
    raw_open(&r, path);
    uint8_t one[64];
    size_t n1 = health_body(one, "hang"); /* no grpc-timeout: waits for ever */
    raw_submit(&r, "POST", CHECK, "application/grpc", NULL, NULL, one, n1);
    raw_run(&r, 200);
    wait_for(&T.handled, handled + 1);
    assert_int_equal(atomic_load(&T.handled), handled + 1);
    assert_int_equal(atomic_load(&T.cancels), cancels);
    assert_int_equal(atomic_load(&T.hang_deadline), 0);
    raw_close(&r);
    wait_for(&T.cancels, cancels + 1);
    assert_int_equal(atomic_load(&T.cancels), cancels + 1);
}

static void test_pending_under_flow_control(void **state)
{
    (void)state;
    char path[160];
    snprintf(path, sizeof(path), "%s/s.sock", T.dir);
    int handled = atomic_load(&T.handled);
    raw r;
    raw_open_window(&r, path, 10); /* the peer takes 10 bytes, then waits */
    uint8_t one[64];
    size_t n1 = health_body(one, "10");
    raw_stream *st = raw_submit(&r, "POST", WATCH, "application/grpc", NULL, NULL, one, n1);
    raw_run(&r, 300);
    wait_for(&T.handled, handled + 1);
    assert_false(st->closed);
    /* 10 messages of 5 + 2 bytes; 10 bytes went out */
    assert_int_equal(atomic_load(&T.watch_pending), 60);
    raw_close(&r);
}

static void test_stream_and_header_limits(void **state)
{
    (void)state;
    raw r;
    raw_open(&r, T.lim_path);
    /* submitted before the server's SETTINGS arrive, so nghttp2 sends all */
    raw_submit(&r, "POST", CHECK, "application/grpc", NULL, NULL, NULL, 0);
    raw_submit(&r, "POST", CHECK, "application/grpc", NULL, NULL, NULL, 0);
    uint8_t one[64];
    size_t n1 = health_body(one, "");
    raw_stream *third = raw_submit(&r, "POST", CHECK, "application/grpc", NULL, NULL, one, n1);
    raw_run(&r, 2000);
    assert_true(third->closed);
    assert_int_equal(third->err, NGHTTP2_REFUSED_STREAM);
    raw_close(&r);

    raw_open(&r, T.lim_path);
    char big[2048];
    memset(big, 'v', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    raw_stream *h = raw_submit(&r, "POST", CHECK, "application/grpc", "x-big", big, one, n1);
    raw_stream *ok = raw_submit(&r, "POST", CHECK, "application/grpc", NULL, NULL, one, n1);
    raw_run(&r, 2000);
    assert_true(h->closed);
    assert_int_equal(h->http, 0);
    assert_int_not_equal(h->err, 0);
    assert_int_equal(ok->grpc, RJ_GRPC_OK);
    raw_close(&r);
}

static bool closed_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    uint8_t buf[4096];
    for (int waited = 0; waited < ms; waited += 10) {
        if (poll(&p, 1, 10) > 0) {
            ssize_t n = recv(fd, buf, sizeof(buf), 0);
            if (n <= 0)
                return true;
        }
    }
    return false;
}

static void test_handshake_and_idle_timeouts(void **state)
{
    (void)state;
    int logs = atomic_load(&T.logs);
    /* silent: closed after the 150 ms handshake timeout, with a log line */
    int fd = unix_connect(T.lim_path);
    assert_true(closed_within(fd, 2000));
    close(fd);
    assert_true(atomic_load(&T.logs) > logs);

    /* garbage: closed at once */
    fd = unix_connect(T.lim_path);
    assert_int_equal(send(fd, "GET / HTTP/1.1\r\n\r\n", 18, MSG_NOSIGNAL), 18);
    assert_true(closed_within(fd, 1000));
    close(fd);

    /* idle: a served connection is closed after 400 ms without streams */
    rj_rpc *rpc = connect_or_die(T.lim_addr);
    rj_diag d;
    Resp *r = NULL;
    assert_int_equal(check(rpc, "", NULL, &r, 1000, &d), RJ_GRPC_OK);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    usleep(300 * 1000);
    assert_int_equal(check(rpc, "", NULL, &r, 1000, &d), RJ_GRPC_OK); /* activity resets it */
    protobuf_c_message_free_unpacked(&r->base, NULL);
    usleep(900 * 1000);
    assert_int_equal(check(rpc, "", NULL, &r, 1000, &d), RJ_GRPC_UNAVAILABLE);
    rj_rpc_close(rpc);
}

static void test_max_connections(void **state)
{
    (void)state;
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    static const uint8_t settings[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = unix_connect(T.lim_path);
        assert_int_equal(send(fds[i], preface, 24, MSG_NOSIGNAL), 24);
        assert_int_equal(send(fds[i], settings, 9, MSG_NOSIGNAL), 9);
    }
    usleep(100 * 1000);
    int extra = unix_connect(T.lim_path);
    assert_true(closed_within(extra, 1000));
    close(extra);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    /* once they are gone, new connections are served again */
    usleep(100 * 1000);
    rj_rpc *rpc = connect_or_die(T.lim_addr);
    rj_diag d;
    Resp *r = NULL;
    assert_int_equal(check(rpc, "", NULL, &r, 1000, &d), RJ_GRPC_OK);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    rj_rpc_close(rpc);
}

static void test_listen_fd_and_ipv6(void **state)
{
    (void)state;
    const char *addrs[] = {T.fd_addr, T.v6_addr};
    for (int i = 0; i < 2; i++) {
        if (!addrs[i][0])
            continue;
        rj_rpc *rpc = connect_or_die(addrs[i]);
        rj_diag d;
        Resp *r = NULL;
        assert_int_equal(check(rpc, "", NULL, &r, 1000, &d), RJ_GRPC_OK);
        protobuf_c_message_free_unpacked(&r->base, NULL);
        rj_rpc_close(rpc);
    }
    if (T.v6_addr[0])
        assert_true(strncmp(T.v6_addr, "[::1]:", 6) == 0);
}

static void test_stalled_request_closed_when_idle(void **state)
{
    (void)state;
    raw r;
    raw_open(&r, T.lim_path);
    /* headers and half a message, then nothing */
    uint8_t part[8];
    rj_wire_put_prefix(part, 100);
    raw_stream *st = raw_submit(&r, "POST", CHECK, "application/grpc", NULL, NULL, NULL, 0);
    raw_run(&r, 50); /* the HEADERS go out first */
    st->body = part;
    st->len = sizeof(part);
    nghttp2_data_provider prd = {.source.ptr = st, .read_callback = raw_body_cb};
    assert_int_equal(nghttp2_submit_data(r.s, NGHTTP2_FLAG_NONE, st->id, &prd), 0);
    raw_run(&r, 50);
    assert_true(closed_within(r.fd, 3000));
    raw_close(&r);
}

static struct {
    rj_rpc *rpc;
    int status;
} inflight;

static void *inflight_main(void *arg)
{
    (void)arg;
    rj_diag d;
    Resp *r = NULL;
    inflight.status = check(inflight.rpc, "delay", NULL, &r, 5000, &d);
    if (r)
        protobuf_c_message_free_unpacked(&r->base, NULL);
    return NULL;
}

static void test_drain(void **state)
{
    (void)state;
    /* a call that never ends is cancelled at the drain deadline */
    char path[160];
    snprintf(path, sizeof(path), "%s/s.sock", T.dir);
    int cancels = atomic_load(&T.cancels);
    int handled = atomic_load(&T.handled);
    raw hang;
    raw_open(&hang, path);
    uint8_t one[64];
    size_t n1 = health_body(one, "hang");
    raw_submit(&hang, "POST", CHECK, "application/grpc", NULL, NULL, one, n1);
    raw_run(&hang, 200);
    wait_for(&T.handled, handled + 1);
    handled = atomic_load(&T.handled);

    /* a call in flight when the drain starts still gets its answer */
    inflight.rpc = connect_or_die(T.tcp_addr);
    pthread_t th;
    pthread_create(&th, NULL, inflight_main, NULL);
    wait_for(&T.handled, handled + 1);

    /* a connection open at drain time gets GOAWAY and is closed */
    rj_rpc *rpc = connect_or_die(T.unix_addr);
    rj_diag d;
    Resp *r = NULL;
    assert_int_equal(check(rpc, "", NULL, &r, 1000, &d), RJ_GRPC_OK);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    atomic_store(&T.do_drain, 1);
    uv_async_send(&T.async);
    pthread_join(th, NULL);
    assert_int_equal(inflight.status, RJ_GRPC_OK);
    rj_rpc_close(inflight.rpc);
    assert_int_equal(atomic_load(&T.cancels), cancels); /* not before the deadline */
    for (int i = 0; i < 800 && atomic_load(&T.drained) < 2; i++)
        usleep(5000);
    assert_int_equal(atomic_load(&T.cancels), cancels + 1);
    raw_close(&hang);
    assert_int_equal(atomic_load(&T.drained), 2);
    assert_int_equal(check(rpc, "", NULL, &r, 1000, &d), RJ_GRPC_UNAVAILABLE);
    rj_rpc_close(rpc);
    /* nothing listens any more */
    assert_int_equal(rj_rpc_connect(T.unix_addr, 500, &rpc, &d), RJ_EUNAVAIL);
    assert_int_equal(rj_rpc_connect(T.tcp_addr, 500, &rpc, &d), RJ_EUNAVAIL);
    pthread_join(T.thread, NULL);
    T.joined = true;
    assert_int_equal(atomic_load(&T.drained), 2);
    assert_int_equal(rj_grpc_server_connections(T.srv), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_format),
        cmocka_unit_test(test_unary_ok_both_transports),
        cmocka_unit_test(test_token_header),
        cmocka_unit_test(test_error_non_ascii),
        cmocka_unit_test(test_unimplemented),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_streaming),
        cmocka_unit_test(test_streaming_cancel),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_unavailable),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_connection_close_cancels),
        cmocka_unit_test(test_pending_under_flow_control),
        cmocka_unit_test(test_stream_and_header_limits),
        cmocka_unit_test(test_handshake_and_idle_timeouts),
        cmocka_unit_test(test_max_connections),
        cmocka_unit_test(test_listen_fd_and_ipv6),
        cmocka_unit_test(test_stalled_request_closed_when_idle),
        cmocka_unit_test(test_drain),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
