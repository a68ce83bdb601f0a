#include "rj_query.h"

#include <stdlib.h>
#include <string.h>

#include "rj_compare.h"
#include "rj_diff.h"
#include "rj_eval.h"
#include "rj_kode.h"
#include "rj_qcache.h"
#include "rj_qutil.h"
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
    return rj_snap_item(snap, plan, kode, rev, (Renja__V1__Item **)out);
}

static int read_line(rj_snap *snap, const char *plan, const char *kode, uint64_t rev, void **out)
{
    return rj_snap_line(snap, plan, kode, rev, (Renja__V1__BudgetLine **)out);
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

static const char *qrec_kode(const void *arr, size_t i)
{
    return ((const rj_qrec *)arr)[i].kode;
}

/* The to side from the cache: every item as a stand-in message holding only
 * what roll-ups and groups read (kode, level, pagu, bidang, sumber dana),
 * except the changed kodes and their ancestors, which can become rows and
 * are read whole. Stand-ins point into the cache entry, which the caller
 * holds until the diff is done. */
static int cached_to_side(rj_query_cache *cache, rj_snap *snap, const char *plan, uint64_t to,
                          char **keys, size_t nk, const rj_qtree **tree, Renja__V1__Item **arena,
                          Renja__V1__Item ***items, size_t *n, Renja__V1__Item ***own, size_t *nown,
                          rj_diag *d)
{
    bool scanned;
    int err = rj_qcache_items(cache, snap, plan, to, tree, &scanned, d);
    if (err)
        return err;
    const rj_qtree *t = *tree;
    Renja__V1__Item *fk = rj_calloc(t->n ? t->n : 1, sizeof *fk);
    Renja__V1__Item **arr = rj_calloc(t->n ? t->n : 1, sizeof *arr);
    bool *whole = rj_calloc(t->n ? t->n : 1, sizeof *whole);
    *arena = fk;
    *items = (Renja__V1__Item **)arr;
    *n = t->n;
    for (size_t i = 0; i < t->n; i++) {
        const rj_qrec *r = &t->recs[i];
        renja__v1__item__init(&fk[i]);
        fk[i].kode = (char *)r->kode;
        fk[i].level = (Renja__V1__Level)r->level;
        fk[i].has_pagu = r->has_pagu;
        fk[i].pagu = r->pagu;
        fk[i].bidang = (char *)r->bidang;
        fk[i].sumber_dana = (char *)r->sumber_dana;
        arr[i] = &fk[i];
    }
    size_t cap = 0;
    for (size_t k = 0; k < nk && !err; k++) {
        if (strncmp(keys[k], "item/", 5) != 0)
            continue;
        char up[RJ_KODE_MAX];
        const char *kode = keys[k] + 5;
        for (bool more = true; more && !err;) {
            size_t at = rj_tree_find(t->recs, t->n, qrec_kode, kode);
            if (at != RJ_TREE_ROOT && !whole[at]) {
                Renja__V1__Item *it = NULL;
                err = rj_snap_item(snap, plan, kode, to, &it);
                if (err)
                    break;
                whole[at] = true;
                arr[at] = it;
                rj_ptrs_push((void ***)own, nown, &cap, it);
            } else if (at != RJ_TREE_ROOT) {
                break; /* its ancestors are done too */
            }
            more = rj_kode_parent(kode, up);
            kode = up;
        }
    }
    free(whole);
    if (err)
        rj_diag_set(d, err, "reading plan %s at revision %llu failed", plan,
                    (unsigned long long)to);
    return err;
}

static int diff_run(rj_query_cache *cache, rj_snap *snap, const Renja__V1__DiffRequest *req,
                    Renja__V1__DiffResponse *out, rj_diag *d)
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
    const rj_qtree *tree = NULL;
    Renja__V1__Item *arena = NULL, **own_t = NULL;
    size_t nown_t = 0;
    /* The key query wants a forward range; the diff keeps its direction. */
    err = rj_snap_changed_keys(snap, req->plan, from < to ? from : to, from < to ? to : from, &keys,
                               &nk);
    if (!err && cache && !req->all)
        err = cached_to_side(cache, snap, req->plan, to, keys, nk, &tree, &arena, &ti, &nti, &own_t,
                             &nown_t, d);
    else if (!err)
        err = rj_snap_items(snap, req->plan, "", to, &ti, &nti);
    if (!err)
        err = rj_snap_lines(snap, req->plan, "", to, &tl, &ntl);
    if (!err) {
        size_t ci = count_prefix(keys, nk, "item/");
        if (ci > nti / 4 && ci > 64) {
            scanned_i = true;
            err = rj_snap_items(snap, req->plan, "", from, &fi, &nfi);
        } else {
            err = derive_from(snap, req->plan, from, keys, nk, "item/", read_item, item_kode,
                              (void **)ti, nti, (void ***)&fi, &nfi, (void ***)&own_i, &nown_i);
        }
    }
    if (!err) {
        size_t cl = count_prefix(keys, nk, "line/");
        if (cl > ntl / 4 && cl > 64) {
            scanned_l = true;
            err = rj_snap_lines(snap, req->plan, "", from, &fl, &nfl);
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
        err = rj_diff_compute(&in, out, d);
    } else if (err != RJ_ENOTFOUND && d && !d->msg[0]) {
        rj_diag_set(d, err, "diff of plan %s: reading the store failed", req->plan);
    }
    if (tree) {
        free(ti);
        free(arena);
        rj_msgs_free((void **)own_t, nown_t);
        rj_qcache_release(cache, tree);
    } else {
        rj_msgs_free((void **)ti, nti);
    }
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

int rj_query_diff(rj_snap *snap, const Renja__V1__DiffRequest *req, Renja__V1__DiffResponse *out,
                  rj_diag *d)
{
    return diff_run(NULL, snap, req, out, d);
}

int rj_query_diff_cached(rj_query_cache *cache, rj_snap *snap, const Renja__V1__DiffRequest *req,
                         Renja__V1__DiffResponse *out, rj_diag *d)
{
    return diff_run(cache, snap, req, out, d);
}

rj_query_cache *rj_query_cache_new(size_t max_revisions)
{
    return rj_qcache_new(max_revisions);
}

void rj_query_cache_free(rj_query_cache *cache)
{
    rj_qcache_free(cache);
}

/* --- compare ------------------------------------------------------------ */

int rj_query_compare(rj_snap *snap, const Renja__V1__CompareRequest *req,
                     Renja__V1__CompareResponse *out, rj_diag *d)
{
    Renja__V1__Stage **stages = NULL;
    size_t ns = 0;
    int err = rj_snap_stages(snap, req->plan, &stages, &ns);
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
    bool *owner = rj_calloc(n, sizeof *owner);
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
        /* Stages often share a revision (Perkada 1 and 8): read it once. */
        size_t same = 0;
        while (same < c && out->stages[same]->rev != rev)
            same++;
        if (same < c) {
            cols[c] = cols[same];
            continue;
        }
        owner[c] = true;
        if (items)
            err = rj_snap_items(snap, req->plan, "", rev, &cols[c].items, &cols[c].n_items);
        if (!err && lines)
            err = rj_snap_lines(snap, req->plan, "", rev, &cols[c].lines, &cols[c].n_lines);
        if (err)
            rj_diag_set(d, err, "reading plan %s at revision %llu failed", req->plan,
                        (unsigned long long)rev);
    }
    if (!err)
        err = rj_compare_compute(cols, n, req->what, req->deltas, out, d);
    for (size_t c = 0; c < n; c++)
        if (owner[c]) {
            rj_msgs_free((void **)cols[c].items, cols[c].n_items);
            rj_msgs_free((void **)cols[c].lines, cols[c].n_lines);
        }
    free(owner);
    free(cols);
    rj_msgs_free((void **)stages, ns);
    return err;
}

/* --- evaluate ----------------------------------------------------------- */

int rj_query_evaluate(rj_snap *snap, const Renja__V1__EvaluateRequest *req,
                      Renja__V1__EvaluateResponse *out, rj_diag *d)
{
    uint64_t at, rat;
    int err = rj_snap_resolve(snap, req->plan, req->at, &at, d);
    if (!err)
        err = rj_snap_resolve(snap, req->plan, req->realisasi_at, &rat, d);
    if (err)
        return err;
    if (req->tw < 1 || req->tw > 4)
        return rj_diag_set(d, RJ_EINVAL, "triwulan %d: expected 1, 2, 3 or 4", req->tw);
    out->plan = rj_q_str(req->plan);
    out->tw = req->tw;
    out->at = rj_q_str(ref_or_head(req->at));
    out->at_rev = at;
    out->realisasi_rev = rat;
    Renja__V1__Item **items = NULL;
    Renja__V1__Realisasi **reals = NULL;
    size_t ni = 0, nr = 0;
    err = rj_snap_items(snap, req->plan, "", at, &items, &ni);
    if (!err)
        err = rj_snap_reals(snap, req->plan, "", rat, &reals, &nr);
    if (err)
        rj_diag_set(d, err, "reading plan %s failed", req->plan);
    if (!err) {
        rj_eval_input in = {items, ni, reals, nr, req->tw};
        err = rj_eval_compute(&in, out, d);
    }
    rj_msgs_free((void **)items, ni);
    rj_msgs_free((void **)reals, nr);
    return err;
}

/* --- validate ----------------------------------------------------------- */

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
    err = rj_snap_items(snap, req->plan, "", rev, &items, &ni);
    if (!err)
        err = rj_snap_lines(snap, req->plan, "", rev, &lines, &nl);
    if (!err)
        err = rj_snap_stages(snap, req->plan, &stages, &ns);
    if (err)
        rj_diag_set(d, err, "reading plan %s at revision %llu failed", req->plan,
                    (unsigned long long)rev);
    if (!err)
        err = rj_validate_version(items, ni, lines, nl, out, d);

    /* satuan between consecutive stages up to the validated revision; a
     * stage pair on the same revision cannot differ */
    Renja__V1__Item **prev = NULL;
    size_t nprev = 0;
    const Renja__V1__Stage *prev_st = NULL;
    for (size_t s = 0; s < ns && !err; s++) {
        const Renja__V1__Stage *st = stages[s];
        if (st->rev > rev)
            continue;
        if (prev_st && prev_st->rev == st->rev) {
            prev_st = st;
            continue;
        }
        Renja__V1__Item **cur = NULL;
        size_t ncur = 0;
        err = rj_snap_items(snap, req->plan, "", st->rev, &cur, &ncur);
        if (err) {
            rj_diag_set(d, err, "reading plan %s at stage %s failed", req->plan, st->name);
            break;
        }
        if (prev_st)
            rj_validate_satuan(prev, nprev, prev_st->name, cur, ncur, st->name, out);
        rj_msgs_free((void **)prev, nprev);
        prev = cur;
        nprev = ncur;
        prev_st = st;
    }
    rj_msgs_free((void **)prev, nprev);
    rj_validate_sort(out);
    rj_msgs_free((void **)items, ni);
    rj_msgs_free((void **)lines, nl);
    rj_msgs_free((void **)stages, ns);
    return err;
}
