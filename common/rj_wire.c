#include "rj_wire.h"

#include <ctype.h>
#include <protobuf-c/protobuf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The decoder appends bytes in pieces that stop at each message boundary,
 * so that the prefix of every message is checked as soon as its 5 bytes
 * are in, before any of its payload is buffered. Offsets into buf: `head`
 * is the first byte not consumed, `scan` the start of the first message
 * not yet complete (so [head, scan) holds complete messages), and `taken`
 * the size of the message the last next() handed out, dropped at the
 * following call so that the pointer it returned stays valid until then.
 * Consumed bytes are dropped by moving head; the buffer is compacted only
 * when that is cheap relative to what was consumed. */

#define COMPACT_MIN 65536

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

void rj_wire_decoder_init(rj_wire_decoder *dec, size_t max_message)
{
    memset(dec, 0, sizeof(*dec));
    dec->max_message = max_message ? max_message : RJ_WIRE_DEFAULT_MAX;
}

void rj_wire_decoder_free(rj_wire_decoder *dec)
{
    rj_buf_free(&dec->buf);
    dec->head = dec->taken = dec->scan = 0;
    dec->error = 0;
}

static void drop_taken(rj_wire_decoder *dec)
{
    dec->head += dec->taken;
    dec->taken = 0;
    if (dec->head == dec->buf.len) {
        dec->buf.len = dec->head = dec->scan = 0;
    } else if (dec->head >= COMPACT_MIN && dec->head >= dec->buf.len / 2) {
        rj_buf_consume(&dec->buf, dec->head);
        dec->scan -= dec->head;
        dec->head = 0;
    }
}

static int check_prefix(const rj_wire_decoder *dec, const uint8_t *q, rj_diag *d)
{
    if (q[0] != 0)
        return rj_diag_set(d, RJ_EINVAL,
                           "message has compressed-flag %u; no compression was negotiated",
                           (unsigned)q[0]);
    uint32_t mlen = get_be32(q + 1);
    if (mlen > dec->max_message)
        return rj_diag_set(d, RJ_ETOOBIG, "message of %u bytes exceeds the limit of %zu bytes",
                           mlen, dec->max_message);
    return 0;
}

static size_t msg_total(const rj_wire_decoder *dec)
{
    return RJ_WIRE_PREFIX + (size_t)get_be32((const uint8_t *)dec->buf.data + dec->scan + 1);
}

int rj_wire_decoder_feed(rj_wire_decoder *dec, const uint8_t *p, size_t n, rj_diag *d)
{
    if (dec->error)
        return rj_diag_set(d, dec->error, "message stream already failed; no further data taken");
    drop_taken(dec);
    while (n > 0) {
        size_t inmsg = dec->buf.len - dec->scan;
        /* the prefix was checked when it completed */
        size_t want = inmsg < RJ_WIRE_PREFIX ? RJ_WIRE_PREFIX - inmsg : msg_total(dec) - inmsg;
        if (want > n)
            want = n;
        rj_buf_append(&dec->buf, p, want);
        p += want;
        n -= want;
        inmsg += want;
        if (inmsg == RJ_WIRE_PREFIX) {
            int rc = check_prefix(dec, (const uint8_t *)dec->buf.data + dec->scan, d);
            if (rc < 0) {
                /* Keep nothing of the refused message. */
                dec->buf.len = dec->scan;
                dec->error = rc;
                return rc;
            }
        }
        if (inmsg >= RJ_WIRE_PREFIX && inmsg == msg_total(dec))
            dec->scan = dec->buf.len; /* message complete */
    }
    return 0;
}

int rj_wire_decoder_take(rj_wire_decoder *dec, rj_buf *out)
{
    if (dec->head != 0 || dec->taken == 0 || dec->taken != dec->buf.len)
        return 0;
    *out = dec->buf;
    memset(&dec->buf, 0, sizeof(dec->buf));
    dec->head = dec->taken = dec->scan = 0;
    return 1;
}

int rj_wire_decoder_next(rj_wire_decoder *dec, const uint8_t **msg, size_t *len)
{
    drop_taken(dec);
    if (dec->scan == dec->head)
        return 0;
    const uint8_t *q = (const uint8_t *)dec->buf.data + dec->head;
    uint32_t mlen = get_be32(q + 1);
    *msg = q + RJ_WIRE_PREFIX;
    *len = mlen;
    dec->taken = RJ_WIRE_PREFIX + (size_t)mlen;
    return 1;
}

size_t rj_wire_decoder_pending(const rj_wire_decoder *dec)
{
    return dec->buf.len - dec->head - dec->taken;
}

void rj_wire_put_prefix(uint8_t out[RJ_WIRE_PREFIX], uint32_t len)
{
    out[0] = 0;
    out[1] = (uint8_t)(len >> 24);
    out[2] = (uint8_t)(len >> 16);
    out[3] = (uint8_t)(len >> 8);
    out[4] = (uint8_t)len;
}

char *rj_wire_percent_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    rj_buf b = {0};
    rj_buf_append(&b, "", 0); /* a NUL even for an empty s */
    const unsigned char *first = (const unsigned char *)s;
    const unsigned char *last = first + strlen(s) - 1;
    for (const unsigned char *p = first; *p; p++) {
        /* HTTP/2 forbids leading and trailing whitespace in a field value
         * (RFC 9113 8.2.1; nghttp2 drops such a field): escape those spaces. */
        bool edge_space = *p == ' ' && (p == first || p == last);
        if (*p >= 0x20 && *p <= 0x7E && *p != '%' && !edge_space) {
            rj_buf_append(&b, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rj_buf_append(&b, e, 3);
        }
    }
    return b.data;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *rj_wire_percent_decode(const char *s, size_t len)
{
    char *out = rj_malloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len) {
            int h = hexval((unsigned char)s[i + 1]);
            int l = hexval((unsigned char)s[i + 2]);
            if (h >= 0 && l >= 0) {
                out[o++] = (char)(h * 16 + l);
                i += 2;
                continue;
            }
        }
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

int rj_wire_parse_timeout(const char *s, size_t len, uint64_t *ms)
{
    /* TimeoutValue is 1 to 8 ASCII digits, then one unit letter. */
    if (len < 2 || len > 9)
        return RJ_EINVAL;
    uint64_t v = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return RJ_EINVAL;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    uint64_t r;
    switch (s[len - 1]) {
    case 'H':
        r = v * 3600000u;
        break;
    case 'M':
        r = v * 60000u;
        break;
    case 'S':
        r = v * 1000u;
        break;
    case 'm':
        r = v;
        break;
    case 'u':
        r = (v + 999u) / 1000u;
        break;
    case 'n':
        r = (v + 999999u) / 1000000u;
        break;
    default:
        return RJ_EINVAL;
    }
    *ms = r ? r : 1;
    return 0;
}

void rj_wire_format_timeout(uint64_t ms, char *out, size_t out_len)
{
    /* At most 8 digits: switch to seconds, then minutes, then hours,
     * rounding up so the peer never sees a shorter deadline. The rounding
     * divides first: ms + 999 would wrap for ms near UINT64_MAX. */
    uint64_t s = ms / 1000 + (ms % 1000 != 0), m = ms / 60000 + (ms % 60000 != 0);
    if (ms <= 99999999u)
        snprintf(out, out_len, "%llum", (unsigned long long)ms);
    else if (s <= 99999999u)
        snprintf(out, out_len, "%lluS", (unsigned long long)s);
    else if (m <= 99999999u)
        snprintf(out, out_len, "%lluM", (unsigned long long)m);
    else
        snprintf(out, out_len, "%lluH", (unsigned long long)99999999u);
}

int rj_addr_parse(const char *s, rj_addr *out, rj_diag *d)
{
    memset(out, 0, sizeof(*out));
    if (!s || !*s)
        return rj_diag_set(d, RJ_EINVAL, "empty address; expected unix:/abs/path or HOST:PORT");
    if (strncmp(s, "unix:", 5) == 0) {
        const char *path = s + 5;
        if (path[0] != '/')
            return rj_diag_set(d, RJ_EINVAL,
                               "address '%s': a unix socket path must be absolute (unix:/path)", s);
        if (strlen(path) >= sizeof(out->path))
            return rj_diag_set(d, RJ_EINVAL, "address '%s': unix socket path longer than %zu bytes",
                               s, sizeof(out->path) - 1);
        out->is_unix = true;
        strcpy(out->path, path);
        return 0;
    }
    const char *host, *colon;
    size_t hlen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close)
            return rj_diag_set(d, RJ_EINVAL, "address '%s': missing ']' after IPv6 host", s);
        host = s + 1;
        hlen = (size_t)(close - host);
        if (close[1] != ':')
            return rj_diag_set(d, RJ_EINVAL, "address '%s': expected [v6]:PORT", s);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return rj_diag_set(d, RJ_EINVAL, "address '%s': missing port; expected HOST:PORT", s);
        host = s;
        hlen = (size_t)(colon - s);
        if (memchr(host, ':', hlen))
            return rj_diag_set(d, RJ_EINVAL,
                               "address '%s': IPv6 hosts need brackets, e.g. [::1]:7024", s);
    }
    if (hlen == 0)
        return rj_diag_set(d, RJ_EINVAL, "address '%s': empty host; expected HOST:PORT", s);
    if (hlen >= sizeof(out->host))
        return rj_diag_set(d, RJ_EINVAL, "address '%s': host longer than %zu bytes", s,
                           sizeof(out->host) - 1);
    const char *ps = colon + 1;
    if (!*ps)
        return rj_diag_set(d, RJ_EINVAL, "address '%s': missing port; expected HOST:PORT", s);
    long port = 0;
    for (const char *q = ps; *q; q++) {
        if (!isdigit((unsigned char)*q) || q - ps >= 5)
            return rj_diag_set(d, RJ_EINVAL, "address '%s': port must be a number 0..65535", s);
        port = port * 10 + (*q - '0');
    }
    if (port > 65535)
        return rj_diag_set(d, RJ_EINVAL, "address '%s': port %ld is above 65535", s, port);
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    out->port = (int)port;
    return 0;
}

void rj_wire_strip_unknown(ProtobufCMessage *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < m->n_unknown_fields; i++)
        free(m->unknown_fields[i].data);
    free(m->unknown_fields);
    m->unknown_fields = NULL;
    m->n_unknown_fields = 0;
    const ProtobufCMessageDescriptor *desc = m->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        char *base = (char *)m;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            /* Only the member the oneof case names is set. */
            if (*(uint32_t *)(base + f->quantifier_offset) != f->id)
                continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(size_t *)(base + f->quantifier_offset);
            ProtobufCMessage **arr = *(ProtobufCMessage ***)(base + f->offset);
            for (size_t k = 0; k < n; k++)
                rj_wire_strip_unknown(arr[k]);
        } else {
            rj_wire_strip_unknown(*(ProtobufCMessage **)(base + f->offset));
        }
    }
}
