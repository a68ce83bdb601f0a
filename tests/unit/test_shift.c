/* The row-shift rule (rj_shift.h): exact matches only, at every version
 * where the gap exists; exclusions, ties, overflow, negative gaps, items
 * against budget lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rj_engine_fixture.h"
#include "rj_shift.h"

#define M 1000000 /* one million rupiah */

static void free_out(Renja__V1__ValidateResponse *out)
{
    protobuf_c_message_free_unpacked(
        (ProtobufCMessage *)memcpy(rj_malloc(sizeof *out), out, sizeof *out), NULL);
}

/* A small plan: program 2.17.01 with kegiatan .07 (declared d07, children
 * c1 and an unfunded sub kegiatan) and .08 (declared d08, one child c8);
 * program 2.17.02 with one kegiatan of pagu p2; lines 5.2 = 5.2.02 + 5.2.03. */
typedef struct plan {
    Renja__V1__Item *it[8];
    Renja__V1__BudgetLine *ln[3];
} plan;

static void make(plan *p, int64_t d07, int64_t c1, int64_t d08, int64_t c8, int64_t p2, int64_t l2,
                 int64_t l3)
{
    p->it[0] = fx_item("2.17.01", false, 0, "Program A", NULL, NULL);
    p->it[1] = fx_item("2.17.01.1.07", true, d07, "Kegiatan Tujuh", NULL, NULL);
    p->it[2] = fx_item("2.17.01.1.07.0005", false, 0, "Pengadaan Mebel", NULL, NULL);
    p->it[3] = fx_item("2.17.01.1.07.0006", true, c1, "Peralatan", NULL, NULL);
    p->it[4] = fx_item("2.17.01.1.08", true, d08, "Jasa Penunjang", NULL, NULL);
    p->it[5] = fx_item("2.17.01.1.08.0001", true, c8, "Surat Menyurat", NULL, NULL);
    p->it[6] = fx_item("2.17.02", false, 0, "Program B", NULL, NULL);
    p->it[7] = fx_item("2.17.02.1.01", true, p2, "Kegiatan B", NULL, NULL);
    p->ln[0] = fx_line("5.2", true, l2 + l3, "BELANJA MODAL");
    p->ln[1] = fx_line("5.2.02", true, l2, "Belanja Modal Peralatan dan Mesin");
    p->ln[2] = fx_line("5.2.03", true, l3, "Belanja Modal Gedung dan Bangunan");
}

static void drop(plan *p)
{
    fx_free(p->it, 8);
    fx_free(p->ln, 3);
}

static void add(rj_shift *s, const char *label, plan *p)
{
    assert_int_equal(rj_shift_add(s, label, p->it, 8, p->ln, 3, NULL), 0);
}

/* The row-shift findings, as "kode: message" lines, in report order. */
static char *report(rj_shift *s)
{
    Renja__V1__ValidateResponse out = RENJA__V1__VALIDATE_RESPONSE__INIT;
    rj_shift_report(s, &out);
    char *txt = rj_strdup("");
    for (size_t i = 0; i < out.n_findings; i++) {
        assert_string_equal(out.findings[i]->rule, "row-shift");
        assert_string_equal(out.findings[i]->severity, "warning");
        /* the same finding for people, in Indonesian */
        assert_non_null(strstr(out.findings[i]->pesan, "kemungkinan baris bergeser"));
        assert_non_null(strstr(out.findings[i]->pesan, "sebesar "));
        char *next =
            rj_asprintf("%s%s: %s\n", txt, out.findings[i]->kode, out.findings[i]->message);
        free(txt);
        txt = next;
    }
    free_out(&out);
    return txt;
}

static void expect(rj_shift *s, const char *want)
{
    char *got = report(s);
    assert_string_equal(got, want);
    free(got);
}

/* The seed's case: .07 declares 140 over children of 40, and the 100 of
 * kegiatan .08 is the gap, at two versions with two different gaps. */
static void test_seed_shape_two_versions(void **state)
{
    (void)state;
    plan a, b;
    make(&a, 140 * M, 40 * M, 100 * M, 642 * M, 7 * M, 140 * M, 168 * M);
    make(&b, 168 * M, 43 * M, 125 * M, 555 * M, 7 * M, 168 * M, 166 * M);
    rj_shift *s = rj_shift_new();
    add(s, "apbd", &a);
    rj_shift_label_append(s, "perkada-1");
    add(s, "apbd-p", &b);
    expect(s, "2.17.01.1.07: declared pagu exceeds the sum of its children by 100.000.000 at "
              "apbd, perkada-1 and by 125.000.000 at apbd-p: exactly the pagu of item "
              "2.17.01.1.08 (Jasa Penunjang) there, a likely row shift (that figure may belong "
              "among its children)\n");
    rj_shift_free(s);
    drop(&a);
    drop(&b);
}

/* A row that matches at one version only is not named. */
static void test_match_at_one_version_only(void **state)
{
    (void)state;
    plan a, b;
    make(&a, 140 * M, 40 * M, 100 * M, 642 * M, 7 * M, 1 * M, 2 * M);
    make(&b, 168 * M, 43 * M, 124 * M, 555 * M, 7 * M, 1 * M, 2 * M); /* gap 125, .08 is 124 */
    rj_shift *s = rj_shift_new();
    add(s, "apbd", &a);
    add(s, "apbd-p", &b);
    expect(s, "");
    rj_shift_free(s);
    drop(&a);
    drop(&b);
}

/* No figure equals the gap: nothing, although the parent mismatches. */
static void test_no_match(void **state)
{
    (void)state;
    plan a;
    make(&a, 141 * M, 40 * M, 100 * M, 100 * M, 7 * M, 1 * M, 2 * M);
    rj_shift *s = rj_shift_new();
    add(s, "head", &a);
    expect(s, "");
    rj_shift_free(s);
    drop(&a);
}

/* The parent itself, its ancestors and its descendants never explain its
 * gap: a gap of 40 with a child of 40, or a gap equal to its own pagu. */
static void test_own_line_excluded(void **state)
{
    (void)state;
    plan a;
    /* .07 declares 80, children 40: gap 40 = its own child .0006 only */
    make(&a, 80 * M, 40 * M, 100 * M, 100 * M, 7 * M, 1 * M, 2 * M);
    rj_shift *s = rj_shift_new();
    add(s, "head", &a);
    expect(s, "");
    rj_shift_free(s);
    drop(&a);
    /* a program declaring twice its only kegiatan: gap = the kegiatan */
    Renja__V1__Item *it[] = {
        fx_item("2.17.03", true, 20 * M, NULL, NULL, NULL),
        fx_item("2.17.03.1.01", true, 10 * M, NULL, NULL, NULL),
        fx_item("2.17.03.1.01.0001", true, 10 * M, NULL, NULL, NULL),
    };
    s = rj_shift_new();
    assert_int_equal(rj_shift_add(s, "head", it, 3, NULL, 0, NULL), 0);
    expect(s, "");
    rj_shift_free(s);
    fx_free(it, 3);
}

/* Four rows equal the gap at every version: a tie, both named in kode order,
 * the budget line after the items. */
static void test_tie(void **state)
{
    (void)state;
    plan a, b;
    make(&a, 140 * M, 40 * M, 100 * M, 100 * M, 100 * M, 1 * M, 100 * M);
    make(&b, 150 * M, 40 * M, 110 * M, 110 * M, 110 * M, 1 * M, 110 * M);
    rj_shift *s = rj_shift_new();
    add(s, "apbd", &a);
    add(s, "apbd-p", &b);
    expect(s, "2.17.01.1.07: declared pagu exceeds the sum of its children by 100.000.000 at "
              "apbd and by 110.000.000 at apbd-p: exactly the pagu of each of item 2.17.01.1.08 "
              "(Jasa Penunjang), item 2.17.01.1.08.0001 (Surat Menyurat), item 2.17.02.1.01 "
              "(Kegiatan B) and budget line 5.2.03 (Belanja Modal Gedung dan Bangunan) there, a "
              "likely row shift (one of those figures may "
              "belong among its children)\n");
    rj_shift_free(s);
    drop(&a);
    drop(&b);
}

/* A tie at one version that the other version settles. */
static void test_tie_settled_by_other_version(void **state)
{
    (void)state;
    plan a, b;
    make(&a, 140 * M, 40 * M, 100 * M, 100 * M, 100 * M, 1 * M, 100 * M);
    make(&b, 150 * M, 40 * M, 110 * M, 50 * M, 90 * M, 1 * M, 95 * M);
    rj_shift *s = rj_shift_new();
    add(s, "apbd", &a);
    add(s, "apbd-p", &b);
    expect(s, "2.17.01.1.07: declared pagu exceeds the sum of its children by 100.000.000 at "
              "apbd and by 110.000.000 at apbd-p: exactly the pagu of item 2.17.01.1.08 (Jasa "
              "Penunjang) there, a likely row shift (that figure may belong among its "
              "children)\n");
    rj_shift_free(s);
    drop(&a);
    drop(&b);
}

/* More than RJ_SHIFT_MAX rows with the gap's figure: nothing is named. */
static void test_too_many(void **state)
{
    (void)state;
    enum { N = RJ_SHIFT_MAX + 1 };
    Renja__V1__Item *it[2 + N];
    it[0] = fx_item("2.17.01", true, 15 * M, NULL, NULL, NULL);
    it[1] = fx_item("2.17.01.1.01", true, 10 * M, NULL, NULL, NULL);
    for (int i = 0; i < N; i++) {
        char k[32];
        snprintf(k, sizeof k, "2.17.%02d", i + 2);
        it[2 + i] = fx_item(k, true, 5 * M, NULL, NULL, NULL);
    }
    rj_shift *s = rj_shift_new();
    assert_int_equal(rj_shift_add(s, "head", it, 2 + N, NULL, 0, NULL), 0);
    expect(s, "");
    rj_shift_free(s);
    /* with RJ_SHIFT_MAX rows it is a tie of RJ_SHIFT_MAX */
    s = rj_shift_new();
    assert_int_equal(rj_shift_add(s, "head", it, 1 + N, NULL, 0, NULL), 0);
    char *got = report(s);
    assert_non_null(strstr(got, "each of item 2.17.02 (2.17.02), "));
    assert_non_null(strstr(got, " and item 2.17.09 (2.17.09) there"));
    assert_null(strstr(got, "2.17.10"));
    free(got);
    rj_shift_free(s);
    fx_free(it, 2 + N);
}

/* Children summing to more than the parent: the child whose figure is the
 * excess is named; a grandchild or another row with that figure is not. */
static void test_negative_gap(void **state)
{
    (void)state;
    plan a, b;
    /* .08 declares 100 over a child of 642: excess 542, no child is 542 */
    make(&a, 40 * M, 40 * M, 100 * M, 642 * M, 542 * M, 1 * M, 2 * M);
    rj_shift *s = rj_shift_new();
    add(s, "apbd", &a);
    expect(s, "");
    rj_shift_free(s);
    /* .08 declares 0 over its child of 555: the child is the excess */
    make(&b, 40 * M, 40 * M, 0, 555 * M, 7 * M, 1 * M, 2 * M);
    s = rj_shift_new();
    add(s, "apbd-p", &b);
    expect(s, "2.17.01.1.08: the sum of its children exceeds the declared pagu by 555.000.000 at "
              "apbd-p: exactly the pagu of its child item 2.17.01.1.08.0001 (Surat Menyurat) "
              "there, a likely row shift (that figure may belong to another row)\n");
    rj_shift_free(s);
    drop(&a);
    drop(&b);
}

/* A budget line's gap explained by an item, and a version where the parent
 * balances does not count against the row. */
static void test_line_parent_and_balanced_version(void **state)
{
    (void)state;
    plan a, b;
    make(&a, 40 * M, 40 * M, 100 * M, 100 * M, 7 * M, 1 * M, 2 * M);
    a.ln[0]->pagu = 10 * M; /* 5.2 declares 10 over 3: gap 7 = kegiatan 2.17.02.1.01 */
    make(&b, 40 * M, 40 * M, 100 * M, 100 * M, 9 * M, 1 * M, 2 * M); /* balanced */
    rj_shift *s = rj_shift_new();
    add(s, "apbd", &a);
    add(s, "apbd-p", &b);
    expect(s, "5.2: declared pagu exceeds the sum of its children by 7.000.000 at apbd: exactly "
              "the pagu of item 2.17.02.1.01 (Kegiatan B) there, a likely row shift (that figure "
              "may belong among its children)\n");
    rj_shift_free(s);
    drop(&a);
    drop(&b);
}

/* Unsorted input is refused as rj_tree_items refuses it. */
static void test_unsorted(void **state)
{
    (void)state;
    Renja__V1__Item *it[] = {fx_item("2.17.02", true, 1, NULL, NULL, NULL),
                             fx_item("2.17.01", true, 1, NULL, NULL, NULL)};
    rj_shift *s = rj_shift_new();
    rj_diag d = {{0}};
    assert_int_equal(rj_shift_add(s, "head", it, 2, NULL, 0, &d), RJ_EINVAL);
    expect(s, "");
    rj_shift_free(s);
    fx_free(it, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_shape_two_versions),
        cmocka_unit_test(test_match_at_one_version_only),
        cmocka_unit_test(test_no_match),
        cmocka_unit_test(test_own_line_excluded),
        cmocka_unit_test(test_tie),
        cmocka_unit_test(test_tie_settled_by_other_version),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_negative_gap),
        cmocka_unit_test(test_line_parent_and_balanced_version),
        cmocka_unit_test(test_unsorted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
