/* Money, decimal and percentage text (common/rj_num.c). Invariants: every
 * value that parses formats, in both RJ_NUM_HUMAN and RJ_NUM_PLAIN, to text
 * that parses back to the same value (a human whole number 1.000..999.999
 * is refused as ambiguous instead); any int64 formats and re-parses to
 * itself; rj_pct_e2 agrees with a 128-bit reference. */
#include <stdbool.h>

#include "fuzz_util.h"
#include "rj_num.h"

static const rj_numfmt fmts[] = {RJ_NUM_HUMAN, RJ_NUM_PLAIN};

static void money_round_trip(int64_t v, const char *from)
{
    for (int f = 0; f < 2; f++) {
        char text[RJ_NUM_MAX];
        rj_money_format(v, fmts[f], text);
        FUZZ_CHECK(strlen(text) < RJ_NUM_MAX, "money format too long");
        int64_t back = 0;
        bool present = false;
        rj_diag d = {{0}};
        int rc = rj_money_parse(text, &back, &present, &d);
        FUZZ_CHECK(
            rc == 0 && present && back == v,
            "money %lld (from '%s') formats as '%s' (fmt %d) which reads back as rc %d %lld: %s",
            (long long)v, from, text, f, rc, (long long)back, d.msg);
    }
}

static void dec_round_trip(int64_t v, const char *from)
{
    for (int f = 0; f < 2; f++) {
        char text[RJ_NUM_MAX];
        rj_dec_format(v, fmts[f], text);
        FUZZ_CHECK(strlen(text) < RJ_NUM_MAX, "dec format too long");
        int64_t back = 0;
        rj_diag d = {{0}};
        int rc = rj_dec_parse(text, &back, &d);
        /* A human whole number from 1.000 to 999.999 ("7.133") is for
         * people: refused as ambiguous, never read as another value. */
        if (fmts[f] == RJ_NUM_HUMAN && rj_dec_ambiguous(text)) {
            FUZZ_CHECK(rc == RJ_EINVAL, "ambiguous '%s' read as %lld", text, (long long)back);
            continue;
        }
        FUZZ_CHECK(
            rc == 0 && back == v,
            "decimal %lld (from '%s') formats as '%s' (fmt %d) which reads back as rc %d %lld: %s",
            (long long)v, from, text, f, rc, (long long)back, d.msg);
    }
}

static void pct_round_trip(int64_t e2)
{
    /* "-0,74" read as a decimal is -0.74, i.e. e2 * 100 in e4. */
    if (e2 > INT64_MAX / 100 || e2 < INT64_MIN / 100)
        return;
    for (int f = 0; f < 2; f++) {
        char text[RJ_NUM_MAX];
        rj_pct_format(e2, fmts[f], text);
        int64_t back = 0;
        rj_diag d = {{0}};
        int rc = rj_dec_parse(text, &back, &d);
        FUZZ_CHECK(rc == 0 && back == e2 * 100,
                   "pct %lld formats as '%s' which reads back as %lld: %s", (long long)e2, text,
                   (long long)back, d.msg);
    }
}

static void pct_reference(int64_t num, int64_t den)
{
    int64_t got = 12345;
    bool ok = rj_pct_e2(num, den, &got);
    if (den == 0) {
        FUZZ_CHECK(!ok, "pct with den 0");
        return;
    }
    __int128 n = (__int128)num * 10000, q = n / den, r = n % den;
    /* Round half away from zero: |2r| >= |den| moves q one step from 0. */
    __int128 r2 = r < 0 ? -r : r, dd = den < 0 ? -(__int128)den : (__int128)den;
    if (2 * r2 >= dd)
        q += ((n < 0) != (den < 0)) ? -1 : 1;
    bool fits = q >= INT64_MIN && q <= INT64_MAX;
    FUZZ_CHECK(ok == fits, "pct %lld/%lld: ok %d, fits %d", (long long)num, (long long)den, ok,
               fits);
    if (ok)
        FUZZ_CHECK(got == (int64_t)q, "pct %lld/%lld = %lld, expected %lld", (long long)num,
                   (long long)den, (long long)got, (long long)(int64_t)q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);

    int64_t v = 0;
    bool present = false;
    rj_diag d = {{0}};
    int rc = rj_money_parse(s, &v, &present, &d);
    if (rc == 0) {
        if (present)
            money_round_trip(v, s);
    } else {
        FUZZ_CHECK((rc == RJ_EINVAL || rc == RJ_EOVERFLOW) && d.msg[0], "money '%s' rc %d", s, rc);
    }

    d.msg[0] = '\0';
    rc = rj_dec_parse(s, &v, &d);
    if (rc == 0)
        dec_round_trip(v, s);
    else
        FUZZ_CHECK((rc == RJ_EINVAL || rc == RJ_EOVERFLOW) && d.msg[0], "decimal '%s' rc %d", s,
                   rc);

    /* Raw bytes as numbers: any int64 must survive format and parse. */
    if (size >= 8) {
        int64_t a, b = 0;
        memcpy(&a, data, 8);
        if (size >= 16)
            memcpy(&b, data + 8, 8);
        money_round_trip(a, "raw");
        dec_round_trip(a, "raw");
        pct_round_trip(a);
        pct_reference(a, b);
        pct_reference(a % 1000000007, b % 1000003);
    }
    free(s);
    return 0;
}
