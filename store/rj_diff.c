#include "rj_diff.h"

#include <stdlib.h>
#include <string.h>

#include "rj_num.h"
#include "rj_qutil.h"
#include "rj_store.h" /* rj_group_sum only */
#include "rj_tree.h"

#define NONE RJ_TREE_ROOT

/* One kode of the union of both sides: index at each side or NONE. */
typedef struct pair {
    const char *kode;
    size_t f, t;
    bool candidate, row;
} pair;

typedef struct side {
    size_t n;
    const char *(*kode)(const void *arr, size_t i);
    const void *arr;
} side;

static const char *item_kode(const void *arr, size_t i)
{
    return ((Renja__V1__Item *const *)arr)[i]->kode;
}

static const char *line_kode(const void *arr, size_t i)
{
    return ((Renja__V1__BudgetLine *const *)arr)[i]->kode;
}

static const char *pair_kode(const void *arr, size_t i)
{
    return ((const pair *)arr)[i].kode;
}

/* Merge two sorted sides into the sorted union. */
static pair *merge(side a, side b, size_t *n_out)
{
    pair *u = rj_calloc(a.n + b.n + 1, sizeof *u);
    size_t i = 0, j = 0, n = 0;
    while (i < a.n || j < b.n) {
        const char *ka = i < a.n ? a.kode(a.arr, i) : NULL, *kb = j < b.n ? b.kode(b.arr, j) : NULL;
        /* the sides share the messages of unchanged kodes: skip strcmp then */
        int c = !ka ? 1 : !kb ? -1 : ka == kb ? 0 : strcmp(ka, kb);
        pair *p = &u[n++];
        p->f = c <= 0 ? i : NONE;
        p->t = c >= 0 ? j : NONE;
        p->kode = c <= 0 ? a.kode(a.arr, i) : b.kode(b.arr, j);
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    *n_out = n;
    return u;
}

/* Mark candidates from the changed keys carrying prefix (e.g. "item/"). */
static void mark_candidates(pair *u, size_t n, const rj_diff_input *in, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < n; i++)
        u[i].candidate = in->changed == NULL;
    if (!in->changed)
        return;
    for (size_t k = 0; k < in->n_changed; k++) {
        if (strncmp(in->changed[k], prefix, plen) != 0)
            continue;
        size_t at = rj_tree_find(u, n, pair_kode, in->changed[k] + plen);
        if (at != NONE)
            u[at].candidate = true;
    }
}

/* Include every present ancestor of the rows already chosen. */
static void mark_ancestors(pair *u, size_t n, bool rekening)
{
    for (size_t i = n; i-- > 0;) {
        if (!u[i].row)
            continue;
        char up[RJ_KODE_MAX];
        const char *k = u[i].kode;
        while (rekening ? rj_rekening_parent(k, up) : rj_kode_parent(k, up)) {
            size_t p = rj_tree_find(u, i, pair_kode, up);
            if (p != NONE) {
                u[p].row = true;
                break; /* its own ancestors follow when the walk reaches it */
            }
            k = up;
        }
    }
}

static bool str_differs(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") != 0;
}

static bool ind_differs(const Renja__V1__Indikator *a, const Renja__V1__Indikator *b)
{
    return !a || !b || str_differs(a->nama, b->nama) || str_differs(a->satuan, b->satuan) ||
           a->has_target != b->has_target || a->target_e4 != b->target_e4 ||
           str_differs(a->target_text, b->target_text) || a->tren != b->tren;
}

static bool item_differs(const Renja__V1__Item *f, const rj_tree_node *nf, const Renja__V1__Item *t,
                         const rj_tree_node *nt)
{
    if (f == t) /* one message shared by both sides */
        return nf->effective != nt->effective;
    if (nf->effective != nt->effective || f->has_pagu != t->has_pagu || f->pagu != t->pagu ||
        f->level != t->level || str_differs(f->nama, t->nama) ||
        str_differs(f->bidang, t->bidang) || str_differs(f->lokasi, t->lokasi) ||
        str_differs(f->sumber_dana, t->sumber_dana) || f->n_indikator != t->n_indikator)
        return true;
    for (size_t i = 0; i < f->n_indikator; i++)
        if (ind_differs(f->indikator[i], t->indikator[i]))
            return true;
    return false;
}

static bool line_differs(const Renja__V1__BudgetLine *f, const rj_tree_node *nf,
                         const Renja__V1__BudgetLine *t, const rj_tree_node *nt)
{
    if (f == t)
        return nf->effective != nt->effective;
    return nf->effective != nt->effective || f->has_pagu != t->has_pagu || f->pagu != t->pagu ||
           str_differs(f->nama, t->nama);
}

static Renja__V1__ChangeKind kind_of(size_t f, size_t t, bool differs)
{
    if (f == NONE)
        return RENJA__V1__CHANGE_KIND__CHANGE_ADDED;
    if (t == NONE)
        return RENJA__V1__CHANGE_KIND__CHANGE_REMOVED;
    return differs ? RENJA__V1__CHANGE_KIND__CHANGE_MODIFIED
                   : RENJA__V1__CHANGE_KIND__CHANGE_UNCHANGED;
}

/* Declared pagu that differs from the sum of the children's effective pagu. */
static bool rollup_off(const rj_tree_node *x)
{
    return x && x->n_children > 0 && x->has_pagu && x->pagu != x->child_sum;
}

static int set_amounts(Renja__V1__DiffRow *r, const rj_tree_node *nf, const rj_tree_node *nt,
                       rj_diag *d)
{
    r->pagu_from = nf ? nf->effective : 0;
    r->pagu_to = nt ? nt->effective : 0;
    if (__builtin_sub_overflow(r->pagu_to, r->pagu_from, &r->delta))
        return rj_diag_set(d, RJ_EOVERFLOW, "pagu change of %s exceeds int64", r->kode);
    r->has_pct = rj_pct_e2(r->delta, r->pagu_from, &r->pct_e2);
    if (rollup_off(nf) || rollup_off(nt)) {
        r->rollup_differs = true;
        r->rollup_from = nf ? nf->child_sum : 0;
        r->rollup_to = nt ? nt->child_sum : 0;
    }
    return 0;
}

static void add_indikator_changes(Renja__V1__DiffRow *r, Renja__V1__Indikator *const *fi, size_t nf,
                                  Renja__V1__Indikator *const *ti, size_t nt)
{
    size_t n = nf > nt ? nf : nt, cap = 0;
    for (size_t i = 0; i < n; i++) {
        const Renja__V1__Indikator *a = i < nf ? fi[i] : NULL;
        const Renja__V1__Indikator *b = i < nt ? ti[i] : NULL;
        if (!ind_differs(a, b))
            continue;
        Renja__V1__TargetChange *tc = rj_malloc(sizeof *tc);
        renja__v1__target_change__init(tc);
        tc->indikator = (int32_t)(i + 1);
        tc->nama = rj_q_str(b ? b->nama : a->nama);
        if (a) {
            tc->satuan_from = rj_q_str(a->satuan);
            tc->from_text = rj_q_str(a->target_text);
            tc->has_from = a->has_target;
            tc->from_e4 = a->target_e4;
        }
        if (b) {
            tc->satuan_to = rj_q_str(b->satuan);
            tc->to_text = rj_q_str(b->target_text);
            tc->has_to = b->has_target;
            tc->to_e4 = b->target_e4;
        }
        rj_ptrs_push((void ***)&r->targets, &r->n_targets, &cap, tc);
    }
}

static void add_targets(Renja__V1__DiffRow *r, const Renja__V1__Item *f, const Renja__V1__Item *t)
{
    add_indikator_changes(r, f ? f->indikator : NULL, f ? f->n_indikator : 0,
                          t ? t->indikator : NULL, t ? t->n_indikator : 0);
}

static bool goal_differs(const Renja__V1__Goal *f, const Renja__V1__Goal *t)
{
    if (str_differs(f->nama, t->nama) || f->n_indikator != t->n_indikator)
        return true;
    for (size_t i = 0; i < f->n_indikator; i++)
        if (ind_differs(f->indikator[i], t->indikator[i]))
            return true;
    return false;
}

static Renja__V1__DiffRow *goal_row(const Renja__V1__Goal *f, const Renja__V1__Goal *t)
{
    const Renja__V1__Goal *now = t ? t : f;
    Renja__V1__DiffRow *r = rj_malloc(sizeof *r);
    renja__v1__diff_row__init(r);
    r->kode = rj_q_str(now->kode);
    r->nama = rj_q_str(now->nama);
    r->change = !f                   ? RENJA__V1__CHANGE_KIND__CHANGE_ADDED
                : !t                 ? RENJA__V1__CHANGE_KIND__CHANGE_REMOVED
                : goal_differs(f, t) ? RENJA__V1__CHANGE_KIND__CHANGE_MODIFIED
                                     : RENJA__V1__CHANGE_KIND__CHANGE_UNCHANGED;
    if (f && t && str_differs(f->nama, t->nama))
        r->nama_from = rj_q_str(f->nama);
    add_indikator_changes(r, f ? f->indikator : NULL, f ? f->n_indikator : 0,
                          t ? t->indikator : NULL, t ? t->n_indikator : 0);
    return r;
}

void rj_diff_goals(Renja__V1__Goal *const *from, size_t nf, Renja__V1__Goal *const *to, size_t nt,
                   bool all, Renja__V1__DiffResponse *out)
{
    size_t i = 0, j = 0, cap = 0;
    while (i < nf || j < nt) {
        int c = i == nf ? 1 : j == nt ? -1 : strcmp(from[i]->kode, to[j]->kode);
        const Renja__V1__Goal *f = c <= 0 ? from[i++] : NULL;
        const Renja__V1__Goal *t = c >= 0 ? to[j++] : NULL;
        Renja__V1__DiffRow *r = goal_row(f, t);
        if (!all && r->change == RENJA__V1__CHANGE_KIND__CHANGE_UNCHANGED) {
            protobuf_c_message_free_unpacked(&r->base, NULL);
            continue;
        }
        rj_ptrs_push((void ***)&out->goals, &out->n_goals, &cap, r);
    }
}

static Renja__V1__DiffRow *new_row(const char *kode)
{
    Renja__V1__DiffRow *r = rj_malloc(sizeof *r);
    renja__v1__diff_row__init(r);
    r->kode = rj_q_str(kode);
    return r;
}

static int item_row(const pair *p, const rj_diff_input *in, const rj_tree_node *nodes_f,
                    const rj_tree_node *nodes_t, Renja__V1__ChangeKind kind,
                    Renja__V1__DiffRow **out, rj_diag *d)
{
    const Renja__V1__Item *f = p->f != NONE ? in->from_items[p->f] : NULL;
    const Renja__V1__Item *t = p->t != NONE ? in->to_items[p->t] : NULL;
    const Renja__V1__Item *now = t ? t : f;
    Renja__V1__DiffRow *r = new_row(p->kode);
    *out = r;
    r->level = now->level ? now->level : (Renja__V1__Level)rj_kode_level(p->kode);
    r->nama = rj_q_str(now->nama);
    r->bidang = rj_q_str(now->bidang);
    r->change = kind;
    if (f && t) {
        if (str_differs(f->nama, t->nama))
            r->nama_from = rj_q_str(f->nama);
        if (str_differs(f->lokasi, t->lokasi)) {
            r->lokasi_from = rj_q_str(f->lokasi);
            r->lokasi_to = rj_q_str(t->lokasi);
        }
        if (str_differs(f->sumber_dana, t->sumber_dana)) {
            r->sumber_dana_from = rj_q_str(f->sumber_dana);
            r->sumber_dana_to = rj_q_str(t->sumber_dana);
        }
    }
    add_targets(r, f, t);
    return set_amounts(r, f ? &nodes_f[p->f] : NULL, t ? &nodes_t[p->t] : NULL, d);
}

static int line_row(const pair *p, const rj_diff_input *in, const rj_tree_node *nodes_f,
                    const rj_tree_node *nodes_t, Renja__V1__ChangeKind kind,
                    Renja__V1__DiffRow **out, rj_diag *d)
{
    const Renja__V1__BudgetLine *f = p->f != NONE ? in->from_lines[p->f] : NULL;
    const Renja__V1__BudgetLine *t = p->t != NONE ? in->to_lines[p->t] : NULL;
    const Renja__V1__BudgetLine *now = t ? t : f;
    Renja__V1__DiffRow *r = new_row(p->kode);
    *out = r;
    r->is_line = true;
    r->depth = rj_rekening_depth(p->kode);
    r->nama = rj_q_str(now->nama);
    r->change = kind;
    if (f && t && str_differs(f->nama, t->nama))
        r->nama_from = rj_q_str(f->nama);
    return set_amounts(r, f ? &nodes_f[p->f] : NULL, t ? &nodes_t[p->t] : NULL, d);
}

/* --- groups ---------------------------------------------------------- */

typedef struct group {
    const char *key, *nama;
    int64_t from, to;
} group;

static int group_cmp(const void *a, const void *b)
{
    return strcmp(((const group *)a)->key, ((const group *)b)->key);
}

static int group_add(group **gs, size_t *n, size_t *cap, const char *key, const char *nama,
                     int64_t amount, bool to, rj_diag *d)
{
    size_t i = 0;
    for (; i < *n; i++) /* few groups: bidang and sumber dana are short lists */
        if (strcmp((*gs)[i].key, key) == 0)
            break;
    if (i == *n) {
        *gs = rj_grow(*gs, *n + 1, cap, sizeof **gs, 8);
        (*gs)[(*n)++] = (group){key, nama, 0, 0};
    }
    int64_t *slot = to ? &(*gs)[i].to : &(*gs)[i].from;
    if (__builtin_add_overflow(*slot, amount, slot))
        return rj_diag_set(d, RJ_EOVERFLOW, "pagu of group %s exceeds int64", key);
    return 0;
}

static const char *leaf_field(const Renja__V1__Item *it, bool bidang)
{
    const char *v = bidang ? it->bidang : it->sumber_dana;
    if (v && *v)
        return v;
    return bidang ? "(tanpa bidang)" : "(tanpa sumber dana)";
}

/* The groups given by the store: both sides' lists, merged by name. */
static group *given_groups(const rj_diff_items *k, size_t *n)
{
    size_t i = 0, j = 0, m = 0;
    group *gs = rj_calloc(k->n_groups_from + k->n_groups_to + 1, sizeof *gs);
    while (i < k->n_groups_from || j < k->n_groups_to) {
        const rj_group_sum *f = i < k->n_groups_from ? &k->groups_from[i] : NULL;
        const rj_group_sum *t = j < k->n_groups_to ? &k->groups_to[j] : NULL;
        int c = !f ? 1 : !t ? -1 : strcmp(f->name, t->name);
        gs[m].key = gs[m].nama = c <= 0 ? f->name : t->name;
        gs[m].from = c <= 0 ? f->pagu : 0;
        gs[m].to = c >= 0 ? t->pagu : 0;
        i += c <= 0;
        j += c >= 0;
        m++;
    }
    *n = m;
    return gs;
}

static int build_groups(const rj_diff_input *in, const rj_diff_items *known,
                        const rj_tree_node *inf, const rj_tree_node *int_, const rj_tree_node *lnf,
                        const rj_tree_node *lnt, Renja__V1__DiffResponse *out, rj_diag *d)
{
    const char *by = in->by ? in->by : "";
    group *gs = NULL;
    size_t n = 0, cap = 0;
    int err = 0;
    if (!*by)
        return 0;
    if ((strcmp(by, "bidang") == 0 || strcmp(by, "sumber-dana") == 0) && known) {
        gs = given_groups(known, &n);
    } else if (strcmp(by, "bidang") == 0 || strcmp(by, "sumber-dana") == 0) {
        bool bidang = by[0] == 'b';
        for (int s = 0; s < 2 && !err; s++) {
            Renja__V1__Item **items = s ? in->to_items : in->from_items;
            size_t ni = s ? in->n_to_items : in->n_from_items;
            const rj_tree_node *nodes = s ? int_ : inf;
            for (size_t i = 0; i < ni && !err; i++) {
                if (rj_kode_level(items[i]->kode) != RJ_LEVEL_SUB_KEGIATAN)
                    continue;
                const char *k = leaf_field(items[i], bidang);
                err = group_add(&gs, &n, &cap, k, k, nodes[i].effective, s, d);
            }
        }
    } else if (strcmp(by, "rekening") == 0) {
        for (int s = 0; s < 2 && !err; s++) {
            Renja__V1__BudgetLine **lines = s ? in->to_lines : in->from_lines;
            size_t nl = s ? in->n_to_lines : in->n_from_lines;
            const rj_tree_node *nodes = s ? lnt : lnf;
            for (size_t i = 0; i < nl && !err; i++)
                if (rj_rekening_depth(lines[i]->kode) <= 3)
                    err = group_add(&gs, &n, &cap, lines[i]->kode, lines[i]->nama,
                                    nodes[i].effective, s, d);
        }
    } else {
        return rj_diag_set(d, RJ_EINVAL, "diff by \"%s\": expected bidang, sumber-dana or rekening",
                           by);
    }
    if (!err) {
        /* No groups leaves gs NULL, and qsort(NULL, 0, ...) is undefined. */
        if (n)
            qsort(gs, n, sizeof *gs, group_cmp);
        out->groups = rj_calloc(n, sizeof *out->groups);
        for (size_t i = 0; i < n && !err; i++) {
            Renja__V1__DiffGroup *g = rj_malloc(sizeof *g);
            renja__v1__diff_group__init(g);
            g->key = rj_q_str(gs[i].key);
            g->nama = rj_q_str(gs[i].nama);
            g->pagu_from = gs[i].from;
            g->pagu_to = gs[i].to;
            if (__builtin_sub_overflow(g->pagu_to, g->pagu_from, &g->delta))
                err = rj_diag_set(d, RJ_EOVERFLOW, "pagu change of group %s exceeds int64",
                                  gs[i].key);
            g->has_pct = rj_pct_e2(g->delta, g->pagu_from, &g->pct_e2);
            out->groups[out->n_groups++] = g;
        }
    }
    free(gs);
    return err;
}

/* --- the whole diff ---------------------------------------------------- */

static int emit_items(const rj_diff_input *in, const rj_tree_node *nf, const rj_tree_node *nt,
                      Renja__V1__DiffResponse *out, size_t *cap, rj_diag *d)
{
    size_t n;
    pair *u = merge((side){in->n_from_items, item_kode, in->from_items},
                    (side){in->n_to_items, item_kode, in->to_items}, &n);
    mark_candidates(u, n, in, "item/");
    for (size_t i = 0; i < n; i++) {
        pair *p = &u[i];
        bool differs = p->f != NONE && p->t != NONE &&
                       item_differs(in->from_items[p->f], &nf[p->f], in->to_items[p->t], &nt[p->t]);
        p->row = in->all || (p->candidate && kind_of(p->f, p->t, differs) !=
                                                 RENJA__V1__CHANGE_KIND__CHANGE_UNCHANGED);
    }
    mark_ancestors(u, n, false);
    int err = 0;
    for (size_t i = 0; i < n && !err; i++) {
        pair *p = &u[i];
        if (!p->row || (in->level != RJ_LEVEL_NONE && rj_kode_level(p->kode) > in->level))
            continue;
        /* Ancestors pulled in for context are compared too: their effective
         * pagu moves with their children. */
        bool differs = p->f != NONE && p->t != NONE &&
                       item_differs(in->from_items[p->f], &nf[p->f], in->to_items[p->t], &nt[p->t]);
        Renja__V1__DiffRow *r;
        err = item_row(p, in, nf, nt, kind_of(p->f, p->t, differs), &r, d);
        rj_ptrs_push((void ***)&out->rows, &out->n_rows, cap, r);
    }
    free(u);
    return err;
}

static int emit_lines(const rj_diff_input *in, const rj_tree_node *nf, const rj_tree_node *nt,
                      Renja__V1__DiffResponse *out, size_t *cap, rj_diag *d)
{
    size_t n;
    pair *u = merge((side){in->n_from_lines, line_kode, in->from_lines},
                    (side){in->n_to_lines, line_kode, in->to_lines}, &n);
    mark_candidates(u, n, in, "line/");
    for (size_t i = 0; i < n; i++) {
        pair *p = &u[i];
        bool differs = p->f != NONE && p->t != NONE &&
                       line_differs(in->from_lines[p->f], &nf[p->f], in->to_lines[p->t], &nt[p->t]);
        p->row = in->all || (p->candidate && kind_of(p->f, p->t, differs) !=
                                                 RENJA__V1__CHANGE_KIND__CHANGE_UNCHANGED);
    }
    mark_ancestors(u, n, true);
    int err = 0;
    for (size_t i = 0; i < n && !err; i++) {
        pair *p = &u[i];
        if (!p->row)
            continue;
        bool differs = p->f != NONE && p->t != NONE &&
                       line_differs(in->from_lines[p->f], &nf[p->f], in->to_lines[p->t], &nt[p->t]);
        Renja__V1__DiffRow *r;
        err = line_row(p, in, nf, nt, kind_of(p->f, p->t, differs), &r, d);
        rj_ptrs_push((void ***)&out->rows, &out->n_rows, cap, r);
    }
    free(u);
    return err;
}

int rj_diff_compute(const rj_diff_input *in, Renja__V1__DiffResponse *out, rj_diag *d)
{
    return rj_diff_compute_items(in, NULL, out, d);
}

int rj_diff_compute_items(const rj_diff_input *in, const rj_diff_items *known,
                          Renja__V1__DiffResponse *out, rj_diag *d)
{
    rj_tree_node *inf = NULL, *int_ = NULL, *lnf = NULL, *lnt = NULL;
    size_t cap = 0;
    bool given = known != NULL;
    int err = 0;
    if (given) {
        if (in->by && *in->by && strcmp(in->by, "rekening") != 0 && !known->groups)
            return rj_diag_set(d, RJ_EINVAL, "diff by \"%s\": needs the whole item sides", in->by);
        inf = (rj_tree_node *)known->from;
        int_ = (rj_tree_node *)known->to;
    } else {
        err = rj_tree_items(in->from_items, in->n_from_items, &inf, d);
        if (!err)
            err = rj_tree_items(in->to_items, in->n_to_items, &int_, d);
    }
    if (!err)
        err = rj_tree_lines(in->from_lines, in->n_from_lines, &lnf, d);
    if (!err)
        err = rj_tree_lines(in->to_lines, in->n_to_lines, &lnt, d);

    Renja__V1__DiffTotal *tot = rj_malloc(sizeof *tot);
    renja__v1__diff_total__init(tot);
    out->total = tot;
    if (!err) {
        bool items = given ? known->items_any : in->n_from_items || in->n_to_items;
        if (given && items) {
            tot->pagu_from = known->total_from;
            tot->pagu_to = known->total_to;
        } else {
            err = rj_tree_total(items ? inf : lnf, items ? in->n_from_items : in->n_from_lines,
                                &tot->pagu_from, d);
            if (!err)
                err = rj_tree_total(items ? int_ : lnt, items ? in->n_to_items : in->n_to_lines,
                                    &tot->pagu_to, d);
        }
        if (!err && __builtin_sub_overflow(tot->pagu_to, tot->pagu_from, &tot->delta))
            err = rj_diag_set(d, RJ_EOVERFLOW, "change of the plan total exceeds int64");
        if (!err)
            tot->has_pct = rj_pct_e2(tot->delta, tot->pagu_from, &tot->pct_e2);
    }
    if (!err)
        err = emit_items(in, inf, int_, out, &cap, d);
    /* A level names a level of the program tree: budget lines have none, so
     * a diff limited to a level shows items only. */
    if (!err && in->level == RJ_LEVEL_NONE)
        err = emit_lines(in, lnf, lnt, out, &cap, d);
    if (!err)
        err = build_groups(in, given && known->groups ? known : NULL, inf, int_, lnf, lnt, out, d);
    if (!given) {
        free(inf);
        free(int_);
    }
    free(lnf);
    free(lnt);
    return err;
}
