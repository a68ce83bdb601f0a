/* The one printer of the client: a table of typed cells printed in one of
 * four modes (renja help output).
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
 *
 * Nested JSON values (a record's indikator, a document's summary, a
 * one-record answer) are built as a tree of typed values (rj_val) and
 * written by rj_out alone: no caller writes JSON text or escapes a string.
 * Numbers are written by rj_out alone too: the form of a number in each
 * mode (human in the table, plain elsewhere) is decided here, also for the
 * numbers a caller puts inside a text (rj_out_text_*).
 */
#ifndef RJ_OUT_H
#define RJ_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rj_alloc.h"
#include "rj_num.h"

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

/* A JSON value: null, string, number, boolean, object or array. */
typedef struct rj_val rj_val;

rj_val *rj_val_object(void);
rj_val *rj_val_array(void);
void rj_val_free(rj_val *v);
/* Its members (an object) or elements (an array) one per line, indented
 * by the number of such containers around them; otherwise all on one line
 * as {"a": 1, "b": [2, 3]}. */
void rj_val_lines(rj_val *v);
/* Add a member to object p under key, or an element to array p (key
 * NULL). Strings are copied; a NULL string is null. */
void rj_val_null(rj_val *p, const char *key);
void rj_val_str(rj_val *p, const char *key, const char *s);
void rj_val_int(rj_val *p, const char *key, int64_t v);
void rj_val_bool(rj_val *p, const char *key, bool v);
void rj_val_dec(rj_val *p, const char *key, int64_t e4);
void rj_val_pct(rj_val *p, const char *key, int64_t e2);
/* A decimal or percentage, or null when there is none. */
void rj_val_dec_or_null(rj_val *p, const char *key, bool has, int64_t e4);
void rj_val_pct_or_null(rj_val *p, const char *key, bool has, int64_t e2);
/* An array of n strings. */
void rj_val_strs(rj_val *p, const char *key, char *const *s, size_t n);
/* A new object or array added to p, to be filled by the caller (p owns it). */
rj_val *rj_val_add_object(rj_val *p, const char *key);
rj_val *rj_val_add_array(rj_val *p, const char *key);
/* Add v (taken over, NULL adds null) to p. */
void rj_val_add(rj_val *p, const char *key, rj_val *v);
/* v as JSON on one line of its own (the document of a json answer). */
void rj_val_print(const rj_val *v, FILE *out);

/* Numbers inside a text (a list joined by "; ", a sentence), so that the
 * printers never choose a number's form themselves:
 *   rj_out_text_dec    as a decimal cell of mode m is written (table
 *                      12,23 and 1.234,5; Excel csv 12,23; others 12.23)
 *   rj_out_prose_dec   a decimal in a sentence for people: the human form
 *                      in the table and in Excel's csv, plain elsewhere
 *   rj_out_text_money  human in the table (0 as 0), plain elsewhere
 *   rj_out_text_pct    human in the table (without the %), plain elsewhere
 */
void rj_out_text_dec(rj_out_mode m, int64_t e4, char out[RJ_NUM_MAX]);
void rj_out_prose_dec(rj_out_mode m, int64_t e4, char out[RJ_NUM_MAX]);
void rj_out_text_money(rj_out_mode m, int64_t v, char out[RJ_NUM_MAX]);
void rj_out_text_pct(rj_out_mode m, int64_t e2, char out[RJ_NUM_MAX]);
/* A value people read as the source wrote it and machines as a number (a
 * target, a realisasi), appended to b: in the human table its text, else
 * its number; in the other modes its number (rj_out_text_dec) alone. */
void rj_out_written(rj_out_mode m, const char *text, bool has, int64_t e4, rj_buf *b);

typedef struct rj_table rj_table;

/* records: the JSON key of the record array ("items", "rows", ...). */
rj_table *rj_table_new(const char *records);
void rj_table_free(rj_table *t);
/* key: JSON key and csv header; title: human header (NULL = key). */
void rj_table_col(rj_table *t, const char *key, const char *title, unsigned flags);
/* A member of the JSON document before the records, in the order added;
 * ignored by the other modes. rj_table_meta takes v over. */
void rj_table_meta(rj_table *t, const char *key, rj_val *v);
void rj_table_meta_str(rj_table *t, const char *key, const char *s);
void rj_table_meta_int(rj_table *t, const char *key, int64_t v);

/* Start a record, or the footer (human table only; the other modes leave
 * it out); then one cell per column, in column order. */
void rj_table_row(rj_table *t);
void rj_table_footer(rj_table *t);
/* The next cell is that of column key (replacing what it held); the
 * cells not given stay empty (null). */
void rj_table_at(rj_table *t, const char *key);
void rj_table_null(rj_table *t);
void rj_table_str(rj_table *t, const char *s);
/* A nama in a tree: in the human table indented by its depth (two blanks a
 * level below the first, as the printed Renja does), elsewhere as it is. */
void rj_table_indented(rj_table *t, const char *s, int depth);
void rj_table_int(rj_table *t, int64_t v);
/* A value as rj_out_written writes it; in json its number (null without). */
void rj_table_written(rj_table *t, const char *text, bool has, int64_t e4);
void rj_table_bool(rj_table *t, bool v);
void rj_table_money(rj_table *t, int64_t rupiah);
void rj_table_dec(rj_table *t, int64_t e4);
void rj_table_pct(rj_table *t, int64_t e2);
/* A nested value (taken over; NULL is null), for a column only in json:
 * the flat modes write nothing for it. */
void rj_table_val(rj_table *t, rj_val *v);

/* A line printed under the human table (a legend); other modes ignore it. */
void rj_table_note(rj_table *t, const char *text);

void rj_table_print(const rj_table *t, rj_out_mode mode, FILE *out);
/* A paragraph for people (a summary line), wrapped to the terminal's width. */
void rj_out_paragraph(FILE *out, const char *text);

#endif
