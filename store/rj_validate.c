#include "rj_validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rj_eval.h"
#include "rj_kode.h"
#include "rj_num.h"
#include "rj_qutil.h"
#include "rj_tree.h"

void rj_validate_finding(Renja__V1__ValidateResponse *out, const char *severity, const char *kode,
                         const char *rule, char *message, char *pesan)
{
    size_t n = out->n_findings;
    /* grow at powers of two: the message keeps no capacity field */
    if ((n & (n - 1)) == 0)
        out->findings =
            rj_realloc_array(out->findings, rj_grow_cap(n, n + 1, 1), sizeof *out->findings);
    Renja__V1__Finding *f = rj_malloc(sizeof *f);
    renja__v1__finding__init(f);
    f->severity = rj_q_str(severity);
    f->kode = rj_q_str(kode);
    f->rule = rj_q_str(rule);
    f->message = message;
    f->pesan = pesan;
    out->findings[out->n_findings++] = f;
}

static void add(Renja__V1__ValidateResponse *out, const char *severity, const char *kode,
                const char *rule, char *message /* taken */, char *pesan /* taken */)
{
    rj_validate_finding(out, severity, kode, rule, message, pesan);
}

static void rollup_mismatch(Renja__V1__ValidateResponse *out, const rj_tree_node *x)
{
    char declared[RJ_NUM_MAX], sum[RJ_NUM_MAX], diff[RJ_NUM_MAX];
    rj_money_format(x->pagu, RJ_NUM_HUMAN, declared);
    rj_money_format(x->child_sum, RJ_NUM_HUMAN, sum);
    /* both are int64 sums that fitted; their difference may not */
    __int128 dv = (__int128)x->pagu - x->child_sum;
    bool huge = dv > INT64_MAX || dv < INT64_MIN;
    if (huge)
        snprintf(diff, sizeof diff, "more than int64");
    else
        rj_money_format((int64_t)dv, RJ_NUM_HUMAN, diff);
    add(out, "error", x->kode, "rollup-mismatch",
        rj_asprintf("declared pagu %s differs from the sum of its children %s by %s", declared, sum,
                    diff),
        rj_asprintf("pagu %s berbeda dari jumlah rinciannya %s sebesar %s", declared, sum,
                    huge ? "lebih dari int64" : diff));
}

static void negative(Renja__V1__ValidateResponse *out, const char *kode, int64_t pagu)
{
    char v[RJ_NUM_MAX];
    rj_money_format(pagu, RJ_NUM_HUMAN, v);
    add(out, "error", kode, "negative-pagu", rj_asprintf("declared pagu %s is negative", v),
        rj_asprintf("pagu %s bernilai negatif", v));
}

static int kode_cmp_item(const void *key, const void *elem)
{
    return strcmp((const char *)key, (*(Renja__V1__Item *const *)elem)->kode);
}

void rj_validate_serapan(Renja__V1__Item *const *items, size_t n_items,
                         Renja__V1__Realisasi *const *reals, size_t n_reals,
                         Renja__V1__ValidateResponse *out)
{
    for (size_t i = 0; i < n_reals; i++) {
        const Renja__V1__Realisasi *r = reals[i];
        if (r->indikator != 0 || r->clear)
            continue;
        Renja__V1__Item *const *found =
            bsearch(r->kode, items, n_items, sizeof(*items), kode_cmp_item);
        if (!found)
            continue;
        const Renja__V1__Item *it = *found;
        int64_t pagu = it->has_pagu ? it->pagu : it->pagu_rollup;
        if (r->anggaran <= pagu)
            continue;
        char real[RJ_NUM_MAX], p[RJ_NUM_MAX], pct[RJ_NUM_MAX];
        rj_money_format(r->anggaran, RJ_NUM_HUMAN, real);
        rj_money_format(pagu, RJ_NUM_HUMAN, p);
        int64_t e2;
        if (pagu > 0 && rj_pct_e2(r->anggaran, pagu, &e2)) {
            rj_pct_format(e2, RJ_NUM_HUMAN, pct);
            add(out, "warning", it->kode, "serapan-over-pagu",
                rj_asprintf("realisasi anggaran s.d. TW %d %s exceeds the pagu %s: serapan %s%%",
                            r->tw, real, p, pct),
                rj_asprintf("realisasi anggaran s.d. TW %d %s melebihi pagu %s: serapan %s%%",
                            r->tw, real, p, pct));
        } else
            add(out, "warning", it->kode, "serapan-over-pagu",
                rj_asprintf("realisasi anggaran s.d. TW %d %s against a pagu of %s", r->tw, real,
                            p),
                rj_asprintf("realisasi anggaran s.d. TW %d %s dengan pagu %s", r->tw, real, p));
    }
}

static void check_nodes(Renja__V1__ValidateResponse *out, const rj_tree_node *nodes, size_t n,
                        bool rekening)
{
    for (size_t i = 0; i < n; i++) {
        const rj_tree_node *x = &nodes[i];
        char up[RJ_KODE_MAX];
        bool has_up = rekening ? rj_rekening_parent(x->kode, up) : rj_kode_parent(x->kode, up);
        /* nodes[].parent is the nearest present ancestor: the direct
         * parent is missing when that is not the kode's own parent */
        if (has_up && (x->parent == RJ_TREE_ROOT || strcmp(nodes[x->parent].kode, up) != 0))
            add(out, "error", x->kode, "missing-parent", rj_asprintf("parent %s is missing", up),
                rj_asprintf("induknya, %s, tidak ada", up));
        if (x->has_pagu && x->pagu < 0)
            negative(out, x->kode, x->pagu);
        if (x->n_children > 0 && x->has_pagu && x->pagu != x->child_sum)
            rollup_mismatch(out, x);
    }
}

int rj_validate_version(Renja__V1__Item **items, size_t n_items, Renja__V1__BudgetLine **lines,
                        size_t n_lines, Renja__V1__ValidateResponse *out, rj_diag *d)
{
    rj_tree_node *in = NULL, *ln = NULL;
    int err = rj_tree_items(items, n_items, &in, d);
    if (!err)
        err = rj_tree_lines(lines, n_lines, &ln, d);
    if (!err) {
        check_nodes(out, in, n_items, false);
        check_nodes(out, ln, n_lines, true);
        for (size_t i = 0; i < n_items; i++) {
            const Renja__V1__Item *it = items[i];
            rj_level want = rj_kode_level(it->kode);
            const char *lv = it->level ? rj_level_name((rj_level)it->level) : NULL;
            if ((int)it->level != (int)want)
                add(out, "error", it->kode, "level-mismatch",
                    want == RJ_LEVEL_NONE
                        ? rj_asprintf("kode %s is not a canonical program-tree kode", it->kode)
                        : rj_asprintf("level is %s but kode %s is a %s", lv ? lv : "unspecified",
                                      it->kode, rj_level_name(want)),
                    want == RJ_LEVEL_NONE
                        ? rj_asprintf("kode %s bukan kode pohon program yang baku", it->kode)
                        : rj_asprintf("tingkatnya %s, padahal kode %s adalah %s",
                                      lv ? lv : "tidak disebut", it->kode, rj_level_name(want)));
            for (size_t k = 0; k < it->n_indikator; k++) {
                const Renja__V1__Indikator *ind = it->indikator[k];
                if (!ind->has_target && ind->target_text && *ind->target_text)
                    add(out, "warning", it->kode, "target-not-number",
                        rj_asprintf("target of indikator %zu is not a number: \"%s\"", k + 1,
                                    ind->target_text),
                        rj_asprintf("target indikator %zu bukan angka: \"%s\"", k + 1,
                                    ind->target_text));
            }
        }
    }
    free(in);
    free(ln);
    return err;
}

static const char *goal_kode(const void *arr, size_t i)
{
    return ((Renja__V1__Goal *const *)arr)[i]->kode;
}

void rj_validate_goals(Renja__V1__Goal *const *goals, size_t n_goals, Renja__V1__Item *const *items,
                       size_t n_items, Renja__V1__ValidateResponse *out)
{
    for (size_t g = 0; g < n_goals; g++)
        for (size_t k = 0; k < goals[g]->n_indikator; k++) {
            const Renja__V1__Indikator *ind = goals[g]->indikator[k];
            if (!ind->has_target && ind->target_text && *ind->target_text)
                add(out, "warning", goals[g]->kode, "target-not-number",
                    rj_asprintf("target of indikator %zu is not a number: \"%s\"", k + 1,
                                ind->target_text),
                    rj_asprintf("target indikator %zu bukan angka: \"%s\"", k + 1,
                                ind->target_text));
        }
    for (size_t i = 0; i < n_items; i++)
        for (size_t k = 0; k < items[i]->n_sasaran; k++) {
            const char *sa = items[i]->sasaran[k];
            if (rj_tree_find(goals, n_goals, goal_kode, sa) == RJ_TREE_ROOT)
                add(out, "warning", items[i]->kode, "missing-sasaran",
                    rj_asprintf("names sasaran %s, which the plan does not have", sa),
                    rj_asprintf("menyebut sasaran %s, yang tidak ada di renja ini", sa));
        }
}

/* Does the target of ind have a part (or its satuan) in unit u? */
static bool target_in(const Renja__V1__Indikator *ind, const char *u)
{
    if (!ind->n_parts)
        return strcasecmp(ind->satuan ? ind->satuan : "", u) == 0;
    for (size_t i = 0; i < ind->n_parts; i++)
        if (strcasecmp(ind->parts[i]->satuan ? ind->parts[i]->satuan : "", u) == 0)
            return true;
    return false;
}

static const char *item_kode(const void *arr, size_t i);

/* The indikator a realisasi reports on, or NULL. */
static const Renja__V1__Indikator *real_indikator(Renja__V1__Item *const *items, size_t n_items,
                                                  Renja__V1__Goal *const *goals, size_t n_goals,
                                                  const Renja__V1__Realisasi *r)
{
    Renja__V1__Indikator *const *ind = NULL;
    size_t n = 0, i = rj_tree_find(items, n_items, item_kode, r->kode);
    if (i != RJ_TREE_ROOT) {
        ind = items[i]->indikator;
        n = items[i]->n_indikator;
    } else if ((i = rj_tree_find(goals, n_goals, goal_kode, r->kode)) != RJ_TREE_ROOT) {
        ind = goals[i]->indikator;
        n = goals[i]->n_indikator;
    }
    return r->indikator >= 1 && (size_t)r->indikator <= n ? ind[r->indikator - 1] : NULL;
}

/* Decimal places of a number as written ("60,5" -> 1, "47" -> 0); 4 when
 * nothing is written. */
static int decimals_of(const char *text)
{
    if (!text || !*text)
        return 4;
    const char *sep = strrchr(text, ',');
    if (!sep)
        sep = strrchr(text, '.');
    /* "7.133" is thousands, not decimals: three digits after a '.' */
    if (!sep || (*sep == '.' && strlen(sep + 1) == 3 && !strchr(text, ',')))
        return 0;
    int n = 0;
    for (const char *p = sep + 1; *p >= '0' && *p <= '9'; p++)
        n++;
    return n > 4 ? 4 : n;
}

static int64_t round_e4(int64_t v, int places)
{
    int64_t div = 1;
    for (int i = places; i < 4; i++)
        div *= 10;
    int64_t q = v / div, r = v % div;
    if (2 * (r < 0 ? -r : r) >= div)
        q += v < 0 ? -1 : 1;
    return q * div;
}

void rj_validate_breakdowns(Renja__V1__Item *const *items, size_t n_items,
                            Renja__V1__Goal *const *goals, size_t n_goals,
                            Renja__V1__Realisasi *const *reals, size_t n_reals,
                            Renja__V1__ValidateResponse *out)
{
    for (size_t k = 0; k < n_reals; k++) {
        const Renja__V1__Realisasi *r = reals[k];
        if (!r->n_breakdown)
            continue;
        const Renja__V1__Indikator *x = real_indikator(items, n_items, goals, n_goals, r);
        int64_t total;
        if (!x || !rj_eval_breakdown_total(x->formula, r->breakdown, r->n_breakdown, &total))
            continue;
        int places = decimals_of(r->text);
        if (round_e4(total, places) == round_e4(r->value_e4, places))
            continue;
        char stated[RJ_NUM_MAX], computed[RJ_NUM_MAX];
        rj_dec_format(r->value_e4, RJ_NUM_HUMAN, stated);
        rj_pct_format(round_e4(total, 2) / 100, RJ_NUM_HUMAN, computed);
        add(out, "warning", r->kode, "breakdown-mismatch",
            rj_asprintf("realisasi of indikator %d (s.d. TW %d) is stated as %s but its "
                        "breakdown by %zu lokasi gives %s (%s)",
                        r->indikator, r->tw, r->text && *r->text ? r->text : stated, r->n_breakdown,
                        computed,
                        x->formula == RENJA__V1__FORMULA__FORMULA_RATIO ? "ratio" : "growth"),
            rj_asprintf("realisasi indikator %d (s.d. TW %d) tertulis %s tetapi rinciannya "
                        "per %zu lokasi memberi %s (%s)",
                        r->indikator, r->tw, r->text && *r->text ? r->text : stated, r->n_breakdown,
                        computed,
                        x->formula == RENJA__V1__FORMULA__FORMULA_RATIO ? "rasio" : "pertumbuhan"));
    }
}

void rj_validate_units(Renja__V1__Item *const *items, size_t n_items, Renja__V1__Goal *const *goals,
                       size_t n_goals, Renja__V1__Realisasi *const *reals, size_t n_reals,
                       Renja__V1__ValidateResponse *out)
{
    for (size_t k = 0; k < n_reals; k++) {
        const Renja__V1__Realisasi *r = reals[k];
        if (r->indikator < 1 || !r->satuan || !*r->satuan)
            continue;
        const Renja__V1__Indikator *x = real_indikator(items, n_items, goals, n_goals, r);
        if (!x)
            continue;
        if (!x->has_target && !x->n_parts)
            continue; /* a text target: target-not-number says it */
        if (target_in(x, r->satuan))
            continue;
        char *units = rj_strdup("");
        for (size_t p = 0; p < (x->n_parts ? x->n_parts : 1); p++) {
            const char *u = x->n_parts ? x->parts[p]->satuan : x->satuan;
            char *next = rj_asprintf("%s%s%s", units, p ? " + " : "", u ? u : "");
            free(units);
            units = next;
        }
        add(out, "warning", r->kode, "satuan-mismatch",
            rj_asprintf("realisasi of indikator %d (s.d. TW %d) is counted in %s, its target in "
                        "%s: no capaian",
                        r->indikator, r->tw, r->satuan, units),
            rj_asprintf("realisasi indikator %d (s.d. TW %d) dihitung dalam %s, targetnya "
                        "dalam %s: tanpa capaian",
                        r->indikator, r->tw, r->satuan, units));
        free(units);
    }
}

static const char *item_kode(const void *arr, size_t i)
{
    return ((Renja__V1__Item *const *)arr)[i]->kode;
}

void rj_validate_satuan(Renja__V1__Item *const *a, size_t na, const char *stage_a,
                        Renja__V1__Item *const *b, size_t nb, const char *stage_b,
                        Renja__V1__ValidateResponse *out)
{
    for (size_t j = 0; j < nb; j++) {
        size_t i = rj_tree_find(a, na, item_kode, b[j]->kode);
        if (i == RJ_TREE_ROOT)
            continue;
        size_t n = a[i]->n_indikator < b[j]->n_indikator ? a[i]->n_indikator : b[j]->n_indikator;
        for (size_t k = 0; k < n; k++) {
            const char *sa = a[i]->indikator[k]->satuan, *sb = b[j]->indikator[k]->satuan;
            if (strcmp(sa ? sa : "", sb ? sb : "") != 0)
                add(out, "warning", b[j]->kode, "satuan-changed",
                    rj_asprintf("satuan of indikator %zu changed from \"%s\" at %s to \"%s\" at %s",
                                k + 1, sa ? sa : "", stage_a, sb ? sb : "", stage_b),
                    rj_asprintf("satuan indikator %zu berubah dari \"%s\" pada %s menjadi \"%s\" "
                                "pada %s",
                                k + 1, sa ? sa : "", stage_a, sb ? sb : "", stage_b));
        }
    }
}

/* The store key a change writes, as in Revision.keys. */
static char *change_key(const Renja__V1__Change *c)
{
    switch (c->change_case) {
    case RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM:
        return rj_asprintf("item/%s", c->upsert_item ? c->upsert_item->kode : "");
    case RENJA__V1__CHANGE__CHANGE_REMOVE_ITEM:
        return rj_asprintf("item/%s", c->remove_item);
    case RENJA__V1__CHANGE__CHANGE_UPSERT_LINE:
        return rj_asprintf("line/%s", c->upsert_line ? c->upsert_line->kode : "");
    case RENJA__V1__CHANGE__CHANGE_REMOVE_LINE:
        return rj_asprintf("line/%s", c->remove_line);
    case RENJA__V1__CHANGE__CHANGE_REALISASI:
        if (!c->realisasi)
            return NULL;
        return rj_asprintf("real/%s/%d/%d", c->realisasi->kode, c->realisasi->tw,
                           c->realisasi->indikator);
    default:
        return NULL;
    }
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t rj_validate_duplicates(Renja__V1__Change *const *changes, size_t n,
                              Renja__V1__ValidateResponse *out)
{
    char **keys = rj_calloc(n, sizeof *keys);
    size_t nk = 0, added = 0;
    for (size_t i = 0; i < n; i++)
        if ((keys[nk] = change_key(changes[i])) != NULL)
            nk++;
    qsort(keys, nk, sizeof *keys, str_cmp);
    for (size_t i = 0; i < nk;) {
        size_t j = i + 1;
        while (j < nk && strcmp(keys[i], keys[j]) == 0)
            j++;
        if (j - i > 1) {
            const char *slash = strchr(keys[i], '/');
            char kode[RJ_KODE_MAX * 2];
            snprintf(kode, sizeof kode, "%s", slash + 1);
            if (strncmp(keys[i], "real/", 5) == 0)
                *strchr(kode, '/') = '\0';
            add(out, "error", kode, "duplicate-kode",
                rj_asprintf("%s appears %zu times in one submit", keys[i], j - i),
                rj_asprintf("%s muncul %zu kali dalam satu pengiriman", keys[i], j - i));
            added++;
        }
        i = j;
    }
    for (size_t i = 0; i < nk; i++)
        free(keys[i]);
    free(keys);
    return added;
}

static int finding_cmp(const void *a, const void *b)
{
    const Renja__V1__Finding *x = *(Renja__V1__Finding *const *)a;
    const Renja__V1__Finding *y = *(Renja__V1__Finding *const *)b;
    int c = strcmp(x->kode, y->kode);
    if (!c)
        c = strcmp(x->rule, y->rule);
    return c ? c : strcmp(x->message, y->message);
}

void rj_validate_sort(Renja__V1__ValidateResponse *out)
{
    if (out->n_findings > 1)
        qsort(out->findings, out->n_findings, sizeof *out->findings, finding_cmp);
}

size_t rj_validate_errors(const Renja__V1__ValidateResponse *out)
{
    size_t n = 0;
    for (size_t i = 0; i < out->n_findings; i++)
        n += strcmp(out->findings[i]->severity, "error") == 0;
    return n;
}
