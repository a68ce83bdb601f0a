/* protobuf-c's unpacking of every message the daemon reads (all requests of
 * common/rj_methods.def and the health check) and of the responses and
 * stream messages the client reads, as renjad and renja call it: unpack
 * with the default allocator, then free. The first byte picks the message
 * type, the rest is the payload; every type also gets the whole input. An
 * unpacked message must pass protobuf_c_message_check and pack again to
 * bytes that unpack and pack to the same bytes. */
#include <stdbool.h>

#include "fuzz_util.h"
#include "grpc/health/v1/health.pb-c.h"
#include "renja/v1/renja.pb-c.h"

/* Every request and response of rj_methods.def (a response two methods
 * share appears twice), and the health check's. */
static const ProtobufCMessageDescriptor *const descs[] = {
#define RJ_METHOD(name, svc, req, resp, role, access, kind, text) &renja__v1__##req##__descriptor,
#include "rj_methods.def"
#undef RJ_METHOD
    &grpc__health__v1__health_check_request__descriptor,
#define RJ_METHOD(name, svc, req, resp, role, access, kind, text) &renja__v1__##resp##__descriptor,
#include "rj_methods.def"
#undef RJ_METHOD
    &grpc__health__v1__health_check_response__descriptor,
};
#define NDESCS (sizeof descs / sizeof descs[0])

/* Does m, or a message inside it, keep an unknown field whose number is
 * not a valid protobuf field number (1..2^29-1)? protobuf-c 1.4.1 accepts
 * such a field on unpack (0 written as an overlong varint "80 00", or a
 * number that wraps in 32 bits) and packs it back as a different, invalid
 * tag: such a message does not survive pack and unpack.
 * Anything in renjad that stores a message it received as it came (unknown
 * fields included) must drop unknown fields first. */
static bool has_bad_unknown(const ProtobufCMessage *m)
{
    for (unsigned i = 0; i < m->n_unknown_fields; i++)
        if (m->unknown_fields[i].tag == 0 || m->unknown_fields[i].tag > 0x1fffffffu)
            return true;
    const ProtobufCMessageDescriptor *desc = m->descriptor;
    for (unsigned f = 0; f < desc->n_fields; f++) {
        const ProtobufCFieldDescriptor *fd = &desc->fields[f];
        if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)m;
        if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (*(const uint32_t *)(base + fd->quantifier_offset) != fd->id)
                continue;
        }
        if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + fd->quantifier_offset);
            ProtobufCMessage *const *arr = *(ProtobufCMessage *const *const *)(base + fd->offset);
            for (size_t k = 0; k < n; k++)
                if (has_bad_unknown(arr[k]))
                    return true;
        } else {
            const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)(base + fd->offset);
            if (sub && has_bad_unknown(sub))
                return true;
        }
    }
    return false;
}

static void unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *p, size_t n)
{
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, n, p);
    if (!m)
        return;
    FUZZ_CHECK(protobuf_c_message_check(m), "%s unpacked but fails the check", desc->name);
    if (has_bad_unknown(m)) {
        protobuf_c_message_free_unpacked(m, NULL);
        return;
    }
    size_t len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(len ? len : 1);
    FUZZ_CHECK(protobuf_c_message_pack(m, buf) == len, "%s packed size", desc->name);
    ProtobufCMessage *again = protobuf_c_message_unpack(desc, NULL, len, buf);
    FUZZ_CHECK(again != NULL, "%s packs to bytes that do not unpack", desc->name);
    size_t len2 = protobuf_c_message_get_packed_size(again);
    uint8_t *buf2 = malloc(len2 ? len2 : 1);
    protobuf_c_message_pack(again, buf2);
    FUZZ_CHECK(len2 == len && memcmp(buf, buf2, len) == 0, "%s not stable through pack/unpack",
               desc->name);
    protobuf_c_message_free_unpacked(again, NULL);
    protobuf_c_message_free_unpacked(m, NULL);
    free(buf2);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unpack(descs[data[0] % NDESCS], data + 1, size - 1);
    for (size_t i = 0; i < NDESCS; i++)
        unpack(descs[i], data, size);
    return 0;
}
