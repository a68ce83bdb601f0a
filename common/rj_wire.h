/* The gRPC wire pieces shared by server and client: the 5-byte message
 * prefix, percent-encoding of grpc-message, grpc-timeout, and addresses.
 * Pure functions and a small incremental decoder; no I/O. */
#ifndef RJ_WIRE_H
#define RJ_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rj_alloc.h"
#include "rj_error.h"

#define RJ_WIRE_PREFIX 5
#define RJ_WIRE_DEFAULT_MAX (4u * 1024 * 1024)

/* Incremental decoder of length-prefixed messages. Feed bytes as they come
 * (any split); take complete messages out. The size limit is checked on the
 * prefix, before any payload is buffered. */
typedef struct rj_wire_decoder {
    size_t max_message;
    rj_buf buf;
    /* private */
    size_t head;  /* start of the bytes not yet consumed */
    size_t taken; /* bytes at head handed out by the last next() */
    size_t scan;  /* offset of the message being read */
    int error;    /* once feed failed, it keeps failing */
} rj_wire_decoder;

void rj_wire_decoder_init(rj_wire_decoder *dec, size_t max_message);
void rj_wire_decoder_free(rj_wire_decoder *dec);
/* Append bytes. RJ_ETOOBIG when a prefix announces more than max_message;
 * RJ_EINVAL on a compressed-flag other than 0 (we negotiate no compression).
 * After a failure the stream is out of step: later feeds fail the same way
 * (messages completed before the failure can still be taken). */
int rj_wire_decoder_feed(rj_wire_decoder *dec, const uint8_t *p, size_t n, rj_diag *d);
/* Take the next complete message: 1 and (*msg, *len) valid until the next
 * call on dec; 0 when none is complete. */
int rj_wire_decoder_next(rj_wire_decoder *dec, const uint8_t **msg, size_t *len);
/* After next() returned a message: when that message is all the decoder
 * holds, from the start of its buffer (a unary request's one message),
 * hand the buffer over instead of copying it (1; the message is at
 * out->data + RJ_WIRE_PREFIX, out->len - RJ_WIRE_PREFIX bytes, and the
 * decoder is left empty); 0 when other bytes share the buffer. */
int rj_wire_decoder_take(rj_wire_decoder *dec, rj_buf *out);
/* Bytes buffered but not yet returned (a truncated message at end of stream
 * leaves this non-zero). */
size_t rj_wire_decoder_pending(const rj_wire_decoder *dec);

/* Write the 5-byte prefix for a message of len bytes. */
void rj_wire_put_prefix(uint8_t out[RJ_WIRE_PREFIX], uint32_t len);

/* grpc-message percent-encoding: bytes outside 0x20..0x7E and '%' become
 * %XX. Returns a new string. */
char *rj_wire_percent_encode(const char *s);
/* Decode; malformed escapes are kept as they are. Returns a new string. */
char *rj_wire_percent_decode(const char *s, size_t len);

/* grpc-timeout ("1S", "250m", "100u", ...) to milliseconds (rounded up,
 * at least 1). RJ_EINVAL when malformed. */
int rj_wire_parse_timeout(const char *s, size_t len, uint64_t *ms);
/* Milliseconds to a grpc-timeout value ("<n>m"), into out. */
void rj_wire_format_timeout(uint64_t ms, char *out, size_t out_len);

/* Drop the unknown fields of m and of every message inside it, freeing
 * them (m was unpacked with the default allocator). protobuf-c 1.4.1 keeps
 * unknown fields, even ones with invalid field numbers, and packs them back
 * as invalid tags: a request is stripped before anything of it is stored,
 * so that what the store writes it can always read back. */
struct ProtobufCMessage;
void rj_wire_strip_unknown(struct ProtobufCMessage *m);

/* Addresses: "unix:/abs/path", "HOST:PORT", "[v6]:PORT". */
typedef struct rj_addr {
    bool is_unix;
    char path[108]; /* unix */
    char host[64];  /* tcp, without brackets */
    int port;       /* tcp, 0..65535 */
} rj_addr;

int rj_addr_parse(const char *s, rj_addr *out, rj_diag *d);

#endif
