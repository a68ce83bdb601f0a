/* Diff, Compare, Evaluate and Validate: the query engines of store/ behind
 * the RPCs, each answer whole or in pages (renja.proto, "Paged answers").
 * A page is cut from the whole answer, computed again for each page at the
 * first page's pin, so the figures over the whole answer are exact and
 * every page is of the same revisions and stages. */
#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"
#include "rj_page.h"
#include "rj_query.h"
#include "rj_service.h"

/* Read at the request's pin; a page after the first needs one. */
static int pin_apply(rj_snap *snap, const char *plan, bool paged, uint64_t offset,
                     const Renja__V1__Pin *pin, rj_diag *d)
{
    if (pin)
        return rj_snap_pin(snap, plan, pin->head, pin->stages, pin->n_stages, d);
    if (paged && offset)
        return rj_diag_set(d, RJ_EINVAL,
                           "offset %llu without a pin: ask a page after the first with the first "
                           "page's pin (renja.proto, \"Paged answers\")",
                           (unsigned long long)offset);
    return 0;
}

/* The pin of an answer: where it was read. In the answer's arena when it
 * has one (a), else malloc'd. */
static int pin_fill(rj_snap *snap, const char *plan, rj_arena *a, Renja__V1__Pin **out, rj_diag *d)
{
    uint64_t head = 0;
    int rc = rj_snap_resolve(snap, plan, "head", &head, d);
    Renja__V1__Stage **st = NULL;
    size_t ns = 0;
    if (rc == 0)
        rc = rj_snap_stages(snap, plan, &st, &ns, d);
    if (rc)
        return rc;
    Renja__V1__Pin *p = a ? rj_arena_alloc(a, sizeof(*p)) : rj_malloc(sizeof(*p));
    renja__v1__pin__init(p);
    p->head = head;
    p->stages =
        a ? rj_arena_calloc(a, ns, sizeof(*p->stages)) : rj_calloc(ns ? ns : 1, sizeof(*p->stages));
    for (size_t i = 0; i < ns; i++) {
        const char *name = st[i]->name ? st[i]->name : "";
        p->stages[p->n_stages++] = a ? rj_arena_strdup(a, name) : rj_svc_strdup(name);
        protobuf_c_message_free_unpacked(&st[i]->base, NULL);
    }
    free(st);
    *out = p;
    return 0;
}

/* Cut the whole answer r down to its page at offset. */
static void page(rj_ctx *ctx, ProtobufCMessage *r, uint64_t offset, uint64_t *next_offset)
{
    *next_offset = rj_page_cut(r, offset, rj_svc_page_bytes(ctx), ctx->answer != NULL);
}

static int diff(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req, ProtobufCMessage **resp,
                rj_diag *d)
{
    const Renja__V1__DiffRequest *q = (const Renja__V1__DiffRequest *)req;
    Renja__V1__DiffResponse *r = rj_malloc(sizeof(*r));
    renja__v1__diff_response__init(r);
    *resp = &r->base;
    int rc = pin_apply(snap, q->plan, q->paged, q->offset, q->pin, d);
    if (rc == 0)
        rc = rj_query_diff(snap, q, r, d);
    if (rc == 0 && (!q->paged || !q->offset)) /* with the first page */
        rc = pin_fill(snap, q->plan, NULL, &r->pin, d);
    if (rc == 0 && q->paged) {
        page(ctx, &r->base, q->offset, &r->next_offset);
        if (q->offset && r->total) { /* the total comes with the first page */
            protobuf_c_message_free_unpacked(&r->total->base, NULL);
            r->total = NULL;
        }
    }
    return rc;
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
    int rc = pin_apply(snap, q->plan, q->paged, q->offset, q->pin, d);
    if (rc == 0)
        rc = rj_query_compare(snap, q, r, d);
    if (rc == 0 && (!q->paged || !q->offset)) /* with the first page */
        rc = pin_fill(snap, q->plan, NULL, &r->pin, d);
    if (rc == 0 && q->paged)
        page(ctx, &r->base, q->offset, &r->next_offset);
    return rc;
}

static int evaluate(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                    ProtobufCMessage **resp, rj_diag *d)
{
    const Renja__V1__EvaluateRequest *q = (const Renja__V1__EvaluateRequest *)req;
    /* a row per indikator with ten strings each: one arena, not a malloc
     * apiece (rj_service.h) */
    rj_arena *a = ctx->answer = rj_arena_new();
    Renja__V1__EvaluateResponse *r = rj_arena_alloc(a, sizeof(*r));
    renja__v1__evaluate_response__init(r);
    *resp = &r->base;
    int rc = pin_apply(snap, q->plan, q->paged, q->offset, q->pin, d);
    if (rc == 0)
        rc = rj_query_evaluate(snap, q, r, a, d);
    if (rc == 0 && (!q->paged || !q->offset)) /* with the first page */
        rc = pin_fill(snap, q->plan, a, &r->pin, d);
    if (rc == 0 && q->paged) {
        page(ctx, &r->base, q->offset, &r->next_offset);
        Renja__V1__EvalSummary *s = r->summary;
        if (q->offset && s) /* the counts come with the first page */
            s->sangat_tinggi = s->tinggi = s->sedang = s->rendah = s->sangat_rendah =
                s->not_reported = s->no_capaian = 0;
    }
    return rc;
}

static int validate(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req,
                    ProtobufCMessage **resp, rj_diag *d)
{
    const Renja__V1__ValidateRequest *q = (const Renja__V1__ValidateRequest *)req;
    Renja__V1__ValidateResponse *r = rj_malloc(sizeof(*r));
    renja__v1__validate_response__init(r);
    *resp = &r->base;
    int rc = pin_apply(snap, q->plan, q->paged, q->offset, q->pin, d);
    if (rc == 0)
        rc = rj_query_validate(snap, q, r, d);
    if (rc == 0 && (!q->paged || !q->offset)) /* with the first page */
        rc = pin_fill(snap, q->plan, NULL, &r->pin, d);
    for (size_t i = 0; rc == 0 && i < r->n_findings; i++) {
        r->errors += strcmp(r->findings[i]->severity, "error") == 0;
        r->warnings += strcmp(r->findings[i]->severity, "warning") == 0;
    }
    if (rc == 0 && q->paged) {
        page(ctx, &r->base, q->offset, &r->next_offset);
        if (q->offset) /* the counts come with the first page */
            r->errors = r->warnings = 0;
    }
    return rc;
}

const rj_service rj_svc_diff = {.read = diff};
const rj_service rj_svc_compare = {.read = compare};
const rj_service rj_svc_evaluate = {.read = evaluate};
const rj_service rj_svc_validate = {.read = validate};
