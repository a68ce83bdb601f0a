#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rj_alloc.h"
#include "rj_input.h"

static const char doc_json[] =
    "{\n"
    "  \"plan\": \"diskopukm-sumsel/2024\",\n"
    "  \"nama\": \"Renja Dinas Koperasi dan UKM Provinsi Sumatera Selatan 2024\",\n"
    "  \"rev\": 7,\n"
    "  \"items\": [\n"
    "    {\"kode\": \"2.17.01.1.01.0001\",\n"
    "     \"nama\": \"Penyusunan Dokumen Perencanaan Perangkat Daerah\",\n"
    "     \"bidang\": \"Sekretariat\",\n"
    "     \"lokasi\": \"Sumsel\",\n"
    "     \"pagu\": 188500000,\n"
    "     \"sumber_dana\": \"PAD\",\n"
    "     \"indikator\": [\n"
    "       {\"nama\": \"Jumlah Dokumen Perencanaan Perangkat Daerah\", \"satuan\": \"dokumen\",\n"
    "        \"target\": 2, \"target_text\": \"2\", \"tren\": \"positif\"}\n"
    "     ]}\n"
    "  ],\n"
    "  \"lines\": [\n"
    "    {\"kode\": \"5.1.01\", \"nama\": \"Belanja Pegawai\", \"pagu\": 8204055000}\n"
    "  ],\n"
    "  \"realisasi\": [\n"
    "    {\"kode\": \"2.17.01\", \"tw\": 2, \"indikator\": 1, \"value\": 50, \"text\": \"50\"},\n"
    "    {\"kode\": \"2.17.01.1.01.0001\", \"tw\": 2, \"anggaran\": 94250000}\n"
    "  ],\n"
    "  \"remove\": [\n"
    "    {\"kode\": \"2.17.01.1.02.0007\"},\n"
    "    {\"line\": \"5.2.01\"}\n"
    "  ],\n"
    "  \"stages\": []\n"
    "}\n";

static const char doc_csv[] =
    "tipe,kode,nama,bidang,lokasi,sumber_dana,pagu,indikator,satuan,target,tren\n"
    "item,2.17,\"Urusan Pemerintah Bidang Koperasi, Usaha Kecil dan Menengah\",,,,,,,,\n"
    "item,2.17.01,Program Penunjang Urusan Pemerintahan Daerah "
    "Provinsi,Sekretariat,Sumsel,PAD,,Persentase "
    "meningkatnya penunjang urusan pemerintah daerah,%,100,positif\n"
    "item,2.17.01.101,Perencanaan Penganggaran dan Evaluasi Kinerja Perangkat "
    "Daerah,Sekretariat,Sumsel,PAD,,Persentase dokumen perencanaan,%,100,\n"
    "item,2.17.01.101.01,Penyusunan Dokumen Perencanaan Perangkat "
    "Daerah,Sekretariat,Sumsel,PAD,188.500.000,Jumlah Dokumen Perencanaan,dokumen,2,\n"
    "rekening,5.1.01,Belanja Pegawai,,,,8.204.055.000,,,,\n";

static int read_str(rj_submit *s, const char *name, const char *text, rj_diag *d)
{
    return rj_input_read(s, name, text, strlen(text), RJ_INPUT_AUTO, d);
}

static void expect_error(const char *name, const char *text, const char *want)
{
    rj_submit *s = rj_submit_new("p/2024", "");
    rj_diag d = {{0}};
    int rc = read_str(s, name, text, &d);
    assert_true(rc < 0);
    if (!strstr(d.msg, want))
        fail_msg("diag \"%s\" lacks \"%s\"", d.msg, want);
    rj_submit_free(s);
}

static void test_json_example(void **state)
{
    rj_submit *s = rj_submit_new("diskopukm-sumsel/2024", "APBD");
    rj_diag d = {{0}};
    if (read_str(s, "plan.json", doc_json, &d) != 0)
        fail_msg("%s", d.msg);
    Renja__V1__SubmitRequest *req = rj_submit_req(s);
    assert_string_equal(req->plan, "diskopukm-sumsel/2024");
    assert_string_equal(req->message, "APBD");
    assert_int_equal(req->n_changes, 6);
    Renja__V1__Item *it = req->changes[0]->upsert_item;
    assert_int_equal(req->changes[0]->change_case, RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM);
    assert_string_equal(it->kode, "2.17.01.1.01.0001");
    assert_int_equal(it->level, RENJA__V1__LEVEL__LEVEL_SUB_KEGIATAN);
    assert_string_equal(it->bidang, "Sekretariat");
    assert_string_equal(it->sumber_dana, "PAD");
    assert_true(it->has_pagu);
    assert_int_equal(it->pagu, 188500000);
    assert_int_equal(it->n_indikator, 1);
    assert_string_equal(it->indikator[0]->satuan, "dokumen");
    assert_true(it->indikator[0]->has_target);
    assert_int_equal(it->indikator[0]->target_e4, 20000);
    assert_string_equal(it->indikator[0]->target_text, "2");
    Renja__V1__BudgetLine *l = req->changes[1]->upsert_line;
    assert_string_equal(l->kode, "5.1.01");
    assert_int_equal(l->pagu, 8204055000);
    Renja__V1__Realisasi *r = req->changes[2]->realisasi;
    assert_string_equal(r->kode, "2.17.01");
    assert_int_equal(r->tw, 2);
    assert_int_equal(r->indikator, 1);
    assert_int_equal(r->value_e4, 500000);
    r = req->changes[3]->realisasi;
    assert_int_equal(r->indikator, 0);
    assert_int_equal(r->anggaran, 94250000);
    assert_int_equal(req->changes[4]->change_case, RENJA__V1__CHANGE__CHANGE_REMOVE_ITEM);
    assert_string_equal(req->changes[4]->remove_item, "2.17.01.1.02.0007");
    assert_false(req->changes[4]->recursive);
    assert_string_equal(req->changes[5]->remove_line, "5.2.01");
    rj_submit_free(s);
}

static void test_json_values(void **state)
{
    rj_submit *s = rj_submit_new("p/2024", "");
    rj_diag d = {{0}};
    const char *j =
        "{\"items\": [{\"kode\": \"2.17.01.101.01\", \"pagu\": \"15.320.055.480\", \"indikator\": ["
        "{\"target\": 12.23}, {\"target\": \"12,23\"}, {\"target\": 105.787}, {\"target\": "
        "\"105.787,0\"},"
        "{\"target_text\": \"12 Bulan 3 dok\"}, {\"target\": -4.14, \"tren\": \"negatif\"}]},"
        "{\"kode\": \"2.17\", \"pagu\": null}]}";
    if (read_str(s, "x.json", j, &d) != 0)
        fail_msg("%s", d.msg);
    Renja__V1__SubmitRequest *req = rj_submit_req(s);
    Renja__V1__Item *it = req->changes[0]->upsert_item;
    assert_string_equal(it->kode, "2.17.01.1.01.0001");
    assert_int_equal(it->pagu, 15320055480);
    assert_int_equal(it->indikator[0]->target_e4, 122300);
    /* A JSON number is not how the source wrote it: no text. */
    assert_string_equal(it->indikator[0]->target_text, "");
    assert_string_equal(it->indikator[1]->target_text, "12,23");
    assert_int_equal(it->indikator[1]->target_e4, 122300);
    assert_int_equal(it->indikator[2]->target_e4, 1057870);    /* a JSON number is plain notation */
    assert_int_equal(it->indikator[3]->target_e4, 1057870000); /* a string as people write it */
    assert_false(it->indikator[4]->has_target);
    assert_string_equal(it->indikator[4]->target_text, "12 Bulan 3 dok");
    assert_int_equal(it->indikator[5]->target_e4, -41400);
    assert_int_equal(it->indikator[5]->tren, RENJA__V1__TREN__TREN_NEGATIF);
    assert_false(req->changes[1]->upsert_item->has_pagu);
    assert_int_equal(req->changes[1]->upsert_item->level, RENJA__V1__LEVEL__LEVEL_URUSAN);
    rj_submit_free(s);
}

static void test_json_errors(void **state)
{
    expect_error("a.json", "{\"items\": [\n{\"kode\": \"2.x\"}]}", "a.json:2:10: kode \"2.x\"");
    expect_error("a.json", "{\"items\": [{\"kode\": \"2.17\", \"pagu\": 1.5}]}",
                 "a.json:1:37: kode \"2.17\": pagu");
    expect_error("a.json", "{\"items\": [{\"kode\": \"2.17\", \"pagu\": \"abc\"}]}",
                 "a.json:1:37: kode \"2.17\": pagu");
    expect_error("a.json", "{\"items\": [{\"kode\": \"2.17\", \"pgu\": 1}]}",
                 "unknown member \"pgu\" of an item");
    expect_error("a.json",
                 "{\"items\": [{\"kode\": \"2.17\",\n \"indikator\": [{\"target\": \"banyak\"}]}]}",
                 "a.json:2:27: kode \"2.17\": target");
    /* "105.787" is 105787 or 105,787: a guess, refused with both. */
    expect_error("a.json",
                 "{\"items\": [{\"kode\": \"2.17\", \"indikator\": [{\"target\": \"105.787\"}]}]}",
                 "it reads as 105,787 with a decimal point or as 105787 with a thousands "
                 "separator");
    expect_error("a.json", "{\"items\": [{\"kode\": \"2.17\"},\n{\"kode\": \"2.17\"}]}",
                 "a.json:2:10: kode \"2.17\" appears twice, also on line 1");
    expect_error("a.json", "{\"items\": {}}",
                 "a.json:1:11: items: expected an array, found object");
    expect_error("a.json", "{\"items\": [}", "a.json:1:12: expected a value");
    expect_error("a.json", "", "a.json:1:1: expected a value");
    expect_error("a.json", "{}", "nothing to import");
    expect_error("a.json", "{\"realisasi\": [{\"kode\": \"2.17.01\", \"tw\": 5}]}",
                 "\"tw\": expected an integer 1..4");
}

static void test_csv_example(void **state)
{
    rj_submit *s = rj_submit_new("p/2024", "");
    rj_diag d = {{0}};
    if (read_str(s, "items.csv", doc_csv, &d) != 0)
        fail_msg("%s", d.msg);
    Renja__V1__SubmitRequest *req = rj_submit_req(s);
    assert_int_equal(req->n_changes, 5);
    Renja__V1__Item *it = req->changes[0]->upsert_item;
    assert_string_equal(it->kode, "2.17");
    assert_string_equal(it->nama, "Urusan Pemerintah Bidang Koperasi, Usaha Kecil dan Menengah");
    assert_int_equal(it->n_indikator, 0);
    assert_false(it->has_pagu);
    it = req->changes[1]->upsert_item;
    assert_string_equal(it->kode, "2.17.01");
    assert_int_equal(it->n_indikator, 1);
    assert_string_equal(it->indikator[0]->satuan, "%");
    assert_int_equal(it->indikator[0]->target_e4, 1000000);
    assert_string_equal(req->changes[2]->upsert_item->kode, "2.17.01.1.01");
    it = req->changes[3]->upsert_item;
    assert_string_equal(it->kode, "2.17.01.1.01.0001");
    assert_int_equal(it->pagu, 188500000);
    assert_string_equal(it->indikator[0]->nama, "Jumlah Dokumen Perencanaan");
    Renja__V1__BudgetLine *l = req->changes[4]->upsert_line;
    assert_string_equal(l->kode, "5.1.01");
    assert_int_equal(l->pagu, 8204055000);
    rj_submit_free(s);
}

static void test_csv_more(void **state)
{
    /* ';' separator, a second indikator by repeating the kode, text target,
     * negatif tren, no tipe column, hapus rows. */
    const char *c = "kode;nama;pagu;indikator;satuan;target;tren\n"
                    "2.17.01.101.01;Penyusunan;1.000;A;dok;12 Bulan 3 dok;\n"
                    "2.17.01.101.01;;;B;%;-4,14;negatif\n";
    rj_submit *s = rj_submit_new("p/2024", "");
    rj_diag d = {{0}};
    if (read_str(s, "x.CSV", c, &d) != 0)
        fail_msg("%s", d.msg);
    Renja__V1__SubmitRequest *req = rj_submit_req(s);
    assert_int_equal(req->n_changes, 1);
    Renja__V1__Item *it = req->changes[0]->upsert_item;
    assert_int_equal(it->n_indikator, 2);
    assert_false(it->indikator[0]->has_target);
    assert_string_equal(it->indikator[0]->target_text, "12 Bulan 3 dok");
    assert_true(it->indikator[1]->has_target);
    assert_int_equal(it->indikator[1]->target_e4, -41400);
    assert_int_equal(it->indikator[1]->tren, RENJA__V1__TREN__TREN_NEGATIF);
    rj_submit_free(s);

    s = rj_submit_new("p/2024", "");
    if (read_str(s, "x.csv", "tipe,kode\nhapus,2.17.01.1.02.0007\nhapus,5.2.01\n", &d) != 0)
        fail_msg("%s", d.msg);
    req = rj_submit_req(s);
    assert_string_equal(req->changes[0]->remove_item, "2.17.01.1.02.0007");
    assert_string_equal(req->changes[1]->remove_line, "5.2.01");
    rj_submit_free(s);
}

/* As a spreadsheet saves it: a byte order mark, capitalised headers,
 * trailing empty columns and rows, money with zero sen. */
static void test_csv_spreadsheet(void **state)
{
    (void)state;
    const char *c = "\xEF\xBB\xBFKode,Nama,PAGU,Target,,\r\n"
                    "2.17.01.101.01,Penyusunan,\"1.234.567,00\",\"12,5\",,\r\n"
                    ",,,,,\r\n";
    rj_submit *s = rj_submit_new("p/2024", "");
    rj_diag d = {{0}};
    if (read_str(s, "x.csv", c, &d) != 0)
        fail_msg("%s", d.msg);
    Renja__V1__SubmitRequest *req = rj_submit_req(s);
    assert_int_equal(req->n_changes, 1);
    Renja__V1__Item *it = req->changes[0]->upsert_item;
    assert_string_equal(it->kode, "2.17.01.1.01.0001");
    assert_string_equal(it->nama, "Penyusunan");
    assert_true(it->has_pagu);
    assert_int_equal(it->pagu, 1234567);
    assert_int_equal(it->indikator[0]->target_e4, 125000);
    rj_submit_free(s);
}

/* Columns and keys a file does not have are not sent as fields: the
 * upsert names the ones it sets (Change.fields); a whole row or item
 * names none. */
static void test_partial_fields(void **state)
{
    (void)state;
    rj_submit *s = rj_submit_new("p/2024", "");
    rj_diag d = {{0}};
    if (read_str(s, "x.csv", "kode,nama,bidang,pagu\n2.17.01,P,Sekretariat,100\n", &d) != 0)
        fail_msg("%s", d.msg);
    Renja__V1__Change *ch = rj_submit_req(s)->changes[0];
    assert_int_equal(ch->n_fields, 4);
    assert_string_equal(ch->fields[0], "kode");
    assert_string_equal(ch->fields[1], "nama");
    assert_string_equal(ch->fields[2], "bidang");
    assert_string_equal(ch->fields[3], "pagu");
    rj_submit_free(s);

    s = rj_submit_new("p/2024", "");
    if (read_str(s, "x.csv", "kode,target_text\n2.17.01,\"66,20\"\n", &d) != 0)
        fail_msg("%s", d.msg);
    ch = rj_submit_req(s)->changes[0];
    assert_int_equal(ch->n_fields, 2);
    assert_string_equal(ch->fields[1], "indikator.target");
    assert_true(ch->upsert_item->indikator[0]->has_target);
    assert_int_equal(ch->upsert_item->indikator[0]->target_e4, 662000);
    rj_submit_free(s);

    s = rj_submit_new("p/2024", "");
    if (read_str(s, "x.json",
                 "{\"items\": [{\"kode\": \"2.17.01\", \"lokasi\": null}, {\"kode\": \"2.17.02\", "
                 "\"nama\": \"a\", \"bidang\": \"\", \"lokasi\": \"\", \"pagu\": null, "
                 "\"sumber_dana\": \"\", \"indikator\": []}]}",
                 &d) != 0)
        fail_msg("%s", d.msg);
    ch = rj_submit_req(s)->changes[0];
    assert_int_equal(ch->n_fields, 2);
    assert_string_equal(ch->fields[0], "kode");
    assert_string_equal(ch->fields[1], "lokasi");
    assert_int_equal(rj_submit_req(s)->changes[1]->n_fields, 0);
    rj_submit_free(s);

    /* set names what it assigns. */
    s = rj_submit_new("p/2024", "");
    Renja__V1__Item *it = rj_submit_upsert_item(s, NULL, "2.17.01");
    const char *as[] = {"pagu=5", "sumber-dana=PAD", "indikator.2.target=3"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(rj_set_item_field(s, it, as[i], &d), 0);
    rj_set_partial(s, as, 3);
    ch = rj_submit_req(s)->changes[0];
    assert_int_equal(ch->n_fields, 4);
    assert_string_equal(ch->fields[1], "pagu");
    assert_string_equal(ch->fields[2], "sumber_dana");
    assert_string_equal(ch->fields[3], "indikator.target");
    /* An ambiguous target is refused, not kept as text. */
    assert_int_equal(rj_set_item_field(s, it, "indikator.1.target=2.125", &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "2,125 with a decimal point"));
    rj_submit_free(s);
}

/* CSV rows of goals, realisasi with unit and breakdown, parts, formula and
 * sasaran. */
static void test_csv_goals_breakdown(void **state)
{
    (void)state;
    rj_submit *s = rj_submit_new("p/2024", "");
    rj_diag d = {{0}};
    const char *csv =
        "tipe,kode,nama,indikator,satuan,target,formula,parts,sasaran,tw,indikator_no,realisasi,"
        "realisasi_satuan,lokasi,num,den\n"
        "tujuan,T1,Kontribusi,PDRB,%,3.93,,,,,,,,,,\n"
        "sasaran,T1.S2,Koperasi,Aktif,%,66.2,ratio,,,,,,,,,\n"
        "sasaran,T1.S2,,Paket,bulan,12,,12 bulan; 3 dok,,,,,,,,\n"
        "item,2.17.06,Program,,,,,,T1.S2,,,,,,,\n"
        "realisasi,T1.S2,,,,,,,,2,1,60.49,%,,,\n"
        "rincian,T1.S2,,,,,,,,2,1,,,Lahat,134,472\n"
        "rincian,T1.S2,,,,,,,,2,1,,,PALI,123,141\n";
    if (read_str(s, "g.csv", csv, &d) != 0)
        fail_msg("%s", d.msg);
    Renja__V1__SubmitRequest *q = rj_submit_req(s);
    assert_int_equal(q->n_changes, 4);
    const Renja__V1__Goal *g = q->changes[1]->upsert_goal;
    assert_string_equal(g->kode, "T1.S2");
    assert_int_equal(g->n_indikator, 2);
    assert_int_equal(g->indikator[0]->formula, RENJA__V1__FORMULA__FORMULA_RATIO);
    assert_int_equal(g->indikator[1]->n_parts, 2);
    assert_string_equal(g->indikator[1]->parts[1]->satuan, "dok");
    assert_int_equal(g->indikator[1]->parts[1]->value_e4, 30000);
    assert_int_equal(q->changes[2]->upsert_item->n_sasaran, 1);
    const Renja__V1__Realisasi *r = q->changes[3]->realisasi;
    assert_string_equal(r->satuan, "%");
    assert_int_equal(r->n_breakdown, 2);
    assert_string_equal(r->breakdown[1]->lokasi, "PALI");
    assert_int_equal(r->breakdown[1]->den_e4, 1410000);
    rj_submit_free(s);
    expect_error("r.csv", "tipe,kode,tw,indikator_no,lokasi,num,den\nrincian,T1,2,1,Lahat,1,2\n",
                 "r.csv:2:9: a rincian row (kode \"T1\", tw \"2\", indikator_no \"1\") must "
                 "follow the realisasi row of the same kode, tw and indikator_no");
    expect_error("s.csv", "tipe,kode,nama\nsasaran,T1,x\n",
                 "s.csv:2:1: kode \"T1\" is a tujuan, not a sasaran");
}

static void test_csv_errors(void **state)
{
    expect_error("items.csv", "kode,nama\n2.17,a\n2.17.01,b,c\n",
                 "items.csv:3:11: a value in column 3, which has no name in the header");
    expect_error("items.csv", "kode,nama,pagu\n2.17,a\n",
                 "items.csv:2:1: expected 3 fields as in the header, found 2");
    expect_error("items.csv", "kode,,nama\n2.17,,a\n", "items.csv:1:6: column 2 has no name");
    expect_error("items.csv", "kode,target\n2.17.01,2.125\n",
                 "items.csv:2:9: kode \"2.17.01\": target: number \"2.125\": ambiguous");
    expect_error("items.csv", "kode,pagu\n2.17.01,\"1.000,50\"\n",
                 "items.csv:2:9: kode \"2.17.01\": pagu: money \"1.000,50\"");
    expect_error("items.csv", "kode,nama\n2.17,a\n\n2.17.01.10.01.x,b\n",
                 "items.csv:4:1: kode \"2.17.01.10.01.x\"");
    expect_error("items.csv", "kode,pagu\n2.17,12abc\n", "items.csv:2:6: kode \"2.17\": pagu");
    expect_error("items.csv", "", "items.csv:1:1: empty file");
    expect_error("items.csv", "kode,nama\n", "no rows after the header");
    expect_error("items.csv", "kode,nama\n2.17,a\n2.17.01,b\n2.17,c\n",
                 "items.csv:4:1: kode \"2.17\" appears twice, also on line 2");
    expect_error("items.csv", "kode,nama\n2.17,a\n2.17,b\n",
                 "items.csv:3:6: kode \"2.17\" repeats the item of line 2 with a different nama");
    expect_error("items.csv", "kode,pagu\n2.17,1.000\n2.17,2.000\n",
                 "items.csv:3:6: kode \"2.17\" repeats the item of line 2 with a different pagu");
    expect_error("items.csv", "kode,nama,harga\n2.17,a,1\n",
                 "items.csv:1:11: unknown column \"harga\"");
    expect_error("items.csv", "kode,nama,nama\n", "column \"nama\" appears twice");
    expect_error("items.csv", "nama\nx\n", "no \"kode\" column");
    expect_error("items.csv", "kode,tipe\n2.17,barang\n", "items.csv:2:6: tipe \"barang\"");
    expect_error("items.csv", "kode,nama\n2.17,\"open\n",
                 "items.csv:2:6: quoted field is not closed");
    /* a spreadsheet saved as Latin-1: "Koperasi dan UKM S\xe9latan" */
    expect_error("items.csv", "kode,nama\n2.17,Koperasi S\xe9latan\n",
                 "items.csv:2:16: byte 0xE9 is not valid UTF-8");
    expect_error("items.json", "{\"items\": [{\"kode\": \"2.17\", \"nama\": \"\xc3\xa9\xc3\"}]}",
                 "items.json:1:39: byte 0xC3 is not valid UTF-8");
}

static void test_garbage(void **state)
{
    size_t n = 10u << 20;
    char *g = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        g[i] = (char)(0x21 + (i * 7919) % 90);
    g[n] = 0;
    rj_submit *s = rj_submit_new("p/2024", "");
    rj_diag d = {{0}};
    assert_true(rj_input_read(s, "junk.csv", g, n, RJ_INPUT_AUTO, &d) < 0);
    assert_non_null(strstr(d.msg, "junk.csv:1:"));
    assert_true(rj_input_read(s, "junk.json", g, n, RJ_INPUT_AUTO, &d) < 0);
    assert_non_null(strstr(d.msg, "junk.json:1:"));
    g[5] = 0;
    assert_true(rj_input_read(s, "junk.json", g, n, RJ_INPUT_AUTO, &d) < 0);
    assert_non_null(strstr(d.msg, "NUL byte at offset 5"));
    rj_submit_free(s);
    free(g);
}

static void test_set_fields(void **state)
{
    rj_submit *s = rj_submit_new("p/2024", "");
    rj_diag d = {{0}};
    Renja__V1__Item src = RENJA__V1__ITEM__INIT;
    src.kode = "2.17.01";
    src.nama = "Old";
    src.has_pagu = 1;
    src.pagu = 5;
    Renja__V1__Item *it = rj_submit_upsert_item(s, &src, NULL);
    assert_int_equal(rj_set_item_field(s, it, "nama=Program Baru", &d), 0);
    assert_int_equal(rj_set_item_field(s, it, "pagu=15.320.055.480", &d), 0);
    assert_int_equal(it->pagu, 15320055480);
    assert_int_equal(rj_set_item_field(s, it, "sumber-dana=DAK Non-Fisik 2024", &d), 0);
    assert_int_equal(rj_set_item_field(s, it, "indikator.2.target=12,23", &d), 0);
    assert_int_equal(it->n_indikator, 2);
    assert_int_equal(it->indikator[1]->target_e4, 122300);
    assert_string_equal(it->indikator[1]->target_text, "12,23");
    assert_int_equal(rj_set_item_field(s, it, "indikator.2.tren=negatif", &d), 0);
    assert_int_equal(it->indikator[1]->tren, RENJA__V1__TREN__TREN_NEGATIF);
    assert_int_equal(rj_set_item_field(s, it, "pagu=-", &d), 0);
    assert_false(it->has_pagu);
    assert_string_equal(it->nama, "Program Baru");
    assert_string_equal(it->sumber_dana, "DAK Non-Fisik 2024");
    assert_string_equal(src.nama, "Old");
    assert_int_equal(rj_set_item_field(s, it, "harga=1", &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "unknown field \"harga\""));
    assert_non_null(strstr(d.msg, "indikator.N.target="));
    assert_int_equal(rj_set_item_field(s, it, "indikator.0.nama=x", &d), RJ_EINVAL);
    assert_int_equal(rj_set_item_field(s, it, "indikator.1.tren=naik", &d), RJ_EINVAL);
    assert_int_equal(rj_set_item_field(s, it, "pagu=1,5", &d), RJ_EINVAL);
    assert_int_equal(rj_set_item_field(s, it, "nama", &d), RJ_EINVAL);
    Renja__V1__BudgetLine *l = rj_submit_upsert_line(s, NULL, "5.1.01");
    assert_int_equal(rj_set_line_field(s, l, "pagu=8.204.055.000", &d), 0);
    assert_int_equal(l->pagu, 8204055000);
    assert_int_equal(rj_set_line_field(s, l, "bidang=x", &d), RJ_EINVAL);
    rj_submit_free(s);
}

static void test_replace(void **state)
{
    Renja__V1__Item a = RENJA__V1__ITEM__INIT, b = RENJA__V1__ITEM__INIT, c = RENJA__V1__ITEM__INIT,
                    e = RENJA__V1__ITEM__INIT, f = RENJA__V1__ITEM__INIT;
    a.kode = "2.17";
    b.kode = "2.17.01";
    c.kode = "2.17.01.1.01";
    e.kode = "2.17.02";
    f.kode = "2.17.02.1.01";
    Renja__V1__Item *items[] = {&a, &b, &c, &e, &f};
    Renja__V1__BudgetLine l1 = RENJA__V1__BUDGET_LINE__INIT, l2 = RENJA__V1__BUDGET_LINE__INIT;
    l1.kode = "5.1";
    l2.kode = "5.1.01";
    Renja__V1__BudgetLine *lines[] = {&l1, &l2};
    Renja__V1__ShowResponse head = RENJA__V1__SHOW_RESPONSE__INIT;
    head.items = items;
    head.n_items = 5;
    head.lines = lines;
    head.n_lines = 2;
    rj_submit *s = rj_submit_new("p/2024", "");
    rj_diag d = {{0}};
    if (read_str(s, "x.csv", "kode,nama\n2.17.01.1.01,k\n", &d) != 0)
        fail_msg("%s", d.msg);
    rj_submit_replace(s, &head);
    Renja__V1__SubmitRequest *req = rj_submit_req(s);
    /* 2.17 and 2.17.01 stay (their subtree is in the file); 2.17.02 goes
     * with its subtree; both lines go, child first. */
    assert_int_equal(req->n_changes, 4);
    assert_string_equal(req->changes[1]->remove_item, "2.17.02");
    assert_true(req->changes[1]->recursive);
    assert_string_equal(req->changes[2]->remove_line, "5.1.01");
    assert_string_equal(req->changes[3]->remove_line, "5.1");
    rj_submit_free(s);
}

/* The example data of the repository reads without error. The path is
 * found from this file's own, so the test runs from any directory. */
static void test_example_files(void **state)
{
    static const char *files[] = {"01-rancangan-apbd.json", "02-apbd.json", "03-perkada.json",
                                  "04-perubahan.json", "05-realisasi-tw2.json"};
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", __FILE__);
    char *cut = strstr(dir, "tests/unit/");
    if (!cut)
        skip();
    *cut = 0;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[4200];
        snprintf(path, sizeof(path), "%sexamples/diskopukm-sumsel-2024/%s", dir, files[i]);
        FILE *f = fopen(path, "rb");
        if (!f)
            fail_msg("cannot open %s", path);
        rj_buf b = {0};
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            rj_buf_append(&b, chunk, n);
        fclose(f);
        rj_submit *s = rj_submit_new("diskopukm-sumsel/2024", "");
        rj_diag d = {{0}};
        if (rj_input_read(s, path, b.data, b.len, RJ_INPUT_AUTO, &d) != 0)
            fail_msg("%s", d.msg);
        assert_true(rj_submit_req(s)->n_changes > 0);
        rj_submit_free(s);
        rj_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_example),
        cmocka_unit_test(test_json_values),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_csv_example),
        cmocka_unit_test(test_csv_more),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_csv_goals_breakdown),
        cmocka_unit_test(test_csv_spreadsheet),
        cmocka_unit_test(test_partial_fields),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_set_fields),
        cmocka_unit_test(test_replace),
        cmocka_unit_test(test_example_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
