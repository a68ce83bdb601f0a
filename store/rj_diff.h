/* The diff engine's core (Tabel 3.3): two versions of a plan in, DiffRows,
 * the total and roll-up groups out. No store access; rj_query.h feeds it
 * from a snapshot.
 *
 * Rows: every kode that changed (added, removed, or any of pagu, nama,
 * bidang, lokasi, sumber dana, indikator differs), plus its ancestors for
 * context (CHANGE_UNCHANGED when only a descendant changed and their own
 * effective pagu did not move); with all, every kode. Items first, in kode
 * order, then budget lines in kode order. pagu_from/to are effective pagu
 * (rj_tree.h); pct is delta / pagu_from, absent when pagu_from is 0.
 *
 * Total: the sum of the roots' effective pagu of the program tree at each
 * side (of the budget lines when neither side has items).
 *
 * Groups (by): "bidang" and "sumber-dana" sum sub kegiatan by their own
 * field ("(tanpa bidang)", "(tanpa sumber dana)" when empty); "rekening"
 * lists budget lines of depth <= 3.
 */
#ifndef RJ_DIFF_H
#define RJ_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_error.h"
#include "rj_kode.h"

typedef struct rj_diff_input {
    /* Complete versions of the plan at each side, sorted by kode. Borrowed;
     * rj_diff_compute fills their pagu_rollup (and lines' depth). The two
     * sides may share message objects for kodes that did not change: the
     * figures come from the engine's own roll-up, never from pagu_rollup. */
    Renja__V1__Item **from_items;
    size_t n_from_items;
    Renja__V1__Item **to_items;
    size_t n_to_items;
    Renja__V1__BudgetLine **from_lines;
    size_t n_from_lines;
    Renja__V1__BudgetLine **to_lines;
    size_t n_to_lines;
    /* Store keys ("item/<kode>", "line/<kode>", others ignored) outside of
     * which the two sides are known to be equal, e.g. from
     * rj_snap_changed_keys(); NULL = compare every kode. The rows are the
     * same either way, only cheaper with the list. */
    char **changed;
    size_t n_changed;
    rj_level level; /* item rows at this level and above; RJ_LEVEL_NONE = all */
    const char *by; /* NULL or "", "bidang", "sumber-dana", "rekening" */
    bool all;       /* also rows that did not change */
} rj_diff_input;

/* Fill out->total, out->rows and out->groups (every field malloc'd: free
 * the message with protobuf_c_message_free_unpacked, or its contents with
 * rj_query_clear). out must be initialised and have no rows or groups yet.
 * RJ_EINVAL for an unknown `by` or unsorted input; RJ_EOVERFLOW. */
int rj_diff_compute(const rj_diff_input *in, Renja__V1__DiffResponse *out, rj_diag *d);

/* The item trees of a diff, already known (from the stored roll-ups):
 * from and to are the nodes (rj_tree.h, outputs filled) parallel to
 * in->from_items and in->to_items, which may then hold only the kodes of
 * the changed items and all their present ancestors; total_from/to are the
 * plan totals of the whole sides and items_any whether either whole side
 * has items. Budget lines stay complete. */
typedef struct rj_diff_items {
    const struct rj_tree_node *from, *to;
    int64_t total_from, total_to;
    bool items_any;
    /* For a `by` of bidang or sumber-dana, which sums every sub kegiatan:
     * each side's groups in name order (rj_store.h, rj_snap_groups). */
    const struct rj_group_sum *groups_from, *groups_to;
    size_t n_groups_from, n_groups_to;
    bool groups;
} rj_diff_items;

/* rj_diff_compute with the item trees given. A `by` of bidang or
 * sumber-dana needs the groups given too (RJ_EINVAL without). */
int rj_diff_compute_items(const rj_diff_input *in, const rj_diff_items *items,
                          Renja__V1__DiffResponse *out, rj_diag *d);

/* out->goals: one row per tujuan or sasaran added, removed or changed
 * (nama, indikator: targets as in item rows; no pagu), every one with all.
 * from and to sorted by kode. */
void rj_diff_goals(Renja__V1__Goal *const *from, size_t nf, Renja__V1__Goal *const *to, size_t nt,
                   bool all, Renja__V1__DiffResponse *out);

#endif
