/* Diff, Compare, Evaluate and Validate: the query engines of store/ behind
 * the RPCs. */
#include "rj_service.h"

static int diff(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req, ProtobufCMessage **resp,
                rj_diag *d)
{
    return rj_diag_set(d, RJ_EUNIMPL, "Diff is not implemented yet");
}

static int compare(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                   ProtobufCMessage **resp, rj_diag *d)
{
    return rj_diag_set(d, RJ_EUNIMPL, "Compare is not implemented yet");
}

static int evaluate(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                    ProtobufCMessage **resp, rj_diag *d)
{
    return rj_diag_set(d, RJ_EUNIMPL, "Evaluate is not implemented yet");
}

static int validate(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                    ProtobufCMessage **resp, rj_diag *d)
{
    return rj_diag_set(d, RJ_EUNIMPL, "Validate is not implemented yet");
}

const rj_service rj_svc_diff = {.read = diff};
const rj_service rj_svc_compare = {.read = compare};
const rj_service rj_svc_evaluate = {.read = evaluate};
const rj_service rj_svc_validate = {.read = validate};
