#include "rj_print.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rj_alloc.h"
#include "rj_ident.h"
#include "rj_kode.h"
#include "rj_num.h"

void rj_print_time(int64_t unix_ms, rj_out_mode m, char out[48])
{
    out[0] = 0;
    if (unix_ms <= 0)
        return;
    time_t t = (time_t)(unix_ms / 1000);
    struct tm tm;
    if (m != RJ_OUT_TABLE) {
        gmtime_r(&t, &tm);
        strftime(out, 48, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return;
    }
    localtime_r(&t, &tm);
    strftime(out, 48, "%Y-%m-%d %H:%M:%S %Z", &tm);
}

void rj_print_default_zone(void)
{
    /* A POSIX zone needs no tz database: WIB is UTC+7 all year. */
    if (!getenv("TZ"))
        setenv("TZ", "WIB-7", 1);
    tzset();
}

static const char *level_name(Renja__V1__Level l)
{
    return rj_level_name((rj_level)l);
}

static const char *tren_name(Renja__V1__Tren t)
{
    return t == RENJA__V1__TREN__TREN_NEGATIF ? "negatif" : "positif";
}

/* A one-record answer: its document in json (taken over), else the one
 * value alone on a line. */
static void print_one(rj_out_mode m, FILE *out, const char *flat, rj_val *json)
{
    if (m == RJ_OUT_JSON)
        rj_val_print(json, out);
    else
        fprintf(out, "%s\n", flat);
    rj_val_free(json);
}

void rj_print_submit(const char *plan, const Renja__V1__SubmitResponse *r, rj_out_mode m, FILE *out)
{
    rj_val *v = rj_val_object();
    rj_val_int(v, "rev", (int64_t)r->rev);
    rj_val_str(v, "plan", plan);
    if (r->revision) {
        rj_val_int(v, "base_rev", (int64_t)r->revision->base_rev);
        rj_val_int(v, "keys", (int64_t)r->revision->n_keys);
    }
    rj_val_bool(v, "unchanged", r->unchanged);
    char flat[32];
    snprintf(flat, sizeof(flat), "%" PRIu64, r->rev);
    print_one(m, out, flat, v);
}

void rj_print_plan(const Renja__V1__PlanResponse *r, rj_out_mode m, FILE *out)
{
    const Renja__V1__Plan *p = r->plan;
    rj_val *v = rj_val_object();
    rj_val_int(v, "rev", p ? (int64_t)p->head : 0);
    rj_val_str(v, "plan", p ? p->id : "");
    rj_val_bool(v, "locked", p && p->locked);
    print_one(m, out, p ? p->id : "", v);
}

void rj_print_stage_set(const char *plan, const Renja__V1__SetStageResponse *r, rj_out_mode m,
                        FILE *out)
{
    const Renja__V1__Stage *s = r->stage;
    rj_val *v = rj_val_object();
    rj_val_int(v, "rev", s ? (int64_t)s->rev : 0);
    rj_val_str(v, "plan", plan);
    rj_val_str(v, "stage", s ? s->name : "");
    print_one(m, out, s ? s->name : "", v);
}

void rj_print_plans(const Renja__V1__ListPlansResponse *r, rj_out_mode m, FILE *out)
{
    rj_table *t = rj_table_new("plans");
    rj_table_col(t, "plan", "Renja", 0);
    rj_table_col(t, "nama", "Nama", RJ_COL_WRAP);
    rj_table_col(t, "head", "Revisi Terakhir", 0);
    rj_table_col(t, "locked", "Dikunci", 0);
    rj_table_col(t, "locked_by", "Dikunci Oleh", RJ_COL_WRAP);
    rj_table_col(t, "created", "Dibuat", 0);
    for (size_t i = 0; i < r->n_plans; i++) {
        const Renja__V1__Plan *p = r->plans[i];
        char tm[48];
        rj_print_time(p->created_unix_ms, m, tm);
        rj_table_row(t);
        rj_table_str(t, p->id);
        rj_table_str(t, p->nama);
        rj_table_int(t, (int64_t)p->head);
        rj_table_bool(t, p->locked);
        rj_table_str(t, p->locked_by);
        rj_table_str(t, tm);
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
}

void rj_print_tokens(const Renja__V1__ListTokensResponse *r, rj_out_mode m, FILE *out)
{
    rj_table *t = rj_table_new("tokens");
    rj_table_col(t, "name", "Name", 0);
    rj_table_col(t, "role", "Role", 0);
    rj_table_col(t, "bidang", "Bidang", 0);
    for (size_t i = 0; i < r->n_tokens; i++) {
        const Renja__V1__Identity *id = r->tokens[i];
        rj_table_row(t);
        rj_table_str(t, id->name);
        rj_table_str(t, rj_role_name(id->role));
        rj_table_str(t, id->bidang);
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
}

void rj_print_stages(const char *plan, const Renja__V1__ListStagesResponse *r, rj_out_mode m,
                     FILE *out)
{
    rj_table *t = rj_table_new("stages");
    rj_table_meta_str(t, "plan", plan);
    rj_table_col(t, "name", "Tahapan", 0);
    rj_table_col(t, "rev", "Rev", 0);
    rj_table_col(t, "title", "Judul", RJ_COL_WRAP);
    rj_table_col(t, "basis", "Dasar", RJ_COL_WRAP);
    rj_table_col(t, "date", "Tanggal", 0);
    rj_table_col(t, "order", "Urutan", 0);
    rj_table_col(t, "set_by", "Oleh", 0);
    for (size_t i = 0; i < r->n_stages; i++) {
        const Renja__V1__Stage *s = r->stages[i];
        rj_table_row(t);
        rj_table_str(t, s->name);
        rj_table_int(t, (int64_t)s->rev);
        rj_table_str(t, s->title);
        rj_table_str(t, s->basis);
        rj_table_str(t, s->date);
        rj_table_int(t, s->order);
        rj_table_str(t, s->set_by);
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
}

/* One field that differs between two versions, "field: from -> to", as a
 * person reads it in the table and plainly in the machine formats. */
static void field_change(rj_buf *b, const char *field, const char *from, const char *to)
{
    if (strcmp(from, to) == 0)
        return;
    if (b->len)
        rj_buf_puts(b, "; ");
    rj_buf_printf(b, "%s: %s -> %s", field, *from ? from : "-", *to ? to : "-");
}

static void money_text(bool has, int64_t v, rj_out_mode m, char out[RJ_NUM_MAX])
{
    if (has)
        rj_out_text_money(m, v, out);
    else
        out[0] = '\0';
}

static void target_text(const Renja__V1__Indikator *k, rj_out_mode m, rj_buf *b);

static void indikator_changes(rj_buf *tail, Renja__V1__Indikator *const *xi, size_t nx,
                              Renja__V1__Indikator *const *yi, size_t ny, rj_out_mode m);

/* What one revision changed in one item, budget line or goal. */
static void history_changes(const Renja__V1__ItemChange *c, rj_out_mode m, rj_buf *b)
{
    static const Renja__V1__Item no_item = RENJA__V1__ITEM__INIT;
    static const Renja__V1__BudgetLine no_line = RENJA__V1__BUDGET_LINE__INIT;
    char f[RJ_NUM_MAX], t[RJ_NUM_MAX];
    if (!c->has_before && c->has_after) {
        bool has = c->after ? c->after->has_pagu : c->line_after && c->line_after->has_pagu;
        int64_t pagu = c->after ? c->after->pagu : c->line_after ? c->line_after->pagu : 0;
        money_text(has, pagu, m, t);
        /* people read it in Indonesian, machine formats as it always was */
        rj_buf_printf(b, "%s%s%s", m == RJ_OUT_TABLE ? "ditambahkan" : "added",
                      has ? ", pagu " : "", has ? t : "");
        return;
    }
    if (c->has_before && !c->has_after) {
        rj_buf_puts(b, m == RJ_OUT_TABLE ? "dihapus" : "removed");
        return;
    }
    rj_buf tail = {0};
    if (c->goal_before || c->goal_after) {
        static const Renja__V1__Goal no_goal = RENJA__V1__GOAL__INIT;
        const Renja__V1__Goal *x = c->goal_before ? c->goal_before : &no_goal;
        const Renja__V1__Goal *y = c->goal_after ? c->goal_after : &no_goal;
        field_change(&tail, "nama", x->nama, y->nama);
        indikator_changes(&tail, x->indikator, x->n_indikator, y->indikator, y->n_indikator, m);
    } else if (c->line_before || c->line_after) {
        const Renja__V1__BudgetLine *x = c->line_before ? c->line_before : &no_line;
        const Renja__V1__BudgetLine *y = c->line_after ? c->line_after : &no_line;
        field_change(&tail, "nama", x->nama, y->nama);
        money_text(x->has_pagu, x->pagu, m, f);
        money_text(y->has_pagu, y->pagu, m, t);
        field_change(&tail, "pagu", f, t);
    } else {
        const Renja__V1__Item *x = c->before ? c->before : &no_item;
        const Renja__V1__Item *y = c->after ? c->after : &no_item;
        field_change(&tail, "nama", x->nama, y->nama);
        field_change(&tail, "bidang", x->bidang, y->bidang);
        field_change(&tail, "lokasi", x->lokasi, y->lokasi);
        money_text(x->has_pagu, x->pagu, m, f);
        money_text(y->has_pagu, y->pagu, m, t);
        field_change(&tail, "pagu", f, t);
        field_change(&tail, "sumber-dana", x->sumber_dana, y->sumber_dana);
        rj_buf sf = {0}, st = {0};
        for (size_t i = 0; i < x->n_sasaran; i++)
            rj_buf_printf(&sf, "%s%s", i ? " " : "", x->sasaran[i]);
        for (size_t i = 0; i < y->n_sasaran; i++)
            rj_buf_printf(&st, "%s%s", i ? " " : "", y->sasaran[i]);
        rj_buf_append(&sf, "", 1), rj_buf_append(&st, "", 1);
        field_change(&tail, "sasaran", sf.data, st.data);
        rj_buf_free(&sf), rj_buf_free(&st);
        indikator_changes(&tail, x->indikator, x->n_indikator, y->indikator, y->n_indikator, m);
    }
    if (tail.len)
        rj_buf_append(b, tail.data, tail.len);
    else
        rj_buf_puts(b, m == RJ_OUT_TABLE ? "tidak ada isian yang berubah" : "no field changed");
    rj_buf_free(&tail);
}

void rj_print_events(const Renja__V1__LogResponse *r, rj_out_mode m, FILE *out)
{
    rj_table *t = rj_table_new("events");
    rj_table_meta_str(t, "plan", r->plan);
    rj_table_col(t, "time", "Waktu", 0);
    rj_table_col(t, "action", "Aksi", 0);
    rj_table_col(t, "detail", "Keterangan", RJ_COL_WRAP);
    rj_table_col(t, "author", "Oleh", RJ_COL_WRAP);
    rj_table_col(t, "role", "Peran", 0);
    rj_table_col(t, "bidang", "Bidang", RJ_COL_WRAP | RJ_COL_DROP);
    rj_table_col(t, "client", "Dari", RJ_COL_WRAP | RJ_COL_DROP);
    rj_table_col(t, "head", "Revisi Terakhir", 0);
    for (size_t i = 0; i < r->n_events; i++) {
        const Renja__V1__PlanEvent *e = r->events[i];
        char tm[48];
        rj_print_time(e->time_unix_ms, m, tm);
        rj_table_row(t);
        rj_table_str(t, tm);
        rj_table_str(t, e->action);
        rj_table_str(t, e->detail);
        rj_table_str(t, e->name);
        rj_table_str(t, rj_role_name(e->role));
        rj_table_str(t, e->bidang);
        rj_table_str(t, e->client);
        rj_table_int(t, (int64_t)e->head);
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
}

/* indikator.N.FIELD: from -> to for every field that differs. */
static void indikator_changes(rj_buf *tail, Renja__V1__Indikator *const *xi, size_t nx,
                              Renja__V1__Indikator *const *yi, size_t ny, rj_out_mode m)
{
    size_t n = nx > ny ? nx : ny;
    for (size_t i = 0; i < n; i++) {
        static const Renja__V1__Indikator none = RENJA__V1__INDIKATOR__INIT;
        const Renja__V1__Indikator *a = i < nx ? xi[i] : &none;
        const Renja__V1__Indikator *z = i < ny ? yi[i] : &none;
        char name[48];
        snprintf(name, sizeof(name), "indikator.%zu.nama", i + 1);
        field_change(tail, name, a->nama, z->nama);
        snprintf(name, sizeof(name), "indikator.%zu.satuan", i + 1);
        field_change(tail, name, a->satuan, z->satuan);
        rj_buf ta = {0}, tz = {0};
        target_text(a, m, &ta);
        target_text(z, m, &tz);
        snprintf(name, sizeof(name), "indikator.%zu.target", i + 1);
        field_change(tail, name, ta.data ? ta.data : "", tz.data ? tz.data : "");
        rj_buf_free(&ta);
        rj_buf_free(&tz);
        snprintf(name, sizeof(name), "indikator.%zu.tren", i + 1);
        field_change(tail, name, i < nx ? tren_name(a->tren) : "",
                     i < ny ? tren_name(z->tren) : "");
    }
}

void rj_print_log(const Renja__V1__LogResponse *r, rj_out_mode m, FILE *out)
{
    bool history = r->n_history > 0;
    rj_table *t = rj_table_new("revisions");
    rj_table_meta_str(t, "plan", r->plan);
    rj_table_col(t, "rev", "Rev", 0);
    rj_table_col(t, "time", "Waktu", 0);
    rj_table_col(t, "author", "Oleh", RJ_COL_WRAP);
    rj_table_col(t, "bidang", "Bidang", RJ_COL_WRAP | RJ_COL_DROP);
    rj_table_col(t, "base_rev", "Base", RJ_COL_NO_TABLE);
    rj_table_col(t, "message", "Pesan", RJ_COL_WRAP);
    if (history)
        rj_table_col(t, "changes", "Perubahan", RJ_COL_WRAP);
    rj_table_col(t, "role", "Peran", 0);
    rj_table_col(t, "client", "Dari", RJ_COL_WRAP | RJ_COL_DROP);
    rj_table_col(t, "keys", NULL, RJ_COL_JSON_ONLY);
    for (size_t i = 0; i < r->n_revisions; i++) {
        const Renja__V1__Revision *v = r->revisions[i];
        char tm[48];
        rj_print_time(v->time_unix_ms, m, tm);
        rj_table_row(t);
        rj_table_int(t, (int64_t)v->rev);
        rj_table_str(t, tm);
        rj_table_str(t, v->author);
        rj_table_str(t, v->bidang);
        rj_table_int(t, (int64_t)v->base_rev);
        rj_table_str(t, v->message);
        if (history) {
            /* A revision of the subtree that did not touch the item itself
             * has no history entry: say so rather than print nothing. */
            rj_buf c = {0};
            for (size_t h = 0; h < r->n_history; h++)
                if (r->history[h]->revision && r->history[h]->revision->rev == v->rev)
                    history_changes(r->history[h], m, &c);
            rj_table_str(t, c.len               ? c.data
                            : m == RJ_OUT_TABLE ? "(di bawah item ini)"
                                                : "(below this item)");
            rj_buf_free(&c);
        }
        rj_table_str(t, rj_role_name(v->role));
        rj_table_str(t, v->client);
        rj_val *keys = rj_val_array();
        for (size_t k = 0; k < v->n_keys; k++)
            rj_val_str(keys, NULL, v->keys[k]);
        rj_table_val(t, keys);
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
}

/* One rule for a value wherever people read it in a sentence (log's
 * changes, the goal tables, diff's from and to): the text as the source
 * wrote it, else the value in the form rj_out_prose_dec gives. Columns
 * of values are rj_table_written / rj_out_written. */
static void value_text(const char *text, bool has, int64_t e4, rj_out_mode m, rj_buf *b)
{
    char n[RJ_NUM_MAX];
    if (text && *text)
        rj_buf_puts(b, text);
    else if (has) {
        rj_out_prose_dec(m, e4, n);
        rj_buf_puts(b, n);
    }
}

/* The target of an indikator as people read it: its text, else its value. */
static void target_text(const Renja__V1__Indikator *k, rj_out_mode m, rj_buf *b)
{
    value_text(k->target_text, k->has_target, k->target_e4, m, b);
}

/* The indikator of an item or goal: a new array. */
static rj_val *indikator_vals(Renja__V1__Indikator *const *ind, size_t n)
{
    rj_val *a = rj_val_array();
    for (size_t i = 0; i < n; i++) {
        const Renja__V1__Indikator *k = ind[i];
        rj_val *o = rj_val_add_object(a, NULL);
        rj_val_str(o, "nama", k->nama);
        rj_val_str(o, "satuan", k->satuan);
        rj_val_dec_or_null(o, "target", k->has_target, k->target_e4);
        rj_val_str(o, "target_text", k->target_text);
        rj_val_str(o, "tren", tren_name(k->tren));
        if (k->formula != RENJA__V1__FORMULA__FORMULA_NONE)
            rj_val_str(o, "formula",
                       k->formula == RENJA__V1__FORMULA__FORMULA_RATIO ? "ratio" : "growth");
        if (k->n_parts) {
            rj_val *parts = rj_val_add_array(o, "parts");
            for (size_t q = 0; q < k->n_parts; q++) {
                rj_val *x = rj_val_add_object(parts, NULL);
                rj_val_dec(x, "value", k->parts[q]->value_e4);
                rj_val_str(x, "satuan", k->parts[q]->satuan);
            }
        }
    }
    return a;
}

/* A listing of one plan as of one revision: its JSON document carries both. */
static rj_table *table_at(const char *records, const char *plan, uint64_t rev)
{
    rj_table *t = rj_table_new(records);
    rj_table_meta_str(t, "plan", plan);
    rj_table_meta_int(t, "rev", (int64_t)rev);
    return t;
}

/* Breakdown rows as a new array: {"lokasi", "num", "den"} or {"lokasi",
 * "before", "after"} (whichever the row holds), with "pct" when ev is
 * given. */
static rj_val *breakdown_vals(Renja__V1__BreakdownRow *const *rows, size_t n,
                              Renja__V1__EvalBreakdown *const *ev)
{
    rj_val *a = rj_val_array();
    for (size_t i = 0; i < n; i++) {
        const Renja__V1__BreakdownRow *x = ev ? ev[i]->row : rows[i];
        rj_val *o = rj_val_add_object(a, NULL);
        rj_val_str(o, "lokasi", x->lokasi);
        if (x->before_e4 || x->after_e4) {
            rj_val_dec(o, "before", x->before_e4);
            rj_val_dec(o, "after", x->after_e4);
        } else {
            rj_val_dec(o, "num", x->num_e4);
            rj_val_dec(o, "den", x->den_e4);
        }
        if (ev)
            rj_val_pct_or_null(o, "pct", ev[i]->has_pct, ev[i]->pct_e2);
    }
    return a;
}

static void realisasi_val(rj_val *a, const Renja__V1__Realisasi *re)
{
    rj_val *o = rj_val_add_object(a, NULL);
    rj_val_str(o, "kode", re->kode);
    rj_val_int(o, "tw", re->tw);
    if (re->indikator > 0) {
        rj_val_int(o, "indikator", re->indikator);
        rj_val_dec(o, "value", re->value_e4);
        rj_val_str(o, "text", re->text);
        if (re->satuan && *re->satuan)
            rj_val_str(o, "satuan", re->satuan);
        if (re->n_breakdown)
            rj_val_add(o, "breakdown", breakdown_vals(re->breakdown, re->n_breakdown, NULL));
    } else
        rj_val_int(o, "anggaran", re->anggaran);
}

static void show_realisasi(const Renja__V1__ShowResponse *r, rj_out_mode m, FILE *out)
{
    rj_table *t = table_at("realisasi", r->plan, r->rev);
    rj_table_col(t, "kode", "Kode", 0);
    rj_table_col(t, "tw", "TW", 0);
    rj_table_col(t, "indikator", "Indikator", 0);
    rj_table_col(t, "value", "Realisasi", 0);
    rj_table_col(t, "text", "Teks", RJ_COL_WRAP);
    rj_table_col(t, "anggaran", "Anggaran", 0);
    for (size_t i = 0; i < r->n_realisasi; i++) {
        const Renja__V1__Realisasi *re = r->realisasi[i];
        rj_table_row(t);
        rj_table_str(t, re->kode);
        rj_table_int(t, re->tw);
        if (re->indikator > 0) {
            rj_table_int(t, re->indikator);
            rj_table_dec(t, re->value_e4);
            rj_table_str(t, re->text);
            rj_table_null(t);
        } else {
            rj_table_null(t);
            rj_table_null(t);
            rj_table_null(t);
            rj_table_money(t, re->anggaran);
        }
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
}

static void goal_val(rj_val *a, const Renja__V1__Goal *g)
{
    rj_val *o = rj_val_add_object(a, NULL);
    rj_val_str(o, "kode", g->kode);
    rj_val_str(o, "kind", rj_goal_kind_name((rj_goal_kind)g->kind));
    rj_val_str(o, "nama", g->nama);
    rj_val_add(o, "indikator", indikator_vals(g->indikator, g->n_indikator));
}

/* The tujuan and sasaran of a whole-plan show: a JSON array for the
 * document (when there are any), or a table of their own before the
 * program tree's. */
static void show_goals(const Renja__V1__ShowResponse *r, rj_table *doc, rj_out_mode m, FILE *out)
{
    if (m == RJ_OUT_JSON && r->n_goals) {
        rj_val *a = rj_val_array();
        for (size_t i = 0; i < r->n_goals; i++)
            goal_val(a, r->goals[i]);
        rj_table_meta(doc, "goals", a);
        return;
    }
    if (m != RJ_OUT_TABLE || !r->n_goals)
        return;
    rj_table *t = rj_table_new("goals");
    rj_table_col(t, "kode", "Kode", 0);
    rj_table_col(t, "nama", "Tujuan/Sasaran", RJ_COL_WRAP);
    rj_table_col(t, "indikator", "Indikator", RJ_COL_WRAP);
    rj_table_col(t, "target", "Target", 0);
    rj_table_col(t, "satuan", "Satuan", 0);
    for (size_t i = 0; i < r->n_goals; i++) {
        const Renja__V1__Goal *g = r->goals[i];
        size_t n = g->n_indikator ? g->n_indikator : 1;
        for (size_t k = 0; k < n; k++) {
            const Renja__V1__Indikator *ind = k < g->n_indikator ? g->indikator[k] : NULL;
            rj_table_row(t);
            rj_table_str(t, k ? "" : g->kode);
            rj_table_str(t, k ? "" : g->nama);
            rj_buf tb = {0};
            rj_buf_puts(&tb, "");
            if (ind)
                target_text(ind, m, &tb);
            rj_table_str(t, ind ? ind->nama : "");
            rj_table_str(t, tb.data);
            rj_table_str(t, ind ? ind->satuan : "");
            rj_buf_free(&tb);
        }
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
    fprintf(out, "\n");
}

void rj_print_show(const Renja__V1__ShowResponse *r, bool lines, bool realisasi, rj_out_mode m,
                   FILE *out)
{
    if (realisasi && m != RJ_OUT_JSON) {
        show_realisasi(r, m, out);
        return;
    }
    rj_table *t = table_at(lines ? "lines" : "items", r->plan, r->rev);
    if (realisasi) {
        rj_val *a = rj_val_array();
        for (size_t i = 0; i < r->n_realisasi; i++)
            realisasi_val(a, r->realisasi[i]);
        rj_table_meta(t, "realisasi", a);
    }
    if (lines) {
        rj_table_col(t, "kode", "Kode Rekening", 0);
        rj_table_col(t, "depth", "Tingkat", RJ_COL_NO_TABLE);
        rj_table_col(t, "nama", "Uraian", RJ_COL_MAIN);
        rj_table_col(t, "pagu", "Pagu", 0);
        rj_table_col(t, "pagu_rollup", "Jumlah Rincian", 0);
        for (size_t i = 0; i < r->n_lines; i++) {
            const Renja__V1__BudgetLine *l = r->lines[i];
            rj_table_row(t);
            rj_table_str(t, l->kode);
            rj_table_int(t, l->depth);
            rj_table_indented(t, l->nama, l->depth);
            if (l->has_pagu)
                rj_table_money(t, l->pagu);
            else
                rj_table_null(t);
            rj_table_money(t, l->pagu_rollup);
        }
    } else {
        rj_table_col(t, "kode", "Kode", 0);
        rj_table_col(t, "level", "Level", RJ_COL_NO_TABLE);
        rj_table_col(t, "nama", "Uraian", RJ_COL_MAIN);
        rj_table_col(t, "bidang", "Bidang", RJ_COL_WRAP | RJ_COL_DROP);
        rj_table_col(t, "pagu", "Pagu", 0);
        rj_table_col(t, "pagu_rollup", "Jumlah", 0);
        rj_table_col(t, "lokasi", "Lokasi", RJ_COL_NO_TABLE);
        rj_table_col(t, "sumber_dana", "Sumber Dana", RJ_COL_NO_TABLE);
        /* json: the indikator as they are; the flat modes: one record per
         * item, its indikator joined by "; " */
        rj_table_col(t, "indikator", NULL, RJ_COL_JSON_ONLY);
        rj_table_col(t, "indikator", "Indikator", RJ_COL_FLAT_ONLY | RJ_COL_WRAP | RJ_COL_DROP);
        rj_table_col(t, "target", "Target", RJ_COL_FLAT_ONLY | RJ_COL_WRAP | RJ_COL_DROP);
        rj_table_col(t, "target_text", NULL, RJ_COL_FLAT_ONLY | RJ_COL_NO_TABLE);
        rj_table_col(t, "satuan", "Satuan", RJ_COL_FLAT_ONLY | RJ_COL_WRAP | RJ_COL_DROP);
        for (size_t i = 0; i < r->n_items; i++) {
            const Renja__V1__Item *it = r->items[i];
            rj_table_row(t);
            rj_table_str(t, it->kode);
            rj_table_str(t, level_name(it->level));
            rj_table_indented(t, it->nama, (int)it->level);
            rj_table_str(t, it->bidang);
            if (it->has_pagu)
                rj_table_money(t, it->pagu);
            else
                rj_table_null(t);
            rj_table_money(t, it->pagu_rollup);
            rj_table_str(t, it->lokasi);
            rj_table_str(t, it->sumber_dana);
            rj_table_val(t, indikator_vals(it->indikator, it->n_indikator));
            rj_buf n = {0}, g = {0}, x = {0}, s = {0};
            rj_buf_puts(&n, ""), rj_buf_puts(&g, ""), rj_buf_puts(&x, ""), rj_buf_puts(&s, "");
            for (size_t k = 0; k < it->n_indikator; k++) {
                const Renja__V1__Indikator *ind = it->indikator[k];
                if (k)
                    rj_buf_puts(&n, "; "), rj_buf_puts(&g, "; "), rj_buf_puts(&x, "; "),
                        rj_buf_puts(&s, "; ");
                rj_buf_puts(&n, ind->nama);
                rj_out_written(m, ind->target_text, ind->has_target, ind->target_e4, &g);
                rj_buf_puts(&x, ind->target_text);
                rj_buf_puts(&s, ind->satuan);
            }
            rj_table_str(t, n.data);
            rj_table_str(t, g.data);
            rj_table_str(t, x.data);
            rj_table_str(t, s.data);
            rj_buf_free(&n), rj_buf_free(&g), rj_buf_free(&x), rj_buf_free(&s);
        }
        show_goals(r, t, m, out);
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
}

/* --- diff (Tabel 3.3) ---------------------------------------------------------------- */

static void target_side(const char *text, bool has, int64_t e4, rj_out_mode m, rj_buf *b)
{
    value_text(text, has, e4, m, b);
}

static const char *change_name(Renja__V1__ChangeKind c)
{
    switch (c) {
    case RENJA__V1__CHANGE_KIND__CHANGE_ADDED:
        return "added";
    case RENJA__V1__CHANGE_KIND__CHANGE_REMOVED:
        return "removed";
    case RENJA__V1__CHANGE_KIND__CHANGE_MODIFIED:
        return "modified";
    default:
        return "unchanged";
    }
}

static bool row_changed(const Renja__V1__DiffRow *row)
{
    if (row->change != RENJA__V1__CHANGE_KIND__CHANGE_UNCHANGED || row->delta != 0)
        return true;
    for (size_t i = 0; i < row->n_targets; i++) {
        const Renja__V1__TargetChange *c = row->targets[i];
        if (c->has_from != c->has_to || c->from_e4 != c->to_e4 ||
            strcmp(c->from_text, c->to_text) != 0)
            return true;
    }
    return false;
}

bool rj_print_diff_changed(const Renja__V1__DiffResponse *r)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (row_changed(r->rows[i]))
            return true;
    for (size_t i = 0; i < r->n_groups; i++)
        if (r->groups[i]->pagu_from != r->groups[i]->pagu_to)
            return true;
    return r->total && r->total->pagu_from != r->total->pagu_to;
}

static void diff_groups(const Renja__V1__DiffResponse *r, rj_out_mode m, FILE *out)
{
    rj_table *t = rj_table_new("groups");
    /* A group by bidang or sumber dana is named by its key: the human table
     * says it once. */
    bool named = true;
    for (size_t i = 0; i < r->n_groups && named; i++)
        named = strcmp(r->groups[i]->key, r->groups[i]->nama) == 0;
    rj_table_col(t, "key", "Kelompok", RJ_COL_WRAP);
    rj_table_col(t, "nama", "Uraian", named ? RJ_COL_NO_TABLE : RJ_COL_MAIN);
    rj_table_col(t, "pagu_from", "Sebelum", 0);
    rj_table_col(t, "pagu_to", "Sesudah", 0);
    rj_table_col(t, "delta", "Bertambah (Berkurang)", 0);
    rj_table_col(t, "pct", "%", 0);
    for (size_t i = 0; i < r->n_groups; i++) {
        const Renja__V1__DiffGroup *g = r->groups[i];
        rj_table_row(t);
        rj_table_str(t, g->key);
        rj_table_str(t, g->nama);
        rj_table_money(t, g->pagu_from);
        rj_table_money(t, g->pagu_to);
        rj_table_money(t, g->delta);
        if (g->has_pct)
            rj_table_pct(t, g->pct_e2);
        else
            rj_table_null(t);
    }
    if (r->total) {
        rj_table_footer(t);
        if (named)
            rj_table_str(t, "Jumlah");
        rj_table_at(t, "nama");
        rj_table_str(t, "Jumlah");
        rj_table_money(t, r->total->pagu_from);
        rj_table_money(t, r->total->pagu_to);
        rj_table_money(t, r->total->delta);
        if (r->total->has_pct)
            rj_table_pct(t, r->total->pct_e2);
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
}

/* One side of a target change as people read it (its text, else its
 * value), or null when that side has none. */
static void target_side_val(rj_val *o, const char *key, const char *text, bool has, int64_t e4)
{
    if (!*text && !has) {
        rj_val_null(o, key);
        return;
    }
    rj_buf tx = {0};
    rj_buf_puts(&tx, "");
    target_side(text, has, e4, RJ_OUT_JSON, &tx);
    rj_val_str(o, key, tx.data);
    rj_buf_free(&tx);
}

/* The targets of a diff row: a new array. */
static rj_val *targets_vals(const Renja__V1__DiffRow *row)
{
    rj_val *a = rj_val_array();
    for (size_t k = 0; k < row->n_targets; k++) {
        const Renja__V1__TargetChange *c = row->targets[k];
        rj_val *o = rj_val_add_object(a, NULL);
        rj_val_str(o, "indikator", c->nama);
        rj_val_str(o, "satuan", *c->satuan_to ? c->satuan_to : c->satuan_from);
        target_side_val(o, "from", c->from_text, c->has_from, c->from_e4);
        target_side_val(o, "to", c->to_text, c->has_to, c->to_e4);
        rj_val_dec_or_null(o, "from_value", c->has_from, c->from_e4);
        rj_val_dec_or_null(o, "to_value", c->has_to, c->to_e4);
    }
    return a;
}

static const char *goal_kind_of(const char *kode)
{
    return rj_goal_kind_name(rj_goal_kind_of(kode));
}

/* Tujuan and sasaran that changed: a JSON array for the document, or a
 * table of their own after the program tree's. */
static void diff_goals(const Renja__V1__DiffResponse *r, rj_table *doc, rj_out_mode m, FILE *out)
{
    if (m == RJ_OUT_JSON) {
        rj_val *a = rj_val_array();
        for (size_t i = 0; i < r->n_goals; i++) {
            const Renja__V1__DiffRow *g = r->goals[i];
            rj_val *o = rj_val_add_object(a, NULL);
            rj_val_str(o, "kode", g->kode);
            rj_val_str(o, "kind", goal_kind_of(g->kode));
            rj_val_str(o, "nama", g->nama);
            rj_val_str(o, "change", change_name(g->change));
            rj_val_add(o, "targets", targets_vals(g));
        }
        rj_table_meta(doc, "goals", a);
        return;
    }
    if (m != RJ_OUT_TABLE || !r->n_goals)
        return;
    rj_table *t = rj_table_new("goals");
    rj_table_col(t, "kode", "Kode", 0);
    rj_table_col(t, "nama", "Tujuan/Sasaran", RJ_COL_WRAP);
    rj_table_col(t, "change", "Perubahan", 0);
    rj_table_col(t, "indikator", "Indikator", RJ_COL_WRAP);
    rj_table_col(t, "target_from", "Target Sebelum", 0);
    rj_table_col(t, "target_to", "Target Sesudah", 0);
    for (size_t i = 0; i < r->n_goals; i++) {
        const Renja__V1__DiffRow *g = r->goals[i];
        size_t n = g->n_targets ? g->n_targets : 1;
        for (size_t k = 0; k < n; k++) {
            const Renja__V1__TargetChange *c = k < g->n_targets ? g->targets[k] : NULL;
            rj_table_row(t);
            rj_table_str(t, k ? "" : g->kode);
            rj_table_str(t, k ? "" : g->nama);
            rj_table_str(t, k ? "" : change_name(g->change));
            rj_buf tf = {0}, tt = {0};
            rj_buf_puts(&tf, ""), rj_buf_puts(&tt, "");
            if (c) {
                target_side(c->from_text, c->has_from, c->from_e4, m, &tf);
                target_side(c->to_text, c->has_to, c->to_e4, m, &tt);
            }
            rj_table_str(t, c ? c->nama : "");
            rj_table_str(t, tf.data);
            rj_table_str(t, tt.data);
            rj_buf_free(&tf), rj_buf_free(&tt);
        }
    }
    fprintf(out, "\nTujuan dan sasaran\n");
    rj_table_print(t, m, out);
    rj_table_free(t);
}

void rj_print_diff(const Renja__V1__DiffResponse *r, bool changed_only, rj_out_mode m, FILE *out)
{
    if (r->n_groups > 0 && m != RJ_OUT_JSON) {
        diff_groups(r, m, out);
        return;
    }
    rj_table *t = rj_table_new("rows");
    bool marked = false;
    rj_table_meta_str(t, "plan", r->plan);
    rj_val *from = rj_val_object(), *to = rj_val_object();
    rj_val_str(from, "ref", r->from_ref);
    rj_val_int(from, "rev", (int64_t)r->from_rev);
    rj_table_meta(t, "from", from);
    rj_val_str(to, "ref", r->to_ref);
    rj_val_int(to, "rev", (int64_t)r->to_rev);
    rj_table_meta(t, "to", to);
    if (r->total) {
        rj_val *tot = rj_val_object();
        rj_val_int(tot, "pagu_from", r->total->pagu_from);
        rj_val_int(tot, "pagu_to", r->total->pagu_to);
        rj_val_int(tot, "delta", r->total->delta);
        rj_val_pct_or_null(tot, "pct", r->total->has_pct, r->total->pct_e2);
        rj_table_meta(t, "total", tot);
    }
    if (r->n_groups > 0) {
        rj_val *groups = rj_val_array();
        for (size_t i = 0; i < r->n_groups; i++) {
            const Renja__V1__DiffGroup *g = r->groups[i];
            rj_val *o = rj_val_add_object(groups, NULL);
            rj_val_str(o, "key", g->key);
            rj_val_str(o, "nama", g->nama);
            rj_val_int(o, "pagu_from", g->pagu_from);
            rj_val_int(o, "pagu_to", g->pagu_to);
            rj_val_int(o, "delta", g->delta);
            rj_val_pct_or_null(o, "pct", g->has_pct, g->pct_e2);
        }
        rj_table_meta(t, "groups", groups);
    }
    /* "+" and "-" mark added and removed rows in the human table */
    rj_table_col(t, "mark", "", RJ_COL_TABLE_ONLY);
    rj_table_col(t, "kode", "Kode", 0);
    rj_table_col(t, "level", "Level", RJ_COL_NO_TABLE);
    rj_table_col(t, "nama", "Uraian", RJ_COL_MAIN);
    rj_table_col(t, "bidang", "Bidang", RJ_COL_NO_TABLE);
    rj_table_col(t, "change", "Perubahan", RJ_COL_NO_TABLE);
    rj_table_col(t, "indikator", "Indikator", RJ_COL_FLAT_ONLY | RJ_COL_WRAP | RJ_COL_DROP);
    rj_table_col(t, "target_from", "Target Sebelum", RJ_COL_FLAT_ONLY | RJ_COL_WRAP | RJ_COL_DROP);
    rj_table_col(t, "target_to", "Target Sesudah", RJ_COL_FLAT_ONLY | RJ_COL_WRAP | RJ_COL_DROP);
    rj_table_col(t, "target_from_text", NULL, RJ_COL_FLAT_ONLY | RJ_COL_NO_TABLE);
    rj_table_col(t, "target_to_text", NULL, RJ_COL_FLAT_ONLY | RJ_COL_NO_TABLE);
    rj_table_col(t, "pagu_from", "Pagu Sebelum", 0);
    rj_table_col(t, "pagu_to", "Pagu Sesudah", 0);
    rj_table_col(t, "delta", "Bertambah (Berkurang)", 0);
    rj_table_col(t, "pct", "%", 0);
    rj_table_col(t, "targets", NULL, RJ_COL_JSON_ONLY);
    for (size_t i = 0; i < r->n_rows; i++) {
        const Renja__V1__DiffRow *row = r->rows[i];
        if (changed_only && !row_changed(row))
            continue;
        rj_table_row(t);
        rj_table_str(t, row->change == RENJA__V1__CHANGE_KIND__CHANGE_ADDED     ? "+"
                        : row->change == RENJA__V1__CHANGE_KIND__CHANGE_REMOVED ? "-"
                                                                                : "");
        marked |= row->change == RENJA__V1__CHANGE_KIND__CHANGE_ADDED ||
                  row->change == RENJA__V1__CHANGE_KIND__CHANGE_REMOVED;
        rj_table_str(t, row->kode);
        rj_table_str(t, row->is_line ? "rekening" : level_name(row->level));
        rj_table_indented(t, row->nama, row->is_line ? row->depth : (int)row->level);
        rj_table_str(t, row->bidang);
        rj_table_str(t, change_name(row->change));
        rj_buf in = {0}, tf = {0}, tt = {0}, xf = {0}, xt = {0};
        rj_buf_puts(&in, ""), rj_buf_puts(&tf, ""), rj_buf_puts(&tt, "");
        rj_buf_puts(&xf, ""), rj_buf_puts(&xt, "");
        for (size_t k = 0; k < row->n_targets; k++) {
            const Renja__V1__TargetChange *c = row->targets[k];
            if (k)
                rj_buf_puts(&in, "; "), rj_buf_puts(&tf, "; "), rj_buf_puts(&tt, "; "),
                    rj_buf_puts(&xf, "; "), rj_buf_puts(&xt, "; ");
            rj_buf_puts(&in, c->nama);
            rj_out_written(m, c->from_text, c->has_from, c->from_e4, &tf);
            rj_out_written(m, c->to_text, c->has_to, c->to_e4, &tt);
            rj_buf_puts(&xf, c->from_text);
            rj_buf_puts(&xt, c->to_text);
        }
        rj_table_str(t, in.data);
        rj_table_str(t, tf.data);
        rj_table_str(t, tt.data);
        rj_table_str(t, xf.data);
        rj_table_str(t, xt.data);
        rj_buf_free(&in), rj_buf_free(&tf), rj_buf_free(&tt), rj_buf_free(&xf), rj_buf_free(&xt);
        rj_table_money(t, row->pagu_from);
        rj_table_money(t, row->pagu_to);
        rj_table_money(t, row->delta);
        if (row->has_pct)
            rj_table_pct(t, row->pct_e2);
        else
            rj_table_null(t);
        rj_table_val(t, targets_vals(row));
    }
    if (marked)
        rj_table_note(t, "+ baru, - dihapus");
    if (r->total) {
        rj_table_footer(t);
        rj_table_at(t, "nama");
        rj_table_str(t, "Jumlah");
        rj_table_at(t, "pagu_from");
        rj_table_money(t, r->total->pagu_from);
        rj_table_money(t, r->total->pagu_to);
        rj_table_money(t, r->total->delta);
        if (r->total->has_pct)
            rj_table_pct(t, r->total->pct_e2);
    }
    if (m == RJ_OUT_JSON)
        diff_goals(r, t, m, out);
    rj_table_print(t, m, out);
    rj_table_free(t);
    if (m != RJ_OUT_JSON)
        diff_goals(r, t, m, out);
}

/* --- eval (Tabel 2-1) -------------------------------------------------------------------- */

/* The JSON-only cells of an eval row: the total its breakdown gives, and
 * the breakdown (null without one). */
static void eval_row_breakdown(rj_table *t, const Renja__V1__EvalRow *row)
{
    if (row->has_computed)
        rj_table_dec(t, row->computed_e4);
    else
        rj_table_null(t);
    rj_table_val(t,
                 row->n_breakdown ? breakdown_vals(NULL, row->n_breakdown, row->breakdown) : NULL);
}

/* In the table: one table per row with a breakdown, after the rows. */
static void eval_breakdown_tables(Renja__V1__EvalRow *const *rows, size_t n, FILE *out)
{
    for (size_t i = 0; i < n; i++) {
        const Renja__V1__EvalRow *row = rows[i];
        if (!row->n_breakdown)
            continue;
        bool growth = row->breakdown[0]->row->before_e4 || row->breakdown[0]->row->after_e4;
        rj_table *t = rj_table_new("breakdown");
        rj_table_col(t, "lokasi", "Kab/Kota", 0);
        rj_table_col(t, "a", growth ? "Sebelum" : "Pembilang", 0);
        rj_table_col(t, "b", growth ? "Sesudah" : "Penyebut", 0);
        rj_table_col(t, "pct", "%", 0);
        for (size_t k = 0; k < row->n_breakdown; k++) {
            const Renja__V1__EvalBreakdown *e = row->breakdown[k];
            rj_table_row(t);
            rj_table_str(t, e->row->lokasi);
            rj_table_dec(t, growth ? e->row->before_e4 : e->row->num_e4);
            rj_table_dec(t, growth ? e->row->after_e4 : e->row->den_e4);
            if (e->has_pct)
                rj_table_pct(t, e->pct_e2);
            else
                rj_table_null(t);
        }
        char total[RJ_NUM_MAX] = "-", stated[RJ_NUM_MAX];
        if (row->has_computed) /* in hundredths, as capaian */
            rj_out_text_pct(RJ_OUT_TABLE,
                            (row->computed_e4 + (row->computed_e4 < 0 ? -50 : 50)) / 100, total);
        rj_out_text_dec(RJ_OUT_TABLE, row->realisasi_e4, stated);
        char *head = rj_asprintf("Rincian per lokasi: %s indikator %d (%s): dihitung %s, "
                                 "dilaporkan %s",
                                 row->kode, row->indikator_no, row->indikator, total, stated);
        fprintf(out, "\n");
        rj_out_paragraph(out, head);
        free(head);
        rj_table_print(t, RJ_OUT_TABLE, out);
        rj_table_free(t);
    }
}

/* Tabel 2: the tujuan and sasaran, a JSON array for the document or a
 * table of their own before Tabel 2-1's. */
static void eval_goals(const Renja__V1__EvaluateResponse *r, rj_table *doc, rj_out_mode m,
                       FILE *out)
{
    if (m == RJ_OUT_JSON) {
        rj_val *a = rj_val_array();
        for (size_t i = 0; i < r->n_goal_rows; i++) {
            const Renja__V1__EvalRow *row = r->goal_rows[i];
            rj_val *o = rj_val_add_object(a, NULL);
            rj_val_str(o, "kode", row->kode);
            rj_val_str(o, "kind", rj_goal_kind_name(rj_goal_kind_of(row->kode)));
            rj_val_str(o, "nama", row->nama);
            rj_val_int(o, "indikator_no", row->indikator_no);
            rj_val_str(o, "indikator", row->indikator);
            rj_val_str(o, "satuan", row->satuan);
            rj_val_dec_or_null(o, "target", row->has_target, row->target_e4);
            rj_val_str(o, "target_text", row->target_text);
            rj_val_dec_or_null(o, "realisasi", row->reported, row->realisasi_e4);
            rj_val_pct_or_null(o, "capaian", row->has_capaian, row->capaian_e2);
            rj_val_str(o, "predikat", row->predikat);
            rj_val_str(o, "note", row->note);
            rj_val_dec_or_null(o, "computed", row->has_computed, row->computed_e4);
            rj_val_add(o, "breakdown",
                       row->n_breakdown ? breakdown_vals(NULL, row->n_breakdown, row->breakdown)
                                        : NULL);
        }
        rj_table_meta(doc, "goals", a);
        return;
    }
    if (m != RJ_OUT_TABLE || !r->n_goal_rows)
        return;
    char real_title[32];
    snprintf(real_title, sizeof(real_title), "Realisasi s.d. TW %d", r->tw);
    rj_table *t = rj_table_new("goals");
    rj_table_col(t, "kode", "Kode", 0);
    rj_table_col(t, "nama", "Tujuan/Sasaran", RJ_COL_WRAP);
    rj_table_col(t, "indikator", "Indikator Kinerja", RJ_COL_WRAP);
    rj_table_col(t, "satuan", "Satuan", 0);
    rj_table_col(t, "target", "Target", 0);
    rj_table_col(t, "realisasi", real_title, 0);
    rj_table_col(t, "capaian", "Capaian (%)", 0);
    rj_table_col(t, "predikat", "Predikat", RJ_COL_WRAP);
    rj_table_col(t, "note", "Catatan", RJ_COL_WRAP | RJ_COL_DROP);
    for (size_t i = 0; i < r->n_goal_rows; i++) {
        const Renja__V1__EvalRow *row = r->goal_rows[i];
        bool first = i == 0 || strcmp(r->goal_rows[i - 1]->kode, row->kode) != 0;
        rj_table_row(t);
        rj_table_str(t, first ? row->kode : "");
        rj_table_str(t, first ? row->nama : "");
        rj_table_str(t, row->indikator);
        rj_table_str(t, row->satuan);
        if (row->has_target)
            rj_table_dec(t, row->target_e4);
        else
            rj_table_str(t, row->target_text);
        if (row->reported)
            rj_table_dec(t, row->realisasi_e4);
        else
            rj_table_null(t);
        if (row->has_capaian)
            rj_table_pct(t, row->capaian_e2);
        else
            rj_table_null(t);
        rj_table_str(t, row->predikat);
        rj_table_str(t, row->catatan && *row->catatan ? row->catatan : row->note);
    }
    fprintf(out, "Pencapaian kinerja pelayanan (tujuan dan sasaran)\n");
    rj_table_print(t, m, out);
    rj_table_free(t);
    fprintf(out, "\nIndikator program, kegiatan dan sub kegiatan\n");
}

void rj_print_eval(const Renja__V1__EvaluateResponse *r, rj_out_mode m, FILE *out)
{
    rj_table *t = rj_table_new("rows");
    rj_table_meta_str(t, "plan", r->plan);
    rj_table_meta_int(t, "tw", r->tw);
    rj_table_meta_str(t, "at", r->at);
    rj_table_meta_int(t, "at_rev", (int64_t)r->at_rev);
    rj_table_meta_int(t, "realisasi_rev", (int64_t)r->realisasi_rev);
    const Renja__V1__EvalSummary *s = r->summary;
    if (s) {
        rj_val *sum = rj_val_object();
        rj_val_int(sum, "sangat_tinggi", s->sangat_tinggi);
        rj_val_int(sum, "tinggi", s->tinggi);
        rj_val_int(sum, "sedang", s->sedang);
        rj_val_int(sum, "rendah", s->rendah);
        rj_val_int(sum, "sangat_rendah", s->sangat_rendah);
        rj_val_int(sum, "not_reported", s->not_reported);
        rj_val_int(sum, "no_capaian", s->no_capaian);
        rj_val_strs(sum, "met", s->met, s->n_met);
        rj_val_strs(sum, "not_started", s->not_started, s->n_not_started);
        rj_table_meta(t, "summary", sum);
    }
    rj_val *ang = rj_val_array();
    for (size_t i = 0; i < r->n_anggaran; i++) {
        const Renja__V1__EvalAnggaran *a = r->anggaran[i];
        rj_val *o = rj_val_add_object(ang, NULL);
        rj_val_str(o, "kode", a->kode);
        rj_val_str(o, "nama", a->nama);
        rj_val_int(o, "pagu", a->pagu);
        rj_val_int(o, "realisasi", a->realisasi);
        rj_val_pct_or_null(o, "serapan", a->has_serapan, a->serapan_e2);
    }
    rj_table_meta(t, "anggaran", ang);

    char real_title[32];
    snprintf(real_title, sizeof(real_title), "Realisasi s.d. TW %d", r->tw);
    rj_table_col(t, "kode", "Kode", 0);
    rj_table_col(t, "level", "Level", RJ_COL_NO_TABLE);
    rj_table_col(t, "nama", "Uraian", RJ_COL_MAIN);
    rj_table_col(t, "indikator_no", "No", RJ_COL_NO_TABLE);
    rj_table_col(t, "indikator", "Indikator Kinerja", RJ_COL_WRAP);
    rj_table_col(t, "satuan", "Satuan", RJ_COL_WRAP | RJ_COL_DROP);
    rj_table_col(t, "target", "Target", RJ_COL_WRAP);
    rj_table_col(t, "target_text", "Target (teks)", RJ_COL_NO_TABLE);
    rj_table_col(t, "realisasi", real_title, 0);
    rj_table_col(t, "realisasi_text", NULL, RJ_COL_NO_TABLE);
    rj_table_col(t, "capaian", "Capaian (%)", 0);
    rj_table_col(t, "predikat", "Predikat", RJ_COL_WRAP);
    rj_table_col(t, "note", "Catatan", RJ_COL_WRAP | RJ_COL_DROP);
    rj_table_col(t, "computed", NULL, RJ_COL_JSON_ONLY);
    rj_table_col(t, "breakdown", NULL, RJ_COL_JSON_ONLY);
    for (size_t i = 0; i < r->n_rows; i++) {
        const Renja__V1__EvalRow *row = r->rows[i];
        rj_table_row(t);
        rj_table_str(t, row->kode);
        rj_table_str(t, level_name(row->level));
        rj_table_str(t, row->nama);
        rj_table_int(t, row->indikator_no);
        rj_table_str(t, row->indikator);
        rj_table_str(t, row->satuan);
        /* A person reads the text as the source wrote it (as show and diff
         * print it); machines read the value in target / realisasi and the
         * text in the *_text columns. */
        rj_table_written(t, row->target_text, row->has_target, row->target_e4);
        rj_table_str(t, row->target_text);
        rj_table_written(t, row->reported ? row->realisasi_text : NULL, row->reported,
                         row->realisasi_e4);
        rj_table_str(t, row->reported ? row->realisasi_text : "");
        if (row->has_capaian)
            rj_table_pct(t, row->capaian_e2);
        else
            rj_table_null(t);
        rj_table_str(t, row->predikat);
        /* people read the note in Indonesian; machine formats keep it as it is */
        rj_table_str(t,
                     m == RJ_OUT_TABLE && row->catatan && *row->catatan ? row->catatan : row->note);
        eval_row_breakdown(t, row);
    }
    eval_goals(r, t, m, out);
    rj_table_print(t, m, out);
    rj_table_free(t);
    if (m == RJ_OUT_TABLE && s) {
        /* The seed's "Kesimpulan": what met its target, what has not started;
         * wrapped to the terminal like the table above. */
        rj_buf p = {0};
        rj_buf_printf(&p,
                      "Sangat tinggi %d, tinggi %d, sedang %d, rendah %d, sangat rendah %d; "
                      "belum dilaporkan %d, tanpa capaian %d",
                      s->sangat_tinggi, s->tinggi, s->sedang, s->rendah, s->sangat_rendah,
                      s->not_reported, s->no_capaian);
        rj_buf_append(&p, "", 1);
        fputc('\n', out);
        rj_out_paragraph(out, p.data);
        p.len = 0;
        rj_buf_printf(&p, "Sub kegiatan yang mencapai target (%zu):", s->n_met);
        for (size_t i = 0; i < s->n_met; i++)
            rj_buf_printf(&p, "%s%s", i ? ", " : " ", s->met[i]);
        rj_buf_append(&p, "", 1);
        rj_out_paragraph(out, p.data);
        p.len = 0;
        rj_buf_printf(&p, "Sub kegiatan yang belum dilaksanakan (%zu):", s->n_not_started);
        for (size_t i = 0; i < s->n_not_started; i++)
            rj_buf_printf(&p, "%s%s", i ? ", " : " ", s->not_started[i]);
        rj_buf_append(&p, "", 1);
        rj_out_paragraph(out, p.data);
        rj_buf_free(&p);
    }
    if (m == RJ_OUT_TABLE && r->n_anggaran) {
        /* Serapan: realisasi anggaran against the sub kegiatan's pagu. */
        rj_table *a = rj_table_new("anggaran");
        rj_table_col(a, "kode", "Kode", 0);
        rj_table_col(a, "nama", "Uraian", 0);
        rj_table_col(a, "pagu", "Pagu", 0);
        rj_table_col(a, "realisasi", real_title, 0);
        rj_table_col(a, "serapan", "Serapan (%)", 0);
        for (size_t i = 0; i < r->n_anggaran; i++) {
            const Renja__V1__EvalAnggaran *x = r->anggaran[i];
            rj_table_row(a);
            rj_table_str(a, x->kode);
            rj_table_str(a, x->nama);
            rj_table_money(a, x->pagu);
            rj_table_money(a, x->realisasi);
            if (x->has_serapan)
                rj_table_pct(a, x->serapan_e2);
            else
                rj_table_null(a);
        }
        fprintf(out, "\nSerapan anggaran s.d. TW %d\n", r->tw);
        rj_table_print(a, m, out);
        rj_table_free(a);
    }
    if (m == RJ_OUT_TABLE) {
        eval_breakdown_tables(r->goal_rows, r->n_goal_rows, out);
        eval_breakdown_tables(r->rows, r->n_rows, out);
    }
}

/* --- compare (Tabel 3.2) ------------------------------------------------------------------ */

void rj_print_compare(const Renja__V1__CompareResponse *r, rj_out_mode m, FILE *out)
{
    rj_table *t = rj_table_new("rows");
    rj_table_meta_str(t, "plan", r->plan);
    rj_val *stages = rj_val_array();
    for (size_t i = 0; i < r->n_stages; i++) {
        const Renja__V1__CompareColumn *c = r->stages[i];
        rj_val *o = rj_val_add_object(stages, NULL);
        rj_val_str(o, "ref", c->ref);
        rj_val_int(o, "rev", (int64_t)c->rev);
        rj_val_str(o, "title", c->title);
    }
    rj_table_meta(t, "stages", stages);
    rj_table_col(t, "kode", "Kode", 0);
    rj_table_col(t, "nama", "Uraian", RJ_COL_MAIN);
    rj_table_col(t, "depth", "Tingkat", RJ_COL_NO_TABLE | RJ_COL_JSON_ONLY);
    /* One column per value: the server sends one per ref, or one per
     * consecutive pair with --deltas. */
    size_t nv = 0;
    for (size_t i = 0; i < r->n_rows; i++)
        if (r->rows[i]->n_values > nv)
            nv = r->rows[i]->n_values;
    for (size_t k = 0; k < nv; k++) {
        char key[64];
        const char *title = NULL;
        if (nv == r->n_stages) {
            title = *r->stages[k]->title ? r->stages[k]->title : r->stages[k]->ref;
            snprintf(key, sizeof(key), "%s", r->stages[k]->ref);
        } else if (nv + 1 == r->n_stages)
            snprintf(key, sizeof(key), "%s..%s", r->stages[k]->ref, r->stages[k + 1]->ref);
        else
            snprintf(key, sizeof(key), "value%zu", k + 1);
        rj_table_col(t, key, title, RJ_COL_FLAT_ONLY);
    }
    rj_table_col(t, "values", NULL, RJ_COL_JSON_ONLY);
    /* The percentage is the change from the first stage to the last. */
    char pct_title[160] = "%";
    if (r->n_stages >= 2)
        snprintf(pct_title, sizeof(pct_title), "%% %s\u2192%s", r->stages[0]->ref,
                 r->stages[r->n_stages - 1]->ref);
    rj_table_col(t, "pct", pct_title, 0);
    for (size_t i = 0; i < r->n_rows; i++) {
        const Renja__V1__CompareRow *row = r->rows[i];
        rj_table_row(t);
        rj_table_str(t, row->kode);
        rj_table_indented(t, row->nama, row->depth);
        rj_table_int(t, row->depth);
        rj_val *values = rj_val_array();
        for (size_t k = 0; k < nv; k++) {
            bool present = k < row->n_values && (k >= row->n_present || row->present[k]);
            if (present) {
                rj_table_money(t, row->values[k]);
                rj_val_int(values, NULL, row->values[k]);
            } else {
                rj_table_null(t);
                rj_val_null(values, NULL);
            }
        }
        rj_table_val(t, values);
        if (row->has_pct)
            rj_table_pct(t, row->pct_e2);
        else
            rj_table_null(t);
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
}

void rj_print_validate(const Renja__V1__ValidateResponse *r, rj_out_mode m, FILE *out)
{
    rj_table *t = table_at("findings", r->plan, r->rev);
    rj_table_col(t, "severity", "Tingkat", 0);
    rj_table_col(t, "kode", "Kode", 0);
    rj_table_col(t, "rule", "Aturan", 0);
    rj_table_col(t, "message", "Pesan", RJ_COL_WRAP);
    for (size_t i = 0; i < r->n_findings; i++) {
        const Renja__V1__Finding *f = r->findings[i];
        rj_table_row(t);
        bool human = m == RJ_OUT_TABLE;
        rj_table_str(t, !human                                ? f->severity
                        : strcmp(f->severity, "error") == 0   ? "kesalahan"
                        : strcmp(f->severity, "warning") == 0 ? "peringatan"
                                                              : f->severity);
        rj_table_str(t, f->kode);
        rj_table_str(t, f->rule);
        rj_table_str(t, human && f->pesan && *f->pesan ? f->pesan : f->message);
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
}

/* --- export ---------------------------------------------------------------------------------- */

/* docs/import-format.md, CSV: every column, so that the file carries what
 * the JSON export carries. Numbers are plain; the text as written is in
 * target_text and realisasi_text. */
/* clang-format off */
static const char *const export_cols[] = {
    "tipe", "kode", "nama", "bidang", "lokasi", "sumber_dana", "pagu", "indikator", "satuan",
    "target", "target_text", "tren", "tw", "indikator_no", "realisasi", "realisasi_text",
    "anggaran", "sasaran", "formula", "parts", "realisasi_satuan", "num", "den", "before", "after",
};
/* clang-format on */

/* The indikator cells of a CSV row (item or goal). */
static void csv_indikator_cells(rj_table *t, const Renja__V1__Indikator *ind)
{
    rj_table_at(t, "indikator");
    rj_table_str(t, ind->nama);
    rj_table_str(t, ind->satuan);
    if (ind->has_target)
        rj_table_dec(t, ind->target_e4);
    else
        rj_table_null(t);
    rj_table_str(t, ind->target_text);
    rj_table_str(t, tren_name(ind->tren));
    rj_table_at(t, "formula");
    if (ind->formula != RENJA__V1__FORMULA__FORMULA_NONE)
        rj_table_str(t, ind->formula == RENJA__V1__FORMULA__FORMULA_RATIO ? "ratio" : "growth");
    else
        rj_table_null(t);
    rj_buf parts = {0};
    rj_buf_puts(&parts, "");
    for (size_t p = 0; p < ind->n_parts; p++) {
        char v[RJ_NUM_MAX];
        rj_out_text_dec(RJ_OUT_CSV, ind->parts[p]->value_e4, v);
        rj_buf_printf(&parts, "%s%s %s", p ? "; " : "", v, ind->parts[p]->satuan);
    }
    rj_table_str(t, parts.data);
    rj_buf_free(&parts);
}

static void export_csv(const Renja__V1__ExportResponse *r, FILE *out)
{
    rj_table *t = rj_table_new("rows");
    for (size_t i = 0; i < sizeof(export_cols) / sizeof(export_cols[0]); i++)
        rj_table_col(t, export_cols[i], NULL, 0);
    for (size_t i = 0; i < r->n_goals; i++) {
        const Renja__V1__Goal *g = r->goals[i];
        size_t rows = g->n_indikator ? g->n_indikator : 1;
        for (size_t k = 0; k < rows; k++) {
            rj_table_row(t);
            rj_table_str(t, rj_goal_kind_name(rj_goal_kind_of(g->kode)));
            rj_table_str(t, g->kode);
            if (k == 0)
                rj_table_str(t, g->nama);
            if (k < g->n_indikator)
                csv_indikator_cells(t, g->indikator[k]);
        }
    }
    rj_buf sas = {0};
    for (size_t i = 0; i < r->n_items; i++) {
        const Renja__V1__Item *it = r->items[i];
        size_t rows = it->n_indikator ? it->n_indikator : 1;
        sas.len = 0;
        rj_buf_puts(&sas, "");
        for (size_t k = 0; k < it->n_sasaran; k++)
            rj_buf_printf(&sas, "%s%s", k ? " " : "", it->sasaran[k]);
        for (size_t k = 0; k < rows; k++) {
            rj_table_row(t);
            rj_table_str(t, "item");
            rj_table_str(t, it->kode);
            if (k == 0) {
                rj_table_str(t, it->nama);
                rj_table_str(t, it->bidang);
                rj_table_str(t, it->lokasi);
                rj_table_str(t, it->sumber_dana);
                if (it->has_pagu)
                    rj_table_money(t, it->pagu);
                rj_table_at(t, "sasaran");
                rj_table_str(t, sas.data);
            }
            if (k < it->n_indikator)
                csv_indikator_cells(t, it->indikator[k]);
        }
    }
    rj_buf_free(&sas);
    for (size_t i = 0; i < r->n_lines; i++) {
        const Renja__V1__BudgetLine *l = r->lines[i];
        rj_table_row(t);
        rj_table_str(t, "rekening");
        rj_table_str(t, l->kode);
        rj_table_str(t, l->nama);
        if (l->has_pagu) {
            rj_table_at(t, "pagu");
            rj_table_money(t, l->pagu);
        }
    }
    for (size_t i = 0; i < r->n_realisasi; i++) {
        const Renja__V1__Realisasi *re = r->realisasi[i];
        rj_table_row(t);
        rj_table_str(t, "realisasi");
        rj_table_str(t, re->kode);
        rj_table_at(t, "tw");
        rj_table_int(t, re->tw);
        if (re->indikator > 0) {
            rj_table_int(t, re->indikator);
            rj_table_dec(t, re->value_e4);
            rj_table_str(t, re->text);
            rj_table_at(t, "realisasi_satuan");
            rj_table_str(t, re->satuan);
        } else {
            rj_table_at(t, "anggaran");
            rj_table_money(t, re->anggaran);
        }
        /* its breakdown: one rincian row per lokasi, right after it */
        for (size_t k = 0; k < re->n_breakdown; k++) {
            const Renja__V1__BreakdownRow *x = re->breakdown[k];
            bool ratio = x->num_e4 || x->den_e4, growth = x->before_e4 || x->after_e4;
            rj_table_row(t);
            rj_table_str(t, "rincian");
            rj_table_str(t, re->kode);
            rj_table_at(t, "lokasi");
            rj_table_str(t, x->lokasi);
            rj_table_at(t, "tw");
            rj_table_int(t, re->tw);
            if (re->indikator > 0)
                rj_table_int(t, re->indikator);
            rj_table_at(t, "num");
            if (ratio || !growth) {
                rj_table_dec(t, x->num_e4);
                rj_table_dec(t, x->den_e4);
            }
            if (growth) {
                rj_table_at(t, "before");
                rj_table_dec(t, x->before_e4);
                rj_table_dec(t, x->after_e4);
            }
        }
    }
    rj_table_print(t, RJ_OUT_CSV, out);
    rj_table_free(t);
}

void rj_print_export(const Renja__V1__ExportResponse *r, rj_out_mode m, FILE *out)
{
    if (m == RJ_OUT_CSV) {
        export_csv(r, out);
        return;
    }
    /* one member per line, and one goal, item, line... per line */
    rj_val *doc = rj_val_object();
    rj_val_lines(doc);
    rj_val_str(doc, "plan", r->plan ? r->plan->id : "");
    rj_val_str(doc, "nama", r->plan ? r->plan->nama : "");
    rj_val_int(doc, "rev", (int64_t)r->rev);
    rj_val *goals = rj_val_add_array(doc, "goals");
    rj_val_lines(goals);
    for (size_t i = 0; i < r->n_goals; i++)
        goal_val(goals, r->goals[i]);
    rj_val *items = rj_val_add_array(doc, "items");
    rj_val_lines(items);
    for (size_t i = 0; i < r->n_items; i++) {
        const Renja__V1__Item *it = r->items[i];
        rj_val *o = rj_val_add_object(items, NULL);
        rj_val_str(o, "kode", it->kode);
        rj_val_str(o, "nama", it->nama);
        rj_val_str(o, "bidang", it->bidang);
        rj_val_str(o, "lokasi", it->lokasi);
        if (it->has_pagu)
            rj_val_int(o, "pagu", it->pagu);
        else
            rj_val_null(o, "pagu");
        rj_val_str(o, "sumber_dana", it->sumber_dana);
        rj_val_add(o, "indikator", indikator_vals(it->indikator, it->n_indikator));
        if (it->n_sasaran)
            rj_val_strs(o, "sasaran", it->sasaran, it->n_sasaran);
    }
    rj_val *lines = rj_val_add_array(doc, "lines");
    rj_val_lines(lines);
    for (size_t i = 0; i < r->n_lines; i++) {
        const Renja__V1__BudgetLine *l = r->lines[i];
        rj_val *o = rj_val_add_object(lines, NULL);
        rj_val_str(o, "kode", l->kode);
        rj_val_str(o, "nama", l->nama);
        if (l->has_pagu)
            rj_val_int(o, "pagu", l->pagu);
        else
            rj_val_null(o, "pagu");
    }
    rj_val *real = rj_val_add_array(doc, "realisasi");
    rj_val_lines(real);
    for (size_t i = 0; i < r->n_realisasi; i++)
        realisasi_val(real, r->realisasi[i]);
    rj_val *stages = rj_val_add_array(doc, "stages");
    rj_val_lines(stages);
    for (size_t i = 0; i < r->n_stages; i++) {
        const Renja__V1__Stage *s = r->stages[i];
        rj_val *o = rj_val_add_object(stages, NULL);
        rj_val_str(o, "name", s->name);
        rj_val_int(o, "rev", (int64_t)s->rev);
        rj_val_str(o, "title", s->title);
        rj_val_str(o, "basis", s->basis);
        rj_val_str(o, "date", s->date);
        rj_val_int(o, "order", s->order);
    }
    rj_val_print(doc, out);
    rj_val_free(doc);
}

void rj_print_revision(const char *plan, const Renja__V1__Revision *v, rj_out_mode m, FILE *out)
{
    char tm[48];
    rj_print_time(v->time_unix_ms, m, tm);
    if (m == RJ_OUT_JSON) {
        rj_val *o = rj_val_object();
        rj_val_str(o, "plan", plan);
        rj_val_int(o, "rev", (int64_t)v->rev);
        rj_val_str(o, "time", tm);
        rj_val_str(o, "author", v->author);
        rj_val_str(o, "bidang", v->bidang);
        rj_val_str(o, "message", v->message);
        rj_val_int(o, "base_rev", (int64_t)v->base_rev);
        rj_val_strs(o, "keys", v->keys, v->n_keys);
        rj_val_print(o, out);
        rj_val_free(o);
    } else {
        /* One line per revision whatever the mode: it is a stream. */
        rj_table *t = rj_table_new("revisions");
        rj_table_col(t, "rev", NULL, 0);
        rj_table_col(t, "time", NULL, 0);
        rj_table_col(t, "author", NULL, 0);
        rj_table_col(t, "bidang", NULL, 0);
        rj_table_col(t, "message", NULL, 0);
        rj_table_row(t);
        rj_table_int(t, (int64_t)v->rev);
        rj_table_str(t, tm);
        rj_table_str(t, v->author);
        rj_table_str(t, v->bidang);
        rj_table_str(t, v->message);
        /* a stream: its header, if any, was printed once before it */
        rj_out_layout lay = *rj_out_get_layout();
        rj_out_layout once = lay;
        once.header = false;
        rj_out_set_layout(&once);
        rj_table_print(t, RJ_OUT_TSV, out);
        rj_out_set_layout(&lay);
        rj_table_free(t);
    }
    fflush(out);
}

void rj_print_info(const Renja__V1__ServerInfoResponse *r, rj_out_mode m, FILE *out)
{
    const Renja__V1__Identity *id = r->identity;
    char tm[48];
    rj_print_time(r->started_unix_ms, m, tm);
    if (m == RJ_OUT_JSON) {
        rj_val *o = rj_val_object();
        rj_val_str(o, "version", r->version);
        rj_val_int(o, "uptime_seconds", r->uptime_seconds);
        rj_val_str(o, "started", tm);
        rj_val *who = rj_val_add_object(o, "identity");
        rj_val_str(who, "name", id ? id->name : "");
        rj_val_str(who, "role", id ? rj_role_name(id->role) : "");
        rj_val_str(who, "bidang", id ? id->bidang : "");
        rj_val_int(o, "max_message_bytes", (int64_t)r->max_message_bytes);
        rj_val_print(o, out);
        rj_val_free(o);
        return;
    }
    /* key/value records */
    rj_table *t = rj_table_new("info");
    rj_table_col(t, "key", "Kunci", 0);
    rj_table_col(t, "value", "Nilai", RJ_COL_WRAP);
    const char *keys[] = {"version", "uptime_seconds", "started",          "name",
                          "role",    "bidang",         "max_message_bytes"};
    /* the same for people */
    const char *words[] = {"versi",  "aktif (detik)",          "mulai", "nama token", "peran",
                           "bidang", "batas permintaan (bita)"};
    char up[32], mm[32];
    snprintf(up, sizeof(up), "%" PRId64, r->uptime_seconds);
    snprintf(mm, sizeof(mm), "%" PRIu64, r->max_message_bytes);
    const char *vals[] = {
        r->version,           up, tm, id ? id->name : "", id ? rj_role_name(id->role) : "",
        id ? id->bidang : "", mm};
    for (int i = 0; i < 7; i++) {
        rj_table_row(t);
        rj_table_str(t, m == RJ_OUT_TABLE ? words[i] : keys[i]);
        rj_table_str(t, vals[i]);
    }
    rj_table_print(t, m, out);
    rj_table_free(t);
}

void rj_print_health(Grpc__Health__V1__HealthCheckResponse__ServingStatus s, rj_out_mode m,
                     FILE *out)
{
    const char *name =
        s == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING       ? "SERVING"
        : s == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING ? "NOT_SERVING"
        : s == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN
            ? "SERVICE_UNKNOWN"
            : "UNKNOWN";
    rj_val *o = rj_val_object();
    rj_val_str(o, "status", name);
    print_one(m, out, name, o);
}
