#include "rj_daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grpc/health/v1/health.pb-c.h"
#include "grpc/reflection/v1/reflection.pb-c.h"
#include "grpc/reflection/v1alpha/reflection.pb-c.h"
#include "renja/v1/renja.pb-c.h"
#include "rj_alloc.h"
#include "rj_dirlock.h"
#include "rj_ident.h"
#include "rj_limits.h"
#include "rj_log.h"
#include "rj_pool.h"
#include "rj_reflect.h"
#include "rj_sd.h"
#include "rj_wire.h"
#include "rj_service.h"
#include "rj_writer.h"

/* Admission of reads (README, Limits: answers held): each reserves what
 * its answer can take before it starts; one that does not fit waits (until
 * its deadline, if it has one), and is refused once its own connection has
 * taken none of its answers for ADMIT_STALL_MS. While others wait for room,
 * a connection whose client took nothing for STALL_CLOSE_MS is closed: its
 * answers give the room back. */
#define ADMIT_TICK_MS 10
#define ADMIT_PER_TICK 200
#define ADMIT_STALL_MS 1000
#define STALL_CLOSE_MS 10000
/* Reads computing at once: the pool has POOL_THREADS, and one stays free
 * for the small work (ServerInfo, a write's checks, a watcher's catch-up)
 * that must not queue behind big answers. */
#define READS_AT_ONCE 3
/* A light read (rj_service.h) taking at most this many values is answered
 * on the loop thread: microseconds, where the hop to a pool thread and back
 * costs more than the read. One that wants more goes to the pool. */
#define LOOP_READ_VALUES 64
#define PAGE_RESERVE ((1u << 20) + (64u << 10)) /* a paged answer: one page */
#define TRIM_MS 1000
/* Pool threads compute answers at a lower priority than the loop thread:
 * on a busy machine the loop (Health, accepting, sending) is scheduled
 * first and answers within milliseconds. Ten nice levels below it, not at
 * 19: a pool thread may hold what the loop then waits for (an allocator's
 * lock, the address space's lock while it unmaps a freed answer), and at
 * 19 it got so little of a busy machine that the loop waited 150 ms. */
#define POOL_THREADS 4
#define POOL_NICER 10

typedef struct work work;

typedef struct rj_daemon {
    uv_loop_t *loop;
    rj_store *store;
    rj_writer *writer;
    rj_pool *pool;
    rj_grpc_server *grpc;
    uv_signal_t sigterm, sigint, sigquit, sighup, sigusr1, sigusr2;
    uv_timer_t reader_timer;
    int64_t started_ms;
    uint64_t max_message; /* of a request, in bytes */
    bool draining;
    uint64_t drain_ms;
    rj_watch *watch;          /* Watch's watchers (svc_watch.c) */
    struct hwatch *hwatchers; /* Health Watch calls */
    rj_reflect *reflect;
    struct rstream *rstreams; /* reflection streams */
    size_t answer_conn_max, answer_total_max;
    work *waiting, **waiting_tail; /* reads waiting for answer memory */
    size_t n_waiting;
    unsigned computing; /* admitted reads not yet answered */
    uv_prepare_t turn_prepare;
    uint64_t turn_cpu_at, turn_cpu_max;  /* ns of the loop thread's CPU */
    uint64_t turn_wall_at, turn_idle_at; /* uv_hrtime, uv_metrics_idle_time */
    uint64_t turn_wall_max;              /* ns of wall time, poll's wait left out */
    uv_timer_t admit_timer;
    bool admit_active;
    uv_timer_t trim_timer;
    size_t held_peak; /* since the last malloc_trim */
    rj_job trim_job;
    bool trimming;
    const char *tls_cert, *tls_key; /* re-read on SIGHUP; NULL: no TLS */
    int exit_code;
} rj_daemon;

/* One call in flight between the loop, the pool and the writer. */
struct work {
    rj_job job;
    rj_daemon *d;
    rj_call *call;
    const rj_grpc_method *m;
    const rj_service *svc;
    const ProtobufCMessage *request; /* owned by the call */
    char *token;
    char client[96]; /* the peer, for the audit */
    Renja__V1__Identity *who;
    rj_ctx ctx;
    int err;
    rj_diag diag;
    ProtobufCMessage *resp;
    rj_buf framed; /* a read's answer, packed on the pool thread */
    rj_op op;
    void *stream;          /* a stream opened, not yet started */
    atomic_bool cancelled; /* set on the loop thread, read on the pool thread */
    bool authed;           /* the token was accepted (whatever the role) */
    size_t reserve;        /* answer bytes a read reserves */
    bool admitted;         /* holds one of the READS_AT_ONCE slots */
    bool on_loop, over;    /* a light read tried on the loop; it wanted more */
    work *next_wait;
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void work_free(work *w)
{
    if (w->stream)
        w->svc->drop(w->stream);
    rj_svc_answer_free(&w->ctx, w->resp);
    if (w->who)
        protobuf_c_message_free_unpacked(&w->who->base, NULL);
    free((void *)w->op.token); /* the struct from svc_token.c; its strings are the request's */
    rj_op_clear(&w->op);
    rj_buf_free(&w->framed);
    free(w->token);
    free(w);
}

static void reply_error(rj_call *call, int err, const char *msg)
{
    rj_call_fail(call, rj_error_grpc_status(err), msg && *msg ? msg : rj_strerror(err));
}

/* --- pool thread ---------------------------------------------------------- */

/* In snap when the call has one (a read), else in a read of its own. */
static int authenticate(work *w, rj_snap *snap)
{
    if (w->m->min_role == 0)
        return 0;
    if (!w->token)
        return rj_diag_set(&w->diag, RJ_EAUTH,
                           "missing token: send metadata 'authorization: Bearer <token>' "
                           "(renja --token or $RENJA_TOKEN)");
    int rc = snap ? rj_snap_token_auth(snap, w->token, &w->who, &w->diag)
                  : rj_store_token_auth(w->d->store, w->token, &w->who, &w->diag);
    if (rc != 0)
        return rc == RJ_EAUTH ? rj_diag_set(&w->diag, RJ_EAUTH, "invalid or revoked token") : rc;
    if ((int)w->who->role < w->m->min_role)
        return rj_diag_set(&w->diag, RJ_EPERM,
                           "token \"%s\" has role %s; %s needs role %s or higher", w->who->name,
                           rj_role_name(w->who->role), strrchr(w->m->path, '/') + 1,
                           rj_role_name(w->m->min_role));
    return 0;
}

/* Pack a read's answer here on the pool thread (the loop only moves the
 * bytes), refusing one over the message limit: a default gRPC client
 * refuses it anyway, and no answer is unbounded. */
static int frame_answer(work *w)
{
    size_t len = protobuf_c_message_get_packed_size(w->resp);
    if (len > w->d->max_message) {
        const char *name = strrchr(w->m->path, '/') + 1;
        bool pageable = protobuf_c_message_descriptor_get_field_by_name(w->request->descriptor,
                                                                        "paged") != NULL;
        return rj_diag_set(&w->diag, RJ_ETOOBIG,
                           "the %s answer would be %zu bytes, over the %llu-byte message limit; %s",
                           name, len, (unsigned long long)w->d->max_message,
                           pageable ? "ask for it in pages (paged = true; renja does)"
                                    : "narrow the request (a kode subtree, fewer refs)");
    }
    rj_grpc_frame_sized(w->resp, len, &w->framed);
    rj_svc_answer_free(&w->ctx, w->resp);
    w->resp = NULL;
    return 0;
}

static void fill_ctx(work *w)
{
    w->ctx.store = w->d->store;
    w->ctx.who = w->who;
    w->ctx.now_ms = wall_ms();
    w->ctx.started_ms = w->d->started_ms;
    w->ctx.max_message = w->d->max_message;
    w->ctx.watch = w->d->watch;
}

/* Reads, and the opening of streams, on a pool thread. */
static void work_cb(rj_job *job)
{
    work *w = RJ_JOB_OF(job, work, job);
    /* The deadline passed or the peer left while this waited for a pool
     * thread: nobody wants the answer, and computing it would hold up the
     * calls queued behind. */
    if (atomic_load(&w->cancelled)) {
        w->err = RJ_ECANCELED;
        return;
    }
    rj_snap *snap = NULL;
    w->err = rj_snap_begin(w->d->store, &snap, &w->diag);
    if (w->err)
        return;
    /* the token is looked up in the snapshot the read answers from */
    w->err = authenticate(w, snap);
    w->authed = w->m->min_role > 0 && (w->err == 0 || w->err == RJ_EPERM);
    if (w->err) {
        rj_snap_end(snap);
        return;
    }
    fill_ctx(w);
    if (w->on_loop)
        rj_snap_budget(snap, LOOP_READ_VALUES);
    if (w->svc->open)
        w->err = w->svc->open(&w->ctx, snap, w->request, &w->stream, &w->diag);
    else
        w->err = w->svc->read(&w->ctx, snap, w->request, &w->resp, &w->diag);
    if (w->on_loop && rj_snap_over(snap)) {
        w->over = true;
        w->err = 0;
        rj_svc_answer_free(&w->ctx, w->resp);
        w->resp = NULL;
    }
    rj_snap_end(snap);
    if (w->over)
        return;
    if (w->err == 0 && !w->stream)
        w->err = frame_answer(w);
}

/* Writes, on the writer thread just before their batch is applied: a write
 * goes from the loop to the writer and back, no pool thread in between. */
static int write_prepare(void *ctx)
{
    work *w = ctx;
    if (atomic_load(&w->cancelled))
        return w->err = RJ_ECANCELED;
    w->err = authenticate(w, NULL);
    w->authed = w->m->min_role > 0 && (w->err == 0 || w->err == RJ_EPERM);
    if (w->err)
        return w->err;
    fill_ctx(w);
    w->op.who = w->who;
    w->op.client = w->client;
    w->op.now_ms = w->ctx.now_ms;
    return w->err = w->svc->prepare(&w->ctx, w->request, &w->op, &w->diag);
}

/* --- loop thread ------------------------------------------------------------ */

static void writer_done_cb(rj_op *op, void *ctx, void *arg)
{
    work *w = ctx;
    rj_daemon *d = arg;
    if (w->authed)
        rj_call_set_authenticated(w->call);
    if (w->err) { /* write_prepare refused it; it was not applied */
        if (w->err == RJ_EAUTH)
            rj_log(RJ_LOG_INFO, "refused %s: %s", w->m->path, w->diag.msg);
        reply_error(w->call, w->err, w->diag.msg);
        work_free(w);
        return;
    }
    if (op->err == 0 && (op->kind == RJ_OP_TOKEN_ADD || op->kind == RJ_OP_TOKEN_REVOKE))
        rj_log(RJ_LOG_INFO, "token %s %s by %s", op->token->name,
               op->kind == RJ_OP_TOKEN_ADD ? "added" : "revoked", w->who ? w->who->name : "?");
    if (op->err == 0 && op->kind == RJ_OP_SUBMIT && op->revision) {
        rj_log(RJ_LOG_INFO, "revision plan=%s rev=%llu author=%s client=%s keys=%zu", op->plan,
               (unsigned long long)op->rev, op->revision->author, op->revision->client,
               op->revision->n_keys);
        rj_watch_publish(d->watch, op->plan, op->revision);
    }
    if (rj_call_cancelled(w->call)) {
        /* Durable all the same; the client will see it on its next read. */
        rj_call_fail(w->call, RJ_GRPC_CANCELLED, "cancelled");
    } else if (op->err) {
        reply_error(w->call, op->err, op->diag.msg);
    } else {
        rj_diag diag = {{0}};
        int rc = w->svc->finish(&w->ctx, op, &w->resp, &diag);
        if (rc)
            reply_error(w->call, rc, diag.msg);
        else
            rj_call_reply(w->call, w->resp);
    }
    work_free(w);
}

static bool admit_fits(rj_daemon *d, work *w);
static void admit_start(rj_daemon *d, work *w);

/* The waiters at the head of the queue that fit now, at once: without
 * this a freed compute slot waited for the admit timer's next tick, and
 * concurrent reads ran at a few hundred a second. Waiters that do not
 * fit, are cancelled or must be refused are the timer's (admit_run). */
static void admit_head(rj_daemon *d)
{
    while (d->waiting && !d->draining && !atomic_load(&d->waiting->cancelled) &&
           admit_fits(d, d->waiting)) {
        work *w = d->waiting;
        d->waiting = w->next_wait;
        if (!d->waiting)
            d->waiting_tail = &d->waiting;
        d->n_waiting--;
        admit_start(d, w);
    }
}

static void after_work_cb(rj_job *job)
{
    work *w = RJ_JOB_OF(job, work, job);
    if (w->admitted) { /* its compute slot is free: the next waiter takes it now */
        w->d->computing--;
        w->admitted = false;
        admit_head(w->d);
    }
    if (w->authed)
        rj_call_set_authenticated(w->call);
    if (w->err) {
        if (w->err == RJ_EAUTH)
            rj_log(RJ_LOG_INFO, "refused %s: %s", w->m->path, w->diag.msg);
        reply_error(w->call, w->err, w->diag.msg);
        work_free(w);
        return;
    }
    if (rj_call_cancelled(w->call)) {
        rj_call_fail(w->call, RJ_GRPC_CANCELLED, "cancelled");
        work_free(w);
        return;
    }
    if (w->stream) { /* the stream's service answers from now on */
        w->svc->start(&w->ctx, w->call, w->stream);
        w->stream = NULL;
        work_free(w);
        return;
    }
    rj_call_reply_framed(w->call, &w->framed);
    work_free(w);
}

/* A light read, on the loop: answered, true; or it wanted more than
 * LOOP_READ_VALUES values, and w is as it came, for a pool thread. */
static bool read_on_loop(work *w)
{
    w->on_loop = true;
    work_cb(&w->job);
    w->on_loop = false;
    if (!w->over) {
        after_work_cb(&w->job);
        return true;
    }
    w->over = false;
    w->err = 0;
    rj_diag_clear(&w->diag);
    w->authed = false;
    if (w->who)
        protobuf_c_message_free_unpacked(&w->who->base, NULL);
    w->who = NULL;
    return false;
}

/* Until the call is handed on (a stream's service, writer) or ended; the call ends
 * before w is freed, so this never fires on a freed w. */
static void work_cancel_cb(rj_call *call, void *arg)
{
    work *w = arg;
    atomic_store(&w->cancelled, true);
}

static char *bearer_token(const char *h)
{
    if (!h)
        return NULL;
    while (*h == ' ')
        h++;
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    size_t n = strlen(h);
    while (n && h[n - 1] == ' ')
        n--;
    return n ? rj_strndup(h, n) : NULL;
}

/* Every top-level string field of a request is at most RJ_FIELD_MAX bytes
 * (plan ids, refs, kode, names, bidang), but the one field of free text its
 * method declares (rj_methods.def: a revision's message, a plan's nama, a
 * lock's reason), which only the message limit bounds. */
static int check_field_lengths(const ProtobufCMessage *m, const char *text, rj_diag *d)
{
    const ProtobufCMessageDescriptor *desc = m->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        size_t max = f->type != PROTOBUF_C_TYPE_STRING    ? 0
                     : text && strcmp(f->name, text) == 0 ? 0
                                                          : RJ_FIELD_MAX;
        if (max == 0)
            continue;
        const char *const *v = (const char *const *)((const char *)m + f->offset);
        size_t n = 1;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            n = *(const size_t *)((const char *)m + f->quantifier_offset);
            v = *(const char *const *const *)v;
        }
        for (size_t k = 0; k < n; k++)
            if (v[k] && strlen(v[k]) > max)
                return rj_diag_set(d, RJ_EINVAL, "%s.%s is %zu bytes long; at most %zu expected",
                                   desc->short_name, f->name, strlen(v[k]), max);
    }
    return 0;
}

/* What a read's answer can take: a page when it asked for pages, else the
 * message limit (a larger one is refused). */
static size_t answer_reserve(const work *w)
{
    /* Log, Show, Export, Diff, Compare, Evaluate, Validate: `paged` */
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(w->request->descriptor, "paged");
    bool paged = f && f->type == PROTOBUF_C_TYPE_BOOL &&
                 *(const protobuf_c_boolean *)((const char *)w->request + f->offset);
    return paged && PAGE_RESERVE < w->d->max_message ? PAGE_RESERVE : w->d->max_message;
}

static bool admit_fits(rj_daemon *d, work *w)
{
    return d->computing < READS_AT_ONCE &&
           rj_call_conn_held(w->call) + w->reserve <= d->answer_conn_max &&
           rj_grpc_server_held(d->grpc) + w->reserve <= d->answer_total_max;
}

static void admit_start(rj_daemon *d, work *w)
{
    d->computing++;
    w->admitted = true;
    rj_call_reserve(w->call, w->reserve);
    size_t held = rj_grpc_server_held(d->grpc);
    if (held > d->held_peak)
        d->held_peak = held;
    rj_pool_queue(d->pool, &w->job, work_cb, after_work_cb);
}

static void admit_timer_cb(uv_timer_t *t);

static void admit_wait(rj_daemon *d, work *w)
{
    w->next_wait = NULL;
    *d->waiting_tail = w;
    d->waiting_tail = &w->next_wait;
    d->n_waiting++;
    if (!d->admit_active) {
        d->admit_active = true;
        uv_timer_start(&d->admit_timer, admit_timer_cb, ADMIT_TICK_MS, ADMIT_TICK_MS);
    }
}

/* Admit, refuse or keep each waiting read, in arrival order; a waiter that
 * does not fit does not hold up the ones behind it on other connections. */
static void admit_run(rj_daemon *d)
{
    bool short_of_room = false;
    /* Each ending writes to its connection: a few hundred per tick keep
     * one turn of the loop short when thousands wait. */
    int budget = ADMIT_PER_TICK;
    for (work **p = &d->waiting; *p && budget > 0;) {
        work *w = *p;
        const char *refuse = NULL;
        char msg[256];
        int status = RJ_GRPC_RESOURCE_EXHAUSTED;
        if (atomic_load(&w->cancelled) || rj_call_cancelled(w->call)) {
            refuse = "cancelled";
            status = RJ_GRPC_CANCELLED;
        } else if (d->draining) {
            refuse = "server shutting down; retry later";
            status = RJ_GRPC_UNAVAILABLE;
        } else if (admit_fits(d, w)) {
            *p = w->next_wait;
            d->n_waiting--;
            admit_start(d, w);
            budget--;
            continue;
        } else if (rj_call_conn_stalled_ms(w->call) >= ADMIT_STALL_MS) {
            snprintf(msg, sizeof(msg),
                     "this connection holds %zu bytes of answers its client has not read (at most "
                     "%zu per connection); read them before asking for more",
                     rj_call_conn_held(w->call), d->answer_conn_max);
            refuse = msg;
        } else {
            short_of_room |= rj_grpc_server_held(d->grpc) + w->reserve > d->answer_total_max;
            p = &w->next_wait;
            continue;
        }
        *p = w->next_wait;
        d->n_waiting--;
        rj_call_fail(w->call, status, refuse);
        work_free(w);
        budget--;
    }
    d->waiting_tail = &d->waiting;
    while (*d->waiting_tail)
        d->waiting_tail = &(*d->waiting_tail)->next_wait;
    /* Room held by clients that read nothing, while others wait for it. */
    if (short_of_room && rj_grpc_server_close_stalled(d->grpc, STALL_CLOSE_MS) > 0)
        rj_log(RJ_LOG_WARN,
               "closed connection(s) holding answers their clients did not read "
               "for %d ms, to make room for others",
               STALL_CLOSE_MS);
    if (!d->waiting && d->admit_active) {
        d->admit_active = false;
        uv_timer_stop(&d->admit_timer);
    }
}

static void admit_timer_cb(uv_timer_t *t)
{
    admit_run(t->data);
}

/* Answers of megabytes leave the allocator's heaps large once freed; give
 * the memory back to the system when what is held has fallen well below
 * its peak. malloc_trim walks every heap: on a pool thread, not the loop. */
static void trim_work_cb(rj_job *job)
{
    (void)job;
    malloc_trim(0);
}

static void trim_done_cb(rj_job *job)
{
    rj_daemon *d = RJ_JOB_OF(job, rj_daemon, trim_job);
    d->trimming = false;
}

static void trim_timer_cb(uv_timer_t *t)
{
    rj_daemon *d = t->data;
    size_t held = rj_grpc_server_held(d->grpc);
    if (!d->trimming && d->held_peak >= (32u << 20) && held <= d->held_peak / 4) {
        d->trimming = true;
        d->held_peak = held;
        rj_pool_queue(d->pool, &d->trim_job, trim_work_cb, trim_done_cb);
    }
}

static void dispatch_cb(rj_call *call, const ProtobufCMessage *request)
{
    rj_daemon *d = rj_call_server_data(call);
    const rj_grpc_method *m = rj_call_method(call);
    work *w = rj_calloc(1, sizeof(*w));
    w->d = d;
    w->call = call;
    w->m = m;
    w->svc = m->svc;
    w->request = request; /* unknown fields dropped by the transport */
    w->token = bearer_token(rj_call_header(call, "authorization"));
    const char *peer = rj_call_peer(call);
    if (strncmp(peer, "unix", 4) == 0)
        snprintf(w->client, sizeof(w->client), "%s", peer);
    else
        snprintf(w->client, sizeof(w->client), "tcp %s", peer);
    if (d->draining) {
        reply_error(call, RJ_EUNAVAIL, "server shutting down; retry later");
        work_free(w);
        return;
    }
    if (check_field_lengths(request, m->text, &w->diag) != 0) {
        reply_error(call, RJ_EINVAL, w->diag.msg);
        work_free(w);
        return;
    }
    rj_call_on_cancel(call, work_cancel_cb, w);
    if (m->write) {
        rj_writer_queue(d->writer, &w->op, w, write_prepare);
        return;
    }
    /* ServerInfo's answer is a few bytes and must not wait behind big ones;
     * a stream's open checks its request only. */
    if (m->streaming || w->svc == &rj_svc_server_info) {
        rj_pool_queue(d->pool, &w->job, work_cb, after_work_cb);
        return;
    }
    w->reserve = answer_reserve(w);
    /* Answered here, without the trip to a pool thread and back, when it
     * is as small as it usually is; otherwise like any other read. */
    if (w->svc->light && read_on_loop(w))
        return;
    if (!d->waiting && admit_fits(d, w))
        admit_start(d, w);
    else
        admit_wait(d, w);
}

static void health_cb(rj_call *call, const ProtobufCMessage *request)
{
    rj_daemon *d = rj_call_server_data(call);
    const Grpc__Health__V1__HealthCheckRequest *req =
        (const Grpc__Health__V1__HealthCheckRequest *)request;
    if (req->service[0] && strcmp(req->service, "renja.v1.Renja") != 0) {
        rj_call_fail(call, RJ_GRPC_NOT_FOUND,
                     "unknown service; expected \"\" or \"renja.v1.Renja\"");
        return;
    }
    Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    resp.status = d->draining ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING
                              : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    rj_call_reply(call, &resp.base);
}

/* Health Watch: the status now, then again whenever it changes (SERVING
 * until a drain starts, then NOT_SERVING); ends with the drain. */
typedef struct hwatch {
    struct hwatch *next;
    rj_daemon *d;
    rj_call *call;
    bool known; /* the service asked for is ours */
} hwatch;

static int health_status(const rj_daemon *d, bool known)
{
    if (!known)
        return GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN;
    return d->draining ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING
                       : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
}

static void hwatch_send(hwatch *h)
{
    Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    resp.status = health_status(h->d, h->known);
    rj_call_send(h->call, &resp.base);
}

static void hwatch_end(hwatch *h, int status, const char *msg)
{
    for (hwatch **p = &h->d->hwatchers; *p; p = &(*p)->next)
        if (*p == h) {
            *p = h->next;
            break;
        }
    rj_call_finish(h->call, status, msg);
    free(h);
}

static void hwatch_cancel_cb(rj_call *call, void *arg)
{
    hwatch_end(arg, RJ_GRPC_CANCELLED, "cancelled");
}

static void health_watch_cb(rj_call *call, const ProtobufCMessage *request)
{
    rj_daemon *d = rj_call_server_data(call);
    const Grpc__Health__V1__HealthCheckRequest *req =
        (const Grpc__Health__V1__HealthCheckRequest *)request;
    hwatch *h = rj_calloc(1, sizeof(*h));
    h->d = d;
    h->call = call;
    /* The health spec: an unknown service is SERVICE_UNKNOWN on the stream
     * (it may become known later), not an error. */
    h->known = !req->service[0] || strcmp(req->service, "renja.v1.Renja") == 0;
    h->next = d->hwatchers;
    d->hwatchers = h;
    rj_call_on_cancel(call, hwatch_cancel_cb, h);
    hwatch_send(h);
}

/* Server reflection (grpc.reflection.v1 and v1alpha ServerReflectionInfo):
 * one bidirectional stream, each request answered at once from the
 * embedded descriptors, until the client half-closes. It needs no token,
 * like Health: it tells the API's shape, which proto/ publishes anyway, and
 * nothing of the data. Streams end with the drain. */
typedef struct rstream {
    struct rstream *next, **pprev;
    rj_call *call;
} rstream;

static void rstream_end(rstream *r, int status, const char *msg)
{
    *r->pprev = r->next;
    if (r->next)
        r->next->pprev = r->pprev;
    rj_call_finish(r->call, status, msg);
    free(r);
}

static void rstream_cancel_cb(rj_call *call, void *arg)
{
    rstream_end(arg, RJ_GRPC_CANCELLED, "cancelled");
}

static void reflect_cb(rj_call *call, const ProtobufCMessage *request)
{
    rj_daemon *d = rj_call_server_data(call);
    rstream *r = rj_call_user(call);
    if (!r) {
        r = rj_calloc(1, sizeof(*r));
        r->call = call;
        r->next = d->rstreams;
        if (d->rstreams)
            d->rstreams->pprev = &r->next;
        r->pprev = &d->rstreams;
        d->rstreams = r;
        rj_call_set_user(call, r);
        rj_call_on_cancel(call, rstream_cancel_cb, r);
        if (d->draining) {
            rstream_end(r, RJ_GRPC_UNAVAILABLE, "server shutting down");
            return;
        }
    }
    if (!request) { /* the client half-closed */
        rstream_end(r, 0, NULL);
        return;
    }
    /* v1alpha has the v1 messages under another name: the same bytes. */
    const Grpc__Reflection__V1__ServerReflectionRequest *req =
        (const Grpc__Reflection__V1__ServerReflectionRequest *)request;
    ProtobufCMessage *v1 = NULL;
    if (request->descriptor != &grpc__reflection__v1__server_reflection_request__descriptor) {
        size_t len = protobuf_c_message_get_packed_size(request);
        uint8_t *buf = rj_malloc(len ? len : 1);
        protobuf_c_message_pack(request, buf);
        v1 = protobuf_c_message_unpack(&grpc__reflection__v1__server_reflection_request__descriptor,
                                       NULL, len, buf);
        free(buf);
        if (!v1) {
            rstream_end(r, RJ_GRPC_INTERNAL, "cannot read the v1alpha request as v1");
            return;
        }
        req = (const Grpc__Reflection__V1__ServerReflectionRequest *)v1;
    }
    rj_buf framed = {0};
    int rc = rj_reflect_answer(d->reflect, req, &framed);
    if (v1)
        protobuf_c_message_free_unpacked(v1, NULL);
    if (rc != 0) {
        rj_buf_free(&framed);
        rstream_end(r, RJ_GRPC_RESOURCE_EXHAUSTED, "reflection answer too large");
        return;
    }
    /* The transport holds at most one answer beyond 64 KiB per stream; the
     * daemon's total still bounds them all. */
    size_t held = rj_grpc_server_held(d->grpc);
    if (held + framed.len > d->answer_total_max) {
        char msg[200];
        snprintf(msg, sizeof(msg),
                 "renjad holds %zu bytes of answers, its limit (--max-answer-memory); try again",
                 held);
        rj_buf_free(&framed);
        rstream_end(r, RJ_GRPC_RESOURCE_EXHAUSTED, msg);
        return;
    }
    rj_call_send_framed(call, &framed);
}

/* The dispatch table: Health and reflection (other services, each its own
 * handler), then one row per method of rj_methods.def, in its order. */
static const rj_grpc_method methods[] = {
    {
        .path = "/grpc.health.v1.Health/Check",
        .request = &grpc__health__v1__health_check_request__descriptor,
        .response = &grpc__health__v1__health_check_response__descriptor,
        .handler = health_cb,
    },
    {
        .path = "/grpc.health.v1.Health/Watch",
        .request = &grpc__health__v1__health_check_request__descriptor,
        .response = &grpc__health__v1__health_check_response__descriptor,
        .handler = health_watch_cb,
        .streaming = RJ_GRPC_STREAM_OUT,
    },
    {
        .path = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        .request = &grpc__reflection__v1__server_reflection_request__descriptor,
        .response = &grpc__reflection__v1__server_reflection_response__descriptor,
        .handler = reflect_cb,
        .streaming = RJ_GRPC_STREAM_IN | RJ_GRPC_STREAM_OUT,
    },
    {
        .path = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        .request = &grpc__reflection__v1alpha__server_reflection_request__descriptor,
        .response = &grpc__reflection__v1alpha__server_reflection_response__descriptor,
        .handler = reflect_cb,
        .streaming = RJ_GRPC_STREAM_IN | RJ_GRPC_STREAM_OUT,
    },
#define RJ_METHOD(name, service, req, resp, role, access, kind, txt)                               \
    {                                                                                              \
        .path = RJ_SERVICE_PREFIX #name,                                                           \
        .request = &renja__v1__##req##__descriptor,                                                \
        .response = &renja__v1__##resp##__descriptor,                                              \
        .handler = dispatch_cb,                                                                    \
        .streaming = RJ_METHOD_KIND_##kind ? RJ_GRPC_STREAM_OUT : 0,                               \
        .write = RJ_METHOD_ACCESS_##access,                                                        \
        .min_role = RJ_METHOD_ROLE_##role,                                                         \
        .svc = &rj_svc_##service,                                                                  \
        .text = txt,                                                                               \
    },
#include "rj_methods.def"
#undef RJ_METHOD
};

void rj_daemon_methods(FILE *out)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        const rj_grpc_method *m = &methods[i];
        const char *kind = m->streaming == (RJ_GRPC_STREAM_IN | RJ_GRPC_STREAM_OUT) ? "bidi"
                           : m->streaming == RJ_GRPC_STREAM_IN ? "client-stream"
                           : m->streaming                      ? "stream"
                                                               : "unary";
        fprintf(out, "%s\t%s\t%s\t%s\n", m->path, m->min_role ? rj_role_name(m->min_role) : "none",
                kind, m->write ? "write" : "read");
    }
}

/* --- lifecycle ---------------------------------------------------------------- */

static void drained_cb(void *arg)
{
    rj_daemon *d = arg;
    rj_log(RJ_LOG_INFO, "drained; stopping");
    rj_watch_stop(d->watch);
    uv_stop(d->loop);
}

/* SIGTERM, SIGINT and SIGQUIT: drain and exit 0. */
static void signal_cb(uv_signal_t *h, int signum)
{
    rj_daemon *d = h->data;
    if (d->draining)
        return;
    d->draining = true;
    rj_log(RJ_LOG_INFO, "SIG%s: NOT_SERVING, draining for up to %llu ms", sigabbrev_np(signum),
           (unsigned long long)d->drain_ms);
    rj_sd_notify("STOPPING=1");
    /* Health watchers learn NOT_SERVING, then end with the other streams. */
    for (hwatch *hw = d->hwatchers, *next; hw; hw = next) {
        next = hw->next;
        hwatch_send(hw);
        hwatch_end(hw, RJ_GRPC_UNAVAILABLE, "server shutting down");
    }
    while (d->rstreams)
        rstream_end(d->rstreams, RJ_GRPC_UNAVAILABLE, "server shutting down");
    admit_run(d);             /* waiting reads end now: UNAVAILABLE */
    rj_watch_drain(d->watch); /* streams never end by themselves */
    rj_grpc_server_drain(d->grpc, d->drain_ms, drained_cb, d);
}

/* TLS: a context from the certificate and key files, given to the server
 * for the connections it accepts from now on. */
static int tls_load(rj_daemon *d, bool reload)
{
    rj_tls_ctx *ctx;
    char about[512];
    rj_diag diag = {{0}};
    if (rj_tls_ctx_new(d->tls_cert, d->tls_key, &ctx, about, sizeof(about), &diag) != 0) {
        rj_log(RJ_LOG_ERROR, "%s: %s", reload ? "SIGHUP" : "cannot start", diag.msg);
        return -1;
    }
    rj_grpc_server_set_tls(d->grpc, ctx);
    rj_log(strstr(about, "EXPIRED") ? RJ_LOG_WARN : RJ_LOG_INFO, "%s certificate %s (%s), key %s%s",
           reload ? "SIGHUP: reloaded TLS" : "TCP listeners serve TLS:", d->tls_cert, about,
           d->tls_key, reload ? "; new connections get it, open ones keep theirs" : "");
    return 0;
}

/* What SIGHUP re-reads: the TLS certificate and key (the daemon has no
 * configuration file, and its other flags are fixed for its lifetime).
 * New connections get the new certificate, open ones keep theirs; one that
 * does not load leaves the old in use. The daemon never stops on SIGHUP. */
static void sighup_cb(uv_signal_t *h, int signum)
{
    rj_daemon *d = h->data;
    if (d->draining)
        return;
    rj_sd_notify("RELOADING=1");
    if (!d->tls_cert)
        rj_log(RJ_LOG_INFO, "SIGHUP: nothing to reload (no TLS); serving on");
    else if (tls_load(d, true) != 0)
        rj_log(RJ_LOG_WARN,
               "SIGHUP: reload failed; new connections keep the certificate loaded before; "
               "serving on");
    rj_sd_notify("READY=1");
}

/* Loopback: 127.0.0.0/8, ::1 (and ::ffff:127.0.0.0/104). */
static bool sockaddr_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a))
            return true;
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return false;
}

/* A plaintext TCP listener on ADDR (HOST:PORT, or a socket from systemd
 * when fd >= 0) must be on loopback, or allowed by --insecure-listen (and
 * then warned about). 0, or -1 having said why. */
static int plaintext_check(const rj_daemon_config *cfg, const char *addr, int fd)
{
    bool loopback = true;
    if (fd >= 0) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
            (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
            return 0; /* a Unix socket (or not a socket: listen_fd says so) */
        loopback = sockaddr_loopback((struct sockaddr *)&ss);
    } else {
        rj_addr a;
        rj_diag diag = {{0}};
        if (rj_addr_parse(addr, &a, &diag) != 0 || a.is_unix)
            return 0; /* listen says what is wrong with it */
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
        if (getaddrinfo(a.host, "1", &hints, &res) != 0)
            return 0;
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
            if (!sockaddr_loopback(ai->ai_addr))
                loopback = false;
        freeaddrinfo(res);
    }
    if (loopback)
        return 0;
    if (!cfg->insecure_listen) {
        rj_log(RJ_LOG_ERROR,
               "refusing plaintext TCP on %s, which is not a loopback address: tokens and data "
               "would cross the network in clear; serve TLS with --tls-cert FILE --tls-key FILE, "
               "or accept plaintext with --insecure-listen",
               addr);
        return -1;
    }
    rj_log(RJ_LOG_WARN,
           "plaintext TCP on %s (--insecure-listen): tokens and data cross the network in clear; "
           "serve TLS with --tls-cert and --tls-key",
           addr);
    return 0;
}

/* SIGUSR1 logs one line of figures; SIGUSR2 is taken and ignored (said in
 * the log), so that neither kills the daemon without a drain. */
static void sigusr_cb(uv_signal_t *h, int signum)
{
    rj_daemon *d = h->data;
    if (signum == SIGUSR1)
        rj_log(RJ_LOG_INFO,
               "SIGUSR1: uptime %lld s, %zu connection(s), %zu watcher(s), request limit %llu "
               "bytes, %zu bytes of answers held, %zu read(s) waiting for room, longest loop "
               "turn %llu us of CPU, %llu us of wall time%s",
               (long long)((wall_ms() - d->started_ms) / 1000), rj_grpc_server_connections(d->grpc),
               rj_watch_count(d->watch), (unsigned long long)d->max_message,
               rj_grpc_server_held(d->grpc), d->n_waiting,
               (unsigned long long)(d->turn_cpu_max / 1000),
               (unsigned long long)(d->turn_wall_max / 1000), d->draining ? ", draining" : "");
    else
        rj_log(RJ_LOG_INFO, "SIG%s: ignored", sigabbrev_np(signum));
}

static void ignore_soft_signals(void)
{
    signal(SIGHUP, SIG_IGN);
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, SIG_IGN);
}

static void reader_timer_cb(uv_timer_t *t)
{
    rj_daemon *d = t->data;
    int dead = 0;
    if (rj_store_reader_check(d->store, &dead) == 0 && dead > 0)
        rj_log(RJ_LOG_WARN, "cleared %d stale reader slot(s)", dead);
}

/* The loop thread's CPU time per turn of the loop: how long a request
 * (Health) can wait behind the loop's own work. Taken at every prepare (once
 * per turn); waiting in poll costs no CPU time, so this is work alone, not
 * the time the system let other threads run. */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void turn_prepare_cb(uv_prepare_t *h)
{
    rj_daemon *d = h->data;
    uint64_t now = thread_cpu_ns();
    if (d->turn_cpu_at && now - d->turn_cpu_at > d->turn_cpu_max)
        d->turn_cpu_max = now - d->turn_cpu_at;
    d->turn_cpu_at = now;
    /* The same at the wall clock, less the time poll waited for events:
     * the CPU time plus whatever held the loop thread off its core, other
     * threads run in its place or a lock it waited for. */
    uint64_t wall = uv_hrtime(), idle = uv_metrics_idle_time(d->loop);
    if (d->turn_wall_at && wall - d->turn_wall_at - (idle - d->turn_idle_at) > d->turn_wall_max)
        d->turn_wall_max = wall - d->turn_wall_at - (idle - d->turn_idle_at);
    d->turn_wall_at = wall;
    d->turn_idle_at = idle;
}

static void grpc_log_cb(void *ud, const char *line)
{
    rj_log(RJ_LOG_INFO, "%s", line);
}

static void close_walk_cb(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

int rj_daemon_run(const rj_daemon_config *cfg)
{
    rj_daemon d = {0};
    d.loop = uv_default_loop();
    uv_loop_configure(d.loop, UV_METRICS_IDLE_TIME);
    d.started_ms = wall_ms();
    d.drain_ms = cfg->drain_ms;
    d.answer_conn_max = cfg->answer_conn_max ? cfg->answer_conn_max : 32u << 20;
    d.answer_total_max = cfg->answer_total_max ? cfg->answer_total_max : 256u << 20;
    d.waiting_tail = &d.waiting;
    signal(SIGPIPE, SIG_IGN);
    /* Until the loop's handlers are installed (and again once they are
     * closed), signals that only ask for a reload or figures are ignored
     * rather than fatal. */
    ignore_soft_signals();

    /* A mistyped --data-dir must not become a new, empty store. */
    if (!rj_store_exists(cfg->data_dir)) {
        rj_log(RJ_LOG_ERROR, "no store in %s; create one with: renjad init --data-dir %s",
               cfg->data_dir, cfg->data_dir);
        return 1;
    }
    rj_diag diag = {{0}};
    if (rj_reflect_new(methods, sizeof(methods) / sizeof(methods[0]), &d.reflect, &diag) != 0) {
        rj_log(RJ_LOG_ERROR, "server reflection: %s", diag.msg);
        return 1;
    }
    int lock_fd;
    int rc = rj_dirlock_take(cfg->data_dir, "renjad", &lock_fd, &diag);
    if (rc) {
        rj_log(RJ_LOG_ERROR, "%s", diag.msg);
        rj_reflect_free(d.reflect);
        return 1;
    }
    rc = rj_store_open_ex(cfg->data_dir, RJ_STORE_LOG | RJ_STORE_OWNER, &d.store, &diag);
    if (rc) {
        rj_log(RJ_LOG_ERROR, "cannot open store in %s: %s", cfg->data_dir,
               diag.msg[0] ? diag.msg : rj_strerror(rc));
        rj_dirlock_release(lock_fd);
        rj_reflect_free(d.reflect);
        return 1;
    }
    if (rj_store_recovered(d.store))
        rj_log(RJ_LOG_INFO,
               "recovered from a crash: %llu write(s) replayed from the write-ahead log",
               (unsigned long long)rj_store_recovered(d.store));
    rj_log(RJ_LOG_INFO, "%s",
           rj_store_log_direct(d.store)
               ? "write-ahead log: records written with O_DIRECT and O_DSYNC (durable on return)"
               : "write-ahead log: records written, then flushed with fdatasync (the file system "
                 "takes no O_DIRECT, or RENJA_WAL_DIRECT=0)");
    long up_from;
    const char *up_what;
    uint64_t up = rj_store_upgraded(d.store, &up_from, &up_what);
    if (up)
        rj_log(RJ_LOG_INFO,
               "store upgraded from schema %ld to %d: %s computed for %llu plan(s), diffs read "
               "them from their current head on",
               up_from, RJ_SCHEMA_VERSION, up_what, (unsigned long long)up);
    size_t n_tokens = 0;
    if (rj_store_token_count(d.store, &n_tokens, NULL) == 0 && n_tokens == 0)
        rj_log(RJ_LOG_WARN,
               "the store in %s has no token: nobody can call; add one with: renjad "
               "token add --data-dir %s --name NAME --role admin",
               cfg->data_dir, cfg->data_dir);
    if (rj_pool_start(d.loop, POOL_THREADS, POOL_NICER, &d.pool) != 0) {
        rj_log(RJ_LOG_ERROR, "cannot start the pool threads");
        rj_store_close(d.store);
        rj_dirlock_release(lock_fd);
        rj_reflect_free(d.reflect);
        return 1;
    }
    if (rj_writer_start(d.loop, d.store, writer_done_cb, &d, &d.writer) != 0) {
        rj_log(RJ_LOG_ERROR, "cannot start the writer thread");
        rj_pool_stop(d.pool);
        uv_run(d.loop, UV_RUN_NOWAIT);
        rj_store_close(d.store);
        rj_dirlock_release(lock_fd);
        rj_reflect_free(d.reflect);
        return 1;
    }
    d.watch = rj_watch_new(d.loop, d.pool, d.store);

    rj_grpc_config gcfg = cfg->grpc;
    if (!gcfg.max_message)
        gcfg.max_message = RJ_WIRE_DEFAULT_MAX;
    d.max_message = gcfg.max_message;
    /* One answer always fits (up to the message limit). */
    if (d.answer_conn_max < d.max_message + (64u << 10))
        d.answer_conn_max = d.max_message + (64u << 10);
    if (d.answer_total_max < d.answer_conn_max)
        d.answer_total_max = d.answer_conn_max;
    gcfg.log = grpc_log_cb;
    gcfg.pool = d.pool;
    rj_grpc_server_new(d.loop, &gcfg, methods, sizeof(methods) / sizeof(methods[0]), &d, &d.grpc);
    d.tls_cert = cfg->tls_cert;
    d.tls_key = cfg->tls_key;
    if (d.tls_cert && tls_load(&d, false) != 0) {
        d.exit_code = 1;
        goto out;
    }

    int listening = 0;
    int fds[RJ_SD_MAX_FDS];
    int n_fds = rj_sd_listen_fds(fds, RJ_SD_MAX_FDS);
    char default_unix[4096];
    const char *defaults[2] = {default_unix, RJ_DAEMON_DEFAULT_TCP};
    const char *const *addrs = cfg->listen;
    size_t n_addrs = cfg->n_listen;
    if (n_addrs == 0 && n_fds == 0) {
        snprintf(default_unix, sizeof(default_unix), "unix:%s/%s", cfg->data_dir,
                 RJ_DAEMON_SOCKET_NAME);
        if (default_unix[5] != '/') {
            char cwd[2048];
            if (getcwd(cwd, sizeof(cwd)))
                snprintf(default_unix, sizeof(default_unix), "unix:%s/%s/%s", cwd, cfg->data_dir,
                         RJ_DAEMON_SOCKET_NAME);
        }
        addrs = defaults;
        n_addrs = 2;
    }
    /* Plaintext beyond loopback only when asked for: before binding any. */
    for (int i = 0; !d.tls_cert && i < n_fds; i++) {
        char what[64];
        snprintf(what, sizeof(what), "the socket from systemd (fd %d)", fds[i]);
        if (plaintext_check(cfg, what, fds[i]) != 0) {
            d.exit_code = 1;
            goto out;
        }
    }
    for (size_t i = 0; !d.tls_cert && i < n_addrs; i++)
        if (plaintext_check(cfg, addrs[i], -1) != 0) {
            d.exit_code = 1;
            goto out;
        }
    for (int i = 0; i < n_fds; i++) {
        if (rj_grpc_server_listen_fd(d.grpc, fds[i], &diag) != 0) {
            rj_log(RJ_LOG_ERROR, "socket from systemd (fd %d): %s", fds[i], diag.msg);
            d.exit_code = 1;
            goto out;
        }
        rj_log(RJ_LOG_INFO, "listening on fd %d from systemd%s", fds[i],
               d.tls_cert ? " (TLS on TCP)" : "");
        listening++;
    }
    for (size_t i = 0; i < n_addrs; i++) {
        char bound[256];
        if (rj_grpc_server_listen(d.grpc, addrs[i], bound, sizeof(bound), &diag) != 0) {
            rj_log(RJ_LOG_ERROR, "cannot listen on %s: %s", addrs[i], diag.msg);
            d.exit_code = 1;
            goto out;
        }
        rj_log(RJ_LOG_INFO, "listening on %s%s", bound,
               d.tls_cert && strncmp(bound, "unix:", 5) != 0 ? " (TLS)" : "");
        listening++;
    }

    /* Every signal that would end the process by default and that someone
     * may send on purpose is handled: a drain, a reload or a log line
     * (README, "Signals"). */
    struct {
        uv_signal_t *h;
        uv_signal_cb cb;
        int signum;
    } sigs[] = {
        {&d.sigterm, signal_cb, SIGTERM}, {&d.sigint, signal_cb, SIGINT},
        {&d.sigquit, signal_cb, SIGQUIT}, {&d.sighup, sighup_cb, SIGHUP},
        {&d.sigusr1, sigusr_cb, SIGUSR1}, {&d.sigusr2, sigusr_cb, SIGUSR2},
    };
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        uv_signal_init(d.loop, sigs[i].h);
        sigs[i].h->data = &d;
        uv_signal_start(sigs[i].h, sigs[i].cb, sigs[i].signum);
    }
    uv_timer_init(d.loop, &d.reader_timer);
    d.reader_timer.data = &d;
    uv_timer_start(&d.reader_timer, reader_timer_cb, 60000, 60000);
    uv_unref((uv_handle_t *)&d.reader_timer);
    uv_timer_init(d.loop, &d.admit_timer);
    d.admit_timer.data = &d;
    uv_unref((uv_handle_t *)&d.admit_timer);
    uv_prepare_init(d.loop, &d.turn_prepare);
    d.turn_prepare.data = &d;
    uv_prepare_start(&d.turn_prepare, turn_prepare_cb);
    uv_unref((uv_handle_t *)&d.turn_prepare);

    uv_timer_init(d.loop, &d.trim_timer);
    d.trim_timer.data = &d;
    uv_timer_start(&d.trim_timer, trim_timer_cb, TRIM_MS, TRIM_MS);
    uv_unref((uv_handle_t *)&d.trim_timer);

    rj_log(RJ_LOG_INFO, "serving %d listener(s), version %s, data dir %s", listening, RENJA_VERSION,
           cfg->data_dir);
    rj_sd_notify("READY=1");
    uv_run(d.loop, UV_RUN_DEFAULT);

out:
    if (!d.draining)
        rj_grpc_server_drain(d.grpc, 0, drained_cb, &d), uv_run(d.loop, UV_RUN_DEFAULT);
    rj_writer_stop(d.writer);
    uv_run(d.loop, UV_RUN_NOWAIT);
    rj_grpc_server_free(d.grpc);
    rj_pool_stop(d.pool); /* after the server, which frees big answers on it */
    uv_walk(d.loop, close_walk_cb, NULL);
    uv_run(d.loop, UV_RUN_DEFAULT);
    ignore_soft_signals();
    uv_loop_close(d.loop);
    rj_watch_free(d.watch);
    rj_store_close(d.store);
    rj_reflect_free(d.reflect);
    rj_dirlock_release(lock_fd);
    rj_log(RJ_LOG_INFO,
           "stopped; the longest turn of the loop took %llu us of its CPU, %llu us of wall time",
           (unsigned long long)(d.turn_cpu_max / 1000),
           (unsigned long long)(d.turn_wall_max / 1000));
    return d.exit_code;
}
