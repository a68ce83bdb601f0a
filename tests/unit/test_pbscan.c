/* The protobuf wire reader (rj_pbscan.h): what it decodes equals
 * protobuf-c's unpack, a field mask leaves the rest at defaults, and a
 * truncated or garbled value is RJ_EIO, never a read out of bounds (ASan
 * builds check that part). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "renja/v1/model.pb-c.h"
#include "rj_alloc.h"
#include "rj_engine_fixture.h"
#include "rj_pbscan.h"

static unsigned char *pack(const ProtobufCMessage *m, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(m);
    unsigned char *b = rj_malloc(*len ? *len : 1);
    protobuf_c_message_pack(m, b);
    return b;
}

/* Decode data as desc with the reader, pack the result again and compare
 * with the bytes protobuf-c packs from its own unpack. */
static void same_as_unpack(const ProtobufCMessageDescriptor *desc, const unsigned char *data,
                           size_t len)
{
    ProtobufCMessage *ref = protobuf_c_message_unpack(desc, NULL, len, data);
    assert_non_null(ref);
    rj_arena *a = rj_arena_new();
    ProtobufCMessage *m = rj_arena_alloc(a, desc->sizeof_message);
    assert_int_equal(rj_pbscan_decode(desc, data, len, UINT64_MAX, a, m), 0);
    size_t n1, n2;
    unsigned char *p1 = pack(ref, &n1), *p2 = pack(m, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(p1, p2, n1);
    free(p1);
    free(p2);
    protobuf_c_message_free_unpacked(ref, NULL);
    rj_arena_free(a);
}

static Renja__V1__Item *full_item(void)
{
    Renja__V1__Item *it = fx_item("2.17.01.1.01.0001", true, -1234567890123, "Penyusunan Renja",
                                  "Sekretariat", "PAD");
    free(it->lokasi);
    it->lokasi = rj_strdup("Kota Palembang");
    Renja__V1__Indikator *in = fx_ind(it, "Dokumen", "Dokumen", true, 120000, "12");
    in->tren = RENJA__V1__TREN__TREN_NEGATIF;
    in->formula = RENJA__V1__FORMULA__FORMULA_RATIO;
    in->parts = rj_calloc(2, sizeof *in->parts);
    for (int i = 0; i < 2; i++) {
        in->parts[i] = rj_malloc(sizeof *in->parts[i]);
        renja__v1__target_part__init(in->parts[i]);
        in->parts[i]->value_e4 = i ? 30000 : 120000;
        in->parts[i]->satuan = rj_strdup(i ? "dok" : "bulan");
    }
    in->n_parts = 2;
    fx_ind(it, "Laporan", "Laporan", false, 0, "tersedia");
    /* more repeated fields than the reader keeps aside: a second pass */
    it->sasaran = rj_calloc(20, sizeof(char *));
    for (int i = 0; i < 20; i++)
        it->sasaran[i] = rj_asprintf("T1.S%d", i + 1);
    it->n_sasaran = 20;
    it->pagu_rollup = 5;
    return it;
}

static void test_decode_equals_unpack(void **state)
{
    (void)state;
    Renja__V1__Item *it = full_item();
    size_t len;
    unsigned char *b = pack(&it->base, &len);
    same_as_unpack(&renja__v1__item__descriptor, b, len);
    free(b);

    Renja__V1__Realisasi *r = fx_real("2.17.01.1.01.0001", 2, 1, -7, 99);
    r->clear = true;
    free(r->text);
    r->text = rj_strdup("0,0007");
    r->satuan = rj_strdup("Dokumen");
    r->breakdown = rj_calloc(1, sizeof *r->breakdown);
    r->breakdown[0] = rj_malloc(sizeof *r->breakdown[0]);
    renja__v1__breakdown_row__init(r->breakdown[0]);
    r->breakdown[0]->lokasi = rj_strdup("Kab. Banyuasin");
    r->breakdown[0]->num_e4 = INT64_MIN;
    r->breakdown[0]->den_e4 = INT64_MAX;
    r->n_breakdown = 1;
    b = pack(&r->base, &len);
    same_as_unpack(&renja__v1__realisasi__descriptor, b, len);
    free(b);

    Renja__V1__BudgetLine *ln = fx_line("5.1.01", true, 0, "Belanja Pegawai");
    ln->depth = 3;
    b = pack(&ln->base, &len);
    same_as_unpack(&renja__v1__budget_line__descriptor, b, len);
    free(b);

    /* An empty message, and unknown fields (a future field 30 of each wire
     * type) skipped. */
    same_as_unpack(&renja__v1__item__descriptor, (const unsigned char *)"", 0);
    const unsigned char unknown[] = {0xf0, 0x01, 0x05,                          /* 30 varint */
                                     0xf1, 0x01, 1,    2,   3,   4, 5, 6, 7, 8, /* 30 fixed64 */
                                     0xf2, 0x01, 2,    'h', 'i',                /* 30 len */
                                     0xf5, 0x01, 1,    2,   3,   4,             /* 30 fixed32 */
                                     0x0a, 1,    'x'};                          /* kode "x" */
    rj_arena *a = rj_arena_new();
    Renja__V1__Item m;
    assert_int_equal(rj_pbscan_decode(&renja__v1__item__descriptor, unknown, sizeof unknown,
                                      UINT64_MAX, a, &m.base),
                     0);
    assert_string_equal(m.kode, "x");
    assert_string_equal(m.nama, "");
    rj_arena_free(a);
    fx_free(&it, 1);
    fx_free(&r, 1);
    fx_free(&ln, 1);
}

static void test_mask_and_last_wins(void **state)
{
    (void)state;
    Renja__V1__Item *it = full_item();
    size_t len;
    unsigned char *b = pack(&it->base, &len);
    /* the kode again at the end: the last one wins, as in protobuf-c */
    unsigned char *b2 = rj_malloc(len + 6);
    memcpy(b2, b, len);
    memcpy(b2 + len,
           "\x0a\x04"
           "2.18",
           6);
    rj_arena *a = rj_arena_new();
    Renja__V1__Item m;
    uint64_t brief = RJ_PB_FIELD(1) | RJ_PB_FIELD(3) | RJ_PB_FIELD(7) | RJ_PB_FIELD(8);
    assert_int_equal(rj_pbscan_decode(&renja__v1__item__descriptor, b2, len + 6, brief, a, &m.base),
                     0);
    assert_string_equal(m.kode, "2.18");
    assert_string_equal(m.nama, "Penyusunan Renja");
    assert_true(m.has_pagu);
    assert_int_equal(m.pagu, -1234567890123);
    assert_string_equal(m.bidang, ""); /* not asked for */
    assert_int_equal(m.n_indikator, 0);
    assert_null(m.indikator);
    assert_int_equal(m.n_sasaran, 0);
    assert_int_equal(m.level, 0);

    /* a string stops at its first NUL, as protobuf-c's C string does */
    const unsigned char nul[] = {0x1a, 3, 'a', 0, 'b'};
    assert_int_equal(
        rj_pbscan_decode(&renja__v1__item__descriptor, nul, sizeof nul, UINT64_MAX, a, &m.base), 0);
    assert_string_equal(m.nama, "a");
    rj_arena_free(a);
    free(b);
    free(b2);
    fx_free(&it, 1);
}

static int decode(const void *data, size_t len)
{
    rj_arena *a = rj_arena_new();
    Renja__V1__Item m;
    int rc = rj_pbscan_decode(&renja__v1__item__descriptor, data, len, UINT64_MAX, a, &m.base);
    rj_arena_free(a);
    return rc;
}

static void test_truncated_and_garbled(void **state)
{
    (void)state;
    Renja__V1__Item *it = full_item();
    size_t len;
    unsigned char *b = pack(&it->base, &len);
    /* Every cut inside a field is RJ_EIO; a cut between fields is a valid
     * shorter message. Each prefix is copied to a buffer of its own size,
     * so ASan sees any read past its end. */
    size_t ok = 0, bad = 0;
    for (size_t n = 0; n < len; n++) {
        unsigned char *p = rj_malloc(n ? n : 1);
        memcpy(p, b, n);
        ProtobufCMessage *ref = protobuf_c_message_unpack(&renja__v1__item__descriptor, NULL, n, p);
        int want = ref ? 0 : RJ_EIO;
        if (ref)
            protobuf_c_message_free_unpacked(ref, NULL);
        assert_int_equal(decode(p, n), want);
        want ? bad++ : ok++;
        free(p);
    }
    assert_true(bad > 0 && ok > 0);
    assert_int_equal(decode(b, len), 0);

    static const struct {
        const char *why;
        unsigned char b[12];
        size_t n;
    } cases[] = {
        {"varint of 11 bytes",
         {0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0},
         12},
        {"length past the end", {0x0a, 5, 'a', 'b'}, 4},
        {"length varint cut", {0x0a, 0x80}, 2},
        {"field number 0", {0x02, 0}, 2},
        {"a group", {0x0b, 0x0c}, 2},
        {"wire type 7", {0x0f, 0}, 2},
        {"kode as a varint", {0x08, 1}, 2},
        {"has_pagu as a string", {0x3a, 1, 'x'}, 3},
        {"fixed64 cut", {0x09, 1, 2, 3}, 4},
        {"garbled indikator", {0x2a, 2, 0x0a, 9}, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char *p = rj_malloc(cases[i].n);
        memcpy(p, cases[i].b, cases[i].n);
        if (decode(p, cases[i].n) != RJ_EIO)
            fail_msg("%s: not RJ_EIO", cases[i].why);
        free(p);
    }
    free(b);
    fx_free(&it, 1);
}

static void test_next(void **state)
{
    (void)state;
    const unsigned char b[] = {0x08, 0x96, 0x01, 0x12, 2, 'h', 'i', 0x19,
                               1,    0,    0,    0,    0, 0,   0,   0x80};
    rj_pbscan r = rj_pbscan_init(b, sizeof b);
    rj_pbscan_field f;
    assert_int_equal(rj_pbscan_next(&r, &f), 1);
    assert_int_equal(f.num, 1);
    assert_int_equal(f.wt, RJ_PB_VARINT);
    assert_int_equal(f.v, 150);
    assert_int_equal(rj_pbscan_next(&r, &f), 1);
    assert_int_equal(f.num, 2);
    assert_int_equal(f.wt, RJ_PB_LEN);
    assert_int_equal(f.len, 2);
    assert_memory_equal(f.data, "hi", 2);
    assert_int_equal(rj_pbscan_next(&r, &f), 1);
    assert_int_equal(f.num, 3);
    assert_int_equal(f.wt, RJ_PB_FIXED64);
    assert_true(f.v == 0x8000000000000001u);
    assert_int_equal(rj_pbscan_next(&r, &f), 0);
    assert_int_equal(rj_pbscan_zigzag(3), -2);
    assert_int_equal(rj_pbscan_zigzag(4), 2);
    assert_true(rj_pbscan_zigzag(UINT64_MAX) == INT64_MIN);
}

static void test_arena(void **state)
{
    (void)state;
    rj_arena *a = rj_arena_new();
    char *prev = NULL;
    for (int i = 0; i < 10000; i++) { /* many blocks */
        char *s = rj_arena_strndup(a, "abcdef", (size_t)(i % 7));
        assert_int_equal(strlen(s), (size_t)(i % 7));
        assert_true(((uintptr_t)s & 15) == 0);
        if (prev)
            assert_true(prev != s);
        prev = s;
    }
    unsigned char *big = rj_arena_calloc(a, 1, 1 << 20); /* a block of its own */
    assert_int_equal(big[(1 << 20) - 1], 0);
    char *after = rj_arena_strndup(a, "x", 1); /* the current block is still used */
    assert_string_equal(after, "x");
    rj_arena_free(a);
    rj_arena_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_equals_unpack),
        cmocka_unit_test(test_mask_and_last_wins),
        cmocka_unit_test(test_truncated_and_garbled),
        cmocka_unit_test(test_next),
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
