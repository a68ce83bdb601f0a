#include "rj_methods.h"

const rj_method_info rj_methods[RJ_METHOD_COUNT] = {
#define RJ_METHOD(n, svc, req, resp, role, access, kind, txt)                                      \
    [RJ_METHOD_##n] = {                                                                            \
        .name = #n,                                                                                \
        .path = RJ_SERVICE_PREFIX #n,                                                              \
        .request = &renja__v1__##req##__descriptor,                                                \
        .response = &renja__v1__##resp##__descriptor,                                              \
        .min_role = RJ_METHOD_ROLE_##role,                                                         \
        .write = RJ_METHOD_ACCESS_##access,                                                        \
        .server_streaming = RJ_METHOD_KIND_##kind,                                                 \
        .text = txt,                                                                               \
    },
#include "rj_methods.def"
#undef RJ_METHOD
};
