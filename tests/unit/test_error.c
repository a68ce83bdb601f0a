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

/* A message cut at RJ_DIAG_MAX never ends inside a UTF-8 character. */
static void test_diag_cut_utf8(void **state)
{
    (void)state;
    rj_diag d;
    char in[3000];
    for (int lead = 0; lead < 3; lead++) {
        /* shift where the cut falls relative to the 2-byte characters */
        memset(in, 'a', (size_t)lead);
        for (size_t i = (size_t)lead; i + 2 < sizeof(in); i += 2)
            memcpy(in + i, "\xc3\xa9", 2); /* é */
        in[sizeof(in) - 2 + (lead & 1) - 1] = '\0';
        rj_diag_set(&d, RJ_EINVAL, "%s", in);
        size_t n = strlen(d.msg);
        assert_true(n >= RJ_DIAG_MAX - 2 && n <= RJ_DIAG_MAX - 1);
        /* the last byte completes a character or is ASCII */
        unsigned char last = (unsigned char)d.msg[n - 1];
        assert_true(last < 0x80 || (last == 0xa9 && (unsigned char)d.msg[n - 2] == 0xc3));
    }
    /* 3- and 4-byte characters */
    const char *chars[] = {"\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    for (int c = 0; c < 2; c++) {
        size_t w = strlen(chars[c]);
        for (int lead = 0; lead < 4; lead++) {
            size_t len = (size_t)lead;
            memset(in, 'a', len);
            while (len + w < sizeof(in) - 1) {
                memcpy(in + len, chars[c], w);
                len += w;
            }
            in[len] = '\0';
            rj_diag_set(&d, RJ_EINVAL, "%s", in);
            size_t n = strlen(d.msg);
            assert_true(n > RJ_DIAG_MAX - 1 - w);
            assert_int_equal((n - (size_t)lead) % w, 0);
        }
    }
    rj_diag_set(&d, RJ_EINVAL, "%s", "short \xc3\xa9");
    assert_string_equal(d.msg, "short \xc3\xa9");
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
        cmocka_unit_test(test_diag_cut_utf8),
        cmocka_unit_test(test_buf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
