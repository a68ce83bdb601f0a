#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rj_kode.h"

typedef struct seed_kode {
    const char *in;
    const char *canon;
    rj_level level;
} seed_kode;

/* Every program-tree code printed in the tables of
 * renja-perubahan-2024-diskopukm-sumsel.md (Tabel 2.1, 3.1), as written. */
static const seed_kode seed_kodes[] = {
    {"2.17", "2.17", RJ_LEVEL_URUSAN},
    {"2.17.01", "2.17.01", RJ_LEVEL_PROGRAM},
    {"2.17.01.1.02", "2.17.01.1.02", RJ_LEVEL_KEGIATAN},
    {"2.17.01.1.05", "2.17.01.1.05", RJ_LEVEL_KEGIATAN},
    {"2.17.01.1.06", "2.17.01.1.06", RJ_LEVEL_KEGIATAN},
    {"2.17.01.1.07", "2.17.01.1.07", RJ_LEVEL_KEGIATAN},
    {"2.17.01.1.08", "2.17.01.1.08", RJ_LEVEL_KEGIATAN},
    {"2.17.01.1.08.01", "2.17.01.1.08.0001", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.1.08.02", "2.17.01.1.08.0002", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.1.08.04", "2.17.01.1.08.0004", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.1.09", "2.17.01.1.09", RJ_LEVEL_KEGIATAN},
    {"2.17.01.101", "2.17.01.1.01", RJ_LEVEL_KEGIATAN},
    {"2.17.01.101.01", "2.17.01.1.01.0001", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.102.01", "2.17.01.1.02.0001", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.102.02", "2.17.01.1.02.0002", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.102.03", "2.17.01.1.02.0003", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.105.02", "2.17.01.1.05.0002", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.105.09", "2.17.01.1.05.0009", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.106.01", "2.17.01.1.06.0001", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.106.02", "2.17.01.1.06.0002", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.106.04", "2.17.01.1.06.0004", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.106.05", "2.17.01.1.06.0005", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.106.09", "2.17.01.1.06.0009", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.106.11", "2.17.01.1.06.0011", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.107.02", "2.17.01.1.07.0002", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.107.05", "2.17.01.1.07.0005", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.107.06", "2.17.01.1.07.0006", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.109.02", "2.17.01.1.09.0002", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.109.06", "2.17.01.1.09.0006", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.01.109.09", "2.17.01.1.09.0009", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.02", "2.17.02", RJ_LEVEL_PROGRAM},
    {"2.17.02.1.01", "2.17.02.1.01", RJ_LEVEL_KEGIATAN},
    {"2.17.02.1.01.01", "2.17.02.1.01.0001", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.03", "2.17.03", RJ_LEVEL_PROGRAM},
    {"2.17.03.1.01", "2.17.03.1.01", RJ_LEVEL_KEGIATAN},
    {"2.17.03.1.01.02", "2.17.03.1.01.0002", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.04", "2.17.04", RJ_LEVEL_PROGRAM},
    {"2.17.04.1.01", "2.17.04.1.01", RJ_LEVEL_KEGIATAN},
    {"2.17.04.1.01.01", "2.17.04.1.01.0001", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.05", "2.17.05", RJ_LEVEL_PROGRAM},
    {"2.17.05.1.01", "2.17.05.1.01", RJ_LEVEL_KEGIATAN},
    {"2.17.05.1.01.01", "2.17.05.1.01.0001", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.06", "2.17.06", RJ_LEVEL_PROGRAM},
    {"2.17.06.1.01", "2.17.06.1.01", RJ_LEVEL_KEGIATAN},
    {"2.17.06.1.01.02", "2.17.06.1.01.0002", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.06.1.01.03", "2.17.06.1.01.0003", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.06.1.01.09", "2.17.06.1.01.0009", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.07", "2.17.07", RJ_LEVEL_PROGRAM},
    {"2.17.07.1.01", "2.17.07.1.01", RJ_LEVEL_KEGIATAN},
    {"2.17.07.1.01.01", "2.17.07.1.01.0001", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.07.1.01.011", "2.17.07.1.01.0011", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.07.1.01.02", "2.17.07.1.01.0002", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.08", "2.17.08", RJ_LEVEL_PROGRAM},
    {"2.17.08.1.01", "2.17.08.1.01", RJ_LEVEL_KEGIATAN},
    {"2.17.08.1.01.01", "2.17.08.1.01.0001", RJ_LEVEL_SUB_KEGIATAN},
    {"2.17.08.1.01.02", "2.17.08.1.01.0002", RJ_LEVEL_SUB_KEGIATAN},
};
#define N_SEED (sizeof(seed_kodes) / sizeof(seed_kodes[0]))

static void test_seed_codes(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SEED; i++) {
        char out[RJ_KODE_MAX];
        rj_level lv = RJ_LEVEL_NONE;
        rj_diag d = {{0}};
        int rc = rj_kode_parse(seed_kodes[i].in, out, &lv, &d);
        if (rc)
            fail_msg("%s: %s", seed_kodes[i].in, d.msg);
        assert_string_equal(out, seed_kodes[i].canon);
        assert_int_equal(lv, seed_kodes[i].level);
        assert_int_equal(rj_kode_level(out), seed_kodes[i].level);
        /* canonical form parses to itself */
        char again[RJ_KODE_MAX];
        assert_int_equal(rj_kode_parse(out, again, &lv, &d), 0);
        assert_string_equal(again, out);
    }
}

static void test_documented_forms(void **state)
{
    (void)state;
    static const seed_kode forms[] = {
        {"2.17", "2.17", RJ_LEVEL_URUSAN},
        {"2.17.01", "2.17.01", RJ_LEVEL_PROGRAM},
        {"2.17.01.1.01", "2.17.01.1.01", RJ_LEVEL_KEGIATAN},
        {"2.17.01.101", "2.17.01.1.01", RJ_LEVEL_KEGIATAN},
        {"2.17.01.1.02", "2.17.01.1.02", RJ_LEVEL_KEGIATAN},
        {"2.17.01.1.01.0001", "2.17.01.1.01.0001", RJ_LEVEL_SUB_KEGIATAN},
        {"2.17.01.101.01", "2.17.01.1.01.0001", RJ_LEVEL_SUB_KEGIATAN},
        {"2.17.01.1.08.02", "2.17.01.1.08.0002", RJ_LEVEL_SUB_KEGIATAN},
        {"2.17.07.1.01.011", "2.17.07.1.01.0011", RJ_LEVEL_SUB_KEGIATAN},
        {"2.17.07.1.01.1", "2.17.07.1.01.0001", RJ_LEVEL_SUB_KEGIATAN},
        {"2.17.07.1.01.9999", "2.17.07.1.01.9999", RJ_LEVEL_SUB_KEGIATAN},
        {"1.02.01.2.01.0001", "1.02.01.2.01.0001", RJ_LEVEL_SUB_KEGIATAN},
        {"1.02.01.201.1", "1.02.01.2.01.0001", RJ_LEVEL_SUB_KEGIATAN},
        {"  2.17.01.101 \t", "2.17.01.1.01", RJ_LEVEL_KEGIATAN},
        {"\n2.17\n", "2.17", RJ_LEVEL_URUSAN},
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        char out[RJ_KODE_MAX];
        rj_level lv = RJ_LEVEL_NONE;
        rj_diag d = {{0}};
        if (rj_kode_parse(forms[i].in, out, &lv, &d))
            fail_msg("%s: %s", forms[i].in, d.msg);
        assert_string_equal(out, forms[i].canon);
        assert_int_equal(lv, forms[i].level);
    }
    /* level may be NULL */
    char out[RJ_KODE_MAX];
    assert_int_equal(rj_kode_parse("2.17.01", out, NULL, NULL), 0);
    assert_string_equal(out, "2.17.01");
}

typedef struct bad_kode {
    const char *in;
    int pos; /* 1-based position named in the message */
} bad_kode;

/* The message must quote the (trimmed) input, name the position and say what
 * was expected. */
static void assert_kode_error(const char *kind, const char *in, const char *quoted, int pos, int rc,
                              const rj_diag *d)
{
    if (rc != RJ_EINVAL)
        fail_msg("%s \"%s\": rc %d, expected RJ_EINVAL", kind, in, rc);
    char want[128];
    snprintf(want, sizeof(want), "%s \"%s\": ", kind, quoted);
    if (strncmp(d->msg, want, strlen(want)) != 0)
        fail_msg("%s: message does not start with %s: %s", in, want, d->msg);
    snprintf(want, sizeof(want), "position %d", pos);
    const char *p = strstr(d->msg, want);
    if (!p || (p[strlen(want)] != ' ' && p[strlen(want)] != ':'))
        fail_msg("%s: message does not name position %d: %s", in, pos, d->msg);
    if (!strstr(d->msg, "expected"))
        fail_msg("%s: message does not say what was expected: %s", in, d->msg);
}

static void test_malformed(void **state)
{
    (void)state;
    static const bad_kode bad[] = {
        {"2.17.01.10.01", 9},        /* 4th segment of 2 digits: neither form */
        {"2.17.1", 6},               /* program has 2 digits */
        {"2.17.01.3.01", 9},         /* level 3 does not exist */
        {"2.17.01.301", 9},          /* same, joined form */
        {"2.17.01.0.01", 9},         /* level 0 */
        {"2.17.01.1.01.0000", 14},   /* sub kegiatan 0000 */
        {"2.17.01.101.00", 13},      /* sub kegiatan 0 */
        {"2.17.01.1.01.00001", 14},  /* more than 4 digits */
        {"2.17.01.1.01.12345", 14},  /* more than 4 digits */
        {"2.1a.01", 4},              /* letter */
        {"A.17", 1},                 /* letter */
        {"2.17.01.1.01.-1", 14},     /* sign */
        {"2,17", 2},                 /* comma */
        {"2..17", 3},                /* empty segment */
        {".2.17", 1},                /* leading dot */
        {"2.17.", 5},                /* trailing dot */
        {"2.17.01.1.01.", 13},       /* trailing dot */
        {"2.17 .01", 5},             /* whitespace inside */
        {"2. 17", 3},                /* whitespace inside */
        {"2.17.01.1.01.0001 2", 18}, /* whitespace inside */
        {"", 1},                     /* empty */
        {"   ", 1},                  /* blank */
        {"2", 2},                    /* urusan digit only */
        {"217", 1},                  /* no dots */
        {"21.7", 1},                 /* urusan has 1 digit */
        {"2.7", 3},                  /* bidang urusan has 2 digits */
        {"2.170", 3},                /* bidang urusan has 2 digits */
        {"2.17.00", 6},              /* program 00 */
        {"2.17.001", 6},             /* program of 3 digits */
        {"2.17.01.1", 10},           /* level without kegiatan */
        {"2.17.01.1.1", 11},         /* kegiatan has 2 digits */
        {"2.17.01.1.001", 11},       /* kegiatan has 2 digits */
        {"2.17.01.1.00", 11},        /* kegiatan 00 */
        {"2.17.01.100", 9},          /* kegiatan 00, joined form */
        {"2.17.01.10", 9},           /* 4th segment of 2 digits */
        {"2.17.01.1001", 9},         /* 4th segment of 4 digits */
        {"2.17.01.101.01.01", 16},   /* joined form has at most 5 segments */
        {"2.17.01.1.01.0001.1", 19}, /* 7 segments */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char out[RJ_KODE_MAX] = "untouched";
        rj_level lv = RJ_LEVEL_PROGRAM;
        rj_diag d = {{0}};
        int rc = rj_kode_parse(bad[i].in, out, &lv, &d);
        /* quoted as trimmed */
        const char *q = bad[i].in;
        char trimmed[64];
        while (*q == ' ')
            q++;
        snprintf(trimmed, sizeof(trimmed), "%s", q);
        assert_kode_error("kode", bad[i].in, trimmed, bad[i].pos, rc, &d);
        assert_string_equal(out, "untouched");
        assert_int_equal(lv, RJ_LEVEL_PROGRAM);
        assert_int_equal(rj_kode_level(bad[i].in), RJ_LEVEL_NONE);
    }
}

static void test_message_text(void **state)
{
    (void)state;
    char out[RJ_KODE_MAX];
    rj_diag d;
    assert_int_equal(rj_kode_parse("2.17.01.10.01", out, NULL, &d), RJ_EINVAL);
    assert_string_equal(d.msg, "kode \"2.17.01.10.01\": segment 4 \"10\" at position 9 is not a "
                               "level+kegiatan: expected a kode like 2.17.01.1.01 (kegiatan) or "
                               "2.17.01.1.01.0001 (sub kegiatan)");
    /* positions count from the first non-blank character */
    assert_int_equal(rj_kode_parse("   2.17.1", out, NULL, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "kode \"2.17.1\": segment 3 \"1\" at position 6"));
    /* a long input is cut short in the message, which stays readable */
    char big[400];
    memset(big, '1', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(rj_kode_parse(big, out, NULL, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "...\""));
    assert_non_null(strstr(d.msg, "expected"));
    /* NULL diag is fine */
    assert_int_equal(rj_kode_parse("2.17.1", out, NULL, NULL), RJ_EINVAL);
    assert_int_equal(rj_kode_parse(NULL, out, NULL, &d), RJ_EINVAL);
}

static void test_level(void **state)
{
    (void)state;
    assert_int_equal(rj_kode_level("2.17"), RJ_LEVEL_URUSAN);
    assert_int_equal(rj_kode_level("2.17.01"), RJ_LEVEL_PROGRAM);
    assert_int_equal(rj_kode_level("2.17.01.1.01"), RJ_LEVEL_KEGIATAN);
    assert_int_equal(rj_kode_level("2.17.01.1.01.0001"), RJ_LEVEL_SUB_KEGIATAN);
    /* accepted on input but not canonical */
    assert_int_equal(rj_kode_level("2.17.01.101"), RJ_LEVEL_NONE);
    assert_int_equal(rj_kode_level("2.17.01.1.01.01"), RJ_LEVEL_NONE);
    assert_int_equal(rj_kode_level(" 2.17"), RJ_LEVEL_NONE);
    assert_int_equal(rj_kode_level(""), RJ_LEVEL_NONE);
    assert_int_equal(rj_kode_level(NULL), RJ_LEVEL_NONE);

    assert_string_equal(rj_level_name(RJ_LEVEL_URUSAN), "urusan");
    assert_string_equal(rj_level_name(RJ_LEVEL_PROGRAM), "program");
    assert_string_equal(rj_level_name(RJ_LEVEL_KEGIATAN), "kegiatan");
    assert_string_equal(rj_level_name(RJ_LEVEL_SUB_KEGIATAN), "sub kegiatan");

    rj_level lv = RJ_LEVEL_NONE;
    assert_int_equal(rj_level_parse("urusan", &lv), 0);
    assert_int_equal(lv, RJ_LEVEL_URUSAN);
    assert_int_equal(rj_level_parse("program", &lv), 0);
    assert_int_equal(lv, RJ_LEVEL_PROGRAM);
    assert_int_equal(rj_level_parse("kegiatan", &lv), 0);
    assert_int_equal(lv, RJ_LEVEL_KEGIATAN);
    lv = RJ_LEVEL_NONE;
    assert_int_equal(rj_level_parse("sub-kegiatan", &lv), 0);
    assert_int_equal(lv, RJ_LEVEL_SUB_KEGIATAN);
    lv = RJ_LEVEL_NONE;
    assert_int_equal(rj_level_parse("sub kegiatan", &lv), 0);
    assert_int_equal(lv, RJ_LEVEL_SUB_KEGIATAN);
    lv = RJ_LEVEL_NONE;
    assert_int_equal(rj_level_parse("Sub Kegiatan", &lv), 0);
    assert_int_equal(lv, RJ_LEVEL_SUB_KEGIATAN);
    lv = RJ_LEVEL_NONE;
    assert_int_equal(rj_level_parse("subkegiatan", &lv), 0);
    assert_int_equal(lv, RJ_LEVEL_SUB_KEGIATAN);
    lv = RJ_LEVEL_KEGIATAN;
    assert_int_equal(rj_level_parse("sub", &lv), RJ_EINVAL);
    assert_int_equal(rj_level_parse("", &lv), RJ_EINVAL);
    assert_int_equal(rj_level_parse("programs", &lv), RJ_EINVAL);
    assert_int_equal(lv, RJ_LEVEL_KEGIATAN);
}

static void test_parent(void **state)
{
    (void)state;
    char out[RJ_KODE_MAX];
    assert_true(rj_kode_parent("2.17.01.1.01.0001", out));
    assert_string_equal(out, "2.17.01.1.01");
    assert_true(rj_kode_parent(out, out)); /* in place */
    assert_string_equal(out, "2.17.01");
    assert_true(rj_kode_parent(out, out));
    assert_string_equal(out, "2.17");
    strcpy(out, "unchanged");
    assert_false(rj_kode_parent("2.17", out));
    assert_false(rj_kode_parent("2.17.01.101", out)); /* not canonical */
    assert_false(rj_kode_parent("", out));
    assert_string_equal(out, "unchanged");
}

static void test_goal(void **state)
{
    (void)state;
    static const struct {
        const char *in, *canon;
        rj_goal_kind kind;
    } ok[] = {{"T1", "T1", RJ_GOAL_TUJUAN},        {"t1", "T1", RJ_GOAL_TUJUAN},
              {" T01 ", "T1", RJ_GOAL_TUJUAN},     {"T99", "T99", RJ_GOAL_TUJUAN},
              {"T1.S2", "T1.S2", RJ_GOAL_SASARAN}, {"t2.s10", "T2.S10", RJ_GOAL_SASARAN}};
    char out[RJ_KODE_MAX];
    rj_goal_kind k;
    rj_diag d;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(rj_goal_parse(ok[i].in, out, &k, &d), 0);
        assert_string_equal(out, ok[i].canon);
        assert_int_equal(k, ok[i].kind);
        assert_int_equal(rj_goal_kind_of(ok[i].canon), ok[i].kind);
    }
    static const char *bad[] = {"",     "T",    "T0",     "T100",  "S1",   "T1.S0",
                                "T1S1", "T1.S", "T1.S2.", "T1.T2", "2.17", "T1 .S2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(rj_goal_parse(bad[i], out, &k, &d), RJ_EINVAL);
        assert_non_null(strstr(d.msg, "expected a tujuan T<n> or a sasaran T<n>.S<m>"));
    }
    assert_int_equal(rj_goal_kind_of("t1"), RJ_GOAL_NONE); /* not canonical */
    assert_true(rj_goal_parent("T1.S2", out));
    assert_string_equal(out, "T1");
    strcpy(out, "T3.S1");
    assert_true(rj_goal_parent(out, out)); /* in place */
    assert_string_equal(out, "T3");
    assert_false(rj_goal_parent("T1", out));
    assert_false(rj_kode_in_subtree("T10", "T1"));
    assert_true(rj_kode_in_subtree("T1.S1", "T1"));
    assert_string_equal(rj_goal_kind_name(RJ_GOAL_SASARAN), "sasaran");
}

static void test_subtree(void **state)
{
    (void)state;
    assert_true(rj_kode_in_subtree("2.17.01.1.01", "2.17.01"));
    assert_true(rj_kode_in_subtree("2.17.01.1.01.0001", "2.17.01.1.01"));
    assert_true(rj_kode_in_subtree("2.17.01.1.01.0001", "2.17"));
    assert_true(rj_kode_in_subtree("2.17.01", "2.17.01"));
    assert_true(rj_kode_in_subtree("2.17.01", ""));
    assert_false(rj_kode_in_subtree("2.17", "2.17.01"));
    assert_false(rj_kode_in_subtree("2.17.02.1.01", "2.17.01"));
    assert_false(rj_kode_in_subtree("2.17.010", "2.17.01"));
    assert_false(rj_kode_in_subtree("2.170", "2.17"));
    /* rekening */
    assert_true(rj_kode_in_subtree("5.1.01.01", "5.1"));
    assert_true(rj_kode_in_subtree("5.1", "5.1"));
    assert_false(rj_kode_in_subtree("5.10", "5.1"));
    assert_false(rj_kode_in_subtree("5.2.02", "5.1"));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Canonical codes sort in tree order as plain bytes: every parent comes
 * before its children, and a subtree is contiguous. */
static void test_byte_order_is_tree_order(void **state)
{
    (void)state;
    const char *sorted[N_SEED];
    for (size_t i = 0; i < N_SEED; i++)
        sorted[i] = seed_kodes[i].canon;
    qsort(sorted, N_SEED, sizeof(sorted[0]), cmp_str);
    for (size_t i = 0; i < N_SEED; i++) {
        char parent[RJ_KODE_MAX];
        if (!rj_kode_parent(sorted[i], parent))
            continue;
        size_t j = 0;
        while (j < i && strcmp(sorted[j], parent) != 0)
            j++;
        if (j == i)
            continue; /* parent not printed in the seed */
        for (size_t m = j; m <= i; m++)
            if (!rj_kode_in_subtree(sorted[m], parent))
                fail_msg("%s between %s and its child %s", sorted[m], parent, sorted[i]);
    }
}

static void test_rekening(void **state)
{
    (void)state;
    static const struct {
        const char *in, *canon;
        int depth;
    } ok[] = {
        {"5", "5", 1},
        {"5.1", "5.1", 2},
        {"5.1.01", "5.1.01", 3},
        {"5.1.1", "5.1.01", 3},
        {"5.1.01.01", "5.1.01.01", 4},
        {"5.1.01.01.01", "5.1.01.01.01", 5},
        {"5.1.01.01.01.0001", "5.1.01.01.01.0001", 6},
        {"5.1.1.1.1.1", "5.1.01.01.01.0001", 6},
        {"5.2.02.01.01.12", "5.2.02.01.01.0012", 6},
        {" 5.2.3 ", "5.2.03", 3},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char out[RJ_KODE_MAX];
        int depth = 0;
        rj_diag d = {{0}};
        if (rj_rekening_parse(ok[i].in, out, &depth, &d))
            fail_msg("%s: %s", ok[i].in, d.msg);
        assert_string_equal(out, ok[i].canon);
        assert_int_equal(depth, ok[i].depth);
        assert_int_equal(rj_rekening_depth(out), ok[i].depth);
    }
    static const bad_kode bad[] = {
        {"51", 1},                  /* first segment has 1 digit */
        {"5.12", 3},                /* second segment has 1 digit */
        {"5.1.001", 5},             /* at most 2 digits */
        {"5.1.01.01.01.00001", 14}, /* at most 4 digits */
        {"5.1.01.01.01.0001.1", 19},
        {"5..1", 3},
        {"5.1.", 4},
        {"", 1},
        {"5.1.a", 5},
        {"5.1 .01", 4},
        {"5.0", 3}, /* zero */
        {"5.1.00", 5},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char out[RJ_KODE_MAX] = "untouched";
        int depth = 7;
        rj_diag d = {{0}};
        int rc = rj_rekening_parse(bad[i].in, out, &depth, &d);
        assert_kode_error("rekening", bad[i].in, bad[i].in, bad[i].pos, rc, &d);
        assert_string_equal(out, "untouched");
        assert_int_equal(depth, 7);
    }
    assert_int_equal(rj_rekening_depth("5.1.1"), 0);
    assert_int_equal(rj_rekening_depth(""), 0);
    assert_int_equal(rj_rekening_depth(NULL), 0);

    char out[RJ_KODE_MAX];
    assert_true(rj_rekening_parent("5.1.01.01.01.0001", out));
    assert_string_equal(out, "5.1.01.01.01");
    assert_true(rj_rekening_parent("5.1.01", out));
    assert_string_equal(out, "5.1");
    assert_true(rj_rekening_parent(out, out));
    assert_string_equal(out, "5");
    assert_false(rj_rekening_parent("5", out));
    assert_false(rj_rekening_parent("5.1.1", out));
    assert_string_equal(out, "5");
}

/* Random strings of digits and dots: whatever parses comes out canonical
 * and stable; whatever fails says where and what was expected. */
static void test_random_inputs(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789....";
    uint64_t x = 0x2545f4914f6cdd1du;
    for (int i = 0; i < 200000; i++) {
        char in[24];
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t n = 1 + (size_t)(x % 20);
        uint64_t r = x;
        for (size_t j = 0; j < n; j++) {
            if (j % 8 == 0) {
                r ^= r << 13;
                r ^= r >> 7;
                r ^= r << 17;
            }
            in[j] = alphabet[(r >> (8 * (j % 8))) % (sizeof(alphabet) - 1)];
        }
        in[n] = '\0';
        char out[RJ_KODE_MAX], again[RJ_KODE_MAX];
        rj_level lv = RJ_LEVEL_NONE, lv2;
        rj_diag d = {{0}};
        if (rj_kode_parse(in, out, &lv, &d) == 0) {
            if (rj_kode_level(out) != lv)
                fail_msg("%s -> %s is not canonical", in, out);
            assert_int_equal(rj_kode_parse(out, again, &lv2, &d), 0);
            assert_string_equal(again, out);
        } else if (!strstr(d.msg, "position ") || !strstr(d.msg, "expected")) {
            fail_msg("%s: %s", in, d.msg);
        }
        int depth;
        if (rj_rekening_parse(in, out, &depth, &d) == 0) {
            if (rj_rekening_depth(out) != depth)
                fail_msg("rekening %s -> %s is not canonical", in, out);
        } else if (!strstr(d.msg, "position ") || !strstr(d.msg, "expected")) {
            fail_msg("%s: %s", in, d.msg);
        }
    }
}

/* rj_kode_level answers canonical shapes without parsing: on kodes of
 * those shapes (zeros likely in every segment, now and then a character
 * changed), it says what the parse says. */
static void test_level_equals_parse(void **state)
{
    (void)state;
    static const char tmpl[] = "D.DD.DD.D.DD.DDDD";
    static const size_t lens[] = {4, 7, 12, 17, 3, 5, 11, 13, 16, 18};
    static const char other[] = "0123456789. a";
    uint64_t x = 0x9e3779b97f4a7c15u;
    int seen[5] = {0};
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t r = x;
        size_t n = lens[r % 10];
        char in[24];
        for (size_t j = 0; j < n; j++) {
            r = r * 6364136223846793005u + 1442695040888963407u;
            char t = j < sizeof tmpl - 1 ? tmpl[j] : 'D';
            in[j] = t == '.' ? '.' : (r >> 60) < 6 ? '0' : (char)('0' + (r >> 40) % 10);
        }
        if (x % 7 == 0) /* one character changed */
            in[(x >> 20) % n] = other[(x >> 30) % (sizeof other - 1)];
        in[n] = '\0';
        char out[RJ_KODE_MAX];
        rj_level lv = RJ_LEVEL_NONE;
        rj_level want =
            rj_kode_parse(in, out, &lv, NULL) == 0 && strcmp(out, in) == 0 ? lv : RJ_LEVEL_NONE;
        if (rj_kode_level(in) != want)
            fail_msg("%s: level %d, the parse says %d", in, rj_kode_level(in), want);
        seen[want]++;
    }
    for (int l = 0; l < 5; l++) /* every level, and not canonical, came up */
        assert_true(seen[l] > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_codes), cmocka_unit_test(test_documented_forms),
        cmocka_unit_test(test_malformed),  cmocka_unit_test(test_message_text),
        cmocka_unit_test(test_level),      cmocka_unit_test(test_level_equals_parse),
        cmocka_unit_test(test_parent),     cmocka_unit_test(test_goal),
        cmocka_unit_test(test_subtree),    cmocka_unit_test(test_byte_order_is_tree_order),
        cmocka_unit_test(test_rekening),   cmocka_unit_test(test_random_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
