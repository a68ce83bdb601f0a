#include "rj_pool.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rj_alloc.h"
#include "rj_error.h"

/* --- wake-ups ------------------------------------------------------------ */

struct rj_wake {
    uv_poll_t poll;
    int fd;
    rj_wake_fn fn;
    void *arg;
};

static void wake_cb(uv_poll_t *h, int status, int events)
{
    (void)status;
    (void)events;
    rj_wake *w = h->data;
    uint64_t n;
    /* Reading resets the counter: the sends so far are folded into this
     * call, and one after this read makes the next. */
    while (read(w->fd, &n, sizeof n) < 0 && errno == EINTR)
        ;
    w->fn(w->arg);
}

int rj_wake_init(uv_loop_t *loop, rj_wake_fn fn, void *arg, rj_wake **out)
{
    rj_wake *w = rj_calloc(1, sizeof(*w));
    w->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->fd < 0 || uv_poll_init(loop, &w->poll, w->fd) != 0) {
        if (w->fd >= 0)
            close(w->fd);
        free(w);
        return RJ_EIO;
    }
    w->fn = fn;
    w->arg = arg;
    w->poll.data = w;
    uv_poll_start(&w->poll, UV_READABLE, wake_cb);
    *out = w;
    return 0;
}

void rj_wake_send(rj_wake *w)
{
    uint64_t one = 1;
    /* EAGAIN: the counter is full, so a wake-up is pending anyway. */
    while (write(w->fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
}

static void wake_free_cb(uv_handle_t *h)
{
    rj_wake *w = h->data;
    close(w->fd);
    free(w);
}

void rj_wake_close(rj_wake *w)
{
    uv_close((uv_handle_t *)&w->poll, wake_free_cb);
}

/* --- a list handed between threads without a lock --------------------------- */

void rj_mbox_push(rj_mbox *m, rj_link *x)
{
    rj_link *top = atomic_load_explicit(&m->top, memory_order_relaxed);
    do
        x->next = top;
    while (!atomic_compare_exchange_weak_explicit(&m->top, &top, x, memory_order_release,
                                                  memory_order_relaxed));
}

rj_link *rj_mbox_take(rj_mbox *m)
{
    /* An exchange of the whole list: no ABA, whatever is pushed meanwhile. */
    rj_link *x = atomic_exchange_explicit(&m->top, NULL, memory_order_acquire), *fifo = NULL;
    while (x) { /* pushed newest first: reverse */
        rj_link *next = x->next;
        x->next = fifo;
        fifo = x;
        x = next;
    }
    return fifo;
}

/* --- the pool ------------------------------------------------------------- */

/* Jobs go from the loop to the pool through `incoming`; a pool thread that
 * needs one moves what arrived onto `todo` (the pool threads' own list, under
 * their own lock, which the loop never takes) and takes the oldest. Each
 * job queued posts `ready` once, so a thread past sem_wait finds one. Worked
 * jobs go back through `worked`, and the loop is woken. */
struct rj_pool {
    rj_mbox incoming, worked;
    sem_t ready;
    pthread_mutex_t mu; /* pool threads only: todo */
    rj_link *todo, *todo_tail;
    atomic_bool stopping;
    int nicer;
    unsigned n_threads;
    pthread_t *threads;
    rj_wake *wake;
};

static rj_job *next_job(rj_pool *p)
{
    pthread_mutex_lock(&p->mu);
    for (rj_link *x = rj_mbox_take(&p->incoming); x;) {
        rj_link *next = x->next;
        x->next = NULL;
        if (p->todo_tail)
            p->todo_tail->next = x;
        else
            p->todo = x;
        p->todo_tail = x;
        x = next;
    }
    rj_link *x = p->todo;
    if (x) {
        p->todo = x->next;
        if (!p->todo)
            p->todo_tail = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    return x ? RJ_CONTAINER(x, rj_job, link) : NULL;
}

static void *pool_main(void *arg)
{
    rj_pool *p = arg;
    /* A new thread has its creator's nice value; on Linux getpriority and
     * setpriority of PRIO_PROCESS name one thread. */
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, 0);
    if (errno == 0)
        setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
                    nice + p->nicer > 19 ? 19 : nice + p->nicer);
    pthread_setname_np(pthread_self(), "renjad-pool");
    for (;;) {
        while (sem_wait(&p->ready) != 0)
            ; /* EINTR */
        rj_job *j = next_job(p);
        if (!j) {
            if (atomic_load(&p->stopping))
                break; /* the post of the stop, every job done */
            continue;
        }
        j->work(j);
        rj_mbox_push(&p->worked, &j->link);
        rj_wake_send(p->wake);
    }
    return NULL;
}

/* Loop thread: the done callbacks of every job worked so far. */
static void pool_done(void *arg)
{
    rj_pool *p = arg;
    for (rj_link *x = rj_mbox_take(&p->worked); x;) {
        rj_link *next = x->next;
        rj_job *j = RJ_CONTAINER(x, rj_job, link);
        j->done(j);
        x = next;
    }
}

int rj_pool_start(uv_loop_t *loop, unsigned threads, int nicer, rj_pool **out)
{
    rj_pool *p = rj_calloc(1, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    sem_init(&p->ready, 0, 0);
    p->nicer = nicer;
    if (rj_wake_init(loop, pool_done, p, &p->wake) != 0) {
        free(p);
        return RJ_EIO;
    }
    p->threads = rj_calloc(threads, sizeof(*p->threads));
    for (; p->n_threads < threads; p->n_threads++)
        if (pthread_create(&p->threads[p->n_threads], NULL, pool_main, p) != 0)
            break;
    if (p->n_threads == 0) {
        rj_wake_close(p->wake);
        free(p->threads);
        free(p);
        return RJ_EIO;
    }
    *out = p;
    return 0;
}

void rj_pool_queue(rj_pool *p, rj_job *job, rj_job_fn work, rj_job_fn done)
{
    job->work = work;
    job->done = done;
    rj_mbox_push(&p->incoming, &job->link);
    sem_post(&p->ready);
}

void rj_pool_stop(rj_pool *p)
{
    /* One post per thread beyond the jobs' own: each thread ends on the
     * first post that finds no job, which comes after every job is taken. */
    atomic_store(&p->stopping, true);
    for (unsigned i = 0; i < p->n_threads; i++)
        sem_post(&p->ready);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    pool_done(p);
    /* What those done callbacks queued (a request freed off the loop) is
     * worked here, on the calling thread, until nothing more comes. */
    for (rj_link *x; (x = rj_mbox_take(&p->incoming)) != NULL;)
        while (x) {
            rj_link *next = x->next;
            rj_job *j = RJ_CONTAINER(x, rj_job, link);
            j->work(j);
            j->done(j);
            x = next;
        }
    rj_wake_close(p->wake);
    pthread_mutex_destroy(&p->mu);
    sem_destroy(&p->ready);
    free(p->threads);
    free(p);
}
