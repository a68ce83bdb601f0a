#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rj_engine_fixture.h"
#include "rj_validate.h"

static void free_out(Renja__V1__ValidateResponse *out)
{
    protobuf_c_message_free_unpacked(
        (ProtobufCMessage *)memcpy(rj_malloc(sizeof *out), out, sizeof *out), NULL);
}

static void test_rules(void **state)
{
    (void)state;
    Renja__V1__Item *it[] = {
        fx_item("2.17", false, 0, NULL, NULL, NULL),
        fx_item("2.17.01", true, 3520000000, NULL, NULL, NULL),
        fx_item("2.17.01.1.01", false, 0, NULL, NULL, NULL),
        fx_item("2.17.01.1.01.0001", true, 3000000000, NULL, NULL, NULL),
        fx_item("2.17.01.1.01.0002", true, 519500000, NULL, NULL, NULL),
        fx_item("2.17.03.1.01", true, 10, NULL, NULL, NULL), /* no program 2.17.03 */
        fx_item("2.17.03.1.01.0001", true, -5000, NULL, NULL, NULL),
        fx_item("2.17.04", true, 0, NULL, NULL, NULL),
    };
    size_t n = sizeof it / sizeof it[0];
    it[7]->level = RENJA__V1__LEVEL__LEVEL_KEGIATAN;
    fx_ind(it[3], "Dokumen", "Dokumen", false, 0, "12 Bulan 3 dok");
    fx_ind(it[3], "Laporan", "Laporan", false, 0, ""); /* no target at all: not a finding */
    Renja__V1__BudgetLine *ln[] = {
        fx_line("5", true, 100, NULL), fx_line("5.1", true, 60, NULL),
        fx_line("5.2", true, 40, NULL), fx_line("5.2.02.01", true, 40, NULL), /* no 5.2.02 */
    };
    Renja__V1__ValidateResponse out = RENJA__V1__VALIDATE_RESPONSE__INIT;
    assert_int_equal(rj_validate_version(it, n, ln, 4, &out, NULL), 0);
    rj_validate_sort(&out);
    /* kode, rule, message (English, machine formats), pesan (Indonesian, for people) */
    static const char *want[][4] = {
        {"2.17.01", "rollup-mismatch",
         "declared pagu 3.520.000.000 differs from the sum of its children 3.519.500.000 by "
         "500.000",
         "pagu 3.520.000.000 berbeda dari jumlah rinciannya 3.519.500.000 sebesar 500.000"},
        {"2.17.01.1.01.0001", "target-not-number",
         "target of indikator 1 is not a number: \"12 Bulan 3 dok\"",
         "target indikator 1 bukan angka: \"12 Bulan 3 dok\""},
        {"2.17.03.1.01", "missing-parent", "parent 2.17.03 is missing",
         "induknya, 2.17.03, tidak ada"},
        {"2.17.03.1.01", "rollup-mismatch",
         "declared pagu 10 differs from the sum of its children (5.000) by 5.010",
         "pagu 10 berbeda dari jumlah rinciannya (5.000) sebesar 5.010"},
        {"2.17.03.1.01.0001", "negative-pagu", "declared pagu (5.000) is negative",
         "pagu (5.000) bernilai negatif"},
        {"2.17.04", "level-mismatch", "level is kegiatan but kode 2.17.04 is a program",
         "tingkatnya kegiatan, padahal kode 2.17.04 adalah program"},
        {"5.2.02.01", "missing-parent", "parent 5.2.02 is missing", "induknya, 5.2.02, tidak ada"},
    };
    size_t nw = sizeof want / sizeof want[0];
    for (size_t i = 0; i < out.n_findings && i < nw; i++) {
        assert_string_equal(out.findings[i]->kode, want[i][0]);
        assert_string_equal(out.findings[i]->rule, want[i][1]);
        assert_string_equal(out.findings[i]->message, want[i][2]);
        assert_string_equal(out.findings[i]->pesan, want[i][3]);
    }
    assert_int_equal(out.n_findings, nw);
    assert_string_equal(out.findings[1]->severity, "warning");
    assert_int_equal(rj_validate_errors(&out), nw - 1);
    free_out(&out);

    /* a consistent plan has no findings */
    it[1]->pagu = 3519500000;
    Renja__V1__ValidateResponse ok = RENJA__V1__VALIDATE_RESPONSE__INIT;
    assert_int_equal(rj_validate_version(it, 5, ln, 3, &ok, NULL), 0);
    assert_int_equal(ok.n_findings, 1); /* the target text */
    free_out(&ok);
    fx_free(it, n);
    fx_free(ln, 4);
}

static void test_satuan_changed(void **state)
{
    (void)state;
    Renja__V1__Item *a[] = {fx_item("2.17.01", false, 0, NULL, NULL, NULL),
                            fx_item("2.17.02", false, 0, NULL, NULL, NULL)};
    Renja__V1__Item *b[] = {fx_item("2.17.01", false, 0, NULL, NULL, NULL),
                            fx_item("2.17.03", false, 0, NULL, NULL, NULL)};
    fx_ind(a[0], "x", "Dokumen", true, 1, "1");
    fx_ind(a[0], "y", "Orang", true, 1, "1");
    fx_ind(b[0], "x", "Laporan", true, 1, "1");
    fx_ind(b[0], "y", "Orang", true, 2, "2");
    fx_ind(b[0], "z", "Unit", true, 2, "2");
    Renja__V1__ValidateResponse out = RENJA__V1__VALIDATE_RESPONSE__INIT;
    rj_validate_satuan(a, 2, "apbd", b, 2, "apbd-p", &out);
    assert_int_equal(out.n_findings, 1);
    assert_string_equal(out.findings[0]->rule, "satuan-changed");
    assert_string_equal(out.findings[0]->severity, "warning");
    assert_string_equal(
        out.findings[0]->message,
        "satuan of indikator 1 changed from \"Dokumen\" at apbd to \"Laporan\" at apbd-p");
    assert_string_equal(
        out.findings[0]->pesan,
        "satuan indikator 1 berubah dari \"Dokumen\" pada apbd menjadi \"Laporan\" pada apbd-p");
    free_out(&out);
    fx_free(a, 2);
    fx_free(b, 2);
}

static Renja__V1__Change *ch_item(const char *kode)
{
    Renja__V1__Change *c = rj_malloc(sizeof *c);
    renja__v1__change__init(c);
    c->change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM;
    c->upsert_item = fx_item(kode, true, 1, NULL, NULL, NULL);
    return c;
}

static void test_duplicates(void **state)
{
    (void)state;
    Renja__V1__Change *c[5];
    c[0] = ch_item("2.17.01");
    c[1] = ch_item("2.17.02");
    c[2] = rj_malloc(sizeof *c[2]);
    renja__v1__change__init(c[2]);
    c[2]->change_case = RENJA__V1__CHANGE__CHANGE_REMOVE_ITEM;
    c[2]->remove_item = rj_strdup("2.17.01");
    c[3] = rj_malloc(sizeof *c[3]);
    renja__v1__change__init(c[3]);
    c[3]->change_case = RENJA__V1__CHANGE__CHANGE_REALISASI;
    c[3]->realisasi = fx_real("2.17.02", 2, 1, 1, 0);
    c[4] = rj_malloc(sizeof *c[4]);
    renja__v1__change__init(c[4]);
    c[4]->change_case = RENJA__V1__CHANGE__CHANGE_REALISASI;
    c[4]->realisasi = fx_real("2.17.02", 2, 1, 2, 0);
    Renja__V1__ValidateResponse out = RENJA__V1__VALIDATE_RESPONSE__INIT;
    assert_int_equal(rj_validate_duplicates(c, 5, &out), 2);
    rj_validate_sort(&out);
    assert_string_equal(out.findings[0]->kode, "2.17.01");
    assert_string_equal(out.findings[0]->rule, "duplicate-kode");
    assert_string_equal(out.findings[0]->message, "item/2.17.01 appears 2 times in one submit");
    assert_string_equal(out.findings[0]->pesan, "item/2.17.01 muncul 2 kali dalam satu pengiriman");
    assert_string_equal(out.findings[1]->kode, "2.17.02");
    assert_string_equal(out.findings[1]->message, "real/2.17.02/2/1 appears 2 times in one submit");
    assert_int_equal(rj_validate_duplicates(c + 1, 2, &out), 0);
    free_out(&out);
    fx_free(c, 5);
}

static Renja__V1__Goal *fx_goal(const char *kode, const char *nama, int64_t target_e4,
                                const char *text)
{
    Renja__V1__Goal *g = rj_malloc(sizeof *g);
    renja__v1__goal__init(g);
    g->kode = rj_strdup(kode);
    g->nama = rj_strdup(nama);
    Renja__V1__Item tmp = RENJA__V1__ITEM__INIT;
    fx_ind(&tmp, "ind", "%", text == NULL, target_e4, text ? text : "");
    g->indikator = tmp.indikator;
    g->n_indikator = tmp.n_indikator;
    return g;
}

/* target-not-number of a goal indikator; missing-sasaran of a program. */
static void test_goals(void **state)
{
    (void)state;
    Renja__V1__Goal *g[] = {fx_goal("T1", "Tujuan", 0, "naik"),
                            fx_goal("T1.S1", "Satu", 30000, NULL)};
    Renja__V1__Item *it[] = {fx_item("2.17.07", false, 0, NULL, NULL, NULL),
                             fx_item("2.17.08", false, 0, NULL, NULL, NULL)};
    it[0]->sasaran = rj_malloc(2 * sizeof(char *));
    it[0]->sasaran[0] = rj_strdup("T1.S1");
    it[0]->sasaran[1] = rj_strdup("T1.S2");
    it[0]->n_sasaran = 2;
    Renja__V1__ValidateResponse out = RENJA__V1__VALIDATE_RESPONSE__INIT;
    rj_validate_goals(g, 2, it, 2, &out);
    rj_validate_sort(&out);
    assert_int_equal(out.n_findings, 2);
    assert_string_equal(out.findings[0]->kode, "2.17.07");
    assert_string_equal(out.findings[0]->rule, "missing-sasaran");
    assert_string_equal(out.findings[0]->severity, "warning");
    assert_string_equal(out.findings[0]->message,
                        "names sasaran T1.S2, which the plan does not have");
    assert_string_equal(out.findings[1]->kode, "T1");
    assert_string_equal(out.findings[1]->rule, "target-not-number");
    assert_int_equal(rj_validate_errors(&out), 0);
    free_out(&out);
    fx_free(g, 2);
    fx_free(it, 2);
}

/* satuan-mismatch: a realisasi in a unit its target has no part in; none
 * for a matching unit (any case), a realisasi without unit, a text target
 * or an unknown kode. */
static void test_units(void **state)
{
    (void)state;
    Renja__V1__Item *it[] = {fx_item("2.17.01.1.06.0001", true, 1, NULL, NULL, NULL),
                             fx_item("2.17.01.1.06.0002", true, 1, NULL, NULL, NULL)};
    fx_ind(it[0], "a", "paket", true, 40000, "");
    fx_ind(it[0], "b", "Bulan", true, 120000, "");
    fx_ind(it[1], "c", "dokumen", false, 0, "-");
    Renja__V1__Goal *g[] = {fx_goal("T1", "Tujuan", 50000, NULL)};
    Renja__V1__Realisasi *rs[] = {fx_real("2.17.01.1.06.0001", 2, 1, 60000, 0),
                                  fx_real("2.17.01.1.06.0001", 2, 2, 60000, 0),
                                  fx_real("2.17.01.1.06.0002", 2, 1, 1, 0),
                                  fx_real("T1", 2, 1, 2800, 0),
                                  fx_real("2.17.09", 2, 1, 1, 0),
                                  fx_real("2.17.01.1.06.0001", 3, 1, 1, 0)};
    const char *units[] = {"bulan", "bulan", "lembar", "persen", "x", ""};
    for (size_t i = 0; i < 6; i++) {
        free(rs[i]->satuan == protobuf_c_empty_string ? NULL : rs[i]->satuan);
        rs[i]->satuan = rj_strdup(units[i]);
    }
    Renja__V1__ValidateResponse out = RENJA__V1__VALIDATE_RESPONSE__INIT;
    rj_validate_units(it, 2, g, 1, rs, 6, &out);
    rj_validate_sort(&out);
    assert_int_equal(out.n_findings, 2);
    assert_string_equal(out.findings[0]->kode, "2.17.01.1.06.0001");
    assert_string_equal(out.findings[0]->rule, "satuan-mismatch");
    assert_string_equal(out.findings[0]->message,
                        "realisasi of indikator 1 (s.d. TW 2) is counted in bulan, its target in "
                        "paket: no capaian");
    assert_string_equal(out.findings[1]->kode, "T1");
    assert_string_equal(out.findings[1]->severity, "warning");
    free_out(&out);
    fx_free(it, 2);
    fx_free(g, 1);
    fx_free(rs, 6);
}

/* breakdown-mismatch: compared at the decimals the realisasi is written
 * with: 60,5 and 60,49 agree with 60,4881 %, 47 does not with 54,08 %. */
static void test_breakdown(void **state)
{
    (void)state;
    Renja__V1__Item *it[] = {fx_item("2.17.06", false, 0, NULL, NULL, NULL)};
    fx_ind(it[0], "a", "%", true, 662000, "")->formula = RENJA__V1__FORMULA__FORMULA_RATIO;
    fx_ind(it[0], "b", "%", true, 160000, "")->formula = RENJA__V1__FORMULA__FORMULA_GROWTH;
    const struct {
        int ind;
        int64_t v;
        const char *text;
    } cases[] = {
        {1, 605000, "60,5"}, {1, 604900, "60,49"}, {1, 604800, "60,48"}, {2, 470000, "47"}};
    Renja__V1__Realisasi *rs[4];
    for (int i = 0; i < 4; i++) {
        rs[i] = fx_real("2.17.06", i + 1, cases[i].ind, cases[i].v, 0);
        free(rs[i]->text);
        rs[i]->text = rj_strdup(cases[i].text);
        Renja__V1__BreakdownRow *b[2];
        for (int k = 0; k < 2; k++) {
            b[k] = rj_malloc(sizeof *b[k]);
            renja__v1__breakdown_row__init(b[k]);
            b[k]->lokasi = rj_strdup(k ? "B" : "A");
        }
        if (cases[i].ind == 1) { /* 4.337 of 7.170 = 60,4881 % */
            b[0]->num_e4 = 40000000, b[0]->den_e4 = 50000000;
            b[1]->num_e4 = 3370000, b[1]->den_e4 = 21700000;
        } else { /* 2.033,67 -> 3.141,10 = 54,45 % */
            b[0]->before_e4 = 20000000, b[0]->after_e4 = 30000000;
            b[1]->before_e4 = 336700, b[1]->after_e4 = 1411000;
        }
        rs[i]->breakdown = rj_malloc(2 * sizeof *rs[i]->breakdown);
        rs[i]->breakdown[0] = b[0];
        rs[i]->breakdown[1] = b[1];
        rs[i]->n_breakdown = 2;
    }
    Renja__V1__ValidateResponse out = RENJA__V1__VALIDATE_RESPONSE__INIT;
    rj_validate_breakdowns(it, 1, NULL, 0, rs, 4, &out);
    rj_validate_sort(&out);
    assert_int_equal(out.n_findings, 2);
    assert_string_equal(out.findings[0]->rule, "breakdown-mismatch");
    assert_string_equal(out.findings[0]->message,
                        "realisasi of indikator 1 (s.d. TW 3) is stated as 60,48 but its breakdown "
                        "by 2 lokasi gives 60,49 (ratio)");
    assert_string_equal(out.findings[1]->message,
                        "realisasi of indikator 2 (s.d. TW 4) is stated as 47 but its breakdown "
                        "by 2 lokasi gives 54,45 (growth)");
    free_out(&out);
    fx_free(it, 1);
    fx_free(rs, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),      cmocka_unit_test(test_satuan_changed),
        cmocka_unit_test(test_duplicates), cmocka_unit_test(test_goals),
        cmocka_unit_test(test_units),      cmocka_unit_test(test_breakdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
