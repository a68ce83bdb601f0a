#include "rj_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rj_compare.h"
#include "rj_diff.h"
#include "rj_eval.h"
#include "rj_kode.h"
#include "rj_qutil.h"
#include "rj_tree.h"
#include "rj_shift.h"
#include "rj_validate.h"

void rj_query_clear(ProtobufCMessage *m)
{
    /* free_unpacked frees the message itself too: hand it a heap copy. */
    size_t sz = m->descriptor->sizeof_message;
    ProtobufCMessage *copy = rj_malloc(sz);
    memcpy(copy, m, sz);
    protobuf_c_message_free_unpacked(copy, NULL);
    m->descriptor->message_init(m);
}

static const char *ref_or_head(const char *ref)
{
    return ref && *ref ? ref : "head";
}

/* --- diff -------------------------------------------------------------- */

static const char *item_kode(const void *arr, size_t i)
{
    return ((Renja__V1__Item *const *)arr)[i]->kode;
}

static const char *line_kode(const void *arr, size_t i)
{
    return ((Renja__V1__BudgetLine *const *)arr)[i]->kode;
}

/* The from side of one kind, derived from the to side: to's entries whose
 * key did not change, merged with the from versions of the changed keys.
 * *own gets the messages read here (the caller frees those only). */
typedef int (*read_fn)(rj_snap *snap, const char *plan, const char *kode, uint64_t rev, void **out);

static int read_item(rj_snap *snap, const char *plan, const char *kode, uint64_t rev, void **out)
{
    return rj_snap_item(snap, plan, kode, rev, (Renja__V1__Item **)out, NULL);
}

static int read_line(rj_snap *snap, const char *plan, const char *kode, uint64_t rev, void **out)
{
    return rj_snap_line(snap, plan, kode, rev, (Renja__V1__BudgetLine **)out, NULL);
}

static int derive_from(rj_snap *snap, const char *plan, uint64_t rev, char **keys, size_t nk,
                       const char *prefix, read_fn rd, const char *(*kode)(const void *, size_t),
                       void **to, size_t nto, void ***from, size_t *nfrom, void ***own,
                       size_t *nown)
{
    size_t plen = strlen(prefix), cap_own = 0, cap = 0;
    *from = NULL;
    *nfrom = 0;
    *own = NULL;
    *nown = 0;
    /* Keys come sorted, so the changed kodes of this kind are sorted too. */
    size_t t = 0;
    for (size_t k = 0; k <= nk; k++) {
        const char *ck = NULL;
        if (k < nk) {
            if (strncmp(keys[k], prefix, plen) != 0)
                continue;
            ck = keys[k] + plen;
        }
        /* to-side entries before the changed kode are unchanged */
        while (t < nto && (!ck || strcmp(kode(to, t), ck) < 0))
            rj_ptrs_push(from, nfrom, &cap, to[t++]);
        if (!ck)
            break;
        if (t < nto && strcmp(kode(to, t), ck) == 0)
            t++; /* replaced by its from version, if any */
        void *v = NULL;
        int err = rd(snap, plan, ck, rev, &v);
        if (err == RJ_ENOTFOUND)
            continue;
        if (err)
            return err;
        rj_ptrs_push(own, nown, &cap_own, v);
        rj_ptrs_push(from, nfrom, &cap, v);
    }
    return 0;
}

static size_t count_prefix(char **keys, size_t n, const char *prefix)
{
    size_t c = 0, plen = strlen(prefix);
    for (size_t i = 0; i < n; i++)
        c += strncmp(keys[i], prefix, plen) == 0;
    return c;
}

/* --- diff from the stored sums --------------------------------------- */

#define NOT_STORED 1

typedef struct kbuf {
    char k[RJ_KODE_MAX];
} kbuf;

static int kbuf_cmp(const void *a, const void *b)
{
    return strcmp(((const kbuf *)a)->k, ((const kbuf *)b)->k);
}

/* Sort ks and keep each kode once; the new count. */
static size_t kbuf_unique(kbuf *ks, size_t n)
{
    if (n > 1)
        qsort(ks, n, sizeof *ks, kbuf_cmp);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!w || strcmp(ks[w - 1].k, ks[i].k) != 0)
            ks[w++] = ks[i];
    return w;
}

/* What a diff from the stored sums read: the rows' messages and nodes at
 * each side, and the groups of a `by` of bidang or sumber-dana. */
typedef struct stored_out {
    Renja__V1__Item **fi, **ti;
    rj_tree_node *nf, *nt;
    size_t nfi, nti;
    int64_t total_from, total_to;
    bool items_any;
    rj_group_sum *gf, *gt; /* with a `by` of bidang or sumber-dana */
    size_t ngf, ngt;
    bool groups;
} stored_out;

static void stored_out_free(stored_out *so)
{
    rj_group_sums_free(so->gf, so->ngf);
    rj_group_sums_free(so->gt, so->ngt);
    rj_msgs_free((void **)so->fi, so->nfi);
    rj_msgs_free((void **)so->ti, so->nti);
    free(so->nf);
    free(so->nt);
}

/* One side's rows from the stored roll-ups: each kode of ks present at rev,
 * its message and its node (two point reads). */
static int stored_rows(rj_snap *snap, const char *plan, uint64_t rev, const kbuf *ks, size_t nks,
                       Renja__V1__Item ***items, rj_tree_node **nodes, size_t *n, rj_diag *d)
{
    *items = rj_calloc(nks ? nks : 1, sizeof **items);
    *nodes = rj_calloc(nks ? nks : 1, sizeof **nodes);
    *n = 0;
    for (size_t i = 0; i < nks; i++) {
        Renja__V1__Item *it = NULL;
        int err = rj_snap_item(snap, plan, ks[i].k, rev, &it, NULL);
        if (err == RJ_ENOTFOUND)
            continue;
        if (err)
            return rj_diag_set(d, err, "diff of plan %s: reading item %s failed", plan, ks[i].k);
        (*items)[*n] = it;
        rj_tree_node *nd = &(*nodes)[(*n)++];
        rj_rollup r;
        if ((err = rj_snap_rollup(snap, plan, ks[i].k, rev, &r, d)) != 0)
            return err;
        nd->kode = it->kode;
        nd->has_pagu = it->has_pagu;
        nd->pagu = it->pagu;
        nd->parent = RJ_TREE_ROOT;
        nd->n_children = (size_t)r.n_children;
        nd->child_sum = r.child_sum;
        nd->effective = it->has_pagu ? it->pagu : r.child_sum;
        nd->rollup = r.n_children ? r.child_sum : it->has_pagu ? it->pagu : 0;
    }
    return 0;
}

/* A `by` that sums every sub kegiatan: bidang or sumber-dana. */
static bool by_group(const char *by)
{
    return by && *by && strcmp(by, "rekening") != 0;
}

/* The diff from the stored roll-ups: the changed items and their ancestors
 * at each side, nothing else. NOT_STORED when the plan keeps no
 * roll-ups at either revision. */
static int diff_stored(rj_snap *snap, const Renja__V1__DiffRequest *req, uint64_t from, uint64_t to,
                       char **keys, size_t nk, stored_out *so, rj_diag *d)
{
    rj_rollup rf, rt;
    int err = rj_snap_rollup(snap, req->plan, "", from, &rf, d);
    if (!err)
        err = rj_snap_rollup(snap, req->plan, "", to, &rt, d);
    if (err == RJ_ENOTFOUND || err == RJ_EOVERFLOW) {
        if (d)
            rj_diag_clear(d);
        return NOT_STORED; /* the items tell, or say what overflowed */
    }
    if (err)
        return err;
    kbuf *ks = NULL;
    size_t nks = 0, cap = 0;
    for (size_t k = 0; k < nk; k++) {
        if (strncmp(keys[k], "item/", 5) != 0)
            continue;
        char cur[RJ_KODE_MAX], up[RJ_KODE_MAX];
        snprintf(cur, sizeof cur, "%s", keys[k] + 5);
        for (;;) {
            RJ_GROW(ks, nks + 1, cap, 16);
            memcpy(ks[nks++].k, cur, sizeof cur);
            if (!rj_kode_parent(cur, up))
                break;
            memcpy(cur, up, sizeof cur);
        }
    }
    nks = kbuf_unique(ks, nks);
    err = stored_rows(snap, req->plan, from, ks, nks, &so->fi, &so->nf, &so->nfi, d);
    if (!err)
        err = stored_rows(snap, req->plan, to, ks, nks, &so->ti, &so->nt, &so->nti, d);
    so->total_from = rf.child_sum;
    so->total_to = rt.child_sum;
    so->items_any = rf.n_children || rt.n_children; /* roots */
    free(ks);
    if (!err && by_group(req->by)) {
        err = rj_snap_groups(snap, req->plan, req->by, from, &so->gf, &so->ngf, d);
        if (!err)
            err = rj_snap_groups(snap, req->plan, req->by, to, &so->gt, &so->ngt, d);
        if (err == RJ_ENOTFOUND) {
            if (d)
                rj_diag_clear(d);
            return NOT_STORED; /* the items tell */
        }
        so->groups = true;
    }
    return err;
}

/* Tujuan and sasaran are few: both sides are read whole. */
static int diff_goals(rj_snap *snap, const char *plan, uint64_t from, uint64_t to, bool all,
                      Renja__V1__DiffResponse *out)
{
    Renja__V1__Goal **fg = NULL, **tg = NULL;
    size_t nfg = 0, ntg = 0;
    int err = rj_snap_goals(snap, plan, "", from, &fg, &nfg, NULL);
    if (!err)
        err = rj_snap_goals(snap, plan, "", to, &tg, &ntg, NULL);
    if (!err)
        rj_diff_goals(fg, nfg, tg, ntg, all, out);
    rj_msgs_free((void **)fg, nfg);
    rj_msgs_free((void **)tg, ntg);
    return err;
}

int rj_query_diff(rj_snap *snap, const Renja__V1__DiffRequest *req, Renja__V1__DiffResponse *out,
                  rj_diag *d)
{
    uint64_t from, to;
    int err = rj_snap_resolve(snap, req->plan, req->from, &from, d);
    if (!err)
        err = rj_snap_resolve(snap, req->plan, req->to, &to, d);
    if (err)
        return err;
    out->plan = rj_q_str(req->plan);
    out->from_ref = rj_q_str(ref_or_head(req->from));
    out->to_ref = rj_q_str(ref_or_head(req->to));
    out->from_rev = from;
    out->to_rev = to;

    char **keys = NULL;
    size_t nk = 0;
    Renja__V1__Item **ti = NULL, **fi = NULL, **own_i = NULL;
    Renja__V1__BudgetLine **tl = NULL, **fl = NULL, **own_l = NULL;
    size_t nti = 0, nfi = 0, nown_i = 0, ntl = 0, nfl = 0, nown_l = 0;
    bool scanned_i = false, scanned_l = false;
    /* The key query wants a forward range; the diff keeps its direction. */
    err = rj_snap_changed_keys(snap, req->plan, from < to ? from : to, from < to ? to : from, &keys,
                               &nk, d);
    /* From the stored sums when both revisions have them; else (all, a
     * revision from before the store's upgrade, a sum out of int64) from
     * the whole `to` side, `from` derived from it by the changed keys. */
    stored_out so = {0};
    bool stored = false;
    if (!err && !req->all) {
        int r = diff_stored(snap, req, from, to, keys, nk, &so, d);
        if (r == 0)
            stored = true;
        else if (r != NOT_STORED)
            err = r;
        if (r) {
            stored_out_free(&so);
            memset(&so, 0, sizeof so);
        }
    }
    if (!err && !stored)
        err = rj_snap_items(snap, req->plan, "", to, &ti, &nti, d);
    if (!err)
        err = rj_snap_lines(snap, req->plan, "", to, &tl, &ntl, d);
    if (!err && !stored) {
        size_t ci = count_prefix(keys, nk, "item/");
        if (ci > nti / 4 && ci > 64) {
            scanned_i = true;
            err = rj_snap_items(snap, req->plan, "", from, &fi, &nfi, d);
        } else {
            err = derive_from(snap, req->plan, from, keys, nk, "item/", read_item, item_kode,
                              (void **)ti, nti, (void ***)&fi, &nfi, (void ***)&own_i, &nown_i);
        }
    }
    if (!err) {
        size_t cl = count_prefix(keys, nk, "line/");
        if (cl > ntl / 4 && cl > 64) {
            scanned_l = true;
            err = rj_snap_lines(snap, req->plan, "", from, &fl, &nfl, d);
        } else {
            err = derive_from(snap, req->plan, from, keys, nk, "line/", read_line, line_kode,
                              (void **)tl, ntl, (void ***)&fl, &nfl, (void ***)&own_l, &nown_l);
        }
    }
    if (!err) {
        rj_diff_input in = {
            .from_items = fi,
            .n_from_items = nfi,
            .to_items = ti,
            .n_to_items = nti,
            .from_lines = fl,
            .n_from_lines = nfl,
            .to_lines = tl,
            .n_to_lines = ntl,
            .changed = keys,
            .n_changed = nk,
            .level = (rj_level)req->level,
            .by = req->by,
            .all = req->all,
        };
        if (stored) {
            in.from_items = so.fi;
            in.n_from_items = so.nfi;
            in.to_items = so.ti;
            in.n_to_items = so.nti;
            rj_diff_items known = {so.nf, so.nt, so.total_from, so.total_to, so.items_any,
                                   so.gf, so.gt, so.ngf,        so.ngt,      so.groups};
            err = rj_diff_compute_items(&in, &known, out, d);
        } else {
            err = rj_diff_compute(&in, out, d);
        }
    } else if (err != RJ_ENOTFOUND && d && !d->msg[0]) {
        rj_diag_set(d, err, "diff of plan %s: reading the store failed", req->plan);
    }
    if (!err)
        err = diff_goals(snap, req->plan, from, to, req->all, out);
    stored_out_free(&so);
    rj_msgs_free((void **)ti, nti);
    rj_msgs_free((void **)tl, ntl);
    if (scanned_i)
        rj_msgs_free((void **)fi, nfi);
    else {
        free(fi);
        rj_msgs_free((void **)own_i, nown_i);
    }
    if (scanned_l)
        rj_msgs_free((void **)fl, nfl);
    else {
        free(fl);
        rj_msgs_free((void **)own_l, nown_l);
    }
    rj_strs_free(keys, nk);
    return err;
}

/* --- compare ------------------------------------------------------------ */

int rj_query_compare(rj_snap *snap, const Renja__V1__CompareRequest *req,
                     Renja__V1__CompareResponse *out, rj_diag *d)
{
    Renja__V1__Stage **stages = NULL;
    size_t ns = 0;
    int err = rj_snap_stages(snap, req->plan, &stages, &ns, d);
    if (err)
        return rj_diag_set(d, err, "stages of plan %s: %s", req->plan, rj_strerror(err));
    size_t n = req->n_refs ? req->n_refs : ns;
    if (n == 0) {
        rj_msgs_free((void **)stages, ns);
        return rj_diag_set(d, RJ_EINVAL,
                           "compare of plan %s: no refs given and the plan has no stages",
                           req->plan);
    }
    const char *w = req->what && *req->what ? req->what : "lines";
    bool items = strcmp(w, "items") == 0 || strcmp(w, "all") == 0;
    bool lines = strcmp(w, "lines") == 0 || strcmp(w, "all") == 0;
    out->plan = rj_q_str(req->plan);
    out->stages = rj_calloc(n, sizeof *out->stages);
    rj_compare_column *cols = rj_calloc(n, sizeof *cols);
    rj_arena *a = rj_arena_new();
    /* Stages often share a revision (Perkada 1 and 8): each distinct one
     * is read once, and all of them in one pass (a version that several
     * share is decoded once; the engine reads no pagu_rollup of them). */
    uint64_t *revs = rj_calloc(n, sizeof *revs);
    size_t *dist = rj_calloc(n, sizeof *dist), nd = 0;
    for (size_t c = 0; c < n && !err; c++) {
        const char *ref = req->n_refs ? req->refs[c] : stages[c]->name;
        uint64_t rev;
        err = rj_snap_resolve(snap, req->plan, ref, &rev, d);
        if (err)
            break;
        Renja__V1__CompareColumn *col = rj_malloc(sizeof *col);
        renja__v1__compare_column__init(col);
        col->ref = rj_q_str(ref_or_head(ref));
        col->rev = rev;
        for (size_t s = 0; s < ns; s++)
            if (strcmp(stages[s]->name, ref) == 0)
                col->title = rj_q_str(stages[s]->title);
        out->stages[out->n_stages++] = col;
        size_t same = 0;
        while (same < nd && revs[same] != rev)
            same++;
        if (same == nd)
            revs[nd++] = rev;
        dist[c] = same;
    }
    Renja__V1__Item ***di = rj_calloc(n, sizeof *di);
    Renja__V1__BudgetLine ***dl = rj_calloc(n, sizeof *dl);
    size_t *dni = rj_calloc(n, sizeof *dni), *dnl = rj_calloc(n, sizeof *dnl);
    if (!err) {
        if (items)
            err = rj_snap_items_revs(snap, req->plan, revs, nd, RJ_ITEM_TREE, a, di, dni, d);
        if (!err && lines)
            err = rj_snap_lines_revs(snap, req->plan, revs, nd, a, dl, dnl, d);
        if (err)
            rj_diag_set(d, err, "reading plan %s at revision %llu failed", req->plan,
                        (unsigned long long)revs[0]);
    }
    for (size_t c = 0; c < n && !err; c++)
        cols[c] = (rj_compare_column){di[dist[c]], dni[dist[c]], dl[dist[c]], dnl[dist[c]]};
    free(di);
    free(dl);
    free(dni);
    free(dnl);
    free(revs);
    free(dist);
    if (!err)
        err = rj_compare_compute(cols, n, req->what, req->deltas, out, d);
    rj_arena_free(a);
    free(cols);
    rj_msgs_free((void **)stages, ns);
    return err;
}

/* --- evaluate ----------------------------------------------------------- */

int rj_query_evaluate(rj_snap *snap, const Renja__V1__EvaluateRequest *req,
                      Renja__V1__EvaluateResponse *out, rj_arena *answer, rj_diag *d)
{
    uint64_t at, rat;
    int err = rj_snap_resolve(snap, req->plan, req->at, &at, d);
    if (!err)
        err = rj_snap_resolve(snap, req->plan, req->realisasi_at, &rat, d);
    if (err)
        return err;
    if (req->tw < 1 || req->tw > 4)
        return rj_diag_set(d, RJ_EINVAL, "triwulan %d: expected 1, 2, 3 or 4", req->tw);
    out->plan = rj_arena_strdup(answer, req->plan);
    out->tw = req->tw;
    out->at = rj_arena_strdup(answer, ref_or_head(req->at));
    out->at_rev = at;
    out->realisasi_rev = rat;
    Renja__V1__Item **items = NULL;
    Renja__V1__Realisasi **reals = NULL;
    size_t ni = 0, nr = 0;
    rj_arena *a = rj_arena_new();
    err = rj_snap_items_arena(snap, req->plan, at, RJ_ITEM_EVAL, a, &items, &ni, d);
    Renja__V1__Goal **goals = NULL;
    size_t ng = 0;
    if (!err)
        err = rj_snap_reals_arena(snap, req->plan, rat, a, &reals, &nr, d);
    if (!err)
        err = rj_snap_goals(snap, req->plan, "", at, &goals, &ng, d);
    if (err)
        rj_diag_set(d, err, "reading plan %s failed", req->plan);
    if (!err) {
        rj_eval_input in = {items, ni, reals, nr, req->tw, goals, ng};
        err = rj_eval_compute(&in, out, answer, d);
    }
    rj_msgs_free((void **)goals, ng);
    rj_arena_free(a);
    return err;
}

/* --- validate ----------------------------------------------------------- */

/* The stages up to rev, each distinct revision read once: satuan between
 * consecutive ones, and every one into the row-shift rule. A stage pair on
 * the same revision cannot differ. */
static int validate_stages(rj_snap *snap, const char *plan, Renja__V1__Stage **stages, size_t ns,
                           uint64_t rev, rj_shift *shift, bool *rev_seen,
                           Renja__V1__ValidateResponse *out, rj_diag *d)
{
    Renja__V1__Item **prev = NULL;
    size_t nprev = 0;
    const Renja__V1__Stage *prev_st = NULL;
    int err = 0;
    for (size_t s = 0; s < ns && !err; s++) {
        const Renja__V1__Stage *st = stages[s];
        if (st->rev > rev)
            continue;
        if (prev_st && prev_st->rev == st->rev) {
            rj_shift_label_append(shift, st->name);
            prev_st = st;
            continue;
        }
        Renja__V1__Item **cur = NULL;
        Renja__V1__BudgetLine **lines = NULL;
        size_t ncur = 0, nl = 0;
        err = rj_snap_items(snap, plan, "", st->rev, &cur, &ncur, d);
        if (!err)
            err = rj_snap_lines(snap, plan, "", st->rev, &lines, &nl, d);
        if (err) {
            rj_diag_set(d, err, "reading plan %s at stage %s failed", plan, st->name);
            rj_msgs_free((void **)cur, ncur);
            break;
        }
        err = rj_shift_add(shift, st->name, cur, ncur, lines, nl, d);
        rj_msgs_free((void **)lines, nl);
        *rev_seen = *rev_seen || st->rev == rev;
        if (prev_st)
            rj_validate_satuan(prev, nprev, prev_st->name, cur, ncur, st->name, out);
        rj_msgs_free((void **)prev, nprev);
        prev = cur;
        nprev = ncur;
        prev_st = st;
    }
    rj_msgs_free((void **)prev, nprev);
    return err;
}

int rj_query_validate(rj_snap *snap, const Renja__V1__ValidateRequest *req,
                      Renja__V1__ValidateResponse *out, rj_diag *d)
{
    uint64_t rev;
    int err = rj_snap_resolve(snap, req->plan, req->at, &rev, d);
    if (err)
        return err;
    out->plan = rj_q_str(req->plan);
    out->rev = rev;
    Renja__V1__Item **items = NULL;
    Renja__V1__BudgetLine **lines = NULL;
    Renja__V1__Stage **stages = NULL;
    size_t ni = 0, nl = 0, ns = 0;
    err = rj_snap_items(snap, req->plan, "", rev, &items, &ni, d);
    if (!err)
        err = rj_snap_lines(snap, req->plan, "", rev, &lines, &nl, d);
    if (!err)
        err = rj_snap_stages(snap, req->plan, &stages, &ns, d);
    if (err)
        rj_diag_set(d, err, "reading plan %s at revision %llu failed", req->plan,
                    (unsigned long long)rev);
    if (!err)
        err = rj_validate_version(items, ni, lines, nl, out, d);
    Renja__V1__Goal **goals = NULL;
    size_t ng = 0;
    if (!err && (err = rj_snap_goals(snap, req->plan, "", rev, &goals, &ng, d)) != 0)
        rj_diag_set(d, err, "reading the goals of plan %s at revision %llu failed", req->plan,
                    (unsigned long long)rev);
    if (!err)
        rj_validate_goals(goals, ng, items, ni, out);
    Renja__V1__Realisasi **reals = NULL;
    size_t nr = 0;
    if (!err && (err = rj_snap_reals(snap, req->plan, "", rev, &reals, &nr, d)) != 0)
        rj_diag_set(d, err, "reading the realisasi of plan %s at revision %llu failed", req->plan,
                    (unsigned long long)rev);
    if (!err) {
        rj_validate_serapan(items, ni, reals, nr, out);
        rj_validate_units(items, ni, goals, ng, reals, nr, out);
        rj_validate_breakdowns(items, ni, goals, ng, reals, nr, out);
    }
    rj_msgs_free((void **)reals, nr);
    rj_msgs_free((void **)goals, ng);
    rj_shift *shift = rj_shift_new();
    bool rev_seen = false;
    if (!err)
        err = validate_stages(snap, req->plan, stages, ns, rev, shift, &rev_seen, out, d);
    /* the validated revision itself, when no stage names it */
    if (!err && !rev_seen)
        err = rj_shift_add(shift, ref_or_head(req->at), items, ni, lines, nl, d);
    if (!err)
        rj_shift_report(shift, out);
    rj_shift_free(shift);
    rj_validate_sort(out);
    rj_msgs_free((void **)items, ni);
    rj_msgs_free((void **)lines, nl);
    rj_msgs_free((void **)stages, ns);
    return err;
}
