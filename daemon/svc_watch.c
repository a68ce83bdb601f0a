/* Watch: a server stream of the revisions of one plan, from the plan's head
 * (or the revision asked for) on, until the client cancels or the daemon
 * drains. Its own service: the dispatcher authenticates the call and runs
 * open on a pool thread like any read; start then hands the call to the
 * watcher, which this file keeps (the list, the catch-up reads, the pace
 * timer) and feeds from rj_watch_publish after each submit. */
#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"
#include "rj_pool.h"
#include "rj_service.h"

/* A watcher whose client does not read would otherwise have every new
 * revision queued in memory for it without bound. Above WATCH_HIGH bytes
 * waiting for the peer it is paused; the pace timer resumes it from the
 * store once below WATCH_LOW. Catch-up reads at most WATCH_BATCH revisions
 * at a time, so a watcher far behind never loads the whole history. */
#define WATCH_HIGH (1u << 20)
#define WATCH_LOW (256u << 10)
#define WATCH_BATCH 256
#define WATCH_PACE_MS 50

typedef struct watcher watcher;

struct rj_watch {
    uv_loop_t *loop;
    rj_pool *pool;
    rj_store *store;
    watcher *watchers;
    uv_timer_t pace_timer; /* resumes paused watchers */
    bool pace_active;
    bool draining;
};

struct watcher {
    watcher *next;
    rj_watch *hub;
    rj_call *call;
    char *plan;
    uint64_t next_rev; /* the next revision to send */
    uint64_t seen_max; /* newest revision committed while catching up */
    bool catching_up;
    bool dead;
    bool paused; /* the peer is not reading: wait for the pace timer */
    /* catch-up results */
    rj_job job;
    uint64_t read_head; /* the plan's head when the catch-up read it */
    Renja__V1__Revision **revs;
    size_t n_revs;
    int err;
    rj_diag diag;
};

static void watch_catch_up(watcher *x);
static void pace_timer_cb(uv_timer_t *t);

static void watcher_free(watcher *x)
{
    free(x->plan);
    free(x);
}

static void watcher_end(watcher *x, int status, const char *msg)
{
    for (watcher **p = &x->hub->watchers; *p; p = &(*p)->next)
        if (*p == x) {
            *p = x->next;
            break;
        }
    if (x->call)
        rj_call_finish(x->call, status, msg);
    watcher_free(x);
}

/* Whether the watcher may send one more revision now; if not, it is paused
 * until the peer reads. */
static bool watcher_can_send(watcher *x)
{
    if (x->paused)
        return false;
    if (rj_call_pending(x->call) < WATCH_HIGH)
        return true;
    x->paused = true;
    if (!x->hub->pace_active) {
        x->hub->pace_active = true;
        uv_timer_start(&x->hub->pace_timer, pace_timer_cb, WATCH_PACE_MS, WATCH_PACE_MS);
    }
    return false;
}

static void watch_cancel_cb(rj_call *call, void *arg)
{
    watcher *x = arg;
    x->dead = true;
    if (!x->catching_up)
        watcher_end(x, RJ_GRPC_CANCELLED, "cancelled");
}

static void watch_read_cb(rj_job *job)
{
    watcher *x = RJ_JOB_OF(job, watcher, job);
    rj_snap *snap = NULL;
    x->err = rj_snap_begin(x->hub->store, &snap, &x->diag);
    if (x->err)
        return;
    Renja__V1__Plan *plan = NULL;
    x->err = rj_snap_plan(snap, x->plan, &plan, &x->diag);
    if (x->err == 0) {
        uint64_t head = plan->head;
        protobuf_c_message_free_unpacked(&plan->base, NULL);
        size_t cap = 0;
        x->read_head = head;
        for (uint64_t r = x->next_rev; r <= head && x->n_revs < WATCH_BATCH && x->err == 0; r++) {
            RJ_GROW(x->revs, x->n_revs + 1, cap, 16);
            x->err = rj_snap_revision(snap, x->plan, r, &x->revs[x->n_revs], &x->diag);
            if (x->err == 0)
                x->n_revs++;
        }
    }
    rj_snap_end(snap);
}

static void watch_after_read_cb(rj_job *job)
{
    watcher *x = RJ_JOB_OF(job, watcher, job);
    x->catching_up = false;
    if (x->read_head > x->seen_max)
        x->seen_max = x->read_head; /* what this batch left for the next */
    for (size_t i = 0; i < x->n_revs; i++) {
        if (!x->dead && x->revs[i]->rev == x->next_rev && watcher_can_send(x)) {
            if (rj_call_send(x->call, &x->revs[i]->base) == 0)
                x->next_rev++;
            else
                x->dead = true;
        }
        protobuf_c_message_free_unpacked(&x->revs[i]->base, NULL);
    }
    free(x->revs);
    x->revs = NULL;
    x->n_revs = 0;
    if (x->dead) {
        watcher_end(x, RJ_GRPC_CANCELLED, "cancelled");
    } else if (x->err) {
        watcher_end(x, rj_error_grpc_status(x->err), x->diag.msg);
    } else if (x->hub->draining) {
        watcher_end(x, RJ_GRPC_UNAVAILABLE, "server shutting down");
    } else if (x->seen_max >= x->next_rev && !x->paused) {
        watch_catch_up(x);
    }
}

static void pace_timer_cb(uv_timer_t *t)
{
    rj_watch *hub = t->data;
    bool any = false;
    for (watcher *x = hub->watchers, *next; x; x = next) {
        next = x->next;
        if (!x->paused || x->catching_up || x->dead)
            continue;
        if (rj_call_pending(x->call) >= WATCH_LOW) {
            any = true;
            continue;
        }
        x->paused = false;
        if (x->seen_max >= x->next_rev)
            watch_catch_up(x);
    }
    if (!any) {
        hub->pace_active = false;
        uv_timer_stop(t);
    }
}

static void watch_catch_up(watcher *x)
{
    x->catching_up = true;
    x->err = 0;
    rj_pool_queue(x->hub->pool, &x->job, watch_read_cb, watch_after_read_cb);
}

void rj_watch_publish(rj_watch *hub, const char *plan, const Renja__V1__Revision *rev)
{
    watcher *x = hub->watchers;
    while (x) {
        watcher *next = x->next;
        if (strcmp(x->plan, plan) == 0) {
            if (x->catching_up || x->paused) {
                if (rev->rev > x->seen_max)
                    x->seen_max = rev->rev;
            } else if (rev->rev == x->next_rev) {
                if (!watcher_can_send(x))
                    x->seen_max = rev->rev; /* read back from the store later */
                else if (rj_call_send(x->call, &rev->base) == 0)
                    x->next_rev++;
            } else if (rev->rev > x->next_rev) {
                x->seen_max = rev->rev;
                watch_catch_up(x);
            }
        }
        x = next;
    }
}

rj_watch *rj_watch_new(uv_loop_t *loop, rj_pool *pool, rj_store *store)
{
    rj_watch *hub = rj_calloc(1, sizeof(*hub));
    hub->loop = loop;
    hub->pool = pool;
    hub->store = store;
    uv_timer_init(loop, &hub->pace_timer);
    hub->pace_timer.data = hub;
    uv_unref((uv_handle_t *)&hub->pace_timer);
    return hub;
}

void rj_watch_drain(rj_watch *hub)
{
    hub->draining = true;
    /* Streams never end by themselves: end them so the drain can finish;
     * one catching up ends when its read is back. */
    for (watcher *x = hub->watchers, *next; x; x = next) {
        next = x->next;
        if (!x->catching_up)
            watcher_end(x, RJ_GRPC_UNAVAILABLE, "server shutting down");
    }
}

void rj_watch_stop(rj_watch *hub)
{
    hub->draining = true;
    /* A watcher whose catch-up is still on a pool thread is freed by that
     * work's completion (it sees dead), never here under its feet. */
    for (watcher *x = hub->watchers, *next; x; x = next) {
        next = x->next;
        if (x->catching_up)
            x->dead = true;
        else
            watcher_end(x, RJ_GRPC_UNAVAILABLE, "server shutting down");
    }
}

size_t rj_watch_count(const rj_watch *hub)
{
    size_t n = 0;
    for (const watcher *x = hub->watchers; x; x = x->next)
        n++;
    return n;
}

void rj_watch_free(rj_watch *hub)
{
    free(hub);
}

/* --- the service ------------------------------------------------------------ */

/* On a pool thread: the plan must exist, and a revision asked for be at
 * most one beyond its head (the next one). The watcher starts there. */
static int watch_open(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req, void **stream,
                      rj_diag *d)
{
    const Renja__V1__WatchRequest *q = (const Renja__V1__WatchRequest *)req;
    Renja__V1__Plan *plan = NULL;
    int rc = rj_snap_plan(snap, q->plan, &plan, d);
    if (rc)
        return rc;
    uint64_t head = plan->head;
    protobuf_c_message_free_unpacked(&plan->base, NULL);
    if (q->from > head + 1)
        return rj_diag_set(d, RJ_ENOTFOUND, "revision %llu is beyond the head of %s",
                           (unsigned long long)q->from, q->plan);
    watcher *x = rj_calloc(1, sizeof(*x));
    x->plan = rj_strdup(q->plan);
    x->next_rev = q->from ? q->from : head + 1;
    *stream = x;
    return 0;
}

/* On the loop thread: the watcher takes the call over. */
static void watch_start(rj_ctx *ctx, rj_call *call, void *stream)
{
    watcher *x = stream;
    x->hub = ctx->watch;
    x->call = call;
    x->next = x->hub->watchers;
    x->hub->watchers = x;
    rj_call_on_cancel(call, watch_cancel_cb, x);
    watch_catch_up(x);
}

static void watch_drop(void *stream)
{
    watcher_free(stream);
}

const rj_service rj_svc_watch = {.open = watch_open, .start = watch_start, .drop = watch_drop};
