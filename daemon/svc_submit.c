/* Submit: every change to a plan goes through here to the writer thread. */
#include "rj_alloc.h"
#include "rj_service.h"

static int submit_prepare(rj_ctx *ctx, const ProtobufCMessage *req, rj_op *op, rj_diag *d)
{
    const Renja__V1__SubmitRequest *r = (const Renja__V1__SubmitRequest *)req;
    if (r->n_changes > RJ_SUBMIT_MAX_CHANGES)
        return rj_diag_set(d, RJ_ETOOBIG,
                           "a submit carries %zu changes; at most %d fit in one revision",
                           r->n_changes, RJ_SUBMIT_MAX_CHANGES);
    op->kind = RJ_OP_SUBMIT;
    op->plan = r->plan;
    op->has_base = r->has_base;
    op->base = r->base_rev;
    op->message = r->message;
    /* Borrowed: the request lives as long as the call. */
    op->changes = r->changes;
    op->n_changes = r->n_changes;
    return 0;
}

static int submit_finish(rj_ctx *ctx, rj_op *op, ProtobufCMessage **resp, rj_diag *d)
{
    Renja__V1__SubmitResponse *r = rj_malloc(sizeof(*r));
    renja__v1__submit_response__init(r);
    r->rev = op->rev;
    r->unchanged = op->unchanged;
    r->revision = op->revision;
    op->revision = NULL;
    *resp = &r->base;
    return 0;
}

const rj_service rj_svc_submit = {.prepare = submit_prepare, .finish = submit_finish};
