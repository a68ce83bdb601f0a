#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rj_engine_fixture.h"
#include "rj_eval.h"
#include "rj_num.h"

#define E4(x) ((int64_t)(x)*10000)

/* The seed's examples (Tabel 2-1). */
static void test_seed_capaian(void **state)
{
    (void)state;
    static const struct {
        int64_t target, real, capaian;
        const char *predikat;
    } cases[] = {
        {E4(300), E4(198), 6600, "Sedang"},           {E4(50), E4(139), 27800, "Sangat Tinggi"},
        {122300, -41400, -3385, "Sangat Rendah"},     {101000, 93000, 9208, "Sangat Tinggi"},
        {E4(105787), E4(7133), 674, "Sangat Rendah"}, {E4(913), E4(139), 1522, "Sangat Rendah"},
    };
    Renja__V1__Item *it[1];
    it[0] = fx_item("2.17.01.1.01.0001", true, 1000, "Sub", "Sekretariat", "PAD");
    Renja__V1__Realisasi *rs[8];
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        fx_ind(it[0], "ind", "Dokumen", true, cases[i].target, "t");
        rs[i] = fx_real("2.17.01.1.01.0001", 2, (int)i + 1, cases[i].real, 0);
    }
    Renja__V1__EvaluateResponse out = RENJA__V1__EVALUATE_RESPONSE__INIT;
    rj_eval_input in = {it, 1, rs, n, 2};
    assert_int_equal(rj_eval_compute(&in, &out, NULL), 0);
    assert_int_equal(out.n_rows, n);
    for (size_t i = 0; i < n; i++) {
        assert_true(out.rows[i]->has_capaian);
        assert_int_equal(out.rows[i]->capaian_e2, cases[i].capaian);
        assert_string_equal(out.rows[i]->predikat, cases[i].predikat);
        assert_int_equal(out.rows[i]->indikator_no, (int)i + 1);
        assert_true(out.rows[i]->reported);
    }
    assert_int_equal(out.summary->sangat_tinggi, 2);
    assert_int_equal(out.summary->sedang, 1);
    assert_int_equal(out.summary->sangat_rendah, 3);
    assert_int_equal(out.summary->n_met, 0);
    assert_int_equal(out.summary->n_not_started, 0);
    fx_free(it, 1);
    fx_free(rs, n);
    protobuf_c_message_free_unpacked(
        (ProtobufCMessage *)memcpy(rj_malloc(sizeof out), &out, sizeof out), NULL);
}

static void test_predikat_boundaries(void **state)
{
    (void)state;
    /* x / 10000 x 100 with x in hundredths of a percent */
    static const struct {
        int64_t x;
        const char *p;
    } cases[] = {
        {9100, "Sangat Tinggi"}, {9099, "Tinggi"},        {7600, "Tinggi"},
        {7599, "Sedang"},        {6600, "Sedang"},        {6599, "Rendah"},
        {5100, "Rendah"},        {5099, "Sangat Rendah"}, {12345, "Sangat Tinggi"},
        {-1, "Sangat Rendah"},   {0, "Sangat Rendah"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(rj_eval_predikat(cases[i].x, 10000), cases[i].p);
    /* decided on the exact ratio: 90,999 rounds to 91,00 but is Tinggi */
    assert_string_equal(rj_eval_predikat(90999, 100000), "Tinggi");
    int64_t e2;
    assert_true(rj_pct_e2(90999, 100000, &e2));
    assert_int_equal(e2, 9100);
    /* a negative target with a negative realisasi: the ratio is positive */
    assert_string_equal(rj_eval_predikat(-91, -100), "Sangat Tinggi");
    assert_string_equal(rj_eval_predikat(-90, -100), "Tinggi");
    assert_string_equal(rj_eval_predikat(91, -100), "Sangat Rendah");
}

static void test_notes_summary_anggaran(void **state)
{
    (void)state;
    Renja__V1__Item *it[4];
    it[0] = fx_item("2.17.01", false, 0, "Program", NULL, NULL);
    fx_ind(it[0], "Persentase", "%", true, E4(100), "100");
    it[1] = fx_item("2.17.01.1.01", false, 0, "Kegiatan", NULL, NULL);
    it[2] = fx_item("2.17.01.1.01.0001", true, 200000000, "Sub A", "Sekretariat", NULL);
    fx_ind(it[2], "Dokumen", "Dokumen", false, 0, "12 Bulan 3 dok");
    fx_ind(it[2], "Nol", "Dokumen", true, 0, "0");
    Renja__V1__Indikator *neg = fx_ind(it[2], "Kemiskinan", "%", true, E4(5), "5");
    neg->tren = RENJA__V1__TREN__TREN_NEGATIF;
    fx_ind(it[2], "Tak dilapor", "Dokumen", true, E4(3), "3");
    it[3] = fx_item("2.17.01.1.01.0002", true, 50000000, "Sub B", "Sekretariat", NULL);
    fx_ind(it[3], "Dokumen", "Dokumen", true, E4(4), "4");
    Renja__V1__Indikator *neg2 = fx_ind(it[3], "Angka", "%", true, E4(5), "5");
    neg2->tren = RENJA__V1__TREN__TREN_NEGATIF;
    Renja__V1__Realisasi *rs[] = {
        fx_real("2.17.01", 2, 1, E4(100), 0),
        fx_real("2.17.01.1.01.0001", 2, 1, E4(12), 0),
        fx_real("2.17.01.1.01.0001", 2, 2, E4(1), 0),
        fx_real("2.17.01.1.01.0001", 2, 3, 0, 0),
        fx_real("2.17.01.1.01.0001", 1, 4, E4(3), 0), /* another triwulan */
        fx_real("2.17.01.1.01.0001", 2, 0, 0, 150000000),
        fx_real("2.17.01.1.01.0002", 2, 1, E4(4), 0),
        fx_real("2.17.01.1.01.0002", 2, 2, E4(4), 0),
        fx_real("2.17.01.1.01.0002", 2, 0, 0, 1),
    };
    size_t nr = sizeof rs / sizeof rs[0];
    Renja__V1__EvaluateResponse out = RENJA__V1__EVALUATE_RESPONSE__INIT;
    rj_eval_input in = {it, 4, rs, nr, 2};
    assert_int_equal(rj_eval_compute(&in, &out, NULL), 0);
    assert_int_equal(out.n_rows, 7);
    assert_string_equal(out.rows[0]->kode, "2.17.01");
    assert_int_equal(out.rows[0]->capaian_e2, 10000);
    Renja__V1__EvalRow **r = out.rows + 1;
    assert_false(r[0]->has_capaian);
    assert_string_equal(r[0]->note, "target is not a number: \"12 Bulan 3 dok\"");
    assert_string_equal(r[1]->note, "target is 0");
    assert_string_equal(r[2]->note, "realisasi is 0 (tren negatif)");
    assert_string_equal(r[0]->catatan, "target bukan angka: \"12 Bulan 3 dok\"");
    assert_string_equal(r[1]->catatan, "target 0");
    assert_string_equal(r[2]->catatan, "realisasi 0 (tren negatif)");
    assert_false(r[3]->reported);
    assert_string_equal(r[3]->note, "not reported");
    assert_int_equal(r[4]->capaian_e2, 10000);
    assert_string_equal(r[5]->predikat, "Sangat Tinggi"); /* 5 / 4 */
    assert_int_equal(r[5]->capaian_e2, 12500);
    assert_int_equal(out.summary->no_capaian, 3);
    assert_int_equal(out.summary->not_reported, 1);
    assert_int_equal(out.summary->sangat_tinggi, 3);
    assert_int_equal(out.summary->n_met, 1);
    assert_string_equal(out.summary->met[0], "2.17.01.1.01.0002");
    assert_int_equal(out.summary->n_not_started, 0);
    assert_int_equal(out.n_anggaran, 2);
    assert_int_equal(out.anggaran[0]->pagu, 200000000);
    assert_int_equal(out.anggaran[0]->serapan_e2, 7500);
    assert_int_equal(out.anggaran[1]->serapan_e2, 0);
    protobuf_c_message_free_unpacked(
        (ProtobufCMessage *)memcpy(rj_malloc(sizeof out), &out, sizeof out), NULL);

    /* triwulan I: only the fourth indikator reported, with realisasi 3 */
    Renja__V1__EvaluateResponse o1 = RENJA__V1__EVALUATE_RESPONSE__INIT;
    rj_eval_input in1 = {it, 4, rs, nr, 1};
    assert_int_equal(rj_eval_compute(&in1, &o1, NULL), 0);
    assert_int_equal(o1.summary->not_reported, 6);
    assert_int_equal(o1.n_anggaran, 0);
    protobuf_c_message_free_unpacked(
        (ProtobufCMessage *)memcpy(rj_malloc(sizeof o1), &o1, sizeof o1), NULL);

    /* all reported realisasi 0: not started */
    rs[6]->value_e4 = 0;
    rs[7]->value_e4 = 0;
    Renja__V1__EvaluateResponse o2 = RENJA__V1__EVALUATE_RESPONSE__INIT;
    assert_int_equal(rj_eval_compute(&in, &o2, NULL), 0);
    assert_int_equal(o2.summary->n_not_started, 1);
    assert_string_equal(o2.summary->not_started[0], "2.17.01.1.01.0002");
    assert_int_equal(o2.summary->n_met, 0);
    protobuf_c_message_free_unpacked(
        (ProtobufCMessage *)memcpy(rj_malloc(sizeof o2), &o2, sizeof o2), NULL);

    rj_diag d;
    in.tw = 5;
    assert_int_equal(rj_eval_compute(&in, &o2, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "triwulan 5"));
    fx_free(it, 4);
    fx_free(rs, nr);
}

/* Values at the int64 limits: exact predikat, no overflow, no UB; a capaian
 * that does not fit in int64 hundredths is absent and the row says why. */
static void test_int64_limits(void **state)
{
    (void)state;
    static const struct {
        int64_t target, real;
        bool negatif, has_capaian;
        int64_t capaian;
        const char *predikat;
    } cases[] = {
        {1, INT64_MAX, false, false, 0, ""},             /* far beyond int64 hundredths */
        {INT64_MAX, 1, false, true, 0, "Sangat Rendah"}, /* rounds to 0 */
        {INT64_MAX, INT64_MAX, false, true, 10000, "Sangat Tinggi"},
        {INT64_MIN, INT64_MIN, false, true, 10000, "Sangat Tinggi"},
        {INT64_MIN, INT64_MAX, false, true, -10000, "Sangat Rendah"},
        {-1, INT64_MIN, false, false, 0, ""},
        {INT64_MAX, -1, true, false, 0, ""},                  /* target / realisasi */
        {E4(5), E4(-2), true, true, -25000, "Sangat Rendah"}, /* tren negatif, negative */
        {E4(5), E4(4), true, true, 12500, "Sangat Tinggi"},
        {E4(-4), E4(-5), true, true, 8000, "Tinggi"},
    };
    size_t n = sizeof cases / sizeof cases[0];
    Renja__V1__Item *it[1];
    it[0] = fx_item("2.17.01.1.01.0001", true, INT64_MAX, "Sub", "Sekretariat", "PAD");
    Renja__V1__Realisasi *rs[16];
    for (size_t i = 0; i < n; i++) {
        Renja__V1__Indikator *ind = fx_ind(it[0], "ind", "%", true, cases[i].target, "t");
        if (cases[i].negatif)
            ind->tren = RENJA__V1__TREN__TREN_NEGATIF;
        rs[i] = fx_real("2.17.01.1.01.0001", 4, (int)i + 1, cases[i].real, 0);
    }
    rs[n] = fx_real("2.17.01.1.01.0001", 4, 0, 0, INT64_MAX);
    Renja__V1__EvaluateResponse out = RENJA__V1__EVALUATE_RESPONSE__INIT;
    rj_eval_input in = {it, 1, rs, n + 1, 4};
    assert_int_equal(rj_eval_compute(&in, &out, NULL), 0);
    assert_int_equal(out.n_rows, n);
    int no_capaian = 0;
    for (size_t i = 0; i < n; i++) {
        const Renja__V1__EvalRow *r = out.rows[i];
        if (r->has_capaian != cases[i].has_capaian)
            fail_msg("case %zu: has_capaian %d", i, r->has_capaian);
        if (r->has_capaian) {
            assert_int_equal(r->capaian_e2, cases[i].capaian);
            assert_string_equal(r->note, "");
        } else {
            /* without capaian the row says why, and has no predikat */
            assert_non_null(strstr(r->note, "capaian"));
            no_capaian++;
        }
        assert_string_equal(r->predikat, cases[i].predikat);
    }
    assert_int_equal(out.summary->no_capaian, no_capaian);
    assert_int_equal(out.summary->sangat_tinggi + out.summary->tinggi + out.summary->sedang +
                         out.summary->rendah + out.summary->sangat_rendah + no_capaian,
                     n);
    assert_int_equal(out.n_anggaran, 1);
    assert_true(out.anggaran[0]->has_serapan);
    assert_int_equal(out.anggaran[0]->serapan_e2, 10000);
    fx_free(it, 1);
    fx_free(rs, n + 1);
    protobuf_c_message_free_unpacked(
        (ProtobufCMessage *)memcpy(rj_malloc(sizeof out), &out, sizeof out), NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_capaian),
        cmocka_unit_test(test_predikat_boundaries),
        cmocka_unit_test(test_notes_summary_anggaran),
        cmocka_unit_test(test_int64_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
