#include "rj_compare.h"

#include <stdlib.h>
#include <string.h>

#include "rj_kode.h"
#include "rj_num.h"
#include "rj_qutil.h"
#include "rj_tree.h"

/* One column's view of one kind (items or lines). */
typedef struct colview {
    size_t n, at; /* at: merge cursor */
    const char *(*kode)(const struct colview *c, size_t i);
    const char *(*nama)(const struct colview *c, size_t i);
    void *arr;
    rj_tree_node *nodes;
} colview;

static const char *ik(const colview *c, size_t i)
{
    return ((Renja__V1__Item **)c->arr)[i]->kode;
}
static const char *in_(const colview *c, size_t i)
{
    return ((Renja__V1__Item **)c->arr)[i]->nama;
}
static const char *lk(const colview *c, size_t i)
{
    return ((Renja__V1__BudgetLine **)c->arr)[i]->kode;
}
static const char *ln_(const colview *c, size_t i)
{
    return ((Renja__V1__BudgetLine **)c->arr)[i]->nama;
}

/* Rows for the union of the columns' kodes: a k-way merge of the sorted
 * columns, O(rows x columns) comparisons. */
static int emit(colview *cv, size_t k, bool lines, bool deltas, Renja__V1__CompareResponse *out,
                size_t *cap, rj_diag *d)
{
    int err = 0;
    for (;;) {
        const char *kode = NULL;
        for (size_t c = 0; c < k; c++)
            if (cv[c].at < cv[c].n) {
                const char *x = cv[c].kode(&cv[c], cv[c].at);
                if (!kode || strcmp(x, kode) < 0)
                    kode = x;
            }
        if (!kode || err)
            break;
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
            colview *x = &cv[c];
            if (x->at < x->n && strcmp(x->kode(x, x->at), r->kode) == 0) {
                r->present[c] = true;
                v[c] = x->nodes[x->at].effective;
                nama = x->nama(x, x->at); /* the latest column's nama */
                x->at++;
            }
        }
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
    int err = 0;
    for (size_t c = 0; c < n_cols && !err; c++) {
        iv[c] = (colview){cols[c].n_items, 0, ik, in_, cols[c].items, NULL};
        lv[c] = (colview){cols[c].n_lines, 0, lk, ln_, cols[c].lines, NULL};
        if (items)
            err = rj_tree_items(cols[c].items, cols[c].n_items, &iv[c].nodes, d);
        if (!err && lines)
            err = rj_tree_lines(cols[c].lines, cols[c].n_lines, &lv[c].nodes, d);
    }
    size_t cap = 0;
    if (!err && items)
        err = emit(iv, n_cols, false, deltas, out, &cap, d);
    if (!err && lines)
        err = emit(lv, n_cols, true, deltas, out, &cap, d);
    for (size_t c = 0; c < n_cols; c++) {
        free(iv[c].nodes);
        free(lv[c].nodes);
    }
    free(iv);
    free(lv);
    return err;
}
