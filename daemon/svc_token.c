/* AddToken, ListTokens, RevokeToken: token management for admins. Adding and
 * revoking go through the writer thread like every other write. */
#include <string.h>

#include "rj_alloc.h"
#include "rj_service.h"

static int token_add_prepare(rj_ctx *ctx, const ProtobufCMessage *req, rj_op *op, rj_diag *d)
{
    const Renja__V1__AddTokenRequest *r = (const Renja__V1__AddTokenRequest *)req;
    Renja__V1__Identity *id = rj_malloc(sizeof(*id));
    renja__v1__identity__init(id);
    id->name = r->name;
    id->role = r->role;
    id->bidang = r->bidang;
    op->kind = RJ_OP_TOKEN_ADD;
    op->token = id; /* freed (the struct only) in token_finish or by the op's owner */
    return 0;
}

static int token_revoke_prepare(rj_ctx *ctx, const ProtobufCMessage *req, rj_op *op, rj_diag *d)
{
    const Renja__V1__RevokeTokenRequest *r = (const Renja__V1__RevokeTokenRequest *)req;
    Renja__V1__Identity *id = rj_malloc(sizeof(*id));
    renja__v1__identity__init(id);
    id->name = r->name;
    op->kind = RJ_OP_TOKEN_REVOKE;
    op->token = id;
    return 0;
}

static int token_finish(rj_ctx *ctx, rj_op *op, ProtobufCMessage **resp, rj_diag *d)
{
    Renja__V1__TokenResponse *r = rj_malloc(sizeof(*r));
    renja__v1__token_response__init(r);
    r->identity = op->token_id;
    op->token_id = NULL;
    r->token = rj_svc_strdup(op->kind == RJ_OP_TOKEN_ADD ? op->token_out : "");
    *resp = &r->base;
    return 0;
}

static int list_tokens(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                       ProtobufCMessage **resp, rj_diag *d)
{
    Renja__V1__ListTokensResponse *r = rj_malloc(sizeof(*r));
    renja__v1__list_tokens_response__init(r);
    *resp = &r->base;
    return rj_snap_tokens(snap, &r->tokens, &r->n_tokens, d);
}

const rj_service rj_svc_add_token = {.prepare = token_add_prepare, .finish = token_finish};
const rj_service rj_svc_list_tokens = {.read = list_tokens};
const rj_service rj_svc_revoke_token = {.prepare = token_revoke_prepare, .finish = token_finish};
