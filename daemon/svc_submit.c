/* Submit: every change to a plan goes through here to the writer thread. */
#include "rj_alloc.h"
#include "rj_service.h"

#define RJ_SUBMIT_MAX_CHANGES 200000
#define RJ_SUBMIT_MAX_PAGU 1000000000000000LL

static int submit_prepare(rj_ctx *ctx, const ProtobufCMessage *req, rj_op *op, rj_diag *d)
{
    const Renja__V1__SubmitRequest *r = (const Renja__V1__SubmitRequest *)req;
    if (r->n_changes > RJ_SUBMIT_MAX_CHANGES)
        return rj_diag_set(d, RJ_ETOOBIG,
                           "a submit carries %zu changes; at most %d fit in one revision",
                           r->n_changes, RJ_SUBMIT_MAX_CHANGES);
    /* Reads add pagu up the tree in int64: two siblings of 2^63-1 were
     * accepted here, and from then on every Show, Export and Diff of the
     * plan failed with "number out of range". No pagu comes near Rp 1,000
     * triliun (the largest provincial APBD is under a tenth of it); with this
     * bound a subtree overflows only past 9,000 such items. */
    for (size_t i = 0; i < r->n_changes; i++) {
        const Renja__V1__Change *c = r->changes[i];
        const char *kode = NULL;
        int64_t v = 0;
        if (c->change_case == RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM && c->upsert_item)
            kode = c->upsert_item->kode, v = c->upsert_item->pagu;
        else if (c->change_case == RENJA__V1__CHANGE__CHANGE_UPSERT_LINE && c->upsert_line)
            kode = c->upsert_line->kode, v = c->upsert_line->pagu;
        else if (c->change_case == RENJA__V1__CHANGE__CHANGE_REALISASI && c->realisasi)
            kode = c->realisasi->kode, v = c->realisasi->anggaran;
        if (kode && (v > RJ_SUBMIT_MAX_PAGU || v < -RJ_SUBMIT_MAX_PAGU))
            return rj_diag_set(d, RJ_EINVAL,
                               "change %zu (%.40s): amount %lld is beyond the limit of "
                               "%lld rupiah (Rp 1.000 triliun)",
                               i + 1, kode, (long long)v, (long long)RJ_SUBMIT_MAX_PAGU);
    }
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
    r->revision = op->revision;
    op->revision = NULL;
    *resp = &r->base;
    return 0;
}

const rj_service rj_svc_submit = {.prepare = submit_prepare, .finish = submit_finish};
