/* Codes of the program tree (Kepmendagri 050-5889/2021 as amended by
 * 900.1.15.5-1317/2023) and of rekening (Permendagri 90/2019).
 *
 * Canonical program-tree kode, fixed width per segment so that byte order is
 * tree order:
 *   urusan        2.17                 (U.BB)
 *   program       2.17.01              (U.BB.PP)
 *   kegiatan      2.17.01.1.01         (U.BB.PP.L.KK; L = 1 provinsi, 2 kab/kota)
 *   sub kegiatan  2.17.01.1.01.0001    (U.BB.PP.L.KK.SSSS)
 * Accepted on input as printed in real documents: 2.17.01.101 (L and KK
 * joined), 2.17.01.1.02, 2.17.01.101.01, 2.17.01.1.08.02, 2.17.07.1.01.011
 * (sub kegiatan of 1..4 digits, zero-padded to 4).
 *
 * Canonical rekening: 5, 5.1, 5.1.01, 5.1.01.01, 5.1.01.01.01,
 * 5.1.01.01.01.0001 (widths 1,1,2,2,2,4); shorter segments are zero-padded.
 *
 * Input details: surrounding blanks are trimmed, and positions in messages
 * count from the first non-blank character. The layout is decided by
 * segment widths: a 1-digit fourth segment is the level (1 or 2) and needs a
 * 2-digit kegiatan after it; a 3-digit fourth segment is level and kegiatan
 * joined and may be followed by the sub kegiatan only. Refused: any other
 * width (urusan 1 digit, bidang urusan and program 2, so "2.17.1" is
 * refused), program, kegiatan or sub kegiatan of all zeros, rekening
 * segments of all zeros or wider than their width, empty segments, blanks
 * or other characters inside.
 */
#ifndef RJ_KODE_H
#define RJ_KODE_H

#include <stdbool.h>
#include <stddef.h>

#include "rj_error.h"
#include "rj_limits.h"

typedef enum rj_level {
    RJ_LEVEL_NONE = 0,
    RJ_LEVEL_URUSAN = 1,
    RJ_LEVEL_PROGRAM = 2,
    RJ_LEVEL_KEGIATAN = 3,
    RJ_LEVEL_SUB_KEGIATAN = 4,
} rj_level; /* same numbers as Renja__V1__Level */

/* Parse a program-tree kode in any accepted form into canonical form.
 * On error d names the input, the position (1-based character) and the
 * expected form. */
int rj_kode_parse(const char *in, char out[RJ_KODE_MAX], rj_level *level, rj_diag *d);
/* Level of a canonical kode (RJ_LEVEL_NONE if not canonical). */
rj_level rj_kode_level(const char *canon);
/* Parent of a canonical kode into out; false for an urusan (no parent). */
bool rj_kode_parent(const char *canon, char out[RJ_KODE_MAX]);
/* Is canon equal to prefix or inside its subtree ("2.17.01" covers
 * "2.17.01.1.01")? Works for both kinds of kode. An empty prefix covers
 * everything. */
bool rj_kode_in_subtree(const char *canon, const char *prefix);
const char *rj_level_name(rj_level level); /* "urusan", "program", "kegiatan", "sub kegiatan" */
/* "urusan", "program", "kegiatan", "sub-kegiatan"/"sub kegiatan" -> level. */
int rj_level_parse(const char *s, rj_level *out);

/* Rekening: parse into canonical form; *depth gets the segment count 1..6. */
int rj_rekening_parse(const char *in, char out[RJ_KODE_MAX], int *depth, rj_diag *d);
int rj_rekening_depth(const char *canon); /* 0 if not canonical */
bool rj_rekening_parent(const char *canon, char out[RJ_KODE_MAX]);

/* Tujuan and sasaran of the Renstra (Tabel 2): canonical T<n> (tujuan n)
 * and T<n>.S<m> (sasaran m of tujuan n), n and m from 1 to 99 without
 * leading zeros. Input: letters in either case, leading zeros and
 * surrounding blanks dropped ("t01.s2" -> "T1.S2"). Byte order keeps a
 * tujuan's sasaran right after it. */
typedef enum rj_goal_kind {
    RJ_GOAL_NONE = 0,
    RJ_GOAL_TUJUAN = 1,
    RJ_GOAL_SASARAN = 2,
} rj_goal_kind; /* same numbers as Renja__V1__GoalKind */

int rj_goal_parse(const char *in, char out[RJ_KODE_MAX], rj_goal_kind *kind, rj_diag *d);
rj_goal_kind rj_goal_kind_of(const char *canon);               /* RJ_GOAL_NONE if not canonical */
bool rj_goal_parent(const char *canon, char out[RJ_KODE_MAX]); /* a sasaran's tujuan */
const char *rj_goal_kind_name(rj_goal_kind kind);              /* "tujuan", "sasaran" */

#endif
