/* Diff, Compare, Evaluate and Validate: the query engines of store/ behind
 * the RPCs. */
#include "rj_alloc.h"
#include "rj_query.h"
#include "rj_service.h"

static int diff(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req, ProtobufCMessage **resp,
                rj_diag *d)
{
    Renja__V1__DiffResponse *r = rj_malloc(sizeof(*r));
    renja__v1__diff_response__init(r);
    *resp = &r->base;
    return rj_query_diff_cached(ctx->qcache, snap, (const Renja__V1__DiffRequest *)req, r, d);
}

static int compare(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req, ProtobufCMessage **resp,
                   rj_diag *d)
{
    const Renja__V1__CompareRequest *q = (const Renja__V1__CompareRequest *)req;
    if (q->n_refs > RJ_COMPARE_MAX_REFS)
        return rj_diag_set(d, RJ_EINVAL, "compare of %zu refs; at most %d refs in one compare",
                           q->n_refs, RJ_COMPARE_MAX_REFS);
    Renja__V1__CompareResponse *r = rj_malloc(sizeof(*r));
    renja__v1__compare_response__init(r);
    *resp = &r->base;
    return rj_query_compare(snap, q, r, d);
}

static int evaluate(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                    ProtobufCMessage **resp, rj_diag *d)
{
    Renja__V1__EvaluateResponse *r = rj_malloc(sizeof(*r));
    renja__v1__evaluate_response__init(r);
    *resp = &r->base;
    return rj_query_evaluate(snap, (const Renja__V1__EvaluateRequest *)req, r, d);
}

static int validate(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                    ProtobufCMessage **resp, rj_diag *d)
{
    Renja__V1__ValidateResponse *r = rj_malloc(sizeof(*r));
    renja__v1__validate_response__init(r);
    *resp = &r->base;
    return rj_query_validate(snap, (const Renja__V1__ValidateRequest *)req, r, d);
}

const rj_service rj_svc_diff = {.read = diff};
const rj_service rj_svc_compare = {.read = compare};
const rj_service rj_svc_evaluate = {.read = evaluate};
const rj_service rj_svc_validate = {.read = validate};
