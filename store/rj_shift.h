/* The row-shift rule of validate: what explains a roll-up mismatch.
 *
 * A printed table whose figures slipped one row keeps every figure but puts
 * one of them on the wrong row; the parent above the slip then differs from
 * the sum of its children by exactly that figure. For each parent (item or
 * budget line) whose declared pagu differs from the sum of its children, the
 * gap (declared minus children) is looked up among the declared pagu of the
 * same version:
 *
 *   gap > 0  a row outside the parent's own line of descent (not the parent,
 *            an ancestor or a descendant), of the program tree or a budget
 *            line, whose declared pagu equals the gap: it may belong among
 *            the children;
 *   gap < 0  a direct child whose declared pagu equals minus the gap: it may
 *            belong elsewhere.
 *
 * Versions are fed in stage order. A row is named only when it matches
 * exactly at every version where the parent has a gap (the gap may differ
 * from version to version); rows that match at some of them only are not
 * named. Several rows matching everywhere are a tie: all are named, in kode
 * order. A gap that equals the figure of more than RJ_SHIFT_MAX rows at a
 * version explains nothing there, and its parent gets no finding.
 *
 * Cost per version: linear in items + lines (the gaps are hashed, each
 * figure looked up once), plus the subtrees of parents with a negative gap.
 * Memory kept between versions: the mismatched parents and their candidates
 * only.
 */
#ifndef RJ_SHIFT_H
#define RJ_SHIFT_H

#include <stddef.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_error.h"

#define RJ_SHIFT_MAX 8

typedef struct rj_shift rj_shift;

rj_shift *rj_shift_new(void);
void rj_shift_free(rj_shift *s);

/* Add one version: items and lines sorted by canonical kode (borrowed for
 * the call only; their pagu_rollup gets filled). label names it in messages
 * ("apbd", "head"). RJ_EINVAL when unsorted, RJ_EOVERFLOW when a sum leaves
 * int64 (as rj_tree_items); d names the kode. */
int rj_shift_add(rj_shift *s, const char *label, Renja__V1__Item **items, size_t n_items,
                 Renja__V1__BudgetLine **lines, size_t n_lines, rj_diag *d);

/* Name one more stage that shares the last added version ("perkada-1" and
 * "perkada-8" on one revision read as one version). */
void rj_shift_label_append(rj_shift *s, const char *label);

/* Append one warning "row-shift" per explained parent to out->findings. */
void rj_shift_report(const rj_shift *s, Renja__V1__ValidateResponse *out);

#endif
