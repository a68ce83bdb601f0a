/* The evaluation engine's core (Tabel 2-1, Permendagri 86/2017). No store
 * access; rj_query.h feeds it from a snapshot.
 *
 * One EvalRow per indikator of every item, in kode then indikator order:
 *   capaian = realisasi / target x 100 (tren negatif: target / realisasi x 100)
 * in hundredths, rounded half away from zero with 128-bit integers; the
 * predikat is decided on the exact ratio (90,999 is Tinggi):
 *   >= 91 Sangat Tinggi, >= 76 Tinggi, >= 66 Sedang, >= 51 Rendah, else
 *   Sangat Rendah.
 * Breakdown: a realisasi with rows by lokasi, on an indikator with a
 * formula, gets row->breakdown (each lokasi's percentage) and
 * row->computed_e4 (the formula's total); capaian stays that of the stated
 * realisasi.
 * Units: a realisasi with a satuan is measured against the part of the
 * target in that unit (Indikator.parts, or the target and its satuan;
 * compared without regard to case); the row then shows that part's value
 * and satuan. A realisasi without satuan (stored before units were kept)
 * is measured against the target as it is.
 * Without capaian the row says why in note: "not reported", "target is 0",
 * "realisasi is counted in bulan, the target in paket",
 * "target is not a number: \"...\"", "realisasi is 0 (tren negatif)",
 * "capaian is out of range (beyond int64 hundredths)" (then no predikat).
 * One EvalAnggaran per sub kegiatan with realisasi anggaran reported:
 * serapan = realisasi anggaran / effective pagu x 100.
 * Summary: rows per predikat; not_reported; no_capaian (reported, no
 * capaian); met = sub kegiatan whose every indikator has capaian >= 100;
 * not_started = sub kegiatan with reported realisasi, all of it 0.
 */
#ifndef RJ_EVAL_H
#define RJ_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_arena.h"
#include "rj_error.h"

typedef struct rj_eval_input {
    Renja__V1__Item **items; /* sorted by kode; pagu_rollup gets filled */
    size_t n_items;
    Renja__V1__Realisasi *const *reals; /* any order, any triwulan */
    size_t n_reals;
    int tw;                        /* 1..4: only realisasi of this triwulan counts (cumulative) */
    Renja__V1__Goal *const *goals; /* tujuan and sasaran, sorted by kode; may be NULL */
    size_t n_goals;
} rj_eval_input;

/* Fill out->rows, out->anggaran, out->summary and out->goal_rows (Tabel 2:
 * one row per indikator of every goal, the same capaian and predikat,
 * level unspecified, not counted in the summary). All of it, strings too,
 * is allocated in a, none borrowed from in: out is done with when a is
 * freed, and must never be given to protobuf_c_message_free_unpacked.
 * RJ_EINVAL for a triwulan outside 1..4 or unsorted items. */
int rj_eval_compute(const rj_eval_input *in, Renja__V1__EvaluateResponse *out, rj_arena *a,
                    rj_diag *d);

/* The total of a breakdown by the formula (RATIO: sum num / sum den x 100;
 * GROWTH: (sum after - sum before) / sum before x 100), four decimals, half
 * away from zero, summed in 128 bits. false for no rows, FORMULA_NONE, a
 * zero denominator or a result beyond int64. */
bool rj_eval_breakdown_total(Renja__V1__Formula f, Renja__V1__BreakdownRow *const *rows, size_t n,
                             int64_t *out_e4);

/* Predikat of the capaian num/den x 100, decided on the exact ratio. den != 0. */
const char *rj_eval_predikat(int64_t num, int64_t den);

#endif
