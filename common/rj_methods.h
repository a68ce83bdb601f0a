/* The renja methods as data, made from rj_methods.def (which says what each
 * column means). The daemon builds its dispatch table from the .def itself
 * (its rows need constant initializers); everything else asks here. */
#ifndef RJ_METHODS_H
#define RJ_METHODS_H

#include <stdbool.h>

#include <protobuf-c/protobuf-c.h>

#include "renja/v1/renja.pb-c.h"

#define RJ_SERVICE_NAME "renja.v1.Renja"
#define RJ_SERVICE_PREFIX "/" RJ_SERVICE_NAME "/"

/* The columns of rj_methods.def as values. */
#define RJ_METHOD_ROLE_VIEWER RENJA__V1__ROLE__ROLE_VIEWER
#define RJ_METHOD_ROLE_EDITOR RENJA__V1__ROLE__ROLE_EDITOR
#define RJ_METHOD_ROLE_PLANNER RENJA__V1__ROLE__ROLE_PLANNER
#define RJ_METHOD_ROLE_ADMIN RENJA__V1__ROLE__ROLE_ADMIN
#define RJ_METHOD_ACCESS_READ false
#define RJ_METHOD_ACCESS_WRITE true
#define RJ_METHOD_KIND_UNARY false
#define RJ_METHOD_KIND_STREAM true

typedef enum rj_method_id {
#define RJ_METHOD(name, svc, req, resp, role, access, kind, text) RJ_METHOD_##name,
#include "rj_methods.def"
#undef RJ_METHOD
    RJ_METHOD_COUNT
} rj_method_id;

typedef struct rj_method_info {
    const char *name; /* "Show" */
    const char *path; /* "/renja.v1.Renja/Show" */
    const ProtobufCMessageDescriptor *request;
    const ProtobufCMessageDescriptor *response;
    int min_role;          /* Renja__V1__Role */
    bool write;            /* goes to the writer thread */
    bool server_streaming; /* answers with a stream of responses */
    const char *text;      /* the request's free-text field, or NULL (rj_methods.def) */
} rj_method_info;

/* Indexed by rj_method_id. */
extern const rj_method_info rj_methods[RJ_METHOD_COUNT];

/* The path to call a method by, checked at compile time: RJ_METHOD_PATH(Show). */
#define RJ_METHOD_PATH(name) (rj_methods[RJ_METHOD_##name].path)

#endif
