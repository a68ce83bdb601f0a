#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rj_fit.h"

/* A table of a kode, a long Uraian and two amounts. */
static const char *cells[] = {
    "Kode",           "Uraian",
    "Pagu Sebelum",   "Pagu Sesudah",
    "2.17.01",        "Program Penunjang Urusan Pemerintahan Daerah Provinsi Sumatera Selatan",
    "10.852.412.480", "10.336.956.747",
    "2.17.01.1.01",   "  Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah",
    "50.000.000",     "(4.200.000)",
};
static const unsigned flags[] = {0, RJ_FIT_MAIN | RJ_FIT_WRAP, RJ_FIT_RIGHT, RJ_FIT_RIGHT};

static char *render(unsigned width, char **dropped)
{
    rj_grid g = {3, 4, cells, flags, false};
    rj_buf b = {0}, d = {0};
    rj_fit_render(&g, width, &b, &d);
    rj_buf_append(&b, "", 1);
    rj_buf_append(&d, "", 1);
    if (dropped)
        *dropped = d.data;
    else
        rj_buf_free(&d);
    return b.data;
}

static size_t widest(const char *s)
{
    size_t w = 0;
    while (*s) {
        size_t n = strcspn(s, "\n");
        char line[512];
        snprintf(line, sizeof(line), "%.*s", (int)n, s);
        if (rj_fit_width(line) > w)
            w = rj_fit_width(line);
        s += n + (s[n] ? 1 : 0);
    }
    return w;
}

static void test_unfitted(void **state)
{
    char *t = render(0, NULL);
    /* one line per row, as the table always printed */
    assert_non_null(strstr(t, "2.17.01       Program Penunjang Urusan Pemerintahan Daerah Provinsi "
                              "Sumatera Selatan  10.852.412.480  10.336.956.747\n"));
    assert_true(widest(t) > 80);
    free(t);
}

static void test_wraps_then_stacks(void **state)
{
    for (unsigned w = 40; w <= 120; w += 5) {
        char *t = render(w, NULL);
        assert_true(widest(t) <= w);
        /* numbers whole */
        assert_non_null(strstr(t, "10.852.412.480"));
        assert_non_null(strstr(t, "(4.200.000)"));
        assert_non_null(strstr(t, "50.000.000"));
        free(t);
    }
    /* at 60 the Uraian is too narrow beside the numbers: it goes under its row */
    char *t = render(60, NULL);
    assert_non_null(strstr(t, "2.17.01       10.852.412.480  10.336.956.747\n  Program Penunjang"));
    free(t);
}

static void test_records(void **state)
{
    char *dropped = NULL;
    char *t = render(24, &dropped);
    /* narrower than the numbers: one record per row */
    assert_true(widest(t) <= 24);
    /* a number wider than its place is not cut: it goes on a line of its own */
    assert_non_null(strstr(t, "Pagu Sebelum\n  10.852.412.480\n"));
    assert_non_null(strstr(t, "Kode\n  2.17.01.1.01\n"));
    free(t);
    t = render(40, NULL);
    assert_non_null(strstr(t, "Pagu Sebelum  10.852.412.480\n"));
    assert_string_equal(dropped, "");
    free(t);
    free(dropped);
}

static void test_paragraph(void **state)
{
    rj_buf b = {0};
    rj_fit_paragraph("Sub kegiatan yang mencapai target (3): 2.17.01.1.02.0001, 2.17.01.1.07.0005, "
                     "2.17.01.1.07.0006",
                     40, 2, &b);
    rj_buf_append(&b, "", 1);
    assert_string_equal(b.data, "Sub kegiatan yang mencapai target (3):\n"
                                "  2.17.01.1.02.0001, 2.17.01.1.07.0005,\n"
                                "  2.17.01.1.07.0006\n");
    rj_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unfitted),
        cmocka_unit_test(test_wraps_then_stacks),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_paragraph),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
