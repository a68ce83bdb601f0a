#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rj_json.h"
#include "rj_print.h"

/* Run a printer into memory and return what it printed (caller frees). */
static char *cap_buf;
static size_t cap_len;
static FILE *out_;
#define CAPTURE(out, call)                                                                         \
    do {                                                                                           \
        out_ = open_memstream(&cap_buf, &cap_len);                                                 \
        call;                                                                                      \
        fclose(out_);                                                                              \
        (out) = cap_buf;                                                                           \
    } while (0)

static void assert_json(const char *text)
{
    rj_json *j = NULL;
    rj_diag d = {{0}};
    if (rj_json_parse(text, strlen(text), 0, &j, &d) != 0)
        fail_msg("not JSON (%s):\n%s", d.msg, text);
    rj_json_free(j);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("output lacks \"%s\":\n%s", needle, hay);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* --- a hand-built DiffResponse: the seed's total and one row ------------------------- */

static Renja__V1__DiffTotal total = RENJA__V1__DIFF_TOTAL__INIT;
static Renja__V1__TargetChange tc = RENJA__V1__TARGET_CHANGE__INIT;
static Renja__V1__TargetChange *tcs[] = {&tc};
static Renja__V1__DiffRow row1 = RENJA__V1__DIFF_ROW__INIT, row2 = RENJA__V1__DIFF_ROW__INIT;
static Renja__V1__DiffRow *rows[] = {&row1, &row2};
static Renja__V1__DiffResponse diff = RENJA__V1__DIFF_RESPONSE__INIT;

static void build_diff(void)
{
    total.pagu_from = 15320055480;
    total.pagu_to = 15206848747;
    total.delta = -113206733;
    total.has_pct = 1;
    total.pct_e2 = -74;
    tc.indikator = 1;
    tc.nama = "Persentase dokumen perencanaan";
    tc.satuan_from = "%";
    tc.satuan_to = "%";
    tc.from_text = "";
    tc.to_text = "";
    tc.has_from = 1;
    tc.from_e4 = 1000000;
    tc.has_to = 1;
    tc.to_e4 = 122300;
    row1.kode = "2.17.01";
    row1.level = RENJA__V1__LEVEL__LEVEL_PROGRAM;
    row1.nama = "Program Penunjang, Urusan";
    row1.bidang = "Sekretariat";
    row1.change = RENJA__V1__CHANGE_KIND__CHANGE_MODIFIED;
    row1.pagu_from = 8204055000;
    row1.pagu_to = 8090848267;
    row1.delta = -113206733;
    row1.has_pct = 1;
    row1.pct_e2 = -138;
    row1.targets = tcs;
    row1.n_targets = 1;
    row2.kode = "2.17.02";
    row2.level = RENJA__V1__LEVEL__LEVEL_PROGRAM;
    row2.nama = "Unchanged";
    row2.change = RENJA__V1__CHANGE_KIND__CHANGE_UNCHANGED;
    row2.pagu_from = row2.pagu_to = 100;
    diff.plan = "diskopukm-sumsel/2024";
    diff.from_ref = "apbd";
    diff.from_rev = 2;
    diff.to_ref = "apbd-p";
    diff.to_rev = 7;
    diff.total = &total;
    diff.rows = rows;
    diff.n_rows = 2;
}

static void test_diff_json(void **state)
{
    build_diff();
    char *s;
    CAPTURE(s, rj_print_diff(&diff, false, RJ_OUT_JSON, out_));
    assert_json(s);
    assert_contains(s, "\"plan\": \"diskopukm-sumsel/2024\"");
    assert_contains(s, "\"from\": {\"ref\": \"apbd\", \"rev\": 2}");
    assert_contains(s, "\"to\": {\"ref\": \"apbd-p\", \"rev\": 7}");
    assert_contains(s, "\"total\": {\"pagu_from\": 15320055480, \"pagu_to\": 15206848747, "
                       "\"delta\": -113206733, \"pct\": -0.74}");
    assert_contains(
        s,
        "\"kode\": \"2.17.01\", \"level\": \"program\", \"nama\": \"Program Penunjang, Urusan\", "
        "\"bidang\": \"Sekretariat\", \"change\": \"modified\", \"pagu_from\": 8204055000, "
        "\"pagu_to\": 8090848267, \"delta\": -113206733, \"pct\": -1.38");
    assert_contains(
        s, "\"targets\": [{\"indikator\": \"Persentase dokumen perencanaan\", \"satuan\": \"%\", "
           "\"from\": \"100\", \"to\": \"12.23\"");
    assert_contains(s, "\"pct\": null"); /* row 2 has no pct */
    free(s);
}

static void test_diff_tsv_csv(void **state)
{
    build_diff();
    char *s;
    CAPTURE(s, rj_print_diff(&diff, false, RJ_OUT_TSV, out_));
    assert_int_equal(count_lines(s), 2);
    assert_string_equal(
        s, "2.17.01\tprogram\tProgram Penunjang, Urusan\tSekretariat\tmodified\t"
           "Persentase dokumen perencanaan\t100\t12.23\t\t\t8204055000\t8090848267\t-113206733\t-1."
           "38\n"
           "2.17.02\tprogram\tUnchanged\t\tunchanged\t\t\t\t\t\t100\t100\t0\t\n");
    free(s);
    CAPTURE(s, rj_print_diff(&diff, true, RJ_OUT_CSV, out_));
    assert_string_equal(
        s, "kode,level,nama,bidang,change,indikator,target_from,target_to,target_from_text,"
           "target_to_text,pagu_from,pagu_to,delta,pct\n"
           "2.17.01,program,\"Program Penunjang, Urusan\",Sekretariat,modified,"
           "Persentase dokumen perencanaan,100,12.23,,,8204055000,8090848267,-113206733,-1.38\n");
    free(s);
    /* The excel-id dialect: BOM, ';', CRLF, decimal comma; no quotes needed
     * around a comma now. */
    CAPTURE(s, rj_print_diff(&diff, true, RJ_OUT_CSV_EXCEL, out_));
    assert_string_equal(
        s, "\xef\xbb\xbfkode;level;nama;bidang;change;indikator;target_from;target_to;"
           "target_from_text;target_to_text;pagu_from;pagu_to;delta;pct\r\n"
           "2.17.01;program;Program Penunjang, Urusan;Sekretariat;modified;"
           "Persentase dokumen perencanaan;100;12,23;;;8204055000;8090848267;-113206733;-1,38\r\n");
    free(s);
}

static void test_diff_table(void **state)
{
    build_diff();
    char *s;
    CAPTURE(s, rj_print_diff(&diff, false, RJ_OUT_TABLE, out_));
    assert_contains(s, "Bertambah (Berkurang)");
    assert_contains(s, "8.204.055.000");
    assert_contains(s, "(113.206.733)");
    assert_contains(s, "-1,38%");
    assert_contains(s, "12,23");
    assert_contains(s, "Jumlah");
    assert_contains(s, "15.320.055.480");
    assert_contains(s, "15.206.848.747");
    assert_contains(s, "-0,74%");
    /* header, rule, 2 rows, rule, footer */
    assert_int_equal(count_lines(s), 6);
    /* right-aligned money: the delta column ends where the header ends */
    const char *h = strstr(s, "Bertambah (Berkurang)");
    const char *line2 = strchr(strchr(s, '\n') + 1, '\n') + 1;
    const char *d = strstr(line2, "(113.206.733)");
    size_t hcol = (size_t)(h - s) + strlen("Bertambah (Berkurang)");
    size_t dcol = (size_t)(d - line2) + strlen("(113.206.733)");
    assert_int_equal(hcol, dcol);
    /* no trailing blanks */
    assert_null(strstr(s, " \n"));
    free(s);
}

static void test_diff_groups(void **state)
{
    build_diff();
    Renja__V1__DiffGroup g = RENJA__V1__DIFF_GROUP__INIT, *gs[] = {&g};
    g.key = "Sekretariat";
    g.nama = "";
    g.pagu_from = 10;
    g.pagu_to = 5;
    g.delta = -5;
    g.has_pct = 1;
    g.pct_e2 = -5000;
    diff.groups = gs;
    diff.n_groups = 1;
    char *s;
    CAPTURE(s, rj_print_diff(&diff, false, RJ_OUT_TSV, out_));
    assert_string_equal(s, "Sekretariat\t\t10\t5\t-5\t-50.00\n");
    free(s);
    CAPTURE(s, rj_print_diff(&diff, false, RJ_OUT_JSON, out_));
    assert_json(s);
    assert_contains(s, "\"groups\": [{\"key\": \"Sekretariat\", \"nama\": \"\", \"pagu_from\": 10, "
                       "\"pagu_to\": 5, "
                       "\"delta\": -5, \"pct\": -50.00}]");
    free(s);
    diff.groups = NULL;
    diff.n_groups = 0;
}

/* --- EvaluateResponse --------------------------------------------------------------- */

static void test_eval(void **state)
{
    Renja__V1__EvalRow a = RENJA__V1__EVAL_ROW__INIT, b = RENJA__V1__EVAL_ROW__INIT,
                       *er[] = {&a, &b};
    a.kode = "2.17.01.1.01.0001";
    a.level = RENJA__V1__LEVEL__LEVEL_SUB_KEGIATAN;
    a.nama = "Penyusunan Dokumen";
    a.indikator_no = 1;
    a.indikator = "Jumlah Dokumen";
    a.satuan = "dokumen";
    a.has_target = 1;
    a.target_e4 = 20000;
    a.target_text = "2";
    a.reported = 1;
    a.realisasi_e4 = 10000;
    a.has_capaian = 1;
    a.capaian_e2 = 5000;
    a.predikat = "rendah";
    b.kode = "2.17.01";
    b.level = RENJA__V1__LEVEL__LEVEL_PROGRAM;
    b.nama = "Program";
    b.indikator = "Persentase";
    b.satuan = "%";
    b.target_text = "12 Bulan 3 dok";
    b.predikat = "";
    b.note = "target-not-number";
    Renja__V1__EvalSummary sum = RENJA__V1__EVAL_SUMMARY__INIT;
    char *met[] = {"2.17.01.1.01.0002"};
    sum.rendah = 1;
    sum.no_capaian = 1;
    sum.met = met;
    sum.n_met = 1;
    Renja__V1__EvaluateResponse r = RENJA__V1__EVALUATE_RESPONSE__INIT;
    r.plan = "p/2024";
    r.tw = 2;
    r.at = "apbd-p";
    r.at_rev = 7;
    r.realisasi_rev = 9;
    r.rows = er;
    r.n_rows = 2;
    r.summary = &sum;
    char *s;
    CAPTURE(s, rj_print_eval(&r, RJ_OUT_JSON, out_));
    assert_json(s);
    assert_contains(s, "\"plan\": \"p/2024\", \"tw\": 2, \"at\": \"apbd-p\"");
    assert_contains(s, "\"kode\": \"2.17.01.1.01.0001\"");
    assert_contains(
        s,
        "\"indikator\": \"Jumlah Dokumen\", \"satuan\": \"dokumen\", \"target\": 2, "
        "\"target_text\": \"2\", \"realisasi\": 1, \"realisasi_text\": \"\", \"capaian\": 50.00, "
        "\"predikat\": \"rendah\"");
    assert_contains(s, "\"target\": null, \"target_text\": \"12 Bulan 3 dok\", \"realisasi\": "
                       "null, \"realisasi_text\": \"\", \"capaian\": null");
    assert_contains(
        s, "\"summary\": {\"sangat_tinggi\": 0, \"tinggi\": 0, \"sedang\": 0, \"rendah\": 1, "
           "\"sangat_rendah\": 0, \"not_reported\": 0, \"no_capaian\": 1, \"met\": "
           "[\"2.17.01.1.01.0002\"], "
           "\"not_started\": []}");
    free(s);
    CAPTURE(s, rj_print_eval(&r, RJ_OUT_TSV, out_));
    assert_string_equal(
        s, "2.17.01.1.01.0001\tsub kegiatan\tPenyusunan Dokumen\t1\tJumlah "
           "Dokumen\tdokumen\t2\t2\t1\t\t50.00\trendah\t\n"
           "2.17.01\tprogram\tProgram\t0\tPersentase\t%\t\t12 Bulan 3 dok\t\t\t\t\ttarget-not-"
           "number\n");
    free(s);
    CAPTURE(s, rj_print_eval(&r, RJ_OUT_TABLE, out_));
    assert_contains(s, "Realisasi s.d. TW 2");
    assert_contains(s, "50,00%");
    assert_contains(s, "12 Bulan 3 dok");
    assert_contains(s, "rendah");
    free(s);
}

/* --- ShowResponse ---------------------------------------------------------------------- */

static void test_show(void **state)
{
    Renja__V1__Indikator k1 = RENJA__V1__INDIKATOR__INIT, k2 = RENJA__V1__INDIKATOR__INIT,
                         *ks[] = {&k1, &k2};
    k1.nama = "Jumlah Dokumen";
    k1.satuan = "dokumen";
    k1.has_target = 1;
    k1.target_e4 = 122300;
    k1.target_text = "";
    k2.nama = "Laporan";
    k2.satuan = "laporan";
    k2.target_text = "12 Bulan 3 dok";
    k2.tren = RENJA__V1__TREN__TREN_NEGATIF;
    Renja__V1__Item p = RENJA__V1__ITEM__INIT, c = RENJA__V1__ITEM__INIT, *items[] = {&p, &c};
    p.kode = "2.17.01";
    p.level = RENJA__V1__LEVEL__LEVEL_PROGRAM;
    p.nama = "Program \"Penunjang\"";
    p.bidang = "Sekretariat";
    p.pagu_rollup = 15320055480;
    c.kode = "2.17.01.1.01.0001";
    c.level = RENJA__V1__LEVEL__LEVEL_SUB_KEGIATAN;
    c.nama = "Penyusunan\tDokumen";
    c.bidang = "Sekretariat";
    c.has_pagu = 1;
    c.pagu = 188500000;
    c.pagu_rollup = 188500000;
    c.lokasi = "Sumsel";
    c.sumber_dana = "PAD";
    c.indikator = ks;
    c.n_indikator = 2;
    Renja__V1__ShowResponse r = RENJA__V1__SHOW_RESPONSE__INIT;
    r.plan = "p/2024";
    r.rev = 3;
    r.items = items;
    r.n_items = 2;
    char *s;
    CAPTURE(s, rj_print_show(&r, false, false, RJ_OUT_JSON, out_));
    assert_json(s);
    assert_contains(s, "\"plan\": \"p/2024\", \"rev\": 3, \"items\": [");
    assert_contains(
        s,
        "{\"kode\": \"2.17.01\", \"level\": \"program\", \"nama\": \"Program \\\"Penunjang\\\"\", "
        "\"bidang\": \"Sekretariat\", \"pagu\": null, \"pagu_rollup\": 15320055480, \"lokasi\": "
        "\"\", "
        "\"sumber_dana\": \"\", \"indikator\": []}");
    assert_contains(
        s, "\"pagu\": 188500000, \"pagu_rollup\": 188500000, \"lokasi\": \"Sumsel\", "
           "\"sumber_dana\": \"PAD\", "
           "\"indikator\": [{\"nama\": \"Jumlah Dokumen\", \"satuan\": \"dokumen\", \"target\": "
           "12.23, "
           "\"target_text\": \"\", \"tren\": \"positif\"}, {\"nama\": \"Laporan\", \"satuan\": "
           "\"laporan\", "
           "\"target\": null, \"target_text\": \"12 Bulan 3 dok\", \"tren\": \"negatif\"}]}");
    free(s);
    CAPTURE(s, rj_print_show(&r, false, false, RJ_OUT_TSV, out_));
    assert_string_equal(
        s,
        "2.17.01\tprogram\tProgram \"Penunjang\"\tSekretariat\t\t15320055480\t\t\t\t\t\t\n"
        "2.17.01.1.01.0001\tsub kegiatan\tPenyusunan\\tDokumen\tSekretariat\t188500000\t188500000\t"
        "Sumsel\tPAD\tJumlah Dokumen; Laporan\t12.23; \t; 12 Bulan 3 dok\tdokumen; laporan\n");
    free(s);
    CAPTURE(s, rj_print_show(&r, false, false, RJ_OUT_CSV, out_));
    assert_string_equal(
        s,
        "kode,level,nama,bidang,pagu,pagu_rollup,lokasi,sumber_dana,indikator,target,target_text,"
        "satuan\n"
        "2.17.01,program,\"Program \"\"Penunjang\"\"\",Sekretariat,,15320055480,,,,,,\n"
        "2.17.01.1.01.0001,sub kegiatan,Penyusunan\tDokumen,Sekretariat,188500000,188500000,"
        "Sumsel,PAD,Jumlah Dokumen; Laporan,12.23; ,; 12 Bulan 3 dok,dokumen; laporan\n");
    free(s);
    CAPTURE(s, rj_print_show(&r, false, false, RJ_OUT_TABLE, out_));
    assert_contains(s, "15.320.055.480");
    assert_contains(s, "188.500.000");
    assert_contains(s, "12,23; 12 Bulan 3 dok");
    /* nama indented by level in the human table only */
    assert_contains(s, "  Program \"Penunjang\"");
    assert_contains(s, "        Penyusunan Dokumen");
    free(s);
}

static void test_write_and_lists(void **state)
{
    Renja__V1__Revision rev = RENJA__V1__REVISION__INIT;
    rev.rev = 8;
    rev.base_rev = 7;
    rev.author = "perencana";
    rev.message = "APBD-P";
    rev.time_unix_ms = 1723800000000;
    rev.role = RENJA__V1__ROLE__ROLE_PLANNER;
    rev.client = "tcp 10.0.3.7:51234";
    Renja__V1__SubmitResponse sr = RENJA__V1__SUBMIT_RESPONSE__INIT;
    sr.rev = 8;
    sr.revision = &rev;
    char *s;
    CAPTURE(s, rj_print_submit("p/2024", &sr, RJ_OUT_TSV, out_));
    assert_string_equal(s, "8\n");
    free(s);
    CAPTURE(s, rj_print_submit("p/2024", &sr, RJ_OUT_JSON, out_));
    assert_json(s);
    assert_contains(s, "{\"rev\": 8, \"plan\": \"p/2024\"");
    free(s);
    Renja__V1__Revision *revs[] = {&rev};
    Renja__V1__LogResponse lr = RENJA__V1__LOG_RESPONSE__INIT;
    lr.plan = "p/2024";
    lr.revisions = revs;
    lr.n_revisions = 1;
    CAPTURE(s, rj_print_log(&lr, RJ_OUT_TSV, out_));
    assert_string_equal(s, "8\t2024-08-16T09:20:00Z\tperencana\t\t7\tAPBD-P\tplanner\ttcp "
                           "10.0.3.7:51234\n");
    free(s);
    CAPTURE(s, rj_print_log(&lr, RJ_OUT_JSON, out_));
    assert_json(s);
    assert_contains(s, "\"plan\": \"p/2024\", \"revisions\": [");
    assert_contains(s, "\"keys\": []");
    free(s);
    CAPTURE(s, rj_print_revision("p/2024", &rev, RJ_OUT_TSV, out_));
    assert_string_equal(s, "8\t2024-08-16T09:20:00Z\tperencana\t\tAPBD-P\n");
    free(s);

    Renja__V1__Finding f = RENJA__V1__FINDING__INIT, *fs[] = {&f};
    f.severity = "error";
    f.kode = "2.17.01";
    f.rule = "pagu-rollup";
    f.message = "pagu 10 differs from the sum of the children 9";
    Renja__V1__ValidateResponse vr = RENJA__V1__VALIDATE_RESPONSE__INIT;
    vr.plan = "p/2024";
    vr.findings = fs;
    vr.n_findings = 1;
    CAPTURE(s, rj_print_validate(&vr, RJ_OUT_JSON, out_));
    assert_json(s);
    assert_contains(s, "\"findings\": [\n  {\"severity\": \"error\", \"kode\": \"2.17.01\", "
                       "\"rule\": \"pagu-rollup\", "
                       "\"message\": \"pagu 10 differs from the sum of the children 9\"}");
    free(s);
    CAPTURE(s, rj_print_validate(&vr, RJ_OUT_CSV, out_));
    assert_string_equal(s, "severity,kode,rule,message\nerror,2.17.01,pagu-rollup,pagu 10 differs "
                           "from the sum of the children 9\n");
    free(s);
    /* an empty listing: nothing in tsv, the header in csv, an empty array in json */
    vr.n_findings = 0;
    CAPTURE(s, rj_print_validate(&vr, RJ_OUT_TSV, out_));
    assert_string_equal(s, "");
    free(s);
    CAPTURE(s, rj_print_validate(&vr, RJ_OUT_JSON, out_));
    assert_string_equal(s, "{\"plan\": \"p/2024\", \"rev\": 0, \"findings\": []}\n");
    free(s);
}

static void test_compare(void **state)
{
    Renja__V1__CompareColumn c1 = RENJA__V1__COMPARE_COLUMN__INIT,
                             c2 = RENJA__V1__COMPARE_COLUMN__INIT;
    Renja__V1__CompareColumn *cols[] = {&c1, &c2};
    c1.ref = "apbd";
    c1.rev = 2;
    c1.title = "APBD 2024";
    c2.ref = "apbd-p";
    c2.rev = 7;
    c2.title = "";
    Renja__V1__CompareRow r1 = RENJA__V1__COMPARE_ROW__INIT, *rs[] = {&r1};
    int64_t vals[] = {8204055000, 8090848267};
    protobuf_c_boolean pres[] = {1, 1};
    r1.kode = "5.1.01";
    r1.nama = "Belanja Pegawai";
    r1.depth = 3;
    r1.is_line = 1;
    r1.values = vals;
    r1.n_values = 2;
    r1.present = pres;
    r1.n_present = 2;
    r1.has_pct = 1;
    r1.pct_e2 = -138;
    Renja__V1__CompareResponse r = RENJA__V1__COMPARE_RESPONSE__INIT;
    r.plan = "p/2024";
    r.stages = cols;
    r.n_stages = 2;
    r.rows = rs;
    r.n_rows = 1;
    char *s;
    CAPTURE(s, rj_print_compare(&r, RJ_OUT_JSON, out_));
    assert_json(s);
    assert_contains(s, "\"stages\": [{\"ref\": \"apbd\", \"rev\": 2, \"title\": \"APBD 2024\"}, "
                       "{\"ref\": \"apbd-p\"");
    assert_contains(s, "{\"kode\": \"5.1.01\", \"nama\": \"Belanja Pegawai\", \"depth\": 3, "
                       "\"values\": [8204055000, "
                       "8090848267], \"pct\": -1.38}");
    free(s);
    CAPTURE(s, rj_print_compare(&r, RJ_OUT_CSV, out_));
    assert_string_equal(
        s, "kode,nama,apbd,apbd-p,pct\n5.1.01,Belanja Pegawai,8204055000,8090848267,-1.38\n");
    free(s);
    pres[1] = 0;
    CAPTURE(s, rj_print_compare(&r, RJ_OUT_TABLE, out_));
    assert_contains(s, "APBD 2024");
    assert_contains(s, "8.204.055.000");
    assert_null(strstr(s, "8.090.848.267"));
    free(s);
    /* a zero amount reads "-" in the human table, as in the seed, and 0 elsewhere */
    pres[1] = 1;
    vals[0] = 0;
    r1.has_pct = 0;
    CAPTURE(s, rj_print_compare(&r, RJ_OUT_TABLE, out_));
    assert_contains(s, "          -  8.090.848.267");
    free(s);
    CAPTURE(s, rj_print_compare(&r, RJ_OUT_TSV, out_));
    assert_contains(s, "Belanja Pegawai\t0\t8090848267");
    free(s);
}

static void test_export_roundtrip_shape(void **state)
{
    Renja__V1__Indikator k = RENJA__V1__INDIKATOR__INIT, *ks[] = {&k};
    k.nama = "Jumlah";
    k.satuan = "dok";
    k.has_target = 1;
    k.target_e4 = 1057870;
    k.target_text = "105.787"; /* plain form: a fourth place, never a dot and three digits */
    Renja__V1__Item it = RENJA__V1__ITEM__INIT, *items[] = {&it};
    it.kode = "2.17.01.1.01.0001";
    it.nama = "Penyusunan, Dokumen";
    it.bidang = "Sekretariat";
    it.lokasi = "";
    it.sumber_dana = "PAD";
    it.has_pagu = 1;
    it.pagu = 188500000;
    it.indikator = ks;
    it.n_indikator = 1;
    Renja__V1__BudgetLine l = RENJA__V1__BUDGET_LINE__INIT, *ls[] = {&l};
    l.kode = "5.1.01";
    l.nama = "Belanja Pegawai";
    l.has_pagu = 1;
    l.pagu = 8204055000;
    Renja__V1__Plan plan = RENJA__V1__PLAN__INIT;
    plan.id = "p/2024";
    plan.nama = "Renja";
    Renja__V1__ExportResponse r = RENJA__V1__EXPORT_RESPONSE__INIT;
    r.plan = &plan;
    r.rev = 7;
    r.items = items;
    r.n_items = 1;
    r.lines = ls;
    r.n_lines = 1;
    char *s;
    CAPTURE(s, rj_print_export(&r, RJ_OUT_JSON, out_));
    assert_json(s);
    assert_contains(s, "\"pagu\": 188500000");
    assert_contains(s, "\"target\": 105.7870, \"target_text\": \"105.787\"");
    free(s);
    CAPTURE(s, rj_print_export(&r, RJ_OUT_CSV, out_));
    /* The value plain (a fourth place: never "d.ddd"), the text as written. */
    assert_string_equal(
        s, "tipe,kode,nama,bidang,lokasi,sumber_dana,pagu,indikator,satuan,target,target_text,tren,"
           "tw,indikator_no,realisasi,realisasi_text,anggaran,sasaran,formula,parts,"
           "realisasi_satuan,num,den,before,after\n"
           "item,2.17.01.1.01.0001,\"Penyusunan, "
           "Dokumen\",Sekretariat,,PAD,188500000,Jumlah,dok,105.7870,105.787,positif,,,,,,,,,,,,,\n"
           "rekening,5.1.01,Belanja Pegawai,,,,8204055000,,,,,,,,,,,,,,,,,,\n");
    free(s);
}

/* --- rj_out's values, cells by column and numbers in text ------------------------------ */

static void test_values(void **state)
{
    (void)state;
    rj_val *o = rj_val_object();
    rj_val_str(o, "s", "a \"q\"\n\x01 \xc3\xa9");
    rj_val_str(o, "none", NULL);
    rj_val_int(o, "n", -12);
    rj_val_bool(o, "b", true);
    rj_val_dec(o, "d", 122300);
    rj_val_pct(o, "p", -74);
    rj_val_dec_or_null(o, "dn", false, 5);
    rj_val_pct_or_null(o, "pn", true, 5394);
    char *keys[] = {"x", "y"};
    rj_val_strs(o, "keys", keys, 2);
    rj_val_add_array(o, "empty");
    rj_val *inner = rj_val_add_object(o, "o");
    rj_val_null(inner, "z");
    char *text;
    CAPTURE(text, rj_val_print(o, out_));
    assert_string_equal(text, "{\"s\": \"a \\\"q\\\"\\n\\u0001 \xc3\xa9\", \"none\": null, "
                              "\"n\": -12, \"b\": true, \"d\": 12.23, \"p\": -0.74, \"dn\": null, "
                              "\"pn\": 53.94, \"keys\": [\"x\", \"y\"], \"empty\": [], "
                              "\"o\": {\"z\": null}}\n");
    free(text);
    rj_val_free(o);

    /* one member per line, indented by the line-wise containers around it */
    rj_val *doc = rj_val_object();
    rj_val_lines(doc);
    rj_val_int(doc, "rev", 3);
    rj_val *a = rj_val_add_array(doc, "items");
    rj_val_lines(a);
    rj_val_int(rj_val_add_object(a, NULL), "k", 1);
    rj_val_add(a, NULL, NULL);
    rj_val_lines(rj_val_add_array(doc, "none"));
    CAPTURE(text, rj_val_print(doc, out_));
    assert_string_equal(text, "{\n  \"rev\": 3,\n  \"items\": [\n    {\"k\": 1},\n    null\n  ],\n"
                              "  \"none\": []\n}\n");
    free(text);
    rj_val_free(doc);
}

static void test_table_cells(void **state)
{
    (void)state;
    rj_table *t = rj_table_new("rows");
    rj_table_meta_str(t, "plan", "p/2024");
    rj_table_meta_int(t, "rev", 7);
    rj_val *m = rj_val_object();
    rj_val_pct_or_null(m, "pct", false, 0);
    rj_table_meta(t, "total", m);
    rj_table_col(t, "nama", "Uraian", 0);
    rj_table_col(t, "extra", NULL, RJ_COL_FLAT_ONLY);
    rj_table_col(t, "pagu", "Pagu", 0);
    rj_table_col(t, "v", NULL, RJ_COL_JSON_ONLY);
    rj_table_row(t);
    rj_table_indented(t, "Kegiatan", 3);
    rj_table_str(t, "x");
    rj_table_money(t, 15320055480);
    rj_val *v = rj_val_array();
    rj_val_dec(v, NULL, 50000);
    rj_table_val(t, v);
    /* a footer by column: what is not given stays empty; a cell given
     * again replaces the first */
    rj_table_footer(t);
    rj_table_at(t, "pagu");
    rj_table_money(t, 1);
    rj_table_at(t, "nama");
    rj_table_str(t, "Jumlah");
    rj_table_at(t, "pagu");
    rj_table_money(t, 15320055480);
    char *text;
    CAPTURE(text, rj_table_print(t, RJ_OUT_JSON, out_));
    assert_string_equal(text, "{\"plan\": \"p/2024\", \"rev\": 7, \"total\": {\"pct\": null}, "
                              "\"rows\": [\n  {\"nama\": \"Kegiatan\", \"pagu\": 15320055480, "
                              "\"v\": [5]}\n]}\n");
    free(text);
    CAPTURE(text, rj_table_print(t, RJ_OUT_TSV, out_));
    assert_string_equal(text, "Kegiatan\tx\t15320055480\n");
    free(text);
    CAPTURE(text, rj_table_print(t, RJ_OUT_TABLE, out_));
    assert_contains(text, "    Kegiatan  x      15.320.055.480\n");
    assert_contains(text,
                    "------------  -----  --------------\nJumlah               15.320.055.480\n");
    free(text);
    rj_table_free(t);
}

static void test_numbers_in_text(void **state)
{
    (void)state;
    char n[RJ_NUM_MAX];
    rj_out_text_dec(RJ_OUT_TABLE, 12345000, n);
    assert_string_equal(n, "1.234,5");
    rj_out_text_dec(RJ_OUT_CSV_EXCEL, 12345000, n);
    assert_string_equal(n, "1234,5");
    rj_out_text_dec(RJ_OUT_TSV, 12345000, n);
    assert_string_equal(n, "1234.5");
    rj_out_prose_dec(RJ_OUT_CSV_EXCEL, 12345000, n);
    assert_string_equal(n, "1.234,5");
    rj_out_prose_dec(RJ_OUT_JSON, 12345000, n);
    assert_string_equal(n, "1234.5");
    rj_out_text_money(RJ_OUT_TABLE, -113206733, n);
    assert_string_equal(n, "(113.206.733)");
    rj_out_text_money(RJ_OUT_CSV, -113206733, n);
    assert_string_equal(n, "-113206733");
    rj_out_text_money(RJ_OUT_TABLE, 0, n);
    assert_string_equal(n, "0");
    rj_out_text_pct(RJ_OUT_TABLE, 5394, n);
    assert_string_equal(n, "53,94");
    rj_out_text_pct(RJ_OUT_CSV_EXCEL, 5394, n);
    assert_string_equal(n, "53,94");
    rj_out_text_pct(RJ_OUT_JSON, 5394, n);
    assert_string_equal(n, "53.94");

    /* a value as written for people, its number for machines */
    rj_buf b = {0};
    rj_out_written(RJ_OUT_TABLE, "2 dokumen", true, 20000, &b);
    rj_buf_puts(&b, "|");
    rj_out_written(RJ_OUT_TABLE, "", true, 12345000, &b);
    rj_buf_puts(&b, "|");
    rj_out_written(RJ_OUT_CSV_EXCEL, "2 dokumen", true, 12345000, &b);
    rj_buf_puts(&b, "|");
    rj_out_written(RJ_OUT_TSV, "ada", false, 0, &b);
    assert_string_equal(b.data, "2 dokumen|1.234,5|1234,5|");
    rj_buf_free(&b);
    rj_table *t = rj_table_new("rows");
    rj_table_col(t, "target", "Target", 0);
    const char *texts[] = {"2 dokumen", "", "ada", ""};
    const bool has[] = {true, true, false, false};
    for (int i = 0; i < 4; i++) {
        rj_table_row(t);
        rj_table_written(t, texts[i], has[i], 12345000);
    }
    char *text;
    CAPTURE(text, rj_table_print(t, RJ_OUT_JSON, out_));
    assert_string_equal(text, "{\"rows\": [\n  {\"target\": 1234.5},\n  {\"target\": 1234.5},\n"
                              "  {\"target\": null},\n  {\"target\": null}\n]}\n");
    free(text);
    CAPTURE(text, rj_table_print(t, RJ_OUT_TSV, out_));
    assert_string_equal(text, "1234.5\n1234.5\n\n\n");
    free(text);
    CAPTURE(text, rj_table_print(t, RJ_OUT_TABLE, out_));
    assert_string_equal(text, "Target\n---------\n2 dokumen\n1.234,5\nada\n\n");
    free(text);
    rj_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_json),
        cmocka_unit_test(test_diff_tsv_csv),
        cmocka_unit_test(test_diff_table),
        cmocka_unit_test(test_diff_groups),
        cmocka_unit_test(test_eval),
        cmocka_unit_test(test_show),
        cmocka_unit_test(test_write_and_lists),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_export_roundtrip_shape),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_table_cells),
        cmocka_unit_test(test_numbers_in_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
