/* The validation engine's core: findings about one version of a plan, about
 * consecutive stages, and about a submit's change list. No store access;
 * rj_query.h feeds it from a snapshot.
 *
 * Rules (severity):
 *   rollup-mismatch (error)    a declared parent pagu (item or budget line)
 *                              differs from the sum of its children's
 *                              effective pagu
 *   missing-parent (error)     the parent kode is absent
 *   level-mismatch (error)     item.level is not the level of its kode
 *   negative-pagu (error)      a declared pagu below 0
 *   target-not-number (warning) an indikator target written as text only
 *                              (of an item or of a tujuan or sasaran)
 *   missing-sasaran (warning)  a program names a sasaran the plan lacks
 *   satuan-mismatch (warning)  a realisasi counted in a unit its target has
 *                              no part in (no capaian for it)
 *   breakdown-mismatch (warning) a stated realisasi differs from the total
 *                              of its breakdown by lokasi (compared at the
 *                              decimals the realisasi is written with)
 *   satuan-changed (warning)   an indikator's satuan differs between two
 *                              consecutive stages (same indikator number)
 *   duplicate-kode (error)     a key twice in one submit
 *   serapan-over-pagu (warning) realisasi anggaran above the sub kegiatan's
 *                              pagu (serapan over 100%)
 *   row-shift (warning)        the gap of a rollup-mismatch is exactly the
 *                              pagu of another row at every stage where the
 *                              gap exists (rj_shift.h)
 *
 * Every function appends to out->findings (malloc'd, freeable with
 * protobuf_c_message_free_unpacked); rj_validate_sort orders them by kode,
 * then rule.
 */
#ifndef RJ_VALIDATE_H
#define RJ_VALIDATE_H

#include <stddef.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_error.h"

/* items and lines sorted by kode; items' pagu_rollup gets filled. */
int rj_validate_version(Renja__V1__Item **items, size_t n_items, Renja__V1__BudgetLine **lines,
                        size_t n_lines, Renja__V1__ValidateResponse *out, rj_diag *d);

/* Goal rules: target-not-number of goal indikator; missing-sasaran of
 * items naming a sasaran not among goals (sorted by kode). */
void rj_validate_goals(Renja__V1__Goal *const *goals, size_t n_goals, Renja__V1__Item *const *items,
                       size_t n_items, Renja__V1__ValidateResponse *out);

/* satuan-mismatch over the realisasi (any triwulan) of items and goals,
 * both sorted by kode; realisasi without satuan are not judged. */
void rj_validate_units(Renja__V1__Item *const *items, size_t n_items, Renja__V1__Goal *const *goals,
                       size_t n_goals, Renja__V1__Realisasi *const *reals, size_t n_reals,
                       Renja__V1__ValidateResponse *out);

/* breakdown-mismatch over the realisasi of items and goals (sorted). */
void rj_validate_breakdowns(Renja__V1__Item *const *items, size_t n_items,
                            Renja__V1__Goal *const *goals, size_t n_goals,
                            Renja__V1__Realisasi *const *reals, size_t n_reals,
                            Renja__V1__ValidateResponse *out);

/* satuan-changed between stage a (earlier) and stage b, both sorted by kode;
 * findings carry the kode and name both stages. */
void rj_validate_satuan(Renja__V1__Item *const *a, size_t na, const char *stage_a,
                        Renja__V1__Item *const *b, size_t nb, const char *stage_b,
                        Renja__V1__ValidateResponse *out);

/* serapan-over-pagu: reals (any order) against items sorted by kode with
 * pagu_rollup filled (by rj_validate_version). */
void rj_validate_serapan(Renja__V1__Item *const *items, size_t n_items,
                         Renja__V1__Realisasi *const *reals, size_t n_reals,
                         Renja__V1__ValidateResponse *out);

/* duplicate-kode over one submit: an item, a budget line, or a realisasi
 * (kode, triwulan, indikator) named twice. Kodes are compared as written:
 * canonicalise them first. Returns the number of findings added. */
size_t rj_validate_duplicates(Renja__V1__Change *const *changes, size_t n,
                              Renja__V1__ValidateResponse *out);

/* Append one finding; message (English, for machine formats) and pesan
 * (the same in Indonesian, for people) are malloc'd and taken. */
void rj_validate_finding(Renja__V1__ValidateResponse *out, const char *severity, const char *kode,
                         const char *rule, char *message, char *pesan);

void rj_validate_sort(Renja__V1__ValidateResponse *out);

/* Number of findings with severity "error". */
size_t rj_validate_errors(const Renja__V1__ValidateResponse *out);

#endif
