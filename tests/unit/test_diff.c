#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rj_diff.h"
#include "rj_query.h"
#include "rj_engine_fixture.h"

/* Tabel 3.2 budget lines, APBD 2024 (apbd = 0) or APBD-P 2024 (1). */
static size_t seed_lines(Renja__V1__BudgetLine **ln, int apbdp)
{
    size_t n = 0;
    ln[n++] = fx_line("5", false, 0, "Belanja");
    ln[n++] = fx_line("5.1", false, 0, "Belanja Operasi");
    ln[n++] = fx_line("5.1.01", false, 0, "Belanja Pegawai");
    ln[n++] = fx_line("5.1.01.01", true, 3833363000, "Gaji dan Tunjangan ASN");
    ln[n++] = fx_line("5.1.01.02", false, 0, "Belanja Pegawai Lainnya ASN");
    ln[n++] = fx_line("5.1.01.02.01", true, apbdp ? 3986900000 : 4315132000, "TPP ASN");
    ln[n++] = fx_line("5.1.01.02.02", true, apbdp ? 30360000 : 55560000, "TPP Objektif Lainnya");
    ln[n++] = fx_line("5.1.02", true, apbdp ? 7020584747 : 6808000480, "Belanja Barang dan Jasa");
    ln[n++] = fx_line("5.2", false, 0, "Belanja Modal");
    ln[n++] = fx_line("5.2.02", true, apbdp ? 168790000 : 140000000, "Peralatan dan Mesin");
    ln[n++] = fx_line("5.2.03", true, apbdp ? 166851000 : 168000000, "Gedung dan Bangunan");
    return n;
}

/* A program tree with the same totals. */
static size_t seed_items(Renja__V1__Item **it, int apbdp)
{
    size_t n = 0;
    it[n++] = fx_item("2.17", false, 0, "Urusan KUKM", NULL, NULL);
    it[n++] = fx_item("2.17.01", false, 0, "Program Penunjang", "Sekretariat", NULL);
    it[n++] = fx_item("2.17.01.1.01", false, 0, "Perencanaan", "Sekretariat", NULL);
    it[n++] = fx_item("2.17.01.1.01.0001", true, apbdp ? 7850623000 : 8204055000, "Gaji",
                      "Sekretariat", "PAD");
    it[n++] = fx_item("2.17.01.1.02", false, 0, "Keuangan", "Sekretariat", NULL);
    it[n++] = fx_item("2.17.01.1.02.0001", true, apbdp ? 7020584747 : 6808000480, "Barang Jasa",
                      "Sekretariat", "PAD");
    it[n++] = fx_item("2.17.03", false, 0, "Program Pengawasan", "Bidang Pengawasan", NULL);
    it[n++] = fx_item("2.17.03.1.01", false, 0, "Pemeriksaan", "Bidang Pengawasan", NULL);
    it[n++] = fx_item("2.17.03.1.01.0001", true, apbdp ? 335641000 : 308000000, "Modal",
                      "Bidang Pengawasan", "");
    it[n++] = fx_item("2.17.03.1.01.0002", true, 0, "Tetap", "Bidang Pengawasan", "DAK");
    return n;
}

typedef struct fixture {
    Renja__V1__Item *fi[32], *ti[32];
    Renja__V1__BudgetLine *fl[32], *tl[32];
    rj_diff_input in;
    Renja__V1__DiffResponse out;
} fixture;

static fixture *fx_seed(void)
{
    fixture *f = rj_calloc(1, sizeof *f);
    f->in.from_items = f->fi;
    f->in.n_from_items = seed_items(f->fi, 0);
    f->in.to_items = f->ti;
    f->in.n_to_items = seed_items(f->ti, 1);
    f->in.from_lines = f->fl;
    f->in.n_from_lines = seed_lines(f->fl, 0);
    f->in.to_lines = f->tl;
    f->in.n_to_lines = seed_lines(f->tl, 1);
    renja__v1__diff_response__init(&f->out);
    return f;
}

static void fx_done(fixture *f)
{
    fx_free(f->fi, f->in.n_from_items);
    fx_free(f->ti, f->in.n_to_items);
    fx_free(f->fl, f->in.n_from_lines);
    fx_free(f->tl, f->in.n_to_lines);
    Renja__V1__DiffResponse *heap = rj_malloc(sizeof *heap);
    *heap = f->out;
    protobuf_c_message_free_unpacked(&heap->base, NULL);
    free(f);
}

static void check_line(const Renja__V1__DiffResponse *r, const char *kode, int64_t from, int64_t to,
                       int64_t pct_e2)
{
    const Renja__V1__DiffRow *row = fx_row(r, kode, true);
    assert_non_null(row);
    assert_int_equal(row->pagu_from, from);
    assert_int_equal(row->pagu_to, to);
    assert_int_equal(row->delta, to - from);
    assert_true(row->has_pct);
    assert_int_equal(row->pct_e2, pct_e2);
    assert_int_equal(row->change, RENJA__V1__CHANGE_KIND__CHANGE_MODIFIED);
}

static void test_seed_figures(void **state)
{
    (void)state;
    fixture *f = fx_seed();
    rj_diag d;
    assert_int_equal(rj_diff_compute(&f->in, &f->out, &d), 0);
    assert_int_equal(f->out.total->pagu_from, 15320055480);
    assert_int_equal(f->out.total->pagu_to, 15206848747);
    assert_int_equal(f->out.total->delta, -113206733);
    assert_true(f->out.total->has_pct);
    assert_int_equal(f->out.total->pct_e2, -74);
    check_line(&f->out, "5.1", 15012055480, 14871207747, -94);
    check_line(&f->out, "5.1.01", 8204055000, 7850623000, -431);
    check_line(&f->out, "5.1.01.02.02", 55560000, 30360000, -4536);
    check_line(&f->out, "5.1.02", 6808000480, 7020584747, 312);
    check_line(&f->out, "5.2", 308000000, 335641000, 897);
    check_line(&f->out, "5.2.02", 140000000, 168790000, 2056);
    check_line(&f->out, "5.2.03", 168000000, 166851000, -68);
    /* unchanged leaves are not rows; the item tree rolls up */
    assert_null(fx_row(&f->out, "5.1.01.01", true));
    assert_null(fx_row(&f->out, "2.17.03.1.01.0002", false));
    const Renja__V1__DiffRow *u = fx_row(&f->out, "2.17", false);
    assert_non_null(u);
    assert_int_equal(u->pagu_from, 15320055480);
    assert_int_equal(u->level, RENJA__V1__LEVEL__LEVEL_URUSAN);
    /* rows: items in kode order, then lines */
    assert_string_equal(f->out.rows[0]->kode, "2.17");
    assert_false(f->out.rows[0]->is_line);
    assert_true(f->out.rows[f->out.n_rows - 1]->is_line);
    for (size_t i = 1; i < f->out.n_rows; i++)
        if (f->out.rows[i]->is_line == f->out.rows[i - 1]->is_line)
            assert_true(strcmp(f->out.rows[i - 1]->kode, f->out.rows[i]->kode) < 0);
    fx_done(f);
}

/* Rows driven by a list of changed keys equal the rows of a full compare. */
static void test_changed_keys_same_rows(void **state)
{
    (void)state;
    fixture *a = fx_seed(), *b = fx_seed();
    char *keys[] = {"item/2.17.01.1.01.0001",
                    "item/2.17.01.1.02.0001",
                    "item/2.17.03.1.01.0001",
                    "line/5.1.01.02.01",
                    "line/5.1.01.02.02",
                    "line/5.1.02",
                    "line/5.2.02",
                    "line/5.2.03",
                    "real/2.17.01.1.01.0001/2/1"};
    b->in.changed = keys;
    b->in.n_changed = sizeof keys / sizeof keys[0];
    assert_int_equal(rj_diff_compute(&a->in, &a->out, NULL), 0);
    assert_int_equal(rj_diff_compute(&b->in, &b->out, NULL), 0);
    assert_int_equal(a->out.n_rows, b->out.n_rows);
    for (size_t i = 0; i < a->out.n_rows; i++) {
        assert_string_equal(a->out.rows[i]->kode, b->out.rows[i]->kode);
        assert_int_equal(a->out.rows[i]->delta, b->out.rows[i]->delta);
    }
    /* a key list that misses a change hides it: the list is trusted */
    fixture *c = fx_seed();
    c->in.changed = keys + 3;
    c->in.n_changed = 1;
    assert_int_equal(rj_diff_compute(&c->in, &c->out, NULL), 0);
    assert_null(fx_row(&c->out, "2.17.01.1.01.0001", false));
    assert_non_null(fx_row(&c->out, "5.1.01.02.01", true));
    assert_non_null(fx_row(&c->out, "5", true)); /* ancestor for context */
    assert_null(fx_row(&c->out, "5.2", true));
    fx_done(a);
    fx_done(b);
    fx_done(c);
}

static void test_added_removed_targets(void **state)
{
    (void)state;
    fixture *f = fx_seed();
    /* remove 2.17.03.1.01.0002, add 2.17.03.1.01.0003, change texts */
    protobuf_c_message_free_unpacked(&f->ti[9]->base, NULL);
    f->ti[9] = fx_item("2.17.03.1.01.0003", true, 1000, "Baru", "Bidang Pengawasan", "DAK");
    f->fi[9]->pagu = 5000000;
    fx_ind(f->fi[5], "Dokumen", "Dokumen", true, 120000, "12");
    fx_ind(f->ti[5], "Dokumen", "Laporan", false, 0, "12 Bulan 3 dok");
    free(f->ti[5]->lokasi);
    f->ti[5]->lokasi = rj_strdup("Palembang");
    free(f->ti[8]->nama);
    f->ti[8]->nama = rj_strdup("Modal Baru");
    assert_int_equal(rj_diff_compute(&f->in, &f->out, NULL), 0);
    const Renja__V1__DiffRow *r = fx_row(&f->out, "2.17.03.1.01.0002", false);
    assert_non_null(r);
    assert_int_equal(r->change, RENJA__V1__CHANGE_KIND__CHANGE_REMOVED);
    assert_int_equal(r->pagu_to, 0);
    assert_int_equal(r->delta, -5000000);
    r = fx_row(&f->out, "2.17.03.1.01.0003", false);
    assert_int_equal(r->change, RENJA__V1__CHANGE_KIND__CHANGE_ADDED);
    assert_false(r->has_pct);
    r = fx_row(&f->out, "2.17.01.1.02.0001", false);
    assert_int_equal(r->n_targets, 1);
    assert_int_equal(r->targets[0]->indikator, 1);
    assert_string_equal(r->targets[0]->satuan_from, "Dokumen");
    assert_string_equal(r->targets[0]->satuan_to, "Laporan");
    assert_true(r->targets[0]->has_from);
    assert_int_equal(r->targets[0]->from_e4, 120000);
    assert_false(r->targets[0]->has_to);
    assert_string_equal(r->targets[0]->to_text, "12 Bulan 3 dok");
    assert_string_equal(r->lokasi_from, "");
    assert_string_equal(r->lokasi_to, "Palembang");
    r = fx_row(&f->out, "2.17.03.1.01.0001", false);
    assert_string_equal(r->nama, "Modal Baru");
    assert_string_equal(r->nama_from, "Modal");
    assert_int_equal(f->out.total->pagu_from, 15320055480 + 5000000);
    assert_int_equal(f->out.total->pagu_to, 15206848747 + 1000);
    fx_done(f);
}

static void test_rollup_differs_and_level(void **state)
{
    (void)state;
    fixture *f = fx_seed();
    /* a declared kegiatan pagu that is not the sum of its sub kegiatan */
    f->ti[2]->has_pagu = true;
    f->ti[2]->pagu = 7850000000;
    f->in.level = RJ_LEVEL_PROGRAM;
    assert_int_equal(rj_diff_compute(&f->in, &f->out, NULL), 0);
    assert_null(fx_row(&f->out, "2.17.01.1.01", false)); /* below --level */
    const Renja__V1__DiffRow *p = fx_row(&f->out, "2.17.01", false);
    /* an undeclared parent shows the sum of its children as declared */
    assert_int_equal(p->pagu_to, 7850000000 + 7020584747);
    fx_done(f);

    f = fx_seed();
    f->ti[2]->has_pagu = true;
    f->ti[2]->pagu = 7850000000;
    assert_int_equal(rj_diff_compute(&f->in, &f->out, NULL), 0);
    const Renja__V1__DiffRow *k = fx_row(&f->out, "2.17.01.1.01", false);
    assert_true(k->rollup_differs);
    assert_int_equal(k->pagu_to, 7850000000);
    assert_int_equal(k->rollup_from, 8204055000);
    assert_int_equal(k->rollup_to, 7850623000);
    assert_int_equal(k->pagu_from, 8204055000);
    /* the plan total follows the declared (effective) pagu */
    assert_int_equal(f->out.total->pagu_to, 15206848747 - 623000);
    fx_done(f);
}

static void test_all_and_groups(void **state)
{
    (void)state;
    fixture *f = fx_seed();
    f->in.all = true;
    f->in.by = "sumber-dana";
    assert_int_equal(rj_diff_compute(&f->in, &f->out, NULL), 0);
    assert_int_equal(f->out.n_rows, f->in.n_to_items + f->in.n_to_lines);
    const Renja__V1__DiffRow *r = fx_row(&f->out, "2.17.03.1.01.0002", false);
    assert_int_equal(r->change, RENJA__V1__CHANGE_KIND__CHANGE_UNCHANGED);
    assert_int_equal(f->out.n_groups, 3);
    assert_string_equal(f->out.groups[0]->key, "(tanpa sumber dana)");
    assert_int_equal(f->out.groups[0]->pagu_from, 308000000);
    assert_int_equal(f->out.groups[0]->pct_e2, 897);
    assert_string_equal(f->out.groups[1]->key, "DAK");
    assert_int_equal(f->out.groups[1]->delta, 0);
    assert_string_equal(f->out.groups[2]->key, "PAD");
    assert_int_equal(f->out.groups[2]->pagu_from, 15012055480);
    assert_int_equal(f->out.groups[2]->pct_e2, -94);
    fx_done(f);

    f = fx_seed();
    f->in.by = "bidang";
    assert_int_equal(rj_diff_compute(&f->in, &f->out, NULL), 0);
    assert_int_equal(f->out.n_groups, 2);
    assert_string_equal(f->out.groups[0]->key, "Bidang Pengawasan");
    assert_int_equal(f->out.groups[0]->pagu_to, 335641000);
    fx_done(f);

    f = fx_seed();
    f->in.by = "rekening";
    assert_int_equal(rj_diff_compute(&f->in, &f->out, NULL), 0);
    assert_int_equal(f->out.n_groups, 7); /* depth <= 3 */
    assert_string_equal(f->out.groups[0]->key, "5");
    assert_int_equal(f->out.groups[0]->delta, -113206733);
    assert_string_equal(f->out.groups[2]->nama, "Belanja Pegawai");
    fx_done(f);

    f = fx_seed();
    f->in.by = "jenis";
    rj_diag d;
    assert_int_equal(rj_diff_compute(&f->in, &f->out, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "jenis"));
    fx_done(f);
}

/* Swapping the sides negates every figure. */
static void test_reverse(void **state)
{
    (void)state;
    fixture *f = fx_seed();
    rj_diff_input rev = f->in;
    rev.from_items = f->in.to_items;
    rev.n_from_items = f->in.n_to_items;
    rev.to_items = f->in.from_items;
    rev.n_to_items = f->in.n_from_items;
    rev.from_lines = f->in.to_lines;
    rev.n_from_lines = f->in.n_to_lines;
    rev.to_lines = f->in.from_lines;
    rev.n_to_lines = f->in.n_from_lines;
    assert_int_equal(rj_diff_compute(&rev, &f->out, NULL), 0);
    assert_int_equal(f->out.total->delta, 113206733);
    assert_int_equal(f->out.total->pagu_from, 15206848747);
    assert_int_equal(fx_row(&f->out, "5.2.02", true)->pagu_to, 140000000);
    fx_done(f);
}

/* The example plan's programs (declared at both stages; the urusan declares
 * none) with the seed's inconsistent kegiatan 2.17.01.1.08: the totals are
 * the sums of the declared figures. */
static void test_seed_programs(void **state)
{
    (void)state;
    static const struct {
        const char *kode;
        int64_t apbd, apbdp;
    } prog[] = {
        {"2.17.01", 10852412480, 10336956747}, {"2.17.02", -1, -1},
        {"2.17.03", 50000000, 50000000},       {"2.17.04", 50000000, 20000000},
        {"2.17.05", 1342500000, 1342500000},   {"2.17.06", 200000000, 175000000},
        {"2.17.07", 2191534368, 2653783351},   {"2.17.08", 633608632, 628608649},
    };
    Renja__V1__Item *a[16], *b[16];
    size_t n = 0;
    a[n] = fx_item("2.17", false, 0, NULL, NULL, NULL);
    b[n++] = fx_item("2.17", false, 0, NULL, NULL, NULL);
    for (size_t i = 0; i < 8; i++) {
        a[n] = fx_item(prog[i].kode, prog[i].apbd >= 0, prog[i].apbd, NULL, NULL, NULL);
        b[n++] = fx_item(prog[i].kode, prog[i].apbdp >= 0, prog[i].apbdp, NULL, NULL, NULL);
        if (i == 0) {
            a[n] = fx_item("2.17.01.1.08", true, 100000000, NULL, NULL, NULL);
            b[n++] = fx_item("2.17.01.1.08", true, 125290000, NULL, NULL, NULL);
            a[n] = fx_item("2.17.01.1.08.0001", true, 642200000, NULL, NULL, NULL);
            b[n++] = fx_item("2.17.01.1.08.0001", true, 555800000, NULL, NULL, NULL);
            a[n] = fx_item("2.17.01.1.08.0004", true, 287000000, NULL, NULL, NULL);
            b[n++] = fx_item("2.17.01.1.08.0004", true, 254000000, NULL, NULL, NULL);
        }
    }
    rj_diff_input in = {a, n, b, n, NULL, 0, NULL, 0, NULL, 0, RJ_LEVEL_PROGRAM, NULL, false};
    Renja__V1__DiffResponse out = RENJA__V1__DIFF_RESPONSE__INIT;
    assert_int_equal(rj_diff_compute(&in, &out, NULL), 0);
    assert_int_equal(out.total->pagu_from, 15320055480);
    assert_int_equal(out.total->pagu_to, 15206848747);
    assert_int_equal(out.total->delta, -113206733);
    assert_int_equal(out.total->pct_e2, -74);
    assert_int_equal(fx_row(&out, "2.17.01", false)->delta, -515455733);
    assert_int_equal(fx_row(&out, "2.17.07", false)->delta, 462248983);
    assert_int_equal(fx_row(&out, "2.17.08", false)->delta, -4999983);
    assert_null(fx_row(&out, "2.17.03", false));
    assert_null(fx_row(&out, "2.17.01.1.08", false)); /* below --level program */
    Renja__V1__DiffResponse all = RENJA__V1__DIFF_RESPONSE__INIT;
    in.level = RJ_LEVEL_NONE;
    assert_int_equal(rj_diff_compute(&in, &all, NULL), 0);
    const Renja__V1__DiffRow *k = fx_row(&all, "2.17.01.1.08", false);
    assert_true(k->rollup_differs);
    assert_int_equal(k->pagu_from, 100000000);
    assert_int_equal(k->rollup_from, 929200000);
    assert_int_equal(k->rollup_to, 809800000);
    fx_free(a, n);
    fx_free(b, n);
    protobuf_c_message_free_unpacked(
        (ProtobufCMessage *)memcpy(rj_malloc(sizeof out), &out, sizeof out), NULL);
    protobuf_c_message_free_unpacked(
        (ProtobufCMessage *)memcpy(rj_malloc(sizeof all), &all, sizeof all), NULL);
}

/* Groups over sides with nothing to group (no items, or no sub kegiatan,
 * or no lines): no groups, and no qsort of a NULL array (UB). */
static void test_empty_groups(void **state)
{
    (void)state;
    static const char *const bys[] = {"bidang", "sumber-dana", "rekening"};
    Renja__V1__Item *it[2];
    it[0] = fx_item("2.17", true, 5, "Urusan", "Sekretariat", "PAD");
    it[1] = fx_item("2.17.01", true, 5, "Program", "Sekretariat", "PAD");
    for (int k = 0; k < 3; k++)
        for (size_t ni = 0; ni <= 2; ni += 2) {
            rj_diff_input in = {.from_items = it,
                                .n_from_items = ni,
                                .to_items = it,
                                .n_to_items = ni,
                                .by = bys[k]};
            Renja__V1__DiffResponse out = RENJA__V1__DIFF_RESPONSE__INIT;
            rj_diag d;
            assert_int_equal(rj_diff_compute(&in, &out, &d), 0);
            assert_int_equal(out.n_groups, 0);
            assert_int_equal(out.n_rows, 0);
            assert_int_equal(out.total->pagu_to, ni ? 5 : 0);
            rj_query_clear(&out.base);
        }
    fx_free(it, 2);
}

/* Figures near the int64 limits: sums that leave int64 are refused with
 * RJ_EOVERFLOW naming the place; a percentage that does not fit is absent. */
static void test_int64_limits(void **state)
{
    (void)state;
    Renja__V1__Item *f[2], *t[2];
    f[0] = fx_item("2.17", false, 0, "Urusan", "", "");
    f[1] = fx_item("2.17.01", true, 1, "Program", "", "");
    t[0] = fx_item("2.17", false, 0, "Urusan", "", "");
    t[1] = fx_item("2.17.01", true, INT64_MAX, "Program", "", "");
    rj_diff_input in = {
        .from_items = f, .n_from_items = 2, .to_items = t, .n_to_items = 2, .by = "bidang"};
    Renja__V1__DiffResponse out = RENJA__V1__DIFF_RESPONSE__INIT;
    rj_diag d;
    assert_int_equal(rj_diff_compute(&in, &out, &d), 0);
    assert_int_equal(out.total->pagu_to, INT64_MAX);
    assert_int_equal(out.total->delta, INT64_MAX - 1);
    assert_false(out.total->has_pct);
    assert_int_equal(out.n_rows, 2);
    assert_false(out.rows[1]->has_pct);
    rj_query_clear(&out.base);
    /* Two programs of INT64_MAX: the roll-up of 2.17 leaves int64. */
    fx_free(t, 2);
    t[0] = fx_item("2.17", false, 0, "Urusan", "", "");
    t[1] = fx_item("2.17.01", true, INT64_MAX, "Program", "", "");
    Renja__V1__Item *t3[3] = {t[0], t[1], fx_item("2.17.02", true, INT64_MAX, "Program", "", "")};
    in.to_items = t3;
    in.n_to_items = 3;
    assert_int_equal(rj_diff_compute(&in, &out, &d), RJ_EOVERFLOW);
    assert_non_null(strstr(d.msg, "2.17"));
    rj_query_clear(&out.base);
    fx_free(f, 2);
    fx_free(t3, 3);
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

/* Goal rows: added, removed, a changed target, an unchanged one only with
 * all. */
static void test_goals(void **state)
{
    (void)state;
    Renja__V1__Goal *f[] = {fx_goal("T1", "Tujuan", 39300, NULL),
                            fx_goal("T1.S1", "Satu", 30000, NULL),
                            fx_goal("T1.S2", "Dua", 160000, NULL)};
    Renja__V1__Goal *t[] = {fx_goal("T1", "Tujuan", 40000, NULL),
                            fx_goal("T1.S2", "Dua", 160000, NULL),
                            fx_goal("T1.S3", "Tiga", 10000, NULL)};
    Renja__V1__DiffResponse out = RENJA__V1__DIFF_RESPONSE__INIT;
    rj_diff_goals(f, 3, t, 3, false, &out);
    assert_int_equal(out.n_goals, 3);
    assert_string_equal(out.goals[0]->kode, "T1");
    assert_int_equal(out.goals[0]->change, RENJA__V1__CHANGE_KIND__CHANGE_MODIFIED);
    assert_int_equal(out.goals[0]->n_targets, 1);
    assert_int_equal(out.goals[0]->targets[0]->from_e4, 39300);
    assert_int_equal(out.goals[0]->targets[0]->to_e4, 40000);
    assert_string_equal(out.goals[1]->kode, "T1.S1");
    assert_int_equal(out.goals[1]->change, RENJA__V1__CHANGE_KIND__CHANGE_REMOVED);
    assert_string_equal(out.goals[2]->kode, "T1.S3");
    assert_int_equal(out.goals[2]->change, RENJA__V1__CHANGE_KIND__CHANGE_ADDED);
    assert_int_equal(out.goals[0]->pagu_from + out.goals[0]->pagu_to, 0);
    Renja__V1__DiffResponse all = RENJA__V1__DIFF_RESPONSE__INIT;
    rj_diff_goals(f, 3, t, 3, true, &all);
    assert_int_equal(all.n_goals, 4);
    assert_string_equal(all.goals[2]->kode, "T1.S2");
    assert_int_equal(all.goals[2]->change, RENJA__V1__CHANGE_KIND__CHANGE_UNCHANGED);
    rj_query_clear(&out.base);
    rj_query_clear(&all.base);
    fx_free(f, 3);
    fx_free(t, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_figures),
        cmocka_unit_test(test_goals),
        cmocka_unit_test(test_changed_keys_same_rows),
        cmocka_unit_test(test_added_removed_targets),
        cmocka_unit_test(test_rollup_differs_and_level),
        cmocka_unit_test(test_all_and_groups),
        cmocka_unit_test(test_reverse),
        cmocka_unit_test(test_seed_programs),
        cmocka_unit_test(test_empty_groups),
        cmocka_unit_test(test_int64_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
