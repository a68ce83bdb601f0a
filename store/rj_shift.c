#include "rj_shift.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"
#include "rj_num.h"
#include "rj_tree.h"
#include "rj_validate.h"

enum { KIND_ITEM, KIND_LINE };

typedef struct cand {
    int kind;
    char *kode;
    char *nama;
} cand;

/* One mismatched parent at one version and the rows matching its gap. */
typedef struct entry {
    int kind;
    char *kode;
    size_t version;
    int64_t gap;
    bool overflow; /* more than RJ_SHIFT_MAX rows match */
    size_t n;
    cand c[RJ_SHIFT_MAX];
} entry;

struct rj_shift {
    char **labels;
    size_t n_labels;
    entry *e;
    size_t n, cap;
};

rj_shift *rj_shift_new(void)
{
    return rj_calloc(1, sizeof(rj_shift));
}

void rj_shift_free(rj_shift *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->e[i].kode);
        for (size_t k = 0; k < s->e[i].n; k++) {
            free(s->e[i].c[k].kode);
            free(s->e[i].c[k].nama);
        }
    }
    for (size_t i = 0; i < s->n_labels; i++)
        free(s->labels[i]);
    free(s->labels);
    free(s->e);
    free(s);
}

void rj_shift_label_append(rj_shift *s, const char *label)
{
    if (!s->n_labels)
        return;
    char *old = s->labels[s->n_labels - 1];
    s->labels[s->n_labels - 1] = rj_asprintf("%s, %s", old, label);
    free(old);
}

/* One version being examined: the two trees side by side. */
typedef struct view {
    const rj_tree_node *nodes[2];
    size_t n[2];
    Renja__V1__Item **items;
    Renja__V1__BudgetLine **lines;
} view;

static const char *nama_of(const view *v, int kind, size_t i)
{
    const char *n = kind == KIND_ITEM ? v->items[i]->nama : v->lines[i]->nama;
    return n ? n : "";
}

static void add_cand(entry *e, const view *v, int kind, size_t i)
{
    if (e->n == RJ_SHIFT_MAX) {
        e->overflow = true;
        return;
    }
    e->c[e->n].kind = kind;
    e->c[e->n].kode = rj_strdup(v->nodes[kind][i].kode);
    e->c[e->n].nama = rj_strdup(nama_of(v, kind, i));
    e->n++;
}

/* A mismatched parent of the version at hand. */
typedef struct pend {
    int kind;
    size_t idx;
    int64_t gap;
    size_t entry;
} pend;

static int pend_gap_cmp(const void *a, const void *b)
{
    int64_t x = ((const pend *)a)->gap, y = ((const pend *)b)->gap;
    return (x > y) - (x < y);
}

/* Positive gaps with one value share a group; the group's active parents
 * are those not yet full, so a figure shared by many rows costs each parent
 * at most RJ_SHIFT_MAX + 1 hits. */
typedef struct group {
    int64_t gap;
    size_t *act;
    size_t n_act;
} group;

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

typedef struct gap_table {
    size_t *slot; /* group index + 1; 0 is empty */
    size_t mask;
    group *g;
} gap_table;

static group *gap_find(const gap_table *t, int64_t v)
{
    for (size_t h = mix((uint64_t)v) & t->mask;; h = (h + 1) & t->mask) {
        size_t k = t->slot[h];
        if (!k)
            return NULL;
        if (t->g[k - 1].gap == v)
            return &t->g[k - 1];
    }
}

/* Is row i of `kind` on the line of descent of parent p (itself, an
 * ancestor or a descendant)? Only rows of the same kind can be. */
static bool related(const view *v, int kind, size_t i, const pend *p)
{
    if (kind != p->kind)
        return false;
    const char *a = v->nodes[kind][i].kode, *b = v->nodes[kind][p->idx].kode;
    return i == p->idx || rj_tree_inside(a, b) || rj_tree_inside(b, a);
}

static void match_positive(rj_shift *s, const view *v, pend *ps, size_t np)
{
    if (!np)
        return;
    qsort(ps, np, sizeof *ps, pend_gap_cmp);
    size_t *act = rj_malloc(np * sizeof *act);
    group *g = rj_malloc(np * sizeof *g);
    size_t ng = 0;
    for (size_t i = 0; i < np; i++) {
        if (!ng || g[ng - 1].gap != ps[i].gap)
            g[ng++] = (group){ps[i].gap, &act[i], 0};
        act[i] = i;
        g[ng - 1].n_act++;
    }
    size_t cap = rj_grow_cap(0, 2 * ng, 2); /* a power of two */
    gap_table t = {rj_calloc(cap, sizeof(size_t)), cap - 1, g};
    for (size_t k = 0; k < ng; k++) {
        size_t h = mix((uint64_t)g[k].gap) & t.mask;
        while (t.slot[h])
            h = (h + 1) & t.mask;
        t.slot[h] = k + 1;
    }
    for (int kind = KIND_ITEM; kind <= KIND_LINE; kind++)
        for (size_t i = 0; i < v->n[kind]; i++) {
            const rj_tree_node *x = &v->nodes[kind][i];
            if (!x->has_pagu || x->pagu <= 0)
                continue;
            group *gr = gap_find(&t, x->pagu);
            for (size_t j = 0; gr && j < gr->n_act;) {
                const pend *p = &ps[gr->act[j]];
                if (related(v, kind, i, p)) {
                    j++;
                    continue;
                }
                entry *e = &s->e[p->entry];
                add_cand(e, v, kind, i);
                if (e->overflow)
                    gr->act[j] = gr->act[--gr->n_act];
                else
                    j++;
            }
        }
    free(t.slot);
    free(g);
    free(act);
}

static void match_negative(rj_shift *s, const view *v, const pend *p)
{
    const rj_tree_node *nodes = v->nodes[p->kind];
    const char *kode = nodes[p->idx].kode;
    entry *e = &s->e[p->entry];
    for (size_t j = p->idx + 1; j < v->n[p->kind] && rj_tree_inside(nodes[j].kode, kode); j++)
        if (nodes[j].parent == p->idx && nodes[j].has_pagu && nodes[j].pagu == -p->gap) {
            add_cand(e, v, p->kind, j);
            if (e->overflow)
                return;
        }
}

static size_t new_entry(rj_shift *s, int kind, const char *kode, int64_t gap)
{
    RJ_GROW(s->e, s->n + 1, s->cap, 16);
    entry *e = &s->e[s->n];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->kode = rj_strdup(kode);
    e->version = s->n_labels - 1;
    e->gap = gap;
    return s->n++;
}

int rj_shift_add(rj_shift *s, const char *label, Renja__V1__Item **items, size_t n_items,
                 Renja__V1__BudgetLine **lines, size_t n_lines, rj_diag *d)
{
    rj_tree_node *in = NULL, *ln = NULL;
    int err = rj_tree_items(items, n_items, &in, d);
    if (!err)
        err = rj_tree_lines(lines, n_lines, &ln, d);
    if (err) {
        free(in);
        free(ln);
        return err;
    }
    s->labels = rj_realloc(s->labels, (s->n_labels + 1) * sizeof *s->labels);
    s->labels[s->n_labels++] = rj_strdup(label);
    view v = {{in, ln}, {n_items, n_lines}, items, lines};
    pend *pos = NULL, *neg = NULL;
    size_t npos = 0, nneg = 0, cap = 0;
    for (int kind = KIND_ITEM; kind <= KIND_LINE; kind++)
        for (size_t i = 0; i < v.n[kind]; i++) {
            const rj_tree_node *x = &v.nodes[kind][i];
            if (!x->n_children || !x->has_pagu || x->pagu == x->child_sum)
                continue;
            __int128 gap = (__int128)x->pagu - x->child_sum;
            if (gap > INT64_MAX || gap <= INT64_MIN) /* no figure is that far off */
                continue;
            if (npos + nneg == cap) {
                cap = rj_grow_cap(cap, cap + 1, 16);
                pos = rj_realloc_array(pos, cap, sizeof *pos);
                neg = rj_realloc_array(neg, cap, sizeof *neg);
            }
            pend p = {kind, i, (int64_t)gap, new_entry(s, kind, x->kode, (int64_t)gap)};
            if (gap > 0)
                pos[npos++] = p;
            else
                neg[nneg++] = p;
        }
    match_positive(s, &v, pos, npos);
    for (size_t i = 0; i < nneg; i++)
        match_negative(s, &v, &neg[i]);
    free(pos);
    free(neg);
    free(in);
    free(ln);
    return 0;
}

/* --- report ------------------------------------------------------------- */

static int kind_kode_cmp(int ka, const char *a, int kb, const char *b)
{
    if (ka != kb)
        return ka - kb;
    return strcmp(a, b);
}

static int entry_cmp(const void *a, const void *b)
{
    const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
    int c = kind_kode_cmp(x->kind, x->kode, y->kind, y->kode);
    if (c)
        return c;
    return (x->version > y->version) - (x->version < y->version);
}

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return kind_kode_cmp(x->kind, x->kode, y->kind, y->kode);
}

static bool has_cand(const entry *e, const cand *c)
{
    for (size_t k = 0; k < e->n; k++)
        if (!kind_kode_cmp(e->c[k].kind, e->c[k].kode, c->kind, c->kode))
            return true;
    return false;
}

/* "by 100.000.000 at apbd, perkada-1 and by 125.290.000 at apbd-p"; in
 * Indonesian (id) "sebesar 100.000.000 pada apbd, perkada-1 dan ..." */
static char *gap_clause(const rj_shift *s, entry *const *g, size_t m, bool id)
{
    char *out = rj_strdup("");
    bool *done = rj_calloc(m, sizeof *done);
    for (size_t i = 0; i < m; i++) {
        if (done[i])
            continue;
        char amount[RJ_NUM_MAX];
        rj_money_format(g[i]->gap < 0 ? -g[i]->gap : g[i]->gap, RJ_NUM_HUMAN, amount);
        char *at = rj_strdup(s->labels[g[i]->version]);
        for (size_t j = i + 1; j < m; j++)
            if (!done[j] && g[j]->gap == g[i]->gap) {
                done[j] = true;
                char *more = rj_asprintf("%s, %s", at, s->labels[g[j]->version]);
                free(at);
                at = more;
            }
        char *next = rj_asprintf(id ? "%s%ssebesar %s pada %s" : "%s%sby %s at %s", out,
                                 *out ? (id ? " dan " : " and ") : "", amount, at);
        free(at);
        free(out);
        out = next;
    }
    free(done);
    return out;
}

/* "item 2.17.01.1.08 (Nama), budget line 5.2.03 (Nama) and ..."; in
 * Indonesian (id) "item ..., rekening ... dan ..." */
static char *rows_clause(const cand *c, size_t n, bool id)
{
    char *out = rj_strdup("");
    for (size_t k = 0; k < n; k++) {
        const char *sep = k == 0 ? "" : k + 1 == n ? (id ? " dan " : " and ") : ", ";
        const char *kind = c[k].kind == KIND_ITEM ? "item" : id ? "rekening" : "budget line";
        char *next = rj_asprintf("%s%s%s %s (%s)", out, sep, kind, c[k].kode, c[k].nama);
        free(out);
        out = next;
    }
    return out;
}

static void report_one(const rj_shift *s, entry *const *g, size_t m,
                       Renja__V1__ValidateResponse *out)
{
    cand keep[RJ_SHIFT_MAX];
    size_t nk = 0;
    for (size_t i = 0; i < m; i++)
        if (g[i]->overflow)
            return;
    for (size_t k = 0; k < g[0]->n; k++) {
        bool all = true;
        for (size_t i = 1; i < m && all; i++)
            all = has_cand(g[i], &g[0]->c[k]);
        if (all)
            keep[nk++] = g[0]->c[k];
    }
    if (!nk)
        return;
    qsort(keep, nk, sizeof *keep, cand_cmp);
    bool pos = g[0]->gap > 0;
    char *gaps = gap_clause(s, g, m, false);
    char *rows = rows_clause(keep, nk, false);
    char *msg, *pesan;
    if (pos)
        msg = rj_asprintf("declared pagu exceeds the sum of its children %s: exactly the pagu of "
                          "%s%s there, a likely row shift (%s among its children)",
                          gaps, nk > 1 ? "each of " : "", rows,
                          nk > 1 ? "one of those figures may belong" : "that figure may belong");
    else
        msg = rj_asprintf("the sum of its children exceeds the declared pagu %s: exactly the pagu "
                          "of %s %s there, a likely row shift (%s to another row)",
                          gaps, nk > 1 ? "each of its children" : "its child", rows,
                          nk > 1 ? "one of those figures may belong" : "that figure may belong");
    free(gaps);
    free(rows);
    gaps = gap_clause(s, g, m, true);
    rows = rows_clause(keep, nk, true);
    if (pos)
        pesan =
            rj_asprintf("pagu melebihi jumlah rinciannya %s: tepat sebesar pagu %s%s di sana, "
                        "kemungkinan baris bergeser (%s salah satu rinciannya)",
                        gaps, nk > 1 ? "masing-masing " : "", rows,
                        nk > 1 ? "salah satu angka itu mungkin milik" : "angka itu mungkin milik");
    else
        pesan =
            rj_asprintf("jumlah rinciannya melebihi pagu %s: tepat sebesar pagu %s %s di sana, "
                        "kemungkinan baris bergeser (%s baris lain)",
                        gaps, nk > 1 ? "masing-masing rinciannya" : "rinciannya", rows,
                        nk > 1 ? "salah satu angka itu mungkin milik" : "angka itu mungkin milik");
    rj_validate_finding(out, "warning", g[0]->kode, "row-shift", msg, pesan);
    free(gaps);
    free(rows);
}

void rj_shift_report(const rj_shift *s, Renja__V1__ValidateResponse *out)
{
    if (!s->n)
        return;
    entry **ord = rj_malloc(s->n * sizeof *ord);
    for (size_t i = 0; i < s->n; i++)
        ord[i] = &s->e[i];
    qsort(ord, s->n, sizeof *ord, entry_cmp);
    for (size_t i = 0; i < s->n;) {
        size_t j = i + 1;
        while (j < s->n && !kind_kode_cmp(ord[j]->kind, ord[j]->kode, ord[i]->kind, ord[i]->kode))
            j++;
        report_one(s, ord + i, j - i, out);
        i = j;
    }
    free(ord);
}
