#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rj_engine_fixture.h"
#include "rj_eval.h"
#include "rj_num.h"

#define E4(x) ((int64_t)(x)*10000)

/* The arena an answer of rj_eval_compute lives in: made when first asked
 * for, freed (with every answer in it) by answer_free. */
static rj_arena *answer_arena;

static rj_arena *answer(void)
{
    if (!answer_arena)
        answer_arena = rj_arena_new();
    return answer_arena;
}

static void answer_free(void)
{
    rj_arena_free(answer_arena);
    answer_arena = NULL;
}

static int teardown(void **state)
{
    (void)state;
    answer_free();
    return 0;
}

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
    rj_eval_input in = {.items = it, .n_items = 1, .reals = rs, .n_reals = n, .tw = 2};
    assert_int_equal(rj_eval_compute(&in, &out, answer(), NULL), 0);
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
    answer_free();
}

/* Thousands of indikator, their realisasi given in reverse order and
 * beside another triwulan's: every row finds its own (kode, indikator),
 * or none, through the lookup table. */
static void test_many_realisasi(void **state)
{
    (void)state;
    enum { N = 3000 };
    Renja__V1__Item **it = rj_calloc(N, sizeof *it);
    Renja__V1__Realisasi **rs = rj_calloc(3 * N, sizeof *rs);
    size_t nr = 0;
    char kode[32];
    for (int i = 0; i < N; i++) {
        snprintf(kode, sizeof kode, "2.17.01.1.01.%04d", i + 1);
        it[i] = fx_item(kode, true, 1000, "Sub", "Sekretariat", "PAD");
        fx_ind(it[i], "ind 1", "Dokumen", true, E4(100), "100");
        fx_ind(it[i], "ind 2", "Dokumen", true, E4(100), "100");
    }
    for (int i = N - 1; i >= 0; i--) {
        snprintf(kode, sizeof kode, "2.17.01.1.01.%04d", i + 1);
        if (i % 3 == 0)
            rs[nr++] = fx_real(kode, 2, 1, E4(i % 100 + 1), 0);
        rs[nr++] = fx_real(kode, 3, 1, E4(7), 0);
        if (i % 2 == 0)
            rs[nr++] = fx_real(kode, 2, 2, E4(50), 0);
    }
    Renja__V1__EvaluateResponse out = RENJA__V1__EVALUATE_RESPONSE__INIT;
    rj_eval_input in = {.items = it, .n_items = N, .reals = rs, .n_reals = nr, .tw = 2};
    assert_int_equal(rj_eval_compute(&in, &out, answer(), NULL), 0);
    assert_int_equal(out.n_rows, 2 * N);
    size_t reported = 0;
    for (size_t k = 0; k < out.n_rows; k++) {
        const Renja__V1__EvalRow *row = out.rows[k];
        int i = atoi(row->kode + strlen("2.17.01.1.01.")) - 1;
        bool want = row->indikator_no == 1 ? i % 3 == 0 : i % 2 == 0;
        assert_int_equal(row->reported, want);
        if (want)
            assert_int_equal(row->realisasi_e4, row->indikator_no == 1 ? E4(i % 100 + 1) : E4(50));
        reported += row->reported;
    }
    assert_int_equal(reported, N / 3 + N / 2);
    fx_free(it, N);
    fx_free(rs, nr);
    free(it);
    free(rs);
    answer_free();
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
    rj_eval_input in = {.items = it, .n_items = 4, .reals = rs, .n_reals = nr, .tw = 2};
    assert_int_equal(rj_eval_compute(&in, &out, answer(), NULL), 0);
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
    answer_free();

    /* triwulan I: only the fourth indikator reported, with realisasi 3 */
    Renja__V1__EvaluateResponse o1 = RENJA__V1__EVALUATE_RESPONSE__INIT;
    rj_eval_input in1 = {.items = it, .n_items = 4, .reals = rs, .n_reals = nr, .tw = 1};
    assert_int_equal(rj_eval_compute(&in1, &o1, answer(), NULL), 0);
    assert_int_equal(o1.summary->not_reported, 6);
    assert_int_equal(o1.n_anggaran, 0);
    answer_free();

    /* all reported realisasi 0: not started */
    rs[6]->value_e4 = 0;
    rs[7]->value_e4 = 0;
    Renja__V1__EvaluateResponse o2 = RENJA__V1__EVALUATE_RESPONSE__INIT;
    assert_int_equal(rj_eval_compute(&in, &o2, answer(), NULL), 0);
    assert_int_equal(o2.summary->n_not_started, 1);
    assert_string_equal(o2.summary->not_started[0], "2.17.01.1.01.0002");
    assert_int_equal(o2.summary->n_met, 0);
    answer_free();

    rj_diag d;
    in.tw = 5;
    assert_int_equal(rj_eval_compute(&in, &o2, answer(), &d), RJ_EINVAL);
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
    rj_eval_input in = {.items = it, .n_items = 1, .reals = rs, .n_reals = n + 1, .tw = 4};
    assert_int_equal(rj_eval_compute(&in, &out, answer(), NULL), 0);
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
    answer_free();
}

static Renja__V1__Goal *goal(const char *kode, const char *nama)
{
    Renja__V1__Goal *g = rj_malloc(sizeof *g);
    renja__v1__goal__init(g);
    g->kode = rj_strdup(kode);
    g->nama = rj_strdup(nama);
    return g;
}

static void goal_ind(Renja__V1__Goal *g, int64_t target_e4)
{
    Renja__V1__Item tmp = RENJA__V1__ITEM__INIT;
    tmp.indikator = g->indikator;
    tmp.n_indikator = g->n_indikator;
    fx_ind(&tmp, "ind", "%", true, target_e4, "");
    g->indikator = tmp.indikator;
    g->n_indikator = tmp.n_indikator;
}

/* Tabel 2: goal rows get capaian like item rows, in goal order, and count
 * in no summary; an item's realisasi never lands on a goal. */
static void test_goal_rows(void **state)
{
    (void)state;
    Renja__V1__Goal *g[2] = {goal("T1", "Tujuan"), goal("T1.S2", "Sasaran")};
    goal_ind(g[0], 39300);  /* 3,93 */
    goal_ind(g[0], 50000);  /* 5 */
    goal_ind(g[1], 662000); /* 66,2 */
    goal_ind(g[1], 160000); /* 16 */
    Renja__V1__Item *it[1] = {fx_item("2.17.06", false, 0, "Program", "B", "")};
    fx_ind(it[0], "Persentase koperasi aktif", "%", true, 662000, "");
    Renja__V1__Realisasi *rs[] = {fx_real("T1", 2, 1, 21200, 0), fx_real("T1", 2, 2, 2800, 0),
                                  fx_real("T1.S2", 2, 1, 605000, 0),
                                  fx_real("T1.S2", 3, 2, 470000, 0), /* another triwulan */
                                  fx_real("2.17.06", 2, 1, 604900, 0)};
    size_t nr = sizeof rs / sizeof rs[0];
    Renja__V1__EvaluateResponse out = RENJA__V1__EVALUATE_RESPONSE__INIT;
    rj_eval_input in = {
        .items = it, .n_items = 1, .reals = rs, .n_reals = nr, .tw = 2, .goals = g, .n_goals = 2};
    assert_int_equal(rj_eval_compute(&in, &out, answer(), NULL), 0);
    assert_int_equal(out.n_rows, 1);
    assert_int_equal(out.rows[0]->capaian_e2, 9137);
    assert_int_equal(out.n_goal_rows, 4);
    static const struct {
        const char *kode;
        int no;
        bool has;
        int64_t cap;
        const char *predikat, *note;
    } want[] = {{"T1", 1, true, 5394, "Rendah", ""},
                {"T1", 2, true, 560, "Sangat Rendah", ""},
                {"T1.S2", 1, true, 9139, "Sangat Tinggi", ""},
                {"T1.S2", 2, false, 0, "", "not reported"}};
    for (size_t i = 0; i < 4; i++) {
        const Renja__V1__EvalRow *r = out.goal_rows[i];
        assert_string_equal(r->kode, want[i].kode);
        assert_int_equal(r->indikator_no, want[i].no);
        assert_int_equal(r->level, RENJA__V1__LEVEL__LEVEL_UNSPECIFIED);
        assert_int_equal(r->has_capaian, want[i].has);
        assert_int_equal(r->capaian_e2, want[i].cap);
        assert_string_equal(r->predikat, want[i].predikat);
        assert_string_equal(r->note, want[i].note);
    }
    /* the summary is Tabel 2-1's: the one item row only */
    assert_int_equal(out.summary->sangat_tinggi, 1);
    assert_int_equal(out.summary->rendah + out.summary->sangat_rendah, 0);
    assert_int_equal(out.summary->not_reported, 0);
    fx_free(it, 1);
    fx_free(rs, nr);
    fx_free(g, 2);
    answer_free();
}

static void add_part(Renja__V1__Indikator *k, int64_t v, const char *satuan)
{
    k->parts = rj_realloc(k->parts, (k->n_parts + 1) * sizeof *k->parts);
    Renja__V1__TargetPart *p = rj_malloc(sizeof *p);
    renja__v1__target_part__init(p);
    p->value_e4 = v;
    p->satuan = rj_strdup(satuan);
    k->parts[k->n_parts++] = p;
}

static void set_satuan(Renja__V1__Realisasi *r, const char *satuan)
{
    free(r->satuan == protobuf_c_empty_string ? NULL : r->satuan);
    r->satuan = rj_strdup(satuan);
}

/* Units: the part in the realisasi's unit (any case), none in another unit
 * (the note says why, counted as no_capaian), a realisasi without unit
 * against the target as it is. */
static void test_units(void **state)
{
    (void)state;
    Renja__V1__Item *it[1] = {fx_item("2.17.01.1.06.0001", true, 1, "Sub", "S", "")};
    Renja__V1__Indikator *k = fx_ind(it[0], "Paket", "bulan", true, E4(12), "12 Bulan 3 dok");
    add_part(k, E4(12), "bulan");
    add_part(k, E4(3), "dok");
    fx_ind(it[0], "Jenis", "paket", true, E4(2), "");
    fx_ind(it[0], "Lama", "paket", true, E4(4), "");
    Renja__V1__Realisasi *rs[] = {fx_real("2.17.01.1.06.0001", 2, 1, E4(3), 0),
                                  fx_real("2.17.01.1.06.0001", 2, 2, E4(6), 0),
                                  fx_real("2.17.01.1.06.0001", 2, 3, E4(6), 0)};
    set_satuan(rs[0], "DOK");   /* the second part, another case */
    set_satuan(rs[1], "jenis"); /* a unit the target has not */
    /* rs[2]: no unit, as stored before units were kept */
    Renja__V1__EvaluateResponse out = RENJA__V1__EVALUATE_RESPONSE__INIT;
    rj_eval_input in = {.items = it, .n_items = 1, .reals = rs, .n_reals = 3, .tw = 2};
    assert_int_equal(rj_eval_compute(&in, &out, answer(), NULL), 0);
    assert_int_equal(out.n_rows, 3);
    assert_true(out.rows[0]->has_capaian);
    assert_int_equal(out.rows[0]->capaian_e2, 10000);
    assert_int_equal(out.rows[0]->target_e4, E4(3));
    assert_string_equal(out.rows[0]->satuan, "dok");
    assert_false(out.rows[1]->has_capaian);
    assert_string_equal(out.rows[1]->note, "realisasi is counted in jenis, the target in paket");
    assert_string_equal(out.rows[1]->predikat, "");
    assert_true(out.rows[2]->has_capaian);
    assert_int_equal(out.rows[2]->capaian_e2, 15000);
    assert_int_equal(out.summary->no_capaian, 1);
    assert_int_equal(out.summary->sangat_tinggi, 2);
    answer_free();
    /* a unit no part has: the note lists the parts */
    set_satuan(rs[0], "lembar");
    Renja__V1__EvaluateResponse o2 = RENJA__V1__EVALUATE_RESPONSE__INIT;
    assert_int_equal(rj_eval_compute(&in, &o2, answer(), NULL), 0);
    assert_string_equal(o2.rows[0]->note,
                        "realisasi is counted in lembar, the target in bulan + dok");
    answer_free();
    fx_free(it, 1);
    fx_free(rs, 3);
}

static void add_row(Renja__V1__Realisasi *r, const char *lokasi, int64_t a, int64_t b, bool growth)
{
    r->breakdown = rj_realloc(r->breakdown, (r->n_breakdown + 1) * sizeof *r->breakdown);
    Renja__V1__BreakdownRow *x = rj_malloc(sizeof *x);
    renja__v1__breakdown_row__init(x);
    x->lokasi = rj_strdup(lokasi);
    if (growth) {
        x->before_e4 = a;
        x->after_e4 = b;
    } else {
        x->num_e4 = a;
        x->den_e4 = b;
    }
    r->breakdown[r->n_breakdown++] = x;
}

/* A breakdown by lokasi: each lokasi's percentage and the formula's total
 * (ratio of sums, not mean of ratios); capaian stays the stated value's;
 * no formula, no breakdown shown; a zero denominator has no percentage. */
static void test_breakdown(void **state)
{
    (void)state;
    Renja__V1__Item *it[1] = {fx_item("2.17.06", false, 0, "Program", "B", "")};
    fx_ind(it[0], "Koperasi aktif", "%", true, 662000, "")->formula =
        RENJA__V1__FORMULA__FORMULA_RATIO;
    fx_ind(it[0], "Omzet", "%", true, 160000, "")->formula = RENJA__V1__FORMULA__FORMULA_GROWTH;
    fx_ind(it[0], "Tanpa formula", "%", true, 10000, "");
    Renja__V1__Realisasi *rs[] = {fx_real("2.17.06", 2, 1, 604900, 0),
                                  fx_real("2.17.06", 2, 2, 470000, 0),
                                  fx_real("2.17.06", 2, 3, 10000, 0)};
    add_row(rs[0], "Ogan Komering Ulu", E4(285), E4(395), false);
    add_row(rs[0], "Musi Banyuasin", E4(376), E4(387), false);
    add_row(rs[0], "Kosong", 0, 0, false);
    add_row(rs[1], "Musi Banyuasin", 431000, 403000, true); /* 43,10 -> 40,30 */
    add_row(rs[1], "Banyuasin", 1144700, 3716800, true);    /* 114,47 -> 371,68 */
    add_row(rs[2], "Lahat", 1, 2, false);
    Renja__V1__EvaluateResponse out = RENJA__V1__EVALUATE_RESPONSE__INIT;
    rj_eval_input in = {.items = it, .n_items = 1, .reals = rs, .n_reals = 3, .tw = 2};
    assert_int_equal(rj_eval_compute(&in, &out, answer(), NULL), 0);
    const Renja__V1__EvalRow *a = out.rows[0], *g = out.rows[1], *n = out.rows[2];
    assert_int_equal(a->n_breakdown, 3);
    assert_string_equal(a->breakdown[0]->row->lokasi, "Ogan Komering Ulu");
    assert_int_equal(a->breakdown[0]->pct_e2, 7215);
    assert_int_equal(a->breakdown[1]->pct_e2, 9716);
    assert_false(a->breakdown[2]->has_pct);
    assert_true(a->has_computed);
    assert_int_equal(a->computed_e4, 845269); /* 661 / 782 = 84,5269 % */
    assert_int_equal(a->capaian_e2, 9137);    /* of the stated 60,49 */
    assert_int_equal(g->breakdown[0]->pct_e2, -650);
    assert_int_equal(g->breakdown[1]->pct_e2, 22470);
    assert_int_equal(g->computed_e4, 1614584); /* (411,98 - 157,57) / 157,57 */
    assert_int_equal(n->n_breakdown, 0);
    assert_false(n->has_computed);
    answer_free();
    int64_t v;
    assert_false(
        rj_eval_breakdown_total(RENJA__V1__FORMULA__FORMULA_NONE, rs[0]->breakdown, 3, &v));
    assert_false(
        rj_eval_breakdown_total(RENJA__V1__FORMULA__FORMULA_RATIO, rs[0]->breakdown, 0, &v));
    fx_free(it, 1);
    fx_free(rs, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_capaian),
        cmocka_unit_test(test_many_realisasi),
        cmocka_unit_test(test_goal_rows),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_breakdown),
        cmocka_unit_test(test_predikat_boundaries),
        cmocka_unit_test(test_notes_summary_anggaran),
        cmocka_unit_test(test_int64_limits),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
