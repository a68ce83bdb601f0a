/* common/rj_methods.def against the service as protoc compiled it: every
 * method of renja.v1.Renja has its row, in the proto's order, with the same
 * name, request and response messages and streaming; there is no other
 * row. The streaming flags come from the embedded FileDescriptorSet (the
 * one server reflection serves), as protobuf-c's service descriptor does
 * not carry them. The daemon's half of each row is checked too: a READ
 * method has a read function, a WRITE one prepare and finish, a STREAM one
 * open, start and drop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_methods.h"
#include "rj_service.h"

extern const unsigned char rj_descriptor_set[];
extern const size_t rj_descriptor_set_len;

/* --- a protobuf wire reader, just enough for descriptor.proto ------------- */

typedef struct {
    const unsigned char *p, *end;
} span;

static bool varint(span *s, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; s->p < s->end && shift < 64; shift += 7) {
        unsigned char b = *s->p++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* The next field of s: its number, and for a varint its value, for a
 * length-delimited one its bytes. false at the end. */
static bool field(span *s, uint32_t *num, uint64_t *v, span *bytes)
{
    uint64_t key;
    if (s->p >= s->end || !varint(s, &key))
        return false;
    *num = (uint32_t)(key >> 3);
    switch (key & 7) {
    case 0:
        return varint(s, v);
    case 2:
        if (!varint(s, v) || *v > (uint64_t)(s->end - s->p))
            return false;
        bytes->p = s->p;
        bytes->end = s->p + *v;
        s->p += *v;
        return true;
    case 1:
        s->p += 8;
        return s->p <= s->end;
    case 5:
        s->p += 4;
        return s->p <= s->end;
    default:
        return false;
    }
}

static bool span_is(span b, const char *str)
{
    return (size_t)(b.end - b.p) == strlen(str) && memcmp(b.p, str, b.end - b.p) == 0;
}

typedef struct {
    char name[64];
    bool client_streaming, server_streaming;
} proto_method;

/* The methods of service Renja in package renja.v1 of the embedded set. */
static size_t proto_methods(proto_method *out, size_t cap)
{
    span set = {rj_descriptor_set, rj_descriptor_set + rj_descriptor_set_len}, file, x;
    uint32_t num;
    uint64_t v;
    size_t n = 0;
    while (field(&set, &num, &v, &file)) {
        if (num != 1) /* FileDescriptorSet.file */
            continue;
        bool ours = false;
        span f = file;
        while (field(&f, &num, &v, &x))
            if (num == 2) /* FileDescriptorProto.package */
                ours = span_is(x, "renja.v1");
        if (!ours)
            continue;
        f = file;
        while (field(&f, &num, &v, &x)) {
            if (num != 6) /* FileDescriptorProto.service */
                continue;
            span svc = x, y;
            bool renja = false;
            while (field(&svc, &num, &v, &y))
                if (num == 1)
                    renja = span_is(y, "Renja");
            if (!renja)
                continue;
            svc = x;
            while (field(&svc, &num, &v, &y)) {
                if (num != 2) /* ServiceDescriptorProto.method */
                    continue;
                assert_true(n < cap);
                proto_method *m = &out[n++];
                memset(m, 0, sizeof(*m));
                span mb = y, z;
                while (field(&mb, &num, &v, &z)) {
                    if (num == 1) {
                        assert_true((size_t)(z.end - z.p) < sizeof(m->name));
                        memcpy(m->name, z.p, z.end - z.p);
                    } else if (num == 5) {
                        m->client_streaming = v != 0;
                    } else if (num == 6) {
                        m->server_streaming = v != 0;
                    }
                }
            }
        }
    }
    return n;
}

/* --- the checks ------------------------------------------------------------ */

static void test_list_matches_descriptor(void **state)
{
    (void)state;
    const ProtobufCServiceDescriptor *sd = &renja__v1__renja__descriptor;
    assert_string_equal(sd->name, RJ_SERVICE_NAME);
    for (int k = 0; k < RJ_METHOD_COUNT; k++)
        if (!protobuf_c_service_descriptor_get_method_by_name(sd, rj_methods[k].name))
            fail_msg("rj_methods.def has %s, which renja.v1.Renja does not", rj_methods[k].name);
    for (unsigned i = 0; i < sd->n_methods; i++) {
        const ProtobufCMethodDescriptor *pm = &sd->methods[i];
        const rj_method_info *row = NULL;
        for (int k = 0; k < RJ_METHOD_COUNT; k++)
            if (strcmp(rj_methods[k].name, pm->name) == 0) {
                if (row)
                    fail_msg("rpc %s has two rows in rj_methods.def", pm->name);
                row = &rj_methods[k];
            }
        if (!row)
            fail_msg("rpc %s has no row in rj_methods.def", pm->name);
        if (row != &rj_methods[i])
            fail_msg("rpc %s is number %u in the proto, row %d in rj_methods.def", pm->name, i,
                     (int)(row - rj_methods));
        if (row->request != pm->input)
            fail_msg("%s: the row's request is %s, the proto's %s", pm->name, row->request->name,
                     pm->input->name);
        if (row->response != pm->output)
            fail_msg("%s: the row's response is %s, the proto's %s", pm->name, row->response->name,
                     pm->output->name);
        char path[128];
        snprintf(path, sizeof(path), "/%s/%s", sd->name, pm->name);
        assert_string_equal(row->path, path);
    }
}

static void test_streaming_matches_proto(void **state)
{
    (void)state;
    proto_method pm[64];
    size_t n = proto_methods(pm, 64);
    assert_int_equal(n, renja__v1__renja__descriptor.n_methods);
    if (n != RJ_METHOD_COUNT)
        fail_msg("the descriptor set's renja.v1.Renja has %zu methods, rj_methods.def %d rows", n,
                 (int)RJ_METHOD_COUNT);
    for (size_t i = 0; i < n; i++) {
        const rj_method_info *row = &rj_methods[i];
        assert_string_equal(row->name, pm[i].name);
        if (pm[i].client_streaming)
            fail_msg("%s streams requests; rj_methods.def has no kind for that", pm[i].name);
        if (row->server_streaming != pm[i].server_streaming)
            fail_msg("%s: the proto says %s, rj_methods.def %s", pm[i].name,
                     pm[i].server_streaming ? "stream" : "unary",
                     row->server_streaming ? "STREAM" : "UNARY");
    }
}

static void test_roles_and_access(void **state)
{
    (void)state;
    for (int k = 0; k < RJ_METHOD_COUNT; k++) {
        const rj_method_info *row = &rj_methods[k];
        assert_true(row->min_role >= RENJA__V1__ROLE__ROLE_VIEWER &&
                    row->min_role <= RENJA__V1__ROLE__ROLE_ADMIN);
        /* A stream is a read: the writer thread answers once. */
        if (row->server_streaming)
            assert_false(row->write);
    }
}

/* The functions of each row's rj_svc_<service> fit its access and kind. */
static void test_services_fit_access(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const rj_service *svc;
        bool write, stream;
    } rows[] = {
#define RJ_METHOD(name, service, req, resp, role, access, kind, text)                              \
    {#name, &rj_svc_##service, RJ_METHOD_ACCESS_##access, RJ_METHOD_KIND_##kind},
#include "rj_methods.def"
#undef RJ_METHOD
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const rj_service *s = rows[i].svc;
        bool read = s->read, write = s->prepare || s->finish, stream = s->open || s->start;
        if (rows[i].stream) {
            if (!s->open || !s->start || !s->drop || read || write)
                fail_msg("%s is STREAM: rj_svc needs open, start and drop only", rows[i].name);
        } else if (rows[i].write) {
            if (!s->prepare || !s->finish || read || stream || s->drop)
                fail_msg("%s is WRITE: rj_svc needs prepare and finish only", rows[i].name);
        } else if (!read || write || stream || s->drop) {
            fail_msg("%s is READ: rj_svc needs read only", rows[i].name);
        }
    }
}

/* A method's free-text field is a string field of its request; the
 * requests with one are exactly those that carry a message, nama or reason
 * at their top level. */
static void test_text_fields(void **state)
{
    (void)state;
    size_t with = 0;
    for (int i = 0; i < RJ_METHOD_COUNT; i++) {
        const rj_method_info *m = &rj_methods[i];
        const ProtobufCMessageDescriptor *rq = m->request;
        for (unsigned k = 0; k < rq->n_fields; k++) {
            const ProtobufCFieldDescriptor *f = &rq->fields[k];
            bool prose = f->type == PROTOBUF_C_TYPE_STRING &&
                         (strcmp(f->name, "message") == 0 || strcmp(f->name, "nama") == 0 ||
                          strcmp(f->name, "reason") == 0);
            if (prose && (!m->text || strcmp(m->text, f->name) != 0))
                fail_msg("%s: %s.%s is free text, but its row's text is %s", m->name,
                         rq->short_name, f->name, m->text ? m->text : "NULL");
        }
        if (!m->text)
            continue;
        with++;
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(rq, m->text);
        if (!f || f->type != PROTOBUF_C_TYPE_STRING)
            fail_msg("%s: its text field %s is not a string field of %s", m->name, m->text,
                     rq->short_name);
    }
    assert_int_equal(with, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_matches_descriptor),
        cmocka_unit_test(test_streaming_matches_proto),
        cmocka_unit_test(test_roles_and_access),
        cmocka_unit_test(test_services_fit_access),
        cmocka_unit_test(test_text_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
