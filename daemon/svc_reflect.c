/* Server reflection: the index of the embedded FileDescriptorSet and the
 * answer to each request (see rj_reflect.h).
 *
 * descriptor.proto is not compiled in: the few fields the index needs are
 * read straight off the wire (google/protobuf/descriptor.proto numbers):
 *   FileDescriptorSet      1 file
 *   FileDescriptorProto    1 name, 2 package, 3 dependency, 4 message_type,
 *                          5 enum_type, 6 service
 *   DescriptorProto        1 name, 2 field, 3 nested_type, 4 enum_type,
 *                          8 oneof_decl
 *   EnumDescriptorProto    1 name, 2 value
 *   ServiceDescriptorProto 1 name, 2 method
 *   Field, EnumValue, Oneof, MethodDescriptorProto: 1 name
 * The files themselves are answered as the bytes protoc wrote. */
#include "rj_reflect.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char rj_descriptor_set[];
extern const size_t rj_descriptor_set_len;

enum { SYM_MESSAGE, SYM_ENUM, SYM_SERVICE, SYM_OTHER };

typedef struct span {
    const uint8_t *p;
    size_t n;
} span;

typedef struct file {
    span bytes; /* the serialized FileDescriptorProto */
    char *name;
    char *package;
    char **dep_names;
    size_t n_deps;
    size_t *deps; /* indexes into files */
} file;

typedef struct symbol {
    char *name;
    size_t file;
    int kind;
} symbol;

struct rj_reflect {
    file *files;
    size_t n_files;
    symbol *syms;
    size_t n_syms, cap_syms;
    char **services;
    size_t n_services;
};

/* --- wire reading ------------------------------------------------------------ */

static bool get_varint(span *s, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && s->n > 0; shift += 7) {
        uint8_t b = *s->p++;
        s->n--;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* The next field: 1 with its number and, for length-delimited ones, its
 * bytes (others skipped, val empty); 0 at the end; -1 when malformed. */
static int next_field(span *s, uint32_t *num, int *wt, span *val)
{
    if (s->n == 0)
        return 0;
    uint64_t tag, v;
    if (!get_varint(s, &tag) || (tag >> 3) == 0 || (tag >> 3) > UINT32_MAX)
        return -1;
    *num = (uint32_t)(tag >> 3);
    *wt = (int)(tag & 7);
    val->p = NULL;
    val->n = 0;
    switch (*wt) {
    case 0:
        return get_varint(s, &v) ? 1 : -1;
    case 1:
    case 5: {
        size_t k = *wt == 1 ? 8 : 4;
        if (s->n < k)
            return -1;
        s->p += k;
        s->n -= k;
        return 1;
    }
    case 2:
        if (!get_varint(s, &v) || v > s->n)
            return -1;
        val->p = s->p;
        val->n = (size_t)v;
        s->p += v;
        s->n -= (size_t)v;
        return 1;
    default:
        return -1;
    }
}

static char *span_str(span v)
{
    return rj_strndup((const char *)v.p, v.n);
}

/* The string field 1 (name) of a descriptor message; NULL if it has none. */
static int name_of(span m, char **out)
{
    uint32_t num;
    int wt, rc;
    span v;
    *out = NULL;
    while ((rc = next_field(&m, &num, &wt, &v)) == 1)
        if (num == 1 && wt == 2) {
            free(*out);
            *out = span_str(v);
        }
    if (rc < 0 || !*out) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* --- the index ------------------------------------------------------------------ */

static void add_sym(rj_reflect *r, const char *scope, const char *name, size_t f, int kind)
{
    RJ_GROW(r->syms, r->n_syms + 1, r->cap_syms, 256);
    rj_buf b = {0};
    if (scope[0])
        rj_buf_printf(&b, "%s.%s", scope, name);
    else
        rj_buf_puts(&b, name);
    rj_buf_append(&b, "", 1);
    r->syms[r->n_syms].name = b.data;
    r->syms[r->n_syms].file = f;
    r->syms[r->n_syms].kind = kind;
    r->n_syms++;
}

/* Each child of m that is a descriptor with a name, by field number: its
 * name is added under scope. */
static int add_children(rj_reflect *r, span m, uint32_t which, const char *scope, size_t f,
                        int kind)
{
    uint32_t num;
    int wt, rc;
    span v;
    while ((rc = next_field(&m, &num, &wt, &v)) == 1) {
        if (num != which || wt != 2)
            continue;
        char *name;
        if (name_of(v, &name) != 0)
            return -1;
        add_sym(r, scope, name, f, kind);
        free(name);
    }
    return rc;
}

/* An enum and its values; the values are scoped beside the enum, as in
 * protobuf (renja.v1.ROLE_VIEWER, not renja.v1.Role.ROLE_VIEWER). */
static int add_enum(rj_reflect *r, span e, const char *scope, size_t f)
{
    char *name;
    if (name_of(e, &name) != 0)
        return -1;
    add_sym(r, scope, name, f, SYM_ENUM);
    free(name);
    return add_children(r, e, 2, scope, f, SYM_OTHER);
}

static int add_message(rj_reflect *r, span m, const char *scope, size_t f, int depth)
{
    char *name;
    if (depth > 32 || name_of(m, &name) != 0)
        return -1;
    add_sym(r, scope, name, f, SYM_MESSAGE);
    free(name);
    char *full = rj_strdup(r->syms[r->n_syms - 1].name);
    int rc = add_children(r, m, 2, full, f, SYM_OTHER); /* fields */
    if (rc == 0)
        rc = add_children(r, m, 8, full, f, SYM_OTHER); /* oneofs */
    uint32_t num;
    int wt, k;
    span v, it = m;
    while (rc == 0 && (k = next_field(&it, &num, &wt, &v)) == 1) {
        if (num == 3 && wt == 2)
            rc = add_message(r, v, full, f, depth + 1);
        else if (num == 4 && wt == 2)
            rc = add_enum(r, v, full, f);
    }
    free(full);
    return rc;
}

static int add_service(rj_reflect *r, span s, const char *scope, size_t f)
{
    char *name;
    if (name_of(s, &name) != 0)
        return -1;
    add_sym(r, scope, name, f, SYM_SERVICE);
    free(name);
    char *full = rj_strdup(r->syms[r->n_syms - 1].name);
    int rc = add_children(r, s, 2, full, f, SYM_OTHER); /* methods */
    free(full);
    return rc;
}

static int index_file(rj_reflect *r, size_t f)
{
    file *fd = &r->files[f];
    uint32_t num;
    int wt, rc;
    span v, m = fd->bytes;
    while ((rc = next_field(&m, &num, &wt, &v)) == 1) {
        if (wt != 2)
            continue;
        if (num == 1 && !fd->name)
            fd->name = span_str(v);
        else if (num == 2 && !fd->package)
            fd->package = span_str(v);
        else if (num == 3) {
            fd->dep_names = rj_realloc(fd->dep_names, (fd->n_deps + 1) * sizeof(char *));
            fd->dep_names[fd->n_deps++] = span_str(v);
        }
    }
    if (rc < 0 || !fd->name)
        return -1;
    const char *pkg = fd->package ? fd->package : "";
    m = fd->bytes;
    while (rc == 0 && (rc = next_field(&m, &num, &wt, &v)) == 1) {
        rc = 0;
        if (wt != 2)
            continue;
        if (num == 4)
            rc = add_message(r, v, pkg, f, 0);
        else if (num == 5)
            rc = add_enum(r, v, pkg, f);
        else if (num == 6)
            rc = add_service(r, v, pkg, f);
    }
    return rc < 0 ? -1 : 0;
}

static int sym_cmp(const void *a, const void *b)
{
    return strcmp(((const symbol *)a)->name, ((const symbol *)b)->name);
}

static const symbol *find_sym(const rj_reflect *r, const char *name)
{
    symbol key = {(char *)name, 0, 0};
    if (!r->n_syms)
        return NULL;
    return bsearch(&key, r->syms, r->n_syms, sizeof(*r->syms), sym_cmp);
}

static const file *find_file(const rj_reflect *r, const char *name, size_t *index)
{
    for (size_t i = 0; i < r->n_files; i++)
        if (strcmp(r->files[i].name, name) == 0) {
            if (index)
                *index = i;
            return &r->files[i];
        }
    return NULL;
}

void rj_reflect_free(rj_reflect *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_files; i++) {
        file *f = &r->files[i];
        free(f->name);
        free(f->package);
        for (size_t k = 0; k < f->n_deps; k++)
            free(f->dep_names[k]);
        free(f->dep_names);
        free(f->deps);
    }
    free(r->files);
    for (size_t i = 0; i < r->n_syms; i++)
        free(r->syms[i].name);
    free(r->syms);
    for (size_t i = 0; i < r->n_services; i++)
        free(r->services[i]);
    free(r->services);
    free(r);
}

int rj_reflect_new_from(const unsigned char *set, size_t set_len, const rj_grpc_method *methods,
                        size_t n_methods, rj_reflect **out, rj_diag *d)
{
    rj_reflect *r = rj_calloc(1, sizeof(*r));
    span s = {set, set_len}, v;
    uint32_t num;
    int wt, rc;
    while ((rc = next_field(&s, &num, &wt, &v)) == 1) {
        if (num != 1 || wt != 2)
            continue;
        r->files = rj_realloc(r->files, (r->n_files + 1) * sizeof(*r->files));
        memset(&r->files[r->n_files], 0, sizeof(*r->files));
        r->files[r->n_files++].bytes = v;
    }
    for (size_t i = 0; rc == 0 && i < r->n_files; i++)
        if (index_file(r, i) != 0)
            rc = -1;
    if (rc < 0) {
        rj_reflect_free(r);
        return rj_diag_set(d, RJ_EINVAL, "the embedded FileDescriptorSet is malformed");
    }
    for (size_t i = 0; i < r->n_files; i++) {
        file *f = &r->files[i];
        f->deps = rj_calloc(f->n_deps ? f->n_deps : 1, sizeof(size_t));
        for (size_t k = 0; k < f->n_deps; k++)
            if (!find_file(r, f->dep_names[k], &f->deps[k])) {
                rc = rj_diag_set(d, RJ_EINVAL,
                                 "descriptor %s imports %s, which the set does not hold (protoc "
                                 "--include_imports)",
                                 f->name, f->dep_names[k]);
                rj_reflect_free(r);
                return rc;
            }
    }
    if (r->n_syms)
        qsort(r->syms, r->n_syms, sizeof(*r->syms), sym_cmp);
    /* The services: "/pkg.Service/Method" of the table, each once. */
    for (size_t i = 0; i < n_methods; i++) {
        const char *p = methods[i].path;
        const char *slash = p[0] == '/' ? strchr(p + 1, '/') : NULL;
        if (!slash)
            continue;
        char *svc = rj_strndup(p + 1, (size_t)(slash - p - 1));
        bool seen = false;
        for (size_t k = 0; k < r->n_services && !seen; k++)
            seen = strcmp(r->services[k], svc) == 0;
        const symbol *sym = find_sym(r, svc);
        if (!seen && (!sym || sym->kind != SYM_SERVICE)) {
            rc = rj_diag_set(d, RJ_EINVAL, "service %s of the method table is in no .proto", svc);
            free(svc);
            rj_reflect_free(r);
            return rc;
        }
        if (seen) {
            free(svc);
            continue;
        }
        r->services = rj_realloc(r->services, (r->n_services + 1) * sizeof(char *));
        r->services[r->n_services++] = svc;
    }
    *out = r;
    return 0;
}

int rj_reflect_new(const rj_grpc_method *methods, size_t n_methods, rj_reflect **out, rj_diag *d)
{
    return rj_reflect_new_from(rj_descriptor_set, rj_descriptor_set_len, methods, n_methods, out,
                               d);
}

/* --- answers ---------------------------------------------------------------------- */

typedef Grpc__Reflection__V1__ServerReflectionRequest Req;
typedef Grpc__Reflection__V1__ServerReflectionResponse Resp;

/* f and every file it imports, directly or not, f first, each once. */
static void closure(const rj_reflect *r, size_t f, bool *seen, ProtobufCBinaryData *out, size_t *n)
{
    if (seen[f])
        return;
    seen[f] = true;
    out[*n].data = (uint8_t *)r->files[f].bytes.p;
    out[*n].len = r->files[f].bytes.n;
    (*n)++;
    for (size_t k = 0; k < r->files[f].n_deps; k++)
        closure(r, r->files[f].deps[k], seen, out, n);
}

static const char *strip_dot(const char *s)
{
    return s[0] == '.' ? s + 1 : s;
}

int rj_reflect_answer(const rj_reflect *r, const Req *req, rj_buf *out)
{
    Resp resp = GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__INIT;
    Grpc__Reflection__V1__FileDescriptorResponse files =
        GRPC__REFLECTION__V1__FILE_DESCRIPTOR_RESPONSE__INIT;
    Grpc__Reflection__V1__ListServiceResponse list =
        GRPC__REFLECTION__V1__LIST_SERVICE_RESPONSE__INIT;
    Grpc__Reflection__V1__ExtensionNumberResponse ext =
        GRPC__REFLECTION__V1__EXTENSION_NUMBER_RESPONSE__INIT;
    Grpc__Reflection__V1__ErrorResponse err = GRPC__REFLECTION__V1__ERROR_RESPONSE__INIT;
    resp.valid_host = req->host;
    resp.original_request = (Req *)req;
    char msg[512];
    bool *seen = rj_calloc(r->n_files, sizeof(bool));
    ProtobufCBinaryData *blobs = rj_calloc(r->n_files, sizeof(*blobs));
    Grpc__Reflection__V1__ServiceResponse *svcs = rj_calloc(r->n_services + 1, sizeof(*svcs));
    Grpc__Reflection__V1__ServiceResponse **svcp = rj_calloc(r->n_services + 1, sizeof(*svcp));
    int found = -1; /* the file to answer with */
    msg[0] = '\0';
    switch (req->message_request_case) {
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES:
        for (size_t i = 0; i < r->n_services; i++) {
            grpc__reflection__v1__service_response__init(&svcs[i]);
            svcs[i].name = r->services[i];
            svcp[i] = &svcs[i];
        }
        list.n_service = r->n_services;
        list.service = svcp;
        resp.message_response_case =
            GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE;
        resp.list_services_response = &list;
        break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME: {
        size_t i;
        if (find_file(r, req->file_by_filename, &i)) {
            found = (int)i;
            break;
        }
        rj_buf names = {0};
        for (size_t k = 0; k < r->n_files; k++)
            rj_buf_printf(&names, "%s%s", k ? ", " : "", r->files[k].name);
        rj_buf_append(&names, "", 1);
        err.error_code = RJ_GRPC_NOT_FOUND;
        snprintf(msg, sizeof(msg), "file %.200s not found; renjad serves %.250s",
                 req->file_by_filename, names.data);
        rj_buf_free(&names);
        break;
    }
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL: {
        const symbol *sym = find_sym(r, strip_dot(req->file_containing_symbol));
        if (sym) {
            found = (int)sym->file;
            break;
        }
        err.error_code = RJ_GRPC_NOT_FOUND;
        snprintf(msg, sizeof(msg),
                 "symbol %.200s not found; expected a fully-qualified name such as "
                 "renja.v1.Renja, renja.v1.Renja.Show or renja.v1.ShowRequest",
                 req->file_containing_symbol);
        break;
    }
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_EXTENSION: {
        const Grpc__Reflection__V1__ExtensionRequest *x = req->file_containing_extension;
        const char *type = x && x->containing_type ? strip_dot(x->containing_type) : "";
        const symbol *sym = find_sym(r, type);
        err.error_code = RJ_GRPC_NOT_FOUND;
        if (sym && sym->kind == SYM_MESSAGE)
            snprintf(msg, sizeof(msg),
                     "%.200s has no extension %d: renjad's protocol defines no extensions", type,
                     x ? (int)x->extension_number : 0);
        else
            snprintf(msg, sizeof(msg), "message type %.200s not found", type);
        break;
    }
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_ALL_EXTENSION_NUMBERS_OF_TYPE: {
        const char *type = strip_dot(req->all_extension_numbers_of_type);
        const symbol *sym = find_sym(r, type);
        if (sym && sym->kind == SYM_MESSAGE) {
            /* A known message: it has none (no extensions anywhere). */
            ext.base_type_name = sym->name;
            resp.message_response_case =
                GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ALL_EXTENSION_NUMBERS_RESPONSE;
            resp.all_extension_numbers_response = &ext;
            break;
        }
        err.error_code = RJ_GRPC_NOT_FOUND;
        snprintf(msg, sizeof(msg), "message type %.200s not found", type);
        break;
    }
    default:
        err.error_code = RJ_GRPC_INVALID_ARGUMENT;
        snprintf(msg, sizeof(msg),
                 "the request sets none of file_by_filename, file_containing_symbol, "
                 "file_containing_extension, all_extension_numbers_of_type, list_services");
        break;
    }
    if (found >= 0) {
        closure(r, (size_t)found, seen, blobs, &files.n_file_descriptor_proto);
        files.file_descriptor_proto = blobs;
        resp.message_response_case =
            GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE;
        resp.file_descriptor_response = &files;
    } else if (err.error_code) {
        err.error_message = msg;
        resp.message_response_case =
            GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE;
        resp.error_response = &err;
    }
    int rc = rj_grpc_frame_message(&resp.base, out);
    free(seen);
    free(blobs);
    free(svcs);
    free(svcp);
    return rc;
}
