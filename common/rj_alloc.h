/* Allocation wrappers: out-of-memory aborts here, so error paths elsewhere
 * handle real failures only. */
#ifndef RJ_ALLOC_H
#define RJ_ALLOC_H

#include <stddef.h>

void *rj_malloc(size_t n);
void *rj_calloc(size_t count, size_t size);
void *rj_realloc(void *p, size_t n);
char *rj_strdup(const char *s);
char *rj_strndup(const char *s, size_t n);
/* printf into a new string. */
char *rj_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer. Owns data; free with rj_buf_free. */
typedef struct rj_buf {
    char *data;
    size_t len;
    size_t cap;
} rj_buf;

void rj_buf_reserve(rj_buf *b, size_t extra);
void rj_buf_append(rj_buf *b, const void *p, size_t n);
void rj_buf_puts(rj_buf *b, const char *s);
void rj_buf_printf(rj_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rj_buf_consume(rj_buf *b, size_t n); /* drop n bytes from the front */
void rj_buf_free(rj_buf *b);

#endif
