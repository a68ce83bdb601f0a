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

/* Growable arrays. A size that would overflow size_t aborts, as running
 * out of memory does.
 *
 * rj_grow_cap: the capacity for at least need elements, doubling cap (or
 * min when cap is 0), so n pushes cost O(n). rj_realloc_array: room for
 * count elements of size bytes. rj_grow: both, for one array; *cap is
 * updated. RJ_GROW(arr, need, cap, min) assigns the result to arr. Arrays
 * kept side by side with one count take rj_grow_cap once and
 * rj_realloc_array for each. */
size_t rj_grow_cap(size_t cap, size_t need, size_t min);
void *rj_realloc_array(void *p, size_t count, size_t size);
void *rj_grow(void *arr, size_t need, size_t *cap, size_t elem, size_t min);
#define RJ_GROW(arr, need, cap, min) ((arr) = rj_grow((arr), (need), &(cap), sizeof(*(arr)), (min)))

/* Append p to a growable array of pointers (*arr has *n entries, room for
 * *cap), such as a repeated message field and its count. */
static inline void rj_ptrs_push(void ***arr, size_t *n, size_t *cap, void *p)
{
    if (*n == *cap)
        *arr = rj_grow(*arr, *n + 1, cap, sizeof **arr, 16);
    (*arr)[(*n)++] = p;
}

/* A growable array of pointers in one struct; the caller owns v and what
 * it points to. */
typedef struct rj_ptrs {
    void **v;
    size_t n, cap;
} rj_ptrs;

static inline void rj_ptrs_add(rj_ptrs *p, void *x)
{
    rj_ptrs_push(&p->v, &p->n, &p->cap, x);
}

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
