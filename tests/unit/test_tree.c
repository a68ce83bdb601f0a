#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rj_engine_fixture.h"
#include "rj_tree.h"

/* Leaves roll up through every parent, declared or not; the effective pagu
 * of an undeclared parent is the sum of its children's effective pagu. */
static void test_items_rollup(void **state)
{
    (void)state;
    Renja__V1__Item *it[] = {
        fx_item("2.17", false, 0, NULL, NULL, NULL),
        fx_item("2.17.01", true, 3520000000, NULL, NULL, NULL),
        fx_item("2.17.01.1.01", false, 0, NULL, NULL, NULL),
        fx_item("2.17.01.1.01.0001", true, 3000000000, NULL, NULL, NULL),
        fx_item("2.17.01.1.01.0002", true, 519500000, NULL, NULL, NULL),
        fx_item("2.17.02", false, 0, NULL, NULL, NULL),
        fx_item("2.17.02.1.01", true, 100, NULL, NULL, NULL),
        fx_item("2.17.02.1.01.0001", false, 0, NULL, NULL, NULL),
    };
    size_t n = sizeof it / sizeof it[0];
    rj_tree_node *nodes;
    rj_diag d;
    assert_int_equal(rj_tree_items(it, n, &nodes, &d), 0);
    assert_int_equal(it[3]->pagu_rollup, 3000000000);
    assert_int_equal(it[2]->pagu_rollup, 3519500000);
    assert_int_equal(it[1]->pagu_rollup, 3519500000);
    assert_int_equal(nodes[1].effective, 3520000000);
    assert_int_equal(nodes[1].child_sum, 3519500000);
    assert_int_equal(it[7]->pagu_rollup, 0); /* undeclared leaf */
    assert_int_equal(it[6]->pagu_rollup, 0);
    assert_int_equal(nodes[6].effective, 100);
    assert_int_equal(nodes[5].effective, 100); /* its kegiatan declares 100 */
    assert_int_equal(nodes[5].child_sum, 100);
    assert_int_equal(it[5]->pagu_rollup, 100); /* its child declares 100 */
    /* urusan: roll-up = sum of the children's declared (else rolled-up) pagu */
    assert_int_equal(it[0]->pagu_rollup, 3520000100);
    assert_int_equal(nodes[0].child_sum, 3520000100);
    assert_int_equal(nodes[0].effective, 3520000100);
    assert_int_equal(nodes[3].parent, 2);
    assert_int_equal(nodes[0].parent, RJ_TREE_ROOT);
    assert_int_equal(nodes[0].n_children, 2);
    int64_t total;
    assert_int_equal(rj_tree_total(nodes, n, &total, &d), 0);
    assert_int_equal(total, 3520000100);
    free(nodes);
    fx_free(it, n);
}

/* A missing program: the kegiatan hangs under the urusan, no second root. */
static void test_missing_level(void **state)
{
    (void)state;
    Renja__V1__Item *it[] = {
        fx_item("2.17", false, 0, NULL, NULL, NULL),
        fx_item("2.17.01.1.01", true, 7, NULL, NULL, NULL),
        fx_item("2.18.01", true, 5, NULL, NULL, NULL),
    };
    rj_tree_node *nodes;
    assert_int_equal(rj_tree_items(it, 3, &nodes, NULL), 0);
    assert_int_equal(nodes[1].parent, 0);
    assert_int_equal(nodes[2].parent, RJ_TREE_ROOT);
    int64_t total;
    assert_int_equal(rj_tree_total(nodes, 3, &total, NULL), 0);
    assert_int_equal(total, 12);
    free(nodes);
    fx_free(it, 3);
}

static void test_lines_seed(void **state)
{
    (void)state;
    /* Tabel 3.2, APBD 2024 column */
    Renja__V1__BudgetLine *ln[] = {
        fx_line("5", false, 0, "Belanja"),
        fx_line("5.1", false, 0, "Belanja Operasi"),
        fx_line("5.1.01", false, 0, "Belanja Pegawai"),
        fx_line("5.1.01.01", true, 3833363000, "Gaji dan Tunjangan ASN"),
        fx_line("5.1.01.02", false, 0, "Belanja Pegawai Lainnya ASN"),
        fx_line("5.1.01.02.01", true, 4315132000, "Tambahan Penghasilan ASN"),
        fx_line("5.1.01.02.02", true, 55560000, "TPP Pertimbangan Objektif Lainnya"),
        fx_line("5.1.02", true, 6808000480, "Belanja Barang dan Jasa"),
        fx_line("5.2", false, 0, "Belanja Modal"),
        fx_line("5.2.02", true, 140000000, "Peralatan dan Mesin"),
        fx_line("5.2.03", true, 168000000, "Gedung dan Bangunan"),
    };
    size_t n = sizeof ln / sizeof ln[0];
    rj_tree_node *nodes;
    assert_int_equal(rj_tree_lines(ln, n, &nodes, NULL), 0);
    assert_int_equal(ln[2]->pagu_rollup, 8204055000);
    assert_int_equal(ln[4]->pagu_rollup, 4370692000);
    assert_int_equal(ln[1]->pagu_rollup, 15012055480);
    assert_int_equal(ln[8]->pagu_rollup, 308000000);
    assert_int_equal(ln[0]->pagu_rollup, 15320055480);
    assert_int_equal(ln[5]->depth, 5);
    int64_t total;
    assert_int_equal(rj_tree_total(nodes, n, &total, NULL), 0);
    assert_int_equal(total, 15320055480);
    free(nodes);
    fx_free(ln, n);
}

static void test_unsorted_and_overflow(void **state)
{
    (void)state;
    rj_diag d;
    Renja__V1__Item *it[] = {
        fx_item("2.17.02", true, 1, NULL, NULL, NULL),
        fx_item("2.17.01", true, 1, NULL, NULL, NULL),
    };
    assert_int_equal(rj_tree_items(it, 2, NULL, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "2.17.01"));
    fx_free(it, 2);
    Renja__V1__Item *big[] = {
        fx_item("2.17", false, 0, NULL, NULL, NULL),
        fx_item("2.17.01", true, INT64_MAX, NULL, NULL, NULL),
        fx_item("2.17.02", true, 1, NULL, NULL, NULL),
    };
    assert_int_equal(rj_tree_items(big, 3, NULL, &d), RJ_EOVERFLOW);
    assert_non_null(strstr(d.msg, "2.17"));
    fx_free(big, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items_rollup),
        cmocka_unit_test(test_missing_level),
        cmocka_unit_test(test_lines_seed),
        cmocka_unit_test(test_unsorted_and_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
