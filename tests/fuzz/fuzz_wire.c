/* gRPC wire pieces (common/rj_wire.c). The input is fed to the message
 * decoder in pieces whose sizes come from the input itself, with messages
 * taken out at varying moments, and the result is compared with a plain
 * reference reading of the whole stream. The same bytes also go through
 * percent encode/decode (round trip), grpc-timeout parsing (and
 * format/parse) and address parsing (and format/parse). */
#include <stdbool.h>

#include "fuzz_util.h"
#include "rj_wire.h"

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void check_decoder(const uint8_t *data, size_t size)
{
    if (size < 2)
        return;
    /* First byte: the size limit (0 = the default), second: the split seed;
     * with its top bit set the stream is repeated past 64 KiB so that the
     * decoder compacts its buffer, and is fed in bigger pieces. */
    size_t max = (size_t)data[0] * 3;
    uint32_t rnd = 0x12345u + data[1];
    bool big = (data[1] & 0x80) && size > 2;
    size_t n = size - 2, reps = big ? 70000 / n + 1 : 1;
    uint8_t *stream = malloc(n * reps + 1);
    if (!stream)
        abort();
    for (size_t r = 0; r < reps; r++)
        memcpy(stream + r * n, data + 2, n);
    n *= reps;
    const uint8_t *s = stream;

    /* Reference: messages in order, then an error or a pending tail. */
    rj_buf want = {0};
    size_t want_msgs = 0, pos = 0, want_pending = 0;
    int want_err = 0;
    size_t limit = max ? max : RJ_WIRE_DEFAULT_MAX;
    while (pos < n) {
        if (n - pos >= 1 && s[pos] != 0) {
            want_err = RJ_EINVAL;
            break;
        }
        if (n - pos < RJ_WIRE_PREFIX) {
            want_pending = n - pos;
            break;
        }
        uint32_t len = be32(s + pos + 1);
        if (len > limit) {
            want_err = RJ_ETOOBIG;
            break;
        }
        if (n - pos - RJ_WIRE_PREFIX < len) {
            want_pending = n - pos;
            break;
        }
        rj_buf_append(&want, s + pos + RJ_WIRE_PREFIX, len);
        rj_buf_append(&want, "|", 1);
        want_msgs++;
        pos += RJ_WIRE_PREFIX + len;
    }
    /* A flag byte is checked only once the whole prefix is in. */
    if (want_err == RJ_EINVAL && n - pos < RJ_WIRE_PREFIX) {
        want_err = 0;
        want_pending = n - pos;
    }

    rj_wire_decoder dec;
    rj_wire_decoder_init(&dec, max);
    rj_buf got = {0};
    size_t got_msgs = 0, off = 0;
    int err = 0;
    while (off < n && !err) {
        rnd = rnd * 1103515245u + 12345u;
        size_t piece = (rnd >> 16) % 4 == 0 ? (rnd >> 8) % 64 + 1 : (rnd >> 8) % 7 + 1;
        if (big)
            piece = (rnd >> 8) % 4096 + 1;
        if (piece > n - off)
            piece = n - off;
        rj_diag d = {{0}};
        err = rj_wire_decoder_feed(&dec, s + off, piece, &d);
        if (err)
            FUZZ_CHECK(d.msg[0], "feed failed without a message");
        off += piece;
        if ((rnd >> 24) % 3 == 0) {
            const uint8_t *m;
            size_t ml;
            while (rj_wire_decoder_next(&dec, &m, &ml) == 1) {
                rj_buf_append(&got, m, ml);
                rj_buf_append(&got, "|", 1);
                got_msgs++;
            }
        }
    }
    if (err) {
        /* Once failed it keeps failing the same way. */
        rj_diag d = {{0}};
        FUZZ_CHECK(rj_wire_decoder_feed(&dec, (const uint8_t *)"", 1, &d) == err, "sticky error");
    }
    const uint8_t *m;
    size_t ml;
    while (rj_wire_decoder_next(&dec, &m, &ml) == 1) {
        rj_buf_append(&got, m, ml);
        rj_buf_append(&got, "|", 1);
        got_msgs++;
    }
    FUZZ_CHECK(err == want_err, "decoder error %d, expected %d", err, want_err);
    FUZZ_CHECK(got_msgs == want_msgs && got.len == want.len &&
                   (got.len == 0 || memcmp(got.data, want.data, got.len) == 0),
               "decoder gave %zu messages, expected %zu", got_msgs, want_msgs);
    FUZZ_CHECK(rj_wire_decoder_pending(&dec) == (err ? 0 : want_pending),
               "pending %zu, expected %zu", rj_wire_decoder_pending(&dec), want_pending);
    rj_wire_decoder_free(&dec);
    rj_buf_free(&got);
    rj_buf_free(&want);
    free(stream);
}

/* The payload framed with rj_wire_put_prefix decodes to itself. */
static void check_frame(const uint8_t *data, size_t size)
{
    uint8_t pre[RJ_WIRE_PREFIX];
    rj_wire_put_prefix(pre, (uint32_t)size);
    rj_wire_decoder dec;
    rj_wire_decoder_init(&dec, size);
    rj_diag d = {{0}};
    FUZZ_CHECK(rj_wire_decoder_feed(&dec, pre, sizeof pre, &d) == 0, "prefix refused: %s", d.msg);
    FUZZ_CHECK(rj_wire_decoder_feed(&dec, data, size, &d) == 0, "payload refused: %s", d.msg);
    const uint8_t *m;
    size_t ml;
    FUZZ_CHECK(rj_wire_decoder_next(&dec, &m, &ml) == 1 && ml == size &&
                   (size == 0 || memcmp(m, data, size) == 0),
               "framed payload of %zu bytes", size);
    FUZZ_CHECK(rj_wire_decoder_next(&dec, &m, &ml) == 0 && rj_wire_decoder_pending(&dec) == 0,
               "more than one frame");
    rj_wire_decoder_free(&dec);
}

static void check_percent(const uint8_t *data, size_t size, const char *cs)
{
    char *enc = rj_wire_percent_encode(cs);
    size_t el = strlen(enc);
    for (size_t i = 0; i < el; i++)
        FUZZ_CHECK(enc[i] >= 0x20 && enc[i] <= 0x7e, "encoded byte 0x%02x", (unsigned char)enc[i]);
    FUZZ_CHECK(el == 0 || (enc[0] != ' ' && enc[el - 1] != ' '), "edge space in '%s'", enc);
    char *dec = rj_wire_percent_decode(enc, el);
    FUZZ_CHECK(strcmp(dec, cs) == 0, "percent round trip of '%s' gave '%s' via '%s'", cs, dec, enc);
    free(dec);
    free(enc);
    /* Any bytes decode without harm, to no more than they were. */
    dec = rj_wire_percent_decode((const char *)data, size);
    free(dec);
}

static void check_timeout(const uint8_t *data, size_t size)
{
    uint64_t ms = 0;
    if (rj_wire_parse_timeout((const char *)data, size, &ms) == 0) {
        FUZZ_CHECK(ms >= 1, "timeout of 0 ms");
        char text[32];
        rj_wire_format_timeout(ms, text, sizeof text);
        uint64_t back = 0;
        FUZZ_CHECK(rj_wire_parse_timeout(text, strlen(text), &back) == 0, "'%s' does not parse",
                   text);
        FUZZ_CHECK(back >= ms && (ms > 99999999u || back == ms), "%llu ms -> '%s' -> %llu ms",
                   (unsigned long long)ms, text, (unsigned long long)back);
    }
    if (size >= 8) {
        uint64_t any;
        memcpy(&any, data, 8);
        char text[32];
        rj_wire_format_timeout(any, text, sizeof text);
        uint64_t back = 0;
        FUZZ_CHECK(rj_wire_parse_timeout(text, strlen(text), &back) == 0, "'%s' does not parse",
                   text);
        FUZZ_CHECK(back >= any || back >= 99999999ull * 3600000ull, "%llu ms -> '%s' -> %llu ms",
                   (unsigned long long)any, text, (unsigned long long)back);
    }
}

static void check_addr(const char *cs)
{
    rj_addr a;
    rj_diag d = {{0}};
    if (rj_addr_parse(cs, &a, &d) != 0) {
        FUZZ_CHECK(d.msg[0], "address refused without a message");
        return;
    }
    char text[256];
    if (a.is_unix) {
        FUZZ_CHECK(a.path[0] == '/', "unix path '%s'", a.path);
        snprintf(text, sizeof text, "unix:%s", a.path);
        FUZZ_CHECK(strcmp(text, cs) == 0, "'%s' read as '%s'", cs, text);
        return;
    }
    FUZZ_CHECK(a.host[0] && a.port >= 0 && a.port <= 65535, "host '%s' port %d", a.host, a.port);
    bool brackets = strchr(a.host, ':') || a.host[0] == '[';
    snprintf(text, sizeof text, brackets ? "[%s]:%d" : "%s:%d", a.host, a.port);
    rj_addr b;
    FUZZ_CHECK(rj_addr_parse(text, &b, &d) == 0 && !b.is_unix && strcmp(a.host, b.host) == 0 &&
                   a.port == b.port,
               "'%s' read as host '%s' port %d, which formats as '%s' and does not read back", cs,
               a.host, a.port, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *cs = fuzz_cstr(data, size);
    check_decoder(data, size);
    check_frame(data, size);
    check_percent(data, size, cs);
    check_timeout(data, size);
    check_addr(cs);
    free(cs);
    return 0;
}
