#include "rj_xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "rj_alloc.h"

#define MAX_INDENT 6
#define PROGRESS_EVERY 2000

/* The formats of one workbook, made on first use: plain or bold, by what
 * the cell holds. */
enum { F_TEXT, F_MONEY, F_PCT, F_DEC0, F_NAME0 = F_DEC0 + 5, F_NKIND = F_NAME0 + MAX_INDENT + 1 };

typedef struct fmts {
    lxw_workbook *wb;
    lxw_format *body[2][F_NKIND];
    lxw_format *head, *title, *note;
} fmts;

static lxw_format *body_fmt(fmts *f, bool bold, int kind)
{
    lxw_format **slot = &f->body[bold][kind];
    if (*slot)
        return *slot;
    lxw_format *x = workbook_add_format(f->wb);
    format_set_border(x, LXW_BORDER_THIN);
    format_set_align(x, LXW_ALIGN_VERTICAL_TOP);
    if (bold)
        format_set_bold(x);
    static const char *dec[] = {"#,##0", "#,##0.0", "#,##0.00", "#,##0.000", "#,##0.0000"};
    if (kind == F_MONEY)
        format_set_num_format(x, RJ_XLSX_FMT_MONEY);
    else if (kind == F_PCT)
        format_set_num_format(x, RJ_XLSX_FMT_PCT);
    else if (kind >= F_DEC0 && kind < F_NAME0)
        format_set_num_format(x, dec[kind - F_DEC0]);
    else {
        format_set_text_wrap(x);
        if (kind > F_NAME0)
            format_set_indent(x, (uint8_t)(kind - F_NAME0));
    }
    *slot = x;
    return x;
}

static void fmts_init(fmts *f, lxw_workbook *wb)
{
    memset(f, 0, sizeof(*f));
    f->wb = wb;
    f->head = workbook_add_format(wb);
    format_set_bold(f->head);
    format_set_border(f->head, LXW_BORDER_THIN);
    format_set_align(f->head, LXW_ALIGN_CENTER);
    format_set_align(f->head, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(f->head);
    format_set_bg_color(f->head, 0xD9D9D9);
    f->title = workbook_add_format(wb);
    format_set_bold(f->title);
    format_set_font_size(f->title, 12);
    f->note = workbook_add_format(wb);
    format_set_italic(f->note);
}

/* Text for a page header: '&' doubled, at most n bytes, cut at a UTF-8
 * boundary. */
static void header_text(rj_buf *b, const char *s, size_t n)
{
    size_t start = b->len;
    for (; *s; s++) {
        size_t need = *s == '&' ? 2 : 1;
        if (b->len - start + need > n)
            break;
        rj_buf_append(b, s, 1);
        if (*s == '&')
            rj_buf_append(b, "&", 1);
    }
    while (b->len > start && ((unsigned char)b->data[b->len - 1] & 0xc0) == 0x80)
        b->len--;
    if (b->len > start && ((unsigned char)b->data[b->len - 1] & 0xc0) == 0xc0)
        b->len--;
}

static void page_setup(lxw_worksheet *ws, const rj_doc *doc, const rj_sheet *s, int h0)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.4, 0.4, 0.7, 0.6);
    worksheet_center_horizontally(ws);
    worksheet_repeat_rows(ws, (lxw_row_t)h0, (lxw_row_t)(h0 + s->nhead - 1));
    worksheet_freeze_panes(ws, (lxw_row_t)(h0 + s->nhead), 0);
    /* libxlsxwriter refuses headers longer than 255 characters. */
    rj_buf b = {0};
    rj_buf_puts(&b, "&L");
    header_text(&b, doc->plan_nama && *doc->plan_nama ? doc->plan_nama : doc->plan, 110);
    rj_buf_puts(&b, "&R");
    header_text(&b, s->context, 120);
    rj_buf_append(&b, "", 1);
    worksheet_set_header(ws, b.data);
    rj_buf_free(&b);
    worksheet_set_footer(ws, "&L&A&RHalaman &P dari &N");
}

static void write_head(lxw_worksheet *ws, fmts *f, const rj_sheet *s, int h0)
{
    /* Every cell of the header grid gets the header format, spanned or not,
     * so the borders are whole. */
    for (int r = 0; r < s->nhead; r++)
        for (int c = 0; c < s->ncols; c++)
            worksheet_write_blank(ws, (lxw_row_t)(h0 + r), (lxw_col_t)c, f->head);
    for (size_t i = 0; i < s->nspans; i++) {
        const rj_span *sp = &s->spans[i];
        if (sp->r0 == sp->r1 && sp->c0 == sp->c1)
            worksheet_write_string(ws, (lxw_row_t)(h0 + sp->r0), (lxw_col_t)sp->c0, sp->text,
                                   f->head);
        else
            worksheet_merge_range(ws, (lxw_row_t)(h0 + sp->r0), (lxw_col_t)sp->c0,
                                  (lxw_row_t)(h0 + sp->r1), (lxw_col_t)sp->c1, sp->text, f->head);
    }
}

static void write_cell(lxw_worksheet *ws, fmts *f, lxw_row_t row, int col, const rj_cell *c,
                       bool bold, int name_indent)
{
    lxw_col_t cc = (lxw_col_t)col;
    switch (c->kind) {
    case RJ_CELL_EMPTY:
        worksheet_write_blank(ws, row, cc, body_fmt(f, bold, F_TEXT));
        break;
    case RJ_CELL_TEXT:
        worksheet_write_string(
            ws, row, cc, c->s,
            body_fmt(f, bold, name_indent >= 0 ? F_NAME0 + name_indent : F_TEXT));
        break;
    case RJ_CELL_MONEY:
        worksheet_write_number(ws, row, cc, (double)c->v, body_fmt(f, bold, F_MONEY));
        break;
    case RJ_CELL_DEC:
        worksheet_write_number(ws, row, cc, (double)c->v / 10000.0,
                               body_fmt(f, bold, F_DEC0 + c->decimals));
        break;
    case RJ_CELL_PCT:
        worksheet_write_number(ws, row, cc, (double)c->v / 100.0, body_fmt(f, bold, F_PCT));
        break;
    }
}

static void write_row(lxw_worksheet *ws, fmts *f, const rj_sheet *s, const rj_row *r, lxw_row_t row)
{
    bool bold = r->style == RJ_ROW_URUSAN || r->style == RJ_ROW_PROGRAM ||
                r->style == RJ_ROW_KEGIATAN || r->style == RJ_ROW_TOTAL;
    int indent = r->indent < 0 ? 0 : r->indent > MAX_INDENT ? MAX_INDENT : r->indent;
    int first = 0;
    if (r->style == RJ_ROW_TOTAL && r->ncols > 0 && r->cells[0].kind == RJ_CELL_TEXT) {
        /* "Jumlah" spans the empty cells after it. */
        int end = 1;
        while (end < r->ncols && r->cells[end].kind == RJ_CELL_EMPTY)
            end++;
        if (end > 1)
            worksheet_merge_range(ws, row, 0, row, (lxw_col_t)(end - 1), r->cells[0].s,
                                  body_fmt(f, true, F_TEXT));
        else
            write_cell(ws, f, row, 0, &r->cells[0], true, -1);
        first = end;
    }
    for (int c = first; c < r->ncols; c++)
        write_cell(ws, f, row, c, &r->cells[c], bold, s->cols[c].name_col ? indent : -1);
}

static int write_sheet(lxw_workbook *wb, fmts *f, const rj_doc *doc, const rj_sheet *s,
                       size_t *done, size_t total, rj_progress_cb progress, void *arg)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, s->name);
    if (!ws)
        return RJ_EINVAL;
    for (int c = 0; c < s->ncols; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, s->cols[c].width, NULL);
    /* The caption, one line per row, then a blank row, the header, the body. */
    int row = 0;
    for (const char *p = s->title; *p;) {
        size_t n = strcspn(p, "\n");
        char *line = rj_strndup(p, n);
        worksheet_write_string(ws, (lxw_row_t)row++, 0, line, f->title);
        free(line);
        p += n;
        if (*p)
            p++;
    }
    int h0 = row + 1;
    page_setup(ws, doc, s, h0);
    write_head(ws, f, s, h0);
    row = h0 + s->nhead;
    for (size_t i = 0; i < s->nrows; i++, row++) {
        write_row(ws, f, s, &s->rows[i], (lxw_row_t)row);
        if (progress && ++*done % PROGRESS_EVERY == 0)
            progress(*done, total, arg);
    }
    if (s->note)
        worksheet_write_string(ws, (lxw_row_t)(row + 1), 0, s->note, f->note);
    return 0;
}

int rj_xlsx_write(const rj_doc *doc, const char *path, rj_progress_cb progress, void *arg,
                  rj_diag *d)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return rj_diag_set(d, RJ_EIO, "%s: cannot create the workbook", path);
    lxw_doc_properties props = {0};
    char *title = rj_asprintf("Renja %s", doc->plan);
    props.title = title;
    props.subject = doc->subject;
    props.comments = doc->plan_nama;
    workbook_set_properties(wb, &props);
    fmts f;
    fmts_init(&f, wb);
    size_t total = 0, done = 0;
    for (size_t i = 0; i < doc->nsheets; i++)
        total += doc->sheets[i]->nrows;
    int rc = 0;
    for (size_t i = 0; i < doc->nsheets && rc == 0; i++)
        if (write_sheet(wb, &f, doc, doc->sheets[i], &done, total, progress, arg) < 0)
            rc = rj_diag_set(d, RJ_EINVAL, "%s: bad sheet name \"%s\"", path, doc->sheets[i]->name);
    lxw_error err = workbook_close(wb);
    free(title);
    if (rc == 0 && err != LXW_NO_ERROR)
        rc = rj_diag_set(d, RJ_EIO, "%s: %s", path, lxw_strerror(err));
    return rc;
}
