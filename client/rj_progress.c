#include "rj_progress.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FIRST_MS 1000 /* nothing is shown for a call shorter than this */
#define EVERY_MS 500

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool running, stop, quiet, shown;
    FILE *err;
    char what[256];
    struct timespec t0;
} P = {.mu = PTHREAD_MUTEX_INITIALIZER};

static long ms_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void erase_locked(void)
{
    if (P.shown) {
        fputs("\r\033[K", P.err);
        fflush(P.err);
        P.shown = false;
    }
}

static void *draw(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&P.mu);
    long next = FIRST_MS;
    while (!P.stop) {
        long now = ms_since(&P.t0);
        if (now < next) {
            /* the condition variable waits on CLOCK_MONOTONIC (see start) */
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            long left = next - now;
            until.tv_sec += left / 1000;
            until.tv_nsec += (left % 1000) * 1000000;
            if (until.tv_nsec >= 1000000000)
                until.tv_sec++, until.tv_nsec -= 1000000000;
            pthread_cond_timedwait(&P.cv, &P.mu, &until);
            continue;
        }
        if (!P.quiet) {
            fprintf(P.err, "\r\033[K%s ... %ld s", P.what, now / 1000);
            fflush(P.err);
            P.shown = true;
        }
        next = now + EVERY_MS;
    }
    erase_locked();
    pthread_mutex_unlock(&P.mu);
    return NULL;
}

void rj_progress_start(FILE *err, const char *what)
{
    if (P.running || !isatty(fileno(err)))
        return;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&P.cv, &ca);
    pthread_condattr_destroy(&ca);
    P.err = err;
    P.stop = P.quiet = P.shown = false;
    snprintf(P.what, sizeof(P.what), "%s", what);
    clock_gettime(CLOCK_MONOTONIC, &P.t0);
    P.running = pthread_create(&P.thread, NULL, draw, NULL) == 0;
    if (!P.running)
        pthread_cond_destroy(&P.cv);
}

void rj_progress_say(const char *what)
{
    if (!P.running)
        return;
    pthread_mutex_lock(&P.mu);
    snprintf(P.what, sizeof(P.what), "%s", what);
    pthread_mutex_unlock(&P.mu);
}

void rj_progress_quiet(void)
{
    if (!P.running)
        return;
    pthread_mutex_lock(&P.mu);
    P.quiet = true;
    erase_locked();
    pthread_mutex_unlock(&P.mu);
}

void rj_progress_end(void)
{
    if (!P.running)
        return;
    pthread_mutex_lock(&P.mu);
    P.stop = true;
    pthread_cond_signal(&P.cv);
    pthread_mutex_unlock(&P.mu);
    pthread_join(P.thread, NULL);
    pthread_cond_destroy(&P.cv);
    P.running = false;
}
