/* ServerInfo, plans and stages. */
#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"
#include "rj_service.h"

/* A page of a paged answer holds about this much: 1 MiB, or half the
 * message limit when that is lower (--max-message). */
#define PAGE_MAX (1u << 20)
size_t rj_svc_page_bytes(const rj_ctx *ctx)
{
    return ctx->max_message && ctx->max_message / 2 < PAGE_MAX ? (size_t)(ctx->max_message / 2)
                                                               : PAGE_MAX;
}

void rj_svc_answer_free(rj_ctx *ctx, ProtobufCMessage *resp)
{
    if (ctx->answer)
        rj_arena_free(ctx->answer);
    else if (resp)
        protobuf_c_message_free_unpacked(resp, NULL);
    ctx->answer = NULL;
}

char *rj_svc_strdup(const char *s)
{
    return rj_strdup(s ? s : "");
}

ProtobufCMessage *rj_svc_msg_dup(const ProtobufCMessage *m)
{
    size_t len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = rj_malloc(len ? len : 1);
    protobuf_c_message_pack(m, buf);
    ProtobufCMessage *copy = protobuf_c_message_unpack(m->descriptor, NULL, len, buf);
    free(buf);
    if (!copy)
        abort(); /* we packed it ourselves: only out-of-memory gets here */
    return copy;
}

static Renja__V1__Identity *identity_copy(const Renja__V1__Identity *who)
{
    Renja__V1__Identity *id = rj_malloc(sizeof(*id));
    renja__v1__identity__init(id);
    id->name = rj_svc_strdup(who->name);
    id->role = who->role;
    id->bidang = rj_svc_strdup(who->bidang);
    return id;
}

static int server_info(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                       ProtobufCMessage **resp, rj_diag *d)
{
    Renja__V1__ServerInfoResponse *r = rj_malloc(sizeof(*r));
    renja__v1__server_info_response__init(r);
    r->version = rj_svc_strdup(RENJA_VERSION);
    r->uptime_seconds = (ctx->now_ms - ctx->started_ms) / 1000;
    r->started_unix_ms = ctx->started_ms;
    r->max_message_bytes = ctx->max_message;
    r->identity = identity_copy(ctx->who);
    *resp = &r->base;
    return 0;
}

static int plan_finish(rj_ctx *ctx, rj_op *op, ProtobufCMessage **resp, rj_diag *d)
{
    Renja__V1__PlanResponse *r = rj_malloc(sizeof(*r));
    renja__v1__plan_response__init(r);
    r->plan = op->plan_out; /* the response takes it over */
    op->plan_out = NULL;
    *resp = &r->base;
    return 0;
}

static int create_plan_prepare(rj_ctx *ctx, const ProtobufCMessage *req, rj_op *op, rj_diag *d)
{
    const Renja__V1__CreatePlanRequest *r = (const Renja__V1__CreatePlanRequest *)req;
    op->kind = RJ_OP_CREATE_PLAN;
    op->plan = r->plan;
    op->nama = r->nama;
    return 0;
}

static int lock_prepare(rj_ctx *ctx, const ProtobufCMessage *req, rj_op *op, rj_diag *d)
{
    const Renja__V1__LockPlanRequest *r = (const Renja__V1__LockPlanRequest *)req;
    op->kind = RJ_OP_LOCK_PLAN;
    op->plan = r->plan;
    op->reason = r->reason;
    return 0;
}

static int unlock_prepare(rj_ctx *ctx, const ProtobufCMessage *req, rj_op *op, rj_diag *d)
{
    const Renja__V1__UnlockPlanRequest *r = (const Renja__V1__UnlockPlanRequest *)req;
    op->kind = RJ_OP_UNLOCK_PLAN;
    op->plan = r->plan;
    return 0;
}

static int list_plans(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                      ProtobufCMessage **resp, rj_diag *d)
{
    Renja__V1__ListPlansResponse *r = rj_malloc(sizeof(*r));
    renja__v1__list_plans_response__init(r);
    *resp = &r->base;
    return rj_snap_plans(snap, &r->plans, &r->n_plans, d);
}

static int set_stage_prepare(rj_ctx *ctx, const ProtobufCMessage *req, rj_op *op, rj_diag *d)
{
    const Renja__V1__SetStageRequest *r = (const Renja__V1__SetStageRequest *)req;
    if (!r->stage)
        return rj_diag_set(d, RJ_EINVAL, "SetStage needs a stage (name, rev, title, basis, date)");
    op->kind = RJ_OP_SET_STAGE;
    op->plan = r->plan;
    op->stage = r->stage;
    return 0;
}

static int set_stage_finish(rj_ctx *ctx, rj_op *op, ProtobufCMessage **resp, rj_diag *d)
{
    Renja__V1__SetStageResponse *r = rj_malloc(sizeof(*r));
    renja__v1__set_stage_response__init(r);
    r->stage = op->stage_out;
    op->stage_out = NULL;
    *resp = &r->base;
    return 0;
}

static int list_stages(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                       ProtobufCMessage **resp, rj_diag *d)
{
    const Renja__V1__ListStagesRequest *q = (const Renja__V1__ListStagesRequest *)req;
    Renja__V1__Plan *plan = NULL;
    int rc = rj_snap_plan(snap, q->plan, &plan, d);
    if (rc)
        return rc;
    protobuf_c_message_free_unpacked(&plan->base, NULL);
    Renja__V1__ListStagesResponse *r = rj_malloc(sizeof(*r));
    renja__v1__list_stages_response__init(r);
    *resp = &r->base;
    return rj_snap_stages(snap, q->plan, &r->stages, &r->n_stages, d);
}

const rj_service rj_svc_server_info = {.read = server_info};
const rj_service rj_svc_create_plan = {.prepare = create_plan_prepare, .finish = plan_finish};
const rj_service rj_svc_list_plans = {.read = list_plans};
const rj_service rj_svc_lock_plan = {.prepare = lock_prepare, .finish = plan_finish};
const rj_service rj_svc_unlock_plan = {.prepare = unlock_prepare, .finish = plan_finish};
const rj_service rj_svc_set_stage = {.prepare = set_stage_prepare, .finish = set_stage_finish};
const rj_service rj_svc_list_stages = {.read = list_stages};
