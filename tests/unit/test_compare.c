#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rj_compare.h"
#include "rj_engine_fixture.h"

/* Tabel 3.2: Rancangan APBD, APBD, Perkada 1 and APBD-P columns. */
static const int64_t gaji[] = {3833363000, 3833363000, 4174685382, 3833363000};
static const int64_t tpp[] = {4315132000, 4315132000, 3986900000, 3986900000};
static const int64_t obj[] = {207960000, 55560000, 55560000, 30360000};
static const int64_t brg[] = {10309363000, 6808000480, 7330249480, 7020584747};
static const int64_t alat[] = {290000000, 140000000, 140000000, 168790000};
static const int64_t gedung[] = {1006637800, 168000000, 168000000, 166851000};

typedef struct col {
    Renja__V1__BudgetLine *l[16];
    Renja__V1__Item *i[4];
} col;

static void build(col *c, rj_compare_column *cc, int s)
{
    size_t n = 0;
    c->l[n++] = fx_line("5", false, 0, "Belanja");
    c->l[n++] = fx_line("5.1", false, 0, "Belanja Operasi");
    c->l[n++] = fx_line("5.1.01", false, 0, "Belanja Pegawai");
    c->l[n++] = fx_line("5.1.01.01", true, gaji[s], "Gaji");
    c->l[n++] = fx_line("5.1.01.02", false, 0, "Pegawai Lainnya");
    c->l[n++] = fx_line("5.1.01.02.01", true, tpp[s], "TPP");
    c->l[n++] = fx_line("5.1.01.02.02", true, obj[s], "TPP Objektif");
    c->l[n++] = fx_line("5.1.02", true, brg[s], s == 3 ? "Barang dan Jasa (P)" : "Barang dan Jasa");
    c->l[n++] = fx_line("5.2", false, 0, "Belanja Modal");
    c->l[n++] = fx_line("5.2.02", true, alat[s], "Peralatan");
    c->l[n++] = fx_line("5.2.03", true, gedung[s], "Gedung");
    if (s == 1)
        c->l[n++] = fx_line("5.2.04", true, 7, "Jalan"); /* only at APBD */
    size_t ni = 0;
    c->i[ni++] = fx_item("2.17", false, 0, NULL, NULL, NULL);
    c->i[ni++] = fx_item("2.17.01", true, 100 + s, NULL, NULL, NULL);
    *cc = (rj_compare_column){c->i, ni, c->l, n};
}

static void done(col *c, rj_compare_column *cc, Renja__V1__CompareResponse *out)
{
    fx_free(c->l, cc->n_lines);
    fx_free(c->i, cc->n_items);
    (void)out;
}

static const Renja__V1__CompareRow *row(const Renja__V1__CompareResponse *o, const char *kode)
{
    for (size_t i = 0; i < o->n_rows; i++)
        if (strcmp(o->rows[i]->kode, kode) == 0)
            return o->rows[i];
    return NULL;
}

static void free_out(Renja__V1__CompareResponse *out)
{
    protobuf_c_message_free_unpacked(
        (ProtobufCMessage *)memcpy(rj_malloc(sizeof *out), out, sizeof *out), NULL);
}

static void test_matrix(void **state)
{
    (void)state;
    col c[4];
    rj_compare_column cc[4];
    for (int s = 0; s < 4; s++)
        build(&c[s], &cc[s], s);
    Renja__V1__CompareResponse out = RENJA__V1__COMPARE_RESPONSE__INIT;
    assert_int_equal(rj_compare_compute(cc, 4, NULL, false, &out, NULL), 0);
    assert_int_equal(out.n_rows, 12);
    const Renja__V1__CompareRow *t = row(&out, "5");
    assert_non_null(t);
    assert_int_equal(t->n_values, 4);
    assert_int_equal(t->values[0], 19962455800);
    assert_int_equal(t->values[1], 15320055487); /* with the 7 of 5.2.04 */
    assert_int_equal(t->values[2], 15855394862);
    assert_int_equal(t->values[3], 15206848747);
    assert_int_equal(t->depth, 1);
    assert_true(t->is_line);
    const Renja__V1__CompareRow *op = row(&out, "5.1");
    assert_int_equal(op->values[1], 15012055480);
    assert_int_equal(op->values[2], 15547394862);
    assert_int_equal(op->values[3], 14871207747);
    const Renja__V1__CompareRow *j = row(&out, "5.2.04");
    assert_int_equal(j->n_present, 4);
    assert_false(j->present[0]);
    assert_true(j->present[1]);
    assert_false(j->present[3]);
    assert_int_equal(j->values[3], 0);
    assert_false(j->has_pct); /* first is 0 */
    const Renja__V1__CompareRow *b = row(&out, "5.1.02");
    assert_string_equal(b->nama, "Barang dan Jasa (P)");
    assert_true(b->has_pct);
    assert_int_equal(b->pct_e2, -3190); /* 10.309.363.000 -> 7.020.584.747 */
    assert_null(row(&out, "2.17"));
    for (size_t i = 1; i < out.n_rows; i++)
        assert_true(strcmp(out.rows[i - 1]->kode, out.rows[i]->kode) < 0);
    free_out(&out);

    Renja__V1__CompareResponse dl = RENJA__V1__COMPARE_RESPONSE__INIT;
    assert_int_equal(rj_compare_compute(cc + 1, 3, "all", true, &dl, NULL), 0);
    assert_int_equal(dl.n_rows, 14);
    assert_string_equal(dl.rows[0]->kode, "2.17");
    assert_false(dl.rows[0]->is_line);
    assert_int_equal(dl.rows[0]->depth, 1);
    assert_int_equal(dl.rows[1]->n_values, 2);
    assert_int_equal(dl.rows[1]->values[0], 1);
    assert_int_equal(dl.rows[1]->values[1], 1);
    const Renja__V1__CompareRow *g = row(&dl, "5.1.01.01");
    assert_int_equal(g->values[0], 4174685382 - 3833363000);
    assert_int_equal(g->values[1], 3833363000 - 4174685382);
    assert_true(g->has_pct);
    assert_int_equal(g->pct_e2, 0);
    assert_int_equal(row(&dl, "5.2.04")->values[0], -7);
    free_out(&dl);

    rj_diag d;
    Renja__V1__CompareResponse bad = RENJA__V1__COMPARE_RESPONSE__INIT;
    assert_int_equal(rj_compare_compute(cc, 1, "lines", true, &bad, &d), RJ_EINVAL);
    assert_int_equal(rj_compare_compute(cc, 2, "rekening", false, &bad, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "rekening"));
    assert_int_equal(rj_compare_compute(cc, 0, "lines", false, &bad, &d), RJ_EINVAL);
    for (int s = 0; s < 4; s++)
        done(&c[s], &cc[s], NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
