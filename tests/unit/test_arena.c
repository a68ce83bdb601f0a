/* The region allocator (rj_arena.h): alignment, zeroing, strings copied
 * and printed, and requests larger than a block. ASan builds check that
 * nothing is read or written outside what was handed out and that
 * rj_arena_free releases it all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rj_arena.h"

static void test_alloc_aligned_and_zeroed(void **state)
{
    (void)state;
    rj_arena *a = rj_arena_new();
    for (size_t n = 0; n < 100; n++) {
        unsigned char *p = rj_arena_alloc(a, n);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, n);
    }
    unsigned char *z = rj_arena_calloc(a, 1000, 3);
    for (size_t i = 0; i < 3000; i++)
        assert_int_equal(z[i], 0);
    rj_arena_free(a);
    rj_arena_free(NULL);
}

static void test_strings(void **state)
{
    (void)state;
    rj_arena *a = rj_arena_new();
    assert_string_equal(rj_arena_strndup(a, "pagu induk", 4), "pagu");
    const char *src = "sub kegiatan";
    char *c = rj_arena_strdup(a, src);
    assert_string_equal(c, src);
    assert_ptr_not_equal(c, src);
    assert_string_equal(rj_arena_strdup(a, ""), "");
    assert_string_equal(rj_arena_printf(a, "realisasi dalam %s, target %d", "dokumen", 12),
                        "realisasi dalam dokumen, target 12");
    assert_string_equal(rj_arena_printf(a, "%s", ""), "");
    rj_arena_free(a);
}

/* A string longer than a block (64 KiB) gets room of its own, and what
 * came before it stays intact. */
static void test_larger_than_a_block(void **state)
{
    (void)state;
    rj_arena *a = rj_arena_new();
    char *before = rj_arena_strdup(a, "before");
    enum { BIG = 200000 };
    static char big[BIG + 1];
    memset(big, 'x', BIG);
    big[BIG] = '\0';
    char *p = rj_arena_printf(a, "<%s>", big);
    assert_int_equal(strlen(p), BIG + 2);
    assert_int_equal(p[0], '<');
    assert_int_equal(p[BIG + 1], '>');
    char *c = rj_arena_strdup(a, big);
    assert_int_equal(strlen(c), BIG);
    assert_string_equal(before, "before");
    assert_string_equal(rj_arena_strdup(a, "after"), "after");
    rj_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_aligned_and_zeroed),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_larger_than_a_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
