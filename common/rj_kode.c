#include "rj_kode.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define KODE_EXAMPLES                                                                              \
    "2.17 (urusan), 2.17.01 (program), 2.17.01.1.01 (kegiatan) or 2.17.01.1.01.0001 (sub "         \
    "kegiatan)"
#define REKENING_EXAMPLE "5.1.01.01.01.0001 (widths 1, 1, 2, 2, 2, 4)"

enum { MAX_SEGS = 8 };

/* A dotted code split into segments. Offsets are into the trimmed text, so
 * positions in messages count from the first non-blank character. */
typedef struct segs {
    const char *s; /* trimmed text, not NUL-terminated */
    size_t len;
    int n;
    size_t off[MAX_SEGS];
    size_t width[MAX_SEGS];
} segs;

static void trim(const char *in, const char **s, size_t *len)
{
    const char *b = in;
    while (*b && isspace((unsigned char)*b))
        b++;
    const char *e = b + strlen(b);
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    *s = b;
    *len = (size_t)(e - b);
}

static bool all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != '0')
            return false;
    return true;
}

/* Split and check the characters. what is "kode" or "rekening". On error,
 * fills d and returns RJ_EINVAL. max_segs is the most segments a valid
 * code can have; one more is reported as "too many". */
static int split(const char *in, const char *what, int max_segs, const char *expected, segs *g,
                 rj_diag *d)
{
    trim(in, &g->s, &g->len);
    g->n = 0;
    int q = g->len > RJ_QUOTE_MAX ? RJ_QUOTE_MAX : (int)g->len;
    const char *ell = g->len > RJ_QUOTE_MAX ? "..." : "";
    if (g->len == 0)
        return rj_diag_set(d, RJ_EINVAL, "%s \"\": empty at position 1: expected a %s like %s",
                           what, what, expected);
    for (size_t i = 0; i < g->len; i++) {
        char c = g->s[i];
        if (c == '.' || (c >= '0' && c <= '9'))
            continue;
        if (isspace((unsigned char)c))
            return rj_diag_set(d, RJ_EINVAL,
                               "%s \"%.*s%s\": blank at position %zu: expected a %s like %s", what,
                               q, g->s, ell, i + 1, what, expected);
        return rj_diag_set(d, RJ_EINVAL,
                           "%s \"%.*s%s\": character '%c' at position %zu is not a digit or "
                           "'.': expected a %s like %s",
                           what, q, g->s, ell, isprint((unsigned char)c) ? c : '?', i + 1, what,
                           expected);
    }
    size_t start = 0;
    for (size_t i = 0; i <= g->len; i++) {
        if (i < g->len && g->s[i] != '.')
            continue;
        if (g->n == max_segs)
            return rj_diag_set(d, RJ_EINVAL,
                               "%s \"%.*s%s\": segment %d at position %zu is one too many: "
                               "expected at most %d segments, a %s like %s",
                               what, q, g->s, ell, g->n + 1, start + 1, max_segs, what, expected);
        if (i == start) {
            /* An empty segment: point at the dot that should not be there
             * (for a trailing dot, the dot itself). */
            size_t pos = start < g->len ? start + 1 : g->len;
            return rj_diag_set(d, RJ_EINVAL,
                               "%s \"%.*s%s\": empty segment %d at position %zu: expected a %s "
                               "like %s",
                               what, q, g->s, ell, g->n + 1, pos, what, expected);
        }
        g->off[g->n] = start;
        g->width[g->n] = i - start;
        g->n++;
        start = i + 1;
    }
    return 0;
}

static int seg_error(const segs *g, rj_diag *d, const char *what, int i, const char *problem,
                     const char *expected)
{
    int q = g->len > RJ_QUOTE_MAX ? RJ_QUOTE_MAX : (int)g->len;
    const char *ell = g->len > RJ_QUOTE_MAX ? "..." : "";
    int w = g->width[i] > RJ_QUOTE_MAX ? RJ_QUOTE_MAX : (int)g->width[i];
    return rj_diag_set(d, RJ_EINVAL,
                       "%s \"%.*s%s\": segment %d \"%.*s\" at position %zu %s: expected a "
                       "%s like %s",
                       what, q, g->s, ell, i + 1, w, g->s + g->off[i], g->off[i] + 1, problem, what,
                       expected);
}

/* out = the n canonical segments joined by dots (at most 17 characters:
 * urusan, bidang urusan, program, level, kegiatan, sub kegiatan). */
static void put_canon(char out[RJ_KODE_MAX], const char *const seg[], const size_t len[], int n)
{
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        if (i)
            out[o++] = '.';
        memcpy(out + o, seg[i], len[i]);
        o += len[i];
    }
    out[o] = '\0';
}

static int kode_parse(const char *in, char out[RJ_KODE_MAX], rj_level *level, rj_diag *d)
{
    segs g;
    int rc = split(in, "kode", 6, KODE_EXAMPLES, &g, d);
    if (rc)
        return rc;
    const char *s = g.s;
    int q = g.len > RJ_QUOTE_MAX ? RJ_QUOTE_MAX : (int)g.len;
    const char *ell = g.len > RJ_QUOTE_MAX ? "..." : "";

    if (g.width[0] != 1)
        return seg_error(&g, d, "kode", 0, "is not a 1-digit urusan", KODE_EXAMPLES);
    if (g.n < 2)
        return rj_diag_set(d, RJ_EINVAL,
                           "kode \"%.*s%s\": ends at position %zu after the urusan digit: "
                           "expected a kode like " KODE_EXAMPLES,
                           q, s, ell, g.len + 1);
    if (g.width[1] != 2)
        return seg_error(&g, d, "kode", 1, "is not a 2-digit bidang urusan", KODE_EXAMPLES);
    const char *seg[6] = {s, s + g.off[1]}; /* the rest once they are known to exist */
    size_t len[6] = {1, 2, 2, 1, 2, 4};
    if (g.n == 2) {
        put_canon(out, seg, len, 2);
        *level = RJ_LEVEL_URUSAN;
        return 0;
    }
    if (g.width[2] != 2 || all_zero(s + g.off[2], 2))
        return seg_error(&g, d, "kode", 2, "is not a 2-digit program (01..99)", KODE_EXAMPLES);
    seg[2] = s + g.off[2];
    if (g.n == 3) {
        put_canon(out, seg, len, 3);
        *level = RJ_LEVEL_PROGRAM;
        return 0;
    }

    /* The fourth segment decides the layout: one digit is the government
     * level alone (2.17.01.1.01), three digits are level and kegiatan
     * written together (2.17.01.101). */
    static const char keg_expected[] =
        "2.17.01.1.01 (kegiatan) or 2.17.01.1.01.0001 (sub kegiatan)";
    const char *lv = s + g.off[3];
    const char *keg;
    int sub_seg; /* index of the sub kegiatan segment, if any */
    if (g.width[3] == 1 || g.width[3] == 3) {
        if (*lv != '1' && *lv != '2')
            return seg_error(&g, d, "kode", 3,
                             g.width[3] == 1 ? "is not a level (1 provinsi, 2 kabupaten/kota)"
                                             : "is not a level (1 or 2) + 2-digit kegiatan",
                             keg_expected);
    } else {
        return seg_error(&g, d, "kode", 3, "is not a level+kegiatan", keg_expected);
    }
    if (g.width[3] == 1) {
        if (g.n == 4)
            return rj_diag_set(d, RJ_EINVAL,
                               "kode \"%.*s%s\": ends at position %zu after the level digit: "
                               "expected a kode like %s",
                               q, s, ell, g.len + 1, keg_expected);
        if (g.width[4] != 2 || all_zero(s + g.off[4], 2))
            return seg_error(&g, d, "kode", 4, "is not a 2-digit kegiatan (01..99)", keg_expected);
        keg = s + g.off[4];
        sub_seg = 5;
    } else {
        if (all_zero(lv + 1, 2))
            return seg_error(&g, d, "kode", 3, "is not a level + kegiatan (kegiatan 01..99)",
                             keg_expected);
        keg = lv + 1;
        sub_seg = 4;
        if (g.n == 6)
            return rj_diag_set(d, RJ_EINVAL,
                               "kode \"%.*s%s\": segment 6 at position %zu is one too many "
                               "after the joined level+kegiatan \"%.3s\": expected a kode like "
                               "2.17.01.101.01 (sub kegiatan)",
                               q, s, ell, g.off[5] + 1, lv);
    }
    seg[3] = lv;
    seg[4] = keg;
    if (g.n == sub_seg) {
        put_canon(out, seg, len, 5);
        *level = RJ_LEVEL_KEGIATAN;
        return 0;
    }
    size_t sw = g.width[sub_seg];
    const char *sp = s + g.off[sub_seg];
    if (sw > 4 || all_zero(sp, sw))
        return seg_error(&g, d, "kode", sub_seg,
                         "is not a sub kegiatan of 1 to 4 digits (0001..9999)", keg_expected);
    char sub[5] = "0000";
    memcpy(sub + 4 - sw, sp, sw);
    seg[5] = sub;
    put_canon(out, seg, len, 6);
    *level = RJ_LEVEL_SUB_KEGIATAN;
    return 0;
}

int rj_kode_parse(const char *in, char out[RJ_KODE_MAX], rj_level *level, rj_diag *d)
{
    char tmp[RJ_KODE_MAX];
    rj_level lv = RJ_LEVEL_NONE;
    if (!in)
        in = "";
    int rc = kode_parse(in, tmp, &lv, d);
    if (rc)
        return rc;
    memcpy(out, tmp, RJ_KODE_MAX);
    if (level)
        *level = lv;
    return 0;
}

static bool digits_at(const char *s, size_t at, size_t n)
{
    for (size_t i = at; i < at + n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* The level of a kode in one of the canonical shapes the parse writes
 * (D.DD, D.DD.PP, D.DD.PP.L.KK, D.DD.PP.L.KK.SSSS, with the segments the
 * parse accepts), without parsing: RJ_LEVEL_NONE when the kode is not in
 * such a shape, and the full parse then decides. */
static rj_level canonical_level(const char *s)
{
    size_t n = strnlen(s, 18);
    if (n != 4 && n != 7 && n != 12 && n != 17)
        return RJ_LEVEL_NONE;
    if (!digits_at(s, 0, 1) || s[1] != '.' || !digits_at(s, 2, 2))
        return RJ_LEVEL_NONE;
    if (n == 4)
        return RJ_LEVEL_URUSAN;
    if (s[4] != '.' || !digits_at(s, 5, 2) || all_zero(s + 5, 2))
        return RJ_LEVEL_NONE;
    if (n == 7)
        return RJ_LEVEL_PROGRAM;
    if (s[7] != '.' || (s[8] != '1' && s[8] != '2') || s[9] != '.' || !digits_at(s, 10, 2) ||
        all_zero(s + 10, 2))
        return RJ_LEVEL_NONE;
    if (n == 12)
        return RJ_LEVEL_KEGIATAN;
    if (s[12] != '.' || !digits_at(s, 13, 4) || all_zero(s + 13, 4))
        return RJ_LEVEL_NONE;
    return RJ_LEVEL_SUB_KEGIATAN;
}

rj_level rj_kode_level(const char *canon)
{
    rj_level fast = canon ? canonical_level(canon) : RJ_LEVEL_NONE;
    if (fast != RJ_LEVEL_NONE)
        return fast;
    char tmp[RJ_KODE_MAX];
    rj_level lv;
    if (!canon || kode_parse(canon, tmp, &lv, NULL) || strcmp(tmp, canon) != 0)
        return RJ_LEVEL_NONE;
    return lv;
}

bool rj_kode_parent(const char *canon, char out[RJ_KODE_MAX])
{
    static const size_t parent_len[] = {0, 0, 4, 7, 12};
    rj_level lv = rj_kode_level(canon);
    if (lv <= RJ_LEVEL_URUSAN)
        return false;
    size_t n = parent_len[lv];
    memmove(out, canon, n);
    out[n] = '\0';
    return true;
}

bool rj_kode_in_subtree(const char *canon, const char *prefix)
{
    if (!canon || !prefix)
        return false;
    size_t n = strlen(prefix);
    if (n == 0)
        return true;
    if (strncmp(canon, prefix, n) != 0)
        return false;
    return canon[n] == '\0' || canon[n] == '.' || prefix[n - 1] == '.';
}

const char *rj_level_name(rj_level level)
{
    switch (level) {
    case RJ_LEVEL_URUSAN:
        return "urusan";
    case RJ_LEVEL_PROGRAM:
        return "program";
    case RJ_LEVEL_KEGIATAN:
        return "kegiatan";
    case RJ_LEVEL_SUB_KEGIATAN:
        return "sub kegiatan";
    case RJ_LEVEL_NONE:
        break;
    }
    return "none";
}

int rj_level_parse(const char *s, rj_level *out)
{
    static const struct {
        const char *name;
        rj_level level;
    } names[] = {
        {"urusan", RJ_LEVEL_URUSAN},
        {"program", RJ_LEVEL_PROGRAM},
        {"kegiatan", RJ_LEVEL_KEGIATAN},
        {"sub kegiatan", RJ_LEVEL_SUB_KEGIATAN},
        {"sub-kegiatan", RJ_LEVEL_SUB_KEGIATAN},
        {"sub_kegiatan", RJ_LEVEL_SUB_KEGIATAN},
        {"subkegiatan", RJ_LEVEL_SUB_KEGIATAN},
    };
    if (!s)
        return RJ_EINVAL;
    const char *t;
    size_t n;
    trim(s, &t, &n);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i].name) == n && strncasecmp(t, names[i].name, n) == 0) {
            *out = names[i].level;
            return 0;
        }
    }
    return RJ_EINVAL;
}

/* ---- rekening ------------------------------------------------------------ */

static const size_t rekening_width[6] = {1, 1, 2, 2, 2, 4};

static int rekening_parse(const char *in, char out[RJ_KODE_MAX], int *depth, rj_diag *d)
{
    segs g;
    int rc = split(in, "rekening", 6, REKENING_EXAMPLE, &g, d);
    if (rc)
        return rc;
    char buf[RJ_KODE_MAX];
    size_t o = 0;
    for (int i = 0; i < g.n; i++) {
        size_t w = g.width[i], want = rekening_width[i];
        const char *p = g.s + g.off[i];
        if (w > want || all_zero(p, w)) {
            char what[64];
            if (w > want)
                snprintf(what, sizeof(what), "has more than %zu digit%s", want,
                         want == 1 ? "" : "s");
            else
                snprintf(what, sizeof(what), "is zero");
            return seg_error(&g, d, "rekening", i, what, REKENING_EXAMPLE);
        }
        if (i > 0)
            buf[o++] = '.';
        for (size_t k = w; k < want; k++)
            buf[o++] = '0';
        memcpy(buf + o, p, w);
        o += w;
    }
    buf[o] = '\0';
    memcpy(out, buf, o + 1);
    *depth = g.n;
    return 0;
}

int rj_rekening_parse(const char *in, char out[RJ_KODE_MAX], int *depth, rj_diag *d)
{
    int dep = 0;
    int rc = rekening_parse(in ? in : "", out, &dep, d);
    if (rc)
        return rc;
    if (depth)
        *depth = dep;
    return 0;
}

int rj_rekening_depth(const char *canon)
{
    char tmp[RJ_KODE_MAX];
    int dep;
    if (!canon || rekening_parse(canon, tmp, &dep, NULL) || strcmp(tmp, canon) != 0)
        return 0;
    return dep;
}

bool rj_rekening_parent(const char *canon, char out[RJ_KODE_MAX])
{
    if (rj_rekening_depth(canon) <= 1)
        return false;
    size_t n = (size_t)(strrchr(canon, '.') - canon);
    memmove(out, canon, n);
    out[n] = '\0';
    return true;
}

/* --- tujuan and sasaran --------------------------------------------------- */

/* One "<letter><number>" segment at *p; advances *p. */
static int goal_segment(const char **p, char letter, int *num)
{
    const char *s = *p;
    if (*s != letter && *s != letter + ('a' - 'A'))
        return -1;
    s++;
    int v = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 3) {
        v = v * 10 + (*s - '0');
        s++;
        digits++;
    }
    if (!digits || v < 1 || v > 99)
        return -1;
    *num = v;
    *p = s;
    return 0;
}

int rj_goal_parse(const char *in, char out[RJ_KODE_MAX], rj_goal_kind *kind, rj_diag *d)
{
    const char *s = in ? in : "";
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char buf[RJ_KODE_MAX];
    if (n >= sizeof buf)
        return rj_diag_set(d, RJ_EINVAL, "goal kode %.24s... is too long: expected T1 or T1.S2", s);
    memcpy(buf, s, n);
    buf[n] = '\0';
    const char *p = buf;
    int t = 0, sa = 0;
    bool ok = goal_segment(&p, 'T', &t) == 0;
    if (ok && *p == '.') {
        p++;
        ok = goal_segment(&p, 'S', &sa) == 0;
    }
    if (!ok || *p)
        return rj_diag_set(d, RJ_EINVAL,
                           "goal kode \"%s\": expected a tujuan T<n> or a sasaran T<n>.S<m> "
                           "(n, m from 1 to 99), e.g. T1 or T1.S2",
                           buf);
    if (sa)
        snprintf(out, RJ_KODE_MAX, "T%d.S%d", t, sa);
    else
        snprintf(out, RJ_KODE_MAX, "T%d", t);
    if (kind)
        *kind = sa ? RJ_GOAL_SASARAN : RJ_GOAL_TUJUAN;
    return 0;
}

rj_goal_kind rj_goal_kind_of(const char *canon)
{
    char tmp[RJ_KODE_MAX];
    rj_goal_kind k;
    if (!canon || rj_goal_parse(canon, tmp, &k, NULL) || strcmp(tmp, canon) != 0)
        return RJ_GOAL_NONE;
    return k;
}

bool rj_goal_parent(const char *canon, char out[RJ_KODE_MAX])
{
    if (rj_goal_kind_of(canon) != RJ_GOAL_SASARAN)
        return false;
    size_t n = (size_t)(strchr(canon, '.') - canon);
    memmove(out, canon, n);
    out[n] = '\0';
    return true;
}

const char *rj_goal_kind_name(rj_goal_kind kind)
{
    return kind == RJ_GOAL_TUJUAN ? "tujuan" : kind == RJ_GOAL_SASARAN ? "sasaran" : "unspecified";
}
