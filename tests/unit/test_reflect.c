/* The reflection index over the embedded FileDescriptorSet (svc_reflect.c):
 * the symbols it finds, the files it answers with, and sets it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rj_reflect.h"

typedef Grpc__Reflection__V1__ServerReflectionRequest Req;
typedef Grpc__Reflection__V1__ServerReflectionResponse Resp;

static const rj_grpc_method table[] = {
    {"/renja.v1.Renja/Show", NULL, NULL, NULL, 0, false, 1, NULL, NULL},
    {"/renja.v1.Renja/Log", NULL, NULL, NULL, 0, false, 1, NULL, NULL},
    {"/grpc.health.v1.Health/Check", NULL, NULL, NULL, 0, false, 0, NULL, NULL},
    {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", NULL, NULL, NULL, 3, false,
     0, NULL, NULL},
};

static Resp *ask(const rj_reflect *r, Req *req)
{
    rj_buf out = {0};
    assert_int_equal(rj_reflect_answer(r, req, &out), 0);
    assert_true(out.len >= 5);
    Resp *resp = (Resp *)protobuf_c_message_unpack(
        &grpc__reflection__v1__server_reflection_response__descriptor, NULL, out.len - 5,
        (const uint8_t *)out.data + 5);
    assert_non_null(resp);
    rj_buf_free(&out);
    return resp;
}

/* The first file name in a FileDescriptorProto (field 1, a short string). */
static void file_name(const ProtobufCBinaryData *b, char *out, size_t len)
{
    assert_true(b->len > 2 && b->data[0] == 0x0a && b->data[1] < 0x80);
    size_t n = b->data[1] < len ? b->data[1] : len - 1;
    memcpy(out, b->data + 2, n);
    out[n] = '\0';
}

static void test_symbols_and_files(void **state)
{
    (void)state;
    rj_reflect *r = NULL;
    rj_diag d = {{0}};
    assert_int_equal(rj_reflect_new(table, 4, &r, &d), 0);
    static const struct {
        const char *symbol, *file;
    } cases[] = {
        {"renja.v1.Renja", "renja/v1/renja.proto"},
        {"renja.v1.Renja.Watch", "renja/v1/renja.proto"},
        {"renja.v1.ShowRequest", "renja/v1/renja.proto"},
        {"renja.v1.Plan", "renja/v1/model.proto"},
        {"renja.v1.Plan.id", "renja/v1/model.proto"},
        {"renja.v1.Role", "renja/v1/model.proto"},
        {"renja.v1.ROLE_VIEWER", "renja/v1/model.proto"},
        {".grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"},
        {"grpc.health.v1.HealthCheckResponse.SERVING", "grpc/health/v1/health.proto"},
        {"grpc.reflection.v1.ServerReflectionRequest.message_request",
         "grpc/reflection/v1/reflection.proto"},
        {"grpc.reflection.v1alpha.ServerReflection.ServerReflectionInfo",
         "grpc/reflection/v1alpha/reflection.proto"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        Req req = GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__INIT;
        req.message_request_case =
            GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL;
        req.file_containing_symbol = (char *)cases[i].symbol;
        Resp *resp = ask(r, &req);
        assert_int_equal(
            resp->message_response_case,
            GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE);
        char name[128];
        file_name(&resp->file_descriptor_response->file_descriptor_proto[0], name, sizeof(name));
        assert_string_equal(name, cases[i].file);
        /* renja.proto comes with model.proto, and nothing twice */
        size_t n = resp->file_descriptor_response->n_file_descriptor_proto;
        assert_int_equal(n, strcmp(cases[i].file, "renja/v1/renja.proto") == 0 ? 2 : 1);
        protobuf_c_message_free_unpacked(&resp->base, NULL);
    }
    /* list_services: the table's services, once each, in its order */
    Req req = GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__INIT;
    req.message_request_case =
        GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES;
    req.list_services = "";
    Resp *resp = ask(r, &req);
    assert_int_equal(resp->list_services_response->n_service, 3);
    assert_string_equal(resp->list_services_response->service[0]->name, "renja.v1.Renja");
    assert_string_equal(resp->list_services_response->service[1]->name, "grpc.health.v1.Health");
    assert_string_equal(resp->list_services_response->service[2]->name,
                        "grpc.reflection.v1alpha.ServerReflection");
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    /* a prefix of a name is not a name */
    req.message_request_case =
        GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL;
    req.file_containing_symbol = "renja.v1";
    resp = ask(r, &req);
    assert_int_equal(resp->error_response->error_code, RJ_GRPC_NOT_FOUND);
    assert_non_null(strstr(resp->error_response->error_message, "symbol renja.v1 not found"));
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rj_reflect_free(r);
}

static void test_bad_sets_refused(void **state)
{
    (void)state;
    rj_reflect *r = NULL;
    rj_diag d = {{0}};
    /* cut short: a length beyond the end */
    static const unsigned char cut[] = {0x0a, 0x10, 0x0a, 0x03, 'a', '.', 'p'};
    assert_int_equal(rj_reflect_new_from(cut, sizeof(cut), table, 0, &r, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "malformed"));
    /* a file importing one the set does not hold */
    static const unsigned char orphan[] = {0x0a, 0x0c, 0x0a, 0x03, 'a', '.', 'p',
                                           0x1a, 0x05, 'b',  '.',  'p', 'r', 'o'};
    assert_int_equal(rj_reflect_new_from(orphan, sizeof(orphan), table, 0, &r, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "a.p imports b.pro"));
    /* a service of the table that no file declares */
    static const unsigned char empty_file[] = {0x0a, 0x05, 0x0a, 0x03, 'a', '.', 'p'};
    assert_int_equal(rj_reflect_new_from(empty_file, sizeof(empty_file), table, 4, &r, &d),
                     RJ_EINVAL);
    assert_non_null(strstr(d.msg, "service renja.v1.Renja"));
    /* an empty table over a well-formed set is fine */
    assert_int_equal(rj_reflect_new_from(empty_file, sizeof(empty_file), table, 0, &r, &d), 0);
    rj_reflect_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_symbols_and_files),
        cmocka_unit_test(test_bad_sets_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
