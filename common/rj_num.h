/* Numbers as people write them, and as machines do. No floating point.
 *
 * Money: int64 whole rupiah. Human (Indonesian) form: "15.320.055.480",
 * negatives "(113.206.733)" or "-113.206.733", "-" or "" for nothing.
 * Plain form: "-113206733".
 *
 * Decimals: fixed point int64 with RJ_DEC_SCALE (4 decimal places):
 * "12,23" -> 122300. Human form uses the decimal comma and '.' thousands
 * separators ("7.133" is seven thousand one hundred thirty-three); the plain
 * form uses a decimal point ("12.23") and no separators. A dot followed by
 * exactly three digits (possibly repeated) is a thousands separator; any
 * other single dot in a string without a comma is a decimal point ("9.3").
 * For money a dot that is not a thousands separator is refused as
 * ambiguous ("1.5").
 *
 * Percentages: hundredths in int64 ("-0,74%" -> -74).
 *
 * Reading rules in detail (surrounding blanks are ignored; message
 * positions count from the first non-blank character):
 * - A negative is "-x" or "(x)"; money also takes an "Rp", "Rp." or "Rp "
 *   prefix before or after the sign ("Rp 15.320.055.480", "(Rp 4.200.000)").
 * - With a comma (decimals only): exactly one comma, the decimal separator;
 *   every dot before it is a thousands separator ("1.234,5"), a dot after it
 *   is refused ("1.23,4.5").
 * - Without a comma, one dot followed by exactly 3 digits after 1..3
 *   digits not starting with 0 ("2.125", "7.133", "105.787") reads as a
 *   thousands separator in Indonesian and as a decimal point in English:
 *   a decimal refuses it as ambiguous, naming both readings (write
 *   "2,125" or "2125"); money, which has no decimals, reads it as
 *   thousands. Any other single dot is a decimal point ("12.23",
 *   "0.125", "0.500" = 0.5, "1.0000" = 1.0, "1234.567"). Two or more dots
 *   are all thousands separators ("15.320.055.480").
 * - Thousands groups: first group 1..3 digits without a leading 0, then
 *   groups of exactly 3 ("1..000", "1.00.000" are refused).
 * - Money takes a decimal comma only with zero sen ("1.234.567,00", as a
 *   spreadsheet saves Indonesian money), refusing other sen ("1,5") and a
 *   comma followed by three digits without a dot before it ("1,000",
 *   which might be an English thousand); it refuses any dot that is a
 *   decimal point ("1.5", "1.0000").
 * - Range: money is int64; decimals are int64 / 10^4; both allow INT64_MIN.
 *   Out of range is RJ_EOVERFLOW.
 * - The plain decimal form never prints a dot followed by exactly three
 *   digits: a value with three decimals gets a fourth ("105.7870"), so every
 *   plain value reads back to itself. A human form reads back to itself or,
 *   for a whole number from 1.000 to 999.999 ("7.133"), is refused as
 *   ambiguous: it is for people, never read as another value.
 */
#ifndef RJ_NUM_H
#define RJ_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rj_error.h"

#define RJ_DEC_SCALE 10000
#define RJ_NUM_MAX 48 /* buffer size for any formatted number, with the NUL */

typedef enum rj_numfmt {
    RJ_NUM_HUMAN, /* 15.320.055.480, (113.206.733), 12,23, -0,74% */
    RJ_NUM_PLAIN, /* 15320055480, -113206733, 12.23, -0.74 */
} rj_numfmt;

/* Parse money. *present is false for "-" or "" (nothing written).
 * RJ_EINVAL / RJ_EOVERFLOW with d naming the input and the expected form. */
int rj_money_parse(const char *s, int64_t *out, bool *present, rj_diag *d);
/* Parse a decimal, accepting both human and plain forms, an optional
 * trailing '%', and at most 4 decimal places. */
int rj_dec_parse(const char *s, int64_t *out, rj_diag *d);

/* Is s (blanks, sign and '%' aside) a number whose one dot reads as a
 * thousands separator in Indonesian and as a decimal point in English,
 * like "2.125"? rj_dec_parse refuses exactly these, among the inputs that
 * are otherwise numbers; a caller that keeps other text as text uses this
 * to refuse them rather than keep them as text. */
bool rj_dec_ambiguous(const char *s);

void rj_money_format(int64_t v, rj_numfmt fmt, char out[RJ_NUM_MAX]);
/* Shortest exact form: 122300 -> "12,23" (human) or "12.23" (plain). */
void rj_dec_format(int64_t v, rj_numfmt fmt, char out[RJ_NUM_MAX]);
/* Hundredths with exactly two decimals: -74 -> "-0,74" / "-0.74". No '%'. */
void rj_pct_format(int64_t e2, rj_numfmt fmt, char out[RJ_NUM_MAX]);

/* num / den x 100 in hundredths, rounded half away from zero, computed in
 * 128-bit integers. false when den is 0. Works for money (scale 1) and for
 * decimals of equal scale. Also false (out untouched) when the result does
 * not fit int64. */
bool rj_pct_e2(int64_t num, int64_t den, int64_t *out);

#endif
