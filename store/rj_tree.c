#include "rj_tree.h"

#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"
#include "rj_kode.h"

size_t rj_tree_find(const void *arr, size_t n, const char *(*get)(const void *arr, size_t i),
                    const char *kode)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(get(arr, mid), kode);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return RJ_TREE_ROOT;
}

bool rj_tree_inside(const char *kode, const char *anc)
{
    size_t n = strlen(anc);
    return strncmp(kode, anc, n) == 0 && kode[n] == '.';
}

int rj_tree_compute(rj_tree_node *nodes, size_t n, rj_diag *d)
{
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(nodes[i - 1].kode, nodes[i].kode) >= 0)
            return rj_diag_set(d, RJ_EINVAL, "kode %s follows %s: expected sorted, unique kodes",
                               nodes[i].kode, nodes[i - 1].kode);
        nodes[i].parent = RJ_TREE_ROOT;
        nodes[i].n_children = 0;
        nodes[i].rollup = 0;
        nodes[i].child_sum = 0;
        nodes[i].effective = 0;
    }
    /* The nearest present ancestor, with a stack of the open ancestors:
     * in tree order a subtree is contiguous, so the ancestors of node i are
     * what remains on the stack after popping those i is not inside. A
     * missing level (a validation error) therefore does not make a subtree
     * a second root. Linear, and no kode parsing. */
    size_t *stack = rj_malloc((n ? n : 1) * sizeof *stack), depth = 0;
    for (size_t i = 0; i < n; i++) {
        while (depth && !rj_tree_inside(nodes[i].kode, nodes[stack[depth - 1]].kode))
            depth--;
        if (depth) {
            nodes[i].parent = stack[depth - 1];
            nodes[stack[depth - 1]].n_children++;
        }
        stack[depth++] = i;
    }
    free(stack);
    /* Descendants sort after their ancestor, so walking backwards finishes
     * every child before its parent. */
    for (size_t i = n; i-- > 0;) {
        rj_tree_node *x = &nodes[i];
        x->rollup = x->n_children ? x->child_sum : (x->has_pagu ? x->pagu : 0);
        x->effective = x->has_pagu ? x->pagu : x->child_sum; /* 0 for a leaf */
        if (x->parent != RJ_TREE_ROOT) {
            rj_tree_node *p = &nodes[x->parent];
            if (__builtin_add_overflow(p->child_sum, x->effective, &p->child_sum))
                return rj_diag_set(d, RJ_EOVERFLOW,
                                   "pagu of %s: the sum of its children exceeds int64", p->kode);
        }
    }
    return 0;
}

int rj_tree_total(const rj_tree_node *nodes, size_t n, int64_t *total, rj_diag *d)
{
    int64_t t = 0;
    for (size_t i = 0; i < n; i++)
        if (nodes[i].parent == RJ_TREE_ROOT && __builtin_add_overflow(t, nodes[i].effective, &t))
            return rj_diag_set(d, RJ_EOVERFLOW, "plan total exceeds int64 at %s", nodes[i].kode);
    *total = t;
    return 0;
}

int rj_tree_items(Renja__V1__Item **items, size_t n, rj_tree_node **out, rj_diag *d)
{
    rj_tree_node *nodes = rj_calloc(n, sizeof *nodes);
    for (size_t i = 0; i < n; i++) {
        nodes[i].kode = items[i]->kode;
        nodes[i].has_pagu = items[i]->has_pagu;
        nodes[i].pagu = items[i]->pagu;
    }
    int err = rj_tree_compute(nodes, n, d);
    if (err == 0)
        for (size_t i = 0; i < n; i++)
            items[i]->pagu_rollup = nodes[i].rollup;
    if (err == 0 && out)
        *out = nodes;
    else
        free(nodes);
    return err;
}

int rj_tree_lines(Renja__V1__BudgetLine **lines, size_t n, rj_tree_node **out, rj_diag *d)
{
    rj_tree_node *nodes = rj_calloc(n, sizeof *nodes);
    for (size_t i = 0; i < n; i++) {
        nodes[i].kode = lines[i]->kode;
        nodes[i].has_pagu = lines[i]->has_pagu;
        nodes[i].pagu = lines[i]->pagu;
    }
    int err = rj_tree_compute(nodes, n, d);
    if (err == 0)
        for (size_t i = 0; i < n; i++) {
            lines[i]->pagu_rollup = nodes[i].rollup;
            lines[i]->depth = rj_rekening_depth(lines[i]->kode);
        }
    if (err == 0 && out)
        *out = nodes;
    else
        free(nodes);
    return err;
}

int rj_tree_rollup_items(Renja__V1__Item **items, size_t n)
{
    return rj_tree_items(items, n, NULL, NULL);
}

int rj_tree_rollup_lines(Renja__V1__BudgetLine **lines, size_t n)
{
    return rj_tree_lines(lines, n, NULL, NULL);
}
