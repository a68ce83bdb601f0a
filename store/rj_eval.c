#include "rj_eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rj_alloc.h"
#include "rj_kode.h"
#include "rj_num.h"
#include "rj_qutil.h"
#include "rj_tree.h"

const char *rj_eval_predikat(int64_t num, int64_t den)
{
    static const struct {
        int64_t from;
        const char *name;
    } bands[] = {{91, "Sangat Tinggi"}, {76, "Tinggi"}, {66, "Sedang"}, {51, "Rendah"}};
    for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
        if (rj_q_pct_cmp(num, den, bands[i].from) >= 0)
            return bands[i].name;
    return "Sangat Rendah";
}

/* This triwulan's realisasi by (kode, indikator): open addressing over a
 * power-of-two table, no sort. A slot holds the high 32 bits of its
 * entry's hash (the low ones place it) and its position in the input: 8
 * bytes, as a pointer would take. A probe past another entry, and a lookup
 * of an indikator with no realisasi (the common case), then compares a
 * number instead of reading a kode through a pointer. */
typedef struct real_slot {
    uint32_t hash;
    uint32_t at; /* 1 + the entry's index in the input; 0: the slot is free */
} real_slot;

typedef struct real_map {
    real_slot *slot;
    size_t mask;
    Renja__V1__Realisasi *const *reals;
} real_map;

static uint64_t real_hash(const char *kode, int ind)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)kode; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    h = (h ^ (uint32_t)ind) * 1099511628211u;
    return h ^ h >> 29;
}

/* The entry in slot s if it is (kode, ind) of that hash, else NULL. */
static const Renja__V1__Realisasi *real_at(const real_map *m, real_slot s, uint32_t hash,
                                           const char *kode, int ind)
{
    if (s.hash != hash)
        return NULL;
    const Renja__V1__Realisasi *r = m->reals[s.at - 1];
    return r->indikator == ind && strcmp(r->kode, kode) == 0 ? r : NULL;
}

static void map_build(real_map *m, const rj_eval_input *in)
{
    size_t cap = 16;
    while (cap < 2 * in->n_reals)
        cap *= 2;
    m->slot = rj_calloc(cap, sizeof *m->slot);
    m->mask = cap - 1;
    m->reals = in->reals;
    for (size_t i = 0; i < in->n_reals; i++) {
        const Renja__V1__Realisasi *r = in->reals[i];
        if (r->tw != in->tw || r->clear)
            continue;
        uint64_t full = real_hash(r->kode, r->indikator);
        size_t h = (size_t)full & m->mask;
        uint32_t hash = (uint32_t)(full >> 32);
        while (m->slot[h].at && !real_at(m, m->slot[h], hash, r->kode, r->indikator))
            h = (h + 1) & m->mask;
        if (!m->slot[h].at) /* a repeat of (kode, indikator) keeps the first */
            m->slot[h] = (real_slot){hash, (uint32_t)(i + 1)};
    }
}

static const Renja__V1__Realisasi *find_real(const real_map *m, const char *kode, int ind)
{
    uint64_t full = real_hash(kode, ind);
    for (size_t h = (size_t)full & m->mask; m->slot[h].at; h = (h + 1) & m->mask) {
        const Renja__V1__Realisasi *r = real_at(m, m->slot[h], (uint32_t)(full >> 32), kode, ind);
        if (r)
            return r;
    }
    return NULL;
}

static void count(Renja__V1__EvalSummary *s, const char *predikat)
{
    if (strcmp(predikat, "Sangat Tinggi") == 0)
        s->sangat_tinggi++;
    else if (strcmp(predikat, "Tinggi") == 0)
        s->tinggi++;
    else if (strcmp(predikat, "Sedang") == 0)
        s->sedang++;
    else if (strcmp(predikat, "Rendah") == 0)
        s->rendah++;
    else
        s->sangat_rendah++;
}

/* What a row says about its owner: an item, or a goal (no level, bidang
 * or lokasi). */
typedef struct owner {
    const char *kode, *nama, *bidang, *lokasi;
    Renja__V1__Level level;
    Renja__V1__Indikator *const *indikator;
} owner;

static owner item_owner(const Renja__V1__Item *it)
{
    return (owner){it->kode,
                   it->nama,
                   it->bidang,
                   it->lokasi,
                   it->level ? it->level : (Renja__V1__Level)rj_kode_level(it->kode),
                   it->indikator};
}

/* An answer's string, in its arena: s copied, or protobuf-c's empty
 * default for none. */
static char *astr(rj_arena *a, const char *s)
{
    if (!s || !*s)
        return (char *)protobuf_c_empty_string;
    return rj_arena_strdup(a, s);
}

static bool same_unit(const char *a, const char *b)
{
    return strcasecmp(a ? a : "", b ? b : "") == 0;
}

/* The target a realisasi is measured against: with a unit given, the part
 * of the target in that unit. false when the target has no such part (the
 * realisasi is counted in another unit). */
static bool target_for(const Renja__V1__Indikator *ind, const Renja__V1__Realisasi *r, bool *has,
                       int64_t *e4, const char **satuan)
{
    *has = ind->has_target;
    *e4 = ind->target_e4;
    *satuan = ind->satuan;
    if (!r || !r->satuan || !*r->satuan)
        return true; /* unit unknown: stored before units were kept */
    for (size_t i = 0; i < ind->n_parts; i++)
        if (same_unit(ind->parts[i]->satuan, r->satuan)) {
            *has = true;
            *e4 = ind->parts[i]->value_e4;
            *satuan = ind->parts[i]->satuan;
            return true;
        }
    if (ind->n_parts)
        return false;
    return !ind->has_target || same_unit(ind->satuan, r->satuan);
}

/* "paket" or "bulan + dok": the units of a target, for a note. */
static char *target_units(const Renja__V1__Indikator *ind)
{
    if (!ind->n_parts)
        return rj_strdup(ind->satuan ? ind->satuan : "");
    char *out = rj_strdup("");
    for (size_t i = 0; i < ind->n_parts; i++) {
        char *next = rj_asprintf("%s%s%s", out, i ? " + " : "",
                                 ind->parts[i]->satuan ? ind->parts[i]->satuan : "");
        free(out);
        out = next;
    }
    return out;
}

/* num / den x 100 with four decimals, half away from zero; false when den
 * is 0 or the result leaves int64. */
static bool pct_e4(__int128 num, __int128 den, int64_t *out)
{
    if (den == 0)
        return false;
    __int128 n = num * 1000000;
    bool neg = (n < 0) != (den < 0);
    unsigned __int128 an = (unsigned __int128)(n < 0 ? -n : n);
    unsigned __int128 ad = (unsigned __int128)(den < 0 ? -den : den);
    unsigned __int128 q = an / ad, r = an % ad;
    if (2 * r >= ad)
        q++;
    if (q > (unsigned __int128)INT64_MAX)
        return false;
    *out = neg ? -(int64_t)q : (int64_t)q;
    return true;
}

bool rj_eval_breakdown_total(Renja__V1__Formula f, Renja__V1__BreakdownRow *const *rows, size_t n,
                             int64_t *out_e4)
{
    __int128 a = 0, b = 0; /* ratio: num, den; growth: after, before */
    if (!n || (f != RENJA__V1__FORMULA__FORMULA_RATIO && f != RENJA__V1__FORMULA__FORMULA_GROWTH))
        return false;
    for (size_t i = 0; i < n; i++) {
        bool ratio = f == RENJA__V1__FORMULA__FORMULA_RATIO;
        a += ratio ? rows[i]->num_e4 : rows[i]->after_e4;
        b += ratio ? rows[i]->den_e4 : rows[i]->before_e4;
    }
    return f == RENJA__V1__FORMULA__FORMULA_RATIO ? pct_e4(a, b, out_e4) : pct_e4(a - b, b, out_e4);
}

/* The breakdown of a realisasi, each lokasi with its percentage, and the
 * total the formula gives. */
static void eval_breakdown(rj_arena *a, Renja__V1__EvalRow *row, const Renja__V1__Indikator *ind,
                           const Renja__V1__Realisasi *r)
{
    if (!r->n_breakdown || ind->formula == RENJA__V1__FORMULA__FORMULA_NONE)
        return;
    bool ratio = ind->formula == RENJA__V1__FORMULA__FORMULA_RATIO;
    row->breakdown = rj_arena_calloc(a, r->n_breakdown, sizeof *row->breakdown);
    for (size_t i = 0; i < r->n_breakdown; i++) {
        const Renja__V1__BreakdownRow *b = r->breakdown[i];
        Renja__V1__EvalBreakdown *e = rj_arena_alloc(a, sizeof *e);
        renja__v1__eval_breakdown__init(e);
        e->row = rj_arena_alloc(a, sizeof *e->row);
        renja__v1__breakdown_row__init(e->row);
        e->row->lokasi = astr(a, b->lokasi);
        e->row->num_e4 = b->num_e4;
        e->row->den_e4 = b->den_e4;
        e->row->before_e4 = b->before_e4;
        e->row->after_e4 = b->after_e4;
        int64_t pct;
        if (ratio)
            e->has_pct = rj_pct_e2(b->num_e4, b->den_e4, &pct);
        else
            e->has_pct = rj_pct_e2(b->after_e4 - b->before_e4, b->before_e4, &pct);
        e->pct_e2 = e->has_pct ? pct : 0;
        row->breakdown[row->n_breakdown++] = e;
    }
    row->has_computed =
        rj_eval_breakdown_total(ind->formula, r->breakdown, r->n_breakdown, &row->computed_e4);
}

/* One row; *met tells whether the capaian reached 100. */
static Renja__V1__EvalRow *eval_row(rj_arena *a, const owner *it, size_t i,
                                    const Renja__V1__Realisasi *r, Renja__V1__EvalSummary *s,
                                    bool *met)
{
    const Renja__V1__Indikator *ind = it->indikator[i];
    Renja__V1__EvalRow *row = rj_arena_alloc(a, sizeof *row);
    renja__v1__eval_row__init(row);
    row->kode = astr(a, it->kode);
    row->level = it->level;
    row->nama = astr(a, it->nama);
    row->bidang = astr(a, it->bidang);
    row->lokasi = astr(a, it->lokasi);
    row->indikator_no = (int32_t)(i + 1);
    row->indikator = astr(a, ind->nama);
    const char *satuan;
    bool has_target;
    bool unit_ok = target_for(ind, r, &has_target, &row->target_e4, &satuan);
    row->has_target = has_target;
    row->satuan = astr(a, satuan);
    row->target_text = astr(a, ind->target_text);
    row->tren = ind->tren;
    *met = false;
    if (!r) {
        row->note = astr(a, "not reported");
        row->catatan = astr(a, "belum dilaporkan");
        s->not_reported++;
        return row;
    }
    row->reported = true;
    row->realisasi_e4 = r->value_e4;
    row->realisasi_text = astr(a, r->text);
    eval_breakdown(a, row, ind, r);
    if (!unit_ok) {
        char *units = target_units(ind);
        row->note =
            rj_arena_printf(a, "realisasi is counted in %s, the target in %s", r->satuan, units);
        row->catatan =
            rj_arena_printf(a, "realisasi dihitung dalam %s, target dalam %s", r->satuan, units);
        free(units);
        s->no_capaian++;
        return row;
    }
    bool negatif = ind->tren == RENJA__V1__TREN__TREN_NEGATIF;
    int64_t num = negatif ? row->target_e4 : r->value_e4;
    int64_t den = negatif ? r->value_e4 : row->target_e4;
    /* note for machine formats, catatan the same for people */
    if (!row->has_target) {
        const char *t = ind->target_text ? ind->target_text : "";
        row->note = rj_arena_printf(a, "target is not a number: \"%s\"", t);
        row->catatan = rj_arena_printf(a, "target bukan angka: \"%s\"", t);
    } else if (den == 0) {
        row->note = astr(a, negatif ? "realisasi is 0 (tren negatif)" : "target is 0");
        row->catatan = astr(a, negatif ? "realisasi 0 (tren negatif)" : "target 0");
    }
    if (row->note != protobuf_c_empty_string && row->note != NULL) {
        s->no_capaian++;
        return row;
    }
    *met = rj_q_pct_cmp(num, den, 100) >= 0;
    row->has_capaian = rj_pct_e2(num, den, &row->capaian_e2);
    if (!row->has_capaian) {
        /* A ratio beyond int64 hundredths (e.g. target 0,0001 against a
         * realisasi near the int64 limit): a row without capaian says why
         * and counts as no_capaian, so the predikat counts and no_capaian
         * still partition the reported rows. */
        row->note = astr(a, "capaian is out of range (beyond int64 hundredths)");
        row->catatan = astr(a, "capaian di luar jangkauan (melebihi int64 perseratusan)");
        s->no_capaian++;
        return row;
    }
    row->predikat = astr(a, rj_eval_predikat(num, den));
    count(s, row->predikat);
    return row;
}

int rj_eval_compute(const rj_eval_input *in, Renja__V1__EvaluateResponse *out, rj_arena *a,
                    rj_diag *d)
{
    if (in->tw < 1 || in->tw > 4)
        return rj_diag_set(d, RJ_EINVAL, "triwulan %d: expected 1, 2, 3 or 4", in->tw);
    rj_tree_node *nodes;
    int err = rj_tree_items(in->items, in->n_items, &nodes, d);
    if (err)
        return err;
    real_map rs;
    map_build(&rs, in);

    Renja__V1__EvalSummary *s = rj_arena_alloc(a, sizeof *s);
    renja__v1__eval_summary__init(s);
    out->summary = s;
    /* every list at its longest, once: an arena does not grow one */
    size_t n_ind = 0, n_goal_ind = 0;
    for (size_t k = 0; k < in->n_items; k++)
        n_ind += in->items[k]->n_indikator;
    for (size_t k = 0; k < in->n_goals; k++)
        n_goal_ind += in->goals[k]->n_indikator;
    out->rows = rj_arena_calloc(a, n_ind, sizeof *out->rows);
    out->goal_rows = rj_arena_calloc(a, n_goal_ind, sizeof *out->goal_rows);
    out->anggaran = rj_arena_calloc(a, in->n_items, sizeof *out->anggaran);
    s->met = rj_arena_calloc(a, in->n_items, sizeof *s->met);
    s->not_started = rj_arena_calloc(a, in->n_items, sizeof *s->not_started);
    for (size_t k = 0; k < in->n_items; k++) {
        const Renja__V1__Item *it = in->items[k];
        bool leaf = rj_kode_level(it->kode) == RJ_LEVEL_SUB_KEGIATAN;
        bool all_met = it->n_indikator > 0, any_reported = false, all_zero = true;
        owner o = item_owner(it);
        for (size_t i = 0; i < it->n_indikator; i++) {
            const Renja__V1__Realisasi *r = find_real(&rs, it->kode, (int)(i + 1));
            bool met;
            out->rows[out->n_rows++] = eval_row(a, &o, i, r, s, &met);
            all_met = all_met && met;
            if (r) {
                any_reported = true;
                all_zero = all_zero && r->value_e4 == 0;
            }
        }
        if (!leaf)
            continue;
        if (all_met)
            s->met[s->n_met++] = astr(a, it->kode);
        if (any_reported && all_zero)
            s->not_started[s->n_not_started++] = astr(a, it->kode);
        const Renja__V1__Realisasi *ra = find_real(&rs, it->kode, 0);
        if (ra) {
            Renja__V1__EvalAnggaran *g = rj_arena_alloc(a, sizeof *g);
            renja__v1__eval_anggaran__init(g);
            g->kode = astr(a, it->kode);
            g->nama = astr(a, it->nama);
            g->pagu = nodes[k].effective;
            g->realisasi = ra->anggaran;
            g->has_serapan = rj_pct_e2(g->realisasi, g->pagu, &g->serapan_e2);
            out->anggaran[out->n_anggaran++] = g;
        }
    }
    /* Tabel 2: the tujuan and sasaran, counted in a summary of their own
     * that is not returned (the summary is Tabel 2-1's). */
    Renja__V1__EvalSummary gs = RENJA__V1__EVAL_SUMMARY__INIT;
    for (size_t k = 0; k < in->n_goals; k++) {
        const Renja__V1__Goal *g = in->goals[k];
        owner o = {g->kode, g->nama, "", "", RENJA__V1__LEVEL__LEVEL_UNSPECIFIED, g->indikator};
        for (size_t i = 0; i < g->n_indikator; i++) {
            bool met;
            out->goal_rows[out->n_goal_rows++] =
                eval_row(a, &o, i, find_real(&rs, g->kode, (int)(i + 1)), &gs, &met);
        }
    }
    free(rs.slot);
    free(nodes);
    return 0;
}
