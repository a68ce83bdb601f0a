#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rj_csv.h"

static void expect_row(rj_csv *r, size_t n, const char **want)
{
    const rj_csv_field *f;
    size_t got;
    rj_diag d = {{0}};
    int rc = rj_csv_next(r, &f, &got, &d);
    if (rc != 1)
        fail_msg("rj_csv_next: %d %s", rc, d.msg);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(f[i].text, want[i]);
}

static void test_quoting_and_newlines(void **state)
{
    const char *s = "kode,nama,pagu\r\n"
                    "2.17,\"Urusan Koperasi, Usaha Kecil\",\r\n"
                    "\n"
                    "2.17.01,\"He said \"\"ok\"\"\nsecond line\",188.500.000\n"
                    ",,\n"
                    "last,\"\",x";
    rj_csv *r = rj_csv_new(s, strlen(s), rj_csv_sniff(s, strlen(s)));
    expect_row(r, 3, (const char *[]){"kode", "nama", "pagu"});
    assert_int_equal(rj_csv_row_line(r), 1);
    expect_row(r, 3, (const char *[]){"2.17", "Urusan Koperasi, Usaha Kecil", ""});
    expect_row(r, 3, (const char *[]){"2.17.01", "He said \"ok\"\nsecond line", "188.500.000"});
    assert_int_equal(rj_csv_row_line(r), 4);
    expect_row(r, 3, (const char *[]){"", "", ""});
    assert_int_equal(rj_csv_row_line(r), 6);
    const rj_csv_field *f;
    size_t n;
    rj_diag d;
    assert_int_equal(rj_csv_next(r, &f, &n, &d), 1);
    assert_int_equal(n, 3);
    assert_string_equal(f[2].text, "x");
    assert_int_equal(f[2].line, 7);
    assert_int_equal(f[2].col, 9);
    assert_int_equal(rj_csv_next(r, &f, &n, &d), 0);
    rj_csv_free(r);
}

static void test_semicolon(void **state)
{
    const char *s = "kode;nama;pagu\n2.17.01;Program, Penunjang;1.000\n";
    assert_int_equal(rj_csv_sniff(s, strlen(s)), ';');
    assert_int_equal(rj_csv_sniff("a,b;c\n", 6), ',');
    rj_csv *r = rj_csv_new(s, strlen(s), ';');
    expect_row(r, 3, (const char *[]){"kode", "nama", "pagu"});
    expect_row(r, 3, (const char *[]){"2.17.01", "Program, Penunjang", "1.000"});
    rj_csv_free(r);
}

static void test_errors(void **state)
{
    const rj_csv_field *f;
    size_t n;
    rj_diag d = {{0}};
    const char *s = "a,b\nx,\"open\nmore";
    rj_csv *r = rj_csv_new(s, strlen(s), ',');
    assert_int_equal(rj_csv_next(r, &f, &n, &d), 1);
    assert_int_equal(rj_csv_next(r, &f, &n, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "2:3: quoted field is not closed"));
    rj_csv_free(r);

    s = "a,\"b\"c\n";
    r = rj_csv_new(s, strlen(s), ',');
    assert_int_equal(rj_csv_next(r, &f, &n, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "1:6: expected ','"));
    rj_csv_free(r);

    s = "a,b\"c\n";
    r = rj_csv_new(s, strlen(s), ',');
    assert_int_equal(rj_csv_next(r, &f, &n, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "1:4: a quote inside an unquoted field"));
    rj_csv_free(r);

    r = rj_csv_new("", 0, ',');
    assert_int_equal(rj_csv_next(r, &f, &n, &d), 0);
    rj_csv_free(r);
}

static void test_put(void **state)
{
    rj_buf b = {0};
    rj_csv_put(&b, "plain", ',');
    rj_buf_puts(&b, ",");
    rj_csv_put(&b, "Koperasi, UKM", ',');
    rj_buf_puts(&b, ",");
    rj_csv_put(&b, "say \"hi\"", ',');
    rj_buf_puts(&b, ",");
    rj_csv_put(&b, "two\nlines", ',');
    rj_buf_puts(&b, ",");
    rj_csv_put(&b, NULL, ',');
    rj_buf_append(&b, "", 1);
    assert_string_equal(b.data, "plain,\"Koperasi, UKM\",\"say \"\"hi\"\"\",\"two\nlines\",");
    /* and it reads back */
    rj_csv *r = rj_csv_new(b.data, strlen(b.data), ',');
    expect_row(r, 5, (const char *[]){"plain", "Koperasi, UKM", "say \"hi\"", "two\nlines", ""});
    rj_csv_free(r);
    rj_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting_and_newlines),
        cmocka_unit_test(test_semicolon),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_put),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
