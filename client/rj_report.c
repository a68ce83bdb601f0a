#include "rj_report.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"
#include "rj_kode.h"
#include "rj_num.h"
#include "rj_out.h"

/* --- an index of items by kode (open addressing; plans hold 10^4..10^5) --- */

typedef struct kidx {
    const char **keys;
    size_t *vals;
    size_t cap;
} kidx;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Keys point into the response indexed; the first of equal keys wins. */
static void kidx_init(kidx *x, size_t n)
{
    x->cap = rj_grow_cap(0, 2 * n + 1, 16); /* a power of two */
    x->keys = rj_calloc(x->cap, sizeof(*x->keys));
    x->vals = rj_calloc(x->cap, sizeof(*x->vals));
}

static void kidx_put(kidx *x, const char *key, size_t v)
{
    for (size_t i = hash_str(key) & (x->cap - 1);; i = (i + 1) & (x->cap - 1)) {
        if (!x->keys[i]) {
            x->keys[i] = key, x->vals[i] = v;
            return;
        }
        if (strcmp(x->keys[i], key) == 0)
            return;
    }
}

static bool kidx_get(const kidx *x, const char *key, size_t *v)
{
    if (!x->cap)
        return false;
    for (size_t i = hash_str(key) & (x->cap - 1); x->keys[i]; i = (i + 1) & (x->cap - 1))
        if (strcmp(x->keys[i], key) == 0) {
            *v = x->vals[i];
            return true;
        }
    return false;
}

static void kidx_free(kidx *x)
{
    free(x->keys);
    free(x->vals);
}

static void index_items(kidx *x, const Renja__V1__ShowResponse *s)
{
    kidx_init(x, s ? s->n_items : 0);
    for (size_t i = 0; s && i < s->n_items; i++)
        kidx_put(x, s->items[i]->kode, i);
}

static const Renja__V1__Item *item_of(const kidx *x, const Renja__V1__ShowResponse *s,
                                      const char *kode)
{
    size_t i;
    return s && kidx_get(x, kode, &i) ? s->items[i] : NULL;
}

/* --- words of the document ------------------------------------------------------ */

static const char *roman(int tw)
{
    static const char *r[] = {"", "I", "II", "III", "IV"};
    return tw >= 1 && tw <= 4 ? r[tw] : "";
}

/* The year of a plan id "opd-slug/tahun". */
static const char *tahun_of(const char *plan)
{
    const char *s = strrchr(plan, '/');
    return s ? s + 1 : "";
}

/* The plan's nama without a leading "Renja ", so that captions reading
 * "... Pelaksanaan Renja <nama>" do not say it twice. */
static const char *opd_of(const rj_report_in *in)
{
    const char *n = in->plan_nama && *in->plan_nama ? in->plan_nama : in->plan;
    return strncmp(n, "Renja ", 6) == 0 ? n + 6 : n;
}

static const Renja__V1__Stage *stage_named(const rj_report_in *in, const char *ref)
{
    for (size_t i = 0; in->stages && ref && i < in->stages->n_stages; i++)
        if (strcmp(in->stages->stages[i]->name, ref) == 0)
            return in->stages->stages[i];
    return NULL;
}

/* "APBD 2024 (apbd)" for a stage, the ref itself otherwise. */
static char *ref_label(const rj_report_in *in, const char *ref)
{
    const Renja__V1__Stage *st = stage_named(in, ref);
    if (st && st->title && *st->title)
        return rj_asprintf("%s (%s)", st->title, ref);
    return rj_strdup(ref && *ref ? ref : "head");
}

static const char *level_label(Renja__V1__Level lv)
{
    switch (lv) {
    case RENJA__V1__LEVEL__LEVEL_KEGIATAN:
        return "Kegiatan ";
    case RENJA__V1__LEVEL__LEVEL_SUB_KEGIATAN:
        return "Sub Kegiatan ";
    default:
        return "";
    }
}

/* The name column as the seed prints it: "Sub Kegiatan Penyusunan ...". */
static char *item_title(Renja__V1__Level lv, const char *nama)
{
    return rj_asprintf("%s%s", level_label(lv), nama ? nama : "");
}

static int indent_of(Renja__V1__Level lv)
{
    return lv >= 1 && lv <= 4 ? (int)lv - 1 : 0;
}

/* A target as Tabel 3.3 prints it: "2 dokumen", "100%", "-". */
static char *target_text(const Renja__V1__Indikator *ind)
{
    char n[RJ_NUM_MAX] = "";
    const char *t = ind->target_text && *ind->target_text ? ind->target_text : NULL;
    if (!t && ind->has_target) {
        rj_out_text_dec(RJ_OUT_TABLE, ind->target_e4, n);
        t = n;
    }
    if (!t)
        return rj_strdup("");
    const char *sat = ind->satuan ? ind->satuan : "";
    if (!*sat || strcmp(t, "-") == 0)
        return rj_strdup(t);
    return rj_asprintf("%s%s%s", t, strcmp(sat, "%") == 0 ? "" : " ", sat);
}

void rj_report_stage_header(const char *title, const char *date, char *out, size_t n)
{
    static const char *mon[] = {"JAN",  "FEB", "MAR", "APR", "MEI", "JUNI",
                                "JULI", "AGS", "SEP", "OKT", "NOV", "DES"};
    size_t k = 0;
    for (const char *p = title ? title : ""; *p && k + 1 < n; p++)
        out[k++] = (char)toupper((unsigned char)*p);
    out[k] = 0;
    if (!date || strlen(date) != 10)
        return;
    /* The title may already carry the date: 16-08-2024, 16082024, 2024-08-16. */
    char a[16], b[16];
    snprintf(a, sizeof(a), "%.2s-%.2s-%.4s", date + 8, date + 5, date);
    snprintf(b, sizeof(b), "%.2s%.2s%.4s", date + 8, date + 5, date);
    if (strstr(out, a) || strstr(out, b) || strstr(out, date))
        return;
    int m = atoi(date + 5);
    if (m < 1 || m > 12)
        return;
    snprintf(out + k, n - k, "%s%.2s %s %.4s", k ? " " : "", date + 8, mon[m - 1], date);
}

/* --- Tabel 2-1 -------------------------------------------------------------------- */

enum { T21_KODE, T21_NAMA, T21_IND, T21_LOKASI, T21_SATUAN, T21_TARGET, T21_REAL, T21_CAP, T21_N };

static void eval_cells(rj_row *r, const Renja__V1__EvalRow *e)
{
    rj_row_text(r, T21_IND, e->indikator);
    rj_row_text(r, T21_SATUAN, e->satuan);
    if (e->has_target)
        rj_row_dec(r, T21_TARGET, e->target_e4, rj_dec_places(e->target_e4));
    else
        rj_row_text(r, T21_TARGET, e->target_text);
    if (e->reported)
        rj_row_dec(r, T21_REAL, e->realisasi_e4, rj_dec_places(e->realisasi_e4));
    if (e->has_capaian)
        rj_row_pct(r, T21_CAP, e->capaian_e2);
}

static void tabel_2_1(rj_doc *d, const rj_report_in *in)
{
    const char *th = tahun_of(in->plan);
    char *title = rj_asprintf("Tabel 2-1\nRekapitulasi Hasil Evaluasi Pelaksanaan Renja %s Sampai "
                              "Dengan Triwulan %s Tahun %s",
                              opd_of(in), roman(in->tw), th);
    char *at = ref_label(in, in->at);
    char *ctx = rj_asprintf("s.d. TW %s %s, target: %s", roman(in->tw), th, at);
    rj_sheet *s = rj_doc_sheet(d, "Tabel 2-1", title, ctx, T21_N, 2);
    free(title), free(at), free(ctx);
    char *real = rj_asprintf("Realisasi Kinerja (s.d TW %s %s)", roman(in->tw), th);
    const char *head[T21_N] = {
        "Kode",
        "Urusan/ Bidang Urusan Pemerintahan Daerah/ Program/ Kegiatan/ Sub Kegiatan",
        "Indikator Kinerja Program/ Kegiatan/ Sub Kegiatan",
        "Lokasi",
        "Satuan",
        "Target Kinerja",
        real,
        "Capaian Kinerja (%)",
    };
    const char *num[T21_N] = {"1", "2", "3", "4", "5", "6", "7", "8=(7/6)*100"};
    static const double width[T21_N] = {17, 46, 44, 14, 9, 10, 11, 10};
    for (int c = 0; c < T21_N; c++) {
        rj_sheet_span(s, 0, c, 0, c, head[c]);
        rj_sheet_span(s, 1, c, 1, c, num[c]);
        rj_sheet_col(s, c, width[c], c == T21_NAMA);
    }
    free(real);

    /* The eval rows of each item, in the tree order of Show. */
    const Renja__V1__EvaluateResponse *ev = in->eval;
    kidx first;
    kidx_init(&first, ev ? ev->n_rows : 0);
    for (size_t i = 0; ev && i < ev->n_rows; i++)
        kidx_put(&first, ev->rows[i]->kode, i);
    const Renja__V1__ShowResponse *sh = in->show_at;
    for (size_t i = 0; sh && i < sh->n_items; i++) {
        const Renja__V1__Item *it = sh->items[i];
        rj_row *r = rj_sheet_row(s, rj_row_style_of_level((int)it->level), indent_of(it->level));
        char *t = item_title(it->level, it->nama);
        rj_row_text(r, T21_KODE, it->kode);
        rj_row_text(r, T21_NAMA, t);
        rj_row_text(r, T21_LOKASI, it->lokasi);
        free(t);
        size_t k;
        if (!kidx_get(&first, it->kode, &k))
            continue;
        for (bool first_row = true; k < ev->n_rows && strcmp(ev->rows[k]->kode, it->kode) == 0;
             k++, first_row = false) {
            if (!first_row)
                r = rj_sheet_row(s, rj_row_style_of_level((int)it->level), indent_of(it->level));
            if (!first_row && ev->rows[k]->lokasi && *ev->rows[k]->lokasi &&
                (!it->lokasi || strcmp(ev->rows[k]->lokasi, it->lokasi) != 0))
                rj_row_text(r, T21_LOKASI, ev->rows[k]->lokasi);
            eval_cells(r, ev->rows[k]);
        }
    }
    kidx_free(&first);
}

/* --- Tabel 2 ----------------------------------------------------------------------- */

/* Tabel 2 (Pencapaian Kinerja Pelayanan): the indikator of the Renstra's
 * tujuan and sasaran, from eval's goal rows, each goal a bold row with its
 * indikator numbered under it. The seed's five columns, and the capaian
 * that eval computes from them. */
enum { T2_NO, T2_IND, T2_TARGET, T2_REAL, T2_NOTE, T2_CAP, T2_N };

static void tabel_2(rj_doc *d, const rj_report_in *in)
{
    const char *th = tahun_of(in->plan);
    char *title = rj_asprintf("Tabel 2 Pencapaian Kinerja Pelayanan %s\nTahun %s sampai dengan "
                              "Triwulan %s",
                              opd_of(in), th, roman(in->tw));
    char *at = ref_label(in, in->at);
    char *ctx = rj_asprintf("indikator tujuan dan sasaran, s.d. TW %s %s, target: %s",
                            roman(in->tw), th, at);
    rj_sheet *s = rj_doc_sheet(d, "Tabel 2", title, ctx, T2_N, 1);
    free(title), free(at), free(ctx);
    const char *head[T2_N] = {"No.",
                              "Indikator Kinerja",
                              "Target Kinerja",
                              "Realisasi/ Proyeksi Capaian Kinerja Renstra",
                              "Catatan Analisis",
                              "Capaian Kinerja (%)"};
    static const double width[T2_N] = {6, 60, 16, 24, 40, 12};
    for (int c = 0; c < T2_N; c++) {
        rj_sheet_span(s, 0, c, 0, c, head[c]);
        rj_sheet_col(s, c, width[c], c == T2_IND);
    }
    const Renja__V1__EvaluateResponse *ev = in->eval;
    if (!ev || !ev->n_goal_rows) {
        /* Goals are plan content of a stage: an early stage may have none
         * yet while later ones do (--at chooses). */
        char *lbl = ref_label(in, in->at);
        char *note = rj_asprintf("Pada %s renja ini belum memuat tujuan dan sasaran beserta "
                                 "indikatornya (tahap lain: --at).",
                                 lbl);
        rj_sheet_note(s, note);
        free(note), free(lbl);
        return;
    }
    int no = 0;
    for (size_t i = 0; i < ev->n_goal_rows; i++) {
        const Renja__V1__EvalRow *e = ev->goal_rows[i];
        if (i == 0 || strcmp(ev->goal_rows[i - 1]->kode, e->kode) != 0) {
            rj_row *g = rj_sheet_row(s, RJ_ROW_PROGRAM, 0);
            char *t = rj_asprintf("%s %s: %s",
                                  rj_goal_kind_of(e->kode) == RJ_GOAL_TUJUAN ? "Tujuan" : "Sasaran",
                                  e->kode, e->nama ? e->nama : "");
            rj_row_text(g, T2_IND, t);
            free(t);
        }
        rj_row *r = rj_sheet_row(s, RJ_ROW_PLAIN, 1);
        char nb[16];
        snprintf(nb, sizeof(nb), "%d", ++no);
        rj_row_text(r, T2_NO, nb);
        char *ind = e->satuan && *e->satuan ? rj_asprintf("%s (%s)", e->indikator, e->satuan)
                                            : rj_strdup(e->indikator ? e->indikator : "");
        rj_row_text(r, T2_IND, ind);
        free(ind);
        if (e->has_target)
            rj_row_dec(r, T2_TARGET, e->target_e4, rj_dec_places(e->target_e4));
        else
            rj_row_text(r, T2_TARGET, e->target_text);
        if (e->reported)
            rj_row_dec(r, T2_REAL, e->realisasi_e4, rj_dec_places(e->realisasi_e4));
        if (e->has_capaian)
            rj_row_pct(r, T2_CAP, e->capaian_e2);
        else if (e->catatan && *e->catatan)
            rj_row_text(r, T2_NOTE, e->catatan);
    }
}

/* --- Tabel 3.3 --------------------------------------------------------------------- */

enum {
    T33_NO,
    T33_KODE,
    T33_NAMA,
    T33_IND,
    T33_LOKASI,
    T33_T_FROM,
    T33_T_TO,
    T33_P_FROM,
    T33_P_TO,
    T33_SUMBER,
    T33_DELTA,
    T33_KET,
    T33_CATATAN,
    T33_N
};

static void t33_header(rj_sheet *s, const char *tahun)
{
    char *rk = rj_asprintf("Rencana Kerja Perubahan Tahun %s", tahun);
    rj_sheet_span(s, 0, T33_NO, 2, T33_NO, "Nomor");
    rj_sheet_span(s, 0, T33_KODE, 2, T33_KODE, "Kode");
    rj_sheet_span(s, 0, T33_NAMA, 2, T33_NAMA,
                  "Urusan/ Bidang Urusan/ Program/ Kegiatan/ Sub Kegiatan");
    rj_sheet_span(s, 0, T33_IND, 2, T33_IND, "Indikator Kinerja Program/ Kegiatan/ Sub Kegiatan");
    rj_sheet_span(s, 0, T33_LOKASI, 0, T33_SUMBER, rk);
    rj_sheet_span(s, 0, T33_DELTA, 2, T33_DELTA, "Bertambah/ (Berkurang)");
    rj_sheet_span(s, 0, T33_KET, 2, T33_KET, "Ket.");
    rj_sheet_span(s, 0, T33_CATATAN, 2, T33_CATATAN, "Catatan Pembahasan");
    rj_sheet_span(s, 1, T33_LOKASI, 2, T33_LOKASI, "Lokasi");
    rj_sheet_span(s, 1, T33_T_FROM, 1, T33_T_TO, "Target Capaian Kinerja");
    rj_sheet_span(s, 1, T33_P_FROM, 1, T33_P_TO, "Kebutuhan Dana/ Pagu Indikatif");
    rj_sheet_span(s, 1, T33_SUMBER, 2, T33_SUMBER, "Sumber Dana");
    rj_sheet_span(s, 2, T33_T_FROM, 2, T33_T_FROM, "Sebelum");
    rj_sheet_span(s, 2, T33_T_TO, 2, T33_T_TO, "Sesudah");
    rj_sheet_span(s, 2, T33_P_FROM, 2, T33_P_FROM, "Sebelum");
    rj_sheet_span(s, 2, T33_P_TO, 2, T33_P_TO, "Sesudah");
    const char *num[T33_N] = {"1", "2", "3",  "4",      "5",  "6", "7",
                              "8", "9", "10", "11=9-8", "12", "13"};
    static const double width[T33_N] = {6, 16, 34, 30, 10, 9, 9, 16, 16, 9, 16, 6.5, 10.5};
    for (int c = 0; c < T33_N; c++) {
        rj_sheet_span(s, 3, c, 3, c, num[c]);
        rj_sheet_col(s, c, width[c], c == T33_NAMA);
    }
    free(rk);
}

/* "A", "B", ... "Z", "AA" for the n-th urusan (0-based). */
static void letter(size_t n, char out[8])
{
    char tmp[8];
    int k = 0;
    do {
        tmp[k++] = (char)('A' + n % 26);
        n = n / 26;
    } while (n-- > 0 && k < 7);
    for (int i = 0; i < k; i++)
        out[i] = tmp[k - 1 - i];
    out[k] = 0;
}

static const char *nonempty(const char *a, const char *b)
{
    return a && *a ? a : b ? b : "";
}

static void t33_row(rj_sheet *s, const Renja__V1__DiffRow *dr, const Renja__V1__Item *from,
                    const Renja__V1__Item *to, const char *nomor)
{
    rj_row_style st = rj_row_style_of_level((int)dr->level);
    int ind = indent_of(dr->level);
    rj_row *r = rj_sheet_row(s, st, ind);
    char *t = item_title(dr->level, dr->nama);
    rj_row_text(r, T33_NO, nomor);
    rj_row_text(r, T33_KODE, dr->kode);
    rj_row_text(r, T33_NAMA, t);
    free(t);
    rj_row_text(r, T33_LOKASI, nonempty(to ? to->lokasi : NULL, from ? from->lokasi : NULL));
    rj_row_text(r, T33_SUMBER,
                nonempty(to ? to->sumber_dana : NULL, from ? from->sumber_dana : NULL));
    rj_row_money(r, T33_P_FROM, dr->pagu_from);
    rj_row_money(r, T33_P_TO, dr->pagu_to);
    rj_row_money(r, T33_DELTA, dr->delta);
    if (dr->change == RENJA__V1__CHANGE_KIND__CHANGE_ADDED)
        rj_row_text(r, T33_KET, "baru");
    else if (dr->change == RENJA__V1__CHANGE_KIND__CHANGE_REMOVED)
        rj_row_text(r, T33_KET, "dihapus");
    size_t nf = from ? from->n_indikator : 0, nt = to ? to->n_indikator : 0;
    size_t n = nf > nt ? nf : nt;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            r = rj_sheet_row(s, st, ind);
        const Renja__V1__Indikator *a = i < nf ? from->indikator[i] : NULL;
        const Renja__V1__Indikator *b = i < nt ? to->indikator[i] : NULL;
        rj_row_text(r, T33_IND, nonempty(b ? b->nama : NULL, a ? a->nama : NULL));
        char *ta = a ? target_text(a) : rj_strdup("-");
        char *tb = b ? target_text(b) : rj_strdup("-");
        rj_row_text(r, T33_T_FROM, ta);
        rj_row_text(r, T33_T_TO, tb);
        free(ta), free(tb);
    }
}

static void tabel_3_3(rj_doc *d, const rj_report_in *in)
{
    const char *th = tahun_of(in->plan);
    char *title = rj_asprintf("Tabel 3.3 Rincian Program, Kegiatan, Sub Kegiatan, Target dan Pagu "
                              "dan Perubahan RENJA Tahun %s",
                              th);
    char *a = ref_label(in, in->from), *b = ref_label(in, in->to);
    char *ctx = rj_asprintf("sebelum: %s, sesudah: %s", a, b);
    rj_sheet *s = rj_doc_sheet(d, "Tabel 3.3 (3.1)", title, ctx, T33_N, 4);
    free(title), free(a), free(b), free(ctx);
    t33_header(s, th);
    kidx xf, xt;
    index_items(&xf, in->show_from);
    index_items(&xt, in->show_to);
    size_t urusan = 0, program = 0;
    const Renja__V1__DiffResponse *df = in->diff;
    for (size_t i = 0; df && i < df->n_rows; i++) {
        const Renja__V1__DiffRow *dr = df->rows[i];
        if (dr->is_line)
            continue;
        char nomor[24] = "";
        if (dr->level == RENJA__V1__LEVEL__LEVEL_URUSAN)
            letter(urusan++, nomor), program = 0;
        else if (dr->level == RENJA__V1__LEVEL__LEVEL_PROGRAM)
            snprintf(nomor, sizeof(nomor), "%zu", ++program);
        t33_row(s, dr, item_of(&xf, in->show_from, dr->kode), item_of(&xt, in->show_to, dr->kode),
                nomor);
    }
    kidx_free(&xf);
    kidx_free(&xt);
    rj_row *r = rj_sheet_row(s, RJ_ROW_TOTAL, 0);
    rj_row_text(r, T33_NO, "Jumlah");
    if (df && df->total) {
        rj_row_money(r, T33_P_FROM, df->total->pagu_from);
        rj_row_money(r, T33_P_TO, df->total->pagu_to);
        rj_row_money(r, T33_DELTA, df->total->delta);
    }
}

/* --- Tabel 3.2 --------------------------------------------------------------------- */

static void tabel_3_2(rj_doc *d, const rj_report_in *in)
{
    const Renja__V1__CompareResponse *cp = in->compare;
    int nst = cp ? (int)cp->n_stages : 0;
    const char *th = tahun_of(in->plan);
    char *title = rj_asprintf("Tabel 3.2 Rincian Program, Kegiatan, Sub Kegiatan, Target dan Pagu "
                              "dan Perubahan RENJA Tahun %s",
                              th);
    rj_buf ctx = {0};
    rj_buf_puts(&ctx, "tahapan: ");
    for (int i = 0; i < nst; i++)
        rj_buf_printf(&ctx, "%s%s", i ? ", " : "", cp->stages[i]->ref);
    rj_buf_append(&ctx, "", 1);
    rj_sheet *s = rj_doc_sheet(d, "Tabel 3.2", title, ctx.data, 2 + nst, 1);
    rj_buf_free(&ctx);
    free(title);
    rj_sheet_span(s, 0, 0, 0, 0, "NO");
    rj_sheet_span(s, 0, 1, 0, 1, "URUSAN / OPD");
    rj_sheet_col(s, 0, 6, false);
    rj_sheet_col(s, 1, 52, true);
    for (int i = 0; i < nst; i++) {
        const Renja__V1__Stage *st = stage_named(in, cp->stages[i]->ref);
        char h[256];
        rj_report_stage_header(nonempty(cp->stages[i]->title, cp->stages[i]->ref),
                               st ? st->date : NULL, h, sizeof(h));
        rj_sheet_span(s, 0, 2 + i, 0, 2 + i, h);
        rj_sheet_col(s, 2 + i, 17, false);
    }
    /* NO as the seed numbers the rekening levels: 1. / a. / 1). / "-". */
    int n2 = 0, n3 = 0, n4 = 0;
    for (size_t i = 0; cp && i < cp->n_rows; i++) {
        const Renja__V1__CompareRow *cr = cp->rows[i];
        int depth = cr->depth > 0 ? cr->depth : 1;
        rj_row *r = rj_sheet_row(s, rj_row_style_of_level(depth < 4 ? depth : 4), depth - 1);
        char no[24] = "";
        if (depth == 2)
            snprintf(no, sizeof(no), "%d.", ++n2), n3 = 0;
        else if (depth == 3) {
            char l[8];
            letter((size_t)n3++, l);
            snprintf(no, sizeof(no), "%c.", (char)tolower((unsigned char)l[0])), n4 = 0;
        } else if (depth == 4)
            snprintf(no, sizeof(no), "%d).", ++n4);
        rj_row_text(r, 0, no);
        char *nama = rj_asprintf("%s%s", depth >= 5 ? "- " : "", cr->nama ? cr->nama : "");
        rj_row_text(r, 1, nama);
        free(nama);
        for (int k = 0; k < nst && (size_t)k < cr->n_values; k++)
            rj_row_money(r, 2 + k, cr->values[k]);
    }
}

/* --- validate ---------------------------------------------------------------------- */

static void findings(rj_doc *d, const rj_report_in *in)
{
    rj_buf ctx = {0};
    for (size_t v = 0; v < in->nvalidate; v++)
        rj_buf_printf(&ctx, "%s%s", v ? ", " : "", in->validate_ref[v]);
    rj_buf_append(&ctx, "", 1);
    rj_sheet *s = rj_doc_sheet(d, "Temuan Validasi",
                               "Temuan Validasi\nTempat angka yang dicetak tidak saling menjumlah, "
                               "dan catatan lain (renja validate)",
                               ctx.data, 5, 1);
    rj_buf_free(&ctx);
    const char *head[] = {"Tahapan", "Tingkat", "Kode", "Aturan", "Pesan"};
    static const double width[] = {18, 9, 20, 20, 90};
    for (int c = 0; c < 5; c++) {
        rj_sheet_span(s, 0, c, 0, c, head[c]);
        rj_sheet_col(s, c, width[c], false);
    }
    size_t n = 0;
    for (size_t v = 0; v < in->nvalidate; v++) {
        const Renja__V1__ValidateResponse *vr = in->validate[v];
        for (size_t i = 0; vr && i < vr->n_findings; i++, n++) {
            const Renja__V1__Finding *f = vr->findings[i];
            rj_row *r = rj_sheet_row(s, RJ_ROW_PLAIN, 0);
            rj_row_text(r, 0, in->validate_ref[v]);
            rj_row_text(r, 1, f->severity);
            rj_row_text(r, 2, f->kode);
            rj_row_text(r, 3, f->rule);
            rj_row_text(r, 4, f->message);
        }
    }
    if (n == 0)
        rj_sheet_note(s, "Tidak ada temuan.");
}

rj_doc *rj_report_build(const rj_report_in *in)
{
    char *a = ref_label(in, in->from), *b = ref_label(in, in->to);
    char *subject = rj_asprintf("%s → %s; TW %s", a, b, roman(in->tw));
    rj_doc *d = rj_doc_new(in->plan, in->plan_nama, subject);
    free(a), free(b), free(subject);
    tabel_2_1(d, in);
    tabel_2(d, in);
    tabel_3_3(d, in);
    tabel_3_2(d, in);
    findings(d, in);
    return d;
}
