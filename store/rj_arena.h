/* A region allocator for request-scoped memory: many small allocations,
 * freed at once. Not thread-safe; one arena per call.
 *
 * Memory comes from blocks of at least 64 KiB, 16-byte aligned; running
 * out of memory aborts (rj_alloc.h). Everything an arena handed out is
 * valid until rj_arena_free. */
#ifndef RJ_ARENA_H
#define RJ_ARENA_H

#include <stddef.h>

typedef struct rj_arena rj_arena;

rj_arena *rj_arena_new(void);
/* Free every block, then the arena itself. NULL is a no-op. */
void rj_arena_free(rj_arena *a);
/* n bytes, uninitialised (n may be 0). */
void *rj_arena_alloc(rj_arena *a, size_t n);
/* n bytes, zeroed. */
void *rj_arena_calloc(rj_arena *a, size_t count, size_t size);
/* The n bytes at p and a NUL. */
char *rj_arena_strndup(rj_arena *a, const void *p, size_t n);
/* A copy of the string s. */
char *rj_arena_strdup(rj_arena *a, const char *s);
/* The string printf would print. */
__attribute__((format(printf, 2, 3))) char *rj_arena_printf(rj_arena *a, const char *fmt, ...);

#endif
