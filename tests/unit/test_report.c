/* rj_report, rj_sheet, rj_html and rj_xlsx on hand-built responses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rj_html.h"
#include "rj_report.h"
#include "rj_xlsx.h"

static const rj_sheet *sheet_named(const rj_doc *d, const char *name)
{
    for (size_t i = 0; i < d->nsheets; i++)
        if (strcmp(d->sheets[i]->name, name) == 0)
            return d->sheets[i];
    fail_msg("no sheet %s", name);
    return NULL;
}

static const char *text_at(const rj_sheet *s, size_t row, int col)
{
    assert_true(row < s->nrows);
    const rj_cell *c = &s->rows[row].cells[col];
    return c->kind == RJ_CELL_TEXT ? c->s : "";
}

/* --- a small plan: an urusan, a program with two indikator, a sub kegiatan
 * removed, one added ------------------------------------------------------------------- */

static Renja__V1__Indikator ind1 = RENJA__V1__INDIKATOR__INIT, ind2 = RENJA__V1__INDIKATOR__INIT,
                            ind3 = RENJA__V1__INDIKATOR__INIT;
static Renja__V1__Indikator *prog_ind[] = {&ind1, &ind2}, *sub_ind[] = {&ind3};
static Renja__V1__Item urusan = RENJA__V1__ITEM__INIT, program = RENJA__V1__ITEM__INIT,
                       gone = RENJA__V1__ITEM__INIT, added = RENJA__V1__ITEM__INIT;
static Renja__V1__Item *from_items[] = {&urusan, &program, &gone},
                       *to_items[] = {&urusan, &program, &added};
static Renja__V1__ShowResponse show_from = RENJA__V1__SHOW_RESPONSE__INIT,
                               show_to = RENJA__V1__SHOW_RESPONSE__INIT;
static Renja__V1__DiffRow d1 = RENJA__V1__DIFF_ROW__INIT, d2 = RENJA__V1__DIFF_ROW__INIT,
                          d3 = RENJA__V1__DIFF_ROW__INIT, d4 = RENJA__V1__DIFF_ROW__INIT;
static Renja__V1__DiffRow *drows[] = {&d1, &d2, &d3, &d4};
static Renja__V1__DiffTotal total = RENJA__V1__DIFF_TOTAL__INIT;
static Renja__V1__DiffResponse diff = RENJA__V1__DIFF_RESPONSE__INIT;
static Renja__V1__EvalRow e1 = RENJA__V1__EVAL_ROW__INIT, e2 = RENJA__V1__EVAL_ROW__INIT;
static Renja__V1__EvalRow *erows[] = {&e1, &e2};
static Renja__V1__EvaluateResponse eval = RENJA__V1__EVALUATE_RESPONSE__INIT;
static Renja__V1__CompareColumn col1 = RENJA__V1__COMPARE_COLUMN__INIT,
                                col2 = RENJA__V1__COMPARE_COLUMN__INIT;
static Renja__V1__CompareColumn *cols[] = {&col1, &col2};
static Renja__V1__CompareRow l1 = RENJA__V1__COMPARE_ROW__INIT, l2 = RENJA__V1__COMPARE_ROW__INIT,
                             l3 = RENJA__V1__COMPARE_ROW__INIT, l4 = RENJA__V1__COMPARE_ROW__INIT;
static Renja__V1__CompareRow *lrows[] = {&l1, &l2, &l3, &l4};
static int64_t v1[] = {100, 90}, v2[] = {100, 90}, v3[] = {60, 50}, v4[] = {0, 0};
static Renja__V1__CompareResponse compare = RENJA__V1__COMPARE_RESPONSE__INIT;
static Renja__V1__Stage st1 = RENJA__V1__STAGE__INIT, st2 = RENJA__V1__STAGE__INIT;
static Renja__V1__Stage *stv[] = {&st1, &st2};
static Renja__V1__ListStagesResponse stages = RENJA__V1__LIST_STAGES_RESPONSE__INIT;
static Renja__V1__Finding f1 = RENJA__V1__FINDING__INIT;
static Renja__V1__Finding *fv[] = {&f1};
static Renja__V1__ValidateResponse val = RENJA__V1__VALIDATE_RESPONSE__INIT;

static rj_report_in build(void)
{
    ind1 = (Renja__V1__Indikator)RENJA__V1__INDIKATOR__INIT;
    ind1.nama = "Persentase A", ind1.satuan = "%", ind1.target_text = "100", ind1.has_target = 1;
    ind1.target_e4 = 1000000;
    ind2 = ind1;
    ind2.nama = "Persentase B <&>", ind2.target_text = "", ind2.target_e4 = 122300;
    ind3 = ind1;
    ind3.nama = "Jumlah dokumen", ind3.satuan = "dokumen", ind3.target_text = "2";
    urusan.kode = "2.17", urusan.level = RENJA__V1__LEVEL__LEVEL_URUSAN, urusan.nama = "Urusan X";
    program.kode = "2.17.01", program.level = RENJA__V1__LEVEL__LEVEL_PROGRAM;
    program.nama = "Program Y", program.indikator = prog_ind, program.n_indikator = 2;
    gone.kode = "2.17.01.1.01.0001", gone.level = RENJA__V1__LEVEL__LEVEL_SUB_KEGIATAN;
    gone.nama = "Lama", gone.lokasi = "Sumsel", gone.indikator = sub_ind, gone.n_indikator = 1;
    added = gone;
    added.kode = "2.17.01.1.01.0002", added.nama = "Baru", added.sumber_dana = "PAD";
    show_from.items = from_items, show_from.n_items = 3;
    show_to.items = to_items, show_to.n_items = 3;
    d1.kode = "2.17", d1.level = urusan.level, d1.nama = "Urusan X";
    d1.pagu_from = 100, d1.pagu_to = 90, d1.delta = -10;
    d2 = d1, d2.kode = "2.17.01", d2.level = program.level, d2.nama = "Program Y";
    d3.kode = gone.kode, d3.level = gone.level, d3.nama = "Lama", d3.pagu_from = 100,
    d3.delta = -100;
    d3.change = RENJA__V1__CHANGE_KIND__CHANGE_REMOVED;
    d4.kode = added.kode, d4.level = added.level, d4.nama = "Baru", d4.pagu_to = 90, d4.delta = 90;
    d4.change = RENJA__V1__CHANGE_KIND__CHANGE_ADDED;
    total.pagu_from = 100, total.pagu_to = 90, total.delta = -10;
    diff.rows = drows, diff.n_rows = 4, diff.total = &total, diff.from_rev = 1, diff.to_rev = 2;
    e1.kode = "2.17.01", e1.indikator_no = 1, e1.indikator = "Persentase A", e1.satuan = "%";
    e1.has_target = 1, e1.target_e4 = 1000000, e1.reported = 1, e1.realisasi_e4 = 500000;
    e1.has_capaian = 1, e1.capaian_e2 = 5000;
    e2 = e1, e2.indikator_no = 2, e2.indikator = "Persentase B", e2.target_e4 = 122300;
    e2.reported = 0, e2.has_capaian = 0;
    eval.rows = erows, eval.n_rows = 2;
    st1.name = "apbd", st1.title = "APBD 2024", st1.order = 1;
    st2.name = "apbd-p", st2.title = "Perkada 1 Tahun 2024", st2.date = "2024-02-05", st2.order = 2;
    stages.stages = stv, stages.n_stages = 2;
    col1.ref = "apbd", col1.title = "APBD 2024", col2.ref = "apbd-p", col2.title = st2.title;
    l1.kode = "5", l1.nama = "TOTAL BELANJA", l1.depth = 1;
    l2.kode = "5.1", l2.nama = "BELANJA OPERASI", l2.depth = 2;
    l3.kode = "5.1.01", l3.nama = "Belanja Pegawai", l3.depth = 3;
    l4.kode = "5.1.01.01.01", l4.nama = "Belanja Gaji", l4.depth = 5;
    int64_t *vals[] = {v1, v2, v3, v4};
    Renja__V1__CompareRow *lr[] = {&l1, &l2, &l3, &l4};
    for (int i = 0; i < 4; i++)
        lr[i]->values = vals[i], lr[i]->n_values = 2, lr[i]->is_line = 1;
    compare.stages = cols, compare.n_stages = 2, compare.rows = lrows, compare.n_rows = 4;
    f1.severity = "error", f1.kode = "2.17.01", f1.rule = "rollup-mismatch", f1.message = "m";
    val.findings = fv, val.n_findings = 1;
    rj_report_in in = {
        .plan = "uji/2024",
        .plan_nama = "Renja Dinas Uji",
        .stages = &stages,
        .from = "apbd",
        .to = "apbd-p",
        .tw = 2,
        .at = "apbd",
        .diff = &diff,
        .show_from = &show_from,
        .show_to = &show_to,
        .show_at = &show_from,
        .eval = &eval,
        .compare = &compare,
        .validate = {&val},
        .validate_ref = {"apbd"},
        .nvalidate = 1,
    };
    return in;
}

static void test_tabel_3_3(void **state)
{
    rj_report_in in = build();
    rj_doc *d = rj_report_build(&in);
    assert_int_equal(d->nsheets, 5);
    const rj_sheet *s = sheet_named(d, "Tabel 3.3 (3.1)");
    assert_int_equal(s->nhead, 4);
    /* urusan, program (2 indikator: 2 rows), removed, added, Jumlah */
    assert_int_equal(s->nrows, 6);
    assert_string_equal(text_at(s, 0, 0), "A");
    assert_int_equal(s->rows[0].style, RJ_ROW_URUSAN);
    assert_string_equal(text_at(s, 1, 0), "1");
    assert_string_equal(text_at(s, 1, 5), "100%");
    assert_string_equal(text_at(s, 2, 3), "Persentase B <&>");
    assert_string_equal(text_at(s, 2, 5), "12,23%");
    assert_string_equal(text_at(s, 2, 1), "");
    assert_string_equal(text_at(s, 3, 2), "Sub Kegiatan Lama");
    assert_string_equal(text_at(s, 3, 5), "2 dokumen");
    assert_string_equal(text_at(s, 3, 6), "-");
    assert_string_equal(text_at(s, 3, 11), "dihapus");
    assert_int_equal(s->rows[3].indent, 3);
    assert_string_equal(text_at(s, 4, 5), "-");
    assert_string_equal(text_at(s, 4, 11), "baru");
    assert_string_equal(text_at(s, 4, 9), "PAD");
    assert_int_equal(s->rows[5].style, RJ_ROW_TOTAL);
    assert_string_equal(text_at(s, 5, 0), "Jumlah");
    assert_int_equal(s->rows[5].cells[7].kind, RJ_CELL_MONEY);
    assert_int_equal(s->rows[5].cells[10].v, -10);
    rj_doc_free(d);
}

static void test_other_tables(void **state)
{
    rj_report_in in = build();
    rj_doc *d = rj_report_build(&in);
    const rj_sheet *s = sheet_named(d, "Tabel 2-1");
    /* urusan (no indikator), program with two indikator */
    assert_int_equal(s->nrows, 4);
    assert_string_equal(text_at(s, 0, 0), "2.17");
    assert_int_equal(s->rows[1].cells[5].kind, RJ_CELL_DEC);
    assert_int_equal(s->rows[1].cells[5].decimals, 0);
    assert_int_equal(s->rows[1].cells[7].kind, RJ_CELL_PCT);
    assert_int_equal(s->rows[2].cells[5].decimals, 2);
    assert_int_equal(s->rows[2].cells[6].kind, RJ_CELL_EMPTY);
    assert_int_equal(s->rows[2].cells[7].kind, RJ_CELL_EMPTY);
    assert_non_null(strstr(s->title, "Triwulan II Tahun 2024"));
    assert_non_null(strstr(s->title, "Renja Dinas Uji Sampai"));

    s = sheet_named(d, "Tabel 3.2");
    assert_int_equal(s->ncols, 4);
    assert_string_equal(s->spans[3].text, "PERKADA 1 TAHUN 2024 05 FEB 2024");
    assert_string_equal(text_at(s, 0, 0), "");
    assert_string_equal(text_at(s, 1, 0), "1.");
    assert_string_equal(text_at(s, 2, 0), "a.");
    assert_string_equal(text_at(s, 3, 1), "- Belanja Gaji");
    assert_int_equal(s->rows[2].cells[3].v, 50);

    s = sheet_named(d, "Tabel 2");
    assert_int_equal(s->nrows, 0);
    assert_non_null(s->note);
    s = sheet_named(d, "Temuan Validasi");
    assert_int_equal(s->nrows, 1);
    assert_string_equal(text_at(s, 0, 3), "rollup-mismatch");
    rj_doc_free(d);
}

static void test_stage_header(void **state)
{
    char h[128];
    rj_report_stage_header("Perkada 8 Tahun 2024", "2024-06-06", h, sizeof(h));
    assert_string_equal(h, "PERKADA 8 TAHUN 2024 06 JUNI 2024");
    rj_report_stage_header("Penambahan Banggar 16-08-2024", "2024-08-16", h, sizeof(h));
    assert_string_equal(h, "PENAMBAHAN BANGGAR 16-08-2024");
    rj_report_stage_header("Banggar 16082024", "2024-08-16", h, sizeof(h));
    assert_string_equal(h, "BANGGAR 16082024");
    rj_report_stage_header("APBD 2024", "", h, sizeof(h));
    assert_string_equal(h, "APBD 2024");
    rj_report_stage_header("APBD", "2024-13-01", h, sizeof(h));
    assert_string_equal(h, "APBD");
    assert_int_equal(rj_dec_places(1000000), 0);
    assert_int_equal(rj_dec_places(122300), 2);
    assert_int_equal(rj_dec_places(1), 4);
    assert_int_equal(rj_dec_places(-41400), 2);
}

static void test_writers(void **state)
{
    rj_report_in in = build();
    rj_doc *d = rj_report_build(&in);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rj_html_write(d, f);
    fclose(f);
    assert_non_null(strstr(buf, "<th rowspan=\"3\">Nomor</th>"));
    assert_non_null(strstr(buf, "<th colspan=\"6\">Rencana Kerja Perubahan Tahun 2024</th>"));
    assert_non_null(strstr(buf, "Persentase B &lt;&amp;&gt;"));
    assert_non_null(strstr(buf, "<td colspan=\"7\">Jumlah</td>"));
    assert_non_null(strstr(buf, "<td class=\"n\">(10)</td>"));
    assert_non_null(strstr(buf, "<td class=\"n\">50,00</td>"));
    assert_null(strstr(buf, "<script"));
    free(buf);

    char path[] = "/tmp/rj-test-report-XXXXXX.xlsx";
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    close(fd);
    rj_diag dg = {{0}};
    assert_int_equal(rj_xlsx_write(d, path, NULL, NULL, &dg), 0);
    f = fopen(path, "rb");
    char magic[2] = {0};
    assert_int_equal(fread(magic, 1, 2, f), 2);
    fclose(f);
    assert_memory_equal(magic, "PK", 2);
    unlink(path);
    assert_int_equal(rj_xlsx_write(d, "/nonexistent-dir/r.xlsx", NULL, NULL, &dg), RJ_EIO);
    assert_non_null(strstr(dg.msg, "/nonexistent-dir/r.xlsx"));
    rj_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tabel_3_3),
        cmocka_unit_test(test_other_tables),
        cmocka_unit_test(test_stage_header),
        cmocka_unit_test(test_writers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
