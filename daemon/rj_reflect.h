/* gRPC server reflection (grpc.reflection.v1 and v1alpha) from the
 * serialized FileDescriptorSet of every .proto renjad serves, generated at
 * build time (protoc --descriptor_set_out --include_imports) and embedded.
 *
 * The index is built once and read only afterwards: any thread. */
#ifndef RJ_REFLECT_H
#define RJ_REFLECT_H

#include <stddef.h>

#include "grpc/reflection/v1/reflection.pb-c.h"
#include "rj_alloc.h"
#include "rj_error.h"
#include "rj_grpc.h"

typedef struct rj_reflect rj_reflect;

/* Index the embedded descriptors. The services listed are those of the
 * method table's paths, in its order; each must be declared in a file of
 * the set (RJ_EINVAL naming the one that is not). */
int rj_reflect_new(const rj_grpc_method *methods, size_t n_methods, rj_reflect **out, rj_diag *d);
/* The same over another FileDescriptorSet (tests); bytes must outlive r. */
int rj_reflect_new_from(const unsigned char *set, size_t set_len, const rj_grpc_method *methods,
                        size_t n_methods, rj_reflect **out, rj_diag *d);
void rj_reflect_free(rj_reflect *r);

/* The response to one request, framed (5-byte prefix) and appended to out.
 * A request the index cannot answer gets an error_response (NOT_FOUND,
 * INVALID_ARGUMENT) naming what was asked: the stream goes on. v1alpha is
 * the same on the wire: its callers convert. */
int rj_reflect_answer(const rj_reflect *r, const Grpc__Reflection__V1__ServerReflectionRequest *req,
                      rj_buf *out);

#endif
