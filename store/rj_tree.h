/* Roll-ups of the program tree and of budget lines.
 *
 * Input arrays are sorted by canonical kode (byte order is tree order) and
 * are borrowed; nothing is kept after a call returns.
 *
 *   roll-up    = a leaf's own pagu (0 when undeclared); a parent's is
 *                child_sum: Item.pagu_rollup, "the sum of its children"
 *   effective  = the declared pagu where declared, else the sum of the
 *                children's effective pagu (0 for an undeclared leaf): the
 *                figure diffs, compares and totals show, as a printed table
 *                adds up the rows directly below a blank parent
 *   child_sum  = the sum of the children's effective pagu, which a declared
 *                parent pagu is checked against
 *
 * The two differ only where a declared pagu disagrees with its children (a
 * validation finding); the seed's tables have such rows, and their totals
 * are sums of the declared figures, hence effective pagu.
 *
 * An item whose parent is absent hangs under its nearest present ancestor;
 * with none it is a root. The plan total is the sum of the roots' effective
 * pagu.
 */
#ifndef RJ_TREE_H
#define RJ_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "renja/v1/model.pb-c.h"
#include "rj_error.h"

#define RJ_TREE_ROOT SIZE_MAX

typedef struct rj_tree_node {
    const char *kode;  /* in: canonical, borrowed */
    bool has_pagu;     /* in */
    int64_t pagu;      /* in */
    size_t parent;     /* out: index of the nearest present ancestor, or RJ_TREE_ROOT */
    size_t n_children; /* out */
    int64_t rollup;    /* out */
    int64_t child_sum; /* out */
    int64_t effective; /* out */
} rj_tree_node;

/* Compute the outputs of nodes[0..n) (sorted by kode; program-tree and
 * rekening kodes alike, both nest as "<parent>.<segment>"). Linear. RJ_EINVAL when not sorted or a
 * kode repeats, RJ_EOVERFLOW when a sum leaves int64; d names the kode. */
int rj_tree_compute(rj_tree_node *nodes, size_t n, rj_diag *d);

/* Fill pagu_rollup of every item (and depth of every line). When nodes is
 * not NULL it gets a malloc'd array of n nodes (caller frees; kode pointers
 * borrow from the messages). */
int rj_tree_items(Renja__V1__Item **items, size_t n, rj_tree_node **nodes, rj_diag *d);
int rj_tree_lines(Renja__V1__BudgetLine **lines, size_t n, rj_tree_node **nodes, rj_diag *d);

/* The same without nodes or diag, for reads that only show roll-ups
 * (Show, Export). Returns 0, RJ_EINVAL (unsorted) or RJ_EOVERFLOW. */
int rj_tree_rollup_items(Renja__V1__Item **items, size_t n);
int rj_tree_rollup_lines(Renja__V1__BudgetLine **lines, size_t n);

/* Sum of the roots' effective pagu (the plan total). RJ_EOVERFLOW if it
 * does not fit. */
int rj_tree_total(const rj_tree_node *nodes, size_t n, int64_t *total, rj_diag *d);

/* Is kode strictly inside the subtree of anc? Canonical kodes of both
 * kinds extend their parent's kode by ".<segment>". The one definition of
 * the tree that roll-ups and the incremental diff both follow. */
bool rj_tree_inside(const char *kode, const char *anc);

/* Index of kode in a sorted array of n kodes reached through get(arr, i),
 * or RJ_TREE_ROOT when absent. */
size_t rj_tree_find(const void *arr, size_t n, const char *(*get)(const void *arr, size_t i),
                    const char *kode);

#endif
