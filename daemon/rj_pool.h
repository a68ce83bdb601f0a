/* Work off the loop thread, and wake-ups of the loop thread from others,
 * without libuv's uv_async_t (nor uv_queue_work, which reports through one).
 *
 * Why not uv_async_t: uv_async_send marks the handle busy, writes the loop's
 * eventfd, then marks it sent. The loop thread, once woken, spins (pause,
 * then sched_yield, again) on every handle marked busy until its sender
 * marks it sent. A sender preempted between the two marks, which on a
 * loaded machine happens in its write(2) (the woken loop thread takes the
 * core), keeps the loop spinning for as long as it is not run: pool threads
 * run at low priority, so that was hundreds of milliseconds of loop CPU in
 * one turn, and Health as late. Here a sender writes an eventfd of its own
 * and holds nothing while it does; a sender preempted then delays only its
 * own wake-up, never the loop.
 *
 * All of it is the loop thread's unless said otherwise. */
#ifndef RJ_POOL_H
#define RJ_POOL_H

#include <stddef.h>
#include <uv.h>

/* --- wake-ups ------------------------------------------------------------ */

typedef struct rj_wake rj_wake;
typedef void (*rj_wake_fn)(void *arg);

/* fn(arg) runs on the loop thread after one or more rj_wake_send (sends
 * before it runs are folded into one call). RJ_EIO when no eventfd. */
int rj_wake_init(uv_loop_t *loop, rj_wake_fn fn, void *arg, rj_wake **out);
/* Any thread: have fn run soon. */
void rj_wake_send(rj_wake *w);
/* Stop watching and free once libuv has closed the handle; no send may
 * follow. */
void rj_wake_close(rj_wake *w);

/* --- a list handed between threads without a lock --------------------------- */

/* Any thread pushes; one thread at a time takes everything pushed so far.
 * Push is a compare-and-swap, take an exchange: neither waits for another
 * thread, so one preempted in the middle holds up no one (a lock held by a
 * pool thread at nice 19, preempted on a busy machine, held the loop for
 * tens of milliseconds). */
typedef struct rj_link {
    struct rj_link *next;
} rj_link;

typedef struct rj_mbox {
    rj_link *_Atomic top;
} rj_mbox;

void rj_mbox_push(rj_mbox *m, rj_link *x);
/* Everything pushed since the last take, oldest first; NULL when none. */
rj_link *rj_mbox_take(rj_mbox *m);

/* The struct of type that holds ptr as its member. */
#define RJ_CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* --- the pool ------------------------------------------------------------- */

typedef struct rj_job rj_job;
/* work runs on a pool thread, then done on the loop thread. */
typedef void (*rj_job_fn)(rj_job *job);

struct rj_job {
    rj_link link; /* the pool's */
    rj_job_fn work, done;
};

#define RJ_JOB_OF(job, type, member) RJ_CONTAINER(job, type, member)

typedef struct rj_pool rj_pool;

/* A pool of `threads` threads, each `nicer` nice levels below the thread
 * that starts it (at most nice 19). Jobs are taken in the order queued. */
int rj_pool_start(uv_loop_t *loop, unsigned threads, int nicer, rj_pool **out);
/* Queue job (owned by the caller until done has run). Never waits for a
 * pool thread. */
void rj_pool_queue(rj_pool *p, rj_job *job, rj_job_fn work, rj_job_fn done);
/* Every job queued runs; then the threads end, the done callbacks run and
 * the pool is freed. Jobs those callbacks queue run on the calling thread,
 * work then done, before it returns. */
void rj_pool_stop(rj_pool *p);

#endif
