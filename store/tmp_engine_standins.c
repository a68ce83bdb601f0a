/* TEMPORARY stand-ins for common/rj_kode.c and common/rj_num.c, only the
 * functions the query engines call. Delete when the real ones are merged. */
#include <stdio.h>
#include <string.h>

#include "rj_kode.h"
#include "rj_num.h"

static int count_segs(const char *s)
{
    int n = 1;
    for (; *s; s++)
        if (*s == '.')
            n++;
    return n;
}

rj_level rj_kode_level(const char *canon)
{
    static const int lens[] = {0, 4, 7, 12, 17};
    size_t len = strlen(canon);
    for (int l = 1; l <= 4; l++)
        if (len == (size_t)lens[l])
            return (rj_level)l;
    return RJ_LEVEL_NONE;
}

static bool cut_last(const char *canon, char out[RJ_KODE_MAX])
{
    const char *dot = strrchr(canon, '.');
    if (!dot || (size_t)(dot - canon) >= RJ_KODE_MAX)
        return false;
    memcpy(out, canon, (size_t)(dot - canon));
    out[dot - canon] = '\0';
    return true;
}

bool rj_kode_parent(const char *canon, char out[RJ_KODE_MAX])
{
    rj_level l = rj_kode_level(canon);
    if (l <= RJ_LEVEL_URUSAN)
        return false;
    if (!cut_last(canon, out))
        return false;
    if (l == RJ_LEVEL_KEGIATAN) /* drop ".L.KK" */
        return cut_last(out, out);
    return true;
}

bool rj_kode_in_subtree(const char *canon, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(canon, prefix, n) == 0 && (canon[n] == '\0' || canon[n] == '.');
}

const char *rj_level_name(rj_level level)
{
    static const char *names[] = {"", "urusan", "program", "kegiatan", "sub kegiatan"};
    return level >= 0 && level <= 4 ? names[level] : "";
}

int rj_rekening_depth(const char *canon)
{
    return canon[0] ? count_segs(canon) : 0;
}

bool rj_rekening_parent(const char *canon, char out[RJ_KODE_MAX])
{
    return cut_last(canon, out);
}

void rj_money_format(int64_t v, rj_numfmt fmt, char out[RJ_NUM_MAX])
{
    char digits[32];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
    if (fmt == RJ_NUM_PLAIN) {
        snprintf(out, RJ_NUM_MAX, "%s%s", v < 0 ? "-" : "", digits);
        return;
    }
    char grouped[40];
    size_t len = strlen(digits), j = 0;
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            grouped[j++] = '.';
        grouped[j++] = digits[i];
    }
    grouped[j] = '\0';
    if (v < 0)
        snprintf(out, RJ_NUM_MAX, "(%s)", grouped);
    else
        snprintf(out, RJ_NUM_MAX, "%s", grouped);
}

bool rj_pct_e2(int64_t num, int64_t den, int64_t *out)
{
    if (den == 0)
        return false;
    __int128 n = (__int128)num * 10000, q = (__int128)den;
    if (q < 0) {
        n = -n;
        q = -q;
    }
    /* half away from zero: (2n + q) / 2q for n >= 0 */
    __int128 r = n >= 0 ? (2 * n + q) / (2 * q) : -((2 * -n + q) / (2 * q));
    *out = (int64_t)r;
    return true;
}
