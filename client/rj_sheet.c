#include "rj_sheet.h"

#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"

static char *dup_or_null(const char *s)
{
    return s ? rj_strdup(s) : NULL;
}

rj_doc *rj_doc_new(const char *plan, const char *plan_nama, const char *subject)
{
    rj_doc *d = rj_calloc(1, sizeof(*d));
    d->plan = rj_strdup(plan);
    d->plan_nama = rj_strdup(plan_nama ? plan_nama : "");
    d->subject = rj_strdup(subject ? subject : "");
    return d;
}

static void sheet_free(rj_sheet *s)
{
    for (size_t i = 0; i < s->nrows; i++) {
        for (int c = 0; c < s->rows[i].ncols; c++)
            free(s->rows[i].cells[c].s);
        free(s->rows[i].cells);
    }
    free(s->rows);
    for (size_t i = 0; i < s->nspans; i++)
        free(s->spans[i].text);
    free(s->spans);
    free(s->cols);
    free(s->name);
    free(s->title);
    free(s->context);
    free(s->note);
    free(s);
}

void rj_doc_free(rj_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nsheets; i++)
        sheet_free(d->sheets[i]);
    free(d->sheets);
    free(d->plan);
    free(d->plan_nama);
    free(d->subject);
    free(d);
}

rj_sheet *rj_doc_sheet(rj_doc *d, const char *name, const char *title, const char *context,
                       int ncols, int nhead)
{
    rj_sheet *s = rj_calloc(1, sizeof(*s));
    s->name = rj_strdup(name);
    s->title = rj_strdup(title ? title : "");
    s->context = rj_strdup(context ? context : "");
    s->ncols = ncols;
    s->nhead = nhead;
    s->cols = rj_calloc((size_t)ncols, sizeof(*s->cols));
    for (int c = 0; c < ncols; c++)
        s->cols[c].width = 12;
    d->sheets = rj_realloc(d->sheets, (d->nsheets + 1) * sizeof(*d->sheets));
    d->sheets[d->nsheets++] = s;
    return s;
}

void rj_sheet_col(rj_sheet *s, int col, double width, bool name_col)
{
    if (col < 0 || col >= s->ncols)
        return;
    s->cols[col].width = width;
    s->cols[col].name_col = name_col;
}

void rj_sheet_span(rj_sheet *s, int r0, int c0, int r1, int c1, const char *text)
{
    s->spans = rj_realloc(s->spans, (s->nspans + 1) * sizeof(*s->spans));
    s->spans[s->nspans++] = (rj_span){r0, c0, r1, c1, rj_strdup(text)};
}

void rj_sheet_note(rj_sheet *s, const char *text)
{
    free(s->note);
    s->note = dup_or_null(text);
}

rj_row *rj_sheet_row(rj_sheet *s, rj_row_style style, int indent)
{
    RJ_GROW(s->rows, s->nrows + 1, s->caprows, 64);
    rj_row *r = &s->rows[s->nrows++];
    *r = (rj_row){style, indent, s->ncols, rj_calloc((size_t)s->ncols, sizeof(rj_cell))};
    return r;
}

static rj_cell *cell(rj_row *r, int col)
{
    if (col < 0 || col >= r->ncols)
        return NULL;
    rj_cell *c = &r->cells[col];
    free(c->s);
    memset(c, 0, sizeof(*c));
    return c;
}

void rj_row_text(rj_row *r, int col, const char *text)
{
    rj_cell *c = cell(r, col);
    if (c && text && *text) {
        c->kind = RJ_CELL_TEXT;
        c->s = rj_strdup(text);
    }
}

void rj_row_money(rj_row *r, int col, int64_t rupiah)
{
    rj_cell *c = cell(r, col);
    if (c)
        c->kind = RJ_CELL_MONEY, c->v = rupiah;
}

void rj_row_dec(rj_row *r, int col, int64_t e4, int decimals)
{
    rj_cell *c = cell(r, col);
    if (c)
        c->kind = RJ_CELL_DEC, c->v = e4,
        c->decimals = decimals < 0   ? 0
                      : decimals > 4 ? 4
                                     : decimals;
}

void rj_row_pct(rj_row *r, int col, int64_t e2)
{
    rj_cell *c = cell(r, col);
    if (c)
        c->kind = RJ_CELL_PCT, c->v = e2;
}

int rj_dec_places(int64_t e4)
{
    int places = 4;
    while (places > 0 && e4 % 10 == 0)
        e4 /= 10, places--;
    return places;
}

rj_row_style rj_row_style_of_level(int level)
{
    switch (level) {
    case 1:
        return RJ_ROW_URUSAN;
    case 2:
        return RJ_ROW_PROGRAM;
    case 3:
        return RJ_ROW_KEGIATAN;
    case 4:
        return RJ_ROW_SUB_KEGIATAN;
    default:
        return RJ_ROW_PLAIN;
    }
}
