/* A progress line on standard error for calls that take a while (import,
 * export, report): shown only when stderr is a terminal and the call has
 * taken over a second, redrawn in place every half second with the time
 * spent, and erased when the call ends, so that what follows starts on a
 * clean line. One at a time; a thread of its own draws it.
 */
#ifndef RJ_PROGRESS_H
#define RJ_PROGRESS_H

#include <stdio.h>

/* Start timing; what is shown first ("renja import: sending apbd.csv").
 * Copies what. Does nothing visible when err is not a terminal. */
void rj_progress_start(FILE *err, const char *what);
/* Change what is shown ("renja export: waiting for diskopukm-sumsel/2024"). */
void rj_progress_say(const char *what);
/* Erase the line now and draw no more until rj_progress_end: call before
 * writing a message to err. Safe when no progress was started. */
void rj_progress_quiet(void);
/* Stop, erase the line, join the thread. Safe when none was started. */
void rj_progress_end(void);

#endif
