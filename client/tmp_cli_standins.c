/* TEMPORARY stand-ins for common/rj_kode.c and common/rj_num.c so that the
 * client builds and its tests run before those modules are merged. Delete
 * this file when the real implementations are in the tree. Weak symbols, so
 * the real ones win when both are linked. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rj_kode.h"
#include "rj_num.h"

#define WEAK __attribute__((weak))

static int split(const char *in, char seg[8][8], int *n)
{
    *n = 0;
    const char *p = in;
    while (1) {
        size_t len = strcspn(p, ".");
        if (len == 0 || len > 4 || *n == 8)
            return -1;
        for (size_t i = 0; i < len; i++)
            if (!isdigit((unsigned char)p[i]))
                return -1;
        memcpy(seg[*n], p, len);
        seg[*n][len] = 0;
        (*n)++;
        if (p[len] == 0)
            return 0;
        p += len + 1;
    }
}

static void pad(char *out, const char *s, size_t w)
{
    size_t l = strlen(s);
    size_t i = 0;
    for (; i + l < w; i++)
        out[i] = '0';
    strcpy(out + i, s);
}

WEAK int rj_kode_parse(const char *in, char out[RJ_KODE_MAX], rj_level *level, rj_diag *d)
{
    char s[8][8];
    int n;
    char u[8], b[8], p[8], l[8], k[8], sk[8], t[64];
    if (split(in, s, &n) < 0 || n < 2 || n > 6 || strlen(s[0]) != 1 || strlen(s[1]) > 2)
        goto bad;
    strcpy(u, s[0]);
    pad(b, s[1], 2);
    if (n == 2) {
        snprintf(out, RJ_KODE_MAX, "%s.%s", u, b);
        *level = RJ_LEVEL_URUSAN;
        return 0;
    }
    if (strlen(s[2]) > 2)
        goto bad;
    pad(p, s[2], 2);
    if (n == 3) {
        snprintf(out, RJ_KODE_MAX, "%s.%s.%s", u, b, p);
        *level = RJ_LEVEL_PROGRAM;
        return 0;
    }
    int next;
    if (strlen(s[3]) == 3) {
        l[0] = s[3][0], l[1] = 0;
        strcpy(k, s[3] + 1);
        next = 4;
    } else if (strlen(s[3]) == 1 && n >= 5 && strlen(s[4]) <= 2) {
        strcpy(l, s[3]);
        pad(k, s[4], 2);
        next = 5;
    } else
        goto bad;
    if (next == n) {
        snprintf(t, sizeof(t), "%s.%s.%s.%s.%s", u, b, p, l, k);
        snprintf(out, RJ_KODE_MAX, "%.31s", t);
        *level = RJ_LEVEL_KEGIATAN;
        return 0;
    }
    if (next + 1 != n)
        goto bad;
    pad(sk, s[next], 4);
    snprintf(t, sizeof(t), "%s.%s.%s.%s.%s.%s", u, b, p, l, k, sk);
    snprintf(out, RJ_KODE_MAX, "%.31s", t);
    *level = RJ_LEVEL_SUB_KEGIATAN;
    return 0;
bad:
    return rj_diag_set(d, RJ_EINVAL, "kode \"%s\": expected a form such as 2.17, 2.17.01, 2.17.01.1.01 or 2.17.01.1.01.0001", in);
}

WEAK rj_level rj_kode_level(const char *canon)
{
    switch (strlen(canon)) {
    case 4: return RJ_LEVEL_URUSAN;
    case 7: return RJ_LEVEL_PROGRAM;
    case 12: return RJ_LEVEL_KEGIATAN;
    case 17: return RJ_LEVEL_SUB_KEGIATAN;
    default: return RJ_LEVEL_NONE;
    }
}

WEAK const char *rj_level_name(rj_level level)
{
    switch (level) {
    case RJ_LEVEL_URUSAN: return "urusan";
    case RJ_LEVEL_PROGRAM: return "program";
    case RJ_LEVEL_KEGIATAN: return "kegiatan";
    case RJ_LEVEL_SUB_KEGIATAN: return "sub kegiatan";
    default: return "";
    }
}

WEAK int rj_level_parse(const char *s, rj_level *out)
{
    static const char *names[] = {"urusan", "program", "kegiatan", "sub-kegiatan", "sub kegiatan"};
    static const rj_level lv[] = {RJ_LEVEL_URUSAN, RJ_LEVEL_PROGRAM, RJ_LEVEL_KEGIATAN,
                                  RJ_LEVEL_SUB_KEGIATAN, RJ_LEVEL_SUB_KEGIATAN};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = lv[i];
            return 0;
        }
    return RJ_EINVAL;
}

WEAK int rj_rekening_parse(const char *in, char out[RJ_KODE_MAX], int *depth, rj_diag *d)
{
    static const size_t w[] = {1, 1, 2, 2, 2, 4};
    char s[8][8];
    int n;
    if (split(in, s, &n) < 0 || n > 6)
        goto bad;
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (strlen(s[i]) > w[i])
            goto bad;
        char t[8];
        pad(t, s[i], w[i]);
        if (i)
            strcat(out, ".");
        strcat(out, t);
    }
    *depth = n;
    return 0;
bad:
    return rj_diag_set(d, RJ_EINVAL, "rekening \"%s\": expected a form such as 5.1.01.01", in);
}

WEAK int rj_rekening_depth(const char *canon)
{
    int n = 1;
    for (const char *p = canon; *p; p++)
        n += *p == '.';
    return n;
}

/* Digits with optional '.' thousands groups; *frac gets the part after a
 * decimal separator (NULL if none). */
static int parse_unsigned(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0;
    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        if (v > (INT64_MAX - 9) / 10)
            return -2;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int strip_groups(const char *s, size_t len, char *buf, size_t cap)
{
    /* "15.320.055.480" -> "15320055480"; groups after the first must be 3. */
    size_t o = 0, run = 0;
    int groups = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (run == 0 || (groups > 0 && run != 3) || (groups == 0 && run > 3))
                return -1;
            groups++;
            run = 0;
            continue;
        }
        if (o + 1 >= cap)
            return -1;
        buf[o++] = s[i];
        run++;
    }
    if (groups > 0 && run != 3)
        return -1;
    buf[o] = 0;
    return 0;
}

WEAK int rj_money_parse(const char *s, int64_t *out, bool *present, rj_diag *d)
{
    const char *p = s;
    while (*p == ' ')
        p++;
    size_t len = strlen(p);
    while (len && p[len - 1] == ' ')
        len--;
    if (len == 0 || (len == 1 && p[0] == '-')) {
        *present = false;
        *out = 0;
        return 0;
    }
    bool neg = false;
    if (p[0] == '(' && len > 2 && p[len - 1] == ')')
        neg = true, p++, len -= 2;
    else if (p[0] == '-')
        neg = true, p++, len--;
    char buf[64];
    int64_t v;
    if (len >= sizeof(buf) || strip_groups(p, len, buf, sizeof(buf)) < 0 ||
        parse_unsigned(buf, strlen(buf), &v) < 0)
        return rj_diag_set(d, RJ_EINVAL, "\"%s\": expected rupiah such as 15.320.055.480 or 15320055480", s);
    *out = neg ? -v : v;
    *present = true;
    return 0;
}

WEAK int rj_dec_parse(const char *s, int64_t *out, rj_diag *d)
{
    const char *p = s;
    while (*p == ' ')
        p++;
    size_t len = strlen(p);
    while (len && p[len - 1] == ' ')
        len--;
    if (len && p[len - 1] == '%')
        len--;
    bool neg = false;
    if (len && (p[0] == '-' || p[0] == '+'))
        neg = p[0] == '-', p++, len--;
    char ip[64], fp[16] = "";
    const char *comma = memchr(p, ',', len);
    size_t ilen = len;
    const char *frac = NULL;
    size_t flen = 0;
    if (comma) {
        ilen = (size_t)(comma - p);
        frac = comma + 1;
        flen = len - ilen - 1;
    } else {
        /* One dot not followed by exactly three digits is a decimal point. */
        const char *dot = memchr(p, '.', len);
        const char *last = NULL;
        int dots = 0;
        for (size_t i = 0; i < len; i++)
            if (p[i] == '.')
                dots++, last = p + i;
        if (dots == 1 && (size_t)(p + len - last - 1) != 3) {
            ilen = (size_t)(dot - p);
            frac = dot + 1;
            flen = len - ilen - 1;
        }
    }
    if (ilen == 0 || ilen >= sizeof(ip) || flen > 4 || (frac && flen == 0))
        goto bad;
    if (memchr(p, '.', ilen)) {
        if (strip_groups(p, ilen, ip, sizeof(ip)) < 0)
            goto bad;
    } else {
        memcpy(ip, p, ilen);
        ip[ilen] = 0;
    }
    int64_t iv, fv = 0;
    if (parse_unsigned(ip, strlen(ip), &iv) < 0 || iv > INT64_MAX / RJ_DEC_SCALE)
        goto bad;
    if (frac) {
        memcpy(fp, frac, flen);
        for (size_t i = flen; i < 4; i++)
            fp[i] = '0';
        fp[4] = 0;
        if (parse_unsigned(fp, 4, &fv) < 0)
            goto bad;
    }
    *out = (iv * RJ_DEC_SCALE + fv) * (neg ? -1 : 1);
    return 0;
bad:
    return rj_diag_set(d, RJ_EINVAL, "\"%s\": expected a number such as 12,23 or 12.23", s);
}

static void group(uint64_t u, char sep, char *out)
{
    char digits[32];
    int n = snprintf(digits, sizeof(digits), "%" PRIu64, u);
    int o = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0 && sep)
            out[o++] = sep;
        out[o++] = digits[i];
    }
    out[o] = 0;
}

WEAK void rj_money_format(int64_t v, rj_numfmt fmt, char out[RJ_NUM_MAX])
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char g[40];
    if (fmt == RJ_NUM_PLAIN) {
        snprintf(out, RJ_NUM_MAX, "%s%" PRIu64, v < 0 ? "-" : "", u);
        return;
    }
    group(u, '.', g);
    snprintf(out, RJ_NUM_MAX, v < 0 ? "(%s)" : "%s", g);
}

WEAK void rj_dec_format(int64_t v, rj_numfmt fmt, char out[RJ_NUM_MAX])
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char g[40];
    group(u / RJ_DEC_SCALE, fmt == RJ_NUM_HUMAN ? '.' : 0, g);
    unsigned f = (unsigned)(u % RJ_DEC_SCALE);
    char fs[8] = "";
    if (f) {
        snprintf(fs, sizeof(fs), "%c%04u", fmt == RJ_NUM_HUMAN ? ',' : '.', f);
        size_t l = strlen(fs);
        while (fs[l - 1] == '0')
            fs[--l] = 0;
    }
    snprintf(out, RJ_NUM_MAX, "%s%s%s", v < 0 ? "-" : "", g, fs);
}

WEAK void rj_pct_format(int64_t e2, rj_numfmt fmt, char out[RJ_NUM_MAX])
{
    uint64_t u = e2 < 0 ? (uint64_t)0 - (uint64_t)e2 : (uint64_t)e2;
    char g[40];
    group(u / 100, fmt == RJ_NUM_HUMAN ? '.' : 0, g);
    snprintf(out, RJ_NUM_MAX, "%s%s%c%02u", e2 < 0 ? "-" : "", g, fmt == RJ_NUM_HUMAN ? ',' : '.',
             (unsigned)(u % 100));
}
