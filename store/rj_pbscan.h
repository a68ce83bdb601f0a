/* A protobuf wire reader over bytes inside LMDB, for reads of whole plans
 * that need a few fields of every value: no protobuf_c_message_unpack, no
 * malloc per value.
 *
 * rj_pbscan_next steps through the fields of one message. rj_pbscan_decode
 * fills a protobuf-c message of the store's model (Item, BudgetLine,
 * Realisasi, ...) from its packed bytes, driven by its descriptor, with
 * every string, sub-message and array in an arena: the message must never
 * be given to protobuf_c_message_free_unpacked; it lives as long as the
 * arena. The values read are those protobuf_c_message_unpack gives (the
 * last of a repeated singular field wins; a string stops at its first NUL;
 * unknown fields are skipped). It is stricter in two respects, neither of
 * which a writer produces: a bool must be a varint, and a field number
 * must fit in 29 bits (protobuf-c 1.4.1 takes a bool of any wire type, and
 * drops the high bits of a longer tag).
 *
 * Every read is bounds-checked: a truncated or garbled value (a varint
 * over 10 bytes, a length past the end, field number 0, a wire type that
 * is not the field's, a group) gives RJ_EIO, never a read outside
 * [data, data + len). */
#ifndef RJ_PBSCAN_H
#define RJ_PBSCAN_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "rj_arena.h"
#include "rj_error.h"

enum { RJ_PB_VARINT = 0, RJ_PB_FIXED64 = 1, RJ_PB_LEN = 2, RJ_PB_FIXED32 = 5 };

typedef struct rj_pbscan {
    const unsigned char *p, *end;
} rj_pbscan;

typedef struct rj_pbscan_field {
    uint32_t num;              /* field number, >= 1 */
    int wt;                    /* RJ_PB_* */
    uint64_t v;                /* VARINT, FIXED64, FIXED32: the value */
    const unsigned char *data; /* LEN: the bytes, borrowed */
    size_t len;
} rj_pbscan_field;

static inline rj_pbscan rj_pbscan_init(const void *data, size_t len)
{
    const unsigned char *p = data;
    return (rj_pbscan){p, p + len};
}

/* The next field: 1 with *f filled, 0 at the end, RJ_EIO when malformed. */
int rj_pbscan_next(rj_pbscan *r, rj_pbscan_field *f);

/* A sint64's value from its varint. */
static inline int64_t rj_pbscan_zigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Decode the len bytes at data as desc into *out (an arena message, see
 * above; the top level is initialised here). fields: a bit mask of the
 * field numbers (1..63) of the top level to fill, the others keep their
 * default (still checked for their wire type); UINT64_MAX for all.
 * Sub-messages are filled whole. Supported field types: string, bool,
 * enum, int32, uint32, sint32, int64, uint64, sint64, and repeated string
 * and message; another type present in the data gives RJ_EINTERNAL.
 * RJ_EIO for malformed data. */
int rj_pbscan_decode(const ProtobufCMessageDescriptor *desc, const void *data, size_t len,
                     uint64_t fields, rj_arena *a, ProtobufCMessage *out);

/* The field mask of field number n. */
#define RJ_PB_FIELD(n) (UINT64_C(1) << (n))

#endif
