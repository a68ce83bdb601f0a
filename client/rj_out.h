/* The one printer of the client: a table of typed cells printed in one of
 * four modes (STYLE.md 8).
 *
 *   table  aligned columns with a header, human numbers (15.320.055.480,
 *          (113.206.733), 12,23, -0,74%), an optional footer (Jumlah)
 *   tsv    one record per line, no header, plain numbers
 *   csv    one header line, then one record per line (RFC 4180); in the
 *          excel-id dialect ';'-separated, CRLF, BOM, decimal comma
 *   json   one document {"<meta>": ..., "<records>": [{...}, ...]}
 *
 * Columns can be limited to json or to the flat modes, so one table carries
 * nested JSON (indikator, targets) and its flat summary. The table copies
 * every string it is given; free it with rj_table_free.
 */
#ifndef RJ_OUT_H
#define RJ_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum rj_out_mode {
    RJ_OUT_TABLE,
    RJ_OUT_TSV,
    RJ_OUT_CSV,
    RJ_OUT_JSON,
    /* csv for an Indonesian-locale Excel: ';' between fields, CRLF, a UTF-8
     * byte order mark, decimal comma (-0,74); plain integers for rupiah. */
    RJ_OUT_CSV_EXCEL,
} rj_out_mode;

/* How tables are laid out, the same for the whole run: set once by main
 * before anything is printed (like setlocale). */
typedef struct rj_out_layout {
    unsigned width; /* the terminal's columns for the human table; 0: not a terminal, no fitting */
    bool wide;      /* the human table at full width with every column, even NO_TABLE ones */
    bool header;    /* tsv starts with a line of column keys too */
} rj_out_layout;

void rj_out_set_layout(const rj_out_layout *l);
const rj_out_layout *rj_out_get_layout(void);

/* "table", "tsv", "csv", "json" -> mode; -1 if unknown. */
int rj_out_mode_parse(const char *s);

enum {
    RJ_COL_JSON_ONLY = 1 << 0, /* not in table, tsv, csv */
    RJ_COL_FLAT_ONLY = 1 << 1, /* not in json */
    RJ_COL_NO_TABLE = 1 << 2,  /* not in the human table */
    /* How the human table fits a terminal (rj_fit.h): */
    RJ_COL_WRAP = 1 << 3,       /* text that may wrap */
    RJ_COL_DROP = 1 << 4,       /* left out when the table is too wide (--wide shows it) */
    RJ_COL_MAIN = 1 << 5,       /* the Uraian: wraps, and moves under its row if need be */
    RJ_COL_TABLE_ONLY = 1 << 6, /* only in the human table (a mark, a label) */
};

typedef struct rj_table rj_table;

/* records: the JSON key of the record array ("items", "rows", ...). */
rj_table *rj_table_new(const char *records);
void rj_table_free(rj_table *t);
/* key: JSON key and csv header; title: human header (NULL = key). */
void rj_table_col(rj_table *t, const char *key, const char *title, unsigned flags);
/* A member of the JSON document before the records, given as JSON text;
 * ignored by the other modes. */
void rj_table_meta(rj_table *t, const char *key, const char *json);
void rj_table_meta_str(rj_table *t, const char *key, const char *s);

/* Start a record, or the footer (human table only); then one cell per
 * column, in column order. */
void rj_table_row(rj_table *t);
void rj_table_footer(rj_table *t);
void rj_table_null(rj_table *t);
void rj_table_str(rj_table *t, const char *s);
void rj_table_int(rj_table *t, int64_t v);
void rj_table_bool(rj_table *t, bool v);
void rj_table_money(rj_table *t, int64_t rupiah);
void rj_table_dec(rj_table *t, int64_t e4);
void rj_table_pct(rj_table *t, int64_t e2);
void rj_table_raw(rj_table *t, const char *json); /* JSON text, e.g. an array */

/* A line printed under the human table (a legend); other modes ignore it. */
void rj_table_note(rj_table *t, const char *text);

void rj_table_print(const rj_table *t, rj_out_mode mode, FILE *out);
/* A paragraph for people (a summary line), wrapped to the terminal's width. */
void rj_out_paragraph(FILE *out, const char *text);

#endif
