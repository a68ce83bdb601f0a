#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rj_num.h"

static void assert_msg_position(const char *kind, const char *in, int pos, const rj_diag *d)
{
    char want[160];
    snprintf(want, sizeof(want), "%s \"%s\": ", kind, in);
    if (strncmp(d->msg, want, strlen(want)) != 0)
        fail_msg("%s: message does not start with %s: %s", in, want, d->msg);
    snprintf(want, sizeof(want), "at position %d:", pos);
    if (!strstr(d->msg, want))
        fail_msg("%s: message does not name position %d: %s", in, pos, d->msg);
    if (!strstr(d->msg, "expected"))
        fail_msg("%s: message does not say what was expected: %s", in, d->msg);
}

typedef struct num_case {
    const char *in;
    int64_t v;
    const char *human; /* formatted back; NULL when the input is the human form */
    const char *plain; /* formatted back; NULL when the input is the plain form */
} num_case;

static void test_money_forms(void **state)
{
    (void)state;
    static const num_case cases[] = {
        {"15.320.055.480", 15320055480, NULL, "15320055480"},
        {"(113.206.733)", -113206733, NULL, "-113206733"},
        {"-113.206.733", -113206733, "(113.206.733)", "-113206733"},
        {"0", 0, NULL, NULL},
        {"7.133", 7133, NULL, "7133"},
        {"105.787", 105787, NULL, "105787"},
        {"999", 999, NULL, NULL},
        {"1.000", 1000, NULL, "1000"},
        {"15320055480", 15320055480, "15.320.055.480", NULL},
        {"-113206733", -113206733, "(113.206.733)", NULL},
        {"Rp 15.320.055.480", 15320055480, "15.320.055.480", "15320055480"},
        {"Rp15.320.055.480", 15320055480, "15.320.055.480", "15320055480"},
        {"Rp. 15.320.055.480", 15320055480, "15.320.055.480", "15320055480"},
        {"rp.4.200.000", 4200000, "4.200.000", "4200000"},
        {"Rp (4.200.000)", -4200000, "(4.200.000)", "-4200000"},
        {"(Rp 4.200.000)", -4200000, "(4.200.000)", "-4200000"},
        {"-Rp 4.200.000", -4200000, "(4.200.000)", "-4200000"},
        {"  462.248.983\t", 462248983, "462.248.983", "462248983"},
        {"-0", 0, "0", "0"},
        {"9223372036854775807", INT64_MAX, "9.223.372.036.854.775.807", NULL},
        {"9.223.372.036.854.775.807", INT64_MAX, NULL, "9223372036854775807"},
        /* A spreadsheet's Indonesian money format: zero sen. */
        {"1.234.567,00", 1234567, "1.234.567", "1234567"},
        {"15.320.055.480,00", 15320055480, "15.320.055.480", "15320055480"},
        {"(1.234.567,00)", -1234567, "(1.234.567)", "-1234567"},
        {"Rp 1.000,0", 1000, "1.000", "1000"},
        {"1,00", 1, "1", "1"},
        {"1.000,000", 1000, "1.000", "1000"},
        {"-9.223.372.036.854.775.808", INT64_MIN, "(9.223.372.036.854.775.808)",
         "-9223372036854775808"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = 12345;
        bool present = false;
        rj_diag d = {{0}};
        if (rj_money_parse(cases[i].in, &v, &present, &d))
            fail_msg("%s: %s", cases[i].in, d.msg);
        assert_true(present);
        if (v != cases[i].v)
            fail_msg("%s: %lld, expected %lld", cases[i].in, (long long)v, (long long)cases[i].v);
        char h[RJ_NUM_MAX], p[RJ_NUM_MAX];
        rj_money_format(v, RJ_NUM_HUMAN, h);
        rj_money_format(v, RJ_NUM_PLAIN, p);
        assert_string_equal(h, cases[i].human ? cases[i].human : cases[i].in);
        assert_string_equal(p, cases[i].plain ? cases[i].plain : cases[i].in);
        /* both forms read back to the same value */
        int64_t back;
        assert_int_equal(rj_money_parse(h, &back, &present, &d), 0);
        assert_true(back == v);
        assert_int_equal(rj_money_parse(p, &back, &present, &d), 0);
        assert_true(back == v);
    }
}

static void test_money_absent(void **state)
{
    (void)state;
    static const char *const absent[] = {"-", "", "  ", " - "};
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
        int64_t v = 5;
        bool present = true;
        assert_int_equal(rj_money_parse(absent[i], &v, &present, NULL), 0);
        assert_false(present);
        assert_true(v == 0);
    }
}

typedef struct bad_num {
    const char *in;
    int rc;
    int pos;
} bad_num;

static void test_money_refused(void **state)
{
    (void)state;
    static const bad_num bad[] = {
        {"1.5", RJ_EINVAL, 2},      /* ambiguous */
        {"12.34", RJ_EINVAL, 3},    /* ambiguous */
        {"1.0000", RJ_EINVAL, 2},   /* ambiguous */
        {"1,5", RJ_EINVAL, 2},      /* whole rupiah */
        {"1.000,50", RJ_EINVAL, 6}, /* whole rupiah */
        {"1.234.567,01", RJ_EINVAL, 10},
        {"12,000", RJ_EINVAL, 3}, /* might be an English thousand */
        {"1.000,", RJ_EINVAL, 6},
        {"1,000", RJ_EINVAL, 2}, /* not an English thousands separator */
        {"1..000", RJ_EINVAL, 3},
        {"1.000.00", RJ_EINVAL, 7},
        {"1.00.000", RJ_EINVAL, 3},
        {"1000.000", RJ_EINVAL, 5},
        {"0.500", RJ_EINVAL, 2},
        {".500", RJ_EINVAL, 1},
        {"1.000.", RJ_EINVAL, 7},
        {"12a", RJ_EINVAL, 3},
        {"1 000", RJ_EINVAL, 2},
        {"--5", RJ_EINVAL, 2},
        {"(5", RJ_EINVAL, 1},
        {"()", RJ_EINVAL, 2},
        {"Rp", RJ_EINVAL, 2},
        {"5%", RJ_EINVAL, 2},
        {"9.223.372.036.854.775.808", RJ_EOVERFLOW, 1},
        {"9223372036854775808", RJ_EOVERFLOW, 1},
        {"-9223372036854775809", RJ_EOVERFLOW, 2},
        {"99999999999999999999999999999", RJ_EOVERFLOW, 1},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t v = 77;
        bool present = false;
        rj_diag d = {{0}};
        int rc = rj_money_parse(bad[i].in, &v, &present, &d);
        if (rc != bad[i].rc)
            fail_msg("%s: rc %d, expected %d (%s)", bad[i].in, rc, bad[i].rc, d.msg);
        assert_msg_position("money", bad[i].in, bad[i].pos, &d);
        assert_true(v == 77);
    }
    rj_diag d;
    int64_t v;
    bool present;
    assert_int_equal(rj_money_parse("1.5", &v, &present, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "ambiguous"));
    assert_int_equal(rj_money_parse("1,5", &v, &present, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "whole rupiah"));
}

static void test_dec_forms(void **state)
{
    (void)state;
    static const num_case cases[] = {
        {"12,23", 122300, NULL, "12.23"},
        {"-4,14", -41400, NULL, "-4.14"},
        {"12,23%", 122300, "12,23", "12.23"},
        {"12,23 %", 122300, "12,23", "12.23"},
        {"-0,74%", -7400, "-0,74", "-0.74"},
        {"105.787,0", 1057870000, "105.787", "105787"},
        {"7133", 71330000, "7.133", NULL},
        {"1.234.567", 12345670000, NULL, "1234567"},
        {"0.125", 1250, "0,125", "0.1250"},
        {"9,3", 93000, NULL, "9.3"},
        {"0", 0, NULL, NULL},
        {"100", 1000000, NULL, NULL},
        {"12.23", 122300, "12,23", NULL},
        {"-0.74", -7400, "-0,74", NULL},
        {"9.3", 93000, "9,3", NULL},
        {"1.0000", 10000, "1", "1"},
        {"0.500", 5000, "0,5", "0.5"},
        {"1234.567", 12345670, "1.234,567", "1234.5670"},
        {"1.234,567", 12345670, NULL, "1234.5670"},
        {"105,787", 1057870, NULL, "105.7870"},
        {"105.7870", 1057870, "105,787", NULL},
        {"2.033,67", 20336700, NULL, "2033.67"},
        {"98,41", 984100, NULL, "98.41"},
        {"66,2", 662000, NULL, "66.2"},
        {"0,0001", 1, NULL, "0.0001"},
        {"(4,14)", -41400, "-4,14", "-4.14"},
        {"922.337.203.685.477,5807", INT64_MAX, NULL, "922337203685477.5807"},
        {"-922.337.203.685.477,5808", INT64_MIN, NULL, "-922337203685477.5808"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = 12345;
        rj_diag d = {{0}};
        if (rj_dec_parse(cases[i].in, &v, &d))
            fail_msg("%s: %s", cases[i].in, d.msg);
        if (v != cases[i].v)
            fail_msg("%s: %lld, expected %lld", cases[i].in, (long long)v, (long long)cases[i].v);
        char h[RJ_NUM_MAX], p[RJ_NUM_MAX];
        rj_dec_format(v, RJ_NUM_HUMAN, h);
        rj_dec_format(v, RJ_NUM_PLAIN, p);
        assert_string_equal(h, cases[i].human ? cases[i].human : cases[i].in);
        assert_string_equal(p, cases[i].plain ? cases[i].plain : cases[i].in);
        int64_t back;
        if (rj_dec_ambiguous(h))
            assert_int_equal(rj_dec_parse(h, &back, &d), RJ_EINVAL);
        else {
            assert_int_equal(rj_dec_parse(h, &back, &d), 0);
            assert_true(back == v);
        }
        assert_int_equal(rj_dec_parse(p, &back, &d), 0);
        assert_true(back == v);
    }
}

static void test_dec_refused(void **state)
{
    (void)state;
    static const bad_num bad[] = {
        {"", RJ_EINVAL, 1},
        {"-", RJ_EINVAL, 1},
        {"%", RJ_EINVAL, 1},
        {"1.23,4.5", RJ_EINVAL, 7},  /* '.' after the decimal comma */
        {"1.234,4.5", RJ_EINVAL, 8}, /* '.' after the decimal comma */
        {"12,,3", RJ_EINVAL, 4},
        {"1,2,3", RJ_EINVAL, 4},
        {"1..000", RJ_EINVAL, 3},
        {"1.2.3", RJ_EINVAL, 3},
        {"12,34567", RJ_EINVAL, 8}, /* 5 decimals */
        {"0.00001", RJ_EINVAL, 7},
        {"12,", RJ_EINVAL, 3},
        {",5", RJ_EINVAL, 1},
        {"12.", RJ_EINVAL, 3},
        {".5", RJ_EINVAL, 1},
        {"1e5", RJ_EINVAL, 2},
        {"12,5x", RJ_EINVAL, 5},
        {"1 000", RJ_EINVAL, 2},
        {"12%%", RJ_EINVAL, 3},
        {"922.337.203.685.478", RJ_EOVERFLOW, 1},
        {"922337203685477,5808", RJ_EOVERFLOW, 1},
        /* One dot, three digits after it: a guess between conventions. */
        {"2.125", RJ_EINVAL, 2},
        {"-2.125", RJ_EINVAL, 3},
        {"(2.125)", RJ_EINVAL, 3},
        {"7.133", RJ_EINVAL, 2},
        {"105.787", RJ_EINVAL, 4},
        {"105.787%", RJ_EINVAL, 4},
        {"-922337203685477,5809", RJ_EOVERFLOW, 2},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t v = 77;
        rj_diag d = {{0}};
        int rc = rj_dec_parse(bad[i].in, &v, &d);
        if (rc != bad[i].rc)
            fail_msg("%s: rc %d, expected %d (%s)", bad[i].in, rc, bad[i].rc, d.msg);
        assert_msg_position("number", bad[i].in, bad[i].pos, &d);
        assert_true(v == 77);
    }
}

/* The refusal of a guess shows both readings and what to write. */
static void test_dec_ambiguous(void **state)
{
    (void)state;
    int64_t v;
    rj_diag d = {{0}};
    assert_int_equal(rj_dec_parse("2.125", &v, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "ambiguous"));
    assert_non_null(strstr(d.msg, "2,125 with a decimal point"));
    assert_non_null(strstr(d.msg, "2125 with a thousands separator"));
    assert_int_equal(rj_dec_parse("-105.787", &v, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "-105,787 with a decimal point or as -105787"));
    assert_int_equal(rj_dec_parse("0.125", &v, &d), 0);
    assert_true(v == 1250);
    assert_true(rj_dec_ambiguous(" 2.125 "));
    assert_true(rj_dec_ambiguous("(7.133)"));
    assert_true(rj_dec_ambiguous("-7.133%"));
    assert_false(rj_dec_ambiguous("0.125"));
    assert_false(rj_dec_ambiguous("1.234.567"));
    assert_false(rj_dec_ambiguous("2,125"));
    assert_false(rj_dec_ambiguous("2.12"));
    assert_false(rj_dec_ambiguous("12 Bulan 3.125 dok"));
    assert_false(rj_dec_ambiguous("1234.567"));
    /* Money has no decimals: "7.133" is seven thousand. */
    bool present;
    assert_int_equal(rj_money_parse("7.133", &v, &present, &d), 0);
    assert_true(v == 7133);
}

static void test_pct_e2(void **state)
{
    (void)state;
    static const struct {
        int64_t num, den, want;
    } cases[] = {
        {-113206733, 15320055480, -74},
        {30360000 - 55560000, 55560000, -4536},
        {168790000 - 140000000, 140000000, 2056},
        {27641000, 308000000, 897},
        {1980000, 3000000, 6600},
        {-41400, 122300, -3385},
        {93000, 101000, 9208},
        {71330000, 1057870000, 674},
        {1390000, 9130000, 1522},
        /* exact halves round away from zero */
        {1, 20000, 1}, /* 0.005 % -> 0.01 */
        {-1, 20000, -1},
        {1, -20000, -1},
        {-1, -20000, 1},
        {1, 20001, 0}, /* just under a half */
        {0, 5, 0},
        {5, 5, 10000},
        /* no intermediate overflow: 10^4 x INT64_MAX needs 128 bits */
        {INT64_MAX, INT64_MAX, 10000},
        {INT64_MIN, INT64_MIN, 10000},
        {INT64_MAX, INT64_MIN, -10000},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t out = 99;
        assert_true(rj_pct_e2(cases[i].num, cases[i].den, &out));
        if (out != cases[i].want)
            fail_msg("%lld / %lld: %lld, expected %lld", (long long)cases[i].num,
                     (long long)cases[i].den, (long long)out, (long long)cases[i].want);
    }
    int64_t out = 99;
    assert_false(rj_pct_e2(5, 0, &out));
    assert_false(rj_pct_e2(INT64_MAX, 1, &out)); /* the result does not fit */
    assert_true(out == 99);
}

static void test_pct_format(void **state)
{
    (void)state;
    static const struct {
        int64_t e2;
        const char *human, *plain;
    } cases[] = {
        {-74, "-0,74", "-0.74"},
        {6600, "66,00", "66.00"},
        {0, "0,00", "0.00"},
        {5, "0,05", "0.05"},
        {-4536, "-45,36", "-45.36"},
        {10000, "100,00", "100.00"},
        {123456789, "1.234.567,89", "1234567.89"},
        {INT64_MIN, "-92.233.720.368.547.758,08", "-92233720368547758.08"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char h[RJ_NUM_MAX], p[RJ_NUM_MAX];
        rj_pct_format(cases[i].e2, RJ_NUM_HUMAN, h);
        rj_pct_format(cases[i].e2, RJ_NUM_PLAIN, p);
        assert_string_equal(h, cases[i].human);
        assert_string_equal(p, cases[i].plain);
    }
    /* a percentage printed with '%' reads back as a decimal */
    char buf[RJ_NUM_MAX + 1], h[RJ_NUM_MAX];
    int64_t v;
    rj_pct_format(-74, RJ_NUM_HUMAN, h);
    snprintf(buf, sizeof(buf), "%s%%", h);
    assert_int_equal(rj_dec_parse(buf, &v, NULL), 0);
    assert_true(v == -7400);
}

static void test_dec_format(void **state)
{
    (void)state;
    static const struct {
        int64_t v;
        const char *human, *plain;
    } cases[] = {
        {122300, "12,23", "12.23"},
        {1000000, "100", "100"},
        {-41400, "-4,14", "-4.14"},
        {1057870000, "105.787", "105787"},
        {5000, "0,5", "0.5"},
        {-1, "-0,0001", "-0.0001"},
        {1234, "0,1234", "0.1234"},
        {INT64_MAX, "922.337.203.685.477,5807", "922337203685477.5807"},
        {INT64_MIN, "-922.337.203.685.477,5808", "-922337203685477.5808"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char h[RJ_NUM_MAX], p[RJ_NUM_MAX];
        rj_dec_format(cases[i].v, RJ_NUM_HUMAN, h);
        rj_dec_format(cases[i].v, RJ_NUM_PLAIN, p);
        assert_string_equal(h, cases[i].human);
        assert_string_equal(p, cases[i].plain);
    }
    char m[RJ_NUM_MAX];
    rj_money_format(0, RJ_NUM_HUMAN, m);
    assert_string_equal(m, "0");
    rj_money_format(-113206733, RJ_NUM_HUMAN, m);
    assert_string_equal(m, "(113.206.733)");
    rj_money_format(-113206733, RJ_NUM_PLAIN, m);
    assert_string_equal(m, "-113206733");
}

/* Every value formatted in either form reads back to itself. */
static void test_round_trip_sweep(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t v = (int64_t)x >> (i % 63);
        char buf[RJ_NUM_MAX];
        int64_t back;
        bool present;
        for (int f = 0; f < 2; f++) {
            rj_numfmt fmt = f ? RJ_NUM_PLAIN : RJ_NUM_HUMAN;
            rj_dec_format(v, fmt, buf);
            /* A human 7.133 is for people: refused, never another value. */
            bool amb = rj_dec_ambiguous(buf);
            if (amb && fmt == RJ_NUM_PLAIN)
                fail_msg("dec %lld -> plain %s is ambiguous", (long long)v, buf);
            if (amb ? rj_dec_parse(buf, &back, NULL) != RJ_EINVAL
                    : rj_dec_parse(buf, &back, NULL) != 0 || back != v)
                fail_msg("dec %lld -> %s", (long long)v, buf);
            rj_money_format(v, fmt, buf);
            if (rj_money_parse(buf, &back, &present, NULL) != 0 || back != v)
                fail_msg("money %lld -> %s", (long long)v, buf);
        }
    }
}

/* Random strings of the characters numbers are written with: whatever
 * parses formats back to text that reads as the same value; whatever fails
 * says where and what was expected. */
static void test_random_inputs(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789..,,-()% R";
    uint64_t x = 0x2545f4914f6cdd1du;
    for (int i = 0; i < 200000; i++) {
        char in[32];
        size_t n = 0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t r = x;
        size_t len = (size_t)(x % 24);
        for (; n < len; n++) {
            if (n % 8 == 0) {
                r ^= r << 13;
                r ^= r >> 7;
                r ^= r << 17;
            }
            in[n] = alphabet[(r >> (8 * (n % 8))) % (sizeof(alphabet) - 1)];
        }
        in[n] = '\0';
        int64_t v, back;
        bool present;
        rj_diag d = {{0}};
        char buf[RJ_NUM_MAX];
        if (rj_dec_parse(in, &v, &d) == 0) {
            for (int f = 0; f < 2; f++) {
                rj_dec_format(v, f ? RJ_NUM_PLAIN : RJ_NUM_HUMAN, buf);
                if (!f && rj_dec_ambiguous(buf))
                    continue;
                if (rj_dec_parse(buf, &back, NULL) != 0 || back != v)
                    fail_msg("%s -> %lld -> %s", in, (long long)v, buf);
            }
        } else if (!strstr(d.msg, "position ") || !strstr(d.msg, "expected")) {
            fail_msg("%s: %s", in, d.msg);
        }
        if (rj_money_parse(in, &v, &present, &d) == 0) {
            for (int f = 0; f < 2 && present; f++) {
                rj_money_format(v, f ? RJ_NUM_PLAIN : RJ_NUM_HUMAN, buf);
                if (rj_money_parse(buf, &back, &present, NULL) != 0 || back != v)
                    fail_msg("%s -> %lld -> %s", in, (long long)v, buf);
            }
        } else if (!strstr(d.msg, "position ") || !strstr(d.msg, "expected")) {
            fail_msg("%s: %s", in, d.msg);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_forms),   cmocka_unit_test(test_money_absent),
        cmocka_unit_test(test_money_refused), cmocka_unit_test(test_dec_forms),
        cmocka_unit_test(test_dec_refused),   cmocka_unit_test(test_dec_ambiguous),
        cmocka_unit_test(test_pct_e2),        cmocka_unit_test(test_pct_format),
        cmocka_unit_test(test_dec_format),    cmocka_unit_test(test_round_trip_sweep),
        cmocka_unit_test(test_random_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
