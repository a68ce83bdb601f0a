#include "rj_compare.h"

#include <stdlib.h>
#include <string.h>

#include "rj_kode.h"
#include "rj_num.h"
#include "rj_qutil.h"
#include "rj_tree.h"

/* One distinct source of one kind (items or lines): columns that share
 * their array (stages on one revision) share a view, so its tree is
 * computed once and the merge compares its kodes once per row. */
typedef struct colview {
    size_t n, at; /* at: merge cursor */
    bool lines;
    const void *arr;
    rj_tree_node *nodes;
    bool hit; /* the current row's kode is at this view's cursor */
} colview;

static const char *kode_at(const colview *v, size_t i)
{
    return v->lines ? ((Renja__V1__BudgetLine *const *)v->arr)[i]->kode
                    : ((Renja__V1__Item *const *)v->arr)[i]->kode;
}

static const char *nama_at(const colview *v, size_t i)
{
    return v->lines ? ((Renja__V1__BudgetLine *const *)v->arr)[i]->nama
                    : ((Renja__V1__Item *const *)v->arr)[i]->nama;
}

/* Rows for the union of the columns' kodes: a k-way merge of the sorted
 * views, O(rows x views) comparisons. src[c] is column c's view. */
static int emit(colview *cv, size_t nv, const size_t *src, size_t k, bool lines, bool deltas,
                Renja__V1__CompareResponse *out, size_t *cap, rj_diag *d)
{
    int err = 0;
    while (!err) {
        const char *kode = NULL;
        for (size_t u = 0; u < nv; u++)
            if (cv[u].at < cv[u].n) {
                const char *x = kode_at(&cv[u], cv[u].at);
                if (!kode || strcmp(x, kode) < 0)
                    kode = x;
            }
        if (!kode)
            break;
        for (size_t u = 0; u < nv; u++)
            cv[u].hit = cv[u].at < cv[u].n && strcmp(kode_at(&cv[u], cv[u].at), kode) == 0;
        Renja__V1__CompareRow *r = rj_malloc(sizeof *r);
        renja__v1__compare_row__init(r);
        rj_ptrs_push((void ***)&out->rows, &out->n_rows, cap, r);
        r->kode = rj_q_str(kode);
        r->is_line = lines;
        r->depth = lines ? rj_rekening_depth(kode) : (int32_t)rj_kode_level(kode);
        int64_t *v = rj_calloc(k, sizeof *v);
        r->present = rj_calloc(k, sizeof *r->present);
        r->n_present = k;
        const char *nama = "";
        for (size_t c = 0; c < k; c++) {
            const colview *x = &cv[src[c]];
            if (x->hit) {
                r->present[c] = true;
                v[c] = x->nodes[x->at].effective;
                nama = nama_at(x, x->at); /* the latest column's nama */
            }
        }
        for (size_t u = 0; u < nv; u++)
            cv[u].at += cv[u].hit;
        r->nama = rj_q_str(nama);
        int64_t delta;
        if (__builtin_sub_overflow(v[k - 1], v[0], &delta))
            err = rj_diag_set(d, RJ_EOVERFLOW, "pagu change of %s exceeds int64", r->kode);
        else
            r->has_pct = rj_pct_e2(delta, v[0], &r->pct_e2);
        if (deltas) {
            for (size_t c = 1; c < k && !err; c++)
                if (__builtin_sub_overflow(v[c], v[c - 1], &v[c - 1]))
                    err = rj_diag_set(d, RJ_EOVERFLOW, "pagu change of %s exceeds int64", r->kode);
            r->n_values = k - 1;
        } else {
            r->n_values = k;
        }
        r->values = v;
    }
    return err;
}

/* Column c's view of one kind: the view of an earlier column with the
 * same array, or a new one (*nv grows) with its tree. */
static int view_of(const rj_compare_column *col, bool lines, colview *cv, size_t *nv, size_t *src,
                   rj_diag *d)
{
    const void *arr = lines ? (const void *)col->lines : (const void *)col->items;
    size_t n = lines ? col->n_lines : col->n_items;
    size_t u = 0;
    while (u < *nv && !(cv[u].arr == arr && cv[u].n == n))
        u++;
    *src = u;
    if (u < *nv)
        return 0;
    cv[(*nv)++] = (colview){.n = n, .lines = lines, .arr = arr};
    return lines ? rj_tree_lines(col->lines, n, &cv[u].nodes, d)
                 : rj_tree_items(col->items, n, &cv[u].nodes, d);
}

int rj_compare_compute(rj_compare_column *cols, size_t n_cols, const char *what, bool deltas,
                       Renja__V1__CompareResponse *out, rj_diag *d)
{
    const char *w = what && *what ? what : "lines";
    bool items = strcmp(w, "items") == 0 || strcmp(w, "all") == 0;
    bool lines = strcmp(w, "lines") == 0 || strcmp(w, "all") == 0;
    if (!items && !lines)
        return rj_diag_set(d, RJ_EINVAL, "compare what \"%s\": expected lines, items or all", w);
    if (n_cols == 0)
        return rj_diag_set(d, RJ_EINVAL, "compare needs at least one ref");
    if (deltas && n_cols < 2)
        return rj_diag_set(d, RJ_EINVAL, "compare with deltas needs at least two refs, got %zu",
                           n_cols);
    colview *iv = rj_calloc(n_cols, sizeof *iv), *lv = rj_calloc(n_cols, sizeof *lv);
    size_t *isrc = rj_calloc(n_cols, sizeof *isrc), *lsrc = rj_calloc(n_cols, sizeof *lsrc);
    int err = 0;
    size_t ni = 0, nl = 0;
    for (size_t c = 0; c < n_cols && !err; c++) {
        if (items)
            err = view_of(&cols[c], false, iv, &ni, &isrc[c], d);
        if (!err && lines)
            err = view_of(&cols[c], true, lv, &nl, &lsrc[c], d);
    }
    size_t cap = 0;
    if (!err && items)
        err = emit(iv, ni, isrc, n_cols, false, deltas, out, &cap, d);
    if (!err && lines)
        err = emit(lv, nl, lsrc, n_cols, true, deltas, out, &cap, d);
    for (size_t c = 0; c < n_cols; c++) {
        free(iv[c].nodes);
        free(lv[c].nodes);
    }
    free(iv);
    free(lv);
    free(isrc);
    free(lsrc);
    return err;
}
