#include "rj_alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "renja: out of memory allocating %zu bytes\n", n);
    abort();
}

void *rj_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *rj_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *rj_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *rj_strdup(const char *s)
{
    return rj_strndup(s, strlen(s));
}

char *rj_strndup(const char *s, size_t n)
{
    char *p = rj_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *rj_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom(0);
    return s;
}

size_t rj_grow_cap(size_t cap, size_t need, size_t min)
{
    size_t c = cap ? cap : (min ? min : 1);
    while (c < need) {
        if (c > SIZE_MAX / 2)
            oom(SIZE_MAX);
        c *= 2;
    }
    return c;
}

void *rj_realloc_array(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        oom(SIZE_MAX);
    return rj_realloc(p, count * size);
}

void *rj_grow(void *arr, size_t need, size_t *cap, size_t elem, size_t min)
{
    if (need <= *cap)
        return arr;
    size_t c = rj_grow_cap(*cap, need, min);
    arr = rj_realloc_array(arr, c, elem);
    *cap = c;
    return arr;
}

void rj_buf_reserve(rj_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        oom(SIZE_MAX);
    RJ_GROW(b->data, b->len + extra + 1, b->cap, 256);
}

void rj_buf_append(rj_buf *b, const void *p, size_t n)
{
    rj_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void rj_buf_puts(rj_buf *b, const char *s)
{
    rj_buf_append(b, s, strlen(s));
}

void rj_buf_printf(rj_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom(0);
    rj_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
}

void rj_buf_consume(rj_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
    }
    if (b->data)
        b->data[b->len] = '\0';
}

void rj_buf_free(rj_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
