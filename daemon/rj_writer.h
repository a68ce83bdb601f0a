/* The writer thread: the only thread that writes to the store.
 *
 * Callers on any thread queue ops; the thread takes every op pending, applies
 * them with one rj_store_apply() (one LMDB transaction, one sync: group
 * commit), then hands each op back on the loop thread through done_cb. An op
 * reported to done_cb with op->err == 0 is durable.
 *
 * An op may come with a prepare function, run on the writer thread just
 * before its batch is applied (where the write is queued: no hop through
 * another thread to authenticate or validate it first). When prepare
 * returns non-zero the op is not applied and goes straight to done_cb; the
 * reason is the caller's to keep in ctx.
 *
 * Ownership: the op and its ctx stay the caller's; they must stay valid until
 * done_cb has been called for them. */
#ifndef RJ_WRITER_H
#define RJ_WRITER_H

#include <uv.h>

#include "rj_store.h"

typedef struct rj_writer rj_writer;
typedef void (*rj_writer_done_fn)(rj_op *op, void *ctx, void *arg);
typedef int (*rj_writer_prepare_fn)(void *ctx);

int rj_writer_start(uv_loop_t *loop, rj_store *store, rj_writer_done_fn done_cb, void *arg,
                    rj_writer **out);
/* Thread-safe. prepare may be NULL. */
void rj_writer_queue(rj_writer *w, rj_op *op, void *ctx, rj_writer_prepare_fn prepare);
/* Loop thread: apply what is queued, report it, join the thread, free. */
void rj_writer_stop(rj_writer *w);

#endif
