/* Small hand-built plans for the query engine tests. Header-only. */
#ifndef RJ_ENGINE_FIXTURE_H
#define RJ_ENGINE_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_alloc.h"
#include "rj_kode.h"

static inline char *fx_str(const char *s)
{
    return s ? rj_strdup(s) : rj_strdup("");
}

/* pagu < 0 with has_pagu false means "no declared pagu". */
static inline Renja__V1__Item *fx_item(const char *kode, bool has_pagu, int64_t pagu,
                                       const char *nama, const char *bidang, const char *sumber)
{
    Renja__V1__Item *it = rj_malloc(sizeof *it);
    renja__v1__item__init(it);
    it->kode = fx_str(kode);
    it->level = (Renja__V1__Level)rj_kode_level(kode);
    it->nama = fx_str(nama ? nama : kode);
    it->bidang = fx_str(bidang);
    it->sumber_dana = fx_str(sumber);
    it->lokasi = fx_str("");
    it->has_pagu = has_pagu;
    it->pagu = has_pagu ? pagu : 0;
    return it;
}

static inline Renja__V1__Indikator *fx_ind(Renja__V1__Item *it, const char *nama,
                                           const char *satuan, bool has_target, int64_t target_e4,
                                           const char *text)
{
    Renja__V1__Indikator *in = rj_malloc(sizeof *in);
    renja__v1__indikator__init(in);
    in->nama = fx_str(nama);
    in->satuan = fx_str(satuan);
    in->has_target = has_target;
    in->target_e4 = target_e4;
    in->target_text = fx_str(text);
    it->indikator = rj_realloc(it->indikator, (it->n_indikator + 1) * sizeof *it->indikator);
    it->indikator[it->n_indikator++] = in;
    return in;
}

static inline Renja__V1__BudgetLine *fx_line(const char *kode, bool has_pagu, int64_t pagu,
                                             const char *nama)
{
    Renja__V1__BudgetLine *ln = rj_malloc(sizeof *ln);
    renja__v1__budget_line__init(ln);
    ln->kode = fx_str(kode);
    ln->nama = fx_str(nama ? nama : kode);
    ln->has_pagu = has_pagu;
    ln->pagu = has_pagu ? pagu : 0;
    return ln;
}

static inline Renja__V1__Realisasi *fx_real(const char *kode, int tw, int ind, int64_t value_e4,
                                            int64_t anggaran)
{
    Renja__V1__Realisasi *r = rj_malloc(sizeof *r);
    renja__v1__realisasi__init(r);
    r->kode = fx_str(kode);
    r->tw = tw;
    r->indikator = ind;
    r->value_e4 = value_e4;
    r->anggaran = anggaran;
    r->text = fx_str("");
    return r;
}

static inline void fx_free(void *arr, size_t n)
{
    void **a = arr;
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked(a[i], NULL);
}

static inline const Renja__V1__DiffRow *fx_row(const Renja__V1__DiffResponse *r, const char *kode,
                                               bool line)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (strcmp(r->rows[i]->kode, kode) == 0 && r->rows[i]->is_line == line)
            return r->rows[i];
    return NULL;
}

#endif
