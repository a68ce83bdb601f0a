#include "rj_page.h"

#include <stdlib.h>
#include <string.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_alloc.h"

/* A list of the sequence: a repeated field of the answer, or of a message
 * the answer holds (outer). */
typedef struct seq_field {
    const char *outer; /* NULL: a field of the answer itself */
    const char *name;
} seq_field;

typedef struct seq {
    const ProtobufCMessageDescriptor *desc;
    seq_field fields[6];
} seq;

/* The order of renja.proto's comments on each request. */
static const seq seqs[] = {
    {&renja__v1__diff_response__descriptor, {{NULL, "rows"}, {NULL, "goals"}, {NULL, "groups"}}},
    {&renja__v1__compare_response__descriptor, {{NULL, "stages"}, {NULL, "rows"}}},
    {&renja__v1__evaluate_response__descriptor,
     {{NULL, "rows"},
      {NULL, "goal_rows"},
      {NULL, "anggaran"},
      {"summary", "met"},
      {"summary", "not_started"}}},
    {&renja__v1__validate_response__descriptor, {{NULL, "findings"}}},
};

static const seq *seq_of(const ProtobufCMessageDescriptor *desc)
{
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
        if (seqs[i].desc == desc)
            return &seqs[i];
    return NULL;
}

bool rj_page_known(const ProtobufCMessageDescriptor *desc)
{
    return seq_of(desc) != NULL;
}

/* The message holding list f of m (*out: its field); NULL when its outer
 * message is absent. */
static ProtobufCMessage *holder(ProtobufCMessage *m, const seq_field *f,
                                const ProtobufCFieldDescriptor **out)
{
    ProtobufCMessage *h = m;
    if (f->outer) {
        const ProtobufCFieldDescriptor *of =
            protobuf_c_message_descriptor_get_field_by_name(m->descriptor, f->outer);
        h = *(ProtobufCMessage **)((char *)m + of->offset);
        if (!h)
            return NULL;
    }
    *out = protobuf_c_message_descriptor_get_field_by_name(h->descriptor, f->name);
    return h;
}

static size_t *list_n(ProtobufCMessage *h, const ProtobufCFieldDescriptor *fd)
{
    return (size_t *)((char *)h + fd->quantifier_offset);
}

static void ***list_v(ProtobufCMessage *h, const ProtobufCFieldDescriptor *fd)
{
    return (void ***)((char *)h + fd->offset);
}

/* What one entry adds to the packed answer: itself, its tag and length. */
static size_t entry_size(const ProtobufCFieldDescriptor *fd, const void *v)
{
    if (fd->type == PROTOBUF_C_TYPE_STRING)
        return strlen(v) + 8;
    return protobuf_c_message_get_packed_size(v) + 8;
}

static void entry_free(const ProtobufCFieldDescriptor *fd, void *v)
{
    if (fd->type == PROTOBUF_C_TYPE_STRING) {
        if (v != (void *)protobuf_c_empty_string)
            free(v);
    } else {
        protobuf_c_message_free_unpacked(v, NULL);
    }
}

uint64_t rj_page_cut(ProtobufCMessage *m, uint64_t offset, size_t page, bool in_arena)
{
    const seq *s = seq_of(m->descriptor);
    uint64_t pos = 0, next = 0;
    size_t budget = page;
    bool kept_any = false;
    for (size_t k = 0; s && k < sizeof(s->fields) / sizeof(s->fields[0]) && s->fields[k].name;
         k++) {
        const ProtobufCFieldDescriptor *fd = NULL;
        ProtobufCMessage *h = holder(m, &s->fields[k], &fd);
        if (!h)
            continue;
        size_t *n = list_n(h, fd);
        void **v = *list_v(h, fd);
        size_t out = 0;
        for (size_t i = 0; i < *n; i++, pos++) {
            if (pos < offset || next) {
                if (!in_arena)
                    entry_free(fd, v[i]);
                continue;
            }
            size_t sz = entry_size(fd, v[i]);
            if (sz > budget && kept_any) {
                next = pos;
                if (!in_arena)
                    entry_free(fd, v[i]);
                continue;
            }
            budget = sz > budget ? 0 : budget - sz;
            kept_any = true;
            v[out++] = v[i];
        }
        *n = out;
    }
    return next;
}

void rj_page_merge(ProtobufCMessage *whole, ProtobufCMessage *page)
{
    const seq *s = seq_of(whole->descriptor);
    for (size_t k = 0; s && k < sizeof(s->fields) / sizeof(s->fields[0]) && s->fields[k].name;
         k++) {
        const seq_field *f = &s->fields[k];
        const ProtobufCFieldDescriptor *fd = NULL;
        ProtobufCMessage *src = holder(page, f, &fd);
        if (!src)
            continue;
        ProtobufCMessage *dst = holder(whole, f, &fd);
        if (!dst) { /* the outer message moves whole, its other lists with it */
            const ProtobufCFieldDescriptor *of =
                protobuf_c_message_descriptor_get_field_by_name(whole->descriptor, f->outer);
            *(ProtobufCMessage **)((char *)whole + of->offset) = src;
            *(ProtobufCMessage **)((char *)page + of->offset) = NULL;
            continue;
        }
        size_t *nd = list_n(dst, fd), *ns = list_n(src, fd);
        void ***vd = list_v(dst, fd), ***vs = list_v(src, fd);
        if (*ns == 0)
            continue;
        *vd = rj_realloc(*vd, (*nd + *ns) * sizeof(void *));
        memcpy(*vd + *nd, *vs, *ns * sizeof(void *));
        *nd += *ns;
        *ns = 0;
    }
}
