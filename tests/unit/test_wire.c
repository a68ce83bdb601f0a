#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_wire.h"

/* Frame msgs[i] (NUL-terminated strings) one after the other into out. */
static size_t frame(const char *const *msgs, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(msgs[i]);
        rj_wire_put_prefix(out + o, (uint32_t)l);
        memcpy(out + o + RJ_WIRE_PREFIX, msgs[i], l);
        o += RJ_WIRE_PREFIX + l;
    }
    return o;
}

static void test_prefix(void **state)
{
    (void)state;
    uint8_t p[5];
    rj_wire_put_prefix(p, 0x01020304u);
    uint8_t want[5] = {0, 1, 2, 3, 4};
    assert_memory_equal(p, want, 5);
}

static void test_byte_by_byte(void **state)
{
    (void)state;
    const char *msgs[] = {"hello", "", "a longer message here"};
    uint8_t wire[128];
    size_t n = frame(msgs, 3, wire);
    rj_wire_decoder dec;
    rj_wire_decoder_init(&dec, 0);
    rj_diag d;
    size_t got = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rj_wire_decoder_feed(&dec, wire + i, 1, &d), 0);
        const uint8_t *m;
        size_t l;
        while (rj_wire_decoder_next(&dec, &m, &l) == 1) {
            assert_true(got < 3);
            assert_int_equal(l, strlen(msgs[got]));
            assert_memory_equal(m, msgs[got], l);
            got++;
        }
    }
    assert_int_equal(got, 3);
    assert_int_equal(rj_wire_decoder_pending(&dec), 0);
    rj_wire_decoder_free(&dec);
}

static void test_several_in_one_feed(void **state)
{
    (void)state;
    const char *msgs[] = {"one", "two", "three", "four"};
    uint8_t wire[128];
    size_t n = frame(msgs, 4, wire);
    rj_wire_decoder dec;
    rj_wire_decoder_init(&dec, 64);
    assert_int_equal(rj_wire_decoder_feed(&dec, wire, n, NULL), 0);
    const uint8_t *m;
    size_t l;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 1);
        assert_int_equal(l, strlen(msgs[i]));
        assert_memory_equal(m, msgs[i], l);
    }
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 0);
    assert_int_equal(rj_wire_decoder_pending(&dec), 0);
    rj_wire_decoder_free(&dec);
}

static void test_many_small_messages(void **state)
{
    (void)state;
    /* 100000 messages of 3 bytes fed in chunks of 1000 bytes; taken in
     * order, with the buffer compacted along the way */
    enum { N = 100000, M = 8 };
    uint8_t *wire = malloc((size_t)N * M);
    for (uint32_t i = 0; i < N; i++) {
        rj_wire_put_prefix(wire + (size_t)i * M, 3);
        wire[(size_t)i * M + 5] = (uint8_t)(i >> 16);
        wire[(size_t)i * M + 6] = (uint8_t)(i >> 8);
        wire[(size_t)i * M + 7] = (uint8_t)i;
    }
    rj_wire_decoder dec;
    rj_wire_decoder_init(&dec, 0);
    uint32_t got = 0;
    for (size_t off = 0; off < (size_t)N * M; off += 1000) {
        size_t n = (size_t)N * M - off < 1000 ? (size_t)N * M - off : 1000;
        assert_int_equal(rj_wire_decoder_feed(&dec, wire + off, n, NULL), 0);
        /* take only some of them now, the rest later */
        const uint8_t *m;
        size_t l;
        for (int k = 0; k < 100 && rj_wire_decoder_next(&dec, &m, &l) == 1; k++) {
            assert_int_equal(l, 3);
            assert_int_equal(((uint32_t)m[0] << 16) | ((uint32_t)m[1] << 8) | m[2], got & 0xFFFFFF);
            got++;
        }
    }
    const uint8_t *m;
    size_t l;
    while (rj_wire_decoder_next(&dec, &m, &l) == 1) {
        assert_int_equal(((uint32_t)m[0] << 16) | ((uint32_t)m[1] << 8) | m[2], got & 0xFFFFFF);
        got++;
    }
    assert_int_equal(got, N);
    assert_int_equal(rj_wire_decoder_pending(&dec), 0);
    rj_wire_decoder_free(&dec);
    free(wire);
}

/* take hands the buffer over only when the message returned is all it
 * holds, from its start; the decoder then reads on from empty. */
static void test_take(void **state)
{
    (void)state;
    const char *msgs[] = {"first", "second", "third"};
    uint8_t wire[128];
    size_t n = frame(msgs, 3, wire);
    size_t first = RJ_WIRE_PREFIX + strlen(msgs[0]);
    rj_wire_decoder dec;
    rj_wire_decoder_init(&dec, 0);
    rj_buf out = {0};
    assert_int_equal(rj_wire_decoder_take(&dec, &out), 0); /* nothing returned yet */
    assert_int_equal(rj_wire_decoder_feed(&dec, wire, first + 2, NULL), 0);
    const uint8_t *m;
    size_t l;
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 1);
    /* the next message's first bytes share the buffer */
    assert_int_equal(rj_wire_decoder_take(&dec, &out), 0);
    assert_null(out.data);
    assert_int_equal(rj_wire_decoder_feed(&dec, wire + first + 2, n - first - 2 - 7, NULL), 0);
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 1);
    assert_int_equal(l, strlen(msgs[1]));
    assert_memory_equal(m, msgs[1], l);
    assert_int_equal(rj_wire_decoder_take(&dec, &out), 0); /* not at the buffer's start */
    /* the third, the buffer's last bytes, still behind the first two */
    assert_int_equal(rj_wire_decoder_feed(&dec, wire + n - 7, 7, NULL), 0);
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 1);
    assert_memory_equal(m, msgs[2], l);
    assert_int_equal(rj_wire_decoder_take(&dec, &out), 0);
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 0);
    rj_wire_decoder_free(&dec);
    /* a message alone, as a unary request's: handed over */
    rj_wire_decoder_init(&dec, 0);
    assert_int_equal(rj_wire_decoder_feed(&dec, wire + first, n - first, NULL), 0);
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 1);
    assert_int_equal(rj_wire_decoder_take(&dec, &out), 0); /* the third waits behind it */
    rj_wire_decoder_free(&dec);
    rj_wire_decoder_init(&dec, 0);
    assert_int_equal(rj_wire_decoder_feed(&dec, wire + first, strlen(msgs[1]) + RJ_WIRE_PREFIX, NULL), 0);
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 1);
    assert_int_equal(rj_wire_decoder_take(&dec, &out), 1);
    assert_int_equal(out.len, RJ_WIRE_PREFIX + strlen(msgs[1]));
    assert_memory_equal(out.data + RJ_WIRE_PREFIX, msgs[1], strlen(msgs[1]));
    assert_int_equal(rj_wire_decoder_pending(&dec), 0);
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 0);
    /* and reads on from empty */
    assert_int_equal(rj_wire_decoder_feed(&dec, wire, first, NULL), 0);
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 1);
    assert_int_equal(l, strlen(msgs[0]));
    assert_memory_equal(m, msgs[0], l);
    rj_buf_free(&out);
    rj_wire_decoder_free(&dec);
}

static void test_truncated(void **state)
{
    (void)state;
    const char *msgs[] = {"complete", "truncated"};
    uint8_t wire[64];
    size_t n = frame(msgs, 2, wire);
    rj_wire_decoder dec;
    rj_wire_decoder_init(&dec, 0);
    assert_int_equal(rj_wire_decoder_feed(&dec, wire, n - 3, NULL), 0);
    const uint8_t *m;
    size_t l;
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 1);
    assert_memory_equal(m, "complete", 8);
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 0);
    assert_int_equal(rj_wire_decoder_pending(&dec), RJ_WIRE_PREFIX + 9 - 3);
    rj_wire_decoder_free(&dec);

    /* a prefix alone is pending too */
    rj_wire_decoder_init(&dec, 0);
    assert_int_equal(rj_wire_decoder_feed(&dec, wire, 3, NULL), 0);
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 0);
    assert_int_equal(rj_wire_decoder_pending(&dec), 3);
    rj_wire_decoder_free(&dec);
}

static void test_huge_prefix_refused(void **state)
{
    (void)state;
    /* 2 GiB announced, followed by some payload bytes that must not be kept */
    uint8_t wire[5 + 100];
    rj_wire_put_prefix(wire, 0x80000000u);
    memset(wire + 5, 'x', 100);
    rj_wire_decoder dec;
    rj_wire_decoder_init(&dec, RJ_WIRE_DEFAULT_MAX);
    rj_diag d = {{0}};
    assert_int_equal(rj_wire_decoder_feed(&dec, wire, sizeof(wire), &d), RJ_ETOOBIG);
    assert_non_null(strstr(d.msg, "2147483648"));
    assert_true(dec.buf.cap < 1024);
    assert_int_equal(rj_wire_decoder_pending(&dec), 0);
    rj_wire_decoder_free(&dec);

    /* just over a small limit, fed byte by byte: refused at the 5th byte */
    rj_wire_decoder_init(&dec, 10);
    rj_wire_put_prefix(wire, 11);
    for (int i = 0; i < 4; i++)
        assert_int_equal(rj_wire_decoder_feed(&dec, wire + i, 1, &d), 0);
    assert_int_equal(rj_wire_decoder_feed(&dec, wire + 4, 1, &d), RJ_ETOOBIG);
    rj_wire_decoder_free(&dec);

    /* exactly at the limit is fine */
    rj_wire_decoder_init(&dec, 10);
    rj_wire_put_prefix(wire, 10);
    assert_int_equal(rj_wire_decoder_feed(&dec, wire, 15, &d), 0);
    const uint8_t *m;
    size_t l;
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 1);
    assert_int_equal(l, 10);
    rj_wire_decoder_free(&dec);
}

static void test_compressed_refused(void **state)
{
    (void)state;
    uint8_t wire[8] = {1, 0, 0, 0, 3, 'a', 'b', 'c'};
    rj_wire_decoder dec;
    rj_wire_decoder_init(&dec, 0);
    rj_diag d = {{0}};
    assert_int_equal(rj_wire_decoder_feed(&dec, wire, sizeof(wire), &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "compress"));
    /* the stream is out of step now: later bytes are refused too */
    uint8_t ok[6] = {0, 0, 0, 0, 1, 'x'};
    assert_int_equal(rj_wire_decoder_feed(&dec, ok, sizeof(ok), &d), RJ_EINVAL);
    const uint8_t *m;
    size_t l;
    assert_int_equal(rj_wire_decoder_next(&dec, &m, &l), 0);
    rj_wire_decoder_free(&dec);
}

static void roundtrip(const char *s)
{
    char *e = rj_wire_percent_encode(s);
    for (const char *p = e; *p; p++)
        assert_true(*p >= 0x20 && *p <= 0x7E);
    char *back = rj_wire_percent_decode(e, strlen(e));
    assert_string_equal(back, s);
    free(e);
    free(back);
}

static void test_percent(void **state)
{
    (void)state;
    char *e = rj_wire_percent_encode("50% done\n");
    assert_string_equal(e, "50%25 done%0A");
    free(e);
    e = rj_wire_percent_encode("pagu Rp 1.000 \xE2\x80\x94 ok");
    assert_string_equal(e, "pagu Rp 1.000 %E2%80%94 ok");
    free(e);
    /* HTTP/2 forbids spaces at the edges of a field value */
    e = rj_wire_percent_encode(" locked: ");
    assert_string_equal(e, "%20locked:%20");
    free(e);
    e = rj_wire_percent_encode(" ");
    assert_string_equal(e, "%20");
    free(e);
    roundtrip(" edges ");
    roundtrip("");
    roundtrip("plain ascii");
    roundtrip("100%");
    roundtrip("%%%25");
    roundtrip("sub kegiatan \xE2\x80\x9C"
              "Fasilitasi\xE2\x80\x9D di Palembang \xC3\xA9\xF0\x9F\x93\x88");
    /* malformed escapes stay as they are */
    char *d = rj_wire_percent_decode("a%zzb%4", 7);
    assert_string_equal(d, "a%zzb%4");
    free(d);
    d = rj_wire_percent_decode("%41%", 4);
    assert_string_equal(d, "A%");
    free(d);
    /* decode honours len, not the NUL */
    d = rj_wire_percent_decode("abc%41", 3);
    assert_string_equal(d, "abc");
    free(d);
}

static void test_timeout(void **state)
{
    (void)state;
    uint64_t ms = 0;
    struct {
        const char *s;
        uint64_t ms;
    } ok[] = {
        {"1H", 3600000}, {"2M", 120000},
        {"3S", 3000},    {"250m", 250},
        {"1500u", 2},    {"1000u", 1},
        {"1n", 1},       {"0m", 1},
        {"2000000n", 2}, {"99999999S", 99999999000ull},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(rj_wire_parse_timeout(ok[i].s, strlen(ok[i].s), &ms), 0);
        assert_int_equal(ms, ok[i].ms);
    }
    const char *bad[] = {"", "S", "10", "10x", "-1S", "1 S", "123456789S", "1.5S", "S10"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(rj_wire_parse_timeout(bad[i], strlen(bad[i]), &ms), RJ_EINVAL);
    /* len bounds the parse */
    assert_int_equal(rj_wire_parse_timeout("5Sxyz", 2, &ms), 0);
    assert_int_equal(ms, 5000);

    char buf[32];
    rj_wire_format_timeout(1500, buf, sizeof(buf));
    assert_string_equal(buf, "1500m");
    assert_int_equal(rj_wire_parse_timeout(buf, strlen(buf), &ms), 0);
    assert_int_equal(ms, 1500);
    rj_wire_format_timeout(1000000000ull, buf, sizeof(buf));
    assert_true(strlen(buf) <= 9);
    assert_int_equal(rj_wire_parse_timeout(buf, strlen(buf), &ms), 0);
    assert_true(ms >= 1000000000ull);
}

static void test_addr(void **state)
{
    (void)state;
    rj_addr a;
    rj_diag d;
    assert_int_equal(rj_addr_parse("unix:/run/renja/renjad.sock", &a, &d), 0);
    assert_true(a.is_unix);
    assert_string_equal(a.path, "/run/renja/renjad.sock");
    assert_int_equal(rj_addr_parse("127.0.0.1:7024", &a, &d), 0);
    assert_false(a.is_unix);
    assert_string_equal(a.host, "127.0.0.1");
    assert_int_equal(a.port, 7024);
    assert_int_equal(rj_addr_parse("[::1]:7024", &a, &d), 0);
    assert_string_equal(a.host, "::1");
    assert_int_equal(a.port, 7024);
    assert_int_equal(rj_addr_parse("localhost:80", &a, &d), 0);
    assert_string_equal(a.host, "localhost");
    assert_int_equal(a.port, 80);
    assert_int_equal(rj_addr_parse("127.0.0.1:0", &a, &d), 0);
    assert_int_equal(a.port, 0);

    const char *bad[] = {"",           "localhost",     "127.0.0.1:", "127.0.0.1:70000",
                         "unix:",      "unix:rel/path", ":7024",      "[::1]7024",
                         "[::1:7024",  "::1:7024",      "host:12ab",  "host:-1",
                         "host:123456"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        d.msg[0] = '\0';
        assert_int_equal(rj_addr_parse(bad[i], &a, &d), RJ_EINVAL);
        assert_true(strlen(d.msg) > 0);
    }
    assert_int_equal(rj_addr_parse(NULL, &a, &d), RJ_EINVAL);
    assert_int_equal(rj_addr_parse("127.0.0.1:70000", &a, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "65535"));
}

/* An unknown field protobuf-c keeps, even one numbered 0, inside a oneof
 * member inside a repeated field: stripped everywhere, and the request then
 * packs to something that reads back. */
static void test_strip_unknown(void **state)
{
    (void)state;
    /* Item{kode "2.17"} + field 0 varint (80 00 00) + field 99 varint 1 (98 06 01) */
    const uint8_t item[] = {0x0a, 0x04, '2', '.', '1', '7', 0x80, 0x00, 0x00, 0x98, 0x06, 0x01};
    uint8_t change[2 + sizeof(item) + 3], req[64];
    size_t n = 0;
    change[n++] = 0x0a; /* Change.upsert_item */
    change[n++] = sizeof(item);
    memcpy(change + n, item, sizeof(item));
    n += sizeof(item);
    /* field 101 varint 7 on the Change itself: tag (101 << 3) | 0 = 808 = a8 06 */
    change[n++] = 0xa8;
    change[n++] = 0x06;
    change[n++] = 0x07;
    size_t m = 0;
    req[m++] = 0x0a; /* SubmitRequest.plan */
    req[m++] = 6;
    memcpy(req + m, "p-q/24", 6);
    m += 6;
    req[m++] = 0x2a; /* SubmitRequest.changes */
    req[m++] = (uint8_t)n;
    memcpy(req + m, change, n);
    m += n;
    Renja__V1__SubmitRequest *r = renja__v1__submit_request__unpack(NULL, m, req);
    assert_non_null(r);
    assert_int_equal(r->n_changes, 1);
    assert_true(r->changes[0]->base.n_unknown_fields > 0);
    assert_int_equal(r->changes[0]->upsert_item->base.n_unknown_fields, 2);
    rj_wire_strip_unknown(&r->base);
    assert_int_equal(r->base.n_unknown_fields, 0);
    assert_int_equal(r->changes[0]->base.n_unknown_fields, 0);
    assert_int_equal(r->changes[0]->upsert_item->base.n_unknown_fields, 0);
    assert_string_equal(r->changes[0]->upsert_item->kode, "2.17");
    uint8_t out[64];
    size_t len = renja__v1__submit_request__pack(r, out);
    renja__v1__submit_request__free_unpacked(r, NULL);
    Renja__V1__SubmitRequest *again = renja__v1__submit_request__unpack(NULL, len, out);
    assert_non_null(again);
    assert_int_equal(again->changes[0]->upsert_item->base.n_unknown_fields, 0);
    renja__v1__submit_request__free_unpacked(again, NULL);
    rj_wire_strip_unknown(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_several_in_one_feed),
        cmocka_unit_test(test_many_small_messages),
        cmocka_unit_test(test_take),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_huge_prefix_refused),
        cmocka_unit_test(test_compressed_refused),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_strip_unknown),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_addr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
