#include "rj_arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"

#define BLOCK_MIN (64u << 10)
#define ALIGN 16u

typedef struct block {
    struct block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} block;

struct rj_arena {
    block *head;
};

rj_arena *rj_arena_new(void)
{
    return rj_calloc(1, sizeof(rj_arena));
}

void rj_arena_free(rj_arena *a)
{
    if (!a)
        return;
    for (block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void *rj_arena_alloc(rj_arena *a, size_t n)
{
    if (n > SIZE_MAX - ALIGN - sizeof(block))
        abort();
    size_t want = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    block *b = a->head;
    if (!b || b->size - b->used < want) {
        /* A large request gets a block of its own behind the current one,
         * so the current block's free room is not wasted. */
        size_t size = want > BLOCK_MIN / 4 ? want : BLOCK_MIN;
        block *nb = rj_malloc(sizeof(block) + size);
        nb->size = size;
        nb->used = 0;
        if (b && size == want) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += want;
    return p;
}

void *rj_arena_calloc(rj_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        abort();
    void *p = rj_arena_alloc(a, count * size);
    memset(p, 0, count * size);
    return p;
}

char *rj_arena_strndup(rj_arena *a, const void *p, size_t n)
{
    char *s = rj_arena_alloc(a, n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *rj_arena_strdup(rj_arena *a, const char *s)
{
    return rj_arena_strndup(a, s, strlen(s));
}

char *rj_arena_printf(rj_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) /* an encoding error: no string to print */
        abort();
    char *out = rj_arena_alloc(a, (size_t)n + 1);
    vsnprintf(out, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return out;
}
