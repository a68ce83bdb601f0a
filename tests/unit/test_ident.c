#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rj_ident.h"

static void test_plan_ids(void **state)
{
    (void)state;
    rj_diag d;
    assert_int_equal(rj_plan_id_check("diskopukm-sumsel/2024", &d), 0);
    assert_int_equal(rj_plan_id_check("a1/1999", &d), 0);
    const char *bad[] = {"",
                         "Bad Plan",
                         "diskopukm-sumsel",
                         "diskopukm-sumsel/24",
                         "diskopukm-sumsel/20245",
                         "-awal/2024",
                         "a/2024",
                         "../../etc/2024",
                         "dinas.koperasi/2024",
                         "DINAS/2024",
                         "dinas/2024/x",
                         "dinas/20a4"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(rj_plan_id_check(bad[i], &d), RJ_EINVAL);
        assert_non_null(strstr(d.msg, "opd-slug/tahun"));
    }
    assert_int_equal(rj_plan_id_check(NULL, &d), RJ_EINVAL);
}

static void test_stage_names(void **state)
{
    (void)state;
    rj_diag d;
    assert_int_equal(rj_stage_name_check("apbd-p", &d), 0);
    assert_int_equal(rj_stage_name_check("perkada-8", &d), 0);
    assert_int_equal(rj_stage_name_check("head", &d), RJ_EINVAL);
    assert_int_equal(rj_stage_name_check("12", &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "revision"));
    assert_int_equal(rj_stage_name_check("-apbd", &d), RJ_EINVAL);
    assert_int_equal(rj_stage_name_check("tahap-\xc3\xbc", &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "tahap-\xc3\xbc"));
    assert_true(rj_is_decimal("2024"));
    assert_false(rj_is_decimal(""));
    assert_false(rj_is_decimal("12a"));
}

static void test_roles(void **state)
{
    (void)state;
    assert_string_equal(rj_role_name(1), "viewer");
    assert_string_equal(rj_role_name(4), "admin");
    assert_string_equal(rj_role_name(0), "");
    assert_string_equal(rj_role_name(5), "");
    assert_int_equal(rj_role_parse("editor"), 2);
    assert_int_equal(rj_role_parse("planner"), 3);
    assert_int_equal(rj_role_parse("boss"), 0);
    assert_int_equal(rj_role_parse(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_ids),
        cmocka_unit_test(test_stage_names),
        cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
