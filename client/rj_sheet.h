/* The document model of a report: sheets of typed cells with a multi-row,
 * merged header, as a writer (rj_xlsx, rj_html) lays them out. Built by
 * rj_report from the server's answers; knows nothing of the RPCs.
 *
 * Every string given is copied; a document owns everything it holds and is
 * freed at once with rj_doc_free.
 */
#ifndef RJ_SHEET_H
#define RJ_SHEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum rj_cell_kind {
    RJ_CELL_EMPTY,
    RJ_CELL_TEXT,
    RJ_CELL_MONEY, /* whole rupiah; shown #.##0;(#.##0);- */
    RJ_CELL_DEC,   /* fixed point e4, shown with `decimals` places (0..4) */
    RJ_CELL_PCT,   /* hundredths of a percent point, shown with two places */
} rj_cell_kind;

typedef struct rj_cell {
    rj_cell_kind kind;
    int decimals; /* RJ_CELL_DEC */
    int64_t v;
    char *s; /* RJ_CELL_TEXT */
} rj_cell;

/* How a row is set: the level of a program-tree item (bold and indented
 * as in the seed document: urusan, program, kegiatan bold; sub kegiatan
 * plain), or the Jumlah row. */
typedef enum rj_row_style {
    RJ_ROW_PLAIN,
    RJ_ROW_URUSAN,
    RJ_ROW_PROGRAM,
    RJ_ROW_KEGIATAN,
    RJ_ROW_SUB_KEGIATAN,
    RJ_ROW_TOTAL,
} rj_row_style;

typedef struct rj_row {
    rj_row_style style;
    int indent; /* levels of indentation of the name column */
    int ncols;
    rj_cell *cells;
} rj_row;

/* A header cell spanning rows r0..r1 and columns c0..c1 of the header. */
typedef struct rj_span {
    int r0, c0, r1, c1;
    char *text;
} rj_span;

typedef struct rj_column {
    double width;  /* in characters, as a spreadsheet counts them */
    bool name_col; /* the column indented by level */
} rj_column;

typedef struct rj_sheet {
    char *name;    /* sheet tab, at most 31 characters */
    char *title;   /* caption line(s) above the table, '\n' between lines */
    char *context; /* what the figures are (plan, stages): the page header */
    int ncols;
    rj_column *cols;
    int nhead; /* header rows, repeated on every printed page */
    rj_span *spans;
    size_t nspans;
    rj_row *rows;
    size_t nrows, caprows;
    char *note; /* a paragraph after the table, or NULL */
} rj_sheet;

typedef struct rj_doc {
    char *plan, *plan_nama;
    char *subject; /* e.g. "apbd → apbd-p, TW II": the document's description */
    rj_sheet **sheets;
    size_t nsheets;
} rj_doc;

rj_doc *rj_doc_new(const char *plan, const char *plan_nama, const char *subject);
void rj_doc_free(rj_doc *d);
/* A new sheet at the end of the document; ncols columns, nhead header rows. */
rj_sheet *rj_doc_sheet(rj_doc *d, const char *name, const char *title, const char *context,
                       int ncols, int nhead);

void rj_sheet_col(rj_sheet *s, int col, double width, bool name_col);
void rj_sheet_span(rj_sheet *s, int r0, int c0, int r1, int c1, const char *text);
void rj_sheet_note(rj_sheet *s, const char *text);
/* Start a body row; its cells are empty until set. */
rj_row *rj_sheet_row(rj_sheet *s, rj_row_style style, int indent);
void rj_row_text(rj_row *r, int col, const char *text);
void rj_row_money(rj_row *r, int col, int64_t rupiah);
void rj_row_dec(rj_row *r, int col, int64_t e4, int decimals);
void rj_row_pct(rj_row *r, int col, int64_t e2);

/* Decimals needed to show e4 exactly (0..4). */
int rj_dec_places(int64_t e4);
/* The style of a program-tree level (1 urusan .. 4 sub kegiatan), and its
 * indentation. */
rj_row_style rj_row_style_of_level(int level);

#endif
