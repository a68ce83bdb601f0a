#include "rj_html.h"

#include <string.h>

#include "rj_alloc.h"
#include "rj_num.h"
#include "rj_out.h"

static const char css[] =
    "body { font-family: 'DejaVu Sans Condensed', 'Liberation Sans Narrow', 'Arial Narrow', "
    "'DejaVu Sans', Arial, sans-serif; font-size: 7pt; color: #000; }\n"
    "header.doc h1 { font-size: 11pt; margin: 0 0 2pt 0; }\n"
    "header.doc p { margin: 0 0 6pt 0; }\n"
    "section.sheet + section.sheet { break-before: page; page-break-before: always; }\n"
    "h2 { font-size: 9.5pt; font-style: italic; margin: 0 0 4pt 0; }\n"
    "p.ctx { font-size: 7pt; color: #444; margin: 0 0 2pt 0; text-align: right; }\n"
    "@media print { p.ctx { display: none; } }\n"
    "p.note { font-style: italic; margin-top: 4pt; }\n"
    "table { border-collapse: collapse; width: 100%; table-layout: fixed; }\n"
    "thead { display: table-header-group; }\n"
    "tr { break-inside: avoid; page-break-inside: avoid; }\n"
    "th, td { border: 0.5pt solid #000; padding: 1pt 2pt; vertical-align: top; }\n"
    "td { overflow-wrap: anywhere; }\n"
    "th { background: #d9d9d9; text-align: center; vertical-align: middle; font-weight: bold; }\n"
    "td.n { text-align: right; white-space: nowrap; overflow-wrap: normal; }\n"
    "tr.b td { font-weight: bold; }\n"
    "tr.t td { font-weight: bold; border-top: 1.2pt solid #000; }\n"
    "td.i1 { padding-left: 0.8em; } td.i2 { padding-left: 1.6em; } td.i3 { padding-left: 2.4em; }\n"
    "td.i4 { padding-left: 3.2em; } td.i5 { padding-left: 4em; } td.i6 { padding-left: 4.8em; }\n"
    "@media screen { body { margin: 1.5em; font-size: 9pt; } "
    "section.sheet { margin-bottom: 3em; } }\n";

static void esc(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\n':
            fputs("<br>", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

/* s as the text of a CSS string: quotes and backslashes escaped, and '<'
 * so that no "</style>" can end the style sheet early. */
static void css_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\' || *s == '<' || *s == '\n' || *s == '\r')
            fprintf(out, "\\%x ", (unsigned char)*s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

/* The printed page: A4 landscape, the plan's nama at the top left, what a
 * table shows (its stages) at the top right, page numbers at the bottom;
 * each sheet is a named page of its own, so it starts a page. */
static void page_css(FILE *out, const rj_doc *doc)
{
    const char *nama = doc->plan_nama && *doc->plan_nama ? doc->plan_nama : doc->plan;
    fputs("@page { size: A4 landscape; margin: 12mm 8mm 12mm 8mm;\n"
          "  @top-left { content: ",
          out);
    css_str(out, nama);
    fputs("; font-size: 7pt; }\n"
          "  @bottom-right { content: \"Halaman \" counter(page) \" dari \" counter(pages); "
          "font-size: 7pt; } }\n",
          out);
    for (size_t i = 0; i < doc->nsheets; i++) {
        fprintf(out, "@page s%zu { @top-right { content: ", i);
        css_str(out, doc->sheets[i]->context);
        fprintf(out, "; font-size: 7pt; } }\nsection.s%zu { page: s%zu; }\n", i, i);
    }
    /* The document's own heading shares the first table's page. */
    fputs("header.doc { page: s0; }\n", out);
}

static void number(const rj_cell *c, char out[RJ_NUM_MAX])
{
    switch (c->kind) {
    case RJ_CELL_MONEY:
        /* The printed tables write a zero amount as "-". */
        if (c->v == 0)
            strcpy(out, "-");
        else
            rj_out_text_money(RJ_OUT_TABLE, c->v, out);
        break;
    case RJ_CELL_DEC:
        rj_out_text_dec(RJ_OUT_TABLE, c->v, out);
        break;
    case RJ_CELL_PCT:
        rj_out_text_pct(RJ_OUT_TABLE, c->v, out);
        break;
    default:
        out[0] = 0;
    }
}

static void head(FILE *out, const rj_sheet *s)
{
    /* A grid of which header cell starts where; covered cells emit nothing. */
    fputs("<thead>\n", out);
    for (int r = 0; r < s->nhead; r++) {
        fputs("<tr>", out);
        for (int c = 0; c < s->ncols; c++) {
            for (size_t i = 0; i < s->nspans; i++) {
                const rj_span *sp = &s->spans[i];
                if (sp->r0 != r || sp->c0 != c)
                    continue;
                fputs("<th", out);
                if (sp->c1 > sp->c0)
                    fprintf(out, " colspan=\"%d\"", sp->c1 - sp->c0 + 1);
                if (sp->r1 > sp->r0)
                    fprintf(out, " rowspan=\"%d\"", sp->r1 - sp->r0 + 1);
                fputs(">", out);
                esc(out, sp->text);
                fputs("</th>", out);
            }
        }
        fputs("</tr>\n", out);
    }
    fputs("</thead>\n", out);
}

static void body_row(FILE *out, const rj_sheet *s, const rj_row *r)
{
    bool bold =
        r->style == RJ_ROW_URUSAN || r->style == RJ_ROW_PROGRAM || r->style == RJ_ROW_KEGIATAN;
    fputs(r->style == RJ_ROW_TOTAL ? "<tr class=\"t\">" : bold ? "<tr class=\"b\">" : "<tr>", out);
    int c = 0;
    if (r->style == RJ_ROW_TOTAL && r->ncols > 0 && r->cells[0].kind == RJ_CELL_TEXT) {
        int end = 1;
        while (end < r->ncols && r->cells[end].kind == RJ_CELL_EMPTY)
            end++;
        fprintf(out, "<td colspan=\"%d\">", end);
        esc(out, r->cells[0].s);
        fputs("</td>", out);
        c = end;
    }
    for (; c < r->ncols; c++) {
        const rj_cell *x = &r->cells[c];
        int ind = s->cols[c].name_col && r->indent > 0 ? (r->indent > 6 ? 6 : r->indent) : 0;
        if (x->kind == RJ_CELL_TEXT) {
            if (ind)
                fprintf(out, "<td class=\"i%d\">", ind);
            else
                fputs("<td>", out);
            esc(out, x->s);
            fputs("</td>", out);
        } else if (x->kind == RJ_CELL_EMPTY)
            fputs("<td></td>", out);
        else {
            char n[RJ_NUM_MAX];
            number(x, n);
            fprintf(out, "<td class=\"n\">%s</td>", n);
        }
    }
    fputs("</tr>\n", out);
}

static void sheet(FILE *out, const rj_sheet *s, size_t no)
{
    fprintf(out, "<section class=\"sheet s%zu\">\n<p class=\"ctx\">", no);
    esc(out, s->context);
    fputs("</p>\n<h2>", out);
    esc(out, s->title);
    fputs("</h2>\n<table>\n<colgroup>", out);
    double total = 0;
    for (int c = 0; c < s->ncols; c++)
        total += s->cols[c].width;
    for (int c = 0; c < s->ncols; c++)
        fprintf(out, "<col style=\"width:%.1f%%\">",
                total > 0 ? 100 * s->cols[c].width / total : 0);
    fputs("</colgroup>\n", out);
    head(out, s);
    fputs("<tbody>\n", out);
    for (size_t i = 0; i < s->nrows; i++)
        body_row(out, s, &s->rows[i]);
    fputs("</tbody>\n</table>\n", out);
    if (s->note) {
        fputs("<p class=\"note\">", out);
        esc(out, s->note);
        fputs("</p>\n", out);
    }
    fputs("</section>\n", out);
}

void rj_html_write(const rj_doc *doc, FILE *out)
{
    const char *nama = doc->plan_nama && *doc->plan_nama ? doc->plan_nama : doc->plan;
    fputs("<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
    esc(out, nama);
    fputs("</title>\n<style>\n", out);
    page_css(out, doc);
    fputs(css, out);
    fputs("</style>\n</head>\n<body>\n<header class=\"doc\"><h1>", out);
    esc(out, nama);
    fputs("</h1><p>", out);
    esc(out, doc->plan);
    fputs(" &middot; ", out);
    esc(out, doc->subject);
    fputs("</p></header>\n", out);
    for (size_t i = 0; i < doc->nsheets; i++)
        sheet(out, doc->sheets[i], i);
    fputs("</body>\n</html>\n", out);
}
