#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rj_json.h"

static rj_json *parse_ok(const char *s)
{
    rj_json *j = NULL;
    rj_diag d = {{0}};
    int rc = rj_json_parse(s, strlen(s), 0, &j, &d);
    if (rc != 0)
        fail_msg("parse failed: %s", d.msg);
    return j;
}

static void parse_err(const char *s, const char *want)
{
    rj_json *j = NULL;
    rj_diag d = {{0}};
    assert_int_equal(rj_json_parse(s, strlen(s), 0, &j, &d), RJ_EINVAL);
    assert_null(j);
    if (!strstr(d.msg, want))
        fail_msg("diag \"%s\" lacks \"%s\"", d.msg, want);
}

static void test_object_and_numbers_as_text(void **state)
{
    rj_json *j = parse_ok(
        "{\"pagu\": 15320055480, \"target\": 12.23, \"neg\": -0.74, \"e\": 1e3,\n"
        " \"s\": \"Sumsel\", \"n\": null, \"t\": true, \"f\": false, \"a\": [1, \"x\", []]}");
    assert_int_equal(rj_json_kind(j), RJ_JSON_OBJECT);
    assert_int_equal(rj_json_len(j), 9);
    assert_string_equal(rj_json_text(rj_json_get(j, "pagu")), "15320055480");
    assert_int_equal(rj_json_kind(rj_json_get(j, "target")), RJ_JSON_NUMBER);
    assert_string_equal(rj_json_text(rj_json_get(j, "target")), "12.23");
    assert_string_equal(rj_json_text(rj_json_get(j, "neg")), "-0.74");
    assert_string_equal(rj_json_text(rj_json_get(j, "e")), "1e3");
    assert_string_equal(rj_json_text(rj_json_get(j, "s")), "Sumsel");
    assert_int_equal(rj_json_kind(rj_json_get(j, "n")), RJ_JSON_NULL);
    assert_int_equal(rj_json_kind(rj_json_get(j, "t")), RJ_JSON_TRUE);
    assert_int_equal(rj_json_kind(rj_json_get(j, "f")), RJ_JSON_FALSE);
    rj_json *a = rj_json_get(j, "a");
    assert_int_equal(rj_json_len(a), 3);
    assert_string_equal(rj_json_text(rj_json_at(a, 1)), "x");
    assert_int_equal(rj_json_kind(rj_json_at(a, 2)), RJ_JSON_ARRAY);
    assert_null(rj_json_at(a, 3));
    assert_null(rj_json_get(j, "absent"));
    assert_string_equal(rj_json_key_at(j, 0), "pagu");
    /* positions: "s" value is on line 2 column 7 */
    assert_int_equal(rj_json_line(rj_json_get(j, "s")), 2);
    assert_int_equal(rj_json_col(rj_json_get(j, "s")), 7);
    rj_json_free(j);
}

static void test_string_escapes(void **state)
{
    rj_json *j = parse_ok(
        "[\"a\\\"b\\\\c\\/\\n\\t\", \"\\u00e9\\u20ac\", \"\\ud83d\\ude00\", \"Koperasi, UKM\"]");
    assert_string_equal(rj_json_text(rj_json_at(j, 0)), "a\"b\\c/\n\t");
    assert_string_equal(rj_json_text(rj_json_at(j, 1)), "\xc3\xa9\xe2\x82\xac");
    assert_string_equal(rj_json_text(rj_json_at(j, 2)), "\xf0\x9f\x98\x80");
    assert_string_equal(rj_json_text(rj_json_at(j, 3)), "Koperasi, UKM");
    rj_json_free(j);
}

static void test_errors_with_line_col(void **state)
{
    parse_err("{\"a\": 1,\n \"b\" 2}", "2:6: expected ':'");
    parse_err("[1, 2", "1:6: expected ',' or ']', found end of input");
    parse_err("[01]", "1:3: expected ',' or ']'");
    parse_err("{\"a\": tru}", "1:7: expected a value");
    parse_err("\"abc", "expected '\"' closing the string");
    parse_err("[1.]", "1:4: expected a digit after the decimal point");
    parse_err("{} x", "1:4: expected end of input");
    parse_err("", "1:1: expected a value, found end of input");
    parse_err("[\"a\nb\"]", "control characters");
    parse_err("[\"\\x\"]", "expected an escape");
    parse_err("{1: 2}", "expected '\"' starting a member name");
    parse_err("[\"\\u0000\"]", "\\u0000");
    parse_err("[\"\\ud83d\"]", "low surrogate");
}

static void test_depth_limit(void **state)
{
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    rj_json *j = NULL;
    rj_diag d = {{0}};
    assert_int_equal(rj_json_parse(deep, 200, 0, &j, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "nesting deeper than 64"));
    assert_int_equal(rj_json_parse(deep + 40, 120, 0, &j, &d), 0); /* 60 levels */
    rj_json_free(j);
    assert_int_equal(rj_json_parse(deep + 40, 120, 10, &j, &d), RJ_EINVAL);
}

static void test_garbage_fails_fast(void **state)
{
    size_t n = 10u << 20;
    char *g = malloc(n);
    for (size_t i = 0; i < n; i++)
        g[i] = (char)(0x80 + (i * 7919) % 100);
    rj_json *j = NULL;
    rj_diag d = {{0}};
    assert_int_equal(rj_json_parse(g, n, 0, &j, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "1:1: expected a value"));
    assert_non_null(strstr(d.msg, "byte 0x"));
    free(g);
    /* Over the size limit: refused without reading. */
    assert_int_equal(rj_json_parse("x", RJ_JSON_MAX_SIZE + 1u, 0, &j, &d), RJ_ETOOBIG);
}

static void test_put_str(void **state)
{
    rj_buf b = {0};
    rj_json_put_str(&b, "a\"b\\\n\x01 Rp");
    rj_buf_puts(&b, " ");
    rj_json_put_str(&b, NULL);
    rj_buf_append(&b, "", 1);
    assert_string_equal(b.data, "\"a\\\"b\\\\\\n\\u0001 Rp\" null");
    /* what we write, we read back */
    rj_json *j = parse_ok("\"a\\\"b\\\\\\n\\u0001 Rp\"");
    assert_string_equal(rj_json_text(j), "a\"b\\\n\x01 Rp");
    rj_json_free(j);
    rj_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_object_and_numbers_as_text), cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_errors_with_line_col),       cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_garbage_fails_fast),         cmocka_unit_test(test_put_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
