#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rj_alloc.h"
#include "rj_error.h"

static void test_grpc_mapping(void **state)
{
    (void)state;
    assert_int_equal(rj_error_grpc_status(RJ_OK), RJ_GRPC_OK);
    assert_int_equal(rj_error_grpc_status(RJ_ECONFLICT), RJ_GRPC_ABORTED);
    assert_int_equal(rj_error_grpc_status(RJ_EAUTH), RJ_GRPC_UNAUTHENTICATED);
    assert_int_equal(rj_error_grpc_status(RJ_ELOCKED), RJ_GRPC_FAILED_PRECONDITION);
    assert_int_equal(rj_error_grpc_status(-999), RJ_GRPC_INTERNAL);
    assert_string_equal(rj_grpc_status_name(RJ_GRPC_ABORTED), "ABORTED");
    assert_string_equal(rj_grpc_status_name(99), "UNKNOWN");
}

static void test_diag(void **state)
{
    (void)state;
    rj_diag d;
    assert_int_equal(rj_diag_set(&d, RJ_EINVAL, "bad %s at %d", "kode", 3), RJ_EINVAL);
    assert_string_equal(d.msg, "bad kode at 3");
    assert_int_equal(rj_diag_set(NULL, RJ_EIO, "x"), RJ_EIO);
}

static void test_buf(void **state)
{
    (void)state;
    rj_buf b = {0};
    for (int i = 0; i < 1000; i++)
        rj_buf_printf(&b, "%d,", i);
    assert_true(b.len > 1000);
    assert_memory_equal(b.data, "0,1,2,", 6);
    rj_buf_consume(&b, 2);
    assert_memory_equal(b.data, "1,2,", 4);
    rj_buf_free(&b);
    assert_null(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grpc_mapping),
        cmocka_unit_test(test_diag),
        cmocka_unit_test(test_buf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
