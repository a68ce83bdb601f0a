#include "rj_out.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"
#include "rj_csv.h"
#include "rj_fit.h"
#include "rj_json.h"
#include "rj_num.h"

typedef enum cell_kind { C_NULL, C_STR, C_INT, C_BOOL, C_MONEY, C_DEC, C_PCT, C_RAW } cell_kind;

typedef struct cell {
    cell_kind kind;
    int64_t v;
    char *s;
} cell;

typedef struct col {
    char *key, *title;
    unsigned flags;
} col;

typedef struct row {
    cell *cells;
    size_t n;
} row;

struct rj_table {
    char *records;
    col *cols;
    size_t ncols;
    char **meta_keys, **meta_vals;
    size_t nmeta;
    row *rows;
    size_t nrows, caprows;
    row footer;
    bool has_footer;
    rj_buf notes;
    row *cur;
};

static rj_out_layout layout;

void rj_out_set_layout(const rj_out_layout *l)
{
    layout = *l;
}

const rj_out_layout *rj_out_get_layout(void)
{
    return &layout;
}

int rj_out_mode_parse(const char *s)
{
    static const char *names[] = {"table", "tsv", "csv", "json"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

rj_table *rj_table_new(const char *records)
{
    rj_table *t = rj_calloc(1, sizeof(*t));
    t->records = rj_strdup(records);
    return t;
}

static void row_free(row *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->cells[i].s);
    free(r->cells);
}

void rj_table_free(rj_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ncols; i++)
        free(t->cols[i].key), free(t->cols[i].title);
    free(t->cols);
    for (size_t i = 0; i < t->nmeta; i++)
        free(t->meta_keys[i]), free(t->meta_vals[i]);
    free(t->meta_keys);
    free(t->meta_vals);
    for (size_t i = 0; i < t->nrows; i++)
        row_free(&t->rows[i]);
    free(t->rows);
    row_free(&t->footer);
    rj_buf_free(&t->notes);
    free(t->records);
    free(t);
}

void rj_table_col(rj_table *t, const char *key, const char *title, unsigned flags)
{
    t->cols = rj_realloc(t->cols, (t->ncols + 1) * sizeof(*t->cols));
    t->cols[t->ncols++] = (col){rj_strdup(key), rj_strdup(title ? title : key), flags};
}

void rj_table_meta(rj_table *t, const char *key, const char *json)
{
    t->meta_keys = rj_realloc(t->meta_keys, (t->nmeta + 1) * sizeof(char *));
    t->meta_vals = rj_realloc(t->meta_vals, (t->nmeta + 1) * sizeof(char *));
    t->meta_keys[t->nmeta] = rj_strdup(key);
    t->meta_vals[t->nmeta++] = rj_strdup(json);
}

void rj_table_meta_str(rj_table *t, const char *key, const char *s)
{
    rj_buf b = {0};
    rj_json_put_str(&b, s);
    rj_buf_append(&b, "", 1);
    rj_table_meta(t, key, b.data);
    rj_buf_free(&b);
}

void rj_table_row(rj_table *t)
{
    if (t->nrows == t->caprows) {
        t->caprows = t->caprows ? t->caprows * 2 : 16;
        t->rows = rj_realloc(t->rows, t->caprows * sizeof(*t->rows));
    }
    t->cur = &t->rows[t->nrows++];
    *t->cur = (row){rj_calloc(t->ncols, sizeof(cell)), 0};
}

void rj_table_footer(rj_table *t)
{
    row_free(&t->footer);
    t->footer = (row){rj_calloc(t->ncols, sizeof(cell)), 0};
    t->has_footer = true;
    t->cur = &t->footer;
}

static void add(rj_table *t, cell c)
{
    /* More cells than columns is a bug of the caller. */
    if (!t->cur || t->cur->n >= t->ncols) {
        free(c.s);
        return;
    }
    t->cur->cells[t->cur->n++] = c;
}

void rj_table_null(rj_table *t)
{
    add(t, (cell){C_NULL, 0, NULL});
}
void rj_table_str(rj_table *t, const char *s)
{
    add(t, (cell){s ? C_STR : C_NULL, 0, s ? rj_strdup(s) : NULL});
}
void rj_table_int(rj_table *t, int64_t v)
{
    add(t, (cell){C_INT, v, NULL});
}
void rj_table_bool(rj_table *t, bool v)
{
    add(t, (cell){C_BOOL, v, NULL});
}
void rj_table_money(rj_table *t, int64_t v)
{
    add(t, (cell){C_MONEY, v, NULL});
}
void rj_table_dec(rj_table *t, int64_t v)
{
    add(t, (cell){C_DEC, v, NULL});
}
void rj_table_pct(rj_table *t, int64_t v)
{
    add(t, (cell){C_PCT, v, NULL});
}
void rj_table_raw(rj_table *t, const char *json)
{
    add(t, (cell){C_RAW, 0, rj_strdup(json)});
}

void rj_table_note(rj_table *t, const char *text)
{
    rj_buf_puts(&t->notes, text);
    rj_buf_puts(&t->notes, "\n");
}

static bool shown(const col *c, rj_out_mode m)
{
    if (m != RJ_OUT_TABLE && (c->flags & RJ_COL_TABLE_ONLY))
        return false;
    if (m == RJ_OUT_JSON)
        return !(c->flags & RJ_COL_FLAT_ONLY);
    if (c->flags & RJ_COL_JSON_ONLY)
        return false;
    return m != RJ_OUT_TABLE || !(c->flags & RJ_COL_NO_TABLE);
}

/* The text of a cell in a flat mode. */
static void cell_text(const cell *c, rj_out_mode m, rj_buf *b)
{
    char n[RJ_NUM_MAX];
    rj_numfmt f = m == RJ_OUT_TABLE ? RJ_NUM_HUMAN : RJ_NUM_PLAIN;
    switch (c->kind) {
    case C_NULL:
    case C_RAW:
        break;
    case C_STR:
        rj_buf_puts(b, c->s);
        break;
    case C_INT:
        rj_buf_printf(b, "%" PRId64, c->v);
        break;
    case C_BOOL:
        rj_buf_puts(b, m == RJ_OUT_TABLE ? (c->v ? "ya" : "tidak") : c->v ? "true" : "false");
        break;
    case C_MONEY:
        /* The printed tables write a zero amount as "-". */
        if (m == RJ_OUT_TABLE && c->v == 0)
            rj_buf_puts(b, "-");
        else {
            rj_money_format(c->v, f, n);
            rj_buf_puts(b, n);
        }
        break;
    case C_DEC:
    case C_PCT:
        if (c->kind == C_DEC)
            rj_dec_format(c->v, f, n);
        else
            rj_pct_format(c->v, f, n);
        /* An Indonesian Excel reads 12,23 as a number and 12.23 as a date
         * or text. */
        if (m == RJ_OUT_CSV_EXCEL)
            for (char *p = n; *p; p++)
                if (*p == '.')
                    *p = ',';
        rj_buf_puts(b, n);
        if (c->kind == C_PCT && m == RJ_OUT_TABLE)
            rj_buf_puts(b, "%");
        break;
    }
}

static void cell_json(const cell *c, rj_buf *b)
{
    char n[RJ_NUM_MAX];
    switch (c->kind) {
    case C_NULL:
        rj_buf_puts(b, "null");
        break;
    case C_STR:
        rj_json_put_str(b, c->s);
        break;
    case C_RAW:
        rj_buf_puts(b, c->s);
        break;
    case C_INT:
    case C_MONEY:
        rj_buf_printf(b, "%" PRId64, c->v);
        break;
    case C_BOOL:
        rj_buf_puts(b, c->v ? "true" : "false");
        break;
    case C_DEC:
        rj_dec_format(c->v, RJ_NUM_PLAIN, n);
        rj_buf_puts(b, n);
        break;
    case C_PCT:
        rj_pct_format(c->v, RJ_NUM_PLAIN, n);
        rj_buf_puts(b, n);
        break;
    }
}

static const cell *cell_at(const row *r, size_t i)
{
    static const cell none = {C_NULL, 0, NULL};
    return i < r->n ? &r->cells[i] : &none;
}

static void print_json(const rj_table *t, FILE *out)
{
    rj_buf b = {0};
    rj_buf_puts(&b, "{");
    for (size_t i = 0; i < t->nmeta; i++) {
        rj_json_put_str(&b, t->meta_keys[i]);
        rj_buf_printf(&b, ": %s, ", t->meta_vals[i]);
    }
    rj_json_put_str(&b, t->records);
    rj_buf_puts(&b, ": [");
    for (size_t r = 0; r < t->nrows; r++) {
        rj_buf_puts(&b, r ? ",\n  {" : "\n  {");
        bool first = true;
        for (size_t i = 0; i < t->ncols; i++) {
            if (!shown(&t->cols[i], RJ_OUT_JSON))
                continue;
            if (!first)
                rj_buf_puts(&b, ", ");
            first = false;
            rj_json_put_str(&b, t->cols[i].key);
            rj_buf_puts(&b, ": ");
            cell_json(cell_at(&t->rows[r], i), &b);
        }
        rj_buf_puts(&b, "}");
    }
    rj_buf_puts(&b, t->nrows ? "\n]}\n" : "]}\n");
    fwrite(b.data, 1, b.len, out);
    rj_buf_free(&b);
}

static void tsv_put(rj_buf *b, const char *s)
{
    /* One record per line: tabs and newlines inside a value are escaped. */
    for (; *s; s++) {
        if (*s == '\t')
            rj_buf_puts(b, "\\t");
        else if (*s == '\n')
            rj_buf_puts(b, "\\n");
        else if (*s == '\r')
            rj_buf_puts(b, "\\r");
        else if (*s == '\\')
            rj_buf_puts(b, "\\\\");
        else
            rj_buf_append(b, s, 1);
    }
}

static void print_delimited(const rj_table *t, rj_out_mode m, FILE *out)
{
    rj_buf b = {0}, v = {0};
    bool excel = m == RJ_OUT_CSV_EXCEL, csv = m == RJ_OUT_CSV || excel;
    char sep = excel ? ';' : csv ? ',' : '\t';
    const char *eol = excel ? "\r\n" : "\n";
    bool first = true;
    if (excel)
        rj_buf_puts(&b, "\xef\xbb\xbf");
    if (csv || layout.header) {
        for (size_t i = 0; i < t->ncols; i++) {
            if (!shown(&t->cols[i], m))
                continue;
            if (!first)
                rj_buf_append(&b, &sep, 1);
            first = false;
            if (csv)
                rj_csv_put(&b, t->cols[i].key, sep);
            else
                tsv_put(&b, t->cols[i].key);
        }
        rj_buf_puts(&b, eol);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        first = true;
        for (size_t i = 0; i < t->ncols; i++) {
            if (!shown(&t->cols[i], m))
                continue;
            if (!first)
                rj_buf_append(&b, &sep, 1);
            first = false;
            v.len = 0;
            cell_text(cell_at(&t->rows[r], i), m, &v);
            rj_buf_append(&v, "", 1);
            if (csv)
                rj_csv_put(&b, v.data, sep);
            else
                tsv_put(&b, v.data);
        }
        rj_buf_puts(&b, eol);
    }
    if (b.len)
        fwrite(b.data, 1, b.len, out);
    rj_buf_free(&b);
    rj_buf_free(&v);
}

static bool right_aligned(const rj_table *t, size_t i)
{
    for (size_t r = 0; r < t->nrows; r++) {
        cell_kind k = cell_at(&t->rows[r], i)->kind;
        if (k != C_NULL)
            return k == C_INT || k == C_MONEY || k == C_DEC || k == C_PCT;
    }
    return false;
}

static unsigned fit_flags(const rj_table *t, size_t i)
{
    unsigned f = t->cols[i].flags, out = 0;
    if (right_aligned(t, i))
        out |= RJ_FIT_RIGHT;
    else if (f & RJ_COL_WRAP)
        out |= RJ_FIT_WRAP;
    if (f & RJ_COL_MAIN)
        out |= RJ_FIT_MAIN | RJ_FIT_WRAP;
    if (f & RJ_COL_DROP)
        out |= RJ_FIT_DROP;
    return out;
}

static void print_table(const rj_table *t, FILE *out)
{
    size_t nr = t->nrows + 1 + (t->has_footer ? 1 : 0);
    size_t nc = t->ncols ? t->ncols : 1;
    char **text = rj_calloc(nr * nc, sizeof(char *));
    unsigned *flags = rj_calloc(nc, sizeof(unsigned));
    rj_buf v = {0};
    for (size_t i = 0; i < t->ncols; i++) {
        if (!shown(&t->cols[i], RJ_OUT_TABLE))
            continue;
        flags[i] = fit_flags(t, i);
        for (size_t r = 0; r < nr; r++) {
            v.len = 0;
            if (r == 0)
                rj_buf_puts(&v, t->cols[i].title);
            else {
                const row *rw = r <= t->nrows ? &t->rows[r - 1] : &t->footer;
                cell_text(cell_at(rw, i), RJ_OUT_TABLE, &v);
            }
            rj_buf_append(&v, "", 1);
            /* Newlines would break the alignment. */
            for (char *p = v.data; *p; p++)
                if (*p == '\n' || *p == '\r' || *p == '\t')
                    *p = ' ';
            text[r * t->ncols + i] = rj_strdup(v.data);
        }
    }
    rj_grid g = {nr, t->ncols, (const char *const *)text, flags, t->has_footer};
    rj_buf b = {0}, dropped = {0};
    rj_fit_render(&g, layout.wide ? 0 : layout.width, &b, &dropped);
    if (t->notes.len)
        rj_buf_append(&b, t->notes.data, t->notes.len);
    if (dropped.len) {
        rj_buf note = {0};
        rj_buf_printf(&note, "Kolom yang tidak muat: %.*s (--wide menampilkan semua).",
                      (int)dropped.len, dropped.data);
        rj_buf_append(&note, "", 1);
        rj_fit_paragraph(note.data, layout.width, 0, &b);
        rj_buf_free(&note);
    }
    fwrite(b.data, 1, b.len, out);
    rj_buf_free(&b);
    rj_buf_free(&dropped);
    rj_buf_free(&v);
    for (size_t k = 0; k < nr * t->ncols; k++)
        free(text[k]);
    free(text);
    free(flags);
}

void rj_out_paragraph(FILE *out, const char *text)
{
    rj_buf b = {0};
    rj_fit_paragraph(text, layout.wide ? 0 : layout.width, 2, &b);
    fwrite(b.data, 1, b.len, out);
    rj_buf_free(&b);
}

void rj_table_print(const rj_table *t, rj_out_mode mode, FILE *out)
{
    switch (mode) {
    case RJ_OUT_JSON:
        print_json(t, out);
        break;
    case RJ_OUT_TSV:
    case RJ_OUT_CSV:
    case RJ_OUT_CSV_EXCEL:
        print_delimited(t, mode, out);
        break;
    case RJ_OUT_TABLE:
        print_table(t, out);
        break;
    }
}
