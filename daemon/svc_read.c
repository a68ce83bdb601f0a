/* Show, Log, Export and Watch: reads of one point or of the history. */
#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"
#include "rj_kode.h"
#include "rj_query.h"
#include "rj_service.h"

#define page_bytes rj_svc_page_bytes

static void free_tail(void **v, size_t from, size_t n)
{
    for (size_t i = from; i < n; i++)
        protobuf_c_message_free_unpacked(v[i], NULL);
}

/* Keep of one array the elements at positions [*skip, ...) of the combined
 * sequence, while *budget allows (the first one kept always fits). *skip and
 * *budget are used up as the array is walked; *next is set to the offset
 * of the first element not kept. */
static void page_keep(void **v, size_t *n, uint64_t *pos, uint64_t offset, size_t page,
                      size_t *budget, uint64_t *next)
{
    size_t out = 0, i = 0;
    for (; i < *n; i++, (*pos)++) {
        if (*pos < offset || *next) {
            protobuf_c_message_free_unpacked(v[i], NULL);
            continue;
        }
        size_t sz = protobuf_c_message_get_packed_size(v[i]) + 8;
        if (sz > *budget && *budget < page) {
            *next = *pos;
            protobuf_c_message_free_unpacked(v[i], NULL);
            continue;
        }
        *budget = sz > *budget ? 0 : *budget - sz;
        v[out++] = v[i];
    }
    *n = out;
}

/* Cut a whole answer (items, lines, realisasi) down to the page starting at
 * offset; returns the next page's offset, 0 when this page is the last. */
static uint64_t page_cut(size_t page, Renja__V1__Item **items, size_t *n_items,
                         Renja__V1__BudgetLine **lines, size_t *n_lines,
                         Renja__V1__Realisasi **reals, size_t *n_reals, uint64_t offset)
{
    uint64_t pos = 0, next = 0;
    size_t budget = page;
    page_keep((void **)items, n_items, &pos, offset, page, &budget, &next);
    page_keep((void **)lines, n_lines, &pos, offset, page, &budget, &next);
    page_keep((void **)reals, n_reals, &pos, offset, page, &budget, &next);
    return next;
}

static int plan_exists(rj_snap *snap, const char *plan, Renja__V1__Plan **out, rj_diag *d)
{
    Renja__V1__Plan *p = NULL;
    int rc = rj_snap_plan(snap, plan, &p, d);
    if (rc == 0) {
        if (out)
            *out = p;
        else
            protobuf_c_message_free_unpacked(&p->base, NULL);
    }
    return rc;
}

static int show(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req, ProtobufCMessage **resp,
                rj_diag *d)
{
    const Renja__V1__ShowRequest *q = (const Renja__V1__ShowRequest *)req;
    uint64_t rev = 0;
    int rc = rj_snap_resolve(snap, q->plan, q->at, &rev, d); /* also: no such plan */
    if (rc)
        return rc;
    Renja__V1__ShowResponse *r = rj_malloc(sizeof(*r));
    renja__v1__show_response__init(r);
    *resp = &r->base;
    r->plan = rj_svc_strdup(q->plan);
    r->rev = rev;
    /* Roll-ups need the whole subtree below each item shown, which the
     * prefix read gives: an item's descendants share its prefix. */
    rc = rj_snap_items(snap, q->plan, q->kode, rev, &r->items, &r->n_items, d);
    if (rc == 0)
        rc = rj_snap_lines(snap, q->plan, q->kode, rev, &r->lines, &r->n_lines, d);
    if (rc == 0 && q->with_realisasi)
        rc = rj_snap_reals(snap, q->plan, q->kode, rev, &r->realisasi, &r->n_realisasi, d);
    /* tujuan and sasaran sit above the program tree: whole plan only, and
     * with the first page */
    if (rc == 0 && !q->kode[0] && (!q->paged || q->offset == 0))
        rc = rj_snap_goals(snap, q->plan, "", rev, &r->goals, &r->n_goals, d);
    if (rc == 0 && q->kode[0] && r->n_items == 0 && r->n_lines == 0)
        rc = rj_diag_set(d, RJ_ENOTFOUND, "no item or budget line %s in plan %s at revision %llu",
                         q->kode, q->plan, (unsigned long long)rev);
    if (rc == 0) {
        rc = rj_tree_rollup_items(r->items, r->n_items);
        if (rc == 0)
            rc = rj_tree_rollup_lines(r->lines, r->n_lines);
    }
    /* Roll-ups need the whole subtree, so a page is cut from the whole. */
    if (rc == 0 && q->paged)
        r->next_offset = page_cut(page_bytes(ctx), r->items, &r->n_items, r->lines, &r->n_lines,
                                  r->realisasi, &r->n_realisasi, q->offset);
    return rc;
}

enum { H_ITEM, H_LINE, H_GOAL };

static int goal_at(rj_snap *snap, const char *plan, const char *kode, uint64_t rev,
                   Renja__V1__Goal **out)
{
    Renja__V1__Goal **g = NULL;
    size_t n = 0;
    *out = NULL;
    if (rj_snap_goals(snap, plan, kode, rev, &g, &n, NULL) == 0)
        for (size_t i = 0; i < n; i++)
            if (!*out && strcmp(g[i]->kode, kode) == 0) {
                *out = g[i];
                g[i] = NULL;
            }
    for (size_t i = 0; i < n; i++)
        if (g[i])
            protobuf_c_message_free_unpacked(&g[i]->base, NULL);
    free(g);
    return *out ? 0 : RJ_ENOTFOUND;
}

/* The history of one item, line or goal: its value before and after each
 * revision that touched it. */
static int history(rj_snap *snap, const char *plan, const char *kode, int kind,
                   Renja__V1__LogResponse *r, rj_diag *d)
{
    bool is_item = kind == H_ITEM;
    r->history = rj_calloc(r->n_revisions ? r->n_revisions : 1, sizeof(*r->history));
    char *key = rj_asprintf("%s/%s",
                            kind == H_ITEM   ? "item"
                            : kind == H_LINE ? "line"
                                             : "goal",
                            kode);
    for (size_t i = 0; i < r->n_revisions; i++) {
        const Renja__V1__Revision *rv = r->revisions[i];
        bool touched = false;
        for (size_t k = 0; k < rv->n_keys; k++)
            touched |= strcmp(rv->keys[k], key) == 0;
        if (!touched)
            continue;
        Renja__V1__ItemChange *c = rj_malloc(sizeof(*c));
        renja__v1__item_change__init(c);
        c->key = rj_svc_strdup(key);
        c->revision = (Renja__V1__Revision *)rj_svc_msg_dup(&rv->base);
        if (is_item) {
            c->has_before =
                rv->rev > 0 && rj_snap_item(snap, plan, kode, rv->rev - 1, &c->before, NULL) == 0;
            c->has_after = rj_snap_item(snap, plan, kode, rv->rev, &c->after, NULL) == 0;
        } else if (kind == H_GOAL) {
            c->has_before =
                rv->rev > 0 && goal_at(snap, plan, kode, rv->rev - 1, &c->goal_before) == 0;
            c->has_after = goal_at(snap, plan, kode, rv->rev, &c->goal_after) == 0;
        } else {
            c->has_before = rv->rev > 0 &&
                            rj_snap_line(snap, plan, kode, rv->rev - 1, &c->line_before, NULL) == 0;
            c->has_after = rj_snap_line(snap, plan, kode, rv->rev, &c->line_after, NULL) == 0;
        }
        r->history[r->n_history++] = c;
    }
    free(key);
    return 0;
}

static int log_(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req, ProtobufCMessage **resp,
                rj_diag *d)
{
    const Renja__V1__LogRequest *q = (const Renja__V1__LogRequest *)req;
    int rc = plan_exists(snap, q->plan, NULL, d);
    if (rc)
        return rc;
    Renja__V1__LogResponse *r = rj_malloc(sizeof(*r));
    renja__v1__log_response__init(r);
    *resp = &r->base;
    r->plan = rj_svc_strdup(q->plan);
    if (q->events) {
        if (q->kode[0])
            return rj_diag_set(d, RJ_EINVAL, "plan events belong to the plan, not to kode %s",
                               q->kode);
        return rj_snap_events(snap, q->plan, q->limit, &r->events, &r->n_events, d);
    }
    /* A paged answer takes revisions up to a page's worth of stored bytes;
     * with a kode each also comes back in its history entry, beside the
     * item's value before and after. */
    size_t budget = q->paged ? (q->kode[0] ? page_bytes(ctx) / 4 : page_bytes(ctx)) : 0;
    bool more = false;
    if (!q->kode[0])
        rc = rj_snap_log_page(snap, q->plan, NULL, false, q->limit, q->before, budget,
                              &r->revisions, &r->n_revisions, &more, d);
    else {
        bool is_item = rj_kode_level(q->kode) != RJ_LEVEL_NONE;
        bool is_goal = rj_goal_kind_of(q->kode) != RJ_GOAL_NONE;
        if (!is_item && !is_goal && rj_rekening_depth(q->kode) == 0)
            return rj_diag_set(d, RJ_EINVAL,
                               "kode \"%s\" is not canonical: expected e.g. 2.17.01.1.01.0001, "
                               "5.1.01 or T1.S2",
                               q->kode);
        char *key = rj_asprintf("%s/%s", is_item ? "item" : is_goal ? "goal" : "line", q->kode);
        /* Like show: a kode the plan never had is not found (one it had and
         * removed still has its history). */
        bool known = false;
        rc = rj_snap_key_known(snap, q->plan, key, &known, d);
        if (rc == 0 && !known)
            rc = rj_diag_set(d, RJ_ENOTFOUND, "no %s %s in plan %s at any revision",
                             is_item   ? "item"
                             : is_goal ? "tujuan or sasaran"
                                       : "budget line",
                             q->kode, q->plan);
        if (rc == 0)
            rc = rj_snap_log_page(snap, q->plan, key, is_item, q->limit, q->before, budget,
                                  &r->revisions, &r->n_revisions, &more, d);
        free(key);
        if (rc == 0)
            rc = history(snap, q->plan, q->kode,
                         is_item   ? H_ITEM
                         : is_goal ? H_GOAL
                                   : H_LINE,
                         r, d);
    }
    if (rc == 0 && more && r->n_revisions)
        r->next_before = r->revisions[r->n_revisions - 1]->rev;
    return rc;
}

static int export_(rj_ctx *ctx, rj_snap *snap, const ProtobufCMessage *req, ProtobufCMessage **resp,
                   rj_diag *d)
{
    const Renja__V1__ExportRequest *q = (const Renja__V1__ExportRequest *)req;
    Renja__V1__ExportResponse *r = rj_malloc(sizeof(*r));
    renja__v1__export_response__init(r);
    *resp = &r->base;
    uint64_t rev = 0;
    int rc = plan_exists(snap, q->plan, &r->plan, d);
    if (rc == 0)
        rc = rj_snap_resolve(snap, q->plan, q->at, &rev, d);
    r->rev = rev;
    if (rc == 0)
        rc = rj_snap_items(snap, q->plan, "", rev, &r->items, &r->n_items, d);
    if (rc == 0)
        rc = rj_snap_lines(snap, q->plan, "", rev, &r->lines, &r->n_lines, d);
    if (rc == 0)
        rc = rj_snap_reals(snap, q->plan, "", rev, &r->realisasi, &r->n_realisasi, d);
    if (rc == 0)
        rc = rj_snap_stages(snap, q->plan, &r->stages, &r->n_stages, d);
    /* tujuan and sasaran come with the first page, as the stages */
    if (rc == 0 && (!q->paged || q->offset == 0))
        rc = rj_snap_goals(snap, q->plan, "", rev, &r->goals, &r->n_goals, d);
    if (rc == 0) {
        rc = rj_tree_rollup_items(r->items, r->n_items);
        if (rc == 0)
            rc = rj_tree_rollup_lines(r->lines, r->n_lines);
    }
    if (rc == 0 && q->paged) {
        r->next_offset = page_cut(page_bytes(ctx), r->items, &r->n_items, r->lines, &r->n_lines,
                                  r->realisasi, &r->n_realisasi, q->offset);
        if (q->offset) { /* stages come with the first page only */
            free_tail((void **)r->stages, 0, r->n_stages);
            free(r->stages);
            r->stages = NULL;
            r->n_stages = 0;
        }
    }
    return rc;
}

const rj_service rj_svc_show = {.read = show, .light = true};
const rj_service rj_svc_log = {.read = log_};
const rj_service rj_svc_export = {.read = export_};
