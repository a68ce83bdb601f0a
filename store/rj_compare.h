/* The compare engine's core (Tabel 3.2): one version of a plan per column,
 * rows in kode order with one effective pagu per column. No store access;
 * rj_query.h feeds it from a snapshot.
 *
 * A row exists when its kode exists at any column; present[i] says whether
 * it does at column i (its value is then 0). values has one entry per
 * column, or with deltas one per consecutive pair (value[i] - value[i-1]).
 * pct is (last - first) / first, absent when first is 0. With what = "all"
 * item rows come first, then budget-line rows.
 *
 * Columns may share an array (the same pointer, e.g. stages on one
 * revision): its tree is then computed once and merged once.
 */
#ifndef RJ_COMPARE_H
#define RJ_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_error.h"

typedef struct rj_compare_column {
    Renja__V1__Item **items; /* sorted by kode; pagu_rollup gets filled */
    size_t n_items;
    Renja__V1__BudgetLine **lines; /* sorted by kode; pagu_rollup, depth get filled */
    size_t n_lines;
} rj_compare_column;

/* what: NULL, "" or "lines"; "items"; "all". Fills out->rows (malloc'd, as
 * rj_diff.h); out->stages is the caller's. RJ_EINVAL for an unknown what,
 * no columns, or deltas with fewer than two columns. */
int rj_compare_compute(rj_compare_column *cols, size_t n_cols, const char *what, bool deltas,
                       Renja__V1__CompareResponse *out, rj_diag *d);

#endif
