/* Unit tests of the growable arrays: capacities double from the minimum,
 * and a size that would overflow size_t aborts instead of wrapping to a
 * small allocation that later writes run past. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rj_alloc.h"

static void test_doubling(void **state)
{
    (void)state;
    assert_int_equal(rj_grow_cap(0, 1, 16), 16);
    assert_int_equal(rj_grow_cap(16, 17, 16), 32);
    assert_int_equal(rj_grow_cap(16, 100, 16), 128);
    assert_int_equal(rj_grow_cap(0, 1, 0), 1);
    int *a = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        RJ_GROW(a, n + 1, cap, 8);
        a[n++] = i;
    }
    assert_int_equal(cap, 1024);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(a[i], i);
    free(a);
    rj_ptrs p = {0};
    for (int i = 0; i < 40; i++)
        rj_ptrs_add(&p, (void *)(intptr_t)(i + 1));
    assert_int_equal(p.n, 40);
    assert_int_equal(p.cap, 64);
    assert_int_equal((intptr_t)p.v[39], 40);
    free(p.v);
}

/* Whether fn aborts (SIGABRT) in a child process. */
static bool aborts(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        fn();
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void cap_overflow(void)
{
    rj_grow_cap(SIZE_MAX / 2 + 1, SIZE_MAX, 16);
}

static void array_overflow(void)
{
    rj_realloc_array(NULL, SIZE_MAX / 8 + 1, 8);
}

static void grow_overflow(void)
{
    size_t cap = SIZE_MAX / 32;
    rj_grow(NULL, cap + 1, &cap, 64, 16);
}

static void buf_overflow(void)
{
    rj_buf b = {.data = NULL, .len = 16, .cap = 0};
    rj_buf_reserve(&b, SIZE_MAX - 8);
}

static void test_overflow_aborts(void **state)
{
    (void)state;
    assert_true(aborts(cap_overflow));
    assert_true(aborts(array_overflow));
    assert_true(aborts(grow_overflow));
    assert_true(aborts(buf_overflow));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubling),
        cmocka_unit_test(test_overflow_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
