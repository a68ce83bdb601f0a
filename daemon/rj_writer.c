#include "rj_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rj_alloc.h"
#include "rj_log.h"
#include "rj_pool.h"

typedef struct node {
    struct node *next;
    rj_op *op;
    void *ctx;
    rj_writer_prepare_fn prepare;
} node;

struct rj_writer {
    uv_loop_t *loop;
    rj_store *store;
    rj_writer_done_fn done_cb;
    void *arg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    node *pending, *pending_tail; /* queued, not yet applied */
    node *done, *done_tail;       /* applied, not yet reported */
    bool stopping;
    /* The flusher: a flush of the data file ahead of each checkpoint (see
     * rj_store_preflush), so the checkpoint holds up writes only for what
     * was written since. Both under mu. */
    pthread_t flusher;
    pthread_cond_t flush_cv;
    bool flush_asked; /* asked, not yet done */
    bool flush_ready; /* done since the last checkpoint */
    bool disk_full;   /* said once in the log, until a write succeeds again */
    rj_wake *wake;    /* the loop reports what is done */
};

static void append(node **head, node **tail, node *list, node *list_tail)
{
    if (!list)
        return;
    if (*tail)
        (*tail)->next = list;
    else
        *head = list;
    *tail = list_tail;
}

/* The writer checkpoints the store's write-ahead log when the store says
 * one is due, and after this long with nothing to write. A checkpoint costs
 * a flush of the data file and one of the log. */
#define IDLE_CHECKPOINT_MS 100

/* Writer thread, holding nothing. */
static void checkpoint(rj_writer *w)
{
    rj_diag d;
    rj_diag_clear(&d);
    if (rj_store_checkpoint(w->store, &d) != 0)
        rj_log(RJ_LOG_ERROR, "checkpoint: %s", d.msg);
    pthread_mutex_lock(&w->mu);
    w->flush_ready = false;
    pthread_mutex_unlock(&w->mu);
}

/* Writer thread, holding nothing, after a batch: half-way to a checkpoint
 * the flusher starts writing the data file out while batches go on; the
 * checkpoint is made once it is due and that is done. */
static void checkpoint_if_due(rj_writer *w)
{
    if (!rj_store_checkpoint_near(w->store))
        return;
    bool due = rj_store_checkpoint_due(w->store);
    pthread_mutex_lock(&w->mu);
    bool ready = w->flush_ready;
    if (!ready && !w->flush_asked) {
        w->flush_asked = true;
        pthread_cond_signal(&w->flush_cv);
    }
    pthread_mutex_unlock(&w->mu);
    if (ready && due)
        checkpoint(w);
}

static void *flusher_main(void *p)
{
    rj_writer *w = p;
    pthread_setname_np(pthread_self(), "renjad-flush");
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->flush_asked && !w->stopping)
            pthread_cond_wait(&w->flush_cv, &w->mu);
        if (w->stopping)
            break;
        pthread_mutex_unlock(&w->mu);
        int e = rj_store_preflush(w->store);
        if (e)
            rj_log(RJ_LOG_ERROR, "flushing the data file: %s (the next checkpoint fails)",
                   strerror(e));
        pthread_mutex_lock(&w->mu);
        w->flush_asked = false;
        w->flush_ready = true;
        pthread_cond_signal(&w->cv); /* an idle writer checkpoints now */
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void *writer_main(void *p)
{
    rj_writer *w = p;
    size_t cap = 0;
    rj_op **ops = NULL;
    pthread_setname_np(pthread_self(), "renjad-writer");
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->pending && !w->stopping) {
            if (!rj_store_log_records(w->store)) {
                pthread_cond_wait(&w->cv, &w->mu);
                continue;
            }
            /* Records in the log and nothing to do: once the writer has
             * been idle for a while the flusher writes the data file out,
             * and then the checkpoint is made (a write that comes in the
             * meantime waits only for the checkpoint's short flush). */
            if (w->flush_ready) {
                pthread_mutex_unlock(&w->mu);
                checkpoint(w);
                pthread_mutex_lock(&w->mu);
                continue;
            }
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += IDLE_CHECKPOINT_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT && !w->pending &&
                !w->flush_asked) {
                w->flush_asked = true;
                pthread_cond_signal(&w->flush_cv);
            }
        }
        if (!w->pending && w->stopping)
            break;
        node *batch = w->pending, *batch_tail = w->pending_tail;
        w->pending = w->pending_tail = NULL;
        pthread_mutex_unlock(&w->mu);

        size_t n = 0;
        for (node *x = batch; x; x = x->next)
            n++;
        ops = rj_grow(ops, n, &cap, sizeof(*ops), 16);
        n = 0;
        for (node *x = batch; x; x = x->next)
            if (!x->prepare || x->prepare(x->ctx) == 0)
                ops[n++] = x->op;
        int rc = n ? rj_store_apply(w->store, ops, n) : 0;
        /* A full disk fails every batch until space is freed: one line for
         * it, not one per batch. */
        if (rc == RJ_ETOOBIG) {
            if (!w->disk_full)
                rj_log(RJ_LOG_ERROR, "%s (writes are refused until then)", ops[0]->diag.msg);
            w->disk_full = true;
        } else if (rc != 0) {
            rj_log(RJ_LOG_ERROR, "write batch of %zu failed: %s", n, rj_strerror(rc));
        } else if (w->disk_full && n > 0) {
            rj_log(RJ_LOG_INFO, "writes succeed again: the disk has room");
            w->disk_full = false;
        }

        checkpoint_if_due(w);

        pthread_mutex_lock(&w->mu);
        append(&w->done, &w->done_tail, batch, batch_tail);
        pthread_mutex_unlock(&w->mu);
        rj_wake_send(w->wake); /* holding nothing: see rj_pool.h */
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    free(ops);
    return NULL;
}

/* Loop thread: report every applied op. */
static void report_cb(void *arg)
{
    rj_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    node *list = w->done;
    w->done = w->done_tail = NULL;
    pthread_mutex_unlock(&w->mu);
    while (list) {
        node *next = list->next;
        w->done_cb(list->op, list->ctx, w->arg);
        free(list);
        list = next;
    }
}

int rj_writer_start(uv_loop_t *loop, rj_store *store, rj_writer_done_fn done_cb, void *arg,
                    rj_writer **out)
{
    rj_writer *w = rj_calloc(1, sizeof(*w));
    w->loop = loop;
    w->store = store;
    w->done_cb = done_cb;
    w->arg = arg;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_cond_init(&w->flush_cv, NULL);
    if (rj_wake_init(loop, report_cb, w, &w->wake) != 0) {
        free(w);
        return RJ_EIO;
    }
    if (pthread_create(&w->flusher, NULL, flusher_main, w) != 0) {
        rj_wake_close(w->wake);
        free(w);
        return RJ_EIO;
    }
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_mutex_lock(&w->mu);
        w->stopping = true;
        pthread_cond_signal(&w->flush_cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->flusher, NULL);
        rj_wake_close(w->wake);
        free(w);
        return RJ_EIO;
    }
    *out = w;
    return 0;
}

void rj_writer_queue(rj_writer *w, rj_op *op, void *ctx, rj_writer_prepare_fn prepare)
{
    node *x = rj_calloc(1, sizeof(*x));
    x->op = op;
    x->ctx = ctx;
    x->prepare = prepare;
    pthread_mutex_lock(&w->mu);
    append(&w->pending, &w->pending_tail, x, x);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void rj_writer_stop(rj_writer *w)
{
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->cv);
    pthread_cond_signal(&w->flush_cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_join(w->flusher, NULL);
    report_cb(w); /* report what the last batches applied */
    rj_wake_close(w->wake);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    pthread_cond_destroy(&w->flush_cv);
    free(w);
}
