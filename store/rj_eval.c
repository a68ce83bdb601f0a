#include "rj_eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int real_cmp(const void *a, const void *b)
{
    const Renja__V1__Realisasi *x = *(Renja__V1__Realisasi *const *)a;
    const Renja__V1__Realisasi *y = *(Renja__V1__Realisasi *const *)b;
    int c = strcmp(x->kode, y->kode);
    return c ? c : (x->indikator > y->indikator) - (x->indikator < y->indikator);
}

static const Renja__V1__Realisasi *find_real(Renja__V1__Realisasi **rs, size_t n, const char *kode,
                                             int ind)
{
    Renja__V1__Realisasi key = RENJA__V1__REALISASI__INIT, *kp = &key;
    key.kode = (char *)kode;
    key.indikator = ind;
    Renja__V1__Realisasi **hit = bsearch(&kp, rs, n, sizeof *rs, real_cmp);
    return hit ? *hit : NULL;
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

/* One row; *met tells whether the capaian reached 100. */
static Renja__V1__EvalRow *eval_row(const Renja__V1__Item *it, size_t i,
                                    const Renja__V1__Realisasi *r, Renja__V1__EvalSummary *s,
                                    bool *met)
{
    const Renja__V1__Indikator *ind = it->indikator[i];
    Renja__V1__EvalRow *row = rj_malloc(sizeof *row);
    renja__v1__eval_row__init(row);
    row->kode = rj_q_str(it->kode);
    row->level = it->level ? it->level : (Renja__V1__Level)rj_kode_level(it->kode);
    row->nama = rj_q_str(it->nama);
    row->bidang = rj_q_str(it->bidang);
    row->lokasi = rj_q_str(it->lokasi);
    row->indikator_no = (int32_t)(i + 1);
    row->indikator = rj_q_str(ind->nama);
    row->satuan = rj_q_str(ind->satuan);
    row->has_target = ind->has_target;
    row->target_e4 = ind->target_e4;
    row->target_text = rj_q_str(ind->target_text);
    row->tren = ind->tren;
    *met = false;
    if (!r) {
        row->note = rj_q_str("not reported");
        row->catatan = rj_q_str("belum dilaporkan");
        s->not_reported++;
        return row;
    }
    row->reported = true;
    row->realisasi_e4 = r->value_e4;
    row->realisasi_text = rj_q_str(r->text);
    bool negatif = ind->tren == RENJA__V1__TREN__TREN_NEGATIF;
    int64_t num = negatif ? ind->target_e4 : r->value_e4;
    int64_t den = negatif ? r->value_e4 : ind->target_e4;
    /* note for machine formats, catatan the same for people */
    if (!ind->has_target) {
        const char *t = ind->target_text ? ind->target_text : "";
        row->note = rj_asprintf("target is not a number: \"%s\"", t);
        row->catatan = rj_asprintf("target bukan angka: \"%s\"", t);
    } else if (den == 0) {
        row->note = rj_q_str(negatif ? "realisasi is 0 (tren negatif)" : "target is 0");
        row->catatan = rj_q_str(negatif ? "realisasi 0 (tren negatif)" : "target 0");
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
        row->note = rj_q_str("capaian is out of range (beyond int64 hundredths)");
        row->catatan = rj_q_str("capaian di luar jangkauan (melebihi int64 perseratusan)");
        s->no_capaian++;
        return row;
    }
    row->predikat = rj_q_str(rj_eval_predikat(num, den));
    count(s, row->predikat);
    return row;
}

int rj_eval_compute(const rj_eval_input *in, Renja__V1__EvaluateResponse *out, rj_diag *d)
{
    if (in->tw < 1 || in->tw > 4)
        return rj_diag_set(d, RJ_EINVAL, "triwulan %d: expected 1, 2, 3 or 4", in->tw);
    rj_tree_node *nodes;
    int err = rj_tree_items(in->items, in->n_items, &nodes, d);
    if (err)
        return err;
    /* This triwulan's realisasi, sorted for lookup by (kode, indikator). */
    Renja__V1__Realisasi **rs = rj_calloc(in->n_reals, sizeof *rs);
    size_t nr = 0;
    for (size_t i = 0; i < in->n_reals; i++)
        if (in->reals[i]->tw == in->tw && !in->reals[i]->clear)
            rs[nr++] = in->reals[i];
    qsort(rs, nr, sizeof *rs, real_cmp);

    Renja__V1__EvalSummary *s = rj_malloc(sizeof *s);
    renja__v1__eval_summary__init(s);
    out->summary = s;
    size_t cap_rows = 0, cap_ang = 0, cap_met = 0, cap_ns = 0;
    for (size_t k = 0; k < in->n_items; k++) {
        const Renja__V1__Item *it = in->items[k];
        bool leaf = rj_kode_level(it->kode) == RJ_LEVEL_SUB_KEGIATAN;
        bool all_met = it->n_indikator > 0, any_reported = false, all_zero = true;
        for (size_t i = 0; i < it->n_indikator; i++) {
            const Renja__V1__Realisasi *r = find_real(rs, nr, it->kode, (int)(i + 1));
            bool met;
            Renja__V1__EvalRow *row = eval_row(it, i, r, s, &met);
            rj_ptrs_push((void ***)&out->rows, &out->n_rows, &cap_rows, row);
            all_met = all_met && met;
            if (r) {
                any_reported = true;
                all_zero = all_zero && r->value_e4 == 0;
            }
        }
        if (!leaf)
            continue;
        if (all_met)
            rj_ptrs_push((void ***)&s->met, &s->n_met, &cap_met, rj_strdup(it->kode));
        if (any_reported && all_zero)
            rj_ptrs_push((void ***)&s->not_started, &s->n_not_started, &cap_ns,
                         rj_strdup(it->kode));
        const Renja__V1__Realisasi *ra = find_real(rs, nr, it->kode, 0);
        if (ra) {
            Renja__V1__EvalAnggaran *a = rj_malloc(sizeof *a);
            renja__v1__eval_anggaran__init(a);
            a->kode = rj_q_str(it->kode);
            a->nama = rj_q_str(it->nama);
            a->pagu = nodes[k].effective;
            a->realisasi = ra->anggaran;
            a->has_serapan = rj_pct_e2(a->realisasi, a->pagu, &a->serapan_e2);
            rj_ptrs_push((void ***)&out->anggaran, &out->n_anggaran, &cap_ang, a);
        }
    }
    free(rs);
    free(nodes);
    return 0;
}
