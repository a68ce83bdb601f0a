#include "rj_pbscan.h"

#include <stdbool.h>
#include <string.h>

/* A varint of more than one byte, at most 10 (the tenth without a
 * continuation bit, as protobuf-c reads it). */
static __attribute__((noinline)) int varint_long(const unsigned char **pp, const unsigned char *end,
                                                 uint64_t *out)
{
    const unsigned char *p = *pp;
    uint64_t v = 0;
    for (int i = 0; i < 10 && p < end; i++) {
        unsigned char b = *p++;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *pp = p;
            *out = v;
            return 0;
        }
    }
    return RJ_EIO;
}

static inline int varint(const unsigned char **pp, const unsigned char *end, uint64_t *out)
{
    const unsigned char *p = *pp;
    if (p < end && *p < 0x80) { /* one byte: most tags, lengths and flags */
        *out = *p;
        *pp = p + 1;
        return 0;
    }
    return varint_long(pp, end, out);
}

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static inline __attribute__((always_inline)) int next(rj_pbscan *r, rj_pbscan_field *f)
{
    if (r->p >= r->end)
        return 0;
    uint64_t tag, len;
    if (varint(&r->p, r->end, &tag) || tag >> 3 == 0 || tag >> 3 > 0x1fffffff)
        return RJ_EIO;
    f->num = (uint32_t)(tag >> 3);
    f->wt = (int)(tag & 7);
    f->data = NULL;
    f->len = 0;
    size_t left = (size_t)(r->end - r->p);
    switch (f->wt) {
    case RJ_PB_VARINT:
        return varint(&r->p, r->end, &f->v) ? RJ_EIO : 1;
    case RJ_PB_FIXED64:
    case RJ_PB_FIXED32: {
        int n = f->wt == RJ_PB_FIXED64 ? 8 : 4;
        if (left < (size_t)n)
            return RJ_EIO;
        f->v = le(r->p, n);
        r->p += n;
        return 1;
    }
    case RJ_PB_LEN:
        if (varint(&r->p, r->end, &len) || len > (uint64_t)(r->end - r->p))
            return RJ_EIO;
        f->data = r->p;
        f->len = (size_t)len;
        r->p += len;
        return 1;
    default: /* groups (3, 4) and the unused 6, 7 */
        return RJ_EIO;
    }
}

int rj_pbscan_next(rj_pbscan *r, rj_pbscan_field *f)
{
    return next(r, f);
}

/* The wire type a field's type is written with; -1 for a type this
 * reader does not decode. */
static int wire_of(const ProtobufCFieldDescriptor *fd)
{
    switch (fd->type) {
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return RJ_PB_LEN;
    case PROTOBUF_C_TYPE_BOOL:
    case PROTOBUF_C_TYPE_ENUM:
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_SINT64:
        return fd->label == PROTOBUF_C_LABEL_REPEATED ? -1 : RJ_PB_VARINT;
    default:
        return -1;
    }
}

#define MEMBER(T, m, off) (*(T *)((char *)(m) + (off)))

/* A string field's value: up to its first NUL, as a C string. */
static char *str_of(const rj_pbscan_field *f, rj_arena *a)
{
    const unsigned char *nul = memchr(f->data, 0, f->len);
    return rj_arena_strndup(a, f->data, nul ? (size_t)(nul - f->data) : f->len);
}

static int fill(const ProtobufCFieldDescriptor *fd, const rj_pbscan_field *f, rj_arena *a,
                ProtobufCMessage *out)
{
    uint64_t v = f->v;
    bool rep = fd->label == PROTOBUF_C_LABEL_REPEATED;
    switch (fd->type) {
    case PROTOBUF_C_TYPE_STRING:
        if (rep) {
            size_t *n = &MEMBER(size_t, out, fd->quantifier_offset);
            MEMBER(char **, out, fd->offset)[(*n)++] = str_of(f, a);
        } else {
            MEMBER(char *, out, fd->offset) = str_of(f, a);
        }
        return 0;
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessageDescriptor *sub = fd->descriptor;
        ProtobufCMessage *m = rj_arena_alloc(a, sub->sizeof_message);
        int err = rj_pbscan_decode(sub, f->data, f->len, UINT64_MAX, a, m);
        if (err)
            return err;
        size_t *n = &MEMBER(size_t, out, fd->quantifier_offset);
        MEMBER(ProtobufCMessage **, out, fd->offset)[(*n)++] = m;
        return 0;
    }
    case PROTOBUF_C_TYPE_BOOL:
        MEMBER(protobuf_c_boolean, out, fd->offset) = v != 0;
        return 0;
    case PROTOBUF_C_TYPE_ENUM:
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_UINT32:
        MEMBER(uint32_t, out, fd->offset) = (uint32_t)v;
        return 0;
    case PROTOBUF_C_TYPE_SINT32: {
        uint32_t u = (uint32_t)v;
        MEMBER(int32_t, out, fd->offset) = (int32_t)(u >> 1) ^ -(int32_t)(u & 1);
        return 0;
    }
    case PROTOBUF_C_TYPE_SINT64:
        MEMBER(int64_t, out, fd->offset) = rj_pbscan_zigzag(v);
        return 0;
    default: /* INT64, UINT64 */
        MEMBER(uint64_t, out, fd->offset) = v;
        return 0;
    }
}

enum { MAX_FIELDS = 64 };

/* The descriptor of field num: by index where the numbers are dense from
 * 1 (the model's messages), else by protobuf-c's lookup. */
static const ProtobufCFieldDescriptor *field_of(const ProtobufCMessageDescriptor *desc,
                                                uint32_t num)
{
    if (num <= desc->n_fields && desc->fields[num - 1].id == num)
        return &desc->fields[num - 1];
    return protobuf_c_message_descriptor_get_field(desc, num);
}

static bool wanted(const ProtobufCFieldDescriptor *fd, uint64_t fields)
{
    return fd->id >= 64 || (fields & RJ_PB_FIELD(fd->id));
}

int rj_pbscan_decode(const ProtobufCMessageDescriptor *desc, const void *data, size_t len,
                     uint64_t fields, rj_arena *a, ProtobufCMessage *out)
{
    if (desc->n_fields > MAX_FIELDS)
        return RJ_EINTERNAL;
    desc->message_init(out);
    /* First pass: check every field, fill the singular ones and count the
     * repeated ones (kept aside, up to REP of them); then their arrays are
     * allocated once and filled, from what was kept aside or from a second
     * pass. */
    uint32_t count[MAX_FIELDS];
    memset(count, 0, desc->n_fields * sizeof count[0]);
    enum { REP = 16 };
    rj_pbscan_field rep[REP];
    const ProtobufCFieldDescriptor *repd[REP];
    size_t nrep = 0;
    rj_pbscan r = rj_pbscan_init(data, len);
    rj_pbscan_field f;
    int rc;
    while ((rc = next(&r, &f)) == 1) {
        const ProtobufCFieldDescriptor *fd = field_of(desc, f.num);
        if (!fd)
            continue; /* unknown: skipped */
        int want = wire_of(fd);
        if (want < 0)
            return RJ_EINTERNAL;
        if (f.wt != want)
            return RJ_EIO;
        if (!wanted(fd, fields))
            continue;
        if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
            count[fd - desc->fields]++;
            if (nrep < REP) {
                rep[nrep] = f;
                repd[nrep] = fd;
            }
            nrep++;
        } else if ((rc = fill(fd, &f, a, out)) != 0) {
            return rc;
        }
    }
    if (rc || !nrep)
        return rc;
    for (unsigned i = 0; i < desc->n_fields; i++)
        if (count[i])
            MEMBER(void *, out, desc->fields[i].offset) =
                rj_arena_alloc(a, count[i] * sizeof(void *));
    if (nrep <= REP) {
        for (size_t i = 0; i < nrep; i++)
            if ((rc = fill(repd[i], &rep[i], a, out)) != 0)
                return rc;
        return 0;
    }
    r = rj_pbscan_init(data, len);
    while (next(&r, &f) == 1) {
        const ProtobufCFieldDescriptor *fd = field_of(desc, f.num);
        if (fd && fd->label == PROTOBUF_C_LABEL_REPEATED && wanted(fd, fields) &&
            (rc = fill(fd, &f, a, out)) != 0)
            return rc;
    }
    return 0;
}
