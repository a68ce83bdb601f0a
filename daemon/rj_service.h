/* The service functions behind the dispatch table, one file per area
 * (svc_plan.c, svc_submit.c, svc_read.c, svc_query.c, svc_token.c,
 * svc_watch.c).
 *
 * Read functions run on a libuv pool thread with their own read snapshot.
 * Write functions are split: prepare (on the writer thread, after the
 * caller's token is checked there, just before the op's batch is applied)
 * turns the request into an rj_op; finish (loop thread) turns the applied op
 * into the response.
 * Stream functions (server streaming, Watch) are split too: open (pool
 * thread, a read snapshot, like a read) checks the request and makes the
 * stream's state; start (loop thread) takes the call over and answers it
 * from then on with rj_call_send and rj_call_finish. A stream opened but
 * not started (the call was cancelled meanwhile) is given to drop.
 *
 * Responses are allocated with malloc, and freed with
 * protobuf_c_message_free_unpacked(resp, NULL), except a read's answer
 * built in an arena (Evaluate's: a row per indikator, ten strings each):
 * the read then sets ctx->answer to that arena, and freeing the arena frees
 * the answer. rj_svc_answer_free does whichever is right. */
#ifndef RJ_SERVICE_H
#define RJ_SERVICE_H

#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_grpc.h"
#include "rj_methods.h"
#include "rj_query.h"
#include "rj_store.h"

typedef struct rj_watch rj_watch;

typedef struct rj_ctx {
    rj_store *store;
    const Renja__V1__Identity *who; /* the authenticated caller */
    int64_t now_ms;
    int64_t started_ms;
    uint64_t max_message; /* renjad --max-message, for ServerInfo */
    rj_watch *watch;      /* Watch's state (svc_watch.c); its start uses it */
    rj_arena *answer;     /* set by a read whose answer lives in it, else NULL */
} rj_ctx;

typedef int (*rj_read_fn)(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                          ProtobufCMessage **resp, rj_diag *d);
typedef int (*rj_prepare_fn)(rj_ctx *ctx, const ProtobufCMessage *req, rj_op *op, rj_diag *d);
typedef int (*rj_finish_fn)(rj_ctx *ctx, rj_op *op, ProtobufCMessage **resp, rj_diag *d);
typedef int (*rj_open_fn)(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req, void **stream,
                          rj_diag *d);
typedef void (*rj_start_fn)(rj_ctx *ctx, rj_call *call, void *stream);
typedef void (*rj_drop_fn)(void *stream);

/* read for a READ UNARY method, prepare and finish for a WRITE one, open,
 * start and drop for a STREAM one (rj_methods.def). */
typedef struct rj_service {
    rj_read_fn read;
    /* A READ whose answer is usually a few values (Show of one kode): tried
     * on the loop thread first, handed to a pool thread when its reads pass
     * a budget of values (rj_snap_budget). */
    bool light;
    rj_prepare_fn prepare;
    rj_finish_fn finish;
    rj_open_fn open;
    rj_start_fn start;
    rj_drop_fn drop;
} rj_service;

/* rj_svc_<service> of every method in rj_methods.def. */
#define RJ_METHOD(name, svc, req, resp, role, access, kind, text)                                  \
    extern const rj_service rj_svc_##svc;
#include "rj_methods.def"
#undef RJ_METHOD

/* Watch's state, made once by the daemon (loop thread only). publish
 * gives each watcher of the plan a revision just committed; drain ends the
 * watchers (one catching up ends when its read is back), stop ends them all
 * at the end of the drain; free after the loop closed its handles. */
rj_watch *rj_watch_new(uv_loop_t *loop, struct rj_pool *pool, rj_store *store);
void rj_watch_publish(rj_watch *w, const char *plan, const Renja__V1__Revision *rev);
void rj_watch_drain(rj_watch *w);
void rj_watch_stop(rj_watch *w);
size_t rj_watch_count(const rj_watch *w);
void rj_watch_free(rj_watch *w);

/* The bytes one page of a paged answer holds at most (beside its header):
 * 1 MiB, or half the message limit when that is lower. */
size_t rj_svc_page_bytes(const rj_ctx *ctx);
/* Free a read's answer (NULL: none), and the arena it lives in if it does
 * (then ctx->answer is NULL again). */
void rj_svc_answer_free(rj_ctx *ctx, ProtobufCMessage *resp);
/* Duplicate a string into malloc'd memory for a response field. */
char *rj_svc_strdup(const char *s);
/* A deep copy of a message, for moving one into a response. */
ProtobufCMessage *rj_svc_msg_dup(const ProtobufCMessage *m);

#endif
