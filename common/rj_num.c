#include "rj_num.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rj_limits.h"

#define MONEY_EXPECTED                                                                             \
    "whole rupiah like 15.320.055.480, (113.206.733), -113206733 or Rp 15.320.055.480"
#define DEC_EXPECTED "a number like 12,23, -4,14, 7.133 (seven thousand), 12.23 or 12,23%"

typedef enum kind { KIND_MONEY, KIND_DEC } kind;

typedef struct scan {
    kind k;
    const char *s; /* trimmed input; positions in messages count from here */
    size_t len;
    rj_diag *d;
} scan;

static const char *kind_name(const scan *sc)
{
    return sc->k == KIND_MONEY ? "money" : "number";
}

static const char *kind_expected(const scan *sc)
{
    return sc->k == KIND_MONEY ? MONEY_EXPECTED : DEC_EXPECTED;
}

/* Fill the diag with: <kind> "<input>": <what> at position <pos>: expected ... */
static int fail(const scan *sc, int err, size_t pos0, const char *what)
{
    int q = sc->len > RJ_QUOTE_MAX ? RJ_QUOTE_MAX : (int)sc->len;
    return rj_diag_set(sc->d, err, "%s \"%.*s%s\": %s at position %zu: expected %s", kind_name(sc),
                       q, sc->s, sc->len > RJ_QUOTE_MAX ? "..." : "", what, pos0 + 1,
                       kind_expected(sc));
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static size_t skip_rp(const char *s, size_t i, size_t end)
{
    if (end - i >= 2 && strncasecmp(s + i, "rp", 2) == 0) {
        i += 2;
        if (i < end && s[i] == '.')
            i++;
        while (i < end && isspace((unsigned char)s[i]))
            i++;
    }
    return i;
}

/* Check thousands groups in s[b, e): a first group of 1..3 digits that does
 * not start with 0 (unless it is all of "0"), then groups of exactly 3. */
static int check_groups(const scan *sc, size_t b, size_t e)
{
    const char *s = sc->s;
    size_t gs = b;
    int gi = 0;
    for (size_t i = b; i <= e; i++) {
        if (i < e && s[i] != '.')
            continue;
        size_t w = i - gs;
        char what[96];
        if (gi == 0) {
            if (w == 0)
                return fail(sc, RJ_EINVAL, gs, "no digits before the thousands separator");
            if (w > 3) {
                snprintf(what, sizeof(what),
                         "first digit group of %zu digits before a thousands separator", w);
                return fail(sc, RJ_EINVAL, gs, what);
            }
            if (s[gs] == '0' && e > i)
                return fail(sc, RJ_EINVAL, gs, "leading zero before a thousands separator");
        } else if (w != 3) {
            snprintf(what, sizeof(what), "digit group %d has %zu digits (thousands groups have 3)",
                     gi + 1, w);
            return fail(sc, RJ_EINVAL, gs, what);
        }
        gi++;
        gs = i + 1;
    }
    return 0;
}

/* Does a lone dot in s[b, e) (no comma in the number) read as a thousands
 * separator? Only when exactly three digits follow it and the digits before
 * it could start a grouped number (1..3 digits, no leading zero). */
static bool dot_is_thousands(const char *s, size_t b, size_t dot, size_t e)
{
    size_t before = dot - b, after = e - dot - 1;
    return after == 3 && before >= 1 && before <= 3 && s[b] != '0';
}

/* "2.125" is 2,125 with a decimal point and 2125 with a thousands
 * separator: refuse it, naming both readings, instead of guessing. */
static int ambiguous(const scan *sc, size_t b, size_t dot, size_t e, bool neg)
{
    const char *s = sc->s;
    int q = sc->len > RJ_QUOTE_MAX ? RJ_QUOTE_MAX : (int)sc->len;
    const char *sign = neg ? "-" : "";
    int ib = (int)(dot - b), fb = (int)(e - dot - 1);
    char dec[RJ_NUM_MAX + RJ_QUOTE_MAX], thou[RJ_NUM_MAX + RJ_QUOTE_MAX];
    snprintf(dec, sizeof(dec), "%s%.*s,%.*s", sign, ib, s + b, fb, s + dot + 1);
    snprintf(thou, sizeof(thou), "%s%.*s%.*s", sign, ib, s + b, fb, s + dot + 1);
    return rj_diag_set(sc->d, RJ_EINVAL,
                       "number \"%.*s%s\": ambiguous '.' at position %zu: it reads as %s with a "
                       "decimal point or as %s with a thousands separator; expected %s or %s, "
                       "whichever is meant",
                       q, s, sc->len > RJ_QUOTE_MAX ? "..." : "", dot + 1, dec, thou, dec, thou);
}

static int parse(scan *sc, int64_t *out, bool *present)
{
    const char *s = sc->s;
    size_t i = 0, end = sc->len;
    bool neg = false, rp = false;

    if (sc->k == KIND_MONEY) {
        if (end == 0 || (end == 1 && s[0] == '-')) {
            *present = false;
            *out = 0;
            return 0;
        }
    } else {
        if (end == 0)
            return fail(sc, RJ_EINVAL, 0, "empty");
        if (s[end - 1] == '%') {
            end--;
            while (end > 0 && isspace((unsigned char)s[end - 1]))
                end--;
        }
    }
    if (sc->k == KIND_MONEY) {
        size_t j = skip_rp(s, i, end);
        rp = j != i;
        i = j;
    }
    if (i < end && s[i] == '(') {
        if (s[end - 1] != ')' || end - i < 2)
            return fail(sc, RJ_EINVAL, i, "'(' without a closing ')'");
        neg = true;
        i++;
        end--;
    } else if (i < end && s[i] == '-') {
        neg = true;
        i++;
    }
    if (sc->k == KIND_MONEY && !rp)
        i = skip_rp(s, i, end);
    if (i == end)
        return fail(sc, RJ_EINVAL, i < sc->len ? i : sc->len - 1, "no digits");

    /* Characters, commas and dots. */
    size_t comma = end, ndots = 0, first_dot = end;
    for (size_t j = i; j < end; j++) {
        char c = s[j];
        if (is_digit(c))
            continue;
        if (c == ',') {
            if (comma != end)
                return fail(sc, RJ_EINVAL, j, "a second decimal comma");
            comma = j;
            continue;
        }
        if (c == '.') {
            if (comma != end)
                return fail(sc, RJ_EINVAL, j, "'.' after the decimal comma");
            if (first_dot == end)
                first_dot = j;
            ndots++;
            continue;
        }
        char what[64];
        if (isprint((unsigned char)c))
            snprintf(what, sizeof(what), "character '%c'", c);
        else
            snprintf(what, sizeof(what), "byte 0x%02x", (unsigned char)c);
        return fail(sc, RJ_EINVAL, j, what);
    }

    /* Split into integer digits [i, ie) (may contain thousands dots) and
     * fraction digits [fb, end). */
    size_t ie = end, fb = end;
    if (comma != end && sc->k == KIND_MONEY) {
        /* Money has no sen: "1.234.567,00" (a spreadsheet's Indonesian
         * format) is whole rupiah; "1,000" might be an English thousand. */
        size_t nz = comma + 1;
        while (nz < end && s[nz] == '0')
            nz++;
        if (nz != end || comma + 1 == end)
            return fail(sc, RJ_EINVAL, comma,
                        "decimal comma with sen that are not zero (money is whole rupiah; "
                        "thousands are separated by '.')");
        if (ndots == 0 && end - comma - 1 == 3)
            return fail(sc, RJ_EINVAL, comma,
                        "',' followed by three digits (ambiguous: an English thousands separator "
                        "or a decimal comma; money is whole rupiah)");
    }
    if (comma != end) {
        ie = comma;
        fb = comma + 1;
        if (fb == end)
            return fail(sc, RJ_EINVAL, comma, "no digits after the decimal comma");
        if (ie == i)
            return fail(sc, RJ_EINVAL, comma, "no digits before the decimal comma");
    } else if (ndots == 1 && sc->k == KIND_DEC && dot_is_thousands(s, i, first_dot, end)) {
        return ambiguous(sc, i, first_dot, end, neg);
    } else if (ndots == 1 && !dot_is_thousands(s, i, first_dot, end)) {
        if (sc->k == KIND_MONEY)
            return fail(sc, RJ_EINVAL, first_dot,
                        "'.' that is not a thousands separator (ambiguous; money is whole "
                        "rupiah)");
        ie = first_dot;
        fb = first_dot + 1;
        if (ie == i)
            return fail(sc, RJ_EINVAL, first_dot, "no digits before the decimal point");
        if (fb == end)
            return fail(sc, RJ_EINVAL, first_dot, "no digits after the decimal point");
    }
    /* Any dot left in the integer part is a thousands separator. */
    if (memchr(s + i, '.', ie - i) != NULL) {
        int rc = check_groups(sc, i, ie);
        if (rc)
            return rc;
    }
    if (end - fb > 4)
        return fail(sc, RJ_EINVAL, fb + 4, "more than 4 decimal places");

    /* Accumulate the magnitude; the limit allows INT64_MIN for negatives. */
    const unsigned __int128 lim = neg ? (unsigned __int128)INT64_MAX + 1 : INT64_MAX;
    const unsigned scale = sc->k == KIND_DEC ? RJ_DEC_SCALE : 1;
    unsigned __int128 mag = 0;
    const char *range = sc->k == KIND_MONEY
                            ? "value out of range (at most 9.223.372.036.854.775.807)"
                            : "value out of range (at most 922.337.203.685.477,5807)";
    for (size_t j = i; j < ie; j++) {
        if (s[j] == '.')
            continue;
        mag = mag * 10 + (unsigned)(s[j] - '0');
        if (mag * scale > lim)
            return fail(sc, RJ_EOVERFLOW, i, range);
    }
    mag *= scale;
    unsigned f = 0, fd = 0;
    for (size_t j = fb; j < end; j++, fd++)
        f = f * 10 + (unsigned)(s[j] - '0');
    for (; fd < 4 && fb < end; fd++)
        f *= 10;
    mag += f;
    if (mag > lim)
        return fail(sc, RJ_EOVERFLOW, i, range);
    *out = neg ? (int64_t)(-(__int128)mag) : (int64_t)mag;
    if (present)
        *present = true;
    return 0;
}

static void trim(const char *in, const char **s, size_t *len)
{
    if (!in)
        in = "";
    while (*in && isspace((unsigned char)*in))
        in++;
    size_t n = strlen(in);
    while (n > 0 && isspace((unsigned char)in[n - 1]))
        n--;
    *s = in;
    *len = n;
}

int rj_money_parse(const char *s, int64_t *out, bool *present, rj_diag *d)
{
    scan sc = {.k = KIND_MONEY, .d = d};
    trim(s, &sc.s, &sc.len);
    int64_t v = 0;
    bool p = false;
    int rc = parse(&sc, &v, &p);
    if (rc)
        return rc;
    *out = v;
    if (present)
        *present = p;
    return 0;
}

int rj_dec_parse(const char *s, int64_t *out, rj_diag *d)
{
    scan sc = {.k = KIND_DEC, .d = d};
    trim(s, &sc.s, &sc.len);
    int64_t v = 0;
    int rc = parse(&sc, &v, NULL);
    if (rc)
        return rc;
    *out = v;
    return 0;
}

bool rj_dec_ambiguous(const char *in)
{
    const char *s;
    size_t n;
    trim(in, &s, &n);
    if (n && s[n - 1] == '%') {
        n--;
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
    }
    size_t b = 0;
    if (n && s[0] == '(' && s[n - 1] == ')')
        b = 1, n--;
    else if (n && s[0] == '-')
        b = 1;
    const char *dot = memchr(s + b, '.', n - b);
    if (!dot)
        return false;
    for (size_t i = b; i < n; i++)
        if (s + i != dot && !is_digit(s[i]))
            return false;
    return dot_is_thousands(s, b, (size_t)(dot - s), n);
}

/* ---- formatting ---------------------------------------------------------- */

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Decimal digits of m into out, with '.' between thousands if group. */
static size_t put_uint(char *out, uint64_t m, bool group)
{
    char rev[32];
    size_t n = 0;
    int k = 0;
    do {
        if (group && k > 0 && k % 3 == 0)
            rev[n++] = '.';
        rev[n++] = (char)('0' + m % 10);
        m /= 10;
        k++;
    } while (m);
    for (size_t j = 0; j < n; j++)
        out[j] = rev[n - 1 - j];
    out[n] = '\0';
    return n;
}

void rj_money_format(int64_t v, rj_numfmt fmt, char out[RJ_NUM_MAX])
{
    size_t o = 0;
    bool human = fmt == RJ_NUM_HUMAN;
    if (v < 0)
        out[o++] = human ? '(' : '-';
    o += put_uint(out + o, magnitude(v), human);
    if (v < 0 && human)
        out[o++] = ')';
    out[o] = '\0';
}

/* Sign, integer part and the first `places` fraction digits of v / scale. */
static void put_fixed(char out[RJ_NUM_MAX], int64_t v, uint64_t scale, int places, rj_numfmt fmt)
{
    bool human = fmt == RJ_NUM_HUMAN;
    uint64_t m = magnitude(v);
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    o += put_uint(out + o, m / scale, human);
    if (places > 0) {
        uint64_t f = m % scale;
        out[o++] = human ? ',' : '.';
        char digits[4];
        int w = scale == RJ_DEC_SCALE ? 4 : 2;
        for (int j = w - 1; j >= 0; j--, f /= 10)
            digits[j] = (char)('0' + f % 10);
        memcpy(out + o, digits, (size_t)places);
        o += (size_t)places;
    }
    out[o] = '\0';
}

void rj_dec_format(int64_t v, rj_numfmt fmt, char out[RJ_NUM_MAX])
{
    uint64_t f = magnitude(v) % RJ_DEC_SCALE;
    int places = 0;
    if (f) {
        places = 4;
        while (f % 10 == 0) {
            f /= 10;
            places--;
        }
    }
    /* "12.345" would read back as twelve thousand: give the plain form a
     * fourth place so that a dot followed by three digits never appears. */
    if (fmt == RJ_NUM_PLAIN && places == 3)
        places = 4;
    put_fixed(out, v, RJ_DEC_SCALE, places, fmt);
}

void rj_pct_format(int64_t e2, rj_numfmt fmt, char out[RJ_NUM_MAX])
{
    put_fixed(out, e2, 100, 2, fmt);
}

bool rj_pct_e2(int64_t num, int64_t den, int64_t *out)
{
    if (den == 0)
        return false;
    __int128 n = (__int128)num * 10000;
    __int128 dd = den;
    bool neg = (n < 0) != (dd < 0);
    unsigned __int128 an = (unsigned __int128)(n < 0 ? -n : n);
    unsigned __int128 ad = (unsigned __int128)(dd < 0 ? -dd : dd);
    unsigned __int128 q = an / ad, r = an % ad;
    if (2 * r >= ad) /* half away from zero */
        q++;
    if (q > (neg ? (unsigned __int128)INT64_MAX + 1 : (unsigned __int128)INT64_MAX))
        return false;
    *out = neg ? (int64_t)(-(__int128)q) : (int64_t)q;
    return true;
}
