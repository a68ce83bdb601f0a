/* The protobuf wire reader of whole-plan reads (store/rj_pbscan.c). The
 * first byte picks a message of the model and a field mask; the rest is
 * the packed value. With every field asked for, the reader takes nothing
 * protobuf-c's unpack refuses, and when both take it the two messages pack
 * to the same bytes (unknown fields left out, at every level: protobuf-c keeps them,
 * the reader skips them). With a mask, whatever the reader gives has the asked fields of
 * the full decode and nothing else. */
#include <stdbool.h>

#include "fuzz_util.h"
#include "renja/v1/model.pb-c.h"
#include "rj_pbscan.h"

static unsigned char *pack(const ProtobufCMessage *m, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(m);
    unsigned char *b = malloc(*len + 1);
    if (!b)
        abort();
    protobuf_c_message_pack(m, b);
    return b;
}

/* Drop the unknown fields protobuf-c kept, in m and every message in it
 * (unpacked with the default allocator, so free() is theirs). */
static void drop_unknown(ProtobufCMessage *m)
{
    for (unsigned i = 0; i < m->n_unknown_fields; i++)
        free(m->unknown_fields[i].data);
    free(m->unknown_fields);
    m->unknown_fields = NULL;
    m->n_unknown_fields = 0;
    const ProtobufCMessageDescriptor *desc = m->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *fd = &desc->fields[i];
        if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(size_t *)((char *)m + fd->quantifier_offset);
            ProtobufCMessage **v = *(ProtobufCMessage ***)((char *)m + fd->offset);
            for (size_t k = 0; k < n; k++)
                drop_unknown(v[k]);
        } else if (*(ProtobufCMessage **)((char *)m + fd->offset)) {
            drop_unknown(*(ProtobufCMessage **)((char *)m + fd->offset));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ProtobufCMessageDescriptor *const descs[] = {
        &renja__v1__item__descriptor, &renja__v1__budget_line__descriptor,
        &renja__v1__realisasi__descriptor, &renja__v1__goal__descriptor,
        &renja__v1__indikator__descriptor};
    if (size < 1)
        return 0;
    const ProtobufCMessageDescriptor *desc = descs[data[0] % 5];
    uint64_t mask =
        (data[0] / 5) % 2 ? (UINT64_C(1) << 1 | UINT64_C(1) << 3 | UINT64_C(1) << 8) : UINT64_MAX;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    /* the value in a buffer of its own size, so that ASan sees a read past
     * its end */
    uint8_t *v = malloc(n ? n : 1);
    if (!v)
        abort();
    memcpy(v, p, n);

    ProtobufCMessage *ref = protobuf_c_message_unpack(desc, NULL, n, v);
    rj_arena *a = rj_arena_new();
    ProtobufCMessage *all = rj_arena_alloc(a, desc->sizeof_message);
    int rc = rj_pbscan_decode(desc, v, n, UINT64_MAX, a, all);
    FUZZ_CHECK(rc == 0 || rc == RJ_EIO, "rc %d", rc);
    /* The reader takes nothing protobuf-c refuses. It is stricter the other
     * way in two respects: protobuf-c 1.4.1 takes a bool field of any wire
     * type (true when a byte of it is not zero), and a tag whose field
     * number passes 2^29 - 1 (dropping the high bits); the reader refuses
     * both. No writer produces either. */
    FUZZ_CHECK(rc != 0 || ref != NULL, "the reader took what protobuf-c refuses");
    if (ref && rc == 0) {
        size_t n1, n2;
        drop_unknown(ref);
        unsigned char *b1 = pack(ref, &n1), *b2 = pack(all, &n2);
        FUZZ_CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0, "%zu and %zu bytes differ", n1, n2);
        free(b1);
        free(b2);
    }
    if (ref)
        protobuf_c_message_free_unpacked(ref, NULL);
    if (mask != UINT64_MAX) {
        ProtobufCMessage *part = rj_arena_alloc(a, desc->sizeof_message);
        int prc = rj_pbscan_decode(desc, v, n, mask, a, part);
        FUZZ_CHECK(prc == 0 || prc == RJ_EIO, "rc %d", prc);
        FUZZ_CHECK(rc != 0 || prc == 0, "a full decode but not a masked one");
        if (rc == 0) {
            /* the asked fields as in the full decode, the rest defaults */
            ProtobufCMessage *want = rj_arena_alloc(a, desc->sizeof_message);
            desc->message_init(want);
            for (unsigned i = 0; i < desc->n_fields; i++) {
                const ProtobufCFieldDescriptor *fd = &desc->fields[i];
                if (!(mask & (UINT64_C(1) << fd->id)))
                    continue;
                size_t sz = fd->label == PROTOBUF_C_LABEL_REPEATED ? sizeof(void *) : 8;
                if (fd->type == PROTOBUF_C_TYPE_STRING || fd->type == PROTOBUF_C_TYPE_MESSAGE)
                    sz = sizeof(void *);
                else if (fd->type != PROTOBUF_C_TYPE_INT64 && fd->type != PROTOBUF_C_TYPE_UINT64 &&
                         fd->type != PROTOBUF_C_TYPE_SINT64)
                    sz = 4;
                memcpy((char *)want + fd->offset, (char *)all + fd->offset, sz);
                if (fd->label == PROTOBUF_C_LABEL_REPEATED)
                    memcpy((char *)want + fd->quantifier_offset,
                           (char *)all + fd->quantifier_offset, sizeof(size_t));
            }
            size_t n1, n2;
            unsigned char *b1 = pack(want, &n1), *b2 = pack(part, &n2);
            FUZZ_CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0, "masked: %zu and %zu bytes differ", n1,
                       n2);
            free(b1);
            free(b2);
        }
    }
    rj_arena_free(a);
    free(v);
    return 0;
}
